//! Wiring: flags to config, config to a wait, the wait to reports. The
//! stages run in one direction and each lives in its own module; this file
//! only connects them and makes sure outputs are written on every path.

use std::io::Write;

use crate::api::{Guarded, HttpBackupApi};
use crate::cancel::Cancellation;
use crate::cli::Parsed;
use crate::clock::{SystemClock, SystemJitter};
use crate::config::{Config, Env};
use crate::outcome::Outcome;
use crate::poller::{self, WaitPolicy};
use crate::report::log::Log;
use crate::report::{Report, github_output, json, summary, writer};
use crate::usage::UsageError;

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

    let config = match parsed {
        Err(err) => Err(UsageError::from_clap(&err)),
        Ok(parsed) => Config::from_cli(&parsed.cli, parsed.origins, &env)
            .map_err(|err| UsageError::from_config(&err)),
    };
    let config = match config {
        Ok(config) => config,
        Err(usage) => {
            log.invalid(&usage);
            return finish(
                Report::invalid(usage.summary),
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
    let api = Guarded::new(HttpBackupApi::from_config(&config), cancellation.clone());
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
/// changes the outcome to `Error`; the others only warn. Each sink scrubs
/// the key with the log's redactor (which knows the key once the
/// configuration was read).
fn finish<W: Write>(
    mut report: Report,
    env: &Env,
    json_output: bool,
    log: &mut Log<W>,
    stdout: &mut dyn Write,
) -> Outcome {
    let redactor = log.redactor().clone();
    if let Some(path) = &env.github_output {
        if let Some(warning) = report.withheld_warning() {
            log.warning(&warning);
        }
        let outputs = report.outputs(&redactor);
        let text = github_output::render(&outputs, &mut github_output::random_delimiter);
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
        && let Err(err) = writer::append(path, &summary::render(&report, &redactor))
    {
        log.warning(&format!(
            "cannot write the job summary to GITHUB_STEP_SUMMARY ({}): {err}",
            path.display()
        ));
    }
    if json_output {
        // A closed stdout (`| head -0`) must not change the exit code.
        let _ = stdout.write_all(json::render(&report, &redactor).as_bytes());
        let _ = stdout.flush();
    }
    log.finish(&report);
    report.outcome
}
