//! `HumanDuration`: the `500ms` / `2s` / `10m` / `1h30m` / bare-seconds syntax
//! every duration flag accepts, and the same format back for logs.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// The longest duration any flag accepts. Keeps `Instant + Duration` far from
/// overflow and catches a unit typo such as `30000h`.
pub const MAX: Duration = Duration::from_secs(30 * 24 * 3600);

/// A duration given on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct HumanDuration(pub Duration);

impl FromStr for HumanDuration {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.is_empty() {
            return Err("expected a duration such as 500ms, 2s, 10m or 1h30m".to_owned());
        }
        // A bare integer is seconds, as in `sleep 30`.
        if text.bytes().all(|b| b.is_ascii_digit()) {
            return parse_component(text, "s").map(HumanDuration);
        }
        let mut total = Duration::ZERO;
        let mut rest = text;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let units = rest[digits..]
                .bytes()
                .take_while(u8::is_ascii_alphabetic)
                .count();
            if digits == 0 || units == 0 {
                return Err(format!(
                    "'{text}' is not a duration: use a whole number with a unit \
                     (ms, s, m, h), such as 500ms, 2s, 10m or 1h30m"
                ));
            }
            let component = parse_component(&rest[..digits], &rest[digits..digits + units])?;
            total = total
                .checked_add(component)
                .filter(|d| *d <= MAX)
                .ok_or_else(too_long)?;
            rest = &rest[digits + units..];
        }
        Ok(HumanDuration(total))
    }
}

fn parse_component(number: &str, unit: &str) -> Result<Duration, String> {
    let value: u64 = number.parse().map_err(|_| too_long())?;
    let millis_per_unit: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        other => {
            return Err(format!(
                "unknown unit '{other}': use ms, s, m or h (for example 1h30m)"
            ));
        }
    };
    value
        .checked_mul(millis_per_unit)
        .map(Duration::from_millis)
        .filter(|d| *d <= MAX)
        .ok_or_else(too_long)
}

fn too_long() -> String {
    "longer than the 30-day limit".to_owned()
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
