//! Inputs: invalid usage is refused with exit 2 before any request, with a
//! message that names the flag and the value (never the key), and outputs
//! written; odd but valid inputs (ids with reserved characters, hosts with
//! a path prefix) reach exactly the right URL.

use testkit::{FakeControlPlane, Reply, Script};

use crate::support::{bare_waiter, waiter};

fn server() -> FakeControlPlane {
    FakeControlPlane::start(Script::always(Reply::backup("Ready")))
}

#[track_caller]
fn refused(args: &[&str], needle: &str) {
    let server = server();
    let run = waiter(&server.url()).args(args).run();
    run.assert_result(2, "invalid")
        .assert_error_contains(needle);
    assert!(run.stderr.contains(needle), "{}", run.describe());
    assert_eq!(server.request_count(), 0, "{args:?} made a request");
}

#[test]
fn a_missing_backup_id_is_a_usage_error() {
    let run = bare_waiter().run();
    run.assert_result(2, "invalid")
        .assert_error_contains("the following required arguments were not provided");
    assert!(run.stderr.contains("--backup-id <ID>"));
}

#[test]
fn an_empty_backup_id_from_the_environment_counts_as_missing_or_empty() {
    let server = server();
    let run = bare_waiter()
        .env("PINECONE_BACKUP_ID", "")
        .args(["--api-host", &server.url()])
        .run();
    run.assert_result(2, "invalid");
    assert_eq!(server.request_count(), 0);
}

#[test]
fn blank_and_dot_backup_ids_are_refused() {
    refused(&["--backup-id", "  "], "the backup id is empty");
    refused(&["--backup-id", ".."], "'..' is not a backup id");
    refused(&["--backup-id", "."], "'.' is not a backup id");
}

#[test]
fn garbage_zero_and_negative_durations_are_refused() {
    // `--timeout 0` is one check (faults/deadline.rs); intervals cannot be zero.
    refused(
        &["--initial-interval", "0"],
        "--initial-interval: 0ms must be greater than zero",
    );
    refused(
        &["--timeout=-5s"],
        "invalid value '-5s' for '--timeout <DURATION>'",
    );
    refused(
        &["--initial-interval", "fast"],
        "invalid value 'fast' for '--initial-interval <DURATION>'",
    );
    refused(
        &["--request-timeout", "0s"],
        "--request-timeout: 0ms must be greater than zero",
    );
    refused(&["--max-interval", "10x"], "unknown unit 'x'");
}

#[test]
fn an_initial_interval_above_the_max_interval_is_refused() {
    refused(
        &["--initial-interval", "2m", "--max-interval", "1m"],
        "--initial-interval: 2m is longer than --max-interval 1m",
    );
}

#[test]
fn a_multiplier_below_one_is_refused() {
    refused(
        &["--multiplier", "0.5"],
        "--multiplier: 0.5 is outside 1..=100",
    );
}

#[test]
fn plain_http_to_a_remote_host_is_refused_before_connecting() {
    refused(
        &["--api-host", "http://api.pinecone.io"],
        "only sent over TLS",
    );
}

#[test]
fn overlapping_ready_and_failed_statuses_are_refused() {
    refused(
        &["--failed-status", "Ready"],
        "in both --ready-status and --failed-status",
    );
}

#[test]
fn custom_ready_and_failed_statuses_are_honoured() {
    let server = FakeControlPlane::start(Script::sequence(vec![
        Reply::backup("Ready"),
        Reply::backup("Archived"),
    ]));
    let run = waiter(&server.url())
        .args(["--ready-status", "Archived", "--failed-status", "Failed"])
        .run();
    run.assert_result(0, "ready");
    assert_eq!(run.output("status"), "Archived");
    assert_eq!(server.request_count(), 2);
    assert!(
        run.stderr
            .contains("backup status 'Ready' is neither a ready nor a failed status")
    );
}

#[test]
fn version_and_help_exit_0_without_outputs() {
    let run = bare_waiter().args(["--version"]).run();
    assert_eq!(run.code, Some(0));
    assert!(run.stdout.starts_with("pinecone-backup-wait "));
    assert!(run.outputs.is_empty());
}

#[test]
fn a_usage_error_with_json_still_answers_in_json() {
    let run = bare_waiter().args(["--json", "--bogus"]).run();
    run.assert_result(2, "invalid");
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["result"], "invalid");
    assert!(json["error"].as_str().unwrap().contains("--bogus"));
}

#[test]
fn reserved_characters_in_the_id_stay_inside_one_path_segment() {
    let cases = [
        ("a/b", "/backups/a%2Fb"),
        ("../indexes", "/backups/..%2Findexes"),
        ("x?y=1", "/backups/x%3Fy%3D1"),
        ("x#frag", "/backups/x%23frag"),
        ("100%", "/backups/100%25"),
        ("with space", "/backups/with%20space"),
        ("...", "/backups/..."),
        ("ünï", "/backups/%C3%BCn%C3%AF"),
    ];
    for (id, target) in cases {
        let server = server();
        waiter(&server.url())
            .args(["--backup-id", id])
            .run()
            .assert_result(0, "ready");
        assert_eq!(server.requests()[0].target, target, "id {id:?}");
    }
}

#[test]
fn an_api_host_with_a_trailing_slash_or_a_path_prefix_is_joined_cleanly() {
    let server = server();
    for (suffix, target) in [
        ("/", "/backups/b1"),
        ("//", "/backups/b1"),
        ("/gateway/pinecone", "/gateway/pinecone/backups/b1"),
        ("/gateway/pinecone/", "/gateway/pinecone/backups/b1"),
    ] {
        let host = format!("{}{suffix}", server.url());
        waiter(&host).run().assert_result(0, "ready");
        assert_eq!(
            server.requests().last().unwrap().target,
            target,
            "host {host}"
        );
    }
}

#[test]
fn plain_http_to_a_host_that_is_not_loopback_never_connects() {
    // 0.0.0.0 would reach this machine's listener, but it is not loopback.
    let server = server();
    let host = server.url().replace("127.0.0.1", "0.0.0.0");
    let run = waiter(&host).run();
    run.assert_result(2, "invalid")
        .assert_error_contains("only sent over TLS");
    assert_eq!(server.request_count(), 0);
}

#[test]
fn localhost_is_accepted_over_plain_http() {
    let server = server();
    let port = server.addr().port();
    waiter(&format!("http://localhost:{port}"))
        .run()
        .assert_result(0, "ready");
    assert_eq!(server.request_count(), 1);
}

#[test]
fn whitespace_around_values_is_trimmed() {
    let server = server();
    let run = waiter(&server.url())
        .args(["--backup-id", "  b1\n"])
        .env("PINECONE_API_KEY", format!("  {}\n", crate::support::KEY))
        .run();
    run.assert_result(0, "ready");
    assert_eq!(server.requests()[0].target, "/backups/b1");
    assert_eq!(
        server.requests()[0].header("api-key"),
        Some(crate::support::KEY)
    );
}
