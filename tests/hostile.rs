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
