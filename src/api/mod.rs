//! The Pinecone control plane, as far as waiting needs it: one call,
//! `describe_backup`, its model and its errors.
//!
//! `BackupApi` is the seam: `HttpBackupApi` (ureq) in production, wrapped in
//! `Guarded` so that a hung server or a signal can never hold the process;
//! scripted fakes in the poller's tests. What comes back from the network is
//! kept raw, so decisions are made on what the server said; the report sinks
//! scrub the API key when they print (`report::redact`).

mod error_body;
mod guard;
mod http;
mod model;
mod resolve;
mod retry_after;
mod tls;

use std::fmt;
use std::time::Duration;

pub use guard::Guarded;
pub use http::HttpBackupApi;
pub use model::{Backup, FIELDS};
pub use retry_after::parse_retry_after;
pub use tls::Note as TrustNote;

/// `GET /backups/{backup_id}` for one configured backup.
pub trait BackupApi {
    /// Fetches the backup, giving up after `timeout`.
    fn describe_backup(&self, timeout: Duration) -> Result<Backup, ApiError>;
}

/// Why a describe call did not return a backup. The variant decides both
/// whether to retry and which exit code a final error gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// Worth another try: connection errors, timeouts, 408, 429, 5xx.
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
    /// HTTP 404: the backup does not exist.
    NotFound {
        /// What happened.
        detail: String,
    },
    /// HTTP 401 or 403: the key was rejected.
    Unauthorized {
        /// What happened.
        detail: String,
    },
    /// A success status whose body is not a BackupModel.
    Malformed {
        /// What is wrong with it.
        detail: String,
    },
    /// Any other response we must not retry: other 4xx, redirects, TLS
    /// certificate errors.
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

// --- restore (issue 10): added apart from the module list above, for the merge ---
#[cfg(test)]
mod fake_contract;
mod fields;
pub mod index_model;
pub mod index_stats;
pub mod restore_job;
pub mod restore_request;
// --- end restore ---
