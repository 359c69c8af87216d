//! `Guarded`: the guarantee behind "never hangs past its timeout", for
//! every call of the control plane.
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

use super::index_model::{IndexHost, IndexModel};
use super::index_stats::IndexStats;
use super::restore_job::{RestoreJob, RestoreJobPage};
use super::restore_request::{CreateIndexRequest, CreateIndexResponse};
use super::{ApiError, Backup, BackupPage, ControlPlane, Delivery, NewBackup, WriteFailure};
use crate::cancel::Cancellation;
use crate::config::{BackupId, HumanDuration, IndexName, RestoreJobId};

/// How long past its own timeout a request may take to report before the
/// guard gives up on it. Small enough to keep the one-second promise.
const GRACE: Duration = Duration::from_millis(250);

/// How often the waiting caller checks for cancellation.
const TICK: Duration = Duration::from_millis(50);

/// Runs another `ControlPlane` under a hard time limit and a cancellation
/// token.
pub struct Guarded<A> {
    inner: Arc<A>,
    cancellation: Cancellation,
}

/// Why a guarded call has no result.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stopped {
    /// The run was cancelled while waiting.
    Cancelled,
    /// The call outlived its timeout and was abandoned; it may have sent
    /// its request.
    Overran(Duration),
    /// No thread could be started: nothing was sent.
    NoThread(String),
    /// The call's thread ended without a result (it panicked).
    Vanished,
}

impl Stopped {
    fn into_api_error(self) -> ApiError {
        match self {
            Stopped::Cancelled => ApiError::Cancelled,
            Stopped::Overran(timeout) => {
                ApiError::transient(format!("no response within {}", HumanDuration(timeout)))
            }
            Stopped::NoThread(err) => {
                ApiError::transient(format!("could not start the request: {err}"))
            }
            Stopped::Vanished => ApiError::transient("the request ended without a result"),
        }
    }

    /// How far a write got: only a call that never started sent nothing.
    fn delivery(&self) -> Delivery {
        match self {
            Stopped::NoThread(_) => Delivery::NotSent,
            _ => Delivery::NoAnswer,
        }
    }
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

impl<A: Send + Sync + 'static> Guarded<A> {
    /// Runs `call` on its own thread and waits at most `timeout` plus a
    /// grace for its result, checking for cancellation every tick.
    fn call<T: Send + 'static>(
        &self,
        name: &str,
        timeout: Duration,
        call: impl FnOnce(&A) -> T + Send + 'static,
    ) -> Result<T, Stopped> {
        let give_up_at = Instant::now() + timeout + GRACE;
        let (sender, receiver) = mpsc::sync_channel(1);
        let inner = Arc::clone(&self.inner);
        thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                // The receiver may be gone if we gave up; nobody to tell then.
                let _ = sender.send(call(&inner));
            })
            .map_err(|err| Stopped::NoThread(err.to_string()))?;
        loop {
            if self.cancellation.is_cancelled() {
                return Err(Stopped::Cancelled);
            }
            let now = Instant::now();
            if now >= give_up_at {
                return Err(Stopped::Overran(timeout));
            }
            match receiver.recv_timeout((give_up_at - now).min(TICK)) {
                Ok(result) => return Ok(result),
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return Err(Stopped::Vanished),
            }
        }
    }
}

impl<A: ControlPlane + Send + Sync + 'static> ControlPlane for Guarded<A> {
    fn describe_backup(&self, id: &BackupId, timeout: Duration) -> Result<Backup, ApiError> {
        let id = id.clone();
        self.call("describe-backup", timeout, move |api| {
            api.describe_backup(&id, timeout)
        })
        .unwrap_or_else(|stopped| Err(stopped.into_api_error()))
    }

    fn list_index_backups(
        &self,
        index: &IndexName,
        token: Option<&str>,
        timeout: Duration,
    ) -> Result<BackupPage, ApiError> {
        let index = index.clone();
        let token = token.map(str::to_owned);
        self.call("list-backups", timeout, move |api| {
            api.list_index_backups(&index, token.as_deref(), timeout)
        })
        .unwrap_or_else(|stopped| Err(stopped.into_api_error()))
    }

    fn create_backup(
        &self,
        index: &IndexName,
        backup: &NewBackup,
        timeout: Duration,
    ) -> Result<Backup, WriteFailure> {
        let index = index.clone();
        let backup = backup.clone();
        self.call("create-backup", timeout, move |api| {
            api.create_backup(&index, &backup, timeout)
        })
        .unwrap_or_else(|stopped| {
            let delivery = stopped.delivery();
            Err(WriteFailure::new(stopped.into_api_error(), delivery))
        })
    }

    fn create_index_from_backup(
        &self,
        backup: &BackupId,
        request: &CreateIndexRequest,
        timeout: Duration,
    ) -> Result<CreateIndexResponse, WriteFailure> {
        let backup = backup.clone();
        let request = request.clone();
        self.call("create-index", timeout, move |api| {
            api.create_index_from_backup(&backup, &request, timeout)
        })
        .unwrap_or_else(|stopped| {
            let delivery = stopped.delivery();
            Err(WriteFailure::new(stopped.into_api_error(), delivery))
        })
    }

    fn describe_restore_job(
        &self,
        id: &RestoreJobId,
        timeout: Duration,
    ) -> Result<RestoreJob, ApiError> {
        let id = id.clone();
        self.call("describe-restore-job", timeout, move |api| {
            api.describe_restore_job(&id, timeout)
        })
        .unwrap_or_else(|stopped| Err(stopped.into_api_error()))
    }

    fn list_restore_jobs(
        &self,
        token: Option<&str>,
        timeout: Duration,
    ) -> Result<RestoreJobPage, ApiError> {
        let token = token.map(str::to_owned);
        self.call("list-restore-jobs", timeout, move |api| {
            api.list_restore_jobs(token.as_deref(), timeout)
        })
        .unwrap_or_else(|stopped| Err(stopped.into_api_error()))
    }

    fn describe_index(&self, name: &IndexName, timeout: Duration) -> Result<IndexModel, ApiError> {
        let name = name.clone();
        self.call("describe-index", timeout, move |api| {
            api.describe_index(&name, timeout)
        })
        .unwrap_or_else(|stopped| Err(stopped.into_api_error()))
    }

    fn describe_index_stats(
        &self,
        host: &IndexHost,
        name: &IndexName,
        timeout: Duration,
    ) -> Result<IndexStats, ApiError> {
        let host = host.clone();
        let name = name.clone();
        self.call("describe-index-stats", timeout, move |api| {
            api.describe_index_stats(&host, &name, timeout)
        })
        .unwrap_or_else(|stopped| Err(stopped.into_api_error()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Resend;

    /// An API that ignores its timeout and sleeps, like a stuck resolver.
    struct Stuck(Duration);

    impl ControlPlane for Stuck {
        fn describe_backup(&self, _: &BackupId, _timeout: Duration) -> Result<Backup, ApiError> {
            thread::sleep(self.0);
            Err(ApiError::transient("finally"))
        }

        fn list_index_backups(
            &self,
            _: &IndexName,
            _: Option<&str>,
            _: Duration,
        ) -> Result<BackupPage, ApiError> {
            thread::sleep(self.0);
            Err(ApiError::transient("finally"))
        }

        fn create_backup(
            &self,
            _: &IndexName,
            _: &NewBackup,
            _: Duration,
        ) -> Result<Backup, WriteFailure> {
            thread::sleep(self.0);
            Err(WriteFailure::new(
                ApiError::transient("finally"),
                Delivery::NotSent,
            ))
        }

        fn create_index_from_backup(
            &self,
            _: &BackupId,
            _: &CreateIndexRequest,
            _: Duration,
        ) -> Result<CreateIndexResponse, WriteFailure> {
            thread::sleep(self.0);
            Err(WriteFailure::new(
                ApiError::transient("finally"),
                Delivery::NotSent,
            ))
        }

        fn describe_restore_job(
            &self,
            _: &RestoreJobId,
            _: Duration,
        ) -> Result<RestoreJob, ApiError> {
            thread::sleep(self.0);
            Err(ApiError::transient("finally"))
        }

        fn list_restore_jobs(
            &self,
            _: Option<&str>,
            _: Duration,
        ) -> Result<RestoreJobPage, ApiError> {
            thread::sleep(self.0);
            Err(ApiError::transient("finally"))
        }

        fn describe_index(&self, _: &IndexName, _: Duration) -> Result<IndexModel, ApiError> {
            thread::sleep(self.0);
            Err(ApiError::transient("finally"))
        }

        fn describe_index_stats(
            &self,
            _: &IndexHost,
            _: &IndexName,
            _: Duration,
        ) -> Result<IndexStats, ApiError> {
            thread::sleep(self.0);
            Err(ApiError::transient("finally"))
        }
    }

    #[test]
    fn an_abandoned_create_index_may_have_been_sent_so_it_is_looked_for_first() {
        let guarded = Guarded::new(Stuck(Duration::from_secs(30)), Cancellation::new());
        let request = CreateIndexRequest {
            name: IndexName::from_raw("drill").unwrap(),
            tags: None,
            deletion_protection: None,
        };
        let started = Instant::now();
        let failure = guarded
            .create_index_from_backup(&id(), &request, Duration::from_millis(20))
            .unwrap_err();
        assert_eq!(failure.delivery, Delivery::NoAnswer);
        assert_eq!(failure.resend, Resend::LookFirst);
        let host = IndexHost::parse("127.0.0.1:9").unwrap();
        let index = IndexName::from_raw("drill").unwrap();
        let job = RestoreJobId::from_raw("j").unwrap();
        let short = Duration::from_millis(20);
        assert!(
            guarded
                .describe_restore_job(&job, short)
                .unwrap_err()
                .is_retryable()
        );
        assert!(
            guarded
                .list_restore_jobs(None, short)
                .unwrap_err()
                .is_retryable()
        );
        assert!(
            guarded
                .describe_index(&index, short)
                .unwrap_err()
                .is_retryable()
        );
        assert!(
            guarded
                .describe_index_stats(&host, &index, short)
                .unwrap_err()
                .is_retryable()
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    fn id() -> BackupId {
        BackupId::from_raw("b1").unwrap()
    }

    #[test]
    fn abandons_a_call_that_ignores_its_timeout() {
        let guarded = Guarded::new(Stuck(Duration::from_secs(30)), Cancellation::new());
        let started = Instant::now();
        let err = guarded
            .describe_backup(&id(), Duration::from_millis(20))
            .unwrap_err();
        assert!(err.is_retryable());
        assert!(err.to_string().contains("no response within 20ms"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn an_abandoned_create_may_have_been_sent_so_it_is_looked_for_first() {
        let guarded = Guarded::new(Stuck(Duration::from_secs(30)), Cancellation::new());
        let new = NewBackup {
            name: "n".into(),
            description: None,
        };
        let index = IndexName::from_raw("prod").unwrap();
        let failure = guarded
            .create_backup(&index, &new, Duration::from_millis(20))
            .unwrap_err();
        assert_eq!(failure.delivery, Delivery::NoAnswer);
        assert_eq!(failure.resend, Resend::LookFirst);
        let list = guarded
            .list_index_backups(&index, Some("t"), Duration::from_millis(20))
            .unwrap_err();
        assert!(list.is_retryable());
    }

    #[test]
    fn returns_the_inner_result_when_it_arrives_in_time() {
        let guarded = Guarded::new(Stuck(Duration::from_millis(5)), Cancellation::new());
        let err = guarded
            .describe_backup(&id(), Duration::from_secs(5))
            .unwrap_err();
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
            guarded.describe_backup(&id(), Duration::from_secs(30)),
            Err(ApiError::Cancelled)
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
