//! The job summary (`GITHUB_STEP_SUMMARY`): a short markdown table a person
//! reads after the run. Every value from the API goes through
//! `escape::markdown_cell`.

use std::fmt::Write as _;

use super::Report;
use super::escape::markdown_cell;
use crate::config::HumanDuration;
use crate::outcome::Outcome;

/// Longest cell kept in the summary; GitHub caps a step's summary at 1 MiB.
const MAX_CELL_CHARS: usize = 200;

/// Renders the summary.
pub fn render(report: &Report) -> String {
    let (icon, headline) = match report.outcome {
        Outcome::Ready => ("✅", "Pinecone backup is ready"),
        Outcome::Failed => ("❌", "Pinecone backup failed"),
        Outcome::Timeout => ("⏱️", "Timed out waiting for the Pinecone backup"),
        Outcome::NotFound => ("❌", "Pinecone backup not found"),
        Outcome::Unauthorized => ("🔒", "Pinecone API key rejected"),
        Outcome::Cancelled => ("⚠️", "Waiting for the Pinecone backup was cancelled"),
        Outcome::Invalid | Outcome::Error => ("❌", "Could not wait for the Pinecone backup"),
    };
    let cell = |text: &str| markdown_cell(text, MAX_CELL_CHARS);
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
    if let Some(bytes) = backup.and_then(|b| b.integer("size_bytes")) {
        rows.push(("Size", format!("{} ({bytes} bytes)", human_bytes(bytes))));
    }
    if let Some(records) = backup.and_then(|b| b.integer("record_count")) {
        rows.push(("Records", records.to_string()));
    }
    rows.push(("Attempts", report.attempts.to_string()));
    rows.push(("Elapsed", HumanDuration(report.elapsed).to_string()));
    if let Some(error) = &report.error {
        rows.push(("Error", cell(error)));
    }

    let mut out = format!("### {icon} {headline}\n\n| | |\n|---|---|\n");
    for (label, value) in rows {
        let _ = writeln!(out, "| {label} | {value} |");
    }
    out.push('\n');
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
        }
    }

    #[test]
    fn golden_ready_summary() {
        let summary = render(&report(
            Outcome::Ready,
            json!({
                "backup_id": "b-1", "name": "nightly", "status": "Ready",
                "source_index_name": "docs", "size_bytes": 10_000_000, "record_count": 120_000
            }),
            None,
        ));
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
        let summary = render(&report(
            Outcome::Failed,
            json!({"status": "Failed|x\n| Injected | row |", "source_index_name": "<script>"}),
            Some("boom\n\n# heading"),
        ));
        let table_rows = summary.lines().filter(|l| l.starts_with('|')).count();
        assert_eq!(table_rows, 2 + 7, "{summary}"); // header, separator, 7 rows
        assert!(!summary.contains("<script>"));
        assert!(!summary.contains("\n# heading"));
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(5 * 1024 * 1024 * 1024), "5.0 GiB");
    }
}
