//! At home in other CI systems (issue 11): the GitLab dotenv report, read
//! back with GitLab's own rules; Azure Pipelines logging commands, read back
//! with the agent's; the UTC time on plain log lines and nowhere else.
//!
//! The harness writes a dotenv report on every run and checks that GitLab
//! would accept it; these tests check what it says.

use serde_json::Value;
use testkit::azure::{LoggingCommand, logging_commands, mentions_keyword, read_lines};
use testkit::payloads::HOSTILE;
use testkit::{FakeControlPlane, Reply, Script};

use crate::support::{BACKUP_ID, BACKUP_PATH, Run, STRING_FIELDS, bare_waiter, waiter};

// Spelled out rather than imported: the names are the contract pipelines
// rely on.
const NAMES: [&str; 20] = [
    "PINECONE_BACKUP_ID",
    "PINECONE_BACKUP_NAME",
    "PINECONE_BACKUP_STATUS",
    "PINECONE_BACKUP_RESULT",
    "PINECONE_BACKUP_ERROR",
    "PINECONE_BACKUP_SOURCE_INDEX_NAME",
    "PINECONE_BACKUP_SOURCE_INDEX_ID",
    "PINECONE_BACKUP_CREATED_AT",
    "PINECONE_BACKUP_RECORD_COUNT",
    "PINECONE_BACKUP_NAMESPACE_COUNT",
    "PINECONE_BACKUP_SIZE_BYTES",
    "PINECONE_BACKUP_ATTEMPTS",
    "PINECONE_BACKUP_ELAPSED_SECONDS",
    "PINECONE_BACKUP_CREATED",
    "PINECONE_BACKUP_SELECTED_BY",
    "PINECONE_BACKUP_STAGE",
    "PINECONE_BACKUP_RESTORE_JOB_ID",
    "PINECONE_BACKUP_RESTORE_STATUS",
    "PINECONE_BACKUP_RESTORED_INDEX_NAME",
    "PINECONE_BACKUP_RESTORED_INDEX_HOST",
];

/// The step outputs each variable repeats, where there is one.
const SAME_AS_OUTPUT: [(&str, &str); 12] = [
    ("PINECONE_BACKUP_NAME", "name"),
    ("PINECONE_BACKUP_STATUS", "status"),
    ("PINECONE_BACKUP_RESULT", "result"),
    ("PINECONE_BACKUP_ERROR", "error"),
    ("PINECONE_BACKUP_SOURCE_INDEX_NAME", "source_index_name"),
    ("PINECONE_BACKUP_SOURCE_INDEX_ID", "source_index_id"),
    ("PINECONE_BACKUP_CREATED_AT", "created_at"),
    ("PINECONE_BACKUP_RECORD_COUNT", "record_count"),
    ("PINECONE_BACKUP_NAMESPACE_COUNT", "namespace_count"),
    ("PINECONE_BACKUP_SIZE_BYTES", "size_bytes"),
    ("PINECONE_BACKUP_ATTEMPTS", "attempts"),
    ("PINECONE_BACKUP_ELAPSED_SECONDS", "elapsed_seconds"),
];

#[track_caller]
fn assert_twenty_names(run: &Run) {
    let names: Vec<&str> = run.dotenv.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, NAMES, "{}", run.describe());
    // GitLab's limit is 5 KiB; 5,000 bytes leaves room for the gzip
    // wrapping the runner uploads.
    assert!(run.dotenv_file.len() <= 5_000, "{}", run.describe());
}

#[test]
fn the_dotenv_report_has_the_twenty_variables_on_every_path() {
    let cases = [
        (Reply::backup("Ready"), 0, "ready"),
        (Reply::backup("Failed"), 1, "failed"),
        (
            Reply::error(404, "NOT_FOUND", "no such backup"),
            4,
            "not_found",
        ),
        (
            Reply::error(401, "UNAUTHENTICATED", "bad key"),
            5,
            "unauthorized",
        ),
        (Reply::text(400, "bad request"), 6, "error"),
        (Reply::backup("Initializing"), 3, "timeout"),
    ];
    for (reply, code, result) in cases {
        let server = FakeControlPlane::start(Script::always(reply));
        let run = waiter(&server.url()).args(["--timeout", "300ms"]).run();
        run.assert_result(code, result);
        assert_twenty_names(&run);
        assert_eq!(run.dotenv_value("PINECONE_BACKUP_ID"), BACKUP_ID);
        for (variable, output) in SAME_AS_OUTPUT {
            assert_eq!(
                run.dotenv_value(variable),
                run.output(output),
                "{variable}\n{}",
                run.describe()
            );
        }
        assert_eq!(run.dotenv_value("PINECONE_BACKUP_CREATED"), "false");
        assert_eq!(run.dotenv_value("PINECONE_BACKUP_SELECTED_BY"), "id");
        assert_eq!(run.dotenv_value("PINECONE_BACKUP_STAGE"), "backup");
        for restore in &NAMES[16..] {
            assert_eq!(run.dotenv_value(restore), "", "{restore}");
        }
    }
}

#[test]
fn a_refused_command_line_still_writes_the_dotenv_report_it_names() {
    for args in [
        &["--bogus"][..],
        &["--timeout", "soon"],
        &["--multiplier", "0"],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("flag.env");
        let run = bare_waiter()
            .args(["--backup-id", "b1"])
            .args(args)
            .args([std::ffi::OsStr::new("--dotenv"), path.as_os_str()])
            .run();
        run.assert_result(2, "invalid");
        let file = std::fs::read(&path).expect("the report named by --dotenv");
        let variables = testkit::dotenv::parse(&file).unwrap();
        let value = |name: &str| &variables.iter().find(|(n, _)| n == name).unwrap().1;
        assert_eq!(variables.len(), 20);
        assert_eq!(value("PINECONE_BACKUP_RESULT"), "invalid");
        assert_eq!(value("PINECONE_BACKUP_ERROR"), run.output("error"));
        assert_eq!(value("PINECONE_BACKUP_STAGE"), "");
        // The variable is the fallback; the flag won.
        assert!(run.dotenv_file.is_empty(), "{}", run.describe());
    }
}

#[test]
fn exits_6_before_any_request_when_the_dotenv_report_cannot_be_written() {
    let server = FakeControlPlane::start(Script::always(Reply::backup("Ready")));
    let dir = tempfile::tempdir().unwrap();
    let run = waiter(&server.url())
        .env(
            "PINECONE_BACKUP_WAIT_DOTENV",
            dir.path().join("missing/dir/backup.env"),
        )
        .run();
    run.assert_result(6, "error");
    run.assert_error_contains(
        "cannot write the dotenv report (--dotenv, PINECONE_BACKUP_WAIT_DOTENV)",
    );
    run.assert_error_contains("missing/dir/backup.env");
    run.assert_error_contains("no request was made");
    assert_eq!(server.request_count(), 0);
    assert_eq!(run.output("attempts"), "0");
}

#[test]
fn an_empty_dotenv_variable_means_no_report() {
    let server = FakeControlPlane::start(Script::always(Reply::backup("Ready")));
    let run = waiter(&server.url())
        .env("PINECONE_BACKUP_WAIT_DOTENV", "")
        .run();
    run.assert_result(0, "ready");
}

#[test]
fn hostile_values_stay_inside_their_dotenv_variables() {
    for payload in HOSTILE {
        let mut body = testkit::control_plane::sample_backup("Ready");
        for field in STRING_FIELDS {
            body[field] = Value::String(format!("{field}:{payload}"));
        }
        let server = FakeControlPlane::start(Script::always(Reply::json(200, body)));
        let run = waiter(&server.url()).run();
        run.assert_result(0, "ready");
        assert_twenty_names(&run);
        // What a later job's environment holds, after the runner expanded
        // the values against variables that a `$NAME` could have named.
        let seen = testkit::dotenv::later_job_sees(
            run.dotenv_file.as_bytes(),
            &[("CI_JOB_TOKEN", "job-token"), ("PINECONE_API_KEY", "key")],
        )
        .unwrap();
        let value = |name: &str| &seen.iter().find(|(n, _)| n == name).unwrap().1;
        assert_eq!(value("PINECONE_BACKUP_RESULT"), "ready", "{payload:?}");
        assert_eq!(value("PINECONE_BACKUP_STATUS"), "Ready", "{payload:?}");
        assert_eq!(value("PINECONE_BACKUP_ID"), BACKUP_ID, "{payload:?}");
        for (variable, field) in [
            ("PINECONE_BACKUP_NAME", "name"),
            ("PINECONE_BACKUP_SOURCE_INDEX_NAME", "source_index_name"),
            ("PINECONE_BACKUP_CREATED_AT", "created_at"),
        ] {
            let expected = one_line(&format!("{field}:{payload}"));
            assert_eq!(value(variable), &expected, "{payload:?}");
        }
        assert!(!seen.iter().any(|(_, v)| v.contains("job-token")));
    }
}

/// What a value becomes on its one line: control characters and Unicode
/// line separators are spaces, the ends stripped.
fn one_line(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .trim_matches(' ')
        .to_owned()
}

#[test]
fn long_values_are_cut_to_fit_and_the_log_names_them() {
    let mut body = testkit::control_plane::sample_backup("Ready");
    body["name"] = Value::String("n".repeat(100_000));
    body["source_index_name"] = Value::String("i\n".repeat(100_000));
    let server = FakeControlPlane::start(Script::always(Reply::json(200, body)));
    let run = waiter(&server.url()).run();
    run.assert_result(0, "ready");
    assert_twenty_names(&run);
    assert!(run.dotenv_value("PINECONE_BACKUP_NAME").ends_with('…'));
    assert!(run.dotenv_value("PINECONE_BACKUP_NAME").len() > 1_000);
    assert_eq!(run.dotenv_value("PINECONE_BACKUP_STATUS"), "Ready");
    assert!(
        run.stderr.contains(
            "warning: the dotenv report cut PINECONE_BACKUP_NAME, \
             PINECONE_BACKUP_SOURCE_INDEX_NAME to stay under GitLab's 5 KB limit"
        ),
        "{}",
        run.describe()
    );
    // The step output keeps the whole value.
    assert_eq!(run.output("name").len(), 100_000);
}

#[test]
fn the_next_job_waits_for_the_same_backup_with_no_flag() {
    // PINECONE_BACKUP_ID is both a variable of the report and the fallback
    // of --backup-id, on purpose.
    let server = FakeControlPlane::start(Script::always(Reply::backup("Ready")));
    let first = waiter(&server.url()).run();
    first.assert_result(0, "ready");
    let mut next = bare_waiter().args(["--api-host", &server.url()]);
    for (name, value) in &first.dotenv {
        next = next.env(name, value);
    }
    let second = next.run();
    second.assert_result(0, "ready");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|r| r.target == BACKUP_PATH));
}

/// The logging commands the agent would run from a step's output.
fn agent_commands(run: &Run) -> Vec<LoggingCommand> {
    let mut commands = logging_commands(&run.stderr);
    commands.extend(logging_commands(&run.stdout));
    commands
}

#[track_caller]
fn assert_no_stray_keyword(run: &Run) {
    for line in read_lines(&run.stderr).chain(read_lines(&run.stdout)) {
        if testkit::azure::parse_line(line).is_none() {
            assert!(
                !mentions_keyword(line),
                "a line the agent would warn about: {line:?}\n{}",
                run.describe()
            );
        }
    }
}

#[test]
fn under_azure_pipelines_the_result_is_output_variables() {
    let server = FakeControlPlane::start(Script::always(Reply::backup("Ready")));
    let run = waiter(&server.url()).in_azure_pipelines().run();
    run.assert_result(0, "ready");
    let commands = agent_commands(&run);
    let names: Vec<String> = commands.iter().map(|c| c.name()).collect();
    let mut expected = vec!["task.setsecret".to_owned()];
    expected.extend(std::iter::repeat_n("task.setvariable".to_owned(), 20));
    assert_eq!(names, expected, "{}", run.describe());
    assert!(run.stderr.starts_with("##vso[task.setsecret]"));
    let variables: Vec<(&str, &str)> = commands[1..]
        .iter()
        .map(|c| (c.property("variable").unwrap(), c.data.as_str()))
        .collect();
    let dotenv: Vec<(&str, &str)> = run
        .dotenv
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(variables, dotenv);
    assert!(
        commands[1..]
            .iter()
            .all(|c| c.property("isoutput") == Some("true"))
    );
    // No GitHub workflow commands outside GitHub.
    assert!(run.workflow_commands().is_empty(), "{}", run.describe());
}

#[test]
fn under_azure_pipelines_hostile_text_reaches_no_command_and_values_round_trip() {
    for payload in HOSTILE {
        for (replies, code, result) in [
            (
                vec![Reply::json(200, hostile_backup("Ready", payload))],
                0,
                "ready",
            ),
            (
                vec![
                    Reply::json(200, hostile_backup(&format!("Weird {payload}"), payload)),
                    Reply::error(404, payload, payload),
                ],
                4,
                "not_found",
            ),
        ] {
            let server = FakeControlPlane::start(Script::sequence(replies));
            let run = waiter(&server.url())
                .in_azure_pipelines()
                .args(["--json"])
                .run();
            run.assert_result(code, result);
            assert_no_stray_keyword(&run);
            let commands = agent_commands(&run);
            let names: Vec<String> = commands.iter().map(|c| c.name()).collect();
            let mut expected = vec!["task.setsecret".to_owned()];
            if code != 0 {
                expected.push("task.logissue".to_owned()); // the unknown status
            }
            expected.extend(std::iter::repeat_n("task.setvariable".to_owned(), 20));
            if code != 0 {
                expected.push("task.logissue".to_owned()); // the verdict
            }
            assert_eq!(names, expected, "{payload:?}\n{}", run.describe());
            let variables: Vec<&LoggingCommand> = commands
                .iter()
                .filter(|c| c.name() == "task.setvariable")
                .collect();
            let value = |name: &str| {
                variables
                    .iter()
                    .find(|c| c.property("variable") == Some(name))
                    .map(|c| c.data.as_str())
                    .unwrap()
            };
            // Exact, as the step outputs are.
            for (variable, output) in SAME_AS_OUTPUT {
                assert_eq!(
                    value(variable),
                    run.output(output),
                    "{payload:?} {variable}"
                );
            }
            assert_eq!(value("PINECONE_BACKUP_NAME"), format!("name:{payload}"));
            assert!(variables.iter().all(|c| c.properties.len() == 2));
            if code != 0 {
                let verdict = commands.last().unwrap();
                assert_eq!(verdict.property("type"), Some("error"));
                assert!(verdict.data.starts_with("Pinecone backup not found: "));
            }
            // --json on stdout is still the same JSON.
            let json: Value = serde_json::from_str(&run.stdout).unwrap();
            assert_eq!(json["result"], result);
            assert_eq!(json["backup"]["name"], format!("name:{payload}"));
            assert!(run.workflow_commands().is_empty(), "{}", run.describe());
        }
    }
}

fn hostile_backup(status: &str, payload: &str) -> Value {
    let mut body = testkit::control_plane::sample_backup(status);
    for field in STRING_FIELDS {
        body[field] = Value::String(format!("{field}:{payload}"));
    }
    body
}

#[test]
fn under_azure_pipelines_an_invalid_run_still_sets_its_variables() {
    let run = bare_waiter()
        .in_azure_pipelines()
        .args([
            "--backup-id",
            "b1",
            "--x##vso[task.complete result=Succeeded]",
        ])
        .run();
    run.assert_result(2, "invalid");
    assert_no_stray_keyword(&run);
    let commands = agent_commands(&run);
    let names: Vec<String> = commands.iter().map(|c| c.name()).collect();
    let mut expected = vec!["task.setvariable".to_owned(); 20];
    expected.push("task.logissue".to_owned());
    assert_eq!(names, expected, "{}", run.describe());
    assert_eq!(commands[3].data, "invalid");
}

/// Whether a line starts with `HH:MM:SS `.
fn stamped(line: &str) -> bool {
    let bytes = line.as_bytes();
    bytes.len() > 9
        && bytes[..9].iter().enumerate().all(|(i, b)| match i {
            2 | 5 => *b == b':',
            8 => *b == b' ',
            _ => b.is_ascii_digit(),
        })
}

#[test]
fn plain_logs_carry_the_utc_time_and_ci_runner_logs_do_not() {
    let server = FakeControlPlane::start(Script::sequence(vec![
        Reply::backup("Archiving"),
        Reply::backup("Ready"),
    ]));
    let plain = waiter(&server.url()).env("CI", "true").run();
    plain.assert_result(0, "ready");
    let lines: Vec<&str> = plain.stderr.lines().collect();
    assert!(lines.len() >= 5, "{}", plain.describe());
    assert!(
        lines.iter().all(|line| stamped(line)),
        "{}",
        plain.describe()
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let hour = format!("{:02}:", now / 3600 % 24);
    let previous_hour = format!("{:02}:", (now - 60) / 3600 % 24);
    assert!(
        lines[0].starts_with(&hour) || lines[0].starts_with(&previous_hour),
        "UTC: {}",
        lines[0]
    );
    assert!(crate::support::without_time(lines[lines.len() - 1]).starts_with("ready: "));

    for runner in [
        waiter(&server.url()).in_github_actions(),
        waiter(&server.url()).in_azure_pipelines(),
    ] {
        let run = runner.run();
        assert!(
            run.stderr.lines().all(|line| !stamped(line)),
            "{}",
            run.describe()
        );
    }
}

#[test]
fn readme_shows_the_ci_examples_verbatim() {
    // The files are what .ci/ci-systems.sh lints and runs; README must show
    // exactly them, so what readers copy is what was checked.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut shown = 0;
    for entry in std::fs::read_dir(root.join("examples/ci")).unwrap() {
        let path = entry.unwrap().path();
        let file = std::fs::read_to_string(&path).unwrap();
        let language = if path.extension().is_some_and(|e| e == "yml") {
            "yaml"
        } else {
            "groovy"
        };
        let block = format!("```{language}\n{file}```\n");
        assert_eq!(
            readme.matches(&block).count(),
            1,
            "README.md must show {} once, verbatim, as:\n{block}",
            path.display()
        );
        shown += 1;
    }
    assert_eq!(shown, 6);
}
