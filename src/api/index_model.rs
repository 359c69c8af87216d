//! `IndexModel`: an index as the API sent it (`GET /indexes/{index_name}`),
//! what its `status` means for the wait, and `IndexHost`, the validated
//! data-plane base URL built from its `host`.
//!
//! As for backups (`model.rs`), the fields the spec defines are type-checked
//! and every field is kept, unknown ones included, for the outputs and
//! `--json`. `status.ready` and `status.state` are required (the spec
//! requires both, and the wait cannot go on without them).
//!
//! The index host receives the API key with every data-plane request, so it
//! is read as a plain authority (`host[:port]`) and nothing else: no path,
//! query, fragment or credentials that could send the key somewhere the
//! control plane did not name. It is reached over HTTPS, except a loopback
//! host over plain HTTP, the rule `--api-host` follows (`config::endpoint`).
//! Sources: `IndexModel` in db_control 2025-04 to 2026-07.
//!
//! Pure: nothing here does I/O.

use std::collections::BTreeMap;
use std::net::Ipv6Addr;

use serde::Deserialize;
use serde_json::{Map, Value};
use ureq::http::Uri;

use super::fields::{object, output_fields};
use crate::config::{check_port, is_loopback, quoted};
use crate::status::StatusClass;

/// IndexModel fields in the spec's order; outputs list them in this order,
/// then any field a newer API version added (such as an `id`).
pub const FIELDS: [&str; 11] = [
    "name",
    "dimension",
    "metric",
    "host",
    "private_host",
    "deletion_protection",
    "tags",
    "embed",
    "spec",
    "status",
    "vector_type",
];

/// The state of a usable index, together with `status.ready: true`.
pub const READY_STATE: &str = "Ready";

/// States that end the wait as failed: the index will not become usable.
/// `Failed` appears in the 2026-07 `x-enum`; `Terminating` means the index
/// is being deleted.
pub const FAILED_STATES: [&str; 4] = ["InitializationFailed", "Failed", "Terminating", "Disabled"];

/// The other states of the specs' enum (2025-04 to 2026-07): the index is
/// being made or resized. `Ready` is here too, for the moment when the
/// state says `Ready` but `status.ready` is still false. Any other state
/// also keeps the wait going, with a warning printed once.
pub const KNOWN_IN_PROGRESS: [&str; 6] = [
    "Initializing",
    "ScalingUp",
    "ScalingDown",
    "ScalingUpPodSize",
    "ScalingDownPodSize",
    READY_STATE,
];

/// What an index status means: ready when `ready` is true and `state` is
/// `Ready`; failed for a failed state whatever `ready` says. States compare
/// exactly (case-sensitive) after trimming.
pub fn classify(ready: bool, state: &str) -> StatusClass {
    let state = state.trim();
    if FAILED_STATES.contains(&state) {
        StatusClass::Failed
    } else if ready && state == READY_STATE {
        StatusClass::Ready
    } else if KNOWN_IN_PROGRESS.contains(&state) {
        StatusClass::InProgress
    } else {
        StatusClass::Unknown
    }
}

/// An index as described by the API.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexModel {
    fields: Map<String, Value>,
    ready: bool,
    state: String,
}

/// The typed view used only to check a body against the spec.
#[derive(Deserialize)]
#[allow(dead_code)] // Fields exist to be type-checked by serde, not read.
struct IndexModelView {
    status: IndexStatusView,
    name: Option<String>,
    id: Option<String>,
    dimension: Option<i64>,
    metric: Option<String>,
    host: Option<String>,
    private_host: Option<String>,
    deletion_protection: Option<String>,
    tags: Option<BTreeMap<String, String>>,
    embed: Option<Map<String, Value>>,
    spec: Option<Map<String, Value>>,
    vector_type: Option<String>,
}

#[derive(Deserialize)]
struct IndexStatusView {
    ready: bool,
    state: String,
}

impl IndexModel {
    /// Checks a parsed JSON body against the IndexModel.
    pub fn from_value(value: Value) -> Result<IndexModel, String> {
        let fields = object(value, "IndexModel")?;
        let view = Value::Object(fields);
        let checked = IndexModelView::deserialize(&view)
            .map_err(|err| format!("not an IndexModel: {err}"))?;
        match view {
            Value::Object(fields) => Ok(IndexModel {
                fields,
                ready: checked.status.ready,
                state: checked.status.state,
            }),
            _ => unreachable!("checked to be an object above"),
        }
    }

    /// `name`.
    pub fn name(&self) -> Option<&str> {
        self.text("name")
    }

    /// `id`, which the specs up to 2026-04 do not define; present if a
    /// newer version sends it.
    pub fn id(&self) -> Option<&str> {
        self.text("id")
    }

    /// `host` exactly as sent: no scheme (`name-abc123.svc.region.pinecone.io`,
    /// or `127.0.0.1:PORT` from a local fake). See [`IndexModel::data_plane`].
    pub fn host(&self) -> Option<&str> {
        self.text("host")
    }

    /// `status.ready`.
    pub fn ready(&self) -> bool {
        self.ready
    }

    /// `status.state`, exactly as sent (untrimmed).
    pub fn state(&self) -> &str {
        &self.state
    }

    /// What the status means for the wait.
    pub fn class(&self) -> StatusClass {
        classify(self.ready, &self.state)
    }

    /// `dimension`.
    pub fn dimension(&self) -> Option<i64> {
        self.fields.get("dimension").and_then(Value::as_i64)
    }

    /// `metric`.
    pub fn metric(&self) -> Option<&str> {
        self.text("metric")
    }

    /// `deletion_protection` (`enabled` or `disabled`).
    pub fn deletion_protection(&self) -> Option<&str> {
        self.text("deletion_protection")
    }

    /// `tags`, when present and not `null`.
    pub fn tags(&self) -> Option<BTreeMap<&str, &str>> {
        let tags = self.fields.get("tags")?.as_object()?;
        Some(
            tags.iter()
                .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
                .collect(),
        )
    }

    /// The data-plane base URL for this index, from `host`.
    pub fn data_plane(&self) -> Result<IndexHost, String> {
        match self.host() {
            None | Some("") => Err("the index has no host".to_owned()),
            Some(host) => IndexHost::parse(host),
        }
    }

    /// A string field, if present and a string.
    pub fn text(&self, field: &str) -> Option<&str> {
        self.fields.get(field).and_then(Value::as_str)
    }

    /// Every field as `(name, value)`: the spec's fields first (absent ones
    /// as empty strings), then the others in name order; `status`, `spec`
    /// and `tags` as compact JSON.
    pub fn output_fields(&self) -> Vec<(&str, String)> {
        output_fields(&self.fields, &FIELDS)
    }

    /// The whole index as a JSON value.
    pub fn as_json(&self) -> Value {
        Value::Object(self.fields.clone())
    }
}

/// Where data-plane requests for one index go: `https://{host}`, or
/// `http://{host}` for a loopback host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexHost {
    base: String,
    host: String,
    loopback: bool,
}

impl IndexHost {
    /// Reads an IndexModel `host`. It must be a plain authority:
    /// a DNS name or IPv4 address (ASCII letters, digits, `-`, `_`, `.`,
    /// no empty label) or a bracketed IPv6 address, then an optional port
    /// from 1 to 65535. An `https://` prefix is tolerated, `http://` only
    /// for a loopback host (localhost, 127.0.0.0/8, [::1]); a path (even a
    /// lone `/`), query, fragment, credentials, percent-escapes, spaces or
    /// anything else is refused, quoted in the error.
    pub fn parse(raw: &str) -> Result<IndexHost, String> {
        let shown = quoted(raw);
        let refuse = |why: &str| Err(format!("index host {shown} {why}"));
        if raw.is_empty() {
            return refuse("is empty");
        }
        let (scheme, authority) = match raw.split_once("://") {
            Some((scheme, rest)) => (Some(scheme.to_ascii_lowercase()), rest),
            None => (None, raw),
        };
        if let Some(scheme) = &scheme
            && scheme != "https"
            && scheme != "http"
        {
            return refuse("has a scheme other than https:// or http://");
        }
        if authority.is_empty() {
            return refuse("has no host name");
        }
        if let Some(bad) = authority.chars().find(|&c| !is_authority_char(c)) {
            return refuse(match bad {
                '/' => "has a path; expected only host[:port]",
                '?' => "has a query; expected only host[:port]",
                '#' => "has a fragment; expected only host[:port]",
                '@' => "has credentials; expected only host[:port]",
                _ => "has a character that cannot be in a host name; expected only host[:port]",
            });
        }
        let host = match authority.strip_prefix('[') {
            Some(bracketed) => {
                let Some((address, _)) = bracketed.split_once(']') else {
                    return refuse("has an IPv6 address without its closing ']'");
                };
                if address.parse::<Ipv6Addr>().is_err() {
                    return refuse("has something in brackets that is not an IPv6 address");
                }
                &authority[..address.len() + 2]
            }
            None => {
                let host = authority.split_once(':').map_or(authority, |(h, _)| h);
                if host.contains(['[', ']']) || authority.matches(':').count() > 1 {
                    return refuse("is not host[:port] (an IPv6 address needs brackets)");
                }
                if host.is_empty() || host.split('.').any(str::is_empty) {
                    return refuse("has an empty name or an empty label");
                }
                host
            }
        };
        let port_part = &authority[host.len()..];
        if !port_part.is_empty() && !port_part.starts_with(':') {
            return refuse("has text after the IPv6 address; expected only host[:port]");
        }
        check_port(authority).map_err(|reason| format!("index host {shown}: {reason}"))?;
        let loopback = is_loopback(host);
        let scheme = match scheme.as_deref() {
            Some("http") if !loopback => {
                return refuse(
                    "uses http:// with a host that is not loopback; the API key is only \
                     sent over TLS (https://), except to localhost, 127.0.0.1 or [::1]",
                );
            }
            Some(given) => given.to_owned(),
            None if loopback => "http".to_owned(),
            None => "https".to_owned(),
        };
        let base = format!("{scheme}://{authority}");
        // A second opinion from the URL parser the client uses: the whole
        // authority must come back as the authority, with no path.
        let uri: Uri = format!("{base}/")
            .parse()
            .map_err(|err| format!("index host {shown} is not a host name: {err}"))?;
        if uri.authority().map(|a| a.as_str()) != Some(authority) || uri.path() != "/" {
            return refuse("is not a plain host[:port]");
        }
        Ok(IndexHost {
            base,
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_ascii_lowercase(),
            loopback,
        })
    }

    /// `https://{host}` (or `http://` for loopback), no trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The host name or address, lower case, IPv6 without brackets (for
    /// matching `NO_PROXY`).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Whether the host is loopback (plain HTTP, proxies bypassed).
    pub fn is_loopback(&self) -> bool {
        self.loopback
    }

    /// The URL of `POST /describe_index_stats` (db_data 2025-10, 2026-04).
    pub fn describe_index_stats_url(&self) -> String {
        format!("{}/describe_index_stats", self.base)
    }
}

/// Characters an authority may hold here: ASCII letters and digits, `-`,
/// `.`, `_` (seen in some internal names), `:` before a port, and the
/// brackets of an IPv6 address.
fn is_authority_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | ':' | '[' | ']')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn index(value: Value) -> IndexModel {
        IndexModel::from_value(value).unwrap()
    }

    #[test]
    fn every_spec_example_parses() {
        let examples = [
            include_str!("../../tests/fixtures/indexes/2025-04-serverless.json"),
            include_str!("../../tests/fixtures/indexes/2025-04-pod.json"),
            include_str!("../../tests/fixtures/indexes/2025-10-serverless.json"),
            include_str!("../../tests/fixtures/indexes/2025-10-pod.json"),
            include_str!("../../tests/fixtures/indexes/2026-04-serverless.json"),
            include_str!("../../tests/fixtures/indexes/2026-04-pod.json"),
        ];
        for example in examples {
            let index = index(serde_json::from_str(example).unwrap());
            assert_eq!(index.name(), Some("movie-recommendations"));
            assert_eq!(index.id(), None);
            assert_eq!(index.dimension(), Some(1536));
            assert_eq!(index.metric(), Some("cosine"));
            assert!(!index.ready());
            assert_eq!(index.state(), "Initializing");
            assert_eq!(index.class(), StatusClass::InProgress);
            let host = index.data_plane().unwrap();
            assert_eq!(
                host.describe_index_stats_url(),
                "https://movie-recommendations-c01b5b5.svc.us-east1-gcp.pinecone.io/describe_index_stats"
            );
            let fields = index.output_fields();
            let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
            assert_eq!(names, FIELDS.to_vec());
            assert_eq!(fields[9].1, r#"{"ready":false,"state":"Initializing"}"#);
        }
    }

    #[test]
    fn ready_needs_both_the_flag_and_the_state() {
        assert_eq!(classify(true, "Ready"), StatusClass::Ready);
        assert_eq!(classify(true, " Ready\n"), StatusClass::Ready);
        assert_eq!(classify(false, "Ready"), StatusClass::InProgress);
        assert_eq!(classify(true, "ScalingUp"), StatusClass::InProgress);
        assert_eq!(classify(false, "Initializing"), StatusClass::InProgress);
        assert_eq!(
            classify(false, "ScalingDownPodSize"),
            StatusClass::InProgress
        );
        for failed in FAILED_STATES {
            assert_eq!(classify(false, failed), StatusClass::Failed, "{failed}");
            assert_eq!(classify(true, failed), StatusClass::Failed, "{failed}");
        }
        assert_eq!(classify(true, "ready"), StatusClass::Unknown);
        assert_eq!(classify(false, "Archiving"), StatusClass::Unknown);
    }

    #[test]
    fn the_fakes_index_is_reached_over_http() {
        let index = index(json!({
            "name": "drill-1", "dimension": 8, "metric": "cosine", "host": "127.0.0.1:41234",
            "deletion_protection": "disabled", "tags": {"purpose": "drill"},
            "spec": {"serverless": {"cloud": "aws", "region": "us-east-1"}},
            "status": {"ready": true, "state": "Ready"}, "vector_type": "dense"
        }));
        assert_eq!(index.class(), StatusClass::Ready);
        assert_eq!(index.deletion_protection(), Some("disabled"));
        assert_eq!(index.tags().unwrap().get("purpose"), Some(&"drill"));
        let host = index.data_plane().unwrap();
        assert_eq!(host.base(), "http://127.0.0.1:41234");
        assert!(host.is_loopback());
        assert_eq!(host.host(), "127.0.0.1");
    }

    #[test]
    fn hosts_get_https_unless_loopback() {
        let base = |h: &str| IndexHost::parse(h).map(|h| h.base().to_owned());
        assert_eq!(
            base("idx-abc.svc.aped-4627-b74a.pinecone.io").unwrap(),
            "https://idx-abc.svc.aped-4627-b74a.pinecone.io"
        );
        assert_eq!(base("localhost:5081").unwrap(), "http://localhost:5081");
        assert_eq!(base("LOCALHOST").unwrap(), "http://LOCALHOST");
        assert_eq!(base("a_b.svc.io:443").unwrap(), "https://a_b.svc.io:443");
        assert_eq!(base("127.9.9.9").unwrap(), "http://127.9.9.9");
        assert_eq!(base("[::1]:8080").unwrap(), "http://[::1]:8080");
        assert_eq!(
            base("https://h.pinecone.io").unwrap(),
            "https://h.pinecone.io"
        );
        assert_eq!(
            base("HTTPS://h.pinecone.io").unwrap(),
            "https://h.pinecone.io"
        );
        assert_eq!(base("http://127.0.0.1:9").unwrap(), "http://127.0.0.1:9");
        assert_eq!(base("https://127.0.0.1:9").unwrap(), "https://127.0.0.1:9");
        // Look-alikes of loopback are not loopback.
        for host in [
            "localhost.evil.com",
            "127.0.0.1.nip.io",
            "[::ffff:127.0.0.1]",
            "10.0.0.1",
            "[2001:db8::1]:443",
        ] {
            assert!(base(host).unwrap().starts_with("https://"), "{host}");
        }
        assert_eq!(
            IndexHost::parse("[::1]:80").unwrap().host(),
            "::1",
            "bare for NO_PROXY"
        );
        assert_eq!(
            IndexHost::parse("H.Pinecone.IO").unwrap().host(),
            "h.pinecone.io"
        );
    }

    #[test]
    fn hostile_hosts_are_refused_with_the_reason() {
        for (host, reason) in [
            ("", "is empty"),
            ("evil.com/steal", "has a path"),
            ("h.pinecone.io/", "has a path"),
            ("h.pinecone.io?x=1", "has a query"),
            ("h.pinecone.io#frag", "has a fragment"),
            ("h.pinecone.io@evil.com", "has credentials"),
            ("user:pass@h.pinecone.io", "has credentials"),
            ("127.0.0.1:80@evil.com", "has credentials"),
            ("evil.com\\@h.pinecone.io", "cannot be in a host name"),
            ("h.pinecone.io%2F@evil", "cannot be in a host name"),
            ("h.pinecone.io\r\nX-Evil: 1", "cannot be in a host name"),
            (" h.pinecone.io", "cannot be in a host name"),
            ("h .io", "cannot be in a host name"),
            ("hé.io", "cannot be in a host name"),
            ("ftp://h.pinecone.io", "scheme other than"),
            ("file:///etc/passwd", "scheme other than"),
            ("http://h.pinecone.io", "only sent over TLS"),
            ("http://10.0.0.1", "only sent over TLS"),
            ("https://", "has no host name"),
            ("https://https://h", "has a path"),
            ("h.pinecone.io:99999", "not a number from 1 to 65535"),
            ("localhost:0", "port 0"),
            ("localhost:", "the port after ':' is empty"),
            ("h:abc", "'abc' is not a number"),
            ("::1", "needs brackets"),
            ("h:1:2", "needs brackets"),
            ("[::1", "closing ']'"),
            ("[evil.com]", "not an IPv6 address"),
            ("[::1]evil", "text after the IPv6 address"),
            (".", "empty label"),
            ("a..b", "empty label"),
            (".h.io", "empty label"),
            (":443", "empty name"),
        ] {
            let err = IndexHost::parse(host).unwrap_err();
            assert!(err.contains(reason), "{host:?}: {err}");
            assert!(!err.chars().any(char::is_control), "{err:?}");
        }
    }

    #[test]
    fn a_missing_host_is_said_so() {
        let index = index(json!({"status": {"ready": false, "state": "Initializing"}}));
        assert_eq!(index.data_plane().unwrap_err(), "the index has no host");
        let index = index_with_host("");
        assert_eq!(index.data_plane().unwrap_err(), "the index has no host");
    }

    fn index_with_host(host: &str) -> IndexModel {
        index(json!({"host": host, "status": {"ready": true, "state": "Ready"}}))
    }

    #[test]
    fn wrong_shapes_are_refused_with_the_reason() {
        let err = |v: Value| IndexModel::from_value(v).unwrap_err();
        assert!(err(json!([])).contains("an array"));
        assert!(err(json!({"name": "x"})).contains("missing field `status`"));
        assert!(err(json!({"status": {"state": "Ready"}})).contains("missing field `ready`"));
        assert!(err(json!({"status": {"ready": true}})).contains("missing field `state`"));
        assert!(
            err(json!({"status": {"ready": "true", "state": "Ready"}})).contains("invalid type")
        );
        assert!(err(json!({"status": null})).contains("invalid type: null"));
        let ok = json!({"ready": true, "state": "Ready"});
        assert!(err(json!({"status": ok, "host": 5})).contains("invalid type"));
        assert!(err(json!({"status": ok, "dimension": "1536"})).contains("invalid type"));
        assert!(err(json!({"status": ok, "tags": {"a": 1}})).contains("invalid type"));
        assert!(err(json!({"status": ok, "spec": "serverless"})).contains("invalid type"));
    }

    #[test]
    fn new_and_null_fields_are_kept() {
        let index = index(json!({
            "id": "idx-1", "tags": null, "private_host": null,
            "status": {"ready": true, "state": "Ready", "extra": 1},
            "read_capacity": {"mode": "OnDemand"}
        }));
        assert_eq!(index.id(), Some("idx-1"));
        assert_eq!(index.tags(), None);
        let fields = index.output_fields();
        assert_eq!(fields[6], ("tags", String::new()));
        assert_eq!(fields[9].1, r#"{"extra":1,"ready":true,"state":"Ready"}"#);
        assert_eq!(fields[11], ("id", "idx-1".to_owned()));
        assert_eq!(
            fields[12],
            ("read_capacity", r#"{"mode":"OnDemand"}"#.to_owned())
        );
        assert_eq!(index.as_json()["status"]["extra"], 1);
    }
}
