//! Which certificate authorities the HTTPS client trusts, and what to say
//! when a server's certificate is refused.
//!
//! Always the bundled Mozilla roots (webpki-roots), so that a bare container
//! with no certificate store still reaches Pinecone. Besides them, one of:
//!
//! - the CA certificates in `SSL_CERT_FILE` / `SSL_CERT_DIR`, read at
//!   start. As for OpenSSL and curl, they stand in for the system's store
//!   when they give at least one certificate; a variable that gives none
//!   (a missing or garbled file) is reported and otherwise ignored, so a
//!   stale global setting never makes a run worse than no setting;
//! - otherwise the operating system's store, read only when a server's
//!   certificate is refused for an unknown issuer, and the request then
//!   retried at once. Almost no run needs it, and reading it costs a few
//!   milliseconds on Linux and, on macOS, from a third of a second to
//!   seconds (rustls-native-certs issue 30).
//!
//! Nothing here loosens verification: roots are added, checks never
//! removed; the key is sent only after a handshake succeeded. The
//! environment is read by `config::Env`, never here.

use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use rustls::pki_types::{CertificateDer, TrustAnchor};
use rustls::{CertificateError, RootCertStore};
use ureq::tls::{Certificate, RootCerts, TlsConfig};

use crate::config::{CaCertPaths, Endpoint};

/// The advice for a certificate no trusted CA issued.
const SET_SSL_CERT_FILE: &str = "if a TLS-inspecting proxy or a private CA is in the way, \
     set SSL_CERT_FILE to a PEM file with its CA certificate";

/// A line for the start of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Context: which extra roots are trusted.
    Info(String),
    /// A variable that did not give what it promised.
    Warning(String),
}

/// What reading one source of certificates gave.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Certificates that can serve as trust anchors, without duplicates.
    pub certs: Vec<CertificateDer<'static>>,
    /// What went wrong on the way, one sentence each.
    pub problems: Vec<String>,
}

impl Loaded {
    fn absorb(&mut self, result: rustls_native_certs::CertificateResult) {
        self.certs.extend(result.certs);
        self.problems
            .extend(result.errors.iter().map(|err| err.to_string()));
    }

    /// Drops duplicates and what rustls could not use as a root, saying so.
    fn finish(mut self) -> Loaded {
        self.certs
            .sort_unstable_by(|a, b| a.as_ref().cmp(b.as_ref()));
        self.certs.dedup();
        let before = self.certs.len();
        self.certs.retain(|cert| {
            RootCertStore::empty()
                .add_parsable_certificates([cert.clone()])
                .0
                == 1
        });
        let unusable = before - self.certs.len();
        if unusable > 0 {
            self.problems.push(format!(
                "{unusable} {} not parse as X.509 and {} ignored",
                plural(unusable, "certificate does", "certificates do"),
                if unusable == 1 { "was" } else { "were" }
            ));
        }
        self
    }
}

/// The roots of one client, and the ones it may add when a server needs them.
pub struct Trust {
    /// Roots from `SSL_CERT_FILE` / `SSL_CERT_DIR`, read at start.
    configured: Vec<Certificate<'static>>,
    /// Where `configured` came from, as the user named it.
    source: String,
    /// What to report at start.
    notes: Vec<Note>,
    /// Reads the operating system's store; `None` where it must not be
    /// read (configured roots stand in for it, or plain HTTP).
    os_store: Option<fn() -> Loaded>,
    /// Set once the operating system's store was read.
    widened: OnceLock<Widened>,
}

/// The operating system's store, once read.
struct Widened {
    /// The bundled roots plus the store; `None` if the store gave nothing.
    config: Option<TlsConfig>,
    /// How many roots the store gave.
    count: usize,
    /// Why it gave fewer than it might have.
    problems: Vec<String>,
}

impl Trust {
    /// The trust for requests to `endpoint`: nothing to read for plain
    /// HTTP (loopback only); the bundled roots plus the configured or
    /// operating system's ones for HTTPS.
    pub fn for_endpoint(endpoint: &Endpoint, paths: &CaCertPaths) -> Trust {
        if !endpoint.is_https() {
            return Trust::bundled_only();
        }
        Trust::from_sources(paths, read_paths, read_os_store)
    }

    /// The trust for HTTPS requests, whatever the control plane's scheme:
    /// the bundled roots plus the configured or operating system's ones.
    pub fn for_https(paths: &CaCertPaths) -> Trust {
        Trust::from_sources(paths, read_paths, read_os_store)
    }

    /// The bundled roots and nothing else.
    fn bundled_only() -> Trust {
        Trust {
            configured: Vec::new(),
            source: String::new(),
            notes: Vec::new(),
            os_store: None,
            widened: OnceLock::new(),
        }
    }

    /// Reads `paths` with `read`; `os_store` reads the system's store if
    /// the paths give nothing and a server needs it. Both are parameters
    /// so that tests choose what the disk holds.
    pub(super) fn from_sources(
        paths: &CaCertPaths,
        read: fn(&CaCertPaths) -> Loaded,
        os_store: fn() -> Loaded,
    ) -> Trust {
        let mut trust = Trust {
            os_store: Some(os_store),
            ..Trust::bundled_only()
        };
        if paths.is_empty() {
            return trust;
        }
        let source = describe_paths(paths);
        let loaded = read(paths);
        if loaded.certs.is_empty() {
            let why = if loaded.problems.is_empty() {
                "no PEM certificate ('-----BEGIN CERTIFICATE-----') in it".to_owned()
            } else {
                loaded.problems.join("; ")
            };
            trust.notes.push(Note::Warning(format!(
                "{source} gave no CA certificate to trust ({why}); using the bundled roots, \
                 and the operating system's store if a server needs it"
            )));
            return trust;
        }
        let count = loaded.certs.len();
        trust.notes.push(Note::Info(format!(
            "trusting {count} CA {} from {source} besides the bundled roots",
            plural(count, "certificate", "certificates")
        )));
        trust.notes.extend(
            loaded
                .problems
                .iter()
                .map(|problem| Note::Warning(format!("{source}: {problem}"))),
        );
        trust.configured = loaded.certs.iter().map(to_ureq).collect();
        trust.source = source;
        trust.os_store = None;
        trust
    }

    /// What to report at start.
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }

    /// The TLS configuration for the agent.
    pub fn tls_config(&self) -> TlsConfig {
        if self.configured.is_empty() {
            // ureq's own copy of the bundled roots, with nothing to parse.
            return TlsConfig::builder().root_certs(RootCerts::WebPki).build();
        }
        with_bundled(self.configured.iter().cloned())
    }

    /// After [`Trust::widen`] succeeded: the configuration for every later
    /// request, which must not pay for a refused handshake again.
    pub fn in_force(&self) -> Option<TlsConfig> {
        self.widened.get().and_then(|w| w.config.clone())
    }

    /// Called when a server's certificate was refused for an unknown
    /// issuer: reads the operating system's store, the first time only,
    /// and returns the configuration to retry with, if there is something
    /// new to try.
    pub fn widen(&self) -> Option<TlsConfig> {
        let read = self.os_store?;
        let mut fresh = false;
        let widened = self.widened.get_or_init(|| {
            fresh = true;
            let loaded = read();
            let count = loaded.certs.len();
            Widened {
                config: (count > 0)
                    .then(|| with_bundled(loaded.certs.iter().map(to_ureq).collect::<Vec<_>>())),
                count,
                problems: loaded.problems,
            }
        });
        if fresh { widened.config.clone() } else { None }
    }

    /// The error for a certificate the client refused: the problem in
    /// words, and for an unknown issuer, which roots were tried and what
    /// the user can do.
    pub fn refused(&self, problem: &CertificateError) -> String {
        let what = match problem {
            CertificateError::UnknownIssuer => return self.unknown_issuer(),
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => "has expired",
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "is not valid yet"
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                "is for another host"
            }
            CertificateError::Revoked => "has been revoked",
            _ => "was refused",
        };
        format!("TLS error: the server's certificate {what} ({problem})")
    }

    fn unknown_issuer(&self) -> String {
        let mut tried = "the bundled roots".to_owned();
        if !self.configured.is_empty() {
            let count = self.configured.len();
            let _ = write!(
                tried,
                " and {count} CA {} from {}",
                plural(count, "certificate", "certificates"),
                self.source
            );
        }
        match self.widened.get() {
            Some(Widened {
                count: 0, problems, ..
            }) => {
                tried.push_str(", and the operating system's store gave none");
                if !problems.is_empty() {
                    let _ = write!(tried, " ({})", problems.join("; "));
                }
            }
            Some(Widened { count, .. }) => {
                let _ = write!(tried, " and {count} from the operating system's store");
            }
            None => {}
        }
        let advice = if self.configured.is_empty() {
            SET_SSL_CERT_FILE.to_owned()
        } else {
            format!(
                "check that {} holds the CA certificate of the TLS-inspecting proxy or \
                 private CA in the way",
                self.source
            )
        };
        format!(
            "TLS error: the server's certificate is not trusted (unknown issuer): no CA among \
             {tried} issued it; {advice}"
        )
    }
}

/// The certificate problem behind a failed request, if that is what failed.
/// rustls reports handshake failures through the I/O error it returns.
pub fn certificate_problem(err: &ureq::Error) -> Option<&CertificateError> {
    let tls = match err {
        ureq::Error::Rustls(tls) => Some(tls),
        ureq::Error::Io(io) => io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()),
        _ => None,
    }?;
    match tls {
        rustls::Error::InvalidCertificate(problem) => Some(problem),
        _ => None,
    }
}

/// The bundled roots plus `extra`, as ureq takes them: one list.
fn with_bundled(extra: impl IntoIterator<Item = Certificate<'static>>) -> TlsConfig {
    let mut roots: Vec<Certificate<'static>> = webpki_roots::TLS_SERVER_ROOTS
        .iter()
        .map(|anchor| Certificate::from_der(&anchor_certificate(anchor)).to_owned())
        .collect();
    roots.extend(extra);
    TlsConfig::builder()
        .root_certs(RootCerts::Specific(Arc::new(roots)))
        .build()
}

fn to_ureq(cert: &CertificateDer<'_>) -> Certificate<'static> {
    Certificate::from_der(cert.as_ref()).to_owned()
}

/// A bundled root as a certificate. ureq takes extra roots only as a list
/// of certificates, while webpki-roots ships each root as the three parts
/// path validation uses (subject, public key, name constraints) and not as
/// the certificate they came from. This wraps them in the smallest X.509 v3
/// certificate from which rustls reads back exactly those parts: a root's
/// serial, issuer, validity and signature are never checked (RFC 5280
/// 6.1.1 uses only its name and key), so they are left empty. Building it
/// costs a few hundred bytes of code, where shipping the certificates
/// themselves (webpki-root-certs) would add 124 KiB of DER.
fn anchor_certificate(anchor: &TrustAnchor<'_>) -> Vec<u8> {
    const SEQUENCE: u8 = 0x30;
    const EMPTY_SEQUENCE: [u8; 2] = [SEQUENCE, 0];
    let mut tbs = vec![0xa0, 0x03, 0x02, 0x01, 0x02]; // [0] version: v3
    tbs.extend_from_slice(&[0x02, 0x01, 0x01]); // serialNumber: 1
    tbs.extend_from_slice(&EMPTY_SEQUENCE); // signature algorithm
    tbs.extend_from_slice(&EMPTY_SEQUENCE); // issuer
    tbs.extend_from_slice(&EMPTY_SEQUENCE); // validity
    der(&mut tbs, SEQUENCE, &anchor.subject);
    der(&mut tbs, SEQUENCE, &anchor.subject_public_key_info);
    if let Some(constraints) = &anchor.name_constraints {
        let mut value = Vec::new();
        der(&mut value, SEQUENCE, constraints);
        let mut extension = vec![0x06, 0x03, 0x55, 0x1d, 0x1e]; // id-ce-nameConstraints
        der(&mut extension, 0x04, &value); // extnValue: OCTET STRING
        let mut extensions = Vec::new();
        der(&mut extensions, SEQUENCE, &extension);
        let mut list = Vec::new();
        der(&mut list, SEQUENCE, &extensions);
        der(&mut tbs, 0xa3, &list); // [3] extensions
    }
    let mut certificate = Vec::new();
    der(&mut certificate, SEQUENCE, &tbs);
    // The outer algorithm must equal the inner one; the signature is empty.
    certificate.extend_from_slice(&EMPTY_SEQUENCE);
    certificate.extend_from_slice(&[0x03, 0x01, 0x00]);
    let mut out = Vec::new();
    der(&mut out, SEQUENCE, &certificate);
    out
}

/// Appends one DER element: tag, minimal length, contents.
fn der(out: &mut Vec<u8>, tag: u8, contents: &[u8]) {
    out.push(tag);
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|byte| **byte == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(contents);
}

/// How the user named the extra roots, for the log and errors.
fn describe_paths(paths: &CaCertPaths) -> String {
    let mut parts = Vec::new();
    if let Some(file) = &paths.file {
        parts.push(format!("SSL_CERT_FILE ({})", file.display()));
    }
    if !paths.dirs.is_empty() {
        let dirs: Vec<String> = paths
            .dirs
            .iter()
            .map(|dir| dir.display().to_string())
            .collect();
        parts.push(format!("SSL_CERT_DIR ({})", dirs.join(", ")));
    }
    parts.join(" and ")
}

/// Reads `SSL_CERT_FILE` and each `SSL_CERT_DIR` directory.
fn read_paths(paths: &CaCertPaths) -> Loaded {
    let mut loaded = Loaded::default();
    if let Some(file) = &paths.file {
        loaded.absorb(rustls_native_certs::load_certs_from_paths(Some(file), None));
    }
    for dir in &paths.dirs {
        loaded.absorb(rustls_native_certs::load_certs_from_paths(None, Some(dir)));
    }
    loaded.finish()
}

/// Where Linux distributions and the BSDs keep their whole store as one
/// PEM bundle, in the order Go's crypto/x509 and openssl-probe look.
#[cfg(all(unix, not(target_os = "macos")))]
const SYSTEM_BUNDLES: [&str; 7] = [
    "/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Gentoo, Arch
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // Fedora, RHEL 7+
    "/etc/pki/tls/certs/ca-bundle.crt",   // RHEL 6
    "/etc/ssl/ca-bundle.pem",             // openSUSE
    "/etc/pki/tls/cacert.pem",            // OpenELEC
    "/etc/ssl/cert.pem",                  // Alpine, OpenBSD
    "/usr/local/etc/ssl/cert.pem",        // FreeBSD
];

/// The operating system's store on Linux and the BSDs: the first bundle
/// found, else every file in the directories where distributions keep
/// certificates (openssl-probe's list). The bundle reads in about a
/// quarter of the time of the directory's files one by one. Not
/// `rustls_native_certs::load_native_certs`: it would first look at
/// `SSL_CERT_*` itself, which `Env` has already read, and an unusable value
/// would then hide the store.
#[cfg(all(unix, not(target_os = "macos")))]
fn read_os_store() -> Loaded {
    let mut loaded = Loaded::default();
    if let Some(bundle) = SYSTEM_BUNDLES
        .iter()
        .map(std::path::Path::new)
        .find(|p| p.is_file())
    {
        loaded.absorb(rustls_native_certs::load_certs_from_paths(
            Some(bundle),
            None,
        ));
    }
    if loaded.certs.is_empty() {
        for dir in openssl_probe::candidate_cert_dirs() {
            loaded.absorb(rustls_native_certs::load_certs_from_paths(None, Some(dir)));
        }
    }
    loaded.finish()
}

/// The operating system's store: the Keychain or the Windows store. Here
/// `load_native_certs` reads `SSL_CERT_*` first, as on Linux; we only call
/// it when they gave nothing, so it differs only for a set but unusable
/// value, which then also hides the store.
#[cfg(not(all(unix, not(target_os = "macos"))))]
fn read_os_store() -> Loaded {
    let mut loaded = Loaded::default();
    loaded.absorb(rustls_native_certs::load_native_certs());
    loaded.finish()
}

fn plural<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use testkit::tls::TestCa;

    fn https() -> Endpoint {
        Endpoint::from_host("https://api.pinecone.io").unwrap()
    }

    fn file(path: &str) -> CaCertPaths {
        CaCertPaths {
            file: Some(PathBuf::from(path)),
            dirs: Vec::new(),
        }
    }

    /// A real certificate (a bundled root in certificate form).
    fn some_cert() -> CertificateDer<'static> {
        CertificateDer::from(anchor_certificate(&webpki_roots::TLS_SERVER_ROOTS[0]))
    }

    fn one_cert(_: &CaCertPaths) -> Loaded {
        Loaded {
            certs: vec![some_cert()],
            problems: Vec::new(),
        }
    }

    fn nothing(_: &CaCertPaths) -> Loaded {
        Loaded::default()
    }

    fn missing(_: &CaCertPaths) -> Loaded {
        Loaded {
            certs: Vec::new(),
            problems: vec!["failed to read PEM from file: No such file at '/nope'".to_owned()],
        }
    }

    fn os_with_two() -> Loaded {
        let mut certs = vec![some_cert()];
        certs.push(CertificateDer::from(anchor_certificate(
            &webpki_roots::TLS_SERVER_ROOTS[1],
        )));
        Loaded {
            certs,
            problems: Vec::new(),
        }
    }

    fn os_empty() -> Loaded {
        Loaded::default()
    }

    #[test]
    fn every_bundled_root_reads_back_as_the_same_trust_anchor() {
        let mut store = RootCertStore::empty();
        let certs = webpki_roots::TLS_SERVER_ROOTS
            .iter()
            .map(|anchor| CertificateDer::from(anchor_certificate(anchor)));
        let (added, ignored) = store.add_parsable_certificates(certs);
        assert_eq!((added, ignored), (webpki_roots::TLS_SERVER_ROOTS.len(), 0));
        assert_eq!(store.roots, webpki_roots::TLS_SERVER_ROOTS);
        assert!(
            store
                .roots
                .iter()
                .any(|root| root.name_constraints.is_some()),
            "the bundle has a name-constrained root, so that path is covered"
        );
    }

    #[test]
    fn long_der_lengths_are_minimal() {
        let mut out = Vec::new();
        der(&mut out, 0x04, &[0; 0x7f]);
        assert_eq!(out[..2], [0x04, 0x7f]);
        out.clear();
        der(&mut out, 0x04, &[0; 0x80]);
        assert_eq!(out[..3], [0x04, 0x81, 0x80]);
        out.clear();
        der(&mut out, 0x04, &[0; 0x1234]);
        assert_eq!(out[..4], [0x04, 0x82, 0x12, 0x34]);
    }

    #[test]
    fn without_variables_only_the_bundled_roots_are_read_at_start() {
        let trust = Trust::from_sources(&CaCertPaths::default(), one_cert, os_with_two);
        assert!(trust.notes().is_empty());
        assert!(matches!(trust.tls_config().root_certs(), RootCerts::WebPki));
        assert!(trust.in_force().is_none());
    }

    #[test]
    fn an_unknown_issuer_reads_the_os_store_once_and_retries_with_it() {
        let trust = Trust::from_sources(&CaCertPaths::default(), nothing, os_with_two);
        let widened = trust.widen().expect("the store had roots");
        let RootCerts::Specific(roots) = widened.root_certs() else {
            panic!("a list of roots");
        };
        assert_eq!(roots.len(), webpki_roots::TLS_SERVER_ROOTS.len() + 2);
        assert!(trust.in_force().is_some(), "later requests use it");
        assert!(trust.widen().is_none(), "nothing new to try a second time");
        let message = trust.refused(&CertificateError::UnknownIssuer);
        assert!(
            message.contains("the bundled roots and 2 from the operating system's store"),
            "{message}"
        );
        assert!(message.contains("set SSL_CERT_FILE"), "{message}");
    }

    #[test]
    fn an_empty_os_store_is_not_retried_and_is_named_in_the_error() {
        let trust = Trust::from_sources(&CaCertPaths::default(), nothing, os_empty);
        assert!(trust.widen().is_none());
        assert!(trust.in_force().is_none());
        let message = trust.refused(&CertificateError::UnknownIssuer);
        assert_eq!(
            message,
            "TLS error: the server's certificate is not trusted (unknown issuer): no CA among \
             the bundled roots, and the operating system's store gave none issued it; \
             if a TLS-inspecting proxy or a private CA is in the way, set SSL_CERT_FILE to a \
             PEM file with its CA certificate"
        );
    }

    #[test]
    fn ssl_cert_file_roots_join_the_bundled_ones_and_replace_the_os_store() {
        let trust = Trust::from_sources(&file("/etc/corp/ca.pem"), one_cert, os_with_two);
        assert_eq!(
            trust.notes(),
            [Note::Info(
                "trusting 1 CA certificate from SSL_CERT_FILE (/etc/corp/ca.pem) besides the \
                 bundled roots"
                    .to_owned()
            )]
        );
        let config = trust.tls_config();
        let RootCerts::Specific(roots) = config.root_certs() else {
            panic!("a list of roots");
        };
        assert_eq!(roots.len(), webpki_roots::TLS_SERVER_ROOTS.len() + 1);
        assert!(trust.widen().is_none(), "the OS store is not consulted");
        let message = trust.refused(&CertificateError::UnknownIssuer);
        assert!(
            message.contains(
                "no CA among the bundled roots and 1 CA certificate from SSL_CERT_FILE \
                 (/etc/corp/ca.pem) issued it; check that SSL_CERT_FILE (/etc/corp/ca.pem) holds"
            ),
            "{message}"
        );
    }

    #[test]
    fn a_variable_that_gives_no_certificate_is_a_warning_and_the_os_store_stays() {
        let trust = Trust::from_sources(&file("/nope"), missing, os_with_two);
        let [Note::Warning(warning)] = trust.notes() else {
            panic!("one warning: {:?}", trust.notes());
        };
        assert!(
            warning.starts_with("SSL_CERT_FILE (/nope) gave no CA certificate to trust"),
            "{warning}"
        );
        assert!(warning.contains("No such file"), "{warning}");
        assert!(matches!(trust.tls_config().root_certs(), RootCerts::WebPki));
        assert!(trust.widen().is_some(), "the OS store is still there");

        let garbage = Trust::from_sources(&file("/garbage"), nothing, os_with_two);
        let [Note::Warning(warning)] = garbage.notes() else {
            panic!("one warning: {:?}", garbage.notes());
        };
        assert!(warning.contains("no PEM certificate"), "{warning}");
    }

    #[test]
    fn https_without_variables_reads_nothing_at_start() {
        let trust = Trust::for_endpoint(&https(), &CaCertPaths::default());
        assert!(trust.notes().is_empty());
        assert!(trust.in_force().is_none());
        assert!(matches!(trust.tls_config().root_certs(), RootCerts::WebPki));
    }

    #[test]
    fn plain_http_reads_nothing() {
        let endpoint = Endpoint::from_host("http://127.0.0.1:1").unwrap();
        let trust = Trust::for_endpoint(&endpoint, &file("/nope"));
        assert!(trust.notes().is_empty());
        assert!(trust.widen().is_none());
        assert!(matches!(trust.tls_config().root_certs(), RootCerts::WebPki));
    }

    #[test]
    fn unparsable_certificates_are_dropped_and_counted() {
        let loaded = Loaded {
            certs: vec![
                some_cert(),
                CertificateDer::from(vec![0x30, 0x00]),
                some_cert(),
            ],
            problems: Vec::new(),
        }
        .finish();
        assert_eq!(loaded.certs, vec![some_cert()]);
        assert_eq!(
            loaded.problems,
            ["1 certificate does not parse as X.509 and was ignored"]
        );
    }

    #[test]
    fn other_certificate_problems_are_named() {
        let trust = Trust::from_sources(&CaCertPaths::default(), nothing, os_empty);
        assert_eq!(
            trust.refused(&CertificateError::Expired),
            "TLS error: the server's certificate has expired (Expired)"
        );
        assert!(
            trust
                .refused(&CertificateError::NotValidForName)
                .contains("is for another host")
        );
    }

    #[test]
    fn reading_a_real_ssl_cert_file_and_dir() {
        let dir = tempfile::tempdir().unwrap();
        let (first, second) = (TestCa::new("first"), TestCa::new("second"));
        let certs = dir.path().join("certs");
        std::fs::write(dir.path().join("bundle.pem"), first.pem()).unwrap();
        std::fs::create_dir(&certs).unwrap();
        std::fs::write(certs.join("a.pem"), second.pem()).unwrap();
        std::fs::write(certs.join("again.pem"), first.pem()).unwrap();
        std::fs::write(certs.join("README"), "not a certificate").unwrap();
        let loaded = read_paths(&CaCertPaths {
            file: Some(dir.path().join("bundle.pem")),
            dirs: vec![certs],
        });
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let mut expected = vec![first.der().clone(), second.der().clone()];
        expected.sort_unstable_by(|a, b| a.as_ref().cmp(b.as_ref()));
        assert_eq!(loaded.certs, expected);

        let missing = read_paths(&file(dir.path().join("nope.pem").to_str().unwrap()));
        assert!(missing.certs.is_empty());
        assert_eq!(missing.problems.len(), 1, "{:?}", missing.problems);
    }
}
