//! `cargo run --example demo`: the whole product in one command, with no
//! Pinecone account.
//!
//! Starts a fake control plane on 127.0.0.1 whose backup is `Initializing`
//! for three seconds and then `Ready`, and runs the real waiter against it:
//! the same parse, environment and `app::run` as `src/main.rs`, in this
//! process. The command it prints is built from the very arguments and
//! environment variables it runs with (the key shown as `<demo key>`), and
//! the waiter variables of your shell (`PINECONE_*`, `GITHUB_*`) are unset
//! first so that nothing else changes the run. Then it prints what a
//! workflow would see: the log, the exit code, the step outputs (parsed the
//! way the GitHub runner parses them) and the job summary.
//!
//! `cargo run --example demo -- --create` does the same for a backup the
//! waiter creates: the stateful fake Pinecone (`testkit::world`) holds index
//! `prod`, and `--create-from-index prod` backs it up and waits for the new
//! backup, which turns `Ready` after the same three seconds.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pinecone_backup_wait::app::{self, Input};
use pinecone_backup_wait::cancel::Cancellation;
use pinecone_backup_wait::cli::Cli;
use pinecone_backup_wait::config::Env;
use testkit::runner::parse_output_file;
use testkit::world::{FakePinecone, IndexSeed, Settings, Timeline};
use testkit::{FakeControlPlane, Script};

const DEMO_KEY: &str = "pcsk_demo_not_a_real_key";
const READY_AFTER: Duration = Duration::from_secs(3);

/// Every variable the waiter reads besides proxies: unset for the run, then
/// the demo sets the ones it shows.
const WAITER_ENV: [&str; 8] = [
    "PINECONE_API_KEY",
    "PINECONE_BACKUP_ID",
    "PINECONE_CONTROLLER_HOST",
    "PINECONE_API_VERSION",
    "PINECONE_ADDITIONAL_HEADERS",
    "GITHUB_OUTPUT",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_ACTIONS",
];

/// The fake the demo runs against, kept alive until the end.
enum Fake {
    /// A control plane whose one backup settles (the default demo).
    ControlPlane(FakeControlPlane),
    /// The stateful fake Pinecone, holding index `prod` (`--create`).
    Pinecone(FakePinecone),
}

impl Fake {
    /// Starts the fake for the demo asked for; says what it serves.
    fn start(create: bool) -> Fake {
        if create {
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
            println!(
                "Fake Pinecone at {} (it answers 401 to any other key), holding index prod.",
                world.url()
            );
            println!(
                "A backup created now is Initializing and turns Ready after {READY_AFTER:?}.\n"
            );
            Fake::Pinecone(world)
        } else {
            let server = FakeControlPlane::start(
                Script::settles_after(READY_AFTER, "Ready").requiring_api_key(DEMO_KEY),
            );
            println!(
                "Fake Pinecone control plane at {} (it answers 401 to any other key).",
                server.url()
            );
            println!("Its backup is Initializing and turns Ready after {READY_AFTER:?}.\n");
            Fake::ControlPlane(server)
        }
    }

    fn url(&self) -> String {
        match self {
            Fake::ControlPlane(server) => server.url(),
            Fake::Pinecone(world) => world.url(),
        }
    }

    fn requests(&self) -> usize {
        match self {
            Fake::ControlPlane(server) => server.request_count(),
            Fake::Pinecone(world) => world.exchanges().len(),
        }
    }

    /// How the waiter selects the backup on this fake.
    fn selection(&self) -> [&'static str; 2] {
        match self {
            Fake::ControlPlane(_) => ["--backup-id", "demo-backup"],
            Fake::Pinecone(_) => ["--create-from-index", "prod"],
        }
    }
}

fn main() -> ExitCode {
    let create = std::env::args().skip(1).any(|arg| arg == "--create");
    let scratch = Scratch::create();
    let output_file = scratch.0.join("github_output");
    let summary_file = scratch.0.join("step_summary.md");
    let env: [(&str, OsString); 3] = [
        ("PINECONE_API_KEY", DEMO_KEY.into()),
        ("GITHUB_OUTPUT", output_file.clone().into()),
        ("GITHUB_STEP_SUMMARY", summary_file.clone().into()),
    ];
    // SAFETY: no other thread exists yet (the signal handler and the fake
    // server start below), so nothing can read the environment meanwhile.
    unsafe {
        for name in WAITER_ENV {
            std::env::remove_var(name);
        }
        for (name, value) in &env {
            std::env::set_var(name, value);
        }
    }
    let cancellation = Cancellation::new();
    let signal_handler_error = cancellation.install_signal_handler().err();

    let fake = Fake::start(create);
    let url = fake.url();
    let [mode, value] = fake.selection();
    // `--timeout 1m` rather than the default 30m: a demo that goes wrong
    // should say so within a minute. The schedule is the default one.
    let args: Vec<OsString> = [
        "pinecone-backup-wait",
        mode,
        value,
        "--api-host",
        &url,
        "--timeout",
        "1m",
    ]
    .map(OsString::from)
    .to_vec();

    println!("Running, in this process, exactly this command:\n");
    println!("$ {}\n", shown_command(&env, &args));

    // From here on, as src/main.rs does it.
    let input = Input {
        parsed: Cli::parse_args(&args),
        json_requested: args.iter().any(|arg| arg == "--json"),
        env: Env::from_process(),
        cancellation,
        signal_handler_error: signal_handler_error.map(|err| err.to_string()),
    };
    let outcome = app::run(input, &mut std::io::stdout(), &mut std::io::stderr());

    println!(
        "\nExit code {} (result={}) after {} request(s) to the fake{}.",
        outcome.exit_code(),
        outcome.label(),
        fake.requests(),
        if create { "" } else { " control plane" }
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

/// The command line a shell would run: the environment, then the arguments,
/// quoted where needed. The key is never printed.
fn shown_command(env: &[(&str, OsString)], args: &[OsString]) -> String {
    let assignments = env.iter().map(|(name, value)| {
        let value = if *name == "PINECONE_API_KEY" {
            "<demo key>".to_owned()
        } else {
            shell_quote(&value.to_string_lossy())
        };
        format!("{name}={value}")
    });
    let words = args.iter().map(|arg| shell_quote(&arg.to_string_lossy()));
    let mut lines: Vec<String> = assignments.collect();
    lines.push(words.collect::<Vec<_>>().join(" "));
    lines.join(" \\\n    ")
}

fn shell_quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// A fresh directory for the two files, removed when the demo ends.
struct Scratch(PathBuf);

impl Scratch {
    /// `create_dir`, not `create_dir_all`: it fails rather than reuse
    /// anything that already exists under that name.
    fn create() -> Scratch {
        let mut attempt = 0;
        loop {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let path = std::env::temp_dir().join(format!(
                "pinecone-backup-wait-demo-{}-{nanos}-{attempt}",
                std::process::id()
            ));
            match std::fs::create_dir(&path) {
                Ok(()) => return Scratch(path),
                Err(err) if attempt == 10 => panic!("cannot create {}: {err}", path.display()),
                Err(_) => attempt += 1,
            }
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shown_command_is_the_one_run_without_the_key() {
        let env = [
            ("PINECONE_API_KEY", OsString::from(DEMO_KEY)),
            ("GITHUB_OUTPUT", OsString::from("/tmp/d/github_output")),
            ("GITHUB_STEP_SUMMARY", OsString::from("/tmp/my dir/it's.md")),
        ];
        let args = [
            "pinecone-backup-wait",
            "--api-host",
            "http://127.0.0.1:9",
            "--timeout",
            "1m",
        ]
        .map(OsString::from);
        let shown = shown_command(&env, &args);
        assert_eq!(
            shown,
            "PINECONE_API_KEY=<demo key> \\\n    GITHUB_OUTPUT=/tmp/d/github_output \\\n    \
             GITHUB_STEP_SUMMARY='/tmp/my dir/it'\\''s.md' \\\n    \
             pinecone-backup-wait --api-host http://127.0.0.1:9 --timeout 1m"
        );
        assert!(!shown.contains(DEMO_KEY));
    }
}
