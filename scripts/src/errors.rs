//! Turning reverts and RPC failures into messages that say what to fix.
use alloy::sol_types::SolInterface;

use crate::bindings::*;

fn strip_wrapper(debug: String) -> String {
    // `Name(Name { a: 1 })` → `Name { a: 1 }`; `Name(Name)` → `Name()`.
    match debug.find('(') {
        Some(i) if debug.ends_with(')') => {
            let inner = &debug[i + 1..debug.len() - 1];
            if inner.contains('{') {
                inner.to_string()
            } else {
                format!("{inner}()")
            }
        }
        _ => debug,
    }
}

fn try_decode<E: SolInterface + std::fmt::Debug>(data: &[u8]) -> Option<String> {
    E::abi_decode(data)
        .ok()
        .map(|e| strip_wrapper(format!("{e:?}")))
}

/// Decodes revert data into `ErrorName { args }` using every compute-market ABI, the
/// StylusDeployer's and ArbWasm's errors, and the Solidity `Error(string)`/`Panic(uint256)`.
pub fn decode_revert(data: &[u8]) -> Option<String> {
    if data.len() < 4 {
        return None;
    }
    try_decode::<IComputeToken::IComputeTokenErrors>(data)
        .or_else(|| try_decode::<IBmeController::IBmeControllerErrors>(data))
        .or_else(|| try_decode::<IEmissions::IEmissionsErrors>(data))
        .or_else(|| try_decode::<IProviderRegistry::IProviderRegistryErrors>(data))
        .or_else(|| try_decode::<IJobEscrow::IJobEscrowErrors>(data))
        .or_else(|| try_decode::<IManualPriceFeed::IManualPriceFeedErrors>(data))
        .or_else(|| try_decode::<IStylusDeployer::IStylusDeployerErrors>(data))
        .or_else(|| try_decode::<ArbWasm::ArbWasmErrors>(data))
        .or_else(|| {
            try_decode::<crate::governance::TimelockController::TimelockControllerErrors>(data)
        })
        .or_else(|| {
            alloy::sol_types::GenericContractError::abi_decode(data)
                .ok()
                .map(|e| format!("{e:?}"))
        })
}

/// A hint for a decoded error name.
fn hint(name: &str) -> &'static str {
    match name {
        n if n.starts_with("AccessControlUnauthorizedAccount") => {
            " (the sender lacks the role: grant it with grantRole from the admin, or use the admin key)"
        }
        n if n.starts_with("ERC20InsufficientBalance") => " (the sender holds too little CT: transfer CT to it first)",
        n if n.starts_with("ERC20InsufficientAllowance") => " (approve the spender first)",
        n if n.starts_with("ProgramInsufficientValue") => {
            " (send the ArbWasm activation data fee as value: the deploy script asks the chain for it)"
        }
        n if n.starts_with("ContractInitializationError") => {
            " (the constructor reverted: check its arguments; rerun with the same key to see the decoded error)"
        }
        n if n.starts_with("BmeStalePrice") => " (the price feed is stale: update it (ManualPriceFeed.updateAnswer))",
        n if n.starts_with("EnforcedPause") => " (the contract is paused: unpause it with PAUSER_ROLE)",
        _ => "",
    }
}

/// Explains a failed RPC call or transaction: the decoded custom error when the node returned
/// revert data, plus what to fix for the common cases.
pub fn explain(err: &(dyn std::error::Error + 'static), rpc_url: &str) -> String {
    let text = err.to_string();
    let mut data: Option<Vec<u8>> = None;
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(t) = e.downcast_ref::<alloy::transports::TransportError>() {
            if let Some(resp) = t.as_error_resp() {
                data = resp.as_revert_data().map(|b| b.to_vec());
            }
        }
        if let Some(c) = e.downcast_ref::<alloy::contract::Error>() {
            data = c.as_revert_data().map(|b| b.to_vec());
        }
        if data.is_some() {
            break;
        }
        cur = e.source();
    }
    if let Some(decoded) = data.as_deref().and_then(decode_revert) {
        let name = decoded.split([' ', '(']).next().unwrap_or("").to_string();
        return format!("reverted with {decoded}{}", hint(&name));
    }
    if let Some(d) = data.filter(|d| !d.is_empty()) {
        return format!(
            "reverted with undecoded data 0x{}",
            alloy::primitives::hex::encode(d)
        );
    }
    let lower = text.to_lowercase();
    if lower.contains("insufficient funds") || lower.contains("insufficient balance") {
        format!("{text}: the sender has too little ETH for gas + value: fund it (on a Nitro dev node the key 0xb6b1…0659 is prefunded)")
    } else if lower.contains("connection refused")
        || lower.contains("error sending request")
        || lower.contains("dns")
    {
        format!("{text}: cannot reach the node at {rpc_url}: start one (`cargo run -p devnet`, or a Nitro dev node) or pass --rpc-url / $RPC_URL")
    } else if lower.contains("nonce too low") {
        format!("{text}: another process is sending from the same key; wait and rerun")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::{address, U256};
    use alloy::sol_types::SolError;

    #[test]
    fn decodes_custom_errors_with_args() {
        let e = IComputeToken::ERC20InsufficientBalance {
            _0: address!("0000000000000000000000000000000000000001"),
            _1: U256::from(1),
            _2: U256::from(2),
        };
        let s = decode_revert(&e.abi_encode()).unwrap();
        assert!(s.starts_with("ERC20InsufficientBalance"), "{s}");
        assert!(s.contains("_2: 2"), "{s}");
        let s = decode_revert(&ArbWasm::ProgramNotActivated {}.abi_encode()).unwrap();
        assert_eq!(s, "ProgramNotActivated()");
        assert!(decode_revert(&[1, 2, 3, 4, 5]).is_none());
        assert!(decode_revert(&[]).is_none());
    }
}
