use tcpsim_scenario::Scenario;
fn main() {
    let text = std::fs::read_to_string("scenarios/http-client-leak-production.toml").unwrap();
    let scenario = Scenario::parse("p.toml", &text).unwrap();
    let mut s = scenario.setup();
    s.duration = scenario.duration;
    let b = s.encode();
    std::fs::write("/tmp/prof/setup.bin", &b).unwrap();
    eprintln!("{} bytes, duration {:?}", b.len(), scenario.duration);
}
