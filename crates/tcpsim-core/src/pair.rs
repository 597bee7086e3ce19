//! A client and a server, one connection, and what each application does: the shape most
//! property tests need. Build one by hand or draw it from `tcpsim_core::strategies` (feature
//! `proptest`), then [`PairScenario::run_for`] it.
//!
//! The server listens on 10.0.0.2:80 and calls accept() at time zero (naming the connection
//! `s`); the client connects at time zero (as `c`). Then each [`AppStep`] runs at its time.

use crate::call::Call;
use crate::config::TcpConfig;
use crate::endpoint::ShutdownHow;
use crate::id::HostId;
use crate::id::SocketId;
use crate::net::{FaultRule, LinkConfig};
use crate::sim::{HostSpec, RunError, SimConfig, Simulator};
use crate::time::{Duration, Instant};
use crate::trace::Trace;
use serde::{Deserialize, Serialize};

/// Which application acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Side {
    /// The host that connects (host 0, socket `c`).
    Client,
    /// The host that listens and accepts (host 1, socket `s`).
    Server,
}

impl Side {
    /// The side's host.
    pub const fn host(self) -> HostId {
        match self {
            Side::Client => HostId(0),
            Side::Server => HostId(1),
        }
    }
    /// The side's socket name.
    pub const fn socket(self) -> &'static str {
        match self {
            Side::Client => "c",
            Side::Server => "s",
        }
    }
}

/// What an application does to its connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AppOp {
    /// send() this many bytes.
    Send(u64),
    /// recv() up to this many bytes.
    Recv(u64),
    /// close().
    Close,
    /// shutdown(SHUT_WR).
    ShutdownWrite,
    /// Abort: reset and close.
    Abort,
}

/// One application call. `Debug` writes it on one line: `t=1.5s Client: Send(300)`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AppStep {
    /// When.
    pub at: Instant,
    /// Which application.
    pub side: Side,
    /// What it does.
    pub op: AppOp,
}

impl std::fmt::Debug for AppStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} {:?}: {:?}", self.at, self.side, self.op)
    }
}

/// A two-host scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairScenario {
    /// The run's seed.
    pub seed: u64,
    /// Both hosts' TCP parameters.
    pub tcp: TcpConfig,
    /// The link from the client to the server.
    pub client_to_server: LinkConfig,
    /// The link back.
    pub server_to_client: LinkConfig,
    /// Fault rules between the two.
    pub faults: Vec<FaultRule>,
    /// The applications' calls, in time order.
    pub steps: Vec<AppStep>,
}

impl Default for PairScenario {
    fn default() -> Self {
        PairScenario {
            seed: 1,
            tcp: TcpConfig::linux(),
            client_to_server: LinkConfig::default(),
            server_to_client: LinkConfig::default(),
            faults: Vec::new(),
            steps: Vec::new(),
        }
    }
}

impl PairScenario {
    /// The simulator, ready to run.
    pub fn build(&self) -> Result<Simulator, crate::sim::SimError> {
        let mut sim = Simulator::new(SimConfig {
            seed: self.seed,
            tcp: self.tcp.clone(),
            ..SimConfig::default()
        });
        let c = sim.add_host(HostSpec::new("client", [10, 0, 0, 1]))?;
        let s = sim.add_host(HostSpec::new("server", [10, 0, 0, 2]))?;
        sim.set_link(c, s, self.client_to_server.clone())?;
        sim.set_link(s, c, self.server_to_client.clone())?;
        for f in &self.faults {
            sim.add_fault(f.clone())?;
        }
        sim.call(
            Instant::ZERO,
            s,
            Call::Listen {
                socket: "l".into(),
                port: 80,
                backlog: 16,
            },
        )?;
        sim.call(
            Instant::ZERO,
            s,
            Call::Accept {
                listener: "l".into(),
                socket: "s".into(),
            },
        )?;
        let remote = std::net::SocketAddrV4::new([10, 0, 0, 2].into(), 80);
        sim.call(
            Instant::ZERO,
            c,
            Call::Connect {
                socket: "c".into(),
                remote,
                local_port: None,
            },
        )?;
        for step in &self.steps {
            let socket = step.side.socket().to_string();
            let call = match step.op {
                AppOp::Send(bytes) => Call::send(socket, bytes),
                AppOp::Recv(max) => Call::Recv { socket, max },
                AppOp::Close => Call::Close { socket },
                AppOp::ShutdownWrite => Call::Shutdown {
                    socket,
                    how: ShutdownHow::Write,
                },
                AppOp::Abort => Call::Abort { socket },
            };
            sim.call(step.at, step.side.host(), call)?;
        }
        Ok(sim)
    }

    /// Builds and runs for `duration`.
    pub fn run_for(&self, duration: Duration) -> Result<Trace, RunError> {
        match self.build() {
            Ok(sim) => sim.run_for(duration),
            Err(error) => Err(RunError {
                error,
                partial: Box::default(),
            }),
        }
    }

    /// The connection socket of one side in a trace of this scenario, if it was created.
    pub fn socket(trace: &Trace, side: Side) -> Option<SocketId> {
        trace.socket_by_label(side.host(), side.socket())
    }

    /// Whether `side`'s application ever calls `op`-like calls that give the socket up.
    pub fn gives_up(&self, side: Side) -> bool {
        self.steps
            .iter()
            .any(|s| s.side == side && matches!(s.op, AppOp::Close | AppOp::Abort))
    }
}
