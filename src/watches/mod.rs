//! What the one wait loop (`wait.rs`) watches: one file per kind of thing,
//! each a `Watch` (one request per attempt, and what its answer means).
//!
//! - `backup`: a backup, until its status is a ready or a failed one.
//! - `listing`: an index's backups, page by page, bounded; the newest one
//!   is the latest-of-index selection.
//! - `create`: a create of a backup, with its resend rule: sent again only
//!   when the server cannot have acted, looked for first after an
//!   ambiguous failure.
//!
//! - `restore`: a restore of a backup into a new index (create-index, with
//!   the same resend rule), then its restore job until it ends; or a job
//!   that exists (`--restore-job-id`).
//! - `index`: the restored index, until it is ready or has failed.
//! - `verify`: the restored index's data plane, until its counts equal the
//!   backup's (counts that still differ at the deadline are a failure).

pub mod backup;
pub mod create;
pub mod index;
pub mod listing;
pub mod restore;
pub mod verify;

#[cfg(test)]
mod scripted;
