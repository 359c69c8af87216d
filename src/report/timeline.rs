//! The timeline of a run with several stages (select, backup, restore,
//! index, verify): one `StageRecord` per stage entered, rendered as a
//! markdown table for the job summary and as plain lines for the log.
//!
//! Renderers only: what a stage saw is recorded by the wait loop. Statuses,
//! outcomes and details may come from the network, so every piece is
//! scrubbed of the API key, cut, then escaped for its sink
//! (`escape::markdown_cell` or `escape::log_text`), and the result scrubbed
//! once more, in case an escape completed the key; the same order as
//! `summary.rs` and `log.rs`.

use std::fmt::Write as _;
use std::time::Duration;

use super::escape::{MAX_SERVER_CHARS, cut, log_text, markdown_cell};
use super::redact::{self, Redactor};
use crate::config::HumanDuration;

/// The most statuses a stage keeps: the first ones and the latest, with a
/// count of those dropped between, so a server that changes its status on
/// every check cannot grow the record or the summary.
pub const MAX_STATUSES: usize = 8;

/// The longest status shown in the timeline. Pinecone's are under 25
/// characters; anything longer is cut so that a table row stays a row.
pub const MAX_STATUS_CHARS: usize = 64;

/// The redaction mark once inside markdown, where a bare `***` is emphasis.
const MARKDOWN_MARK: &str = r"\*\*\*";

/// What one stage did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageRecord {
    /// The stage's name: `select`, `backup`, `restore`, `index`, `verify`.
    pub label: String,
    /// When the stage started, from the start of the run.
    pub started: Duration,
    /// How long the stage took.
    pub duration: Duration,
    /// The statuses seen, in order, each once per change (see `saw`); at
    /// most `MAX_STATUSES`.
    pub statuses: Vec<String>,
    /// Changes of status dropped between the first statuses and the latest.
    pub omitted: usize,
    /// Requests made in the stage.
    pub attempts: u32,
    /// How the stage ended: `ready`, `failed`, `timeout`…
    pub outcome: String,
    /// One more fact, such as "1200 of 1200 records in 3 of 3 namespaces".
    pub detail: Option<String>,
}

impl StageRecord {
    /// A stage entered `started` after the start of the run.
    pub fn new(label: impl Into<String>, started: Duration) -> Self {
        StageRecord {
            label: label.into(),
            started,
            duration: Duration::ZERO,
            statuses: Vec::new(),
            omitted: 0,
            attempts: 0,
            outcome: String::new(),
            detail: None,
        }
    }

    /// Records a status (trimmed, as statuses are compared). The same status
    /// twice in a row is one entry. Past `MAX_STATUSES`, the latest replaces
    /// the last kept one and `omitted` counts the one replaced.
    pub fn saw(&mut self, status: &str) {
        let status = status.trim();
        if self.statuses.last().is_some_and(|last| last == status) {
            return;
        }
        if self.statuses.len() < MAX_STATUSES {
            self.statuses.push(status.to_owned());
        } else if let Some(last) = self.statuses.last_mut() {
            *last = status.to_owned();
            self.omitted += 1;
        }
    }
}

/// The statuses joined by arrows, each passed through `piece`; dropped
/// ones are counted in their place: `A → B → (3 more) → Z`.
fn statuses(stage: &StageRecord, piece: impl Fn(&str) -> String) -> String {
    let mut parts: Vec<String> = stage.statuses.iter().map(|s| piece(s)).collect();
    if stage.omitted > 0 && !parts.is_empty() {
        let at = parts.len() - 1;
        parts.insert(at, format!("({} more)", stage.omitted));
    }
    parts.join(" → ")
}

fn offset(started: Duration) -> String {
    if started.is_zero() {
        "+0s".to_owned()
    } else {
        format!("+{}", HumanDuration(started))
    }
}

fn checks(attempts: u32) -> String {
    match attempts {
        1 => "1 check".to_owned(),
        n => format!("{n} checks"),
    }
}

/// The timeline as a markdown table (header, separator, one row per
/// stage), ending with a blank line; empty when there are no stages.
pub fn markdown(stages: &[StageRecord], redactor: &Redactor) -> String {
    if stages.is_empty() {
        return String::new();
    }
    let cell = |text: &str, max_chars: usize| {
        let escaped = markdown_cell(&redactor.text(text), max_chars);
        redactor.replace(&escaped, MARKDOWN_MARK).into_owned()
    };
    let mut out = String::from(
        "| Stage | Started | Took | Statuses seen | Checks | Outcome | Detail |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for stage in stages {
        let row = [
            cell(&stage.label, MAX_STATUS_CHARS),
            offset(stage.started),
            HumanDuration(stage.duration).to_string(),
            statuses(stage, |s| cell(s, MAX_STATUS_CHARS)),
            stage.attempts.to_string(),
            cell(&stage.outcome, MAX_STATUS_CHARS),
            cell(
                stage.detail.as_deref().unwrap_or_default(),
                MAX_SERVER_CHARS,
            ),
        ];
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    out.push('\n');
    out
}

/// The timeline as log lines, one per stage, each starting with two spaces
/// and the stage's label, escaped and ready to print as they are:
/// `  restore: +3.2s for 1m2s, 12 checks: Pending → Completed; ready`.
pub fn plain(stages: &[StageRecord], redactor: &Redactor) -> Vec<String> {
    let text = |text: &str, max_chars: usize| log_text(&cut(&redactor.text(text), max_chars));
    stages
        .iter()
        .map(|stage| {
            let mut line = format!(
                "  {}: {} for {}, {}",
                text(&stage.label, MAX_STATUS_CHARS),
                offset(stage.started),
                HumanDuration(stage.duration),
                checks(stage.attempts),
            );
            if !stage.statuses.is_empty() {
                let seen = statuses(stage, |s| text(s, MAX_STATUS_CHARS));
                let _ = write!(line, ": {seen}");
            }
            if !stage.outcome.is_empty() {
                let _ = write!(line, "; {}", text(&stage.outcome, MAX_STATUS_CHARS));
            }
            if let Some(detail) = stage.detail.as_deref().filter(|d| !d.is_empty()) {
                let _ = write!(line, "; {}", text(detail, MAX_SERVER_CHARS));
            }
            redactor.replace(&line, redact::MARK).into_owned()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ApiKey;

    const MS: Duration = Duration::from_millis(1);

    fn stage(
        label: &str,
        started_ms: u32,
        took_ms: u32,
        seen: &[&str],
        attempts: u32,
        outcome: &str,
        detail: Option<&str>,
    ) -> StageRecord {
        let mut stage = StageRecord::new(label, MS * started_ms);
        for status in seen {
            stage.saw(status);
        }
        stage.duration = MS * took_ms;
        stage.attempts = attempts;
        stage.outcome = outcome.to_owned();
        stage.detail = detail.map(str::to_owned);
        stage
    }

    fn drill() -> Vec<StageRecord> {
        vec![
            stage("select", 0, 420, &[], 1, "latest", Some("nightly (3h old)")),
            stage("backup", 420, 80, &["Ready"], 1, "ready", None),
            stage(
                "restore",
                500,
                3_723_000,
                &["Pending", "Pending", "InProgress", "Completed"],
                14,
                "completed",
                None,
            ),
            stage(
                "index",
                3_723_500,
                61_000,
                &["Initializing", "Ready"],
                4,
                "ready",
                None,
            ),
            stage(
                "verify",
                3_784_500,
                12_500,
                &[],
                3,
                "matched",
                Some("1200 of 1200 records in 3 of 3 namespaces"),
            ),
        ]
    }

    #[test]
    fn golden_markdown_of_a_drill() {
        assert_eq!(
            markdown(&drill(), &Redactor::default()),
            "| Stage | Started | Took | Statuses seen | Checks | Outcome | Detail |\n\
             |---|---|---|---|---|---|---|\n\
             | select | +0s | 420ms |  | 1 | latest | nightly (3h old) |\n\
             | backup | +420ms | 80ms | Ready | 1 | ready |  |\n\
             | restore | +500ms | 1h2m3s | Pending → InProgress → Completed | 14 | completed |  |\n\
             | index | +1h2m4s | 1m1s | Initializing → Ready | 4 | ready |  |\n\
             | verify | +1h3m5s | 12.5s |  | 3 | matched | 1200 of 1200 records in 3 of 3 namespaces |\n\n"
        );
    }

    #[test]
    fn golden_log_lines_of_a_drill() {
        assert_eq!(
            plain(&drill(), &Redactor::default()),
            vec![
                "  select: +0s for 420ms, 1 check; latest; nightly (3h old)",
                "  backup: +420ms for 80ms, 1 check: Ready; ready",
                "  restore: +500ms for 1h2m3s, 14 checks: Pending → InProgress → Completed; completed",
                "  index: +1h2m4s for 1m1s, 4 checks: Initializing → Ready; ready",
                "  verify: +1h3m5s for 12.5s, 3 checks; matched; 1200 of 1200 records in 3 of 3 namespaces",
            ]
        );
    }

    #[test]
    fn no_stages_render_nothing() {
        assert_eq!(markdown(&[], &Redactor::default()), "");
        assert!(plain(&[], &Redactor::default()).is_empty());
    }

    #[test]
    fn statuses_are_bounded_keeping_the_first_and_the_latest() {
        let mut stage = StageRecord::new("restore", Duration::ZERO);
        for i in 0..1000 {
            stage.saw(&format!("S{i}"));
        }
        assert_eq!(stage.statuses.len(), MAX_STATUSES);
        assert_eq!(stage.omitted, 1000 - MAX_STATUSES);
        assert_eq!(stage.statuses.last().map(String::as_str), Some("S999"));
        let line = &plain(&[stage], &Redactor::default())[0];
        assert!(
            line.ends_with(": S0 → S1 → S2 → S3 → S4 → S5 → S6 → (992 more) → S999"),
            "{line}"
        );
        // Repeats are one entry; surrounding whitespace is not a change.
        let mut stage = StageRecord::new("index", Duration::ZERO);
        for status in ["Initializing", " Initializing\n", "Initializing", "Ready"] {
            stage.saw(status);
        }
        assert_eq!(stage.statuses, vec!["Initializing", "Ready"]);
    }

    #[test]
    fn hostile_text_stays_inside_its_cell_and_line() {
        let hostile = vec![stage(
            "restore",
            0,
            1_000,
            &[
                "Pending|x\n| Injected | row |",
                "<script>alert(1)</script>",
                "##[set-output name=a;]b",
            ],
            2,
            "failed\n::error::forged",
            Some("![img](http://e/x.png) [link](http://e) `code` **bold**\r\n# heading"),
        )];
        let table = markdown(&hostile, &Redactor::default());
        let rows: Vec<&str> = table.lines().filter(|l| l.starts_with('|')).collect();
        assert_eq!(rows.len(), 3, "{table}");
        assert_eq!(rows[2].matches(" | ").count(), 6, "{table}");
        assert!(!table.contains("<script>"), "{table}");
        assert!(!table.contains("[link]("), "{table}");
        assert!(table.contains("\\[link\\](http://e)"), "{table}");
        assert!(!table.contains("\n# heading"), "{table}");
        assert!(!table.contains("**"), "{table}");
        let lines = plain(&hostile, &Redactor::default());
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert!(!line.contains('\n') && !line.contains('\r'), "{line}");
        assert!(!line.contains("##["), "{line}");
        assert!(line.starts_with("  restore: "), "{line}");
    }

    #[test]
    fn long_statuses_and_details_are_cut() {
        let long = vec![stage(
            "verify",
            0,
            0,
            &[&"S".repeat(10_000)],
            1,
            "x",
            Some(&"d".repeat(100_000)),
        )];
        let table = markdown(&long, &Redactor::default());
        assert!(table.len() < 1_000, "{}", table.len());
        assert!(table.contains("… (10000 bytes in all)"), "{table}");
        let line = &plain(&long, &Redactor::default())[0];
        assert!(line.len() < 1_000, "{}", line.len());
        assert!(line.contains("… (100000 bytes in all)"), "{line}");
    }

    #[test]
    fn the_key_is_scrubbed_before_markdown_can_hide_it() {
        let key = ApiKey::from_raw("pcsk_k3y_12345").unwrap();
        let leaky = vec![stage(
            "restore",
            0,
            0,
            &["Pending pcsk_k3y_12345"],
            1,
            "pcsk_k3y_12345",
            Some("echo pcsk_k3y_12345"),
        )];
        let redactor = Redactor::new(&key);
        let table = markdown(&leaky, &redactor);
        assert!(!table.contains("pcsk"), "{table}");
        assert!(table.contains("| Pending \\*\\*\\* |"), "{table}");
        assert!(table.contains("| echo \\*\\*\\* |"), "{table}");
        let line = &plain(&leaky, &redactor)[0];
        assert!(!line.contains("pcsk"), "{line}");
        assert!(line.contains(": Pending ***; ***; echo ***"), "{line}");
    }

    #[test]
    fn a_key_completed_by_an_escape_is_scrubbed_too() {
        // The key contains a backslash and `n`: `\n` from escaping a newline
        // would spell it.
        let key = ApiKey::from_raw("ab\\ncd").unwrap();
        let leaky = vec![stage("restore", 0, 0, &["ab\ncd"], 1, "", None)];
        let redactor = Redactor::new(&key);
        let line = &plain(&leaky, &redactor)[0];
        assert!(!line.contains("ab\\ncd"), "{line}");
        let table = markdown(&leaky, &redactor);
        assert!(!table.contains("ab\\ncd"), "{table}");
    }
}
