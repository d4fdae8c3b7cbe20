//! Conversions from transactions and call requests to revm environments, and intrinsic gas.

use alloy_consensus::{Transaction as _, TxEnvelope};
use alloy_eips::eip2930::AccessList;
use alloy_primitives::{Address, Bytes, TxKind, U256};
use alloy_rpc_types_eth::TransactionRequest;
use revm::context::TxEnv;

/// Builds the revm environment for a signed (or impersonated) transaction.
pub fn tx_env(tx: &TxEnvelope, sender: Address) -> TxEnv {
    TxEnv {
        tx_type: tx.tx_type() as u8,
        caller: sender,
        gas_limit: tx.gas_limit(),
        gas_price: tx.max_fee_per_gas(),
        kind: tx.kind(),
        value: tx.value(),
        data: tx.input().clone(),
        nonce: tx.nonce(),
        chain_id: tx.chain_id(),
        access_list: tx.access_list().cloned().unwrap_or_default(),
        gas_priority_fee: tx.max_priority_fee_per_gas(),
        ..Default::default()
    }
}

/// Builds the revm environment for `eth_call` / `eth_estimateGas`.
///
/// Returns the environment and whether a gas price was given (if not, the base fee check is
/// disabled, like geth does for calls).
pub fn call_env(
    req: &TransactionRequest,
    gas_limit: u64,
    nonce: u64,
    chain_id: u64,
) -> (TxEnv, bool) {
    let data = req.input.input().cloned().unwrap_or_default();
    let access_list = req.access_list.clone().unwrap_or_default();
    let mut env = TxEnv {
        tx_type: 0,
        caller: req.from.unwrap_or_default(),
        gas_limit,
        gas_price: 0,
        kind: req.to.unwrap_or(TxKind::Create),
        value: req.value.unwrap_or_default(),
        data,
        nonce,
        chain_id: Some(chain_id),
        access_list,
        gas_priority_fee: None,
        ..Default::default()
    };
    let priced = if let Some(price) = req.gas_price {
        env.gas_price = price;
        if !env.access_list.is_empty() {
            env.tx_type = 1;
        }
        true
    } else if let Some(max_fee) = req.max_fee_per_gas {
        env.tx_type = 2;
        env.gas_price = max_fee;
        env.gas_priority_fee = Some(req.max_priority_fee_per_gas.unwrap_or(0).min(max_fee));
        true
    } else {
        if !env.access_list.is_empty() {
            env.tx_type = 1;
        }
        false
    };
    (env, priced)
}

/// Intrinsic gas of a transaction under Prague rules, and the EIP-7623 calldata floor.
pub fn intrinsic_gas(
    input: &Bytes,
    is_create: bool,
    access_list: Option<&AccessList>,
) -> (u64, u64) {
    let zeros = input.iter().filter(|b| **b == 0).count() as u64;
    let non_zeros = input.len() as u64 - zeros;
    let tokens = zeros + non_zeros * 4;
    let mut gas = 21_000u64 + tokens * 4;
    if is_create {
        gas += 32_000 + 2 * (input.len() as u64).div_ceil(32);
    }
    if let Some(list) = access_list {
        for item in list.iter() {
            gas += 2_400 + 1_900 * item.storage_keys.len() as u64;
        }
    }
    let floor = 21_000 + 10 * tokens;
    (gas, floor)
}

/// The price per gas a transaction pays in a block with `base_fee`.
pub fn effective_gas_price(tx: &TxEnvelope, base_fee: u64) -> u128 {
    tx.effective_gas_price(Some(base_fee))
}

/// Upper bound of a sender's spend: `gas * max_fee + value`.
pub fn max_cost(tx: &TxEnvelope) -> U256 {
    U256::from(tx.gas_limit())
        .saturating_mul(U256::from(tx.max_fee_per_gas()))
        .saturating_add(tx.value())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intrinsic_gas_matches_known_values() {
        assert_eq!(intrinsic_gas(&Bytes::new(), false, None), (21_000, 21_000));
        let data = Bytes::from_static(&[0, 1]);
        // 4 for the zero byte, 16 for the non-zero one; floor 21000 + 10 * (1 + 4).
        assert_eq!(intrinsic_gas(&data, false, None), (21_020, 21_050));
        // Create: +32000 and 2 per initcode word.
        assert_eq!(intrinsic_gas(&data, true, None).0, 21_020 + 32_000 + 2);
    }
}
