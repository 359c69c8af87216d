//! The fault matrix: the real binary against a control plane scripted to
//! misbehave in every way its users will meet. Each case asserts the exit
//! code, the `result`/`status`/`error` outputs, the request count where it
//! matters, and that the deadline held; the harness checks on every run that
//! the API key leaked nowhere. docs/reliability.md summarises the families.

mod bodies;
mod deadline;
mod forgery;
mod hostile;
mod inputs;
mod messages;
mod sinks;
mod status_codes;
mod statuses;
mod transport;

use std::ops::RangeInclusive;
use std::time::Duration;

use testkit::{FakeControlPlane, Reply, Script};

use crate::support::{Run, waiter};

/// What a case must end with.
pub struct Expected {
    /// Exit code.
    pub code: i32,
    /// `result` output.
    pub result: &'static str,
    /// Text the `error` output must contain (`""`: must be empty).
    pub error: &'static str,
    /// Allowed number of requests.
    pub requests: RangeInclusive<usize>,
}

impl Expected {
    /// Ends ready (exit 0, empty `error`) after this many requests.
    pub fn ready(requests: RangeInclusive<usize>) -> Self {
        Expected {
            code: 0,
            result: "ready",
            error: "",
            requests,
        }
    }
}

/// The promised bound: the process ends within a second of `--timeout`.
pub fn deadline_bound(timeout: Duration) -> Duration {
    timeout + Duration::from_secs(1)
}

/// Runs the waiter with `args` against `replies` (the last repeats) and
/// checks `expected`.
#[track_caller]
pub fn case(replies: Vec<Reply>, args: &[&str], expected: Expected) -> Run {
    let server = FakeControlPlane::start(Script::sequence(replies));
    let run = waiter(&server.url()).args(args).run();
    check(&run, &server, &expected);
    run
}

/// Checks a finished run against `expected`.
#[track_caller]
pub fn check(run: &Run, server: &FakeControlPlane, expected: &Expected) {
    run.assert_result(expected.code, expected.result);
    if expected.error.is_empty() {
        assert_eq!(run.output("error"), "", "{}", run.describe());
    } else {
        run.assert_error_contains(expected.error);
    }
    let count = server.request_count();
    assert!(
        expected.requests.contains(&count),
        "{count} requests, expected {:?}\n{}",
        expected.requests,
        run.describe()
    );
    assert_eq!(
        run.output("attempts"),
        count.to_string(),
        "attempts output vs requests received\n{}",
        run.describe()
    );
    // Every case runs with the harness's 5 s timeout unless it sets its own,
    // which is never longer; the process must never outlive it by a second.
    assert!(
        run.elapsed < deadline_bound(Duration::from_secs(5)),
        "took {:?}\n{}",
        run.elapsed,
        run.describe()
    );
}
