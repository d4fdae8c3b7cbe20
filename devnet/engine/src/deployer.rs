//! Native StylusDeployer at `0xcEcba2F1DC234f70Dd89F2041029807F8D03A990` with the ABI, events and
//! errors of nitro-contracts' `StylusDeployer.sol` (stylus-runtime.md §3.4), implemented as a
//! step machine that runs its CREATE, activation, initialisation and refund as child frames.

use alloy_sol_types::{sol, SolCall, SolError, SolEvent, SolInterface};
use revm::context_interface::{Block, ContextError, ContextTr, JournalTr};
use revm::handler::evm::ContextDbError;
use revm::handler::{handle_reservoir_remaining_gas, EthFrame, FrameResult};
use revm::interpreter::interpreter::EthInterpreter;
use revm::interpreter::{
    CallInput, CallInputs, CallScheme, CallValue, CreateInputs, CreateScheme, FrameInput, Gas,
    InstructionResult, InterpreterResult,
};
use revm::primitives::{keccak256, Address, Bytes, Log, B256, U256};
use revm::Database;

use crate::evm::{Step, TxState};
use crate::precompiles::{read_program, Ctx, IArbWasm};
use crate::{ARB_WASM, STYLUS_DEPLOYER, STYLUS_VERSION};

sol! {
    interface IStylusDeployer {
        function deploy(bytes calldata bytecode, bytes calldata initData, uint256 initValue, bytes32 salt) external payable returns (address);
        function requiresActivation(address addr) external view returns (bool);
        function initSalt(bytes32 salt, bytes calldata initData, uint256 initValue) external pure returns (bytes32);

        event ContractDeployed(address deployedContract);

        error ContractDeploymentError(bytes bytecode);
        error ContractInitializationError(address newContract);
        error RefundExcessValueError(uint256 balance);
        error EmptyBytecode();
        error InitValueButNotInitData();
    }
}

/// Fixed overhead charged per deployer call (gas), standing in for the Solidity code's own costs.
const DEPLOYER_OVERHEAD_GAS: u64 = 5_000;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Start,
    AwaitCreate,
    AwaitActivate,
    Init,
    AwaitInit,
    Refund,
    AwaitRefund,
    Emit,
}

/// The deployer's in-flight state.
pub(crate) struct DeployerFrame {
    args: Bytes,
    state: State,
    call: Option<IStylusDeployer::deployCall>,
    addr: Address,
    activated: bool,
    refund: U256,
    last: Option<(InstructionResult, Bytes, Option<Address>)>,
}

fn revert(gas: &Gas, data: Bytes) -> Step {
    Step::Done(InterpreterResult::new(
        InstructionResult::Revert,
        data,
        *gas,
    ))
}

/// True if `addr`'s code is not active at the current Stylus version (`requiresActivation`).
fn needs_activation<DB: Database>(
    ctx: &mut Ctx<DB>,
    addr: Address,
) -> Result<bool, ContextDbError<Ctx<DB>>> {
    let code = ctx.journal_mut().code(addr).map_err(ContextError::Db)?.data;
    let hash = keccak256(&code);
    let info = read_program(ctx, hash).map_err(ContextError::Db)?;
    let now = ctx.block().timestamp().saturating_to::<u64>();
    Ok(info.is_none_or(|i| i.version != STYLUS_VERSION || i.expired(now)))
}

/// `initSalt`: keccak256(salt ‖ initData ‖ initValue) (abi.encodePacked).
fn init_salt(salt: B256, init_data: &[u8], init_value: U256) -> B256 {
    let mut buf = salt.to_vec();
    buf.extend_from_slice(init_data);
    buf.extend_from_slice(&init_value.to_be_bytes::<32>());
    keccak256(buf)
}

impl DeployerFrame {
    pub(crate) fn new(args: Bytes) -> Self {
        Self {
            args,
            state: State::Start,
            call: None,
            addr: Address::ZERO,
            activated: false,
            refund: U256::ZERO,
            last: None,
        }
    }

    /// Builds a CALL child frame from the deployer, charging the CALL opcode's base costs.
    fn call<DB: Database>(
        &mut self,
        ctx: &mut Ctx<DB>,
        gas: &mut Gas,
        to: Address,
        value: U256,
        data: Bytes,
    ) -> Result<Option<FrameInput>, ContextDbError<Ctx<DB>>> {
        let acc = ctx
            .journal_mut()
            .load_account_with_code(to)
            .map_err(ContextError::Db)?;
        let cold = acc.is_cold;
        let empty = acc.data.is_empty();
        let bytecode = acc.data.info.code.clone().unwrap_or_default();
        let hash = acc.data.info.code_hash;
        let mut base = 100 + if cold { 2500 } else { 0 };
        if !value.is_zero() {
            base += 9000;
            if empty {
                base += 25_000;
            }
        }
        if !gas.record_regular_cost(base) {
            return Ok(None);
        }
        let rem = gas.remaining();
        let mut limit = rem - rem / 64;
        let _ = gas.record_regular_cost(limit);
        if !value.is_zero() {
            limit += 2300;
        }
        Ok(Some(FrameInput::Call(Box::new(CallInputs {
            input: CallInput::Bytes(data),
            return_memory_offset: 0..0,
            gas_limit: limit,
            reservoir: gas.reservoir(),
            bytecode_address: to,
            known_bytecode: (hash, bytecode),
            target_address: to,
            caller: STYLUS_DEPLOYER,
            value: CallValue::Transfer(value),
            scheme: CallScheme::Call,
            is_static: false,
            charged_new_account_state_gas: false,
        }))))
    }

    pub(crate) fn run<DB: Database>(
        &mut self,
        ctx: &mut Ctx<DB>,
        frame: &mut EthFrame<EthInterpreter>,
        _tx: &TxState,
    ) -> Result<Step, ContextDbError<Ctx<DB>>> {
        let msg_value = frame.interpreter.input.call_value;
        let sender = frame.interpreter.input.caller_address;
        let is_static = frame.interpreter.runtime_flag.is_static;
        let gas = &mut frame.interpreter.gas;
        let oog = |gas: &mut Gas| {
            gas.spend_all();
            Ok(Step::Done(InterpreterResult::new(
                InstructionResult::OutOfGas,
                Bytes::new(),
                *gas,
            )))
        };
        loop {
            match self.state {
                State::Start => {
                    if !gas.record_regular_cost(DEPLOYER_OVERHEAD_GAS) {
                        return oog(gas);
                    }
                    use IStylusDeployer::IStylusDeployerCalls as C;
                    let Ok(call) = C::abi_decode(&self.args) else {
                        return Ok(revert(gas, Bytes::new()));
                    };
                    let c = match call {
                        C::requiresActivation(c) => {
                            if !msg_value.is_zero() {
                                return Ok(revert(gas, Bytes::new()));
                            }
                            let r = needs_activation(ctx, c.addr)?;
                            let out =
                                IStylusDeployer::requiresActivationCall::abi_encode_returns(&r);
                            return Ok(Step::Done(InterpreterResult::new(
                                InstructionResult::Return,
                                out.into(),
                                *gas,
                            )));
                        }
                        C::initSalt(c) => {
                            let s = init_salt(c.salt, &c.initData, c.initValue);
                            return Ok(Step::Done(InterpreterResult::new(
                                InstructionResult::Return,
                                Bytes::copy_from_slice(s.as_slice()),
                                *gas,
                            )));
                        }
                        C::deploy(c) => c,
                    };
                    if is_static {
                        return Ok(revert(gas, Bytes::new()));
                    }
                    if c.bytecode.is_empty() {
                        return Ok(revert(
                            gas,
                            IStylusDeployer::EmptyBytecode {}.abi_encode().into(),
                        ));
                    }
                    if !c.initValue.is_zero() && c.initData.is_empty() {
                        return Ok(revert(
                            gas,
                            IStylusDeployer::InitValueButNotInitData {}
                                .abi_encode()
                                .into(),
                        ));
                    }
                    if msg_value < c.initValue {
                        // Solidity checked arithmetic: Panic(0x11).
                        let mut p = vec![0x4e, 0x48, 0x7b, 0x71];
                        p.extend_from_slice(&U256::from(0x11).to_be_bytes::<32>());
                        return Ok(revert(gas, p.into()));
                    }
                    let words = (c.bytecode.len() as u64).div_ceil(32);
                    let (scheme, base) = if c.salt.is_zero() {
                        (CreateScheme::Create, 32_000 + 2 * words)
                    } else {
                        let salt = init_salt(c.salt, &c.initData, c.initValue);
                        (
                            CreateScheme::Create2 {
                                salt: U256::from_be_bytes(salt.0),
                            },
                            32_000 + 8 * words,
                        )
                    };
                    if !gas.record_regular_cost(base) {
                        return oog(gas);
                    }
                    let rem = gas.remaining();
                    let limit = rem - rem / 64;
                    let _ = gas.record_regular_cost(limit);
                    let inputs = CreateInputs::new(
                        STYLUS_DEPLOYER,
                        scheme,
                        U256::ZERO,
                        c.bytecode.clone(),
                        limit,
                        gas.reservoir(),
                    );
                    self.call = Some(c);
                    self.state = State::AwaitCreate;
                    return Ok(Step::Sub(FrameInput::Create(Box::new(inputs))));
                }
                State::AwaitCreate => {
                    let Some(call) = self.call.clone() else {
                        return Ok(revert(gas, Bytes::new()));
                    };
                    let (res, out, addr) = self.last.take().unwrap_or_default();
                    if res == InstructionResult::Revert && !out.is_empty() {
                        return Ok(revert(gas, out));
                    }
                    let Some(addr) = addr.filter(|_| res.is_ok()) else {
                        return Ok(revert(
                            gas,
                            IStylusDeployer::ContractDeploymentError {
                                bytecode: call.bytecode.clone(),
                            }
                            .abi_encode()
                            .into(),
                        ));
                    };
                    self.addr = addr;
                    if needs_activation(ctx, addr)? {
                        let value = msg_value - call.initValue;
                        let data = IArbWasm::activateProgramCall { program: addr }.abi_encode();
                        match self.call(ctx, gas, ARB_WASM, value, data.into())? {
                            Some(input) => {
                                self.state = State::AwaitActivate;
                                return Ok(Step::Sub(input));
                            }
                            None => return oog(gas),
                        }
                    }
                    self.state = State::Init;
                }
                State::AwaitActivate => {
                    let (res, out, _) = self.last.take().unwrap_or_default();
                    if !res.is_ok() {
                        return Ok(revert(gas, out));
                    }
                    self.activated = true;
                    self.state = State::Init;
                }
                State::Init => {
                    let Some(call) = self.call.clone() else {
                        return Ok(revert(gas, Bytes::new()));
                    };
                    if call.initData.is_empty() {
                        self.state = State::Refund;
                        continue;
                    }
                    match self.call(ctx, gas, self.addr, call.initValue, call.initData.clone())? {
                        Some(input) => {
                            self.state = State::AwaitInit;
                            return Ok(Step::Sub(input));
                        }
                        None => return oog(gas),
                    }
                }
                State::AwaitInit => {
                    let (res, _, _) = self.last.take().unwrap_or_default();
                    if !res.is_ok() {
                        return Ok(revert(
                            gas,
                            IStylusDeployer::ContractInitializationError {
                                newContract: self.addr,
                            }
                            .abi_encode()
                            .into(),
                        ));
                    }
                    self.state = State::Refund;
                }
                State::Refund => {
                    let init_value = self.call.as_ref().map(|c| c.initValue).unwrap_or_default();
                    self.state = State::Emit;
                    if self.activated || msg_value != init_value {
                        let bal = ctx
                            .journal_mut()
                            .load_account(STYLUS_DEPLOYER)
                            .map_err(ContextError::Db)?
                            .data
                            .info
                            .balance;
                        if !bal.is_zero() {
                            self.refund = bal;
                            match self.call(ctx, gas, sender, bal, Bytes::new())? {
                                Some(input) => {
                                    self.state = State::AwaitRefund;
                                    return Ok(Step::Sub(input));
                                }
                                None => return oog(gas),
                            }
                        }
                    }
                }
                State::AwaitRefund => {
                    let (res, _, _) = self.last.take().unwrap_or_default();
                    if !res.is_ok() {
                        return Ok(revert(
                            gas,
                            IStylusDeployer::RefundExcessValueError {
                                balance: self.refund,
                            }
                            .abi_encode()
                            .into(),
                        ));
                    }
                    self.state = State::Emit;
                }
                State::Emit => {
                    if !gas.record_regular_cost(375 + 8 * 32) {
                        return oog(gas);
                    }
                    ctx.journal_mut().log(Log::new_unchecked(
                        STYLUS_DEPLOYER,
                        vec![IStylusDeployer::ContractDeployed::SIGNATURE_HASH],
                        Bytes::copy_from_slice(self.addr.into_word().as_slice()),
                    ));
                    let out = Bytes::copy_from_slice(self.addr.into_word().as_slice());
                    return Ok(Step::Done(InterpreterResult::new(
                        InstructionResult::Return,
                        out,
                        *gas,
                    )));
                }
            }
        }
    }

    /// Receives a child's result.
    pub(crate) fn deliver(&mut self, gas: &mut Gas, result: FrameResult) {
        match result {
            FrameResult::Call(o) => {
                let ins = *o.instruction_result();
                let mut child = o.gas();
                handle_reservoir_remaining_gas(ins, gas.tracker_mut(), child.tracker_mut());
                self.last = Some((ins, o.result.output.clone(), None));
            }
            FrameResult::Create(o) => {
                let ins = *o.instruction_result();
                let mut child = *o.gas();
                handle_reservoir_remaining_gas(ins, gas.tracker_mut(), child.tracker_mut());
                self.last = Some((ins, o.output().clone(), o.address));
            }
        }
    }
}
