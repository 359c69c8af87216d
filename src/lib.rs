//! pinecone-backup-wait: wait for a Pinecone backup to become Ready, with a
//! hard deadline, honest exit codes and GitHub Actions outputs.
//!
//! Data flows one way: `cli` → `config` → `poller` (using `api`, `schedule`,
//! `status`, `clock`) → `outcome` → `report`. `app` wires the stages;
//! `main.rs` only parses and exits. Everything is public so the integration
//! tests and the demo can reach it.

pub mod api;
pub mod app;
pub mod cancel;
pub mod cli;
pub mod clock;
pub mod config;
pub mod outcome;
pub mod poller;
pub mod report;
pub mod schedule;
pub mod status;
pub mod usage;
