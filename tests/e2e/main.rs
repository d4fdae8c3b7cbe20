//! End-to-end tests of compute-market: the Stylus contracts deployed on the in-process dev chain
//! (one deployment per binary, reverted to a snapshot before every test; see the harness in
//! `tests/src/lib.rs`) and driven over JSON-RPC with alloy.
#![allow(clippy::unwrap_used, missing_docs)]

mod attacks;
mod controller;
mod deployment;
mod emissions;
mod escrow;
mod flows;
mod governance;
mod invariants;
mod market;
mod registry;
mod solidity;
mod token;
