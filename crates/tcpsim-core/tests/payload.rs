//! Real bytes: what an application sends with `data` reaches the peer's application intact, in
//! order, whatever the network does, and the trace keeps both sides.

mod common;

use common::*;
use proptest::prelude::*;
use tcpsim_core::app::{AppCalls, AppEvent, AppReturn, Application};
use tcpsim_core::call::SocketEvent;
use tcpsim_core::payload::Payload;
use tcpsim_core::prelude::*;
use tcpsim_core::strategies::{LinkRanges, link};

/// A server that answers each request line `GET <x>` with `200 <x>` and closes at the end of the
/// stream; a client that sends its requests when connected and reads until the end.
#[derive(Default)]
struct LineServer {
    /// What the server's recv()s returned, in order.
    server_read: Vec<u8>,
    /// What the client's recv()s returned, in order.
    client_read: Vec<u8>,
    requests: Vec<String>,
}

impl Application for LineServer {
    fn on_event(&mut self, e: &AppEvent<'_>, calls: &mut AppCalls) {
        match (e.name, e.event) {
            ("c", SocketEvent::Connected) => {
                for r in &self.requests {
                    calls.call(e.host, Call::send_data("c", format!("GET {r}\n")));
                }
                calls.call(
                    e.host,
                    Call::Shutdown {
                        socket: "c".into(),
                        how: ShutdownHow::Write,
                    },
                );
            }
            // Read until recv() would block; close when it returns the end of the stream.
            (name, SocketEvent::Readable | SocketEvent::Eof) => calls.call(e.host, recv(name)),
            _ => {}
        }
    }

    fn on_return(&mut self, r: &AppReturn<'_>, calls: &mut AppCalls) {
        let Call::Recv { socket, .. } = r.call else {
            return;
        };
        let n = match r.result {
            CallResult::Bytes(n) => n,
            CallResult::Eof => return calls.call(r.host, close(socket)),
            _ => return,
        };
        calls.call(r.host, recv(socket));
        let data = r
            .data
            .expect("a recv() of a stream with real bytes reads them");
        assert_eq!(data.len() as u32, n);
        if socket == "c" {
            self.client_read.extend_from_slice(data);
            return;
        }
        let before = self.server_read.len();
        self.server_read.extend_from_slice(data);
        // Answer each line completed by this read (the framing a user would test).
        let done = self.server_read[..before]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        let lines: Vec<String> = String::from_utf8_lossy(&self.server_read)
            .split_terminator('\n')
            .skip(done)
            .take(
                self.server_read[before..]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count(),
            )
            .map(|l| l.replacen("GET", "200", 1))
            .collect();
        // Before the recv() just added: answers go out before the end of the stream closes.
        let again = calls.calls().len() - 1;
        let mut answers = AppCalls::default();
        for line in lines {
            answers.call(r.host, Call::send_data("s", format!("{line}\n")));
        }
        answers.call(r.host, calls.calls()[again].2.clone());
        *calls = answers;
    }
}

fn exchange(link: LinkConfig, seed: u64, requests: &[&str]) -> (Trace, LineServer) {
    let (sim, _, _) = pair(link, TcpConfig::linux(), seed);
    let mut app = LineServer {
        requests: requests.iter().map(|s| s.to_string()).collect(),
        ..LineServer::default()
    };
    let trace = sim.run_with(ms(600_000), &mut app).unwrap();
    (trace, app)
}

#[test]
fn the_receiving_application_reads_the_bytes_sent() {
    let (trace, app) = exchange(
        LinkConfig::latency(Duration::from_millis(5)),
        1,
        &["/a", "/b"],
    );
    assert_eq!(app.server_read, b"GET /a\nGET /b\n");
    assert_eq!(app.client_read, b"200 /a\n200 /b\n");
    // The trace keeps each send() and each recv() with data, offsets counting from 0.
    let c = trace.socket_by_label(HostId(0), "c").unwrap();
    let sent: Vec<(u64, String)> = trace
        .data
        .iter()
        .filter(|t| t.socket == c && matches!(trace.call(t.call), Some(Call::Send { .. })))
        .map(|t| (t.offset, t.data.to_string()))
        .collect();
    assert_eq!(sent, [(0, r"GET /a\n".into()), (7, r"GET /b\n".into())]);
}

#[test]
fn a_send_whose_count_is_not_its_datas_length_fails_with_einval() {
    let (mut sim, c, _) = pair(LinkConfig::default(), TcpConfig::linux(), 1);
    let bad = Call::Send {
        socket: "c".into(),
        bytes: 3,
        data: Some(Payload::from("four")),
    };
    let id = sim.call(ms(100), c, bad).unwrap();
    let trace = sim.run_for(Duration::from_secs(1)).unwrap();
    let result = trace.events.iter().find_map(|e| match e.kind {
        EventKind::Call {
            call_id, result, ..
        } if call_id == id => result,
        _ => None,
    });
    assert_eq!(result, Some(CallResult::Error(Errno::EINVAL)));
    assert!(trace.data.is_empty());
}

#[test]
fn a_send_that_takes_part_keeps_only_that_part_and_counts_fill_the_gaps() {
    let tcp = TcpConfig {
        snd_buf: 4,
        ..TcpConfig::linux()
    };
    let (mut sim, c, s) = pair(LinkConfig::default(), tcp, 1);
    // A count, then real bytes of which the send buffer takes what is left of its 4 bytes.
    sim.call(ms(100), c, send("c", 1)).unwrap();
    sim.call(ms(100), c, Call::send_data("c", "xyzw")).unwrap();
    sim.call(ms(300), s, recv("s")).unwrap();
    let trace = sim.run_for(Duration::from_secs(1)).unwrap();
    let moved: Vec<(u64, Vec<u8>)> = trace
        .data
        .iter()
        .map(|t| (t.offset, t.data.as_bytes().to_vec()))
        .collect();
    // The first byte was sent without content, so the server reads the filler for it.
    let first = tcpsim_core::payload::filler(trace.data[0].seq - 1);
    assert_eq!(
        moved,
        [(1, b"xyz".to_vec()), (0, [&[first][..], b"xyz"].concat())]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever the loss, duplication and reordering, each side reads exactly what the other
    /// sent, in order: retransmissions and duplicates carry the same bytes.
    #[test]
    fn bytes_arrive_intact_and_in_order(
        seed in any::<u64>(),
        l in link(LinkRanges { loss: 0.0..=0.3, ..LinkRanges::default() }),
        requests in prop::collection::vec("/[a-z0-9]{0,40}", 1..12),
    ) {
        let requests: Vec<&str> = requests.iter().map(String::as_str).collect();
        let (trace, app) = exchange(l, seed, &requests);
        let asked: String = requests.iter().map(|r| format!("GET {r}\n")).collect();
        let answered: String = requests.iter().map(|r| format!("200 {r}\n")).collect();
        prop_assert_eq!(String::from_utf8_lossy(&app.server_read), asked, "{}", trace.to_text(false));
        prop_assert_eq!(String::from_utf8_lossy(&app.client_read), answered);
    }
}

#[test]
fn the_bytes_a_trace_keeps_are_limited_and_the_run_says_so() {
    use tcpsim_core::sim::MAX_DATA_BYTES;
    let tcp = TcpConfig {
        snd_buf: 256 << 20,
        ..TcpConfig::linux()
    };
    let (mut sim, c, _) = pair(LinkConfig::default(), tcp, 1);
    let mib = Payload::from(vec![b'x'; 1 << 20]);
    for i in 0..100 {
        let send = Call::Send {
            socket: "c".into(),
            bytes: 1 << 20,
            data: Some(mib.clone()),
        };
        sim.call(ms(100 + i), c, send).unwrap();
    }
    let err = sim.run_for(Duration::from_secs(1)).unwrap_err();
    assert!(
        matches!(err.error, SimError::DataLimit { limit, .. } if limit == MAX_DATA_BYTES),
        "{err}"
    );
    let kept: usize = err.partial.data.iter().map(|t| t.data.len()).sum();
    assert!(kept as u64 <= MAX_DATA_BYTES, "{kept}");
    assert!(err.to_string().contains("send shorter `data`"), "{err}");
}
