//! The benchmark environment: an in-process dev chain, the whole system deployed with
//! `compute_market_scripts::deploy`, and the OpenZeppelin ERC-20 baseline deployed next to it.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use alloy::network::{EthereumWallet, TransactionBuilder};
use alloy::primitives::{keccak256, Address, Bytes, B256, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::{TransactionReceipt, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::signers::SignerSync;
use alloy::sol_types::SolValue;
use compute_market_scripts::bindings::{
    IBmeController, IComputeToken, IEmissions, IJobEscrow, IJobMarket, IManualPriceFeed,
    IProviderRegistry,
};
use compute_market_scripts::deploy::{deploy, DeployOptions, Deployment, GAS_MARGIN};
use eyre::{bail, eyre, Result, WrapErr};

pub use compute_market_scripts::units::{b32, CT, USD};
/// The OpenZeppelin token's genesis supply: the same 650M CT the deploy script mints.
pub const GENESIS_CT: u64 = 650_000_000;
/// Gas limit of the pipelined (not estimated) transactions.
pub const PIPELINE_GAS: u64 = 5_000_000;
/// Max fee of the pipelined transactions (the dev chain's base fee floor is 0.1 gwei).
pub const PIPELINE_FEE: u128 = 1_000_000_000;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A deterministic extra key (`keccak256("compute-market bench" ‖ tag ‖ i)`).
pub fn bench_key(tag: &str, i: u64) -> PrivateKeySigner {
    let seed = keccak256(format!("compute-market bench {tag} {i}"));
    PrivateKeySigner::from_bytes(&seed)
        .expect("keccak output is a valid key with overwhelming probability")
}

/// OpenZeppelin ERC20 + ERC20Permit + ERC20Burnable compiled by `benches/solidity/compile.js`.
pub struct OzArtifact {
    /// solc version string.
    pub solc: String,
    /// Creation bytecode.
    pub bytecode: Bytes,
}

/// Runs `node benches/solidity/compile.js` (solc-js and `@openzeppelin/contracts`, installed first
/// with `npm ci` when missing).
pub fn compile_oz() -> Result<OzArtifact> {
    let root = repo_root();
    // `npm ci` when node_modules is missing or stale (scripts/ensure-npm.sh).
    compute_market_scripts::setup::npm_packages(&root)?;
    let out = Command::new("node")
        .arg(root.join("benches/solidity/compile.js"))
        .current_dir(&root)
        .output()
        .wrap_err("running node benches/solidity/compile.js (is node installed?)")?;
    if !out.status.success() {
        bail!(
            "benches/solidity/compile.js failed (run `npm ci` at the repo root): {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let hex = v["bytecode"]
        .as_str()
        .ok_or_else(|| eyre!("no bytecode in compile.js output"))?;
    Ok(OzArtifact {
        solc: v["solc"].as_str().unwrap_or_default().to_string(),
        bytecode: hex.parse()?,
    })
}

/// Bidders the gas scenario uses for an auction with the most bids (`JobMarket`'s limit).
pub const BIDDERS: u64 = 16;

/// Named accounts (dev accounts of the node).
#[derive(Clone, Copy, Debug)]
pub struct Accounts {
    /// Deployer: admin, treasury, arbitrator, feeder, genesis holder of both tokens.
    pub admin: Address,
    /// Buyer / requester.
    pub alice: Address,
    /// Second buyer (permit paths).
    pub bob: Address,
    /// Providers.
    pub p1: Address,
    /// Second provider.
    pub p2: Address,
    /// Third provider (deregisters).
    pub p3: Address,
    /// Anyone (relayer of permits, finaliser).
    pub eve: Address,
}

/// The running chain and deployment.
pub struct Env {
    /// The in-process node (dropping it stops the server).
    pub node: devnet::NodeHandle,
    /// RPC URL.
    pub url: String,
    /// Provider whose wallet holds every dev key (and any keys added with [`Env::add_signers`]).
    pub provider: DynProvider,
    /// The deployment.
    pub d: Deployment,
    /// The OpenZeppelin token.
    pub oz: Address,
    /// Gas of the OpenZeppelin token's deployment.
    pub oz_deploy_gas: u64,
    /// Its runtime code size.
    pub oz_code_size: usize,
    /// solc version.
    pub solc: String,
    /// Named accounts.
    pub acc: Accounts,
    /// Every signer the wallet holds.
    pub signers: Vec<PrivateKeySigner>,
    /// Chain id.
    pub chain_id: u64,
    /// Directory of the wasm that was deployed.
    pub wasm_dir: Option<PathBuf>,
    _deployments: tempfile::TempDir,
}

/// Where the deployable wasm is: `$COMPUTE_MARKET_WASM_DIR` when set, else `None` (build it).
pub fn wasm_dir_from_env() -> Option<PathBuf> {
    std::env::var_os("COMPUTE_MARKET_WASM_DIR").map(PathBuf::from)
}

impl Env {
    /// Starts a dev chain, deploys the system (wasm from `wasm_dir` or built by `scripts/build-wasm.sh`)
    /// and the OpenZeppelin token.
    pub async fn start(wasm_dir: Option<PathBuf>) -> Result<Self> {
        Self::start_with(wasm_dir, None).await
    }

    /// [`Env::start`] with an Emissions epoch length in seconds (default: the dev chain's 3,600).
    pub async fn start_with(wasm_dir: Option<PathBuf>, epoch_length: Option<u64>) -> Result<Self> {
        let node = devnet::spawn(devnet::NodeConfig::test())
            .await
            .map_err(|e| eyre!("devnet: {e}"))?;
        let url = node.url();
        let signers = node.dev_signers().to_vec();
        if signers.len() < 8 {
            bail!("the dev chain has {} dev accounts, need 8", signers.len());
        }
        let wasm_dir = match wasm_dir {
            Some(d) => Some(d),
            None => {
                // Build once and point the deploy at the output directory.
                let built = compute_market_scripts::wasm::build(&repo_root())?;
                built
                    .values()
                    .next()
                    .and_then(|p| p.parent())
                    .map(Path::to_path_buf)
            }
        };
        let deployments = tempfile::tempdir()?;
        let opts = DeployOptions {
            wasm_dir: wasm_dir.clone(),
            deployments_dir: Some(deployments.path().to_path_buf()),
            epoch_length,
            quiet: true,
            ..DeployOptions::default()
        };
        let d = deploy(&url, signers[0].clone(), &opts)
            .await
            .wrap_err("deploying the system")?;
        let acc = Accounts {
            admin: signers[0].address(),
            alice: signers[1].address(),
            bob: signers[2].address(),
            p1: signers[3].address(),
            p2: signers[4].address(),
            p3: signers[5].address(),
            eve: signers[6].address(),
        };
        // Bidders for the 16-bid auction of the gas scenario (funded there).
        let mut signers = signers;
        signers.extend((0..BIDDERS).map(|i| bench_key("bidder", i)));
        let provider = make_provider(&url, &signers)?;
        let chain_id = provider.get_chain_id().await?;
        let art = compile_oz()?;
        let mut env = Self {
            node,
            url,
            provider,
            d,
            oz: Address::ZERO,
            oz_deploy_gas: 0,
            oz_code_size: 0,
            solc: art.solc.clone(),
            acc,
            signers,
            chain_id,
            wasm_dir,
            _deployments: deployments,
        };
        let mut init = art.bytecode.to_vec();
        init.extend((acc.admin, U256::from(GENESIS_CT) * CT).abi_encode_params());
        let tx = TransactionRequest::default()
            .with_from(acc.admin)
            .with_deploy_code(init);
        let rc = env.send("deploy OzToken", tx).await?;
        env.oz = rc
            .contract_address
            .ok_or_else(|| eyre!("OzToken deployment has no contract address"))?;
        env.oz_deploy_gas = rc.gas_used;
        env.oz_code_size = env.provider.get_code_at(env.oz).await?.len();
        Ok(env)
    }

    /// Adds `keys` to the wallet (rebuilds the provider).
    pub fn add_signers(&mut self, keys: impl IntoIterator<Item = PrivateKeySigner>) -> Result<()> {
        self.signers.extend(keys);
        self.provider = make_provider(&self.url, &self.signers)?;
        Ok(())
    }

    /// Sends `tx` and waits for its receipt; fails (with `label`) when it reverts.
    pub async fn send(
        &self,
        label: &str,
        mut tx: TransactionRequest,
    ) -> Result<TransactionReceipt> {
        // The estimate runs against the latest block; the transaction runs in the next, a later
        // second, where stake-reward accrual may write storage the estimate did not (as in
        // scripts' `Chain::send`). Unused gas is not charged, so the receipts' gas is unchanged.
        if tx.gas.is_none() {
            let estimate = self
                .provider
                .estimate_gas(tx.clone())
                .await
                .map_err(|e| eyre!("{label}: {e}"))?;
            tx.gas = Some(
                estimate
                    .saturating_add(estimate / 4)
                    .saturating_add(GAS_MARGIN),
            );
        }
        let pending = self
            .provider
            .send_transaction(tx)
            .await
            .map_err(|e| eyre!("{label}: {e}"))?;
        let hash = *pending.tx_hash();
        let rc = wait_receipt(&self.provider, hash)
            .await
            .wrap_err_with(|| label.to_string())?;
        if !rc.status() {
            bail!("{label}: transaction {hash} reverted");
        }
        Ok(rc)
    }

    /// Sends without estimating or waiting: explicit nonce, gas limit and fees (for pipelining).
    pub async fn send_nowait(
        &self,
        from: Address,
        nonce: u64,
        to: Address,
        input: Bytes,
    ) -> Result<B256> {
        let tx = TransactionRequest::default()
            .with_from(from)
            .with_to(to)
            .with_input(input)
            .with_nonce(nonce)
            .with_chain_id(self.chain_id)
            .with_gas_limit(PIPELINE_GAS)
            .with_max_fee_per_gas(PIPELINE_FEE)
            .with_max_priority_fee_per_gas(0);
        let pending = self.provider.send_transaction(tx).await?;
        Ok(*pending.tx_hash())
    }

    /// Waits for `hash` and fails when it reverted.
    pub async fn confirm(&self, hash: B256) -> Result<TransactionReceipt> {
        let rc = wait_receipt(&self.provider, hash).await?;
        if !rc.status() {
            bail!("transaction {hash} reverted");
        }
        Ok(rc)
    }

    /// Pending nonce of `who`.
    pub async fn nonce(&self, who: Address) -> Result<u64> {
        Ok(self.provider.get_transaction_count(who).pending().await?)
    }

    /// `evm_increaseTime(secs)` + `evm_mine`, then a fresh price round (so the controller's
    /// staleness check passes).
    pub async fn jump(&self, secs: u64) -> Result<()> {
        let _: serde_json::Value = self
            .provider
            .raw_request("evm_increaseTime".into(), (secs,))
            .await?;
        let _: serde_json::Value = self.provider.raw_request("evm_mine".into(), ()).await?;
        self.update_price().await?;
        Ok(())
    }

    /// `updateAnswer` with the deployment's price (0.50 USD); returns its receipt.
    pub async fn update_price(&self) -> Result<TransactionReceipt> {
        let feed = self.feed();
        let answer =
            alloy::primitives::I256::try_from(compute_market_scripts::deploy::FEED_INITIAL_ANSWER)?;
        let tx = feed
            .updateAnswer(answer)
            .from(self.acc.admin)
            .into_transaction_request();
        self.send("feed.updateAnswer", tx).await
    }

    /// Gives `who` ETH for gas (`anvil_setBalance`).
    pub async fn fund_eth(&self, who: Address) -> Result<()> {
        let _: serde_json::Value = self
            .provider
            .raw_request("anvil_setBalance".into(), (who, U256::from(1_000u64) * CT))
            .await?;
        Ok(())
    }

    /// The signer of `who`.
    pub fn signer(&self, who: Address) -> Result<&PrivateKeySigner> {
        self.signers
            .iter()
            .find(|s| s.address() == who)
            .ok_or_else(|| eyre!("no key for {who}"))
    }

    /// EIP-2612 signature of `owner` for `token` (domain separator read from the token).
    pub async fn sign_permit(
        &self,
        token: Address,
        owner: Address,
        spender: Address,
        value: U256,
        deadline: U256,
    ) -> Result<(u8, B256, B256)> {
        let t = IComputeToken::new(token, &self.provider);
        let nonce = t.nonces(owner).call().await?;
        let sep = t.DOMAIN_SEPARATOR().call().await?;
        let typehash = keccak256(
            "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)",
        );
        let struct_hash =
            keccak256((typehash, owner, spender, value, nonce, deadline).abi_encode());
        let mut msg = vec![0x19, 0x01];
        msg.extend_from_slice(sep.as_slice());
        msg.extend_from_slice(struct_hash.as_slice());
        let sig = self.signer(owner)?.sign_hash_sync(&keccak256(&msg))?;
        Ok((27 + u8::from(sig.v()), sig.r().into(), sig.s().into()))
    }

    /// ComputeToken binding.
    pub fn token(&self) -> IComputeToken::IComputeTokenInstance<&DynProvider> {
        IComputeToken::new(self.d.token, &self.provider)
    }
    /// A binding of the ERC-20 surface at `addr` (CT or the OpenZeppelin token).
    pub fn erc20(&self, addr: Address) -> IComputeToken::IComputeTokenInstance<&DynProvider> {
        IComputeToken::new(addr, &self.provider)
    }
    /// JobMarket binding.
    pub fn market(&self) -> IJobMarket::IJobMarketInstance<&DynProvider> {
        IJobMarket::new(self.d.market, &self.provider)
    }
    /// Price feed binding.
    pub fn feed(&self) -> IManualPriceFeed::IManualPriceFeedInstance<&DynProvider> {
        IManualPriceFeed::new(self.d.price_feed, &self.provider)
    }
    /// Controller binding.
    pub fn controller(&self) -> IBmeController::IBmeControllerInstance<&DynProvider> {
        IBmeController::new(self.d.controller, &self.provider)
    }
    /// Registry binding.
    pub fn registry(&self) -> IProviderRegistry::IProviderRegistryInstance<&DynProvider> {
        IProviderRegistry::new(self.d.registry, &self.provider)
    }
    /// Escrow binding.
    pub fn escrow(&self) -> IJobEscrow::IJobEscrowInstance<&DynProvider> {
        IJobEscrow::new(self.d.escrow, &self.provider)
    }
    /// Emissions binding.
    pub fn emissions(&self) -> IEmissions::IEmissionsInstance<&DynProvider> {
        IEmissions::new(self.d.emissions, &self.provider)
    }
}

fn make_provider(url: &str, signers: &[PrivateKeySigner]) -> Result<DynProvider> {
    let mut wallet = EthereumWallet::from(signers[0].clone());
    for s in &signers[1..] {
        wallet.register_signer(s.clone());
    }
    Ok(ProviderBuilder::new()
        .wallet(wallet)
        .connect_http(url.parse()?)
        .erased())
}

/// Polls for a receipt every 2 ms (the node mines as the transaction arrives).
pub async fn wait_receipt(provider: &DynProvider, hash: B256) -> Result<TransactionReceipt> {
    for _ in 0..30_000 {
        if let Some(r) = provider.get_transaction_receipt(hash).await? {
            return Ok(r);
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    bail!("no receipt for {hash} after 60 s")
}
