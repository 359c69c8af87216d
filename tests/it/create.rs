//! `--create-from-index` (issue 9): the binary against the stateful fake
//! Pinecone (`testkit::world`). A create is never sent twice by accident,
//! each create error ends with its own exit code and message, and one
//! deadline covers the create and the wait.

use std::time::Duration;

use testkit::Reply;
use testkit::world::{FakePinecone, Fault, IndexSeed, Settings, Timeline, replies};

use crate::support::{KEY, Run, Waiter, bare_waiter};

const CREATE_PATH: &str = "/indexes/prod/backups";

/// A world with index `prod` whose new backups are Ready after 100 ms, and
/// that accepts only the test key.
fn world() -> FakePinecone {
    world_with(Settings::default())
}

fn world_with(settings: Settings) -> FakePinecone {
    let world = FakePinecone::start_with(Settings {
        api_key: Some(KEY.to_owned()),
        ..settings
    });
    world.add_index(
        IndexSeed::new("prod")
            .namespace("", 1000)
            .namespace("eu", 200),
    );
    world
}

/// `--create-from-index prod` against `world`, with a fast schedule.
fn create(world: &FakePinecone) -> Waiter {
    bare_waiter()
        .args(["--api-host", &world.url(), "--create-from-index", "prod"])
        .args(["--initial-interval", "10ms", "--max-interval", "50ms"])
        .args(["--timeout", "5s"])
}

/// The id of the only backup of `prod`, asserting there is exactly one.
#[track_caller]
fn only_backup(world: &FakePinecone, run: &Run) -> String {
    let backups = world.backups_of("prod");
    assert_eq!(backups.len(), 1, "{backups:?}\n{}", run.describe());
    backups[0].backup_id.clone()
}

#[track_caller]
fn assert_selection(run: &Run, created: &str, stage: &str) {
    assert_eq!(run.output("created"), created, "{}", run.describe());
    assert_eq!(run.output("selected_by"), "create", "{}", run.describe());
    assert_eq!(run.output("stage"), stage, "{}", run.describe());
}

#[test]
fn creates_a_backup_of_the_index_and_waits_until_it_is_ready() {
    let world = world();
    let run = create(&world).args(["--json"]).run();
    run.assert_result(0, "ready");
    assert_selection(&run, "true", "backup");
    let id = only_backup(&world, &run);
    assert_eq!(run.output("backup_id"), id);
    assert_eq!(run.output("status"), "Ready");
    assert_eq!(run.output("source_index_name"), "prod");
    // A generated name: index, UTC time, random suffix.
    let name = run.output("name");
    let (prefix, suffix) = name.split_at(name.len() - 7);
    assert!(prefix.starts_with("prod-2"), "{name}");
    assert_eq!(prefix.len(), "prod-20260320-143000".len(), "{name}");
    assert!(suffix.starts_with('-') && suffix[1..].bytes().all(|b| b.is_ascii_hexdigit()));
    let posts = world.requests_to("POST", CREATE_PATH);
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0].json().unwrap(),
        serde_json::json!({ "name": name })
    );
    assert_eq!(posts[0].request.header("api-key"), Some(KEY));
    // The create's answer was the first look at the backup: the describes
    // start after the first delay, and no list was needed.
    assert_eq!(world.count("GET", CREATE_PATH), 0);
    assert!(run.stderr.contains(&format!(
        "selected: created backup '{name}' (id {id}) of index prod"
    )));
    assert!(
        run.summary
            .contains("| Selected | created by this run from index prod |")
    );
    assert!(run.summary.contains("| select | +0"), "{}", run.summary);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["version"], 2);
    assert_eq!(json["created"], true);
    assert_eq!(json["selected_by"], "create");
    assert_eq!(json["stage"], "backup");
    assert_eq!(json["backup_id"], id.as_str());
    assert_eq!(json["stages"][0]["stage"], "select");
    assert_eq!(json["stages"][1]["statuses"][0], "Initializing");
}

#[test]
fn issue9_a_create_whose_answer_is_lost_is_found_and_never_sent_twice() {
    // The world creates the backup, then drops the connection before
    // answering: exactly one backup exists at the end, and the run ends
    // ready once it is.
    let world = world();
    world.fault(Fault::post(CREATE_PATH).nth(1).reset_after_acting());
    let run = create(&world).run();
    run.assert_result(0, "ready");
    assert_selection(&run, "true", "backup");
    assert_eq!(world.count("POST", CREATE_PATH), 1);
    assert_eq!(world.count("GET", CREATE_PATH), 1, "one look");
    let id = only_backup(&world, &run);
    assert_eq!(run.output("backup_id"), id);
    assert!(
        run.stderr
            .contains("the backup may have been created: looking for it"),
        "{}",
        run.describe()
    );
    assert!(run.stderr.contains("so it was not created twice"));
    assert!(run.summary.contains("not created twice"), "{}", run.summary);
}

#[test]
fn a_create_that_gets_no_answer_in_time_is_looked_for_not_sent_again() {
    let world = world();
    world.fault(Fault::post(CREATE_PATH).nth(1).after_acting(Reply::Hang));
    let run = create(&world).args(["--request-timeout", "300ms"]).run();
    run.assert_result(0, "ready");
    assert_eq!(world.count("POST", CREATE_PATH), 1);
    only_backup(&world, &run);
}

#[test]
fn a_server_error_that_created_nothing_is_looked_for_then_sent_again() {
    for reply in [
        replies::internal_error(),
        Reply::error(503, "UNAVAILABLE", "try later"),
        Reply::error(408, "TIMEOUT", "request timeout"),
    ] {
        let world = world();
        world.fault(Fault::post(CREATE_PATH).nth(1).instead(reply.clone()));
        let run = create(&world).run();
        run.assert_result(0, "ready");
        let order: Vec<String> = world
            .exchanges()
            .iter()
            .take(3)
            .map(|e| e.method().to_owned())
            .collect();
        assert_eq!(order, ["POST", "GET", "POST"], "{reply:?}");
        only_backup(&world, &run);
    }
}

#[test]
fn a_refused_connection_is_sent_again_without_looking() {
    // Nothing listens until the world starts: the first create cannot have
    // been received. A port is reserved, the waiter started, then the
    // world bound to that port.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    drop(listener);
    let url = format!("http://{addr}");
    let waiter = bare_waiter()
        .args(["--api-host", &url, "--create-from-index", "prod"])
        .args(["--initial-interval", "300ms", "--max-interval", "300ms"])
        .args(["--timeout", "5s"]);
    let handle = std::thread::spawn(move || waiter.run());
    std::thread::sleep(Duration::from_millis(150));
    let world = FakePinecone::bind(
        &addr,
        Settings {
            api_key: Some(KEY.to_owned()),
            ..Settings::default()
        },
    )
    .unwrap();
    world.add_index(IndexSeed::new("prod"));
    let run = handle.join().unwrap();
    run.assert_result(0, "ready");
    assert!(
        run.stderr.contains("Connection refused"),
        "{}",
        run.describe()
    );
    assert_eq!(world.count("GET", CREATE_PATH), 0, "nothing to look for");
    assert_eq!(world.count("POST", CREATE_PATH), 1);
    only_backup(&world, &run);
}

#[test]
fn a_rate_limited_create_is_sent_again_after_retry_after() {
    let world = world();
    world.fault(
        Fault::post(CREATE_PATH)
            .nth(1)
            .instead(replies::rate_limited()),
    );
    let run = create(&world).run();
    run.assert_result(0, "ready");
    let posts = world.requests_to("POST", CREATE_PATH);
    assert_eq!(posts.len(), 2);
    assert!(posts[1].at - posts[0].at >= Duration::from_millis(900));
    assert_eq!(world.count("GET", CREATE_PATH), 0);
    only_backup(&world, &run);
}

#[test]
fn a_name_given_by_the_user_is_never_adopted_from_an_earlier_run() {
    // An earlier run made "nightly"; this run's create fails ambiguously
    // without creating anything. The look finds the earlier "nightly",
    // which was there before the first POST: it is not this run's, so the
    // create is sent again.
    let world = world();
    let earlier = world.create_backup("prod", Some("nightly"));
    world.advance(Duration::from_secs(1));
    world.fault(
        Fault::post(CREATE_PATH)
            .nth(1)
            .instead(replies::internal_error()),
    );
    let run = create(&world).args(["--backup-name", "nightly"]).run();
    run.assert_result(0, "ready");
    let methods: Vec<String> = world
        .exchanges()
        .iter()
        .take(4)
        .map(|e| e.method().to_owned())
        .collect();
    assert_eq!(
        methods,
        ["GET", "POST", "GET", "POST"],
        "census, create, look, create"
    );
    let backups = world.backups_of("prod");
    assert_eq!(backups.len(), 2);
    assert_ne!(run.output("backup_id"), earlier);
    assert_eq!(run.output("backup_id"), backups[1].backup_id);
    assert_eq!(run.output("name"), "nightly");
}

#[test]
fn a_name_given_by_the_user_is_adopted_when_this_run_made_it() {
    let world = world();
    let earlier = world.create_backup("prod", Some("nightly"));
    world.fault(Fault::post(CREATE_PATH).nth(1).reset_after_acting());
    let run = create(&world)
        .args([
            "--backup-name",
            "nightly",
            "--backup-description",
            "before deploy",
        ])
        .run();
    run.assert_result(0, "ready");
    assert_eq!(world.count("POST", CREATE_PATH), 1);
    let backups = world.backups_of("prod");
    assert_eq!(backups.len(), 2);
    assert_ne!(run.output("backup_id"), earlier);
    assert_eq!(run.output("description"), "before deploy");
    let post = &world.requests_to("POST", CREATE_PATH)[0];
    assert_eq!(
        post.json().unwrap(),
        serde_json::json!({"name": "nightly", "description": "before deploy"})
    );
}

#[test]
fn generated_names_differ_between_runs() {
    let world = world();
    let first = create(&world).run();
    let second = create(&world).run();
    first.assert_result(0, "ready");
    second.assert_result(0, "ready");
    assert_ne!(first.output("name"), second.output("name"));
    assert_eq!(world.backups_of("prod").len(), 2);
}

/// A create answered by `reply` instead of the world.
fn create_answered(reply: Reply) -> (FakePinecone, Run) {
    let world = world();
    world.fault(Fault::post(CREATE_PATH).instead(reply));
    let run = create(&world).run();
    (world, run)
}

#[test]
fn each_create_error_ends_with_its_own_exit_code_and_message() {
    let cases: [(Reply, i32, &str, &[&str]); 8] = [
        (
            replies::unauthorized_text(),
            5,
            "unauthorized",
            &["HTTP 401", "Invalid API key", "index 'prod'"],
        ),
        (
            replies::backup_quota(),
            6,
            "error",
            &[
                "Increase your quota or upgrade to create more backups. (FORBIDDEN)",
                "backup quota is used up",
            ],
        ),
        (
            replies::permission_denied(),
            5,
            "unauthorized",
            &[
                "PERMISSION_DENIED",
                "may not create backups of index 'prod'",
            ],
        ),
        (
            Reply::error(403, "FORBIDDEN", "Forbidden"),
            5,
            "unauthorized",
            &["HTTP 403", "may not create backups"],
        ),
        (
            replies::payment_required(),
            6,
            "error",
            &["PAYMENT_REQUIRED", "payment required"],
        ),
        (
            replies::invalid_argument(),
            6,
            "error",
            &[
                "HTTP 400 Bad Request: Bad request. The request body included invalid request parameters. (INVALID_ARGUMENT)",
            ],
        ),
        (
            replies::unprocessable(),
            6,
            "error",
            &["HTTP 422", "missing field `metric`", "UNPROCESSABLE_ENTITY"],
        ),
        (
            replies::quota_exceeded(),
            6,
            "error",
            &["QUOTA_EXCEEDED", "not a rate limit"],
        ),
    ];
    for (reply, code, result, needles) in cases {
        let (world, run) = create_answered(reply.clone());
        run.assert_result(code, result);
        for needle in needles {
            run.assert_error_contains(needle);
        }
        assert_selection(&run, "false", "select");
        assert_eq!(
            world.count("POST", CREATE_PATH),
            1,
            "{reply:?}: never sent again"
        );
        assert_eq!(
            world.count("GET", CREATE_PATH),
            0,
            "{reply:?}: nothing to look for"
        );
        assert!(world.backups().is_empty());
        assert_eq!(run.output("backup_id"), "");
        assert_eq!(run.output("status"), "");
    }
}

#[test]
fn the_worlds_own_quota_and_key_checks_give_the_same_endings() {
    let full = world_with(Settings {
        backup_quota: Some(0),
        ..Settings::default()
    });
    let run = create(&full).run();
    run.assert_result(6, "error")
        .assert_error_contains("backup quota is used up");
    assert_eq!(full.count("POST", CREATE_PATH), 1);

    let open = world();
    let run = create(&open)
        .api_key("pcsk_another_key_of_some_length_0001")
        .run();
    run.assert_result(5, "unauthorized")
        .assert_error_contains("Invalid API key");
}

#[test]
fn an_unknown_index_is_not_found_with_exit_4() {
    let world = world();
    let run = bare_waiter()
        .args(["--api-host", &world.url(), "--create-from-index", "nope"])
        .args(["--timeout", "5s"])
        .run();
    run.assert_result(4, "not_found")
        .assert_error_contains("index 'nope' was not found");
    assert_eq!(world.count("POST", "/indexes/nope/backups"), 1);
    assert!(world.backups().is_empty());
}

#[test]
fn both_201_and_the_200_of_2026_07_are_a_created_backup() {
    for settings in [Settings::default(), Settings::version_2026_07()] {
        let status = settings.create_backup_status;
        let world = world_with(settings);
        let run = create(&world).args(["--api-version", "2026-07"]).run();
        run.assert_result(0, "ready");
        assert_eq!(
            world.requests_to("POST", CREATE_PATH)[0].status(),
            Some(status)
        );
        only_backup(&world, &run);
    }
}

#[test]
fn a_new_backup_not_yet_visible_is_waited_for_not_reported_missing() {
    // Lists and describes lag behind the create: 404 for a while.
    let world = world_with(Settings {
        visibility_lag: Duration::from_millis(200),
        ..Settings::default()
    });
    let run = create(&world).run();
    run.assert_result(0, "ready");
    let id = only_backup(&world, &run);
    let path = format!("/backups/{id}");
    assert!(
        world
            .requests_to("GET", &path)
            .iter()
            .any(|e| e.status() == Some(404)),
        "{}",
        run.describe()
    );
}

#[test]
fn a_backup_that_fails_after_the_create_ends_with_exit_1() {
    let world = world_with(Settings {
        backup_timeline: Timeline::backup(Duration::from_millis(50), "Failed"),
        ..Settings::default()
    });
    let run = create(&world).run();
    run.assert_result(1, "failed")
        .assert_error_contains("a failed status");
    assert_selection(&run, "true", "backup");
}

#[test]
fn one_deadline_covers_the_create_and_the_wait() {
    let world = world_with(Settings {
        backup_timeline: Timeline::backup(Duration::from_secs(60), "Ready"),
        ..Settings::default()
    });
    world.fault(
        Fault::post(CREATE_PATH)
            .nth(1)
            .instead(replies::rate_limited()),
    );
    let run = create(&world)
        .args([
            "--timeout",
            "1500ms",
            "--initial-interval",
            "100ms",
            "--max-interval",
            "200ms",
        ])
        .run();
    run.assert_result(3, "timeout")
        .assert_error_contains("deadline of 1.5s passed");
    assert_selection(&run, "true", "backup");
    let elapsed: f64 = run.output("elapsed_seconds").parse().unwrap();
    assert!((1.0..=2.0).contains(&elapsed), "{elapsed}");
    assert!(run.elapsed < Duration::from_secs(3), "{:?}", run.elapsed);
}

#[test]
fn a_mode_flag_wins_over_pinecone_backup_id_from_the_environment() {
    let world = world();
    let run = create(&world)
        .env("PINECONE_BACKUP_ID", "from-an-earlier-job")
        .run();
    run.assert_result(0, "ready");
    assert!(
        run.stderr.contains(
            "PINECONE_BACKUP_ID is set in the environment, but --create-from-index selects the \
             backup: PINECONE_BACKUP_ID is ignored"
        ),
        "{}",
        run.describe()
    );
    assert_ne!(run.output("backup_id"), "from-an-earlier-job");
}

#[test]
fn flags_that_do_not_go_together_are_exit_2_naming_both() {
    let world = world();
    for (args, message) in [
        (
            &["--create-from-index", "prod", "--backup-id", "b"][..],
            "the argument '--create-from-index' cannot be used with '--backup-id'",
        ),
        (
            &["--create-from-index", "prod", "--latest-of-index", "prod"][..],
            "the argument '--latest-of-index' cannot be used with '--create-from-index'",
        ),
        (
            &["--create-from-index", "prod", "--max-age", "1h"][..],
            "the argument '--max-age' cannot be used with '--create-from-index'",
        ),
        (
            &["--backup-id", "b", "--backup-name", "x"][..],
            "the argument '--backup-name' cannot be used with '--backup-id'",
        ),
        (
            &["--create-from-index", "prod", "--timeout", "0"][..],
            "the argument '--timeout 0' cannot be used with '--create-from-index'",
        ),
        (
            &["--create-from-index", "Prod"][..],
            "invalid value for --create-from-index: index name 'Prod' has 'P' at character 1 (upper case is not allowed)",
        ),
        (
            &["--create-from-index", &"a".repeat(46)][..],
            "is 46 characters long; expected 1 to 45 characters",
        ),
    ] {
        let run = bare_waiter()
            .args(["--api-host", &world.url()])
            .args(args)
            .run();
        run.assert_result(2, "invalid")
            .assert_error_contains(message);
        assert_eq!(run.output("stage"), "");
        assert_eq!(run.output("created"), "");
        assert_eq!(run.output("selected_by"), "");
    }
    assert!(world.exchanges().is_empty(), "no request before the checks");
}
