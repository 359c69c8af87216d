//! Everything the waiter tells the world once it is done: step outputs, the
//! job summary, the JSON line, and (during the wait) the human log.
//!
//! One `Report` describes the end of a run; each sink renders it to a string
//! in its own module; `writer` appends strings to files. Renderers are pure
//! and golden-tested; nothing here decides anything about the wait.

pub mod azure;
pub mod dotenv;
pub mod escape;
pub mod github_output;
pub mod json;
pub mod log;
pub mod summary;
pub mod writer;

use std::time::Duration;

use crate::api::{Backup, FIELDS};
use crate::outcome::Outcome;

/// Outputs the waiter itself defines. A field of that name from the API
/// would shadow them, so such a field is left out of the outputs (it is
/// still inside the `json` output).
pub const OWN_OUTPUTS: [&str; 5] = ["result", "json", "attempts", "elapsed_seconds", "error"];

/// The end of a run, as every sink sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// How it ended.
    pub outcome: Outcome,
    /// The backup id asked for, when the configuration got that far.
    pub backup_id: Option<String>,
    /// The last backup received.
    pub backup: Option<Backup>,
    /// Requests made.
    pub attempts: u32,
    /// Time from the start of the wait to its end.
    pub elapsed: Duration,
    /// Why it did not end ready.
    pub error: Option<String>,
}

impl Report {
    /// The report of a run refused before any request.
    pub fn invalid(error: String) -> Self {
        Report {
            outcome: Outcome::Invalid,
            backup_id: None,
            backup: None,
            attempts: 0,
            elapsed: Duration::ZERO,
            error: Some(error),
        }
    }

    /// The status of the last backup received, trimmed.
    pub fn status(&self) -> Option<&str> {
        self.backup.as_ref().map(|b| b.status().trim())
    }

    /// `elapsed_seconds`: seconds with millisecond precision.
    pub fn elapsed_seconds(&self) -> String {
        format!("{:.3}", self.elapsed.as_secs_f64())
    }

    /// Every step output as `(name, value)`, in a fixed order: the
    /// BackupModel fields (empty when absent; `status` trimmed), fields newer
    /// API versions add, then the waiter's own. Names that are not safe output names are
    /// dropped, so the API cannot choose what the file's syntax looks like.
    pub fn outputs(&self) -> Vec<(String, String)> {
        let mut fields: Vec<(&str, String)> = match &self.backup {
            Some(backup) => backup.output_fields(),
            None => FIELDS.iter().map(|&name| (name, String::new())).collect(),
        };
        // `status` is given as it was compared (trimmed), so that
        // `if: steps.x.outputs.status == 'Ready'` agrees with the exit code.
        if let Some((_, status)) = fields.iter_mut().find(|(name, _)| *name == "status") {
            *status = status.trim().to_owned();
        }
        let mut outputs: Vec<(String, String)> = fields
            .into_iter()
            .filter(|(name, _)| is_output_name(name) && !OWN_OUTPUTS.contains(name))
            .map(|(name, value)| (name.to_owned(), value))
            .collect();
        let own = [
            self.outcome.label().to_owned(),
            self.backup
                .as_ref()
                .map(Backup::to_json)
                .unwrap_or_default(),
            self.attempts.to_string(),
            self.elapsed_seconds(),
            self.error.clone().unwrap_or_default(),
        ];
        outputs.extend(OWN_OUTPUTS.iter().map(|n| n.to_string()).zip(own));
        outputs
    }
}

/// Output names a workflow can reference: `[A-Za-z_][A-Za-z0-9_-]*`, at
/// most 100 characters.
pub fn is_output_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && name.len() <= 100
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn invalid_run_still_lists_every_output() {
        let outputs = Report::invalid("bad flag".into()).outputs();
        let names: Vec<&str> = outputs.iter().map(|(n, _)| n.as_str()).collect();
        let mut expected: Vec<&str> = FIELDS.to_vec();
        expected.extend(OWN_OUTPUTS);
        assert_eq!(names, expected);
        let value = |name: &str| outputs.iter().find(|(n, _)| n == name).unwrap().1.clone();
        assert_eq!(value("result"), "invalid");
        assert_eq!(value("error"), "bad flag");
        assert_eq!(value("attempts"), "0");
        assert_eq!(value("elapsed_seconds"), "0.000");
        assert_eq!(value("status"), "");
        assert_eq!(value("json"), "");
    }

    #[test]
    fn api_fields_cannot_shadow_own_outputs_or_smuggle_names() {
        let backup = Backup::from_value(json!({
            "status": "Ready",
            "result": "ready-but-fake",
            "bad name": "x",
            "x<<EOF": "y",
            "ok_new-field": 1
        }))
        .unwrap();
        let report = Report {
            outcome: Outcome::Failed,
            backup_id: Some("b".into()),
            backup: Some(backup),
            attempts: 2,
            elapsed: Duration::from_millis(1500),
            error: Some("e".into()),
        };
        let outputs = report.outputs();
        let results: Vec<_> = outputs.iter().filter(|(n, _)| n == "result").collect();
        assert_eq!(results, vec![&("result".to_owned(), "failed".to_owned())]);
        assert!(outputs.iter().all(|(n, _)| is_output_name(n)));
        assert!(outputs.iter().any(|(n, v)| n == "ok_new-field" && v == "1"));
        assert!(
            outputs
                .iter()
                .any(|(n, v)| n == "elapsed_seconds" && v == "1.500")
        );
    }

    #[test]
    fn output_names_are_conservative() {
        for good in ["status", "_x", "a-b", "A1"] {
            assert!(is_output_name(good), "{good}");
        }
        for bad in ["", "1a", "-a", "a b", "a=b", "a<<b", "é", &"a".repeat(101)] {
            assert!(!is_output_name(bad), "{bad}");
        }
    }
}
