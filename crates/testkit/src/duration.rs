//! The duration syntax of the fakes' flags (`--ready-after`): the waiter's
//! own (`500ms`, `2s`, `10m`, `1h30m`, bare seconds), with each unit at most
//! once and in the order h, m, s, ms, so `1m1h` or `2s3s` is refused rather
//! than guessed at.

use std::time::Duration;

/// Parses `500ms`, `2s`, `10m`, `1h30m`, `1h2m3s4ms` or bare seconds (`30`).
pub fn parse(text: &str) -> Result<Duration, String> {
    const UNITS: [(&str, u64); 4] = [("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)];
    let invalid = || {
        format!(
            "'{text}' is not a duration such as 500ms, 2s, 10m or 1h30m \
             (whole numbers; units h, m, s, ms, each at most once, in that order)"
        )
    };
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<u64>()
            .ok()
            .and_then(|secs| secs.checked_mul(1_000))
            .map(Duration::from_millis)
            .ok_or_else(invalid);
    }
    let mut millis: u64 = 0;
    let mut next_unit = 0;
    let mut rest = text;
    if rest.is_empty() {
        return Err(invalid());
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let letters = rest[digits..]
            .bytes()
            .take_while(u8::is_ascii_alphabetic)
            .count();
        let unit = &rest[digits..digits + letters];
        let position = UNITS[next_unit..]
            .iter()
            .position(|(name, _)| *name == unit)
            .ok_or_else(invalid)?;
        if digits == 0 {
            return Err(invalid());
        }
        let (_, scale) = UNITS[next_unit + position];
        millis = rest[..digits]
            .parse::<u64>()
            .ok()
            .and_then(|value| value.checked_mul(scale))
            .and_then(|value| value.checked_add(millis))
            .ok_or_else(invalid)?;
        next_unit += position + 1;
        rest = &rest[digits + letters..];
    }
    Ok(Duration::from_millis(millis))
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
        ] {
            assert_eq!(parse(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn refuses_repeats_disorder_and_strangers() {
        for text in [
            "", "1m1h", "2s3s", "5ms1s", "s", "1x", "1.5s", "-1s", " 1s", "1s ", "1h30", "ms",
            "1sms",
        ] {
            assert!(parse(text).is_err(), "{text:?}");
        }
        assert!(parse("99999999999999999999h").is_err());
    }
}
