//! `Redactor`: takes the API key out of text at the moment it is printed.
//!
//! Decisions (status classes, output names, the backup id check) are made on
//! the raw data; only what a sink prints is scrubbed, so a key that happens
//! to be `e` or `Ready` cannot change what a status means. Each sink scrubs
//! before it escapes (markdown turns `_` into `\_`, which would hide the raw
//! key from GitHub's masker) and again after (an escape such as `\n` could
//! complete a key that contains a backslash). `::add-mask::` is the only
//! place the key itself is printed.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::config::ApiKey;

/// What replaces the key in plain text.
pub const MARK: &str = "***";

/// Scrubs the key from text, or does nothing when there is no key yet (a run
/// refused before the configuration was read).
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    key: Option<ApiKey>,
}

impl Redactor {
    /// A redactor for `key`.
    pub fn new(key: &ApiKey) -> Self {
        Redactor {
            key: Some(key.clone()),
        }
    }

    /// Replaces every occurrence of the key with `***`.
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match &self.key {
            Some(key) => key.redact(text),
            None => Cow::Borrowed(text),
        }
    }

    /// Replaces every occurrence of the key with `mark`, for text that a
    /// sink has already escaped (so `mark` must be valid in that sink).
    pub fn replace<'a>(&self, text: &'a str, mark: &str) -> Cow<'a, str> {
        match &self.key {
            Some(key) if text.contains(key.expose()) => {
                Cow::Owned(text.replace(key.expose(), mark))
            }
            _ => Cow::Borrowed(text),
        }
    }

    /// Whether `text` contains the key.
    pub fn finds(&self, text: &str) -> bool {
        self.key
            .as_ref()
            .is_some_and(|key| text.contains(key.expose()))
    }

    /// A copy of a JSON value with the key taken out of every string, every
    /// object key, and every other scalar whose JSON text contains it (a key
    /// `12345` and `"record_count": 12345`); such a scalar becomes a string.
    /// A string whose JSON escaping would spell the key is replaced whole.
    pub fn json(&self, value: &Value) -> Value {
        if self.key.is_none() {
            return value.clone();
        }
        match value {
            Value::String(text) => Value::String(self.json_string(text)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.json(v)).collect()),
            Value::Object(map) => {
                // Two keys that scrub to the same text keep the later value,
                // in the map's (sorted) order: deterministic.
                let mut clean = Map::new();
                for (name, item) in map {
                    clean.insert(self.json_string(name), self.json(item));
                }
                Value::Object(clean)
            }
            scalar => {
                let text = scalar.to_string();
                if self.finds(&text) {
                    Value::String(self.json_string(&text))
                } else {
                    scalar.clone()
                }
            }
        }
    }

    fn json_string(&self, text: &str) -> String {
        let clean = self.text(text);
        // serde_json escapes `"`, `\` and control characters; if the escaped
        // form spells the key, nothing of the string is safe to print.
        if self.finds(&Value::String(clean.to_string()).to_string()) {
            MARK.to_owned()
        } else {
            clean.into_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn redactor(key: &str) -> Redactor {
        Redactor::new(&ApiKey::from_raw(key).unwrap())
    }

    #[test]
    fn text_is_scrubbed_and_untouched_text_is_borrowed() {
        let r = redactor("pcsk_abc");
        assert_eq!(r.text("a pcsk_abc b pcsk_abc"), "a *** b ***");
        assert!(matches!(r.text("clean"), Cow::Borrowed(_)));
        assert_eq!(Redactor::default().text("pcsk_abc"), "pcsk_abc");
    }

    #[test]
    fn json_strings_keys_and_numbers_are_scrubbed() {
        let r = redactor("12345");
        let value = json!({
            "record_count": 12345,
            "size_bytes": 7,
            "tags": {"k12345": "v-12345"},
            "list": [true, 123456, "x"]
        });
        assert_eq!(
            r.json(&value),
            json!({
                "record_count": "***",
                "size_bytes": 7,
                "tags": {"k***": "v-***"},
                "list": [true, "***6", "x"]
            })
        );
    }

    #[test]
    fn a_string_whose_escaping_spells_the_key_is_replaced_whole() {
        let r = redactor(r#"a\"b"#);
        assert_eq!(r.json(&json!({"d": "xa\"by"})), json!({"d": "***"}));
    }

    #[test]
    fn a_one_character_key_still_gives_json_that_parses() {
        let r = redactor("e");
        let clean = r.json(&json!({"status": "Ready", "description": "e"}));
        assert_eq!(clean, json!({"status": "R***ady", "d***scription": "***"}));
    }
}
