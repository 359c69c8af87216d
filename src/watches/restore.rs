//! A restore, as a watch: start it (`POST /backups/{backup_id}/create-index`,
//! sent again only when the server cannot have acted), then follow its job
//! (`GET /restore-jobs/{job_id}`) until it is `Completed`, `Failed` or
//! `Cancelled`. Or, for `--restore-job-id`, only follow a job that exists.
//!
//! The rule for an ambiguous failure (the request left, then a timeout, a
//! reset, a 408 or a 5xx; or a success whose body names no job) is the
//! create stage's: look before sending again. `GET /restore-jobs` has no
//! filter, so all of it is read once before the first POST (the census),
//! and after an ambiguous failure the job adopted is the one restoring this
//! backup into this index whose id was not in the census
//! (`restore_job::adoptable`): an earlier run may have restored the same
//! backup into the same name (an index deleted since), and its job must
//! never be taken for this run's.
//!
//! A 409 says the index name is taken. The waiter never touches an index
//! that exists: unless this run's own earlier create-index was ambiguous,
//! the run ends (exit 6) naming the index. After an ambiguous one, the jobs
//! are read once more (a job may show up in the list later than its index
//! takes the name); found, it is adopted; not found, the run ends the same
//! way. A 412 (2026-07: the backup is not complete yet) created nothing
//! and is sent again within the deadline; a 404 is a backup that does not
//! exist (exit 4).
//!
//! Each attempt is one request: a page of the census, the POST, a page of
//! the look, or a describe of the job. Pages follow each other at once
//! (`Verdict::Continue`); the first describe of a job just started waits
//! the usual delay. A 404 for the job this run started or adopted means it
//! is not visible yet; for a job the user named, that it does not exist.

use std::collections::BTreeSet;
use std::time::Duration;

use super::listing::Tokens;
use crate::api::restore_job::{RestoreJob, RestoreJobPage, adoptable};
use crate::api::restore_request::{CreateIndexRequest, CreateIndexResponse};
use crate::api::{ApiError, ControlPlane, Delivery, RESTORE_JOBS_PAGE_SIZE, Resend, WriteFailure};
use crate::config::{BackupId, RestoreJobId};
use crate::status::StatusClass;
use crate::wait::{Part, Shown, Verdict, Watch, prefix};

/// The most bytes of a server string quoted in an error.
const MAX_QUOTED_BYTES: usize = 200;

/// Where the restore is.
#[derive(Debug)]
enum Phase {
    /// Reading every restore job that exists before the first POST.
    Census(Tokens),
    /// Sending the create-index.
    Post,
    /// Looking for this run's job after an ambiguous failure; `confirming`
    /// when a 409 answered the create-index sent again after it.
    Look {
        /// The pages.
        tokens: Tokens,
        /// Whether a 409 came since the ambiguous failure.
        confirming: bool,
    },
    /// Describing the job.
    Job(RestoreJobId),
}

/// What one attempt of a restore answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Restoring {
    /// A page of the restore jobs was read (the census before the first
    /// POST, or the look after an ambiguous failure).
    Listed {
        /// Whether this was the look after an ambiguous failure.
        looking: bool,
        /// 1-based page number.
        number: u32,
        /// Jobs on it.
        jobs: usize,
        /// Whether another page follows.
        more: bool,
    },
    /// The create-index answered: the restore started.
    Started(CreateIndexResponse),
    /// After an ambiguous failure, this run's job was found in the list.
    Adopted(RestoreJob),
    /// The job, described.
    Job(RestoreJob),
}

impl Restoring {
    /// The job model, when this answer carries one.
    pub fn job(&self) -> Option<&RestoreJob> {
        match self {
            Restoring::Adopted(job) | Restoring::Job(job) => Some(job),
            _ => None,
        }
    }
}

/// A restore to start: the backup, and the index to create from it.
#[derive(Debug, Clone)]
pub struct NewRestore {
    /// The backup to restore (ready).
    pub backup: BackupId,
    /// The create-index body.
    pub request: CreateIndexRequest,
}

/// Starts one restore at most once and follows its job, or follows a job
/// that exists.
pub struct RestoreWatch<'a> {
    api: &'a dyn ControlPlane,
    /// `None` for `--restore-job-id`.
    new: Option<NewRestore>,
    /// Ids of the restore jobs that existed before the first POST.
    before: BTreeSet<String>,
    phase: Phase,
    /// Whether a create-index of this run may have acted without saying so.
    ambiguous: bool,
    /// The 409 answer, kept for the message if the look finds nothing.
    conflict: Option<String>,
    /// Whether this run started the restore (a 202, or an adopted job).
    created: bool,
    /// Whether the job was found after an ambiguous failure.
    adopted: bool,
    /// The new index's id, from the 202 or the adopted job.
    index_id: Option<String>,
}

impl<'a> RestoreWatch<'a> {
    /// A restore this run starts: census, create-index, then the job.
    pub fn start(api: &'a dyn ControlPlane, new: NewRestore) -> Self {
        RestoreWatch {
            api,
            new: Some(new),
            before: BTreeSet::new(),
            phase: Phase::Census(Tokens::default()),
            ambiguous: false,
            conflict: None,
            created: false,
            adopted: false,
            index_id: None,
        }
    }

    /// A job that exists (`--restore-job-id`): only describes.
    pub fn existing(api: &'a dyn ControlPlane, id: RestoreJobId) -> Self {
        RestoreWatch {
            api,
            new: None,
            before: BTreeSet::new(),
            phase: Phase::Job(id),
            ambiguous: false,
            conflict: None,
            created: false,
            adopted: false,
            index_id: None,
        }
    }

    /// Whether this run started the restore: a create-index answered 202,
    /// or its job was found after an ambiguous failure. Only then is the
    /// new index this run's (`restore_created`).
    pub fn created(&self) -> bool {
        self.created
    }

    /// Whether the job was adopted after an ambiguous failure.
    pub fn adopted(&self) -> bool {
        self.adopted
    }

    /// The job's id, once known.
    pub fn job_id(&self) -> Option<&RestoreJobId> {
        match &self.phase {
            Phase::Job(id) => Some(id),
            _ => None,
        }
    }

    /// The new index's id, once known (from the 202 or the adopted job).
    pub fn index_id(&self) -> Option<&str> {
        self.index_id.as_deref()
    }

    fn new_restore(&self) -> &NewRestore {
        self.new
            .as_ref()
            .expect("only a restore this run starts posts or lists")
    }

    /// Reads the next page of restore jobs.
    fn page(
        api: &dyn ControlPlane,
        tokens: &mut Tokens,
        timeout: Duration,
    ) -> Result<RestoreJobPage, ApiError> {
        let page = api.list_restore_jobs(tokens.next(), timeout)?;
        tokens.read(
            page.next.as_deref(),
            "the list of restore jobs",
            &format!("{RESTORE_JOBS_PAGE_SIZE} jobs"),
        )?;
        Ok(page)
    }

    fn post(&mut self, timeout: Duration) -> Result<Restoring, ApiError> {
        let new = self.new_restore();
        let failure = match self
            .api
            .create_index_from_backup(&new.backup, &new.request, timeout)
        {
            Ok(answer) => return self.started(answer),
            Err(failure) => failure,
        };
        if let Delivery::Answered { status: 409, .. } = failure.delivery {
            return Err(self.conflict(failure));
        }
        match failure.resend {
            // 412 (the backup is not complete yet), a rate limit, nothing
            // sent: retryable, the loop sends again after its delay.
            Resend::AfterDelay => Err(failure.error),
            Resend::Never if failure.error.is_retryable() => Err(ApiError::Rejected {
                detail: failure.error.to_string(),
            }),
            Resend::Never => Err(failure.error),
            Resend::LookFirst => {
                self.ambiguous = true;
                self.phase = Phase::Look {
                    tokens: Tokens::default(),
                    confirming: false,
                };
                Err(ApiError::Transient {
                    detail: format!(
                        "{}; the restore may have started: looking for its job before sending \
                         the create-index again",
                        failure.error
                    ),
                    retry_after: failure.error.retry_after(),
                })
            }
        }
    }

    /// A 409: final, unless this run's own earlier create-index may have
    /// taken the name; then the jobs are read once more first.
    fn conflict(&mut self, failure: WriteFailure) -> ApiError {
        let index = &self.new_restore().request.name;
        if self.ambiguous && self.conflict.is_none() {
            self.conflict = Some(failure.error.to_string());
            self.phase = Phase::Look {
                tokens: Tokens::default(),
                confirming: true,
            };
            return ApiError::Transient {
                detail: format!(
                    "{}; an earlier create-index of this run may have taken the name: looking \
                     for its restore job once more",
                    failure.error
                ),
                retry_after: None,
            };
        }
        ApiError::Rejected {
            detail: format!(
                "{}: index {index} was not created by this run and is left untouched; restore \
                 into a name that is free (--restore-to-index), or delete that index first",
                failure.error
            ),
        }
    }

    fn started(&mut self, answer: CreateIndexResponse) -> Result<Restoring, ApiError> {
        self.created = true;
        self.index_id = Some(answer.index_id.clone());
        let id = RestoreJobId::from_raw(&answer.restore_job_id).map_err(|reason| {
            ApiError::Malformed {
                detail: format!(
                    "the create-index answer's restore_job_id cannot be used: {reason}"
                ),
            }
        })?;
        self.phase = Phase::Job(id);
        Ok(Restoring::Started(answer))
    }
}

impl Watch for RestoreWatch<'_> {
    type Seen = Restoring;

    fn describe(&mut self, timeout: Duration) -> Result<Restoring, ApiError> {
        match &mut self.phase {
            Phase::Job(id) => self
                .api
                .describe_restore_job(id, timeout)
                .map(Restoring::Job),
            Phase::Post => self.post(timeout),
            Phase::Census(tokens) => {
                let page = Self::page(self.api, tokens, timeout)?;
                let (number, done) = (tokens.pages(), tokens.is_done());
                self.before.extend(
                    page.jobs
                        .iter()
                        .filter_map(|job| job.restore_job_id().map(str::to_owned)),
                );
                if done {
                    self.phase = Phase::Post;
                }
                Ok(Restoring::Listed {
                    looking: false,
                    number,
                    jobs: page.jobs.len(),
                    more: !done,
                })
            }
            Phase::Look { tokens, confirming } => {
                let confirming = *confirming;
                let page = Self::page(self.api, tokens, timeout)?;
                let (number, done) = (tokens.pages(), tokens.is_done());
                let new = self.new.as_ref().expect("a look follows a POST");
                let found = adoptable(
                    &page.jobs,
                    new.backup.as_str(),
                    new.request.name.as_str(),
                    &self.before,
                );
                match found.as_slice() {
                    [] => {}
                    [job] => {
                        let job = (*job).clone();
                        let id = job.restore_job_id().unwrap_or_default();
                        let id =
                            RestoreJobId::from_raw(id).map_err(|reason| ApiError::Malformed {
                                detail: format!(
                                    "the listed restore job's id cannot be used: {reason}"
                                ),
                            })?;
                        self.created = true;
                        self.adopted = true;
                        self.index_id = job.target_index_id().map(str::to_owned);
                        self.phase = Phase::Job(id);
                        return Ok(Restoring::Adopted(job));
                    }
                    several => {
                        return Err(ApiError::Rejected {
                            detail: format!(
                                "{} new restore jobs of backup {} into index {} are listed; \
                                 this run cannot tell which one it started",
                                several.len(),
                                new.backup,
                                new.request.name
                            ),
                        });
                    }
                }
                let jobs = page.jobs.len();
                if done {
                    if confirming {
                        let conflict = self.conflict.clone().unwrap_or_default();
                        return Err(ApiError::Rejected {
                            detail: format!(
                                "{conflict}, and no new restore job of backup {} into it is \
                                 listed: index {} was not created by this run and is left \
                                 untouched; restore into a name that is free \
                                 (--restore-to-index), or delete that index first",
                                new.backup, new.request.name
                            ),
                        });
                    }
                    self.phase = Phase::Post;
                }
                Ok(Restoring::Listed {
                    looking: true,
                    number,
                    jobs,
                    more: !done,
                })
            }
        }
    }

    fn classify(&self, seen: &Restoring) -> Verdict {
        match seen {
            Restoring::Listed { .. } => Verdict::Continue,
            Restoring::Started(_) => Verdict::Pending,
            Restoring::Adopted(job) | Restoring::Job(job) => match job.class() {
                StatusClass::Ready => Verdict::Target,
                StatusClass::Failed => Verdict::Failed,
                StatusClass::InProgress => Verdict::Pending,
                StatusClass::Unknown => Verdict::Unknown,
            },
        }
    }

    fn status<'s>(&self, seen: &'s Restoring) -> Option<&'s str> {
        seen.job().map(RestoreJob::status)
    }

    fn shown<'s>(&self, seen: &'s Restoring) -> Shown<'s> {
        match seen {
            Restoring::Listed {
                looking,
                number,
                jobs,
                more,
            } => {
                let what = if *looking {
                    "looking for this run's restore job"
                } else {
                    "restore jobs before this run"
                };
                let then = match (more, looking) {
                    (true, _) => "more follow",
                    (false, true) => "not there: sending the create-index again",
                    (false, false) => "creating the index",
                };
                Shown(vec![Part::Ours(
                    format!(
                        "{what}: page {number}, {jobs} job{}; {then}",
                        if *jobs == 1 { "" } else { "s" }
                    )
                    .into(),
                )])
            }
            Restoring::Started(answer) => Shown(vec![
                Part::Ours("restore started: job ".into()),
                Part::Server(&answer.restore_job_id),
                Part::Ours(", new index id ".into()),
                Part::Server(&answer.index_id),
            ]),
            Restoring::Adopted(job) => {
                let mut parts = vec![Part::Ours(
                    "found this run's restore job after all (not sent again): ".into(),
                )];
                parts.extend(job_parts(job));
                Shown(parts)
            }
            Restoring::Job(job) => Shown(job_parts(job)),
        }
    }

    fn failed(&self, seen: &Restoring) -> String {
        let job = seen.job().expect("only a job can fail");
        // Server strings, bounded: the error is an output and a log line.
        let index = prefix(job.target_index_name().unwrap_or("?"), MAX_QUOTED_BYTES);
        let left = if self.created {
            "created by this run, is left as it is (restored_index_name names it for a cleanup)"
        } else {
            "is left as it is"
        };
        format!(
            "restore job {} ended with status {}, a failed status: the restore will not \
             complete; index {index}, {left}",
            prefix(job.restore_job_id().unwrap_or("?"), MAX_QUOTED_BYTES),
            prefix(job.status().trim(), MAX_QUOTED_BYTES)
        )
    }

    fn not_found_is_pending(&self) -> bool {
        // Only the job this run started or adopted may be not visible yet.
        matches!(self.phase, Phase::Job(_)) && self.created
    }

    fn progress(&self, seen: &Restoring) -> Option<String> {
        seen.job()
            .and_then(RestoreJob::percent_complete)
            .map(|percent| format!("{percent}%"))
    }
}

/// `job J, status S, P% complete` of a restore job, its server strings kept
/// apart.
pub fn job_parts(job: &RestoreJob) -> Vec<Part<'_>> {
    let mut parts = vec![
        Part::Ours("job ".into()),
        Part::Server(job.restore_job_id().unwrap_or("?")),
        Part::Ours(", status ".into()),
        Part::Server(job.status().trim()),
    ];
    if let Some(percent) = job.percent_complete() {
        parts.push(Part::Ours(format!(", {percent}% complete").into()));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::restore_request::CreateIndexRequest;
    use crate::clock::FakeClock;
    use crate::config::IndexName;
    use crate::outcome::Outcome;
    use crate::watches::scripted::{Script, Scripted, job, wait};

    const S: fn(u64) -> Duration = Duration::from_secs;

    fn new_restore() -> NewRestore {
        NewRestore {
            backup: BackupId::from_raw("b1").unwrap(),
            request: CreateIndexRequest {
                name: IndexName::from_raw("drill").unwrap(),
                tags: None,
                deletion_protection: None,
            },
        }
    }

    fn page(jobs: Vec<RestoreJob>, next: Option<&str>) -> Result<RestoreJobPage, ApiError> {
        Ok(RestoreJobPage {
            jobs,
            next: next.map(str::to_owned),
        })
    }

    fn accepted(id: &str) -> Result<CreateIndexResponse, WriteFailure> {
        Ok(CreateIndexResponse {
            restore_job_id: id.into(),
            index_id: format!("idx-{id}"),
        })
    }

    fn lost() -> Result<CreateIndexResponse, WriteFailure> {
        Err(WriteFailure::new(
            ApiError::transient("sending the request: Connection reset by peer"),
            Delivery::NoAnswer,
        ))
    }

    fn not_found() -> ApiError {
        ApiError::NotFound {
            detail: "HTTP 404".into(),
        }
    }

    #[test]
    fn a_job_given_is_only_described_and_its_404_is_not_found() {
        let clock = FakeClock::new();
        let mut plane = Scripted::new(&clock);
        plane.jobs = Script::of(vec![Err(not_found())]);
        let id = RestoreJobId::from_raw("j").unwrap();
        let mut watch = RestoreWatch::existing(&plane, id);
        let finished = wait(&clock, &mut watch, S(60));
        assert_eq!(finished.outcome, Outcome::NotFound);
        assert_eq!(*plane.log.borrow(), ["job"]);
        assert!(!watch.created());
    }

    #[test]
    fn a_started_job_that_is_not_visible_yet_is_waited_for() {
        let clock = FakeClock::new();
        let mut plane = Scripted::new(&clock);
        plane.pages = Script::of(vec![page(Vec::new(), None)]);
        plane.creates = Script::of(vec![accepted("j1")]);
        plane.jobs = Script::of(vec![
            Err(not_found()),
            Ok(job("j1", "b1", "drill", "Pending", Some(0.0))),
            Ok(job("j1", "b1", "drill", "Completed", Some(100.0))),
        ]);
        let mut watch = RestoreWatch::start(&plane, new_restore());
        let finished = wait(&clock, &mut watch, S(60));
        assert_eq!(finished.outcome, Outcome::Ready, "{finished:?}");
        assert_eq!(
            *plane.log.borrow(),
            ["jobs", "create-index", "job", "job", "job"]
        );
        assert_eq!(finished.statuses, ["Pending", "Completed"]);
        // The census and the POST follow each other at once; the first
        // describe of the new job waits the first delay.
        assert_eq!(clock.sleeps()[0], S(2));
        assert!(watch.created() && !watch.adopted());
        assert_eq!(watch.index_id(), Some("idx-j1"));
        assert_eq!(watch.job_id().map(RestoreJobId::as_str), Some("j1"));
    }

    #[test]
    fn every_page_of_the_census_is_read_and_its_jobs_are_never_adopted() {
        let clock = FakeClock::new();
        let mut plane = Scripted::new(&clock);
        let earlier = job("earlier", "b1", "drill", "Completed", Some(100.0));
        let mine = job("mine", "b1", "drill", "Pending", Some(0.0));
        plane.pages = Script::of(vec![
            // The census: two pages, the earlier run's job on the second.
            page(vec![job("x", "b9", "other", "Completed", None)], Some("t1")),
            page(vec![earlier.clone()], None),
            // The look: the earlier job again, then this run's.
            page(vec![earlier], Some("t2")),
            page(vec![mine], None),
        ]);
        plane.creates = Script::of(vec![lost()]);
        plane.jobs = Script::of(vec![Ok(job(
            "mine",
            "b1",
            "drill",
            "Completed",
            Some(100.0),
        ))]);
        let mut watch = RestoreWatch::start(&plane, new_restore());
        let finished = wait(&clock, &mut watch, S(60));
        assert_eq!(finished.outcome, Outcome::Ready, "{finished:?}");
        assert_eq!(
            *plane.log.borrow(),
            ["jobs", "jobs", "create-index", "jobs", "jobs", "job"]
        );
        assert!(watch.created() && watch.adopted());
        assert_eq!(watch.job_id().map(RestoreJobId::as_str), Some("mine"));
        assert_eq!(watch.index_id(), Some("idx-mine"));
    }

    #[test]
    fn a_409_is_final_unless_an_ambiguous_attempt_came_first() {
        let conflict = || {
            Err(WriteFailure::new(
                ApiError::Rejected {
                    detail: "HTTP 409 Conflict; index 'drill' already exists".into(),
                },
                Delivery::Answered {
                    status: 409,
                    code: Some("ALREADY_EXISTS".into()),
                },
            ))
        };
        let clock = FakeClock::new();
        let mut plane = Scripted::new(&clock);
        plane.pages = Script::of(vec![page(Vec::new(), None)]);
        plane.creates = Script::of(vec![conflict()]);
        let mut watch = RestoreWatch::start(&plane, new_restore());
        let finished = wait(&clock, &mut watch, S(60));
        assert_eq!(finished.outcome, Outcome::Error);
        assert_eq!(*plane.log.borrow(), ["jobs", "create-index"]);
        assert!(finished.error.unwrap().ends_with(
            "index drill was not created by this run and is left untouched; \
                            restore into a name that is free (--restore-to-index), or delete \
                            that index first"
        ));

        let clock = FakeClock::new();
        let mut plane = Scripted::new(&clock);
        plane.pages = Script::of(vec![page(Vec::new(), None)]);
        plane.creates = Script::of(vec![lost(), conflict()]);
        let mut watch = RestoreWatch::start(&plane, new_restore());
        let finished = wait(&clock, &mut watch, S(60));
        assert_eq!(finished.outcome, Outcome::Error);
        assert_eq!(
            *plane.log.borrow(),
            ["jobs", "create-index", "jobs", "create-index", "jobs"]
        );
        assert!(!watch.created());
    }

    #[test]
    fn two_new_jobs_of_this_restore_cannot_be_told_apart() {
        let clock = FakeClock::new();
        let mut plane = Scripted::new(&clock);
        plane.pages = Script::of(vec![
            page(Vec::new(), None),
            page(
                vec![
                    job("a", "b1", "drill", "Pending", None),
                    job("b", "b1", "drill", "Pending", None),
                ],
                None,
            ),
        ]);
        plane.creates = Script::of(vec![lost()]);
        let mut watch = RestoreWatch::start(&plane, new_restore());
        let finished = wait(&clock, &mut watch, S(60));
        assert_eq!(finished.outcome, Outcome::Error);
        assert!(
            finished
                .error
                .unwrap()
                .contains("cannot tell which one it started")
        );
    }

    #[test]
    fn statuses_and_progress_follow_the_restore_rules() {
        let clock = FakeClock::new();
        let plane = Scripted::new(&clock);
        let watch = RestoreWatch::existing(&plane, RestoreJobId::from_raw("j").unwrap());
        let seen = |status: &str, percent| Restoring::Job(job("j", "b", "i", status, percent));
        assert_eq!(watch.classify(&seen("Completed", None)), Verdict::Target);
        assert_eq!(watch.classify(&seen("Cancelled", None)), Verdict::Failed);
        assert_eq!(watch.classify(&seen("Failed", None)), Verdict::Failed);
        for pending in ["Pending", "Running", "InProgress"] {
            assert_eq!(watch.classify(&seen(pending, None)), Verdict::Pending);
        }
        assert_eq!(watch.classify(&seen("Restoring", None)), Verdict::Unknown);
        assert_eq!(
            watch.progress(&seen("InProgress", Some(42.2))).as_deref(),
            Some("42.2%")
        );
        assert_eq!(watch.progress(&seen("Pending", None)), None);
        assert_eq!(
            watch.shown(&seen("InProgress", Some(42.2))).plain(),
            "job j, status InProgress, 42.2% complete"
        );
        assert!(!watch.not_found_is_pending());
    }
}
