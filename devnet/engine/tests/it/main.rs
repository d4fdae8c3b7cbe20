//! The engine's integration tests: one binary, one module per topic.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod activation;
mod common;
mod compute_token;
mod conformance;
mod contracts;
mod deployer;
mod erc20_example;
mod hostio;
mod ink_audit;
mod profile;
