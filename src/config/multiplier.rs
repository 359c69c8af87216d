//! `Multiplier`: the growth factor of the delay ceiling, parsed the way
//! durations are (surrounding whitespace ignored) and range-checked at parse
//! time, so `--multiplier " 2"` works and `NaN` never reaches the schedule.

use std::fmt;
use std::str::FromStr;

/// The largest factor accepted; beyond it the schedule is the max interval
/// after one step anyway, so a larger value is likely a typo.
pub const MAX_MULTIPLIER: f64 = 100.0;

/// A finite factor in `1..=100`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Multiplier(f64);

impl Multiplier {
    /// The factor.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl FromStr for Multiplier {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        // Rust's float parser also takes `inf`, `NaN` and exponents; the
        // range check below settles what is allowed.
        let value: f64 = text.parse().map_err(|_| {
            "not a number: use a factor from 1 to 100 such as 1.5, 2 or 3 \
             (1 for a fixed interval)"
                .to_owned()
        })?;
        if !value.is_finite() {
            return Err("not a finite number: use a factor from 1 to 100".to_owned());
        }
        if !(1.0..=MAX_MULTIPLIER).contains(&value) {
            return Err(format!(
                "{value} is outside 1..={MAX_MULTIPLIER}; use 1 for a fixed interval"
            ));
        }
        Ok(Multiplier(value))
    }
}

impl fmt::Display for Multiplier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<f64, String> {
        text.parse::<Multiplier>().map(Multiplier::get)
    }

    #[test]
    fn trims_like_durations() {
        // Regression (issue 8): " 2" was refused while " 2s" was accepted.
        assert_eq!(parse(" 2"), Ok(2.0));
        assert_eq!(parse("1.5\n"), Ok(1.5));
        assert_eq!(parse("1"), Ok(1.0));
        assert_eq!(parse("100"), Ok(100.0));
    }

    #[test]
    fn refuses_out_of_range_and_non_finite_factors() {
        for bad in [
            "0.5", "0", "-2", "101", "1e3", "NaN", "inf", "-inf", "", "two", "2x",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(
            parse("0.5").unwrap_err(),
            "0.5 is outside 1..=100; use 1 for a fixed interval"
        );
        assert!(parse("NaN").unwrap_err().contains("finite"));
    }
}
