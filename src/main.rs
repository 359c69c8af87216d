//! Parse, run, turn the outcome into an exit code. Nothing else lives here.

use std::ffi::OsString;
use std::process::ExitCode;

use pinecone_backup_wait::app::{self, Input};
use pinecone_backup_wait::cancel::Cancellation;
use pinecone_backup_wait::cli::{self, Cli};
use pinecone_backup_wait::config::Env;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let parsed = match Cli::parse_args(&args) {
        // --help and --version: print and leave; there is nothing to report.
        Err(shown) if !shown.use_stderr() => {
            let _ = shown.print();
            return ExitCode::SUCCESS;
        }
        parsed => parsed,
    };
    let mut env = Env::from_process();
    if parsed.is_err() {
        // An invalid run still leaves its report where it was asked for.
        env.dotenv = cli::dotenv_on_refused_line(&args).or(env.dotenv);
    }
    let cancellation = Cancellation::new();
    let signal_handler_error = cancellation.install_signal_handler().err();
    let input = Input {
        parsed,
        json_requested: args.iter().any(|arg| arg == "--json"),
        env,
        cancellation,
        signal_handler_error: signal_handler_error.map(|err| err.to_string()),
    };
    let outcome = app::run_with_stdio(input);
    ExitCode::from(outcome.exit_code())
}
