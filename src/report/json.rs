//! `--json`: one JSON object on stdout, for shells and other CI systems
//! (`result=$(pinecone-backup-wait --json | jq -r .result)`).
//!
//! The object is documented in README.md ("The --json object"); `version`
//! says which shape it has, and goes up when a key changes meaning or goes
//! away (adding keys does not change it). Version 2 (issue 10): `stage`
//! and `selected_by` take new values (`restore`, `index`, `verify`;
//! `restore_job`), and with `--restore-job-id` `backup_id` is the backup
//! the job restored rather than one the user named; the restore keys and
//! the `restore_job`, `index` and `verify` objects are new.
//!
//! Values are exact, except that the API key is scrubbed from everything
//! that did not come from the waiter itself: strings, object keys, and
//! numbers whose text contains it (those become strings).

use serde_json::{Value, json};

use super::Report;
use super::escape::json_line;
use super::redact::Redactor;

/// The schema version of the object.
pub const VERSION: u32 = 2;

/// Renders the result object, ending with a newline.
pub fn render(report: &Report, redactor: &Redactor) -> String {
    let stages: Vec<Value> = report
        .stages
        .iter()
        .map(|stage| {
            json!({
                "stage": stage.stage.label(),
                "result": stage.outcome.label(),
                "attempts": stage.attempts,
                "elapsed_seconds": stage.duration.as_millis() as f64 / 1000.0,
                "started_seconds": stage.started.as_millis() as f64 / 1000.0,
                "statuses": redactor.json(&json!(stage.statuses)),
                "detail": redactor.json(&json!(stage.detail)),
            })
        })
        .collect();
    let restore = report.restore.as_ref();
    let job = restore.and_then(|r| r.job.as_ref());
    let index = restore.and_then(|r| r.index.as_ref());
    let [
        restore_job_id,
        restore_status,
        _,
        _,
        restored_index_name,
        restored_index_id,
        restored_index_host,
        restored_index_state,
        _,
    ] = report.restore_outputs().map(|value| {
        if value.is_empty() {
            Value::Null
        } else {
            redactor.json(&json!(value))
        }
    });
    let verify = match restore {
        Some(restored) if restored.stats.is_some() || restored.expected.is_some() => {
            let counts = restored.stats.as_ref().map(|(_, counts)| counts);
            json!({
                "expected_records": restored.expected.map(|e| e.records),
                "expected_namespaces": restored.expected.map(|e| e.namespaces),
                "records": counts.map(|c| c.seen_records),
                "namespaces": counts.map(|c| c.seen_namespaces),
                "matches": counts.map(|c| c.matches()),
                "stats": restored
                    .stats
                    .as_ref()
                    .map_or(Value::Null, |(stats, _)| redactor.json(&stats.as_json())),
            })
        }
        _ => Value::Null,
    };
    let object = json!({
        "version": VERSION,
        "created": report.created,
        "selected_by": report.selected_by.map(|by| by.label()),
        "stage": report.stage.map(|stage| stage.label()),
        "stages": stages,
        "result": report.outcome.label(),
        "exit_code": report.outcome.exit_code(),
        "backup_id": redactor.json(&json!(report.backup_id)),
        "status": redactor.json(&json!(report.status())),
        "attempts": report.attempts,
        "elapsed_seconds": report.elapsed.as_millis() as f64 / 1000.0,
        "error": redactor.json(&json!(report.error)),
        "backup": report
            .backup
            .as_ref()
            .map_or(Value::Null, |b| redactor.json(&b.as_json())),
        "restore_created": report
            .created
            .map(|_| restore.is_some_and(|r| r.created)),
        "restore_job_id": restore_job_id,
        "restore_status": restore_status,
        "restore_percent_complete": job
            .and_then(|j| j.as_json().get("percent_complete").cloned())
            .filter(Value::is_number)
            .map_or(Value::Null, |percent| redactor.json(&percent)),
        "restored_index_name": restored_index_name,
        "restored_index_id": restored_index_id,
        "restored_index_host": restored_index_host,
        "restored_index_state": restored_index_state,
        "restored_record_count": restore
            .and_then(|r| r.stats.as_ref())
            .map_or(Value::Null, |(stats, _)| {
                redactor.json(&json!(stats.total_vector_count()))
            }),
        "restore_job": job.map_or(Value::Null, |j| redactor.json(&j.as_json())),
        "index": index.map_or(Value::Null, |i| redactor.json(&i.as_json())),
        "verify": verify,
    });
    let mut line = json_line(object.to_string());
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Backup;
    use crate::outcome::Outcome;
    use crate::stages::{SelectedBy, Stage, StageReport};
    use std::time::Duration;

    #[test]
    fn golden_timeout_line() {
        let report = Report {
            outcome: Outcome::Timeout,
            backup_id: Some("b1".into()),
            backup: Some(Backup::from_value(json!({"status": "Initializing"})).unwrap()),
            attempts: 7,
            elapsed: Duration::from_millis(30_012),
            error: Some("deadline of 30s passed".into()),
            created: Some(true),
            selected_by: Some(SelectedBy::Create),
            stage: Some(Stage::Backup),
            selected: None,
            restore: None,
            restoring: false,
            stages: vec![
                StageReport {
                    stage: Stage::Select,
                    outcome: Outcome::Ready,
                    attempts: 1,
                    duration: Duration::from_millis(120),
                    statuses: Vec::new(),
                    started: Duration::ZERO,
                    detail: None,
                },
                StageReport {
                    stage: Stage::Backup,
                    outcome: Outcome::Timeout,
                    attempts: 6,
                    duration: Duration::from_millis(29_892),
                    statuses: vec!["Initializing".into()],
                    started: Duration::from_millis(120),
                    detail: None,
                },
            ],
        };
        assert_eq!(
            render(&report, &Redactor::default()),
            "{\"attempts\":7,\"backup\":{\"status\":\"Initializing\"},\"backup_id\":\"b1\",\
             \"created\":true,\"elapsed_seconds\":30.012,\"error\":\"deadline of 30s passed\",\
             \"exit_code\":3,\"index\":null,\"restore_created\":false,\"restore_job\":null,\
             \"restore_job_id\":null,\"restore_percent_complete\":null,\"restore_status\":null,\
             \"restored_index_host\":null,\"restored_index_id\":null,\"restored_index_name\":null,\
             \"restored_index_state\":null,\"restored_record_count\":null,\"result\":\"timeout\",\
             \"selected_by\":\"create\",\"stage\":\"backup\",\
             \"stages\":[{\"attempts\":1,\"detail\":null,\"elapsed_seconds\":0.12,\"result\":\"ready\",\
             \"stage\":\"select\",\"started_seconds\":0.0,\"statuses\":[]},{\"attempts\":6,\"detail\":null,\
             \"elapsed_seconds\":29.892,\"result\":\"timeout\",\"stage\":\"backup\",\"started_seconds\":0.12,\
             \"statuses\":[\"Initializing\"]}],\"status\":\"Initializing\",\"verify\":null,\"version\":2}\n"
        );
    }

    #[test]
    fn invalid_run_has_nulls_not_missing_keys() {
        let line = render(&Report::invalid("bad".into()), &Redactor::default());
        let value: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["result"], "invalid");
        assert_eq!(value["exit_code"], 2);
        assert_eq!(value["version"], 2);
        for key in [
            "restore_created",
            "restore_job_id",
            "restored_index_name",
            "restored_index_host",
            "restore_job",
            "index",
            "verify",
        ] {
            assert!(value[key].is_null(), "{key}");
        }
        assert!(value["backup"].is_null() && value["status"].is_null());
        assert!(value["created"].is_null() && value["selected_by"].is_null());
        assert!(value["stage"].is_null());
        assert_eq!(value["stages"], json!([]));
    }

    #[test]
    fn a_one_character_key_is_scrubbed_from_api_text_but_not_from_our_fields() {
        let key = crate::config::ApiKey::from_raw("e").unwrap();
        let report = Report {
            outcome: Outcome::Ready,
            backup_id: Some("b1".into()),
            backup: Some(Backup::from_value(json!({"status": "Ready", "name": "e"})).unwrap()),
            attempts: 1,
            elapsed: Duration::from_millis(5),
            error: None,
            ..Report::invalid(String::new())
        };
        let value: Value = serde_json::from_str(&render(&report, &Redactor::new(&key))).unwrap();
        assert_eq!(value["result"], "ready");
        assert_eq!(value["exit_code"], 0);
        assert_eq!(value["status"], "R***ady");
        assert_eq!(
            value["backup"],
            json!({"status": "R***ady", "nam***": "***"})
        );
    }
}
