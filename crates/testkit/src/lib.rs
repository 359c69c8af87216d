//! The world around the waiter, simulated for tests, the demo and the
//! benchmarks. Not part of the shipped binary.
//!
//! - `control_plane`: a scriptable stand-in for Pinecone's control plane on
//!   127.0.0.1, down to the byte (resets, hangs, trickled bodies).
//! - `world`: a small stateful Pinecone (indexes, backups, restore jobs on
//!   timelines, each index's data plane) on the same server, with faults
//!   scripted per request on top of the state.
//! - `duration`: the `500ms` / `2s` / `1h30m` syntax the fakes' flags take.
//! - `runner`: the GitHub runner's own parsing of `GITHUB_OUTPUT` files and
//!   of workflow commands in a log, so tests assert what a workflow would
//!   really see rather than what we hope it sees.
//! - `dotenv` and `azure`: the same for GitLab dotenv reports (GitLab's
//!   parser and the runner's expansion) and for Azure Pipelines logging
//!   commands (the agent's parser).
//! - `payloads`: hostile strings aimed at every sink.
//! - `tls`: a certificate authority made in the test and an HTTPS front
//!   for the control plane, for the trust-store tests.

pub mod azure;
pub mod control_plane;
pub mod dotenv;
pub mod duration;
pub mod payloads;
pub mod runner;
pub mod tls;
pub mod world;

pub use control_plane::{FakeControlPlane, Recorded, Reply, Script};
pub use world::FakePinecone;
