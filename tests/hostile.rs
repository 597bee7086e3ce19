//! Hostile inputs stay within stated bounds of memory, counted by the test's allocator (not by
//! wall time, which a shared machine makes noisy), and get their errors said once.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use tcpsim::scenario::Scenario;
use tcpsim::scenario::error::MAX_REPORTED;

/// Counts the bytes allocated, in total and at most at once.
struct Counting;

static TOTAL: AtomicUsize = AtomicUsize::new(0);
static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        TOTAL.fetch_add(layout.size(), Ordering::Relaxed);
        let now = NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: the layout is passed on unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Bytes allocated (in total, and at most at once) while `f` runs. Tests in this file run one
/// at a time (a lock), so the counts are theirs.
fn counted<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = ONE.lock().unwrap_or_else(|e| e.into_inner());
    let (total0, now0) = (TOTAL.load(Ordering::SeqCst), NOW.load(Ordering::SeqCst));
    PEAK.store(now0, Ordering::SeqCst);
    let out = f();
    let total = TOTAL.load(Ordering::SeqCst) - total0;
    let peak = PEAK.load(Ordering::SeqCst) - now0;
    (out, total, peak)
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
