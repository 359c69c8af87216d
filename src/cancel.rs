//! Cancellation: the one piece of state shared between the signal handler
//! and the poller.
//!
//! GitHub cancels a job by sending SIGINT, then SIGTERM 7.5 s later, then
//! killing the process. The handler only flips this token; the poller notices
//! within one sleep slice or one request-guard tick, writes its outputs with
//! `result=cancelled` and exits 130. Nothing here exits the process.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

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

    /// Routes SIGINT and SIGTERM (Ctrl-C and Ctrl-Break on Windows) to this
    /// token. Can be called once per process.
    pub fn install_signal_handler(&self) -> Result<(), ctrlc::Error> {
        let token = self.clone();
        ctrlc::set_handler(move || token.cancel())
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
