"""Reference outputs for the GARCH(1,1) model, from the Python `arch` package.

The model is arch's ``arch_model(y, mean='Constant', vol='GARCH', p=1, q=1,
dist=...)``: a constant mean ``mu`` and

    sigma2_t = omega + alpha * e_{t-1}^2 + beta * sigma2_{t-1},  e_t = y_t - mu

with normal or unit-variance Student-t errors, ``y`` = 100 * raw returns
(percent; the component's ``scale`` parameter) unless a case says otherwise.

What comes from where (all numbers are arch's own; nothing is re-implemented):

- Fitted cases (``sp500-fit-*``, ``synthetic-t-fit``): ``am.fit(disp='off')``
  with arch's defaults (SLSQP, its starting-value grid). Scalars: the fitted
  parameters, ``loglik`` (``res.loglikelihood``), arch's optimiser iteration
  count, the backcast arch used (``am._backcast``). Columns: ``variance`` =
  ``res.conditional_volatility ** 2``, ``std_resid`` = ``res.std_resid``,
  ``forecasts`` = ``res.forecast(horizon=10).variance`` (last row, h = 1..10).
- Fixed cases (``sp500-fixed-*``): ``am.fix(params)`` at the fitted parameters
  rounded to 4 significant digits. Columns ``variance``, ``std_resid`` from the
  fixed result; ``loglik`` per observation from arch's own
  ``am._loglikelihood(params, sigma2, backcast, var_bounds, individual=True)``
  (negated: arch returns the negative), checked to sum to the fixed result's
  ``loglikelihood``; ``forecasts`` from ``res.forecast(horizon=10)``.

  arch's ``fix`` computes the backcast from the residuals at the *starting
  values* (the sample mean), exactly as ``fit`` does, not at the fixed ``mu``
  (base.py ``fix``: ``resids = self.resids(self.starting_values())``). The
  whole-sample mean is not known to a model that streams the data, so the
  component (estimate=false, min-obs = m) computes arch's ``fix`` backcast from
  the first m returns instead. The ``stream_*`` columns are what that gives,
  computed with arch's own code: the backcast is the one ``fix`` uses on the
  first m returns (``am_m._backcast`` after ``am_m.fix(params)``), and the
  per-step variance / log-likelihood are arch's ``compute_variance`` and
  ``_loglikelihood(..., individual=True)`` over the whole series with that
  backcast. The first m - 1 entries are null (not ready). The script records
  from which index on ``stream_*`` equals the whole-series ``fix`` to 1e-9
  (relative) as ``stream_matches_fix_from``: the two differ only through the
  backcast, whose effect decays like beta^t.
- ``sp500-fit-*`` also carry ``scalars.windows``: arch's fits (``loglik``,
  ``params``) of WINDOWS seeded random sub-samples ``ret[start:start+n]``,
  n in WINDOW_SIZES. Short windows have multimodal likelihoods, where
  SLSQP's path decides which local optimum arch reports; the Rust test
  only requires a log-likelihood at least as high as arch's.
- ``synthetic-t-fit``: a GARCH(1,1)-t series simulated by arch's own
  ``simulate`` (``StudentsT(seed=SEED)``), written into the JSON input as is
  (``scale`` = 1: the simulated values are already the model's units) and
  fitted by arch with dist='t'.

arch's variance bounds (``variance_bounds``; the recursion clips sigma2 to
them) are checked not to bind anywhere in any case, so the Rust model, which
does not implement them, must agree exactly.

Usage: python3 tools/reference/garch.py   (from the repository root)
"""
import csv
import json
import math
import warnings
from pathlib import Path

import arch
import numpy as np
from arch import arch_model
from arch.univariate import GARCH, ConstantMean, StudentsT

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "reference" / "garch"
SOURCE = f"arch {arch.__version__}"
SEED = 20240611
SYNTH_N = 3000
SYNTH_PARAMS = [0.03, 0.05, 0.08, 0.9, 5.0]  # mu, omega, alpha, beta, nu
HORIZON = 10
STREAM_MIN_OBS = 100
WINDOWS = 60
WINDOW_SIZES = [100, 150, 250, 500, 1000]
NAMES = ["mu", "omega", "alpha", "beta", "nu"]


def read_returns():
    """Raw simple returns of data/sp500.csv, as pandas pct_change().dropna()."""
    with (ROOT / "data" / "sp500.csv").open() as f:
        closes = np.array([float(r["adj_close"]) for r in csv.DictReader(f)])
    import pandas as pd

    ret = pd.Series(closes).pct_change().dropna().to_numpy()
    # pct_change is close[t] / close[t-1] - 1; the Rust side gets exactly these.
    assert len(ret) == len(closes) - 1
    return ret


def clean(values):
    """Floats for JSON: repr round-trips f64; NaN becomes null."""
    return [None if math.isnan(v) else float(v) for v in np.asarray(values, dtype=float)]


def round_sig(x, digits=4):
    return float(f"{x:.{digits - 1}e}")


def check_bounds_do_not_bind(what, sigma2, var_bounds):
    lo, hi = var_bounds[:, 0], var_bounds[:, 1]
    assert np.all(sigma2 > lo) and np.all(sigma2 < hi), f"{what}: arch's variance bounds bind"
    margin = float(min(np.min(sigma2 / lo), np.min(hi / sigma2)))
    print(f"  {what}: variance bounds do not bind (closest factor {margin:.3g})")


def write(case, params, inputs, expected, scalars):
    doc = {
        "model": "garch",
        "case": case,
        "source": SOURCE,
        "params": params,
        "input": {k: clean(v) for k, v in inputs.items()},
        "expected": {k: clean(v) for k, v in expected.items()},
        "scalars": scalars,
    }
    path = OUT / f"{case}.json"
    with path.open("w") as out:
        json.dump(doc, out, allow_nan=False)
        out.write("\n")
    print(f"wrote {path.relative_to(ROOT)}")


def fit_case(case, ret, scale, dist):
    y = scale * ret
    am = arch_model(y, mean="Constant", vol="GARCH", p=1, q=1, dist=dist)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no convergence or scale warnings
        res = am.fit(disp="off")
    assert res.optimization_result.status == 0, res.optimization_result.message
    params = res.params.to_numpy()
    names = NAMES[: len(params)]
    sigma2 = res.conditional_volatility**2
    check_bounds_do_not_bind(case, sigma2, am._var_bounds)
    # The backcast fit used: from residuals at the starting mean, computed once.
    bc = am._backcast
    assert bc == am.volatility.backcast(y - am.starting_values()[0])
    fc = res.forecast(horizon=HORIZON).variance.to_numpy()[-1]
    n = len(y)
    scalars = {k: float(v) for k, v in zip(names, params)}
    scalars.update(
        {
            "loglik": float(res.loglikelihood),
            "nobs": n,
            "backcast": float(bc),
            "arch_iterations": int(res.optimization_result.nit),
            "dist": dist,
        }
    )
    if case.startswith("sp500"):
        scalars["windows"] = window_fits(y, dist, seed=SEED + (dist == "t"))
    # window = min-obs = n: streaming the whole input through update() fits
    # once, at the last return, on exactly this sample.
    comp_params = {"dist": dist, "scale": float(scale), "window": n, "min-obs": n}
    write(
        case,
        comp_params,
        {"ret": ret},
        {"variance": sigma2, "std_resid": res.std_resid, "forecasts": fc},
        scalars,
    )
    print(f"  {case}: {dict(zip(names, params.round(6)))}, loglik {res.loglikelihood!r}")
    return params


def window_fits(y, dist, seed):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(WINDOWS):
        n = int(rng.choice(WINDOW_SIZES))
        start = int(rng.integers(0, len(y) - n))
        am = arch_model(y[start : start + n], mean="Constant", vol="GARCH", p=1, q=1, dist=dist)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = am.fit(disp="off")
        out.append(
            {
                "start": start,
                "n": n,
                "loglik": float(res.loglikelihood),
                "params": [float(v) for v in res.params],
                "status": int(res.optimization_result.status),
            }
        )
    return out


def fixed_case(case, ret, scale, dist, params):
    y = scale * ret
    n = len(y)
    names = NAMES[: len(params)]
    params = np.asarray(params, dtype=float)

    # Whole-series fix.
    am = arch_model(y, mean="Constant", vol="GARCH", p=1, q=1, dist=dist)
    res = am.fix(params)
    bc = am._backcast
    assert bc == am.volatility.backcast(y - am.starting_values()[0])
    var_bounds = am.volatility.variance_bounds(am.resids(am.starting_values()))
    sigma2 = res.conditional_volatility**2
    check_bounds_do_not_bind(case, sigma2, var_bounds)
    lls = -am._loglikelihood(params, np.zeros(n), bc, var_bounds, individual=True)
    assert math.isclose(float(np.sum(lls)), float(res.loglikelihood), rel_tol=1e-13), (np.sum(lls), res.loglikelihood)
    fc = res.forecast(horizon=HORIZON).variance.to_numpy()[-1]

    # Streaming: the backcast arch's fix computes from the first m returns.
    m = STREAM_MIN_OBS
    am_m = arch_model(y[:m], mean="Constant", vol="GARCH", p=1, q=1, dist=dist)
    am_m.fix(params)
    bc_m = am_m._backcast
    s_sigma2 = am.volatility.compute_variance(params[1:4], y - params[0], np.zeros(n), bc_m, var_bounds)
    check_bounds_do_not_bind(case + " stream", s_sigma2, var_bounds)
    s_lls = -am._loglikelihood(params, np.zeros(n), bc_m, var_bounds, individual=True)
    s_std = (y - params[0]) / np.sqrt(s_sigma2)
    for col in (s_sigma2, s_lls, s_std):
        col[: m - 1] = np.nan
    # From which index on the streamed values equal the whole-series fix.
    rel = np.maximum(np.abs(s_sigma2 - sigma2) / sigma2, np.abs(s_lls - lls) / np.abs(lls))
    bad = np.nonzero(~(rel <= 1e-9))[0]
    from_index = int(bad[-1] + 1) if len(bad) else 0

    scalars = {k: float(v) for k, v in zip(names, params)}
    scalars.update(
        {
            "loglik": float(res.loglikelihood),
            "nobs": n,
            "backcast": float(bc),
            "stream_backcast": float(bc_m),
            "stream_min_obs": m,
            "stream_matches_fix_from": from_index,
            "dist": dist,
        }
    )
    comp_params = {"dist": dist, "scale": float(scale), "estimate": False, "min-obs": m}
    comp_params.update({k: float(v) for k, v in zip(names, params)})
    write(
        case,
        comp_params,
        {"ret": ret},
        {
            "variance": sigma2,
            "loglik": lls,
            "std_resid": res.std_resid,
            "forecasts": fc,
            "stream_variance": s_sigma2,
            "stream_loglik": s_lls,
            "stream_std_resid": s_std,
        },
        scalars,
    )
    print(
        f"  {case}: loglik {res.loglikelihood!r}, backcast {bc!r} (first {m}: {bc_m!r}); "
        f"stream = fix to 1e-9 from index {from_index}"
    )


def simulate_t():
    mod = ConstantMean(None, volatility=GARCH(p=1, q=1), distribution=StudentsT(seed=SEED))
    sim = mod.simulate(SYNTH_PARAMS, SYNTH_N, burn=500)
    return sim["data"].to_numpy()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    ret = read_returns()
    fitted = {}
    for dist in ("normal", "t"):
        fitted[dist] = fit_case(f"sp500-fit-{dist}", ret, 100.0, dist)
    for dist in ("normal", "t"):
        fixed_case(f"sp500-fixed-{dist}", ret, 100.0, dist, [round_sig(v) for v in fitted[dist]])
    synth = simulate_t()
    fit_case("synthetic-t-fit", synth, 1.0, "t")


if __name__ == "__main__":
    main()
