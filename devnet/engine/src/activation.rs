//! Program activation: Nitro's acceptance rules, the values it computes at activation, the
//! on-chain activation record, the data pricer and the memory model.
//!
//! Sources (OffchainLabs/nitro): `crates/prover/src/binary.rs` (`parse_with_version`: WASM
//! features and section rules; `WasmBinary::instrument`: init costs and asm estimate;
//! `WasmBinary::parse_user`: limits), `crates/prover/src/programs/mod.rs` (`Module::activate`:
//! activation gas), `crates/prover/src/wavm.rs` (operators without an implementation: float
//! arithmetic, comparisons and conversions), `crates/prover/src/machine.rs` (`from_binary`:
//! imports), `arbos/programs/memory.go` (memory model), `arbos/programs/data_pricer.go`.

use revm::primitives::{B256, U256};
use wasmparser::{
    ExternalKind, Operator, Parser, Payload, TypeRef, ValType, Validator, WasmFeatures,
};

use crate::chain::{
    ArbosVersion, ARBITRUM_START_TIME, COST_SCALAR_PERCENT, EXPIRY_DAYS, FREE_PAGES,
    MIN_CACHED_INIT_GAS, MIN_INIT_GAS, PAGE_GAS, PAGE_LIMIT,
};
use crate::hostio;
use crate::instrument;
use crate::shared::{float_binary_ops, float_conversion_ops, float_unary_ops};

/// Why activation failed. On chain the reason is not returned (Nitro burns all gas and returns no
/// data); the engine keeps it for [`check_program`] and the debug log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivationError(pub String);

impl std::fmt::Display for ActivationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ActivationError {}

fn err<T>(msg: impl Into<String>) -> Result<T, ActivationError> {
    Err(ActivationError(msg.into()))
}

/// Values measured on a validated, instrumented module.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ModuleStats {
    /// Local function count.
    pub funcs: u64,
    /// Σ (params + results) over local functions.
    pub type_len: u64,
    /// Decompressed WASM bytes.
    pub wasm_len: u64,
    /// Globals, the 4 instrumentation globals included.
    pub globals: u64,
    /// Bytes of data segment payloads (activation's data term).
    pub data_bytes: u64,
    /// Bytes of the data segments' encodings, headers included.
    pub data_segment_bytes: u64,
    /// Bytes of the element segments' encodings (Nitro prices elements by encoded size).
    pub elem_bytes: u64,
    /// Initial memory pages.
    pub footprint: u16,
    /// Operators in all function bodies after instrumentation.
    pub code_ops: u64,
}

impl ModuleStats {
    /// `init` (Stylus v2) = funcs·8.252 + type_len·1.059 + wasm_len·0.1286, each term truncated
    /// (`WasmBinary::instrument`).
    pub fn init_cost(&self) -> u64 {
        self.funcs * 8252 / 1000 + self.type_len * 1059 / 1000 + self.wasm_len * 1286 / 10_000
    }

    /// `cached_init` = funcs·0.1342 + type_len·0.00089 + wasm_len·0.00122 + globals·1.628
    /// + (data + element segment bytes)·0.75244 + footprint·5, each term truncated.
    pub fn cached_init_cost(&self) -> u64 {
        self.funcs * 13_420 / 100_000
            + self.type_len * 89 / 100_000
            + self.wasm_len * 122 / 100_000
            + self.globals * 1628 / 1000
            + (self.data_segment_bytes + self.elem_bytes) * 75_244 / 100_000
            + u64::from(self.footprint) * 5
    }

    /// `asm_estimate` (bytes) = 512000 + funcs·996.829 + type_len·11.416 + wasm_len·6.2628.
    pub fn asm_estimate(&self) -> u64 {
        512_000
            + self.funcs * 996_829 / 1000
            + self.type_len * 11_416 / 1000
            + self.wasm_len * 62_628 / 10_000
    }

    /// The parse-time gas of `Module::activate`, on top of the fixed costs: each term is a number
    /// of microseconds (wasm bytes·0.31733, functions·0.17263, data bytes·0.17376, element segment
    /// bytes·0.17376, initial pages·2217, instrumented ops·0.535, each truncated) times 28 gas
    /// (`us_to_gas`: 2 × 7,000,000 / 500,000).
    pub fn activation_compute_gas(&self) -> u64 {
        [
            self.wasm_len * 31_733 / 100_000,
            self.funcs * 17_263 / 100_000,
            self.data_bytes * 17_376 / 100_000,
            self.elem_bytes * 17_376 / 100_000,
            u64::from(self.footprint) * 2217,
            self.code_ops * 535 / 1000,
        ]
        .iter()
        .map(|us| us * 28)
        .sum()
    }
}

/// A module that passed activation.
#[derive(Clone, Debug)]
pub struct Activated {
    /// Measurements for the activation record and the price.
    pub stats: ModuleStats,
    /// The instrumented module the engine executes.
    pub instrumented: Vec<u8>,
}

/// The WASM features Nitro validates with (`parse_with_version`): reference types off, so
/// `call_indirect` must encode its table index as a single zero byte; multi-value before ArbOS 60.
fn features(arbos: ArbosVersion) -> WasmFeatures {
    let mut f = WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::FLOATS
        | WasmFeatures::GC_TYPES;
    if arbos.multi_value() {
        f |= WasmFeatures::MULTI_VALUE;
    }
    f
}

/// Whether an operator has no implementation in Nitro's WAVM for user programs: float
/// arithmetic, comparisons and conversions (`wavm.rs`, the `float!` operators). Float loads,
/// stores, constants and reinterpretations are accepted (and cost `u64::MAX` ink to execute).
fn float_without_impl(op: &Operator<'_>) -> bool {
    use Operator as O;
    matches!(
        op,
        O::F32Eq
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
            | float_binary_ops!()
            | float_unary_ops!()
            | float_conversion_ops!()
    )
}

/// Checks a decompressed module against every rule Nitro applies at activation for `arbos`,
/// instruments it and measures it. `page_limit` is the pages the program may start with (128
/// minus the pages the transaction has open).
///
/// # Errors
/// [`ActivationError`] naming the first rule broken.
pub fn check_program(
    wasm: &[u8],
    arbos: ArbosVersion,
    page_limit: u16,
    debug: bool,
) -> Result<Activated, ActivationError> {
    Validator::new_with_features(features(arbos))
        .validate_all(wasm)
        .map_err(|e| ActivationError(format!("failed to parse wasm: {}", e.message())))?;

    let mut stats = ModuleStats {
        wasm_len: wasm.len() as u64,
        ..Default::default()
    };
    let mut types: Vec<(Vec<ValType>, Vec<ValType>)> = Vec::new();
    let mut func_types: Vec<u32> = Vec::new(); // imported then local
    let mut imports: Vec<(String, String, u32)> = Vec::new();
    let mut memories: Vec<(u64, Option<u64>)> = Vec::new();
    let mut exports: Vec<(String, ExternalKind, u32)> = Vec::new();
    let mut globals = 0u64;
    let mut tables = 0u64;
    let mut data_segments = 0u32;
    let mut elem_segments = 0u32;
    let mut locals_per_func: Vec<u64> = Vec::new();
    let perr =
        |e: wasmparser::BinaryReaderError| ActivationError(format!("failed to parse wasm: {e}"));

    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(perr)? {
            Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    let t = t.map_err(perr)?;
                    types.push((t.params().to_vec(), t.results().to_vec()));
                }
            }
            Payload::ImportSection(r) => {
                for imp in r {
                    let imp = imp.map_err(perr)?;
                    let TypeRef::Func(ti) = imp.ty else {
                        return err(format!(
                            "unsupported import kind {}.{}",
                            imp.module, imp.name
                        ));
                    };
                    imports.push((imp.module.to_string(), imp.name.to_string(), ti));
                    func_types.push(ti);
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    let t = t.map_err(perr)?;
                    func_types.push(t);
                    stats.funcs += 1;
                    if let Some((p, r)) = types.get(t as usize) {
                        stats.type_len += (p.len() + r.len()) as u64;
                    }
                }
            }
            Payload::TableSection(r) => {
                for t in r {
                    tables = tables.saturating_add(t.map_err(perr)?.ty.initial);
                }
            }
            Payload::MemorySection(r) => {
                for m in r {
                    let m = m.map_err(perr)?;
                    memories.push((m.initial, m.maximum));
                }
            }
            Payload::GlobalSection(r) => globals += u64::from(r.count()),
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(perr)?;
                    exports.push((e.name.to_string(), e.kind, e.index));
                }
            }
            Payload::StartSection { .. } => return err("start functions not allowed"),
            Payload::ElementSection(r) => {
                for e in r {
                    let e = e.map_err(perr)?;
                    elem_segments += 1;
                    stats.elem_bytes += e.range.len() as u64;
                }
            }
            Payload::DataSection(r) => {
                for d in r {
                    let d = d.map_err(perr)?;
                    data_segments += 1;
                    stats.data_bytes += d.data.len() as u64;
                    stats.data_segment_bytes += d.range.len() as u64;
                }
            }
            Payload::CodeSectionEntry(body) => {
                let mut locals = 0u64;
                for l in body.get_locals_reader().map_err(perr)? {
                    locals += u64::from(l.map_err(perr)?.0);
                }
                locals_per_func.push(locals);
                let mut reader = body.get_operators_reader().map_err(perr)?;
                while !reader.eof() {
                    let op = reader.read().map_err(perr)?;
                    if float_without_impl(&op) {
                        return err(format!(
                            "No implementation for floating point operation {op:?}"
                        ));
                    }
                }
            }
            Payload::UnknownSection { id, .. } => {
                return err(format!("unsupported unknown section type {id}"))
            }
            _ => {}
        }
    }

    // Import and export names (`parse_with_version`).
    for (i, (m, n, t)) in imports.iter().enumerate() {
        if imports[..i]
            .iter()
            .any(|(m2, n2, t2)| m2 == m && n2 == n && t2 != t)
        {
            return err(format!("inconsistent imports for {m} {n}"));
        }
    }
    let export_tails: Vec<&str> = exports
        .iter()
        .filter_map(|(n, _, _)| n.rsplit("__").next())
        .collect();
    for (_, n, _) in &imports {
        if export_tails.contains(&n.as_str()) {
            return err(format!("binary exports an import with the same name {n}"));
        }
    }
    if let Some(n) = export_tails.iter().find(|n| n.starts_with("stylus")) {
        return err(format!("binary exports reserved symbol {n}"));
    }
    if let Some((_, n, _)) = imports.iter().find(|(_, n, _)| n.starts_with("stylus")) {
        return err(format!("binary imports reserved symbol {n}"));
    }

    // Instrumentation (`WasmBinary::instrument`), which may itself reject the module.
    let instrumented = instrument::instrument(wasm).map_err(ActivationError)?;
    stats.code_ops = instrumented.func_ops.iter().sum();
    stats.globals = globals + 4;
    let Some(&(initial, _)) = memories.first() else {
        return err("missing memory with export name \"memory\"");
    };
    stats.footprint = initial as u16;

    // The entry point (`check_func`).
    let Some((_, kind, idx)) = exports.iter().find(|(n, _, _)| n == "user_entrypoint") else {
        return err("missing export with name user_entrypoint");
    };
    if *kind != ExternalKind::Func {
        return err("export user_entrypoint must be a function");
    }
    let entry_ok = func_types
        .get(*idx as usize)
        .and_then(|t| types.get(*t as usize))
        .is_some_and(|(p, r)| *p == [ValType::I32] && *r == [ValType::I32]);
    if !entry_ok {
        return err("wrong type for user_entrypoint");
    }

    // `parse_user` limits.
    if initial > u64::from(page_limit) {
        return err(format!("memory exceeds limit: {initial} > {page_limit}"));
    }
    let limit = |limit: u64, count: u64, what: &str| -> Result<(), ActivationError> {
        if count > limit {
            return err(format!("too many wasm {what}: {count} > {limit}"));
        }
        Ok(())
    };
    limit(1, memories.len() as u64, "memories")?;
    limit(128, u64::from(data_segments), "datas")?;
    limit(128, u64::from(elem_segments), "elements")?;
    limit(1024, exports.len() as u64, "exports")?;
    limit(4096, stats.funcs, "functions")?;
    limit(32_768, stats.globals, "globals")?;
    for (locals, ops) in locals_per_func.iter().zip(&instrumented.func_ops) {
        limit(348, *locals, "locals")?;
        limit(65_536, *ops, "opcodes in func body")?;
    }
    limit(513, imports.len() as u64, "imports")?;
    limit(4096, tables, "table entries")?;
    limit(4096, stats.elem_bytes, "element entries")?;
    if let Some((n, _, _)) = exports.iter().find(|(n, _, _)| n.len() > 512) {
        return err(format!("wasm name too long: {} > 512", n.len()));
    }

    // The host functions (`Module::from_binary`: "No such import", signatures) and the memory
    // export the native runtime looks up.
    for (module, name, ti) in &imports {
        let (want_p, want_r): (Vec<ValType>, Vec<ValType>) = if module == "vm_hooks" {
            let Some(io) = hostio::find(name) else {
                return err(format!("No such import {name} in {module}"));
            };
            (
                io.params.iter().map(|t| conv(*t)).collect(),
                io.results.iter().map(|t| conv(*t)).collect(),
            )
        } else if (module == "console" || module == "debug") && debug {
            let Some((p, r)) = hostio::find_debug(module, name) else {
                return err(format!("No such import {name} in {module}"));
            };
            (
                p.iter().map(|t| conv(*t)).collect(),
                r.iter().map(|t| conv(*t)).collect(),
            )
        } else {
            return err(format!("No such import {name} in {module}"));
        };
        let Some((p, r)) = types.get(*ti as usize) else {
            return err("bad import type index");
        };
        if *p != want_p || *r != want_r {
            return err(format!(
                "Import {name} for {module} has a different function signature"
            ));
        }
    }
    if !exports
        .iter()
        .any(|(n, k, _)| n == "memory" && *k == ExternalKind::Memory)
    {
        return err("missing export with name memory");
    }
    if stats.init_cost() > u64::from(u16::MAX) {
        return err("init cost too high");
    }
    if stats.cached_init_cost() > u64::from(u16::MAX) {
        return err("cached cost too high");
    }
    Ok(Activated {
        stats,
        instrumented: instrumented.wasm,
    })
}

fn conv(t: wasmi::ValType) -> ValType {
    match t {
        wasmi::ValType::I32 => ValType::I32,
        wasmi::ValType::I64 => ValType::I64,
        wasmi::ValType::F32 => ValType::F32,
        wasmi::ValType::F64 => ValType::F64,
        _ => ValType::I32,
    }
}

/// The activation record ArbWasm keeps per code hash, packed into one storage slot of the ArbWasm
/// account (key = codehash). Layout, from the low bits: version u16, init_cost u16, cached_cost
/// u16, footprint u16, asm_estimate_kb u24, activated_at (hours since `ARBITRUM_START_TIME`) u24,
/// cached u8. (Nitro packs the same fields, in another order, into its own storage.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProgramInfo {
    /// Stylus version (2).
    pub version: u16,
    /// `init` cost units (gas = 8832 + this when uncached).
    pub init_cost: u16,
    /// `cached_init` cost units (gas = 352 + this).
    pub cached_cost: u16,
    /// Initial memory pages.
    pub footprint: u16,
    /// Estimated native size in KiB (rounded up).
    pub asm_estimate_kb: u32,
    /// Activation time, hours since `ARBITRUM_START_TIME`.
    pub activated_at: u32,
    /// Cached by ArbWasmCache.
    pub cached: bool,
}

impl ProgramInfo {
    /// Packs into a storage word.
    pub fn pack(&self) -> U256 {
        let v = u128::from(self.version)
            | (u128::from(self.init_cost) << 16)
            | (u128::from(self.cached_cost) << 32)
            | (u128::from(self.footprint) << 48)
            | (u128::from(self.asm_estimate_kb & 0xFF_FFFF) << 64)
            | (u128::from(self.activated_at & 0xFF_FFFF) << 88)
            | (u128::from(self.cached) << 112);
        U256::from(v)
    }

    /// Unpacks a storage word; `None` for an empty slot (never activated).
    pub fn unpack(word: U256) -> Option<Self> {
        if word.is_zero() {
            return None;
        }
        // Only the low 128 bits are used (no panic on foreign values).
        let limbs = word.as_limbs();
        let v = u128::from(limbs[0]) | (u128::from(limbs[1]) << 64);
        Some(Self {
            version: v as u16,
            init_cost: (v >> 16) as u16,
            cached_cost: (v >> 32) as u16,
            footprint: (v >> 48) as u16,
            asm_estimate_kb: ((v >> 64) & 0xFF_FFFF) as u32,
            activated_at: ((v >> 88) & 0xFF_FFFF) as u32,
            cached: (v >> 112) & 1 == 1,
        })
    }

    /// Age in seconds at unix time `now` (`hoursToAge`).
    pub fn age_seconds(&self, now: u64) -> u64 {
        let at = ARBITRUM_START_TIME.saturating_add(u64::from(self.activated_at) * 3600);
        now.saturating_sub(at)
    }

    /// True if older than `EXPIRY_DAYS` (365 days).
    pub fn expired(&self, now: u64) -> bool {
        self.age_seconds(now) > EXPIRY_DAYS * 86_400
    }

    /// Gas charged at program entry when not cached: `MinInitGas·128 + ⌈init·scalar/100⌉`
    /// (`Program.initGas`).
    pub fn init_gas(&self) -> u64 {
        MIN_INIT_GAS + (u64::from(self.init_cost) * COST_SCALAR_PERCENT).div_ceil(100)
    }

    /// Gas charged at every program entry: `MinCachedInitGas·32 + ⌈cached·scalar/100⌉`
    /// (`Program.cachedGas`).
    pub fn cached_gas(&self) -> u64 {
        MIN_CACHED_INIT_GAS + (u64::from(self.cached_cost) * COST_SCALAR_PERCENT).div_ceil(100)
    }
}

/// Hours since `ARBITRUM_START_TIME` at unix time `now` (`hoursSinceArbitrum`).
pub fn hours_since_start(now: u64) -> u32 {
    (now.saturating_sub(ARBITRUM_START_TIME) / 3600).min(0xFF_FFFF) as u32
}

/// Storage key (in the ArbWasm account) of the data pricer's demand.
pub fn pricer_demand_key() -> U256 {
    U256::from_be_bytes(revm::primitives::keccak256(b"devnet.arbwasm.datapricer.demand").0)
}

/// Storage key (in the ArbWasm account) of the data pricer's last update time.
pub fn pricer_time_key() -> U256 {
    U256::from_be_bytes(revm::primitives::keccak256(b"devnet.arbwasm.datapricer.time").0)
}

/// Storage key (in the ArbWasm account) of a program's module hash (Nitro's `moduleHashes`).
pub fn module_hash_key(codehash: B256) -> U256 {
    let mut buf = b"devnet.arbwasm.modulehash".to_vec();
    buf.extend_from_slice(codehash.as_slice());
    U256::from_be_bytes(revm::primitives::keccak256(buf).0)
}

/// Data pricer (`DataPricer.UpdateModel`): given the stored `demand` (u32) and `last_time`, the
/// current time and the program's asm estimate (bytes), returns `(new_demand, fee_wei)`.
pub fn data_fee(demand: u32, last_time: u64, now: u64, asm_estimate: u32) -> (u32, U256) {
    const MIN_PRICE: u64 = 82_928_201;
    const INERTIA: u64 = 21_360_419;
    // `InitialHourlyBytes / 3600` = (2^40 / (365·24)) / 3600.
    const BYTES_PER_SECOND: u32 = (((1u64 << 40) / 8760) / 3600) as u32;
    let passed = u32::try_from(now.saturating_sub(last_time)).unwrap_or(u32::MAX);
    let demand = demand
        .saturating_sub(BYTES_PER_SECOND.saturating_mul(passed))
        .saturating_add(asm_estimate);
    // `ApproxExpBasisPoints(exponent, 12)`: e^(demand/inertia) in basis points, Horner's method.
    let x = u128::from(demand) * 10_000 / u128::from(INERTIA);
    let b = 10_000u128;
    let mut res = b + x / 12;
    for i in (1..12u128).rev() {
        res = b + res.saturating_mul(x) / (i * b);
    }
    let per_byte = u128::from(MIN_PRICE).saturating_mul(res) / 10_000;
    let fee = U256::from(per_byte) * U256::from(asm_estimate);
    (demand, fee)
}

/// Nitro's `memoryExponents` table (129 entries; `arbos/programs/memory.go`).
const MEMORY_EXPONENTS: [u64; 129] = [
    1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 5, 6, 7, 8, 9, 11, 12, 14, 17, 19, 22, 25, 29, 33, 38,
    43, 50, 57, 65, 75, 85, 98, 112, 128, 147, 168, 193, 221, 253, 289, 331, 379, 434, 497, 569,
    651, 745, 853, 976, 1117, 1279, 1463, 1675, 1917, 2194, 2511, 2874, 3290, 3765, 4309, 4932,
    5645, 6461, 7395, 8464, 9687, 11087, 12689, 14523, 16621, 19024, 21773, 24919, 28521, 32642,
    37359, 42758, 48938, 56010, 64104, 73368, 83971, 96106, 109994, 125890, 144082, 164904, 188735,
    216010, 247226, 282953, 323844, 370643, 424206, 485509, 555672, 635973, 727880, 833067, 953456,
    1091243, 1248941, 1429429, 1636000, 1872423, 2143012, 2452704, 2807151, 3212820, 3677113,
    4208502, 4816684, 5512756, 6309419, 7221210, 8264766, 9459129, 10826093, 12390601, 14181199,
    16230562, 18576084, 21260563, 24332984, 27849408, 31873999,
];

fn exp_pages(pages: u32) -> u64 {
    MEMORY_EXPONENTS
        .get(pages as usize)
        .copied()
        .unwrap_or(u64::MAX)
}

/// Memory-model gas for opening `new` pages with `open` pages open and `ever` the transaction's
/// maximum (`MemoryModel.GasCost`). `u64::MAX` beyond 128 pages.
pub fn memory_gas(new: u32, open: u32, ever: u32) -> u64 {
    let new_open = open.saturating_add(new);
    let new_ever = ever.max(new_open);
    let free = u32::from(FREE_PAGES);
    if new_ever <= free {
        return 0;
    }
    let adding = new_open
        .saturating_sub(free)
        .saturating_sub(open.saturating_sub(free));
    let linear = u64::from(PAGE_GAS) * u64::from(adding);
    let top = exp_pages(new_ever);
    if top == u64::MAX {
        return u64::MAX;
    }
    linear.saturating_add(top - exp_pages(ever).min(top))
}

/// Module hash reported in `ProgramActivated`: keccak256(codehash ‖ version). Nitro's is the hash
/// of its prover module, which this engine cannot reproduce.
pub fn module_hash(codehash: B256, version: u16) -> B256 {
    let mut buf = codehash.0.to_vec();
    buf.extend_from_slice(&version.to_be_bytes());
    revm::primitives::keccak256(buf)
}

/// The page limit for activation when `open` pages are open in the transaction.
pub fn page_limit(open: u32) -> u16 {
    u16::try_from(u32::from(PAGE_LIMIT).saturating_sub(open)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_model_examples() {
        assert_eq!(memory_gas(1, 0, 0), 0);
        assert_eq!(memory_gas(17, 0, 0), 15_008);
        assert_eq!(memory_gas(17, 0, 17), 15_000);
        assert_eq!(memory_gas(200, 0, 0), u64::MAX);
        // Nitro's table, not a rounded one: exp(108) = 2,143,012 (the old copy had 2,143,011).
        assert_eq!(
            memory_gas(108, 0, 0) - memory_gas(107, 0, 0),
            1000 + 2_143_012 - 1_872_423
        );
    }

    #[test]
    fn info_roundtrip() {
        let i = ProgramInfo {
            version: 2,
            init_cost: 5854,
            cached_cost: 1877,
            footprint: 1,
            asm_estimate_kb: 845,
            activated_at: 90_000,
            cached: true,
        };
        assert_eq!(ProgramInfo::unpack(i.pack()), Some(i));
        assert_eq!(ProgramInfo::unpack(U256::ZERO), None);
        assert_eq!(i.init_gas(), 8832 + 5854);
        assert_eq!(i.cached_gas(), 352 + 1877);
    }

    #[test]
    fn data_fee_fresh_chain() {
        let (demand, fee) = data_fee(0, ARBITRUM_START_TIME, 1_750_000_000, 865_000);
        assert_eq!(demand, 865_000);
        // exponent 404 bips; Horner's 12-term series gives 10,412 bips (e^0.0404 ≈ 1.0412);
        // 82,928,201 · 10,412 / 10,000 = 86,344,842 wei per byte.
        assert_eq!(fee, U256::from(86_344_842u64) * U256::from(865_000u64));
    }
}
