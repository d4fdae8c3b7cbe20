//! Opt-in gas accounting of one transaction ([`crate::Engine::transact_profiled`]): where every
//! unit of the receipt's `gasUsed` went, per frame and summed.
//!
//! Units: **gas** unless a field says **ink**; one gas is [`INK_PRICE`] = 10,000 ink
//! (`arbos/programs/params.go`, `InkPrice`). Stylus programs are metered in ink (WASM instructions
//! through the instrumented meter, hostios through their base ink and data prices), and their
//! EVM-rule costs (storage, logs, calls, account access) are bought as gas × 10,000 ink; so the
//! per-frame accounting is kept in ink, exactly, and only the final conversion back to gas drops
//! a fraction below one gas per program invocation ([`StylusProfile::rounding_ink`]).
//!
//! The identity every finished frame satisfies (checked by the engine's tests on real programs):
//!
//! ```text
//! gas_used × 10,000 = own_ink + children_gas × 10,000
//! own_ink (Stylus)  = (entry_memory_gas + entry_cached_init_gas + entry_init_gas) × 10,000
//!                   + wasm_ink + Σ hostio ink + output_gas × 10,000 + rounding_ink   (+ unattributed)
//! own_ink (EVM)     = (sload + sstore + log + keccak + other opcodes) × 10,000
//! ```
//!
//! and for the transaction: `gasUsed = intrinsic_base + intrinsic_calldata + intrinsic_other +
//! execution_gas − refund + floor_topup`, where `execution_gas` is the first frame's `gas_used`.
//!
//! Profiling is off unless [`crate::Engine::transact_profiled`] is called: [`crate::Engine::transact`]
//! carries no profiler (one `Option` test per hostio and per frame) and its gas is unchanged.

use revm::primitives::{Address, B256};

use crate::chain::INK_PRICE;
use crate::hostio::HostioId;

/// Number of `vm_hooks` hostios (the length of [`StylusProfile::hostios`]).
pub const HOSTIO_COUNT: usize = HostioId::ALL.len();

/// Calls and cost of one hostio kind in a program frame (or summed over frames).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HostioStat {
    /// Calls served.
    pub count: u64,
    /// **Ink** the hostio charged itself: its base ink (`pricing.rs`, `hostio::*_BASE_INK`), data
    /// read/write prices, and the EVM-rule gas it bought (× 10,000). Excludes the gas used by a
    /// child frame it started (`call_contract`, `create1`…): that is the child's
    /// [`FrameProfile::gas_used`].
    pub ink: u64,
    /// **Gas**, included in `ink`, charged by an EVM rule rather than Stylus pricing: SLOAD access
    /// (2,100 cold / 100 warm; EIP-2929), SSTORE (EIP-2200/2929/3529, as `storage_flush_cache`
    /// charges it), LOG (375 + 375 per topic + 8 per data byte), call access and value
    /// (`WasmCallCost`: 100 warm / 2,600 cold, + 9,000 with value), account access (2,600 cold /
    /// 100 warm, + 700 with code; `WasmAccountTouchCost`), memory pages (`pay_for_memory_grow`,
    /// `MemoryModel.GasCost`).
    pub evm_gas: u64,
}

/// Storage traffic of a program frame (or summed), as `storage_load_bytes32`,
/// `storage_cache_bytes32` and `storage_flush_cache` (`crates/arbutil/src/evm/req.rs`,
/// `StorageCache`) serve it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StorageStat {
    /// Loads of a slot not yet accessed in the transaction (2,100 gas each).
    pub loads_cold: u64,
    /// Loads of a slot already accessed in the transaction (100 gas each).
    pub loads_warm: u64,
    /// Loads answered by the program's own storage cache (no EVM cost, base ink only).
    pub loads_cached: u64,
    /// **Gas** of the loads by the EVM rule (2,100 cold / 100 warm).
    pub sload_gas: u64,
    /// Slots written by `storage_flush_cache` (dirty slots only).
    pub stores: u64,
    /// Of `stores`: zero → non-zero in the transaction (20,000 gas).
    pub stores_new: u64,
    /// Of `stores`: first change of a non-zero slot in the transaction (2,900 gas).
    pub stores_update: u64,
    /// Of `stores`: re-writes of an already-changed slot or of an unchanged value (100 gas).
    pub stores_dirty: u64,
    /// Of `stores`: cold slots (+2,100 gas each).
    pub stores_cold: u64,
    /// **Gas** of the stores by EIP-2200/2929/3529 (cold surcharge included).
    pub sstore_gas: u64,
    /// Refund counter change of the stores (EIP-3529; may be negative). The transaction's final
    /// refund is capped at a fifth of the gas spent ([`GasProfile::refund`]).
    pub refund: i64,
}

impl StorageStat {
    fn add(&mut self, o: &StorageStat) {
        self.loads_cold += o.loads_cold;
        self.loads_warm += o.loads_warm;
        self.loads_cached += o.loads_cached;
        self.sload_gas += o.sload_gas;
        self.stores += o.stores;
        self.stores_new += o.stores_new;
        self.stores_update += o.stores_update;
        self.stores_dirty += o.stores_dirty;
        self.stores_cold += o.stores_cold;
        self.sstore_gas += o.sstore_gas;
        self.refund += o.refund;
    }
}

/// The Stylus side of a program frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StylusProfile {
    /// Code hash of the program.
    pub codehash: B256,
    /// Whether the program entered at the cached price (ArbWasmCache or the block's recent-program
    /// cache from ArbOS 60).
    pub cached: bool,
    /// **Gas** of the memory model for the program's footprint at entry (`MemoryModel.GasCost`,
    /// `arbos/programs/memory.go`; the first two pages of a transaction are free).
    pub entry_memory_gas: u64,
    /// **Gas** paid at every entry (`Program.cachedGas`: `MinCachedInitGas·32 +
    /// ⌈cached_cost·scalar/100⌉`).
    pub entry_cached_init_gas: u64,
    /// **Gas** paid at an uncached entry (`Program.initGas`: `MinInitGas·128 +
    /// ⌈init_cost·scalar/100⌉`); 0 when `cached`.
    pub entry_init_gas: u64,
    /// **Ink** consumed by WASM instructions: the instrumented meter's block charges (the ops'
    /// prices plus 2,450 per basic block, 100 per byte copied or filled;
    /// `crates/prover/src/programs/meter.rs`, `dynamic.rs`), i.e. every decrement of
    /// `stylus_ink_left` outside hostios.
    pub wasm_ink: u64,
    /// Per hostio, indexed by [`HostioId`] as `usize` ([`HOSTIO_COUNT`] entries).
    pub hostios: Vec<HostioStat>,
    /// Storage traffic (its gas is inside the storage hostios' `ink`/`evm_gas`).
    pub storage: StorageStat,
    /// **Gas** charged at return so the output cost at least its EVM memory expansion (ArbOS ≥ 31,
    /// `Programs.CallProgram`: 3 per word + words² / 512, minus what was left unspent).
    pub output_gas: u64,
    /// **Ink** below one gas left when the program's ink went back to gas at its end (lost).
    pub rounding_ink: u64,
}

impl StylusProfile {
    pub(crate) fn new(codehash: B256) -> Self {
        Self {
            codehash,
            cached: false,
            entry_memory_gas: 0,
            entry_cached_init_gas: 0,
            entry_init_gas: 0,
            wasm_ink: 0,
            hostios: vec![HostioStat::default(); HOSTIO_COUNT],
            storage: StorageStat::default(),
            output_gas: 0,
            rounding_ink: 0,
        }
    }

    /// The stats of hostio `id`.
    pub fn hostio(&self, id: HostioId) -> HostioStat {
        self.hostios.get(id as usize).copied().unwrap_or_default()
    }

    /// **Gas** of program entry: memory pages + cached init + uncached init.
    pub fn entry_gas(&self) -> u64 {
        self.entry_memory_gas + self.entry_cached_init_gas + self.entry_init_gas
    }

    /// **Ink** of all hostios.
    pub fn hostio_ink(&self) -> u64 {
        self.hostios.iter().map(|h| h.ink).sum()
    }

    /// **Ink** attributed to the frame's own work: entry, WASM, hostios, output, rounding.
    pub fn attributed_ink(&self) -> u64 {
        (self.entry_gas() + self.output_gas) * INK_PRICE
            + self.wasm_ink
            + self.hostio_ink()
            + self.rounding_ink
    }

    pub(crate) fn stat(&mut self, id: HostioId) -> &mut HostioStat {
        &mut self.hostios[id as usize]
    }

    fn add(&mut self, o: &StylusProfile) {
        self.entry_memory_gas += o.entry_memory_gas;
        self.entry_cached_init_gas += o.entry_cached_init_gas;
        self.entry_init_gas += o.entry_init_gas;
        self.wasm_ink += o.wasm_ink;
        for (a, b) in self.hostios.iter_mut().zip(&o.hostios) {
            a.count += b.count;
            a.ink += b.ink;
            a.evm_gas += b.evm_gas;
        }
        self.storage.add(&o.storage);
        self.output_gas += o.output_gas;
        self.rounding_ink += o.rounding_ink;
    }
}

/// Count and **gas** of one opcode group in EVM frames.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpStat {
    /// Instructions executed.
    pub count: u64,
    /// Gas charged by them (revm's gas table and dynamic costs: EIP-2929 access, EIP-2200/3529
    /// SSTORE, LOG's 375 + 375/topic + 8/byte + memory expansion, KECCAK256's 30 + 6/word +
    /// memory expansion).
    pub gas: u64,
}

/// The EVM side of an EVM-code frame: the opcode groups a comparison with Stylus needs. The rest
/// of the frame's own gas is [`FrameProfile::evm_other_gas`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EvmProfile {
    /// `SLOAD`.
    pub sload: OpStat,
    /// `SSTORE`.
    pub sstore: OpStat,
    /// `LOG0`…`LOG4`.
    pub log: OpStat,
    /// `KECCAK256`.
    pub keccak: OpStat,
    /// Refund counter change of this frame's `SSTORE`s.
    pub refund: i64,
}

impl EvmProfile {
    /// Gas of the grouped opcodes.
    pub fn grouped_gas(&self) -> u64 {
        self.sload.gas + self.sstore.gas + self.log.gas + self.keccak.gas
    }

    fn add(&mut self, o: &EvmProfile) {
        for (a, b) in [
            (&mut self.sload, &o.sload),
            (&mut self.sstore, &o.sstore),
            (&mut self.log, &o.log),
            (&mut self.keccak, &o.keccak),
        ] {
            a.count += b.count;
            a.gas += b.gas;
        }
        self.refund += o.refund;
    }
}

/// What ran in a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameKind {
    /// EVM bytecode (revm's interpreter).
    Evm,
    /// A Stylus program (`EF F0 00` code).
    Stylus,
    /// The native StylusDeployer.
    Deployer,
    /// A call or create answered when the frame was set up: a precompile (ArbWasm, ArbSys, …, the
    /// Ethereum ones), an account without code, or a refused call (depth, balance).
    Immediate,
}

/// One frame of the transaction (a call or create), in the order frames were entered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameProfile {
    /// Call depth (0 for the transaction's own frame).
    pub depth: usize,
    /// Index in [`GasProfile::frames`] of the calling frame (`None` for the first frame).
    pub parent: Option<usize>,
    /// What ran.
    pub kind: FrameKind,
    /// The account whose code ran (the callee; for a delegate call, the code's address).
    pub address: Address,
    /// **Gas** the frame was given (a value call's 2,300 stipend included).
    pub gas_limit: u64,
    /// **Gas** the frame used: limit − gas left at its end (all of it on an exceptional halt),
    /// its children included.
    pub gas_used: u64,
    /// **Gas** used by the frames it called (the sum of their `gas_used`).
    pub children_gas: u64,
    /// The Stylus breakdown ([`FrameKind::Stylus`] only).
    pub stylus: Option<StylusProfile>,
    /// The EVM opcode groups ([`FrameKind::Evm`] only).
    pub evm: Option<EvmProfile>,
}

impl FrameProfile {
    /// **Ink** of the frame's own work: `(gas_used − children_gas) × 10,000` (may be negative
    /// only for an EVM frame that sent value, whose callee's 2,300 stipend the EVM caller does not
    /// pay).
    pub fn own_ink(&self) -> i128 {
        (i128::from(self.gas_used) - i128::from(self.children_gas)) * i128::from(INK_PRICE)
    }

    /// **Ink** of the frame's own work that no component explains: 0 for a program that ended
    /// normally (return, revert, `exit_early`); on an out-of-ink halt, the ink that was left. For
    /// EVM frames the unexplained part is [`Self::evm_other_gas`] instead, so this is 0.
    pub fn unattributed_ink(&self) -> i128 {
        match &self.stylus {
            Some(s) => self.own_ink() - i128::from(s.attributed_ink()),
            None => 0,
        }
    }

    /// **Gas** of an EVM frame's own work outside the grouped opcodes (stack, memory, control
    /// flow, calls' base costs, …); 0 for other frames.
    pub fn evm_other_gas(&self) -> i128 {
        match &self.evm {
            Some(e) => self.own_ink() / i128::from(INK_PRICE) - i128::from(e.grouped_gas()),
            None => 0,
        }
    }
}

/// Where the gas of one transaction went ([`crate::Engine::transact_profiled`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GasProfile {
    /// **Gas**: the transaction's 21,000 base (and nothing else of the intrinsic cost).
    pub intrinsic_base: u64,
    /// **Gas**: calldata at 4 per zero byte and 16 per non-zero byte (EIP-2028).
    pub intrinsic_calldata: u64,
    /// **Gas**: the rest of revm's initial gas (a create's 32,000 + 2 per init-code word, access
    /// lists' 2,400 per address + 1,900 per key, EIP-7702 authorizations).
    pub intrinsic_other: u64,
    /// **Gas** used by the first frame (all execution, every nested frame included).
    pub execution_gas: u64,
    /// **Gas** refunded at the end (EIP-3529: at most a fifth of the gas spent).
    pub refund: u64,
    /// **Gas** added because the EIP-7623 calldata floor was above the gas used (0 otherwise).
    pub floor_topup: u64,
    /// **Gas** the receipt reports: intrinsic + execution − refund + floor top-up.
    pub gas_used: u64,
    /// Every frame, in the order entered.
    pub frames: Vec<FrameProfile>,
}

/// A [`GasProfile`] summed over its frames.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileTotals {
    /// Program invocations.
    pub programs: u64,
    /// EVM-code frames.
    pub evm_frames: u64,
    /// Stylus components summed over program frames (`codehash` is zero).
    pub stylus: StylusProfile,
    /// EVM opcode groups summed over EVM frames.
    pub evm: EvmProfile,
    /// **Gas** of EVM frames outside the grouped opcodes.
    pub evm_other_gas: i128,
    /// **Gas** of [`FrameKind::Immediate`] frames (precompiles, code-less accounts).
    pub immediate_gas: u64,
    /// **Gas** of the native StylusDeployer's own work.
    pub deployer_gas: i128,
    /// **Ink** no component explains (0 unless a program ran out of ink).
    pub unattributed_ink: i128,
}

impl GasProfile {
    /// Sums the frames' own work. `(stylus.attributed_ink() + unattributed_ink) / 10,000 +
    /// evm grouped + evm_other_gas + immediate_gas + deployer_gas` is [`Self::execution_gas`].
    pub fn totals(&self) -> ProfileTotals {
        let mut t = ProfileTotals {
            programs: 0,
            evm_frames: 0,
            stylus: StylusProfile::new(B256::ZERO),
            evm: EvmProfile::default(),
            evm_other_gas: 0,
            immediate_gas: 0,
            deployer_gas: 0,
            unattributed_ink: 0,
        };
        for f in &self.frames {
            match f.kind {
                FrameKind::Stylus => t.programs += 1,
                FrameKind::Evm => t.evm_frames += 1,
                FrameKind::Immediate => t.immediate_gas += f.gas_used - f.children_gas,
                FrameKind::Deployer => t.deployer_gas += f.own_ink() / i128::from(INK_PRICE),
            }
            if let Some(s) = &f.stylus {
                t.stylus.add(s);
            }
            if let Some(e) = &f.evm {
                t.evm.add(e);
            }
            t.evm_other_gas += f.evm_other_gas();
            t.unattributed_ink += f.unattributed_ink();
        }
        t
    }

    /// **Ink** of all frames' own work; equals `execution_gas × 10,000` (a check of the frame
    /// tree: every frame's `gas_used` is its own work plus its children's).
    pub fn own_ink(&self) -> i128 {
        self.frames.iter().map(FrameProfile::own_ink).sum()
    }
}

/// Collects frames while a profiled transaction runs.
#[derive(Default)]
pub(crate) struct Profiler {
    pub(crate) frames: Vec<FrameProfile>,
    /// Indices of the frames still running, innermost last.
    pub(crate) stack: Vec<usize>,
}

impl Profiler {
    /// Records a frame that started; returns its index. `running` is false for a frame answered
    /// at once ([`FrameKind::Immediate`]).
    pub(crate) fn enter(
        &mut self,
        kind: FrameKind,
        depth: usize,
        address: Address,
        gas_limit: u64,
        running: bool,
    ) -> usize {
        let idx = self.frames.len();
        self.frames.push(FrameProfile {
            depth,
            parent: self.stack.last().copied(),
            kind,
            address,
            gas_limit,
            gas_used: 0,
            children_gas: 0,
            stylus: None,
            evm: (kind == FrameKind::Evm).then(EvmProfile::default),
        });
        if running {
            self.stack.push(idx);
        }
        idx
    }

    /// Records the end of frame `idx` (gas left `remaining`, `halt` for an exceptional halt).
    pub(crate) fn finish(&mut self, idx: usize, remaining: u64, halt: bool) {
        let f = &mut self.frames[idx];
        f.gas_used = if halt {
            f.gas_limit
        } else {
            f.gas_limit.saturating_sub(remaining)
        };
        let (used, parent) = (f.gas_used, f.parent);
        if let Some(p) = parent {
            self.frames[p].children_gas += used;
        }
    }

    /// Ends the innermost running frame.
    pub(crate) fn pop(&mut self, remaining: u64, halt: bool, stylus: Option<StylusProfile>) {
        if let Some(idx) = self.stack.pop() {
            self.frames[idx].stylus = stylus;
            self.finish(idx, remaining, halt);
        }
    }

    /// The innermost running EVM frame's opcode groups.
    pub(crate) fn current_evm(&mut self) -> Option<&mut EvmProfile> {
        let idx = *self.stack.last()?;
        self.frames[idx].evm.as_mut()
    }
}

/// A revm inspector that only measures the grouped opcodes of EVM frames (run by the engine for
/// EVM frames while profiling).
pub(crate) struct OpGas<'a> {
    pub(crate) prof: &'a mut EvmProfile,
    pub(crate) op: u8,
    pub(crate) gas: u64,
    pub(crate) refund: i64,
}

impl<CTX> revm::Inspector<CTX, revm::interpreter::interpreter::EthInterpreter> for OpGas<'_> {
    fn step(
        &mut self,
        interp: &mut revm::interpreter::Interpreter<revm::interpreter::interpreter::EthInterpreter>,
        _context: &mut CTX,
    ) {
        use revm::interpreter::interpreter_types::Jumps;
        self.op = interp.bytecode.opcode();
        self.gas = interp.gas.remaining();
        self.refund = interp.gas.refunded();
    }

    fn step_end(
        &mut self,
        interp: &mut revm::interpreter::Interpreter<revm::interpreter::interpreter::EthInterpreter>,
        _context: &mut CTX,
    ) {
        use revm::bytecode::opcode;
        let stat = match self.op {
            opcode::SLOAD => &mut self.prof.sload,
            opcode::SSTORE => {
                self.prof.refund += interp.gas.refunded() - self.refund;
                &mut self.prof.sstore
            }
            opcode::LOG0..=opcode::LOG4 => &mut self.prof.log,
            opcode::KECCAK256 => &mut self.prof.keccak,
            _ => return,
        };
        stat.count += 1;
        stat.gas += self.gas.saturating_sub(interp.gas.remaining());
    }
}
