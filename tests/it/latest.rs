//! `--latest-of-index` (issue 9): the binary against the stateful fake
//! Pinecone. The newest backup by `created_at` that is not in a failed
//! status, no older than `--max-age`; listings follow every page and never
//! loop; server text in names and descriptions stays inside each sink.

use std::time::Duration;

use serde_json::Value;
use testkit::payloads::HOSTILE;
use testkit::world::Fault;
use testkit::world::{BackupSeed, FakePinecone, IndexSeed, ListKind, Paging, Settings, replies};

use crate::support::{KEY, Run, Waiter, bare_waiter};

const LIST_PATH: &str = "/indexes/prod/backups";
const HOUR: Duration = Duration::from_secs(3600);

fn world_with(settings: Settings) -> FakePinecone {
    let world = FakePinecone::start_with(Settings {
        api_key: Some(KEY.to_owned()),
        ..settings
    });
    world.add_index(IndexSeed::new("prod").namespace("", 1000));
    world
}

/// The backups `fake-pinecone` seeds: 26 h and 3 h old and Ready, 1 h old
/// and Failed. Answers the id of the 3 h one.
fn nightly(world: &FakePinecone) -> String {
    let mut nightly = String::new();
    for (name, age, status) in [
        ("nightly-older", 26 * HOUR, "Ready"),
        ("nightly", 3 * HOUR, "Ready"),
        ("nightly-broken", HOUR, "Failed"),
    ] {
        let id = world.add_backup(
            BackupSeed::of("prod")
                .name(name)
                .created_at(&world.timestamp_ago(age))
                .status(status),
        );
        if name == "nightly" {
            nightly = id;
        }
    }
    nightly
}

fn latest(world: &FakePinecone) -> Waiter {
    bare_waiter()
        .args(["--api-host", &world.url(), "--latest-of-index", "prod"])
        .args(["--initial-interval", "10ms", "--max-interval", "50ms"])
        .args(["--timeout", "5s"])
}

#[track_caller]
fn assert_selection(run: &Run, stage: &str) {
    assert_eq!(run.output("created"), "false", "{}", run.describe());
    assert_eq!(run.output("selected_by"), "latest", "{}", run.describe());
    assert_eq!(run.output("stage"), stage, "{}", run.describe());
}

#[test]
fn waits_for_the_newest_backup_that_has_not_failed() {
    let world = world_with(Settings::default());
    let id = nightly(&world);
    let run = latest(&world).args(["--max-age", "24h"]).run();
    run.assert_result(0, "ready");
    assert_selection(&run, "backup");
    assert_eq!(run.output("backup_id"), id);
    assert_eq!(run.output("name"), "nightly");
    // Already Ready in the list: one request in all.
    assert_eq!(run.output("attempts"), "1");
    assert_eq!(world.exchanges().len(), 1);
    let list = &world.requests_to("GET", LIST_PATH)[0];
    assert_eq!(list.query("limit").as_deref(), Some("100"));
    assert!(
        run.stderr
            .contains("selected: latest backup of prod, created 3h ago: 'nightly'"),
        "{}",
        run.describe()
    );
    assert!(
        run.summary
            .contains("| Selected | latest of 3 backups of index prod, created 3h ago |"),
        "{}",
        run.summary
    );
}

#[test]
fn a_newest_backup_still_in_progress_is_waited_for() {
    let world = world_with(Settings::default());
    nightly(&world);
    // Made now, Ready 100 ms later (the world's default timeline).
    let fresh = world.create_backup("prod", Some("fresh"));
    let run = latest(&world).run();
    run.assert_result(0, "ready");
    assert_eq!(run.output("backup_id"), fresh);
    assert!(world.count("GET", &format!("/backups/{fresh}")) >= 1);
    let json: Value = serde_json::from_str(run.output("json")).unwrap();
    assert_eq!(json["status"], "Ready");
}

#[test]
fn max_age_without_a_candidate_is_exit_4_saying_what_was_looked_at() {
    let world = world_with(Settings::default());
    nightly(&world);
    let run = latest(&world).args(["--max-age", "1h"]).run();
    run.assert_result(4, "not_found").assert_error_contains(
        "index prod has 3 backups; the newest is 3h old, older than --max-age 1h \
         (left out: 1 in a failed status)",
    );
    assert_selection(&run, "select");
    assert_eq!(run.output("backup_id"), "");
    assert_eq!(world.count("GET", LIST_PATH), 1);
}

#[test]
fn an_index_without_backups_or_candidates_is_exit_4() {
    let world = world_with(Settings::default());
    let run = latest(&world).run();
    run.assert_result(4, "not_found")
        .assert_error_contains("index prod has no backups");

    world.add_backup(BackupSeed::of("prod").name("undated"));
    world.add_backup(
        BackupSeed::of("prod")
            .created_at(&world.timestamp_ago(HOUR))
            .status("Failed"),
    );
    let run = latest(&world).run();
    run.assert_result(4, "not_found").assert_error_contains(
        "index prod has 2 backups, and none can be the latest: 1 in a failed status, \
         1 without a readable created_at",
    );
}

#[test]
fn a_backup_without_created_at_is_never_the_newest() {
    let world = world_with(Settings::default());
    world.add_backup(BackupSeed::of("prod").name("undated"));
    let dated = world.add_backup(
        BackupSeed::of("prod")
            .name("dated")
            .created_at(&world.timestamp_ago(48 * HOUR)),
    );
    let run = latest(&world).run();
    run.assert_result(0, "ready");
    assert_eq!(run.output("backup_id"), dated);
}

#[test]
fn every_page_is_read_and_the_newest_may_be_on_the_last() {
    let world = world_with(Settings::default());
    // 250 backups, oldest first: the newest is on the third page of 100.
    let mut newest = String::new();
    for i in 0..250u64 {
        newest = world.add_backup(
            BackupSeed::of("prod")
                .name(&format!("b{i}"))
                .created_at(&world.timestamp_ago(Duration::from_secs(1000 - i))),
        );
    }
    let run = latest(&world).run();
    run.assert_result(0, "ready");
    assert_eq!(run.output("backup_id"), newest);
    let lists = world.requests_to("GET", LIST_PATH);
    assert_eq!(lists.len(), 3);
    assert_eq!(lists[0].query("paginationToken"), None);
    assert!(lists[1].query("paginationToken").is_some());
    assert!(lists.iter().all(|l| l.status() == Some(200)));
    // Base64 tokens travel percent-encoded.
    let target = &lists[1].request.target;
    let token = target.split("paginationToken=").nth(1).unwrap();
    assert!(
        token.ends_with("%3D%3D") && !token.contains('='),
        "{target}"
    );
    assert!(
        run.summary.contains("latest of 250 backups"),
        "{}",
        run.summary
    );
}

#[test]
fn a_pagination_loop_ends_with_exit_6_at_once() {
    let mut settings = Settings::default();
    settings
        .paging
        .insert(ListKind::IndexBackups, Paging::RepeatNext);
    let world = world_with(settings);
    nightly(&world);
    let run = latest(&world).args(["--timeout", "30s"]).run();
    run.assert_result(6, "error")
        .assert_error_contains("gave a pagination.next it had given before (a pagination loop)");
    assert_eq!(world.count("GET", LIST_PATH), 2);
    assert!(run.elapsed < Duration::from_secs(5), "{:?}", run.elapsed);
}

#[test]
fn a_list_that_never_ends_stops_after_100_pages_with_exit_6() {
    let mut settings = Settings::default();
    settings
        .paging
        .insert(ListKind::IndexBackups, Paging::Endless);
    let world = world_with(settings);
    nightly(&world);
    let run = latest(&world).args(["--timeout", "30s"]).run();
    run.assert_result(6, "error")
        .assert_error_contains("did not end after 100 pages");
    assert_eq!(world.count("GET", LIST_PATH), 100);
}

#[test]
fn a_failing_page_is_asked_for_again_not_the_first() {
    let world = world_with(Settings::default());
    for i in 0..150u64 {
        world.add_backup(
            BackupSeed::of("prod")
                .name(&format!("b{i}"))
                .created_at(&world.timestamp_ago(Duration::from_secs(1000 - i))),
        );
    }
    world.fault(
        Fault::get(LIST_PATH)
            .nth(2)
            .instead(replies::internal_error()),
    );
    let run = latest(&world).run();
    run.assert_result(0, "ready");
    let lists = world.requests_to("GET", LIST_PATH);
    assert_eq!(lists.len(), 3);
    assert_eq!(
        lists[1].query("paginationToken"),
        lists[2].query("paginationToken")
    );
}

#[test]
fn an_unknown_index_is_exit_4_and_a_rejected_key_exit_5() {
    let world = world_with(Settings::default());
    let run = bare_waiter()
        .args(["--api-host", &world.url(), "--latest-of-index", "staging"])
        .run();
    run.assert_result(4, "not_found")
        .assert_error_contains("index 'staging' was not found");
    let run = latest(&world)
        .api_key("pcsk_another_key_of_some_length_0002")
        .run();
    run.assert_result(5, "unauthorized")
        .assert_error_contains("Invalid API key");
}

#[test]
fn checking_once_lists_once_and_reads_the_status_from_the_list() {
    let world = world_with(Settings::default());
    nightly(&world);
    let run = latest(&world).args(["--timeout", "0"]).run();
    run.assert_result(0, "ready");
    assert_eq!(world.exchanges().len(), 1);

    world.create_backup("prod", Some("fresh"));
    let run = latest(&world).args(["--timeout", "0"]).run();
    run.assert_result(3, "timeout")
        .assert_error_contains("checked once (--timeout 0): still in progress");
    assert_eq!(run.output("status"), "Initializing");
}

#[test]
fn the_2026_07_last_page_is_read_as_the_end() {
    let world = world_with(Settings::version_2026_07());
    let id = nightly(&world);
    let run = latest(&world).args(["--api-version", "2026-07"]).run();
    run.assert_result(0, "ready");
    assert_eq!(run.output("backup_id"), id);
}

#[test]
fn hostile_names_and_descriptions_stay_inside_every_sink() {
    for payload in HOSTILE {
        let world = world_with(Settings::default());
        let id = world.add_backup(
            BackupSeed::of("prod")
                .name(payload)
                .description(payload)
                .created_at(&world.timestamp_ago(HOUR)),
        );
        let run = latest(&world).in_github_actions().args(["--json"]).run();
        run.assert_result(0, "ready");
        // Outputs are exact; nothing else became an output or a command.
        assert_eq!(run.output("name"), payload);
        assert_eq!(run.output("description"), payload);
        assert_eq!(run.output("backup_id"), id);
        assert_eq!(run.outputs.len(), 32, "{}", run.describe());
        assert_eq!(
            run.workflow_command_names(),
            ["add-mask", "group", "endgroup", "notice"],
            "{payload:?}\n{}",
            run.describe()
        );
        // One line per log event, whatever the name holds.
        assert!(
            run.stderr
                .lines()
                .all(|line| !line.starts_with("status=") && !line.starts_with("PINECONE")),
            "{}",
            run.describe()
        );
        let json: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(json["backup"]["name"], payload);
        let rows = run.summary.lines().filter(|l| l.starts_with('|')).count();
        assert!(rows <= 16, "{payload:?}: {}", run.summary);
        assert!(!run.summary.contains("<script>"));
    }
}
