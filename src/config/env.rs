//! The process environment, read once. Flags with environment fallbacks are
//! clap's business; this struct holds the rest: where GitHub wants outputs,
//! whether we run under Actions, extra headers. Tests build it by hand.

use std::ffi::OsString;
use std::path::PathBuf;

/// The environment variables the waiter reads besides its flags' fallbacks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    /// `GITHUB_OUTPUT`: file to append step outputs to.
    pub github_output: Option<PathBuf>,
    /// `GITHUB_STEP_SUMMARY`: file to append the markdown summary to.
    pub github_step_summary: Option<PathBuf>,
    /// `GITHUB_ACTIONS=true`: print workflow commands (mask, group, annotations).
    pub github_actions: bool,
    /// `PINECONE_ADDITIONAL_HEADERS`: JSON object of extra request headers.
    pub additional_headers: Option<String>,
}

impl Env {
    /// Reads the real process environment.
    pub fn from_process() -> Self {
        Self::from_lookup(|name| std::env::var_os(name))
    }

    /// Builds the struct from any lookup function; empty values count as unset,
    /// since a workflow passes `""` for an input that was not given.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> Self {
        let non_empty = |name: &str| lookup(name).filter(|value| !value.is_empty());
        Env {
            github_output: non_empty("GITHUB_OUTPUT").map(PathBuf::from),
            github_step_summary: non_empty("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            github_actions: non_empty("GITHUB_ACTIONS").is_some_and(|v| v == "true"),
            additional_headers: non_empty("PINECONE_ADDITIONAL_HEADERS")
                .map(|v| v.to_string_lossy().into_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_count_as_unset() {
        let env = Env::from_lookup(|name| match name {
            "GITHUB_OUTPUT" => Some("".into()),
            "GITHUB_STEP_SUMMARY" => Some("/tmp/summary.md".into()),
            "GITHUB_ACTIONS" => Some("true".into()),
            _ => None,
        });
        assert_eq!(env.github_output, None);
        assert_eq!(
            env.github_step_summary,
            Some(PathBuf::from("/tmp/summary.md"))
        );
        assert!(env.github_actions);
    }

    #[test]
    fn only_the_exact_value_true_means_github_actions() {
        let env = Env::from_lookup(|name| (name == "GITHUB_ACTIONS").then(|| "1".into()));
        assert!(!env.github_actions);
    }
}
