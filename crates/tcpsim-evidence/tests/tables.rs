//! Socket tables as the tools print them, read and diagnosed. The `linux-*` tables were taken
//! from real sockets (`tests/real/leaks.py` in a network namespace, as `tests/live.rs` does on every test run: a client that never closes
//! on port 8080, a server that never closes on 9090, proper closes on 7070); the macOS and
//! Windows ones are written in those systems' formats. Each report is a golden file in both
//! languages, and the findings that matter are asserted on their own.

use tcpsim_evidence::findings::{self, Options, Report};
use tcpsim_evidence::report;
use tcpsim_evidence::table::{self, Format, SkipReason, Table};
use tcpsim_words::Lang;
use tcpsim_words::evidence::{Finding, Side};

fn load(name: &str) -> (Table, Report) {
    let bytes = std::fs::read(format!("tests/tables/{name}")).unwrap();
    let t = table::read(&table::decode(&bytes)).unwrap();
    let r = findings::diagnose(&t, &Options { fd_limit: Some(64) });
    (t, r)
}

fn close_wait(r: &Report, side: Side) -> Option<u64> {
    r.findings.iter().find_map(|f| match &f.finding {
        Finding::CloseWait { count, side: s, .. } if *s == side => Some(*count),
        _ => None,
    })
}

#[test]
fn every_table_gets_its_golden_report_in_both_languages() {
    let mut names: Vec<String> = std::fs::read_dir("tests/tables")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 12, "{names:?}");
    for name in names {
        let (t, r) = load(&name);
        let both = format!(
            "{}\n{}",
            report::text(&name, &t, &r, Lang::En),
            report::text(&name, &t, &r, Lang::Zh)
        );
        insta::assert_snapshot!(name.clone(), both);
    }
}

#[test]
fn real_linux_tables_tell_the_clients_leak_from_the_servers_in_every_format() {
    for name in [
        "linux-ss-tanp.txt",
        "linux-ss-tanoie.txt",
        "linux-ss-an.txt",
        "linux-netstat-tanp.txt",
        "linux-netstat-tano.txt",
        "linux-proc-net-tcp.txt",
    ] {
        let (t, r) = load(name);
        // 20 client sockets left open on port 8080, 15 accepted and never closed on 9090.
        assert_eq!(close_wait(&r, Side::Client), Some(20), "{name}");
        assert_eq!(close_wait(&r, Side::Server), Some(15), "{name}");
        // Ten of the client's answers were never read; the FIN Linux counts in Recv-Q is not
        // unread data.
        let unread = r.findings.iter().find_map(|f| match f.finding {
            Finding::UnreadAtClose { count } => Some(count),
            _ => None,
        });
        assert_eq!(unread, Some(10), "{name}");
        let server = r
            .findings
            .iter()
            .find(|f| {
                matches!(
                    f.finding,
                    Finding::CloseWait {
                        side: Side::Server,
                        ..
                    }
                )
            })
            .unwrap();
        assert_eq!(
            server.finding,
            Finding::CloseWait {
                count: 15,
                side: Side::Server,
                ports: vec![9090]
            }
        );
        let client = r
            .findings
            .iter()
            .find(|f| {
                matches!(
                    f.finding,
                    Finding::CloseWait {
                        side: Side::Client,
                        ..
                    }
                )
            })
            .unwrap();
        assert_eq!(client.peers[0].0.to_string(), "127.0.0.1:8080", "{name}");
        assert_eq!(client.lesson, Some("http-client-leak"));
        assert_eq!(server.lesson, Some("server-exception-leak"));
        // Both leaks' other ends, and the proper closes.
        let states: Vec<_> = r.counts.iter().map(|(s, n)| (s.rfc_name(), *n)).collect();
        for want in [("FIN-WAIT-2", 35), ("TIME-WAIT", 5), ("LISTEN", 3)] {
            assert!(states.contains(&want), "{name}: {states:?}");
        }
        let format = t.format.unwrap();
        let with_processes = name.contains("tanp");
        assert_eq!(
            client
                .processes
                .first()
                .is_some_and(|(p, _)| p.starts_with("python3")),
            with_processes,
            "{name}: {:?} ({format:?})",
            client.processes
        );
    }
}

#[test]
fn other_systems_and_one_liners_are_read() {
    let (t, r) = load("macos-netstat-an.txt");
    assert_eq!(t.format, Some(Format::NetstatMac));
    assert_eq!(close_wait(&r, Side::Client), Some(3));
    assert_eq!(close_wait(&r, Side::Server), Some(1));
    // The IPv6 listener with a zone, the UDP socket, and the Unix section.
    assert!(
        t.rows
            .iter()
            .any(|row| row.local.to_string() == "[fe80::1]:631")
    );
    assert_eq!(
        t.skipped
            .iter()
            .filter(|s| s.why == SkipReason::NotTcp)
            .count(),
        1
    );

    let (t, r) = load("windows-netstat-ano.txt");
    assert_eq!(t.format, Some(Format::NetstatWindows));
    assert_eq!(close_wait(&r, Side::Server), Some(3));
    // pid 4321 holds 7 sockets (TIME-WAIT is nobody's) of a limit of 64: not near it.
    assert!(
        !r.findings
            .iter()
            .any(|f| matches!(f.finding, Finding::Descriptors { .. }))
    );
    let (_, r) = load("windows-netstat-ano-zh.txt");
    assert_eq!(close_wait(&r, Side::Client), Some(2));

    let (t, r) = load("counts-awk.txt");
    assert_eq!(t.format, Some(Format::Counts));
    assert_eq!(r.sockets, 4114);
    assert_eq!(close_wait(&r, Side::Unknown), Some(3021));
    let (_, r) = load("counts-uniq.txt");
    assert_eq!(close_wait(&r, Side::Unknown), Some(3021));

    let (_, r) = load("ss-accept-queue-full.txt");
    assert!(matches!(
        r.findings[0].finding,
        Finding::AcceptQueueFull {
            queued: 129,
            backlog: 128,
            ..
        }
    ));
}

#[test]
fn descriptors_near_the_limit_come_first() {
    let bytes = std::fs::read("tests/tables/linux-ss-tanp.txt").unwrap();
    let t = table::read(&table::decode(&bytes)).unwrap();
    // python3 holds 3 listeners and 35 CLOSE-WAIT sockets (its FIN-WAIT-2 and TIME-WAIT ones
    // are orphans, named by no process).
    let r = findings::diagnose(&t, &Options { fd_limit: Some(40) });
    let Finding::Descriptors { sockets, limit, .. } = &r.findings[0].finding else {
        panic!("{:?}", r.findings[0])
    };
    assert_eq!((*sockets, *limit), (38, 40));
    let r = findings::diagnose(
        &t,
        &Options {
            fd_limit: Some(1024),
        },
    );
    assert!(
        !r.findings
            .iter()
            .any(|f| matches!(f.finding, Finding::Descriptors { .. }))
    );
}

#[test]
fn powershell_utf16_and_bad_input() {
    // PowerShell's `netstat -ano > out.txt` writes UTF-16 with a byte-order mark.
    let text = std::fs::read_to_string("tests/tables/windows-netstat-ano.txt").unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    let t = table::read(&table::decode(&bytes)).unwrap();
    assert_eq!(t.rows.len(), 9);

    assert_eq!(
        table::read("hello\nworld\n"),
        Err(table::TableError::NoRows { first: Some(1) })
    );
    assert_eq!(
        table::read(""),
        Err(table::TableError::NoRows { first: None })
    );
    // A row with a bad field is skipped at its place; the rest is read.
    let t = table::read(
        "ESTAB 0 0 10.0.0.1:22 10.0.0.2:5000\nESTAB x 0 10.0.0.1:22 10.0.0.2:5001\nCLOSE-WAIT 0 0 10.0.0.1:22 nowhere\n",
    )
    .unwrap();
    assert_eq!(t.rows.len(), 1);
    let places: Vec<_> = t.skipped.iter().map(|s| (s.line, s.column)).collect();
    assert_eq!(places, vec![(2, 7), (3, 28)]);
}

#[test]
fn the_json_report_carries_both_languages_and_the_evidence() {
    let (t, r) = load("linux-ss-tanp.txt");
    let v = report::json(&t, &r);
    assert_eq!(v["format"], "ss");
    assert_eq!(v["counts"]["CLOSE-WAIT"], 35);
    let first = &v["findings"][0];
    assert_eq!(first["kind"], "close-wait-client");
    assert_eq!(first["peers"][0]["peer"], "127.0.0.1:8080");
    assert!(first["what"]["zh"].as_str().unwrap().contains("CLOSE-WAIT"));
    assert_eq!(first["lesson"], "http-client-leak");
}
