use tcpsim_scenario::Scenario;
fn main() {
    let text = std::fs::read_to_string("scenarios/http-client-leak-production.toml").unwrap();
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(20);
    let t0 = std::time::Instant::now();
    let scenario = Scenario::parse("p.toml", &text).unwrap();
    eprintln!("parse {:?}", t0.elapsed());
    for _ in 0..n {
        let t = std::time::Instant::now();
        let sim = scenario.simulator().unwrap();
        let t1 = t.elapsed();
        let tr = sim.run(scenario.duration).unwrap();
        eprintln!(
            "setup {:?} run {:?} events {}",
            t1,
            t.elapsed(),
            tr.events.len()
        );
    }
}
#[allow(dead_code)]
fn dump() {}
