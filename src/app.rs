//! Wiring: flags to config, config to the stages, the stages to reports.
//! Each step lives in its own module and data runs one way; this file only
//! connects them and makes sure outputs are written on every path.

use std::io::Write;

use crate::api::{Client, Guarded, TrustNote};
use crate::cancel::Cancellation;
use crate::cli::Parsed;
use crate::clock::{Clock, SystemClock, SystemJitter};
use crate::config::{Config, Env, Selection};
use crate::outcome::Outcome;
use crate::report::log::Log;
use crate::report::writer::{self, BoundedWriter, FileSink, LineQueue};
use crate::report::{Report, github_output, json, summary};
use crate::stages::{self, Plan};
use crate::usage::UsageError;
use crate::wait::{Session, WaitPolicy};

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

/// Runs the waiter with the process's own stdout and stderr, neither of
/// which can hold it: `--json` is written within a time limit, and the log
/// goes through a bounded queue that is flushed within the same limit.
pub fn run_with_stdio(input: Input) -> Outcome {
    let mut stdout = BoundedWriter::new(std::io::stdout(), writer::TIME_LIMIT);
    let mut stderr = LineQueue::spawn(std::io::stderr(), writer::LOG_QUEUE_LINES);
    let outcome = run(input, &mut stdout, &mut stderr);
    stderr.close_within(writer::TIME_LIMIT);
    outcome
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
    // Opened first, without blocking, so that a file we could never write is
    // known before the first request rather than after the whole wait.
    let mut files = Files::open(&env);

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
                files,
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
    let clock = SystemClock::new(cancellation.clone());
    // The suffix of a generated backup name: from the operating system even
    // when --jitter-seed fixes the schedule, so two runs never share a name.
    let plan = Plan::from_config(
        &config,
        clock.wall(),
        SystemJitter::from_entropy().next_u32(),
    );
    if let Some(problem) = files.output.problem() {
        files.output = FileSink::Unset;
        let backup_id = match &config.selection {
            Selection::Id(id) => Some(id.as_str().to_owned()),
            _ => None,
        };
        let report = Report::before_any_stage(
            Outcome::Error,
            plan.selected_by(),
            backup_id,
            format!(
                "cannot write step outputs to GITHUB_OUTPUT ({}): {}; no request was made",
                problem.path.display(),
                problem.reason
            ),
        );
        return finish(report, files, config.json, &mut log, stdout);
    }
    if let Some(problem) = files.summary.problem() {
        // Said once, here; there is nothing left to try at the end.
        files.summary = FileSink::Unset;
        log.warning(&format!(
            "cannot write the job summary to GITHUB_STEP_SUMMARY ({}): {}; continuing without it",
            problem.path.display(),
            problem.reason
        ));
    }
    let client = Client::from_config(&config);
    for note in client.trust_notes() {
        match note {
            TrustNote::Info(text) => log.note(text),
            TrustNote::Warning(text) => log.warning(text),
        }
    }
    let api = Guarded::new(client, cancellation);
    let mut jitter = config
        .jitter_seed
        .map_or_else(SystemJitter::from_entropy, SystemJitter::from_seed);
    let mut session = Session::start(WaitPolicy::from_config(&config), &clock, &mut jitter);
    let ran = stages::run(&plan, &api, &mut session, &mut log);
    finish(Report::from_ran(ran), files, config.json, &mut log, stdout)
}

/// The files GitHub names in the environment, opened before the wait.
struct Files {
    /// `GITHUB_OUTPUT`.
    output: FileSink,
    /// `GITHUB_STEP_SUMMARY`.
    summary: FileSink,
}

impl Files {
    fn open(env: &Env) -> Files {
        Files {
            output: FileSink::open(env.github_output.as_deref(), writer::TIME_LIMIT),
            summary: FileSink::open(env.github_step_summary.as_deref(), writer::TIME_LIMIT),
        }
    }
}

/// Writes every sink, in order of importance: step outputs (the gate reads
/// them), job summary, JSON, then the verdict line. A step-output failure
/// changes the outcome to `Error`; the others only warn. Each sink scrubs
/// the key with the log's redactor (which knows the key once the
/// configuration was read), and each file write gives up after
/// `writer::TIME_LIMIT`.
fn finish<W: Write>(
    mut report: Report,
    files: Files,
    json_output: bool,
    log: &mut Log<W>,
    stdout: &mut dyn Write,
) -> Outcome {
    let redactor = log.redactor().clone();
    if !matches!(files.output, FileSink::Unset) {
        if let Some(warning) = report.withheld_warning() {
            log.warning(&warning);
        }
        let outputs = report.outputs(&redactor);
        let text = github_output::render(&outputs, &mut github_output::random_delimiter);
        if let Err(err) = files.output.append_within(text, writer::TIME_LIMIT) {
            report.error = Some(format!(
                "cannot write step outputs to GITHUB_OUTPUT ({}): {}; the wait itself ended with result={}",
                err.path.display(),
                err.reason,
                report.outcome.label()
            ));
            report.outcome = Outcome::Error;
        }
    }
    if !matches!(files.summary, FileSink::Unset)
        && let Err(err) = files
            .summary
            .append_within(summary::render(&report, &redactor), writer::TIME_LIMIT)
    {
        log.warning(&format!(
            "cannot write the job summary to GITHUB_STEP_SUMMARY ({}): {}",
            err.path.display(),
            err.reason
        ));
    }
    if json_output {
        // A closed or stuck stdout (`| head -0`, a pipe nobody reads) must
        // not change the exit code; `run_with_stdio` bounds the write.
        let _ = stdout.write_all(json::render(&report, &redactor).as_bytes());
        let _ = stdout.flush();
    }
    log.finish(&report);
    report.outcome
}
