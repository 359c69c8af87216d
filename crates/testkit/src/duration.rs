//! The duration syntax of the fakes' flags (`--ready-after`): the waiter's
//! own (`500ms`, `2s`, `10m`, `1h30m`, bare seconds), with each unit at most
//! once and in the order h, m, s, ms, so `1m1h` or `2s3s` is refused rather
//! than guessed at.

use std::time::Duration;

/// The longest duration accepted, as by the waiter: 30 days.
const MAX_DURATION: Duration = Duration::from_secs(30 * 24 * 3600);

/// The waiter's duration grammar (src/config/duration.rs): `500ms`, `2s`, `10m`, `1h30m`, bare
/// seconds; each unit at most once, largest first; at most 30 days.
pub fn parse(text: &str) -> Result<Duration, String> {
    const UNITS: [(&str, u64); 4] = [("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)];
    let text = text.trim();
    let not_a_duration = || {
        format!(
            "'{text}' is not a duration: use a whole number with a unit (ms, s, m, h), \
             such as 500ms, 2s, 10m or 1h30m, or a bare number of seconds"
        )
    };
    let too_long = || format!("'{text}' is longer than the 30-day limit");
    if text.is_empty() {
        return Err(not_a_duration());
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        let seconds: u64 = text.parse().map_err(|_| too_long())?;
        return Some(Duration::from_secs(seconds))
            .filter(|d| *d <= MAX_DURATION)
            .ok_or_else(too_long);
    }
    let mut total_millis: u64 = 0;
    let mut next_unit = 0; // index into UNITS of the smallest unit still allowed
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let letters = rest[digits..]
            .bytes()
            .take_while(u8::is_ascii_alphabetic)
            .count();
        if digits == 0 || letters == 0 {
            return Err(not_a_duration());
        }
        let unit = &rest[digits..digits + letters];
        let Some(index) = UNITS.iter().position(|(name, _)| *name == unit) else {
            return Err(format!(
                "unknown unit '{unit}' in '{text}': use ms, s, m or h (for example 1h30m)"
            ));
        };
        if index < next_unit {
            return Err(format!(
                "'{text}': each unit may appear once, largest first (h, m, s, ms), as in 1h30m"
            ));
        }
        next_unit = index + 1;
        let millis = rest[..digits]
            .parse::<u64>()
            .ok()
            .and_then(|value| value.checked_mul(UNITS[index].1))
            .and_then(|millis| millis.checked_add(total_millis))
            .ok_or_else(too_long)?;
        total_millis = millis;
        rest = &rest[digits + letters..];
    }
    Some(Duration::from_millis(total_millis))
        .filter(|d| *d <= MAX_DURATION)
        .ok_or_else(too_long)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_each_unit_once_in_order() {
        let ms = Duration::from_millis;
        for (text, want) in [
            ("500ms", ms(500)),
            ("2s", ms(2_000)),
            ("10m", ms(600_000)),
            ("1h30m", ms(5_400_000)),
            ("1h2m3s4ms", ms(3_723_004)),
            ("1m500ms", ms(60_500)),
            ("30", ms(30_000)),
            ("0", ms(0)),
            ("0s", ms(0)),
            (" 1s ", ms(1_000)),
        ] {
            assert_eq!(parse(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn refuses_repeats_disorder_and_strangers() {
        for text in [
            "", "1m1h", "2s3s", "5ms1s", "s", "1x", "1.5s", "-1s", "1h30", "ms", "721h", "1sms",
        ] {
            assert!(parse(text).is_err(), "{text:?}");
        }
        assert!(parse("99999999999999999999h").is_err());
    }
}
