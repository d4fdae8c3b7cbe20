//! A unit-test host for the compute-market contracts: the SDK's `TestVM`, plus in-memory models of
//! the contracts a contract under test calls (the token, price feeds, the registry, …).
//!
//! Why not `vm.mock_call`/`vm.mock_static_call` (stylus-test 0.10.10, `vm.rs`): a mock sets the VM's
//! single global `return_data` when it is *registered*, and `read_return_data` returns that global,
//! so every call made during one contract call returns the data of the most recently registered mock,
//! not of the mock it matched. A contract that reads a price and then mints, or reads a balance before
//! and after a transfer, cannot be tested that way. [`ModelHost`] delegates everything to the `TestVM`
//! except calls to addresses where a [`Model`] is installed: the model executes the call and its own
//! return data is returned, from a per-call buffer. Every call to a model is recorded ([`Call`]), so
//! tests assert the exact calldata a contract sent. Calls to other addresses still go to the
//! `TestVM` mocks.
//!
//! It also has the assertion helpers every contract's tests use: [`assert_reverts`] (exact error, no
//! storage or log written), [`logs_of`] and [`only_log`].
//!
//! The SDK's host traits are `unsafe` (raw-pointer hostio signatures), hence the allowance of
//! `unsafe_code`; each method forwards its pointers unchanged or reads them exactly as `TestVM` does.
#![allow(unsafe_code)]

use std::{cell::RefCell, collections::HashMap, rc::Rc, slice};

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolEvent;
use stylus_sdk::{prelude::*, testing::TestVM};

/// Property-test case count: `$PROPTEST_CASES` when set (the full runs: README "Tests"), else
/// `default` (what CI runs).
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `f`, which must fail with `expected`, and proves that it wrote no storage and emitted no
/// log (TestVM never rolls back, so this checks that the contract checks before it writes).
///
/// # Panics
/// If `f` succeeds, fails differently, or changed storage or logs.
pub fn assert_reverts<T: core::fmt::Debug, E: core::fmt::Debug + PartialEq>(
    vm: &TestVM,
    expected: E,
    f: impl FnOnce() -> Result<T, E>,
) {
    let before = vm.snapshot();
    match f() {
        Ok(value) => panic!("expected {expected:?}, got Ok({value:?})"),
        Err(error) => assert_eq!(error, expected),
    }
    let after = vm.snapshot();
    assert_eq!(
        before.storage, after.storage,
        "storage changed by a failed call"
    );
    assert_eq!(
        before.emitted_logs, after.emitted_logs,
        "a failed call logged"
    );
}

/// The logs of event `E` emitted so far, decoded, in order.
///
/// # Panics
/// If a log with `E`'s signature does not decode as `E`.
pub fn logs_of<E: SolEvent>(vm: &TestVM) -> Vec<E> {
    vm.get_emitted_logs()
        .into_iter()
        .filter(|(topics, _)| topics.first() == Some(&E::SIGNATURE_HASH))
        .map(|(topics, data)| E::decode_raw_log(topics, &data).expect("log decodes as its event"))
        .collect()
}

/// Asserts that exactly one log was emitted and that it is `expected`.
///
/// # Panics
/// Otherwise.
pub fn only_log<E: SolEvent + core::fmt::Debug + PartialEq>(vm: &TestVM, expected: E) {
    assert_eq!(vm.get_emitted_logs().len(), 1, "exactly one log");
    assert_eq!(logs_of::<E>(vm), vec![expected]);
}

/// One call a contract under test made to a model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// The called model's address.
    pub to: Address,
    /// The caller (the contract under test).
    pub from: Address,
    /// Wei sent (always zero for static calls).
    pub value: U256,
    /// Whether it was a static call.
    pub is_static: bool,
    /// The calldata.
    pub data: Vec<u8>,
}

/// An in-memory stand-in for a called contract.
pub trait Model {
    /// Executes `call`; `Ok` is the return data, `Err` the revert data.
    fn call(&mut self, call: &Call) -> Result<Vec<u8>, Vec<u8>>;
}

type Models = HashMap<Address, Rc<RefCell<dyn Model>>>;

/// `TestVM` + models at fixed addresses; clones share all state.
#[derive(Clone)]
pub struct ModelHost {
    /// The wrapped VM: set the sender, time, chain id, read storage snapshots and logs on it.
    pub vm: TestVM,
    models: Rc<RefCell<Models>>,
    calls: Rc<RefCell<Vec<Call>>>,
    ret: Rc<RefCell<Vec<u8>>>,
}

impl ModelHost {
    /// A host around `vm` with no models.
    pub fn new(vm: TestVM) -> Self {
        Self {
            vm,
            models: Rc::default(),
            calls: Rc::default(),
            ret: Rc::default(),
        }
    }

    /// A host around `vm` that shares `other`'s models and call record (not its VM nor its return
    /// buffer): several contracts, each with its own storage, that call each other through models
    /// (`contracts/system-tests` wires the real contracts this way).
    pub fn sharing(vm: TestVM, other: &ModelHost) -> Self {
        Self {
            vm,
            models: other.models.clone(),
            calls: other.calls.clone(),
            ret: Rc::default(),
        }
    }

    /// Installs a model behind a shared handle (the caller keeps its own `Rc`).
    pub fn install_shared(&self, at: Address, model: Rc<RefCell<dyn Model>>) {
        self.models.borrow_mut().insert(at, model);
    }

    /// Installs `model` at `at` and returns a handle to inspect or change it.
    pub fn install<M: Model + 'static>(&self, at: Address, model: M) -> Rc<RefCell<M>> {
        let model = Rc::new(RefCell::new(model));
        self.models.borrow_mut().insert(at, model.clone());
        model
    }

    /// Every call made to a model so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.borrow().clone()
    }

    /// Forgets the recorded calls.
    pub fn clear_calls(&self) {
        self.calls.borrow_mut().clear();
    }

    fn dispatch(
        &self,
        to: Address,
        data: &[u8],
        value: U256,
        is_static: bool,
        outs_len: &mut usize,
        mocked: impl FnOnce(&mut usize) -> u8,
    ) -> u8 {
        let model = self.models.borrow().get(&to).cloned();
        let Some(model) = model else {
            let status = mocked(outs_len);
            *self.ret.borrow_mut() = self.vm.read_return_data(0, None);
            return status;
        };
        let call = Call {
            to,
            from: self.vm.contract_address(),
            value,
            is_static,
            data: data.to_vec(),
        };
        self.calls.borrow_mut().push(call.clone());
        let (status, out) = match model.borrow_mut().call(&call) {
            Ok(out) => (0, out),
            Err(out) => (1, out),
        };
        *outs_len = out.len();
        *self.ret.borrow_mut() = out;
        status
    }
}

impl Host for ModelHost {}

impl CryptographyAccess for ModelHost {
    fn native_keccak256(&self, input: &[u8]) -> B256 {
        self.vm.native_keccak256(input)
    }
}

impl CalldataAccess for ModelHost {
    fn read_args(&self, len: usize) -> Vec<u8> {
        self.vm.read_args(len)
    }
    fn read_return_data(&self, offset: usize, size: Option<usize>) -> Vec<u8> {
        let data = self.ret.borrow();
        let start = offset.min(data.len());
        let end = size.map_or(data.len(), |s| (start + s).min(data.len()));
        data[start..end].to_vec()
    }
    fn return_data_size(&self) -> usize {
        self.ret.borrow().len()
    }
    fn write_result(&self, data: &[u8]) {
        self.vm.write_result(data)
    }
}

unsafe impl UnsafeDeploymentAccess for ModelHost {
    unsafe fn create1(
        &self,
        code: *const u8,
        code_len: usize,
        endowment: *const u8,
        contract: *mut u8,
        revert_data_len: *mut usize,
    ) {
        self.vm
            .create1(code, code_len, endowment, contract, revert_data_len)
    }
    unsafe fn create2(
        &self,
        code: *const u8,
        code_len: usize,
        endowment: *const u8,
        salt: *const u8,
        contract: *mut u8,
        revert_data_len: *mut usize,
    ) {
        self.vm
            .create2(code, code_len, endowment, salt, contract, revert_data_len)
    }
}

impl StorageAccess for ModelHost {
    fn storage_load_bytes32(&self, key: U256) -> B256 {
        self.vm.storage_load_bytes32(key)
    }
    unsafe fn storage_cache_bytes32(&self, key: U256, value: B256) {
        self.vm.storage_cache_bytes32(key, value)
    }
    fn flush_cache(&self, clear: bool) {
        self.vm.flush_cache(clear)
    }
}

unsafe impl UnsafeCallAccess for ModelHost {
    unsafe fn call_contract(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        value: *const u8,
        gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        // SAFETY: the SDK passes a 20-byte address and `data_len` bytes of calldata.
        let to_addr = Address::from_slice(slice::from_raw_parts(to, 20));
        let bytes = slice::from_raw_parts(data, data_len);
        // SAFETY: the SDK passes a 32-byte big-endian value.
        let wei = U256::from_be_slice(slice::from_raw_parts(value, 32));
        self.dispatch(to_addr, bytes, wei, false, outs_len, |outs| {
            self.vm.call_contract(to, data, data_len, value, gas, outs)
        })
    }
    unsafe fn static_call_contract(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        // SAFETY: as above.
        let to_addr = Address::from_slice(slice::from_raw_parts(to, 20));
        let bytes = slice::from_raw_parts(data, data_len);
        self.dispatch(to_addr, bytes, U256::ZERO, true, outs_len, |outs| {
            self.vm.static_call_contract(to, data, data_len, gas, outs)
        })
    }
    unsafe fn delegate_call_contract(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        self.vm
            .delegate_call_contract(to, data, data_len, gas, outs_len)
    }
}

impl BlockAccess for ModelHost {
    fn block_basefee(&self) -> U256 {
        self.vm.block_basefee()
    }
    fn block_coinbase(&self) -> Address {
        self.vm.block_coinbase()
    }
    fn block_number(&self) -> u64 {
        self.vm.block_number()
    }
    fn block_timestamp(&self) -> u64 {
        self.vm.block_timestamp()
    }
    fn block_gas_limit(&self) -> u64 {
        self.vm.block_gas_limit()
    }
}

impl ChainAccess for ModelHost {
    fn chain_id(&self) -> u64 {
        self.vm.chain_id()
    }
}

impl AccountAccess for ModelHost {
    fn balance(&self, account: Address) -> U256 {
        self.vm.balance(account)
    }
    fn contract_address(&self) -> Address {
        self.vm.contract_address()
    }
    fn code(&self, account: Address) -> Vec<u8> {
        self.vm.code(account)
    }
    fn code_size(&self, account: Address) -> usize {
        self.vm.code_size(account)
    }
    fn code_hash(&self, account: Address) -> B256 {
        self.vm.code_hash(account)
    }
}

impl MemoryAccess for ModelHost {
    fn pay_for_memory_grow(&self, pages: u16) {
        self.vm.pay_for_memory_grow(pages)
    }
}

impl MessageAccess for ModelHost {
    fn msg_sender(&self) -> Address {
        self.vm.msg_sender()
    }
    fn msg_reentrant(&self) -> bool {
        self.vm.msg_reentrant()
    }
    fn msg_value(&self) -> U256 {
        self.vm.msg_value()
    }
    fn tx_origin(&self) -> Address {
        self.vm.tx_origin()
    }
}

impl MeteringAccess for ModelHost {
    fn evm_gas_left(&self) -> u64 {
        self.vm.evm_gas_left()
    }
    fn evm_ink_left(&self) -> u64 {
        self.vm.evm_ink_left()
    }
    fn tx_gas_price(&self) -> U256 {
        self.vm.tx_gas_price()
    }
    fn tx_ink_price(&self) -> u32 {
        self.vm.tx_ink_price()
    }
}

impl RawLogAccess for ModelHost {
    fn emit_log(&self, input: &[u8], num_topics: usize) {
        self.vm.emit_log(input, num_topics)
    }
    fn raw_log(&self, topics: &[B256], data: &[u8]) -> Result<(), &'static str> {
        self.vm.raw_log(topics, data)
    }
}
