//! In-memory models of the three contracts the escrow calls, installed on the shared
//! [`ModelHost`] (crate `testing`): the BME controller's credit ledger and quote, the registry's
//! eligibility and stake, and an ERC-20 compute token (with switchable misbehaviour). Every call
//! is recorded by the host, so tests assert the exact calldata the escrow sent.

use std::collections::{HashMap, HashSet};

use alloy_primitives::{address, Address, B256, U256};
use alloy_sol_types::{SolCall, SolValue};
use testing::{Call, Model};

use crate::calls::*;

/// The controller's address in tests.
pub(crate) const CONTROLLER: Address = address!("000000000000000000000000000000000000c0de");
/// The registry's address in tests.
pub(crate) const REGISTRY: Address = address!("0000000000000000000000000000000000005e91");
/// The token's address in tests.
pub(crate) const TOKEN: Address = address!("00000000000000000000000000000000000c7c7c");

fn selector(data: &[u8]) -> [u8; 4] {
    data[..4].try_into().unwrap()
}

/// The BME controller's ledger: free and locked credits per account; `quoteTokens(c) = c ×
/// weiPerCredit` (e.g. CT at 0.5 USD: 2e12 wei per credit unit).
pub(crate) struct Controller {
    pub free: HashMap<Address, U256>,
    pub locked: HashMap<Address, U256>,
    /// Σ credits settled to each provider.
    pub settled: HashMap<Address, U256>,
    pub wei_per_credit: U256,
    /// `quoteTokens` and `settle` revert (a stale price).
    pub stale: bool,
}

impl Default for Controller {
    fn default() -> Self {
        Self {
            free: HashMap::new(),
            locked: HashMap::new(),
            settled: HashMap::new(),
            wei_per_credit: U256::from(2_000_000_000_000u64),
            stale: false,
        }
    }
}

impl Controller {
    pub fn free_of(&self, a: Address) -> U256 {
        self.free.get(&a).copied().unwrap_or_default()
    }
    pub fn locked_of(&self, a: Address) -> U256 {
        self.locked.get(&a).copied().unwrap_or_default()
    }
}

impl Model for Controller {
    fn call(&mut self, call: &Call) -> Result<Vec<u8>, Vec<u8>> {
        let data = &call.data;
        match selector(data) {
            lockCreditsCall::SELECTOR => {
                let c = lockCreditsCall::abi_decode(data).unwrap();
                let free = self.free_of(c.account);
                if free < c.amount {
                    return Err(b"insufficient credits".to_vec());
                }
                self.free.insert(c.account, free - c.amount);
                let locked = self.locked_of(c.account);
                self.locked.insert(c.account, locked + c.amount);
                Ok(Vec::new())
            }
            unlockCreditsCall::SELECTOR => {
                let c = unlockCreditsCall::abi_decode(data).unwrap();
                let locked = self.locked_of(c.account);
                if locked < c.amount {
                    return Err(b"insufficient locked".to_vec());
                }
                self.locked.insert(c.account, locked - c.amount);
                let free = self.free_of(c.account);
                self.free.insert(c.account, free + c.amount);
                Ok(Vec::new())
            }
            settleCall::SELECTOR => {
                let c = settleCall::abi_decode(data).unwrap();
                if self.stale {
                    return Err(b"stale".to_vec());
                }
                let locked = self.locked_of(c.payer);
                if locked < c.credits {
                    return Err(b"insufficient locked".to_vec());
                }
                self.locked.insert(c.payer, locked - c.credits);
                *self.settled.entry(c.provider).or_default() += c.credits;
                Ok((c.credits * self.wei_per_credit).abi_encode())
            }
            quoteTokensCall::SELECTOR => {
                let c = quoteTokensCall::abi_decode(data).unwrap();
                if self.stale {
                    return Err(b"stale".to_vec());
                }
                Ok((c.credits * self.wei_per_credit).abi_encode())
            }
            _ => Err(b"unknown selector".to_vec()),
        }
    }
}

/// The registry: eligibility, active/unbonding/locked stake, slashes (simplified: taken from
/// active stake, locked clamped), jails and outcomes.
#[derive(Default)]
pub(crate) struct Registry {
    pub eligible: HashSet<Address>,
    pub active: HashMap<Address, U256>,
    pub unbonding: HashMap<Address, U256>,
    pub locked: HashMap<Address, U256>,
    pub jailed_until: HashMap<Address, u64>,
    /// `(provider, amount, beneficiary, reason)` of every slash.
    pub slashes: Vec<(Address, U256, Address, B256)>,
    /// `(provider, success)` of every recorded outcome.
    pub outcomes: Vec<(Address, bool)>,
    /// If set, `isEligible` returns these bytes instead.
    pub eligible_return: Option<Vec<u8>>,
}

impl Registry {
    pub fn locked_of(&self, a: Address) -> U256 {
        self.locked.get(&a).copied().unwrap_or_default()
    }
    pub fn active_of(&self, a: Address) -> U256 {
        self.active.get(&a).copied().unwrap_or_default()
    }
}

impl Model for Registry {
    fn call(&mut self, call: &Call) -> Result<Vec<u8>, Vec<u8>> {
        let data = &call.data;
        match selector(data) {
            isEligibleCall::SELECTOR => {
                let c = isEligibleCall::abi_decode(data).unwrap();
                if let Some(ret) = &self.eligible_return {
                    return Ok(ret.clone());
                }
                Ok(self.eligible.contains(&c.provider).abi_encode())
            }
            activeStakeCall::SELECTOR => {
                let c = activeStakeCall::abi_decode(data).unwrap();
                Ok(self.active_of(c.provider).abi_encode())
            }
            unbondingStakeCall::SELECTOR => {
                let c = unbondingStakeCall::abi_decode(data).unwrap();
                Ok(self
                    .unbonding
                    .get(&c.provider)
                    .copied()
                    .unwrap_or_default()
                    .abi_encode())
            }
            lockStakeCall::SELECTOR => {
                let c = lockStakeCall::abi_decode(data).unwrap();
                let locked = self.locked_of(c.provider);
                if self.active_of(c.provider) - locked < c.amount {
                    return Err(b"insufficient free stake".to_vec());
                }
                self.locked.insert(c.provider, locked + c.amount);
                Ok(Vec::new())
            }
            unlockStakeCall::SELECTOR => {
                let c = unlockStakeCall::abi_decode(data).unwrap();
                let locked = self.locked_of(c.provider);
                self.locked
                    .insert(c.provider, locked - c.amount.min(locked));
                Ok(Vec::new())
            }
            slashCall::SELECTOR => {
                let c = slashCall::abi_decode(data).unwrap();
                let active = self.active_of(c.provider);
                let take = c.amount.min(active);
                self.active.insert(c.provider, active - take);
                let locked = self.locked_of(c.provider);
                self.locked.insert(c.provider, locked.min(active - take));
                self.slashes
                    .push((c.provider, c.amount, c.beneficiary, c.reason));
                Ok(Vec::new())
            }
            jailCall::SELECTOR => {
                let c = jailCall::abi_decode(data).unwrap();
                self.jailed_until.insert(c.provider, c.until);
                Ok(Vec::new())
            }
            recordOutcomeCall::SELECTOR => {
                let c = recordOutcomeCall::abi_decode(data).unwrap();
                self.outcomes.push((c.provider, c.success));
                Ok(Vec::new())
            }
            _ => Err(b"unknown selector".to_vec()),
        }
    }
}

/// How the token misbehaves in mutating calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum Mode {
    /// A correct ERC-20 (CT).
    #[default]
    Normal,
    /// Mutating calls revert with `b"token"`.
    Revert,
    /// `transfer`/`transferFrom` change nothing and return `false`.
    ReturnFalse,
    /// Transfers deliver `value - fee` (a fee-on-transfer token).
    Fee(U256),
    /// Transfers and burns debit the sender `extra` more than asked (a draining token).
    Drain(U256),
}

/// A minimal ERC-20 with `burn`.
#[derive(Default)]
pub(crate) struct Token {
    pub balances: HashMap<Address, U256>,
    pub allowances: HashMap<(Address, Address), U256>,
    pub burned: U256,
    pub mode: Mode,
}

impl Token {
    pub fn balance(&self, a: Address) -> U256 {
        self.balances.get(&a).copied().unwrap_or_default()
    }

    fn move_tokens(&mut self, from: Address, to: Address, value: U256) -> Result<(), Vec<u8>> {
        let balance = self.balance(from);
        if balance < value {
            return Err(b"balance".to_vec());
        }
        let fee = match self.mode {
            Mode::Fee(fee) => fee.min(value),
            _ => U256::ZERO,
        };
        let extra = match self.mode {
            Mode::Drain(extra) => extra.min(balance - value),
            _ => U256::ZERO,
        };
        self.balances.insert(from, balance - value - extra);
        let to_balance = self.balance(to);
        self.balances.insert(to, to_balance + value - fee);
        Ok(())
    }
}

impl Model for Token {
    fn call(&mut self, call: &Call) -> Result<Vec<u8>, Vec<u8>> {
        let data = &call.data;
        let sel = selector(data);
        if sel == balanceOfCall::SELECTOR {
            let c = balanceOfCall::abi_decode(data).unwrap();
            return Ok(self.balance(c.account).abi_encode());
        }
        match self.mode {
            Mode::Revert => return Err(b"token".to_vec()),
            Mode::ReturnFalse if sel != burnCall::SELECTOR => return Ok(false.abi_encode()),
            _ => {}
        }
        match sel {
            transferCall::SELECTOR => {
                let c = transferCall::abi_decode(data).unwrap();
                self.move_tokens(call.from, c.to, c.value)?;
                Ok(true.abi_encode())
            }
            transferFromCall::SELECTOR => {
                let c = transferFromCall::abi_decode(data).unwrap();
                let allowance = self
                    .allowances
                    .get(&(c.from, call.from))
                    .copied()
                    .unwrap_or_default();
                if allowance < c.value {
                    return Err(b"allowance".to_vec());
                }
                self.allowances
                    .insert((c.from, call.from), allowance - c.value);
                self.move_tokens(c.from, c.to, c.value)?;
                Ok(true.abi_encode())
            }
            burnCall::SELECTOR => {
                let c = burnCall::abi_decode(data).unwrap();
                let balance = self.balance(call.from);
                if balance < c.value {
                    return Err(b"burn".to_vec());
                }
                let extra = match self.mode {
                    Mode::Drain(extra) => extra.min(balance - c.value),
                    _ => U256::ZERO,
                };
                self.balances.insert(call.from, balance - c.value - extra);
                self.burned += c.value + extra;
                Ok(Vec::new())
            }
            _ => Err(b"unknown selector".to_vec()),
        }
    }
}
