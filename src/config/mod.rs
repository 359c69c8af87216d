//! From flags to a typed, cross-checked `Config`.
//!
//! `Cli` (cli.rs) is a pure parse; `Config::from_cli` applies the rules that
//! involve more than one value or the environment, which it reads only
//! through the `Env` struct passed in, so these checks are tested without
//! touching the process environment. After this point nothing sees a raw
//! string, and nothing sees the API key but the HTTP client.

mod api_key;
mod duration;
mod endpoint;
mod env;
mod headers;
mod multiplier;
mod proxy;
mod quote;
mod restore;

pub mod index_name;
pub use index_name::IndexName;
// The data plane's index hosts follow `--api-host`'s loopback and port rules.
pub(crate) use endpoint::{check_port, is_loopback};

use std::fmt;
use std::time::Duration;

pub use api_key::{ApiKey, ApiKeyError};
pub use duration::{GRAMMAR as DURATION_GRAMMAR, HumanDuration};
pub use endpoint::{BackupId, Endpoint, RestoreJobId, percent_encode};
pub use env::{CaCertPaths, Env, PROXY_VARIABLES};
pub use headers::AdditionalHeaders;
pub use multiplier::{MAX_MULTIPLIER, Multiplier};
pub use proxy::{ProxySetting, ProxyVariables, Proxying, no_proxy_matches};
pub use quote::{escaped, json_kind, one_line, quoted};
pub use restore::{
    DeletionProtection, MAX_TAG_KEY_CHARS, MAX_TAG_VALUE_CHARS, RestoreTags, TAG_RULES,
};

use crate::cli::{Cli, Origin, Origins};
use crate::schedule::Schedule;
use crate::status::{StatusRules, StatusSet};

/// How the backup to wait for is chosen: exactly one way per run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// `--backup-id` (or `PINECONE_BACKUP_ID`): this backup.
    Id(BackupId),
    /// `--create-from-index`: a backup this run creates.
    Create {
        /// The index to back up.
        index: IndexName,
        /// `--backup-name`; `None` means a generated, unique one.
        name: Option<String>,
        /// `--backup-description`.
        description: Option<String>,
    },
    /// `--latest-of-index`: the newest backup (by `created_at`) of the
    /// index that is not in a failed status.
    Latest {
        /// The index whose backups are listed.
        index: IndexName,
        /// `--max-age`: backups created longer ago are ignored.
        max_age: Option<Duration>,
    },
    /// `--restore-job-id`: no backup is selected; the run waits for this
    /// restore job, then its index, then checks the data.
    RestoreJob(RestoreJobId),
}

impl Selection {
    /// The flag that chose this mode, for messages.
    pub fn flag(&self) -> &'static str {
        match self {
            Selection::Id(_) => "--backup-id",
            Selection::Create { .. } => "--create-from-index",
            Selection::Latest { .. } => "--latest-of-index",
            Selection::RestoreJob(_) => "--restore-job-id",
        }
    }
}

/// `--restore-to-index` and what goes with it: the index a run creates
/// from the selected backup once it is ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restore {
    /// The index to create (`--restore-to-index`), validated.
    pub index: IndexName,
    /// `--restore-tags`.
    pub tags: Option<RestoreTags>,
    /// `--restore-deletion-protection`; `None` leaves it to Pinecone.
    pub deletion_protection: Option<DeletionProtection>,
}

/// Everything a run needs, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// How the backup to wait for is chosen.
    pub selection: Selection,
    /// The mode flag that won over a `PINECONE_BACKUP_ID` from the
    /// environment, which is then ignored (said in the start-up log).
    pub ignored_env_backup_id: Option<&'static str>,
    /// The secret; printed only as `(redacted)`.
    pub api_key: ApiKey,
    /// Where to send requests.
    pub endpoint: Endpoint,
    /// The `X-Pinecone-API-Version` header value.
    pub api_version: String,
    /// Extra headers from `PINECONE_ADDITIONAL_HEADERS`.
    pub additional_headers: AdditionalHeaders,
    /// Whether requests go through a proxy, and which.
    pub proxy: Proxying,
    /// The proxy variables, to choose the route to an index's data-plane
    /// host after a restore.
    pub proxy_variables: ProxyVariables,
    /// Overall deadline.
    pub timeout: Duration,
    /// Per-request timeout, before clipping to the time left.
    pub request_timeout: Duration,
    /// The backoff.
    pub schedule: Schedule,
    /// The backoff parameters as given, for the first log line.
    pub intervals: Intervals,
    /// Which statuses end the wait.
    pub statuses: StatusRules,
    /// The restore to start once the backup is ready (`--restore-to-index`).
    pub restore: Option<Restore>,
    /// Whether a restored index's data is checked against the backup's
    /// counts (not `--no-restore-verify`). Only read when the run restores.
    pub restore_verify: bool,
    /// Print the result as JSON on stdout.
    pub json: bool,
    /// A fixed jitter seed, for a repeatable schedule.
    pub jitter_seed: Option<u64>,
    /// Where the sourced values came from, for the first log line.
    pub origins: Origins,
    /// CA certificates to trust besides the bundled roots (`SSL_CERT_FILE`,
    /// `SSL_CERT_DIR`); read by the HTTP client, which reports what it found.
    pub ca_certs: CaCertPaths,
}

/// The backoff parameters as the user gave them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Intervals {
    /// `--initial-interval`.
    pub initial: Duration,
    /// `--max-interval`.
    pub max: Duration,
    /// `--multiplier`.
    pub multiplier: f64,
}

/// A configuration rule that was broken. Looks like clap's errors and leads
/// to exit code 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The flag (or environment variable) at fault.
    pub flag: &'static str,
    /// What is wrong, naming the value received (never the key).
    pub message: String,
    /// The other flag, when the rule broken is that two do not go together.
    pub conflicts_with: Option<String>,
    /// The other flag, when the rule broken is that this one needs it.
    pub requires: Option<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.conflicts_with, &self.requires) {
            (Some(other), _) => write!(
                f,
                "the argument '{}' cannot be used with {other}: {}",
                self.flag, self.message
            ),
            (None, Some(other)) => write!(
                f,
                "the argument '{}' cannot be used without {other}: {}",
                self.flag, self.message
            ),
            (None, None) => write!(f, "invalid value for {}: {}", self.flag, self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

fn invalid(flag: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        flag,
        message: message.into(),
        conflicts_with: None,
        requires: None,
    }
}

/// Two flags that do not go together; `other` is shown as given
/// (`'--backup-id'`, or where its value came from).
fn conflict(flag: &'static str, other: String, message: impl Into<String>) -> ConfigError {
    ConfigError {
        flag,
        message: message.into(),
        conflicts_with: Some(other),
        requires: None,
    }
}

/// A flag given without the one it goes with (`other`, shown as given).
fn requires(flag: &'static str, other: String, message: impl Into<String>) -> ConfigError {
    ConfigError {
        flag,
        message: message.into(),
        conflicts_with: None,
        requires: Some(other),
    }
}

impl Config {
    /// Checks the parsed flags against each other and the environment.
    pub fn from_cli(cli: &Cli, origins: Origins, env: &Env) -> Result<Config, ConfigError> {
        let (selection, ignored_env_backup_id) = selection(cli, origins)?;
        let restore = restore(cli, &selection)?;
        let api_key =
            ApiKey::from_raw(&cli.api_key).map_err(|err| invalid("--api-key", err.to_string()))?;
        let endpoint =
            Endpoint::from_host(&cli.api_host).map_err(|message| invalid("--api-host", message))?;
        let api_version = cli.api_version.trim().to_owned();
        if api_version.is_empty() || !api_version.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid(
                "--api-version",
                format!(
                    "{} is not an API version such as 2025-04",
                    quoted(&cli.api_version)
                ),
            ));
        }
        let additional_headers = match env.additional_headers.as_deref() {
            Some(json) => AdditionalHeaders::from_json(json)
                .map_err(|message| invalid("PINECONE_ADDITIONAL_HEADERS", message))?,
            None => AdditionalHeaders::default(),
        };
        let proxy_variables = ProxyVariables::from_env(env)
            .map_err(|(variable, message)| invalid(variable, message))?;
        let proxy = proxy_variables.route(endpoint.host(), endpoint.is_loopback());

        // Zero is allowed here alone: one check, as `kubectl wait --timeout=0`.
        // A create is not a check: it needs time to finish.
        let timeout = cli.timeout.0;
        if timeout.is_zero() && matches!(selection, Selection::Create { .. }) {
            return Err(conflict(
                "--timeout 0",
                "'--create-from-index'".to_owned(),
                "checking once does not leave a new backup time to finish; \
                 give a deadline such as --timeout 30m",
            ));
        }
        // A restore is several waits (job, index, stats), each of which
        // needs time; one check cannot say anything useful about them.
        if timeout.is_zero() && (restore.is_some() || matches!(selection, Selection::RestoreJob(_)))
        {
            let with = if restore.is_some() {
                "'--restore-to-index'"
            } else {
                "'--restore-job-id'"
            };
            return Err(conflict(
                "--timeout 0",
                with.to_owned(),
                "checking once does not leave a restore time to finish; \
                 give a deadline such as --timeout 3h",
            ));
        }
        let request_timeout = positive("--request-timeout", cli.request_timeout)?;
        let initial = positive("--initial-interval", cli.initial_interval)?;
        let max = positive("--max-interval", cli.max_interval)?;
        if initial > max {
            return Err(invalid(
                "--initial-interval",
                format!(
                    "{} is longer than --max-interval {}",
                    cli.initial_interval, cli.max_interval
                ),
            ));
        }
        // In range by construction (`Multiplier::from_str`).
        let multiplier = cli.multiplier.get();

        let statuses = StatusRules::new(
            StatusSet::union(&cli.ready_status),
            StatusSet::union(&cli.failed_status),
        )
        .map_err(|message| invalid(overlap_flag(origins), message))?;

        Ok(Config {
            selection,
            ignored_env_backup_id,
            api_key,
            endpoint,
            api_version,
            additional_headers,
            proxy,
            proxy_variables,
            timeout,
            request_timeout,
            schedule: Schedule::new(initial, max, multiplier, request_timeout),
            intervals: Intervals {
                initial,
                max,
                multiplier,
            },
            statuses,
            restore,
            restore_verify: !cli.no_restore_verify,
            json: cli.json,
            jitter_seed: cli.jitter_seed,
            origins,
            ca_certs: env.ca_certs.clone(),
        })
    }
}

/// The one way of selecting the backup, from the mode flags and
/// `--backup-id` (flag or environment); and the mode flag that won over
/// `PINECONE_BACKUP_ID`, if one did. Two ways given on the command line are
/// refused, naming both; so is a flag that goes with another mode.
fn selection(
    cli: &Cli,
    origins: Origins,
) -> Result<(Selection, Option<&'static str>), ConfigError> {
    let id_from_flag = cli.backup_id.is_some() && origins.backup_id == Origin::Flag;
    let given: Vec<&'static str> = [
        ("--backup-id", id_from_flag),
        ("--create-from-index", cli.create_from_index.is_some()),
        ("--latest-of-index", cli.latest_of_index.is_some()),
        ("--restore-job-id", cli.restore_job_id.is_some()),
    ]
    .into_iter()
    .filter_map(|(flag, given)| given.then_some(flag))
    .collect();
    if let [first, second, ..] = given[..] {
        return Err(conflict(
            second,
            format!("'{first}'"),
            "give one way of selecting the backup",
        ));
    }
    let index = |flag: &'static str, raw: &str| {
        IndexName::from_raw(raw).map_err(|message| invalid(flag, message))
    };
    let mode = given.first().copied();
    let selection = if let Some(raw) = &cli.create_from_index {
        Selection::Create {
            index: index("--create-from-index", raw)?,
            name: cli
                .backup_name
                .as_deref()
                .map(backup_name)
                .transpose()
                .map_err(|message| invalid("--backup-name", message))?,
            description: cli.backup_description.clone(),
        }
    } else if let Some(raw) = &cli.latest_of_index {
        Selection::Latest {
            index: index("--latest-of-index", raw)?,
            max_age: cli
                .max_age
                .map(|age| positive("--max-age", age))
                .transpose()?,
        }
    } else if let Some(raw) = &cli.restore_job_id {
        Selection::RestoreJob(
            RestoreJobId::from_raw(raw).map_err(|message| invalid("--restore-job-id", message))?,
        )
    } else {
        // clap requires one of the four, so the id is there.
        let raw = cli.backup_id.as_deref().unwrap_or_default();
        let id = BackupId::from_raw(raw).map_err(|message| invalid("--backup-id", message))?;
        Selection::Id(id)
    };
    // What the id mode is called in a message: the flag, or where it came from.
    let selected_by = match (&selection, origins.backup_id) {
        (Selection::Id(_), Origin::Env(name)) => format!("'--backup-id' (from {name})"),
        (other, _) => format!("'{}'", other.flag()),
    };
    let goes_with = |flag: &'static str, given: bool, mode: &'static str| {
        if given && selection.flag() != mode {
            Err(conflict(
                flag,
                selected_by.clone(),
                format!("{flag} goes with {mode}"),
            ))
        } else {
            Ok(())
        }
    };
    goes_with(
        "--backup-name",
        cli.backup_name.is_some(),
        "--create-from-index",
    )?;
    goes_with(
        "--backup-description",
        cli.backup_description.is_some(),
        "--create-from-index",
    )?;
    goes_with("--max-age", cli.max_age.is_some(), "--latest-of-index")?;
    let ignored = match (mode, origins.backup_id) {
        (Some(mode), Origin::Env(_)) if cli.backup_id.is_some() && mode != "--backup-id" => {
            Some(mode)
        }
        _ => None,
    };
    Ok((selection, ignored))
}

/// `--restore-to-index` and the flags that go with it, checked before any
/// request. `--restore-job-id` waits for a restore that exists, so the
/// flags that start one do not go with it; the others need
/// `--restore-to-index` (or, for `--no-restore-verify`, either).
fn restore(cli: &Cli, selection: &Selection) -> Result<Option<Restore>, ConfigError> {
    let starting = [
        ("--restore-to-index", cli.restore_to_index.is_some()),
        ("--restore-tags", cli.restore_tags.is_some()),
        (
            "--restore-deletion-protection",
            cli.restore_deletion_protection.is_some(),
        ),
    ];
    if let Selection::RestoreJob(_) = selection {
        if let Some((flag, _)) = starting.iter().find(|(_, given)| *given) {
            return Err(conflict(
                flag,
                "'--restore-job-id'".to_owned(),
                format!(
                    "{flag} is for a restore this run starts; --restore-job-id waits for one \
                     that exists"
                ),
            ));
        }
        return Ok(None);
    }
    let Some(raw) = &cli.restore_to_index else {
        for (flag, given) in &starting[1..] {
            if *given {
                return Err(requires(
                    flag,
                    "'--restore-to-index'".to_owned(),
                    format!("{flag} is for the index --restore-to-index creates"),
                ));
            }
        }
        if cli.no_restore_verify {
            return Err(requires(
                "--no-restore-verify",
                "'--restore-to-index' or '--restore-job-id'".to_owned(),
                "there is no restored index to check",
            ));
        }
        return Ok(None);
    };
    let index =
        IndexName::from_raw(raw).map_err(|message| invalid("--restore-to-index", message))?;
    let tags = cli
        .restore_tags
        .as_deref()
        .map(str::parse::<RestoreTags>)
        .transpose()
        .map_err(|message| invalid("--restore-tags", message))?;
    let deletion_protection = cli
        .restore_deletion_protection
        .as_deref()
        .map(str::parse::<DeletionProtection>)
        .transpose()
        .map_err(|message| invalid("--restore-deletion-protection", message))?;
    Ok(Some(Restore {
        index,
        tags,
        deletion_protection,
    }))
}

/// A backup name as given: trimmed, not empty, no control characters (it
/// is sent as JSON, but read in logs and on consoles).
fn backup_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("the backup name is empty; leave the flag out for a generated name".to_owned());
    }
    if name.chars().any(char::is_control) {
        return Err(format!("{} contains a control character", quoted(name)));
    }
    Ok(name.to_owned())
}

/// The status flag to blame for a status that is both ready and failed: the
/// one given on the command line, or, when both were, the one given last.
/// (The defaults never overlap, so at least one was given.)
fn overlap_flag(origins: Origins) -> &'static str {
    match (
        origins.ready_status_position,
        origins.failed_status_position,
    ) {
        (Some(ready), Some(failed)) if ready > failed => "--ready-status",
        (Some(_), None) => "--ready-status",
        _ => "--failed-status",
    }
}

fn positive(flag: &'static str, value: HumanDuration) -> Result<Duration, ConfigError> {
    if value.0.is_zero() {
        Err(invalid(flag, format!("{value} must be greater than zero")))
    } else {
        Ok(value.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &[&str]) -> Result<Config, ConfigError> {
        config_with_env(extra, &Env::default())
    }

    fn config_with_env(extra: &[&str], env: &Env) -> Result<Config, ConfigError> {
        let mut args = vec!["w", "--backup-id", "b1", "--api-key", "pcsk_test"];
        args.extend_from_slice(extra);
        let parsed = Cli::parse_args(args).expect("clap accepts the flags");
        Config::from_cli(&parsed.cli, parsed.origins, env)
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let config = config(&["--api-host", "https://api.pinecone.io"]).unwrap();
        assert_eq!(config.timeout, Duration::from_secs(1800));
        assert_eq!(config.request_timeout, Duration::from_secs(30));
        assert_eq!(
            config.intervals,
            Intervals {
                initial: Duration::from_secs(2),
                max: Duration::from_secs(60),
                multiplier: 3.0
            }
        );
        assert_eq!(config.api_version, "2025-04");
        assert_eq!(config.endpoint.base(), "https://api.pinecone.io");
        assert_eq!(
            config.selection,
            Selection::Id(BackupId::from_raw("b1").unwrap())
        );
        assert_eq!(config.statuses.ready().to_string(), "Ready");
        assert_eq!(
            config.statuses.failed().to_string(),
            "Failed,InitializationFailed"
        );
        assert!(!config.json);
    }

    #[test]
    fn zero_durations_are_refused_naming_the_flag() {
        for flag in ["--initial-interval", "--max-interval", "--request-timeout"] {
            let err = config(&[flag, "0s"]).unwrap_err();
            assert_eq!(err.flag, flag);
            assert!(err.message.contains("greater than zero"), "{err}");
        }
    }

    #[test]
    fn a_zero_timeout_is_accepted_as_a_single_check() {
        for zero in ["0", "0s", "0ms"] {
            assert_eq!(
                config(&["--timeout", zero]).unwrap().timeout,
                Duration::ZERO
            );
        }
    }

    #[test]
    fn initial_interval_may_not_exceed_max_interval() {
        let err = config(&["--initial-interval", "2m", "--max-interval", "1m"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid value for --initial-interval: 2m is longer than --max-interval 1m"
        );
        assert!(config(&["--initial-interval", "1m", "--max-interval", "1m"]).is_ok());
    }

    #[test]
    fn multiplier_must_be_between_one_and_a_hundred() {
        // The range is checked as the flag is parsed (`Multiplier`).
        let parse = |value: &str| {
            Cli::parse_args([
                "w",
                "--backup-id",
                "b",
                "--api-key",
                "k",
                "--multiplier",
                value,
            ])
        };
        for bad in ["0.5", "NaN", "inf", "101", "-2"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            config(&["--multiplier", "1"]).unwrap().intervals.multiplier,
            1.0
        );
        assert_eq!(
            config(&["--multiplier", " 1.5 "])
                .unwrap()
                .intervals
                .multiplier,
            1.5
        );
    }

    #[test]
    fn api_key_errors_never_contain_the_key() {
        let parsed =
            Cli::parse_args(["w", "--backup-id", "b", "--api-key", "pcsk_se cret"]).unwrap();
        let err = Config::from_cli(&parsed.cli, parsed.origins, &Env::default()).unwrap_err();
        assert_eq!(err.flag, "--api-key");
        assert!(!err.to_string().contains("se cret"), "{err}");
    }

    #[test]
    fn api_version_must_be_a_header_token() {
        assert!(config(&["--api-version", " "]).is_err());
        assert!(config(&["--api-version", "2025-04\r\nX: y"]).is_err());
        assert_eq!(
            config(&["--api-version", " 2025-10 "]).unwrap().api_version,
            "2025-10"
        );
    }

    #[test]
    fn overlapping_status_sets_are_refused() {
        let err = config(&["--ready-status", "Ready", "--failed-status", "Ready"]).unwrap_err();
        assert!(err.message.contains("both"), "{err}");
    }

    #[test]
    fn an_overlap_names_the_flag_that_was_typed() {
        // Regression (issue 8): `--ready-status Failed` blamed --failed-status.
        for (args, flag) in [
            (&["--ready-status", "Failed"][..], "--ready-status"),
            (
                &["--ready-status", "Done,InitializationFailed"][..],
                "--ready-status",
            ),
            (&["--failed-status", "Ready"][..], "--failed-status"),
            (
                &["--ready-status", "X", "--failed-status", "X"][..],
                "--failed-status",
            ),
            (
                &["--failed-status", "X", "--ready-status", "X"][..],
                "--ready-status",
            ),
        ] {
            let err = config(args).unwrap_err();
            assert_eq!(err.flag, flag, "{args:?}: {err}");
        }
    }

    #[test]
    fn an_unusable_proxy_is_refused_naming_the_variable_but_not_its_password() {
        let env = Env {
            proxies: vec![("HTTPS_PROXY", "http://me:hunter2@proxy:99999".to_owned())],
            ..Env::default()
        };
        let err = config_with_env(&[], &env).unwrap_err();
        assert_eq!(err.flag, "HTTPS_PROXY");
        assert!(err.message.contains("http://***@proxy:99999"), "{err}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn values_quoted_in_errors_stay_on_one_line() {
        for args in [
            &["--api-host", "https://h:1\n::error::x"][..],
            &["--api-host", "ftp://h\n::add-mask::x"][..],
            &["--api-version", "2025\n::error::x"][..],
            &["--backup-id", "\n"][..],
        ] {
            let err = config(args).unwrap_err().to_string();
            assert!(!err.chars().any(char::is_control), "{args:?}: {err:?}");
        }
    }

    /// A configuration from `args` alone (no `--backup-id` added).
    fn bare(args: &[&str]) -> Result<Config, ConfigError> {
        let mut all = vec!["w", "--api-key", "pcsk_test"];
        all.extend_from_slice(args);
        let parsed = Cli::parse_args(all).expect("clap accepts the flags");
        Config::from_cli(&parsed.cli, parsed.origins, &Env::default())
    }

    #[test]
    fn each_mode_selects_the_backup_its_own_way() {
        let create = bare(&[
            "--create-from-index",
            "prod",
            "--backup-name",
            " nightly ",
            "--backup-description",
            "before deploy",
        ])
        .unwrap();
        assert_eq!(
            create.selection,
            Selection::Create {
                index: IndexName::from_raw("prod").unwrap(),
                name: Some("nightly".to_owned()),
                description: Some("before deploy".to_owned()),
            }
        );
        let latest = bare(&["--latest-of-index", "prod", "--max-age", "24h"]).unwrap();
        assert_eq!(
            latest.selection,
            Selection::Latest {
                index: IndexName::from_raw("prod").unwrap(),
                max_age: Some(Duration::from_secs(24 * 3600)),
            }
        );
        assert_eq!(latest.ignored_env_backup_id, None);
    }

    #[test]
    fn two_modes_are_refused_naming_both_flags() {
        for (args, message) in [
            (
                &["--backup-id", "b", "--create-from-index", "prod"][..],
                "the argument '--create-from-index' cannot be used with '--backup-id'",
            ),
            (
                &["--latest-of-index", "prod", "--backup-id", "b"][..],
                "the argument '--latest-of-index' cannot be used with '--backup-id'",
            ),
            (
                &["--create-from-index", "a", "--latest-of-index", "b"][..],
                "the argument '--latest-of-index' cannot be used with '--create-from-index'",
            ),
        ] {
            let err = bare(args).unwrap_err().to_string();
            assert!(err.starts_with(message), "{args:?}: {err}");
        }
    }

    #[test]
    fn a_flag_of_another_mode_is_refused_naming_both_flags() {
        for (args, message) in [
            (
                &["--backup-id", "b", "--max-age", "1h"][..],
                "the argument '--max-age' cannot be used with '--backup-id': --max-age goes with --latest-of-index",
            ),
            (
                &["--create-from-index", "prod", "--max-age", "1h"][..],
                "the argument '--max-age' cannot be used with '--create-from-index'",
            ),
            (
                &["--latest-of-index", "prod", "--backup-name", "x"][..],
                "the argument '--backup-name' cannot be used with '--latest-of-index': --backup-name goes with --create-from-index",
            ),
            (
                &["--backup-id", "b", "--backup-description", "x"][..],
                "the argument '--backup-description' cannot be used with '--backup-id'",
            ),
            (
                &["--create-from-index", "prod", "--timeout", "0"][..],
                "the argument '--timeout 0' cannot be used with '--create-from-index'",
            ),
        ] {
            let err = bare(args).unwrap_err().to_string();
            assert!(err.starts_with(message), "{args:?}: {err}");
        }
        assert!(bare(&["--latest-of-index", "prod", "--timeout", "0"]).is_ok());
    }

    #[test]
    fn a_mode_flag_wins_over_the_backup_id_from_the_environment() {
        let args = ["w", "--api-key", "k", "--latest-of-index", "prod"];
        let mut parsed = Cli::parse_args(args).unwrap();
        // As clap fills it when PINECONE_BACKUP_ID is set.
        parsed.cli.backup_id = Some("from-env".to_owned());
        parsed.origins.backup_id = Origin::Env("PINECONE_BACKUP_ID");
        let config = Config::from_cli(&parsed.cli, parsed.origins, &Env::default()).unwrap();
        assert!(matches!(config.selection, Selection::Latest { .. }));
        assert_eq!(config.ignored_env_backup_id, Some("--latest-of-index"));
        // Without a mode flag, the environment's id is the selection, and a
        // flag of another mode names where the id came from.
        let mut parsed =
            Cli::parse_args(["w", "--api-key", "k", "--backup-id", "x", "--max-age", "1h"])
                .unwrap();
        parsed.cli.backup_id = Some("from-env".to_owned());
        parsed.origins.backup_id = Origin::Env("PINECONE_BACKUP_ID");
        let err = Config::from_cli(&parsed.cli, parsed.origins, &Env::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "the argument '--max-age' cannot be used with '--backup-id' (from PINECONE_BACKUP_ID)"
            ),
            "{err}"
        );
    }

    #[test]
    fn index_names_and_backup_names_are_checked_before_any_request() {
        let err = bare(&["--create-from-index", "Prod_1"]).unwrap_err();
        assert_eq!(err.flag, "--create-from-index");
        let err = bare(&["--latest-of-index", "x-"]).unwrap_err();
        assert_eq!(err.flag, "--latest-of-index");
        let err = bare(&["--create-from-index", "p", "--backup-name", " "]).unwrap_err();
        assert_eq!(err.flag, "--backup-name");
        let err = bare(&["--create-from-index", "p", "--backup-name", "a\nb"]).unwrap_err();
        assert_eq!(err.flag, "--backup-name");
        let err = bare(&["--latest-of-index", "p", "--max-age", "0"]).unwrap_err();
        assert_eq!(err.flag, "--max-age");
    }

    #[test]
    fn a_restore_follows_any_backup_mode_with_its_options_checked() {
        for mode in [
            &["--backup-id", "b"][..],
            &["--create-from-index", "prod"][..],
            &["--latest-of-index", "prod"][..],
        ] {
            let mut args = mode.to_vec();
            args.extend([
                "--restore-to-index",
                " drill-1 ",
                "--restore-tags",
                r#"{"purpose":"restore-drill"}"#,
                "--restore-deletion-protection",
                "disabled",
            ]);
            let config = bare(&args).unwrap();
            let restore = config.restore.unwrap();
            assert_eq!(restore.index.as_str(), "drill-1");
            assert_eq!(
                restore.tags.unwrap().iter().collect::<Vec<_>>(),
                vec![("purpose", "restore-drill")]
            );
            assert_eq!(
                restore.deletion_protection,
                Some(DeletionProtection::Disabled)
            );
            assert!(config.restore_verify);
        }
        let config = bare(&[
            "--backup-id",
            "b",
            "--restore-to-index",
            "d",
            "--no-restore-verify",
        ])
        .unwrap();
        assert!(!config.restore_verify);
        assert!(bare(&["--backup-id", "b"]).unwrap().restore.is_none());
    }

    #[test]
    fn restore_values_are_checked_before_any_request_naming_the_flag() {
        for (args, flag) in [
            (&["--restore-to-index", "Drill_1"][..], "--restore-to-index"),
            (&["--restore-to-index", "drill-"][..], "--restore-to-index"),
            (
                &["--restore-to-index", &"a".repeat(46)][..],
                "--restore-to-index",
            ),
            (
                &["--restore-to-index", "d", "--restore-tags", "[1]"][..],
                "--restore-tags",
            ),
            (
                &["--restore-to-index", "d", "--restore-tags", r#"{"a":1}"#][..],
                "--restore-tags",
            ),
            (
                &[
                    "--restore-to-index",
                    "d",
                    "--restore-deletion-protection",
                    "on",
                ][..],
                "--restore-deletion-protection",
            ),
            (&["--restore-job-id", " "][..], "--restore-job-id"),
            (&["--restore-job-id", ".."][..], "--restore-job-id"),
        ] {
            let mut all = vec!["--backup-id", "b"];
            if args[0] == "--restore-job-id" {
                all.clear();
            }
            all.extend_from_slice(args);
            let err = bare(&all).unwrap_err();
            assert_eq!(err.flag, flag, "{args:?}: {err}");
            assert!(!err.to_string().contains('\n'), "{err}");
        }
    }

    #[test]
    fn a_restore_flag_without_its_mode_is_refused_naming_both() {
        for (args, message) in [
            (
                &["--backup-id", "b", "--restore-tags", "{}"][..],
                "the argument '--restore-tags' cannot be used without '--restore-to-index'",
            ),
            (
                &[
                    "--latest-of-index",
                    "p",
                    "--restore-deletion-protection",
                    "enabled",
                ][..],
                "the argument '--restore-deletion-protection' cannot be used without '--restore-to-index'",
            ),
            (
                &["--create-from-index", "p", "--no-restore-verify"][..],
                "the argument '--no-restore-verify' cannot be used without '--restore-to-index' or '--restore-job-id'",
            ),
            (
                &["--restore-job-id", "j", "--backup-id", "b"][..],
                "the argument '--restore-job-id' cannot be used with '--backup-id'",
            ),
            (
                &["--create-from-index", "p", "--restore-job-id", "j"][..],
                "the argument '--restore-job-id' cannot be used with '--create-from-index'",
            ),
            (
                &["--latest-of-index", "p", "--restore-job-id", "j"][..],
                "the argument '--restore-job-id' cannot be used with '--latest-of-index'",
            ),
            (
                &["--restore-job-id", "j", "--restore-to-index", "d"][..],
                "the argument '--restore-to-index' cannot be used with '--restore-job-id'",
            ),
            (
                &["--restore-job-id", "j", "--restore-tags", "{}"][..],
                "the argument '--restore-tags' cannot be used with '--restore-job-id'",
            ),
            (
                &["--restore-job-id", "j", "--max-age", "1h"][..],
                "the argument '--max-age' cannot be used with '--restore-job-id'",
            ),
            (
                &["--restore-job-id", "j", "--backup-name", "x"][..],
                "the argument '--backup-name' cannot be used with '--restore-job-id'",
            ),
            (
                &[
                    "--backup-id",
                    "b",
                    "--restore-to-index",
                    "d",
                    "--timeout",
                    "0",
                ][..],
                "the argument '--timeout 0' cannot be used with '--restore-to-index'",
            ),
            (
                &["--restore-job-id", "j", "--timeout", "0s"][..],
                "the argument '--timeout 0' cannot be used with '--restore-job-id'",
            ),
        ] {
            let err = bare(args).unwrap_err().to_string();
            assert!(err.starts_with(message), "{args:?}: {err}");
        }
        let config = bare(&["--restore-job-id", " job-1 ", "--no-restore-verify"]).unwrap();
        assert_eq!(
            config.selection,
            Selection::RestoreJob(RestoreJobId::from_raw("job-1").unwrap())
        );
        assert!(config.restore.is_none());
        assert!(!config.restore_verify);
    }

    #[test]
    fn the_restore_job_mode_wins_over_the_backup_id_from_the_environment() {
        let mut parsed = Cli::parse_args(["w", "--api-key", "k", "--restore-job-id", "j"]).unwrap();
        parsed.cli.backup_id = Some("from-env".to_owned());
        parsed.origins.backup_id = Origin::Env("PINECONE_BACKUP_ID");
        let config = Config::from_cli(&parsed.cli, parsed.origins, &Env::default()).unwrap();
        assert!(matches!(config.selection, Selection::RestoreJob(_)));
        assert_eq!(config.ignored_env_backup_id, Some("--restore-job-id"));
    }

    #[test]
    fn additional_headers_come_from_the_environment_struct() {
        let env = Env {
            additional_headers: Some(r#"{"X-Gateway": "team-a"}"#.to_owned()),
            ..Env::default()
        };
        let config = config_with_env(&[], &env).unwrap();
        assert_eq!(config.additional_headers.names(), vec!["X-Gateway"]);
        let env = Env {
            additional_headers: Some(r#"{"api-key": "other"}"#.to_owned()),
            ..Env::default()
        };
        let err = config_with_env(&[], &env).unwrap_err();
        assert_eq!(err.flag, "PINECONE_ADDITIONAL_HEADERS");
    }
}
