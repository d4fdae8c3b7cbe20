//! compute-market deploy / demo / status tooling (issue 8).
//!
//! * [`bindings`]: typed contract bindings (alloy `sol!` from `abi/*.json`);
//! * [`wasm`]: building the deployable wasm (`scripts/build-wasm.sh`);
//! * [`chain`]: a connected signer: sending with a gas margin, decoded reverts, one program's deployment;
//! * [`verify`]: reading a deployment back and checking roles, wiring and parameters;
//! * [`deploy`]: deploy or verify the whole system, `deployments/<chainId>.json`;
//! * [`status`]: read a deployment back from the chain;
//! * [`demo`]: the end-to-end marketplace demo on the embedded devnet;
//! * [`errors`]: decoding reverts into custom error names;
//! * [`governance`]: the role table, the governance handover (`--admin`, `--timelock-delay`), role holders from logs;
//! * [`progress`]: step-by-step progress of deploy and demo (indicatif spinner, plain lines off a terminal);
//! * [`units`]: CT and credit amounts, `bytes32` names and role ids (shared with the tests and benches);
//! * [`setup`]: first-run setup (npm packages, the pinned toolchain's wasm32 target and rust-src).
pub mod bindings;
pub mod chain;
pub mod demo;
pub mod deploy;
pub mod errors;
pub mod governance;
pub mod progress;
pub mod setup;
pub mod status;
pub mod units;
pub mod verify;
pub mod wasm;

/// The Nitro dev node's prefunded key (also the devnet's dev key).
pub const NITRO_DEV_KEY: &str =
    "0xb6b15c8cb491557369f3c7d2c287b053eb229daa9c22138887752191c9520659";
/// Default RPC endpoint (Nitro dev node / devnet).
pub const DEFAULT_RPC_URL: &str = "http://127.0.0.1:8547";
