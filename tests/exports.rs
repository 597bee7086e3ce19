//! Diagrams for documentation: golden SVG, Mermaid and PlantUML for the four lessons; the SVG
//! is well-formed XML with no script and an accessible title; the Mermaid text passes a
//! grammar check of every statement the exporter writes.

use std::path::PathBuf;
use tcpsim::render::layout::layout;
use tcpsim::render::sequence::{mermaid, plantuml};
use tcpsim::render::svg::{SvgOptions, ladder_svg};
use tcpsim::scenario::Scenario;

const LESSONS: [&str; 4] = [
    "handshake",
    "four-way-close",
    "simultaneous-close",
    "leaked-close",
];

fn lesson(name: &str) -> (Scenario, tcpsim::core::trace::Trace) {
    let rel = format!("scenarios/{name}.toml");
    let text =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(&rel)).unwrap();
    let s = Scenario::parse(&rel, &text).unwrap();
    let t = s.run().unwrap();
    (s, t)
}

#[test]
fn svgs_are_golden_well_formed_and_script_free() {
    for name in LESSONS {
        let (s, trace) = lesson(name);
        let l = layout(&trace, None).unwrap();
        let svg = ladder_svg(
            &l,
            &SvgOptions {
                until_step: None,
                title: s.title.en.clone(),
                description: s.description.en.clone(),
            },
        );
        let doc =
            roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{name}: not XML: {e}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert!(
            doc.descendants()
                .all(|n| n.tag_name().name() != "script" && n.tag_name().name() != "foreignObject"),
            "{name}"
        );
        assert!(
            !svg.contains("href=\"http") && !svg.contains("@import") && !svg.contains("url(http"),
            "{name}: external reference"
        );
        let title = doc
            .descendants()
            .find(|n| n.tag_name().name() == "title")
            .and_then(|n| n.text())
            .unwrap_or("");
        assert_eq!(title, s.title.en);
        assert!(
            svg.contains("prefers-color-scheme:dark"),
            "{name}: no dark theme"
        );
        // Every segment of the connection is drawn: one line per arrow.
        let lines = doc
            .descendants()
            .filter(|n| {
                n.tag_name().name() == "line"
                    && n.parent()
                        .is_some_and(|p| p.attribute("class").is_some_and(|c| c.starts_with("seg")))
            })
            .count();
        assert_eq!(lines, l.arrows.len(), "{name}");
        insta::assert_snapshot!(format!("svg_{name}"), svg);
    }
}

#[test]
fn the_state_diagram_svg_shows_the_path_taken() {
    for name in LESSONS {
        let (s, trace) = lesson(name);
        let l = layout(&trace, None).unwrap();
        let sockets: Vec<_> = [Some(l.left_socket), l.right_socket]
            .into_iter()
            .flatten()
            .collect();
        let svg = tcpsim::render::statediagram::svg(&trace, &sockets, &s.title.en);
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(doc.descendants().all(|n| n.tag_name().name() != "script"));
        // One bold line per transition each endpoint took.
        let taken: usize = sockets
            .iter()
            .map(|s| trace.transitions_of(*s).count())
            .sum();
        let bold = doc
            .descendants()
            .filter(|n| n.attribute("stroke-width") == Some("3"))
            .count();
        assert_eq!(bold, taken, "{name}");
        insta::assert_snapshot!(format!("statediagram_{name}"), svg);
    }
}

#[test]
fn an_svg_can_stop_at_a_step() {
    let (_, trace) = lesson("handshake");
    let l = layout(&trace, None).unwrap();
    // The step at which the SYN leaves (before it, the client only called connect()).
    let syn = l
        .steps
        .iter()
        .position(|st| matches!(st.what, tcpsim::render::layout::StepKind::Sent { .. }))
        .unwrap();
    assert!(syn > 0);
    let before = ladder_svg(
        &l,
        &SvgOptions {
            until_step: Some(syn - 1),
            ..Default::default()
        },
    );
    let first = ladder_svg(
        &l,
        &SvgOptions {
            until_step: Some(syn),
            ..Default::default()
        },
    );
    let all = ladder_svg(&l, &SvgOptions::default());
    let count = |s: &str| s.matches("<line x1=").count();
    assert_eq!(count(&before), 0);
    assert_eq!(count(&first), 1, "only the SYN is on its way");
    assert_eq!(count(&all), 3);
}

/// Checks one line of the Mermaid subset the exporter writes.
fn mermaid_statement_ok(line: &str) -> bool {
    let l = line.trim();
    if let Some(rest) = l.strip_prefix("participant ") {
        let mut parts = rest.splitn(3, ' ');
        return matches!((parts.next(), parts.next(), parts.next()), (Some("L" | "R"), Some("as"), Some(name)) if !name.is_empty());
    }
    if let Some(rest) = l.strip_prefix("Note ") {
        let rest = ["over ", "left of ", "right of "]
            .iter()
            .find_map(|p| rest.strip_prefix(p));
        return rest.is_some_and(|r| (r.starts_with("L: ") || r.starts_with("R: ")) && r.len() > 3);
    }
    for arrow in ["->>", "-x"] {
        for (a, b) in [("L", "R"), ("R", "L")] {
            if let Some(text) = l.strip_prefix(&format!("{a}{arrow}{b}: ")) {
                return !text.is_empty() && !text.contains(';') && !text.contains('#');
            }
        }
    }
    false
}

#[test]
fn mermaid_is_golden_and_grammatical() {
    for name in LESSONS {
        let (_, trace) = lesson(name);
        let l = layout(&trace, None).unwrap();
        let m = mermaid(&l, None);
        let mut lines = m.lines();
        assert_eq!(lines.next(), Some("sequenceDiagram"));
        for line in lines {
            assert!(
                mermaid_statement_ok(line),
                "{name}: not a statement of the grammar: `{line}`"
            );
        }
        // One message per segment.
        assert_eq!(
            m.lines()
                .filter(|x| x.contains("->>") || x.contains("-x"))
                .count(),
            l.arrows.len()
        );
        insta::assert_snapshot!(format!("mermaid_{name}"), m);
    }
    // The checker itself rejects what is not in the grammar.
    assert!(!mermaid_statement_ok("L->>R"));
    assert!(!mermaid_statement_ok("X->>R: hi"));
    assert!(!mermaid_statement_ok("L->>R: a;b"));
}

#[test]
fn plantuml_slants_by_latency_and_marks_losses() {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/lost-fin-retransmit.toml"),
    )
    .unwrap();
    let s = Scenario::parse("lost-fin-retransmit.toml", &text).unwrap();
    let trace = s.run().unwrap();
    let l = layout(&trace, None).unwrap();
    let p = plantuml(&l, None);
    assert!(p.starts_with("@startuml\n") && p.ends_with("@enduml\n"));
    assert!(p.contains("L ->x R : FIN,ACK seq=1 ack=1 (lost)"), "{p}");
    assert!(
        p.contains("L ->(22) R : FIN,ACK seq=1 ack=1 (retransmission)"),
        "{p}"
    );
    insta::assert_snapshot!("plantuml_lost-fin-retransmit", p);
}

#[test]
fn cli_render_writes_each_format() {
    let dir = std::env::temp_dir().join(format!("tcpsim-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bin = env!("CARGO_BIN_EXE_tcpsim");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let svg = dir.join("out.svg");
    let st = std::process::Command::new(bin)
        .current_dir(&root)
        .args(["render", "scenarios/handshake.toml", "--svg"])
        .arg(&svg)
        .status()
        .unwrap();
    assert!(st.success());
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));
    let out = std::process::Command::new(bin)
        .current_dir(&root)
        .args([
            "render",
            "scenarios/handshake.toml",
            "--mermaid",
            "--until",
            "11ms",
        ])
        .output()
        .unwrap();
    let m = String::from_utf8(out.stdout).unwrap();
    assert!(
        m.contains("L->>R: SYN seq=0")
            && m.contains("R->>L: SYN,ACK")
            && !m.contains("ACK seq=1 ack=1"),
        "{m}"
    );
    let out = std::process::Command::new(bin)
        .current_dir(&root)
        .args(["render", "scenarios/handshake.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "no format asked for");
}

/// For every bundled scenario: tshark decodes the pcap with good checksums and nothing
/// malformed, and each frame's addresses, flags, raw seq/ack and length match the trace.
#[test]
fn tshark_reads_every_bundled_pcap_as_the_trace_says() {
    use tcpsim::core::trace::EventKind;
    let tshark = std::process::Command::new("tshark")
        .arg("--version")
        .output();
    assert!(
        tshark.is_ok_and(|o| o.status.success()),
        "tshark is needed for this test: `apt-get install tshark` (cargo xtask test installs it)"
    );
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("tcpsim-pcap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(root.join("scenarios"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str().map(str::to_string))
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    for name in names {
        let rel = format!("scenarios/{name}");
        let s = Scenario::parse(&rel, &std::fs::read_to_string(root.join(&rel)).unwrap()).unwrap();
        let trace = s.run().unwrap();
        let path = dir.join(name.replace(".toml", ".pcap"));
        std::fs::write(&path, tcpsim::render::pcap::pcap(&trace)).unwrap();
        let out = std::process::Command::new("tshark")
            .arg("-r")
            .arg(&path)
            .args([
                "-o",
                "tcp.check_checksum:TRUE",
                "-o",
                "ip.check_checksum:TRUE",
                "-T",
                "fields",
                "-E",
                "separator=;",
            ])
            .args([
                "-e",
                "ip.src",
                "-e",
                "tcp.srcport",
                "-e",
                "ip.dst",
                "-e",
                "tcp.dstport",
                "-e",
                "tcp.flags",
            ])
            .args([
                "-e",
                "tcp.seq_raw",
                "-e",
                "tcp.ack_raw",
                "-e",
                "tcp.len",
                "-e",
                "tcp.checksum.status",
                "-e",
                "ip.checksum.status",
                "-e",
                "_ws.malformed",
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let warnings: Vec<&str> = stderr
            .lines()
            .filter(|l| !l.contains("Running as user") && !l.trim().is_empty())
            .collect();
        assert!(
            out.status.success() && warnings.is_empty(),
            "{name}: tshark: {stderr}"
        );
        let rows: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        let sent: Vec<_> = trace
            .events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::SegmentSent { id, .. } => trace.segment(*id).copied(),
                _ => None,
            })
            .collect();
        assert_eq!(rows.len(), sent.len(), "{name}: frame count");
        for (i, (row, seg)) in rows.iter().zip(&sent).enumerate() {
            let f: Vec<&str> = row.split(';').collect();
            let ack = if seg.flags.ack() {
                seg.ack.0.to_string()
            } else {
                "0".to_string()
            };
            let want = [
                seg.src.ip().to_string(),
                seg.src.port().to_string(),
                seg.dst.ip().to_string(),
                seg.dst.port().to_string(),
                format!("0x{:04x}", seg.flags.bits()),
                seg.seq.0.to_string(),
                ack,
                seg.len.to_string(),
                // Wireshark's checksum status: 0 bad, 1 good, 2 unverified.
                "1".to_string(),
                "1".to_string(),
                String::new(), // not malformed
            ];
            assert_eq!(f, want, "{name}: frame {}", i + 1);
        }
    }
}

/// Real bytes reach the capture: the pooled HTTP client's requests and answers (the scenario's
/// `data`) decode in tshark as HTTP, one request and one 200 per request the trace shows made.
#[test]
fn tshark_reads_the_http_scenarios_bytes_as_http() {
    use tcpsim::core::call::Call;
    let (_, trace) = lesson("http-client-pooled");
    let dir = std::env::temp_dir().join(format!("tcpsim-http-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("pooled.pcap");
    std::fs::write(&path, tcpsim::render::pcap::pcap(&trace)).unwrap();
    let fields = |filter: &str, fields: &[&str]| -> Vec<String> {
        let mut cmd = std::process::Command::new("tshark");
        cmd.arg("-r")
            .arg(&path)
            .args(["-Y", filter, "-T", "fields"]);
        for f in fields {
            cmd.args(["-e", f]);
        }
        let out = cmd
            .output()
            .expect("tshark is needed for this test: `apt-get install tshark` (cargo xtask test installs it)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    };
    let sends = |host: &str| {
        let h = trace.host_by_name(host).unwrap();
        trace
            .data
            .iter()
            .filter(|t| matches!(trace.call(t.call), Some(Call::Send { .. })))
            .filter(|t| trace.socket(t.socket).is_some_and(|s| s.host == h))
            .count()
    };
    let requests = fields("http.request", &["http.request.method", "http.request.uri"]);
    assert!(requests.len() > 1_000, "{} requests", requests.len());
    assert_eq!(requests.len(), sends("client"));
    assert!(
        requests.iter().all(|r| r == "GET\t/api/orders?page=1"),
        "{requests:?}"
    );
    let answers = fields(
        "http.response",
        &["http.response.code", "http.content_length"],
    );
    assert_eq!(answers.len(), sends("server"));
    assert!(
        answers.iter().all(|r| r == "200\t1864"),
        "{:?}",
        &answers[..3]
    );
}

#[test]
fn charts_draw_states_over_time_and_time_sequence_graphs() {
    let dir = std::env::temp_dir().join(format!("tcpsim-chart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bin = env!("CARGO_BIN_EXE_tcpsim");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let run = |args: &[&str]| {
        std::process::Command::new(bin)
            .current_dir(&root)
            .args(args)
            .output()
            .unwrap()
    };

    let svg = dir.join("leak.svg");
    let leak_chart = |lang: &str| {
        let out = run(&[
            "chart",
            "scenarios/http-client-leak.toml",
            "--svg",
            svg.to_str().unwrap(),
            "--lang",
            lang,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read_to_string(&svg).unwrap()
    };
    let text = leak_chart("en");
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert!(text.contains("sockets per state on client") && text.contains("CLOSE-WAIT"));
    // The leak runs for 20 min: its time axis is in minutes.
    assert!(text.contains("time (min)") && text.contains("sockets"));
    assert!(
        doc.descendants()
            .filter(|n| n.tag_name().name() == "polyline")
            .count()
            >= 2
    );

    // In Chinese: the title and the axes; the states keep their RFC names.
    let text = leak_chart("zh");
    assert!(
        text.contains("client 上各状态的套接字数")
            && text.contains("时间（分钟）")
            && text.contains("CLOSE-WAIT"),
        "{}",
        &text[..600.min(text.len())]
    );
    assert!(!text.contains("sockets per state"));

    let png = dir.join("leak.png");
    let out = run(&[
        "chart",
        "scenarios/http-client-leak.toml",
        "--png",
        png.to_str().unwrap(),
        "--host",
        "server",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(
        u32::from_be_bytes(bytes[16..20].try_into().unwrap()),
        800,
        "width"
    );

    let seq = dir.join("seq.svg");
    let out = run(&[
        "chart",
        "scenarios/half-close.toml",
        "--kind",
        "sequence",
        "--socket",
        "server/conn",
        "--svg",
        seq.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&seq).unwrap();
    assert!(
        text.contains("time-sequence graph: server to client") && text.contains("<circle"),
        "{}",
        &text[..300.min(text.len())]
    );

    // A connection without data gets a clear refusal, not an empty chart.
    let out = run(&[
        "chart",
        "scenarios/handshake.toml",
        "--kind",
        "sequence",
        "--svg",
        seq.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs data"));
}
