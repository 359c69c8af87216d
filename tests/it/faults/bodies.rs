//! Success statuses whose body is not a BackupModel: a clear error (exit 6)
//! at once, never a retry loop and never a "ready" built on a bad answer.

use serde_json::json;
use testkit::{FakeControlPlane, Reply, Script};

use super::{Expected, case, check};
use crate::support::waiter;

fn malformed(body: Reply, error: &'static str) {
    case(
        vec![body],
        &[],
        Expected {
            code: 6,
            result: "error",
            error,
            requests: 1..=1,
        },
    );
}

#[test]
fn a_body_that_is_not_json_is_an_error() {
    malformed(
        Reply::text(200, "<html>maintenance</html>"),
        "HTTP 200 OK: body is not JSON",
    );
    malformed(Reply::text(200, "Ready"), "HTTP 200 OK: body is not JSON");
}

#[test]
fn json_of_the_wrong_shape_is_an_error_that_says_what_is_wrong() {
    let cases = [
        (
            json!([{"status": "Ready"}]),
            "expected a BackupModel JSON object, got an array",
        ),
        (
            json!("Ready"),
            "expected a BackupModel JSON object, got a string",
        ),
        (json!(null), "expected a BackupModel JSON object, got null"),
        (json!({"backup_id": "b1"}), "missing field `status`"),
        (
            json!({"backup_id": "b1", "status": null}),
            "invalid type: null, expected a string",
        ),
        (
            json!({"status": true}),
            "invalid type: boolean `true`, expected a string",
        ),
        (
            json!({"status": "Ready", "record_count": "120000"}),
            "invalid type: string \"120000\", expected i64",
        ),
        (
            json!({"status": "Ready", "dimension": 1536.5}),
            "invalid type: floating point `1536.5`, expected i64",
        ),
        (
            json!({"status": "Ready", "tags": {"env": 1}}),
            "invalid type: integer `1`, expected a string",
        ),
    ];
    for (body, error) in cases {
        malformed(Reply::json(200, body), error);
    }
}

#[test]
fn an_empty_success_body_is_an_error() {
    malformed(
        Reply::text(200, ""),
        "HTTP 200 OK: empty body where a BackupModel was expected",
    );
    malformed(Reply::text(204, ""), "HTTP 204 No Content: empty body");
}

#[test]
fn a_20_mib_body_is_refused_without_reading_it_all() {
    const SIZE: usize = 20 * 1024 * 1024;
    let huge = json!({"status": "Ready", "description": "x".repeat(SIZE)});
    let server = FakeControlPlane::start(Script::always(Reply::json(200, huge)));
    let run = waiter(&server.url()).run();
    check(
        &run,
        &server,
        &Expected {
            code: 6,
            result: "error",
            error: "HTTP 200 OK: response body is larger than 1024 KiB",
            requests: 1..=1,
        },
    );
    // The waiter stops at its 1 MiB limit and hangs up; what the server got
    // rid of beyond that sits in loopback socket buffers (a few MiB at most).
    let delivered = server.bytes_delivered(0);
    assert!(delivered < SIZE / 2, "the client took {delivered} bytes");
}

#[test]
fn unknown_extra_fields_are_kept_as_outputs() {
    let mut body = testkit::control_plane::sample_backup("Ready");
    body["future_field"] = json!("x");
    body["future_object"] = json!({"a": [1, 2]});
    let run = case(vec![Reply::json(200, body)], &[], Expected::ready(1..=1));
    assert_eq!(run.output("future_field"), "x");
    assert_eq!(run.output("future_object"), r#"{"a":[1,2]}"#);
}

#[test]
fn a_body_with_a_bad_backup_after_a_good_one_keeps_the_good_one_in_outputs() {
    let run = case(
        vec![
            Reply::backup("Initializing"),
            Reply::json(200, json!({"status": 7})),
        ],
        &[],
        Expected {
            code: 6,
            result: "error",
            error: "not a BackupModel",
            requests: 2..=2,
        },
    );
    assert_eq!(run.output("status"), "Initializing");
}
