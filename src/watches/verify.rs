//! The data check of a restored index: `POST https://{host}/describe_index_stats`
//! on the index's own data plane until its `totalVectorCount` equals the
//! backup's `record_count` and its namespaces number the backup's
//! `namespace_count` (`index_stats::Counts`).
//!
//! Stats lag a little behind a restore, so counts that differ are asked
//! again within the deadline; counts that still differ when the deadline
//! comes are the check's answer, a failure (exit 1), not a timeout
//! (`Watch::at_deadline`). A 404 from the data plane is an index whose host
//! does not serve it yet (the control plane has just said it is ready).
//!
//! When the backup's counts are not in hand (`--restore-job-id`: no backup
//! was selected), the first attempt describes the backup the job restored.
//! A backup without counts, or one that is gone, cannot be compared with:
//! the run ends (exit 6) saying so, and `--no-restore-verify` skips the
//! check.

use std::time::Duration;

use crate::api::index_model::IndexHost;
use crate::api::index_stats::{Counts, Expected, IndexStats};
use crate::api::{ApiError, Backup, ControlPlane};
use crate::config::{BackupId, IndexName};
use crate::wait::{Part, Shown, Verdict, Watch};

/// What one attempt of the check answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Checked {
    /// The backup, described for its counts.
    Backup(Backup, Expected),
    /// The index's stats, and how they compare.
    Stats(IndexStats, Counts),
}

impl Checked {
    /// The comparison, for an answer with stats.
    pub fn counts(&self) -> Option<Counts> {
        match self {
            Checked::Stats(_, counts) => Some(*counts),
            Checked::Backup(..) => None,
        }
    }
}

/// Where the backup's counts come from.
#[derive(Debug, Clone)]
pub enum Against {
    /// Counts in hand: the backup the run waited for.
    Counts(Expected),
    /// The backup a restore job restored, to describe first.
    Backup(BackupId),
}

/// Checks one restored index against its backup.
pub struct VerifyWatch<'a> {
    api: &'a dyn ControlPlane,
    index: IndexName,
    host: IndexHost,
    /// The backup to describe, while its counts are not known.
    backup_id: Option<BackupId>,
    /// The backup's counts, once known.
    expected: Option<Expected>,
    /// The backup, when this watch described it.
    backup: Option<Backup>,
}

impl<'a> VerifyWatch<'a> {
    /// Checks `index` at `host` against the backup's counts.
    pub fn new(
        api: &'a dyn ControlPlane,
        index: IndexName,
        host: IndexHost,
        against: Against,
    ) -> Self {
        let (expected, backup_id) = match against {
            Against::Counts(expected) => (Some(expected), None),
            Against::Backup(id) => (None, Some(id)),
        };
        VerifyWatch {
            api,
            index,
            host,
            backup_id,
            expected,
            backup: None,
        }
    }

    /// The backup's counts, once known.
    pub fn expected(&self) -> Option<Expected> {
        self.expected
    }

    /// The backup, when this watch described it (`--restore-job-id`).
    pub fn backup(&self) -> Option<&Backup> {
        self.backup.as_ref()
    }
}

impl VerifyWatch<'_> {
    /// One `describe_index_stats`, compared with `expected`.
    fn stats(&self, expected: Expected, timeout: Duration) -> Result<Checked, ApiError> {
        let stats = self
            .api
            .describe_index_stats(&self.host, &self.index, timeout)?;
        let counts = Counts::compare(expected, &stats);
        Ok(Checked::Stats(stats, counts))
    }
}

impl Watch for VerifyWatch<'_> {
    type Seen = Checked;

    fn describe(&mut self, timeout: Duration) -> Result<Checked, ApiError> {
        let id = match (self.expected, &self.backup_id) {
            (Some(expected), _) => return self.stats(expected, timeout),
            (None, Some(id)) => id.clone(),
            (None, None) => unreachable!("a check has counts or a backup to read them from"),
        };
        let backup = match self.api.describe_backup(&id, timeout) {
            Ok(backup) => backup,
            Err(ApiError::NotFound { detail }) => {
                return Err(ApiError::Rejected {
                    detail: format!(
                        "{detail}; the backup the restore job restored is gone, so the \
                         restored data cannot be compared with it (--no-restore-verify \
                         skips the check)"
                    ),
                });
            }
            Err(other) => return Err(other),
        };
        let expected = Expected::from_backup(&backup).map_err(|why| ApiError::Rejected {
            detail: format!("backup {id}: {why} (--no-restore-verify skips the check)"),
        })?;
        self.expected = Some(expected);
        self.backup = Some(backup.clone());
        Ok(Checked::Backup(backup, expected))
    }

    fn classify(&self, checked: &Checked) -> Verdict {
        match checked {
            Checked::Backup(..) => Verdict::Continue,
            Checked::Stats(_, counts) if counts.matches() => Verdict::Target,
            Checked::Stats(..) => Verdict::Pending,
        }
    }

    fn status<'s>(&self, _: &'s Checked) -> Option<&'s str> {
        // Counts, not a status: the report shows them as the detail.
        None
    }

    fn shown<'s>(&self, checked: &'s Checked) -> Shown<'s> {
        match checked {
            Checked::Backup(backup, expected) => Shown(vec![
                Part::Ours("backup ".into()),
                Part::Server(backup.text("backup_id").unwrap_or("?")),
                Part::Ours(
                    format!(
                        " holds {} records in {} namespaces, to compare with",
                        expected.records, expected.namespaces
                    )
                    .into(),
                ),
            ]),
            Checked::Stats(_, counts) => Shown(vec![Part::Ours(
                format!("index {}: {}", self.index, counts.progress()).into(),
            )]),
        }
    }

    fn failed(&self, _: &Checked) -> String {
        unreachable!("a data check fails only at the deadline (at_deadline)")
    }

    fn not_found_is_pending(&self) -> bool {
        // The control plane has just said the index is ready; its host may
        // take a moment to serve it. (The backup's 404 is mapped above.)
        self.expected.is_some()
    }

    fn progress(&self, checked: &Checked) -> Option<String> {
        checked.counts().map(|counts| {
            format!(
                "{}/{} records",
                counts.seen_records, counts.expected_records
            )
        })
    }

    fn at_deadline(&self, last: Option<&Checked>) -> Option<String> {
        let counts = last?.counts()?;
        (!counts.matches()).then(|| {
            format!(
                "the restored index {} does not hold what the backup holds: {}",
                self.index,
                counts.progress()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;
    use crate::outcome::Outcome;
    use crate::watches::scripted::{Script, Scripted, stats, wait};
    use serde_json::json;

    const S: fn(u64) -> Duration = Duration::from_secs;

    fn check<'a>(plane: &'a Scripted<'_>, against: Against) -> VerifyWatch<'a> {
        VerifyWatch::new(
            plane,
            IndexName::from_raw("drill").unwrap(),
            IndexHost::parse("127.0.0.1:9").unwrap(),
            against,
        )
    }

    fn expected() -> Against {
        Against::Counts(Expected {
            records: 1200,
            namespaces: 3,
        })
    }

    #[test]
    fn lagging_counts_are_asked_again_until_they_match() {
        let clock = FakeClock::new();
        let mut plane = Scripted::new(&clock);
        plane.stats = Script::of(vec![
            Ok(stats(0, 0)),
            Err(ApiError::NotFound {
                detail: "HTTP 404".into(),
            }),
            Ok(stats(1150, 3)),
            Ok(stats(1200, 3)),
        ]);
        let mut watch = check(&plane, expected());
        let finished = wait(&clock, &mut watch, S(60));
        assert_eq!(finished.outcome, Outcome::Ready, "{finished:?}");
        assert_eq!(finished.attempts, 4);
        let counts = finished.last.unwrap().counts().unwrap();
        assert_eq!(
            counts.sentence(),
            "1200 of 1200 records in 3 of 3 namespaces"
        );
    }

    #[test]
    fn counts_that_still_differ_at_the_deadline_are_a_failure_not_a_timeout() {
        let clock = FakeClock::new();
        let mut plane = Scripted::new(&clock);
        plane.stats = Script::of(vec![Ok(stats(1199, 3))]);
        let mut watch = check(&plane, expected());
        let finished = wait(&clock, &mut watch, S(30));
        assert_eq!(finished.outcome, Outcome::Failed);
        let error = finished.error.unwrap();
        assert!(
            error.starts_with(
                "the restored index drill does not hold what the backup holds: stats still \
                 lag: 1199 of 1200 records in 3 of 3 namespaces (deadline of 30s passed after"
            ),
            "{error}"
        );
        // No stats at all by the deadline: nothing was compared, a timeout.
        let clock = FakeClock::new();
        let mut plane = Scripted::new(&clock);
        plane.stats = Script::of(vec![Err(ApiError::transient("HTTP 503"))]);
        let mut watch = check(&plane, expected());
        assert_eq!(wait(&clock, &mut watch, S(30)).outcome, Outcome::Timeout);
    }

    #[test]
    fn a_job_s_backup_is_described_first_for_its_counts() {
        let clock = FakeClock::new();
        let mut plane = Scripted::new(&clock);
        plane.backups = Script::of(vec![Ok(Backup::from_value(json!({
            "backup_id": "b1", "status": "Ready", "record_count": 1200, "namespace_count": 3
        }))
        .unwrap())]);
        plane.stats = Script::of(vec![Ok(stats(1200, 3))]);
        let mut watch = check(&plane, Against::Backup(BackupId::from_raw("b1").unwrap()));
        let finished = wait(&clock, &mut watch, S(60));
        assert_eq!(finished.outcome, Outcome::Ready);
        assert_eq!(*plane.log.borrow(), ["backup", "stats"]);
        assert!(clock.sleeps().is_empty(), "the stats follow at once");
        assert_eq!(watch.expected().unwrap().records, 1200);
        assert_eq!(watch.backup().unwrap().text("backup_id"), Some("b1"));
    }

    #[test]
    fn a_backup_without_counts_or_gone_cannot_be_compared_with() {
        for answer in [
            Ok(Backup::from_value(json!({"backup_id": "b1", "status": "Ready"})).unwrap()),
            Err(ApiError::NotFound {
                detail: "HTTP 404".into(),
            }),
        ] {
            let clock = FakeClock::new();
            let mut plane = Scripted::new(&clock);
            plane.backups = Script::of(vec![answer]);
            let mut watch = check(&plane, Against::Backup(BackupId::from_raw("b1").unwrap()));
            let finished = wait(&clock, &mut watch, S(60));
            assert_eq!(finished.outcome, Outcome::Error);
            assert!(
                finished
                    .error
                    .unwrap()
                    .ends_with("(--no-restore-verify skips the check)")
            );
        }
    }
}
