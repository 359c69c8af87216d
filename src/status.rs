//! What a backup's `status` string means for the wait.
//!
//! Statuses compare exactly (case-sensitive) after trimming. Anything that is
//! neither ready nor failed keeps the waiter polling; statuses Pinecone is
//! known to use while working are quiet, any other is reported once as a
//! warning so a renamed status is noticed without breaking the gate.

use std::fmt;
use std::str::FromStr;

/// Statuses Pinecone reports while a backup is being made (see the
/// `x-enum` of `BackupModel.status` and `BackupScheduleHistoryItem.status`).
pub const KNOWN_IN_PROGRESS: [&str; 3] = ["Initializing", "Pending", "Scheduled"];

/// How one status string is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    /// A ready status: the wait succeeded.
    Ready,
    /// A failed status: stop at once.
    Failed,
    /// A status Pinecone uses while working.
    InProgress,
    /// A status nobody told us about: keep polling, warn once.
    Unknown,
}

/// A non-empty set of statuses, parsed from a comma-separated list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSet(Vec<String>);

impl StatusSet {
    /// Whether `status` (already trimmed) is in the set.
    pub fn contains(&self, status: &str) -> bool {
        self.0.iter().any(|s| s == status)
    }

    /// The statuses, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// Joins several sets (from repeated flags), dropping duplicates.
    pub fn union(sets: &[StatusSet]) -> StatusSet {
        let mut all: Vec<String> = Vec::new();
        for status in sets.iter().flat_map(|set| set.0.iter()) {
            if !all.contains(status) {
                all.push(status.clone());
            }
        }
        StatusSet(all)
    }
}

impl FromStr for StatusSet {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let statuses: Vec<String> = text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if statuses.is_empty() {
            return Err("expected at least one status name".to_owned());
        }
        if let Some(bad) = statuses.iter().find(|s| s.chars().any(char::is_control)) {
            return Err(format!("status {bad:?} contains a control character"));
        }
        Ok(StatusSet(statuses))
    }
}

impl fmt::Display for StatusSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(","))
    }
}

/// The ready and failed sets together; they never overlap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRules {
    ready: StatusSet,
    failed: StatusSet,
}

impl StatusRules {
    /// Combines the two sets, refusing a status that is in both.
    pub fn new(ready: StatusSet, failed: StatusSet) -> Result<Self, String> {
        if let Some(both) = ready.iter().find(|s| failed.contains(s)) {
            return Err(format!(
                "status '{both}' is in both --ready-status and --failed-status"
            ));
        }
        Ok(StatusRules { ready, failed })
    }

    /// Classifies a status string from the API.
    pub fn classify(&self, status: &str) -> StatusClass {
        let status = status.trim();
        if self.ready.contains(status) {
            StatusClass::Ready
        } else if self.failed.contains(status) {
            StatusClass::Failed
        } else if KNOWN_IN_PROGRESS.contains(&status) {
            StatusClass::InProgress
        } else {
            StatusClass::Unknown
        }
    }

    /// The ready statuses.
    pub fn ready(&self) -> &StatusSet {
        &self.ready
    }

    /// The failed statuses.
    pub fn failed(&self) -> &StatusSet {
        &self.failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(ready: &str, failed: &str) -> StatusRules {
        StatusRules::new(ready.parse().unwrap(), failed.parse().unwrap()).unwrap()
    }

    #[test]
    fn default_rules_classify_pinecone_statuses() {
        let rules = rules("Ready", "Failed,InitializationFailed");
        assert_eq!(rules.classify("Ready"), StatusClass::Ready);
        assert_eq!(rules.classify("Failed"), StatusClass::Failed);
        assert_eq!(rules.classify("InitializationFailed"), StatusClass::Failed);
        assert_eq!(rules.classify("Initializing"), StatusClass::InProgress);
        assert_eq!(rules.classify("Pending"), StatusClass::InProgress);
        assert_eq!(rules.classify("Scheduled"), StatusClass::InProgress);
        assert_eq!(rules.classify("Archiving"), StatusClass::Unknown);
    }

    #[test]
    fn comparison_is_case_sensitive_after_trimming() {
        let rules = rules("Ready", "Failed");
        assert_eq!(rules.classify("  Ready\n"), StatusClass::Ready);
        assert_eq!(rules.classify("ready"), StatusClass::Unknown);
        assert_eq!(rules.classify("READY"), StatusClass::Unknown);
    }

    #[test]
    fn lists_are_split_on_commas_and_trimmed() {
        let set: StatusSet = " Ready , Done,,".parse().unwrap();
        assert_eq!(set.iter().collect::<Vec<_>>(), vec!["Ready", "Done"]);
        assert!(" , ".parse::<StatusSet>().is_err());
        assert!("Re\nady".parse::<StatusSet>().is_err());
    }

    #[test]
    fn union_keeps_order_and_drops_duplicates() {
        let sets = ["A,B".parse().unwrap(), "B,C".parse().unwrap()];
        assert_eq!(StatusSet::union(&sets).to_string(), "A,B,C");
    }

    #[test]
    fn a_status_cannot_be_both_ready_and_failed() {
        let err =
            StatusRules::new("Ready,Done".parse().unwrap(), "Done".parse().unwrap()).unwrap_err();
        assert!(err.contains("'Done'"), "{err}");
    }

    #[test]
    fn custom_sets_take_precedence_over_known_in_progress_names() {
        let rules = rules("Initializing", "Pending");
        assert_eq!(rules.classify("Initializing"), StatusClass::Ready);
        assert_eq!(rules.classify("Pending"), StatusClass::Failed);
    }
}
