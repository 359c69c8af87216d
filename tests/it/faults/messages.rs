//! Messages a person can act on: what to check after a 401 or 404, a
//! rejected API version named as such, and a title per outcome (issue 8).

use testkit::{FakeControlPlane, Reply, Script};

use super::{Expected, case};
use crate::support::{BACKUP_ID, waiter};

#[test]
fn issue8_a_rejected_api_version_exits_6_at_once_naming_the_version_to_use() {
    let replies = [
        Reply::error(400, "INVALID_ARGUMENT", "Unsupported API version"),
        Reply::error(
            404,
            "NOT_FOUND",
            "API version 2025-04 is no longer supported; see X-Pinecone-API-Version",
        ),
        Reply::text(401, "Invalid X-Pinecone-API-Version header"),
        Reply::error(410, "GONE", "api_version 2025-04 has been retired"),
    ];
    for reply in replies {
        let run = case(
            vec![reply, Reply::backup("Ready")],
            &[],
            Expected {
                code: 6,
                result: "error",
                error: "the server does not accept API version 2025-04",
                requests: 1..=1,
            },
        );
        run.assert_error_contains("pass --api-version 2026-04 (action input `api-version`)");
    }
}

#[test]
fn issue8_a_rejected_newest_version_says_a_newer_release_may_be_needed() {
    let run = case(
        vec![Reply::error(
            400,
            "INVALID_ARGUMENT",
            "Unsupported API version",
        )],
        &["--api-version", "2026-04"],
        Expected {
            code: 6,
            result: "error",
            error: "does not accept API version 2026-04",
            requests: 1..=1,
        },
    );
    run.assert_error_contains("a newer pinecone-backup-wait may be needed");
}

#[test]
fn issue8_a_401_says_to_check_the_key_and_its_project() {
    case(
        vec![Reply::text(401, "Invalid API key")],
        &[],
        Expected {
            code: 5,
            result: "unauthorized",
            error: "check that the API key is right and that it belongs to the Pinecone project",
            requests: 1..=1,
        },
    )
    .assert_error_contains(BACKUP_ID);
}

#[test]
fn issue8_a_404_says_the_id_is_unknown_to_the_keys_project() {
    case(
        vec![Reply::error(404, "NOT_FOUND", "Backup not found")],
        &[],
        Expected {
            code: 4,
            result: "not_found",
            error: "is unknown to the project of this API key",
            requests: 1..=1,
        },
    );
}

#[test]
fn issue8_each_outcome_has_its_own_annotation_and_summary_title() {
    let cases = [
        (
            Reply::text(401, "Invalid API key"),
            5,
            "Pinecone API key rejected",
        ),
        (
            Reply::error(404, "NOT_FOUND", "nope"),
            4,
            "Pinecone backup not found",
        ),
        (
            Reply::text(400, "bad"),
            6,
            "Error while checking the Pinecone backup",
        ),
        (Reply::backup("Failed"), 1, "Pinecone backup failed"),
        (
            Reply::backup("Pending"),
            3,
            "Timed out waiting for the Pinecone backup",
        ),
    ];
    for (reply, code, title) in cases {
        let server = FakeControlPlane::start(Script::always(reply));
        let run = waiter(&server.url())
            .in_github_actions()
            .args(["--timeout", "200ms"])
            .run();
        assert_eq!(run.code, Some(code), "{}", run.describe());
        let annotation = run.workflow_commands().pop().unwrap();
        assert!(
            annotation
                .line
                .starts_with(&format!("::error title={title}::")),
            "{}",
            run.describe()
        );
        let headline = run.summary.lines().next().unwrap_or_default();
        assert!(headline.ends_with(title), "{}", run.summary);
        assert!(!run.stderr.contains("not ready") && !run.summary.contains("not ready"));
    }
}
