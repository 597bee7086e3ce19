//! The bundled scenarios are data-driven tests: each parses, runs, and meets its expectations.
//! Their ladders and JSON traces are golden files, and broken files have golden errors.

use std::path::PathBuf;
use tcpsim::render::{jsonl, ladder};
use tcpsim::scenario::Scenario;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `dir`'s `.toml` files, sorted, as (stem, path relative to the workspace).
fn toml_files(dir: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            (
                stem,
                format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()),
            )
        })
        .collect();
    v.sort();
    v
}

fn load(rel: &str) -> Scenario {
    let text = std::fs::read_to_string(root().join(rel)).unwrap();
    Scenario::parse(rel, &text).unwrap_or_else(|e| panic!("{e}"))
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The scenarios the issue names, so that none is silently missing.
const REQUIRED: [&str; 18] = [
    "handshake",
    "four-way-close",
    "simultaneous-close",
    "simultaneous-open",
    "leaked-close",
    "leaked-close-late-rst",
    "time-wait",
    "close-with-unread-data",
    "linger-zero-abort",
    "lost-fin-retransmit",
    "syn-timeout",
    "connect-refused",
    "half-close",
    "keepalive-detects-dead-peer",
    "http-client-leak",
    "http-client-pooled",
    "server-exception-leak",
    "lb-idle-timeout",
];

#[test]
fn every_bundled_scenario_meets_its_expectations() {
    let files = toml_files("scenarios");
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for r in REQUIRED {
        assert!(names.contains(&r), "scenarios/{r}.toml is missing");
    }
    for (name, rel) in &files {
        let s = load(rel);
        assert!(!s.expectations.is_empty(), "{name} has no expectations");
        assert!(
            !s.title.zh.is_empty() && !s.description.zh.is_empty(),
            "{name} needs Chinese text"
        );
        assert!(
            s.title.en != s.title.zh,
            "{name}: the Chinese title is a copy of the English one"
        );
        let trace = s.run().unwrap_or_else(|e| panic!("{e}"));
        let failures = s.check(&trace);
        assert!(
            failures.is_empty(),
            "{}",
            failures
                .iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
        let violations = tcpsim::core::check::all(&trace);
        assert!(violations.is_empty(), "{name}: {violations:#?}");
    }
}

#[test]
fn ladders_are_golden() {
    for (name, rel) in toml_files("scenarios") {
        let s = load(&rel);
        let trace = s.run().unwrap();
        let opts = ladder::LadderOptions {
            max_times: 80,
            ..Default::default()
        };
        insta::assert_snapshot!(format!("ladder_{name}"), ladder::render(&trace, &opts));
    }
}

#[test]
fn the_terminal_ladder_and_netstat_speak_chinese_in_columns() {
    // A lost FIN and its retransmission: timer, loss and retransmission words, in Chinese.
    let s = load("scenarios/lost-fin-retransmit.toml");
    let trace = s.run().unwrap();
    let opts = ladder::LadderOptions {
        lang: tcpsim::render::i18n::Lang::Zh,
        ..Default::default()
    };
    let text = ladder::render(&trace, &opts);
    for word in ["时间", "丢失", "(重传)", "定时器到期"] {
        assert!(text.contains(word), "no {word} in\n{text}");
    }
    // Every row's lifelines stay in the same terminal columns, Chinese characters taking two.
    let columns = |line: &str| -> Vec<usize> {
        let mut col = 0;
        let mut bars = Vec::new();
        for c in line.chars() {
            if c == '|' {
                bars.push(col);
            }
            col += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        }
        bars
    };
    let first = columns(text.lines().next().unwrap());
    assert_eq!(first.len(), 2, "{text}");
    for line in text.lines().filter(|l| l.contains('|')) {
        assert_eq!(columns(line), first, "a lifeline moved in {line:?}\n{text}");
    }
    insta::assert_snapshot!("ladder_zh_lost-fin-retransmit", text);
    let ns =
        tcpsim::render::netstat::render_in(&trace, s.end(), 10, tcpsim::render::i18n::Lang::Zh);
    assert!(
        ns.starts_with("运行到 1min30s 时：") && ns.contains("没有套接字"),
        "{ns}"
    );
}

#[test]
fn json_traces_are_golden() {
    // The first 150 events verbatim, and a digest of the whole trace so that any change shows.
    for (name, rel) in toml_files("scenarios") {
        let s = load(&rel);
        let trace = s.run().unwrap();
        let lines: Vec<String> = jsonl::lines(&trace).collect();
        let all = lines.join("\n");
        let mut shown = lines
            .iter()
            .take(150)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n");
        shown.push_str(&format!(
            "\n# {} events, fnv1a {:016x}\n",
            lines.len(),
            fnv1a(all.as_bytes())
        ));
        insta::assert_snapshot!(format!("trace_{name}"), shown);
    }
}

#[test]
fn json_lines_carry_the_documented_fields() {
    let s = load("scenarios/four-way-close.toml");
    let trace = s.run().unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    for line in jsonl::lines(&trace) {
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        for key in ["t_us", "kind"] {
            assert!(v.get(key).is_some(), "{key} missing in {line}");
        }
        let kind = v["kind"].as_str().unwrap().to_string();
        match kind.as_str() {
            "segment_sent" | "segment_delivered" | "segment_dropped" => {
                for key in ["flags", "seq", "ack", "len", "fate", "host"] {
                    assert!(v.get(key).is_some(), "{key} missing in {line}");
                }
            }
            "state_changed" => {
                for key in ["from", "to", "cause", "host", "conn", "rfc"] {
                    assert!(v.get(key).is_some(), "{key} missing in {line}");
                }
                assert!(v["conn"]["local"].is_string());
            }
            _ => {}
        }
        kinds.insert(kind);
    }
    for k in [
        "segment_sent",
        "segment_delivered",
        "state_changed",
        "call",
        "timer",
    ] {
        assert!(kinds.contains(k), "no {k} event");
    }
}

#[test]
fn broken_files_get_located_errors() {
    let files = toml_files("tests/broken");
    assert!(files.len() >= 15);
    for (name, rel) in files {
        let text = std::fs::read_to_string(root().join(&rel)).unwrap();
        let errors = match Scenario::parse(&rel, &text) {
            Ok(_) => panic!("{rel} should not parse"),
            Err(e) => e,
        };
        let err = errors.to_string();
        // Every error says where: file:line:column.
        for line in err.lines().filter(|l| !l.starts_with("  help")) {
            let loc = line.split(": error:").next().unwrap();
            assert!(
                loc.starts_with(&rel) && loc.matches(':').count() == 2,
                "{name}: no location in `{line}`"
            );
        }
        insta::assert_snapshot!(format!("broken_{name}"), err);
    }
}

#[test]
fn the_schema_in_the_repository_is_current() {
    let generated = tcpsim::scenario::json_schema();
    let path = root().join("scenarios/scenario.schema.json");
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        stored == generated,
        "scenarios/scenario.schema.json is stale: run `cargo run -- schema > scenarios/scenario.schema.json`"
    );
}

#[test]
fn every_expectation_kind_can_fail() {
    // The same file with each expectation turned wrong: check must report each one.
    let text = std::fs::read_to_string(root().join("scenarios/leaked-close.toml")).unwrap();
    let wrong = text
        .replace("at = \"65.02s\"", "at = \"65.01s\"")
        .replace("equals = 1\n", "equals = 2\n")
        .replace("state = \"CLOSE_WAIT\"", "state = \"LAST-ACK\"")
        .replace("absent = true", "absent = false");
    let s = Scenario::parse("wrong.toml", &wrong).unwrap();
    let failures = s.check(&s.run().unwrap());
    assert_eq!(failures.len(), 4, "{failures:#?}");
    insta::assert_snapshot!(
        "failures_leaked_close",
        failures
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The same failures for a Chinese reader: every word but the names, states and flags, and
    // the file's notes in their Chinese form.
    let zh = failures
        .iter()
        .map(|f| f.render(tcpsim::render::i18n::Lang::Zh))
        .collect::<Vec<_>>()
        .join("\n");
    let latin_words = zh
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() > 3)
        .filter(|w| {
            ![
                "conn", "client", "server", "LAST", "CLOSE", "WAIT", "FIN", "ACK", "CLOSED",
                "close", "toml", "wrong", "timeout",
            ]
            .contains(w)
        })
        .collect::<Vec<_>>();
    assert!(
        latin_words.is_empty(),
        "English left in the Chinese report: {latin_words:?}\n{zh}"
    );
    insta::assert_snapshot!("failures_leaked_close_zh", zh);

    // A segment that must never be sent, and a call's result, turned wrong.
    let text =
        std::fs::read_to_string(root().join("scenarios/close-with-unread-data.toml")).unwrap();
    let wrong = text
        .replace(
            "segment = \"FIN\"\nfrom = \"server\"\nabsent = true",
            "segment = \"RST\"\nfrom = \"server\"\nabsent = true",
        )
        .replace("result = \"ECONNRESET\"", "result = \"EPIPE\"");
    let s = Scenario::parse("wrong.toml", &wrong).unwrap();
    let failures = s.check(&s.run().unwrap());
    assert_eq!(failures.len(), 2, "{failures:#?}");
    let both = failures
        .iter()
        .flat_map(|f| [f.to_string(), f.render(tcpsim::render::i18n::Lang::Zh)])
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("failures_absent_segment_and_result", both);
}

fn tcpsim(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tcpsim"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("LC_ALL", "C")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_exit_codes_say_pass_fail_or_bad_input() {
    let (code, out, _) = tcpsim(&[
        "check",
        "scenarios/handshake.toml",
        "scenarios/leaked-close.toml",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("2 passed, 0 failed"), "{out}");

    let dir = std::env::temp_dir().join(format!("tcpsim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wrong = dir.join("wrong.toml");
    let text = std::fs::read_to_string(root().join("scenarios/handshake.toml")).unwrap();
    std::fs::write(
        &wrong,
        text.replace(
            "state = \"ESTABLISHED\"\nat = \"21ms\"",
            "state = \"ESTABLISHED\"\nat = \"20ms\"",
        ),
    )
    .unwrap();
    let (code, out, _) = tcpsim(&["check", wrong.to_str().unwrap(), "--lang", "zh"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("预期未满足：client/conn 在 20ms 时处于 ESTABLISHED")
            && out.contains("实际情况：client/conn 在 20ms 时处于 SYN-SENT")
            && out.contains("0 个通过，1 个失败"),
        "{out}"
    );
    let (code, out, _) = tcpsim(&["check", wrong.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("expectation failed: client/conn is ESTABLISHED at 20ms"),
        "{out}"
    );
    assert!(
        out.contains("seen instead: client/conn was SYN-SENT at 20ms"),
        "{out}"
    );

    let (code, _, err) = tcpsim(&["check", "tests/broken/unknown-host.toml"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("tests/broken/unknown-host.toml:15:8: error: there is no host named `clinet`"),
        "{err}"
    );
    let (code, _, err) = tcpsim(&["check", "no/such/file.toml"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no/such/file.toml: error: cannot read the file"),
        "{err}"
    );
}

#[test]
fn cli_run_stopped_at_a_limit_says_which_and_where_to_raise_it() {
    let dir = std::env::temp_dir().join(format!("tcpsim-limit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("many.toml");
    let text = std::fs::read_to_string(root().join("scenarios/http-client-leak.toml")).unwrap();
    // The leak scenario records thousands of events; a limit of 100 stops it early on.
    std::fs::write(&file, format!("{text}\n[limits]\nmax_events = 100\n")).unwrap();
    // A limit has its own exit code (3), and is not counted as a failed expectation.
    let (code, out, err) = tcpsim(&["check", file.to_str().unwrap()]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.contains("0 passed, 0 failed") && out.contains("1 stopped at a limit"),
        "{out}"
    );
    assert!(
        err.contains("after 100 events, the limit")
            && err.contains("help: the limits are set in the file's [limits] table"),
        "{err}"
    );
    let (code, _, err) = tcpsim(&["run", file.to_str().unwrap()]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("after 100 events, the limit"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cli_run_trace_netstat_and_schema() {
    let (code, out, _) = tcpsim(&["run", "scenarios/leaked-close.toml", "--lang", "zh"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("忘记 close()"), "{out}");
    assert!(
        out.contains("CLOSE-WAIT") && out.contains("预期：5 项中满足 5 项"),
        "{out}"
    );

    let (code, out, _) = tcpsim(&["trace", "scenarios/handshake.toml", "--json"]);
    assert_eq!(code, 0);
    assert!(
        out.lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
    );
    assert!(out.lines().count() > 10);

    let (code, out, _) = tcpsim(&[
        "netstat",
        "scenarios/http-client-leak.toml",
        "--at",
        "10min",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("CLOSE_WAIT 595"), "{out}");
    // An output that is the scenario file itself is refused, and the file is left as it was.
    let copy = std::env::temp_dir().join(format!("tcpsim-self-{}.toml", std::process::id()));
    std::fs::copy(root().join("scenarios/handshake.toml"), &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    let p = copy.to_str().unwrap();
    for args in [
        vec!["pcap", p, "-o", p],
        vec!["render", p, "--svg", p],
        vec!["chart", p, "--svg", p],
    ] {
        let (code, _, err) = tcpsim(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("this is the scenario file being read"),
            "{err}"
        );
    }
    assert_eq!(std::fs::read(&copy).unwrap(), before);
    // Running out of ephemeral ports is said, not only counted in the trace.
    let ports = std::env::temp_dir().join(format!("tcpsim-ports-{}.toml", std::process::id()));
    let mut file = String::from(
        "title = { en = \"t\", zh = \"t\" }\ndescription = { en = \"d\", zh = \"d\" }\nduration = \"1s\"\n\
         [[hosts]]\nname = \"client\"\naddr = \"10.0.0.1\"\nephemeral_ports = \"40000-40001\"\n\
         [[hosts]]\nname = \"server\"\naddr = \"10.0.0.2\"\n\
         [[timeline]]\nat = \"0s\"\nhost = \"server\"\ncall = \"listen\"\nsocket = \"l\"\nport = 80\n",
    );
    for i in 0..4 {
        file += &format!(
            "[[timeline]]\nat = \"10ms\"\nhost = \"client\"\ncall = \"connect\"\nsocket = \"c{i}\"\nto = \"server:80\"\n"
        );
    }
    std::fs::write(&ports, file).unwrap();
    let (code, out, err) = tcpsim(&["check", ports.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("2 connect() calls on client failed with EADDRNOTAVAIL"),
        "{out}"
    );
    // "end", as scenario files write it, is the default moment.
    let (code, at_end, _) = tcpsim(&["netstat", "scenarios/handshake.toml", "--at", "end"]);
    assert_eq!(code, 0);
    assert_eq!(at_end, tcpsim(&["netstat", "scenarios/handshake.toml"]).1);
    let (code, _, err) = tcpsim(&["netstat", "scenarios/handshake.toml", "--at", "1h"]);
    assert_eq!(code, 2);
    assert!(err.contains("after the end of the run"), "{err}");

    let (code, out, _) = tcpsim(&["schema"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        std::fs::read_to_string(root().join("scenarios/scenario.schema.json")).unwrap()
    );
    let (code, out, _) = tcpsim(&["--help"]);
    assert_eq!(code, 0);
    for line in [
        "1  an expectation failed",
        "3  a run stopped at one of its limits",
        "4  an output could not be written",
    ] {
        assert!(out.contains(line), "--help does not list: {line}");
    }
    assert!(out.contains("Examples:"));
}

#[test]
fn broken_files_are_explained_in_chinese_too() {
    let mut all = String::new();
    for (name, rel) in toml_files("tests/broken") {
        let text = std::fs::read_to_string(root().join(&rel)).unwrap();
        let Err(errors) = Scenario::parse(&rel, &text) else {
            panic!("{rel} should not parse")
        };
        for e in &errors.0 {
            let (msg, help) = e.text(true);
            // Every message and help a Chinese reader sees is in Chinese, the TOML reader's too.
            let chinese = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            assert!(chinese(msg), "{name}: `{msg}` is not in Chinese");
            assert!(
                help.is_none_or(chinese),
                "{name}: the help `{help:?}` is not in Chinese"
            );
            all += &format!("{}: {msg}\n", e.location());
            if let Some(h) = help {
                all += &format!("  {h}\n");
            }
        }
    }
    insta::assert_snapshot!("broken_all_zh", all);
}

/// A run driven in slices (as the web page drives big runs, to keep painting) gives the trace
/// of a run in one go, whatever the slice size; and a run that hits a limit in a slice fails
/// the same way too.
#[test]
fn sliced_runs_give_the_same_trace() {
    for (stem, rel) in toml_files("scenarios") {
        if stem == "http-client-leak-production" {
            continue; // the same code path as http-client-leak, 60 times longer
        }
        let s = load(&rel);
        let whole = s.run().unwrap();
        for budget in [1u64, 7, 1000] {
            let mut run = s
                .simulator()
                .unwrap()
                .sliced_until(tcpsim::core::time::Instant::ZERO + s.duration)
                .unwrap_or_else(|e| panic!("{stem}: {e}"));
            let mut slices = 0u64;
            let result = loop {
                slices += 1;
                match run.step(budget) {
                    Ok(true) => break Ok(()),
                    Ok(false) => {}
                    Err(e) => break Err(e),
                }
            };
            let trace = run.finish(result).unwrap();
            assert!(
                trace == whole,
                "{stem}: slices of {budget} changed the trace"
            );
            if budget == 1 {
                assert!(
                    slices >= trace.stats.queue_events,
                    "{stem}: {slices} slices for {} events",
                    trace.stats.queue_events
                );
            }
        }
    }
    // A limit hit inside a slice.
    let mut s = load("scenarios/http-client-leak.toml");
    s.max_events = 500;
    let whole = s.run().unwrap_err();
    let mut run = s
        .simulator()
        .unwrap()
        .sliced_until(tcpsim::core::time::Instant::ZERO + s.duration)
        .unwrap();
    let result = loop {
        match run.step(33) {
            Ok(true) => break Ok(()),
            Ok(false) => {}
            Err(e) => break Err(e),
        }
    };
    let sliced = run.finish(result).unwrap_err();
    let tcpsim::scenario::ScenarioRunError::Limit(_, whole) = whole else {
        panic!("not a limit: {whole}")
    };
    assert_eq!(sliced.to_string(), whole.to_string());
    assert!(sliced.partial == whole.partial, "the partial traces differ");
}

/// The CLI speaks the user's language (LC_ALL or LANG) when it reports a file's errors.
#[test]
fn cli_errors_follow_the_language_of_the_environment() {
    let run = |lang: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tcpsim"))
            .args(["check", "tests/broken/unknown-host.toml"])
            .current_dir(root())
            .env("NO_COLOR", "1")
            .env_remove("LC_ALL")
            .env("LANG", lang)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, zh) = run("zh_CN.UTF-8");
    assert_eq!(code, Some(2));
    assert!(
        zh.contains("tests/broken/unknown-host.toml:15:8: 错误: 没有名为 `clinet` 的主机")
            && zh.contains("提示: 现有的主机：client, server"),
        "{zh}"
    );
    let (_, en) = run("en_US.UTF-8");
    assert!(
        en.contains("error: there is no host named `clinet`"),
        "{en}"
    );
}

/// Runs `tcpsim ARGS` writing into a pipe whose reader has already gone (as `| head -1` has
/// after the first line); returns the exit code and standard error.
fn tcpsim_to_closed_pipe(args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tcpsim"))
        .args(args)
        .current_dir(root())
        .stdout(writer)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_reader_that_stops_early_ends_the_program_quietly() {
    for args in [
        &["check", "scenarios/handshake.toml"][..],
        &["trace", "--json", "scenarios/handshake.toml"],
        &["run", "scenarios/handshake.toml"],
        &["netstat", "scenarios/leaked-close.toml"],
    ] {
        let (code, stderr) = tcpsim_to_closed_pipe(args);
        // 141: what a shell shows for a program ended by SIGPIPE, as `git log | head -1` gives.
        assert_eq!(code, Some(141), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}: no panic, no message");
    }
}

#[test]
fn check_lists_the_reacting_calls_that_were_never_made_without_failing() {
    // The client's request waits for `connected`, but nothing listens: connect() is refused.
    let file = r#"
title = { en = "x", zh = "x" }
description = { en = "x", zh = "x" }
duration = "2s"

[[hosts]]
name = "client"
addr = "10.0.0.1"

[[hosts]]
name = "server"
addr = "10.0.0.2"

[[timeline]]
at = "0s"
host = "client"
call = "connect"
socket = "c"
to = "server:80"

[[timeline]]
at = "0s"
host = "client"
call = "send"
socket = "c"
bytes = 300
on = "connected"

[[expect]]
result = "ECONNREFUSED"
call = "connect"
host = "client"
"#;
    let dir = std::env::temp_dir().join(format!("tcpsim-never-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("refused.toml");
    std::fs::write(&path, file).unwrap();
    let path = path.to_str().unwrap();
    let (code, out, err) = tcpsim(&["check", path]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("1 reacting calls were never made:\n        client: send on c, waiting for connected: the connection ended without it"),
        "{out}"
    );
    let zh = std::process::Command::new(env!("CARGO_BIN_EXE_tcpsim"))
        .args(["check", "--lang", "zh", path])
        .output()
        .unwrap();
    let zh = String::from_utf8_lossy(&zh.stdout);
    assert!(
        zh.contains("有 1 个等待事件的调用从未执行：\n        client: send on c，等待 connected：连接结束了，事件没有发生"),
        "{zh}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
