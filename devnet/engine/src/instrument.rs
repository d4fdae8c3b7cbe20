//! Nitro's instrumentation of user programs, reimplemented: the engine runs (and counts, for the
//! activation price and the per-function op limit) exactly the code Nitro runs.
//!
//! Nitro applies five middlewares in order to every function (OffchainLabs/nitro
//! `crates/prover/src/binary.rs`, `WasmBinary::instrument`; `crates/prover/src/programs/config.rs`,
//! `CompileConfig::version` for the Stylus v2 parameters):
//!
//! 1. start mover (no code change; rejects a start function);
//! 2. ink meter (`programs/meter.rs`): every basic block is prefixed by a 12-op header that checks
//!    and deducts the block's price (the sum of its operators' ink, [`op_ink`], plus the 2,450-ink
//!    header) from global `stylus_ink_left`; a block ends after `end`, `else`, `return`, `loop`,
//!    `br`, `br_if`, `br_table`, `if`, `call` and `call_indirect` (`arbutil/src/operator.rs`,
//!    `ends_basic_block`);
//! 3. dynamic meter (`programs/dynamic.rs`): 17 ops before every `memory.fill`/`memory.copy`
//!    charge 100 ink per byte; `memory.init`, `data.drop`, `elem.drop` and the table ops are
//!    rejected;
//! 4. depth checker (`programs/depth.rs`): each function costs its worst-case operand stack (a
//!    conservative simulation over the metered code) plus its declared locals plus 4 words; 12
//!    ops at entry deduct it from global `stylus_stack_left` (trapping with the global set to 0 when
//!    it would not stay positive), 4 ops before every `return` give it back, and an extra `return`
//!    precedes the final `end`; a frame over 10,240 words or 4,096 live values is rejected;
//! 5. heap bound (`programs/heap.rs`): before every `memory.grow` of a growable memory, 4 ops call
//!    `vm_hooks.pay_for_memory_grow` with the page count.
//!
//! The middlewares' own ops are not metered (each sees the output of the ones before it). The four
//! globals are appended after the module's own and exported under their Nitro names, so the engine
//! reads and writes them between host calls.

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasm_encoder::{
    CodeSection, ConstExpr, ExportKind, ExportSection, Function, GlobalSection, GlobalType, Module,
    RawSection, ValType as EncValType,
};
use wasmparser::{BlockType, ExternalKind, Operator, Parser, Payload, TypeRef};

use crate::shared::{float_binary_ops, float_conversion_ops, float_unary_ops};

/// Global holding the ink left (i64, read as u64).
pub const STYLUS_INK_LEFT: &str = "stylus_ink_left";
/// Global set to 1 when the program runs out of ink (i32).
pub const STYLUS_INK_STATUS: &str = "stylus_ink_status";
/// Scratch global of the dynamic meter and heap bound (i32).
pub const STYLUS_SCRATCH: &str = "stylus_scratch_global";
/// Global holding the stack words left (i32); 0 after an overflow.
pub const STYLUS_STACK_LEFT: &str = "stylus_stack_left";

/// Ink of a basic block's header (`ink_header_cost`).
pub const INK_HEADER: u64 = 2450;
/// Ink per byte of `memory.fill` and `memory.copy` (`memory_fill_ink` = `memory_copy_ink` = 800 / 8).
pub const MEMORY_BYTE_INK: u64 = 100;
/// Largest stack frame in words (`max_frame_size` = 10 × 1024).
pub const MAX_FRAME_SIZE: u32 = 10 * 1024;
/// Most values live at once in one frame (`max_frame_contention`).
pub const MAX_FRAME_CONTENTION: u32 = 4096;
/// Ops in the meter's block header.
pub const METER_HEADER_OPS: u64 = 12;
/// Ops the dynamic meter puts before a `memory.fill` or `memory.copy`.
pub const DYNAMIC_OPS: u64 = 17;
/// Ops the depth checker puts at a function's entry.
pub const DEPTH_ENTRY_OPS: u64 = 12;
/// Ops the depth checker puts before every `return`.
pub const DEPTH_RETURN_OPS: u64 = 4;
/// Ops the heap bound puts before a `memory.grow`.
pub const HEAP_OPS: u64 = 4;

/// Parameter and result counts of a function type.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Sig {
    pub(crate) params: u32,
    pub(crate) results: u32,
}

/// Ink of one operator under Stylus v1/v2 pricing (Nitro `crates/prover/src/programs/meter.rs`,
/// `pricing_v1`). `types` are the module's function types (for `call_indirect`). Unsupported
/// operators, floats included, cost `u64::MAX`, so a block containing one runs out of ink.
pub(crate) fn op_ink(op: &Operator<'_>, types: &[Sig]) -> u64 {
    use Operator as O;
    match op {
        O::Unreachable | O::Return | O::Nop | O::I32Const { .. } | O::I64Const { .. } => 1,
        O::Drop => 9,
        O::Block { .. } | O::Loop { .. } | O::Else | O::End => 1,
        O::Br { .. } | O::BrIf { .. } | O::If { .. } => 765,
        O::Select => 1250,
        O::Call { .. } => 3800,
        O::LocalGet { .. } | O::LocalTee { .. } => 75,
        O::LocalSet { .. } => 210,
        O::GlobalGet { .. } => 225,
        O::GlobalSet { .. } => 575,
        O::I32Load { .. }
        | O::I32Load8S { .. }
        | O::I32Load8U { .. }
        | O::I32Load16S { .. }
        | O::I32Load16U { .. } => 670,
        O::I64Load { .. }
        | O::I64Load8S { .. }
        | O::I64Load8U { .. }
        | O::I64Load16S { .. }
        | O::I64Load16U { .. }
        | O::I64Load32S { .. }
        | O::I64Load32U { .. } => 680,
        O::I32Store { .. } | O::I32Store8 { .. } | O::I32Store16 { .. } => 825,
        O::I64Store { .. } | O::I64Store8 { .. } | O::I64Store16 { .. } | O::I64Store32 { .. } => {
            950
        }
        O::MemorySize { .. } => 3000,
        O::MemoryGrow { .. } => 8050,
        O::I32Eqz
        | O::I32Eq
        | O::I32Ne
        | O::I32LtS
        | O::I32LtU
        | O::I32GtS
        | O::I32GtU
        | O::I32LeS
        | O::I32LeU
        | O::I32GeS
        | O::I32GeU => 170,
        O::I64Eqz
        | O::I64Eq
        | O::I64Ne
        | O::I64LtS
        | O::I64LtU
        | O::I64GtS
        | O::I64GtU
        | O::I64LeS
        | O::I64LeU
        | O::I64GeS
        | O::I64GeU => 225,
        O::I32Clz | O::I32Ctz | O::I64Clz | O::I64Ctz => 210,
        O::I32Add | O::I32Sub => 70,
        O::I32Mul | O::I64Mul => 160,
        O::I32DivS | O::I32DivU | O::I32RemS | O::I32RemU => 1120,
        O::I32And
        | O::I32Or
        | O::I32Xor
        | O::I32Shl
        | O::I32ShrS
        | O::I32ShrU
        | O::I32Rotl
        | O::I32Rotr => 70,
        O::I64Add | O::I64Sub => 100,
        O::I64DivS | O::I64DivU | O::I64RemS | O::I64RemU => 1270,
        O::I64And
        | O::I64Or
        | O::I64Xor
        | O::I64Shl
        | O::I64ShrS
        | O::I64ShrU
        | O::I64Rotl
        | O::I64Rotr
        | float_binary_ops!() => 100,
        O::I32Popcnt => 2650,
        O::I64Popcnt => 6000,
        O::I32WrapI64
        | O::I64ExtendI32S
        | O::I64ExtendI32U
        | O::I32Extend8S
        | O::I32Extend16S
        | O::I64Extend8S
        | O::I64Extend16S
        | O::I64Extend32S => 100,
        O::MemoryCopy { .. } | O::MemoryFill { .. } => 950,
        O::BrTable { targets } => 2400 + 325 * u64::from(targets.len()),
        O::CallIndirect { type_index, .. } => {
            let params = types
                .get(*type_index as usize)
                .map_or(0, |s| u64::from(s.params));
            13_610 + 650 * params
        }
        _ => u64::MAX,
    }
}

/// Whether `op` ends a basic block (Nitro `crates/arbutil/src/operator.rs`, `ends_basic_block`).
pub(crate) fn ends_basic_block(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::End
            | Operator::Else
            | Operator::Return
            | Operator::Loop { .. }
            | Operator::Br { .. }
            | Operator::BrTable { .. }
            | Operator::BrIf { .. }
            | Operator::If { .. }
            | Operator::Call { .. }
            | Operator::CallIndirect { .. }
    )
}

/// Module facts the function instrumentation needs.
pub(crate) struct ModuleFacts {
    /// Every type of the type section.
    pub(crate) types: Vec<Sig>,
    /// Type index of every function, imports first.
    pub(crate) func_types: Vec<u32>,
    /// Index of the first instrumentation global (= the module's own global count).
    pub(crate) first_global: u32,
    /// Function index of `vm_hooks.pay_for_memory_grow` when the memory can grow.
    pub(crate) pay_func: Option<u32>,
}

impl ModuleFacts {
    fn ink(&self) -> u32 {
        self.first_global
    }
    fn status(&self) -> u32 {
        self.first_global + 1
    }
    fn scratch(&self) -> u32 {
        self.first_global + 2
    }
    fn stack(&self) -> u32 {
        self.first_global + 3
    }
}

/// Applies the ink meter, dynamic meter, depth checker and heap bound to one function body
/// (`ops` includes its final `end`; `locals` counts declared locals only, as Nitro's `locals_info`).
///
/// # Errors
/// The middleware's rejection: `opcode not supported`, `frame too large`, `too many values on the
/// stack at once`, an unsupported extension, or malformed scoping.
pub(crate) fn instrument_function<'a>(
    ops: Vec<Operator<'a>>,
    locals: u32,
    facts: &ModuleFacts,
) -> Result<(Vec<Operator<'a>>, u32), String> {
    let metered = meter(ops, facts);
    let dynamic = dynamic_meter(metered, facts)?;
    let (deep, frame) = depth_check(dynamic, locals, facts)?;
    Ok((heap_bound(deep, facts), frame))
}

fn meter<'a>(ops: Vec<Operator<'a>>, facts: &ModuleFacts) -> Vec<Operator<'a>> {
    let mut out = Vec::with_capacity(ops.len() * 2);
    let mut block: Vec<Operator<'a>> = Vec::new();
    let mut cost = 0u64;
    for op in ops {
        let end = ends_basic_block(&op);
        cost = cost.saturating_add(op_ink(&op, &facts.types));
        block.push(op);
        if end {
            let total = cost.saturating_add(INK_HEADER) as i64;
            out.extend([
                Operator::GlobalGet {
                    global_index: facts.ink(),
                },
                Operator::I64Const { value: total },
                Operator::I64LtU,
                Operator::If {
                    blockty: BlockType::Empty,
                },
                Operator::I32Const { value: 1 },
                Operator::GlobalSet {
                    global_index: facts.status(),
                },
                Operator::Unreachable,
                Operator::End,
                Operator::GlobalGet {
                    global_index: facts.ink(),
                },
                Operator::I64Const { value: total },
                Operator::I64Sub,
                Operator::GlobalSet {
                    global_index: facts.ink(),
                },
            ]);
            out.append(&mut block);
            cost = 0;
        }
    }
    out
}

fn dynamic_meter<'a>(
    ops: Vec<Operator<'a>>,
    facts: &ModuleFacts,
) -> Result<Vec<Operator<'a>>, String> {
    let mut out = Vec::with_capacity(ops.len());
    let (ink, status, scratch) = (facts.ink(), facts.status(), facts.scratch());
    for op in ops {
        match op {
            Operator::MemoryFill { .. } | Operator::MemoryCopy { .. } => out.extend([
                Operator::GlobalSet {
                    global_index: scratch,
                },
                Operator::GlobalGet { global_index: ink },
                Operator::GlobalGet { global_index: ink },
                Operator::GlobalGet {
                    global_index: scratch,
                },
                Operator::I64ExtendI32U,
                Operator::I64Const {
                    value: MEMORY_BYTE_INK as i64,
                },
                Operator::I64Mul,
                Operator::I64Sub,
                Operator::GlobalSet { global_index: ink },
                Operator::GlobalGet { global_index: ink },
                Operator::I64LtU,
                Operator::If {
                    blockty: BlockType::Empty,
                },
                Operator::I32Const { value: 1 },
                Operator::GlobalSet {
                    global_index: status,
                },
                Operator::Unreachable,
                Operator::End,
                Operator::GlobalGet {
                    global_index: scratch,
                },
            ]),
            Operator::MemoryInit { .. }
            | Operator::DataDrop { .. }
            | Operator::ElemDrop { .. }
            | Operator::TableInit { .. }
            | Operator::TableCopy { .. }
            | Operator::TableFill { .. }
            | Operator::TableGet { .. }
            | Operator::TableSet { .. }
            | Operator::TableGrow { .. }
            | Operator::TableSize { .. } => {
                return Err(format!("opcode not supported: {op:?}"));
            }
            _ => {}
        }
        out.push(op);
    }
    Ok(out)
}

/// Stack effect of one operator in Nitro's worst-case simulation (`depth.rs`,
/// `worst_case_depth`): values pushed first, then values popped.
fn stack_effect(op: &Operator<'_>, facts: &ModuleFacts) -> Result<(u32, u32), String> {
    use Operator as O;
    let sig = |ty: u32| facts.types.get(ty as usize).copied().unwrap_or_default();
    Ok(match op {
        O::Call { function_index } => {
            let s = facts
                .func_types
                .get(*function_index as usize)
                .map(|t| sig(*t))
                .ok_or_else(|| format!("missing type for func {function_index}"))?;
            (s.results, s.params)
        }
        O::CallIndirect { type_index, .. } => {
            let s = sig(*type_index);
            (s.results, s.params + 1)
        }
        // Internal functions `(i32, i32, i32) -> ()`.
        O::MemoryFill { .. } | O::MemoryCopy { .. } => (0, 3),
        O::Nop
        | O::Unreachable
        | O::I32Eqz
        | O::I64Eqz
        | O::I32Clz
        | O::I32Ctz
        | O::I32Popcnt
        | O::I64Clz
        | O::I64Ctz
        | O::I64Popcnt
        | O::Br { .. }
        | O::Return
        | O::LocalTee { .. }
        | O::MemoryGrow { .. }
        | O::I32Load { .. }
        | O::I64Load { .. }
        | O::F32Load { .. }
        | O::F64Load { .. }
        | O::I32Load8S { .. }
        | O::I32Load8U { .. }
        | O::I32Load16S { .. }
        | O::I32Load16U { .. }
        | O::I64Load8S { .. }
        | O::I64Load8U { .. }
        | O::I64Load16S { .. }
        | O::I64Load16U { .. }
        | O::I64Load32S { .. }
        | O::I64Load32U { .. }
        | O::I32WrapI64
        | O::I64ExtendI32S
        | O::I64ExtendI32U
        | O::I32Extend8S
        | O::I32Extend16S
        | O::I64Extend8S
        | O::I64Extend16S
        | O::I64Extend32S
        | O::I32ReinterpretF32
        | O::I64ReinterpretF64
        | O::F32ReinterpretI32
        | O::F64ReinterpretI64
        | float_unary_ops!()
        | float_conversion_ops!() => (0, 0),
        O::LocalGet { .. }
        | O::GlobalGet { .. }
        | O::MemorySize { .. }
        | O::I32Const { .. }
        | O::I64Const { .. }
        | O::F32Const { .. }
        | O::F64Const { .. } => (1, 0),
        O::Drop
        | O::I32Eq
        | O::I32Ne
        | O::I32LtS
        | O::I32LtU
        | O::I32GtS
        | O::I32GtU
        | O::I32LeS
        | O::I32LeU
        | O::I32GeS
        | O::I32GeU
        | O::I64Eq
        | O::I64Ne
        | O::I64LtS
        | O::I64LtU
        | O::I64GtS
        | O::I64GtU
        | O::I64LeS
        | O::I64LeU
        | O::I64GeS
        | O::I64GeU
        | O::F32Eq
        | O::F32Ne
        | O::F32Lt
        | O::F32Gt
        | O::F32Le
        | O::F32Ge
        | O::F64Eq
        | O::F64Ne
        | O::F64Lt
        | O::F64Gt
        | O::F64Le
        | O::F64Ge
        | O::I32Add
        | O::I32Sub
        | O::I32Mul
        | O::I32DivS
        | O::I32DivU
        | O::I32RemS
        | O::I32RemU
        | O::I64Add
        | O::I64Sub
        | O::I64Mul
        | O::I64DivS
        | O::I64DivU
        | O::I64RemS
        | O::I64RemU
        | O::I32And
        | O::I32Or
        | O::I32Xor
        | O::I32Shl
        | O::I32ShrS
        | O::I32ShrU
        | O::I32Rotl
        | O::I32Rotr
        | O::I64And
        | O::I64Or
        | O::I64Xor
        | O::I64Shl
        | O::I64ShrS
        | O::I64ShrU
        | O::I64Rotl
        | O::I64Rotr
        | O::BrIf { .. }
        | O::BrTable { .. }
        | O::LocalSet { .. }
        | O::GlobalSet { .. } => (0, 1),
        O::Select
        | O::I32Store { .. }
        | O::I64Store { .. }
        | O::F32Store { .. }
        | O::F64Store { .. }
        | O::I32Store8 { .. }
        | O::I32Store16 { .. }
        | O::I64Store8 { .. }
        | O::I64Store16 { .. }
        | O::I64Store32 { .. } => (0, 2),
        other => return Err(format!("extension {other:?} not supported")),
    })
}

/// Push and pop counts of a block type (results pushed first, as Nitro pre-allocates them).
fn block_type(bt: &BlockType, facts: &ModuleFacts) -> (u32, u32) {
    match bt {
        BlockType::Empty => (0, 0),
        BlockType::Type(_) => (1, 0),
        BlockType::FuncType(id) => {
            let s = facts.types.get(*id as usize).copied().unwrap_or_default();
            (s.results, s.params)
        }
    }
}

/// Nitro's worst-case frame size: the deepest simulated operand stack + declared locals + 4.
fn worst_case_depth(ops: &[Operator<'_>], locals: u32, facts: &ModuleFacts) -> Result<u32, String> {
    let mut worst = 0u32;
    let mut stack = 0u32;
    let mut scopes = vec![0u32];
    let push_pop = |stack: &mut u32, worst: &mut u32, push: u32, pop: u32| {
        *stack = stack.saturating_add(push);
        *worst = (*worst).max(*stack);
        *stack = stack.saturating_sub(pop);
    };
    for op in ops {
        match op {
            Operator::Block { blockty } | Operator::Loop { blockty } => {
                let (push, pop) = block_type(blockty, facts);
                push_pop(&mut stack, &mut worst, push, pop);
                scopes.push(stack);
            }
            Operator::If { blockty } => {
                stack = stack.saturating_sub(1);
                let (push, pop) = block_type(blockty, facts);
                push_pop(&mut stack, &mut worst, push, pop);
                scopes.push(stack);
            }
            Operator::Else => {
                stack = *scopes.last().ok_or("malformed if-else scope")?;
            }
            Operator::End => {
                stack = scopes
                    .pop()
                    .ok_or("malformed scoping detected at end of block")?;
            }
            other => {
                let (push, pop) = stack_effect(other, facts)?;
                push_pop(&mut stack, &mut worst, push, pop);
            }
        }
    }
    if worst > MAX_FRAME_CONTENTION {
        return Err(format!(
            "too many values on the stack at once: {worst} > {MAX_FRAME_CONTENTION}"
        ));
    }
    Ok(worst + locals + 4)
}

fn depth_check<'a>(
    mut ops: Vec<Operator<'a>>,
    locals: u32,
    facts: &ModuleFacts,
) -> Result<(Vec<Operator<'a>>, u32), String> {
    // The function's scopes must close exactly at its last op.
    let mut scopes = 1i64;
    for (i, op) in ops.iter().enumerate() {
        match op {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => scopes += 1,
            Operator::End => scopes -= 1,
            _ => {}
        }
        if scopes < 0 || (scopes == 0 && i + 1 != ops.len()) {
            return Err("malformed scoping detected".into());
        }
    }
    let size = worst_case_depth(&ops, locals, facts)?;
    if size > MAX_FRAME_SIZE {
        return Err(format!(
            "frame too large: {size} > {MAX_FRAME_SIZE}-word limit"
        ));
    }
    let g = facts.stack();
    let value = size as i32;
    let mut out = Vec::with_capacity(ops.len() + 16);
    out.extend([
        Operator::GlobalGet { global_index: g },
        Operator::I32Const { value },
        Operator::I32LeU,
        Operator::If {
            blockty: BlockType::Empty,
        },
        Operator::I32Const { value: 0 },
        Operator::GlobalSet { global_index: g },
        Operator::Unreachable,
        Operator::End,
        Operator::GlobalGet { global_index: g },
        Operator::I32Const { value },
        Operator::I32Sub,
        Operator::GlobalSet { global_index: g },
    ]);
    // An extra `return` before the final `end`, so every exit gives the words back.
    let last = ops.pop().ok_or("empty function body")?;
    ops.push(Operator::Return);
    ops.push(last);
    for op in ops {
        if matches!(op, Operator::Return) {
            out.extend([
                Operator::GlobalGet { global_index: g },
                Operator::I32Const { value },
                Operator::I32Add,
                Operator::GlobalSet { global_index: g },
            ]);
        }
        out.push(op);
    }
    Ok((out, size))
}

fn heap_bound<'a>(ops: Vec<Operator<'a>>, facts: &ModuleFacts) -> Vec<Operator<'a>> {
    let Some(pay) = facts.pay_func else {
        return ops;
    };
    let scratch = facts.scratch();
    let mut out = Vec::with_capacity(ops.len());
    for op in ops {
        if matches!(op, Operator::MemoryGrow { .. }) {
            out.extend([
                Operator::GlobalSet {
                    global_index: scratch,
                },
                Operator::GlobalGet {
                    global_index: scratch,
                },
                Operator::GlobalGet {
                    global_index: scratch,
                },
                Operator::Call {
                    function_index: pay,
                },
            ]);
        }
        out.push(op);
    }
    out
}

/// An instrumented module.
pub(crate) struct Instrumented {
    /// The module to execute: the original sections, instrumented code, the four globals exported.
    pub(crate) wasm: Vec<u8>,
    /// Instrumented op count of every local function, in order.
    pub(crate) func_ops: Vec<u64>,
}

/// Instruments a module that passed validation (`activation::validate`).
///
/// # Errors
/// A middleware's rejection (see [`instrument_function`]), a growable memory without a
/// well-typed `vm_hooks.pay_for_memory_grow` import, or a section that cannot be re-encoded.
pub(crate) fn instrument(wasm: &[u8]) -> Result<Instrumented, String> {
    let mut facts = ModuleFacts {
        types: Vec::new(),
        func_types: Vec::new(),
        first_global: 0,
        pay_func: None,
    };
    let mut pay_import: Option<(u32, u32)> = None; // (function index, type)
    let mut growable = false;
    let mut imported = 0u32;
    let mut sections: Vec<(u8, Vec<u8>)> = Vec::new();
    let mut globals = GlobalSection::new();
    let mut exports = ExportSection::new();
    let mut bodies: Vec<wasmparser::FunctionBody<'_>> = Vec::new();
    let mut re = RoundtripReencoder;
    let err = |e: &dyn std::fmt::Display| e.to_string();

    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| err(&e))?;
        match payload {
            Payload::TypeSection(r) => {
                for t in r.clone().into_iter_err_on_gc_types() {
                    let t = t.map_err(|e| err(&e))?;
                    facts.types.push(Sig {
                        params: t.params().len() as u32,
                        results: t.results().len() as u32,
                    });
                }
                sections.push((1, wasm[r.range()].to_vec()));
            }
            Payload::ImportSection(r) => {
                for imp in r.clone() {
                    let imp = imp.map_err(|e| err(&e))?;
                    if let TypeRef::Func(t) = imp.ty {
                        if imp.module == "vm_hooks" && imp.name == "pay_for_memory_grow" {
                            pay_import = Some((imported, t));
                        }
                        facts.func_types.push(t);
                        imported += 1;
                    }
                }
                sections.push((2, wasm[r.range()].to_vec()));
            }
            Payload::FunctionSection(r) => {
                for t in r.clone() {
                    facts.func_types.push(t.map_err(|e| err(&e))?);
                }
                sections.push((3, wasm[r.range()].to_vec()));
            }
            Payload::TableSection(r) => sections.push((4, wasm[r.range()].to_vec())),
            Payload::MemorySection(r) => {
                for m in r.clone() {
                    let m = m.map_err(|e| err(&e))?;
                    if m.initial > u64::from(crate::chain::PAGE_LIMIT) {
                        return Err(format!(
                            "memory size {} exceeds bound {}",
                            m.initial,
                            crate::chain::PAGE_LIMIT
                        ));
                    }
                    growable |= m.maximum != Some(m.initial);
                }
                sections.push((5, wasm[r.range()].to_vec()));
            }
            Payload::GlobalSection(r) => {
                for g in r {
                    let g = g.map_err(|e| err(&e))?;
                    re.parse_global(&mut globals, g).map_err(|e| err(&e))?;
                    facts.first_global += 1;
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(|e| err(&e))?;
                    let kind = match e.kind {
                        ExternalKind::Func => ExportKind::Func,
                        ExternalKind::Table => ExportKind::Table,
                        ExternalKind::Memory => ExportKind::Memory,
                        ExternalKind::Global => ExportKind::Global,
                        ExternalKind::Tag => ExportKind::Tag,
                    };
                    exports.export(e.name, kind, e.index);
                }
            }
            Payload::ElementSection(r) => sections.push((9, wasm[r.range()].to_vec())),
            Payload::DataCountSection { range, .. } => sections.push((12, wasm[range].to_vec())),
            Payload::DataSection(r) => sections.push((11, wasm[r.range()].to_vec())),
            Payload::CodeSectionEntry(body) => bodies.push(body),
            Payload::StartSection { .. } => return Err("start functions not allowed".into()),
            _ => {}
        }
    }

    if growable {
        let Some((index, ty)) = pay_import else {
            return Err("missing import pay_for_memory_grow".into());
        };
        let s = facts.types.get(ty as usize).copied().unwrap_or_default();
        if (s.params, s.results) != (1, 0) {
            return Err("wrong type for pay_for_memory_grow".into());
        }
        facts.pay_func = Some(index);
    }

    let first = facts.first_global;
    for (ty, init) in [
        (EncValType::I64, ConstExpr::i64_const(0)),
        (EncValType::I32, ConstExpr::i32_const(0)),
        (EncValType::I32, ConstExpr::i32_const(0)),
        (EncValType::I32, ConstExpr::i32_const(0)),
    ] {
        globals.global(
            GlobalType {
                val_type: ty,
                mutable: true,
                shared: false,
            },
            &init,
        );
    }
    for (i, name) in [
        STYLUS_INK_LEFT,
        STYLUS_INK_STATUS,
        STYLUS_SCRATCH,
        STYLUS_STACK_LEFT,
    ]
    .iter()
    .enumerate()
    {
        exports.export(name, ExportKind::Global, first + i as u32);
    }

    let mut code = CodeSection::new();
    let mut func_ops = Vec::with_capacity(bodies.len());
    for body in bodies {
        let mut locals = Vec::new();
        let mut declared = 0u32;
        for l in body.get_locals_reader().map_err(|e| err(&e))? {
            let (n, ty) = l.map_err(|e| err(&e))?;
            declared = declared.saturating_add(n);
            locals.push((n, re.val_type(ty).map_err(|e| err(&e))?));
        }
        let mut reader = body.get_operators_reader().map_err(|e| err(&e))?;
        let mut ops = Vec::new();
        while !reader.eof() {
            ops.push(reader.read().map_err(|e| err(&e))?);
        }
        let (ops, _frame) = instrument_function(ops, declared, &facts)?;
        func_ops.push(ops.len() as u64);
        let mut f = Function::new(locals);
        for op in ops {
            let ins = re.instruction(op).map_err(|e| err(&e))?;
            f.instruction(&ins);
        }
        code.function(&f);
    }

    let mut module = Module::new();
    let raw = |m: &mut Module, id: u8, data: &[u8]| {
        m.section(&RawSection { id, data });
    };
    for (id, data) in sections.iter().filter(|(id, _)| (1..=5).contains(id)) {
        raw(&mut module, *id, data);
    }
    module.section(&globals);
    module.section(&exports);
    for (id, data) in sections.iter().filter(|(id, _)| *id == 9 || *id == 12) {
        raw(&mut module, *id, data);
    }
    module.section(&code);
    for (id, data) in sections.iter().filter(|(id, _)| *id == 11) {
        raw(&mut module, *id, data);
    }
    Ok(Instrumented {
        wasm: module.finish(),
        func_ops,
    })
}
