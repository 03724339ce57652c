//! BOCD components side by side with the native model, in one process:
//! each round runs the 5,030-step S&P 500 series once through every
//! component given and once natively, so that a slow spell of the machine
//! (a VM's neighbours can slow everything by half for seconds) hits all of
//! them alike. Criterion's `bocd/sp500-series` times one variant after the
//! other, and on such a machine a comparison of two components, or of a
//! component with native code, then moves by more than the change measured.
//!
//! ```sh
//! ./scripts/build-plugins.sh
//! cp target/wasm32-wasip2/release/bocd.wasm /tmp/new.wasm   # and an older build as /tmp/old.wasm
//! cargo run --release --example bocd_side_by_side -- 100 /tmp/old.wasm /tmp/new.wasm
//! ```
//!
//! Prints, per variant, the fastest, 10th-percentile and median time of a
//! series (a fresh model each time, as in the criterion benchmark).

use anyhow::{Context, Result, bail};
use hft_host::models::ChangepointModel;
use hft_host::runtime::{Runtime, RuntimeConfig};
use hft_models::bocd::Bocd;
use std::path::Path;
use std::time::Instant;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((rounds, files)) = args.split_first() else {
        bail!("usage: bocd_side_by_side ROUNDS COMPONENT.wasm...");
    };
    let rounds: usize = rounds.parse().with_context(|| format!("ROUNDS must be a count, got {rounds:?}"))?;
    if rounds == 0 {
        bail!("ROUNDS must be at least 1");
    }
    let x = sp500_percent_returns()?;
    let rt = Runtime::new(RuntimeConfig::default())?;
    let components = files
        .iter()
        .map(|f| rt.load_file(Path::new(f)).with_context(|| format!("loading {f}")))
        .collect::<Result<Vec<_>>>()?;

    let mut times = vec![Vec::with_capacity(rounds); files.len() + 1];
    for _ in 0..rounds {
        for (c, t) in components.iter().zip(&mut times) {
            let start = Instant::now();
            let mut m = ChangepointModel::create(c, &[])?;
            std::hint::black_box(m.update_batch(&x)?);
            t.push(start.elapsed().as_secs_f64() * 1e3);
        }
        let start = Instant::now();
        let mut m = Bocd::new(&[])?;
        for &v in &x {
            std::hint::black_box(m.update(v)?);
        }
        times[files.len()].push(start.elapsed().as_secs_f64() * 1e3);
    }
    let names = files.iter().map(String::as_str).chain(["native"]);
    for (name, mut t) in names.zip(times) {
        t.sort_by(f64::total_cmp);
        let at = |q: f64| t[((t.len() - 1) as f64 * q) as usize];
        println!("{name:<32} fastest {:.2}  p10 {:.2}  median {:.2} ms", at(0.0), at(0.1), at(0.5));
    }
    Ok(())
}

/// Simple returns in percent (`100 * pct_change`) of `data/sp500.csv`'s
/// adjusted close, as the criterion benchmark feeds the model.
fn sp500_percent_returns() -> Result<Vec<f64>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sp500.csv");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let closes = text
        .lines()
        .skip(1)
        .map(|l| {
            let cell = l.split(',').nth(1).with_context(|| format!("no close in {l:?}"))?;
            cell.parse::<f64>().with_context(|| format!("close {cell:?}"))
        })
        .collect::<Result<Vec<f64>>>()?;
    Ok(closes.windows(2).map(|w| 100.0 * (w[1] / w[0] - 1.0)).collect())
}
