//! Interval mining: a task that mines a block every `block_time` while enabled.

use std::{sync::Arc, time::Duration};

use tokio::sync::watch;

use crate::backend::Backend;

/// Switches interval mining on and off at run time.
#[derive(Debug, Clone)]
pub struct MiningControl {
    interval: watch::Sender<Option<Duration>>,
}

impl MiningControl {
    /// Sets the interval (`None` stops interval mining).
    pub fn set_interval(&self, interval: Option<Duration>) {
        self.interval
            .send_replace(interval.filter(|d| !d.is_zero()));
    }

    /// The current interval.
    pub fn interval(&self) -> Option<Duration> {
        *self.interval.borrow()
    }
}

/// Spawns the interval miner on the current runtime and returns its control.
pub fn spawn(backend: Arc<Backend>, initial: Option<Duration>) -> MiningControl {
    let (tx, mut rx) = watch::channel(initial.filter(|d| !d.is_zero()));
    tokio::spawn(async move {
        loop {
            let current = *rx.borrow_and_update();
            match current {
                None => {
                    if rx.changed().await.is_err() {
                        return;
                    }
                }
                Some(period) => {
                    tokio::select! {
                        changed = rx.changed() => if changed.is_err() { return },
                        _ = tokio::time::sleep(period) => {
                            let backend = backend.clone();
                            let result = tokio::task::spawn_blocking(move || backend.mine()).await;
                            if let Ok(Err(err)) = result {
                                tracing::error!(%err, "interval mining failed");
                            }
                        }
                    }
                }
            }
        }
    });
    MiningControl { interval: tx }
}
