//! For a person at a terminal: one live status line, redrawn in place
//! (`\r`, then `ESC[K` to clear to the end of the line), with the status,
//! the time spent, the time left before the deadline, a countdown to the
//! next check and, when there is one, the restore progress. Permanent lines
//! (the log) print above it; a change of status leaves one, an unchanged
//! status only redraws the live line, so the screen does not grow a column
//! of identical lines. The live line is erased before the verdict.
//!
//! Only used when `Env::live_terminal` says a person watches stderr; CI logs
//! and pipes never see a carriage return or an escape sequence from here.
//!
//! Three small pieces, so that the wait loop is untouched:
//! - [`Screen`], shared by the log's writer ([`ScreenWriter`]) and the two
//!   adapters below: it owns stderr and knows whether the live line is
//!   showing;
//! - [`Watcher`], an `Observer` in front of the log: it updates the live line
//!   on every attempt and passes an attempt on to the log only when what it
//!   saw changed;
//! - [`Ticking`], a `Clock` in front of the real one: it sleeps in steps that
//!   end on whole seconds of the countdown and redraws after each.
//!
//! The rendering ([`status_line`], [`paint`]) is pure and tested with fixed
//! times.

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;
use std::time::{Duration, Instant};

use super::colour::{Paint, paint};
use super::escape::{cut, log_text};
use super::log::Log;
use super::redact::{MARK, Redactor};
use crate::api::Backup;
use crate::clock::{Clock, Wake};
use crate::schedule::Next;
use crate::stages::{Selected, Stage, StageObserver};
use crate::wait::{Attempt, Observer};

/// Moves to the start of the line and clears it.
const CLEAR_LINE: &str = "\r\x1b[K";

/// The longest status shown in the live line; the log line has it whole
/// (up to the log's own limit).
const MAX_LIVE_STATUS_CHARS: usize = 40;

/// The width assumed when the terminal does not say.
const DEFAULT_WIDTH: usize = 80;

/// What the live line shows at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View<'a> {
    /// What the last check saw (`status Initializing`, or an error), already
    /// escaped for the log.
    pub status: &'a str,
    /// Time since the wait began.
    pub elapsed: Duration,
    /// Time left before the deadline.
    pub left: Duration,
    /// Time until the next check; `None` while a check is under way.
    pub next_check: Option<Duration>,
    /// Restore progress, once there is a restore to watch (e.g. `42%`).
    pub progress: Option<&'a str>,
}

/// The live line: `status Initializing | 12s elapsed | 29m48s left | next
/// check in 3s`, cut to fit `width` columns (less one, so the terminal never
/// wraps it: a wrapped line could not be redrawn in place). With `colour`,
/// the status is bold.
pub fn status_line(view: &View<'_>, width: usize, colour: bool) -> String {
    let mut parts = vec![
        format!("{} elapsed", clock_text(view.elapsed, Round::Down)),
        format!("{} left", clock_text(view.left, Round::Up)),
        match view.next_check {
            Some(wait) if !wait.is_zero() => {
                format!("next check in {}", clock_text(wait, Round::Up))
            }
            _ => "checking…".to_owned(),
        },
    ];
    if let Some(progress) = view.progress {
        parts.push(format!("restore {progress}"));
    }
    let rest = format!(" | {}", parts.join(" | "));
    let room = width.max(2) - 1;
    let status = fit(view.status, room);
    let rest = fit(&rest, room.saturating_sub(columns(&status)));
    format!("{}{rest}", paint(colour, Paint::Strong, &status))
}

/// Which way a duration is rounded to whole seconds.
#[derive(Debug, Clone, Copy)]
enum Round {
    /// Time spent: a second counts once it has passed.
    Down,
    /// Time left: `0s` only when nothing is left.
    Up,
}

/// `7s`, `1m05s`, `2h03m04s`.
fn clock_text(duration: Duration, round: Round) -> String {
    let mut seconds = duration.as_secs();
    if matches!(round, Round::Up) && duration.subsec_nanos() > 0 {
        seconds += 1;
    }
    let (hours, minutes, seconds) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    match (hours, minutes) {
        (0, 0) => format!("{seconds}s"),
        (0, _) => format!("{minutes}m{seconds:02}s"),
        _ => format!("{hours}h{minutes:02}m{seconds:02}s"),
    }
}

/// Columns a character takes: the East Asian wide blocks and emoji count
/// two (a rough table; the line is cut short rather than wrapped).
fn char_columns(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

fn columns(text: &str) -> usize {
    text.chars().map(char_columns).sum()
}

/// The longest start of `text` that fits `room` columns, with `…` when cut.
fn fit(text: &str, room: usize) -> String {
    if columns(text) <= room {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        // One column stays free for the ellipsis.
        if used + char_columns(c) + 1 > room {
            break;
        }
        used += char_columns(c);
        out.push(c);
    }
    if room > 0 {
        out.push('…');
    }
    out
}

/// The live line's state: what to show, and the instants it counts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Live {
    /// What the last check saw, escaped.
    pub status: String,
    /// When the wait began.
    pub started: Instant,
    /// When it gives up.
    pub deadline: Instant,
    /// When the next check is due; `None` when no other check is planned.
    pub next_check: Option<Instant>,
    /// Restore progress, when there is a restore.
    pub progress: Option<String>,
}

impl Live {
    /// What it shows at `now`.
    pub fn view(&self, now: Instant) -> View<'_> {
        View {
            status: &self.status,
            elapsed: now.saturating_duration_since(self.started),
            left: self.deadline.saturating_duration_since(now),
            next_check: self.next_check.map(|at| at.saturating_duration_since(now)),
            progress: self.progress.as_deref(),
        }
    }
}

/// stderr with a live line at its bottom.
pub struct Screen<'w> {
    out: &'w mut dyn Write,
    colour: bool,
    width: fn() -> usize,
    redactor: Redactor,
    live: Option<Live>,
    shown: bool,
    last_drawn: Option<Instant>,
}

/// The screen, shared by the log's writer, the watcher and the clock (all
/// on the waiting thread).
pub type SharedScreen<'w> = Rc<RefCell<Screen<'w>>>;

impl<'w> Screen<'w> {
    /// A screen on `out`; `width` asks the terminal how wide it is now.
    pub fn shared(out: &'w mut dyn Write, colour: bool, width: fn() -> usize) -> SharedScreen<'w> {
        Rc::new(RefCell::new(Screen {
            out,
            colour,
            width,
            redactor: Redactor::default(),
            live: None,
            shown: false,
            last_drawn: None,
        }))
    }

    /// Scrubs the key from every live line, as the log scrubs its lines.
    pub fn scrub_with(&mut self, redactor: Redactor) {
        self.redactor = redactor;
    }

    /// Shows `live` from now on.
    pub fn show(&mut self, live: Live, now: Instant) {
        self.live = Some(live);
        self.redraw(now);
    }

    /// Redraws the live line as it is at `now` (nothing if there is none).
    /// Write errors are ignored, as everywhere in the log.
    pub fn redraw(&mut self, now: Instant) {
        let Some(live) = &self.live else {
            return;
        };
        let line = status_line(&live.view(now), (self.width)(), self.colour);
        let line = self.redactor.replace(&line, MARK);
        let _ = write!(self.out, "{CLEAR_LINE}{line}");
        // The log's queue sends an unfinished line when flushed.
        let _ = self.out.flush();
        self.shown = true;
        self.last_drawn = Some(now);
    }

    /// Erases the live line for good: the wait is over.
    pub fn stop(&mut self) {
        if self.shown {
            let _ = write!(self.out, "{CLEAR_LINE}");
            let _ = self.out.flush();
        }
        self.live = None;
        self.shown = false;
    }

    /// Prints a permanent line (ending in `\n`) above the live line.
    fn permanent(&mut self, line: &[u8]) {
        if self.shown {
            let _ = self.out.write_all(CLEAR_LINE.as_bytes());
            self.shown = false;
        }
        let _ = self.out.write_all(line);
        if let Some(now) = self.last_drawn {
            self.redraw(now);
        }
    }
}

/// The log's writer: whole lines, printed as permanent lines of the screen.
pub struct ScreenWriter<'w> {
    screen: SharedScreen<'w>,
    partial: Vec<u8>,
}

impl<'w> ScreenWriter<'w> {
    /// A writer onto `screen`.
    pub fn new(screen: SharedScreen<'w>) -> Self {
        ScreenWriter {
            screen,
            partial: Vec::new(),
        }
    }
}

impl Write for ScreenWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // `writeln!` arrives in pieces; a line is printed once it is whole.
        self.partial.extend_from_slice(buf);
        while let Some(end) = self.partial.iter().position(|&b| b == b'\n') {
            let rest = self.partial.split_off(end + 1);
            let line = std::mem::replace(&mut self.partial, rest);
            self.screen.borrow_mut().permanent(&line);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The observer at a terminal: keeps the live line current and lets the log
/// print an attempt only when what it saw changed (a new status, an error,
/// another error).
pub struct Watcher<'a, 'w> {
    log: &'a mut Log<ScreenWriter<'w>>,
    screen: SharedScreen<'w>,
    clock: &'a dyn Clock,
    timeout: Duration,
    started: Option<Instant>,
    last_seen: Option<String>,
    /// The latest progress of this stage (a restore's percent), kept across
    /// attempts that report none (an error, a pending job in 2026-07).
    progress: Option<String>,
}

impl<'a, 'w> Watcher<'a, 'w> {
    /// Watches a wait of `timeout` on `clock` (the one the wait loop uses).
    pub fn new(
        log: &'a mut Log<ScreenWriter<'w>>,
        screen: SharedScreen<'w>,
        clock: &'a dyn Clock,
        timeout: Duration,
    ) -> Self {
        Watcher {
            log,
            screen,
            clock,
            timeout,
            started: None,
            last_seen: None,
            progress: None,
        }
    }
}

impl Observer for Watcher<'_, '_> {
    fn attempt(&mut self, attempt: &Attempt<'_>) {
        let now = self.clock.now();
        if self.started.is_none() {
            self.screen
                .borrow_mut()
                .scrub_with(self.log.redactor().clone());
        }
        let started = *self
            .started
            .get_or_insert_with(|| now.checked_sub(attempt.elapsed).unwrap_or(now));
        let seen = match &attempt.result {
            Ok(shown) => shown.plain(),
            Err(err) => err.to_string(),
        };
        let redactor = self.log.redactor();
        let status = log_text(&cut(&redactor.text(&seen), MAX_LIVE_STATUS_CHARS));
        let next_check = match attempt.next {
            Some(Next::RetryIn(delay)) => Some(now + delay),
            _ => None,
        };
        if let Some(progress) = &attempt.progress {
            self.progress = Some(log_text(&cut(&redactor.text(progress), 16)));
        }
        let progress = self.progress.clone();
        let live = Live {
            status,
            started,
            deadline: started + self.timeout,
            next_check,
            progress,
        };
        if self.last_seen.as_deref() == Some(seen.as_str()) {
            self.screen.borrow_mut().show(live, now);
        } else {
            // The live line first, so the permanent line is printed above
            // the new state rather than the old one.
            self.screen.borrow_mut().show(live, now);
            self.log.attempt(attempt);
            self.last_seen = Some(seen);
        }
    }

    fn unknown_status(&mut self, status: &str) {
        self.log.unknown_status(status);
    }

    fn unknown_statuses_capped(&mut self, limit: usize) {
        self.log.unknown_statuses_capped(limit);
    }
}

impl StageObserver for Watcher<'_, '_> {
    fn entered(&mut self, stage: Stage, what: &str) {
        // A new stage starts a new line of statuses, and its own progress.
        self.last_seen = None;
        self.progress = None;
        self.screen.borrow_mut().stop();
        self.log.entered(stage, what);
    }

    fn selected(&mut self, selected: &Selected, backup: &Backup) {
        self.screen.borrow_mut().stop();
        self.log.selected(selected, backup);
    }
}

/// A clock whose sleeps redraw the live line about once a second: each
/// step ends on a whole second of the time left, so the countdown reads
/// 3s, 2s, 1s.
pub struct Ticking<'a, 'w> {
    inner: &'a dyn Clock,
    screen: SharedScreen<'w>,
}

impl<'a, 'w> Ticking<'a, 'w> {
    /// Wraps `inner`, redrawing `screen`.
    pub fn new(inner: &'a dyn Clock, screen: SharedScreen<'w>) -> Self {
        Ticking { inner, screen }
    }
}

impl Clock for Ticking<'_, '_> {
    fn now(&self) -> Instant {
        self.inner.now()
    }

    fn wall(&self) -> std::time::SystemTime {
        self.inner.wall()
    }

    fn sleep(&self, duration: Duration) -> Wake {
        let end = self.inner.now() + duration;
        loop {
            let left = end.saturating_duration_since(self.inner.now());
            if left.is_zero() {
                return Wake::Elapsed;
            }
            if self.inner.sleep(step(left)) == Wake::Cancelled {
                return Wake::Cancelled;
            }
            self.screen.borrow_mut().redraw(self.inner.now());
        }
    }

    fn is_cancelled(&self) -> bool {
        self.inner.is_cancelled()
    }
}

/// The next step of a sleep with `left` to go: the fraction of a second
/// first, then whole seconds.
fn step(left: Duration) -> Duration {
    let fraction = Duration::new(0, left.subsec_nanos());
    if fraction.is_zero() {
        left.min(Duration::from_secs(1))
    } else {
        fraction
    }
}

/// The width of the terminal on stderr, in columns, asked each time (it can
/// be resized during a wait).
pub fn stderr_width() -> usize {
    #[cfg(unix)]
    {
        // SAFETY: TIOCGWINSZ only fills the `winsize` it is given; on a
        // descriptor that is not a terminal it fails and we fall back.
        let mut size: libc::winsize = unsafe { std::mem::zeroed() };
        let asked = unsafe { libc::ioctl(libc::STDERR_FILENO, libc::TIOCGWINSZ, &mut size) };
        if asked == 0 && size.ws_col > 0 {
            return usize::from(size.ws_col);
        }
    }
    DEFAULT_WIDTH
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ApiError, Backup};
    use crate::clock::FakeClock;
    use serde_json::json;

    const S: fn(u64) -> Duration = Duration::from_secs;
    const MS: fn(u64) -> Duration = Duration::from_millis;

    fn view(status: &str) -> View<'_> {
        View {
            status,
            elapsed: MS(12_400),
            left: MS(1_787_600),
            next_check: Some(MS(2_100)),
            progress: None,
        }
    }

    #[test]
    fn the_live_line_shows_status_times_and_countdown() {
        assert_eq!(
            status_line(&view("status Initializing"), 120, false),
            "status Initializing | 12s elapsed | 29m48s left | next check in 3s"
        );
        let checking = View {
            next_check: Some(Duration::ZERO),
            elapsed: S(3_725),
            left: Duration::ZERO,
            ..view("status Pending")
        };
        assert_eq!(
            status_line(&checking, 120, false),
            "status Pending | 1h02m05s elapsed | 0s left | checking…"
        );
        let restoring = View {
            progress: Some("42%"),
            next_check: None,
            ..view("status Ready")
        };
        assert_eq!(
            status_line(&restoring, 120, false),
            "status Ready | 12s elapsed | 29m48s left | checking… | restore 42%"
        );
    }

    #[test]
    fn the_live_line_never_reaches_the_last_column() {
        let line = status_line(&view("status Initializing"), 30, false);
        assert_eq!(line, "status Initializing | 12s el…");
        assert_eq!(line.chars().count(), 29);
        let wide = "status 日本語日本語日本語日本語";
        let line = status_line(&view(wide), 20, false);
        assert!(columns(&line) <= 19, "{line}");
        assert!(line.ends_with('…'), "{line}");
        assert_eq!(status_line(&view("xyz"), 0, false), "…");
    }

    #[test]
    fn colour_only_when_asked() {
        assert_eq!(paint(false, Paint::Bad, "failed"), "failed");
        assert_eq!(paint(true, Paint::Bad, "failed"), "\x1b[31mfailed\x1b[0m");
        assert_eq!(paint(true, Paint::Good, "ready"), "\x1b[32mready\x1b[0m");
        let line = status_line(&view("status Initializing"), 120, true);
        assert!(
            line.starts_with("\x1b[1mstatus Initializing\x1b[0m | 12s"),
            "{line:?}"
        );
        assert!(!status_line(&view("s"), 120, false).contains('\x1b'));
    }

    #[test]
    fn durations_round_the_right_way() {
        assert_eq!(clock_text(MS(999), Round::Down), "0s");
        assert_eq!(clock_text(MS(1), Round::Up), "1s");
        assert_eq!(clock_text(S(65), Round::Up), "1m05s");
        assert_eq!(clock_text(S(7_384), Round::Down), "2h03m04s");
    }

    #[test]
    fn sleeps_are_cut_at_whole_seconds_of_the_countdown() {
        assert_eq!(step(MS(3_500)), MS(500));
        assert_eq!(step(S(3)), S(1));
        assert_eq!(step(MS(300)), MS(300));
    }

    /// A shared byte buffer standing in for stderr.
    #[derive(Clone, Default)]
    struct Tty(Rc<RefCell<Vec<u8>>>);

    impl Write for Tty {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Tty {
        fn text(&self) -> String {
            String::from_utf8(self.0.borrow().clone()).unwrap()
        }
    }

    fn width() -> usize {
        100
    }

    fn backup(status: &str) -> Backup {
        Backup::from_value(json!({ "status": status })).unwrap()
    }

    #[test]
    fn the_live_line_is_scrubbed_like_the_log() {
        let tty = Tty::default();
        let mut out = tty.clone();
        let screen = Screen::shared(&mut out, false, width);
        // A key that our own words spell, as a short key can.
        let key = crate::config::ApiKey::from_raw("elapsed").unwrap();
        screen.borrow_mut().scrub_with(Redactor::new(&key));
        let start = Instant::now();
        let live = Live {
            status: "status Pending".into(),
            started: start,
            deadline: start + S(60),
            next_check: Some(start + S(12)),
            progress: None,
        };
        screen.borrow_mut().show(live, start);
        assert_eq!(
            tty.text(),
            "\r\x1b[Kstatus Pending | 0s *** | 1m00s left | next check in 12s"
        );
    }

    #[test]
    fn a_repeated_status_redraws_one_line_and_a_new_one_leaves_a_line() {
        let tty = Tty::default();
        let mut out = tty.clone();
        let screen = Screen::shared(&mut out, false, width);
        let mut log = Log::new(ScreenWriter::new(screen.clone()), false);
        let clock = FakeClock::new();
        let ticking = Ticking::new(&clock, screen.clone());
        {
            let mut watcher = Watcher::new(&mut log, screen.clone(), &ticking, S(60));
            let pending = backup("Initializing");
            for number in 1..=2 {
                clock.advance(MS(100));
                watcher.attempt(&Attempt {
                    number,
                    elapsed: clock.elapsed(),
                    result: Ok(crate::wait::Shown::status(pending.status())),
                    next: Some(Next::RetryIn(MS(2_500))),
                    progress: None,
                });
                assert_eq!(ticking.sleep(MS(2_500)), Wake::Elapsed);
            }
            let err = ApiError::transient("HTTP 503");
            clock.advance(MS(100));
            watcher.attempt(&Attempt {
                number: 3,
                elapsed: clock.elapsed(),
                result: Err(&err),
                next: Some(Next::RetryIn(S(1))),
                progress: None,
            });
            let ready = backup("Ready");
            clock.advance(MS(100));
            watcher.attempt(&Attempt {
                number: 4,
                elapsed: clock.elapsed(),
                result: Ok(crate::wait::Shown::status(ready.status())),
                next: None,
                progress: None,
            });
        }
        screen.borrow_mut().stop();
        assert_eq!(clock.sleeps(), [MS(500), S(1), S(1), MS(500), S(1), S(1)]);
        // What a terminal would show: each `\r` returns to the line's start,
        // `ESC[K` clears it.
        let text = tty.text();
        let permanent: Vec<&str> = text
            .split('\n')
            .map(|line| line.rsplit("\r\x1b[K").next().unwrap())
            .collect();
        assert_eq!(
            permanent,
            [
                "[  100ms] attempt 1: status Initializing; next check in 2.5s",
                "[   5.3s] attempt 3: HTTP 503; next check in 1s",
                "[   5.4s] attempt 4: status Ready",
                "",
            ]
        );
        let countdown: Vec<&str> = text
            .split("\r\x1b[K")
            .filter(|frame| !frame.contains('\n') && !frame.is_empty())
            .collect();
        assert_eq!(
            countdown[..6],
            [
                // Drawn, then drawn again below the new permanent line.
                "status Initializing | 0s elapsed | 1m00s left | next check in 3s",
                "status Initializing | 0s elapsed | 1m00s left | next check in 3s",
                "status Initializing | 0s elapsed | 1m00s left | next check in 2s",
                "status Initializing | 1s elapsed | 59s left | next check in 1s",
                "status Initializing | 2s elapsed | 58s left | checking…",
                // The same status again: redrawn, no permanent line.
                "status Initializing | 2s elapsed | 58s left | next check in 3s",
            ]
        );
        assert!(text.ends_with("\r\x1b[K"), "{text:?}");
    }

    #[test]
    fn restore_progress_shows_on_the_live_line_and_survives_an_error() {
        let tty = Tty::default();
        let mut out = tty.clone();
        let screen = Screen::shared(&mut out, false, width);
        let mut log = Log::new(ScreenWriter::new(screen.clone()), false);
        let clock = FakeClock::new();
        let ticking = Ticking::new(&clock, screen.clone());
        {
            let mut watcher = Watcher::new(&mut log, screen.clone(), &ticking, S(60));
            watcher.entered(Stage::Restore, "restoring");
            let shown = crate::wait::Shown::status("InProgress");
            watcher.attempt(&Attempt {
                number: 1,
                elapsed: clock.elapsed(),
                result: Ok(shown.clone()),
                next: Some(Next::RetryIn(S(2))),
                progress: Some("42.2%".into()),
            });
            let err = ApiError::transient("HTTP 503");
            watcher.attempt(&Attempt {
                number: 2,
                elapsed: clock.elapsed(),
                result: Err(&err),
                next: Some(Next::RetryIn(S(2))),
                progress: None,
            });
            // A new stage starts without the last one's progress.
            watcher.entered(Stage::Index, "waiting");
            watcher.attempt(&Attempt {
                number: 3,
                elapsed: clock.elapsed(),
                result: Ok(shown),
                next: Some(Next::RetryIn(S(2))),
                progress: None,
            });
        }
        let frames: Vec<String> = tty
            .text()
            .split("\r\x1b[K")
            .filter(|frame| !frame.contains('\n') && !frame.is_empty())
            .map(str::to_owned)
            .collect();
        assert!(
            frames[0].ends_with("| next check in 2s | restore 42.2%"),
            "{frames:?}"
        );
        assert!(
            frames
                .iter()
                .any(|f| f.starts_with("HTTP 503") && f.ends_with("restore 42.2%")),
            "{frames:?}"
        );
        assert!(!frames.last().unwrap().contains("restore"), "{frames:?}");
    }
}
