//! The registry's test token: an in-memory ERC-20 ([`Token`]) installed at [`TOKEN`] on the shared
//! [`ModelHost`] (crate `testing`), which gives each call its own return data. TestVM's own mocks
//! cannot: they return the most recently registered mock's data for every call, and the registry
//! reads `balanceOf(registry)` before and after each transfer (identical calldata, different
//! answers). Every calldata the registry sends to the token is recorded in [`Token::calls`] so tests
//! assert it exactly.

use std::{cell::RefCell, collections::HashMap, rc::Rc};

use alloy_primitives::{address, Address, U256};
use alloy_sol_types::{SolCall, SolValue};
use stylus_sdk::testing::TestVM;
use testing::{Model, ModelHost};

use crate::token::{
    allowanceCall, balanceOfCall, burnCall, permitCall, transferCall, transferFromCall,
};

/// The stake token's address in tests.
pub(crate) const TOKEN: Address = address!("00000000000000000000000000000000000c7c7c");

/// How the token misbehaves in mutating calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum Mode {
    /// A correct ERC-20 (CT).
    #[default]
    Normal,
    /// Mutating calls revert.
    Revert,
    /// `transfer`/`transferFrom` change nothing and return `false`.
    ReturnFalse,
    /// `transfer`/`transferFrom` move the tokens but return no data.
    ReturnNothing,
    /// Transfers deliver `value - fee` and destroy `fee` (a fee-on-transfer token).
    Fee(U256),
    /// Transfers and burns debit the sender `extra` more than asked (a draining token).
    Drain(U256),
    /// `balanceOf` returns no data.
    BrokenViews,
}

/// A minimal ERC-20 with `burn` and a switchable `permit`.
#[derive(Default)]
pub(crate) struct Token {
    pub balances: HashMap<Address, U256>,
    pub allowances: HashMap<(Address, Address), U256>,
    /// Every calldata sent to the token, in order.
    pub calls: Vec<Vec<u8>>,
    pub mode: Mode,
    /// Whether `permit` succeeds (setting the allowance) or reverts.
    pub permit_ok: bool,
    /// Σ burned.
    pub burned: U256,
}

impl Token {
    pub fn balance(&self, a: Address) -> U256 {
        self.balances.get(&a).copied().unwrap_or_default()
    }

    fn move_tokens(&mut self, from: Address, to: Address, value: U256) -> bool {
        let balance = self.balance(from);
        if balance < value {
            return false;
        }
        let balance = balance - self.drained(balance - value);
        let fee = match self.mode {
            Mode::Fee(fee) => fee.min(value),
            _ => U256::ZERO,
        };
        self.balances.insert(from, balance - value);
        let to_balance = self.balance(to);
        self.balances.insert(to, to_balance + (value - fee));
        true
    }

    /// The extra amount a `Drain` token takes, at most `available`.
    fn drained(&self, available: U256) -> U256 {
        match self.mode {
            Mode::Drain(extra) => extra.min(available),
            _ => U256::ZERO,
        }
    }

    /// Executes `data` sent by `sender`: `Ok(return data)` or `Err(revert data)`.
    fn execute(&mut self, sender: Address, data: &[u8]) -> Result<Vec<u8>, Vec<u8>> {
        self.calls.push(data.to_vec());
        let selector: [u8; 4] = data[..4].try_into().unwrap();
        if selector == balanceOfCall::SELECTOR {
            if self.mode == Mode::BrokenViews {
                return Ok(Vec::new());
            }
            let call = balanceOfCall::abi_decode(data).unwrap();
            return Ok(self.balance(call.account).abi_encode());
        }
        if selector == allowanceCall::SELECTOR {
            let call = allowanceCall::abi_decode(data).unwrap();
            let value = self
                .allowances
                .get(&(call.owner, call.spender))
                .copied()
                .unwrap_or_default();
            return Ok(value.abi_encode());
        }
        if selector == permitCall::SELECTOR {
            let call = permitCall::abi_decode(data).unwrap();
            if !self.permit_ok {
                return Err(b"permit".to_vec());
            }
            self.allowances
                .insert((call.owner, call.spender), call.value);
            return Ok(Vec::new());
        }
        match self.mode {
            Mode::Revert => return Err(Vec::new()),
            Mode::ReturnFalse => return Ok(false.abi_encode()),
            _ => {}
        }
        let ok = if selector == transferCall::SELECTOR {
            let call = transferCall::abi_decode(data).unwrap();
            self.move_tokens(sender, call.to, call.value)
        } else if selector == transferFromCall::SELECTOR {
            let call = transferFromCall::abi_decode(data).unwrap();
            let allowance = self
                .allowances
                .get(&(call.from, sender))
                .copied()
                .unwrap_or_default();
            if allowance < call.value {
                return Err(b"allowance".to_vec());
            }
            self.allowances
                .insert((call.from, sender), allowance - call.value);
            self.move_tokens(call.from, call.to, call.value)
        } else if selector == burnCall::SELECTOR {
            let call = burnCall::abi_decode(data).unwrap();
            let balance = self.balance(sender);
            if balance < call.value {
                return Err(b"burn".to_vec());
            }
            let extra = self.drained(balance - call.value);
            self.balances.insert(sender, balance - call.value - extra);
            self.burned += call.value + extra;
            return Ok(Vec::new());
        } else {
            return Err(b"unknown selector".to_vec());
        };
        if !ok {
            return Err(b"balance".to_vec());
        }
        Ok(if self.mode == Mode::ReturnNothing {
            Vec::new()
        } else {
            true.abi_encode()
        })
    }
}

/// `TestVM` + [`Token`] at [`TOKEN`] on the shared [`ModelHost`]; clones share state.
#[derive(Clone)]
pub(crate) struct TokenHost {
    /// The host the registry runs on.
    pub host: ModelHost,
    pub vm: TestVM,
    pub token: Rc<RefCell<Token>>,
}

impl TokenHost {
    pub fn new(vm: TestVM) -> Self {
        let host = ModelHost::new(vm.clone());
        let token = host.install(
            TOKEN,
            Token {
                permit_ok: true,
                ..Token::default()
            },
        );
        Self { host, vm, token }
    }
}

impl Model for Token {
    fn call(&mut self, call: &testing::Call) -> Result<Vec<u8>, Vec<u8>> {
        self.execute(call.from, &call.data)
    }
}
