//! The hermetic harness: every test runs the real binary with a clean
//! environment (no `PINECONE_*`, `GITHUB_*`, CI or proxy variables from the
//! machine), a fresh `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY` and GitLab
//! dotenv report, and checks on every run that GitLab would accept the
//! report and that the API key leaked nowhere.

use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use tempfile::TempDir;
use testkit::azure::logging_commands;
use testkit::runner::{Command as WorkflowCommand, parse_output_file, workflow_commands};

/// The key every test uses; long and unique so a leak cannot hide.
pub const KEY: &str = "pcsk_3xTr4_S3cr3t_k3y_for_tests_only_91ab";

/// The backup every `waiter` asks for: the id of Pinecone's spec example,
/// which `Reply::backup`, `sample_backup` and the spec fixtures carry (a
/// description of another backup is refused).
pub const BACKUP_ID: &str = "670e8400-e29b-41d4-a716-446655440000";

/// The request path for `BACKUP_ID`.
pub const BACKUP_PATH: &str = "/backups/670e8400-e29b-41d4-a716-446655440000";

/// Below this length a key is bound to occur in our own words (`result`,
/// `ready`), so the harness cannot look for it everywhere; tests with such a
/// key check the API's text themselves.
const SHORTEST_CHECKED_KEY: usize = 16;

/// Variables a developer's or runner's shell may have that would change
/// what the binary does.
const INHERITED: [&str; 23] = [
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "PINECONE_BACKUP_WAIT_DOTENV",
    "TF_BUILD",
    "CI",
    "NO_COLOR",
    "TERM",
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
    azure: bool,
    key: String,
}

/// Starts a run against `api_host` for backup `BACKUP_ID`, with the key in
/// `PINECONE_API_KEY` and fast millisecond schedules.
pub fn waiter(api_host: &str) -> Waiter {
    bare_waiter()
        .args(["--backup-id", BACKUP_ID, "--api-host", api_host])
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
        .env("PINECONE_BACKUP_WAIT_DOTENV", dir.path().join(DOTENV))
        .env("PINECONE_API_KEY", KEY);
    Waiter {
        command,
        dir,
        github_actions: false,
        azure: false,
        key: KEY.to_owned(),
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

    /// Uses another API key (in `PINECONE_API_KEY`); the leak checks look
    /// for this one.
    pub fn api_key(mut self, key: &str) -> Self {
        self.command.env("PINECONE_API_KEY", key);
        self.key = key.to_owned();
        self
    }

    /// Runs as under GitHub Actions (`GITHUB_ACTIONS=true`).
    pub fn in_github_actions(mut self) -> Self {
        self.command.env("GITHUB_ACTIONS", "true");
        self.github_actions = true;
        self
    }

    /// Runs as under Azure Pipelines (`TF_BUILD=True`).
    pub fn in_azure_pipelines(mut self) -> Self {
        self.command.env("TF_BUILD", "True");
        self.azure = true;
        self
    }

    /// Runs to completion and checks that the key did not leak.
    pub fn run(mut self) -> Run {
        let started = Instant::now();
        let output = self.command.output().expect("binary runs");
        let elapsed = started.elapsed();
        let run = Run::new(output, elapsed, &self.dir, self.github_actions, self.key);
        let run = Run {
            azure: self.azure,
            ..run
        };
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
    /// The raw GitLab dotenv report (`PINECONE_BACKUP_WAIT_DOTENV`).
    pub dotenv_file: String,
    /// The dotenv report as GitLab stores it (checked to be accepted).
    pub dotenv: Vec<(String, String)>,
    /// Wall time of the process.
    pub elapsed: Duration,
    github_actions: bool,
    azure: bool,
    key: String,
}

/// The dotenv report's file name in each run's directory.
const DOTENV: &str = "backup.env";

impl Run {
    fn new(
        output: Output,
        elapsed: Duration,
        dir: &TempDir,
        github_actions: bool,
        key: String,
    ) -> Run {
        let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap_or_default();
        let output_file = read("output");
        let outputs = parse_output_file(&output_file).unwrap_or_else(|err| {
            panic!("runner cannot parse GITHUB_OUTPUT: {err}\n{output_file}")
        });
        let dotenv_file = read(DOTENV);
        let dotenv = testkit::dotenv::parse(dotenv_file.as_bytes())
            .unwrap_or_else(|err| panic!("GitLab rejects the dotenv report: {err}\n{dotenv_file}"));
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            output_file,
            outputs,
            summary: read("summary.md"),
            dotenv_file,
            dotenv,
            elapsed,
            github_actions,
            azure: false,
            key,
        }
    }

    /// The value of a step output, found as `steps.<id>.outputs.<name>`
    /// finds it (ignoring case); panics with the whole run if absent.
    pub fn output(&self, name: &str) -> &str {
        self.outputs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
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

    /// The value of a dotenv variable as GitLab stores it; panics with the
    /// whole run if absent.
    pub fn dotenv_value(&self, name: &str) -> &str {
        self.dotenv
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no dotenv variable {name:?}\n{}", self.describe()))
    }

    /// The key appears in no stream or file, except in the single
    /// `::add-mask::` line that registers it under GitHub Actions and the
    /// single `##vso[task.setsecret]` line under Azure Pipelines: not in
    /// the raw text, nor in the text as each reader decodes it (the JSON
    /// line parsed, workflow and logging command data unescaped by the
    /// runner and the agent, the summary as markdown renders it, output
    /// values as the runner reads them, the dotenv report as GitLab stores
    /// it), since an escape can hide a key from a raw search and from the
    /// maskers alike.
    #[track_caller]
    pub fn assert_key_hidden(&self) {
        let key = self.key.as_str();
        let mask_line = format!("::add-mask::{}", escape_command_data(key));
        let secret_line = format!("##vso[task.setsecret]{}", escape_azure_data(key));
        let registers = |line: &str| line == mask_line || line == secret_line;
        let count = |wanted: &str| self.stderr.lines().filter(|line| *line == wanted).count();
        let registered = self.code != Some(2);
        assert_eq!(
            count(&mask_line),
            usize::from(self.github_actions && registered),
            "add-mask lines\n{}",
            self.describe()
        );
        assert_eq!(
            count(&secret_line),
            usize::from(self.azure && registered),
            "setsecret lines\n{}",
            self.describe()
        );
        if key.len() < SHORTEST_CHECKED_KEY {
            return;
        }
        let stderr_without_mask: String = self
            .stderr
            .lines()
            .filter(|line| !registers(line))
            .collect::<Vec<_>>()
            .join("\n");
        let commands: Vec<String> = workflow_commands(&stderr_without_mask)
            .into_iter()
            .chain(workflow_commands(&self.stdout))
            .map(|command| unescape_command(&command.line))
            .chain(
                logging_commands(&stderr_without_mask)
                    .into_iter()
                    .chain(logging_commands(&self.stdout))
                    .flat_map(|command| {
                        let properties = command.properties.into_iter().map(|(_, v)| v);
                        std::iter::once(command.data).chain(properties)
                    }),
            )
            .collect();
        let json_texts: Vec<String> = self
            .stdout
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .flat_map(|value| json_texts(&value))
            .collect();
        let output_values: Vec<String> = self
            .outputs
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        let mut sinks: Vec<(&str, String)> = vec![
            ("stdout", self.stdout.clone()),
            ("stderr", stderr_without_mask.clone()),
            (
                "stderr without log escapes",
                unescape_log(&stderr_without_mask),
            ),
            ("GITHUB_OUTPUT", self.output_file.clone()),
            ("GITHUB_STEP_SUMMARY", self.summary.clone()),
            (
                "GITHUB_STEP_SUMMARY as rendered",
                unescape_markdown(&self.summary),
            ),
        ];
        sinks.extend(commands.into_iter().map(|c| ("a workflow command", c)));
        sinks.extend(json_texts.into_iter().map(|t| ("the --json object", t)));
        sinks.extend(output_values.into_iter().map(|v| ("a step output", v)));
        sinks.push(("the dotenv report", self.dotenv_file.clone()));
        sinks.extend(
            self.dotenv
                .iter()
                .map(|(name, value)| ("a dotenv variable", format!("{name}={value}"))),
        );
        for (what, text) in sinks {
            assert!(
                !text.contains(key),
                "the API key leaked into {what}: {}\n{}",
                excerpt(&text, key),
                self.describe()
            );
        }
    }

    /// Everything, for failure messages.
    pub fn describe(&self) -> String {
        format!(
            "--- exit code: {:?} (in {:?})\n--- stdout:\n{}\n--- stderr:\n{}\n--- GITHUB_OUTPUT:\n{}\n--- summary:\n{}\n--- dotenv:\n{}",
            self.code,
            self.elapsed,
            self.stdout,
            self.stderr,
            self.output_file,
            self.summary,
            self.dotenv_file
        )
    }
}

/// A line of a plain log without the UTC time that starts it
/// (`18:04:05 ready: ...` gives `ready: ...`); panics if it has none.
#[track_caller]
pub fn without_time(line: &str) -> &str {
    let (time, rest) = line.split_at_checked(9).unwrap_or(("", line));
    let digits = time.bytes().enumerate().all(|(i, b)| match i {
        2 | 5 => b == b':',
        8 => b == b' ',
        _ => b.is_ascii_digit(),
    });
    assert!(
        digits && !time.is_empty(),
        "no time at the start of {line:?}"
    );
    rest
}

/// The agent's escaping of logging command data.
fn escape_azure_data(text: &str) -> String {
    text.replace('%', "%AZP25")
        .replace(';', "%3B")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace(']', "%5D")
}

/// The runner's escaping of workflow command data (`%`, CR, LF).
fn escape_command_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command line as the runner unescapes its data and properties
/// (actions/runner ActionCommand.cs, `UnescapeValue`/`UnescapeProperty`).
fn unescape_command(line: &str) -> String {
    line.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

/// Undoes the log's escapes (`\n`, `##\[`) so an escape cannot hide a key.
fn unescape_log(text: &str) -> String {
    text.replace("\\n", "\n")
        .replace("\\r", "\r")
        .replace("\\t", "\t")
        .replace("##\\[", "##[")
}

/// The text a reader sees once markdown renders: backslash escapes and the
/// HTML entities the summary uses are undone.
fn unescape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some(next)) if next.is_ascii_punctuation() => {
                out.push(*next);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#124;", "|")
        .replace("&amp;", "&")
}

/// Every string, object key and number of a JSON value, as text.
fn json_texts(value: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    match value {
        Value::String(text) => vec![text.clone()],
        Value::Array(items) => items.iter().flat_map(json_texts).collect(),
        Value::Object(map) => map
            .iter()
            .flat_map(|(name, item)| std::iter::once(name.clone()).chain(json_texts(item)))
            .collect(),
        scalar => vec![scalar.to_string()],
    }
}

/// Up to 80 characters either side of the first occurrence of `key`.
fn excerpt(text: &str, key: &str) -> String {
    let at = text.find(key).unwrap_or_default();
    let mut start = at.saturating_sub(80);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + key.len() + 80).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    format!("...{}...", &text[start..end])
}

/// The BackupModel fields whose values are strings, for hostile-content
/// tests; not `backup_id`, which must be the id asked for (hostile ids are
/// tested in faults/forgery.rs).
pub const STRING_FIELDS: [&str; 8] = [
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
