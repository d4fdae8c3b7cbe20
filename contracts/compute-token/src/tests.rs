//! Unit tests on the SDK's `TestVM`: every public function, every error with its fields and with
//! storage and logs proven unchanged, every event. Property tests live in `proptests`.

use alloy_primitives::{address, hex, keccak256, uint, Address, B256, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{eip712_domain, sol, SolError, SolStruct};
use common::access::{
    AccessControl, AccessControlBadConfirmation, AccessControlInvalidDefaultAdmin,
    AccessControlUnauthorizedAccount, RoleGranted, RoleRevoked,
};
use common::roles::{DEFAULT_ADMIN_ROLE, MINTER_ROLE};
use stylus_sdk::testing::TestVM;

use testing::{assert_reverts, logs_of, only_log};

use super::*;

mod proptests;

pub(crate) const DEPLOYER: Address = address!("cEcba2F1DC234f70Dd89F2041029807F8D03A990");
pub(crate) const ADMIN: Address = address!("000000000000000000000000000000000000a11c");
pub(crate) const HOLDER: Address = address!("0000000000000000000000000000000000000b0b");
pub(crate) const MINTER: Address = address!("000000000000000000000000000000000000c0de");
const ALICE: Address = address!("00000000000000000000000000000000000a11ce");
const SPENDER: Address = address!("00000000000000000000000000000000005be0d0");
pub(crate) const NAME: &str = "Compute Token";
pub(crate) const SYMBOL: &str = "CT";

pub(crate) fn ct(n: u64) -> U256 {
    U256::from(n) * uint!(1_000_000_000_000_000_000_U256)
}

pub(crate) fn genesis() -> U256 {
    ct(100_000_000)
}

/// A deployed token: constructed by StylusDeployer with HOLDER holding the genesis supply, MINTER
/// holding MINTER_ROLE, and the caller set to HOLDER. Logs are cleared.
pub(crate) fn deploy() -> (TestVM, ComputeToken) {
    let vm = TestVM::new();
    vm.set_sender(DEPLOYER);
    let mut token = ComputeToken::from(&vm);
    token
        .constructor(NAME.into(), SYMBOL.into(), ADMIN, HOLDER, genesis())
        .unwrap();
    vm.set_sender(ADMIN);
    token.grant_role(MINTER_ROLE, MINTER).unwrap();
    vm.set_sender(HOLDER);
    vm.clear_mocks();
    (vm, token)
}

/// Guards `assert_reverts`: TestVM's snapshot must see a successful call's writes, or the
/// "nothing written" checks above would pass vacuously.
#[test]
fn snapshots_see_storage_writes() {
    let (vm, mut token) = deploy();
    let before = vm.snapshot().storage;
    token.transfer(ALICE, U256::from(1)).unwrap();
    assert_ne!(vm.snapshot().storage, before);
}

// ---------------------------------------------------------------------------------------------
// Constructor
// ---------------------------------------------------------------------------------------------

#[test]
fn constructor_sets_metadata_admin_and_genesis_supply() {
    let vm = TestVM::new();
    vm.set_sender(DEPLOYER);
    let mut token = ComputeToken::from(&vm);
    token
        .constructor(NAME.into(), SYMBOL.into(), ADMIN, HOLDER, genesis())
        .unwrap();
    assert_eq!(token.name(), NAME);
    assert_eq!(token.symbol(), SYMBOL);
    assert_eq!(token.decimals(), 18);
    assert_eq!(token.total_supply(), genesis());
    assert_eq!(token.balance_of(HOLDER), genesis());
    assert!(token.has_role(DEFAULT_ADMIN_ROLE, ADMIN));
    assert!(
        !token.has_role(DEFAULT_ADMIN_ROLE, DEPLOYER),
        "the deployer contract gets nothing"
    );
    assert!(
        !token.has_role(MINTER_ROLE, ADMIN),
        "nobody mints until the admin says so"
    );
    assert_eq!(
        logs_of::<RoleGranted>(&vm),
        vec![RoleGranted {
            role: DEFAULT_ADMIN_ROLE,
            account: ADMIN,
            sender: DEPLOYER
        }]
    );
    assert_eq!(
        logs_of::<Transfer>(&vm),
        vec![Transfer {
            from: Address::ZERO,
            to: HOLDER,
            value: genesis()
        }]
    );
}

#[test]
fn constructor_accepts_the_largest_genesis_supply_and_none() {
    let vm = TestVM::new();
    let mut token = ComputeToken::from(&vm);
    token
        .constructor(
            NAME.into(),
            SYMBOL.into(),
            ADMIN,
            HOLDER,
            MAX_GENESIS_SUPPLY,
        )
        .unwrap();
    assert_eq!(token.total_supply(), ct(650_000_000));

    let vm = TestVM::new();
    let mut token = ComputeToken::from(&vm);
    token
        .constructor(NAME.into(), SYMBOL.into(), ADMIN, Address::ZERO, U256::ZERO)
        .unwrap();
    assert_eq!(token.total_supply(), U256::ZERO);
    assert_eq!(
        logs_of::<Transfer>(&vm),
        vec![],
        "no mint event for an empty genesis"
    );
}

#[test]
fn constructor_reverts_when_admin_is_zero() {
    let vm = TestVM::new();
    let mut token = ComputeToken::from(&vm);
    assert_reverts(
        &vm,
        Error::Common(common::errors::CommonError::InvalidDefaultAdmin(
            AccessControlInvalidDefaultAdmin {
                defaultAdmin: Address::ZERO,
            },
        )),
        || token.constructor(NAME.into(), SYMBOL.into(), Address::ZERO, HOLDER, genesis()),
    );
}

#[test]
fn constructor_reverts_when_genesis_supply_exceeds_650m() {
    let vm = TestVM::new();
    let mut token = ComputeToken::from(&vm);
    let too_much = MAX_GENESIS_SUPPLY + U256::from(1);
    assert_reverts(
        &vm,
        Error::GenesisSupplyTooLarge(ComputeTokenGenesisSupplyTooLarge {
            genesisSupply: too_much,
            maxGenesisSupply: ct(650_000_000),
        }),
        || token.constructor(NAME.into(), SYMBOL.into(), ADMIN, HOLDER, too_much),
    );
}

#[test]
fn constructor_reverts_when_genesis_holder_is_zero() {
    let vm = TestVM::new();
    let mut token = ComputeToken::from(&vm);
    assert_reverts(
        &vm,
        Error::InvalidReceiver(ERC20InvalidReceiver {
            receiver: Address::ZERO,
        }),
        || token.constructor(NAME.into(), SYMBOL.into(), ADMIN, Address::ZERO, genesis()),
    );
}

#[test]
fn constructor_reverts_when_metadata_is_longer_than_31_bytes() {
    let vm = TestVM::new();
    let mut token = ComputeToken::from(&vm);
    let long = "x".repeat(32);
    let expected = Error::MetadataTooLong(ComputeTokenMetadataTooLong {
        length: U256::from(32),
        maxLength: U256::from(31),
    });
    assert_reverts(&vm, expected, || {
        token.constructor(long.clone(), SYMBOL.into(), ADMIN, HOLDER, genesis())
    });
    let expected = Error::MetadataTooLong(ComputeTokenMetadataTooLong {
        length: U256::from(32),
        maxLength: U256::from(31),
    });
    assert_reverts(&vm, expected, || {
        token.constructor(NAME.into(), long.clone(), ADMIN, HOLDER, genesis())
    });
}

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

#[test]
fn cap_is_one_billion_tokens() {
    let (_vm, token) = deploy();
    assert_eq!(token.cap(), ct(1_000_000_000));
    assert_eq!(MAX_SUPPLY, ct(1_000_000_000));
}

#[test]
fn role_getters_return_the_role_ids() {
    let (_vm, token) = deploy();
    assert_eq!(token.minter_role(), keccak256("MINTER_ROLE"));
    assert_eq!(token.default_admin_role(), B256::ZERO);
}

// ---------------------------------------------------------------------------------------------
// transfer
// ---------------------------------------------------------------------------------------------

#[test]
fn transfer_moves_balance_and_emits_transfer() {
    let (vm, mut token) = deploy();
    assert!(token.transfer(ALICE, ct(10)).unwrap());
    assert_eq!(token.balance_of(ALICE), ct(10));
    assert_eq!(token.balance_of(HOLDER), genesis() - ct(10));
    assert_eq!(token.total_supply(), genesis());
    only_log(
        &vm,
        Transfer {
            from: HOLDER,
            to: ALICE,
            value: ct(10),
        },
    );
}

#[test]
fn transfer_to_self_and_of_zero_change_nothing_but_emit() {
    let (vm, mut token) = deploy();
    assert!(token.transfer(HOLDER, ct(5)).unwrap());
    assert_eq!(token.balance_of(HOLDER), genesis());
    assert!(token.transfer(ALICE, U256::ZERO).unwrap());
    assert_eq!(token.balance_of(ALICE), U256::ZERO);
    assert_eq!(logs_of::<Transfer>(&vm).len(), 2);
}

#[test]
fn transfer_of_whole_balance_empties_it() {
    let (_vm, mut token) = deploy();
    token.transfer(ALICE, genesis()).unwrap();
    assert_eq!(token.balance_of(HOLDER), U256::ZERO);
    assert_eq!(token.balance_of(ALICE), genesis());
}

#[test]
fn transfer_reverts_when_balance_is_insufficient() {
    let (vm, mut token) = deploy();
    vm.set_sender(ALICE);
    assert_reverts(
        &vm,
        Error::InsufficientBalance(ERC20InsufficientBalance {
            sender: ALICE,
            balance: U256::ZERO,
            needed: U256::from(1),
        }),
        || token.transfer(HOLDER, U256::from(1)),
    );
}

#[test]
fn transfer_reverts_when_receiver_is_zero() {
    let (vm, mut token) = deploy();
    assert_reverts(
        &vm,
        Error::InvalidReceiver(ERC20InvalidReceiver {
            receiver: Address::ZERO,
        }),
        || token.transfer(Address::ZERO, U256::from(1)),
    );
}

// ---------------------------------------------------------------------------------------------
// approve / allowance / transferFrom
// ---------------------------------------------------------------------------------------------

#[test]
fn approve_sets_allowance_and_emits_approval() {
    let (vm, mut token) = deploy();
    assert!(token.approve(SPENDER, ct(3)).unwrap());
    assert_eq!(token.allowance(HOLDER, SPENDER), ct(3));
    assert!(
        token.approve(SPENDER, ct(1)).unwrap(),
        "approve overwrites, not adds"
    );
    assert_eq!(token.allowance(HOLDER, SPENDER), ct(1));
    assert_eq!(
        logs_of::<Approval>(&vm),
        vec![
            Approval {
                owner: HOLDER,
                spender: SPENDER,
                value: ct(3)
            },
            Approval {
                owner: HOLDER,
                spender: SPENDER,
                value: ct(1)
            }
        ]
    );
}

#[test]
fn approve_reverts_when_spender_is_zero() {
    let (vm, mut token) = deploy();
    assert_reverts(
        &vm,
        Error::InvalidSpender(ERC20InvalidSpender {
            spender: Address::ZERO,
        }),
        || token.approve(Address::ZERO, U256::from(1)),
    );
}

#[test]
fn transfer_from_spends_allowance_without_approval_event() {
    let (vm, mut token) = deploy();
    token.approve(SPENDER, ct(5)).unwrap();
    vm.clear_mocks();
    vm.set_sender(SPENDER);
    assert!(token.transfer_from(HOLDER, ALICE, ct(2)).unwrap());
    assert_eq!(token.allowance(HOLDER, SPENDER), ct(3));
    assert_eq!(token.balance_of(ALICE), ct(2));
    only_log(
        &vm,
        Transfer {
            from: HOLDER,
            to: ALICE,
            value: ct(2),
        },
    );
}

#[test]
fn transfer_from_keeps_an_infinite_allowance() {
    let (vm, mut token) = deploy();
    token.approve(SPENDER, U256::MAX).unwrap();
    vm.set_sender(SPENDER);
    token.transfer_from(HOLDER, ALICE, ct(7)).unwrap();
    assert_eq!(token.allowance(HOLDER, SPENDER), U256::MAX);
}

#[test]
fn transfer_from_reverts_when_allowance_is_insufficient() {
    let (vm, mut token) = deploy();
    token.approve(SPENDER, ct(1)).unwrap();
    vm.set_sender(SPENDER);
    assert_reverts(
        &vm,
        Error::InsufficientAllowance(ERC20InsufficientAllowance {
            spender: SPENDER,
            allowance: ct(1),
            needed: ct(2),
        }),
        || token.transfer_from(HOLDER, ALICE, ct(2)),
    );
}

#[test]
fn transfer_from_reverts_on_insufficient_balance_and_keeps_allowance() {
    let (vm, mut token) = deploy();
    vm.set_sender(ALICE);
    token.approve(SPENDER, ct(9)).unwrap();
    vm.set_sender(SPENDER);
    assert_reverts(
        &vm,
        Error::InsufficientBalance(ERC20InsufficientBalance {
            sender: ALICE,
            balance: U256::ZERO,
            needed: ct(9),
        }),
        || token.transfer_from(ALICE, HOLDER, ct(9)),
    );
    assert_eq!(token.allowance(ALICE, SPENDER), ct(9));
}

#[test]
fn transfer_from_reverts_when_receiver_is_zero() {
    let (vm, mut token) = deploy();
    token.approve(SPENDER, ct(1)).unwrap();
    vm.set_sender(SPENDER);
    assert_reverts(
        &vm,
        Error::InvalidReceiver(ERC20InvalidReceiver {
            receiver: Address::ZERO,
        }),
        || token.transfer_from(HOLDER, Address::ZERO, ct(1)),
    );
}

#[test]
fn transfer_from_reverts_when_owner_is_zero() {
    let (vm, mut token) = deploy();
    vm.set_sender(SPENDER);
    // As in OpenZeppelin: a zero-value spend from address(0) fails the approver check.
    assert_reverts(
        &vm,
        Error::InvalidApprover(ERC20InvalidApprover {
            approver: Address::ZERO,
        }),
        || token.transfer_from(Address::ZERO, ALICE, U256::ZERO),
    );
    assert_reverts(
        &vm,
        Error::InsufficientAllowance(ERC20InsufficientAllowance {
            spender: SPENDER,
            allowance: U256::ZERO,
            needed: U256::from(1),
        }),
        || token.transfer_from(Address::ZERO, ALICE, U256::from(1)),
    );
}

// ---------------------------------------------------------------------------------------------
// mint / cap
// ---------------------------------------------------------------------------------------------

#[test]
fn mint_by_minter_increases_supply_and_emits_transfer() {
    let (vm, mut token) = deploy();
    vm.set_sender(MINTER);
    token.mint(ALICE, ct(42)).unwrap();
    assert_eq!(token.balance_of(ALICE), ct(42));
    assert_eq!(token.total_supply(), genesis() + ct(42));
    only_log(
        &vm,
        Transfer {
            from: Address::ZERO,
            to: ALICE,
            value: ct(42),
        },
    );
}

#[test]
fn mint_reverts_when_caller_lacks_minter_role() {
    let (vm, mut token) = deploy();
    for caller in [HOLDER, ADMIN, DEPLOYER] {
        vm.set_sender(caller);
        assert_reverts(
            &vm,
            Error::Common(common::errors::CommonError::UnauthorizedAccount(
                AccessControlUnauthorizedAccount {
                    account: caller,
                    neededRole: MINTER_ROLE,
                },
            )),
            || token.mint(ALICE, U256::from(1)),
        );
    }
}

#[test]
fn mint_up_to_the_cap_succeeds_and_one_more_reverts() {
    let (vm, mut token) = deploy();
    vm.set_sender(MINTER);
    let room = MAX_SUPPLY - token.total_supply();
    token.mint(ALICE, room).unwrap();
    assert_eq!(token.total_supply(), MAX_SUPPLY);
    vm.clear_mocks();
    assert_reverts(
        &vm,
        Error::ExceededCap(ERC20ExceededCap {
            increasedSupply: MAX_SUPPLY + U256::from(1),
            cap: MAX_SUPPLY,
        }),
        || token.mint(ALICE, U256::from(1)),
    );
}

#[test]
fn mint_reports_max_uint_when_the_sum_overflows() {
    let (vm, mut token) = deploy();
    vm.set_sender(MINTER);
    assert_reverts(
        &vm,
        Error::ExceededCap(ERC20ExceededCap {
            increasedSupply: U256::MAX,
            cap: MAX_SUPPLY,
        }),
        || token.mint(ALICE, U256::MAX),
    );
}

#[test]
fn mint_reverts_when_receiver_is_zero() {
    let (vm, mut token) = deploy();
    vm.set_sender(MINTER);
    assert_reverts(
        &vm,
        Error::InvalidReceiver(ERC20InvalidReceiver {
            receiver: Address::ZERO,
        }),
        || token.mint(Address::ZERO, U256::from(1)),
    );
}

// ---------------------------------------------------------------------------------------------
// burn / burnFrom
// ---------------------------------------------------------------------------------------------

#[test]
fn burn_destroys_tokens_and_emits_transfer_to_zero() {
    let (vm, mut token) = deploy();
    token.burn(ct(4)).unwrap();
    assert_eq!(token.total_supply(), genesis() - ct(4));
    assert_eq!(token.balance_of(HOLDER), genesis() - ct(4));
    only_log(
        &vm,
        Transfer {
            from: HOLDER,
            to: Address::ZERO,
            value: ct(4),
        },
    );
}

#[test]
fn burn_reverts_when_balance_is_insufficient() {
    let (vm, mut token) = deploy();
    vm.set_sender(ALICE);
    assert_reverts(
        &vm,
        Error::InsufficientBalance(ERC20InsufficientBalance {
            sender: ALICE,
            balance: U256::ZERO,
            needed: U256::from(1),
        }),
        || token.burn(U256::from(1)),
    );
}

#[test]
fn burn_from_spends_allowance_and_burns() {
    let (vm, mut token) = deploy();
    token.approve(SPENDER, ct(10)).unwrap();
    vm.clear_mocks();
    vm.set_sender(SPENDER);
    token.burn_from(HOLDER, ct(6)).unwrap();
    assert_eq!(token.allowance(HOLDER, SPENDER), ct(4));
    assert_eq!(token.total_supply(), genesis() - ct(6));
    only_log(
        &vm,
        Transfer {
            from: HOLDER,
            to: Address::ZERO,
            value: ct(6),
        },
    );
}

#[test]
fn burn_from_keeps_an_infinite_allowance() {
    let (vm, mut token) = deploy();
    token.approve(SPENDER, U256::MAX).unwrap();
    vm.set_sender(SPENDER);
    token.burn_from(HOLDER, ct(6)).unwrap();
    assert_eq!(token.allowance(HOLDER, SPENDER), U256::MAX);
}

#[test]
fn burn_from_reverts_when_allowance_is_insufficient() {
    let (vm, mut token) = deploy();
    vm.set_sender(SPENDER);
    assert_reverts(
        &vm,
        Error::InsufficientAllowance(ERC20InsufficientAllowance {
            spender: SPENDER,
            allowance: U256::ZERO,
            needed: ct(1),
        }),
        || token.burn_from(HOLDER, ct(1)),
    );
}

#[test]
fn burn_from_reverts_on_insufficient_balance_and_keeps_allowance() {
    let (vm, mut token) = deploy();
    vm.set_sender(ALICE);
    token.approve(SPENDER, ct(1)).unwrap();
    vm.set_sender(SPENDER);
    assert_reverts(
        &vm,
        Error::InsufficientBalance(ERC20InsufficientBalance {
            sender: ALICE,
            balance: U256::ZERO,
            needed: ct(1),
        }),
        || token.burn_from(ALICE, ct(1)),
    );
    assert_eq!(token.allowance(ALICE, SPENDER), ct(1));
}

// ---------------------------------------------------------------------------------------------
// EIP-712 / EIP-2612 permit / ERC-5267
// ---------------------------------------------------------------------------------------------

sol! {
    struct Permit {
        address owner;
        address spender;
        uint256 value;
        uint256 nonce;
        uint256 deadline;
    }
}

fn domain(vm: &TestVM) -> alloy_sol_types::Eip712Domain {
    eip712_domain! {
        name: NAME,
        version: "1",
        chain_id: vm.chain_id(),
        verifying_contract: vm.contract_address(),
    }
}

fn signer() -> PrivateKeySigner {
    // A real secp256k1 key (any 32 bytes below the curve order).
    PrivateKeySigner::from_bytes(&B256::repeat_byte(0x42)).unwrap()
}

struct SignedPermit {
    digest: B256,
    v: u8,
    r: B256,
    s: B256,
}

fn sign_permit(vm: &TestVM, key: &PrivateKeySigner, permit: &Permit) -> SignedPermit {
    let digest = permit.eip712_signing_hash(&domain(vm));
    let sig = key.sign_hash_sync(&digest).unwrap();
    SignedPermit {
        digest,
        v: 27 + u8::from(sig.v()),
        r: sig.r().into(),
        s: sig.s().into(),
    }
}

fn ecrecover_input(digest: B256, v: u8, r: B256, s: B256) -> Vec<u8> {
    [
        digest.as_slice(),
        U256::from(v).to_be_bytes::<32>().as_slice(),
        r.as_slice(),
        s.as_slice(),
    ]
    .concat()
}

/// Makes the VM's `ecrecover` precompile answer `signer` for exactly this input, as the real
/// precompile would. TestVM answers unknown inputs with empty output (the precompile's "no address").
fn mock_ecrecover(vm: &TestVM, digest: B256, v: u8, r: B256, s: B256, signer: Address) {
    let mut out = [0u8; 32];
    out[12..].copy_from_slice(signer.as_slice());
    vm.mock_static_call(
        permit::ECRECOVER,
        ecrecover_input(digest, v, r, s),
        Ok(out.to_vec()),
    );
}

/// Recovers the signer like the precompile does, with alloy's secp256k1.
fn recover(digest: B256, v: u8, r: B256, s: B256) -> Address {
    let sig = alloy_primitives::Signature::new(r.into(), s.into(), v == 28);
    sig.recover_address_from_prehash(&digest).unwrap()
}

fn permit_for(owner: Address, deadline: u64) -> Permit {
    Permit {
        owner,
        spender: SPENDER,
        value: ct(77),
        nonce: U256::ZERO,
        deadline: U256::from(deadline),
    }
}

#[test]
fn domain_separator_matches_eip712_and_follows_the_chain_id() {
    let (vm, token) = deploy();
    assert_eq!(token.domain_separator(), domain(&vm).separator());
    let before = token.domain_separator();
    vm.set_chain_id(412_346);
    assert_eq!(token.domain_separator(), domain(&vm).separator());
    assert_ne!(
        token.domain_separator(),
        before,
        "a fork's chain id gets a new domain"
    );
}

#[test]
fn eip712_domain_reports_erc5267_fields() {
    let (vm, token) = deploy();
    let (fields, name, version, chain_id, verifying, salt, extensions) = token.eip712_domain();
    assert_eq!(fields.0, [0x0f]);
    assert_eq!(name, NAME);
    assert_eq!(version, "1");
    assert_eq!(chain_id, U256::from(vm.chain_id()));
    assert_eq!(verifying, vm.contract_address());
    assert_eq!(salt, B256::ZERO);
    assert!(extensions.is_empty());
}

#[test]
fn typehashes_match_their_definitions() {
    assert_eq!(
        permit::PERMIT_TYPEHASH,
        keccak256(
            "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
        )
    );
    assert_eq!(
        Permit::eip712_type_hash(&permit_for(ALICE, 0)),
        permit::PERMIT_TYPEHASH
    );
    assert_eq!(
        permit::DOMAIN_TYPEHASH,
        keccak256(
            "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
        )
    );
}

#[test]
fn permit_with_a_real_signature_sets_allowance_and_uses_the_nonce() {
    let (vm, mut token) = deploy();
    vm.set_block_timestamp(1_000);
    let key = signer();
    let owner = key.address();
    let p = permit_for(owner, 1_000);
    let sp = sign_permit(&vm, &key, &p);
    // The mock only answers the exact digest alloy computed, so this also proves the contract's
    // EIP-712 encoding.
    mock_ecrecover(
        &vm,
        sp.digest,
        sp.v,
        sp.r,
        sp.s,
        recover(sp.digest, sp.v, sp.r, sp.s),
    );
    vm.set_sender(ALICE); // anyone may submit a permit
    token
        .permit(owner, SPENDER, p.value, p.deadline, sp.v, sp.r, sp.s)
        .unwrap();
    assert_eq!(token.allowance(owner, SPENDER), ct(77));
    assert_eq!(token.nonces(owner), U256::from(1));
    only_log(
        &vm,
        Approval {
            owner,
            spender: SPENDER,
            value: ct(77),
        },
    );
}

#[test]
fn permit_cannot_be_replayed() {
    let (vm, mut token) = deploy();
    let key = signer();
    let owner = key.address();
    let p = permit_for(owner, 10);
    let sp = sign_permit(&vm, &key, &p);
    mock_ecrecover(&vm, sp.digest, sp.v, sp.r, sp.s, owner);
    token
        .permit(owner, SPENDER, p.value, p.deadline, sp.v, sp.r, sp.s)
        .unwrap();

    // The same signature now covers nonce 1; it recovers to some unrelated key.
    let next = Permit {
        nonce: U256::from(1),
        ..p.clone()
    };
    let digest = next.eip712_signing_hash(&domain(&vm));
    let other = recover(digest, sp.v, sp.r, sp.s);
    assert_ne!(other, owner);
    vm.clear_mocks();
    mock_ecrecover(&vm, digest, sp.v, sp.r, sp.s, other);
    assert_reverts(
        &vm,
        Error::InvalidSigner(ERC2612InvalidSigner {
            signer: other,
            owner,
        }),
        || token.permit(owner, SPENDER, p.value, p.deadline, sp.v, sp.r, sp.s),
    );
    assert_eq!(token.nonces(owner), U256::from(1));
}

#[test]
fn permit_reverts_after_the_deadline() {
    let (vm, mut token) = deploy();
    vm.set_block_timestamp(1_001);
    let key = signer();
    let p = permit_for(key.address(), 1_000);
    let sp = sign_permit(&vm, &key, &p);
    mock_ecrecover(&vm, sp.digest, sp.v, sp.r, sp.s, key.address());
    assert_reverts(
        &vm,
        Error::ExpiredSignature(ERC2612ExpiredSignature {
            deadline: U256::from(1_000),
        }),
        || {
            token.permit(
                key.address(),
                SPENDER,
                p.value,
                p.deadline,
                sp.v,
                sp.r,
                sp.s,
            )
        },
    );
}

#[test]
fn permit_reverts_when_signed_by_another_key() {
    let (vm, mut token) = deploy();
    let key = signer();
    let p = permit_for(ALICE, 10); // claims ALICE, signed by `key`
    let sp = sign_permit(&vm, &key, &p);
    mock_ecrecover(
        &vm,
        sp.digest,
        sp.v,
        sp.r,
        sp.s,
        recover(sp.digest, sp.v, sp.r, sp.s),
    );
    assert_reverts(
        &vm,
        Error::InvalidSigner(ERC2612InvalidSigner {
            signer: key.address(),
            owner: ALICE,
        }),
        || token.permit(ALICE, SPENDER, p.value, p.deadline, sp.v, sp.r, sp.s),
    );
    assert_eq!(token.nonces(ALICE), U256::ZERO);
}

#[test]
fn permit_reverts_when_the_signature_recovers_nothing() {
    let (vm, mut token) = deploy();
    // No mock: the precompile returns no output, as it does for an invalid `v`.
    assert_reverts(
        &vm,
        Error::InvalidSignature(ECDSAInvalidSignature {}),
        || {
            token.permit(
                ALICE,
                SPENDER,
                ct(1),
                U256::MAX,
                29,
                B256::repeat_byte(1),
                B256::repeat_byte(2),
            )
        },
    );
}

#[test]
fn permit_reverts_on_a_malleable_high_s() {
    let (vm, mut token) = deploy();
    let high_s = B256::from(hex!(
        "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1"
    ));
    assert_reverts(
        &vm,
        Error::InvalidSignatureS(ECDSAInvalidSignatureS { s: high_s }),
        || {
            token.permit(
                ALICE,
                SPENDER,
                ct(1),
                U256::MAX,
                27,
                B256::repeat_byte(1),
                high_s,
            )
        },
    );
}

#[test]
fn permit_reverts_when_spender_is_zero() {
    let (vm, mut token) = deploy();
    let key = signer();
    let p = Permit {
        spender: Address::ZERO,
        ..permit_for(key.address(), 10)
    };
    let sp = sign_permit(&vm, &key, &p);
    mock_ecrecover(&vm, sp.digest, sp.v, sp.r, sp.s, key.address());
    assert_reverts(
        &vm,
        Error::InvalidSpender(ERC20InvalidSpender {
            spender: Address::ZERO,
        }),
        || {
            token.permit(
                key.address(),
                Address::ZERO,
                p.value,
                p.deadline,
                sp.v,
                sp.r,
                sp.s,
            )
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Access control
// ---------------------------------------------------------------------------------------------

#[test]
fn admin_grants_and_revokes_roles_with_events() {
    let (vm, mut token) = deploy();
    vm.set_sender(ADMIN);
    token.grant_role(MINTER_ROLE, ALICE).unwrap();
    assert!(token.has_role(MINTER_ROLE, ALICE));
    token.grant_role(MINTER_ROLE, ALICE).unwrap(); // already held: no second event
    token.revoke_role(MINTER_ROLE, ALICE).unwrap();
    assert!(!token.has_role(MINTER_ROLE, ALICE));
    token.revoke_role(MINTER_ROLE, ALICE).unwrap(); // not held: no event
    assert_eq!(
        logs_of::<RoleGranted>(&vm),
        vec![RoleGranted {
            role: MINTER_ROLE,
            account: ALICE,
            sender: ADMIN
        }]
    );
    assert_eq!(
        logs_of::<RoleRevoked>(&vm),
        vec![RoleRevoked {
            role: MINTER_ROLE,
            account: ALICE,
            sender: ADMIN
        }]
    );
    assert_eq!(vm.get_emitted_logs().len(), 2);
}

#[test]
fn revoked_minter_can_no_longer_mint() {
    let (vm, mut token) = deploy();
    vm.set_sender(ADMIN);
    token.revoke_role(MINTER_ROLE, MINTER).unwrap();
    vm.set_sender(MINTER);
    assert_reverts(
        &vm,
        Error::Common(common::errors::CommonError::UnauthorizedAccount(
            AccessControlUnauthorizedAccount {
                account: MINTER,
                neededRole: MINTER_ROLE,
            },
        )),
        || token.mint(ALICE, U256::from(1)),
    );
}

#[test]
fn grant_and_revoke_revert_for_non_admins() {
    let (vm, mut token) = deploy();
    vm.set_sender(MINTER);
    let expected =
        common::errors::CommonError::UnauthorizedAccount(AccessControlUnauthorizedAccount {
            account: MINTER,
            neededRole: DEFAULT_ADMIN_ROLE,
        });
    let before = vm.snapshot().storage;
    assert_eq!(token.grant_role(MINTER_ROLE, ALICE).unwrap_err(), expected);
    assert_eq!(
        token.revoke_role(MINTER_ROLE, MINTER).unwrap_err(),
        expected
    );
    assert_eq!(vm.snapshot().storage, before);
    assert!(vm.get_emitted_logs().is_empty());
}

#[test]
fn renounce_role_requires_the_callers_confirmation() {
    let (vm, mut token) = deploy();
    vm.set_sender(MINTER);
    let before = vm.snapshot().storage;
    assert_eq!(
        token.renounce_role(MINTER_ROLE, ALICE).unwrap_err(),
        common::errors::CommonError::BadConfirmation(AccessControlBadConfirmation {})
    );
    assert_eq!(vm.snapshot().storage, before);
    token.renounce_role(MINTER_ROLE, MINTER).unwrap();
    assert!(!token.has_role(MINTER_ROLE, MINTER));
    only_log(
        &vm,
        RoleRevoked {
            role: MINTER_ROLE,
            account: MINTER,
            sender: MINTER,
        },
    );
}

#[test]
fn role_admin_is_the_default_admin_role() {
    let (_vm, token) = deploy();
    assert_eq!(token.get_role_admin(MINTER_ROLE), DEFAULT_ADMIN_ROLE);
    assert_eq!(token.get_role_admin(DEFAULT_ADMIN_ROLE), DEFAULT_ADMIN_ROLE);
}

// ---------------------------------------------------------------------------------------------
// Revert data: what callers see on chain
// ---------------------------------------------------------------------------------------------

#[test]
fn errors_encode_as_their_solidity_custom_errors() {
    let cases: Vec<(Error, [u8; 4], &str)> = vec![
        (
            Error::InsufficientBalance(ERC20InsufficientBalance {
                sender: ALICE,
                balance: U256::from(1),
                needed: U256::from(2),
            }),
            hex!("e450d38c"),
            "ERC20InsufficientBalance(address,uint256,uint256)",
        ),
        (
            Error::InvalidReceiver(ERC20InvalidReceiver {
                receiver: Address::ZERO,
            }),
            hex!("ec442f05"),
            "ERC20InvalidReceiver(address)",
        ),
        (
            Error::InsufficientAllowance(ERC20InsufficientAllowance {
                spender: ALICE,
                allowance: U256::ZERO,
                needed: U256::from(1),
            }),
            hex!("fb8f41b2"),
            "ERC20InsufficientAllowance(address,uint256,uint256)",
        ),
        (
            Error::Common(common::errors::CommonError::UnauthorizedAccount(
                AccessControlUnauthorizedAccount {
                    account: ALICE,
                    neededRole: MINTER_ROLE,
                },
            )),
            hex!("e2517d3f"),
            "AccessControlUnauthorizedAccount(address,bytes32)",
        ),
        (
            Error::ExpiredSignature(ERC2612ExpiredSignature {
                deadline: U256::from(5),
            }),
            hex!("62791302"),
            "ERC2612ExpiredSignature(uint256)",
        ),
        (
            Error::InvalidSigner(ERC2612InvalidSigner {
                signer: ALICE,
                owner: HOLDER,
            }),
            hex!("4b800e46"),
            "ERC2612InvalidSigner(address,address)",
        ),
        (
            Error::ExceededCap(ERC20ExceededCap {
                increasedSupply: U256::from(2),
                cap: U256::from(1),
            }),
            hex!("9e79f854"),
            "ERC20ExceededCap(uint256,uint256)",
        ),
    ];
    for (error, selector, signature) in cases {
        let data: Vec<u8> = error.into();
        assert_eq!(&data[..4], &selector, "{signature}");
        assert_eq!(&keccak256(signature)[..4], &selector, "{signature}");
    }
    // Fields are ABI-encoded after the selector.
    let data: Vec<u8> = Error::InsufficientBalance(ERC20InsufficientBalance {
        sender: ALICE,
        balance: U256::from(1),
        needed: U256::from(2),
    })
    .into();
    let decoded = ERC20InsufficientBalance::abi_decode(&data).unwrap();
    assert_eq!(
        (decoded.sender, decoded.balance, decoded.needed),
        (ALICE, U256::from(1), U256::from(2))
    );
}
