//! The workflows and commands README.md shows are files under `examples/`:
//! CI lints them (actionlint, shellcheck, the workflow schema, in
//! .ci/action-checks.sh), this module checks that the README shows them
//! word for word, and runs the shell ones against the fake Pinecone.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use testkit::world::{BackupSeed, FakePinecone, IndexSeed, Settings, Timeline};

use crate::support::KEY;

/// The marker that ties a README block to its file: it stands on the line
/// before the block's opening fence.
const MARKER: &str = "<!-- file: ";

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A fenced block of the README.
#[derive(Debug)]
struct Block {
    /// The file named by the marker above it, if any.
    file: Option<String>,
    /// The fence's language (`yaml`, `sh`...).
    language: String,
    /// Its lines, each ending with a newline.
    text: String,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines = markdown.lines().peekable();
    let mut previous = "";
    while let Some(line) = lines.next() {
        if let Some(language) = line.strip_prefix("```") {
            let file = previous
                .strip_prefix(MARKER)
                .and_then(|rest| rest.strip_suffix(" -->"))
                .map(str::to_owned);
            let mut text = String::new();
            for inner in lines.by_ref() {
                if inner == "```" {
                    break;
                }
                text.push_str(inner);
                text.push('\n');
            }
            blocks.push(Block {
                file,
                language: language.to_owned(),
                text,
            });
            previous = "";
        } else {
            previous = line;
        }
    }
    blocks
}

fn files_under(folder: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(repo(folder))
        .unwrap()
        .map(|entry| format!("{folder}/{}", entry.unwrap().file_name().to_string_lossy()))
        .collect();
    files.sort();
    files
}

#[test]
fn every_workflow_and_example_command_in_the_readme_is_a_file_under_examples() {
    // README, and the longer guides in docs/ that README links to.
    let mut pages = vec![repo("README.md")];
    for entry in std::fs::read_dir(repo("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
    let blocks: Vec<Block> = pages
        .iter()
        .flat_map(|page| blocks(&std::fs::read_to_string(page).unwrap()))
        .collect();
    let mut shown = Vec::new();
    for block in &blocks {
        match &block.file {
            Some(file) => {
                let expected = std::fs::read_to_string(repo(file))
                    .unwrap_or_else(|err| panic!("README names {file}: {err}"));
                assert_eq!(
                    block.text, expected,
                    "README's block for {file} differs from the file:\n--- README\n{}\n--- {file}\n{expected}",
                    block.text
                );
                shown.push(file.clone());
            }
            // A workflow nobody lints could not be trusted: every one is a file.
            None => assert_ne!(
                block.language, "yaml",
                "a yaml block without a `{MARKER}…` line:\n{}",
                block.text
            ),
        }
    }
    shown.sort();
    shown.dedup();
    let mut examples = files_under("examples/workflows");
    examples.extend(files_under("examples/shell"));
    examples.extend(files_under("examples/ci"));
    examples.sort();
    assert_eq!(
        shown, examples,
        "every example is shown, in the README or a guide in docs/"
    );
}

/// What a run of an `examples/shell` script left behind.
struct Ran {
    code: Option<i32>,
    deployed: bool,
    stdout: String,
    stderr: String,
}

/// Runs an `examples/shell` script the way a CI system would: in a
/// checkout with a `deploy.sh`, the binary on `PATH`, the key and host in
/// the environment, and `env` on top.
fn run_script(script: &str, world: &FakePinecone, env: &[(&str, &str)]) -> Ran {
    let dir = tempfile::tempdir().unwrap();
    let deployed = dir.path().join("deployed");
    std::fs::write(
        dir.path().join("deploy.sh"),
        format!("#!/bin/sh\ntouch '{}'\n", deployed.display()),
    )
    .unwrap();
    let binary = Path::new(env!("CARGO_BIN_EXE_pinecone-backup-wait"));
    let path = format!(
        "{}:{}",
        binary.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let stub = dir.path().join("deploy.sh");
        std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let output = Command::new("bash")
        .arg(repo(script))
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", path)
        .env("PINECONE_API_KEY", KEY)
        .env("PINECONE_CONTROLLER_HOST", world.url())
        .envs(env.iter().copied())
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains(KEY), "the key leaked: {stderr}");
    assert!(!stdout.contains(KEY), "the key leaked: {stdout}");
    Ran {
        code: output.status.code(),
        deployed: deployed.exists(),
        stdout,
        stderr,
    }
}

/// Runs a deploy gate of `examples/shell`: its exit code, whether it
/// deployed, its stderr.
fn run_example(script: &str, world: &FakePinecone) -> (Option<i32>, bool, String) {
    let ran = run_script(script, world, &[]);
    (ran.code, ran.deployed, ran.stderr)
}

fn world() -> FakePinecone {
    let world = FakePinecone::start_with(Settings {
        api_key: Some(KEY.to_owned()),
        ..Settings::default()
    });
    world.add_index(IndexSeed::new("prod").namespace("", 1000));
    world
}

#[test]
fn the_shell_example_backs_up_then_deploys() {
    let world = world();
    let (code, deployed, stderr) = run_example("examples/shell/backup-before-deploy.sh", &world);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(deployed, "{stderr}");
    assert_eq!(world.backups_of("prod").len(), 1);
    assert_eq!(world.backups_of("prod")[0].status, "Ready");
}

#[test]
fn the_shell_example_gates_on_the_nightly_backup() {
    let world = world();
    let (code, deployed, stderr) = run_example("examples/shell/gate-on-nightly-backup.sh", &world);
    assert_eq!(code, Some(4), "no backup yet: {stderr}");
    assert!(!deployed);
    assert!(
        stderr.contains("not deploying: no ready backup of prod from the last 26h (exit 4)"),
        "{stderr}"
    );

    world.add_backup(
        BackupSeed::of("prod")
            .name("nightly")
            .created_at(&world.timestamp_ago(Duration::from_secs(3 * 3600))),
    );
    let (code, deployed, stderr) = run_example("examples/shell/gate-on-nightly-backup.sh", &world);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(deployed);
}

/// A world for the restore examples: prod (1000 + 200 records in two
/// namespaces) with last night's backup, restores that complete at once.
fn world_with_nightly(settings: Settings) -> (FakePinecone, String) {
    let world = FakePinecone::start_with(Settings {
        api_key: Some(KEY.to_owned()),
        ..settings
    });
    world.add_index(
        IndexSeed::new("prod")
            .namespace("", 1000)
            .namespace("eu", 200),
    );
    let backup = world.add_backup(
        BackupSeed::of("prod")
            .name("nightly")
            .created_at(&world.timestamp_ago(Duration::from_secs(3 * 3600))),
    );
    (world, backup)
}

#[test]
fn the_shell_drill_restores_checks_the_data_and_deletes_its_scratch_index() {
    let (world, backup) = world_with_nightly(Settings::default());
    let ran = run_script(
        "examples/shell/nightly-restore-drill.sh",
        &world,
        &[("CI_JOB_ID", "4242")],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stdout.contains("deleted the scratch index drill-4242"),
        "{}",
        ran.stdout
    );
    let jobs = world.restore_jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        (
            jobs[0].backup_id.as_str(),
            jobs[0].target_index_name.as_str()
        ),
        (backup.as_str(), "drill-4242")
    );
    assert_eq!(world.count("POST", "/describe_index_stats"), 1);
    assert_eq!(world.count("DELETE", "/indexes/drill-4242"), 1);
    assert!(world.index("drill-4242").is_none());
    assert!(world.index("prod").is_some());
}

#[test]
fn the_shell_drill_deletes_its_scratch_index_after_a_failed_restore_too() {
    let (world, _) = world_with_nightly(Settings {
        restore_job_timeline: Timeline::restore(Duration::from_millis(50), "Failed"),
        ..Settings::default()
    });
    let ran = run_script(
        "examples/shell/nightly-restore-drill.sh",
        &world,
        &[("CI_JOB_ID", "4243")],
    );
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("the restore drill failed (exit 1): ")
            && ran.stderr.contains("ended with status Failed"),
        "{}",
        ran.stderr
    );
    assert_eq!(world.count("DELETE", "/indexes/drill-4243"), 1);
    assert!(world.index("drill-4243").is_none());
}

#[test]
fn the_shell_drill_never_deletes_an_index_it_did_not_create() {
    let (world, _) = world_with_nightly(Settings::default());
    world.add_index(IndexSeed::new("drill-4244").namespace("", 7));
    let ran = run_script(
        "examples/shell/nightly-restore-drill.sh",
        &world,
        &[("CI_JOB_ID", "4244")],
    );
    assert_eq!(ran.code, Some(6), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("index drill-4244 was not created by this run"),
        "{}",
        ran.stderr
    );
    assert_eq!(world.count("DELETE", "/indexes/*"), 0);
    assert!(world.index("drill-4244").is_some());
}

#[test]
fn the_shell_seed_restores_staging_once_and_never_replaces_it() {
    let (world, backup) = world_with_nightly(Settings::default());
    let ran = run_script("examples/shell/seed-staging.sh", &world, &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let staging = world.index("staging").expect("staging was restored");
    assert_eq!(staging.restored_from.as_deref(), Some(backup.as_str()));
    assert_eq!(
        ran.stdout,
        format!("staging index host: {} (1200 records)\n", staging.host)
    );

    let again = run_script("examples/shell/seed-staging.sh", &world, &[]);
    assert_eq!(again.code, Some(6), "{}", again.stderr);
    assert!(
        again
            .stderr
            .contains("staging was not seeded (exit 6): HTTP 409"),
        "{}",
        again.stderr
    );
    assert!(
        again
            .stderr
            .contains("index staging was not created by this run")
    );
    assert_eq!(world.restore_jobs().len(), 1);
}
