//! Hostile inputs stay within stated bounds of memory, counted by the test's allocator (not by
//! wall time, which a shared machine makes noisy), and get their errors said once.

use std::alloc::{GlobalAlloc, Layout, System};
use tcpsim::scenario::Scenario;
use tcpsim::scenario::error::MAX_REPORTED;

/// Counts the bytes allocated, in total and at most at once, by each thread: the tests of this
/// file run at once on threads of their own, and each counts only its own work.
struct Counting;

thread_local! {
    // (total, now, peak); `const` so that reaching it never allocates.
    static COUNTS: std::cell::Cell<(usize, isize, isize)> = const { std::cell::Cell::new((0, 0, 0)) };
}

fn count(bytes: isize) {
    // A thread being torn down has no counts to keep.
    let _ = COUNTS.try_with(|c| {
        let (mut total, now, peak) = c.get();
        if bytes > 0 {
            total += bytes as usize;
        }
        let now = now + bytes;
        c.set((total, now, peak.max(now)));
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // SAFETY: the layout is passed on unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Bytes this thread allocated (in total, and at most at once) while `f` ran.
fn counted<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    let (total0, now0, _) = COUNTS.with(|c| c.get());
    COUNTS.with(|c| c.set((total0, now0, now0)));
    let out = f();
    let (total, _, peak) = COUNTS.with(|c| c.get());
    (out, total - total0, (peak - now0).max(0) as usize)
}

const HEAD: &str = "title = { en = \"t\", zh = \"t\" }\ndescription = { en = \"d\", zh = \"d\" }\nduration = \"1s\"\n";

/// 16 000 unknown keys: each error's line and column used to be found by counting from the
/// start of the file (30 s for these), and every error was printed.
#[test]
fn thousands_of_errors_are_located_at_once_and_reported_as_a_count() {
    let n = 16_000;
    let text: String = HEAD.to_string()
        + &(0..n)
            .map(|i| format!("bad_key_{i:06} = {i}\n"))
            .collect::<String>();
    let (errors, total, peak) = counted(|| {
        let errors = Scenario::parse("bad.toml", &text).unwrap_err();
        // Locating every reported error is part of the work.
        let shown = errors.to_string();
        (errors, shown)
    });
    let (errors, shown) = errors;
    assert_eq!(errors.0.len(), MAX_REPORTED + 1);
    assert!(
        shown.contains("\nbad.toml:4:1: error: unknown key `bad_key_000000`"),
        "{shown}"
    );
    // Every key, and the hosts the file lacks.
    let more = n + 1 - MAX_REPORTED;
    let last = errors.0.last().unwrap();
    assert_eq!(
        last.message,
        format!("and {more} more errors: fix these first, then check the file again")
    );
    assert!(last.message_zh.contains(&format!("还有 {more} 个错误")));
    // Memory: the file (0.3 MB), its document, and the errors (16 MB at most at once and 79 MB
    // in all when written; the bounds leave room for a dependency's growth, not for a copy of
    // the file per error, which would be gigabytes).
    let mb = |b: usize| b as f64 / 1e6;
    assert!(peak < 40_000_000, "{} MB at most at once", mb(peak));
    assert!(total < 200_000_000, "{} MB allocated in all", mb(total));
}

/// A file of hosts: one more than a file may have is refused at that host, and the most a file
/// may have are set up (once quadratic: 200 000 hosts took 25 s, 20 000 took 5 s).
#[test]
fn hosts_are_limited_and_set_up_in_bounded_memory() {
    use tcpsim::scenario::MAX_HOSTS;
    let hosts = |n: usize| -> String {
        HEAD.to_string()
            + &(0..n)
                .map(|i| {
                    format!(
                        "[[hosts]]\nname = \"h{i}\"\naddr = \"10.{}.{}.{}\"\n",
                        i >> 16,
                        (i >> 8) & 255,
                        i & 255
                    )
                })
                .collect::<String>()
    };
    let over = hosts(MAX_HOSTS + 1);
    let (errors, _, peak) = counted(|| Scenario::parse("hosts.toml", &over).unwrap_err());
    assert_eq!(errors.0.len(), 1, "{errors}");
    let line = 5 + 3 * MAX_HOSTS;
    assert!(
        errors.to_string().starts_with(&format!(
            "hosts.toml:{line}:8: error: the file has 65537 hosts, over the 65536 a file may have"
        )),
        "{errors}"
    );
    // The text is 3.6 MB; toml's document of it, every key and value with its place, about 50
    // times that (measured 181 MB).
    assert!(
        peak < 250_000_000,
        "{} MB at most at once",
        peak / 1_000_000
    );

    let most = hosts(MAX_HOSTS);
    let (ran, _, peak) = counted(|| {
        let s = Scenario::parse("hosts.toml", &most).unwrap();
        s.run().map(|t| t.hosts.len())
    });
    assert_eq!(ran.unwrap(), MAX_HOSTS);
    // Measured 2.7 KB a host with the set-up, the document and the text.
    assert!(
        peak < 400_000_000,
        "{} MB at most at once",
        peak / 1_000_000
    );
}

const EVIL: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J<img src=x onerror=alert(1)>\n!include /etc/passwd %getenv(\"HOME\") $x";

/// Names and texts from a file are checked on the way in, with errors that say where and
/// repeat the text inert.
#[test]
fn a_file_with_hostile_names_or_texts_gets_located_errors_that_print_inert() {
    let bad = |what: &str| {
        // EVIL as a TOML string's contents: its control characters as \uXXXX.
        let escaped: String = EVIL
            .chars()
            .map(|c| match c {
                '"' | '\\' => format!("\\{c}"),
                c if c.is_control() => format!("\\u{:04x}", u32::from(c)),
                c => c.to_string(),
            })
            .collect();
        let toml = what.replace("EVIL", &escaped);
        format!(
            "title = {{ en = \"t\", zh = \"t\" }}\ndescription = {{ en = \"d\", zh = \"d\" }}\nduration = \"1s\"\n\
             [[hosts]]\nname = \"client\"\naddr = \"10.0.0.1\"\n[[hosts]]\nname = \"server\"\naddr = \"10.0.0.2\"\n{toml}"
        )
    };
    for (what, says) in [
        (
            "[[hosts]]\nname = \"EVIL\"\naddr = \"10.0.0.3\"\n",
            "cannot be a host name",
        ),
        (
            "[[timeline]]\nat = \"0s\"\nhost = \"client\"\ncall = \"connect\"\nsocket = \"EVIL\"\nto = \"server:80\"\n",
            "is not a usable socket name",
        ),
        (
            "[[expect]]\nnote = \"EVIL\"\nhost = \"client\"\ncount = \"ESTABLISHED\"\nequals = 0\nat = \"end\"\n",
            "holds control characters",
        ),
    ] {
        let text = bad(what);
        let errors = Scenario::parse("evil.toml", &text).unwrap_err();
        let shown =
            errors.to_string() + &errors.0.iter().map(|e| e.render(true)).collect::<String>();
        assert!(shown.contains(says), "{shown}");
        assert!(shown.contains("evil.toml:1"), "no place: {shown}");
        assert!(
            !shown.chars().any(|c| c.is_control() && c != '\n'),
            "{shown:?}"
        );
    }
}

/// A trace built with the library may carry any socket name: every view shows it inert.
#[test]
fn every_output_shows_a_hostile_socket_name_inert() {
    use tcpsim::core::prelude::*;
    use tcpsim::render::{jsonl, ladder, layout, netstat, sequence, svg};
    let mut sim = Simulator::new(SimConfig::default());
    let c = sim
        .add_host(HostSpec::new("client", [10, 0, 0, 1]))
        .unwrap();
    let s = sim
        .add_host(HostSpec::new("server", [10, 0, 0, 2]))
        .unwrap();
    let ms = Instant::from_millis;
    sim.call(
        ms(0),
        s,
        Call::Listen {
            socket: "l".into(),
            port: 80,
            backlog: 8,
        },
    )
    .unwrap();
    sim.call(
        ms(0),
        s,
        Call::Accept {
            listener: "l".into(),
            socket: EVIL.into(),
        },
    )
    .unwrap();
    let to = "10.0.0.2:80".parse().unwrap();
    sim.call(
        ms(1),
        c,
        Call::Connect {
            socket: EVIL.into(),
            remote: to,
            local_port: None,
        },
    )
    .unwrap();
    sim.call(
        ms(50),
        c,
        Call::Close {
            socket: EVIL.into(),
        },
    )
    .unwrap();
    let trace = sim.run_for(Duration::from_secs(1)).unwrap();
    let l = layout::layout(&trace, None).unwrap();
    let terminal = [
        ladder::render(&trace, &ladder::LadderOptions::default()),
        netstat::render(&trace, Instant::from_millis(20), 10),
    ];
    assert!(
        terminal[0].contains("\\u{1b}]0;pwned"),
        "the name is not shown: {}",
        terminal[0]
    );
    for out in &terminal {
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
    }
    let mermaid = sequence::mermaid(&l, None);
    assert!(!mermaid.contains("<img") && !mermaid.chars().any(|c| c.is_control() && c != '\n'));
    assert!(
        mermaid
            .lines()
            .all(|line| line == "sequenceDiagram" || line.starts_with("    ")),
        "{mermaid}"
    );
    let plantuml = sequence::plantuml(&l, None);
    for bad in ["%getenv", "$x", "<img"] {
        assert!(!plantuml.contains(bad), "{bad} in {plantuml}");
    }
    assert!(
        !plantuml.lines().any(|line| line.starts_with("!include")),
        "{plantuml}"
    );
    let drawn = svg::ladder_svg(&l, &svg::SvgOptions::default());
    assert!(
        !drawn.contains("<img") && drawn.contains("&lt;img"),
        "the name is not escaped in the SVG"
    );
    for line in jsonl::lines(&trace) {
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert!(v.is_object() && !line.contains('\u{1b}'), "{line}");
    }
    // A host's name is checked by the library itself.
    let mut sim = Simulator::new(SimConfig::default());
    assert!(sim.add_host(HostSpec::new(EVIL, [10, 0, 0, 9])).is_err());
}

/// What `tcpsim check` says of a file, in English then Chinese, and the queue events its run
/// took: the file's errors, else its expectations' failures, what the run stopped at, and the
/// words check adds (ports run out, close() twice).
fn check_report(name: &str, bytes: &[u8]) -> (String, u64) {
    use tcpsim::render::i18n::Lang;
    let mut out = String::new();
    let mut events = 0;
    match Scenario::parse_bytes(name, bytes) {
        Err(errors) => {
            for chinese in [false, true] {
                for e in &errors.0 {
                    out += &e.render(chinese);
                    out.push('\n');
                }
            }
        }
        Ok(s) => match s.run() {
            Err(tcpsim::scenario::ScenarioRunError::Setup(e)) => {
                out += &format!("{}\n{}\n", e.render(false), e.render(true));
            }
            Err(tcpsim::scenario::ScenarioRunError::Limit(file, error)) => {
                for lang in [Lang::En, Lang::Zh] {
                    out += &tcpsim::scenario::run_stopped(&file, &error.error, lang);
                    out.push('\n');
                }
            }
            Ok(trace) => {
                events = trace.stats.queue_events;
                let failures = s.check(&trace);
                let said: Vec<_> = tcpsim::scenario::ports_ran_out(&trace)
                    .into_iter()
                    .chain(tcpsim::scenario::closed_twice(&trace))
                    .collect();
                for lang in [Lang::En, Lang::Zh] {
                    out += &format!(
                        "{} of {} expectations failed\n",
                        failures.len(),
                        s.expectations.len()
                    );
                    for f in &failures {
                        out += &f.render(lang);
                        out.push('\n');
                    }
                    for b in &said {
                        out += b.get(lang);
                        out.push('\n');
                    }
                }
            }
        },
    }
    (out, events)
}

/// The bounds a corpus file states in a comment line of its own:
/// `# bounds: peak 4 MB, total 20 MB, events 0`.
fn stated_bounds(name: &str, bytes: &[u8]) -> (f64, f64, u64) {
    let line = bytes
        .split(|b| *b == b'\n')
        .find_map(|l| l.strip_prefix(b"# bounds: "))
        .unwrap_or_else(|| panic!("{name}: no `# bounds: ...` line"));
    let line = std::str::from_utf8(line).unwrap();
    let mut words = line.split([',', ' ']).filter(|w| !w.is_empty());
    let mut get = |key: &str| -> f64 {
        assert_eq!(
            words.next(),
            Some(key),
            "{name}: bounds are `peak N MB, total N MB, events N`"
        );
        let n = words.next().unwrap().parse().unwrap();
        if key != "events" {
            assert_eq!(words.next(), Some("MB"), "{name}");
        }
        n
    };
    (get("peak"), get("total"), get("events") as u64)
}

/// Every file of `tests/hostile/` gets its golden words in both languages, within the bounds
/// of memory and work it states (counted, not timed). Each file says in its first lines what
/// it once did wrong.
#[test]
fn the_hostile_corpus_gets_its_golden_words_within_its_stated_bounds() {
    let mut files: Vec<_> = std::fs::read_dir("tests/hostile")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    for path in files {
        let name = path.display().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let (peak_mb, total_mb, max_events) = stated_bounds(&name, &bytes);
        let ((report, events), total, peak) = counted(|| check_report(&name, &bytes));
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        insta::assert_snapshot!(format!("hostile_{stem}"), report);
        let mb = |b: usize| b as f64 / 1e6;
        assert!(
            mb(peak) <= peak_mb,
            "{name}: {} MB at most at once",
            mb(peak)
        );
        assert!(
            mb(total) <= total_mb,
            "{name}: {} MB allocated in all",
            mb(total)
        );
        assert!(events <= max_events, "{name}: {events} queue events");
        eprintln!(
            "{name}: {:.2} MB at most at once, {:.2} MB in all, {events} queue events",
            mb(peak),
            mb(total)
        );
    }
}
