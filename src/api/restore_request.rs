//! `POST /backups/{backup_id}/create-index`: the request body
//! (`CreateIndexFromBackupRequest`, from the typed inputs that
//! `config::restore` checks), and how an answer is read
//! (`CreateIndexFromBackupResponse` and the status codes the endings table
//! of the restore cares about).
//!
//! What to do after an ambiguous failure (sent, then a timeout, reset, 408
//! or 5xx) is the writes module's rule, not this one's: `classify` answers
//! `Other` for those and for every status it has no special reading of.
//! Sources: db_control 2025-04 to 2026-04, and 2026-07 for the 412.
//!
//! Pure: nothing here does I/O.

use serde_json::{Map, Value, json};

use super::error_body;
use super::fields::{kind_of, object};
use crate::config::{DeletionProtection, IndexName, RestoreTags};

/// The body of `POST /backups/{backup_id}/create-index`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateIndexRequest {
    /// The index to create (`--restore-to-index`).
    pub name: IndexName,
    /// Its tags (`--restore-tags`); `None` or empty sends none.
    pub tags: Option<RestoreTags>,
    /// `--restore-deletion-protection`; `None` leaves it to Pinecone.
    pub deletion_protection: Option<DeletionProtection>,
}

impl CreateIndexRequest {
    /// The body as JSON: `name`, then `tags` and `deletion_protection` only
    /// when given (an absent field, not `null`: `IndexTags` is nullable only
    /// from 2026-07).
    pub fn to_json(&self) -> Value {
        let mut body = Map::new();
        body.insert("name".into(), json!(self.name.as_str()));
        if let Some(tags) = self.tags.as_ref().filter(|t| !t.is_empty()) {
            body.insert("tags".into(), tags.as_json());
        }
        if let Some(protection) = self.deletion_protection {
            body.insert("deletion_protection".into(), json!(protection.as_str()));
        }
        Value::Object(body)
    }

    /// The body as compact JSON text.
    pub fn body(&self) -> String {
        self.to_json().to_string()
    }
}

/// A 202's body (`CreateIndexFromBackupResponse`): both ids are required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateIndexResponse {
    /// The restore job to wait for.
    pub restore_job_id: String,
    /// The new index's id.
    pub index_id: String,
}

impl CreateIndexResponse {
    /// Checks a parsed JSON body: both ids must be non-empty strings; other
    /// fields are ignored.
    pub fn from_value(value: Value) -> Result<CreateIndexResponse, String> {
        let fields = object(value, "CreateIndexFromBackupResponse")?;
        let id = |field: &str| match fields.get(field) {
            Some(Value::String(id)) if !id.trim().is_empty() => Ok(id.clone()),
            Some(Value::String(_)) => Err(format!(
                "not a CreateIndexFromBackupResponse: `{field}` is empty"
            )),
            None | Some(Value::Null) => Err(format!(
                "not a CreateIndexFromBackupResponse: missing field `{field}`"
            )),
            Some(other) => Err(format!(
                "not a CreateIndexFromBackupResponse: `{field}` is {}, expected a string",
                kind_of(other)
            )),
        };
        Ok(CreateIndexResponse {
            restore_job_id: id("restore_job_id")?,
            index_id: id("index_id")?,
        })
    }
}

/// What an answer to create-index means for the run (issue 10's endings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateIndexAnswer {
    /// 2xx with both ids: the restore started. (The specs say 202; any 2xx
    /// is read the same, as 2026-07 turned another create's 201 into 200.)
    Accepted(CreateIndexResponse),
    /// 2xx whose body is not a CreateIndexFromBackupResponse. The server
    /// acted, but the run does not know the job: look for it in
    /// `GET /restore-jobs` (`restore_job::adoptable`) rather than re-send.
    AcceptedUnreadable {
        /// What is wrong with the body.
        detail: String,
    },
    /// 409: an index of that name exists. Not created by this run unless
    /// the run's own earlier attempt was ambiguous (the writes module knows).
    IndexExists {
        /// Pinecone's message.
        detail: String,
    },
    /// 412 (2026-07): the backup is not complete yet. Retry within the
    /// deadline.
    BackupNotReady {
        /// Pinecone's message.
        detail: String,
    },
    /// 404: the backup does not exist (the only 404 the specs list here).
    BackupNotFound {
        /// Pinecone's message.
        detail: String,
    },
    /// Any other status: the usual rules decide (401/403, 400/422, 429,
    /// 5xx and their retries or ambiguity).
    Other,
}

/// Reads an answer to create-index: its status code and body text. `key`
/// is the API key, so that a message cut for length never keeps half of it.
pub fn classify(status: u16, body: &str, key: &str) -> CreateIndexAnswer {
    let detail = || {
        error_body::message(body, key).unwrap_or_else(|| format!("HTTP {status} with no message"))
    };
    match status {
        200..=299 => match serde_json::from_str::<Value>(body)
            .map_err(|err| format!("the body is not JSON: {err}"))
            .and_then(CreateIndexResponse::from_value)
        {
            Ok(response) => CreateIndexAnswer::Accepted(response),
            Err(detail) => CreateIndexAnswer::AcceptedUnreadable {
                detail: format!("HTTP {status}: {detail}"),
            },
        },
        404 => CreateIndexAnswer::BackupNotFound { detail: detail() },
        409 => CreateIndexAnswer::IndexExists { detail: detail() },
        412 => CreateIndexAnswer::BackupNotReady { detail: detail() },
        _ => CreateIndexAnswer::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(text: &str) -> Result<RestoreTags, String> {
        text.parse()
    }

    fn name(text: &str) -> IndexName {
        text.parse().unwrap()
    }

    #[test]
    fn the_spec_example_request_is_built_exactly() {
        // CreateIndexFromBackupRequest's `name` example, the IndexTags
        // example and DeletionProtection's default (tests/fixtures/README.md).
        let request = CreateIndexRequest {
            name: name("example-index"),
            tags: Some(tags(r#"{"tag0": "val0", "tag1": "val1"}"#).unwrap()),
            deletion_protection: Some(DeletionProtection::Disabled),
        };
        let expected: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/create-index/request.json"
        ))
        .unwrap();
        assert_eq!(request.to_json(), expected);
        assert_eq!(
            request.body(),
            r#"{"deletion_protection":"disabled","name":"example-index","tags":{"tag0":"val0","tag1":"val1"}}"#
        );
    }

    #[test]
    fn only_the_name_is_sent_when_nothing_else_is_given() {
        let request = CreateIndexRequest {
            name: name("drill-1"),
            tags: None,
            deletion_protection: None,
        };
        assert_eq!(request.body(), r#"{"name":"drill-1"}"#);
        let empty_tags = CreateIndexRequest {
            tags: Some(tags("{}").unwrap()),
            deletion_protection: Some(DeletionProtection::Enabled),
            ..request
        };
        assert_eq!(
            empty_tags.body(),
            r#"{"deletion_protection":"enabled","name":"drill-1"}"#
        );
    }

    #[test]
    fn tags_follow_pinecones_rules() {
        let ok = tags(
            r#"{"team": "search", "run_id": "123-4", "note": "a b;c@d_e-f.g+h", "unset": ""}"#,
        )
        .unwrap();
        assert_eq!(
            ok.iter().collect::<Vec<_>>(),
            vec![
                ("note", "a b;c@d_e-f.g+h"),
                ("run_id", "123-4"),
                ("team", "search"),
                ("unset", "")
            ]
        );
        let longest = format!(r#"{{"{}": "{}"}}"#, "k".repeat(80), "v".repeat(120));
        assert!(tags(&longest).is_ok());
        for (text, reason) in [
            ("", "expected a JSON object of strings"),
            ("[]", "expected a JSON object of strings"),
            (r#""team=search""#, "expected a JSON object of strings"),
            ("team=search", "expected a JSON object of strings"),
            (r#"{"a": 1}"#, "tag 'a' is a number, expected a string"),
            (r#"{"a": null}"#, "tag 'a' is null"),
            (r#"{"a": {"b": "c"}}"#, "tag 'a' is an object"),
            (r#"{"a": "1", "a": "2"}"#, "tag 'a' is given twice"),
            (r#"{"": "x"}"#, "a tag key is empty"),
            (r#"{"a b": "x"}"#, "tag key 'a b' has ' '"),
            (r#"{"a.b": "x"}"#, "tag key 'a.b' has '.'"),
            (r#"{"é": "x"}"#, "tag key 'é' has 'é'"),
            (r#"{"a": "x/y"}"#, "the value of tag 'a' has '/'"),
            (r#"{"a": "x\ny"}"#, "the value of tag 'a' has '\\n'"),
            (r#"{"a": "<b>"}"#, "has '<'"),
            (r#"{"a": "1"} trailing"#, "expected a JSON object"),
        ] {
            let err = tags(text).unwrap_err();
            assert!(err.contains(reason), "{text:?}: {err}");
        }
        let long_key = format!(r#"{{"{}": "v"}}"#, "k".repeat(81));
        assert!(
            tags(&long_key)
                .unwrap_err()
                .contains("81 characters long, more than 80")
        );
        let long_value = format!(r#"{{"k": "{}"}}"#, "v".repeat(121));
        assert!(
            tags(&long_value)
                .unwrap_err()
                .contains("121 characters long, more than 120")
        );
    }

    #[test]
    fn tag_errors_stay_on_one_line() {
        for hostile in [
            "{\"k\n::error::x\": \"v\"}",
            "{\"k\": \"v\\n::error::forged\"}",
            "{\"k\": \"v\\r\\n::add-mask::x\"}",
            "not json\n::error::x",
            "{\"k\": \"\\u001b[2J\"}",
        ] {
            let err = tags(hostile).unwrap_err();
            assert!(!err.chars().any(char::is_control), "{hostile:?}: {err:?}");
        }
    }

    #[test]
    fn deletion_protection_is_one_of_two_words() {
        assert_eq!("enabled".parse(), Ok(DeletionProtection::Enabled));
        assert_eq!(" disabled\n".parse(), Ok(DeletionProtection::Disabled));
        for bad in ["Enabled", "true", "on", "", "enabled\n::error::x "] {
            let err = bad.parse::<DeletionProtection>().unwrap_err();
            assert!(
                err.starts_with("expected enabled or disabled, got '"),
                "{err}"
            );
            assert!(!err.contains('\n'), "{err}");
        }
        assert_eq!(DeletionProtection::Enabled.to_string(), "enabled");
    }

    #[test]
    fn the_spec_example_response_parses() {
        let body = include_str!("../../tests/fixtures/create-index/response.json");
        assert_eq!(
            classify(202, body, "k"),
            CreateIndexAnswer::Accepted(CreateIndexResponse {
                restore_job_id: "670e8400-e29b-41d4-a716-446655440000".into(),
                index_id: "123e4567-e89b-12d3-a456-426614174000".into(),
            })
        );
        // Any 2xx reads the same.
        assert!(matches!(
            classify(200, body, "k"),
            CreateIndexAnswer::Accepted(_)
        ));
    }

    #[test]
    fn an_unreadable_success_is_not_a_failure_to_act() {
        for body in [
            "",
            "<html>",
            "[]",
            r#"{"restore_job_id": "r"}"#,
            r#"{"restore_job_id": "r", "index_id": ""}"#,
            r#"{"restore_job_id": 5, "index_id": "i"}"#,
        ] {
            let answer = classify(202, body, "k");
            assert!(
                matches!(&answer, CreateIndexAnswer::AcceptedUnreadable { detail } if detail.starts_with("HTTP 202: ")),
                "{body:?}: {answer:?}"
            );
        }
    }

    #[test]
    fn statuses_of_the_endings_table_are_told_apart() {
        let exists = r#"{"error": {"code": "ALREADY_EXISTS", "message": "Resource already exists."}, "status": 409}"#;
        assert_eq!(
            classify(409, exists, "k"),
            CreateIndexAnswer::IndexExists {
                detail: "Resource already exists. (ALREADY_EXISTS)".into()
            }
        );
        let not_ready = r#"{"error": {"code": "FAILED_PRECONDITION", "message": "Backup b-1 is not completed"}, "status": 412}"#;
        assert_eq!(
            classify(412, not_ready, "k"),
            CreateIndexAnswer::BackupNotReady {
                detail: "Backup b-1 is not completed (FAILED_PRECONDITION)".into()
            }
        );
        let missing = r#"{"error": {"code": "NOT_FOUND", "message": "Backup bkp_123abc not found."}, "status": 404}"#;
        assert_eq!(
            classify(404, missing, "k"),
            CreateIndexAnswer::BackupNotFound {
                detail: "Backup bkp_123abc not found. (NOT_FOUND)".into()
            }
        );
        assert_eq!(
            classify(409, "", "k"),
            CreateIndexAnswer::IndexExists {
                detail: "HTTP 409 with no message".into()
            }
        );
        for status in [400, 401, 402, 403, 408, 422, 429, 500, 502, 503, 301] {
            assert_eq!(
                classify(status, "{}", "k"),
                CreateIndexAnswer::Other,
                "{status}"
            );
        }
    }

    #[test]
    fn a_message_is_never_cut_inside_the_key() {
        let key = "pcsk_secret_key";
        let body = format!(
            r#"{{"error": {{"code": "ALREADY_EXISTS", "message": "{}{key}"}}}}"#,
            "x".repeat(295)
        );
        let CreateIndexAnswer::IndexExists { detail } = classify(409, &body, key) else {
            panic!()
        };
        assert!(
            !detail.contains("pcsk_secr") || detail.contains(key),
            "{detail}"
        );
    }
}
