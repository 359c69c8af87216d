//! The one HTTP client every request goes through: one blocking ureq
//! agent, the headers, the trust store, and what a status code means.
//!
//! Policy encoded here: redirects are never followed (the `Api-Key` must not
//! travel to another origin); plain HTTP only to loopback, which also skips
//! any proxy; bodies are read with a size limit; the status code decides
//! retryable versus final, per resource (`Subject`), so that a 404 names the
//! backup or the index that is missing; a rejected API version is named as
//! such. Everything is decided on the raw answer: the API key is scrubbed
//! by the report sinks when they print, not here, so that a key which
//! happens to be `Ready` cannot change a status. Server strings quoted in an
//! error are cut (`error_body`). Which CAs are trusted is tls.rs's; what a
//! describe or a list answers is backups.rs's; a create, and whether it may
//! be sent again, writes.rs's.
//!
//! The client also knows whether any byte of a request left it (`Sent`):
//! a request that failed before that (no address, connection refused, a
//! TLS handshake that failed, a connect timeout) cannot have been acted on,
//! which is what decides whether a create may be sent again.

use std::cell::Cell;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use ureq::http::{Response, StatusCode};
use ureq::tls::TlsConfig;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, DefaultConnector, NextTimeout, Transport,
};
use ureq::{Agent, Body, RequestBuilder};

use super::index_model::IndexHost;
use super::resolve::{LookupFailed, NamingResolver};
use super::tls::{self, Trust};
use super::{ApiError, error_body, parse_retry_after};
use crate::config::{AdditionalHeaders, ApiKey, CaCertPaths, Config, Endpoint, ProxyVariables};

/// The newest API version the contract stage proves this release against
/// (`.ci/contract.sh`), suggested when the server refuses the one sent.
pub const NEWEST_PROVEN_API_VERSION: &str = "2026-04";

/// The most of an error body read for its message.
const MAX_ERROR_BODY_BYTES: u64 = 64 * 1024;

/// What a request is about, so that an error can name it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Subject<'a> {
    /// `GET /backups/{backup_id}`.
    Backup(&'a str),
    /// `GET /indexes/{index_name}/backups`.
    IndexBackups(&'a str),
    /// `POST /indexes/{index_name}/backups`.
    NewBackupOf(&'a str),
    /// `POST /backups/{backup_id}/create-index`.
    NewIndexFrom {
        /// The backup restored.
        backup: &'a str,
        /// The index to create.
        index: &'a str,
    },
    /// `GET /restore-jobs/{job_id}`.
    RestoreJob(&'a str),
    /// `GET /restore-jobs`.
    RestoreJobs,
    /// `GET /indexes/{index_name}`.
    Index(&'a str),
    /// `POST https://{host}/describe_index_stats` of an index.
    IndexStats(&'a str),
}

impl Subject<'_> {
    /// What the key must be allowed to reach, for a 401: "backup 'b1'".
    fn owned_thing(&self, quote: impl Fn(&str) -> String) -> String {
        match *self {
            Subject::Backup(id) | Subject::NewIndexFrom { backup: id, .. } => {
                format!("backup '{}'", quote(id))
            }
            Subject::IndexBackups(index)
            | Subject::NewBackupOf(index)
            | Subject::Index(index)
            | Subject::IndexStats(index) => format!("index '{}'", quote(index)),
            Subject::RestoreJob(id) => format!("restore job '{}'", quote(id)),
            Subject::RestoreJobs => "its restore jobs".to_owned(),
        }
    }

    /// What the key may not do, for a 403: "describe backup 'b1'".
    fn action(&self, quote: impl Fn(&str) -> String) -> String {
        match *self {
            Subject::Backup(id) => format!("describe backup '{}'", quote(id)),
            Subject::IndexBackups(index) => {
                format!("list the backups of index '{}'", quote(index))
            }
            Subject::NewBackupOf(index) => format!("create backups of index '{}'", quote(index)),
            Subject::NewIndexFrom { backup, index } => format!(
                "create index '{}' from backup '{}'",
                quote(index),
                quote(backup)
            ),
            Subject::RestoreJob(id) => format!("describe restore job '{}'", quote(id)),
            Subject::RestoreJobs => "list restore jobs".to_owned(),
            Subject::Index(index) => format!("describe index '{}'", quote(index)),
            Subject::IndexStats(index) => {
                format!("read the stats of index '{}'", quote(index))
            }
        }
    }
}

/// A response whose status is not a success, read: the error it means, and
/// what the resend rule of a write needs to know.
#[derive(Debug, Clone)]
pub(super) struct Refusal {
    /// The error, final or retryable.
    pub error: ApiError,
    /// The status code.
    pub status: u16,
    /// The `error.code` of a Pinecone error body (`QUOTA_EXCEEDED`...).
    pub code: Option<String>,
}

/// A request that got no response: why, and whether any of it was sent.
#[derive(Debug, Clone)]
pub(super) struct Unanswered {
    /// The error.
    pub error: ApiError,
    /// Whether any byte of the request was written to the connection.
    pub sent: bool,
}

/// Talks to the control plane over HTTPS (or HTTP to loopback), and to an
/// index's data plane (`IndexHost`) under the same rules: HTTPS except
/// loopback, the proxy chosen for that host (`NO_PROXY` included), the
/// same trusted roots, no redirects.
pub struct Client {
    agent: Agent,
    endpoint: Endpoint,
    api_key: ApiKey,
    api_version: String,
    additional_headers: AdditionalHeaders,
    /// The trusted roots, and the ones to add if a server needs them.
    trust: Trust,
    /// The proxy variables, to route requests to a data-plane host.
    proxy_variables: ProxyVariables,
    /// Extra CA certificates, for a data-plane host reached over HTTPS
    /// when the control plane is plain-HTTP loopback.
    ca_certs: CaCertPaths,
    /// The agent for the one index host a run talks to, made on first use.
    data_plane: Mutex<Option<(String, Agent)>>,
    /// The trust for HTTPS to a data-plane host when `trust` is for
    /// plain HTTP (a loopback `--api-host`).
    data_plane_trust: OnceLock<Trust>,
}

/// Builds an agent for requests to `base`: no redirects, plain HTTP only to
/// loopback, `proxy` as chosen for the host, and a connector chain that
/// notes when a request's bytes leave.
fn agent_for(base: &str, loopback: bool, proxy: Option<ureq::Proxy>, tls: TlsConfig) -> Agent {
    let agent_config = Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .https_only(!loopback)
        // A proxy cannot reach our loopback, and must not see plain-HTTP
        // keys. The proxy was chosen and validated by config (curl's
        // variables and NO_PROXY); ureq's own `Proxy::try_from_env` would
        // drop an invalid URL silently and connect directly.
        .proxy(if loopback { None } else { proxy })
        .user_agent(concat!("pinecone-backup-wait/", env!("CARGO_PKG_VERSION")))
        .accept("application/json")
        .tls_config(tls)
        .build();
    // ureq's own connectors, then one that notes when a request's bytes
    // leave; the resolver only names its failures.
    Agent::with_parts(
        agent_config,
        DefaultConnector::default().chain(SentTracker),
        NamingResolver::for_url(base),
    )
}

impl Client {
    /// Builds the client for the configured endpoint.
    pub fn from_config(config: &Config) -> Self {
        let trust = Trust::for_endpoint(&config.endpoint, &config.ca_certs);
        let agent = agent_for(
            config.endpoint.base(),
            config.endpoint.is_loopback(),
            config.proxy.to_ureq(),
            trust.tls_config(),
        );
        Client {
            agent,
            endpoint: config.endpoint.clone(),
            api_key: config.api_key.clone(),
            api_version: config.api_version.clone(),
            additional_headers: config.additional_headers.clone(),
            trust,
            proxy_variables: config.proxy_variables.clone(),
            ca_certs: config.ca_certs.clone(),
            data_plane: Mutex::new(None),
            data_plane_trust: OnceLock::new(),
        }
    }

    /// The trust for HTTPS requests to a data-plane host: the control
    /// plane's (so a store read for one serves both), or, when that is
    /// plain-HTTP loopback, one made from the same CA settings.
    fn data_plane_trust(&self) -> &Trust {
        if self.endpoint.is_https() {
            return &self.trust;
        }
        self.data_plane_trust
            .get_or_init(|| Trust::for_https(&self.ca_certs))
    }

    /// The route of a data-plane request to `host`: its agent, made once
    /// per host, and the trust it uses.
    fn data_plane_route(&self, host: &IndexHost, path: &str) -> (Agent, String, &Trust) {
        let trust = if host.is_loopback() {
            &self.trust
        } else {
            self.data_plane_trust()
        };
        let mut cached = self
            .data_plane
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let agent = match &*cached {
            Some((base, agent)) if base == host.base() => agent.clone(),
            _ => {
                let proxy = self
                    .proxy_variables
                    .route(host.host(), host.is_loopback())
                    .to_ureq();
                let agent = agent_for(host.base(), host.is_loopback(), proxy, trust.tls_config());
                *cached = Some((host.base().to_owned(), agent.clone()));
                agent
            }
        };
        (agent, format!("{}{path}", host.base()), trust)
    }

    /// What the client found to trust besides the bundled roots, for the
    /// start of the log.
    pub fn trust_notes(&self) -> &[super::TrustNote] {
        self.trust.notes()
    }

    /// `GET path` (path and query, starting with `/`).
    pub(super) fn get(&self, path: &str, timeout: Duration) -> Result<Response<Body>, ApiError> {
        let url = self.endpoint.url(path);
        self.send_trusting(&self.agent, &url, &self.trust, None, timeout)
            .map_err(|unanswered| unanswered.error)
    }

    /// `POST path` with a JSON body; says whether anything was sent when
    /// no response came.
    pub(super) fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
        timeout: Duration,
    ) -> Result<Response<Body>, Unanswered> {
        let bytes = body.to_string().into_bytes();
        let url = self.endpoint.url(path);
        self.send_trusting(&self.agent, &url, &self.trust, Some(&bytes), timeout)
    }

    /// `POST path` with a JSON body to an index's data-plane host, with
    /// the same headers (the API key, the version) as the control plane.
    pub(super) fn post_json_to(
        &self,
        host: &IndexHost,
        path: &str,
        body: &serde_json::Value,
        timeout: Duration,
    ) -> Result<Response<Body>, ApiError> {
        let bytes = body.to_string().into_bytes();
        let (agent, url, trust) = self.data_plane_route(host, path);
        self.send_trusting(&agent, &url, trust, Some(&bytes), timeout)
            .map_err(|unanswered| unanswered.error)
    }

    /// The API key, only to keep a cut from splitting it (`error_body`).
    pub(super) fn key(&self) -> &str {
        self.api_key.expose()
    }

    /// The headers every request carries.
    fn prepare<B>(
        &self,
        mut request: RequestBuilder<B>,
        tls: Option<ureq::tls::TlsConfig>,
        timeout: Duration,
    ) -> RequestBuilder<B> {
        request = request
            .header("Api-Key", self.api_key.expose())
            .header("X-Pinecone-API-Version", &self.api_version);
        for (name, value) in self.additional_headers.iter() {
            request = request.header(name, value);
        }
        let mut config = request.config().timeout_global(Some(timeout));
        if let Some(tls) = tls {
            config = config.tls_config(tls);
        }
        config.build()
    }

    /// One request, with `tls` instead of the agent's TLS configuration.
    fn send(
        &self,
        agent: &Agent,
        url: &str,
        body: Option<&[u8]>,
        tls: Option<ureq::tls::TlsConfig>,
        timeout: Duration,
    ) -> Result<Response<Body>, ureq::Error> {
        match body {
            None => self.prepare(agent.get(url), tls, timeout).call(),
            Some(body) => self
                .prepare(agent.post(url), tls, timeout)
                .header("Content-Type", "application/json")
                .send(body),
        }
    }

    /// Sends, and on a certificate no trusted CA issued, adds the operating
    /// system's store (the first time) and sends once more at once: a
    /// handshake the client refused carried no key, and no request.
    /// Certificate problems are final, and explained by tls.rs.
    fn send_trusting(
        &self,
        agent: &Agent,
        url: &str,
        trust: &Trust,
        body: Option<&[u8]>,
        timeout: Duration,
    ) -> Result<Response<Body>, Unanswered> {
        let deadline = Instant::now() + timeout;
        Sent::reset();
        let mut result = self.send(agent, url, body, trust.in_force(), timeout);
        if let Err(err) = &result
            && let Some(rustls::CertificateError::UnknownIssuer) = tls::certificate_problem(err)
            && let Some(wider) = trust.widen()
        {
            let left = deadline.saturating_duration_since(Instant::now());
            result = self.send(agent, url, body, Some(wider), left);
        }
        result.map_err(|err| Unanswered {
            error: match tls::certificate_problem(&err) {
                Some(problem) => ApiError::Rejected {
                    detail: trust.refused(problem),
                },
                None => transport_error(&err, "sending the request"),
            },
            sent: Sent::happened(),
        })
    }

    /// Reads a response whose status is not a success and says what it
    /// means for `subject`.
    pub(super) fn refusal(&self, response: &mut Response<Body>, subject: Subject<'_>) -> Refusal {
        let status = response.status();
        let (detail, message, code) = self.describe_failure(response);
        let quote = |text: &str| self.quote(text);
        let error = match status.as_u16() {
            408 => ApiError::Transient {
                detail,
                retry_after: retry_after_of(response),
            },
            // ErrorResponse's example in every spec: a quota is not a rate
            // limit, and waiting will not lift it.
            429 if code.as_deref() == Some("QUOTA_EXCEEDED") => ApiError::Rejected {
                detail: format!(
                    "{detail}; a quota of the Pinecone project is exceeded (not a rate limit, \
                     so it is not retried)"
                ),
            },
            429 => ApiError::Transient {
                detail,
                retry_after: retry_after_of(response),
            },
            // Checked before 401 and 404: a server that no longer serves the
            // version may answer with any 4xx, and waiting will not help.
            400..=499 if message.as_deref().is_some_and(is_about_api_version) => {
                ApiError::Rejected {
                    detail: self.api_version_rejected(&detail),
                }
            }
            401 => ApiError::Unauthorized {
                detail: format!(
                    "{detail}; check that the API key is right and that it belongs to the \
                     Pinecone project that owns {}",
                    subject.owned_thing(quote)
                ),
            },
            // Pinecone's backup-quota answer: 403 FORBIDDEN "Increase your
            // quota or upgrade to create more backups." (create_backup's 403
            // example). A 403 without it (PERMISSION_DENIED, a gateway's) is
            // a key that may not do this.
            403 if matches!(subject, Subject::NewBackupOf(_))
                && is_backup_quota(&code, &message) =>
            {
                ApiError::Rejected {
                    detail: format!(
                        "{detail}; the project's backup quota is used up: delete backups that \
                         are no longer needed or raise the quota, then run again"
                    ),
                }
            }
            // The index quota: create-index's 403 example, "Increase your
            // quota or upgrade to create more indexes.".
            403 if matches!(subject, Subject::NewIndexFrom { .. })
                && is_backup_quota(&code, &message) =>
            {
                ApiError::Rejected {
                    detail: format!(
                        "{detail}; the project's index quota is used up: delete indexes that \
                         are no longer needed or raise the quota, then run again"
                    ),
                }
            }
            403 => ApiError::Unauthorized {
                detail: format!(
                    "{detail}; the key was recognised but may not {}: check its project and \
                     its permissions in the Pinecone console",
                    subject.action(quote)
                ),
            },
            402 => ApiError::Rejected {
                detail: format!(
                    "{detail}; payment required: the Pinecone organization has invoices past \
                     due, and creates are refused until they are paid"
                ),
            },
            // The create and list specs list no 404; describe-index answers
            // 404 NOT_FOUND for an unknown index, so a 404 here is assumed to
            // mean the same.
            404 => ApiError::NotFound {
                detail: match subject {
                    Subject::Backup(id) | Subject::NewIndexFrom { backup: id, .. } => format!(
                        "{detail}; backup '{}' is unknown to the project of this API key \
                         (check the id, and that the key belongs to the project that made the backup)",
                        quote(id)
                    ),
                    Subject::IndexBackups(index)
                    | Subject::NewBackupOf(index)
                    | Subject::Index(index) => format!(
                        "{detail}; index '{}' was not found in the project of this API key \
                         (check the index name, and that the key belongs to its project)",
                        quote(index)
                    ),
                    Subject::RestoreJob(id) => format!(
                        "{detail}; restore job '{}' is unknown to the project of this API key \
                         (check the id, and that the key belongs to the project that started \
                         the restore)",
                        quote(id)
                    ),
                    Subject::RestoreJobs => format!("{detail}; the restore jobs were not found"),
                    Subject::IndexStats(index) => format!(
                        "{detail}; the host of index '{}' does not know it (yet)",
                        quote(index)
                    ),
                },
            },
            // An index of that name exists; whether this run made it is
            // for the restore stage to say (it may have sent an earlier,
            // ambiguous create-index).
            409 if matches!(subject, Subject::NewIndexFrom { .. }) => ApiError::Rejected {
                detail: match subject {
                    Subject::NewIndexFrom { index, .. } => {
                        format!("{detail}; index '{}' already exists", quote(index))
                    }
                    _ => unreachable!("matched above"),
                },
            },
            // 2026-07: the backup is not complete yet. Nothing was created,
            // so the create-index is sent again within the deadline.
            412 if matches!(subject, Subject::NewIndexFrom { .. }) => ApiError::Transient {
                detail: format!(
                    "{detail}; the backup cannot be restored yet (not complete): trying again"
                ),
                retry_after: retry_after_of(response),
            },
            500..=599 => ApiError::Transient {
                detail,
                retry_after: retry_after_of(response),
            },
            _ => ApiError::Rejected { detail },
        };
        Refusal {
            error,
            status: status.as_u16(),
            code,
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
    pub(super) fn quote(&self, text: &str) -> String {
        error_body::quote(text, self.key())
    }

    /// The model a success answer carries: the body read as JSON within
    /// `limit` bytes and parsed by `parse` (`expected` names the model, "a
    /// BackupModel"); any other status is refused as `subject` says. Also
    /// returns the status, for messages about the answer.
    pub(super) fn read_model<T>(
        &self,
        mut response: Response<Body>,
        subject: Subject<'_>,
        limit: u64,
        expected: &str,
        parse: impl FnOnce(serde_json::Value) -> Result<T, String>,
    ) -> Result<(T, StatusCode), ApiError> {
        let status = response.status();
        if !status.is_success() {
            return Err(self.refusal(&mut response, subject).error);
        }
        let value = self.read_json(&mut response, limit, expected)?;
        let model = parse(value).map_err(|detail| ApiError::Malformed {
            detail: format!("HTTP {}: {}", status_line(status), self.quote(&detail)),
        })?;
        Ok((model, status))
    }

    /// Refuses a description of another object than the one asked for
    /// (`kind` names it: "backup", "restore job", "index"): a gate must
    /// never pass on another object's status.
    pub(super) fn same_object(
        &self,
        status: StatusCode,
        kind: &str,
        requested: &str,
        answered: Option<&str>,
    ) -> Result<(), ApiError> {
        match answered {
            Some(other) if other != requested => Err(ApiError::Malformed {
                detail: format!(
                    "HTTP {}: the answer describes {kind} '{}', not the requested {kind} '{}'",
                    status_line(status),
                    self.quote(other),
                    self.quote(requested)
                ),
            }),
            _ => Ok(()),
        }
    }

    /// Reads a success body as JSON, `expected` naming what it should be
    /// ("a BackupModel"), within `limit` bytes.
    pub(super) fn read_json(
        &self,
        response: &mut Response<Body>,
        limit: u64,
        expected: &str,
    ) -> Result<serde_json::Value, ApiError> {
        let status = response.status();
        let text = self.read_text(response, limit, expected)?;
        serde_json::from_str(&text).map_err(|err| ApiError::Malformed {
            detail: format!(
                "HTTP {}: body is not JSON ({})",
                status_line(status),
                self.quote(&err.to_string())
            ),
        })
    }

    /// Reads a success body as text, `expected` naming what it should be,
    /// within `limit` bytes; an empty body is refused.
    pub(super) fn read_text(
        &self,
        response: &mut Response<Body>,
        limit: u64,
        expected: &str,
    ) -> Result<String, ApiError> {
        let status = response.status();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(|err| match err {
                ureq::Error::BodyExceedsLimit(_) => ApiError::Malformed {
                    detail: format!(
                        "HTTP {}: response body is larger than {} KiB",
                        status_line(status),
                        limit / 1024
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
                    "HTTP {}: empty body where {expected} was expected",
                    status_line(status)
                ),
            });
        }
        Ok(text)
    }

    /// The error detail, the server's own message (if any) on which the
    /// API version check is made, and its error code.
    fn describe_failure(
        &self,
        response: &mut Response<Body>,
    ) -> (String, Option<String>, Option<String>) {
        let status = response.status();
        let mut detail = format!("HTTP {}", status_line(status));
        if status.is_redirection() {
            let location = header(response, "location")
                .map_or_else(|| "(no location)".to_owned(), |value| self.quote(&value));
            detail.push_str(&format!(
                ": redirect to {location} not followed; the API key is only sent to --api-host"
            ));
            return (detail, None, None);
        }
        // An unreadable error body still leaves the status code to act on.
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_ERROR_BODY_BYTES)
            .lossy_utf8(true)
            .read_to_string()
            .unwrap_or_default();
        let message = error_body::message(&body, self.key());
        let code = error_body::code(&body);
        if let Some(message) = &message {
            detail.push_str(": ");
            detail.push_str(message);
        }
        (detail, message, code)
    }
}

/// Whether a 403 is Pinecone's backup-quota answer: code `FORBIDDEN` and a
/// message about the quota (create_backup's 403 example, "Increase your
/// quota or upgrade to create more backups.").
fn is_backup_quota(code: &Option<String>, message: &Option<String>) -> bool {
    code.as_deref() == Some("FORBIDDEN")
        && message
            .as_deref()
            .is_some_and(|m| m.to_ascii_lowercase().contains("quota"))
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

/// Maps a ureq error to retryable or final. Transport trouble is retryable;
/// a TLS failure (bad certificate, wrong host, a peer that does not speak
/// TLS) and a proxy that refuses us will not fix themselves. A name that
/// does not resolve is `Unresolved`: the wait loop decides how long to
/// retry it.
pub(super) fn transport_error(err: &ureq::Error, during: &str) -> ApiError {
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

/// `201 Created`, or the bare code when it has no reason phrase.
pub(super) fn status_line(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

// ---- whether a request left -------------------------------------------------

thread_local! {
    /// Whether the request on this thread has written any byte past the
    /// connection setup. Each request runs on its own thread (`Guarded`),
    /// and ureq writes on the thread that calls it.
    static WROTE: Cell<bool> = const { Cell::new(false) };
}

/// Whether the current request has been (at least partly) sent.
struct Sent;

impl Sent {
    fn reset() {
        WROTE.with(|wrote| wrote.set(false));
    }

    fn happened() -> bool {
        WROTE.with(Cell::get)
    }
}

/// The last connector of the chain: wraps the finished connection (after
/// any proxy tunnel and TLS handshake) so that writes of the request itself
/// are noted. Connection setup writes (a CONNECT, a ClientHello) happen
/// below it and are not requests.
#[derive(Debug)]
struct SentTracker;

impl<In: Transport> Connector<In> for SentTracker {
    type Out = Tracked<In>;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|inner| Tracked { inner }))
    }
}

/// A connection whose writes mark the current request as sent.
#[derive(Debug)]
struct Tracked<T> {
    inner: T,
}

impl<T: Transport> Transport for Tracked<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        if amount > 0 {
            // Before the write: a write that fails half-way may still have
            // delivered the request.
            WROTE.with(|wrote| wrote.set(true));
        }
        self.inner.transmit_output(amount, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
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
    use crate::api::ControlPlane;
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
        let mut api = Client::from_config(&config);
        api.trust = Trust::from_sources(&CaCertPaths::default(), no_files, os_store_with_the_ca);

        let timeout = Duration::from_secs(5);
        let id =
            crate::config::BackupId::from_raw(testkit::control_plane::SAMPLE_BACKUP_ID).unwrap();
        let backup = api
            .describe_backup(&id, timeout)
            .expect("trusted through the store");
        assert_eq!(backup.status(), "Ready");
        assert_eq!(front.handshakes(), 1, "{:?}", front.failures());
        assert_eq!(plane.request_count(), 1, "the key was sent once");

        api.describe_backup(&id, timeout).expect("still trusted");
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
