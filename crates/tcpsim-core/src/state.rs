//! The eleven connection states of RFC 9293 (section 3.3.2), the causes of transitions, and the
//! arcs the state machine may take.

use core::fmt;
use core::str::FromStr;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A connection state. `Display` uses the RFC 9293 spelling (`CLOSE-WAIT`); `FromStr` also
/// accepts netstat (`CLOSE_WAIT`, `FIN_WAIT2`, `SYN_RECV`) and ss (`ESTAB`, `SYN-RECV`) spellings,
/// in any case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    /// No connection.
    Closed,
    /// Waiting for a connection request.
    Listen,
    /// SYN sent, waiting for a matching one.
    SynSent,
    /// SYN received and sent, waiting for the ACK of ours.
    SynReceived,
    /// Open: data flows both ways.
    Established,
    /// Closed by us: our FIN sent, not yet acknowledged.
    FinWait1,
    /// Our FIN acknowledged, waiting for the peer's.
    FinWait2,
    /// The peer's FIN received; waiting for our application to close.
    CloseWait,
    /// Both FINs crossed: waiting for the ACK of ours.
    Closing,
    /// Closed after the peer: our FIN sent, waiting for its ACK.
    LastAck,
    /// Both sides closed; waiting for old segments to die out.
    TimeWait,
}

impl State {
    /// All states, in the order of RFC 9293 section 3.3.2.
    pub const ALL: [State; 11] = [
        State::Listen,
        State::SynSent,
        State::SynReceived,
        State::Established,
        State::FinWait1,
        State::FinWait2,
        State::CloseWait,
        State::Closing,
        State::LastAck,
        State::TimeWait,
        State::Closed,
    ];

    /// RFC 9293 spelling.
    pub const fn rfc_name(self) -> &'static str {
        match self {
            State::Closed => "CLOSED",
            State::Listen => "LISTEN",
            State::SynSent => "SYN-SENT",
            State::SynReceived => "SYN-RECEIVED",
            State::Established => "ESTABLISHED",
            State::FinWait1 => "FIN-WAIT-1",
            State::FinWait2 => "FIN-WAIT-2",
            State::CloseWait => "CLOSE-WAIT",
            State::Closing => "CLOSING",
            State::LastAck => "LAST-ACK",
            State::TimeWait => "TIME-WAIT",
        }
    }

    /// `netstat -tan` spelling (Linux net-tools).
    pub const fn netstat_name(self) -> &'static str {
        match self {
            State::Closed => "CLOSE",
            State::Listen => "LISTEN",
            State::SynSent => "SYN_SENT",
            State::SynReceived => "SYN_RECV",
            State::Established => "ESTABLISHED",
            State::FinWait1 => "FIN_WAIT1",
            State::FinWait2 => "FIN_WAIT2",
            State::CloseWait => "CLOSE_WAIT",
            State::Closing => "CLOSING",
            State::LastAck => "LAST_ACK",
            State::TimeWait => "TIME_WAIT",
        }
    }

    /// `ss -tan` spelling (iproute2).
    pub const fn ss_name(self) -> &'static str {
        match self {
            State::Closed => "UNCONN",
            State::Listen => "LISTEN",
            State::SynSent => "SYN-SENT",
            State::SynReceived => "SYN-RECV",
            State::Established => "ESTAB",
            State::FinWait1 => "FIN-WAIT-1",
            State::FinWait2 => "FIN-WAIT-2",
            State::CloseWait => "CLOSE-WAIT",
            State::Closing => "CLOSING",
            State::LastAck => "LAST-ACK",
            State::TimeWait => "TIME-WAIT",
        }
    }

    /// Synchronized states (RFC 9293 3.5.2): the connection has exchanged SYNs both ways.
    pub const fn is_synchronized(self) -> bool {
        !matches!(
            self,
            State::Closed | State::Listen | State::SynSent | State::SynReceived
        )
    }

    /// Whether the arc `from -> to` is one the simulator may take: an arc of RFC 9293 Figure 5,
    /// a reset arc (Note 3), or a timeout/abort arc (3.10.5, 3.10.8, and Linux's orphaned
    /// FIN-WAIT-2 timeout). Anything else is a bug in the state machine.
    pub fn is_legal_transition(from: State, to: State) -> bool {
        use State::*;
        let figure5 = matches!(
            (from, to),
            (Closed, Listen)
                | (Closed, SynSent)
                | (Listen, Closed)
                | (Listen, SynReceived)
                | (Listen, SynSent)
                | (SynSent, Closed)
                | (SynSent, SynReceived)
                | (SynSent, Established)
                | (SynReceived, Established)
                | (SynReceived, FinWait1)
                | (SynReceived, Listen)
                | (Established, FinWait1)
                | (Established, CloseWait)
                | (FinWait1, FinWait2)
                | (FinWait1, Closing)
                | (FinWait1, TimeWait)
                | (FinWait2, TimeWait)
                | (CloseWait, LastAck)
                | (Closing, TimeWait)
                | (LastAck, Closed)
                | (TimeWait, Closed)
        );
        // Note 3: a reset (sent or received), ABORT, or a timeout takes any state to CLOSED.
        let to_closed = to == Closed && from != Closed;
        figure5 || to_closed
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.rfc_name())
    }
}

/// The error of parsing a state name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseStateError(pub String);

impl fmt::Display for ParseStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown TCP state `{}`: use an RFC 9293 name (LISTEN, SYN-SENT, SYN-RECEIVED, ESTABLISHED, \
             FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT, CLOSED); netstat \
             (CLOSE_WAIT, FIN_WAIT2, SYN_RECV) and ss (ESTAB, SYN-RECV) spellings work too",
            self.0
        )
    }
}
impl std::error::Error for ParseStateError {}

impl FromStr for State {
    type Err = ParseStateError;
    fn from_str(s: &str) -> Result<State, ParseStateError> {
        // Normalise: upper case, `_` and ` ` to `-`, then drop the `-` before a trailing digit so
        // FIN-WAIT-1, FIN_WAIT1 and FIN-WAIT1 are one key.
        let mut key: String = s
            .trim()
            .chars()
            .map(|c| match c {
                '_' | ' ' => '-',
                c => c.to_ascii_uppercase(),
            })
            .collect();
        if key.len() > 2 && key.as_bytes()[key.len() - 2] == b'-' && key.ends_with(['1', '2']) {
            key.remove(key.len() - 2);
        }
        let state = match key.as_str() {
            "CLOSED" | "CLOSE" | "UNCONN" => State::Closed,
            "LISTEN" | "LISTENING" => State::Listen,
            "SYN-SENT" => State::SynSent,
            "SYN-RECEIVED" | "SYN-RCVD" | "SYN-RECV" => State::SynReceived,
            "ESTABLISHED" | "ESTAB" => State::Established,
            "FIN-WAIT1" => State::FinWait1,
            "FIN-WAIT2" => State::FinWait2,
            "CLOSE-WAIT" => State::CloseWait,
            "CLOSING" => State::Closing,
            "LAST-ACK" => State::LastAck,
            "TIME-WAIT" => State::TimeWait,
            _ => return Err(ParseStateError(s.to_string())),
        };
        Ok(state)
    }
}

impl Serialize for State {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.rfc_name())
    }
}

impl<'de> Deserialize<'de> for State {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<State, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Why a connection changed state. Each cause names the rule (see [`Cause::rfc_section`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// listen(): passive OPEN.
    PassiveOpen,
    /// connect(): active OPEN, SYN sent.
    ActiveOpen,
    /// A SYN arrived in LISTEN; SYN,ACK sent.
    RcvSyn,
    /// Our SYN was acknowledged by the peer's SYN,ACK; ACK sent.
    RcvSynAck,
    /// A SYN without ACK arrived in SYN-SENT: both sides opened at once.
    SimultaneousOpen,
    /// The ACK of our SYN arrived in SYN-RECEIVED.
    RcvAckOfSyn,
    /// The application called close(): FIN sent (or nothing to send).
    Close,
    /// The application called shutdown(SHUT_WR): FIN sent.
    ShutdownWrite,
    /// The peer's FIN arrived and was acknowledged.
    RcvFin,
    /// The peer's FIN arrived together with the ACK of our FIN (Figure 5, Note 2).
    RcvFinAndAck,
    /// The ACK of our FIN arrived.
    RcvAckOfFin,
    /// A reset arrived and was accepted.
    RcvRst,
    /// A SYN arrived in SYN-RECEIVED that was entered from LISTEN: back to LISTEN.
    RcvSynInSynReceived,
    /// The TIME-WAIT timer (2 MSL, or Linux's fixed 60 s) expired.
    TimeWaitTimeout,
    /// Linux: an orphaned FIN-WAIT-2 connection waited tcp_fin_timeout for the peer's FIN.
    FinWait2Timeout,
    /// The retransmission limit was reached: the connection is given up (ETIMEDOUT).
    RetransmitTimeout,
    /// The user timeout (TCP_USER_TIMEOUT) expired with data unacknowledged.
    UserTimeout,
    /// Keep-alive probes went unanswered.
    KeepaliveTimeout,
    /// The application aborted: RST sent where the state calls for one.
    Abort,
    /// close() with SO_LINGER on and a zero timeout: abort.
    LingerZero,
    /// close() with unread received data: RST instead of FIN.
    CloseWithUnreadData,
    /// Data arrived after the application closed: RST.
    DataAfterClose,
    /// A new SYN reused the connection's address pair while it was in TIME-WAIT.
    TimeWaitReuse,
    /// The listening socket closed while this connection waited in its accept queue.
    ListenerClosed,
    /// The host crashed or was powered off: its connections vanished without a segment.
    HostCrash,
    /// Observed: the connection was already in this state when the capture began.
    CaptureBegan,
    /// Observed: the endpoint sent a reset; a capture does not show why.
    SentReset,
}

impl Cause {
    /// Every cause, in declaration order.
    pub const ALL: [Cause; 27] = [
        Cause::PassiveOpen,
        Cause::ActiveOpen,
        Cause::RcvSyn,
        Cause::RcvSynAck,
        Cause::SimultaneousOpen,
        Cause::RcvAckOfSyn,
        Cause::Close,
        Cause::ShutdownWrite,
        Cause::RcvFin,
        Cause::RcvFinAndAck,
        Cause::RcvAckOfFin,
        Cause::RcvRst,
        Cause::RcvSynInSynReceived,
        Cause::TimeWaitTimeout,
        Cause::FinWait2Timeout,
        Cause::RetransmitTimeout,
        Cause::UserTimeout,
        Cause::KeepaliveTimeout,
        Cause::Abort,
        Cause::LingerZero,
        Cause::CloseWithUnreadData,
        Cause::DataAfterClose,
        Cause::TimeWaitReuse,
        Cause::ListenerClosed,
        Cause::HostCrash,
        Cause::CaptureBegan,
        Cause::SentReset,
    ];

    /// The section of RFC 9293 (or the other source) that prescribes the transition.
    pub const fn rfc_section(self) -> &'static str {
        match self {
            Cause::PassiveOpen | Cause::ActiveOpen => "3.10.1",
            Cause::RcvSyn => "3.10.7.2",
            Cause::RcvSynAck | Cause::SimultaneousOpen => "3.10.7.3",
            Cause::RcvAckOfSyn | Cause::RcvAckOfFin => "3.10.7.4 (fifth: ACK)",
            Cause::Close | Cause::ShutdownWrite => "3.10.4",
            Cause::RcvFin | Cause::RcvFinAndAck => "3.10.7.4 (eighth: FIN)",
            Cause::RcvRst => "3.10.7.4 (second: RST)",
            Cause::RcvSynInSynReceived => "3.10.7.4 (fourth: SYN)",
            Cause::TimeWaitTimeout | Cause::RetransmitTimeout | Cause::UserTimeout => "3.10.8",
            Cause::FinWait2Timeout => "Linux tcp_fin_timeout",
            Cause::KeepaliveTimeout => "3.8.4",
            Cause::Abort | Cause::LingerZero => "3.10.5",
            Cause::CloseWithUnreadData | Cause::DataAfterClose => "3.6.1",
            Cause::TimeWaitReuse => "3.6.1 (MAY-2)",
            Cause::ListenerClosed => "3.10.4",
            Cause::HostCrash | Cause::CaptureBegan => "-",
            Cause::SentReset => "3.10.7.4 (second: RST)",
        }
    }

    /// One English sentence describing the event.
    pub const fn describe(self) -> &'static str {
        match self {
            Cause::PassiveOpen => "the application called listen()",
            Cause::ActiveOpen => "the application called connect(): SYN sent",
            Cause::RcvSyn => "a SYN arrived; SYN,ACK sent",
            Cause::RcvSynAck => "the peer's SYN,ACK acknowledged our SYN; ACK sent",
            Cause::SimultaneousOpen => "a SYN arrived while our own SYN was out: simultaneous open",
            Cause::RcvAckOfSyn => "the ACK of our SYN arrived",
            Cause::Close => "the application called close()",
            Cause::ShutdownWrite => "the application called shutdown(SHUT_WR)",
            Cause::RcvFin => "the peer's FIN arrived; ACK sent",
            Cause::RcvFinAndAck => "the peer's FIN arrived with the ACK of our FIN",
            Cause::RcvAckOfFin => "the ACK of our FIN arrived",
            Cause::RcvRst => "a reset arrived",
            Cause::RcvSynInSynReceived => "a new SYN arrived during the handshake: back to LISTEN",
            Cause::TimeWaitTimeout => "TIME-WAIT ended",
            Cause::FinWait2Timeout => {
                "the peer never sent its FIN: tcp_fin_timeout expired and the orphaned socket was dropped"
            }
            Cause::RetransmitTimeout => "retransmissions went unanswered: gave up (ETIMEDOUT)",
            Cause::UserTimeout => "data stayed unacknowledged past the user timeout (ETIMEDOUT)",
            Cause::KeepaliveTimeout => "keep-alive probes went unanswered: the peer is gone",
            Cause::Abort => "the application aborted the connection",
            Cause::LingerZero => "close() with SO_LINGER 0 aborts: RST, no TIME-WAIT",
            Cause::CloseWithUnreadData => "close() with unread data: RST instead of FIN",
            Cause::DataAfterClose => "data arrived after close(): RST",
            Cause::TimeWaitReuse => "a new SYN for the same address pair ended TIME-WAIT",
            Cause::ListenerClosed => "the listening socket closed before accept()",
            Cause::HostCrash => "the host went down",
            Cause::CaptureBegan => "already so when the capture began",
            Cause::SentReset => "it sent a reset (a capture does not show why)",
        }
    }

    /// Whether the cause is a reset or a timeout/abort (the arcs of Note 3 and 3.10.8).
    pub const fn is_abnormal(self) -> bool {
        matches!(
            self,
            Cause::RcvRst
                | Cause::RetransmitTimeout
                | Cause::UserTimeout
                | Cause::KeepaliveTimeout
                | Cause::Abort
                | Cause::LingerZero
                | Cause::CloseWithUnreadData
                | Cause::DataAfterClose
                | Cause::ListenerClosed
                | Cause::HostCrash
                | Cause::SentReset
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cause_all_lists_every_cause_once() {
        // The match has no wildcard: a new cause fails to compile here until it is listed.
        let index = |c: Cause| match c {
            Cause::PassiveOpen => 0,
            Cause::ActiveOpen => 1,
            Cause::RcvSyn => 2,
            Cause::RcvSynAck => 3,
            Cause::SimultaneousOpen => 4,
            Cause::RcvAckOfSyn => 5,
            Cause::Close => 6,
            Cause::ShutdownWrite => 7,
            Cause::RcvFin => 8,
            Cause::RcvFinAndAck => 9,
            Cause::RcvAckOfFin => 10,
            Cause::RcvRst => 11,
            Cause::RcvSynInSynReceived => 12,
            Cause::TimeWaitTimeout => 13,
            Cause::FinWait2Timeout => 14,
            Cause::RetransmitTimeout => 15,
            Cause::UserTimeout => 16,
            Cause::KeepaliveTimeout => 17,
            Cause::Abort => 18,
            Cause::LingerZero => 19,
            Cause::CloseWithUnreadData => 20,
            Cause::DataAfterClose => 21,
            Cause::TimeWaitReuse => 22,
            Cause::ListenerClosed => 23,
            Cause::HostCrash => 24,
            Cause::CaptureBegan => 25,
            Cause::SentReset => 26,
        };
        for (i, c) in Cause::ALL.iter().enumerate() {
            assert_eq!(index(*c), i, "{c:?}");
        }
    }

    #[test]
    fn state_all_lists_every_state_once_in_rfc_order() {
        // Exhaustive: a new state must be given its place here and in `State::ALL` (the wire
        // form writes a state as its index there).
        let index = |s: State| match s {
            State::Listen => 0,
            State::SynSent => 1,
            State::SynReceived => 2,
            State::Established => 3,
            State::FinWait1 => 4,
            State::FinWait2 => 5,
            State::CloseWait => 6,
            State::Closing => 7,
            State::LastAck => 8,
            State::TimeWait => 9,
            State::Closed => 10,
        };
        for (i, s) in State::ALL.iter().enumerate() {
            assert_eq!(index(*s), i, "{s:?}");
        }
    }

    #[test]
    fn every_spelling_parses_to_the_same_state() {
        for s in State::ALL {
            assert_eq!(s.rfc_name().parse::<State>().unwrap(), s);
            assert_eq!(s.netstat_name().parse::<State>().unwrap(), s);
            assert_eq!(s.ss_name().parse::<State>().unwrap(), s);
            assert_eq!(s.rfc_name().to_lowercase().parse::<State>().unwrap(), s);
        }
        for (s, want) in [
            ("FIN_WAIT2", State::FinWait2),
            ("fin-wait1", State::FinWait1),
            ("SYN-RCVD", State::SynReceived),
            ("close_wait", State::CloseWait),
            ("ESTAB", State::Established),
        ] {
            assert_eq!(s.parse::<State>().unwrap(), want, "{s}");
        }
        let err = "CLOSEWAIT".parse::<State>().unwrap_err().to_string();
        assert!(
            err.contains("CLOSEWAIT") && err.contains("CLOSE-WAIT"),
            "{err}"
        );
    }

    #[test]
    fn figure_5_arcs_are_legal_and_others_are_not() {
        use State::*;
        assert!(State::is_legal_transition(FinWait1, TimeWait));
        assert!(State::is_legal_transition(Established, Closed)); // reset arc
        assert!(!State::is_legal_transition(Established, TimeWait));
        assert!(!State::is_legal_transition(CloseWait, FinWait2));
        assert!(!State::is_legal_transition(TimeWait, Established));
        assert!(!State::is_legal_transition(Closed, Closed));
    }
}
