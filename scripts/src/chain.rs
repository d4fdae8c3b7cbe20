//! A connected signer ([`Chain`]): sending transactions with a gas margin and decoded reverts,
//! and deploying one Stylus program through the StylusDeployer. Used by `deploy`, `demo` and the
//! tests and benches.
use alloy::network::{EthereumWallet, TransactionBuilder};
use alloy::primitives::{keccak256, Address, Bytes, B256, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::rpc::types::state::AccountOverride;
use alloy::rpc::types::{TransactionReceipt, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::{SolCall, SolEvent};
use eyre::{bail, eyre, WrapErr};
use stylus_format::cargo_stylus::deployable_code;
use stylus_format::{deploy_initcode, MAX_CODE_SIZE};

use crate::bindings::*;
use crate::deploy::ContractRecord;
use crate::errors::explain;
use crate::progress::Progress;

/// Gas added to every estimate on top of 25% (see [`Chain::send`]): five fresh storage slots
/// (5 × 22,100) that time-based accrual may write in the block after the estimate's.
pub const GAS_MARGIN: u64 = 110_500;

/// A connected signer: the provider, its address, progress output and a log of sent transactions.
pub struct Chain {
    /// Provider with the signer's wallet (and any other registered signers).
    pub provider: DynProvider,
    /// Default sender.
    pub from: Address,
    /// RPC URL (for messages).
    pub rpc_url: String,
    /// Chain id.
    pub chain_id: u64,
    /// Progress output (steps, the transaction being sent).
    pub progress: Progress,
    /// Transactions sent through [`Chain::send`]: (label, hash, gas used).
    pub sent: Vec<(String, B256, u64)>,
}

impl Chain {
    /// Connects to `rpc_url` with `signer` (plus `extra` signers usable via `from`); progress on
    /// stderr when `verbose` ([`Progress::new`]).
    pub async fn connect(
        rpc_url: &str,
        signer: PrivateKeySigner,
        extra: Vec<PrivateKeySigner>,
        verbose: bool,
    ) -> eyre::Result<Self> {
        let from = signer.address();
        let mut wallet = EthereumWallet::from(signer);
        for s in extra {
            wallet.register_signer(s);
        }
        let url = rpc_url.parse().wrap_err_with(|| {
            format!("invalid RPC URL {rpc_url:?} (expected e.g. http://127.0.0.1:8547)")
        })?;
        let provider = ProviderBuilder::new()
            .wallet(wallet)
            .connect_http(url)
            .erased();
        let chain_id = provider
            .get_chain_id()
            .await
            .map_err(|e| eyre!("{}", explain(&e, rpc_url)))?;
        Ok(Self {
            provider,
            from,
            rpc_url: rpc_url.to_string(),
            chain_id,
            progress: Progress::new(!verbose),
            sent: Vec::new(),
        })
    }

    /// One progress line.
    pub(crate) fn say(&self, msg: impl AsRef<str>) {
        self.progress.line(msg.as_ref());
    }

    /// Sends `tx` (from [`Chain::from`] unless set), waits for the receipt and fails with the
    /// decoded revert when it reverts.
    pub async fn send(
        &mut self,
        label: &str,
        mut tx: TransactionRequest,
    ) -> eyre::Result<TransactionReceipt> {
        if tx.from.is_none() {
            tx.from = Some(self.from);
        }
        self.progress.detail(label);
        // The estimate runs against the latest block, but the transaction runs in the next one, a
        // later second: time-based accounting (stake-reward accrual, epoch rollover) may then
        // write storage the estimate did not (up to four fresh slots for a claim). 25% plus
        // [`GAS_MARGIN`] covers it; unused gas is not charged.
        if tx.gas.is_none() {
            let estimate = self
                .provider
                .estimate_gas(tx.clone())
                .await
                .map_err(|e| eyre!("{label}: {}", explain(&e, &self.rpc_url)))?;
            tx.gas = Some(
                estimate
                    .saturating_add(estimate / 4)
                    .saturating_add(GAS_MARGIN),
            );
        }
        let limit = tx.gas;
        let pending = self
            .provider
            .send_transaction(tx.clone())
            .await
            .map_err(|e| eyre!("{label}: {}", explain(&e, &self.rpc_url)))?;
        let receipt = pending
            .get_receipt()
            .await
            .map_err(|e| eyre!("{label}: waiting for the receipt: {e}"))?;
        if !receipt.status() {
            // Replay at the block to recover the revert data.
            let why = match self
                .provider
                .call(tx)
                .block(
                    receipt
                        .block_number
                        .unwrap_or_default()
                        .saturating_sub(1)
                        .into(),
                )
                .await
            {
                Err(e) => explain(&e, &self.rpc_url),
                Ok(_) => format!(
                    "reverted; the replay succeeds, so the state or the gas differed: gas used {} of a {} limit",
                    receipt.gas_used,
                    limit.map_or("default".to_string(), |l| l.to_string())
                ),
            };
            bail!(
                "{label}: transaction {} failed: {why}",
                receipt.transaction_hash
            );
        }
        self.sent.push((
            label.to_string(),
            receipt.transaction_hash,
            receipt.gas_used,
        ));
        Ok(receipt)
    }

    /// Sends a contract call built by the bindings.
    pub async fn send_call<C>(&mut self, label: &str, call: C) -> eyre::Result<TransactionReceipt>
    where
        C: Into<TransactionRequest>,
    {
        self.send(label, call.into()).await
    }

    /// Whether the StylusDeployer has code on this chain.
    pub async fn has_stylus_deployer(&self) -> eyre::Result<bool> {
        let code = self.provider.get_code_at(STYLUS_DEPLOYER).await?;
        Ok(!code.is_empty())
    }

    /// Whether code with `code_hash` is activated (ArbWasm.codehashVersion succeeds at the current version).
    pub async fn is_activated(&self, code_hash: B256) -> bool {
        let arb = ArbWasm::new(ARB_WASM, &self.provider);
        match (
            arb.codehashVersion(code_hash).call().await,
            arb.stylusVersion().call().await,
        ) {
            (Ok(v), Ok(cur)) => v == cur,
            _ => false,
        }
    }

    /// The ArbWasm data fee to activate `code`, from an `eth_call` with state overrides
    /// (as cargo-stylus does).
    pub async fn data_fee(&self, code: &[u8]) -> eyre::Result<U256> {
        let probe = Address::from_slice(&keccak256(code)[12..]);
        let rich = Address::from_slice(&keccak256(b"compute-market data fee probe")[12..]);
        let call = ArbWasm::activateProgramCall { program: probe }.abi_encode();
        let tx = TransactionRequest::default()
            .with_from(rich)
            .with_to(ARB_WASM)
            .with_value(U256::from(10u64).pow(U256::from(18)))
            .with_input(call);
        let out = self
            .provider
            .call(tx)
            .account_override(probe, AccountOverride::default().with_code(Bytes::from(code.to_vec())))
            .account_override(rich, AccountOverride::default().with_balance(U256::MAX))
            .await
            .map_err(|e| {
                eyre!("ArbWasm.activateProgram dry run failed: {} (is this a Stylus chain? is the wasm valid?)", explain(&e, &self.rpc_url))
            })?;
        let ret = ArbWasm::activateProgramCall::abi_decode_returns(&out)?;
        Ok(ret.dataFee)
    }

    /// Deploys a Stylus program and runs its constructor (`ctor_args`: ABI-encoded parameters).
    pub async fn deploy_program(
        &mut self,
        label: &str,
        wasm: &[u8],
        ctor_args: Vec<u8>,
    ) -> eyre::Result<ContractRecord> {
        // The bytes `cargo stylus deploy --wasm-file` would store (canonical re-encoding, metadata
        // stripped, zero project_hash section, brotli 11).
        let code = deployable_code(wasm).map_err(|e| eyre!("{label}: {e}"))?;
        if code.len() > MAX_CODE_SIZE {
            bail!(
                "{label}: deployable code is {} bytes, over the 24,576-byte limit: build with scripts/build-wasm.sh (size-tuned), not plain cargo build",
                code.len()
            );
        }
        let code_hash = keccak256(&code);
        let active = self.is_activated(code_hash).await;
        let fee = if active {
            U256::ZERO
        } else {
            self.data_fee(&code).await?
        };
        // 20% headroom like cargo-stylus; the excess is refunded.
        let value = fee * U256::from(12) / U256::from(10);
        let balance = self.provider.get_balance(self.from).await?;
        if balance <= value {
            bail!("{label}: the deployer {} has {balance} wei, less than the activation fee {value} wei: fund it", self.from);
        }
        let mut init_data = STYLUS_CONSTRUCTOR_SELECTOR.to_vec();
        init_data.extend(ctor_args);
        let initcode = deploy_initcode(&code);
        if !self.has_stylus_deployer().await? {
            bail!("{label}: no StylusDeployer at {STYLUS_DEPLOYER}: deploying without it is unsafe (see deploy_on)");
        }
        let mut txs = Vec::new();
        let mut gas = 0;
        // Only through the StylusDeployer: deploy, activation and constructor in one transaction
        // (deploy_on refuses chains without it).
        let (address, block) = {
            let input = IStylusDeployer::deployCall {
                bytecode: initcode.into(),
                initData: init_data.into(),
                initValue: U256::ZERO,
                salt: B256::ZERO,
            }
            .abi_encode();
            let req = TransactionRequest::default()
                .with_to(STYLUS_DEPLOYER)
                .with_value(value)
                .with_input(input);
            let r = self
                .send(&format!("deploy {label} (StylusDeployer)"), req)
                .await?;
            let addr = r
                .inner
                .logs()
                .iter()
                .filter(|l| l.address() == STYLUS_DEPLOYER)
                .find_map(|l| IStylusDeployer::ContractDeployed::decode_log_data(l.data()).ok())
                .map(|e| e.deployedContract)
                .ok_or_else(|| {
                    eyre!(
                        "{label}: no ContractDeployed event in {}",
                        r.transaction_hash
                    )
                })?;
            txs.push(r.transaction_hash);
            gas += r.gas_used;
            (addr, r.block_number.unwrap_or_default())
        };
        let onchain = self.provider.get_code_at(address).await?;
        if keccak256(&onchain) != code_hash {
            bail!("{label}: code at {address} does not match the wasm that was deployed");
        }
        Ok(ContractRecord {
            address,
            code_hash,
            code_size: code.len() as u64,
            tx_hashes: txs,
            gas_used: gas,
            block,
            data_fee: fee,
        })
    }

    /// Whether `rec` is live: code at its address with the recorded hash.
    pub async fn is_live(&self, rec: &ContractRecord) -> eyre::Result<bool> {
        let code = self.provider.get_code_at(rec.address).await?;
        Ok(!code.is_empty() && keccak256(&code) == rec.code_hash)
    }
}

/// The first `E` event logged in `rc` (by any contract), decoded.
///
/// # Errors
/// When `rc` holds no `E` log.
pub fn first_event<E: SolEvent>(rc: &TransactionReceipt) -> eyre::Result<E> {
    rc.inner
        .logs()
        .iter()
        .find_map(|l| E::decode_log_data(l.data()).ok())
        .ok_or_else(|| eyre!("no {} event in {}", E::SIGNATURE, rc.transaction_hash))
}
