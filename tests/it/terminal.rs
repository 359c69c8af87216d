//! A person at a terminal (issue 11), on a real terminal: tmux runs the
//! binary in a 120x20 pane and the test reads the screen back with
//! `capture-pane`, as a person would see it. While the backup stays
//! `Initializing` the screen keeps one status line that changes (a countdown),
//! not a growing column of identical lines; at the end that line is gone and
//! the verdict stays. Colour only without `NO_COLOR`.
//!
//! Skipped, saying so, when tmux is not installed; `.ci/ci-systems.sh`
//! installs it and sets `REQUIRE_TMUX`, so CI always runs these.

#![cfg(unix)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use testkit::{FakeControlPlane, Reply, Script};

use crate::support::{BACKUP_ID, KEY};

/// How often the screen is read while waiting for something to appear.
const POLL: Duration = Duration::from_millis(100);

/// A private tmux server running one session, killed on drop.
struct Tmux {
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmux {
    /// Runs the waiter with `args` in a fresh 120x20 pane, as a person
    /// would (no CI variables, a capable `TERM`), plus `env`. `None` when
    /// tmux is missing.
    fn run(args: &[&str], env: &[(&str, &str)]) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            // CI installs tmux and sets REQUIRE_TMUX, so there this fails.
            assert!(
                std::env::var_os("REQUIRE_TMUX").is_none(),
                "tmux is not installed"
            );
            eprintln!("skipped: tmux is not installed (.ci/ci-systems.sh installs it)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("tmux.sock");
        let script = dir.path().join("run.sh");
        let mut text = String::from(
            "unset CI GITHUB_ACTIONS TF_BUILD NO_COLOR GITHUB_OUTPUT GITHUB_STEP_SUMMARY \
             PINECONE_BACKUP_WAIT_DOTENV PINECONE_BACKUP_ID PINECONE_CONTROLLER_HOST \
             HTTPS_PROXY https_proxy ALL_PROXY all_proxy\n\
             export TERM=xterm-256color\n",
        );
        text.push_str(&format!("export PINECONE_API_KEY={}\n", quote(KEY)));
        for (name, value) in env {
            text.push_str(&format!("export {name}={}\n", quote(value)));
        }
        text.push_str(&quote(env!("CARGO_BIN_EXE_pinecone-backup-wait")));
        for arg in args {
            text.push(' ');
            text.push_str(&quote(arg));
        }
        // The pane stays open after the run, showing how it ended.
        text.push_str("\nprintf 'exit %s\\n' \"$?\"\nexec sleep 600\n");
        std::fs::write(&script, text).unwrap();
        let tmux = Tmux { socket, _dir: dir };
        let started = tmux.tmux(&[
            "new-session",
            "-d",
            "-x",
            "120",
            "-y",
            "20",
            "-s",
            "wait",
            &format!("sh {}", quote(&script.display().to_string())),
        ]);
        assert!(started.status.success(), "tmux: {started:?}");
        Some(tmux)
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(["-f", "/dev/null"])
            .args(args)
            .output()
            .unwrap()
    }

    /// The screen as text; with `escapes`, colours as escape sequences.
    fn screen(&self, escapes: bool) -> String {
        let mut args = vec!["capture-pane", "-p", "-t", "wait"];
        if escapes {
            args.push("-e");
        }
        let out = self.tmux(&args);
        assert!(out.status.success(), "capture-pane: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Reads the screen until `done` holds, for at most `limit`.
    fn screen_when(&self, limit: Duration, done: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen(false);
            if done(&screen) {
                return screen;
            }
            assert!(
                started.elapsed() < limit,
                "not on screen after {limit:?}:\n{screen}"
            );
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

/// Single-quoted for sh.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The live status line's mark.
fn live_lines(screen: &str) -> Vec<&str> {
    screen.lines().filter(|l| l.contains(" left | ")).collect()
}

fn attempt_lines(screen: &str) -> usize {
    screen.lines().filter(|l| l.contains("] attempt ")).count()
}

fn waiter_args(url: &str) -> Vec<&str> {
    vec![
        "--backup-id",
        BACKUP_ID,
        "--api-host",
        url,
        "--timeout",
        "4s",
        "--initial-interval",
        "1500ms",
        "--max-interval",
        "1500ms",
    ]
}

#[test]
fn at_a_terminal_one_status_line_changes_in_place_and_the_verdict_stays() {
    let server = FakeControlPlane::start(Script::always(Reply::backup("Initializing")));
    let url = server.url();
    let Some(tmux) = Tmux::run(&waiter_args(&url), &[]) else {
        return;
    };
    let first = tmux.screen_when(Duration::from_secs(10), |s| live_lines(s).len() == 1);
    let second = tmux.screen_when(Duration::from_secs(3), |s| {
        live_lines(s).len() == 1 && live_lines(s) != live_lines(&first)
    });
    for screen in [&first, &second] {
        assert_eq!(live_lines(screen).len(), 1, "{screen}");
        assert_eq!(attempt_lines(screen), 1, "one permanent line:\n{screen}");
        assert!(
            live_lines(screen)[0].starts_with("status Initializing | "),
            "{screen}"
        );
    }
    // The screen did not grow: the second capture has as many lines.
    let used = |s: &str| s.lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(used(&first), used(&second), "{first}\n---\n{second}");

    let last = tmux.screen_when(Duration::from_secs(10), |s| s.contains("exit "));
    assert!(last.contains("exit 3"), "{last}");
    assert!(
        live_lines(&last).is_empty(),
        "the live line is erased:\n{last}"
    );
    assert_eq!(attempt_lines(&last), 1, "{last}");
    let verdict: Vec<&str> = last
        .lines()
        .filter(|l| l.starts_with("timeout: "))
        .collect();
    assert_eq!(verdict.len(), 1, "{last}");
    assert!(server.request_count() >= 3, "{last}");
    assert!(!last.contains(KEY));
    // Colour on a terminal: the verdict's label is red.
    let coloured = tmux.screen(true);
    assert!(coloured.contains("\x1b[31mtimeout"), "{coloured:?}");
}

#[test]
fn no_color_turns_colour_off_at_a_terminal() {
    let server = FakeControlPlane::start(Script::always(Reply::backup("Ready")));
    let url = server.url();
    for (env, colour) in [(&[][..], true), (&[("NO_COLOR", "1")][..], false)] {
        let Some(tmux) = Tmux::run(&waiter_args(&url), env) else {
            return;
        };
        let last = tmux.screen_when(Duration::from_secs(10), |s| s.contains("exit "));
        assert!(last.contains("exit 0"), "{last}");
        assert!(
            last.lines().any(|l| l.starts_with("ready: backup ")),
            "{last}"
        );
        let screen = tmux.screen(true);
        assert_eq!(
            screen.contains("\x1b[32mready"),
            colour,
            "{env:?}: {screen:?}"
        );
        if !colour {
            assert!(!screen.contains("\x1b["), "{screen:?}");
        }
    }
}

/// The screen of a terminal that is not a person's: under CI=true on a
/// terminal the log stays plain (no carriage returns), stamped with the time.
#[test]
fn a_terminal_under_ci_gets_the_plain_log() {
    let server = FakeControlPlane::start(Script::always(Reply::backup("Initializing")));
    let url = server.url();
    let mut args = waiter_args(&url);
    args.extend(["--timeout", "2s"]);
    let Some(tmux) = Tmux::run(&args, &[("CI", "true")]) else {
        return;
    };
    let last = tmux.screen_when(Duration::from_secs(10), |s| s.contains("exit "));
    assert!(last.contains("exit 3"), "{last}");
    assert!(live_lines(&last).is_empty(), "{last}");
    assert!(attempt_lines(&last) >= 2, "one line per attempt:\n{last}");
    assert!(
        last.lines()
            .filter(|l| l.contains("] attempt "))
            .all(|l| l.as_bytes().get(2) == Some(&b':')),
        "{last}"
    );
}
