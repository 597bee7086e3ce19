//! The words of `tcpsim diagnose`: what a user's socket table shows, in English and 简体中文.
//! Each finding says what it is, why it happens, and what to do; the evidence (counts,
//! addresses, processes) is given as values and written here.

use crate::Bi;

/// Which side of its connections a host's sockets in a state are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// The host connected out: its local port is ephemeral, the peer's a service.
    Client,
    /// The host accepted: its local port is one it listens on (or a service port).
    Server,
    /// The table does not tell.
    Unknown,
}

/// One finding, with its evidence as values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// Sockets in CLOSE-WAIT: the peer closed, this host's application never did.
    CloseWait {
        /// How many.
        count: u64,
        /// Whose.
        side: Side,
        /// The ports this host listens on, for [`Side::Server`].
        ports: Vec<u16>,
    },
    /// CLOSE-WAIT sockets with bytes not read: closing them sends RST.
    UnreadAtClose {
        /// How many.
        count: u64,
    },
    /// A listener whose accept queue is full.
    AcceptQueueFull {
        /// The listening address and port.
        listener: String,
        /// Connections waiting.
        queued: u64,
        /// The backlog.
        backlog: u64,
    },
    /// A process near (or at) its descriptor limit.
    Descriptors {
        /// The process.
        process: String,
        /// Sockets it holds (TIME-WAIT holds no descriptor and is not counted).
        sockets: u64,
        /// Its limit (`--fd-limit`).
        limit: u64,
    },
    /// Sockets in FIN-WAIT-2: this host closed, the peer never did.
    FinWait2 {
        /// How many.
        count: u64,
    },
    /// Connections to peers that do not answer their SYN.
    SynSent {
        /// How many.
        count: u64,
    },
    /// Handshakes answered and never completed.
    SynReceived {
        /// How many.
        count: u64,
    },
    /// Sockets in TIME-WAIT, and the most to one peer against the ephemeral ports there are.
    TimeWait {
        /// How many.
        count: u64,
        /// The peer (address and port) most of them are with, and how many; `None` where the
        /// table gives counts only.
        busiest: Option<(String, u64)>,
        /// Ephemeral ports one peer can take (Linux's default 32768-60999: 28 232).
        ports: u64,
    },
    /// Sockets in LAST-ACK: this host's FIN is not acknowledged.
    LastAck {
        /// How many.
        count: u64,
    },
    /// Sockets in FIN-WAIT-1 or CLOSING: this host's FIN is not acknowledged.
    FinNotAcked {
        /// How many.
        count: u64,
    },
}

/// How a connection went, as its packets show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Story {
    /// Both sides closed and both FINs were acknowledged.
    Graceful,
    /// Open at the capture's end, no FIN from either side.
    Open,
    /// The client closed; the server never did by the capture's end: its application holds
    /// the connection in CLOSE-WAIT.
    LeftOpenByServer,
    /// The server closed; the client never did: the client's application holds it in
    /// CLOSE-WAIT.
    LeftOpenByClient,
    /// One side closed long before the other's FIN, which drew a RST: the first side's
    /// socket had gone (Linux's `tcp_fin_timeout` for an orphan).
    LateFinReset,
    /// A side reset a connection whose peer had sent it data: it closed with data unread.
    ResetUnreadData,
    /// A side reset after it had closed, when data arrived: data after close.
    ResetDataAfterClose,
    /// Reset after the connection idled for a minute or more: the signature of a middlebox's
    /// idle timeout (a load balancer, a NAT, a firewall), whose RST carries the peer's address.
    IdleReset,
    /// Reset otherwise.
    Reset,
    /// The SYN was answered by RST: nothing listens there.
    Refused,
    /// The SYN was never answered.
    NeverAnswered,
    /// The capture began after the handshake: who is client is guessed from the ports.
    Incomplete,
}

impl Story {
    /// Its name for scripts.
    pub fn key(self) -> &'static str {
        match self {
            Story::Graceful => "graceful",
            Story::Open => "open",
            Story::LeftOpenByServer => "left-open-by-server",
            Story::LeftOpenByClient => "left-open-by-client",
            Story::LateFinReset => "late-fin-reset",
            Story::ResetUnreadData => "reset-unread-data",
            Story::ResetDataAfterClose => "reset-data-after-close",
            Story::IdleReset => "idle-reset",
            Story::Reset => "reset",
            Story::Refused => "refused",
            Story::NeverAnswered => "never-answered",
            Story::Incomplete => "incomplete",
        }
    }

    /// A short name, for a table of counts.
    pub fn label(self) -> Bi {
        let (en, zh) = match self {
            Story::Graceful => ("closed gracefully", "正常关闭"),
            Story::Open => ("open", "仍然打开"),
            Story::LeftOpenByServer => ("left open by the server", "服务器未关闭"),
            Story::LeftOpenByClient => ("left open by the client", "客户端未关闭"),
            Story::LateFinReset => ("late FIN answered by RST", "迟到的 FIN 换来 RST"),
            Story::ResetUnreadData => ("reset: unread data at close", "重置：关闭时有未读数据"),
            Story::ResetDataAfterClose => ("reset: data after close", "重置：关闭后收到数据"),
            Story::IdleReset => ("reset after idling", "空闲后被重置"),
            Story::Reset => ("reset", "重置"),
            Story::Refused => ("refused", "被拒绝"),
            Story::NeverAnswered => ("never answered", "无应答"),
            Story::Incomplete => ("begun before the capture", "抓包前已建立"),
        };
        Bi::new(en, zh)
    }

    /// What it means, naming the endpoints (`client`, `server`: address and port), in both
    /// languages.
    pub fn said(self, client: &str, server: &str) -> Bi {
        let (en, zh) = match self {
            Story::Graceful => (
                "closed by both sides, each FIN acknowledged".to_string(),
                "双方都已关闭，每个 FIN 都得到确认".to_string(),
            ),
            Story::Open => (
                "open at the capture's end".to_string(),
                "抓包结束时仍处于打开状态".to_string(),
            ),
            Story::LeftOpenByServer => (
                format!("{client} closed; {server} never did: its application holds the connection in CLOSE-WAIT"),
                format!("{client} 已关闭；{server} 始终没有关闭：它的应用让连接停留在 CLOSE-WAIT"),
            ),
            Story::LeftOpenByClient => (
                format!("{server} closed; {client} never did: its application holds the connection in CLOSE-WAIT"),
                format!("{server} 已关闭；{client} 始终没有关闭：它的应用让连接停留在 CLOSE-WAIT"),
            ),
            Story::LateFinReset => (
                "one side closed long before the other's FIN, which drew a RST: the first side's socket was gone (an orphan's tcp_fin_timeout)".to_string(),
                "一方在另一方发出 FIN 之前很久就已关闭，这个迟到的 FIN 换来了 RST：先关闭一方的套接字已不存在（孤立连接的 tcp_fin_timeout）".to_string(),
            ),
            Story::ResetUnreadData => (
                "reset by a side that closed with data it had not read: in that case close() sends RST, not FIN".to_string(),
                "被一方重置：它关闭时还有未读取的数据，此时 close() 发送的是 RST 而不是 FIN".to_string(),
            ),
            Story::ResetDataAfterClose => (
                "reset by a side that had closed, when data arrived for it".to_string(),
                "被一方重置：它已经关闭之后，又有数据发给它".to_string(),
            ),
            Story::IdleReset => (
                "reset after a minute or more of silence: the signature of a middlebox's idle timeout (a load balancer, a NAT, a firewall), whose RST carries the peer's address; the peer itself may still hold the connection".to_string(),
                "沉默一分钟以上后被重置：这是中间设备（负载均衡、NAT、防火墙）空闲超时的特征，它发出的 RST 带着对端的地址；对端自己可能仍然保持着这个连接".to_string(),
            ),
            Story::Reset => ("reset".to_string(), "被重置".to_string()),
            Story::Refused => (
                format!("refused: nothing listens on {server}"),
                format!("被拒绝：{server} 上没有程序在监听"),
            ),
            Story::NeverAnswered => (
                format!("{server} never answered the SYN"),
                format!("{server} 从未应答 SYN"),
            ),
            Story::Incomplete => (
                "the capture began after the handshake: which side is the client is guessed from the ports".to_string(),
                "抓包开始于握手之后：哪一方是客户端是根据端口推测的".to_string(),
            ),
        };
        Bi { en, zh }
    }
}

/// The heading of a finding, its explanation, and what to do: in both languages.
pub struct Said {
    /// One line: what it is.
    pub what: Bi,
    /// Why it happens.
    pub why: Bi,
    /// What to do.
    pub todo: Bi,
}

fn n(v: u64) -> String {
    // Grouped by threes with a space, which reads in both languages.
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// "1 socket", "3 sockets".
fn sockets(v: u64) -> String {
    plural(v, "socket", "sockets")
}

fn plural(v: u64, one: &str, many: &str) -> String {
    format!("{} {}", n(v), if v == 1 { one } else { many })
}

impl Finding {
    /// What it says.
    pub fn said(&self) -> Said {
        let b = |en: String, zh: String| Bi::new(en, zh);
        match self {
            Finding::CloseWait {
                count,
                side: Side::Client,
                ..
            } => Said {
                what: b(
                    format!("{} in CLOSE-WAIT held by this host's clients", sockets(*count)),
                    format!("{} 个 CLOSE-WAIT 套接字由本机的客户端持有", n(*count)),
                ),
                why: b(
                    "this host connected out (its local ports are ephemeral, the peers' are services); the servers closed, and this host's application never called close(): responses or connections never closed, or a new client or pool made per request and dropped".into(),
                    "本机主动连出（本地端口是临时端口，对端端口是服务端口）；服务器已经关闭，而本机的应用从未调用 close()：响应或连接没有关闭，或者每个请求新建一个客户端或连接池后丢弃".into(),
                ),
                todo: b(
                    "find the code that calls these peers: close every response and connection, on error paths too (try-with-resources, defer, with), and share one client and pool for the whole process".into(),
                    "找到调用这些对端的代码：关闭每一个响应和连接，错误路径上也要关闭（try-with-resources、defer、with），并在整个进程中共用一个客户端和连接池".into(),
                ),
            },
            Finding::CloseWait {
                count,
                side: Side::Server,
                ports,
            } => {
                let ports = ports
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                Said {
                    what: b(
                        format!(
                            "{} in CLOSE-WAIT held by this host's server (port {ports})",
                            sockets(*count)
                        ),
                        format!("{} 个 CLOSE-WAIT 套接字由本机的服务器持有（端口 {ports}）", n(*count)),
                    ),
                    why: b(
                        "clients connected to this host and closed; the server accepted their connections and never called close() on them: a path that skips it, an exception or an early return".into(),
                        "客户端连接本机后已经关闭；服务器接受了这些连接却从未对它们调用 close()：某条代码路径跳过了它，比如异常或提前返回".into(),
                    ),
                    todo: b(
                        "close an accepted connection on every path out of its handler (finally, defer, a guard object), and log the paths that end early".into(),
                        "在处理函数的每一条退出路径上关闭已接受的连接（finally、defer、守卫对象），并记录提前结束的路径".into(),
                    ),
                }
            }
            Finding::CloseWait { count, .. } => Said {
                what: b(
                    format!("{} in CLOSE-WAIT", sockets(*count)),
                    format!("{} 个 CLOSE-WAIT 套接字", n(*count)),
                ),
                why: b(
                    "their peers closed, and this host's application never called close() on them; the table does not say which side of the connections this host is".into(),
                    "对端已经关闭，而本机的应用从未对它们调用 close()；这张表看不出本机是连接的哪一方".into(),
                ),
                todo: b(
                    "paste `ss -tanp` (or `netstat -tanp`) output: with the listening sockets and the processes, tcpsim tells a client's leak from a server's".into(),
                    "请粘贴 `ss -tanp`（或 `netstat -tanp`）的输出：有了监听套接字和进程信息，tcpsim 就能分辨是客户端还是服务器在泄漏".into(),
                ),
            },
            Finding::UnreadAtClose { count } => Said {
                what: b(
                    format!("{} in CLOSE-WAIT {} data the application never read", sockets(*count), if *count == 1 { "holds" } else { "hold" }),
                    format!("{} 个 CLOSE-WAIT 套接字中有应用从未读取的数据", n(*count)),
                ),
                why: b(
                    "Recv-Q is not 0: when the application finally closes them, the kernel sends RST instead of FIN, and the peer may see ECONNRESET".into(),
                    "Recv-Q 不为 0：应用最终关闭它们时，内核会发送 RST 而不是 FIN，对端可能收到 ECONNRESET".into(),
                ),
                todo: b(
                    "read responses to the end (or drain them) before closing".into(),
                    "关闭前把响应读完（或丢弃剩余数据）".into(),
                ),
            },
            Finding::AcceptQueueFull {
                listener,
                queued,
                backlog,
            } => Said {
                what: b(
                    format!("the accept queue of {listener} is full: {} waiting, backlog {}", n(*queued), n(*backlog)),
                    format!("{listener} 的 accept 队列已满：{} 个在等待，backlog 为 {}", n(*queued), n(*backlog)),
                ),
                why: b(
                    "the application does not call accept() fast enough, or at all; new handshakes are dropped and clients retry their SYNs".into(),
                    "应用调用 accept() 不够快，或者根本没有调用；新的握手会被丢弃，客户端只能重传 SYN".into(),
                ),
                todo: b(
                    "find what keeps the accepting thread busy or blocked; raise the backlog only once it keeps up".into(),
                    "找出是什么让负责 accept 的线程忙碌或阻塞；等它跟得上之后再调大 backlog".into(),
                ),
            },
            Finding::Descriptors {
                process,
                sockets: held,
                limit,
            } => Said {
                what: b(
                    format!("{process} holds {} of its {} descriptors", sockets(*held), n(*limit)),
                    format!("{process} 持有 {} 个套接字，而它的描述符上限是 {}", n(*held), n(*limit)),
                ),
                why: b(
                    "every open socket is a descriptor; at the limit, accept() and connect() fail with EMFILE: \"Too many open files\"".into(),
                    "每个打开的套接字都占用一个描述符；到达上限后 accept() 和 connect() 会以 EMFILE 失败：\"Too many open files\"".into(),
                ),
                todo: b(
                    "close what leaks first (the CLOSE-WAIT above); raising `ulimit -n` only postpones it".into(),
                    "先关闭泄漏的连接（见上面的 CLOSE-WAIT）；调高 `ulimit -n` 只能推迟问题".into(),
                ),
            },
            Finding::FinWait2 { count } => Said {
                what: b(
                    format!("{} in FIN-WAIT-2", sockets(*count)),
                    format!("{} 个 FIN-WAIT-2 套接字", n(*count)),
                ),
                why: b(
                    "this host closed and its peers acknowledged, but the peers' applications never closed: the leak is on their side (they are in CLOSE-WAIT). Linux drops an orphaned FIN-WAIT-2 after tcp_fin_timeout (60 s); a late FIN from the peer then draws a RST".into(),
                    "本机已关闭且对端已确认，但对端的应用从未关闭：泄漏在对端（它们处于 CLOSE-WAIT）。Linux 会在 tcp_fin_timeout（60 秒）后丢弃孤立的 FIN-WAIT-2；对端迟到的 FIN 随后会换来一个 RST".into(),
                ),
                todo: b(
                    "look at the peers named above for CLOSE-WAIT: the fix is in their code".into(),
                    "到上面列出的对端上查看 CLOSE-WAIT：需要修改的是它们的代码".into(),
                ),
            },
            Finding::SynSent { count } => Said {
                what: b(
                    format!("{} {} for an answer to {} SYN", plural(*count, "connection", "connections"), if *count == 1 { "waits" } else { "wait" }, if *count == 1 { "its" } else { "their" }),
                    format!("{} 个连接在等待对 SYN 的应答", n(*count)),
                ),
                why: b(
                    "the peers do not answer: down, unreachable, or a firewall dropping the SYNs. connect() retries for about 127 s (tcp_syn_retries 6) before ETIMEDOUT".into(),
                    "对端没有应答：宕机、不可达，或防火墙丢弃了 SYN。connect() 会重试约 127 秒（tcp_syn_retries 为 6）后以 ETIMEDOUT 失败".into(),
                ),
                todo: b(
                    "check the peers named above and the path to them; give connect() a timeout of its own".into(),
                    "检查上面列出的对端以及到它们的网络路径；为 connect() 设置自己的超时".into(),
                ),
            },
            Finding::SynReceived { count } => Said {
                what: b(
                    format!("{} answered and never completed", plural(*count, "handshake", "handshakes")),
                    format!("{} 个握手已应答但从未完成", n(*count)),
                ),
                why: b(
                    "this host sent SYN,ACK and no ACK came back: clients gone, a lossy path, or a SYN flood".into(),
                    "本机发出了 SYN,ACK 却没有收到 ACK：客户端已离开、路径丢包，或遭遇 SYN 洪泛".into(),
                ),
                todo: b(
                    "if the sources above are many and unknown, keep net.ipv4.tcp_syncookies on; otherwise look at the path to them".into(),
                    "如果上面的来源众多且陌生，请保持 net.ipv4.tcp_syncookies 开启；否则检查到它们的网络路径".into(),
                ),
            },
            Finding::TimeWait {
                count,
                busiest: Some((peer, to_one_peer)),
                ports,
            } if to_one_peer * 2 > *ports => Said {
                what: b(
                    format!("{} in TIME-WAIT, {} of them to {peer}: over half the {} ephemeral ports", sockets(*count), n(*to_one_peer), n(*ports)),
                    format!("{} 个 TIME-WAIT 套接字，其中 {} 个连向 {peer}：超过了 {} 个临时端口的一半", n(*count), n(*to_one_peer), n(*ports)),
                ),
                why: b(
                    "this host closes first, and each closed connection keeps its port for 60 s; a new connection per request to one peer runs out of ports, and connect() fails with EADDRNOTAVAIL".into(),
                    "本机先关闭连接，每个关闭的连接会占用其端口 60 秒；对同一个对端每个请求新建一个连接，端口就会耗尽，connect() 以 EADDRNOTAVAIL 失败".into(),
                ),
                todo: b(
                    "reuse connections (keep-alive, a pool) instead of one per request".into(),
                    "复用连接（keep-alive、连接池），不要每个请求新建一个连接".into(),
                ),
            },
            Finding::TimeWait {
                count,
                busiest,
                ports,
            } => Said {
                what: match busiest {
                    Some((peer, most)) => b(
                        format!("{} in TIME-WAIT (at most {} to one peer, {peer}, of {} ports)", sockets(*count), n(*most), n(*ports)),
                        format!("{} 个 TIME-WAIT 套接字（连向同一对端最多 {} 个，{peer}，共 {} 个端口）", n(*count), n(*most), n(*ports)),
                    ),
                    None => b(
                        format!("{} in TIME-WAIT", sockets(*count)),
                        format!("{} 个 TIME-WAIT 套接字", n(*count)),
                    ),
                },
                why: b(
                    "this host closed these connections first: TIME-WAIT is the normal end of an active close and lasts 60 s on Linux; it holds no descriptor and no application".into(),
                    "这些连接是本机先关闭的：TIME-WAIT 是主动关闭的正常结局，在 Linux 上持续 60 秒；它不占用描述符，也不属于任何应用".into(),
                ),
                todo: b(
                    "nothing, unless connections to one peer approach the ports there are".into(),
                    "无需处理，除非连向同一对端的连接数接近可用端口数".into(),
                ),
            },
            Finding::LastAck { count } => Said {
                what: b(
                    format!("{} in LAST-ACK", sockets(*count)),
                    format!("{} 个 LAST-ACK 套接字", n(*count)),
                ),
                why: b(
                    "this host closed after its peer and waits for the ACK of its FIN: peers gone, or a lossy path; the FIN is retransmitted until it is acknowledged or the retries run out".into(),
                    "本机在对端之后关闭，正在等待对其 FIN 的确认：对端已离开，或路径丢包；FIN 会一直重传，直到被确认或重试次数用完".into(),
                ),
                todo: b(
                    "many that stay point to peers vanishing (crashes, a middlebox's idle timeout)".into(),
                    "大量长期停留说明对端在消失（崩溃、中间设备的空闲超时）".into(),
                ),
            },
            Finding::FinNotAcked { count } => Said {
                what: b(
                    format!("{} in FIN-WAIT-1 or CLOSING", sockets(*count)),
                    format!("{} 个 FIN-WAIT-1 或 CLOSING 套接字", n(*count)),
                ),
                why: b(
                    "this host sent its FIN and it is not acknowledged yet: unsent data queued before it, a peer with a closed window, or a lossy path".into(),
                    "本机已发出 FIN 但尚未被确认：FIN 之前还有未发出的数据、对端窗口为零，或路径丢包".into(),
                ),
                todo: b(
                    "many that stay point to peers that stopped reading or vanished".into(),
                    "大量长期停留说明对端停止了读取或已经消失".into(),
                ),
            },
        }
    }
}

/// The other words of a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReportMsg {
    /// What was read: sockets, the command, lines skipped.
    Read {
        /// Sockets (or the sum of counts).
        sockets: u64,
        /// The command that printed the table.
        command: &'static str,
        /// Lines skipped.
        skipped: usize,
    },
    /// The heading of the counts.
    PerState,
    /// The heading of the findings.
    Findings,
    /// Nothing worth a word.
    NothingFound,
    /// The evidence: sockets per peer.
    Peers(String),
    /// The evidence: sockets per process.
    Processes(String),
    /// The evidence: lines of the table.
    Lines(String),
    /// The lesson that shows it, and how to open it.
    Lesson(&'static str),
    /// "what to do: ", before the words that say it.
    Todo,
    /// A line skipped: another protocol.
    NotTcp,
    /// A line skipped: a field not what the format has there.
    BadField {
        /// The format.
        format: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A line skipped: no format starts like it.
    Unknown,
    /// How many lines were skipped, beyond those shown.
    MoreSkipped(usize),
    /// The table was over the most a table may be.
    TooLarge(u64),
    /// No line was a TCP socket or a count.
    NoRows,
    /// What the reader takes.
    Formats,
    /// What a capture held: packets, TCP connections, packets not TCP.
    CaptureRead {
        /// Packets.
        packets: u64,
        /// TCP connections.
        connections: u64,
        /// Packets not TCP or not readable.
        skipped: u64,
    },
    /// The heading of the connections by how they went.
    ByStory,
    /// The heading of the list of connections.
    Connections,
    /// More connections than listed.
    MoreConnections(usize),
    /// The capture broke off at a byte: what was before it is reported.
    CaptureStopped(u64),
    /// Not a capture.
    NotACapture,
    /// What a capture reader takes.
    CaptureFormats,
    /// What a capture cannot show.
    Inferred,
    /// A capture drawn as a trace: its title (name, connections).
    ObservedTitle(String, u64),
    /// What in a capture's trace is seen, inferred and estimated.
    ObservedNote,
    /// IPv6 connections left out of a capture's trace.
    Ipv6LeftOut(u64),
    /// A capture too large to draw.
    TooManyPackets(u64),
    /// A capture with no IPv4 TCP connection to draw (and how many IPv6 ones).
    NothingToDraw(u64),
    /// What to do with a capture too large or with nothing to draw.
    DrawHelp,
    /// One connection of a capture, with how it went: number, client, server, the story.
    ConnectionStory(u64, String),
    /// A capture's connection drawn in the page: the capture's name, the connection's number.
    ObservedConnection(String, u64),
    /// The page's link to a finding's lesson.
    WatchLesson,
    /// The page's button that draws a capture's connection.
    WatchConnection,
    /// More connections than the page lists.
    MoreInPage(usize),
    /// A file over the most the page reads (MiB).
    TooLargeForPage(u64),
    /// The page's evidence panel: what to give it, and that nothing leaves the page.
    PanelHint,
    /// Its button that reads the pasted text.
    ReadButton,
    /// Beside its file chooser.
    ChooseFile,
    /// While a capture is read.
    Reading,
}

impl ReportMsg {
    /// The words.
    pub fn text(&self) -> Bi {
        let (en, zh) = match self {
            ReportMsg::Read {
                sockets: count,
                command,
                skipped: 0,
            } => (
                format!("{}, from {command}", sockets(*count)),
                format!("{} 个套接字，来自 {command}", n(*count)),
            ),
            ReportMsg::Read {
                sockets: count,
                command,
                skipped,
            } => (
                format!("{}, from {command} ({} skipped, listed at the end)", sockets(*count), plural(*skipped as u64, "line", "lines")),
                format!("{} 个套接字，来自 {command}（跳过 {skipped} 行，列在最后）", n(*count)),
            ),
            ReportMsg::PerState => ("Sockets per state:".into(), "各状态的套接字数：".into()),
            ReportMsg::Findings => (
                "Findings, most important first:".into(),
                "发现（按重要性排列）：".into(),
            ),
            ReportMsg::NothingFound => (
                "Nothing stands out: no socket is in a state that points to a leak".into(),
                "没有异常：没有套接字处于表明泄漏的状态".into(),
            ),
            ReportMsg::Peers(list) => (format!("peers: {list}"), format!("对端：{list}")),
            ReportMsg::Processes(list) => (format!("processes: {list}"), format!("进程：{list}")),
            ReportMsg::Lines(list) => (format!("lines: {list}"), format!("行：{list}")),
            ReportMsg::Lesson(id) => (
                format!("see it happen: tcpsim run scenarios/{id}.toml, or ?scenario={id} in the web app"),
                format!("观看它如何发生：tcpsim run scenarios/{id}.toml，或在网页中打开 ?scenario={id}"),
            ),
            ReportMsg::Todo => ("what to do: ".into(), "怎么办：".into()),
            ReportMsg::NotTcp => (
                "not a TCP socket (UDP, a Unix socket): skipped".into(),
                "不是 TCP 套接字（UDP、Unix 套接字）：已跳过".into(),
            ),
            ReportMsg::BadField { format, field } => (
                format!("looks like a row of {format}, but its {field} is not one: skipped"),
                format!("看起来是 {format} 的一行，但其中的 {} 不合法：已跳过", zh_field(field)),
            ),
            ReportMsg::Unknown => (
                "not a row of any socket table tcpsim reads: skipped".into(),
                "不是 tcpsim 能读取的任何套接字表的一行：已跳过".into(),
            ),
            ReportMsg::MoreSkipped(k) => (
                format!("and {k} more lines skipped"),
                format!("另有 {k} 行被跳过"),
            ),
            ReportMsg::TooLarge(max) => (
                format!("the table is over {} MiB, the most tcpsim reads", max >> 20),
                format!("表格超过了 tcpsim 能读取的上限 {} MiB", max >> 20),
            ),
            ReportMsg::NoRows => (
                "no line is a TCP socket or a count per state".into(),
                "没有一行是 TCP 套接字或某个状态的计数".into(),
            ),
            ReportMsg::CaptureRead {
                packets,
                connections,
                skipped: 0,
            } => (
                format!("{}, {}", plural(*packets, "packet", "packets"), plural(*connections, "TCP connection", "TCP connections")),
                format!("{} 个报文，{} 个 TCP 连接", n(*packets), n(*connections)),
            ),
            ReportMsg::CaptureRead {
                packets,
                connections,
                skipped,
            } => (
                format!("{}, {} ({} not TCP or not readable)", plural(*packets, "packet", "packets"), plural(*connections, "TCP connection", "TCP connections"), n(*skipped)),
                format!("{} 个报文，{} 个 TCP 连接（{} 个报文不是 TCP 或无法读取）", n(*packets), n(*connections), n(*skipped)),
            ),
            ReportMsg::ByStory => ("Connections by how they went:".into(), "连接的结局：".into()),
            ReportMsg::Connections => ("Connections:".into(), "连接：".into()),
            ReportMsg::MoreConnections(k) => (
                format!("and {} more (--json lists them all)", n(*k as u64)),
                format!("另有 {} 个（--json 会列出全部）", n(*k as u64)),
            ),
            ReportMsg::CaptureStopped(offset) => (
                format!("the capture breaks off at byte {offset} (cut short, or damaged): what comes before is reported"),
                format!("抓包文件在第 {offset} 字节处中断（被截断或已损坏）：报告其之前的内容"),
            ),
            ReportMsg::NotACapture => (
                "not a pcap or pcapng capture".into(),
                "不是 pcap 或 pcapng 抓包文件".into(),
            ),
            ReportMsg::CaptureFormats => (
                "write a capture with `tcpdump -w file.pcap` or Wireshark (pcap or pcapng), or paste a socket table".into(),
                "请用 `tcpdump -w file.pcap` 或 Wireshark 保存抓包（pcap 或 pcapng），或者粘贴套接字表".into(),
            ),
            ReportMsg::Inferred => (
                "states are inferred from the packets: a close() shows only as a FIN, and a socket a timer drops (TIME-WAIT's end, tcp_fin_timeout) is not seen".into(),
                "状态是根据报文推断的：close() 只表现为一个 FIN，被定时器删除的套接字（TIME-WAIT 结束、tcp_fin_timeout）在线路上看不到".into(),
            ),
            ReportMsg::ObservedTitle(name, k) => (
                format!("Capture {name}: {}, observed (not simulated)", plural(*k, "TCP connection", "TCP connections")),
                format!("抓包 {name}：{} 个 TCP 连接，实际观测（不是模拟）", n(*k)),
            ),
            ReportMsg::ObservedNote => (
                "Segments, windows and options are as the capture shows them, at its times. The endpoints' states are inferred from the segments; each endpoint's own times are estimated from the handshake (half the round trip between it and where the capture was taken). Calls, timers and reads are not on the wire, so they are not drawn.".into(),
                "报文、窗口和选项都与抓包中看到的一致，时间也是抓包的时间。两端的状态是根据报文推断的；每一端自己的时间是根据握手估算的（它与抓包位置之间往返时间的一半）。调用、定时器和读取不会出现在线路上，所以不画出来。".into(),
            ),
            ReportMsg::Ipv6LeftOut(k) => (
                format!("{} over IPv6 left out of the drawing (tcpsim diagnose reads them)", plural(*k, "connection", "connections")),
                format!("{} 个 IPv6 连接没有画出（tcpsim diagnose 可以读取它们）", n(*k)),
            ),
            ReportMsg::TooManyPackets(limit) => (
                format!("the capture holds more than {} TCP packets: too many to draw", n(*limit)),
                format!("抓包中的 TCP 报文超过 {} 个：太多，无法画出", n(*limit)),
            ),
            ReportMsg::NothingToDraw(0) => (
                "the capture holds no TCP connection to draw".into(),
                "抓包中没有可以画出的 TCP 连接".into(),
            ),
            ReportMsg::NothingToDraw(v6) => (
                format!("the capture holds no TCP connection over IPv4 to draw, only {} over IPv6", plural(*v6, "connection", "connections")),
                format!("抓包中没有可以画出的 IPv4 TCP 连接，只有 {} 个 IPv6 连接", n(*v6)),
            ),
            ReportMsg::DrawHelp => (
                "`tcpsim diagnose FILE` reads any capture; to draw a part, cut it out first, e.g. `tshark -r FILE -Y 'tcp.port == 8080' -w part.pcap`".into(),
                "`tcpsim diagnose FILE` 可以读取任何抓包；要画出其中一部分，请先把它截取出来，例如 `tshark -r FILE -Y 'tcp.port == 8080' -w part.pcap`".into(),
            ),
            ReportMsg::ConnectionStory(k, story) => (
                format!("connection {k}: {story}"),
                format!("连接 {k}：{story}"),
            ),
            ReportMsg::ObservedConnection(name, k) => (
                format!("Capture {name}, connection {k}: observed (not simulated)"),
                format!("抓包 {name} 的连接 {k}：实际观测（不是模拟）"),
            ),
            ReportMsg::WatchLesson => (
                "watch it happen, step by step, in this page".into(),
                "在本页一步一步观看它如何发生".into(),
            ),
            ReportMsg::WatchConnection => (
                "draw this connection on the ladder".into(),
                "在时序图上画出这个连接".into(),
            ),
            ReportMsg::MoreInPage(k) => (
                format!("and {} more (tcpsim diagnose --json lists them all)", n(*k as u64)),
                format!("另有 {} 个（tcpsim diagnose --json 会列出全部）", n(*k as u64)),
            ),
            ReportMsg::TooLargeForPage(mib) => (
                format!("the file is over {mib} MiB, the most this page reads: use tcpsim diagnose on the command line"),
                format!("文件超过了本页能读取的上限 {mib} MiB：请在命令行使用 tcpsim diagnose"),
            ),
            ReportMsg::PanelHint => (
                "Paste the output of ss -tanp or netstat -tanp (or counts per state), or drop a capture (pcap, pcapng) here. It is read in this page: nothing is uploaded.".into(),
                "在这里粘贴 ss -tanp 或 netstat -tanp 的输出（或各状态的计数），或者拖入抓包文件（pcap、pcapng）。它只在本页中读取：不会上传任何内容。".into(),
            ),
            ReportMsg::ReadButton => ("Read".into(), "读取".into()),
            ReportMsg::ChooseFile => ("or choose a file:".into(), "或选择文件：".into()),
            ReportMsg::Reading => ("Reading the capture…".into(), "正在读取抓包……".into()),
            ReportMsg::Formats => (
                "paste the output of `ss -tanp`, `netstat -tanp` (Linux), `netstat -an` (macOS), `netstat -ano` (Windows) or `cat /proc/net/tcp`, or counts per state such as `CLOSE_WAIT 3000`".into(),
                "请粘贴 `ss -tanp`、`netstat -tanp`（Linux）、`netstat -an`（macOS）、`netstat -ano`（Windows）或 `cat /proc/net/tcp` 的输出，或者各状态的计数，例如 `CLOSE_WAIT 3000`".into(),
            ),
        };
        Bi { en, zh }
    }
}

fn zh_field(field: &str) -> &str {
    match field {
        "state" => "状态",
        "local address" => "本地地址",
        "peer address" => "对端地址",
        "queue" => "队列长度",
        "timer" => "定时器",
        "uid" => "用户 ID",
        "columns" => "列数",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_chinese(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_finding_and_message_is_said_in_both_languages() {
        let findings = [
            Finding::CloseWait {
                count: 3000,
                side: Side::Client,
                ports: vec![],
            },
            Finding::CloseWait {
                count: 20,
                side: Side::Server,
                ports: vec![80, 443],
            },
            Finding::CloseWait {
                count: 20,
                side: Side::Unknown,
                ports: vec![],
            },
            Finding::UnreadAtClose { count: 3 },
            Finding::AcceptQueueFull {
                listener: "0.0.0.0:80".into(),
                queued: 129,
                backlog: 128,
            },
            Finding::Descriptors {
                process: "java (pid 1)".into(),
                sockets: 1000,
                limit: 1024,
            },
            Finding::FinWait2 { count: 5 },
            Finding::SynSent { count: 5 },
            Finding::SynReceived { count: 5 },
            Finding::TimeWait {
                count: 20_000,
                busiest: Some(("10.0.0.2:80".into(), 20_000)),
                ports: 28_232,
            },
            Finding::TimeWait {
                count: 20,
                busiest: Some(("10.0.0.2:80".into(), 20)),
                ports: 28_232,
            },
            Finding::TimeWait {
                count: 1,
                busiest: None,
                ports: 28_232,
            },
            Finding::LastAck { count: 5 },
            Finding::FinNotAcked { count: 5 },
        ];
        for f in &findings {
            let s = f.said();
            for t in [&s.what, &s.why, &s.todo] {
                assert!(!t.en.is_empty() && !has_chinese(&t.en), "{f:?}: {}", t.en);
                assert!(has_chinese(&t.zh), "{f:?}: {}", t.zh);
            }
        }
        let msgs = [
            ReportMsg::Read {
                sockets: 1,
                command: "ss",
                skipped: 0,
            },
            ReportMsg::Read {
                sockets: 1,
                command: "ss",
                skipped: 2,
            },
            ReportMsg::PerState,
            ReportMsg::Findings,
            ReportMsg::NothingFound,
            ReportMsg::Peers("x".into()),
            ReportMsg::Processes("x".into()),
            ReportMsg::Lines("x".into()),
            ReportMsg::Lesson("leaked-close"),
            ReportMsg::Todo,
            ReportMsg::NotTcp,
            ReportMsg::BadField {
                format: "ss",
                field: "state",
            },
            ReportMsg::Unknown,
            ReportMsg::MoreSkipped(3),
            ReportMsg::TooLarge(128 << 20),
            ReportMsg::NoRows,
            ReportMsg::Formats,
            ReportMsg::CaptureRead {
                packets: 1,
                connections: 1,
                skipped: 0,
            },
            ReportMsg::CaptureRead {
                packets: 10,
                connections: 2,
                skipped: 3,
            },
            ReportMsg::ByStory,
            ReportMsg::Connections,
            ReportMsg::MoreConnections(3),
            ReportMsg::CaptureStopped(100),
            ReportMsg::NotACapture,
            ReportMsg::CaptureFormats,
            ReportMsg::Inferred,
            ReportMsg::ObservedTitle("x.pcap".into(), 3),
            ReportMsg::ObservedNote,
            ReportMsg::Ipv6LeftOut(2),
            ReportMsg::TooManyPackets(4_000_000),
            ReportMsg::NothingToDraw(0),
            ReportMsg::NothingToDraw(2),
            ReportMsg::DrawHelp,
            ReportMsg::ConnectionStory(3, "x".into()),
            ReportMsg::ObservedConnection("x.pcap".into(), 2),
            ReportMsg::WatchLesson,
            ReportMsg::WatchConnection,
            ReportMsg::MoreInPage(3),
            ReportMsg::TooLargeForPage(256),
            ReportMsg::PanelHint,
            ReportMsg::ReadButton,
            ReportMsg::ChooseFile,
            ReportMsg::Reading,
        ];
        for story in [
            Story::Graceful,
            Story::Open,
            Story::LeftOpenByServer,
            Story::LeftOpenByClient,
            Story::LateFinReset,
            Story::ResetUnreadData,
            Story::ResetDataAfterClose,
            Story::IdleReset,
            Story::Reset,
            Story::Refused,
            Story::NeverAnswered,
            Story::Incomplete,
        ] {
            for t in [story.label(), story.said("10.0.0.1:5000", "10.0.0.2:80")] {
                assert!(!has_chinese(&t.en), "{story:?}: {}", t.en);
                assert!(has_chinese(&t.zh), "{story:?}: {}", t.zh);
            }
        }
        for m in &msgs {
            let t = m.text();
            assert!(!t.en.is_empty() && !has_chinese(&t.en), "{m:?}: {}", t.en);
            assert!(has_chinese(&t.zh), "{m:?}: {}", t.zh);
        }
        assert_eq!(n(1_234_567), "1 234 567");
        assert_eq!(sockets(1), "1 socket");
        assert_eq!(sockets(3021), "3 021 sockets");
        assert_eq!(n(999), "999");
    }
}
