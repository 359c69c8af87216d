//! Status codes: which are retried, how `Retry-After` steers the retry, and
//! how every final error reads, whatever the shape of its body.

use std::time::{Duration, SystemTime};

use testkit::{FakeControlPlane, Reply, Script};

use super::{Expected, case, check};
use crate::support::{BACKUP_ID, waiter};

#[test]
fn each_retryable_status_is_retried_then_succeeds() {
    for status in [408, 429, 500, 502, 503, 504] {
        let run = case(
            vec![Reply::text(status, "try again"), Reply::backup("Ready")],
            &[],
            Expected::ready(2..=2),
        );
        assert!(
            run.stderr.contains(&format!("attempt 1: HTTP {status} ")),
            "{}",
            run.describe()
        );
    }
}

#[test]
fn a_run_of_different_transient_errors_is_survived() {
    let server = FakeControlPlane::start(Script::sequence(vec![
        Reply::error(429, "RESOURCE_EXHAUSTED", "slow down"),
        Reply::text(500, "oops"),
        Reply::text(502, "<html><title>502 Bad Gateway</title></html>"),
        Reply::error(503, "SERVICE_UNAVAILABLE", "busy"),
        Reply::text(504, ""),
        Reply::text(408, ""),
        Reply::backup("Ready"),
    ]));
    let run = waiter(&server.url()).run();
    run.assert_result(0, "ready");
    assert_eq!(run.output("attempts"), "7");
    assert_eq!(server.request_count(), 7);
    for seen in [
        "HTTP 429 Too Many Requests: slow down (RESOURCE_EXHAUSTED)",
        "HTTP 500 Internal Server Error: oops",
        "HTTP 502 Bad Gateway: HTML page \"502 Bad Gateway\"",
        "HTTP 503 Service Unavailable: busy (SERVICE_UNAVAILABLE)",
        "HTTP 504 Gateway Timeout; next check",
        "HTTP 408 Request Timeout; next check",
    ] {
        assert!(
            run.stderr.contains(seen),
            "log should show {seen:?}\n{}",
            run.describe()
        );
    }
}

#[test]
fn retry_after_in_seconds_sets_the_floor_of_the_next_delay() {
    let server = FakeControlPlane::start(Script::sequence(vec![
        Reply::text(429, "slow down").with_header("Retry-After", "1"),
        Reply::backup("Ready"),
    ]));
    let run = waiter(&server.url()).run();
    check(&run, &server, &Expected::ready(2..=2));
    let requests = server.requests();
    let gap = requests[1].at - requests[0].at;
    assert!(
        gap >= Duration::from_secs(1),
        "second request after {gap:?}"
    );
    assert!(gap < Duration::from_secs(3), "second request after {gap:?}");
}

#[test]
fn retry_after_as_an_http_date_is_measured_from_the_servers_date() {
    // The server's clock is an hour ahead of ours: only the difference
    // between its Date and its Retry-After (1 s) may count.
    let server = FakeControlPlane::start(Script::from_fn(|request| {
        if request.index == 0 {
            let server_now = SystemTime::now() + Duration::from_secs(3600);
            Reply::text(503, "maintenance")
                .with_header("Date", &httpdate::fmt_http_date(server_now))
                .with_header(
                    "Retry-After",
                    &httpdate::fmt_http_date(server_now + Duration::from_secs(1)),
                )
        } else {
            Reply::backup("Ready")
        }
    }));
    let run = waiter(&server.url()).run();
    run.assert_result(0, "ready");
    let requests = server.requests();
    let gap = requests[1].at - requests[0].at;
    // HTTP-dates have whole seconds, so 1 s can shrink to just above 0.
    assert!(gap < Duration::from_secs(3), "second request after {gap:?}");
    assert!(run.stderr.contains("next check in"), "{}", run.describe());
}

#[test]
fn an_absurd_retry_after_ends_the_wait_at_once_as_a_timeout() {
    for absurd in [
        "99999999999999999999999",
        "86400",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ] {
        case(
            vec![Reply::text(503, "maintenance").with_header("Retry-After", absurd)],
            &["--timeout", "30s"],
            Expected {
                code: 3,
                result: "timeout",
                error: "the server asked to retry after",
                requests: 1..=1,
            },
        );
    }
}

#[test]
fn an_invalid_retry_after_is_ignored() {
    for invalid in ["soon", "-5", "1.5", ""] {
        case(
            vec![
                Reply::text(503, "busy").with_header("Retry-After", invalid),
                Reply::backup("Ready"),
            ],
            &[],
            Expected::ready(2..=2),
        );
    }
}

#[test]
fn a_429_storm_until_the_deadline_times_out_with_the_last_error() {
    let run = case(
        vec![Reply::error(429, "RESOURCE_EXHAUSTED", "Too many requests")],
        &["--timeout", "400ms"],
        Expected {
            code: 3,
            result: "timeout",
            error: "last error: HTTP 429 Too Many Requests: Too many requests (RESOURCE_EXHAUSTED)",
            requests: 3..=60,
        },
    );
    assert_eq!(run.output("status"), "");
}

/// Final client errors with each body shape Pinecone or a proxy may send.
#[test]
fn final_client_errors_read_well_with_every_body_shape() {
    // (shape, what the message part of the error output reads)
    let shapes = [
        ("json", ": Pinecone says no (SOME_CODE)"),
        ("text", ": Invalid API key"),
        ("html", ": HTML page \"Denied by proxy\""),
        ("empty", ""),
    ];
    let reply = |shape: &str, status: u16| match shape {
        "json" => Reply::error(status, "SOME_CODE", "Pinecone says no"),
        "text" => Reply::text(status, "Invalid API key\n"),
        "html" => Reply::text(
            status,
            "<html><head><title>Denied by proxy</title></head></html>",
        ),
        _ => Reply::text(status, ""),
    };
    // 401, 403 and 404 end with what to check (issue 8).
    let key_hint = format!(
        "; check that the API key is right and that it belongs to the Pinecone project \
         that owns backup '{BACKUP_ID}'"
    );
    let forbidden_hint = format!(
        "; the key was recognised but may not describe backup '{BACKUP_ID}': check its \
         project and its permissions in the Pinecone console"
    );
    let unknown_hint = format!(
        "; backup '{BACKUP_ID}' is unknown to the project of this API key (check the id, \
         and that the key belongs to the project that made the backup)"
    );
    let statuses = [
        (400, 6, "error", "HTTP 400 Bad Request", ""),
        (
            401,
            5,
            "unauthorized",
            "HTTP 401 Unauthorized",
            key_hint.as_str(),
        ),
        (
            403,
            5,
            "unauthorized",
            "HTTP 403 Forbidden",
            &forbidden_hint,
        ),
        (404, 4, "not_found", "HTTP 404 Not Found", &unknown_hint),
        (409, 6, "error", "HTTP 409 Conflict", ""),
        (422, 6, "error", "HTTP 422 Unprocessable Entity", ""),
    ];
    for (status, code, result, line, hint) in statuses {
        for (shape, suffix) in shapes {
            let run = case(
                vec![reply(shape, status)],
                &[],
                Expected {
                    code,
                    result,
                    error: line,
                    requests: 1..=1,
                },
            );
            assert_eq!(
                run.output("error"),
                format!("{line}{suffix}{hint}"),
                "{status} with a {shape} body"
            );
        }
    }
}

#[test]
fn every_redirect_status_is_final_and_not_followed() {
    for status in [301, 302, 303, 307, 308] {
        case(
            vec![Reply::text(status, "").with_header("Location", "http://127.0.0.1:9/elsewhere")],
            &[],
            Expected {
                code: 6,
                result: "error",
                error: "not followed; the API key is only sent to --api-host",
                requests: 1..=1,
            },
        );
    }
}
