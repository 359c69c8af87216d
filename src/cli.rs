//! The command line: flags, environment fallbacks and help text. No logic.
//!
//! Conventions: long flags only; every flag a workflow may want from a secret
//! or variable has an environment fallback named as in the Pinecone SDKs
//! (`PINECONE_*`); durations take `500ms`, `2s`, `10m`, `1h30m` or bare
//! seconds; status lists are repeatable or comma-separated. Exactly one of
//! `--backup-id`, `--create-from-index` and `--latest-of-index` selects the
//! backup; which flags go with which mode, and every other cross-field rule
//! (initial <= max interval, https unless loopback), live in `config`.
//! Numeric flags accept a leading `-`, so that `--timeout -5s` reaches the
//! parser and is refused for being negative rather than taken for a flag.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser};

use crate::config::{HumanDuration, Multiplier};
use crate::status::StatusSet;

/// The part of `--help` after the flags: what `-h` leaves out.
const AFTER_LONG_HELP: &str = "\
Durations:
  A whole number with a unit, h, m, s or ms, units largest first and each at
  most once: 500ms, 2s, 10m, 1h30m, 1h30m15s. A bare number is seconds (45).
  No sign, no fractions, at most 720h (30 days).

Selecting the backup (exactly one):
  --backup-id ID            wait for this backup
  --create-from-index INDEX create a backup of INDEX (named by --backup-name,
                            else INDEX-YYYYMMDD-HHMMSS-xxxxxx in UTC), then
                            wait for it; a create is never sent twice by
                            accident
  --latest-of-index INDEX   wait for the newest backup of INDEX (by
                            created_at) that is not in a failed status, no
                            older than --max-age
  --restore-job-id ID       select no backup: wait for this restore job,
                            then its index, then check the data
  A mode flag wins over a PINECONE_BACKUP_ID that only comes from the
  environment. One --timeout covers the whole run, the create or listing
  included.

Restoring (--restore-to-index NAME, after any of the first three):
  Stages: restore (create index NAME from the backup, then wait for the
  restore job: Completed; Failed or Cancelled end it), index (wait until the
  index is ready), verify (describe_index_stats on the index's host until
  its record and namespace counts equal the backup's; --no-restore-verify
  skips it). An index that exists already is never touched (exit 6); a
  create-index is never sent twice by accident. NAME: 1 to 45 lowercase
  letters, digits and '-', starting and ending with a letter or digit.

Environment:
  PINECONE_API_KEY, PINECONE_BACKUP_ID, PINECONE_CONTROLLER_HOST,
  PINECONE_API_VERSION, PINECONE_BACKUP_WAIT_DOTENV
          Fallbacks for --api-key, --backup-id, --api-host, --api-version and
          --dotenv; a flag wins. PINECONE_BACKUP_ID is also a variable of the
          dotenv report, on purpose: a later GitLab job runs the waiter
          again on the same backup with no flag.
  PINECONE_ADDITIONAL_HEADERS
          Extra request headers as a JSON object, e.g. {\"X-Team\": \"search\"};
          they cannot replace Api-Key or X-Pinecone-API-Version.
  https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY
          Proxy for the API, the first one set wins (curl's order for an
          https URL): http:// or https://, credentials allowed, never
          printed. A URL that cannot be used is an error (exit 2).
          http_proxy and HTTP_PROXY are not used: the API is https. A
          loopback --api-host is never proxied.
  no_proxy, NO_PROXY
          Hosts reached without the proxy: comma-separated names, each
          covering its subdomains; * for every host.
  GITHUB_ACTIONS=true
          Print workflow commands: mask the key, group the log, annotate.
  GITHUB_OUTPUT
          File the step outputs are appended to (one per backup field, plus
          result, error, attempts, elapsed_seconds, json, created,
          selected_by, stage and the restore_* and restored_* outputs).
  GITHUB_STEP_SUMMARY
          File the job summary is appended to.
  TF_BUILD=True
          Azure Pipelines: logging commands register the key as a secret
          (task.setsecret), set output variables with the dotenv names
          (task.setvariable) and report the verdict (task.logissue).
  CI, TERM, NO_COLOR
          At a terminal outside CI (CI unset or false, TERM not dumb) the log
          keeps one live status line; NO_COLOR turns colour off. Elsewhere,
          outside GitHub Actions and Azure Pipelines, lines carry the UTC
          time.";

/// Wait for a Pinecone backup to become Ready, with a hard deadline.
///
/// Selects a backup (the one given, a new backup of an index, or the newest
/// backup of an index), then polls GET {api-host}/backups/{backup-id} with
/// jittered exponential backoff until the backup's status is a ready status
/// (exit 0), a failed status (exit 1) or the timeout passes (exit 3). With
/// --restore-to-index it then restores the backup into a new index, waits
/// for the restore job and the index, and checks the index's record counts
/// against the backup's. Other exit codes: 2 invalid usage, 4 backup, index
/// or restore job not found, 5 API key rejected, 6 other error (an index
/// that exists is one), 130 cancelled. Under GitHub Actions every field
/// of the backup is written as a step output, with a job summary; under Azure Pipelines as output
/// variables; for GitLab CI, --dotenv writes a dotenv report.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "pinecone-backup-wait",
    version,
    about,
    long_about,
    after_long_help = AFTER_LONG_HELP
)]
// The last occurrence of a flag wins, so a wrapper can set defaults that a
// user overrides (the way `curl` and `git` treat repeated options).
#[command(args_override_self = true)]
// One way of selecting the backup is needed; `multiple` because which
// combinations are refused depends on where a value came from (a mode flag
// wins over PINECONE_BACKUP_ID from the environment), which config decides.
#[command(group(
    clap::ArgGroup::new("selection")
        .args(["backup_id", "create_from_index", "latest_of_index", "restore_job_id"])
        .required(true)
        .multiple(true)
))]
pub struct Cli {
    /// ID of the backup to wait for.
    #[arg(long, env = "PINECONE_BACKUP_ID", value_name = "ID")]
    pub backup_id: Option<String>,

    /// Create a backup of this index, then wait for it.
    #[arg(long, value_name = "INDEX")]
    pub create_from_index: Option<String>,

    /// Wait for the newest backup of this index that is not in a failed
    /// status.
    #[arg(long, value_name = "INDEX")]
    pub latest_of_index: Option<String>,

    /// Name of the backup --create-from-index makes. Default:
    /// INDEX-YYYYMMDD-HHMMSS-xxxxxx (UTC time, random suffix), unique per run.
    #[arg(long, value_name = "NAME")]
    pub backup_name: Option<String>,

    /// Description of the backup --create-from-index makes.
    #[arg(long, value_name = "TEXT")]
    pub backup_description: Option<String>,

    /// With --latest-of-index: ignore backups created longer ago than this.
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub max_age: Option<HumanDuration>,

    /// Once the selected backup is ready, create index NAME from it, wait
    /// for the restore job and the index, then check its data. Never
    /// touches an index that exists already (exit 6).
    #[arg(long, value_name = "NAME")]
    pub restore_to_index: Option<String>,

    /// With --restore-to-index: tags for the new index, a JSON object of
    /// strings such as {"purpose":"restore-drill"}.
    #[arg(long, value_name = "JSON")]
    pub restore_tags: Option<String>,

    /// With --restore-to-index: deletion protection of the new index,
    /// enabled or disabled. Default: Pinecone's.
    #[arg(long, value_name = "enabled|disabled")]
    pub restore_deletion_protection: Option<String>,

    /// Wait for this existing restore job, then its index, then check the
    /// data; no backup is selected or created.
    #[arg(long, value_name = "ID")]
    pub restore_job_id: Option<String>,

    /// Skip the data check after a restore (describe_index_stats against
    /// the backup's record and namespace counts).
    #[arg(long)]
    pub no_restore_verify: bool,

    /// Pinecone API key. Prefer the environment variable: command lines are
    /// visible to other processes.
    #[arg(
        long,
        env = "PINECONE_API_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub api_key: String,

    /// Control-plane URL; a path prefix (API gateway) is kept. http:// is
    /// only accepted for loopback hosts.
    #[arg(
        long,
        env = "PINECONE_CONTROLLER_HOST",
        value_name = "URL",
        default_value = "https://api.pinecone.io"
    )]
    pub api_host: String,

    /// Value of the X-Pinecone-API-Version header.
    #[arg(
        long,
        env = "PINECONE_API_VERSION",
        value_name = "VERSION",
        default_value = "2025-04"
    )]
    pub api_version: String,

    /// Overall deadline of the whole run, the create or listing included. The
    /// process exits within a second of it, whatever the server does.
    /// 0 checks once: exit 0 ready, 1 failed, 3 not yet.
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "30m",
        allow_hyphen_values = true
    )]
    pub timeout: HumanDuration,

    /// Delay after the first check, and the floor of every later delay but
    /// the last one, clipped so that the last check ends by the deadline.
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "2s",
        allow_hyphen_values = true
    )]
    pub initial_interval: HumanDuration,

    /// Ceiling of the delay between checks.
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "60s",
        allow_hyphen_values = true
    )]
    pub max_interval: HumanDuration,

    /// Growth factor of the delay ceiling per check, from 1 to 100.
    #[arg(long, value_name = "FACTOR", default_value = "3")]
    #[arg(allow_hyphen_values = true)]
    pub multiplier: Multiplier,

    /// Timeout of each HTTP request, clipped to the time left.
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "30s",
        allow_hyphen_values = true
    )]
    pub request_timeout: HumanDuration,

    /// Status that means the backup is ready (repeatable or comma-separated).
    #[arg(long, value_name = "STATUS", default_value = "Ready")]
    pub ready_status: Vec<StatusSet>,

    /// Status that means the backup failed (repeatable or comma-separated).
    #[arg(
        long,
        value_name = "STATUS",
        default_value = "Failed,InitializationFailed"
    )]
    pub failed_status: Vec<StatusSet>,

    /// Print the final result as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,

    /// Write the result as a GitLab dotenv report (artifacts:reports:dotenv)
    /// to FILE, on every path: 20 PINECONE_BACKUP_* variables. Empty: none.
    // An OsString, not a PathBuf: clap refuses an empty PathBuf, and an
    // empty value (a CI template passing an unset variable) means no report.
    #[arg(
        long,
        env = "PINECONE_BACKUP_WAIT_DOTENV",
        value_name = "FILE",
        value_parser = clap::builder::ValueParser::os_string()
    )]
    pub dotenv: Option<OsString>,

    /// Seed the jitter so the schedule repeats exactly (benchmarks,
    /// debugging). By default the seed comes from the operating system.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub jitter_seed: Option<u64>,
}

/// Where a value came from, for the first log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag.
    Flag,
    /// The named environment variable.
    Env(&'static str),
    /// The built-in default.
    Default,
}

/// The origin of each value that has an environment fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origins {
    /// `--backup-id` / `PINECONE_BACKUP_ID`.
    pub backup_id: Origin,
    /// `--api-key` / `PINECONE_API_KEY`.
    pub api_key: Origin,
    /// `--api-host` / `PINECONE_CONTROLLER_HOST`.
    pub api_host: Origin,
    /// `--api-version` / `PINECONE_API_VERSION`.
    pub api_version: Origin,
    /// Where the last `--ready-status` stands on the command line, if given;
    /// so that a ready/failed overlap blames the flag the user typed.
    pub ready_status_position: Option<usize>,
    /// Where the last `--failed-status` stands on the command line, if given.
    pub failed_status_position: Option<usize>,
}

/// A successful parse: the flags and where the sourced ones came from.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The flags.
    pub cli: Cli,
    /// Where the values with environment fallbacks came from.
    pub origins: Origins,
}

impl Cli {
    /// Parses arguments (the first is the program name). `--help` and
    /// `--version` come back as errors whose `use_stderr()` is false.
    pub fn parse_args<I, T>(args: I) -> Result<Parsed, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let matches = Cli::command().try_get_matches_from(args)?;
        let cli = Cli::from_arg_matches(&matches)?;
        let origin = |id: &str, env: &'static str| origin_of(&matches, id, env);
        let origins = Origins {
            backup_id: origin("backup_id", "PINECONE_BACKUP_ID"),
            api_key: origin("api_key", "PINECONE_API_KEY"),
            api_host: origin("api_host", "PINECONE_CONTROLLER_HOST"),
            api_version: origin("api_version", "PINECONE_API_VERSION"),
            ready_status_position: position(&matches, "ready_status"),
            failed_status_position: position(&matches, "failed_status"),
        };
        Ok(Parsed { cli, origins })
    }
}

/// The last `--dotenv FILE` (or `--dotenv=FILE`) on a command line that
/// clap refused, so that even an invalid run leaves its dotenv report. Only
/// for that case: a parsed command line has `Cli::dotenv`.
pub fn dotenv_on_refused_line(args: &[OsString]) -> Option<PathBuf> {
    let mut found = None;
    let mut args = args.iter().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--" {
            break;
        }
        if arg == "--dotenv" {
            found = args.next().map(PathBuf::from);
        } else if let Some(path) = arg.to_str().and_then(|a| a.strip_prefix("--dotenv=")) {
            found = Some(PathBuf::from(path));
        }
    }
    found.filter(|path| !path.as_os_str().is_empty())
}

/// The index of the last value of a flag given on the command line.
fn position(matches: &ArgMatches, id: &str) -> Option<usize> {
    if matches.value_source(id) != Some(ValueSource::CommandLine) {
        return None;
    }
    matches.indices_of(id)?.max()
}

fn origin_of(matches: &ArgMatches, id: &str, env: &'static str) -> Origin {
    match matches.value_source(id) {
        Some(ValueSource::CommandLine) => Origin::Flag,
        Some(ValueSource::EnvVariable) => Origin::Env(env),
        _ => Origin::Default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn help_never_shows_the_api_key_from_the_environment() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("PINECONE_API_KEY"));
        assert!(!help.contains("PINECONE_API_KEY="), "{help}");
    }

    #[test]
    fn long_help_explains_durations_and_the_environment() {
        let help = Cli::command().render_long_help().to_string();
        for needle in [
            "largest first and each at",
            "1h30m",
            "GITHUB_OUTPUT",
            "GITHUB_STEP_SUMMARY",
            "GITHUB_ACTIONS",
            "PINECONE_ADDITIONAL_HEADERS",
            "PINECONE_CONTROLLER_HOST",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "NO_PROXY",
            "HTTP_PROXY are not used",
            "PINECONE_BACKUP_WAIT_DOTENV",
            "TF_BUILD=True",
            "NO_COLOR",
        ] {
            assert!(help.contains(needle), "--help lacks {needle:?}\n{help}");
        }
        let short = Cli::command().render_help().to_string();
        assert!(!short.contains("GITHUB_STEP_SUMMARY"), "{short}");
    }

    #[test]
    fn help_prints_no_logging_command() {
        // The Azure agent reads `##vso[` anywhere in a line, even in --help.
        let help = Cli::command().render_long_help().to_string();
        assert!(!help.contains("##vso") && !help.contains("##["), "{help}");
    }

    #[test]
    fn a_negative_duration_reaches_the_duration_parser() {
        // Regression (issue 8): clap took `-5s` for a flag ("unexpected
        // argument '-5'").
        let err = Cli::parse_args([
            "w",
            "--backup-id",
            "b",
            "--api-key",
            "k",
            "--timeout",
            "-5s",
        ])
        .unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ValueValidation);
        assert!(
            err.to_string().contains("durations cannot be negative"),
            "{err}"
        );
    }

    #[test]
    fn a_refused_command_line_still_names_its_dotenv_file() {
        let args = |list: &[&str]| list.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(
            dotenv_on_refused_line(&args(&["w", "--bogus", "--dotenv", "a.env"])),
            Some(PathBuf::from("a.env"))
        );
        assert_eq!(
            dotenv_on_refused_line(&args(&["w", "--dotenv=a.env", "--dotenv=b.env"])),
            Some(PathBuf::from("b.env"))
        );
        assert_eq!(dotenv_on_refused_line(&args(&["w", "--dotenv"])), None);
        assert_eq!(dotenv_on_refused_line(&args(&["--dotenv", "x"])), None);
        assert_eq!(
            dotenv_on_refused_line(&args(&["w", "--", "--dotenv", "x"])),
            None
        );
    }

    #[test]
    fn status_positions_record_the_flag_typed_last() {
        let parsed = Cli::parse_args([
            "w",
            "--backup-id",
            "b",
            "--api-key",
            "k",
            "--failed-status",
            "X",
            "--ready-status",
            "X",
        ])
        .unwrap();
        let origins = parsed.origins;
        assert!(origins.ready_status_position > origins.failed_status_position);
        let parsed = Cli::parse_args(["w", "--backup-id", "b", "--api-key", "k"]).unwrap();
        assert_eq!(parsed.origins.ready_status_position, None);
        assert_eq!(parsed.origins.failed_status_position, None);
    }

    #[test]
    fn repeated_and_comma_separated_statuses_both_parse() {
        let parsed = Cli::parse_args([
            "w",
            "--backup-id",
            "b",
            "--api-key",
            "k",
            "--ready-status",
            "Ready,Done",
            "--ready-status",
            "Complete",
        ])
        .unwrap();
        let ready = StatusSet::union(&parsed.cli.ready_status);
        assert_eq!(ready.to_string(), "Ready,Done,Complete");
        assert_eq!(parsed.origins.backup_id, Origin::Flag);
        assert_eq!(parsed.origins.api_host, Origin::Default);
    }
}
