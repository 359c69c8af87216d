//! Helpers for models kept exactly as the API sent them (restore jobs,
//! indexes, index stats): the object check, and how a field becomes an
//! output value. The same rules as `model.rs` applies to backups, so every
//! resource's outputs read alike.

use serde_json::{Map, Value};

/// The body as a JSON object, or why it is not one: "expected a
/// RestoreJobModel JSON object, got an array".
pub(crate) fn object(value: Value, model: &str) -> Result<Map<String, Value>, String> {
    match value {
        Value::Object(fields) => Ok(fields),
        other => {
            let article = if model.starts_with(['A', 'E', 'I', 'O', 'U']) {
                "an"
            } else {
                "a"
            };
            Err(format!(
                "expected {article} {model} JSON object, got {}",
                kind_of(&other)
            ))
        }
    }
}

/// Every field as `(name, value)`: `known` first, in that order (absent ones
/// as empty strings), then the others in name order.
pub(crate) fn output_fields<'a>(
    fields: &'a Map<String, Value>,
    known: &[&'a str],
) -> Vec<(&'a str, String)> {
    let known_fields = known
        .iter()
        .map(|&name| (name, fields.get(name).map(output_value).unwrap_or_default()));
    let extra = fields
        .iter()
        .filter(|(name, _)| !known.contains(&name.as_str()))
        .map(|(name, value)| (name.as_str(), output_value(value)));
    known_fields.chain(extra).collect()
}

/// A field as an output: strings raw, `null` empty, numbers as their JSON
/// text, objects and arrays as compact JSON.
pub(crate) fn output_value(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// "a string", "an array"…, for messages.
pub(crate) use crate::config::json_kind as kind_of;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn known_fields_come_first_then_the_rest_by_name() {
        let Value::Object(fields) = json!({"z": 1, "b": null, "a": {"x": [1]}, "c": "t"}) else {
            unreachable!()
        };
        assert_eq!(
            output_fields(&fields, &["c", "b", "missing"]),
            vec![
                ("c", "t".to_owned()),
                ("b", String::new()),
                ("missing", String::new()),
                ("a", r#"{"x":[1]}"#.to_owned()),
                ("z", "1".to_owned()),
            ]
        );
    }

    #[test]
    fn non_objects_are_named() {
        assert_eq!(
            object(json!([1]), "IndexModel").unwrap_err(),
            "expected an IndexModel JSON object, got an array"
        );
        assert_eq!(
            object(json!("x"), "RestoreJobModel").unwrap_err(),
            "expected a RestoreJobModel JSON object, got a string"
        );
        assert!(object(json!({}), "X").is_ok());
    }
}
