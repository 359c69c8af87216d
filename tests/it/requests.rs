//! What goes over the wire: headers, path, environment fallbacks, redirects
//! and the jitter seed. Failure handling is in `faults/`.

use testkit::{FakeControlPlane, Recorded, Reply, Script};

use crate::support::{BACKUP_PATH, KEY, bare_waiter, waiter};

/// A Ready backup carrying whatever id was asked for.
fn ready_server() -> FakeControlPlane {
    FakeControlPlane::start(Script::settles_after(std::time::Duration::ZERO, "Ready"))
}

/// The one request the run made (it must have made exactly one).
#[track_caller]
fn only_request(server: &FakeControlPlane) -> Recorded {
    let mut requests = server.requests();
    let targets: Vec<&str> = requests.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(targets.len(), 1, "one request expected, got {targets:?}");
    requests.remove(0)
}

#[test]
fn sends_the_documented_headers_to_the_documented_path() {
    let server = ready_server();
    waiter(&server.url())
        .args(["--api-version", "2025-10"])
        .run()
        .assert_result(0, "ready");
    let request = only_request(&server);
    assert_eq!(request.method, "GET");
    assert_eq!(request.target, BACKUP_PATH);
    assert_eq!(request.header("api-key"), Some(KEY));
    assert_eq!(request.header("x-pinecone-api-version"), Some("2025-10"));
    assert_eq!(request.header("accept"), Some("application/json"));
    let agent = request.header("user-agent").unwrap_or_default();
    assert!(agent.starts_with("pinecone-backup-wait/"), "{agent}");
}

#[test]
fn flags_fall_back_to_the_pinecone_environment_variables() {
    let server = ready_server();
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
    let request = only_request(&server);
    assert_eq!(request.target, "/prefix/backups/from-env");
    assert_eq!(request.header("x-pinecone-api-version"), Some("2026-04"));
}

#[test]
fn the_backup_id_is_one_encoded_path_segment() {
    let server = ready_server();
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
    let server = ready_server();
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
    let request = only_request(&server);
    assert_eq!(request.target, BACKUP_PATH);
    assert_eq!(request.header("x-gateway-team"), Some("search"));
    assert_eq!(request.header("api-key"), Some(KEY));
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
fn redirects_are_not_followed_so_the_key_stays_home() {
    let elsewhere = ready_server();
    let server = FakeControlPlane::start(Script::always(
        Reply::text(302, "").with_header("Location", &format!("{}/steal", elsewhere.url())),
    ));
    waiter(&server.url())
        .run()
        .assert_result(6, "error")
        .assert_error_contains("HTTP 302 Found: redirect to")
        .assert_error_contains("not followed");
    assert_eq!(only_request(&server).target, BACKUP_PATH);
    assert_eq!(elsewhere.request_count(), 0);
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
