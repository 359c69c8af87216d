//! A command line refused before any request (exit 2), as a person and a
//! workflow see it: one summary line, the usage line and the `--help` hint.
//!
//! clap's own rendering cannot be printed as it is: it quotes the values
//! typed, so a value with a newline (`--timeout $'45m\n::error::forged'`)
//! would start a line of ours with `::`, which the GitHub runner executes as
//! a workflow command. Nor can its lines be escaped one by one, since its
//! legitimate line breaks (usage block, lists) and the typed ones look the
//! same. So the summary is rebuilt from the error's kind and context, every
//! value from the command line or the environment quoted with
//! `config::quoted` (one line, control characters escaped, long values cut),
//! and the usage line is rendered from the command definition, which holds
//! no input.

use std::fmt::Write as _;

use clap::CommandFactory;
use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::cli::Cli;
use crate::config::{ConfigError, one_line, quoted};

/// Why the command line was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError {
    /// What is wrong, on one line, every input quoted and escaped: the
    /// `error` output, `--json`, the annotation and the log all show it.
    pub summary: String,
    /// Whether the usage line helps (a syntax error) or not (a bad value
    /// found by the cross-checks).
    show_usage: bool,
}

impl UsageError {
    /// From clap's parse error.
    pub fn from_clap(err: &clap::Error) -> Self {
        UsageError {
            summary: clap_summary(err),
            show_usage: err.kind() != ErrorKind::ValueValidation,
        }
    }

    /// From a broken configuration rule.
    pub fn from_config(err: &ConfigError) -> Self {
        UsageError {
            summary: one_line(&err.to_string()),
            show_usage: false,
        }
    }

    /// The message for the terminal, clap's layout: `error: …`, the usage
    /// line, the help hint. Every line starts with text of ours.
    pub fn render(&self) -> String {
        let mut text = format!("error: {}\n", self.summary);
        if self.show_usage {
            let usage = Cli::command().render_usage().to_string();
            let _ = write!(text, "\n{}\n", one_line(usage.trim()));
        }
        text.push_str("\nFor more information, try '--help'.\n");
        text
    }
}

/// clap's message for `err`, with every value quoted by us and on one line.
fn clap_summary(err: &clap::Error) -> String {
    let string = |kind| match err.get(kind) {
        Some(ContextValue::String(value)) => Some(value.as_str()),
        _ => None,
    };
    let strings = |kind| match err.get(kind) {
        Some(ContextValue::Strings(values)) => values.iter().map(|v| quoted(v)).collect(),
        Some(ContextValue::String(value)) => vec![quoted(value)],
        _ => Vec::new(),
    };
    let arg = string(ContextKind::InvalidArg);
    let value = string(ContextKind::InvalidValue);
    let mut summary = match (err.kind(), arg, value) {
        (ErrorKind::UnknownArgument, Some(arg), _) => {
            format!("unexpected argument {} found", quoted(arg))
        }
        (ErrorKind::InvalidValue, Some(arg), Some("")) => {
            format!(
                "a value is required for {} but none was supplied",
                quoted(arg)
            )
        }
        (ErrorKind::InvalidValue | ErrorKind::ValueValidation, Some(arg), Some(value)) => {
            format!("invalid value {} for {}", quoted(value), quoted(arg))
        }
        (ErrorKind::MissingRequiredArgument, _, _) => format!(
            "the following required arguments were not provided: {}",
            strings(ContextKind::InvalidArg).join(", ")
        ),
        (ErrorKind::ArgumentConflict, Some(arg), _) => {
            let prior = strings(ContextKind::PriorArg);
            if prior.is_empty() {
                format!(
                    "the argument {} cannot be used with the others given",
                    quoted(arg)
                )
            } else {
                format!(
                    "the argument {} cannot be used with {}",
                    quoted(arg),
                    prior.join(", ")
                )
            }
        }
        (ErrorKind::NoEquals, Some(arg), _) => {
            format!(
                "equal sign is needed when assigning values to {}",
                quoted(arg)
            )
        }
        (ErrorKind::TooManyValues, Some(arg), Some(value)) => format!(
            "unexpected value {} for {} found; no more were expected",
            quoted(value),
            quoted(arg)
        ),
        (kind, Some(arg), _) => format!(
            "{} ({})",
            kind.as_str().unwrap_or("invalid usage"),
            quoted(arg)
        ),
        (kind, None, _) => kind.as_str().unwrap_or("invalid usage").to_owned(),
    };
    // The parser's reason (`durations cannot be negative`); ours are already
    // one line, but a library's might not be.
    if let Some(source) = std::error::Error::source(err) {
        let _ = write!(summary, ": {}", one_line(&source.to_string()));
    }
    if let Some(valid) = err
        .get(ContextKind::ValidValue)
        .map(|_| strings(ContextKind::ValidValue))
        && !valid.is_empty()
    {
        let _ = write!(summary, " (possible values: {})", valid.join(", "));
    }
    if let Some(similar) = string(ContextKind::SuggestedArg) {
        let _ = write!(summary, "; a similar argument exists: {}", quoted(similar));
    }
    if let Some(ContextValue::StyledStrs(tips)) = err.get(ContextKind::Suggested) {
        for tip in tips {
            let _ = write!(summary, "; tip: {}", one_line(&tip.to_string()));
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(args: &[&str]) -> UsageError {
        let mut all = vec!["w"];
        all.extend_from_slice(args);
        UsageError::from_clap(&Cli::parse_args(all).unwrap_err())
    }

    #[track_caller]
    fn assert_no_input_starts_a_line(error: &UsageError) {
        let rendered = error.render();
        for line in rendered.lines() {
            assert!(
                line.is_empty()
                    || line.starts_with("error: ")
                    || line.starts_with("Usage: ")
                    || line.starts_with("For more information"),
                "{line:?} in\n{rendered}"
            );
        }
        assert!(!error.summary.chars().any(char::is_control), "{error:?}");
    }

    #[test]
    fn every_kind_of_clap_error_keeps_inputs_inside_one_line() {
        let forged = "x\n::error title=x::forged\r::add-mask::y";
        let flag = format!("--x{forged}");
        let timeout = format!("45m{forged}");
        let multiplier = format!("2{forged}");
        let seed = format!("1{forged}");
        for args in [
            vec!["--backup-id", "b", "--api-key", "k", "--timeout", &timeout],
            vec![
                "--backup-id",
                "b",
                "--api-key",
                "k",
                "--multiplier",
                &multiplier,
            ],
            vec!["--backup-id", "b", "--api-key", "k", "--jitter-seed", &seed],
            vec!["--backup-id", "b", "--api-key", "k", &flag],
            vec!["--backup-id", "b", "--api-key", "k", forged],
            vec!["--backup-id", "b", "--api-key", "k", "--timeout"],
            vec!["--backup-id", "b", "--api-key", "k", "--json=yes"],
            vec!["--api-key", "k"],
        ] {
            assert_no_input_starts_a_line(&refused(&args));
        }
    }

    #[test]
    fn summaries_read_like_claps() {
        assert_eq!(
            refused(&["--backup-id", "b", "--api-key", "k", "--timeout", "-5s"]).summary,
            "invalid value '-5s' for '--timeout <DURATION>': durations cannot be negative"
        );
        assert_eq!(
            refused(&["--api-key", "k"]).summary,
            "the following required arguments were not provided: \
             '<--backup-id <ID>|--create-from-index <INDEX>|--latest-of-index <INDEX>|--restore-job-id <ID>>'"
        );
        let unknown = refused(&["--backup-id", "b", "--api-key", "k", "--timeuot", "1s"]);
        assert_eq!(
            unknown.summary,
            "unexpected argument '--timeuot' found; a similar argument exists: '--timeout'"
        );
        assert_eq!(
            unknown.render(),
            "error: unexpected argument '--timeuot' found; a similar argument exists: '--timeout'\n\n\
             Usage: pinecone-backup-wait [OPTIONS] --api-key <KEY> <--backup-id <ID>|--create-from-index <INDEX>|--latest-of-index <INDEX>|--restore-job-id <ID>>\n\n\
             For more information, try '--help'.\n"
        );
    }

    #[test]
    fn config_errors_are_one_line_without_usage() {
        let err = ConfigError {
            flag: "--api-host",
            message: "bad\nvalue".to_owned(),
            conflicts_with: None,
            requires: None,
        };
        assert_eq!(
            UsageError::from_config(&err).render(),
            "error: invalid value for --api-host: bad\\nvalue\n\nFor more information, try '--help'.\n"
        );
    }
}
