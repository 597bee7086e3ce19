//! The http-client-leak incident at production scale (10 000 connections over an hour of
//! simulated time): parse + compile, and the run itself. `cargo xtask bench`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use tcpsim_scenario::Scenario;

fn bench(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/http-client-leak-production.toml"
    );
    let text = std::fs::read_to_string(path).expect("the bundled scenario");
    let scenario = Scenario::parse("http-client-leak-production.toml", &text).expect("it parses");
    let trace = scenario.run().expect("it runs");
    eprintln!(
        "workload: {} calls, {} sockets, {} trace events, {} segments",
        trace.calls.len(),
        trace.sockets.len(),
        trace.events.len(),
        trace.stats.segments_sent
    );
    let mut g = c.benchmark_group("http_client_leak_10k_1h");
    g.sample_size(10);
    g.bench_function("parse_and_compile", |b| {
        b.iter(|| black_box(Scenario::parse("f.toml", black_box(&text)).unwrap()))
    });
    // Building the simulator: hosts, links, and the repeat's merge (its calls are made during
    // the run, so `simulate` includes them).
    let setup = scenario.setup();
    g.bench_function("set_up", |b| {
        b.iter_batched(
            || setup.clone(),
            |s| black_box(s.simulator().unwrap()),
            criterion::BatchSize::LargeInput,
        )
    });
    g.bench_function("simulate", |b| {
        b.iter_batched(
            || scenario.simulator().unwrap(),
            |sim| black_box(sim.run_for(scenario.duration).unwrap()),
            criterion::BatchSize::LargeInput,
        )
    });
    g.bench_function("simulate_and_check", |b| {
        b.iter(|| {
            let t = scenario.run().unwrap();
            black_box(scenario.check(&t))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
