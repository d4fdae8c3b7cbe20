//! In-memory models of the three contracts the escrow calls, installed on the shared
//! [`ModelHost`] (crate `testing`), each following the rules of the real contract it stands for:
//!
//! - [`Controller`]: the BME controller's credit ledger, `quoteTokens` and `settle`
//!   (contracts/bme-controller/src/lib.rs): `ESCROW_ROLE`, `BmeInsufficientCredits`, a price that
//!   goes stale (`BmeStalePrice`), and a settlement of zero credits that needs no price.
//! - [`Registry`]: the provider registry's stake, per-job locks, slashes and jails
//!   (contracts/provider-registry/src/lib.rs): `JOB_MANAGER_ROLE`/`SLASHER_ROLE`, eligibility,
//!   registered GPUs, `maxOpenJobs`, free stake, penalty bases fixed at acceptance, pro-rata slashes
//!   of active and unbonding stake, deregistration refused while jobs are open, and `slashJob`/`jail`
//!   working on any provider (registered or not).
//! - [`Token`]: an ERC-20 with `burn` and ERC-6093 errors, as the compute token
//!   (contracts/compute-token/src/lib.rs), with switchable misbehaviour.
//!
//! Every model changes nothing when it reverts, and reverts with the real contract's custom error
//! (their signatures are checked against the real contracts' sources by
//! [`models_speak_the_real_abi`]). Every call is recorded by the host, so tests assert the exact
//! calldata the escrow sent.

use std::collections::{HashMap, HashSet};

use alloy_primitives::{address, uint, Address, U256};
use alloy_sol_types::{sol, SolCall, SolError, SolValue};
use common::access::AccessControlUnauthorizedAccount;
use common::roles::{ESCROW_ROLE, JOB_MANAGER_ROLE, SLASHER_ROLE};
use stylus_sdk::{prelude::*, testing::TestVM};
use testing::{Call, Model};

use crate::calls::*;

/// The controller's address in tests.
pub(crate) const CONTROLLER: Address = address!("000000000000000000000000000000000000c0de");
/// The registry's address in tests.
pub(crate) const REGISTRY: Address = address!("0000000000000000000000000000000000005e91");
/// The token's address in tests.
pub(crate) const TOKEN: Address = address!("00000000000000000000000000000000000c7c7c");

/// 1e30: `quoteTokens(c) = ⌈c × 1e30 / price⌉` turns credits (6 decimals) at a price (USD per CT,
/// 18 decimals) into CT wei (contracts/bme-controller/src/math.rs, `quote_tokens_up`).
const TOKEN_PRICE_TO_CREDITS: U256 = uint!(1_000_000_000_000_000_000_000_000_000_000_U256);
const BPS: U256 = uint!(10_000_U256);
const CT: U256 = uint!(1_000_000_000_000_000_000_U256);

sol! {
    // contracts/bme-controller/src/interface.rs
    error BmeStalePrice(uint256 updatedAt, uint256 maxPriceAge);
    error BmeZeroAddress();
    error BmeInsufficientCredits(address account, uint256 available, uint256 needed);

    // contracts/provider-registry/src/interface.rs
    error RegistryZeroAddress();
    error RegistryNotRegistered(address provider);
    error RegistryZeroAmount();
    error RegistryInsufficientFreeStake(address provider, uint256 free, uint256 needed);
    error RegistryTooManyUnbondRequests(address provider, uint256 maxRequests);
    error RegistryJobsOpen(address provider, uint256 openJobs);
    error RegistryNotEligible(address provider);
    error RegistryInsufficientGpus(address provider, uint32 needed, uint32 registered);
    error RegistryTooManyOpenJobs(address provider, uint256 maxOpenJobs);
    error RegistryUnknownLock(address provider, uint256 jobId);
    error RegistryLockExists(address provider, uint256 jobId);

    // contracts/compute-token/src/interface.rs
    error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed);
    error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed);

    // contracts/compute-token/src/lib.rs (read by `common::calls::token_move`)
    function balanceOf(address account) external view returns (uint256);
}

fn selector(data: &[u8]) -> [u8; 4] {
    data.get(..4)
        .and_then(|s| s.try_into().ok())
        .unwrap_or_default()
}

fn unauthorized(account: Address, role: alloy_primitives::B256) -> Vec<u8> {
    AccessControlUnauthorizedAccount {
        account,
        neededRole: role,
    }
    .abi_encode()
}

/// A mutating function reached through `STATICCALL` reverts (the EVM forbids the state change).
fn no_static(call: &Call) -> Result<(), Vec<u8>> {
    if call.is_static {
        Err(Vec::new())
    } else {
        Ok(())
    }
}

fn get(map: &HashMap<Address, U256>, a: Address) -> U256 {
    map.get(&a).copied().unwrap_or_default()
}

// -------------------------------------------------------------------------------------------------
// BME controller
// -------------------------------------------------------------------------------------------------

/// The BME controller's credit ledger and quote. The price is `price` USD per CT (1e18-scaled),
/// fresh unless [`Controller::set_stale`] back-dated it: then `quoteTokens` and every `settle` of
/// a positive amount revert `BmeStalePrice(updatedAt, maxPriceAge)` as the real one does when its
/// feed is older than `maxPriceAge` (a sequencer outage reverts the same calls with other errors).
#[derive(Clone)]
pub(crate) struct Controller {
    vm: TestVM,
    /// Holders of `ESCROW_ROLE`.
    pub escrows: HashSet<Address>,
    pub free: HashMap<Address, U256>,
    pub locked: HashMap<Address, U256>,
    /// Σ credits settled to each provider (the fee is the controller's business, not modelled).
    pub settled: HashMap<Address, U256>,
    /// Every successful `settle(payer, provider, credits, refund)`.
    pub settlements: Vec<(Address, Address, U256, U256)>,
    /// USD per CT, 1e18-scaled (default 0.5 USD: `quoteTokens(c) = 2e12 × c`).
    pub price: U256,
    /// The controller's `maxPriceAge` (seconds; its default).
    pub max_price_age: u64,
    /// `None`: the feed updates every block; `Some(t)`: last updated at `t`.
    pub updated_at: Option<u64>,
    /// If set, `quoteTokens` returns these bytes (a malformed answer).
    pub quote_return: Option<Vec<u8>>,
}

impl Controller {
    /// An empty ledger; `escrow` holds `ESCROW_ROLE`.
    pub fn new(vm: TestVM, escrow: Address) -> Self {
        Self {
            vm,
            escrows: HashSet::from([escrow]),
            free: HashMap::new(),
            locked: HashMap::new(),
            settled: HashMap::new(),
            settlements: Vec::new(),
            price: uint!(500_000_000_000_000_000_U256),
            max_price_age: 600,
            updated_at: None,
            quote_return: None,
        }
    }
    pub fn free_of(&self, a: Address) -> U256 {
        get(&self.free, a)
    }
    pub fn locked_of(&self, a: Address) -> U256 {
        get(&self.locked, a)
    }
    /// The feed stops: its last update is now `maxPriceAge + 1` seconds old.
    pub fn set_stale(&mut self) {
        self.updated_at = Some(self.vm.block_timestamp() - self.max_price_age - 1);
    }
    /// The feed is updated again.
    pub fn set_fresh(&mut self) {
        self.updated_at = None;
    }
    /// The revert data of a price read now (`None` if the price is fresh).
    pub fn price_error(&self) -> Option<Vec<u8>> {
        let now = self.vm.block_timestamp();
        let updated = self.updated_at.unwrap_or(now);
        (now.saturating_sub(updated) > self.max_price_age).then(|| {
            BmeStalePrice {
                updatedAt: U256::from(updated),
                maxPriceAge: U256::from(self.max_price_age),
            }
            .abi_encode()
        })
    }
    /// `quoteTokens(credits)` at the current price: `⌈credits × 1e30 / price⌉` CT wei.
    pub fn quote(&self, credits: U256) -> U256 {
        (credits * TOKEN_PRICE_TO_CREDITS).div_ceil(self.price)
    }
    fn only_escrow(&self, call: &Call) -> Result<(), Vec<u8>> {
        no_static(call)?;
        if self.escrows.contains(&call.from) {
            Ok(())
        } else {
            Err(unauthorized(call.from, ESCROW_ROLE))
        }
    }
    fn insufficient(account: Address, available: U256, needed: U256) -> Vec<u8> {
        BmeInsufficientCredits {
            account,
            available,
            needed,
        }
        .abi_encode()
    }
}

impl Model for Controller {
    fn call(&mut self, call: &Call) -> Result<Vec<u8>, Vec<u8>> {
        let data = &call.data;
        match selector(data) {
            lockCreditsCall::SELECTOR => {
                self.only_escrow(call)?;
                let c = lockCreditsCall::abi_decode(data).map_err(|_| Vec::new())?;
                let free = self.free_of(c.account);
                if free < c.amount {
                    return Err(Self::insufficient(c.account, free, c.amount));
                }
                self.free.insert(c.account, free - c.amount);
                *self.locked.entry(c.account).or_default() += c.amount;
                Ok(Vec::new())
            }
            unlockCreditsCall::SELECTOR => {
                self.only_escrow(call)?;
                let c = unlockCreditsCall::abi_decode(data).map_err(|_| Vec::new())?;
                let locked = self.locked_of(c.account);
                if locked < c.amount {
                    return Err(Self::insufficient(c.account, locked, c.amount));
                }
                self.locked.insert(c.account, locked - c.amount);
                *self.free.entry(c.account).or_default() += c.amount;
                Ok(Vec::new())
            }
            settleCall::SELECTOR => {
                self.only_escrow(call)?;
                let c = settleCall::abi_decode(data).map_err(|_| Vec::new())?;
                if c.provider.is_zero() {
                    return Err(BmeZeroAddress {}.abi_encode());
                }
                let locked = self.locked_of(c.payer);
                let needed = c.credits.checked_add(c.refund).ok_or_else(Vec::new)?;
                if locked < needed {
                    return Err(Self::insufficient(c.payer, locked, needed));
                }
                // Zero credits only unlock the refund, without reading the price.
                if !c.credits.is_zero() {
                    if let Some(e) = self.price_error() {
                        return Err(e);
                    }
                }
                self.locked.insert(c.payer, locked - needed);
                *self.free.entry(c.payer).or_default() += c.refund;
                *self.settled.entry(c.provider).or_default() += c.credits;
                self.settlements
                    .push((c.payer, c.provider, c.credits, c.refund));
                let paid = c.credits * TOKEN_PRICE_TO_CREDITS / self.price;
                Ok(paid.abi_encode())
            }
            quoteTokensCall::SELECTOR => {
                let c = quoteTokensCall::abi_decode(data).map_err(|_| Vec::new())?;
                if let Some(e) = self.price_error() {
                    return Err(e);
                }
                if let Some(ret) = &self.quote_return {
                    return Ok(ret.clone());
                }
                Ok(self.quote(c.credits).abi_encode())
            }
            _ => Err(Vec::new()),
        }
    }
}

// -------------------------------------------------------------------------------------------------
// Provider registry
// -------------------------------------------------------------------------------------------------

/// One provider's record in the [`Registry`] model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Provider {
    pub registered: bool,
    pub gpu_count: u32,
    pub active: U256,
    /// Pending unbonding requests, by slot (a zero amount is a free slot; at most 16).
    pub unbonding: Vec<U256>,
    /// Σ of the locks of the provider's open jobs.
    pub locked: U256,
    pub open_jobs: u64,
    pub jailed_until: u64,
    pub completed: u64,
    pub failed: u64,
}

impl Provider {
    pub fn unbonding_total(&self) -> U256 {
        self.unbonding.iter().copied().sum()
    }
}

/// One `slashJob`, as the real registry's `Slashed` event reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Slash {
    pub provider: Address,
    pub job_id: U256,
    pub beneficiary: Address,
    pub amount: U256,
    pub to_beneficiary: U256,
    pub burned: U256,
}

/// The provider registry with its default parameters (`minStakeBase` 5_000 CT, `stakePerGpu`
/// 200 CT, `maxSlashBps` 1_000, `challengerShareBps` 5_000, `maxOpenJobs` 64), following
/// contracts/provider-registry/src/lib.rs: `lockStake`, `releaseStake`, `slashJob`, `jail`, and
/// the provider-side `requestUnbond` and `deregister` as methods.
#[derive(Clone)]
pub(crate) struct Registry {
    vm: TestVM,
    pub job_managers: HashSet<Address>,
    pub slashers: HashSet<Address>,
    pub providers: HashMap<Address, Provider>,
    /// `(provider, jobId)` → `(amount, penaltyBase)`.
    pub locks: HashMap<(Address, U256), (U256, U256)>,
    pub min_stake_base: U256,
    pub stake_per_gpu: U256,
    pub max_slash_bps: U256,
    pub challenger_share_bps: U256,
    pub max_open_jobs: u64,
    pub slashes: Vec<Slash>,
    /// CT paid to slash beneficiaries.
    pub paid: HashMap<Address, U256>,
    /// CT burned by slashes.
    pub burned: U256,
}

impl Registry {
    /// No providers; `escrow` holds `JOB_MANAGER_ROLE` and `SLASHER_ROLE`.
    pub fn new(vm: TestVM, escrow: Address) -> Self {
        Self {
            vm,
            job_managers: HashSet::from([escrow]),
            slashers: HashSet::from([escrow]),
            providers: HashMap::new(),
            locks: HashMap::new(),
            min_stake_base: CT * U256::from(5_000),
            stake_per_gpu: CT * U256::from(200),
            max_slash_bps: U256::from(1_000),
            challenger_share_bps: U256::from(5_000),
            max_open_jobs: 64,
            slashes: Vec::new(),
            paid: HashMap::new(),
            burned: U256::ZERO,
        }
    }

    /// Registers `p` with `gpu_count` GPUs and `active` wei of active stake.
    pub fn register(&mut self, p: Address, gpu_count: u32, active: U256) {
        let e = self.providers.entry(p).or_default();
        e.registered = true;
        e.gpu_count = gpu_count;
        e.active = active;
    }

    /// `p`'s record (a default one if unknown).
    pub fn provider(&self, p: Address) -> Provider {
        self.providers.get(&p).cloned().unwrap_or_default()
    }

    fn p(&mut self, p: Address) -> &mut Provider {
        self.providers.entry(p).or_default()
    }

    /// `minStakeBase + stakePerGpu × gpuCount`.
    pub fn required_stake(&self, gpu_count: u32) -> U256 {
        self.min_stake_base + self.stake_per_gpu * U256::from(gpu_count)
    }

    /// Registered, not jailed, active stake at least the required stake.
    pub fn is_eligible(&self, p: Address) -> bool {
        let r = self.provider(p);
        r.registered
            && self.vm.block_timestamp() >= r.jailed_until
            && r.active >= self.required_stake(r.gpu_count)
    }

    /// `requestUnbond(amount)` by `p`: moves free stake (active − locked) to a new request.
    pub fn request_unbond(&mut self, p: Address, amount: U256) -> Result<(), Vec<u8>> {
        if amount.is_zero() {
            return Err(RegistryZeroAmount {}.abi_encode());
        }
        let r = self.provider(p);
        let free = r.active.saturating_sub(r.locked);
        if amount > free {
            return Err(RegistryInsufficientFreeStake {
                provider: p,
                free,
                needed: amount,
            }
            .abi_encode());
        }
        self.unbond(p, amount)
    }

    fn unbond(&mut self, p: Address, amount: U256) -> Result<(), Vec<u8>> {
        let r = self.p(p);
        match r.unbonding.iter().position(|x| x.is_zero()) {
            Some(i) => r.unbonding[i] = amount,
            None if r.unbonding.len() < 16 => r.unbonding.push(amount),
            None => {
                return Err(RegistryTooManyUnbondRequests {
                    provider: p,
                    maxRequests: U256::from(16),
                }
                .abi_encode())
            }
        }
        r.active -= amount;
        Ok(())
    }

    /// `deregister()` by `p`: refused while it has an open job; its active stake starts unbonding.
    pub fn deregister(&mut self, p: Address) -> Result<(), Vec<u8>> {
        let r = self.provider(p);
        if !r.registered {
            return Err(RegistryNotRegistered { provider: p }.abi_encode());
        }
        if r.open_jobs > 0 {
            return Err(RegistryJobsOpen {
                provider: p,
                openJobs: U256::from(r.open_jobs),
            }
            .abi_encode());
        }
        if !r.active.is_zero() {
            self.unbond(p, r.active)?;
        }
        self.p(p).registered = false;
        Ok(())
    }

    fn only(&self, role: alloy_primitives::B256, call: &Call) -> Result<(), Vec<u8>> {
        no_static(call)?;
        let holders = if role == JOB_MANAGER_ROLE {
            &self.job_managers
        } else {
            &self.slashers
        };
        if holders.contains(&call.from) {
            Ok(())
        } else {
            Err(unauthorized(call.from, role))
        }
    }

    /// Removes job `job_id`'s lock and counts the outcome; returns its penalty base.
    fn release(&mut self, p: Address, job_id: U256, success: bool) -> Result<U256, Vec<u8>> {
        let (amount, base) = self.locks.remove(&(p, job_id)).ok_or_else(|| {
            RegistryUnknownLock {
                provider: p,
                jobId: job_id,
            }
            .abi_encode()
        })?;
        let r = self.p(p);
        r.locked -= amount;
        r.open_jobs -= 1;
        if success {
            r.completed += 1;
        } else {
            r.failed += 1;
        }
        Ok(base)
    }

    /// Takes `min(amount, active + unbonding)` pro rata from the active stake and each request,
    /// each share rounded up and capped by what is left to take (the real `take`).
    fn take(&mut self, p: Address, amount: U256) -> U256 {
        let r = self.p(p);
        let total = r.active + r.unbonding_total();
        let slashed = amount.min(total);
        if slashed.is_zero() {
            return slashed;
        }
        let from_active = (slashed * r.active).div_ceil(total);
        let mut remaining = slashed - from_active;
        for x in r.unbonding.iter_mut() {
            if remaining.is_zero() {
                break;
            }
            if x.is_zero() {
                continue;
            }
            let take = (slashed * *x).div_ceil(total).min(remaining);
            *x -= take;
            remaining -= take;
        }
        r.active -= from_active;
        slashed
    }
}

impl Model for Registry {
    fn call(&mut self, call: &Call) -> Result<Vec<u8>, Vec<u8>> {
        let data = &call.data;
        match selector(data) {
            lockStakeCall::SELECTOR => {
                self.only(JOB_MANAGER_ROLE, call)?;
                let c = lockStakeCall::abi_decode(data).map_err(|_| Vec::new())?;
                let p = c.provider;
                if !self.is_eligible(p) {
                    return Err(RegistryNotEligible { provider: p }.abi_encode());
                }
                let r = self.provider(p);
                if c.gpuCount > r.gpu_count {
                    return Err(RegistryInsufficientGpus {
                        provider: p,
                        needed: c.gpuCount,
                        registered: r.gpu_count,
                    }
                    .abi_encode());
                }
                if r.open_jobs >= self.max_open_jobs {
                    return Err(RegistryTooManyOpenJobs {
                        provider: p,
                        maxOpenJobs: U256::from(self.max_open_jobs),
                    }
                    .abi_encode());
                }
                if self.locks.contains_key(&(p, c.jobId)) {
                    return Err(RegistryLockExists {
                        provider: p,
                        jobId: c.jobId,
                    }
                    .abi_encode());
                }
                let base = r.active + r.unbonding_total();
                let free = r.active.saturating_sub(r.locked);
                if c.amount > free {
                    return Err(RegistryInsufficientFreeStake {
                        provider: p,
                        free,
                        needed: c.amount,
                    }
                    .abi_encode());
                }
                self.locks.insert((p, c.jobId), (c.amount, base));
                let r = self.p(p);
                r.locked += c.amount;
                r.open_jobs += 1;
                Ok(Vec::new())
            }
            releaseStakeCall::SELECTOR => {
                self.only(JOB_MANAGER_ROLE, call)?;
                let c = releaseStakeCall::abi_decode(data).map_err(|_| Vec::new())?;
                self.release(c.provider, c.jobId, true)?;
                Ok(Vec::new())
            }
            slashJobCall::SELECTOR => {
                self.only(SLASHER_ROLE, call)?;
                let c = slashJobCall::abi_decode(data).map_err(|_| Vec::new())?;
                if c.beneficiary.is_zero() {
                    return Err(RegistryZeroAddress {}.abi_encode());
                }
                let bps = c.slashBps.min(self.max_slash_bps);
                let base = self.release(c.provider, c.jobId, false)?;
                let slashed = self.take(c.provider, base * bps / BPS);
                let to_beneficiary = slashed * self.challenger_share_bps / BPS;
                let burned = slashed - to_beneficiary;
                *self.paid.entry(c.beneficiary).or_default() += to_beneficiary;
                self.burned += burned;
                self.slashes.push(Slash {
                    provider: c.provider,
                    job_id: c.jobId,
                    beneficiary: c.beneficiary,
                    amount: slashed,
                    to_beneficiary,
                    burned,
                });
                Ok(Vec::new())
            }
            jailCall::SELECTOR => {
                self.only(SLASHER_ROLE, call)?;
                let c = jailCall::abi_decode(data).map_err(|_| Vec::new())?;
                let r = self.p(c.provider);
                r.jailed_until = r.jailed_until.max(c.until);
                Ok(Vec::new())
            }
            _ => Err(Vec::new()),
        }
    }
}

// -------------------------------------------------------------------------------------------------
// Compute token
// -------------------------------------------------------------------------------------------------

/// How the token misbehaves in mutating calls.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) enum Mode {
    /// A correct ERC-20 (CT).
    #[default]
    Normal,
    /// Mutating calls revert with these bytes.
    Revert(Vec<u8>),
    /// `transfer`/`transferFrom` change nothing and return `false`.
    ReturnFalse,
    /// Transfers deliver `value - fee` (a fee-on-transfer token).
    Fee(U256),
    /// Transfers and burns debit the sender `extra` more than asked (a draining token).
    Drain(U256),
}

/// An ERC-20 with `burn`, reverting as OpenZeppelin's (ERC-6093 errors).
#[derive(Clone, Default)]
pub(crate) struct Token {
    pub balances: HashMap<Address, U256>,
    pub allowances: HashMap<(Address, Address), U256>,
    pub burned: U256,
    pub mode: Mode,
}

impl Token {
    pub fn balance(&self, a: Address) -> U256 {
        get(&self.balances, a)
    }

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
        let fee = match self.mode {
            Mode::Fee(fee) => fee.min(value),
            _ => U256::ZERO,
        };
        let extra = match self.mode {
            Mode::Drain(extra) => extra.min(balance - value),
            _ => U256::ZERO,
        };
        self.balances.insert(from, balance - value - extra);
        *self.balances.entry(to).or_default() += value - fee;
        Ok(())
    }
}

impl Model for Token {
    fn call(&mut self, call: &Call) -> Result<Vec<u8>, Vec<u8>> {
        let data = &call.data;
        let sel = selector(data);
        if sel == balanceOfCall::SELECTOR {
            let c = balanceOfCall::abi_decode(data).map_err(|_| Vec::new())?;
            return Ok(self.balance(c.account).abi_encode());
        }
        no_static(call)?;
        match &self.mode {
            Mode::Revert(data) => return Err(data.clone()),
            Mode::ReturnFalse if sel != burnCall::SELECTOR => return Ok(false.abi_encode()),
            _ => {}
        }
        match sel {
            transferCall::SELECTOR => {
                let c = transferCall::abi_decode(data).map_err(|_| Vec::new())?;
                self.move_tokens(call.from, c.to, c.value)?;
                Ok(true.abi_encode())
            }
            transferFromCall::SELECTOR => {
                let c = transferFromCall::abi_decode(data).map_err(|_| Vec::new())?;
                let key = (c.from, call.from);
                let allowance = self.allowances.get(&key).copied().unwrap_or_default();
                if allowance < c.value {
                    return Err(ERC20InsufficientAllowance {
                        spender: call.from,
                        allowance,
                        needed: c.value,
                    }
                    .abi_encode());
                }
                self.move_tokens(c.from, c.to, c.value)?;
                self.allowances.insert(key, allowance - c.value);
                Ok(true.abi_encode())
            }
            burnCall::SELECTOR => {
                let c = burnCall::abi_decode(data).map_err(|_| Vec::new())?;
                let balance = self.balance(call.from);
                if balance < c.value {
                    return Err(ERC20InsufficientBalance {
                        sender: call.from,
                        balance,
                        needed: c.value,
                    }
                    .abi_encode());
                }
                let extra = match self.mode {
                    Mode::Drain(extra) => extra.min(balance - c.value),
                    _ => U256::ZERO,
                };
                self.balances.insert(call.from, balance - c.value - extra);
                self.burned += c.value + extra;
                Ok(Vec::new())
            }
            _ => Err(Vec::new()),
        }
    }
}

// -------------------------------------------------------------------------------------------------
// The models against the real contracts
// -------------------------------------------------------------------------------------------------

/// The Solidity signatures (`name(type,…)`) a contract declares in `contract_errors!`
/// (`Variant = Name(type field, …);` lines).
fn declared_errors(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|line| {
            let rest = line.trim().split_once(" = ")?.1.strip_suffix(");")?;
            let (name, fields) = rest.split_once('(')?;
            let types: Vec<&str> = fields
                .split(',')
                .filter_map(|f| f.split_whitespace().next())
                .collect();
            Some(format!("{name}({})", types.join(",")))
        })
        .collect()
}

/// The Solidity signature of the public Rust function `fn snake_name(&mut self, a: T, …)` in
/// `source`: camelCase name and the ABI types of its arguments.
fn public_function(source: &str, snake: &str) -> Option<String> {
    let start = source.find(&format!("pub fn {snake}("))? + "pub fn ".len() + snake.len() + 1;
    let end = start + source[start..].find(')')?;
    let types: Vec<&str> = source[start..end]
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty() && !a.ends_with("self"))
        .map(|a| match a.split_once(':').map(|(_, t)| t.trim()) {
            Some("Address") => "address",
            Some("U256") => "uint256",
            Some("B256") => "bytes32",
            Some("u64") => "uint64",
            Some("u32") => "uint32",
            Some("bool") => "bool",
            other => panic!("unmapped argument type {other:?} in {snake}"),
        })
        .collect();
    let mut name = String::new();
    let mut upper = false;
    for ch in snake.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            name.push(ch.to_ascii_uppercase());
            upper = false;
        } else {
            name.push(ch);
        }
    }
    Some(format!("{name}({})", types.join(",")))
}

const CONTROLLER_LIB: &str = include_str!("../../../bme-controller/src/lib.rs");
const CONTROLLER_ERRORS: &str = include_str!("../../../bme-controller/src/interface.rs");
const REGISTRY_LIB: &str = include_str!("../../../provider-registry/src/lib.rs");
const REGISTRY_ERRORS: &str = include_str!("../../../provider-registry/src/interface.rs");
const TOKEN_LIB: &str = include_str!("../../../compute-token/src/lib.rs");
const TOKEN_ERRORS: &str = include_str!("../../../compute-token/src/interface.rs");

/// Drift guard: every call the escrow encodes (`crate::calls`) is a public function of the real
/// callee with the same Solidity signature, and every error the models revert with is declared by
/// the contract it models, so the escrow's calldata and the tests' expected revert data are those of
/// the deployed contracts.
#[test]
fn models_speak_the_real_abi() {
    for (source, snake, signature) in [
        (CONTROLLER_LIB, "lock_credits", lockCreditsCall::SIGNATURE),
        (
            CONTROLLER_LIB,
            "unlock_credits",
            unlockCreditsCall::SIGNATURE,
        ),
        (CONTROLLER_LIB, "settle", settleCall::SIGNATURE),
        (CONTROLLER_LIB, "quote_tokens", quoteTokensCall::SIGNATURE),
        (REGISTRY_LIB, "lock_stake", lockStakeCall::SIGNATURE),
        (REGISTRY_LIB, "release_stake", releaseStakeCall::SIGNATURE),
        (REGISTRY_LIB, "slash_job", slashJobCall::SIGNATURE),
        (REGISTRY_LIB, "jail", jailCall::SIGNATURE),
        (TOKEN_LIB, "transfer", transferCall::SIGNATURE),
        (TOKEN_LIB, "transfer_from", transferFromCall::SIGNATURE),
        (TOKEN_LIB, "burn", burnCall::SIGNATURE),
        (TOKEN_LIB, "balance_of", balanceOfCall::SIGNATURE),
    ] {
        assert_eq!(
            public_function(source, snake).as_deref(),
            Some(signature),
            "{snake}"
        );
    }
    let controller = declared_errors(CONTROLLER_ERRORS);
    for signature in [
        BmeStalePrice::SIGNATURE,
        BmeZeroAddress::SIGNATURE,
        BmeInsufficientCredits::SIGNATURE,
    ] {
        assert!(controller.iter().any(|s| s == signature), "{signature}");
    }
    let registry = declared_errors(REGISTRY_ERRORS);
    for signature in [
        RegistryZeroAddress::SIGNATURE,
        RegistryNotRegistered::SIGNATURE,
        RegistryZeroAmount::SIGNATURE,
        RegistryInsufficientFreeStake::SIGNATURE,
        RegistryTooManyUnbondRequests::SIGNATURE,
        RegistryJobsOpen::SIGNATURE,
        RegistryNotEligible::SIGNATURE,
        RegistryInsufficientGpus::SIGNATURE,
        RegistryTooManyOpenJobs::SIGNATURE,
        RegistryUnknownLock::SIGNATURE,
        RegistryLockExists::SIGNATURE,
    ] {
        assert!(registry.iter().any(|s| s == signature), "{signature}");
    }
    let token = declared_errors(TOKEN_ERRORS);
    for signature in [
        ERC20InsufficientBalance::SIGNATURE,
        ERC20InsufficientAllowance::SIGNATURE,
    ] {
        assert!(token.iter().any(|s| s == signature), "{signature}");
    }
    // The parser sees what it should: a signature that is not declared is not found.
    assert!(!registry.iter().any(|s| s == "RegistryNotEligible(uint256)"));
    assert_eq!(public_function(REGISTRY_LIB, "no_such_function"), None);
}

/// The registry model's own rules, call by call, as the real registry's unit tests state them
/// (contracts/provider-registry/src/tests.rs): refusals change nothing; a lock fixes the penalty
/// base; a slash takes from active and unbonding stake pro rata; `slashJob` and `jail` work on an
/// unregistered provider; deregistration waits for open jobs.
#[test]
fn registry_model_follows_the_registry() {
    const ESCROW: Address = address!("000000000000000000000000000000000000e5c0");
    const P: Address = address!("0000000000000000000000000000000000000a0a");
    const BENEFICIARY: Address = address!("0000000000000000000000000000000000000b0b");
    let vm = TestVM::new();
    vm.set_block_timestamp(1_000);
    let mut r = Registry::new(vm.clone(), ESCROW);
    let call = |data: Vec<u8>| Call {
        to: REGISTRY,
        from: ESCROW,
        value: U256::ZERO,
        is_static: false,
        data,
    };
    let lock = |job: u64, amount: U256, gpus: u32| {
        call(
            lockStakeCall {
                provider: P,
                jobId: U256::from(job),
                amount,
                gpuCount: gpus,
            }
            .abi_encode(),
        )
    };
    let ct = |n: u64| CT * U256::from(n);
    // Not registered.
    assert_eq!(
        r.call(&lock(1, ct(1), 1)),
        Err(RegistryNotEligible { provider: P }.abi_encode())
    );
    r.register(P, 4, ct(5_799));
    // 5_000 + 4 × 200 = 5_800 CT required.
    assert!(!r.is_eligible(P));
    r.providers.get_mut(&P).unwrap().active = ct(10_000);
    assert_eq!(
        r.call(&lock(1, ct(1), 5)),
        Err(RegistryInsufficientGpus {
            provider: P,
            needed: 5,
            registered: 4
        }
        .abi_encode())
    );
    assert_eq!(
        r.call(&lock(1, ct(10_001), 4)),
        Err(RegistryInsufficientFreeStake {
            provider: P,
            free: ct(10_000),
            needed: ct(10_001)
        }
        .abi_encode())
    );
    assert_eq!(r.provider(P).locked, U256::ZERO);
    r.request_unbond(P, ct(2_000)).unwrap();
    assert_eq!(r.call(&lock(1, ct(1_000), 4)), Ok(Vec::new()));
    assert_eq!(r.locks[&(P, U256::from(1))], (ct(1_000), ct(10_000)));
    assert_eq!(
        r.call(&lock(1, ct(1), 4)),
        Err(RegistryLockExists {
            provider: P,
            jobId: U256::from(1)
        }
        .abi_encode())
    );
    // Free stake is active − locked.
    assert_eq!(
        r.request_unbond(P, ct(7_001)),
        Err(RegistryInsufficientFreeStake {
            provider: P,
            free: ct(7_000),
            needed: ct(7_001)
        }
        .abi_encode())
    );
    assert_eq!(
        r.deregister(P),
        Err(RegistryJobsOpen {
            provider: P,
            openJobs: U256::from(1)
        }
        .abi_encode())
    );
    // The penalty base stays 10_000 CT although the provider unbonds more; 10% of it = 1_000 CT,
    // taken pro rata from active (5_000 CT − 7 wei: ⌈500 CT − 0.7 wei⌉ = 500 CT) and the two
    // requests (2_000 CT: 200 CT; 3_000 CT + 7 wei: ⌈300 CT + 0.7 wei⌉ = 300 CT + 1 wei, capped
    // by the 300 CT left to take).
    r.request_unbond(P, ct(3_000) + U256::from(7)).unwrap();
    let slash = call(
        slashJobCall {
            provider: P,
            jobId: U256::from(1),
            slashBps: U256::from(5_000),
            beneficiary: BENEFICIARY,
        }
        .abi_encode(),
    );
    // An unregistered provider is slashed and jailed all the same.
    r.providers.get_mut(&P).unwrap().registered = false;
    assert_eq!(r.call(&slash), Ok(Vec::new()));
    let p = r.provider(P);
    assert_eq!(p.active, ct(4_500) - U256::from(7));
    assert_eq!(p.unbonding, vec![ct(1_800), ct(2_700) + U256::from(7)]);
    assert_eq!(p.active + p.unbonding_total(), ct(9_000));
    assert_eq!((p.locked, p.open_jobs, p.failed), (U256::ZERO, 0, 1));
    assert_eq!(
        r.slashes,
        vec![Slash {
            provider: P,
            job_id: U256::from(1),
            beneficiary: BENEFICIARY,
            amount: ct(1_000),
            to_beneficiary: ct(500),
            burned: ct(500)
        }]
    );
    assert_eq!(
        r.call(&slash),
        Err(RegistryUnknownLock {
            provider: P,
            jobId: U256::from(1)
        }
        .abi_encode())
    );
    let jail = |until: u64| call(jailCall { provider: P, until }.abi_encode());
    assert_eq!(r.call(&jail(5_000)), Ok(Vec::new()));
    assert_eq!(r.call(&jail(4_000)), Ok(Vec::new()));
    assert_eq!(r.provider(P).jailed_until, 5_000, "a jail only extends");
    // Roles.
    let mut other = slash.clone();
    other.from = BENEFICIARY;
    assert_eq!(r.call(&other), Err(unauthorized(BENEFICIARY, SLASHER_ROLE)));
    let mut other = lock(2, ct(1), 1);
    other.from = BENEFICIARY;
    assert_eq!(
        r.call(&other),
        Err(unauthorized(BENEFICIARY, JOB_MANAGER_ROLE))
    );
    assert_eq!(
        r.deregister(P),
        Err(RegistryNotRegistered { provider: P }.abi_encode())
    );
}
