//! Integration tests for the devnet node: one binary, one module per topic.
#![allow(clippy::unwrap_used, missing_docs)]

mod cli;
mod conformance;
mod dev;
mod js;
mod persistence;
mod robustness;
mod stylus;
mod utils;
mod ws;
