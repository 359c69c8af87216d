//! A small stateful Pinecone on 127.0.0.1: indexes, backups and restore
//! jobs that change on timelines the test sets, served over the same
//! byte-level HTTP server as `control_plane` (so every `Reply`, reset and
//! hang still works), with faults scripted per request on top of the state.
//!
//! - `timeline`: the server's clock and the timelines objects follow.
//! - `state`: the objects, what requests do to them, their JSON models.
//! - `routes`: request to answer: API key, routes, checks, pagination.
//! - `faults`: which requests get another answer, before or after acting.
//! - `replies`: Pinecone's error bodies, word for word from the specs.
//!
//! The control plane listens on one port; each index gets its own
//! data-plane listener, whose `127.0.0.1:PORT` is the index's `host`, so a
//! client that checks the wrong index's data asks the wrong port.
//!
//! ```no_run
//! use std::time::Duration;
//! use testkit::world::{BackupSeed, FakePinecone, Fault, IndexSeed, Settings, Timeline};
//!
//! let world = FakePinecone::start_with(Settings {
//!     api_key: Some("test-key".into()),
//!     backup_timeline: Timeline::backup(Duration::from_millis(200), "Ready"),
//!     ..Settings::default()
//! });
//! world.add_index(IndexSeed::new("prod").namespace("", 1000).namespace("eu", 200));
//! world.add_backup(BackupSeed::of("prod").name("nightly").created_at(&world.timestamp_ago(Duration::from_secs(3600))));
//! // Issue 9's fault: the first create happens, then the connection drops.
//! world.fault(Fault::post("/indexes/prod/backups").nth(1).reset_after_acting());
//! // ... run the waiter with --api-host world.url() --create-from-index prod ...
//! assert_eq!(world.count("POST", "/indexes/prod/backups"), 1);
//! assert_eq!(world.backups_of("prod").len(), 2);
//! ```

mod faults;
pub mod replies;
mod routes;
mod state;
mod timeline;

#[cfg(test)]
mod shapes;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::control_plane::{FakeControlPlane, Recorded, Reply, Script};

pub use faults::{Effect, Fault, Matcher};
pub use state::{BackupSeed, IndexSeed, PercentStyle, RestoreJobSeed, Stats};
pub use timeline::{IndexState, JobStep, Timeline, rfc3339};

use faults::path_matches;
use routes::{Ctx, Target};
use state::{NewRestore, RestorePlan, State};
use timeline::WorldClock;

/// How the world behaves. Change it at any time with
/// `FakePinecone::configure`; timelines are taken by each object when it is
/// created, so a change applies to objects created afterwards.
#[derive(Debug, Clone)]
pub struct Settings {
    /// When set, a request whose `Api-Key` differs gets 401.
    pub api_key: Option<String>,
    /// The 401 body: `false` (default) plain text `Invalid API key`, as
    /// Pinecone's auth layer answers (documented in 2026-07); `true` the
    /// JSON `UNAUTHENTICATED` example of 2025-04 to 2026-04.
    pub unauthorized_as_json: bool,
    /// Status of a successful backup create: 201 (2025-04 to 2026-04) or
    /// 200 (2026-07).
    pub create_backup_status: u16,
    /// Statuses of a backup made by `POST /indexes/{index}/backups`, from
    /// its creation (default: `Initializing`, `Pending` at 50 ms, `Ready` at
    /// 100 ms).
    pub backup_timeline: Timeline<String>,
    /// With `Some(n)`, a create while the project holds `n` backups answers
    /// 403 `FORBIDDEN` "Increase your quota or upgrade to create more
    /// backups.".
    pub backup_quota: Option<usize>,
    /// With `Some(n)`, a restore while the project holds `n` indexes
    /// answers 403 `FORBIDDEN` (the index quota).
    pub index_quota: Option<usize>,
    /// A restore from a backup that is not `Ready` answers 412
    /// `FAILED_PRECONDITION` "Backup … is not completed" (2026-07, the only
    /// version that documents the case; default `true`). With `false` the
    /// restore starts anyway.
    pub restore_needs_ready_backup: bool,
    /// Steps of a restore job from its creation (default: `Pending` 0 %,
    /// `InProgress` 50 % at 50 ms, `Completed` 100 % at 100 ms).
    pub restore_job_timeline: Timeline<JobStep>,
    /// How `percent_complete` and `completed_at` are written.
    pub percent_style: PercentStyle,
    /// States of a restored index from the moment its job `Completed`
    /// (default: `Initializing`, `Ready` after 50 ms). Before that it is
    /// `Initializing`; after a `Failed`/`Cancelled` job,
    /// `InitializationFailed`.
    pub restored_index_timeline: Timeline<IndexState>,
    /// What `describe_index_stats` reports for a restored index.
    pub stats: Stats,
    /// Page size when a list request has no `limit`: 10 up to 2026-04,
    /// 100 in 2026-07.
    pub default_page_size: usize,
    /// `pagination` on a list's last page: absent or `null`.
    pub last_page: LastPage,
    /// Broken pagination, per list (lists not named paginate normally).
    pub paging: HashMap<ListKind, Paging>,
    /// Objects made by requests (a backup, a restore job and its index)
    /// stay out of describes (404) and lists this long after they are made:
    /// eventual consistency, as after a create whose answer was lost. The
    /// create-index name check sees them at once (409). Default 0.
    pub visibility_lag: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        let ms = Duration::from_millis;
        Settings {
            api_key: None,
            unauthorized_as_json: false,
            create_backup_status: 201,
            backup_timeline: Timeline::backup(ms(100), "Ready"),
            backup_quota: None,
            index_quota: None,
            restore_needs_ready_backup: true,
            restore_job_timeline: Timeline::restore(ms(100), "Completed"),
            percent_style: PercentStyle::Float,
            restored_index_timeline: Timeline::index(ms(50), "Ready"),
            stats: Stats::Exact,
            default_page_size: 10,
            last_page: LastPage::Absent,
            paging: HashMap::new(),
            visibility_lag: Duration::ZERO,
        }
    }
}

impl Settings {
    /// The answers that changed in 2026-07: create answers 200, integer
    /// `percent_complete` absent until `Completed`, `completed_at: null`
    /// until the end, `pagination: null` on the last page, pages of 100.
    pub fn version_2026_07() -> Settings {
        Settings {
            create_backup_status: 200,
            percent_style: PercentStyle::Integer,
            last_page: LastPage::Null,
            default_page_size: 100,
            ..Settings::default()
        }
    }
}

/// `pagination` on the last page of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LastPage {
    /// No `pagination` field.
    #[default]
    Absent,
    /// `"pagination": null` (the restore-jobs examples; 2026-07 says null
    /// or absent).
    Null,
}

/// The lists that paginate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListKind {
    /// `GET /indexes/{index_name}/backups`.
    IndexBackups,
    /// `GET /backups`.
    ProjectBackups,
    /// `GET /restore-jobs`.
    RestoreJobs,
}

/// How a list's `pagination.next` behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paging {
    /// `next` until the last page.
    #[default]
    Normal,
    /// The first page's `next` leads to a page whose `next` is that same
    /// token again, forever: a client that follows blindly loops.
    RepeatNext,
    /// Every page has a fresh `next` (empty pages past the data): the
    /// listing never ends, and no token repeats.
    Endless,
}

/// Which listener a request arrived at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// The control plane (`FakePinecone::url`).
    ControlPlane,
    /// The data plane of one index (its `host`).
    DataPlane {
        /// The index's name.
        index: String,
    },
}

/// One request and what the world answered.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// 0-based order across every listener of the world.
    pub seq: usize,
    /// World time when it was answered.
    pub at: Duration,
    /// Where it arrived.
    pub endpoint: Endpoint,
    /// The request as received (method, target, headers, body).
    pub request: Recorded,
    /// What was sent back (a fault's reply when one applied).
    pub reply: Reply,
    /// Whether a fault decided the reply.
    pub faulted: bool,
}

impl Exchange {
    /// `GET`, `POST`…
    pub fn method(&self) -> &str {
        &self.request.method
    }

    /// The path as sent, without the query.
    pub fn path(&self) -> String {
        Target::parse(&self.request.target).path
    }

    /// A query parameter, decoded.
    pub fn query(&self, name: &str) -> Option<String> {
        Target::parse(&self.request.target)
            .query(name)
            .map(str::to_owned)
    }

    /// The request body as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.request.body).ok()
    }

    /// The status code sent, for `Reply::Http` answers.
    pub fn status(&self) -> Option<u16> {
        match &self.reply {
            Reply::Http { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// A backup as the world holds it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSnapshot {
    /// `backup_id`.
    pub backup_id: String,
    /// `name`, when it has one.
    pub name: Option<String>,
    /// `description`, when it has one.
    pub description: Option<String>,
    /// The index it was taken from.
    pub source_index_name: String,
    /// `status` now.
    pub status: String,
    /// `created_at`, when it has one.
    pub created_at: Option<String>,
    /// `record_count`.
    pub record_count: u64,
    /// `namespace_count`.
    pub namespace_count: u64,
}

/// A restore job as the world holds it now.
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreJobSnapshot {
    /// `restore_job_id`.
    pub restore_job_id: String,
    /// `backup_id`.
    pub backup_id: String,
    /// `target_index_name`.
    pub target_index_name: String,
    /// `target_index_id`.
    pub target_index_id: String,
    /// `status` now.
    pub status: String,
    /// Progress now, out of 100.
    pub percent: f64,
}

/// An index as the world holds it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexSnapshot {
    /// `name`.
    pub name: String,
    /// The index id (`index_id` of the create-index answer).
    pub id: String,
    /// `host`: `127.0.0.1:PORT` of its data plane.
    pub host: String,
    /// `status.state` now.
    pub state: String,
    /// `status.ready` now.
    pub ready: bool,
    /// `tags`.
    pub tags: BTreeMap<String, String>,
    /// `deletion_protection`.
    pub deletion_protection: String,
    /// The backup it was restored from, for an index made by a restore.
    pub restored_from: Option<String>,
    /// `totalVectorCount` `describe_index_stats` reports now.
    pub vector_count: u64,
    /// Number of namespaces `describe_index_stats` reports now.
    pub namespace_count: u64,
}

struct Inner {
    state: Mutex<State>,
    settings: Mutex<Settings>,
    clock: Mutex<WorldClock>,
    faults: Mutex<Vec<Fault>>,
    log: Mutex<Vec<Exchange>>,
    data_planes: Mutex<Vec<FakeControlPlane>>,
}

/// A running fake Pinecone. Dropping it stops every listener.
pub struct FakePinecone {
    // Declared first so it stops before the state (and data planes) go.
    control: FakeControlPlane,
    inner: Arc<Inner>,
}

/// A poisoned lock only means another test thread panicked; the data is
/// still what the test wants to read.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl FakePinecone {
    /// Starts an empty world with default settings on a free port.
    pub fn start() -> FakePinecone {
        FakePinecone::start_with(Settings::default())
    }

    /// Starts an empty world on a free port.
    pub fn start_with(settings: Settings) -> FakePinecone {
        FakePinecone::bind("127.0.0.1:0", settings).expect("bind 127.0.0.1")
    }

    /// Starts an empty world with its control plane on `addr`.
    pub fn bind(addr: &str, settings: Settings) -> io::Result<FakePinecone> {
        let inner = Arc::new(Inner {
            state: Mutex::new(State::default()),
            settings: Mutex::new(settings),
            clock: Mutex::new(WorldClock::start()),
            faults: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
            data_planes: Mutex::new(Vec::new()),
        });
        let weak = Arc::downgrade(&inner);
        let control = FakeControlPlane::bind(
            addr,
            Script::from_fn(move |request| handle(&weak, &Endpoint::ControlPlane, request)),
        )?;
        Ok(FakePinecone { control, inner })
    }

    /// `http://127.0.0.1:PORT`, for `--api-host`.
    pub fn url(&self) -> String {
        self.control.url()
    }

    /// The control plane's address.
    pub fn addr(&self) -> SocketAddr {
        self.control.addr()
    }

    /// The control plane's server, for `bytes_delivered` and its own log.
    pub fn control_plane(&self) -> &FakeControlPlane {
        &self.control
    }

    /// Changes settings; see `Settings` for when each takes effect.
    pub fn configure(&self, change: impl FnOnce(&mut Settings)) {
        change(&mut lock(&self.inner.settings));
    }

    /// The settings in force.
    pub fn settings(&self) -> Settings {
        lock(&self.inner.settings).clone()
    }

    /// Registers a fault. Faults are consulted in the order registered; the
    /// first that applies to a request decides it, and every fault counts
    /// every request it matches.
    pub fn fault(&self, fault: Fault) {
        lock(&self.inner.faults).push(fault);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        lock(&self.inner.faults).clear();
    }

    // ---- the clock ---------------------------------------------------

    /// World time since the world started.
    pub fn now(&self) -> Duration {
        lock(&self.inner.clock).now()
    }

    /// Stops world time; only `advance` moves it until `resume_clock`.
    pub fn freeze_clock(&self) {
        lock(&self.inner.clock).freeze();
    }

    /// Lets world time run again.
    pub fn resume_clock(&self) {
        lock(&self.inner.clock).resume();
    }

    /// Moves world time forward at once.
    pub fn advance(&self, by: Duration) {
        lock(&self.inner.clock).advance(by);
    }

    /// World time runs `scale` times as fast as real time from now on
    /// (600: ten minutes per real second).
    pub fn set_time_scale(&self, scale: f64) {
        lock(&self.inner.clock).set_scale(scale);
    }

    /// The server's wall clock now (`created_at` of a backup made now).
    pub fn wall_now(&self) -> SystemTime {
        let clock = lock(&self.inner.clock);
        clock.wall(clock.now())
    }

    /// RFC 3339 for `ago` before the server's now, for seeded `created_at`.
    pub fn timestamp_ago(&self, ago: Duration) -> String {
        rfc3339(self.wall_now() - ago)
    }

    // ---- putting things in the world ----------------------------------

    /// Adds an index and starts its data plane; answers its `host`. Panics
    /// when the name is taken.
    pub fn add_index(&self, seed: IndexSeed) -> String {
        let now = self.now();
        let mut state = lock(&self.inner.state);
        assert!(
            state.index(&seed.name).is_none(),
            "index {} already exists",
            seed.name
        );
        let host = open_data_plane(&self.inner, &seed.name).expect("bind a data plane");
        state.add_index(seed, host, now).host.clone()
    }

    /// Adds a backup; answers its id.
    pub fn add_backup(&self, seed: BackupSeed) -> String {
        let now = self.now();
        lock(&self.inner.state).add_backup(seed, now).id.clone()
    }

    /// Adds a restore job (without an index); answers its id.
    pub fn add_restore_job(&self, seed: RestoreJobSeed) -> String {
        let clock = lock(&self.inner.clock).clone();
        let mut state = lock(&self.inner.state);
        state.add_job(seed, clock.now(), &clock);
        state.jobs.last().unwrap().id.clone()
    }

    /// Creates a backup of `index` now, as a POST would (timeline and
    /// visibility lag from the settings), without a request; answers its
    /// id. Panics for an unknown index.
    pub fn create_backup(&self, index: &str, name: Option<&str>) -> String {
        let clock = lock(&self.inner.clock).clone();
        let settings = self.settings();
        let mut state = lock(&self.inner.state);
        assert!(state.index(index).is_some(), "no index {index}");
        let now = clock.now();
        let id = state
            .create_backup(
                index,
                name.map(str::to_owned),
                None,
                settings.backup_timeline,
                now,
                &clock,
            )
            .id
            .clone();
        state.hide_until(&[&id], now + settings.visibility_lag);
        id
    }

    /// Starts a restore of `backup_id` into a new index `name` now, as a
    /// create-index would (with the current settings, but no checks but
    /// these: the backup exists and the name is free); answers
    /// `(restore_job_id, index_id)`.
    pub fn restore(&self, backup_id: &str, name: &str) -> (String, String) {
        let clock = lock(&self.inner.clock).clone();
        let settings = self.settings();
        let mut state = lock(&self.inner.state);
        assert!(state.backup(backup_id).is_some(), "no backup {backup_id}");
        assert!(state.index(name).is_none(), "index {name} already exists");
        let plan = RestorePlan {
            job: settings.restore_job_timeline,
            index: settings.restored_index_timeline,
            stats: settings.stats,
            host: open_data_plane(&self.inner, name).expect("bind a data plane"),
        };
        let request = NewRestore {
            backup_id: backup_id.to_owned(),
            name: name.to_owned(),
            tags: BTreeMap::new(),
            deletion_protection: None,
        };
        let now = clock.now();
        let (job_id, index_id) = state.restore(request, plan, now, &clock);
        state.hide_until(&[&job_id, &index_id], now + settings.visibility_lag);
        (job_id, index_id)
    }

    // ---- reading the world ---------------------------------------------

    /// Every backup, in order of creation.
    pub fn backups(&self) -> Vec<BackupSnapshot> {
        let now = self.now();
        let state = lock(&self.inner.state);
        state
            .backups
            .iter()
            .map(|backup| BackupSnapshot {
                backup_id: backup.id.clone(),
                name: backup.name.clone(),
                description: backup.description.clone(),
                source_index_name: backup.source_index_name.clone(),
                status: backup.status(now).to_owned(),
                created_at: backup.created_at.clone(),
                record_count: backup.record_count(),
                namespace_count: backup.namespaces.len() as u64,
            })
            .collect()
    }

    /// The backups of one index, in order of creation.
    pub fn backups_of(&self, index: &str) -> Vec<BackupSnapshot> {
        let mut backups = self.backups();
        backups.retain(|backup| backup.source_index_name == index);
        backups
    }

    /// One backup.
    pub fn backup(&self, id: &str) -> Option<BackupSnapshot> {
        self.backups().into_iter().find(|b| b.backup_id == id)
    }

    /// Every restore job, in order of creation.
    pub fn restore_jobs(&self) -> Vec<RestoreJobSnapshot> {
        let now = self.now();
        let state = lock(&self.inner.state);
        state
            .jobs
            .iter()
            .map(|job| {
                let step = job.step(now);
                RestoreJobSnapshot {
                    restore_job_id: job.id.clone(),
                    backup_id: job.backup_id.clone(),
                    target_index_name: job.target_index_name.clone(),
                    target_index_id: job.target_index_id.clone(),
                    status: step.status.clone(),
                    percent: step.percent,
                }
            })
            .collect()
    }

    /// One restore job.
    pub fn restore_job(&self, id: &str) -> Option<RestoreJobSnapshot> {
        self.restore_jobs()
            .into_iter()
            .find(|job| job.restore_job_id == id)
    }

    /// Every index, in order of creation.
    pub fn indexes(&self) -> Vec<IndexSnapshot> {
        let now = self.now();
        let state = lock(&self.inner.state);
        state
            .indexes
            .iter()
            .map(|index| {
                let status = state.index_state(index, now);
                let stats = state.index_stats(index, now);
                IndexSnapshot {
                    name: index.name.clone(),
                    id: index.id.clone(),
                    host: index.host.clone(),
                    state: status.state,
                    ready: status.ready,
                    tags: index.tags.clone(),
                    deletion_protection: index.deletion_protection.clone(),
                    restored_from: match &index.origin {
                        state::Origin::Restored { backup_id, .. } => Some(backup_id.clone()),
                        state::Origin::Seeded(_) => None,
                    },
                    vector_count: stats.iter().map(|(_, n)| n).sum(),
                    namespace_count: stats.len() as u64,
                }
            })
            .collect()
    }

    /// One index.
    pub fn index(&self, name: &str) -> Option<IndexSnapshot> {
        self.indexes().into_iter().find(|index| index.name == name)
    }

    /// `GET /backups/{id}`'s body now (a `BackupModel`).
    pub fn backup_model(&self, id: &str) -> Option<Value> {
        let now = self.now();
        let state = lock(&self.inner.state);
        state
            .backup(id)
            .map(|backup| state.backup_model(backup, now))
    }

    /// `GET /restore-jobs/{id}`'s body now (a `RestoreJobModel`).
    pub fn restore_job_model(&self, id: &str) -> Option<Value> {
        let clock = lock(&self.inner.clock).clone();
        let style = self.settings().percent_style;
        let state = lock(&self.inner.state);
        state
            .job(id)
            .map(|job| state.job_model(job, clock.now(), &clock, style))
    }

    /// `GET /indexes/{name}`'s body now (an `IndexModel`).
    pub fn index_model(&self, name: &str) -> Option<Value> {
        let now = self.now();
        let state = lock(&self.inner.state);
        state.index(name).map(|index| state.index_model(index, now))
    }

    /// `describe_index_stats`'s body for an index now (an
    /// `IndexDescription`).
    pub fn index_stats(&self, name: &str) -> Option<Value> {
        let now = self.now();
        let state = lock(&self.inner.state);
        state.index(name).map(|index| state.stats_model(index, now))
    }

    // ---- the request log -------------------------------------------------

    /// Every request to any listener of the world, in order of answer.
    pub fn exchanges(&self) -> Vec<Exchange> {
        lock(&self.inner.log).clone()
    }

    /// The requests with this method (`*` for any) whose path matches
    /// `path` (`*` matches one segment, as in `Fault::on`).
    pub fn requests_to(&self, method: &str, path: &str) -> Vec<Exchange> {
        self.exchanges()
            .into_iter()
            .filter(|exchange| {
                (method == "*" || exchange.method().eq_ignore_ascii_case(method))
                    && path_matches(path, &exchange.path())
            })
            .collect()
    }

    /// How many requests `requests_to` would list.
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.requests_to(method, path).len()
    }
}

/// Binds a data-plane listener for index `name`; answers `127.0.0.1:PORT`.
/// Its script holds the world weakly, so the world can still be dropped.
fn open_data_plane(inner: &Arc<Inner>, name: &str) -> io::Result<String> {
    let weak = Arc::downgrade(inner);
    let endpoint = Endpoint::DataPlane {
        index: name.to_owned(),
    };
    let server = FakeControlPlane::bind(
        "127.0.0.1:0",
        Script::from_fn(move |request| handle(&weak, &endpoint, request)),
    )?;
    let host = server.addr().to_string();
    lock(&inner.data_planes).push(server);
    Ok(host)
}

/// Every listener's script: faults first, then the world's answer, then
/// the log.
fn handle(world: &Weak<Inner>, endpoint: &Endpoint, request: &Recorded) -> Reply {
    let Some(inner) = world.upgrade() else {
        return replies::internal_error();
    };
    let path = Target::parse(&request.target).path;
    let effect = {
        let mut faults = lock(&inner.faults);
        let mut chosen = None;
        for fault in faults.iter_mut() {
            if let Some(effect) = fault.observe(&request.method, &path)
                && chosen.is_none()
            {
                chosen = Some(effect.clone());
            }
        }
        chosen
    };
    let faulted = effect.is_some();
    let reply = match effect {
        Some(Effect::Instead(reply)) => reply,
        Some(Effect::AfterActing(reply)) => {
            answer(&inner, endpoint, request);
            reply
        }
        None => answer(&inner, endpoint, request),
    };
    let at = lock(&inner.clock).now();
    let mut log = lock(&inner.log);
    let seq = log.len();
    log.push(Exchange {
        seq,
        at,
        endpoint: endpoint.clone(),
        request: request.clone(),
        reply: reply.clone(),
        faulted,
    });
    reply
}

fn answer(inner: &Arc<Inner>, endpoint: &Endpoint, request: &Recorded) -> Reply {
    let settings = lock(&inner.settings).clone();
    let clock = lock(&inner.clock).clone();
    let mut state = lock(&inner.state);
    let mut open = |name: &str| open_data_plane(inner, name);
    let ctx = Ctx {
        state: &mut state,
        settings: &settings,
        clock: &clock,
        now: clock.now(),
        open_data_plane: &mut open,
    };
    routes::route(ctx, endpoint, request)
}
