//! A backup, until its status is a ready or a failed one: `GET
//! /backups/{backup_id}`, classified by the configured status sets.

use std::time::Duration;

use crate::api::{ApiError, Backup, ControlPlane};
use crate::config::BackupId;
use crate::status::{StatusClass, StatusRules};
use crate::wait::{Verdict, Watch};

/// Watches one backup.
pub struct BackupWatch<'a> {
    api: &'a dyn ControlPlane,
    id: BackupId,
    rules: &'a StatusRules,
    just_created: bool,
}

impl<'a> BackupWatch<'a> {
    /// Watches backup `id`; `just_created` when this run created it, so
    /// that a 404 means "not visible yet" (Pinecone's lists and describes
    /// may lag behind a create) rather than "does not exist".
    pub fn new(
        api: &'a dyn ControlPlane,
        id: BackupId,
        rules: &'a StatusRules,
        just_created: bool,
    ) -> Self {
        BackupWatch {
            api,
            id,
            rules,
            just_created,
        }
    }
}

impl Watch for BackupWatch<'_> {
    type Seen = Backup;

    fn describe(&mut self, timeout: Duration) -> Result<Backup, ApiError> {
        self.api.describe_backup(&self.id, timeout)
    }

    fn classify(&self, backup: &Backup) -> Verdict {
        match self.rules.classify(backup.status()) {
            StatusClass::Ready => Verdict::Target,
            StatusClass::Failed => Verdict::Failed,
            StatusClass::InProgress => Verdict::Pending,
            StatusClass::Unknown => Verdict::Unknown,
        }
    }

    fn status<'s>(&self, backup: &'s Backup) -> Option<&'s str> {
        Some(backup.status())
    }

    fn failed(&self, backup: &Backup) -> String {
        format!(
            "backup status is {}, a failed status: the backup failed on Pinecone's side \
             and will not become ready; check the source index and the backup in the \
             Pinecone console, then create a new backup",
            backup.status().trim()
        )
    }

    fn not_found_is_pending(&self) -> bool {
        self.just_created
    }
}
