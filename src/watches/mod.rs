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
//! Restore jobs, indexes and data-plane stats are further instances (issue
//! 10), on the same loop.

pub mod backup;
pub mod create;
pub mod listing;
