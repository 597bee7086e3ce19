//! Human durations: `150ms`, `60s`, `1.5s`, `2min`, `1h`, `2h5min`, `500us`, `0`.

use schemars::JsonSchema;
use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use tcpsim_core::time::Duration;
use tcpsim_words::msg::Msg;

/// A duration written for people. Serialises back to the same style.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HumanDuration(pub Duration);

impl HumanDuration {
    /// The duration.
    pub fn get(self) -> Duration {
        self.0
    }
}

/// Why a duration did not parse: the text, and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DurationError {
    /// What was written.
    pub text: String,
    /// What is wrong with it.
    pub fault: DurationFault,
}

/// What is wrong with a duration's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DurationFault {
    /// Not a number and a unit.
    NotADuration,
    /// A duration, but finer than a microsecond.
    TooFine,
    /// A duration, but more microseconds than 64 bits hold.
    TooLong,
}

impl DurationError {
    /// The message, in both languages.
    pub fn msg(&self) -> Msg {
        let text = self.text.clone();
        match self.fault {
            DurationFault::NotADuration => Msg::NotADuration(text),
            DurationFault::TooFine => Msg::FinerThanMicros(text),
            DurationFault::TooLong => Msg::DurationTooLong(text),
        }
    }
}

/// The message in English.
impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg().text().en)
    }
}

impl FromStr for HumanDuration {
    type Err = DurationError;
    fn from_str(s: &str) -> Result<Self, DurationError> {
        let fail = |fault| DurationError {
            text: s.to_string(),
            fault,
        };
        let err = || fail(DurationFault::NotADuration);
        let too_long = || fail(DurationFault::TooLong);
        let t = s.trim();
        if t == "0" {
            return Ok(HumanDuration(Duration::ZERO));
        }
        if t.is_empty() {
            return Err(err());
        }
        let mut total: u128 = 0;
        let mut rest = t;
        while !rest.is_empty() {
            let num_len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .ok_or_else(err)?;
            if num_len == 0 {
                return Err(err());
            }
            let (num, after) = rest.split_at(num_len);
            let unit_len = after
                .find(|c: char| c.is_ascii_digit() || c == '.')
                .unwrap_or(after.len());
            let (unit, next) = after.split_at(unit_len);
            let scale: u128 = match unit.trim() {
                "us" | "µs" => 1,
                "ms" => 1_000,
                "s" | "sec" => 1_000_000,
                "m" | "min" => 60_000_000,
                "h" => 3_600_000_000,
                _ => return Err(err()),
            };
            // Exact decimal arithmetic: integer part and up to 6 fraction digits.
            let (int, frac) = num.split_once('.').unwrap_or((num, ""));
            if int.is_empty() && frac.is_empty() || frac.contains('.') || frac.len() > 6 {
                return Err(err());
            }
            let int: u128 = if int.is_empty() {
                0
            } else {
                // Only digits are left: parsing fails on overflow alone.
                int.parse().map_err(|_| too_long())?
            };
            let frac_val: u128 = if frac.is_empty() {
                0
            } else {
                frac.parse().map_err(|_| err())?
            };
            let frac_scale = 10u128.pow(frac.len() as u32);
            let part = int.checked_mul(scale).ok_or_else(too_long)? + frac_val * scale / frac_scale;
            if !(frac_val * scale).is_multiple_of(frac_scale) {
                return Err(fail(DurationFault::TooFine));
            }
            total = total.checked_add(part).ok_or_else(too_long)?;
            rest = next;
        }
        let us = u64::try_from(total).map_err(|_| too_long())?;
        Ok(HumanDuration(Duration::from_micros(us)))
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for HumanDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl JsonSchema for HumanDuration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A duration with a unit: us, ms, s, min or h; parts may be combined (\"1h30min\").",
            "pattern": "^(0|([0-9]+(\\.[0-9]+)?(us|µs|ms|s|sec|m|min|h))+)$",
            "examples": ["150ms", "60s", "1.5s", "2min", "1h"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> u64 {
        s.parse::<HumanDuration>().unwrap().0.as_micros()
    }

    #[test]
    fn parses_every_unit_and_combination() {
        assert_eq!(d("150ms"), 150_000);
        assert_eq!(d("60s"), 60_000_000);
        assert_eq!(d("1.5s"), 1_500_000);
        assert_eq!(d("2min"), 120_000_000);
        assert_eq!(d("1h"), 3_600_000_000);
        assert_eq!(d("1h30min"), 5_400_000_000);
        assert_eq!(d("500us"), 500);
        assert_eq!(d("0"), 0);
        assert_eq!(d(" 10 s"), 10_000_000);
    }

    #[test]
    fn rejects_what_it_cannot_read_exactly() {
        for bad in [
            "",
            "10",
            "s",
            "10 parsecs",
            "1.2.3s",
            "-5s",
            "0.0000001s",
            "1e3s",
        ] {
            let e = bad.parse::<HumanDuration>().unwrap_err();
            assert!(
                e.to_string().contains("duration") || e.to_string().contains("microsecond"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn a_duration_too_long_is_said_to_be_too_long_not_unreadable() {
        for long in [
            "1000000000000000000000000000000s",
            "18446744073709551616us",
            "5124096000h",
        ] {
            let e = long.parse::<HumanDuration>().unwrap_err();
            assert_eq!(e.fault, DurationFault::TooLong, "{long}");
            assert!(e.to_string().contains("too long"), "{e}");
        }
        // The largest that fits still reads.
        assert!("18446744073709551615us".parse::<HumanDuration>().is_ok());
    }

    #[test]
    fn round_trips_through_display() {
        for s in ["150ms", "1.5s", "2min", "1h", "2h5min"] {
            assert_eq!(s.parse::<HumanDuration>().unwrap().to_string(), s);
        }
    }
}
