//! Wiring: flags to config, config to a wait, the wait to reports. The
//! stages run in one direction and each lives in its own module; this file
//! only connects them and makes sure outputs are written on every path.

use std::io::Write;

use crate::api::{Guarded, HttpBackupApi, TrustNote};
use crate::cancel::Cancellation;
use crate::cli::Parsed;
use crate::clock::{SystemClock, SystemJitter};
use crate::config::{Config, Env};
use crate::outcome::Outcome;
use crate::poller::{self, WaitPolicy};
use crate::report::log::Log;
use crate::report::{Report, github_output, json, summary, writer};

/// What `main` hands over: the parse result and the edges of the world.
pub struct Input {
    /// The command line, parsed (or clap's usage error).
    pub parsed: Result<Parsed, clap::Error>,
    /// Whether `--json` appeared, so even a usage error answers in JSON.
    pub json_requested: bool,
    /// The environment, read once.
    pub env: Env,
    /// Fired by SIGINT/SIGTERM.
    pub cancellation: Cancellation,
    /// Why the signal handler could not be installed, if it could not.
    pub signal_handler_error: Option<String>,
}

/// Runs the waiter and reports; returns how it ended.
pub fn run(input: Input, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Outcome {
    let Input {
        parsed,
        json_requested,
        env,
        cancellation,
        signal_handler_error,
    } = input;
    let mut log = Log::new(stderr, env.github_actions);

    let config = parsed.map_err(|err| err.to_string()).and_then(|parsed| {
        Config::from_cli(&parsed.cli, parsed.origins, &env)
            .map_err(|err| format!("error: {err}\n\nFor more information, try '--help'.\n"))
    });
    let config = match config {
        Ok(config) => config,
        Err(message) => {
            log.invalid(&message);
            return finish(
                Report::invalid(usage_error_summary(&message)),
                &env,
                json_requested,
                &mut log,
                stdout,
            );
        }
    };

    log.start(&config);
    if let Some(reason) = signal_handler_error {
        log.warning(&format!(
            "cannot handle SIGINT/SIGTERM ({reason}); a cancelled job will not write outputs"
        ));
    }
    let http = HttpBackupApi::from_config(&config);
    for note in http.trust_notes() {
        match note {
            TrustNote::Info(text) => log.note(text),
            TrustNote::Warning(text) => log.warning(text),
        }
    }
    let api = Guarded::new(http, cancellation.clone());
    let clock = SystemClock::new(cancellation);
    let mut jitter = config
        .jitter_seed
        .map_or_else(SystemJitter::from_entropy, SystemJitter::from_seed);
    let finished = poller::wait(
        &WaitPolicy::from_config(&config),
        &api,
        &clock,
        &mut jitter,
        &mut log,
    );
    let report = Report {
        outcome: finished.outcome,
        backup_id: Some(config.backup_id.as_str().to_owned()),
        backup: finished.backup,
        attempts: finished.attempts,
        elapsed: finished.elapsed,
        error: finished.error,
    };
    finish(report, &env, config.json, &mut log, stdout)
}

/// Writes every sink, in order of importance: step outputs (the gate reads
/// them), job summary, JSON, then the verdict line. A step-output failure
/// changes the outcome to `Error`; the others only warn.
fn finish<W: Write>(
    mut report: Report,
    env: &Env,
    json_output: bool,
    log: &mut Log<W>,
    stdout: &mut dyn Write,
) -> Outcome {
    if let Some(path) = &env.github_output {
        let text = github_output::render(&report.outputs(), &mut github_output::random_delimiter);
        if let Err(err) = writer::append(path, &text) {
            report.error = Some(format!(
                "cannot write step outputs to GITHUB_OUTPUT ({}): {err}; the wait itself ended with result={}",
                path.display(),
                report.outcome.label()
            ));
            report.outcome = Outcome::Error;
        }
    }
    if let Some(path) = &env.github_step_summary
        && let Err(err) = writer::append(path, &summary::render(&report))
    {
        log.warning(&format!(
            "cannot write the job summary to GITHUB_STEP_SUMMARY ({}): {err}",
            path.display()
        ));
    }
    if json_output {
        // A closed stdout (`| head -0`) must not change the exit code.
        let _ = stdout.write_all(json::render(&report).as_bytes());
        let _ = stdout.flush();
    }
    log.finish(&report);
    report.outcome
}

/// clap's multi-line usage error as one line for the `error` output: the
/// message without its `error: ` prefix, usage block and help hint.
fn usage_error_summary(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .take_while(|line| !line.starts_with("Usage:") && !line.starts_with("For more information"))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .trim_start_matches("error: ")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_errors_become_one_line_without_usage_or_hint() {
        let clap = "error: the following required arguments were not provided:\n  --api-key <KEY>\n\n\
                    Usage: pinecone-backup-wait --backup-id <ID> --api-key <KEY>\n\n\
                    For more information, try '--help'.\n";
        assert_eq!(
            usage_error_summary(clap),
            "the following required arguments were not provided: --api-key <KEY>"
        );
        assert_eq!(
            usage_error_summary(
                "error: invalid value for --timeout: 0ms must be greater than zero\n\nFor more information, try '--help'.\n"
            ),
            "invalid value for --timeout: 0ms must be greater than zero"
        );
    }
}
