//! Who holds which role after `deploy`, the governance handover, and reading every role holder
//! back from the chain.
//!
//! [`ROLE_TABLE`] is the one place that says which account or contract holds each role of each
//! contract. `deploy` grants the rows in order, then hands governance over when asked:
//!
//! * by default on the dev chain the deployer keeps the governance roles (as before);
//! * `--admin ADDR` hands every [`Holder::Governance`] role to `ADDR`;
//! * `--timelock-delay SECONDS` deploys OpenZeppelin's `TimelockController`
//!   (`@openzeppelin/contracts/governance/TimelockController.sol`, compiled by
//!   `scripts/solidity/timelock.mjs` with the pinned solc-js) with the given proposers and
//!   executors, and hands those roles to it.
//!
//! In both cases every grant comes first and is checked on chain; only then does the deployer
//! renounce each role it holds, `DEFAULT_ADMIN_ROLE` of each contract last, so no contract is
//! ever without an admin (the issue-14 finding that the deployer's key kept every admin role).
//!
//! To add a contract, add its rows here (and its program to [`crate::deploy::PROGRAMS`]); to add
//! an operator role such as an attester, add a row with [`Holder::Operator`] and an arm in
//! [`Operators::get`] (plus its command-line option).
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use alloy::primitives::{keccak256, Address, Bytes, B256, U256};
use alloy::providers::Provider;
use alloy::rpc::types::Filter;
use alloy::sol;
use alloy::sol_types::SolEvent;
use eyre::{bail, eyre, WrapErr};
use serde::{Deserialize, Serialize};

use crate::bindings::IComputeToken;

/// Who holds a role once `deploy` is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder {
    /// Governance: the deployer (dev-chain default), `--admin`, or the TimelockController.
    Governance,
    /// Another program of the deployment, by record name (`controller`, `escrow`, ...).
    Contract(&'static str),
    /// An operator address from a command-line option ([`Operators::get`]); defaults to the
    /// governance holder.
    Operator(&'static str),
}

/// Every role `deploy` sets up: `(contract record name, role name, holder)`, granted in this
/// order. The constructors grant `DEFAULT_ADMIN_ROLE` (and the feed's `FEEDER_ROLE`) to the
/// deployer; the rows with [`Holder::Governance`] are what `--admin`/`--timelock-delay` hand over.
/// Rows of a contract that is not deployed here (an external `--price-feed`) are skipped.
pub const ROLE_TABLE: &[(&str, &str, Holder)] = &[
    ("price_feed", "DEFAULT_ADMIN_ROLE", Holder::Governance),
    ("price_feed", "FEEDER_ROLE", Holder::Operator("feeder")),
    ("token", "DEFAULT_ADMIN_ROLE", Holder::Governance),
    ("token", "MINTER_ROLE", Holder::Contract("controller")),
    ("token", "MINTER_ROLE", Holder::Contract("emissions")),
    ("emissions", "DEFAULT_ADMIN_ROLE", Holder::Governance),
    ("emissions", "PARAMETER_ADMIN_ROLE", Holder::Governance),
    ("emissions", "SETTLER_ROLE", Holder::Contract("controller")),
    (
        "emissions",
        "STAKE_REPORTER_ROLE",
        Holder::Contract("registry"),
    ),
    ("controller", "DEFAULT_ADMIN_ROLE", Holder::Governance),
    ("controller", "PARAMETER_ADMIN_ROLE", Holder::Governance),
    ("controller", "PAUSER_ROLE", Holder::Governance),
    ("controller", "ESCROW_ROLE", Holder::Contract("escrow")),
    ("registry", "DEFAULT_ADMIN_ROLE", Holder::Governance),
    ("registry", "PARAMETER_ADMIN_ROLE", Holder::Governance),
    ("registry", "PAUSER_ROLE", Holder::Governance),
    ("registry", "JOB_MANAGER_ROLE", Holder::Contract("escrow")),
    ("registry", "SLASHER_ROLE", Holder::Contract("escrow")),
    ("escrow", "DEFAULT_ADMIN_ROLE", Holder::Governance),
    ("escrow", "PARAMETER_ADMIN_ROLE", Holder::Governance),
    ("escrow", "PAUSER_ROLE", Holder::Governance),
    ("escrow", "ARBITRATOR_ROLE", Holder::Operator("arbitrator")),
    ("escrow", "MARKET_ROLE", Holder::Contract("market")),
    ("market", "DEFAULT_ADMIN_ROLE", Holder::Governance),
    ("market", "PARAMETER_ADMIN_ROLE", Holder::Governance),
    ("market", "PAUSER_ROLE", Holder::Governance),
    ("market", "ATTESTER_ROLE", Holder::Operator("attester")),
];

/// Role names whose ids `status` recognises: every role of [`ROLE_TABLE`] and the
/// TimelockController's own.
pub fn known_roles() -> Vec<&'static str> {
    let mut names: Vec<&str> = ROLE_TABLE.iter().map(|r| r.1).collect();
    names.extend(["PROPOSER_ROLE", "EXECUTOR_ROLE", "CANCELLER_ROLE"]);
    let mut seen = BTreeSet::new();
    names.retain(|n| seen.insert(*n));
    names
}

/// The role id of `name`: zero for `DEFAULT_ADMIN_ROLE` (OpenZeppelin), else `keccak256(name)`.
pub fn role_id(name: &str) -> B256 {
    if name == "DEFAULT_ADMIN_ROLE" {
        B256::ZERO
    } else {
        keccak256(name.as_bytes())
    }
}

/// The name of role id `id` among [`known_roles`], or its hex.
pub fn role_name(id: B256) -> String {
    known_roles()
        .into_iter()
        .find(|n| role_id(n) == id)
        .map(str::to_string)
        .unwrap_or_else(|| id.to_string())
}

/// The operator addresses of [`Holder::Operator`] rows.
#[derive(Clone, Copy, Debug)]
pub struct Operators {
    /// `ARBITRATOR_ROLE` of the escrow (`--arbitrator`).
    pub arbitrator: Address,
    /// `FEEDER_ROLE` of the ManualPriceFeed (`--feeder`).
    pub feeder: Address,
    /// `ATTESTER_ROLE` of the JobMarket (`--attester`): records providers' hardware attestations.
    pub attester: Address,
}

impl Operators {
    /// The address of operator `name`.
    ///
    /// # Errors
    /// A name no arm knows (a [`ROLE_TABLE`] row without its option).
    pub fn get(&self, name: &str) -> eyre::Result<Address> {
        match name {
            "arbitrator" => Ok(self.arbitrator),
            "feeder" => Ok(self.feeder),
            "attester" => Ok(self.attester),
            other => {
                bail!("ROLE_TABLE names operator {other:?}, which Operators::get does not know")
            }
        }
    }
}

/// How governance was set up, as recorded in `deployments/<chainId>.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Governance {
    /// Holder of every [`Holder::Governance`] role: the `--admin` address or the timelock.
    pub holder: Address,
    /// The TimelockController, with `--timelock-delay`.
    pub timelock: Option<TimelockRecord>,
    /// The deployer's renunciations, in the order sent: `(contract, role, transaction)`.
    pub renounced: Vec<(String, String, B256)>,
}

/// A deployed TimelockController.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct TimelockRecord {
    /// Address.
    pub address: Address,
    /// keccak256 of its runtime code.
    pub code_hash: B256,
    /// Creation transaction.
    pub tx_hash: B256,
    /// `getMinDelay()` at deployment, seconds.
    pub min_delay: u64,
    /// `PROPOSER_ROLE` (and `CANCELLER_ROLE`) holders.
    pub proposers: Vec<Address>,
    /// `EXECUTOR_ROLE` holders (the zero address: anyone may execute).
    pub executors: Vec<Address>,
    /// Compiler and library it was built with (`solc 0.8.37+…, @openzeppelin/contracts 5.7.0`).
    pub compiler: String,
}

/// The governance a deployment asks for (command-line options).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum GovernanceOption {
    /// The deployer keeps the governance roles (the dev-chain default).
    #[default]
    Deployer,
    /// `--admin ADDR`.
    Admin(Address),
    /// `--timelock-delay SECONDS --proposer ADDR… [--executor ADDR…]` (executors default to the
    /// proposers).
    Timelock {
        /// Minimum delay, seconds.
        delay: u64,
        /// Proposers (also cancellers).
        proposers: Vec<Address>,
        /// Executors.
        executors: Vec<Address>,
    },
}

sol! {
    /// OpenZeppelin's TimelockController (`@openzeppelin/contracts` 5.x,
    /// `contracts/governance/TimelockController.sol`): the members `deploy`, `status` and the
    /// tests use.
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    interface TimelockController {
        error TimelockInvalidOperationLength(uint256 targets, uint256 payloads, uint256 values);
        error TimelockInsufficientDelay(uint256 delay, uint256 minDelay);
        error TimelockUnexpectedOperationState(bytes32 operationId, bytes32 expectedStates);
        error TimelockUnexecutedPredecessor(bytes32 predecessorId);
        error TimelockUnauthorizedCaller(address caller);
        error AccessControlUnauthorizedAccount(address account, bytes32 neededRole);
        event CallScheduled(bytes32 indexed id, uint256 indexed index, address target, uint256 value, bytes data, bytes32 predecessor, uint256 delay);
        event CallExecuted(bytes32 indexed id, uint256 indexed index, address target, uint256 value, bytes data);
        function getMinDelay() external view returns (uint256);
        function hashOperation(address target, uint256 value, bytes data, bytes32 predecessor, bytes32 salt) external pure returns (bytes32);
        function schedule(address target, uint256 value, bytes data, bytes32 predecessor, bytes32 salt, uint256 delay) external;
        function execute(address target, uint256 value, bytes payload, bytes32 predecessor, bytes32 salt) external payable;
        function isOperationPending(bytes32 id) external view returns (bool);
        function isOperationReady(bytes32 id) external view returns (bool);
        function isOperationDone(bytes32 id) external view returns (bool);
        function hasRole(bytes32 role, address account) external view returns (bool);
    }
}

/// `TimelockController`'s creation code and where it came from.
#[derive(Clone, Debug)]
pub struct TimelockArtifact {
    /// Creation bytecode (constructor arguments not included).
    pub bytecode: Bytes,
    /// `solc <version>, @openzeppelin/contracts <version>`.
    pub compiler: String,
}

/// Compiles the TimelockController with `node scripts/solidity/timelock.mjs`, after `npm ci` when
/// the packages are missing ([`crate::setup::npm_packages`]).
///
/// # Errors
/// No node/npm, a failed install, or a compiler error (its output is in the message).
pub fn compile_timelock(repo_root: &Path) -> eyre::Result<TimelockArtifact> {
    crate::setup::npm_packages(repo_root)?;
    let script = repo_root.join("scripts/solidity/timelock.mjs");
    let out = Command::new("node")
        .arg(&script)
        .current_dir(repo_root)
        .output()
        .wrap_err_with(|| format!("running node {} (is Node 20 installed?)", script.display()))?;
    if !out.status.success() {
        bail!(
            "node {} failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .wrap_err("parsing the output of scripts/solidity/timelock.mjs")?;
    let bytecode = v["bytecode"]
        .as_str()
        .ok_or_else(|| eyre!("no bytecode in the output of scripts/solidity/timelock.mjs"))?
        .parse()?;
    Ok(TimelockArtifact {
        bytecode,
        compiler: format!(
            "solc {}, @openzeppelin/contracts {}",
            v["solc"].as_str().unwrap_or("?"),
            v["openzeppelin"].as_str().unwrap_or("?")
        ),
    })
}

/// Every current holder of every role of the contract at `address`, replayed from its
/// `RoleGranted`/`RoleRevoked` logs (OpenZeppelin's `IAccessControl` events) since `from_block`,
/// in log order, then confirmed with `hasRole`: role id → holders (sorted).
///
/// # Errors
/// The node fails a log query or a call, a log does not decode, or the replay disagrees with
/// `hasRole` (which would mean a missed log).
pub async fn role_holders(
    provider: &impl Provider,
    address: Address,
    from_block: u64,
) -> eyre::Result<BTreeMap<B256, Vec<Address>>> {
    let latest = provider.get_block_number().await?;
    let granted = IComputeToken::RoleGranted::SIGNATURE_HASH;
    let revoked = IComputeToken::RoleRevoked::SIGNATURE_HASH;
    let mut holders: BTreeMap<B256, BTreeSet<Address>> = BTreeMap::new();
    // Public RPC endpoints limit the block range of one query.
    const CHUNK: u64 = 50_000;
    let mut start = from_block;
    while start <= latest {
        let end = latest.min(start + CHUNK - 1);
        let logs = provider
            .get_logs(
                &Filter::new()
                    .address(address)
                    .event_signature(vec![granted, revoked])
                    .from_block(start)
                    .to_block(end),
            )
            .await
            .wrap_err_with(|| format!("eth_getLogs of {address}, blocks {start}..={end}"))?;
        for log in logs {
            if log.topic0() == Some(&granted) {
                let e = IComputeToken::RoleGranted::decode_log_data(log.data())?;
                holders.entry(e.role).or_default().insert(e.account);
            } else {
                let e = IComputeToken::RoleRevoked::decode_log_data(log.data())?;
                holders.entry(e.role).or_default().remove(&e.account);
            }
        }
        start = end + 1;
    }
    let c = IComputeToken::new(address, provider);
    let mut out = BTreeMap::new();
    for (role, accounts) in holders {
        for &a in &accounts {
            if !c.hasRole(role, a).call().await? {
                bail!(
                    "{address}: the logs say {a} holds {} but hasRole says no",
                    role_name(role)
                );
            }
        }
        if !accounts.is_empty() {
            out.insert(role, accounts.into_iter().collect());
        }
    }
    Ok(out)
}

/// The ABI-encoded constructor arguments of the TimelockController: `(minDelay, proposers,
/// executors, admin = 0)`. Admin zero: the timelock administers itself, nobody can bypass the delay.
pub fn timelock_constructor_args(
    delay: u64,
    proposers: &[Address],
    executors: &[Address],
) -> Vec<u8> {
    use alloy::sol_types::SolValue;
    (
        U256::from(delay),
        proposers.to_vec(),
        executors.to_vec(),
        Address::ZERO,
    )
        .abi_encode_params()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_ids_and_names() {
        assert_eq!(role_id("DEFAULT_ADMIN_ROLE"), B256::ZERO);
        assert_eq!(role_id("MINTER_ROLE"), keccak256(b"MINTER_ROLE"));
        assert_eq!(role_name(keccak256(b"PROPOSER_ROLE")), "PROPOSER_ROLE");
        assert_eq!(role_name(B256::ZERO), "DEFAULT_ADMIN_ROLE");
        assert_eq!(
            role_name(B256::repeat_byte(7)),
            B256::repeat_byte(7).to_string()
        );
    }

    #[test]
    fn every_contract_has_a_governance_admin_and_every_holder_resolves() {
        let ops = Operators {
            arbitrator: Address::repeat_byte(1),
            feeder: Address::repeat_byte(2),
            attester: Address::repeat_byte(3),
        };
        let contracts: BTreeSet<&str> = ROLE_TABLE.iter().map(|r| r.0).collect();
        for c in &contracts {
            assert!(
                ROLE_TABLE
                    .iter()
                    .any(|r| r.0 == *c && r.1 == "DEFAULT_ADMIN_ROLE" && r.2 == Holder::Governance),
                "{c} has no governance DEFAULT_ADMIN_ROLE row"
            );
            assert!(
                crate::deploy::PROGRAMS.iter().any(|p| p.0 == *c),
                "{c} is not a program"
            );
        }
        for (c, r, h) in ROLE_TABLE {
            match h {
                Holder::Contract(other) => assert!(contracts.contains(other), "{c}.{r} → {other}"),
                Holder::Operator(name) => {
                    ops.get(name).unwrap();
                }
                Holder::Governance => {}
            }
        }
        assert!(ops.get("oracle").is_err());
    }

    #[test]
    fn timelock_constructor_encoding() {
        let p = Address::repeat_byte(0xaa);
        let enc = timelock_constructor_args(172_800, &[p], &[p]);
        // minDelay, offset(proposers), offset(executors), admin, then the two arrays.
        assert_eq!(U256::from_be_slice(&enc[..32]), U256::from(172_800));
        assert_eq!(&enc[96..128], &[0u8; 32]);
        assert_eq!(enc.len(), 32 * 4 + 2 * 64);
    }
}
