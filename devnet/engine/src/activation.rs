//! Program activation: module validation, the values Nitro computes at activation, the on-chain
//! activation record, the data pricer and the memory model (stylus-runtime.md §2.2, §4.1, §6.6, §6.7).

use revm::primitives::{B256, U256};
use wasmparser::{
    ExternalKind, Operator, Parser, Payload, TypeRef, ValType, Validator, WasmFeatures,
};

use crate::hostio;

/// Seconds since the Unix epoch of Nitro's activation-time origin (2015-01-16 00:00 UTC); activation
/// times are stored as hours since then.
pub const ARBITRUM_START_TIME: u64 = 1_421_366_400;
/// Programs expire this many days after activation (`ExpiryDays`).
pub const EXPIRY_DAYS: u64 = 365;
/// `codehashKeepalive` is refused before this many days (`KeepaliveDays`).
pub const KEEPALIVE_DAYS: u64 = 31;
/// Fixed activation gas (stylus-runtime.md §6.7).
pub const ACTIVATION_FIXED_GAS: u64 = 1_659_168;
/// `MinInitGas` × 128 (gas).
pub const MIN_INIT_GAS: u64 = 8832;
/// `MinCachedInitGas` × 32 (gas).
pub const MIN_CACHED_INIT_GAS: u64 = 352;
/// Free pages per transaction (`FreePages`).
pub const FREE_PAGES: u16 = 2;
/// Gas per page above the free ones (`PageGas`).
pub const PAGE_GAS: u16 = 1000;
/// Page limit (`PageLimit`; 128 pages = 8 MiB).
pub const PAGE_LIMIT: u16 = 128;
/// `PageRamp` constant reported by ArbWasm.
pub const PAGE_RAMP: u64 = 620_674_314;

/// Why activation failed (rendered as "program activation failed: …").
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

/// Values measured on a validated module (stylus-runtime.md §6.7).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ModuleStats {
    /// Local function count.
    pub funcs: u64,
    /// Σ (params + results) over local functions.
    pub type_len: u64,
    /// Decompressed WASM bytes.
    pub wasm_len: u64,
    /// Globals + 4 (instrumentation globals).
    pub globals: u64,
    /// Bytes of data segments.
    pub data_len: u64,
    /// Element segment entries.
    pub elem_len: u64,
    /// Initial memory pages.
    pub footprint: u16,
    /// Operators in all function bodies.
    pub operators: u64,
}

impl ModuleStats {
    /// `init` (Stylus v2) = funcs·8.252 + type_len·1.059 + wasm_len·0.1286, each term truncated.
    pub fn init_cost(&self) -> u64 {
        self.funcs * 8252 / 1000 + self.type_len * 1059 / 1000 + self.wasm_len * 1286 / 10000
    }

    /// `cached_init` = funcs·0.1342 + type_len·0.00089 + wasm_len·0.00122 + globals·1.628
    /// + data_len·0.75244 + footprint·5, each term truncated.
    pub fn cached_init_cost(&self) -> u64 {
        self.funcs * 1342 / 10000
            + self.type_len * 89 / 100_000
            + self.wasm_len * 122 / 100_000
            + self.globals * 1628 / 1000
            + self.data_len * 75244 / 100_000
            + u64::from(self.footprint) * 5
    }

    /// `asm_estimate` (bytes) = 512000 + funcs·996.829 + type_len·11.416 + wasm_len·6.2628.
    pub fn asm_estimate(&self) -> u64 {
        512_000
            + self.funcs * 996_829 / 1000
            + self.type_len * 11_416 / 1000
            + self.wasm_len * 62_628 / 10_000
    }

    /// Activation compute gas on top of `ACTIVATION_FIXED_GAS` (1,659,168): parse-time µs × 28 gas.
    pub fn activation_compute_gas(&self) -> u64 {
        let us = self.wasm_len * 31_733 / 100_000
            + self.funcs * 17_263 / 100_000
            + self.data_len * 17_376 / 100_000
            + self.elem_len * 17_376 / 100_000
            + u64::from(self.footprint) * 2217
            + self.operators * 535 / 1000;
        us * 28
    }
}

/// Validates a decompressed module the way Nitro's activation does (stylus-runtime.md §2.2) and
/// measures it.
///
/// # Errors
/// [`ActivationError`] naming the first rule broken.
pub fn validate(wasm: &[u8], debug: bool) -> Result<ModuleStats, ActivationError> {
    let features = WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::FLOATS
        | WasmFeatures::GC_TYPES
        // Accepted only for parsing: rustc ≥ 1.82 encodes `call_indirect`'s table index as a
        // multi-byte LEB, which cargo-stylus's wat round trip normalises. Actual reference-type
        // usage (ref values, table ops, other tables) is rejected below, as on Nitro.
        | WasmFeatures::REFERENCE_TYPES;
    Validator::new_with_features(features)
        .validate_all(wasm)
        .map_err(|e| ActivationError(format!("failed to parse wasm: {}", e.message())))?;

    let mut stats = ModuleStats {
        wasm_len: wasm.len() as u64,
        ..Default::default()
    };
    let mut types: Vec<(Vec<ValType>, Vec<ValType>)> = Vec::new();
    let mut func_types: Vec<u32> = Vec::new(); // imported then local
    let mut imported_funcs = 0u32;
    let mut imports_pay_for_memory = false;
    let mut import_names: Vec<String> = Vec::new();
    let mut memories: Vec<(u64, Option<u64>)> = Vec::new();
    let mut exports: Vec<(String, ExternalKind, u32)> = Vec::new();
    let mut imports_count = 0usize;
    let mut globals = 0u64;

    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| ActivationError(format!("failed to parse wasm: {e}")))?;
        match payload {
            Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    let t = t.map_err(|e| ActivationError(e.to_string()))?;
                    if t.params()
                        .iter()
                        .chain(t.results())
                        .any(|v| matches!(v, ValType::Ref(_)))
                    {
                        return err("reference types are not supported");
                    }
                    types.push((t.params().to_vec(), t.results().to_vec()));
                }
            }
            Payload::ImportSection(r) => {
                for imp in r {
                    let imp = imp.map_err(|e| ActivationError(e.to_string()))?;
                    imports_count += 1;
                    let TypeRef::Func(ti) = imp.ty else {
                        return err(format!(
                            "only function imports are allowed: {}.{}",
                            imp.module, imp.name
                        ));
                    };
                    if imp.module.starts_with("stylus") || imp.name.starts_with("stylus") {
                        return err(format!("import name {} is reserved", imp.name));
                    }
                    let Some((params, results)) = types.get(ti as usize) else {
                        return err("bad import type index");
                    };
                    let (want_p, want_r): (Vec<ValType>, Vec<ValType>) = if imp.module == "vm_hooks"
                    {
                        let Some((_, io)) = hostio::find(imp.name) else {
                            return err(format!("No such import {}.{}", imp.module, imp.name));
                        };
                        (
                            io.params.iter().map(|t| conv(*t)).collect(),
                            io.results.iter().map(|t| conv(*t)).collect(),
                        )
                    } else if (imp.module == "console" || imp.module == "debug") && debug {
                        let Some((p, r)) = hostio::find_debug(imp.module, imp.name) else {
                            return err(format!("No such import {}.{}", imp.module, imp.name));
                        };
                        (
                            p.iter().map(|t| conv(*t)).collect(),
                            r.iter().map(|t| conv(*t)).collect(),
                        )
                    } else if imp.module == "console" || imp.module == "debug" {
                        return err(format!(
                            "Host func {}.{} not enabled (debug imports are off)",
                            imp.module, imp.name
                        ));
                    } else {
                        return err(format!("No such import {}.{}", imp.module, imp.name));
                    };
                    if *params != want_p || *results != want_r {
                        return err(format!(
                            "Import {}.{} has a different function signature",
                            imp.module, imp.name
                        ));
                    }
                    if imp.module == "vm_hooks" && imp.name == "pay_for_memory_grow" {
                        imports_pay_for_memory = true;
                    }
                    import_names.push(imp.name.to_string());
                    func_types.push(ti);
                    imported_funcs += 1;
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    let t = t.map_err(|e| ActivationError(e.to_string()))?;
                    func_types.push(t);
                    stats.funcs += 1;
                    if let Some((p, r)) = types.get(t as usize) {
                        stats.type_len += (p.len() + r.len()) as u64;
                    }
                }
            }
            Payload::TableSection(r) => {
                let mut total = 0u64;
                if r.count() > 1 {
                    return err("only one table is supported");
                }
                for t in r {
                    let t = t.map_err(|e| ActivationError(e.to_string()))?;
                    total += t.ty.initial;
                }
                if total > 4096 {
                    return err("too many table entries");
                }
            }
            Payload::MemorySection(r) => {
                for m in r {
                    let m = m.map_err(|e| ActivationError(e.to_string()))?;
                    memories.push((m.initial, m.maximum));
                }
            }
            Payload::GlobalSection(r) => {
                globals += u64::from(r.count());
                for g in r {
                    let g = g.map_err(|e| ActivationError(e.to_string()))?;
                    if matches!(g.ty.content_type, ValType::Ref(_)) {
                        return err("reference types are not supported");
                    }
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(|e| ActivationError(e.to_string()))?;
                    if e.name.starts_with("stylus") {
                        return err(format!("export name {} is reserved", e.name));
                    }
                    if e.name.len() > 512 {
                        return err("export name too long");
                    }
                    exports.push((e.name.to_string(), e.kind, e.index));
                }
            }
            Payload::StartSection { .. } => return err("wasm start functions not allowed"),
            Payload::ElementSection(r) => {
                if r.count() > 128 {
                    return err("too many element segments");
                }
                for e in r {
                    let e = e.map_err(|e| ActivationError(e.to_string()))?;
                    let n = match e.items {
                        wasmparser::ElementItems::Functions(f) => f.count(),
                        wasmparser::ElementItems::Expressions(_, x) => x.count(),
                    };
                    stats.elem_len += u64::from(n);
                }
                if stats.elem_len > 4096 {
                    return err("too many element entries");
                }
            }
            Payload::DataSection(r) => {
                if r.count() > 128 {
                    return err("too many data segments");
                }
                for d in r {
                    let d = d.map_err(|e| ActivationError(e.to_string()))?;
                    stats.data_len += d.data.len() as u64;
                }
            }
            Payload::CodeSectionEntry(body) => {
                let mut locals = 0u64;
                let lr = body
                    .get_locals_reader()
                    .map_err(|e| ActivationError(e.to_string()))?;
                for l in lr {
                    let (n, ty) = l.map_err(|e| ActivationError(e.to_string()))?;
                    if matches!(ty, ValType::Ref(_)) {
                        return err("reference types are not supported");
                    }
                    locals += u64::from(n);
                }
                if locals > 348 {
                    return err("too many locals");
                }
                let mut ops = 0u64;
                let mut reader = body
                    .get_operators_reader()
                    .map_err(|e| ActivationError(e.to_string()))?;
                while !reader.eof() {
                    let op = reader.read().map_err(|e| ActivationError(e.to_string()))?;
                    check_operator(&op)?;
                    ops += 1;
                }
                if ops > 65_536 {
                    return err("too many operators in a function");
                }
                stats.operators += ops;
            }
            _ => {}
        }
    }

    if imports_count > 513 {
        return err("too many imports");
    }
    if stats.funcs > 4096 {
        return err("too many functions");
    }
    if globals > 32_768 {
        return err("too many globals");
    }
    if exports.len() > 1024 {
        return err("too many exports");
    }
    stats.globals = globals + 4;
    // Exactly one memory, exported as "memory".
    if memories.len() != 1 {
        return err(format!(
            "module must have exactly 1 memory, found {}",
            memories.len()
        ));
    }
    let (initial, maximum) = memories[0];
    if !exports
        .iter()
        .any(|(n, k, _)| n == "memory" && *k == ExternalKind::Memory)
    {
        return err("missing export memory");
    }
    if initial > u64::from(PAGE_LIMIT) {
        return err(format!(
            "memory exceeds limit: {initial} pages > {PAGE_LIMIT}"
        ));
    }
    if maximum != Some(initial) && !imports_pay_for_memory {
        return err("missing import pay_for_memory_grow");
    }
    stats.footprint = initial as u16;
    // user_entrypoint: (i32) -> i32.
    let Some((_, _, idx)) = exports
        .iter()
        .find(|(n, k, _)| n == "user_entrypoint" && *k == ExternalKind::Func)
    else {
        return err("missing export user_entrypoint");
    };
    let ok = func_types
        .get(*idx as usize)
        .and_then(|t| types.get(*t as usize))
        .is_some_and(|(p, r)| *p == [ValType::I32] && *r == [ValType::I32]);
    if !ok {
        return err("user_entrypoint must have type (i32) -> i32");
    }
    for (name, _, _) in &exports {
        if import_names.iter().any(|i| i == name) {
            return err(format!("export {name} shadows an import"));
        }
    }
    if stats.init_cost() > u64::from(u16::MAX) || stats.cached_init_cost() > u64::from(u16::MAX) {
        return err("init cost too high");
    }
    let _ = imported_funcs;
    Ok(stats)
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

/// Rejects operators Stylus does not support: floats, table ops, `memory.init`, `data.drop`,
/// `elem.drop` (stylus-runtime.md §2.2).
fn check_operator(op: &Operator<'_>) -> Result<(), ActivationError> {
    match op {
        Operator::MemoryInit { .. }
        | Operator::DataDrop { .. }
        | Operator::ElemDrop { .. }
        | Operator::TableInit { .. }
        | Operator::TableCopy { .. }
        | Operator::TableGet { .. }
        | Operator::TableSet { .. }
        | Operator::TableGrow { .. }
        | Operator::TableSize { .. }
        | Operator::TableFill { .. }
        | Operator::RefNull { .. }
        | Operator::RefIsNull
        | Operator::RefFunc { .. }
        | Operator::TypedSelect { .. } => {
            return err(format!("opcode not supported: {op:?}"));
        }
        Operator::CallIndirect { table_index, .. } if *table_index != 0 => {
            return err("opcode not supported: call_indirect on a table other than 0");
        }
        _ => {}
    }
    let name = format!("{op:?}");
    if name.starts_with("F32")
        || name.starts_with("F64")
        || name.contains("F32")
        || name.contains("F64")
    {
        return err("No implementation for floating point operation");
    }
    Ok(())
}

/// The activation record ArbWasm keeps per code hash, packed into one storage slot of the ArbWasm
/// account (key = codehash). Layout, from the low bits: version u16, init_cost u16, cached_cost
/// u16, footprint u16, asm_estimate_kb u24, activated_at (hours since 2015-01-16) u24, cached u8.
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
    /// Activation time, hours since 2015-01-16.
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

    /// Age in seconds at unix time `now`.
    pub fn age_seconds(&self, now: u64) -> u64 {
        let at = ARBITRUM_START_TIME + u64::from(self.activated_at) * 3600;
        now.saturating_sub(at)
    }

    /// True if older than `EXPIRY_DAYS` (365 days).
    pub fn expired(&self, now: u64) -> bool {
        self.age_seconds(now) > EXPIRY_DAYS * 86_400
    }

    /// Gas charged at program entry when not cached: `8832 + init` (stylus-runtime.md §6.7).
    pub fn init_gas(&self) -> u64 {
        MIN_INIT_GAS + u64::from(self.init_cost)
    }

    /// Gas charged at every program entry: `352 + cached_init`.
    pub fn cached_gas(&self) -> u64 {
        MIN_CACHED_INIT_GAS + u64::from(self.cached_cost)
    }
}

/// Hours since 2015-01-16 at unix time `now`.
pub fn hours_since_start(now: u64) -> u32 {
    (now.saturating_sub(ARBITRUM_START_TIME) / 3600) as u32
}

/// Storage key (in the ArbWasm account) of the data pricer's demand.
pub fn pricer_demand_key() -> U256 {
    U256::from_be_bytes(revm::primitives::keccak256(b"devnet.arbwasm.datapricer.demand").0)
}

/// Storage key (in the ArbWasm account) of the data pricer's last update time.
pub fn pricer_time_key() -> U256 {
    U256::from_be_bytes(revm::primitives::keccak256(b"devnet.arbwasm.datapricer.time").0)
}

/// Data pricer (stylus-runtime.md §6.7): given the stored `(demand, last_time)`, the current time
/// and the program's asm estimate (bytes), returns `(new_demand, fee_wei)`.
pub fn data_fee(demand: u64, last_time: u64, now: u64, asm_estimate: u64) -> (u64, U256) {
    const MIN_PRICE: u64 = 82_928_201;
    const INERTIA: u64 = 21_360_419;
    const BYTES_PER_SECOND: u64 = ((1u64 << 40) / 8760) / 3600;
    let elapsed = now.saturating_sub(last_time);
    let demand = demand
        .saturating_sub(BYTES_PER_SECOND.saturating_mul(elapsed))
        .saturating_add(asm_estimate);
    // e^(demand/inertia) in basis points, 12-term Horner series.
    let x_bips = u128::from(demand) * 10_000 / u128::from(INERTIA);
    let one = 10_000u128;
    let mut res = one;
    for i in (1..=12u128).rev() {
        res = one + res * x_bips / (i * one);
    }
    let cost_per_byte = U256::from(MIN_PRICE) * U256::from(res) / U256::from(10_000u64);
    (demand, cost_per_byte * U256::from(asm_estimate))
}

/// Nitro's `memoryExponents` table (129 entries; stylus-runtime.md §6.6).
const MEMORY_EXPONENTS: [u64; 129] = [
    1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 5, 6, 7, 8, 9, 11, 12, 14, 17, 19, 22, 25, 29, 33, 38,
    43, 50, 57, 65, 75, 85, 98, 112, 128, 147, 168, 193, 221, 253, 289, 331, 379, 434, 497, 569,
    651, 745, 853, 976, 1117, 1279, 1463, 1675, 1917, 2194, 2511, 2874, 3290, 3765, 4309, 4932,
    5645, 6461, 7395, 8464, 9687, 11087, 12689, 14523, 16621, 19024, 21773, 24919, 28521, 32642,
    37359, 42758, 48938, 56010, 64104, 73368, 83971, 96106, 109994, 125890, 144082, 164904, 188735,
    216010, 247226, 282953, 323844, 370643, 424206, 485509, 555672, 635973, 727880, 833067, 953456,
    1091243, 1248941, 1429429, 1636000, 1872423, 2143011, 2452704, 2807151, 3212819, 3677113,
    4208502, 4816684, 5512756, 6309419, 7221210, 8264766, 9459129, 10826093, 12390601, 14181199,
    16230562, 18576084, 21260563, 24332983, 27849407, 31873999,
];

fn exp_pages(pages: u32) -> u64 {
    MEMORY_EXPONENTS
        .get(pages as usize)
        .copied()
        .unwrap_or(u64::MAX)
}

/// Memory-model gas for opening `new` pages with `open` pages open and `ever` the transaction's
/// maximum (stylus-runtime.md §6.6). Saturates at `u64::MAX` beyond 128 pages.
pub fn memory_gas(new: u32, open: u32, ever: u32) -> u64 {
    let new_open = open.saturating_add(new);
    let new_ever = ever.max(new_open);
    let free = u32::from(FREE_PAGES);
    if new_ever <= free {
        return 0;
    }
    let linear = u64::from(PAGE_GAS)
        * u64::from(
            new_open
                .saturating_sub(free)
                .saturating_sub(open.saturating_sub(free)),
        );
    let expo = exp_pages(new_ever).saturating_sub(exp_pages(ever));
    if exp_pages(new_ever) == u64::MAX {
        return u64::MAX;
    }
    linear.saturating_add(expo)
}

/// Module hash reported in `ProgramActivated` (see DEVIATIONS): keccak256(codehash ‖ version).
pub fn module_hash(codehash: B256, version: u16) -> B256 {
    let mut buf = codehash.0.to_vec();
    buf.extend_from_slice(&version.to_be_bytes());
    revm::primitives::keccak256(buf)
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
    }

    #[test]
    fn init_formulas_match_doc_example() {
        // stylus-runtime.md §6.9, 1-page build (+47 bytes project_hash).
        let s = ModuleStats {
            funcs: 140,
            type_len: 376,
            wasm_len: 33_398 + 47,
            globals: 7,
            data_len: 2356,
            elem_len: 0,
            footprint: 1,
            operators: 0,
        };
        assert_eq!(s.init_cost(), 5854);
        let c = s.cached_init_cost();
        assert!(c.abs_diff(1877) < 60, "{c}");
    }

    #[test]
    fn data_fee_fresh_chain() {
        let (_, fee) = data_fee(0, 0, 0, 865_000);
        // ≈ 7.5e13 wei (stylus-runtime.md §6.7).
        let fee: u128 = fee.to::<u128>();
        assert!(
            (70_000_000_000_000..80_000_000_000_000).contains(&fee),
            "{fee}"
        );
    }
}
