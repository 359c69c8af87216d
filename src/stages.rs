//! The run as a short list of stages, in one place (`run`):
//!
//! 1. `select`: which backup. The one given (`--backup-id`: nothing to
//!    do), a new one (`--create-from-index`, never sent twice by accident)
//!    or the newest of an index (`--latest-of-index`, bounded listing).
//! 2. `backup`: wait until that backup is ready or has failed.
//! 3. `restore` (with `--restore-to-index`): create the index from the
//!    backup (never sent twice by accident, never over an existing index),
//!    then wait for the restore job to complete. With `--restore-job-id`
//!    the run starts here, with a job that exists and no backup selected.
//! 4. `index`: wait for the restored index to be ready.
//! 5. `verify` (unless `--no-restore-verify`): wait for the index's data
//!    plane to count the backup's records and namespaces.
//!
//! Every stage is a wait of the one loop (`wait.rs`) over its own `Watch`
//! (`watches/`), under the run's one deadline (`Session`); each reports
//! what it saw (`StageReport`), and the report renders the stages. This
//! module decides only the order and what one stage hands the next.

use std::time::{Duration, SystemTime};

use crate::api::index_model::IndexModel;
use crate::api::index_stats::{Counts, Expected, IndexStats};
use crate::api::restore_job::RestoreJob;
use crate::api::restore_request::CreateIndexRequest;
use crate::api::{ApiError, Backup, ControlPlane, NewBackup};
use crate::config::{BackupId, Config, IndexName, Restore, RestoreJobId, Selection};
use crate::outcome::Outcome;
use crate::status::StatusRules;
use crate::timestamp::age;
use crate::wait::{Finished, Observer, Session, Watch};
use crate::watches::backup::BackupWatch;
use crate::watches::create::{CreateWatch, Created, generated_name};
use crate::watches::index::IndexWatch;
use crate::watches::listing::{LatestWatch, Listed};
use crate::watches::restore::{NewRestore, RestoreWatch};
use crate::watches::verify::{Against, Checked, VerifyWatch};

/// A stage of the run, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Creating the backup, or listing an index's backups for the latest.
    Select,
    /// Waiting for the selected backup.
    Backup,
    /// Starting a restore of the backup (or taking the job given), then
    /// waiting for the restore job.
    Restore,
    /// Waiting for the restored index.
    Index,
    /// Checking the restored index's data against the backup's counts.
    Verify,
}

impl Stage {
    /// The value of the `stage` output.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Select => "select",
            Stage::Backup => "backup",
            Stage::Restore => "restore",
            Stage::Index => "index",
            Stage::Verify => "verify",
        }
    }
}

/// How the backup was chosen: the `selected_by` output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectedBy {
    /// `--backup-id`.
    Id,
    /// `--create-from-index`.
    Create,
    /// `--latest-of-index`.
    Latest,
    /// `--restore-job-id`: no backup is selected.
    RestoreJob,
}

impl SelectedBy {
    /// The value of the `selected_by` output.
    pub fn label(self) -> &'static str {
        match self {
            SelectedBy::Id => "id",
            SelectedBy::Create => "create",
            SelectedBy::Latest => "latest",
            SelectedBy::RestoreJob => "restore_job",
        }
    }
}

/// What the run is to do, settled before the first request: the
/// configuration's selection with a generated name filled in.
#[derive(Debug, Clone)]
pub struct Plan {
    /// How the backup is chosen.
    pub selection: Selection,
    /// The name a create sends (the user's or a generated one).
    pub backup_name: Option<String>,
    /// Ready and failed statuses.
    pub statuses: StatusRules,
    /// The restore to start once the backup is ready.
    pub restore: Option<Restore>,
    /// Whether a restored index's data is checked.
    pub verify: bool,
}

impl Plan {
    /// The plan for `config`; a create without `--backup-name` gets a name
    /// from the index, `now` (UTC) and `random`.
    pub fn from_config(config: &Config, now: SystemTime, random: u32) -> Plan {
        let backup_name = match &config.selection {
            Selection::Create { index, name, .. } => Some(
                name.clone()
                    .unwrap_or_else(|| generated_name(index, now, random)),
            ),
            _ => None,
        };
        Plan {
            selection: config.selection.clone(),
            backup_name,
            statuses: config.statuses.clone(),
            restore: config.restore.clone(),
            verify: config.restore_verify,
        }
    }

    /// Whether the run restores (a new restore, or a job that exists).
    pub fn restores(&self) -> bool {
        self.restore.is_some() || matches!(self.selection, Selection::RestoreJob(_))
    }

    /// The stage this plan starts in: where a run that ends before any
    /// request (an output file that cannot be written) stopped.
    pub fn first_stage(&self) -> Stage {
        match self.selection {
            Selection::Id(_) => Stage::Backup,
            Selection::Create { .. } | Selection::Latest { .. } => Stage::Select,
            Selection::RestoreJob(_) => Stage::Restore,
        }
    }

    /// The `selected_by` of this plan.
    pub fn selected_by(&self) -> SelectedBy {
        match self.selection {
            Selection::Id(_) => SelectedBy::Id,
            Selection::Create { .. } => SelectedBy::Create,
            Selection::Latest { .. } => SelectedBy::Latest,
            Selection::RestoreJob(_) => SelectedBy::RestoreJob,
        }
    }
}

/// The backup the run waits for, and why it is that one.
#[derive(Debug, Clone, PartialEq)]
pub struct Selected {
    /// How it was chosen.
    pub by: SelectedBy,
    /// Its id.
    pub backup_id: String,
    /// The index it was created from or listed for (`None` for an id).
    pub index: Option<String>,
    /// Whether this run created it (`created` output).
    pub created: bool,
    /// Whether it was found after an ambiguous create failure rather than
    /// answered by the create.
    pub adopted: bool,
    /// For the latest of an index: how long ago it was created, and how
    /// many backups the index has.
    pub latest: Option<(Duration, usize)>,
}

/// What one stage saw.
#[derive(Debug, Clone, PartialEq)]
pub struct StageReport {
    /// Which stage.
    pub stage: Stage,
    /// How it ended (`Ready` for a stage that did its part).
    pub outcome: Outcome,
    /// Requests it made.
    pub attempts: u32,
    /// When it started, from the start of the run.
    pub started: Duration,
    /// How long it took.
    pub duration: Duration,
    /// The distinct statuses it saw, in order, bounded.
    pub statuses: Vec<String>,
    /// One more fact for the timeline, raw (server text included): the
    /// backup selected, the restore job, the counts compared.
    pub detail: Option<String>,
}

/// What the restore stages saw: the job, the index, the counts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Restored {
    /// Whether this run started the restore (a create-index answered, or
    /// its job was found after an ambiguous failure): `restore_created`.
    /// Only then is the index this run's to name and to clean up.
    pub created: bool,
    /// Whether the job was found after an ambiguous failure.
    pub adopted: bool,
    /// The restore job's id, once known.
    pub job_id: Option<String>,
    /// The last RestoreJobModel received.
    pub job: Option<RestoreJob>,
    /// The index restored into: `--restore-to-index`, or the job's target.
    pub index_name: Option<String>,
    /// The new index's id (from the create-index answer or the job).
    pub index_id: Option<String>,
    /// The last IndexModel received.
    pub index: Option<IndexModel>,
    /// The last stats of the index, and how they compared.
    pub stats: Option<(IndexStats, Counts)>,
    /// The backup's counts the index was compared with.
    pub expected: Option<Expected>,
}

/// Hears about stages as they go; the human log implements it.
pub trait StageObserver: Observer {
    /// A stage begins; `what` says what it does, in our words (the plan
    /// holds no server text).
    fn entered(&mut self, stage: Stage, what: &str);
    /// The select stage chose `backup`.
    fn selected(&mut self, selected: &Selected, backup: &Backup);
}

/// How the run ended, with everything the reports need.
#[derive(Debug, Clone, PartialEq)]
pub struct Ran {
    /// How it ended.
    pub outcome: Outcome,
    /// Why it did not end ready.
    pub error: Option<String>,
    /// The id of the backup waited for (or given), once known.
    pub backup_id: Option<String>,
    /// The last BackupModel received.
    pub backup: Option<Backup>,
    /// How the backup was chosen.
    pub selected_by: SelectedBy,
    /// The selection, once made.
    pub selected: Option<Selected>,
    /// The last stage entered.
    pub stage: Stage,
    /// Each stage entered, in order.
    pub stages: Vec<StageReport>,
    /// Requests made in all.
    pub attempts: u32,
    /// Time from the start to the end.
    pub elapsed: Duration,
    /// What the restore stages saw, when the run restores.
    pub restore: Option<Restored>,
}

impl Ran {
    /// Whether this run created the backup (`created` output).
    pub fn created(&self) -> bool {
        self.selected.as_ref().is_some_and(|s| s.created)
    }
}

/// Runs the stages in order under one session, stopping at the first that
/// does not end ready.
pub fn run(
    plan: &Plan,
    api: &dyn ControlPlane,
    session: &mut Session<'_>,
    observer: &mut dyn StageObserver,
) -> Ran {
    let mut run = Running::new(plan);

    // 1. select: which backup.
    let (selected, seed) = match &plan.selection {
        Selection::Id(id) => {
            let selected = Selected {
                by: SelectedBy::Id,
                backup_id: id.as_str().to_owned(),
                index: None,
                created: false,
                adopted: false,
                latest: None,
            };
            (selected, None)
        }
        Selection::Create {
            index, description, ..
        } => {
            let name = plan.backup_name.clone().unwrap_or_default();
            let unique = matches!(&plan.selection, Selection::Create { name: None, .. });
            let request = NewBackup {
                name,
                description: description.clone(),
            };
            let what = format!(
                "creating a backup of index {index} named '{}'",
                crate::config::escaped(&request.name)
            );
            let mut watch = CreateWatch::new(api, index.clone(), request, unique);
            let finished = run.stage(session, Stage::Select, &what, &mut watch, observer);
            let adopted = matches!(finished.last, Some(Created::Adopted(_)));
            let Some(backup) = finished.last.as_ref().and_then(Created::backup).cloned() else {
                return run.end(session, finished.outcome, finished.error, None);
            };
            run.detail(select_detail(&backup, None, adopted));
            let selected = Selected {
                by: SelectedBy::Create,
                backup_id: String::new(),
                index: Some(index.to_string()),
                created: true,
                adopted,
                latest: None,
            };
            (selected, Some(backup))
        }
        Selection::Latest { index, max_age } => {
            let what = match max_age {
                Some(age) => format!(
                    "listing index {index}'s backups for the latest, no older than {}",
                    crate::config::HumanDuration(*age)
                ),
                None => format!("listing index {index}'s backups for the latest"),
            };
            let clock = session.clock();
            let mut watch = LatestWatch::new(api, clock, &plan.statuses, index.clone(), *max_age);
            let finished = run.stage(session, Stage::Select, &what, &mut watch, observer);
            let Some(Listed::Chosen(choice)) = finished.last else {
                return run.end(session, finished.outcome, finished.error, None);
            };
            run.detail(select_detail(&choice.backup, Some(choice.age), false));
            let selected = Selected {
                by: SelectedBy::Latest,
                backup_id: String::new(),
                index: Some(index.to_string()),
                created: false,
                adopted: false,
                latest: Some((choice.age, choice.listed)),
            };
            (selected, Some(choice.backup))
        }
        Selection::RestoreJob(job) => {
            // No backup is selected: the job names it.
            return restore_stages(
                &mut run,
                plan,
                api,
                session,
                observer,
                Start::Existing(job.clone()),
                None,
            );
        }
    };
    let (id, selected) = match seed.as_ref() {
        None => (BackupId::from_raw(&selected.backup_id), selected),
        Some(backup) => {
            let raw = backup.text("backup_id").unwrap_or_default();
            let id = BackupId::from_raw(raw);
            (
                id,
                Selected {
                    backup_id: raw.to_owned(),
                    ..selected
                },
            )
        }
    };
    let id = match id {
        Ok(id) => id,
        Err(reason) => {
            // An id the API gave that cannot name a backup in a URL.
            let error = ApiError::Malformed {
                detail: format!("the selected backup's id cannot be used: {reason}"),
            };
            run.selected = Some(selected);
            return run.end(session, Outcome::Error, Some(error.to_string()), seed);
        }
    };
    if let Some(backup) = &seed {
        observer.selected(&selected, backup);
    }
    run.backup_id = Some(selected.backup_id.clone());
    let just_created = selected.created;
    run.selected = Some(selected);

    // 2. backup: wait until it is ready or has failed.
    let what = format!("waiting for backup {}", crate::config::escaped(id.as_str()));
    let mut watch = BackupWatch::new(api, id.clone(), &plan.statuses, just_created);
    let finished = run.stage_seeded(session, Stage::Backup, &what, &mut watch, seed, observer);
    let (Outcome::Ready, Some(restore), Some(backup)) =
        (finished.outcome, &plan.restore, &finished.last)
    else {
        return run.end(session, finished.outcome, finished.error, finished.last);
    };
    // A backup that does not report its counts cannot be checked: said
    // before an index is created, not after.
    let expected = if plan.verify {
        match Expected::from_backup(backup) {
            Ok(expected) => Some(expected),
            Err(why) => {
                let error = format!(
                    "backup {id}: {why}; no restore was started (--no-restore-verify restores \
                     without the check)"
                );
                return run.end(session, Outcome::Error, Some(error), finished.last);
            }
        }
    } else {
        None
    };
    let start = Start::New(NewRestore {
        backup: id,
        request: CreateIndexRequest {
            name: restore.index.clone(),
            tags: restore.tags.clone(),
            deletion_protection: restore.deletion_protection,
        },
    });
    run.backup = finished.last;
    restore_stages(&mut run, plan, api, session, observer, start, expected)
}

/// How the restore stage begins.
enum Start {
    /// Start a restore of a ready backup.
    New(NewRestore),
    /// Follow a job that exists (`--restore-job-id`).
    Existing(RestoreJobId),
}

/// The restore, index and verify stages. `expected` is the backup's counts
/// when they are in hand (else the check describes the job's backup first).
fn restore_stages(
    run: &mut Running,
    plan: &Plan,
    api: &dyn ControlPlane,
    session: &mut Session<'_>,
    observer: &mut dyn StageObserver,
    start: Start,
    expected: Option<Expected>,
) -> Ran {
    // 3. restore: start it (or take the job given), wait for the job.
    let (what, mut watch) = match start {
        Start::New(new) => (
            format!(
                "restoring backup {} into a new index {}",
                crate::config::escaped(new.backup.as_str()),
                new.request.name
            ),
            RestoreWatch::start(api, new),
        ),
        Start::Existing(id) => (
            format!(
                "waiting for restore job {}",
                crate::config::escaped(id.as_str())
            ),
            RestoreWatch::existing(api, id),
        ),
    };
    let finished = run.stage(session, Stage::Restore, &what, &mut watch, observer);
    let job = finished.last.as_ref().and_then(|seen| seen.job()).cloned();
    let index_name = match &plan.restore {
        Some(restore) => Some(restore.index.to_string()),
        None => job
            .as_ref()
            .and_then(|job| job.target_index_name())
            .map(str::to_owned),
    };
    run.restore = Some(Restored {
        created: watch.created(),
        adopted: watch.adopted(),
        job_id: watch.job_id().map(|id| id.as_str().to_owned()).or_else(|| {
            job.as_ref()
                .and_then(|j| j.restore_job_id().map(str::to_owned))
        }),
        index_id: watch.index_id().map(str::to_owned).or_else(|| {
            job.as_ref()
                .and_then(|j| j.target_index_id().map(str::to_owned))
        }),
        job: job.clone(),
        index_name: index_name.clone(),
        expected,
        ..Restored::default()
    });
    if run.backup_id.is_none() {
        run.backup_id = job
            .as_ref()
            .and_then(|job| job.backup_id())
            .map(str::to_owned);
    }
    if let Some(id) = run.restore.as_ref().and_then(|r| r.job_id.clone()) {
        let adopted = if watch.adopted() {
            ", found after a lost answer"
        } else {
            ""
        };
        run.detail(format!("job {id}{adopted}"));
    }
    if finished.outcome != Outcome::Ready {
        return run.finish(session, finished.outcome, finished.error);
    }
    let created = watch.created();
    let Some(job) = job else {
        unreachable!("a restore stage that ended ready has seen its job")
    };

    // The job names what comes next: its index, and (for a job given) its
    // backup. Either may be missing or unusable in a malformed answer.
    let name = index_name
        .as_deref()
        .ok_or_else(|| "the completed restore job does not name its index".to_owned())
        .and_then(IndexName::from_raw);
    let name = match name {
        Ok(name) => name,
        Err(why) => {
            let error = format!(
                "restore job {}: {why}",
                crate::wait::prefix(job.restore_job_id().unwrap_or("?"), 200)
            );
            return run.finish(session, Outcome::Error, Some(error));
        }
    };

    // 4. index: wait until it is ready.
    let what = format!("waiting for index {name}");
    let mut watch = IndexWatch::new(api, name.clone(), created);
    let finished = run.stage(session, Stage::Index, &what, &mut watch, observer);
    if let Some(restored) = run.restore.as_mut() {
        restored.index = finished.last.clone();
    }
    if finished.outcome != Outcome::Ready {
        return run.finish(session, finished.outcome, finished.error);
    }
    let Some(index) = finished.last else {
        unreachable!("an index stage that ended ready has seen the index")
    };
    let host = match index.data_plane() {
        Ok(host) => host,
        Err(why) => {
            let error = format!("index {name} is ready, but its host cannot be used: {why}");
            return run.finish(session, Outcome::Error, Some(error));
        }
    };
    run.detail(format!("host {}", index.host().unwrap_or_default()));
    if !plan.verify {
        return run.finish(session, Outcome::Ready, None);
    }

    // 5. verify: the data plane's counts against the backup's.
    let against = match expected {
        Some(expected) => Against::Counts(expected),
        None => match run.backup_id.as_deref().map(BackupId::from_raw) {
            Some(Ok(id)) => Against::Backup(id),
            _ => {
                let error = format!(
                    "restore job {} does not name a usable backup_id, so the restored data \
                     cannot be compared with the backup (--no-restore-verify skips the check)",
                    crate::wait::prefix(job.restore_job_id().unwrap_or("?"), 200)
                );
                return run.finish(session, Outcome::Error, Some(error));
            }
        },
    };
    let what = match &against {
        Against::Counts(expected) => format!(
            "checking index {name}'s data against the backup: {} records in {} namespaces",
            expected.records, expected.namespaces
        ),
        Against::Backup(id) => format!(
            "checking index {name}'s data against backup {}",
            crate::config::escaped(id.as_str())
        ),
    };
    let mut watch = VerifyWatch::new(api, name, host, against);
    let finished = run.stage(session, Stage::Verify, &what, &mut watch, observer);
    // The last stats seen (a failed attempt after them does not erase them).
    if let Some(Checked::Stats(stats, counts)) = &finished.last {
        run.detail(counts.progress());
        if let Some(restored) = run.restore.as_mut() {
            restored.stats = Some((stats.clone(), *counts));
        }
    }
    if let Some(restored) = run.restore.as_mut() {
        restored.expected = watch.expected();
    }
    if run.backup.is_none() {
        run.backup = watch.backup().cloned();
    }
    run.finish(session, finished.outcome, finished.error)
}

/// The select stage's detail: the backup's name (or id), its age for the
/// latest, and whether it was found after a lost answer.
fn select_detail(backup: &Backup, old: Option<Duration>, adopted: bool) -> String {
    let name = backup
        .text("name")
        .or_else(|| backup.text("backup_id"))
        .unwrap_or("?");
    let mut detail = name.to_owned();
    if let Some(old) = old {
        detail.push_str(&format!(" ({} old)", age(old)));
    }
    if adopted {
        detail.push_str(", found after a lost answer");
    }
    detail
}

/// The run so far.
struct Running {
    selected_by: SelectedBy,
    selected: Option<Selected>,
    backup_id: Option<String>,
    /// The backup, once its wait is over (for a run that goes on).
    backup: Option<Backup>,
    stage: Stage,
    stages: Vec<StageReport>,
    restore: Option<Restored>,
}

impl Running {
    fn new(plan: &Plan) -> Running {
        let backup_id = match &plan.selection {
            Selection::Id(id) => Some(id.as_str().to_owned()),
            _ => None,
        };
        Running {
            selected_by: plan.selected_by(),
            selected: None,
            backup_id,
            backup: None,
            stage: match plan.selection {
                Selection::Id(_) => Stage::Backup,
                Selection::RestoreJob(_) => Stage::Restore,
                _ => Stage::Select,
            },
            stages: Vec::new(),
            restore: None,
        }
    }

    fn stage<W: Watch>(
        &mut self,
        session: &mut Session<'_>,
        stage: Stage,
        what: &str,
        watch: &mut W,
        observer: &mut dyn StageObserver,
    ) -> Finished<W::Seen> {
        self.stage_seeded(session, stage, what, watch, None, observer)
    }

    /// Enters `stage`, waits on `watch` and records what it saw.
    fn stage_seeded<W: Watch>(
        &mut self,
        session: &mut Session<'_>,
        stage: Stage,
        what: &str,
        watch: &mut W,
        seed: Option<W::Seen>,
        observer: &mut dyn StageObserver,
    ) -> Finished<W::Seen> {
        self.stage = stage;
        observer.entered(stage, what);
        let started = session.elapsed();
        let finished = session.wait(watch, seed, observer);
        self.stages.push(StageReport {
            stage,
            outcome: finished.outcome,
            attempts: finished.attempts,
            started,
            duration: finished.elapsed.saturating_sub(started),
            statuses: finished.statuses.clone(),
            detail: None,
        });
        finished
    }

    /// Sets the detail of the stage last entered.
    fn detail(&mut self, detail: String) {
        if let Some(last) = self.stages.last_mut() {
            last.detail = Some(detail);
        }
    }

    /// Ends a run that went past its backup wait (the backup, if any, is
    /// in `self.backup`).
    fn finish(&mut self, session: &Session<'_>, outcome: Outcome, error: Option<String>) -> Ran {
        let backup = self.backup.take();
        self.end_ref(session, outcome, error, backup)
    }

    fn end(
        mut self,
        session: &Session<'_>,
        outcome: Outcome,
        error: Option<String>,
        backup: Option<Backup>,
    ) -> Ran {
        self.end_ref(session, outcome, error, backup)
    }

    fn end_ref(
        &mut self,
        session: &Session<'_>,
        outcome: Outcome,
        error: Option<String>,
        backup: Option<Backup>,
    ) -> Ran {
        Ran {
            outcome,
            error,
            backup_id: self.backup_id.take(),
            backup,
            selected_by: self.selected_by,
            selected: self.selected.take(),
            stage: self.stage,
            stages: std::mem::take(&mut self.stages),
            attempts: session.attempts(),
            elapsed: session.elapsed(),
            restore: self.restore.take(),
        }
    }
}

#[cfg(test)]
mod tests {
    //! The stages end to end against a small scripted control plane on a
    //! fake clock: what each mode asks, in which order, and what a create
    //! costs. (The binary against the stateful fake is tests/it.)

    use std::cell::RefCell;
    use std::collections::VecDeque;

    use serde_json::json;

    use super::*;
    use crate::api::index_model::IndexHost;
    use crate::api::restore_job::RestoreJobPage;
    use crate::api::restore_request::CreateIndexResponse;
    use crate::api::{BackupPage, Delivery, WriteFailure};
    use crate::clock::{Clock, FakeClock, FixedJitter, SystemJitter};
    use crate::config::IndexName;
    use crate::schedule::Schedule;
    use crate::wait::{Attempt, WaitPolicy};

    const S: fn(u64) -> Duration = Duration::from_secs;
    const MS: fn(u64) -> Duration = Duration::from_millis;

    /// What the next POST does.
    enum Post {
        /// Creates the backup and answers.
        Create,
        /// Creates the backup, then fails this way (the answer is lost).
        CreateThenFail(ApiError, Delivery),
        /// Fails this way without creating anything.
        Fail(ApiError, Delivery),
    }

    /// How a restore goes on the scripted plane.
    #[derive(Clone)]
    struct Restoring {
        /// From the create-index to `Completed` (`Pending` for the first
        /// tenth, then `InProgress` with a float percent).
        job_takes: Duration,
        /// The job's final status.
        ends: &'static str,
        /// From `Completed` to the index being `Ready`.
        index_after: Duration,
        /// The index's state when it fails (after a failed job, or this).
        index_fails: Option<&'static str>,
        /// From `Ready` to the stats matching the backup (`None`: never).
        stats_lag: Option<Duration>,
        /// Until then a create-index answers 412 (the backup not ready).
        precondition_until: Duration,
    }

    impl Default for Restoring {
        fn default() -> Self {
            Restoring {
                job_takes: S(600),
                ends: "Completed",
                index_after: S(30),
                index_fails: None,
                stats_lag: Some(Duration::ZERO),
                precondition_until: Duration::ZERO,
            }
        }
    }

    /// A restore job on the plane: id, backup, index, when it was made.
    struct Job {
        id: String,
        backup: String,
        index: String,
        made: Duration,
    }

    /// A control plane on a fake clock: one index, backups that are
    /// `Initializing` until `ready_after`, then `Ready` (1200 records in 3
    /// namespaces); restores that follow `restoring`; every request takes
    /// 100 ms and is logged.
    struct Plane<'c> {
        clock: &'c FakeClock,
        ready_after: Duration,
        page_size: usize,
        backups: RefCell<Vec<(String, String, Duration)>>,
        posts: RefCell<VecDeque<Post>>,
        index_posts: RefCell<VecDeque<Post>>,
        restoring: Restoring,
        jobs: RefCell<Vec<Job>>,
        /// Indexes that exist before the run (a create-index answers 409).
        existing: Vec<String>,
        log: RefCell<Vec<String>>,
    }

    impl<'c> Plane<'c> {
        fn new(clock: &'c FakeClock, ready_after: Duration) -> Self {
            Plane {
                clock,
                ready_after,
                page_size: 100,
                backups: RefCell::new(Vec::new()),
                posts: RefCell::new(VecDeque::new()),
                index_posts: RefCell::new(VecDeque::new()),
                restoring: Restoring::default(),
                jobs: RefCell::new(Vec::new()),
                existing: Vec::new(),
                log: RefCell::new(Vec::new()),
            }
        }

        fn then(self, post: Post) -> Self {
            self.posts.borrow_mut().push_back(post);
            self
        }

        fn then_create_index(self, post: Post) -> Self {
            self.index_posts.borrow_mut().push_back(post);
            self
        }

        /// A restore job of another run, long done.
        fn old_job(&self, backup: &str, index: &str) {
            let id = format!("old-job-{}", self.jobs.borrow().len() + 1);
            self.jobs.borrow_mut().push(Job {
                id,
                backup: backup.to_owned(),
                index: index.to_owned(),
                made: Duration::ZERO,
            });
        }

        /// Time since `job` was made; a job of another run is long done.
        fn job_age(&self, job: &Job) -> Duration {
            if job.id.starts_with("old-") {
                S(1_000_000)
            } else {
                self.clock.elapsed().saturating_sub(job.made)
            }
        }

        fn job_model(&self, job: &Job) -> RestoreJob {
            let age = self.job_age(job);
            let r = &self.restoring;
            let (status, percent) = if age >= r.job_takes {
                (r.ends, 100.0)
            } else if age < r.job_takes / 10 {
                ("Pending", 0.0)
            } else {
                let done = age.as_secs_f64() / r.job_takes.as_secs_f64() * 100.0;
                ("InProgress", (done * 10.0).floor() / 10.0)
            };
            RestoreJob::from_value(json!({
                "restore_job_id": job.id, "backup_id": job.backup,
                "target_index_name": job.index, "target_index_id": format!("idx-{}", job.id),
                "status": status, "percent_complete": percent,
                "created_at": "2026-03-20T14:30:00Z",
            }))
            .unwrap()
        }

        /// The index of `job`: state and readiness now.
        fn index_model(&self, job: &Job) -> IndexModel {
            let age = self.job_age(job);
            let r = &self.restoring;
            let (state, ready) = if r.ends != "Completed" && age >= r.job_takes {
                ("InitializationFailed", false)
            } else if age < r.job_takes + r.index_after {
                ("Initializing", false)
            } else if let Some(fails) = r.index_fails {
                (fails, false)
            } else {
                ("Ready", true)
            };
            IndexModel::from_value(json!({
                "name": job.index, "host": format!("{}-abc.svc.pinecone.io", job.index),
                "status": {"ready": ready, "state": state}, "dimension": 8, "metric": "cosine",
            }))
            .unwrap()
        }

        /// A backup made before the run (so long done); answers its id.
        fn seed(&self, name: &str) -> String {
            let id = format!("b{}", self.backups.borrow().len() + 1);
            self.backups
                .borrow_mut()
                .push((id.clone(), name.to_owned(), Duration::ZERO));
            id
        }

        /// Made at zero: seeded before the run, so long done.
        fn model(&self, (id, name, made): &(String, String, Duration)) -> Backup {
            let done = *made == Duration::ZERO
                || self.clock.elapsed().saturating_sub(*made) >= self.ready_after;
            let status = if done { "Ready" } else { "Initializing" };
            Backup::from_value(json!({
                "backup_id": id, "name": name, "status": status,
                "source_index_name": "prod", "created_at": "2026-03-20T14:29:00Z",
                "record_count": 1200, "namespace_count": 3
            }))
            .unwrap()
        }

        fn request(&self, what: &str) {
            self.clock.advance(MS(100));
            self.log.borrow_mut().push(what.to_owned());
        }

        fn count(&self, what: &str) -> usize {
            self.log.borrow().iter().filter(|w| *w == what).count()
        }
    }

    impl ControlPlane for Plane<'_> {
        fn describe_backup(&self, id: &BackupId, _: Duration) -> Result<Backup, ApiError> {
            self.request("GET");
            let backups = self.backups.borrow();
            match backups.iter().find(|b| b.0 == id.as_str()) {
                Some(backup) => Ok(self.model(backup)),
                None => Err(ApiError::NotFound {
                    detail: "HTTP 404".into(),
                }),
            }
        }

        fn list_index_backups(
            &self,
            _: &IndexName,
            token: Option<&str>,
            _: Duration,
        ) -> Result<BackupPage, ApiError> {
            self.request("LIST");
            let start: usize = token.map_or(0, |t| t.parse().unwrap());
            let backups = self.backups.borrow();
            let end = (start + self.page_size).min(backups.len());
            Ok(BackupPage {
                backups: backups[start..end].iter().map(|b| self.model(b)).collect(),
                next: (end < backups.len()).then(|| end.to_string()),
            })
        }

        fn create_backup(
            &self,
            _: &IndexName,
            backup: &NewBackup,
            _: Duration,
        ) -> Result<Backup, WriteFailure> {
            self.request("POST");
            let post = self.posts.borrow_mut().pop_front().unwrap_or(Post::Create);
            let create = || {
                let id = format!("new{}", self.backups.borrow().len() + 1);
                let made = self.clock.elapsed();
                self.backups
                    .borrow_mut()
                    .push((id, backup.name.clone(), made));
                self.model(self.backups.borrow().last().unwrap())
            };
            match post {
                Post::Create => Ok(create()),
                Post::CreateThenFail(error, delivery) => {
                    create();
                    Err(WriteFailure::new(error, delivery))
                }
                Post::Fail(error, delivery) => Err(WriteFailure::new(error, delivery)),
            }
        }

        fn create_index_from_backup(
            &self,
            backup: &BackupId,
            request: &CreateIndexRequest,
            _: Duration,
        ) -> Result<CreateIndexResponse, WriteFailure> {
            self.request("CREATE-INDEX");
            let post = self
                .index_posts
                .borrow_mut()
                .pop_front()
                .unwrap_or(Post::Create);
            let name = request.name.as_str();
            // An index restored by another run was deleted since.
            let taken = self.existing.iter().any(|n| n == name)
                || self
                    .jobs
                    .borrow()
                    .iter()
                    .any(|j| j.index == name && !j.id.starts_with("old-"));
            if let Post::Fail(error, delivery) = post {
                return Err(WriteFailure::new(error, delivery));
            }
            if self.clock.elapsed() < self.restoring.precondition_until {
                return Err(WriteFailure::new(
                    ApiError::transient("HTTP 412 Precondition Failed: not completed"),
                    Delivery::Answered {
                        status: 412,
                        code: Some("FAILED_PRECONDITION".into()),
                    },
                ));
            }
            if taken {
                return Err(WriteFailure::new(
                    ApiError::Rejected {
                        detail: format!("HTTP 409 Conflict; index '{name}' already exists"),
                    },
                    Delivery::Answered {
                        status: 409,
                        code: Some("ALREADY_EXISTS".into()),
                    },
                ));
            }
            let id = format!("job-{}", self.jobs.borrow().len() + 1);
            self.jobs.borrow_mut().push(Job {
                id: id.clone(),
                backup: backup.as_str().to_owned(),
                index: name.to_owned(),
                made: self.clock.elapsed(),
            });
            match post {
                Post::CreateThenFail(error, delivery) => Err(WriteFailure::new(error, delivery)),
                _ => Ok(CreateIndexResponse {
                    index_id: format!("idx-{id}"),
                    restore_job_id: id,
                }),
            }
        }

        fn describe_restore_job(
            &self,
            id: &RestoreJobId,
            _: Duration,
        ) -> Result<RestoreJob, ApiError> {
            self.request("JOB");
            let jobs = self.jobs.borrow();
            match jobs.iter().find(|j| j.id == id.as_str()) {
                Some(job) => Ok(self.job_model(job)),
                None => Err(ApiError::NotFound {
                    detail: "HTTP 404".into(),
                }),
            }
        }

        fn list_restore_jobs(
            &self,
            token: Option<&str>,
            _: Duration,
        ) -> Result<RestoreJobPage, ApiError> {
            self.request("JOBS");
            let start: usize = token.map_or(0, |t| t.parse().unwrap());
            let jobs = self.jobs.borrow();
            let end = (start + self.page_size).min(jobs.len());
            Ok(RestoreJobPage {
                jobs: jobs[start..end].iter().map(|j| self.job_model(j)).collect(),
                next: (end < jobs.len()).then(|| end.to_string()),
            })
        }

        fn describe_index(&self, name: &IndexName, _: Duration) -> Result<IndexModel, ApiError> {
            self.request("INDEX");
            let jobs = self.jobs.borrow();
            match jobs.iter().rev().find(|j| j.index == name.as_str()) {
                Some(job) => Ok(self.index_model(job)),
                None => Err(ApiError::NotFound {
                    detail: "HTTP 404".into(),
                }),
            }
        }

        fn describe_index_stats(
            &self,
            _: &IndexHost,
            name: &IndexName,
            _: Duration,
        ) -> Result<IndexStats, ApiError> {
            self.request("STATS");
            let jobs = self.jobs.borrow();
            let job = jobs
                .iter()
                .rev()
                .find(|j| j.index == name.as_str())
                .unwrap();
            let r = &self.restoring;
            let ready_at = r.job_takes + r.index_after;
            let since = self.job_age(job).saturating_sub(ready_at);
            let full = r.stats_lag.is_some_and(|lag| since >= lag);
            let body = if full {
                json!({"namespaces": {"": {"vectorCount": 1000}, "eu": {"vectorCount": 150},
                       "us": {"vectorCount": 50}}, "totalVectorCount": 1200})
            } else {
                json!({"namespaces": {"": {"vectorCount": 1000}, "eu": {"vectorCount": 150}},
                       "totalVectorCount": 1150})
            };
            Ok(IndexStats::from_value(body).unwrap())
        }
    }

    /// Hears nothing; the log's rendering is tested in report::log.
    #[derive(Default)]
    struct Quiet {
        entered: Vec<Stage>,
    }

    impl Observer for Quiet {
        fn attempt(&mut self, _: &Attempt<'_>) {}
        fn unknown_status(&mut self, _: &str) {}
        fn unknown_statuses_capped(&mut self, _: usize) {}
    }

    impl StageObserver for Quiet {
        fn entered(&mut self, stage: Stage, _: &str) {
            self.entered.push(stage);
        }
        fn selected(&mut self, _: &Selected, _: &Backup) {}
    }

    fn rules() -> StatusRules {
        StatusRules::new(
            "Ready".parse().unwrap(),
            "Failed,InitializationFailed".parse().unwrap(),
        )
        .unwrap()
    }

    fn create_plan(name: Option<&str>) -> Plan {
        let index = IndexName::from_raw("prod").unwrap();
        let backup_name = name.map_or_else(
            || generated_name(&index, FakeClock::new().wall(), 0xabcdef),
            str::to_owned,
        );
        Plan {
            selection: Selection::Create {
                index,
                name: name.map(str::to_owned),
                description: None,
            },
            backup_name: Some(backup_name),
            statuses: rules(),
            restore: None,
            verify: true,
        }
    }

    /// The defaults: 2 s..60 s x3, request timeout 30 s.
    fn policy(timeout: Duration) -> WaitPolicy {
        WaitPolicy {
            timeout,
            request_timeout: S(30),
            schedule: Schedule::new(S(2), S(60), 3.0, S(30)),
            resolve_limit: crate::wait::RESOLVE_LIMIT,
        }
    }

    fn run_plan(plan: &Plan, plane: &Plane<'_>, jitter: &mut dyn crate::clock::Jitter) -> Ran {
        let mut session = Session::start(policy(S(1800)), plane.clock, jitter);
        run(plan, plane, &mut session, &mut Quiet::default())
    }

    #[test]
    fn a_create_and_wait_of_a_backup_ready_after_ten_minutes_takes_seventeen_requests() {
        // One POST, whose answer (Initializing) is the first look at the
        // backup; then describes on the default schedule. At jitter 0.5 the
        // delays are 2, 4.5, 13.5, 40.5 s and then 45 s (the middle of
        // 30..60 s): 16 describes, the last at about 646 s.
        let clock = FakeClock::new();
        let plane = Plane::new(&clock, S(600));
        let ran = run_plan(&create_plan(None), &plane, &mut FixedJitter::new(&[0.5]));
        assert_eq!(ran.outcome, Outcome::Ready, "{ran:?}");
        assert_eq!(plane.count("POST"), 1);
        assert_eq!(plane.count("LIST"), 0, "a generated name needs no census");
        let requests = plane.log.borrow().len() as u32;
        assert_eq!(ran.attempts, requests);
        assert_eq!(requests, 17, "{:?}", clock.sleeps());
        // Ready at 600 s is noticed within one capped delay (60 s) and a request.
        assert!(
            ran.elapsed >= S(600) && ran.elapsed <= S(661),
            "{:?}",
            ran.elapsed
        );
        assert_eq!(ran.stage, Stage::Backup);
        assert_eq!(ran.stages.len(), 2);
        assert_eq!(ran.stages[0].attempts, 1);
        assert_eq!(ran.stages[1].statuses, vec!["Initializing", "Ready"]);
        assert!(ran.created());
    }

    #[test]
    fn the_ten_minute_create_stays_within_a_few_requests_on_every_jitter() {
        let mut counts = Vec::new();
        for seed in 0..200 {
            let clock = FakeClock::new();
            let plane = Plane::new(&clock, S(600));
            let ran = run_plan(
                &create_plan(None),
                &plane,
                &mut SystemJitter::from_seed(seed),
            );
            assert_eq!(ran.outcome, Outcome::Ready);
            counts.push(ran.attempts);
        }
        let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
        let mean = counts.iter().sum::<u32>() as f64 / counts.len() as f64;
        // 16 to 20 requests, 17.4 on average over these seeds; a fixed
        // 10 s loop makes 61 describes for the same wait (plus the POST).
        assert!(
            *min >= 16 && *max <= 20,
            "min {min}, max {max}, mean {mean}"
        );
    }

    #[test]
    fn an_ambiguous_create_failure_costs_one_list_when_the_backup_is_there() {
        let clock = FakeClock::new();
        let plane = Plane::new(&clock, S(10)).then(Post::CreateThenFail(
            ApiError::transient("sending the request: Connection reset by peer"),
            Delivery::NoAnswer,
        ));
        let ran = run_plan(&create_plan(None), &plane, &mut FixedJitter::new(&[0.5]));
        assert_eq!(ran.outcome, Outcome::Ready, "{ran:?}");
        assert_eq!(plane.count("POST"), 1, "never sent twice");
        assert_eq!(plane.count("LIST"), 1);
        assert_eq!(plane.backups.borrow().len(), 1);
        let selected = ran.selected.unwrap();
        assert!(selected.created && selected.adopted);
        // The look waited the first delay: 100 ms POST, 2 s, 100 ms list.
        assert_eq!(clock.sleeps()[0], S(2));
    }

    #[test]
    fn an_ambiguous_failure_that_created_nothing_costs_a_list_and_a_post() {
        let clock = FakeClock::new();
        let plane = Plane::new(&clock, S(10)).then(Post::Fail(
            ApiError::transient("HTTP 503 Service Unavailable"),
            Delivery::Answered {
                status: 503,
                code: None,
            },
        ));
        let ran = run_plan(&create_plan(None), &plane, &mut FixedJitter::new(&[0.5]));
        assert_eq!(ran.outcome, Outcome::Ready, "{ran:?}");
        assert_eq!(plane.log.borrow()[..3], ["POST", "LIST", "POST"]);
        assert_eq!(plane.backups.borrow().len(), 1);
        assert!(!ran.selected.unwrap().adopted);
    }

    #[test]
    fn a_create_that_was_not_sent_is_sent_again_without_looking() {
        for (error, delivery) in [
            (
                ApiError::transient("sending the request: Connection refused"),
                Delivery::NotSent,
            ),
            (
                ApiError::Transient {
                    detail: "HTTP 429 Too Many Requests".into(),
                    retry_after: Some(S(7)),
                },
                Delivery::Answered {
                    status: 429,
                    code: Some("RESOURCE_EXHAUSTED".into()),
                },
            ),
        ] {
            let clock = FakeClock::new();
            let plane = Plane::new(&clock, S(10)).then(Post::Fail(error.clone(), delivery));
            let ran = run_plan(&create_plan(None), &plane, &mut FixedJitter::new(&[0.0]));
            assert_eq!(ran.outcome, Outcome::Ready, "{ran:?}");
            assert_eq!(plane.log.borrow()[..2], ["POST", "POST"], "{error}");
            assert_eq!(plane.count("LIST"), 0);
            let first = clock.sleeps()[0];
            assert_eq!(first, error.retry_after().unwrap_or(S(2)));
        }
    }

    #[test]
    fn a_final_create_error_ends_in_the_select_stage_without_a_second_post() {
        let clock = FakeClock::new();
        let plane = Plane::new(&clock, S(10)).then(Post::Fail(
            ApiError::Rejected {
                detail: "HTTP 429 Too Many Requests: quota (QUOTA_EXCEEDED)".into(),
            },
            Delivery::Answered {
                status: 429,
                code: Some("QUOTA_EXCEEDED".into()),
            },
        ));
        let ran = run_plan(&create_plan(None), &plane, &mut FixedJitter::new(&[0.0]));
        assert_eq!(ran.outcome, Outcome::Error);
        assert_eq!(plane.count("POST"), 1);
        assert_eq!(ran.stage, Stage::Select);
        assert!(!ran.created());
        assert_eq!(ran.backup_id, None);
        assert!(ran.error.unwrap().contains("QUOTA_EXCEEDED"));
    }

    #[test]
    fn a_user_named_backup_from_an_earlier_run_is_never_adopted() {
        let clock = FakeClock::new();
        let plane = Plane::new(&clock, S(10)).then(Post::Fail(
            ApiError::transient("timed out sending the request"),
            Delivery::NoAnswer,
        ));
        let earlier = plane.seed("nightly");
        let ran = run_plan(
            &create_plan(Some("nightly")),
            &plane,
            &mut FixedJitter::new(&[0.5]),
        );
        assert_eq!(ran.outcome, Outcome::Ready, "{ran:?}");
        // Census, POST (lost), look (only the earlier one there), POST.
        assert_eq!(plane.log.borrow()[..4], ["LIST", "POST", "LIST", "POST"]);
        let id = ran.backup_id.unwrap();
        assert_ne!(id, earlier);
        assert_eq!(plane.backups.borrow().len(), 2);
    }

    #[test]
    fn a_user_named_backup_lost_in_an_answer_is_adopted_beside_an_older_namesake() {
        let clock = FakeClock::new();
        let plane = Plane::new(&clock, S(10)).then(Post::CreateThenFail(
            ApiError::transient("timed out sending the request"),
            Delivery::NoAnswer,
        ));
        let earlier = plane.seed("nightly");
        let ran = run_plan(
            &create_plan(Some("nightly")),
            &plane,
            &mut FixedJitter::new(&[0.5]),
        );
        assert_eq!(ran.outcome, Outcome::Ready, "{ran:?}");
        assert_eq!(plane.log.borrow()[..3], ["LIST", "POST", "LIST"]);
        assert_eq!(plane.count("POST"), 1);
        assert_ne!(ran.backup_id.unwrap(), earlier);
        assert!(ran.selected.unwrap().adopted);
    }

    #[test]
    fn the_look_reads_every_page_before_sending_again() {
        let clock = FakeClock::new();
        let mut plane = Plane::new(&clock, S(10)).then(Post::CreateThenFail(
            ApiError::transient("reset"),
            Delivery::NoAnswer,
        ));
        plane.page_size = 2;
        for i in 0..5 {
            plane.seed(&format!("older-{i}"));
        }
        let ran = run_plan(&create_plan(None), &plane, &mut FixedJitter::new(&[0.5]));
        assert_eq!(ran.outcome, Outcome::Ready, "{ran:?}");
        // Six backups in pages of two: three pages, then found on the last.
        assert_eq!(plane.count("LIST"), 3);
        assert_eq!(plane.count("POST"), 1);
        // Pages follow each other at once: one delay, before the look.
        assert_eq!(clock.sleeps()[0], S(2));
        assert!(clock.sleeps()[1] >= S(2));
    }

    #[test]
    fn the_latest_already_ready_needs_no_describe() {
        let clock = FakeClock::new();
        let plane = Plane::new(&clock, S(10));
        plane.seed("nightly");
        let plan = Plan {
            selection: Selection::Latest {
                index: IndexName::from_raw("prod").unwrap(),
                max_age: None,
            },
            backup_name: None,
            statuses: rules(),
            restore: None,
            verify: true,
        };
        let mut observer = Quiet::default();
        let mut jitter = FixedJitter::new(&[0.5]);
        let mut session = Session::start(policy(S(60)), &clock, &mut jitter);
        let ran = run(&plan, &plane, &mut session, &mut observer);
        assert_eq!(ran.outcome, Outcome::Ready);
        assert_eq!(*plane.log.borrow(), ["LIST"]);
        assert_eq!(observer.entered, [Stage::Select, Stage::Backup]);
        assert_eq!(ran.selected_by, SelectedBy::Latest);
        assert_eq!(ran.backup_id.as_deref(), Some("b1"));
        assert!(!ran.created());
    }

    #[test]
    fn the_id_mode_has_no_select_stage() {
        let clock = FakeClock::new();
        let plane = Plane::new(&clock, S(10));
        let id = plane.seed("given");
        let plan = Plan {
            selection: Selection::Id(BackupId::from_raw(&id).unwrap()),
            backup_name: None,
            statuses: rules(),
            restore: None,
            verify: true,
        };
        let mut observer = Quiet::default();
        let mut jitter = FixedJitter::new(&[0.5]);
        let mut session = Session::start(policy(S(60)), &clock, &mut jitter);
        let ran = run(&plan, &plane, &mut session, &mut observer);
        assert_eq!(ran.outcome, Outcome::Ready);
        assert_eq!(observer.entered, [Stage::Backup]);
        assert_eq!(ran.stages.len(), 1);
        assert_eq!(ran.selected_by, SelectedBy::Id);
    }

    #[test]
    fn a_generated_name_comes_from_the_index_the_utc_time_and_the_random_number() {
        let mut config_args = vec!["w", "--api-key", "k", "--create-from-index", "prod"];
        let parsed = crate::cli::Cli::parse_args(config_args.clone()).unwrap();
        let config =
            Config::from_cli(&parsed.cli, parsed.origins, &crate::config::Env::default()).unwrap();
        let plan = Plan::from_config(&config, FakeClock::new().wall(), 0x7f3a9c);
        assert_eq!(
            plan.backup_name.as_deref(),
            Some("prod-20260320-143000-7f3a9c")
        );
        config_args.extend(["--backup-name", "mine"]);
        let parsed = crate::cli::Cli::parse_args(config_args).unwrap();
        let config =
            Config::from_cli(&parsed.cli, parsed.origins, &crate::config::Env::default()).unwrap();
        let plan = Plan::from_config(&config, FakeClock::new().wall(), 1);
        assert_eq!(plan.backup_name.as_deref(), Some("mine"));
    }

    // ---- restore ---------------------------------------------------------

    fn drill() -> Restore {
        Restore {
            index: IndexName::from_raw("drill").unwrap(),
            tags: None,
            deletion_protection: None,
        }
    }

    /// `--backup-id` of a backup seeded on `plane`, restored into `drill`.
    fn restore_plan(plane: &Plane<'_>) -> Plan {
        let id = plane.seed("nightly");
        Plan {
            selection: Selection::Id(BackupId::from_raw(&id).unwrap()),
            backup_name: None,
            statuses: rules(),
            restore: Some(drill()),
            verify: true,
        }
    }

    fn run_for(plan: &Plan, plane: &Plane<'_>, timeout: Duration, jitter: f64) -> (Ran, Quiet) {
        let mut jitter = FixedJitter::new(&[jitter]);
        let mut session = Session::start(policy(timeout), plane.clock, &mut jitter);
        let mut observer = Quiet::default();
        let ran = run(plan, plane, &mut session, &mut observer);
        (ran, observer)
    }

    fn restored(ran: &Ran) -> &Restored {
        ran.restore.as_ref().expect("the run restored")
    }

    #[test]
    fn a_restore_that_takes_an_hour_costs_a_few_dozen_requests() {
        // The backup (one describe), the census of restore jobs, the
        // create-index, then describes of the job on the default schedule
        // (capped at 60 s, jitter 0.5: 45 s apart) for an hour, of the
        // index for its 30 s, and one stats check.
        let clock = FakeClock::new();
        let mut plane = Plane::new(&clock, S(10));
        plane.restoring.job_takes = S(3600);
        let plan = restore_plan(&plane);
        let (ran, observer) = run_for(&plan, &plane, S(3 * 3600), 0.5);
        assert_eq!(ran.outcome, Outcome::Ready, "{ran:?}");
        assert_eq!(
            observer.entered,
            [Stage::Backup, Stage::Restore, Stage::Index, Stage::Verify]
        );
        let counts =
            ["GET", "JOBS", "CREATE-INDEX", "JOB", "INDEX", "STATS"].map(|what| plane.count(what));
        assert_eq!(counts, [1, 1, 1, 83, 3, 1], "{:?}", plane.log.borrow());
        assert_eq!(ran.attempts, 90);
        let restore = &ran.stages[1];
        assert_eq!(restore.statuses, ["Pending", "InProgress", "Completed"]);
        assert!(
            ran.elapsed >= S(3630) && ran.elapsed <= S(3630 + 120),
            "{:?}",
            ran.elapsed
        );
        let restored = restored(&ran);
        assert!(restored.created && !restored.adopted);
        assert_eq!(restored.job_id.as_deref(), Some("job-1"));
        assert_eq!(restored.index_id.as_deref(), Some("idx-job-1"));
        assert!(restored.stats.as_ref().unwrap().1.matches());
        assert_eq!(ran.stage, Stage::Verify);
    }

    #[test]
    fn the_hour_long_restore_stays_within_a_few_requests_on_every_jitter() {
        let mut counts = Vec::new();
        for seed in 0..100 {
            let clock = FakeClock::new();
            let mut plane = Plane::new(&clock, S(10));
            plane.restoring.job_takes = S(3600);
            let plan = restore_plan(&plane);
            let mut jitter = SystemJitter::from_seed(seed);
            let mut session = Session::start(policy(S(3 * 3600)), &clock, &mut jitter);
            let ran = run(&plan, &plane, &mut session, &mut Quiet::default());
            assert_eq!(ran.outcome, Outcome::Ready);
            counts.push(ran.attempts);
        }
        let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
        let mean = counts.iter().sum::<u32>() as f64 / counts.len() as f64;
        // 84 to 96 requests, 90.4 on average over these seeds; a fixed
        // 10 s loop makes 360 describes of the job alone.
        assert!(
            *min >= 84 && *max <= 96,
            "min {min}, max {max}, mean {mean}"
        );
    }

    #[test]
    fn an_ambiguous_create_index_adopts_its_job_and_never_sends_twice() {
        let clock = FakeClock::new();
        let plane = Plane::new(&clock, S(10)).then_create_index(Post::CreateThenFail(
            ApiError::transient("sending the request: Connection reset by peer"),
            Delivery::NoAnswer,
        ));
        let plan = restore_plan(&plane);
        let (ran, _) = run_for(&plan, &plane, S(3600), 0.5);
        assert_eq!(ran.outcome, Outcome::Ready, "{ran:?}");
        assert_eq!(
            plane.log.borrow()[..5],
            ["GET", "JOBS", "CREATE-INDEX", "JOBS", "JOB"]
        );
        assert_eq!(plane.count("CREATE-INDEX"), 1);
        assert_eq!(plane.jobs.borrow().len(), 1);
        let restored = restored(&ran);
        assert!(restored.created && restored.adopted);
        assert_eq!(restored.index_id.as_deref(), Some("idx-job-1"));
        assert_eq!(
            ran.stages[1].detail.as_deref(),
            Some("job job-1, found after a lost answer")
        );
    }

    #[test]
    fn a_create_index_that_created_nothing_is_sent_again_after_one_look() {
        for delivery in [
            Delivery::NoAnswer,
            Delivery::Answered {
                status: 503,
                code: None,
            },
        ] {
            let clock = FakeClock::new();
            let plane = Plane::new(&clock, S(10)).then_create_index(Post::Fail(
                ApiError::transient("HTTP 503 Service Unavailable"),
                delivery,
            ));
            let plan = restore_plan(&plane);
            let (ran, _) = run_for(&plan, &plane, S(3600), 0.5);
            assert_eq!(ran.outcome, Outcome::Ready, "{ran:?}");
            assert_eq!(
                plane.log.borrow()[..5],
                ["GET", "JOBS", "CREATE-INDEX", "JOBS", "CREATE-INDEX"]
            );
            assert!(restored(&ran).created && !restored(&ran).adopted);
        }
    }

    #[test]
    fn a_create_index_that_was_not_sent_or_was_refused_for_now_is_sent_again_without_a_look() {
        for (error, delivery) in [
            (
                ApiError::transient("sending the request: Connection refused"),
                Delivery::NotSent,
            ),
            (
                ApiError::transient("HTTP 429 Too Many Requests"),
                Delivery::Answered {
                    status: 429,
                    code: Some("RESOURCE_EXHAUSTED".into()),
                },
            ),
            (
                ApiError::transient("HTTP 412 Precondition Failed"),
                Delivery::Answered {
                    status: 412,
                    code: Some("FAILED_PRECONDITION".into()),
                },
            ),
        ] {
            let clock = FakeClock::new();
            let plane =
                Plane::new(&clock, S(10)).then_create_index(Post::Fail(error.clone(), delivery));
            let plan = restore_plan(&plane);
            let (ran, _) = run_for(&plan, &plane, S(3600), 0.0);
            assert_eq!(ran.outcome, Outcome::Ready, "{error}: {ran:?}");
            assert_eq!(
                plane.log.borrow()[..4],
                ["GET", "JOBS", "CREATE-INDEX", "CREATE-INDEX"],
                "{error}"
            );
        }
    }

    #[test]
    fn a_backup_not_complete_yet_is_restored_once_it_is() {
        let clock = FakeClock::new();
        let mut plane = Plane::new(&clock, S(10));
        plane.restoring.precondition_until = S(8);
        let plan = restore_plan(&plane);
        let (ran, _) = run_for(&plan, &plane, S(3600), 0.0);
        assert_eq!(ran.outcome, Outcome::Ready, "{ran:?}");
        // 412 at 0.3, 2.4 and 5.5 s; created at 14.6 s.
        assert_eq!(plane.count("CREATE-INDEX"), 4);
        assert_eq!(plane.jobs.borrow().len(), 1);
    }

    #[test]
    fn an_index_that_exists_is_never_touched_and_ends_with_an_error_naming_it() {
        let clock = FakeClock::new();
        let mut plane = Plane::new(&clock, S(10));
        plane.existing = vec!["drill".into()];
        let plan = restore_plan(&plane);
        let (ran, _) = run_for(&plan, &plane, S(3600), 0.0);
        assert_eq!(ran.outcome, Outcome::Error);
        assert_eq!(ran.stage, Stage::Restore);
        assert_eq!(*plane.log.borrow(), ["GET", "JOBS", "CREATE-INDEX"]);
        let error = ran.error.as_deref().unwrap();
        assert!(
            error.contains("index drill was not created by this run and is left untouched"),
            "{error}"
        );
        let restored = restored(&ran);
        assert!(!restored.created);
        assert_eq!(restored.index_name.as_deref(), Some("drill"));
    }

    #[test]
    fn a_409_after_an_ambiguous_create_index_looks_once_more_then_ends() {
        let clock = FakeClock::new();
        let mut plane = Plane::new(&clock, S(10)).then_create_index(Post::Fail(
            ApiError::transient("timed out sending the request"),
            Delivery::NoAnswer,
        ));
        plane.existing = vec!["drill".into()];
        let plan = restore_plan(&plane);
        let (ran, _) = run_for(&plan, &plane, S(3600), 0.0);
        assert_eq!(ran.outcome, Outcome::Error);
        assert_eq!(
            *plane.log.borrow(),
            [
                "GET",
                "JOBS",
                "CREATE-INDEX",
                "JOBS",
                "CREATE-INDEX",
                "JOBS"
            ]
        );
        let error = ran.error.as_deref().unwrap();
        assert!(error.contains("no new restore job of backup b1"), "{error}");
        assert!(!restored(&ran).created);
    }

    #[test]
    fn an_earlier_run_s_job_of_the_same_backup_and_name_is_never_adopted() {
        let clock = FakeClock::new();
        let plane = Plane::new(&clock, S(10)).then_create_index(Post::Fail(
            ApiError::transient("timed out sending the request"),
            Delivery::NoAnswer,
        ));
        let plan = restore_plan(&plane);
        plane.old_job("b1", "drill");
        let (ran, _) = run_for(&plan, &plane, S(3600), 0.0);
        assert_eq!(ran.outcome, Outcome::Ready, "{ran:?}");
        assert_eq!(plane.count("CREATE-INDEX"), 2);
        let restored = restored(&ran);
        assert!(!restored.adopted);
        assert_eq!(restored.job_id.as_deref(), Some("job-2"));
    }

    #[test]
    fn a_cancelled_job_fails_the_run_in_the_restore_stage() {
        let clock = FakeClock::new();
        let mut plane = Plane::new(&clock, S(10));
        plane.restoring.job_takes = S(20);
        plane.restoring.ends = "Cancelled";
        let plan = restore_plan(&plane);
        let (ran, _) = run_for(&plan, &plane, S(3600), 0.0);
        assert_eq!(ran.outcome, Outcome::Failed);
        assert_eq!(ran.stage, Stage::Restore);
        let error = ran.error.as_deref().unwrap();
        assert!(
            error.starts_with("restore job job-1 ended with status Cancelled, a failed status"),
            "{error}"
        );
        assert!(restored(&ran).created, "the index is still this run's");
    }

    #[test]
    fn an_index_that_fails_to_initialize_fails_the_run_in_the_index_stage() {
        let clock = FakeClock::new();
        let mut plane = Plane::new(&clock, S(10));
        plane.restoring.job_takes = S(20);
        plane.restoring.index_fails = Some("InitializationFailed");
        let plan = restore_plan(&plane);
        let (ran, _) = run_for(&plan, &plane, S(3600), 0.0);
        assert_eq!(ran.outcome, Outcome::Failed);
        assert_eq!(ran.stage, Stage::Index);
        assert!(
            ran.error
                .unwrap()
                .starts_with("index drill is in state InitializationFailed, a failed state")
        );
    }

    #[test]
    fn counts_that_lag_are_asked_again_until_they_match() {
        let clock = FakeClock::new();
        let mut plane = Plane::new(&clock, S(10));
        plane.restoring.job_takes = S(20);
        plane.restoring.stats_lag = Some(S(10));
        let plan = restore_plan(&plane);
        let (ran, _) = run_for(&plan, &plane, S(3600), 0.0);
        assert_eq!(ran.outcome, Outcome::Ready, "{ran:?}");
        assert!(plane.count("STATS") > 1);
        assert_eq!(
            ran.stages[3].detail.as_deref(),
            Some("1200 of 1200 records in 3 of 3 namespaces")
        );
    }

    #[test]
    fn counts_that_never_match_fail_at_the_deadline_in_the_verify_stage() {
        let clock = FakeClock::new();
        let mut plane = Plane::new(&clock, S(10));
        plane.restoring.job_takes = S(20);
        plane.restoring.stats_lag = None;
        let plan = restore_plan(&plane);
        let (ran, _) = run_for(&plan, &plane, S(300), 0.0);
        assert_eq!(ran.outcome, Outcome::Failed, "{ran:?}");
        assert_eq!(ran.stage, Stage::Verify);
        assert!(ran.elapsed <= S(300) && ran.elapsed >= S(299));
        let error = ran.error.unwrap();
        assert!(
            error.starts_with(
                "the restored index drill does not hold what the backup holds: stats still lag: \
                 1150 of 1200 records in 2 of 3 namespaces (deadline of 5m passed after"
            ),
            "{error}"
        );
    }

    #[test]
    fn the_deadline_in_the_restore_or_index_stage_is_a_timeout_there() {
        for (job_takes, index_after, stage) in [
            (S(600), S(30), Stage::Restore),
            (S(20), S(600), Stage::Index),
        ] {
            let clock = FakeClock::new();
            let mut plane = Plane::new(&clock, S(10));
            plane.restoring.job_takes = job_takes;
            plane.restoring.index_after = index_after;
            let plan = restore_plan(&plane);
            let (ran, _) = run_for(&plan, &plane, S(120), 0.0);
            assert_eq!(ran.outcome, Outcome::Timeout, "{ran:?}");
            assert_eq!(ran.stage, stage);
            assert!(
                ran.error
                    .unwrap()
                    .starts_with("deadline of 2m passed after")
            );
        }
    }

    #[test]
    fn a_backup_without_counts_is_refused_before_any_restore_unless_the_check_is_skipped() {
        // The plane's backups report counts; a restore-only plan without
        // the check needs none, and makes no stats request.
        let clock = FakeClock::new();
        let mut plane = Plane::new(&clock, S(10));
        plane.restoring.job_takes = S(20);
        let mut plan = restore_plan(&plane);
        plan.verify = false;
        let (ran, observer) = run_for(&plan, &plane, S(3600), 0.0);
        assert_eq!(ran.outcome, Outcome::Ready);
        assert_eq!(observer.entered.last(), Some(&Stage::Index));
        assert_eq!(plane.count("STATS"), 0);
        assert!(restored(&ran).stats.is_none());
    }

    #[test]
    fn the_restore_job_mode_follows_the_job_then_its_index_then_its_backup_s_counts() {
        let clock = FakeClock::new();
        let mut plane = Plane::new(&clock, S(10));
        plane.restoring.job_takes = S(20);
        let backup = plane.seed("nightly");
        plane.jobs.borrow_mut().push(Job {
            id: "job-given".into(),
            backup: backup.clone(),
            index: "staging".into(),
            made: Duration::ZERO,
        });
        let plan = Plan {
            selection: Selection::RestoreJob(RestoreJobId::from_raw("job-given").unwrap()),
            backup_name: None,
            statuses: rules(),
            restore: None,
            verify: true,
        };
        let (ran, observer) = run_for(&plan, &plane, S(3600), 0.0);
        assert_eq!(ran.outcome, Outcome::Ready, "{ran:?}");
        assert_eq!(
            observer.entered,
            [Stage::Restore, Stage::Index, Stage::Verify]
        );
        assert_eq!(plane.count("CREATE-INDEX") + plane.count("JOBS"), 0);
        assert_eq!(plane.count("GET"), 1, "the backup, for its counts");
        assert_eq!(ran.backup_id.as_deref(), Some(backup.as_str()));
        assert_eq!(
            ran.backup.as_ref().unwrap().text("backup_id"),
            Some(backup.as_str())
        );
        assert_eq!(ran.selected_by, SelectedBy::RestoreJob);
        let restored = restored(&ran);
        assert!(!restored.created);
        assert_eq!(restored.index_name.as_deref(), Some("staging"));
        assert_eq!(restored.expected.unwrap().records, 1200);
    }

    #[test]
    fn an_unknown_restore_job_is_not_found_in_the_restore_stage() {
        let clock = FakeClock::new();
        let plane = Plane::new(&clock, S(10));
        let plan = Plan {
            selection: Selection::RestoreJob(RestoreJobId::from_raw("nope").unwrap()),
            backup_name: None,
            statuses: rules(),
            restore: None,
            verify: true,
        };
        let (ran, _) = run_for(&plan, &plane, S(3600), 0.0);
        assert_eq!(ran.outcome, Outcome::NotFound);
        assert_eq!(ran.stage, Stage::Restore);
        assert_eq!(*plane.log.borrow(), ["JOB"]);
    }
}
