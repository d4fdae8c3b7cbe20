//! Ink metering on top of wasmi fuel (stylus-runtime.md §6.1–6.3).
//!
//! Nitro prices every WASM operator in ink (10,000 ink = 1 gas) and pre-pays each basic block with
//! its operators plus a 2,450-ink header. wasmi meters per basic block too, with a per-operator
//! fuel table of `u8` entries. This module maps Nitro's table onto wasmi fuel with
//! [`INK_PER_FUEL`] = 25 ink per fuel unit, rounding to the nearest unit and capping at 255 units;
//! the block header is added to the operators that end a basic block. See `DEVIATIONS` in lib.rs.

use wasmi::{CompilationMode, Config, CustomFuelCosts, OperatorCost};

/// Ink represented by one unit of wasmi fuel.
pub const INK_PER_FUEL: u64 = 25;
/// Fuel units per gas (`10_000 / 25`).
pub const FUEL_PER_GAS: u64 = crate::INK_PRICE / INK_PER_FUEL;
/// Nitro's per-basic-block header (ink).
const BLOCK_HEADER_INK: u64 = 2450;

/// Converts an ink price to fuel units (nearest, capped at `u8::MAX`).
const fn f(ink: u64) -> u8 {
    let units = (ink + INK_PER_FUEL / 2) / INK_PER_FUEL;
    if units > 255 {
        255
    } else {
        units as u8
    }
}

/// Converts ink to fuel, rounding up (used for hostio charges).
pub const fn ink_to_fuel(ink: u64) -> u64 {
    ink.div_ceil(INK_PER_FUEL)
}

/// Nitro's v1/v2 operator table (stylus-runtime.md §6.2) as wasmi fuel.
pub fn operator_costs() -> OperatorCost {
    let mut c = OperatorCost::default();
    let hdr = BLOCK_HEADER_INK;
    // Control flow (block-ending operators also carry the next block's header).
    c.unreachable = f(1);
    c.nop = f(1);
    c.block = f(1);
    // `loop` ends the block before it, but wasmi charges the loop's own fuel on every iteration,
    // where the back-branch already carries the header: no header here.
    c.loop_ = f(1);
    c.if_ = f(765 + hdr);
    c.else_ = f(1 + hdr);
    // wasmi charges a loop's `end` with the loop body on every iteration, so the header sits on
    // the branches instead (see DEVIATIONS).
    c.end = f(1);
    c.br = f(765 + hdr);
    c.br_if = f(765 + hdr);
    c.br_table = f(2400 + 325 * 2 + hdr);
    c.return_ = f(1 + hdr);
    c.call = f(3800 + hdr);
    c.call_indirect = f(13610 + 650 + hdr);
    c.drop = f(9);
    c.select = f(1250);
    c.typed_select = f(1250);
    c.local_get = f(75);
    c.local_tee = f(75);
    c.local_set = f(210);
    c.global_get = f(225);
    c.global_set = f(575);
    for x in [
        &mut c.i32_load,
        &mut c.i32_load8_s,
        &mut c.i32_load8_u,
        &mut c.i32_load16_s,
        &mut c.i32_load16_u,
    ] {
        *x = f(670);
    }
    for x in [
        &mut c.i64_load,
        &mut c.i64_load8_s,
        &mut c.i64_load8_u,
        &mut c.i64_load16_s,
        &mut c.i64_load16_u,
        &mut c.i64_load32_s,
        &mut c.i64_load32_u,
    ] {
        *x = f(680);
    }
    for x in [&mut c.i32_store, &mut c.i32_store8, &mut c.i32_store16] {
        *x = f(825);
    }
    for x in [
        &mut c.i64_store,
        &mut c.i64_store8,
        &mut c.i64_store16,
        &mut c.i64_store32,
    ] {
        *x = f(950);
    }
    c.memory_size = f(3000);
    c.memory_grow = f(8050);
    c.i32_const = f(1);
    c.i64_const = f(1);
    for x in [
        &mut c.i32_eqz,
        &mut c.i32_eq,
        &mut c.i32_ne,
        &mut c.i32_lt_s,
        &mut c.i32_lt_u,
        &mut c.i32_gt_s,
        &mut c.i32_gt_u,
        &mut c.i32_le_s,
        &mut c.i32_le_u,
        &mut c.i32_ge_s,
        &mut c.i32_ge_u,
    ] {
        *x = f(170);
    }
    for x in [
        &mut c.i64_eqz,
        &mut c.i64_eq,
        &mut c.i64_ne,
        &mut c.i64_lt_s,
        &mut c.i64_lt_u,
        &mut c.i64_gt_s,
        &mut c.i64_gt_u,
        &mut c.i64_le_s,
        &mut c.i64_le_u,
        &mut c.i64_ge_s,
        &mut c.i64_ge_u,
    ] {
        *x = f(225);
    }
    for x in [
        &mut c.i32_clz,
        &mut c.i32_ctz,
        &mut c.i64_clz,
        &mut c.i64_ctz,
    ] {
        *x = f(210);
    }
    for x in [
        &mut c.i32_add,
        &mut c.i32_sub,
        &mut c.i32_and,
        &mut c.i32_or,
        &mut c.i32_xor,
        &mut c.i32_shl,
        &mut c.i32_shr_s,
        &mut c.i32_shr_u,
        &mut c.i32_rotl,
        &mut c.i32_rotr,
    ] {
        *x = f(70);
    }
    for x in [
        &mut c.i64_add,
        &mut c.i64_sub,
        &mut c.i64_and,
        &mut c.i64_or,
        &mut c.i64_xor,
        &mut c.i64_shl,
        &mut c.i64_shr_s,
        &mut c.i64_shr_u,
        &mut c.i64_rotl,
        &mut c.i64_rotr,
    ] {
        *x = f(100);
    }
    c.i32_mul = f(160);
    c.i64_mul = f(160);
    for x in [
        &mut c.i32_div_s,
        &mut c.i32_div_u,
        &mut c.i32_rem_s,
        &mut c.i32_rem_u,
    ] {
        *x = f(1120);
    }
    for x in [
        &mut c.i64_div_s,
        &mut c.i64_div_u,
        &mut c.i64_rem_s,
        &mut c.i64_rem_u,
    ] {
        *x = f(1270);
    }
    c.i32_popcnt = f(2650);
    c.i64_popcnt = f(6000);
    for x in [
        &mut c.i32_wrap_i64,
        &mut c.i64_extend_i32_s,
        &mut c.i64_extend_i32_u,
        &mut c.i32_extend8_s,
        &mut c.i32_extend16_s,
        &mut c.i64_extend8_s,
        &mut c.i64_extend16_s,
        &mut c.i64_extend32_s,
    ] {
        *x = f(100);
    }
    c.memory_copy = f(950);
    c.memory_fill = f(950);
    c
}

/// The wasmi engine used for all programs: eager compilation (no lazy-translation fuel), fuel
/// metering with [`operator_costs`], 1 fuel per copied byte.
pub fn wasmi_engine() -> wasmi::Engine {
    let mut config = Config::default();
    config
        .consume_fuel(true)
        .compilation_mode(CompilationMode::Eager)
        .operator_cost(operator_costs())
        .fuel_cost(CustomFuelCosts {
            bytes_copied_per_fuel: 1,
            fuel_per_bytes_translated: 0,
            fuel_per_bytes_validated: 0,
        });
    wasmi::Engine::new(&config)
}
