//! `--json`: one JSON object on stdout, for shells and other CI systems
//! (`result=$(pinecone-backup-wait --json | jq -r .result)`).
//!
//! Values are exact, except that the API key is scrubbed from everything
//! that did not come from the waiter itself: strings, object keys, and
//! numbers whose text contains it (those become strings).

use serde_json::{Value, json};

use super::Report;
use super::escape::json_line;
use super::redact::Redactor;

/// Renders the result object, ending with a newline.
pub fn render(report: &Report, redactor: &Redactor) -> String {
    let object = json!({
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
        };
        assert_eq!(
            render(&report, &Redactor::default()),
            "{\"attempts\":7,\"backup\":{\"status\":\"Initializing\"},\"backup_id\":\"b1\",\
             \"elapsed_seconds\":30.012,\"error\":\"deadline of 30s passed\",\"exit_code\":3,\
             \"result\":\"timeout\",\"status\":\"Initializing\"}\n"
        );
    }

    #[test]
    fn invalid_run_has_nulls_not_missing_keys() {
        let line = render(&Report::invalid("bad".into()), &Redactor::default());
        let value: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["result"], "invalid");
        assert_eq!(value["exit_code"], 2);
        assert!(value["backup"].is_null() && value["status"].is_null());
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
