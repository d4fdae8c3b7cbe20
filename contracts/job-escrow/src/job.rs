//! A job's states, limits and storage layout: the thirteen fields `job(id)` returns, indexed by the
//! `F_…` constants, and how they map onto nine storage slots (the five small fields share one). The
//! stake a job locks is kept by the registry (`jobLock(provider, jobId)`), not here.

use alloy_primitives::{uint, U256};

/// No such job (state 0).
pub const NONE: u8 = 0;
/// Created; credits locked; waiting for a provider.
pub const OPEN: u8 = 1;
/// Accepted; stake locked; waiting for the result.
pub const RUNNING: u8 = 2;
/// Result submitted; challenge window running.
pub const SUBMITTED: u8 = 3;
/// Terminal: cost settled to the provider, the rest refunded.
pub const COMPLETED: u8 = 4;
/// Terminal: cancelled before acceptance, everything refunded.
pub const CANCELLED: u8 = 5;
/// Result disputed; bond held; arbitration window running.
pub const DISPUTED: u8 = 6;
/// Terminal: provider ruled at fault, everything refunded, provider slashed and jailed.
pub const REFUNDED: u8 = 7;
/// Terminal: no result by the deadline, everything refunded, provider slashed.
pub const EXPIRED: u8 = 8;

/// Largest `gpuCount` of a job (the registry's bound on a provider's GPUs).
pub const MAX_GPU_COUNT: u32 = 1024;
/// Longest `maxDuration` of a job: 30 days, in seconds.
pub const MAX_JOB_DURATION: u64 = 2_592_000;
/// Seconds per hour: prices are per GPU-hour.
pub(crate) const HOUR: U256 = uint!(3_600_U256);

/// Number of fields of a job (the values `job(id)` returns, in order).
pub const JOB_FIELDS: usize = 13;
/// Number of storage slots of a job: the eight 256-bit fields one slot each, and one slot packing the
/// five small ones (state, GPU count, max duration, used seconds, phase end). Packing saves three
/// fresh-slot writes (22,100 gas each) in `createJob` and one in `submitResult`, and turns the
/// transitions' two or three writes into one (measured in BENCHMARKS.md).
pub(crate) const JOB_SLOTS: usize = 9;
/// Slot of each field (index: the `F_…` constants); slot 0 is the packed one.
pub(crate) const SLOT_OF: [u8; JOB_FIELDS] = [0, 1, 2, 3, 4, 0, 0, 5, 6, 7, 0, 8, 0];
/// `(bit offset, bit width)` of each field packed in slot 0 (little-endian bit order: offset 0 is
/// the least significant bit); `(0, 0)` for a field with a slot of its own. State and GPU count
/// take 32 bits each (both fit: ≤ 8 and ≤ [`MAX_GPU_COUNT`]), the three second counts 64 bits each.
pub(crate) const PACKING: [(u8, u8); JOB_FIELDS] = [
    (0, 32),
    (0, 0),
    (0, 0),
    (0, 0),
    (0, 0),
    (32, 32),
    (64, 64),
    (0, 0),
    (0, 0),
    (0, 0),
    (128, 64),
    (0, 0),
    (192, 64),
];
/// Job field 0: one of [`OPEN`] … [`EXPIRED`]; [`NONE`] for an unknown id.
pub(crate) const F_STATE: usize = 0;
/// Job field 1: who created the job and whose credits are locked.
pub(crate) const F_REQUESTER: usize = 1;
/// Job field 2: the named provider (zero = any) until accepted; the accepting provider after.
pub(crate) const F_PROVIDER: usize = 2;
/// Job field 3: hash of the job specification (off-chain).
pub(crate) const F_SPEC_HASH: usize = 3;
/// Job field 4: hash of the submitted result (off-chain); zero before submission.
pub(crate) const F_RESULT_HASH: usize = 4;
/// Job field 5: GPUs booked, 1..=[`MAX_GPU_COUNT`].
pub(crate) const F_GPU_COUNT: usize = 5;
/// Job field 6: longest run, 1..=[`MAX_JOB_DURATION`] seconds.
pub(crate) const F_MAX_DURATION: usize = 6;
/// Job field 7: credits per GPU-hour.
pub(crate) const F_PRICE: usize = 7;
/// Job field 8: credits locked at creation.
pub(crate) const F_MAX_COST: usize = 8;
/// Job field 9: credits claimed by the result (settled if Completed; 0 if Refunded).
pub(crate) const F_COST: usize = 9;
/// Job field 10: GPU-seconds reported by the provider.
pub(crate) const F_USED_SECONDS: usize = 10;
/// Job field 11: wei of CT posted as dispute bond (0 if never disputed).
pub(crate) const F_BOND: usize = 11;
/// Job field 12: end of the current phase (unix seconds); see the crate docs.
pub(crate) const F_UNTIL: usize = 12;
