//! `RestoreJob`: the RestoreJobModel as the API sent it
//! (`GET /restore-jobs/{job_id}`), what its `status` means for the wait, and
//! `RestoreJobPage`, one page of `GET /restore-jobs` (used to adopt a job
//! after an ambiguous create-index).
//!
//! As for backups (`model.rs`), the fields the spec defines are type-checked
//! (absent and `null` are fine; `"42"` for a number is not) and every field
//! is kept, unknown ones included, for the outputs and `--json`.
//! `percent_complete` is reported as received: a float up to 2026-04
//! (`42.2`), an integer in 2026-07 that is absent until the job completes
//! ("Intermediate progress is not reported"). Sources: `RestoreJobModel`
//! and `RestoreJobList` in db_control 2025-04 to 2026-07.
//!
//! Pure: nothing here does I/O.

use std::collections::BTreeSet;
use std::fmt;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::fields::{kind_of, object, output_fields};
use crate::status::StatusClass;

/// RestoreJobModel fields in the spec's order; outputs list them in this
/// order, then any field a newer API version added.
pub const FIELDS: [&str; 8] = [
    "restore_job_id",
    "backup_id",
    "target_index_name",
    "target_index_id",
    "status",
    "created_at",
    "completed_at",
    "percent_complete",
];

/// The status of a finished restore.
pub const READY: &str = "Completed";

/// Statuses that end the wait as failed: the 2026-07 `x-enum` lists
/// `Failed` and `Cancelled` beside `Pending` and `Completed`.
pub const FAILED: [&str; 2] = ["Failed", "Cancelled"];

/// Statuses Pinecone uses while restoring: `Pending` (2026-07 `x-enum`),
/// `Running` and `InProgress` (older documentation and SDKs). Any other
/// status also keeps the wait going, with a warning printed once.
pub const KNOWN_IN_PROGRESS: [&str; 3] = ["Pending", "Running", "InProgress"];

/// What a restore job's status means: compared exactly (case-sensitive)
/// after trimming, like backup statuses (`status.rs`).
pub fn classify(status: &str) -> StatusClass {
    let status = status.trim();
    if status == READY {
        StatusClass::Ready
    } else if FAILED.contains(&status) {
        StatusClass::Failed
    } else if KNOWN_IN_PROGRESS.contains(&status) {
        StatusClass::InProgress
    } else {
        StatusClass::Unknown
    }
}

/// A restore job as described by the API.
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreJob {
    fields: Map<String, Value>,
}

/// The typed view used only to check a body against the spec.
#[derive(Deserialize)]
#[allow(dead_code)] // Fields exist to be type-checked by serde, not read.
struct RestoreJobModel {
    status: String,
    restore_job_id: Option<String>,
    backup_id: Option<String>,
    target_index_name: Option<String>,
    target_index_id: Option<String>,
    created_at: Option<String>,
    completed_at: Option<String>,
    // `number` (float) up to 2026-04, `integer` in 2026-07: both are JSON
    // numbers, and an f64 accepts both.
    percent_complete: Option<f64>,
}

/// `percent_complete` as received: its JSON number text (`42.2`, `100`) for
/// outputs, and its value for comparisons.
#[derive(Debug, Clone, PartialEq)]
pub struct PercentComplete {
    text: String,
    value: f64,
}

impl PercentComplete {
    /// The number as the API wrote it (serde_json's text for it: `42.2`,
    /// `100`, `100.0`), never reformatted.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The number.
    pub fn value(&self) -> f64 {
        self.value
    }
}

impl fmt::Display for PercentComplete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl RestoreJob {
    /// Checks a parsed JSON body against the RestoreJobModel. Only `status`
    /// is required: the wait cannot go on without it, while the other
    /// required fields are checked by the caller where they matter (the job
    /// id against the one asked for).
    pub fn from_value(value: Value) -> Result<RestoreJob, String> {
        let fields = object(value, "RestoreJobModel")?;
        let view = Value::Object(fields);
        RestoreJobModel::deserialize(&view)
            .map_err(|err| format!("not a RestoreJobModel: {err}"))?;
        match view {
            Value::Object(fields) => Ok(RestoreJob { fields }),
            _ => unreachable!("checked to be an object above"),
        }
    }

    /// The status exactly as sent (untrimmed).
    pub fn status(&self) -> &str {
        self.text("status").unwrap_or_default()
    }

    /// What the status means for the wait.
    pub fn class(&self) -> StatusClass {
        classify(self.status())
    }

    /// `restore_job_id`, if present.
    pub fn restore_job_id(&self) -> Option<&str> {
        self.text("restore_job_id")
    }

    /// `backup_id`: the backup being restored.
    pub fn backup_id(&self) -> Option<&str> {
        self.text("backup_id")
    }

    /// `target_index_name`: the index being restored into.
    pub fn target_index_name(&self) -> Option<&str> {
        self.text("target_index_name")
    }

    /// `target_index_id`.
    pub fn target_index_id(&self) -> Option<&str> {
        self.text("target_index_id")
    }

    /// `created_at`, as sent (RFC 3339; may carry milliseconds).
    pub fn created_at(&self) -> Option<&str> {
        self.text("created_at")
    }

    /// `completed_at`: `null` or absent until the job has ended.
    pub fn completed_at(&self) -> Option<&str> {
        self.text("completed_at")
    }

    /// `percent_complete`, when the API reported one (2026-07 omits it
    /// until the job completes).
    pub fn percent_complete(&self) -> Option<PercentComplete> {
        match self.fields.get("percent_complete") {
            Some(Value::Number(number)) => Some(PercentComplete {
                text: number.to_string(),
                value: number.as_f64().unwrap_or_default(),
            }),
            _ => None,
        }
    }

    /// Whether this job restores `backup_id` into `index_name` (exact
    /// comparison of both).
    pub fn restores(&self, backup_id: &str, index_name: &str) -> bool {
        self.backup_id() == Some(backup_id) && self.target_index_name() == Some(index_name)
    }

    /// A string field, if present and a string.
    pub fn text(&self, field: &str) -> Option<&str> {
        self.fields.get(field).and_then(Value::as_str)
    }

    /// Every field as `(name, value)`: the spec's fields first (absent ones
    /// as empty strings), then the others in name order. Strings are raw,
    /// `null` is empty, numbers keep their JSON text, objects and arrays are
    /// compact JSON.
    pub fn output_fields(&self) -> Vec<(&str, String)> {
        output_fields(&self.fields, &FIELDS)
    }

    /// The whole job as a JSON value.
    pub fn as_json(&self) -> Value {
        Value::Object(self.fields.clone())
    }
}

/// One page of `GET /restore-jobs`: the jobs, and the token of the next
/// page (`None` on the last one).
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreJobPage {
    /// The jobs on this page, in the order sent.
    pub jobs: Vec<RestoreJob>,
    /// `pagination.next`. `None` when `pagination` is absent or `null`
    /// (the specs' examples send `null`; 2026-07 says "`null` (or absent)
    /// on the final page"), when `next` is absent or `null`, or empty (an
    /// empty token cannot be sent back). Telling a token seen before from
    /// a new one is the lister's business.
    pub next: Option<String>,
}

impl RestoreJobPage {
    /// Checks a parsed JSON body against the RestoreJobList: `data` is
    /// required (the spec says so) and every item must be a RestoreJobModel.
    pub fn from_value(value: Value) -> Result<RestoreJobPage, String> {
        let mut fields = object(value, "RestoreJobList")?;
        let jobs = match fields.remove("data") {
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    RestoreJob::from_value(item).map_err(|err| {
                        format!("not a RestoreJobList: item {} of data: {err}", i + 1)
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => return Err("not a RestoreJobList: missing field `data`".to_owned()),
            Some(other) => {
                return Err(format!(
                    "not a RestoreJobList: `data` is {}, expected an array",
                    kind_of(&other)
                ));
            }
        };
        let next = match fields.remove("pagination") {
            None | Some(Value::Null) => None,
            Some(Value::Object(pagination)) => match pagination.get("next") {
                None | Some(Value::Null) => None,
                Some(Value::String(next)) => Some(next.clone()).filter(|n| !n.is_empty()),
                Some(other) => {
                    return Err(format!(
                        "not a RestoreJobList: `pagination.next` is {}, expected a string",
                        kind_of(other)
                    ));
                }
            },
            Some(other) => {
                return Err(format!(
                    "not a RestoreJobList: `pagination` is {}, expected an object",
                    kind_of(&other)
                ));
            }
        };
        Ok(RestoreJobPage { jobs, next })
    }
}

/// The jobs a run may adopt after an ambiguous create-index (sent, then a
/// timeout, a reset, 408 or 5xx): those restoring `backup_id` into
/// `index_name` whose id was not in `known_before`, the ids listed before
/// this run's first create-index. `GET /restore-jobs` has no filter, and an
/// earlier run may have restored the same backup into the same name (an
/// index since deleted), so the name alone proves nothing. A job without an
/// id is never adoptable. More than one result means the run cannot tell
/// which is its own.
pub fn adoptable<'a>(
    jobs: impl IntoIterator<Item = &'a RestoreJob>,
    backup_id: &str,
    index_name: &str,
    known_before: &BTreeSet<String>,
) -> Vec<&'a RestoreJob> {
    jobs.into_iter()
        .filter(|job| job.restores(backup_id, index_name))
        .filter(|job| {
            job.restore_job_id()
                .is_some_and(|id| !id.is_empty() && !known_before.contains(id))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(name: &str) -> Value {
        let text = match name {
            "model" => include_str!("../../tests/fixtures/restore-jobs/model.json"),
            "model-2026-07" => include_str!("../../tests/fixtures/restore-jobs/model-2026-07.json"),
            "model-2026-07-pending" => {
                include_str!("../../tests/fixtures/restore-jobs/model-2026-07-pending.json")
            }
            "list-paginated" => {
                include_str!("../../tests/fixtures/restore-jobs/list-paginated.json")
            }
            "list-non-paginated" => {
                include_str!("../../tests/fixtures/restore-jobs/list-non-paginated.json")
            }
            "list-empty" => include_str!("../../tests/fixtures/restore-jobs/list-empty.json"),
            _ => unreachable!("{name}"),
        };
        serde_json::from_str(text).unwrap()
    }

    fn job(value: Value) -> RestoreJob {
        RestoreJob::from_value(value).unwrap()
    }

    #[test]
    fn spec_model_example_parses_with_a_float_percent() {
        // RestoreJobModel's property examples, 2025-04 to 2026-04.
        let job = job(fixture("model"));
        assert_eq!(
            job.restore_job_id(),
            Some("670e8400-e29b-41d4-a716-446655440001")
        );
        assert_eq!(
            job.backup_id(),
            Some("670e8400-e29b-41d4-a716-446655440000")
        );
        assert_eq!(job.target_index_name(), Some("sample-index"));
        assert_eq!(
            job.target_index_id(),
            Some("670e8400-e29b-41d4-a716-446655440002")
        );
        assert_eq!(job.status(), "Completed");
        assert_eq!(job.class(), StatusClass::Ready);
        assert_eq!(job.created_at(), Some("2025-02-04T13:00:00Z"));
        assert_eq!(job.completed_at(), Some("2025-02-04T14:00:00Z"));
        let percent = job.percent_complete().unwrap();
        assert_eq!(percent.text(), "42.2");
        assert_eq!(percent.value(), 42.2);
        let names: Vec<&str> = job.output_fields().iter().map(|(n, _)| *n).collect();
        assert_eq!(names, FIELDS.to_vec());
    }

    #[test]
    fn the_2026_07_model_has_an_integer_percent_only_when_completed() {
        let completed = job(fixture("model-2026-07"));
        assert_eq!(completed.class(), StatusClass::Ready);
        assert_eq!(completed.percent_complete().unwrap().text(), "100");
        let pending = job(fixture("model-2026-07-pending"));
        assert_eq!(pending.class(), StatusClass::InProgress);
        assert_eq!(pending.percent_complete(), None);
        assert_eq!(pending.completed_at(), None);
        assert_eq!(pending.created_at(), Some("2025-02-04T13:00:00Z"));
        // The fake's timestamps carry milliseconds: kept as sent.
        let fake = job(json!({"status": "Pending", "created_at": "2026-11-29T18:12:23.850Z"}));
        assert_eq!(fake.created_at(), Some("2026-11-29T18:12:23.850Z"));
        let fields = pending.output_fields();
        assert_eq!(fields[6], ("completed_at", String::new()));
        assert_eq!(fields[7], ("percent_complete", String::new()));
    }

    #[test]
    fn percent_complete_keeps_its_json_text() {
        for (sent, text) in [
            (json!(42.2), "42.2"),
            (json!(0), "0"),
            (json!(100), "100"),
            (json!(100.0), "100.0"),
            (json!(99.99), "99.99"),
        ] {
            let job = job(json!({"status": "Pending", "percent_complete": sent}));
            assert_eq!(job.percent_complete().unwrap().text(), text);
            assert_eq!(job.percent_complete().unwrap().to_string(), text);
            let fields = job.output_fields();
            assert_eq!(fields[7], ("percent_complete", text.to_owned()));
        }
        let body = r#"{"status":"Pending","percent_complete":12.5}"#;
        let job = job(serde_json::from_str(body).unwrap());
        assert_eq!(job.percent_complete().unwrap().value(), 12.5);
    }

    #[test]
    fn statuses_follow_the_restore_rules() {
        assert_eq!(classify("Completed"), StatusClass::Ready);
        assert_eq!(classify("Failed"), StatusClass::Failed);
        assert_eq!(classify("Cancelled"), StatusClass::Failed);
        for quiet in ["Pending", "Running", "InProgress", " Pending\n"] {
            assert_eq!(classify(quiet), StatusClass::InProgress, "{quiet:?}");
        }
        for unknown in [
            "Restoring",
            "completed",
            "COMPLETED",
            "",
            "Ready",
            "Canceled",
        ] {
            assert_eq!(classify(unknown), StatusClass::Unknown, "{unknown:?}");
        }
    }

    #[test]
    fn wrong_shapes_are_refused_with_the_reason() {
        let err = |v: Value| RestoreJob::from_value(v).unwrap_err();
        assert!(err(json!([])).contains("an array"));
        assert!(err(json!({"restore_job_id": "r"})).contains("missing field `status`"));
        assert!(err(json!({"status": null})).contains("invalid type: null"));
        assert!(err(json!({"status": "Pending", "percent_complete": "42"})).contains("\"42\""));
        assert!(err(json!({"status": "Pending", "target_index_name": 7})).contains("invalid type"));
        assert!(err(json!({"status": "Pending", "created_at": {}})).contains("invalid type"));
    }

    #[test]
    fn new_fields_are_kept_after_the_spec_fields() {
        let job = job(json!({"status": "Pending", "zone": "a", "details": {"step": 2}}));
        let fields = job.output_fields();
        assert_eq!(fields.len(), FIELDS.len() + 2);
        assert_eq!(fields[8], ("details", r#"{"step":2}"#.to_owned()));
        assert_eq!(fields[9], ("zone", "a".to_owned()));
        assert_eq!(job.as_json()["details"]["step"], 2);
    }

    #[test]
    fn the_spec_list_examples_parse() {
        let page = RestoreJobPage::from_value(fixture("list-paginated")).unwrap();
        assert_eq!(page.jobs.len(), 1);
        assert_eq!(page.next.as_deref(), Some("dXNlcl9pZD11c2VyXzE="));
        // Listed with an integer `percent_complete`, in every version.
        assert_eq!(page.jobs[0].percent_complete().unwrap().text(), "100");
        assert_eq!(page.jobs[0].target_index_id(), Some("idx_456"));
        let page = RestoreJobPage::from_value(fixture("list-non-paginated")).unwrap();
        assert_eq!((page.jobs.len(), page.next), (1, None));
        let page = RestoreJobPage::from_value(fixture("list-empty")).unwrap();
        assert_eq!((page.jobs.len(), page.next), (0, None));
    }

    #[test]
    fn a_last_page_may_say_so_in_several_ways() {
        for body in [
            json!({"data": []}),
            json!({"data": [], "pagination": null}),
            json!({"data": [], "pagination": {}}),
            json!({"data": [], "pagination": {"next": null}}),
            json!({"data": [], "pagination": {"next": ""}}),
        ] {
            assert_eq!(RestoreJobPage::from_value(body).unwrap().next, None);
        }
    }

    #[test]
    fn pages_that_are_not_lists_are_refused() {
        let err = |v: Value| RestoreJobPage::from_value(v).unwrap_err();
        assert!(err(json!({})).contains("missing field `data`"));
        assert!(err(json!({"data": {}})).contains("`data` is an object"));
        assert!(err(json!({"data": [{"status": "Pending"}, {}]})).contains("item 2 of data"));
        assert!(err(json!({"data": [], "pagination": "x"})).contains("`pagination` is a string"));
        assert!(
            err(json!({"data": [], "pagination": {"next": 5}}))
                .contains("`pagination.next` is a number")
        );
        assert!(err(json!(null)).contains("got null"));
    }

    #[test]
    fn only_a_new_job_of_this_backup_into_this_index_is_adoptable() {
        let jobs = [
            job(
                json!({"restore_job_id": "old", "backup_id": "b", "target_index_name": "drill", "status": "Completed"}),
            ),
            job(
                json!({"restore_job_id": "other-index", "backup_id": "b", "target_index_name": "drill2", "status": "Pending"}),
            ),
            job(
                json!({"restore_job_id": "other-backup", "backup_id": "c", "target_index_name": "drill", "status": "Pending"}),
            ),
            job(json!({"backup_id": "b", "target_index_name": "drill", "status": "Pending"})),
            job(
                json!({"restore_job_id": "mine", "backup_id": "b", "target_index_name": "drill", "status": "Pending"}),
            ),
        ];
        let before: BTreeSet<String> = ["old".to_owned()].into();
        let found = adoptable(&jobs, "b", "drill", &before);
        let ids: Vec<_> = found.iter().map(|j| j.restore_job_id()).collect();
        assert_eq!(ids, vec![Some("mine")]);
        // Without the snapshot, the earlier run's job would be taken too:
        // the caller must treat two candidates as "cannot tell".
        assert_eq!(adoptable(&jobs, "b", "drill", &BTreeSet::new()).len(), 2);
        assert!(adoptable(&jobs, "b", "Drill", &BTreeSet::new()).is_empty());
    }
}
