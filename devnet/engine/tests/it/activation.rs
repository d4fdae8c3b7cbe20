//! ArbWasm activation (good path and the main rejections), ArbWasm views and errors,
//! ArbWasmCache, ArbSys, and the on-chain code format. The exhaustive rule-by-rule table is in
//! `conformance.rs`.

use crate::common::*;
use devnet_engine::{
    check_program, ArbosVersion, Engine, EngineConfig, ARB_SYS, ARB_WASM, ARB_WASM_CACHE,
};
use revm::context::result::{ExecutionResult, HaltReason};
use revm::primitives::{address, keccak256, Address, TxKind, U256};

const P: Address = address!("0000000000000000000000000000000000001000");
const MINIMAL: &str = r#"(module
  (import "vm_hooks" "pay_for_memory_grow" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "user_entrypoint") (param i32) (result i32) (i32.const 0)))"#;

fn sel(h: &str, args: &[&[u8]]) -> Vec<u8> {
    let mut v = hex(h);
    for a in args {
        v.extend_from_slice(a);
    }
    v
}

fn install(c: &mut Chain, addr: Address, wat_src: &str) {
    let wasm = wat::parse_str(wat_src).unwrap();
    c.set_code(addr, devnet_engine::compress(&wasm));
}

/// Asserts an activation failure as Nitro reports it (`ErrProgramActivation`): no return data,
/// not a revert, all gas consumed.
pub(crate) fn assert_activation_halts(r: &ExecutionResult) {
    match r {
        ExecutionResult::Halt { reason, gas, .. } => {
            assert_eq!(*reason, HaltReason::PrecompileError);
            assert_eq!(
                gas.tx_gas_used(),
                10_000_000,
                "activation failure must burn all gas"
            );
        }
        other => panic!("expected an activation failure, got {other:?}"),
    }
}

/// Rejected on chain (all gas, no data) and by [`check_program`] for the reason `needle`.
fn reject_with(config: EngineConfig, wat_src: &str, needle: &str) {
    let mut c = Chain::with_config(config);
    install(&mut c, P, wat_src);
    assert_activation_halts(&c.activate(P));
    let wasm = wat::parse_str(wat_src).unwrap();
    let why = check_program(&wasm, ArbosVersion::default(), 128, config.debug)
        .err()
        .unwrap_or_else(|| panic!("check_program accepted a module the chain rejected"));
    assert!(why.0.contains(needle), "expected {needle:?} in {:?}", why.0);
}

fn reject(wat_src: &str, needle: &str) {
    reject_with(EngineConfig::default(), wat_src, needle);
}

#[test]
fn activation_good_path_views_and_refund() {
    let mut c = Chain::new();
    install(&mut c, P, MINIMAL);
    let code = c.code(P);
    let hash = keccak256(&code);
    // Not yet active: codehashVersion reverts ProgramNotActivated().
    let r = c.call(ARB_WASM, sel("d70c0ca7", &[hash.as_slice()]));
    assert!(
        matches!(r, ExecutionResult::Revert { ref output, .. } if output.as_ref() == hex("6f809c4e"))
    );
    // Not enough value: ProgramInsufficientValue(have, want).
    let r = c.call(ARB_WASM, sel("58c780c2", &[P.into_word().as_slice()]));
    assert!(
        matches!(r, ExecutionResult::Revert { ref output, .. } if output.starts_with(&hex("09781ab7")))
    );

    let before = c.balance(ALICE);
    let r = c.activate(P);
    let o = out(&r);
    assert!(r.is_success(), "{r:?}");
    assert_eq!(U256::from_be_slice(&o[..32]), U256::from(2));
    let fee = U256::from_be_slice(&o[32..64]);
    assert!(
        fee > U256::from(10u64).pow(U256::from(13)) && fee < U256::from(10u64).pow(U256::from(15)),
        "{fee}"
    );
    // The excess of the 1 ETH sent is refunded: the caller pays exactly the data fee.
    assert_eq!(before - c.balance(ALICE), fee);
    // Activation gas: 1,659,168 fixed + storage and event costs + 62,076 for the page of memory
    // + intrinsic (the exact value is checked in `conformance.rs`).
    let g = gas_used(&r);
    assert!(
        (1_659_168 + 21_000 + 62_076..1_659_168 + 21_000 + 200_000).contains(&g),
        "{g}"
    );
    // ProgramActivated(codehash indexed, moduleHash, program, dataFee, version).
    let log = &r.logs()[0];
    assert_eq!(log.address, ARB_WASM);
    assert_eq!(
        log.topics()[0].to_vec(),
        hex("c0e812780707128d9a180db8ee4d1c1f1300b6dd0626d577b5d9ac759b76253c")
    );
    assert_eq!(log.topics()[1], hash);
    assert_eq!(&log.data.data[44..64], P.as_slice());
    assert_eq!(U256::from_be_slice(&log.data.data[64..96]), fee);

    let word_of = |c: &mut Chain, data: Vec<u8>| {
        let r = c.call(ARB_WASM, data);
        assert!(r.is_success(), "{r:?}");
        out(&r).to_vec()
    };
    let pa = P.into_word();
    assert_eq!(
        word_of(&mut c, sel("d70c0ca7", &[hash.as_slice()])),
        word(2)
    );
    assert_eq!(word_of(&mut c, sel("a996e0c2", &[])), word(2));
    assert_eq!(word_of(&mut c, sel("cc8f4e88", &[pa.as_slice()])), word(2));
    assert_eq!(word_of(&mut c, sel("aef36be3", &[pa.as_slice()])), word(1));
    let ig = word_of(&mut c, sel("62b688aa", &[pa.as_slice()]));
    let (gas, cached) = (
        U256::from_be_slice(&ig[..32]),
        U256::from_be_slice(&ig[32..]),
    );
    assert!(gas > U256::from(8832 + 352) && cached >= U256::from(352) && gas > cached);
    let left = U256::from_be_slice(&word_of(&mut c, sel("c775a62a", &[pa.as_slice()])));
    assert!(left <= U256::from(365 * 86_400) && left > U256::from(364 * 86_400));
    let asm = U256::from_be_slice(&word_of(&mut c, sel("4089267f", &[hash.as_slice()])));
    assert!(asm >= U256::from(512_000) && asm.to::<u64>().is_multiple_of(1024));
    for (s, v) in [
        ("d1c17abc", 10_000u64),
        ("8ccfaa70", 22_000),
        ("4490c19d", 2),
        ("7af4ba49", 1000),
        ("11c82ae8", 620_674_314),
        ("9786f96e", 128),
        ("5fc94c0b", 100),
        ("309f6555", 365),
        ("0a936455", 31),
        ("7af6e819", 32),
        ("2278c278", 0),
    ] {
        assert_eq!(word_of(&mut c, sel(s, &[])), word(v), "selector {s}");
    }
    assert_eq!(
        word_of(&mut c, sel("99d0b38d", &[])),
        [word(8832), word(352)].concat()
    );
    // Re-activation: ProgramUpToDate().
    let r = c.activate(P);
    assert!(
        matches!(r, ExecutionResult::Revert { ref output, .. } if output.as_ref() == hex("cc944bf2"))
    );
    // Keepalive too soon.
    let r = c.call(ARB_WASM, sel("c689bad5", &[hash.as_slice()]));
    assert!(
        matches!(r, ExecutionResult::Revert { ref output, .. } if output.starts_with(&hex("16bd0cf8")))
    );
    // The record lives in the database (ArbWasm storage).
    let info = Engine::program_info(&mut c.db, hash).unwrap().unwrap();
    assert_eq!((info.version, info.footprint), (2, 1));
    // And the program runs.
    assert!(c.call(P, vec![]).is_success());
}

#[test]
fn program_not_wasm_and_evm_codehash() {
    let mut c = Chain::new();
    let evm = address!("0000000000000000000000000000000000004000");
    c.set_code(evm, hex(EVM_STORER));
    for target in [evm, BOB] {
        let r = c.activate(target);
        assert!(
            matches!(r, ExecutionResult::Revert { ref output, .. } if output.as_ref() == hex("27f38212")),
            "{r:?}"
        );
    }
    let h = keccak256(hex(EVM_STORER));
    let r = c.call(ARB_WASM, sel("d70c0ca7", &[h.as_slice()]));
    assert!(
        matches!(r, ExecutionResult::Revert { ref output, .. } if output.as_ref() == hex("6f809c4e"))
    );
    // Unknown selector: empty revert.
    let r = c.call(ARB_WASM, sel("deadbeef", &[]));
    assert!(matches!(r, ExecutionResult::Revert { ref output, .. } if output.is_empty()));
}

#[test]
fn rejects_start_function() {
    reject(
        &MINIMAL.replace("(memory", "(func $s) (start $s) (memory"),
        "start functions not allowed",
    );
}

#[test]
fn rejects_missing_entrypoint() {
    reject(
        &MINIMAL.replace("\"user_entrypoint\"", "\"main\""),
        "user_entrypoint",
    );
}

#[test]
fn rejects_wrong_entrypoint_signature() {
    reject(
        &MINIMAL.replace(
            "(param i32) (result i32) (i32.const 0)",
            "(param i32 i32) (result i32) (i32.const 0)",
        ),
        "wrong type for user_entrypoint",
    );
}

#[test]
fn rejects_missing_memory_export() {
    reject(
        &MINIMAL.replace("(memory (export \"memory\") 1)", "(memory 1)"),
        "memory",
    );
}

#[test]
fn rejects_unknown_import() {
    // A fixed-size memory, so the heap bound does not look for pay_for_memory_grow first.
    let fixed = MINIMAL.replace("\"memory\") 1)", "\"memory\") 1 1)");
    reject(
        &fixed.replace("\"pay_for_memory_grow\"", "\"no_such_hostio\""),
        "No such import no_such_hostio in vm_hooks",
    );
    reject(
        &fixed.replace("\"vm_hooks\"", "\"env\""),
        "No such import pay_for_memory_grow in env",
    );
}

#[test]
fn rejects_wrong_import_signature() {
    reject(
        &MINIMAL.replace("(func (param i32))", "(func (param i64))"),
        "different function signature",
    );
}

#[test]
fn rejects_imported_memory() {
    reject(
        &MINIMAL.replace(
            "(memory (export \"memory\") 1)",
            "(import \"vm_hooks\" \"mem\" (memory 1)) (export \"memory\" (memory 0))",
        ),
        "unsupported import kind",
    );
}

#[test]
fn rejects_floats() {
    // One operator of each class Nitro cannot execute: binary arithmetic, comparison, unary,
    // trapping and saturating truncation, conversion, demotion.
    for body in [
        "(drop (f32.add (f32.const 1) (f32.const 2)))",
        "(drop (f64.copysign (f64.const 1) (f64.const 2)))",
        "(drop (f64.lt (f64.const 1) (f64.const 2)))",
        "(drop (f64.sqrt (f64.const 2)))",
        "(drop (i32.trunc_f32_s (f32.const 1)))",
        "(drop (i64.trunc_sat_f64_u (f64.const 1)))",
        "(drop (f64.convert_i64_u (i64.const 1)))",
        "(drop (f32.demote_f64 (f64.const 1)))",
    ] {
        reject(
            &MINIMAL.replace("(i32.const 0))", &format!("{body} (i32.const 0))")),
            "floating point",
        );
    }
    // Constants and reinterpretations have an implementation and pass activation's checks.
    let reinterpret = MINIMAL.replace(
        "(i32.const 0))",
        "(drop (i32.reinterpret_f32 (f32.const 1))) (i32.const 0))",
    );
    let wasm = wat::parse_str(&reinterpret).unwrap();
    assert!(check_program(&wasm, ArbosVersion::default(), 128, false).is_ok());
}

#[test]
fn rejects_too_many_pages() {
    reject(
        &MINIMAL.replace(
            "(memory (export \"memory\") 1)",
            "(memory (export \"memory\") 129)",
        ),
        "memory size 129 exceeds bound 128",
    );
}

#[test]
fn rejects_growable_memory_without_pay_for_memory_grow() {
    let no_import = MINIMAL.replace(
        "(import \"vm_hooks\" \"pay_for_memory_grow\" (func (param i32)))",
        "",
    );
    reject(&no_import, "missing import pay_for_memory_grow");
    // A fixed-size memory needs no import.
    let mut c = Chain::new();
    install(
        &mut c,
        P,
        &no_import.replace("\"memory\") 1)", "\"memory\") 1 1)"),
    );
    assert!(c.activate(P).is_success());
}

#[test]
fn rejects_reserved_names_and_bulk_memory_ops() {
    reject(
        &MINIMAL.replace("(memory", "(func (export \"stylus_x\")) (memory"),
        "reserved",
    );
    reject(
        &MINIMAL.replace(
            "(i32.const 0))",
            "(data.drop 0) (i32.const 0)) (data \"abc\")",
        ),
        "opcode not supported",
    );
}

#[test]
fn rejects_multi_memory() {
    reject(
        &MINIMAL.replace(
            "(memory (export \"memory\") 1)",
            "(memory (export \"memory\") 1) (memory 1)",
        ),
        "failed to parse",
    );
}

#[test]
fn debug_imports_need_debug_mode() {
    let src = MINIMAL.replace(
        "(memory",
        "(import \"console\" \"log_txt\" (func (param i32 i32))) (memory",
    );
    reject(&src, "No such import log_txt in console");
    let mut c = Chain::with_config(EngineConfig { debug: true });
    install(&mut c, P, &src);
    assert!(c.activate(P).is_success());
}

/// Format and decompression failures are plain errors in Nitro (`getWasm`): an empty revert with
/// the unused gas returned (the fixed 1,659,168 is spent before the code is read).
fn assert_plain_revert(r: &ExecutionResult) {
    match r {
        ExecutionResult::Revert { output, gas, .. } => {
            assert!(output.is_empty(), "{output:?}");
            let used = gas.tx_gas_used();
            assert!(
                (1_659_168..1_800_000).contains(&used),
                "unused gas must be returned: {used}"
            );
        }
        other => panic!("expected an empty revert, got {other:?}"),
    }
}

#[test]
fn code_format_rejections() {
    let wasm = wat::parse_str(MINIMAL).unwrap();
    let mut code = devnet_engine::compress(&wasm);
    // Dictionary 1 (the Stylus dictionary, not carried by the dev chain) and 2 (none).
    let mut c = Chain::new();
    for dict in [1u8, 2] {
        code[3] = dict;
        c.set_code(P, code.clone());
        assert_plain_revert(&c.activate(P));
    }
    // Corrupt brotli stream.
    code[3] = 0;
    code.truncate(6);
    code.extend_from_slice(&[0xff; 10]);
    c.set_code(P, code);
    assert_plain_revert(&c.activate(P));
    // Decompressed size above 128 KiB.
    let big = MINIMAL.replace(
        "(memory (export \"memory\") 1)",
        &format!(
            "(memory (export \"memory\") 3) (data (i32.const 0) \"{}\")",
            "\\00".repeat(140_000)
        ),
    );
    let wasm = wat::parse_str(big).unwrap();
    c.set_code(P, devnet_engine::compress(&wasm));
    assert_plain_revert(&c.activate(P));
}

#[test]
fn deploy_with_cargo_stylus_prelude_and_eip3541() {
    let mut c = Chain::new();
    let wasm = wat::parse_str(MINIMAL).unwrap();
    let code = devnet_engine::compress(&wasm);
    let nonce = c.nonce(ALICE);
    let r = c.create(devnet_engine::deploy_initcode(&code));
    assert!(r.is_success(), "{r:?}");
    let addr = ALICE.create(nonce);
    assert_eq!(
        c.code(addr).to_vec(),
        code,
        "stored code keeps the EF F0 00 00 prefix"
    );
    assert!(c.activate(addr).is_success());
    assert!(c.call(addr, vec![1, 2, 3]).is_success());
    // From ArbOS 60 fragments (EF F0 01) and roots (EF F0 02) may be deployed too; before, they
    // are rejected like any other 0xEF-prefixed code (EIP-3541).
    for frag in [vec![0xEF, 0xF0, 0x01, 0x00], vec![0xEF, 0xF0, 0x02, 0x00]] {
        assert!(c.create(devnet_engine::deploy_initcode(&frag)).is_success());
        let mut old = Chain::with_arbos(ArbosVersion::V51);
        let r = old.create(devnet_engine::deploy_initcode(&frag));
        assert!(
            matches!(
                r,
                ExecutionResult::Halt {
                    reason: HaltReason::CreateContractStartingWithEF,
                    ..
                }
            ),
            "{r:?}"
        );
    }
    for bad in [
        vec![0xEF, 0x00, 0x01],
        vec![0xEF, 0xF0, 0x00],
        vec![0xEF, 0xF0, 0x03, 0x00],
    ] {
        let r = c.create(devnet_engine::deploy_initcode(&bad));
        assert!(
            matches!(
                r,
                ExecutionResult::Halt {
                    reason: HaltReason::CreateContractStartingWithEF,
                    ..
                }
            ),
            "{r:?}"
        );
    }
    // Code above 24,576 bytes is rejected.
    let mut big = vec![0xEF, 0xF0, 0x00, 0x00];
    big.resize(24_577, 0);
    let r = c.tx(
        ALICE,
        TxKind::Create,
        devnet_engine::deploy_initcode(&big),
        U256::ZERO,
        16_000_000,
    );
    assert!(
        matches!(
            r,
            ExecutionResult::Halt {
                reason: HaltReason::CreateContractSizeLimit,
                ..
            }
        ),
        "{r:?}"
    );
}

#[test]
fn arb_wasm_cache_skips_init_gas() {
    let mut c = Chain::new();
    install(&mut c, P, MINIMAL);
    assert!(c.activate(P).is_success());
    let hash = keccak256(c.code(P));
    let uncached = gas_used(&c.call(P, vec![]));
    let r = c.call(ARB_WASM_CACHE, sel("a72f179b", &[hash.as_slice()]));
    assert_eq!(out(&r).to_vec(), word(0));
    assert!(c
        .call(ARB_WASM_CACHE, sel("e73ac9f2", &[P.into_word().as_slice()]))
        .is_success());
    let r = c.call(ARB_WASM_CACHE, sel("a72f179b", &[hash.as_slice()]));
    assert_eq!(out(&r).to_vec(), word(1));
    let cached = gas_used(&c.call(P, vec![]));
    let info = Engine::program_info(&mut c.db, hash).unwrap().unwrap();
    assert_eq!(uncached - cached, info.init_gas());
    assert!(c
        .call(ARB_WASM_CACHE, sel("ce972013", &[hash.as_slice()]))
        .is_success());
    assert_eq!(gas_used(&c.call(P, vec![])), uncached);
    let r = c.call(ARB_WASM_CACHE, sel("0ec1d773", &[]));
    assert_eq!(out(&r).to_vec(), [word(32), word(0)].concat());
}

#[test]
fn arb_sys_views() {
    let mut c = Chain::new();
    let n = c.block.number;
    assert_eq!(
        U256::from_be_slice(&out(&c.call(ARB_SYS, hex("a3b1b31d")))),
        n
    );
    assert_eq!(
        out(&c.call(ARB_SYS, hex("d127f54a"))).to_vec(),
        word(CHAIN_ID)
    );
    assert_eq!(
        out(&c.call(ARB_SYS, hex("051038f2"))).to_vec(),
        word(55 + 61)
    );
    let mut old = Chain::with_arbos(ArbosVersion::V51);
    assert_eq!(
        out(&old.call(ARB_SYS, hex("051038f2"))).to_vec(),
        word(55 + 51)
    );
}

#[test]
fn genesis_alloc_installs_predeploys() {
    let e = Engine::new(EngineConfig::default());
    let g = e.genesis_alloc();
    for a in devnet_engine::ARB_PRECOMPILES {
        assert!(g
            .iter()
            .any(|x| x.address == a && x.code.as_ref() == [0xFE]));
    }
    assert!(g
        .iter()
        .any(|x| x.address == devnet_engine::CREATE2_FACTORY && x.code.len() == 69));
    assert!(g
        .iter()
        .any(|x| x.address == devnet_engine::STYLUS_DEPLOYER));
}

#[test]
fn keepalive_expiry_and_upgrade_errors() {
    let mut c = Chain::new();
    install(&mut c, P, MINIMAL);
    assert!(c.activate(P).is_success());
    let hash = keccak256(c.code(P));
    // 40 days later: keepalive succeeds (pays a data fee, emits ProgramLifetimeExtended).
    c.block.timestamp += U256::from(40 * 86_400);
    let before = c.balance(ALICE);
    let r = c.call_value(
        ARB_WASM,
        sel("c689bad5", &[hash.as_slice()]),
        U256::from(10u64).pow(U256::from(18)),
    );
    assert!(r.is_success(), "{r:?}");
    assert_eq!(
        r.logs()[0].topics()[0].to_vec(),
        hex("03802ba32e3bd489d2ab04abb93d10687e0b6883bcb091206ca75172d248f2ec")
    );
    let fee = U256::from_be_slice(&r.logs()[0].data.data);
    assert_eq!(before - c.balance(ALICE), fee);
    // 366 days after that: expired. Views revert ProgramExpired(age); calls fail.
    c.block.timestamp += U256::from(366 * 86_400);
    let r = c.call(ARB_WASM, sel("d70c0ca7", &[hash.as_slice()]));
    assert!(
        matches!(r, ExecutionResult::Revert { ref output, .. } if output.starts_with(&hex("c9b12e52"))),
        "{r:?}"
    );
    let r = c.call(P, vec![]);
    assert!(matches!(r, ExecutionResult::Halt { .. }), "{r:?}");
    // Re-activation of an expired program is allowed.
    assert!(c.activate(P).is_success());
    assert!(c.call(P, vec![]).is_success());
    // A record with an older Stylus version: ProgramNeedsUpgrade(1, 2).
    let slot = U256::from_be_bytes(hash.0);
    let mut info = Engine::program_info(&mut c.db, hash).unwrap().unwrap();
    info.version = 1;
    c.db.insert_account_storage(ARB_WASM, slot, info.pack())
        .unwrap();
    let r = c.call(ARB_WASM, sel("d70c0ca7", &[hash.as_slice()]));
    let mut want = hex("637d968f");
    want.extend_from_slice(&word(1));
    want.extend_from_slice(&word(2));
    assert!(
        matches!(r, ExecutionResult::Revert { ref output, .. } if output.to_vec() == want),
        "{r:?}"
    );
    assert!(matches!(c.call(P, vec![]), ExecutionResult::Halt { .. }));
}

#[test]
fn engine_is_send_sync_static() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    check::<Engine>();
}

#[test]
fn arb_sys_block_hash_range() {
    let mut c = Chain::new();
    c.block.number = U256::from(1000);
    // Out of range: InvalidBlockNumber(requested, current).
    let r = c.call(ARB_SYS, sel("2b407a82", &[&word(2000)]));
    assert!(
        matches!(r, ExecutionResult::Revert { ref output, .. } if output.starts_with(&hex("d5dc642d")))
    );
    let r = c.call(ARB_SYS, sel("2b407a82", &[&word(10)]));
    assert!(matches!(r, ExecutionResult::Revert { .. }));
    // In range: the database's block hash.
    let r = c.call(ARB_SYS, sel("2b407a82", &[&word(999)]));
    assert!(r.is_success(), "{r:?}");
    assert_eq!(out(&r).len(), 32);
}
