//! The binary form of a run's inputs: what is written reads back the same, gives the same
//! trace, and no input, however damaged, makes the reader panic.

use proptest::prelude::*;
use std::net::SocketAddrV4;
use tcpsim_core::binary::DecodeError;
use tcpsim_core::call::{Reaction, ScheduledCall, SocketEvent};
use tcpsim_core::net::{ExpiredAction, Middlebox};
use tcpsim_core::prelude::*;
use tcpsim_core::repeat::{Repeat, RepeatedCall};
use tcpsim_core::setup::{CallSource, Setup};
use tcpsim_core::strategies;

fn name() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), "[a-z]{1,6}", "[^\\x00]{0,4}"]
}

fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![Just(0u64), 0..5_000_000u64, Just(u64::MAX)].prop_map(Duration::from_micros)
}

fn sockopt() -> impl Strategy<Value = SockOpt> {
    prop_oneof![
        any::<bool>().prop_map(SockOpt::LingerZero),
        any::<bool>().prop_map(SockOpt::Keepalive),
        duration().prop_map(SockOpt::KeepIdle),
        duration().prop_map(SockOpt::KeepIntvl),
        any::<u32>().prop_map(SockOpt::KeepCnt),
        duration().prop_map(SockOpt::UserTimeout),
    ]
}

/// Every kind of call, with every kind of option.
fn call() -> impl Strategy<Value = Call> {
    let addr = (any::<u32>(), any::<u16>()).prop_map(|(ip, p)| SocketAddrV4::new(ip.into(), p));
    prop_oneof![
        (name(), any::<u16>(), any::<u32>()).prop_map(|(socket, port, backlog)| Call::Listen {
            socket,
            port,
            backlog
        }),
        (name(), addr, any::<Option<u16>>()).prop_map(|(socket, remote, local_port)| {
            Call::Connect {
                socket,
                remote,
                local_port,
            }
        }),
        (name(), name()).prop_map(|(listener, socket)| Call::Accept { listener, socket }),
        (name(), any::<u64>()).prop_map(|(socket, bytes)| Call::send(socket, bytes)),
        (name(), proptest::collection::vec(any::<u8>(), 0..40))
            .prop_map(|(socket, data)| Call::send_data(socket, data)),
        (name(), any::<u64>()).prop_map(|(socket, max)| Call::Recv { socket, max }),
        name().prop_map(|socket| Call::Close { socket }),
        (
            name(),
            prop_oneof![
                Just(ShutdownHow::Read),
                Just(ShutdownHow::Write),
                Just(ShutdownHow::Both)
            ]
        )
            .prop_map(|(socket, how)| Call::Shutdown { socket, how }),
        name().prop_map(|socket| Call::Abort { socket }),
        (name(), sockopt()).prop_map(|(socket, option)| Call::SetOption { socket, option }),
        Just(Call::Crash),
        Just(Call::Restart),
    ]
}

fn setup() -> impl Strategy<Value = Setup> {
    let host = (
        name(),
        any::<u32>(),
        any::<u32>(),
        any::<bool>(),
        any::<(u16, u16)>(),
    )
        .prop_map(|(name, addr, fd, own_tcp, ports)| HostSpec {
            name,
            addr: addr.into(),
            fd_limit: fd,
            tcp: own_tcp.then(|| {
                let mut t = TcpConfig::rfc9293();
                t.fin_timeout = Some(Duration::from_secs(7));
                t.keepalive.enabled = true;
                t
            }),
            ephemeral_ports: ports,
        });
    let middlebox =
        (any::<(u32, u32)>(), duration(), any::<bool>()).prop_map(|(b, d, reset)| Middlebox {
            between: (HostId(b.0), HostId(b.1)),
            idle_timeout: d,
            on_expired: if reset {
                ExpiredAction::Reset
            } else {
                ExpiredAction::Drop
            },
        });
    let repeat = (
        any::<u64>(),
        duration(),
        any::<u64>(),
        prop::collection::vec(
            (duration(), any::<u32>(), call(), reaction()).prop_map(|(after, host, call, on)| {
                RepeatedCall {
                    after,
                    host: HostId(host),
                    call,
                    on,
                }
            }),
            0..3,
        ),
    )
        .prop_map(|(start, every, count, calls)| Repeat {
            start: Instant::from_micros(start),
            every,
            count,
            calls,
        });
    let scheduled =
        (any::<u64>(), any::<u32>(), call(), reaction()).prop_map(|(at, host, call, on)| {
            ScheduledCall {
                at: Instant::from_micros(at),
                host: HostId(host),
                call,
                on,
            }
        });
    (
        (
            any::<u64>(),
            strategies::tcp_config(),
            strategies::link_config(0.5),
        ),
        (
            any::<u64>(),
            duration(),
            any::<u32>(),
            duration(),
            any::<u64>(),
        ),
        prop::collection::vec(host, 0..4),
        prop::collection::vec(
            (any::<u32>(), any::<u32>(), strategies::link_config(1.0))
                .prop_map(|(a, b, l)| (HostId(a), HostId(b), l)),
            0..3,
        ),
        prop::collection::vec(strategies::fault_rule(), 0..3),
        prop::collection::vec(middlebox, 0..2),
        (
            prop::collection::vec(scheduled, 0..20),
            prop::collection::vec(repeat, 0..3),
        ),
    )
        .prop_map(
            |(
                (seed, tcp, default_link),
                (max_events, max_duration, max_sockets, duration, max_memory),
                hosts,
                links,
                faults,
                middleboxes,
                (calls, repeats),
            )| Setup {
                cfg: SimConfig {
                    seed,
                    tcp,
                    default_link,
                    max_events,
                    max_duration,
                    max_sockets,
                    max_memory,
                },
                duration,
                hosts,
                links,
                faults,
                middleboxes,
                calls,
                repeats,
            },
        )
}

proptest! {
    #[test]
    fn what_is_written_reads_back_the_same(s in setup()) {
        let bytes = s.encode();
        prop_assert_eq!(Setup::decode(&bytes), Ok(s));
    }

    #[test]
    fn a_truncated_setup_is_an_error_never_a_panic(s in setup(), cut in any::<prop::sample::Index>()) {
        let bytes = s.encode();
        let cut = cut.index(bytes.len());
        prop_assert!(Setup::decode(&bytes[..cut]).is_err());
    }

    #[test]
    fn damaged_bytes_never_make_the_reader_panic(
        s in setup(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = s.encode();
        for (i, b) in flips {
            let i = i.index(bytes.len());
            bytes[i] = b;
        }
        // Reading may succeed (a flipped number is still a number); it must not panic.
        let _ = Setup::decode(&bytes);
    }

    #[test]
    fn any_bytes_after_the_header_never_make_the_reader_panic(tail in prop::collection::vec(any::<u8>(), 0..200)) {
        let mut bytes = b"TSIM\x02".to_vec();
        bytes.extend(tail);
        let _ = Setup::decode(&bytes);
    }
}

/// A two-host handshake and close, as a setup.
fn handshake() -> Setup {
    let ms = Instant::from_millis;
    let call = |at, host, call| ScheduledCall::at(at, HostId(host), call);
    Setup {
        cfg: SimConfig::default(),
        duration: Duration::from_secs(120),
        hosts: vec![
            HostSpec::new("client", [10, 0, 0, 1]),
            HostSpec::new("server", [10, 0, 0, 2]),
        ],
        links: vec![(
            HostId(0),
            HostId(1),
            LinkConfig::latency(Duration::from_millis(10)),
        )],
        faults: vec![],
        middleboxes: vec![],
        calls: vec![
            call(
                ms(0),
                1,
                Call::Listen {
                    socket: "l".into(),
                    port: 80,
                    backlog: 128,
                },
            ),
            call(
                ms(0),
                1,
                Call::Accept {
                    listener: "l".into(),
                    socket: "s".into(),
                },
            ),
            call(
                ms(1),
                0,
                Call::Connect {
                    socket: "c".into(),
                    remote: "10.0.0.2:80".parse().unwrap(),
                    local_port: None,
                },
            ),
            call(ms(100), 0, Call::Close { socket: "c".into() }),
            call(ms(200), 1, Call::Close { socket: "s".into() }),
        ],
        repeats: vec![],
    }
}

#[test]
fn a_setup_read_back_runs_to_the_same_trace() {
    let s = handshake();
    let direct = s.clone().simulator().unwrap().run_for(s.duration).unwrap();
    let read = Setup::decode(&s.encode()).unwrap();
    let again = read
        .clone()
        .simulator()
        .unwrap()
        .run_for(read.duration)
        .unwrap();
    assert_eq!(direct, again);
    assert_eq!(direct.events.len(), again.events.len());
    assert!(direct.events.len() > 10);
}

#[test]
fn the_reader_says_where_and_what() {
    assert_eq!(
        Setup::decode(b"PK\x03\x04"),
        Err(DecodeError {
            at: 0,
            expected: "the tcpsim header"
        })
    );
    // The message names the version this build writes.
    let version = Setup::default().encode()[4];
    assert_eq!(
        Setup::decode(b"TSIM\x09"),
        Err(DecodeError {
            at: 4,
            expected: format!("format version {version}").leak()
        })
    );
    let mut bytes = handshake().encode();
    bytes.push(0);
    let e = Setup::decode(&bytes).unwrap_err();
    assert_eq!((e.at, e.expected), (bytes.len() - 1, "the end of the data"));
    assert!(
        e.to_string()
            .starts_with(&format!("byte {}: expected the end of the data", e.at))
    );
}

#[test]
fn a_call_that_cannot_be_scheduled_is_named_by_its_index() {
    let mut s = handshake();
    s.calls[3].host = HostId(7);
    let e = s.simulator().err().unwrap();
    assert_eq!(e.call, Some(CallSource::Call(3)));
}

#[test]
fn a_huge_length_is_refused_before_anything_is_allocated() {
    // A call list claiming 2^63 entries in a few bytes.
    let mut bytes = handshake().encode();
    let calls_at = bytes.len()
        - handshake()
            .calls
            .iter()
            .map(|c| {
                let one = Setup {
                    calls: vec![c.clone()],
                    ..Setup::default()
                }
                .encode();
                one.len() - Setup::default().encode().len()
            })
            .sum::<usize>()
        - 2; // the calls' length, and the empty list of repeats after them
    bytes.truncate(calls_at);
    bytes.extend([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    let e = Setup::decode(&bytes).unwrap_err();
    assert_eq!(
        (e.at, e.expected),
        (bytes.len(), "a length that fits the data")
    );
}

/// A server that accepts `n{i}` and a client that connects `c{i}`, sends and never closes,
/// every `every` ms; as a repeat, and as the calls it stands for, written out by hand.
/// No reaction, or a reaction to any event (an errno or none), with a delay.
fn reaction() -> impl Strategy<Value = Option<Reaction>> {
    let event = prop_oneof![
        (0usize..SocketEvent::ALL.len()).prop_map(|i| SocketEvent::ALL[i]),
        (0usize..Errno::ALL.len()).prop_map(|i| SocketEvent::Error(Some(Errno::ALL[i]))),
    ];
    prop::option::of((event, duration()).prop_map(|(event, delay)| Reaction { event, delay }))
}

fn leaky(every: u64, count: u64, duration: Duration) -> (Setup, Setup) {
    let ms = Duration::from_millis;
    let template = vec![
        RepeatedCall {
            after: ms(0),
            host: HostId(1),
            call: Call::Accept {
                listener: "l".into(),
                socket: "n{i}".into(),
            },
            on: None,
        },
        RepeatedCall {
            after: ms(0),
            host: HostId(0),
            call: Call::Connect {
                socket: "c{i}".into(),
                remote: "10.0.0.2:80".parse().unwrap(),
                local_port: None,
            },
            on: None,
        },
        RepeatedCall {
            after: ms(30),
            host: HostId(0),
            call: Call::Send {
                socket: "c{i}".into(),
                bytes: 100,
                data: None,
            },
            on: None,
        },
        RepeatedCall {
            after: ms(60),
            host: HostId(1),
            call: Call::Close {
                socket: "n{i}".into(),
            },
            on: None,
        },
    ];
    let mut base = handshake();
    base.duration = duration;
    base.calls.truncate(1); // the listener
    let mut repeated = base.clone();
    repeated.repeats = vec![Repeat {
        start: Instant::from_millis(5),
        every: ms(every),
        count,
        calls: template.clone(),
    }];
    let end = Instant::ZERO + duration;
    let mut written = base;
    for i in 0..count {
        for c in &template {
            let at = Instant::from_millis(5 + i * every) + c.after;
            if at <= end {
                written.calls.push(ScheduledCall {
                    at,
                    host: c.host,
                    call: c.call.map_names(|n| n.replace("{i}", &i.to_string())),
                    on: c.on,
                });
            }
        }
    }
    // Stable: calls at the same time keep the order written.
    written.calls.sort_by_key(|c| c.at);
    (repeated, written)
}

fn run(s: &Setup) -> tcpsim_core::trace::Trace {
    s.clone().simulator().unwrap().run_for(s.duration).unwrap()
}

#[test]
fn a_repeat_runs_as_the_calls_it_stands_for_and_stays_small() {
    let (repeated, written) = leaky(40, 50, Duration::from_secs(30));
    assert_eq!(written.calls.len(), 1 + 50 * 4);
    let (a, b) = (run(&repeated), run(&written));
    assert_eq!(a, b);
    assert_eq!(a.calls.len(), 201);
    // Repetitions overlap (every 40 ms, each lasting 60 ms) and ids still follow time.
    assert!(a.calls.windows(2).all(|w| w[0].at <= w[1].at));
    assert!(matches!(&a.calls[200].call, Call::Close { socket } if socket == "n49"));
    let (small, large) = (repeated.encode().len(), written.encode().len());
    assert!(small * 5 < large, "{small} vs {large} bytes");
    let read = Setup::decode(&repeated.encode()).unwrap();
    assert_eq!(read, repeated);
}

#[test]
fn repeated_calls_after_the_end_are_left_out() {
    // Repetition i starts at 5 + 40 i ms and closes 60 ms later; the run ends at 1 s.
    let (repeated, written) = leaky(40, 1000, Duration::from_secs(1));
    let (a, b) = (run(&repeated), run(&written));
    assert_eq!(a, b);
    // 25 repetitions begin within the run (5 + 40 * 24 = 965 ms <= 1000 ms); the last one's
    // close (at 1025 ms) is left out.
    assert_eq!(a.calls.len(), 1 + 25 * 4 - 1);
    assert!(a.calls.iter().all(|c| c.at <= Instant::from_secs(1)));
}

#[test]
fn a_hostile_repeat_meets_the_event_limit_instead_of_filling_the_memory() {
    // Four calls, all at 5 ms, repeated 4.6e18 times.
    let (mut repeated, _) = leaky(0, 1, Duration::from_secs(1));
    repeated.repeats[0].count = u64::MAX / 4;
    repeated.cfg.max_events = 10_000;
    let sim = repeated.simulator().unwrap();
    // Calls are made as the run reaches them; it stops at its limit.
    assert!(sim.trace().calls.is_empty());
    let e = sim.run_for(Duration::from_secs(1)).unwrap_err();
    assert!(
        matches!(e.error, SimError::EventLimit { limit: 10_000, .. }),
        "{e}"
    );
    let calls = e.partial.calls.len();
    assert!((9_000..=10_001).contains(&calls), "{calls} calls");
    // A repeat with no calls, repeated forever, is nothing to do.
    let (mut empty, _) = leaky(0, 1, Duration::from_secs(1));
    empty.repeats[0].count = u64::MAX;
    empty.repeats[0].calls.clear();
    assert_eq!(
        empty
            .simulator()
            .unwrap()
            .run_for(Duration::from_secs(1))
            .unwrap()
            .calls
            .len(),
        1
    );
    // Counts whose calls positions cannot number are refused.
    let (mut huge, _) = leaky(1, 1, Duration::from_secs(1));
    huge.repeats[0].count = u64::MAX;
    let e = huge.simulator().err().unwrap();
    assert_eq!(e.call, None);
    assert!(e.to_string().contains("repeat fewer times"), "{e}");
}

#[test]
fn a_repeated_call_that_cannot_be_scheduled_is_named_by_its_place() {
    let (mut repeated, _) = leaky(40, 3, Duration::from_secs(1));
    repeated.repeats[0].calls[2].host = HostId(9);
    let e = repeated.simulator().err().unwrap();
    assert_eq!(
        e.call,
        Some(CallSource::Repeat {
            repeat: 0,
            call: 2,
            index: 0
        })
    );
}
