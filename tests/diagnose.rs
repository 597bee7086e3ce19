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
