//! The compute-market contracts wired together natively, for attack scenarios and property tests
//! over the **real** contracts (not models): ComputeToken, ManualPriceFeed, Emissions, BmeController,
//! ProviderRegistry, JobEscrow and JobMarket, deployed and wired as `compute-market deploy` wires
//! them (docs/protocol.md "Deployment").
//!
//! Each contract has its own `TestVM` (its own storage, address and `msg.sender`) behind a
//! [`ModelHost`]; every host shares one routing table in which each contract is installed as a
//! [`Model`] that dispatches calldata through the contract's ABI router (`router_entrypoint`, what
//! the Stylus entrypoint runs on chain). So a call from the escrow to the controller runs the
//! controller's real code with `msg.sender` = the escrow. EVM semantics the harness adds:
//! - **reverts roll back**: every call (top-level or nested) snapshots the storage of every contract
//!   and restores it if the call fails, so a caught revert (`JobMarket.closeAuction` skipping a
//!   bidder the registry refuses) leaves no trace, as on chain. (Logs of reverted calls are not
//!   removed — `TestVM` cannot — so tests assert state, not logs, after a caught revert.)
//! - **one clock**: [`System::warp`] moves every contract's `block.timestamp`.
//!
//! The dev-chain end-to-end tests (`tests/e2e`) run the same scenarios on the compiled wasm; this
//! crate runs them ~1,000× faster, which is what lets the property tests take 10,000 cases.
// A test harness: a setup step that fails is a test failure, so it unwraps (and says what failed).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::result_large_err)]

use std::{cell::RefCell, collections::HashMap, rc::Rc};

use alloy_primitives::{address, Address, B256, I256, U256};
use stylus_sdk::{host::VM, testing::TestVM, ArbResult};
use testing::{Call, Model, ModelHost};

pub use bme_controller::BmeController;
pub use compute_token::ComputeToken;
pub use emissions::Emissions;
pub use job_escrow::JobEscrow;
pub use job_market::JobMarket;
pub use price_feed::ManualPriceFeed;
pub use provider_registry::ProviderRegistry;

use common::access::AccessControl;
use common::roles::{
    ARBITRATOR_ROLE, ATTESTER_ROLE, ESCROW_ROLE, JOB_MANAGER_ROLE, MARKET_ROLE, MINTER_ROLE,
    PARAMETER_ADMIN_ROLE, PAUSER_ROLE, SETTLER_ROLE, SLASHER_ROLE, STAKE_REPORTER_ROLE,
};

/// 1 CT in wei.
pub const CT: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);
/// 1 USD of credits.
pub const USD: U256 = U256::from_limbs([1_000_000, 0, 0, 0]);
/// Genesis time of the deployment (unix seconds).
pub const T0: u64 = 1_700_000_000;
/// One day (the default epoch).
pub const DAY: u64 = 86_400;

/// The deployed addresses.
pub const TOKEN: Address = address!("00000000000000000000000000000000000c7c7c");
/// The dev price feed.
pub const FEED: Address = address!("00000000000000000000000000000000000fee0d");
/// Emissions.
pub const EMISSIONS: Address = address!("00000000000000000000000000000000000e1551");
/// The BME controller.
pub const CONTROLLER: Address = address!("00000000000000000000000000000000000c0111");
/// The provider registry.
pub const REGISTRY: Address = address!("0000000000000000000000000000000000005e91");
/// The job escrow.
pub const ESCROW: Address = address!("000000000000000000000000000000000000e5c0");
/// The job market.
pub const MARKET: Address = address!("00000000000000000000000000000000000a0c71");

/// The accounts: an admin holding every admin role, the treasury (genesis holder), the
/// arbitrator, the attester, and users.
pub const ADMIN: Address = address!("000000000000000000000000000000000000a11c");
/// Receives the genesis supply and the treasury parts.
pub const TREASURY: Address = address!("0000000000000000000000000000000000007eaf");
/// Holds `ARBITRATOR_ROLE`.
pub const ARBITRATOR: Address = address!("000000000000000000000000000000000000a4b1");
/// Holds `ATTESTER_ROLE` on the market.
pub const ATTESTER: Address = address!("00000000000000000000000000000000000a77e5");

/// The address of user `i` (requesters, providers, sybils).
pub fn user(i: u64) -> Address {
    let mut a = [0u8; 20];
    a[0] = 0x11;
    a[12..].copy_from_slice(&i.to_be_bytes());
    Address::from(a)
}

/// `n` CT in wei.
pub fn ct(n: u64) -> U256 {
    U256::from(n) * CT
}

type Dispatch = fn(&ModelHost, &[u8]) -> ArbResult;

fn dispatch<C>(host: &ModelHost, data: &[u8]) -> ArbResult
where
    C: stylus_sdk::abi::Router<C>
        + stylus_sdk::storage::StorageType
        + stylus_sdk::stylus_core::storage::TopLevelStorage
        + core::borrow::BorrowMut<<C as stylus_sdk::abi::Router<C>>::Storage>
        + stylus_sdk::stylus_core::ValueDenier,
{
    stylus_sdk::abi::router_entrypoint::<C, C>(
        data.to_vec(),
        VM {
            host: Box::new(host.clone()),
        },
    )
}

/// Every contract's VM, to snapshot and restore around calls.
type Vms = Rc<RefCell<Vec<TestVM>>>;

/// Snapshots the storage of every contract.
fn snapshot(vms: &Vms) -> Vec<HashMap<U256, B256>> {
    vms.borrow()
        .iter()
        .map(|vm| vm.snapshot().storage)
        .collect()
}

/// Restores the storage of every contract.
fn restore(vms: &Vms, snapshot: Vec<HashMap<U256, B256>>) {
    for (vm, storage) in vms.borrow().iter().zip(snapshot) {
        vm.clear_storage();
        for (k, v) in storage {
            vm.set_storage(k, v);
        }
    }
}

/// A real contract installed as a model: calls run its router with `msg.sender` = the caller, and
/// a failing call restores every contract's storage.
struct Deployed {
    host: ModelHost,
    dispatch: Dispatch,
    vms: Vms,
}

impl Model for Deployed {
    fn call(&mut self, c: &Call) -> Result<Vec<u8>, Vec<u8>> {
        let saved = snapshot(&self.vms);
        let sender = self.host.vm.snapshot().msg_sender;
        self.host.vm.set_sender(c.from);
        self.host.vm.set_value(c.value);
        let result = (self.dispatch)(&self.host, &c.data);
        self.host.vm.set_sender(sender);
        if result.is_err() {
            restore(&self.vms, saved);
        }
        result
    }
}

/// The whole system, deployed and wired.
pub struct System {
    root: ModelHost,
    hosts: HashMap<Address, ModelHost>,
    vms: Vms,
    now: u64,
}

impl System {
    /// Deploys every contract as `compute-market deploy` does on a dev chain: a 1.50 USD feed
    /// (8 decimals), 650M CT of genesis supply to the treasury (a 350M CT emission reserve), daily
    /// epochs from [`T0`], every role wired, ADMIN holding `PARAMETER_ADMIN_ROLE` and `PAUSER_ROLE`
    /// everywhere, ARBITRATOR and ATTESTER their roles.
    pub fn deploy() -> Self {
        Self::deploy_with(DAY, 150_000_000)
    }

    /// [`Self::deploy`] with another epoch length (seconds) and feed answer (8 decimals).
    pub fn deploy_with(epoch_length: u64, answer_8: i64) -> Self {
        let root = ModelHost::new(TestVM::new());
        let vms: Vms = Rc::default();
        let mut sys = Self {
            root,
            hosts: HashMap::new(),
            vms,
            now: T0,
        };
        sys.install(FEED, dispatch::<ManualPriceFeed>);
        sys.install(TOKEN, dispatch::<ComputeToken>);
        sys.install(EMISSIONS, dispatch::<Emissions>);
        sys.install(CONTROLLER, dispatch::<BmeController>);
        sys.install(REGISTRY, dispatch::<ProviderRegistry>);
        sys.install(ESCROW, dispatch::<JobEscrow>);
        sys.install(MARKET, dispatch::<JobMarket>);
        sys.warp(T0);

        sys.at(FEED, ADMIN);
        sys.feed()
            .constructor(
                8,
                "CT / USD".into(),
                I256::try_from(answer_8).unwrap(),
                ADMIN,
            )
            .unwrap();
        sys.at(TOKEN, ADMIN);
        sys.token()
            .constructor(
                "Compute Token".into(),
                "CT".into(),
                ADMIN,
                TREASURY,
                ct(650_000_000),
            )
            .unwrap();
        sys.at(EMISSIONS, ADMIN);
        sys.emissions()
            .constructor(TOKEN, TREASURY, ADMIN, epoch_length)
            .unwrap();
        sys.at(CONTROLLER, ADMIN);
        sys.controller()
            .constructor(TOKEN, FEED, Address::ZERO, TREASURY, EMISSIONS, ADMIN)
            .unwrap();
        sys.at(REGISTRY, ADMIN);
        sys.registry().constructor(TOKEN, EMISSIONS, ADMIN).unwrap();
        sys.at(ESCROW, ADMIN);
        sys.escrow()
            .constructor(CONTROLLER, REGISTRY, TOKEN, ADMIN)
            .unwrap();
        sys.at(MARKET, ADMIN);
        sys.market().constructor(ESCROW, REGISTRY, ADMIN).unwrap();

        // Wiring (docs/protocol.md "Deployment").
        sys.at(TOKEN, ADMIN);
        sys.token().grant_role(MINTER_ROLE, CONTROLLER).unwrap();
        sys.token().grant_role(MINTER_ROLE, EMISSIONS).unwrap();
        sys.at(EMISSIONS, ADMIN);
        sys.emissions().set_controller(CONTROLLER).unwrap();
        sys.emissions()
            .grant_role(SETTLER_ROLE, CONTROLLER)
            .unwrap();
        sys.emissions()
            .grant_role(STAKE_REPORTER_ROLE, REGISTRY)
            .unwrap();
        sys.emissions()
            .grant_role(PARAMETER_ADMIN_ROLE, ADMIN)
            .unwrap();
        sys.at(CONTROLLER, ADMIN);
        sys.controller().grant_role(ESCROW_ROLE, ESCROW).unwrap();
        sys.at(REGISTRY, ADMIN);
        sys.registry().grant_role(JOB_MANAGER_ROLE, ESCROW).unwrap();
        sys.registry().grant_role(SLASHER_ROLE, ESCROW).unwrap();
        sys.at(ESCROW, ADMIN);
        sys.escrow()
            .grant_role(ARBITRATOR_ROLE, ARBITRATOR)
            .unwrap();
        sys.escrow().grant_role(MARKET_ROLE, MARKET).unwrap();
        sys.at(MARKET, ADMIN);
        sys.market().grant_role(ATTESTER_ROLE, ATTESTER).unwrap();
        for at in [CONTROLLER, REGISTRY, ESCROW, MARKET] {
            sys.at(at, ADMIN);
            let host = sys.host(at).clone();
            // Every contract embeds the same `Roles` component; grant through any typed view.
            let mut roles = ContractRoles(host);
            roles.grant(PARAMETER_ADMIN_ROLE, ADMIN);
            roles.grant(PAUSER_ROLE, ADMIN);
        }
        sys
    }

    fn install(&mut self, at: Address, dispatch: Dispatch) {
        let vm = TestVM::new();
        vm.set_contract_address(at);
        let host = ModelHost::sharing(vm.clone(), &self.root);
        self.vms.borrow_mut().push(vm);
        let model: Rc<RefCell<dyn Model>> = Rc::new(RefCell::new(Deployed {
            host: host.clone(),
            dispatch,
            vms: self.vms.clone(),
        }));
        self.root.install_shared(at, model);
        self.hosts.insert(at, host);
    }

    /// The host of the contract at `at`.
    pub fn host(&self, at: Address) -> &ModelHost {
        &self.hosts[&at]
    }

    /// Makes `sender` the caller of the next direct call into the contract at `at`.
    pub fn at(&self, at: Address, sender: Address) {
        self.host(at).vm.set_sender(sender);
    }

    /// The current time (unix seconds).
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Moves every contract's clock to `t` (never backwards).
    pub fn warp(&mut self, t: u64) {
        self.now = self.now.max(t);
        for vm in self.vms.borrow().iter() {
            vm.set_block_timestamp(self.now);
        }
    }

    /// Moves the clock forward by `seconds`.
    pub fn skip(&mut self, seconds: u64) {
        self.warp(self.now.saturating_add(seconds));
    }

    /// Runs a transaction: `f` gets the typed contract at `at` with `msg.sender` = `from`; if it
    /// fails, every contract's storage is restored (as a revert on chain).
    pub fn tx<C, T, E>(
        &mut self,
        from: Address,
        at: Address,
        f: impl FnOnce(&mut C) -> Result<T, E>,
    ) -> Result<T, E>
    where
        C: for<'a> From<&'a ModelHost>,
    {
        let saved = snapshot(&self.vms);
        self.at(at, from);
        let mut c = C::from(self.host(at));
        let result = f(&mut c);
        if result.is_err() {
            restore(&self.vms, saved);
        }
        result
    }

    /// The token, for views and direct calls.
    pub fn token(&self) -> ComputeToken {
        ComputeToken::from(self.host(TOKEN))
    }

    /// The feed.
    pub fn feed(&self) -> ManualPriceFeed {
        ManualPriceFeed::from(self.host(FEED))
    }

    /// Emissions.
    pub fn emissions(&self) -> Emissions {
        Emissions::from(self.host(EMISSIONS))
    }

    /// The controller.
    pub fn controller(&self) -> BmeController {
        BmeController::from(self.host(CONTROLLER))
    }

    /// The registry.
    pub fn registry(&self) -> ProviderRegistry {
        ProviderRegistry::from(self.host(REGISTRY))
    }

    /// The escrow.
    pub fn escrow(&self) -> JobEscrow {
        JobEscrow::from(self.host(ESCROW))
    }

    /// The market.
    pub fn market(&self) -> JobMarket {
        JobMarket::from(self.host(MARKET))
    }

    /// Sets the feed's answer (8 decimals) now, so the price is fresh.
    pub fn set_price(&mut self, answer_8: i64) {
        self.at(FEED, ADMIN);
        self.feed()
            .update_answer(I256::try_from(answer_8).unwrap())
            .unwrap();
    }

    /// Refreshes the feed's answer at the current time (keeps the price fresh after a warp).
    pub fn refresh_price(&mut self) {
        let (_, answer, _, _, _) = self.feed().latest_round_data();
        self.at(FEED, ADMIN);
        self.feed().update_answer(answer).unwrap();
    }

    /// The treasury sends `amount` CT to `to`.
    pub fn fund(&mut self, to: Address, amount: U256) {
        self.at(TOKEN, TREASURY);
        self.token().transfer(to, amount).unwrap();
    }

    /// `who` burns `tokens` CT for credits (approving the controller first).
    pub fn buy(&mut self, who: Address, tokens: U256) -> U256 {
        self.at(TOKEN, who);
        self.token().approve(CONTROLLER, tokens).unwrap();
        self.tx(who, CONTROLLER, |c: &mut BmeController| {
            c.buy_credits(tokens, U256::ZERO, who)
        })
        .unwrap()
    }

    /// `who` registers with `gpus` GPUs (model `H100`, 80 GiB) and stakes `stake` CT.
    pub fn provider(&mut self, who: Address, gpus: u32, stake: U256) {
        self.fund(who, stake);
        self.tx(who, REGISTRY, |r: &mut ProviderRegistry| {
            r.register(h100(), gpus, 80, B256::ZERO, String::new())
        })
        .unwrap();
        self.at(TOKEN, who);
        self.token().approve(REGISTRY, stake).unwrap();
        self.tx(who, REGISTRY, |r: &mut ProviderRegistry| r.stake(stake))
            .unwrap();
    }

    /// Σ CT balances of `accounts` (wei).
    pub fn balance(&self, account: Address) -> U256 {
        self.token().balance_of(account)
    }
}

/// The escrow's error type.
pub type EscrowError = job_escrow::interface::Error;
/// The registry's error type.
pub type RegistryError = provider_registry::interface::Error;
/// The market's error type.
pub type MarketError = job_market::interface::Error;

/// Job helpers: each runs one transaction on the escrow as a dApp would (the dispute bond is
/// approved first).
impl System {
    /// `requester` opens a job for `gpus` GPUs, `hours` hours, at `usd_per_gpu_hour` (whole USD),
    /// naming `provider` (zero = any). Returns its id.
    pub fn create_job(
        &mut self,
        requester: Address,
        provider: Address,
        gpus: u32,
        hours: u64,
        usd_per_gpu_hour: u64,
    ) -> Result<U256, EscrowError> {
        self.tx(requester, ESCROW, |e: &mut JobEscrow| {
            e.create_job(
                provider,
                B256::repeat_byte(1),
                gpus,
                hours * 3_600,
                U256::from(usd_per_gpu_hour) * USD,
            )
        })
    }

    /// `provider` accepts job `id`.
    pub fn accept(&mut self, provider: Address, id: U256) -> Result<(), EscrowError> {
        self.tx(provider, ESCROW, |e: &mut JobEscrow| e.accept_job(id))
    }

    /// `provider` submits a result for job `id` after `seconds` GPU-seconds.
    pub fn submit(&mut self, provider: Address, id: U256, seconds: u64) -> Result<(), EscrowError> {
        self.tx(provider, ESCROW, |e: &mut JobEscrow| {
            e.submit_result(id, B256::repeat_byte(2), seconds)
        })
    }

    /// `requester` approves job `id`'s result.
    pub fn approve(&mut self, requester: Address, id: U256) -> Result<(), EscrowError> {
        self.tx(requester, ESCROW, |e: &mut JobEscrow| e.approve_result(id))
    }

    /// `who` finalises job `id`.
    pub fn finalize(&mut self, who: Address, id: U256) -> Result<(), EscrowError> {
        self.tx(who, ESCROW, |e: &mut JobEscrow| e.finalize(id))
    }

    /// `requester` disputes job `id`, approving up to `bond_allowance` CT for the bond.
    pub fn dispute(
        &mut self,
        requester: Address,
        id: U256,
        bond_allowance: U256,
    ) -> Result<(), EscrowError> {
        self.at(TOKEN, requester);
        self.token().approve(ESCROW, bond_allowance).unwrap();
        self.tx(requester, ESCROW, |e: &mut JobEscrow| {
            e.dispute_result(id, B256::repeat_byte(3))
        })
    }

    /// The arbitrator rules on job `id`.
    pub fn resolve(&mut self, id: U256, provider_at_fault: bool) -> Result<(), EscrowError> {
        self.tx(ARBITRATOR, ESCROW, |e: &mut JobEscrow| {
            e.resolve_dispute(id, provider_at_fault)
        })
    }

    /// `who` claims the timeout of job `id`.
    pub fn timeout(&mut self, who: Address, id: U256) -> Result<(), EscrowError> {
        self.tx(who, ESCROW, |e: &mut JobEscrow| e.claim_timeout(id))
    }

    /// Finalises every past epoch in Emissions.
    pub fn finalize_epochs(&mut self) {
        loop {
            let n = self
                .tx(ADMIN, EMISSIONS, |e: &mut Emissions| {
                    e.finalize_epochs(U256::from(64))
                })
                .unwrap();
            if n.is_zero() {
                break;
            }
        }
    }

    /// `who` claims its work rewards of `epochs` and its stake rewards. Returns the CT minted.
    pub fn claim_rewards(&mut self, who: Address, epochs: &[u64]) -> U256 {
        self.tx(who, EMISSIONS, |e: &mut Emissions| {
            e.claim_rewards(epochs.iter().map(|&e| U256::from(e)).collect())
        })
        .unwrap()
    }

    /// Job `id`'s state (escrow codes: 1 Open … 8 Expired).
    pub fn job_state(&self, id: U256) -> u8 {
        self.escrow().job(id).0
    }
}

/// `bytes32("H100")`.
pub fn h100() -> B256 {
    common::params::name("H100")
}

/// A typed view of any contract's role component, through the registry's ABI (every contract
/// shares the `AccessControl` trait implementation).
struct ContractRoles(ModelHost);

impl ContractRoles {
    fn grant(&mut self, role: B256, account: Address) {
        let at = self.0.vm.snapshot().contract_address;
        let ok = match at {
            CONTROLLER => BmeController::from(&self.0)
                .grant_role(role, account)
                .is_ok(),
            REGISTRY => ProviderRegistry::from(&self.0)
                .grant_role(role, account)
                .is_ok(),
            ESCROW => JobEscrow::from(&self.0).grant_role(role, account).is_ok(),
            MARKET => JobMarket::from(&self.0).grant_role(role, account).is_ok(),
            _ => false,
        };
        assert!(ok, "grant {role} on {at}");
    }
}
