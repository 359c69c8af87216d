//! How a run ended, and the one table that turns that into an exit code and
//! a `result` label. The README's exit-code table mirrors `exit_code()`; the
//! test below checks every row.

use std::fmt;

/// The end of a run. Waiting results are values, not errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The backup reached a ready status.
    Ready,
    /// The backup reached a failed status.
    Failed,
    /// Invalid usage or configuration; no request was made.
    Invalid,
    /// The deadline passed while the backup was in progress or the API only
    /// answered with retryable errors.
    Timeout,
    /// The backup does not exist (HTTP 404).
    NotFound,
    /// The API key was rejected (HTTP 401 or 403).
    Unauthorized,
    /// Any other non-retryable error, including outputs that cannot be written.
    Error,
    /// SIGINT or SIGTERM arrived before the wait settled.
    Cancelled,
}

impl Outcome {
    /// Every outcome, in exit-code order.
    pub const ALL: [Outcome; 8] = [
        Outcome::Ready,
        Outcome::Failed,
        Outcome::Invalid,
        Outcome::Timeout,
        Outcome::NotFound,
        Outcome::Unauthorized,
        Outcome::Error,
        Outcome::Cancelled,
    ];

    /// The process exit code.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Ready => 0,
            Outcome::Failed => 1,
            Outcome::Invalid => 2,
            Outcome::Timeout => 3,
            Outcome::NotFound => 4,
            Outcome::Unauthorized => 5,
            Outcome::Error => 6,
            // 128 + SIGINT, what shells report for an interrupted command.
            Outcome::Cancelled => 130,
        }
    }

    /// The value of the `result` output.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Ready => "ready",
            Outcome::Failed => "failed",
            Outcome::Invalid => "invalid",
            Outcome::Timeout => "timeout",
            Outcome::NotFound => "not_found",
            Outcome::Unauthorized => "unauthorized",
            Outcome::Error => "error",
            Outcome::Cancelled => "cancelled",
        }
    }

    /// Whether the run counts as a success for the workflow.
    pub fn is_success(self) -> bool {
        self == Outcome::Ready
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_and_labels_match_the_readme_table() {
        let table: Vec<(u8, &str)> = Outcome::ALL
            .iter()
            .map(|o| (o.exit_code(), o.label()))
            .collect();
        assert_eq!(
            table,
            vec![
                (0, "ready"),
                (1, "failed"),
                (2, "invalid"),
                (3, "timeout"),
                (4, "not_found"),
                (5, "unauthorized"),
                (6, "error"),
                (130, "cancelled"),
            ]
        );
    }
}
