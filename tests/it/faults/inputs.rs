//! Inputs: invalid usage is refused with exit 2 before any request, with a
//! message that names the flag and the value (never the key), printed once,
//! and outputs written; no input, however hostile, can write a workflow
//! command; odd but valid inputs (ids with reserved characters, hosts with
//! a path prefix) reach exactly the right URL.

use testkit::{FakeControlPlane, Reply, Script};

use crate::support::{BACKUP_ID, KEY, Run, bare_waiter, waiter};

/// A Ready backup that carries whatever id was asked for, so odd but valid
/// ids still describe the requested backup.
fn server() -> FakeControlPlane {
    FakeControlPlane::start(Script::settles_after(std::time::Duration::ZERO, "Ready"))
}

#[track_caller]
fn refused(args: &[&str], needle: &str) {
    let server = server();
    let run = waiter(&server.url()).args(args).run();
    run.assert_result(2, "invalid")
        .assert_error_contains(needle);
    assert!(run.stderr.contains(needle), "{}", run.describe());
    assert_eq!(server.request_count(), 0, "{args:?} made a request");
}

#[test]
fn a_missing_backup_id_is_a_usage_error() {
    let run = bare_waiter().run();
    run.assert_result(2, "invalid")
        .assert_error_contains("the following required arguments were not provided");
    assert!(run.stderr.contains("--backup-id <ID>"));
}

#[test]
fn an_empty_backup_id_from_the_environment_counts_as_missing_or_empty() {
    let server = server();
    let run = bare_waiter()
        .env("PINECONE_BACKUP_ID", "")
        .args(["--api-host", &server.url()])
        .run();
    run.assert_result(2, "invalid");
    assert_eq!(server.request_count(), 0);
}

#[test]
fn blank_and_dot_backup_ids_are_refused() {
    refused(&["--backup-id", "  "], "the backup id is empty");
    refused(&["--backup-id", ".."], "'..' is not a backup id");
    refused(&["--backup-id", "."], "'.' is not a backup id");
}

#[test]
fn garbage_zero_and_negative_durations_are_refused() {
    // `--timeout 0` is one check (faults/deadline.rs); intervals cannot be zero.
    refused(
        &["--initial-interval", "0"],
        "--initial-interval: 0ms must be greater than zero",
    );
    refused(
        &["--timeout=-5s"],
        "invalid value '-5s' for '--timeout <DURATION>'",
    );
    refused(
        &["--initial-interval", "fast"],
        "invalid value 'fast' for '--initial-interval <DURATION>'",
    );
    refused(
        &["--request-timeout", "0s"],
        "--request-timeout: 0ms must be greater than zero",
    );
    refused(&["--max-interval", "10x"], "unknown unit 'x'");
}

#[test]
fn an_initial_interval_above_the_max_interval_is_refused() {
    refused(
        &["--initial-interval", "2m", "--max-interval", "1m"],
        "--initial-interval: 2m is longer than --max-interval 1m",
    );
}

#[test]
fn a_multiplier_below_one_is_refused() {
    refused(
        &["--multiplier", "0.5"],
        "'--multiplier <FACTOR>': 0.5 is outside 1..=100",
    );
}

#[test]
fn plain_http_to_a_remote_host_is_refused_before_connecting() {
    refused(
        &["--api-host", "http://api.pinecone.io"],
        "only sent over TLS",
    );
}

#[test]
fn overlapping_ready_and_failed_statuses_are_refused() {
    refused(
        &["--failed-status", "Ready"],
        "in both --ready-status and --failed-status",
    );
}

#[test]
fn custom_ready_and_failed_statuses_are_honoured() {
    let server = FakeControlPlane::start(Script::sequence(vec![
        Reply::backup("Ready"),
        Reply::backup("Archived"),
    ]));
    let run = waiter(&server.url())
        .args(["--ready-status", "Archived", "--failed-status", "Failed"])
        .run();
    run.assert_result(0, "ready");
    assert_eq!(run.output("status"), "Archived");
    assert_eq!(server.request_count(), 2);
    assert!(
        run.stderr
            .contains("backup status 'Ready' is neither a ready nor a failed status")
    );
}

#[test]
fn version_and_help_exit_0_without_outputs() {
    let run = bare_waiter().args(["--version"]).run();
    assert_eq!(run.code, Some(0));
    assert!(run.stdout.starts_with("pinecone-backup-wait "));
    assert!(run.outputs.is_empty());
}

#[test]
fn a_usage_error_with_json_still_answers_in_json() {
    let run = bare_waiter().args(["--json", "--bogus"]).run();
    run.assert_result(2, "invalid");
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["result"], "invalid");
    assert!(json["error"].as_str().unwrap().contains("--bogus"));
}

#[test]
fn reserved_characters_in_the_id_stay_inside_one_path_segment() {
    let cases = [
        ("a/b", "/backups/a%2Fb"),
        ("../indexes", "/backups/..%2Findexes"),
        ("x?y=1", "/backups/x%3Fy%3D1"),
        ("x#frag", "/backups/x%23frag"),
        ("100%", "/backups/100%25"),
        ("with space", "/backups/with%20space"),
        ("...", "/backups/..."),
        ("ünï", "/backups/%C3%BCn%C3%AF"),
    ];
    for (id, target) in cases {
        // The answer names the decoded id, as the request asked for it.
        let server = FakeControlPlane::start(Script::always(Reply::json(
            200,
            serde_json::json!({"backup_id": id, "status": "Ready"}),
        )));
        waiter(&server.url())
            .args(["--backup-id", id])
            .run()
            .assert_result(0, "ready");
        assert_eq!(server.requests()[0].target, target, "id {id:?}");
    }
}

#[test]
fn an_api_host_with_a_trailing_slash_or_a_path_prefix_is_joined_cleanly() {
    let server = server();
    for (suffix, target) in [
        ("/", ""),
        ("//", ""),
        ("/gateway/pinecone", "/gateway/pinecone"),
        ("/gateway/pinecone/", "/gateway/pinecone"),
    ] {
        let target = format!("{target}{}", crate::support::BACKUP_PATH);
        let host = format!("{}{suffix}", server.url());
        waiter(&host).run().assert_result(0, "ready");
        assert_eq!(
            server.requests().last().unwrap().target,
            target,
            "host {host}"
        );
    }
}

#[test]
fn plain_http_to_a_host_that_is_not_loopback_never_connects() {
    // 0.0.0.0 would reach this machine's listener, but it is not loopback.
    let server = server();
    let host = server.url().replace("127.0.0.1", "0.0.0.0");
    let run = waiter(&host).run();
    run.assert_result(2, "invalid")
        .assert_error_contains("only sent over TLS");
    assert_eq!(server.request_count(), 0);
}

#[test]
fn localhost_is_accepted_over_plain_http() {
    let server = server();
    let port = server.addr().port();
    waiter(&format!("http://localhost:{port}"))
        .run()
        .assert_result(0, "ready");
    assert_eq!(server.request_count(), 1);
}

#[test]
fn whitespace_around_values_is_trimmed() {
    // The answer names the trimmed id: that is the id asked for.
    let server = FakeControlPlane::start(Script::always(Reply::json(
        200,
        serde_json::json!({"backup_id": "b1", "status": "Ready"}),
    )));
    let run = waiter(&server.url())
        .args(["--backup-id", "  b1\n"])
        .env("PINECONE_API_KEY", format!("  {}\n", crate::support::KEY))
        .run();
    run.assert_result(0, "ready");
    assert_eq!(server.requests()[0].target, "/backups/b1");
    assert_eq!(
        server.requests()[0].header("api-key"),
        Some(crate::support::KEY)
    );
}

/// Aimed at the runner's command parser: new-style commands at a line start
/// (also after whitespace and after a lone CR), the legacy `##[` form
/// anywhere in a line.
const FORGED: &str =
    "\n::error title=x::forged\r::add-mask::masked\n  ::warning::w ##[add-mask]legacy";

/// Lines of ours that are workflow commands, by how they start.
const OUR_COMMANDS: [&str; 6] = [
    "::error title=pinecone-backup-wait%3A invalid usage::",
    "::add-mask::pcsk_",
    "::group::Waiting for Pinecone backup ",
    "::endgroup::",
    "::notice title=Pinecone backup is ready::",
    "::warning::",
];

/// One hostile input: where it goes and how the run must end.
struct Hostile {
    /// The input, for failure messages.
    input: &'static str,
    /// Extra arguments (after the harness's own; the last of a flag wins).
    args: Vec<String>,
    /// Environment variables to set.
    env: Vec<(&'static str, String)>,
    /// Harness flags to leave out, so an environment fallback is used.
    without: &'static [&'static str],
    /// Expected exit code.
    code: i32,
}

fn flag(input: &'static str, value: String) -> Hostile {
    Hostile {
        input,
        args: vec![input.to_owned(), value],
        env: Vec::new(),
        without: &[],
        code: 2,
    }
}

fn var(input: &'static str, value: String, without: &'static [&'static str]) -> Hostile {
    Hostile {
        input,
        args: Vec::new(),
        env: vec![(input, value)],
        without,
        code: 2,
    }
}

fn ends_with(mut hostile: Hostile, code: i32) -> Hostile {
    hostile.code = code;
    hostile
}

/// Every flag, every environment fallback and every other variable read,
/// with the forged text where it reaches a message.
fn hostile_inputs() -> Vec<Hostile> {
    let f = |prefix: &str| format!("{prefix}{FORGED}");
    vec![
        flag("--backup-id", f("b1")),
        flag("--api-key", f("pcsk_x")),
        flag("--api-host", f("http://127.0.0.1:1")),
        flag("--api-host", f("ftp://h")),
        flag("--api-version", f("2025-04")),
        flag("--timeout", f("45m")),
        flag("--initial-interval", f("1s")),
        flag("--max-interval", f("1m")),
        flag("--request-timeout", f("5s")),
        flag("--multiplier", f("2")),
        flag("--ready-status", f("Ready")),
        flag("--failed-status", f("Failed")),
        flag("--jitter-seed", f("1")),
        Hostile {
            args: vec![f("--json=")],
            ..flag("--json=", String::new())
        },
        Hostile {
            args: vec![f("--x")],
            ..flag("unknown flag", String::new())
        },
        Hostile {
            args: vec![f("stray")],
            ..flag("positional", String::new())
        },
        Hostile {
            args: vec!["--timeout".to_owned(), f("-")],
            ..flag("--timeout (leading hyphen)", String::new())
        },
        var("PINECONE_BACKUP_ID", f("b1"), &["--backup-id"]),
        var("PINECONE_API_KEY", f("pcsk_x"), &[]),
        var(
            "PINECONE_CONTROLLER_HOST",
            f("http://127.0.0.1:1"),
            &["--api-host"],
        ),
        var("PINECONE_API_VERSION", f("2025-04"), &[]),
        var("PINECONE_ADDITIONAL_HEADERS", f("{"), &[]),
        var(
            "PINECONE_ADDITIONAL_HEADERS",
            format!("{{\"X-A{}\": \"v\"}}", FORGED.escape_default()),
            &[],
        ),
        var(
            "PINECONE_ADDITIONAL_HEADERS",
            format!("{{\"X-A\": \"v{}\"}}", FORGED.escape_default()),
            &[],
        ),
        var("HTTPS_PROXY", f("http://u:p@proxy:3128"), &[]),
        var("https_proxy", f("proxy"), &[]),
        var("ALL_PROXY", f("http://proxy:99999"), &[]),
        var("all_proxy", f("socks5://proxy"), &[]),
        // Read but never quoted: the run goes on and must stay clean.
        ends_with(var("NO_PROXY", f("localhost"), &[]), 0),
        ends_with(var("HTTP_PROXY", f("http://proxy"), &[]), 0),
        ends_with(
            Hostile {
                args: vec![
                    "--backup-id".into(),
                    "b1 ##[add-mask]legacy ::error::x".into(),
                ],
                ..flag("--backup-id without a newline", String::new())
            },
            0,
        ),
        ends_with(
            flag(
                "--ready-status",
                "Ready, ##[add-mask]legacy ::error::x".into(),
            ),
            0,
        ),
    ]
}

/// Runs one hostile input under GitHub Actions, with `--json`.
fn run_hostile(hostile: &Hostile, server: &FakeControlPlane) -> Run {
    let base = [
        ("--backup-id", BACKUP_ID.to_owned()),
        ("--api-host", server.url()),
        ("--timeout", "5s".to_owned()),
        ("--initial-interval", "10ms".to_owned()),
        ("--max-interval", "50ms".to_owned()),
    ];
    let mut waiter = bare_waiter().in_github_actions().args(["--json"]);
    for (name, value) in base {
        if !hostile.without.contains(&name) {
            waiter = waiter.args([name, value.as_str()]);
        }
    }
    for (name, value) in &hostile.env {
        waiter = waiter.env(name, value);
    }
    waiter.args(&hostile.args).run()
}

#[test]
fn no_input_can_write_a_workflow_command() {
    // Regression (issue 8): a newline in any flag value, stray argument or
    // variable started a line of ours with `::`.
    let server = server();
    for hostile in hostile_inputs() {
        let run = run_hostile(&hostile, &server);
        let context = format!("input {}\n{}", hostile.input, run.describe());
        assert_eq!(run.code, Some(hostile.code), "{context}");
        for command in run.workflow_commands() {
            assert!(
                OUR_COMMANDS
                    .iter()
                    .any(|ours| command.line.starts_with(ours)),
                "a workflow command that is not ours: {:?}\n{context}",
                command.line
            );
            if command.name == "add-mask" {
                assert_eq!(command.data, KEY, "{context}");
            }
        }
        for line in run
            .stderr
            .split(['\n', '\r'])
            .chain(run.stdout.split(['\n', '\r']))
        {
            assert!(
                !line.contains("##["),
                "legacy prefix in {line:?}\n{context}"
            );
        }
        let error = run.output("error");
        assert!(
            !error.contains(['\n', '\r']),
            "error output {error:?}\n{context}"
        );
        let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON line");
        assert_eq!(json["exit_code"], hostile.code, "{context}");
        if hostile.code == 2 {
            assert_eq!(run.workflow_command_names(), ["error"], "{context}");
            assert_eq!(json["error"], error, "{context}");
            assert_eq!(server.request_count(), 0, "{context}");
        }
    }
}

#[test]
fn a_usage_error_is_printed_once_plus_one_annotation() {
    // Regression (issue 8): clap's message, then the verdict line, then the
    // annotation said the same thing three times.
    for args in [
        &["--bogus"][..],
        &["--timeout", "soon"],
        &["--multiplier", "0"],
    ] {
        let run = bare_waiter()
            .in_github_actions()
            .args(["--backup-id", "b1"])
            .args(args)
            .run();
        run.assert_result(2, "invalid");
        let summary = run.output("error");
        let plain: Vec<&str> = run
            .stderr
            .lines()
            .filter(|line| !line.starts_with("::") && line.contains(summary))
            .collect();
        assert_eq!(plain, [format!("error: {summary}")], "{}", run.describe());
        assert_eq!(
            run.workflow_command_names(),
            ["error"],
            "{}",
            run.describe()
        );
        let last_lines: Vec<&str> = run.stderr.lines().rev().take(2).collect();
        assert_eq!(
            last_lines,
            [
                format!("::error title=pinecone-backup-wait%3A invalid usage::{summary}"),
                "For more information, try '--help'.".to_owned()
            ],
            "{}",
            run.describe()
        );
        assert!(!run.stderr.contains("invalid: "), "{}", run.describe());
    }
}

#[test]
fn a_negative_duration_is_refused_as_negative() {
    // Regression (issue 8): clap took `-5s` for a flag: "unexpected argument '-5'".
    for flag in [
        "--timeout",
        "--initial-interval",
        "--max-interval",
        "--request-timeout",
    ] {
        refused(&[flag, "-5s"], "durations cannot be negative");
    }
    refused(&["--timeout", "--json"], "is the value missing?");
}

#[test]
fn repeated_and_out_of_order_duration_units_are_refused() {
    // Regression (issue 8): `1h1h` was two hours and `30s1h` an hour and a half minute.
    refused(&["--timeout", "1h1h"], "unit 'h' appears twice");
    refused(&["--timeout", "30s1h"], "unit 'h' comes after 's'");
    refused(&["--max-interval", "1s1m"], "unit 'm' comes after 's'");
}

#[test]
fn a_multiplier_is_trimmed_like_a_duration() {
    // Regression (issue 8): " 2" was refused while " 2s" was accepted.
    let server = server();
    waiter(&server.url())
        .args(["--multiplier", " 2", "--timeout", " 5s "])
        .run()
        .assert_result(0, "ready");
    refused(&["--multiplier", "NaN"], "not a finite number");
    refused(&["--multiplier", "-2"], "-2 is outside 1..=100");
}

#[test]
fn ports_out_of_range_zero_or_empty_are_refused_before_any_request() {
    // Regression (issue 8): `:99999` and `:65616` silently became port 80
    // (the key went there), `:0` was retried until the deadline.
    let server = server();
    for (host, reason) in [
        (
            "http://localhost:99999",
            "port '99999' is not a number from 1 to 65535",
        ),
        (
            "http://localhost:65616",
            "port '65616' is not a number from 1 to 65535",
        ),
        ("http://127.0.0.1:0", "port 0 cannot be connected to"),
        ("http://127.0.0.1:", "the port after ':' is empty"),
        (
            "https://api.pinecone.io:https",
            "port 'https' is not a number",
        ),
    ] {
        let run = bare_waiter()
            .args([
                "--backup-id",
                BACKUP_ID,
                "--api-host",
                host,
                "--timeout",
                "5s",
            ])
            .run();
        run.assert_result(2, "invalid")
            .assert_error_contains("--api-host")
            .assert_error_contains(reason);
        assert!(
            run.elapsed < std::time::Duration::from_secs(2),
            "{}",
            run.describe()
        );
    }
    let port = server.addr().port();
    bare_waiter()
        .env(
            "PINECONE_CONTROLLER_HOST",
            format!("http://127.0.0.1:{port}/"),
        )
        .args(["--backup-id", BACKUP_ID, "--timeout", "5s"])
        .run()
        .assert_result(0, "ready");
}

#[test]
fn an_overlap_of_ready_and_failed_names_the_flag_typed() {
    // Regression (issue 8): `--ready-status Failed` blamed --failed-status.
    refused(
        &["--ready-status", "Failed"],
        "invalid value for --ready-status: status 'Failed' is in both",
    );
    refused(
        &["--failed-status", "Ready"],
        "invalid value for --failed-status: status 'Ready' is in both",
    );
}

#[test]
fn an_unusable_proxy_variable_is_refused_naming_it_without_its_password() {
    // Regression (issue 8): the client ignored an invalid proxy URL and
    // connected directly.
    for (variable, value, shown) in [
        (
            "HTTPS_PROXY",
            "http://me:hunter2@proxy:99999",
            "'http://***@proxy:99999'",
        ),
        (
            "https_proxy",
            "http://me:hun/ter2@proxy:8080",
            "'http://***@proxy:8080'",
        ),
        (
            "ALL_PROXY",
            "socks5://me:hunter2@proxy:1080",
            "SOCKS proxies are not supported",
        ),
        ("all_proxy", "http://proxy:", "the port after ':' is empty"),
    ] {
        let server = server();
        let run = waiter(&server.url()).env(variable, value).run();
        run.assert_result(2, "invalid")
            .assert_error_contains(&format!("invalid value for {variable}: "))
            .assert_error_contains(shown);
        for text in [&run.stderr, &run.stdout, &run.output_file, &run.summary] {
            assert!(
                !text.contains("hunter2") && !text.contains("ter2"),
                "{}",
                run.describe()
            );
        }
        assert_eq!(server.request_count(), 0);
    }
}

#[test]
fn the_https_proxy_variable_carries_requests_and_the_log_names_it() {
    // The proxy answers the CONNECT and then speaks no TLS: the request
    // fails, but the proxy saw the tunnel and never the key.
    let proxy = FakeControlPlane::start(Script::always(Reply::Raw(
        b"HTTP/1.1 200 Connection established\r\n\r\nnot TLS".to_vec(),
    )));
    let run = bare_waiter()
        .env(
            "HTTPS_PROXY",
            format!("http://user:hunter2@{}", proxy.addr()),
        )
        .env("ALL_PROXY", "http://unused.invalid:1")
        .env("HTTP_PROXY", "http://unused.invalid:2")
        .args([
            "--backup-id",
            "b1",
            "--api-host",
            "https://api.example.test",
        ])
        .args(["--timeout", "2s"])
        .run();
    assert_eq!(run.code, Some(6), "{}", run.describe());
    let requests = proxy.requests();
    assert_eq!(requests[0].method, "CONNECT", "{}", run.describe());
    assert_eq!(requests[0].target, "api.example.test:443");
    assert!(requests.iter().all(|r| r.header("api-key").is_none()));
    assert!(
        run.stderr.contains(&format!(
            "requests go through proxy http://***@{} (from HTTPS_PROXY)",
            proxy.addr()
        )),
        "{}",
        run.describe()
    );
    assert!(!run.stderr.contains("hunter2"), "{}", run.describe());
}

#[test]
fn long_help_shows_the_duration_grammar_and_the_environment() {
    let run = bare_waiter().args(["--help"]).run();
    assert_eq!(run.code, Some(0));
    for needle in [
        "units largest first",
        "GITHUB_OUTPUT",
        "GITHUB_STEP_SUMMARY",
        "PINECONE_ADDITIONAL_HEADERS",
        "HTTPS_PROXY",
        "NO_PROXY",
    ] {
        assert!(
            run.stdout.contains(needle),
            "--help lacks {needle}\n{}",
            run.stdout
        );
    }
}
