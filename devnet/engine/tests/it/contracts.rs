//! The project's contracts (every one `scripts/contracts.txt` lists), as deployed (cargo-stylus's rewrite of the `scripts/build-wasm.sh`
//! build): activation gas, data fee and init costs against Nitro's formulas, with every measure of
//! the module counted here, independently of the engine.
//!
//! The instrumented op count follows from the middlewares' rules (`crates/prover/src/programs/`):
//! per function, its operators (final `end` included) + 12 per basic block (`meter.rs`: one header
//! per block-ending operator) + 17 per `memory.fill`/`memory.copy` (`dynamic.rs`) + 12 at entry,
//! one extra `return` and 4 before every `return` (`depth.rs`) + 4 per `memory.grow` of a
//! growable memory (`heap.rs`).
//!
//! The table in BENCHMARKS.md is this test's output:
//!
//! ```text
//! cargo test -p devnet-engine --test it contracts -- --nocapture
//! ```

use devnet_engine::{ArbosVersion, Engine};
use revm::primitives::{address, keccak256, Address, U256};
use wasmparser::{Operator, Parser, Payload, TypeRef};

use crate::common::*;

/// A module's measures, counted from its bytes.
#[derive(Debug, Default)]
struct Measures {
    wasm_len: u64,
    funcs: u64,
    type_len: u64,
    globals: u64,
    data_bytes: u64,
    data_segment_bytes: u64,
    elem_bytes: u64,
    pages: u64,
    ops: u64,
}

fn measure(wasm: &[u8]) -> Measures {
    let mut m = Measures {
        wasm_len: wasm.len() as u64,
        ..Default::default()
    };
    let mut types = Vec::new();
    let mut growable = false;
    for p in Parser::new(0).parse_all(wasm) {
        match p.unwrap() {
            Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    let t = t.unwrap();
                    types.push((t.params().len() + t.results().len()) as u64);
                }
            }
            Payload::ImportSection(r) => {
                for i in r {
                    assert!(matches!(i.unwrap().ty, TypeRef::Func(_)));
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    m.funcs += 1;
                    m.type_len += types[t.unwrap() as usize];
                }
            }
            Payload::MemorySection(r) => {
                for mem in r {
                    let mem = mem.unwrap();
                    m.pages = mem.initial;
                    growable = mem.maximum != Some(mem.initial);
                }
            }
            Payload::GlobalSection(r) => m.globals += u64::from(r.count()),
            Payload::DataSection(r) => {
                for d in r {
                    let d = d.unwrap();
                    m.data_bytes += d.data.len() as u64;
                    m.data_segment_bytes += d.range.len() as u64;
                }
            }
            Payload::ElementSection(r) => {
                for e in r {
                    m.elem_bytes += e.unwrap().range.len() as u64;
                }
            }
            Payload::CodeSectionEntry(body) => {
                let mut reader = body.get_operators_reader().unwrap();
                let (mut n, mut blocks, mut dynamic, mut returns, mut grows) = (0u64, 0, 0, 0, 0);
                while !reader.eof() {
                    let op = reader.read().unwrap();
                    n += 1;
                    match op {
                        Operator::End
                        | Operator::Else
                        | Operator::Loop { .. }
                        | Operator::Br { .. }
                        | Operator::BrIf { .. }
                        | Operator::BrTable { .. }
                        | Operator::If { .. }
                        | Operator::Call { .. }
                        | Operator::CallIndirect { .. } => blocks += 1,
                        Operator::Return => {
                            blocks += 1;
                            returns += 1;
                        }
                        Operator::MemoryFill { .. } | Operator::MemoryCopy { .. } => dynamic += 1,
                        Operator::MemoryGrow { .. } => grows += 1,
                        _ => {}
                    }
                }
                m.ops += n
                    + 12 * blocks
                    + 17 * dynamic
                    + 12
                    + 1
                    + 4 * (returns + 1)
                    + if growable { 4 * grows } else { 0 };
            }
            _ => {}
        }
    }
    m.globals += 4;
    m
}

/// Nitro's activation gas for `m` at ArbOS ≥ 60, intrinsic gas excluded (see
/// `conformance::activation_gas_and_data_fee_from_nitro_formulas` for each term's source).
fn nitro_activation_gas(m: &Measures) -> u64 {
    let fixed = 3 + 800 + 1_659_168 + 100 + 800 + 20_000 + 44_000 + 20_000 + 800 + 2_149 + 6;
    let us = [
        m.wasm_len * 31_733 / 100_000,
        m.funcs * 17_263 / 100_000,
        m.data_bytes * 17_376 / 100_000,
        m.elem_bytes * 17_376 / 100_000,
        m.pages * 2217,
        m.ops * 535 / 1000,
    ];
    fixed + us.iter().map(|u| u * 28).sum::<u64>()
}

#[test]
fn project_contracts_activate_at_nitro_prices() {
    const P: Address = address!("0000000000000000000000000000000000005000");
    let mut c = Chain::with_arbos(ArbosVersion::V61);
    println!("| contract | wasm bytes | functions | instrumented ops | engine activation gas | Nitro formula | difference | data fee (wei) | init gas | cached init gas |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (krate, raw) in contracts() {
        let wasm = stylus_format::cargo_stylus::prepare(raw, [0; 32]).unwrap();
        let code = stylus_format::cargo_stylus::deployable_code(raw).unwrap();
        let m = measure(&wasm);
        c.set_code(P, code.clone());
        let mut calldata = hex("58c780c2");
        calldata.extend_from_slice(P.into_word().as_slice());
        let intrinsic: u64 = 21_000
            + calldata
                .iter()
                .map(|b| if *b == 0 { 4 } else { 16 })
                .sum::<u64>();
        let r = c.activate(P);
        assert!(r.is_success(), "{krate}: {r:?}");
        let engine = gas_used(&r) - intrinsic;
        let nitro = nitro_activation_gas(&m);
        let diff = (engine as f64 - nitro as f64) / nitro as f64;
        assert!(
            diff.abs() < 0.02,
            "{krate}: activation gas {engine} vs Nitro's formula {nitro} ({:+.2}%)",
            diff * 100.0
        );
        // Init costs (`WasmBinary::instrument`) from the same measures.
        let info = Engine::program_info(&mut c.db, keccak256(&code))
            .unwrap()
            .unwrap();
        let init = m.funcs * 8252 / 1000 + m.type_len * 1059 / 1000 + m.wasm_len * 1286 / 10_000;
        let cached = m.funcs * 13_420 / 100_000
            + m.type_len * 89 / 100_000
            + m.wasm_len * 122 / 100_000
            + m.globals * 1628 / 1000
            + (m.data_segment_bytes + m.elem_bytes) * 75_244 / 100_000
            + m.pages * 5;
        assert_eq!(u64::from(info.init_cost), init, "{krate}: init cost");
        assert_eq!(
            u64::from(info.cached_cost),
            cached,
            "{krate}: cached init cost"
        );
        let fee = U256::from_be_slice(&out(&r)[32..64]);
        println!(
            "| {krate} | {} | {} | {} | {engine} | {nitro} | {:+.2}% | {fee} | {} | {} |",
            m.wasm_len,
            m.funcs,
            m.ops,
            diff * 100.0,
            info.init_gas(),
            info.cached_gas()
        );
        // The next contract starts from the same pricer state.
        c.db.insert_account_storage(
            devnet_engine::ARB_WASM,
            U256::from_be_bytes(keccak256(b"devnet.arbwasm.datapricer.demand").0),
            U256::ZERO,
        )
        .unwrap();
    }
}
