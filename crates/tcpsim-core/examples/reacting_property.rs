//! A property test over a reacting application: whatever the network does, a server that
//! closes when its client has finished (`on = eof`) is never left in CLOSE-WAIT. Delete the
//! server's close and proptest shrinks to the simplest network that leaks.
//! `cargo run -p tcpsim-core --features proptest --example reacting_property`
use tcpsim_core::call::{Reaction, SocketEvent::*};
use tcpsim_core::prelude::*;
use tcpsim_core::strategies::proptest::{prelude::*, test_runner::TestRunner};
use tcpsim_core::strategies::{LinkRanges, link};

// One call a line, so the whole application reads as a script.
#[rustfmt::skip]
fn main() {
    let network = (link(LinkRanges::default()), any::<u64>());
    let config = ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(200) };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&network, |(path, seed)| {
        let mut sim = Simulator::new(SimConfig { seed, ..SimConfig::default() });
        let c = sim.add_host(HostSpec::new("client", [10, 0, 0, 1])).unwrap();
        let s = sim.add_host(HostSpec::new("server", [10, 0, 0, 2])).unwrap();
        sim.set_link_both(c, s, path).unwrap();
        let (t, name) = (Instant::ZERO, |n: &str| n.to_string());
        let on = |e| Reaction::on(e);
        sim.call(t, s, Call::Listen { socket: name("l"), port: 80, backlog: 8 }).unwrap();
        sim.call(t, s, Call::Accept { listener: name("l"), socket: name("s") }).unwrap();
        let to = "10.0.0.2:80".parse().unwrap();
        sim.call(t, c, Call::Connect { socket: name("c"), remote: to, local_port: None }).unwrap();
        sim.call_on(t, c, on(Connected), Call::send(name("c"), 300)).unwrap();
        sim.call_on(t, s, on(Readable), Call::Recv { socket: name("s"), max: 300 }).unwrap();
        sim.call_on(t, s, on(Readable), Call::send(name("s"), 1000)).unwrap();
        sim.call_on(t, c, on(Readable), Call::Recv { socket: name("c"), max: 1000 }).unwrap();
        sim.call_on(t, c, on(Readable), Call::Close { socket: name("c") }).unwrap();
        sim.call_on(t, s, on(Eof), Call::Close { socket: name("s") }).unwrap();
        let trace = sim.run_for(Duration::from_secs(600)).unwrap();
        let server = trace.socket_by_label(s, "s");
        let left = server.and_then(|id| trace.final_state(id));
        prop_assert_ne!(left, Some(State::CloseWait), "{}", trace.to_text(false));
        Ok(())
    });
    result.expect("the server never leaks a connection");
    println!("200 networks, no CLOSE-WAIT left on the server");
}

#[test]
fn the_example_holds() {
    main();
}
