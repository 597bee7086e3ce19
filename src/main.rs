//! The `tcpsim` command: run, check, trace and inspect scenario files.

use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant as WallClock;
use tcpsim::core::prelude::*;
use tcpsim::render::i18n::Bi;
use tcpsim::render::i18n::msg::{CliMsg, RunMsg, ViewMsg, error_label, help_label};
use tcpsim::render::{jsonl, ladder, netstat};
use tcpsim::scenario::duration::HumanDuration;
use tcpsim::scenario::error::Pretty;
use tcpsim::scenario::{MAX_FILE_BYTES, Scenario, ScenarioErrors, run_stopped};

/// See Cargo.toml: a large run spends most of its time faulting in fresh memory otherwise.
#[cfg(not(target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "tcpsim",
    version,
    about = "Deterministic TCP connection simulator: see what happens on the wire and in each endpoint",
    after_help = "Examples:\n  tcpsim run scenarios/leaked-close.toml\n  tcpsim check scenarios/*.toml\n  tcpsim trace scenarios/handshake.toml --json > trace.jsonl\n  tcpsim netstat scenarios/http-client-leak.toml --at 30min\n  tcpsim schema > scenario.schema.json\n\nExit codes:\n  0  done; every expectation met\n  1  an expectation failed (check)\n  2  bad input: a file or an argument (the error says where)\n  3  a run stopped at one of its limits (raise them in the file's [limits])\n  4  an output could not be written or drawn\n  141  standard output was closed by its reader (as `| head` does)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum ChartKind {
    States,
    Sequence,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum Lang {
    En,
    Zh,
}

impl Lang {
    fn words(self) -> tcpsim::render::i18n::Lang {
        match self {
            Lang::En => tcpsim::render::i18n::Lang::En,
            Lang::Zh => tcpsim::render::i18n::Lang::Zh,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and draw one connection as a ladder diagram, then the sockets at the end.
    #[command(
        after_help = "Examples:\n  tcpsim run scenarios/handshake.toml\n  tcpsim run scenarios/http-client-leak.toml --socket client/req3 --until 2min\n  tcpsim run scenarios/leaked-close.toml --lang zh"
    )]
    Run {
        /// The scenario file (`-` reads standard input).
        file: PathBuf,
        /// The connection to draw, as host/socket (default: the first connection).
        #[arg(long)]
        socket: Option<String>,
        /// Draw events up to this time only, e.g. 2s.
        #[arg(long)]
        until: Option<String>,
        /// Most moments (rows) to draw.
        #[arg(long, default_value_t = 200)]
        rows: usize,
        /// Language of the title and description (default: from LANG).
        #[arg(long)]
        lang: Option<Lang>,
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
    },
    /// Run scenarios and check their expectations. Exit code 1 if any fails, 2 on bad input,
    /// 3 if a run stopped at a limit.
    #[command(
        after_help = "Examples:\n  tcpsim check scenarios/*.toml\n  tcpsim check my-incident.toml\n  tcpsim check my-incident.toml --lang zh"
    )]
    Check {
        /// Scenario files (`-` reads standard input).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Language of the report (default: from LC_ALL or LANG).
        #[arg(long)]
        lang: Option<Lang>,
    },
    /// Print the trace as JSON Lines, one event per line.
    #[command(
        after_help = "Example:\n  tcpsim trace scenarios/handshake.toml --json | jq 'select(.kind==\"state_changed\")'"
    )]
    Trace {
        /// The scenario file (`-` reads standard input).
        file: PathBuf,
        /// JSON Lines (the only format for now; required so later formats stay explicit).
        #[arg(long, required = true)]
        json: bool,
    },
    /// Show every host's sockets at a moment, ss -tan style, with counts per state.
    #[command(after_help = "Example:\n  tcpsim netstat scenarios/http-client-leak.toml --at 30min")]
    Netstat {
        /// The scenario file (`-` reads standard input).
        file: PathBuf,
        /// The moment, e.g. 30s, or "end" (the default: the end of the run).
        #[arg(long)]
        at: Option<String>,
        /// Most sockets to list per host.
        #[arg(long, default_value_t = 30)]
        rows: usize,
    },
    /// Draw a connection for documentation: SVG (self-contained), Mermaid or PlantUML.
    #[command(
        after_help = "Examples:\n  tcpsim render scenarios/four-way-close.toml --svg close.svg\n  tcpsim render scenarios/leaked-close.toml --mermaid > leak.mmd\n  tcpsim render scenarios/handshake.toml --plantuml -o handshake.puml --until 21ms"
    )]
    Render {
        /// The scenario file (`-` reads standard input).
        file: PathBuf,
        /// Write a self-contained SVG to this file.
        #[arg(long, value_name = "OUT", group = "format")]
        svg: Option<PathBuf>,
        /// Write the RFC 9293 state diagram with the path each endpoint took, as SVG.
        #[arg(long, value_name = "OUT", group = "format")]
        state_diagram: Option<PathBuf>,
        /// Print a Mermaid sequenceDiagram (renders on GitHub).
        #[arg(long, group = "format")]
        mermaid: bool,
        /// Print a PlantUML sequence diagram.
        #[arg(long, group = "format")]
        plantuml: bool,
        /// Write the text output to this file instead of standard output.
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
        /// Draw up to this moment, e.g. 2s.
        #[arg(long, conflicts_with = "step")]
        until: Option<String>,
        /// Draw up to this step (as numbered in the web app, from 1).
        #[arg(long)]
        step: Option<usize>,
        /// The connection to draw, as host/socket (default: the first connection).
        #[arg(long)]
        socket: Option<String>,
        /// Language of the SVG's title and description (default: from LANG).
        #[arg(long)]
        lang: Option<Lang>,
    },
    /// Chart a run: sockets per state over time, or a time-sequence graph of a connection.
    #[command(
        after_help = "Examples:\n  tcpsim chart scenarios/http-client-leak.toml --svg leak.svg\n  tcpsim chart scenarios/http-client-leak.toml --png leak.png --host client\n  tcpsim chart scenarios/lost-fin-retransmit.toml --kind sequence --svg seq.svg"
    )]
    Chart {
        /// The scenario file (`-` reads standard input).
        file: PathBuf,
        #[arg(long, value_name = "OUT", group = "out", required = true)]
        svg: Option<PathBuf>,
        /// PNG charts are labelled in English: their font has no Chinese glyphs.
        #[arg(long, value_name = "OUT", group = "out", required = true)]
        png: Option<PathBuf>,
        /// `states`: sockets per state over time on a host; `sequence`: sequence numbers
        /// against time for the data one endpoint sends (tcptrace style).
        #[arg(long, value_enum, default_value_t = ChartKind::States)]
        kind: ChartKind,
        /// The host to count (default: the one with the most open sockets at the end).
        #[arg(long)]
        host: Option<String>,
        /// For `sequence`: the sending endpoint, as host/socket (default: the first connection).
        #[arg(long)]
        socket: Option<String>,
        /// Language of an SVG chart's title and axes (default: from LANG).
        #[arg(long)]
        lang: Option<Lang>,
    },
    /// Write the run's segments as a pcap file, for Wireshark and tshark.
    #[command(
        after_help = "Example:\n  tcpsim pcap scenarios/lost-fin-retransmit.toml -o run.pcap && tshark -r run.pcap"
    )]
    Pcap {
        /// The scenario file (`-` reads standard input).
        file: PathBuf,
        #[arg(short = 'o', long, required = true)]
        output: PathBuf,
    },
    /// Print the JSON Schema of scenario files (for editor completion and checking).
    Schema,
    /// Write a scenario that replays connection N of a capture (as `diagnose` numbers them):
    /// the calls each side evidently made, with expectations that it ends where the capture
    /// left it. Then change a call (add the close() that was never made) and run it again.
    #[command(
        after_help = "Examples:\n  tcpsim diagnose incident.pcap\n  tcpsim scenario-from incident.pcap 3 -o replay.toml\n  tcpsim check replay.toml"
    )]
    ScenarioFrom {
        /// The capture (pcap or pcapng).
        capture: PathBuf,
        /// The connection's number in `tcpsim diagnose`'s list, from 1.
        connection: usize,
        /// Where to write the scenario (default: standard output).
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
    /// Read a socket table (ss, netstat, /proc/net/tcp) or a capture (pcap, pcapng) and say
    /// what it shows: which side holds CLOSE-WAIT and why, what piles up, who never closed,
    /// what to do, and the lesson that shows it.
    #[command(
        after_help = "Reads: ss -tan (-p, -o, -e, -i), netstat -tan/-tanp (Linux), netstat -an (macOS),\n\
                      netstat -ano (Windows; also as PowerShell saves it, in UTF-16), /proc/net/tcp(6),\n\
                      and counts per state (CLOSE_WAIT 3000, or uniq -c's 3000 CLOSE_WAIT);\n\
                      and captures: pcap and pcapng from tcpdump, dumpcap or Wireshark.\n\n\
                      Examples:\n  ss -tanp | tcpsim diagnose -\n  tcpsim diagnose incident.pcap\n  tcpdump -i any -w - port 80 | tcpsim diagnose -\n  tcpsim diagnose netstat.txt --fd-limit 1024\n  tcpsim diagnose ss.txt --json\n  tcpsim diagnose ss.txt --lang zh"
    )]
    Diagnose {
        /// The table or capture (`-` reads standard input).
        file: PathBuf,
        /// The processes' descriptor limit (`ulimit -n`), to say how close each is to it.
        #[arg(long)]
        fd_limit: Option<u64>,
        /// The findings as JSON, for scripts and CI.
        #[arg(long)]
        json: bool,
        /// Language of the report (default: from LC_ALL or LANG).
        #[arg(long)]
        lang: Option<Lang>,
    },
}

/// What a command ends with: `Err` for an early stop (bad input, a failed run).
type Outcome = Result<ExitCode, ExitCode>;

/// Exit codes, as `--help` lists them: 1 for failed expectations only.
const FAILED: u8 = 1;
const BAD_INPUT: u8 = 2;
const LIMIT: u8 = 3;
const NOT_WRITTEN: u8 = 4;

/// Writes to standard output; when the reader has gone (`tcpsim check | head -1`), ends the
/// program quietly with the status a shell shows for SIGPIPE (128 + 13), as other tools do,
/// instead of `print!`'s panic.
macro_rules! out {
    ($($arg:tt)*) => {
        write_out(format_args!($($arg)*))
    };
}

macro_rules! outln {
    () => {
        write_out(format_args!("\n"))
    };
    ($($arg:tt)*) => {{
        write_out(format_args!($($arg)*));
        write_out(format_args!("\n"));
    }};
}

fn write_out(args: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    if let Err(e) = std::io::stdout().lock().write_fmt(args) {
        stdout_failed(&e);
    }
}

/// Ends the program after a failed write to standard output: quietly with 141 when the reader
/// has gone, with a message and 1 otherwise (a full disk).
fn stdout_failed(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(141);
    }
    say_error(None, CliMsg::CannotWriteStdout(e.to_string()));
    std::process::exit(NOT_WRITTEN.into());
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `run --lang` and `check --lang` hold for every message of the command, errors included.
    if let Command::Run { lang: Some(l), .. }
    | Command::Check { lang: Some(l), .. }
    | Command::Diagnose { lang: Some(l), .. } = &cli.command
    {
        let _ = LANG_FLAG.set(*l);
    }
    let outcome: Outcome = match cli.command {
        Command::Run {
            file,
            socket,
            until,
            rows,
            lang: _,
            color,
        } => cmd_run(&file, socket, until, rows, color),
        Command::Check { files, lang: _ } => cmd_check(&files),
        Command::Trace { file, json: _ } => cmd_trace(&file),
        Command::Netstat { file, at, rows } => cmd_netstat(&file, at, rows),
        Command::Render {
            file,
            svg,
            state_diagram,
            mermaid,
            plantuml,
            output,
            until,
            step,
            socket,
            lang,
        } => cmd_render(
            &file,
            svg,
            state_diagram,
            mermaid,
            plantuml,
            output,
            until,
            step,
            socket,
            lang,
        ),
        Command::Chart {
            file,
            svg,
            png,
            kind,
            host,
            socket,
            lang,
        } => cmd_chart(&file, svg, png, kind, host, socket, lang),
        Command::Pcap { file, output } => cmd_pcap(&file, &output),
        Command::Schema => {
            out!("{}", tcpsim::scenario::json_schema());
            Ok(ExitCode::SUCCESS)
        }
        Command::Diagnose {
            file,
            fd_limit,
            json,
            lang: _,
        } => cmd_diagnose(&file, fd_limit, json),
        Command::ScenarioFrom {
            capture,
            connection,
            output,
        } => cmd_scenario_from(&capture, connection, output.as_deref()),
    };
    outcome.unwrap_or_else(|code| code)
}

fn cmd_pcap(file: &Path, output: &Path) -> Outcome {
    not_the_input(file, [Some(output)])?;
    let trace = load_view(file)?.trace;
    write_file(output, tcpsim::render::pcap::pcap(&trace))
}

/// Refuses an output that is the scenario file itself (`pcap x.toml -o x.toml` would replace
/// the file with a capture).
fn not_the_input<'a>(
    input: &Path,
    outputs: impl IntoIterator<Item = Option<&'a Path>>,
) -> Result<(), ExitCode> {
    let same = |out: &Path| match (std::fs::canonicalize(input), std::fs::canonicalize(out)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    match outputs.into_iter().flatten().find(|out| same(out)) {
        Some(out) => {
            say_error(Some(out), CliMsg::OutputIsInput);
            Err(ExitCode::from(BAD_INPUT))
        }
        None => Ok(()),
    }
}

/// Writes an output file, or says why it could not.
fn write_file(path: &Path, contents: impl AsRef<[u8]>) -> Outcome {
    std::fs::write(path, contents)
        .map(|()| ExitCode::SUCCESS)
        .map_err(|e| {
            say_error(Some(path), CliMsg::CannotWrite(e.to_string()));
            ExitCode::from(NOT_WRITTEN)
        })
}

/// Words of the command line in `lang`.
fn said(lang: Lang, m: ViewMsg) -> String {
    m.text().get(lang.words()).to_string()
}

/// Prints an error line in the user's language: `[place: ]error: what`.
fn say_error(place: Option<&Path>, what: impl Into<Bi>) {
    let lang = lang_from_env().words();
    let text: Bi = what.into();
    let place = place.map_or(String::new(), |p| format!("{}: ", p.display()));
    eprintln!("{place}{}: {}", error_label(lang), text.get(lang));
}

/// Prints a file's errors in the user's language (LC_ALL, LANG), with the source snippet on a
/// terminal.
fn report(errors: &ScenarioErrors) {
    let fancy = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let chinese = lang_from_env() == Lang::Zh;
    for e in &errors.0 {
        if fancy {
            eprintln!(
                "{:?}",
                miette::Report::new(Pretty::in_language(e, chinese).into_owned())
            );
        } else {
            eprintln!("{}", e.render(chinese));
        }
    }
}

/// Reads a scenario file, or standard input for `-`, up to one byte over the most a scenario
/// may be (standard input may never end), and parses it.
fn load(path: &Path) -> Result<Scenario, ExitCode> {
    load_from(path, open_input(path)?)
}

fn load_from(path: &Path, input: Box<dyn std::io::BufRead + Send>) -> Result<Scenario, ExitCode> {
    let bytes = read_all(path, input, MAX_FILE_BYTES)?;
    Scenario::parse_bytes(&input_name(path), &bytes).map_err(|e| {
        report(&e);
        ExitCode::from(BAD_INPUT)
    })
}

/// How messages name an input: its path, or `<stdin>` for `-`.
fn input_name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// A file, or standard input for `-`, buffered; says why not.
fn open_input(path: &Path) -> Result<Box<dyn std::io::BufRead + Send>, ExitCode> {
    if path == Path::new("-") {
        return Ok(Box::new(std::io::BufReader::new(std::io::stdin())));
    }
    match std::fs::File::open(path) {
        Ok(f) => Ok(Box::new(std::io::BufReader::new(f))),
        Err(e) => {
            say_error(Some(path), CliMsg::CannotRead(e.to_string()));
            Err(ExitCode::from(BAD_INPUT))
        }
    }
}

/// An input's bytes, up to `limit` and one more (standard input may never end: one more is
/// how the reader tells a text over its limit); says why not.
fn read_all(
    path: &Path,
    input: Box<dyn std::io::BufRead + Send>,
    limit: usize,
) -> Result<Vec<u8>, ExitCode> {
    use std::io::Read;
    let mut bytes = Vec::new();
    match input.take(limit as u64 + 1).read_to_end(&mut bytes) {
        Ok(_) => Ok(bytes),
        Err(e) => {
            say_error(Some(path), CliMsg::CannotRead(e.to_string()));
            Err(ExitCode::from(BAD_INPUT))
        }
    }
}

/// A capture that could not be read, said in the user's language with what to do.
fn say_capture_error(
    file: &Path,
    name: &str,
    e: tcpsim::evidence::capture::CaptureError,
) -> ExitCode {
    use tcpsim::evidence::capture::CaptureError;
    use tcpsim::render::i18n::evidence::ReportMsg;
    let lang = lang_from_env().words();
    let msg = match e {
        CaptureError::NotACapture => ReportMsg::NotACapture,
        CaptureError::BadBlock { offset } => ReportMsg::CaptureStopped(offset),
        CaptureError::Io(e) => {
            say_error(Some(file), CliMsg::CannotRead(e));
            return ExitCode::from(BAD_INPUT);
        }
    };
    eprintln!(
        "{}: {}: {}\n  {}: {}",
        tcpsim::core::text::terminal(name),
        error_label(lang),
        msg.text().get(lang),
        help_label(lang),
        ReportMsg::CaptureFormats.text().get(lang)
    );
    ExitCode::from(BAD_INPUT)
}

/// `tcpsim diagnose`: a socket table, read and explained.
fn cmd_diagnose(file: &Path, fd_limit: Option<u64>, as_json: bool) -> Outcome {
    use tcpsim::evidence::{findings, report, table};
    use tcpsim::render::i18n::evidence::ReportMsg;
    let lang = lang_from_env();
    let name = input_name(file);
    let mut input = open_input(file)?;
    // A capture is told by its first bytes (`tcpdump -w - | tcpsim diagnose -` too).
    if input
        .fill_buf()
        .is_ok_and(tcpsim::evidence::capture::is_capture)
    {
        return diagnose_capture(input, file, &name, as_json);
    }
    let bytes = read_all(file, input, table::MAX_TABLE_BYTES)?;
    let text = table::decode(&bytes);
    let t = match table::read(&text) {
        Ok(t) => t,
        Err(e) => {
            let (msg, place) = match e {
                table::TableError::TooLarge => (
                    ReportMsg::TooLarge(table::MAX_TABLE_BYTES as u64),
                    String::new(),
                ),
                table::TableError::NoRows { first } => (
                    ReportMsg::NoRows,
                    first.map_or(String::new(), |l| format!(":{l}:1")),
                ),
            };
            let lang = lang.words();
            eprintln!(
                "{}{place}: {}: {}\n  {}: {}",
                tcpsim::core::text::terminal(&name),
                error_label(lang),
                msg.text().get(lang),
                help_label(lang),
                ReportMsg::Formats.text().get(lang)
            );
            return Err(ExitCode::from(BAD_INPUT));
        }
    };
    let r = findings::diagnose(&t, &findings::Options { fd_limit });
    if as_json {
        outln!("{}", report::json(&t, &r));
    } else {
        out!("{}", report::text(&name, &t, &r, lang.words()));
    }
    Ok(ExitCode::SUCCESS)
}

/// `tcpsim scenario-from`: a captured connection as a scenario file.
fn cmd_scenario_from(file: &Path, n: usize, output: Option<&Path>) -> Outcome {
    use tcpsim::evidence::{capture, replay};
    let cap = capture::read(open_input(file)?)
        .map_err(|e| say_capture_error(file, &input_name(file), e))?;
    let Some(c) = n.checked_sub(1).and_then(|i| cap.connections.get(i)) else {
        say_error(
            Some(file),
            CliMsg::NoSuchConnection(n, cap.connections.len()),
        );
        return Err(ExitCode::from(BAD_INPUT));
    };
    let text = match replay::scenario_from(&file.display().to_string(), n, c) {
        Ok(t) => t,
        Err(e) => {
            let why = match e {
                replay::NotReplayable::Ipv6 => CliMsg::NotReplayableIpv6,
                replay::NotReplayable::Story(s) => CliMsg::NotReplayable(s.key()),
            };
            say_error(Some(file), why);
            return Err(ExitCode::from(BAD_INPUT));
        }
    };
    match output {
        Some(path) => {
            not_the_input(file, [Some(path)])?;
            write_file(path, text)
        }
        None => {
            out!("{text}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `tcpsim diagnose` of a capture: its connections, how each went, both endpoints' states.
fn diagnose_capture(
    input: Box<dyn std::io::BufRead + Send>,
    file: &Path,
    name: &str,
    as_json: bool,
) -> Outcome {
    use tcpsim::evidence::{capture, report};
    let lang = lang_from_env().words();
    let cap = capture::read(input).map_err(|e| say_capture_error(file, name, e))?;
    if as_json {
        outln!("{}", report::capture_json(&cap));
    } else {
        out!("{}", report::capture_text(name, &cap, lang));
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_time(s: &str, what: &'static str) -> Result<Instant, ExitCode> {
    s.parse::<HumanDuration>()
        .map(|d| Instant::from_micros(d.get().as_micros()))
        .map_err(|e| {
            say_error(None, CliMsg::BadTime(what, e.msg()));
            ExitCode::from(BAD_INPUT)
        })
}

/// What the views draw: a scenario's run, or a capture read as a trace.
struct Loaded {
    trace: Trace,
    title: Bi,
    description: Bi,
    /// When the run or the capture ended.
    end: Instant,
    /// The scenario, for a run (its expectations).
    scenario: Option<Scenario>,
    /// The capture, read (its connections' stories).
    capture: Option<tcpsim::evidence::capture::Capture>,
}

/// Loads a scenario file and runs it (with progress), or reads a capture (told by its first
/// bytes) as an observed trace; or says why not.
fn load_view(file: &Path) -> Result<Loaded, ExitCode> {
    let mut input = open_input(file)?;
    if input
        .fill_buf()
        .is_ok_and(tcpsim::evidence::capture::is_capture)
    {
        return load_capture(input, file);
    }
    let s = load_from(file, input)?;
    let trace = run_with_progress(&s)?;
    Ok(Loaded {
        title: Bi::new(s.title.en.clone(), s.title.zh.clone()),
        description: Bi::new(s.description.en.trim(), s.description.zh.trim()),
        end: s.end(),
        trace,
        scenario: Some(s),
        capture: None,
    })
}

/// A capture as an observed trace, with its title and what in it is inferred.
fn load_capture(input: Box<dyn std::io::BufRead + Send>, file: &Path) -> Result<Loaded, ExitCode> {
    use tcpsim::evidence::observed::{MAX_TRACE_PACKETS, TraceError, read_trace};
    use tcpsim::render::i18n::evidence::ReportMsg;
    let name = input_name(file);
    let lang = lang_from_env().words();
    let drawn = read_trace(input, &name, MAX_TRACE_PACKETS).map_err(|e| {
        let msg = match e {
            TraceError::Capture(e) => return say_capture_error(file, &name, e),
            TraceError::TooManyPackets { limit } => ReportMsg::TooManyPackets(limit),
            TraceError::NoConnection { ipv6 } => ReportMsg::NothingToDraw(ipv6),
        };
        eprintln!(
            "{}: {}: {}\n  {}: {}",
            tcpsim::core::text::terminal(&name),
            error_label(lang),
            msg.text().get(lang),
            help_label(lang),
            ReportMsg::DrawHelp.text().get(lang)
        );
        ExitCode::from(BAD_INPUT)
    })?;
    if drawn.ipv6_left_out > 0 {
        eprintln!(
            "{}: {}",
            tcpsim::core::text::terminal(&name),
            ReportMsg::Ipv6LeftOut(drawn.ipv6_left_out).text().get(lang)
        );
    }
    let k = drawn.capture.connections.len() as u64 - drawn.ipv6_left_out;
    Ok(Loaded {
        title: ReportMsg::ObservedTitle(name, k).text(),
        description: ReportMsg::ObservedNote.text(),
        end: drawn.trace.end,
        trace: drawn.trace,
        scenario: None,
        capture: Some(drawn.capture),
    })
}

/// How the capture's connection that `socket` belongs to went, in the user's words.
fn story_of(l: &Loaded, socket: tcpsim::core::id::SocketId) -> Option<String> {
    use tcpsim::render::i18n::evidence::ReportMsg;
    let c = l
        .trace
        .observed
        .as_ref()?
        .connections
        .iter()
        .find(|c| c.client == socket || c.server == Some(socket))?;
    let conn = l.capture.as_ref()?.connections.get(c.number as usize - 1)?;
    let addr = |a: Option<std::net::SocketAddr>| a.map(|a| a.to_string()).unwrap_or_default();
    let story = conn
        .story
        .said(&addr(conn.client.addr), &addr(conn.server.addr));
    let lang = lang_from_env().words();
    Some(
        ReportMsg::ConnectionStory(u64::from(c.number), story.get(lang).to_string())
            .text()
            .get(lang)
            .to_string(),
    )
}

/// `--socket host/name` to the socket it names in the run.
fn resolve_socket(
    trace: &Trace,
    spec: Option<String>,
) -> Result<Option<tcpsim::core::id::SocketId>, ExitCode> {
    let Some(spec) = spec else { return Ok(None) };
    // An address names the latest socket with it; a number, a capture's connection (its
    // client) as `tcpsim diagnose` numbers them; else host/name.
    let by_addr = || {
        let addr: std::net::SocketAddrV4 = spec.trim().parse().ok()?;
        trace
            .sockets
            .iter()
            .rev()
            .find(|s| s.local == addr)
            .map(|s| s.id)
    };
    let by_number = || {
        let n: u32 = spec.trim().parse().ok()?;
        let o = trace.observed.as_ref()?;
        o.connections
            .iter()
            .find(|c| c.number == n)
            .map(|c| c.client)
    };
    let by_name = || {
        spec.split_once('/')
            .and_then(|(h, n)| trace.socket_by_label(trace.host_by_name(h)?, n))
    };
    match by_addr().or_else(by_number).or_else(by_name) {
        Some(id) => Ok(Some(id)),
        None => {
            say_error(None, CliMsg::NoSuchSocket(spec));
            Err(ExitCode::from(BAD_INPUT))
        }
    }
}

/// Runs with a progress line on standard error when the run takes over a second.
fn run_with_progress(s: &Scenario) -> Result<Trace, ExitCode> {
    let lang = lang_from_env();
    let sim = s.simulator().map_err(|e| {
        eprintln!("{}", e.render(lang == Lang::Zh));
        ExitCode::from(BAD_INPUT)
    })?;
    let start = WallClock::now();
    let mut shown = false;
    let fail = |error: &SimError| {
        eprintln!("{}", run_stopped(&s.source.name, error, lang.words()));
        ExitCode::from(LIMIT)
    };
    // A sliced run sizes the trace for the whole run before it starts, as the web app's does;
    // the slices only let the progress line show on a long run.
    let mut run = sim
        .sliced_until(Instant::ZERO + s.duration)
        .map_err(|e| fail(&e.error))?;
    let result = loop {
        match run.step(1 << 16) {
            Ok(false) => {}
            done => break done.map(|_| ()),
        }
        if start.elapsed().as_secs_f64() > 1.0 && std::io::stderr().is_terminal() {
            let (now, end) = run.progress();
            let line = CliMsg::Simulating {
                file: s.source.name.clone(),
                percent: now.as_micros() * 100 / end.as_micros().max(1),
                now: Duration::from_micros(now.as_micros()),
                end: s.duration,
            };
            eprint!("\r{}   ", line.text().get(lang.words()));
            shown = true;
        }
    };
    let trace = run.finish(result).map_err(|e| fail(&e.error))?;
    if shown {
        let tenths = start.elapsed().as_millis() as u64 / 100;
        let line = CliMsg::Simulated(s.duration, tenths);
        eprintln!("\r{}{:30}", line.text().get(lang.words()), "");
    }
    Ok(trace)
}

/// The language asked for with `--lang`, which then holds for every message of the command.
static LANG_FLAG: std::sync::OnceLock<Lang> = std::sync::OnceLock::new();

/// The user's language: `--lang`, else LC_ALL or LANG.
fn lang_from_env() -> Lang {
    if let Some(l) = LANG_FLAG.get() {
        return *l;
    }
    let v = std::env::var("LC_ALL")
        .or_else(|_| std::env::var("LANG"))
        .unwrap_or_default();
    if v.starts_with("zh") {
        Lang::Zh
    } else {
        Lang::En
    }
}

fn cmd_run(
    file: &Path,
    socket: Option<String>,
    until: Option<String>,
    rows: usize,
    color: ColorChoice,
) -> Outcome {
    let until = until.map(|u| parse_time(&u, "--until")).transpose()?;
    let loaded = load_view(file)?;
    let trace = &loaded.trace;
    let sock = resolve_socket(trace, socket)?;
    let color = match color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let lang = lang_from_env();
    let (title, desc) = (
        loaded.title.get(lang.words()),
        loaded.description.get(lang.words()),
    );
    let opts = ladder::LadderOptions {
        socket: sock,
        color,
        max_times: rows,
        until,
        lang: lang.words(),
        ..Default::default()
    };
    outln!("{title}\n{}\n", desc.trim());
    out!("{}", ladder::render(trace, &opts));
    if let Some(story) = sock
        .or_else(|| trace.first_connection())
        .and_then(|s| story_of(&loaded, s))
    {
        outln!("\n{story}");
    }
    out!(
        "\n{}",
        netstat::render_in(trace, loaded.end, 10, lang.words())
    );
    let Some(s) = &loaded.scenario else {
        return Ok(ExitCode::SUCCESS);
    };
    let failures = s.check(trace);
    if !s.expectations.is_empty() {
        let (met, all) = (s.expectations.len() - failures.len(), s.expectations.len());
        outln!("\n{}", said(lang, ViewMsg::Met(met, all)));
        for f in &failures {
            outln!("{}", f.render(lang.words()));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_check(files: &[PathBuf]) -> Outcome {
    let lang = lang_from_env();
    let (mut bad_input, mut failed, mut passed_total) = (0usize, 0usize, 0usize);
    let mut stopped = 0usize;
    for file in files {
        let s = match load(file) {
            Ok(s) => s,
            Err(_) => {
                bad_input += 1;
                continue;
            }
        };
        let trace = match run_with_progress(&s) {
            Ok(t) => t,
            // A run stopped at a limit (or refused) is not a failed expectation.
            Err(code) => {
                if code == ExitCode::from(LIMIT) {
                    stopped += 1;
                } else {
                    bad_input += 1;
                }
                continue;
            }
        };
        let failures = s.check(&trace);
        let n = s.expectations.len();
        let (file, k) = (s.source.name.clone(), failures.len());
        if failures.is_empty() {
            outln!("{}", said(lang, ViewMsg::FilePassed(file, n)));
            passed_total += 1;
        } else {
            outln!("{}", said(lang, ViewMsg::FileFailed(file, k, n)));
            for f in &failures {
                outln!("{}", f.render(lang.words()));
            }
            failed += 1;
        }
        report_never_made(&trace, lang);
        let ran_out = tcpsim::scenario::ports_ran_out(&trace);
        for said in ran_out
            .iter()
            .chain(&tcpsim::scenario::closed_twice(&trace))
        {
            outln!("      {}", said.get(lang.words()));
        }
    }
    let totals = ViewMsg::Totals(passed_total, failed, bad_input);
    outln!("\n{}", said(lang, totals));
    if stopped > 0 {
        outln!("{}", said(lang, ViewMsg::Stopped(stopped)));
    }
    Ok(if bad_input > 0 {
        ExitCode::from(BAD_INPUT)
    } else if stopped > 0 {
        ExitCode::from(LIMIT)
    } else if failed > 0 {
        ExitCode::from(FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reacting calls whose event never came: not failures (a refused connect() leaves its request
/// unsent, as a real application would), but said, so that a waiting call is never silent.
fn report_never_made(trace: &Trace, lang: Lang) {
    let never = tcpsim::scenario::never_made(trace);
    if never.is_empty() {
        return;
    }
    const SHOWN: usize = 5;
    outln!(
        "      {}",
        said(lang, ViewMsg::NeverMadeHeading(never.len()))
    );
    for b in never.iter().take(SHOWN) {
        outln!("        {}", b.get(lang.words()));
    }
    if never.len() > SHOWN {
        outln!(
            "        {}",
            said(lang, ViewMsg::AndMore(never.len() - SHOWN))
        );
    }
}

fn cmd_trace(file: &Path) -> Outcome {
    let trace = load_view(file)?.trace;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in jsonl::lines(&trace) {
        if let Err(e) = writeln!(out, "{line}") {
            stdout_failed(&e);
        }
    }
    if let Err(e) = out.flush() {
        stdout_failed(&e);
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_netstat(file: &Path, at: Option<String>, rows: usize) -> Outcome {
    // "end", as scenario files write it, or a time.
    let at = match at.as_deref().map(str::trim) {
        None | Some("end") => None,
        Some(a) => Some(parse_time(a, "--at")?),
    };
    let loaded = load_view(file)?;
    let at = at.unwrap_or(loaded.end);
    if at > loaded.end {
        let at = Duration::from_micros(at.as_micros());
        let duration = Duration::from_micros(loaded.end.as_micros());
        say_error(None, CliMsg::AtAfterEnd { at, duration });
        return Err(ExitCode::from(BAD_INPUT));
    }
    let trace = loaded.trace;
    out!(
        "{}",
        netstat::render_in(&trace, at, rows, lang_from_env().words())
    );
    Ok(ExitCode::SUCCESS)
}

#[allow(clippy::too_many_arguments)]
fn cmd_render(
    file: &Path,
    svg: Option<PathBuf>,
    state_diagram: Option<PathBuf>,
    mermaid: bool,
    plantuml: bool,
    output: Option<PathBuf>,
    until: Option<String>,
    step: Option<usize>,
    socket: Option<String>,
    lang: Option<Lang>,
) -> Outcome {
    use tcpsim::render::{layout, sequence, svg as svgr};
    not_the_input(
        file,
        [svg.as_deref(), state_diagram.as_deref(), output.as_deref()],
    )?;
    if svg.is_none() && state_diagram.is_none() && !mermaid && !plantuml {
        say_error(None, CliMsg::SayWhatToDraw);
        return Err(ExitCode::from(BAD_INPUT));
    }
    let until = until.map(|u| parse_time(&u, "--until")).transpose()?;
    let loaded = load_view(file)?;
    let trace = &loaded.trace;
    let sock = resolve_socket(trace, socket)?;
    let Some(l) = layout::layout(trace, sock) else {
        say_error(None, RunMsg::NothingToDraw);
        return Err(ExitCode::from(BAD_INPUT));
    };
    let last_step = match (until, step) {
        (Some(t), _) => l.steps.iter().rposition(|st| st.t <= t),
        (None, Some(n)) => Some(n.saturating_sub(1)),
        _ => None,
    };
    let words = lang.unwrap_or_else(lang_from_env).words();
    let (title, desc) = (loaded.title.get(words), loaded.description.get(words));
    if let Some(out) = state_diagram {
        let sockets: Vec<_> = [Some(l.left_socket), l.right_socket]
            .into_iter()
            .flatten()
            .collect();
        return write_file(
            &out,
            tcpsim::render::statediagram::svg(trace, &sockets, title),
        );
    }
    if let Some(out) = svg {
        let opts = svgr::SvgOptions {
            until_step: last_step,
            title: title.to_string(),
            description: desc.trim().to_string(),
        };
        return write_file(&out, svgr::ladder_svg(&l, &opts));
    }
    let text = if mermaid {
        sequence::mermaid(&l, last_step)
    } else {
        sequence::plantuml(&l, last_step)
    };
    match output {
        Some(path) => write_file(&path, text),
        None => {
            out!("{text}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A chart drawn (or why it could not be).
type Drawn<T> = Result<T, String>;

fn cmd_chart(
    file: &Path,
    svg: Option<PathBuf>,
    png: Option<PathBuf>,
    kind: ChartKind,
    host: Option<String>,
    socket: Option<String>,
    lang: Option<Lang>,
) -> Outcome {
    use tcpsim::render::{layout, plot};
    not_the_input(file, [svg.as_deref(), png.as_deref()])?;
    let loaded = load_view(file)?;
    let trace = &loaded.trace;
    let size = (800, 450);
    let lang = lang.unwrap_or_else(lang_from_env);
    let (text, bytes): (Option<Drawn<String>>, Option<Drawn<Vec<u8>>>) = match kind {
        ChartKind::States => {
            let h = match host {
                Some(name) => match trace.host_by_name(&name) {
                    Some(h) => h,
                    None => {
                        let hosts: Vec<&str> =
                            trace.hosts.iter().map(|h| h.name.as_str()).collect();
                        say_error(None, CliMsg::NoSuchHost(name, hosts.join(", ")));
                        return Err(ExitCode::from(BAD_INPUT));
                    }
                },
                None => {
                    let end = trace.netstat_at(loaded.end);
                    (0..trace.hosts.len() as u32)
                        .map(tcpsim::core::id::HostId)
                        .max_by_key(|h| {
                            (
                                end.rows.iter().filter(|r| r.host == *h).count(),
                                std::cmp::Reverse(*h),
                            )
                        })
                        .unwrap_or_default()
                }
            };
            let series = plot::state_series(trace, h);
            let host = &trace.hosts[h.index()].name;
            // PNG charts are in English: their font has no Chinese glyphs.
            let title = CliMsg::StatesTitle(host.clone()).text();
            let title = |l: Lang| title.get(l.words()).to_string();
            (
                svg.as_ref()
                    .map(|_| plot::states_svg(&series, None, &title(lang), size, lang.words())),
                png.as_ref()
                    .map(|_| plot::png::states_png(&series, &title(Lang::En), size)),
            )
        }
        ChartKind::Sequence => {
            let sock = resolve_socket(trace, socket)?;
            let Some(l) = layout::layout(trace, sock) else {
                say_error(None, CliMsg::NothingToChart);
                return Err(ExitCode::from(BAD_INPUT));
            };
            let g = plot::seq_graph(trace, &l);
            if g.sent.is_empty() && g.retransmitted.is_empty() {
                say_error(None, CliMsg::NoDataToChart(l.lifelines[0].host.clone()));
                return Err(ExitCode::from(BAD_INPUT));
            }
            let (from, to) = (&l.lifelines[0].host, &l.lifelines[1].host);
            let title = CliMsg::SequenceTitle(from.clone(), to.clone()).text();
            let title = |l: Lang| title.get(l.words()).to_string();
            (
                svg.as_ref()
                    .map(|_| plot::seq_svg(&g, &title(lang), size, lang.words())),
                png.as_ref()
                    .map(|_| plot::png::seq_png(&g, &title(Lang::En), size)),
            )
        }
    };
    let failed = |e: CliMsg| {
        say_error(None, e);
        Err(ExitCode::from(NOT_WRITTEN))
    };
    match (svg, text, png, bytes) {
        (Some(path), Some(t), _, _) => match t {
            Ok(t) => write_file(&path, t),
            Err(e) => failed(CliMsg::ChartFailed(e)),
        },
        (_, _, Some(path), Some(Ok(b))) => write_file(&path, b),
        (_, _, _, Some(Err(e))) => failed(CliMsg::ChartFailed(e)),
        _ => failed(CliMsg::SayWhereToWrite),
    }
}
