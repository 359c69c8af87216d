//! Each exit code of the README's table, with its `result` and `error`.

use testkit::{FakeControlPlane, Reply, Script};

use crate::support::{BACKUP_PATH, backup_body, waiter};

/// Answers every request with `status` and a JSON `body`.
fn serve(status: u16, body: &str) -> FakeControlPlane {
    FakeControlPlane::start(Script::always(Reply::Http {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    }))
}

/// Exactly one request was made, for the backup asked for: the ending was
/// not retried.
#[track_caller]
fn assert_one_request_for_the_backup(server: &FakeControlPlane) {
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(targets, [BACKUP_PATH]);
}

#[test]
fn exits_0_when_the_backup_is_ready() {
    let server = serve(200, &backup_body("Ready"));
    let run = waiter(&server.url()).run();
    run.assert_result(0, "ready");
    assert_eq!(run.output("status"), "Ready");
    assert_eq!(run.output("error"), "");
    assert_eq!(run.output("attempts"), "1");
    assert_one_request_for_the_backup(&server);
}

#[test]
fn exits_1_at_once_when_the_backup_fails_after_pending() {
    let server = FakeControlPlane::start(Script::sequence(vec![
        Reply::backup("Pending"),
        Reply::backup("Initializing"),
        Reply::backup("InitializationFailed"),
    ]));
    let run = waiter(&server.url()).args(["--timeout", "10m"]).run();
    run.assert_result(1, "failed")
        .assert_error_contains("backup status is InitializationFailed, a failed status");
    assert_eq!(run.output("status"), "InitializationFailed");
    assert_eq!(run.output("attempts"), "3");
    assert_eq!(server.request_count(), 3);
    // Fail fast: nowhere near the 10 minute timeout.
    assert!(run.elapsed.as_secs() < 5, "{}", run.describe());
}

#[test]
fn exits_2_for_invalid_usage_before_any_request() {
    let server = serve(200, &backup_body("Ready"));
    let run = waiter(&server.url()).args(["--timeout", "soon"]).run();
    run.assert_result(2, "invalid")
        .assert_error_contains("invalid value 'soon' for '--timeout <DURATION>'");
    assert_eq!(run.output("attempts"), "0");
    assert_eq!(server.request_count(), 0);
}

#[test]
fn exits_3_when_the_deadline_passes_while_pending() {
    let server = FakeControlPlane::start(Script::always(Reply::backup("Initializing")));
    let run = waiter(&server.url()).args(["--timeout", "300ms"]).run();
    run.assert_result(3, "timeout")
        .assert_error_contains("deadline of 300ms passed after")
        .assert_error_contains("last status: Initializing");
    assert_eq!(run.output("status"), "Initializing");
    assert!(server.request_count() >= 3, "{}", run.describe());
}

#[test]
fn exits_4_when_the_backup_does_not_exist() {
    let body = r#"{"error":{"code":"NOT_FOUND","message":"Backup b1 not found"},"status":404}"#;
    let server = serve(404, body);
    let run = waiter(&server.url()).run();
    run.assert_result(4, "not_found")
        .assert_error_contains("HTTP 404 Not Found: Backup b1 not found (NOT_FOUND)");
    assert_one_request_for_the_backup(&server);
}

#[test]
fn exits_5_when_the_key_is_rejected_with_plain_text_401() {
    let server = FakeControlPlane::start(Script::always(Reply::text(401, "Invalid API key")));
    let run = waiter(&server.url()).run();
    run.assert_result(5, "unauthorized")
        .assert_error_contains("HTTP 401 Unauthorized: Invalid API key");
    assert_one_request_for_the_backup(&server);
}

#[test]
fn exits_5_when_the_key_is_forbidden_403() {
    let body = r#"{"error":{"code":"FORBIDDEN","message":"Key lacks access"},"status":403}"#;
    let server = serve(403, body);
    waiter(&server.url())
        .run()
        .assert_result(5, "unauthorized")
        .assert_error_contains("Key lacks access (FORBIDDEN)");
    assert_one_request_for_the_backup(&server);
}

#[test]
fn exits_6_for_a_response_that_is_not_a_backup_model() {
    let server = serve(
        200,
        r#"{"backup_id":"670e8400-e29b-41d4-a716-446655440000","status":null}"#,
    );
    waiter(&server.url())
        .run()
        .assert_result(6, "error")
        .assert_error_contains(
            "HTTP 200 OK: not a BackupModel: invalid type: null, expected a string",
        );
}

#[test]
fn exits_6_for_another_client_error_without_retrying() {
    let body =
        r#"{"error":{"code":"INVALID_ARGUMENT","message":"Unsupported API version"},"status":400}"#;
    let server = FakeControlPlane::start(Script::always(Reply::Http {
        status: 400,
        headers: Vec::new(),
        body: body.as_bytes().to_vec(),
    }));
    waiter(&server.url())
        .run()
        .assert_result(6, "error")
        .assert_error_contains("HTTP 400 Bad Request: Unsupported API version (INVALID_ARGUMENT)");
    assert_one_request_for_the_backup(&server);
}

#[test]
fn exits_6_when_outputs_cannot_be_written_and_says_why() {
    let server = serve(200, &backup_body("Ready"));
    let dir = tempfile::tempdir().unwrap();
    let unwritable = dir.path().join("no/such/dir/output");
    let run = waiter(&server.url())
        .env("GITHUB_OUTPUT", &unwritable)
        .args(["--json"])
        .run();
    assert_eq!(run.code, Some(6), "{}", run.describe());
    assert!(
        run.stderr
            .contains("cannot write step outputs to GITHUB_OUTPUT"),
        "{}",
        run.describe()
    );
    // Found before the wait (issue 8), not after it.
    assert!(
        run.stderr.contains("no request was made"),
        "{}",
        run.describe()
    );
    assert_eq!(server.request_count(), 0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["result"], "error");
    assert_eq!(json["exit_code"], 6);
    // Written on every path but exit 2: the stage it stopped before.
    assert_eq!(json["stage"], "backup");
    assert!(run.summary.contains("`error`"));
}
