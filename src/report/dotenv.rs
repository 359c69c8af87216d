//! The GitLab dotenv report (`--dotenv FILE`): the result as 20 CI/CD
//! variables that later jobs of the pipeline receive. A pure renderer; the
//! caller scrubs the API key from every value first, writes the text, and
//! says in the log which values were cut.
//!
//! What GitLab does with the file, from its source
//! (gitlab-org/gitlab `app/services/ci/parse_dotenv_artifact_service.rb`,
//! `Ci::ParseDotenvArtifactService`, and the key rule of `Ci::JobVariable`):
//!
//! - The stored artifact must be smaller than 5 KiB (plan limit
//!   `dotenv_size`, `5.kilobytes` by default); it is stored as uploaded, and
//!   the runner uploads dotenv reports gzip-compressed
//!   (`artifact_format=gzip`), which adds a few dozen bytes to text that does
//!   not compress. Too big: no variable at all.
//! - The text is split on `\n`; every line must match `^(.*?)=(.*)$`. A line
//!   without `=`, an empty line, a comment: "Invalid Format", and the whole
//!   report is dropped. There are no comments and no quotes: `#`, `'`, `"`
//!   and backslashes are part of the value, as is every `=` after the first.
//! - Key and value are `strip`ped: ASCII whitespace and NUL at both ends go.
//! - Keys are `[A-Za-z0-9_]+`; anything else rejects the report.
//! - A repeated key: the last value wins. More than 20 distinct keys (plan
//!   limit `dotenv_variables` on the default plan): rejected.
//!
//! And what the runner does in the later job (gitlab-org/gitlab-runner
//! `common/spec/variables.go`, `Variables.ExpandWith`): GitLab passes dotenv
//! variables with `raw: false`, so `$NAME` and `${NAME}` inside a value are
//! expanded (Go's `os.Expand`), with `$$` standing for one `$`. Left alone, a
//! backup named `$CI_JOB_TOKEN` would arrive as the job's token.
//!
//! So every value is, in this order: put on one line (each control
//! character, C0, DEL and C1 including CR, LF and NUL, and the Unicode line
//! and paragraph separators, becomes a space); stripped of spaces at both
//! ends, as GitLab would; cut to its share of the file, ending in `…`; and
//! written with every `$` doubled. Nothing a value holds can start a line,
//! so no value can add, repeat or remove a variable.

/// The variables, in file order: `PINECONE_BACKUP_` and the field.
pub const NAMES: [&str; 20] = [
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

/// GitLab's limit: the stored file must be smaller than this many bytes.
pub const GITLAB_MAX_BYTES: usize = 5 * 1024;

/// GitLab's limit on distinct variables on the default plan.
pub const MAX_VARIABLES: usize = 20;

/// The most bytes we write: GitLab's limit less room for the gzip header
/// and block overhead the runner adds when it uploads the file.
pub const MAX_BYTES: usize = 5_000;

/// Marks a value that was cut.
const ELLIPSIS: &str = "…";

/// The values of the 20 variables; empty when not applicable. The caller
/// fills it from the report (with the API key scrubbed); `Default` is all
/// empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Variables {
    /// `PINECONE_BACKUP_ID`: the backup waited for. Also the environment
    /// fallback of `--backup-id`, so a later job can run the waiter again on
    /// the same backup.
    pub id: String,
    /// `PINECONE_BACKUP_NAME`: the backup's name.
    pub name: String,
    /// `PINECONE_BACKUP_STATUS`: the last status received, trimmed.
    pub status: String,
    /// `PINECONE_BACKUP_RESULT`: how the run ended (`ready`, `failed`...).
    pub result: String,
    /// `PINECONE_BACKUP_ERROR`: why it did not end ready; empty on success.
    pub error: String,
    /// `PINECONE_BACKUP_SOURCE_INDEX_NAME`: the index backed up.
    pub source_index_name: String,
    /// `PINECONE_BACKUP_SOURCE_INDEX_ID`: its id.
    pub source_index_id: String,
    /// `PINECONE_BACKUP_CREATED_AT`: when the backup was created (RFC 3339).
    pub created_at: String,
    /// `PINECONE_BACKUP_RECORD_COUNT`: records in the backup.
    pub record_count: String,
    /// `PINECONE_BACKUP_NAMESPACE_COUNT`: namespaces in the backup.
    pub namespace_count: String,
    /// `PINECONE_BACKUP_SIZE_BYTES`: size of the backup.
    pub size_bytes: String,
    /// `PINECONE_BACKUP_ATTEMPTS`: requests made.
    pub attempts: String,
    /// `PINECONE_BACKUP_ELAPSED_SECONDS`: seconds the run took, e.g. `12.345`.
    pub elapsed_seconds: String,
    /// `PINECONE_BACKUP_CREATED`: `true` when this run created the backup.
    pub created: String,
    /// `PINECONE_BACKUP_SELECTED_BY`: `id`, `create`, `latest` or `restore_job`.
    pub selected_by: String,
    /// `PINECONE_BACKUP_STAGE`: the last stage entered.
    pub stage: String,
    /// `PINECONE_BACKUP_RESTORE_JOB_ID`: the restore job, when there is one.
    pub restore_job_id: String,
    /// `PINECONE_BACKUP_RESTORE_STATUS`: its last status.
    pub restore_status: String,
    /// `PINECONE_BACKUP_RESTORED_INDEX_NAME`: the index this run restored
    /// into (created or adopted by it).
    pub restored_index_name: String,
    /// `PINECONE_BACKUP_RESTORED_INDEX_HOST`: that index's host.
    pub restored_index_host: String,
}

impl Variables {
    /// Every variable as `(NAME, value)`, in the order of [`NAMES`].
    pub fn pairs(&self) -> [(&'static str, &str); 20] {
        let values = [
            &self.id,
            &self.name,
            &self.status,
            &self.result,
            &self.error,
            &self.source_index_name,
            &self.source_index_id,
            &self.created_at,
            &self.record_count,
            &self.namespace_count,
            &self.size_bytes,
            &self.attempts,
            &self.elapsed_seconds,
            &self.created,
            &self.selected_by,
            &self.stage,
            &self.restore_job_id,
            &self.restore_status,
            &self.restored_index_name,
            &self.restored_index_host,
        ];
        let mut pairs = [("", ""); 20];
        for (pair, (name, value)) in pairs.iter_mut().zip(NAMES.iter().zip(values)) {
            *pair = (name, value.as_str());
        }
        pairs
    }

    /// The dotenv report of these values.
    pub fn render(&self) -> Dotenv {
        render(&self.pairs())
    }
}

/// A rendered dotenv report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dotenv {
    /// The file's contents: one `NAME=value` line per variable.
    pub text: String,
    /// Names whose values were cut to fit the file, in file order; the
    /// caller says so in the log.
    pub cut: Vec<String>,
    /// Names left out: not `[A-Za-z0-9_]+`, or past the 20th distinct one.
    /// Empty for [`Variables`].
    pub dropped: Vec<String>,
}

/// Renders `(NAME, value)` pairs as a dotenv report GitLab accepts: each
/// name once (a repeated name keeps its first place and its last value, as
/// GitLab would read it), at most [`MAX_VARIABLES`], the file at most
/// [`MAX_BYTES`], long values cut so that the file fits.
pub fn render(pairs: &[(&str, &str)]) -> Dotenv {
    let mut names: Vec<&str> = Vec::new();
    let mut values: Vec<String> = Vec::new();
    let mut dropped = Vec::new();
    for &(name, value) in pairs {
        if !is_variable_name(name) {
            dropped.push(name.to_owned());
        } else if let Some(slot) = names.iter().position(|n| *n == name) {
            values[slot] = one_line(value);
        } else if names.len() == MAX_VARIABLES {
            dropped.push(name.to_owned());
        } else {
            names.push(name);
            values.push(one_line(value));
        }
    }

    // `NAME=` and `\n` per variable, then the values share what is left.
    let fixed: usize = names.iter().map(|n| n.len() + 2).sum();
    let costs: Vec<usize> = values.iter().map(|v| written_len(v)).collect();
    let allowances = share(&costs, MAX_BYTES.saturating_sub(fixed));

    let mut text = String::with_capacity(MAX_BYTES);
    let mut cut = Vec::new();
    for ((name, value), (cost, allowance)) in
        names.iter().zip(&values).zip(costs.iter().zip(allowances))
    {
        text.push_str(name);
        text.push('=');
        if *cost > allowance {
            cut.push((*name).to_owned());
            push_escaped(&mut text, &shorten(value, allowance));
        } else {
            push_escaped(&mut text, value);
        }
        text.push('\n');
    }
    debug_assert!(text.len() <= MAX_BYTES, "{} bytes", text.len());
    Dotenv { text, cut, dropped }
}

/// A name GitLab accepts as a variable key.
fn is_variable_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The value on one line, without the spaces at its ends that GitLab would
/// strip: what GitLab reads is then exactly what we meant.
fn one_line(value: &str) -> String {
    let spaced: String = value
        .chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect();
    spaced.trim_matches(' ').to_owned()
}

/// Bytes the value takes in the file: `$` is written twice.
fn written_len(value: &str) -> usize {
    value.len() + value.matches('$').count()
}

fn char_len(c: char) -> usize {
    if c == '$' { 2 } else { c.len_utf8() }
}

/// Splits `budget` bytes among values of the given costs: in order of
/// cost, each takes what it needs, up to an equal share of what is left.
/// Short values are never cut to make room; long ones share the rest.
fn share(costs: &[usize], budget: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by_key(|&i| costs[i]);
    let mut allowances = vec![0; costs.len()];
    let mut left = budget;
    for (taken, &i) in order.iter().enumerate() {
        let fair = left / (costs.len() - taken);
        allowances[i] = costs[i].min(fair);
        left -= allowances[i];
    }
    allowances
}

/// The longest start of `value` that, with the ellipsis, fits in
/// `allowance` written bytes (never splitting a character or a `$$`).
fn shorten(value: &str, allowance: usize) -> String {
    let Some(room) = allowance.checked_sub(ELLIPSIS.len()) else {
        return String::new();
    };
    let mut used = 0;
    let mut out = String::new();
    for c in value.chars() {
        used += char_len(c);
        if used > room {
            break;
        }
        out.push(c);
    }
    out.push_str(ELLIPSIS);
    out
}

fn push_escaped(text: &mut String, value: &str) {
    for c in value.chars() {
        if c == '$' {
            text.push('$');
        }
        text.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use testkit::dotenv::{later_job_sees, parse};

    fn sample() -> Variables {
        Variables {
            id: "bk-7f3a".into(),
            name: "nightly-2024-03-15".into(),
            status: "Ready".into(),
            result: "ready".into(),
            source_index_name: "prod".into(),
            source_index_id: "idx-1".into(),
            created_at: "2024-03-15T10:30:00Z".into(),
            record_count: "120000".into(),
            namespace_count: "3".into(),
            size_bytes: "10485760".into(),
            attempts: "4".into(),
            elapsed_seconds: "12.345".into(),
            created: "false".into(),
            selected_by: "id".into(),
            stage: "backup".into(),
            ..Variables::default()
        }
    }

    fn pairs_of(file: &[(String, String)]) -> Vec<(&str, &str)> {
        file.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
    }

    #[test]
    fn names_are_the_twenty_documented_ones_in_order() {
        let defaults = Variables::default();
        let defaults = defaults.pairs();
        let names: Vec<&str> = defaults.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, NAMES);
        assert!(
            NAMES
                .iter()
                .all(|n| is_variable_name(n) && n.starts_with("PINECONE_BACKUP_"))
        );
        let mut unique = NAMES.to_vec();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), MAX_VARIABLES);
    }

    #[test]
    fn golden_file_of_a_ready_backup() {
        let dotenv = sample().render();
        assert_eq!(
            dotenv.text,
            "PINECONE_BACKUP_ID=bk-7f3a\n\
             PINECONE_BACKUP_NAME=nightly-2024-03-15\n\
             PINECONE_BACKUP_STATUS=Ready\n\
             PINECONE_BACKUP_RESULT=ready\n\
             PINECONE_BACKUP_ERROR=\n\
             PINECONE_BACKUP_SOURCE_INDEX_NAME=prod\n\
             PINECONE_BACKUP_SOURCE_INDEX_ID=idx-1\n\
             PINECONE_BACKUP_CREATED_AT=2024-03-15T10:30:00Z\n\
             PINECONE_BACKUP_RECORD_COUNT=120000\n\
             PINECONE_BACKUP_NAMESPACE_COUNT=3\n\
             PINECONE_BACKUP_SIZE_BYTES=10485760\n\
             PINECONE_BACKUP_ATTEMPTS=4\n\
             PINECONE_BACKUP_ELAPSED_SECONDS=12.345\n\
             PINECONE_BACKUP_CREATED=false\n\
             PINECONE_BACKUP_SELECTED_BY=id\n\
             PINECONE_BACKUP_STAGE=backup\n\
             PINECONE_BACKUP_RESTORE_JOB_ID=\n\
             PINECONE_BACKUP_RESTORE_STATUS=\n\
             PINECONE_BACKUP_RESTORED_INDEX_NAME=\n\
             PINECONE_BACKUP_RESTORED_INDEX_HOST=\n"
        );
        assert!(dotenv.cut.is_empty() && dotenv.dropped.is_empty());
    }

    #[test]
    fn normal_values_round_trip_exactly_through_gitlab_and_the_runner() {
        let vars = sample();
        let seen = later_job_sees(vars.render().text.as_bytes(), &[]).unwrap();
        assert_eq!(pairs_of(&seen), vars.pairs().to_vec());
    }

    #[test]
    fn control_characters_become_spaces_and_ends_are_stripped() {
        let text = render(&[(
            "A",
            "  x\ny\r\nz\u{0}w\u{85}v\u{2028}u\u{2029}t\u{1b}[1m\tq  ",
        )])
        .text;
        assert_eq!(text, "A=x y  z w v u t [1m q\n");
        assert_eq!(render(&[("A", "\n\r \t")]).text, "A=\n");
    }

    #[test]
    fn dollars_are_doubled_so_the_runner_expands_nothing() {
        let text = render(&[("A", "$CI_JOB_TOKEN ${X} $$ $")]).text;
        assert_eq!(text, "A=$$CI_JOB_TOKEN $${X} $$$$ $$\n");
        let seen =
            later_job_sees(text.as_bytes(), &[("CI_JOB_TOKEN", "secret"), ("X", "x")]).unwrap();
        assert_eq!(seen, vec![("A".into(), "$CI_JOB_TOKEN ${X} $$ $".into())]);
    }

    #[test]
    fn quotes_hashes_equals_and_backslashes_are_kept_as_gitlab_keeps_them() {
        let value = r#""quoted" 'single' # not a comment a=b \n \"#;
        let text = render(&[("A", value)]).text;
        assert_eq!(text, format!("A={value}\n"));
        assert_eq!(
            parse(text.as_bytes()).unwrap(),
            vec![("A".into(), value.into())]
        );
    }

    #[test]
    fn a_repeated_name_keeps_its_place_and_its_last_value() {
        let dotenv = render(&[("A", "1"), ("B", "2"), ("A", "3")]);
        assert_eq!(dotenv.text, "A=3\nB=2\n");
    }

    #[test]
    fn invalid_names_and_names_past_the_twentieth_are_dropped() {
        let many: Vec<String> = (0..22).map(|i| format!("V{i}")).collect();
        let mut pairs: Vec<(&str, &str)> = many.iter().map(|n| (n.as_str(), "x")).collect();
        pairs.insert(0, ("BAD NAME", "x"));
        pairs.insert(0, ("", "x"));
        pairs.insert(0, ("É", "x"));
        let dotenv = render(&pairs);
        assert_eq!(dotenv.dropped, ["É", "", "BAD NAME", "V20", "V21"]);
        assert_eq!(parse(dotenv.text.as_bytes()).unwrap().len(), MAX_VARIABLES);
    }

    #[test]
    fn one_long_value_takes_what_the_others_leave_and_is_marked_cut() {
        let mut vars = sample();
        vars.error = "é".repeat(100_000);
        let dotenv = vars.render();
        assert_eq!(dotenv.cut, ["PINECONE_BACKUP_ERROR"]);
        assert!(dotenv.text.len() <= MAX_BYTES && dotenv.text.len() > MAX_BYTES - 4);
        let seen = later_job_sees(dotenv.text.as_bytes(), &[]).unwrap();
        let error = &seen
            .iter()
            .find(|(n, _)| n == "PINECONE_BACKUP_ERROR")
            .unwrap()
            .1;
        assert!(error.ends_with("é…"), "{error}");
        // Every other value is whole.
        let mut expected = vars.pairs().to_vec();
        expected[4].1 = error;
        assert_eq!(pairs_of(&seen), expected);
    }

    #[test]
    fn long_values_share_the_file_and_short_ones_stay_whole() {
        let mut vars = sample();
        vars.name = "n".repeat(3_000);
        vars.error = "$".repeat(3_000);
        vars.restored_index_host = "h".repeat(3_000);
        let dotenv = vars.render();
        assert_eq!(
            dotenv.cut,
            [
                "PINECONE_BACKUP_NAME",
                "PINECONE_BACKUP_ERROR",
                "PINECONE_BACKUP_RESTORED_INDEX_HOST"
            ]
        );
        assert!(dotenv.text.len() <= MAX_BYTES);
        let seen = later_job_sees(dotenv.text.as_bytes(), &[]).unwrap();
        let value = |name: &str| seen.iter().find(|(n, _)| n == name).unwrap().1.clone();
        assert_eq!(value("PINECONE_BACKUP_STATUS"), "Ready");
        let (name, error, host) = (
            value("PINECONE_BACKUP_NAME"),
            value("PINECONE_BACKUP_ERROR"),
            value("PINECONE_BACKUP_RESTORED_INDEX_HOST"),
        );
        // Equal shares of the file (to a byte): `$` is written twice, so
        // half as many fit.
        assert!(
            name.len().abs_diff(host.len()) <= 1,
            "{} {}",
            name.len(),
            host.len()
        );
        assert!(name.len() > 1_300, "{}", name.len());
        assert!(name.starts_with("nnn") && name.ends_with('…'));
        let dollars = error.trim_end_matches('…').len();
        assert!(dollars.abs_diff((name.len() - 3) / 2) <= 1, "{dollars}");
    }

    #[test]
    fn a_cut_never_splits_a_character_or_a_doubled_dollar() {
        for filler in ["$", "é", "😀", "a$"] {
            let value = filler.repeat(10_000);
            let dotenv = render(&[("A", &value)]);
            assert_eq!(dotenv.cut, ["A"]);
            let seen = later_job_sees(dotenv.text.as_bytes(), &[]).unwrap();
            let kept = seen[0].1.trim_end_matches('…');
            assert!(value.starts_with(kept), "{filler}: {kept}");
            assert!(dotenv.text.len() <= MAX_BYTES);
        }
    }

    /// Renders, checks GitLab would accept the file, and returns what a
    /// later job sees (with secrets the runner could expand into a value).
    fn through_gitlab(vars: &Variables) -> (Dotenv, Vec<(String, String)>) {
        let dotenv = vars.render();
        assert!(
            dotenv.text.len() <= MAX_BYTES,
            "{} bytes",
            dotenv.text.len()
        );
        assert!(dotenv.text.len() < GITLAB_MAX_BYTES);
        assert!(dotenv.dropped.is_empty());
        let env = [
            ("PINECONE_API_KEY", "pc-expanded-7731"),
            ("CI_JOB_TOKEN", "glcbt-expanded-7731"),
        ];
        let seen = later_job_sees(dotenv.text.as_bytes(), &env)
            .unwrap_or_else(|e| panic!("GitLab rejects the report: {e}\n{}", dotenv.text));
        let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, NAMES, "{}", dotenv.text);
        for (_, value) in &seen {
            assert!(!value.contains("7731"), "{value}");
            assert!(!value.chars().any(|c| c.is_control()), "{value:?}");
        }
        (dotenv, seen)
    }

    fn field(vars: &mut Variables, index: usize) -> &mut String {
        let fields = [
            &mut vars.id,
            &mut vars.name,
            &mut vars.status,
            &mut vars.result,
            &mut vars.error,
            &mut vars.source_index_name,
            &mut vars.source_index_id,
            &mut vars.created_at,
            &mut vars.record_count,
            &mut vars.namespace_count,
            &mut vars.size_bytes,
            &mut vars.attempts,
            &mut vars.elapsed_seconds,
            &mut vars.created,
            &mut vars.selected_by,
            &mut vars.stage,
            &mut vars.restore_job_id,
            &mut vars.restore_status,
            &mut vars.restored_index_name,
            &mut vars.restored_index_host,
        ];
        fields.into_iter().nth(index).unwrap()
    }

    #[test]
    fn hostile_values_in_any_variable_change_no_other_variable() {
        let base = sample();
        for payload in testkit::payloads::HOSTILE {
            for index in 0..NAMES.len() {
                let mut vars = base.clone();
                *field(&mut vars, index) = payload.to_owned();
                let (_, seen) = through_gitlab(&vars);
                for (j, ((name, value), (_, expected))) in seen.iter().zip(base.pairs()).enumerate()
                {
                    if j != index {
                        assert_eq!(
                            value, expected,
                            "{name} changed by {payload:?} in {}",
                            NAMES[index]
                        );
                    }
                }
                let value = &seen[index].1;
                assert_eq!(*value, one_line(payload), "{payload:?}");
                // Everything visible is kept, in order.
                let visible = |s: &str| -> String {
                    s.chars()
                        .filter(|c| !c.is_control() && !c.is_whitespace())
                        .collect()
                };
                assert_eq!(visible(value), visible(payload), "{payload:?}");
            }
        }
    }

    #[test]
    fn hostile_values_everywhere_at_once_stay_in_their_variables() {
        for payload in testkit::payloads::HOSTILE {
            let mut vars = Variables::default();
            for index in 0..NAMES.len() {
                *field(&mut vars, index) = format!("{index}:{payload}");
            }
            let (_, seen) = through_gitlab(&vars);
            for (index, (_, value)) in seen.iter().enumerate() {
                assert!(value.starts_with(&format!("{index}:")), "{value:?}");
            }
        }
    }

    #[test]
    fn a_value_holding_a_whole_report_stays_one_value() {
        let mut forged = sample();
        forged.result = "ready".into();
        forged.id = "bk-forged".into();
        let file = forged.render().text;
        let mut vars = sample();
        vars.result = "failed".into();
        vars.error = file.clone();
        vars.name = file.replace('\n', "\r");
        let (_, seen) = through_gitlab(&vars);
        assert_eq!(seen[0].1, "bk-7f3a");
        assert_eq!(seen[3].1, "failed");
        assert!(
            seen[4]
                .1
                .starts_with("PINECONE_BACKUP_ID=bk-forged PINECONE_BACKUP_NAME=")
        );
    }

    #[test]
    fn megabyte_values_everywhere_still_fit() {
        let mut vars = Variables::default();
        for index in 0..NAMES.len() {
            *field(&mut vars, index) = format!("{index}{}", "\n$é".repeat(350_000));
        }
        let (dotenv, seen) = through_gitlab(&vars);
        assert_eq!(dotenv.cut, NAMES);
        for (index, (_, value)) in seen.iter().enumerate() {
            assert!(value.starts_with(&format!("{index} $é $é")), "{value:?}");
            assert!(value.ends_with('…'));
        }
    }

    #[test]
    fn shares_never_exceed_the_budget() {
        assert_eq!(share(&[10, 1000, 5, 1000], 1015), vec![10, 500, 5, 500]);
        assert_eq!(share(&[10, 20], 1000), vec![10, 20]);
        assert_eq!(share(&[], 10), Vec::<usize>::new());
        assert_eq!(share(&[7, 7, 7], 10), vec![3, 3, 4]);
        assert_eq!(shorten("abcdef", 5), "ab…");
        assert_eq!(shorten("abcdef", 2), "");
    }
}
