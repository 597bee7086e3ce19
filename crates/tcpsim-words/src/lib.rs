//! Words in English and Simplified Chinese for everything a view explains: what a state means
//! and what to watch next, why a transition happened, why a segment was sent, timers, errors.
//! State names and TCP flags stay in their RFC spelling in both languages, as engineers read
//! them in tools and logs.
//!
//! A crate of its own, depending on the core only, so that the scenario checker says a cause,
//! a segment or an error in the same words as the views without bringing the views (and their
//! chart library) into a file-format crate. The messages of the scenario compiler and of the
//! simulator are values here too ([`msg::Msg`]), each said in both languages where it is
//! defined; nothing is translated by matching English text, except the fixed messages of the
//! TOML parser ([`toml_syntax`]), which offers no other handle on them.
#![warn(missing_docs)]

pub mod evidence;
pub mod msg;

use tcpsim_core::endpoint::TimerKind;
use tcpsim_core::errno::Errno;
use tcpsim_core::segment::SendReason;
use tcpsim_core::state::{Cause, State};

/// A text in English and Simplified Chinese.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bi {
    /// In English.
    pub en: String,
    /// In Simplified Chinese.
    pub zh: String,
}

impl Bi {
    /// A text in both languages.
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Bi {
        Bi {
            en: en.into(),
            zh: zh.into(),
        }
    }
    /// The same text in both languages: a name, a number, code.
    pub fn same(text: impl Into<String>) -> Bi {
        let en = text.into();
        Bi { zh: en.clone(), en }
    }
    /// Whether there is no text.
    pub fn is_empty(&self) -> bool {
        self.en.is_empty()
    }
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
    /// English, then Chinese.
    pub fn into_pair(self) -> (String, String) {
        (self.en, self.zh)
    }
}

pub use tcpsim_core::text::terminal;

/// A message of the TOML parser, in both languages. The parser (the `toml` crate) gives its
/// errors as English text only, with no kind to match on, so its fixed messages are matched
/// here exactly; one it has added since is shown in English under a Chinese heading.
pub fn toml_syntax(message: &str) -> Bi {
    if matches!(
        message,
        "recursion limit" | "cannot recurse further; max recursion depth met"
    ) {
        // The parser's words name its own workings, not the file's.
        return Bi::new(
            "nested too deeply: arrays, inline tables or dotted keys go deeper than the reader allows",
            "嵌套过深：数组、内联表或带点的键超过了读取器允许的层数",
        );
    }
    // "what, expected what-instead": each part said on its own.
    if let Some((what, expected)) = message.split_once(", expected ") {
        let w = toml_syntax(what);
        return Bi::new(
            message,
            format!(
                "{}，应为 {}",
                w.zh,
                toml_phrase(expected).unwrap_or(expected)
            ),
        );
    }
    match toml_phrase(message) {
        Some(zh) => Bi::new(message, zh),
        None => Bi::new(message, format!("TOML 语法错误：{message}")),
    }
}

/// What to do about a message of the TOML parser, by the kind of mistake its fixed words
/// name (the part before ", expected", which says what the parser wanted instead).
pub fn toml_syntax_help(message: &str) -> Bi {
    let what = message
        .split_once(", expected ")
        .map_or(message, |(w, _)| w);
    let (en, zh) = match what {
        "duplicate key" => (
            "a key appears once in a table: delete one of the two; for several hosts, steps or expectations, begin each with its own [[hosts]], [[timeline]] or [[expect]] line",
            "同一个表中一个键只能出现一次：删掉其中一个；要写多个主机、步骤或预期时，每个都以自己的 [[hosts]]、[[timeline]] 或 [[expect]] 行开头",
        ),
        "unclosed array table" | "unclosed table" => (
            "close the header with `]` (or `]]`) on the same line",
            "请在同一行用 `]`（或 `]]`）闭合表头",
        ),
        "unclosed inline table" | "extra comma in inline table" => (
            "an inline table { ... } stays on one line, with commas between its pairs and none after the last",
            "内联表 { ... } 须写在一行内，键值对之间用逗号分隔，最后一个之后不加逗号",
        ),
        "unclosed array" | "missing comma between array elements" | "extra comma in array" => (
            "write an array as [a, b, c]: commas between its elements, and `]` at its end",
            "数组写作 [a, b, c]：元素之间用逗号分隔，并以 `]` 结尾",
        ),
        "missing comma between key-value pairs" => (
            "separate an inline table's pairs with commas: { en = \"...\", zh = \"...\" }",
            "内联表的键值对之间用逗号分隔：{ en = \"...\", zh = \"……\" }",
        ),
        "missing assignment between key-value pairs"
        | "missing value for key"
        | "missing value"
        | "key with no value"
        | "extra assignment between key-value pairs"
        | "extra `=`" => ("write one `key = value` per line", "每行写一个 `键 = 值`"),
        "string values must be quoted" | "missing opening quote" => (
            "put text in double quotes: name = \"client\"",
            "文本要放在双引号中：name = \"client\"",
        ),
        "invalid unquoted key" | "unquoted keys cannot be empty" => (
            "a key is letters, digits, `-` and `_`, before an `=`",
            "键由字母、数字、`-` 和 `_` 组成，写在 `=` 之前",
        ),
        "missing escaped value" => (
            "in double quotes a backslash starts an escape: write \\\\ for a backslash, or use single quotes",
            "双引号中的反斜杠表示转义：反斜杠本身写作 \\\\，或改用单引号",
        ),
        "invalid basic string" => (
            "close the text with `\"` on the same line, or use \"\"\" ... \"\"\" for text over several lines",
            "请在同一行用 `\"` 结束文本，多行文本请用 \"\"\" ... \"\"\"",
        ),
        "unexpected key or value"
        | "unexpected content"
        | "unexpected content between comment and newline" => (
            "one `key = value`, table header or comment per line",
            "每行只写一个 `键 = 值`、一个表头或一条注释",
        ),
        "unexpected leading zero" => (
            "write a number without leading zeros: 80, not 080",
            "数字不要以 0 开头：写 80，而不是 080",
        ),
        "carriage return must be followed by newline" => (
            "save the file with LF or CRLF line endings",
            "请以 LF 或 CRLF 换行保存文件",
        ),
        "cannot recurse further; max recursion depth met" | "recursion limit" => (
            "nest arrays, inline tables and dotted keys at most a few dozen levels deep: a scenario needs three",
            "数组、内联表和带点的键最多嵌套几十层：场景文件只需要三层",
        ),
        _ => (
            "the file must be TOML (https://toml.io); compare with a bundled one: tcpsim check scenarios/handshake.toml",
            "文件须为 TOML 格式（https://toml.io）；可对照自带的场景：tcpsim check scenarios/handshake.toml",
        ),
    };
    Bi::new(en, zh)
}

/// The Chinese of one of the TOML parser's fixed phrases.
fn toml_phrase(en: &str) -> Option<&'static str> {
    Some(match en {
        "duplicate key" => "重复的键",
        "unclosed array table" => "数组表的方括号没有闭合",
        "unclosed table" => "表头的方括号没有闭合",
        "unclosed inline table" => "内联表的花括号没有闭合",
        "unclosed array" => "数组的方括号没有闭合",
        "missing comma between array elements" => "数组元素之间缺少逗号",
        "missing comma between key-value pairs" => "键值对之间缺少逗号",
        "missing assignment between key-value pairs" => "键和值之间缺少 `=`",
        "missing value for key" => "键缺少值",
        "missing value" => "缺少值",
        "key with no value" => "键没有值",
        "string values must be quoted" => "字符串值必须加引号",
        "invalid unquoted key" => "不加引号的键不合法",
        "unquoted keys cannot be empty" => "不加引号的键不能为空",
        "missing opening quote" => "缺少开头的引号",
        "missing escaped value" => "转义序列不完整",
        "invalid basic string" => "字符串不合法",
        "extra comma in array" => "数组中多了逗号",
        "extra comma in inline table" => "内联表中多了逗号",
        "extra assignment between key-value pairs" => "多了 `=`",
        "extra `=`" => "多了 `=`",
        "unexpected key or value" => "这里不应出现键或值",
        "unexpected content" => "这里不应有内容",
        "unexpected content between comment and newline" => "注释和换行之间不应有内容",
        "invalid value" => "值不合法",
        "invalid key-value pair" => "键值对不合法",
        "unexpected leading zero" => "数字不能以 0 开头",
        "`_` may only go between digits" => "`_` 只能写在数字之间",
        "carriage return must be followed by newline" => "回车符后面必须是换行符",
        "nothing" => "无",
        _ => return None,
    })
}

/// A language of the interface.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese (简体中文).
    Zh,
}

impl Lang {
    /// The language's code: `en`, `zh`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
    /// From a BCP 47 tag such as "zh-CN" or "en-US"; English for anything else.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }
    pub(crate) fn pick(self, en: &'static str, zh: &'static str) -> &'static str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

/// What a state means, and what to watch for next.
pub fn state_meaning(state: State, lang: Lang) -> &'static str {
    use State::*;
    match state {
        Closed => lang.pick("No connection.", "没有连接。"),
        Listen => lang.pick(
            "Waiting for a SYN from any client.",
            "等待任意客户端发来的 SYN。",
        ),
        SynSent => lang.pick(
            "Our SYN is out; waiting for the peer's SYN,ACK. Without an answer the SYN is sent again, with a doubling wait.",
            "已发出 SYN，等待对端的 SYN,ACK。若没有回应，SYN 会以加倍的间隔重传。",
        ),
        SynReceived => lang.pick(
            "We answered a SYN with SYN,ACK; waiting for the ACK that completes the handshake.",
            "已用 SYN,ACK 回应 SYN，等待完成握手的 ACK。",
        ),
        Established => lang.pick(
            "The connection is open: data can flow both ways. Either side ends it by sending a FIN.",
            "连接已建立：双方都可以收发数据。任何一方发送 FIN 即开始关闭。",
        ),
        FinWait1 => lang.pick(
            "Our application closed; our FIN is out. Waiting for its ACK, or for the peer's FIN.",
            "本端应用已关闭，FIN 已发出。等待对 FIN 的确认，或对端的 FIN。",
        ),
        FinWait2 => lang.pick(
            "Our FIN is acknowledged. Waiting for the peer's FIN, which only the peer's application can cause by calling close(). On Linux an orphaned socket gives up after tcp_fin_timeout (60 s).",
            "本端的 FIN 已被确认。等待对端的 FIN，而这只有对端应用调用 close() 才会发出。在 Linux 上，已关闭（孤儿）的套接字会在 tcp_fin_timeout（60 秒）后放弃等待。",
        ),
        CloseWait => lang.pick(
            "The peer closed its side. TCP is now waiting for OUR application to call close(); nothing else ends this state. A socket that stays here is a leak in the application.",
            "对端已关闭它那一侧。TCP 正在等待本端应用调用 close()，除此之外没有任何事情能结束这个状态。停留在这里的套接字就是应用的泄漏。",
        ),
        Closing => lang.pick(
            "Both sides sent a FIN at the same time; waiting for the ACK of ours.",
            "双方同时发送了 FIN；等待对本端 FIN 的确认。",
        ),
        LastAck => lang.pick(
            "We closed after the peer did; our FIN is out. Waiting for its ACK, then the connection is gone.",
            "本端在对端之后关闭，FIN 已发出。等待它的确认，之后连接即消失。",
        ),
        TimeWait => lang.pick(
            "We closed first, so we wait (2 MSL; a fixed 60 s on Linux) before forgetting the connection: a lost last ACK can be sent again, and old segments die out before the address pair is reused.",
            "本端先关闭，所以要等待一段时间（2 MSL；Linux 固定为 60 秒）才忘记这个连接：如果最后的 ACK 丢失可以重发，旧报文也能在地址对被复用前消失。",
        ),
    }
}

/// Why a transition happened.
pub fn cause_text(cause: Cause, lang: Lang) -> &'static str {
    use Cause::*;
    match cause {
        PassiveOpen => lang.pick("the application called listen()", "应用调用了 listen()"),
        ActiveOpen => lang.pick("the application called connect(): SYN sent", "应用调用了 connect()：发出 SYN"),
        RcvSyn => lang.pick("a SYN arrived; SYN,ACK sent", "收到 SYN；回复 SYN,ACK"),
        RcvSynAck => lang.pick("the peer's SYN,ACK acknowledged our SYN; ACK sent", "对端的 SYN,ACK 确认了本端的 SYN；回复 ACK"),
        SimultaneousOpen => lang.pick(
            "a SYN arrived while our own SYN was out: simultaneous open",
            "本端的 SYN 还在途中时收到了对端的 SYN：同时打开",
        ),
        RcvAckOfSyn => lang.pick("the ACK of our SYN arrived", "收到了对本端 SYN 的确认"),
        Close => lang.pick("the application called close()", "应用调用了 close()"),
        ShutdownWrite => lang.pick("the application called shutdown(SHUT_WR)", "应用调用了 shutdown(SHUT_WR)"),
        RcvFin => lang.pick("the peer's FIN arrived; ACK sent", "收到对端的 FIN；回复 ACK"),
        RcvFinAndAck => lang.pick(
            "the peer's FIN arrived together with the ACK of our FIN",
            "对端的 FIN 与对本端 FIN 的确认一起到达",
        ),
        RcvAckOfFin => lang.pick("the ACK of our FIN arrived", "收到了对本端 FIN 的确认"),
        RcvRst => lang.pick("a reset (RST) arrived", "收到了复位报文（RST）"),
        RcvSynInSynReceived => lang.pick("a new SYN arrived during the handshake: back to LISTEN", "握手期间收到新的 SYN：回到 LISTEN"),
        TimeWaitTimeout => lang.pick("TIME-WAIT ended", "TIME-WAIT 结束"),
        FinWait2Timeout => lang.pick(
            "the peer never sent its FIN: tcp_fin_timeout expired and the orphaned socket was dropped",
            "对端始终没有发送 FIN：tcp_fin_timeout 到期，孤儿套接字被丢弃",
        ),
        RetransmitTimeout => lang.pick("retransmissions went unanswered: gave up (ETIMEDOUT)", "重传始终没有得到回应：放弃（ETIMEDOUT）"),
        UserTimeout => lang.pick(
            "data stayed unacknowledged past the user timeout (ETIMEDOUT)",
            "数据超过用户超时时间仍未被确认（ETIMEDOUT）",
        ),
        KeepaliveTimeout => lang.pick("keep-alive probes went unanswered: the peer is gone", "保活探测没有回应：对端已不在"),
        Abort => lang.pick("the application aborted the connection", "应用中止了连接"),
        LingerZero => lang.pick("close() with SO_LINGER 0 aborts: RST, no TIME-WAIT", "SO_LINGER 为 0 时 close() 即中止：发送 RST，没有 TIME-WAIT"),
        CloseWithUnreadData => lang.pick("close() with unread data: RST instead of FIN", "带着未读数据 close()：发送 RST 而不是 FIN"),
        DataAfterClose => lang.pick("data arrived after close(): RST", "close() 之后又收到数据：发送 RST"),
        TimeWaitReuse => lang.pick("a new SYN for the same address pair ended TIME-WAIT", "同一地址对的新 SYN 提前结束了 TIME-WAIT"),
        ListenerClosed => lang.pick("the listening socket closed before accept()", "监听套接字在 accept() 之前关闭"),
        HostCrash => lang.pick("the host went down", "主机宕机"),
        CaptureBegan => lang.pick("already so when the capture began", "抓包开始时已处于此状态"),
        SentReset => lang.pick("it sent a reset (a capture does not show why)", "它发出了复位（抓包看不出原因）"),
    }
}

/// Why a segment was sent.
pub fn reason_text(reason: SendReason, lang: Lang) -> &'static str {
    use SendReason::*;
    match reason {
        Syn => lang.pick("active open: the first SYN of the handshake", "主动打开：握手的第一个 SYN"),
        SynAck => lang.pick("answer to a SYN: SYN,ACK", "对 SYN 的回应：SYN,ACK"),
        Ack => lang.pick("acknowledges what arrived", "确认收到的内容"),
        Data => lang.pick("application data", "应用数据"),
        Fin => lang.pick("the application closed its sending side: FIN", "应用关闭了发送方向：FIN"),
        Retransmit => lang.pick("the retransmission timer expired: sent again", "重传定时器到期：再次发送"),
        WindowUpdate => lang.pick("the application read data: the window opens again", "应用读取了数据：窗口重新打开"),
        ChallengeAck => lang.pick(
            "challenge ACK (RFC 5961): a RST or SYN that is not exactly expected is questioned, not obeyed",
            "挑战 ACK（RFC 5961）：对不完全符合预期的 RST 或 SYN 先质询而不是照办",
        ),
        DupAck => lang.pick("the segment was not acceptable: ACK with what is expected instead", "报文不可接受：回复 ACK 告知期望的序号"),
        KeepaliveProbe => lang.pick("keep-alive probe: is the idle peer still there?", "保活探测：空闲的对端还在吗？"),
        ZeroWindowProbe => lang.pick("zero-window probe: has the peer's window opened?", "零窗口探测：对端的窗口打开了吗？"),
        RstNoSocket => lang.pick("no socket matches this segment: reset", "没有套接字能匹配这个报文：复位"),
        RstBadAck => lang.pick("the segment acknowledges something never sent: reset", "报文确认了从未发送的内容：复位"),
        RstAbort => lang.pick("the application aborted the connection: reset", "应用中止了连接：复位"),
        RstUnreadData => lang.pick(
            "close() with unread received data: reset instead of FIN (data loss is signalled)",
            "带着未读数据 close()：用 RST 代替 FIN（表明数据丢失）",
        ),
        RstLingerZero => lang.pick("close() with SO_LINGER 0: reset, no TIME-WAIT", "SO_LINGER 为 0 的 close()：复位，没有 TIME-WAIT"),
        RstDataAfterClose => lang.pick("data arrived after the application closed: reset", "应用关闭后又收到数据：复位"),
        RstKeepalive => lang.pick("keep-alive probes went unanswered: reset", "保活探测没有回应：复位"),
        RstListenerClosed => lang.pick("the listening socket closed before accept(): reset", "监听套接字在 accept() 之前关闭：复位"),
        RstSeen => lang.pick("a reset, seen on the wire (a capture does not show why)", "线路上看到的复位（抓包看不出原因）"),
    }
}

/// A timer's name, as the views write it.
pub fn timer_name(timer: TimerKind, lang: Lang) -> &'static str {
    match timer {
        TimerKind::Retransmit => lang.pick("retransmission (RTO)", "重传（RTO）"),
        TimerKind::Persist => lang.pick("zero-window probe", "零窗口探测"),
        TimerKind::Keepalive => lang.pick("keep-alive", "保活"),
        TimerKind::FinWait2 => lang.pick(
            "FIN-WAIT-2 timeout (tcp_fin_timeout)",
            "FIN-WAIT-2 超时（tcp_fin_timeout）",
        ),
        TimerKind::TimeWait => lang.pick("TIME-WAIT (2 MSL)", "TIME-WAIT（2 MSL）"),
        TimerKind::UserTimeout => lang.pick("user timeout", "用户超时"),
    }
}

/// What an errno means, in the user's words.
pub fn errno_text(errno: Errno, lang: Lang) -> &'static str {
    match lang {
        Lang::En => errno.message(),
        Lang::Zh => match errno {
            Errno::ECONNREFUSED => "连接被拒绝",
            Errno::ECONNRESET => "连接被对端重置",
            Errno::EPIPE => "管道破裂（写入已关闭的连接）",
            Errno::ETIMEDOUT => "连接超时",
            Errno::ENOTCONN => "套接字未连接",
            Errno::EMFILE => "打开的文件过多（Too many open files）",
            Errno::EAGAIN => "资源暂时不可用",
            Errno::EADDRINUSE => "地址已被使用",
            Errno::EADDRNOTAVAIL => "无法分配请求的地址",
            Errno::EISCONN => "套接字已连接",
            Errno::EINVAL => "参数无效",
            Errno::EBADF => "文件描述符无效",
            Errno::ENOBUFS => "没有可用的缓冲区空间",
        },
    }
}

/// Interface words, by key. Every key has both languages (a test checks it).
pub fn ui(key: &str, lang: Lang) -> &'static str {
    let (en, zh) = match key {
        "app_title" => (
            "tcpsim: watch TCP connections step by step",
            "tcpsim：逐步观察 TCP 连接",
        ),
        "scenario" => ("Scenario", "场景"),
        "play" => ("Play", "播放"),
        "pause" => ("Pause", "暂停"),
        "step_back" => ("Step back", "后退一步"),
        "step_forward" => ("Step forward", "前进一步"),
        "speed" => ("Speed", "速度"),
        "step" => ("Step", "步骤"),
        "of" => ("of", "/"),
        "explanation" => ("What happened", "发生了什么"),
        "why" => ("Why", "原因"),
        "watch_next" => ("What to watch next", "接下来注意"),
        "enters_next" => ("next enters", "接下来进入"),
        "sockets" => ("Sockets now (ss -tan)", "当前套接字（ss -tan）"),
        "counts" => ("Per state", "各状态数量"),
        "editor" => ("Scenario file (TOML)", "场景文件（TOML）"),
        "run" => ("Run", "运行"),
        "reset" => ("Restore the bundled file", "恢复内置文件"),
        "error" => ("Error", "错误"),
        "lang" => ("中文", "English"),
        "state_diagram" => ("State machine (RFC 9293)", "状态机（RFC 9293）"),
        "ladder" => ("On the wire", "网络上的报文"),
        "sends" => ("sends", "发送"),
        "arrives" => ("arrives at", "到达"),
        "lost" => (
            "is lost in the network: the sender will retransmit when its timer expires",
            "在网络中丢失：发送方会在定时器到期后重传",
        ),
        "calls" => ("the application calls", "应用调用"),
        "timer_fires" => ("timer fires", "定时器到期"),
        "never_closed" => (
            "The application never called close(): this socket stays in CLOSE-WAIT for as long as the process runs, holding a file descriptor.",
            "应用从未调用 close()：只要进程还在运行，这个套接字就一直停在 CLOSE-WAIT，并占用一个文件描述符。",
        ),
        "too_large" => (
            "This scenario is too large to run in the page",
            "这个场景太大，无法在页面中运行",
        ),
        "keys" => (
            "Keys: space plays or pauses, ← and → step",
            "快捷键：空格播放/暂停，← 和 → 单步",
        ),
        "start" => ("Start", "开始"),
        "chart" => ("Sockets per state over time", "各状态套接字数量随时间变化"),
        "axis_minutes" => ("time (min)", "时间（分钟）"),
        "axis_seconds" => ("time (s)", "时间（秒）"),
        "axis_sockets" => ("sockets", "套接字数"),
        "axis_sequence" => ("relative sequence number", "相对序列号"),
        "legend_sent" => ("data sent", "发送的数据"),
        "legend_retransmitted" => ("retransmitted", "重传"),
        "legend_acked" => ("acknowledged", "已确认"),
        "connection" => ("Connection", "连接"),
        "export_svg" => ("Download SVG", "下载 SVG"),
        "export_mermaid" => ("Download Mermaid", "下载 Mermaid"),
        "export_states" => ("Download state diagram (SVG)", "下载状态图（SVG）"),
        "embed" => ("Copy embed code", "复制嵌入代码"),
        "running" => (
            "Running the simulation (the page stays usable)…",
            "正在运行模拟（页面仍可操作）……",
        ),
        "loading_compiler" => (
            "Loading the scenario compiler (once per visit)…",
            "正在加载场景编译器（每次访问只需一次）……",
        ),
        "loading_chart" => ("Loading the chart…", "正在加载图表……"),
        "loading_text" => ("Loading the scenario's text…", "正在加载场景文本……"),
        "more_sockets" => (
            "… and {n} more sockets, not listed",
            "……另有 {n} 个套接字未列出",
        ),
        "load_failed" => (
            "The scenario compiler could not be loaded. Check the connection and reload the page; most bundled scenarios still open without it.",
            "无法加载场景编译器。请检查网络连接后刷新页面；大多数内置场景不需要它也能打开。",
        ),
        "evidence" => (
            "Your own evidence: ss, netstat or a capture",
            "你自己的证据：ss、netstat 或抓包",
        ),
        _ => ("", ""),
    };
    lang.pick(en, zh)
}

/// Every interface key, for the completeness test.
pub const UI_KEYS: &[&str] = &[
    "app_title",
    "scenario",
    "play",
    "pause",
    "step_back",
    "step_forward",
    "speed",
    "step",
    "of",
    "explanation",
    "why",
    "watch_next",
    "enters_next",
    "sockets",
    "counts",
    "editor",
    "run",
    "reset",
    "error",
    "lang",
    "state_diagram",
    "ladder",
    "sends",
    "arrives",
    "lost",
    "calls",
    "timer_fires",
    "never_closed",
    "too_large",
    "keys",
    "start",
    "chart",
    "axis_minutes",
    "axis_seconds",
    "axis_sockets",
    "axis_sequence",
    "legend_sent",
    "legend_retransmitted",
    "legend_acked",
    "connection",
    "export_svg",
    "export_mermaid",
    "export_states",
    "embed",
    "running",
    "loading_compiler",
    "loading_chart",
    "loading_text",
    "load_failed",
    "evidence",
    "more_sockets",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_exists_in_both_languages_and_differs() {
        for k in UI_KEYS {
            let (en, zh) = (ui(k, Lang::En), ui(k, Lang::Zh));
            assert!(!en.is_empty() && !zh.is_empty(), "{k}");
            assert_ne!(en, zh, "{k}");
        }
        for s in State::ALL {
            assert_ne!(state_meaning(s, Lang::En), state_meaning(s, Lang::Zh));
        }
        for c in Cause::ALL {
            let (en, zh) = (cause_text(c, Lang::En), cause_text(c, Lang::Zh));
            assert!(!en.is_empty() && !zh.is_empty() && en != zh, "{c:?}");
        }
        assert_eq!(Lang::from_tag("zh-CN"), Lang::Zh);
        assert_eq!(Lang::from_tag("en-GB"), Lang::En);
        assert!(cause_text(Cause::FinWait2Timeout, Lang::Zh).contains("tcp_fin_timeout"));
        assert!(errno_text(Errno::EMFILE, Lang::Zh).contains("Too many open files"));
    }
}
