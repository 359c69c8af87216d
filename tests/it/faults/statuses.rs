//! Backup statuses: which end the wait, which keep it going, and how they
//! are compared.

use testkit::Reply;

use super::{Expected, case};

#[test]
fn ready_on_the_first_call_makes_exactly_one_request() {
    let run = case(vec![Reply::backup("Ready")], &[], Expected::ready(1..=1));
    assert_eq!(run.output("status"), "Ready");
}

#[test]
fn failed_after_several_pending_stops_at_once() {
    for failed in ["Failed", "InitializationFailed"] {
        let run = case(
            vec![
                Reply::backup("Scheduled"),
                Reply::backup("Pending"),
                Reply::backup("Initializing"),
                Reply::backup(failed),
            ],
            &["--timeout", "5s"],
            Expected {
                code: 1,
                result: "failed",
                error: "a failed status",
                requests: 4..=4,
            },
        );
        assert_eq!(run.output("status"), failed);
    }
}

#[test]
fn unknown_statuses_warn_once_and_keep_polling() {
    let run = case(
        vec![
            Reply::backup("Archiving"),
            Reply::backup("Archiving"),
            Reply::backup("Verifying"),
            Reply::backup("Ready"),
        ],
        &[],
        Expected::ready(4..=4),
    );
    assert_eq!(
        run.stderr
            .matches("backup status 'Archiving' is neither")
            .count(),
        1
    );
    assert_eq!(
        run.stderr
            .matches("backup status 'Verifying' is neither")
            .count(),
        1
    );
}

#[test]
fn an_unknown_status_under_actions_is_a_warning_annotation() {
    let server = testkit::FakeControlPlane::start(testkit::Script::sequence(vec![
        Reply::backup("Archiving"),
        Reply::backup("Ready"),
    ]));
    let run = crate::support::waiter(&server.url())
        .in_github_actions()
        .run();
    run.assert_result(0, "ready");
    assert_eq!(
        run.workflow_command_names(),
        vec!["add-mask", "group", "warning", "endgroup", "notice"]
    );
}

#[test]
fn custom_ready_and_failed_statuses_replace_the_defaults() {
    // With a custom failed set, the default "Failed" is just unknown.
    case(
        vec![Reply::backup("Failed"), Reply::backup("Done")],
        &[
            "--ready-status",
            "Done,Complete",
            "--failed-status",
            "Broken",
        ],
        Expected::ready(2..=2),
    );
    case(
        vec![Reply::backup("Initializing"), Reply::backup("Broken")],
        &["--ready-status", "Done", "--failed-status", "Broken"],
        Expected {
            code: 1,
            result: "failed",
            error: "backup status is Broken, a failed status",
            requests: 2..=2,
        },
    );
    case(
        vec![Reply::backup("Complete")],
        &["--ready-status", "Done", "--ready-status", "Complete"],
        Expected::ready(1..=1),
    );
}

#[test]
fn surrounding_whitespace_is_trimmed_but_case_matters() {
    let run = case(vec![Reply::backup(" Ready\n")], &[], Expected::ready(1..=1));
    assert_eq!(run.output("status"), "Ready", "status output is trimmed");
    let raw: serde_json::Value = serde_json::from_str(run.output("json")).unwrap();
    assert_eq!(raw["status"], " Ready\n", "json output is as sent");
    case(
        vec![
            Reply::backup("READY"),
            Reply::backup("ready"),
            Reply::backup("Ready"),
        ],
        &[],
        Expected::ready(3..=3),
    );
}
