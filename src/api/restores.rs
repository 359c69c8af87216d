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
use super::client::{Client, Subject};
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
    let response = client.get(&path, timeout)?;
    let (job, status) = client.read_model(
        response,
        Subject::RestoreJob(id.as_str()),
        MAX_BODY_BYTES,
        "a RestoreJobModel",
        RestoreJob::from_value,
    )?;
    client.same_object(status, "restore job", id.as_str(), job.restore_job_id())?;
    Ok(job)
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
    let response = client.get(&path, timeout)?;
    let (page, _) = client.read_model(
        response,
        Subject::RestoreJobs,
        MAX_PAGE_BYTES,
        "a RestoreJobList",
        RestoreJobPage::from_value,
    )?;
    Ok(page)
}

/// Describes one index; an answer about another index is refused.
pub(super) fn describe_index(
    client: &Client,
    name: &IndexName,
    timeout: Duration,
) -> Result<IndexModel, ApiError> {
    // An index name is `[a-z0-9-]` only: a path segment as it is.
    let path = format!("/indexes/{}", name.as_str());
    let response = client.get(&path, timeout)?;
    let (index, status) = client.read_model(
        response,
        Subject::Index(name.as_str()),
        MAX_BODY_BYTES,
        "an IndexModel",
        IndexModel::from_value,
    )?;
    client.same_object(status, "index", name.as_str(), index.name())?;
    Ok(index)
}

/// `POST /describe_index_stats` on the index's host, with an empty filter
/// (`{}`): the counts of the whole index.
pub(super) fn describe_index_stats(
    client: &Client,
    host: &IndexHost,
    index: &IndexName,
    timeout: Duration,
) -> Result<IndexStats, ApiError> {
    let response = client.post_json_to(host, "/describe_index_stats", &json!({}), timeout)?;
    let (stats, _) = client.read_model(
        response,
        Subject::IndexStats(index.as_str()),
        MAX_STATS_BYTES,
        "an IndexDescription",
        IndexStats::from_value,
    )?;
    Ok(stats)
}
