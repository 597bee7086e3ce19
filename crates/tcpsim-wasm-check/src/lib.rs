//! Determinism across platforms: the same seeded runs, digested natively and in wasm32.
//!
//! `digest(seed)` runs a scenario that exercises every random draw (loss, jitter, duplication,
//! reordering), ISNs, retransmission and many connections, serialises the trace to JSON and
//! hashes it with FNV-1a. `cargo xtask wasm-check` compares the digests from Node.js running the
//! wasm build with those of the native build.

use tcpsim_core::prelude::*;

/// FNV-1a, 64 bits: a fixed, platform-independent hash.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The seeds both sides digest.
pub const SEEDS: [u64; 4] = [1, 2, 42, 0xdead_beef];

/// Runs the check scenario with `seed` and returns the digest of its JSON trace.
pub fn digest(seed: u64) -> u64 {
    let mut sim = Simulator::new(SimConfig {
        seed,
        ..SimConfig::default()
    });
    let (Ok(c), Ok(s)) = (
        sim.add_host(HostSpec::new("client", [10, 0, 0, 1])),
        sim.add_host(HostSpec::new("server", [10, 0, 0, 2])),
    ) else {
        return 0;
    };
    let lossy = LinkConfig {
        latency: Duration::from_millis(20),
        jitter: Duration::from_millis(15),
        loss: 0.1,
        duplicate: 0.05,
        reorder: 0.1,
        reorder_delay: Duration::from_millis(30),
    };
    if sim.set_link_both(c, s, lossy).is_err() {
        return 0;
    }
    let ms = Instant::from_millis;
    let mut calls = vec![(
        ms(0),
        s,
        Call::Listen {
            socket: "l".into(),
            port: 80,
            backlog: 64,
        },
    )];
    for i in 0..20u64 {
        let name = format!("c{i}");
        let t = 100 * i;
        calls.push((
            ms(t),
            s,
            Call::Accept {
                listener: "l".into(),
                socket: format!("s{i}"),
            },
        ));
        calls.push((
            ms(t + 1),
            c,
            Call::Connect {
                socket: name.clone(),
                remote: "10.0.0.2:80".parse().unwrap(),
                local_port: None,
            },
        ));
        calls.push((
            ms(t + 2_000),
            c,
            Call::Send {
                socket: name.clone(),
                bytes: 5_000 + 977 * i,
                data: None,
            },
        ));
        calls.push((
            ms(t + 9_000),
            s,
            Call::Recv {
                socket: format!("s{i}"),
                max: 1 << 20,
            },
        ));
        if i % 3 != 0 {
            calls.push((ms(t + 12_000), c, Call::Close { socket: name }));
            calls.push((
                ms(t + 14_000),
                s,
                Call::Close {
                    socket: format!("s{i}"),
                },
            ));
        }
    }
    for (at, host, call) in calls {
        if sim.call(at, host, call).is_err() {
            return 0;
        }
    }
    let trace = match sim.run_for(Duration::from_secs(300)) {
        Ok(t) => t,
        Err(e) => *e.partial,
    };
    match serde_json::to_vec(&trace) {
        Ok(bytes) => fnv1a(&bytes),
        Err(_) => 0,
    }
}

/// Called from JavaScript: the digest for `seed`.
#[unsafe(no_mangle)]
pub extern "C" fn tcpsim_digest(seed: u64) -> u64 {
    digest(seed)
}
