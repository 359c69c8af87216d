//! An index's backups, page by page: `GET /indexes/{index_name}/backups`,
//! following `pagination.next` to the end, bounded.
//!
//! `Pager` walks the pages (the create stage uses it too, to look for its
//! backup after an ambiguous failure). It never loops: a `next` token that
//! was followed before ends the listing (exit 6), and so does a list that
//! has not ended after [`MAX_PAGES`] pages; neither waits for the deadline.
//!
//! `LatestWatch` is the latest-of-index selection: of every backup listed,
//! the newest by `created_at` whose status is not a failed one, no older
//! than `--max-age`. A backup without a readable `created_at` is never the
//! newest. When there is none, the error says what was looked at.

use std::collections::HashSet;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::time::{Duration, SystemTime};

use crate::api::{ApiError, Backup, BackupPage, ControlPlane, MAX_PAGE_SIZE};
use crate::clock::Clock;
use crate::config::{HumanDuration, IndexName};
use crate::status::{StatusClass, StatusRules};
use crate::timestamp::{age, parse_rfc3339};
use crate::wait::{Part, Shown, Verdict, Watch};

/// The most pages one listing reads: 10,000 backups at the page size
/// asked for, far beyond any backup quota.
pub const MAX_PAGES: u32 = 100;

/// The longest `pagination.next` followed: it is sent back in the URL.
const MAX_TOKEN_BYTES: usize = 4096;

/// The tokens of one paginated list: which page comes next, and the
/// rules that keep a listing from looping (a token seen before, a token
/// too long to send back, more than [`MAX_PAGES`] pages). Shared by every
/// list a run walks (an index's backups, the project's restore jobs).
#[derive(Debug, Default)]
pub struct Tokens {
    /// The token of the page to fetch next; `None` for the first.
    next: Option<String>,
    /// Hashes of the tokens followed so far (a token can be long).
    followed: HashSet<u64>,
    pages: u32,
    done: bool,
}

impl Tokens {
    /// The token to send for the next page (`None` for the first).
    pub fn next(&self) -> Option<&str> {
        self.next.as_deref()
    }

    /// Records that a page was read whose `pagination.next` is `next`.
    /// `list` names the list in an error ("the list of index prod's
    /// backups"), `per_page` what a page holds ("100 backups").
    pub fn read(&mut self, next: Option<&str>, list: &str, per_page: &str) -> Result<(), ApiError> {
        self.pages += 1;
        let Some(token) = next else {
            self.done = true;
            return Ok(());
        };
        let stop = |why: String| ApiError::Malformed {
            detail: format!(
                "{list} {why}; stopped listing after {} page{}",
                self.pages,
                if self.pages == 1 { "" } else { "s" }
            ),
        };
        if token.len() > MAX_TOKEN_BYTES {
            return Err(stop(format!(
                "gave a pagination.next of {} bytes",
                token.len()
            )));
        }
        if !self.followed.insert(hash(token)) {
            return Err(stop(
                "gave a pagination.next it had given before (a pagination loop)".to_owned(),
            ));
        }
        if self.pages >= MAX_PAGES {
            return Err(stop(format!(
                "did not end after {MAX_PAGES} pages of up to {per_page}"
            )));
        }
        self.next = Some(token.to_owned());
        Ok(())
    }

    /// Whether the last page has been read.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Pages read so far.
    pub fn pages(&self) -> u32 {
        self.pages
    }
}

/// Walks the pages of one index's backup list.
#[derive(Debug)]
pub struct Pager {
    index: IndexName,
    tokens: Tokens,
}

impl Pager {
    /// Starts at the first page.
    pub fn new(index: IndexName) -> Self {
        Pager {
            index,
            tokens: Tokens::default(),
        }
    }

    /// Fetches the next page. The pager moves on only when a page was
    /// read, so a retried request asks for the same page again.
    pub fn fetch(
        &mut self,
        api: &dyn ControlPlane,
        timeout: Duration,
    ) -> Result<BackupPage, ApiError> {
        let page = api.list_index_backups(&self.index, self.tokens.next(), timeout)?;
        let list = format!("the list of index {}'s backups", self.index);
        self.tokens.read(
            page.next.as_deref(),
            &list,
            &format!("{MAX_PAGE_SIZE} backups"),
        )?;
        Ok(page)
    }

    /// Whether the last page has been read.
    pub fn is_done(&self) -> bool {
        self.tokens.is_done()
    }

    /// Pages read so far.
    pub fn pages(&self) -> u32 {
        self.tokens.pages()
    }
}

fn hash(token: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    token.hash(&mut hasher);
    hasher.finish()
}

/// What one attempt of a listing answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Listed {
    /// A page was read and another follows.
    Page {
        /// 1-based page number.
        number: u32,
        /// Backups on it.
        backups: usize,
    },
    /// The last page was read, and this backup is the latest.
    Chosen(Choice),
}

/// The latest backup, and how it was chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The backup, as the list gave it.
    pub backup: Backup,
    /// How long ago it was created, by this machine's clock (zero when its
    /// `created_at` lies in the future).
    pub age: Duration,
    /// Backups the index has.
    pub listed: usize,
}

/// What the listing has seen so far: counts, and the best candidate. It
/// keeps one backup, not the list, so memory stays bounded.
#[derive(Debug, Default)]
pub struct Tally {
    listed: usize,
    failed: usize,
    undated: usize,
    elsewhere: usize,
    nameless: usize,
    best: Option<(SystemTime, Backup)>,
}

impl Tally {
    /// Counts one listed backup, keeping it if it is the newest candidate
    /// so far (on equal times, the first listed).
    pub fn add(&mut self, backup: Backup, index: &IndexName, rules: &StatusRules) {
        self.listed += 1;
        if backup
            .text("source_index_name")
            .is_some_and(|name| name != index.as_str())
        {
            // A list of one index's backups should hold only those.
            self.elsewhere += 1;
            return;
        }
        if backup
            .text("backup_id")
            .is_none_or(|id| id.trim().is_empty())
        {
            // Nothing to wait for: it cannot be described.
            self.nameless += 1;
            return;
        }
        if rules.classify(backup.status()) == StatusClass::Failed {
            self.failed += 1;
            return;
        }
        let Some(created) = backup.text("created_at").and_then(parse_rfc3339) else {
            self.undated += 1;
            return;
        };
        if self.best.as_ref().is_none_or(|(best, _)| created > *best) {
            self.best = Some((created, backup));
        }
    }

    /// The latest backup at `now`, or what was looked at and why none
    /// qualifies.
    pub fn choose(
        self,
        index: &IndexName,
        now: SystemTime,
        max_age: Option<Duration>,
    ) -> Result<Choice, String> {
        let Tally {
            listed,
            failed,
            undated,
            elsewhere,
            nameless,
            best,
        } = self;
        let mut left_out = Vec::new();
        if failed > 0 {
            left_out.push(format!("{failed} in a failed status"));
        }
        if undated > 0 {
            left_out.push(format!("{undated} without a readable created_at"));
        }
        if elsewhere > 0 {
            left_out.push(format!("{elsewhere} of another index"));
        }
        if nameless > 0 {
            left_out.push(format!("{nameless} without a backup_id"));
        }
        let has = match listed {
            0 => return Err(format!("index {index} has no backups")),
            1 => format!("index {index} has 1 backup"),
            n => format!("index {index} has {n} backups"),
        };
        let Some((created, backup)) = best else {
            return Err(format!(
                "{has}, and none can be the latest: {}",
                left_out.join(", ")
            ));
        };
        let age = now.duration_since(created).unwrap_or(Duration::ZERO);
        if let Some(max_age) = max_age
            && age > max_age
        {
            let also = if left_out.is_empty() {
                String::new()
            } else {
                format!(" (left out: {})", left_out.join(", "))
            };
            return Err(format!(
                "{has}; the newest is {} old, older than --max-age {}{also}",
                crate::timestamp::age(age),
                HumanDuration(max_age)
            ));
        }
        Ok(Choice {
            backup,
            age,
            listed,
        })
    }
}

/// The latest-of-index selection, as a watch: one page per attempt.
pub struct LatestWatch<'a> {
    api: &'a dyn ControlPlane,
    clock: &'a dyn Clock,
    rules: &'a StatusRules,
    index: IndexName,
    max_age: Option<Duration>,
    pager: Pager,
    tally: Tally,
}

impl<'a> LatestWatch<'a> {
    /// Lists `index`'s backups; `clock` tells the ages, `rules` which
    /// statuses are failed ones.
    pub fn new(
        api: &'a dyn ControlPlane,
        clock: &'a dyn Clock,
        rules: &'a StatusRules,
        index: IndexName,
        max_age: Option<Duration>,
    ) -> Self {
        LatestWatch {
            api,
            clock,
            rules,
            pager: Pager::new(index.clone()),
            index,
            max_age,
            tally: Tally::default(),
        }
    }
}

impl Watch for LatestWatch<'_> {
    type Seen = Listed;

    fn describe(&mut self, timeout: Duration) -> Result<Listed, ApiError> {
        let page = self.pager.fetch(self.api, timeout)?;
        let backups = page.backups.len();
        for backup in page.backups {
            self.tally.add(backup, &self.index, self.rules);
        }
        if !self.pager.is_done() {
            return Ok(Listed::Page {
                number: self.pager.pages(),
                backups,
            });
        }
        std::mem::take(&mut self.tally)
            .choose(&self.index, self.clock.wall(), self.max_age)
            .map(Listed::Chosen)
            .map_err(|detail| ApiError::NotFound { detail })
    }

    fn classify(&self, listed: &Listed) -> Verdict {
        match listed {
            Listed::Page { .. } => Verdict::Continue,
            Listed::Chosen(_) => Verdict::Target,
        }
    }

    fn status<'s>(&self, _: &'s Listed) -> Option<&'s str> {
        // The chosen backup's status is the backup stage's to judge.
        None
    }

    fn shown<'s>(&self, listed: &'s Listed) -> Shown<'s> {
        match listed {
            Listed::Page { number, backups } => Shown(vec![Part::Ours(
                format!(
                    "page {number} of index {}'s backups: {backups} backup{}, more follow",
                    self.index,
                    if *backups == 1 { "" } else { "s" }
                )
                .into(),
            )]),
            Listed::Chosen(choice) => {
                let mut parts = vec![Part::Ours(
                    format!("latest of {} backups: ", choice.listed).into(),
                )];
                parts.extend(backup_parts(&choice.backup));
                parts.push(Part::Ours(
                    format!(", created {} ago", age(choice.age)).into(),
                ));
                Shown(parts)
            }
        }
    }

    fn failed(&self, _: &Listed) -> String {
        unreachable!("a listing has no failed state")
    }
}

/// `'name' (id …), status S` of a backup, its server strings kept apart.
pub fn backup_parts(backup: &Backup) -> Vec<Part<'_>> {
    let mut parts = Vec::new();
    if let Some(name) = backup.text("name") {
        parts.push(Part::Ours("'".into()));
        parts.push(Part::Server(name));
        parts.push(Part::Ours("' ".into()));
    }
    parts.push(Part::Ours("(id ".into()));
    parts.push(Part::Server(backup.text("backup_id").unwrap_or("?")));
    parts.push(Part::Ours("), status ".into()));
    parts.push(Part::Server(backup.status().trim()));
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FakeClock;
    use serde_json::json;

    const HOUR: Duration = Duration::from_secs(3600);

    fn rules() -> StatusRules {
        StatusRules::new(
            "Ready".parse().unwrap(),
            "Failed,InitializationFailed".parse().unwrap(),
        )
        .unwrap()
    }

    fn prod() -> IndexName {
        IndexName::from_raw("prod").unwrap()
    }

    fn now() -> SystemTime {
        FakeClock::new().wall()
    }

    /// RFC 3339 with milliseconds, as the fake world writes it.
    fn rfc(time: SystemTime) -> String {
        let compact = crate::timestamp::utc_compact(time);
        format!(
            "{}-{}-{}T{}:{}:{}.000Z",
            &compact[0..4],
            &compact[4..6],
            &compact[6..8],
            &compact[9..11],
            &compact[11..13],
            &compact[13..15]
        )
    }

    fn backup(id: &str, status: &str, created_ago: Option<Duration>) -> Backup {
        let mut value = json!({"backup_id": id, "status": status, "source_index_name": "prod"});
        if let Some(ago) = created_ago {
            value["created_at"] = json!(rfc(now() - ago));
        }
        Backup::from_value(value).unwrap()
    }

    fn choose(backups: Vec<Backup>, max_age: Option<Duration>) -> Result<Choice, String> {
        let mut tally = Tally::default();
        for backup in backups {
            tally.add(backup, &prod(), &rules());
        }
        tally.choose(&prod(), now(), max_age)
    }

    #[test]
    fn the_newest_that_is_not_failed_is_chosen_whatever_the_order() {
        let choice = choose(
            vec![
                backup("older", "Ready", Some(26 * HOUR)),
                backup("broken", "Failed", Some(HOUR)),
                backup("nightly", "Ready", Some(3 * HOUR)),
                backup("pending", "Pending", Some(5 * HOUR)),
            ],
            None,
        )
        .unwrap();
        assert_eq!(choice.backup.text("backup_id"), Some("nightly"));
        assert_eq!(age(choice.age), "3h");
        assert_eq!(choice.listed, 4);
        // In progress is a candidate: the wait is for it to become ready.
        let choice = choose(
            vec![
                backup("ready", "Ready", Some(3 * HOUR)),
                backup("new", "Initializing", Some(HOUR)),
            ],
            None,
        )
        .unwrap();
        assert_eq!(choice.backup.text("backup_id"), Some("new"));
    }

    #[test]
    fn a_backup_without_a_readable_created_at_is_never_the_newest() {
        let mut odd = backup("odd", "Ready", None);
        let choice = choose(
            vec![odd.clone(), backup("dated", "Ready", Some(48 * HOUR))],
            None,
        )
        .unwrap();
        assert_eq!(choice.backup.text("backup_id"), Some("dated"));
        odd = Backup::from_value(
            json!({"backup_id": "odd", "status": "Ready", "created_at": "tomorrow"}),
        )
        .unwrap();
        let err = choose(vec![odd, backup("undated", "Ready", None)], None).unwrap_err();
        assert_eq!(
            err,
            "index prod has 2 backups, and none can be the latest: 2 without a readable created_at"
        );
    }

    #[test]
    fn equal_times_keep_the_first_listed_and_a_future_time_is_age_zero() {
        let choice = choose(
            vec![
                backup("first", "Ready", Some(HOUR)),
                backup("second", "Ready", Some(HOUR)),
            ],
            None,
        )
        .unwrap();
        assert_eq!(choice.backup.text("backup_id"), Some("first"));
        let future = Backup::from_value(json!({
            "backup_id": "skewed", "status": "Ready", "created_at": rfc(now() + HOUR)
        }))
        .unwrap();
        let choice = choose(vec![future], Some(HOUR)).unwrap();
        assert_eq!(choice.age, Duration::ZERO);
    }

    #[test]
    fn max_age_says_what_was_looked_at() {
        let err = choose(
            vec![
                backup("a", "Ready", Some(50 * HOUR)),
                backup("b", "Ready", Some(72 * HOUR)),
                backup("c", "Ready", Some(60 * HOUR)),
            ],
            Some(24 * HOUR),
        )
        .unwrap_err();
        assert_eq!(
            err,
            "index prod has 3 backups; the newest is 2d2h old, older than --max-age 24h"
        );
        let err = choose(
            vec![
                backup("a", "Ready", Some(50 * HOUR)),
                backup("b", "Failed", Some(HOUR)),
            ],
            Some(24 * HOUR),
        )
        .unwrap_err();
        assert_eq!(
            err,
            "index prod has 2 backups; the newest is 2d2h old, older than --max-age 24h \
             (left out: 1 in a failed status)"
        );
        assert!(choose(vec![backup("a", "Ready", Some(23 * HOUR))], Some(24 * HOUR)).is_ok());
    }

    #[test]
    fn a_backup_without_an_id_cannot_be_waited_for_and_is_left_out() {
        let nameless = Backup::from_value(json!({
            "status": "Ready", "created_at": rfc(now())
        }))
        .unwrap();
        let choice = choose(
            vec![nameless.clone(), backup("dated", "Ready", Some(HOUR))],
            None,
        )
        .unwrap();
        assert_eq!(choice.backup.text("backup_id"), Some("dated"));
        assert_eq!(
            choose(vec![nameless], None).unwrap_err(),
            "index prod has 1 backup, and none can be the latest: 1 without a backup_id"
        );
    }

    #[test]
    fn no_candidate_at_all_says_why() {
        assert_eq!(
            choose(Vec::new(), None).unwrap_err(),
            "index prod has no backups"
        );
        let other = Backup::from_value(json!({
            "backup_id": "x", "status": "Ready", "source_index_name": "staging",
            "created_at": rfc(now())
        }))
        .unwrap();
        assert_eq!(
            choose(
                vec![
                    backup("f", "InitializationFailed", Some(HOUR)),
                    other,
                    backup("u", "Ready", None)
                ],
                None
            )
            .unwrap_err(),
            "index prod has 3 backups, and none can be the latest: 1 in a failed status, \
             1 without a readable created_at, 1 of another index"
        );
    }
}
