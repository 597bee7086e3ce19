//! Per-endpoint TCP parameters, grouped in two profiles: the RFC 9293 text and Linux defaults.
//!
//! Every field is public and may be overridden after choosing a profile. Values and their sources
//! are listed in the project's TCP reference (`shared/tcp-reference.md` in its repository);
//! Linux names are given in each field's doc.

use crate::time::Duration;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which set of defaults and behaviours an endpoint follows where the RFC and Linux differ.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// RFC 9293 as written: MSL 2 min (TIME-WAIT 4 min), RTO 1 s minimum, no FIN-WAIT-2 timeout.
    Rfc9293,
    /// Linux defaults: TIME_WAIT 60 s, tcp_fin_timeout 60 s, RTO 200 ms..120 s.
    #[default]
    Linux,
}

/// Keep-alive settings (RFC 9293 3.8.4; Linux SO_KEEPALIVE, TCP_KEEPIDLE/INTVL/CNT).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Keepalive {
    /// Off by default (MUST-25).
    pub enabled: bool,
    /// Idle time before the first probe (`tcp_keepalive_time`, 7200 s; MUST-28: at least 2 h).
    pub idle: Duration,
    /// Time between unanswered probes (`tcp_keepalive_intvl`, 75 s).
    pub interval: Duration,
    /// Unanswered probes before the connection is dropped (`tcp_keepalive_probes`, 9).
    pub probes: u32,
}

impl Default for Keepalive {
    fn default() -> Self {
        Keepalive {
            enabled: false,
            idle: Duration::from_secs(7_200),
            interval: Duration::from_secs(75),
            probes: 9,
        }
    }
}

/// TCP parameters of one endpoint. Its `Debug` names the profile's defaults and only the fields
/// that differ from them (`TcpConfig::linux() { mss: 536, .. }`), so that a failing property
/// test's counterexample is not mostly this.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TcpConfig {
    /// Whose defaults these started from.
    pub profile: Profile,
    /// Maximum segment size in bytes (no MSS option is exchanged; both ends use their own).
    pub mss: u32,
    /// Receive buffer, which is also the largest window advertised (at most 65535: no window scaling).
    pub rcv_buf: u32,
    /// Send buffer: the most unacknowledged bytes the application may have queued.
    pub snd_buf: u32,
    /// Maximum segment lifetime (RFC 9293 3.4.2: 2 min). TIME-WAIT lasts `time_wait`.
    pub msl: Duration,
    /// TIME-WAIT length: 2 MSL in the RFC, a fixed 60 s in Linux (`TCP_TIMEWAIT_LEN`).
    pub time_wait: Duration,
    /// Linux `tcp_fin_timeout`: how long an orphaned FIN-WAIT-2 connection (the application
    /// called close()) waits for the peer's FIN. `None` means wait forever, as RFC 9293 does.
    pub fin_timeout: Option<Duration>,
    /// RFC 6298 (2.1): initial RTO, 1 s.
    pub rto_initial: Duration,
    /// Lower bound of the RTO (RFC 6298 2.4: 1 s; Linux `TCP_RTO_MIN` 200 ms).
    pub rto_min: Duration,
    /// Upper bound of the RTO (RFC 6298 2.5: at least 60 s; Linux `TCP_RTO_MAX` 120 s).
    pub rto_max: Duration,
    /// RFC 6298 (5.7) / Linux `TCP_TIMEOUT_FALLBACK`: RTO once data starts if the SYN was retransmitted.
    pub rto_syn_fallback: Duration,
    /// SYN retransmissions before connect() fails with ETIMEDOUT (`tcp_syn_retries`).
    pub syn_retries: u32,
    /// SYN,ACK retransmissions before a half-open connection is dropped (`tcp_synack_retries`).
    pub synack_retries: u32,
    /// Data retransmissions before the connection is dropped (`tcp_retries2`; RFC R2).
    pub retries2: u32,
    /// Retransmissions for an orphaned connection (after close()): `tcp_orphan_retries`.
    pub orphan_retries: u32,
    /// Keep-alive (SO_KEEPALIVE and its sysctls).
    pub keepalive: Keepalive,
    /// TCP_USER_TIMEOUT / RFC 9293 USER TIMEOUT: data unacknowledged this long aborts the connection.
    pub user_timeout: Option<Duration>,
    /// SO_LINGER on with a zero timeout: close() aborts with RST and skips TIME-WAIT.
    pub linger_zero: bool,
    /// RFC 5961 challenge ACKs for in-window RSTs and for SYNs in synchronized states.
    pub rfc5961: bool,
    /// Linux `tcp_rfc1337`: when false (the default) a RST ends TIME-WAIT ("assassination").
    pub rfc1337: bool,
    /// Linux `tcp_invalid_ratelimit`: at most one ACK per interval in answer to out-of-window
    /// segments and for challenge ACKs. `None` answers every one (the RFC text).
    pub invalid_ratelimit: Option<Duration>,
    /// Whether a reset we originate (abort, unread data) also carries ACK=RCV.NXT, as Linux's do.
    pub rst_carries_ack: bool,
}

impl fmt::Debug for TcpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base = TcpConfig::for_profile(self.profile);
        let name = match self.profile {
            Profile::Rfc9293 => "TcpConfig::rfc9293()",
            Profile::Linux => "TcpConfig::linux()",
        };
        let mut changed: Vec<(&str, &dyn fmt::Debug)> = Vec::new();
        // Destructured, so that a field added to the struct and not here does not compile.
        macro_rules! differs {
            ($($field:ident),*) => {
                let TcpConfig { profile: _, $($field),* } = self;
                $(if *$field != base.$field {
                    changed.push((stringify!($field), $field));
                })*
            };
        }
        differs!(
            mss,
            rcv_buf,
            snd_buf,
            msl,
            time_wait,
            fin_timeout,
            rto_initial,
            rto_min,
            rto_max,
            rto_syn_fallback,
            syn_retries,
            synack_retries,
            retries2,
            orphan_retries,
            keepalive,
            user_timeout,
            linger_zero,
            rfc5961,
            rfc1337,
            invalid_ratelimit,
            rst_carries_ack
        );
        if changed.is_empty() {
            return f.write_str(name);
        }
        let mut s = f.debug_struct(name);
        for (field, value) in changed {
            s.field(field, value);
        }
        s.finish_non_exhaustive()
    }
}

impl TcpConfig {
    /// RFC 9293 as written.
    pub fn rfc9293() -> TcpConfig {
        TcpConfig {
            profile: Profile::Rfc9293,
            mss: 1460,
            rcv_buf: 65_535,
            snd_buf: 1 << 20,
            msl: Duration::from_mins(2),
            time_wait: Duration::from_mins(4),
            fin_timeout: None,
            rto_initial: Duration::from_secs(1),
            rto_min: Duration::from_secs(1),
            rto_max: Duration::from_secs(60),
            rto_syn_fallback: Duration::from_secs(3),
            // With a 1 s base and 60 s cap: 7 retries keep trying for 183 s, covering MUST-23's 3 min.
            syn_retries: 7,
            synack_retries: 7,
            // 8 retries: 243 s, above R2's 100 s (SHLD-11) and R1's 3 retransmissions (SHLD-10).
            retries2: 8,
            orphan_retries: 8,
            keepalive: Keepalive::default(),
            // RFC 9293 3.9.1.1: "the present global default is five minutes".
            user_timeout: Some(Duration::from_mins(5)),
            linger_zero: false,
            rfc5961: true,
            rfc1337: false,
            invalid_ratelimit: None,
            rst_carries_ack: false,
        }
    }

    /// Linux defaults (include/net/tcp.h, Documentation/networking/ip-sysctl.rst).
    pub fn linux() -> TcpConfig {
        TcpConfig {
            profile: Profile::Linux,
            mss: 1460,
            rcv_buf: 65_535,
            snd_buf: 1 << 20,
            msl: Duration::from_secs(30),
            time_wait: Duration::from_secs(60),
            fin_timeout: Some(Duration::from_secs(60)),
            rto_initial: Duration::from_secs(1),
            rto_min: Duration::from_millis(200),
            rto_max: Duration::from_secs(120),
            rto_syn_fallback: Duration::from_secs(3),
            syn_retries: 6,
            synack_retries: 5,
            retries2: 15,
            // tcp_orphan_retries is 0, which the kernel reads as 8.
            orphan_retries: 8,
            keepalive: Keepalive::default(),
            user_timeout: None,
            linger_zero: false,
            rfc5961: true,
            rfc1337: false,
            invalid_ratelimit: Some(Duration::from_millis(500)),
            rst_carries_ack: true,
        }
    }

    /// The given profile's defaults.
    pub fn for_profile(profile: Profile) -> TcpConfig {
        match profile {
            Profile::Rfc9293 => TcpConfig::rfc9293(),
            Profile::Linux => TcpConfig::linux(),
        }
    }

    /// Checks ranges that would make the endpoint misbehave; the error says which and what to
    /// use.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.mss == 0 || self.mss > 65_495 {
            return Err(ConfigError::Mss(self.mss));
        }
        if self.rcv_buf == 0 || self.rcv_buf > 65_535 {
            return Err(ConfigError::RcvBuf(self.rcv_buf));
        }
        if self.snd_buf == 0 {
            return Err(ConfigError::SndBufZero);
        }
        if self.rto_min.is_zero() || self.rto_min > self.rto_max {
            return Err(ConfigError::RtoMin {
                min: self.rto_min,
                max: self.rto_max,
            });
        }
        if self.rto_initial.is_zero() {
            return Err(ConfigError::RtoInitialZero);
        }
        if self.time_wait.is_zero() {
            return Err(ConfigError::TimeWaitZero);
        }
        if self.keepalive.enabled
            && (self.keepalive.idle.is_zero() || self.keepalive.interval.is_zero())
        {
            return Err(ConfigError::KeepaliveZero);
        }
        for (name, value) in [
            ("syn_retries", self.syn_retries),
            ("synack_retries", self.synack_retries),
            ("retries2", self.retries2),
            ("orphan_retries", self.orphan_retries),
        ] {
            if value > 127 {
                return Err(ConfigError::Retries { name, value });
            }
        }
        Ok(())
    }
}

/// A setting out of range, as a value: which setting, what it was. `Display` says it in
/// English for a library user; `tcpsim-words` says it in English and 简体中文 for people.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigError {
    /// The MSS is 0 or above 65 495 bytes.
    Mss(u32),
    /// The receive buffer is 0 or above 65 535 bytes (window scaling is not modelled).
    RcvBuf(u32),
    /// The send buffer is 0.
    SndBufZero,
    /// The least retransmission timeout is 0 or above the largest.
    RtoMin {
        /// The least.
        min: Duration,
        /// The largest.
        max: Duration,
    },
    /// The first retransmission timeout is 0.
    RtoInitialZero,
    /// TIME-WAIT lasts 0.
    TimeWaitZero,
    /// Keep-alive is on with a 0 idle time or interval.
    KeepaliveZero,
    /// A retry count is above 127.
    Retries {
        /// The setting (`syn_retries`, ...).
        name: &'static str,
        /// Its value.
        value: u32,
    },
    /// A link's probability is outside 0 to 1.
    Probability {
        /// Which (`loss`, `duplicate`, `reorder`).
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// A host's setting: the host's name and what is wrong.
    Host {
        /// The host's name.
        host: String,
        /// What is wrong.
        error: Box<ConfigError>,
    },
    /// A host's ephemeral port range is empty or starts at 0.
    EphemeralPorts {
        /// Its first port.
        lo: u16,
        /// Its last port.
        hi: u16,
    },
    /// A host's name is empty, over 64 characters, or holds a space or a control character
    /// (names reach terminals and other programs).
    HostName(String),
    /// A fault rule's first occurrence is 0 (they count from 1).
    FaultFromZero,
    /// A crash or a restart was given a reaction: it names no socket to watch.
    HostEventCannotWait,
    /// The repeats schedule more calls than a run's positions can number.
    TooManyRepeatedCalls,
}

impl ConfigError {
    /// The settings that can cause it, the likeliest first, by their names in scenario files
    /// (`rto_min`): a reader points at the one its file set.
    pub fn settings(&self) -> Vec<&'static str> {
        match self {
            ConfigError::Mss(_) => vec!["mss"],
            ConfigError::RcvBuf(_) => vec!["rcv_buf"],
            ConfigError::SndBufZero => vec!["snd_buf"],
            ConfigError::RtoMin { .. } => vec!["rto_min", "rto_max"],
            ConfigError::RtoInitialZero => vec!["rto_initial"],
            ConfigError::TimeWaitZero => vec!["time_wait", "msl"],
            ConfigError::KeepaliveZero => vec!["keepalive_time", "keepalive_intvl", "keepalive"],
            ConfigError::Retries { name, .. } | ConfigError::Probability { name, .. } => {
                vec![*name]
            }
            ConfigError::Host { error, .. } => error.settings(),
            ConfigError::EphemeralPorts { .. } => vec!["ephemeral_ports"],
            ConfigError::HostName(_) => vec!["name"],
            ConfigError::FaultFromZero
            | ConfigError::HostEventCannotWait
            | ConfigError::TooManyRepeatedCalls => vec![],
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Mss(v) => write!(f, "mss {v} is out of range: use 1..=65495 bytes"),
            ConfigError::RcvBuf(v) => write!(
                f,
                "rcv_buf {v} is out of range: use 1..=65535 bytes (window scaling is not modelled)"
            ),
            ConfigError::SndBufZero => f.write_str("snd_buf must be at least 1 byte"),
            ConfigError::RtoMin { min, max } => write!(
                f,
                "rto_min {min} must be above zero and at most rto_max {max}"
            ),
            ConfigError::RtoInitialZero => f.write_str("rto_initial must be above zero"),
            ConfigError::TimeWaitZero => f.write_str("time_wait must be above zero"),
            ConfigError::KeepaliveZero => {
                f.write_str("keep-alive idle and interval must be above zero")
            }
            ConfigError::Retries { name, value } => {
                write!(f, "{name} {value} is out of range: use 0..=127")
            }
            ConfigError::Probability { name, value } => write!(
                f,
                "{name} probability {} is out of range: use a number from 0 to 1",
                decimal(*value)
            ),
            ConfigError::Host { host, error } => write!(f, "host `{host}`: {error}"),
            ConfigError::EphemeralPorts { lo, hi } => write!(
                f,
                "ephemeral port range {lo}-{hi} is empty; use e.g. 32768-60999"
            ),
            ConfigError::HostName(name) => write!(
                f,
                "`{}` cannot be a host name: use 1 to 64 characters, without spaces or control characters",
                crate::text::terminal(name)
            ),
            ConfigError::FaultFromZero => f.write_str("fault occurrences count from 1"),
            ConfigError::HostEventCannotWait => f.write_str(
                "a crash or a restart names no socket, so it cannot wait for a socket event: give it a time",
            ),
            ConfigError::TooManyRepeatedCalls => f.write_str(
                "the repeats schedule more calls than positions can number: repeat fewer times",
            ),
        }
    }
}

/// A number for a message, to six decimals, written with integers (so that a wasm build that
/// shows it carries no float formatting): "1.5", "-0.25", "1e12" stays "1000000000000".
pub fn decimal(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "infinity" } else { "-infinity" }.into();
    }
    // Beyond 10^15 millionths lose their meaning (and 10^33 would not fit in an i128): a
    // mantissa and a power of ten, "1.7e38".
    if v.abs() >= 1e15 {
        let exp = v.abs().log10().floor() as i32;
        return format!(
            "{}e{exp}",
            decimal((v / 10f64.powi(exp) * 100.0).round() / 100.0)
        );
    }
    let millionths = (v * 1e6).round() as i128;
    let sign = if millionths < 0 { "-" } else { "" };
    let m = millionths.unsigned_abs();
    let (whole, frac) = (m / 1_000_000, m % 1_000_000);
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        let frac = format!("{frac:06}");
        format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
    }
}

impl Default for TcpConfig {
    fn default() -> Self {
        TcpConfig::linux()
    }
}

/// Linux `retransmits_timed_out()`: how long retransmissions of one segment go on before the
/// connection gives up, for `boundary` retries starting from `base` and doubling up to `max`.
///
/// With Linux defaults this gives 127 s for SYNs (base 1 s, 6 retries), 63 s for SYN,ACKs
/// (5 retries) and 924.6 s for data (base 200 ms, 15 retries), matching ip-sysctl.rst.
pub fn retransmission_budget(boundary: u32, base: Duration, max: Duration) -> Duration {
    let base_us = base.as_micros().max(1);
    let ratio = (max.as_micros() / base_us).max(1);
    let thresh = 63 - ratio.leading_zeros(); // ilog2
    let doubling = |n: u32| base.saturating_mul((2u64 << n.min(62)) - 1);
    if boundary <= thresh {
        doubling(boundary)
    } else {
        doubling(thresh) + max.saturating_mul(u64::from(boundary - thresh))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_names_the_profile_and_only_what_differs_from_it() {
        assert_eq!(format!("{:?}", TcpConfig::linux()), "TcpConfig::linux()");
        assert_eq!(
            format!("{:?}", TcpConfig::rfc9293()),
            "TcpConfig::rfc9293()"
        );
        let small = TcpConfig {
            mss: 536,
            fin_timeout: None,
            ..TcpConfig::linux()
        };
        assert_eq!(
            format!("{small:?}"),
            "TcpConfig::linux() { mss: 536, fin_timeout: None, .. }"
        );
    }

    #[test]
    fn decimals_are_short_for_any_float() {
        assert_eq!(decimal(1.5), "1.5");
        assert_eq!(decimal(-0.25), "-0.25");
        assert_eq!(decimal(1e12), "1000000000000");
        // Was 170141183460469231731687303715884.105727 (an i128 saturated).
        assert_eq!(decimal(1.7e38), "1.7e38");
        assert_eq!(decimal(-2.5e300), "-2.5e300");
        assert_eq!(decimal(f64::INFINITY), "infinity");
        assert_eq!(decimal(f64::NAN), "NaN");
    }

    #[test]
    fn retransmission_budgets_match_the_linux_documentation() {
        let l = TcpConfig::linux();
        assert_eq!(
            retransmission_budget(l.syn_retries, l.rto_initial, l.rto_max),
            Duration::from_secs(127)
        );
        assert_eq!(
            retransmission_budget(l.synack_retries, l.rto_initial, l.rto_max),
            Duration::from_secs(63)
        );
        assert_eq!(
            retransmission_budget(l.retries2, l.rto_min, l.rto_max),
            Duration::from_millis(924_600)
        );
        let r = TcpConfig::rfc9293();
        // MUST-23: SYN retransmission must go on for at least 3 minutes.
        assert!(
            retransmission_budget(r.syn_retries, r.rto_initial, r.rto_max)
                >= Duration::from_mins(3)
        );
        // SHLD-11: R2 at least 100 s.
        assert!(
            retransmission_budget(r.retries2, r.rto_min, r.rto_max) >= Duration::from_secs(100)
        );
    }

    #[test]
    fn profiles_validate_and_bad_values_are_named() {
        assert_eq!(TcpConfig::linux().validate(), Ok(()));
        assert_eq!(TcpConfig::rfc9293().validate(), Ok(()));
        let mut c = TcpConfig::linux();
        c.rcv_buf = 100_000;
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("rcv_buf 100000")
        );
    }
}
