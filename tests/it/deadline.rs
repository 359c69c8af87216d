//! The hard deadline: the process ends within a second of `--timeout`,
//! whatever the server does.

use std::time::Duration;

use testkit::{FakeControlPlane, Reply, Script};

use crate::support::waiter;

/// `--timeout` plus the promised second.
const LIMIT: Duration = Duration::from_millis(1_000 + 1_000);

#[test]
fn a_server_that_accepts_and_never_answers_cannot_hold_the_process() {
    let server = FakeControlPlane::start(Script::always(Reply::Hang));
    let run = waiter(&server.url())
        .args(["--timeout", "1s", "--request-timeout", "30s"])
        .run();
    run.assert_result(3, "timeout")
        .assert_error_contains("timed out");
    assert!(
        run.elapsed < LIMIT,
        "took {:?}\n{}",
        run.elapsed,
        run.describe()
    );
}

#[test]
fn a_body_trickled_past_the_deadline_cannot_hold_the_process() {
    let mut bytes = Reply::backup("Ready").to_bytes();
    bytes.truncate(bytes.len() - 1);
    let server = FakeControlPlane::start(Script::always(Reply::Trickle {
        bytes,
        every: Duration::from_millis(50),
    }));
    let run = waiter(&server.url())
        .args(["--timeout", "1s", "--request-timeout", "30s"])
        .run();
    run.assert_result(3, "timeout");
    assert!(
        run.elapsed < LIMIT,
        "took {:?}\n{}",
        run.elapsed,
        run.describe()
    );
}

#[test]
fn a_slow_request_is_cut_by_the_request_timeout_and_retried() {
    let server =
        FakeControlPlane::start(Script::sequence(vec![Reply::Hang, Reply::backup("Ready")]));
    let run = waiter(&server.url())
        .args(["--timeout", "5s", "--request-timeout", "200ms"])
        .run();
    run.assert_result(0, "ready");
    assert_eq!(run.output("attempts"), "2");
    assert!(
        run.stderr.contains("attempt 1: timed out"),
        "{}",
        run.describe()
    );
}
