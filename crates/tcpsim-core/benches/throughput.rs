//! Simulation throughput: segment events (sent + delivered) per second on many-connection runs.
//!
//! `cargo xtask bench`. The figures go in the issue notes; no test asserts a time.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use tcpsim_core::prelude::*;

/// `conns` clients each open a connection, send a request, read the response; half close
/// properly, half leak (never close), as in the http-client-leak lesson.
fn many_connections(conns: u64, request: u64, response: u64) -> Simulator {
    let mut sim = Simulator::new(SimConfig {
        seed: 9,
        ..SimConfig::default()
    });
    let c = sim
        .add_host(HostSpec::new("client", [10, 0, 0, 1]).fd_limit(u32::MAX))
        .unwrap();
    let s = sim
        .add_host(HostSpec::new("server", [10, 0, 0, 2]).fd_limit(u32::MAX))
        .unwrap();
    sim.set_link_both(c, s, LinkConfig::latency(Duration::from_millis(5)))
        .unwrap();
    sim.call(
        Instant::ZERO,
        s,
        Call::Listen {
            socket: "l".into(),
            port: 80,
            backlog: 4096,
        },
    )
    .unwrap();
    let remote = "10.0.0.2:80".parse().unwrap();
    for i in 0..conns {
        let t = Instant::from_millis(i * 3);
        let (cn, sn) = (format!("c{i}"), format!("s{i}"));
        sim.call(
            t,
            s,
            Call::Accept {
                listener: "l".into(),
                socket: sn.clone(),
            },
        )
        .unwrap();
        sim.call(
            t,
            c,
            Call::Connect {
                socket: cn.clone(),
                remote,
                local_port: None,
            },
        )
        .unwrap();
        sim.call(
            t + Duration::from_millis(20),
            c,
            Call::Send {
                socket: cn.clone(),
                bytes: request,
                data: None,
            },
        )
        .unwrap();
        sim.call(
            t + Duration::from_millis(40),
            s,
            Call::Recv {
                socket: sn.clone(),
                max: u64::MAX,
            },
        )
        .unwrap();
        sim.call(
            t + Duration::from_millis(40),
            s,
            Call::Send {
                socket: sn.clone(),
                bytes: response,
                data: None,
            },
        )
        .unwrap();
        sim.call(
            t + Duration::from_millis(80),
            c,
            Call::Recv {
                socket: cn.clone(),
                max: u64::MAX,
            },
        )
        .unwrap();
        sim.call(t + Duration::from_secs(5), s, Call::Close { socket: sn })
            .unwrap();
        if i % 2 == 0 {
            sim.call(t + Duration::from_secs(6), c, Call::Close { socket: cn })
                .unwrap();
        }
    }
    sim
}

fn segment_events(trace: &Trace) -> u64 {
    trace.stats.segments_sent + trace.stats.segments_delivered
}

fn bench(c: &mut Criterion) {
    // Measure the workload once to label throughput in segment events.
    for (name, conns, req, resp) in [
        ("1000_conns_small", 1_000, 300, 2_000),
        ("200_conns_bulk", 200, 300, 200_000),
    ] {
        let trace = many_connections(conns, req, resp)
            .run_for(Duration::from_secs(600))
            .unwrap();
        let events = segment_events(&trace);
        let mut g = c.benchmark_group("simulate");
        g.throughput(Throughput::Elements(events));
        g.sample_size(20);
        g.bench_function(name, |b| {
            b.iter_batched(
                || many_connections(conns, req, resp),
                |sim| black_box(sim.run_for(Duration::from_secs(600)).unwrap()),
                criterion::BatchSize::LargeInput,
            )
        });
        g.finish();
    }

    // The endpoint alone: processing one in-order data segment and producing its ACK.
    let mut g = c.benchmark_group("endpoint");
    g.throughput(Throughput::Elements(1));
    g.bench_function("data_segment_in_established", |b| {
        let local = "10.0.0.2:80".parse().unwrap();
        let remote: std::net::SocketAddrV4 = "10.0.0.1:40000".parse().unwrap();
        let mut ep = Endpoint::new(TcpConfig::linux(), local, 1);
        let mut out = Outputs::new();
        ep.listen(&mut out).unwrap();
        let syn = Segment {
            src: remote,
            dst: local,
            seq: SeqNum(100),
            ack: SeqNum(0),
            flags: Flags::SYN,
            wnd: 65_535,
            len: 0,
        };
        ep.on_segment(Instant::ZERO, &syn, &mut out);
        let iss = ep.iss();
        let ack = Segment {
            seq: SeqNum(101),
            ack: iss + 1,
            flags: Flags::ACK,
            ..syn
        };
        ep.on_segment(Instant::ZERO, &ack, &mut out);
        let mut seq = SeqNum(101);
        let mut now = Instant::ZERO;
        b.iter(|| {
            out.clear();
            let data = Segment {
                seq,
                len: 100,
                ..ack
            };
            ep.on_segment(now, black_box(&data), &mut out);
            let _ = ep.recv(u64::MAX, &mut out);
            seq = seq + 100;
            now += Duration::from_micros(1);
            black_box(out.items.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
