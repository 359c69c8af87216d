//! One integration-test binary; modules are named by behaviour.

mod cancellation;
mod ci_systems;
mod create;
mod docs;
mod exit_codes;
mod faults;
mod latest;
mod outputs;
mod requests;
mod restore;
mod secrets;
mod spec_examples;
mod support;
mod terminal;
mod tls;
