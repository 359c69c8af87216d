//! Every BackupModel in Pinecone's published specs parses, and its fields
//! come out as outputs with the same values. Fixtures: tests/fixtures/README.md.

use serde_json::Value;
use testkit::{FakeControlPlane, Reply, Script};

use crate::support::waiter;

fn check_version(version: &str, fixture: &str) {
    let backup: Value = serde_json::from_str(fixture).unwrap();
    let server = FakeControlPlane::start(Script::always(Reply::json(200, backup.clone())));
    // Each example asks for its own backup id, as the contract stage does.
    let id = backup["backup_id"].as_str().unwrap();
    let run = waiter(&server.url())
        .args(["--api-version", version, "--backup-id", id])
        .run();
    run.assert_result(0, "ready");
    assert_eq!(
        server.requests()[0].header("x-pinecone-api-version"),
        Some(version)
    );
    for (name, value) in backup.as_object().unwrap() {
        let expected = match value {
            Value::String(text) => text.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        assert_eq!(run.output(name), expected, "{version}: output {name}");
    }
    let json: Value = serde_json::from_str(run.output("json")).unwrap();
    assert_eq!(json, backup, "{version}: json output");
}

#[test]
fn the_2025_04_example_parses() {
    check_version("2025-04", include_str!("../fixtures/backups/2025-04.json"));
}

#[test]
fn the_2025_10_example_parses_with_its_schema_field() {
    check_version("2025-10", include_str!("../fixtures/backups/2025-10.json"));
}

#[test]
fn the_2026_04_example_parses() {
    check_version("2026-04", include_str!("../fixtures/backups/2026-04.json"));
}

#[test]
fn the_2026_07_model_parses_with_nullable_tags_and_deletion_time() {
    check_version("2026-07", include_str!("../fixtures/backups/2026-07.json"));
}
