//! Requests that change the world (`POST`), and the rule that says when one
//! may be sent again: a create of a backup, and a create of an index from a
//! backup (a restore).
//!
//! Neither is idempotent: a failure after the request left may mean the
//! backup, or the restore, exists. So a failure says how far the request
//! got (`Delivery`), and `resend_rule` turns that into what the caller may
//! do (`Resend`): send again only when the server cannot have acted; after
//! an ambiguous failure, look for the result first. Looking is the
//! caller's (the create stage lists the index's backups, the restore stage
//! the restore jobs); this file only decides.

use std::time::Duration;

use serde_json::{Map, Value};

use super::client::{Client, Subject, status_line};
use super::restore_request::{self, CreateIndexAnswer, CreateIndexRequest, CreateIndexResponse};
use super::{ApiError, Backup};
use crate::config::{BackupId, IndexName, percent_encode};

/// The largest create answer accepted (a BackupModel, as for a describe).
const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// What `POST /indexes/{index_name}/backups` sends (`CreateBackupRequest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBackup {
    /// `name`: always sent, so the backup can be found by it after an
    /// ambiguous failure.
    pub name: String,
    /// `description`, left out when `None`.
    pub description: Option<String>,
}

impl NewBackup {
    /// The request body.
    pub fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert("name".into(), Value::String(self.name.clone()));
        if let Some(description) = &self.description {
            body.insert("description".into(), Value::String(description.clone()));
        }
        Value::Object(body)
    }
}

/// How far a failed write got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// No byte of the request left this process: no address, connection
    /// refused, a TLS handshake that failed, a connect timeout, a refused
    /// proxy tunnel.
    NotSent,
    /// The request left (at least in part), then no answer came: a
    /// timeout, a reset connection, a watchdog that gave up on it.
    NoAnswer,
    /// The server answered with a status that is not a success.
    Answered {
        /// The status code.
        status: u16,
        /// The `error.code` of its body, if any.
        code: Option<String>,
    },
    /// The server answered with a success, but the body could not be read
    /// or names no backup: the backup exists, its id is unknown.
    Unreadable,
}

/// What may follow a failed write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// The server cannot have acted: send again after the usual delay
    /// (or its `Retry-After`).
    AfterDelay,
    /// The server may have acted: look for the result, and send again only
    /// if it is not there.
    LookFirst,
    /// Final: never send again.
    Never,
}

/// A write that did not answer with its result.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteFailure {
    /// What went wrong, as for any request.
    pub error: ApiError,
    /// How far the request got.
    pub delivery: Delivery,
    /// What may follow: `resend_rule(&delivery, &error)`.
    pub resend: Resend,
}

impl WriteFailure {
    /// A failure, with the resend rule applied.
    pub fn new(error: ApiError, delivery: Delivery) -> Self {
        let resend = resend_rule(&delivery, &error);
        WriteFailure {
            error,
            delivery,
            resend,
        }
    }
}

/// The resend rule, as a table:
///
/// | how far it got | then |
/// |---|---|
/// | nothing sent, a retryable error | `AfterDelay` |
/// | nothing sent, a final error (TLS certificate, proxy refusal) | `Never` |
/// | sent, no answer (timeout, reset) | `LookFirst` |
/// | a success that cannot be read | `LookFirst` |
/// | 408 or 5xx | `LookFirst` |
/// | 429 `QUOTA_EXCEEDED` | `Never` |
/// | any other 429 (a rate limit: the server did not act) | `AfterDelay` |
/// | 412 (2026-07's "backup not completed": nothing was created) | `AfterDelay` |
/// | any other status | `Never` |
/// | cancelled | `Never` |
pub fn resend_rule(delivery: &Delivery, error: &ApiError) -> Resend {
    if *error == ApiError::Cancelled {
        return Resend::Never;
    }
    match delivery {
        Delivery::NotSent if error.is_retryable() => Resend::AfterDelay,
        Delivery::NotSent => Resend::Never,
        Delivery::NoAnswer | Delivery::Unreadable => Resend::LookFirst,
        Delivery::Answered { status, code } => match status {
            408 | 500..=599 => Resend::LookFirst,
            429 if code.as_deref() == Some("QUOTA_EXCEEDED") => Resend::Never,
            429 | 412 => Resend::AfterDelay,
            _ => Resend::Never,
        },
    }
}

/// `POST /indexes/{index_name}/backups`. Success is 201 (2025-04 to
/// 2026-04) or 200 (2026-07), with the new BackupModel.
pub(super) fn create_backup(
    client: &Client,
    index: &IndexName,
    backup: &NewBackup,
    timeout: Duration,
) -> Result<Backup, WriteFailure> {
    let path = format!("/indexes/{}/backups", percent_encode(index.as_str()));
    let mut response = client
        .post_json(&path, &backup.body(), timeout)
        .map_err(|unanswered| {
            let delivery = if unanswered.sent {
                Delivery::NoAnswer
            } else {
                Delivery::NotSent
            };
            WriteFailure::new(unanswered.error, delivery)
        })?;
    let status = response.status();
    if !status.is_success() {
        let refusal = client.refusal(&mut response, Subject::NewBackupOf(index.as_str()));
        let delivery = Delivery::Answered {
            status: refusal.status,
            code: refusal.code,
        };
        return Err(WriteFailure::new(refusal.error, delivery));
    }
    let unreadable = |error| WriteFailure::new(error, Delivery::Unreadable);
    let value = client
        .read_json(&mut response, MAX_BODY_BYTES, "the new BackupModel")
        .map_err(unreadable)?;
    let created = Backup::from_value(value).map_err(|detail| {
        unreadable(ApiError::Malformed {
            detail: format!("HTTP {}: {}", status_line(status), client.quote(&detail)),
        })
    })?;
    match created.text("backup_id") {
        Some(id) if !id.trim().is_empty() => Ok(created),
        _ => Err(unreadable(ApiError::Malformed {
            detail: format!(
                "HTTP {}: the new backup's answer has no backup_id",
                status_line(status)
            ),
        })),
    }
}

/// The largest create-index answer accepted (two ids).
const MAX_CREATE_INDEX_BODY_BYTES: u64 = 64 * 1024;

/// `POST /backups/{backup_id}/create-index`: a restore of the backup into
/// a new index. Success is 202 with a `CreateIndexFromBackupResponse`
/// (any 2xx is read the same); a 2xx whose body cannot be read means the
/// restore started under an unknown job (`Delivery::Unreadable`, so the
/// caller looks for it). What 404, 409 and 412 mean is the client's
/// (`Subject::NewIndexFrom`); the status is kept in `Delivery::Answered`
/// for the caller.
pub(super) fn create_index_from_backup(
    client: &Client,
    backup: &BackupId,
    request: &CreateIndexRequest,
    timeout: Duration,
) -> Result<CreateIndexResponse, WriteFailure> {
    let path = format!("/backups/{}/create-index", backup.path_segment());
    let mut response = client
        .post_json(&path, &request.to_json(), timeout)
        .map_err(|unanswered| {
            let delivery = if unanswered.sent {
                Delivery::NoAnswer
            } else {
                Delivery::NotSent
            };
            WriteFailure::new(unanswered.error, delivery)
        })?;
    let status = response.status();
    if !status.is_success() {
        let subject = Subject::NewIndexFrom {
            backup: backup.as_str(),
            index: request.name.as_str(),
        };
        let refusal = client.refusal(&mut response, subject);
        let delivery = Delivery::Answered {
            status: refusal.status,
            code: refusal.code,
        };
        return Err(WriteFailure::new(refusal.error, delivery));
    }
    let unreadable = |error| WriteFailure::new(error, Delivery::Unreadable);
    let text = client
        .read_text(
            &mut response,
            MAX_CREATE_INDEX_BODY_BYTES,
            "a CreateIndexFromBackupResponse",
        )
        .map_err(unreadable)?;
    match restore_request::classify(status.as_u16(), &text, client.key()) {
        CreateIndexAnswer::Accepted(answer) => Ok(answer),
        CreateIndexAnswer::AcceptedUnreadable { detail } => Err(unreadable(ApiError::Malformed {
            detail: client.quote(&detail),
        })),
        other => Err(unreadable(ApiError::Malformed {
            detail: format!(
                "HTTP {}: read as {other:?}, not as a success",
                status_line(status)
            ),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(status: u16, code: Option<&str>) -> Delivery {
        Delivery::Answered {
            status,
            code: code.map(str::to_owned),
        }
    }

    #[test]
    fn the_resend_rule_sends_again_only_when_the_server_cannot_have_acted() {
        let transient = ApiError::transient("x");
        let unresolved = ApiError::Unresolved {
            host: "h".into(),
            proxy: false,
            detail: "d".into(),
        };
        let tls = ApiError::Rejected {
            detail: "TLS error".into(),
        };
        let rows = [
            (Delivery::NotSent, &transient, Resend::AfterDelay),
            (Delivery::NotSent, &unresolved, Resend::AfterDelay),
            (Delivery::NotSent, &tls, Resend::Never),
            (Delivery::NoAnswer, &transient, Resend::LookFirst),
            (Delivery::Unreadable, &tls, Resend::LookFirst),
            (answered(408, None), &transient, Resend::LookFirst),
            (
                answered(500, Some("UNKNOWN")),
                &transient,
                Resend::LookFirst,
            ),
            (answered(502, None), &transient, Resend::LookFirst),
            (answered(503, None), &transient, Resend::LookFirst),
            (
                answered(429, Some("RESOURCE_EXHAUSTED")),
                &transient,
                Resend::AfterDelay,
            ),
            (answered(429, None), &transient, Resend::AfterDelay),
            (answered(429, Some("QUOTA_EXCEEDED")), &tls, Resend::Never),
            (answered(400, Some("INVALID_ARGUMENT")), &tls, Resend::Never),
            (answered(401, None), &tls, Resend::Never),
            (answered(402, None), &tls, Resend::Never),
            (answered(403, Some("FORBIDDEN")), &tls, Resend::Never),
            (answered(404, Some("NOT_FOUND")), &tls, Resend::Never),
            (answered(409, None), &tls, Resend::Never),
            (
                answered(412, Some("FAILED_PRECONDITION")),
                &transient,
                Resend::AfterDelay,
            ),
            (answered(422, None), &tls, Resend::Never),
            (answered(302, None), &tls, Resend::Never),
            (Delivery::NoAnswer, &ApiError::Cancelled, Resend::Never),
            (Delivery::NotSent, &ApiError::Cancelled, Resend::Never),
        ];
        for (delivery, error, want) in rows {
            assert_eq!(
                resend_rule(&delivery, error),
                want,
                "{delivery:?} {error:?}"
            );
        }
    }

    #[test]
    fn the_body_always_names_the_backup_and_leaves_out_an_absent_description() {
        let named = NewBackup {
            name: "prod-20260320-143000-a1b2c3".into(),
            description: None,
        };
        assert_eq!(
            named.body().to_string(),
            r#"{"name":"prod-20260320-143000-a1b2c3"}"#
        );
        let described = NewBackup {
            name: "n".into(),
            description: Some("before \"deploy\"".into()),
        };
        assert_eq!(
            described.body().to_string(),
            r#"{"description":"before \"deploy\"","name":"n"}"#
        );
    }
}
