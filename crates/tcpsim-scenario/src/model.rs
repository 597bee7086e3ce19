//! The scenario file format. `read.rs` fills these types from the TOML document; `tcpsim schema`
//! prints the JSON Schema that schemars derives from them (kept in
//! `scenarios/scenario.schema.json`; a test fails when it is stale, and another when `read.rs`
//! takes other keys than the schema lists). The `serde` attributes are read by schemars only.
//!
//! Every table rejects unknown keys. Values that later checks need to point at (host names,
//! socket names, states, whole steps and expectations) keep their place in the file.

use crate::duration::HumanDuration;
use schemars::JsonSchema;
use serde_spanned::Spanned;
use std::net::Ipv4Addr;

/// A text in English and Simplified Chinese.
#[derive(Clone, Debug, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// In English.
    pub en: String,
    /// In Simplified Chinese.
    pub zh: String,
}

/// A note: one text shown in both languages, or one text for each.
#[derive(Clone, Debug, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum Note {
    /// One text for both languages.
    Same(String),
    /// A text in each.
    Both(Text),
}

impl Note {
    /// The note in English and in Chinese (the same text twice when only one is given).
    pub fn bilingual(&self) -> crate::error::Bi {
        match self {
            Note::Same(t) => crate::error::Bi::new(t.clone(), t.clone()),
            Note::Both(t) => crate::error::Bi::new(t.en.clone(), t.zh.clone()),
        }
    }
}

/// A scenario: hosts, network, what the applications do and when, and what must happen.
#[derive(Clone, Debug, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// A short title, in both languages.
    pub title: Text,
    /// What the scenario shows and what to watch, in both languages.
    pub description: Text,
    /// Seed of the run's random stream (network randomness and ISNs). Default 1.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// How long the run lasts, e.g. "2min".
    #[schemars(with = "HumanDuration")]
    pub duration: Spanned<HumanDuration>,
    /// Whose defaults the endpoints follow: "linux" (default) or "rfc9293".
    #[serde(default)]
    pub profile: ProfileName,
    /// Overrides of TCP parameters for every host.
    #[serde(default)]
    pub tcp: TcpOverrides,
    /// The network between hosts.
    #[serde(default)]
    pub network: Network,
    /// The hosts. Each has a name, used everywhere else in the file.
    pub hosts: Vec<HostDef>,
    /// Application calls at given times.
    #[serde(default)]
    #[schemars(with = "Vec<Step>")]
    pub timeline: Vec<Spanned<Step>>,
    /// Calls repeated at a fixed interval ("every 5 s, open a new connection").
    #[serde(default)]
    #[schemars(with = "Vec<Repeat>")]
    pub repeat: Vec<Spanned<Repeat>>,
    /// Segments to drop or delay.
    #[serde(default)]
    #[schemars(with = "Vec<FaultDef>")]
    pub faults: Vec<Spanned<FaultDef>>,
    /// Stateful boxes (load balancers, NATs, firewalls) that forget idle connections.
    #[serde(default)]
    #[schemars(with = "Vec<MiddleboxDef>")]
    pub middleboxes: Vec<Spanned<MiddleboxDef>>,
    /// What must happen. `tcpsim check` and the test suite verify these.
    #[serde(default)]
    #[schemars(with = "Vec<Expectation>")]
    pub expect: Vec<Spanned<Expectation>>,
    /// Limits of the run (defaults suit a laptop and a browser tab).
    #[serde(default)]
    pub limits: Limits,
}

fn default_seed() -> u64 {
    1
}

/// A value of a key that takes more than one kind (`value` of setsockopt, `count` of a fault).
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    /// true or false.
    Bool(bool),
    /// A whole number.
    Integer(i64),
    /// A text (a duration, for example).
    String(String),
    /// Any other kind, named ("a table", "a decimal number").
    Other(&'static str),
}

impl Scalar {
    /// The value as a boolean, if it is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Scalar::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// The value as a whole number, if it is one.
    pub fn as_integer(&self) -> Option<i64> {
        match self {
            Scalar::Integer(n) => Some(*n),
            _ => None,
        }
    }
    /// The value as text, if it is text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Scalar::String(s) => Some(s),
            _ => None,
        }
    }
}

/// A TCP profile name.
#[derive(Clone, Copy, Debug, Default, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ProfileName {
    /// Linux defaults (TIME-WAIT 60 s, tcp_fin_timeout 60 s, RTO 200 ms to 120 s).
    #[default]
    Linux,
    /// RFC 9293 as written (TIME-WAIT 2 MSL, RTO at least 1 s, no FIN-WAIT-2 timeout).
    Rfc9293,
}

/// TCP parameters to change from the profile's defaults. Names follow Linux sysctls and
/// socket options where there is one.
#[derive(Clone, Debug, Default, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TcpOverrides {
    /// Maximum segment size, bytes.
    pub mss: Option<u32>,
    /// Receive buffer and largest window, bytes (at most 65535).
    pub rcv_buf: Option<u32>,
    /// Send buffer, bytes.
    pub snd_buf: Option<u32>,
    /// Maximum segment lifetime.
    pub msl: Option<HumanDuration>,
    /// How long TIME-WAIT lasts (Linux: fixed 60 s; RFC: 2 MSL).
    pub time_wait: Option<HumanDuration>,
    /// Linux tcp_fin_timeout: how long an orphaned FIN-WAIT-2 waits. "off" waits forever.
    pub fin_timeout: Option<DurationOrOff>,
    /// Initial retransmission timeout.
    pub rto_initial: Option<HumanDuration>,
    /// Lower bound of the retransmission timeout.
    pub rto_min: Option<HumanDuration>,
    /// Upper bound of the retransmission timeout.
    pub rto_max: Option<HumanDuration>,
    /// tcp_syn_retries.
    pub syn_retries: Option<u32>,
    /// tcp_synack_retries.
    pub synack_retries: Option<u32>,
    /// tcp_retries2.
    pub retries2: Option<u32>,
    /// tcp_orphan_retries.
    pub orphan_retries: Option<u32>,
    /// SO_KEEPALIVE on every socket.
    pub keepalive: Option<bool>,
    /// tcp_keepalive_time.
    pub keepalive_time: Option<HumanDuration>,
    /// tcp_keepalive_intvl.
    pub keepalive_intvl: Option<HumanDuration>,
    /// tcp_keepalive_probes.
    pub keepalive_probes: Option<u32>,
    /// TCP_USER_TIMEOUT; "off" disables it.
    pub user_timeout: Option<DurationOrOff>,
    /// SO_LINGER on with a zero timeout on every socket.
    pub linger_zero: Option<bool>,
    /// RFC 5961 challenge ACKs.
    pub rfc5961: Option<bool>,
    /// tcp_rfc1337: ignore RSTs in TIME-WAIT.
    pub rfc1337: Option<bool>,
    /// Where the table and each of its keys are in the file: a setting the core refuses is
    /// reported at its key.
    #[schemars(skip)]
    pub at: KeySpans,
}

/// A table's place in its file, and each key's (from the key to the end of its value).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KeySpans {
    /// The table.
    pub table: Option<std::ops::Range<usize>>,
    /// Each key: its name and place.
    pub keys: Vec<(String, std::ops::Range<usize>)>,
}

impl KeySpans {
    /// The place of the first of `keys` the table has.
    pub fn key(&self, keys: &[&str]) -> Option<std::ops::Range<usize>> {
        keys.iter()
            .find_map(|k| self.keys.iter().find(|(name, _)| name == k))
            .map(|(_, span)| span.clone())
    }
}

/// A duration, or "off".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DurationOrOff {
    /// No timeout: wait forever.
    Off,
    /// This long.
    On(HumanDuration),
}

impl JsonSchema for DurationOrOff {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DurationOrOff".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let d = g.subschema_for::<HumanDuration>();
        schemars::json_schema!({ "anyOf": [d, { "const": "off" }] })
    }
}

/// Link settings.
#[derive(Clone, Debug, Default, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// One-way delay of every link that is not listed, default "10ms".
    pub latency: Option<HumanDuration>,
    /// Links with their own settings.
    #[serde(default)]
    #[schemars(with = "Vec<LinkDef>")]
    pub links: Vec<Spanned<LinkDef>>,
}

/// The path between two hosts.
#[derive(Clone, Debug, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LinkDef {
    /// The sending host.
    #[schemars(with = "String")]
    pub from: Spanned<String>,
    /// The receiving host.
    #[schemars(with = "String")]
    pub to: Spanned<String>,
    /// Also apply these settings from `to` back to `from` (default true).
    #[serde(default = "yes")]
    pub both_ways: bool,
    /// One-way delay.
    pub latency: Option<HumanDuration>,
    /// Extra delay, uniform from 0 to this, per segment.
    pub jitter: Option<HumanDuration>,
    /// Probability (0 to 1) that a segment is lost.
    pub loss: Option<f64>,
    /// Probability that a segment is delivered twice.
    pub duplicate: Option<f64>,
    /// Probability that a segment is held back by `reorder_delay`.
    pub reorder: Option<f64>,
    /// How long a reordered segment is held back.
    pub reorder_delay: Option<HumanDuration>,
}

fn yes() -> bool {
    true
}

/// A host.
#[derive(Clone, Debug, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HostDef {
    /// Its name, used everywhere else in the file.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// IPv4 address, e.g. "10.0.0.1".
    #[schemars(with = "String")]
    pub addr: Spanned<Ipv4Addr>,
    /// Descriptor limit (ulimit -n), default 1024.
    pub fd_limit: Option<u32>,
    /// Ephemeral port range, e.g. "32768-60999".
    pub ephemeral_ports: Option<String>,
    /// TCP parameters of this host, over the file-wide ones.
    #[serde(default)]
    pub tcp: TcpOverrides,
}

/// What an application call does.
#[derive(Clone, Copy, Debug, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CallName {
    /// socket(), bind(port), listen(backlog).
    Listen,
    /// connect() to `to`.
    Connect,
    /// accept() on `listener`; the new connection is named `socket`.
    Accept,
    /// send() `bytes` bytes, or the bytes of `data`.
    Send,
    /// recv() up to `max` bytes (all that is buffered if not given).
    Recv,
    /// close().
    Close,
    /// shutdown(`how`).
    Shutdown,
    /// Reset the connection and close the socket.
    Abort,
    /// setsockopt(`option`, `value`).
    Setsockopt,
    /// The host crashes (powered off): its sockets vanish, it stops answering.
    Crash,
    /// The host comes back with no sockets.
    Restart,
}

/// One application call. Which keys apply depends on `call`.
#[derive(Clone, Debug, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// When (in `timeline`), e.g. "1.5s".
    #[schemars(with = "Option<HumanDuration>")]
    pub at: Option<Spanned<HumanDuration>>,
    /// How long after the start of each repetition (in `repeat.calls`).
    #[schemars(with = "Option<HumanDuration>")]
    pub after: Option<Spanned<HumanDuration>>,
    /// The host whose application calls.
    #[schemars(with = "String")]
    pub host: Spanned<String>,
    /// What the call does.
    #[schemars(with = "CallName")]
    pub call: Spanned<CallName>,
    /// The socket's name. In `repeat`, `{i}` is replaced by the repetition number (0, 1, ...).
    #[schemars(with = "Option<String>")]
    pub socket: Option<Spanned<String>>,
    /// connect: "host:port" or "a.b.c.d:port".
    #[schemars(with = "Option<String>")]
    pub to: Option<Spanned<String>>,
    /// connect: bind this local port first.
    #[schemars(with = "Option<u16>")]
    pub local_port: Option<Spanned<u16>>,
    /// listen: the port.
    #[schemars(with = "Option<u16>")]
    pub port: Option<Spanned<u16>>,
    /// listen: the backlog (default 128).
    #[schemars(with = "Option<u32>")]
    pub backlog: Option<Spanned<u32>>,
    /// accept: the listening socket.
    #[schemars(with = "Option<String>")]
    pub listener: Option<Spanned<String>>,
    /// send: how many bytes, when their content does not matter.
    #[schemars(with = "Option<u64>")]
    pub bytes: Option<Spanned<u64>>,
    /// send: the bytes themselves, instead of `bytes` (e.g. "GET / HTTP/1.1\r\nHost: server\r\n\r\n");
    /// the receiving application reads them and a capture carries them.
    #[schemars(with = "Option<String>")]
    pub data: Option<Spanned<String>>,
    /// recv: at most this many bytes.
    #[schemars(with = "Option<u64>")]
    pub max: Option<Spanned<u64>>,
    /// shutdown: "read", "write" or "both".
    #[schemars(with = "Option<ShutdownName>")]
    pub how: Option<Spanned<ShutdownName>>,
    /// setsockopt: "linger_zero", "keepalive", "keepidle", "keepintvl", "keepcnt" or "user_timeout".
    #[schemars(with = "Option<OptionName>")]
    pub option: Option<Spanned<OptionName>>,
    /// setsockopt: the value (true/false, a duration, or a count).
    #[schemars(with = "Option<serde_json::Value>")]
    pub value: Option<Spanned<Scalar>>,
    /// Wait for an event on the call's socket instead of running at `at`/`after`, which is then
    /// when the waiting starts: "connected", "accepted", "readable", "eof", "writable", "error",
    /// "error(ECONNRESET)" or "closed".
    #[schemars(with = "Option<String>")]
    pub on: Option<Spanned<String>>,
    /// With `on`: how long after the event the call is made (default "0s").
    #[schemars(with = "Option<HumanDuration>")]
    pub delay: Option<Spanned<HumanDuration>>,
}

/// Which directions shutdown() closes.
#[derive(Clone, Copy, Debug, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ShutdownName {
    /// SHUT_RD: no more reading.
    Read,
    /// SHUT_WR: no more writing; a FIN follows the data.
    Write,
    /// SHUT_RDWR: both.
    Both,
}

/// A socket option setsockopt() sets.
#[derive(Clone, Copy, Debug, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OptionName {
    /// SO_LINGER with a zero timeout: true or false.
    LingerZero,
    /// SO_KEEPALIVE: true or false.
    Keepalive,
    /// TCP_KEEPIDLE: a duration.
    Keepidle,
    /// TCP_KEEPINTVL: a duration.
    Keepintvl,
    /// TCP_KEEPCNT: a count.
    Keepcnt,
    /// TCP_USER_TIMEOUT: a duration ("0" turns it off).
    UserTimeout,
}

/// Calls repeated every `every`, `count` times or until `until`.
#[derive(Clone, Debug, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Repeat {
    /// When the first repetition starts (default "0s").
    #[schemars(with = "Option<HumanDuration>")]
    pub start: Option<Spanned<HumanDuration>>,
    /// The time between two repetitions' starts.
    #[schemars(with = "HumanDuration")]
    pub every: Spanned<HumanDuration>,
    /// How many repetitions.
    #[schemars(with = "Option<u64>")]
    pub count: Option<Spanned<u64>>,
    /// Repeat while the start of a repetition is before this time.
    #[schemars(with = "Option<HumanDuration>")]
    pub until: Option<Spanned<HumanDuration>>,
    /// The calls of each repetition, each with `after`.
    #[schemars(with = "Vec<Step>")]
    pub calls: Vec<Spanned<Step>>,
}

/// Drop or delay matching segments.
#[derive(Clone, Debug, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FaultDef {
    /// Sent by this host.
    #[schemars(with = "Option<String>")]
    pub from: Option<Spanned<String>>,
    /// Sent to this host.
    #[schemars(with = "Option<String>")]
    pub to: Option<Spanned<String>>,
    /// Flags that must be set, e.g. "FIN" or "SYN,ACK".
    #[schemars(with = "Option<String>")]
    pub flags: Option<Spanned<String>>,
    /// Flags that must be clear.
    #[schemars(with = "Option<String>")]
    pub not_flags: Option<Spanned<String>>,
    /// Only segments with (true) or without (false) data.
    pub with_data: Option<bool>,
    /// Only segments sent at or after this time.
    pub after: Option<HumanDuration>,
    /// Only segments sent before this time.
    pub before: Option<HumanDuration>,
    /// Which matching segment is hit first (1 = the first). Default 1.
    pub nth: Option<u32>,
    /// How many matching segments are hit from `nth` on (default 1); "all" for every one.
    #[schemars(with = "Option<serde_json::Value>")]
    pub count: Option<Spanned<Scalar>>,
    /// "drop", or "delay" with `delay`.
    #[schemars(with = "FaultActionName")]
    pub action: Spanned<FaultActionName>,
    /// How much later a delayed segment arrives.
    pub delay: Option<HumanDuration>,
}

/// What a fault rule does to the segments it hits.
#[derive(Clone, Copy, Debug, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FaultActionName {
    /// Lose them.
    Drop,
    /// Deliver them later, by `delay`.
    Delay,
}

/// A load balancer, NAT or firewall between two hosts that forgets idle connections.
#[derive(Clone, Debug, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MiddleboxDef {
    /// The two hosts it sits between.
    #[schemars(with = "[String; 2]")]
    pub between: Spanned<[String; 2]>,
    /// How long a connection may be idle before it is forgotten.
    pub idle_timeout: HumanDuration,
    /// What happens to a segment of a forgotten connection: "drop" (default) or "reset".
    #[serde(default)]
    pub on_expired: ExpiredName,
}

/// What an idle-timeout middlebox does with a segment of a forgotten connection.
#[derive(Clone, Copy, Debug, Default, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ExpiredName {
    /// Drop it silently.
    #[default]
    Drop,
    /// Drop it and answer the sender with a reset.
    Reset,
}

/// Something that must (or must not) happen. Give exactly one of `state`, `count`, `segment`
/// or `result`.
#[derive(Clone, Debug, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// A plain description, shown when the expectation fails: one text, or
    /// `{ en = "...", zh = "..." }` to give each language its own.
    pub note: Option<Note>,
    /// The socket, as "host/socket" (e.g. "client/c").
    #[schemars(with = "Option<String>")]
    pub socket: Option<Spanned<String>>,
    /// The state `socket` is in at `at`. RFC (CLOSE-WAIT), netstat (CLOSE_WAIT) and ss spellings.
    #[schemars(with = "Option<String>")]
    pub state: Option<Spanned<String>>,
    /// When: a duration, or "end" (default).
    #[schemars(with = "Option<String>")]
    pub at: Option<Spanned<String>>,
    /// Count sockets in this state on `host` at `at`; compare with `min`, `max` or `equals`.
    #[schemars(with = "Option<String>")]
    pub count: Option<Spanned<String>>,
    /// The host whose sockets are counted.
    #[schemars(with = "Option<String>")]
    pub host: Option<Spanned<String>>,
    /// With `count`: at least this many.
    pub min: Option<u64>,
    /// With `count`: at most this many.
    pub max: Option<u64>,
    /// With `count`: exactly this many.
    pub equals: Option<u64>,
    /// A segment with these flags (e.g. "RST", "FIN,ACK") must appear; with `absent = true`,
    /// must not. Narrow with `from`, `to`, `after`, `before`.
    #[schemars(with = "Option<String>")]
    pub segment: Option<Spanned<String>>,
    /// With `segment`: sent by this host.
    #[schemars(with = "Option<String>")]
    pub from: Option<Spanned<String>>,
    /// With `segment`: sent to this host.
    #[schemars(with = "Option<String>")]
    pub to: Option<Spanned<String>>,
    /// With `segment`: sent at or after this time.
    pub after: Option<HumanDuration>,
    /// With `segment`: sent before this time.
    pub before: Option<HumanDuration>,
    /// With `segment`: it must not appear.
    #[serde(default)]
    pub absent: bool,
    /// The result of a call on `socket` (or on `host` for calls that create one): an errno such
    /// as "ECONNREFUSED", or "ok". With `call`, only that kind of call is looked at.
    #[schemars(with = "Option<String>")]
    pub result: Option<Spanned<String>>,
    /// With `result`: only calls of this kind.
    #[schemars(with = "Option<CallName>")]
    pub call: Option<Spanned<CallName>>,
}

/// Limits that keep a run bounded.
#[derive(Clone, Debug, Default, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Most events the run may take (default 20 000 000, at most 100 000 000).
    #[schemars(with = "Option<u64>")]
    pub max_events: Option<Spanned<u64>>,
    /// Most sockets the run may create (default 200 000, at most 1 000 000).
    #[schemars(with = "Option<u32>")]
    pub max_sockets: Option<Spanned<u32>>,
    /// Most calls the timeline and repeats may schedule (default 1 000 000, at most 5 000 000).
    #[schemars(with = "Option<u64>")]
    pub max_calls: Option<Spanned<u64>>,
}
