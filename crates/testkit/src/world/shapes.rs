//! The response schemas of Pinecone's specs, as far as a client relies on
//! them (required fields, types, nullability), and a checker. Test-only:
//! `tests` runs every answer of the world through the schema it claims to
//! follow, and the checker itself is checked against the specs' examples.
//!
//! Sources: `components.schemas` of db_control 2025-04, 2025-10 and
//! 2026-04 (identical for these schemas except where noted), the 2026-07
//! excerpt, and db_data 2025-10 / 2026-04.

use serde_json::Value;

#[derive(Clone, Copy)]
pub(super) enum Kind {
    Str,
    Int,
    Num,
    Bool,
    Arr(&'static Kind),
    Obj(&'static [Field]),
    MapOf(&'static Kind),
}

#[derive(Clone, Copy)]
pub(super) struct Field {
    name: &'static str,
    kind: Kind,
    required: bool,
    nullable: bool,
}

const fn req(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: true,
        nullable: false,
    }
}

const fn opt(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: false,
        nullable: false,
    }
}

const fn nullable(field: Field) -> Field {
    Field {
        nullable: true,
        ..field
    }
}

use Kind::{Bool, Int, Num, Str};

/// `IndexTags`: a map of strings (nullable from 2026-07).
const TAGS: Kind = Kind::MapOf(&Str);

/// `BackupModel`: required `backup_id`, `source_index_name`,
/// `source_index_id`, `status`, `cloud`, `region`.
pub(super) const BACKUP_MODEL: Kind = Kind::Obj(&[
    req("backup_id", Str),
    req("source_index_name", Str),
    req("source_index_id", Str),
    req("status", Str),
    req("cloud", Str),
    req("region", Str),
    opt("name", Str),
    opt("description", Str),
    opt("dimension", Int),
    opt("metric", Str),
    opt("record_count", Int),
    opt("namespace_count", Int),
    opt("size_bytes", Int),
    nullable(opt("tags", TAGS)),
    opt("created_at", Str),
]);

/// `PaginationResponse`: `next` required; `null` or absent on the last
/// page.
const PAGINATION: Kind = Kind::Obj(&[req("next", Str)]);

/// `BackupList` (`data` is not required in the schema; the world always
/// sends it).
pub(super) const BACKUP_LIST: Kind = Kind::Obj(&[
    req("data", Kind::Arr(&BACKUP_MODEL)),
    nullable(opt("pagination", PAGINATION)),
]);

/// `RestoreJobModel` 2025-04 to 2026-04: `percent_complete` a float
/// 0-100, `completed_at` a date-time when present.
pub(super) const RESTORE_JOB_MODEL: Kind = Kind::Obj(&[
    req("restore_job_id", Str),
    req("backup_id", Str),
    req("target_index_name", Str),
    req("target_index_id", Str),
    req("status", Str),
    req("created_at", Str),
    opt("completed_at", Str),
    opt("percent_complete", Num),
]);

/// `RestoreJobModel` 2026-07: `created_at` and `completed_at` nullable,
/// `percent_complete` an integer.
pub(super) const RESTORE_JOB_MODEL_2026_07: Kind = Kind::Obj(&[
    req("restore_job_id", Str),
    req("backup_id", Str),
    req("target_index_name", Str),
    req("target_index_id", Str),
    req("status", Str),
    nullable(req("created_at", Str)),
    nullable(opt("completed_at", Str)),
    opt("percent_complete", Int),
]);

/// `RestoreJobList`: `data` required.
pub(super) const RESTORE_JOB_LIST: Kind = Kind::Obj(&[
    req("data", Kind::Arr(&RESTORE_JOB_MODEL)),
    nullable(opt("pagination", PAGINATION)),
]);

/// `CreateIndexFromBackupResponse`.
pub(super) const CREATE_INDEX_FROM_BACKUP_RESPONSE: Kind =
    Kind::Obj(&[req("restore_job_id", Str), req("index_id", Str)]);

/// `ServerlessSpecResponse` (2025-10, 2026-04: `read_capacity` required, a
/// `ReadCapacityOnDemandSpecResponse` here).
const SERVERLESS_SPEC: Kind = Kind::Obj(&[
    req("cloud", Str),
    req("region", Str),
    req(
        "read_capacity",
        Kind::Obj(&[
            req("mode", Str),
            req("status", Kind::Obj(&[req("state", Str)])),
        ]),
    ),
]);

/// `IndexModel`: required `name`, `metric`, `status` (`ready`, `state`),
/// `spec`, `host`, `vector_type`.
pub(super) const INDEX_MODEL: Kind = Kind::Obj(&[
    req("name", Str),
    req("metric", Str),
    req("host", Str),
    req("vector_type", Str),
    req(
        "status",
        Kind::Obj(&[req("ready", Bool), req("state", Str)]),
    ),
    req("spec", Kind::Obj(&[req("serverless", SERVERLESS_SPEC)])),
    opt("dimension", Int),
    opt("deletion_protection", Str),
    opt("tags", TAGS),
]);

/// `IndexList`.
pub(super) const INDEX_LIST: Kind = Kind::Obj(&[opt("indexes", Kind::Arr(&INDEX_MODEL))]);

/// `ErrorResponse`: required `status` and `error` (`code`, `message`).
pub(super) const ERROR_RESPONSE: Kind = Kind::Obj(&[
    req("status", Int),
    req(
        "error",
        Kind::Obj(&[
            req("code", Str),
            req("message", Str),
            opt("details", Kind::Obj(&[])),
        ]),
    ),
]);

/// db_data `IndexDescription` (nothing required) with `NamespaceSummary`
/// values.
pub(super) const INDEX_DESCRIPTION: Kind = Kind::Obj(&[
    opt(
        "namespaces",
        Kind::MapOf(&Kind::Obj(&[opt("vectorCount", Int)])),
    ),
    opt("dimension", Int),
    opt("indexFullness", Num),
    opt("totalVectorCount", Int),
    opt("metric", Str),
    opt("vectorType", Str),
]);

/// db_data `rpcStatus`.
pub(super) const RPC_STATUS: Kind = Kind::Obj(&[
    opt("code", Int),
    opt("message", Str),
    opt("details", Kind::Arr(&Kind::Obj(&[]))),
]);

/// Every way `value` departs from `kind`, as `path: problem` lines.
pub(super) fn check(value: &Value, kind: Kind) -> Vec<String> {
    let mut problems = Vec::new();
    walk(value, kind, "$", &mut problems);
    problems
}

fn walk(value: &Value, kind: Kind, at: &str, problems: &mut Vec<String>) {
    let ok = match kind {
        Kind::Str => value.is_string(),
        Kind::Int => value.is_i64() || value.is_u64(),
        Kind::Num => value.is_number(),
        Kind::Bool => value.is_boolean(),
        Kind::Arr(item) => match value.as_array() {
            Some(items) => {
                for (i, entry) in items.iter().enumerate() {
                    walk(entry, *item, &format!("{at}[{i}]"), problems);
                }
                true
            }
            None => false,
        },
        Kind::MapOf(item) => match value.as_object() {
            Some(entries) => {
                for (key, entry) in entries {
                    walk(entry, *item, &format!("{at}.{key}"), problems);
                }
                true
            }
            None => false,
        },
        Kind::Obj(fields) => match value.as_object() {
            Some(object) => {
                for field in fields {
                    let here = format!("{at}.{}", field.name);
                    match object.get(field.name) {
                        None if field.required => problems.push(format!("{here}: missing")),
                        None => {}
                        Some(Value::Null) if field.nullable => {}
                        Some(entry) => walk(entry, field.kind, &here, problems),
                    }
                }
                true
            }
            None => false,
        },
    };
    if !ok {
        problems.push(format!("{at}: {value} is not {}", name(kind)));
    }
}

fn name(kind: Kind) -> &'static str {
    match kind {
        Kind::Str => "a string",
        Kind::Int => "an integer",
        Kind::Num => "a number",
        Kind::Bool => "a boolean",
        Kind::Arr(_) => "an array",
        Kind::Obj(_) | Kind::MapOf(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_checker_accepts_the_specs_own_examples() {
        // db_control 2025-04..2026-04 `GET /backups/{backup_id}` 200 example
        // (the fixtures are verbatim copies; tests/fixtures/README.md).
        for fixture in [
            include_str!("../../../../tests/fixtures/backups/2025-04.json"),
            include_str!("../../../../tests/fixtures/backups/2025-10.json"),
            include_str!("../../../../tests/fixtures/backups/2026-04.json"),
            include_str!("../../../../tests/fixtures/backups/2026-07.json"),
        ] {
            let example: Value = serde_json::from_str(fixture).unwrap();
            assert_eq!(check(&example, BACKUP_MODEL), Vec::<String>::new());
        }
        // db_control 2025-10 `GET /restore-jobs` 200 example
        // `paginated-restore-jobs`.
        let jobs = json!({"data": [{
            "backup_id": "670e8400-e29b-41d4-a716-446655440000",
            "completed_at": "2024-03-15T10:35:00Z",
            "created_at": "2024-03-15T10:30:00Z",
            "percent_complete": 100,
            "restore_job_id": "670e8400-e29b-41d4-a716-446655440001",
            "status": "Completed",
            "target_index_id": "idx_456",
            "target_index_name": "my-index"
        }], "pagination": {"next": "dXNlcl9pZD11c2VyXzE="}});
        assert_eq!(check(&jobs, RESTORE_JOB_LIST), Vec::<String>::new());
        // db_control 2025-10 `GET /indexes/{index_name}` 200 example
        // `movie-recommendations-serverless` (its `schema` left out).
        let index = json!({
            "dimension": 1536,
            "host": "movie-recommendations-c01b5b5.svc.us-east1-gcp.pinecone.io",
            "metric": "cosine",
            "name": "movie-recommendations",
            "spec": {"serverless": {"cloud": "aws",
                "read_capacity": {"mode": "OnDemand", "status": {"state": "Ready"}},
                "region": "us-east-1"}},
            "status": {"ready": false, "state": "Initializing"},
            "vector_type": "dense"
        });
        assert_eq!(check(&index, INDEX_MODEL), Vec::<String>::new());
        // db_data `IndexDescription` example, with `indexFullness` for the
        // example's `index_fullness` (the property's name).
        let stats = json!({"dimension": 1024, "indexFullness": 0.4,
            "namespaces": {"": {"vectorCount": 50000}, "example-namespace-2": {"vectorCount": 30000}},
            "totalVectorCount": 80000});
        assert_eq!(check(&stats, INDEX_DESCRIPTION), Vec::<String>::new());
        // `ErrorResponse.example`.
        let error = json!({"error": {"code": "QUOTA_EXCEEDED", "message": "m"}, "status": 429});
        assert_eq!(check(&error, ERROR_RESPONSE), Vec::<String>::new());
    }

    #[test]
    fn the_checker_names_what_is_missing_or_mistyped() {
        let broken = json!({"backup_id": 7, "source_index_name": "a", "status": "Ready",
            "cloud": "aws", "region": "r", "tags": {"k": 1}});
        assert_eq!(
            check(&broken, BACKUP_MODEL),
            [
                "$.backup_id: 7 is not a string",
                "$.source_index_id: missing",
                "$.tags.k: 1 is not a string",
            ]
        );
        let job = json!({"restore_job_id": "j", "backup_id": "b", "target_index_name": "t",
            "target_index_id": "i", "status": "Pending", "created_at": null,
            "percent_complete": 42.5});
        assert_eq!(
            check(&job, RESTORE_JOB_MODEL_2026_07),
            ["$.percent_complete: 42.5 is not an integer"]
        );
        assert_eq!(
            check(&job, RESTORE_JOB_MODEL),
            ["$.created_at: null is not a string"]
        );
    }
}
