//! A real stylus-sdk 0.10 contract (this repository's `contracts/compute-token`), deployed through
//! the StylusDeployer with its constructor, activated and called from EVM and Stylus callers.
//!
//! The WASM is the deployed build (`scripts/build-wasm.sh`, see `common::contracts`).

use crate::common::*;
use alloy_sol_types::{sol, SolCall, SolValue};
use devnet_engine::{Engine, STYLUS_DEPLOYER};
use revm::context::result::ExecutionResult;
use revm::primitives::{address, keccak256, Address, Bytes, B256, U256};

sol! {
    function deploy(bytes bytecode, bytes initData, uint256 initValue, bytes32 salt) external payable returns (address);
    function balanceOf(address account) external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
    function approve(address spender, uint256 value) external returns (bool);
    function allowance(address owner, address spender) external view returns (uint256);
    function name() external view returns (string);
}

pub(crate) const P: Address = address!("0000000000000000000000000000000000001000");
pub(crate) const FWD: Address = address!("0000000000000000000000000000000000003000");
pub(crate) const FRESH: Address = address!("00000000000000000000000000000000c0ffee01");

fn compute_token_wasm() -> Vec<u8> {
    contracts()["compute-token"].clone()
}

pub(crate) struct Token {
    pub(crate) chain: Chain,
    pub(crate) addr: Address,
}

pub(crate) fn setup() -> Token {
    let mut chain = Chain::new();
    let code = stylus_format::cargo_stylus::deployable_code(&compute_token_wasm()).unwrap();
    assert!(code.len() <= devnet_engine::MAX_CODE_SIZE, "{}", code.len());
    let supply = U256::from(1_000_000u64) * U256::from(10u64).pow(U256::from(18));
    let mut init = hex("5585258d");
    init.extend(
        (
            "ComputeToken".to_string(),
            "CT".to_string(),
            ALICE,
            ALICE,
            supply,
        )
            .abi_encode_params(),
    );
    let data = deployCall {
        bytecode: Bytes::from(devnet_engine::deploy_initcode(&code)),
        initData: init.into(),
        initValue: U256::ZERO,
        salt: B256::ZERO,
    }
    .abi_encode();
    let r = chain.tx(
        ALICE,
        revm::primitives::TxKind::Call(STYLUS_DEPLOYER),
        data,
        U256::from(10u64).pow(U256::from(18)),
        16_000_000,
    );
    assert!(r.is_success(), "deploy failed: {r:?}");
    let addr = Address::from_slice(&out(&r)[12..32]);
    chain.install_wat(P, include_str!("../fixtures/hostio.wat"));
    chain.set_code(FWD, hex(EVM_FORWARDER));
    Token { chain, addr }
}

fn balance(t: &mut Token, who: Address) -> U256 {
    let r = t
        .chain
        .call(t.addr, balanceOfCall { account: who }.abi_encode());
    assert!(r.is_success(), "{r:?}");
    U256::from_be_slice(&out(&r))
}

#[test]
fn compute_token_end_to_end() {
    let mut t = setup();
    let supply = U256::from(1_000_000u64) * U256::from(10u64).pow(U256::from(18));
    assert_eq!(balance(&mut t, ALICE), supply);
    let r = t.chain.call(t.addr, nameCall {}.abi_encode());
    assert_eq!(String::abi_decode(&out(&r)).unwrap(), "ComputeToken");

    // transfer(to, 1) from a holder to a fresh account, uncached, one transaction per block.
    let r = t.chain.call(
        t.addr,
        transferCall {
            to: FRESH,
            value: U256::from(1),
        }
        .abi_encode(),
    );
    assert!(r.is_success(), "{r:?}");
    let gas = gas_used(&r);
    let hash = keccak256(t.chain.code(t.addr));
    let info = Engine::program_info(&mut t.chain.db, hash)
        .unwrap()
        .unwrap();
    // At least: intrinsic + program entry (init + cached; one page, free) + two cold SLOADs
    // (2,100 + 5 each) + the flush (2,900 for the sender's slot, 20,000 for the fresh one) + the
    // Transfer log (375 × 3 topics + 375 + 8 × 32). The rest is ink: WASM and hostio work.
    let calldata = transferCall {
        to: FRESH,
        value: U256::from(1),
    }
    .abi_encode();
    let intrinsic: u64 = 21_000
        + calldata
            .iter()
            .map(|b| if *b == 0 { 4 } else { 16 })
            .sum::<u64>();
    let floor = intrinsic
        + info.init_gas()
        + info.cached_gas()
        + 2 * 2105
        + 2_900
        + 20_000
        + 4 * 375
        + 8 * 32;
    eprintln!(
        "compute-token transfer: {gas} gas = {floor} (intrinsic, entry, storage, log) + {} (ink and the rest); init {}, cached {}",
        gas - floor,
        info.init_gas(),
        info.cached_gas()
    );
    assert!(gas > floor, "{gas} ≤ {floor}");
    assert_eq!(balance(&mut t, FRESH), U256::from(1));
    assert_eq!(r.logs().len(), 1, "Transfer event");

    // A revert is rolled back: transferring more than the balance fails, nothing changes.
    let r = t.chain.call(
        t.addr,
        transferCall {
            to: BOB,
            value: supply * U256::from(2),
        }
        .abi_encode(),
    );
    assert!(matches!(r, ExecutionResult::Revert { .. }), "{r:?}");
    assert_eq!(balance(&mut t, BOB), U256::ZERO);
    assert_eq!(balance(&mut t, ALICE), supply - U256::from(1));

    // Stylus (P) → EVM forwarder → Stylus token: balanceOf through the chain.
    let mut fwd = t.addr.to_vec();
    fwd.extend(balanceOfCall { account: ALICE }.abi_encode());
    let mut data = vec![0x07];
    data.extend_from_slice(t.addr.as_slice());
    data.truncate(1);
    data.extend_from_slice(FWD.as_slice());
    data.extend_from_slice(&word(0));
    data.extend(fwd);
    let r = t.chain.call(P, data);
    let o = out(&r);
    assert_eq!(o[0], 0, "{r:?}");
    assert_eq!(U256::from_be_slice(&o[5..]), supply - U256::from(1));

    // Static call of a writing method is rejected; the same call without STATICCALL works.
    let approve = approveCall {
        spender: BOB,
        value: U256::from(5),
    }
    .abi_encode();
    let mut data = vec![0x09];
    data.extend_from_slice(t.addr.as_slice());
    data.extend_from_slice(&approve);
    let o = out(&t.chain.call(P, data));
    assert_eq!(o[0], 2, "static approve must fail");
    let mut data = vec![0x07];
    data.extend_from_slice(t.addr.as_slice());
    data.extend_from_slice(&word(0));
    data.extend_from_slice(&approve);
    let o = out(&t.chain.call(P, data));
    assert_eq!(o[0], 0, "approve via call");
    let r = t.chain.call(
        t.addr,
        allowanceCall {
            owner: P,
            spender: BOB,
        }
        .abi_encode(),
    );
    assert_eq!(U256::from_be_slice(&out(&r)), U256::from(5));

    // Delegate call into the token: it runs on P's (empty) storage.
    let mut data = vec![0x08];
    data.extend_from_slice(t.addr.as_slice());
    data.extend(balanceOfCall { account: ALICE }.abi_encode());
    let o = out(&t.chain.call(P, data));
    assert_eq!(o[0], 0);
    assert_eq!(U256::from_be_slice(&o[5..]), U256::ZERO);
}
