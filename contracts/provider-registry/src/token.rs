//! ABI encoding of the calls the registry makes: ERC-20 calls to the stake token and
//! `setEarningStake` to `Emissions`. All arguments are static, so calldata is the selector and one
//! word per argument ([`encode_static`]); unit tests compare it with alloy's `abi_encode`.

use alloc::vec::Vec;

use alloy_primitives::{Address, U256};
use alloy_sol_types::{sol, SolCall};
use common::abi_words::{addr_word, encode_static, uint_word};

sol! {
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
    function burn(uint256 value) external;
    function setEarningStake(address provider, uint256 amount) external;
}

/// `transfer(to, value)` calldata.
pub fn transfer(to: Address, value: U256) -> Vec<u8> {
    encode_static(&transferCall::SELECTOR, &[addr_word(to), uint_word(value)])
}

/// `transferFrom(from, to, value)` calldata.
pub fn transfer_from(from: Address, to: Address, value: U256) -> Vec<u8> {
    encode_static(
        &transferFromCall::SELECTOR,
        &[addr_word(from), addr_word(to), uint_word(value)],
    )
}

/// `burn(value)` calldata.
pub fn burn(value: U256) -> Vec<u8> {
    encode_static(&burnCall::SELECTOR, &[uint_word(value)])
}

/// `setEarningStake(provider, amount)` calldata (to `Emissions`).
pub fn set_earning_stake(provider: Address, amount: U256) -> Vec<u8> {
    encode_static(
        &setEarningStakeCall::SELECTOR,
        &[addr_word(provider), uint_word(amount)],
    )
}
