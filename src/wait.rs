//! The one wait loop: ask, classify, decide, sleep, until what is watched
//! settles, the deadline passes or the run is cancelled.
//!
//! It is generic over what it watches (`Watch`): a describe that returns
//! what the server said, and a rule that says what that means (`Verdict`).
//! That is the shape of Terraform's `retry.StateChangeConf` (a refresh
//! function with pending and target states) and of Smithy waiters
//! (acceptors per operation). A backup's status is one instance; a listing
//! that takes several pages, a create with its resend rule, a restore and
//! its job, an index, and a data-plane count are others (`watches/`). A
//! watch may also say what the deadline means for it (`at_deadline`): for
//! the data check, counts that still differ are a failure, not a timeout.
//!
//! A run's waits share one `Session`: one deadline (`--timeout` covers the
//! whole run), and what the run has learned about the server (how slow
//! answers are, whether the host resolves, how many requests were made).
//!
//! Side effects come in as parameters (the watch's API, clock, jitter,
//! observer), so every path is tested here with scripted responses and a
//! fake clock. The loop owns no delay maths of its own: `schedule.rs` says
//! when, the watch says what an answer means, `ApiError` says whether an
//! error is final. What it does decide is what needs the history of the
//! run: how slow answers have been, whether the host has ever resolved,
//! which unknown statuses were already reported.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::api::ApiError;
use crate::clock::{Clock, Jitter, Wake};
use crate::config::{Config, HumanDuration};
use crate::outcome::Outcome;
use crate::schedule::{AttemptEnd, Deadline, GiveUp, Next, Schedule};

/// How long a host that has never resolved is retried before the wait ends
/// with exit 6: long enough for a DNS record created just before the job,
/// short enough that a typo in `--api-host` does not wait out 30 minutes.
pub const RESOLVE_LIMIT: Duration = Duration::from_secs(60);

/// At most this many distinct unknown statuses are remembered and reported.
pub const MAX_UNKNOWN_STATUSES: usize = 16;

/// At most this many distinct statuses are kept per wait for the report.
pub const MAX_STATUSES_KEPT: usize = 16;

/// At most this many bytes of a status are remembered: a server that sends
/// a fresh megabyte-long status each time cannot grow a set.
const MAX_STATUS_BYTES: usize = 128;

/// What an answer means for the wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// What the wait was for (a ready status; a listing's last page): done.
    Target,
    /// A failed state: stop at once.
    Failed,
    /// A state known to come before the target: ask again after a delay.
    Pending,
    /// A state nobody told us about: warn once, ask again after a delay.
    Unknown,
    /// One step of an answer that takes several requests (a page with a
    /// next one): ask again at once.
    Continue,
}

/// Something the loop can watch: one request per attempt, and what its
/// answer means.
pub trait Watch {
    /// What a successful request answers.
    type Seen;

    /// Makes one request, giving up after `timeout`.
    fn describe(&mut self, timeout: Duration) -> Result<Self::Seen, ApiError>;

    /// What an answer means.
    fn classify(&self, seen: &Self::Seen) -> Verdict;

    /// The status an answer carries, exactly as sent (it is trimmed for
    /// reports); `None` for answers without one (a page of a list).
    fn status<'s>(&self, seen: &'s Self::Seen) -> Option<&'s str>;

    /// The attempt's line in the log.
    fn shown<'s>(&self, seen: &'s Self::Seen) -> Shown<'s> {
        Shown::status(self.status(seen).unwrap_or_default())
    }

    /// Why a `Failed` answer ends the wait, and what to do about it.
    fn failed(&self, seen: &Self::Seen) -> String;

    /// Whether a 404 means "not visible yet" (an object this run has just
    /// created) rather than "does not exist".
    fn not_found_is_pending(&self) -> bool {
        false
    }

    /// Progress an answer reports, for the live line (`42.2%`); `None`
    /// when it reports none.
    fn progress(&self, _seen: &Self::Seen) -> Option<String> {
        None
    }

    /// What the deadline means when `last` is the last answer received:
    /// `None`, the usual timeout (exit 3); `Some(why)`, a failure (exit 1)
    /// for this reason. A data check whose counts still differ when time
    /// runs out has its answer: the data did not arrive.
    fn at_deadline(&self, _last: Option<&Self::Seen>) -> Option<String> {
        None
    }
}

/// A line about an answer, for people: our words and the server's strings
/// kept apart, so that a sink can scrub, cut and escape each server string
/// on its own (`report::log`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown<'a>(pub Vec<Part<'a>>);

/// A piece of a `Shown` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part<'a> {
    /// Our own words.
    Ours(Cow<'a, str>),
    /// A string from the server, of any length, as sent.
    Server(&'a str),
}

impl<'a> Shown<'a> {
    /// `status X`.
    pub fn status(status: &'a str) -> Self {
        Shown(vec![
            Part::Ours("status ".into()),
            Part::Server(status.trim()),
        ])
    }

    /// The line with every part as it is, for tests and debugging.
    pub fn plain(&self) -> String {
        self.0
            .iter()
            .map(|part| match part {
                Part::Ours(text) => text.as_ref(),
                Part::Server(text) => text,
            })
            .collect()
    }
}

/// The parts of the configuration that steer the loop.
#[derive(Debug, Clone)]
pub struct WaitPolicy {
    /// Overall deadline of the run; zero means a single check.
    pub timeout: Duration,
    /// Per-request timeout before clipping to the time left.
    pub request_timeout: Duration,
    /// Backoff.
    pub schedule: Schedule,
    /// How long a host that has never resolved is retried (capped by
    /// `timeout`); [`RESOLVE_LIMIT`] in production.
    pub resolve_limit: Duration,
}

impl WaitPolicy {
    /// Takes the loop's part of the configuration.
    pub fn from_config(config: &Config) -> Self {
        WaitPolicy {
            timeout: config.timeout,
            request_timeout: config.request_timeout,
            schedule: config.schedule,
            resolve_limit: RESOLVE_LIMIT,
        }
    }
}

/// What happened in one attempt, for the log.
#[derive(Debug)]
pub struct Attempt<'a> {
    /// 1-based number of the request in the run.
    pub number: u32,
    /// Time since the start of the run, at the end of the attempt.
    pub elapsed: Duration,
    /// What the server said, or why it said nothing usable.
    pub result: Result<Shown<'a>, &'a ApiError>,
    /// What comes next: `None` when this attempt settled the wait.
    pub next: Option<Next>,
    /// Progress the answer reports (`Watch::progress`), for the live line.
    pub progress: Option<String>,
}

/// Hears about the wait as it goes; the human log implements it.
pub trait Observer {
    /// An attempt ended.
    fn attempt(&mut self, attempt: &Attempt<'_>);
    /// A status that is neither ready, failed nor known in-progress was
    /// seen for the first time. It is the server's string, of any length:
    /// the observer cuts it for display.
    fn unknown_status(&mut self, status: &str);
    /// `limit` distinct unknown statuses have been reported; further new
    /// ones will not be. Called once per wait.
    fn unknown_statuses_capped(&mut self, limit: usize);
}

/// The end of a wait, with everything the reports need.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished<S> {
    /// How it ended.
    pub outcome: Outcome,
    /// Requests this wait made.
    pub attempts: u32,
    /// Time from the start of the run to the end of this wait.
    pub elapsed: Duration,
    /// The last answer, if any (the seed counts).
    pub last: Option<S>,
    /// Why it did not end with the target; `None` when it did.
    pub error: Option<String>,
    /// The distinct statuses seen, trimmed and each cut to a bounded
    /// prefix, in the order first seen; at most [`MAX_STATUSES_KEPT`].
    pub statuses: Vec<String>,
}

/// What the run has learned about the server, across its waits.
#[derive(Debug, Clone, Copy, Default)]
struct History {
    /// Requests made.
    attempts: u32,
    /// The longest an answered attempt took (see `AttemptEnd::slowest`).
    slowest: Duration,
    /// Whether any attempt got past name resolution.
    resolved_once: bool,
}

/// One run's waits: one deadline, one clock and jitter, one history of the
/// server.
pub struct Session<'r> {
    policy: WaitPolicy,
    deadline: Deadline,
    resolve_by: Instant,
    clock: &'r dyn Clock,
    jitter: &'r mut dyn Jitter,
    history: History,
}

impl<'r> Session<'r> {
    /// Starts the run's clock: the deadline is `policy.timeout` from now.
    pub fn start(policy: WaitPolicy, clock: &'r dyn Clock, jitter: &'r mut dyn Jitter) -> Self {
        let deadline = Deadline::from_timeout(clock.now(), policy.timeout);
        let resolve_by = deadline.start() + policy.resolve_limit.min(policy.timeout);
        Session {
            policy,
            deadline,
            resolve_by,
            clock,
            jitter,
            history: History::default(),
        }
    }

    /// The run's clock (for a watch that tells ages).
    pub fn clock(&self) -> &'r dyn Clock {
        self.clock
    }

    /// Requests made so far in the run.
    pub fn attempts(&self) -> u32 {
        self.history.attempts
    }

    /// Time since the start of the run.
    pub fn elapsed(&self) -> Duration {
        self.clock
            .now()
            .saturating_duration_since(self.deadline.start())
    }

    /// Watches `watch` until it settles, within the run's deadline.
    /// `seed` is an answer already in hand (a create's, a listing's): it is
    /// judged first, as if it were this wait's first answer, without a
    /// request.
    pub fn wait<W: Watch>(
        &mut self,
        watch: &mut W,
        seed: Option<W::Seen>,
        observer: &mut dyn Observer,
    ) -> Finished<W::Seen> {
        let mut seed = seed;
        let mut wait = Progress::new();
        loop {
            if self.clock.is_cancelled() {
                return self.cancelled(wait);
            }
            let started = self.clock.now();
            let requested = seed.is_none();
            let result = match seed.take() {
                Some(seen) => Ok(seen),
                None => {
                    let remaining = self.deadline.remaining(started);
                    let request_timeout = if self.deadline.is_single_check() {
                        // `--timeout 0`: the one check gets the whole request timeout.
                        self.policy.request_timeout
                    } else if remaining.is_zero() {
                        return self.timed_out(watch, wait, GiveUp::DeadlinePassed);
                    } else {
                        self.policy.request_timeout.min(remaining)
                    };
                    self.history.attempts += 1;
                    wait.attempts += 1;
                    let result = watch.describe(request_timeout);
                    let took = self.clock.now().saturating_duration_since(started);
                    self.learn_from(&result, took, request_timeout);
                    result
                }
            };
            let now = self.clock.now();

            let mut again_at_once = false;
            let mut settled = match &result {
                Ok(seen) => {
                    if let Some(status) = watch.status(seen) {
                        wait.note_status(status.trim());
                    }
                    match watch.classify(seen) {
                        Verdict::Target => Some(Outcome::Ready),
                        Verdict::Failed => Some(Outcome::Failed),
                        Verdict::Pending => None,
                        Verdict::Unknown => {
                            let status = watch.status(seen).unwrap_or_default().trim();
                            wait.note_unknown(status, observer);
                            None
                        }
                        Verdict::Continue => {
                            again_at_once = true;
                            None
                        }
                    }
                }
                Err(ApiError::Cancelled) => Some(Outcome::Cancelled),
                Err(err) if err.is_retryable() => None,
                Err(ApiError::NotFound { .. }) if watch.not_found_is_pending() => None,
                Err(ApiError::NotFound { .. }) => Some(Outcome::NotFound),
                Err(ApiError::Unauthorized { .. }) => Some(Outcome::Unauthorized),
                Err(_) => Some(Outcome::Error),
            };
            let mut next = match settled {
                Some(_) => None,
                None if again_at_once => Some(Next::Now),
                None => Some(self.policy.schedule.next(
                    AttemptEnd {
                        delays_so_far: wait.delays,
                        jitter: self.jitter.next_unit(),
                        retry_after: result.as_ref().err().and_then(ApiError::retry_after),
                        started,
                        now,
                        slowest: self.history.slowest,
                    },
                    &self.deadline,
                )),
            };
            // A name that has never resolved gets until `resolve_by`, with one
            // last lookup then; a name that has resolved before is retried like
            // any transient error.
            let mut unresolvable = false;
            if matches!(&result, Err(err) if err.is_unresolved()) && !self.history.resolved_once {
                match next {
                    Some(retry @ Next::RetryIn(_)) if now < self.resolve_by => {
                        next = Some(self.policy.schedule.attempt_by(retry, now, self.resolve_by));
                    }
                    _ => {
                        unresolvable = true;
                        settled = Some(Outcome::Error);
                        next = None;
                    }
                }
            }
            if requested {
                observer.attempt(&Attempt {
                    number: self.history.attempts,
                    elapsed: now.saturating_duration_since(self.deadline.start()),
                    result: match &result {
                        Ok(seen) => Ok(watch.shown(seen)),
                        Err(err) => Err(err),
                    },
                    next,
                    progress: result.as_ref().ok().and_then(|seen| watch.progress(seen)),
                });
            }
            let failed = match &result {
                Ok(seen) if settled == Some(Outcome::Failed) => Some(watch.failed(seen)),
                _ => None,
            };
            match result {
                Ok(seen) => {
                    wait.last = Some(seen);
                    wait.last_status = wait
                        .last
                        .as_ref()
                        .and_then(|seen| watch.status(seen))
                        .map(|status| status.trim().to_owned());
                    wait.last_error = None;
                }
                Err(err) => wait.last_error = Some(err),
            }
            if unresolvable {
                return self.unresolvable(wait);
            }
            if let Some(outcome) = settled {
                return self.settled(wait, outcome, failed);
            }
            match next {
                Some(Next::RetryIn(delay)) => {
                    wait.delays += 1;
                    if self.clock.sleep(delay) == Wake::Cancelled {
                        return self.cancelled(wait);
                    }
                }
                Some(Next::Now) => {}
                Some(Next::GiveUp(reason)) => return self.timed_out(watch, wait, reason),
                None => unreachable!("an unsettled attempt always has a next step"),
            }
        }
    }

    /// Records what an attempt says about the server: how long an answer
    /// takes (unless the attempt was cut by its own timeout) and whether
    /// the host resolves (anything but a failed lookup or a cancellation
    /// means the lookup succeeded).
    fn learn_from<S>(&mut self, result: &Result<S, ApiError>, took: Duration, timeout: Duration) {
        if took < timeout {
            self.history.slowest = self.history.slowest.max(took);
        }
        match result {
            Err(ApiError::Cancelled) => {}
            Err(err) if err.is_unresolved() => {}
            _ => self.history.resolved_once = true,
        }
    }

    fn finish<S>(&self, wait: Progress<S>, outcome: Outcome, error: Option<String>) -> Finished<S> {
        Finished {
            outcome,
            attempts: wait.attempts,
            elapsed: self.elapsed(),
            last: wait.last,
            error,
            statuses: wait.statuses,
        }
    }

    fn settled<S>(
        &self,
        wait: Progress<S>,
        outcome: Outcome,
        failed: Option<String>,
    ) -> Finished<S> {
        let error = match (outcome, &wait.last_error) {
            (Outcome::Ready, _) => None,
            (Outcome::Cancelled, _) => return self.cancelled(wait),
            (Outcome::Failed, _) if failed.is_some() => failed,
            (_, Some(err)) => Some(err.to_string()),
            _ => Some(outcome.label().to_owned()),
        };
        self.finish(wait, outcome, error)
    }

    /// The host has not resolved once in the time it was given.
    fn unresolvable<S>(&self, wait: Progress<S>) -> Finished<S> {
        let Some(ApiError::Unresolved {
            host,
            proxy,
            detail,
        }) = &wait.last_error
        else {
            unreachable!("only a failed lookup makes a host unresolvable");
        };
        let (whose, check) = if *proxy {
            (
                "proxy host ",
                "check the proxy variables (HTTPS_PROXY, ALL_PROXY)",
            )
        } else {
            ("", "check the host name in --api-host")
        };
        let attempts = self.history.attempts;
        let error = format!(
            "cannot resolve {whose}{host}: no address after {attempts} attempt{} over {} ({detail}); {check}",
            plural(attempts),
            HumanDuration(self.elapsed()),
        );
        self.finish(wait, Outcome::Error, Some(error))
    }

    fn cancelled<S>(&self, wait: Progress<S>) -> Finished<S> {
        let attempts = self.history.attempts;
        let error = format!(
            "cancelled by a signal after {attempts} attempt{}{}",
            plural(attempts),
            wait.last_seen()
        );
        self.finish(wait, Outcome::Cancelled, Some(error))
    }

    fn timed_out<W: Watch>(
        &self,
        watch: &W,
        wait: Progress<W::Seen>,
        reason: GiveUp,
    ) -> Finished<W::Seen> {
        let timeout = self.policy.timeout;
        let attempts = self.history.attempts;
        if !matches!(reason, GiveUp::SingleCheck)
            && let Some(why) = watch.at_deadline(wait.last.as_ref())
        {
            let error = format!(
                "{why} (deadline of {} passed after {attempts} attempt{})",
                HumanDuration(timeout),
                plural(attempts)
            );
            return self.finish(wait, Outcome::Failed, Some(error));
        }
        let why = match reason {
            GiveUp::DeadlinePassed => format!(
                "deadline of {} passed after {attempts} attempt{}",
                HumanDuration(timeout),
                plural(attempts)
            ),
            GiveUp::SingleCheck => match &wait.last_error {
                None => "checked once (--timeout 0): still in progress".to_owned(),
                Some(_) => "checked once (--timeout 0): no usable answer".to_owned(),
            },
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
        let error = format!("{why}{}", wait.last_seen());
        self.finish(wait, Outcome::Timeout, Some(error))
    }
}

/// What one wait has seen so far.
struct Progress<S> {
    /// Requests this wait made.
    attempts: u32,
    /// Delays slept so far (the schedule's exponent).
    delays: u32,
    last: Option<S>,
    /// The status of `last`, trimmed.
    last_status: Option<String>,
    last_error: Option<ApiError>,
    /// Bounded prefixes of the unknown statuses reported so far.
    unknown_seen: BTreeSet<String>,
    /// Whether the "no more unknown statuses" line has been given.
    unknown_capped: bool,
    /// Distinct statuses, bounded, in the order first seen.
    statuses: Vec<String>,
}

impl<S> Progress<S> {
    fn new() -> Self {
        Progress {
            attempts: 0,
            delays: 0,
            last: None,
            last_status: None,
            last_error: None,
            unknown_seen: BTreeSet::new(),
            unknown_capped: false,
            statuses: Vec::new(),
        }
    }

    /// Keeps a status for the report, once, bounded.
    fn note_status(&mut self, status: &str) {
        let key = prefix(status, MAX_STATUS_BYTES);
        if self.statuses.len() < MAX_STATUSES_KEPT && !self.statuses.iter().any(|s| s == key) {
            self.statuses.push(key.to_owned());
        }
    }

    /// Reports an unknown status the first time it is seen, remembering at
    /// most [`MAX_UNKNOWN_STATUSES`] of them, each cut to a bounded prefix.
    fn note_unknown(&mut self, status: &str, observer: &mut dyn Observer) {
        let key = prefix(status, MAX_STATUS_BYTES);
        if self.unknown_seen.contains(key) {
            return;
        }
        if self.unknown_seen.len() < MAX_UNKNOWN_STATUSES {
            self.unknown_seen.insert(key.to_owned());
            observer.unknown_status(status);
        } else if !self.unknown_capped {
            self.unknown_capped = true;
            observer.unknown_statuses_capped(MAX_UNKNOWN_STATUSES);
        }
    }

    /// "; last status: X" and/or "; last error: Y", whichever is known.
    fn last_seen(&self) -> String {
        let mut text = String::new();
        if let Some(status) = &self.last_status {
            text.push_str(&format!("; last status: {status}"));
        }
        if let Some(err) = &self.last_error {
            text.push_str(&format!("; last error: {err}"));
        }
        text
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a
/// character boundary.
pub fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn plural(count: u32) -> &'static str {
    if count == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Backup, BackupPage, ControlPlane, NewBackup, WriteFailure};
    use crate::clock::{FakeClock, FixedJitter};
    use crate::config::{BackupId, IndexName};
    use crate::status::StatusRules;
    use crate::watches::backup::BackupWatch;
    use serde_json::json;
    use std::cell::RefCell;

    const MS: fn(u64) -> Duration = Duration::from_millis;
    const S: fn(u64) -> Duration = Duration::from_secs;

    /// Plays back responses in order (repeating the last), each taking the
    /// next of `latencies` of fake time (repeating the last; 100 ms unless
    /// set) or its timeout if that is shorter, and records the timeouts it
    /// was given.
    struct Script<'c> {
        clock: &'c FakeClock,
        responses: RefCell<Vec<Result<Backup, ApiError>>>,
        latencies: RefCell<Vec<Duration>>,
        timeouts: RefCell<Vec<Duration>>,
    }

    impl<'c> Script<'c> {
        fn new(clock: &'c FakeClock, responses: Vec<Result<Backup, ApiError>>) -> Self {
            Script {
                clock,
                responses: RefCell::new(responses),
                latencies: RefCell::new(vec![MS(100)]),
                timeouts: RefCell::new(Vec::new()),
            }
        }

        fn with_latencies(self, latencies: &[Duration]) -> Self {
            *self.latencies.borrow_mut() = latencies.to_vec();
            self
        }
    }

    /// The next item, keeping the last one for ever.
    fn take<T: Clone>(items: &RefCell<Vec<T>>) -> T {
        let mut items = items.borrow_mut();
        if items.len() > 1 {
            items.remove(0)
        } else {
            items[0].clone()
        }
    }

    impl ControlPlane for Script<'_> {
        fn describe_backup(&self, _: &BackupId, timeout: Duration) -> Result<Backup, ApiError> {
            self.timeouts.borrow_mut().push(timeout);
            self.clock.advance(take(&self.latencies).min(timeout));
            take(&self.responses)
        }

        fn list_index_backups(
            &self,
            _: &IndexName,
            _: Option<&str>,
            _: Duration,
        ) -> Result<BackupPage, ApiError> {
            unreachable!("a backup wait only describes")
        }

        fn create_backup(
            &self,
            _: &IndexName,
            _: &NewBackup,
            _: Duration,
        ) -> Result<Backup, WriteFailure> {
            unreachable!("a backup wait only describes")
        }

        fn create_index_from_backup(
            &self,
            _: &BackupId,
            _: &crate::api::restore_request::CreateIndexRequest,
            _: Duration,
        ) -> Result<crate::api::restore_request::CreateIndexResponse, WriteFailure> {
            unreachable!("a backup wait only describes")
        }

        fn describe_restore_job(
            &self,
            _: &crate::config::RestoreJobId,
            _: Duration,
        ) -> Result<crate::api::restore_job::RestoreJob, ApiError> {
            unreachable!("a backup wait only describes")
        }

        fn list_restore_jobs(
            &self,
            _: Option<&str>,
            _: Duration,
        ) -> Result<crate::api::restore_job::RestoreJobPage, ApiError> {
            unreachable!("a backup wait only describes")
        }

        fn describe_index(
            &self,
            _: &IndexName,
            _: Duration,
        ) -> Result<crate::api::index_model::IndexModel, ApiError> {
            unreachable!("a backup wait only describes")
        }

        fn describe_index_stats(
            &self,
            _: &crate::api::index_model::IndexHost,
            _: &IndexName,
            _: Duration,
        ) -> Result<crate::api::index_stats::IndexStats, ApiError> {
            unreachable!("a backup wait only describes")
        }
    }

    #[derive(Default)]
    struct Recorder {
        lines: Vec<String>,
        unknown: Vec<String>,
        capped: Vec<usize>,
    }

    impl Observer for Recorder {
        fn attempt(&mut self, attempt: &Attempt<'_>) {
            let what = match &attempt.result {
                Ok(shown) => shown.plain(),
                Err(err) => err.to_string(),
            };
            self.lines
                .push(format!("#{} {what} {:?}", attempt.number, attempt.next));
        }
        fn unknown_status(&mut self, status: &str) {
            self.unknown.push(status.to_owned());
        }
        fn unknown_statuses_capped(&mut self, limit: usize) {
            self.capped.push(limit);
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

    fn unresolved() -> Result<Backup, ApiError> {
        Err(ApiError::Unresolved {
            host: "api.example.invalid".to_owned(),
            proxy: false,
            detail: "Name or service not known".to_owned(),
        })
    }

    /// The defaults: 2 s..60 s x3, request timeout 30 s.
    fn policy(timeout: Duration) -> WaitPolicy {
        WaitPolicy {
            timeout,
            request_timeout: S(30),
            schedule: Schedule::new(S(2), S(60), 3.0, S(30)),
            resolve_limit: RESOLVE_LIMIT,
        }
    }

    fn rules() -> StatusRules {
        StatusRules::new(
            "Ready".parse().unwrap(),
            "Failed,InitializationFailed".parse().unwrap(),
        )
        .unwrap()
    }

    fn run(
        clock: &FakeClock,
        policy: &WaitPolicy,
        responses: Vec<Result<Backup, ApiError>>,
        jitter: &[f64],
    ) -> (Finished<Backup>, Recorder, Vec<Duration>) {
        run_with(Script::new(clock, responses), policy, jitter)
    }

    fn run_with(
        api: Script<'_>,
        policy: &WaitPolicy,
        jitter: &[f64],
    ) -> (Finished<Backup>, Recorder, Vec<Duration>) {
        let clock = api.clock;
        let mut recorder = Recorder::default();
        let mut jitter = FixedJitter::new(jitter);
        let rules = rules();
        let mut watch = BackupWatch::new(&api, BackupId::from_raw("b1").unwrap(), &rules, false);
        let mut session = Session::start(policy.clone(), clock, &mut jitter);
        let finished = session.wait(&mut watch, None, &mut recorder);
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
        assert_eq!(recorder.lines, vec!["#1 status Ready None"]);
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
        // Delays 0..2: [2, 2], [3, 6], [9, 18] at jitter 0.5.
        assert_eq!(clock.sleeps(), vec![S(2), MS(4500), MS(13_500)]);
        assert_eq!(finished.last.unwrap().status(), "Ready");
    }

    #[test]
    fn failed_status_ends_the_wait_at_once_saying_what_to_do() {
        let clock = FakeClock::new();
        let responses = vec![backup("Initializing"), backup("InitializationFailed")];
        let (finished, _, _) = run(&clock, &policy(S(1800)), responses, &[0.0]);
        assert_eq!(finished.outcome, Outcome::Failed);
        assert_eq!(finished.attempts, 2);
        assert_eq!(
            finished.error.as_deref(),
            Some(
                "backup status is InitializationFailed, a failed status: the backup failed on \
                 Pinecone's side and will not become ready; check the source index and the \
                 backup in the Pinecone console, then create a new backup"
            )
        );
        assert_eq!(clock.sleeps(), vec![S(2)]);
    }

    #[test]
    fn times_out_with_the_last_status_when_the_backup_never_settles() {
        let clock = FakeClock::new();
        let (finished, recorder, _) =
            run(&clock, &policy(S(10)), vec![backup("Initializing")], &[0.0]);
        assert_eq!(finished.outcome, Outcome::Timeout);
        // Requests take 0.1 s, so the final window is 0.2 s: checks at 0,
        // 2.1 and 5.2 s, then the third delay (9 s) is cut so that the last
        // check starts at 9.8 s and ends at 9.9 s.
        assert_eq!(clock.sleeps(), vec![S(2), S(3), MS(4500)]);
        assert_eq!(finished.attempts, 4);
        assert_eq!(finished.elapsed, MS(9900));
        assert_eq!(
            finished.error.as_deref(),
            Some("deadline of 10s passed after 4 attempts; last status: Initializing")
        );
        assert!(
            recorder
                .lines
                .last()
                .unwrap()
                .contains("GiveUp(DeadlinePassed)")
        );
    }

    #[test]
    fn a_fixed_interval_that_does_not_divide_the_timeout_still_uses_all_of_it() {
        // Issue 8: `--timeout 10s --initial-interval 4s --max-interval 4s`
        // gave up at 6 s. With 10 ms requests: checks at 0, 4.01, 8.02 s and
        // a last one at 9.89 s, ending 100 ms before the deadline.
        let clock = FakeClock::new();
        let mut policy = policy(S(10));
        policy.schedule = Schedule::new(S(4), S(4), 3.0, S(30));
        let api = Script::new(&clock, vec![backup("Initializing")]).with_latencies(&[MS(10)]);
        let (finished, _, _) = run_with(api, &policy, &[0.5]);
        assert_eq!(finished.outcome, Outcome::Timeout);
        assert_eq!(clock.sleeps(), vec![S(4), S(4), MS(1860)]);
        assert_eq!(finished.attempts, 4);
        assert_eq!(finished.elapsed, MS(9900));
    }

    #[test]
    fn a_timeout_shorter_than_the_initial_interval_gets_a_last_check_near_its_end() {
        // Issue 8: `--timeout 1s` gave up after the first check, at 7 ms.
        let clock = FakeClock::new();
        let api = Script::new(&clock, vec![backup("Initializing")]).with_latencies(&[MS(10)]);
        let (finished, _, _) = run_with(api, &policy(S(1)), &[0.5]);
        assert_eq!(finished.outcome, Outcome::Timeout);
        assert_eq!(clock.sleeps(), vec![MS(880)]);
        assert_eq!(finished.attempts, 2);
        assert_eq!(finished.elapsed, MS(900));
    }

    #[test]
    fn the_floor_holds_for_every_delay_but_one_final_one_and_the_deadline_is_used() {
        let timeouts = [MS(300), S(1), S(3), MS(7500), S(10), S(61), S(600)];
        let latencies = [MS(1), MS(10), MS(100), MS(900), S(3)];
        for timeout in timeouts {
            for latency in latencies {
                for jitter in [0.0, 0.5, 0.99] {
                    let clock = FakeClock::new();
                    let api = Script::new(&clock, vec![backup("Initializing")])
                        .with_latencies(&[latency]);
                    let (finished, _, _) = run_with(api, &policy(timeout), &[jitter]);
                    let case = format!("timeout {timeout:?}, latency {latency:?}, jitter {jitter}");
                    assert_eq!(finished.outcome, Outcome::Timeout, "{case}");
                    let sleeps = clock.sleeps();
                    let short: Vec<usize> =
                        (0..sleeps.len()).filter(|&i| sleeps[i] < S(2)).collect();
                    assert!(
                        short.is_empty() || short == vec![sleeps.len() - 1],
                        "{case}: sleeps {sleeps:?}"
                    );
                    assert!(finished.elapsed <= timeout, "{case}: {finished:?}");
                    assert!(
                        timeout - finished.elapsed <= S(1),
                        "{case}: ended {:?} early, sleeps {sleeps:?}",
                        timeout - finished.elapsed
                    );
                }
            }
        }
    }

    #[test]
    fn an_attempt_cut_by_its_timeout_does_not_widen_the_final_window() {
        // One hung request (cut at the 5 s request timeout) says nothing
        // about how long an answer takes; the last check still starts
        // 200 ms before the deadline, not 5 s.
        let clock = FakeClock::new();
        let mut policy = policy(S(100));
        policy.request_timeout = S(5);
        let api =
            Script::new(&clock, vec![backup("Initializing")]).with_latencies(&[S(60), MS(100)]);
        let (finished, _, timeouts) = run_with(api, &policy, &[1.0]);
        assert_eq!(timeouts[0], S(5));
        assert_eq!(finished.outcome, Outcome::Timeout);
        assert_eq!(finished.elapsed, MS(99_900));
    }

    #[test]
    fn a_zero_timeout_is_one_check_with_the_whole_request_timeout() {
        let cases = [
            (backup("Ready"), Outcome::Ready, None),
            (
                backup("Failed"),
                Outcome::Failed,
                Some("backup status is Failed, a failed status"),
            ),
            (
                backup("Initializing"),
                Outcome::Timeout,
                Some("checked once (--timeout 0): still in progress; last status: Initializing"),
            ),
            (
                unavailable(Some(S(1))),
                Outcome::Timeout,
                Some(
                    "checked once (--timeout 0): no usable answer; last error: HTTP 503 Service Unavailable",
                ),
            ),
            (
                Err(ApiError::NotFound {
                    detail: "HTTP 404".into(),
                }),
                Outcome::NotFound,
                Some("HTTP 404"),
            ),
            (
                unresolved(),
                Outcome::Error,
                Some("cannot resolve api.example.invalid: no address after 1 attempt"),
            ),
        ];
        for (response, outcome, error) in cases {
            let clock = FakeClock::new();
            let (finished, recorder, timeouts) =
                run(&clock, &policy(Duration::ZERO), vec![response], &[0.0]);
            assert_eq!(
                finished.outcome,
                outcome,
                "{recorder:?}",
                recorder = recorder.lines
            );
            assert_eq!(timeouts, vec![S(30)]);
            assert!(clock.sleeps().is_empty());
            match error {
                None => assert_eq!(finished.error, None),
                Some(start) => {
                    let text = finished.error.unwrap();
                    assert!(text.starts_with(start), "{text}");
                    assert!(!text.contains("deadline of"), "{text}");
                }
            }
        }
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
        assert!(finished.last.is_none());
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
        // Attempts start at 0, 2.1 and 4.8 s (the final window is 200 ms).
        assert_eq!(timeouts, vec![S(3), MS(2900), MS(200)]);
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
    fn at_most_sixteen_unknown_statuses_are_remembered_and_reported() {
        let clock = FakeClock::new();
        let mut responses: Vec<_> = (0..40).map(|i| backup(&format!("Odd{i}"))).collect();
        responses.push(backup("Odd3"));
        responses.push(backup("Ready"));
        let (finished, recorder, _) = run(&clock, &policy(S(30 * 3600)), responses, &[0.0]);
        assert_eq!(finished.outcome, Outcome::Ready);
        let expected: Vec<String> = (0..16).map(|i| format!("Odd{i}")).collect();
        assert_eq!(recorder.unknown, expected);
        assert_eq!(recorder.capped, vec![MAX_UNKNOWN_STATUSES]);
    }

    #[test]
    fn unknown_statuses_are_remembered_by_a_bounded_prefix() {
        let clock = FakeClock::new();
        let long = |tail: &str| format!("{}{tail}", "é".repeat(100_000));
        let responses = vec![backup(&long("a")), backup(&long("b")), backup("Ready")];
        let (_, recorder, _) = run(&clock, &policy(S(600)), responses, &[0.0]);
        // Both share their first 128 bytes: one report, of the full string.
        assert_eq!(recorder.unknown.len(), 1);
        assert_eq!(recorder.unknown[0], long("a"));
        assert_eq!(prefix(&long("a"), 128).len(), 128);
        assert_eq!(prefix("é", 1), "");
        assert_eq!(prefix("abc", 128), "abc");
    }

    #[test]
    fn a_host_that_never_resolves_gets_one_minute_then_exit_6() {
        let clock = FakeClock::new();
        let (finished, recorder, _) = run(&clock, &policy(S(1800)), vec![unresolved()], &[0.0]);
        assert_eq!(finished.outcome, Outcome::Error);
        // Checks at 0, 2.1, 5.2, 14.3 and 41.4 s; the next delay (30 s)
        // is cut so that the last lookup starts at the one-minute mark.
        assert_eq!(clock.sleeps(), vec![S(2), S(3), S(9), S(27), MS(18_500)]);
        assert_eq!(finished.attempts, 6);
        assert_eq!(finished.elapsed, MS(60_100));
        assert_eq!(
            finished.error.as_deref(),
            Some(
                "cannot resolve api.example.invalid: no address after 6 attempts over 1m \
                 (Name or service not known); check the host name in --api-host"
            )
        );
        assert!(recorder.lines.last().unwrap().ends_with(" None"));
    }

    #[test]
    fn the_resolve_limit_is_the_policy_s() {
        let clock = FakeClock::new();
        let mut policy = policy(S(1800));
        policy.resolve_limit = S(5);
        let (finished, _, _) = run(&clock, &policy, vec![unresolved()], &[0.0]);
        assert_eq!(finished.outcome, Outcome::Error);
        // Checks at 0 and 2.1 s; the 3 s delay is cut so that the last
        // lookup starts at the 5 s limit.
        assert_eq!(clock.sleeps(), vec![S(2), MS(2800)]);
        assert_eq!(finished.attempts, 3);
    }

    #[test]
    fn a_host_that_never_resolves_before_a_short_deadline_is_exit_6_at_the_deadline() {
        let clock = FakeClock::new();
        let (finished, _, _) = run(&clock, &policy(S(10)), vec![unresolved()], &[0.0]);
        assert_eq!(finished.outcome, Outcome::Error);
        assert_eq!(clock.sleeps(), vec![S(2), S(3), MS(4500)]);
        assert_eq!(finished.elapsed, MS(9900));
        assert!(
            finished
                .error
                .unwrap()
                .starts_with("cannot resolve api.example.invalid: no address after 4 attempts")
        );
    }

    #[test]
    fn a_proxy_host_that_never_resolves_points_at_the_proxy_variables() {
        let clock = FakeClock::new();
        let response = Err(ApiError::Unresolved {
            host: "proxy.example.invalid".to_owned(),
            proxy: true,
            detail: "Name or service not known".to_owned(),
        });
        let (finished, _, _) = run(&clock, &policy(S(1)), vec![response], &[0.0]);
        assert_eq!(finished.outcome, Outcome::Error);
        let error = finished.error.unwrap();
        assert!(
            error.starts_with("cannot resolve proxy host proxy.example.invalid"),
            "{error}"
        );
        assert!(error.ends_with("check the proxy variables (HTTPS_PROXY, ALL_PROXY)"));
    }

    #[test]
    fn after_one_answer_a_failed_lookup_is_retried_until_the_deadline() {
        let clock = FakeClock::new();
        let mut responses = vec![backup("Initializing")];
        responses.push(unresolved());
        let (finished, _, _) = run(&clock, &policy(S(300)), responses, &[0.0]);
        assert_eq!(finished.outcome, Outcome::Timeout);
        assert_eq!(finished.elapsed, MS(299_900));
        let error = finished.error.unwrap();
        assert!(error.starts_with("deadline of 5m passed after"), "{error}");
        assert!(
            error.ends_with(
                "; last status: Initializing; last error: cannot resolve api.example.invalid \
                 (Name or service not known)"
            ),
            "{error}"
        );
    }

    #[test]
    fn any_answer_past_the_lookup_counts_as_resolved() {
        // Connection refused means the name resolved: later failed lookups
        // are transient (a flaky resolver), not a wrong host.
        let clock = FakeClock::new();
        let refused = Err(ApiError::transient(
            "sending the request: Connection refused",
        ));
        let (finished, _, _) = run(&clock, &policy(S(120)), vec![refused, unresolved()], &[0.0]);
        assert_eq!(finished.outcome, Outcome::Timeout);
        assert_eq!(finished.elapsed, MS(119_900));
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
        assert_eq!(finished.last.unwrap().status(), "Initializing");
        assert_eq!(finished.error.as_deref(), Some("HTTP 400 Bad Request"));
    }

    /// A watch of made-up answers, each a status and a verdict, taking
    /// 100 ms of fake time; `None` answers are a 404.
    struct Steps<'c> {
        clock: &'c FakeClock,
        answers: RefCell<Vec<Option<(&'static str, Verdict)>>>,
        requests: RefCell<u32>,
        not_found_is_pending: bool,
    }

    impl<'c> Steps<'c> {
        fn new(clock: &'c FakeClock, answers: Vec<Option<(&'static str, Verdict)>>) -> Self {
            Steps {
                clock,
                answers: RefCell::new(answers),
                requests: RefCell::new(0),
                not_found_is_pending: false,
            }
        }
    }

    impl Watch for Steps<'_> {
        type Seen = (&'static str, Verdict);

        fn describe(&mut self, _: Duration) -> Result<Self::Seen, ApiError> {
            *self.requests.borrow_mut() += 1;
            self.clock.advance(MS(100));
            take(&self.answers).ok_or(ApiError::NotFound {
                detail: "HTTP 404".into(),
            })
        }

        fn classify(&self, seen: &Self::Seen) -> Verdict {
            seen.1
        }

        fn status<'s>(&self, seen: &'s Self::Seen) -> Option<&'s str> {
            Some(seen.0)
        }

        fn failed(&self, seen: &Self::Seen) -> String {
            format!("{} failed", seen.0)
        }

        fn not_found_is_pending(&self) -> bool {
            self.not_found_is_pending
        }
    }

    fn session_wait(
        clock: &FakeClock,
        watch: &mut Steps<'_>,
        seed: Option<(&'static str, Verdict)>,
        timeout: Duration,
    ) -> Finished<(&'static str, Verdict)> {
        let mut jitter = FixedJitter::new(&[0.0]);
        let mut session = Session::start(policy(timeout), clock, &mut jitter);
        session.wait(watch, seed, &mut Recorder::default())
    }

    #[test]
    fn a_seed_that_is_already_the_target_needs_no_request() {
        let clock = FakeClock::new();
        let mut watch = Steps::new(&clock, vec![Some(("Pending", Verdict::Pending))]);
        let finished = session_wait(&clock, &mut watch, Some(("Ready", Verdict::Target)), S(60));
        assert_eq!(finished.outcome, Outcome::Ready);
        assert_eq!(finished.attempts, 0);
        assert_eq!(*watch.requests.borrow(), 0);
        assert_eq!(finished.statuses, vec!["Ready"]);
    }

    #[test]
    fn a_seed_in_progress_is_followed_by_the_first_delay_then_requests() {
        let clock = FakeClock::new();
        let mut watch = Steps::new(&clock, vec![Some(("Ready", Verdict::Target))]);
        let seed = Some(("Initializing", Verdict::Pending));
        let finished = session_wait(&clock, &mut watch, seed, S(60));
        assert_eq!(finished.outcome, Outcome::Ready);
        assert_eq!(finished.attempts, 1);
        assert_eq!(clock.sleeps(), vec![S(2)]);
        assert_eq!(finished.statuses, vec!["Initializing", "Ready"]);
    }

    #[test]
    fn continue_asks_again_at_once_and_does_not_grow_the_backoff() {
        let clock = FakeClock::new();
        let mut watch = Steps::new(
            &clock,
            vec![
                Some(("page", Verdict::Continue)),
                Some(("page", Verdict::Continue)),
                Some(("Pending", Verdict::Pending)),
                Some(("page", Verdict::Continue)),
                Some(("Pending", Verdict::Pending)),
                Some(("Ready", Verdict::Target)),
            ],
        );
        let finished = session_wait(&clock, &mut watch, None, S(600));
        assert_eq!(finished.outcome, Outcome::Ready);
        assert_eq!(finished.attempts, 6);
        // Only the two pending answers wait: delays 0 and 1 of the schedule.
        assert_eq!(clock.sleeps(), vec![S(2), S(3)]);
    }

    #[test]
    fn a_single_check_still_reads_every_step_of_its_answer() {
        let clock = FakeClock::new();
        let mut watch = Steps::new(
            &clock,
            vec![
                Some(("page", Verdict::Continue)),
                Some(("Pending", Verdict::Pending)),
            ],
        );
        let finished = session_wait(&clock, &mut watch, None, Duration::ZERO);
        assert_eq!(finished.outcome, Outcome::Timeout);
        assert_eq!(finished.attempts, 2);
        assert!(clock.sleeps().is_empty());
        assert!(
            finished
                .error
                .unwrap()
                .starts_with("checked once (--timeout 0): still in progress")
        );
    }

    #[test]
    fn a_404_for_an_object_just_created_is_waited_out() {
        let clock = FakeClock::new();
        let mut watch = Steps::new(&clock, vec![None, None, Some(("Ready", Verdict::Target))]);
        watch.not_found_is_pending = true;
        let finished = session_wait(&clock, &mut watch, None, S(60));
        assert_eq!(finished.outcome, Outcome::Ready);
        assert_eq!(finished.attempts, 3);

        let mut watch = Steps::new(&clock, vec![None, Some(("Ready", Verdict::Target))]);
        let finished = session_wait(&clock, &mut watch, None, S(60));
        assert_eq!(finished.outcome, Outcome::NotFound);
    }

    #[test]
    fn the_waits_of_a_session_share_one_deadline_and_one_count() {
        let clock = FakeClock::new();
        let mut jitter = FixedJitter::new(&[0.0]);
        let mut session = Session::start(policy(S(10)), &clock, &mut jitter);
        let mut first = Steps::new(
            &clock,
            vec![
                Some(("Pending", Verdict::Pending)),
                Some(("Ready", Verdict::Target)),
            ],
        );
        let finished = session.wait(&mut first, None, &mut Recorder::default());
        assert_eq!(finished.outcome, Outcome::Ready);
        assert_eq!(finished.elapsed, MS(2_200));
        let mut second = Steps::new(&clock, vec![Some(("Pending", Verdict::Pending))]);
        let finished = session.wait(&mut second, None, &mut Recorder::default());
        // The second wait gets what is left of the 10 s, and its backoff
        // starts again at the first interval.
        assert_eq!(finished.outcome, Outcome::Timeout);
        assert_eq!(finished.elapsed, MS(9_900));
        assert_eq!(session.attempts(), 2 + finished.attempts);
        assert_eq!(
            finished.error.as_deref(),
            Some(&*format!(
                "deadline of 10s passed after {} attempts; last status: Pending",
                session.attempts()
            ))
        );
        assert_eq!(clock.sleeps()[1], S(2));
    }

    #[test]
    fn a_failed_answer_ends_with_the_watch_s_own_words() {
        let clock = FakeClock::new();
        let mut watch = Steps::new(&clock, vec![Some(("Broken", Verdict::Failed))]);
        let finished = session_wait(&clock, &mut watch, None, S(60));
        assert_eq!(finished.outcome, Outcome::Failed);
        assert_eq!(finished.error.as_deref(), Some("Broken failed"));
    }
}
