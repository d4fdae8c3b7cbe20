//! Deployable size of each contract and what its deployment cost on the dev chain.
use alloy::primitives::U256;
use eyre::{eyre, Result};

use crate::env::Env;

/// One contract's row.
#[derive(Clone, Debug)]
pub struct SizeRow {
    /// Deployment record name (`token`, ...).
    pub name: String,
    /// wasm bytes.
    pub wasm: usize,
    /// Deployable bytes (`EF F0 00 00` + brotli-11), as deployed.
    pub deployable: u64,
    /// ArbWasm activation data fee (wei).
    pub data_fee: U256,
    /// Gas of the deployment (StylusDeployer: deploy + activate + constructor in one transaction).
    pub deploy_gas: u64,
}

/// The Stylus size limit.
pub const LIMIT: u64 = 24_576;

/// Rows in deployment order.
pub fn rows(env: &Env) -> Result<Vec<SizeRow>> {
    let order = [
        ("price_feed", "price_feed"),
        ("token", "compute_token"),
        ("emissions", "emissions"),
        ("controller", "bme_controller"),
        ("registry", "provider_registry"),
        ("escrow", "job_escrow"),
        ("market", "job_market"),
    ];
    let dir = env
        .wasm_dir
        .clone()
        .ok_or_else(|| eyre!("unknown wasm directory"))?;
    let mut out = Vec::new();
    for (name, file) in order {
        let rec = env
            .d
            .contracts
            .get(name)
            .ok_or_else(|| eyre!("no deployment record for {name}"))?;
        let wasm = std::fs::read(dir.join(format!("{file}.wasm")))?;
        out.push(SizeRow {
            name: file.to_string(),
            wasm: wasm.len(),
            deployable: rec.code_size,
            data_fee: rec.data_fee,
            deploy_gas: rec.gas_used,
        });
    }
    Ok(out)
}

/// wei as ETH with 6 decimals.
pub fn eth(wei: U256) -> String {
    let micro = wei / U256::from(1_000_000_000_000u64);
    let m: u128 = micro.to::<u128>();
    format!("{}.{:06}", m / 1_000_000, m % 1_000_000)
}
