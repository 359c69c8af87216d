//! What a later GitLab job makes of a dotenv report, reimplemented from
//! GitLab's own code, so tests assert what a pipeline would really see:
//!
//! - gitlab-org/gitlab `app/services/ci/parse_dotenv_artifact_service.rb`
//!   (`Ci::ParseDotenvArtifactService`): the size and count limits, the
//!   UTF-8 conversion and BOM strip, `blob.each_line`, the line regex
//!   `^(.*?)=(.*)$`, `strip` of key and value, a hash by key (last wins);
//!   and the key rule of `Ci::JobVariable` (`[A-Za-z0-9_]+`, at most 255).
//!   Any bad line rejects the whole report, as there.
//! - gitlab-org/gitlab-runner `common/spec/variables.go`
//!   (`Variables.ExpandWith`, `value`): dotenv variables arrive with
//!   `raw: false`, so the runner expands them with Go's `os.Expand`, where
//!   `$$` is `$`, `$NAME`/`${NAME}` the variable (empty when unknown), and
//!   `$*`, `$#`, `$@`, `$!`, `$?`, `$0`..`$9` empty.

use std::fmt;

/// GitLab's `dotenv_size` default: the file must be smaller than this.
pub const MAX_BYTES: usize = 5 * 1024;

/// GitLab's `dotenv_variables` default: at most this many distinct keys.
pub const MAX_VARIABLES: usize = 20;

/// Why GitLab rejects a report (and sets no variable at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejected {
    /// "Dotenv Artifact Too Big": the size in bytes.
    TooBig(usize),
    /// "Invalid Format": a line without `=` (an empty line included).
    InvalidFormat(String),
    /// "Key can't be blank" or "Key can contain only letters, digits and
    /// '_'": the key.
    InvalidKey(String),
    /// "Dotenv files cannot have more than 20 variables": the count.
    TooManyVariables(usize),
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejected::TooBig(size) => write!(f, "Dotenv Artifact Too Big ({size} bytes)"),
            Rejected::InvalidFormat(line) => write!(f, "Invalid Format: {line:?}"),
            Rejected::InvalidKey(key) => write!(f, "invalid key {key:?}"),
            Rejected::TooManyVariables(n) => {
                write!(
                    f,
                    "Dotenv files cannot have more than {MAX_VARIABLES} variables ({n})"
                )
            }
        }
    }
}

impl std::error::Error for Rejected {}

/// The variables GitLab stores from a report, as `(key, value)` in the
/// order keys first appear; a repeated key keeps its last value.
pub fn parse(file: &[u8]) -> Result<Vec<(String, String)>, Rejected> {
    if file.len() >= MAX_BYTES {
        return Err(Rejected::TooBig(file.len()));
    }
    let text = String::from_utf8_lossy(file);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut variables: Vec<(String, String)> = Vec::new();
    for line in each_line(text) {
        let (key, value) = scan_line(line)?;
        match variables.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => variables.push((key, value)),
        }
    }
    if variables.len() > MAX_VARIABLES {
        return Err(Rejected::TooManyVariables(variables.len()));
    }
    Ok(variables)
}

/// What a later job's environment holds: [`parse`], then the runner's
/// expansion of each value against `env` (the job's other variables) and
/// the report's own variables, later ones winning as in the runner.
pub fn later_job_sees(
    file: &[u8],
    env: &[(&str, &str)],
) -> Result<Vec<(String, String)>, Rejected> {
    let variables = parse(file)?;
    let lookup = |name: &str| -> String {
        variables
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .or_else(|| {
                env.iter()
                    .rev()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            })
            .unwrap_or_default()
    };
    Ok(variables
        .iter()
        .map(|(k, v)| (k.clone(), expand(v, &lookup)))
        .collect())
}

/// Ruby's `String#each_line`: pieces ending in `\n` (kept), and the rest.
fn each_line(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive('\n')
}

/// `line.scan(/^(.*?)=(.*)$/).last`, then `strip` of both parts, then the
/// key rule. In Ruby `.` is anything but `\n` and `$` matches before the
/// `\n` that ends the line, so the key runs to the first `=` and the value
/// to the end of the line (a `\r` included, until `strip`).
fn scan_line(line: &str) -> Result<(String, String), Rejected> {
    let content = line.strip_suffix('\n').unwrap_or(line);
    let Some((key, value)) = content.split_once('=') else {
        return Err(Rejected::InvalidFormat(line.to_owned()));
    };
    let (key, value) = (ruby_strip(key), ruby_strip(value));
    let valid = !key.is_empty()
        && key.len() <= 255
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !valid {
        return Err(Rejected::InvalidKey(key.to_owned()));
    }
    Ok((key.to_owned(), value.to_owned()))
}

/// Ruby's `String#strip`: NUL and ASCII whitespace at both ends.
fn ruby_strip(s: &str) -> &str {
    s.trim_matches(['\0', '\t', '\n', '\u{b}', '\u{c}', '\r', ' '])
}

/// Go's `os.Expand` with the runner's `value` lookup.
pub fn expand(value: &str, lookup: &dyn Fn(&str) -> String) -> String {
    let s = value.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(s.len());
    let mut i = 0;
    let mut j = 0;
    while j < s.len() {
        if s[j] == b'$' && j + 1 < s.len() {
            out.extend_from_slice(&s[i..j]);
            let (name, width) = shell_name(&value[j + 1..]);
            if name.is_empty() && width > 0 {
                // Bad syntax (`${}`, an unclosed `${`): eaten.
            } else if name.is_empty() {
                out.push(b'$');
            } else {
                out.extend_from_slice(runner_value(name, lookup).as_bytes());
            }
            j += width;
            i = j + 1;
        }
        j += 1;
    }
    out.extend_from_slice(&s[i.min(s.len())..]);
    String::from_utf8_lossy(&out).into_owned()
}

/// The runner's `Variables.value`: `$` is itself, the shell's positional
/// and special parameters are empty, anything else is looked up.
fn runner_value(name: &str, lookup: &dyn Fn(&str) -> String) -> String {
    match name {
        "$" => "$".to_owned(),
        "*" | "#" | "@" | "!" | "?" | "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" => {
            String::new()
        }
        _ => lookup(name),
    }
}

fn is_shell_special(b: u8) -> bool {
    matches!(
        b,
        b'*' | b'#' | b'$' | b'@' | b'!' | b'?' | b'-' | b'0'..=b'9'
    )
}

/// Go's `getShellName`: the name after a `$` and how many bytes it took.
fn shell_name(s: &str) -> (&str, usize) {
    let b = s.as_bytes();
    if b[0] == b'{' {
        if b.len() > 2 && is_shell_special(b[1]) && b[2] == b'}' {
            return (&s[1..2], 3);
        }
        for i in 1..b.len() {
            if b[i] == b'}' {
                if i == 1 {
                    return ("", 2);
                }
                return (&s[1..i], i + 1);
            }
        }
        return ("", 1);
    }
    if is_shell_special(b[0]) {
        return (&s[0..1], 1);
    }
    let end = b
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
        .unwrap_or(b.len());
    (&s[..end], end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    // The cases of GitLab's own spec
    // (spec/services/ci/parse_dotenv_artifact_service_spec.rb).
    #[test]
    fn follows_gitlabs_own_examples() {
        assert_eq!(parse(b"KEY1 =VAR1").unwrap(), vars(&[("KEY1", "VAR1")]));
        assert_eq!(
            parse(b"KEY=VARCONTAINING=EQLS").unwrap(),
            vars(&[("KEY", "VARCONTAINING=EQLS")])
        );
        assert!(matches!(
            parse("🛹=skateboard".as_bytes()),
            Err(Rejected::InvalidKey(_))
        ));
        assert_eq!(
            parse("skateboard=🛹".as_bytes()).unwrap(),
            vars(&[("skateboard", "🛹")])
        );
        assert!(matches!(
            parse(b"K E Y 1=VAR1"),
            Err(Rejected::InvalidKey(_))
        ));
        assert_eq!(
            parse(b"KEY1=V A R 1").unwrap(),
            vars(&[("KEY1", "V A R 1")])
        );
        assert_eq!(
            parse(b"KEY1=\"VAR1\"").unwrap(),
            vars(&[("KEY1", "\"VAR1\"")])
        );
        assert_eq!(parse(b"KEY1='VAR1'").unwrap(), vars(&[("KEY1", "'VAR1'")]));
        assert_eq!(
            parse(b"KEY1=\"  VAR1  \"").unwrap(),
            vars(&[("KEY1", "\"  VAR1  \"")])
        );
        assert!(matches!(parse(b"=VAR1"), Err(Rejected::InvalidKey(_))));
        assert_eq!(parse(b"KEY1=").unwrap(), vars(&[("KEY1", "")]));
        assert!(matches!(
            parse(b"{ 'KEY1': 'VAR1' }"),
            Err(Rejected::InvalidFormat(_))
        ));
        assert_eq!(
            parse(b"KEY1=VAR1\nKEY2=${KEY1}_Test\n").unwrap(),
            vars(&[("KEY1", "VAR1"), ("KEY2", "${KEY1}_Test")])
        );
        assert!(matches!(
            parse(b"KEY1=VAR1\n\nKEY2=VAR2\n"),
            Err(Rejected::InvalidFormat(_))
        ));
        assert_eq!(
            parse(b"KEY1=VAR1         # This is variable\n").unwrap(),
            vars(&[("KEY1", "VAR1         # This is variable")])
        );
    }

    #[test]
    fn enforces_the_size_and_count_limits() {
        let many: String = (0..21).map(|i| format!("KEY{i}=VAR{i}\n")).collect();
        assert_eq!(parse(many.as_bytes()), Err(Rejected::TooManyVariables(21)));
        let twenty: String = (0..20).map(|i| format!("KEY{i}=VAR{i}\n")).collect();
        assert_eq!(parse(twenty.as_bytes()).unwrap().len(), 20);
        // Repeats count once.
        let repeated = format!("{twenty}KEY0=again\n");
        assert_eq!(parse(repeated.as_bytes()).unwrap()[0].1, "again");
        let big = format!("A={}", "x".repeat(MAX_BYTES - 2));
        assert_eq!(parse(big.as_bytes()), Err(Rejected::TooBig(MAX_BYTES)));
        let fits = format!("A={}", "x".repeat(MAX_BYTES - 3));
        assert!(parse(fits.as_bytes()).is_ok());
    }

    #[test]
    fn strips_like_ruby_and_splits_only_on_line_feeds() {
        assert_eq!(
            parse(b"\xef\xbb\xbfA= x \r\nB=\0y\t\n").unwrap(),
            vars(&[("A", "x"), ("B", "y")])
        );
        assert_eq!(parse(b"A=1\rB=2").unwrap(), vars(&[("A", "1\rB=2")]));
        assert_eq!(parse(b"A=1\xffz").unwrap(), vars(&[("A", "1\u{fffd}z")]));
    }

    #[test]
    fn expands_like_the_runner() {
        let env = |name: &str| match name {
            "X" => "ex".to_owned(),
            "-" => "never".to_owned(),
            _ => String::new(),
        };
        let cases = [
            ("$$", "$"),
            ("$$X", "$X"),
            ("$X", "ex"),
            ("${X}y", "exy"),
            ("$Xy", ""),
            ("a$", "a$"),
            ("$ a", "$ a"),
            ("$1$?$#", ""),
            ("${}", ""),
            ("${X", "X"),
            ("${$}", "$"),
            ("é$Xé", "éexé"),
        ];
        for (value, expected) in cases {
            assert_eq!(expand(value, &env), expected, "{value}");
        }
    }

    #[test]
    fn a_later_job_sees_expanded_values() {
        let seen = later_job_sees(b"A=$B-$$B\nB=bee\n", &[("B", "env"), ("C", "see")]).unwrap();
        assert_eq!(seen, vars(&[("A", "bee-$B"), ("B", "bee")]));
    }
}
