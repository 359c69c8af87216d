//! The API key never appears in any output, log or error. The harness
//! checks every run; these tests try hard to make it leak.

use serde_json::{Value, json};
use testkit::{FakeControlPlane, Reply, Script};

use crate::support::{BACKUP_ID, KEY, bare_waiter, waiter};

#[test]
fn a_server_echoing_the_key_in_an_error_cannot_make_us_print_it() {
    let server = FakeControlPlane::start(Script::always(Reply::text(
        401,
        &format!("Invalid API key {KEY}"),
    )));
    let run = waiter(&server.url())
        .in_github_actions()
        .args(["--json"])
        .run();
    run.assert_result(5, "unauthorized")
        .assert_error_contains("Invalid API key ***");
}

#[test]
fn a_server_echoing_the_key_in_the_backup_cannot_make_us_print_it() {
    let server = FakeControlPlane::start(Script::always(Reply::json(
        200,
        json!({
            "backup_id": BACKUP_ID,
            "status": "Ready",
            "description": format!("made with {KEY}"),
            "tags": {"key": KEY},
            KEY: "as a field name",
        }),
    )));
    let run = waiter(&server.url())
        .in_github_actions()
        .args(["--json"])
        .run();
    run.assert_result(0, "ready");
    assert_eq!(run.output("description"), "made with ***");
}

#[test]
fn a_redirect_location_with_the_key_is_scrubbed() {
    let server = FakeControlPlane::start(Script::always(
        Reply::text(307, "").with_header("Location", &format!("https://evil.example/?k={KEY}")),
    ));
    waiter(&server.url())
        .in_github_actions()
        .run()
        .assert_result(6, "error")
        .assert_error_contains("https://evil.example/?k=***");
}

#[test]
fn a_key_given_as_a_flag_is_not_echoed() {
    let server = FakeControlPlane::start(Script::always(Reply::backup("Ready")));
    waiter(&server.url())
        .env_remove("PINECONE_API_KEY")
        .args(["--api-key", KEY])
        .in_github_actions()
        .run()
        .assert_result(0, "ready");
}

#[test]
fn an_invalid_key_is_refused_without_being_echoed() {
    let server = FakeControlPlane::start(Script::always(Reply::backup("Ready")));
    let run = waiter(&server.url())
        .env("PINECONE_API_KEY", format!("{KEY} trailing-part"))
        .run();
    run.assert_result(2, "invalid")
        .assert_error_contains("the API key contains whitespace");
    assert!(!run.stderr.contains("trailing-part"));
    assert_eq!(server.request_count(), 0);
}

#[test]
fn help_does_not_show_the_key_from_the_environment() {
    let run = bare_waiter().args(["--help"]).run();
    assert_eq!(run.code, Some(0));
    assert!(run.stdout.contains("PINECONE_API_KEY"));
}

/// A reply with these exact bytes as its body and these headers.
fn raw_reply(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    Reply::Http {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: body.to_vec(),
    }
}

#[test]
fn issue8_a_key_in_the_content_encoding_of_a_body_that_is_not_utf8_is_never_printed() {
    let server = FakeControlPlane::start(Script::always(raw_reply(
        200,
        &[("Content-Encoding", KEY), ("X-Debug", KEY)],
        b"\x1f\x8b\x08\x00\xff\xfe not text",
    )));
    let run = waiter(&server.url())
        .in_github_actions()
        .args(["--json"])
        .run();
    run.assert_result(6, "error")
        .assert_error_contains("body is not UTF-8 text (Content-Encoding: ***)");
    // The summary escapes `_`; the key must be gone before it does.
    assert!(
        run.summary.contains(r"Content-Encoding: \*\*\*"),
        "{}",
        run.summary
    );
}

#[test]
fn issue8_a_key_in_a_reason_phrase_location_or_any_header_is_never_printed() {
    let head = format!(
        "HTTP/1.1 302 Found {KEY}\r\nLocation: https://evil.example/{KEY}?k={KEY}\r\n\
         X-Key: {KEY}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let server = FakeControlPlane::start(Script::always(Reply::Raw(head.into_bytes())));
    let run = waiter(&server.url())
        .in_github_actions()
        .args(["--json"])
        .run();
    run.assert_result(6, "error")
        .assert_error_contains("redirect to https://evil.example/***?k=*** not followed");
}

#[test]
fn issue8_a_key_in_a_status_or_an_error_body_is_scrubbed_in_every_sink() {
    let server = FakeControlPlane::start(Script::sequence(vec![
        Reply::backup(&format!("Copying_{KEY}_now")),
        Reply::text(503, &format!("busy, *{KEY}*")),
        Reply::backup(&format!("Failed_{KEY}")),
    ]));
    let run = waiter(&server.url())
        .in_github_actions()
        .args(["--json", "--failed-status", &format!("Failed_{KEY}")])
        .run();
    run.assert_result(1, "failed");
    assert_eq!(run.output("status"), "Failed_***");
}

#[test]
fn issue8_a_one_character_key_does_not_change_a_ready_status() {
    let server = FakeControlPlane::start(Script::always(Reply::backup("Ready")));
    let run = waiter(&server.url())
        .api_key("e")
        .in_github_actions()
        .args(["--json"])
        .run();
    run.assert_result(0, "ready");
    // What is printed is scrubbed: the status output is not the raw status.
    assert_eq!(run.output("status"), "R***ady");
    assert_eq!(
        run.output("description"),
        "Monthly backup of production ind***x"
    );
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["result"], "ready");
    assert_eq!(json["exit_code"], 0);
    assert_eq!(json["status"], "R***ady");
    assert_eq!(json["backup"]["cloud"], "aws");
    assert_eq!(
        json["backup"]["d***scription"],
        "Monthly backup of production ind***x"
    );
    let embedded: Value = serde_json::from_str(run.output("json")).unwrap();
    assert_eq!(embedded, json["backup"]);
    assert!(
        run.summary.contains(r"| Status | R\*\*\*ady |"),
        "{}",
        run.summary
    );
}

#[test]
fn issue8_a_key_equal_to_the_ready_status_does_not_change_it() {
    let server = FakeControlPlane::start(Script::sequence(vec![
        Reply::backup("Initializing"),
        Reply::backup("Ready"),
    ]));
    let run = waiter(&server.url())
        .api_key("Ready")
        .args(["--json"])
        .run();
    run.assert_result(0, "ready");
    assert_eq!(server.request_count(), 2);
    assert_eq!(run.output("status"), "***");
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (json["result"].as_str(), json["status"].as_str()),
        (Some("ready"), Some("***"))
    );
    assert!(!run.summary.contains("Ready"), "{}", run.summary);
    assert!(!run.output_file.contains("Ready"), "{}", run.output_file);
}

#[test]
fn issue8_a_key_echoed_as_a_json_number_is_scrubbed() {
    const NUMERIC_KEY: &str = "1234567890123456789";
    let mut body = testkit::control_plane::sample_backup("Ready");
    body["record_count"] = json!(1_234_567_890_123_456_789_i64);
    body["extra_count"] = json!([1_234_567_890_123_456_789_i64]);
    let server = FakeControlPlane::start(Script::always(Reply::json(200, body)));
    // The harness checks every sink for this key, as for the default one.
    let run = waiter(&server.url())
        .api_key(NUMERIC_KEY)
        .in_github_actions()
        .args(["--json"])
        .run();
    run.assert_result(0, "ready");
    assert_eq!(run.output("record_count"), "***");
    assert_eq!(run.output("extra_count"), "[***]");
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["backup"]["record_count"], "***");
    assert_eq!(json["backup"]["dimension"], 1536);
}
