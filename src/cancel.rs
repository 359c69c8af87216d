//! Cancellation: the one piece of state shared between the signal handler
//! and the poller.
//!
//! GitHub cancels a job by sending SIGINT, then SIGTERM 7.5 s later, then
//! killing the process. The first signal only flips this token; the poller
//! notices within one sleep slice or one request-guard tick, writes its
//! outputs with `result=cancelled` (each sink bounded in time) and exits 130.
//! A second signal means "now": the handler exits 130 at once, without
//! writing anything, since whatever is still running is what the user is
//! trying to stop.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::outcome::Outcome;

/// A cloneable flag that can be waited on.
#[derive(Clone, Default)]
pub struct Cancellation {
    inner: Arc<(Mutex<bool>, Condvar)>,
}

impl Cancellation {
    /// A token that has not fired.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fires the token and wakes every waiter.
    pub fn cancel(&self) {
        let (flag, wakeup) = &*self.inner;
        *flag.lock().unwrap_or_else(|poison| poison.into_inner()) = true;
        wakeup.notify_all();
    }

    /// Whether the token has fired.
    pub fn is_cancelled(&self) -> bool {
        *self
            .inner
            .0
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Waits up to `timeout`; returns `true` if the token fired.
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let (flag, wakeup) = &*self.inner;
        let until = Instant::now() + timeout;
        let mut cancelled = flag.lock().unwrap_or_else(|poison| poison.into_inner());
        // Condvars wake spuriously; loop until the flag or the time says stop.
        while !*cancelled {
            let now = Instant::now();
            if now >= until {
                return false;
            }
            cancelled = wakeup
                .wait_timeout(cancelled, until - now)
                .unwrap_or_else(|poison| poison.into_inner())
                .0;
        }
        true
    }

    /// Records a signal: fires the token and returns whether it had fired
    /// already (this is a second signal).
    pub fn signal(&self) -> bool {
        let (flag, wakeup) = &*self.inner;
        let mut cancelled = flag.lock().unwrap_or_else(|poison| poison.into_inner());
        let again = *cancelled;
        *cancelled = true;
        wakeup.notify_all();
        again
    }

    /// Routes SIGINT and SIGTERM (Ctrl-C and Ctrl-Break on Windows) to this
    /// token; a second one exits the process at once with 130. Can be
    /// called once per process.
    pub fn install_signal_handler(&self) -> Result<(), ctrlc::Error> {
        let token = self.clone();
        ctrlc::set_handler(move || {
            if token.signal() {
                // Nothing is printed: stderr may be the very pipe that is stuck.
                std::process::exit(i32::from(Outcome::Cancelled.exit_code()));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_returns_false_after_timeout_when_not_cancelled() {
        let token = Cancellation::new();
        assert!(!token.wait_timeout(Duration::from_millis(5)));
        assert!(!token.is_cancelled());
    }

    #[test]
    fn the_first_signal_cancels_and_the_second_is_told_apart() {
        let token = Cancellation::new();
        assert!(!token.signal(), "first signal");
        assert!(token.is_cancelled());
        assert!(token.wait_timeout(Duration::ZERO));
        assert!(token.signal(), "second signal");
    }

    #[test]
    fn cancel_from_another_thread_wakes_a_long_wait() {
        let token = Cancellation::new();
        let other = token.clone();
        let started = Instant::now();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            other.cancel();
        });
        assert!(token.wait_timeout(Duration::from_secs(30)));
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(token.is_cancelled());
    }
}
