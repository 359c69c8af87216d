//! The deadline is used and the messages are true (issue 8): the last check
//! starts close enough to the deadline to finish, whatever the intervals;
//! `--timeout 0` is one check; a host that has never resolved ends the wait
//! with exit 6 instead of being retried until the deadline.

use std::time::Duration;

use testkit::{FakeControlPlane, Reply, Script};

use super::deadline_bound;
use crate::support::{Run, waiter};

/// Seconds from the first request to the end, as the binary reports them.
fn elapsed_seconds(run: &Run) -> f64 {
    run.output("elapsed_seconds").parse().unwrap()
}

/// Runs against a backup that stays `Initializing`.
fn pending(args: &[&str]) -> (FakeControlPlane, Run) {
    let server = FakeControlPlane::start(Script::always(Reply::backup("Initializing")));
    let run = waiter(&server.url()).args(args).run();
    (server, run)
}

#[test]
fn exits_3_near_the_deadline_when_the_interval_does_not_divide_the_timeout_issue_8() {
    // Scaled from `--timeout 10s --initial-interval 4s --max-interval 4s`,
    // which gave up at 6 s: here it gave up at 0.6 s.
    let (server, run) = pending(&[
        "--timeout",
        "1s",
        "--initial-interval",
        "400ms",
        "--max-interval",
        "400ms",
    ]);
    run.assert_result(3, "timeout")
        .assert_error_contains("deadline of 1s passed after 4 attempts");
    assert_eq!(server.request_count(), 4, "{}", run.describe());
    let elapsed = elapsed_seconds(&run);
    assert!(
        elapsed >= 0.8,
        "gave up {elapsed} s into a 1 s timeout\n{}",
        run.describe()
    );
    assert!(run.elapsed < deadline_bound(Duration::from_secs(1)));
}

#[test]
fn a_timeout_shorter_than_the_initial_interval_still_checks_near_its_end_issue_8() {
    // `--timeout 1s` with the default 2 s interval gave up after one check,
    // at 7 ms; scaled down here.
    let (server, run) = pending(&[
        "--timeout",
        "300ms",
        "--initial-interval",
        "2s",
        "--max-interval",
        "60s",
    ]);
    run.assert_result(3, "timeout")
        .assert_error_contains("deadline of 300ms passed after 2 attempts");
    assert_eq!(server.request_count(), 2, "{}", run.describe());
    let elapsed = elapsed_seconds(&run);
    assert!(
        elapsed >= 0.15,
        "gave up after {elapsed} s\n{}",
        run.describe()
    );
    assert!(run.elapsed < deadline_bound(Duration::from_millis(300)));
}

#[test]
fn the_last_check_near_the_deadline_can_still_see_the_backup_ready() {
    // Checks at 0 and 500 ms see it pending; the old schedule gave up
    // there, with half a second left. The last check near 1 s sees Ready.
    let server = FakeControlPlane::start(Script::sequence(vec![
        Reply::backup("Initializing"),
        Reply::backup("Initializing"),
        Reply::backup("Ready"),
    ]));
    let run = waiter(&server.url())
        .args(["--timeout", "1s"])
        .args(["--initial-interval", "500ms", "--max-interval", "500ms"])
        .run();
    run.assert_result(0, "ready");
    assert_eq!(server.request_count(), 3, "{}", run.describe());
}

/// `--timeout 0` against one reply: exactly one request.
fn check_once(reply: Reply) -> (FakeControlPlane, Run) {
    let server = FakeControlPlane::start(Script::always(reply));
    let run = waiter(&server.url()).args(["--timeout", "0"]).run();
    assert_eq!(server.request_count(), 1, "{}", run.describe());
    assert_eq!(run.output("attempts"), "1");
    (server, run)
}

#[test]
fn timeout_0_checks_once_and_exits_0_when_ready() {
    let (_, run) = check_once(Reply::backup("Ready"));
    run.assert_result(0, "ready");
}

#[test]
fn timeout_0_checks_once_and_exits_1_when_failed() {
    let (_, run) = check_once(Reply::backup("Failed"));
    run.assert_result(1, "failed")
        .assert_error_contains("backup status is Failed");
}

#[test]
fn timeout_0_checks_once_and_exits_3_while_in_progress_saying_so() {
    let (_, run) = check_once(Reply::backup("Initializing"));
    run.assert_result(3, "timeout")
        .assert_error_contains("checked once (--timeout 0): still in progress")
        .assert_error_contains("last status: Initializing");
    assert!(
        !run.output("error").contains("deadline of"),
        "{}",
        run.describe()
    );
    assert!(
        run.stderr.contains("checked once (--timeout 0)"),
        "{}",
        run.describe()
    );
}

#[test]
fn timeout_0_checks_once_and_exits_3_on_a_retryable_error() {
    let (_, run) = check_once(Reply::error(503, "UNAVAILABLE", "try again"));
    run.assert_result(3, "timeout")
        .assert_error_contains("checked once (--timeout 0): no usable answer")
        .assert_error_contains("HTTP 503");
}

#[test]
fn timeout_0_gives_the_one_check_the_whole_request_timeout() {
    // A 300 ms answer is waited for: the request timeout (5 s here), not the
    // zero deadline, bounds it.
    let server = FakeControlPlane::start(Script::always(Reply::trickle(
        &Reply::backup("Ready"),
        Duration::from_micros(500),
    )));
    let run = waiter(&server.url())
        .args(["--timeout", "0", "--request-timeout", "5s"])
        .run();
    run.assert_result(0, "ready");
    assert_eq!(server.request_count(), 1);
}

/// A name under `.invalid`, which never resolves (RFC 2606).
const NOWHERE: &str = "https://api.backup-wait-test.invalid";

#[test]
fn exits_6_when_the_host_never_resolves_naming_it() {
    let run = waiter(NOWHERE).args(["--timeout", "500ms"]).run();
    run.assert_result(6, "error")
        .assert_error_contains("cannot resolve api.backup-wait-test.invalid")
        .assert_error_contains("check the host name in --api-host");
    assert!(
        run.elapsed < deadline_bound(Duration::from_millis(500)),
        "{}",
        run.describe()
    );
}

#[test]
fn exits_6_when_the_host_does_not_resolve_at_the_single_check() {
    waiter(NOWHERE)
        .args(["--timeout", "0"])
        .run()
        .assert_result(6, "error")
        .assert_error_contains(
            "cannot resolve api.backup-wait-test.invalid: no address after 1 attempt",
        );
}
