//! From TOML text to the file model ([`crate::model`]).
//!
//! toml parses the text into its own document, which keeps the place of every key and value
//! (`DeTable`); this module walks that document by hand. It does not go through serde's derive,
//! for two reasons. Every problem is reported at once, each with its place and in both
//! languages (serde stops at the first). And serde's derive, instantiated over toml's
//! deserializer for every type of the model, was a quarter of the web app's code
//! (PERFORMANCE.md). The keys each table takes are listed once here (`*_KEYS`); a test checks the lists
//! against the JSON Schema that schemars derives from the model, so the two cannot drift.

use crate::duration::HumanDuration;
use crate::error::{ScenarioError, Source};
use crate::model::*;
use serde_spanned::Spanned;
use std::net::Ipv4Addr;
use std::ops::Range;
use tcpsim_words::msg::{Found, Msg, Place, Want};
use toml::de::{DeTable, DeValue};

type Val<'i> = Spanned<DeValue<'i>>;

pub(crate) const FILE_KEYS: &[&str] = &[
    "title",
    "description",
    "seed",
    "duration",
    "profile",
    "tcp",
    "network",
    "hosts",
    "timeline",
    "repeat",
    "faults",
    "middleboxes",
    "expect",
    "limits",
];
pub(crate) const TEXT_KEYS: &[&str] = &["en", "zh"];
pub(crate) const TCP_KEYS: &[&str] = &[
    "mss",
    "rcv_buf",
    "snd_buf",
    "msl",
    "time_wait",
    "fin_timeout",
    "rto_initial",
    "rto_min",
    "rto_max",
    "syn_retries",
    "synack_retries",
    "retries2",
    "orphan_retries",
    "keepalive",
    "keepalive_time",
    "keepalive_intvl",
    "keepalive_probes",
    "user_timeout",
    "linger_zero",
    "rfc5961",
    "rfc1337",
];
pub(crate) const NETWORK_KEYS: &[&str] = &["latency", "links"];
pub(crate) const LINK_KEYS: &[&str] = &[
    "from",
    "to",
    "both_ways",
    "latency",
    "jitter",
    "loss",
    "duplicate",
    "reorder",
    "reorder_delay",
];
pub(crate) const HOST_KEYS: &[&str] = &["name", "addr", "fd_limit", "ephemeral_ports", "tcp"];
pub(crate) const STEP_KEYS: &[&str] = &[
    "at",
    "after",
    "host",
    "call",
    "socket",
    "to",
    "local_port",
    "port",
    "backlog",
    "listener",
    "bytes",
    "data",
    "max",
    "how",
    "option",
    "value",
    "on",
    "delay",
];
pub(crate) const REPEAT_KEYS: &[&str] = &["start", "every", "count", "until", "calls"];
pub(crate) const FAULT_KEYS: &[&str] = &[
    "from",
    "to",
    "flags",
    "not_flags",
    "with_data",
    "after",
    "before",
    "nth",
    "count",
    "action",
    "delay",
];
pub(crate) const MIDDLEBOX_KEYS: &[&str] = &["between", "idle_timeout", "on_expired"];
pub(crate) const EXPECT_KEYS: &[&str] = &[
    "note", "socket", "state", "at", "count", "host", "min", "max", "equals", "segment", "from",
    "to", "after", "before", "absent", "result", "call",
];
pub(crate) const LIMITS_KEYS: &[&str] = &["max_events", "max_sockets", "max_calls"];

const PROFILES: &[(&str, ProfileName)] = &[
    ("linux", ProfileName::Linux),
    ("rfc9293", ProfileName::Rfc9293),
];
const CALLS: &[(&str, CallName)] = &[
    ("listen", CallName::Listen),
    ("connect", CallName::Connect),
    ("accept", CallName::Accept),
    ("send", CallName::Send),
    ("recv", CallName::Recv),
    ("close", CallName::Close),
    ("shutdown", CallName::Shutdown),
    ("abort", CallName::Abort),
    ("setsockopt", CallName::Setsockopt),
    ("crash", CallName::Crash),
    ("restart", CallName::Restart),
];
const SHUTDOWNS: &[(&str, ShutdownName)] = &[
    ("read", ShutdownName::Read),
    ("write", ShutdownName::Write),
    ("both", ShutdownName::Both),
];
const OPTIONS: &[(&str, OptionName)] = &[
    ("linger_zero", OptionName::LingerZero),
    ("keepalive", OptionName::Keepalive),
    ("keepidle", OptionName::Keepidle),
    ("keepintvl", OptionName::Keepintvl),
    ("keepcnt", OptionName::Keepcnt),
    ("user_timeout", OptionName::UserTimeout),
];
const FAULT_ACTIONS: &[(&str, FaultActionName)] = &[
    ("drop", FaultActionName::Drop),
    ("delay", FaultActionName::Delay),
];
const EXPIRED: &[(&str, ExpiredName)] =
    &[("drop", ExpiredName::Drop), ("reset", ExpiredName::Reset)];

/// Reads a whole file. On failure, every problem found, in file order.
pub(crate) fn read(src: &Source) -> Result<ScenarioFile, Vec<ScenarioError>> {
    let text: &str = &src.text;
    let (doc, syntax) = DeTable::parse_recoverable(text);
    let mut r = Reader {
        src,
        errors: Vec::new(),
    };
    if !syntax.is_empty() {
        // Recovery after a syntax error can cascade; report one error per line.
        let mut lines = Vec::new();
        for e in syntax {
            let line = e.span().map(|s| src.line_col(s.start).0);
            if lines.contains(&line) {
                continue;
            }
            lines.push(line);
            let message = e.message().trim_end();
            let span = e.span().or_else(|| deepest_key(text));
            let key = span.as_ref().and_then(|s| text.get(s.clone()));
            let msg: tcpsim_words::Bi = match key {
                Some(key) if message == "duplicate key" && !key.is_empty() => {
                    Msg::DuplicateKey(key.trim().to_string()).into()
                }
                _ => tcpsim_words::toml_syntax(message),
            };
            let help = tcpsim_words::toml_syntax_help(message);
            r.errors
                .push(ScenarioError::new(src, span.or(Some(0..0)), msg).help(help));
        }
        return Err(r.errors);
    }
    let top = Table {
        map: doc.get_ref(),
        span: 0..0,
        place: Place::Top,
    };
    r.check_keys(&top, FILE_KEYS);
    let file = r.file(&top);
    match file {
        Some(f) if r.errors.is_empty() => Ok(f),
        _ => {
            r.errors.sort_by_key(|e| e.span.as_ref().map(|s| s.start));
            Err(r.errors)
        }
    }
}

/// The key with the most dotted parts, for the parser's "recursion limit", which comes without
/// a place: it is the only way a file nests that deep without brackets.
fn deepest_key(text: &str) -> Option<Range<usize>> {
    let mut best: Option<(usize, Range<usize>)> = None;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let key = line.split('=').next().unwrap_or(line);
        let dots = key.bytes().filter(|b| *b == b'.').count();
        if dots > best.as_ref().map_or(0, |b| b.0) {
            let lead = key.len() - key.trim_start().len();
            best = Some((dots, start + lead..start + key.trim_end().len()));
        }
        start += line.len();
    }
    best.map(|b| b.1)
}

/// A table of the document, with its place and its name in messages.
struct Table<'a, 'i> {
    map: &'a DeTable<'i>,
    span: Range<usize>,
    place: Place,
}

impl<'a, 'i> Table<'a, 'i> {
    fn get(&self, key: &str) -> Option<&'a Val<'i>> {
        self.map
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v)
    }
}

/// What a value is, for "must be X, not Y".
fn kind(v: &DeValue) -> Found {
    match v {
        DeValue::String(_) => Found::String,
        DeValue::Integer(_) => Found::Integer,
        DeValue::Float(_) => Found::Float,
        DeValue::Boolean(_) => Found::Boolean,
        DeValue::Datetime(_) => Found::Datetime,
        DeValue::Array(_) => Found::Array,
        DeValue::Table(_) => Found::Table,
    }
}

/// The closest of `options` to a misspelt `word`, if one is close enough.
fn suggest<'o>(word: &str, options: impl IntoIterator<Item = &'o str>) -> Option<&'o str> {
    let word = word.to_ascii_lowercase();
    options
        .into_iter()
        .map(|o| (strsim::damerau_levenshtein(&word, o), o))
        .filter(|(d, o)| *d <= (o.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

struct Reader<'s> {
    src: &'s Source,
    errors: Vec<ScenarioError>,
}

impl Reader<'_> {
    fn err(&mut self, span: Range<usize>, msg: Msg, help: impl Into<Option<Msg>>) {
        let mut e = ScenarioError::new(self.src, Some(span), msg);
        if let Some(h) = help.into() {
            e = e.help(h);
        }
        self.errors.push(e);
    }

    fn check_keys(&mut self, t: &Table, keys: &[&str]) {
        for (k, _) in t.map.iter() {
            let key: &str = k.get_ref();
            if keys.contains(&key) {
                continue;
            }
            let place = t.place;
            self.err(
                k.span(),
                Msg::UnknownKey {
                    key: key.to_string(),
                    place,
                },
                Msg::KeysAre {
                    place,
                    suggestion: suggest(key, keys.iter().copied()).map(str::to_string),
                    keys: keys.join(", "),
                },
            );
        }
    }

    fn wrong(&mut self, v: &Val, key: &str, want: Want) {
        let key = key.to_string();
        // A number or a boolean written in quotes: say how to write it.
        let help = match (v.get_ref(), want) {
            (DeValue::String(t), Want::Int(..)) if t.trim().parse::<i128>().is_ok() => {
                Some(t.trim())
            }
            (DeValue::String(t), Want::Number) if t.trim().parse::<f64>().is_ok() => Some(t.trim()),
            (DeValue::String(t), Want::Bool) if matches!(t.trim(), "true" | "false") => {
                Some(t.trim())
            }
            _ => None,
        }
        .map(|value| Msg::WriteWithoutQuotes {
            key: key.clone(),
            value: value.to_string(),
        })
        .or_else(|| match (v.get_ref(), want) {
            (DeValue::Integer(i), Want::Text) => Some(Msg::WriteInQuotes {
                key: key.clone(),
                value: i.as_str().to_string(),
            }),
            _ => None,
        });
        let found = kind(v.get_ref());
        self.err(v.span(), Msg::MustBe { key, want, found }, help);
    }

    /// A required key: an error at the table when it is missing.
    fn req<T>(
        &mut self,
        t: &Table,
        key: &str,
        example: &str,
        read: fn(&mut Self, &Val, &str) -> Option<T>,
    ) -> Option<T> {
        match t.get(key) {
            Some(v) => read(self, v, key),
            None => {
                self.missing(t, key, example);
                None
            }
        }
    }

    fn missing(&mut self, t: &Table, key: &str, example: &str) {
        self.err(
            t.span.clone(),
            Msg::TableNeeds {
                place: t.place,
                key: key.to_string(),
            },
            Msg::AddExample(example.to_string()),
        );
    }

    /// An optional key; a value of the wrong kind is reported and read as absent.
    fn opt<T>(
        &mut self,
        t: &Table,
        key: &str,
        read: fn(&mut Self, &Val, &str) -> Option<T>,
    ) -> Option<T> {
        t.get(key).and_then(|v| read(self, v, key))
    }

    fn spanned<T>(
        &mut self,
        t: &Table,
        key: &str,
        read: fn(&mut Self, &Val, &str) -> Option<T>,
    ) -> Option<Spanned<T>> {
        let v = t.get(key)?;
        read(self, v, key).map(|x| Spanned::new(v.span(), x))
    }

    fn req_spanned<T>(
        &mut self,
        t: &Table,
        key: &str,
        example: &str,
        read: fn(&mut Self, &Val, &str) -> Option<T>,
    ) -> Option<Spanned<T>> {
        match t.get(key) {
            Some(v) => read(self, v, key).map(|x| Spanned::new(v.span(), x)),
            None => {
                self.missing(t, key, example);
                None
            }
        }
    }

    fn table<'a, 'i>(
        &mut self,
        v: &'a Val<'i>,
        key: &str,
        name: &'static str,
        keys: &[&str],
    ) -> Option<Table<'a, 'i>> {
        let DeValue::Table(map) = v.get_ref() else {
            self.wrong(v, key, Want::Table);
            return None;
        };
        let t = Table {
            map,
            span: v.span(),
            place: Place::Table(name),
        };
        self.check_keys(&t, keys);
        Some(t)
    }

    /// An array of tables (`[[hosts]]`), each read by `read`.
    fn tables<T>(
        &mut self,
        t: &Table,
        key: &str,
        read: fn(&mut Self, &Val) -> Option<T>,
    ) -> Vec<Spanned<T>> {
        let Some(v) = t.get(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong(v, key, Want::Tables);
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| read(self, item).map(|x| Spanned::new(item.span(), x)))
            .collect()
    }

    // Values.

    fn string(&mut self, v: &Val, key: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.wrong(v, key, Want::Text);
                None
            }
        }
    }

    /// Text people read (a title, a description, a note): lines of printable characters, so
    /// that no terminal or document it is shown in can be driven by it.
    fn prose(&mut self, v: &Val, key: &str) -> Option<String> {
        let s = self.string(v, key)?;
        if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            self.err(
                v.span(),
                Msg::ControlCharacters(key.to_string()),
                Msg::ControlHelp,
            );
            return None;
        }
        Some(s)
    }

    fn boolean(&mut self, v: &Val, key: &str) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong(v, key, Want::Bool);
                None
            }
        }
    }

    /// A probability, 0 to 1: checked here, where the file's own text can be quoted (`inf`,
    /// `1e400`), not as the float it became.
    fn probability(&mut self, v: &Val, key: &str) -> Option<f64> {
        let (text, parsed) = match v.get_ref() {
            DeValue::Float(f) => (f.as_str(), f.as_str().parse::<f64>().ok()),
            DeValue::Integer(i) => (
                i.as_str(),
                i64::from_str_radix(i.as_str(), i.radix())
                    .ok()
                    .map(|n| n as f64),
            ),
            _ => {
                self.wrong(v, key, Want::Number);
                return None;
            }
        };
        match parsed {
            Some(p) if (0.0..=1.0).contains(&p) => Some(p),
            _ => {
                let value = text.to_string();
                let key = key.to_string();
                self.err(
                    v.span(),
                    Msg::IntOutOfRange { key, value },
                    Msg::ProbabilityRange,
                );
                None
            }
        }
    }

    fn int(&mut self, v: &Val, key: &str, lo: i128, hi: i128) -> Option<i128> {
        let DeValue::Integer(i) = v.get_ref() else {
            self.wrong(v, key, Want::Int(lo, hi));
            return None;
        };
        match i128::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) if (lo..=hi).contains(&n) => Some(n),
            _ => {
                self.err(
                    v.span(),
                    Msg::IntOutOfRange {
                        key: key.to_string(),
                        value: i.as_str().to_string(),
                    },
                    Msg::WholeNumber { lo, hi },
                );
                None
            }
        }
    }

    /// A port: 0 is not one a file can name (it asks the kernel to choose).
    fn port(&mut self, v: &Val, key: &str) -> Option<u16> {
        self.int(v, key, 1, u16::MAX.into()).map(|n| n as u16)
    }

    fn u32(&mut self, v: &Val, key: &str) -> Option<u32> {
        self.int(v, key, 0, u32::MAX.into()).map(|n| n as u32)
    }

    fn u64(&mut self, v: &Val, key: &str) -> Option<u64> {
        self.int(v, key, 0, u64::MAX.into()).map(|n| n as u64)
    }

    fn duration(&mut self, v: &Val, key: &str) -> Option<HumanDuration> {
        match v.get_ref() {
            DeValue::String(s) => match s.parse::<HumanDuration>() {
                Ok(d) => Some(d),
                Err(e) => {
                    self.err(v.span(), e.msg(), None);
                    None
                }
            },
            DeValue::Integer(i) if i.as_str() == "0" => Some(HumanDuration::default()),
            DeValue::Integer(i) => {
                let n = i.as_str();
                self.err(
                    v.span(),
                    Msg::NoUnit(n.to_string()),
                    Msg::UnitExample(n.to_string()),
                );
                None
            }
            _ => {
                self.wrong(v, key, Want::Duration);
                None
            }
        }
    }

    fn duration_or_off(&mut self, v: &Val, key: &str) -> Option<DurationOrOff> {
        if let DeValue::String(s) = v.get_ref()
            && s.trim().eq_ignore_ascii_case("off")
        {
            return Some(DurationOrOff::Off);
        }
        self.duration(v, key).map(DurationOrOff::On)
    }

    fn ipv4(&mut self, v: &Val, key: &str) -> Option<Ipv4Addr> {
        let s = self.string(v, key)?;
        match s.parse() {
            Ok(a) => Some(a),
            Err(_) => {
                self.err(v.span(), Msg::NotIpv4(s), Msg::Ipv4Form);
                None
            }
        }
    }

    /// One of a fixed set of names.
    fn choice<E: Copy>(&mut self, v: &Val, key: &str, options: &[(&str, E)]) -> Option<E> {
        let s = self.string(v, key)?;
        if let Some((_, e)) = options.iter().find(|(n, _)| *n == s) {
            return Some(*e);
        }
        let list = options
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ");
        let suggestion = suggest(&s, options.iter().map(|(n, _)| *n)).map(str::to_string);
        self.err(
            v.span(),
            Msg::NotValid {
                text: s,
                key: key.to_string(),
            },
            Msg::OneOf {
                key: key.to_string(),
                suggestion,
                list,
            },
        );
        None
    }

    fn scalar(&mut self, v: &Val, _key: &str) -> Option<Scalar> {
        Some(match v.get_ref() {
            DeValue::String(s) => Scalar::String(s.to_string()),
            DeValue::Boolean(b) => Scalar::Bool(*b),
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Scalar::Integer(n),
                Err(_) => Scalar::Other("integer"),
            },
            other => Scalar::Other(match kind(other) {
                Found::Float => "decimal number",
                Found::Datetime => "date",
                Found::Array => "array",
                _ => "table",
            }),
        })
    }

    fn text(&mut self, v: &Val, key: &str) -> Option<Text> {
        let name = if key == "title" {
            "`title`"
        } else {
            "`description`"
        };
        if let DeValue::String(t) = v.get_ref() {
            self.err(
                v.span(),
                Msg::NeedsBothLanguages(key.to_string()),
                Msg::BothLanguagesExample {
                    key: key.to_string(),
                    text: t.to_string(),
                },
            );
            return None;
        }
        self.text_pair(v, key, name)
    }

    /// `{ en = "...", zh = "..." }`.
    fn text_pair(&mut self, v: &Val, key: &str, name: &'static str) -> Option<Text> {
        let t = self.table(v, key, name, TEXT_KEYS)?;
        let en = self.req(&t, "en", "en = \"...\"", Self::prose);
        let zh = self.req(&t, "zh", "zh = \"...\"", Self::prose);
        Some(Text { en: en?, zh: zh? })
    }

    /// A note: one text for both languages, or `{ en = "...", zh = "..." }`.
    fn note(&mut self, v: &Val, key: &str) -> Option<Note> {
        match v.get_ref() {
            DeValue::String(_) => self.prose(v, key).map(Note::Same),
            DeValue::Table(_) => self.text_pair(v, key, "`note`").map(Note::Both),
            _ => {
                self.err(
                    v.span(),
                    Msg::NoteForm(key.to_string()),
                    Msg::NoteExample(key.to_string()),
                );
                None
            }
        }
    }

    fn host_pair(&mut self, v: &Val, key: &str) -> Option<[String; 2]> {
        if let DeValue::Array(items) = v.get_ref()
            && items.len() == 2
            && let (DeValue::String(a), DeValue::String(b)) =
                (items[0].get_ref(), items[1].get_ref())
        {
            return Some([a.to_string(), b.to_string()]);
        }
        self.err(v.span(), Msg::HostPair(key.to_string()), None);
        None
    }

    // Tables.

    fn file(&mut self, t: &Table) -> Option<ScenarioFile> {
        let title = self.req(
            t,
            "title",
            "title = { en = \"...\", zh = \"...\" }",
            Self::text,
        );
        let description = self.req(
            t,
            "description",
            "description = { en = \"...\", zh = \"...\" }",
            Self::text,
        );
        let seed = self.opt(t, "seed", Self::u64).unwrap_or(1);
        let duration = self.req_spanned(t, "duration", "duration = \"1min\"", Self::duration);
        let profile = self
            .opt(t, "profile", |r, v, k| r.choice(v, k, PROFILES))
            .unwrap_or_default();
        let tcp = self
            .opt(t, "tcp", |r, v, k| {
                let t = r.table(v, k, "[tcp]", TCP_KEYS)?;
                Some(r.tcp(&t))
            })
            .unwrap_or_default();
        let network = self.opt(t, "network", Self::network).unwrap_or_default();
        let hosts: Vec<HostDef> = self
            .tables(t, "hosts", Self::host)
            .into_iter()
            .map(Spanned::into_inner)
            .collect();
        if t.get("hosts").is_none() {
            self.missing(t, "hosts", "[[hosts]]");
        }
        let timeline = self.tables(t, "timeline", |r, v| r.step(v, "[[timeline]]"));
        let repeat = self.tables(t, "repeat", Self::repeat);
        let faults = self.tables(t, "faults", Self::fault);
        let middleboxes = self.tables(t, "middleboxes", Self::middlebox);
        let expect = self.tables(t, "expect", Self::expectation);
        let limits = self.opt(t, "limits", Self::limits).unwrap_or_default();
        Some(ScenarioFile {
            title: title?,
            description: description?,
            seed,
            duration: duration?,
            profile,
            tcp,
            network,
            hosts,
            timeline,
            repeat,
            faults,
            middleboxes,
            expect,
            limits,
        })
    }

    fn tcp(&mut self, t: &Table) -> TcpOverrides {
        TcpOverrides {
            mss: self.opt(t, "mss", Self::u32),
            rcv_buf: self.opt(t, "rcv_buf", Self::u32),
            snd_buf: self.opt(t, "snd_buf", Self::u32),
            msl: self.opt(t, "msl", Self::duration),
            time_wait: self.opt(t, "time_wait", Self::duration),
            fin_timeout: self.opt(t, "fin_timeout", Self::duration_or_off),
            rto_initial: self.opt(t, "rto_initial", Self::duration),
            rto_min: self.opt(t, "rto_min", Self::duration),
            rto_max: self.opt(t, "rto_max", Self::duration),
            syn_retries: self.opt(t, "syn_retries", Self::u32),
            synack_retries: self.opt(t, "synack_retries", Self::u32),
            retries2: self.opt(t, "retries2", Self::u32),
            orphan_retries: self.opt(t, "orphan_retries", Self::u32),
            keepalive: self.opt(t, "keepalive", Self::boolean),
            keepalive_time: self.opt(t, "keepalive_time", Self::duration),
            keepalive_intvl: self.opt(t, "keepalive_intvl", Self::duration),
            keepalive_probes: self.opt(t, "keepalive_probes", Self::u32),
            user_timeout: self.opt(t, "user_timeout", Self::duration_or_off),
            linger_zero: self.opt(t, "linger_zero", Self::boolean),
            rfc5961: self.opt(t, "rfc5961", Self::boolean),
            rfc1337: self.opt(t, "rfc1337", Self::boolean),
            at: crate::model::KeySpans {
                table: Some(t.span.clone()),
                keys: t
                    .map
                    .iter()
                    .map(|(k, v)| (k.get_ref().to_string(), k.span().start..v.span().end))
                    .collect(),
            },
        }
    }

    fn network(&mut self, v: &Val, key: &str) -> Option<Network> {
        let t = self.table(v, key, "[network]", NETWORK_KEYS)?;
        Some(Network {
            latency: self.opt(&t, "latency", Self::duration),
            links: self.tables(&t, "links", Self::link),
        })
    }

    fn link(&mut self, v: &Val) -> Option<LinkDef> {
        let t = self.table(v, "links", "[[network.links]]", LINK_KEYS)?;
        let from = self.req_spanned(&t, "from", "from = \"client\"", Self::string);
        let to = self.req_spanned(&t, "to", "to = \"server\"", Self::string);
        Some(LinkDef {
            both_ways: self.opt(&t, "both_ways", Self::boolean).unwrap_or(true),
            latency: self.opt(&t, "latency", Self::duration),
            jitter: self.opt(&t, "jitter", Self::duration),
            loss: self.opt(&t, "loss", Self::probability),
            duplicate: self.opt(&t, "duplicate", Self::probability),
            reorder: self.opt(&t, "reorder", Self::probability),
            reorder_delay: self.opt(&t, "reorder_delay", Self::duration),
            from: from?,
            to: to?,
        })
    }

    fn host(&mut self, v: &Val) -> Option<HostDef> {
        let t = self.table(v, "hosts", "[[hosts]]", HOST_KEYS)?;
        let name = self.req_spanned(&t, "name", "name = \"client\"", Self::string);
        let addr = self.req_spanned(&t, "addr", "addr = \"10.0.0.1\"", Self::ipv4);
        let fd_limit = self.opt(&t, "fd_limit", Self::u32);
        let ephemeral_ports = self.opt(&t, "ephemeral_ports", Self::string);
        let tcp = self
            .opt(&t, "tcp", |r, v, k| {
                let t = r.table(v, k, "[hosts.tcp]", TCP_KEYS)?;
                Some(r.tcp(&t))
            })
            .unwrap_or_default();
        Some(HostDef {
            name: name?,
            addr: addr?,
            fd_limit,
            ephemeral_ports,
            tcp,
        })
    }

    fn step(&mut self, v: &Val, name: &'static str) -> Option<Step> {
        let t = self.table(v, "calls", name, STEP_KEYS)?;
        let host = self.req_spanned(&t, "host", "host = \"client\"", Self::string);
        let call = self.req_spanned(&t, "call", "call = \"connect\"", |r, v, k| {
            r.choice(v, k, CALLS)
        });
        Some(Step {
            at: self.spanned(&t, "at", Self::duration),
            after: self.spanned(&t, "after", Self::duration),
            socket: self.spanned(&t, "socket", Self::string),
            to: self.spanned(&t, "to", Self::string),
            local_port: self.spanned(&t, "local_port", Self::port),
            port: self.spanned(&t, "port", Self::port),
            backlog: self.spanned(&t, "backlog", Self::u32),
            listener: self.spanned(&t, "listener", Self::string),
            bytes: self.spanned(&t, "bytes", Self::u64),
            data: self.spanned(&t, "data", Self::string),
            max: self.spanned(&t, "max", Self::u64),
            how: self.spanned(&t, "how", |r, v, k| r.choice(v, k, SHUTDOWNS)),
            option: self.spanned(&t, "option", |r, v, k| r.choice(v, k, OPTIONS)),
            value: self.spanned(&t, "value", Self::scalar),
            on: self.spanned(&t, "on", Self::string),
            delay: self.spanned(&t, "delay", Self::duration),
            host: host?,
            call: call?,
        })
    }

    fn repeat(&mut self, v: &Val) -> Option<Repeat> {
        let t = self.table(v, "repeat", "[[repeat]]", REPEAT_KEYS)?;
        let every = self.req_spanned(&t, "every", "every = \"5s\"", Self::duration);
        if t.get("calls").is_none() {
            self.missing(&t, "calls", "[[repeat.calls]]");
        }
        Some(Repeat {
            start: self.spanned(&t, "start", Self::duration),
            count: self.spanned(&t, "count", Self::u64),
            until: self.spanned(&t, "until", Self::duration),
            calls: self.tables(&t, "calls", |r, v| r.step(v, "[[repeat.calls]]")),
            every: every?,
        })
    }

    fn fault(&mut self, v: &Val) -> Option<FaultDef> {
        let t = self.table(v, "faults", "[[faults]]", FAULT_KEYS)?;
        let action = self.req_spanned(&t, "action", "action = \"drop\"", |r, v, k| {
            r.choice(v, k, FAULT_ACTIONS)
        });
        Some(FaultDef {
            from: self.spanned(&t, "from", Self::string),
            to: self.spanned(&t, "to", Self::string),
            flags: self.spanned(&t, "flags", Self::string),
            not_flags: self.spanned(&t, "not_flags", Self::string),
            with_data: self.opt(&t, "with_data", Self::boolean),
            after: self.opt(&t, "after", Self::duration),
            before: self.opt(&t, "before", Self::duration),
            nth: self.opt(&t, "nth", Self::u32),
            count: self.spanned(&t, "count", Self::scalar),
            delay: self.opt(&t, "delay", Self::duration),
            action: action?,
        })
    }

    fn middlebox(&mut self, v: &Val) -> Option<MiddleboxDef> {
        let t = self.table(v, "middleboxes", "[[middleboxes]]", MIDDLEBOX_KEYS)?;
        let between = self.req_spanned(
            &t,
            "between",
            "between = [\"client\", \"server\"]",
            Self::host_pair,
        );
        let idle_timeout = self.req(
            &t,
            "idle_timeout",
            "idle_timeout = \"350s\"",
            Self::duration,
        );
        let on_expired = self
            .opt(&t, "on_expired", |r, v, k| r.choice(v, k, EXPIRED))
            .unwrap_or_default();
        Some(MiddleboxDef {
            between: between?,
            idle_timeout: idle_timeout?,
            on_expired,
        })
    }

    fn expectation(&mut self, v: &Val) -> Option<Expectation> {
        let t = self.table(v, "expect", "[[expect]]", EXPECT_KEYS)?;
        Some(Expectation {
            note: self.opt(&t, "note", Self::note),
            socket: self.spanned(&t, "socket", Self::string),
            state: self.spanned(&t, "state", Self::string),
            at: self.spanned(&t, "at", Self::string),
            count: self.spanned(&t, "count", Self::string),
            host: self.spanned(&t, "host", Self::string),
            min: self.opt(&t, "min", Self::u64),
            max: self.opt(&t, "max", Self::u64),
            equals: self.opt(&t, "equals", Self::u64),
            segment: self.spanned(&t, "segment", Self::string),
            from: self.spanned(&t, "from", Self::string),
            to: self.spanned(&t, "to", Self::string),
            after: self.opt(&t, "after", Self::duration),
            before: self.opt(&t, "before", Self::duration),
            absent: self.opt(&t, "absent", Self::boolean).unwrap_or(false),
            result: self.spanned(&t, "result", Self::string),
            call: self.spanned(&t, "call", |r, v, k| r.choice(v, k, CALLS)),
        })
    }

    fn limits(&mut self, v: &Val, key: &str) -> Option<Limits> {
        let t = self.table(v, key, "[limits]", LIMITS_KEYS)?;
        Some(Limits {
            max_events: self.spanned(&t, "max_events", Self::u64),
            max_sockets: self.spanned(&t, "max_sockets", Self::u32),
            max_calls: self.spanned(&t, "max_calls", Self::u64),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn errors(text: &str) -> Vec<String> {
        read(&Source::new("t.toml", text))
            .err()
            .unwrap_or_default()
            .iter()
            .map(|e| {
                let (m, h) = e.text(false);
                format!(
                    "{}: {m}{}",
                    e.location(),
                    h.map(|h| format!(" | {h}")).unwrap_or_default()
                )
            })
            .collect()
    }

    const HEAD: &str = "title = { en = \"t\", zh = \"t\" }\ndescription = { en = \"d\", zh = \"d\" }\nduration = \"1s\"\n";

    #[test]
    fn every_problem_is_reported_at_once_with_its_place() {
        let text = format!(
            "{HEAD}[[hosts]]\nname = \"a\"\naddr = \"10.0.0.300\"\nfd_limt = 5\n[[hosts]]\nname = 7\n[[timeline]]\nat = 5\nhost = \"a\"\ncall = \"conect\"\nport = 70000\n"
        );
        let got = errors(&text);
        assert_eq!(
            got,
            vec![
                "t.toml:6:8: `10.0.0.300` is not an IPv4 address | write an IPv4 address such as \"10.0.0.1\" (four numbers from 0 to 255)",
                "t.toml:7:1: unknown key `fd_limt` in [[hosts]] | did you mean `fd_limit`? [[hosts]] takes: name, addr, fd_limit, ephemeral_ports, tcp",
                "t.toml:8:1: [[hosts]] needs `addr` | add e.g. addr = \"10.0.0.1\"",
                "t.toml:9:8: `name` must be a string in quotes, not an integer | write it in quotes: name = \"7\"",
                "t.toml:11:6: `5` has no unit | write it in quotes with a unit, like \"5s\" or \"5ms\"",
                "t.toml:13:8: `conect` is not a valid `call` | did you mean `connect`? `call` is one of: listen, connect, accept, send, recv, close, shutdown, abort, setsockopt, crash, restart",
                "t.toml:14:8: `port` = 70000 is out of range | use a whole number from 1 to 65535",
            ]
        );
    }

    #[test]
    fn values_written_the_wrong_way_say_how_to_write_them() {
        let text = "title = \"Handshake\"\ndescription = { en = \"d\", zh = \"d\" }\nduration = \"1s\"\n[[hosts]]\nname = 5\naddr = \"10.0.0.1\"\nfd_limit = \"64\"\n[tcp]\nkeepalive = \"true\"\n";
        let got = errors(text);
        assert_eq!(
            got,
            vec![
                "t.toml:1:9: `title` needs an English and a Chinese text | write title = { en = \"Handshake\", zh = \"...\" }",
                "t.toml:5:8: `name` must be a string in quotes, not an integer | write it in quotes: name = \"5\"",
                "t.toml:7:12: `fd_limit` must be a whole number from 0 to 4294967295, not a string | write it without quotes: fd_limit = 64",
                "t.toml:9:13: `keepalive` must be true or false, not a string | write it without quotes: keepalive = true",
            ]
        );
    }

    #[test]
    fn a_file_without_its_required_keys_says_which() {
        let got = errors("seed = 3\n");
        assert!(
            got.iter()
                .any(|e| e.contains("the file's top level needs `title`")),
            "{got:?}"
        );
        assert!(
            got.iter()
                .any(|e| e.contains("the file's top level needs `duration`")),
            "{got:?}"
        );
        assert!(
            got.iter()
                .any(|e| e.contains("the file's top level needs `hosts`")),
            "{got:?}"
        );
    }

    #[test]
    fn messages_have_chinese() {
        let e = read(&Source::new("t.toml", &format!("{HEAD}tittle = 1\n"))).unwrap_err();
        let unknown = e.iter().find(|e| e.message.contains("tittle")).unwrap();
        let (m, h) = unknown.text(true);
        assert_eq!(m, "文件顶层中没有 `tittle` 这个键");
        assert!(h.unwrap().starts_with("是不是想写 `title`？"), "{h:?}");
    }

    #[test]
    fn syntax_errors_are_reported_once_per_line() {
        let got = errors("title = { en = \"x\"\n[[hosts]\nname = \"a\"\n");
        assert!(!got.is_empty());
        let lines: BTreeSet<&str> = got.iter().map(|e| e.split(": ").next().unwrap()).collect();
        assert_eq!(lines.len(), got.len(), "{got:?}");
    }

    /// The key lists here and the JSON Schema derived from the model name the same keys.
    #[test]
    fn key_lists_match_the_schema() {
        let schema: serde_json::Value = serde_json::from_str(&crate::json_schema()).unwrap();
        let props = |v: &serde_json::Value| -> BTreeSet<String> {
            v["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        let set = |keys: &[&str]| keys.iter().map(|k| k.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(props(&schema), set(FILE_KEYS));
        let defs = &schema["$defs"];
        for (def, keys) in [
            ("Text", TEXT_KEYS),
            ("TcpOverrides", TCP_KEYS),
            ("Network", NETWORK_KEYS),
            ("LinkDef", LINK_KEYS),
            ("HostDef", HOST_KEYS),
            ("Step", STEP_KEYS),
            ("Repeat", REPEAT_KEYS),
            ("FaultDef", FAULT_KEYS),
            ("MiddleboxDef", MIDDLEBOX_KEYS),
            ("Expectation", EXPECT_KEYS),
            ("Limits", LIMITS_KEYS),
        ] {
            assert_eq!(props(&defs[def]), set(keys), "{def}");
        }
        let variants = |def: &str| -> BTreeSet<String> {
            let d = &defs[def];
            let mut out = BTreeSet::new();
            if let Some(e) = d["enum"].as_array() {
                out.extend(e.iter().map(|x| x.as_str().unwrap().to_string()));
            }
            if let Some(one) = d["oneOf"].as_array() {
                for x in one {
                    if let Some(c) = x["const"].as_str() {
                        out.insert(c.to_string());
                    }
                    if let Some(e) = x["enum"].as_array() {
                        out.extend(e.iter().map(|x| x.as_str().unwrap().to_string()));
                    }
                }
            }
            out
        };
        fn names<E>(o: &[(&str, E)]) -> BTreeSet<String> {
            o.iter().map(|(n, _)| n.to_string()).collect()
        }
        assert_eq!(variants("ProfileName"), names(PROFILES));
        assert_eq!(variants("CallName"), names(CALLS));
        assert_eq!(variants("ShutdownName"), names(SHUTDOWNS));
        assert_eq!(variants("OptionName"), names(OPTIONS));
        assert_eq!(variants("FaultActionName"), names(FAULT_ACTIONS));
        assert_eq!(variants("ExpiredName"), names(EXPIRED));
    }
}
