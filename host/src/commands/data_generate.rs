//! `hft-host data generate`: the seeded synthetic BTC/ETH pair the demo runs on.

use anyhow::Context;
use hft_trading::synthetic::{PairSpec, generate};
use std::path::{Path, PathBuf};

/// Write the pair described by `spec` (the default when `None`, with `seed`
/// and `bars` overriding it) as two Binance klines files in `out`.
pub fn data_generate(
    out: &Path,
    spec: Option<&Path>,
    seed: Option<u64>,
    bars: Option<usize>,
) -> anyhow::Result<[PathBuf; 2]> {
    let mut spec: PairSpec = match spec {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
            toml::from_str(&text).with_context(|| format!("{} is not a valid pair spec", p.display()))?
        }
        None => PairSpec::default(),
    };
    if let Some(s) = seed {
        spec.seed = s;
    }
    if let Some(b) = bars {
        spec.bars = b;
    }
    let pair = generate(&spec)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    pair.write_klines(out).with_context(|| format!("cannot write into {}", out.display()))
}
