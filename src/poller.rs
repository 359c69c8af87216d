//! The wait loop: ask, classify, decide, sleep, until the backup settles,
//! the deadline passes or the run is cancelled.
//!
//! Side effects come in as parameters (API, clock, jitter, observer), so
//! every path is tested here with scripted responses and a fake clock. The
//! loop owns no policy of its own: `schedule.rs` says when, `status.rs` says
//! what a status means, `ApiError` says whether an error is final.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::api::{ApiError, Backup, BackupApi};
use crate::clock::{Clock, Jitter, Wake};
use crate::config::{Config, HumanDuration};
use crate::outcome::Outcome;
use crate::schedule::{AttemptEnd, Deadline, GiveUp, Next, Schedule};
use crate::status::{StatusClass, StatusRules};

/// The parts of the configuration that steer the loop.
#[derive(Debug, Clone)]
pub struct WaitPolicy {
    /// Overall deadline.
    pub timeout: Duration,
    /// Per-request timeout before clipping to the time left.
    pub request_timeout: Duration,
    /// Backoff.
    pub schedule: Schedule,
    /// Which statuses end the wait.
    pub statuses: StatusRules,
}

impl WaitPolicy {
    /// Takes the loop's part of the configuration.
    pub fn from_config(config: &Config) -> Self {
        WaitPolicy {
            timeout: config.timeout,
            request_timeout: config.request_timeout,
            schedule: config.schedule,
            statuses: config.statuses.clone(),
        }
    }
}

/// What happened in one attempt, for the log.
#[derive(Debug)]
pub struct Attempt<'a> {
    /// 1-based attempt number.
    pub number: u32,
    /// Time since the start, at the end of the attempt.
    pub elapsed: Duration,
    /// The backup received, or why none was.
    pub result: Result<&'a Backup, &'a ApiError>,
    /// What comes next: `None` when this attempt settled the wait.
    pub next: Option<Next>,
}

/// Hears about the wait as it goes; the human log implements it.
pub trait Observer {
    /// An attempt ended.
    fn attempt(&mut self, attempt: &Attempt<'_>);
    /// A status that is neither ready, failed nor known in-progress was
    /// seen for the first time.
    fn unknown_status(&mut self, status: &str);
}

/// The end of a wait, with everything the reports need.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    /// How it ended.
    pub outcome: Outcome,
    /// Requests made.
    pub attempts: u32,
    /// Time from the first request to the end.
    pub elapsed: Duration,
    /// The last backup the API returned, if any.
    pub backup: Option<Backup>,
    /// Why it did not end ready; `None` on success.
    pub error: Option<String>,
}

/// Waits for the backup according to `policy`.
pub fn wait(
    policy: &WaitPolicy,
    api: &dyn BackupApi,
    clock: &dyn Clock,
    jitter: &mut dyn Jitter,
    observer: &mut dyn Observer,
) -> Finished {
    let deadline = Deadline::from_timeout(clock.now(), policy.timeout);
    let mut state = State {
        deadline,
        attempts: 0,
        backup: None,
        last_error: None,
        unknown_seen: BTreeSet::new(),
    };
    loop {
        if clock.is_cancelled() {
            return state.cancelled(clock);
        }
        let started = clock.now();
        let remaining = deadline.remaining(started);
        if remaining.is_zero() {
            return state.timed_out(clock, GiveUp::DeadlinePassed, policy.timeout);
        }
        state.attempts += 1;
        let result = api.describe_backup(policy.request_timeout.min(remaining));
        let now = clock.now();

        let settled = match &result {
            Ok(backup) => match policy.statuses.classify(backup.status()) {
                StatusClass::Ready => Some(Outcome::Ready),
                StatusClass::Failed => Some(Outcome::Failed),
                StatusClass::InProgress => None,
                StatusClass::Unknown => {
                    let status = backup.status().trim().to_owned();
                    if state.unknown_seen.insert(status.clone()) {
                        observer.unknown_status(&status);
                    }
                    None
                }
            },
            Err(ApiError::Cancelled) => Some(Outcome::Cancelled),
            Err(err) if err.is_retryable() => None,
            Err(ApiError::NotFound { .. }) => Some(Outcome::NotFound),
            Err(ApiError::Unauthorized { .. }) => Some(Outcome::Unauthorized),
            Err(_) => Some(Outcome::Error),
        };
        let next = settled.is_none().then(|| {
            policy.schedule.next(
                AttemptEnd {
                    delays_so_far: state.attempts - 1,
                    jitter: jitter.next_unit(),
                    retry_after: result.as_ref().err().and_then(ApiError::retry_after),
                    started,
                    now,
                },
                &deadline,
            )
        });
        observer.attempt(&Attempt {
            number: state.attempts,
            elapsed: now.saturating_duration_since(deadline.start()),
            result: result.as_ref(),
            next,
        });
        match result {
            Ok(backup) => {
                state.backup = Some(backup);
                state.last_error = None;
            }
            Err(err) => state.last_error = Some(err),
        }
        if let Some(outcome) = settled {
            return state.settled(clock, outcome);
        }
        match next {
            Some(Next::RetryIn(delay)) => {
                if clock.sleep(delay) == Wake::Cancelled {
                    return state.cancelled(clock);
                }
            }
            Some(Next::GiveUp(reason)) => return state.timed_out(clock, reason, policy.timeout),
            None => unreachable!("an unsettled attempt always has a next step"),
        }
    }
}

/// What the loop has learned so far.
struct State {
    deadline: Deadline,
    attempts: u32,
    backup: Option<Backup>,
    last_error: Option<ApiError>,
    unknown_seen: BTreeSet<String>,
}

impl State {
    fn finish(self, clock: &dyn Clock, outcome: Outcome, error: Option<String>) -> Finished {
        Finished {
            outcome,
            attempts: self.attempts,
            elapsed: clock.now().saturating_duration_since(self.deadline.start()),
            backup: self.backup,
            error,
        }
    }

    fn settled(self, clock: &dyn Clock, outcome: Outcome) -> Finished {
        let error = match (outcome, &self.last_error, &self.backup) {
            (Outcome::Ready, _, _) => None,
            (Outcome::Cancelled, _, _) => return self.cancelled(clock),
            (Outcome::Failed, _, Some(backup)) => Some(format!(
                "backup status is {}, a failed status",
                backup.status().trim()
            )),
            (_, Some(err), _) => Some(err.to_string()),
            _ => Some(outcome.label().to_owned()),
        };
        self.finish(clock, outcome, error)
    }

    fn cancelled(self, clock: &dyn Clock) -> Finished {
        let error = format!(
            "cancelled by a signal after {} attempt{}{}",
            self.attempts,
            plural(self.attempts),
            self.last_seen()
        );
        self.finish(clock, Outcome::Cancelled, Some(error))
    }

    fn timed_out(self, clock: &dyn Clock, reason: GiveUp, timeout: Duration) -> Finished {
        let why = match reason {
            GiveUp::DeadlinePassed => format!(
                "deadline of {} passed after {} attempt{}",
                HumanDuration(timeout),
                self.attempts,
                plural(self.attempts)
            ),
            GiveUp::RetryAfterBeyondDeadline {
                retry_after,
                remaining,
            } => format!(
                "the server asked to retry after {}, beyond the {} left before the {} deadline",
                HumanDuration(retry_after),
                HumanDuration(remaining),
                HumanDuration(timeout)
            ),
        };
        let error = format!("{why}{}", self.last_seen());
        self.finish(clock, Outcome::Timeout, Some(error))
    }

    /// "; last status: X" and/or "; last error: Y", whichever is known.
    fn last_seen(&self) -> String {
        let mut text = String::new();
        if let Some(backup) = &self.backup {
            text.push_str(&format!("; last status: {}", backup.status().trim()));
        }
        if let Some(err) = &self.last_error {
            text.push_str(&format!("; last error: {err}"));
        }
        text
    }
}

fn plural(count: u32) -> &'static str {
    if count == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{FakeClock, FixedJitter};
    use serde_json::json;
    use std::cell::RefCell;

    const MS: fn(u64) -> Duration = Duration::from_millis;
    const S: fn(u64) -> Duration = Duration::from_secs;

    /// Plays back responses in order (repeating the last), each taking
    /// `latency` of fake time, and records the timeouts it was given.
    struct Script<'c> {
        clock: &'c FakeClock,
        responses: RefCell<Vec<Result<Backup, ApiError>>>,
        latency: Duration,
        timeouts: RefCell<Vec<Duration>>,
    }

    impl<'c> Script<'c> {
        fn new(clock: &'c FakeClock, responses: Vec<Result<Backup, ApiError>>) -> Self {
            Script {
                clock,
                responses: RefCell::new(responses),
                latency: MS(100),
                timeouts: RefCell::new(Vec::new()),
            }
        }
    }

    impl BackupApi for Script<'_> {
        fn describe_backup(&self, timeout: Duration) -> Result<Backup, ApiError> {
            self.timeouts.borrow_mut().push(timeout);
            self.clock.advance(self.latency.min(timeout));
            let mut responses = self.responses.borrow_mut();
            if responses.len() > 1 {
                responses.remove(0)
            } else {
                responses[0].clone()
            }
        }
    }

    #[derive(Default)]
    struct Recorder {
        lines: Vec<String>,
        unknown: Vec<String>,
    }

    impl Observer for Recorder {
        fn attempt(&mut self, attempt: &Attempt<'_>) {
            let what = match attempt.result {
                Ok(backup) => backup.status().to_owned(),
                Err(err) => err.to_string(),
            };
            self.lines
                .push(format!("#{} {what} {:?}", attempt.number, attempt.next));
        }
        fn unknown_status(&mut self, status: &str) {
            self.unknown.push(status.to_owned());
        }
    }

    fn backup(status: &str) -> Result<Backup, ApiError> {
        Ok(Backup::from_value(json!({"backup_id": "b1", "status": status})).unwrap())
    }

    fn unavailable(retry_after: Option<Duration>) -> Result<Backup, ApiError> {
        Err(ApiError::Transient {
            detail: "HTTP 503 Service Unavailable".to_owned(),
            retry_after,
        })
    }

    fn policy(timeout: Duration) -> WaitPolicy {
        WaitPolicy {
            timeout,
            request_timeout: S(30),
            schedule: Schedule::new(S(2), S(60), 2.0, S(30)),
            statuses: StatusRules::new(
                "Ready".parse().unwrap(),
                "Failed,InitializationFailed".parse().unwrap(),
            )
            .unwrap(),
        }
    }

    fn run(
        clock: &FakeClock,
        policy: &WaitPolicy,
        responses: Vec<Result<Backup, ApiError>>,
        jitter: &[f64],
    ) -> (Finished, Recorder, Vec<Duration>) {
        let api = Script::new(clock, responses);
        let mut recorder = Recorder::default();
        let finished = wait(
            policy,
            &api,
            clock,
            &mut FixedJitter::new(jitter),
            &mut recorder,
        );
        let timeouts = api.timeouts.borrow().clone();
        (finished, recorder, timeouts)
    }

    #[test]
    fn ready_on_the_first_call_makes_one_request_and_never_sleeps() {
        let clock = FakeClock::new();
        let (finished, recorder, _) = run(&clock, &policy(S(60)), vec![backup("Ready")], &[0.5]);
        assert_eq!(finished.outcome, Outcome::Ready);
        assert_eq!(finished.attempts, 1);
        assert_eq!(finished.error, None);
        assert_eq!(finished.elapsed, MS(100));
        assert!(clock.sleeps().is_empty());
        assert_eq!(recorder.lines, vec!["#1 Ready None"]);
    }

    #[test]
    fn polls_with_jittered_backoff_until_ready() {
        let clock = FakeClock::new();
        let responses = vec![
            backup("Initializing"),
            backup("Initializing"),
            backup("Pending"),
            backup("Ready"),
        ];
        let (finished, _, _) = run(&clock, &policy(S(1800)), responses, &[0.5]);
        assert_eq!(finished.outcome, Outcome::Ready);
        assert_eq!(finished.attempts, 4);
        // Delays 0..2: [2,2], [2,4], [2,8] at jitter 0.5.
        assert_eq!(clock.sleeps(), vec![S(2), S(3), S(5)]);
        assert_eq!(finished.backup.unwrap().status(), "Ready");
    }

    #[test]
    fn failed_status_ends_the_wait_at_once() {
        let clock = FakeClock::new();
        let responses = vec![backup("Initializing"), backup("InitializationFailed")];
        let (finished, _, _) = run(&clock, &policy(S(1800)), responses, &[0.0]);
        assert_eq!(finished.outcome, Outcome::Failed);
        assert_eq!(finished.attempts, 2);
        assert_eq!(
            finished.error.as_deref(),
            Some("backup status is InitializationFailed, a failed status")
        );
        assert_eq!(clock.sleeps(), vec![S(2)]);
    }

    #[test]
    fn times_out_with_the_last_status_when_the_backup_never_settles() {
        let clock = FakeClock::new();
        let (finished, recorder, _) =
            run(&clock, &policy(S(10)), vec![backup("Initializing")], &[0.0]);
        assert_eq!(finished.outcome, Outcome::Timeout);
        // Requests take 0.1 s; the last one starts at 8 s, one initial
        // interval before the deadline, so the fourth sleep is clipped.
        assert_eq!(clock.sleeps(), vec![S(2), S(2), S(2), MS(1600)]);
        assert_eq!(finished.attempts, 5);
        assert_eq!(
            finished.error.as_deref(),
            Some("deadline of 10s passed after 5 attempts; last status: Initializing")
        );
        assert!(
            recorder
                .lines
                .last()
                .unwrap()
                .contains("GiveUp(DeadlinePassed)")
        );
        assert!(finished.elapsed <= S(10));
    }

    #[test]
    fn retryable_errors_are_retried_and_then_succeed() {
        let clock = FakeClock::new();
        let responses = vec![unavailable(None), unavailable(None), backup("Ready")];
        let (finished, _, _) = run(&clock, &policy(S(60)), responses, &[0.0]);
        assert_eq!(finished.outcome, Outcome::Ready);
        assert_eq!(finished.attempts, 3);
        assert_eq!(finished.error, None);
    }

    #[test]
    fn retry_after_raises_the_next_delay() {
        let clock = FakeClock::new();
        let responses = vec![unavailable(Some(S(9))), backup("Ready")];
        let (finished, _, _) = run(&clock, &policy(S(60)), responses, &[0.0]);
        assert_eq!(finished.outcome, Outcome::Ready);
        assert_eq!(clock.sleeps(), vec![S(9)]);
    }

    #[test]
    fn retry_after_beyond_the_deadline_times_out_without_another_request() {
        let clock = FakeClock::new();
        let responses = vec![unavailable(Some(S(3600))), backup("Ready")];
        let (finished, _, timeouts) = run(&clock, &policy(S(60)), responses, &[0.0]);
        assert_eq!(finished.outcome, Outcome::Timeout);
        assert_eq!(timeouts.len(), 1);
        assert!(clock.sleeps().is_empty());
        let error = finished.error.unwrap();
        assert!(
            error.starts_with("the server asked to retry after 1h"),
            "{error}"
        );
        assert!(
            error.ends_with("; last error: HTTP 503 Service Unavailable"),
            "{error}"
        );
    }

    #[test]
    fn only_retryable_errors_until_the_deadline_is_a_timeout_with_the_last_error() {
        let clock = FakeClock::new();
        let (finished, _, _) = run(&clock, &policy(S(20)), vec![unavailable(None)], &[1.0]);
        assert_eq!(finished.outcome, Outcome::Timeout);
        assert!(finished.backup.is_none());
        assert_eq!(
            finished.error.as_deref(),
            Some(&*format!(
                "deadline of 20s passed after {} attempts; last error: HTTP 503 Service Unavailable",
                finished.attempts
            ))
        );
    }

    #[test]
    fn final_errors_map_to_their_outcomes_without_retrying() {
        let cases = [
            (
                ApiError::NotFound {
                    detail: "HTTP 404".into(),
                },
                Outcome::NotFound,
            ),
            (
                ApiError::Unauthorized {
                    detail: "HTTP 401".into(),
                },
                Outcome::Unauthorized,
            ),
            (
                ApiError::Malformed {
                    detail: "not JSON".into(),
                },
                Outcome::Error,
            ),
            (
                ApiError::Rejected {
                    detail: "HTTP 400".into(),
                },
                Outcome::Error,
            ),
        ];
        for (error, outcome) in cases {
            let clock = FakeClock::new();
            let detail = error.to_string();
            let (finished, _, timeouts) = run(&clock, &policy(S(60)), vec![Err(error)], &[0.0]);
            assert_eq!(finished.outcome, outcome);
            assert_eq!(finished.error, Some(detail));
            assert_eq!(timeouts.len(), 1);
            assert!(clock.sleeps().is_empty());
        }
    }

    #[test]
    fn each_request_timeout_is_clipped_to_the_time_left() {
        let clock = FakeClock::new();
        let mut policy = policy(S(5));
        policy.request_timeout = S(3);
        let (_, _, timeouts) = run(&clock, &policy, vec![backup("Initializing")], &[0.0]);
        // Attempts start at 0, 2.1 and 3.0 (the final window opens at 5 - 2).
        assert_eq!(timeouts, vec![S(3), MS(2900), S(2)]);
    }

    #[test]
    fn unknown_statuses_are_reported_once_and_polling_goes_on() {
        let clock = FakeClock::new();
        let responses = vec![
            backup("Archiving"),
            backup("Archiving"),
            backup(" Compacting "),
            backup("Ready"),
        ];
        let (finished, recorder, _) = run(&clock, &policy(S(600)), responses, &[0.0]);
        assert_eq!(finished.outcome, Outcome::Ready);
        assert_eq!(recorder.unknown, vec!["Archiving", "Compacting"]);
    }

    #[test]
    fn a_signal_during_the_sleep_cancels_with_the_last_status() {
        let clock = FakeClock::new();
        clock.cancel_at(S(1));
        let (finished, _, _) = run(&clock, &policy(S(60)), vec![backup("Initializing")], &[0.0]);
        assert_eq!(finished.outcome, Outcome::Cancelled);
        assert_eq!(finished.attempts, 1);
        assert_eq!(finished.elapsed, S(1));
        assert_eq!(
            finished.error.as_deref(),
            Some("cancelled by a signal after 1 attempt; last status: Initializing")
        );
    }

    #[test]
    fn a_signal_during_a_request_cancels() {
        let clock = FakeClock::new();
        let (finished, _, _) = run(
            &clock,
            &policy(S(60)),
            vec![Err(ApiError::Cancelled)],
            &[0.0],
        );
        assert_eq!(finished.outcome, Outcome::Cancelled);
        assert_eq!(
            finished.error.as_deref(),
            Some(
                "cancelled by a signal after 1 attempt; last error: cancelled while waiting for a response"
            )
        );
    }

    #[test]
    fn status_comparison_trims_whitespace() {
        let clock = FakeClock::new();
        let (finished, _, _) = run(&clock, &policy(S(60)), vec![backup(" Ready\n")], &[0.0]);
        assert_eq!(finished.outcome, Outcome::Ready);
    }

    #[test]
    fn an_error_after_a_status_keeps_the_backup_for_the_outputs() {
        let clock = FakeClock::new();
        let responses = vec![
            backup("Initializing"),
            Err(ApiError::Rejected {
                detail: "HTTP 400 Bad Request".into(),
            }),
        ];
        let (finished, _, _) = run(&clock, &policy(S(60)), responses, &[0.0]);
        assert_eq!(finished.outcome, Outcome::Error);
        assert_eq!(finished.backup.unwrap().status(), "Initializing");
        assert_eq!(finished.error.as_deref(), Some("HTTP 400 Bad Request"));
    }
}
