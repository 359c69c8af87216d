//! `ApiKey`: the one secret. It can be sent as a header and used to scrub
//! text, but it cannot be printed: `Debug` and `Display` say `(redacted)`.

use std::borrow::Cow;
use std::fmt;

/// A Pinecone API key, validated to be sendable as an HTTP header value.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

/// Why a key was refused. Never contains the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiKeyError {
    /// Empty or only whitespace.
    Empty,
    /// Contains a character that cannot appear in an HTTP header value.
    BadCharacter,
}

impl fmt::Display for ApiKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiKeyError::Empty => f.write_str("the API key is empty"),
            ApiKeyError::BadCharacter => f.write_str(
                "the API key contains whitespace, a control character or a non-ASCII \
                 character, so it cannot be sent in an HTTP header (check for a stray \
                 quote or a pasted line break)",
            ),
        }
    }
}

impl ApiKey {
    /// Validates a key. Surrounding whitespace (a trailing newline from a
    /// secrets file) is dropped.
    pub fn from_raw(raw: &str) -> Result<Self, ApiKeyError> {
        let key = raw.trim();
        if key.is_empty() {
            return Err(ApiKeyError::Empty);
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ApiKeyError::BadCharacter);
        }
        Ok(ApiKey(key.to_owned()))
    }

    /// The key itself, for the `Api-Key` header and `::add-mask::` only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Replaces every occurrence of the key in `text` with `***`, so that a
    /// server (or a proxy) echoing the key back cannot make us print it.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if text.contains(self.0.as_str()) {
            Cow::Owned(text.replace(self.0.as_str(), "***"))
        } else {
            Cow::Borrowed(text)
        }
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(redacted)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_never_prints_the_key() {
        let key = ApiKey::from_raw(" pcsk_secret123\n").unwrap();
        assert_eq!(key.expose(), "pcsk_secret123");
        assert_eq!(format!("{key} {key:?}"), "(redacted) ApiKey(redacted)");
    }

    #[test]
    fn refuses_keys_that_cannot_be_a_header() {
        assert_eq!(ApiKey::from_raw("  "), Err(ApiKeyError::Empty));
        assert_eq!(ApiKey::from_raw("a b"), Err(ApiKeyError::BadCharacter));
        assert_eq!(
            ApiKey::from_raw("a\r\nX: y"),
            Err(ApiKeyError::BadCharacter)
        );
        assert_eq!(ApiKey::from_raw("clé"), Err(ApiKeyError::BadCharacter));
    }

    #[test]
    fn redacts_every_occurrence() {
        let key = ApiKey::from_raw("pcsk_abc").unwrap();
        assert_eq!(
            key.redact("bad key pcsk_abc, pcsk_abc!"),
            "bad key ***, ***!"
        );
        assert!(matches!(key.redact("nothing here"), Cow::Borrowed(_)));
    }
}
