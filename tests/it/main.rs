//! One integration-test binary; modules are named by behaviour.

mod cancellation;
mod deadline;
mod exit_codes;
mod outputs;
mod requests;
mod secrets;
mod spec_examples;
mod support;
mod usage;
