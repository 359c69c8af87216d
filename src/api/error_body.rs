//! The human message inside an error response. Pinecone sends JSON
//! (`{"error":{"code","message"},"status"}`), its auth layer plain text
//! (`Invalid API key`), and proxies send HTML or nothing at all.
//!
//! Messages and quoted values are cut here, so an error never carries
//! megabytes; the sinks scrub the key later. A cut never falls inside an
//! occurrence of the key (`key`), which would leave a prefix of it that no
//! scrubber can recognise.

/// The longest message kept; a proxy's HTML error page is not a message.
const MAX_CHARS: usize = 300;

/// The longest header value or id quoted in an error.
const MAX_QUOTED_CHARS: usize = 200;

/// The message of an error body, on one line, or `None` if there is none.
pub fn message(body: &str, key: &str) -> Option<String> {
    let body = body.trim();
    if body.is_empty() {
        return None;
    }
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(body) {
        return json_message(&json).map(|m| one_line(&m, key));
    }
    if body.starts_with('<') {
        return Some(match html_title(body) {
            Some(title) => format!("HTML page \"{}\"", one_line(title, key)),
            None => format!("HTML page of {} bytes", body.len()),
        });
    }
    Some(one_line(body, key))
}

/// The `error.code` of a Pinecone error body (`NOT_FOUND`,
/// `QUOTA_EXCEEDED`...), exactly as sent, for decisions; never printed.
pub fn code(body: &str) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(body.trim()).ok()?;
    text(json.get("error").and_then(|e| e.get("code"))).map(str::to_owned)
}

/// The message, uncut: `one_line` cuts it once, so the cut can avoid the key.
fn json_message(json: &serde_json::Value) -> Option<String> {
    let error = json.get("error");
    let message = text(error.and_then(|e| e.get("message")))
        .or_else(|| text(json.get("message")))
        .or_else(|| text(error));
    let code = text(error.and_then(|e| e.get("code")));
    match (message, code) {
        (Some(message), Some(code)) => Some(format!("{message} ({code})")),
        (Some(message), None) => Some(message.to_owned()),
        (None, Some(code)) => Some(code.to_owned()),
        (None, None) => Some(format!("JSON body {json}")),
    }
}

/// A non-blank string value.
fn text(value: Option<&serde_json::Value>) -> Option<&str> {
    value
        .and_then(serde_json::Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn html_title(html: &str) -> Option<&str> {
    let lower = html.to_ascii_lowercase();
    let start = lower.find("<title>")? + "<title>".len();
    let end = start + lower[start..].find("</title>")?;
    Some(html[start..end].trim()).filter(|t| !t.is_empty())
}

/// Collapses whitespace (including newlines) and cuts.
fn one_line(text: &str, key: &str) -> String {
    cut(
        &text.split_whitespace().collect::<Vec<_>>().join(" "),
        MAX_CHARS,
        key,
    )
}

/// A server string (a header value, an id) as quoted inside an error: cut,
/// saying how long it was. Escaping (a newline becomes a visible `\n`) is
/// left to the sinks, which see the exact text.
pub fn quote(text: &str, key: &str) -> String {
    cut(text, MAX_QUOTED_CHARS, key)
}

/// The first `max_chars` characters and a note of the full length; the cut
/// moves back to the start of any occurrence of `key` it would split.
fn cut(text: &str, max_chars: usize, key: &str) -> String {
    let Some((mut end, _)) = text.char_indices().nth(max_chars) else {
        return text.to_owned();
    };
    while let Some(start) = (end.saturating_sub(key.len().saturating_sub(1))..end)
        .find(|&start| text.is_char_boundary(start) && text[start..].starts_with(key))
    {
        end = start;
    }
    format!("{}… ({} bytes in all)", &text[..end], text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "pcsk_k3y";

    #[test]
    fn pinecone_json_error_gives_message_and_code() {
        let body =
            r#"{"error":{"code":"NOT_FOUND","message":"Backup 'x' not found"},"status":404}"#;
        assert_eq!(
            message(body, KEY).unwrap(),
            "Backup 'x' not found (NOT_FOUND)"
        );
    }

    #[test]
    fn the_code_is_read_for_decisions() {
        let body = r#"{"error":{"code":"QUOTA_EXCEEDED","message":"m"},"status":429}"#;
        assert_eq!(code(body).as_deref(), Some("QUOTA_EXCEEDED"));
        assert_eq!(code("Invalid API key"), None);
        assert_eq!(code(r#"{"error":"bad"}"#), None);
        assert_eq!(code(r#"{"error":{"code":7}}"#), None);
    }

    #[test]
    fn plain_text_is_kept_on_one_line() {
        assert_eq!(
            message("Invalid API key\n", KEY).unwrap(),
            "Invalid API key"
        );
        assert_eq!(message("a\r\n  b", KEY).unwrap(), "a b");
    }

    #[test]
    fn html_is_summarised_by_its_title() {
        let body = "<html><head><TITLE>502 Bad Gateway</TITLE></head><body>...</body></html>";
        assert_eq!(message(body, KEY).unwrap(), "HTML page \"502 Bad Gateway\"");
        assert_eq!(
            message("<html></html>", KEY).unwrap(),
            "HTML page of 13 bytes"
        );
    }

    #[test]
    fn empty_bodies_have_no_message_and_long_ones_are_cut() {
        assert_eq!(message("  ", KEY), None);
        let long = "x".repeat(10_000);
        assert_eq!(
            message(&long, KEY).unwrap(),
            format!("{}… (10000 bytes in all)", "x".repeat(MAX_CHARS))
        );
    }

    #[test]
    fn a_cut_never_splits_the_key() {
        let text = format!("{}pcsk_k3y and more", "x".repeat(295));
        assert_eq!(
            one_line(&text, KEY),
            format!("{}… (312 bytes in all)", "x".repeat(295))
        );
        // Overlapping occurrences: the earliest one that would be split.
        assert_eq!(cut("xaaaa", 3, "aaa"), "x… (5 bytes in all)");
        assert_eq!(cut("pcsk_k3y!", 3, KEY), "… (9 bytes in all)");
    }

    #[test]
    fn quoted_values_are_cut() {
        assert_eq!(quote("gzip", KEY), "gzip");
        assert!(quote(&"y".repeat(1 << 20), KEY).ends_with("… (1048576 bytes in all)"));
    }

    #[test]
    fn other_json_shapes_still_say_something() {
        assert_eq!(
            message(r#"{"message":"slow down"}"#, KEY).unwrap(),
            "slow down"
        );
        assert_eq!(message(r#"{"error":"bad"}"#, KEY).unwrap(), "bad");
        assert_eq!(message("[1,2]", KEY).unwrap(), "JSON body [1,2]");
    }
}
