//! Hostile content: nothing the API returns may inject a step output, a
//! workflow command, or break the summary, in any field or error.

use serde_json::{Value, json};
use testkit::{FakeControlPlane, Reply, Script};

use crate::support::{STRING_FIELDS, waiter};

/// Every hostile string of the suite (GITHUB_OUTPUT and workflow-command
/// syntax, markdown and HTML, control characters, dotenv and Azure syntax).
use testkit::payloads::HOSTILE as PAYLOADS;

fn assert_clean(run: &crate::support::Run, allowed: &[&str]) {
    assert_eq!(run.workflow_command_names(), allowed, "{}", run.describe());
    for line in run.stderr.lines() {
        assert!(
            !line.contains("##["),
            "legacy command prefix in log: {line}"
        );
    }
    assert!(!run.summary.contains("<script>"), "{}", run.summary);
    assert!(!run.summary.contains("!["), "{}", run.summary);
    let header_rows = run
        .summary
        .lines()
        .filter(|l| l.starts_with("|---"))
        .count();
    assert_eq!(header_rows, 1, "{}", run.summary);
}

#[test]
fn every_payload_in_every_string_field_stays_inside_its_output() {
    for payload in PAYLOADS {
        let mut body = testkit::control_plane::sample_backup("Ready");
        for field in STRING_FIELDS {
            body[field] = Value::String(format!("{field}:{payload}"));
        }
        body["tags"] = json!({ payload: payload });
        let server = FakeControlPlane::start(Script::always(Reply::json(200, body.clone())));
        let run = waiter(&server.url())
            .in_github_actions()
            .args(["--json"])
            .run();
        run.assert_result(0, "ready");
        assert_clean(&run, &["add-mask", "group", "endgroup", "notice"]);
        assert_eq!(run.outputs.len(), 32, "{}", run.describe());
        assert_eq!(run.output("name"), format!("name:{payload}"));
        assert_eq!(run.output("tags"), body["tags"].to_string());
        assert_eq!(run.output("status"), "Ready");
        let json: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(json["backup"], body);
    }
}

#[test]
fn payloads_in_statuses_and_errors_cannot_issue_commands() {
    for payload in PAYLOADS {
        let status = format!("Weird {payload}");
        let server = FakeControlPlane::start(Script::sequence(vec![
            Reply::backup(&status),
            Reply::error(404, payload, payload),
        ]));
        let run = waiter(&server.url()).in_github_actions().run();
        run.assert_result(4, "not_found");
        assert_clean(&run, &["add-mask", "group", "warning", "endgroup", "error"]);
        // Error messages are kept on one line: whitespace runs become a space.
        let one_line = payload.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            run.output("error").contains(&one_line),
            "{}",
            run.describe()
        );
        assert_eq!(run.output("status"), status.trim());
    }
}

#[test]
fn a_100_kb_description_is_kept_whole_in_outputs_and_cut_in_the_summary() {
    let description: String = "∂escription ".repeat(10_000);
    let mut body = testkit::control_plane::sample_backup("Ready");
    body["description"] = Value::String(description.clone());
    let server = FakeControlPlane::start(Script::always(Reply::json(200, body)));
    let run = waiter(&server.url()).run();
    run.assert_result(0, "ready");
    assert_eq!(run.output("description"), description);
    assert!(
        run.summary.len() < 2_000,
        "summary is {} bytes",
        run.summary.len()
    );
}

#[test]
fn api_field_names_cannot_forge_outputs() {
    let mut body = testkit::control_plane::sample_backup("Failed");
    body["result"] = json!("ready");
    body["error"] = json!("");
    body["x\nstatus"] = json!("Ready");
    body["status<<EOF"] = json!("Ready");
    let server = FakeControlPlane::start(Script::always(Reply::json(200, body)));
    let run = waiter(&server.url()).run();
    run.assert_result(1, "failed");
    assert_eq!(run.output("status"), "Failed");
    assert!(run.output("error").contains("a failed status"));
    assert_eq!(run.outputs.len(), 32, "{}", run.describe());
}

#[test]
fn issue8_a_1_mb_status_does_not_produce_megabytes_of_log() {
    // A new 1 MB status on every attempt: each is unknown, so each is
    // warned about as well as shown in its attempt line.
    let status = |index: usize| format!("Copying{index}-{}", "s".repeat(1_000_000));
    let server = FakeControlPlane::start(Script::from_fn(move |request| {
        Reply::backup(&status(request.index))
    }));
    let run = waiter(&server.url())
        .in_github_actions()
        .args(["--timeout", "1s", "--json"])
        .run();
    run.assert_result(3, "timeout");
    let attempts = server.request_count();
    assert!(attempts >= 2, "{attempts} attempts");
    // About 1 KB per attempt (its line and its warning), not 2 MB.
    assert!(
        run.stderr.len() < 4_000 + attempts * 1_500,
        "{} bytes of log for {attempts} attempts",
        run.stderr.len()
    );
    assert!(
        run.stderr.contains("… (1000009 bytes in all)"),
        "{}",
        &run.stderr[..2_000]
    );
    assert!(
        run.summary.len() < 4_000,
        "summary is {} bytes",
        run.summary.len()
    );
    // Outputs and --json keep the exact value of the last status received
    // (the server may have seen one more request, abandoned at the deadline).
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let last = json["status"].as_str().unwrap();
    assert!(
        last.starts_with("Copying") && last.len() > 1_000_000,
        "{}",
        &last[..20]
    );
    assert_eq!(run.output("status"), last);
}
