//! Escaping for every place an untrusted string (from the API, or the
//! backup id) can be printed. Each sink calls exactly one of these.
//!
//! The GitHub runner reads workflow commands from every line of stdout and
//! stderr: `::cmd::data` at the start of a line (after leading whitespace)
//! and the legacy `##[cmd]data` anywhere in a line
//! (actions/runner src/Runner.Common/ActionCommand.cs, TryParseV2/TryParse).
//! So a log line must never let untrusted text start a line or contain `##[`.

/// The longest server string (a status, an id, a header value) kept where a
/// person reads it: log lines, annotations, the summary. Outputs and
/// `--json` keep the exact value.
pub const MAX_SERVER_CHARS: usize = 200;

/// The longest message (an error that quotes server text) kept in a log
/// line or an annotation; the `error` output keeps it whole.
pub const MAX_MESSAGE_CHARS: usize = 1_000;

/// Cuts `text` to `max_chars` characters and says what was cut, so that a
/// server sending megabytes cannot fill the log: `abc… (1048576 bytes in all)`.
pub fn cut(text: &str, max_chars: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}{}", &text[..end], cut_note(text)).into(),
        None => text.into(),
    }
}

/// What `cut` appends.
fn cut_note(text: &str) -> String {
    format!("… ({} bytes in all)", text.len())
}

/// For the human log: control characters (including CR, LF, ESC and the
/// Unicode line separators) become visible escapes, and `##[` is broken up,
/// so the text stays on its own line and can issue no workflow command.
pub fn log_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    break_legacy_commands(out)
}

/// Breaks every `##[` so the runner's legacy command parser never matches.
fn break_legacy_commands(text: String) -> String {
    if text.contains("##[") {
        text.replace("##[", "##\\[")
    } else {
        text
    }
}

/// The data part of a workflow command (`::error::DATA`), escaped the way
/// the runner unescapes it. `##[` is broken up here too, so that no line we
/// print ever contains it, whichever parser reads the line.
pub fn command_data(text: &str) -> String {
    break_legacy_commands(
        text.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A"),
    )
}

/// A property value of a workflow command (`::error title=VALUE::`).
pub fn command_property(text: &str) -> String {
    command_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// JSON text for stdout: the runner would also read `##[` inside a JSON
/// string as a command, so its `[` is written as the equivalent `\u005b`.
/// Compact JSON has `#` only inside strings, so the result parses to the
/// same value.
pub fn json_line(json: String) -> String {
    if json.contains("##[") {
        json.replace("##[", "##\\u005b")
    } else {
        json
    }
}

/// A markdown table cell: HTML and markdown syntax are neutralised, lines
/// are joined, and long values are cut (saying so), so a value cannot break
/// the table, inject a link or an image, or swell the summary.
pub fn markdown_cell(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 2));
    for (count, c) in text.chars().enumerate() {
        if count == max_chars {
            out.push_str(&cut_note(text));
            break;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '|' => out.push_str("&#124;"),
            // Inline markup inside a cell (block markup needs a line start,
            // which a cell never has): emphasis, code, links, images,
            // strikethrough, math, and backslash itself.
            '\\' | '`' | '*' | '_' | '[' | ']' | '!' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_text_keeps_everything_on_one_line_and_commandless() {
        let hostile = "ok\n::error::pwned\r\n##[set-output name=status;]Ready\u{1b}[31m\u{2028}x";
        let escaped = log_text(hostile);
        assert!(!escaped.contains('\n') && !escaped.contains('\r'));
        assert!(!escaped.contains("##["));
        assert!(!escaped.contains('\u{1b}'));
        assert_eq!(
            escaped,
            "ok\\n::error::pwned\\r\\n##\\[set-output name=status;]Ready\\u{1b}[31m\\u{2028}x"
        );
        assert_eq!(log_text("héllo wörld ✓"), "héllo wörld ✓");
    }

    #[test]
    fn command_data_and_properties_follow_the_runner_escapes() {
        assert_eq!(command_data("50%\r\n::x"), "50%25%0D%0A::x");
        assert_eq!(command_data("a ##[x]"), "a ##\\[x]");
        assert_eq!(command_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn json_line_is_still_the_same_json() {
        let json = serde_json::json!({"d": "x##[set-output name=a;]b"}).to_string();
        let line = json_line(json);
        assert!(!line.contains("##["));
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back["d"], "x##[set-output name=a;]b");
    }

    #[test]
    fn markdown_cells_cannot_break_tables_or_inject_markup() {
        let cell = markdown_cell("a|b\n<img src=x onerror=alert(1)>[x](http://e)", 200);
        assert!(!cell.contains('|') && !cell.contains('<') && !cell.contains('\n'));
        assert_eq!(
            cell,
            "a&#124;b &lt;img src=x onerror=alert(1)&gt;\\[x\\](http://e)"
        );
    }

    #[test]
    fn markdown_cells_are_cut_at_the_limit() {
        let cell = markdown_cell(&"é".repeat(1000), 10);
        assert_eq!(cell, format!("{}… (2000 bytes in all)", "é".repeat(10)));
    }

    #[test]
    fn cut_keeps_short_text_and_says_how_long_long_text_was() {
        assert_eq!(cut("Ready", 5), "Ready");
        assert_eq!(cut("Readyy", 5), "Ready… (6 bytes in all)");
        assert_eq!(cut(&"é".repeat(300), 2), "éé… (600 bytes in all)");
    }
}
