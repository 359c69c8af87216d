//! The hermetic harness: every test runs the real binary with a clean
//! environment (no `PINECONE_*`, `GITHUB_*` or proxy variables from the
//! machine), a fresh `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`, and checks
//! on every run that the API key leaked nowhere.

use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use tempfile::TempDir;
use testkit::runner::{Command as WorkflowCommand, parse_output_file, workflow_commands};

/// The key every test uses; long and unique so a leak cannot hide.
pub const KEY: &str = "pcsk_3xTr4_S3cr3t_k3y_for_tests_only_91ab";

/// Variables a developer's or runner's shell may have that would change
/// what the binary does.
const INHERITED: [&str; 16] = [
    "PINECONE_API_KEY",
    "PINECONE_BACKUP_ID",
    "PINECONE_CONTROLLER_HOST",
    "PINECONE_API_VERSION",
    "PINECONE_ADDITIONAL_HEADERS",
    "GITHUB_OUTPUT",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_ACTIONS",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
];

/// A configured, not yet started, run of the binary.
pub struct Waiter {
    command: Command,
    dir: TempDir,
    github_actions: bool,
}

/// Starts a run against `api_host` for backup `b1`, with the key in
/// `PINECONE_API_KEY` and fast millisecond schedules.
pub fn waiter(api_host: &str) -> Waiter {
    bare_waiter()
        .args(["--backup-id", "b1", "--api-host", api_host])
        .args(["--initial-interval", "10ms", "--max-interval", "50ms"])
        .args(["--timeout", "5s"])
}

/// A run with the clean environment and the key in `PINECONE_API_KEY`,
/// but no arguments at all.
pub fn bare_waiter() -> Waiter {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut command = Command::cargo_bin("pinecone-backup-wait").expect("binary built");
    for name in INHERITED {
        command.env_remove(name);
    }
    command
        .env("GITHUB_OUTPUT", dir.path().join("output"))
        .env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"))
        .env("PINECONE_API_KEY", KEY);
    Waiter {
        command,
        dir,
        github_actions: false,
    }
}

impl Waiter {
    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.command.args(args);
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, name: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.command.env(name, value);
        self
    }

    /// Removes an environment variable.
    pub fn env_remove(mut self, name: &str) -> Self {
        self.command.env_remove(name);
        self
    }

    /// Runs as under GitHub Actions (`GITHUB_ACTIONS=true`).
    pub fn in_github_actions(mut self) -> Self {
        self.command.env("GITHUB_ACTIONS", "true");
        self.github_actions = true;
        self
    }

    /// Runs to completion and checks that the key did not leak.
    pub fn run(mut self) -> Run {
        let started = Instant::now();
        let output = self.command.output().expect("binary runs");
        let elapsed = started.elapsed();
        let run = Run::new(output, elapsed, &self.dir, self.github_actions);
        run.assert_key_hidden();
        run
    }
}

/// What one run left behind: everything a user would look at.
pub struct Run {
    /// Exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Raw `GITHUB_OUTPUT` file.
    pub output_file: String,
    /// `GITHUB_OUTPUT` as the runner reads it.
    pub outputs: Vec<(String, String)>,
    /// `GITHUB_STEP_SUMMARY`.
    pub summary: String,
    /// Wall time of the process.
    pub elapsed: Duration,
    github_actions: bool,
}

impl Run {
    fn new(output: Output, elapsed: Duration, dir: &TempDir, github_actions: bool) -> Run {
        let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap_or_default();
        let output_file = read("output");
        let outputs = parse_output_file(&output_file).unwrap_or_else(|err| {
            panic!("runner cannot parse GITHUB_OUTPUT: {err}\n{output_file}")
        });
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            output_file,
            outputs,
            summary: read("summary.md"),
            elapsed,
            github_actions,
        }
    }

    /// The value of a step output; panics with the whole run if absent.
    pub fn output(&self, name: &str) -> &str {
        self.outputs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no output {name:?}\n{}", self.describe()))
    }

    /// Asserts the exit code and the `result` output together.
    #[track_caller]
    pub fn assert_result(&self, code: i32, result: &str) -> &Self {
        assert_eq!(self.code, Some(code), "exit code\n{}", self.describe());
        assert_eq!(
            self.output("result"),
            result,
            "result output\n{}",
            self.describe()
        );
        self
    }

    /// Asserts that `error` contains `needle`.
    #[track_caller]
    pub fn assert_error_contains(&self, needle: &str) -> &Self {
        let error = self.output("error");
        assert!(
            error.contains(needle),
            "error output should contain {needle:?}\n{}",
            self.describe()
        );
        self
    }

    /// The workflow commands the runner would execute from this run's output.
    pub fn workflow_commands(&self) -> Vec<WorkflowCommand> {
        let mut commands = workflow_commands(&self.stderr);
        commands.extend(workflow_commands(&self.stdout));
        commands
    }

    /// The names of those commands, in order.
    pub fn workflow_command_names(&self) -> Vec<String> {
        self.workflow_commands()
            .into_iter()
            .map(|c| c.name)
            .collect()
    }

    /// The key appears in no stream or file, except in the single
    /// `::add-mask::` line that registers it under GitHub Actions.
    #[track_caller]
    pub fn assert_key_hidden(&self) {
        let mask_line = format!("::add-mask::{KEY}");
        let stderr_without_mask: String = self
            .stderr
            .lines()
            .filter(|line| *line != mask_line)
            .collect::<Vec<_>>()
            .join("\n");
        for (what, text) in [
            ("stdout", self.stdout.as_str()),
            ("stderr", stderr_without_mask.as_str()),
            ("GITHUB_OUTPUT", self.output_file.as_str()),
            ("GITHUB_STEP_SUMMARY", self.summary.as_str()),
        ] {
            assert!(
                !text.contains(KEY),
                "the API key leaked into {what}\n{}",
                self.describe()
            );
        }
        let masks = self
            .stderr
            .lines()
            .filter(|line| *line == mask_line)
            .count();
        let expected = usize::from(self.github_actions && self.code != Some(2));
        assert_eq!(masks, expected, "add-mask lines\n{}", self.describe());
    }

    /// Everything, for failure messages.
    pub fn describe(&self) -> String {
        format!(
            "--- exit code: {:?} (in {:?})\n--- stdout:\n{}\n--- stderr:\n{}\n--- GITHUB_OUTPUT:\n{}\n--- summary:\n{}",
            self.code, self.elapsed, self.stdout, self.stderr, self.output_file, self.summary
        )
    }
}

/// The BackupModel fields whose values are strings, for hostile-content tests.
pub const STRING_FIELDS: [&str; 9] = [
    "backup_id",
    "source_index_name",
    "source_index_id",
    "name",
    "description",
    "cloud",
    "region",
    "metric",
    "created_at",
];

/// A `BackupModel` body with the given status, like Pinecone's example.
pub fn backup_body(status: &str) -> String {
    testkit::control_plane::sample_backup(status).to_string()
}

/// A loopback URL where nothing listens (connection refused).
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}
