//! The tcpsim web app's entry point (built by trunk from index.html).

fn main() {
    tcpsim_web::start();
}
