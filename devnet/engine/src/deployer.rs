//! Native StylusDeployer at `0xcEcba2F1DC234f70Dd89F2041029807F8D03A990` with the ABI, event,
//! errors and control flow of the canonical contract (OffchainLabs/nitro-contracts
//! `src/stylus/StylusDeployer.sol`, since "bubble up error in stylus init", #338), implemented as a
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

use crate::chain::{ARB_WASM, STYLUS_DEPLOYER, STYLUS_VERSION};
use crate::frame::Step;
use crate::precompiles::{read_program, Ctx, IArbWasm};

sol! {
    interface IStylusDeployer {
        function deploy(bytes calldata bytecode, bytes calldata initData, uint256 initValue, bytes32 salt) external payable returns (address);
        function requiresActivation(address addr) external view returns (bool);
        function initSalt(bytes32 salt, bytes calldata initData) external pure returns (bytes32);

        event ContractDeployed(address deployedContract);

        error ContractDeploymentError(bytes bytecode);
        error ContractInitializationError(address newContract, bytes data);
        error RefundExcessValueError(uint256 excessValue);
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
    /// Data fee returned by `activateProgram` (0 without activation).
    data_fee: U256,
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

/// `initSalt(salt, initData)`: keccak256(abi.encodePacked(salt, initData)), the CREATE2 salt of a
/// salted deploy.
pub fn init_salt(salt: B256, init_data: &[u8]) -> B256 {
    let mut buf = salt.to_vec();
    buf.extend_from_slice(init_data);
    keccak256(buf)
}

/// Solidity's checked-arithmetic revert, `Panic(0x11)`.
fn panic_overflow() -> Bytes {
    let mut p = vec![0x4e, 0x48, 0x7b, 0x71];
    p.extend_from_slice(&U256::from(0x11).to_be_bytes::<32>());
    p.into()
}

impl DeployerFrame {
    pub(crate) fn new(args: Bytes) -> Self {
        Self {
            args,
            state: State::Start,
            call: None,
            addr: Address::ZERO,
            data_fee: U256::ZERO,
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

    /// Runs the contract until it needs a child frame or finishes.
    pub(crate) fn run<DB: Database>(
        &mut self,
        ctx: &mut Ctx<DB>,
        frame: &mut EthFrame<EthInterpreter>,
    ) -> Result<Step, ContextDbError<Ctx<DB>>> {
        let msg_value = frame.interpreter.input.call_value;
        let sender = frame.interpreter.input.caller_address;
        let is_static = frame.interpreter.runtime_flag.is_static;
        let gas = &mut frame.interpreter.gas;
        let halt = |gas: &mut Gas, why: InstructionResult| {
            gas.spend_all();
            Ok(Step::Done(InterpreterResult::new(why, Bytes::new(), *gas)))
        };
        loop {
            match self.state {
                State::Start => {
                    if !gas.record_regular_cost(DEPLOYER_OVERHEAD_GAS) {
                        return halt(gas, InstructionResult::OutOfGas);
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
                            if !msg_value.is_zero() {
                                return Ok(revert(gas, Bytes::new()));
                            }
                            let s = init_salt(c.salt, &c.initData);
                            return Ok(Step::Done(InterpreterResult::new(
                                InstructionResult::Return,
                                Bytes::copy_from_slice(s.as_slice()),
                                *gas,
                            )));
                        }
                        C::deploy(c) => c,
                    };
                    // deployContract(bytecode, salt)
                    if c.bytecode.is_empty() {
                        return Ok(revert(
                            gas,
                            IStylusDeployer::EmptyBytecode {}.abi_encode().into(),
                        ));
                    }
                    if is_static {
                        // CREATE in a static context is an exceptional halt.
                        return halt(gas, InstructionResult::StateChangeDuringStaticCall);
                    }
                    let words = (c.bytecode.len() as u64).div_ceil(32);
                    let (scheme, base) = if c.salt.is_zero() {
                        (CreateScheme::Create, 32_000 + 2 * words)
                    } else {
                        let salt = init_salt(c.salt, &c.initData);
                        (
                            CreateScheme::Create2 {
                                salt: U256::from_be_bytes(salt.0),
                            },
                            32_000 + 8 * words,
                        )
                    };
                    if !gas.record_regular_cost(base) {
                        return halt(gas, InstructionResult::OutOfGas);
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
                    // A failed CREATE with revert data bubbles it up.
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
                        // `msg.value - initValue`: checked subtraction.
                        let Some(value) = msg_value.checked_sub(call.initValue) else {
                            return Ok(revert(gas, panic_overflow()));
                        };
                        let data = IArbWasm::activateProgramCall { program: addr }.abi_encode();
                        match self.call(ctx, gas, ARB_WASM, value, data.into())? {
                            Some(input) => {
                                self.state = State::AwaitActivate;
                                return Ok(Step::Sub(input));
                            }
                            None => return halt(gas, InstructionResult::OutOfGas),
                        }
                    }
                    self.state = State::Init;
                }
                State::AwaitActivate => {
                    let (res, out, _) = self.last.take().unwrap_or_default();
                    if !res.is_ok() {
                        return Ok(revert(gas, out));
                    }
                    let Ok(ret) = IArbWasm::activateProgramCall::abi_decode_returns(&out) else {
                        return Ok(revert(gas, Bytes::new()));
                    };
                    self.data_fee = ret.dataFee;
                    self.state = State::Init;
                }
                State::Init => {
                    let Some(call) = self.call.clone() else {
                        return Ok(revert(gas, Bytes::new()));
                    };
                    if call.initData.is_empty() {
                        if !call.initValue.is_zero() {
                            return Ok(revert(
                                gas,
                                IStylusDeployer::InitValueButNotInitData {}
                                    .abi_encode()
                                    .into(),
                            ));
                        }
                        self.state = State::Refund;
                        continue;
                    }
                    match self.call(ctx, gas, self.addr, call.initValue, call.initData.clone())? {
                        Some(input) => {
                            self.state = State::AwaitInit;
                            return Ok(Step::Sub(input));
                        }
                        None => return halt(gas, InstructionResult::OutOfGas),
                    }
                }
                State::AwaitInit => {
                    let (res, out, _) = self.last.take().unwrap_or_default();
                    if !res.is_ok() {
                        return Ok(revert(
                            gas,
                            IStylusDeployer::ContractInitializationError {
                                newContract: self.addr,
                                data: out,
                            }
                            .abi_encode()
                            .into(),
                        ));
                    }
                    self.state = State::Refund;
                }
                State::Refund => {
                    let init_value = self.call.as_ref().map(|c| c.initValue).unwrap_or_default();
                    // `msg.value - dataFee - initValue`: checked subtraction.
                    let Some(bal) = msg_value
                        .checked_sub(self.data_fee)
                        .and_then(|v| v.checked_sub(init_value))
                    else {
                        return Ok(revert(gas, panic_overflow()));
                    };
                    self.state = State::Emit;
                    if !bal.is_zero() {
                        self.refund = bal;
                        match self.call(ctx, gas, sender, bal, Bytes::new())? {
                            Some(input) => {
                                self.state = State::AwaitRefund;
                                return Ok(Step::Sub(input));
                            }
                            None => return halt(gas, InstructionResult::OutOfGas),
                        }
                    }
                }
                State::AwaitRefund => {
                    let (res, _, _) = self.last.take().unwrap_or_default();
                    if !res.is_ok() {
                        return Ok(revert(
                            gas,
                            IStylusDeployer::RefundExcessValueError {
                                excessValue: self.refund,
                            }
                            .abi_encode()
                            .into(),
                        ));
                    }
                    self.state = State::Emit;
                }
                State::Emit => {
                    if !gas.record_regular_cost(375 + 375 + 8 * 32) {
                        return halt(gas, InstructionResult::OutOfGas);
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
