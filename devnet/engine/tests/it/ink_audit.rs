//! The ink audit: every operator class of Nitro's price table and every hostio's base ink,
//! measured on the engine and compared with Nitro's value. The test regenerates the table in
//! `devnet/engine/README.md` (between the `ink-audit` markers) and fails if the README differs, so
//! the published table cannot drift:
//!
//! ```text
//! INK_AUDIT_UPDATE=1 cargo test -p devnet-engine --test it ink_audit   # rewrite the README table
//! ```
//!
//! Method: a program reads `evm_ink_left` twice around the code under test. Between the readings it
//! pays the block header (2,450), the `local.set` storing the first reading (210), the second
//! `call` (3,800) and the second hostio's base (8,400): 14,860 ink, checked first. The code under
//! test adds its operators' ink, 2,450 for every basic block it starts, the hostios' ink, and, for
//! `call`, the callee's blocks. Nitro's values: OffchainLabs/nitro
//! `crates/prover/src/programs/meter.rs` (`pricing_v1`, `FuncMeter::feed`),
//! `crates/prover/src/programs/dynamic.rs` (100 ink per byte copied or filled),
//! `crates/arbutil/src/pricing.rs` (hostio base ink, `read_price`, `write_price`, `keccak_price`,
//! `pow_price`) and `crates/wasm-libraries/user-host-trait/lib.rs` (what each hostio buys).

use std::fmt::Write;

use devnet_engine::{HOSTIOS, INK_HEADER};
use revm::context::result::{ExecutionResult, HaltReason};
use revm::primitives::{Address, TxKind, U256};

use crate::common::*;

const H: u64 = INK_HEADER;
/// Ink between the two readings with nothing in between.
const EMPTY: u64 = H + 210 + 3800 + 8400;
/// Ink per gas.
const GAS: u64 = 10_000;
/// `read_price(0)`, `write_price(0)`.
const READ0: u64 = 16_381;
const WRITE0: u64 = 5040;

fn wat_type(t: &wasmi::ValType) -> &'static str {
    match t {
        wasmi::ValType::I64 => "i64",
        wasmi::ValType::F32 => "f32",
        wasmi::ValType::F64 => "f64",
        _ => "i32",
    }
}

fn harness(body: &str) -> String {
    let imports: String = HOSTIOS
        .iter()
        .map(|h| {
            let p: Vec<&str> = h.params.iter().map(wat_type).collect();
            let r: Vec<&str> = h.results.iter().map(wat_type).collect();
            format!(
                "(import \"vm_hooks\" \"{0}\" (func ${0} (param {1}) (result {2})))\n",
                h.name,
                p.join(" "),
                r.join(" ")
            )
        })
        .collect();
    format!(
        r#"(module
{imports}
  (memory (export "memory") 1)
  (global $g (mut i32) (i32.const 0))
  (type $v (func))
  (type $p (func (param i32)))
  (table 2 funcref)
  (elem (i32.const 0) $noop $noop1)
  (func $noop)
  (func $noop1 (param i32))
  (func $ret return)
  (func (export "user_entrypoint") (param i32) (result i32)
    (local $a i64) (local $b i64) (local $x i32)
    call $evm_ink_left
    local.set $a
    {body}
    call $evm_ink_left
    local.set $b
    i32.const 0
    local.get $a
    local.get $b
    i64.sub
    i64.store
    i32.const 0
    i32.const 8
    call $write_result
    i32.const 0))"#
    )
}

/// Ink the engine charges for `body` (beyond the harness's own 14,860), or the outcome if the
/// program does not finish.
fn measure(c: &mut Chain, n: u64, body: &str) -> Result<u64, ExecutionResult> {
    let addr = Address::with_last_byte(0x70).create(n);
    let code = devnet_engine::compress(&wat::parse_str(harness(body)).unwrap());
    let hash = revm::primitives::keccak256(&code);
    c.set_code(addr, code);
    // Rows sharing a body share the code hash: activate once.
    if devnet_engine::Engine::program_info(&mut c.db, hash)
        .unwrap()
        .is_none()
    {
        assert!(c.activate(addr).is_success());
    }
    let r = c.tx(ALICE, TxKind::Call(addr), vec![], U256::ZERO, 5_000_000);
    match &r {
        ExecutionResult::Success { .. } => {
            let o = out(&r);
            let delta = u64::from_le_bytes(o[..8].try_into().unwrap());
            Ok(delta - EMPTY)
        }
        _ => Err(r),
    }
}

/// One row: Nitro's ink for the operator (or hostio base) under test, how often the body runs
/// it, and the rest of the body's ink by Nitro's rules.
struct Row {
    class: String,
    nitro: u64,
    count: u64,
    body: String,
    other: u64,
}

fn row(class: &str, nitro: u64, count: u64, body: &str, other: u64) -> Row {
    Row {
        class: class.to_string(),
        nitro,
        count,
        body: body.to_string(),
        other,
    }
}

/// A body running each `ops` entry once on fresh constants (`arity` of them, `ty`) and dropping the
/// result: the rest is `arity` constants (1 each) and a `drop` (9) per operator.
fn unary_binary(class: &str, nitro: u64, ty: &str, ops: &[(&str, u64)]) -> Row {
    let mut body = String::new();
    let mut other = 0;
    for (op, arity) in ops {
        for i in 0..*arity {
            write!(body, "{ty}.const {} ", 7 - i).unwrap();
        }
        write!(body, "{op} drop ").unwrap();
        other += arity + 9;
    }
    row(class, nitro, ops.len() as u64, &body, other)
}

/// Every operator of `ops` with two operands.
fn bin<'a>(ops: &[&'a str]) -> Vec<(&'a str, u64)> {
    ops.iter().map(|o| (*o, 2)).collect()
}

fn opcode_rows() -> Vec<Row> {
    let rep = |s: &str, n: usize| s.repeat(n);
    let i32cmp = [
        "i32.eq", "i32.ne", "i32.lt_s", "i32.lt_u", "i32.gt_s", "i32.gt_u", "i32.le_s", "i32.le_u",
        "i32.ge_s", "i32.ge_u",
    ];
    let i64cmp: Vec<String> = i32cmp.iter().map(|o| o.replace("i32", "i64")).collect();
    let mut i32c: Vec<(&str, u64)> = bin(&i32cmp);
    i32c.push(("i32.eqz", 1));
    let i64cmp_ref: Vec<&str> = i64cmp.iter().map(String::as_str).collect();
    let mut i64c: Vec<(&str, u64)> = bin(&i64cmp_ref);
    i64c.push(("i64.eqz", 1));
    let i32bits = [
        "i32.and",
        "i32.or",
        "i32.xor",
        "i32.shl",
        "i32.shr_s",
        "i32.shr_u",
        "i32.rotl",
        "i32.rotr",
    ];
    let i64bits_s: Vec<String> = i32bits.iter().map(|o| o.replace("i32", "i64")).collect();
    let i64bits: Vec<&str> = i64bits_s.iter().map(String::as_str).collect();
    let loads32 = [
        "i32.load",
        "i32.load8_s",
        "i32.load8_u",
        "i32.load16_s",
        "i32.load16_u",
    ];
    let loads64 = [
        "i64.load",
        "i64.load8_s",
        "i64.load8_u",
        "i64.load16_s",
        "i64.load16_u",
        "i64.load32_s",
        "i64.load32_u",
    ];
    let load_body = |ops: &[&str]| {
        ops.iter()
            .map(|o| format!("i32.const 0 {o} drop "))
            .collect::<String>()
    };
    let stores32 = ["i32.store", "i32.store8", "i32.store16"];
    let stores64 = ["i64.store", "i64.store8", "i64.store16", "i64.store32"];
    let store_body = |ty: &str, ops: &[&str]| {
        ops.iter()
            .map(|o| format!("i32.const 0 {ty}.const 0 {o} "))
            .collect::<String>()
    };
    vec![
        row("nop", 1, 8, &rep("nop ", 8), 0),
        row("drop", 9, 8, &rep("i64.const 0 drop ", 8), 8),
        row("i32.const", 1, 8, &rep("i32.const 0 drop ", 8), 8 * 9),
        row("i64.const", 1, 8, &rep("i64.const 0 drop ", 8), 8 * 9),
        row("block", 1, 4, &rep("block end ", 4), 4 * (1 + H)),
        row(
            "end (closes a block)",
            1,
            4,
            &rep("block end ", 4),
            4 * (1 + H),
        ),
        row("loop", 1, 4, &rep("loop end ", 4), 4 * (1 + 2 * H)),
        row("br", 765, 4, &rep("block br 0 end ", 4), 4 * (1 + H)),
        row(
            "br_if (not taken)",
            765,
            4,
            &rep("block i32.const 0 br_if 0 end ", 4),
            4 * (3 + 2 * H),
        ),
        row(
            "br_if (taken)",
            765,
            4,
            &rep("block i32.const 1 br_if 0 end ", 4),
            4 * (2 + H),
        ),
        row(
            "if",
            765,
            4,
            &rep("i32.const 1 if nop else nop end ", 4),
            4 * (3 + 2 * H),
        ),
        row(
            "else",
            1,
            4,
            &rep("i32.const 1 if nop else nop end ", 4),
            4 * (767 + 2 * H),
        ),
        row(
            "br_table, 1 target + default: 2,400 + 325 × 1",
            2725,
            2,
            &rep("block block i32.const 0 br_table 0 1 end end ", 2),
            2 * (4 + 2 * H),
        ),
        row(
            "br_table, 3 targets + default: 2,400 + 325 × 3",
            3375,
            2,
            &rep(
                "block block block block i32.const 0 br_table 0 1 2 3 end end end end ",
                2,
            ),
            2 * (5 + 3 * (H + 1) + H),
        ),
        row(
            "return (in a called function)",
            1,
            4,
            &rep("call $ret ", 4),
            4 * (3800 + 2 * H),
        ),
        row(
            "call (callee: one block, `end`)",
            3800,
            4,
            &rep("call $noop ", 4),
            4 * (1 + 2 * H),
        ),
        row(
            "call_indirect, 0 parameters: 13,610 + 650 × 0",
            13_610,
            4,
            &rep("i32.const 0 call_indirect (type $v) ", 4),
            4 * (2 + 2 * H),
        ),
        row(
            "call_indirect, 1 parameter: 13,610 + 650 × 1",
            14_260,
            4,
            &rep("i32.const 5 i32.const 1 call_indirect (type $p) ", 4),
            4 * (3 + 2 * H),
        ),
        row(
            "select",
            1250,
            4,
            &rep("i32.const 1 i32.const 2 i32.const 0 select drop ", 4),
            4 * (3 + 9),
        ),
        row("local.get", 75, 8, &rep("local.get $x drop ", 8), 8 * 9),
        row("local.set", 210, 8, &rep("i32.const 0 local.set $x ", 8), 8),
        row(
            "local.tee",
            75,
            8,
            &rep("i32.const 0 local.tee $x drop ", 8),
            8 * 10,
        ),
        row("global.get", 225, 8, &rep("global.get $g drop ", 8), 8 * 9),
        row(
            "global.set",
            575,
            8,
            &rep("i32.const 0 global.set $g ", 8),
            8,
        ),
        row(
            "i32.load, i32.load8_s/u, i32.load16_s/u",
            670,
            5,
            &load_body(&loads32),
            5 * 10,
        ),
        row(
            "i64.load, i64.load8/16/32_s/u",
            680,
            7,
            &load_body(&loads64),
            7 * 10,
        ),
        row(
            "i32.store, i32.store8/16",
            825,
            3,
            &store_body("i32", &stores32),
            3 * 2,
        ),
        row(
            "i64.store, i64.store8/16/32",
            950,
            4,
            &store_body("i64", &stores64),
            4 * 2,
        ),
        row("memory.size", 3000, 4, &rep("memory.size drop ", 4), 4 * 9),
        row(
            "memory.grow (0 pages; + pay_for_memory_grow's 8,400)",
            8050,
            2,
            &rep("i32.const 0 memory.grow drop ", 2),
            2 * (10 + 8400),
        ),
        unary_binary("i32 comparisons (eqz, eq … ge_u)", 170, "i32", &i32c),
        unary_binary("i64 comparisons (eqz, eq … ge_u)", 225, "i64", &i64c),
        unary_binary(
            "i32.clz, i32.ctz",
            210,
            "i32",
            &[("i32.clz", 1), ("i32.ctz", 1)],
        ),
        unary_binary(
            "i64.clz, i64.ctz",
            210,
            "i64",
            &[("i64.clz", 1), ("i64.ctz", 1)],
        ),
        unary_binary("i32.add, i32.sub", 70, "i32", &bin(&["i32.add", "i32.sub"])),
        unary_binary("i32.mul", 160, "i32", &bin(&["i32.mul"])),
        unary_binary(
            "i32.div_s/u, i32.rem_s/u",
            1120,
            "i32",
            &bin(&["i32.div_s", "i32.div_u", "i32.rem_s", "i32.rem_u"]),
        ),
        unary_binary("i32 bitwise, shifts, rotations", 70, "i32", &bin(&i32bits)),
        unary_binary(
            "i64.add, i64.sub",
            100,
            "i64",
            &bin(&["i64.add", "i64.sub"]),
        ),
        unary_binary("i64.mul", 160, "i64", &bin(&["i64.mul"])),
        unary_binary(
            "i64.div_s/u, i64.rem_s/u",
            1270,
            "i64",
            &bin(&["i64.div_s", "i64.div_u", "i64.rem_s", "i64.rem_u"]),
        ),
        unary_binary("i64 bitwise, shifts, rotations", 100, "i64", &bin(&i64bits)),
        unary_binary("i32.popcnt", 2650, "i32", &[("i32.popcnt", 1)]),
        unary_binary("i64.popcnt", 6000, "i64", &[("i64.popcnt", 1)]),
        unary_binary("i32.wrap_i64", 100, "i64", &[("i32.wrap_i64", 1)]),
        unary_binary(
            "i64.extend_i32_s/u",
            100,
            "i32",
            &[("i64.extend_i32_s", 1), ("i64.extend_i32_u", 1)],
        ),
        unary_binary(
            "i32.extend8_s, i32.extend16_s",
            100,
            "i32",
            &[("i32.extend8_s", 1), ("i32.extend16_s", 1)],
        ),
        unary_binary(
            "i64.extend8/16/32_s",
            100,
            "i64",
            &[
                ("i64.extend8_s", 1),
                ("i64.extend16_s", 1),
                ("i64.extend32_s", 1),
            ],
        ),
        row(
            "memory.copy (32 bytes; + 100 per byte)",
            950,
            1,
            "i32.const 0 i32.const 64 i32.const 32 memory.copy",
            3 + 3200,
        ),
        row(
            "memory.fill (32 bytes; + 100 per byte)",
            950,
            1,
            "i32.const 0 i32.const 1 i32.const 32 memory.fill",
            3 + 3200,
        ),
    ]
}

/// Hostio rows: the hostio's base ink; `other` is its arguments (1 ink per constant), the `call`
/// (3,800), the block after it (2,450), a `drop` of the result (9) and the hostio's own dynamic
/// charges (read/write prices, EVM gas × 10,000).
fn hostio_rows() -> Vec<Row> {
    let call = 3800 + H;
    let base = |name: &str| {
        HOSTIOS
            .iter()
            .find(|h| h.name == name)
            .map(|h| h.base_ink)
            .unwrap()
    };
    // (name, arguments, dynamic ink, returns a value)
    let cases: Vec<(&str, &str, u64, bool)> = vec![
        ("read_args", "i32.const 0", WRITE0, false),
        ("write_result", "i32.const 0 i32.const 0", 2 * READ0, false),
        (
            "storage_load_bytes32",
            "i32.const 0 i32.const 32",
            (2100 + 5) * GAS,
            false,
        ),
        (
            "storage_cache_bytes32",
            "i32.const 0 i32.const 32",
            0,
            false,
        ),
        ("storage_flush_cache", "i32.const 0", 0, false),
        (
            "transient_load_bytes32",
            "i32.const 0 i32.const 32",
            100 * GAS,
            false,
        ),
        (
            "transient_store_bytes32",
            "i32.const 0 i32.const 32",
            100 * GAS,
            false,
        ),
        (
            "call_contract",
            "i32.const 0 i32.const 64 i32.const 0 i32.const 128 i64.const -1 i32.const 192",
            2 * READ0 + 2600 * GAS,
            true,
        ),
        (
            "delegate_call_contract",
            "i32.const 0 i32.const 64 i32.const 0 i64.const -1 i32.const 192",
            2 * READ0 + 2600 * GAS,
            true,
        ),
        (
            "static_call_contract",
            "i32.const 0 i32.const 64 i32.const 0 i64.const -1 i32.const 192",
            2 * READ0 + 2600 * GAS,
            true,
        ),
        (
            "create1",
            "i32.const 64 i32.const 0 i32.const 128 i32.const 256 i32.const 288",
            2 * READ0 + 32_000 * GAS,
            false,
        ),
        (
            "create2",
            "i32.const 64 i32.const 0 i32.const 128 i32.const 160 i32.const 256 i32.const 288",
            2 * READ0 + 32_000 * GAS,
            false,
        ),
        (
            "read_return_data",
            "i32.const 0 i32.const 0 i32.const 32",
            WRITE0,
            true,
        ),
        ("return_data_size", "", 0, true),
        (
            "emit_log",
            "i32.const 0 i32.const 0 i32.const 0",
            READ0 + 375 * GAS,
            false,
        ),
        (
            "account_balance",
            "i32.const 0 i32.const 32",
            2600 * GAS,
            false,
        ),
        (
            "account_code",
            "i32.const 0 i32.const 0 i32.const 0 i32.const 64",
            3300 * GAS + WRITE0,
            true,
        ),
        ("account_code_size", "i32.const 0", 3300 * GAS, true),
        (
            "account_codehash",
            "i32.const 0 i32.const 32",
            2600 * GAS,
            false,
        ),
        ("evm_gas_left", "", 0, true),
        ("evm_ink_left", "", 0, true),
        ("block_basefee", "i32.const 0", 0, false),
        ("chainid", "", 0, true),
        ("block_coinbase", "i32.const 0", 0, false),
        ("block_gas_limit", "", 0, true),
        ("block_number", "", 0, true),
        ("block_timestamp", "", 0, true),
        ("contract_address", "i32.const 0", 0, false),
        ("math_div", "i32.const 0 i32.const 32", 0, false),
        ("math_mod", "i32.const 0 i32.const 32", 0, false),
        ("math_pow", "i32.const 0 i32.const 32", 3000 + 17_500, false),
        (
            "math_add_mod",
            "i32.const 0 i32.const 32 i32.const 64",
            0,
            false,
        ),
        (
            "math_mul_mod",
            "i32.const 0 i32.const 32 i32.const 64",
            0,
            false,
        ),
        ("msg_reentrant", "", 0, true),
        ("msg_sender", "i32.const 0", 0, false),
        ("msg_value", "i32.const 0", 0, false),
        (
            "native_keccak256",
            "i32.const 0 i32.const 0 i32.const 64",
            121_800,
            false,
        ),
        ("tx_gas_price", "i32.const 0", 0, false),
        ("tx_ink_price", "", 0, true),
        ("tx_origin", "i32.const 0", 0, false),
        // 0 pages: `PAY_FOR_MEMORY_GROW_BASE_INK` (8,400); more pages: the memory model instead.
        ("pay_for_memory_grow", "i32.const 0", 8400, false),
    ];
    cases
        .into_iter()
        .map(|(name, args, dynamic, result)| {
            let n_args = args
                .split_whitespace()
                .filter(|w| w.ends_with(".const"))
                .count() as u64;
            let body = format!("{args} call ${name}{}", if result { " drop" } else { "" });
            row(
                name,
                base(name),
                1,
                &body,
                n_args + call + if result { 9 } else { 0 } + dynamic,
            )
        })
        .collect()
}

fn table(c: &mut Chain, rows: &[Row], first: u64, header: &str) -> String {
    let mut md = format!("| {header} | Nitro (ink) | engine (ink, measured) |\n|---|---:|---:|\n");
    for (i, r) in rows.iter().enumerate() {
        let got = measure(c, first + i as u64, &r.body)
            .unwrap_or_else(|e| panic!("{}: the program did not finish: {e:?}", r.class));
        let engine = got.checked_sub(r.other).map(|x| x / r.count);
        assert_eq!(
            got,
            r.nitro * r.count + r.other,
            "{}: engine {engine:?} ink, Nitro {} ink (body `{}`)",
            r.class,
            r.nitro,
            r.body
        );
        let engine = engine.unwrap_or_default();
        writeln!(md, "| {} | {} | {} |", r.class, fmt(r.nitro), fmt(engine)).unwrap();
    }
    md
}

fn fmt(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[test]
fn ink_audit() {
    let mut c = Chain::new();
    // The harness alone costs exactly its four ops, one header and one hostio base.
    assert_eq!(measure(&mut c, 0, "").unwrap(), 0);
    let ops = table(&mut c, &opcode_rows(), 1, "operator class");
    let hostios = table(&mut c, &hostio_rows(), 1000, "hostio (base ink)");
    // Float operators Nitro accepts cost u64::MAX: the block that holds one runs out of ink.
    for (i, body) in [
        "f32.const 1 drop",
        "f64.const 1 drop",
        "i32.const 0 f32.load drop",
        "i32.const 0 f64.const 0 f64.store",
        "i64.const 1 f64.reinterpret_i64 drop",
    ]
    .iter()
    .enumerate()
    {
        let r = measure(&mut c, 2000 + i as u64, body).expect_err(body);
        assert!(
            matches!(
                r,
                ExecutionResult::Halt {
                    reason: HaltReason::OutOfGas(_),
                    ..
                }
            ),
            "{body}: {r:?}"
        );
    }
    let section = format!(
        "<!-- ink-audit:begin (generated by `INK_AUDIT_UPDATE=1 cargo test -p devnet-engine --test it ink_audit`; do not edit) -->\n\n\
Every basic block also pays a {} ink header (`meter.rs`). Not measurable from inside a program: \
`unreachable` (1 ink; it traps), `exit_early` (0; it ends the program). Float constants, loads, stores \
and reinterpretations cost `u64::MAX` (measured: the block runs out of ink); other float operators are \
rejected at activation.\n\n{ops}\n{hostios}\n<!-- ink-audit:end -->",
        fmt(H)
    );
    let readme_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let (Some(a), Some(b)) = (
        readme.find("<!-- ink-audit:begin"),
        readme.find("<!-- ink-audit:end -->"),
    ) else {
        panic!("README.md has no ink-audit markers");
    };
    let current = &readme[a..b + "<!-- ink-audit:end -->".len()];
    if std::env::var("INK_AUDIT_UPDATE").as_deref() == Ok("1") {
        let updated = readme.replace(current, &section);
        std::fs::write(&readme_path, updated).unwrap();
    } else {
        assert!(
            current == section,
            "devnet/engine/README.md's ink audit is stale: run INK_AUDIT_UPDATE=1 cargo test -p devnet-engine --test it ink_audit"
        );
    }
}
