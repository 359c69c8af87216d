//! A control plane that plays back scripted answers per call, on a fake
//! clock (each request takes 100 ms), for the watches' unit tests. The last
//! answer of a script repeats; a call without a script panics. Test-only.

use std::cell::RefCell;
use std::time::Duration;

use crate::api::index_model::{IndexHost, IndexModel};
use crate::api::index_stats::IndexStats;
use crate::api::restore_job::{RestoreJob, RestoreJobPage};
use crate::api::restore_request::{CreateIndexRequest, CreateIndexResponse};
use crate::api::{ApiError, Backup, BackupPage, ControlPlane, NewBackup, WriteFailure};
use crate::clock::FakeClock;
use crate::config::{BackupId, IndexName, RestoreJobId};
use crate::wait::{Finished, Session, WaitPolicy, Watch};

/// Answers in order, the last one repeating.
pub struct Script<T>(RefCell<Vec<T>>);

impl<T: Clone> Script<T> {
    /// No answers: a call panics.
    pub fn none() -> Self {
        Script(RefCell::new(Vec::new()))
    }

    /// These answers.
    pub fn of(answers: Vec<T>) -> Self {
        Script(RefCell::new(answers))
    }

    fn next(&self, call: &str) -> T {
        let mut answers = self.0.borrow_mut();
        match answers.len() {
            0 => panic!("no scripted answer for {call}"),
            1 => answers[0].clone(),
            _ => answers.remove(0),
        }
    }
}

/// The scripted plane.
pub struct Scripted<'c> {
    pub clock: &'c FakeClock,
    pub backups: Script<Result<Backup, ApiError>>,
    pub creates: Script<Result<CreateIndexResponse, WriteFailure>>,
    pub jobs: Script<Result<RestoreJob, ApiError>>,
    pub pages: Script<Result<RestoreJobPage, ApiError>>,
    pub indexes: Script<Result<IndexModel, ApiError>>,
    pub stats: Script<Result<IndexStats, ApiError>>,
    /// The calls made, in order.
    pub log: RefCell<Vec<&'static str>>,
}

impl<'c> Scripted<'c> {
    /// A plane with no answers at all.
    pub fn new(clock: &'c FakeClock) -> Self {
        Scripted {
            clock,
            backups: Script::none(),
            creates: Script::none(),
            jobs: Script::none(),
            pages: Script::none(),
            indexes: Script::none(),
            stats: Script::none(),
            log: RefCell::new(Vec::new()),
        }
    }

    fn call(&self, name: &'static str) {
        self.clock.advance(Duration::from_millis(100));
        self.log.borrow_mut().push(name);
    }
}

impl ControlPlane for Scripted<'_> {
    fn describe_backup(&self, _: &BackupId, _: Duration) -> Result<Backup, ApiError> {
        self.call("backup");
        self.backups.next("describe_backup")
    }

    fn list_index_backups(
        &self,
        _: &IndexName,
        _: Option<&str>,
        _: Duration,
    ) -> Result<BackupPage, ApiError> {
        unreachable!("no watch of a restore lists backups")
    }

    fn create_backup(
        &self,
        _: &IndexName,
        _: &NewBackup,
        _: Duration,
    ) -> Result<Backup, WriteFailure> {
        unreachable!("no watch of a restore creates backups")
    }

    fn create_index_from_backup(
        &self,
        _: &BackupId,
        _: &CreateIndexRequest,
        _: Duration,
    ) -> Result<CreateIndexResponse, WriteFailure> {
        self.call("create-index");
        self.creates.next("create_index_from_backup")
    }

    fn describe_restore_job(&self, _: &RestoreJobId, _: Duration) -> Result<RestoreJob, ApiError> {
        self.call("job");
        self.jobs.next("describe_restore_job")
    }

    fn list_restore_jobs(&self, _: Option<&str>, _: Duration) -> Result<RestoreJobPage, ApiError> {
        self.call("jobs");
        self.pages.next("list_restore_jobs")
    }

    fn describe_index(&self, _: &IndexName, _: Duration) -> Result<IndexModel, ApiError> {
        self.call("index");
        self.indexes.next("describe_index")
    }

    fn describe_index_stats(
        &self,
        _: &IndexHost,
        _: &IndexName,
        _: Duration,
    ) -> Result<IndexStats, ApiError> {
        self.call("stats");
        self.stats.next("describe_index_stats")
    }
}

/// The defaults (2 s..60 s x3, request timeout 30 s) with `timeout`.
pub fn policy(timeout: Duration) -> WaitPolicy {
    WaitPolicy {
        timeout,
        request_timeout: Duration::from_secs(30),
        schedule: crate::schedule::Schedule::new(
            Duration::from_secs(2),
            Duration::from_secs(60),
            3.0,
            Duration::from_secs(30),
        ),
        resolve_limit: crate::wait::RESOLVE_LIMIT,
    }
}

/// Waits on `watch` under a session of `timeout` on `clock`, jitter 0.
pub fn wait<W: Watch>(clock: &FakeClock, watch: &mut W, timeout: Duration) -> Finished<W::Seen> {
    let mut jitter = crate::clock::FixedJitter::new(&[0.0]);
    let mut session = Session::start(policy(timeout), clock, &mut jitter);
    session.wait(watch, None, &mut Silent)
}

/// Hears nothing.
pub struct Silent;

impl crate::wait::Observer for Silent {
    fn attempt(&mut self, _: &crate::wait::Attempt<'_>) {}
    fn unknown_status(&mut self, _: &str) {}
    fn unknown_statuses_capped(&mut self, _: usize) {}
}

/// A restore job model.
pub fn job(id: &str, backup: &str, index: &str, status: &str, percent: Option<f64>) -> RestoreJob {
    let mut value = serde_json::json!({
        "restore_job_id": id, "backup_id": backup, "target_index_name": index,
        "target_index_id": format!("idx-{id}"), "status": status,
    });
    if let Some(percent) = percent {
        value["percent_complete"] = serde_json::json!(percent);
    }
    RestoreJob::from_value(value).unwrap()
}

/// An index model.
pub fn index(name: &str, ready: bool, state: &str) -> IndexModel {
    IndexModel::from_value(serde_json::json!({
        "name": name, "host": "drill-abc.svc.pinecone.io",
        "status": {"ready": ready, "state": state},
    }))
    .unwrap()
}

/// Stats of `total` vectors over `namespaces` named namespaces.
pub fn stats(total: u64, namespaces: u64) -> IndexStats {
    let mut listed = serde_json::Map::new();
    for i in 0..namespaces {
        let count = if i == 0 { total } else { 0 };
        listed.insert(format!("ns{i}"), serde_json::json!({"vectorCount": count}));
    }
    IndexStats::from_value(serde_json::json!({"namespaces": listed, "totalVectorCount": total}))
        .unwrap()
}
