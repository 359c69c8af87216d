//! `cargo run --example demo`: the whole product in one command, with no
//! Pinecone account.
//!
//! Starts a fake control plane on 127.0.0.1 whose backup is `Initializing`
//! for three seconds and then `Ready`, runs the real waiter against it (the
//! same `app::run` the binary uses, default schedule) with `GITHUB_OUTPUT`
//! and `GITHUB_STEP_SUMMARY` pointed at temporary files, and prints what a
//! workflow would see: the log, the exit code, the step outputs (parsed the
//! way the GitHub runner parses them) and the job summary.
//!
//! `cargo run --example demo -- --create` does the same for a backup the
//! waiter creates: the stateful fake Pinecone holds index `prod`, and
//! `--create-from-index prod` backs it up and waits for the new backup.

use std::process::ExitCode;
use std::time::Duration;

use pinecone_backup_wait::app::{self, Input};
use pinecone_backup_wait::cancel::Cancellation;
use pinecone_backup_wait::cli::Cli;
use pinecone_backup_wait::config::Env;
use testkit::runner::parse_output_file;
use testkit::world::{FakePinecone, IndexSeed, Settings, Timeline};
use testkit::{FakeControlPlane, Script};

const DEMO_KEY: &str = "pcsk_demo_not_a_real_key";
const READY_AFTER: Duration = Duration::from_secs(3);

/// The fake server the demo runs against, kept alive until the end.
enum Fake {
    ControlPlane(FakeControlPlane),
    Pinecone(FakePinecone),
}

impl Fake {
    fn requests(&self) -> usize {
        match self {
            Fake::ControlPlane(server) => server.request_count(),
            Fake::Pinecone(world) => world.exchanges().len(),
        }
    }
}

fn main() -> ExitCode {
    let create = std::env::args().any(|arg| arg == "--create");
    let (fake, url, selection) = if create {
        let world = FakePinecone::start_with(Settings {
            api_key: Some(DEMO_KEY.to_owned()),
            backup_timeline: Timeline::backup(READY_AFTER, "Ready"),
            ..Settings::default()
        });
        world.add_index(
            IndexSeed::new("prod")
                .namespace("", 1000)
                .namespace("eu", 200),
        );
        let url = world.url();
        println!("Fake Pinecone at {url}, holding index prod.");
        println!("A backup created now is Initializing and turns Ready after {READY_AFTER:?}.\n");
        (Fake::Pinecone(world), url, ["--create-from-index", "prod"])
    } else {
        let server = FakeControlPlane::start(
            Script::settles_after(READY_AFTER, "Ready").requiring_api_key(DEMO_KEY),
        );
        let url = server.url();
        println!("Fake Pinecone control plane at {url}");
        println!("Its backup is Initializing and turns Ready after {READY_AFTER:?}.\n");
        (
            Fake::ControlPlane(server),
            url,
            ["--backup-id", "demo-backup"],
        )
    };
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let output_file = dir.path().join("github_output");
    let summary_file = dir.path().join("step_summary.md");

    println!(
        "$ PINECONE_API_KEY=… pinecone-backup-wait {} {} --api-host {url}\n",
        selection[0], selection[1]
    );

    let args = [
        "pinecone-backup-wait",
        selection[0],
        selection[1],
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
        "\nExit code {} (result={}) after {} request(s) to the fake.",
        outcome.exit_code(),
        outcome.label(),
        fake.requests()
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
