//! Coordinates as SVG attributes, to a tenth of a pixel: `230`, `52.5`, `-3.2`.
//!
//! Written with integer arithmetic rather than Rust's float formatting, which with its tables is
//! too big for the web page's first module, which draws and exports SVG within a size budget
//! (PERFORMANCE.md). A tenth of a pixel is finer than any screen or printer shows.

use std::fmt;

/// A coordinate, displayed to a tenth of a pixel (NaN as 0; beyond ±2^63 tenths saturates).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Px(pub f32);

impl fmt::Display for Px {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tenths = (self.0 * 10.0).round() as i64;
        if tenths < 0 {
            f.write_str("-")?;
        }
        let t = tenths.unsigned_abs();
        write!(f, "{}", t / 10)?;
        if !t.is_multiple_of(10) {
            write!(f, ".{}", t % 10)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Px;

    #[test]
    fn tenths_without_float_formatting() {
        let cases = [
            (230.0, "230"),
            (52.5, "52.5"),
            (-3.25, "-3.3"),
            (-0.04, "0"),
            (-0.06, "-0.1"),
            (0.95, "1"),
            (123.456_78, "123.5"),
            (f32::NAN, "0"),
            (1e30, "922337203685477580.7"),
        ];
        for (v, want) in cases {
            assert_eq!(Px(v).to_string(), want, "{v}");
        }
    }
}
