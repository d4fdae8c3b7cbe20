//! Dev-chain throughput: ERC-20 transfers through JSON-RPC by 1 and by 8 concurrent clients, and
//! `eth_call` latency.
use std::time::{Duration, Instant};

use alloy::network::TransactionBuilder;
use alloy::primitives::{Address, Bytes, U256};
use alloy::providers::{DynProvider, Provider};
use alloy::rpc::types::TransactionRequest;
use alloy::sol_types::SolCall;
use compute_market_scripts::bindings::IComputeToken;
use eyre::Result;

use crate::env::{bench_key, wait_receipt, Env, CT, PIPELINE_FEE};

/// One throughput measurement.
#[derive(Clone, Debug)]
pub struct Tps {
    /// Which token.
    pub token: &'static str,
    /// Concurrent clients.
    pub clients: usize,
    /// Transactions sent in total.
    pub txs: usize,
    /// Wall time from the first send to the last receipt.
    pub elapsed: Duration,
}

impl Tps {
    /// Transactions per second.
    pub fn per_second(&self) -> f64 {
        self.txs as f64 / self.elapsed.as_secs_f64()
    }
}

/// Gives `n` fresh clients (keys `tag`/i) ETH and 1M of `token`.
pub async fn make_clients(
    env: &mut Env,
    token: Address,
    tag: &str,
    n: usize,
) -> Result<Vec<Address>> {
    let keys: Vec<_> = (0..n as u64).map(|i| bench_key(tag, i)).collect();
    let addrs: Vec<Address> = keys.iter().map(|k| k.address()).collect();
    env.add_signers(keys)?;
    for &a in &addrs {
        env.fund_eth(a).await?;
        let t = env.erc20(token);
        let tx = t
            .transfer(a, U256::from(1_000_000u64) * CT)
            .from(env.acc.admin)
            .into_transaction_request();
        env.send("fund client", tx).await?;
    }
    Ok(addrs)
}

async fn client_loop(
    provider: DynProvider,
    chain_id: u64,
    token: Address,
    from: Address,
    to: Address,
    count: usize,
) -> Result<()> {
    let mut nonce = provider.get_transaction_count(from).pending().await?;
    let input: Bytes = IComputeToken::transferCall {
        to,
        value: U256::from(1u64),
    }
    .abi_encode()
    .into();
    let mut last = None;
    for _ in 0..count {
        let tx = TransactionRequest::default()
            .with_from(from)
            .with_to(token)
            .with_input(input.clone())
            .with_nonce(nonce)
            .with_chain_id(chain_id)
            .with_gas_limit(200_000)
            .with_max_fee_per_gas(PIPELINE_FEE)
            .with_max_priority_fee_per_gas(0);
        last = Some(*provider.send_transaction(tx).await?.tx_hash());
        nonce += 1;
    }
    if let Some(h) = last {
        let rc = wait_receipt(&provider, h).await?;
        eyre::ensure!(rc.status(), "transfer {h} reverted");
    }
    Ok(())
}

/// `clients` concurrent clients each send `per_client` transfers of 1 wei of `token` (to existing
/// holders) back to back through `eth_sendRawTransaction` (signed in the client), then wait for the
/// last receipt.
pub async fn transfers(
    env: &Env,
    name: &'static str,
    token: Address,
    clients: &[Address],
    per_client: usize,
) -> Result<Tps> {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (i, &from) in clients.iter().enumerate() {
        let to = clients[(i + 1) % clients.len()];
        let to = if to == from { env.acc.admin } else { to };
        tasks.push(tokio::spawn(client_loop(
            env.provider.clone(),
            env.chain_id,
            token,
            from,
            to,
            per_client,
        )));
    }
    for t in tasks {
        t.await??;
    }
    Ok(Tps {
        token: name,
        clients: clients.len(),
        txs: clients.len() * per_client,
        elapsed: start.elapsed(),
    })
}

/// Latencies of `n` sequential `eth_call balanceOf` on `token`: (p50, p99).
pub async fn call_latency(env: &Env, token: Address, n: usize) -> Result<(Duration, Duration)> {
    let t = env.erc20(token);
    let mut lat = Vec::with_capacity(n);
    for _ in 0..n {
        let s = Instant::now();
        let _ = t.balanceOf(env.acc.alice).call().await?;
        lat.push(s.elapsed());
    }
    lat.sort();
    let pick = |q: f64| lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)];
    Ok((pick(0.50), pick(0.99)))
}
