//! The human log on stderr, plus the GitHub workflow commands that belong
//! with it (mask, group, warning, final annotation) and, under Azure
//! Pipelines, the agent's logging commands (setsecret, output variables,
//! issues). stdout stays clean for `--json`.
//!
//! Every string that came from the API or the user is scrubbed of the API
//! key, cut to a readable length (server strings), and goes through
//! `escape::log_text` (plain lines) or `escape::command_data` (inside a
//! workflow command) before it is printed; the escaped line is scrubbed
//! once more, in case an escape completed the key. Under Azure every line
//! but our own logging commands also goes through `azure::neutralize`, since
//! the agent finds `##vso[` anywhere in a line.
//!
//! Plain logs (no GitHub, no Azure, no terminal) start each human line with
//! the UTC time; the clock is a parameter so tests fix it.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use super::azure::{self, IssueType};
use super::colour::{Paint, paint};
use super::dotenv::Variables;
use super::escape::{
    MAX_MESSAGE_CHARS, MAX_SERVER_CHARS, command_data, command_property, cut, log_text,
};
use super::redact::{MARK, Redactor};
use super::{Report, timeline};
use crate::api::Backup;
use crate::cli::Origin;
use crate::config::{Config, HumanDuration, Selection};
use crate::outcome::Outcome;
use crate::schedule::{GiveUp, Next};
use crate::stages::{Selected, SelectedBy, Stage, StageObserver};
use crate::timestamp::age;
use crate::usage::UsageError;
use crate::wait::{Attempt, Observer, Part, Shown};

/// Writes the log to `out` (stderr in production).
pub struct Log<W: Write> {
    out: W,
    github_actions: bool,
    azure: bool,
    wall_clock: Option<fn() -> SystemTime>,
    colour: bool,
    group_open: bool,
    redactor: Redactor,
    /// The stage last entered, so that a warning names what it is about.
    stage: Option<Stage>,
}

impl<W: Write> Log<W> {
    /// A log; `github_actions` turns on workflow commands.
    pub fn new(out: W, github_actions: bool) -> Self {
        Log {
            out,
            github_actions,
            azure: false,
            wall_clock: None,
            colour: false,
            group_open: false,
            redactor: Redactor::default(),
            stage: None,
        }
    }

    /// Under Azure Pipelines (`TF_BUILD=True`): logging commands, and no
    /// line that can carry one.
    pub fn azure(mut self, azure: bool) -> Self {
        self.azure = azure;
        self
    }

    /// Starts every human line with the UTC time `clock` gives (`18:04:05`),
    /// for plain logs; never a workflow or logging command.
    pub fn timestamps(mut self, clock: fn() -> SystemTime) -> Self {
        self.wall_clock = Some(clock);
        self
    }

    /// Colours the verdict and warnings (a terminal without `NO_COLOR`).
    pub fn colour(mut self, colour: bool) -> Self {
        self.colour = colour;
        self
    }

    /// Consumes the log, returning the writer (for tests).
    pub fn into_inner(self) -> W {
        self.out
    }

    /// The scrubber every sink uses: it knows the key once `start` ran.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    // Write errors are ignored: a closed stderr must not change the result.
    // The last scrub catches a key that an escape (`\n`, `%0A`, `#\#vso`)
    // completed.
    fn write(&mut self, text: &str) {
        let text = self.redactor.replace(text, MARK);
        let _ = writeln!(self.out, "{text}");
    }

    /// A line for people: stamped in plain logs, neutralised under Azure.
    fn line(&mut self, text: &str) {
        let mut text = self.neutral(text);
        if let Some(clock) = self.wall_clock
            && !text.is_empty()
        {
            text = format!("{} {text}", utc_time_of_day(clock()));
        }
        self.write(&text);
    }

    /// A GitHub workflow command: never stamped; neutralised under Azure
    /// like any other line.
    fn command(&mut self, text: &str) {
        let text = self.neutral(text);
        self.write(&text);
    }

    /// One of our Azure logging commands, whose values `azure` escaped.
    fn vso(&mut self, text: &str) {
        self.write(text);
    }

    fn neutral(&self, text: &str) -> String {
        if self.azure {
            azure::neutralize(text)
        } else {
            text.to_owned()
        }
    }

    /// Text for a plain log line: scrubbed, cut to `max_chars`, escaped.
    fn plain(&self, text: &str, max_chars: usize) -> String {
        log_text(&cut(&self.redactor.text(text), max_chars))
    }

    /// A server string (status, id, name) for a plain log line.
    fn server(&self, text: &str) -> String {
        self.plain(text, MAX_SERVER_CHARS)
    }

    /// A `Shown` line: our words escaped, each server string scrubbed, cut
    /// and escaped on its own.
    fn shown(&self, shown: &Shown<'_>) -> String {
        shown
            .0
            .iter()
            .map(|part| match part {
                Part::Ours(text) => self.plain(text, usize::MAX),
                Part::Server(text) => self.server(text),
            })
            .collect()
    }

    /// Masks the key, opens the log group and says what is about to happen.
    pub fn start(&mut self, config: &Config) {
        // First, before anything else is printed, and the only places the
        // key is printed: `write` would scrub it, so these go out directly.
        if self.github_actions {
            let mask = format!("::add-mask::{}", command_data(config.api_key.expose()));
            let _ = writeln!(self.out, "{mask}");
        }
        if self.azure {
            let _ = writeln!(self.out, "{}", azure::setsecret(config.api_key.expose()));
        }
        self.redactor = Redactor::new(&config.api_key);
        let id = |id: &crate::config::BackupId| self.redactor.text(id.as_str()).into_owned();
        let job_id =
            |id: &crate::config::RestoreJobId| self.redactor.text(id.as_str()).into_owned();
        if self.github_actions {
            let title = match &config.selection {
                Selection::Id(backup_id) => {
                    format!("Waiting for Pinecone backup {}", id(backup_id))
                }
                Selection::Create { index, .. } => {
                    format!("Creating a Pinecone backup of index {index} and waiting for it")
                }
                Selection::Latest { index, .. } => {
                    format!("Waiting for the latest Pinecone backup of index {index}")
                }
                Selection::RestoreJob(job) => {
                    format!("Waiting for Pinecone restore job {}", job_id(job))
                }
            };
            let title = match &config.restore {
                Some(restore) if !matches!(config.selection, Selection::RestoreJob(_)) => {
                    format!("{title}, then restoring it into index {}", restore.index)
                }
                _ => title,
            };
            let group = format!("::group::{}", command_data(&self.redactor.text(&title)));
            self.command(&group);
            self.group_open = true;
        }
        let how_long = if config.timeout.is_zero() {
            "checking once (--timeout 0) on".to_owned()
        } else {
            format!("waiting up to {} for", HumanDuration(config.timeout))
        };
        let what = match &config.selection {
            Selection::Id(backup_id) => {
                format!("backup {}", self.plain(backup_id.as_str(), usize::MAX))
            }
            Selection::Create { index, .. } => {
                format!("a new backup of index {index}, created by this run,")
            }
            Selection::Latest {
                index,
                max_age: Some(max_age),
            } => format!(
                "the latest backup of index {index} (created at most {} ago)",
                HumanDuration(*max_age)
            ),
            Selection::Latest { index, .. } => format!("the latest backup of index {index}"),
            Selection::RestoreJob(job) => format!(
                "restore job {}, its index and its data,",
                self.plain(job.as_str(), usize::MAX)
            ),
        };
        let what = match &config.restore {
            Some(restore) => format!(
                "{}, then a restore of it into index {}{}",
                what.trim_end_matches(','),
                restore.index,
                if config.restore_verify {
                    ", with a check of its data,"
                } else {
                    ""
                }
            ),
            None => what,
        };
        let intro = format!(
            "pinecone-backup-wait {}: {how_long} {what} at {} (API version {})",
            env!("CARGO_PKG_VERSION"),
            self.plain(config.endpoint.base(), usize::MAX),
            self.plain(&config.api_version, usize::MAX),
        );
        self.line(&intro);
        let origins = config.origins;
        let selection = match &config.selection {
            Selection::Id(_) => format!("backup id {}", origin_text(origins.backup_id)),
            Selection::RestoreJob(_) => "restore job from --restore-job-id".to_owned(),
            other => format!("backup from {}", other.flag()),
        };
        let mut sources = format!(
            "  {selection}, API key {}, host {}, API version {}",
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
        if let Some(mode) = config.ignored_env_backup_id {
            let line = format!(
                "  PINECONE_BACKUP_ID is set in the environment, but {mode} selects the backup: \
                 PINECONE_BACKUP_ID is ignored"
            );
            self.line(&line);
        }
        if let Some(route) = config.proxy.describe() {
            let line = format!("  requests go {}", log_text(&route));
            self.line(&line);
        }
        let intervals = config.intervals;
        let schedule = format!(
            "  checks every {}..{} (x{} backoff, jittered), request timeout {}; ready: {}; failed: {}",
            HumanDuration(intervals.initial),
            HumanDuration(intervals.max),
            intervals.multiplier,
            HumanDuration(config.request_timeout),
            self.plain(&config.statuses.ready().to_string(), usize::MAX),
            self.plain(&config.statuses.failed().to_string(), usize::MAX),
        );
        self.line(&schedule);
    }

    /// Reports a run refused before any request (usage or configuration):
    /// the summary, usage line and help hint, once. `finish` then adds only
    /// the annotation. The rendering keeps every input inside its line;
    /// `log_text` still guards the legacy `##[` prefix.
    pub fn invalid(&mut self, error: &UsageError) {
        for line in error.render().trim_end().lines() {
            self.line(&log_text(line));
        }
    }

    /// Closes the group and prints the verdict (and its annotation or
    /// issue).
    pub fn finish(&mut self, report: &Report) {
        if self.group_open {
            self.command("::endgroup::");
            self.group_open = false;
        }
        let verdict = verdict(report, &self.redactor);
        if self.github_actions {
            let command = match report.outcome {
                Outcome::Ready => "notice",
                Outcome::Cancelled => "warning",
                _ => "error",
            };
            let annotation = format!(
                "::{command} title={}::{}",
                command_property(report.headline()),
                command_data(&verdict)
            );
            self.command(&annotation);
        }
        if self.azure {
            // Ready needs no issue: the exit code decides the step, and an
            // issue of every run would bury the ones that matter.
            let kind = match report.outcome {
                Outcome::Ready => None,
                Outcome::Cancelled => Some(IssueType::Warning),
                _ => Some(IssueType::Error),
            };
            if let Some(kind) = kind {
                let issue = format!("{}: {verdict}", report.headline());
                self.vso(&azure::logissue(kind, &issue));
            }
        }
        // A run of several stages through a restore ends with its timeline.
        if report.restoring && report.stages.len() > 1 {
            self.line("timeline:");
            for line in timeline::plain(&report.timeline(), &self.redactor) {
                self.line(&line);
            }
        }
        // A refused command line was printed whole by `invalid`.
        if report.outcome != Outcome::Invalid {
            let label = match report.outcome {
                Outcome::Ready => Paint::Good,
                Outcome::Cancelled => Paint::Warn,
                _ => Paint::Bad,
            };
            let line = format!(
                "{}: {}",
                paint(self.colour, label, report.outcome.label()),
                log_text(&verdict)
            );
            self.line(&line);
        }
    }

    /// One more line of context under the start lines.
    pub fn note(&mut self, message: &str) {
        let line = format!("  {}", log_text(message));
        self.line(&line);
    }

    /// Under Azure, the output variables (the dotenv report's names and
    /// values, exact): `##vso[task.setvariable ...;isoutput=true]`.
    pub fn azure_variables(&mut self, variables: &Variables) {
        if self.azure {
            for line in azure::setvariables(variables).lines() {
                self.vso(line);
            }
        }
    }

    /// A warning that is not about one attempt. The message is scrubbed and
    /// escaped here; callers cut any server text in it.
    pub fn warning(&mut self, message: &str) {
        let message = self.redactor.text(message).into_owned();
        if self.github_actions {
            let annotation = format!("::warning::{}", command_data(&message));
            self.command(&annotation);
        }
        if self.azure {
            self.vso(&azure::logissue(IssueType::Warning, &message));
        }
        if !self.github_actions && !self.azure {
            let line = format!(
                "{}: {}",
                paint(self.colour, Paint::Warn, "warning"),
                log_text(&message)
            );
            self.line(&line);
        }
    }
}

/// `18:04:05`: the time of day in UTC, as CI logs show it.
fn utc_time_of_day(time: SystemTime) -> String {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let (hours, minutes, seconds) = (seconds / 3600 % 24, seconds / 60 % 60, seconds % 60);
    format!("{hours:02}:{minutes:02}:{seconds:02}")
}

impl<W: Write> Observer for Log<W> {
    fn attempt(&mut self, attempt: &Attempt<'_>) {
        let what = match &attempt.result {
            Ok(shown) => self.shown(shown),
            Err(err) => self.plain(&err.to_string(), MAX_MESSAGE_CHARS),
        };
        let next = match attempt.next {
            None | Some(Next::Now) => String::new(),
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
        let status = cut(&self.redactor.text(status), MAX_SERVER_CHARS).into_owned();
        let warning = match self.stage {
            Some(Stage::Restore) => format!(
                "restore job status '{status}' is not one the waiter knows (Completed ends the \
                 wait, Failed and Cancelled fail it); still waiting"
            ),
            Some(Stage::Index) => format!(
                "index state '{status}' is not one the waiter knows (Ready with status.ready \
                 ends the wait; InitializationFailed, Failed, Terminating and Disabled fail \
                 it); still waiting"
            ),
            _ => format!(
                "backup status '{status}' is neither a ready nor a failed status; \
                 still waiting (set --ready-status or --failed-status if it should end the wait)"
            ),
        };
        self.warning(&warning);
    }

    fn unknown_statuses_capped(&mut self, limit: usize) {
        self.warning(&format!(
            "{limit} different unknown statuses so far; further unknown statuses are not \
             reported individually (still waiting)"
        ));
    }
}

impl<W: Write> StageObserver for Log<W> {
    fn entered(&mut self, stage: Stage, what: &str) {
        self.stage = Some(stage);
        let line = format!("{}: {}", stage.label(), self.plain(what, MAX_MESSAGE_CHARS));
        self.line(&line);
    }

    fn selected(&mut self, selected: &Selected, backup: &Backup) {
        let name = backup
            .text("name")
            .map(|name| format!("'{}' ", self.server(name)))
            .unwrap_or_default();
        let id = self.server(&selected.backup_id);
        let index = selected.index.as_deref().unwrap_or("?");
        let status = self.server(backup.status().trim());
        let line = match (selected.by, selected.latest) {
            (SelectedBy::Create, _) if selected.adopted => format!(
                "selected: created backup {name}(id {id}) of index {index}; its answer was lost, \
                 and it was found among the index's backups, so it was not created twice \
                 (status {status})"
            ),
            (SelectedBy::Create, _) => format!(
                "selected: created backup {name}(id {id}) of index {index} (status {status})"
            ),
            (SelectedBy::Latest, Some((old, listed))) => format!(
                "selected: latest backup of {index}, created {} ago: {name}(id {id}), \
                 the newest of {listed} (status {status})",
                age(old)
            ),
            _ => format!("selected: backup {id} (status {status})"),
        };
        self.line(&line);
    }
}

fn origin_text(origin: Origin) -> String {
    match origin {
        Origin::Flag => "from its flag".to_owned(),
        Origin::Env(name) => format!("from {name}"),
        Origin::Default => "default".to_owned(),
    }
}

/// One sentence about the end of the run, scrubbed and cut but not yet
/// escaped. Every server string in it is cut to `MAX_SERVER_CHARS`, the error
/// to `MAX_MESSAGE_CHARS`.
fn verdict(report: &Report, redactor: &Redactor) -> String {
    let server = |text: &str| cut(&redactor.text(text), MAX_SERVER_CHARS).into_owned();
    let id = report
        .backup
        .as_ref()
        .and_then(|b| b.text("backup_id"))
        .or(report.backup_id.as_deref());
    // Before a backup was selected, say what was being done.
    let subject = match (id, report.selected_by) {
        (Some(id), _) => format!("backup {}", server(id)),
        (None, Some(SelectedBy::Create)) => "creating the backup".to_owned(),
        (None, Some(SelectedBy::Latest)) => "selecting the latest backup".to_owned(),
        (None, _) => "backup ?".to_owned(),
    };
    let index = report
        .backup
        .as_ref()
        .and_then(|b| b.text("source_index_name"))
        .map(|name| format!(" (index {})", server(name)))
        .unwrap_or_default();
    let error = report
        .error
        .as_deref()
        .map(|error| cut(&redactor.text(error), MAX_MESSAGE_CHARS).into_owned());
    let attempts = report.attempts;
    let tally = format!(
        "{attempts} attempt{} in {}",
        if attempts == 1 { "" } else { "s" },
        HumanDuration(report.elapsed)
    );
    if report.restoring {
        return restore_verdict(report, redactor, error, &tally);
    }
    let verdict = match (report.outcome, error) {
        (Outcome::Ready, _) => format!(
            "{subject}{index} is {} after {tally}",
            server(report.status().unwrap_or("ready"))
        ),
        (Outcome::Invalid, Some(error)) => error,
        (_, Some(error)) => format!("{subject}{index}: {error} ({tally})"),
        (outcome, None) => format!("{subject}{index}: {outcome} ({tally})"),
    };
    redactor.text(&verdict).into_owned()
}

/// The verdict of a run that restores: what was restored into what, and
/// the counts compared; or what was being done when it stopped.
fn restore_verdict(
    report: &Report,
    redactor: &Redactor,
    error: Option<String>,
    tally: &str,
) -> String {
    let server = |text: &str| cut(&redactor.text(text), MAX_SERVER_CHARS).into_owned();
    let restore = report.restore.as_ref();
    let index = restore
        .and_then(|r| r.index_name.as_deref())
        .map(|name| format!("index {}", server(name)));
    let backup = report
        .backup_id
        .as_deref()
        .map(|id| format!("backup {}", server(id)));
    let job = restore
        .and_then(|r| r.job_id.as_deref())
        .map(|id| format!("restore job {}", server(id)));
    let subject = match (&backup, &index, &job) {
        (Some(backup), Some(index), _) => format!("restore of {backup} into {index}"),
        (Some(backup), None, _) => format!("restore of {backup}"),
        (None, _, Some(job)) => job.clone(),
        (None, Some(index), None) => format!("restore into {index}"),
        (None, None, None) => match report.selected_by {
            Some(SelectedBy::Create) => "creating the backup to restore".to_owned(),
            Some(SelectedBy::Latest) => "selecting the latest backup to restore".to_owned(),
            _ => "restore".to_owned(),
        },
    };
    let verdict = match (report.outcome, error) {
        (Outcome::Ready, _) => {
            let checked = match restore.and_then(|r| r.stats.as_ref()) {
                Some((_, counts)) => format!(", holding {}", counts.sentence()),
                None => " (data not checked: --no-restore-verify)".to_owned(),
            };
            format!(
                "{} is ready{checked}, restored from {} after {tally}",
                index.unwrap_or_else(|| "the index".to_owned()),
                backup.unwrap_or_else(|| "its backup".to_owned())
            )
        }
        (Outcome::Invalid, Some(error)) => error,
        (_, Some(error)) => format!("{subject}: {error} ({tally})"),
        (outcome, None) => format!("{subject}: {outcome} ({tally})"),
    };
    redactor.text(&verdict).into_owned()
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
            result: Ok(Shown::status(backup.status())),
            next: Some(Next::RetryIn(Duration::from_secs(3))),
            progress: None,
        });
        let err = ApiError::transient("HTTP 503: ##[add-mask]x");
        log.attempt(&Attempt {
            number: 3,
            elapsed: Duration::from_secs(5),
            result: Err(&err),
            next: Some(Next::GiveUp(crate::schedule::GiveUp::DeadlinePassed)),
            progress: None,
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
            ..Report::invalid(String::new())
        };
        log.finish(&report);
        let out = text(log);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "::endgroup::");
        assert_eq!(
            lines[1],
            "::error title=Pinecone backup failed::backup b1 (index i%0A::x::): backup status \
             is Failed, a failed status (1 attempt in 300ms)"
        );
        assert_eq!(
            lines[2],
            "failed: backup b1 (index i\\n::x::): backup status is Failed, a failed status (1 attempt in 300ms)"
        );
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn a_refused_command_line_is_printed_once_then_annotated() {
        let parsed = crate::cli::Cli::parse_args(["w", "--backup-id", "b", "--x\n::error::forged"]);
        let usage = UsageError::from_clap(&parsed.unwrap_err());
        let mut log = Log::new(Vec::new(), true);
        log.invalid(&usage);
        log.finish(&Report::invalid(usage.summary.clone()));
        assert_eq!(
            text(log),
            "error: unexpected argument '--x\\n::error::forged' found\n\n\
             Usage: pinecone-backup-wait [OPTIONS] --api-key <KEY> <--backup-id <ID>|--create-from-index <INDEX>|--latest-of-index <INDEX>|--restore-job-id <ID>>\n\n\
             For more information, try '--help'.\n\
             ::error title=pinecone-backup-wait%3A invalid usage::unexpected argument \
             '--x\\n::error::forged' found\n"
        );
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

    fn with_key(key: &str) -> Log<Vec<u8>> {
        let mut log = Log::new(Vec::new(), false);
        log.redactor = Redactor::new(&crate::config::ApiKey::from_raw(key).unwrap());
        log
    }

    #[test]
    fn server_strings_are_scrubbed_then_cut_then_escaped() {
        // A key with a backslash: the escape of a newline could spell it.
        let mut log = with_key(r"k\ney");
        let status = format!("k\\ney/k\ney {}", "s".repeat(10_000));
        let backup = Backup::from_value(json!({ "status": status })).unwrap();
        log.attempt(&Attempt {
            number: 1,
            elapsed: Duration::from_millis(5),
            result: Ok(Shown::status(backup.status())),
            next: None,
            progress: None,
        });
        log.unknown_status(&status);
        let out = text(log);
        assert!(!out.contains(r"k\ney"), "{out}");
        assert!(out.contains("status ***/*** sss"), "{out}");
        assert_eq!(out.matches("… (10009 bytes in all)").count(), 2, "{out}");
        assert!(out.len() < 1_000, "{} bytes", out.len());
    }

    /// 18:04:05 UTC on 2 January 2024.
    fn six_past_six() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_704_153_600 + 18 * 3600 + 4 * 60 + 5)
    }

    fn failed_report(status: &str) -> Report {
        Report {
            outcome: Outcome::Failed,
            backup_id: Some("b1".into()),
            backup: Some(Backup::from_value(json!({ "status": status })).unwrap()),
            attempts: 1,
            elapsed: Duration::from_millis(300),
            error: Some(format!("backup status is {status}, a failed status")),
            created: Some(false),
            selected_by: Some(crate::stages::SelectedBy::Id),
            stage: Some(crate::stages::Stage::Backup),
            selected: None,
            stages: Vec::new(),
            restore: None,
            restoring: false,
        }
    }

    #[test]
    fn plain_logs_stamp_every_human_line_with_utc_time() {
        let mut log = Log::new(Vec::new(), false).timestamps(six_past_six);
        let backup = Backup::from_value(json!({"status": "Pending"})).unwrap();
        log.attempt(&Attempt {
            number: 1,
            elapsed: Duration::from_millis(40),
            result: Ok(crate::wait::Shown::status(backup.status())),
            next: Some(Next::RetryIn(Duration::from_secs(2))),
            progress: None,
        });
        log.warning("slow");
        log.finish(&failed_report("Failed"));
        assert_eq!(
            text(log),
            "18:04:05 [   40ms] attempt 1: status Pending; next check in 2s\n\
             18:04:05 warning: slow\n\
             18:04:05 failed: backup b1: backup status is Failed, a failed status (1 attempt in 300ms)\n"
        );
        assert_eq!(utc_time_of_day(UNIX_EPOCH), "00:00:00");
    }

    #[test]
    fn workflow_commands_are_never_stamped() {
        let mut log = Log::new(Vec::new(), true).timestamps(six_past_six);
        log.group_open = true;
        log.warning("slow");
        log.finish(&failed_report("Failed"));
        let out = text(log);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "::warning::slow");
        assert_eq!(lines[1], "::endgroup::");
        assert!(lines[2].starts_with("::error title="), "{out}");
        assert!(lines[3].starts_with("18:04:05 failed: backup b1"), "{out}");
    }

    #[test]
    fn under_azure_only_our_logging_commands_reach_the_agent() {
        use testkit::azure::{logging_commands, mentions_keyword};
        for payload in testkit::payloads::HOSTILE {
            let mut log = with_key("pcsk_key_k3y").azure(true);
            let status = format!("##vso[task.complete result=Succeeded]{payload}");
            let backup = Backup::from_value(json!({ "status": status })).unwrap();
            log.attempt(&Attempt {
                number: 1,
                elapsed: Duration::from_millis(40),
                result: Ok(crate::wait::Shown::status(backup.status())),
                next: Some(Next::RetryIn(Duration::from_secs(2))),
                progress: None,
            });
            log.unknown_status(&status);
            let report = failed_report(&status);
            log.azure_variables(&report.variables(&log.redactor().clone()));
            log.finish(&report);
            let out = text(log);
            let commands = logging_commands(&out);
            let names: Vec<String> = commands.iter().map(|c| c.name()).collect();
            let mut expected = vec!["task.logissue".to_owned()];
            expected.extend(std::iter::repeat_n("task.setvariable".to_owned(), 20));
            expected.push("task.logissue".to_owned());
            assert_eq!(names, expected, "{payload:?}\n{out}");
            assert_eq!(commands[0].property("type"), Some("warning"));
            assert_eq!(commands[3].data, status.trim(), "{payload:?}");
            assert_eq!(commands[21].property("type"), Some("error"));
            assert!(
                commands[21]
                    .data
                    .starts_with("Pinecone backup failed: backup b1")
            );
            for line in testkit::azure::read_lines(&out) {
                if testkit::azure::parse_line(line).is_none() {
                    assert!(!mentions_keyword(line), "{payload:?}: {line:?}");
                }
            }
        }
    }

    #[test]
    fn ready_raises_no_azure_issue_and_cancelled_a_warning() {
        let mut report = failed_report("Ready");
        report.outcome = Outcome::Ready;
        report.error = None;
        let mut log = Log::new(Vec::new(), false).azure(true);
        log.finish(&report);
        assert!(text(log).starts_with("ready: backup b1 is Ready"));
        report.outcome = Outcome::Cancelled;
        let mut log = Log::new(Vec::new(), false).azure(true);
        log.finish(&report);
        assert!(text(log).starts_with(
            "##vso[task.logissue type=warning]Waiting for the Pinecone backup was cancelled: "
        ));
    }

    #[test]
    fn colour_marks_the_verdict_and_warnings_only_when_on() {
        let mut log = Log::new(Vec::new(), false).colour(true);
        log.warning("slow");
        log.finish(&failed_report("Failed"));
        let out = text(log);
        assert!(out.starts_with("\x1b[33mwarning\x1b[0m: slow\n"), "{out:?}");
        assert!(
            out.contains("\n\x1b[31mfailed\x1b[0m: backup b1"),
            "{out:?}"
        );
        let mut log = Log::new(Vec::new(), false);
        log.finish(&failed_report("Failed"));
        assert!(!text(log).contains('\x1b'));
    }

    #[test]
    fn the_verdict_cuts_every_server_string_and_the_error() {
        let mut log = with_key("pcsk_key_k3y");
        let long = "n".repeat(5_000);
        let report = Report {
            outcome: Outcome::Timeout,
            backup_id: Some("b1".into()),
            backup: Some(
                Backup::from_value(json!({"status": long, "source_index_name": long})).unwrap(),
            ),
            attempts: 2,
            elapsed: Duration::from_secs(1),
            error: Some(format!("deadline passed; last status: pcsk_key_k3y {long}")),
            ..Report::invalid(String::new())
        };
        log.finish(&report);
        let out = text(log);
        assert!(out.len() < 1_500, "{} bytes: {out}", out.len());
        assert!(out.starts_with("timeout: backup b1 (index nnn"), "{out}");
        assert!(out.contains("last status: *** nnn"), "{out}");
        assert_eq!(out.matches("bytes in all)").count(), 2, "{out}");
    }

    fn restore_report(outcome: Outcome, error: Option<&str>) -> Report {
        use crate::api::index_stats::{Counts, Expected, IndexStats};
        let stats = IndexStats::from_value(json!({"totalVectorCount": 1200,
            "namespaces": {"": {"vectorCount": 1200}}}))
        .unwrap();
        let expected = Expected {
            records: 1200,
            namespaces: 1,
        };
        Report {
            outcome,
            backup_id: Some("b1".into()),
            attempts: 9,
            elapsed: Duration::from_secs(75),
            error: error.map(str::to_owned),
            created: Some(false),
            restoring: true,
            restore: Some(crate::stages::Restored {
                created: true,
                job_id: Some("j1".into()),
                index_name: Some("drill-1".into()),
                stats: Some((stats.clone(), Counts::compare(expected, &stats))),
                expected: Some(expected),
                ..crate::stages::Restored::default()
            }),
            ..Report::invalid(String::new())
        }
    }

    #[test]
    fn a_restore_s_verdict_says_what_was_restored_and_the_counts() {
        let mut log = Log::new(Vec::new(), true);
        log.finish(&restore_report(Outcome::Ready, None));
        assert_eq!(
            text(log),
            "::notice title=Pinecone backup restored and checked::index drill-1 is ready, \
             holding 1200 of 1200 records in 1 of 1 namespace, restored from backup b1 after \
             9 attempts in 1m15s\n\
             ready: index drill-1 is ready, holding 1200 of 1200 records in 1 of 1 namespace, \
             restored from backup b1 after 9 attempts in 1m15s\n"
        );
        let mut log = Log::new(Vec::new(), false);
        let error = "restore job j1 ended with status Cancelled, a failed status";
        log.finish(&restore_report(Outcome::Failed, Some(error)));
        assert_eq!(
            text(log),
            format!(
                "failed: restore of backup b1 into index drill-1: {error} (9 attempts in 1m15s)\n"
            )
        );
    }

    #[test]
    fn an_unknown_status_is_named_for_the_stage_it_came_from() {
        let mut log = Log::new(Vec::new(), false);
        log.entered(Stage::Restore, "restoring");
        log.unknown_status("Restoring");
        log.entered(Stage::Index, "waiting");
        log.unknown_status("Resizing");
        let out = text(log);
        assert!(
            out.contains("warning: restore job status 'Restoring' is not one the waiter knows"),
            "{out}"
        );
        assert!(
            out.contains("warning: index state 'Resizing' is not one the waiter knows"),
            "{out}"
        );
        assert!(!out.contains("--ready-status"), "{out}");
    }
}
