//! Time in the fake world: the server's clock (running, scaled or frozen,
//! always moved on by hand when a test says so) and the timelines objects
//! follow from the moment they are created. Knows nothing of HTTP.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// What an object looks like from some time after its creation on: a list
/// of steps, the first at zero. `at(elapsed)` is the last step whose offset
/// has passed.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline<T> {
    steps: Vec<(Duration, T)>,
}

impl<T: Clone> Timeline<T> {
    /// Starts in `first` and stays there until a later step.
    pub fn starting(first: impl Into<T>) -> Timeline<T> {
        Timeline {
            steps: vec![(Duration::ZERO, first.into())],
        }
    }

    /// One step forever.
    pub fn fixed(only: impl Into<T>) -> Timeline<T> {
        Timeline::starting(only)
    }

    /// Adds a step reached `after` the object's creation. Steps must come
    /// in order of time.
    pub fn then(mut self, after: Duration, next: impl Into<T>) -> Timeline<T> {
        let last = self.steps.last().map_or(Duration::ZERO, |(at, _)| *at);
        assert!(after >= last, "timeline steps must be in order of time");
        self.steps.push((after, next.into()));
        self
    }

    /// The step in force `elapsed` after creation.
    pub fn at(&self, elapsed: Duration) -> &T {
        &self
            .steps
            .iter()
            .rev()
            .find(|(at, _)| *at <= elapsed)
            .unwrap_or(&self.steps[0])
            .1
    }

    /// When the first step satisfying `is` begins, if any does.
    pub fn first_time(&self, is: impl Fn(&T) -> bool) -> Option<Duration> {
        self.steps
            .iter()
            .find(|(_, step)| is(step))
            .map(|(at, _)| *at)
    }

    /// The steps, in order.
    pub fn steps(&self) -> &[(Duration, T)] {
        &self.steps
    }
}

impl Timeline<String> {
    /// A backup made by a create: `Initializing`, `Pending` from half of
    /// `after`, then `final_status` (such as `Ready` or `Failed`) from `after`.
    pub fn backup(after: Duration, final_status: &str) -> Timeline<String> {
        Timeline::starting("Initializing")
            .then(after / 2, "Pending")
            .then(after, final_status)
    }
}

impl Timeline<JobStep> {
    /// A restore job: `Pending` at 0 %, `InProgress` at 50 % from half of
    /// `after`, then `final_status` from `after` (100 % when `Completed`,
    /// progress kept at 50 % when `Failed` or `Cancelled`).
    pub fn restore(after: Duration, final_status: &str) -> Timeline<JobStep> {
        let percent = if final_status == "Completed" {
            100.0
        } else {
            50.0
        };
        Timeline::starting(("Pending", 0.0))
            .then(after / 2, ("InProgress", 50.0))
            .then(after, (final_status, percent))
    }
}

impl Timeline<IndexState> {
    /// An index: `Initializing` (not ready), then `final_state` from `after`
    /// (`Ready` is ready; anything else is not).
    pub fn index(after: Duration, final_state: &str) -> Timeline<IndexState> {
        Timeline::starting("Initializing").then(after, final_state)
    }
}

/// One step of a restore job: its status and its progress in percent.
#[derive(Debug, Clone, PartialEq)]
pub struct JobStep {
    /// `Pending`, `InProgress`, `Running`, `Completed`, `Failed`, `Cancelled`…
    pub status: String,
    /// Progress out of 100.
    pub percent: f64,
}

impl JobStep {
    /// `Completed`, `Failed` or `Cancelled`: the job has ended.
    pub fn is_terminal(&self) -> bool {
        matches!(self.status.as_str(), "Completed" | "Failed" | "Cancelled")
    }
}

impl From<(&str, f64)> for JobStep {
    fn from((status, percent): (&str, f64)) -> JobStep {
        JobStep {
            status: status.to_owned(),
            percent,
        }
    }
}

/// One step of an index: `status.state` and `status.ready` of the IndexModel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexState {
    /// `Initializing`, `Ready`, `InitializationFailed`, `Terminating`…
    pub state: String,
    /// Whether the index is ready for use.
    pub ready: bool,
}

impl From<&str> for IndexState {
    /// Ready exactly when the state is `Ready`.
    fn from(state: &str) -> IndexState {
        IndexState {
            state: state.to_owned(),
            ready: state == "Ready",
        }
    }
}

impl From<(&str, bool)> for IndexState {
    fn from((state, ready): (&str, bool)) -> IndexState {
        IndexState {
            state: state.to_owned(),
            ready,
        }
    }
}

/// The server's clock: world time since the world started. It runs with
/// real time times a scale (1 by default), can be frozen, and can be moved
/// forward by hand; changing any of that keeps world time continuous.
#[derive(Debug, Clone)]
pub(crate) struct WorldClock {
    /// World time when `since` was taken.
    base: Duration,
    /// `None` while frozen.
    since: Option<Instant>,
    scale: f64,
    /// Wall time at world time zero, for `created_at` and friends.
    epoch: SystemTime,
}

impl WorldClock {
    pub(crate) fn start() -> WorldClock {
        WorldClock {
            base: Duration::ZERO,
            since: Some(Instant::now()),
            scale: 1.0,
            epoch: SystemTime::now(),
        }
    }

    pub(crate) fn now(&self) -> Duration {
        match self.since {
            Some(since) => self.base + since.elapsed().mul_f64(self.scale),
            None => self.base,
        }
    }

    pub(crate) fn wall(&self, at: Duration) -> SystemTime {
        self.epoch + at
    }

    pub(crate) fn freeze(&mut self) {
        self.base = self.now();
        self.since = None;
    }

    pub(crate) fn resume(&mut self) {
        if self.since.is_none() {
            self.since = Some(Instant::now());
        }
    }

    pub(crate) fn advance(&mut self, by: Duration) {
        self.base = self.now() + by;
        if self.since.is_some() {
            self.since = Some(Instant::now());
        }
    }

    pub(crate) fn set_scale(&mut self, scale: f64) {
        assert!(
            scale.is_finite() && scale > 0.0,
            "a time scale is a positive number"
        );
        self.base = self.now();
        if self.since.is_some() {
            self.since = Some(Instant::now());
        }
        self.scale = scale;
    }
}

/// `2026-05-20T10:30:00Z`, or with milliseconds when there are any
/// (`2026-05-20T10:30:00.250Z`): RFC 3339 in UTC, as Pinecone writes
/// `created_at`.
pub fn rfc3339(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    let clock = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    );
    match since.subsec_millis() {
        0 => format!("{clock}Z"),
        millis => format!("{clock}.{millis:03}Z"),
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian; Howard
/// Hinnant's `civil_from_days` (<https://howardhinnant.github.io/date_algorithms.html>).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_timeline_holds_each_step_until_the_next() {
        let timeline: Timeline<String> = Timeline::backup(100 * MS, "Ready");
        assert_eq!(timeline.at(Duration::ZERO), "Initializing");
        assert_eq!(timeline.at(49 * MS), "Initializing");
        assert_eq!(timeline.at(50 * MS), "Pending");
        assert_eq!(timeline.at(100 * MS), "Ready");
        assert_eq!(timeline.at(Duration::from_secs(3600)), "Ready");
        assert_eq!(timeline.first_time(|s| s == "Ready"), Some(100 * MS));
        assert_eq!(timeline.first_time(|s| s == "Failed"), None);
    }

    #[test]
    fn restore_and_index_timelines_end_as_asked() {
        let job = Timeline::<JobStep>::restore(10 * MS, "Cancelled");
        assert_eq!(job.at(Duration::ZERO), &JobStep::from(("Pending", 0.0)));
        assert_eq!(job.at(10 * MS).status, "Cancelled");
        assert!(job.at(10 * MS).is_terminal());
        let index = Timeline::<IndexState>::index(10 * MS, "Ready");
        assert!(!index.at(9 * MS).ready);
        assert!(index.at(10 * MS).ready);
        assert!(!IndexState::from("InitializationFailed").ready);
    }

    #[test]
    #[should_panic(expected = "in order of time")]
    fn steps_out_of_order_are_refused() {
        let _ = Timeline::<String>::starting("a")
            .then(10 * MS, "b")
            .then(5 * MS, "c");
    }

    #[test]
    fn a_frozen_clock_moves_only_when_advanced_and_scale_keeps_it_continuous() {
        let mut clock = WorldClock::start();
        clock.freeze();
        let frozen = clock.now();
        std::thread::sleep(5 * MS);
        assert_eq!(clock.now(), frozen);
        clock.advance(Duration::from_secs(600));
        assert_eq!(clock.now(), frozen + Duration::from_secs(600));
        clock.set_scale(1000.0);
        assert_eq!(clock.now(), frozen + Duration::from_secs(600));
        clock.resume();
        std::thread::sleep(5 * MS);
        assert!(clock.now() >= frozen + Duration::from_secs(605));
    }

    #[test]
    fn rfc3339_writes_utc_with_optional_millis() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let t = UNIX_EPOCH + Duration::from_secs(1_710_498_600);
        assert_eq!(rfc3339(t), "2024-03-15T10:30:00Z");
        assert_eq!(rfc3339(t + 250 * MS), "2024-03-15T10:30:00.250Z");
        // A leap day, and the turn of a century that is a leap year.
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00Z");
    }
}
