//! The production `BackupApi`: one blocking ureq agent.
//!
//! Policy encoded here: redirects are never followed (the `Api-Key` must not
//! travel to another origin); plain HTTP only to loopback, which also skips
//! any proxy; bodies are read with a size limit; the status code decides
//! retryable versus final; a description of another backup is refused; a
//! rejected API version is named as such. Everything is decided on the raw
//! answer: the API key is scrubbed by the report sinks when they print, not
//! here, so that a key which happens to be `Ready` cannot change a status.
//! Server strings quoted in an error are cut (`error_body`). Which CAs are
//! trusted is tls.rs's.

use std::time::{Duration, Instant, SystemTime};

use ureq::http::{Response, StatusCode};
use ureq::unversioned::transport::DefaultConnector;
use ureq::{Agent, Body};

use super::resolve::{LookupFailed, NamingResolver};
use super::tls::{self, Trust};
use super::{ApiError, Backup, BackupApi, error_body, parse_retry_after};
use crate::config::{AdditionalHeaders, ApiKey, Config};

/// The newest API version the contract stage proves this release against
/// (`.ci/contract.sh`), suggested when the server refuses the one sent.
pub const NEWEST_PROVEN_API_VERSION: &str = "2026-04";

/// The largest success body accepted. A BackupModel is about 1 KiB; the
/// limit leaves room for huge descriptions and tag sets, and bounds memory.
const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// The most of an error body read for its message.
const MAX_ERROR_BODY_BYTES: u64 = 64 * 1024;

/// Describes one backup over HTTPS.
pub struct HttpBackupApi {
    agent: Agent,
    url: String,
    backup_id: String,
    api_key: ApiKey,
    api_version: String,
    additional_headers: AdditionalHeaders,
    /// The trusted roots, and the ones to add if a server needs them.
    trust: Trust,
}

impl HttpBackupApi {
    /// Builds the client for the configured backup.
    pub fn from_config(config: &Config) -> Self {
        let loopback = config.endpoint.is_loopback();
        let trust = Trust::for_endpoint(&config.endpoint, &config.ca_certs);
        let agent_config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .https_only(!loopback)
            // A proxy cannot reach our loopback, and must not see plain-HTTP
            // keys. The proxy was chosen and validated by config (curl's
            // variables and NO_PROXY); ureq's own `Proxy::try_from_env`
            // would drop an invalid URL silently and connect directly.
            .proxy(if loopback {
                None
            } else {
                config.proxy.to_ureq()
            })
            .user_agent(concat!("pinecone-backup-wait/", env!("CARGO_PKG_VERSION")))
            .accept("application/json")
            .tls_config(trust.tls_config())
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
            backup_id: config.backup_id.as_str().to_owned(),
            api_key: config.api_key.clone(),
            api_version: config.api_version.clone(),
            additional_headers: config.additional_headers.clone(),
            trust,
        }
    }

    /// What the client found to trust besides the bundled roots, for the
    /// start of the log.
    pub fn trust_notes(&self) -> &[super::TrustNote] {
        self.trust.notes()
    }

    /// One request, with `tls` instead of the agent's TLS configuration.
    fn send(
        &self,
        tls: Option<ureq::tls::TlsConfig>,
        timeout: Duration,
    ) -> Result<Response<Body>, ureq::Error> {
        let mut request = self
            .agent
            .get(&self.url)
            .header("Api-Key", self.api_key.expose())
            .header("X-Pinecone-API-Version", &self.api_version);
        for (name, value) in self.additional_headers.iter() {
            request = request.header(name, value);
        }
        let mut config = request.config().timeout_global(Some(timeout));
        if let Some(tls) = tls {
            config = config.tls_config(tls);
        }
        config.build().call()
    }

    /// Sends, and on a certificate no trusted CA issued, adds the operating
    /// system's store (the first time) and sends once more at once: a
    /// handshake the client refused carried no key. Certificate problems
    /// are final, and explained by tls.rs.
    fn send_trusting(&self, timeout: Duration) -> Result<Response<Body>, ApiError> {
        let deadline = Instant::now() + timeout;
        let mut result = self.send(self.trust.in_force(), timeout);
        if let Err(err) = &result
            && let Some(rustls::CertificateError::UnknownIssuer) = tls::certificate_problem(err)
            && let Some(wider) = self.trust.widen()
        {
            let left = deadline.saturating_duration_since(Instant::now());
            result = self.send(Some(wider), left);
        }
        result.map_err(|err| match tls::certificate_problem(&err) {
            Some(problem) => ApiError::Rejected {
                detail: self.trust.refused(problem),
            },
            None => transport_error(&err, "sending the request"),
        })
    }

    fn classify(&self, mut response: Response<Body>) -> Result<Backup, ApiError> {
        let status = response.status();
        if status.is_success() {
            return self.parse_backup(&mut response);
        }
        let (detail, message) = self.describe_failure(&mut response);
        let id = self.quote(&self.backup_id);
        match status.as_u16() {
            408 | 429 => Err(ApiError::Transient {
                detail,
                retry_after: retry_after_of(&response),
            }),
            // Checked before 401 and 404: a server that no longer serves the
            // version may answer with any 4xx, and waiting will not help.
            400..=499 if message.as_deref().is_some_and(is_about_api_version) => {
                Err(ApiError::Rejected {
                    detail: self.api_version_rejected(&detail),
                })
            }
            401 => Err(ApiError::Unauthorized {
                detail: format!(
                    "{detail}; check that the API key is right and that it belongs to the \
                     Pinecone project that owns backup '{id}'"
                ),
            }),
            403 => Err(ApiError::Unauthorized {
                detail: format!(
                    "{detail}; the key was recognised but may not describe backup '{id}': \
                     check its project and its permissions in the Pinecone console"
                ),
            }),
            404 => Err(ApiError::NotFound {
                detail: format!(
                    "{detail}; backup '{id}' is unknown to the project of this API key \
                     (check the id, and that the key belongs to the project that made the backup)"
                ),
            }),
            500..=599 => Err(ApiError::Transient {
                detail,
                retry_after: retry_after_of(&response),
            }),
            _ => Err(ApiError::Rejected { detail }),
        }
    }

    /// The error for a server that refuses the API version we sent.
    fn api_version_rejected(&self, detail: &str) -> String {
        let sent = &self.api_version;
        let advice = if sent == NEWEST_PROVEN_API_VERSION {
            format!(
                "{NEWEST_PROVEN_API_VERSION} is the newest version this release is tested \
                 against; a newer pinecone-backup-wait may be needed"
            )
        } else {
            format!(
                "pass --api-version {NEWEST_PROVEN_API_VERSION} (action input `api-version`), \
                 the newest version this release is tested against"
            )
        };
        format!(
            "{detail}; the server does not accept API version {sent} \
             (Pinecone serves each stable version for at least 12 months): {advice}"
        )
    }

    /// A server string cut for quoting in an error, never inside the key.
    fn quote(&self, text: &str) -> String {
        error_body::quote(text, self.api_key.expose())
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
                header(response, "content-encoding")
                    .map_or_else(|| "none".to_owned(), |value| self.quote(&value))
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
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|err| ApiError::Malformed {
                detail: format!(
                    "HTTP {}: body is not JSON ({})",
                    status_line(status),
                    self.quote(&err.to_string())
                ),
            })?;
        let backup = Backup::from_value(value).map_err(|detail| ApiError::Malformed {
            detail: format!("HTTP {}: {}", status_line(status), self.quote(&detail)),
        })?;
        // A gate must never pass on another backup's status, whatever it is.
        match backup.text("backup_id") {
            Some(id) if id != self.backup_id => Err(ApiError::Malformed {
                detail: format!(
                    "HTTP {}: the answer describes backup '{}', not the requested backup '{}'",
                    status_line(status),
                    self.quote(id),
                    self.quote(&self.backup_id)
                ),
            }),
            _ => Ok(backup),
        }
    }

    /// The error detail, and the server's own message (if any) on which the
    /// API version check is made.
    fn describe_failure(&self, response: &mut Response<Body>) -> (String, Option<String>) {
        let status = response.status();
        let mut detail = format!("HTTP {}", status_line(status));
        if status.is_redirection() {
            let location = header(response, "location")
                .map_or_else(|| "(no location)".to_owned(), |value| self.quote(&value));
            detail.push_str(&format!(
                ": redirect to {location} not followed; the API key is only sent to --api-host"
            ));
            return (detail, None);
        }
        // An unreadable error body still leaves the status code to act on.
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_ERROR_BODY_BYTES)
            .lossy_utf8(true)
            .read_to_string()
            .unwrap_or_default();
        let message = error_body::message(&body, self.api_key.expose());
        if let Some(message) = &message {
            detail.push_str(": ");
            detail.push_str(message);
        }
        (detail, message)
    }
}

/// Whether an error message is about the API version (`Unsupported API
/// version`, `X-Pinecone-API-Version header ...`, `api_version`). Pinecone
/// does not document the wording, so this matches the words, not a phrase.
fn is_about_api_version(message: &str) -> bool {
    let words: String = message
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c == '-' || c == '_' { ' ' } else { c })
        .collect();
    words.contains("api version") || words.contains("apiversion")
}

impl BackupApi for HttpBackupApi {
    fn describe_backup(&self, timeout: Duration) -> Result<Backup, ApiError> {
        let response = self.send_trusting(timeout)?;
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
    let value = response.headers().get("retry-after")?.to_str().ok()?;
    let date = response
        .headers()
        .get("date")
        .and_then(|date| date.to_str().ok());
    parse_retry_after(value, date, SystemTime::now())
}

/// A header value as text; bytes that are not UTF-8 are replaced, since the
/// value is only ever quoted in an error.
fn header(response: &Response<Body>, name: &str) -> Option<String> {
    let value = response.headers().get(name)?;
    Some(String::from_utf8_lossy(value.as_bytes()).into_owned())
}

fn status_line(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_version_messages_are_recognised_and_others_are_not() {
        for about in [
            "Unsupported API version (INVALID_ARGUMENT)",
            "Invalid value for header X-Pinecone-API-Version: 2025-04",
            "api_version 2025-04 is no longer served",
            "Use of namespace='__default__' is not allowed in API versions prior to 2025-04",
            "unknown apiVersion",
        ] {
            assert!(is_about_api_version(about), "{about}");
        }
        for other in [
            "Invalid API key",
            "Backup 'b1' not found (NOT_FOUND)",
            "version conflict",
            "HTML page \"404 Not Found\"",
        ] {
            assert!(!is_about_api_version(other), "{other}");
        }
    }
}

#[cfg(test)]
mod trust_tests {
    use std::sync::OnceLock;

    use testkit::tls::{TestCa, TlsFront};
    use testkit::{FakeControlPlane, Reply, Script};

    use super::*;
    use crate::api::tls::Loaded;
    use crate::cli::Cli;
    use crate::config::{CaCertPaths, Env};

    /// The CA that the simulated operating system's store holds.
    fn store_ca() -> &'static TestCa {
        static CA: OnceLock<TestCa> = OnceLock::new();
        CA.get_or_init(|| TestCa::new("CA in the system store"))
    }

    fn os_store_with_the_ca() -> Loaded {
        Loaded {
            certs: vec![store_ca().der().clone()],
            problems: Vec::new(),
        }
    }

    fn no_files(_: &CaCertPaths) -> Loaded {
        Loaded::default()
    }

    #[test]
    fn a_ca_in_the_os_store_is_trusted_after_one_refused_handshake() {
        let plane = FakeControlPlane::start(Script::always(Reply::backup("Ready")));
        let front = TlsFront::start(store_ca(), plane.addr());
        let args = [
            "w",
            "--backup-id",
            testkit::control_plane::SAMPLE_BACKUP_ID,
            "--api-key",
            "pcsk_test",
        ];
        let parsed = Cli::parse_args(args.into_iter().chain(["--api-host", &front.url()]))
            .expect("clap accepts the flags");
        let config = Config::from_cli(&parsed.cli, parsed.origins, &Env::default()).unwrap();
        let mut api = HttpBackupApi::from_config(&config);
        api.trust = Trust::from_sources(&CaCertPaths::default(), no_files, os_store_with_the_ca);

        let timeout = Duration::from_secs(5);
        let backup = api
            .describe_backup(timeout)
            .expect("trusted through the store");
        assert_eq!(backup.status(), "Ready");
        assert_eq!(front.handshakes(), 1, "{:?}", front.failures());
        assert_eq!(plane.request_count(), 1, "the key was sent once");

        api.describe_backup(timeout).expect("still trusted");
        assert_eq!(front.handshakes(), 2);
        assert!(front.failures().len() <= 1, "no second refused handshake");
        assert_eq!(plane.request_count(), 2);
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
