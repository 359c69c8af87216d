//! A fake Pinecone control plane on 127.0.0.1: for trying the waiter by
//! hand (README, "Try it by hand"), the action's self-test and the
//! benchmarks. `GET /backups/{id}` describes backup `{id}` as `Initializing`
//! until `--ready-after` has passed, then in `--final-status`; on request it
//! answers with an HTTP error instead (`--fail-with`, `--fail-first`).
//! `--help` is the reference.
//!
//! Durations take the waiter's own grammar (`src/config/duration.rs`), so
//! what works for `--timeout` works for `--ready-after`. Arguments are read
//! by hand: testkit stays free of clap.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use serde_json::json;
use testkit::duration::parse as parse_duration;
use testkit::{FakeControlPlane, Recorded, Reply, Script};

const HELP: &str = "\
fake-control-plane: a fake Pinecone control plane on 127.0.0.1, for trying
pinecone-backup-wait by hand and for its self-tests and benchmarks.

GET /backups/{id} describes backup {id} (Pinecone's example BackupModel) as
Initializing until --ready-after has passed since the start, then in
--final-status. Prints http://127.0.0.1:PORT on stdout once listening, one
line per request on stderr, and serves until killed.

Usage: fake-control-plane [OPTIONS]

Options:
  --ready-after DURATION  when the backup leaves Initializing [default: 0]
  --final-status STATUS   the status it then has [default: Ready]; e.g. Failed
  --api-key KEY           answer 401 (plain text, as Pinecone's gateway does)
                          to requests without this Api-Key
  --fail-with CODE        answer HTTP CODE (400 to 599) instead of the backup,
                          with Pinecone's error body: 401 UNAUTHENTICATED,
                          403 FORBIDDEN, 404 NOT_FOUND, 429 RESOURCE_EXHAUSTED,
                          500 UNKNOWN, 503 UNAVAILABLE, ...; 429 and 503 carry
                          a Retry-After header
  --fail-first N          fail only the first N requests with --fail-with,
                          then describe the backup [default: every request]
  --retry-after DURATION  Retry-After of 429 and 503 answers, in whole seconds
                          [default: 1s]
  --port N                port to listen on [default: any free port]
  --port-file PATH        write the port to PATH once listening
  -h, --help              print this help

DURATION, as pinecone-backup-wait takes it: a whole number with a unit,
500ms, 2s, 10m, 1h, or several units largest first, 1h30m, 2m30s500ms (each
of h, m, s, ms at most once), or a bare number of seconds; at most 30 days.

Example, in two terminals:
  fake-control-plane --port 8700 --ready-after 20s --api-key demo-key
  PINECONE_API_KEY=demo-key pinecone-backup-wait --backup-id my-backup \\
      --api-host http://127.0.0.1:8700
";

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Options {
    port: u16,
    port_file: Option<PathBuf>,
    ready_after: Duration,
    final_status: String,
    api_key: Option<String>,
    fail: Option<Failure>,
    retry_after_seconds: u64,
}

/// `--fail-with` and `--fail-first`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Failure {
    status: u16,
    /// `None`: every request.
    first: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            port: 0,
            port_file: None,
            ready_after: Duration::ZERO,
            final_status: "Ready".to_owned(),
            api_key: None,
            fail: None,
            retry_after_seconds: 1,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Command {
    Help,
    Serve(Options),
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Serve(options)) => options,
        Ok(Command::Help) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(problem) => {
            eprintln!("fake-control-plane: {problem}\nTry 'fake-control-plane --help'.");
            return ExitCode::from(2);
        }
    };
    let addr = format!("127.0.0.1:{}", options.port);
    let server = match FakeControlPlane::bind(&addr, logged(script(&options))) {
        Ok(server) => server,
        Err(err) => {
            eprintln!("fake-control-plane: cannot listen on {addr}: {err}");
            return ExitCode::from(1);
        }
    };
    if let Some(path) = &options.port_file
        && let Err(err) = std::fs::write(path, server.addr().port().to_string())
    {
        eprintln!("fake-control-plane: cannot write {}: {err}", path.display());
        return ExitCode::from(1);
    }
    println!("{}", server.url());
    let _ = std::io::stdout().flush();
    loop {
        std::thread::park();
    }
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut options = Options::default();
    let mut fail_with = None;
    let mut fail_first = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(Command::Help);
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--port" => {
                let text = value()?;
                options.port = text
                    .parse()
                    .map_err(|_| format!("--port takes a port number, not '{text}'"))?;
            }
            "--port-file" => options.port_file = Some(PathBuf::from(value()?)),
            "--ready-after" => {
                options.ready_after =
                    parse_duration(&value()?).map_err(|err| format!("--ready-after: {err}"))?;
            }
            "--final-status" => options.final_status = value()?,
            "--api-key" => options.api_key = Some(value()?),
            "--fail-with" => {
                let text = value()?;
                let status = text
                    .parse::<u16>()
                    .ok()
                    .filter(|status| (400..=599).contains(status))
                    .ok_or_else(|| {
                        format!("--fail-with takes an HTTP error status, 400 to 599, not '{text}'")
                    })?;
                fail_with = Some(status);
            }
            "--fail-first" => {
                let text = value()?;
                let count = text.parse().map_err(|_| {
                    format!("--fail-first takes a number of requests, not '{text}'")
                })?;
                fail_first = Some(count);
            }
            "--retry-after" => {
                let text = value()?;
                let duration =
                    parse_duration(&text).map_err(|err| format!("--retry-after: {err}"))?;
                if duration.subsec_nanos() != 0 {
                    return Err(format!(
                        "--retry-after: '{text}' is not whole seconds, which is all Retry-After can say"
                    ));
                }
                options.retry_after_seconds = duration.as_secs();
            }
            other => return Err(format!("unexpected argument '{other}'")),
        }
    }
    options.fail = match (fail_with, fail_first) {
        (Some(status), first) => Some(Failure { status, first }),
        (None, Some(_)) => return Err("--fail-first needs --fail-with CODE".to_owned()),
        (None, None) => None,
    };
    Ok(Command::Serve(options))
}

/// The backup's timeline, behind the key check and the failures asked for.
fn script(options: &Options) -> Script {
    let settles = Script::settles_after(options.ready_after, &options.final_status);
    let mut script = match options.fail {
        None => settles,
        Some(failure) => {
            let retry_after = options.retry_after_seconds;
            Script::from_fn(move |request| {
                if failure.first.is_none_or(|first| request.index < first) {
                    error_reply(failure.status, backup_id(request), retry_after)
                } else {
                    settles.respond(request)
                }
            })
        }
    };
    if let Some(key) = &options.api_key {
        script = script.requiring_api_key(key);
    }
    script
}

/// The id in `/backups/{id}`, as sent (still percent-encoded).
fn backup_id(request: &Recorded) -> &str {
    request
        .target
        .strip_prefix("/backups/")
        .unwrap_or(&request.target)
}

/// What Pinecone answers with `status`: its ErrorResponse shape, with the
/// code its specs list for that status.
fn error_reply(status: u16, backup_id: &str, retry_after_seconds: u64) -> Reply {
    let (code, message) = match status {
        401 => ("UNAUTHENTICATED", "Invalid API key.".to_owned()),
        402 => ("PAYMENT_REQUIRED", "Payment required".to_owned()),
        403 => (
            "FORBIDDEN",
            "The API key may not read this backup".to_owned(),
        ),
        404 => ("NOT_FOUND", format!("Backup {backup_id} not found.")),
        408 | 504 => ("DEADLINE_EXCEEDED", "Deadline exceeded".to_owned()),
        409 => ("ALREADY_EXISTS", "Conflict".to_owned()),
        412 => ("FAILED_PRECONDITION", "Failed precondition".to_owned()),
        422 => ("UNPROCESSABLE_ENTITY", "Unprocessable entity".to_owned()),
        429 => ("RESOURCE_EXHAUSTED", "Too many requests".to_owned()),
        500 => ("UNKNOWN", "Internal server error".to_owned()),
        501 => ("UNIMPLEMENTED", "Not implemented".to_owned()),
        503 => ("UNAVAILABLE", "Service unavailable".to_owned()),
        ..=499 => ("INVALID_ARGUMENT", format!("HTTP {status}")),
        _ => ("INTERNAL", format!("HTTP {status}")),
    };
    let reply = Reply::json(
        status,
        json!({"error": {"code": code, "message": message}, "status": status}),
    );
    if status == 429 || status == 503 {
        reply.with_header("Retry-After", &retry_after_seconds.to_string())
    } else {
        reply
    }
}

/// Logs each request and the status answered, on stderr.
fn logged(script: Script) -> Script {
    Script::from_fn(move |request| {
        let reply = script.respond(request);
        let answer = match &reply {
            Reply::Http { status, body, .. } => {
                let backup_status = serde_json::from_slice::<serde_json::Value>(body)
                    .ok()
                    .and_then(|body| body["status"].as_str().map(str::to_owned));
                match backup_status {
                    Some(backup_status) => format!("{status} {backup_status}"),
                    None => status.to_string(),
                }
            }
            other => format!("{other:?}"),
        };
        eprintln!(
            "[{:>8.3}s] #{} {} {} -> {answer}",
            request.at.as_secs_f64(),
            request.index + 1,
            request.method,
            request.target.escape_debug(),
        );
        reply
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serve_options(args: &[&str]) -> Options {
        match parse_args(args.iter().map(|arg| (*arg).to_owned())) {
            Ok(Command::Serve(options)) => options,
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    fn refused(args: &[&str]) -> String {
        parse_args(args.iter().map(|arg| (*arg).to_owned())).expect_err(&format!("{args:?}"))
    }

    fn request(index: usize, target: &str) -> Recorded {
        Recorded {
            index,
            at: Duration::ZERO,
            method: "GET".into(),
            target: target.into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    fn status_of(reply: &Reply) -> u16 {
        match reply {
            Reply::Http { status, .. } => *status,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn accepts_the_waiters_duration_grammar() {
        let cases = [
            ("500ms", 500),
            ("2s", 2_000),
            ("10m", 600_000),
            ("1h", 3_600_000),
            ("1h30m", 5_400_000),
            ("1h30m15s250ms", 5_415_250),
            ("45", 45_000),
            ("0", 0),
            (" 2s ", 2_000),
            ("720h", 2_592_000_000),
        ];
        for (text, millis) in cases {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_millis(millis)),
                "{text}"
            );
        }
    }

    #[test]
    fn refuses_repeated_out_of_order_fractional_and_unknown_units() {
        for bad in [
            "1h1h",
            "30s1h",
            "1m1h",
            "500ms2s",
            "1s1s",
            "1.5s",
            "0.6s",
            "-1s",
            "2S",
            "10 m",
            "1h30",
            "s",
            "",
            "721h",
            "5x",
            "99999999999999999999s",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(
            parse_duration("30s1h")
                .unwrap_err()
                .contains("largest first")
        );
    }

    #[test]
    fn flags_take_values_separately_or_after_an_equals_sign() {
        let options = serve_options(&[
            "--ready-after",
            "1h30m",
            "--final-status=Failed",
            "--api-key",
            "k",
            "--fail-with",
            "503",
            "--fail-first=2",
            "--retry-after",
            "1m",
            "--port",
            "8700",
        ]);
        assert_eq!(
            options,
            Options {
                port: 8700,
                port_file: None,
                ready_after: Duration::from_secs(5400),
                final_status: "Failed".into(),
                api_key: Some("k".into()),
                fail: Some(Failure {
                    status: 503,
                    first: Some(2)
                }),
                retry_after_seconds: 60,
            }
        );
        assert_eq!(serve_options(&[]), Options::default());
        assert_eq!(
            parse_args(["--help".to_owned()].into_iter()),
            Ok(Command::Help)
        );
    }

    #[test]
    fn refuses_bad_flags_naming_them() {
        assert!(refused(&["--ready-after", "1h1h"]).starts_with("--ready-after: "));
        assert!(refused(&["--fail-with", "200"]).contains("400 to 599"));
        assert!(refused(&["--fail-with", "600"]).contains("400 to 599"));
        assert!(refused(&["--fail-first", "2"]).contains("needs --fail-with"));
        assert!(refused(&["--retry-after", "1500ms"]).contains("whole seconds"));
        assert!(refused(&["--port", "99999"]).contains("--port"));
        assert!(refused(&["--ready-after"]).contains("needs a value"));
        assert!(refused(&["--nope"]).contains("'--nope'"));
    }

    #[test]
    fn fails_every_request_or_only_the_first_n() {
        let always = script(&serve_options(&["--fail-with", "404"]));
        for index in 0..5 {
            assert_eq!(
                status_of(&always.respond(&request(index, "/backups/b1"))),
                404
            );
        }
        let first_two = script(&serve_options(&["--fail-with", "500", "--fail-first", "2"]));
        let statuses: Vec<u16> = (0..4)
            .map(|index| status_of(&first_two.respond(&request(index, "/backups/b1"))))
            .collect();
        assert_eq!(statuses, [500, 500, 200, 200]);
    }

    #[test]
    fn error_replies_have_pinecones_shape_and_retry_after_where_due() {
        let text = |reply: Reply| String::from_utf8(reply.to_bytes()).unwrap();
        let not_found = text(error_reply(404, "my-backup", 1));
        assert!(not_found.starts_with("HTTP/1.1 404 Not Found\r\n"));
        assert!(not_found.ends_with(
            r#"{"error":{"code":"NOT_FOUND","message":"Backup my-backup not found."},"status":404}"#
        ));
        assert!(!not_found.contains("Retry-After"));
        let busy = text(error_reply(429, "b", 7));
        assert!(busy.contains("\r\nRetry-After: 7\r\n"), "{busy}");
        assert!(busy.contains(r#""code":"RESOURCE_EXHAUSTED""#));
        assert!(text(error_reply(503, "b", 2)).contains("\r\nRetry-After: 2\r\n"));
        assert!(text(error_reply(401, "b", 1)).contains(r#""code":"UNAUTHENTICATED""#));
        assert!(text(error_reply(502, "b", 1)).starts_with("HTTP/1.1 502 Bad Gateway\r\n"));
    }
}
