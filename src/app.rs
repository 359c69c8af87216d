//! Wiring: flags to config, config to the stages, the stages to reports.
//! Each step lives in its own module and data runs one way; this file only
//! connects them and makes sure outputs are written on every path.

use std::io::Write;
use std::path::PathBuf;
use std::time::SystemTime;

use crate::api::{Client, Guarded, TrustNote};
use crate::cancel::Cancellation;
use crate::cli::Parsed;
use crate::clock::{Clock, SystemClock, SystemJitter};
use crate::config::{Config, Env, Selection};
use crate::outcome::Outcome;
use crate::report::log::Log;
use crate::report::terminal::{self, Screen, ScreenWriter, Ticking, Watcher};
use crate::report::writer::{self, BoundedWriter, FileSink, LineQueue};
use crate::report::{Report, azure, github_output, json, summary};
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
    // At a terminal the log prints above a live status line; elsewhere the
    // screen passes lines straight through.
    let screen = Screen::shared(stderr, env.colour(), terminal::stderr_width);
    let mut log = Log::new(ScreenWriter::new(screen.clone()), env.github_actions)
        .azure(env.azure)
        .colour(env.colour());
    if env.timestamps() {
        log = log.timestamps(SystemTime::now);
    }
    // Opened first, without blocking, so that a file we could never write is
    // known before the first request rather than after the whole wait.
    let dotenv = match &parsed {
        Ok(parsed) => parsed.cli.dotenv.clone().map(PathBuf::from),
        Err(_) => env.dotenv.clone(),
    };
    let mut files = Files::open(&env, dotenv);

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
    // The sinks a later job reads its gate from: one that cannot be written
    // ends the run before any request, and the others still get the error.
    let mut unusable = Vec::new();
    for (sink, what) in [
        (&mut files.output, GITHUB_OUTPUT),
        (&mut files.dotenv, DOTENV),
    ] {
        if let Some(problem) = sink.problem() {
            *sink = FileSink::Unset;
            unusable.push(format!(
                "cannot write {what} ({}): {}",
                problem.path.display(),
                problem.reason
            ));
        }
    }
    if !unusable.is_empty() {
        let backup_id = match &config.selection {
            Selection::Id(id) => Some(id.as_str().to_owned()),
            _ => None,
        };
        let report = Report::before_any_stage(
            Outcome::Error,
            plan.selected_by(),
            plan.first_stage(),
            backup_id,
            plan.restores(),
            format!("{}; no request was made", unusable.join("; ")),
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
    let policy = WaitPolicy::from_config(&config);
    let ran = if env.live_terminal() {
        // The same stages; the clock redraws the live line while it sleeps
        // and the watcher keeps it current.
        let ticking = Ticking::new(&clock, screen.clone());
        let mut session = Session::start(policy, &ticking, &mut jitter);
        let mut watcher = Watcher::new(&mut log, screen.clone(), &ticking, config.timeout);
        stages::run(&plan, &api, &mut session, &mut watcher)
    } else {
        let mut session = Session::start(policy, &clock, &mut jitter);
        stages::run(&plan, &api, &mut session, &mut log)
    };
    screen.borrow_mut().stop();
    finish(
        Report::from_ran(ran, plan.restores()),
        files,
        config.json,
        &mut log,
        stdout,
    )
}

/// How messages name the sinks a later job reads.
const GITHUB_OUTPUT: &str = "step outputs to GITHUB_OUTPUT";
const DOTENV: &str = "the dotenv report (--dotenv, PINECONE_BACKUP_WAIT_DOTENV)";

/// The files the result goes to, opened before the wait.
struct Files {
    /// `GITHUB_OUTPUT`.
    output: FileSink,
    /// `GITHUB_STEP_SUMMARY`.
    summary: FileSink,
    /// `--dotenv` (GitLab's dotenv report).
    dotenv: FileSink,
    /// Under Azure Pipelines: `--json` must not carry a logging command
    /// either, since the agent reads stdout too.
    azure: bool,
}

impl Files {
    fn open(env: &Env, dotenv: Option<PathBuf>) -> Files {
        // An empty value is no file (a CI template passing an unset input).
        let dotenv = dotenv.filter(|path| !path.as_os_str().is_empty());
        Files {
            output: FileSink::open(env.github_output.as_deref(), writer::TIME_LIMIT),
            summary: FileSink::open(env.github_step_summary.as_deref(), writer::TIME_LIMIT),
            dotenv: FileSink::open(dotenv.as_deref(), writer::TIME_LIMIT),
            azure: env.azure,
        }
    }
}

/// Writes every sink, in order of importance: step outputs and the dotenv
/// report (a gate reads them), job summary, JSON, Azure output variables,
/// then the verdict line. A failure to write a gate's sink changes the
/// outcome to `Error`; the others only warn. Each sink scrubs the key with
/// the log's redactor (which knows the key once the configuration was
/// read), and each file write gives up after `writer::TIME_LIMIT`.
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
                "cannot write {GITHUB_OUTPUT} ({}): {}; the wait itself ended with result={}",
                err.path.display(),
                err.reason,
                report.outcome.label()
            ));
            report.outcome = Outcome::Error;
        }
    }
    if !matches!(files.dotenv, FileSink::Unset) {
        let dotenv = report.variables(&redactor).render();
        if !dotenv.cut.is_empty() {
            log.warning(&format!(
                "the dotenv report cut {} to stay under GitLab's 5 KB limit \
                 (cut values end in …; --json has them whole)",
                dotenv.cut.join(", ")
            ));
        }
        if let Err(err) = files.dotenv.append_within(dotenv.text, writer::TIME_LIMIT) {
            report.error = Some(format!(
                "cannot write {DOTENV} ({}): {}; the wait itself ended with result={}",
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
        let mut line = json::render(&report, &redactor);
        if files.azure {
            line = azure::json_line(&line);
        }
        let _ = stdout.write_all(line.as_bytes());
        let _ = stdout.flush();
    }
    log.azure_variables(&report.variables(&redactor));
    log.finish(&report);
    report.outcome
}
