//! `quoted`: how a value somebody typed (a flag, a stray argument, an
//! environment variable) appears inside an error message.
//!
//! A message that quotes an input reaches the log, a workflow annotation, the
//! `error` output and `--json`. The GitHub runner reads a workflow command
//! from any line that starts with `::` (after whitespace), so an input must
//! never be able to start a line: every control character (CR and LF
//! included) becomes a visible escape and the message stays on one line.
//! Long values are cut, so a pasted file cannot swell the log.

/// What kind of JSON value this is ("a string", "an array"…), for
/// messages about a value of the wrong type.
pub fn json_kind(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The most characters of an input shown in a message.
const MAX_CHARS: usize = 100;

/// `'value'`, on one line, with control characters escaped (`\n`, `\r`,
/// `\t`, `\u{1b}`) and anything past 100 characters replaced by `…`.
pub fn quoted(value: &str) -> String {
    format!("'{}'", escaped(value))
}

/// The same escaping as [`quoted`], without the quotes.
pub fn escaped(value: &str) -> String {
    escape(value, MAX_CHARS)
}

/// A whole message on one line: control characters escaped as in
/// [`quoted`], nothing cut.
pub fn one_line(message: &str) -> String {
    escape(message, usize::MAX)
}

fn escape(value: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(value.len().min(max_chars) + 2);
    for (count, c) in value.chars().enumerate() {
        if count == max_chars {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Unicode line and paragraph separators end a line for some
            // readers; show them rather than let them break one.
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_cannot_leave_its_line() {
        assert_eq!(
            quoted("45m\n::error title=x::forged\r\u{1b}[2J\u{85}\u{2028}"),
            "'45m\\n::error title=x::forged\\r\\u{1b}[2J\\u{85}\\u{2028}'"
        );
        assert_eq!(quoted("1h30m"), "'1h30m'");
        assert_eq!(quoted("héllo ✓"), "'héllo ✓'");
    }

    #[test]
    fn one_line_escapes_without_cutting() {
        let long = format!("{}\n", "a".repeat(500));
        assert_eq!(one_line(&long), format!("{}\\n", "a".repeat(500)));
    }

    #[test]
    fn long_inputs_are_cut() {
        assert_eq!(quoted(&"é".repeat(1000)), format!("'{}…'", "é".repeat(100)));
    }
}
