//! `cargo run --example demo`: the whole product in one command, with no
//! Pinecone account.
//!
//! Starts a fake control plane on 127.0.0.1 whose backup is `Initializing`
//! for three seconds and then `Ready`, runs the real waiter against it (the
//! same `app::run` the binary uses, default schedule) with `GITHUB_OUTPUT`
//! and `GITHUB_STEP_SUMMARY` pointed at temporary files, and prints what a
//! workflow would see: the log, the exit code, the step outputs (parsed the
//! way the GitHub runner parses them) and the job summary.

use std::process::ExitCode;
use std::time::Duration;

use pinecone_backup_wait::app::{self, Input};
use pinecone_backup_wait::cancel::Cancellation;
use pinecone_backup_wait::cli::Cli;
use pinecone_backup_wait::config::Env;
use testkit::runner::parse_output_file;
use testkit::{FakeControlPlane, Script};

const DEMO_KEY: &str = "pcsk_demo_not_a_real_key";
const READY_AFTER: Duration = Duration::from_secs(3);

fn main() -> ExitCode {
    let server = FakeControlPlane::start(
        Script::settles_after(READY_AFTER, "Ready").requiring_api_key(DEMO_KEY),
    );
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let output_file = dir.path().join("github_output");
    let summary_file = dir.path().join("step_summary.md");
    let url = server.url();

    println!("Fake Pinecone control plane at {url}");
    println!("Its backup is Initializing and turns Ready after {READY_AFTER:?}.\n");
    println!(
        "$ PINECONE_API_KEY=… pinecone-backup-wait --backup-id demo-backup --api-host {url}\n"
    );

    let args = [
        "pinecone-backup-wait",
        "--backup-id",
        "demo-backup",
        "--api-host",
        &url,
        "--api-key",
        DEMO_KEY,
        "--timeout",
        "1m",
    ];
    let input = Input {
        parsed: Cli::parse_args(args),
        json_requested: false,
        env: Env {
            github_output: Some(output_file.clone()),
            github_step_summary: Some(summary_file.clone()),
            github_actions: false,
            additional_headers: None,
            ..Env::default()
        },
        cancellation: Cancellation::new(),
        signal_handler_error: None,
    };
    let outcome = app::run(input, &mut std::io::stdout(), &mut std::io::stderr());

    println!(
        "\nExit code {} (result={}) after {} request(s) to the fake control plane.",
        outcome.exit_code(),
        outcome.label(),
        server.request_count()
    );
    let written = std::fs::read_to_string(&output_file).unwrap_or_default();
    match parse_output_file(&written) {
        Ok(outputs) => {
            println!(
                "\nStep outputs, as the GitHub runner reads GITHUB_OUTPUT (steps.<id>.outputs.*):"
            );
            for (name, value) in outputs {
                let shown: String = value.chars().take(70).collect();
                let more = if value.chars().count() > 70 {
                    "…"
                } else {
                    ""
                };
                println!("  {name:<18} {shown}{more}");
            }
        }
        Err(err) => println!("\nGITHUB_OUTPUT could not be parsed: {err}"),
    }
    let summary = std::fs::read_to_string(&summary_file).unwrap_or_default();
    println!("\nJob summary (GITHUB_STEP_SUMMARY):\n\n{summary}");
    ExitCode::from(outcome.exit_code())
}
