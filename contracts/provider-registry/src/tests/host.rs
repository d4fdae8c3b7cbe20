//! The registry's test host: the shared [`ModelHost`] (crate `testing`) with two models installed,
//! so that each call the registry makes gets its own answer and is recorded with its calldata:
//!
//! - [`Token`] at [`TOKEN`]: an ERC-20 with `burn` and the compute token's ERC-6093 errors
//!   (contracts/compute-token/src/interface.rs), with switchable misbehaviour ([`Mode`]) for the
//!   checks of `common::calls::token_move` (contracts/common/src/calls.rs).
//! - [`EmissionsModel`] at [`EMISSIONS`]: `setEarningStake(provider, amount)` as the `Emissions`
//!   contract takes it (contracts/emissions/src/lib.rs, `set_earning_stake`): only from the
//!   registry, recorded in order, and able to revert (as the real one does when the registry lacks
//!   `STAKE_REPORTER_ROLE`), so a failed report surfaces as `CallFailed(emissions, data)`.
//!
//! TestVM's own mocks cannot stand in for either: they return the most recently registered mock's
//! data for every call (see `testing`'s crate docs), and the registry reads `balanceOf(registry)`
//! before and after each transfer (identical calldata, different answers).

use std::{cell::RefCell, collections::HashMap, rc::Rc};

use alloy_primitives::{address, Address, U256};
use alloy_sol_types::{sol, SolCall, SolError, SolValue};
use stylus_sdk::testing::TestVM;
use testing::{Call, Model, ModelHost};

use super::REGISTRY;
use crate::token::{burnCall, setEarningStakeCall, transferCall, transferFromCall};

/// The stake token's address in tests.
pub(crate) const TOKEN: Address = address!("00000000000000000000000000000000000c7c7c");
/// The `Emissions` contract's address in tests.
pub(crate) const EMISSIONS: Address = address!("00000000000000000000000000000000000e1551");
/// What a [`Mode::Revert`] token reverts with.
pub(crate) const TOKEN_REVERT: &[u8] = b"token says no";

sol! {
    /// `balanceOf`, the view `common::calls::token_move` reads around every transfer.
    function balanceOf(address account) external view returns (uint256);

    // contracts/compute-token/src/interface.rs (ERC-6093)
    #[derive(Debug, PartialEq, Eq)]
    error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed);
    #[derive(Debug, PartialEq, Eq)]
    error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed);
}

/// How the token misbehaves in mutating calls (`transfer`, `transferFrom`, `burn`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum Mode {
    /// A correct ERC-20 (the compute token): transfers return `true`, `burn` returns nothing.
    #[default]
    Normal,
    /// Mutating calls revert with [`TOKEN_REVERT`].
    Revert,
    /// `transfer`/`transferFrom` change nothing and return `false`.
    ReturnFalse,
    /// `transfer`/`transferFrom` move the tokens but return no data (USDT-style; accepted).
    ReturnNothing,
    /// `transfer`/`transferFrom` move the tokens and return the word 2 (neither `true` nor
    /// `false`).
    ReturnTwo,
    /// `transfer`/`transferFrom` move the tokens and return `true` followed by an extra word.
    ReturnTwoWords,
    /// Transfers deliver `value - fee` and destroy `fee` (a fee-on-transfer token).
    Fee(U256),
    /// Transfers and burns debit the sender `extra` more than asked (a draining token).
    Drain(U256),
    /// `balanceOf` returns no data.
    BrokenViews,
}

/// A minimal ERC-20 with `burn`.
#[derive(Clone, Default)]
pub(crate) struct Token {
    pub balances: HashMap<Address, U256>,
    pub allowances: HashMap<(Address, Address), U256>,
    pub mode: Mode,
    /// Σ burned.
    pub burned: U256,
}

impl Token {
    pub fn balance(&self, a: Address) -> U256 {
        self.balances.get(&a).copied().unwrap_or_default()
    }

    /// Moves `value` (less a fee, plus a drain, by [`Mode`]); ERC-6093 error if `from` is short.
    fn move_tokens(&mut self, from: Address, to: Address, value: U256) -> Result<(), Vec<u8>> {
        let balance = self.balance(from);
        if balance < value {
            return Err(ERC20InsufficientBalance {
                sender: from,
                balance,
                needed: value,
            }
            .abi_encode());
        }
        let balance = balance - value - self.drained(balance - value);
        let fee = match self.mode {
            Mode::Fee(fee) => fee.min(value),
            _ => U256::ZERO,
        };
        self.balances.insert(from, balance);
        let to_balance = self.balance(to);
        self.balances.insert(to, to_balance + (value - fee));
        Ok(())
    }

    /// The extra amount a `Drain` token takes, at most `available`.
    fn drained(&self, available: U256) -> U256 {
        match self.mode {
            Mode::Drain(extra) => extra.min(available),
            _ => U256::ZERO,
        }
    }

    /// What a successful `transfer`/`transferFrom` returns in the current mode.
    fn transfer_return(&self) -> Vec<u8> {
        match self.mode {
            Mode::ReturnNothing => Vec::new(),
            Mode::ReturnTwo => U256::from(2).abi_encode(),
            Mode::ReturnTwoWords => (true, true).abi_encode_params(),
            _ => true.abi_encode(),
        }
    }
}

impl Model for Token {
    fn call(&mut self, c: &Call) -> Result<Vec<u8>, Vec<u8>> {
        assert_eq!(c.from, REGISTRY, "only the registry calls the token here");
        assert_eq!(c.value, U256::ZERO, "no ether is sent");
        let selector: [u8; 4] = c.data[..4].try_into().unwrap();
        if selector == balanceOfCall::SELECTOR {
            assert!(c.is_static, "balanceOf is read with a static call");
            if self.mode == Mode::BrokenViews {
                return Ok(Vec::new());
            }
            let call = balanceOfCall::abi_decode(&c.data).unwrap();
            return Ok(self.balance(call.account).abi_encode());
        }
        assert!(!c.is_static, "transfers are mutating calls");
        match self.mode {
            Mode::Revert => return Err(TOKEN_REVERT.to_vec()),
            Mode::ReturnFalse if selector != burnCall::SELECTOR => {
                return Ok(false.abi_encode());
            }
            _ => {}
        }
        if selector == transferCall::SELECTOR {
            let call = transferCall::abi_decode(&c.data).unwrap();
            self.move_tokens(c.from, call.to, call.value)?;
        } else if selector == transferFromCall::SELECTOR {
            let call = transferFromCall::abi_decode(&c.data).unwrap();
            let allowance = self
                .allowances
                .get(&(call.from, c.from))
                .copied()
                .unwrap_or_default();
            if allowance < call.value {
                return Err(ERC20InsufficientAllowance {
                    spender: c.from,
                    allowance,
                    needed: call.value,
                }
                .abi_encode());
            }
            self.move_tokens(call.from, call.to, call.value)?;
            if allowance != U256::MAX {
                self.allowances
                    .insert((call.from, c.from), allowance - call.value);
            }
        } else if selector == burnCall::SELECTOR {
            let call = burnCall::abi_decode(&c.data).unwrap();
            let balance = self.balance(c.from);
            if balance < call.value {
                return Err(ERC20InsufficientBalance {
                    sender: c.from,
                    balance,
                    needed: call.value,
                }
                .abi_encode());
            }
            let extra = self.drained(balance - call.value);
            self.balances.insert(c.from, balance - call.value - extra);
            self.burned += call.value + extra;
            return Ok(Vec::new());
        } else {
            return Err(b"unknown selector".to_vec());
        }
        Ok(self.transfer_return())
    }
}

/// The `Emissions` contract as the registry sees it: `setEarningStake` only.
#[derive(Clone, Default)]
pub(crate) struct EmissionsModel {
    /// The last amount reported per provider (what `Emissions` streams rewards on).
    pub earning: HashMap<Address, U256>,
    /// Every accepted report, in order.
    pub reports: Vec<(Address, U256)>,
    /// `Some(data)`: every call reverts with `data`.
    pub revert_with: Option<Vec<u8>>,
}

impl Model for EmissionsModel {
    fn call(&mut self, c: &Call) -> Result<Vec<u8>, Vec<u8>> {
        assert_eq!(c.from, REGISTRY, "only the registry reports stake");
        assert!(!c.is_static, "setEarningStake is a mutating call");
        assert_eq!(c.value, U256::ZERO, "no ether is sent");
        if let Some(data) = &self.revert_with {
            return Err(data.clone());
        }
        let call = setEarningStakeCall::abi_decode(&c.data).expect("only setEarningStake");
        self.earning.insert(call.provider, call.amount);
        self.reports.push((call.provider, call.amount));
        Ok(Vec::new())
    }
}

/// `TestVM` + [`Token`] at [`TOKEN`] + [`EmissionsModel`] at [`EMISSIONS`]; clones share state.
#[derive(Clone)]
pub(crate) struct RegistryHost {
    /// The host the registry runs on (records every call to a model).
    pub host: ModelHost,
    pub vm: TestVM,
    pub token: Rc<RefCell<Token>>,
    pub emissions: Rc<RefCell<EmissionsModel>>,
}

impl RegistryHost {
    pub fn new(vm: TestVM) -> Self {
        let host = ModelHost::new(vm.clone());
        let token = host.install(TOKEN, Token::default());
        let emissions = host.install(EMISSIONS, EmissionsModel::default());
        Self {
            host,
            vm,
            token,
            emissions,
        }
    }
}
