//! Applications that react: calls that wait for an event on their socket instead of a time,
//! so that a story stays true when the latency or the loss changes.

use tcpsim_core::call::{NotMade, Reaction, SocketEvent};
use tcpsim_core::check;
use tcpsim_core::prelude::*;
use tcpsim_core::strategies::proptest::prelude::*;
use tcpsim_core::strategies::{LinkRanges, link};
use tcpsim_core::trace::EventKind;

mod common;
use common::{close, connect, hosts, ms, pair, recv, send};

fn on(event: SocketEvent) -> Reaction {
    Reaction::on(event)
}

/// When each call was made (its `Call` event), by call id; `None` if it never was.
fn made_at(trace: &Trace, id: CallId) -> Option<Instant> {
    trace.events.iter().find_map(|e| match e.kind {
        EventKind::Call { call_id, .. } if call_id == id => Some(e.t),
        _ => None,
    })
}

/// The HTTP/1.0 exchange as reactions: the client sends its request when connected; the server
/// reads it and answers when it is readable, then closes; the client reads everything and
/// closes at the end of the stream.
fn http10(sim: &mut Simulator, c: HostId, s: HostId) -> [CallId; 6] {
    [
        sim.call_on(ms(1), c, on(SocketEvent::Connected), send("c", 300)),
        sim.call_on(ms(0), s, on(SocketEvent::Readable), recv("s")),
        sim.call_on(ms(0), s, on(SocketEvent::Readable), send("s", 2_000)),
        sim.call_on(ms(0), s, on(SocketEvent::Readable), close("s")),
        sim.call_on(ms(1), c, on(SocketEvent::Eof), recv("c")),
        sim.call_on(ms(1), c, on(SocketEvent::Eof), close("c")),
    ]
    .map(Result::unwrap)
}

#[test]
fn the_request_goes_when_connect_returns_whatever_the_latency() {
    for latency in [1, 10, 250] {
        let link = LinkConfig::latency(Duration::from_millis(latency));
        let (mut sim, c, s) = pair(link, TcpConfig::linux(), 1);
        let ids = http10(&mut sim, c, s);
        let trace = sim.run_for(Duration::from_secs(10)).unwrap();
        // The SYN leaves at 1 ms; the handshake takes one round trip.
        let connected = ms(1 + 2 * latency);
        assert_eq!(made_at(&trace, ids[0]), Some(connected), "{latency} ms");
        // The server reads and answers when the request arrives, half a round trip later.
        let arrives = connected + Duration::from_millis(latency);
        for id in &ids[1..4] {
            assert_eq!(made_at(&trace, *id), Some(arrives), "{latency} ms");
        }
        // Nothing is refused or thrown away: the client reads all 2 000 bytes, then closes.
        let client = trace.socket_by_label(c, "c").unwrap();
        let read: Vec<CallResult> = trace
            .events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::Call {
                    call_id,
                    result: Some(r),
                    ..
                } if call_id == ids[4] => Some(r),
                _ => None,
            })
            .collect();
        assert_eq!(read, [CallResult::Bytes(2_000)], "{latency} ms");
        assert_eq!(trace.errors_of(client), []);
        let server = trace.socket_by_label(s, "s").unwrap();
        assert_eq!(
            trace.states_of(server),
            [
                State::Listen,
                State::SynReceived,
                State::Established,
                State::FinWait1,
                State::FinWait2,
                State::TimeWait
            ],
            "{latency} ms"
        );
        assert_eq!(
            trace.final_state(client),
            Some(State::Closed),
            "{latency} ms"
        );
        assert!(check::all(&trace).is_empty(), "{:#?}", check::all(&trace));
    }
}

#[test]
fn an_event_that_already_holds_makes_the_call_at_once_after_its_delay() {
    let link = LinkConfig::latency(Duration::from_millis(10));
    let (mut sim, c, s) = pair(link, TcpConfig::linux(), 1);
    sim.call(ms(100), s, close("s")).unwrap();
    // The server's FIN arrives at 110 ms; this close starts waiting at 500 ms, 50 ms delay.
    let late = sim
        .call_on(
            ms(500),
            c,
            Reaction::after(SocketEvent::Eof, Duration::from_millis(50)),
            close("c"),
        )
        .unwrap();
    let trace = sim.run_for(Duration::from_secs(5)).unwrap();
    assert_eq!(made_at(&trace, late), Some(ms(550)));
    let client = trace.socket_by_label(c, "c").unwrap();
    assert_eq!(trace.state_at(client, ms(549)), Some(State::CloseWait));
    assert_eq!(trace.state_at(client, ms(550)), Some(State::LastAck));
}

#[test]
fn a_call_whose_event_never_comes_is_in_the_trace_with_why() {
    // Nothing listens on port 81: the connection is refused.
    let (mut sim, c, s) = hosts(SimConfig::default());
    sim.call(ms(0), c, connect("c", "10.0.0.2:81")).unwrap();
    let refused = sim
        .call_on(ms(0), c, on(SocketEvent::Connected), send("c", 1))
        .unwrap();
    let reset = sim
        .call_on(ms(0), c, on(SocketEvent::Error(None)), close("c"))
        .unwrap();
    let nameless = sim
        .call_on(ms(0), s, on(SocketEvent::Readable), recv("nobody"))
        .unwrap();
    let trace = sim.run_for(Duration::from_secs(1)).unwrap();
    let not_made: Vec<(CallId, NotMade, Instant)> = trace
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::CallNotMade { call_id, why, .. } => Some((call_id, why, e.t)),
            _ => None,
        })
        .collect();
    let end = ms(1_000);
    assert_eq!(
        not_made,
        [
            (refused, NotMade::ConnectionEnded, end),
            (nameless, NotMade::NoSocket, end)
        ]
    );
    // The reaction to the error was made when the RST came back.
    assert_eq!(made_at(&trace, reset), Some(ms(20)));
    let text = trace.to_text(false);
    assert!(
        text.contains(
            "client never calls send on c: waited for connected, the connection ended without it"
        ),
        "{text}"
    );
    // Still waiting when the run ends.
    let (mut sim, c, _) = pair(LinkConfig::default(), TcpConfig::linux(), 1);
    let waiting = sim
        .call_on(ms(1), c, on(SocketEvent::Eof), close("c"))
        .unwrap();
    let trace = sim.run_for(Duration::from_secs(1)).unwrap();
    assert!(trace.events.iter().any(|e| matches!(
        e.kind,
        EventKind::CallNotMade { call_id, why: NotMade::RunEnded, .. } if call_id == waiting
    )));
}

#[test]
fn a_host_event_cannot_wait_for_a_socket() {
    let (mut sim, c, _) = pair(LinkConfig::default(), TcpConfig::linux(), 1);
    let err = sim
        .call_on(ms(0), c, on(SocketEvent::Closed), Call::Crash)
        .unwrap_err();
    assert!(matches!(err, SimError::InvalidConfig(_)), "{err}");
}

/// Long enough to get through any loss below 50 % (61 transmissions of each segment before
/// giving up, a lost one at most 5 s later: at 49 % loss each way, a round trip gets through one
/// time in four, and 61 fail together about once in 10^8), no FIN-WAIT-2 timeout, and a
/// TIME-WAIT that outlasts the peer's retransmissions of its FIN (with Linux's 60 s, a run of
/// lost ACKs ends the closer's TIME-WAIT before the last FIN gets through, and the listener
/// resets it).
fn patient() -> TcpConfig {
    TcpConfig {
        time_wait: Duration::from_secs(600),
        syn_retries: 60,
        synack_retries: 60,
        retries2: 60,
        orphan_retries: 60,
        rto_max: Duration::from_secs(5),
        fin_timeout: None,
        ..TcpConfig::linux()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the latency, jitter, reordering and loss (below 50 %), the reacting exchange
    /// ends in a graceful close: every call made, no error, no abort, both ends CLOSED.
    #[test]
    fn the_reacting_four_way_close_always_finishes_gracefully(
        seed in any::<u64>(),
        there in link(LinkRanges { loss: 0.0..=0.49, duplicate: 0.0..=0.0, ..LinkRanges::default() }),
        back in link(LinkRanges { loss: 0.0..=0.49, duplicate: 0.0..=0.0, ..LinkRanges::default() }),
    ) {
        let (mut sim, c, s) = pair(there.clone(), patient(), seed);
        sim.set_link(s, c, back).unwrap();
        let ids = http10(&mut sim, c, s);
        let trace = sim.run_for(Duration::from_secs(3 * 3_600)).unwrap();
        for id in ids {
            prop_assert!(made_at(&trace, id).is_some(), "call {id:?} not made\n{}", trace.to_text(false));
        }
        let client = trace.socket_by_label(c, "c").unwrap();
        let server = trace.socket_by_label(s, "s").unwrap();
        for sock in [client, server] {
            prop_assert_eq!(trace.errors_of(sock), []);
            prop_assert_eq!(trace.final_state(sock), Some(State::Closed));
        }
        // No end aborts: a reset, if any, answers a late duplicate that reached an end already
        // gone (and may end the other's TIME-WAIT early, as Linux allows: RFC 1337).
        let aborts = trace.events.iter().filter(|e| matches!(e.kind, EventKind::SegmentSent { id, reason, .. }
            if reason != SendReason::RstNoSocket
                && trace.segment(id).is_some_and(|seg| seg.flags.rst()))).count();
        prop_assert_eq!(aborts, 0, "{}", trace.to_text(false));
        prop_assert!(check::all(&trace).is_empty());
    }
}

/// The HTTP/1.0 exchange of [`http10`], as application logic the simulator calls.
struct Http10 {
    told: Vec<(Instant, String, SocketEvent)>,
}

impl tcpsim_core::app::Application for Http10 {
    fn on_event(
        &mut self,
        e: &tcpsim_core::app::AppEvent<'_>,
        calls: &mut tcpsim_core::app::AppCalls,
    ) {
        self.told.push((e.at, e.name.to_string(), e.event));
        match (e.name, e.event) {
            ("c", SocketEvent::Connected) => calls.call(e.host, send("c", 300)),
            ("s", SocketEvent::Readable) => {
                calls.call(e.host, recv("s"));
                calls.call(e.host, send("s", 2_000));
                calls.call(e.host, close("s"));
            }
            ("c", SocketEvent::Eof) => {
                calls.call(e.host, recv("c"));
                calls.call(e.host, close("c"));
            }
            _ => {}
        }
    }
}

/// What went over the wire: when, which flags, how many bytes.
fn wire(trace: &Trace) -> Vec<(Instant, String, u32)> {
    trace
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::SegmentSent { id, .. } => {
                let seg = trace.segment(id)?;
                Some((e.t, seg.flags.to_string(), seg.len))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn application_logic_drives_the_same_exchange_as_reactions() {
    let link = LinkConfig {
        jitter: Duration::from_millis(3),
        loss: 0.2,
        ..LinkConfig::latency(Duration::from_millis(20))
    };
    for seed in 1..20 {
        let (mut sim, c, s) = pair(link.clone(), patient(), seed);
        http10(&mut sim, c, s);
        let reacting = sim.run_for(Duration::from_secs(900)).unwrap();
        let (sim, _, _) = pair(link.clone(), patient(), seed);
        let mut app = Http10 { told: Vec::new() };
        let driven = sim.run_with(ms(900_000), &mut app).unwrap();
        assert_eq!(wire(&driven), wire(&reacting), "seed {seed}");
        assert_eq!(driven.end, reacting.end);
        // Each event was told once as it started to hold, in time order.
        let names: Vec<(&str, SocketEvent)> =
            app.told.iter().map(|(_, n, e)| (n.as_str(), *e)).collect();
        for want in [
            ("c", SocketEvent::Connected),
            ("s", SocketEvent::Accepted),
            ("s", SocketEvent::Readable),
            ("c", SocketEvent::Eof),
        ] {
            let n = names.iter().filter(|x| **x == want).count();
            assert_eq!(n, 1, "seed {seed}: {want:?} told {n} times: {names:?}");
        }
        // The server closed `s` when it answered: nothing after that is told of it.
        assert!(
            !names.contains(&("s", SocketEvent::Eof)),
            "seed {seed}: {names:?}"
        );
        assert!(app.told.windows(2).all(|w| w[0].0 <= w[1].0));
    }
}

/// A keep-alive client with one pooled connection: it sends a request, reads the whole
/// response, sends the next one, and after the last closes; the server answers each whole
/// request and closes when the client has finished.
struct Pooled {
    requests: u32,
    sent: u32,
    /// Bytes read so far, by each side.
    client_read: u64,
    server_read: u64,
}

const REQUEST: u64 = 300;
const RESPONSE: u64 = 2_000;

impl tcpsim_core::app::Application for Pooled {
    fn on_event(
        &mut self,
        e: &tcpsim_core::app::AppEvent<'_>,
        calls: &mut tcpsim_core::app::AppCalls,
    ) {
        match (e.name, e.event) {
            ("pool", SocketEvent::Connected) => {
                self.sent = 1;
                calls.call(e.host, send("pool", REQUEST));
            }
            ("s" | "pool", SocketEvent::Readable) => calls.call(e.host, recv(e.name)),
            ("s", SocketEvent::Eof) => calls.call(e.host, close("s")),
            _ => {}
        }
    }

    fn on_return(
        &mut self,
        r: &tcpsim_core::app::AppReturn<'_>,
        calls: &mut tcpsim_core::app::AppCalls,
    ) {
        let (Call::Recv { socket, .. }, CallResult::Bytes(n)) = (r.call, r.result) else {
            return;
        };
        let h = r.host;
        if socket == "s" {
            // Answer every request now complete.
            let before = self.server_read / REQUEST;
            self.server_read += u64::from(n);
            for _ in before..self.server_read / REQUEST {
                calls.call(h, send("s", RESPONSE));
            }
        } else {
            self.client_read += u64::from(n);
            if self.client_read == u64::from(self.sent) * RESPONSE {
                if self.sent < self.requests {
                    self.sent += 1;
                    calls.call_after(Duration::from_millis(100), h, send("pool", REQUEST));
                } else {
                    calls.call(h, close("pool"));
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The pooled client, over any network with loss below 50 %: every request answered in
    /// full, one connection, and both ends CLOSED without an error.
    #[test]
    fn the_pooled_client_always_finishes_gracefully(
        seed in any::<u64>(),
        requests in 1u32..8,
        there in link(LinkRanges { loss: 0.0..=0.49, duplicate: 0.0..=0.0, ..LinkRanges::default() }),
        back in link(LinkRanges { loss: 0.0..=0.49, duplicate: 0.0..=0.0, ..LinkRanges::default() }),
    ) {
        let (mut sim, c, s) = hosts(SimConfig { seed, tcp: patient(), ..SimConfig::default() });
        sim.set_link(c, s, there).unwrap();
        sim.set_link(s, c, back).unwrap();
        sim.call(ms(0), s, Call::Listen { socket: "l".into(), port: 80, backlog: 8 }).unwrap();
        sim.call(ms(0), s, Call::Accept { listener: "l".into(), socket: "s".into() }).unwrap();
        sim.call(ms(0), c, connect("pool", "10.0.0.2:80")).unwrap();
        let mut app = Pooled { requests, sent: 0, client_read: 0, server_read: 0 };
        let trace = sim.run_with(ms(6 * 3_600_000), &mut app).unwrap();
        prop_assert_eq!(app.sent, requests);
        prop_assert_eq!(app.client_read, u64::from(requests) * RESPONSE);
        prop_assert_eq!(app.server_read, u64::from(requests) * REQUEST);
        let pool = trace.socket_by_label(c, "pool").unwrap();
        let server = trace.socket_by_label(s, "s").unwrap();
        prop_assert_eq!(trace.sockets.len(), 3, "one listener, one connection");
        for sock in [pool, server] {
            prop_assert_eq!(trace.errors_of(sock), []);
            prop_assert_eq!(trace.final_state(sock), Some(State::Closed));
        }
        prop_assert!(check::all(&trace).is_empty());
    }
}

#[test]
fn a_run_driven_by_an_application_keeps_the_run_limits() {
    struct Idle;
    impl tcpsim_core::app::Application for Idle {
        fn on_event(
            &mut self,
            _: &tcpsim_core::app::AppEvent<'_>,
            _: &mut tcpsim_core::app::AppCalls,
        ) {
        }
    }
    let (sim, _, _) = hosts(SimConfig {
        max_duration: Duration::from_secs(60),
        ..SimConfig::default()
    });
    let err = sim.run_with(ms(61_000), &mut Idle).unwrap_err();
    assert!(
        matches!(err.error, SimError::DurationLimit { .. }),
        "{}",
        err.error
    );
}
