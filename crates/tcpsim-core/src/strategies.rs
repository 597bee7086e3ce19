//! proptest strategies (feature `proptest`) for network conditions, fault patterns and
//! application call sequences, combined into [`PairScenario`]s.
//!
//! The `proptest` crate is re-exported as `tcpsim_core::strategies::proptest`, so that a
//! user's tests use the version these strategies were built with.
//!
//! ```
//! use tcpsim_core::strategies::proptest::prelude::*;
//! use tcpsim_core::strategies::proptest::test_runner::{Config, TestRunner};
//! use tcpsim_core::{check, strategies, time::Duration};
//!
//! // In a test: every invariant holds for 16 random two-host scenarios.
//! let mut runner = TestRunner::new(Config::with_cases(16));
//! runner
//!     .run(&strategies::pair_scenario(), |scenario| {
//!         let trace = scenario.run_for(Duration::from_secs(300)).unwrap();
//!         prop_assert!(check::all(&trace).is_empty());
//!         Ok(())
//!     })
//!     .unwrap();
//! ```

use crate::config::TcpConfig;
use crate::id::HostId;
use crate::net::{FaultAction, FaultRule, LinkConfig, SegmentFilter};
pub use crate::pair::{AppOp, AppStep, PairScenario, Side};
use crate::segment::Flags;
use crate::time::{Duration, Instant};
pub use proptest;
use proptest::prelude::*;
use std::ops::RangeInclusive;

/// The ranges a random link is drawn from, each knob on its own. The default is what
/// [`pair_scenario`] uses: latency 1-100 ms, jitter up to 20 ms, loss up to 30 %, duplication
/// up to 10 %, reordering up to 20 % with a hold-back of up to 50 ms.
///
/// ```
/// use tcpsim_core::strategies::{LinkRanges, link};
/// use tcpsim_core::time::Duration;
/// // A slow, jittery link without loss.
/// let ranges = LinkRanges {
///     latency: Duration::from_millis(100)..=Duration::from_millis(300),
///     jitter: Duration::from_millis(50)..=Duration::from_millis(50),
///     ..LinkRanges::perfect()
/// };
/// let _strategy = link(ranges);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LinkRanges {
    /// One-way delay.
    pub latency: RangeInclusive<Duration>,
    /// The most extra delay a segment may draw.
    pub jitter: RangeInclusive<Duration>,
    /// Probability of loss, within 0 to 1 (as are the other probabilities; values outside are
    /// clamped).
    pub loss: RangeInclusive<f64>,
    /// Probability that a segment arrives twice.
    pub duplicate: RangeInclusive<f64>,
    /// Probability that a segment is held back.
    pub reorder: RangeInclusive<f64>,
    /// How long a held-back segment waits.
    pub reorder_delay: RangeInclusive<Duration>,
}

impl Default for LinkRanges {
    fn default() -> Self {
        LinkRanges {
            latency: Duration::from_millis(1)..=Duration::from_millis(99),
            jitter: Duration::ZERO..=Duration::from_millis(19),
            loss: 0.0..=0.3,
            duplicate: 0.0..=0.1,
            reorder: 0.0..=0.2,
            reorder_delay: Duration::ZERO..=Duration::from_millis(49),
        }
    }
}

impl LinkRanges {
    /// Perfect links (no jitter, loss, duplication or reordering) with latency 1-100 ms: the
    /// start for a strategy that turns one knob.
    pub fn perfect() -> LinkRanges {
        LinkRanges {
            jitter: Duration::ZERO..=Duration::ZERO,
            loss: 0.0..=0.0,
            duplicate: 0.0..=0.0,
            reorder: 0.0..=0.0,
            reorder_delay: Duration::ZERO..=Duration::ZERO,
            ..LinkRanges::default()
        }
    }
}

/// A range of microseconds, its ends in order.
fn micros(r: &RangeInclusive<Duration>) -> RangeInclusive<u64> {
    let (a, b) = (r.start().as_micros(), r.end().as_micros());
    a.min(b)..=a.max(b)
}

/// A range of probabilities within 0 to 1, its ends in order (NaN counts as 0).
fn probability(r: &RangeInclusive<f64>) -> RangeInclusive<f64> {
    let clamp = |p: f64| if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
    let (a, b) = (clamp(*r.start()), clamp(*r.end()));
    a.min(b)..=a.max(b)
}

/// A link drawn from `ranges`, each knob independently.
pub fn link(ranges: LinkRanges) -> impl Strategy<Value = LinkConfig> {
    (
        micros(&ranges.latency),
        micros(&ranges.jitter),
        probability(&ranges.loss),
        probability(&ranges.duplicate),
        probability(&ranges.reorder),
        micros(&ranges.reorder_delay),
    )
        .prop_map(|(lat, jit, loss, dup, reorder, rdelay)| LinkConfig {
            latency: Duration::from_micros(lat),
            jitter: Duration::from_micros(jit),
            loss,
            duplicate: dup,
            reorder,
            reorder_delay: Duration::from_micros(rdelay),
        })
}

/// [`LinkRanges::default`] with loss up to `max_loss` (at most 0.9, so that connections can
/// make progress).
pub fn link_config(max_loss: f64) -> impl Strategy<Value = LinkConfig> {
    link(LinkRanges {
        loss: 0.0..=max_loss.clamp(0.0, 0.9),
        ..LinkRanges::default()
    })
}

/// A perfect link with latency 1-100 ms.
pub fn clean_link() -> impl Strategy<Value = LinkConfig> {
    (1u64..100).prop_map(|ms| LinkConfig::latency(Duration::from_millis(ms)))
}

/// Flags a fault rule may target.
pub fn flags() -> impl Strategy<Value = Flags> {
    prop_oneof![
        Just(Flags::SYN),
        Just(Flags::SYN | Flags::ACK),
        Just(Flags::FIN),
        Just(Flags::RST),
        Just(Flags::ACK),
        Just(Flags::NONE),
    ]
}

/// Drop or delay a few occurrences of some kind of segment between hosts 0 and 1. Rules never
/// drop every segment for good (the network is never permanently cut).
pub fn fault_rule() -> impl Strategy<Value = FaultRule> {
    (
        prop::option::of(0u32..2),
        flags(),
        prop::option::of(any::<bool>()),
        1u32..5,
        1u32..4,
        prop_oneof![
            Just(FaultAction::Drop),
            (1u64..3_000).prop_map(|ms| FaultAction::Delay(Duration::from_millis(ms)))
        ],
    )
        .prop_map(|(from, flags, with_data, first, count, action)| FaultRule {
            filter: SegmentFilter {
                from: from.map(HostId),
                to: from.map(|f| HostId(1 - f)),
                flags,
                with_data,
                ..SegmentFilter::default()
            },
            first,
            count: Some(count),
            action,
        })
}

/// An application operation; closes are rarer than data calls.
pub fn app_op() -> impl Strategy<Value = AppOp> {
    prop_oneof![
        4 => (1u64..20_000).prop_map(AppOp::Send),
        4 => (1u64..20_000).prop_map(AppOp::Recv),
        1 => Just(AppOp::Close),
        1 => Just(AppOp::ShutdownWrite),
        1 => Just(AppOp::Abort),
    ]
}

/// Up to `max` steps in the first `within`, sorted by time.
pub fn app_steps(max: usize, within: Duration) -> impl Strategy<Value = Vec<AppStep>> {
    let span = within.as_micros().max(1);
    prop::collection::vec(
        (
            0..span,
            prop_oneof![Just(Side::Client), Just(Side::Server)],
            app_op(),
        )
            .prop_map(|(t, side, op)| AppStep {
                at: Instant::from_micros(t),
                side,
                op,
            }),
        0..max,
    )
    .prop_map(|mut v| {
        v.sort_by_key(|s| s.at);
        v
    })
}

/// Either profile.
pub fn tcp_config() -> impl Strategy<Value = TcpConfig> {
    prop_oneof![Just(TcpConfig::linux()), Just(TcpConfig::rfc9293())]
}

/// Any pair scenario: lossy links (loss up to 30%), a few faults, up to 12 calls in 20 s.
pub fn pair_scenario() -> impl Strategy<Value = PairScenario> {
    (
        any::<u64>(),
        tcp_config(),
        link_config(0.3),
        link_config(0.3),
        prop::collection::vec(fault_rule(), 0..3),
        app_steps(12, Duration::from_secs(20)),
    )
        .prop_map(|(seed, tcp, a, b, faults, steps)| PairScenario {
            seed,
            tcp,
            client_to_server: a,
            server_to_client: b,
            faults,
            steps,
        })
}
