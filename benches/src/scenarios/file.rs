//! The scenario file format (`scenarios/*.toml`): demand and price paths, providers, failures,
//! parameter calls; parsing with the field and line of any error, and the feasibility check.
use super::*;

/// A quantity that moves geometrically per epoch, with an optional shock.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Series {
    /// Value at epoch 0 (USD: demand per epoch, or the price of one CT).
    pub start_usd: f64,
    /// Relative change per epoch (0.01 = +1% an epoch; `drift` is accepted as a synonym).
    #[serde(default, alias = "drift")]
    pub growth: f64,
    /// First epoch of the shock.
    #[serde(default)]
    pub shock_epoch: Option<u64>,
    /// Factor applied from `shock_epoch` on (default 1: no shock).
    #[serde(default)]
    pub shock_multiplier: Option<f64>,
    /// How many epochs the shock lasts (default: for good).
    #[serde(default)]
    pub shock_epochs: Option<u64>,
}

impl Series {
    /// The value at `epoch` (USD).
    pub fn at(&self, epoch: u64) -> f64 {
        let mut v = self.start_usd * (1.0 + self.growth).powf(epoch as f64);
        if let Some(s) = self.shock_epoch {
            let end = self.shock_epochs.map_or(u64::MAX, |n| s.saturating_add(n));
            if epoch >= s && epoch < end {
                v *= self.shock_multiplier.unwrap_or(1.0);
            }
        }
        v
    }
}

/// The providers: all alike.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Providers {
    /// Number of provider accounts.
    pub count: u32,
    /// GPUs each registers (1..=1,024, the registry's bound).
    pub gpus: u32,
    /// CT each stakes (whole tokens).
    pub stake_ct: f64,
}

/// Shares of jobs that fail.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Failures {
    /// Share of jobs whose provider never submits: anyone `claimTimeout`s them the next epoch (full
    /// refund, 2.5% of the provider's penalty base slashed).
    #[serde(default)]
    pub timeout_share: f64,
    /// Share of jobs the requester disputes; the arbitrator rules alternately for the requester
    /// (refund, 10% slash, 30-day jail) and for the provider (bond burned, the job settles).
    #[serde(default)]
    pub dispute_share: f64,
}

/// One scenario file (`scenarios/*.toml`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name (CSV file name and chart legend).
    pub name: String,
    /// One line on what it models.
    #[serde(default)]
    pub description: String,
    /// Market price of one GPU-hour in USD: demand / this = GPU-hours bought per epoch.
    pub usd_per_gpu_hour: f64,
    /// Fewest jobs per epoch (more when one provider's GPUs × one epoch cannot carry a job's share).
    #[serde(default = "default_jobs")]
    pub jobs_per_epoch: u32,
    /// Epochs of demand buyers hold as credits ahead (credits bought at one price, spent later).
    #[serde(default = "default_prepay")]
    pub prepay_epochs: f64,
    /// Providers claim work and stake rewards every this many epochs (and at the end).
    #[serde(default = "default_claim_every")]
    pub claim_every: u64,
    /// Demand in USD of GPU-hours per epoch.
    pub demand: Series,
    /// CT/USD price fed to the ManualPriceFeed at the start of each epoch.
    pub price: Series,
    /// The providers.
    pub providers: Providers,
    /// Failed and disputed jobs.
    #[serde(default)]
    pub failures: Failures,
    /// `setParameter(name, value)` before the first job, on whichever contract owns `name`
    /// (controller, Emissions, registry or escrow); integers or decimal strings (raw units, e.g. wad).
    #[serde(default)]
    pub parameters: BTreeMap<String, toml::Value>,
}

fn default_jobs() -> u32 {
    4
}
fn default_prepay() -> f64 {
    1.0
}
fn default_claim_every() -> u64 {
    7
}

impl Scenario {
    /// Parses a scenario; errors name the field and the line (`toml`'s span), prefixed by `origin`.
    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| eyre!("{origin}: {e}"))
    }

    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .wrap_err_with(|| format!("reading scenario {}", path.display()))?;
        Self::parse(&text, &path.display().to_string())
    }

    /// The `[parameters]` table as (name, raw value).
    pub fn parameter_values(&self) -> Result<Vec<(String, U256)>> {
        self.parameters
            .iter()
            .map(|(k, v)| {
                let n = match v {
                    toml::Value::Integer(i) if *i >= 0 => U256::from(*i as u64),
                    toml::Value::String(s) => s.parse::<U256>().map_err(|e| {
                        eyre!("scenario {}: parameters.{k}: {s:?} is not an integer: {e}", self.name)
                    })?,
                    other => bail!(
                        "scenario {}: parameters.{k}: expected a non-negative integer or a decimal string, got {other}",
                        self.name
                    ),
                };
                Ok((k.clone(), n))
            })
            .collect()
    }

    /// Job sizes of `epoch`: (jobs, GPUs per job, seconds per job) for `gpu_hours` of demand.
    pub(crate) fn jobs(&self, gpu_hours: f64, epoch_length: u64) -> (u32, u32, u64) {
        let max_secs = epoch_length.min(DAY) as f64;
        let per_job_cap = f64::from(self.providers.gpus) * max_secs / 3_600.0;
        let n = (self.jobs_per_epoch.max(1)).max((gpu_hours / per_job_cap).ceil() as u32);
        let h = gpu_hours / f64::from(n);
        let gpus = ((h * 3_600.0 / max_secs).ceil() as u32).clamp(1, self.providers.gpus);
        let secs = ((h * 3_600.0 / f64::from(gpus)).round() as u64).clamp(1, max_secs as u64);
        (n, gpus, secs)
    }

    /// Refuses an impossible scenario (non-positive price, demand beyond the providers' capacity,
    /// stake too small for the registry's minimum or the jobs' collateral) with the reason.
    pub fn check(&self, epochs: u64, epoch_length: u64) -> Result<()> {
        let n = &self.name;
        let p = &self.providers;
        ensure!(
            self.usd_per_gpu_hour > 0.0 && self.usd_per_gpu_hour.is_finite(),
            "impossible scenario {n}: usd_per_gpu_hour must be > 0"
        );
        ensure!(
            p.count >= 1,
            "impossible scenario {n}: providers.count must be >= 1"
        );
        ensure!(
            (1..=1_024).contains(&p.gpus),
            "impossible scenario {n}: providers.gpus must be 1..=1024 (the registry's bound)"
        );
        let f = &self.failures;
        ensure!(
            (0.0..=1.0).contains(&f.timeout_share)
                && (0.0..=1.0).contains(&f.dispute_share)
                && f.timeout_share + f.dispute_share <= 1.0,
            "impossible scenario {n}: failure shares must be in [0, 1] and sum to at most 1"
        );
        ensure!(
            self.claim_every >= 1 && self.prepay_epochs >= 0.0,
            "impossible scenario {n}: claim_every must be >= 1 and prepay_epochs >= 0"
        );
        // The registry's minimum (defaults: 5,000 CT + 200 CT per GPU) with a margin for slashes.
        let required = 5_000.0 + 200.0 * f64::from(p.gpus);
        ensure!(
            p.stake_ct >= required,
            "impossible scenario {n}: providers.stake_ct {} is below the registry's minimum {required} CT for {} GPUs",
            p.stake_ct,
            p.gpus
        );
        let capacity = f64::from(p.count) * f64::from(p.gpus) * epoch_length as f64 / 3_600.0;
        for e in 0..=epochs {
            let price = self.price.at(e);
            ensure!(
                price.is_finite() && price >= 1e-6,
                "impossible scenario {n}: the CT price at epoch {e} is {price} USD (must be > 0; the feed has 8 decimals)"
            );
            let d = self.demand.at(e);
            ensure!(
                d.is_finite() && d >= 0.0,
                "impossible scenario {n}: demand at epoch {e} is {d} USD"
            );
            let gpu_hours = d / self.usd_per_gpu_hour;
            ensure!(
                gpu_hours <= capacity,
                "impossible scenario {n}: demand at epoch {e} is {gpu_hours:.0} GPU-hours, beyond the providers' capacity of {capacity:.0} ({} × {} GPUs × {} h)",
                p.count,
                p.gpus,
                epoch_length / 3_600
            );
            let (jobs, gpus, secs) = self.jobs(gpu_hours, epoch_length);
            let job_usd = self.usd_per_gpu_hour * f64::from(gpus) * secs as f64 / 3_600.0;
            // The escrow locks collateralBps (2×) of the job's cost in CT.
            let lock = 2.0 * job_usd / price;
            ensure!(
                lock + required <= p.stake_ct * 0.75,
                "impossible scenario {n}: at epoch {e} each of {jobs} jobs costs {job_usd:.0} USD = {:.0} CT at {price:.4} USD; its 2× collateral plus the minimum stake exceeds 75% of providers.stake_ct ({})",
                job_usd / price,
                p.stake_ct
            );
        }
        Ok(())
    }
}
