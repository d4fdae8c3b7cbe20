//! ABI encoding of the few ERC-20 / EIP-2612 calls the registry makes to the stake token, and
//! strict decoding of their results. All arguments are static, so calldata is the selector and
//! one word per argument ([`encode_static`]); unit tests compare it with alloy's `abi_encode`.

use alloc::vec::Vec;

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{sol, SolCall};

use crate::interface::{addr_word, encode_static, uint_word};

sol! {
    function balanceOf(address account) external view returns (uint256);
    function allowance(address owner, address spender) external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
    function burn(uint256 value) external;
    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external;
}

/// What a successful mutating call must return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Exactly one ABI word equal to `true` (`transfer`, `transferFrom`).
    True,
    /// Anything (`burn`, `permit` return nothing; the balance-delta check covers `burn`).
    Anything,
}

/// Whether `ret` satisfies `expect`.
pub fn returned_ok(ret: &[u8], expect: Expect) -> bool {
    match expect {
        Expect::Anything => true,
        Expect::True => decode_uint(ret) == Some(U256::from(1)),
    }
}

/// Decodes exactly one ABI word as `uint256`; `None` for any other length.
pub fn decode_uint(ret: &[u8]) -> Option<U256> {
    let word: [u8; 32] = ret.try_into().ok()?;
    Some(U256::from_be_bytes(word))
}

/// `balanceOf(account)` calldata.
pub fn balance_of(account: Address) -> Vec<u8> {
    encode_static(&balanceOfCall::SELECTOR, &[addr_word(account)])
}

/// `allowance(owner, spender)` calldata.
pub fn allowance(owner: Address, spender: Address) -> Vec<u8> {
    encode_static(
        &allowanceCall::SELECTOR,
        &[addr_word(owner), addr_word(spender)],
    )
}

/// `transfer(to, value)` calldata; must return `true`.
pub fn transfer(to: Address, value: U256) -> (Vec<u8>, Expect) {
    (
        encode_static(&transferCall::SELECTOR, &[addr_word(to), uint_word(value)]),
        Expect::True,
    )
}

/// `transferFrom(from, to, value)` calldata; must return `true`.
pub fn transfer_from(from: Address, to: Address, value: U256) -> (Vec<u8>, Expect) {
    (
        encode_static(
            &transferFromCall::SELECTOR,
            &[addr_word(from), addr_word(to), uint_word(value)],
        ),
        Expect::True,
    )
}

/// `burn(value)` calldata.
pub fn burn(value: U256) -> (Vec<u8>, Expect) {
    (
        encode_static(&burnCall::SELECTOR, &[uint_word(value)]),
        Expect::Anything,
    )
}

/// `permit(owner, spender, value, deadline, v, r, s)` calldata.
pub fn permit(
    owner: Address,
    spender: Address,
    value: U256,
    deadline: U256,
    v: u8,
    r: B256,
    s: B256,
) -> (Vec<u8>, Expect) {
    (
        encode_static(
            &permitCall::SELECTOR,
            &[
                addr_word(owner),
                addr_word(spender),
                uint_word(value),
                uint_word(deadline),
                uint_word(U256::from(v)),
                r,
                s,
            ],
        ),
        Expect::Anything,
    )
}
