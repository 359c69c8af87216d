//! The typed inputs of a restore: `--restore-tags` (Pinecone's
//! `IndexTags` rules) and `--restore-deletion-protection`, checked before
//! any request. The request they go into is `api::restore_request`'s.
//! Sources: db_control 2025-04 to 2026-04 (`IndexTags`,
//! `DeletionProtection`).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};
use serde_json::{Value, json};

use super::quote::{json_kind, quoted};

/// The longest tag key Pinecone accepts (`IndexTags`: "Keys must be 80
/// characters or less").
pub const MAX_TAG_KEY_CHARS: usize = 80;

/// The longest tag value ("Values must be 120 characters or less").
pub const MAX_TAG_VALUE_CHARS: usize = 120;

/// The tag rules in one sentence, for errors and `--help`.
pub const TAG_RULES: &str = "a JSON object of strings, like {\"team\":\"search\"}; keys of \
    1 to 80 letters, digits, '_' or '-'; values of at most 120 letters, digits, spaces or \
    ; @ _ - . +";

/// Tags for the new index, from `--restore-tags`: a JSON object of strings
/// that follows Pinecone's `IndexTags` rules ("Keys must be alphanumeric,
/// '_', or '-'. Values must be alphanumeric, ';', '@', '_', '-', '.', '+',
/// or ' '"), checked before any request. Letters and digits are ASCII. An
/// empty value is allowed (Pinecone reads it as "no such tag"); an empty
/// key is not. A key given twice is refused rather than silently keeping
/// one of the two.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RestoreTags(BTreeMap<String, String>);

impl RestoreTags {
    /// The tags, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Whether there are none (`{}`).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The tags as a JSON object.
    pub fn as_json(&self) -> Value {
        json!(self.0)
    }
}

impl FromStr for RestoreTags {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let entries = serde_json::from_str::<Entries>(text)
            .map_err(|err| format!("expected {TAG_RULES}: {}", one_line(&err.to_string())))?;
        let mut tags = BTreeMap::new();
        for (key, value) in entries.0 {
            let Value::String(value) = value else {
                return Err(format!(
                    "tag {} is {}, expected a string; {TAG_RULES}",
                    quoted(&key),
                    json_kind(&value)
                ));
            };
            check_tag(&key, &value)?;
            if tags.contains_key(&key) {
                return Err(format!("tag {} is given twice", quoted(&key)));
            }
            tags.insert(key, value);
        }
        Ok(RestoreTags(tags))
    }
}

fn check_tag(key: &str, value: &str) -> Result<(), String> {
    let key_chars = key.chars().count();
    if key_chars == 0 {
        return Err(format!("a tag key is empty; {TAG_RULES}"));
    }
    if key_chars > MAX_TAG_KEY_CHARS {
        return Err(format!(
            "tag key {} is {key_chars} characters long, more than {MAX_TAG_KEY_CHARS}",
            quoted(key)
        ));
    }
    if let Some(bad) = key
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-')))
    {
        return Err(format!(
            "tag key {} has {}; keys are letters, digits, '_' or '-'",
            quoted(key),
            quoted(&bad.to_string())
        ));
    }
    let value_chars = value.chars().count();
    if value_chars > MAX_TAG_VALUE_CHARS {
        return Err(format!(
            "the value of tag {} is {value_chars} characters long, more than {MAX_TAG_VALUE_CHARS}",
            quoted(key)
        ));
    }
    if let Some(bad) = value.chars().find(|&c| {
        !(c.is_ascii_alphanumeric() || matches!(c, ';' | '@' | '_' | '-' | '.' | '+' | ' '))
    }) {
        return Err(format!(
            "the value of tag {} has {}; values are letters, digits, spaces or ; @ _ - . +",
            quoted(key),
            quoted(&bad.to_string())
        ));
    }
    Ok(())
}

/// serde_json's messages may quote the input; keep them on one line.
fn one_line(message: &str) -> String {
    super::one_line(message)
}

/// A JSON object's entries in order, duplicates included (serde_json's
/// `Map` would keep only the last).
struct Entries(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;

        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }

        deserializer.deserialize_map(EntriesVisitor)
    }
}

/// `deletion_protection` for the new index (`DeletionProtection`: `enabled`
/// or `disabled`, exactly, as Pinecone spells them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletionProtection {
    /// The index cannot be deleted until this is turned off.
    Enabled,
    /// The index can be deleted (Pinecone's default).
    Disabled,
}

impl DeletionProtection {
    /// The value as sent: `enabled` or `disabled`.
    pub fn as_str(self) -> &'static str {
        match self {
            DeletionProtection::Enabled => "enabled",
            DeletionProtection::Disabled => "disabled",
        }
    }
}

impl FromStr for DeletionProtection {
    type Err = String;

    /// `enabled` or `disabled`, surrounding whitespace ignored.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim() {
            "enabled" => Ok(DeletionProtection::Enabled),
            "disabled" => Ok(DeletionProtection::Disabled),
            other => Err(format!(
                "expected enabled or disabled, got {}",
                quoted(other)
            )),
        }
    }
}

impl fmt::Display for DeletionProtection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
