//! `HumanDuration`: the duration syntax every duration flag accepts, and the
//! same format back for logs.
//!
//! Grammar: a bare whole number is seconds (`45`, as in `sleep 45`);
//! otherwise one or more `<whole number><unit>` parts with the units `h`,
//! `m`, `s`, `ms`, largest first and each at most once (`500ms`, `2s`,
//! `10m`, `1h30m`, `1h30m15s250ms`). Surrounding whitespace is ignored. No
//! sign, no fractions, at most 30 days. `1h1h` and `30s1h` are refused: a
//! repeated or out-of-order unit is more likely a typo than a sum.
//!
//! Error messages never repeat the whole value: clap quotes it already
//! (`invalid value '…' for '--timeout <DURATION>': …`).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::quote::quoted;

/// The longest duration any flag accepts. Keeps `Instant + Duration` far from
/// overflow and catches a unit typo such as `30000h`.
pub const MAX: Duration = Duration::from_secs(30 * 24 * 3600);

/// The grammar in one sentence, for errors and `--help`.
pub const GRAMMAR: &str = "a whole number with a unit, units largest first and each at most \
                           once (h, m, s, ms): 500ms, 2s, 10m, 1h30m; a bare number is seconds";

/// The units, largest first: the order they must be written in.
const UNITS: [(&str, u64); 4] = [("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)];

/// A duration given on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct HumanDuration(pub Duration);

impl FromStr for HumanDuration {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.is_empty() {
            return Err(format!("expected a duration: {GRAMMAR}"));
        }
        if let Some(unsigned) = text.strip_prefix('-') {
            // Either a negative duration or, when the value is missing, the
            // next flag taken as the value (`--timeout --json`).
            return Err(if unsigned.parse::<HumanDuration>().is_ok() {
                "durations cannot be negative".to_owned()
            } else {
                "expected a duration, found something that looks like a flag \
                 (is the value missing?)"
                    .to_owned()
            });
        }
        // A bare integer is seconds, as in `sleep 30`.
        if text.bytes().all(|b| b.is_ascii_digit()) {
            return component(text, 1_000).map(HumanDuration);
        }
        let mut total = Duration::ZERO;
        let mut rest = text;
        // Index in UNITS of the last unit seen: the next must be smaller.
        let mut previous: Option<usize> = None;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let letters = rest[digits..]
                .bytes()
                .take_while(u8::is_ascii_alphabetic)
                .count();
            if digits == 0 || letters == 0 {
                return Err(format!("not a duration: use {GRAMMAR}"));
            }
            let unit = &rest[digits..digits + letters];
            let rank = UNITS
                .iter()
                .position(|(name, _)| *name == unit)
                .ok_or_else(|| {
                    format!(
                        "unknown unit {}: use h, m, s or ms (for example 1h30m)",
                        quoted(unit)
                    )
                })?;
            if let Some(previous) = previous {
                let before = UNITS[previous].0;
                if previous == rank {
                    return Err(format!(
                        "unit '{unit}' appears twice; write each unit once, largest first (h, m, s, ms), as in 1h30m"
                    ));
                }
                if previous > rank {
                    return Err(format!(
                        "unit '{unit}' comes after '{before}'; write units largest first (h, m, s, ms), as in 1h30m"
                    ));
                }
            }
            previous = Some(rank);
            let part = component(&rest[..digits], UNITS[rank].1)?;
            total = total
                .checked_add(part)
                .filter(|d| *d <= MAX)
                .ok_or_else(too_long)?;
            rest = &rest[digits + letters..];
        }
        Ok(HumanDuration(total))
    }
}

fn component(number: &str, millis_per_unit: u64) -> Result<Duration, String> {
    let value: u64 = number.parse().map_err(|_| too_long())?;
    value
        .checked_mul(millis_per_unit)
        .map(Duration::from_millis)
        .filter(|d| *d <= MAX)
        .ok_or_else(too_long)
}

fn too_long() -> String {
    "longer than the 30-day limit (720h)".to_owned()
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        format_duration(self.0, f)
    }
}

/// Writes a duration the way a person would type it: `450ms`, `2.5s`, `1m30s`, `2h`.
fn format_duration(duration: Duration, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let millis = duration.as_millis();
    if millis < 1_000 {
        return write!(f, "{millis}ms");
    }
    if millis < 60_000 {
        let tenths = (millis + 50) / 100;
        return if tenths.is_multiple_of(10) {
            write!(f, "{}s", tenths / 10)
        } else {
            write!(f, "{}.{}s", tenths / 10, tenths % 10)
        };
    }
    let seconds = (millis + 500) / 1_000;
    let (hours, minutes, seconds) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if hours > 0 {
        write!(f, "{hours}h")?;
    }
    if minutes > 0 {
        write!(f, "{minutes}m")?;
    }
    if seconds > 0 {
        write!(f, "{seconds}s")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Duration, String> {
        text.parse::<HumanDuration>().map(|d| d.0)
    }

    #[test]
    fn accepts_every_documented_form() {
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("1h30m15s250ms"), Ok(Duration::from_millis(5_415_250)));
        assert_eq!(parse("45"), Ok(Duration::from_secs(45)));
        assert_eq!(parse(" 2s "), Ok(Duration::from_secs(2)));
        assert_eq!(parse("0"), Ok(Duration::ZERO));
    }

    #[test]
    fn rejects_garbage_negative_and_fractional_values() {
        for bad in [
            "", "  ", "-1", "-5s", "1.5s", "abc", "5x", "s", "10 m", "1h30", "2S",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn refuses_repeated_and_out_of_order_units() {
        // Regression (issue 8): `1h1h` and `30s1h` were summed.
        for bad in [
            "1h1h", "30s1h", "1m1h", "5ms1s", "1s1s", "1h30m1m", "1ms1ms",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert_eq!(
            parse("1h1h").unwrap_err(),
            "unit 'h' appears twice; write each unit once, largest first (h, m, s, ms), as in 1h30m"
        );
        assert_eq!(
            parse("30s1h").unwrap_err(),
            "unit 'h' comes after 's'; write units largest first (h, m, s, ms), as in 1h30m"
        );
        assert_eq!(parse("1h1m1s1ms"), Ok(Duration::from_millis(3_661_001)));
        assert_eq!(parse("1m500ms"), Ok(Duration::from_millis(60_500)));
    }

    #[test]
    fn says_why_a_negative_or_missing_value_is_refused() {
        assert_eq!(parse("-5s").unwrap_err(), "durations cannot be negative");
        assert_eq!(parse(" -5 ").unwrap_err(), "durations cannot be negative");
        assert!(
            parse("--json")
                .unwrap_err()
                .contains("is the value missing?")
        );
    }

    #[test]
    fn messages_never_carry_raw_control_characters() {
        for bad in ["45m\n::error::x", "5\nx", "\r", "1h\n1h", "5ms\u{1b}"] {
            let err = parse(bad).unwrap_err();
            assert!(
                !err.chars().any(|c| c.is_control() || c == '\u{2028}'),
                "{err:?}"
            );
        }
        let err = parse(&format!("5{}", "x".repeat(10_000))).unwrap_err();
        assert!(err.len() < 300, "{err}");
    }

    #[test]
    fn rejects_values_past_the_limit_without_overflowing() {
        assert!(parse("721h").is_err());
        assert!(parse("720h").is_ok());
        assert!(parse("99999999999999999999999s").is_err());
        assert!(parse("18446744073709551615h").is_err());
        assert!(parse("700h700h").is_err());
    }

    #[test]
    fn formats_the_way_people_type_durations() {
        let show = |ms: u64| HumanDuration(Duration::from_millis(ms)).to_string();
        assert_eq!(show(0), "0ms");
        assert_eq!(show(450), "450ms");
        assert_eq!(show(2_000), "2s");
        assert_eq!(show(2_460), "2.5s");
        assert_eq!(show(90_000), "1m30s");
        assert_eq!(show(1_800_000), "30m");
        assert_eq!(show(5_400_000), "1h30m");
        assert_eq!(show(7_200_000), "2h");
    }
}
