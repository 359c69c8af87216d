//! Reading what a restore makes: `GET /restore-jobs/{job_id}`, one page of
//! `GET /restore-jobs`, `GET /indexes/{index_name}` (control plane) and
//! `POST https://{index host}/describe_index_stats` (the index's own data
//! plane). What a status code means is the client's; what a body must be is
//! the models' (`restore_job`, `index_model`, `index_stats`); this file says
//! which answer is refused on top of that: a description of another job or
//! another index, which a gate must never pass on.

use std::time::Duration;

use serde_json::json;

use super::ApiError;
use super::client::{Client, Subject, status_line};
use super::index_model::{IndexHost, IndexModel};
use super::index_stats::IndexStats;
use super::restore_job::{RestoreJob, RestoreJobPage};
use crate::config::{IndexName, RestoreJobId, percent_encode};

/// The largest describe body accepted (a RestoreJobModel or IndexModel is
/// well under 4 KiB; the limit bounds memory, as for backups).
const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// The largest page of restore jobs accepted.
const MAX_PAGE_BYTES: u64 = 16 * MAX_BODY_BYTES;

/// The largest `describe_index_stats` answer: one entry per namespace, and
/// an index may hold many namespaces.
const MAX_STATS_BYTES: u64 = 16 * MAX_BODY_BYTES;

/// Restore jobs asked for per page: the most the specs allow (`limit`, 1
/// to 100).
pub const RESTORE_JOBS_PAGE_SIZE: usize = 100;

/// Describes one restore job; an answer about another job is refused.
pub(super) fn describe_restore_job(
    client: &Client,
    id: &RestoreJobId,
    timeout: Duration,
) -> Result<RestoreJob, ApiError> {
    let path = format!("/restore-jobs/{}", id.path_segment());
    let mut response = client.get(&path, timeout)?;
    let status = response.status();
    if !status.is_success() {
        return Err(client
            .refusal(&mut response, Subject::RestoreJob(id.as_str()))
            .error);
    }
    let value = client.read_json(&mut response, MAX_BODY_BYTES, "a RestoreJobModel")?;
    let job = RestoreJob::from_value(value).map_err(|detail| ApiError::Malformed {
        detail: format!("HTTP {}: {}", status_line(status), client.quote(&detail)),
    })?;
    match job.restore_job_id() {
        Some(other) if other != id.as_str() => Err(ApiError::Malformed {
            detail: format!(
                "HTTP {}: the answer describes restore job '{}', not the requested job '{}'",
                status_line(status),
                client.quote(other),
                client.quote(id.as_str())
            ),
        }),
        _ => Ok(job),
    }
}

/// One page of every restore job of the project (the API has no filter),
/// the first or the one `token` names.
pub(super) fn list_restore_jobs(
    client: &Client,
    token: Option<&str>,
    timeout: Duration,
) -> Result<RestoreJobPage, ApiError> {
    let mut path = format!("/restore-jobs?limit={RESTORE_JOBS_PAGE_SIZE}");
    if let Some(token) = token {
        path.push_str("&paginationToken=");
        path.push_str(&percent_encode(token));
    }
    let mut response = client.get(&path, timeout)?;
    let status = response.status();
    if !status.is_success() {
        return Err(client.refusal(&mut response, Subject::RestoreJobs).error);
    }
    let value = client.read_json(&mut response, MAX_PAGE_BYTES, "a RestoreJobList")?;
    RestoreJobPage::from_value(value).map_err(|detail| ApiError::Malformed {
        detail: format!("HTTP {}: {}", status_line(status), client.quote(&detail)),
    })
}

/// Describes one index; an answer about another index is refused.
pub(super) fn describe_index(
    client: &Client,
    name: &IndexName,
    timeout: Duration,
) -> Result<IndexModel, ApiError> {
    // An index name is `[a-z0-9-]` only: a path segment as it is.
    let path = format!("/indexes/{}", name.as_str());
    let mut response = client.get(&path, timeout)?;
    let status = response.status();
    if !status.is_success() {
        return Err(client
            .refusal(&mut response, Subject::Index(name.as_str()))
            .error);
    }
    let value = client.read_json(&mut response, MAX_BODY_BYTES, "an IndexModel")?;
    let index = IndexModel::from_value(value).map_err(|detail| ApiError::Malformed {
        detail: format!("HTTP {}: {}", status_line(status), client.quote(&detail)),
    })?;
    match index.name() {
        Some(other) if other != name.as_str() => Err(ApiError::Malformed {
            detail: format!(
                "HTTP {}: the answer describes index '{}', not the requested index '{name}'",
                status_line(status),
                client.quote(other),
            ),
        }),
        _ => Ok(index),
    }
}

/// `POST /describe_index_stats` on the index's host, with an empty filter
/// (`{}`): the counts of the whole index.
pub(super) fn describe_index_stats(
    client: &Client,
    host: &IndexHost,
    index: &IndexName,
    timeout: Duration,
) -> Result<IndexStats, ApiError> {
    let mut response = client.post_json_to(host, "/describe_index_stats", &json!({}), timeout)?;
    let status = response.status();
    if !status.is_success() {
        return Err(client
            .refusal(&mut response, Subject::IndexStats(index.as_str()))
            .error);
    }
    let value = client.read_json(&mut response, MAX_STATS_BYTES, "an IndexDescription")?;
    IndexStats::from_value(value).map_err(|detail| ApiError::Malformed {
        detail: format!("HTTP {}: {}", status_line(status), client.quote(&detail)),
    })
}
