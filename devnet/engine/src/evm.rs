//! `StylusEvm`: revm's mainnet `Evm` plus Stylus WASM frames and the native StylusDeployer.
//!
//! The inner `Evm` keeps `EthFrame` as its frame type; WASM and deployer frames live in a side
//! table indexed by frame-stack position. Every frame is still created by
//! `EthFrame::init_with_context` (depth, checkpoint, value transfer, precompiles), and finished by
//! `EthFrame::process_next_action` (commit/revert, outcome), so revm's journal semantics apply to
//! WASM frames unchanged. No unsafe code: frames are pushed only through the inner `Evm`'s own
//! `frame_init`.

use std::sync::Arc;

use revm::context::result::{EVMError, ResultAndState};
use revm::context::{BlockEnv, CfgEnv, Context, Evm, FrameStack, Journal, JournalTr, TxEnv};
use revm::context_interface::context::take_error;
use revm::context_interface::{Cfg, ContextTr};
use revm::handler::evm::{ContextDbError, FrameInitResult};
use revm::handler::instructions::{EthInstructions, InstructionProvider};
use revm::handler::{
    EthFrame, EvmTr, FrameData, FrameResult, FrameTr, ItemOrResult, MainnetHandler,
};
use revm::handler::{FrameInitOrResult, Handler};
use revm::inspector::{InspectorEvmTr, InspectorHandler};
use revm::interpreter::interpreter::EthInterpreter;
use revm::interpreter::interpreter_action::FrameInit;
use revm::interpreter::{
    CallScheme, FrameInput, InstructionResult, InterpreterAction, InterpreterResult,
};
use revm::primitives::{keccak256, Address, Bytes, Log, B256};
use revm::state::Bytecode;
use revm::Database;
use revm::Inspector;

use crate::chain::{ArbosVersion, STYLUS_DEPLOYER};
use crate::deployer::DeployerFrame;
use crate::frame::{RecentPrograms, Step, TxState};
use crate::precompiles::{ArbPrecompiles, Ctx};
use crate::profile::{EvmProfile, FrameKind, GasProfile, OpGas, Profiler, StylusProfile};
use crate::shared::Shared;

mod wasm_frame;

use wasm_frame::WasmFrame;

type Inner<DB, INSP> = Evm<
    Ctx<DB>,
    INSP,
    EthInstructions<EthInterpreter, Ctx<DB>>,
    ArbPrecompiles,
    EthFrame<EthInterpreter>,
>;

type DbErr<DB> = ContextDbError<Ctx<DB>>;

/// What a frame-stack slot is running.
pub(crate) enum Kind {
    Evm,
    Wasm(Box<WasmFrame>),
    /// A frame that fails at its first step (non-activated program etc.), with this result.
    Fail(InstructionResult),
    Deployer(Box<DeployerFrame>),
}

struct Side {
    kind: Kind,
    counted: Option<Address>,
}

/// The EVM with Stylus support (optionally with an inspector).
pub(crate) struct StylusEvm<DB: Database, INSP = ()> {
    inner: Inner<DB, INSP>,
    side: Vec<Side>,
    shared: Arc<Shared>,
    tx: TxState,
    /// Logs emitted by WASM frames in the last run segment, kept only when inspecting.
    collect_logs: bool,
    wasm_logs: Vec<Log>,
    /// The gas accounting, only in `Engine::transact_profiled`.
    profile: Option<Box<Profiler>>,
}

fn build<D: Database, I>(
    shared: &Arc<Shared>,
    db: D,
    cfg: &CfgEnv,
    block: &BlockEnv,
    tx: TxEnv,
    inspector: I,
) -> StylusEvm<D, I> {
    let spec = *cfg.spec();
    let ctx: Ctx<D> = Context::<BlockEnv, TxEnv, CfgEnv, D, Journal<D>, ()>::new(db, spec)
        .with_cfg(cfg.clone())
        .with_block(block.clone())
        .with_tx(tx);
    let inner = Evm {
        ctx,
        inspector,
        instruction: EthInstructions::new_mainnet_with_spec(spec),
        precompiles: ArbPrecompiles::new(spec, shared.clone()),
        frame_stack: FrameStack::new_prealloc(8),
    };
    StylusEvm {
        inner,
        side: Vec::new(),
        shared: shared.clone(),
        tx: TxState::default(),
        collect_logs: false,
        wasm_logs: Vec::new(),
        profile: None,
    }
}

/// Runs one transaction (see `Engine::transact`).
pub(crate) fn transact<D: Database>(
    shared: &Arc<Shared>,
    db: &mut D,
    cfg: &CfgEnv,
    block: &BlockEnv,
    tx: TxEnv,
    recent: &mut RecentPrograms,
) -> Result<ResultAndState, EVMError<D::Error>> {
    let mut evm = build(shared, db, cfg, block, tx, ());
    evm.tx.recent = std::mem::take(recent);
    let res =
        MainnetHandler::<_, EVMError<D::Error>, EthFrame<EthInterpreter>>::default().run(&mut evm);
    *recent = std::mem::take(&mut evm.tx.recent);
    let state = evm.inner.ctx.journal_mut().finalize();
    Ok(ResultAndState::new(res?, state))
}

/// Runs one transaction with the gas accounting on (see `Engine::transact_profiled`).
pub(crate) fn transact_profiled<D: Database>(
    shared: &Arc<Shared>,
    db: &mut D,
    cfg: &CfgEnv,
    block: &BlockEnv,
    tx: TxEnv,
) -> Result<(ResultAndState, GasProfile), EVMError<D::Error>> {
    // EIP-2028 calldata: 4 gas per zero byte, 16 per non-zero byte.
    let zeros = tx.data.iter().filter(|b| **b == 0).count() as u64;
    let calldata = zeros * 4 + (tx.data.len() as u64 - zeros) * 16;
    let mut evm = build(shared, db, cfg, block, tx, ());
    evm.profile = Some(Box::default());
    let res =
        MainnetHandler::<_, EVMError<D::Error>, EthFrame<EthInterpreter>>::default().run(&mut evm);
    let state = evm.inner.ctx.journal_mut().finalize();
    let res = res?;
    let frames = evm.profile.take().map(|p| p.frames).unwrap_or_default();
    let g = res.gas();
    let execution_gas = frames.first().map_or(0, |f| f.gas_used);
    let intrinsic = g.total_gas_spent().saturating_sub(execution_gas);
    let refund = g.final_refunded();
    let gas_used = g.tx_gas_used();
    let profile = GasProfile {
        intrinsic_base: 21_000,
        intrinsic_calldata: calldata,
        intrinsic_other: intrinsic.saturating_sub(21_000 + calldata),
        execution_gas,
        refund,
        floor_topup: gas_used.saturating_sub(g.total_gas_spent().saturating_sub(refund)),
        gas_used,
        frames,
    };
    Ok((ResultAndState::new(res, state), profile))
}

/// Runs one transaction with an inspector (see `Engine::inspect`).
pub(crate) fn inspect<'a, D: Database, I>(
    shared: &Arc<Shared>,
    db: &'a mut D,
    cfg: &CfgEnv,
    block: &BlockEnv,
    tx: TxEnv,
    inspector: I,
) -> Result<ResultAndState, EVMError<D::Error>>
where
    I: Inspector<Ctx<&'a mut D>, EthInterpreter>,
{
    let mut evm = build(shared, db, cfg, block, tx, inspector);
    evm.collect_logs = true;
    let res = MainnetHandler::<_, EVMError<D::Error>, EthFrame<EthInterpreter>>::default()
        .inspect_run(&mut evm);
    let state = evm.inner.ctx.journal_mut().finalize();
    Ok(ResultAndState::new(res?, state))
}

impl<DB: Database, INSP> InspectorEvmTr for StylusEvm<DB, INSP>
where
    INSP: Inspector<Ctx<DB>, EthInterpreter>,
{
    type Inspector = INSP;

    fn all_inspector(
        &self,
    ) -> (
        &Self::Context,
        &Self::Instructions,
        &Self::Precompiles,
        &FrameStack<Self::Frame>,
        &Self::Inspector,
    ) {
        let e = &self.inner;
        (
            &e.ctx,
            &e.instruction,
            &e.precompiles,
            &e.frame_stack,
            &e.inspector,
        )
    }

    fn all_mut_inspector(
        &mut self,
    ) -> (
        &mut Self::Context,
        &mut Self::Instructions,
        &mut Self::Precompiles,
        &mut FrameStack<Self::Frame>,
        &mut Self::Inspector,
    ) {
        let e = &mut self.inner;
        (
            &mut e.ctx,
            &mut e.instruction,
            &mut e.precompiles,
            &mut e.frame_stack,
            &mut e.inspector,
        )
    }

    /// EVM frames step through the inspector (with the EIP-3541 exemption); WASM and deployer
    /// frames report their logs and their end (`call_end`/`create_end`), but no steps.
    fn inspect_frame_run(
        &mut self,
    ) -> Result<FrameInitOrResult<Self::Frame>, ContextDbError<Self::Context>> {
        let idx = self.inner.frame_stack.index().unwrap_or(0);
        let is_evm = matches!(self.side.get(idx).map(|s| &s.kind), None | Some(Kind::Evm));
        let arbos = self.shared.arbos;
        let mut res = if is_evm {
            let e = &mut self.inner;
            let frame = e.frame_stack.get();
            let action = revm::inspector::inspect_instructions(
                &mut e.ctx,
                &mut frame.interpreter,
                &mut e.inspector,
                e.instruction.instruction_table(),
                e.instruction.gas_table(),
            );
            finish_evm_action(frame, &mut e.ctx, action, arbos)?
        } else {
            let r = self.frame_run()?;
            let e = &mut self.inner;
            for log in self.wasm_logs.drain(..) {
                e.inspector.log(&mut e.ctx, log);
            }
            r
        };
        if let ItemOrResult::Result(out) = &mut res {
            let e = &mut self.inner;
            let frame = e.frame_stack.get();
            revm::inspector::handler::frame_end(&mut e.ctx, &mut e.inspector, &frame.input, out);
        }
        Ok(res)
    }
}

impl<DB: Database, INSP> EvmTr for StylusEvm<DB, INSP> {
    type Context = Ctx<DB>;
    type Instructions = EthInstructions<EthInterpreter, Ctx<DB>>;
    type Precompiles = ArbPrecompiles;
    type Frame = EthFrame<EthInterpreter>;

    fn all(
        &self,
    ) -> (
        &Self::Context,
        &Self::Instructions,
        &Self::Precompiles,
        &FrameStack<Self::Frame>,
    ) {
        self.inner.all()
    }

    fn all_mut(
        &mut self,
    ) -> (
        &mut Self::Context,
        &mut Self::Instructions,
        &mut Self::Precompiles,
        &mut FrameStack<Self::Frame>,
    ) {
        self.inner.all_mut()
    }

    fn frame_init(
        &mut self,
        frame_input: <Self::Frame as FrameTr>::FrameInit,
    ) -> Result<FrameInitResult<'_, Self::Frame>, DbErr<DB>> {
        // Classify before revm sets the frame up (the calldata may live in the parent's memory).
        enum Hint {
            Evm,
            Stylus {
                code: Bytes,
                hash: B256,
                args: Bytes,
            },
            Deployer {
                args: Bytes,
            },
        }
        let mut counted = None;
        let hint = match &frame_input.frame_input {
            FrameInput::Call(inputs) => {
                if !matches!(
                    inputs.scheme,
                    CallScheme::DelegateCall | CallScheme::CallCode
                ) {
                    counted = Some(inputs.target_address);
                }
                let code = inputs.known_bytecode.1.original_bytes();
                if inputs.bytecode_address == STYLUS_DEPLOYER {
                    Hint::Deployer {
                        args: Bytes::copy_from_slice(&inputs.input.as_bytes(&self.inner.ctx)),
                    }
                } else if stylus_format::is_stylus(&code) {
                    Hint::Stylus {
                        hash: inputs.known_bytecode.0,
                        code,
                        args: Bytes::copy_from_slice(&inputs.input.as_bytes(&self.inner.ctx)),
                    }
                } else {
                    Hint::Evm
                }
            }
            _ => Hint::Evm,
        };
        let prof_at = self.profile.is_some().then(|| {
            let depth = frame_input.depth;
            match &frame_input.frame_input {
                FrameInput::Call(i) => (depth, i.bytecode_address, i.gas_limit),
                FrameInput::Create(i) => (depth, Address::ZERO, i.gas_limit()),
                FrameInput::Empty => (depth, Address::ZERO, 0),
            }
        });
        self.inner.precompiles.open_pages = self.tx.open;
        match self.inner.frame_init(frame_input)? {
            ItemOrResult::Result(r) => {
                if let (Some(p), Some((depth, addr, limit))) = (&mut self.profile, prof_at) {
                    let idx = p.enter(FrameKind::Immediate, depth, addr, limit, false);
                    let halt = r.instruction_result().is_halt();
                    p.finish(idx, r.gas().remaining(), halt);
                }
                return Ok(ItemOrResult::Result(r));
            }
            ItemOrResult::Item(_) => {}
        }
        let idx = self.inner.frame_stack.index().unwrap_or(0);
        let profiling = self.profile.is_some();
        let kind = match hint {
            Hint::Evm => Kind::Evm,
            Hint::Deployer { args } => Kind::Deployer(Box::new(DeployerFrame::new(args))),
            Hint::Stylus { code, hash, args } => {
                let frame = self.inner.frame_stack.get();
                let hash = if hash.is_zero() {
                    keccak256(&code)
                } else {
                    hash
                };
                match WasmFrame::new(&self.shared, &mut self.inner.ctx, frame, &code, hash, args) {
                    Ok(mut w) => {
                        if profiling {
                            w.enable_profile();
                        }
                        Kind::Wasm(Box::new(w))
                    }
                    Err(Err(e)) => return Err(e),
                    Err(Ok(halt)) => Kind::Fail(halt),
                }
            }
        };
        if let (Some(p), Some((depth, addr, _))) = (&mut self.profile, prof_at) {
            let fk = match &kind {
                Kind::Evm => FrameKind::Evm,
                Kind::Wasm(_) | Kind::Fail(_) => FrameKind::Stylus,
                Kind::Deployer(_) => FrameKind::Deployer,
            };
            let limit = self.inner.frame_stack.get().interpreter.gas.limit();
            p.enter(fk, depth, addr, limit, true);
        }
        if let Some(a) = counted {
            *self.tx.reentrancy.entry(a).or_default() += 1;
        }
        let side = Side { kind, counted };
        if self.side.len() <= idx {
            self.side.resize_with(idx + 1, || Side {
                kind: Kind::Evm,
                counted: None,
            });
        }
        self.side[idx] = side;
        Ok(ItemOrResult::Item(self.inner.frame_stack.get()))
    }

    fn frame_run(&mut self) -> Result<FrameInitOrResult<Self::Frame>, DbErr<DB>> {
        let idx = self.inner.frame_stack.index().unwrap_or(0);
        let kind = match self.side.get_mut(idx) {
            Some(s) => std::mem::replace(&mut s.kind, Kind::Evm),
            None => Kind::Evm,
        };
        let frame = self.inner.frame_stack.get();
        let ctx = &mut self.inner.ctx;
        let (mut kind, res) = match kind {
            Kind::Evm => {
                let prof = self.profile.as_mut().and_then(|p| p.current_evm());
                let r = run_evm_frame(
                    frame,
                    ctx,
                    &mut self.inner.instruction,
                    self.shared.arbos,
                    prof,
                );
                (Kind::Evm, r)
            }
            Kind::Fail(halt) => {
                let mut gas = frame.interpreter.gas;
                gas.spend_all();
                let r = InterpreterResult::new(halt, Bytes::new(), gas);
                let res =
                    frame.process_next_action::<_, DbErr<DB>>(ctx, InterpreterAction::Return(r));
                frame.set_finished(true);
                (Kind::Fail(halt), res)
            }
            Kind::Wasm(mut w) => {
                let logs_from = ctx.journal().logs().len();
                let step = w.run(ctx, frame, &mut self.tx, &self.shared);
                if let Ok(Step::Done(_)) = step {
                    self.tx.open = w.open_at_entry;
                }
                let logs = self.collect_logs.then_some(&mut self.wasm_logs);
                (
                    Kind::Wasm(w),
                    finish_step(frame, ctx, step, logs_from, logs),
                )
            }
            Kind::Deployer(mut d) => {
                let logs_from = ctx.journal().logs().len();
                let step = d.run(ctx, frame);
                let logs = self.collect_logs.then_some(&mut self.wasm_logs);
                (
                    Kind::Deployer(d),
                    finish_step(frame, ctx, step, logs_from, logs),
                )
            }
        };
        if let (Some(p), Ok(ItemOrResult::Result(r))) = (&mut self.profile, &res) {
            let stylus = match &mut kind {
                Kind::Wasm(w) => w.take_profile(),
                Kind::Fail(_) => Some(StylusProfile::new(B256::ZERO)),
                _ => None,
            };
            p.pop(
                r.gas().remaining(),
                r.instruction_result().is_halt(),
                stylus,
            );
        }
        if let Some(s) = self.side.get_mut(idx) {
            s.kind = kind;
        }
        res
    }

    fn frame_return_result(
        &mut self,
        result: <Self::Frame as FrameTr>::FrameResult,
    ) -> Result<Option<<Self::Frame as FrameTr>::FrameResult>, DbErr<DB>> {
        if self.inner.frame_stack.get().is_finished() {
            if let Some(idx) = self.inner.frame_stack.index() {
                if let Some(s) = self.side.get_mut(idx) {
                    if let Some(a) = s.counted.take() {
                        if let Some(c) = self.tx.reentrancy.get_mut(&a) {
                            *c = c.saturating_sub(1);
                        }
                    }
                    s.kind = Kind::Evm;
                }
            }
            self.inner.frame_stack.pop();
        }
        let Some(idx) = self.inner.frame_stack.index() else {
            return Ok(Some(result));
        };
        let frame = self.inner.frame_stack.get();
        let ctx = &mut self.inner.ctx;
        match self.side.get_mut(idx).map(|s| &mut s.kind) {
            Some(Kind::Wasm(w)) => {
                frame.interpreter.memory.free_child_context();
                take_error::<DbErr<DB>, _>(ctx.error())?;
                let refund = result.refundable_state_gas(ctx.cfg().gas_params());
                w.deliver(&mut frame.interpreter.gas, result);
                if let Some(c) = refund {
                    frame.interpreter.gas.refill_reservoir(c);
                }
            }
            Some(Kind::Deployer(d)) => {
                frame.interpreter.memory.free_child_context();
                take_error::<DbErr<DB>, _>(ctx.error())?;
                d.deliver(&mut frame.interpreter.gas, result);
            }
            _ => frame.return_result::<_, DbErr<DB>>(ctx, result)?,
        }
        Ok(None)
    }
}

/// Turns a Stylus or StylusDeployer frame's step into revm's next item: a child frame to run, or the
/// frame's result (then the frame is finished). With `logs`, first copies there the logs the step
/// emitted (journal entries from `logs_from` on).
fn finish_step<DB: Database>(
    frame: &mut EthFrame<EthInterpreter>,
    ctx: &mut Ctx<DB>,
    step: Result<Step, DbErr<DB>>,
    logs_from: usize,
    logs: Option<&mut Vec<Log>>,
) -> Result<FrameInitOrResult<EthFrame<EthInterpreter>>, DbErr<DB>> {
    if let Some(sink) = logs {
        if let Some(new) = ctx.journal().logs().get(logs_from..) {
            sink.extend_from_slice(new);
        }
    }
    match step? {
        Step::Sub(frame_input) => Ok(ItemOrResult::Item(FrameInit {
            depth: frame.depth + 1,
            memory: frame.interpreter.memory.new_child_context(),
            frame_input,
        })),
        Step::Done(r) => {
            let res = frame.process_next_action::<_, DbErr<DB>>(ctx, InterpreterAction::Return(r));
            frame.set_finished(true);
            res
        }
    }
}

/// Runs an EVM frame like revm does, with the EIP-3541 exemption for Stylus code; with `prof`
/// (profiling), through an inspector that measures the grouped opcodes.
fn run_evm_frame<DB: Database>(
    frame: &mut EthFrame<EthInterpreter>,
    ctx: &mut Ctx<DB>,
    instructions: &mut EthInstructions<EthInterpreter, Ctx<DB>>,
    arbos: ArbosVersion,
    prof: Option<&mut EvmProfile>,
) -> Result<FrameInitOrResult<EthFrame<EthInterpreter>>, DbErr<DB>> {
    let action = match prof {
        None => frame.interpreter.run_plain(
            instructions.instruction_table(),
            instructions.gas_table(),
            ctx,
        ),
        Some(prof) => revm::inspector::inspect_instructions(
            ctx,
            &mut frame.interpreter,
            OpGas {
                prof,
                op: 0,
                gas: 0,
                refund: 0,
            },
            instructions.instruction_table(),
            instructions.gas_table(),
        ),
    };
    finish_evm_action(frame, ctx, action, arbos)
}

/// Code a CREATE may deploy despite EIP-3541: a classic Stylus program (`EF F0 00` + at least one
/// byte), and from ArbOS 60 a fragment (`EF F0 01`) or root (`EF F0 02`) too (go-ethereum
/// `core/vm/evm.go`, `IsStylusComponentPrefix`).
fn exempt_from_eip3541(code: &[u8], arbos: ArbosVersion) -> bool {
    let component = |v: u8| code.len() > 3 && code[..3] == [0xEF, 0xF0, v];
    component(0) || (arbos.at_least_60() && (component(1) || component(2)))
}

/// Processes an EVM frame's next action; a CREATE returning Stylus code is exempt from EIP-3541
/// ([`exempt_from_eip3541`]): the first byte is masked for revm's check and the real code set
/// afterwards.
fn finish_evm_action<DB: Database>(
    frame: &mut EthFrame<EthInterpreter>,
    ctx: &mut Ctx<DB>,
    mut action: InterpreterAction,
    arbos: ArbosVersion,
) -> Result<FrameInitOrResult<EthFrame<EthInterpreter>>, DbErr<DB>> {
    let mut stylus_code = None;
    if let (FrameData::Create(_), InterpreterAction::Return(r)) = (&frame.data, &mut action) {
        if r.result.is_ok() && exempt_from_eip3541(&r.output, arbos) {
            let real = r.output.clone();
            let mut masked = real.to_vec();
            masked[0] = 0;
            r.output = masked.into();
            stylus_code = Some(real);
        }
    }
    let mut res = frame.process_next_action::<_, DbErr<DB>>(ctx, action)?;
    if res.is_result() {
        frame.set_finished(true);
    }
    if let (Some(real), ItemOrResult::Result(FrameResult::Create(outcome))) =
        (stylus_code, &mut res)
    {
        if outcome.result.result.is_ok() {
            if let Some(addr) = outcome.address {
                ctx.journal_mut()
                    .set_code(addr, Bytecode::new_legacy(real.clone()));
            }
            outcome.result.output = real;
        }
    }
    Ok(res)
}
