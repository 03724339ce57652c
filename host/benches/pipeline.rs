//! The main job's throughput and tick-to-order latency: the bundled BTC/ETH
//! pair (20,000 events, 10,000 ticks) through kalman, garch, bocd and pairs
//! (four components per tick), the risk manager and the paper broker, with
//! the embedded default configuration at `--speed max`.
//!
//! Run with `scripts/bench.sh pipeline` or
//! `cargo bench -p hft-host --bench pipeline`. Criterion reports events per
//! second; the latency percentiles over all iterations are printed after it.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hft_host::config::{self, Speed};
use hft_host::pipeline::{LatencySamples, Session};
use hft_host::runtime::{Runtime, RuntimeConfig};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn pipeline(c: &mut Criterion) {
    std::env::set_current_dir(root()).unwrap();
    let cfg = config::load(None, Vec::<(String, String)>::new()).expect("the embedded default loads");
    // The compile cache keeps each iteration's set-up (outside the timed
    // loop) short, so profiles of this bench show the loop.
    let cache = Some(root().join("target/bench-cache"));
    let rt = Runtime::new(RuntimeConfig { limits: Default::default(), cache_dir: cache, parallel_compilation: true })
        .unwrap();
    let events = Session::open(&cfg, &rt, Speed::Max).map(|_| 20_000u64).expect("build the components first");
    let mut latency = LatencySamples::default();
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Elements(events));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("default-replay", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut session = Session::open(&cfg, &rt, Speed::Max).unwrap();
                let mut tick = Vec::new();
                let start = Instant::now();
                while session.next_tick(&mut tick).unwrap() {
                    let t0 = Instant::now();
                    if let Some(d) = session.pipeline.on_tick(&tick, t0) {
                        latency.record(d);
                    }
                }
                total += start.elapsed();
                assert_eq!(session.pipeline.counters.events, events);
            }
            total
        })
    });
    group.finish();
    println!(
        "pipeline/tick-to-order latency over {} orders: p50 {} ns, p99 {} ns",
        latency.len(),
        latency.quantile(0.5).unwrap_or(0),
        latency.quantile(0.99).unwrap_or(0)
    );
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
