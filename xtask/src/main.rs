//! The project's own automation: `cargo xtask <command>`. See README.md.
//!
//! Every command installs what it needs (and says so) and fails loudly instead of skipping.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const WASM_TARGET: &str = "wasm32-unknown-unknown";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("bench") => bench(),
        Some("wasm-check") => wasm_check(),
        Some("help") | Some("--help") | Some("-h") | None => {
            print_help();
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`; run `cargo xtask help`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn print_help() {
    println!(
        "cargo xtask <command>

Commands:
  test         everything CI runs: rustfmt check, clippy -D warnings, all tests,
               the core built for {WASM_TARGET}, and the native-vs-wasm trace check
  bench        criterion benchmarks (simulation throughput)
  wasm-check   build the core for {WASM_TARGET}, run a seeded scenario in Node.js,
               and compare its trace digest with the native one"
    );
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn cargo() -> Command {
    let mut c = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

fn run(step: &str, mut cmd: Command) -> Result<(), String> {
    eprintln!("\n==> {step}");
    let status = cmd
        .status()
        .map_err(|e| format!("{step}: could not start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{step} failed ({status})"))
    }
}

fn output(mut cmd: Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn test() -> Result<(), String> {
    let mut fmt = cargo();
    fmt.args(["fmt", "--all", "--", "--check"]);
    run("rustfmt check (fix with `cargo fmt --all`)", fmt)?;

    let mut clippy = cargo();
    clippy.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]);
    run("clippy", clippy)?;

    let mut tests = cargo();
    tests.args(["test", "--workspace", "--all-features"]);
    let (passed, failed) = run_tests("tests", tests)?;

    wasm_check()?;
    eprintln!("\nxtask test: all steps passed");
    // The plain closing line CI reads: totals over every test binary and doc-test run.
    println!("{passed} passed, {failed} failed");
    Ok(())
}

/// Runs `cargo test`, echoing its output, and adds up its `test result:` lines.
fn run_tests(step: &str, mut cmd: Command) -> Result<(u64, u64), String> {
    use std::io::{BufRead, BufReader};
    eprintln!("\n==> {step}");
    cmd.stdout(std::process::Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("{step}: could not start: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (mut passed, mut failed) = (0u64, 0u64);
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| e.to_string())?;
        println!("{line}");
        if let Some(rest) = line.trim().strip_prefix("test result: ") {
            let count = |word: &str| -> u64 {
                rest.split(';')
                    .find_map(|part| {
                        part.trim()
                            .trim_start_matches("ok. ")
                            .trim_start_matches("FAILED. ")
                            .strip_suffix(word)
                    })
                    .and_then(|n| n.trim().parse().ok())
                    .unwrap_or(0)
            };
            passed += count(" passed");
            failed += count(" failed");
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!(
            "{step} failed ({status}): {passed} passed, {failed} failed"
        ));
    }
    if passed == 0 {
        return Err(format!("{step}: no test ran"));
    }
    Ok((passed, failed))
}

fn bench() -> Result<(), String> {
    let mut c = cargo();
    c.args(["bench", "-p", "tcpsim-core", "-p", "tcpsim-scenario"]);
    run("benchmarks", c)
}

/// Installs the wasm target through rustup when it is missing.
fn ensure_wasm_target() -> Result<(), String> {
    let installed = output({
        let mut c = Command::new("rustup");
        c.args(["target", "list", "--installed"]);
        c
    })
    .map_err(|e| format!("rustup is needed to add the {WASM_TARGET} target: {e}"))?;
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        return Ok(());
    }
    let mut c = Command::new("rustup");
    c.args(["target", "add", WASM_TARGET]);
    run(&format!("installing the {WASM_TARGET} target"), c)
}

/// Builds the core for wasm32 and checks that a seeded run gives the same trace there as natively.
fn wasm_check() -> Result<(), String> {
    ensure_wasm_target()?;
    let mut build = cargo();
    build.args([
        "build",
        "--release",
        "-p",
        "tcpsim-wasm-check",
        "--target",
        WASM_TARGET,
    ]);
    run(&format!("building the core for {WASM_TARGET}"), build)?;

    let wasm = root().join(format!(
        "target/{WASM_TARGET}/release/tcpsim_wasm_check.wasm"
    ));
    let node = which_node().ok_or(
        "Node.js is needed to run the wasm build (install the Debian package `nodejs`); \
         the native-vs-wasm determinism check cannot be skipped",
    )?;
    eprintln!("\n==> running the wasm build in {node}");
    let script = root().join("tests/wasm-determinism.mjs");
    let wasm_out = output({
        let mut c = Command::new(&node);
        c.arg(&script).arg(&wasm);
        c
    })
    .map_err(|e| format!("running the wasm build failed: {e}"))?;

    let native_out = output({
        let mut c = cargo();
        c.args([
            "run",
            "--quiet",
            "--release",
            "-p",
            "tcpsim-wasm-check",
            "--bin",
            "native-digest",
        ]);
        c
    })?;
    let (w, n) = (wasm_out.trim(), native_out.trim());
    eprintln!("native: {n}\nwasm:   {w}");
    if w.is_empty() || w != n {
        return Err(format!(
            "the wasm trace digests differ from the native ones:\n native {n}\n wasm   {w}"
        ));
    }
    eprintln!("native and wasm traces are identical");
    Ok(())
}

fn which_node() -> Option<String> {
    for cand in ["node", "nodejs"] {
        if Command::new(cand)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Some(cand.to_string());
        }
    }
    None
}
