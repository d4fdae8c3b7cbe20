//! Conformance suite: the engine against Nitro's rules, one assertion per rule, with expected
//! values derived by hand from Nitro's source (OffchainLabs/nitro at commit 6dce8d13, 2026-04-23;
//! the file and function of each rule are cited next to it).
//!
//! * activation accepts and rejects what Nitro does, for every rule of `binary.rs`
//!   (`parse_with_version`, `parse_user`), the middlewares (`programs/{meter,dynamic,depth,heap,
//!   start}.rs`) and `wavm.rs`, at ArbOS 51 and 61;
//! * how activation fails on chain (`precompiles/precompile.go`, `Precompile.Call`;
//!   `arbos/programs/programs.go`, `getWasmFromContractCode`);
//! * the StylusDeployer's CREATE2 addresses and ABI (nitro-contracts `src/stylus/StylusDeployer.sol`);
//! * the depth budget at the exact recursion depth where it runs out (`programs/depth.rs`);
//! * activation gas and the data fee from Nitro's formulas (`programs/mod.rs`, `Module::activate`;
//!   `precompiles/ArbWasm.go`; `arbos/programs/data_pricer.go`);
//! * the recent-program cache (`programs.go`, `CallProgram`; go-ethereum
//!   `core/state/statedb_arbitrum.go`, `RecentWasms`).

use alloy_sol_types::{sol, SolCall, SolError};
use devnet_engine::{
    check_program, ArbosVersion, RecentPrograms, ARB_OWNER_PUBLIC, ARB_WASM, ARB_WASM_CACHE,
    STYLUS_DEPLOYER,
};
use revm::context::result::{ExecutionResult, HaltReason};
use revm::primitives::{address, keccak256, Address, Bytes, TxKind, B256, U256};

use crate::activation::assert_activation_halts;
use crate::common::*;

const P: Address = address!("0000000000000000000000000000000000001000");
const Q: Address = address!("0000000000000000000000000000000000002000");
const CALLER: Address = address!("0000000000000000000000000000000000003000");

/// `pay_for_memory_grow` import, a growable 1-page memory, and the entry point.
fn module(body: &str, extra: &str) -> String {
    module_with_imports("", body, extra)
}

/// [`module`] with more imports.
fn module_with_imports(imports: &str, body: &str, extra: &str) -> String {
    format!(
        r#"(module
  (import "vm_hooks" "pay_for_memory_grow" (func (param i32)))
  {imports}
  (memory (export "memory") 1)
  {extra}
  (func (export "user_entrypoint") (param i32) (result i32) {body} (i32.const 0)))"#
    )
}

/// What Nitro does with a module at activation.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Accept,
    /// Rejected with a reason containing this text.
    Reject(&'static str),
}
use Expect::{Accept, Reject};

/// Runs `wasm` through activation on a chain of each version and through [`check_program`].
fn expect_wasm(name: &str, wasm: &[u8], at51: Expect, at61: Expect) {
    for (arbos, want) in [(ArbosVersion::V51, at51), (ArbosVersion::V61, at61)] {
        let got = check_program(wasm, arbos, 128, false).map(|_| ());
        match (want, &got) {
            (Accept, Ok(())) => {}
            (Reject(needle), Err(e)) if e.0.contains(needle) => {}
            _ => panic!("{name} at ArbOS {arbos}: expected {want:?}, got {got:?}"),
        }
        let mut c = Chain::with_arbos(arbos);
        c.set_code(P, devnet_engine::compress(wasm));
        let r = c.activate(P);
        match want {
            Accept => assert!(r.is_success(), "{name} at ArbOS {arbos}: {r:?}"),
            Reject(_) => assert_activation_halts(&r),
        }
    }
}

fn expect(name: &str, wat_src: &str, at51: Expect, at61: Expect) {
    let wasm = wat::parse_str(wat_src).unwrap_or_else(|e| panic!("{name}: {e}"));
    expect_wasm(name, &wasm, at51, at61);
}

fn both(name: &str, wat_src: &str, e: Expect) {
    expect(name, wat_src, e, e);
}

/// Reference types are off (`parse_with_version`: `REFERENCE_TYPES` false), so `call_indirect`
/// must encode its table index as one zero byte; cargo-stylus's round trip
/// (`stylus_format::cargo_stylus::prepare`) rewrites rustc's padded LEB into it.
#[test]
fn reference_types_are_off() {
    // `user_entrypoint`: i32.const 0; call_indirect type 0 with the table index as the LEB
    // `80 80 80 80 00`; end (the module stylus-format's own rewrite test uses).
    let wasm = stylus_format::cargo_stylus::fixtures::padded_call_indirect();
    expect_wasm(
        "padded call_indirect table index",
        &wasm,
        Reject("zero byte expected"),
        Reject("zero byte expected"),
    );
    let fixed = stylus_format::cargo_stylus::prepare(&wasm, [0; 32]).unwrap();
    expect_wasm(
        "call_indirect after cargo-stylus's rewrite",
        &fixed,
        Accept,
        Accept,
    );
    let table = "(table 1 funcref) (func $f (result i32) (i32.const 0)) (elem (i32.const 0) $f)";
    both(
        "ref.func",
        &module(
            "(drop (ref.func $f))",
            &format!("{table} (elem declare func $f)"),
        ),
        Reject("failed to parse"),
    );
    both(
        "table.get",
        &module("(drop (table.get 0 (i32.const 0)))", table),
        Reject("failed to parse"),
    );
    both(
        "typed select",
        &module(
            "(drop (select (result i32) (i32.const 1) (i32.const 2) (i32.const 0)))",
            "",
        ),
        Reject("failed to parse"),
    );
}

/// Multi-value is accepted before ArbOS 60 only (`ARBOS_VERSION_STYLUS_NO_MULTI_VALUE`).
#[test]
fn multi_value_until_arbos_60() {
    expect(
        "two results",
        &module(
            "(drop (drop (call $two)))",
            "(func $two (result i32 i32) (i32.const 1) (i32.const 2))",
        ),
        Accept,
        Reject("failed to parse"),
    );
    expect(
        "block with parameters",
        &module(
            "(i32.const 5) (block (param i32) (result i32) (i32.const 1) (i32.add)) (drop)",
            "",
        ),
        Accept,
        Reject("failed to parse"),
    );
}

/// Float arithmetic, comparisons and conversions have no implementation in Nitro's WAVM
/// (`wavm.rs`, the `float!` operators); float constants, loads, stores, reinterpretations and
/// float-typed locals are accepted, and a block that executes one runs out of ink (`meter.rs`,
/// `pricing_v1`: `u64::MAX`).
#[test]
fn floats_exactly_as_nitro() {
    for (name, body) in [
        ("f32.add", "(drop (f32.add (f32.const 1) (f32.const 2)))"),
        ("f64.lt", "(drop (f64.lt (f64.const 1) (f64.const 2)))"),
        ("f32.sqrt", "(drop (f32.sqrt (f32.const 2)))"),
        ("i32.trunc_f32_s", "(drop (i32.trunc_f32_s (f32.const 2)))"),
        (
            "i64.trunc_sat_f64_u",
            "(drop (i64.trunc_sat_f64_u (f64.const 2)))",
        ),
        (
            "f64.convert_i32_s",
            "(drop (f64.convert_i32_s (i32.const 2)))",
        ),
        ("f64.promote_f32", "(drop (f64.promote_f32 (f32.const 2)))"),
        ("f32.demote_f64", "(drop (f32.demote_f64 (f64.const 2)))"),
    ] {
        both(name, &module(body, ""), Reject("floating point"));
    }
    for (name, body, extra) in [
        ("f32.const", "(drop (f32.const 1.5))", ""),
        (
            "f64.load/store",
            "(f64.store (i32.const 0) (f64.load (i32.const 8)))",
            "",
        ),
        (
            "reinterpret",
            "(drop (i64.reinterpret_f64 (f64.reinterpret_i64 (i64.const 7))))",
            "",
        ),
        (
            "float locals and params",
            "(drop (call $f (f32.const 1)))",
            "(func $f (param f32) (result f32) (local f64) (local.get 0))",
        ),
    ] {
        both(name, &module(body, extra), Accept);
    }
    // Executing an accepted float op: the block's price saturates, so the call is out of gas.
    let mut c = Chain::new();
    c.install_wat(P, &module("(drop (f32.const 1.5))", ""));
    let r = c.call(P, vec![]);
    assert!(
        matches!(
            r,
            ExecutionResult::Halt {
                reason: HaltReason::OutOfGas(_),
                ..
            }
        ),
        "{r:?}"
    );
    assert_eq!(gas_used(&r), 10_000_000);
}

/// Sections and module shape (`parse_with_version`, `parse_user`, `StartMover`, `HeapBound`,
/// `Module::from_binary`).
#[test]
fn module_shape() {
    both("minimal", &module("", ""), Accept);
    both(
        "start function",
        &module("", "(func $s) (start $s)"),
        Reject("start functions not allowed"),
    );
    both(
        "two memories",
        &module("", "(memory 1)"),
        Reject("failed to parse"),
    );
    both(
        "no memory",
        r#"(module (func (export "user_entrypoint") (param i32) (result i32) (i32.const 0)))"#,
        Reject("missing memory"),
    );
    both(
        "memory not exported",
        &module("", "").replace("(memory (export \"memory\") 1)", "(memory 1)"),
        Reject("missing export with name memory"),
    );
    both(
        "129 pages",
        &module("", "").replace("\"memory\") 1)", "\"memory\") 129)"),
        Reject("exceeds bound 128"),
    );
    both(
        "128 pages",
        &module("", "").replace("\"memory\") 1)", "\"memory\") 128)"),
        Accept,
    );
    let fixed = r#"(module (memory (export "memory") 1 1)
      (func (export "user_entrypoint") (param i32) (result i32) (i32.const 0)))"#;
    both("fixed memory, no pay_for_memory_grow", fixed, Accept);
    both(
        "growable memory, no pay_for_memory_grow",
        &fixed.replace(" 1 1)", " 1)"),
        Reject("missing import pay_for_memory_grow"),
    );
    both(
        "no entry point",
        &module("", "").replace("\"user_entrypoint\"", "\"main\""),
        Reject("missing export with name user_entrypoint"),
    );
    both(
        "entry point type",
        &module("", "").replace("(param i32) (result i32)", "(param i64) (result i32)"),
        Reject("wrong type for user_entrypoint"),
    );
    both(
        "export name of 513 bytes",
        &module("", &format!("(func (export \"{}\"))", "x".repeat(513))),
        Reject("name too long"),
    );
    both(
        "export name of 512 bytes",
        &module("", &format!("(func (export \"{}\"))", "x".repeat(512))),
        Accept,
    );
}

/// Imports and reserved names (`parse_with_version`, `Module::from_binary`).
#[test]
fn imports_and_names() {
    both(
        "unknown hostio",
        &module_with_imports("(import \"vm_hooks\" \"nope\" (func))", "", ""),
        Reject("No such import nope in vm_hooks"),
    );
    both(
        "other module",
        &module_with_imports("(import \"env\" \"read_args\" (func (param i32)))", "", ""),
        Reject("No such import read_args in env"),
    );
    both(
        "wrong signature",
        &module_with_imports(
            "(import \"vm_hooks\" \"read_args\" (func (param i64)))",
            "",
            "",
        ),
        Reject("different function signature"),
    );
    both(
        "imported global",
        &module_with_imports("(import \"vm_hooks\" \"g\" (global i32))", "", ""),
        Reject("unsupported import kind"),
    );
    both(
        "inconsistent imports",
        &module_with_imports(
            "(import \"vm_hooks\" \"read_args\" (func (param i32))) (import \"vm_hooks\" \"read_args\" (func (param i64)))",
            "",
            "",
        ),
        Reject("inconsistent imports"),
    );
    both(
        "reserved export",
        &module("", "(func (export \"stylus_x\"))"),
        Reject("reserved symbol stylus_x"),
    );
    both(
        "reserved import",
        &module_with_imports("(import \"vm_hooks\" \"stylus_y\" (func))", "", ""),
        Reject("reserved symbol stylus_y"),
    );
    // `rsplit("__")`: an export whose last `__` segment is an import's name shadows it.
    both(
        "export shadowing an import",
        &module_with_imports(
            "(import \"vm_hooks\" \"msg_sender\" (func (param i32)))",
            "",
            "(func (export \"x__msg_sender\"))",
        ),
        Reject("exports an import"),
    );
    both(
        "debug import without debug mode",
        &module_with_imports(
            "(import \"console\" \"log_i32\" (func (param i32)))",
            "",
            "",
        ),
        Reject("No such import log_i32 in console"),
    );
    let wasm = wat::parse_str(module_with_imports(
        "(import \"console\" \"log_i32\" (func (param i32)))",
        "",
        "",
    ))
    .unwrap();
    assert!(check_program(&wasm, ArbosVersion::V61, 128, true).is_ok());
    // 513 + pay_for_memory_grow = 514 imports; 512 + 1 = 513.
    let one = "(import \"vm_hooks\" \"msg_sender\" (func (param i32)))";
    let imports = one.repeat(513);
    both(
        "514 imports",
        &module_with_imports(&imports, "", ""),
        Reject("too many wasm imports"),
    );
    both(
        "513 imports",
        &module_with_imports(&imports[one.len()..], "", ""),
        Accept,
    );
}

/// Operators the middlewares reject (`dynamic.rs`) and the extensions validation rejects.
#[test]
fn operators() {
    both(
        "memory.init",
        &module(
            "(memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0))",
            "(data \"abc\")",
        ),
        Reject("opcode not supported"),
    );
    both(
        "data.drop",
        &module("(data.drop 0)", "(data \"abc\")"),
        Reject("opcode not supported"),
    );
    both(
        "memory.copy and memory.fill",
        &module(
            "(memory.copy (i32.const 0) (i32.const 8) (i32.const 4)) (memory.fill (i32.const 0) (i32.const 1) (i32.const 4))",
            "",
        ),
        Accept,
    );
    both(
        "SIMD",
        &module("(drop (v128.const i64x2 0 0))", ""),
        Reject("failed to parse"),
    );
    both(
        "atomics",
        &module("(drop (i32.atomic.load (i32.const 0)))", ""),
        Reject("failed to parse"),
    );
    both(
        "tail call",
        &module("", "(func $t (return_call $t))"),
        Reject("failed to parse"),
    );
}

/// Limits of `parse_user` and of the depth checker, at their exact boundaries.
#[test]
fn limits() {
    let locals = |n: usize| module("", &format!("(func {})", "(local i32)".repeat(n)));
    both("348 locals", &locals(348), Accept);
    both("349 locals", &locals(349), Reject("too many wasm locals"));
    // depth.rs: frame = worst stack (2: the ink meter's header) + locals + 4 ≤ 10,240 words.
    both("10,237 locals", &locals(10_237), Reject("frame too large"));
    // 4,096 values live at once is the contention limit.
    let push = |n: usize| {
        module(
            "",
            &format!(
                "(func {} {})",
                "(i32.const 0)".repeat(n),
                "(drop)".repeat(n)
            ),
        )
    };
    both("4,096 live values", &push(4096), Accept);
    both(
        "4,097 live values",
        &push(4097),
        Reject("too many values on the stack"),
    );
    // 65,536 ops per function after instrumentation: n nops + end, + 12 (meter header) + 12
    // (depth entry) + 1 (depth's extra return) + 4 (its reclaim) = n + 30.
    let nops = |n: usize| module("", &format!("(func {})", "(nop)".repeat(n)));
    both("65,506 nops", &nops(65_506), Accept);
    both(
        "65,507 nops",
        &nops(65_507),
        Reject("too many wasm opcodes in func body"),
    );
    let datas = |n: usize| module("", &"(data (i32.const 0) \"a\")".repeat(n));
    both("128 data segments", &datas(128), Accept);
    both(
        "129 data segments",
        &datas(129),
        Reject("too many wasm datas"),
    );
    let elems = |n: usize| {
        module(
            "",
            &format!(
                "(table 1 funcref) (func $f) {}",
                "(elem (i32.const 0) $f)".repeat(n)
            ),
        )
    };
    both("128 element segments", &elems(128), Accept);
    both(
        "129 element segments",
        &elems(129),
        Reject("too many wasm elements"),
    );
    let exports = |n: usize| {
        module(
            "",
            &format!(
                "(func $f) {}",
                (0..n)
                    .map(|i| format!("(export \"e{i}\" (func $f))"))
                    .collect::<String>()
            ),
        )
    };
    // 2 exports of the module itself (memory, entry point).
    both("1,024 exports", &exports(1022), Accept);
    both(
        "1,025 exports",
        &exports(1023),
        Reject("too many wasm exports"),
    );
    let funcs = |n: usize| module("", &"(func)".repeat(n));
    both("4,096 functions", &funcs(4095), Accept);
    both(
        "4,097 functions",
        &funcs(4096),
        Reject("too many wasm functions"),
    );
    both(
        "4,096 table entries",
        &module("", "(table 4096 funcref)"),
        Accept,
    );
    both(
        "4,097 table entries",
        &module("", "(table 4097 funcref)"),
        Reject("too many wasm table entries"),
    );
    // "element entries" are counted in bytes of the segment encoding: flags (1) + offset
    // `i32.const 0; end` (3) + count LEB (2) + one byte per function index.
    let elem_bytes = |n: usize| {
        module(
            "",
            &format!(
                "(table 4096 funcref) (func $f) (elem (i32.const 0) {})",
                "$f ".repeat(n)
            ),
        )
    };
    both("4,096 element bytes", &elem_bytes(4090), Accept);
    both(
        "4,097 element bytes",
        &elem_bytes(4091),
        Reject("too many wasm element entries"),
    );
}

fn ok_revert_empty(r: &ExecutionResult) {
    assert!(
        matches!(r, ExecutionResult::Revert { output, .. } if output.is_empty()),
        "{r:?}"
    );
    assert!(gas_used(r) < 2_000_000, "unused gas must come back: {r:?}");
}

/// What activation does with code that is not a (supported) classic program
/// (`getWasmFromContractCode`): ProgramNotWasm for empty code (and, from ArbOS 60, for any
/// non-Stylus code); a plain error otherwise.
#[test]
fn code_that_is_not_a_program() {
    let not_wasm = keccak256("ProgramNotWasm()")[..4].to_vec();
    for arbos in [ArbosVersion::V51, ArbosVersion::V61] {
        let mut c = Chain::with_arbos(arbos);
        let r = c.activate(Q);
        assert!(
            matches!(r, ExecutionResult::Revert { ref output, .. } if output.as_ref() == not_wasm.as_slice()),
            "{r:?}"
        );
        c.set_code(Q, hex(EVM_STORER));
        let r = c.activate(Q);
        if arbos == ArbosVersion::V51 {
            ok_revert_empty(&r);
        } else {
            assert!(
                matches!(r, ExecutionResult::Revert { ref output, .. } if output.as_ref() == not_wasm.as_slice()),
                "{r:?}"
            );
        }
        c.set_code(Q, vec![0xEF, 0xF0, 0x01, 0x00, 0x00]);
        ok_revert_empty(&c.activate(Q));
    }
}

/// `Precompile.Call`: unknown methods, value sent to views and methods of another ArbOS version
/// revert and consume all the gas.
#[test]
fn precompile_wrapper() {
    let all_gas = |r: &ExecutionResult| {
        assert!(
            matches!(r, ExecutionResult::Revert { output, .. } if output.is_empty()),
            "{r:?}"
        );
        assert_eq!(gas_used(r), 10_000_000, "{r:?}");
    };
    for arbos in [ArbosVersion::V51, ArbosVersion::V61] {
        let mut c = Chain::with_arbos(arbos);
        all_gas(&c.call(ARB_WASM, hex("deadbeef")));
        all_gas(&c.call(ARB_WASM, hex("a9")));
        all_gas(&c.call_value(ARB_WASM, hex("a996e0c2"), U256::from(1)));
        // cacheCodehash existed until ArbOS 30 only.
        let mut data = keccak256("cacheCodehash(bytes32)")[..4].to_vec();
        data.extend_from_slice(&word(1));
        all_gas(&c.call(ARB_WASM_CACHE, data));
        // activationGas() and getMaxStylusContractFragments() exist from ArbOS 60.
        let ag = keccak256("activationGas()")[..4].to_vec();
        let frags = keccak256("getMaxStylusContractFragments()")[..4].to_vec();
        let depth = c.call(ARB_WASM, keccak256("maxStackDepth()")[..4].to_vec());
        assert_eq!(out(&depth).to_vec(), word(22_000));
        if arbos == ArbosVersion::V51 {
            all_gas(&c.call(ARB_WASM, ag));
            all_gas(&c.call(ARB_OWNER_PUBLIC, frags));
        } else {
            assert_eq!(out(&c.call(ARB_WASM, ag)).to_vec(), word(0));
            assert_eq!(out(&c.call(ARB_OWNER_PUBLIC, frags)).to_vec(), word(0));
        }
    }
}

sol! {
    /// The canonical StylusDeployer's ABI (nitro-contracts `src/stylus/StylusDeployer.sol`).
    interface StylusDeployer {
        function deploy(bytes calldata bytecode, bytes calldata initData, uint256 initValue, bytes32 salt) external payable returns (address);
        function initSalt(bytes32 salt, bytes calldata initData) external pure returns (bytes32);
        function requiresActivation(address addr) external view returns (bool);
        error ContractDeploymentError(bytes bytecode);
        error ContractInitializationError(address newContract, bytes data);
        error RefundExcessValueError(uint256 excessValue);
        error EmptyBytecode();
        error InitValueButNotInitData();
    }
}

/// Salted deploys land where the canonical contract puts them:
/// `CREATE2(deployer, keccak256(salt ‖ initData), keccak256(initcode))`.
#[test]
fn stylus_deployer_create2_addresses() {
    let wasm = wat::parse_str(include_str!("../fixtures/hostio.wat")).unwrap();
    let code = devnet_engine::compress(&wasm);
    let initcode = devnet_engine::deploy_initcode(&code);
    // (salt, initData): no init, a one-byte call, and a 64-byte "constructor" (op 0x03: store).
    let mut store = vec![0x03];
    store.extend_from_slice(&word(7));
    store.extend_from_slice(&word(99));
    let pairs: [(B256, Vec<u8>); 3] = [
        (B256::from(word(1)), vec![]),
        (B256::repeat_byte(0xab), vec![0x31]),
        (keccak256("compute-market"), store),
    ];
    let mut c = Chain::new();
    for (salt, init) in pairs {
        // initSalt(bytes32,bytes) = keccak256(abi.encodePacked(salt, initData)).
        let r = c.call(
            STYLUS_DEPLOYER,
            StylusDeployer::initSaltCall {
                salt,
                initData: init.clone().into(),
            }
            .abi_encode(),
        );
        let packed = [salt.as_slice(), &init].concat();
        assert_eq!(out(&r).as_ref(), keccak256(&packed).as_slice());
        let mut pre = vec![0xff];
        pre.extend_from_slice(STYLUS_DEPLOYER.as_slice());
        pre.extend_from_slice(keccak256(&packed).as_slice());
        pre.extend_from_slice(keccak256(&initcode).as_slice());
        let want = Address::from_slice(&keccak256(&pre)[12..]);
        let r = c.call_value(
            STYLUS_DEPLOYER,
            StylusDeployer::deployCall {
                bytecode: initcode.clone().into(),
                initData: init.into(),
                initValue: U256::ZERO,
                salt,
            }
            .abi_encode(),
            U256::from(10u64).pow(U256::from(18)),
        );
        assert!(r.is_success(), "{r:?}");
        assert_eq!(Address::from_slice(&out(&r)[12..]), want);
        assert!(!c.code(want).is_empty());
    }
    // The pre-#338 three-argument initSalt is not part of the ABI.
    let mut old = keccak256("initSalt(bytes32,bytes,uint256)")[..4].to_vec();
    old.extend_from_slice(&word(1));
    old.extend_from_slice(&word(96));
    old.extend_from_slice(&word(0));
    old.extend_from_slice(&word(0));
    let r = c.call(STYLUS_DEPLOYER, old);
    assert!(
        matches!(r, ExecutionResult::Revert { ref output, .. } if output.is_empty()),
        "{r:?}"
    );
    // A failing constructor: ContractInitializationError(newContract, revert data).
    let mut revert_with = vec![0x27];
    revert_with.extend_from_slice(&word(1));
    revert_with.extend_from_slice(&word(2));
    revert_with.extend_from_slice(b"nope");
    let r = c.call_value(
        STYLUS_DEPLOYER,
        StylusDeployer::deployCall {
            bytecode: initcode.clone().into(),
            initData: revert_with.into(),
            initValue: U256::ZERO,
            salt: B256::ZERO,
        }
        .abi_encode(),
        U256::from(10u64).pow(U256::from(18)),
    );
    let ExecutionResult::Revert { output, .. } = &r else {
        panic!("{r:?}")
    };
    let e = StylusDeployer::ContractInitializationError::abi_decode(output).unwrap();
    assert_eq!(e.data, Bytes::from_static(b"nope"));
    assert!(!e.newContract.is_zero());
}

/// The depth budget (`depth.rs`): 22,000 words; a frame costs its worst-case stack + locals + 4
/// and a call needs more words left than its frame.
///
/// `$rec` (below) is metered into the blocks `[local.get, i32.eqz, if]`, `[i32.const, else]`,
/// `[local.get, i32.const, i32.sub, call]`, `[end]`, `[end]`, each behind the meter's header,
/// which peaks at +2. Simulating `worst_case_depth`: the `if` leaves 1 (its result slot); the
/// third block reaches 3 (+1 for the call's result), and the header before the `if`'s `end`
/// starts at 2, peaking at 4. Frame = 4 + 0 locals + 4 = 8 words.
/// `user_entrypoint` (`[local.get, call]`, `[drop, i32.const, end]`): the header after the call
/// starts at 1 and peaks at 3; frame = 3 + 4 = 7.
/// With 22,000 − 7 = 21,993 words left, `$rec` frames fit while more than 8 words remain:
/// k frames need 21,993 − 8(k − 1) > 8, so k ≤ 2,749: `rec(2748)` (2,749 frames) succeeds and
/// `rec(2749)` exhausts the budget.
#[test]
fn depth_budget_runs_out_at_the_nitro_depth() {
    let src = r#"(module
  (import "vm_hooks" "pay_for_memory_grow" (func (param i32)))
  (memory (export "memory") 1)
  (func $rec (param i32) (result i32)
    local.get 0
    i32.eqz
    if (result i32)
      i32.const 0
    else
      local.get 0
      i32.const 1
      i32.sub
      call $rec
    end)
  (func (export "user_entrypoint") (param i32) (result i32)
    local.get 0
    call $rec
    drop
    i32.const 0))"#;
    for arbos in [ArbosVersion::V51, ArbosVersion::V61] {
        let mut c = Chain::with_arbos(arbos);
        c.install_wat(P, src);
        // The recursion depth is the calldata length.
        let r = c.tx(
            ALICE,
            TxKind::Call(P),
            vec![0; 2748],
            U256::ZERO,
            10_000_000,
        );
        assert!(r.is_success(), "rec(2748) at ArbOS {arbos}: {r:?}");
        let r = c.tx(
            ALICE,
            TxKind::Call(P),
            vec![0; 2749],
            U256::ZERO,
            10_000_000,
        );
        match r {
            ExecutionResult::Halt { reason, gas, .. } => {
                assert_eq!(reason, HaltReason::StackOverflow);
                assert_eq!(
                    gas.tx_gas_used(),
                    10_000_000,
                    "out of stack consumes all gas"
                );
            }
            other => panic!("rec(2749) at ArbOS {arbos}: {other:?}"),
        }
    }
}

/// Activation gas and data fee from Nitro's formulas for a module whose measures are counted by
/// hand.
///
/// The module (`MINIMAL`) has 1 local function of type (i32) → i32, 1 initial page, no
/// data, no elements. Its body `i32.const 0; end` is one basic block (12 header ops + 2), the
/// depth checker adds 12 entry ops, an extra `return` and the 4 ops reclaiming before it: 31 ops.
#[test]
fn activation_gas_and_data_fee_from_nitro_formulas() {
    const MINIMAL: &str = r#"(module
  (import "vm_hooks" "pay_for_memory_grow" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "user_entrypoint") (param i32) (result i32) (i32.const 0)))"#;
    let wasm = wat::parse_str(MINIMAL).unwrap();
    let wasm_len = wasm.len() as u64;
    let (funcs, type_len, pages, ops) = (1u64, 2u64, 1u64, 31u64);
    // crates/prover/src/programs/mod.rs, Module::activate: microseconds per term, × 28 gas each
    // (us_to_gas: fudge 2 × speed 7,000,000 / sync_rate 500,000).
    let compute = 28
        * (wasm_len * 31_733 / 100_000
            + funcs * 17_263 / 100_000
            + pages * 2217
            + ops * 535 / 1000);
    // Fixed costs (ArbOS ≥ 60): calldata 3 gas per word after the selector (precompile.go) +
    // activationGas read 800 (ArbWasm.go, Programs.ActivationGas) + 1,659,168 (ArbWasm.go) +
    // Params 100 (params.go) + program read 800 (programs.go, programExists) + module hash write
    // 20,000 + data pricer 5 reads and 2 writes 44,000 (data_pricer.go, UpdateModel) + program
    // write 20,000 (setProgram) + network fee account read 800 (ArbWasm.go,
    // payActivationDataFee) + ProgramActivated 375 + 2 × 375 + 128 × 8 = 2,149 + result 2 words
    // × 3 = 6 (precompile.go).
    let fixed_61 = 3 + 800 + 1_659_168 + 100 + 800 + 20_000 + 44_000 + 20_000 + 800 + 2_149 + 6;
    // Intrinsic: 21,000 + 16 per non-zero and 4 per zero calldata byte.
    let mut calldata = hex("58c780c2");
    calldata.extend_from_slice(P.into_word().as_slice());
    let intrinsic: u64 = 21_000
        + calldata
            .iter()
            .map(|b| if *b == 0 { 4 } else { 16 })
            .sum::<u64>();
    // binary.rs, WasmBinary::instrument: asm estimate; data_pricer.go: the fee.
    let asm =
        512_000 + funcs * 996_829 / 1000 + type_len * 11_416 / 1000 + wasm_len * 62_628 / 10_000;
    let asm = asm as u32;
    let x = u128::from(asm) * 10_000 / 21_360_419;
    let mut e = 10_000 + x / 12;
    for i in (1..12u128).rev() {
        e = 10_000 + e * x / (i * 10_000);
    }
    let fee = U256::from(82_928_201u128 * e / 10_000) * U256::from(asm);
    for (arbos, fixed) in [
        (ArbosVersion::V61, fixed_61),
        (ArbosVersion::V51, fixed_61 - 800),
    ] {
        let mut c = Chain::with_arbos(arbos);
        c.set_code(P, devnet_engine::compress(&wasm));
        let r = c.activate(P);
        assert!(r.is_success(), "{r:?}");
        assert_eq!(
            gas_used(&r),
            intrinsic + fixed + compute,
            "activation gas at ArbOS {arbos}"
        );
        assert_eq!(U256::from_be_slice(&out(&r)[32..64]), fee, "data fee");
    }
}

/// A program that calls the address in its calldata (20 bytes), then traps.
const CALL_THEN_TRAP: &str = r#"(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "call_contract" (func $call (param i32 i32 i32 i32 i64 i32) (result i32)))
  (import "vm_hooks" "pay_for_memory_grow" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "user_entrypoint") (param i32) (result i32)
    (call $read_args (i32.const 0))
    (drop (call $call (i32.const 0) (i32.const 64) (i32.const 0) (i32.const 128) (i64.const -1) (i32.const 192)))
    unreachable))"#;

/// A program that calls the address in its calldata (20 bytes) twice, then returns.
const TWICE: &str = r#"(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "call_contract" (func $call (param i32 i32 i32 i32 i64 i32) (result i32)))
  (import "vm_hooks" "pay_for_memory_grow" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "user_entrypoint") (param i32) (result i32)
    (call $read_args (i32.const 0))
    (drop (call $call (i32.const 0) (i32.const 64) (i32.const 0) (i32.const 128) (i64.const -1) (i32.const 192)))
    (drop (call $call (i32.const 20) (i32.const 64) (i32.const 0) (i32.const 128) (i64.const -1) (i32.const 192)))
    (i32.const 0)))"#;

fn target(n: u32) -> String {
    format!(
        r#"(module
  (import "vm_hooks" "pay_for_memory_grow" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "user_entrypoint") (param i32) (result i32) (drop (i32.const {n})) (i32.const 0)))"#
    )
}

/// The recent-program cache (`CallProgram` from ArbOS 60; `RecentWasms`): a second call to an
/// uncached program in the same block, in the same or a later transaction, pays the cached init
/// cost only; at ArbOS 51 every call pays the full init cost.
#[test]
fn recent_program_cache_as_nitro() {
    // T and U differ only in a constant of the same size: same init costs, different code hash.
    let (t, u) = (
        address!("00000000000000000000000000000000000a0001"),
        address!("00000000000000000000000000000000000a0002"),
    );
    for arbos in [ArbosVersion::V51, ArbosVersion::V61] {
        let mut c = Chain::with_arbos(arbos);
        c.install_wat(CALLER, TWICE);
        c.install_wat(t, &target(1));
        c.install_wat(u, &target(2));
        let hash = keccak256(c.code(t));
        let info = devnet_engine::Engine::program_info(&mut c.db, hash)
            .unwrap()
            .unwrap();
        let init = if arbos.at_least_60() {
            info.init_gas()
        } else {
            0
        };
        // One transaction, two calls: T then T (hit from 60) vs T then U (two misses; U is also
        // a cold account: +2,500).
        let tt = gas_used(&c.call(CALLER, [t.as_slice(), t.as_slice()].concat()));
        let tu = gas_used(&c.call(CALLER, [t.as_slice(), u.as_slice()].concat()));
        assert_eq!(tu - tt, init + 2500, "same transaction at ArbOS {arbos}");
        // Two transactions of one block share the cache; a new block starts empty.
        let mut recent = RecentPrograms::new();
        let first = gas_used(&c.tx_in_block(
            ALICE,
            TxKind::Call(t),
            vec![],
            U256::ZERO,
            1_000_000,
            &mut recent,
        ));
        let second = gas_used(&c.tx_in_block(
            ALICE,
            TxKind::Call(t),
            vec![],
            U256::ZERO,
            1_000_000,
            &mut recent,
        ));
        assert_eq!(first - second, init, "same block at ArbOS {arbos}");
        let fresh = gas_used(&c.tx_in_block(
            ALICE,
            TxKind::Call(t),
            vec![],
            U256::ZERO,
            1_000_000,
            &mut RecentPrograms::new(),
        ));
        assert_eq!(fresh, first, "a new block starts with an empty cache");
        // A reverted transaction still fills the cache (it is not journaled).
        let trap = address!("00000000000000000000000000000000000a0003");
        c.install_wat(trap, CALL_THEN_TRAP);
        let mut recent = RecentPrograms::new();
        let r = c.tx_in_block(
            ALICE,
            TxKind::Call(trap),
            t.to_vec(),
            U256::ZERO,
            1_000_000,
            &mut recent,
        );
        assert!(matches!(r, ExecutionResult::Revert { .. }), "{r:?}");
        assert_eq!(recent.contains(&hash), arbos.at_least_60());
        let after = gas_used(&c.tx_in_block(
            ALICE,
            TxKind::Call(t),
            vec![],
            U256::ZERO,
            1_000_000,
            &mut recent,
        ));
        assert_eq!(
            first - after,
            init,
            "entries survive a failed transaction at ArbOS {arbos}"
        );
    }
    // The cache holds 32 programs: after 32 others, T is evicted.
    let mut c = Chain::new();
    c.install_wat(t, &target(1));
    let others: Vec<Address> = (0..32u32)
        .map(|i| {
            let a = Address::with_last_byte(0x40).create(u64::from(i));
            c.install_wat(a, &target(100 + i));
            a
        })
        .collect();
    let call = |c: &mut Chain, to: Address, recent: &mut RecentPrograms| {
        gas_used(&c.tx_in_block(
            ALICE,
            TxKind::Call(to),
            vec![],
            U256::ZERO,
            1_000_000,
            recent,
        ))
    };
    let mut recent = RecentPrograms::new();
    let cold = call(&mut c, t, &mut recent);
    for a in &others[..31] {
        call(&mut c, *a, &mut recent);
    }
    let hit = call(&mut c, t, &mut recent);
    assert!(hit < cold, "31 others keep T cached");
    call(&mut c, others[31], &mut recent);
    for a in &others[..31] {
        call(&mut c, *a, &mut recent);
    }
    assert_eq!(call(&mut c, t, &mut recent), cold, "32 others evict T");
}

/// Activation inside a transaction that has Stylus pages open accepts only programs that fit in
/// the rest (`Programs.ActivateProgram`: `pageLimit = PageLimit − GetStylusPagesOpen()`).
#[test]
fn activation_page_limit_counts_open_pages() {
    // A 100-page program that calls ArbWasm.activateProgram(calldata address) with 1 ETH.
    let activator = r#"(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "call_contract" (func $call (param i32 i32 i32 i32 i64 i32) (result i32)))
  (import "vm_hooks" "write_result" (func $out (param i32 i32)))
  (import "vm_hooks" "pay_for_memory_grow" (func (param i32)))
  (memory (export "memory") 100)
  (data (i32.const 0) "\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\71")
  (data (i32.const 64) "\58\c7\80\c2")
  (data (i32.const 256) "\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0d\e0\b6\b3\a7\64\00\00")
  (func (export "user_entrypoint") (param i32) (result i32)
    (call $read_args (i32.const 68))
    (i32.store8 (i32.const 300) (call $call (i32.const 0) (i32.const 64) (i32.const 36) (i32.const 256) (i64.const -1) (i32.const 320)))
    (call $out (i32.const 300) (i32.const 1))
    (i32.const 0)))"#;
    let pages = |n: u32| {
        format!(
            r#"(module
  (import "vm_hooks" "pay_for_memory_grow" (func (param i32)))
  (memory (export "memory") {n})
  (func (export "user_entrypoint") (param i32) (result i32) (i32.const 0)))"#
        )
    };
    let mut c = Chain::new();
    c.install_wat(CALLER, activator);
    let mut info = revm::Database::basic(&mut c.db, CALLER).unwrap().unwrap();
    info.balance = U256::from(10u64).pow(U256::from(19));
    c.db.insert_account_info(CALLER, info);
    // 100 pages are open while the activator runs: 28 fit, 29 do not.
    let (fits, too_big) = (
        address!("00000000000000000000000000000000000b0028"),
        address!("00000000000000000000000000000000000b0029"),
    );
    c.set_code(
        fits,
        devnet_engine::compress(&wat::parse_str(pages(28)).unwrap()),
    );
    c.set_code(
        too_big,
        devnet_engine::compress(&wat::parse_str(pages(29)).unwrap()),
    );
    // The activator's calldata is the 32-byte ABI word of the address, read after the selector.
    let status = |c: &mut Chain, a: Address| {
        let mut word = [0u8; 12].to_vec();
        word.extend_from_slice(a.as_slice());
        let r = c.tx(ALICE, TxKind::Call(CALLER), word, U256::ZERO, 16_000_000);
        out(&r)[0]
    };
    assert_eq!(status(&mut c, fits), 0, "28 pages fit under 128 − 100");
    assert_eq!(status(&mut c, too_big), 2, "29 pages do not");
    // Outside the program, the same 29-page module activates.
    assert!(c.activate(too_big).is_success());
}
