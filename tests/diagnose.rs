//! `tcpsim diagnose` as a user runs it: a table from a file or piped in, in either language, as
//! JSON, and a text that is no table.

use std::io::Write;
use std::process::{Command, Stdio};

const TABLE: &str = "crates/tcpsim-evidence/tests/tables/linux-ss-tanp.txt";

fn tcpsim(args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tcpsim"))
        .args(args)
        .env("LC_ALL", "C")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        input.write_all(bytes).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_table_piped_in_is_explained_in_the_users_language() {
    let table = std::fs::read(TABLE).unwrap();
    let (code, out, _) = tcpsim(&["diagnose", "-"], Some(&table));
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("<stdin>: 78 sockets, from ss"), "{out}");
    assert!(
        out.contains("1. 20 sockets in CLOSE-WAIT held by this host's clients"),
        "{out}"
    );
    assert!(
        out.contains("tcpsim run scenarios/http-client-leak.toml"),
        "{out}"
    );

    let (code, out, _) = tcpsim(&["diagnose", TABLE, "--lang", "zh"], None);
    assert_eq!(code, 0);
    assert!(
        out.contains("20 个 CLOSE-WAIT 套接字由本机的客户端持有"),
        "{out}"
    );

    let (code, out, _) = tcpsim(&["diagnose", TABLE, "--json", "--fd-limit", "40"], None);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["findings"][0]["kind"], "descriptors");
    assert_eq!(v["findings"][1]["kind"], "close-wait-client");
}

#[test]
fn a_text_that_is_no_table_says_what_the_reader_takes() {
    let (code, _, err) = tcpsim(&["diagnose", "-"], Some(b"hello\nworld\n"));
    assert_eq!(code, 2);
    assert!(
        err.starts_with("<stdin>:1:1: error: no line is a TCP socket or a count per state"),
        "{err}"
    );
    assert!(
        err.contains("help: paste the output of `ss -tanp`"),
        "{err}"
    );
    let (code, _, err) = tcpsim(&["diagnose", "no-such-file.txt"], None);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-file.txt"), "{err}");
}

#[test]
fn a_capture_is_told_connection_by_connection() {
    let dir = std::env::temp_dir().join(format!("tcpsim-diagnose-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pcap = dir.join("leak.pcap");
    let (code, _, err) = tcpsim(
        &[
            "pcap",
            "scenarios/leaked-close.toml",
            "-o",
            pcap.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = tcpsim(&["diagnose", pcap.to_str().unwrap()], None);
    assert_eq!(code, 0);
    assert!(
        out.contains("10.0.0.2:80 closed; 10.0.0.1:52430 never did: its application holds the connection in CLOSE-WAIT"),
        "{out}"
    );
    // Piped in, as from `tcpdump -w -`.
    let bytes = std::fs::read(&pcap).unwrap();
    let (code, piped, _) = tcpsim(&["diagnose", "-"], Some(&bytes));
    assert_eq!(code, 0);
    assert!(
        piped.contains("never did: its application holds the connection in CLOSE-WAIT"),
        "{piped}"
    );
    let (_, out, _) = tcpsim(&["diagnose", pcap.to_str().unwrap(), "--json"], None);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["connections"][0]["story"], "left-open-by-client");
    // The connection written back as a scenario, which passes its own check.
    let replay = dir.join("replay.toml");
    let (code, _, err) = tcpsim(
        &[
            "scenario-from",
            pcap.to_str().unwrap(),
            "1",
            "-o",
            replay.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = tcpsim(&["check", replay.to_str().unwrap()], None);
    assert_eq!(code, 0, "{out}");
    let (code, _, err) = tcpsim(&["scenario-from", pcap.to_str().unwrap(), "2"], None);
    assert_eq!(code, 2);
    assert!(
        err.contains("there is no connection 2: the capture has 1"),
        "{err}"
    );
    // A file that is no capture is said so, with what to give instead.
    let (code, _, err) = tcpsim(&["scenario-from", "scenarios/handshake.toml", "1"], None);
    assert_eq!(code, 2);
    assert!(
        err.contains("error: not a pcap or pcapng capture") && err.contains("tcpdump -w"),
        "{err}"
    );
    // A file that starts as a capture and breaks off.
    std::fs::write(&pcap, &bytes[..bytes.len() - 7]).unwrap();
    let (code, out, _) = tcpsim(&["diagnose", pcap.to_str().unwrap()], None);
    assert_eq!(code, 0);
    assert!(out.contains("the capture breaks off at byte"), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn each_command_has_its_own_help() {
    let (_, out, _) = tcpsim(&["--help"], None);
    let line = |cmd: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(&format!("{cmd} ")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line("diagnose").contains("Read a socket table"), "{out}");
    let from = line("scenario-from");
    assert!(from.contains("Write a scenario that replays"), "{out}");
    assert!(!from.contains("socket table"), "{out}");
    let (_, out, _) = tcpsim(&["diagnose", "--help"], None);
    assert!(
        out.contains("tcpdump -i any -w - port 80 | tcpsim diagnose -"),
        "{out}"
    );
    let (_, out, _) = tcpsim(&["scenario-from", "--help"], None);
    assert!(
        out.contains("tcpsim scenario-from incident.pcap 3 -o replay.toml"),
        "{out}"
    );
}

/// A real capture (loopback, Linux 6, `dumpcap`, taken by the evidence crate's live test's
/// script: six connections of five incidents), drawn by the views as a run is.
const REAL: &str = "crates/tcpsim-evidence/tests/captures/real-incidents.pcapng";

#[test]
fn a_real_capture_is_drawn_by_every_view_and_says_it_was_observed() {
    // The late FIN (connection 6): the server's socket was gone when the client's FIN came,
    // so no socket answered it; the client's application learns of the reset.
    let (code, out, err) = tcpsim(&["run", REAL, "--socket", "6", "--color", "never"], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Capture crates/tcpsim-evidence/tests/captures/real-incidents.pcapng: 6 TCP connections, observed (not simulated)"), "{out}");
    assert!(
        out.contains("connection 6: one side closed long before the other's FIN"),
        "{out}"
    );
    insta::assert_snapshot!("real_capture_late_fin_ladder", out);
    let (code, zh, _) = tcpsim(
        &[
            "run",
            REAL,
            "--socket",
            "127.0.0.1:56558",
            "--lang",
            "zh",
            "--color",
            "never",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert!(zh.contains("实际观测（不是模拟）"), "{zh}");
    assert!(zh.contains("连接 5：被一方重置"), "{zh}");
    insta::assert_snapshot!("real_capture_unread_data_ladder_zh", zh);
    // The handshake's options as seen: Linux on loopback offers MSS 65495, SACK, a scale.
    let (_, mermaid, _) = tcpsim(&["render", REAL, "--socket", "3", "--mermaid"], None);
    assert!(mermaid.contains("SYN seq=0 mss=65495 ws="), "{mermaid}");
    assert!(mermaid.contains(" sack"), "{mermaid}");
    // JSON Lines: every line marked observed; the RST of connection 6 came from no socket.
    let (_, lines, _) = tcpsim(&["trace", REAL, "--json"], None);
    let events: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(events.iter().all(|e| e["observed"] == true));
    let resets: Vec<_> = events
        .iter()
        .filter(|e| e["kind"] == "segment_sent" && e["flags"].as_str().unwrap().contains("RST"))
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert_eq!(resets, ["rst_unread_data", "rst_no_socket"]);
    let syn = events.iter().find(|e| e["flags"] == "SYN").unwrap();
    assert_eq!(syn["options"]["mss"], 65495);
    // netstat at a moment: the leaks hold their states.
    let (code, at, err) = tcpsim(&["netstat", REAL, "--at", "100ms"], None);
    assert_eq!(code, 0, "{err}");
    assert!(
        at.contains("CLOSE_WAIT 3") && at.contains("FIN_WAIT2 3"),
        "{at}"
    );
    // A chart of states over time, drawn with plotters.
    let dir = std::env::temp_dir().join(format!("tcpsim-real-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let chart = dir.join("states.svg");
    let (code, _, err) = tcpsim(&["chart", REAL, "--svg", chart.to_str().unwrap()], None);
    assert_eq!(code, 0, "{err}");
    assert!(
        std::fs::read_to_string(&chart)
            .unwrap()
            .contains("CLOSE-WAIT")
    );
    std::fs::remove_dir_all(&dir).unwrap();
    // A socket that is not in the capture.
    let (code, _, err) = tcpsim(&["run", REAL, "--socket", "9"], None);
    assert_eq!(code, 2);
    assert!(err.contains("--socket 9: no such socket"), "{err}");
}
