//! From a request to the world's answer: the API key, the route, the body
//! and query checks, pagination, and the status code and body each spec
//! gives. The objects and their JSON models live in `state`; the bytes on
//! the wire in `control_plane`.

use std::collections::BTreeMap;
use std::io;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::replies;
use super::state::{NewRestore, RestorePlan, State};
use super::timeline::WorldClock;
use super::{Endpoint, LastPage, ListKind, Paging, Settings};
use crate::control_plane::{Recorded, Reply};

/// What a request is answered from.
pub(crate) struct Ctx<'a> {
    pub(crate) state: &'a mut State,
    pub(crate) settings: &'a Settings,
    pub(crate) clock: &'a WorldClock,
    pub(crate) now: Duration,
    /// Binds a data-plane listener for a new index; answers its host.
    pub(crate) open_data_plane: &'a mut dyn FnMut(&str) -> io::Result<String>,
}

/// The world's answer to `request` arriving at `endpoint`, changing the
/// world as the request asks.
pub(crate) fn route(ctx: Ctx<'_>, endpoint: &Endpoint, request: &Recorded) -> Reply {
    if let Some(key) = &ctx.settings.api_key
        && request.header("api-key") != Some(key.as_str())
    {
        return if ctx.settings.unauthorized_as_json {
            replies::unauthorized_json()
        } else {
            replies::unauthorized_text()
        };
    }
    let target = Target::parse(&request.target);
    let segments: Vec<&str> = target.segments.iter().map(String::as_str).collect();
    let method = request.method.as_str();
    match endpoint {
        Endpoint::DataPlane { index } => match (method, segments.as_slice()) {
            ("POST", ["describe_index_stats"]) => describe_index_stats(ctx, index, &request.body),
            (_, ["describe_index_stats"]) => method_not_allowed("POST"),
            _ => not_found(&request.method, &target.path),
        },
        Endpoint::ControlPlane => match (method, segments.as_slice()) {
            ("GET", ["indexes"]) => list_indexes(ctx),
            ("GET", ["indexes", name]) => describe_index(ctx, name),
            ("DELETE", ["indexes", name]) => delete_index(ctx, name),
            ("GET", ["indexes", name, "backups"]) => list_index_backups(ctx, name, &target),
            ("POST", ["indexes", name, "backups"]) => create_backup(ctx, name, &request.body),
            ("GET", ["backups"]) => list_project_backups(ctx, &target),
            ("GET", ["backups", id]) => describe_backup(ctx, id),
            ("POST", ["backups", id, "create-index"]) => create_index(ctx, id, &request.body),
            ("GET", ["restore-jobs"]) => list_restore_jobs(ctx, &target),
            ("GET", ["restore-jobs", id]) => describe_restore_job(ctx, id),
            (_, ["indexes", _]) => method_not_allowed("GET, DELETE"),
            (_, ["indexes"] | ["backups"] | ["backups", _])
            | (_, ["restore-jobs"] | ["restore-jobs", _]) => method_not_allowed("GET"),
            (_, ["indexes", _, "backups"]) => method_not_allowed("GET, POST"),
            (_, ["backups", _, "create-index"]) => method_not_allowed("POST"),
            _ => not_found(&request.method, &target.path),
        },
    }
}

fn not_found(method: &str, path: &str) -> Reply {
    Reply::error(404, "NOT_FOUND", &format!("No route for {method} {path}"))
}

fn method_not_allowed(allow: &str) -> Reply {
    Reply::error(405, "UNIMPLEMENTED", "Method not allowed").with_header("Allow", allow)
}

/// `GET /indexes`: `components.schemas.IndexList` (no pagination in any
/// version).
fn list_indexes(ctx: Ctx<'_>) -> Reply {
    let indexes: Vec<Value> = ctx
        .state
        .indexes
        .iter()
        .filter(|index| index.visible_from <= ctx.now)
        .map(|index| ctx.state.index_model(index, ctx.now))
        .collect();
    Reply::json(200, json!({ "indexes": indexes }))
}

/// `GET /indexes/{index_name}`: `IndexModel`, or 404 `NOT_FOUND`.
fn describe_index(ctx: Ctx<'_>, name: &str) -> Reply {
    match ctx.state.visible_index(name, ctx.now) {
        Some(index) => Reply::json(200, ctx.state.index_model(index, ctx.now)),
        None => replies::index_not_found(name),
    }
}

/// `DELETE /indexes/{index_name}`: 202 with no body, and the index is gone
/// at once (Pinecone takes a while; a cleanup step only needs the 202); 403
/// while deletion protection is enabled; 404 `NOT_FOUND`. The index's
/// backups and restore jobs stay, as they do at Pinecone.
fn delete_index(ctx: Ctx<'_>, name: &str) -> Reply {
    let Some(index) = ctx.state.visible_index(name, ctx.now) else {
        return replies::index_not_found(name);
    };
    if index.deletion_protection == "enabled" {
        return replies::deletion_protection();
    }
    ctx.state.indexes.retain(|index| index.name != name);
    Reply::Http {
        status: 202,
        headers: Vec::new(),
        body: Vec::new(),
    }
}

/// `GET /backups/{backup_id}`: `BackupModel`, or 404 `NOT_FOUND`.
fn describe_backup(ctx: Ctx<'_>, id: &str) -> Reply {
    match ctx.state.visible_backup(id, ctx.now) {
        Some(backup) => Reply::json(200, ctx.state.backup_model(backup, ctx.now)),
        None => replies::backup_not_found(id),
    }
}

/// `GET /restore-jobs/{job_id}`: `RestoreJobModel`, or 404 `NOT_FOUND`.
fn describe_restore_job(ctx: Ctx<'_>, id: &str) -> Reply {
    match ctx.state.visible_job(id, ctx.now) {
        Some(job) => Reply::json(
            200,
            ctx.state
                .job_model(job, ctx.now, ctx.clock, ctx.settings.percent_style),
        ),
        None => replies::restore_job_not_found(id),
    }
}

/// `GET /indexes/{index_name}/backups`: a `BackupList` page of the index's
/// backups, or 404 `NOT_FOUND` for an unknown index.
fn list_index_backups(ctx: Ctx<'_>, name: &str, target: &Target) -> Reply {
    if ctx.state.visible_index(name, ctx.now).is_none() {
        return replies::index_not_found(name);
    }
    let backups: Vec<_> = ctx
        .state
        .backups
        .iter()
        .filter(|backup| backup.source_index_name == name && backup.visible_from <= ctx.now)
        .collect();
    let scope = format!("index-backups/{name}");
    let page = match Page::of(
        &backups,
        &scope,
        ListKind::IndexBackups,
        target,
        ctx.settings,
    ) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let data = page
        .items
        .iter()
        .map(|backup| ctx.state.backup_model(backup, ctx.now))
        .collect();
    Reply::json(200, page.body(data, ctx.settings.last_page))
}

/// `GET /backups`: a `BackupList` page of every backup in the project.
fn list_project_backups(ctx: Ctx<'_>, target: &Target) -> Reply {
    let backups: Vec<_> = ctx
        .state
        .backups
        .iter()
        .filter(|backup| backup.visible_from <= ctx.now)
        .collect();
    let page = match Page::of(
        &backups,
        "backups",
        ListKind::ProjectBackups,
        target,
        ctx.settings,
    ) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let data = page
        .items
        .iter()
        .map(|backup| ctx.state.backup_model(backup, ctx.now))
        .collect();
    Reply::json(200, page.body(data, ctx.settings.last_page))
}

/// `GET /restore-jobs`: a `RestoreJobList` page of every job (the specs
/// give no filter).
fn list_restore_jobs(ctx: Ctx<'_>, target: &Target) -> Reply {
    let jobs: Vec<_> = ctx
        .state
        .jobs
        .iter()
        .filter(|job| job.visible_from <= ctx.now)
        .collect();
    let page = match Page::of(
        &jobs,
        "restore-jobs",
        ListKind::RestoreJobs,
        target,
        ctx.settings,
    ) {
        Ok(page) => page,
        Err(reply) => return reply,
    };
    let data = page
        .items
        .iter()
        .map(|job| {
            ctx.state
                .job_model(job, ctx.now, ctx.clock, ctx.settings.percent_style)
        })
        .collect();
    Reply::json(200, page.body(data, ctx.settings.last_page))
}

/// `POST /indexes/{index_name}/backups` with a `CreateBackupRequest`:
/// `201` (or `200` as 2026-07 answers) with the new `BackupModel`; 422 for a
/// body that is not one, 404 for an unknown index (the specs list no 404
/// here; describe-index's is the model), 403 past the backup quota.
fn create_backup(ctx: Ctx<'_>, index: &str, body: &[u8]) -> Reply {
    let fields = match json_object(body) {
        Ok(fields) => fields,
        Err(reply) => return reply,
    };
    let name = match optional_string(&fields, "name") {
        Ok(name) => name,
        Err(reply) => return reply,
    };
    let description = match optional_string(&fields, "description") {
        Ok(description) => description,
        Err(reply) => return reply,
    };
    if ctx.state.visible_index(index, ctx.now).is_none() {
        return replies::index_not_found(index);
    }
    if ctx
        .settings
        .backup_quota
        .is_some_and(|quota| ctx.state.backups.len() >= quota)
    {
        return replies::backup_quota();
    }
    let backup = ctx
        .state
        .create_backup(
            index,
            name,
            description,
            ctx.settings.backup_timeline.clone(),
            ctx.now,
            ctx.clock,
        )
        .clone();
    ctx.state
        .hide_until(&[&backup.id], ctx.now + ctx.settings.visibility_lag);
    Reply::json(
        ctx.settings.create_backup_status,
        ctx.state.backup_model(&backup, ctx.now),
    )
}

/// `POST /backups/{backup_id}/create-index` with a
/// `CreateIndexFromBackupRequest`: `202` with a
/// `CreateIndexFromBackupResponse`; 422 for a body that is not one, 400 for
/// a bad name or `deletion_protection`, 404 for an unknown backup, 409 when
/// the name is taken, 412 (2026-07) while the backup is not `Ready`, 403
/// past the index quota.
fn create_index(ctx: Ctx<'_>, backup_id: &str, body: &[u8]) -> Reply {
    let request = match restore_request(backup_id, body) {
        Ok(request) => request,
        Err(reply) => return reply,
    };
    let Some(backup) = ctx.state.visible_backup(backup_id, ctx.now) else {
        return replies::backup_not_found(backup_id);
    };
    if ctx.settings.restore_needs_ready_backup && backup.status(ctx.now) != "Ready" {
        return replies::backup_not_completed(backup_id);
    }
    // Pinecone knows the name is taken even while the index is not yet
    // visible to describes.
    if ctx.state.index(&request.name).is_some() {
        return replies::already_exists();
    }
    if ctx
        .settings
        .index_quota
        .is_some_and(|quota| ctx.state.indexes.len() >= quota)
    {
        return replies::index_quota();
    }
    let host = match (ctx.open_data_plane)(&request.name) {
        Ok(host) => host,
        Err(_) => return replies::internal_error(),
    };
    let plan = RestorePlan {
        job: ctx.settings.restore_job_timeline.clone(),
        index: ctx.settings.restored_index_timeline.clone(),
        stats: ctx.settings.stats.clone(),
        host,
    };
    let (restore_job_id, index_id) = ctx.state.restore(request, plan, ctx.now, ctx.clock);
    ctx.state.hide_until(
        &[&restore_job_id, &index_id],
        ctx.now + ctx.settings.visibility_lag,
    );
    Reply::json(
        202,
        json!({"restore_job_id": restore_job_id, "index_id": index_id}),
    )
}

/// The checks of a create-index body, as Pinecone makes them: shape first
/// (422), then values (400).
fn restore_request(backup_id: &str, body: &[u8]) -> Result<NewRestore, Reply> {
    let fields = json_object(body)?;
    let name = match fields.get("name") {
        None => return Err(replies::unprocessable_because("missing field `name`")),
        Some(Value::String(name)) => name.clone(),
        Some(other) => return Err(wrong_type("name", other, "a string")),
    };
    let tags = match fields.get("tags") {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(Value::Object(tags)) => {
            let mut strings = BTreeMap::new();
            for (key, value) in tags {
                let Value::String(value) = value else {
                    return Err(wrong_type("tags", value, "a string"));
                };
                strings.insert(key.clone(), value.clone());
            }
            strings
        }
        Some(other) => return Err(wrong_type("tags", other, "a map")),
    };
    let deletion_protection = match fields.get("deletion_protection") {
        None => None,
        Some(Value::String(value)) if value == "enabled" || value == "disabled" => {
            Some(value.clone())
        }
        Some(Value::String(value)) => {
            return Err(replies::unprocessable_because(&format!(
                "deletion_protection: unknown variant `{value}`, expected `disabled` or `enabled`"
            )));
        }
        Some(other) => return Err(wrong_type("deletion_protection", other, "a string")),
    };
    if !valid_index_name(&name) {
        return Err(replies::invalid_index_name());
    }
    Ok(NewRestore {
        backup_id: backup_id.to_owned(),
        name,
        tags,
        deletion_protection,
    })
}

/// Pinecone's rule for resource names (`CreateIndexFromBackupRequest.name`):
/// 1-45 characters, lowercase alphanumerics or `-`, starting and ending
/// alphanumeric.
pub(crate) fn valid_index_name(name: &str) -> bool {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = name.as_bytes();
    (1..=45).contains(&bytes.len())
        && bytes.iter().all(|&b| alnum(b) || b == b'-')
        && alnum(bytes[0])
        && alnum(bytes[bytes.len() - 1])
}

/// `POST /describe_index_stats` on an index host: `IndexDescription`
/// (db_data 2025-10, 2026-04). A body that is not JSON gets the data
/// plane's `rpcStatus` 400.
fn describe_index_stats(ctx: Ctx<'_>, index: &str, body: &[u8]) -> Reply {
    if !body.is_empty() && serde_json::from_slice::<Value>(body).is_err() {
        return Reply::json(
            400,
            json!({"code": 3, "message": "Invalid request body", "details": []}),
        );
    }
    match ctx.state.index(index) {
        Some(index) => Reply::json(200, ctx.state.stats_model(index, ctx.now)),
        None => Reply::json(
            404,
            json!({"code": 5, "message": "Index not found", "details": []}),
        ),
    }
}

fn json_object(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(other) => Err(wrong_type("body", &other, "a map")),
        Err(err) => Err(replies::unprocessable_because(&err.to_string())),
    }
}

fn optional_string(fields: &Map<String, Value>, name: &str) -> Result<Option<String>, Reply> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value)) => Ok(Some(value.clone())),
        Some(other) => Err(wrong_type(name, other, "a string")),
    }
}

fn wrong_type(field: &str, value: &Value, expected: &str) -> Reply {
    let got = match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a sequence",
        Value::Object(_) => "a map",
    };
    replies::unprocessable_because(&format!(
        "{field}: invalid type: {got}, expected {expected}"
    ))
}

/// One page of a list, per the `limit` and `paginationToken` query
/// parameters of every list in the specs (`limit` 1-100, default 10 up to
/// 2026-04 and 100 in 2026-07; a malformed token is a 400).
struct Page<'a, T> {
    items: &'a [T],
    next: Option<String>,
}

impl<'a, T> Page<'a, T> {
    fn of(
        items: &'a [T],
        scope: &str,
        kind: ListKind,
        target: &Target,
        settings: &Settings,
    ) -> Result<Page<'a, T>, Reply> {
        let limit = match target.query("limit") {
            None => settings.default_page_size,
            Some(text) => match text.parse::<usize>() {
                Ok(limit) if (1..=100).contains(&limit) => limit,
                _ => {
                    return Err(Reply::error(
                        400,
                        "INVALID_ARGUMENT",
                        &format!("limit must be an integer from 1 to 100, got '{text}'"),
                    ));
                }
            },
        };
        let received = target.query("paginationToken");
        let offset = match &received {
            None => 0,
            Some(token) => match decode_token(token, scope) {
                Some(offset) => offset,
                None => {
                    return Err(Reply::error(
                        400,
                        "INVALID_ARGUMENT",
                        "Invalid pagination token",
                    ));
                }
            },
        };
        let start = offset.min(items.len());
        let end = offset.saturating_add(limit).min(items.len());
        let after = offset.saturating_add(limit);
        let next = match settings.paging.get(&kind).copied().unwrap_or_default() {
            Paging::Normal => (after < items.len()).then(|| encode_token(scope, after)),
            Paging::RepeatNext => Some(match received {
                Some(token) => token.to_owned(),
                None => encode_token(scope, after),
            }),
            Paging::Endless => Some(encode_token(scope, after)),
        };
        Ok(Page {
            items: &items[start..end],
            next,
        })
    }

    /// `{"data": [...], "pagination": {"next": ...}}`; on the last page
    /// `pagination` is absent or `null` (`PaginationResponse` requires
    /// `next`, so it cannot be an empty object).
    fn body(&self, data: Vec<Value>, last_page: LastPage) -> Value {
        let mut body = json!({ "data": data });
        match (&self.next, last_page) {
            (Some(next), _) => body["pagination"] = json!({ "next": next }),
            (None, LastPage::Null) => body["pagination"] = Value::Null,
            (None, LastPage::Absent) => {}
        }
        body
    }
}

/// Opaque to clients: standard base64 (with `=` padding, like the specs'
/// example `dXNlcl9pZD11c2VyXzE=`) of the list it belongs to and an offset,
/// so a token from another list is refused.
fn encode_token(scope: &str, offset: usize) -> String {
    base64(format!("{scope}:{offset}").as_bytes())
}

fn decode_token(token: &str, scope: &str) -> Option<usize> {
    let text = String::from_utf8(unbase64(token)?).ok()?;
    let (from, offset) = text.rsplit_once(':')?;
    (from == scope).then(|| offset.parse().ok()).flatten()
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn unbase64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::new();
    let (mut bits, mut count) = (0u32, 0);
    for c in text.bytes() {
        let value = BASE64.iter().position(|&b| b == c)? as u32;
        bits = bits << 6 | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count & 0xff) as u8);
        }
    }
    Some(out)
}

/// A request target split into decoded path segments and query pairs.
pub(crate) struct Target {
    /// The path as sent, without the query.
    pub(crate) path: String,
    pub(crate) segments: Vec<String>,
    pub(crate) query: Vec<(String, String)>,
}

impl Target {
    pub(crate) fn parse(target: &str) -> Target {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        Target {
            path: path.to_owned(),
            segments: path
                .split('/')
                .filter(|segment| !segment.is_empty())
                .map(percent_decode)
                .collect(),
            query: query
                .split('&')
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                    (percent_decode(name), percent_decode(value))
                })
                .collect(),
        }
    }

    /// The first value of a query parameter.
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `%XX` decoded; `+` stays `+` (a token's `+` must come percent-encoded).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap() * 16 + hex(l).unwrap()) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_within_their_list_only() {
        let token = encode_token("index-backups/prod", 10);
        assert_eq!(decode_token(&token, "index-backups/prod"), Some(10));
        assert_eq!(decode_token(&token, "index-backups/other"), None);
        assert_eq!(decode_token("not base64!", "backups"), None);
        assert_eq!(base64(b"user_id=user_1"), "dXNlcl9pZD11c2VyXzE=");
        assert_eq!(unbase64("dXNlcl9pZD11c2VyXzE=").unwrap(), b"user_id=user_1");
    }

    #[test]
    fn targets_decode_segments_and_query() {
        let target = Target::parse("/indexes/a%2Db/backups?limit=5&paginationToken=YQ%3D%3D");
        assert_eq!(target.segments, ["indexes", "a-b", "backups"]);
        assert_eq!(target.query("limit"), Some("5"));
        assert_eq!(target.query("paginationToken"), Some("YQ=="));
        assert_eq!(target.query("other"), None);
        assert_eq!(target.path, "/indexes/a%2Db/backups");
    }

    #[test]
    fn index_names_follow_pinecones_rule() {
        for good in ["a", "prod", "drill-42", &"a".repeat(45)] {
            assert!(valid_index_name(good), "{good}");
        }
        for bad in ["", "-a", "a-", "Prod", "a_b", "a.b", &"a".repeat(46)] {
            assert!(!valid_index_name(bad), "{bad}");
        }
    }
}
