//! What the scenario compiler and the simulator say when something is wrong, as values: each
//! message is a variant with the values it names, and [`Msg::text`] says it in English and
//! 简体中文, side by side in one match arm, so neither language can be left out.

use crate::{Bi, Lang, cause_text, errno_text, reason_text, timer_name};
use tcpsim_core::call::{CallResult, NotMade};
use tcpsim_core::config::{ConfigError, decimal};
use tcpsim_core::endpoint::TimerKind;
use tcpsim_core::errno::Errno;
use tcpsim_core::segment::{Flags, SendReason};
use tcpsim_core::sim::SimError;
use tcpsim_core::state::{Cause, State};
use tcpsim_core::time::{Duration, Instant};

/// Which kind of socket a call found under a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketKind {
    /// A listening socket.
    Listener,
    /// A connection.
    Connection,
}

/// What a socket option's value must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionValue {
    /// `true` or `false`.
    Bool,
    /// A duration.
    Duration,
    /// A count from 1 to 127.
    Count,
}

/// Where in a scenario file: its top level, or a table as TOML writes its name (`[[hosts]]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// The file's top level.
    Top,
    /// A table.
    Table(&'static str),
}

impl Place {
    /// In English; in Chinese, with the space a TOML name needs before Chinese text.
    fn text(self) -> (String, String) {
        match self {
            Place::Top => ("the file's top level".into(), "文件顶层".into()),
            Place::Table(n) => (n.into(), format!("{n} ")),
        }
    }
}

/// What kind of value a key takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    /// A string.
    Text,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// A whole number in a range.
    Int(i128, i128),
    /// A duration, in quotes.
    Duration,
    /// A table.
    Table,
    /// An array of tables.
    Tables,
}

/// What kind of value a file has where another was wanted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// A string.
    String,
    /// An integer.
    Integer,
    /// A decimal number.
    Float,
    /// `true` or `false`.
    Boolean,
    /// A date.
    Datetime,
    /// An array.
    Array,
    /// A table.
    Table,
}

/// A message of the scenario compiler or the simulator.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    // Reading the file.
    /// A key the table does not take.
    UnknownKey {
        /// The key.
        key: String,
        /// The table.
        place: Place,
    },
    /// The keys a table takes, perhaps with the one meant.
    KeysAre {
        /// The table.
        place: Place,
        /// The key probably meant.
        suggestion: Option<String>,
        /// The keys, listed.
        keys: String,
    },
    /// A value of the wrong kind.
    MustBe {
        /// The key.
        key: String,
        /// What it takes.
        want: Want,
        /// What it has.
        found: Found,
    },
    /// A number or a boolean written in quotes.
    WriteWithoutQuotes {
        /// The key.
        key: String,
        /// The value.
        value: String,
    },
    /// A number written where a string was wanted.
    WriteInQuotes {
        /// The key.
        key: String,
        /// The value.
        value: String,
    },
    /// A table without a key it needs.
    TableNeeds {
        /// The table.
        place: Place,
        /// The key.
        key: String,
    },
    /// A whole number out of range.
    IntOutOfRange {
        /// The key.
        key: String,
        /// The number, as written.
        value: String,
    },
    /// The range of a whole number.
    WholeNumber {
        /// The least.
        lo: i128,
        /// The most.
        hi: i128,
    },
    /// A number without a unit where a duration was wanted.
    NoUnit(String),
    /// How to write that number as a duration.
    UnitExample(String),
    /// Text that is not an IPv4 address.
    NotIpv4(String),
    /// How to write an IPv4 address.
    Ipv4Form,
    /// A name not among those a key takes.
    NotValid {
        /// What was written.
        text: String,
        /// The key.
        key: String,
    },
    /// The names a key takes, perhaps with the one meant.
    OneOf {
        /// The key.
        key: String,
        /// The name probably meant.
        suggestion: Option<String>,
        /// The names, listed.
        list: String,
    },
    /// A title or description in one language only.
    NeedsBothLanguages(String),
    /// How to give both.
    BothLanguagesExample {
        /// The key.
        key: String,
        /// The text written.
        text: String,
    },
    /// A note of the wrong kind.
    NoteForm(String),
    /// How to write a note.
    NoteExample(String),
    /// A pair of hosts of the wrong form.
    HostPair(String),
    /// More errors than are reported: how many more.
    MoreErrors(usize),
    /// Text with control characters (an escape sequence, a bell).
    ControlCharacters(String),
    /// What text may hold.
    ControlHelp,
    // Names and references.
    /// No host has this name.
    NoHost(String),
    /// The hosts there are (a list).
    HostsAre(String),
    /// A destination without a port.
    NoPort(String),
    /// A destination's port is not a port number.
    NotAPort(String),
    /// How to write a destination.
    DestinationForm,
    /// A destination is neither a host of the file nor an address.
    NotHostOrAddress(String),
    /// A key that a call does not take.
    KeyNotForCall {
        /// The key.
        key: String,
        /// The call.
        call: &'static str,
    },
    /// The keys a call takes (empty: none).
    CallTakes {
        /// The call.
        call: &'static str,
        /// Its keys, listed.
        keys: String,
    },
    /// A name that cannot be a socket's.
    BadSocketName(String),
    /// How to write a socket's name.
    SocketNameForm,
    /// How to write a name (host or socket).
    NameForm,
    /// A call that needs a socket name.
    CallNeedsSocket(&'static str),
    /// A call that needs a key.
    CallNeeds {
        /// The call.
        call: &'static str,
        /// The key.
        key: &'static str,
    },
    /// "add e.g." and a line of TOML.
    AddExample(String),
    /// "e.g." and a line of TOML.
    Example(String),
    /// A socket used before the call that opens it.
    UsedBeforeOpened {
        /// The socket.
        socket: String,
        /// When it is used.
        at: Duration,
        /// When it is opened.
        opened: Duration,
    },
    /// Move the call after the one that opens the socket.
    MoveAfterOpen,
    /// A socket never opened on a host.
    NeverOpened {
        /// The socket.
        socket: String,
        /// The host.
        host: String,
    },
    /// Open a socket before using it.
    OpenFirst,
    /// A call given the wrong kind of socket.
    WrongKind {
        /// The socket.
        socket: String,
        /// What it is.
        kind: SocketKind,
        /// The call.
        call: &'static str,
    },
    /// send, recv and shutdown need a connection.
    ConnectionsOnly,
    /// accept takes the listening socket in `listener`.
    AcceptTakesListener,
    /// The file is not UTF-8: the first byte that is not.
    NotUtf8(u8),
    /// How to save it as UTF-8.
    SaveAsUtf8,
    /// A send with neither `bytes` nor `data`.
    SendNeedsBytesOrData,
    /// How to give a send its bytes.
    SendExample,
    /// A send with both `bytes` and `data`.
    SendBytesAndData,
    /// Remove `bytes` where `data` is given.
    RemoveBytes,
    /// `delay` without `on`.
    DelayNeedsOn,
    /// How to give a delay its event.
    DelayNeedsOnHelp,
    /// A call without a socket cannot wait for a socket event.
    CannotWait(&'static str),
    /// Give the call a time instead.
    GiveItATime,
    /// Not an event a call can wait for.
    NotAnEvent(String),
    /// The events there are (a list).
    EventsAre(String),
    /// A socket option's value of the wrong kind.
    OptionTakes(OptionValue),
    /// Examples of option values.
    OptionExample,
    // Time.
    /// Text that is not a duration.
    NotADuration(String),
    /// A duration finer than a microsecond.
    FinerThanMicros(String),
    /// A duration, or the end of the run.
    OrEnd(Box<Msg>),
    /// A moment after the end of the run.
    AfterEnd {
        /// The moment.
        at: Duration,
        /// The run's length.
        duration: Duration,
    },
    /// Use a time within the run.
    WithinDuration,
    /// A call after the end of the run.
    CallAfterEnd {
        /// The call's time.
        at: Duration,
        /// The run's length.
        duration: Duration,
    },
    /// Make the run longer or the call earlier.
    LongerOrEarlier,
    /// A call without a time.
    NoTime,
    /// `after` outside a repeat.
    AfterOutsideRepeat,
    /// In the timeline, `at` gives the time.
    TimelineAt,
    /// A run length outside the allowed range.
    RunOutOfRange(Duration),
    /// The allowed run lengths.
    RunRange(Duration),
    // Expectations.
    /// A socket named without its host.
    NoHostInSocket(String),
    /// How to name a socket in an expectation.
    SocketForm,
    /// A host never opens a socket of this name.
    HostNoSuchSocket {
        /// The host.
        host: String,
        /// The socket's name.
        socket: String,
    },
    /// The host opens no sockets.
    NoSockets,
    /// A host's sockets (a list).
    SocketsAre(String),
    /// An expectation that checks nothing.
    ExpectNothing,
    /// An expectation that mixes checks.
    ExpectMixed,
    /// The kinds of expectations.
    ExpectOneOf,
    /// `state` without `socket`.
    StateNeedsSocket,
    /// `count` without `host`.
    CountNeedsHost,
    /// `count` without a bound.
    CountNeedsBound,
    /// How to bound a count.
    CountBoundExample,
    /// Not a call's result.
    NotAResult(String),
    /// The results there are (a list of errnos).
    ResultsAre(String),
    /// `result` without `socket` or `host`.
    ResultNeedsSocket,
    // Hosts, links, repeats, faults.
    /// A setting out of range, in the `[tcp]` table.
    TcpSection(ConfigError),
    /// A setting out of range.
    Config(ConfigError),
    /// A state name that is not one.
    UnknownState(String),
    /// A flag list that is not one.
    UnknownFlag(String),
    /// A file without hosts.
    NoHosts,
    /// How to add hosts.
    AddHosts,
    /// Two hosts with one name.
    SecondHostName(String),
    /// Give each host its own name.
    OwnName,
    /// A name that cannot be a host's.
    BadHostName(String),
    /// Two hosts with one address.
    SecondHostAddress(String),
    /// Give each host its own address.
    OwnAddress,
    /// An ephemeral port range that is not a range.
    NotARange {
        /// The host.
        host: String,
        /// What was written.
        text: String,
    },
    /// How to write a port range.
    RangeForm,
    /// A link that loses everything.
    LinkCut,
    /// How to cut a link for a while.
    LinkCutHelp,
    /// A file's call limit above the ceiling.
    MaxCallsOverCeiling {
        /// What the file asks.
        asked: u64,
        /// The ceiling.
        ceiling: u64,
    },
    /// Use at most this many.
    UseAtMost(u64),
    /// A repeat's `every` of zero.
    EveryZero,
    /// A repeat with both or neither of `count` and `until`.
    CountOrUntil,
    /// A repeat over what the page runs.
    RepeatOverPage {
        /// Calls it schedules.
        total: u64,
        /// Calls the timeline and the repeats before it schedule.
        before: u64,
        /// What runs in the page.
        max: u64,
    },
    /// Run it with the command-line tool.
    UseCli(u64),
    /// A repeat over the file's call limit.
    RepeatOverLimit {
        /// Calls it schedules.
        total: u64,
        /// Calls the timeline and the repeats before it schedule.
        before: u64,
        /// The limit.
        max: u64,
    },
    /// Repeat fewer times (`true`: the limit cannot be raised).
    RepeatFewer(bool),
    /// A repeat without calls.
    RepeatNoCalls,
    /// How to give a repeat calls.
    AddRepeatCalls,
    /// A repeat's call timed with `at`.
    RepeatAt,
    /// How to time a repeat's call.
    RepeatAfterExample,
    /// A fault's `nth` of 0.
    NthFromOne,
    /// What `nth = 1` means.
    NthExample,
    /// A fault's `count` of 0.
    CountFromOne,
    /// How to write a fault's count.
    CountForm,
    /// A delaying fault without `delay`.
    DelayNeedsDelay,
    /// A dropping fault with `delay`.
    DelayOnDrop,
    /// How to fix a drop with a delay.
    DelayOnDropHelp,
    /// What to do about too many hosts.
    FewerHosts,
    /// More hosts than a file may have: how many it has, the most.
    TooManyHosts {
        /// The hosts in the file.
        count: usize,
        /// The most allowed.
        max: usize,
    },
    /// `[limits] max_sockets` over what any file may ask: what it asks, the ceiling.
    MaxSocketsOverCeiling {
        /// What the file asks.
        asked: u64,
        /// The ceiling.
        ceiling: u64,
    },
    /// `[limits] max_events` over what any file may ask: what it asks, the ceiling.
    MaxEventsOverCeiling {
        /// What the file asks.
        asked: u64,
        /// The ceiling.
        ceiling: u64,
    },
    /// How to write a range of counts.
    MinMaxHelp,
    /// An expectation's `min` above its `max`: no count can pass.
    MinOverMax(u64, u64),
    /// A file over the most a scenario file may be, in bytes.
    FileTooLarge(u64),
    /// A key written twice in one table (the TOML parser's error, with the key named).
    DuplicateKey(String),
    /// A duration too long to count in microseconds.
    DurationTooLong(String),
    /// A probability's range, with an example.
    ProbabilityRange,
}

impl Msg {
    /// The message in English and 简体中文.
    pub fn text(&self) -> Bi {
        let (en, zh): (String, String) = match self {
            Msg::UnknownKey { key, place } => {
                let (p_en, p_zh) = place.text();
                (
                    format!("unknown key `{key}` in {p_en}"),
                    format!("{p_zh}中没有 `{key}` 这个键"),
                )
            }
            Msg::KeysAre {
                place,
                suggestion,
                keys,
            } => {
                let (p_en, p_zh) = place.text();
                match suggestion {
                    Some(s) => (
                        format!("did you mean `{s}`? {p_en} takes: {keys}"),
                        format!("是不是想写 `{s}`？{p_zh}可用的键：{keys}"),
                    ),
                    None => (
                        format!("{p_en} takes: {keys}"),
                        format!("{p_zh}可用的键：{keys}"),
                    ),
                }
            }
            Msg::MustBe { key, want, found } => {
                let (w_en, w_zh): (String, String) = match want {
                    Want::Text => ("a string in quotes".into(), "带引号的字符串".into()),
                    Want::Bool => ("true or false".into(), "true 或 false".into()),
                    Want::Number => ("a number".into(), "数字".into()),
                    Want::Int(lo, hi) => (
                        format!("a whole number from {lo} to {hi}"),
                        format!("{lo} 到 {hi} 之间的整数"),
                    ),
                    Want::Duration => (
                        "a duration in quotes, such as \"60s\"".into(),
                        "带引号的时长，例如 \"60s\"".into(),
                    ),
                    Want::Table => ("a table".into(), "表".into()),
                    Want::Tables => ("an array of tables".into(), "表数组".into()),
                };
                let (f_en, f_zh) = match found {
                    Found::String => ("a string", "字符串"),
                    Found::Integer => ("an integer", "整数"),
                    Found::Float => ("a decimal number", "小数"),
                    Found::Boolean => ("true or false", "布尔值"),
                    Found::Datetime => ("a date", "日期时间"),
                    Found::Array => ("an array", "数组"),
                    Found::Table => ("a table", "表"),
                };
                (
                    format!("`{key}` must be {w_en}, not {f_en}"),
                    format!("`{key}` 应为{w_zh}，而不是{f_zh}"),
                )
            }
            Msg::WriteWithoutQuotes { key, value } => (
                format!("write it without quotes: {key} = {value}"),
                format!("去掉引号：{key} = {value}"),
            ),
            Msg::WriteInQuotes { key, value } => (
                format!("write it in quotes: {key} = \"{value}\""),
                format!("加上引号：{key} = \"{value}\""),
            ),
            Msg::TableNeeds { place, key } => {
                let (p_en, p_zh) = place.text();
                (format!("{p_en} needs `{key}`"), format!("{p_zh}需要 `{key}`"))
            }
            Msg::IntOutOfRange { key, value } => (
                format!("`{key}` = {value} is out of range"),
                format!("`{key}` = {value} 超出范围"),
            ),
            Msg::WholeNumber { lo, hi } => (
                format!("use a whole number from {lo} to {hi}"),
                format!("请使用 {lo} 到 {hi} 之间的整数"),
            ),
            Msg::NoUnit(n) => (format!("`{n}` has no unit"), format!("`{n}` 没有单位")),
            Msg::UnitExample(n) => (
                format!("write it in quotes with a unit, like \"{n}s\" or \"{n}ms\""),
                format!("请加引号并写上单位，例如 \"{n}s\" 或 \"{n}ms\""),
            ),
            Msg::NotIpv4(t) => (
                format!("`{t}` is not an IPv4 address"),
                format!("`{t}` 不是 IPv4 地址"),
            ),
            Msg::Ipv4Form => (
                "write an IPv4 address such as \"10.0.0.1\" (four numbers from 0 to 255)".into(),
                "请写 IPv4 地址，例如 \"10.0.0.1\"（四个 0 到 255 之间的数）".into(),
            ),
            Msg::NotValid { text, key } => (
                format!("`{text}` is not a valid `{key}`"),
                format!("`{text}` 不是有效的 `{key}`"),
            ),
            Msg::OneOf {
                key,
                suggestion: Some(s),
                list,
            } => (
                format!("did you mean `{s}`? `{key}` is one of: {list}"),
                format!("是不是想写 `{s}`？`{key}` 可选：{list}"),
            ),
            Msg::OneOf { key, list, .. } => (
                format!("`{key}` is one of: {list}"),
                format!("`{key}` 可选：{list}"),
            ),
            Msg::NeedsBothLanguages(key) => (
                format!("`{key}` needs an English and a Chinese text"),
                format!("`{key}` 需要英文和中文两种文本"),
            ),
            Msg::BothLanguagesExample { key, text } => (
                format!("write {key} = {{ en = \"{text}\", zh = \"...\" }}"),
                format!("写成 {key} = {{ en = \"{text}\", zh = \"……\" }}"),
            ),
            Msg::NoteForm(key) => (
                format!("`{key}` must be a text in quotes, or one in each language"),
                format!("`{key}` 应为带引号的文本，或中英文各一段"),
            ),
            Msg::NoteExample(key) => (
                format!("write {key} = \"...\" or {key} = {{ en = \"...\", zh = \"...\" }}"),
                format!("写成 {key} = \"……\" 或 {key} = {{ en = \"...\", zh = \"……\" }}"),
            ),
            Msg::ControlCharacters(key) => (
                format!("`{key}` holds control characters"),
                format!("`{key}` 含有控制字符"),
            ),
            Msg::ControlHelp => (
                "write printable text: line breaks and tabs are the only control characters allowed".into(),
                "请只写可打印的文字：控制字符中只允许换行和制表符".into(),
            ),
            Msg::MoreErrors(n) => (
                format!("and {n} more errors: fix these first, then check the file again"),
                format!("还有 {n} 个错误：请先改正以上错误，再检查一遍文件"),
            ),
            Msg::HostPair(key) => (
                format!("`{key}` must be two host names, like [\"client\", \"server\"]"),
                format!("`{key}` 应为两个主机名，例如 [\"client\", \"server\"]"),
            ),
            Msg::NoHost(n) => (
                format!("there is no host named `{n}`"),
                format!("没有名为 `{n}` 的主机"),
            ),
            Msg::HostsAre(l) => (format!("the hosts are: {l}"), format!("现有的主机：{l}")),
            Msg::NoPort(t) => (format!("`{t}` has no port"), format!("`{t}` 缺少端口")),
            Msg::NotAPort(t) => (
                format!("`{t}` is not a port number (1 to 65535)"),
                format!("`{t}` 不是端口号（1 到 65535）"),
            ),
            Msg::DestinationForm => (
                "write the destination as \"host:port\" (a host name from this file) or \"10.0.0.2:80\"".into(),
                "目的地址写成 \"主机名:端口\"（本文件中的主机名）或 \"10.0.0.2:80\"".into(),
            ),
            Msg::NotHostOrAddress(t) => (
                format!("`{t}` is neither a host of this file nor an IPv4 address"),
                format!("`{t}` 既不是本文件中的主机，也不是 IPv4 地址"),
            ),
            Msg::KeyNotForCall { key, call } => (
                format!("`{key}` does not apply to `{call}`"),
                format!("`{call}` 不接受 `{key}` 这个键"),
            ),
            Msg::CallTakes { call, keys } if keys.is_empty() => (
                format!("`{call}` takes: no other keys"),
                format!("`{call}` 不接受其他键"),
            ),
            Msg::CallTakes { call, keys } => (
                format!("`{call}` takes: {keys}"),
                format!("`{call}` 可用的键：{keys}"),
            ),
            Msg::BadSocketName(n) => (
                format!("`{n}` is not a usable socket name"),
                format!("`{n}` 不能用作套接字名"),
            ),
            Msg::SocketNameForm => (
                "use 1 to 64 letters, digits, `-`, `_` and `.`, e.g. \"client-1\"".into(),
                "请使用 1 到 64 个字母、数字、`-`、`_` 和 `.`，例如 \"client-1\"".into(),
            ),
            Msg::NameForm => (
                "use 1 to 64 letters, digits, `-`, `_` and `.`".into(),
                "请使用 1 到 64 个字母、数字、`-`、`_` 和 `.`".into(),
            ),
            Msg::CallNeedsSocket(call) => (
                format!("`{call}` needs `socket`, the name of the socket"),
                format!("`{call}` 需要 `socket`（套接字的名字）"),
            ),
            Msg::CallNeeds { call, key } => (
                format!("`{call}` needs `{key}`"),
                format!("`{call}` 需要 `{key}`"),
            ),
            Msg::AddExample(code) => (format!("add e.g. {code}"), format!("例如加上 {code}")),
            Msg::Example(code) => (format!("e.g. {code}"), format!("例如 {code}")),
            Msg::UsedBeforeOpened { socket, at, opened } => (
                format!("socket `{socket}` is used at {at} but only opened at {opened}"),
                format!("套接字 `{socket}` 在 {at} 被使用，但直到 {opened} 才打开"),
            ),
            Msg::MoveAfterOpen => (
                "move this call after the one that opens the socket".into(),
                "把这个调用移到打开该套接字的调用之后".into(),
            ),
            Msg::NeverOpened { socket, host } => (
                format!("socket `{socket}` is never opened on host `{host}`"),
                format!("主机 `{host}` 上从未打开名为 `{socket}` 的套接字"),
            ),
            Msg::OpenFirst => (
                "open it first with `listen`, `connect` or `accept` on the same host".into(),
                "请先在同一主机上用 `listen`、`connect` 或 `accept` 打开它".into(),
            ),
            Msg::WrongKind {
                socket,
                kind: SocketKind::Listener,
                call,
            } => (
                format!("socket `{socket}` is a listening socket, which `{call}` cannot use"),
                format!("套接字 `{socket}` 是监听套接字，`{call}` 不能用于它"),
            ),
            Msg::WrongKind { socket, call, .. } => (
                format!("socket `{socket}` is a connection, which `{call}` cannot use"),
                format!("套接字 `{socket}` 是一个连接，`{call}` 不能用于它"),
            ),
            Msg::ConnectionsOnly => (
                "send, recv and shutdown work on connections: accept one first".into(),
                "send、recv 和 shutdown 只能用于连接：请先 accept 一个连接".into(),
            ),
            Msg::AcceptTakesListener => (
                "accept takes the listening socket in `listener`".into(),
                "accept 的监听套接字要写在 `listener` 中".into(),
            ),
            Msg::NotUtf8(byte) => (
                format!("the file is not UTF-8 text: byte 0x{byte:02x} here starts no character"),
                format!("文件不是 UTF-8 文本：此处的字节 0x{byte:02x} 不是任何字符的开头"),
            ),
            Msg::SaveAsUtf8 => (
                "save the file as UTF-8 (for example `iconv -f GBK -t UTF-8 in.toml > out.toml`)".into(),
                "请把文件另存为 UTF-8 编码（例如 `iconv -f GBK -t UTF-8 in.toml > out.toml`）".into(),
            ),
            Msg::SendNeedsBytesOrData => (
                "`send` needs `bytes` (how many) or `data` (the bytes themselves)".into(),
                "`send` 需要 `bytes`（字节数）或 `data`（要发送的内容）".into(),
            ),
            Msg::SendExample => (
                "add e.g. bytes = 100, or data = \"GET / HTTP/1.1\\r\\n\\r\\n\"".into(),
                "例如加上 bytes = 100，或 data = \"GET / HTTP/1.1\\r\\n\\r\\n\"".into(),
            ),
            Msg::SendBytesAndData => (
                "`send` takes `bytes` or `data`, not both".into(),
                "`send` 只能写 `bytes` 或 `data` 其中之一".into(),
            ),
            Msg::RemoveBytes => (
                "remove `bytes`: the length of `data` is the count".into(),
                "删去 `bytes`：`data` 的长度就是字节数".into(),
            ),
            Msg::DelayNeedsOn => (
                "`delay` needs `on`: the event the delay follows".into(),
                "`delay` 需要 `on`：延迟是从哪个事件算起".into(),
            ),
            Msg::DelayNeedsOnHelp => (
                "add e.g. on = \"eof\", or give the call a later time instead".into(),
                "例如加上 on = \"eof\"，或者直接把调用的时间写晚一些".into(),
            ),
            Msg::CannotWait(call) => (
                format!("`{call}` names no socket, so it cannot wait for a socket event"),
                format!("`{call}` 不涉及套接字，不能等待套接字事件"),
            ),
            Msg::GiveItATime => (
                "give it a time with `at` (or `after` in a repeat)".into(),
                "用 `at`（在 repeat 中用 `after`）给它一个时间".into(),
            ),
            Msg::NotAnEvent(t) => (
                format!("`{t}` is not an event a call can wait for"),
                format!("`{t}` 不是调用可以等待的事件"),
            ),
            Msg::EventsAre(l) => (format!("use one of: {l}"), format!("可用的事件：{l}")),
            Msg::OptionTakes(v) => {
                let (en, zh) = match v {
                    OptionValue::Bool => ("true or false", "true 或 false"),
                    OptionValue::Duration => ("a duration such as \"60s\"", "像 \"60s\" 这样的时长"),
                    OptionValue::Count => ("a count from 1 to 127", "1 到 127 之间的次数"),
                };
                (
                    format!("this option takes {en}"),
                    format!("这个选项的取值应为 {zh}"),
                )
            }
            Msg::OptionExample => (
                "e.g. value = true, value = \"60s\" or value = 5".into(),
                "例如 value = true、value = \"60s\" 或 value = 5".into(),
            ),
            Msg::NotADuration(t) => (
                format!(
                    "`{t}` is not a duration: write a number and a unit, like `150ms`, `60s`, `1.5s`, \
                     `2min` or `1h` (units: us, ms, s, min, h; parts may be combined, as in `1h30min`)"
                ),
                format!(
                    "`{t}` 不是时长：请写数字加单位，例如 `150ms`、`60s`、`1.5s`、`2min` 或 `1h`\
                     （单位：us、ms、s、min、h；可以组合，例如 `1h30min`）"
                ),
            ),
            Msg::FinerThanMicros(t) => (
                format!("`{t}` is finer than a microsecond: use at most six decimals of a second"),
                format!("`{t}` 比一微秒还精细：秒的小数最多写六位"),
            ),
            Msg::OrEnd(m) => {
                let t = m.text();
                (
                    format!("{}; or \"end\"", t.en),
                    format!("{}；也可以写 \"end\"", t.zh),
                )
            }
            Msg::AfterEnd { at, duration } => (
                format!("{at} is after the end of the run ({duration})"),
                format!("{at} 晚于运行结束的时间（{duration}）"),
            ),
            Msg::WithinDuration => (
                "use a time within `duration`, or \"end\"".into(),
                "请使用 `duration` 之内的时间，或写 \"end\"".into(),
            ),
            Msg::CallAfterEnd { at, duration } => (
                format!("this call at {at} is after the end of the run ({duration})"),
                format!("这个调用的时间 {at} 晚于运行结束的时间（{duration}）"),
            ),
            Msg::LongerOrEarlier => (
                "make `duration` longer or the call earlier".into(),
                "请加长 `duration`，或把调用提前".into(),
            ),
            Msg::NoTime => ("this call has no time".into(), "这个调用没有时间".into()),
            Msg::AfterOutsideRepeat => (
                "`after` belongs in the calls of a [[repeat]]".into(),
                "`after` 只能用在 [[repeat]] 的调用里".into(),
            ),
            Msg::TimelineAt => (
                "in the timeline, give the time with `at`".into(),
                "在 timeline 中请用 `at` 指定时间".into(),
            ),
            Msg::RunOutOfRange(d) => (
                format!("a run of {d} is outside the allowed range"),
                format!("运行时长 {d} 超出了允许的范围"),
            ),
            Msg::RunRange(max) => (
                format!("use a duration above 0 and at most {max}"),
                format!("请使用大于 0 且不超过 {max} 的时长"),
            ),
            Msg::NoHostInSocket(t) => (
                format!("`{t}` does not say which host"),
                format!("`{t}` 没有说明是哪台主机"),
            ),
            Msg::SocketForm => (
                "name a socket as \"host/socket\", e.g. \"client/c\"".into(),
                "套接字要写成 \"主机/套接字\"，例如 \"client/c\"".into(),
            ),
            Msg::HostNoSuchSocket { host, socket } => (
                format!("host `{host}` never opens a socket named `{socket}`"),
                format!("主机 `{host}` 从未打开名为 `{socket}` 的套接字"),
            ),
            Msg::NoSockets => (
                "this host opens no sockets".into(),
                "这台主机没有打开任何套接字".into(),
            ),
            Msg::SocketsAre(l) => (format!("its sockets are: {l}"), format!("它的套接字有：{l}")),
            Msg::ExpectNothing => (
                "this expectation says nothing to check".into(),
                "这条预期没有说明要检查什么".into(),
            ),
            Msg::ExpectMixed => (
                "this expectation mixes several checks".into(),
                "这条预期混合了多种检查".into(),
            ),
            Msg::ExpectOneOf => (
                "give exactly one of: state (with socket), count (with host), segment, result (with socket or host)".into(),
                "请只给出其中一种：state（配合 socket）、count（配合 host）、segment、result（配合 socket 或 host）".into(),
            ),
            Msg::StateNeedsSocket => (
                "`state` needs `socket`, as \"host/socket\"".into(),
                "`state` 需要 `socket`，写成 \"主机/套接字\"".into(),
            ),
            Msg::CountNeedsHost => (
                "`count` needs `host`: whose sockets to count".into(),
                "`count` 需要 `host`：统计哪台主机的套接字".into(),
            ),
            Msg::CountNeedsBound => ("`count` needs a bound".into(), "`count` 需要一个界限".into()),
            Msg::CountBoundExample => (
                "add min, max or equals, e.g. min = 1000".into(),
                "请加上 min、max 或 equals，例如 min = 1000".into(),
            ),
            Msg::NotAResult(t) => (format!("`{t}` is not a result"), format!("`{t}` 不是一个结果")),
            Msg::ResultsAre(l) => (
                format!("use \"ok\" or an errno: {l}"),
                format!("请使用 \"ok\" 或一个错误码：{l}"),
            ),
            Msg::ResultNeedsSocket => (
                "`result` needs `socket` (\"host/socket\") or `host`".into(),
                "`result` 需要 `socket`（\"主机/套接字\"）或 `host`".into(),
            ),
            Msg::TcpSection(e) => {
                let t = config_text(e);
                (format!("[tcp]: {}", t.en), format!("[tcp]：{}", t.zh))
            }
            Msg::Config(e) => config_text(e).into_pair(),
            Msg::UnknownState(t) => (
                format!(
                    "unknown TCP state `{t}`: use an RFC 9293 name (LISTEN, SYN-SENT, SYN-RECEIVED, \
                     ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT, \
                     CLOSED); netstat (CLOSE_WAIT, FIN_WAIT2, SYN_RECV) and ss (ESTAB, SYN-RECV) \
                     spellings work too"
                ),
                format!(
                    "未知的 TCP 状态 `{t}`：请使用 RFC 9293 的名字（LISTEN、SYN-SENT、SYN-RECEIVED、\
                     ESTABLISHED、FIN-WAIT-1、FIN-WAIT-2、CLOSE-WAIT、CLOSING、LAST-ACK、TIME-WAIT、\
                     CLOSED）；也可以用 netstat（CLOSE_WAIT、FIN_WAIT2、SYN_RECV）或 ss（ESTAB、\
                     SYN-RECV）的写法"
                ),
            ),
            Msg::UnknownFlag(t) => (
                format!(
                    "unknown TCP flag `{t}`: use SYN, FIN, RST, PSH or ACK, joined with `,` or `+` \
                     (e.g. `SYN,ACK`)"
                ),
                format!(
                    "未知的 TCP 标志 `{t}`：请使用 SYN、FIN、RST、PSH 或 ACK，用 `,` 或 `+` 连接\
                     （例如 `SYN,ACK`）"
                ),
            ),
            Msg::NoHosts => ("the file has no hosts".into(), "文件中没有主机".into()),
            Msg::AddHosts => (
                "add at least two [[hosts]] with a name and an addr".into(),
                "请至少加上两个带 name 和 addr 的 [[hosts]]".into(),
            ),
            Msg::SecondHostName(n) => (
                format!("a second host is named `{n}`"),
                format!("又有一台主机叫 `{n}`"),
            ),
            Msg::OwnName => (
                "give every host its own name".into(),
                "每台主机要有自己的名字".into(),
            ),
            Msg::BadHostName(n) => (
                format!("`{n}` cannot be a host name"),
                format!("`{n}` 不能用作主机名"),
            ),
            Msg::SecondHostAddress(a) => (
                format!("a second host has the address {a}"),
                format!("又有一台主机使用地址 {a}"),
            ),
            Msg::OwnAddress => (
                "give every host its own address".into(),
                "每台主机要有自己的地址".into(),
            ),
            Msg::NotARange { host, text } => (
                format!("host `{host}`: ephemeral_ports `{text}` is not a range"),
                format!("主机 `{host}`：ephemeral_ports `{text}` 不是一个范围"),
            ),
            Msg::RangeForm => (
                "write it as \"32768-60999\"".into(),
                "请写成 \"32768-60999\"".into(),
            ),
            Msg::LinkCut => (
                "a link that loses every segment is a cut".into(),
                "丢弃所有报文的链路等于断开".into(),
            ),
            Msg::LinkCutHelp => (
                "to cut a link for a while, add a fault with action = \"drop\", after and before".into(),
                "如果要暂时断开链路，请加一条 action = \"drop\" 并带 after 和 before 的故障".into(),
            ),
            Msg::MaxCallsOverCeiling { asked, ceiling } => (
                format!("[limits] max_calls = {asked} is over the most a file may schedule ({ceiling})"),
                format!("[limits] max_calls = {asked} 超过了一个文件最多能安排的调用数（{ceiling}）"),
            ),
            Msg::UseAtMost(n) => (format!("use at most {n}"), format!("请最多使用 {n}")),
            Msg::EveryZero => ("`every` must be above zero".into(), "`every` 必须大于零".into()),
            Msg::CountOrUntil => (
                "a repeat needs exactly one of `count` and `until`".into(),
                "repeat 需要 `count` 和 `until` 中的恰好一个".into(),
            ),
            Msg::RepeatOverPage { total, before: 0, max } => (
                format!("this repeat schedules {total} calls, over the {max} that run here"),
                format!("这个 repeat 安排了 {total} 个调用，超过了这里能运行的 {max} 个"),
            ),
            Msg::RepeatOverPage { total, before, max } => (
                format!(
                    "this repeat schedules {total} calls, and the {before} before it make {}: over the {max} that run here",
                    total.saturating_add(*before)
                ),
                format!(
                    "这个 repeat 安排了 {total} 个调用，加上之前的 {before} 个共 {} 个，超过了这里能运行的 {max} 个",
                    total.saturating_add(*before)
                ),
            ),
            Msg::UseCli(n) => (
                format!("run it with the tcpsim command-line tool (this file allows {n}), or repeat fewer times"),
                format!("请用 tcpsim 命令行工具运行（这个文件允许 {n} 个），或减少重复次数"),
            ),
            Msg::RepeatOverLimit { total, before: 0, max } => (
                format!("this repeat schedules {total} calls, over the limit of {max}"),
                format!("这个 repeat 安排了 {total} 个调用，超过了上限 {max}"),
            ),
            Msg::RepeatOverLimit { total, before, max } => (
                format!(
                    "this repeat schedules {total} calls, and the {before} before it make {}: over the limit of {max}",
                    total.saturating_add(*before)
                ),
                format!(
                    "这个 repeat 安排了 {total} 个调用，加上之前的 {before} 个共 {} 个，超过了上限 {max}",
                    total.saturating_add(*before)
                ),
            ),
            Msg::RepeatFewer(true) => (
                "repeat fewer times: no file may schedule more calls".into(),
                "请减少重复次数：任何文件都不能安排更多的调用".into(),
            ),
            Msg::RepeatFewer(false) => (
                "repeat fewer times, or raise [limits] max_calls".into(),
                "请减少重复次数，或调高 [limits] max_calls".into(),
            ),
            Msg::RepeatNoCalls => ("this repeat has no calls".into(), "这个 repeat 没有调用".into()),
            Msg::AddRepeatCalls => (
                "add [[repeat.calls]] tables with after, host and call".into(),
                "请加上带 after、host 和 call 的 [[repeat.calls]] 表".into(),
            ),
            Msg::RepeatAt => (
                "calls of a repeat are timed with `after`, not `at`".into(),
                "repeat 中的调用用 `after` 而不是 `at` 指定时间".into(),
            ),
            Msg::RepeatAfterExample => (
                "e.g. after = \"50ms\" from the start of each repetition".into(),
                "例如 after = \"50ms\"，从每次重复开始时算起".into(),
            ),
            Msg::NthFromOne => ("`nth` counts from 1".into(), "`nth` 从 1 开始计数".into()),
            Msg::NthExample => (
                "nth = 1 is the first matching segment".into(),
                "nth = 1 表示第一个匹配的报文".into(),
            ),
            Msg::CountFromOne => (
                "`count` is how many matching segments to hit".into(),
                "`count` 是要作用的匹配报文个数".into(),
            ),
            Msg::CountForm => (
                "use a number from 1, or \"all\"".into(),
                "请使用从 1 起的数字，或 \"all\"".into(),
            ),
            Msg::DelayNeedsDelay => ("a delay needs `delay`".into(), "延迟需要 `delay`".into()),
            Msg::DelayOnDrop => (
                "`delay` does not apply to a drop".into(),
                "丢弃不需要 `delay`".into(),
            ),
            Msg::DelayOnDropHelp => (
                "use action = \"delay\", or remove `delay`".into(),
                "请使用 action = \"delay\"，或去掉 `delay`".into(),
            ),
            Msg::FewerHosts => (
                "simulate fewer hosts: many clients can share one host, each connection on its own port".into(),
                "请减少主机：许多客户端可以共用一台主机，每个连接使用自己的端口".into(),
            ),
            Msg::TooManyHosts { count, max } => (
                format!("the file has {count} hosts, over the {max} a file may have (a /16 network)"),
                format!("文件有 {count} 台主机，超过了一个文件最多能有的 {max} 台（一个 /16 网络）"),
            ),
            Msg::MaxSocketsOverCeiling { asked, ceiling } => (
                format!("[limits] max_sockets = {asked} is over the most a file may ask ({ceiling})"),
                format!("[limits] max_sockets = {asked} 超过了一个文件最多能要求的套接字数（{ceiling}）"),
            ),
            Msg::MaxEventsOverCeiling { asked, ceiling } => (
                format!("[limits] max_events = {asked} is over the most a file may ask ({ceiling}, about a minute of simulation)"),
                format!("[limits] max_events = {asked} 超过了一个文件最多能要求的事件数（{ceiling}，约一分钟的模拟）"),
            ),
            Msg::MinMaxHelp => (
                "swap them, or write `equals` for one count".into(),
                "请交换两者，或用 `equals` 指定一个确切数量".into(),
            ),
            Msg::MinOverMax(min, max) => (
                format!("`min` = {min} is above `max` = {max}: no count can pass this expectation"),
                format!("`min` = {min} 大于 `max` = {max}：任何数量都无法满足这个预期"),
            ),
            Msg::FileTooLarge(max) => (
                format!("the file is over {} MiB, the most a scenario file may be: is it a scenario?", max >> 20),
                format!("文件超过了场景文件的上限 {} MiB：它是场景文件吗？", max >> 20),
            ),
            Msg::DuplicateKey(key) => (
                format!("`{key}` is written twice in this table"),
                format!("`{key}` 在同一个表中写了两次"),
            ),
            Msg::DurationTooLong(t) => (
                format!("`{t}` is too long: a duration must fit in 2^64 microseconds (about 584 542 years)"),
                format!("`{t}` 太长：时长须能以微秒计入 2^64（约 584 542 年）"),
            ),
            Msg::ProbabilityRange => (
                "use a number from 0 to 1: 0.05 loses one segment in twenty".into(),
                "请使用 0 到 1 之间的数：0.05 表示每二十个报文段丢一个".into(),
            ),
        };
        Bi { en, zh }
    }
}

impl From<Msg> for Bi {
    fn from(m: Msg) -> Bi {
        m.text()
    }
}

/// What the command line and the page say about a run, apart from [`Msg`]: a small enum of
/// its own because the page's first module carries it, and [`Msg`]'s words stay in the
/// compiler's module.
#[derive(Clone, Debug, PartialEq)]
pub enum RunMsg {
    /// The simulator refused a setup that passed the compiler's checks (which say what is
    /// wrong, located, before a setup is made): the page's words for it, without the details.
    SetupFailed,
    /// A run stopped on a limit, in a file.
    Stopped {
        /// The file.
        file: String,
        /// Why.
        error: SimError,
    },
    /// Where a file's limits are set.
    LimitsHelp,
    /// A limit no file can raise (memory, real bytes).
    FixedLimit,
    /// No bundled scenario has this name.
    NoBundled(String),
    /// A compiled scenario that could not be read, and why.
    CompiledUnreadable(String),
    /// A run that did not come to its end.
    Unfinished,
    /// A run with no connection to draw.
    NothingToDraw,
}

impl RunMsg {
    /// The message in English and 简体中文.
    pub fn text(&self) -> Bi {
        let (en, zh): (String, String) = match self {
            RunMsg::SetupFailed => (
                "this scenario could not be set up: check it with the editor, or with `tcpsim check`".into(),
                "这个场景无法建立：请用编辑器或 `tcpsim check` 检查它".into(),
            ),
            RunMsg::Stopped { file, error } => {
                let t = stop_text(error);
                (
                    format!("{file}: error: {}", t.en),
                    format!("{file}：错误：{}", t.zh),
                )
            }
            RunMsg::NoBundled(id) => (
                format!("there is no bundled scenario `{id}`"),
                format!("没有名为 `{id}` 的内置场景"),
            ),
            RunMsg::CompiledUnreadable(why) => (
                format!("the compiled scenario could not be read: {why}"),
                format!("无法读取编译后的场景：{why}"),
            ),
            RunMsg::Unfinished => ("the run did not finish".into(), "运行没有结束".into()),
            RunMsg::NothingToDraw => (
                "this run has no connection to draw".into(),
                "这次运行没有可画的连接".into(),
            ),
            RunMsg::LimitsHelp => (
                "the limits are set in the file's [limits] table".into(),
                "上限在文件的 [limits] 表中设置".into(),
            ),
            RunMsg::FixedLimit => (
                "no file can raise this limit: it keeps a run within a laptop's memory".into(),
                "任何文件都不能调高这个上限：它让运行不超出一台笔记本电脑的内存".into(),
            ),
        };
        Bi { en, zh }
    }
}

/// When an expectation holds: at the end of the run, or at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// At the end of the run.
    End,
    /// At this time.
    At(Duration),
}

impl When {
    /// "the end", "20ms"; in Chinese as a sentence places it: "结束时", " 20ms 时".
    fn text(self) -> (String, String) {
        match self {
            When::End => ("the end".into(), "结束时".into()),
            When::At(d) => (d.to_string(), format!(" {d} 时")),
        }
    }
}

/// How many sockets a count expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// Exactly.
    Exactly(u64),
    /// From, to.
    Between(u64, u64),
    /// At least.
    AtLeast(u64),
    /// At most.
    AtMost(u64),
    /// Any number.
    Any,
}

/// What a scenario's expectations say, and what a run showed instead.
#[derive(Clone, Debug, PartialEq)]
pub enum ExpectMsg {
    /// A socket is in a state at a moment.
    State {
        /// "host/socket".
        socket: String,
        /// The state.
        state: State,
        /// When.
        at: When,
    },
    /// A host has so many sockets in a state at a moment.
    Count {
        /// The host.
        host: String,
        /// How many.
        bound: Bound,
        /// The state.
        state: State,
        /// When.
        at: When,
    },
    /// A segment is (or is never) sent.
    Segment {
        /// Its flags.
        flags: Flags,
        /// From this host.
        from: Option<String>,
        /// To this host.
        to: Option<String>,
        /// At or after.
        after: Option<Duration>,
        /// Before.
        before: Option<Duration>,
        /// Never sent.
        absent: bool,
    },
    /// A call succeeds or fails with an errno.
    Result {
        /// The call (`None`: any).
        call: Option<&'static str>,
        /// "host/socket", or the host.
        on: OnWhat,
        /// The errno (`None`: success).
        errno: Option<Errno>,
    },
    /// The label of a failed expectation.
    Failed,
    /// The label of what a run showed instead.
    SeenInstead,
    // What was seen instead.
    /// The socket had not been opened.
    NotOpenedYet(String),
    /// The socket was in another state, since a moment and for a cause.
    WasState {
        /// "host/socket".
        socket: String,
        /// Its state.
        state: State,
        /// When.
        at: When,
        /// Since when, and why.
        since: Option<(Instant, Cause)>,
    },
    /// The host had another number of sockets.
    HadCount {
        /// The host.
        host: String,
        /// How many.
        n: u64,
        /// The state.
        state: State,
        /// When.
        at: When,
    },
    /// No segment matched.
    NoSuchSegment,
    /// A segment that should never be sent was.
    WasSent {
        /// The host.
        host: String,
        /// Its flags.
        flags: Flags,
        /// When.
        t: Instant,
        /// Why it was sent.
        reason: SendReason,
    },
    /// No call matched.
    NoSuchCall,
    /// What the matching calls returned (the first five).
    Returned(Vec<(Instant, &'static str, CallResult)>),
    /// A host whose connect() calls failed for want of a free ephemeral port: the host, how
    /// many.
    PortsRanOut {
        /// The host.
        host: String,
        /// How many connect() calls failed.
        n: usize,
    },
    /// close() failed with EBADF on a host: the first such call, and how many more.
    ClosedTwice {
        /// The host.
        host: String,
        /// The socket's name.
        socket: String,
        /// When the failing close() was made.
        at: Instant,
        /// When the same name was last closed successfully before (none: never open then).
        first: Option<Instant>,
        /// Other close() calls on the host that failed so.
        more: usize,
    },
    /// A reacting call never made: the host, the call, its socket, the event, why.
    NeverMade {
        /// The host.
        host: String,
        /// The call.
        call: &'static str,
        /// Its socket's name.
        socket: Option<String>,
        /// The event it waited for.
        on: String,
        /// Why it was not made.
        why: NotMade,
    },
}

/// Where a result is expected: a socket, or any socket of a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OnWhat {
    /// "host/socket".
    Socket(String),
    /// A host.
    Host(String),
}

impl ExpectMsg {
    /// The words in English and 简体中文.
    pub fn text(&self) -> Bi {
        let (en, zh): (String, String) = match self {
            ExpectMsg::State { socket, state, at } => {
                let (a_en, a_zh) = at.text();
                (
                    format!("{socket} is {state} at {a_en}"),
                    format!("{socket} 在{a_zh}处于 {state}"),
                )
            }
            ExpectMsg::Count {
                host,
                bound,
                state,
                at,
            } => {
                let (b_en, b_zh) = match bound {
                    Bound::Exactly(n) => (format!("exactly {n}"), format!("恰好 {n} 个")),
                    Bound::Between(a, b) => (format!("{a} to {b}"), format!("{a} 到 {b} 个")),
                    Bound::AtLeast(a) => (format!("at least {a}"), format!("至少 {a} 个")),
                    Bound::AtMost(b) => (format!("at most {b}"), format!("至多 {b} 个")),
                    Bound::Any => ("any number of".into(), "任意数量的".into()),
                };
                let (a_en, a_zh) = at.text();
                (
                    format!("host `{host}` has {b_en} sockets in {state} at {a_en}"),
                    format!("主机 `{host}` 在{a_zh}有{b_zh}处于 {state} 的套接字"),
                )
            }
            ExpectMsg::Segment {
                flags,
                from,
                to,
                after,
                before,
                absent,
            } => {
                let mut en = format!("a [{flags}] segment");
                let mut zh = Vec::new();
                if let Some(f) = from {
                    en += &format!(" from {f}");
                    zh.push(format!("发送方 {f}"));
                }
                if let Some(t) = to {
                    en += &format!(" to {t}");
                    zh.push(format!("接收方 {t}"));
                }
                if let Some(a) = after {
                    en += &format!(" at or after {a}");
                    zh.push(format!("在 {a} 或之后"));
                }
                if let Some(b) = before {
                    en += &format!(" before {b}");
                    zh.push(format!("在 {b} 之前"));
                }
                let when = if zh.is_empty() {
                    String::new()
                } else {
                    format!("（{}）", zh.join("，"))
                };
                let (verb, verb_zh) = if *absent {
                    (" is never sent", "从未发出")
                } else {
                    (" is sent", "被发出")
                };
                (en + verb, format!("[{flags}] 报文段{when}{verb_zh}"))
            }
            ExpectMsg::Result { call, on, errno } => {
                let (on_en, on_zh) = match on {
                    OnWhat::Socket(s) => (s.clone(), s.clone()),
                    OnWhat::Host(h) => (format!("host `{h}`"), format!("主机 `{h}`")),
                };
                let (res, res_zh) = match errno {
                    None => ("succeeds".to_string(), "成功".to_string()),
                    Some(e) => (
                        format!("fails with {}", e.name()),
                        format!("以 {} 失败", e.name()),
                    ),
                };
                (
                    format!("{} on {on_en} {res}", call.unwrap_or("a call")),
                    format!(
                        "{on_zh} 上的{}{res_zh}",
                        call.map_or("调用".to_string(), |n| format!(" {n} "))
                    ),
                )
            }
            ExpectMsg::Failed => ("expectation failed".into(), "预期未满足".into()),
            ExpectMsg::SeenInstead => ("seen instead".into(), "实际情况".into()),
            ExpectMsg::NotOpenedYet(name) => (
                format!("{name} had not been opened by then"),
                format!("{name} 那时还没有打开"),
            ),
            ExpectMsg::WasState {
                socket,
                state,
                at,
                since,
            } => {
                let (a_en, a_zh) = at.text();
                let (why, why_zh) = since.map_or_else(Default::default, |(t, cause)| {
                    (
                        format!(" (since {t}: {})", cause_text(cause, Lang::En)),
                        format!("（自 {t} 起：{}）", cause_text(cause, Lang::Zh)),
                    )
                });
                (
                    format!("{socket} was {state} at {a_en}{why}"),
                    format!("{socket} 在{a_zh}处于 {state}{why_zh}"),
                )
            }
            ExpectMsg::HadCount { host, n, state, at } => {
                let plural = if *n == 1 { "socket" } else { "sockets" };
                let (a_en, a_zh) = at.text();
                (
                    format!("host `{host}` had {n} {plural} in {state} at {a_en}"),
                    format!("主机 `{host}` 在{a_zh}有 {n} 个处于 {state} 的套接字"),
                )
            }
            ExpectMsg::NoSuchSegment => (
                "no such segment was sent".into(),
                "没有发出这样的报文段".into(),
            ),
            ExpectMsg::WasSent {
                host,
                flags,
                t,
                reason,
            } => (
                format!(
                    "{host} sent [{flags}] at {t} ({})",
                    reason_text(*reason, Lang::En)
                ),
                format!(
                    "{host} 在 {t} 发出了 [{flags}]（{}）",
                    reason_text(*reason, Lang::Zh)
                ),
            ),
            ExpectMsg::NoSuchCall => ("no such call returned".into(), "没有这样的调用返回".into()),
            ExpectMsg::Returned(calls) => {
                let en: Vec<String> = calls
                    .iter()
                    .map(|(t, name, r)| format!("{name} at {t} {}", returned(r, Lang::En)))
                    .collect();
                let zh: Vec<String> = calls
                    .iter()
                    .map(|(t, name, r)| format!("{name} 在 {t} {}", returned(r, Lang::Zh)))
                    .collect();
                (en.join("; "), zh.join("；"))
            }
            ExpectMsg::PortsRanOut { host, n } => (
                format!(
                    "{n} connect() calls on {host} failed with EADDRNOTAVAIL: every ephemeral port \
                     was in use (connections in TIME-WAIT or never closed hold them)"
                ),
                format!(
                    "{host} 上有 {n} 次 connect() 因 EADDRNOTAVAIL 失败：临时端口全部被占用\
                     （处于 TIME-WAIT 或从未关闭的连接占着它们）"
                ),
            ),
            ExpectMsg::ClosedTwice {
                host,
                socket,
                at,
                first,
                more,
            } => {
                let (en, zh) = match first {
                    Some(first) => (
                        format!(
                            "close() of `{socket}` on {host} at {at} failed with EBADF: it was closed at {first} already. \
                             A second close() is a bug: in a threaded program the descriptor may by then number another socket"
                        ),
                        format!(
                            "{host} 在 {at} 对 `{socket}` 调用 close() 失败（EBADF）：它已在 {first} 关闭。\
                             重复 close() 是缺陷：在多线程程序中，这个描述符届时可能已指向另一个套接字"
                        ),
                    ),
                    None => (
                        format!(
                            "close() of `{socket}` on {host} at {at} failed with EBADF: no socket of that name was open"
                        ),
                        format!(
                            "{host} 在 {at} 对 `{socket}` 调用 close() 失败（EBADF）：没有这个名字的套接字处于打开状态"
                        ),
                    ),
                };
                match more {
                    0 => (en, zh),
                    n => (
                        format!("{en} (and {n} more close() calls on {host} like it)"),
                        format!("{zh}（{host} 上还有 {n} 次同样的 close()）"),
                    ),
                }
            }
            ExpectMsg::NeverMade {
                host,
                call,
                socket,
                on,
                why,
            } => {
                let what = format!(
                    "{host}: {call}{}",
                    socket
                        .as_ref()
                        .map_or(String::new(), |s| format!(" on {s}"))
                );
                let zh = match why {
                    NotMade::RunEnded => "运行先结束了",
                    NotMade::ConnectionEnded => "连接结束了，事件没有发生",
                    NotMade::NoSocket => {
                        "从来没有套接字得到这个名字（它的 connect() 或 accept() 从未成功）"
                    }
                };
                (
                    format!("{what}, waiting for {on}: {}", why.describe()),
                    format!("{what}，等待 {on}：{zh}"),
                )
            }
        };
        Bi { en, zh }
    }
}

/// What a call returned: "returned 300 bytes", "返回 300 字节".
fn returned(r: &CallResult, lang: Lang) -> String {
    match (r, lang) {
        (CallResult::Ok, Lang::En) => "returned ok".into(),
        (CallResult::Ok, Lang::Zh) => "返回成功".into(),
        (CallResult::Bytes(n), Lang::En) => format!("returned {n} bytes"),
        (CallResult::Bytes(n), Lang::Zh) => format!("返回 {n} 字节"),
        (CallResult::Eof, Lang::En) => "returned 0 (end of stream)".into(),
        (CallResult::Eof, Lang::Zh) => "返回 0（流结束）".into(),
        (CallResult::Accepted(_), Lang::En) => "returned a connection".into(),
        (CallResult::Accepted(_), Lang::Zh) => "返回一个连接".into(),
        (CallResult::Error(e), Lang::En) => format!("returned {e}"),
        (CallResult::Error(e), Lang::Zh) => {
            format!("返回 {}（{}）", e.name(), errno_text(*e, Lang::Zh))
        }
    }
}

/// What the command line says, apart from the messages above.
#[derive(Clone, Debug, PartialEq)]
pub enum CliMsg {
    /// Writing to standard output failed.
    CannotWriteStdout(String),
    /// Writing a file failed, and why.
    CannotWrite(String),
    /// Reading a file failed, and why.
    CannotRead(String),
    /// `chart` without an output.
    SayWhereToWrite,
    /// An output that is the scenario file read.
    OutputIsInput,
    /// A time option that is not a duration: the option, why.
    BadTime(&'static str, Msg),
    /// `--socket` names no socket of the run.
    NoSuchSocket(String),
    /// `scenario-from`: no connection of this number; how many there are.
    NoSuchConnection(usize, usize),
    /// `scenario-from`: a connection whose story has no replay yet (its key).
    NotReplayable(&'static str),
    /// `scenario-from`: an IPv6 connection (the simulator's hosts are IPv4).
    NotReplayableIpv6,
    /// `--at` after the end of the run.
    AtAfterEnd {
        /// The moment asked for.
        at: Duration,
        /// The run's length.
        duration: Duration,
    },
    /// `render` without a format.
    SayWhatToDraw,
    /// `--host` names no host: the name, the hosts.
    NoSuchHost(String, String),
    /// A run with no connection to chart.
    NothingToChart,
    /// A time-sequence graph of a host that sends no data.
    NoDataToChart(String),
    /// A chart that could not be drawn, and why.
    ChartFailed(String),
    /// The title of a chart of sockets per state on a host.
    StatesTitle(String),
    /// The title of a time-sequence graph: from, to.
    SequenceTitle(String, String),
    /// A long run's progress: the file, percent, how far, the run's length.
    Simulating {
        /// The file.
        file: String,
        /// Percent done.
        percent: u64,
        /// Simulated time so far.
        now: Duration,
        /// The run's length.
        end: Duration,
    },
    /// A long run is done: its length, and the wall time in tenths of a second.
    Simulated(Duration, u64),
}

impl From<CliMsg> for Bi {
    fn from(m: CliMsg) -> Bi {
        m.text()
    }
}

impl RunMsg {
    /// What to do about a run stopped by `error`: where its limit is set, or that no file can
    /// set it.
    pub fn limit_help(error: &SimError) -> RunMsg {
        match error {
            SimError::MemoryLimit { .. }
            | SimError::MemoryEstimate { .. }
            | SimError::DataLimit { .. } => RunMsg::FixedLimit,
            _ => RunMsg::LimitsHelp,
        }
    }
}

impl From<RunMsg> for Bi {
    fn from(m: RunMsg) -> Bi {
        m.text()
    }
}

impl CliMsg {
    /// The words in English and 简体中文 (errors without their "error:" label).
    pub fn text(&self) -> Bi {
        let (en, zh): (String, String) = match self {
            CliMsg::CannotWriteStdout(why) => (
                format!("cannot write to standard output: {why}"),
                format!("无法写入标准输出：{why}"),
            ),
            CliMsg::CannotWrite(why) => {
                (format!("cannot write: {why}"), format!("无法写入：{why}"))
            }
            CliMsg::CannotRead(why) => (
                format!("cannot read the file: {why}"),
                format!("无法读取文件：{why}"),
            ),
            CliMsg::OutputIsInput => (
                "this is the scenario file being read: writing there would replace it; choose another file".into(),
                "这是正在读取的场景文件：写到这里会覆盖它；请换一个文件".into(),
            ),
            CliMsg::SayWhereToWrite => (
                "say where to write: --svg OUT or --png OUT".into(),
                "请说明写到哪里：--svg 输出文件 或 --png 输出文件".into(),
            ),
            CliMsg::BadTime(flag, m) => {
                let t = m.text();
                (format!("{flag}: {}", t.en), format!("{flag}：{}", t.zh))
            }
            CliMsg::NoSuchConnection(n, count) => (
                format!("there is no connection {n}: the capture has {count}, numbered from 1 as `tcpsim diagnose` lists them"),
                format!("没有第 {n} 个连接：抓包中共有 {count} 个，按 `tcpsim diagnose` 列出的顺序从 1 开始编号"),
            ),
            CliMsg::NotReplayable(story) => (
                format!("a connection that went `{story}` cannot be replayed yet: pick one left open, closed, reset with unread data, refused or a late FIN's"),
                format!("结局为 `{story}` 的连接暂时无法重放：请选择未关闭、正常关闭、因未读数据被重置、被拒绝或迟到 FIN 的连接"),
            ),
            CliMsg::NotReplayableIpv6 => (
                "an IPv6 connection cannot be replayed: the simulator's hosts have IPv4 addresses".into(),
                "IPv6 连接无法重放：模拟器中的主机使用 IPv4 地址".into(),
            ),
            CliMsg::NoSuchSocket(spec) => (
                format!(
                    "--socket {spec}: no such socket; name it as host/socket (client/c), by its address (10.0.0.1:40000), or in a capture by its connection's number in tcpsim diagnose (3)"
                ),
                format!(
                    "--socket {spec}：没有这个套接字；请写成 主机/套接字（client/c）、它的地址（10.0.0.1:40000），或者对抓包写 tcpsim diagnose 列出的连接编号（3）"
                ),
            ),
            CliMsg::AtAfterEnd { at, duration } => (
                format!("--at {at} is after the end of the run ({duration})"),
                format!("--at {at} 晚于运行结束的时间（{duration}）"),
            ),
            CliMsg::SayWhatToDraw => (
                "say what to draw: --svg OUT, --state-diagram OUT, --mermaid or --plantuml".into(),
                "请说明要画什么：--svg 输出文件、--state-diagram 输出文件、--mermaid 或 --plantuml"
                    .into(),
            ),
            CliMsg::NoSuchHost(name, hosts) => (
                format!("--host {name}: no such host; the hosts are {hosts}"),
                format!("--host {name}：没有这台主机；现有的主机：{hosts}"),
            ),
            CliMsg::NothingToChart => (
                "this run has no connection to chart".into(),
                "这次运行没有可画图表的连接".into(),
            ),
            CliMsg::NoDataToChart(host) => (
                format!(
                    "{host} sends no data on this connection: a time-sequence graph needs data (try --socket)"
                ),
                format!("{host} 在这个连接上没有发送数据：时间-序列号图需要数据（试试 --socket）"),
            ),
            CliMsg::ChartFailed(why) => (
                format!("the chart could not be drawn: {why}"),
                format!("无法画出图表：{why}"),
            ),
            CliMsg::StatesTitle(host) => (
                format!("sockets per state on {host}"),
                format!("{host} 上各状态的套接字数"),
            ),
            CliMsg::SequenceTitle(from, to) => (
                format!("time-sequence graph: {from} to {to}"),
                format!("时间-序列号图：{from} 发往 {to}"),
            ),
            CliMsg::Simulating {
                file,
                percent,
                now,
                end,
            } => (
                format!("simulating {file}: {percent}% ({now} of {end})"),
                format!("正在模拟 {file}：{percent}%（{end} 中的 {now}）"),
            ),
            CliMsg::Simulated(d, tenths) => (
                format!("simulated {d} in {}.{} s", tenths / 10, tenths % 10),
                format!("模拟了 {d}，用时 {}.{} 秒", tenths / 10, tenths % 10),
            ),
        };
        Bi { en, zh }
    }
}

/// The words of the text views (the ladder, the netstat listing), the command line's summaries
/// and the editor's error lines.
#[derive(Clone, Debug, PartialEq)]
pub enum ViewMsg {
    /// A run with no connection to draw.
    NoConnection,
    /// After a retransmitted segment's label.
    Rexmit,
    /// After a lost segment's label.
    Lost,
    /// A timer went off.
    TimerFired(TimerKind),
    /// A timer was set for a while.
    TimerFor(TimerKind, Duration),
    /// A lifeline whose end the run does not simulate.
    NotSimulated,
    /// The heading of the time column.
    Time,
    /// Moments left out of a ladder.
    MoreMoments(usize),
    /// The heading of a netstat listing: a moment into the run.
    AtIntoRun(Duration),
    /// The heading of a netstat listing of a capture: a moment into it.
    AtIntoCapture(Duration),
    /// A host with no sockets.
    NoSocketsHere,
    /// Rows left out of a listing.
    AndMore(usize),
    /// Expectations met, of all.
    Met(usize, usize),
    /// A file whose expectations all hold, and how many.
    FilePassed(String, usize),
    /// A file with failed expectations: how many failed, of how many.
    FileFailed(String, usize, usize),
    /// Files passed, failed, and not read.
    Totals(usize, usize, usize),
    /// Reacting calls never made, how many.
    NeverMadeHeading(usize),
    /// Files whose runs stopped at a limit, how many.
    Stopped(usize),
    /// An error's place in the editor: line, column.
    LineCol(u32, u32),
}

impl ViewMsg {
    /// The words in English and 简体中文.
    pub fn text(&self) -> Bi {
        let (en, zh): (String, String) = match self {
            ViewMsg::NoConnection => (
                "This run has no connection to draw.".into(),
                "这次运行中没有可以画的连接。".into(),
            ),
            ViewMsg::Rexmit => (" (rexmit)".into(), " (重传)".into()),
            ViewMsg::Lost => (" lost".into(), " 丢失".into()),
            ViewMsg::TimerFired(t) => (
                format!("{} timer fired", t.name()),
                format!("{} 定时器到期", timer_name(*t, Lang::Zh)),
            ),
            ViewMsg::TimerFor(t, d) => (
                format!("{} timer {d}", t.name()),
                format!("{} 定时器 {d}", timer_name(*t, Lang::Zh)),
            ),
            ViewMsg::NotSimulated => ("(not simulated)".into(), "(未模拟)".into()),
            ViewMsg::Time => ("time".into(), "时间".into()),
            ViewMsg::MoreMoments(n) => (
                format!("... {n} more moments not drawn (narrow with --until, or raise --rows)"),
                format!("…… 还有 {n} 个时刻没有画出（用 --until 缩小范围，或调大 --rows）"),
            ),
            ViewMsg::AtIntoRun(d) => (format!("At {d} into the run:"), format!("运行到 {d} 时：")),
            ViewMsg::AtIntoCapture(d) => (
                format!("At {d} into the capture (states inferred from the segments):"),
                format!("抓包到 {d} 时（状态由报文推断）："),
            ),
            ViewMsg::NoSocketsHere => ("no sockets".into(), "没有套接字".into()),
            ViewMsg::AndMore(n) => (format!("... and {n} more"), format!("…… 还有 {n} 个")),
            ViewMsg::Met(met, all) => (
                format!("Expectations: {met} of {all} met"),
                format!("预期：{all} 项中满足 {met} 项"),
            ),
            ViewMsg::FilePassed(file, n) => (
                format!("ok    {file} ({n} expectations)"),
                format!("通过  {file}（{n} 项预期）"),
            ),
            ViewMsg::FileFailed(file, k, n) => (
                format!("FAIL  {file} ({k} of {n} expectations failed)"),
                format!("失败  {file}（{n} 项预期中 {k} 项未满足）"),
            ),
            ViewMsg::Totals(passed, failed, 0) => (
                format!("{passed} passed, {failed} failed"),
                format!("{passed} 个通过，{failed} 个失败"),
            ),
            ViewMsg::Totals(passed, failed, unread) => (
                format!("{passed} passed, {failed} failed, {unread} could not be read"),
                format!("{passed} 个通过，{failed} 个失败，{unread} 个无法读取"),
            ),
            ViewMsg::NeverMadeHeading(n) => (
                format!("{n} reacting calls were never made:"),
                format!("有 {n} 个等待事件的调用从未执行："),
            ),
            ViewMsg::Stopped(n) => (
                format!("{n} stopped at a limit (see above)"),
                format!("{n} 个在上限处停止（见上文）"),
            ),
            ViewMsg::LineCol(line, col) => (
                format!("line {line}:{col}: "),
                format!("第 {line}:{col} 行："),
            ),
        };
        Bi { en, zh }
    }
}

/// The label of an error line: `error`, `错误`.
pub fn error_label(lang: Lang) -> &'static str {
    lang.pick("error", "错误")
}

/// The label of a help line: `help`, `提示`.
pub fn help_label(lang: Lang) -> &'static str {
    lang.pick("help", "提示")
}

/// A setting out of range, in both languages.
pub fn config_text(e: &ConfigError) -> Bi {
    let (en, zh) = match e {
        ConfigError::Mss(v) => (
            format!("mss {v} is out of range: use 1..=65495 bytes"),
            format!("mss {v} 超出范围：请使用 1 到 65495 字节"),
        ),
        ConfigError::RcvBuf(v) => (
            format!("rcv_buf {v} is out of range: use 1..=65535 bytes (window scaling is not modelled)"),
            format!("rcv_buf {v} 超出范围：请使用 1 到 65535 字节（不模拟窗口缩放）"),
        ),
        ConfigError::SndBufZero => (
            "snd_buf must be at least 1 byte".into(),
            "snd_buf 至少要 1 字节".into(),
        ),
        ConfigError::RtoMin { min, max } => (
            format!("rto_min {min} must be above zero and at most rto_max {max}"),
            format!("rto_min {min} 必须大于零，且不超过 rto_max {max}"),
        ),
        ConfigError::RtoInitialZero => (
            "rto_initial must be above zero".into(),
            "rto_initial 必须大于零".into(),
        ),
        ConfigError::TimeWaitZero => (
            "time_wait must be above zero".into(),
            "time_wait 必须大于零".into(),
        ),
        ConfigError::KeepaliveZero => (
            "keep-alive idle and interval must be above zero".into(),
            "keep-alive 的空闲时间和间隔都必须大于零".into(),
        ),
        ConfigError::Retries { name, value } => (
            format!("{name} {value} is out of range: use 0..=127"),
            format!("{name} {value} 超出范围：请使用 0 到 127"),
        ),
        ConfigError::Probability { name, value } => {
            let v = decimal(*value);
            (
                format!("{name} probability {v} is out of range: use a number from 0 to 1"),
                format!("{name} 概率 {v} 超出范围：请使用 0 到 1 之间的数"),
            )
        }
        ConfigError::Host { host, error } => {
            let t = config_text(error);
            (
                format!("host `{host}`: {}", t.en),
                format!("主机 `{host}`：{}", t.zh),
            )
        }
        ConfigError::EphemeralPorts { lo, hi } => (
            format!("ephemeral port range {lo}-{hi} is empty; use e.g. 32768-60999"),
            format!("临时端口范围 {lo}-{hi} 是空的；请使用例如 32768-60999"),
        ),
        ConfigError::HostName(name) => {
            let name = crate::terminal(name);
            (
                format!(
                    "`{name}` cannot be a host name: use 1 to 64 characters, without spaces or control characters"
                ),
                format!("`{name}` 不能用作主机名：请使用 1 到 64 个字符，不含空格和控制字符"),
            )
        }
        ConfigError::FaultFromZero => (
            "fault occurrences count from 1".into(),
            "故障的第几次从 1 开始计数".into(),
        ),
        ConfigError::HostEventCannotWait => (
            "a crash or a restart names no socket, so it cannot wait for a socket event: give it a time".into(),
            "crash 和 restart 不涉及套接字，不能等待套接字事件：请给它一个时间".into(),
        ),
        ConfigError::TooManyRepeatedCalls => (
            "the repeats schedule more calls than positions can number: repeat fewer times".into(),
            "repeat 安排的调用多到无法编号：请减少重复次数".into(),
        ),
    };
    Bi { en, zh }
}

/// Why the simulator refused or stopped a run, in both languages.
pub fn sim_text(e: &SimError) -> Bi {
    let (en, zh) = match e {
        SimError::DuplicateHostName(n) => (
            format!("two hosts are named `{n}`: give each host its own name"),
            format!("有两台主机都叫 `{n}`：每台主机要有自己的名字"),
        ),
        SimError::DuplicateAddress(a) => (
            format!("two hosts have the address {a}: give each host its own address"),
            format!("有两台主机的地址都是 {a}：每台主机要有自己的地址"),
        ),
        SimError::UnknownHost(h) => (
            format!("there is no host number {}", h.index()),
            format!("没有编号为 {} 的主机", h.index()),
        ),
        SimError::InvalidConfig(c) => config_text(c).into_pair(),
        SimError::CallInPast { at, now } => (
            format!("a call at {at} is in the past (now {now}): make it {now} or later"),
            format!("{at} 的调用已经过去（现在是 {now}）：请安排在 {now} 或之后"),
        ),

        SimError::CallTooLate { at, max } => (
            format!("a call at {at} is after the longest allowed run ({max})"),
            format!("{at} 的调用晚于允许的最长运行时间（{max}）"),
        ),
        SimError::EndInPast { .. }
        | SimError::DurationLimit { .. }
        | SimError::EventLimit { .. }
        | SimError::SocketLimit { .. }
        | SimError::MemoryLimit { .. }
        | SimError::MemoryEstimate { .. }
        | SimError::DataLimit { .. } => return stop_text(e),
    };
    Bi { en, zh }
}

/// Why a run stopped on its way: one of its limits, said precisely; any other error can only
/// refuse a setup ([`sim_text`] says those), and is named here without its details. Kept apart
/// so that the page's first module carries the words of limits only.
pub fn stop_text(e: &SimError) -> Bi {
    let (en, zh) = match e {
        SimError::EndInPast { end, now } => (
            format!("{end} is in the past (now {now}): end the run {now} or later"),
            format!("{end} 已经过去（现在是 {now}）：请在 {now} 或之后结束运行"),
        ),
        SimError::DurationLimit { asked, max } => (
            format!("a run of {asked} is longer than the limit of {max}: shorten the run"),
            format!("运行时长 {asked} 超过了上限 {max}：请缩短运行"),
        ),
        SimError::EventLimit { limit, at } => (
            format!(
                "the run was stopped at {at} after {limit} events, the limit: shorten the run, \
                 use fewer connections, or raise the event limit"
            ),
            format!(
                "运行在 {at} 处理了 {limit} 个事件（上限）后被停止：请缩短运行、减少连接，或调高事件上限"
            ),
        ),
        SimError::SocketLimit { limit, at } => (
            format!(
                "the run was stopped at {at}: it created more than {limit} sockets, the limit; use fewer connections"
            ),
            format!("运行在 {at} 被停止：创建的套接字超过了上限 {limit}；请减少连接"),
        ),
        SimError::MemoryEstimate {
            calls,
            bytes,
            limit,
        } => (
            format!(
                "the run's {calls} calls would take at least {} MiB of memory to record, over the \
                 limit of {} MiB: make fewer calls (repeat fewer times)",
                bytes >> 20,
                limit >> 20
            ),
            format!(
                "这次运行的 {calls} 个调用至少需要 {} MiB 内存来记录，超过了上限 {} MiB：请减少调用（减少重复次数）",
                bytes >> 20,
                limit >> 20
            ),
        ),
        SimError::MemoryLimit { limit, at } => (
            format!(
                "the run was stopped at {at}: its record took more than {} MiB of memory, the limit; \
                 shorten the run, or use fewer connections",
                limit >> 20
            ),
            format!(
                "运行在 {at} 被停止：运行记录占用的内存超过了上限 {} MiB；请缩短运行，或减少连接",
                limit >> 20
            ),
        ),
        SimError::DataLimit { limit, at } => (
            format!(
                "the run was stopped at {at}: its applications sent and read more than {limit} bytes \
                 of `data`, the limit; send shorter `data`, or counts (`bytes`) where the content \
                 does not matter"
            ),
            format!(
                "运行在 {at} 被停止：应用发送和读取的 `data` 超过了上限 {limit} 字节；\
                 请缩短 `data`，内容无关紧要时改用字节数（`bytes`）"
            ),
        ),
        _ => (
            "the run stopped on an error of its setup".to_string(),
            "运行因设置错误而停止".to_string(),
        ),
    };
    Bi { en, zh }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tcpsim_core::id::HostId;

    /// A value that must appear in both languages wherever a message names it.
    const V: &str = "VALUE";

    fn d(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    /// Each variant's place in the list below: adding a variant without an example fails to
    /// compile here, and one left out of `examples` fails the test.
    fn index(m: &Msg) -> usize {
        match m {
            Msg::UnknownKey { .. } => 0,
            Msg::KeysAre { .. } => 1,
            Msg::MustBe { .. } => 2,
            Msg::WriteWithoutQuotes { .. } => 3,
            Msg::WriteInQuotes { .. } => 4,
            Msg::TableNeeds { .. } => 5,
            Msg::IntOutOfRange { .. } => 6,
            Msg::WholeNumber { .. } => 7,
            Msg::NoUnit(..) => 8,
            Msg::UnitExample(..) => 9,
            Msg::NotIpv4(..) => 10,
            Msg::Ipv4Form => 11,
            Msg::NotValid { .. } => 12,
            Msg::OneOf { .. } => 13,
            Msg::NeedsBothLanguages(..) => 14,
            Msg::BothLanguagesExample { .. } => 15,
            Msg::NoteForm(..) => 16,
            Msg::NoteExample(..) => 17,
            Msg::HostPair(..) => 18,
            Msg::MoreErrors(..) => 19,
            Msg::ControlCharacters(..) => 20,
            Msg::ControlHelp => 21,
            Msg::NoHost(..) => 22,
            Msg::HostsAre(..) => 23,
            Msg::NoPort(..) => 24,
            Msg::NotAPort(..) => 25,
            Msg::DestinationForm => 26,
            Msg::NotHostOrAddress(..) => 27,
            Msg::KeyNotForCall { .. } => 28,
            Msg::CallTakes { .. } => 29,
            Msg::BadSocketName(..) => 30,
            Msg::SocketNameForm => 31,
            Msg::NameForm => 32,
            Msg::CallNeedsSocket(..) => 33,
            Msg::CallNeeds { .. } => 34,
            Msg::AddExample(..) => 35,
            Msg::Example(..) => 36,
            Msg::UsedBeforeOpened { .. } => 37,
            Msg::MoveAfterOpen => 38,
            Msg::NeverOpened { .. } => 39,
            Msg::OpenFirst => 40,
            Msg::WrongKind { .. } => 41,
            Msg::ConnectionsOnly => 42,
            Msg::AcceptTakesListener => 43,
            Msg::NotUtf8(..) => 44,
            Msg::SaveAsUtf8 => 45,
            Msg::SendNeedsBytesOrData => 46,
            Msg::SendExample => 47,
            Msg::SendBytesAndData => 48,
            Msg::RemoveBytes => 49,
            Msg::DelayNeedsOn => 50,
            Msg::DelayNeedsOnHelp => 51,
            Msg::CannotWait(..) => 52,
            Msg::GiveItATime => 53,
            Msg::NotAnEvent(..) => 54,
            Msg::EventsAre(..) => 55,
            Msg::OptionTakes(..) => 56,
            Msg::OptionExample => 57,
            Msg::NotADuration(..) => 58,
            Msg::FinerThanMicros(..) => 59,
            Msg::OrEnd(..) => 60,
            Msg::AfterEnd { .. } => 61,
            Msg::WithinDuration => 62,
            Msg::CallAfterEnd { .. } => 63,
            Msg::LongerOrEarlier => 64,
            Msg::NoTime => 65,
            Msg::AfterOutsideRepeat => 66,
            Msg::TimelineAt => 67,
            Msg::RunOutOfRange(..) => 68,
            Msg::RunRange(..) => 69,
            Msg::NoHostInSocket(..) => 70,
            Msg::SocketForm => 71,
            Msg::HostNoSuchSocket { .. } => 72,
            Msg::NoSockets => 73,
            Msg::SocketsAre(..) => 74,
            Msg::ExpectNothing => 75,
            Msg::ExpectMixed => 76,
            Msg::ExpectOneOf => 77,
            Msg::StateNeedsSocket => 78,
            Msg::CountNeedsHost => 79,
            Msg::CountNeedsBound => 80,
            Msg::CountBoundExample => 81,
            Msg::NotAResult(..) => 82,
            Msg::ResultsAre(..) => 83,
            Msg::ResultNeedsSocket => 84,
            Msg::TcpSection(..) => 85,
            Msg::Config(..) => 86,
            Msg::UnknownState(..) => 87,
            Msg::UnknownFlag(..) => 88,
            Msg::NoHosts => 89,
            Msg::AddHosts => 90,
            Msg::SecondHostName(..) => 91,
            Msg::OwnName => 92,
            Msg::BadHostName(..) => 93,
            Msg::SecondHostAddress(..) => 94,
            Msg::OwnAddress => 95,
            Msg::NotARange { .. } => 96,
            Msg::RangeForm => 97,
            Msg::LinkCut => 98,
            Msg::LinkCutHelp => 99,
            Msg::MaxCallsOverCeiling { .. } => 100,
            Msg::UseAtMost(..) => 101,
            Msg::EveryZero => 102,
            Msg::CountOrUntil => 103,
            Msg::RepeatOverPage { .. } => 104,
            Msg::UseCli(..) => 105,
            Msg::RepeatOverLimit { .. } => 106,
            Msg::RepeatFewer(..) => 107,
            Msg::RepeatNoCalls => 108,
            Msg::AddRepeatCalls => 109,
            Msg::RepeatAt => 110,
            Msg::RepeatAfterExample => 111,
            Msg::NthFromOne => 112,
            Msg::NthExample => 113,
            Msg::CountFromOne => 114,
            Msg::CountForm => 115,
            Msg::DelayNeedsDelay => 116,
            Msg::DelayOnDrop => 117,
            Msg::DelayOnDropHelp => 118,
            Msg::FewerHosts => 128,
            Msg::TooManyHosts { .. } => 127,
            Msg::MaxSocketsOverCeiling { .. } => 126,
            Msg::MaxEventsOverCeiling { .. } => 125,
            Msg::MinMaxHelp => 124,
            Msg::MinOverMax(..) => 123,
            Msg::FileTooLarge(..) => 122,
            Msg::DuplicateKey(..) => 121,
            Msg::DurationTooLong(..) => 120,
            Msg::ProbabilityRange => 119,
        }
    }

    fn index_expect(m: &ExpectMsg) -> usize {
        match m {
            ExpectMsg::State { .. } => 0,
            ExpectMsg::Count { .. } => 1,
            ExpectMsg::Segment { .. } => 2,
            ExpectMsg::Result { .. } => 3,
            ExpectMsg::Failed => 4,
            ExpectMsg::SeenInstead => 5,
            ExpectMsg::NotOpenedYet(..) => 6,
            ExpectMsg::WasState { .. } => 7,
            ExpectMsg::HadCount { .. } => 8,
            ExpectMsg::NoSuchSegment => 9,
            ExpectMsg::WasSent { .. } => 10,
            ExpectMsg::NoSuchCall => 11,
            ExpectMsg::Returned(..) => 12,
            ExpectMsg::PortsRanOut { .. } => 14,
            ExpectMsg::ClosedTwice { .. } => 15,
            ExpectMsg::NeverMade { .. } => 13,
        }
    }

    fn index_cli(m: &CliMsg) -> usize {
        match m {
            CliMsg::CannotWriteStdout(..) => 0,
            CliMsg::CannotWrite(..) => 1,
            CliMsg::CannotRead(..) => 2,
            CliMsg::SayWhereToWrite => 3,
            CliMsg::BadTime(..) => 4,
            CliMsg::NoSuchSocket(..) => 5,
            CliMsg::AtAfterEnd { .. } => 6,
            CliMsg::SayWhatToDraw => 7,
            CliMsg::NoSuchHost(..) => 8,
            CliMsg::NothingToChart => 9,
            CliMsg::NoDataToChart(..) => 10,
            CliMsg::ChartFailed(..) => 11,
            CliMsg::StatesTitle(..) => 12,
            CliMsg::SequenceTitle(..) => 13,
            CliMsg::Simulating { .. } => 14,
            CliMsg::Simulated(..) => 15,
            CliMsg::OutputIsInput => 16,
            CliMsg::NoSuchConnection(..) => 17,
            CliMsg::NotReplayable(..) => 18,
            CliMsg::NotReplayableIpv6 => 19,
        }
    }

    const VIEW_VARIANTS: usize = 19;

    fn index_view(m: &ViewMsg) -> usize {
        match m {
            ViewMsg::NoConnection => 0,
            ViewMsg::Rexmit => 1,
            ViewMsg::Lost => 2,
            ViewMsg::TimerFired(..) => 3,
            ViewMsg::TimerFor(..) => 4,
            ViewMsg::NotSimulated => 5,
            ViewMsg::Time => 6,
            ViewMsg::MoreMoments(..) => 7,
            ViewMsg::AtIntoRun(..) => 8,
            ViewMsg::NoSocketsHere => 9,
            ViewMsg::AndMore(..) => 10,
            ViewMsg::Met(..) => 11,
            ViewMsg::FilePassed(..) => 12,
            ViewMsg::FileFailed(..) => 13,
            ViewMsg::Totals(..) => 14,
            ViewMsg::NeverMadeHeading(..) => 15,
            ViewMsg::LineCol(..) => 16,
            ViewMsg::Stopped(..) => 17,
            ViewMsg::AtIntoCapture(..) => 18,
        }
    }

    fn index_run(m: &RunMsg) -> usize {
        match m {
            RunMsg::SetupFailed => 0,
            RunMsg::Stopped { .. } => 1,
            RunMsg::LimitsHelp => 2,
            RunMsg::FixedLimit => 7,
            RunMsg::NoBundled(..) => 3,
            RunMsg::CompiledUnreadable(..) => 4,
            RunMsg::Unfinished => 5,
            RunMsg::NothingToDraw => 6,
        }
    }

    fn configs() -> Vec<ConfigError> {
        vec![
            ConfigError::Mss(0),
            ConfigError::RcvBuf(70_000),
            ConfigError::SndBufZero,
            ConfigError::RtoMin {
                min: d(0),
                max: d(1),
            },
            ConfigError::RtoInitialZero,
            ConfigError::TimeWaitZero,
            ConfigError::KeepaliveZero,
            ConfigError::Retries {
                name: "syn_retries",
                value: 200,
            },
            ConfigError::Probability {
                name: "loss",
                value: 1.5,
            },
            ConfigError::Host {
                host: V.into(),
                error: Box::new(ConfigError::SndBufZero),
            },
            ConfigError::EphemeralPorts { lo: 0, hi: 1 },
            ConfigError::HostName(V.into()),
            ConfigError::FaultFromZero,
            ConfigError::HostEventCannotWait,
            ConfigError::TooManyRepeatedCalls,
        ]
    }

    fn sim_errors() -> Vec<SimError> {
        let at = Instant::from_millis(1500);
        let mut all = vec![
            SimError::DuplicateHostName(V.into()),
            SimError::DuplicateAddress([10, 0, 0, 1].into()),
            SimError::UnknownHost(HostId(7)),
            SimError::CallInPast { at, now: at },
            SimError::EndInPast { end: at, now: at },
            SimError::CallTooLate { at, max: d(5) },
            SimError::DurationLimit {
                asked: d(9),
                max: d(5),
            },
            SimError::EventLimit { limit: 10, at },
            SimError::SocketLimit { limit: 10, at },
            SimError::DataLimit { limit: 10, at },
            SimError::MemoryLimit {
                limit: 10 << 20,
                at,
            },
            SimError::MemoryEstimate {
                calls: 10,
                bytes: 20 << 20,
                limit: 10 << 20,
            },
        ];
        all.extend(configs().into_iter().map(SimError::InvalidConfig));
        all
    }

    fn examples() -> Vec<Msg> {
        let s = || V.to_string();
        let mut all = vec![
            Msg::UnknownKey {
                key: s(),
                place: Place::Top,
            },
            Msg::UnknownKey {
                key: s(),
                place: Place::Table("[[hosts]]"),
            },
            Msg::KeysAre {
                place: Place::Top,
                suggestion: Some(s()),
                keys: s(),
            },
            Msg::KeysAre {
                place: Place::Table("[tcp]"),
                suggestion: None,
                keys: s(),
            },
            Msg::MustBe {
                key: s(),
                want: Want::Text,
                found: Found::Integer,
            },
            Msg::MustBe {
                key: s(),
                want: Want::Bool,
                found: Found::String,
            },
            Msg::MustBe {
                key: s(),
                want: Want::Number,
                found: Found::Float,
            },
            Msg::MustBe {
                key: s(),
                want: Want::Int(0, 9),
                found: Found::Boolean,
            },
            Msg::MustBe {
                key: s(),
                want: Want::Duration,
                found: Found::Datetime,
            },
            Msg::MustBe {
                key: s(),
                want: Want::Table,
                found: Found::Array,
            },
            Msg::MustBe {
                key: s(),
                want: Want::Tables,
                found: Found::Table,
            },
            Msg::WriteWithoutQuotes {
                key: s(),
                value: s(),
            },
            Msg::WriteInQuotes {
                key: s(),
                value: s(),
            },
            Msg::TableNeeds {
                place: Place::Top,
                key: s(),
            },
            Msg::IntOutOfRange {
                key: s(),
                value: s(),
            },
            Msg::WholeNumber { lo: 0, hi: 9 },
            Msg::NoUnit(s()),
            Msg::UnitExample(s()),
            Msg::NotIpv4(s()),
            Msg::Ipv4Form,
            Msg::NotValid {
                text: s(),
                key: s(),
            },
            Msg::OneOf {
                key: s(),
                suggestion: Some(s()),
                list: s(),
            },
            Msg::OneOf {
                key: s(),
                suggestion: None,
                list: s(),
            },
            Msg::NeedsBothLanguages(s()),
            Msg::BothLanguagesExample {
                key: s(),
                text: s(),
            },
            Msg::NoteForm(s()),
            Msg::NoteExample(s()),
            Msg::HostPair(s()),
            Msg::MoreErrors(5),
            Msg::ControlCharacters(s()),
            Msg::ControlHelp,
            Msg::NoHost(s()),
            Msg::HostsAre(s()),
            Msg::NoPort(s()),
            Msg::NotAPort(s()),
            Msg::DestinationForm,
            Msg::NotHostOrAddress(s()),
            Msg::KeyNotForCall { key: s(), call: V },
            Msg::CallTakes { call: V, keys: s() },
            Msg::CallTakes {
                call: V,
                keys: String::new(),
            },
            Msg::BadSocketName(s()),
            Msg::SocketNameForm,
            Msg::NameForm,
            Msg::CallNeedsSocket(V),
            Msg::CallNeeds {
                call: V,
                key: "port",
            },
            Msg::AddExample(s()),
            Msg::Example(s()),
            Msg::UsedBeforeOpened {
                socket: s(),
                at: d(1),
                opened: d(2),
            },
            Msg::MoveAfterOpen,
            Msg::NeverOpened {
                socket: s(),
                host: s(),
            },
            Msg::OpenFirst,
            Msg::WrongKind {
                socket: s(),
                kind: SocketKind::Listener,
                call: V,
            },
            Msg::WrongKind {
                socket: s(),
                kind: SocketKind::Connection,
                call: V,
            },
            Msg::ConnectionsOnly,
            Msg::AcceptTakesListener,
            Msg::NotUtf8(0xff),
            Msg::SaveAsUtf8,
            Msg::SendNeedsBytesOrData,
            Msg::SendExample,
            Msg::SendBytesAndData,
            Msg::RemoveBytes,
            Msg::DelayNeedsOn,
            Msg::DelayNeedsOnHelp,
            Msg::CannotWait(V),
            Msg::GiveItATime,
            Msg::NotAnEvent(s()),
            Msg::EventsAre(s()),
            Msg::OptionTakes(OptionValue::Bool),
            Msg::OptionTakes(OptionValue::Duration),
            Msg::OptionTakes(OptionValue::Count),
            Msg::OptionExample,
            Msg::NotADuration(s()),
            Msg::FinerThanMicros(s()),
            Msg::OrEnd(Box::new(Msg::NotADuration(s()))),
            Msg::AfterEnd {
                at: d(2),
                duration: d(1),
            },
            Msg::WithinDuration,
            Msg::CallAfterEnd {
                at: d(2),
                duration: d(1),
            },
            Msg::LongerOrEarlier,
            Msg::NoTime,
            Msg::AfterOutsideRepeat,
            Msg::TimelineAt,
            Msg::RunOutOfRange(d(0)),
            Msg::RunRange(d(9)),
            Msg::NoHostInSocket(s()),
            Msg::SocketForm,
            Msg::HostNoSuchSocket {
                host: s(),
                socket: s(),
            },
            Msg::NoSockets,
            Msg::SocketsAre(s()),
            Msg::ExpectNothing,
            Msg::ExpectMixed,
            Msg::ExpectOneOf,
            Msg::StateNeedsSocket,
            Msg::CountNeedsHost,
            Msg::CountNeedsBound,
            Msg::CountBoundExample,
            Msg::NotAResult(s()),
            Msg::ResultsAre(s()),
            Msg::ResultNeedsSocket,
            Msg::UnknownState(s()),
            Msg::UnknownFlag(s()),
            Msg::NoHosts,
            Msg::AddHosts,
            Msg::SecondHostName(s()),
            Msg::OwnName,
            Msg::BadHostName(s()),
            Msg::SecondHostAddress(s()),
            Msg::OwnAddress,
            Msg::NotARange {
                host: s(),
                text: s(),
            },
            Msg::RangeForm,
            Msg::LinkCut,
            Msg::LinkCutHelp,
            Msg::MaxCallsOverCeiling {
                asked: 2,
                ceiling: 1,
            },
            Msg::UseAtMost(1),
            Msg::EveryZero,
            Msg::CountOrUntil,
            Msg::RepeatOverPage {
                total: 2,
                before: 0,
                max: 1,
            },
            Msg::RepeatOverPage {
                total: 2,
                before: 3,
                max: 4,
            },
            Msg::UseCli(3),
            Msg::RepeatOverLimit {
                total: 2,
                before: 0,
                max: 1,
            },
            Msg::RepeatOverLimit {
                total: 2,
                before: 3,
                max: 4,
            },
            Msg::RepeatFewer(true),
            Msg::RepeatFewer(false),
            Msg::RepeatNoCalls,
            Msg::AddRepeatCalls,
            Msg::RepeatAt,
            Msg::RepeatAfterExample,
            Msg::NthFromOne,
            Msg::NthExample,
            Msg::CountFromOne,
            Msg::CountForm,
            Msg::DelayNeedsDelay,
            Msg::DelayOnDrop,
            Msg::DelayOnDropHelp,
            Msg::FewerHosts,
            Msg::TooManyHosts { count: 2, max: 1 },
            Msg::MaxSocketsOverCeiling {
                asked: 2,
                ceiling: 1,
            },
            Msg::MaxEventsOverCeiling {
                asked: 2,
                ceiling: 1,
            },
            Msg::MinMaxHelp,
            Msg::MinOverMax(5, 2),
            Msg::FileTooLarge(16 << 20),
            Msg::DuplicateKey(s()),
            Msg::DurationTooLong(s()),
            Msg::ProbabilityRange,
        ];
        all.extend(
            configs()
                .into_iter()
                .flat_map(|c| [Msg::TcpSection(c.clone()), Msg::Config(c)]),
        );
        all
    }

    fn expect_examples() -> Vec<ExpectMsg> {
        let s = || V.to_string();
        let t = Instant::from_millis(20);
        vec![
            ExpectMsg::State {
                socket: s(),
                state: State::CloseWait,
                at: When::End,
            },
            ExpectMsg::Count {
                host: s(),
                bound: Bound::Exactly(1),
                state: State::TimeWait,
                at: When::At(d(1)),
            },
            ExpectMsg::Count {
                host: s(),
                bound: Bound::Between(1, 2),
                state: State::TimeWait,
                at: When::End,
            },
            ExpectMsg::Count {
                host: s(),
                bound: Bound::AtLeast(1),
                state: State::TimeWait,
                at: When::End,
            },
            ExpectMsg::Count {
                host: s(),
                bound: Bound::AtMost(1),
                state: State::TimeWait,
                at: When::End,
            },
            ExpectMsg::Count {
                host: s(),
                bound: Bound::Any,
                state: State::TimeWait,
                at: When::End,
            },
            ExpectMsg::Segment {
                flags: Flags::RST,
                from: Some(s()),
                to: Some(s()),
                after: Some(d(1)),
                before: Some(d(2)),
                absent: true,
            },
            ExpectMsg::Segment {
                flags: Flags::FIN,
                from: None,
                to: None,
                after: None,
                before: None,
                absent: false,
            },
            ExpectMsg::Result {
                call: Some("recv"),
                on: OnWhat::Socket(s()),
                errno: Some(Errno::ECONNRESET),
            },
            ExpectMsg::Result {
                call: None,
                on: OnWhat::Host(s()),
                errno: None,
            },
            ExpectMsg::Failed,
            ExpectMsg::SeenInstead,
            ExpectMsg::NotOpenedYet(s()),
            ExpectMsg::WasState {
                socket: s(),
                state: State::Closed,
                at: When::End,
                since: Some((t, Cause::ALL[0])),
            },
            ExpectMsg::WasState {
                socket: s(),
                state: State::Closed,
                at: When::End,
                since: None,
            },
            ExpectMsg::HadCount {
                host: s(),
                n: 1,
                state: State::Established,
                at: When::End,
            },
            ExpectMsg::NoSuchSegment,
            ExpectMsg::WasSent {
                host: s(),
                flags: Flags::RST,
                t,
                reason: SendReason::Data,
            },
            ExpectMsg::NoSuchCall,
            ExpectMsg::PortsRanOut { host: s(), n: 3 },
            ExpectMsg::ClosedTwice {
                host: s(),
                socket: s(),
                at: t,
                first: Some(t),
                more: 0,
            },
            ExpectMsg::ClosedTwice {
                host: s(),
                socket: s(),
                at: t,
                first: None,
                more: 2,
            },
            ExpectMsg::Returned(vec![
                (t, "recv", CallResult::Eof),
                (t, "recv", CallResult::Error(Errno::EPIPE)),
            ]),
            ExpectMsg::NeverMade {
                host: s(),
                call: "close",
                socket: Some(s()),
                on: "eof".into(),
                why: NotMade::RunEnded,
            },
            ExpectMsg::NeverMade {
                host: s(),
                call: "close",
                socket: None,
                on: "eof".into(),
                why: NotMade::ConnectionEnded,
            },
            ExpectMsg::NeverMade {
                host: s(),
                call: "close",
                socket: None,
                on: "eof".into(),
                why: NotMade::NoSocket,
            },
        ]
    }

    fn cli_examples() -> Vec<CliMsg> {
        let s = || V.to_string();
        vec![
            CliMsg::CannotWriteStdout(s()),
            CliMsg::CannotWrite(s()),
            CliMsg::CannotRead(s()),
            CliMsg::SayWhereToWrite,
            CliMsg::OutputIsInput,
            CliMsg::BadTime("--at", Msg::NotADuration(s())),
            CliMsg::NoSuchSocket(s()),
            CliMsg::NoSuchConnection(3, 2),
            CliMsg::NotReplayable("reset"),
            CliMsg::NotReplayableIpv6,
            CliMsg::AtAfterEnd {
                at: d(2),
                duration: d(1),
            },
            CliMsg::SayWhatToDraw,
            CliMsg::NoSuchHost(s(), s()),
            CliMsg::NothingToChart,
            CliMsg::NoDataToChart(s()),
            CliMsg::ChartFailed(s()),
            CliMsg::StatesTitle(s()),
            CliMsg::SequenceTitle(s(), s()),
            CliMsg::Simulating {
                file: s(),
                percent: 5,
                now: d(1),
                end: d(2),
            },
            CliMsg::Simulated(d(2), 15),
        ]
    }

    fn view_examples() -> Vec<ViewMsg> {
        let s = || V.to_string();
        vec![
            ViewMsg::NoConnection,
            ViewMsg::Rexmit,
            ViewMsg::Lost,
            ViewMsg::TimerFired(TimerKind::Retransmit),
            ViewMsg::TimerFor(TimerKind::TimeWait, d(60)),
            ViewMsg::NotSimulated,
            ViewMsg::Time,
            ViewMsg::MoreMoments(3),
            ViewMsg::AtIntoRun(d(1)),
            ViewMsg::AtIntoCapture(d(1)),
            ViewMsg::NoSocketsHere,
            ViewMsg::AndMore(3),
            ViewMsg::Met(1, 2),
            ViewMsg::FilePassed(s(), 2),
            ViewMsg::FileFailed(s(), 1, 2),
            ViewMsg::Totals(1, 2, 0),
            ViewMsg::Totals(1, 2, 3),
            ViewMsg::NeverMadeHeading(2),
            ViewMsg::Stopped(1),
            ViewMsg::LineCol(3, 4),
        ]
    }

    fn run_examples() -> Vec<RunMsg> {
        let mut all = vec![
            RunMsg::LimitsHelp,
            RunMsg::FixedLimit,
            RunMsg::NoBundled(V.into()),
            RunMsg::CompiledUnreadable(V.into()),
            RunMsg::Unfinished,
            RunMsg::NothingToDraw,
            RunMsg::Stopped {
                file: V.into(),
                error: SimError::EventLimit {
                    limit: 1,
                    at: Instant::ZERO,
                },
            },
        ];
        all.extend(sim_errors().into_iter().map(|error| RunMsg::Stopped {
            file: V.into(),
            error,
        }));
        all.push(RunMsg::SetupFailed);
        all
    }

    fn cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_message_is_said_in_both_languages_with_its_values() {
        let all = examples();
        let mut seen = [false; 129];
        for m in &all {
            seen[index(m)] = true;
            let Bi { en, zh } = m.text();
            assert!(!en.is_empty() && !cjk(&en), "{m:?}: English {en:?}");
            assert!(cjk(&zh), "{m:?}: no Chinese in {zh:?}");
            assert_eq!(
                en.matches(V).count(),
                zh.matches(V).count(),
                "{m:?}: {en} / {zh}"
            );
        }
        let missing: Vec<usize> = (0..seen.len()).filter(|&i| !seen[i]).collect();
        assert!(
            missing.is_empty(),
            "variants without an example: {missing:?}"
        );
        let both = |what: String, t: Bi| {
            let Bi { en, zh } = t;
            assert!(!en.is_empty() && !cjk(&en), "{what}: English {en:?}");
            assert!(cjk(&zh), "{what}: no Chinese in {zh:?}");
            assert_eq!(
                en.matches(V).count(),
                zh.matches(V).count(),
                "{what}: {en} / {zh}"
            );
        };
        let mut seen = [false; 16];
        for m in expect_examples() {
            seen[index_expect(&m)] = true;
            both(format!("{m:?}"), m.text());
        }
        assert!(
            seen.iter().all(|s| *s),
            "ExpectMsg variants without an example: {seen:?}"
        );
        let mut seen = [false; 20];
        for m in cli_examples() {
            seen[index_cli(&m)] = true;
            both(format!("{m:?}"), m.text());
        }
        assert!(
            seen.iter().all(|s| *s),
            "CliMsg variants without an example: {seen:?}"
        );
        let mut seen = [false; VIEW_VARIANTS];
        for m in view_examples() {
            seen[index_view(&m)] = true;
            // Labels and words that carry no value of the file: Chinese (or the same marks).
            let Bi { en, zh } = m.text();
            assert!(!en.is_empty() && !cjk(&en), "{m:?}: English {en:?}");
            assert!(cjk(&zh), "{m:?}: no Chinese in {zh:?}");
        }
        assert!(
            seen.iter().all(|s| *s),
            "ViewMsg variants without an example: {seen:?}"
        );
        let mut seen = [false; 8];
        for m in run_examples() {
            seen[index_run(&m)] = true;
            both(format!("{m:?}"), m.text());
        }
        assert!(
            seen.iter().all(|s| *s),
            "RunMsg variants without an example: {seen:?}"
        );
    }

    #[test]
    fn the_cores_english_is_the_words_english() {
        // The core's Display (for library users) and these words say the same in English.
        for c in configs() {
            assert_eq!(config_text(&c).en, c.to_string());
        }
        for e in sim_errors() {
            assert_eq!(sim_text(&e).en, e.to_string());
            // A run stops on a limit only; its words are the same as the setup's.
            let limit = matches!(
                e,
                SimError::EndInPast { .. }
                    | SimError::DurationLimit { .. }
                    | SimError::EventLimit { .. }
                    | SimError::SocketLimit { .. }
                    | SimError::MemoryLimit { .. }
                    | SimError::MemoryEstimate { .. }
                    | SimError::DataLimit { .. }
            );
            if limit {
                assert_eq!(stop_text(&e), sim_text(&e));
            }
        }
        let state = "CLOSE-WAITING".parse::<tcpsim_core::state::State>();
        assert_eq!(
            state.unwrap_err().to_string(),
            Msg::UnknownState("CLOSE-WAITING".into()).text().en
        );
        let flags = "SYN,ACKK".parse::<tcpsim_core::segment::Flags>();
        assert_eq!(
            flags.unwrap_err().to_string(),
            Msg::UnknownFlag("ACKK".into()).text().en
        );
    }

    #[test]
    fn the_toml_parsers_fixed_messages_are_said_in_chinese() {
        let t = crate::toml_syntax("missing comma between array elements, expected nothing");
        assert_eq!(t.zh, "数组元素之间缺少逗号，应为 无");
        // One the table does not know is shown as it is, under a Chinese heading.
        let t = crate::toml_syntax("a new message");
        assert_eq!(t.zh, "TOML 语法错误：a new message");
    }
}
