//! Integration tests for the devnet node: one binary, one module per topic.
#![allow(clippy::unwrap_used, missing_docs)]

mod cli;
mod conformance;
mod crash;
mod dev;
mod hardhat;
mod js;
mod pending;
mod persistence;
mod regressions;
mod robustness;
mod stylus;
mod utils;
mod ws;
