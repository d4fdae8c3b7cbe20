//! Property tests (crate invariants 1–5; docs/protocol.md §12, invariants 5–7): random sequences of register / deregister / stake /
//! requestUnbond / cancelUnbond / withdraw / lockStake / releaseStake / slashJob / jail / syncStake,
//! parameter changes and time travel by two providers, run against the contract (with the token
//! and `Emissions` models of [`super::host`]) and against a plain-Rust model in `u128`. Every call
//! must succeed or fail exactly as the model says (same error and fields; a failed check writes
//! nothing and makes no mutating call), and after every call:
//! 1. the registry's token balance = Σ (active + unbonding) over providers;
//! 2. `lockedStake` = Σ of the provider's open locks (even above its active stake after a slash),
//!    `openJobs` = their number, and every `jobLock` is the model's `(amount, penaltyBase)`;
//! 3. `unbondingStake` = Σ pending requests, at most 16 pending, each as the model has it;
//! 4. a slash is `min(base × min(bps, maxSlashBps) / 10⁴, stake held)`, so at most
//!    `maxSlashBps × base / 10⁴`, taken pro rata (every unbonding request pays its share, so
//!    unbonding does not dodge a slash);
//! 5. no withdrawal while a job is open; a withdrawal pays exactly the matured requests;
//! 6. `Emissions` holds, per provider, exactly the earning stake of the last change (active stake
//!    if eligible, else 0), reported once per change and never otherwise.
//!
//! Cases: 128 by default (~8 s of CPU in a debug build); `PROPTEST_CASES=10000 cargo test -p
//! provider-registry proptests` runs more (proptest 1.x applies `PROPTEST_CASES` over the configured
//! count: `contextualize_config` in its `proptest!` macro).

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;

const PROVIDERS: [Address; 2] = [PROVIDER, OTHER];
const GPUS: [u32; 2] = [8, 1];
const VRAM: [u32; 2] = [80, 24];
const CT: u128 = 1_000_000_000_000_000_000;
/// `minStakeBase` in these runs (the lowest allowed), so that eligibility comes and goes often.
const MIN_STAKE: u128 = 100 * CT;
const SHARE: u128 = 5_000;
const JOBS: u64 = 6;
const UNBONDING: u64 = 14 * DAY;

#[derive(Debug, Clone)]
enum Op {
    Register {
        who: usize,
    },
    Deregister {
        who: usize,
    },
    Stake {
        who: usize,
        amount: u128,
    },
    Unbond {
        who: usize,
        amount: Amount,
    },
    Cancel {
        who: usize,
        pick: Pick,
    },
    Withdraw {
        who: usize,
    },
    Lock {
        who: usize,
        job: u64,
        amount: Amount,
        gpus: u32,
    },
    Release {
        who: usize,
        pick: Pick,
    },
    Slash {
        who: usize,
        pick: Pick,
        bps: u64,
    },
    Jail {
        who: usize,
        offset: u64,
    },
    Sync {
        who: usize,
    },
    Param {
        which: usize,
        choice: usize,
    },
    Warp {
        seconds: u64,
    },
}

/// An amount, raw or as a share of the provider's free stake when the op runs (so that locks and
/// unbonding requests succeed often enough to reach every state, including locks above the active
/// stake after a slash).
#[derive(Debug, Clone, Copy)]
enum Amount {
    Raw(u128),
    /// `free × bps / 10⁴`.
    OfFree(u128),
}

/// Which job (or unbonding request) an op targets.
#[derive(Debug, Clone, Copy)]
enum Pick {
    /// The `i`-th (modulo their number) open job / pending request, if there is one.
    Open(usize),
    /// Any id (mostly unknown ones: the error paths).
    Any(u64),
}

fn raw() -> impl Strategy<Value = u128> {
    prop_oneof![
        1 => Just(0u128),
        1 => 1u128..1_000,
        5 => (1u128..1_500).prop_map(|n| n * CT),
        2 => 1u128..1_500 * CT,
    ]
}

fn amount() -> impl Strategy<Value = Amount> {
    prop_oneof![
        1 => raw().prop_map(Amount::Raw),
        2 => (0u128..=10_000).prop_map(Amount::OfFree),
        1 => (9_000u128..=10_000).prop_map(Amount::OfFree),
    ]
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        4 => (0usize..64).prop_map(Pick::Open),
        1 => (0u64..JOBS + 2).prop_map(Pick::Any),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0usize..2;
    prop_oneof![
        2 => who.clone().prop_map(|who| Op::Register { who }),
        1 => who.clone().prop_map(|who| Op::Deregister { who }),
        4 => (who.clone(), raw()).prop_map(|(who, amount)| Op::Stake { who, amount }),
        3 => (who.clone(), amount()).prop_map(|(who, amount)| Op::Unbond { who, amount }),
        2 => (who.clone(), pick()).prop_map(|(who, pick)| Op::Cancel { who, pick }),
        2 => who.clone().prop_map(|who| Op::Withdraw { who }),
        5 => (who.clone(), 0u64..JOBS, amount(), prop_oneof![3 => 0u32..2, 1 => 0u32..10])
            .prop_map(|(who, job, amount, gpus)| Op::Lock { who, job, amount, gpus }),
        3 => (who.clone(), pick()).prop_map(|(who, pick)| Op::Release { who, pick }),
        3 => (who.clone(), pick(), 0u64..3_000).prop_map(|(who, pick, bps)| Op::Slash { who, pick, bps }),
        1 => (who.clone(), 0u64..3 * DAY).prop_map(|(who, offset)| Op::Jail { who, offset }),
        1 => who.prop_map(|who| Op::Sync { who }),
        1 => (0usize..3, 0usize..3).prop_map(|(which, choice)| Op::Param { which, choice }),
        2 => prop_oneof![0u64..DAY, Just(UNBONDING), 0u64..20 * DAY]
            .prop_map(|seconds| Op::Warp { seconds }),
    ]
}

#[derive(Default, Clone, Debug)]
struct Request {
    id: u64,
    amount: u128,
    release_at: u64,
}

/// One provider as the model has it.
#[derive(Default, Clone, Debug)]
struct P {
    registered: bool,
    gpus: u32,
    active: u128,
    /// Pending requests by slot; `None` = free slot.
    slots: [Option<Request>; MAX_UNBOND_REQUESTS],
    last_id: u64,
    jailed_until: u64,
    /// Open jobs: `job → (amount, penaltyBase)`.
    locks: BTreeMap<u64, (u128, u128)>,
    completed: u64,
    failed: u64,
    /// The last earning stake reported to `Emissions`.
    earning: u128,
}

/// The parameters these runs change.
struct Params {
    per_gpu: u128,
    max_open: usize,
    max_slash: u128,
}

impl P {
    fn unbonding(&self) -> u128 {
        self.slots.iter().flatten().map(|r| r.amount).sum()
    }
    fn locked(&self) -> u128 {
        self.locks.values().map(|l| l.0).sum()
    }
    fn free(&self) -> u128 {
        self.active.saturating_sub(self.locked())
    }
    fn eligible(&self, now: u64, params: &Params) -> bool {
        self.registered
            && now >= self.jailed_until
            && self.active >= MIN_STAKE + params.per_gpu * u128::from(self.gpus)
    }
    fn amount(&self, amount: Amount) -> u128 {
        match amount {
            Amount::Raw(x) => x,
            Amount::OfFree(bps) => mul_div_model(self.free(), bps, 10_000, false),
        }
    }
    fn job(&self, pick: Pick) -> u64 {
        match pick {
            Pick::Open(i) if !self.locks.is_empty() => {
                *self.locks.keys().nth(i % self.locks.len()).unwrap()
            }
            Pick::Open(i) => i as u64 % JOBS,
            Pick::Any(id) => id,
        }
    }
    fn request(&self, pick: Pick) -> u64 {
        let ids: Vec<u64> = self.slots.iter().flatten().map(|r| r.id).collect();
        match pick {
            Pick::Open(i) if !ids.is_empty() => ids[i % ids.len()],
            Pick::Open(i) => i as u64,
            Pick::Any(id) => id,
        }
    }
    /// The earning stake now (what a report sends).
    fn earning_now(&self, now: u64, params: &Params) -> u128 {
        if self.eligible(now, params) {
            self.active
        } else {
            0
        }
    }
}

fn u(x: u128) -> U256 {
    U256::from(x)
}

/// ⌈a·b/d⌉ (`up`) or ⌊a·b/d⌋ in 256 bits (a·b overflows u128 for CT amounts).
fn mul_div_model(a: u128, b: u128, d: u128, up: bool) -> u128 {
    let (a, b, d) = (U256::from(a), U256::from(b), U256::from(d));
    let q = if up { (a * b).div_ceil(d) } else { a * b / d };
    q.to::<u128>()
}

fn check(registry: &ProviderRegistry, host: &RegistryHost, model: &[P; 2]) {
    let mut total = 0u128;
    for (i, p) in model.iter().enumerate() {
        let who = PROVIDERS[i];
        assert_eq!(
            registry.provider_info(who),
            (
                p.registered,
                H100,
                GPUS[i],
                VRAM[i],
                EU,
                u(p.active),
                u(p.locked()),
                u(p.unbonding()),
                p.jailed_until,
                p.completed,
                p.failed,
                p.locks.len() as u64,
            ),
            "providerInfo of {i}"
        );
        for job in 0..JOBS {
            let (amount, base) = p.locks.get(&job).copied().unwrap_or_default();
            assert_eq!(
                registry.job_lock(who, U256::from(job)),
                (u(amount), u(base))
            );
        }
        assert!(p.slots.iter().flatten().count() <= MAX_UNBOND_REQUESTS);
        for r in p.slots.iter().flatten() {
            assert_eq!(
                registry.unbond_request(who, U256::from(r.id)),
                (u(r.amount), r.release_at)
            );
        }
        assert_eq!(
            host.emissions
                .borrow()
                .earning
                .get(&who)
                .copied()
                .unwrap_or_default(),
            u(p.earning),
            "Emissions holds the last reported earning stake"
        );
        total += p.active + p.unbonding();
    }
    assert_eq!(
        host.token.borrow().balance(REGISTRY),
        u(total),
        "token balance = Σ active + unbonding"
    );
}

fn run(ops: Vec<Op>) {
    let (host, mut registry) = deploy();
    let vm = host.vm.clone();
    set_param(&host, &mut registry, MIN_STAKE_BASE, u(MIN_STAKE));
    let mut params = Params {
        per_gpu: 50 * CT,
        max_open: 4,
        max_slash: 2_000,
    };
    set_param(&host, &mut registry, STAKE_PER_GPU, u(params.per_gpu));
    set_param(
        &host,
        &mut registry,
        MAX_OPEN_JOBS,
        U256::from(params.max_open),
    );
    set_param(&host, &mut registry, MAX_SLASH_BPS, u(params.max_slash));
    let mut model: [P; 2] = Default::default();
    for (i, who) in PROVIDERS.into_iter().enumerate() {
        host.token
            .borrow_mut()
            .balances
            .insert(who, u(1_000_000_000 * CT));
        vm.set_sender(who);
        registry
            .register(H100, GPUS[i], VRAM[i], EU, String::new())
            .unwrap();
        registry.stake(u(2_000 * CT)).unwrap();
        model[i] = P {
            registered: true,
            gpus: GPUS[i],
            active: 2_000 * CT,
            earning: 2_000 * CT,
            ..P::default()
        };
    }
    let mut now = T0;
    for op in ops {
        clear(&host);
        // The provider whose earning stake the call must report, if it succeeds and reports.
        let mut reported: Option<usize> = None;
        match op.clone() {
            Op::Register { who } => {
                vm.set_sender(PROVIDERS[who]);
                let p = &mut model[who];
                if p.registered {
                    let e = Error::AlreadyRegistered(RegistryAlreadyRegistered {
                        provider: PROVIDERS[who],
                    });
                    rejects(&host, e, || {
                        registry.register(H100, GPUS[who], VRAM[who], EU, String::new())
                    });
                } else {
                    registry
                        .register(H100, GPUS[who], VRAM[who], EU, String::new())
                        .unwrap();
                    p.registered = true;
                    reported = Some(who);
                }
            }
            Op::Deregister { who } => {
                vm.set_sender(PROVIDERS[who]);
                let p = &mut model[who];
                let slot = p.slots.iter().position(Option::is_none);
                if !p.registered {
                    rejects(&host, not_registered(PROVIDERS[who]), || {
                        registry.deregister()
                    });
                } else if !p.locks.is_empty() {
                    rejects(
                        &host,
                        jobs_open(PROVIDERS[who], p.locks.len() as u64),
                        || registry.deregister(),
                    );
                } else if p.active > 0 && slot.is_none() {
                    let e = Error::TooManyUnbondRequests(RegistryTooManyUnbondRequests {
                        provider: PROVIDERS[who],
                        maxRequests: U256::from(16),
                    });
                    rejects(&host, e, || registry.deregister());
                } else {
                    registry.deregister().unwrap();
                    let mut request_id = 0;
                    if p.active > 0 {
                        p.last_id += 1;
                        request_id = p.last_id;
                        p.slots[slot.unwrap()] = Some(Request {
                            id: p.last_id,
                            amount: p.active,
                            release_at: now + UNBONDING,
                        });
                    }
                    assert_eq!(
                        logs_of::<Deregistered>(&vm),
                        vec![Deregistered {
                            provider: PROVIDERS[who],
                            requestId: U256::from(request_id),
                            amount: u(p.active),
                        }]
                    );
                    p.active = 0;
                    p.registered = false;
                    reported = Some(who);
                }
            }
            Op::Stake { who, amount } => {
                vm.set_sender(PROVIDERS[who]);
                let p = &mut model[who];
                if !p.registered {
                    rejects(&host, not_registered(PROVIDERS[who]), || {
                        registry.stake(u(amount))
                    });
                } else if amount == 0 {
                    rejects(&host, Error::ZeroAmount(RegistryZeroAmount {}), || {
                        registry.stake(u(amount))
                    });
                } else {
                    registry.stake(u(amount)).unwrap();
                    p.active += amount;
                    reported = Some(who);
                }
            }
            Op::Unbond { who, amount } => {
                vm.set_sender(PROVIDERS[who]);
                let p = &mut model[who];
                let amount = p.amount(amount);
                let free = p.free();
                let slot = p.slots.iter().position(Option::is_none);
                if amount == 0 {
                    rejects(&host, Error::ZeroAmount(RegistryZeroAmount {}), || {
                        registry.request_unbond(u(amount))
                    });
                } else if amount > free {
                    rejects(
                        &host,
                        short_of_free(PROVIDERS[who], u(free), u(amount)),
                        || registry.request_unbond(u(amount)),
                    );
                } else if let Some(slot) = slot {
                    p.last_id += 1;
                    p.slots[slot] = Some(Request {
                        id: p.last_id,
                        amount,
                        release_at: now + UNBONDING,
                    });
                    p.active -= amount;
                    assert_eq!(
                        registry.request_unbond(u(amount)),
                        Ok(U256::from(p.last_id))
                    );
                    reported = Some(who);
                } else {
                    let e = Error::TooManyUnbondRequests(RegistryTooManyUnbondRequests {
                        provider: PROVIDERS[who],
                        maxRequests: U256::from(16),
                    });
                    rejects(&host, e, || registry.request_unbond(u(amount)));
                }
            }
            Op::Cancel { who, pick } => {
                vm.set_sender(PROVIDERS[who]);
                let p = &mut model[who];
                let id = p.request(pick);
                let slot = p
                    .slots
                    .iter()
                    .position(|r| r.as_ref().is_some_and(|r| r.id == id));
                if !p.registered {
                    rejects(&host, not_registered(PROVIDERS[who]), || {
                        registry.cancel_unbond(U256::from(id))
                    });
                } else if let Some(slot) = slot {
                    let r = p.slots[slot].take().unwrap();
                    p.active += r.amount;
                    registry.cancel_unbond(U256::from(id)).unwrap();
                    reported = Some(who);
                } else {
                    let e = Error::UnknownUnbondRequest(RegistryUnknownUnbondRequest {
                        provider: PROVIDERS[who],
                        requestId: U256::from(id),
                    });
                    rejects(&host, e, || registry.cancel_unbond(U256::from(id)));
                }
            }
            Op::Withdraw { who } => {
                vm.set_sender(PROVIDERS[who]);
                let p = &mut model[who];
                if !p.locks.is_empty() {
                    // Invariant 5: nothing leaves while a job is open, matured or not.
                    rejects(
                        &host,
                        jobs_open(PROVIDERS[who], p.locks.len() as u64),
                        || registry.withdraw(),
                    );
                } else {
                    let mut paid = 0u128;
                    for slot in p.slots.iter_mut() {
                        if slot.as_ref().is_some_and(|r| r.release_at <= now) {
                            paid += slot.take().unwrap().amount;
                        }
                    }
                    let before = host.token.borrow().balance(PROVIDERS[who]);
                    if paid == 0 {
                        let e = Error::NothingToWithdraw(RegistryNothingToWithdraw {
                            provider: PROVIDERS[who],
                        });
                        rejects(&host, e, || registry.withdraw());
                    } else {
                        assert_eq!(registry.withdraw(), Ok(u(paid)));
                        let after = host.token.borrow().balance(PROVIDERS[who]);
                        assert_eq!(after - before, u(paid), "paid exactly the matured requests");
                    }
                    // Nothing paid early, nothing matured left behind.
                    assert!(p.slots.iter().flatten().all(|r| r.release_at > now));
                }
            }
            Op::Lock {
                who,
                job,
                amount,
                gpus,
            } => {
                vm.set_sender(MANAGER);
                let provider = PROVIDERS[who];
                let p = &mut model[who];
                let amount = p.amount(amount);
                let expected = if !p.eligible(now, &params) {
                    Err(Error::NotEligible(RegistryNotEligible { provider }))
                } else if gpus > p.gpus {
                    Err(Error::InsufficientGpus(RegistryInsufficientGpus {
                        provider,
                        needed: gpus,
                        registered: p.gpus,
                    }))
                } else if p.locks.len() >= params.max_open {
                    Err(Error::TooManyOpenJobs(RegistryTooManyOpenJobs {
                        provider,
                        maxOpenJobs: U256::from(params.max_open),
                    }))
                } else if p.locks.contains_key(&job) {
                    Err(Error::LockExists(RegistryLockExists {
                        provider,
                        jobId: U256::from(job),
                    }))
                } else if amount > p.free() {
                    Err(short_of_free(provider, u(p.free()), u(amount)))
                } else {
                    Ok(())
                };
                let call = |r: &mut ProviderRegistry| {
                    r.lock_stake(provider, U256::from(job), u(amount), gpus)
                };
                match expected {
                    Err(e) => rejects(&host, e, || call(&mut registry)),
                    Ok(()) => {
                        call(&mut registry).unwrap();
                        let base = p.active + p.unbonding();
                        p.locks.insert(job, (amount, base));
                        only_log(
                            &vm,
                            StakeLocked {
                                provider,
                                jobId: U256::from(job),
                                amount: u(amount),
                                penaltyBase: u(base),
                                lockedStake: u(p.locked()),
                            },
                        );
                    }
                }
            }
            Op::Release { who, pick } => {
                vm.set_sender(MANAGER);
                let provider = PROVIDERS[who];
                let p = &mut model[who];
                let job = p.job(pick);
                match p.locks.remove(&job) {
                    None => {
                        let e = Error::UnknownLock(RegistryUnknownLock {
                            provider,
                            jobId: U256::from(job),
                        });
                        rejects(&host, e, || {
                            registry.release_stake(provider, U256::from(job))
                        });
                    }
                    Some((amount, _)) => {
                        registry.release_stake(provider, U256::from(job)).unwrap();
                        p.completed += 1;
                        only_log(
                            &vm,
                            StakeReleased {
                                provider,
                                jobId: U256::from(job),
                                amount: u(amount),
                                lockedStake: u(p.locked()),
                                success: true,
                            },
                        );
                    }
                }
            }
            Op::Slash { who, pick, bps } => {
                vm.set_sender(SLASHER);
                let provider = PROVIDERS[who];
                let p = &mut model[who];
                let job = p.job(pick);
                let call = |r: &mut ProviderRegistry| {
                    r.slash_job(provider, U256::from(job), U256::from(bps), BENEFICIARY)
                };
                let Some((amount, base)) = p.locks.remove(&job) else {
                    let e = Error::UnknownLock(RegistryUnknownLock {
                        provider,
                        jobId: U256::from(job),
                    });
                    rejects(&host, e, || call(&mut registry));
                    check(&registry, &host, &model);
                    continue;
                };
                let total = p.active + p.unbonding();
                let slashed = (base * u128::from(bps).min(params.max_slash) / 10_000).min(total);
                // Invariant 4.
                assert!(
                    slashed * 10_000 <= params.max_slash * base,
                    "slash <= maxSlashBps"
                );
                assert!(slashed <= total, "slash <= stake held");
                if slashed > 0 {
                    let from_active = mul_div_model(slashed, p.active, total, true);
                    let mut remaining = slashed - from_active;
                    // Unbonding does not dodge a slash: the unbonding buckets together pay at
                    // least their pro-rata share, rounded down.
                    assert!(remaining >= mul_div_model(slashed, p.unbonding(), total, false));
                    p.active -= from_active;
                    for r in p.slots.iter_mut().flatten() {
                        let take = mul_div_model(slashed, r.amount, total, true).min(remaining);
                        // Each request pays its pro-rata share, give or take the rounding of
                        // the 17 buckets.
                        let floor = mul_div_model(slashed, r.amount, total, false);
                        assert!(take + MAX_UNBOND_REQUESTS as u128 + 1 >= floor);
                        r.amount -= take;
                        remaining -= take;
                    }
                    assert_eq!(remaining, 0, "the takes add up to the slash");
                    for slot in p.slots.iter_mut() {
                        if slot.as_ref().is_some_and(|r| r.amount == 0) {
                            *slot = None; // slashed to nothing: the request disappears
                        }
                    }
                }
                p.failed += 1;
                let beneficiary_before = host.token.borrow().balance(BENEFICIARY);
                let burned_before = host.token.borrow().burned;
                call(&mut registry).unwrap();
                let to_beneficiary = slashed * SHARE / 10_000;
                assert_eq!(
                    logs_of::<StakeReleased>(&vm),
                    vec![StakeReleased {
                        provider,
                        jobId: U256::from(job),
                        amount: u(amount),
                        lockedStake: u(p.locked()),
                        success: false,
                    }]
                );
                assert_eq!(
                    logs_of::<Slashed>(&vm),
                    vec![Slashed {
                        provider,
                        jobId: U256::from(job),
                        beneficiary: BENEFICIARY,
                        amount: u(slashed),
                        toBeneficiary: u(to_beneficiary),
                        burned: u(slashed - to_beneficiary),
                    }]
                );
                let token = host.token.borrow();
                assert_eq!(
                    token.balance(BENEFICIARY) - beneficiary_before,
                    u(to_beneficiary)
                );
                assert_eq!(token.burned - burned_before, u(slashed - to_beneficiary));
                reported = Some(who);
            }
            Op::Jail { who, offset } => {
                vm.set_sender(SLASHER);
                let p = &mut model[who];
                let until = (now + offset).saturating_sub(2 * DAY);
                registry.jail(PROVIDERS[who], until).unwrap();
                p.jailed_until = p.jailed_until.max(until);
                only_log(
                    &vm,
                    Jailed {
                        provider: PROVIDERS[who],
                        until: p.jailed_until,
                    },
                );
                reported = Some(who);
            }
            Op::Sync { who } => {
                vm.set_sender(PROVIDER);
                registry.sync_stake(PROVIDERS[who]).unwrap();
                reported = Some(who);
            }
            Op::Param { which, choice } => {
                // Changes eligibility, the open-job bound and the slash cap without a report.
                let (name, value) = match which {
                    0 => {
                        params.per_gpu = [0, 50 * CT, 120 * CT][choice];
                        (STAKE_PER_GPU, u(params.per_gpu))
                    }
                    1 => {
                        params.max_open = [1, 2, 4][choice];
                        (MAX_OPEN_JOBS, U256::from(params.max_open))
                    }
                    _ => {
                        params.max_slash = [100, 1_000, 2_000][choice];
                        (MAX_SLASH_BPS, u(params.max_slash))
                    }
                };
                vm.set_sender(PARAMS);
                registry.set_parameter(name, value).unwrap();
            }
            Op::Warp { seconds } => {
                now += seconds;
                vm.set_block_timestamp(now);
            }
        }
        // Invariant 6: one report per change, with the exact amount; none otherwise.
        match reported {
            Some(who) => {
                let amount = model[who].earning_now(now, &params);
                model[who].earning = amount;
                assert_eq!(reports(&host), vec![(PROVIDERS[who], u(amount))]);
            }
            None => assert!(reports(&host).is_empty(), "{op:?} reported"),
        }
        check(&registry, &host, &model);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(testing::cases(128)))]

    #[test]
    fn registry_matches_the_model_and_keeps_its_invariants(
        ops in proptest::collection::vec(op(), 1..64)
    ) {
        run(ops);
    }
}
