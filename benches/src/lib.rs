//! compute-market benchmarks (issue 9), all on the in-process dev chain:
//!
//! * [`breakdown`]: where the gas of CT `transfer`, OpenZeppelin's `transfer`, `approveResult` and
//!   `finalize` goes (the engine's gas accounting on replays of the gas scenario; issue 18);
//! * [`attack`]: the wash and credit-put strategies against the real contracts (issue 13);
//! * [`gas`]: gas per user-facing operation of every contract, and the same ERC-20 operations on
//!   OpenZeppelin Contracts 5 (`ERC20` + `ERC20Permit` + `ERC20Burnable`, compiled with solc-js);
//! * [`scenarios`]: demand scenarios (base, bull, bear, demand shock) over day-long epochs, with CSVs,
//!   SVG charts and a reconciliation with the chain (issue 19; the `scenarios` subcommand);
//! * [`scaling`]: gas of the per-job operations with 1, 100 and 1,000 providers and jobs in the system;
//! * [`sizes`]: deployable size and activation data fee of each contract;
//! * [`throughput`]: transfers per second through JSON-RPC (1 and 8 clients), `eth_call` latency;
//! * [`persistence`]: dev-chain `--state` latency at 1,000 and 50,000 blocks, `anvil_mine` with and
//!   without `--state` (the `persistence` subcommand);
//! * [`snapshot`]: `snapshots/gas.json` and the 2% regression check (`tests/gas_snapshot.rs`);
//! * [`report`]: markdown tables.
//!
//! The `bench` binary runs everything and prints the tables (`cargo run -p compute-market-bench --release`).
pub mod attack;
pub mod breakdown;
pub mod env;
pub mod gas;
pub mod persistence;
pub mod report;
pub mod scaling;
pub mod scenarios;
pub mod sizes;
pub mod snapshot;
pub mod throughput;
