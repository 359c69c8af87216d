//! The restore models against what the stateful fake Pinecone
//! (`testkit::world`) serves, step by step along a restore: the fake and
//! the parsers must agree on every shape, in both percent styles, or the
//! end-to-end tests would test nothing. Test-only.

use std::time::Duration;

use serde_json::Value;
use testkit::world::{BackupSeed, FakePinecone, IndexSeed, Settings, Stats};

use super::Backup;
use super::index_model::IndexModel;
use super::index_stats::{Counts, Expected, IndexStats};
use super::restore_job::RestoreJob;
use crate::status::StatusClass;

const MS: Duration = Duration::from_millis(1);

/// A frozen world with `prod` (1200 records in 3 namespaces, the default
/// one among them), a Ready backup of it, and a restore of that backup
/// into `drill-1` started now.
fn restoring(settings: Settings) -> (FakePinecone, String, String) {
    let world = FakePinecone::start_with(settings);
    world.freeze_clock();
    world.add_index(
        IndexSeed::new("prod")
            .namespace("", 1000)
            .namespace("eu", 150)
            .namespace("us", 50),
    );
    let backup = world.add_backup(BackupSeed::of("prod"));
    let (job, _index_id) = world.restore(&backup, "drill-1");
    (world, backup, job)
}

fn job(world: &FakePinecone, id: &str) -> RestoreJob {
    RestoreJob::from_value(world.restore_job_model(id).unwrap()).unwrap()
}

fn index(world: &FakePinecone) -> IndexModel {
    IndexModel::from_value(world.index_model("drill-1").unwrap()).unwrap()
}

fn counts(world: &FakePinecone, backup: &str) -> Counts {
    let backup = Backup::from_value(world.backup_model(backup).unwrap()).unwrap();
    let stats = IndexStats::from_value(world.index_stats("drill-1").unwrap()).unwrap();
    Counts::compare(Expected::from_backup(&backup).unwrap(), &stats)
}

fn percent(job: &RestoreJob) -> Option<String> {
    job.percent_complete().map(|p| p.text().to_owned())
}

#[test]
fn a_float_style_restore_reads_at_every_step() {
    let (world, backup, id) = restoring(Settings::default());
    let pending = job(&world, &id);
    assert_eq!(pending.class(), StatusClass::InProgress);
    assert_eq!(pending.restore_job_id(), Some(id.as_str()));
    assert_eq!(pending.backup_id(), Some(backup.as_str()));
    assert_eq!(pending.target_index_name(), Some("drill-1"));
    assert!(percent(&pending).is_some());
    assert_eq!(index(&world).class(), StatusClass::InProgress);

    world.advance(60 * MS);
    assert_eq!(job(&world, &id).class(), StatusClass::InProgress);

    world.advance(60 * MS);
    let done = job(&world, &id);
    assert_eq!(done.class(), StatusClass::Ready);
    assert!(done.completed_at().is_some());
    world.advance(60 * MS);
    let index = index(&world);
    assert_eq!(index.class(), StatusClass::Ready);
    let host = index.data_plane().unwrap();
    assert!(host.is_loopback());
    assert!(
        host.base().starts_with("http://127.0.0.1:"),
        "{}",
        host.base()
    );

    let counts = counts(&world, &backup);
    assert!(counts.matches(), "{counts}");
    assert_eq!(
        counts.sentence(),
        "1200 of 1200 records in 3 of 3 namespaces"
    );
}

#[test]
fn an_integer_style_restore_reports_percent_only_when_completed() {
    let (world, _backup, id) = restoring(Settings::version_2026_07());
    let pending = job(&world, &id);
    assert_eq!(pending.class(), StatusClass::InProgress);
    assert_eq!(percent(&pending), None);
    assert_eq!(pending.as_json()["completed_at"], Value::Null);
    world.advance(120 * MS);
    let done = job(&world, &id);
    assert_eq!(done.class(), StatusClass::Ready);
    assert_eq!(percent(&done).as_deref(), Some("100"));
}

#[test]
fn lagging_and_never_matching_stats_read_as_mismatches() {
    let lag = Settings {
        stats: Stats::Lagging(100 * MS),
        ..Settings::default()
    };
    let (world, backup, _) = restoring(lag);
    world.advance(200 * MS);
    assert_eq!(index(&world).class(), StatusClass::Ready);
    let lagging = counts(&world, &backup);
    assert_eq!(
        lagging.progress(),
        "stats still lag: 0 of 1200 records in 0 of 3 namespaces"
    );
    world.advance(100 * MS);
    assert!(counts(&world, &backup).matches());

    let never = Settings {
        stats: Stats::NeverMatch,
        ..Settings::default()
    };
    let (world, backup, _) = restoring(never);
    world.advance(10_000 * MS);
    assert!(!counts(&world, &backup).matches());

    let missing = Settings {
        stats: Stats::MissingNamespace,
        ..Settings::default()
    };
    let (world, backup, _) = restoring(missing);
    world.advance(10_000 * MS);
    let c = counts(&world, &backup);
    assert!(!c.matches(), "{c}");
}

#[test]
fn a_cancelled_restore_fails_the_job_and_the_index() {
    let cancelled = Settings {
        restore_job_timeline: testkit::world::Timeline::restore(50 * MS, "Cancelled"),
        ..Settings::default()
    };
    let (world, _backup, id) = restoring(cancelled);
    world.advance(100 * MS);
    assert_eq!(job(&world, &id).class(), StatusClass::Failed);
    assert_eq!(index(&world).class(), StatusClass::Failed);
}
