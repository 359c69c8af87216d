//! pinecone-backup-wait: wait for a Pinecone backup to become Ready (and,
//! asked to, restore it into a new index and check its data), with a hard
//! deadline, honest exit codes and GitHub Actions outputs.
//!
//! Data flows one way: `cli` → `config` → `stages` (each stage one `wait`
//! over one of the `watches`, using `api`, `schedule`, `status`, `clock`)
//! → `outcome` → `report`. `app` wires them; `main.rs` only parses and
//! exits. Everything is public so the integration tests and the demo can
//! reach it.

pub mod api;
pub mod app;
pub mod cancel;
pub mod cli;
pub mod clock;
pub mod config;
pub mod outcome;
pub mod report;
pub mod schedule;
pub mod stages;
pub mod status;
pub mod timestamp;
pub mod usage;
pub mod wait;
pub mod watches;
