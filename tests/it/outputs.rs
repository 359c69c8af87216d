//! Step outputs, job summary and `--json`: complete, exact, and impossible
//! to inject into.

use serde_json::{Value, json};
use testkit::{FakeControlPlane, Reply, Script};

use crate::support::{BACKUP_ID, STRING_FIELDS, waiter};

// Spelled out rather than imported: this list is the contract users rely
// on, so a change to the implementation's list must fail here.
const FIELDS: [&str; 15] = [
    "backup_id",
    "source_index_name",
    "source_index_id",
    "name",
    "description",
    "status",
    "cloud",
    "region",
    "dimension",
    "metric",
    "record_count",
    "namespace_count",
    "size_bytes",
    "tags",
    "created_at",
];
const OWN: [&str; 17] = [
    "result",
    "json",
    "attempts",
    "elapsed_seconds",
    "error",
    "created",
    "selected_by",
    "stage",
    "restore_job_id",
    "restore_status",
    "restore_percent_complete",
    "restore_created",
    "restored_index_name",
    "restored_index_id",
    "restored_index_host",
    "restored_index_state",
    "restored_record_count",
];

fn serve_json(body: Value) -> FakeControlPlane {
    FakeControlPlane::start(Script::always(Reply::json(200, body)))
}

#[test]
fn every_field_of_the_backup_is_an_output_named_as_in_the_api() {
    let server = serve_json(testkit::control_plane::sample_backup("Ready"));
    let run = waiter(&server.url()).run();
    run.assert_result(0, "ready");
    let names: Vec<&str> = run.outputs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, [FIELDS.as_slice(), OWN.as_slice()].concat());
    let expected = [
        ("backup_id", "670e8400-e29b-41d4-a716-446655440000"),
        ("source_index_name", "my-index"),
        ("source_index_id", "670e8400-e29b-41d4-a716-446655440001"),
        ("name", "backup_2024_03_15"),
        ("description", "Monthly backup of production index"),
        ("status", "Ready"),
        ("cloud", "aws"),
        ("region", "us-east-1"),
        ("dimension", "1536"),
        ("metric", "cosine"),
        ("record_count", "120000"),
        ("namespace_count", "3"),
        ("size_bytes", "10000000"),
        ("tags", r#"{"environment":"production","type":"monthly"}"#),
        ("created_at", "2024-03-15T10:30:00Z"),
        ("attempts", "1"),
        ("error", ""),
        ("created", "false"),
        ("selected_by", "id"),
        ("stage", "backup"),
    ];
    for (name, value) in expected {
        assert_eq!(run.output(name), value, "output {name}");
    }
    let json: Value = serde_json::from_str(run.output("json")).unwrap();
    assert_eq!(json, testkit::control_plane::sample_backup("Ready"));
    let elapsed: f64 = run.output("elapsed_seconds").parse().unwrap();
    assert!((0.0..5.0).contains(&elapsed));
    // LF line endings only.
    assert!(!run.output_file.contains('\r'));
}

#[test]
fn absent_and_null_fields_are_empty_and_new_fields_appear() {
    let server = serve_json(json!({
        "backup_id": BACKUP_ID, "status": "Ready", "tags": null,
        "source_index_deleted_at": "2026-01-01T00:00:00Z",
        "schema": {"fields": {"genre": {"filterable": true}}}
    }));
    let run = waiter(&server.url()).run();
    run.assert_result(0, "ready");
    assert_eq!(run.output("tags"), "");
    assert_eq!(run.output("dimension"), "");
    assert_eq!(
        run.output("source_index_deleted_at"),
        "2026-01-01T00:00:00Z"
    );
    assert_eq!(
        run.output("schema"),
        r#"{"fields":{"genre":{"filterable":true}}}"#
    );
}

#[test]
fn outputs_are_written_on_failure_paths_too() {
    let server = FakeControlPlane::start(Script::always(Reply::Http {
        status: 404,
        headers: Vec::new(),
        body: Vec::new(),
    }));
    let run = waiter(&server.url()).run();
    run.assert_result(4, "not_found");
    let names: Vec<&str> = run.outputs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, [FIELDS.as_slice(), OWN.as_slice()].concat());
    assert_eq!(run.output("status"), "");
    assert_eq!(run.output("json"), "");
}

/// Strings built to break a naive writer, in every string field.
fn hostile(field: &str) -> String {
    format!(
        "{field}\nstatus=Ready\nresult<<EOF\nready\nEOF\nghadelimiter_123\n\r\n::error::x\n\
         ##[set-output name=status;]Ready\n::stop-commands::abc\n| a | b |\n<img src=x>\n\
         PINECONE_BACKUP_WAIT_00\u{2028}é✓"
    )
}

#[test]
fn hostile_strings_cannot_inject_outputs_commands_or_summary_rows() {
    let mut body = testkit::control_plane::sample_backup("Ready");
    for field in STRING_FIELDS {
        body[field] = Value::String(hostile(field));
    }
    body["tags"] = json!({"k\nresult<<X": hostile("tag")});
    body["description"] =
        Value::String(format!("{}{}", hostile("description"), "x".repeat(100_000)));
    let server = serve_json(body.clone());
    let run = waiter(&server.url())
        .in_github_actions()
        .args(["--json"])
        .run();
    run.assert_result(0, "ready");

    // Outputs: exactly the expected names, each value exactly as sent.
    let names: Vec<&str> = run.outputs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, [FIELDS.as_slice(), OWN.as_slice()].concat());
    assert_eq!(run.output("status"), "Ready");
    assert_eq!(run.output("result"), "ready");
    assert_eq!(run.output("name"), hostile("name"));
    assert_eq!(
        run.output("description"),
        body["description"].as_str().unwrap()
    );
    assert_eq!(run.output("tags"), body["tags"].to_string());

    // Workflow commands: only ours.
    assert_eq!(
        run.workflow_command_names(),
        vec!["add-mask", "group", "endgroup", "notice"],
        "{}",
        run.describe()
    );
    // --json stays one line and parses back to the same backup.
    assert_eq!(run.stdout.lines().count(), 1);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["backup"], body);

    // Summary: one table, the header plus its fixed rows.
    let rows = run.summary.lines().filter(|l| l.starts_with('|')).count();
    assert_eq!(rows, 2 + 8, "{}", run.summary);
    assert!(!run.summary.contains("<img"));
    assert!(
        run.summary.len() < 4_000,
        "summary is {} bytes",
        run.summary.len()
    );
}

#[test]
fn github_actions_log_is_grouped_masked_and_annotated() {
    let server = serve_json(testkit::control_plane::sample_backup("Failed"));
    let run = waiter(&server.url()).in_github_actions().run();
    run.assert_result(1, "failed");
    let commands = run.workflow_commands();
    let names: Vec<&str> = commands.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["add-mask", "group", "endgroup", "error"]);
    assert!(
        commands[3]
            .data
            .contains("backup status is Failed, a failed status")
    );
    assert!(
        run.stderr
            .lines()
            .next()
            .unwrap()
            .starts_with("::add-mask::")
    );
}

#[test]
fn outside_github_actions_there_are_no_workflow_commands() {
    let server = serve_json(testkit::control_plane::sample_backup("Ready"));
    let run = waiter(&server.url()).run();
    run.assert_result(0, "ready");
    assert!(run.workflow_commands().is_empty(), "{}", run.describe());
    assert!(run.stderr.contains("attempt 1: status Ready"));
    assert!(
        crate::support::without_time(run.stderr.lines().last().unwrap())
            .starts_with("ready: backup ")
    );
}

#[test]
fn json_goes_to_stdout_and_nothing_else_does() {
    let server = FakeControlPlane::start(Script::sequence(vec![
        Reply::backup("Initializing"),
        Reply::backup("Ready"),
    ]));
    let run = waiter(&server.url()).args(["--json"]).run();
    run.assert_result(0, "ready");
    let json: Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON object");
    assert_eq!(json["result"], "ready");
    assert_eq!(json["exit_code"], 0);
    assert_eq!(json["status"], "Ready");
    assert_eq!(json["attempts"], 2);
    assert_eq!(json["backup_id"], BACKUP_ID);
    assert!(json["error"].is_null());
    assert_eq!(json["backup"]["source_index_name"], "my-index");
}

#[test]
fn without_json_stdout_stays_empty() {
    let server = serve_json(testkit::control_plane::sample_backup("Ready"));
    let run = waiter(&server.url()).run();
    assert_eq!(run.stdout, "");
}

#[test]
fn job_summary_reports_the_essentials() {
    let server = serve_json(testkit::control_plane::sample_backup("Ready"));
    let run = waiter(&server.url()).run();
    for row in [
        "| Result | `ready` |",
        "| Status | Ready |",
        "| Index | my-index |",
        "| Size | 9.5 MiB (10000000 bytes) |",
        "| Records | 120000 |",
        "| Attempts | 1 |",
    ] {
        assert!(run.summary.contains(row), "missing {row}\n{}", run.summary);
    }
}
