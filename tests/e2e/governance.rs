//! Governance handover by `compute-market deploy` (issue 14): `--timelock-delay` deploys
//! OpenZeppelin's TimelockController and hands it every admin, parameter and pause role, `--admin`
//! hands them to an address; in both cases the deployer keeps no role, and `status` lists every
//! holder. Each test runs its own dev chain and deployment (not the shared one of the other e2e
//! tests), through `compute_market_scripts::deploy` as the CLI does.

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::{Address, B256, U256};
use alloy::providers::{DynProvider, Provider};
use alloy::sol_types::SolCall;
use compute_market_e2e::bindings::{IBmeController, IComputeToken, IJobEscrow};
use compute_market_e2e::*;
use compute_market_scripts::deploy::{self, Deployment};
use compute_market_scripts::governance::{
    role_holders, role_id, GovernanceOption, Holder, TimelockController, ROLE_TABLE,
};
use compute_market_scripts::status;

/// Two days, the delay issue 14 asks for.
const DELAY: u64 = 172_800;

struct Chain {
    node: devnet::NodeHandle,
    provider: DynProvider,
    deployer: Address,
    dir: tempfile_dir::Dir,
}

/// A private temp dir (std only: the e2e crate has no tempfile dependency).
mod tempfile_dir {
    use std::path::{Path, PathBuf};
    pub struct Dir(PathBuf);
    impl Dir {
        pub fn new(tag: &str) -> Self {
            let p = std::env::temp_dir().join(format!(
                "compute-market-gov-{tag}-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(&p).unwrap();
            Self(p)
        }
        pub fn path(&self) -> &Path {
            &self.0
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

async fn chain(tag: &str) -> Chain {
    let node = devnet::spawn(devnet::NodeConfig::test()).await.unwrap();
    let provider = make_provider(&node.url(), node.dev_signers()).unwrap();
    let deployer = node.dev_signers()[0].address();
    Chain {
        node,
        provider,
        deployer,
        dir: tempfile_dir::Dir::new(tag),
    }
}

impl Chain {
    fn account(&self, i: usize) -> Address {
        self.node.dev_signers()[i].address()
    }

    async fn deploy(&self, governance: GovernanceOption) -> eyre::Result<Deployment> {
        let wasm = wasm_files()?;
        let opts = deploy::DeployOptions {
            wasm_dir: wasm["compute_token"].parent().map(Into::into),
            deployments_dir: Some(self.dir.path().to_path_buf()),
            governance: Some(governance),
            quiet: true,
            ..Default::default()
        };
        deploy::deploy(&self.node.url(), self.node.dev_signers()[0].clone(), &opts).await
    }

    /// contract → role id → holders, from the logs.
    async fn holders(&self, d: &Deployment) -> BTreeMap<String, BTreeMap<B256, Vec<Address>>> {
        let mut out = BTreeMap::new();
        for (name, rec) in &d.contracts {
            out.insert(
                name.clone(),
                role_holders(&self.provider, rec.address, rec.block)
                    .await
                    .unwrap(),
            );
        }
        out
    }

    async fn warp(&self, secs: u64) {
        let _: serde_json::Value = self
            .provider
            .raw_request("evm_increaseTime".into(), (secs,))
            .await
            .unwrap();
        let _: serde_json::Value = self
            .provider
            .raw_request("evm_mine".into(), ())
            .await
            .unwrap();
    }
}

/// Every ROLE_TABLE row holds with its holder, governance rows with `holder` only, and the
/// deployer holds no role anywhere (checked from the logs and with `hasRole` for every role name).
async fn assert_handed_over(c: &Chain, d: &Deployment, holder: Address) {
    let all = c.holders(d).await;
    for (contract, roles) in &all {
        for (role, accounts) in roles {
            assert!(
                !accounts.contains(&c.deployer),
                "{contract}: the deployer still holds {role}"
            );
        }
    }
    for &(contract, rname, h) in ROLE_TABLE {
        let holders = &all[contract][&role_id(rname)];
        let want = match h {
            Holder::Governance => holder,
            Holder::Contract(other) => d.address_of(other).unwrap(),
            // Operators default to the governance holder.
            Holder::Operator(_) => holder,
        };
        assert!(holders.contains(&want), "{contract}.{rname}: {holders:?}");
        if h == Holder::Governance {
            assert_eq!(holders, &vec![holder], "{contract}.{rname}");
        }
        let addr = d.address_of(contract).unwrap();
        assert!(
            !IComputeToken::new(addr, &c.provider)
                .hasRole(role_id(rname), c.deployer)
                .call()
                .await
                .unwrap(),
            "{contract}.{rname}: hasRole(deployer)"
        );
    }
    // Renounced per contract with DEFAULT_ADMIN_ROLE last.
    let g = d.governance.as_ref().unwrap();
    for contract in d.contracts.keys() {
        let mine: Vec<&str> = g
            .renounced
            .iter()
            .filter(|r| &r.0 == contract)
            .map(|r| r.1.as_str())
            .collect();
        assert_eq!(
            mine.last(),
            Some(&"DEFAULT_ADMIN_ROLE"),
            "{contract}: {mine:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timelock_takes_every_governance_role_and_parameter_changes_wait_for_the_delay() {
    let c = chain("timelock").await;
    let proposer = c.account(1);
    let stranger = c.account(8);
    let d = c
        .deploy(GovernanceOption::Timelock {
            delay: DELAY,
            proposers: vec![proposer],
            executors: vec![proposer],
        })
        .await
        .unwrap();
    let t = d.governance.as_ref().unwrap().timelock.clone().unwrap();
    assert_eq!(d.governance.as_ref().unwrap().holder, t.address);
    assert!(
        t.compiler.contains("@openzeppelin/contracts 5.7.0"),
        "{}",
        t.compiler
    );
    assert_handed_over(&c, &d, t.address).await;

    // The timelock administers itself; the proposer proposes, cancels and executes.
    let tl = TimelockController::new(t.address, &c.provider);
    assert_eq!(tl.getMinDelay().call().await.unwrap(), U256::from(DELAY));
    let tl_roles = role_holders(&c.provider, t.address, 0).await.unwrap();
    assert_eq!(tl_roles[&B256::ZERO], vec![t.address]);
    for r in ["PROPOSER_ROLE", "EXECUTOR_ROLE", "CANCELLER_ROLE"] {
        assert_eq!(tl_roles[&role_id(r)], vec![proposer], "{r}");
    }

    // A direct parameter change reverts, for the deployer and the proposer alike.
    let escrow = IJobEscrow::new(d.escrow, &c.provider);
    let name = param("challengeWindow");
    let before = escrow.parameter(name).call().await.unwrap();
    let new = U256::from(43_200);
    assert_ne!(before, new);
    for who in [c.deployer, proposer] {
        assert_revert(
            send(escrow.setParameter(name, new).from(who)).await,
            IJobEscrow::AccessControlUnauthorizedAccount {
                _0: who,
                _1: role_id("PARAMETER_ADMIN_ROLE"),
            },
        );
    }

    // schedule → (too early: reverts) → delay → execute.
    let data = IJobEscrow::setParameterCall { name, value: new }.abi_encode();
    let salt = B256::repeat_byte(0x11);
    let id = tl
        .hashOperation(d.escrow, U256::ZERO, data.clone().into(), B256::ZERO, salt)
        .call()
        .await
        .unwrap();
    assert_revert(
        send(
            tl.schedule(
                d.escrow,
                U256::ZERO,
                data.clone().into(),
                B256::ZERO,
                salt,
                U256::from(DELAY - 1),
            )
            .from(proposer),
        )
        .await,
        TimelockController::TimelockInsufficientDelay {
            delay: U256::from(DELAY - 1),
            minDelay: U256::from(DELAY),
        },
    );
    assert_revert(
        send(
            tl.schedule(
                d.escrow,
                U256::ZERO,
                data.clone().into(),
                B256::ZERO,
                salt,
                U256::from(DELAY),
            )
            .from(stranger),
        )
        .await,
        TimelockController::AccessControlUnauthorizedAccount {
            account: stranger,
            neededRole: role_id("PROPOSER_ROLE"),
        },
    );
    let rc = send(
        tl.schedule(
            d.escrow,
            U256::ZERO,
            data.clone().into(),
            B256::ZERO,
            salt,
            U256::from(DELAY),
        )
        .from(proposer),
    )
    .await
    .unwrap();
    let scheduled = event::<TimelockController::CallScheduled>(&rc).unwrap();
    assert_eq!((scheduled.id, scheduled.target), (id, d.escrow));
    assert!(tl.isOperationPending(id).call().await.unwrap());

    // Too early: OZ reports the operation's expected state, Ready (bit 2 of the state bitmap).
    let ready_bitmap = B256::from(U256::from(1u8) << 2);
    assert_revert(
        send(
            tl.execute(d.escrow, U256::ZERO, data.clone().into(), B256::ZERO, salt)
                .from(proposer),
        )
        .await,
        TimelockController::TimelockUnexpectedOperationState {
            operationId: id,
            expectedStates: ready_bitmap,
        },
    );
    c.warp(DELAY - 60).await;
    assert!(!tl.isOperationReady(id).call().await.unwrap());
    assert_revert(
        send(
            tl.execute(d.escrow, U256::ZERO, data.clone().into(), B256::ZERO, salt)
                .from(proposer),
        )
        .await,
        TimelockController::TimelockUnexpectedOperationState {
            operationId: id,
            expectedStates: ready_bitmap,
        },
    );
    assert_eq!(escrow.parameter(name).call().await.unwrap(), before);

    c.warp(60).await;
    assert!(tl.isOperationReady(id).call().await.unwrap());
    // Only executors execute.
    assert_revert(
        send(
            tl.execute(d.escrow, U256::ZERO, data.clone().into(), B256::ZERO, salt)
                .from(stranger),
        )
        .await,
        TimelockController::AccessControlUnauthorizedAccount {
            account: stranger,
            neededRole: role_id("EXECUTOR_ROLE"),
        },
    );
    let rc = send(
        tl.execute(d.escrow, U256::ZERO, data.into(), B256::ZERO, salt)
            .from(proposer),
    )
    .await
    .unwrap();
    let updated = event::<IJobEscrow::ParameterUpdated>(&rc).unwrap();
    assert_eq!((updated.name, updated.newValue), (name, new));
    assert_eq!(escrow.parameter(name).call().await.unwrap(), new);
    assert!(tl.isOperationDone(id).call().await.unwrap());

    // status lists every holder, the timelock's own roles included.
    let s = status::run(&c.node.url(), Some(c.dir.path()), false)
        .await
        .unwrap();
    let listed: BTreeSet<(String, String, Vec<Address>)> = s.roles.into_iter().collect();
    assert!(listed.contains(&("timelock".into(), "PROPOSER_ROLE".into(), vec![proposer])));
    assert!(listed.contains(&(
        "escrow".into(),
        "PARAMETER_ADMIN_ROLE".into(),
        vec![t.address]
    )));
    assert!(
        listed.iter().all(|(_, _, h)| !h.contains(&c.deployer)),
        "{listed:?}"
    );
    c.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_takes_every_governance_role_and_status_lists_the_holders() {
    let c = chain("admin").await;
    let admin = c.account(2);
    let d = c.deploy(GovernanceOption::Admin(admin)).await.unwrap();
    assert_eq!(d.governance.as_ref().unwrap().holder, admin);
    assert!(d.governance.as_ref().unwrap().timelock.is_none());
    assert_handed_over(&c, &d, admin).await;

    // The admin acts at once; the deployer can neither set parameters nor grant roles.
    let ctl = IBmeController::new(d.controller, &c.provider);
    send(
        ctl.setParameter(param("feeBps"), U256::from(300))
            .from(admin),
    )
    .await
    .unwrap();
    assert_eq!(
        ctl.parameter(param("feeBps")).call().await.unwrap(),
        U256::from(300)
    );
    send(ctl.pause().from(admin)).await.unwrap();
    assert_revert(
        send(
            IComputeToken::new(d.token, &c.provider)
                .grantRole(role_id("MINTER_ROLE"), c.deployer)
                .from(c.deployer),
        )
        .await,
        IComputeToken::AccessControlUnauthorizedAccount {
            _0: c.deployer,
            _1: B256::ZERO,
        },
    );

    // status: exactly the holders the table says, one row per (contract, role).
    let s = status::run(&c.node.url(), Some(c.dir.path()), false)
        .await
        .unwrap();
    let mut want: BTreeMap<(String, String), BTreeSet<Address>> = BTreeMap::new();
    for &(contract, rname, h) in ROLE_TABLE {
        let who = match h {
            Holder::Contract(other) => d.address_of(other).unwrap(),
            Holder::Governance | Holder::Operator(_) => admin,
        };
        want.entry((contract.into(), rname.into()))
            .or_default()
            .insert(who);
    }
    let got: BTreeMap<(String, String), BTreeSet<Address>> = s
        .roles
        .into_iter()
        .map(|(c, r, h)| ((c, r), h.into_iter().collect()))
        .collect();
    assert_eq!(got, want);

    // A rerun with the same options sends nothing.
    let nonce = c.provider.get_transaction_count(c.deployer).await.unwrap();
    let again = c.deploy(GovernanceOption::Admin(admin)).await.unwrap();
    assert_eq!(again.token, d.token);
    assert_eq!(
        c.provider.get_transaction_count(c.deployer).await.unwrap(),
        nonce
    );
    c.node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn governance_options_that_would_lock_out_or_keep_the_deployer_are_refused() {
    let c = chain("refused").await;
    let me = c.deployer;
    for (g, why) in [
        (
            GovernanceOption::Admin(me),
            "--admin is the deployer itself",
        ),
        (
            GovernanceOption::Admin(Address::ZERO),
            "--admin is the zero address",
        ),
        (
            GovernanceOption::Timelock {
                delay: DELAY,
                proposers: vec![],
                executors: vec![],
            },
            "needs at least one --proposer",
        ),
        (
            GovernanceOption::Timelock {
                delay: DELAY,
                proposers: vec![me],
                executors: vec![me],
            },
            "the deployer cannot be a timelock proposer",
        ),
    ] {
        let err = c.deploy(g).await.unwrap_err().to_string();
        assert!(err.contains(why), "{err}");
    }
    // Off the dev chain, no governance option is refused before anything is sent.
    let opts = deploy::DeployOptions::default();
    let err = deploy::resolve_governance(&opts, 421_614, me)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("chain 421614 is not the dev chain") && err.contains("--admin ADDR"),
        "{err}"
    );
    assert_eq!(c.provider.get_transaction_count(me).await.unwrap(), 0);
    c.node.shutdown().await;
}
