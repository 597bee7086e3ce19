//! What the core's integration tests share: a client and a server, and calls by socket name.
// Each test file uses part of it.
#![allow(dead_code)]

use tcpsim_core::prelude::*;

pub fn ms(n: u64) -> Instant {
    Instant::from_millis(n)
}

/// A simulator with a client (10.0.0.1) and a server (10.0.0.2).
pub fn hosts(cfg: SimConfig) -> (Simulator, HostId, HostId) {
    let mut sim = Simulator::new(cfg);
    let c = sim
        .add_host(HostSpec::new("client", [10, 0, 0, 1]))
        .unwrap();
    let s = sim
        .add_host(HostSpec::new("server", [10, 0, 0, 2]))
        .unwrap();
    (sim, c, s)
}

/// [`hosts`] joined by `link` both ways; the server listens on port 80 (`l`) and accepts `s`
/// at 0, the client connects `c` at 1 ms.
pub fn pair(link: LinkConfig, tcp: TcpConfig, seed: u64) -> (Simulator, HostId, HostId) {
    let (mut sim, c, s) = hosts(SimConfig {
        seed,
        tcp,
        ..SimConfig::default()
    });
    sim.set_link_both(c, s, link).unwrap();
    let listen = Call::Listen {
        socket: "l".into(),
        port: 80,
        backlog: 16,
    };
    sim.call(ms(0), s, listen).unwrap();
    let accept = Call::Accept {
        listener: "l".into(),
        socket: "s".into(),
    };
    sim.call(ms(0), s, accept).unwrap();
    sim.call(ms(1), c, connect("c", "10.0.0.2:80")).unwrap();
    (sim, c, s)
}

pub fn connect(socket: &str, to: &str) -> Call {
    Call::Connect {
        socket: socket.into(),
        remote: to.parse().unwrap(),
        local_port: None,
    }
}
pub fn send(socket: &str, bytes: u64) -> Call {
    Call::send(socket, bytes)
}
pub fn recv(socket: &str) -> Call {
    Call::Recv {
        socket: socket.into(),
        max: u64::MAX,
    }
}
pub fn close(socket: &str) -> Call {
    Call::Close {
        socket: socket.into(),
    }
}
