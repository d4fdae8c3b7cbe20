//! The `vm_hooks` host-function table and the wasmi linker. Each hostio has a typed id
//! ([`HostioId`]); the engine dispatches on it, never on names.
//!
//! Every host function only records its id and arguments and suspends the WASM execution with a
//! host trap; the engine serves it with journal access and resumes (see `evm/wasm_frame.rs`).
//! Names, signatures and base ink are Nitro's: OffchainLabs/nitro
//! `crates/wasm-libraries/user-host-trait/lib.rs` (one method per hostio, each starting with
//! `buy_ink(hostio::..._BASE_INK)`) and `crates/arbutil/src/pricing.rs` (the base ink constants).

use wasmi::ValType;
use wasmi::{FuncType, Linker, Val};

use ValType::{F32, F64, I32, I64};

/// A `vm_hooks` import Nitro accepts, in the order of [`HOSTIOS`] (the discriminant is the index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum HostioId {
    /// `vm_hooks.read_args`.
    ReadArgs,
    /// `vm_hooks.write_result`.
    WriteResult,
    /// `vm_hooks.exit_early`.
    ExitEarly,
    /// `vm_hooks.storage_load_bytes32`.
    StorageLoadBytes32,
    /// `vm_hooks.storage_cache_bytes32`.
    StorageCacheBytes32,
    /// `vm_hooks.storage_flush_cache`.
    StorageFlushCache,
    /// `vm_hooks.transient_load_bytes32`.
    TransientLoadBytes32,
    /// `vm_hooks.transient_store_bytes32`.
    TransientStoreBytes32,
    /// `vm_hooks.call_contract`.
    CallContract,
    /// `vm_hooks.delegate_call_contract`.
    DelegateCallContract,
    /// `vm_hooks.static_call_contract`.
    StaticCallContract,
    /// `vm_hooks.create1`.
    Create1,
    /// `vm_hooks.create2`.
    Create2,
    /// `vm_hooks.read_return_data`.
    ReadReturnData,
    /// `vm_hooks.return_data_size`.
    ReturnDataSize,
    /// `vm_hooks.emit_log`.
    EmitLog,
    /// `vm_hooks.account_balance`.
    AccountBalance,
    /// `vm_hooks.account_code`.
    AccountCode,
    /// `vm_hooks.account_code_size`.
    AccountCodeSize,
    /// `vm_hooks.account_codehash`.
    AccountCodehash,
    /// `vm_hooks.evm_gas_left`.
    EvmGasLeft,
    /// `vm_hooks.evm_ink_left`.
    EvmInkLeft,
    /// `vm_hooks.block_basefee`.
    BlockBasefee,
    /// `vm_hooks.chainid`.
    Chainid,
    /// `vm_hooks.block_coinbase`.
    BlockCoinbase,
    /// `vm_hooks.block_gas_limit`.
    BlockGasLimit,
    /// `vm_hooks.block_number`.
    BlockNumber,
    /// `vm_hooks.block_timestamp`.
    BlockTimestamp,
    /// `vm_hooks.contract_address`.
    ContractAddress,
    /// `vm_hooks.math_div`.
    MathDiv,
    /// `vm_hooks.math_mod`.
    MathMod,
    /// `vm_hooks.math_pow`.
    MathPow,
    /// `vm_hooks.math_add_mod`.
    MathAddMod,
    /// `vm_hooks.math_mul_mod`.
    MathMulMod,
    /// `vm_hooks.msg_reentrant`.
    MsgReentrant,
    /// `vm_hooks.msg_sender`.
    MsgSender,
    /// `vm_hooks.msg_value`.
    MsgValue,
    /// `vm_hooks.native_keccak256`.
    NativeKeccak256,
    /// `vm_hooks.tx_gas_price`.
    TxGasPrice,
    /// `vm_hooks.tx_ink_price`.
    TxInkPrice,
    /// `vm_hooks.tx_origin`.
    TxOrigin,
    /// `vm_hooks.pay_for_memory_grow`.
    PayForMemoryGrow,
}

impl HostioId {
    /// Every hostio, in table order.
    pub const ALL: [HostioId; 42] = [
        HostioId::ReadArgs,
        HostioId::WriteResult,
        HostioId::ExitEarly,
        HostioId::StorageLoadBytes32,
        HostioId::StorageCacheBytes32,
        HostioId::StorageFlushCache,
        HostioId::TransientLoadBytes32,
        HostioId::TransientStoreBytes32,
        HostioId::CallContract,
        HostioId::DelegateCallContract,
        HostioId::StaticCallContract,
        HostioId::Create1,
        HostioId::Create2,
        HostioId::ReadReturnData,
        HostioId::ReturnDataSize,
        HostioId::EmitLog,
        HostioId::AccountBalance,
        HostioId::AccountCode,
        HostioId::AccountCodeSize,
        HostioId::AccountCodehash,
        HostioId::EvmGasLeft,
        HostioId::EvmInkLeft,
        HostioId::BlockBasefee,
        HostioId::Chainid,
        HostioId::BlockCoinbase,
        HostioId::BlockGasLimit,
        HostioId::BlockNumber,
        HostioId::BlockTimestamp,
        HostioId::ContractAddress,
        HostioId::MathDiv,
        HostioId::MathMod,
        HostioId::MathPow,
        HostioId::MathAddMod,
        HostioId::MathMulMod,
        HostioId::MsgReentrant,
        HostioId::MsgSender,
        HostioId::MsgValue,
        HostioId::NativeKeccak256,
        HostioId::TxGasPrice,
        HostioId::TxInkPrice,
        HostioId::TxOrigin,
        HostioId::PayForMemoryGrow,
    ];

    /// The hostio's table entry.
    pub fn info(self) -> &'static Hostio {
        &HOSTIOS[self as usize]
    }

    /// The import name in module `vm_hooks`.
    pub fn name(self) -> &'static str {
        self.info().name
    }
}

/// One `vm_hooks` import: typed id, import name, WASM parameter and result types, base ink charged
/// before the hostio does anything else.
#[derive(Clone, Copy, Debug)]
pub struct Hostio {
    /// Typed id.
    pub id: HostioId,
    /// Import name in module `vm_hooks`.
    pub name: &'static str,
    /// Parameter types.
    pub params: &'static [ValType],
    /// Result types.
    pub results: &'static [ValType],
    /// Fixed ink charged first (ink; 10,000 ink = 1 gas; `pricing.rs` `hostio::*_BASE_INK`).
    pub base_ink: u64,
}

const fn h(
    id: HostioId,
    name: &'static str,
    params: &'static [ValType],
    results: &'static [ValType],
    base_ink: u64,
) -> Hostio {
    Hostio {
        id,
        name,
        params,
        results,
        base_ink,
    }
}

/// The 42 `vm_hooks` functions (index = [`HostioId`] discriminant).
pub const HOSTIOS: [Hostio; 42] = [
    h(HostioId::ReadArgs, "read_args", &[I32], &[], 8400),
    h(
        HostioId::WriteResult,
        "write_result",
        &[I32, I32],
        &[],
        8400,
    ),
    h(HostioId::ExitEarly, "exit_early", &[I32], &[], 0),
    h(
        HostioId::StorageLoadBytes32,
        "storage_load_bytes32",
        &[I32, I32],
        &[],
        18480,
    ),
    h(
        HostioId::StorageCacheBytes32,
        "storage_cache_bytes32",
        &[I32, I32],
        &[],
        18480,
    ),
    h(
        HostioId::StorageFlushCache,
        "storage_flush_cache",
        &[I32],
        &[],
        68073,
    ),
    h(
        HostioId::TransientLoadBytes32,
        "transient_load_bytes32",
        &[I32, I32],
        &[],
        78153,
    ),
    h(
        HostioId::TransientStoreBytes32,
        "transient_store_bytes32",
        &[I32, I32],
        &[],
        78153,
    ),
    h(
        HostioId::CallContract,
        "call_contract",
        &[I32, I32, I32, I32, I64, I32],
        &[I32],
        83193,
    ),
    h(
        HostioId::DelegateCallContract,
        "delegate_call_contract",
        &[I32, I32, I32, I64, I32],
        &[I32],
        83193,
    ),
    h(
        HostioId::StaticCallContract,
        "static_call_contract",
        &[I32, I32, I32, I64, I32],
        &[I32],
        83193,
    ),
    h(
        HostioId::Create1,
        "create1",
        &[I32, I32, I32, I32, I32],
        &[],
        83193,
    ),
    h(
        HostioId::Create2,
        "create2",
        &[I32, I32, I32, I32, I32, I32],
        &[],
        88233,
    ),
    h(
        HostioId::ReadReturnData,
        "read_return_data",
        &[I32, I32, I32],
        &[I32],
        68073,
    ),
    h(
        HostioId::ReturnDataSize,
        "return_data_size",
        &[],
        &[I32],
        8400,
    ),
    h(HostioId::EmitLog, "emit_log", &[I32, I32, I32], &[], 68073),
    h(
        HostioId::AccountBalance,
        "account_balance",
        &[I32, I32],
        &[],
        78153,
    ),
    h(
        HostioId::AccountCode,
        "account_code",
        &[I32, I32, I32, I32],
        &[I32],
        68073,
    ),
    h(
        HostioId::AccountCodeSize,
        "account_code_size",
        &[I32],
        &[I32],
        68073,
    ),
    h(
        HostioId::AccountCodehash,
        "account_codehash",
        &[I32, I32],
        &[],
        78153,
    ),
    h(HostioId::EvmGasLeft, "evm_gas_left", &[], &[I64], 8400),
    h(HostioId::EvmInkLeft, "evm_ink_left", &[], &[I64], 8400),
    h(HostioId::BlockBasefee, "block_basefee", &[I32], &[], 13440),
    h(HostioId::Chainid, "chainid", &[], &[I64], 8400),
    h(
        HostioId::BlockCoinbase,
        "block_coinbase",
        &[I32],
        &[],
        13440,
    ),
    h(
        HostioId::BlockGasLimit,
        "block_gas_limit",
        &[],
        &[I64],
        8400,
    ),
    h(HostioId::BlockNumber, "block_number", &[], &[I64], 8400),
    h(
        HostioId::BlockTimestamp,
        "block_timestamp",
        &[],
        &[I64],
        8400,
    ),
    h(
        HostioId::ContractAddress,
        "contract_address",
        &[I32],
        &[],
        13440,
    ),
    h(HostioId::MathDiv, "math_div", &[I32, I32], &[], 43520),
    h(HostioId::MathMod, "math_mod", &[I32, I32], &[], 43520),
    h(HostioId::MathPow, "math_pow", &[I32, I32], &[], 23520),
    h(
        HostioId::MathAddMod,
        "math_add_mod",
        &[I32, I32, I32],
        &[],
        49560,
    ),
    h(
        HostioId::MathMulMod,
        "math_mul_mod",
        &[I32, I32, I32],
        &[],
        52660,
    ),
    h(HostioId::MsgReentrant, "msg_reentrant", &[], &[I32], 8400),
    h(HostioId::MsgSender, "msg_sender", &[I32], &[], 13440),
    h(HostioId::MsgValue, "msg_value", &[I32], &[], 13440),
    h(
        HostioId::NativeKeccak256,
        "native_keccak256",
        &[I32, I32, I32],
        &[],
        0,
    ),
    h(HostioId::TxGasPrice, "tx_gas_price", &[I32], &[], 13440),
    h(HostioId::TxInkPrice, "tx_ink_price", &[], &[I32], 8400),
    h(HostioId::TxOrigin, "tx_origin", &[I32], &[], 13440),
    h(
        HostioId::PayForMemoryGrow,
        "pay_for_memory_grow",
        &[I32],
        &[],
        0,
    ),
];

/// Debug imports, linked only with `EngineConfig::debug` (Nitro's `console` and `debug` host
/// modules on a debug chain).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum DebugImport {
    /// `console.log_txt(ptr, len)`.
    LogTxt,
    /// `console.log_i32(x)`.
    LogI32,
    /// `console.log_i64(x)`.
    LogI64,
    /// `console.log_f32(x)`.
    LogF32,
    /// `console.log_f64(x)`.
    LogF64,
    /// `console.tee_i32(x) -> x`.
    TeeI32,
    /// `console.tee_i64(x) -> x`.
    TeeI64,
    /// `console.tee_f32(x) -> x`.
    TeeF32,
    /// `console.tee_f64(x) -> x`.
    TeeF64,
    /// `debug.null_host()`.
    NullHost,
    /// `debug.start_benchmark()`.
    StartBenchmark,
    /// `debug.end_benchmark()`.
    EndBenchmark,
}

/// A debug import: id, module, name, parameter and result types.
pub type DebugImportInfo = (
    DebugImport,
    &'static str,
    &'static str,
    &'static [ValType],
    &'static [ValType],
);

/// Module, name, parameters and results of each [`DebugImport`] (index = discriminant).
pub const DEBUG_IMPORTS: [DebugImportInfo; 12] = [
    (DebugImport::LogTxt, "console", "log_txt", &[I32, I32], &[]),
    (DebugImport::LogI32, "console", "log_i32", &[I32], &[]),
    (DebugImport::LogI64, "console", "log_i64", &[I64], &[]),
    (DebugImport::LogF32, "console", "log_f32", &[F32], &[]),
    (DebugImport::LogF64, "console", "log_f64", &[F64], &[]),
    (DebugImport::TeeI32, "console", "tee_i32", &[I32], &[I32]),
    (DebugImport::TeeI64, "console", "tee_i64", &[I64], &[I64]),
    (DebugImport::TeeF32, "console", "tee_f32", &[F32], &[F32]),
    (DebugImport::TeeF64, "console", "tee_f64", &[F64], &[F64]),
    (DebugImport::NullHost, "debug", "null_host", &[], &[]),
    (
        DebugImport::StartBenchmark,
        "debug",
        "start_benchmark",
        &[],
        &[],
    ),
    (
        DebugImport::EndBenchmark,
        "debug",
        "end_benchmark",
        &[],
        &[],
    ),
];

/// Looks up a `vm_hooks` hostio by import name.
pub fn find(name: &str) -> Option<&'static Hostio> {
    HOSTIOS.iter().find(|h| h.name == name)
}

/// Looks up a debug import by module and name: its parameter and result types.
pub fn find_debug(module: &str, name: &str) -> Option<(&'static [ValType], &'static [ValType])> {
    DEBUG_IMPORTS
        .iter()
        .find(|(_, m, n, _, _)| *m == module && *n == name)
        .map(|(_, _, _, p, r)| (*p, *r))
}

/// Which host function a suspended call is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostCall {
    /// A `vm_hooks` hostio.
    Vm(HostioId),
    /// A debug import.
    Debug(DebugImport),
}

/// A suspended host call: which function and its raw arguments (i32 zero-extended, floats as bits).
#[derive(Clone, Debug)]
pub struct HostReq {
    /// The function called.
    pub call: HostCall,
    /// Raw arguments.
    pub args: Vec<u64>,
}

impl std::fmt::Display for HostReq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "host call {:?}", self.call)
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
    for io in &HOSTIOS {
        let call = HostCall::Vm(io.id);
        let ty = FuncType::new(io.params.iter().copied(), io.results.iter().copied());
        // Names are unique, so defining cannot fail.
        let _ = linker.func_new("vm_hooks", io.name, ty, move |_c, params, _r| {
            Err(wasmi::Error::host(HostReq {
                call,
                args: params.iter().map(raw).collect(),
            }))
        });
    }
    if debug {
        for (id, m, n, p, r) in &DEBUG_IMPORTS {
            let call = HostCall::Debug(*id);
            let ty = FuncType::new(p.iter().copied(), r.iter().copied());
            let _ = linker.func_new(m, n, ty, move |_c, params, _r| {
                Err(wasmi::Error::host(HostReq {
                    call,
                    args: params.iter().map(raw).collect(),
                }))
            });
        }
    }
    linker
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_index_the_table() {
        for (i, id) in HostioId::ALL.iter().enumerate() {
            assert_eq!(*id as usize, i);
            assert_eq!(HOSTIOS[i].id, *id);
            assert_eq!(find(id.name()).map(|h| h.id), Some(*id));
        }
        for (i, (id, ..)) in DEBUG_IMPORTS.iter().enumerate() {
            assert_eq!(*id as usize, i);
        }
    }
}
