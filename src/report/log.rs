//! The human log on stderr, plus the GitHub workflow commands that belong
//! with it (mask, group, warning, final annotation). stdout stays clean for
//! `--json`.
//!
//! Every string that came from the API or the user goes through
//! `escape::log_text` (plain lines) or `escape::command_data` (inside a
//! workflow command) before it is printed.

use std::io::Write;

use super::Report;
use super::escape::{command_data, command_property, log_text};
use crate::cli::Origin;
use crate::config::{Config, HumanDuration};
use crate::outcome::Outcome;
use crate::poller::{Attempt, Observer};
use crate::schedule::{GiveUp, Next};

/// Writes the log to `out` (stderr in production).
pub struct Log<W: Write> {
    out: W,
    github_actions: bool,
    group_open: bool,
}

impl<W: Write> Log<W> {
    /// A log; `github_actions` turns on workflow commands.
    pub fn new(out: W, github_actions: bool) -> Self {
        Log {
            out,
            github_actions,
            group_open: false,
        }
    }

    /// Consumes the log, returning the writer (for tests).
    pub fn into_inner(self) -> W {
        self.out
    }

    // Write errors are ignored: a closed stderr must not change the result.
    fn line(&mut self, text: &str) {
        let _ = writeln!(self.out, "{text}");
    }

    /// Masks the key, opens the log group and says what is about to happen.
    pub fn start(&mut self, config: &Config) {
        if self.github_actions {
            // First, before anything else is printed.
            let mask = format!("::add-mask::{}", command_data(config.api_key.expose()));
            self.line(&mask);
            let group = format!(
                "::group::Waiting for Pinecone backup {}",
                command_data(config.backup_id.as_str())
            );
            self.line(&group);
            self.group_open = true;
        }
        let how_long = if config.timeout.is_zero() {
            "checking once (--timeout 0) on".to_owned()
        } else {
            format!("waiting up to {} for", HumanDuration(config.timeout))
        };
        let intro = format!(
            "pinecone-backup-wait {}: {how_long} backup {} at {} (API version {})",
            env!("CARGO_PKG_VERSION"),
            log_text(config.backup_id.as_str()),
            log_text(config.endpoint.base()),
            log_text(&config.api_version),
        );
        self.line(&intro);
        let origins = config.origins;
        let mut sources = format!(
            "  backup id {}, API key {}, host {}, API version {}",
            origin_text(origins.backup_id),
            origin_text(origins.api_key),
            origin_text(origins.api_host),
            origin_text(origins.api_version),
        );
        let extra = config.additional_headers.names();
        if !extra.is_empty() {
            sources.push_str(&format!(
                "; extra headers from PINECONE_ADDITIONAL_HEADERS: {}",
                extra.join(", ")
            ));
        }
        self.line(&sources);
        let intervals = config.intervals;
        let schedule = format!(
            "  checks every {}..{} (x{} backoff, jittered), request timeout {}; ready: {}; failed: {}",
            HumanDuration(intervals.initial),
            HumanDuration(intervals.max),
            intervals.multiplier,
            HumanDuration(config.request_timeout),
            log_text(&config.statuses.ready().to_string()),
            log_text(&config.statuses.failed().to_string()),
        );
        self.line(&schedule);
    }

    /// Reports a run refused before any request (usage or configuration),
    /// with clap's message as it is formatted for a terminal.
    pub fn invalid(&mut self, message: &str) {
        for line in message.trim_end().lines() {
            self.line(&log_text(line));
        }
    }

    /// Closes the group and prints the verdict (and its annotation).
    pub fn finish(&mut self, report: &Report) {
        if self.group_open {
            self.line("::endgroup::");
            self.group_open = false;
        }
        let verdict = verdict(report);
        if self.github_actions {
            let (command, title) = match report.outcome {
                Outcome::Ready => ("notice", "Pinecone backup ready"),
                Outcome::Cancelled => ("warning", "Pinecone backup wait cancelled"),
                Outcome::Invalid => ("error", "pinecone-backup-wait: invalid usage"),
                _ => ("error", "Pinecone backup not ready"),
            };
            let annotation = format!(
                "::{command} title={}::{}",
                command_property(title),
                command_data(&verdict)
            );
            self.line(&annotation);
        }
        let line = format!("{}: {}", report.outcome.label(), log_text(&verdict));
        self.line(&line);
    }

    /// A warning that is not about one attempt.
    pub fn warning(&mut self, message: &str) {
        if self.github_actions {
            let annotation = format!("::warning::{}", command_data(message));
            self.line(&annotation);
        } else {
            let line = format!("warning: {}", log_text(message));
            self.line(&line);
        }
    }
}

impl<W: Write> Observer for Log<W> {
    fn attempt(&mut self, attempt: &Attempt<'_>) {
        let what = match attempt.result {
            Ok(backup) => format!("status {}", log_text(backup.status().trim())),
            Err(err) => log_text(&err.to_string()),
        };
        let next = match attempt.next {
            None => String::new(),
            Some(Next::RetryIn(delay)) => format!("; next check in {}", HumanDuration(delay)),
            Some(Next::GiveUp(GiveUp::SingleCheck)) => "; the single check is done".to_owned(),
            Some(Next::GiveUp(_)) => "; no time left for another check".to_owned(),
        };
        let line = format!(
            "[{:>7}] attempt {}: {what}{next}",
            HumanDuration(attempt.elapsed).to_string(),
            attempt.number
        );
        self.line(&line);
    }

    fn unknown_status(&mut self, status: &str) {
        self.warning(&format!(
            "backup status '{status}' is neither a ready nor a failed status; \
             still waiting (set --ready-status or --failed-status if it should end the wait)"
        ));
    }

    fn unknown_statuses_capped(&mut self, limit: usize) {
        self.warning(&format!(
            "{limit} different unknown statuses so far; further unknown statuses are not \
             reported individually (still waiting)"
        ));
    }
}

fn origin_text(origin: Origin) -> String {
    match origin {
        Origin::Flag => "from its flag".to_owned(),
        Origin::Env(name) => format!("from {name}"),
        Origin::Default => "default".to_owned(),
    }
}

/// One sentence about the end of the run.
fn verdict(report: &Report) -> String {
    let id = report
        .backup
        .as_ref()
        .and_then(|b| b.text("backup_id"))
        .or(report.backup_id.as_deref())
        .unwrap_or("?");
    let index = report
        .backup
        .as_ref()
        .and_then(|b| b.text("source_index_name"))
        .map(|name| format!(" (index {name})"))
        .unwrap_or_default();
    let attempts = report.attempts;
    let tally = format!(
        "{attempts} attempt{} in {}",
        if attempts == 1 { "" } else { "s" },
        HumanDuration(report.elapsed)
    );
    match (report.outcome, &report.error) {
        (Outcome::Ready, _) => format!(
            "backup {id}{index} is {} after {tally}",
            report.status().unwrap_or("ready")
        ),
        (Outcome::Invalid, Some(error)) => error.clone(),
        (_, Some(error)) => format!("backup {id}{index}: {error} ({tally})"),
        (outcome, None) => format!("backup {id}{index}: {outcome} ({tally})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ApiError, Backup};
    use serde_json::json;
    use std::time::Duration;

    fn text(log: Log<Vec<u8>>) -> String {
        String::from_utf8(log.into_inner()).unwrap()
    }

    #[test]
    fn attempt_lines_escape_api_strings() {
        let mut log = Log::new(Vec::new(), true);
        let backup = Backup::from_value(json!({"status": "Pending\n::error::pwned"})).unwrap();
        log.attempt(&Attempt {
            number: 2,
            elapsed: Duration::from_millis(2_100),
            result: Ok(&backup),
            next: Some(Next::RetryIn(Duration::from_secs(3))),
        });
        let err = ApiError::transient("HTTP 503: ##[add-mask]x");
        log.attempt(&Attempt {
            number: 3,
            elapsed: Duration::from_secs(5),
            result: Err(&err),
            next: Some(Next::GiveUp(crate::schedule::GiveUp::DeadlinePassed)),
        });
        assert_eq!(
            text(log),
            "[   2.1s] attempt 2: status Pending\\n::error::pwned; next check in 3s\n\
             [     5s] attempt 3: HTTP 503: ##\\[add-mask]x; no time left for another check\n"
        );
    }

    #[test]
    fn finish_under_actions_closes_the_group_and_annotates_safely() {
        let mut log = Log::new(Vec::new(), true);
        log.group_open = true;
        let report = Report {
            outcome: Outcome::Failed,
            backup_id: Some("b1".into()),
            backup: Some(
                Backup::from_value(json!({"status": "Failed", "source_index_name": "i\n::x::"}))
                    .unwrap(),
            ),
            attempts: 1,
            elapsed: Duration::from_millis(300),
            error: Some("backup status is Failed, a failed status".into()),
        };
        log.finish(&report);
        let out = text(log);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "::endgroup::");
        assert_eq!(
            lines[1],
            "::error title=Pinecone backup not ready::backup b1 (index i%0A::x::): backup status \
             is Failed, a failed status (1 attempt in 300ms)"
        );
        assert_eq!(
            lines[2],
            "failed: backup b1 (index i\\n::x::): backup status is Failed, a failed status (1 attempt in 300ms)"
        );
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn outside_actions_there_are_no_workflow_commands() {
        let mut log = Log::new(Vec::new(), false);
        log.unknown_status("Archiving");
        log.finish(&Report::invalid("error: bad".into()));
        let out = text(log);
        assert!(!out.contains("::"), "{out}");
        assert!(out.starts_with("warning: backup status 'Archiving'"));
    }
}
