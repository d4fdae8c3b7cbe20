//! `Engine::transact_profiled`: the gas accounting of real programs (the deployed
//! compute-token, the hostio test program, EVM code) adds up exactly to the gas the transaction
//! used, and profiling changes nothing (`Chain::call_profiled` compares with `Engine::transact`).

use crate::common::*;
use crate::compute_token::{setup, FRESH, FWD, P};
use alloy_sol_types::{sol, SolCall};
use devnet_engine::{Engine, FrameKind, GasProfile, HostioId, INK_PRICE};
use revm::primitives::{keccak256, U256};

sol! {
    function balanceOf(address account) external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
}

/// The identities every profile must satisfy: the transaction's gas from its parts, each frame's
/// gas from its own work and its children, and no unexplained ink in program frames.
fn check_sums(p: &GasProfile) {
    assert_eq!(
        p.intrinsic_base + p.intrinsic_calldata + p.intrinsic_other + p.execution_gas - p.refund
            + p.floor_topup,
        p.gas_used,
        "{p:#?}"
    );
    assert_eq!(
        p.own_ink(),
        i128::from(p.execution_gas) * i128::from(INK_PRICE),
        "frames' own work vs execution gas: {p:#?}"
    );
    for (i, f) in p.frames.iter().enumerate() {
        let children: u64 = p
            .frames
            .iter()
            .filter(|c| c.parent == Some(i))
            .map(|c| c.gas_used)
            .sum();
        assert_eq!(children, f.children_gas, "frame {i}");
        assert_eq!(f.unattributed_ink(), 0, "frame {i}: {f:#?}");
        assert!(f.evm_other_gas() >= 0, "frame {i}: {f:#?}");
    }
    let t = p.totals();
    let stylus = i128::from(t.stylus.attributed_ink()) + t.unattributed_ink;
    let evm = i128::from(t.evm.grouped_gas()) + t.evm_other_gas;
    assert_eq!(
        stylus + (evm + i128::from(t.immediate_gas) + t.deployer_gas) * i128::from(INK_PRICE),
        i128::from(p.execution_gas) * i128::from(INK_PRICE),
        "totals: {t:#?}"
    );
}

#[test]
fn compute_token_transfer_adds_up() {
    let mut t = setup();
    let data = transferCall {
        to: FRESH,
        value: U256::from(1),
    }
    .abi_encode();
    let calldata: u64 = data.iter().map(|b| if *b == 0 { 4 } else { 16 }).sum();
    let (r, p) = t.chain.call_profiled(t.addr, data);
    assert!(r.is_success(), "{r:?}");
    assert_eq!(p.gas_used, gas_used(&r));
    check_sums(&p);
    assert_eq!(
        (p.intrinsic_base, p.intrinsic_calldata, p.intrinsic_other),
        (21_000, calldata, 0)
    );
    assert_eq!(p.frames.len(), 1, "{p:#?}");
    let f = &p.frames[0];
    assert_eq!((f.kind, f.depth, f.address), (FrameKind::Stylus, 0, t.addr));
    let s = f.stylus.as_ref().unwrap();
    let hash = keccak256(t.chain.code(t.addr));
    let info = Engine::program_info(&mut t.chain.db, hash)
        .unwrap()
        .unwrap();
    // Uncached entry (the transaction's first call of the program), one page: free.
    assert!(!s.cached);
    assert_eq!(s.entry_init_gas, info.init_gas());
    assert_eq!(s.entry_cached_init_gas, info.cached_gas());
    assert_eq!(s.entry_memory_gas, 0);
    // Two balances written: the sender's (non-zero → non-zero, 2,900) and the fresh holder's
    // (0 → 1, 20,000); both slots were loaded first, so warm at the flush.
    assert_eq!(s.storage.stores, 2, "{s:#?}");
    assert_eq!(s.storage.stores_new, 1);
    assert_eq!(s.storage.stores_update, 1);
    assert_eq!(s.storage.sstore_gas, 22_900);
    assert_eq!(s.hostio(HostioId::StorageFlushCache).evm_gas, 22_900);
    assert_eq!(
        s.storage.sload_gas,
        2_100 * s.storage.loads_cold + 100 * s.storage.loads_warm
    );
    // Transfer(from, to, value): 3 topics, 32 data bytes.
    let log = s.hostio(HostioId::EmitLog);
    assert_eq!((log.count, log.evm_gas), (1, 375 * 4 + 8 * 32));
    assert_eq!(s.hostio(HostioId::ReadArgs).count, 1);
    assert!(s.wasm_ink > 0 && s.rounding_ink < INK_PRICE);
    for h in &s.hostios {
        assert!(h.ink >= h.evm_gas * INK_PRICE, "{h:?}");
    }
    // The same call again (existing holder): still exact.
    let (r, p) = t.chain.call_profiled(
        t.addr,
        transferCall {
            to: FRESH,
            value: U256::from(1),
        }
        .abi_encode(),
    );
    assert!(r.is_success());
    check_sums(&p);
    let s = p.frames[0].stylus.as_ref().unwrap();
    assert_eq!((s.storage.stores_new, s.storage.stores_update), (0, 2));
}

#[test]
fn nested_program_evm_program_adds_up() {
    let mut t = setup();
    // Stylus (P) → EVM forwarder → Stylus token: balanceOf through the chain.
    let mut fwd = t.addr.to_vec();
    fwd.extend(balanceOfCall { account: ALICE }.abi_encode());
    let mut data = vec![0x07];
    data.extend_from_slice(FWD.as_slice());
    data.extend_from_slice(&word(0));
    data.extend(fwd);
    let (r, p) = t.chain.call_profiled(P, data);
    assert!(r.is_success(), "{r:?}");
    assert_eq!(out(&r)[0], 0, "{r:?}");
    check_sums(&p);
    let kinds: Vec<_> = p
        .frames
        .iter()
        .map(|f| (f.kind, f.depth, f.parent))
        .collect();
    assert_eq!(
        kinds,
        [
            (FrameKind::Stylus, 0, None),
            (FrameKind::Evm, 1, Some(0)),
            (FrameKind::Stylus, 2, Some(1)),
        ]
    );
    let caller = p.frames[0].stylus.as_ref().unwrap();
    let call = caller.hostio(HostioId::CallContract);
    // One cold call (WasmCallCost: 100 + 2,500 cold).
    assert_eq!((call.count, call.evm_gas), (1, 2_600));
    assert!(p.frames[0].children_gas > 0);
    // The forwarder's own EVM work is all "other" (CALL, memory, returndata copies).
    let e = p.frames[1].evm.as_ref().unwrap();
    assert_eq!(e.grouped_gas(), 0);
    assert!(p.frames[1].evm_other_gas() > 0);
}

#[test]
fn evm_storage_and_immediate_frames_add_up() {
    let mut chain = Chain::new();
    let storer = revm::primitives::address!("0000000000000000000000000000000000005000");
    chain.set_code(storer, hex(EVM_STORER));
    let (r, p) = chain.call_profiled(storer, word(7).to_vec());
    assert!(r.is_success(), "{r:?}");
    check_sums(&p);
    let e = p.frames[0].evm.as_ref().unwrap();
    // SSTORE of a cold, zero slot: 2,100 + 20,000.
    assert_eq!((e.sstore.count, e.sstore.gas), (1, 22_100));
    assert_eq!(
        p.frames[0].evm_other_gas(),
        p.execution_gas as i128 - 22_100
    );
    // Clearing it again refunds (EIP-3529: 4,800, capped at a fifth of the gas spent).
    let (r, p) = chain.call_profiled(storer, word(0).to_vec());
    assert!(r.is_success());
    check_sums(&p);
    assert!(p.refund > 0);
    assert_eq!(p.frames[0].evm.as_ref().unwrap().refund, 4_800);

    // A call to an account without code is answered at frame setup.
    let (r, p) = chain.call_profiled(BOB, vec![1, 2, 3]);
    assert!(r.is_success());
    check_sums(&p);
    assert_eq!(p.frames.len(), 1);
    assert_eq!(p.frames[0].kind, FrameKind::Immediate);
    assert_eq!(p.execution_gas, 0);
}
