//! The workflows and commands README.md shows are files under `examples/`:
//! CI lints them (actionlint, shellcheck, the workflow schema, in
//! .ci/action-checks.sh), this module checks that the README shows them
//! word for word, and runs the shell ones against the fake Pinecone.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use testkit::world::{BackupSeed, FakePinecone, IndexSeed, Settings};

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

/// Runs an `examples/shell` script the way a CI system would: in a
/// checkout with a `deploy.sh`, the binary on `PATH`, the key and host in
/// the environment. Answers the exit code and whether it deployed.
fn run_example(script: &str, world: &FakePinecone) -> (Option<i32>, bool, String) {
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
        .output()
        .expect("bash runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains(KEY), "the key leaked: {stderr}");
    (output.status.code(), deployed.exists(), stderr)
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
