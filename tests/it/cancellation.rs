//! SIGINT and SIGTERM (how GitHub cancels a job): stop within a second, even
//! mid-request or mid-sleep, write outputs with `result=cancelled`, exit 130.

#![cfg(unix)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use testkit::runner::parse_output_file;
use testkit::{FakeControlPlane, Reply, Script};

use crate::support::KEY;

/// Starts the waiter, sends `signal` after `delay`, and returns the exit
/// code, how long it took to exit after the signal, the outputs and stderr.
fn interrupt(
    server: &FakeControlPlane,
    extra: &[&str],
    signal: &str,
    delay: Duration,
) -> (Option<i32>, Duration, Vec<(String, String)>, String) {
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("output");
    let child = Command::new(env!("CARGO_BIN_EXE_pinecone-backup-wait"))
        .env_clear()
        .env("PINECONE_API_KEY", KEY)
        .env("GITHUB_OUTPUT", &output)
        .args([
            "--backup-id",
            crate::support::BACKUP_ID,
            "--api-host",
            &server.url(),
            "--timeout",
            "1m",
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let signalled = Instant::now();
    let result = child.wait_with_output().unwrap();
    let took = signalled.elapsed();
    let outputs = parse_output_file(&std::fs::read_to_string(&output).unwrap_or_default()).unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
    (result.status.code(), took, outputs, stderr)
}

fn value<'a>(outputs: &'a [(String, String)], name: &str) -> &'a str {
    outputs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("<missing>")
}

#[test]
fn sigint_during_a_hung_request_exits_130_with_outputs() {
    let server = FakeControlPlane::start(Script::always(Reply::Hang));
    let (code, took, outputs, stderr) = interrupt(
        &server,
        &["--request-timeout", "30s"],
        "-INT",
        Duration::from_millis(300),
    );
    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        took < Duration::from_secs(1),
        "exited {took:?} after the signal"
    );
    assert_eq!(value(&outputs, "result"), "cancelled");
    assert!(value(&outputs, "error").starts_with("cancelled by a signal after 1 attempt"));
    assert!(
        crate::support::without_time(stderr.lines().last().unwrap()).starts_with("cancelled: "),
        "{stderr}"
    );
}

#[test]
fn sigterm_during_the_backoff_sleep_exits_130_with_the_last_status() {
    let server = FakeControlPlane::start(Script::always(Reply::backup("Initializing")));
    let (code, took, outputs, stderr) = interrupt(
        &server,
        &["--initial-interval", "30s", "--max-interval", "30s"],
        "-TERM",
        Duration::from_millis(300),
    );
    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        took < Duration::from_secs(1),
        "exited {took:?} after the signal"
    );
    assert_eq!(value(&outputs, "result"), "cancelled");
    assert_eq!(value(&outputs, "status"), "Initializing");
    assert_eq!(server.request_count(), 1);
}
