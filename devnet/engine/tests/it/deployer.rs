//! The native StylusDeployer and the CREATE2 factory predeploys.

use crate::common::*;
use alloy_sol_types::{sol, SolCall};
use devnet_engine::{CREATE2_FACTORY, STYLUS_DEPLOYER};
use revm::context::result::ExecutionResult;
use revm::primitives::{keccak256, Address, Bytes, B256, U256};

sol! {
    function deploy(bytes bytecode, bytes initData, uint256 initValue, bytes32 salt) external payable returns (address);
    function requiresActivation(address addr) external view returns (bool);
    function initSalt(bytes32 salt, bytes initData) external pure returns (bytes32);
}

const WAT: &str = include_str!("../fixtures/hostio.wat");

fn program() -> Vec<u8> {
    devnet_engine::compress(&wat::parse_str(WAT).unwrap())
}

fn deploy_data(code: &[u8], init: Vec<u8>, init_value: u64, salt: B256) -> Vec<u8> {
    deployCall {
        bytecode: Bytes::from(devnet_engine::deploy_initcode(code)),
        initData: init.into(),
        initValue: U256::from(init_value),
        salt,
    }
    .abi_encode()
}

fn eth() -> U256 {
    U256::from(10u64).pow(U256::from(18))
}

#[test]
fn deploy_activate_and_construct() {
    let mut c = Chain::new();
    let code = program();
    // "Constructor": op 0x03 stores (7 → 99).
    let mut init = vec![0x03];
    init.extend_from_slice(&word(7));
    init.extend_from_slice(&word(99));
    let before = c.balance(ALICE);
    let r = c.call_value(
        STYLUS_DEPLOYER,
        deploy_data(&code, init, 0, B256::ZERO),
        eth(),
    );
    assert!(r.is_success(), "{r:?}");
    let addr = Address::from_slice(&out(&r)[12..32]);
    assert_eq!(addr, STYLUS_DEPLOYER.create(1));
    let log = r.logs().last().unwrap();
    assert_eq!(log.address, STYLUS_DEPLOYER);
    assert_eq!(
        log.topics()[0].to_vec(),
        hex("8ffcdc15a283d706d38281f500270d8b5a656918f555de0913d7455e3e6bc1bf")
    );
    assert_eq!(&log.data.data[12..], addr.as_slice());
    assert_eq!(c.code(addr).to_vec(), code);
    assert_eq!(c.storage(addr, U256::from(7)), U256::from(99));
    // Only the data fee was kept; the rest came back, and the deployer holds nothing.
    let spent = before - c.balance(ALICE);
    assert!(spent < eth() / U256::from(1000), "{spent}");
    assert_eq!(c.balance(STYLUS_DEPLOYER), U256::ZERO);
    // Same code again: no activation needed.
    let r = c.call(
        STYLUS_DEPLOYER,
        requiresActivationCall { addr }.abi_encode(),
    );
    assert_eq!(out(&r).to_vec(), word(0));
    let r = c.call(STYLUS_DEPLOYER, deploy_data(&code, vec![], 0, B256::ZERO));
    assert!(r.is_success(), "{r:?}");
}

#[test]
fn deploy_with_salt_uses_create2() {
    let mut c = Chain::new();
    let code = program();
    let salt = B256::from(word(42));
    let init = vec![0x31];
    let r = c.call(
        STYLUS_DEPLOYER,
        initSaltCall {
            salt,
            initData: init.clone().into(),
        }
        .abi_encode(),
    );
    let real_salt = B256::from_slice(&out(&r));
    let mut packed = salt.to_vec();
    packed.extend_from_slice(&init);
    assert_eq!(real_salt, keccak256(&packed));
    let initcode = devnet_engine::deploy_initcode(&code);
    let r = c.call_value(STYLUS_DEPLOYER, deploy_data(&code, init, 0, salt), eth());
    assert!(r.is_success(), "{r:?}");
    let addr = Address::from_slice(&out(&r)[12..32]);
    assert_eq!(
        addr,
        STYLUS_DEPLOYER.create2(real_salt, keccak256(&initcode))
    );
}

#[test]
fn deployer_errors() {
    let mut c = Chain::new();
    let code = program();
    let revert_data = |r: &ExecutionResult| match r {
        ExecutionResult::Revert { output, .. } => output.to_vec(),
        other => panic!("expected revert, got {other:?}"),
    };
    let empty = deployCall {
        bytecode: Bytes::new(),
        initData: Bytes::new(),
        initValue: U256::ZERO,
        salt: B256::ZERO,
    }
    .abi_encode();
    assert_eq!(
        revert_data(&c.call(STYLUS_DEPLOYER, empty)),
        hex("21744a59")
    );
    let r = c.call_value(
        STYLUS_DEPLOYER,
        deploy_data(&code, vec![], 5, B256::ZERO),
        eth(),
    );
    assert_eq!(revert_data(&r), hex("00cc7971"));
    // Init (constructor) fails: ContractInitializationError(address, bytes) with the program's
    // (empty) revert data.
    let r = c.call_value(
        STYLUS_DEPLOYER,
        deploy_data(&code, vec![0x29], 0, B256::ZERO),
        eth(),
    );
    let d = revert_data(&r);
    assert_eq!(
        &d[..4],
        &keccak256("ContractInitializationError(address,bytes)")[..4]
    );
    assert_eq!(d.len(), 4 + 32 * 3);
    assert_eq!(&d[4 + 32 + 31..4 + 64], &[0x40]);
    assert_eq!(&d[4 + 64..], &word(0));
    // Init code that reverts: bubbled up.
    let mut bad = devnet_engine::deploy_initcode(&code);
    bad.clear();
    bad.extend(hex(EVM_REVERTER));
    let data = deployCall {
        bytecode: bad.into(),
        initData: Bytes::new(),
        initValue: U256::ZERO,
        salt: B256::ZERO,
    }
    .abi_encode();
    assert_eq!(revert_data(&c.call(STYLUS_DEPLOYER, data)), vec![0xaa]);
}

#[test]
fn create2_factory_deploys() {
    let mut c = Chain::new();
    let initcode = devnet_engine::deploy_initcode(&hex(EVM_STORER));
    let salt = B256::from(word(1));
    let mut data = salt.to_vec();
    data.extend_from_slice(&initcode);
    let r = c.call(CREATE2_FACTORY, data);
    assert!(r.is_success(), "{r:?}");
    let addr = CREATE2_FACTORY.create2(salt, keccak256(&initcode));
    assert_eq!(out(&r).to_vec(), addr.to_vec());
    assert_eq!(c.code(addr).to_vec(), hex(EVM_STORER));
}

#[test]
fn deploy_forwards_init_value_and_refunds_rest() {
    let mut c = Chain::new();
    let code = program();
    let before = c.balance(ALICE);
    let r = c.call_value(
        STYLUS_DEPLOYER,
        deploy_data(&code, vec![0x31], 5, B256::ZERO),
        eth(),
    );
    assert!(r.is_success(), "{r:?}");
    let addr = Address::from_slice(&out(&r)[12..32]);
    assert_eq!(c.balance(addr), U256::from(5));
    assert_eq!(c.balance(STYLUS_DEPLOYER), U256::ZERO);
    let fee = before - c.balance(ALICE) - U256::from(5);
    assert!(fee > U256::ZERO && fee < eth() / U256::from(1000), "{fee}");
    // Creation failing without revert data (code above 24,576 bytes): ContractDeploymentError.
    let mut big = vec![0xEF, 0xF0, 0x00, 0x00];
    big.resize(24_577, 0);
    let r = c.tx(
        ALICE,
        revm::primitives::TxKind::Call(STYLUS_DEPLOYER),
        deploy_data(&big, vec![], 0, B256::ZERO),
        U256::ZERO,
        16_000_000,
    );
    assert!(
        matches!(r, ExecutionResult::Revert { ref output, .. } if output.starts_with(&hex("794c92ce"))),
        "{r:?}"
    );
}
