//! Forged answers: nothing the API returns may make a gate read something
//! other than what the waiter decided. The runner reads output names
//! without regard to case, and a description must be of the backup asked
//! for (issue 8).

use serde_json::{Value, json};
use testkit::{FakeControlPlane, Reply, Script};

use super::{Expected, case};
use crate::support::{BACKUP_ID, waiter};

fn with_fields(status: &str, extra: Value) -> Reply {
    let mut body = testkit::control_plane::sample_backup(status);
    for (name, value) in extra.as_object().unwrap() {
        body[name] = value.clone();
    }
    Reply::json(200, body)
}

#[test]
fn issue8_a_status_field_in_another_case_cannot_forge_the_status_output() {
    let server = FakeControlPlane::start(Script::always(with_fields(
        "Failed",
        json!({"Status": "Ready"}),
    )));
    let run = waiter(&server.url()).in_github_actions().run();
    run.assert_result(1, "failed");
    // As `steps.<id>.outputs.status` (and `.Status`) read it.
    assert_eq!(run.output("status"), "Failed");
    assert_eq!(run.output("Status"), "Failed");
    let json: Value = serde_json::from_str(run.output("json")).unwrap();
    assert_eq!(json["Status"], "Ready", "still inside the json output");
    let warnings: Vec<_> = run
        .workflow_commands()
        .into_iter()
        .filter(|c| c.name == "warning")
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.describe());
    assert!(warnings[0].data.contains("'Status'"), "{}", run.describe());
}

#[test]
fn issue8_fields_equal_to_our_outputs_or_to_each_other_ignoring_case_are_not_outputs() {
    let run = case(
        vec![with_fields(
            "Ready",
            json!({
                "RESULT": "failed", "Error": "forged", "JSON": "{}", "Attempts": "0",
                "Elapsed_Seconds": "1", "Record_Count": "1", "TAGS": "x",
                "gate": "open", "Gate": "closed", "kept_field": "yes"
            }),
        )],
        &[],
        Expected::ready(1..=1),
    );
    assert_eq!(run.output("result"), "ready");
    assert_eq!(run.output("error"), "");
    assert_eq!(run.output("attempts"), "1");
    assert_eq!(run.output("record_count"), "120000");
    assert_eq!(
        run.output("tags"),
        r#"{"environment":"production","type":"monthly"}"#
    );
    assert_eq!(run.output("kept_field"), "yes");
    // Neither spelling of `gate` is written: the server cannot pick one.
    assert!(
        !run.outputs
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("gate")),
        "{}",
        run.describe()
    );
    // Every name is written once, whatever its case.
    let mut names: Vec<String> = run.outputs.iter().map(|(n, _)| n.to_lowercase()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), run.outputs.len());
    assert_eq!(
        run.stderr.matches("warning: ").count(),
        1,
        "one warning\n{}",
        run.describe()
    );
    assert!(
        run.stderr.contains("'Gate', 'JSON', 'RESULT'"),
        "{}",
        run.describe()
    );
}

#[test]
fn issue8_a_description_of_another_backup_exits_6_whatever_its_status() {
    for status in ["Ready", "Failed", "Initializing", "Archiving"] {
        let run = case(
            vec![with_fields(status, json!({"backup_id": "another-backup"}))],
            &[],
            Expected {
                code: 6,
                result: "error",
                error: "the answer describes backup 'another-backup', not the requested backup",
                requests: 1..=1,
            },
        );
        run.assert_error_contains(BACKUP_ID);
        // The other backup's fields are not reported as this one's.
        assert_eq!(run.output("status"), "", "{status}");
        assert_eq!(run.output("json"), "", "{status}");
    }
}

#[test]
fn issue8_a_description_of_another_backup_after_pending_keeps_the_good_one() {
    let run = case(
        vec![
            Reply::backup("Initializing"),
            with_fields("Ready", json!({"backup_id": "another-backup"})),
        ],
        &[],
        Expected {
            code: 6,
            result: "error",
            error: "describes backup 'another-backup'",
            requests: 2..=2,
        },
    );
    assert_eq!(run.output("status"), "Initializing");
    assert_eq!(run.output("backup_id"), BACKUP_ID);
}

#[test]
fn issue8_a_hostile_or_huge_other_backup_id_is_escaped_and_cut() {
    let hostile = format!(
        "x\n::error::forged\r\n##[add-mask]y{}",
        "z".repeat(512 * 1024)
    );
    let server = FakeControlPlane::start(Script::always(with_fields(
        "Ready",
        json!({ "backup_id": hostile }),
    )));
    let run = waiter(&server.url())
        .in_github_actions()
        .args(["--json"])
        .run();
    run.assert_result(6, "error")
        .assert_error_contains(&format!("… ({} bytes in all)", hostile.len()));
    assert_eq!(
        run.workflow_command_names(),
        vec!["add-mask", "group", "endgroup", "error"],
        "{}",
        run.describe()
    );
    assert!(
        run.output("error").len() < 1_000,
        "{}",
        run.output("error").len()
    );
    assert!(
        run.stderr.len() < 4_000,
        "stderr is {} bytes",
        run.stderr.len()
    );
    assert!(
        run.summary.len() < 4_000,
        "summary is {} bytes",
        run.summary.len()
    );
}
