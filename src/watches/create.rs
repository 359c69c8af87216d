//! A create of a backup, as a watch: `POST /indexes/{index_name}/backups`
//! until it answers with the new backup, sent again only when the server
//! cannot have acted (`api::resend_rule`).
//!
//! After an ambiguous failure (the request left, then a timeout, a reset, a
//! 408 or a 5xx) the index's backups are listed, after the usual delay, and
//! this run's backup is adopted if it is there; only if it is not is the
//! create sent again. "This run's backup" is one with this run's name:
//! a generated name is unique per run; a name the user gave may repeat
//! across runs, so then the index's backups are listed once before the
//! first POST, and none that existed then is ever adopted (`created_at` is
//! optional in the spec and clocks differ, so it is not relied on).
//!
//! Each attempt is one request: a page of the census, the POST, or a page
//! of the look. Pages follow each other at once (`Verdict::Continue`); a
//! POST after a look that found nothing follows at once too, the delay
//! having come before the look.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use super::listing::{Pager, backup_parts};
use crate::api::{ApiError, Backup, ControlPlane, NewBackup, Resend};
use crate::config::IndexName;
use crate::timestamp::utc_compact;
use crate::wait::{Part, Shown, Verdict, Watch};

/// A readable name unique per run: the index, the UTC time and a random
/// suffix, `prod-20260320-143000-7f3a9c`. 24 random bits: two runs on the
/// same index in the same second share a name once in 16 million.
pub fn generated_name(index: &IndexName, now: SystemTime, random: u32) -> String {
    format!("{index}-{}-{:06x}", utc_compact(now), random & 0xff_ffff)
}

/// Where the create is.
#[derive(Debug)]
enum Phase {
    /// Listing the backups that already carry the user's name.
    Census(Pager),
    /// Sending the POST.
    Post,
    /// Looking for this run's backup after an ambiguous failure.
    Look(Pager),
}

/// What one attempt of a create answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Created {
    /// A page of the index's backups was read (before the first POST, or
    /// while looking); `more` when another page follows.
    Listed {
        /// Whether this was the look after an ambiguous failure.
        looking: bool,
        /// 1-based page number.
        number: u32,
        /// Backups on it.
        backups: usize,
        /// Whether another page follows (else the POST comes next).
        more: bool,
    },
    /// The POST answered with the new backup.
    Made(Backup),
    /// After an ambiguous failure, this run's backup was found in the list.
    Adopted(Backup),
}

impl Created {
    /// The backup, once there is one.
    pub fn backup(&self) -> Option<&Backup> {
        match self {
            Created::Made(backup) | Created::Adopted(backup) => Some(backup),
            Created::Listed { .. } => None,
        }
    }
}

/// Creates one backup of an index, at most once.
pub struct CreateWatch<'a> {
    api: &'a dyn ControlPlane,
    index: IndexName,
    request: NewBackup,
    /// Ids of backups that carried the user's name before the first POST;
    /// empty for a generated name.
    before: HashSet<String>,
    phase: Phase,
}

impl<'a> CreateWatch<'a> {
    /// A create of a backup of `index` named `request.name`. With
    /// `name_is_unique` (a generated name) no census is taken.
    pub fn new(
        api: &'a dyn ControlPlane,
        index: IndexName,
        request: NewBackup,
        name_is_unique: bool,
    ) -> Self {
        let phase = if name_is_unique {
            Phase::Post
        } else {
            Phase::Census(Pager::new(index.clone()))
        };
        CreateWatch {
            api,
            index,
            request,
            before: HashSet::new(),
            phase,
        }
    }

    /// Whether `backup` is this run's: its name, not there before, of this
    /// index.
    fn is_ours(&self, backup: &Backup) -> bool {
        backup.text("name") == Some(self.request.name.as_str())
            && backup
                .text("backup_id")
                .is_some_and(|id| !self.before.contains(id))
            && backup
                .text("source_index_name")
                .is_none_or(|name| name == self.index.as_str())
    }

    fn post(&mut self, timeout: Duration) -> Result<Created, ApiError> {
        let failure = match self.api.create_backup(&self.index, &self.request, timeout) {
            Ok(backup) => return Ok(Created::Made(backup)),
            Err(failure) => failure,
        };
        match failure.resend {
            // Retryable by the rule's construction: the loop sends again
            // after its delay, or the server's Retry-After.
            Resend::AfterDelay => Err(failure.error),
            Resend::Never if failure.error.is_retryable() => Err(ApiError::Rejected {
                detail: failure.error.to_string(),
            }),
            Resend::Never => Err(failure.error),
            Resend::LookFirst => {
                self.phase = Phase::Look(Pager::new(self.index.clone()));
                Err(ApiError::Transient {
                    detail: format!(
                        "{}; the backup may have been created: looking for it before sending \
                         the create again",
                        failure.error
                    ),
                    retry_after: failure.error.retry_after(),
                })
            }
        }
    }
}

impl Watch for CreateWatch<'_> {
    type Seen = Created;

    fn describe(&mut self, timeout: Duration) -> Result<Created, ApiError> {
        match &mut self.phase {
            Phase::Post => self.post(timeout),
            Phase::Census(pager) => {
                let page = pager.fetch(self.api, timeout)?;
                let (number, done) = (pager.pages(), pager.is_done());
                for backup in &page.backups {
                    if backup.text("name") == Some(self.request.name.as_str())
                        && let Some(id) = backup.text("backup_id")
                    {
                        self.before.insert(id.to_owned());
                    }
                }
                if done {
                    self.phase = Phase::Post;
                }
                Ok(Created::Listed {
                    looking: false,
                    number,
                    backups: page.backups.len(),
                    more: !done,
                })
            }
            Phase::Look(pager) => {
                let page = pager.fetch(self.api, timeout)?;
                let (number, done) = (pager.pages(), pager.is_done());
                let backups = page.backups.len();
                if let Some(ours) = page.backups.into_iter().find(|b| self.is_ours(b)) {
                    return Ok(Created::Adopted(ours));
                }
                if done {
                    self.phase = Phase::Post;
                }
                Ok(Created::Listed {
                    looking: true,
                    number,
                    backups,
                    more: !done,
                })
            }
        }
    }

    fn classify(&self, created: &Created) -> Verdict {
        match created {
            Created::Listed { .. } => Verdict::Continue,
            Created::Made(_) | Created::Adopted(_) => Verdict::Target,
        }
    }

    fn status<'s>(&self, _: &'s Created) -> Option<&'s str> {
        // The new backup's status is the backup stage's to judge.
        None
    }

    fn shown<'s>(&self, created: &'s Created) -> Shown<'s> {
        let index = &self.index;
        match created {
            Created::Listed {
                looking,
                number,
                backups,
                more,
            } => {
                let what = if *looking {
                    "looking for this run's backup"
                } else {
                    "backups already named so"
                };
                let then = match (more, looking) {
                    (true, _) => "more follow",
                    (false, true) => "not there: sending the create again",
                    (false, false) => "creating",
                };
                Shown(vec![Part::Ours(
                    format!(
                        "{what}: page {number} of index {index}'s backups, {backups} backup{}; {then}",
                        if *backups == 1 { "" } else { "s" }
                    )
                    .into(),
                )])
            }
            Created::Made(backup) => {
                let mut parts = vec![Part::Ours("created backup ".into())];
                parts.extend(backup_parts(backup));
                Shown(parts)
            }
            Created::Adopted(backup) => {
                let mut parts = vec![Part::Ours(
                    "found this run's backup after all (not sent again): ".into(),
                )];
                parts.extend(backup_parts(backup));
                Shown(parts)
            }
        }
    }

    fn failed(&self, _: &Created) -> String {
        unreachable!("a create has no failed state")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, FakeClock};

    #[test]
    fn generated_names_are_readable_and_differ_by_their_suffix() {
        let index = IndexName::from_raw("prod").unwrap();
        let now = FakeClock::new().wall();
        assert_eq!(
            generated_name(&index, now, 0x7f3a9c),
            "prod-20260320-143000-7f3a9c"
        );
        assert_eq!(
            generated_name(&index, now, 0),
            "prod-20260320-143000-000000"
        );
        assert_eq!(
            generated_name(&index, now, u32::MAX),
            "prod-20260320-143000-ffffff"
        );
        assert_ne!(
            generated_name(&index, now, 1),
            generated_name(&index, now, 2)
        );
        let long = IndexName::from_raw(&"a".repeat(45)).unwrap();
        assert_eq!(generated_name(&long, now, 1).len(), 45 + 23);
    }
}
