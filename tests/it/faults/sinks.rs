//! Sinks that cannot take what we write (issue 8, "Never hang, whatever the
//! sinks are"): `GITHUB_OUTPUT` or `GITHUB_STEP_SUMMARY` a FIFO with no
//! reader or in a missing directory, a stdout or stderr pipe nobody reads.
//! `GITHUB_OUTPUT` is checked before the first request; every write is
//! bounded in time; a second SIGTERM exits at once.
//!
//! These runs spawn the binary themselves (rather than through
//! `support::waiter`) because the process under test may hang on the code
//! these tests guard against: each is killed after a limit, so a regression
//! fails instead of hanging the suite.

#![cfg(unix)]

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use testkit::runner::parse_output_file;
use testkit::{FakeControlPlane, Reply, Script};

use crate::support::{BACKUP_ID, KEY, waiter};

/// Longer than any run here may take; a process still alive then is killed
/// and the test fails.
const KILL_AFTER: Duration = Duration::from_secs(10);

/// How long the binary may hold on to a stuck sink (2 s each), plus slack
/// for a loaded machine.
const SINK_BOUND: Duration = Duration::from_secs(5);

/// A run spawned by hand, with stdout and stderr in files unless a test
/// wants a pipe.
struct Spawned {
    child: Child,
    dir: tempfile::TempDir,
    started: Instant,
}

/// How a spawned run ended.
struct Ended {
    status: Option<ExitStatus>,
    took: Duration,
    stdout: String,
    stderr: String,
    output_file: String,
}

impl Ended {
    fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    fn describe(&self) -> String {
        format!(
            "--- status: {:?} after {:?}\n--- stdout ({} bytes):\n{}\n--- stderr:\n{}\n--- GITHUB_OUTPUT:\n{}",
            self.status,
            self.took,
            self.stdout.len(),
            self.stdout.chars().take(2000).collect::<String>(),
            self.stderr,
            self.output_file.chars().take(2000).collect::<String>(),
        )
    }

    fn outputs(&self) -> Vec<(String, String)> {
        parse_output_file(&self.output_file).unwrap()
    }

    fn output(&self, name: &str) -> String {
        self.outputs()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("no output {name}\n{}", self.describe()))
    }

    #[track_caller]
    fn assert_key_hidden(&self) {
        for (what, text) in [
            ("stdout", &self.stdout),
            ("stderr", &self.stderr),
            ("GITHUB_OUTPUT", &self.output_file),
        ] {
            assert!(!text.contains(KEY), "key leaked into {what}");
        }
    }
}

/// Spawns the waiter for backup `b1` against `server`, with `GITHUB_OUTPUT`
/// at `output` (default: a regular file in the run's directory).
fn spawn(
    server: &FakeControlPlane,
    args: &[&str],
    env: &[(&str, &Path)],
    stdout: Option<Stdio>,
    stderr: Option<Stdio>,
) -> Spawned {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_pinecone-backup-wait"));
    command
        .env_clear()
        .env("PINECONE_API_KEY", KEY)
        .env("GITHUB_OUTPUT", dir.path().join("output"))
        .args(["--backup-id", BACKUP_ID, "--api-host", &server.url()])
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout.unwrap_or_else(|| File::create(dir.path().join("stdout")).unwrap().into()))
        .stderr(stderr.unwrap_or_else(|| File::create(dir.path().join("stderr")).unwrap().into()));
    for (name, value) in env {
        command.env(name, value);
    }
    let child = command.spawn().unwrap();
    Spawned {
        child,
        dir,
        started: Instant::now(),
    }
}

impl Spawned {
    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill {signal}");
    }

    /// Waits until the process exits or `KILL_AFTER` passes (then kills it).
    fn end(mut self) -> Ended {
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break Some(status);
            }
            if self.started.elapsed() > KILL_AFTER {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let took = self.started.elapsed();
        let read =
            |name: &str| std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
        Ended {
            status,
            took,
            stdout: read("stdout"),
            stderr: read("stderr"),
            output_file: read("output"),
        }
    }
}

/// Makes a FIFO at `path`.
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A FIFO in a fresh directory, and the directory that keeps it alive.
fn fifo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fifo");
    mkfifo(&path);
    (dir, path)
}

/// Holds `path` (a FIFO) open as a reader that never reads. Opening a FIFO
/// read-write does not block, and makes the process one of its readers.
fn idle_reader(path: &Path) -> File {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .unwrap()
}

/// A Ready backup whose description is `size` bytes: step outputs, the
/// `json` output and `--json` all carry it, so each is bigger than a pipe.
fn big_backup(status: &str, size: usize) -> Reply {
    let mut body = testkit::control_plane::sample_backup(status);
    body["description"] = Value::String("d".repeat(size));
    Reply::json(200, body)
}

#[test]
fn exits_6_before_any_request_when_github_output_is_a_fifo_without_reader() {
    let server = FakeControlPlane::start(Script::always(Reply::backup("Ready")));
    let (_dir, fifo) = fifo();
    let ended = spawn(
        &server,
        &["--json", "--timeout", "5s"],
        &[("GITHUB_OUTPUT", &fifo)],
        None,
        None,
    )
    .end();
    assert_eq!(ended.code(), Some(6), "{}", ended.describe());
    assert_eq!(server.request_count(), 0, "{}", ended.describe());
    assert!(ended.took < SINK_BOUND, "{}", ended.describe());
    let json: Value = serde_json::from_str(&ended.stdout).unwrap();
    assert_eq!(json["result"], "error");
    let error = json["error"].as_str().unwrap();
    assert!(error.contains("GITHUB_OUTPUT"), "{error}");
    assert!(error.contains(&fifo.display().to_string()), "{error}");
    assert!(error.contains("no reader"), "{error}");
    ended.assert_key_hidden();
}

#[test]
fn exits_6_before_any_request_when_github_output_cannot_be_opened() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing").join("output");
    let directory = dir.path().to_path_buf();
    let socket = dir.path().join("socket");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    for (path, reason) in [
        (&missing, "No such file or directory"),
        (&directory, "directory"),
        (&socket, "socket"),
    ] {
        let server = FakeControlPlane::start(Script::always(Reply::backup("Ready")));
        let run = waiter(&server.url())
            .env("GITHUB_OUTPUT", path)
            .args(["--json"])
            .run();
        assert_eq!(run.code, Some(6), "{}", run.describe());
        assert_eq!(server.request_count(), 0, "{}", run.describe());
        let json: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(json["result"], "error", "{}", run.describe());
        assert_eq!(json["attempts"], 0, "{}", run.describe());
        let error = json["error"].as_str().unwrap();
        assert!(
            error.contains("GITHUB_OUTPUT") && error.contains(&path.display().to_string()),
            "{error}"
        );
        assert!(error.contains(reason), "{error}");
    }
}

#[test]
fn warns_once_and_exits_0_when_the_summary_is_a_fifo_without_reader() {
    let server = FakeControlPlane::start(Script::always(Reply::backup("Ready")));
    let (_dir, fifo) = fifo();
    let ended = spawn(
        &server,
        &["--timeout", "5s"],
        &[("GITHUB_STEP_SUMMARY", &fifo)],
        None,
        None,
    )
    .end();
    assert_eq!(ended.code(), Some(0), "{}", ended.describe());
    assert!(ended.took < SINK_BOUND, "{}", ended.describe());
    assert_eq!(ended.output("result"), "ready");
    assert_eq!(
        ended.stderr.matches("GITHUB_STEP_SUMMARY").count(),
        1,
        "{}",
        ended.describe()
    );
    assert_eq!(server.request_count(), 1);
    ended.assert_key_hidden();
}

#[test]
fn exits_6_within_seconds_when_github_output_is_a_fifo_nobody_reads() {
    let server = FakeControlPlane::start(Script::always(big_backup("Ready", 300_000)));
    let (_dir, fifo) = fifo();
    let _reader = idle_reader(&fifo);
    let ended = spawn(
        &server,
        &["--json", "--timeout", "5s"],
        &[("GITHUB_OUTPUT", &fifo)],
        None,
        None,
    )
    .end();
    assert_eq!(ended.code(), Some(6), "{}", ended.describe());
    assert!(ended.took < SINK_BOUND, "{}", ended.describe());
    let json: Value = serde_json::from_str(&ended.stdout).unwrap();
    assert_eq!(json["result"], "error");
    let error = json["error"].as_str().unwrap();
    assert!(
        error.contains("GITHUB_OUTPUT") && error.contains("result=ready"),
        "{error}"
    );
    assert_eq!(server.request_count(), 1);
}

#[test]
fn exits_0_within_seconds_when_json_goes_to_a_pipe_nobody_reads() {
    // Just under the 1 MiB body limit, as a big description can be.
    let server = FakeControlPlane::start(Script::always(big_backup("Ready", 1_000_000)));
    let spawned = spawn(
        &server,
        &["--json", "--timeout", "5s"],
        &[],
        Some(Stdio::piped()),
        None,
    );
    let mut spawned = spawned;
    // Held open, never read: write(2) blocks once the pipe buffer is full.
    let _stdout = spawned.child.stdout.take().unwrap();
    let ended = spawned.end();
    assert_eq!(ended.code(), Some(0), "{}", ended.describe());
    assert!(ended.took < SINK_BOUND, "{}", ended.describe());
    assert_eq!(ended.output("result"), "ready");
    ended.assert_key_hidden();
}

#[test]
fn the_log_never_blocks_the_wait_when_stderr_is_a_pipe_nobody_reads() {
    // Long attempt lines at a 1 ms interval fill a 64 KiB pipe in well under
    // a second; the wait must still end at its deadline.
    let status = format!("Pending{}", "-".repeat(150));
    let server = FakeControlPlane::start(Script::always(Reply::backup(&status)));
    let mut spawned = spawn(
        &server,
        &[
            "--timeout",
            "2s",
            "--initial-interval",
            "1ms",
            "--max-interval",
            "1ms",
        ],
        &[],
        None,
        Some(Stdio::piped()),
    );
    let _stderr = spawned.child.stderr.take().unwrap();
    let ended = spawned.end();
    assert_eq!(ended.code(), Some(3), "{}", ended.describe());
    assert!(
        ended.took < Duration::from_secs(2) + SINK_BOUND,
        "{}",
        ended.describe()
    );
    assert_eq!(ended.output("result"), "timeout");
    assert!(server.request_count() > 100, "{}", server.request_count());
}

#[test]
fn a_sigterm_while_a_sink_is_blocked_does_not_extend_the_bound() {
    let server = FakeControlPlane::start(Script::always(big_backup("Ready", 300_000)));
    let (_dir, fifo) = fifo();
    let _reader = idle_reader(&fifo);
    let spawned = spawn(
        &server,
        &["--timeout", "5s"],
        &[("GITHUB_OUTPUT", &fifo)],
        None,
        None,
    );
    // The wait is over by now; the outputs are stuck on the FIFO.
    std::thread::sleep(Duration::from_millis(500));
    spawned.signal("-TERM");
    let ended = spawned.end();
    assert_eq!(ended.code(), Some(6), "{}", ended.describe());
    assert!(ended.took < SINK_BOUND, "{}", ended.describe());
    assert!(
        ended
            .stderr
            .contains("cannot write step outputs to GITHUB_OUTPUT"),
        "{}",
        ended.describe()
    );
}

#[test]
fn a_second_sigterm_exits_130_at_once_while_a_sink_is_blocked() {
    let server = FakeControlPlane::start(Script::always(big_backup("Initializing", 300_000)));
    let (_dir, fifo) = fifo();
    let _reader = idle_reader(&fifo);
    let spawned = spawn(
        &server,
        &[
            "--timeout",
            "1m",
            "--initial-interval",
            "30s",
            "--max-interval",
            "30s",
        ],
        &[("GITHUB_OUTPUT", &fifo)],
        None,
        None,
    );
    std::thread::sleep(Duration::from_millis(400));
    // The first signal ends the wait; writing the outputs then blocks on
    // the FIFO nobody reads.
    spawned.signal("-TERM");
    std::thread::sleep(Duration::from_millis(300));
    let second = Instant::now();
    spawned.signal("-TERM");
    let ended = spawned.end();
    let after_second = second.elapsed();
    assert_eq!(ended.code(), Some(130), "{}", ended.describe());
    assert!(
        after_second < Duration::from_secs(1),
        "exited {after_second:?} after the second signal\n{}",
        ended.describe()
    );
    assert_eq!(server.request_count(), 1);
}
