//! Real sockets, made by `tests/real/leaks.py` in a network namespace of their own (loopback
//! only, nothing else on the machine sees them), listed by the machine's own `ss -tanp`,
//! `netstat -tanp` and `/proc/net/tcp`, and diagnosed. It needs root, iproute2 and net-tools
//! (`cargo xtask test` installs the tools; CI runs as root): without them it fails and says
//! so, it never passes without looking.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use tcpsim_evidence::findings::{self, Options};
use tcpsim_evidence::table;
use tcpsim_words::evidence::{Finding, Side};

/// A namespace deleted (with what runs in it) when the test ends, however it ends.
struct Namespace(String, Option<Child>);

impl Drop for Namespace {
    fn drop(&mut self) {
        if let Some(mut c) = self.1.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = Command::new("ip")
            .args(["netns", "delete", &self.0])
            .status();
    }
}

fn ip(args: &[&str]) -> std::process::Output {
    Command::new("ip").args(args).output().unwrap_or_else(|e| {
        panic!("this test needs iproute2's `ip` (apt-get install iproute2): {e}")
    })
}

/// A fresh network namespace `tcpsim-<what>-<pid>` with its loopback up, or a failure that
/// says what the test needs.
fn namespace(what: &str) -> (String, Namespace) {
    let name = format!("tcpsim-{what}-{}", std::process::id());
    let added = ip(&["netns", "add", &name]);
    assert!(
        added.status.success(),
        "this test makes real sockets in a network namespace: `ip netns add` needs root \
         (CI runs as root): {}",
        String::from_utf8_lossy(&added.stderr)
    );
    let ns = Namespace(name.clone(), None);
    let up = ip(&["netns", "exec", &name, "ip", "link", "set", "lo", "up"]);
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    (name, ns)
}

#[test]
fn tables_of_real_sockets_show_which_side_leaks() {
    let (name, mut ns) = namespace("evidence");
    let mut child = Command::new("ip")
        .args(["netns", "exec", &name, "python3", "tests/real/leaks.py"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs the sockets' script");
    let mut ready = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut ready)
        .unwrap();
    ns.1 = Some(child);
    assert_eq!(ready.trim(), "ready", "the script did not make its sockets");

    for command in [
        &["ss", "-tanp"][..],
        &["netstat", "-tanp"],
        &["cat", "/proc/net/tcp"],
    ] {
        let mut args = vec!["netns", "exec", &name];
        args.extend(command);
        let out = ip(&args);
        assert!(
            out.status.success(),
            "`{}` failed (net-tools for netstat: apt-get install net-tools): {}",
            command.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = table::decode(&out.stdout);
        let t = table::read(&text).unwrap();
        let r = findings::diagnose(&t, &Options::default());
        let count = |side: Side| {
            r.findings.iter().find_map(|f| match &f.finding {
                Finding::CloseWait { count, side: s, .. } if *s == side => Some(*count),
                _ => None,
            })
        };
        let what = command.join(" ");
        assert_eq!(count(Side::Client), Some(20), "{what}:\n{text}");
        assert_eq!(count(Side::Server), Some(15), "{what}:\n{text}");
        let unread = r.findings.iter().find_map(|f| match f.finding {
            Finding::UnreadAtClose { count } => Some(count),
            _ => None,
        });
        assert_eq!(unread, Some(10), "{what}:\n{text}");
        assert!(t.skipped.is_empty(), "{what}: {:?}", t.skipped);
    }
}

/// The incidents captured (pcapng) on the namespace's loopback with the machine's own `dumpcap`
/// (Wireshark's capture tool; tcpdump where present writes the same pcap), then diagnosed:
/// each connection's story names the endpoint whose application did not close.
#[test]
fn a_capture_of_real_incidents_names_who_did_not_close() {
    use tcpsim_evidence::capture::{self, Story};
    let (name, mut ns) = namespace("capture");
    // An orphan in FIN-WAIT-2 is dropped after a second here, not a minute.
    let fin = ip(&[
        "netns",
        "exec",
        &name,
        "sysctl",
        "-qw",
        "net.ipv4.tcp_fin_timeout=1",
    ]);
    assert!(
        fin.status.success(),
        "{}",
        String::from_utf8_lossy(&fin.stderr)
    );
    let file = std::env::temp_dir().join(format!("{name}.pcapng"));
    let mut dumpcap = Command::new("ip")
        .args(["netns", "exec", &name, "dumpcap", "-q", "-i", "lo", "-w"])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("dumpcap (apt-get install tshark) captures on the namespace's loopback");
    // It has opened the interface once the file has its header; a moment more to be live.
    let start = std::time::Instant::now();
    while std::fs::metadata(&file).map_or(true, |m| m.len() < 24) {
        assert!(
            start.elapsed().as_secs() < 20,
            "dumpcap did not start capturing in 20 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    let mut child = Command::new("ip")
        .args([
            "netns",
            "exec",
            &name,
            "python3",
            "tests/real/leaks.py",
            "--incidents",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs the sockets' script");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    for want in ["ready", "done"] {
        line.clear();
        out.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), want, "the script stopped before `{want}`");
    }
    ns.1 = Some(child);
    std::thread::sleep(std::time::Duration::from_millis(300));
    // `ip netns exec` may have forked: dumpcap is stopped by name, and flushes its file.
    let _ = Command::new("pkill")
        .args(["-INT", "-f"])
        .arg(file.to_string_lossy().as_ref())
        .status();
    let _ = dumpcap.wait();
    let cap = capture::read(std::fs::File::open(&file).unwrap()).unwrap();
    let drawn = tcpsim_evidence::observed::read_trace(
        std::fs::File::open(&file).unwrap(),
        "live.pcapng",
        tcpsim_evidence::observed::MAX_TRACE_PACKETS,
    )
    .unwrap();
    let _ = std::fs::remove_file(&file);
    // The same capture as a trace: the kernel's resets told apart by what came before them,
    // and its handshake's options as sent.
    let resets: Vec<_> = drawn
        .trace
        .segments_sent()
        .filter(|(_, _, seg, _)| seg.flags.rst())
        .map(|(_, _, _, why)| why)
        .collect();
    use tcpsim_core::segment::SendReason;
    assert_eq!(
        resets,
        [SendReason::RstUnreadData, SendReason::RstNoSocket],
        "{:?}",
        drawn
            .capture
            .connections
            .iter()
            .map(|c| c.story)
            .collect::<Vec<_>>()
    );
    let syn = drawn
        .trace
        .segments
        .iter()
        .position(|s| s.flags.syn())
        .unwrap();
    let options = drawn
        .trace
        .options_of(tcpsim_core::id::SegmentId(syn as u64))
        .unwrap();
    assert!(
        options.mss.is_some() && options.sack_permitted,
        "{options:?}"
    );
    assert!(tcpsim_core::check::all(&drawn.trace).is_empty());
    let story_of = |port: u16| -> Vec<Story> {
        cap.connections
            .iter()
            .filter(|c| c.server.addr.map(|a| a.port()) == Some(port))
            .map(|c| c.story)
            .collect()
    };
    // The client's leak: the server closed, the client never did.
    assert_eq!(story_of(8080), vec![Story::LeftOpenByClient; 20]);
    // The server's leak.
    assert_eq!(story_of(9090), vec![Story::LeftOpenByServer; 15]);
    assert_eq!(story_of(7070), vec![Story::Graceful; 5]);
    assert_eq!(story_of(6060), vec![Story::ResetUnreadData]);
    assert_eq!(story_of(5050), vec![Story::LateFinReset]);
    // Each real incident, written back as a scenario, runs to where the capture left it.
    for port in [8080, 9090, 7070, 6060, 5050] {
        let (i, c) = cap
            .connections
            .iter()
            .enumerate()
            .find(|(_, c)| c.server.addr.map(|a| a.port()) == Some(port))
            .unwrap();
        let text = tcpsim_evidence::replay::scenario_from("live.pcapng", i + 1, c).unwrap();
        let s = tcpsim_scenario::Scenario::parse("replay.toml", &text)
            .unwrap_or_else(|e| panic!("port {port}: {e}\n{text}"));
        let trace = s.run().unwrap();
        let failures = s.check(&trace);
        assert!(
            failures.is_empty(),
            "port {port}: {}\n{text}",
            failures
                .iter()
                .map(|f| f.render(tcpsim_words::Lang::En))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    // The late FIN's server was inferred gone at its tcp_fin_timeout, not in TIME-WAIT.
    let late = cap
        .connections
        .iter()
        .find(|c| c.story == Story::LateFinReset)
        .unwrap();
    assert_eq!(
        late.server.states.last().map(|(_, s)| *s),
        Some(tcpsim_core::state::State::Closed)
    );
}
