//! Appends rendered text to the files GitHub gives us. One `write_all` per
//! file, so a run either adds its whole block or (on open failure) nothing.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

/// Appends `text` to `path`, creating the file if needed.
pub fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(text.as_bytes())?;
    file.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_without_truncating() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        std::fs::write(&path, "before\n").unwrap();
        append(&path, "a<<D\n1\nD\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "before\na<<D\n1\nD\n"
        );
    }

    #[test]
    fn reports_an_unwritable_path() {
        let dir = tempfile::tempdir().unwrap();
        let err = append(&dir.path().join("missing/dir/out"), "x").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    }
}
