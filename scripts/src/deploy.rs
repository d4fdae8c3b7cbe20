//! Deploying (or verifying) the whole system: docs/protocol.md "Deployment" (programs, wiring,
//! roles) plus the emission rate for the chosen epoch length.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use alloy::network::TransactionBuilder;
use alloy::primitives::{keccak256, Address, B256, I256, U256};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionRequest;
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::SolValue;
use eyre::{bail, eyre, WrapErr};
use serde::{Deserialize, Serialize};

use crate::bindings::*;
pub use crate::chain::{Chain, GAS_MARGIN};
use crate::errors::explain;
use crate::governance::{
    compile_timelock, role_holders, role_id, role_name, timelock_constructor_args, Governance,
    GovernanceOption, Holder, Operators, TimelockController, TimelockRecord, ROLE_TABLE,
};
pub use crate::verify::verify;

/// Nitro dev node / devnet chain id.
pub const DEV_CHAIN_ID: u64 = 412_346;
/// CT genesis supply: 650M CT (the most the token allows), leaving 350M for the emission reserve.
pub const GENESIS_SUPPLY_CT: u64 = 650_000_000;
/// ManualPriceFeed decimals (Chainlink USD feeds use 8).
pub const FEED_DECIMALS: u8 = 8;
/// ManualPriceFeed initial answer: 0.50 USD per CT.
pub const FEED_INITIAL_ANSWER: i64 = 50_000_000;
/// Epoch length used on the dev chain when none is given (production default: 86,400 s).
pub const DEV_EPOCH_LENGTH: u64 = 3_600;

/// Options of [`deploy`].
#[derive(Clone, Debug, Default)]
pub struct DeployOptions {
    /// A CT/USD AggregatorV3 feed; `None` deploys a ManualPriceFeed (dev chains).
    pub price_feed: Option<Address>,
    /// L2 sequencer-uptime feed (zero/None = none).
    pub sequencer_feed: Option<Address>,
    /// Treasury (fee share, emission share, CT genesis supply); default: the deployer.
    pub treasury: Option<Address>,
    /// Holder of the escrow's ARBITRATOR_ROLE; default: the governance holder.
    pub arbitrator: Option<Address>,
    /// Holder of the ManualPriceFeed's FEEDER_ROLE (dev chains); default: the governance holder.
    pub feeder: Option<Address>,
    /// Holder of the JobMarket's ATTESTER_ROLE (records hardware attestations); default: the
    /// governance holder.
    pub attester: Option<Address>,
    /// Who governs (admin, parameter and pause roles); `None`: the deployer on the dev chain,
    /// refused elsewhere ([`resolve_governance`]).
    pub governance: Option<GovernanceOption>,
    /// Directory with prebuilt `<crate>.wasm`; default: run scripts/build-wasm.sh.
    pub wasm_dir: Option<PathBuf>,
    /// Where `<chainId>.json` is read and written; default: `<repo>/deployments`.
    pub deployments_dir: Option<PathBuf>,
    /// Emissions epoch length (s); default 3,600 on chain 412346, else 86,400.
    pub epoch_length: Option<u64>,
    /// No progress output.
    pub quiet: bool,
}

/// One deployed contract.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ContractRecord {
    /// Address.
    pub address: Address,
    /// keccak256 of the runtime code (`EF F0 00 00 ‖ brotli(wasm)`).
    pub code_hash: B256,
    /// Deployed code size in bytes.
    pub code_size: u64,
    /// Transactions that created it: the one StylusDeployer transaction (files from before the
    /// non-atomic path was refused may list deploy + activate + constructor).
    pub tx_hashes: Vec<B256>,
    /// Gas used by those transactions.
    pub gas_used: u64,
    /// Block of the (last) deployment transaction.
    pub block: u64,
    /// ArbWasm data fee paid (wei; 0 when the code hash was already active).
    pub data_fee: U256,
}

/// A role grant made by the deployer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RoleGrant {
    /// Contract name (`token`, `controller`, ...).
    pub contract: String,
    /// Role name (`MINTER_ROLE`, ...).
    pub role: String,
    /// Grantee.
    pub account: Address,
    /// Grant transaction (None when it was already in place).
    pub tx_hash: Option<B256>,
}

/// `deployments/<chainId>.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Deployment {
    /// Chain id.
    pub chain_id: u64,
    /// The deployer (also DEFAULT_ADMIN, PAUSER and PARAMETER_ADMIN of every contract unless
    /// [`Deployment::governance`] says otherwise).
    pub deployer: Address,
    /// CT/USD price feed.
    pub price_feed: Address,
    /// Whether `price_feed` is the ManualPriceFeed deployed here.
    pub manual_price_feed: bool,
    /// Sequencer-uptime feed (zero = none).
    pub sequencer_feed: Address,
    /// Treasury.
    pub treasury: Address,
    /// Escrow arbitrator.
    pub arbitrator: Address,
    /// FEEDER_ROLE holder of the ManualPriceFeed deployed here (None with an external feed).
    #[serde(default)]
    pub feeder: Option<Address>,
    /// ATTESTER_ROLE holder of the JobMarket (zero in files written before the market existed).
    #[serde(default)]
    pub attester: Address,
    /// ComputeToken.
    pub token: Address,
    /// Emissions.
    pub emissions: Address,
    /// BmeController.
    pub controller: Address,
    /// ProviderRegistry.
    pub registry: Address,
    /// JobEscrow.
    pub escrow: Address,
    /// JobMarket (reverse auctions and attestations); zero in files written before it existed.
    #[serde(default)]
    pub market: Address,
    /// Block at which the deployment was complete (last transaction).
    pub block: u64,
    /// Per contract (`price_feed`, `token`, `emissions`, `controller`, `registry`, `escrow`,
    /// `market`).
    pub contracts: BTreeMap<String, ContractRecord>,
    /// Every role the deployment relies on.
    pub roles: Vec<RoleGrant>,
    /// On-chain parameters after deployment: contract → name → decimal value.
    pub parameters: BTreeMap<String, BTreeMap<String, String>>,
    /// Whether the StylusDeployer was used: always, since deploying without it is refused
    /// (kept for files written before).
    pub used_stylus_deployer: bool,
    /// The governance handover (`--admin` or `--timelock-delay`); `None`: the deployer holds the
    /// governance roles.
    #[serde(default)]
    pub governance: Option<Governance>,
}

impl Deployment {
    /// The address of program `name` (a [`PROGRAMS`] record name), if part of this deployment.
    pub fn address_of(&self, name: &str) -> Option<Address> {
        match name {
            "price_feed" => Some(self.price_feed),
            "token" => Some(self.token),
            "emissions" => Some(self.emissions),
            "controller" => Some(self.controller),
            "registry" => Some(self.registry),
            "escrow" => Some(self.escrow),
            "market" => Some(self.market),
            _ => None,
        }
    }

    /// Who holds the governance roles: the handover's holder, or the deployer.
    pub fn governance_holder(&self) -> Address {
        self.governance.as_ref().map_or(self.deployer, |g| g.holder)
    }
}

impl Deployment {
    /// `<dir>/<chainId>.json`.
    pub fn path(dir: &Path, chain_id: u64) -> PathBuf {
        dir.join(format!("{chain_id}.json"))
    }
    /// Reads `<dir>/<chainId>.json` if it exists.
    pub fn load(dir: &Path, chain_id: u64) -> eyre::Result<Option<Self>> {
        let p = Self::path(dir, chain_id);
        if !p.exists() {
            return Ok(None);
        }
        let text =
            std::fs::read_to_string(&p).wrap_err_with(|| format!("reading {}", p.display()))?;
        let d = serde_json::from_str(&text).wrap_err_with(|| {
            format!(
                "parsing {} (delete it to redeploy from scratch)",
                p.display()
            )
        })?;
        Ok(Some(d))
    }
    /// Writes `<dir>/<chainId>.json`.
    pub fn save(&self, dir: &Path) -> eyre::Result<PathBuf> {
        std::fs::create_dir_all(dir).wrap_err_with(|| format!("creating {}", dir.display()))?;
        let p = Self::path(dir, self.chain_id);
        std::fs::write(&p, serde_json::to_string_pretty(self)? + "\n")
            .wrap_err_with(|| format!("writing {}", p.display()))?;
        Ok(p)
    }
}

/// Default deployments directory: `<repo>/deployments`.
pub fn default_deployments_dir() -> PathBuf {
    crate::wasm::repo_root().join("deployments")
}

/// The role id of `name` ([`crate::governance::role_id`]: zero for `DEFAULT_ADMIN_ROLE`, else
/// `keccak256(name)`).
pub fn role(name: &str) -> B256 {
    role_id(name)
}

/// `bytes32(name)`: a parameter name, ASCII left-aligned ([`crate::units::b32`]).
pub fn param_name(name: &str) -> B256 {
    crate::units::b32(name)
}

/// Parameter names per contract (for verification and the deployments file).
pub const CONTROLLER_PARAMS: &[&str] = &[
    "mintSpreadBps",
    "feeBps",
    "feeBurnShareBps",
    "maxPriceAge",
    "sequencerGracePeriod",
];
/// Emissions parameters.
pub const EMISSIONS_PARAMS: &[&str] = &[
    "treasuryEmissionBps",
    "emissionRateWad",
    "workRewardCapBps",
    "drawCapWad",
];
/// Registry parameters.
pub const REGISTRY_PARAMS: &[&str] = &[
    "minStakeBase",
    "stakePerGpu",
    "unbondingPeriod",
    "minUnbondingPeriod",
    "maxSlashBps",
    "challengerShareBps",
    "maxOpenJobs",
];
/// Escrow parameters.
pub const ESCROW_PARAMS: &[&str] = &[
    "acceptWindow",
    "submitGrace",
    "challengeWindow",
    "arbitrationWindow",
    "minChargeSeconds",
    "collateralBps",
    "disputeBondBps",
    "minDisputeBond",
    "fraudSlashBps",
    "fraudJailSeconds",
    "abandonSlashBps",
];
/// JobMarket parameters.
pub const MARKET_PARAMS: &[&str] = &["maxBidWindow", "closeWindow"];

/// `(record name, crate)` of each program, in deployment order (docs/protocol.md "Deployment"):
/// the keys of [`Deployment::contracts`] and the crates of `scripts/contracts.txt`.
pub const PROGRAMS: [(&str, &str); 7] = [
    ("price_feed", "price-feed"),
    ("token", "compute-token"),
    ("emissions", "emissions"),
    ("controller", "bme-controller"),
    ("registry", "provider-registry"),
    ("escrow", "job-escrow"),
    ("market", "job-market"),
];

/// The Emissions contract's default `emissionRateWad` (474,645e9 wad: a 4-year half-life of the
/// reserve with daily epochs, docs/economics.md).
pub const DAILY_EMISSION_RATE_WAD: u64 = 474_645_000_000_000;
/// The contract's upper bound on `emissionRateWad` (1e16 wad = 1% of the reserve per epoch).
pub const MAX_EMISSION_RATE_WAD: u64 = 10_000_000_000_000_000;

/// `emissionRateWad` for epochs of `epoch_length` seconds with the same 4-year half-life as the
/// daily default: `1 − 2^(−epoch_length / (1,460 × 86,400))`, in wad, rounded down to a multiple of
/// 1e6 wei. Returns the contract's default (the same formula rounded down to 1e9) for 86,400 s;
/// caps at [`MAX_EMISSION_RATE_WAD`] (reached from about 21 days per epoch). Without this, the
/// per-epoch default would emit a day's share every (say) hour-long dev epoch: 24× the design.
pub fn emission_rate_for(epoch_length: u64) -> U256 {
    if epoch_length == 86_400 {
        return U256::from(DAILY_EMISSION_RATE_WAD);
    }
    let half_life_s = 1_460.0 * 86_400.0;
    // 1 − 2^(−x) = −expm1(−x·ln 2), accurate for small x; f64's ~16 significant digits are well
    // below the 1e-12 granularity kept.
    let share = -(-(epoch_length as f64) / half_life_s * std::f64::consts::LN_2).exp_m1();
    let micro_wad = (share * 1e12).floor() as u64;
    U256::from(
        micro_wad
            .saturating_mul(1_000_000)
            .min(MAX_EMISSION_RATE_WAD),
    )
}

use crate::units::ct;

/// Deploys (or verifies an existing deployment of) the whole system on `rpc_url` with `signer`.
pub async fn deploy(
    rpc_url: &str,
    signer: PrivateKeySigner,
    opts: &DeployOptions,
) -> eyre::Result<Deployment> {
    let mut chain = Chain::connect(rpc_url, signer, Vec::new(), !opts.quiet).await?;
    let deployment = deploy_on(&mut chain, opts).await?;
    chain.progress.done();
    Ok(deployment)
}

/// [`deploy`] on an already connected [`Chain`] (its `from` deploys).
///
/// Order: refuse early what cannot be done safely (no StylusDeployer, no governance on a
/// non-dev chain), the TimelockController when asked, the programs ([`PROGRAMS`] order), every
/// role of [`ROLE_TABLE`] with the deployer standing in for governance, the emission rate, then
/// the handover ([`hand_over`]), verification, and the deployments file.
///
/// # Errors
/// Unreachable node, no ETH, invalid options (see [`GovernanceOption`]), no StylusDeployer on the
/// chain, any failed transaction (decoded), a failed verification.
pub async fn deploy_on(chain: &mut Chain, opts: &DeployOptions) -> eyre::Result<Deployment> {
    let me = chain.from;
    let chain_id = chain.chain_id;
    let dir = opts
        .deployments_dir
        .clone()
        .unwrap_or_else(default_deployments_dir);
    let previous = Deployment::load(&dir, chain_id)?;
    let balance = chain.provider.get_balance(me).await?;
    if balance.is_zero() {
        bail!(
            "the deployer {me} has no ETH on chain {chain_id} ({}): fund it (on a Nitro dev node or the devnet \
             the dev key {} is prefunded; on Arbitrum Sepolia use a faucet)",
            chain.rpc_url,
            crate::NITRO_DEV_KEY
        );
    }
    let governance = resolve_governance(opts, chain_id, me)?;
    let treasury = opts.treasury.unwrap_or(me);
    let sequencer_feed = opts.sequencer_feed.unwrap_or(Address::ZERO);
    let epoch_length = opts.epoch_length.unwrap_or(if chain_id == DEV_CHAIN_ID {
        DEV_EPOCH_LENGTH
    } else {
        86_400
    });
    chain.say(format!(
        "chain {chain_id} at {}, deployer {me} (balance {balance} wei)",
        chain.rpc_url
    ));

    // The governance holder, when already known: the deployer, --admin, or a recorded timelock
    // with the same settings that is still live (None: a new timelock, deployed below).
    let prev_gov = previous.as_ref().and_then(|p| p.governance.clone());
    let reused_timelock = match (
        &governance,
        prev_gov.as_ref().and_then(|g| g.timelock.clone()),
    ) {
        (
            GovernanceOption::Timelock {
                delay,
                proposers,
                executors,
            },
            Some(t),
        ) if t.min_delay == *delay
            && t.proposers == *proposers
            && t.executors == *executors
            && keccak256(chain.provider.get_code_at(t.address).await?) == t.code_hash =>
        {
            Some(t)
        }
        _ => None,
    };
    let known_holder = match &governance {
        GovernanceOption::Deployer => Some(me),
        GovernanceOption::Admin(a) => Some(*a),
        GovernanceOption::Timelock { .. } => reused_timelock.as_ref().map(|t| t.address),
    };

    // Which recorded contracts are still live? A redeployed contract forces its dependants to be redeployed.
    let mut live: BTreeMap<String, ContractRecord> = BTreeMap::new();
    if let Some(prev) = &previous {
        for (name, rec) in &prev.contracts {
            if chain.is_live(rec).await? {
                live.insert(name.clone(), rec.clone());
            }
        }
        let prev_holder = prev.governance.as_ref().map_or(prev.deployer, |g| g.holder);
        // Operators default to the governance holder.
        let same_operators = known_holder.is_some_and(|h| {
            h == prev_holder
                && opts.arbitrator.unwrap_or(h) == prev.arbitrator
                && opts.attester.unwrap_or(h) == prev.attester
                && (opts.price_feed.is_some() || Some(opts.feeder.unwrap_or(h)) == prev.feeder)
        });
        let same_config = prev.treasury == treasury
            && prev.sequencer_feed == sequencer_feed
            && same_operators
            && (opts.price_feed.is_none() || opts.price_feed == Some(prev.price_feed))
            && prev.deployer == me
            // Emissions fixes its epoch length at construction: another length needs new contracts.
            && prev
                .parameters
                .get("emissions")
                .and_then(|e| e.get("epochLength"))
                .and_then(|l| l.parse::<u64>().ok())
                == Some(epoch_length);
        if !same_config {
            chain.say("deployment options differ from the recorded deployment: redeploying");
            live.clear();
        }
    }
    let to_deploy = PROGRAMS.iter().any(|(name, _)| {
        let external = *name == "price_feed" && opts.price_feed.is_some();
        !external && !live.contains_key(*name)
    });
    if to_deploy && !chain.has_stylus_deployer().await? {
        bail!(
            "chain {chain_id} has no StylusDeployer at {STYLUS_DEPLOYER}, and deploying without it is unsafe: \
             the program would be created, activated and constructed in three separate transactions, and \
             anyone watching the chain could call the constructor between them and take the admin role \
             (and the token's genesis supply). Deploy on a chain that has the StylusDeployer (Arbitrum \
             One, Nova and Sepolia, the Nitro dev node and this project's devnet have it at that address), \
             or deploy it first (nitro-contracts src/stylus/StylusDeployer.sol, at the same address)"
        );
    }

    // The TimelockController, before anything that needs its address.
    let timelock = match (&governance, reused_timelock) {
        (_, Some(t)) => {
            chain.say(format!("timelock: live at {} (skipped)", t.address));
            Some(t)
        }
        (
            GovernanceOption::Timelock {
                delay,
                proposers,
                executors,
            },
            None,
        ) => Some(deploy_timelock(chain, *delay, proposers, executors).await?),
        _ => None,
    };
    let holder = known_holder
        .or(timelock.as_ref().map(|t| t.address))
        .ok_or_else(|| eyre!("no governance holder"))?;
    let operators = Operators {
        arbitrator: opts.arbitrator.unwrap_or(holder),
        feeder: opts.feeder.unwrap_or(holder),
        attester: opts.attester.unwrap_or(holder),
    };
    if holder != me {
        for (name, a) in [
            ("arbitrator", operators.arbitrator),
            ("feeder", operators.feeder),
            ("attester", operators.attester),
        ] {
            if a == me {
                bail!(
                    "--{name} is the deployer, which renounces all its roles when governance is handed over: \
                     choose another {name}"
                );
            }
        }
    }

    let mut wasm: Option<BTreeMap<String, Vec<u8>>> = None;
    let mut records: BTreeMap<String, ContractRecord> = BTreeMap::new();
    let mut redeployed = false;
    let mut deployed_now: Vec<&str> = Vec::new();
    let mut addr: BTreeMap<&str, Address> = BTreeMap::new();
    if let Some(feed) = opts.price_feed {
        addr.insert("price_feed", feed);
    }
    for (name, krate) in PROGRAMS {
        if name == "price_feed" && opts.price_feed.is_some() {
            continue;
        }
        if !redeployed {
            if let Some(rec) = live.get(name) {
                chain.say(format!("{name}: live at {} (skipped)", rec.address));
                addr.insert(name, rec.address);
                records.insert(name.to_string(), rec.clone());
                continue;
            }
        }
        redeployed = true;
        if wasm.is_none() {
            chain.progress.step(match &opts.wasm_dir {
                Some(d) => format!("loading the contracts' wasm from {}", d.display()),
                None => "building the contracts (scripts/build-wasm.sh)".to_string(),
            });
            let progress = &chain.progress;
            wasm = Some(crate::wasm::load_with(opts.wasm_dir.as_deref(), &|line| {
                progress.line(line)
            })?);
            chain.progress.finish();
        }
        let bytes = wasm.as_ref().and_then(|w| w.get(krate)).ok_or_else(|| {
            eyre!("no wasm for {krate} (is it in scripts/contracts.txt / --wasm-dir?)")
        })?;
        let a = |n: &str| addr.get(n).copied().unwrap_or_default();
        // The deployer is every contract's first admin: it grants the roles below, then hands
        // governance over.
        let args = match name {
            "price_feed" => (
                U256::from(FEED_DECIMALS),
                "CT / USD".to_string(),
                I256::try_from(FEED_INITIAL_ANSWER)?,
                me,
            )
                .abi_encode_params(),
            "token" => (
                "Compute Token".to_string(),
                "CT".to_string(),
                me,
                treasury,
                ct(GENESIS_SUPPLY_CT),
            )
                .abi_encode_params(),
            "emissions" => (a("token"), treasury, me, epoch_length).abi_encode_params(),
            "controller" => (
                a("token"),
                a("price_feed"),
                sequencer_feed,
                treasury,
                a("emissions"),
                me,
            )
                .abi_encode_params(),
            "registry" => (a("token"), a("emissions"), me).abi_encode_params(),
            "market" => (a("escrow"), a("registry"), me).abi_encode_params(),
            _ => (a("controller"), a("registry"), a("token"), me).abi_encode_params(),
        };
        chain.progress.step(format!(
            "deploying {name} ({krate}, {} bytes of wasm)",
            bytes.len()
        ));
        let rec = chain.deploy_program(name, bytes, args).await?;
        deployed_now.push(name);
        chain
            .progress
            .finish_with(&format!("{} (gas {})", rec.address, rec.gas_used));
        addr.insert(name, rec.address);
        records.insert(name.to_string(), rec);
    }
    let a = |n: &str| addr.get(n).copied().unwrap_or_default();

    // Roles: contracts and operators, and governance when the deployer keeps it.
    chain.progress.step("checking and granting the roles");
    let mut roles = Vec::new();
    for &(cname, rname, h) in ROLE_TABLE {
        let Some(&caddr) = addr.get(cname).filter(|_| records.contains_key(cname)) else {
            continue; // an external price feed
        };
        let account = match h {
            Holder::Governance => holder,
            Holder::Contract(other) => a(other),
            Holder::Operator(op) => operators.get(op)?,
        };
        let prev_tx = previous
            .as_ref()
            .filter(|_| !redeployed)
            .and_then(|p| {
                p.roles
                    .iter()
                    .find(|g| g.contract == cname && g.role == rname && g.account == account)
            })
            .and_then(|g| g.tx_hash);
        // Governance roles for another holder are granted by the handover, after the setup.
        let tx = if h == Holder::Governance && holder != me {
            None
        } else {
            grant(chain, cname, caddr, rname, account).await?
        };
        roles.push(RoleGrant {
            contract: cname.into(),
            role: rname.into(),
            account,
            tx_hash: tx.or(prev_tx),
        });
    }
    chain.progress.finish();

    // Emissions reads the fees that size its work pools from the controller: set once.
    let emissions = a("emissions");
    let em = IEmissions::new(emissions, chain.provider.clone());
    let wired = em
        .controller()
        .call()
        .await
        .map_err(|e| eyre!("emissions.controller: {}", explain(&e, &chain.rpc_url)))?;
    if wired.is_zero() {
        chain.progress.step("wiring emissions to the controller");
        let req = em.setController(a("controller")).into_transaction_request();
        chain
            .send(
                &format!("emissions.setController({})", a("controller")),
                req,
            )
            .await?;
        chain.progress.finish();
    }

    // A new Emissions gets the emission rate and reserve-draw cap of its epoch length (the
    // contract's defaults assume daily epochs). Emissions applies a change from the next epoch on
    // (docs/protocol.md "Parameters"), so epoch 0 keeps the defaults. A live Emissions keeps
    // whatever governance has set since.
    if deployed_now.contains(&"emissions") {
        let rate = emission_rate_for(epoch_length);
        let mut granted = false;
        for name in ["emissionRateWad", "drawCapWad"] {
            let current = em
                .parameter(param_name(name))
                .call()
                .await
                .map_err(|e| eyre!("emissions.parameter: {}", explain(&e, &chain.rpc_url)))?;
            if current == rate {
                continue;
            }
            chain
                .progress
                .step(format!("setting {name} for {epoch_length}-s epochs"));
            // Before a handover the deployer holds no parameter role yet: it takes it for these
            // calls and renounces it with the rest.
            if !granted {
                grant(chain, "emissions", emissions, "PARAMETER_ADMIN_ROLE", me).await?;
                granted = true;
            }
            let req = em
                .setParameter(param_name(name), rate)
                .into_transaction_request();
            chain
                .send(
                    &format!("emissions.setParameter({name}, {rate}) for {epoch_length}-s epochs"),
                    req,
                )
                .await?;
            chain.progress.finish();
        }
    }

    let gov_record = if holder == me {
        None
    } else {
        let contracts: Vec<(&str, Address, u64)> = PROGRAMS
            .iter()
            .filter_map(|(n, _)| records.get(*n).map(|r| (*n, r.address, r.block)))
            .collect();
        let renounced = hand_over(chain, &contracts, holder, &mut roles).await?;
        let mut renounced_all = prev_gov
            .filter(|_| !redeployed && renounced.is_empty())
            .map(|g| g.renounced)
            .unwrap_or_default();
        renounced_all.extend(renounced);
        Some(Governance {
            holder,
            timelock,
            renounced: renounced_all,
        })
    };

    let mut deployment = Deployment {
        chain_id,
        deployer: me,
        price_feed: a("price_feed"),
        manual_price_feed: opts.price_feed.is_none(),
        sequencer_feed,
        treasury,
        arbitrator: operators.arbitrator,
        attester: operators.attester,
        feeder: opts.price_feed.is_none().then_some(operators.feeder),
        token: a("token"),
        emissions: a("emissions"),
        controller: a("controller"),
        registry: a("registry"),
        escrow: a("escrow"),
        market: a("market"),
        block: chain.provider.get_block_number().await?,
        contracts: records,
        roles,
        parameters: BTreeMap::new(),
        used_stylus_deployer: true,
        governance: gov_record,
    };
    if let Some(prev) = &previous {
        if chain.sent.is_empty() {
            deployment.block = prev.block;
        }
    }
    chain
        .progress
        .step("verifying roles, wiring and parameters on chain");
    deployment.parameters = verify(chain, &deployment, epoch_length).await?;
    chain.progress.finish();
    let path = deployment.save(&dir)?;
    chain.say(format!(
        "{} ({} transaction(s) sent); written to {}",
        if chain.sent.is_empty() {
            "deployment verified, nothing to do"
        } else {
            "deployment complete and verified"
        },
        chain.sent.len(),
        path.display()
    ));
    Ok(deployment)
}

/// The governance `opts` asks for on `chain_id`, checked.
///
/// # Errors
/// No governance option on a chain other than the dev chain (412346): the deployer's key would
/// keep every admin role there; `--admin` equal to the deployer or zero; a timelock without
/// proposers.
pub fn resolve_governance(
    opts: &DeployOptions,
    chain_id: u64,
    me: Address,
) -> eyre::Result<GovernanceOption> {
    let g = match &opts.governance {
        Some(g) => g.clone(),
        None if chain_id == DEV_CHAIN_ID => GovernanceOption::Deployer,
        None => bail!(
            "chain {chain_id} is not the dev chain: say who governs the contracts. --admin ADDR (e.g. a \
             multisig) or --timelock-delay SECONDS --proposer ADDR takes every admin, parameter and pause \
             role, and the deployer key renounces its own; --keep-deployer-admin keeps them with the \
             deployer key (anyone holding it could then grant itself MINTER_ROLE)"
        ),
    };
    match &g {
        GovernanceOption::Admin(a) if a.is_zero() => bail!("--admin is the zero address"),
        GovernanceOption::Admin(a) if *a == me => bail!(
            "--admin is the deployer itself: leave --admin out (and pass --keep-deployer-admin off the \
             dev chain) to keep the roles with the deployer"
        ),
        GovernanceOption::Timelock { proposers, .. } if proposers.is_empty() => {
            bail!("--timelock-delay needs at least one --proposer (who may schedule operations)")
        }
        GovernanceOption::Timelock {
            proposers,
            executors,
            ..
        } if proposers.iter().chain(executors).any(|p| *p == me) => bail!(
            "the deployer cannot be a timelock proposer or executor: it renounces its roles after the \
             handover; use another key"
        ),
        _ => {}
    }
    Ok(g)
}

async fn has_role(
    chain: &Chain,
    cname: &str,
    caddr: Address,
    rname: &str,
    account: Address,
) -> eyre::Result<bool> {
    IComputeToken::new(caddr, &chain.provider)
        .hasRole(role_id(rname), account)
        .call()
        .await
        .map_err(|e| eyre!("{cname}.hasRole: {}", explain(&e, &chain.rpc_url)))
}

/// Grants `rname` on `cname` to `account` unless it holds it; the grant transaction, if one was sent.
///
/// # Errors
/// The deployer is no longer admin of the contract (governance must grant it), or the grant fails.
async fn grant(
    chain: &mut Chain,
    cname: &str,
    caddr: Address,
    rname: &str,
    account: Address,
) -> eyre::Result<Option<B256>> {
    if has_role(chain, cname, caddr, rname, account).await? {
        return Ok(None);
    }
    let me = chain.from;
    if !has_role(chain, cname, caddr, "DEFAULT_ADMIN_ROLE", me).await? {
        bail!(
            "{cname}: {account} lacks {rname}, and the deployer {me} is no longer its admin: grant it through \
             the contract's governance (see `compute-market status`)"
        );
    }
    let req = IComputeToken::new(caddr, &chain.provider)
        .grantRole(role_id(rname), account)
        .into_transaction_request();
    let r = chain
        .send(&format!("{cname}.grantRole({rname}, {account})"), req)
        .await?;
    Ok(Some(r.transaction_hash))
}

/// Deploys OpenZeppelin's TimelockController ([`crate::governance::compile_timelock`]) with
/// `delay`, `proposers` (also cancellers), `executors` and no admin (it administers itself).
///
/// # Errors
/// The compile or the creation transaction fails, or `getMinDelay()` reads back otherwise.
async fn deploy_timelock(
    chain: &mut Chain,
    delay: u64,
    proposers: &[Address],
    executors: &[Address],
) -> eyre::Result<TimelockRecord> {
    chain
        .progress
        .step("compiling OpenZeppelin's TimelockController (solc-js)");
    let artifact = compile_timelock(&crate::wasm::repo_root())?;
    chain.progress.finish_with(&artifact.compiler);
    chain.progress.step(format!(
        "deploying the TimelockController (delay {delay} s)"
    ));
    let mut code = artifact.bytecode.to_vec();
    code.extend(timelock_constructor_args(delay, proposers, executors));
    let r = chain
        .send(
            "deploy TimelockController",
            TransactionRequest::default().with_deploy_code(code),
        )
        .await?;
    let address = r
        .contract_address
        .ok_or_else(|| eyre!("TimelockController: no contract address in the receipt"))?;
    let t = TimelockController::new(address, &chain.provider);
    let min = t.getMinDelay().call().await?;
    if min != U256::from(delay) {
        bail!("TimelockController at {address}: getMinDelay() is {min}, expected {delay}");
    }
    chain
        .progress
        .finish_with(&format!("{address} (gas {})", r.gas_used));
    Ok(TimelockRecord {
        address,
        code_hash: keccak256(chain.provider.get_code_at(address).await?),
        tx_hash: r.transaction_hash,
        min_delay: delay,
        proposers: proposers.to_vec(),
        executors: executors.to_vec(),
        compiler: artifact.compiler,
    })
}

/// Hands every [`Holder::Governance`] role of `contracts` (name, address, deployment block) to
/// `holder`, then renounces every role
/// the deployer holds on them (replayed from the logs, [`role_holders`]).
///
/// Grants first, each checked with `hasRole`; renunciations last, per contract, with
/// `DEFAULT_ADMIN_ROLE` after the contract's other roles and only once `holder` is confirmed as
/// its admin, so no contract is ever without an admin. Sets the grant transactions in `roles`.
/// Returns the renunciations `(contract, role, tx)`.
///
/// # Errors
/// A failed transaction, or `holder` lacking a role after its grant.
async fn hand_over(
    chain: &mut Chain,
    contracts: &[(&str, Address, u64)],
    holder: Address,
    roles: &mut [RoleGrant],
) -> eyre::Result<Vec<(String, String, B256)>> {
    let me = chain.from;
    chain
        .progress
        .step(format!("handing governance to {holder}"));
    for &(cname, rname, h) in ROLE_TABLE {
        let Some(&(_, caddr, _)) = contracts.iter().find(|(n, _, _)| *n == cname) else {
            continue;
        };
        if h != Holder::Governance {
            continue;
        }
        if let Some(tx) = grant(chain, cname, caddr, rname, holder).await? {
            if let Some(g) = roles
                .iter_mut()
                .find(|g| g.contract == cname && g.role == rname && g.account == holder)
            {
                g.tx_hash = Some(tx);
            }
        }
        if !has_role(chain, cname, caddr, rname, holder).await? {
            bail!("{cname}: {holder} lacks {rname} after its grant");
        }
    }
    chain.progress.finish();
    chain
        .progress
        .step("renouncing the deployer's roles (DEFAULT_ADMIN_ROLE last)");
    let mut renounced = Vec::new();
    for &(cname, caddr, block) in contracts {
        let holders = role_holders(&chain.provider, caddr, block).await?;
        let mut mine: Vec<B256> = holders
            .iter()
            .filter(|(_, accounts)| accounts.contains(&me))
            .map(|(r, _)| *r)
            .collect();
        // DEFAULT_ADMIN_ROLE (zero) sorts first: move it last.
        mine.sort_by_key(|r| r.is_zero());
        for r in mine {
            let rname = role_name(r);
            if r.is_zero() && !has_role(chain, cname, caddr, "DEFAULT_ADMIN_ROLE", holder).await? {
                bail!("{cname}: {holder} is not admin yet; not renouncing the deployer's DEFAULT_ADMIN_ROLE");
            }
            let req = IComputeToken::new(caddr, &chain.provider)
                .renounceRole(r, me)
                .into_transaction_request();
            let rc = chain
                .send(&format!("{cname}.renounceRole({rname})"), req)
                .await?;
            renounced.push((cname.to_string(), rname, rc.transaction_hash));
        }
    }
    chain.progress.finish();
    Ok(renounced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_file_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let rec = ContractRecord {
            address: Address::repeat_byte(1),
            code_hash: B256::repeat_byte(2),
            code_size: 100,
            tx_hashes: vec![B256::repeat_byte(3)],
            gas_used: 21_000,
            block: 7,
            data_fee: U256::from(5),
        };
        let d = Deployment {
            chain_id: 412_346,
            deployer: Address::repeat_byte(9),
            price_feed: Address::repeat_byte(4),
            manual_price_feed: true,
            sequencer_feed: Address::ZERO,
            treasury: Address::repeat_byte(9),
            arbitrator: Address::repeat_byte(9),
            feeder: Some(Address::repeat_byte(9)),
            attester: Address::repeat_byte(9),
            token: Address::repeat_byte(5),
            emissions: Address::repeat_byte(6),
            controller: Address::repeat_byte(7),
            registry: Address::repeat_byte(8),
            escrow: Address::repeat_byte(10),
            market: Address::repeat_byte(11),
            block: 12,
            contracts: BTreeMap::from([("token".to_string(), rec.clone())]),
            roles: vec![RoleGrant {
                contract: "token".into(),
                role: "MINTER_ROLE".into(),
                account: Address::repeat_byte(7),
                tx_hash: None,
            }],
            parameters: BTreeMap::from([(
                "escrow".to_string(),
                BTreeMap::from([("feeBps".to_string(), "250".to_string())]),
            )]),
            used_stylus_deployer: true,
            governance: None,
        };
        let p = d.save(dir.path()).unwrap();
        assert!(p.ends_with("412346.json"));
        let back = Deployment::load(dir.path(), 412_346).unwrap().unwrap();
        assert_eq!(back.contracts["token"], rec);
        assert_eq!(back.token, d.token);
        assert_eq!(back.roles, d.roles);
        assert_eq!(back.parameters, d.parameters);
        assert!(Deployment::load(dir.path(), 1).unwrap().is_none());
    }

    #[test]
    fn names() {
        assert_eq!(&param_name("feeBps")[..6], b"feeBps");
    }

    #[test]
    fn emission_rate_keeps_the_four_year_half_life() {
        // The contract's default for daily epochs, exactly.
        assert_eq!(
            emission_rate_for(86_400),
            U256::from(474_645_000_000_000u64)
        );
        // The formula, checked against 50-digit decimal arithmetic: 1 − 2^(−86,401/126,144,000)
        // = 4.74651155219…e−4; hourly 1 − 2^(−1/35,040) = 1.97814019642…e−5.
        assert_eq!(
            emission_rate_for(86_401),
            U256::from(474_651_155_000_000u64)
        );
        assert_eq!(emission_rate_for(3_600), U256::from(19_781_401_000_000u64));
        // 24 hourly epochs emit (1 − r_h)^24 ≈ the same share as one daily epoch.
        let r_h = emission_rate_for(3_600).to::<u128>() as f64 / 1e18;
        let day = 1.0 - (1.0 - r_h).powi(24);
        assert!((day * 1e18 - 474_645_000_000_000.0).abs() < 1e9, "{day}");
        // Capped at the contract's bound from about 21 days on.
        assert_eq!(
            emission_rate_for(30 * 86_400),
            U256::from(MAX_EMISSION_RATE_WAD)
        );
        assert!(emission_rate_for(20 * 86_400) < U256::from(MAX_EMISSION_RATE_WAD));
        assert_eq!(role("MINTER_ROLE"), keccak256(b"MINTER_ROLE"));
    }
}
