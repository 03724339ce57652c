//! Each model natively and through its wasm component, side by side in one
//! run: single `update` calls, batches, BOCD per-step cost at its default
//! pruning, and GARCH fits on the S&P 500 returns.
//!
//! Run with `scripts/bench.sh` (which builds the components first and then
//! times Python `arch` on the same data), or directly:
//! `cargo bench -p hft-host --bench models`.

use criterion::{BenchmarkId, Criterion, Throughput, black_box, criterion_group, criterion_main};
use hft_host::models::{ChangepointModel, HedgeRatioModel, VolatilityModel, to_wit_params};
use hft_host::runtime::{LoadedComponent, Runtime, RuntimeConfig};
use hft_models::ParamValue;
use hft_models::bocd::Bocd;
use hft_models::garch::Garch;
use hft_models::kalman::Kalman;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn component(rt: &Runtime, name: &str) -> LoadedComponent {
    let path = root().join("target/wasm32-wasip2/release").join(format!("{name}.wasm"));
    rt.load_file(&path).unwrap_or_else(|e| panic!("{e}; build the components first: scripts/build-plugins.sh"))
}

/// Column `idx` of a CSV with a header.
fn column(file: &str, idx: usize) -> Vec<f64> {
    let text = std::fs::read_to_string(root().join("data").join(file)).unwrap();
    text.lines().skip(1).map(|l| l.split(',').nth(idx).unwrap().parse().unwrap()).collect()
}

/// Simple returns as pandas' pct_change, S&P 500, 5,030 values.
fn sp500_returns() -> Vec<f64> {
    let p = column("sp500.csv", 1);
    p.windows(2).map(|w| w[1] / w[0] - 1.0).collect()
}

fn kalman(c: &mut Criterion, rt: &Runtime) {
    let x: Vec<f64> = column("spx-ndx.csv", 1).iter().map(|v| v.ln()).collect();
    let y: Vec<f64> = column("spx-ndx.csv", 2).iter().map(|v| v.ln()).collect();
    let wasm = component(rt, "kalman");
    let mut g = c.benchmark_group("kalman/update");
    g.throughput(Throughput::Elements(1));
    g.bench_function("native", |b| {
        let mut m = Kalman::new(&[]).unwrap();
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % x.len();
            black_box(m.update(x[i], y[i]).unwrap())
        })
    });
    g.bench_function("wasm", |b| {
        let mut m = HedgeRatioModel::create(&wasm, &[]).unwrap();
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % x.len();
            black_box(m.update(x[i], y[i]).unwrap())
        })
    });
    g.finish();
    let mut g = c.benchmark_group("kalman/batch");
    for n in [16usize, 4096] {
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("native", n), &n, |b, &n| {
            let mut m = Kalman::new(&[]).unwrap();
            let mut out = Vec::with_capacity(n);
            b.iter(|| {
                out.clear();
                for i in 0..n {
                    out.push(m.update(x[i], y[i]).unwrap());
                }
                black_box(&out);
            })
        });
        g.bench_with_input(BenchmarkId::new("wasm", n), &n, |b, &n| {
            let mut m = HedgeRatioModel::create(&wasm, &[]).unwrap();
            b.iter(|| black_box(m.update_batch(&x[..n], &y[..n]).unwrap()))
        });
    }
    g.finish();
}

fn garch_fixed() -> Vec<(String, ParamValue)> {
    vec![
        ("estimate".into(), ParamValue::Flag(false)),
        ("min-obs".into(), ParamValue::Int(100)),
        ("mu".into(), ParamValue::Float(0.0564)),
        ("omega".into(), ParamValue::Float(0.0175)),
        ("alpha".into(), ParamValue::Float(0.102)),
        ("beta".into(), ParamValue::Float(0.885)),
    ]
}

fn garch(c: &mut Criterion, rt: &Runtime) {
    let rets = sp500_returns();
    let wasm = component(rt, "garch");
    let fixed = garch_fixed();
    let mut g = c.benchmark_group("garch/update");
    g.throughput(Throughput::Elements(1));
    g.bench_function("native", |b| {
        let mut m = Garch::new(&fixed).unwrap();
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % rets.len();
            black_box(m.update(rets[i]).unwrap())
        })
    });
    g.bench_function("wasm", |b| {
        let mut m = VolatilityModel::create(&wasm, &to_wit_params(&fixed)).unwrap();
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % rets.len();
            black_box(m.update(rets[i]).unwrap())
        })
    });
    g.finish();
    let mut g = c.benchmark_group("garch/batch");
    let n = 4096;
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(BenchmarkId::new("native", n), |b| {
        let mut m = Garch::new(&fixed).unwrap();
        let mut out = Vec::with_capacity(n);
        b.iter(|| {
            out.clear();
            for r in &rets[..n] {
                out.push(m.update(*r).unwrap());
            }
            black_box(&out);
        })
    });
    g.bench_function(BenchmarkId::new("wasm", n), |b| {
        let mut m = VolatilityModel::create(&wasm, &to_wit_params(&fixed)).unwrap();
        b.iter(|| black_box(m.update_batch(&rets[..n]).unwrap()))
    });
    g.finish();
    let mut g = c.benchmark_group("garch/fit-sp500");
    g.sample_size(20);
    for dist in ["normal", "t"] {
        let params = vec![("dist".to_string(), ParamValue::Text(dist.into()))];
        g.bench_with_input(BenchmarkId::new("native", dist), &params, |b, p| {
            b.iter(|| {
                let mut m = Garch::new(p).unwrap();
                black_box(m.fit(&rets).unwrap())
            })
        });
        g.bench_with_input(BenchmarkId::new("wasm", dist), &params, |b, p| {
            let mut m = VolatilityModel::create(&wasm, &to_wit_params(p)).unwrap();
            b.iter(|| black_box(m.fit(&rets).unwrap()))
        });
    }
    g.finish();
}

fn bocd(c: &mut Criterion, rt: &Runtime) {
    let x: Vec<f64> = sp500_returns().iter().map(|r| 100.0 * r).collect();
    let wasm = component(rt, "bocd");
    let mut g = c.benchmark_group("bocd/sp500-series");
    g.sample_size(20);
    g.throughput(Throughput::Elements(x.len() as u64));
    g.bench_function("native", |b| {
        b.iter(|| {
            let mut m = Bocd::new(&[]).unwrap();
            for v in &x {
                black_box(m.update(*v).unwrap());
            }
        })
    });
    g.bench_function("wasm", |b| {
        b.iter(|| {
            let mut m = ChangepointModel::create(&wasm, &[]).unwrap();
            black_box(m.update_batch(&x).unwrap())
        })
    });
    g.finish();
}

/// The boundary alone: calls into a component that does no work
/// (`tests/plugins/hostile` in mode `ok`). `change-prob` returns a bare f64;
/// `update` returns `result<step, error-kind>`, a record through the
/// return area (the shape of every model's per-event call).
fn boundary(c: &mut Criterion, rt: &Runtime) {
    use hft_host::runtime::bindings::types::{Param, ParamValue as WitValue};
    let wasm = component(rt, "hostile");
    let params = [Param { name: "mode".into(), value: WitValue::Text("ok".into()) }];
    let mut m = ChangepointModel::create(&wasm, &params).unwrap();
    let mut g = c.benchmark_group("boundary");
    g.bench_function("f64-return", |b| b.iter(|| black_box(m.change_prob(5).unwrap())));
    g.bench_function("result-record-return", |b| b.iter(|| black_box(m.update(0.0).unwrap())));
    g.finish();
}

fn all(c: &mut Criterion) {
    let rt = Runtime::new(RuntimeConfig { cache_dir: None, ..RuntimeConfig::default() }).unwrap();
    boundary(c, &rt);
    kalman(c, &rt);
    garch(c, &rt);
    bocd(c, &rt);
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = all
}
criterion_main!(benches);
