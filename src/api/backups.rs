//! Reading backups: `GET /backups/{backup_id}` and one page of
//! `GET /indexes/{index_name}/backups`. What a status code means is the
//! client's; what a body must be is the model's; this file says which
//! answer is refused on top of that (a description of another backup).

use std::time::Duration;

use super::client::{Client, Subject};
use super::{ApiError, Backup, BackupPage};
use crate::config::{BackupId, IndexName, percent_encode};

/// The largest describe body accepted. A BackupModel is about 1 KiB; the
/// limit leaves room for huge descriptions and tag sets, and bounds memory.
const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// The largest page accepted: a full page of such backups.
const MAX_PAGE_BYTES: u64 = 16 * MAX_BODY_BYTES;

/// Backups asked for per page: the most every spec allows (`limit`, 1 to
/// 100), so an index with a year of nightly backups takes four requests.
pub const MAX_PAGE_SIZE: usize = 100;

/// Describes one backup. An answer about another backup is refused: a gate
/// must never pass on another backup's status.
pub(super) fn describe(
    client: &Client,
    id: &BackupId,
    timeout: Duration,
) -> Result<Backup, ApiError> {
    let path = format!("/backups/{}", id.path_segment());
    let response = client.get(&path, timeout)?;
    let (backup, status) = client.read_model(
        response,
        Subject::Backup(id.as_str()),
        MAX_BODY_BYTES,
        "a BackupModel",
        Backup::from_value,
    )?;
    client.same_object(status, "backup", id.as_str(), backup.text("backup_id"))?;
    Ok(backup)
}

/// One page of an index's backups, the first or the one `token` names.
pub(super) fn list(
    client: &Client,
    index: &IndexName,
    token: Option<&str>,
    timeout: Duration,
) -> Result<BackupPage, ApiError> {
    let mut path = format!(
        "/indexes/{}/backups?limit={MAX_PAGE_SIZE}",
        percent_encode(index.as_str())
    );
    if let Some(token) = token {
        // Tokens are base64: `+`, `/` and `=` must not be read as query syntax.
        path.push_str("&paginationToken=");
        path.push_str(&percent_encode(token));
    }
    let response = client.get(&path, timeout)?;
    let (page, _) = client.read_model(
        response,
        Subject::IndexBackups(index.as_str()),
        MAX_PAGE_BYTES,
        "a BackupList",
        |value| {
            BackupPage::from_value(value).map_err(|detail| format!("not a BackupList: {detail}"))
        },
    )?;
    Ok(page)
}
