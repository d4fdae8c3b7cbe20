//! Harness of the compute-market end-to-end tests (`tests/e2e/`).
//!
//! One in-process dev chain ([`devnet`]) and one deployment of the whole system per test binary:
//! [`Env::get`] starts the node on port 0 in a runtime of its own (so it outlives every test's
//! runtime), builds the Stylus contracts for wasm32 (`scripts/build-wasm.sh`, or the prebuilt wasm in
//! `$COMPUTE_MARKET_WASM_DIR`), deploys and wires them with the project's own deploy
//! (`compute_market_scripts::deploy::deploy`, what `compute-market deploy` runs), and takes an
//! `evm_snapshot`. Each test then
//! holds a global lock, reverts the chain to that snapshot and re-snapshots, so tests are isolated
//! and run one at a time against the same deployment.
//!
//! Deployment (docs/protocol.md §11, ABI v2): ManualPriceFeed → ComputeToken → Emissions →
//! BmeController → ProviderRegistry → JobEscrow → JobMarket, each Stylus program deployed, activated
//! and constructed in one transaction through the StylusDeployer; then token `MINTER_ROLE` →
//! controller and Emissions, `Emissions.setController(controller)`, Emissions `SETTLER_ROLE` →
//! controller and `STAKE_REPORTER_ROLE` → registry, controller `ESCROW_ROLE` → escrow, registry
//! `JOB_MANAGER_ROLE` and `SLASHER_ROLE` → escrow, escrow `ARBITRATOR_ROLE` → the arbitrator account
//! and `MARKET_ROLE` → JobMarket, JobMarket `ATTESTER_ROLE` → the admin (the governance holder).
#![allow(missing_docs)] // `sol!` generates undocumented items

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use alloy::contract::{CallBuilder, CallDecoder};
use alloy::network::EthereumWallet;
use alloy::primitives::{keccak256, Address, B256, I256, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::{TransactionReceipt, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::sol;
use alloy::sol_types::SolEvent;
use eyre::{bail, eyre, Context as _, Result};
use tokio::sync::{Mutex, MutexGuard};

/// Contract bindings generated from the JSON ABIs in `abi/` (what `solc --abi` emits).
/// The contracts' typed bindings: the deploy CLI's (`compute_market_scripts::bindings`).
pub use compute_market_scripts::bindings;

use bindings::*;

/// Gas limit of every test transaction (below Arbitrum's 32M per-transaction cap).
pub const TX_GAS: u64 = 20_000_000;

pub use compute_market_scripts::units::{role, CT, USD};
/// The token's hard cap (docs/protocol.md §5).
pub fn max_supply() -> U256 {
    U256::from(1_000_000_000u64) * CT
}
/// Genesis supply, minted to the treasury (the scripts' deployment: 650M, leaving 350M for the
/// emission reserve).
pub fn genesis_supply() -> U256 {
    U256::from(650_000_000u64) * CT
}
/// The feed's answer: 2 USD per CT with 8 decimals.
pub const PRICE_ANSWER: i64 = 200_000_000;
/// The price the controller reports for [`PRICE_ANSWER`], USD per CT in wad.
pub fn price_wad() -> U256 {
    U256::from(2u64) * CT
}
/// Epoch length used by the deployment (the default: one day).
pub const EPOCH_LENGTH: u64 = 86_400;

/// The ASCII `bytes32` parameter name (`common::params::name`).
pub use compute_market_scripts::units::b32 as param;

/// Addresses of a deployed system.
#[derive(Debug, Clone, Copy)]
pub struct Addresses {
    pub price_feed: Address,
    pub token: Address,
    pub emissions: Address,
    pub controller: Address,
    pub registry: Address,
    pub escrow: Address,
    /// JobMarket (reverse auctions and attestations).
    pub market: Address,
}

/// The named dev accounts used by the tests (all prefunded with ETH on the dev chain).
#[derive(Debug, Clone, Copy)]
pub struct Accounts {
    /// Deployer, admin (and pauser, parameter admin) of every contract, feeder of the price feed,
    /// attester of the JobMarket.
    pub admin: Address,
    /// Holds `ARBITRATOR_ROLE` on the escrow.
    pub arbitrator: Address,
    /// Receives the genesis supply and the treasury share of fees and emissions; [`Env::fund`]
    /// pays from it.
    pub treasury: Address,
    /// Buyers / requesters.
    pub alice: Address,
    pub bob: Address,
    /// Providers.
    pub p1: Address,
    pub p2: Address,
    pub p3: Address,
    /// Someone with no role.
    pub eve: Address,
}

impl Accounts {
    /// Every account the tests touch.
    pub fn all(&self) -> [Address; 9] {
        [
            self.admin,
            self.arbitrator,
            self.treasury,
            self.alice,
            self.bob,
            self.p1,
            self.p2,
            self.p3,
            self.eve,
        ]
    }
}

/// What the node thread hands back.
struct Shared {
    url: String,
    signers: Vec<PrivateKeySigner>,
    addrs: Addresses,
    accounts: Accounts,
    chain_id: u64,
    deploy_block: u64,
}

static SHARED: OnceLock<std::result::Result<Shared, String>> = OnceLock::new();
/// Serialises the tests (they share one chain) and holds the current clean-state snapshot id.
static LOCK: Mutex<Option<U256>> = Mutex::const_new(None);

/// The per-test environment: a provider with every dev key, the bindings, the accounts. Holding it
/// holds the global test lock.
pub struct Env {
    pub provider: DynProvider,
    pub url: String,
    pub addrs: Addresses,
    pub acc: Accounts,
    pub chain_id: u64,
    pub deploy_block: u64,
    signers: Vec<PrivateKeySigner>,
    _guard: MutexGuard<'static, Option<U256>>,
}

fn start_node() -> std::result::Result<Shared, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("devnet".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = tx.send(Err(e.to_string()));
                    return;
                }
            };
            rt.block_on(async move {
                let node = match devnet::spawn(devnet::NodeConfig::test()).await {
                    Ok(n) => n,
                    Err(e) => {
                        let _ = tx.send(Err(format!("devnet::spawn: {e}")));
                        return;
                    }
                };
                let url = node.url();
                let signers = node.dev_signers().to_vec();
                let started = std::time::Instant::now();
                let res = deploy_system(&url, &signers)
                    .await
                    .map(|(addrs, accounts, chain_id, deploy_block)| Shared {
                        url,
                        signers,
                        addrs,
                        accounts,
                        chain_id,
                        deploy_block,
                    })
                    .map_err(|e| format!("{e:?}"));
                eprintln!(
                    "e2e: wasm build + deployment took {:.1?}",
                    started.elapsed()
                );
                let _ = tx.send(res);
                // Keep the node alive for the whole test binary.
                std::future::pending::<()>().await;
                drop(node);
            });
        })
        .map_err(|e| e.to_string())?;
    rx.recv().map_err(|e| e.to_string())?
}

/// An HTTP provider that signs for every dev account.
pub fn make_provider(url: &str, signers: &[PrivateKeySigner]) -> Result<DynProvider> {
    let mut wallet = EthereumWallet::from(signers[0].clone());
    for s in &signers[1..] {
        wallet.register_signer(s.clone());
    }
    let url = url.parse().wrap_err("node url")?;
    // Simple nonce management (ask the node every time): a cached nonce would be consumed by a
    // call whose gas estimation reverts, leaving a gap that stalls every later transaction.
    Ok(ProviderBuilder::default()
        .with_gas_estimation()
        .with_simple_nonce_management()
        .fetch_chain_id()
        .wallet(wallet)
        .connect_http(url)
        .erased())
}

impl Env {
    /// The shared deployment, reverted to its clean state, for one test.
    pub async fn get() -> Env {
        let shared = SHARED.get_or_init(start_node);
        let shared = match shared {
            Ok(s) => s,
            Err(e) => panic!("e2e setup failed: {e}"),
        };
        let mut guard = LOCK.lock().await;
        let provider = make_provider(&shared.url, &shared.signers).expect("provider");
        if let Some(id) = guard.take() {
            let ok: bool = provider
                .raw_request("evm_revert".into(), (id,))
                .await
                .expect("evm_revert");
            assert!(ok, "evm_revert({id}) failed");
        }
        let id: U256 = provider
            .raw_request("evm_snapshot".into(), ())
            .await
            .expect("evm_snapshot");
        *guard = Some(id);
        let env = Env {
            provider,
            url: shared.url.clone(),
            addrs: shared.addrs,
            acc: shared.accounts,
            chain_id: shared.chain_id,
            deploy_block: shared.deploy_block,
            signers: shared.signers.clone(),
            _guard: guard,
        };
        // The clock never goes back on a revert: keep the oracle fresh for every test.
        env.refresh_price().await.expect("refresh price");
        env
    }

    /// The key of dev account `who`.
    pub fn signer(&self, who: Address) -> PrivateKeySigner {
        self.signers
            .iter()
            .find(|s| s.address() == who)
            .cloned()
            .expect("a dev account")
    }

    pub fn token(&self) -> IComputeToken::IComputeTokenInstance<DynProvider> {
        IComputeToken::new(self.addrs.token, self.provider.clone())
    }
    pub fn feed(&self) -> IManualPriceFeed::IManualPriceFeedInstance<DynProvider> {
        IManualPriceFeed::new(self.addrs.price_feed, self.provider.clone())
    }
    pub fn emissions(&self) -> IEmissions::IEmissionsInstance<DynProvider> {
        IEmissions::new(self.addrs.emissions, self.provider.clone())
    }
    pub fn controller(&self) -> IBmeController::IBmeControllerInstance<DynProvider> {
        IBmeController::new(self.addrs.controller, self.provider.clone())
    }
    pub fn registry(&self) -> IProviderRegistry::IProviderRegistryInstance<DynProvider> {
        IProviderRegistry::new(self.addrs.registry, self.provider.clone())
    }
    pub fn escrow(&self) -> IJobEscrow::IJobEscrowInstance<DynProvider> {
        IJobEscrow::new(self.addrs.escrow, self.provider.clone())
    }
    /// The JobMarket (named so as not to clash with [`Env::market`], the small test market).
    pub fn job_market(&self) -> IJobMarket::IJobMarketInstance<DynProvider> {
        IJobMarket::new(self.addrs.market, self.provider.clone())
    }

    /// Re-posts the feed's answer so the controller's `maxPriceAge` check passes after time travel.
    pub async fn refresh_price(&self) -> Result<()> {
        send(
            self.feed()
                .updateAnswer(I256::try_from(PRICE_ANSWER)?)
                .from(self.acc.admin),
        )
        .await?;
        Ok(())
    }

    /// `evm_increaseTime(secs)` + `evm_mine`, then refreshes the price.
    pub async fn warp(&self, secs: u64) -> Result<()> {
        self.warp_stale(secs).await?;
        self.refresh_price().await
    }

    /// `evm_increaseTime(secs)` + `evm_mine` without touching the feed: past `maxPriceAge` (600 s)
    /// the controller's price is stale.
    pub async fn warp_stale(&self, secs: u64) -> Result<()> {
        let _: i64 = self
            .provider
            .raw_request("evm_increaseTime".into(), (U256::from(secs),))
            .await?;
        let _: String = self.provider.raw_request("evm_mine".into(), ()).await?;
        Ok(())
    }

    /// The latest block's timestamp.
    pub async fn now(&self) -> Result<u64> {
        let b = self
            .provider
            .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
            .await?
            .ok_or_else(|| eyre!("no latest block"))?;
        Ok(b.header.timestamp)
    }

    /// Transfers `amount` CT from the treasury (the genesis holder) to `to`.
    pub async fn fund(&self, to: Address, amount: U256) -> Result<TransactionReceipt> {
        Ok(send(self.token().transfer(to, amount).from(self.acc.treasury)).await?)
    }

    /// Funds `who` with `tokens` CT, approves the controller and buys credits for itself.
    pub async fn buy_credits(&self, who: Address, tokens: U256) -> Result<U256> {
        self.fund(who, tokens).await?;
        self.buy_credits_from_balance(who, tokens).await
    }

    /// `who` approves the controller for `tokens` CT it already holds and buys credits for itself;
    /// returns the credits bought.
    pub async fn buy_credits_from_balance(&self, who: Address, tokens: U256) -> Result<U256> {
        send(
            self.token()
                .approve(self.addrs.controller, tokens)
                .from(who),
        )
        .await?;
        let before = self.controller().creditBalanceOf(who).call().await?;
        send(
            self.controller()
                .buyCredits(tokens, U256::ZERO, who)
                .from(who),
        )
        .await?;
        Ok(self.controller().creditBalanceOf(who).call().await? - before)
    }

    /// Registers `who` with `gpus` GPUs and stakes `stake` CT (funded from the admin).
    pub async fn register_provider(&self, who: Address, gpus: u32, stake: U256) -> Result<()> {
        let reg = self.registry();
        send(
            reg.register(
                param("H100"),
                gpus,
                80,
                param("eu-west"),
                format!("ipfs://provider/{who}"),
            )
            .from(who),
        )
        .await?;
        self.fund(who, stake).await?;
        send(self.token().approve(self.addrs.registry, stake).from(who)).await?;
        send(reg.stake(stake).from(who)).await?;
        Ok(())
    }

    /// Creates a job for `requester` (any provider), returns its id and maxCost.
    pub async fn create_job(
        &self,
        requester: Address,
        provider: Address,
        gpus: u32,
        max_duration: u64,
        price_per_gpu_hour: U256,
    ) -> Result<(U256, U256)> {
        let rc = send(
            self.escrow()
                .createJob(
                    provider,
                    keccak256(b"spec"),
                    gpus,
                    max_duration,
                    price_per_gpu_hour,
                )
                .from(requester),
        )
        .await?;
        let ev = event::<IJobEscrow::JobCreated>(&rc)?;
        Ok((ev.jobId, ev.maxCost))
    }

    /// The job tuple of `id`.
    pub async fn job(&self, id: U256) -> Result<Job> {
        let j = self.escrow().job(id).call().await?;
        // ABI v2: the stake lock lives in the registry, per (provider, job).
        let stake_locked = if j.provider.is_zero() {
            U256::ZERO
        } else {
            self.registry().jobLock(j.provider, id).call().await?.amount
        };
        Ok(Job {
            state: j.state,
            requester: j.requester,
            provider: j.provider,
            max_cost: j.maxCost,
            cost: j.cost,
            stake_locked,
            bond: j.bond,
            until: j.until,
        })
    }
}

/// The parts of `IJobEscrow.job(id)` the tests use.
#[derive(Debug, Clone, Copy)]
pub struct Job {
    pub state: u8,
    pub requester: Address,
    pub provider: Address,
    pub max_cost: U256,
    pub cost: U256,
    /// `registry.jobLock(provider, id).amount` (0 once released or slashed).
    pub stake_locked: U256,
    pub bond: U256,
    pub until: u64,
}

/// Job states (`IJobEscrow.job(id).state`).
pub mod state {
    pub const OPEN: u8 = 1;
    pub const RUNNING: u8 = 2;
    pub const SUBMITTED: u8 = 3;
    pub const COMPLETED: u8 = 4;
    pub const CANCELLED: u8 = 5;
    pub const DISPUTED: u8 = 6;
    pub const REFUNDED: u8 = 7;
    pub const EXPIRED: u8 = 8;
}

/// Sends a contract call and returns its receipt, failing if it reverted. The call is simulated
/// first, so a reverting call fails here with the revert data (decode it with
/// `alloy::contract::Error::as_decoded_error`).
pub async fn send<P: Provider, D: CallDecoder>(
    call: CallBuilder<P, D>,
) -> std::result::Result<TransactionReceipt, alloy::contract::Error> {
    // One `eth_call` instead of `eth_estimateGas`'s binary search (each run of a Stylus program is
    // interpreted by the dev chain, so this halves a test's time or better): it surfaces the revert
    // data just the same, then the transaction goes out with a fixed gas limit.
    call.call_raw().await?;
    let pending = call.gas(TX_GAS).send().await?;
    let hash = *pending.tx_hash();
    wait_receipt(pending.provider(), hash).await.map_err(|e| {
        alloy::contract::Error::TransportError(alloy::transports::TransportErrorKind::custom_str(
            &e.to_string(),
        ))
    })
}

async fn wait_receipt(provider: &impl Provider, hash: B256) -> Result<TransactionReceipt> {
    for _ in 0..2_000 {
        if let Some(r) = provider.get_transaction_receipt(hash).await? {
            if !r.status() {
                bail!("transaction {hash} reverted");
            }
            return Ok(r);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    bail!("no receipt for {hash}")
}

/// The only `E` event in `rc` (fails if there is not exactly one).
pub fn event<E: SolEvent>(rc: &TransactionReceipt) -> Result<E> {
    let mut all = events::<E>(rc);
    match all.len() {
        1 => Ok(all.remove(0).1),
        n => bail!("expected one {} event, found {n}", E::SIGNATURE),
    }
}

/// Every `E` event in `rc`, with the emitting address.
pub fn events<E: SolEvent>(rc: &TransactionReceipt) -> Vec<(Address, E)> {
    rc.inner
        .logs()
        .iter()
        .filter(|l| l.topic0() == Some(&E::SIGNATURE_HASH))
        .filter_map(|l| E::decode_log(&l.inner).ok().map(|d| (l.address(), d.data)))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Deployment
// ---------------------------------------------------------------------------------------------

/// The workspace root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The wasm of every contract: `$COMPUTE_MARKET_WASM_DIR/<crate>.wasm` when set, else built by
/// `scripts/build-wasm.sh` (a no-op when up to date) into `target/stylus`.
pub fn wasm_files() -> Result<BTreeMap<String, PathBuf>> {
    const CRATES: [&str; 7] = [
        "price_feed",
        "compute_token",
        "emissions",
        "bme_controller",
        "provider_registry",
        "job_escrow",
        "job_market",
    ];
    let dir = if let Ok(dir) = std::env::var("COMPUTE_MARKET_WASM_DIR") {
        PathBuf::from(dir)
    } else {
        let root = repo_root();
        let out = std::process::Command::new("bash")
            .arg(root.join("scripts/build-wasm.sh"))
            .current_dir(&root)
            // Build into <repo>/target/stylus whatever the outer build's target dir is.
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .output()
            .wrap_err("running scripts/build-wasm.sh")?;
        if !out.status.success() {
            bail!(
                "scripts/build-wasm.sh failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let first = stdout
            .lines()
            .next()
            .ok_or_else(|| eyre!("build-wasm.sh printed nothing"))?;
        Path::new(first)
            .parent()
            .ok_or_else(|| eyre!("bad wasm path {first}"))?
            .to_path_buf()
    };
    let mut map = BTreeMap::new();
    for c in CRATES {
        let p = dir.join(format!("{c}.wasm"));
        if !p.exists() {
            bail!("missing {}", p.display());
        }
        map.insert(c.to_string(), p);
    }
    Ok(map)
}

async fn deploy_system(
    url: &str,
    signers: &[PrivateKeySigner],
) -> Result<(Addresses, Accounts, u64, u64)> {
    let provider = make_provider(url, signers)?;
    let a: Vec<Address> = signers.iter().map(|s| s.address()).collect();
    if a.len() < 9 {
        bail!("need 9 dev accounts, have {}", a.len());
    }
    let acc = Accounts {
        admin: a[0],
        arbitrator: a[1],
        treasury: a[2],
        alice: a[3],
        bob: a[4],
        p1: a[5],
        p2: a[6],
        p3: a[7],
        eve: a[8],
    };
    let wasm = tokio::task::spawn_blocking(wasm_files).await??;
    let addrs = deploy_with_scripts(url, &signers[0], &acc, &wasm).await?;
    // The tests use the per-account ETH; make sure every account has plenty.
    for who in acc.all() {
        let _: () = provider
            .raw_request("anvil_setBalance".into(), (who, U256::from(1_000u64) * CT))
            .await?;
    }
    let chain_id = provider.get_chain_id().await?;
    let block = provider.get_block_number().await?;
    Ok((addrs, acc, chain_id, block))
}

/// The project's own deployment (`compute_market_scripts::deploy`, what `compute-market deploy`
/// runs): treasury and arbitrator are dev accounts, daily epochs, the wasm built above, the
/// `deployments/<chainId>.json` record in a temporary directory.
async fn deploy_with_scripts(
    url: &str,
    admin: &PrivateKeySigner,
    acc: &Accounts,
    wasm: &BTreeMap<String, PathBuf>,
) -> Result<Addresses> {
    let wasm_dir = wasm["compute_token"]
        .parent()
        .ok_or_else(|| eyre!("wasm dir"))?
        .to_path_buf();
    let deployments_dir =
        std::env::temp_dir().join(format!("compute-market-e2e-{}", std::process::id()));
    let opts = compute_market_scripts::deploy::DeployOptions {
        treasury: Some(acc.treasury),
        arbitrator: Some(acc.arbitrator),
        wasm_dir: Some(wasm_dir),
        deployments_dir: Some(deployments_dir.clone()),
        epoch_length: Some(EPOCH_LENGTH),
        quiet: true,
        ..Default::default()
    };
    let d = compute_market_scripts::deploy::deploy(url, admin.clone(), &opts)
        .await
        .wrap_err("compute_market_scripts::deploy")?;
    let _ = std::fs::remove_dir_all(&deployments_dir);
    if d.deployer != acc.admin || d.treasury != acc.treasury || d.arbitrator != acc.arbitrator {
        bail!("unexpected deployment accounts: {d:?}");
    }
    Ok(Addresses {
        price_feed: d.price_feed,
        token: d.token,
        emissions: d.emissions,
        controller: d.controller,
        registry: d.registry,
        escrow: d.escrow,
        market: d.market,
    })
}

/// Sends a raw transaction request (e.g. a contract creation) and waits for its receipt.
pub async fn send_tx(provider: &DynProvider, tx: TransactionRequest) -> Result<TransactionReceipt> {
    let pending = provider.send_transaction(tx).await?;
    let hash = *pending.tx_hash();
    wait_receipt(provider, hash).await
}

// ---------------------------------------------------------------------------------------------
// Reverts, signatures, impersonation
// ---------------------------------------------------------------------------------------------

/// Asserts that `r` failed with the custom error `expected` (decoded from the revert data, args
/// included).
#[track_caller]
pub fn assert_revert<T: std::fmt::Debug, E>(
    r: std::result::Result<T, alloy::contract::Error>,
    expected: E,
) where
    E: alloy::sol_types::SolError + PartialEq + std::fmt::Debug,
{
    let err = match r {
        Ok(v) => panic!("expected revert {}, got Ok({v:?})", E::SIGNATURE),
        Err(e) => e,
    };
    let got = err
        .as_decoded_error::<E>()
        .unwrap_or_else(|| panic!("expected revert {}, got {err:?}", E::SIGNATURE));
    assert_eq!(got, expected);
}

/// Asserts that `r` failed with the shared `CallFailed(target, data)` (a contract's call to
/// `target` reverted with `data`) and that `data` is the custom error `inner`, args included.
#[track_caller]
pub fn assert_call_failed<T: std::fmt::Debug, E>(
    r: std::result::Result<T, alloy::contract::Error>,
    target: Address,
    inner: E,
) where
    E: alloy::sol_types::SolError + PartialEq + std::fmt::Debug,
{
    let err = match r {
        Ok(v) => panic!(
            "expected CallFailed({target}, {}), got Ok({v:?})",
            E::SIGNATURE
        ),
        Err(e) => e,
    };
    // `CallFailed(address,bytes)` is the same error (same selector) in every contract.
    let wrapped = err
        .as_decoded_error::<IJobEscrow::CallFailed>()
        .unwrap_or_else(|| {
            panic!(
                "expected CallFailed({target}, {}), got {err:?}",
                E::SIGNATURE
            )
        });
    assert_eq!(wrapped._0, target, "CallFailed target");
    let got = E::abi_decode(&wrapped._1).unwrap_or_else(|e| {
        panic!(
            "CallFailed({target}, {}) does not hold {}: {e}",
            wrapped._1,
            E::SIGNATURE
        )
    });
    assert_eq!(got, inner);
}

sol! {
    /// EIP-2612 `Permit` (the token's EIP-712 primary type).
    struct Permit {
        address owner;
        address spender;
        uint256 value;
        uint256 nonce;
        uint256 deadline;
    }
}

/// An EIP-2612 signature `(v, r, s)`.
#[derive(Debug, Clone, Copy)]
pub struct Sig {
    pub v: u8,
    pub r: B256,
    pub s: B256,
}

impl Env {
    /// The token's EIP-712 domain (name, version "1", this chain, the token).
    pub fn permit_domain(&self) -> alloy::sol_types::Eip712Domain {
        alloy::sol_types::eip712_domain! {
            name: "Compute Token",
            version: "1",
            chain_id: self.chain_id,
            verifying_contract: self.addrs.token,
        }
    }

    /// Signs a permit with `signer`'s key (the nonce is read from the chain).
    pub async fn sign_permit_with(
        &self,
        signer: &PrivateKeySigner,
        owner: Address,
        spender: Address,
        value: U256,
        deadline: U256,
    ) -> Result<Sig> {
        use alloy::signers::SignerSync;
        use alloy::sol_types::SolStruct;
        let nonce = self.token().nonces(owner).call().await?;
        let permit = Permit {
            owner,
            spender,
            value,
            nonce,
            deadline,
        };
        let hash = permit.eip712_signing_hash(&self.permit_domain());
        let sig = signer.sign_hash_sync(&hash)?;
        Ok(Sig {
            v: 27 + u8::from(sig.v()),
            r: sig.r().into(),
            s: sig.s().into(),
        })
    }

    /// `owner` signs a permit for `spender`.
    pub async fn sign_permit(
        &self,
        owner: Address,
        spender: Address,
        value: U256,
        deadline: U256,
    ) -> Result<Sig> {
        self.sign_permit_with(&self.signer(owner), owner, spender, value, deadline)
            .await
    }

    /// A provider without keys whose transactions go out as `eth_sendTransaction`; with
    /// [`Env::impersonate`] it sends as any address (e.g. a contract).
    pub fn unsigned_provider(&self) -> Result<DynProvider> {
        Ok(ProviderBuilder::default()
            .with_gas_estimation()
            .with_simple_nonce_management()
            .fetch_chain_id()
            .connect_http(self.url.parse()?)
            .erased())
    }

    /// `anvil_impersonateAccount(who)` and gives it ETH for gas.
    pub async fn impersonate(&self, who: Address) -> Result<()> {
        let _: () = self
            .provider
            .raw_request("anvil_impersonateAccount".into(), (who,))
            .await?;
        let _: () = self
            .provider
            .raw_request("anvil_setBalance".into(), (who, U256::from(10u64) * CT))
            .await?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// A small market
// ---------------------------------------------------------------------------------------------

/// Stake every test provider puts up (10,000 CT; 1 GPU needs 5,200).
pub fn provider_stake() -> U256 {
    U256::from(10_000u64) * CT
}
/// The standard test job: 1 GPU, up to 2 hours, 10 USD per GPU-hour → maxCost 20 USD.
pub const JOB_GPUS: u32 = 1;
pub const JOB_MAX_DURATION: u64 = 7_200;
pub fn job_price() -> U256 {
    U256::from(10u64) * USD
}

impl Env {
    /// Alice and Bob hold credits bought with 1,000 CT each; p1 and p2 are registered (1 GPU) and
    /// staked with [`provider_stake`].
    pub async fn market(&self) -> Result<()> {
        self.buy_credits(self.acc.alice, U256::from(1_000u64) * CT)
            .await?;
        self.buy_credits(self.acc.bob, U256::from(1_000u64) * CT)
            .await?;
        self.register_provider(self.acc.p1, 1, provider_stake())
            .await?;
        self.register_provider(self.acc.p2, 1, provider_stake())
            .await?;
        Ok(())
    }

    /// The standard job by `requester`, accepted by `provider`; returns its id.
    pub async fn running_job(&self, requester: Address, provider: Address) -> Result<U256> {
        let (id, _) = self
            .create_job(
                requester,
                Address::ZERO,
                JOB_GPUS,
                JOB_MAX_DURATION,
                job_price(),
            )
            .await?;
        send(self.escrow().acceptJob(id).from(provider)).await?;
        Ok(id)
    }

    /// [`Env::running_job`], then `provider` submits `used` seconds.
    pub async fn submitted_job(
        &self,
        requester: Address,
        provider: Address,
        used: u64,
    ) -> Result<U256> {
        let id = self.running_job(requester, provider).await?;
        send(
            self.escrow()
                .submitResult(id, keccak256(b"result"), used)
                .from(provider),
        )
        .await?;
        Ok(id)
    }
}

impl Env {
    /// Warps to just after the start of the next epoch and finalises every earlier epoch, so a test
    /// has a whole epoch (a day) to settle in; returns that epoch.
    pub async fn fresh_epoch(&self) -> Result<U256> {
        let em = self.emissions();
        let genesis = em.genesisTime().call().await?.to::<u64>();
        let length = em.epochLength().call().await?.to::<u64>();
        let now = self.now().await?;
        let next_start = genesis + ((now - genesis) / length + 1) * length;
        self.warp(next_start - now + 1).await?;
        self.finalize_all_epochs().await?;
        let epoch = em.currentEpoch().call().await?;
        if em.nextEpochToFinalize().call().await? != epoch {
            bail!("epochs before {epoch} not final");
        }
        Ok(epoch)
    }

    /// Finalises every past epoch (`finalizeEpochs` is bounded to 64 a call); returns the receipts.
    pub async fn finalize_all_epochs(&self) -> Result<Vec<TransactionReceipt>> {
        let em = self.emissions();
        let mut out = Vec::new();
        for _ in 0..1_000 {
            let next = em.nextEpochToFinalize().call().await?;
            let current = em.currentEpoch().call().await?;
            if next >= current {
                return Ok(out);
            }
            out.push(send(em.finalizeEpochs(U256::from(64)).from(self.acc.eve)).await?);
        }
        bail!("epochs never caught up")
    }
}
