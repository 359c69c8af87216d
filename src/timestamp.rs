//! Calendar time, as far as the run needs it: reading a backup's
//! `created_at` (RFC 3339, fractional seconds and offsets included),
//! writing the UTC time into a generated backup name, and saying how old
//! something is the way a person would (`3h12m`, `2d`).
//!
//! Pure arithmetic on `SystemTime` (proleptic Gregorian calendar, days from
//! the civil date as in Howard Hinnant's `days_from_civil`); no time zone
//! database, no dependency.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const DAY: u64 = 86_400;

/// Reads an RFC 3339 date-time (`2024-03-15T10:30:00Z`,
/// `2026-11-29T18:12:23.850Z`, `2025-01-01T01:00:00+01:00`); `None` for
/// anything else, so that a backup whose `created_at` cannot be read is
/// never taken for the newest.
pub fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let bytes = text.trim().as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u64> {
        let part = bytes.get(range)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let at = |i: usize, allowed: &[u8]| bytes.get(i).is_some_and(|b| allowed.contains(b));
    if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt ") && at(13, b":") && at(16, b":")) {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &bytes[19..];
    let mut nanos = 0u64;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let count = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if count == 0 {
            return None;
        }
        // Nanoseconds are enough; further digits are read and dropped.
        for (i, digit) in fraction[..count].iter().enumerate().take(9) {
            nanos += u64::from(digit - b'0') * 10u64.pow(8 - i as u32);
        }
        rest = &fraction[count..];
    }
    let offset: i64 = match rest {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |a: u8, b: u8| -> Option<i64> {
                (a.is_ascii_digit() && b.is_ascii_digit())
                    .then(|| i64::from(a - b'0') * 10 + i64::from(b - b'0'))
            };
            let (hours, minutes) = (two(*h1, *h2)?, two(*m1, *m2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = hours * 3600 + minutes * 60;
            if *sign == b'+' { seconds } else { -seconds }
        }
        _ => return None,
    };
    // A leap second is read as the last second of its minute.
    let second = second.min(59);
    let days = days_from_civil(year as i64, month as u32, day as u32);
    let local = days * DAY as i64 + (hour * 3600 + minute * 60 + second) as i64;
    let seconds = local - offset;
    let whole = if seconds >= 0 {
        UNIX_EPOCH.checked_add(Duration::from_secs(seconds as u64))?
    } else {
        UNIX_EPOCH.checked_sub(Duration::from_secs(seconds.unsigned_abs()))?
    };
    whole.checked_add(Duration::from_nanos(nanos))
}

/// `YYYYMMDD-HHMMSS` in UTC, for a generated backup name.
pub fn utc_compact(time: SystemTime) -> String {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_secs())
        .unwrap_or(0);
    let (year, month, day) = civil_from_days((seconds / DAY) as i64);
    let of_day = seconds % DAY;
    format!(
        "{year:04}{month:02}{day:02}-{:02}{:02}{:02}",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    )
}

/// An age as a person says it, in at most two units, rounded down:
/// `40s`, `45m`, `3h12m`, `2d`, `2d3h`.
pub fn age(duration: Duration) -> String {
    let seconds = duration.as_secs();
    let (days, hours, minutes) = (seconds / DAY, seconds / 3600 % 24, seconds / 60 % 60);
    let two = |big: u64, big_unit: &str, small: u64, small_unit: &str| {
        if small == 0 {
            format!("{big}{big_unit}")
        } else {
            format!("{big}{big_unit}{small}{small_unit}")
        }
    };
    if days > 0 {
        two(days, "d", hours, "h")
    } else if hours > 0 {
        two(hours, "h", minutes, "m")
    } else if minutes > 0 {
        format!("{minutes}m")
    } else {
        format!("{seconds}s")
    }
}

fn is_leap(year: u64) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = if year >= 0 { year } else { year - 399 } / 400;
    let year_of_era = year - era * 400;
    let month_from_march = (i64::from(month) + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The civil date of a day since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = if days >= 0 { days } else { days - 146_096 } / 146_097;
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn reads_the_spec_examples_and_the_fakes_milliseconds() {
        // BackupModel.created_at examples, and a world timestamp.
        assert_eq!(
            parse_rfc3339("2024-03-15T10:30:00Z"),
            Some(at(1_710_498_600))
        );
        assert_eq!(
            parse_rfc3339("2026-11-29T18:12:23.850Z"),
            Some(at(1_795_975_943) + Duration::from_millis(850))
        );
        assert_eq!(
            parse_rfc3339("1970-01-01T00:00:00.000000001Z"),
            Some(at(0) + Duration::from_nanos(1))
        );
        // Digits past nanoseconds are read and dropped.
        assert_eq!(
            parse_rfc3339("1970-01-01T00:00:01.1234567891Z"),
            Some(at(1) + Duration::from_nanos(123_456_789))
        );
    }

    #[test]
    fn offsets_lower_and_leap_days_and_seconds_are_understood() {
        assert_eq!(
            parse_rfc3339("2025-01-01T01:00:00+01:00"),
            parse_rfc3339("2025-01-01T00:00:00Z")
        );
        assert_eq!(
            parse_rfc3339("2024-12-31T19:00:00-05:00"),
            parse_rfc3339("2025-01-01T00:00:00z")
        );
        assert_eq!(
            parse_rfc3339("2024-03-15t10:30:00Z"),
            parse_rfc3339("2024-03-15 10:30:00Z")
        );
        assert!(parse_rfc3339("2024-02-29T00:00:00Z").is_some());
        assert!(parse_rfc3339("2000-02-29T00:00:00Z").is_some());
        assert_eq!(
            parse_rfc3339("2016-12-31T23:59:60Z"),
            parse_rfc3339("2016-12-31T23:59:59Z")
        );
        assert_eq!(
            parse_rfc3339("1969-12-31T23:59:59Z"),
            UNIX_EPOCH.checked_sub(Duration::from_secs(1))
        );
    }

    #[test]
    fn anything_else_is_not_a_time() {
        for bad in [
            "",
            "yesterday",
            "2024-03-15",
            "2024-03-15T10:30:00",
            "2024-03-15T10:30Z",
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2024-04-31T00:00:00Z",
            "2024-03-15T24:00:00Z",
            "2024-03-15T10:60:00Z",
            "2024-03-15T10:30:00.Z",
            "2024-03-15T10:30:00+0100",
            "2024-03-15T10:30:00+24:00",
            "2024-03-15T10:30:00ZZ",
            "+2024-03-15T10:30:00Z",
            "2024-03-15T10:30:00Z\n::error::x",
            "２０２４-03-15T10:30:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_utc_time_of_a_name_round_trips_through_the_calendar() {
        assert_eq!(utc_compact(at(0)), "19700101-000000");
        assert_eq!(utc_compact(at(1_774_017_000)), "20260320-143000");
        assert_eq!(utc_compact(at(951_782_400)), "20000229-000000");
        for seconds in [0, 59, 86_399, 951_868_799, 1_710_498_600, 4_102_444_800] {
            let text = utc_compact(at(seconds));
            let rfc = format!(
                "{}-{}-{}T{}:{}:{}Z",
                &text[0..4],
                &text[4..6],
                &text[6..8],
                &text[9..11],
                &text[11..13],
                &text[13..15]
            );
            assert_eq!(parse_rfc3339(&rfc), Some(at(seconds)), "{text}");
        }
    }

    #[test]
    fn ages_read_naturally() {
        let s = Duration::from_secs;
        assert_eq!(age(s(0)), "0s");
        assert_eq!(age(s(59)), "59s");
        assert_eq!(age(s(45 * 60 + 59)), "45m");
        assert_eq!(age(s(3 * 3600 + 12 * 60 + 5)), "3h12m");
        assert_eq!(age(s(3 * 3600)), "3h");
        assert_eq!(age(s(2 * 86_400 + 59 * 60)), "2d");
        assert_eq!(age(s(2 * 86_400 + 3 * 3600)), "2d3h");
        assert_eq!(age(s(26 * 3600)), "1d2h");
    }
}
