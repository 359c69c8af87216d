//! The job summary (`GITHUB_STEP_SUMMARY`): a short markdown table a person
//! reads after the run, saying what was selected and why, and, when the
//! run had more than one stage, a table of the stages. Every value from the
//! API is scrubbed of the key, then goes through `escape::markdown_cell` (in
//! that order: escaping turns `_` into `\_`, which would hide the key from
//! GitHub's masker).

use std::fmt::Write as _;

use super::escape::{MAX_MESSAGE_CHARS, MAX_SERVER_CHARS, markdown_cell};
use super::redact::Redactor;
use super::{Report, timeline};
use crate::config::HumanDuration;
use crate::outcome::Outcome;
use crate::stages::SelectedBy;
use crate::timestamp::age;

/// The redaction mark once inside markdown, where a bare `***` is emphasis.
const MARK: &str = r"\*\*\*";

/// Renders the summary.
pub fn render(report: &Report, redactor: &Redactor) -> String {
    let icon = match report.outcome {
        Outcome::Ready => "✅",
        Outcome::Timeout => "⏱️",
        Outcome::Unauthorized => "🔒",
        Outcome::Cancelled => "⚠️",
        Outcome::Failed | Outcome::NotFound | Outcome::Invalid | Outcome::Error => "❌",
    };
    let headline = report.headline();
    // Scrub, escape, then scrub again in case an escape completed the key.
    let cut_cell = |text: &str, max_chars: usize| {
        let escaped = markdown_cell(&redactor.text(text), max_chars);
        redactor.replace(&escaped, MARK).into_owned()
    };
    let cell = |text: &str| cut_cell(text, MAX_SERVER_CHARS);
    let backup = report.backup.as_ref();
    let text = |field: &str| backup.and_then(|b| b.text(field)).filter(|t| !t.is_empty());

    let mut rows: Vec<(&str, String)> = vec![("Result", format!("`{}`", report.outcome.label()))];
    if let Some(status) = report.status() {
        rows.push(("Status", cell(status)));
    }
    let id = text("backup_id").or(report.backup_id.as_deref());
    if let Some(id) = id {
        let name = text("name")
            .map(|n| format!(" ({})", cell(n)))
            .unwrap_or_default();
        rows.push(("Backup", format!("{}{name}", cell(id))));
    }
    if let Some(index) = text("source_index_name") {
        rows.push(("Index", cell(index)));
    }
    if let Some(selected) = &report.selected {
        let index = selected.index.as_deref().unwrap_or("?");
        let why = match (selected.by, selected.latest) {
            (SelectedBy::Create, _) if selected.adopted => Some(format!(
                "created by this run from index {index} (its answer was lost; found in the \
                 index's backups, not created twice)"
            )),
            (SelectedBy::Create, _) => Some(format!("created by this run from index {index}")),
            (SelectedBy::Latest, Some((old, listed))) => Some(format!(
                "latest of {listed} backup{} of index {index}, created {} ago",
                if listed == 1 { "" } else { "s" },
                age(old)
            )),
            _ => None,
        };
        if let Some(why) = why {
            rows.push(("Selected", cell(&why)));
        }
    }
    if let Some(bytes) = backup.and_then(|b| b.integer("size_bytes")) {
        rows.push((
            "Size",
            cell(&format!("{} ({bytes} bytes)", human_bytes(bytes))),
        ));
    }
    if let Some(records) = backup.and_then(|b| b.integer("record_count")) {
        rows.push(("Records", cell(&records.to_string())));
    }
    if let Some(restored) = &report.restore {
        let [job_id, status, percent, _, name, _, host, state, _] = report.restore_outputs();
        if !job_id.is_empty() {
            let mut job = cell(&job_id);
            if !status.is_empty() {
                job.push_str(&format!(", {}", cell(&status)));
            }
            if !percent.is_empty() {
                job.push_str(&format!(", {}% complete", cell(&percent)));
            }
            if restored.adopted {
                job.push_str(
                    " (its answer was lost; found among the restore jobs, not started twice)",
                );
            }
            rows.push(("Restore job", job));
        }
        let index = restored.index_name.as_deref().unwrap_or_default();
        if !index.is_empty() {
            let mut shown = cell(index);
            if !state.is_empty() {
                shown.push_str(&format!(", {}", cell(&state)));
            }
            if !host.is_empty() {
                shown.push_str(&format!(" at {}", cell(&host)));
            }
            shown.push_str(if name.is_empty() {
                " (not created by this run)"
            } else {
                " (created by this run)"
            });
            rows.push(("Restored index", shown));
        }
        if let Some((_, counts)) = &restored.stats {
            rows.push(("Data check", cell(&counts.progress())));
        }
    }
    rows.push(("Attempts", report.attempts.to_string()));
    rows.push(("Elapsed", HumanDuration(report.elapsed).to_string()));
    if let Some(error) = &report.error {
        rows.push(("Error", cut_cell(error, MAX_MESSAGE_CHARS)));
    }

    let mut out = format!("### {icon} {headline}\n\n| | |\n|---|---|\n");
    for (label, value) in rows {
        let _ = writeln!(out, "| {label} | {value} |");
    }
    out.push('\n');
    if report.stages.len() > 1 {
        out.push_str(&timeline::markdown(&report.timeline(), redactor));
    }
    out
}

fn human_bytes(bytes: i64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Backup;
    use serde_json::json;
    use std::time::Duration;

    fn report(outcome: Outcome, backup: serde_json::Value, error: Option<&str>) -> Report {
        Report {
            outcome,
            backup_id: Some("b-1".into()),
            backup: Some(Backup::from_value(backup).unwrap()),
            attempts: 3,
            elapsed: Duration::from_millis(5_600),
            error: error.map(str::to_owned),
            ..Report::invalid(String::new())
        }
    }

    #[test]
    fn golden_ready_summary() {
        let summary = render(
            &report(
                Outcome::Ready,
                json!({
                    "backup_id": "b-1", "name": "nightly", "status": "Ready",
                    "source_index_name": "docs", "size_bytes": 10_000_000, "record_count": 120_000
                }),
                None,
            ),
            &Redactor::default(),
        );
        assert_eq!(
            summary,
            "### ✅ Pinecone backup is ready\n\n| | |\n|---|---|\n\
             | Result | `ready` |\n\
             | Status | Ready |\n\
             | Backup | b-1 (nightly) |\n\
             | Index | docs |\n\
             | Size | 9.5 MiB (10000000 bytes) |\n\
             | Records | 120000 |\n\
             | Attempts | 3 |\n\
             | Elapsed | 5.6s |\n\n"
        );
    }

    #[test]
    fn hostile_values_stay_inside_their_cells() {
        let summary = render(
            &report(
                Outcome::Failed,
                json!({"status": "Failed|x\n| Injected | row |", "source_index_name": "<script>"}),
                Some("boom\n\n# heading"),
            ),
            &Redactor::default(),
        );
        let table_rows = summary.lines().filter(|l| l.starts_with('|')).count();
        assert_eq!(table_rows, 2 + 7, "{summary}"); // header, separator, 7 rows
        assert!(!summary.contains("<script>"));
        assert!(!summary.contains("\n# heading"));
    }

    #[test]
    fn the_key_is_scrubbed_before_markdown_can_hide_it() {
        let key = crate::config::ApiKey::from_raw("pcsk_k3y_12345").unwrap();
        let summary = render(
            &report(
                Outcome::Error,
                json!({"status": "x pcsk_k3y_12345", "source_index_name": "pcsk_k3y_12345"}),
                Some("echo pcsk_k3y_12345"),
            ),
            &Redactor::new(&key),
        );
        assert!(!summary.contains("pcsk"), "{summary}");
        assert!(summary.contains("| Status | x \\*\\*\\* |"), "{summary}");
        assert!(summary.contains("| Error | echo \\*\\*\\* |"), "{summary}");
    }

    #[test]
    fn a_key_echoed_as_a_number_is_scrubbed() {
        let key = crate::config::ApiKey::from_raw("12345").unwrap();
        let summary = render(
            &report(
                Outcome::Ready,
                json!({"status": "Ready", "record_count": 912_345_123, "size_bytes": 12345}),
                None,
            ),
            &Redactor::new(&key),
        );
        assert!(!summary.contains("12345"), "{summary}");
        assert!(summary.contains("| Records | 9\\*\\*\\*123 |"), "{summary}");
    }

    #[test]
    fn each_outcome_has_its_own_title() {
        let titles: Vec<String> = Outcome::ALL
            .iter()
            .map(|&outcome| {
                let summary = render(
                    &report(outcome, json!({"status": "Pending"}), Some("e")),
                    &Redactor::default(),
                );
                summary.lines().next().unwrap().to_owned()
            })
            .collect();
        let mut unique = titles.clone();
        unique.dedup();
        assert_eq!(unique.len(), Outcome::ALL.len(), "{titles:?}");
        assert!(
            titles.iter().all(|t| !t.contains("not ready")),
            "{titles:?}"
        );
    }

    #[test]
    fn golden_create_summary_says_why_and_shows_the_stages() {
        use crate::stages::{Selected, Stage, StageReport};
        let mut report = report(
            Outcome::Ready,
            json!({"backup_id": "b-1", "name": "prod-20260320-143000-7f3a9c", "status": "Ready",
                   "source_index_name": "prod"}),
            None,
        );
        report.selected = Some(Selected {
            by: SelectedBy::Create,
            backup_id: "b-1".into(),
            index: Some("prod".into()),
            created: true,
            adopted: false,
            latest: None,
        });
        let stage = |stage, attempts, millis, statuses: &[&str]| StageReport {
            stage,
            outcome: Outcome::Ready,
            attempts,
            duration: Duration::from_millis(millis),
            statuses: statuses.iter().map(|s| s.to_string()).collect(),
            started: Duration::ZERO,
            detail: None,
        };
        report.stages = vec![
            StageReport {
                detail: Some("prod-20260320-143000-7f3a9c".into()),
                ..stage(Stage::Select, 1, 120, &[])
            },
            StageReport {
                started: Duration::from_millis(120),
                ..stage(
                    Stage::Backup,
                    2,
                    5_480,
                    &["Initializing", "Pending", "Ready"],
                )
            },
        ];
        assert_eq!(
            render(&report, &Redactor::default()),
            "### ✅ Pinecone backup is ready\n\n| | |\n|---|---|\n\
             | Result | `ready` |\n\
             | Status | Ready |\n\
             | Backup | b-1 (prod-20260320-143000-7f3a9c) |\n\
             | Index | prod |\n\
             | Selected | created by this run from index prod |\n\
             | Attempts | 3 |\n\
             | Elapsed | 5.6s |\n\n\
             | Stage | Started | Took | Statuses seen | Checks | Outcome | Detail |\n\
             |---|---|---|---|---|---|---|\n\
             | select | +0s | 120ms |  | 1 | created | prod-20260320-143000-7f3a9c |\n\
             | backup | +120ms | 5.5s | Initializing → Pending → Ready | 2 | ready |  |\n\n"
        );
    }

    #[test]
    fn the_latest_selection_says_how_old_it_is() {
        let mut report = report(Outcome::Ready, json!({"status": "Ready"}), None);
        report.selected = Some(crate::stages::Selected {
            by: SelectedBy::Latest,
            backup_id: "b-1".into(),
            index: Some("prod".into()),
            created: false,
            adopted: false,
            latest: Some((Duration::from_secs(3 * 3600 + 12 * 60), 3)),
        });
        let summary = render(&report, &Redactor::default());
        assert!(
            summary.contains("| Selected | latest of 3 backups of index prod, created 3h12m ago |"),
            "{summary}"
        );
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(5 * 1024 * 1024 * 1024), "5.0 GiB");
    }
}
