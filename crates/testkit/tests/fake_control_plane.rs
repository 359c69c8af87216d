//! The `fake-control-plane` binary as a person runs it (README, "Try it by
//! hand"): its flags, its errors and its help.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_fake-control-plane");

/// A running fake, killed when dropped.
struct Fake {
    child: Child,
    url: String,
}

impl Fake {
    fn start(args: &[&str]) -> Fake {
        let mut child = Command::new(BIN)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start fake-control-plane");
        let mut url = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut url)
            .unwrap();
        assert!(url.starts_with("http://127.0.0.1:"), "printed {url:?}");
        Fake {
            child,
            url: url.trim().to_owned(),
        }
    }

    /// `GET path` with an `Api-Key`; the whole response as text.
    fn get(&self, path: &str, key: &str) -> String {
        let mut stream = TcpStream::connect(self.url.trim_start_matches("http://")).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: x\r\nApi-Key: {key}\r\nAccept: application/json\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn status_line(response: &str) -> &str {
    response.lines().next().unwrap_or_default()
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

#[test]
fn describes_the_backup_initializing_then_in_its_final_status() {
    let waiting = Fake::start(&["--ready-after", "1h30m"]);
    let response = waiting.get("/backups/my-backup", "k");
    assert_eq!(status_line(&response), "HTTP/1.1 200 OK");
    assert!(
        response.contains(r#""backup_id":"my-backup""#),
        "{response}"
    );
    assert!(
        response.contains(r#""status":"Initializing""#),
        "{response}"
    );

    let settled = Fake::start(&["--ready-after", "0", "--final-status", "Failed"]);
    assert!(
        settled
            .get("/backups/b", "k")
            .contains(r#""status":"Failed""#)
    );
}

#[test]
fn answers_401_to_any_other_key() {
    let fake = Fake::start(&["--api-key", "demo-key"]);
    assert_eq!(
        status_line(&fake.get("/backups/b", "wrong")),
        "HTTP/1.1 401 Unauthorized"
    );
    assert!(
        fake.get("/backups/b", "demo-key")
            .contains(r#""status":"Ready""#)
    );
}

#[test]
fn serves_404_401_and_5xx_on_request() {
    let not_found = Fake::start(&["--fail-with", "404"]);
    let response = not_found.get("/backups/missing", "k");
    assert_eq!(status_line(&response), "HTTP/1.1 404 Not Found");
    assert!(response.ends_with(
        r#"{"error":{"code":"NOT_FOUND","message":"Backup missing not found."},"status":404}"#
    ));
    // Every request, not only the first.
    assert_eq!(
        status_line(&not_found.get("/backups/missing", "k")),
        "HTTP/1.1 404 Not Found"
    );

    let unauthorized = Fake::start(&["--fail-with", "401"]);
    assert!(
        unauthorized
            .get("/backups/b", "k")
            .contains(r#""code":"UNAUTHENTICATED""#)
    );

    let broken = Fake::start(&["--fail-with", "500"]);
    assert_eq!(
        status_line(&broken.get("/backups/b", "k")),
        "HTTP/1.1 500 Internal Server Error"
    );
}

#[test]
fn fails_only_the_first_requests_with_retry_after_then_recovers() {
    let fake = Fake::start(&[
        "--fail-first",
        "2",
        "--fail-with",
        "429",
        "--retry-after",
        "3s",
    ]);
    for _ in 0..2 {
        let response = fake.get("/backups/b", "k");
        assert_eq!(status_line(&response), "HTTP/1.1 429 Too Many Requests");
        assert!(response.contains("\r\nRetry-After: 3\r\n"), "{response}");
        assert!(response.contains(r#""code":"RESOURCE_EXHAUSTED""#));
    }
    let response = fake.get("/backups/b", "k");
    assert_eq!(status_line(&response), "HTTP/1.1 200 OK");
    assert!(response.contains(r#""status":"Ready""#));

    let unavailable = Fake::start(&["--fail-with", "503"]);
    assert!(
        unavailable
            .get("/backups/b", "k")
            .contains("\r\nRetry-After: 1\r\n")
    );
}

#[test]
fn writes_its_port_to_the_port_file() {
    let dir = std::env::temp_dir().join(format!("fake-control-plane-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("port");
    let fake = Fake::start(&["--port-file", file.to_str().unwrap()]);
    let port = std::fs::read_to_string(&file).unwrap();
    assert!(
        fake.url.ends_with(&format!(":{port}")),
        "{} vs {port}",
        fake.url
    );
    drop(fake);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn refuses_a_duration_the_waiter_would_refuse_and_says_why() {
    for bad in ["1h1h", "30s1h", "1.5s"] {
        let output = run(&["--ready-after", bad]);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--ready-after"), "{stderr}");
        assert!(stderr.contains("--help"), "{stderr}");
        assert!(output.stdout.is_empty());
    }
    let output = run(&["--fail-with", "302"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("400 to 599"));
}

#[test]
fn help_describes_every_flag_and_the_duration_grammar() {
    let output = run(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8(output.stdout).unwrap();
    for needle in [
        "--ready-after DURATION",
        "--final-status",
        "--api-key",
        "--fail-with CODE",
        "--fail-first N",
        "--retry-after",
        "--port N",
        "--port-file",
        "1h30m",
        "at most once",
        "Retry-After",
    ] {
        assert!(help.contains(needle), "help lacks {needle:?}:\n{help}");
    }
}
