//! `GITHUB_OUTPUT`: step outputs in the multi-line form
//! (`name<<DELIMITER`, value, `DELIMITER`), LF line endings.
//!
//! Every value gets a fresh random delimiter that is checked not to occur in
//! the value, so no value, whatever it contains (newlines, `name<<EOF`
//! lines, `ghadelimiter_` strings), can end its block early and write or
//! alter another output. Names are checked by `Report::outputs`.

/// Renders outputs. `new_delimiter` returns a fresh random token each call.
pub fn render(outputs: &[(String, String)], new_delimiter: &mut dyn FnMut() -> String) -> String {
    let mut text = String::new();
    for (name, value) in outputs {
        let delimiter = loop {
            let candidate = new_delimiter();
            if !candidate.is_empty() && !value.contains(&candidate) && !name.contains(&candidate) {
                break candidate;
            }
        };
        text.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
    }
    text
}

/// A delimiter from 128 random bits. It does not need to be secret (the
/// value is checked against it), only unlikely to repeat.
pub fn random_delimiter() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::getrandom(&mut bytes).is_err() {
        // Still correct, just more likely to need a second draw.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        bytes = nanos.to_le_bytes();
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("PINECONE_BACKUP_WAIT_{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("D{n}")
        }
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn golden_multiline_form() {
        let text = render(
            &pairs(&[("status", "Ready"), ("error", "")]),
            &mut counter(),
        );
        assert_eq!(text, "status<<D1\nReady\nD1\nerror<<D2\n\nD2\n");
    }

    #[test]
    fn a_delimiter_found_in_the_value_is_drawn_again() {
        let text = render(
            &pairs(&[("description", "x\nD1\nstatus<<D1")]),
            &mut counter(),
        );
        assert_eq!(text, "description<<D2\nx\nD1\nstatus<<D1\nD2\n");
    }

    #[test]
    fn random_delimiters_differ_and_look_right() {
        let (a, b) = (random_delimiter(), random_delimiter());
        assert_ne!(a, b);
        assert!(a.starts_with("PINECONE_BACKUP_WAIT_"));
        assert_eq!(a.len(), "PINECONE_BACKUP_WAIT_".len() + 32);
    }
}
