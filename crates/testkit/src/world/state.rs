//! The objects of the fake world (indexes, backups, restore jobs), each on
//! its timeline, the changes requests make to them, and the JSON models
//! Pinecone's specs give for them. Knows nothing of HTTP: routing, status
//! codes and error bodies live in `routes`.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::timeline::{IndexState, JobStep, Timeline, WorldClock, rfc3339};

/// How `percent_complete` of a restore job is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PercentStyle {
    /// Always present, a number such as `42.5` or `100.0` (2025-04 to
    /// 2026-04: `type: number, format: float`); `completed_at` is absent
    /// until the job ends.
    Float,
    /// 2026-07: an integer, `100` once `Completed` and absent otherwise
    /// ("intermediate progress is not reported"); `completed_at` is `null`
    /// until the job ends.
    Integer,
}

/// What `describe_index_stats` reports for an index made by a restore.
#[derive(Debug, Clone, PartialEq)]
pub enum Stats {
    /// The backup's namespaces and counts as soon as the index is ready.
    Exact,
    /// Nothing (no namespaces, 0 vectors) until this long after the index
    /// is ready, then the backup's counts.
    Lagging(Duration),
    /// One vector short of the backup forever (one vector too many when the
    /// backup is empty).
    NeverMatch,
    /// The backup's counts, but one namespace is missing forever (one extra,
    /// empty namespace when the backup has none).
    MissingNamespace,
}

/// An index to put in the world before (or while) a test runs.
#[derive(Debug, Clone)]
pub struct IndexSeed {
    pub(crate) name: String,
    pub(crate) dimension: u32,
    pub(crate) metric: String,
    pub(crate) cloud: String,
    pub(crate) region: String,
    pub(crate) namespaces: Vec<(String, u64)>,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) deletion_protection: String,
    pub(crate) timeline: Timeline<IndexState>,
}

impl IndexSeed {
    /// A ready, empty, 1536-dimension cosine serverless index (aws,
    /// us-east-1) named `name`.
    pub fn new(name: &str) -> IndexSeed {
        IndexSeed {
            name: name.to_owned(),
            dimension: 1536,
            metric: "cosine".to_owned(),
            cloud: "aws".to_owned(),
            region: "us-east-1".to_owned(),
            namespaces: Vec::new(),
            tags: BTreeMap::new(),
            deletion_protection: "disabled".to_owned(),
            timeline: Timeline::fixed("Ready"),
        }
    }

    /// Adds a namespace holding `records` vectors (`""` is the default
    /// namespace).
    pub fn namespace(mut self, name: &str, records: u64) -> IndexSeed {
        self.namespaces.push((name.to_owned(), records));
        self
    }

    /// The vector dimension.
    pub fn dimension(mut self, dimension: u32) -> IndexSeed {
        self.dimension = dimension;
        self
    }

    /// `cosine`, `euclidean` or `dotproduct`.
    pub fn metric(mut self, metric: &str) -> IndexSeed {
        self.metric = metric.to_owned();
        self
    }

    /// Adds a tag.
    pub fn tag(mut self, key: &str, value: &str) -> IndexSeed {
        self.tags.insert(key.to_owned(), value.to_owned());
        self
    }

    /// `enabled` or `disabled`.
    pub fn deletion_protection(mut self, value: &str) -> IndexSeed {
        self.deletion_protection = value.to_owned();
        self
    }

    /// The states it goes through from the moment it is added (default:
    /// `Ready` throughout).
    pub fn timeline(mut self, timeline: Timeline<IndexState>) -> IndexSeed {
        self.timeline = timeline;
        self
    }
}

/// A backup to put in the world, as if made earlier.
#[derive(Debug, Clone)]
pub struct BackupSeed {
    pub(crate) id: Option<String>,
    pub(crate) index: String,
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) created_at: Option<String>,
    pub(crate) timeline: Timeline<String>,
    pub(crate) namespaces: Option<Vec<(String, u64)>>,
}

impl BackupSeed {
    /// A `Ready` backup of index `index`, without `created_at`, holding the
    /// index's namespaces when the index is in the world (none otherwise).
    pub fn of(index: &str) -> BackupSeed {
        BackupSeed {
            id: None,
            index: index.to_owned(),
            name: None,
            description: None,
            created_at: None,
            timeline: Timeline::fixed("Ready"),
            namespaces: None,
        }
    }

    /// A chosen `backup_id` (default: generated).
    pub fn id(mut self, id: &str) -> BackupSeed {
        self.id = Some(id.to_owned());
        self
    }

    /// The backup's `name`.
    pub fn name(mut self, name: &str) -> BackupSeed {
        self.name = Some(name.to_owned());
        self
    }

    /// The backup's `description`.
    pub fn description(mut self, description: &str) -> BackupSeed {
        self.description = Some(description.to_owned());
        self
    }

    /// `created_at` exactly as given (RFC 3339, or anything else a test
    /// wants to send); see `FakePinecone::timestamp_ago`.
    pub fn created_at(mut self, created_at: &str) -> BackupSeed {
        self.created_at = Some(created_at.to_owned());
        self
    }

    /// This status forever.
    pub fn status(self, status: &str) -> BackupSeed {
        self.timeline(Timeline::fixed(status))
    }

    /// The statuses it goes through from the moment it is added.
    pub fn timeline(mut self, timeline: Timeline<String>) -> BackupSeed {
        self.timeline = timeline;
        self
    }

    /// `records` vectors spread over `namespaces` namespaces (`ns-1`…),
    /// instead of the index's.
    pub fn counts(mut self, records: u64, namespaces: u64) -> BackupSeed {
        self.namespaces = Some(spread(records, namespaces));
        self
    }

    /// Adds a namespace holding `records` vectors, instead of the index's.
    pub fn namespace(mut self, name: &str, records: u64) -> BackupSeed {
        self.namespaces
            .get_or_insert_with(Vec::new)
            .push((name.to_owned(), records));
        self
    }
}

/// A restore job to put in the world, as if started earlier. It creates no
/// index: use `FakePinecone::restore` for a job with its index.
#[derive(Debug, Clone)]
pub struct RestoreJobSeed {
    pub(crate) id: Option<String>,
    pub(crate) backup_id: String,
    pub(crate) target_index_name: String,
    pub(crate) target_index_id: Option<String>,
    pub(crate) created_at: Option<String>,
    pub(crate) timeline: Timeline<JobStep>,
}

impl RestoreJobSeed {
    /// A `Completed` (100 %) job restoring `backup_id` into
    /// `target_index_name`.
    pub fn new(backup_id: &str, target_index_name: &str) -> RestoreJobSeed {
        RestoreJobSeed {
            id: None,
            backup_id: backup_id.to_owned(),
            target_index_name: target_index_name.to_owned(),
            target_index_id: None,
            created_at: None,
            timeline: Timeline::fixed(("Completed", 100.0)),
        }
    }

    /// A chosen `restore_job_id` (default: generated).
    pub fn id(mut self, id: &str) -> RestoreJobSeed {
        self.id = Some(id.to_owned());
        self
    }

    /// A chosen `target_index_id` (default: generated).
    pub fn target_index_id(mut self, id: &str) -> RestoreJobSeed {
        self.target_index_id = Some(id.to_owned());
        self
    }

    /// `created_at` exactly as given (default: when it was added).
    pub fn created_at(mut self, created_at: &str) -> RestoreJobSeed {
        self.created_at = Some(created_at.to_owned());
        self
    }

    /// The steps it goes through from the moment it is added.
    pub fn timeline(mut self, timeline: Timeline<JobStep>) -> RestoreJobSeed {
        self.timeline = timeline;
        self
    }
}

/// `records` spread over `namespaces` namespaces `ns-1`, `ns-2`…, the
/// remainder in the first.
fn spread(records: u64, namespaces: u64) -> Vec<(String, u64)> {
    (0..namespaces)
        .map(|i| {
            let share = records / namespaces + if i == 0 { records % namespaces } else { 0 };
            (format!("ns-{}", i + 1), share)
        })
        .collect()
}

/// How an index came to be, which decides its states and its data.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    /// Put there by the test; follows its own timeline from `created`.
    Seeded(Timeline<IndexState>),
    /// Made by a restore job: `Initializing` until the job ends, then
    /// `after_job` from that moment if it `Completed`, else
    /// `InitializationFailed`.
    Restored {
        job_id: String,
        backup_id: String,
        after_job: Timeline<IndexState>,
        stats: Stats,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Index {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) dimension: u32,
    pub(crate) metric: String,
    pub(crate) cloud: String,
    pub(crate) region: String,
    pub(crate) namespaces: Vec<(String, u64)>,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) deletion_protection: String,
    /// `127.0.0.1:PORT` of its data-plane listener.
    pub(crate) host: String,
    pub(crate) created: Duration,
    /// World time from which describes and lists show it.
    pub(crate) visible_from: Duration,
    pub(crate) origin: Origin,
}

#[derive(Debug, Clone)]
pub(crate) struct Backup {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) source_index_name: String,
    pub(crate) source_index_id: String,
    pub(crate) dimension: u32,
    pub(crate) metric: String,
    pub(crate) cloud: String,
    pub(crate) region: String,
    pub(crate) namespaces: Vec<(String, u64)>,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) created: Duration,
    /// World time from which describes and lists show it.
    pub(crate) visible_from: Duration,
    /// `None` renders no `created_at` at all.
    pub(crate) created_at: Option<String>,
    pub(crate) timeline: Timeline<String>,
}

impl Backup {
    pub(crate) fn record_count(&self) -> u64 {
        self.namespaces.iter().map(|(_, n)| n).sum()
    }

    pub(crate) fn status(&self, now: Duration) -> &str {
        self.timeline.at(now.saturating_sub(self.created))
    }
}

#[derive(Debug, Clone)]
pub(crate) struct RestoreJob {
    pub(crate) id: String,
    pub(crate) backup_id: String,
    pub(crate) target_index_name: String,
    pub(crate) target_index_id: String,
    pub(crate) created: Duration,
    /// World time from which describes and lists show it.
    pub(crate) visible_from: Duration,
    pub(crate) created_at: String,
    pub(crate) timeline: Timeline<JobStep>,
}

impl RestoreJob {
    pub(crate) fn step(&self, now: Duration) -> &JobStep {
        self.timeline.at(now.saturating_sub(self.created))
    }

    /// World time at which the job ended, if it ends.
    pub(crate) fn ended(&self) -> Option<Duration> {
        self.timeline
            .first_time(JobStep::is_terminal)
            .map(|after| self.created + after)
    }
}

/// What `POST /backups/{id}/create-index` asks for.
pub(crate) struct NewRestore {
    pub(crate) backup_id: String,
    pub(crate) name: String,
    pub(crate) tags: BTreeMap<String, String>,
    pub(crate) deletion_protection: Option<String>,
}

/// What the world decides about a restore beyond the request.
pub(crate) struct RestorePlan {
    pub(crate) job: Timeline<JobStep>,
    pub(crate) index: Timeline<IndexState>,
    pub(crate) stats: Stats,
    /// `127.0.0.1:PORT` of the new index's data-plane listener.
    pub(crate) host: String,
}

/// Every object in the world. Lists keep the order of creation.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) indexes: Vec<Index>,
    pub(crate) backups: Vec<Backup>,
    pub(crate) jobs: Vec<RestoreJob>,
    next_id: u64,
}

impl State {
    /// A fresh UUID-shaped id; the first group tells the kind apart
    /// (`b…` backups, `a…` restore jobs, `c…` indexes) so that a mix-up
    /// shows in a failing test.
    pub(crate) fn new_id(&mut self, kind: char) -> String {
        self.next_id += 1;
        format!("{kind}0000000-0000-4000-8000-{:012x}", self.next_id)
    }

    /// Keeps the objects with these ids out of describes and lists until
    /// `until` (world time).
    pub(crate) fn hide_until(&mut self, ids: &[&str], until: Duration) {
        for index in &mut self.indexes {
            if ids.contains(&index.id.as_str()) {
                index.visible_from = until;
            }
        }
        for backup in &mut self.backups {
            if ids.contains(&backup.id.as_str()) {
                backup.visible_from = until;
            }
        }
        for job in &mut self.jobs {
            if ids.contains(&job.id.as_str()) {
                job.visible_from = until;
            }
        }
    }

    /// An index a describe can see at `now`.
    pub(crate) fn visible_index(&self, name: &str, now: Duration) -> Option<&Index> {
        self.index(name).filter(|index| index.visible_from <= now)
    }

    /// A backup a describe can see at `now`.
    pub(crate) fn visible_backup(&self, id: &str, now: Duration) -> Option<&Backup> {
        self.backup(id).filter(|backup| backup.visible_from <= now)
    }

    /// A restore job a describe can see at `now`.
    pub(crate) fn visible_job(&self, id: &str, now: Duration) -> Option<&RestoreJob> {
        self.job(id).filter(|job| job.visible_from <= now)
    }

    pub(crate) fn index(&self, name: &str) -> Option<&Index> {
        self.indexes.iter().find(|index| index.name == name)
    }

    pub(crate) fn backup(&self, id: &str) -> Option<&Backup> {
        self.backups.iter().find(|backup| backup.id == id)
    }

    pub(crate) fn job(&self, id: &str) -> Option<&RestoreJob> {
        self.jobs.iter().find(|job| job.id == id)
    }

    pub(crate) fn add_index(&mut self, seed: IndexSeed, host: String, now: Duration) -> &Index {
        let id = self.new_id('c');
        self.indexes.push(Index {
            id,
            name: seed.name,
            dimension: seed.dimension,
            metric: seed.metric,
            cloud: seed.cloud,
            region: seed.region,
            namespaces: seed.namespaces,
            tags: seed.tags,
            deletion_protection: seed.deletion_protection,
            host,
            created: now,
            visible_from: now,
            origin: Origin::Seeded(seed.timeline),
        });
        self.indexes.last().unwrap()
    }

    pub(crate) fn add_backup(&mut self, seed: BackupSeed, now: Duration) -> &Backup {
        let id = seed.id.unwrap_or_else(|| self.new_id('b'));
        let source = self.index(&seed.index).cloned();
        let fallback = IndexSeed::new(&seed.index);
        let namespaces = seed
            .namespaces
            .or_else(|| source.as_ref().map(|index| index.namespaces.clone()))
            .unwrap_or_default();
        let source_index_id = match &source {
            Some(index) => index.id.clone(),
            None => self.new_id('c'),
        };
        self.backups.push(Backup {
            id,
            name: seed.name,
            description: seed.description,
            source_index_name: seed.index,
            source_index_id,
            dimension: source.as_ref().map_or(fallback.dimension, |i| i.dimension),
            metric: source
                .as_ref()
                .map_or(fallback.metric, |i| i.metric.clone()),
            cloud: source.as_ref().map_or(fallback.cloud, |i| i.cloud.clone()),
            region: source
                .as_ref()
                .map_or(fallback.region, |i| i.region.clone()),
            namespaces,
            tags: source.map(|index| index.tags).unwrap_or_default(),
            created: now,
            visible_from: now,
            created_at: seed.created_at,
            timeline: seed.timeline,
        });
        self.backups.last().unwrap()
    }

    pub(crate) fn add_job(&mut self, seed: RestoreJobSeed, now: Duration, clock: &WorldClock) {
        let id = seed.id.unwrap_or_else(|| self.new_id('a'));
        let target_index_id = seed.target_index_id.unwrap_or_else(|| self.new_id('c'));
        self.jobs.push(RestoreJob {
            id,
            backup_id: seed.backup_id,
            target_index_name: seed.target_index_name,
            target_index_id,
            created: now,
            visible_from: now,
            created_at: seed.created_at.unwrap_or_else(|| rfc3339(clock.wall(now))),
            timeline: seed.timeline,
        });
    }

    /// A backup of an existing index, as `POST /indexes/{index}/backups`
    /// makes it: the index's data as of now, `created_at` now.
    pub(crate) fn create_backup(
        &mut self,
        index: &str,
        name: Option<String>,
        description: Option<String>,
        timeline: Timeline<String>,
        now: Duration,
        clock: &WorldClock,
    ) -> &Backup {
        let mut seed = BackupSeed::of(index)
            .timeline(timeline)
            .created_at(&rfc3339(clock.wall(now)));
        seed.name = name;
        seed.description = description;
        self.add_backup(seed, now)
    }

    /// A restore job and its new index, as `POST
    /// /backups/{id}/create-index` makes them. The caller has checked that
    /// the backup exists and the name is free.
    pub(crate) fn restore(
        &mut self,
        request: NewRestore,
        plan: RestorePlan,
        now: Duration,
        clock: &WorldClock,
    ) -> (String, String) {
        let NewRestore {
            backup_id,
            name,
            tags,
            deletion_protection,
        } = request;
        let backup = self
            .backup(&backup_id)
            .expect("restore of a known backup")
            .clone();
        let job_id = self.new_id('a');
        let index_id = self.new_id('c');
        self.indexes.push(Index {
            id: index_id.clone(),
            name: name.clone(),
            dimension: backup.dimension,
            metric: backup.metric.clone(),
            cloud: backup.cloud.clone(),
            region: backup.region.clone(),
            namespaces: backup.namespaces.clone(),
            tags,
            deletion_protection: deletion_protection.unwrap_or_else(|| "disabled".to_owned()),
            host: plan.host,
            created: now,
            visible_from: now,
            origin: Origin::Restored {
                job_id: job_id.clone(),
                backup_id: backup.id.clone(),
                after_job: plan.index,
                stats: plan.stats,
            },
        });
        self.jobs.push(RestoreJob {
            id: job_id.clone(),
            backup_id: backup.id,
            target_index_name: name,
            target_index_id: index_id.clone(),
            created: now,
            visible_from: now,
            created_at: rfc3339(clock.wall(now)),
            timeline: plan.job,
        });
        (job_id, index_id)
    }

    /// `status.state`/`status.ready` of an index now.
    pub(crate) fn index_state(&self, index: &Index, now: Duration) -> IndexState {
        match &index.origin {
            Origin::Seeded(timeline) => timeline.at(now.saturating_sub(index.created)).clone(),
            Origin::Restored {
                job_id, after_job, ..
            } => {
                let Some(job) = self.job(job_id) else {
                    return IndexState::from("Initializing");
                };
                match job.ended() {
                    Some(ended) if ended <= now => {
                        if job.step(now).status == "Completed" {
                            after_job.at(now - ended).clone()
                        } else {
                            IndexState::from("InitializationFailed")
                        }
                    }
                    _ => IndexState::from("Initializing"),
                }
            }
        }
    }

    /// The namespaces `describe_index_stats` reports for an index now.
    pub(crate) fn index_stats(&self, index: &Index, now: Duration) -> Vec<(String, u64)> {
        let Origin::Restored {
            job_id,
            after_job,
            stats,
            ..
        } = &index.origin
        else {
            return index.namespaces.clone();
        };
        if !self.index_state(index, now).ready {
            return Vec::new();
        }
        let mut namespaces = index.namespaces.clone();
        match stats {
            Stats::Exact => {}
            Stats::Lagging(lag) => {
                let ready_since = self
                    .job(job_id)
                    .and_then(RestoreJob::ended)
                    .zip(after_job.first_time(|state| state.ready))
                    .map(|(ended, after)| ended + after);
                if ready_since.is_none_or(|since| now < since + *lag) {
                    namespaces.clear();
                }
            }
            Stats::NeverMatch => match namespaces.iter_mut().find(|(_, n)| *n > 0) {
                Some((_, count)) => *count -= 1,
                None => match namespaces.first_mut() {
                    Some((_, count)) => *count += 1,
                    None => namespaces.push((String::new(), 1)),
                },
            },
            Stats::MissingNamespace => {
                if namespaces.pop().is_none() {
                    namespaces.push(("extra".to_owned(), 0));
                }
            }
        }
        namespaces
    }

    /// `components.schemas.BackupModel` (db_control 2025-04 to 2026-07).
    pub(crate) fn backup_model(&self, backup: &Backup, now: Duration) -> Value {
        let mut model = json!({
            "backup_id": backup.id,
            "source_index_name": backup.source_index_name,
            "source_index_id": backup.source_index_id,
            "status": backup.status(now),
            "cloud": backup.cloud,
            "region": backup.region,
            "dimension": backup.dimension,
            "metric": backup.metric,
            "record_count": backup.record_count(),
            "namespace_count": backup.namespaces.len(),
            "size_bytes": backup.record_count() * u64::from(backup.dimension) * 4,
        });
        let fields = model.as_object_mut().unwrap();
        if let Some(name) = &backup.name {
            fields.insert("name".into(), json!(name));
        }
        if let Some(description) = &backup.description {
            fields.insert("description".into(), json!(description));
        }
        if let Some(created_at) = &backup.created_at {
            fields.insert("created_at".into(), json!(created_at));
        }
        if !backup.tags.is_empty() {
            fields.insert("tags".into(), json!(backup.tags));
        }
        model
    }

    /// `components.schemas.RestoreJobModel`: 2025-04 to 2026-04 with
    /// `PercentStyle::Float`, 2026-07 with `PercentStyle::Integer`.
    pub(crate) fn job_model(
        &self,
        job: &RestoreJob,
        now: Duration,
        clock: &WorldClock,
        style: PercentStyle,
    ) -> Value {
        let step = job.step(now);
        let mut model = Map::new();
        model.insert("restore_job_id".into(), json!(job.id));
        model.insert("backup_id".into(), json!(job.backup_id));
        model.insert("target_index_name".into(), json!(job.target_index_name));
        model.insert("target_index_id".into(), json!(job.target_index_id));
        model.insert("status".into(), json!(step.status));
        model.insert("created_at".into(), json!(job.created_at));
        let completed_at = job
            .ended()
            .filter(|ended| *ended <= now)
            .map(|ended| rfc3339(clock.wall(ended)));
        match style {
            PercentStyle::Float => {
                model.insert("percent_complete".into(), json!(step.percent));
                if let Some(completed_at) = completed_at {
                    model.insert("completed_at".into(), json!(completed_at));
                }
            }
            PercentStyle::Integer => {
                if step.status == "Completed" {
                    model.insert("percent_complete".into(), json!(100));
                }
                model.insert("completed_at".into(), json!(completed_at));
            }
        }
        Value::Object(model)
    }

    /// `components.schemas.IndexModel` of a serverless index (db_control
    /// 2025-10 and 2026-04, whose `ServerlessSpecResponse` requires
    /// `read_capacity`; 2025-04 allows the extra field).
    pub(crate) fn index_model(&self, index: &Index, now: Duration) -> Value {
        let state = self.index_state(index, now);
        let mut model = json!({
            "name": index.name,
            "dimension": index.dimension,
            "metric": index.metric,
            "host": index.host,
            "deletion_protection": index.deletion_protection,
            "spec": {"serverless": {
                "cloud": index.cloud,
                "region": index.region,
                "read_capacity": {"mode": "OnDemand", "status": {"state": "Ready"}},
            }},
            "status": {"ready": state.ready, "state": state.state},
            "vector_type": "dense",
        });
        if !index.tags.is_empty() {
            model["tags"] = json!(index.tags);
        }
        model
    }

    /// `components.schemas.IndexDescription` (db_data 2025-10 and 2026-04),
    /// the answer of `describe_index_stats`.
    pub(crate) fn stats_model(&self, index: &Index, now: Duration) -> Value {
        let namespaces = self.index_stats(index, now);
        let total: u64 = namespaces.iter().map(|(_, n)| n).sum();
        let by_name: Map<String, Value> = namespaces
            .into_iter()
            .map(|(name, count)| (name, json!({"vectorCount": count})))
            .collect();
        json!({
            "namespaces": by_name,
            "dimension": index.dimension,
            "indexFullness": 0.0,
            "totalVectorCount": total,
            "metric": index.metric,
            "vectorType": "dense",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn world() -> (State, WorldClock) {
        let mut state = State::default();
        state.add_index(
            IndexSeed::new("prod")
                .namespace("", 100)
                .namespace("eu", 20),
            "127.0.0.1:1".into(),
            Duration::ZERO,
        );
        (state, WorldClock::start())
    }

    fn restore(
        state: &mut State,
        backup: &str,
        name: &str,
        job: Timeline<JobStep>,
        stats: Stats,
    ) -> String {
        let request = NewRestore {
            backup_id: backup.to_owned(),
            name: name.to_owned(),
            tags: BTreeMap::new(),
            deletion_protection: None,
        };
        let plan = RestorePlan {
            job,
            index: Timeline::index(10 * MS, "Ready"),
            stats,
            host: "127.0.0.1:2".into(),
        };
        state
            .restore(request, plan, Duration::ZERO, &WorldClock::start())
            .0
    }

    #[test]
    fn a_backup_copies_the_index_data_and_follows_its_timeline() {
        let (mut state, clock) = world();
        let at = Duration::from_secs(5);
        let id = state
            .create_backup(
                "prod",
                Some("n".into()),
                None,
                Timeline::backup(100 * MS, "Ready"),
                at,
                &clock,
            )
            .id
            .clone();
        let backup = state.backup(&id).unwrap();
        assert_eq!(backup.record_count(), 120);
        assert_eq!(backup.source_index_id, state.index("prod").unwrap().id);
        let model = state.backup_model(backup, at);
        assert_eq!(model["status"], "Initializing");
        assert_eq!(model["namespace_count"], 2);
        assert_eq!(model["created_at"], json!(rfc3339(clock.wall(at))));
        assert_eq!(
            state.backup_model(backup, at + 50 * MS)["status"],
            "Pending"
        );
        assert_eq!(state.backup_model(backup, at + 100 * MS)["status"], "Ready");
        assert!(model.get("description").is_none());
    }

    #[test]
    fn seeded_backups_may_lack_created_at_and_carry_their_own_counts() {
        let (mut state, _) = world();
        let backup = state
            .add_backup(BackupSeed::of("gone").counts(10, 3).status("Failed"), MS)
            .clone();
        assert_eq!(
            backup.namespaces,
            vec![("ns-1".into(), 4), ("ns-2".into(), 3), ("ns-3".into(), 3)]
        );
        let model = state.backup_model(&backup, Duration::from_secs(9));
        assert_eq!(model["status"], "Failed");
        assert!(model.get("created_at").is_none());
    }

    #[test]
    fn a_restored_index_waits_for_its_job_then_follows_its_own_timeline() {
        let (mut state, clock) = world();
        let backup = state
            .add_backup(BackupSeed::of("prod"), Duration::ZERO)
            .id
            .clone();
        let job_id = restore(
            &mut state,
            &backup,
            "scratch",
            Timeline::restore(100 * MS, "Completed"),
            Stats::Exact,
        );
        let index = state.index("scratch").unwrap().clone();
        let state_at = |t: Duration| state.index_state(&index, t);
        assert_eq!(state_at(99 * MS), IndexState::from("Initializing"));
        assert_eq!(state_at(100 * MS), IndexState::from("Initializing"));
        assert_eq!(state_at(110 * MS), IndexState::from("Ready"));
        assert!(state.index_stats(&index, 105 * MS).is_empty());
        assert_eq!(state.index_stats(&index, 110 * MS).len(), 2);
        let job = state.job(&job_id).unwrap();
        let model = state.job_model(job, 50 * MS, &clock, PercentStyle::Float);
        assert_eq!(model["status"], "InProgress");
        assert_eq!(model["percent_complete"], json!(50.0));
        assert!(model.get("completed_at").is_none());
        let done = state.job_model(job, 100 * MS, &clock, PercentStyle::Float);
        assert_eq!(done["completed_at"], json!(rfc3339(clock.wall(100 * MS))));
    }

    #[test]
    fn a_failed_job_fails_its_index() {
        let (mut state, _) = world();
        let backup = state
            .add_backup(BackupSeed::of("prod"), Duration::ZERO)
            .id
            .clone();
        restore(
            &mut state,
            &backup,
            "scratch",
            Timeline::restore(10 * MS, "Failed"),
            Stats::Exact,
        );
        let index = state.index("scratch").unwrap().clone();
        assert_eq!(
            state.index_state(&index, Duration::from_secs(1)),
            IndexState::from("InitializationFailed")
        );
    }

    #[test]
    fn integer_percent_is_absent_until_completed_and_completed_at_null() {
        let (mut state, clock) = world();
        state.add_job(
            RestoreJobSeed::new("b", "t").timeline(Timeline::restore(10 * MS, "Completed")),
            Duration::ZERO,
            &clock,
        );
        let job = state.jobs[0].clone();
        let pending = state.job_model(&job, Duration::ZERO, &clock, PercentStyle::Integer);
        assert!(pending.get("percent_complete").is_none());
        assert_eq!(pending["completed_at"], Value::Null);
        let done = state.job_model(&job, 10 * MS, &clock, PercentStyle::Integer);
        assert_eq!(done["percent_complete"], json!(100));
        assert!(done["percent_complete"].is_u64());
        assert!(done["completed_at"].is_string());
    }

    #[test]
    fn stats_can_lag_or_never_match() {
        let (mut state, _) = world();
        let backup = state
            .add_backup(BackupSeed::of("prod"), Duration::ZERO)
            .id
            .clone();
        for (name, stats) in [
            ("lag", Stats::Lagging(50 * MS)),
            ("never", Stats::NeverMatch),
            ("missing", Stats::MissingNamespace),
        ] {
            restore(
                &mut state,
                &backup,
                name,
                Timeline::fixed(("Completed", 100.0)),
                stats,
            );
        }
        let total = |name: &str, at: Duration| {
            let index = state.index(name).unwrap();
            let model = state.stats_model(index, at);
            (
                model["totalVectorCount"].as_u64().unwrap(),
                model["namespaces"].as_object().unwrap().len(),
            )
        };
        // The index is ready 10 ms after the (instant) job.
        assert_eq!(total("lag", 59 * MS), (0, 0));
        assert_eq!(total("lag", 60 * MS), (120, 2));
        assert_eq!(total("never", Duration::from_secs(3600)), (119, 2));
        assert_eq!(total("missing", Duration::from_secs(3600)), (100, 1));
    }
}
