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

#[test]
fn tables_of_real_sockets_show_which_side_leaks() {
    let name = format!("tcpsim-evidence-{}", std::process::id());
    let added = ip(&["netns", "add", &name]);
    assert!(
        added.status.success(),
        "this test makes real sockets in a network namespace: `ip netns add` needs root \
         (CI runs as root): {}",
        String::from_utf8_lossy(&added.stderr)
    );
    let mut ns = Namespace(name.clone(), None);
    assert!(
        ip(&["netns", "exec", &name, "ip", "link", "set", "lo", "up"])
            .status
            .success()
    );
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
