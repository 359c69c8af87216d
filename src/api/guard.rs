//! `Guarded`: the guarantee behind "never hangs past its timeout".
//!
//! ureq's own timeouts cover connect, TLS, headers and body, and fire first
//! in practice. But a DNS resolver stuck in the C library, a bug in a
//! dependency, or a signal arriving mid-request must not be able to hold the
//! process either. So each call runs on its own thread while the caller
//! waits, at most the request timeout plus a small grace, checking for
//! cancellation every tick. A call that overruns is abandoned: the thread
//! is detached and dies with the process.

use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use super::{ApiError, Backup, BackupApi};
use crate::cancel::Cancellation;
use crate::config::HumanDuration;

/// How long past its own timeout a request may take to report before the
/// guard gives up on it. Small enough to keep the one-second promise.
const GRACE: Duration = Duration::from_millis(250);

/// How often the waiting caller checks for cancellation.
const TICK: Duration = Duration::from_millis(50);

/// Runs another `BackupApi` under a hard time limit and a cancellation token.
pub struct Guarded<A> {
    inner: Arc<A>,
    cancellation: Cancellation,
}

impl<A> Guarded<A> {
    /// Wraps `inner`; `cancellation` aborts the wait for a response.
    pub fn new(inner: A, cancellation: Cancellation) -> Self {
        Guarded {
            inner: Arc::new(inner),
            cancellation,
        }
    }
}

impl<A: BackupApi + Send + Sync + 'static> BackupApi for Guarded<A> {
    fn describe_backup(&self, timeout: Duration) -> Result<Backup, ApiError> {
        let give_up_at = Instant::now() + timeout + GRACE;
        let (sender, receiver) = mpsc::sync_channel(1);
        let inner = Arc::clone(&self.inner);
        thread::Builder::new()
            .name("describe-backup".to_owned())
            .spawn(move || {
                // The receiver may be gone if we gave up; nobody to tell then.
                let _ = sender.send(inner.describe_backup(timeout));
            })
            .map_err(|err| ApiError::transient(format!("could not start the request: {err}")))?;
        loop {
            if self.cancellation.is_cancelled() {
                return Err(ApiError::Cancelled);
            }
            let now = Instant::now();
            if now >= give_up_at {
                return Err(ApiError::transient(format!(
                    "no response within {}",
                    HumanDuration(timeout)
                )));
            }
            match receiver.recv_timeout((give_up_at - now).min(TICK)) {
                Ok(result) => return result,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(ApiError::transient("the request ended without a result"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An API that ignores its timeout and sleeps, like a stuck resolver.
    struct Stuck(Duration);

    impl BackupApi for Stuck {
        fn describe_backup(&self, _timeout: Duration) -> Result<Backup, ApiError> {
            thread::sleep(self.0);
            Err(ApiError::transient("finally"))
        }
    }

    #[test]
    fn abandons_a_call_that_ignores_its_timeout() {
        let guarded = Guarded::new(Stuck(Duration::from_secs(30)), Cancellation::new());
        let started = Instant::now();
        let err = guarded
            .describe_backup(Duration::from_millis(20))
            .unwrap_err();
        assert!(err.is_retryable());
        assert!(err.to_string().contains("no response within 20ms"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn returns_the_inner_result_when_it_arrives_in_time() {
        let guarded = Guarded::new(Stuck(Duration::from_millis(5)), Cancellation::new());
        let err = guarded.describe_backup(Duration::from_secs(5)).unwrap_err();
        assert_eq!(err, ApiError::transient("finally"));
    }

    #[test]
    fn cancellation_interrupts_a_call_in_flight() {
        let cancellation = Cancellation::new();
        let guarded = Guarded::new(Stuck(Duration::from_secs(30)), cancellation.clone());
        let started = Instant::now();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(30));
            cancellation.cancel();
        });
        assert_eq!(
            guarded.describe_backup(Duration::from_secs(30)),
            Err(ApiError::Cancelled)
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
