//! The command line: flags, environment fallbacks and help text. No logic.
//!
//! Conventions: long flags only; every flag a workflow may want from a secret
//! or variable has an environment fallback named as in the Pinecone SDKs
//! (`PINECONE_*`); durations take `500ms`, `2s`, `10m`, `1h30m` or bare
//! seconds; status lists are repeatable or comma-separated. Cross-field rules
//! (initial <= max interval, https unless loopback) live in `config.rs`.

use std::ffi::OsString;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser};

use crate::config::HumanDuration;
use crate::status::StatusSet;

/// Wait for a Pinecone backup to become Ready, with a hard deadline.
///
/// Polls GET {api-host}/backups/{backup-id} with jittered exponential backoff
/// until the backup's status is a ready status (exit 0), a failed status
/// (exit 1) or the timeout passes (exit 3). Other exit codes: 2 invalid
/// usage, 4 backup not found, 5 API key rejected, 6 other error, 130
/// cancelled. Under GitHub Actions every field of the backup is written as a
/// step output, with a job summary.
#[derive(Debug, Clone, Parser)]
#[command(name = "pinecone-backup-wait", version, about, long_about)]
// The last occurrence of a flag wins, so a wrapper can set defaults that a
// user overrides (the way `curl` and `git` treat repeated options).
#[command(args_override_self = true)]
pub struct Cli {
    /// ID of the backup to wait for.
    #[arg(long, env = "PINECONE_BACKUP_ID", value_name = "ID")]
    pub backup_id: String,

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

    /// Overall deadline. The process exits within a second of it, whatever
    /// the server does.
    #[arg(long, value_name = "DURATION", default_value = "30m")]
    pub timeout: HumanDuration,

    /// Delay after the first check, and the floor of every later delay.
    #[arg(long, value_name = "DURATION", default_value = "2s")]
    pub initial_interval: HumanDuration,

    /// Ceiling of the delay between checks.
    #[arg(long, value_name = "DURATION", default_value = "60s")]
    pub max_interval: HumanDuration,

    /// Growth factor of the delay ceiling per check (at least 1).
    #[arg(long, value_name = "FACTOR", default_value = "3")]
    pub multiplier: f64,

    /// Timeout of each HTTP request, clipped to the time left.
    #[arg(long, value_name = "DURATION", default_value = "30s")]
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

    /// Seed the jitter so the schedule repeats exactly (benchmarks,
    /// debugging). By default the seed comes from the operating system.
    #[arg(long, value_name = "N")]
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
        };
        Ok(Parsed { cli, origins })
    }
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
