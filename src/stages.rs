//! The run as a short list of stages, in one place (`run`):
//!
//! 1. `select`: which backup. The one given (`--backup-id`: nothing to
//!    do), a new one (`--create-from-index`, never sent twice by accident)
//!    or the newest of an index (`--latest-of-index`, bounded listing).
//! 2. `backup`: wait until that backup is ready or has failed.
//!
//! Issue 10 adds `restore` (start one from the selected backup), `index`
//! (wait for the restore job, then the index) and `verify` (the data-plane
//! counts), after `backup`, on the same loop and the same deadline.
//!
//! Every stage is a wait of the one loop (`wait.rs`) over its own `Watch`
//! (`watches/`), under the run's one deadline (`Session`); each reports
//! what it saw (`StageReport`), and the report renders the stages. This
//! module decides only the order and what one stage hands the next.

use std::time::{Duration, SystemTime};

use crate::api::{ApiError, Backup, ControlPlane, NewBackup};
use crate::config::{BackupId, Config, Selection};
use crate::outcome::Outcome;
use crate::status::StatusRules;
use crate::wait::{Finished, Observer, Session, Watch};
use crate::watches::backup::BackupWatch;
use crate::watches::create::{CreateWatch, Created, generated_name};
use crate::watches::listing::{LatestWatch, Listed};

/// A stage of the run, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Creating the backup, or listing an index's backups for the latest.
    Select,
    /// Waiting for the selected backup.
    Backup,
}

impl Stage {
    /// The value of the `stage` output.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Select => "select",
            Stage::Backup => "backup",
        }
    }
}

/// How the backup was chosen: the `selected_by` output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectedBy {
    /// `--backup-id`.
    Id,
    /// `--create-from-index`.
    Create,
    /// `--latest-of-index`.
    Latest,
}

impl SelectedBy {
    /// The value of the `selected_by` output.
    pub fn label(self) -> &'static str {
        match self {
            SelectedBy::Id => "id",
            SelectedBy::Create => "create",
            SelectedBy::Latest => "latest",
        }
    }
}

/// What the run is to do, settled before the first request: the
/// configuration's selection with a generated name filled in.
#[derive(Debug, Clone)]
pub struct Plan {
    /// How the backup is chosen.
    pub selection: Selection,
    /// The name a create sends (the user's or a generated one).
    pub backup_name: Option<String>,
    /// Ready and failed statuses.
    pub statuses: StatusRules,
}

impl Plan {
    /// The plan for `config`; a create without `--backup-name` gets a name
    /// from the index, `now` (UTC) and `random`.
    pub fn from_config(config: &Config, now: SystemTime, random: u32) -> Plan {
        let backup_name = match &config.selection {
            Selection::Create { index, name, .. } => Some(
                name.clone()
                    .unwrap_or_else(|| generated_name(index, now, random)),
            ),
            _ => None,
        };
        Plan {
            selection: config.selection.clone(),
            backup_name,
            statuses: config.statuses.clone(),
        }
    }

    /// The `selected_by` of this plan.
    pub fn selected_by(&self) -> SelectedBy {
        match self.selection {
            Selection::Id(_) => SelectedBy::Id,
            Selection::Create { .. } => SelectedBy::Create,
            Selection::Latest { .. } => SelectedBy::Latest,
        }
    }
}

/// The backup the run waits for, and why it is that one.
#[derive(Debug, Clone, PartialEq)]
pub struct Selected {
    /// How it was chosen.
    pub by: SelectedBy,
    /// Its id.
    pub backup_id: String,
    /// The index it was created from or listed for (`None` for an id).
    pub index: Option<String>,
    /// Whether this run created it (`created` output).
    pub created: bool,
    /// Whether it was found after an ambiguous create failure rather than
    /// answered by the create.
    pub adopted: bool,
    /// For the latest of an index: how long ago it was created, and how
    /// many backups the index has.
    pub latest: Option<(Duration, usize)>,
}

/// What one stage saw.
#[derive(Debug, Clone, PartialEq)]
pub struct StageReport {
    /// Which stage.
    pub stage: Stage,
    /// How it ended (`Ready` for a stage that did its part).
    pub outcome: Outcome,
    /// Requests it made.
    pub attempts: u32,
    /// How long it took.
    pub duration: Duration,
    /// The distinct statuses it saw, in order, bounded.
    pub statuses: Vec<String>,
}

/// Hears about stages as they go; the human log implements it.
pub trait StageObserver: Observer {
    /// A stage begins; `what` says what it does, in our words (the plan
    /// holds no server text).
    fn entered(&mut self, stage: Stage, what: &str);
    /// The select stage chose `backup`.
    fn selected(&mut self, selected: &Selected, backup: &Backup);
}

/// How the run ended, with everything the reports need.
#[derive(Debug, Clone, PartialEq)]
pub struct Ran {
    /// How it ended.
    pub outcome: Outcome,
    /// Why it did not end ready.
    pub error: Option<String>,
    /// The id of the backup waited for (or given), once known.
    pub backup_id: Option<String>,
    /// The last BackupModel received.
    pub backup: Option<Backup>,
    /// How the backup was chosen.
    pub selected_by: SelectedBy,
    /// The selection, once made.
    pub selected: Option<Selected>,
    /// The last stage entered.
    pub stage: Stage,
    /// Each stage entered, in order.
    pub stages: Vec<StageReport>,
    /// Requests made in all.
    pub attempts: u32,
    /// Time from the start to the end.
    pub elapsed: Duration,
}

impl Ran {
    /// Whether this run created the backup (`created` output).
    pub fn created(&self) -> bool {
        self.selected.as_ref().is_some_and(|s| s.created)
    }
}

/// Runs the stages in order under one session, stopping at the first that
/// does not end ready.
pub fn run(
    plan: &Plan,
    api: &dyn ControlPlane,
    session: &mut Session<'_>,
    observer: &mut dyn StageObserver,
) -> Ran {
    let mut run = Running::new(plan);

    // 1. select: which backup.
    let (selected, seed) = match &plan.selection {
        Selection::Id(id) => {
            let selected = Selected {
                by: SelectedBy::Id,
                backup_id: id.as_str().to_owned(),
                index: None,
                created: false,
                adopted: false,
                latest: None,
            };
            (selected, None)
        }
        Selection::Create {
            index, description, ..
        } => {
            let name = plan.backup_name.clone().unwrap_or_default();
            let unique = matches!(&plan.selection, Selection::Create { name: None, .. });
            let request = NewBackup {
                name,
                description: description.clone(),
            };
            let what = format!(
                "creating a backup of index {index} named '{}'",
                crate::config::escaped(&request.name)
            );
            let mut watch = CreateWatch::new(api, index.clone(), request, unique);
            let finished = run.stage(session, Stage::Select, &what, &mut watch, observer);
            let adopted = matches!(finished.last, Some(Created::Adopted(_)));
            let Some(backup) = finished.last.as_ref().and_then(Created::backup).cloned() else {
                return run.end(session, finished.outcome, finished.error, None);
            };
            let selected = Selected {
                by: SelectedBy::Create,
                backup_id: String::new(),
                index: Some(index.to_string()),
                created: true,
                adopted,
                latest: None,
            };
            (selected, Some(backup))
        }
        Selection::Latest { index, max_age } => {
            let what = match max_age {
                Some(age) => format!(
                    "listing index {index}'s backups for the latest, no older than {}",
                    crate::config::HumanDuration(*age)
                ),
                None => format!("listing index {index}'s backups for the latest"),
            };
            let clock = session.clock();
            let mut watch = LatestWatch::new(api, clock, &plan.statuses, index.clone(), *max_age);
            let finished = run.stage(session, Stage::Select, &what, &mut watch, observer);
            let Some(Listed::Chosen(choice)) = finished.last else {
                return run.end(session, finished.outcome, finished.error, None);
            };
            let selected = Selected {
                by: SelectedBy::Latest,
                backup_id: String::new(),
                index: Some(index.to_string()),
                created: false,
                adopted: false,
                latest: Some((choice.age, choice.listed)),
            };
            (selected, Some(choice.backup))
        }
    };
    let (id, selected) = match seed.as_ref() {
        None => (BackupId::from_raw(&selected.backup_id), selected),
        Some(backup) => {
            let raw = backup.text("backup_id").unwrap_or_default();
            let id = BackupId::from_raw(raw);
            (
                id,
                Selected {
                    backup_id: raw.to_owned(),
                    ..selected
                },
            )
        }
    };
    let id = match id {
        Ok(id) => id,
        Err(reason) => {
            // An id the API gave that cannot name a backup in a URL.
            let error = ApiError::Malformed {
                detail: format!("the selected backup's id cannot be used: {reason}"),
            };
            run.selected = Some(selected);
            return run.end(session, Outcome::Error, Some(error.to_string()), seed);
        }
    };
    if let Some(backup) = &seed {
        observer.selected(&selected, backup);
    }
    run.backup_id = Some(selected.backup_id.clone());
    let just_created = selected.created;
    run.selected = Some(selected);

    // 2. backup: wait until it is ready or has failed.
    let what = format!("waiting for backup {}", crate::config::escaped(id.as_str()));
    let mut watch = BackupWatch::new(api, id, &plan.statuses, just_created);
    let finished = run.stage_seeded(session, Stage::Backup, &what, &mut watch, seed, observer);
    run.end(session, finished.outcome, finished.error, finished.last)
    // Issue 10: restore, index and verify follow here when asked for.
}

/// The run so far.
struct Running {
    selected_by: SelectedBy,
    selected: Option<Selected>,
    backup_id: Option<String>,
    stage: Stage,
    stages: Vec<StageReport>,
}

impl Running {
    fn new(plan: &Plan) -> Running {
        let backup_id = match &plan.selection {
            Selection::Id(id) => Some(id.as_str().to_owned()),
            _ => None,
        };
        Running {
            selected_by: plan.selected_by(),
            selected: None,
            backup_id,
            stage: match plan.selection {
                Selection::Id(_) => Stage::Backup,
                _ => Stage::Select,
            },
            stages: Vec::new(),
        }
    }

    fn stage<W: Watch>(
        &mut self,
        session: &mut Session<'_>,
        stage: Stage,
        what: &str,
        watch: &mut W,
        observer: &mut dyn StageObserver,
    ) -> Finished<W::Seen> {
        self.stage_seeded(session, stage, what, watch, None, observer)
    }

    /// Enters `stage`, waits on `watch` and records what it saw.
    fn stage_seeded<W: Watch>(
        &mut self,
        session: &mut Session<'_>,
        stage: Stage,
        what: &str,
        watch: &mut W,
        seed: Option<W::Seen>,
        observer: &mut dyn StageObserver,
    ) -> Finished<W::Seen> {
        self.stage = stage;
        observer.entered(stage, what);
        let started = session.elapsed();
        let finished = session.wait(watch, seed, observer);
        self.stages.push(StageReport {
            stage,
            outcome: finished.outcome,
            attempts: finished.attempts,
            duration: finished.elapsed.saturating_sub(started),
            statuses: finished.statuses.clone(),
        });
        finished
    }

    fn end(
        self,
        session: &Session<'_>,
        outcome: Outcome,
        error: Option<String>,
        backup: Option<Backup>,
    ) -> Ran {
        Ran {
            outcome,
            error,
            backup_id: self.backup_id,
            backup,
            selected_by: self.selected_by,
            selected: self.selected,
            stage: self.stage,
            stages: self.stages,
            attempts: session.attempts(),
            elapsed: session.elapsed(),
        }
    }
}
