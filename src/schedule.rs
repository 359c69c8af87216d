//! When to ask again: pure delay maths, no clock and no sleeping.
//!
//! Delay `n` (counting from 0) is drawn uniformly from
//! `[initial, min(max, initial * multiplier^n)]`: full jitter with a floor,
//! so a fleet of waiters never synchronises and never hammers the API faster
//! than `initial`. A `Retry-After` from the server raises the delay; the
//! deadline clips it. When less than one "final window"
//! (`min(initial, request timeout)`) remains, one last attempt is made so that
//! it can still finish before the deadline, and then the waiter gives up.
//!
//! This module decides; `poller.rs` acts. Every branch is tested exactly with
//! fixed jitter values.

use std::time::{Duration, Instant};

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
    final_window: Duration,
}

/// What to do after an attempt that did not settle the wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Sleep this long, then ask again.
    RetryIn(Duration),
    /// Stop: no further attempt could finish before the deadline.
    GiveUp(GiveUp),
}

/// Why the waiter stopped asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUp {
    /// The deadline passed, or the last attempt it allowed has been made.
    DeadlinePassed,
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
            final_window: initial.min(request_timeout),
        }
    }

    /// The jittered delay before attempt `n + 1`, ignoring any deadline.
    pub fn backoff(&self, delays_so_far: u32, jitter: f64) -> Duration {
        let initial = self.initial.as_secs_f64();
        // powi saturates to infinity rather than overflowing; min() tames it.
        let exponent = i32::try_from(delays_so_far).unwrap_or(i32::MAX);
        let ceiling = (initial * self.multiplier.powi(exponent)).min(self.max.as_secs_f64());
        let jitter = jitter.clamp(0.0, 1.0);
        Duration::from_secs_f64(initial + jitter * (ceiling - initial).max(0.0))
    }

    /// Decides what follows an unsettled attempt.
    pub fn next(&self, attempt: AttemptEnd, deadline: &Deadline) -> Next {
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
        let final_attempt_at = deadline.before_by(self.final_window);
        if attempt.started >= final_attempt_at {
            return Next::GiveUp(GiveUp::DeadlinePassed);
        }
        let floor = attempt.retry_after.unwrap_or(Duration::ZERO);
        let wanted = self
            .backoff(attempt.delays_so_far, attempt.jitter)
            .max(floor);
        let until_final = final_attempt_at.saturating_duration_since(attempt.now);
        // Too late for a regular attempt: make the last one in the final
        // window, unless the server asked for more patience than that.
        Next::RetryIn(wanted.min(until_final.max(floor)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    fn defaults() -> Schedule {
        Schedule::new(S(2), S(60), 2.0, S(30))
    }

    fn end(start: Instant, delays_so_far: u32, jitter: f64, at: Duration) -> AttemptEnd {
        AttemptEnd {
            delays_so_far,
            jitter,
            retry_after: None,
            started: start + at,
            now: start + at,
        }
    }

    #[test]
    fn first_delay_is_exactly_the_initial_interval() {
        assert_eq!(defaults().backoff(0, 0.0), S(2));
        assert_eq!(defaults().backoff(0, 0.999), S(2));
    }

    #[test]
    fn delay_is_drawn_between_floor_and_exponential_ceiling() {
        let schedule = defaults();
        assert_eq!(schedule.backoff(1, 0.0), S(2));
        assert_eq!(schedule.backoff(1, 0.5), S(3));
        assert_eq!(schedule.backoff(3, 0.5), S(9)); // [2, 16]
        assert_eq!(schedule.backoff(3, 1.0), S(16));
    }

    #[test]
    fn ceiling_is_capped_at_max_interval_even_for_huge_exponents() {
        let schedule = defaults();
        assert_eq!(schedule.backoff(5, 1.0), S(60)); // 2 * 32 = 64 > 60
        assert_eq!(schedule.backoff(10_000, 1.0), S(60));
        assert_eq!(schedule.backoff(u32::MAX, 0.5), S(31));
    }

    #[test]
    fn multiplier_of_one_gives_a_fixed_interval() {
        let schedule = Schedule::new(S(10), S(60), 1.0, S(30));
        for n in 0..20 {
            assert_eq!(schedule.backoff(n, 0.7), S(10));
        }
    }

    #[test]
    fn retries_with_the_backoff_when_far_from_the_deadline() {
        let start = Instant::now();
        let deadline = Deadline::from_timeout(start, S(1800));
        let next = defaults().next(end(start, 2, 0.5, S(10)), &deadline);
        assert_eq!(next, Next::RetryIn(S(5))); // [2, 8] at 0.5
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
    fn delay_is_clipped_so_the_last_attempt_starts_one_window_before_the_deadline() {
        let start = Instant::now();
        let deadline = Deadline::from_timeout(start, S(100));
        // Backoff would be 60 s at t=90; the final attempt goes at t=98.
        let next = defaults().next(end(start, 10, 1.0, S(90)), &deadline);
        assert_eq!(next, Next::RetryIn(S(8)));
    }

    #[test]
    fn gives_up_after_the_attempt_made_in_the_final_window() {
        let start = Instant::now();
        let deadline = Deadline::from_timeout(start, S(100));
        let next = defaults().next(end(start, 3, 0.0, S(98)), &deadline);
        assert_eq!(next, Next::GiveUp(GiveUp::DeadlinePassed));
    }

    #[test]
    fn a_slow_attempt_that_ends_inside_the_final_window_gets_one_last_try_at_once() {
        let start = Instant::now();
        let deadline = Deadline::from_timeout(start, S(100));
        let mut attempt = end(start, 3, 0.0, S(90));
        attempt.now = start + S(99);
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
        attempt.retry_after = Some(S(2)); // final window opened at 98
        assert_eq!(defaults().next(attempt, &deadline), Next::RetryIn(S(2)));
    }

    #[test]
    fn a_timeout_shorter_than_the_window_allows_exactly_one_attempt() {
        let start = Instant::now();
        let deadline = Deadline::from_timeout(start, Duration::from_millis(500));
        let next = defaults().next(end(start, 0, 0.0, Duration::from_millis(5)), &deadline);
        assert_eq!(next, Next::GiveUp(GiveUp::DeadlinePassed));
    }

    #[test]
    fn final_window_is_the_request_timeout_when_that_is_shorter() {
        let start = Instant::now();
        let schedule = Schedule::new(S(10), S(60), 2.0, S(1));
        let deadline = Deadline::from_timeout(start, S(100));
        let next = schedule.next(end(start, 0, 0.0, S(95)), &deadline);
        assert_eq!(next, Next::RetryIn(S(4))); // last attempt at 99 s
    }

    #[test]
    fn default_schedule_reaches_the_cap_after_five_delays() {
        // initial 2 s x2: ceilings 2, 4, 8, 16, 32, 60, 60...
        let schedule = defaults();
        let ceilings: Vec<u64> = (0..7).map(|n| schedule.backoff(n, 1.0).as_secs()).collect();
        assert_eq!(ceilings, vec![2, 4, 8, 16, 32, 60, 60]);
    }
}
