//! The Pinecone API, as far as a run needs it: describe a backup, list an
//! index's backups, create a backup; restore one into a new index, describe
//! and list restore jobs, describe an index (control plane) and read its
//! stats (the index's data plane); their models and errors.
//!
//! `ControlPlane` is the seam: `Client` (ureq) in production, wrapped in
//! `Guarded` so that a hung server or a signal can never hold the process;
//! scripted fakes in the unit tests. One client serves every resource
//! (`client.rs`: agent, headers, trust, what a status code means); reads
//! live in `backups.rs` and `restores.rs`, requests that change the world
//! in `writes.rs`,
//! with the rule that says when one may be sent again. What comes back from
//! the network is kept raw, so decisions are made on what the server said;
//! the report sinks scrub the API key when they print (`report::redact`).

mod backups;
mod client;
mod error_body;
#[cfg(test)]
mod fake_contract;
mod fields;
mod guard;
pub mod index_model;
pub mod index_stats;
mod model;
mod resolve;
pub mod restore_job;
pub mod restore_request;
mod restores;
mod retry_after;
mod tls;
mod writes;

use std::fmt;
use std::time::Duration;

use crate::config::{BackupId, IndexName, RestoreJobId};
use index_model::{IndexHost, IndexModel};
use index_stats::IndexStats;
use restore_job::{RestoreJob, RestoreJobPage};
use restore_request::{CreateIndexRequest, CreateIndexResponse};

pub use backups::MAX_PAGE_SIZE;
pub use client::{Client, NEWEST_PROVEN_API_VERSION};
pub use guard::Guarded;
pub use model::{Backup, BackupPage, FIELDS};
pub use restores::RESTORE_JOBS_PAGE_SIZE;
pub use retry_after::parse_retry_after;
pub use tls::Note as TrustNote;
pub use writes::{Delivery, NewBackup, Resend, WriteFailure, resend_rule};

/// The calls a run makes. Each gives up after `timeout`.
pub trait ControlPlane {
    /// `GET /backups/{backup_id}`.
    fn describe_backup(&self, id: &BackupId, timeout: Duration) -> Result<Backup, ApiError>;

    /// `GET /indexes/{index_name}/backups`: one page, the first or the one
    /// `token` (a previous page's `pagination.next`) names.
    fn list_index_backups(
        &self,
        index: &IndexName,
        token: Option<&str>,
        timeout: Duration,
    ) -> Result<BackupPage, ApiError>;

    /// `POST /indexes/{index_name}/backups`. Not idempotent: a failure says
    /// whether the request may be sent again (`WriteFailure::resend`).
    fn create_backup(
        &self,
        index: &IndexName,
        backup: &NewBackup,
        timeout: Duration,
    ) -> Result<Backup, WriteFailure>;

    /// `POST /backups/{backup_id}/create-index`: starts a restore. Not
    /// idempotent, like `create_backup`.
    fn create_index_from_backup(
        &self,
        backup: &BackupId,
        request: &CreateIndexRequest,
        timeout: Duration,
    ) -> Result<CreateIndexResponse, WriteFailure>;

    /// `GET /restore-jobs/{job_id}`.
    fn describe_restore_job(
        &self,
        id: &RestoreJobId,
        timeout: Duration,
    ) -> Result<RestoreJob, ApiError>;

    /// `GET /restore-jobs`: one page of every job of the project, the first
    /// or the one `token` names.
    fn list_restore_jobs(
        &self,
        token: Option<&str>,
        timeout: Duration,
    ) -> Result<RestoreJobPage, ApiError>;

    /// `GET /indexes/{index_name}`.
    fn describe_index(&self, name: &IndexName, timeout: Duration) -> Result<IndexModel, ApiError>;

    /// `POST https://{host}/describe_index_stats` on index `name`'s data
    /// plane.
    fn describe_index_stats(
        &self,
        host: &IndexHost,
        name: &IndexName,
        timeout: Duration,
    ) -> Result<IndexStats, ApiError>;
}

impl ControlPlane for Client {
    fn describe_backup(&self, id: &BackupId, timeout: Duration) -> Result<Backup, ApiError> {
        backups::describe(self, id, timeout)
    }

    fn list_index_backups(
        &self,
        index: &IndexName,
        token: Option<&str>,
        timeout: Duration,
    ) -> Result<BackupPage, ApiError> {
        backups::list(self, index, token, timeout)
    }

    fn create_backup(
        &self,
        index: &IndexName,
        backup: &NewBackup,
        timeout: Duration,
    ) -> Result<Backup, WriteFailure> {
        writes::create_backup(self, index, backup, timeout)
    }

    fn create_index_from_backup(
        &self,
        backup: &BackupId,
        request: &CreateIndexRequest,
        timeout: Duration,
    ) -> Result<CreateIndexResponse, WriteFailure> {
        writes::create_index_from_backup(self, backup, request, timeout)
    }

    fn describe_restore_job(
        &self,
        id: &RestoreJobId,
        timeout: Duration,
    ) -> Result<RestoreJob, ApiError> {
        restores::describe_restore_job(self, id, timeout)
    }

    fn list_restore_jobs(
        &self,
        token: Option<&str>,
        timeout: Duration,
    ) -> Result<RestoreJobPage, ApiError> {
        restores::list_restore_jobs(self, token, timeout)
    }

    fn describe_index(&self, name: &IndexName, timeout: Duration) -> Result<IndexModel, ApiError> {
        restores::describe_index(self, name, timeout)
    }

    fn describe_index_stats(
        &self,
        host: &IndexHost,
        name: &IndexName,
        timeout: Duration,
    ) -> Result<IndexStats, ApiError> {
        restores::describe_index_stats(self, host, name, timeout)
    }
}

/// Why a describe call did not return a backup. The variant decides both
/// whether to retry and which exit code a final error gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// Worth another try: connection errors, timeouts, 408, 429 (but a
    /// quota), 5xx.
    Transient {
        /// What happened, for the log and the `error` output.
        detail: String,
        /// The server's `Retry-After`, a floor for the next delay.
        retry_after: Option<Duration>,
    },
    /// The host name did not resolve to an address (DNS). Retryable, but the
    /// poller ends the wait (exit 6) when the host has never resolved within
    /// its first minute: a typo in `--api-host` does not fix itself.
    Unresolved {
        /// The name that was looked up: the API host, or the proxy's.
        host: String,
        /// Whether `host` is the proxy's, from the proxy variables.
        proxy: bool,
        /// The resolver's reason.
        detail: String,
    },
    /// HTTP 404: the backup (or index) does not exist.
    NotFound {
        /// What happened.
        detail: String,
    },
    /// HTTP 401 or 403: the key was rejected.
    Unauthorized {
        /// What happened.
        detail: String,
    },
    /// A success status whose body is not what the spec says (a
    /// BackupModel, a BackupList), or a list whose pages do not end.
    Malformed {
        /// What is wrong with it.
        detail: String,
    },
    /// Any other response we must not retry: other 4xx, a quota, redirects,
    /// TLS certificate errors.
    Rejected {
        /// What happened.
        detail: String,
    },
    /// The run was cancelled while the request was in flight.
    Cancelled,
}

impl ApiError {
    /// A transient error without `Retry-After`.
    pub fn transient(detail: impl Into<String>) -> Self {
        ApiError::Transient {
            detail: detail.into(),
            retry_after: None,
        }
    }

    /// Whether the poller should try again.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ApiError::Transient { .. } | ApiError::Unresolved { .. }
        )
    }

    /// Whether no address could be found for the host (see `Unresolved`).
    pub fn is_unresolved(&self) -> bool {
        matches!(self, ApiError::Unresolved { .. })
    }

    /// The server's requested delay, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::Transient { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Transient { detail, .. }
            | ApiError::NotFound { detail }
            | ApiError::Unauthorized { detail }
            | ApiError::Malformed { detail }
            | ApiError::Rejected { detail } => f.write_str(detail),
            ApiError::Unresolved {
                host,
                proxy,
                detail,
            } => {
                let whose = if *proxy { "proxy host " } else { "" };
                write!(f, "cannot resolve {whose}{host} ({detail})")
            }
            ApiError::Cancelled => f.write_str("cancelled while waiting for a response"),
        }
    }
}

impl std::error::Error for ApiError {}
