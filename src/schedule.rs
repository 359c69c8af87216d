//! When to ask again: pure delay maths, no clock and no sleeping.
//!
//! Delay `n` (counting from 0) is drawn uniformly from
//! `[max(initial, ceiling / 2), ceiling]` where
//! `ceiling = min(max, initial * multiplier^n)`: equal jitter with a floor.
//! A fleet of waiters never synchronises, nobody asks faster than
//! `initial`, and a delay at the cap averages three quarters of `max`
//! rather than half of it, which keeps long waits within the request budget
//! (docs/benchmarks.md). A `Retry-After` from the server raises the delay.
//!
//! The deadline is used in full: the last attempt starts one "final window"
//! before it, so that it can still finish in time. The window is the slowest
//! answered request so far plus a margin, capped by the request timeout. The
//! delay before that last attempt is the only one that may be shorter than
//! `initial`; after it the waiter gives up. A zero timeout is a single check.
//!
//! This module decides; `wait.rs` acts. Every branch is tested exactly with
//! fixed jitter values and made-up instants.

use std::time::{Duration, Instant};

/// The least margin added to the slowest request to size the final window:
/// room for scheduling noise on a busy runner.
const FINAL_MARGIN_MIN: Duration = Duration::from_millis(100);

/// The most margin: a slow API must not make the waiter give up seconds
/// before its deadline.
const FINAL_MARGIN_MAX: Duration = Duration::from_secs(1);

/// The hard end of the run. Nothing is started after it and nothing waits past it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    start: Instant,
    at: Instant,
}

impl Deadline {
    /// A deadline `timeout` after `start`.
    pub fn from_timeout(start: Instant, timeout: Duration) -> Self {
        Deadline {
            start,
            at: start + timeout,
        }
    }

    /// When the run started.
    pub fn start(&self) -> Instant {
        self.start
    }

    /// Time left at `now`, zero once passed.
    pub fn remaining(&self, now: Instant) -> Duration {
        self.at.saturating_duration_since(now)
    }

    /// A zero timeout: exactly one check, whatever it answers (as
    /// `kubectl wait --timeout=0`).
    pub fn is_single_check(&self) -> bool {
        self.at == self.start
    }

    /// The instant `window` before the deadline, but never before the start.
    fn before_by(&self, window: Duration) -> Instant {
        self.at
            .checked_sub(window)
            .map_or(self.start, |instant| instant.max(self.start))
    }
}

/// The backoff parameters, already validated by `config`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    initial: Duration,
    max: Duration,
    multiplier: f64,
    request_timeout: Duration,
}

/// What to do after an attempt that did not settle the wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Sleep this long, then ask again.
    RetryIn(Duration),
    /// Ask again at once: the attempt was one step of an answer that takes
    /// several requests (a page of a list). Never chosen by the schedule;
    /// the wait loop uses it when what it watches says so.
    Now,
    /// Stop: no further attempt could finish before the deadline.
    GiveUp(GiveUp),
}

/// Why the waiter stopped asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUp {
    /// The deadline passed, or the last attempt it allowed has been made.
    DeadlinePassed,
    /// `--timeout 0`: the one check has been made.
    SingleCheck,
    /// The server asked us to wait longer than the time left.
    RetryAfterBeyondDeadline {
        /// What the server asked for.
        retry_after: Duration,
        /// What was left of the deadline.
        remaining: Duration,
    },
}

/// What the schedule needs to know about the attempt that just ended.
#[derive(Debug, Clone, Copy)]
pub struct AttemptEnd {
    /// How many delays came before this one (0 after the first attempt).
    pub delays_so_far: u32,
    /// A jitter sample in `[0, 1)`.
    pub jitter: f64,
    /// The server's `Retry-After`, if it sent one.
    pub retry_after: Option<Duration>,
    /// When the attempt that just ended was started.
    pub started: Instant,
    /// Now.
    pub now: Instant,
    /// The longest an answered attempt has taken so far, this one included.
    /// Attempts cut by their own timeout are left out: they show that the
    /// server may not answer at all, not how long an answer takes, and one
    /// hung request must not make the waiter give up long before its
    /// deadline.
    pub slowest: Duration,
}

impl Schedule {
    /// Builds a schedule. Callers guarantee `0 < initial <= max` and
    /// `multiplier >= 1`; `config.rs` checks both before any request.
    pub fn new(
        initial: Duration,
        max: Duration,
        multiplier: f64,
        request_timeout: Duration,
    ) -> Self {
        Schedule {
            initial,
            max,
            multiplier,
            request_timeout,
        }
    }

    /// The jittered delay before attempt `n + 1`, ignoring any deadline.
    pub fn backoff(&self, delays_so_far: u32, jitter: f64) -> Duration {
        let initial = self.initial.as_secs_f64();
        // powi saturates to infinity rather than overflowing; min() tames it.
        let exponent = i32::try_from(delays_so_far).unwrap_or(i32::MAX);
        let ceiling = (initial * self.multiplier.powi(exponent)).min(self.max.as_secs_f64());
        let low = initial.max(ceiling / 2.0);
        let jitter = jitter.clamp(0.0, 1.0);
        Duration::from_secs_f64(low + jitter * (ceiling - low).max(0.0))
    }

    /// How long before the deadline the last attempt starts, given the
    /// slowest request so far: that request's time plus a margin (half of
    /// it, within 100 ms..1 s), never more than the request timeout, which
    /// bounds any request anyway.
    pub fn final_window(&self, slowest: Duration) -> Duration {
        let margin = (slowest / 2).clamp(FINAL_MARGIN_MIN, FINAL_MARGIN_MAX);
        slowest.saturating_add(margin).min(self.request_timeout)
    }

    /// Decides what follows an unsettled attempt.
    pub fn next(&self, attempt: AttemptEnd, deadline: &Deadline) -> Next {
        if deadline.is_single_check() {
            return Next::GiveUp(GiveUp::SingleCheck);
        }
        let remaining = deadline.remaining(attempt.now);
        if remaining.is_zero() {
            return Next::GiveUp(GiveUp::DeadlinePassed);
        }
        if let Some(retry_after) = attempt.retry_after
            && retry_after >= remaining
        {
            return Next::GiveUp(GiveUp::RetryAfterBeyondDeadline {
                retry_after,
                remaining,
            });
        }
        // The slowest request only grows, so the final window only widens
        // and this instant only moves earlier: once an attempt has started
        // inside the window, every later decision lands here.
        let final_attempt_at = deadline.before_by(self.final_window(attempt.slowest));
        if attempt.started >= final_attempt_at {
            return Next::GiveUp(GiveUp::DeadlinePassed);
        }
        let floor = attempt.retry_after.unwrap_or(Duration::ZERO);
        let wanted = self
            .backoff(attempt.delays_so_far, attempt.jitter)
            .max(floor);
        let until_final = final_attempt_at.saturating_duration_since(attempt.now);
        // Too late for a regular attempt: make the last one at the start of
        // the final window (the one delay that may undercut `initial`),
        // unless the server asked for more patience than that.
        Next::RetryIn(wanted.min(until_final.max(floor)))
    }

    /// Makes sure an attempt is made at `limit`, when `next` would sleep
    /// past it: the delay is cut so that the next attempt starts at `limit`,
    /// or one initial interval from now if that is later (this cut never
    /// undercuts `initial`). Used to give an unresolvable host its last try
    /// at the end of the time it is allowed.
    pub fn attempt_by(&self, next: Next, now: Instant, limit: Instant) -> Next {
        match next {
            Next::RetryIn(delay) if now + delay > limit => {
                let until_limit = limit.saturating_duration_since(now);
                Next::RetryIn(delay.min(until_limit.max(self.initial)))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;
    const MS: fn(u64) -> Duration = Duration::from_millis;

    fn defaults() -> Schedule {
        Schedule::new(S(2), S(60), 3.0, S(30))
    }

    /// An attempt that started and ended at `at`, after requests of 100 ms.
    fn end(start: Instant, delays_so_far: u32, jitter: f64, at: Duration) -> AttemptEnd {
        AttemptEnd {
            delays_so_far,
            jitter,
            retry_after: None,
            started: start + at,
            now: start + at,
            slowest: MS(100),
        }
    }

    #[test]
    fn first_delay_is_exactly_the_initial_interval() {
        assert_eq!(defaults().backoff(0, 0.0), S(2));
        assert_eq!(defaults().backoff(0, 0.999), S(2));
    }

    #[test]
    fn delay_is_drawn_between_half_the_ceiling_and_the_ceiling() {
        let schedule = defaults();
        // n = 1: ceiling 6, drawn in [3, 6].
        assert_eq!(schedule.backoff(1, 0.0), S(3));
        assert_eq!(schedule.backoff(1, 0.5), MS(4500));
        assert_eq!(schedule.backoff(1, 1.0), S(6));
        // n = 2: ceiling 18, drawn in [9, 18].
        assert_eq!(schedule.backoff(2, 0.0), S(9));
        assert_eq!(schedule.backoff(2, 0.5), MS(13_500));
    }

    #[test]
    fn the_initial_interval_stays_the_floor_when_half_the_ceiling_is_below_it() {
        let schedule = Schedule::new(S(2), S(60), 1.5, S(30));
        // n = 1: ceiling 3, half of it 1.5 < 2: drawn in [2, 3].
        assert_eq!(schedule.backoff(1, 0.0), S(2));
        assert_eq!(schedule.backoff(1, 1.0), S(3));
    }

    #[test]
    fn ceiling_is_capped_at_max_interval_even_for_huge_exponents() {
        let schedule = defaults();
        // n = 4: 2 * 81 = 162 > 60: drawn in [30, 60].
        assert_eq!(schedule.backoff(4, 0.0), S(30));
        assert_eq!(schedule.backoff(4, 1.0), S(60));
        assert_eq!(schedule.backoff(10_000, 1.0), S(60));
        assert_eq!(schedule.backoff(u32::MAX, 0.5), S(45));
    }

    #[test]
    fn multiplier_of_one_gives_a_fixed_interval() {
        let schedule = Schedule::new(S(10), S(60), 1.0, S(30));
        for n in 0..20 {
            assert_eq!(schedule.backoff(n, 0.7), S(10));
        }
    }

    #[test]
    fn default_schedule_reaches_the_cap_after_four_delays() {
        // initial 2 s x3: ceilings 2, 6, 18, 54, 60, 60...
        let schedule = defaults();
        let ceilings: Vec<u64> = (0..6).map(|n| schedule.backoff(n, 1.0).as_secs()).collect();
        assert_eq!(ceilings, vec![2, 6, 18, 54, 60, 60]);
        let floors: Vec<u64> = (0..6).map(|n| schedule.backoff(n, 0.0).as_secs()).collect();
        assert_eq!(floors, vec![2, 3, 9, 27, 30, 30]);
    }

    /// Requests and detection delay for a backup Ready after `wait`, with
    /// zero request latency: the model of `bench/report.py` (`simulate`).
    fn simulate(schedule: &Schedule, wait: Duration, seed: u64) -> (u32, Duration) {
        use crate::clock::{Jitter, SystemJitter};
        let mut jitter = SystemJitter::from_seed(seed);
        let (mut at, mut requests, mut n) = (Duration::ZERO, 1, 0);
        while at < wait {
            at += schedule.backoff(n, jitter.next_unit());
            requests += 1;
            n += 1;
        }
        (requests, at - wait)
    }

    #[test]
    fn default_schedule_meets_the_request_budget_on_every_seed() {
        // docs/benchmarks.md: fewer than a third of the requests of a fixed
        // 10 s loop (61 at 10 min, 1801 at 5 h), Ready noticed within
        // --max-interval.
        let schedule = defaults();
        for seed in 1..=1000 {
            let (requests, delay) = simulate(&schedule, S(600), seed);
            assert!(requests * 3 < 61, "seed {seed}: {requests} at 10 min");
            assert!(delay <= S(60), "seed {seed}: {delay:?}");
            let (requests, delay) = simulate(&schedule, S(5 * 3600), seed);
            assert!(requests * 3 < 1801, "seed {seed}: {requests} at 5 h");
            assert!(delay <= S(60), "seed {seed}: {delay:?}");
        }
        // bench/report.py predicts the same counts for the benchmark's seeds.
        let counts = |wait| -> Vec<u32> {
            (1..=5)
                .map(|seed| simulate(&schedule, wait, seed).0)
                .collect()
        };
        assert_eq!(counts(S(600)), vec![17, 17, 17, 17, 17]);
        assert_eq!(counts(S(5 * 3600)), vec![407, 408, 406, 405, 402]);
    }

    #[test]
    fn final_window_is_the_slowest_answer_plus_a_bounded_margin() {
        let schedule = defaults();
        assert_eq!(schedule.final_window(Duration::ZERO), MS(100));
        assert_eq!(schedule.final_window(MS(100)), MS(200));
        assert_eq!(schedule.final_window(MS(600)), MS(900));
        assert_eq!(schedule.final_window(S(1)), MS(1500));
        assert_eq!(schedule.final_window(S(4)), S(5));
        // Capped by the request timeout, which bounds every request anyway.
        assert_eq!(schedule.final_window(S(40)), S(30));
        let short = Schedule::new(S(2), S(60), 3.0, MS(150));
        assert_eq!(short.final_window(MS(100)), MS(150));
    }

    #[test]
    fn retries_with_the_backoff_when_far_from_the_deadline() {
        let start = Instant::now();
        let deadline = Deadline::from_timeout(start, S(1800));
        let next = defaults().next(end(start, 2, 0.5, S(10)), &deadline);
        assert_eq!(next, Next::RetryIn(MS(13_500))); // [9, 18] at 0.5
    }

    #[test]
    fn retry_after_raises_the_delay_but_never_lowers_it() {
        let start = Instant::now();
        let deadline = Deadline::from_timeout(start, S(1800));
        let mut attempt = end(start, 0, 0.0, S(0));
        attempt.retry_after = Some(S(7));
        assert_eq!(defaults().next(attempt, &deadline), Next::RetryIn(S(7)));
        attempt.retry_after = Some(S(1));
        assert_eq!(defaults().next(attempt, &deadline), Next::RetryIn(S(2)));
    }

    #[test]
    fn the_last_attempt_starts_one_final_window_before_the_deadline() {
        let start = Instant::now();
        let deadline = Deadline::from_timeout(start, S(100));
        // Backoff would be 60 s at t=90; requests took 100 ms, so the window
        // is 200 ms and the final attempt goes at t=99.8.
        let next = defaults().next(end(start, 10, 1.0, S(90)), &deadline);
        assert_eq!(next, Next::RetryIn(MS(9_800)));
    }

    #[test]
    fn the_final_window_grows_with_the_slowest_answer() {
        let start = Instant::now();
        let deadline = Deadline::from_timeout(start, S(100));
        let mut attempt = end(start, 10, 1.0, S(90));
        attempt.slowest = S(2); // window 3 s: final attempt at t=97
        assert_eq!(defaults().next(attempt, &deadline), Next::RetryIn(S(7)));
    }

    #[test]
    fn the_reported_reproductions_use_the_whole_timeout() {
        // --timeout 10s --initial-interval 4s --max-interval 4s used to stop
        // at 6 s; with 10 ms requests the last check now starts at 9.89 s.
        let start = Instant::now();
        let schedule = Schedule::new(S(4), S(4), 3.0, S(30));
        let deadline = Deadline::from_timeout(start, S(10));
        let mut attempt = end(start, 2, 0.5, MS(8_020));
        attempt.started = start + MS(8_010);
        attempt.slowest = MS(10);
        assert_eq!(schedule.next(attempt, &deadline), Next::RetryIn(MS(1_870)));
        attempt.started = start + MS(9_890);
        attempt.now = start + MS(9_900);
        assert_eq!(
            schedule.next(attempt, &deadline),
            Next::GiveUp(GiveUp::DeadlinePassed)
        );
        // --timeout 1s with the default 2 s interval used to give up after
        // the first check; now the second one starts at 890 ms.
        let deadline = Deadline::from_timeout(start, S(1));
        let mut first = end(start, 0, 0.0, MS(10));
        first.started = start;
        first.slowest = MS(10);
        assert_eq!(defaults().next(first, &deadline), Next::RetryIn(MS(880)));
    }

    #[test]
    fn gives_up_after_the_attempt_made_in_the_final_window() {
        let start = Instant::now();
        let deadline = Deadline::from_timeout(start, S(100));
        let mut attempt = end(start, 3, 0.0, MS(99_900));
        attempt.started = start + MS(99_800);
        assert_eq!(
            defaults().next(attempt, &deadline),
            Next::GiveUp(GiveUp::DeadlinePassed)
        );
    }

    #[test]
    fn a_slow_final_attempt_widens_the_window_and_still_ends_the_wait() {
        // The final attempt started at 99.8 s and took 150 ms: the window is
        // now 250 ms, which still contains its start, so no second final
        // attempt follows.
        let start = Instant::now();
        let deadline = Deadline::from_timeout(start, S(100));
        let mut attempt = end(start, 3, 0.0, MS(99_950));
        attempt.started = start + MS(99_800);
        attempt.slowest = MS(150);
        assert_eq!(
            defaults().next(attempt, &deadline),
            Next::GiveUp(GiveUp::DeadlinePassed)
        );
    }

    #[test]
    fn a_slow_attempt_that_ends_inside_the_final_window_gets_one_last_try_at_once() {
        let start = Instant::now();
        let deadline = Deadline::from_timeout(start, S(100));
        // Started at 98 s, before the window (1.5 s for a 1 s answer) that
        // opened at 98.5 s; ended at 99 s.
        let mut attempt = end(start, 3, 0.0, S(99));
        attempt.started = start + S(98);
        attempt.slowest = S(1);
        assert_eq!(
            defaults().next(attempt, &deadline),
            Next::RetryIn(Duration::ZERO)
        );
    }

    #[test]
    fn gives_up_at_once_when_the_deadline_has_passed() {
        let start = Instant::now();
        let deadline = Deadline::from_timeout(start, S(10));
        let next = defaults().next(end(start, 0, 0.0, S(11)), &deadline);
        assert_eq!(next, Next::GiveUp(GiveUp::DeadlinePassed));
    }

    #[test]
    fn a_zero_timeout_is_a_single_check() {
        let start = Instant::now();
        let deadline = Deadline::from_timeout(start, Duration::ZERO);
        assert!(deadline.is_single_check());
        assert!(!Deadline::from_timeout(start, MS(1)).is_single_check());
        let mut attempt = end(start, 0, 0.0, MS(100));
        attempt.started = start;
        attempt.retry_after = Some(S(5));
        assert_eq!(
            defaults().next(attempt, &deadline),
            Next::GiveUp(GiveUp::SingleCheck)
        );
    }

    #[test]
    fn retry_after_beyond_the_deadline_means_no_further_request() {
        let start = Instant::now();
        let deadline = Deadline::from_timeout(start, S(60));
        let mut attempt = end(start, 0, 0.0, S(30));
        attempt.retry_after = Some(S(3600));
        assert_eq!(
            defaults().next(attempt, &deadline),
            Next::GiveUp(GiveUp::RetryAfterBeyondDeadline {
                retry_after: S(3600),
                remaining: S(30),
            })
        );
    }

    #[test]
    fn retry_after_inside_the_final_window_is_still_honoured() {
        let start = Instant::now();
        let deadline = Deadline::from_timeout(start, S(100));
        let mut attempt = end(start, 0, 0.0, S(97));
        attempt.started = start + S(90);
        attempt.retry_after = Some(MS(2_900)); // final window opens at 99.8
        assert_eq!(
            defaults().next(attempt, &deadline),
            Next::RetryIn(MS(2_900))
        );
    }

    #[test]
    fn a_timeout_shorter_than_the_first_interval_still_gets_a_last_check() {
        let start = Instant::now();
        let deadline = Deadline::from_timeout(start, MS(500));
        let mut attempt = end(start, 0, 0.0, MS(5));
        attempt.started = start;
        attempt.slowest = MS(5);
        // Window 105 ms: the last check starts at 395 ms.
        assert_eq!(defaults().next(attempt, &deadline), Next::RetryIn(MS(390)));
    }

    #[test]
    fn a_timeout_shorter_than_the_final_window_allows_exactly_one_attempt() {
        let start = Instant::now();
        let deadline = Deadline::from_timeout(start, MS(150));
        let mut attempt = end(start, 0, 0.0, MS(60));
        attempt.started = start;
        attempt.slowest = MS(60);
        assert_eq!(
            defaults().next(attempt, &deadline),
            Next::GiveUp(GiveUp::DeadlinePassed)
        );
    }

    #[test]
    fn final_window_is_the_request_timeout_when_that_is_shorter() {
        let start = Instant::now();
        let schedule = Schedule::new(S(10), S(60), 3.0, S(1));
        let deadline = Deadline::from_timeout(start, S(100));
        let mut attempt = end(start, 0, 0.0, S(95));
        attempt.slowest = S(3); // 4.5 s, capped at 1 s
        assert_eq!(schedule.next(attempt, &deadline), Next::RetryIn(S(4)));
    }

    #[test]
    fn attempt_by_cuts_a_delay_that_would_sleep_past_the_limit() {
        let start = Instant::now();
        let schedule = defaults();
        let limit = start + S(60);
        // Far from the limit: unchanged.
        assert_eq!(
            schedule.attempt_by(Next::RetryIn(S(30)), start + S(20), limit),
            Next::RetryIn(S(30))
        );
        // Would land at 80 s: cut to land at 60 s.
        assert_eq!(
            schedule.attempt_by(Next::RetryIn(S(30)), start + S(50), limit),
            Next::RetryIn(S(10))
        );
        // Never below the initial interval: lands at 61 s instead.
        assert_eq!(
            schedule.attempt_by(Next::RetryIn(S(30)), start + S(59), limit),
            Next::RetryIn(S(2))
        );
        // Giving up stays giving up.
        let give_up = Next::GiveUp(GiveUp::DeadlinePassed);
        assert_eq!(schedule.attempt_by(give_up, start + S(59), limit), give_up);
    }
}
