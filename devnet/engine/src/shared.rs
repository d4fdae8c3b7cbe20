//! The immutable-after-construction engine parts (configuration, the wasmi engine and linker) and
//! the module cache, shared by every transaction.

use std::collections::HashMap;
use std::sync::Mutex;

use revm::primitives::B256;
use wasmi::{CompilationMode, Config};

use crate::chain::{ArbosVersion, EngineConfig};
use crate::hostio;

/// Store data of a program instance: wasmi's resource limits (memory capped at the transaction's
/// remaining page budget).
pub(crate) type HostData = wasmi::StoreLimits;

/// Shared, immutable-after-construction engine parts plus the module cache.
pub(crate) struct Shared {
    pub(crate) config: EngineConfig,
    pub(crate) arbos: ArbosVersion,
    pub(crate) wasm: wasmi::Engine,
    pub(crate) linker: wasmi::Linker<HostData>,
    /// Compiled instrumented modules by code hash (a cache only: activation records live in
    /// ArbWasm's storage).
    modules: Mutex<HashMap<B256, wasmi::Module>>,
}

impl Shared {
    /// Builds the wasmi engine and linker.
    pub(crate) fn new(config: EngineConfig, arbos: ArbosVersion) -> Self {
        let wasm = wasmi_engine();
        let linker = hostio::linker(&wasm, config.debug);
        Self {
            config,
            arbos,
            wasm,
            linker,
            modules: Mutex::new(HashMap::new()),
        }
    }

    /// Compiles the instrumented module `wasm` and caches it under `codehash`.
    pub(crate) fn compile(&self, codehash: B256, wasm: &[u8]) -> Result<wasmi::Module, String> {
        let module = wasmi::Module::new(&self.wasm, wasm).map_err(|e| e.to_string())?;
        if let Ok(mut cache) = self.modules.lock() {
            cache.insert(codehash, module.clone());
        }
        Ok(module)
    }

    /// Returns the cached module for `codehash`, if any.
    pub(crate) fn cached_module(&self, codehash: &B256) -> Option<wasmi::Module> {
        self.modules
            .lock()
            .ok()
            .and_then(|c| c.get(codehash).cloned())
    }
}

/// The wasmi engine for instrumented programs: no wasmi fuel (ink is metered by the instrumented
/// code itself, as on Nitro), eager compilation, and call and value stacks deep enough that
/// Nitro's 22,000-word depth budget (at least 4 words per frame) always runs out first.
fn wasmi_engine() -> wasmi::Engine {
    let mut config = Config::default();
    config
        .consume_fuel(false)
        .compilation_mode(CompilationMode::Eager)
        .set_max_recursion_depth(16_384)
        .set_max_stack_height(256 * 1024 * 1024);
    wasmi::Engine::new(&config)
}

/// Pattern: WASM's unary float operators (`f32.abs` … `f64.sqrt`; one value in, one out). Nitro's
/// user programs cannot execute them (activation refuses them, `activation.rs`), and the
/// worst-case stack simulation counts them as (0, 0) (`instrument.rs`).
macro_rules! float_unary_ops {
    () => {
        wasmparser::Operator::F32Abs
            | wasmparser::Operator::F32Neg
            | wasmparser::Operator::F32Ceil
            | wasmparser::Operator::F32Floor
            | wasmparser::Operator::F32Trunc
            | wasmparser::Operator::F32Nearest
            | wasmparser::Operator::F32Sqrt
            | wasmparser::Operator::F64Abs
            | wasmparser::Operator::F64Neg
            | wasmparser::Operator::F64Ceil
            | wasmparser::Operator::F64Floor
            | wasmparser::Operator::F64Trunc
            | wasmparser::Operator::F64Nearest
            | wasmparser::Operator::F64Sqrt
    };
}
pub(crate) use float_unary_ops;

/// Pattern: WASM's float ↔ integer conversions: truncations (trapping and saturating), converts,
/// demote and promote (one value in, one out; reinterpretations excluded, as activation accepts
/// them). Used by the same two rules as [`float_unary_ops`].
macro_rules! float_conversion_ops {
    () => {
        wasmparser::Operator::I32TruncF32S
            | wasmparser::Operator::I32TruncF32U
            | wasmparser::Operator::I32TruncF64S
            | wasmparser::Operator::I32TruncF64U
            | wasmparser::Operator::I64TruncF32S
            | wasmparser::Operator::I64TruncF32U
            | wasmparser::Operator::I64TruncF64S
            | wasmparser::Operator::I64TruncF64U
            | wasmparser::Operator::F32ConvertI32S
            | wasmparser::Operator::F32ConvertI32U
            | wasmparser::Operator::F32ConvertI64S
            | wasmparser::Operator::F32ConvertI64U
            | wasmparser::Operator::F32DemoteF64
            | wasmparser::Operator::F64ConvertI32S
            | wasmparser::Operator::F64ConvertI32U
            | wasmparser::Operator::F64ConvertI64S
            | wasmparser::Operator::F64ConvertI64U
            | wasmparser::Operator::F64PromoteF32
            | wasmparser::Operator::I32TruncSatF32S
            | wasmparser::Operator::I32TruncSatF32U
            | wasmparser::Operator::I32TruncSatF64S
            | wasmparser::Operator::I32TruncSatF64U
            | wasmparser::Operator::I64TruncSatF32S
            | wasmparser::Operator::I64TruncSatF32U
            | wasmparser::Operator::I64TruncSatF64S
            | wasmparser::Operator::I64TruncSatF64U
    };
}
pub(crate) use float_conversion_ops;

/// Pattern: WASM's binary float arithmetic (`f32.add` … `f64.copysign`; two values in, one out),
/// under the same two rules as [`float_unary_ops`].
macro_rules! float_binary_ops {
    () => {
        wasmparser::Operator::F32Add
            | wasmparser::Operator::F32Sub
            | wasmparser::Operator::F32Mul
            | wasmparser::Operator::F32Div
            | wasmparser::Operator::F32Min
            | wasmparser::Operator::F32Max
            | wasmparser::Operator::F32Copysign
            | wasmparser::Operator::F64Add
            | wasmparser::Operator::F64Sub
            | wasmparser::Operator::F64Mul
            | wasmparser::Operator::F64Div
            | wasmparser::Operator::F64Min
            | wasmparser::Operator::F64Max
            | wasmparser::Operator::F64Copysign
    };
}
pub(crate) use float_binary_ops;
