//! What the Azure Pipelines agent makes of a step's output, reimplemented
//! from microsoft/azure-pipelines-agent, so tests assert which logging
//! commands a pipeline would really run:
//!
//! - `src/Agent.Sdk/ProcessInvoker.cs`: output is read with
//!   `StreamReader.ReadLine`, so lines end at `\n`, `\r` or `\r\n`.
//! - `src/Microsoft.VisualStudio.Services.Agent/Command.cs`, `TryParse`: the
//!   first `##vso[` anywhere in the line, the first `]` after it, the
//!   command name `area.event` up to the first space (exactly two non-empty
//!   parts), properties split on `;` and each at its first `=` (empty parts
//!   dropped; names case-insensitive, later ones win), the data after `]`.
//!   The command info starts six UTF-16 units after the prefix's start,
//!   whatever the search matched.
//! - `src/Agent.Sdk/CommandStringConvertor.cs`, `Unescape`: `%3B`, `%0D`,
//!   `%0A`, `%5D`, then `%AZP25` (`DECODE_PERCENTS`, on by default).
//! - `src/Agent.Worker/WorkerCommandManager.cs`: a line that does not parse
//!   but contains `##vso` raises a warning that quotes it.
//!
//! `IndexOf(string)` there is culture-sensitive: on ICU, characters without
//! collation weight are skipped, so `##<U+200B>vso[` is found. The model
//! skips a superset of them (control and format characters,
//! default-ignorable code points), which makes the tests stricter, not
//! looser.

/// The prefix of a logging command.
pub const PREFIX: &str = "##vso[";

/// A logging command the agent would process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggingCommand {
    /// `task` in `task.setvariable`.
    pub area: String,
    /// `setvariable` in `task.setvariable`.
    pub event: String,
    /// Properties, unescaped, in first-seen order; a repeated name (in any
    /// case) keeps its first place and its last value.
    pub properties: Vec<(String, String)>,
    /// The data after `]`, unescaped.
    pub data: String,
    /// The whole line.
    pub line: String,
}

impl LoggingCommand {
    /// `area.event`.
    pub fn name(&self) -> String {
        format!("{}.{}", self.area, self.event)
    }

    /// A property by name, case ignored, as the agent's dictionary does.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Every logging command in `log` (a step's stdout or stderr), in order.
pub fn logging_commands(log: &str) -> Vec<LoggingCommand> {
    read_lines(log).filter_map(parse_line).collect()
}

/// Whether the agent would warn about `line`: it contains `##vso`, as the
/// same culture-sensitive search finds it, and is not a command.
pub fn mentions_keyword(line: &str) -> bool {
    find(line, "##vso", 0).is_some()
}

/// The lines `StreamReader.ReadLine` returns: split at `\r\n`, `\n`, `\r`.
pub fn read_lines(log: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(log);
    std::iter::from_fn(move || {
        let text = rest?;
        if text.is_empty() {
            rest = None;
            return None;
        }
        match text.find(['\r', '\n']) {
            Some(i) => {
                let skip = if text[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = Some(&text[i + skip..]);
                Some(&text[..i])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

/// `Command.TryParse` on one line.
pub fn parse_line(line: &str) -> Option<LoggingCommand> {
    let prefix = find(line, PREFIX, 0)?;
    let rb = prefix + line[prefix..].find(']')?;
    let cmd = advance_utf16(line, prefix, PREFIX.len()).min(rb);
    let info = &line[cmd..rb];
    let (command_name, properties) = match info.find(' ') {
        Some(space) => (&info[..space], Some(&info[space + 1..])),
        None => (info, None),
    };
    let parts: Vec<&str> = command_name.split('.').filter(|p| !p.is_empty()).collect();
    let [area, event] = parts[..] else {
        return None;
    };
    let mut command = LoggingCommand {
        area: area.to_owned(),
        event: event.to_owned(),
        properties: Vec::new(),
        data: unescape(&line[rb + 1..]),
        line: line.to_owned(),
    };
    // `if (spaceIndex > 0)`: a space right after the prefix means none.
    if info.find(' ').is_some_and(|space| space > 0) {
        for property in properties.unwrap_or_default().split(';') {
            let Some((key, value)) = property.split_once('=') else {
                continue;
            };
            if key.is_empty() || value.is_empty() {
                continue;
            }
            let value = unescape(value);
            match command
                .properties
                .iter_mut()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
            {
                Some(slot) => slot.1 = value,
                None => command.properties.push((key.to_owned(), value)),
            }
        }
    }
    Some(command)
}

/// `CommandStringConvertor.Unescape` with percents decoded (the default).
pub fn unescape(escaped: &str) -> String {
    escaped
        .replace("%3B", ";")
        .replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%5D", "]")
        .replace("%AZP25", "%")
}

/// The byte index where `pattern` starts in `line` at or after `from`,
/// skipping ignorable characters between its characters, as ICU's search
/// does.
fn find(line: &str, pattern: &str, from: usize) -> Option<usize> {
    let first = pattern.chars().next()?;
    line[from..]
        .char_indices()
        .filter(|&(_, c)| c == first)
        .map(|(i, _)| from + i)
        .find(|&start| {
            let mut wanted = pattern.chars().skip(1).peekable();
            for c in line[start..].chars().skip(1) {
                match wanted.peek() {
                    None => return true,
                    Some(&w) if c == w => {
                        wanted.next();
                    }
                    Some(_) if ignorable(c) => {}
                    Some(_) => return false,
                }
            }
            wanted.peek().is_none()
        })
}

/// The byte index `units` UTF-16 code units after byte index `start`.
fn advance_utf16(line: &str, start: usize, units: usize) -> usize {
    let mut counted = 0;
    for (i, c) in line[start..].char_indices() {
        if counted >= units {
            return start + i;
        }
        counted += c.len_utf16();
    }
    line.len()
}

/// Characters the model lets the search skip: controls (`\t`, `\n`, `\r`
/// and the others), format characters, default-ignorable code points,
/// the line and paragraph separators.
fn ignorable(c: char) -> bool {
    c.is_control()
        || matches!(c as u32,
            0x00AD | 0x034F | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891
            | 0x08E2 | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F | 0x200B..=0x200F
            | 0x2028..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0
            | 0xFFF0..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_commands_anywhere_in_a_line() {
        let commands = logging_commands(
            "plain\nsome text ##vso[task.setvariable variable=A;isOutput=true]1\r##vso[task.complete result=Succeeded;]done\r\n",
        );
        assert_eq!(commands.len(), 2);
        assert_eq!(commands[0].name(), "task.setvariable");
        assert_eq!(commands[0].property("variable"), Some("A"));
        assert_eq!(commands[0].property("ISOUTPUT"), Some("true"));
        assert_eq!(commands[0].data, "1");
        assert_eq!(commands[1].name(), "task.complete");
        assert_eq!(commands[1].property("result"), Some("Succeeded"));
        assert_eq!(commands[1].data, "done");
    }

    #[test]
    fn parses_like_try_parse() {
        // No `]`, or not exactly area.event: not a command.
        assert!(parse_line("##vso[task.setvariable variable=A").is_none());
        assert!(parse_line("##vso[task]x").is_none());
        assert!(parse_line("##vso[a.b.c]x").is_none());
        assert!(parse_line("##VSO[task.debug]x").is_none());
        // Empty parts are dropped: `..task..debug.` is task.debug.
        assert_eq!(
            parse_line("##vso[..task..debug.]x").unwrap().name(),
            "task.debug"
        );
        // The first `]` ends the command; later ones are data.
        let c = parse_line("##vso[task.logissue type=error]a]b").unwrap();
        assert_eq!(c.data, "a]b");
        // Properties: split on `;`, then at the first `=`; empties dropped;
        // names case-insensitive, last wins.
        let c = parse_line("##vso[x.y a=1;;b=;=c;d=e=f;A=2]").unwrap();
        assert_eq!(
            c.properties,
            vec![("a".into(), "2".into()), ("d".into(), "e=f".into())]
        );
        // A space right after `[`: the command name is empty.
        assert!(parse_line("##vso[ task.debug]x").is_none());
    }

    #[test]
    fn unescapes_like_the_agent() {
        assert_eq!(unescape("a%3Bb%0Dc%0Ad%5De%AZP25f"), "a;b\rc\nd]e%f");
        assert_eq!(unescape("%AZP253B"), "%3B");
        assert_eq!(unescape("%25 %3b"), "%25 %3b");
    }

    #[test]
    fn the_search_skips_what_icu_ignores() {
        for hidden in ['\u{0}', '\u{ad}', '\u{200b}', '\u{feff}', '\u{e0001}'] {
            let line = format!("##{hidden}vso[task.debug]x");
            assert!(mentions_keyword(&line), "{hidden:?}");
            // The agent reads the command info from six UTF-16 units after
            // the start, so the hidden character shifts the name.
            let parsed = parse_line(&line).unwrap();
            assert!(parsed.area.ends_with("[task"), "{hidden:?}: {parsed:?}");
        }
        assert!(find("##\\vso[", PREFIX, 0).is_none());
        assert!(find("#vso[ ##vs o[", PREFIX, 0).is_none());
        assert_eq!(find("x###vso[", PREFIX, 0), Some(2));
    }

    #[test]
    fn lines_split_like_read_line() {
        let lines: Vec<&str> = read_lines("a\r\nb\rc\n\nd\u{2028}e\u{85}f").collect();
        assert_eq!(lines, ["a", "b", "c", "", "d\u{2028}e\u{85}f"]);
        assert_eq!(read_lines("").count(), 0);
        assert_eq!(read_lines("x\n").collect::<Vec<_>>(), ["x"]);
    }
}
