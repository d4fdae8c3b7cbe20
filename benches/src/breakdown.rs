//! Gas breakdown (issue 18): where the gas of CT `transfer`, OpenZeppelin's Solidity `transfer`,
//! `approveResult` and `finalize` goes — intrinsic and calldata gas, program entry, WASM ink,
//! each hostio group, storage, logs, EVM execution — measured by replaying the gas scenario's
//! transactions with the engine's gas accounting (`devnet_engine::Engine::transact_profiled`).
//!
//! A replay runs the mined transaction again on the state before its block, in its block's
//! environment (the node mines one transaction per block, so Nitro's recent-program cache starts
//! empty as it did), and must use exactly the receipt's `gasUsed`; the components are summed in
//! ink (10,000 per gas), so they add up to it exactly.
use alloy::eips::BlockId;
use alloy::primitives::B256;
use devnet_engine::revm::context::{BlockEnv, CfgEnv};
use devnet_engine::revm::primitives::hardfork::SpecId;
use devnet_engine::revm::primitives::U256;
use devnet_engine::{Engine, EngineConfig, GasProfile, HostioId, ProfileTotals, INK_PRICE};
use eyre::{bail, eyre, Result};

/// The operations of the gas scenario the breakdown profiles (column order).
pub const PROFILED: &[&str] = &[
    "ct.transfer (fresh holder)",
    "oz.transfer (fresh holder)",
    "escrow.approveResult (settles)",
    "escrow.finalize (settles)",
];

/// The command that prints the breakdown.
pub const COMMAND: &str = "cargo run -p compute-market-bench --release -- breakdown";

/// Replays mined transaction `hash` of `node` with the gas accounting on, on the state before its
/// block and in its block's environment (the node's `Backend` environment: Prague, the chain id,
/// the per-transaction gas cap, EIP-3607 off).
///
/// # Errors
/// Unknown transaction, a block with more than one transaction (the recent-program cache would
/// differ), a state older than the node keeps, or an engine error.
pub fn replay(node: &devnet::NodeHandle, hash: B256) -> Result<GasProfile> {
    let backend = node.backend();
    let (block, index) = backend
        .tx_location(hash)
        .ok_or_else(|| eyre!("transaction {hash} not found"))?;
    if index != 0 || block.txs.len() != 1 {
        bail!(
            "transaction {hash} shares block {} with others (replay needs automine)",
            block.number()
        );
    }
    let mined = &block.txs[index];
    let parent = block.number().saturating_sub(1);
    let db = backend
        .with_state(Some(BlockId::number(parent)), Clone::clone)
        .map_err(|e| eyre!("state before block {}: {e}", block.number()))?;
    let h = &block.header;
    let env = BlockEnv {
        number: U256::from(h.number),
        beneficiary: h.beneficiary,
        timestamp: U256::from(h.timestamp),
        gas_limit: h.gas_limit,
        basefee: h.base_fee_per_gas.unwrap_or_default(),
        difficulty: U256::ZERO,
        prevrandao: Some(h.mix_hash),
        ..Default::default()
    };
    let params = backend.params();
    let mut cfg = CfgEnv::new_with_spec(SpecId::PRAGUE);
    cfg.chain_id = params.chain_id;
    cfg.tx_gas_limit_cap = Some(params.tx_gas_cap);
    cfg.disable_eip3607 = true;
    let config = devnet::NodeConfig::test();
    let engine = Engine::with_arbos_version(
        EngineConfig {
            debug: config.debug,
        },
        config.arbos_version,
    );
    let tx = devnet::backend::convert::tx_env(&mined.envelope, mined.sender);
    let hashes: Vec<B256> = Vec::new();
    let mut view = devnet::backend::db::StateView::new(&db, &hashes);
    let (_, profile) = engine
        .transact_profiled(&mut view, &cfg, &env, tx)
        .map_err(|e| eyre!("replaying {hash}: {e}"))?;
    Ok(profile)
}

/// Which hostios form a row of the table.
const ARGS: &[HostioId] = &[
    HostioId::ReadArgs,
    HostioId::WriteResult,
    HostioId::ExitEarly,
    HostioId::ReadReturnData,
    HostioId::ReturnDataSize,
];
const CONTEXT: &[HostioId] = &[
    HostioId::MsgSender,
    HostioId::MsgValue,
    HostioId::MsgReentrant,
    HostioId::BlockBasefee,
    HostioId::Chainid,
    HostioId::BlockCoinbase,
    HostioId::BlockGasLimit,
    HostioId::BlockNumber,
    HostioId::BlockTimestamp,
    HostioId::ContractAddress,
    HostioId::TxGasPrice,
    HostioId::TxInkPrice,
    HostioId::TxOrigin,
    HostioId::EvmGasLeft,
    HostioId::EvmInkLeft,
];
const MATH: &[HostioId] = &[
    HostioId::MathDiv,
    HostioId::MathMod,
    HostioId::MathPow,
    HostioId::MathAddMod,
    HostioId::MathMulMod,
];
const CALLS: &[HostioId] = &[
    HostioId::CallContract,
    HostioId::DelegateCallContract,
    HostioId::StaticCallContract,
    HostioId::Create1,
    HostioId::Create2,
];
const ACCOUNTS: &[HostioId] = &[
    HostioId::AccountBalance,
    HostioId::AccountCode,
    HostioId::AccountCodeSize,
    HostioId::AccountCodehash,
];
const TRANSIENT: &[HostioId] = &[
    HostioId::TransientLoadBytes32,
    HostioId::TransientStoreBytes32,
];

/// One component: label and ink (negative for the refund).
pub type Component = (&'static str, i128);

fn ink(gas: u64) -> i128 {
    i128::from(gas) * i128::from(INK_PRICE)
}

/// Count, ink and EVM-rule gas of a group of hostios.
fn group(t: &ProfileTotals, ids: &[HostioId]) -> (u64, i128, i128) {
    ids.iter().fold((0, 0, 0), |(c, i, e), id| {
        let h = t.stylus.hostio(*id);
        (c + h.count, i + i128::from(h.ink), e + ink(h.evm_gas))
    })
}

/// The components of `p`, in table order, in ink. They add up to `gas_used × 10,000`
/// ([`check`]).
pub fn components(p: &GasProfile) -> Vec<Component> {
    let t = p.totals();
    let s = &t.stylus;
    let h = |id| s.hostio(id);
    let split = |id: HostioId| {
        let x = h(id);
        (ink(x.evm_gas), i128::from(x.ink) - ink(x.evm_gas))
    };
    let (sload_rule, sload_ink) = split(HostioId::StorageLoadBytes32);
    let (flush_rule, flush_ink) = split(HostioId::StorageFlushCache);
    let (log_rule, log_ink) = split(HostioId::EmitLog);
    let (_, calls, calls_rule) = group(&t, CALLS);
    let mem = i128::from(h(HostioId::PayForMemoryGrow).ink);
    vec![
        ("intrinsic: base", ink(p.intrinsic_base)),
        ("intrinsic: calldata", ink(p.intrinsic_calldata)),
        (
            "intrinsic: other (create, access list)",
            ink(p.intrinsic_other),
        ),
        (
            "program entry: init (uncached programs only)",
            ink(s.entry_init_gas),
        ),
        (
            "program entry: cached init (every call)",
            ink(s.entry_cached_init_gas),
        ),
        ("program entry: memory pages", ink(s.entry_memory_gas) + mem),
        ("WASM instructions (ink)", i128::from(s.wasm_ink)),
        ("hostio: args, result, return data", group(&t, ARGS).1),
        ("hostio: msg / block / tx reads", group(&t, CONTEXT).1),
        (
            "hostio: keccak",
            i128::from(h(HostioId::NativeKeccak256).ink),
        ),
        ("hostio: math", group(&t, MATH).1),
        ("hostio: account reads", group(&t, ACCOUNTS).1),
        (
            "storage load: SLOAD rule (2,100 cold / 100 warm)",
            sload_rule,
        ),
        ("storage load: hostio ink (base + EVM API)", sload_ink),
        (
            "storage cache writes: hostio ink",
            i128::from(h(HostioId::StorageCacheBytes32).ink),
        ),
        ("storage flush: SSTORE rule (EIP-2200/2929)", flush_rule),
        ("storage flush: hostio ink", flush_ink),
        ("transient storage", group(&t, TRANSIENT).1),
        ("logs: LOG rule (375 + 375/topic + 8/byte)", log_rule),
        ("logs: hostio ink (base + data)", log_ink),
        ("calls: access rule (100 warm / 2,600 cold)", calls_rule),
        ("calls: hostio ink (base + data)", calls - calls_rule),
        (
            "program exit: output charge + ink rounding",
            ink(s.output_gas) + i128::from(s.rounding_ink),
        ),
        ("EVM: SLOAD", ink(t.evm.sload.gas)),
        ("EVM: SSTORE", ink(t.evm.sstore.gas)),
        ("EVM: LOG", ink(t.evm.log.gas)),
        ("EVM: KECCAK256", ink(t.evm.keccak.gas)),
        (
            "EVM: other opcodes (stack, memory, control, calls)",
            t.evm_other_gas * i128::from(INK_PRICE),
        ),
        (
            "precompiles, deployer, code-less calls",
            ink(t.immediate_gas) + t.deployer_gas * i128::from(INK_PRICE),
        ),
        ("unattributed (0 unless out of ink)", t.unattributed_ink),
        ("refund (EIP-3529)", -ink(p.refund)),
        ("EIP-7623 floor top-up", ink(p.floor_topup)),
    ]
}

/// Checks that the components of `p` add up to its `gas_used` exactly (in ink) and that nothing
/// is unattributed.
///
/// # Errors
/// The mismatch.
pub fn check(p: &GasProfile) -> Result<()> {
    let c = components(p);
    let sum: i128 = c.iter().map(|(_, v)| v).sum();
    if sum != ink(p.gas_used) {
        bail!(
            "components add up to {sum} ink, gasUsed is {} ({} ink): {c:?}",
            p.gas_used,
            ink(p.gas_used)
        );
    }
    let t = p.totals();
    if t.unattributed_ink != 0 {
        bail!("{} ink unattributed", t.unattributed_ink);
    }
    Ok(())
}

/// Gas with one decimal from ink (`12,345.6`), or `—` for zero.
fn gas_cell(v: i128) -> String {
    if v == 0 {
        return "—".into();
    }
    let tenths = (v.abs() + i128::from(INK_PRICE) / 20) / (i128::from(INK_PRICE) / 10);
    let sign = if v < 0 { "−" } else { "" };
    let whole = u64::try_from(tenths / 10).unwrap_or(u64::MAX);
    format!("{sign}{}.{}", crate::report::thousands(whole), tenths % 10)
}

/// The markdown table: one column per profile (`PROFILED` order), plus CT − OZ when both
/// transfers are present. Rows that are zero everywhere are left out.
pub fn table(profiles: &[(&str, &GasProfile)]) -> String {
    let cols: Vec<Vec<Component>> = profiles.iter().map(|(_, p)| components(p)).collect();
    let ct = profiles
        .iter()
        .position(|(n, _)| *n == "ct.transfer (fresh holder)");
    let oz = profiles
        .iter()
        .position(|(n, _)| *n == "oz.transfer (fresh holder)");
    let diff = ct.zip(oz);
    let mut out = String::from("| component (gas) |");
    for (n, _) in profiles {
        out.push_str(&format!(" `{n}` |"));
    }
    if diff.is_some() {
        out.push_str(" CT − OZ transfer |");
    }
    out.push_str("\n|---|");
    for _ in 0..profiles.len() + usize::from(diff.is_some()) {
        out.push_str("---:|");
    }
    out.push('\n');
    let rows = cols.first().map_or(0, Vec::len);
    for r in 0..rows {
        if cols.iter().all(|c| c[r].1 == 0) {
            continue;
        }
        out.push_str(&format!("| {} |", cols[0][r].0));
        for c in &cols {
            out.push_str(&format!(" {} |", gas_cell(c[r].1)));
        }
        if let Some((a, b)) = diff {
            out.push_str(&format!(" {} |", gas_cell(cols[a][r].1 - cols[b][r].1)));
        }
        out.push('\n');
    }
    out.push_str("| **total = receipt `gasUsed`** |");
    for (_, p) in profiles {
        out.push_str(&format!(" **{}** |", crate::report::thousands(p.gas_used)));
    }
    if let Some((a, b)) = diff {
        let d = i128::from(profiles[a].1.gas_used) - i128::from(profiles[b].1.gas_used);
        out.push_str(&format!(" **{}** |", gas_cell(d * i128::from(INK_PRICE))));
    }
    out.push('\n');
    out
}

/// Counts behind the table: frames, hostio calls, storage traffic, logs.
pub fn counts(profiles: &[(&str, &GasProfile)]) -> String {
    let mut out = String::from("| count |");
    for (n, _) in profiles {
        out.push_str(&format!(" `{n}` |"));
    }
    out.push_str("\n|---|");
    for _ in profiles {
        out.push_str("---:|");
    }
    out.push('\n');
    let totals: Vec<ProfileTotals> = profiles.iter().map(|(_, p)| p.totals()).collect();
    type Row = (&'static str, fn(&ProfileTotals) -> String);
    let rows: [Row; 9] = [
        ("program frames / EVM frames", |t| {
            format!("{} / {}", t.programs, t.evm_frames)
        }),
        ("hostio calls", |t| {
            t.stylus
                .hostios
                .iter()
                .map(|h| h.count)
                .sum::<u64>()
                .to_string()
        }),
        (
            "storage loads: cold / warm / from the program's cache",
            |t| {
                let s = &t.stylus.storage;
                format!("{} / {} / {}", s.loads_cold, s.loads_warm, s.loads_cached)
            },
        ),
        ("storage_cache_bytes32 calls", |t| {
            t.stylus
                .hostio(HostioId::StorageCacheBytes32)
                .count
                .to_string()
        }),
        ("flushes / slots written: new / updated / re-written", |t| {
            let s = &t.stylus.storage;
            format!(
                "{} / {} / {} / {}",
                t.stylus.hostio(HostioId::StorageFlushCache).count,
                s.stores_new,
                s.stores_update,
                s.stores_dirty
            )
        }),
        ("logs (Stylus / EVM)", |t| {
            format!(
                "{} / {}",
                t.stylus.hostio(HostioId::EmitLog).count,
                t.evm.log.count
            )
        }),
        ("calls from programs", |t| group(t, CALLS).0.to_string()),
        ("keccak hostios / EVM KECCAK256", |t| {
            format!(
                "{} / {}",
                t.stylus.hostio(HostioId::NativeKeccak256).count,
                t.evm.keccak.count
            )
        }),
        ("EVM SLOAD / SSTORE", |t| {
            format!("{} / {}", t.evm.sload.count, t.evm.sstore.count)
        }),
    ];
    for (label, f) in rows {
        out.push_str(&format!("| {label} |"));
        for t in &totals {
            out.push_str(&format!(" {} |", f(t)));
        }
        out.push('\n');
    }
    out
}

/// Per program frame of one profile: address, gas used (children included), entry, WASM ink.
pub fn frames(p: &GasProfile, names: &[(alloy::primitives::Address, &str)]) -> String {
    let mut out = String::from(
        "| depth | program | gas used (children included) | own gas | entry | WASM (gas) | hostio (gas) | loads cold / warm / cached | slots written new / updated / re-written | logs |\n|---:|---|---:|---:|---:|---:|---:|---|---|---:|\n",
    );
    for f in &p.frames {
        let name = names
            .iter()
            .find(|(a, _)| *a == f.address)
            .map_or_else(|| f.address.to_string(), |(_, n)| (*n).to_string());
        let (entry, wasm, hostio) = f.stylus.as_ref().map_or((0, 0, 0), |s| {
            (
                ink(s.entry_gas()),
                i128::from(s.wasm_ink),
                i128::from(s.hostio_ink()),
            )
        });
        let (loads, stores, logs) = f.stylus.as_ref().map_or_else(Default::default, |s| {
            let st = &s.storage;
            (
                format!(
                    "{} / {} / {}",
                    st.loads_cold, st.loads_warm, st.loads_cached
                ),
                format!(
                    "{} / {} / {}",
                    st.stores_new, st.stores_update, st.stores_dirty
                ),
                s.hostio(HostioId::EmitLog).count,
            )
        });
        out.push_str(&format!(
            "| {} | {name} ({:?}) | {} | {} | {} | {} | {} | {loads} | {stores} | {logs} |\n",
            f.depth,
            f.kind,
            crate::report::thousands(f.gas_used),
            gas_cell(f.own_ink()),
            gas_cell(entry),
            gas_cell(wasm),
            gas_cell(hostio)
        ));
    }
    out
}
