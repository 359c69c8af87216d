//! `Retry-After` (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date.

use std::time::{Duration, SystemTime};

/// What "absurdly large" becomes: longer than any deadline the waiter
/// accepts, so the poller gives up at once instead of overflowing.
const FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Parses a `Retry-After` value into a delay. An HTTP-date is measured from
/// the response's own `Date` header when there is one (so client clock skew
/// does not matter), else from `now`. Returns `None` for values that are not
/// valid, which the caller treats as "no hint".
pub fn parse_retry_after(
    value: &str,
    server_date: Option<&str>,
    now: SystemTime,
) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // All digits but too big for u64 is still a (silly) valid delay.
        return Some(
            value
                .parse::<u64>()
                .map_or(FOREVER, Duration::from_secs)
                .min(FOREVER),
        );
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let reference = server_date
        .and_then(|date| httpdate::parse_http_date(date.trim()).ok())
        .unwrap_or(now);
    Some(at.duration_since(reference).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> SystemTime {
        httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap()
    }

    #[test]
    fn delay_seconds() {
        assert_eq!(
            parse_retry_after("120", None, now()),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", None, now()), Some(Duration::ZERO));
    }

    #[test]
    fn http_date_is_measured_from_now_without_a_date_header() {
        let value = "Sun, 06 Nov 1994 08:50:07 GMT";
        assert_eq!(
            parse_retry_after(value, None, now()),
            Some(Duration::from_secs(30))
        );
    }

    #[test]
    fn http_date_is_measured_from_the_server_date_when_present() {
        let value = "Sun, 06 Nov 1994 08:50:07 GMT";
        let server = Some("Sun, 06 Nov 1994 08:50:00 GMT");
        assert_eq!(
            parse_retry_after(value, server, now()),
            Some(Duration::from_secs(7))
        );
    }

    #[test]
    fn obsolete_date_formats_are_accepted() {
        // RFC 850 and asctime, which RFC 9110 says recipients must accept.
        let rfc850 = "Sunday, 06-Nov-94 08:49:47 GMT";
        let asctime = "Sun Nov  6 08:49:47 1994";
        assert_eq!(
            parse_retry_after(rfc850, None, now()),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after(asctime, None, now()),
            Some(Duration::from_secs(10))
        );
    }

    #[test]
    fn a_date_in_the_past_means_no_extra_wait() {
        let value = "Sun, 06 Nov 1994 08:00:00 GMT";
        assert_eq!(parse_retry_after(value, None, now()), Some(Duration::ZERO));
    }

    #[test]
    fn absurd_values_saturate_and_invalid_values_are_ignored() {
        assert_eq!(
            parse_retry_after("99999999999999999999999", None, now()),
            Some(FOREVER)
        );
        assert_eq!(
            parse_retry_after("18446744073709551615", None, now()),
            Some(FOREVER)
        );
        for bad in ["", "-1", "1.5", "soon", "Sun, 99 Nov 1994 08:49:37 GMT"] {
            assert_eq!(parse_retry_after(bad, None, now()), None, "{bad:?}");
        }
    }
}
