//! The production `BackupApi`: one blocking ureq agent.
//!
//! Policy encoded here: redirects are never followed (the `Api-Key` must not
//! travel to another origin); plain HTTP only to loopback, which also skips
//! any proxy; bodies are read with a size limit; the status code decides
//! retryable versus final; every string from the network is scrubbed of the
//! API key before it leaves this module.

use std::time::{Duration, SystemTime};

use ureq::http::{Response, StatusCode};
use ureq::unversioned::transport::DefaultConnector;
use ureq::{Agent, Body};

use super::resolve::{LookupFailed, NamingResolver};
use super::{ApiError, Backup, BackupApi, error_body, parse_retry_after};
use crate::config::{AdditionalHeaders, ApiKey, Config};

/// The largest success body accepted. A BackupModel is about 1 KiB; the
/// limit leaves room for huge descriptions and tag sets, and bounds memory.
const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// The most of an error body read for its message.
const MAX_ERROR_BODY_BYTES: u64 = 64 * 1024;

/// Describes one backup over HTTPS.
pub struct HttpBackupApi {
    agent: Agent,
    url: String,
    api_key: ApiKey,
    api_version: String,
    additional_headers: AdditionalHeaders,
}

impl HttpBackupApi {
    /// Builds the client for the configured backup.
    pub fn from_config(config: &Config) -> Self {
        let loopback = config.endpoint.is_loopback();
        let agent_config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .https_only(!loopback)
            // A proxy cannot reach our loopback, and must not see plain-HTTP keys.
            .proxy(if loopback {
                None
            } else {
                ureq::Proxy::try_from_env()
            })
            .user_agent(concat!("pinecone-backup-wait/", env!("CARGO_PKG_VERSION")))
            .accept("application/json")
            .build();
        // ureq's own connector; the resolver only names its failures.
        let agent = Agent::with_parts(
            agent_config,
            DefaultConnector::default(),
            NamingResolver::for_url(config.endpoint.url()),
        );
        HttpBackupApi {
            agent,
            url: config.endpoint.url().to_owned(),
            api_key: config.api_key.clone(),
            api_version: config.api_version.clone(),
            additional_headers: config.additional_headers.clone(),
        }
    }

    fn classify(&self, mut response: Response<Body>) -> Result<Backup, ApiError> {
        let status = response.status();
        if status.is_success() {
            return self.parse_backup(&mut response);
        }
        let detail = self.describe_failure(&mut response);
        let detail = self.api_key.redact(&detail).into_owned();
        match status.as_u16() {
            401 | 403 => Err(ApiError::Unauthorized { detail }),
            404 => Err(ApiError::NotFound { detail }),
            408 | 429 | 500..=599 => Err(ApiError::Transient {
                detail,
                retry_after: retry_after_of(&response),
            }),
            _ => Err(ApiError::Rejected { detail }),
        }
    }

    fn parse_backup(&self, response: &mut Response<Body>) -> Result<Backup, ApiError> {
        let status = response.status();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_vec()
            .map_err(|err| match err {
                ureq::Error::BodyExceedsLimit(_) => ApiError::Malformed {
                    detail: format!(
                        "HTTP {}: response body is larger than {} KiB",
                        status_line(status),
                        MAX_BODY_BYTES / 1024
                    ),
                },
                other => transport_error(&other, "reading the response body"),
            })?;
        // Decoded here rather than by ureq, so that a body that is not text
        // (an unrequested gzip, say) is a malformed answer, not a network fault.
        let text = String::from_utf8(bytes).map_err(|_| ApiError::Malformed {
            detail: format!(
                "HTTP {}: body is not UTF-8 text (Content-Encoding: {})",
                status_line(status),
                header(response, "content-encoding").unwrap_or("none")
            ),
        })?;
        if text.trim().is_empty() {
            return Err(ApiError::Malformed {
                detail: format!(
                    "HTTP {}: empty body where a BackupModel was expected",
                    status_line(status)
                ),
            });
        }
        let mut value: serde_json::Value =
            serde_json::from_str(&text).map_err(|err| ApiError::Malformed {
                detail: format!("HTTP {}: body is not JSON ({err})", status_line(status)),
            })?;
        self.scrub(&mut value);
        Backup::from_value(value).map_err(|detail| ApiError::Malformed {
            detail: format!("HTTP {}: {detail}", status_line(status)),
        })
    }

    fn describe_failure(&self, response: &mut Response<Body>) -> String {
        let status = response.status();
        let mut detail = format!("HTTP {}", status_line(status));
        if status.is_redirection() {
            let location = header(response, "location").unwrap_or("(no location)");
            detail.push_str(&format!(
                ": redirect to {location} not followed; the API key is only sent to --api-host"
            ));
            return detail;
        }
        // An unreadable error body still leaves the status code to act on.
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_ERROR_BODY_BYTES)
            .lossy_utf8(true)
            .read_to_string()
            .unwrap_or_default();
        if let Some(message) = error_body::message(&body) {
            detail.push_str(": ");
            detail.push_str(&message);
        }
        detail
    }

    /// Replaces the key in every string and object key of the body.
    fn scrub(&self, value: &mut serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::String(text) => {
                if let std::borrow::Cow::Owned(clean) = self.api_key.redact(text) {
                    *text = clean;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.scrub(item)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                for (key, mut item) in entries {
                    self.scrub(&mut item);
                    map.insert(self.api_key.redact(&key).into_owned(), item);
                }
            }
            _ => {}
        }
    }
}

impl BackupApi for HttpBackupApi {
    fn describe_backup(&self, timeout: Duration) -> Result<Backup, ApiError> {
        let mut request = self
            .agent
            .get(&self.url)
            .header("Api-Key", self.api_key.expose())
            .header("X-Pinecone-API-Version", &self.api_version);
        for (name, value) in self.additional_headers.iter() {
            request = request.header(name, value);
        }
        let response = request
            .config()
            .timeout_global(Some(timeout))
            .build()
            .call()
            .map_err(|err| transport_error(&err, "sending the request"))?;
        self.classify(response)
    }
}

/// Maps a ureq error to retryable or final. Transport trouble is retryable;
/// a TLS failure (bad certificate, wrong host, a peer that does not speak
/// TLS) and a proxy that refuses us will not fix themselves. A name that
/// does not resolve is `Unresolved`: the poller decides how long to retry it.
fn transport_error(err: &ureq::Error, during: &str) -> ApiError {
    match err {
        ureq::Error::Timeout(_) => ApiError::transient(format!("timed out {during}")),
        ureq::Error::Rustls(tls) => tls_error(tls),
        ureq::Error::Tls(reason) => ApiError::Rejected {
            detail: format!("TLS error: {reason}"),
        },
        ureq::Error::BadUri(_) | ureq::Error::Http(_) | ureq::Error::InvalidProxyUrl => {
            ApiError::Rejected {
                detail: format!("request could not be built: {err}"),
            }
        }
        ureq::Error::Other(other) if other.is::<LookupFailed>() => {
            let failed = other.downcast_ref::<LookupFailed>().expect("checked above");
            ApiError::Unresolved {
                host: failed.host.clone(),
                proxy: failed.proxy,
                detail: failed.reason.clone(),
            }
        }
        // Only reached if a resolver other than ours reports it.
        ureq::Error::HostNotFound => ApiError::transient("host not found (DNS lookup failed)"),
        ureq::Error::ConnectProxyFailed(reason) => proxy_error(reason),
        // rustls reports handshake failures (bad certificate, a plain-HTTP
        // port, a protocol mismatch) through the I/O error it returns.
        ureq::Error::Io(io) => match io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
            Some(tls) => tls_error(tls),
            None => ApiError::transient(format!("{during}: {io}")),
        },
        other => ApiError::transient(format!("{during}: {other}")),
    }
}

/// A TLS failure is final. When the peer's first bytes are not a TLS record
/// at all (an HTTP server answers a ClientHello with `HTTP/1.1 400`, whose
/// `H` is no TLS content type), say so: it is a plain-HTTP server.
fn tls_error(tls: &rustls::Error) -> ApiError {
    use rustls::InvalidMessage::{InvalidContentType, UnknownProtocolVersion};
    let detail = match tls {
        rustls::Error::InvalidMessage(InvalidContentType | UnknownProtocolVersion) => {
            "TLS error: the server does not speak TLS (its answer is not a TLS record; \
             a plain-HTTP server?); for a local plain-HTTP server use an http:// --api-host \
             (allowed for loopback hosts only)"
                .to_owned()
        }
        other => format!("TLS error: {other}"),
    };
    ApiError::Rejected { detail }
}

/// A CONNECT proxy that did not open the tunnel. ureq says
/// `proxy server responded 407/407` (code twice) or `proxy server did not
/// respond`; neither carries the proxy URL, so no credentials can leak.
fn proxy_error(reason: &str) -> ApiError {
    let code = reason
        .strip_prefix("proxy server responded ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse::<u16>().ok());
    match code {
        Some(407) => ApiError::Rejected {
            detail: "the proxy requires authentication (HTTP 407 to CONNECT): put the \
                     credentials in the proxy URL, as http://user:pass@host:port"
                .to_owned(),
        },
        // A gateway that cannot reach the API right now, or is overloaded.
        Some(code @ (408 | 429 | 500..=599)) => ApiError::transient(format!(
            "the proxy could not open a tunnel (HTTP {code} to CONNECT)"
        )),
        Some(code) => ApiError::Rejected {
            detail: format!(
                "the proxy refused to open a tunnel to --api-host (HTTP {code} to CONNECT); \
                 check the proxy variables (HTTPS_PROXY, ALL_PROXY, NO_PROXY)"
            ),
        },
        None => ApiError::transient(format!("the proxy failed: {reason}")),
    }
}

fn retry_after_of(response: &Response<Body>) -> Option<Duration> {
    let value = header(response, "retry-after")?;
    parse_retry_after(value, header(response, "date"), SystemTime::now())
}

fn header<'a>(response: &'a Response<Body>, name: &str) -> Option<&'a str> {
    response.headers().get(name)?.to_str().ok()
}

fn status_line(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

#[cfg(test)]
mod transport_error_tests {
    use super::*;

    #[test]
    fn a_peer_that_does_not_speak_tls_is_named_with_the_http_hint() {
        let err = tls_error(&rustls::Error::InvalidMessage(
            rustls::InvalidMessage::InvalidContentType,
        ));
        assert!(!err.is_retryable());
        let text = err.to_string();
        assert!(text.contains("does not speak TLS"), "{text}");
        assert!(text.contains("http://"), "{text}");
    }

    #[test]
    fn other_tls_errors_keep_their_own_words() {
        let err = tls_error(&rustls::Error::InvalidCertificate(
            rustls::CertificateError::Expired,
        ));
        assert!(!err.is_retryable());
        assert!(!err.to_string().contains("http://"), "{err}");
    }

    #[test]
    fn a_proxy_asking_for_credentials_is_final_with_a_hint() {
        let err = transport_error(
            &ureq::Error::ConnectProxyFailed("proxy server responded 407/407".into()),
            "sending the request",
        );
        assert!(!err.is_retryable());
        assert!(
            err.to_string().contains("http://user:pass@host:port"),
            "{err}"
        );
    }

    #[test]
    fn a_proxy_gateway_error_is_retried_and_a_refusal_is_not() {
        for code in [502, 503, 504, 429] {
            let reason = format!("proxy server responded {code}/{code}");
            let err = transport_error(&ureq::Error::ConnectProxyFailed(reason), "x");
            assert!(err.is_retryable(), "{code}: {err}");
        }
        let err = transport_error(
            &ureq::Error::ConnectProxyFailed("proxy server responded 403/403".into()),
            "x",
        );
        assert!(!err.is_retryable(), "{err}");
        assert!(err.to_string().contains("HTTP 403 to CONNECT"), "{err}");
        let err = transport_error(
            &ureq::Error::ConnectProxyFailed("proxy server did not respond".into()),
            "x",
        );
        assert!(err.is_retryable(), "{err}");
    }

    #[test]
    fn a_failed_lookup_becomes_unresolved_naming_the_host() {
        let err = transport_error(
            &ureq::Error::Other(Box::new(LookupFailed {
                host: "api.example.invalid".into(),
                proxy: false,
                reason: "Name or service not known".into(),
            })),
            "sending the request",
        );
        assert_eq!(
            err,
            ApiError::Unresolved {
                host: "api.example.invalid".into(),
                proxy: false,
                detail: "Name or service not known".into(),
            }
        );
    }
}
