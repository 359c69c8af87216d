//! What the GitHub runner makes of our output, reimplemented from
//! actions/runner: `src/Runner.Worker/FileCommandManager.cs` (the
//! `NAME=VALUE` / `NAME<<DELIMITER` file format, Linux line handling) and
//! `src/Runner.Common/ActionCommand.cs` (`::cmd::` after leading whitespace,
//! legacy `##[cmd]` anywhere in a line).

/// Commands the runner recognises (ActionCommandManager registrations).
pub const REGISTERED_COMMANDS: [&str; 15] = [
    "set-env",
    "set-output",
    "save-state",
    "add-path",
    "add-mask",
    "add-matcher",
    "remove-matcher",
    "warning",
    "error",
    "notice",
    "debug",
    "group",
    "endgroup",
    "echo",
    "stop-commands",
];

/// Parses a `GITHUB_OUTPUT` file as the runner does. Step outputs live in a
/// `DictionaryContextData` (src/Sdk/DTPipelines/Pipelines/ContextData/
/// DictionaryContextData.cs, reached from `StepsContext.SetOutput`), whose
/// keys compare with `OrdinalIgnoreCase`: a later `Status` overwrites the
/// value of an earlier `status` in place, and the first spelling is kept.
pub fn parse_output_file(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut outputs: Vec<(String, String)> = Vec::new();
    let mut set = |name: &str, value: String| match outputs
        .iter_mut()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        Some((_, existing)) => *existing = value,
        None => outputs.push((name.to_owned(), value)),
    };
    let mut index = 0;
    while let Some((line, _)) = read_line(text, &mut index) {
        if line.is_empty() {
            continue;
        }
        let equals = line.find('=');
        let heredoc = line.find("<<");
        match (equals, heredoc) {
            (Some(e), h) if h.is_none_or(|h| e < h) => {
                set(&line[..e], line[e + 1..].to_owned());
            }
            (_, Some(h)) => {
                let (name, delimiter) = (&line[..h], &line[h + 2..]);
                if name.is_empty() || delimiter.is_empty() {
                    return Err(format!("invalid format '{line}'"));
                }
                let start = index;
                let mut end = index;
                loop {
                    match read_line(text, &mut index) {
                        None => return Err(format!("matching delimiter not found '{delimiter}'")),
                        Some((candidate, _)) if candidate == delimiter => break,
                        Some((_, newline_len)) => end = index - newline_len,
                    }
                }
                let value = if end > start {
                    text[start..end].to_owned()
                } else {
                    String::new()
                };
                set(name, value);
            }
            _ => return Err(format!("invalid format '{line}'")),
        }
    }
    Ok(outputs)
}

/// The runner's `ReadLine` on Linux: splits on `\n` only. Returns the line
/// and the length of its newline (0 at end of text).
fn read_line<'a>(text: &'a str, index: &mut usize) -> Option<(&'a str, usize)> {
    if *index >= text.len() {
        return None;
    }
    let start = *index;
    match text[start..].find('\n') {
        Some(offset) => {
            *index = start + offset + 1;
            Some((&text[start..start + offset], 1))
        }
        None => {
            *index = text.len();
            Some((&text[start..], 0))
        }
    }
}

/// A workflow command found in a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The command name, e.g. `error`.
    pub name: String,
    /// The raw text after the command (still escaped).
    pub data: String,
    /// The whole line.
    pub line: String,
}

/// Every workflow command the runner would execute from `log` (stdout or
/// stderr of a step). Lines are split as .NET's `ReadLine` does: on `\n`,
/// `\r\n` and a lone `\r`.
pub fn workflow_commands(log: &str) -> Vec<Command> {
    log.split(['\n', '\r'])
        .filter_map(|line| parse_v2(line).or_else(|| parse_v1(line)))
        .collect()
}

fn parse_v2(line: &str) -> Option<Command> {
    let message = line.trim_start();
    let rest = message.strip_prefix("::")?;
    let end = rest.find("::")?;
    let info = &rest[..end];
    let name = info.split(' ').next().unwrap_or_default();
    REGISTERED_COMMANDS.contains(&name).then(|| Command {
        name: name.to_owned(),
        data: rest[end + 2..].to_owned(),
        line: line.to_owned(),
    })
}

fn parse_v1(line: &str) -> Option<Command> {
    let start = line.find("##[")? + 3;
    let end = start + line[start..].find(']')?;
    let info = &line[start..end];
    let name = info.split(' ').next().unwrap_or_default();
    REGISTERED_COMMANDS.contains(&name).then(|| Command {
        name: name.to_owned(),
        data: line[end + 1..].to_owned(),
        line: line.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_output_forms_like_the_runner() {
        let text = "a=1\nb<<EOF\nline 1\nline 2\nEOF\nc<<X\n\nX\n\nd=x=y\n";
        let outputs = parse_output_file(text).unwrap();
        assert_eq!(
            outputs,
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "line 1\nline 2".into()),
                ("c".into(), "".into()),
                ("d".into(), "x=y".into()),
            ]
        );
    }

    #[test]
    fn names_compare_without_case_and_the_first_spelling_stays() {
        let text = "status<<A\nFailed\nA\nx=1\nStatus<<B\nReady\nB\n";
        assert_eq!(
            parse_output_file(text).unwrap(),
            vec![("status".into(), "Ready".into()), ("x".into(), "1".into())]
        );
    }

    #[test]
    fn an_unterminated_heredoc_is_an_error() {
        assert!(parse_output_file("a<<EOF\nvalue\n").is_err());
        assert!(parse_output_file("justtext\n").is_err());
    }

    #[test]
    fn a_naive_writer_is_injectable_which_is_why_we_check_delimiters() {
        let naive = "description<<EOF\nx\nEOF\nstatus<<EOF\nReady\nEOF\n";
        let outputs = parse_output_file(naive).unwrap();
        assert!(outputs.contains(&("status".into(), "Ready".into())));
    }

    #[test]
    fn finds_commands_the_way_the_runner_does() {
        let log = "plain\n  ::error title=x::boom\rtext ##[add-mask]secret\n::unknown::x\n:: not\n";
        let names: Vec<String> = workflow_commands(log).into_iter().map(|c| c.name).collect();
        assert_eq!(names, vec!["error", "add-mask"]);
    }
}
