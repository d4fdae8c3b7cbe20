//! In-memory models of the contracts the controller calls (the compute token, AggregatorV3 feeds,
//! Emissions), installed on the [`ModelHost`] so each call gets its own answer and is recorded.

use super::*;

/// The compute token: balances, allowances, cap, `mint` only by the controller.
pub(crate) struct TokenModel {
    pub balances: HashMap<Address, U256>,
    pub allowances: HashMap<(Address, Address), U256>,
    pub supply: U256,
    pub cap: U256,
}

impl TokenModel {
    /// A token with `supply` held by BUYER out of `cap`.
    pub fn new(supply: U256, cap: U256) -> Self {
        Self {
            balances: HashMap::from([(BUYER, supply)]),
            allowances: HashMap::new(),
            supply,
            cap,
        }
    }

    pub fn balance(&self, a: Address) -> U256 {
        self.balances.get(&a).copied().unwrap_or_default()
    }
}

impl Model for TokenModel {
    fn call(&mut self, c: &ModelCall) -> Result<Vec<u8>, Vec<u8>> {
        let sel: [u8; 4] = c.data[..4].try_into().unwrap();
        if sel == capCall::SELECTOR {
            Ok(self.cap.abi_encode())
        } else if sel == totalSupplyCall::SELECTOR {
            Ok(self.supply.abi_encode())
        } else if sel == burnFromCall::SELECTOR {
            let b = burnFromCall::abi_decode(&c.data).unwrap();
            let allowance = self
                .allowances
                .get(&(b.account, c.from))
                .copied()
                .unwrap_or_default();
            if allowance < b.value {
                return Err(ERC20InsufficientAllowance {
                    spender: c.from,
                    allowance,
                    needed: b.value,
                }
                .abi_encode());
            }
            let balance = self.balance(b.account);
            if balance < b.value {
                return Err(ERC20InsufficientBalance {
                    sender: b.account,
                    balance,
                    needed: b.value,
                }
                .abi_encode());
            }
            if allowance != U256::MAX {
                self.allowances
                    .insert((b.account, c.from), allowance - b.value);
            }
            self.balances.insert(b.account, balance - b.value);
            self.supply -= b.value;
            Ok(vec![])
        } else if sel == mintCall::SELECTOR {
            let m = mintCall::abi_decode(&c.data).unwrap();
            assert_eq!(c.from, CONTROLLER, "only the controller mints");
            if self.supply + m.amount > self.cap {
                return Err(ERC20ExceededCap {
                    increasedSupply: self.supply + m.amount,
                    cap: self.cap,
                }
                .abi_encode());
            }
            self.supply += m.amount;
            *self.balances.entry(m.to).or_default() += m.amount;
            Ok(vec![])
        } else {
            Err(b"unknown selector".to_vec())
        }
    }
}

/// An AggregatorV3 feed (also used as the sequencer-uptime feed: answer 0 = up, 1 = down).
pub(crate) struct FeedModel {
    pub decimals: u8,
    pub answer: I256,
    pub started_at: u64,
    pub updated_at: u64,
    pub broken: bool,
}

impl FeedModel {
    /// A working feed answering `answer` with `decimals` decimals, updated (and started) at `at`.
    pub fn new(decimals: u8, answer: I256, at: u64) -> Self {
        Self {
            decimals,
            answer,
            started_at: at,
            updated_at: at,
            broken: false,
        }
    }
}

impl Model for FeedModel {
    fn call(&mut self, c: &ModelCall) -> Result<Vec<u8>, Vec<u8>> {
        assert!(c.is_static, "feeds are only read");
        if self.broken {
            return Err(vec![]);
        }
        let sel: [u8; 4] = c.data[..4].try_into().unwrap();
        if sel == decimalsCall::SELECTOR {
            Ok(U256::from(self.decimals).abi_encode())
        } else if sel == latestRoundDataCall::SELECTOR {
            Ok((
                U80::from(1),
                self.answer,
                U256::from(self.started_at),
                U256::from(self.updated_at),
                U80::from(1),
            )
                .abi_encode_params())
        } else {
            Err(vec![])
        }
    }
}

/// The emissions contract: epoch clock, reserve (`cap − supply` at creation) and a per-epoch draw
/// cap (`draw_cap_left`, what `drawable()` answers beside the reserve); `drawReserve` mints on the
/// token model (only the controller may call it, as `SETTLER_ROLE`) and returns what it drew.
pub(crate) struct EmissionsModel {
    pub token: Rc<RefCell<TokenModel>>,
    pub genesis: u64,
    pub epoch_length: u64,
    pub reserve: U256,
    /// What the current epoch's draw cap still allows.
    pub draw_cap_left: U256,
    /// Σ drawn for settlements.
    pub drawn: U256,
}

impl EmissionsModel {
    pub fn new(token: Rc<RefCell<TokenModel>>, genesis: u64, epoch_length: u64) -> Self {
        let reserve = {
            let t = token.borrow();
            t.cap - t.supply
        };
        Self {
            token,
            genesis,
            epoch_length,
            reserve,
            draw_cap_left: U256::MAX,
            drawn: U256::ZERO,
        }
    }
}

impl Model for EmissionsModel {
    fn call(&mut self, c: &ModelCall) -> Result<Vec<u8>, Vec<u8>> {
        let sel: [u8; 4] = c.data[..4].try_into().unwrap();
        if sel == genesisTimeCall::SELECTOR {
            Ok(U256::from(self.genesis).abi_encode())
        } else if sel == epochLengthCall::SELECTOR {
            Ok(U256::from(self.epoch_length).abi_encode())
        } else if sel == drawableCall::SELECTOR {
            Ok(self.reserve.min(self.draw_cap_left).abi_encode())
        } else if sel == drawReserveCall::SELECTOR {
            assert_eq!(c.from, CONTROLLER, "only the settler draws");
            let d = drawReserveCall::abi_decode(&c.data).unwrap();
            assert!(
                d.amount <= self.reserve.min(self.draw_cap_left),
                "the controller overdrew the reserve or the cap"
            );
            self.reserve -= d.amount;
            self.draw_cap_left -= d.amount;
            self.drawn += d.amount;
            let mut t = self.token.borrow_mut();
            assert!(
                t.supply + d.amount <= t.cap,
                "reserve draws stay under the cap"
            );
            t.supply += d.amount;
            *t.balances.entry(d.to).or_default() += d.amount;
            Ok(d.amount.abi_encode())
        } else {
            Err(b"unknown selector".to_vec())
        }
    }
}
