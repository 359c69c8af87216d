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

// --- restore (issue 10): added apart from the list above, for the merge ---
pub mod index_name;
pub use index_name::IndexName;
// The data plane's index hosts follow `--api-host`'s loopback and port rules.
pub(crate) use endpoint::{check_port, is_loopback};
// --- end restore ---

use std::fmt;
use std::time::Duration;

pub use api_key::{ApiKey, ApiKeyError};
pub use duration::{GRAMMAR as DURATION_GRAMMAR, HumanDuration};
pub use endpoint::{BackupId, Endpoint};
pub use env::{CaCertPaths, Env, PROXY_VARIABLES};
pub use headers::AdditionalHeaders;
pub use multiplier::{MAX_MULTIPLIER, Multiplier};
pub use proxy::{ProxySetting, Proxying, no_proxy_matches};
pub use quote::{escaped, one_line, quoted};

use crate::cli::{Cli, Origins};
use crate::schedule::Schedule;
use crate::status::{StatusRules, StatusSet};

/// Everything a run needs, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// The backup to wait for.
    pub backup_id: BackupId,
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
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid value for {}: {}", self.flag, self.message)
    }
}

impl std::error::Error for ConfigError {}

fn invalid(flag: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        flag,
        message: message.into(),
    }
}

impl Config {
    /// Checks the parsed flags against each other and the environment.
    pub fn from_cli(cli: &Cli, origins: Origins, env: &Env) -> Result<Config, ConfigError> {
        let backup_id = BackupId::from_raw(&cli.backup_id)
            .map_err(|message| invalid("--backup-id", message))?;
        let api_key =
            ApiKey::from_raw(&cli.api_key).map_err(|err| invalid("--api-key", err.to_string()))?;
        let endpoint = Endpoint::from_host(&cli.api_host, &backup_id)
            .map_err(|message| invalid("--api-host", message))?;
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
        let proxy = Proxying::from_env(env, &endpoint)
            .map_err(|(variable, message)| invalid(variable, message))?;

        // Zero is allowed here alone: one check, as `kubectl wait --timeout=0`.
        let timeout = cli.timeout.0;
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
            backup_id,
            api_key,
            endpoint,
            api_version,
            additional_headers,
            proxy,
            timeout,
            request_timeout,
            schedule: Schedule::new(initial, max, multiplier, request_timeout),
            intervals: Intervals {
                initial,
                max,
                multiplier,
            },
            statuses,
            json: cli.json,
            jitter_seed: cli.jitter_seed,
            origins,
            ca_certs: env.ca_certs.clone(),
        })
    }
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
        assert_eq!(config.endpoint.url(), "https://api.pinecone.io/backups/b1");
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
