//! `IndexName`: a Pinecone index name, checked before any request.
//!
//! One rule for every flag that names an index (`--create-from-index`,
//! `--latest-of-index`, `--restore-to-index`): Pinecone's, as the specs state
//! it for `IndexModel.name` and `CreateIndexFromBackupRequest.name`
//! (db_control 2025-04 to 2026-07): "1-45 characters long, start and end
//! with an alphanumeric character, and consist only of lower case
//! alphanumeric characters or '-'". A name that passes is made of
//! `[a-z0-9-]` only, so it is a safe URL path segment as it is and can never
//! start a workflow command; errors quote the value escaped (`quote`).

use std::fmt;
use std::str::FromStr;

use super::quote::quoted;

/// The longest index name Pinecone accepts, in characters.
pub const MAX_CHARS: usize = 45;

/// The rule in one sentence, for errors and `--help`.
pub const RULE: &str = "1 to 45 characters: lowercase letters a-z, digits and '-', \
                        starting and ending with a letter or digit";

/// A valid Pinecone index name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IndexName(String);

impl IndexName {
    /// Validates a name as given (surrounding whitespace is trimmed).
    pub fn from_raw(raw: &str) -> Result<Self, String> {
        raw.parse()
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for IndexName {
    type Err = String;

    /// Surrounding whitespace is trimmed (as for the backup id: values often
    /// come from variables with a stray newline); everything else must
    /// follow the rule exactly. Upper case is refused, not lowered: Pinecone
    /// would refuse it, and a cleanup step must name the same index.
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(format!("the index name is empty; expected {RULE}"));
        }
        let shown = quoted(name);
        if let Some((position, bad)) = name
            .chars()
            .enumerate()
            .find(|&(_, c)| !(is_alphanumeric(c) || c == '-'))
        {
            let hint = if bad.is_ascii_uppercase() {
                " (upper case is not allowed)"
            } else {
                ""
            };
            return Err(format!(
                "index name {shown} has {} at character {}{hint}; expected {RULE}",
                quoted(&bad.to_string()),
                position + 1,
            ));
        }
        // Only ASCII is left, so bytes are characters.
        if name.len() > MAX_CHARS {
            return Err(format!(
                "index name {shown} is {} characters long; expected {RULE}",
                name.len()
            ));
        }
        if name.starts_with('-') || name.ends_with('-') {
            return Err(format!(
                "index name {shown} starts or ends with '-'; expected {RULE}"
            ));
        }
        Ok(IndexName(name.to_owned()))
    }
}

fn is_alphanumeric(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

impl fmt::Display for IndexName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<String, String> {
        text.parse::<IndexName>().map(|n| n.as_str().to_owned())
    }

    #[test]
    fn pinecone_names_are_accepted() {
        for name in [
            "prod",
            "a",
            "0",
            "example-index",
            "drill-12345678901-1",
            "a-b-c9",
        ] {
            assert_eq!(parse(name).unwrap(), name);
        }
        let longest = "a".repeat(45);
        assert_eq!(parse(&longest).unwrap(), longest);
    }

    #[test]
    fn surrounding_whitespace_is_trimmed() {
        assert_eq!(parse("  prod\n").unwrap(), "prod");
    }

    #[test]
    fn names_outside_the_rule_are_refused_with_the_reason() {
        for (name, reason) in [
            ("", "the index name is empty"),
            ("   ", "the index name is empty"),
            ("Prod", "has 'P' at character 1 (upper case is not allowed)"),
            ("my_index", "has '_' at character 3"),
            ("my.index", "has '.' at character 3"),
            ("a b", "has ' ' at character 2"),
            ("prod/../x", "has '/' at character 5"),
            ("é", "has 'é' at character 1"),
            ("-prod", "starts or ends with '-'"),
            ("prod-", "starts or ends with '-'"),
            ("-", "starts or ends with '-'"),
        ] {
            let err = parse(name).unwrap_err();
            assert!(err.contains(reason), "{name:?}: {err}");
            assert!(err.contains("expected 1 to 45 characters"), "{err}");
        }
        let err = parse(&"a".repeat(46)).unwrap_err();
        assert!(err.contains("is 46 characters long"), "{err}");
    }

    #[test]
    fn errors_quote_the_value_on_one_line() {
        for hostile in [
            "prod\n::error::forged",
            "a\r\n::add-mask::x",
            "x\u{1b}[2J",
            "a\u{2028}b",
        ] {
            let err = parse(hostile).unwrap_err();
            assert!(!err.chars().any(char::is_control), "{err:?}");
            assert!(!err.contains('\u{2028}'), "{err:?}");
        }
        let err = parse("prod\n::error::forged").unwrap_err();
        assert!(
            err.starts_with("index name 'prod\\n::error::forged' has '\\n' at character 5"),
            "{err}"
        );
        // A pasted file is cut in the message.
        let err = parse(&format!("a{}", "B".repeat(1000))).unwrap_err();
        assert!(err.len() < 400, "{}", err.len());
    }

    #[test]
    fn a_valid_name_displays_as_itself() {
        let name: IndexName = "drill-1".parse().unwrap();
        assert_eq!(name.to_string(), "drill-1");
    }
}
