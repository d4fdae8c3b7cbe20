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
