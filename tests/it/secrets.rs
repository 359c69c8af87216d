//! The API key never appears in any output, log or error. The harness
//! checks every run; these tests try hard to make it leak.

use serde_json::json;
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
