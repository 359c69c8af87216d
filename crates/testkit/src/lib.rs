//! The world around the waiter, simulated for tests, the demo and the
//! benchmarks. Not part of the shipped binary.
//!
//! - `control_plane`: a scriptable stand-in for Pinecone's control plane on
//!   127.0.0.1, down to the byte (resets, hangs, trickled bodies).
//! - `runner`: the GitHub runner's own parsing of `GITHUB_OUTPUT` files and
//!   of workflow commands in a log, so tests assert what a workflow would
//!   really see rather than what we hope it sees.
//! - `tls`: a certificate authority made in the test and an HTTPS front
//!   for the control plane, for the trust-store tests.

pub mod control_plane;
pub mod runner;
pub mod tls;

pub use control_plane::{FakeControlPlane, Recorded, Reply, Script};
