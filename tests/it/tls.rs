//! Corporate TLS: a real HTTPS server whose certificate a CA made in the
//! test signed, as a TLS-inspecting proxy or a private gateway presents.
//! Trusted through `SSL_CERT_FILE` or `SSL_CERT_DIR` it is ready; untrusted
//! the run ends at once with exit 6, says what is wrong with the
//! certificate and which variable to set, and the key never left.

use std::path::{Path, PathBuf};
use std::time::Duration;

use tempfile::TempDir;
use testkit::tls::{TestCa, TlsFront};
use testkit::{FakeControlPlane, Reply, Script};

use crate::support::{BACKUP_PATH, KEY, Run, Waiter, waiter, without_time};

/// A Ready control plane behind HTTPS signed by its own CA.
struct Gateway {
    plane: FakeControlPlane,
    front: TlsFront,
    ca: TestCa,
    dir: TempDir,
}

impl Gateway {
    fn start() -> Gateway {
        let plane =
            FakeControlPlane::start(Script::always(Reply::backup("Ready")).requiring_api_key(KEY));
        let ca = TestCa::new("Example Corp TLS Inspection CA");
        let front = TlsFront::start(&ca, plane.addr());
        Gateway {
            plane,
            front,
            ca,
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Writes `text` to a file in the test's directory.
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write the file");
        path
    }

    /// The CA certificate as a PEM file, as a user would save it.
    fn ca_file(&self) -> PathBuf {
        self.file("corp-ca.pem", self.ca.pem())
    }

    /// A run against `https://localhost:PORT` with no TLS variables.
    fn waiter(&self) -> Waiter {
        untouched(waiter(&self.front.url()))
    }
}

/// Removes the TLS variables a developer's shell or runner may have set.
fn untouched(waiter: Waiter) -> Waiter {
    waiter
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR")
}

#[track_caller]
fn assert_ready(run: &Run) {
    run.assert_result(0, "ready");
    assert_eq!(run.output("status"), "Ready", "{}", run.describe());
}

/// Exit 6 after one attempt, well before the deadline, and the request
/// (with its key) never reached the server.
#[track_caller]
fn assert_refused_at_once(run: &Run, gateway: &Gateway) {
    run.assert_result(6, "error");
    assert_eq!(run.output("attempts"), "1", "{}", run.describe());
    assert!(
        run.elapsed < Duration::from_secs(1),
        "took {:?}\n{}",
        run.elapsed,
        run.describe()
    );
    assert_eq!(gateway.plane.request_count(), 0, "{}", run.describe());
    assert_eq!(gateway.front.handshakes(), 0, "{}", run.describe());
}

#[test]
fn ready_over_https_when_ssl_cert_file_holds_the_private_ca() {
    let gateway = Gateway::start();
    let run = gateway
        .waiter()
        .env("SSL_CERT_FILE", gateway.ca_file())
        .run();
    assert_ready(&run);
    assert!(
        run.stderr.contains(&format!(
            "trusting 1 CA certificate from SSL_CERT_FILE ({}) besides the bundled roots",
            gateway.ca_file().display()
        )),
        "{}",
        run.describe()
    );
    assert_eq!(gateway.plane.requests()[0].target, BACKUP_PATH);
}

#[test]
fn ready_over_https_by_ip_address_when_ssl_cert_file_holds_the_private_ca() {
    let gateway = Gateway::start();
    let run = untouched(waiter(&gateway.front.ip_url()))
        .env("SSL_CERT_FILE", gateway.ca_file())
        .run();
    assert_ready(&run);
}

#[test]
fn ready_over_https_when_ssl_cert_dir_holds_the_private_ca() {
    let gateway = Gateway::start();
    let certs = gateway.dir.path().join("certs");
    std::fs::create_dir(&certs).unwrap();
    std::fs::write(certs.join("corp.pem"), gateway.ca.pem()).unwrap();
    let other = gateway.dir.path().join("more-certs");
    std::fs::create_dir(&other).unwrap();
    let list = std::env::join_paths([other.as_path(), certs.as_path()]).unwrap();
    let run = gateway.waiter().env("SSL_CERT_DIR", list).run();
    assert_ready(&run);
    assert!(
        run.stderr
            .contains("trusting 1 CA certificate from SSL_CERT_DIR ("),
        "{}",
        run.describe()
    );
}

#[test]
fn ready_under_github_actions_with_the_key_still_hidden() {
    let gateway = Gateway::start();
    let run = gateway
        .waiter()
        .in_github_actions()
        .env("SSL_CERT_FILE", gateway.ca_file())
        .run();
    assert_ready(&run);
}

#[test]
fn exits_6_at_once_naming_the_unknown_issuer_and_ssl_cert_file_when_no_trusted_ca_signed() {
    let gateway = Gateway::start();
    let run = gateway.waiter().run();
    assert_refused_at_once(&run, &gateway);
    run.assert_error_contains("the server's certificate is not trusted (unknown issuer)")
        .assert_error_contains("the operating system's store")
        .assert_error_contains("set SSL_CERT_FILE to a PEM file with its CA certificate");
    assert!(
        run.stderr.contains("set SSL_CERT_FILE"),
        "{}",
        run.describe()
    );
}

#[test]
fn exits_6_at_once_when_ssl_cert_file_holds_another_ca() {
    let gateway = Gateway::start();
    let other = TestCa::new("Some Other CA");
    let path = gateway.file("other-ca.pem", other.pem());
    let run = gateway.waiter().env("SSL_CERT_FILE", &path).run();
    assert_refused_at_once(&run, &gateway);
    run.assert_error_contains("not trusted (unknown issuer)")
        .assert_error_contains(&format!(
            "1 CA certificate from SSL_CERT_FILE ({})",
            path.display()
        ))
        .assert_error_contains("check that SSL_CERT_FILE");
}

#[test]
fn a_missing_ssl_cert_file_is_a_warning_naming_it_and_the_run_goes_on() {
    let gateway = Gateway::start();
    let missing = gateway.dir.path().join("no-such-ca.pem");
    let run = gateway.waiter().env("SSL_CERT_FILE", &missing).run();
    assert_refused_at_once(&run, &gateway);
    assert_warned_about(&run, &missing, "No such file");
    run.assert_error_contains("set SSL_CERT_FILE");
}

#[test]
fn a_ssl_cert_file_without_certificates_is_a_warning_naming_it() {
    let gateway = Gateway::start();
    for (name, text) in [
        ("notes.txt", "this is not a certificate\n"),
        (
            "broken.pem",
            "-----BEGIN CERTIFICATE-----\nnot base64 !!\n-----END CERTIFICATE-----\n",
        ),
        ("empty.pem", ""),
    ] {
        let path = gateway.file(name, text);
        let run = gateway.waiter().env("SSL_CERT_FILE", &path).run();
        assert_refused_at_once(&run, &gateway);
        assert_warned_about(&run, &path, "");
    }
}

#[test]
fn a_missing_ssl_cert_file_does_not_matter_when_ssl_cert_dir_has_the_ca() {
    let gateway = Gateway::start();
    let certs = gateway.dir.path().join("certs");
    std::fs::create_dir(&certs).unwrap();
    std::fs::write(certs.join("corp.pem"), gateway.ca.pem()).unwrap();
    let missing = gateway.dir.path().join("no-such-ca.pem");
    let run = gateway
        .waiter()
        .env("SSL_CERT_FILE", &missing)
        .env("SSL_CERT_DIR", &certs)
        .run();
    assert_ready(&run);
    assert!(
        run.stderr.contains("warning: SSL_CERT_FILE ("),
        "the unreadable file is still reported\n{}",
        run.describe()
    );
}

#[test]
fn tls_variables_are_not_read_for_plain_http_to_loopback() {
    let plane = FakeControlPlane::start(Script::always(Reply::backup("Ready")));
    let run = untouched(waiter(&plane.url()))
        .env("SSL_CERT_FILE", "/no/such/ca.pem")
        .run();
    assert_ready(&run);
    assert!(!run.stderr.contains("SSL_CERT_FILE"), "{}", run.describe());
}

#[track_caller]
fn assert_warned_about(run: &Run, path: &Path, reason: &str) {
    let expected = format!(
        "warning: SSL_CERT_FILE ({}) gave no CA certificate to trust (",
        path.display()
    );
    let line = run
        .stderr
        .lines()
        .map(without_time)
        .find(|line| line.starts_with(&expected))
        .unwrap_or_else(|| panic!("no warning {expected:?}\n{}", run.describe()));
    assert!(line.contains(reason), "{line}\n{}", run.describe());
}
