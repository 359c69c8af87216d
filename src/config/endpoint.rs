//! Where requests go: `--api-host`, checked so that the key only ever
//! travels over TLS (loopback excepted), and the names placed in a path (a
//! backup id, an index name), checked so that none can change the path it
//! is placed in.

use std::fmt;
use std::net::IpAddr;

use ureq::http::Uri;

use super::quote::quoted;

/// The validated API base that every request path is appended to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    base: String,
    host: String,
    loopback: bool,
}

/// A backup id: trimmed, non-empty, and not a dot segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupId(String);

impl BackupId {
    /// Validates an id as it came from the flag or environment.
    pub fn from_raw(raw: &str) -> Result<Self, String> {
        let id = raw.trim();
        if id.is_empty() {
            return Err("the backup id is empty".to_owned());
        }
        if id == "." || id == ".." {
            // Percent-encoding does not help: servers decode `%2E%2E` back
            // to a parent-directory segment.
            return Err(format!("{} is not a backup id", quoted(id)));
        }
        if id.chars().any(char::is_control) {
            return Err("the backup id contains a control character".to_owned());
        }
        Ok(BackupId(id.to_owned()))
    }

    /// The id as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id percent-encoded as one path segment (RFC 3986 section 3.3):
    /// everything but unreserved characters is escaped, so `/`, `?`, `#`,
    /// `%` and spaces stay inside the segment.
    pub fn path_segment(&self) -> String {
        percent_encode(&self.0)
    }
}

/// A restore job id (`--restore-job-id`): the same rules as a backup id,
/// since it is placed in a path the same way (`/restore-jobs/{job_id}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreJobId(String);

impl RestoreJobId {
    /// Validates an id as given: trimmed, not empty, not a dot segment, no
    /// control character.
    pub fn from_raw(raw: &str) -> Result<Self, String> {
        let id = raw.trim();
        if id.is_empty() {
            return Err("the restore job id is empty".to_owned());
        }
        if id == "." || id == ".." {
            return Err(format!("{} is not a restore job id", quoted(id)));
        }
        if id.chars().any(char::is_control) {
            return Err("the restore job id contains a control character".to_owned());
        }
        Ok(RestoreJobId(id.to_owned()))
    }

    /// The id as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id percent-encoded as one path segment.
    pub fn path_segment(&self) -> String {
        percent_encode(&self.0)
    }
}

impl fmt::Display for RestoreJobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Text percent-encoded as one path segment or query value: everything but
/// RFC 3986's unreserved characters is escaped.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

impl fmt::Display for BackupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Endpoint {
    /// Builds the API base from `--api-host`. A host without a scheme gets
    /// `https://`, as in the Pinecone SDKs; a path prefix (an API gateway) is
    /// kept; `http://` is refused unless the host is loopback; a port must be
    /// a number from 1 to 65535.
    pub fn from_host(api_host: &str) -> Result<Self, String> {
        let trimmed = api_host.trim();
        if trimmed.is_empty() {
            return Err("the API host is empty".to_owned());
        }
        let shown = quoted(trimmed);
        let with_scheme = if trimmed.contains("://") {
            trimmed.to_owned()
        } else {
            format!("https://{trimmed}")
        };
        let uri: Uri = with_scheme
            .parse()
            .map_err(|err| format!("{shown} is not a URL: {err}"))?;
        let scheme = uri.scheme_str().unwrap_or_default().to_ascii_lowercase();
        let authority = uri
            .authority()
            .ok_or_else(|| format!("{shown} has no host"))?;
        if authority.as_str().contains('@') {
            return Err("credentials in the API host URL are not supported; \
                        the API key goes in PINECONE_API_KEY"
                .to_owned());
        }
        if uri.query().is_some() || with_scheme.contains('#') {
            return Err(format!(
                "{shown} has a query or fragment; give only scheme, host and optional path"
            ));
        }
        check_port(authority.as_str()).map_err(|reason| format!("{shown}: {reason}"))?;
        let loopback = is_loopback(authority.host());
        match scheme.as_str() {
            "https" => {}
            "http" if loopback => {}
            "http" => {
                return Err(format!(
                    "{shown} uses http:// with a host that is not loopback; \
                     the API key is only sent over TLS (https://), except to \
                     localhost, 127.0.0.1 or [::1]"
                ));
            }
            other => {
                return Err(format!(
                    "unsupported scheme {} in {shown}: use https://",
                    quoted(other)
                ));
            }
        }
        let prefix = uri.path().trim_end_matches('/');
        let base = format!("{scheme}://{authority}{prefix}");
        Ok(Endpoint {
            base,
            host: bare_host(authority.host()),
            loopback,
        })
    }

    /// The API base (scheme, host, optional path prefix).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The URL of `path` (which starts with `/`) under the base.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Whether requests go over TLS.
    pub fn is_https(&self) -> bool {
        self.base.starts_with("https://")
    }

    /// The host name or address, lower case, IPv6 without brackets (for
    /// matching `NO_PROXY`).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether the host is loopback (plain HTTP allowed, proxies bypassed).
    pub fn is_loopback(&self) -> bool {
        self.loopback
    }
}

/// Checks the port of a URL authority (`[user@]host[:port]`), which the URL
/// parser accepts too readily: `host:99999`, `host:abc` and `host:` all
/// parse, and the client then silently uses the scheme's default port, so
/// the key would go to port 80 or 443 of a host that was never meant. Port 0
/// cannot be connected to. A port must be digits only, from 1 to 65535.
pub(crate) fn check_port(authority: &str) -> Result<(), String> {
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, rest)| rest);
    let port = if host_port.starts_with('[') {
        match host_port.split_once(']') {
            Some((_, "")) => return Ok(()),
            Some((_, rest)) => rest.strip_prefix(':'),
            None => return Err("the IPv6 address has no closing ']'".to_owned()),
        }
    } else {
        host_port.split_once(':').map(|(_, port)| port)
    };
    let Some(port) = port else {
        return Ok(());
    };
    if port.is_empty() {
        return Err("the port after ':' is empty; give a port from 1 to 65535 or none".to_owned());
    }
    let number = port
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| port.parse::<u32>().ok())
        .flatten();
    match number {
        Some(1..=65535) => Ok(()),
        Some(0) => Err("port 0 cannot be connected to; use a port from 1 to 65535".to_owned()),
        _ => Err(format!(
            "port {} is not a number from 1 to 65535",
            quoted(port)
        )),
    }
}

/// The host as compared against `NO_PROXY`: lower case, brackets dropped.
fn bare_host(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

/// `localhost`, `127.0.0.0/8` and `::1`. Other names are not resolved here:
/// resolution could differ between this check and the request.
pub(crate) fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(host: &str, id: &str) -> Result<String, String> {
        let path = format!(
            "/backups/{}",
            BackupId::from_raw(id).unwrap().path_segment()
        );
        Endpoint::from_host(host).map(|e| e.url(&path))
    }

    #[test]
    fn default_host_gives_the_documented_path() {
        assert_eq!(
            url("https://api.pinecone.io", "670e8400-e29b").unwrap(),
            "https://api.pinecone.io/backups/670e8400-e29b"
        );
    }

    #[test]
    fn host_without_scheme_gets_https_and_trailing_slashes_are_dropped() {
        assert_eq!(
            url("api.pinecone.io/", "b").unwrap(),
            "https://api.pinecone.io/backups/b"
        );
        assert_eq!(
            url("https://gw.example.com/pinecone//", "b").unwrap(),
            "https://gw.example.com/pinecone/backups/b"
        );
    }

    #[test]
    fn id_is_encoded_as_exactly_one_path_segment() {
        assert_eq!(
            url("https://h", "a/../b?x=1#f% z").unwrap(),
            "https://h/backups/a%2F..%2Fb%3Fx%3D1%23f%25%20z"
        );
        assert_eq!(url("https://h", "é").unwrap(), "https://h/backups/%C3%A9");
        assert_eq!(url("https://h", "...").unwrap(), "https://h/backups/...");
    }

    #[test]
    fn dot_segments_empty_and_control_ids_are_refused() {
        for bad in [".", "..", " .. ", "", "  ", "a\nb"] {
            assert!(BackupId::from_raw(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn plain_http_only_reaches_loopback() {
        assert!(url("http://127.0.0.1:8080", "b").is_ok());
        assert!(url("http://127.1.2.3", "b").is_ok());
        assert!(url("http://localhost:5080", "b").is_ok());
        assert!(url("http://LOCALHOST", "b").is_ok());
        assert!(url("http://[::1]:9000", "b").is_ok());
        let err = url("http://api.pinecone.io", "b").unwrap_err();
        assert!(err.contains("only sent over TLS"), "{err}");
        assert!(url("http://10.0.0.1", "b").is_err());
        assert!(url("http://localhost.evil.com", "b").is_err());
        assert!(url("http://127.0.0.1.nip.io", "b").is_err());
    }

    #[test]
    fn ports_out_of_range_zero_empty_or_not_numeric_are_refused() {
        // Regression (issue 8): these parsed, and the client fell back to
        // port 80 or 443 (or retried port 0 until the deadline).
        for (host, reason) in [
            (
                "http://localhost:99999",
                "'99999' is not a number from 1 to 65535",
            ),
            (
                "http://localhost:65616",
                "'65616' is not a number from 1 to 65535",
            ),
            ("http://127.0.0.1:0", "port 0 cannot be connected to"),
            ("https://h:", "the port after ':' is empty"),
            ("https://h:abc", "'abc' is not a number"),
            ("https://h:+443", "'+443' is not a number"),
            ("h:70000", "'70000' is not a number"),
            ("https://[::1]:99999", "'99999' is not a number"),
            ("http://[::1]:", "the port after ':' is empty"),
            ("http://[::1]:0", "port 0"),
        ] {
            let err = url(host, "b").unwrap_err();
            assert!(err.contains(reason), "{host}: {err}");
        }
        assert!(url("http://localhost:65535", "b").is_ok());
        assert!(url("http://localhost:1", "b").is_ok());
        assert!(url("https://h:0443/prefix", "b").is_ok());
        assert!(url("http://[::1]:8080", "b").is_ok());
        assert!(url("http://[::1]", "b").is_ok());
    }

    #[test]
    fn errors_quote_the_host_on_one_line() {
        for host in [
            "https://h\n::error::x",
            "ftp://h\r\n::add-mask::y",
            "h:99\n9",
        ] {
            let err = url(host, "b").unwrap_err();
            assert!(!err.chars().any(char::is_control), "{err:?}");
        }
    }

    #[test]
    fn the_host_is_kept_for_no_proxy_matching() {
        let endpoint = Endpoint::from_host;
        assert_eq!(
            endpoint("https://API.Pinecone.io/x").unwrap().host(),
            "api.pinecone.io"
        );
        assert_eq!(endpoint("http://[::1]:80").unwrap().host(), "::1");
    }

    #[test]
    fn odd_urls_are_refused_with_a_reason() {
        assert!(url("ftp://h", "b").unwrap_err().contains("scheme"));
        assert!(
            url("https://u:p@h", "b")
                .unwrap_err()
                .contains("credentials")
        );
        assert!(url("https://h/?x=1", "b").unwrap_err().contains("query"));
        assert!(url("https://h/#top", "b").is_err());
        assert!(url("", "b").is_err());
        assert!(url("https://", "b").is_err());
        assert!(url("https://exa mple.com", "b").is_err());
    }
}
