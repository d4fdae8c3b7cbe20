//! [`Backend`]'s execution without mining: `eth_call`, `eth_estimateGas` (geth's binary search),
//! access lists and state overrides, at any block the node keeps.

use super::*;

impl Backend {
    fn call_at(
        &self,
        header: &Header,
        db: &MemDb,
        hashes: &[B256],
        req: &TransactionRequest,
        gas: Option<u64>,
    ) -> NodeResult<ExecutionResult> {
        let cap = self.params.tx_gas_cap.min(header.gas_limit);
        let gas_limit = gas.or(req.gas).unwrap_or(cap).min(cap);
        let nonce = req
            .nonce
            .unwrap_or_else(|| db.nonce(&req.from.unwrap_or_default()));
        let (env, priced) = convert::call_env(req, gas_limit, nonce, self.params.chain_id);
        let mut cfg = self.cfg();
        cfg.disable_nonce_check = true;
        if !priced {
            cfg.disable_base_fee = true;
        }
        let block = Self::block_env(header);
        let mut view = StateView::new(db, hashes);
        let out = self
            .executor
            .transact(&mut view, &cfg, &block, env)
            .map_err(evm_error)?;
        Ok(out.result)
    }

    /// `eth_call` at block `id` (`pending`: on top of the pending block's state).
    ///
    /// # Errors
    /// [`NodeError::Reverted`]/[`NodeError::Halted`] for failed executions, those of
    /// [`Backend::with_state`] for unknown blocks, [`NodeError::TxRejected`] for invalid calls.
    pub fn call(
        &self,
        req: &TransactionRequest,
        id: Option<BlockId>,
        overrides: Option<&StateOverride>,
    ) -> NodeResult<Bytes> {
        let inner = self.inner.read();
        let result = self.at(&inner, id, |header, db, hashes| match overrides {
            Some(o) if !o.is_empty() => {
                let db = apply_overrides(db.clone(), o)?;
                self.call_at(header, &db, hashes, req, None)
            }
            _ => self.call_at(header, db, hashes, req, None),
        })??;
        CallOutcome { result }.into_output()
    }

    /// `eth_estimateGas`: geth's binary search for the smallest gas limit that does not fail.
    pub fn estimate_gas(
        &self,
        req: &TransactionRequest,
        id: Option<BlockId>,
        overrides: Option<&StateOverride>,
    ) -> NodeResult<u64> {
        let inner = self.inner.read();
        self.at(&inner, id, |header, db, hashes| {
            self.estimate_at(header, db, hashes, req, overrides)
        })?
    }

    fn estimate_at(
        &self,
        header: &Header,
        db: &MemDb,
        hashes: &[B256],
        req: &TransactionRequest,
        overrides: Option<&StateOverride>,
    ) -> NodeResult<u64> {
        let header_limit = header.gas_limit;
        let mut hi = req
            .gas
            .unwrap_or(u64::MAX)
            .min(self.params.tx_gas_cap)
            .min(header_limit);
        let overridden = match overrides {
            Some(o) if !o.is_empty() => Some(apply_overrides(db.clone(), o)?),
            _ => None,
        };
        let db = overridden.as_ref().unwrap_or(db);
        // Cap by what the sender can pay for when a price is given.
        let price = req.gas_price.or(req.max_fee_per_gas).unwrap_or(0);
        if price > 0 {
            let from = req.from.unwrap_or_default();
            let balance = db.balance(&from);
            let available = balance.saturating_sub(req.value.unwrap_or_default());
            let allowance = available / U256::from(price);
            if allowance < U256::from(hi) {
                hi = allowance.to::<u64>();
            }
        }
        let run = |gas: u64| self.call_at(header, db, hashes, req, Some(gas));
        let first = run(hi);
        let used = match first {
            Ok(ExecutionResult::Success { ref gas, .. }) => gas.tx_gas_used(),
            Ok(ExecutionResult::Revert { output, .. }) => return Err(NodeError::Reverted(output)),
            Ok(ExecutionResult::Halt { reason, .. }) => {
                return Err(match reason {
                    revm::context::result::HaltReason::OutOfGas(_) => {
                        NodeError::TxRejected(format!("gas required exceeds allowance ({hi})"))
                    }
                    other => NodeError::Halted(halt_message(&other)),
                })
            }
            Err(NodeError::TxRejected(msg)) if msg.starts_with("intrinsic gas too low") => {
                return Err(NodeError::TxRejected(format!(
                    "gas required exceeds allowance ({hi})"
                )))
            }
            Err(e) => return Err(e),
        };
        // A plain transfer (or anything that only paid the base cost) needs exactly that.
        if used <= 21_000 {
            return Ok(used.max(21_000).min(hi));
        }
        let ok = |gas: u64| matches!(run(gas), Ok(ExecutionResult::Success { .. }));
        let mut lo = used.saturating_sub(1);
        // Optimistic guess: used gas plus the 63/64 reserve usually suffices.
        let guess = used.saturating_add(2_300).saturating_mul(64) / 63;
        if guess < hi {
            if ok(guess) {
                hi = guess;
            } else {
                lo = guess;
            }
        }
        while lo + 1 < hi {
            // Stop once within 1.5% like geth does.
            if (hi - lo) as f64 / hi as f64 <= 0.015 {
                break;
            }
            let mid = lo + (hi - lo) / 2;
            if ok(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Ok(hi)
    }
}
