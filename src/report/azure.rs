//! Azure Pipelines logging commands (`##vso[area.event properties]data`),
//! for runs under `TF_BUILD=True`, and the one rule every other line we
//! print there must follow. Pure functions; the caller prints each command
//! on its own line.
//!
//! From the agent's source (microsoft/azure-pipelines-agent):
//!
//! - `src/Agent.Sdk/ProcessInvoker.cs` reads a step's stdout and stderr with
//!   `StreamReader.ReadLine`: lines end at `\n`, `\r` or `\r\n`.
//! - `src/Microsoft.VisualStudio.Services.Agent/Command.cs`, `TryParse`:
//!   `message.IndexOf("##vso[")` finds the prefix **anywhere** in a line,
//!   the first `]` after it ends the command, the command is `area.event`
//!   up to the first space, properties are split on `;` and each at its
//!   first `=` (names case-insensitive), and everything after the `]` is
//!   the data. `IndexOf(string)` without a comparison type is
//!   culture-sensitive (the agent is built with `InvariantGlobalization`
//!   false), so on ICU characters without collation weight (format and
//!   control characters, zero-width spaces, variation selectors) are
//!   skipped: `##<U+200B>vso[` is found as `##vso[`. It is case-sensitive.
//! - `src/Agent.Sdk/CommandStringConvertor.cs`: properties and data are
//!   unescaped with `%3B` → `;`, `%0D` → CR, `%0A` → LF, `%5D` → `]`, then
//!   (knob `DECODE_PERCENTS`, on by default) `%AZP25` → `%`. `Escape`
//!   there is the reverse, `%` first; [`escape`] is the same.
//! - `src/Agent.Worker/WorkerCommandManager.cs`: a line containing `##vso`
//!   that does not parse raises a warning quoting the line.

/// The kind of issue `logissue` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueType {
    /// `type=error`: fails nothing by itself, but shows red in the run.
    Error,
    /// `type=warning`.
    Warning,
}

impl IssueType {
    fn as_str(self) -> &'static str {
        match self {
            IssueType::Error => "error",
            IssueType::Warning => "warning",
        }
    }
}

/// Whether the run is an Azure Pipelines job: the agent sets `TF_BUILD` to
/// `True`.
pub fn detected(tf_build: Option<&str>) -> bool {
    tf_build.is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// A property value or the data of a logging command, escaped as the
/// agent's `CommandStringConvertor.Escape` does: the agent gives back
/// exactly `text`, which can neither end the line, nor the property, nor
/// the command.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%AZP25"),
            ';' => out.push_str("%3B"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ']' => out.push_str("%5D"),
            c => out.push(c),
        }
    }
    out
}

/// `##vso[task.setsecret]KEY`: the agent masks `secret` in everything it
/// logs from then on. Print it before anything else.
pub fn setsecret(secret: &str) -> String {
    format!("##vso[task.setsecret]{}", escape(secret))
}

/// `##vso[task.setvariable variable=NAME;isoutput=true]VALUE`: an output
/// variable, `$(step.NAME)` in the same job and
/// `dependencies.job.outputs['step.NAME']` in later ones. The value
/// arrives exactly.
pub fn setvariable(name: &str, value: &str) -> String {
    format!(
        "##vso[task.setvariable variable={};isoutput=true]{}",
        escape(name),
        escape(value)
    )
}

/// One `setvariable` line per variable of the dotenv report (same names),
/// each ending in `\n`.
pub fn setvariables(variables: &super::dotenv::Variables) -> String {
    let mut out = String::new();
    for (name, value) in variables.pairs() {
        out.push_str(&setvariable(name, value));
        out.push('\n');
    }
    out
}

/// `##vso[task.logissue type=error]MESSAGE`. The message is for people, so
/// it is [`neutralize`]d too: it stays on one line and can quote no
/// command.
pub fn logissue(kind: IssueType, message: &str) -> String {
    format!(
        "##vso[task.logissue type={}]{}",
        kind.as_str(),
        escape(&neutralize(message))
    )
}

/// For every other line printed under `TF_BUILD`, with text from the API or
/// the user in it: line breaks and control characters become visible
/// escapes (`\n`, `\u{1b}`), so do invisible characters the agent's search
/// would skip, and every `##vso` (any case) is written `#\#vso`, so the
/// agent finds neither a command nor its keyword. `##[`, which Azure's log
/// view reads as formatting, is written `##\[`.
pub fn neutralize(text: &str) -> String {
    let mut visible = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => visible.push_str("\\n"),
            '\r' => visible.push_str("\\r"),
            '\t' => visible.push_str("\\t"),
            c if c.is_control() || is_invisible(c) => {
                visible.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => visible.push(c),
        }
    }
    break_commands(&visible)
}

/// The `--json` line under `TF_BUILD` (the agent reads stdout too), still
/// the same JSON: every control or invisible character inside a string is
/// written as a `\uXXXX` escape, and the second `#` of every `##vso` (any
/// case) as `\u0023`. Compact JSON has `#` and such characters only inside
/// strings, where these escapes mean the same characters.
pub fn json_line(json: &str) -> String {
    let mut visible = String::with_capacity(json.len());
    for c in json.chars() {
        if (c.is_control() && c != '\n') || is_invisible(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                visible.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            visible.push(c);
        }
    }
    let bytes = visible.as_bytes();
    let mut out = String::with_capacity(visible.len() + 8);
    let mut start = 0;
    for i in 0..bytes.len() {
        let rest = &bytes[i..];
        if rest.len() >= 5 && rest[..2] == *b"##" && rest[2..5].eq_ignore_ascii_case(b"vso") {
            out.push_str(&visible[start..i + 1]);
            out.push_str("\\u0023");
            start = i + 2;
        }
    }
    out.push_str(&visible[start..]);
    out
}

/// Inserts a backslash between the `#`s of every `##vso` (ASCII case
/// ignored) and of every `##[`.
fn break_commands(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 8);
    let mut start = 0;
    for i in 0..bytes.len() {
        let rest = &bytes[i..];
        let command =
            rest.len() >= 5 && rest[..2] == *b"##" && rest[2..5].eq_ignore_ascii_case(b"vso");
        let formatting = rest.starts_with(b"##[");
        if command || formatting {
            // `#` is ASCII, so i + 1 is a character boundary.
            out.push_str(&text[start..i + 1]);
            if formatting {
                out.push('#');
                out.push('\\');
                start = i + 2;
            } else {
                out.push('\\');
                start = i + 1;
            }
        }
    }
    out.push_str(&text[start..]);
    out
}

/// Characters that print as nothing and that ICU collation gives no weight:
/// Unicode's format characters (Cf), default-ignorable code points and the
/// line and paragraph separators.
fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891
        | 0x08E2 | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F | 0x200B..=0x200F
        | 0x2028..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0
        | 0xFFF0..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::dotenv::{NAMES, Variables};
    use testkit::azure::{logging_commands, mentions_keyword};
    use testkit::payloads::HOSTILE;

    #[test]
    fn escapes_follow_the_agents_mappings() {
        assert_eq!(escape("100%"), "100%AZP25");
        assert_eq!(escape("a\r\nb"), "a%0D%0Ab");
        assert_eq!(escape("k=v;x=y"), "k=v%3Bx=y");
        assert_eq!(escape("end]data"), "end%5Ddata");
        assert_eq!(
            escape("%3B%0A%5D%AZP25"),
            "%AZP253B%AZP250A%AZP255D%AZP25AZP25"
        );
        assert_eq!(escape("日本語 ✓ ##vso["), "日本語 ✓ ##vso[");
    }

    #[test]
    fn golden_commands() {
        assert_eq!(
            setsecret("pc-abc%;]"),
            "##vso[task.setsecret]pc-abc%AZP25%3B%5D"
        );
        assert_eq!(
            setvariable("PINECONE_BACKUP_STATUS", "Ready"),
            "##vso[task.setvariable variable=PINECONE_BACKUP_STATUS;isoutput=true]Ready"
        );
        assert_eq!(
            setvariable("PINECONE_BACKUP_ERROR", "a\nb;c]"),
            "##vso[task.setvariable variable=PINECONE_BACKUP_ERROR;isoutput=true]a%0Ab%3Bc%5D"
        );
        assert_eq!(
            logissue(
                IssueType::Error,
                "backup bk-1 failed: 50%\n##vso[task.complete result=Succeeded]"
            ),
            "##vso[task.logissue type=error]backup bk-1 failed: 50%AZP25\\n#\\#vso[task.complete result=Succeeded%5D"
        );
        assert_eq!(
            logissue(IssueType::Warning, "slow"),
            "##vso[task.logissue type=warning]slow"
        );
    }

    #[test]
    fn detects_azure_by_tf_build() {
        assert!(detected(Some("True")) && detected(Some("true")));
        assert!(!detected(None) && !detected(Some("")) && !detected(Some("1")));
    }

    #[test]
    fn neutralize_breaks_every_command_and_keyword() {
        assert_eq!(
            neutralize("##vso[task.setvariable variable=X]1"),
            "#\\#vso[task.setvariable variable=X]1"
        );
        assert_eq!(neutralize("a ##VSO[ b ##vSo"), "a #\\#VSO[ b #\\#vSo");
        assert_eq!(neutralize("###vso["), "##\\#vso[");
        assert_eq!(neutralize("##[error]x"), "##\\[error]x");
        assert_eq!(neutralize("#vso[ ## vso [ #"), "#vso[ ## vso [ #");
        assert_eq!(neutralize("ok\r\n##vso[x.y]z"), "ok\\r\\n#\\#vso[x.y]z");
        assert_eq!(neutralize("##\u{200b}vso["), "##\\u{200b}vso[");
        assert_eq!(neutralize("#\u{0}#vso["), "#\\u{0}#vso[");
        assert_eq!(
            neutralize("##\u{e0076}vso[\u{2028}"),
            "##\\u{e0076}vso[\\u{2028}"
        );
        assert_eq!(neutralize("héllo ✓ 100% a;b]c"), "héllo ✓ 100% a;b]c");
    }

    /// Hostile text in every place a line of ours can carry it, with the
    /// hidden-character forms of the prefix the agent's search would find.
    fn payloads() -> Vec<String> {
        let mut all: Vec<String> = HOSTILE.iter().map(|p| (*p).to_owned()).collect();
        for hidden in [
            '\u{0}',
            '\u{ad}',
            '\u{200b}',
            '\u{200d}',
            '\u{2060}',
            '\u{feff}',
            '\u{fe0f}',
            '\u{e0001}',
        ] {
            all.push(format!(
                "##{hidden}vso[task.setvariable variable=PINECONE_BACKUP_RESULT]ready"
            ));
            all.push(format!(
                "#{hidden}#vso[task.setvariable variable=PINECONE_BACKUP_RESULT]ready"
            ));
            all.push(format!("##vso{hidden}[task.complete result=Succeeded]"));
        }
        all
    }

    #[test]
    fn neutralized_lines_carry_no_command_and_no_keyword() {
        for payload in payloads() {
            let line = format!("pinecone-backup-wait: status {}", neutralize(&payload));
            assert!(
                logging_commands(&line).is_empty(),
                "{payload:?} -> {line:?}"
            );
            assert!(!mentions_keyword(&line), "{payload:?} -> {line:?}");
            assert_eq!(line.lines().count(), 1, "{payload:?} -> {line:?}");
        }
    }

    #[test]
    fn hostile_values_round_trip_and_add_no_command() {
        for payload in payloads() {
            let vars = Variables {
                id: payload.clone(),
                name: format!("name:{payload}"),
                status: payload.clone(),
                error: payload.repeat(3),
                result: "failed".into(),
                ..Variables::default()
            };
            let mut log = setsecret(&format!("key{payload}"));
            log.push('\n');
            log.push_str(&setvariables(&vars));
            log.push_str(&logissue(IssueType::Error, &payload));
            log.push('\n');
            let commands = logging_commands(&log);
            let names: Vec<String> = commands.iter().map(|c| c.name()).collect();
            let mut expected = vec!["task.setsecret".to_owned()];
            expected.extend(std::iter::repeat_n("task.setvariable".to_owned(), 20));
            expected.push("task.logissue".to_owned());
            assert_eq!(names, expected, "{payload:?}\n{log}");

            assert_eq!(commands[0].data, format!("key{payload}"));
            for ((name, value), command) in vars.pairs().iter().zip(&commands[1..21]) {
                assert_eq!(command.property("variable"), Some(*name));
                assert_eq!(command.property("isoutput"), Some("true"));
                assert_eq!(command.properties.len(), 2, "{command:?}");
                assert_eq!(command.data, *value, "{payload:?}");
            }
            let issue = &commands[21];
            assert_eq!(issue.property("type"), Some("error"));
            assert_eq!(issue.data, neutralize(&payload));
        }
    }

    #[test]
    fn json_lines_stay_the_same_json_and_carry_no_command() {
        for payload in payloads() {
            let value = serde_json::json!({ "name": payload, &payload: [payload.clone()] });
            let mut text = value.to_string();
            text.push('\n');
            let line = json_line(&text);
            assert!(
                logging_commands(&line).is_empty(),
                "{payload:?} -> {line:?}"
            );
            assert!(!mentions_keyword(&line), "{payload:?} -> {line:?}");
            assert_eq!(line.lines().count(), 1, "{payload:?} -> {line:?}");
            let back: serde_json::Value = serde_json::from_str(&line).unwrap();
            assert_eq!(back, value, "{line}");
        }
        assert_eq!(
            json_line(r###"{"a":"##vso[x] ##VSO #\u0023"}"###),
            r###"{"a":"#\u0023vso[x] #\u0023VSO #\u0023"}"###
        );
        assert_eq!(
            json_line("\"\u{200b}\u{e0001}\""),
            r#""\u200b\udb40\udc01""#
        );
    }

    #[test]
    fn output_variables_are_the_dotenv_names() {
        let text = setvariables(&Variables::default());
        let commands = logging_commands(&text);
        let names: Vec<&str> = commands
            .iter()
            .map(|c| c.property("variable").unwrap())
            .collect();
        assert_eq!(names, NAMES);
        assert!(commands.iter().all(|c| c.data.is_empty()));
    }
}
