//! What goes over the wire: headers, path, retries, redirects.

use std::time::Duration;

use mockito::{Matcher, Server};
use testkit::{FakeControlPlane, Reply, Script};

use crate::support::{KEY, backup_body, bare_waiter, closed_port_url, waiter};

#[test]
fn sends_the_documented_headers_to_the_documented_path() {
    let mut server = Server::new();
    let mock = server
        .mock("GET", "/backups/b1")
        .match_header("api-key", KEY)
        .match_header("x-pinecone-api-version", "2025-10")
        .match_header("accept", "application/json")
        .match_header(
            "user-agent",
            Matcher::Regex("^pinecone-backup-wait/".into()),
        )
        .with_body(backup_body("Ready"))
        .expect(1)
        .create();
    waiter(&server.url())
        .args(["--api-version", "2025-10"])
        .run()
        .assert_result(0, "ready");
    mock.assert();
}

#[test]
fn flags_fall_back_to_the_pinecone_environment_variables() {
    let mut server = Server::new();
    let mock = server
        .mock("GET", "/prefix/backups/from-env")
        .match_header("x-pinecone-api-version", "2026-04")
        .with_body(backup_body("Ready"))
        .create();
    let run = bare_waiter()
        .env("PINECONE_BACKUP_ID", "from-env")
        .env(
            "PINECONE_CONTROLLER_HOST",
            format!("{}/prefix/", server.url()),
        )
        .env("PINECONE_API_VERSION", "2026-04")
        .run();
    run.assert_result(0, "ready");
    assert!(
        run.stderr.contains("backup id from PINECONE_BACKUP_ID, API key from PINECONE_API_KEY, host from PINECONE_CONTROLLER_HOST, API version from PINECONE_API_VERSION"),
        "{}",
        run.describe()
    );
    mock.assert();
}

#[test]
fn the_backup_id_is_one_encoded_path_segment() {
    let server = FakeControlPlane::start(Script::always(Reply::backup("Ready")));
    waiter(&server.url())
        .args(["--backup-id", "a/../b?x=1#y% z"])
        .run()
        .assert_result(0, "ready");
    assert_eq!(
        server.requests()[0].target,
        "/backups/a%2F..%2Fb%3Fx%3D1%23y%25%20z"
    );
}

#[test]
fn extra_headers_from_the_environment_are_sent() {
    let mut server = Server::new();
    let mock = server
        .mock("GET", "/backups/b1")
        .match_header("x-gateway-team", "search")
        .match_header("api-key", KEY)
        .with_body(backup_body("Ready"))
        .create();
    let run = waiter(&server.url())
        .env(
            "PINECONE_ADDITIONAL_HEADERS",
            r#"{"X-Gateway-Team": "search"}"#,
        )
        .run();
    run.assert_result(0, "ready");
    assert!(
        run.stderr
            .contains("extra headers from PINECONE_ADDITIONAL_HEADERS: X-Gateway-Team")
    );
    mock.assert();
}

#[test]
fn extra_headers_may_not_replace_the_api_key() {
    let server = FakeControlPlane::start(Script::always(Reply::backup("Ready")));
    waiter(&server.url())
        .env("PINECONE_ADDITIONAL_HEADERS", r#"{"API-KEY": "other"}"#)
        .run()
        .assert_result(2, "invalid")
        .assert_error_contains("PINECONE_ADDITIONAL_HEADERS");
    assert_eq!(server.request_count(), 0);
}

#[test]
fn retries_429_and_5xx_then_succeeds() {
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
fn honours_retry_after_as_the_floor_of_the_next_delay() {
    let server = FakeControlPlane::start(Script::sequence(vec![
        Reply::text(429, "slow down").with_header("Retry-After", "1"),
        Reply::backup("Ready"),
    ]));
    waiter(&server.url()).run().assert_result(0, "ready");
    let requests = server.requests();
    let gap = requests[1].at - requests[0].at;
    assert!(
        gap >= Duration::from_secs(1),
        "second request after {gap:?}"
    );
    assert!(gap < Duration::from_secs(3), "second request after {gap:?}");
}

#[test]
fn a_retry_after_beyond_the_deadline_times_out_at_once() {
    let server = FakeControlPlane::start(Script::always(
        Reply::text(503, "maintenance").with_header("Retry-After", "3600"),
    ));
    let run = waiter(&server.url()).args(["--timeout", "30s"]).run();
    run.assert_result(3, "timeout")
        .assert_error_contains("the server asked to retry after 1h, beyond the")
        .assert_error_contains("last error: HTTP 503 Service Unavailable: maintenance");
    assert_eq!(server.request_count(), 1);
    assert!(run.elapsed < Duration::from_secs(5), "{}", run.describe());
}

#[test]
fn connection_refused_is_retried_until_the_deadline() {
    let run = waiter(&closed_port_url())
        .args(["--timeout", "300ms"])
        .run();
    run.assert_result(3, "timeout")
        .assert_error_contains("Connection refused");
    let attempts: u32 = run.output("attempts").parse().unwrap();
    assert!(attempts >= 3, "{}", run.describe());
}

#[test]
fn client_errors_are_never_retried() {
    for (status, code, result) in [
        (400, 6, "error"),
        (401, 5, "unauthorized"),
        (403, 5, "unauthorized"),
        (404, 4, "not_found"),
        (409, 6, "error"),
        (422, 6, "error"),
    ] {
        let mut server = Server::new();
        let mock = server
            .mock("GET", "/backups/b1")
            .with_status(status)
            .expect(1)
            .create();
        waiter(&server.url()).run().assert_result(code, result);
        mock.assert();
    }
}

#[test]
fn redirects_are_not_followed_so_the_key_stays_home() {
    let mut elsewhere = Server::new();
    let stolen = elsewhere.mock("GET", Matcher::Any).expect(0).create();
    let mut server = Server::new();
    let redirect = server
        .mock("GET", "/backups/b1")
        .with_status(302)
        .with_header("location", &format!("{}/steal", elsewhere.url()))
        .expect(1)
        .create();
    waiter(&server.url())
        .run()
        .assert_result(6, "error")
        .assert_error_contains("HTTP 302 Found: redirect to")
        .assert_error_contains("not followed");
    redirect.assert();
    stolen.assert();
}

#[test]
fn the_same_jitter_seed_gives_the_same_schedule() {
    let gaps = |seed: &str| {
        let server = FakeControlPlane::start(Script::always(Reply::backup("Initializing")));
        let run = waiter(&server.url())
            .args([
                "--initial-interval",
                "20ms",
                "--max-interval",
                "200ms",
                "--multiplier",
                "3",
            ])
            .args(["--timeout", "700ms", "--jitter-seed", seed])
            .run();
        run.assert_result(3, "timeout");
        // The log prints each planned delay; they depend only on the seed.
        run.stderr
            .lines()
            .filter_map(|line| line.split("next check in ").nth(1).map(str::to_owned))
            .collect::<Vec<_>>()
    };
    let first = gaps("42");
    assert!(first.len() >= 3, "{first:?}");
    let distinct: std::collections::BTreeSet<&String> = first.iter().collect();
    assert!(
        distinct.len() > 1,
        "jitter should vary the delays: {first:?}"
    );
    let again = gaps("42");
    let common = first.len().min(again.len()) - 1; // the last may be clipped by the deadline
    assert_eq!(first[..common], again[..common]);
}
