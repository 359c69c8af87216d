//! A restored index, until it is usable: `GET /indexes/{index_name}` until
//! `status.ready` is true and `status.state` is `Ready`; `InitializationFailed`,
//! `Failed`, `Terminating` and `Disabled` end the wait as failed
//! (`index_model::classify`). A 404 for an index this run created means it
//! is not visible yet; for the index of a job the user named, that it is
//! gone. The waiter only ever reads an index: it never changes one.

use std::time::Duration;

use crate::api::index_model::IndexModel;
use crate::api::{ApiError, ControlPlane};
use crate::config::IndexName;
use crate::status::StatusClass;
use crate::wait::{Part, Shown, Verdict, Watch};

/// Watches one index.
pub struct IndexWatch<'a> {
    api: &'a dyn ControlPlane,
    name: IndexName,
    created_by_run: bool,
}

impl<'a> IndexWatch<'a> {
    /// Watches index `name`; `created_by_run` when this run's restore made
    /// it, so that a 404 means "not visible yet".
    pub fn new(api: &'a dyn ControlPlane, name: IndexName, created_by_run: bool) -> Self {
        IndexWatch {
            api,
            name,
            created_by_run,
        }
    }
}

impl Watch for IndexWatch<'_> {
    type Seen = IndexModel;

    fn describe(&mut self, timeout: Duration) -> Result<IndexModel, ApiError> {
        self.api.describe_index(&self.name, timeout)
    }

    fn classify(&self, index: &IndexModel) -> Verdict {
        match index.class() {
            StatusClass::Ready => Verdict::Target,
            StatusClass::Failed => Verdict::Failed,
            StatusClass::InProgress => Verdict::Pending,
            StatusClass::Unknown => Verdict::Unknown,
        }
    }

    fn status<'s>(&self, index: &'s IndexModel) -> Option<&'s str> {
        Some(index.state())
    }

    fn shown<'s>(&self, index: &'s IndexModel) -> Shown<'s> {
        Shown(vec![
            Part::Ours(format!("index {}: state ", self.name).into()),
            Part::Server(index.state().trim()),
            Part::Ours(format!(", ready {}", index.ready()).into()),
        ])
    }

    fn failed(&self, index: &IndexModel) -> String {
        let whose = if self.created_by_run {
            "; it was created by this run and is left as it is (restored_index_name names it \
             for a cleanup)"
        } else {
            ""
        };
        format!(
            "index {} is in state {}, a failed state: the restored index will not become \
             ready{whose}",
            self.name,
            crate::wait::prefix(index.state().trim(), 200)
        )
    }

    fn not_found_is_pending(&self) -> bool {
        self.created_by_run
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;
    use crate::outcome::Outcome;
    use crate::watches::scripted::{Script, Scripted, index, wait};

    const S: fn(u64) -> Duration = Duration::from_secs;

    fn drill() -> IndexName {
        IndexName::from_raw("drill").unwrap()
    }

    #[test]
    fn ready_needs_the_flag_and_the_state_and_a_404_of_our_index_is_not_yet() {
        let clock = FakeClock::new();
        let mut plane = Scripted::new(&clock);
        plane.indexes = Script::of(vec![
            Err(ApiError::NotFound {
                detail: "HTTP 404".into(),
            }),
            Ok(index("drill", false, "Initializing")),
            Ok(index("drill", false, "Ready")),
            Ok(index("drill", true, "Ready")),
        ]);
        let mut watch = IndexWatch::new(&plane, drill(), true);
        let finished = wait(&clock, &mut watch, S(60));
        assert_eq!(finished.outcome, Outcome::Ready);
        assert_eq!(finished.attempts, 4);
        assert_eq!(finished.statuses, ["Initializing", "Ready"]);
    }

    #[test]
    fn a_failed_state_ends_at_once_and_a_404_of_another_s_index_is_not_found() {
        for state in ["InitializationFailed", "Failed", "Terminating", "Disabled"] {
            let clock = FakeClock::new();
            let mut plane = Scripted::new(&clock);
            plane.indexes = Script::of(vec![Ok(index("drill", true, state))]);
            let mut watch = IndexWatch::new(&plane, drill(), false);
            let finished = wait(&clock, &mut watch, S(60));
            assert_eq!(finished.outcome, Outcome::Failed, "{state}");
            assert_eq!(
                finished.error.unwrap(),
                format!(
                    "index drill is in state {state}, a failed state: the restored index will \
                     not become ready"
                )
            );
        }
        let clock = FakeClock::new();
        let mut plane = Scripted::new(&clock);
        plane.indexes = Script::of(vec![Err(ApiError::NotFound {
            detail: "HTTP 404".into(),
        })]);
        let mut watch = IndexWatch::new(&plane, drill(), false);
        assert_eq!(wait(&clock, &mut watch, S(60)).outcome, Outcome::NotFound);
    }
}
