//! `Backup`: the BackupModel as the API sent it; `BackupPage`: one page of
//! a BackupList.
//!
//! The wait only depends on `status`, but a gate that says "Ready" about a
//! body that is not a BackupModel would lie, so the fields the spec defines
//! are type-checked (absent and `null` are fine; `"120000"` for an integer is
//! not). Fields a newer API version adds are kept untouched and reach the
//! outputs too. Source: `BackupModel` in pinecone-api's db_control specs
//! 2025-04 to 2026-07.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::fields::kind_of;

/// BackupModel fields in the spec's order; outputs list them in this order,
/// then any field a newer API version added.
pub const FIELDS: [&str; 15] = [
    "backup_id",
    "source_index_name",
    "source_index_id",
    "name",
    "description",
    "status",
    "cloud",
    "region",
    "dimension",
    "metric",
    "record_count",
    "namespace_count",
    "size_bytes",
    "tags",
    "created_at",
];

/// A backup as described by the API.
#[derive(Debug, Clone, PartialEq)]
pub struct Backup {
    fields: Map<String, Value>,
}

/// The typed view used only to check a body against the spec.
#[derive(Deserialize)]
#[allow(dead_code)] // Fields exist to be type-checked by serde, not read.
struct BackupModel {
    status: String,
    backup_id: Option<String>,
    source_index_name: Option<String>,
    source_index_id: Option<String>,
    name: Option<String>,
    description: Option<String>,
    cloud: Option<String>,
    region: Option<String>,
    dimension: Option<i64>,
    metric: Option<String>,
    record_count: Option<i64>,
    namespace_count: Option<i64>,
    size_bytes: Option<i64>,
    tags: Option<BTreeMap<String, String>>,
    created_at: Option<String>,
}

impl Backup {
    /// Checks a parsed JSON body against the BackupModel.
    pub fn from_value(value: Value) -> Result<Backup, String> {
        if !value.is_object() {
            return Err(format!(
                "expected a BackupModel JSON object, got {}",
                kind_of(&value)
            ));
        }
        BackupModel::deserialize(&value).map_err(|err| format!("not a BackupModel: {err}"))?;
        match value {
            Value::Object(fields) => Ok(Backup { fields }),
            _ => unreachable!("checked to be an object above"),
        }
    }

    /// The status exactly as sent (untrimmed).
    pub fn status(&self) -> &str {
        self.text("status").unwrap_or_default()
    }

    /// A string field, if present and a string.
    pub fn text(&self, field: &str) -> Option<&str> {
        self.fields.get(field).and_then(Value::as_str)
    }

    /// An integer field, if present and an integer.
    pub fn integer(&self, field: &str) -> Option<i64> {
        self.fields.get(field).and_then(Value::as_i64)
    }

    /// Every field as `(name, value)`: the spec's fields first (absent ones
    /// as empty strings), then the others in name order. Strings are raw,
    /// `null` is empty, objects and arrays are compact JSON.
    pub fn output_fields(&self) -> Vec<(&str, String)> {
        let known = FIELDS.iter().map(|&name| {
            (
                name,
                self.fields.get(name).map(output_value).unwrap_or_default(),
            )
        });
        let extra = self
            .fields
            .iter()
            .filter(|(name, _)| !FIELDS.contains(&name.as_str()))
            .map(|(name, value)| (name.as_str(), output_value(value)));
        known.chain(extra).collect()
    }

    /// The names of every field, in name order.
    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.fields.keys().map(String::as_str)
    }

    /// The whole backup as a JSON value.
    pub fn as_json(&self) -> Value {
        Value::Object(self.fields.clone())
    }
}

/// One page of `GET /indexes/{index_name}/backups` (`BackupList`).
#[derive(Debug, Clone, PartialEq)]
pub struct BackupPage {
    /// The page's backups, in the order sent.
    pub backups: Vec<Backup>,
    /// `pagination.next`: the token of the next page, `None` on the last.
    pub next: Option<String>,
}

impl BackupPage {
    /// Checks a parsed JSON body against the BackupList: an object whose
    /// `data` (absent or `null`: no backups) is an array of BackupModels,
    /// and whose `pagination` is absent, `null` (the last page; 2026-07
    /// allows both) or an object with a string `next`. An empty `next` also
    /// ends the list.
    pub fn from_value(value: Value) -> Result<BackupPage, String> {
        let Value::Object(mut fields) = value else {
            return Err(format!(
                "expected a BackupList JSON object, got {}",
                kind_of(&value)
            ));
        };
        let backups = match fields.remove("data") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    Backup::from_value(item)
                        .map_err(|err| format!("item {} of `data`: {err}", i + 1))
                })
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(format!(
                    "`data` should be an array of BackupModels, got {}",
                    kind_of(&other)
                ));
            }
        };
        let next = match fields.remove("pagination") {
            None | Some(Value::Null) => None,
            Some(Value::Object(pagination)) => match pagination.get("next") {
                None | Some(Value::Null) => None,
                Some(Value::String(next)) if next.is_empty() => None,
                Some(Value::String(next)) => Some(next.clone()),
                Some(other) => {
                    return Err(format!(
                        "`pagination.next` should be a string, got {}",
                        kind_of(other)
                    ));
                }
            },
            Some(other) => {
                return Err(format!(
                    "`pagination` should be an object, got {}",
                    kind_of(&other)
                ));
            }
        };
        Ok(BackupPage { backups, next })
    }
}

fn output_value(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: Value) -> Result<Backup, String> {
        Backup::from_value(value)
    }

    #[test]
    fn spec_example_parses_and_lists_fields_in_spec_order() {
        // The 2025-04 spec's describe_backup example (tests/fixtures/README.md).
        let example = include_str!("../../tests/fixtures/backups/2025-04.json");
        let backup = parse(serde_json::from_str(example).unwrap()).unwrap();
        let fields = backup.output_fields();
        let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, FIELDS.to_vec());
        assert_eq!(fields[5], ("status", "Ready".to_owned()));
        assert_eq!(fields[8], ("dimension", "1536".to_owned()));
        assert_eq!(
            fields[13],
            (
                "tags",
                r#"{"environment":"production","type":"monthly"}"#.to_owned()
            )
        );
        assert_eq!(backup.integer("size_bytes"), Some(10_000_000));
    }

    #[test]
    fn absent_and_null_fields_are_empty_and_new_fields_follow() {
        let backup = parse(json!({
            "status": "Initializing",
            "tags": null,
            "source_index_deleted_at": "2026-01-01T00:00:00Z",
            "schema": {"fields": {"genre": {"filterable": true}}}
        }))
        .unwrap();
        let fields = backup.output_fields();
        assert_eq!(fields.len(), FIELDS.len() + 2);
        assert_eq!(fields[0], ("backup_id", String::new()));
        assert_eq!(fields[13], ("tags", String::new()));
        assert_eq!(fields[15].0, "schema");
        assert_eq!(fields[15].1, r#"{"fields":{"genre":{"filterable":true}}}"#);
        assert_eq!(
            fields[16],
            ("source_index_deleted_at", "2026-01-01T00:00:00Z".to_owned())
        );
    }

    #[test]
    fn wrong_shapes_are_refused_with_the_reason() {
        let err = |v: Value| parse(v).unwrap_err();
        assert!(err(json!([])).contains("an array"));
        assert!(err(json!("Ready")).contains("a string"));
        assert!(err(json!({"backup_id": "b"})).contains("missing field `status`"));
        assert!(err(json!({"status": null})).contains("invalid type: null"));
        assert!(err(json!({"status": 3})).contains("invalid type"));
        assert!(err(json!({"status": "Ready", "record_count": "120000"})).contains("120000"));
        assert!(err(json!({"status": "Ready", "tags": ["a"]})).contains("invalid type"));
    }

    #[test]
    fn the_spec_list_example_parses_with_its_next_page() {
        // db_control_2025-10 `list_index_backups` 200 example `backups`.
        let page = BackupPage::from_value(json!({
            "data": [
                {"backup_id": "bkp_123abc", "status": "Ready", "created_at": "2024-03-15T10:30:00Z"},
                {"backup_id": "bkp_789xyz", "status": "Ready", "created_at": "2024-03-20T15:45:00Z"}
            ],
            "pagination": {"next": "dXNlcl9pZD11c2VyXzE="}
        }))
        .unwrap();
        assert_eq!(page.backups.len(), 2);
        assert_eq!(page.backups[1].text("backup_id"), Some("bkp_789xyz"));
        assert_eq!(page.next.as_deref(), Some("dXNlcl9pZD11c2VyXzE="));
    }

    #[test]
    fn a_last_page_has_no_next_in_every_spelling() {
        for last in [
            json!({"data": []}),
            json!({"data": [], "pagination": null}),
            json!({"data": null, "pagination": {"next": ""}}),
            json!({}),
        ] {
            let page = BackupPage::from_value(last.clone()).unwrap();
            assert_eq!(page.next, None, "{last}");
        }
    }

    #[test]
    fn a_list_that_is_not_a_backup_list_is_refused_with_the_reason() {
        let err = |v: Value| BackupPage::from_value(v).unwrap_err();
        assert!(err(json!([])).contains("an array"));
        assert!(err(json!({"data": {}})).contains("`data` should be an array"));
        assert!(err(json!({"data": [{"status": "Ready"}, {"name": "x"}]})).contains("item 2"));
        assert!(err(json!({"pagination": {"next": 3}})).contains("a number"));
        assert!(err(json!({"pagination": "x"})).contains("`pagination`"));
    }

    #[test]
    fn status_is_kept_exactly_as_sent() {
        let backup = parse(json!({"status": " Ready\n"})).unwrap();
        assert_eq!(backup.status(), " Ready\n");
    }
}
