use tcpsim_scenario::Scenario;
fn main() {
    let text = std::fs::read_to_string("scenarios/http-client-leak-production.toml").unwrap();
    for _ in 0..40 {
        let t = std::time::Instant::now();
        let s = Scenario::parse("p.toml", &text).unwrap();
        let b = s.setup().encode();
        eprintln!("parse {:?} {}", t.elapsed(), b.len());
    }
}
