//! `PINECONE_ADDITIONAL_HEADERS`: extra request headers as a JSON object,
//! the convention of the Pinecone SDKs, for API gateways and contract tests.
//! They may add headers but never replace the ones the waiter owns.

/// Headers the waiter sets itself; the environment may not override them.
const RESERVED: [&str; 7] = [
    "api-key",
    "x-pinecone-api-version",
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "upgrade",
];

/// Validated extra headers, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdditionalHeaders(Vec<(String, String)>);

impl AdditionalHeaders {
    /// Parses `{"Name": "value", ...}`. Values are never echoed in errors:
    /// they may be gateway credentials.
    pub fn from_json(json: &str) -> Result<Self, String> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|err| {
            format!("not valid JSON ({err}); expected an object such as {{\"X-Team\": \"search\"}}")
        })?;
        let object = value
            .as_object()
            .ok_or("expected a JSON object of header names to string values")?;
        let mut headers = Vec::with_capacity(object.len());
        for (name, value) in object {
            if name.is_empty() || !name.bytes().all(is_token_byte) {
                return Err(format!(
                    "'{}' is not a valid header name",
                    name.escape_debug()
                ));
            }
            if RESERVED.contains(&name.to_ascii_lowercase().as_str()) {
                return Err(format!(
                    "header '{name}' is set by the waiter itself and cannot be overridden"
                ));
            }
            let value = value
                .as_str()
                .ok_or_else(|| format!("the value of header '{name}' must be a string"))?;
            if !value
                .bytes()
                .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
            {
                return Err(format!(
                    "the value of header '{name}' contains a control or non-ASCII character"
                ));
            }
            headers.push((name.clone(), value.to_owned()));
        }
        Ok(AdditionalHeaders(headers))
    }

    /// The headers as name/value pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The header names, safe to log.
    pub fn names(&self) -> Vec<&str> {
        self.0.iter().map(|(n, _)| n.as_str()).collect()
    }
}

/// RFC 9110 `tchar`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_object_of_strings() {
        let headers = AdditionalHeaders::from_json(r#"{"X-A": "1", "x-b": "two words"}"#).unwrap();
        assert_eq!(
            headers.iter().collect::<Vec<_>>(),
            vec![("X-A", "1"), ("x-b", "two words")]
        );
    }

    #[test]
    fn refuses_reserved_names_in_any_case() {
        for name in ["Api-Key", "API-KEY", "X-Pinecone-API-Version", "Host"] {
            let json = format!(r#"{{"{name}": "x"}}"#);
            let err = AdditionalHeaders::from_json(&json).unwrap_err();
            assert!(err.contains("cannot be overridden"), "{err}");
        }
    }

    #[test]
    fn refuses_bad_shapes_without_echoing_values() {
        assert!(AdditionalHeaders::from_json("[]").is_err());
        assert!(AdditionalHeaders::from_json("{").is_err());
        assert!(AdditionalHeaders::from_json(r#"{"X": 1}"#).is_err());
        assert!(AdditionalHeaders::from_json(r#"{"Bad Name": "v"}"#).is_err());
        let err = AdditionalHeaders::from_json(r#"{"X": "secret\r\nY: z"}"#).unwrap_err();
        assert!(!err.contains("secret"), "{err}");
    }
}
