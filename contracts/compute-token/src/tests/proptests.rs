//! Property tests (docs/protocol.md §12 "Invariants", invariant 1): random sequences of transfer /
//! approve / transferFrom / burn / burnFrom / mint are run against the contract and against a
//! plain-Rust model of ERC-20 semantics.
//! Every call must succeed or fail exactly as the model says (same error, same fields, nothing
//! written on failure), and after every call: totalSupply ≤ MAX_SUPPLY, Σ balances = totalSupply,
//! the zero address holds nothing.

use std::collections::HashMap;

use proptest::prelude::*;

use super::*;

const USERS: [Address; 4] = [
    HOLDER,
    address!("0000000000000000000000000000000000000001"),
    address!("0000000000000000000000000000000000000002"),
    address!("0000000000000000000000000000000000000003"),
];

#[derive(Debug, Clone)]
enum Op {
    Transfer {
        from: usize,
        to: usize,
        amount: U256,
    },
    Approve {
        owner: usize,
        spender: usize,
        amount: U256,
    },
    TransferFrom {
        spender: usize,
        from: usize,
        to: usize,
        amount: U256,
    },
    Burn {
        who: usize,
        amount: U256,
    },
    BurnFrom {
        spender: usize,
        from: usize,
        amount: U256,
    },
    Mint {
        by_minter: bool,
        to: usize,
        amount: U256,
    },
}

/// Index 4 stands for the zero address, so invalid-receiver paths are exercised too.
fn party() -> impl Strategy<Value = usize> {
    prop_oneof![9 => 0usize..4, 1 => Just(4usize)]
}

fn amount() -> impl Strategy<Value = U256> {
    prop_oneof![
        2 => Just(U256::ZERO),
        4 => (0u64..1_000).prop_map(ct),
        3 => (0u128..u128::MAX).prop_map(U256::from),
        2 => (0u64..=200_000_000).prop_map(ct),
        1 => Just(genesis()),
        1 => Just(MAX_SUPPLY),
        1 => Just(U256::MAX),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..4, party(), amount()).prop_map(|(from, to, amount)| Op::Transfer {
            from,
            to,
            amount
        }),
        (0usize..4, party(), amount()).prop_map(|(owner, spender, amount)| Op::Approve {
            owner,
            spender,
            amount
        }),
        (0usize..4, party(), party(), amount()).prop_map(|(spender, from, to, amount)| {
            Op::TransferFrom {
                spender,
                from,
                to,
                amount,
            }
        }),
        (0usize..4, amount()).prop_map(|(who, amount)| Op::Burn { who, amount }),
        (0usize..4, party(), amount()).prop_map(|(spender, from, amount)| Op::BurnFrom {
            spender,
            from,
            amount
        }),
        (any::<bool>(), party(), amount()).prop_map(|(by_minter, to, amount)| Op::Mint {
            by_minter,
            to,
            amount
        }),
    ]
}

fn addr(i: usize) -> Address {
    USERS.get(i).copied().unwrap_or(Address::ZERO)
}

#[derive(Default)]
struct Model {
    balances: HashMap<Address, U256>,
    allowances: HashMap<(Address, Address), U256>,
    supply: U256,
}

impl Model {
    fn balance(&self, a: Address) -> U256 {
        self.balances.get(&a).copied().unwrap_or_default()
    }

    fn allowance(&self, o: Address, s: Address) -> U256 {
        self.allowances.get(&(o, s)).copied().unwrap_or_default()
    }

    fn update(&mut self, from: Address, to: Address, v: U256) -> Result<(), Error> {
        if from.is_zero() {
            let increased = self.supply.checked_add(v).unwrap_or(U256::MAX);
            if increased > MAX_SUPPLY {
                return Err(Error::ExceededCap(ERC20ExceededCap {
                    increasedSupply: increased,
                    cap: MAX_SUPPLY,
                }));
            }
        } else if self.balance(from) < v {
            return Err(Error::InsufficientBalance(ERC20InsufficientBalance {
                sender: from,
                balance: self.balance(from),
                needed: v,
            }));
        }
        if from.is_zero() {
            self.supply += v;
        } else {
            *self.balances.entry(from).or_default() -= v;
        }
        if to.is_zero() {
            self.supply -= v;
        } else {
            *self.balances.entry(to).or_default() += v;
        }
        Ok(())
    }

    fn transfer(&mut self, from: Address, to: Address, v: U256) -> Result<(), Error> {
        if to.is_zero() {
            return Err(Error::InvalidReceiver(ERC20InvalidReceiver {
                receiver: to,
            }));
        }
        self.update(from, to, v)
    }

    /// OpenZeppelin `_spendAllowance` then the balance change; the allowance is only written if the
    /// whole call succeeds.
    fn spend_then(
        &mut self,
        owner: Address,
        spender: Address,
        v: U256,
        f: impl FnOnce(&mut Self) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let current = self.allowance(owner, spender);
        if current != U256::MAX {
            if current < v {
                return Err(Error::InsufficientAllowance(ERC20InsufficientAllowance {
                    spender,
                    allowance: current,
                    needed: v,
                }));
            }
            if owner.is_zero() {
                return Err(Error::InvalidApprover(ERC20InvalidApprover {
                    approver: owner,
                }));
            }
        }
        f(self)?;
        if current != U256::MAX {
            self.allowances.insert((owner, spender), current - v);
        }
        Ok(())
    }

    fn apply(&mut self, op: &Op) -> Result<(), Error> {
        match *op {
            Op::Transfer { from, to, amount } => self.transfer(addr(from), addr(to), amount),
            Op::Approve {
                owner,
                spender,
                amount,
            } => {
                if addr(spender).is_zero() {
                    return Err(Error::InvalidSpender(ERC20InvalidSpender {
                        spender: Address::ZERO,
                    }));
                }
                self.allowances.insert((addr(owner), addr(spender)), amount);
                Ok(())
            }
            Op::TransferFrom {
                spender,
                from,
                to,
                amount,
            } => {
                let (from, to) = (addr(from), addr(to));
                self.spend_then(from, addr(spender), amount, |m| {
                    if from.is_zero() {
                        return Err(Error::InvalidSender(ERC20InvalidSender { sender: from }));
                    }
                    m.transfer(from, to, amount)
                })
            }
            Op::Burn { who, amount } => self.update(addr(who), Address::ZERO, amount),
            Op::BurnFrom {
                spender,
                from,
                amount,
            } => {
                let from = addr(from);
                self.spend_then(from, addr(spender), amount, |m| {
                    if from.is_zero() {
                        return Err(Error::InvalidSender(ERC20InvalidSender { sender: from }));
                    }
                    m.update(from, Address::ZERO, amount)
                })
            }
            Op::Mint {
                by_minter,
                to,
                amount,
            } => {
                if !by_minter {
                    return Err(Error::Common(
                        common::errors::CommonError::UnauthorizedAccount(
                            AccessControlUnauthorizedAccount {
                                account: ADMIN,
                                neededRole: MINTER_ROLE,
                            },
                        ),
                    ));
                }
                let to = addr(to);
                if to.is_zero() {
                    return Err(Error::InvalidReceiver(ERC20InvalidReceiver {
                        receiver: to,
                    }));
                }
                self.update(Address::ZERO, to, amount)
            }
        }
    }
}

fn run(vm: &TestVM, token: &mut ComputeToken, op: &Op) -> Result<(), Error> {
    match *op {
        Op::Transfer { from, to, amount } => {
            vm.set_sender(addr(from));
            token.transfer(addr(to), amount).map(|ok| assert!(ok))
        }
        Op::Approve {
            owner,
            spender,
            amount,
        } => {
            vm.set_sender(addr(owner));
            token.approve(addr(spender), amount).map(|ok| assert!(ok))
        }
        Op::TransferFrom {
            spender,
            from,
            to,
            amount,
        } => {
            vm.set_sender(addr(spender));
            token
                .transfer_from(addr(from), addr(to), amount)
                .map(|ok| assert!(ok))
        }
        Op::Burn { who, amount } => {
            vm.set_sender(addr(who));
            token.burn(amount)
        }
        Op::BurnFrom {
            spender,
            from,
            amount,
        } => {
            vm.set_sender(addr(spender));
            token.burn_from(addr(from), amount)
        }
        Op::Mint {
            by_minter,
            to,
            amount,
        } => {
            vm.set_sender(if by_minter { MINTER } else { ADMIN });
            token.mint(addr(to), amount)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(testing::cases(192)))]

    #[test]
    fn random_sequences_keep_supply_invariants(ops in proptest::collection::vec(op(), 1..48)) {
        let (vm, mut token) = deploy();
        let mut model = Model::default();
        model.balances.insert(HOLDER, genesis());
        model.supply = genesis();

        for op in &ops {
            let storage_before = vm.snapshot().storage;
            let logs_before = vm.get_emitted_logs().len();
            let expected = model.apply(op);
            let actual = run(&vm, &mut token, op);
            prop_assert_eq!(&actual, &expected, "op {:?}", op);
            if actual.is_err() {
                prop_assert_eq!(&vm.snapshot().storage, &storage_before, "failed {:?} wrote", op);
                prop_assert_eq!(vm.get_emitted_logs().len(), logs_before);
            }

            // docs/protocol.md §12, invariant 1
            let supply = token.total_supply();
            prop_assert_eq!(supply, model.supply);
            prop_assert!(supply <= MAX_SUPPLY);
            let mut sum = U256::ZERO;
            for user in USERS {
                prop_assert_eq!(token.balance_of(user), model.balance(user));
                sum += token.balance_of(user);
                for spender in USERS {
                    prop_assert_eq!(token.allowance(user, spender), model.allowance(user, spender));
                }
            }
            prop_assert_eq!(sum, supply, "Σ balances = totalSupply");
            prop_assert_eq!(token.balance_of(Address::ZERO), U256::ZERO);
        }
    }
}
