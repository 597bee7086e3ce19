//! Prints the trace of a small client/server run: `cargo run --example dump`.
use tcpsim_core::prelude::*;

fn main() {
    let mut sim = Simulator::new(SimConfig::default());
    let client = sim
        .add_host(HostSpec::new("client", [10, 0, 0, 1]))
        .unwrap();
    let server = sim
        .add_host(HostSpec::new("server", [10, 0, 0, 2]))
        .unwrap();
    sim.set_link_both(
        client,
        server,
        LinkConfig::latency(Duration::from_millis(10)),
    )
    .unwrap();
    let ms = Instant::from_millis;
    sim.call(
        ms(0),
        server,
        Call::Listen {
            socket: "l".into(),
            port: 80,
            backlog: 128,
        },
    )
    .unwrap();
    sim.call(
        ms(0),
        server,
        Call::Accept {
            listener: "l".into(),
            socket: "s".into(),
        },
    )
    .unwrap();
    sim.call(
        ms(1),
        client,
        Call::Connect {
            socket: "c".into(),
            remote: "10.0.0.2:80".parse().unwrap(),
            local_port: None,
        },
    )
    .unwrap();
    sim.call(
        ms(50),
        client,
        Call::Send {
            socket: "c".into(),
            bytes: 3000,
            data: None,
        },
    )
    .unwrap();
    sim.call(
        ms(100),
        server,
        Call::Recv {
            socket: "s".into(),
            max: 10_000,
        },
    )
    .unwrap();
    sim.call(ms(150), client, Call::Close { socket: "c".into() })
        .unwrap();
    sim.call(ms(200), server, Call::Close { socket: "s".into() })
        .unwrap();
    let trace = sim.run_for(Duration::from_secs(120)).unwrap();
    print!(
        "{}",
        trace.to_text(std::env::args().any(|a| a == "--timers"))
    );
    for v in tcpsim_core::check::all(&trace) {
        println!("VIOLATION {v}");
    }
}
