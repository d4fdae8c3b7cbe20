//! The `vm_hooks` host-function table (stylus-runtime.md §1.2) and the wasmi linker.
//!
//! Every host function only records its id and arguments and suspends the WASM execution with a
//! host trap; the engine serves it with journal access and resumes (see `evm.rs`).

use wasmi::ValType;
use wasmi::{FuncType, Linker, Val};

use ValType::{F32, F64, I32, I64};

/// One `vm_hooks` import Nitro accepts: name, WASM parameter and result types, base ink charged
/// before the hostio runs (stylus-runtime.md §1.2, `HOSTIO_INK` etc.).
#[derive(Clone, Copy, Debug)]
pub struct Hostio {
    /// Import name in module `vm_hooks`.
    pub name: &'static str,
    /// Parameter types.
    pub params: &'static [ValType],
    /// Result types.
    pub results: &'static [ValType],
    /// Fixed ink charged first (ink; 10,000 ink = 1 gas).
    pub base_ink: u64,
}

const fn h(
    name: &'static str,
    params: &'static [ValType],
    results: &'static [ValType],
    base_ink: u64,
) -> Hostio {
    Hostio {
        name,
        params,
        results,
        base_ink,
    }
}

/// The 42 `vm_hooks` functions, in the order of stylus-runtime.md §1.2 (index = hostio id).
pub const HOSTIOS: [Hostio; 42] = [
    h("read_args", &[I32], &[], 8400),
    h("write_result", &[I32, I32], &[], 8400),
    h("exit_early", &[I32], &[], 0),
    h("storage_load_bytes32", &[I32, I32], &[], 18480),
    h("storage_cache_bytes32", &[I32, I32], &[], 18480),
    h("storage_flush_cache", &[I32], &[], 68073),
    h("transient_load_bytes32", &[I32, I32], &[], 78153),
    h("transient_store_bytes32", &[I32, I32], &[], 78153),
    h(
        "call_contract",
        &[I32, I32, I32, I32, I64, I32],
        &[I32],
        83193,
    ),
    h(
        "delegate_call_contract",
        &[I32, I32, I32, I64, I32],
        &[I32],
        83193,
    ),
    h(
        "static_call_contract",
        &[I32, I32, I32, I64, I32],
        &[I32],
        83193,
    ),
    h("create1", &[I32, I32, I32, I32, I32], &[], 83193),
    h("create2", &[I32, I32, I32, I32, I32, I32], &[], 88233),
    h("read_return_data", &[I32, I32, I32], &[I32], 68073),
    h("return_data_size", &[], &[I32], 8400),
    h("emit_log", &[I32, I32, I32], &[], 68073),
    h("account_balance", &[I32, I32], &[], 78153),
    h("account_code", &[I32, I32, I32, I32], &[I32], 68073),
    h("account_code_size", &[I32], &[I32], 68073),
    h("account_codehash", &[I32, I32], &[], 78153),
    h("evm_gas_left", &[], &[I64], 8400),
    h("evm_ink_left", &[], &[I64], 8400),
    h("block_basefee", &[I32], &[], 13440),
    h("chainid", &[], &[I64], 8400),
    h("block_coinbase", &[I32], &[], 13440),
    h("block_gas_limit", &[], &[I64], 8400),
    h("block_number", &[], &[I64], 8400),
    h("block_timestamp", &[], &[I64], 8400),
    h("contract_address", &[I32], &[], 13440),
    h("math_div", &[I32, I32], &[], 43520),
    h("math_mod", &[I32, I32], &[], 43520),
    h("math_pow", &[I32, I32], &[], 23520),
    h("math_add_mod", &[I32, I32, I32], &[], 49560),
    h("math_mul_mod", &[I32, I32, I32], &[], 52660),
    h("msg_reentrant", &[], &[I32], 8400),
    h("msg_sender", &[I32], &[], 13440),
    h("msg_value", &[I32], &[], 13440),
    h("native_keccak256", &[I32, I32, I32], &[], 0),
    h("tx_gas_price", &[I32], &[], 13440),
    h("tx_ink_price", &[], &[I32], 8400),
    h("tx_origin", &[I32], &[], 13440),
    h("pay_for_memory_grow", &[I32], &[], 0),
];

/// Debug imports, available only with `EngineConfig::debug` (stylus-runtime.md §1.4).
/// Ids are `DEBUG_BASE + index`.
pub const DEBUG_IMPORTS: [(&str, &str, &[ValType], &[ValType]); 12] = [
    ("console", "log_txt", &[I32, I32], &[]),
    ("console", "log_i32", &[I32], &[]),
    ("console", "log_i64", &[I64], &[]),
    ("console", "log_f32", &[F32], &[]),
    ("console", "log_f64", &[F64], &[]),
    ("console", "tee_i32", &[I32], &[I32]),
    ("console", "tee_i64", &[I64], &[I64]),
    ("console", "tee_f32", &[F32], &[F32]),
    ("console", "tee_f64", &[F64], &[F64]),
    ("debug", "null_host", &[], &[]),
    ("debug", "start_benchmark", &[], &[]),
    ("debug", "end_benchmark", &[], &[]),
];

/// Hostio id of the first debug import.
pub const DEBUG_BASE: u16 = 100;

/// Looks up a `vm_hooks` hostio by name.
pub fn find(name: &str) -> Option<(u16, &'static Hostio)> {
    HOSTIOS
        .iter()
        .enumerate()
        .find(|(_, h)| h.name == name)
        .map(|(i, h)| (i as u16, h))
}

/// Looks up a debug import by module and name.
pub fn find_debug(module: &str, name: &str) -> Option<(&'static [ValType], &'static [ValType])> {
    DEBUG_IMPORTS
        .iter()
        .find(|(m, n, _, _)| *m == module && *n == name)
        .map(|(_, _, p, r)| (*p, *r))
}

/// A suspended host call: which hostio and its raw arguments (i32 zero-extended, floats as bits).
#[derive(Clone, Debug)]
pub struct HostReq {
    /// Hostio id (index into [`HOSTIOS`], or `DEBUG_BASE + i`).
    pub id: u16,
    /// Raw arguments.
    pub args: Vec<u64>,
}

impl std::fmt::Display for HostReq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "hostio {}", self.id)
    }
}

impl wasmi::errors::HostError for HostReq {}

fn raw(v: &Val) -> u64 {
    match v {
        Val::I32(x) => u64::from(*x as u32),
        Val::I64(x) => *x as u64,
        Val::F32(x) => u64::from(x.to_bits()),
        Val::F64(x) => x.to_bits(),
        _ => 0,
    }
}

/// Builds the linker with all 42 `vm_hooks` imports (and the debug imports if `debug`).
pub fn linker<T: 'static>(engine: &wasmi::Engine, debug: bool) -> Linker<T> {
    let mut linker = Linker::new(engine);
    for (i, io) in HOSTIOS.iter().enumerate() {
        let id = i as u16;
        let ty = FuncType::new(io.params.iter().copied(), io.results.iter().copied());
        // Names are unique, so defining cannot fail.
        let _ = linker.func_new("vm_hooks", io.name, ty, move |_c, params, _r| {
            Err(wasmi::Error::host(HostReq {
                id,
                args: params.iter().map(raw).collect(),
            }))
        });
    }
    if debug {
        for (i, (m, n, p, r)) in DEBUG_IMPORTS.iter().enumerate() {
            let id = DEBUG_BASE + i as u16;
            let ty = FuncType::new(p.iter().copied(), r.iter().copied());
            let _ = linker.func_new(m, n, ty, move |_c, params, _r| {
                Err(wasmi::Error::host(HostReq {
                    id,
                    args: params.iter().map(raw).collect(),
                }))
            });
        }
    }
    linker
}
