//! The human message inside an error response. Pinecone sends JSON
//! (`{"error":{"code","message"},"status"}`), its auth layer plain text
//! (`Invalid API key`), and proxies send HTML or nothing at all.

/// The longest message kept; a proxy's HTML error page is not a message.
const MAX_CHARS: usize = 300;

/// The message of an error body, on one line, or `None` if there is none.
pub fn message(body: &str) -> Option<String> {
    let body = body.trim();
    if body.is_empty() {
        return None;
    }
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(body) {
        return json_message(&json).map(|m| one_line(&m));
    }
    if body.starts_with('<') {
        return Some(match html_title(body) {
            Some(title) => format!("HTML page \"{}\"", one_line(title)),
            None => format!("HTML page of {} bytes", body.len()),
        });
    }
    Some(one_line(body))
}

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
        (None, None) => Some(format!("JSON body {}", truncate(&json.to_string()))),
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

/// Collapses whitespace (including newlines) and truncates.
fn one_line(text: &str) -> String {
    truncate(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinecone_json_error_gives_message_and_code() {
        let body =
            r#"{"error":{"code":"NOT_FOUND","message":"Backup 'x' not found"},"status":404}"#;
        assert_eq!(message(body).unwrap(), "Backup 'x' not found (NOT_FOUND)");
    }

    #[test]
    fn plain_text_is_kept_on_one_line() {
        assert_eq!(message("Invalid API key\n").unwrap(), "Invalid API key");
        assert_eq!(message("a\r\n  b").unwrap(), "a b");
    }

    #[test]
    fn html_is_summarised_by_its_title() {
        let body = "<html><head><TITLE>502 Bad Gateway</TITLE></head><body>...</body></html>";
        assert_eq!(message(body).unwrap(), "HTML page \"502 Bad Gateway\"");
        assert_eq!(message("<html></html>").unwrap(), "HTML page of 13 bytes");
    }

    #[test]
    fn empty_bodies_have_no_message_and_long_ones_are_cut() {
        assert_eq!(message("  "), None);
        let long = "x".repeat(10_000);
        assert_eq!(message(&long).unwrap().chars().count(), MAX_CHARS + 1);
    }

    #[test]
    fn other_json_shapes_still_say_something() {
        assert_eq!(message(r#"{"message":"slow down"}"#).unwrap(), "slow down");
        assert_eq!(message(r#"{"error":"bad"}"#).unwrap(), "bad");
        assert_eq!(message("[1,2]").unwrap(), "JSON body [1,2]");
    }
}
