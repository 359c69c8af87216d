//! Time and randomness, the two inputs that make waiting hard to test.
//!
//! The wait loop never calls `Instant::now`, `SystemTime::now`,
//! `thread::sleep` or a random number generator directly: it goes through
//! [`Clock`] and [`Jitter`], so unit tests pass [`FakeClock`] and
//! [`FixedJitter`] and assert exact delays (and ages, and generated names)
//! without waiting. This module owns no policy; the schedule lives in
//! `schedule.rs`.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant, SystemTime};

use crate::cancel::Cancellation;

/// Why a [`Clock::sleep`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// The whole duration passed.
    Elapsed,
    /// The run was cancelled (SIGINT/SIGTERM) before the duration passed.
    Cancelled,
}

/// A monotonic clock that can sleep and be interrupted, and the calendar.
pub trait Clock {
    /// The current instant.
    fn now(&self) -> Instant;
    /// The current calendar time (a backup's age, a generated name).
    fn wall(&self) -> SystemTime;
    /// Sleeps for `duration`, returning early if the run is cancelled.
    fn sleep(&self, duration: Duration) -> Wake;
    /// Whether the run has been cancelled.
    fn is_cancelled(&self) -> bool;
}

/// The real clock. Sleeping waits on the cancellation token, so a signal
/// wakes the wait loop at once instead of after the current backoff.
pub struct SystemClock {
    cancellation: Cancellation,
}

impl SystemClock {
    /// A clock whose sleeps end early when `cancellation` fires.
    pub fn new(cancellation: Cancellation) -> Self {
        SystemClock { cancellation }
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep(&self, duration: Duration) -> Wake {
        if self.cancellation.wait_timeout(duration) {
            Wake::Cancelled
        } else {
            Wake::Elapsed
        }
    }

    fn is_cancelled(&self) -> bool {
        self.cancellation.is_cancelled()
    }
}

/// A clock for tests: time moves only when someone sleeps or calls
/// [`FakeClock::advance`], and every sleep is recorded.
pub struct FakeClock {
    start: Instant,
    wall_start: Cell<SystemTime>,
    offset: Cell<Duration>,
    sleeps: RefCell<Vec<Duration>>,
    cancel_at: Cell<Option<Duration>>,
}

impl Default for FakeClock {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeClock {
    /// A clock at offset zero with no recorded sleeps.
    pub fn new() -> Self {
        FakeClock {
            start: Instant::now(),
            wall_start: Cell::new(SystemTime::UNIX_EPOCH + FAKE_WALL_START),
            offset: Cell::new(Duration::ZERO),
            sleeps: RefCell::new(Vec::new()),
            cancel_at: Cell::new(None),
        }
    }

    /// Moves time forward, as a slow request would.
    pub fn advance(&self, by: Duration) {
        self.offset.set(self.offset.get() + by);
    }

    /// Time since the clock was made.
    pub fn elapsed(&self) -> Duration {
        self.offset.get()
    }

    /// Every sleep requested so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.borrow().clone()
    }

    /// Sets the calendar time at offset zero (default: 2026-03-20T14:30:00Z).
    pub fn set_wall_start(&self, wall: SystemTime) {
        self.wall_start.set(wall);
    }

    /// Simulates a signal arriving once `at` has elapsed.
    pub fn cancel_at(&self, at: Duration) {
        self.cancel_at.set(Some(at));
    }
}

/// A fake clock's calendar time at offset zero, since the Unix epoch:
/// 2026-03-20T14:30:00Z.
pub const FAKE_WALL_START: Duration = Duration::from_secs(1_774_017_000);

impl Clock for FakeClock {
    fn now(&self) -> Instant {
        self.start + self.offset.get()
    }

    fn wall(&self) -> SystemTime {
        self.wall_start.get() + self.offset.get()
    }

    fn sleep(&self, duration: Duration) -> Wake {
        self.sleeps.borrow_mut().push(duration);
        match self.cancel_at.get() {
            Some(at) if self.offset.get() + duration >= at => {
                self.offset.set(at.max(self.offset.get()));
                Wake::Cancelled
            }
            _ => {
                self.advance(duration);
                Wake::Elapsed
            }
        }
    }

    fn is_cancelled(&self) -> bool {
        self.cancel_at
            .get()
            .is_some_and(|at| self.offset.get() >= at)
    }
}

/// A source of numbers uniformly spread over `[0, 1)`, used to jitter delays.
pub trait Jitter {
    /// The next number in `[0, 1)`.
    fn next_unit(&mut self) -> f64;
}

/// SplitMix64, seeded from the operating system. Jitter needs spread, not
/// secrecy, and eight lines beat a dependency.
pub struct SystemJitter {
    state: u64,
}

impl SystemJitter {
    /// A generator seeded from the operating system's random source.
    pub fn from_entropy() -> Self {
        let mut seed = [0u8; 8];
        // Falling back to the clock only costs spread, never correctness.
        if getrandom::getrandom(&mut seed).is_err() {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0x9E37_79B9_7F4A_7C15);
            seed = nanos.to_le_bytes();
        }
        Self::from_seed(u64::from_le_bytes(seed))
    }

    /// A generator that repeats the same sequence for the same seed.
    pub fn from_seed(seed: u64) -> Self {
        SystemJitter { state: seed }
    }

    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        (self.next_unit() * f64::from(u32::MAX)) as u32
    }
}

impl Jitter for SystemJitter {
    fn next_unit(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // The top 53 bits fill an f64 mantissa exactly, so the result is < 1.
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Jitter for tests: returns the given values in turn, repeating the last.
pub struct FixedJitter {
    values: Vec<f64>,
    next: usize,
}

impl FixedJitter {
    /// Cycles through `values`, then repeats the last one forever.
    pub fn new(values: &[f64]) -> Self {
        assert!(!values.is_empty(), "FixedJitter needs at least one value");
        FixedJitter {
            values: values.to_vec(),
            next: 0,
        }
    }
}

impl Jitter for FixedJitter {
    fn next_unit(&mut self) -> f64 {
        let value = self.values[self.next.min(self.values.len() - 1)];
        self.next += 1;
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_jitter_stays_in_unit_interval_and_repeats_for_a_seed() {
        let mut a = SystemJitter::from_seed(42);
        let mut b = SystemJitter::from_seed(42);
        for _ in 0..10_000 {
            let x = a.next_unit();
            assert!((0.0..1.0).contains(&x), "{x} outside [0, 1)");
            assert_eq!(x, b.next_unit());
        }
    }

    #[test]
    fn system_jitter_spreads_over_the_interval() {
        let mut jitter = SystemJitter::from_seed(7);
        let mut buckets = [0u32; 10];
        for _ in 0..10_000 {
            buckets[(jitter.next_unit() * 10.0) as usize] += 1;
        }
        for (i, count) in buckets.iter().enumerate() {
            assert!((800..1200).contains(count), "bucket {i} has {count}");
        }
    }

    #[test]
    fn fake_clock_records_sleeps_and_stops_at_cancellation() {
        let clock = FakeClock::new();
        assert_eq!(clock.sleep(Duration::from_secs(2)), Wake::Elapsed);
        clock.cancel_at(Duration::from_secs(3));
        assert!(!clock.is_cancelled());
        assert_eq!(clock.sleep(Duration::from_secs(5)), Wake::Cancelled);
        assert_eq!(clock.elapsed(), Duration::from_secs(3));
        assert!(clock.is_cancelled());
        assert_eq!(
            clock.sleeps(),
            vec![Duration::from_secs(2), Duration::from_secs(5)]
        );
    }
}
