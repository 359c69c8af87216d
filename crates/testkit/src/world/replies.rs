//! Pinecone's error answers, word for word from the response examples of
//! its db_control specs (2025-04 to 2026-04, and 2026-07 where it differs),
//! for the world's own answers and for faults a test scripts. Each function
//! names the spec place its body comes from.

use crate::control_plane::Reply;

/// 401, `text/plain` `Invalid API key`: Pinecone's auth layer, documented
/// as `components.schemas.UnauthorizedMessage` in 2026-07 ("authentication
/// failures are rejected before the request reaches the API").
pub fn unauthorized_text() -> Reply {
    Reply::text(401, "Invalid API key")
}

/// 401 `UNAUTHENTICATED` `Invalid API key.`: every path's `401` example
/// `unauthorized` in 2025-04 to 2026-04.
pub fn unauthorized_json() -> Reply {
    Reply::error(401, "UNAUTHENTICATED", "Invalid API key.")
}

/// 400 `INVALID_ARGUMENT`: `POST /indexes/{index_name}/backups` `400`
/// example `index-metric-validation-error`.
pub fn invalid_argument() -> Reply {
    Reply::error(
        400,
        "INVALID_ARGUMENT",
        "Bad request. The request body included invalid request parameters.",
    )
}

/// 400 `INVALID_ARGUMENT` for an index name breaking the naming rule:
/// `components.schemas.ErrorResponse.properties.error.example`.
pub fn invalid_index_name() -> Reply {
    Reply::error(
        400,
        "INVALID_ARGUMENT",
        "Index name must contain only lowercase alphanumeric characters or hyphens, and must \
         not begin or end with a hyphen.",
    )
}

/// 402 `PAYMENT_REQUIRED`: `POST /indexes/{index_name}/backups` and
/// `POST /backups/{backup_id}/create-index` `402` example `payment-required`.
pub fn payment_required() -> Reply {
    Reply::error(
        402,
        "PAYMENT_REQUIRED",
        "Request failed. Pay all past due invoices to lift restrictions on your account.",
    )
}

/// 403 `FORBIDDEN`, the backup quota: `POST /indexes/{index_name}/backups`
/// `403` ("You've exceed your backup quota.") example `unauthorized`.
pub fn backup_quota() -> Reply {
    Reply::error(
        403,
        "FORBIDDEN",
        "Increase your quota or upgrade to create more backups.",
    )
}

/// 403 `FORBIDDEN`, the index quota: `POST /backups/{backup_id}/create-index`
/// `403` ("You've exceed your pod quota.") example `unauthorized`.
pub fn index_quota() -> Reply {
    Reply::error(
        403,
        "FORBIDDEN",
        "Increase your quota or upgrade to create more indexes.",
    )
}

/// 403 `FORBIDDEN`, deletion protection: `DELETE /indexes/{index_name}`
/// `403` example `deletion-protection`.
pub fn deletion_protection() -> Reply {
    Reply::error(
        403,
        "FORBIDDEN",
        "Deletion protection is enabled for this index. Disable deletion protection before \
         retrying.",
    )
}

/// 403 `PERMISSION_DENIED`: 2026-07 `GET /backups/{backup_id}` `403` example
/// `permission-denied` (a key without the permission, not a quota).
pub fn permission_denied() -> Reply {
    Reply::error(
        403,
        "PERMISSION_DENIED",
        "Access denied: Permission control::backups::list is required",
    )
}

/// 404 `NOT_FOUND` for an index: `GET /indexes/{index_name}` `404` example
/// `index-not-found`, with the name filled in.
pub fn index_not_found(name: &str) -> Reply {
    Reply::error(404, "NOT_FOUND", &format!("Index {name} not found."))
}

/// 404 `NOT_FOUND` for a backup: `GET /backups/{backup_id}` `404` example
/// `backup-not-found`, with the id filled in.
pub fn backup_not_found(id: &str) -> Reply {
    Reply::error(404, "NOT_FOUND", &format!("Backup {id} not found."))
}

/// 404 `NOT_FOUND` for a restore job: `GET /restore-jobs/{job_id}` `404`
/// example `restore-job-not-found`, with the id filled in.
pub fn restore_job_not_found(id: &str) -> Reply {
    Reply::error(404, "NOT_FOUND", &format!("Restore job {id} not found."))
}

/// 409 `ALREADY_EXISTS`: `POST /backups/{backup_id}/create-index` `409` has
/// no example; this is `POST /indexes` `409` example
/// `index-name-already-exists`.
pub fn already_exists() -> Reply {
    Reply::error(409, "ALREADY_EXISTS", "Resource already exists.")
}

/// 412 `FAILED_PRECONDITION`: 2026-07 `POST /backups/{backup_id}/create-index`
/// `412` example `backup-not-ready`, with the id filled in.
pub fn backup_not_completed(id: &str) -> Reply {
    Reply::error(
        412,
        "FAILED_PRECONDITION",
        &format!("Backup {id} is not completed"),
    )
}

/// 422 `UNPROCESSABLE_ENTITY`: the `422` example `missing-field` of both
/// creates.
pub fn unprocessable() -> Reply {
    unprocessable_because("missing field `metric` at line 1 column 16")
}

/// 422 `UNPROCESSABLE_ENTITY` with the deserializer's own words, in the
/// shape of the `missing-field` example.
pub fn unprocessable_because(reason: &str) -> Reply {
    Reply::error(
        422,
        "UNPROCESSABLE_ENTITY",
        &format!("Failed to deserialize the JSON body into the target type: {reason}"),
    )
}

/// 429 `QUOTA_EXCEEDED`: `components.schemas.ErrorResponse.example`, the
/// one 429 the specs show; final, not a rate limit.
pub fn quota_exceeded() -> Reply {
    Reply::error(
        429,
        "QUOTA_EXCEEDED",
        "The index exceeds the project quota of 5 pods by 2 pods. Upgrade your account or \
         change the project settings to increase the quota.",
    )
}

/// 429 `RESOURCE_EXHAUSTED` with `Retry-After: 1`: a rate limit, to be
/// retried. Not from a spec (none shows one); the code is from the
/// ErrorResponse enum.
pub fn rate_limited() -> Reply {
    Reply::error(
        429,
        "RESOURCE_EXHAUSTED",
        "Too many requests. Slow down and try again.",
    )
    .with_header("Retry-After", "1")
}

/// 500 `UNKNOWN` `Internal server error`: every path's `500` example
/// `internal-server-error`.
pub fn internal_error() -> Reply {
    Reply::error(500, "UNKNOWN", "Internal server error")
}
