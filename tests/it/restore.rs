//! `--restore-to-index` and `--restore-job-id` (issue 10): the binary
//! against the stateful fake Pinecone (`testkit::world`), its restore jobs
//! on timelines, its indexes with their own loopback data planes. Every
//! ending of the issue's table has its exit code, `stage` and message
//! here; the harness checks every run for a leaked key.

use std::time::Duration;

use serde_json::{Value, json};
use testkit::Reply;
use testkit::payloads::HOSTILE;
use testkit::world::{
    BackupSeed, FakePinecone, Fault, IndexSeed, Settings, Stats, Timeline, replies,
};

use crate::support::{KEY, Run, Waiter, bare_waiter};

const CREATE_INDEX: &str = "/backups/*/create-index";
const MS: fn(u64) -> Duration = Duration::from_millis;

/// A world that accepts only the test key, with index `prod` (1200
/// records in 3 namespaces, the default one among them).
fn world_with(settings: Settings) -> FakePinecone {
    let world = FakePinecone::start_with(Settings {
        api_key: Some(KEY.to_owned()),
        ..settings
    });
    world.add_index(
        IndexSeed::new("prod")
            .namespace("", 1000)
            .namespace("eu", 150)
            .namespace("us", 50),
    );
    world
}

fn world() -> FakePinecone {
    world_with(Settings::default())
}

/// A run against `world` with a fast schedule and a 5 s deadline.
fn waiter(world: &FakePinecone) -> Waiter {
    bare_waiter()
        .args(["--api-host", &world.url()])
        .args(["--initial-interval", "10ms", "--max-interval", "50ms"])
        .args(["--timeout", "5s"])
}

/// `--backup-id` of a Ready backup of `prod`, restored into `drill-1`.
fn restore_by_id(world: &FakePinecone) -> (Waiter, String) {
    let backup = world.add_backup(BackupSeed::of("prod").name("nightly"));
    let run = waiter(world).args(["--backup-id", &backup, "--restore-to-index", "drill-1"]);
    (run, backup)
}

#[track_caller]
fn assert_stage(run: &Run, stage: &str) {
    assert_eq!(run.output("stage"), stage, "{}", run.describe());
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|err| panic!("{err}\n{}", run.describe()))
}

/// Nothing but reads and the one create-index: the waiter never deletes,
/// replaces or configures an index.
#[track_caller]
fn assert_only_reads_and_creates(world: &FakePinecone) {
    for exchange in world.exchanges() {
        let path = exchange.path();
        let allowed = match exchange.method() {
            "GET" => true,
            "POST" => {
                path.ends_with("/create-index")
                    || path == "/describe_index_stats"
                    || path == "/indexes/prod/backups"
            }
            _ => false,
        };
        assert!(allowed, "{} {path}", exchange.method());
    }
}

#[test]
fn restores_the_backup_given_by_id_and_checks_its_data() {
    let world = world();
    let (run, backup) = restore_by_id(&world);
    let run = run
        .in_github_actions()
        .args([
            "--restore-tags",
            r#"{"purpose":"restore-drill"}"#,
            "--restore-deletion-protection",
            "disabled",
            "--json",
        ])
        .run();
    run.assert_result(0, "ready");
    assert_stage(&run, "verify");
    // The backup outputs keep describing the backup.
    assert_eq!(run.output("backup_id"), backup);
    assert_eq!(run.output("status"), "Ready");
    assert_eq!(run.output("record_count"), "1200");
    // The restore outputs.
    let jobs = world.restore_jobs();
    assert_eq!(jobs.len(), 1);
    let index = world.index("drill-1").expect("the index was created");
    assert_eq!(index.restored_from.as_deref(), Some(backup.as_str()));
    assert_eq!(run.output("restore_job_id"), jobs[0].restore_job_id);
    assert_eq!(run.output("restore_status"), "Completed");
    assert_eq!(run.output("restore_percent_complete"), "100.0");
    assert_eq!(run.output("restore_created"), "true");
    assert_eq!(run.output("restored_index_name"), "drill-1");
    assert_eq!(run.output("restored_index_id"), index.id);
    assert_eq!(run.output("restored_index_host"), index.host);
    assert_eq!(run.output("restored_index_state"), "Ready");
    assert_eq!(run.output("restored_record_count"), "1200");
    // What was sent: the body, and the data plane's request.
    let posts = world.requests_to("POST", CREATE_INDEX);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].path(), format!("/backups/{backup}/create-index"));
    assert_eq!(
        posts[0].json().unwrap(),
        json!({"name": "drill-1", "tags": {"purpose": "restore-drill"},
               "deletion_protection": "disabled"})
    );
    assert_eq!(
        index.tags.get("purpose").map(String::as_str),
        Some("restore-drill")
    );
    let stats = world.requests_to("POST", "/describe_index_stats");
    assert!(!stats.is_empty());
    assert_eq!(stats[0].request.header("api-key"), Some(KEY));
    assert_eq!(stats[0].json().unwrap(), json!({}));
    assert!(stats[0].request.header("x-pinecone-api-version").is_some());
    assert_only_reads_and_creates(&world);
    // The dotenv report and the JSON agree with the outputs.
    assert_eq!(
        run.dotenv_value("PINECONE_BACKUP_RESTORE_JOB_ID"),
        jobs[0].restore_job_id
    );
    assert_eq!(
        run.dotenv_value("PINECONE_BACKUP_RESTORE_STATUS"),
        "Completed"
    );
    assert_eq!(
        run.dotenv_value("PINECONE_BACKUP_RESTORED_INDEX_NAME"),
        "drill-1"
    );
    assert_eq!(
        run.dotenv_value("PINECONE_BACKUP_RESTORED_INDEX_HOST"),
        index.host
    );
    let value = json(&run);
    assert_eq!(value["version"], 2);
    assert_eq!(value["stage"], "verify");
    assert_eq!(value["restore_created"], true);
    assert_eq!(value["restored_index_name"], "drill-1");
    assert_eq!(value["restored_index_host"], index.host.as_str());
    assert_eq!(value["restore_job"]["status"], "Completed");
    assert_eq!(value["index"]["status"]["ready"], true);
    assert_eq!(value["verify"]["records"], 1200);
    assert_eq!(value["verify"]["expected_namespaces"], 3);
    assert_eq!(value["verify"]["matches"], true);
    let stages: Vec<&str> = value["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["backup", "restore", "index", "verify"]);
    // The summary tells the run as a timeline, with the counts compared.
    assert!(
        run.summary
            .contains("| Stage | Started | Took | Statuses seen | Checks | Outcome | Detail |"),
        "{}",
        run.summary
    );
    assert!(
        run.summary
            .contains("| matched | 1200 of 1200 records in 3 of 3 namespaces |"),
        "{}",
        run.summary
    );
    assert!(
        run.summary
            .contains("### ✅ Pinecone backup restored and checked")
    );
    // The log: each stage, progress, the timeline, the verdict.
    for needle in [
        "restore: restoring backup",
        "restore started: job ",
        "index: waiting for index drill-1",
        "verify: checking index drill-1's data against the backup: 1200 records in 3 namespaces",
        "index drill-1: 1200 of 1200 records in 3 of 3 namespaces",
        "timeline:",
        "  verify: +",
        "index drill-1 is ready, holding 1200 of 1200 records in 3 of 3 namespaces, restored from backup",
    ] {
        assert!(run.stderr.contains(needle), "{needle}\n{}", run.describe());
    }
}

#[test]
fn restores_a_backup_this_run_creates() {
    let world = world();
    let run = waiter(&world)
        .args([
            "--create-from-index",
            "prod",
            "--restore-to-index",
            "drill-1",
        ])
        .run();
    run.assert_result(0, "ready");
    assert_stage(&run, "verify");
    assert_eq!(run.output("created"), "true");
    assert_eq!(run.output("selected_by"), "create");
    assert_eq!(run.output("restore_created"), "true");
    let backups = world.backups_of("prod");
    assert_eq!(backups.len(), 1);
    assert_eq!(
        world.index("drill-1").unwrap().restored_from.as_deref(),
        Some(backups[0].backup_id.as_str())
    );
    for stage in [
        "| select |",
        "| backup |",
        "| restore |",
        "| index |",
        "| verify |",
    ] {
        assert!(run.summary.contains(stage), "{stage}\n{}", run.summary);
    }
}

#[test]
fn restores_the_latest_backup_of_an_index() {
    let world = world();
    world.add_backup(
        BackupSeed::of("prod")
            .name("older")
            .created_at(&world.timestamp_ago(Duration::from_secs(26 * 3600))),
    );
    let newest = world.add_backup(
        BackupSeed::of("prod")
            .name("nightly")
            .created_at(&world.timestamp_ago(Duration::from_secs(3 * 3600))),
    );
    let run = waiter(&world)
        .args(["--latest-of-index", "prod", "--max-age", "26h"])
        .args(["--restore-to-index", "drill-1"])
        .run();
    run.assert_result(0, "ready");
    assert_eq!(run.output("selected_by"), "latest");
    assert_eq!(run.output("backup_id"), newest);
    assert_eq!(
        world.index("drill-1").unwrap().restored_from.as_deref(),
        Some(newest.as_str())
    );
    assert!(
        run.summary.contains("| latest | nightly (3h old) |"),
        "{}",
        run.summary
    );
}

#[test]
fn the_restore_job_mode_waits_for_the_job_its_index_and_checks_against_its_backup() {
    let world = world();
    let backup = world.add_backup(BackupSeed::of("prod"));
    let (job, _) = world.restore(&backup, "staging");
    let run = waiter(&world)
        .args(["--restore-job-id", &job, "--json"])
        .run();
    run.assert_result(0, "ready");
    assert_stage(&run, "verify");
    assert_eq!(run.output("selected_by"), "restore_job");
    assert_eq!(run.output("created"), "false");
    // The backup the job restored, described for its counts.
    assert_eq!(run.output("backup_id"), backup);
    assert_eq!(run.output("record_count"), "1200");
    assert_eq!(run.output("restore_job_id"), job);
    assert_eq!(run.output("restore_status"), "Completed");
    // Not created by this run: a cleanup step must not take it.
    assert_eq!(run.output("restore_created"), "false");
    assert_eq!(run.output("restored_index_name"), "");
    assert_eq!(run.output("restored_index_id"), "");
    let index = world.index("staging").unwrap();
    assert_eq!(run.output("restored_index_host"), index.host);
    assert_eq!(run.output("restored_index_state"), "Ready");
    assert_eq!(run.output("restored_record_count"), "1200");
    assert_eq!(world.count("POST", CREATE_INDEX), 0);
    assert_eq!(world.count("GET", "/restore-jobs"), 0);
    let value = json(&run);
    assert_eq!(value["restore_created"], false);
    assert!(value["restored_index_name"].is_null());
    assert_eq!(value["restored_index_host"], index.host.as_str());
}

#[test]
fn an_unknown_restore_job_id_is_not_found() {
    let world = world();
    let run = waiter(&world)
        .args(["--restore-job-id", "no-such-job"])
        .run();
    run.assert_result(4, "not_found");
    assert_stage(&run, "restore");
    run.assert_error_contains(
        "restore job 'no-such-job' is unknown to the project of this API key",
    );
    assert_eq!(world.exchanges().len(), 1);
}

#[test]
fn an_unknown_backup_id_is_not_found_before_any_restore() {
    let world = world();
    let run = waiter(&world)
        .args([
            "--backup-id",
            "no-such-backup",
            "--restore-to-index",
            "drill-1",
        ])
        .run();
    run.assert_result(4, "not_found");
    assert_stage(&run, "backup");
    run.assert_error_contains("backup 'no-such-backup' is unknown");
    assert_eq!(world.count("POST", CREATE_INDEX), 0);
    assert_eq!(run.output("restore_created"), "false");
}

#[test]
fn issue10_an_ambiguous_create_index_adopts_the_one_restore_it_started() {
    let world = world();
    world.fault(Fault::post(CREATE_INDEX).nth(1).reset_after_acting());
    let (run, _) = restore_by_id(&world);
    let run = run.run();
    run.assert_result(0, "ready");
    assert_stage(&run, "verify");
    assert_eq!(world.count("POST", CREATE_INDEX), 1, "never sent twice");
    let jobs = world.restore_jobs();
    assert_eq!(jobs.len(), 1, "exactly one restore job");
    // Once before the POST (what existed), once after it (the look).
    assert_eq!(world.count("GET", "/restore-jobs"), 2);
    assert_eq!(run.output("restore_job_id"), jobs[0].restore_job_id);
    assert_eq!(run.output("restore_created"), "true");
    assert_eq!(run.output("restored_index_name"), "drill-1");
    assert_eq!(run.output("restored_index_id"), jobs[0].target_index_id);
    for needle in [
        "the restore may have started: looking for its job before sending the create-index again",
        "found this run's restore job after all (not sent again)",
    ] {
        assert!(run.stderr.contains(needle), "{needle}\n{}", run.describe());
    }
    assert!(run.summary.contains("not started twice"), "{}", run.summary);
}

#[test]
fn an_earlier_restore_of_the_same_backup_into_the_same_name_is_never_adopted() {
    // A job of an earlier run restoring this backup into `drill-1` (an
    // index deleted since) is listed; this run's create-index is lost
    // without acting, so the look must not take that job for its own.
    let world = world();
    let (run, backup) = restore_by_id(&world);
    world.add_restore_job(testkit::world::RestoreJobSeed::new(&backup, "drill-1").id("old-job"));
    world.fault(
        Fault::post(CREATE_INDEX)
            .nth(1)
            .instead(Reply::Reset(Vec::new())),
    );
    let run = run.run();
    run.assert_result(0, "ready");
    assert_eq!(world.count("POST", CREATE_INDEX), 2);
    assert_ne!(run.output("restore_job_id"), "old-job");
    assert_eq!(run.output("restore_created"), "true");
}

#[test]
fn an_index_that_exists_is_left_untouched_and_ends_with_exit_6_naming_it() {
    let world = world();
    world.add_index(IndexSeed::new("drill-1").namespace("", 7));
    let before = world.index("drill-1").unwrap();
    let (run, _) = restore_by_id(&world);
    let run = run.run();
    run.assert_result(6, "error");
    assert_stage(&run, "restore");
    run.assert_error_contains("index 'drill-1' already exists");
    run.assert_error_contains("index drill-1 was not created by this run and is left untouched");
    assert_eq!(world.count("POST", CREATE_INDEX), 1);
    assert_eq!(world.index("drill-1").unwrap(), before);
    assert_only_reads_and_creates(&world);
    assert_eq!(run.output("restore_created"), "false");
    assert_eq!(run.output("restored_index_name"), "");
    assert_eq!(run.output("restored_index_id"), "");
    assert_eq!(run.dotenv_value("PINECONE_BACKUP_RESTORED_INDEX_NAME"), "");
}

#[test]
fn a_backup_not_complete_yet_412_is_retried_until_the_restore_starts() {
    let world = world();
    let (run, backup) = restore_by_id(&world);
    world.fault(
        Fault::post(CREATE_INDEX)
            .first(2)
            .instead(replies::backup_not_completed(&backup)),
    );
    let run = run.run();
    run.assert_result(0, "ready");
    assert_eq!(world.count("POST", CREATE_INDEX), 3);
    assert_eq!(world.restore_jobs().len(), 1);
    assert!(
        run.stderr
            .contains("the backup cannot be restored yet (not complete): trying again"),
        "{}",
        run.describe()
    );
}

#[test]
fn a_cancelled_restore_job_fails_and_names_the_index_for_the_cleanup() {
    let world = world_with(Settings {
        restore_job_timeline: Timeline::restore(MS(100), "Cancelled"),
        ..Settings::default()
    });
    let (run, _) = restore_by_id(&world);
    let run = run.run();
    run.assert_result(1, "failed");
    assert_stage(&run, "restore");
    run.assert_error_contains("ended with status Cancelled, a failed status");
    assert_eq!(run.output("restore_status"), "Cancelled");
    // The index is this run's: the cleanup may delete it.
    assert_eq!(run.output("restore_created"), "true");
    assert_eq!(run.output("restored_index_name"), "drill-1");
    assert!(run.summary.contains("### ❌ Pinecone restore failed"));
}

#[test]
fn an_index_that_fails_to_initialize_fails_in_the_index_stage() {
    let world = world_with(Settings {
        restored_index_timeline: Timeline::index(MS(50), "InitializationFailed"),
        ..Settings::default()
    });
    let (run, _) = restore_by_id(&world);
    let run = run.run();
    run.assert_result(1, "failed");
    assert_stage(&run, "index");
    run.assert_error_contains("index drill-1 is in state InitializationFailed, a failed state");
    assert_eq!(run.output("restored_index_state"), "InitializationFailed");
    assert_eq!(run.output("restore_status"), "Completed");
    assert_eq!(run.output("restored_index_name"), "drill-1");
}

#[test]
fn counts_that_lag_behind_the_restore_are_waited_for() {
    let world = world_with(Settings {
        stats: Stats::Lagging(MS(300)),
        ..Settings::default()
    });
    let (run, _) = restore_by_id(&world);
    let run = run.run();
    run.assert_result(0, "ready");
    assert!(
        run.stderr
            .contains("index drill-1: stats still lag: 0 of 1200 records in 0 of 3 namespaces"),
        "{}",
        run.describe()
    );
    assert!(world.count("POST", "/describe_index_stats") > 1);
    assert_eq!(run.output("restored_record_count"), "1200");
}

#[test]
fn counts_that_never_match_fail_at_the_deadline_in_the_verify_stage() {
    let world = world_with(Settings {
        stats: Stats::NeverMatch,
        ..Settings::default()
    });
    let (run, _) = restore_by_id(&world);
    let run = run.args(["--timeout", "1500ms"]).run();
    run.assert_result(1, "failed");
    assert_stage(&run, "verify");
    run.assert_error_contains(
        "the restored index drill-1 does not hold what the backup holds: stats still lag: \
         1199 of 1200 records in 3 of 3 namespaces (deadline of 1.5s passed after",
    );
    assert_eq!(run.output("restored_record_count"), "1199");
    assert!(run.elapsed < Duration::from_secs(3), "{:?}", run.elapsed);
}

#[test]
fn the_deadline_in_the_restore_stage_is_a_timeout_there() {
    let world = world_with(Settings {
        restore_job_timeline: Timeline::restore(Duration::from_secs(60), "Completed"),
        ..Settings::default()
    });
    let (run, _) = restore_by_id(&world);
    let run = run.args(["--timeout", "1s"]).run();
    run.assert_result(3, "timeout");
    assert_stage(&run, "restore");
    run.assert_error_contains("deadline of 1s passed after");
    run.assert_error_contains("last status: Pending");
    assert_eq!(run.output("restore_created"), "true");
    assert_eq!(run.output("restored_index_name"), "drill-1");
    assert!(run.elapsed < Duration::from_secs(3), "{:?}", run.elapsed);
}

#[test]
fn the_deadline_in_the_index_stage_is_a_timeout_there() {
    let world = world_with(Settings {
        restored_index_timeline: Timeline::index(Duration::from_secs(60), "Ready"),
        ..Settings::default()
    });
    let (run, _) = restore_by_id(&world);
    let run = run.args(["--timeout", "1s"]).run();
    run.assert_result(3, "timeout");
    assert_stage(&run, "index");
    run.assert_error_contains("last status: Initializing");
    assert_eq!(run.output("restored_index_state"), "Initializing");
}

#[test]
fn a_job_and_an_index_not_visible_yet_are_waited_for() {
    let world = world_with(Settings {
        visibility_lag: MS(200),
        ..Settings::default()
    });
    let (run, _) = restore_by_id(&world);
    let run = run.run();
    run.assert_result(0, "ready");
    let not_found = world
        .exchanges()
        .iter()
        .filter(|e| e.status() == Some(404))
        .count();
    assert!(not_found > 0, "the lag was seen");
}

#[test]
fn both_percent_styles_are_reported_as_received() {
    for (settings, percent, json_percent) in [
        (Settings::default(), "100.0", json!(100.0)),
        (Settings::version_2026_07(), "100", json!(100)),
    ] {
        let world = world_with(Settings {
            restore_job_timeline: Timeline::restore(MS(300), "Completed"),
            ..settings
        });
        let (run, _) = restore_by_id(&world);
        let run = run.args(["--json"]).run();
        run.assert_result(0, "ready");
        assert_eq!(run.output("restore_percent_complete"), percent);
        assert_eq!(json(&run)["restore_percent_complete"], json_percent);
        assert_eq!(json(&run)["restore_job"]["percent_complete"], json_percent);
    }
    // While pending, the float style shows progress; 2026-07 has none.
    let world = world_with(Settings {
        restore_job_timeline: Timeline::restore(Duration::from_secs(60), "Completed"),
        ..Settings::default()
    });
    let (run, _) = restore_by_id(&world);
    let run = run.args(["--timeout", "600ms"]).run();
    run.assert_result(3, "timeout");
    assert!(run.stderr.contains("% complete"), "{}", run.describe());
    let world = world_with(Settings {
        restore_job_timeline: Timeline::restore(Duration::from_secs(60), "Completed"),
        ..Settings::version_2026_07()
    });
    let (run, _) = restore_by_id(&world);
    let run = run.args(["--timeout", "600ms"]).run();
    run.assert_result(3, "timeout");
    assert!(!run.stderr.contains("% complete"), "{}", run.describe());
    assert_eq!(run.output("restore_percent_complete"), "");
}

#[test]
fn restore_flags_are_checked_before_any_request() {
    let world = world();
    for (args, message) in [
        (
            &["--backup-id", "b", "--restore-to-index", "Drill_1"][..],
            "invalid value for --restore-to-index",
        ),
        (
            &["--backup-id", "b", "--restore-tags", "{}"][..],
            "the argument '--restore-tags' cannot be used without '--restore-to-index'",
        ),
        (
            &[
                "--backup-id",
                "b",
                "--restore-to-index",
                "d",
                "--timeout",
                "0",
            ][..],
            "the argument '--timeout 0' cannot be used with '--restore-to-index'",
        ),
        (
            &["--backup-id", "b", "--restore-job-id", "j"][..],
            "the argument '--restore-job-id' cannot be used with '--backup-id'",
        ),
        (
            &["--restore-job-id", "j", "--restore-to-index", "d"][..],
            "the argument '--restore-to-index' cannot be used with '--restore-job-id'",
        ),
        (
            &[
                "--backup-id",
                "b",
                "--restore-to-index",
                "d",
                "--restore-tags",
                "{\"a\":\"x\ny\"}",
            ][..],
            "invalid value for --restore-tags",
        ),
    ] {
        let run = bare_waiter()
            .args(["--api-host", &world.url()])
            .args(args)
            .run();
        run.assert_result(2, "invalid");
        run.assert_error_contains(message);
        assert_eq!(run.output("stage"), "");
        assert_eq!(run.output("restore_created"), "");
    }
    assert!(world.exchanges().is_empty(), "no request was made");
}

/// A RestoreJobModel of `job` with `payload` in every string field but the
/// ones the run follows.
fn hostile_job(world: &FakePinecone, job: &str, payload: &str) -> Value {
    let mut model = world.restore_job_model(job).unwrap();
    model["created_at"] = json!(payload);
    model["completed_at"] = json!(payload);
    model[payload] = json!(payload);
    model
}

#[test]
fn hostile_text_in_job_and_index_fields_stays_inside_every_sink() {
    for payload in HOSTILE {
        let world = world();
        let backup = world.add_backup(BackupSeed::of("prod"));
        let (job, _) = world.restore(&backup, "staging");
        world.advance(Duration::from_secs(1));
        let job_model = hostile_job(&world, &job, payload);
        let mut index = world.index_model("staging").unwrap();
        index["metric"] = json!(payload);
        index["tags"] = json!({"k": payload});
        index[payload] = json!(payload);
        world.fault(
            Fault::get(&format!("/restore-jobs/{job}")).instead(Reply::json(200, job_model)),
        );
        world.fault(Fault::get("/indexes/staging").instead(Reply::json(200, index)));
        let run = waiter(&world)
            .in_github_actions()
            .args(["--restore-job-id", &job, "--json"])
            .run();
        run.assert_result(0, "ready");
        assert_eq!(
            run.workflow_command_names(),
            ["add-mask", "group", "endgroup", "notice"],
            "{payload:?}\n{}",
            run.describe()
        );
        assert_eq!(run.outputs.len(), 32, "{payload:?}\n{}", run.describe());
        let value = json(&run);
        assert_eq!(value["restore_job"]["created_at"], payload);
        assert_eq!(value["index"]["metric"], payload);
        assert!(!run.summary.contains("<script>"), "{}", run.summary);
    }
}

#[test]
fn hostile_statuses_of_a_job_and_an_index_cannot_issue_commands() {
    for payload in &HOSTILE[..10] {
        let world = world();
        let backup = world.add_backup(BackupSeed::of("prod"));
        let (job, _) = world.restore(&backup, "staging");
        let mut model = world.restore_job_model(&job).unwrap();
        model["status"] = json!(format!("Odd {payload}"));
        world.fault(Fault::get(&format!("/restore-jobs/{job}")).instead(Reply::json(200, model)));
        let run = waiter(&world)
            .in_github_actions()
            .args(["--restore-job-id", &job, "--timeout", "300ms"])
            .run();
        run.assert_result(3, "timeout");
        assert_stage(&run, "restore");
        assert_eq!(
            run.workflow_command_names(),
            ["add-mask", "group", "warning", "endgroup", "error"],
            "{payload:?}\n{}",
            run.describe()
        );
        assert!(
            run.stderr.contains("restore job status 'Odd "),
            "{}",
            run.describe()
        );
        assert_eq!(
            run.output("restore_status"),
            format!("Odd {payload}").trim()
        );
        for line in run.stderr.lines() {
            assert!(!line.contains("##["), "{line}");
        }
        let header_rows = run
            .summary
            .lines()
            .filter(|l| l.starts_with("|---"))
            .count();
        assert_eq!(header_rows, 1, "{}", run.summary);
    }
}

#[test]
fn an_index_host_that_is_not_a_plain_host_never_receives_the_key() {
    let world = world();
    let (run, _) = restore_by_id(&world);
    // The index's model, with a host that would send the key elsewhere.
    let mut model = json!({
        "name": "drill-1", "dimension": 8, "metric": "cosine",
        "host": "127.0.0.1:1/steal?x=", "status": {"ready": true, "state": "Ready"},
    });
    model["spec"] = json!({});
    world.fault(Fault::get("/indexes/drill-1").instead(Reply::json(200, model)));
    let run = run.run();
    run.assert_result(6, "error");
    assert_stage(&run, "index");
    run.assert_error_contains("index drill-1 is ready, but its host cannot be used");
    run.assert_error_contains("has a path; expected only host[:port]");
    assert_eq!(world.count("POST", "/describe_index_stats"), 0);
    assert_eq!(run.output("restored_index_host"), "127.0.0.1:1/steal?x=");
}
