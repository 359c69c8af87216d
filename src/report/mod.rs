//! Everything the waiter tells the world once it is done: step outputs, the
//! job summary, the JSON line, the GitLab dotenv report, Azure Pipelines
//! output variables, and (during the wait) the human log and, at a
//! terminal, its live status line.
//!
//! One `Report` describes the end of a run; each sink renders it to a string
//! in its own module; `writer` appends strings to files. Renderers are pure
//! and golden-tested; nothing here decides anything about the wait. The
//! report holds raw data; each sink scrubs the API key (`redact`) and then
//! escapes, at the moment it prints.

pub mod azure;
pub mod colour;
pub mod dotenv;
pub mod escape;
pub mod github_output;
pub mod json;
pub mod log;
pub mod redact;
pub mod summary;
pub mod terminal;
pub mod timeline;
pub mod writer;

use std::time::Duration;

use crate::api::{Backup, FIELDS};
use crate::outcome::Outcome;
use crate::stages::{Ran, Restored, Selected, SelectedBy, Stage, StageReport};
use redact::Redactor;

/// Outputs the waiter itself defines. A field of that name from the API
/// would shadow them, so such a field is left out of the outputs (it is
/// still inside the `json` output).
pub const OWN_OUTPUTS: [&str; 17] = [
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

/// The title of the summary and of the final annotation for a run that
/// restores (`--restore-to-index`, `--restore-job-id`).
pub fn restore_headline(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Ready => "Pinecone backup restored and checked",
        Outcome::Failed => "Pinecone restore failed",
        Outcome::Timeout => "Timed out during the Pinecone restore",
        Outcome::NotFound => "Pinecone backup or restore job not found",
        Outcome::Unauthorized => "Pinecone API key rejected",
        Outcome::Error => "Error during the Pinecone restore",
        Outcome::Invalid => "pinecone-backup-wait: invalid usage",
        Outcome::Cancelled => "The Pinecone restore wait was cancelled",
    }
}

/// The title of the summary and of the final annotation: each outcome its
/// own, so a rejected key does not read as a backup that is not ready.
pub fn headline(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Ready => "Pinecone backup is ready",
        Outcome::Failed => "Pinecone backup failed",
        Outcome::Timeout => "Timed out waiting for the Pinecone backup",
        Outcome::NotFound => "Pinecone backup not found",
        Outcome::Unauthorized => "Pinecone API key rejected",
        Outcome::Error => "Error while checking the Pinecone backup",
        Outcome::Invalid => "pinecone-backup-wait: invalid usage",
        Outcome::Cancelled => "Waiting for the Pinecone backup was cancelled",
    }
}

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
    /// `created`: whether this run created the backup; `None` only when
    /// the command line was refused.
    pub created: Option<bool>,
    /// `selected_by`: how the backup was chosen; `None` only when the
    /// command line was refused.
    pub selected_by: Option<SelectedBy>,
    /// `stage`: the last stage entered; `None` when none was.
    pub stage: Option<Stage>,
    /// The selection and why it is that backup, once made.
    pub selected: Option<Selected>,
    /// What each stage saw, in order.
    pub stages: Vec<StageReport>,
    /// What the restore stages saw, when the run restores.
    pub restore: Option<Restored>,
    /// Whether the run was to restore (so its title says so even when it
    /// ended before the restore stage).
    pub restoring: bool,
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
            created: None,
            selected_by: None,
            stage: None,
            selected: None,
            stages: Vec::new(),
            restore: None,
            restoring: false,
        }
    }

    /// The report of a run that ended before its first request (outputs
    /// that cannot be written). `stage` is the stage it would have entered
    /// first: the output is empty only on exit 2.
    pub fn before_any_stage(
        outcome: Outcome,
        selected_by: SelectedBy,
        stage: Stage,
        backup_id: Option<String>,
        restoring: bool,
        error: String,
    ) -> Self {
        Report {
            outcome,
            backup_id,
            backup: None,
            attempts: 0,
            elapsed: Duration::ZERO,
            error: Some(error),
            created: Some(false),
            selected_by: Some(selected_by),
            stage: Some(stage),
            selected: None,
            stages: Vec::new(),
            restore: None,
            restoring,
        }
    }

    /// The report of a run that went through its stages; `restoring` when
    /// it was to restore.
    pub fn from_ran(ran: Ran, restoring: bool) -> Self {
        Report {
            outcome: ran.outcome,
            created: Some(ran.created()),
            backup_id: ran.backup_id,
            backup: ran.backup,
            attempts: ran.attempts,
            elapsed: ran.elapsed,
            error: ran.error,
            selected_by: Some(ran.selected_by),
            stage: Some(ran.stage),
            selected: ran.selected,
            stages: ran.stages,
            restore: ran.restore,
            restoring,
        }
    }

    /// The title of the summary and of the final annotation.
    pub fn headline(&self) -> &'static str {
        if self.restoring {
            restore_headline(self.outcome)
        } else {
            headline(self.outcome)
        }
    }

    /// The run as a timeline (`timeline.rs`): one record per stage entered,
    /// with the statuses it saw, its duration, how it ended in the words of
    /// that stage (`latest`, `completed`, `matched`…) and its detail.
    pub fn timeline(&self) -> Vec<timeline::StageRecord> {
        self.stages
            .iter()
            .map(|stage| {
                let mut record = timeline::StageRecord::new(stage.stage.label(), stage.started);
                for status in &stage.statuses {
                    record.saw(status);
                }
                record.duration = stage.duration;
                record.attempts = stage.attempts;
                record.outcome = match (stage.outcome, stage.stage) {
                    (Outcome::Ready, Stage::Select) => match &self.selected {
                        Some(selected) if selected.adopted => "adopted",
                        Some(selected) if selected.by == SelectedBy::Latest => "latest",
                        _ => "created",
                    },
                    (Outcome::Ready, Stage::Restore) => "completed",
                    (Outcome::Ready, Stage::Verify) => "matched",
                    (outcome, _) => outcome.label(),
                }
                .to_owned();
                record.detail = stage.detail.clone();
                record
            })
            .collect()
    }

    /// The nine restore outputs, raw (not yet scrubbed), in
    /// `OWN_OUTPUTS` order: empty when not applicable. `restore_created` is
    /// `true` only for an index this run created (or found after an
    /// ambiguous answer), `false` otherwise, empty only when the command
    /// line was refused; the index's name and id are given only with
    /// `true`, so a cleanup step can trust them.
    pub fn restore_outputs(&self) -> [String; 9] {
        let restore = self.restore.as_ref();
        let job = restore.and_then(|r| r.job.as_ref());
        let index = restore.and_then(|r| r.index.as_ref());
        let created = restore.is_some_and(|r| r.created);
        let ours = |value: Option<&String>| value.filter(|_| created).cloned().unwrap_or_default();
        [
            restore.and_then(|r| r.job_id.clone()).unwrap_or_default(),
            job.map(|j| j.status().trim().to_owned())
                .unwrap_or_default(),
            job.and_then(|j| j.percent_complete())
                .map(|p| p.text().to_owned())
                .unwrap_or_default(),
            match self.created {
                Some(_) => created.to_string(),
                None => String::new(),
            },
            ours(restore.and_then(|r| r.index_name.as_ref())),
            ours(restore.and_then(|r| r.index_id.as_ref())),
            index.and_then(|i| i.host()).unwrap_or_default().to_owned(),
            index
                .map(|i| i.state().trim().to_owned())
                .unwrap_or_default(),
            restore
                .and_then(|r| r.stats.as_ref())
                .map(|(stats, _)| stats.total_vector_count().to_string())
                .unwrap_or_default(),
        ]
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
    /// API versions add, then the waiter's own. Names that are not safe
    /// output names are dropped, so the API cannot choose what the file's
    /// syntax looks like; so are `withheld_fields` and names that contain
    /// the key. Values from the API are scrubbed of the key; `result`,
    /// `attempts`, `elapsed_seconds`, `created`, `selected_by` and `stage`
    /// are ours and written as they are.
    pub fn outputs(&self, redactor: &Redactor) -> Vec<(String, String)> {
        let withheld = self.withheld_fields();
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
            .filter(|(name, _)| {
                FIELDS.contains(name)
                    || (is_output_name(name) && !withheld.contains(name) && !redactor.finds(name))
            })
            .map(|(name, value)| (name.to_owned(), redactor.text(&value).into_owned()))
            .collect();
        let own = [
            self.outcome.label().to_owned(),
            self.backup
                .as_ref()
                .map(|backup| redactor.json(&backup.as_json()).to_string())
                .unwrap_or_default(),
            self.attempts.to_string(),
            self.elapsed_seconds(),
            redactor
                .text(self.error.as_deref().unwrap_or_default())
                .into_owned(),
            self.created.map(|c| c.to_string()).unwrap_or_default(),
            self.selected_by
                .map(|by| by.label().to_owned())
                .unwrap_or_default(),
            self.stage
                .map(|stage| stage.label().to_owned())
                .unwrap_or_default(),
        ];
        let restore = self
            .restore_outputs()
            .map(|value| redactor.text(&value).into_owned());
        let own = own.into_iter().chain(restore);
        outputs.extend(OWN_OUTPUTS.iter().map(|n| n.to_string()).zip(own));
        outputs
    }

    /// The 20 variables of the dotenv report and of Azure's output
    /// variables, scrubbed of the key (the values of [`Report::outputs`]).
    ///
    /// This is the one place that says how a run was chosen and how far it
    /// got: `CREATED`, `SELECTED_BY` and `STAGE` as the outputs (all empty
    /// when the command line was refused), and the restore variables as
    /// the restore outputs (`RESTORED_INDEX_NAME` only for an index this
    /// run created).
    pub fn variables(&self, redactor: &Redactor) -> dotenv::Variables {
        let outputs = self.outputs(redactor);
        let output = |name: &str| {
            outputs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        dotenv::Variables {
            id: redactor
                .text(self.backup_id.as_deref().unwrap_or_default())
                .into_owned(),
            name: output("name"),
            status: output("status"),
            result: output("result"),
            error: output("error"),
            source_index_name: output("source_index_name"),
            source_index_id: output("source_index_id"),
            created_at: output("created_at"),
            record_count: output("record_count"),
            namespace_count: output("namespace_count"),
            size_bytes: output("size_bytes"),
            attempts: output("attempts"),
            elapsed_seconds: output("elapsed_seconds"),
            created: output("created"),
            selected_by: output("selected_by"),
            stage: output("stage"),
            restore_job_id: output("restore_job_id"),
            restore_status: output("restore_status"),
            restored_index_name: output("restored_index_name"),
            restored_index_host: output("restored_index_host"),
        }
    }

    /// Fields of the backup that are not written as outputs although their
    /// names are valid, in name order: the runner stores step outputs
    /// without regard to case (a later `Status` would overwrite `status`),
    /// so a field whose name equals one of ours ignoring case, or two fields
    /// whose names equal each other ignoring case, would let the API choose
    /// what a gate reads. They stay inside the `json` output.
    pub fn withheld_fields(&self) -> Vec<&str> {
        let Some(backup) = &self.backup else {
            return Vec::new();
        };
        let extra: Vec<&str> = backup
            .field_names()
            .filter(|name| !FIELDS.contains(name) && is_output_name(name))
            .collect();
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        extra
            .iter()
            .copied()
            .filter(|name| {
                FIELDS
                    .iter()
                    .chain(&OWN_OUTPUTS)
                    .any(|ours| same(ours, name))
                    || extra
                        .iter()
                        .filter(|other| same(other, name))
                        .nth(1)
                        .is_some()
            })
            .collect()
    }

    /// The one warning about `withheld_fields`, if there are any.
    pub fn withheld_warning(&self) -> Option<String> {
        const SHOWN: usize = 10;
        let withheld = self.withheld_fields();
        if withheld.is_empty() {
            return None;
        }
        let mut names = withheld
            .iter()
            .take(SHOWN)
            .map(|name| format!("'{name}'"))
            .collect::<Vec<_>>()
            .join(", ");
        if withheld.len() > SHOWN {
            names.push_str(&format!(" and {} more", withheld.len() - SHOWN));
        }
        Some(format!(
            "the backup has fields whose names clash, ignoring case, with another output \
             ({names}); GitHub reads output names without regard to case, so they are not \
             written as step outputs (they are still inside the `json` output)"
        ))
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
        let outputs = Report::invalid("bad flag".into()).outputs(&Redactor::default());
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
        assert_eq!(value("created"), "");
        assert_eq!(value("selected_by"), "");
        assert_eq!(value("stage"), "");
    }

    #[test]
    fn created_selected_by_and_stage_are_ours_and_always_written() {
        let report = Report {
            created: Some(true),
            selected_by: Some(SelectedBy::Create),
            stage: Some(Stage::Select),
            ..report_of(
                Outcome::Error,
                json!({"status": "Pending", "stage": "backup"}),
            )
        };
        let outputs = report.outputs(&Redactor::default());
        assert_eq!(value(&outputs, "created"), vec!["true"]);
        assert_eq!(value(&outputs, "selected_by"), vec!["create"]);
        // A field of that name from the API cannot shadow ours.
        assert_eq!(value(&outputs, "stage"), vec!["select"]);
        assert_eq!(report.withheld_fields(), vec!["stage"]);
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
            ..Report::invalid(String::new())
        };
        let outputs = report.outputs(&Redactor::default());
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

    fn report_of(outcome: Outcome, backup: serde_json::Value) -> Report {
        Report {
            outcome,
            backup_id: Some("b".into()),
            backup: Some(Backup::from_value(backup).unwrap()),
            attempts: 1,
            elapsed: Duration::from_millis(10),
            error: None,
            ..Report::invalid(String::new())
        }
    }

    fn value<'a>(outputs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
        outputs
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    #[test]
    fn fields_that_equal_an_output_ignoring_case_are_withheld() {
        let report = report_of(
            Outcome::Failed,
            json!({
                "status": "Failed", "Status": "Ready", "RESULT": "ready",
                "Json": "{}", "new": "a", "NEW": "b", "other": "kept"
            }),
        );
        assert_eq!(
            report.withheld_fields(),
            vec!["Json", "NEW", "RESULT", "Status", "new"]
        );
        let outputs = report.outputs(&Redactor::default());
        assert_eq!(value(&outputs, "status"), vec!["Failed"]);
        assert_eq!(value(&outputs, "result"), vec!["failed"]);
        assert_eq!(value(&outputs, "new"), Vec::<&str>::new());
        assert_eq!(value(&outputs, "other"), vec!["kept"]);
        let json = value(&outputs, "json")[0];
        assert!(json.contains(r#""Status":"Ready""#), "{json}");
        let warning = report.withheld_warning().unwrap();
        assert!(
            warning.contains("'Json', 'NEW', 'RESULT', 'Status', 'new'"),
            "{warning}"
        );
        assert_eq!(
            report_of(Outcome::Ready, json!({"status": "Ready"})).withheld_warning(),
            None
        );
    }

    #[test]
    fn a_one_character_key_scrubs_values_but_not_our_names_or_result() {
        let key = crate::config::ApiKey::from_raw("e").unwrap();
        let report = report_of(
            Outcome::Ready,
            json!({"status": "Ready", "description": "see", "extra": 1, "word": 2}),
        );
        let outputs = report.outputs(&Redactor::new(&key));
        assert_eq!(value(&outputs, "result"), vec!["ready"]);
        assert_eq!(value(&outputs, "status"), vec!["R***ady"]);
        assert_eq!(value(&outputs, "description"), vec!["s******"]);
        // An API name with the key in it is not written; ours always are.
        assert_eq!(value(&outputs, "extra"), Vec::<&str>::new());
        assert_eq!(value(&outputs, "word"), vec!["2"]);
        assert_eq!(outputs.len(), FIELDS.len() + OWN_OUTPUTS.len() + 1);
        let json: serde_json::Value = serde_json::from_str(value(&outputs, "json")[0]).unwrap();
        assert_eq!(json["status"], "R***ady");
    }

    #[test]
    fn variables_come_from_the_outputs_and_the_run() {
        let key = crate::config::ApiKey::from_raw("pcsk_secret").unwrap();
        let mut report = report_of(
            Outcome::Failed,
            json!({"backup_id": "b", "status": " Failed ", "name": "n pcsk_secret",
                   "record_count": 12, "source_index_name": "idx"}),
        );
        report.error = Some("backup status is Failed, a failed status".into());
        report.created = Some(false);
        report.selected_by = Some(crate::stages::SelectedBy::Id);
        report.stage = Some(crate::stages::Stage::Backup);
        let vars = report.variables(&Redactor::new(&key));
        assert_eq!(
            vars,
            dotenv::Variables {
                id: "b".into(),
                name: "n ***".into(),
                status: "Failed".into(),
                result: "failed".into(),
                error: "backup status is Failed, a failed status".into(),
                source_index_name: "idx".into(),
                record_count: "12".into(),
                attempts: "1".into(),
                elapsed_seconds: "0.010".into(),
                created: "false".into(),
                selected_by: "id".into(),
                stage: "backup".into(),
                ..dotenv::Variables::default()
            }
        );
        let invalid = Report::invalid("bad flag".into()).variables(&Redactor::default());
        assert_eq!(
            invalid,
            dotenv::Variables {
                result: "invalid".into(),
                error: "bad flag".into(),
                attempts: "0".into(),
                elapsed_seconds: "0.000".into(),
                ..dotenv::Variables::default()
            }
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
