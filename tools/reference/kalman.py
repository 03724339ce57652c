"""Reference outputs for the Kalman hedge-ratio model, from pykalman.

The model is the dynamic regression

    y_t = alpha_t + beta_t * x_t + e_t,        e_t ~ N(0, ve)
    (alpha_t, beta_t) = (alpha_{t-1}, beta_{t-1}) + w_t,  w_t ~ N(0, W),
    W = delta / (1 - delta) * I

written as a pykalman ``KalmanFilter`` with time-varying observation matrices
[[1, x_t]] (shape (T, 1, 2)), identity transition, transition covariance W,
observation covariance [[ve]], initial state mean (initial-alpha,
initial-beta) and initial state covariance initial-var * I. pykalman's
convention at t = 0 is that the predicted state *is* the initial state (no
transition, no W added); from t = 1 on the predicted state is the previous
filtered state and its covariance is the previous filtered covariance + W.

What comes from where (all from pykalman's own code, nothing re-implemented
except the trivial algebra for pred_y, innovation and zscore):

- alpha, beta, p_aa, p_ab, p_bb: ``KalmanFilter.filter()`` (filtered means and
  covariances). p_ab is pykalman's P[0, 1]; pykalman's covariance update
  ``P - K (H P)`` is not symmetrised, so P[1, 0] can differ from P[0, 1] in
  the last bits (the script prints the largest difference).
- pred_alpha, pred_beta and the predicted covariance: pykalman's internal
  ``pykalman.standard._filter`` (what ``filter()`` calls; it also returns the
  predicted states). Its filtered outputs are checked to be identical to
  ``filter()``'s, and its predicted states are checked against pykalman's
  convention (t = 0: initial state; t > 0: filtered[t-1], covariance + W).
- innovation_var: H P_pred H' + ve, computed exactly as pykalman's
  ``_filter_correct``/``_loglikelihoods`` do (np.dot(H, np.dot(P_pred, H'))).
- pred_y = pred_alpha + pred_beta * x, innovation = y - pred_y,
  zscore = innovation / sqrt(innovation_var).
- loglik (per step): pykalman's ``_loglikelihoods`` (what
  ``KalmanFilter.loglikelihood()`` sums); scalars.loglik: ``loglikelihood()``.

Cases:

- spx-ndx: x = log adj. close of data/sp500.csv, y = log adj. close of
  data/nasdaq.csv (same dates), delta = 1e-4, ve = 1e-3, default prior.
- spx-ndx-prior: the same data, delta = 1e-3, ve = 1e-3, initial-alpha = -1,
  initial-beta = 1.2, initial-var = 0.5.
- synthetic: data/pair-synthetic.csv, a seeded cointegrated pair whose beta
  changes from 1.5 to 0.8 (and alpha from -2 to 0.9) halfway through (generated here with
  numpy.random.default_rng(SEED), written with repr and read back, so the
  fixture input is exactly the shipped file).

Usage: python3 tools/reference/kalman.py   (from the repository root)
"""
import csv
import json
import math
from pathlib import Path

import numpy as np
import pykalman
from pykalman import KalmanFilter
from pykalman.standard import _filter, _loglikelihoods

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "reference" / "kalman"
SOURCE = f"pykalman {pykalman.__version__}"
SEED = 20240611
SYNTH_T = 2000


def read_closes(name):
    with (ROOT / "data" / f"{name}.csv").open() as f:
        rows = list(csv.DictReader(f))
    return [r["date"] for r in rows], np.array([float(r["adj_close"]) for r in rows])


def write_synthetic():
    """A cointegrated pair in log prices with a beta break at T/2."""
    rng = np.random.default_rng(SEED)
    n = SYNTH_T
    x = 4.0 + np.cumsum(rng.normal(0.0, 0.02, n))
    beta = np.where(np.arange(n) < n // 2, 1.5, 0.8)
    alpha = np.where(np.arange(n) < n // 2, -2.0, 0.9)
    # Stationary AR(1) spread, so the pair is cointegrated within each regime.
    spread = np.zeros(n)
    eps = rng.normal(0.0, 0.01, n)
    for t in range(1, n):
        spread[t] = 0.9 * spread[t - 1] + eps[t]
    y = alpha + beta * x + spread
    path = ROOT / "data" / "pair-synthetic.csv"
    with path.open("w") as out:
        out.write("x,y\n")
        for a, b in zip(x, y):
            out.write(f"{float(a)!r},{float(b)!r}\n")
    print(f"wrote {path.relative_to(ROOT)} ({n} rows, seed {SEED})")


def read_synthetic():
    with (ROOT / "data" / "pair-synthetic.csv").open() as f:
        rows = list(csv.DictReader(f))
    return np.array([float(r["x"]) for r in rows]), np.array([float(r["y"]) for r in rows])


def clean(values):
    """Floats for JSON: repr round-trips f64; NaN becomes null."""
    return [None if math.isnan(v) else float(v) for v in values]


def run(case, x, y, params):
    delta = params["delta"]
    ve = params["ve"]
    init_mean = np.array([params["initial-alpha"], params["initial-beta"]])
    init_cov = params["initial-var"] * np.eye(2)
    w = delta / (1.0 - delta)
    n = len(x)

    obs_mats = np.zeros((n, 1, 2))
    obs_mats[:, 0, 0] = 1.0
    obs_mats[:, 0, 1] = x
    kf = KalmanFilter(
        transition_matrices=np.eye(2),
        observation_matrices=obs_mats,
        transition_covariance=w * np.eye(2),
        observation_covariance=np.array([[ve]]),
        transition_offsets=np.zeros(2),
        observation_offsets=np.zeros(1),
        initial_state_mean=init_mean,
        initial_state_covariance=init_cov,
        n_dim_state=2,
        n_dim_obs=1,
    )
    z = y.reshape(n, 1)
    filt_means, filt_covs = kf.filter(z)
    total = kf.loglikelihood(z)

    # pykalman's own filter recursion, to get the predicted states it used.
    (tm, to, tc, om, oo, oc, im, ic) = kf._initialize_parameters()
    pred_means, pred_covs, _gains, f_means2, f_covs2 = _filter(tm, om, tc, oc, to, oo, im, ic, kf._parse_observations(z))
    assert np.array_equal(f_means2, filt_means) and np.array_equal(f_covs2, filt_covs)
    steps = _loglikelihoods(om, oo, oc, pred_means, pred_covs, kf._parse_observations(z))
    assert math.isclose(float(np.sum(steps)), float(total), rel_tol=0, abs_tol=0)

    # pykalman's convention, checked rather than assumed.
    assert np.array_equal(pred_means[0], init_mean) and np.array_equal(pred_covs[0], init_cov)
    assert np.array_equal(pred_means[1:], filt_means[:-1])
    assert np.array_equal(pred_covs[1:], filt_covs[:-1] + w * np.eye(2))

    q = np.array([float(np.dot(obs_mats[t], np.dot(pred_covs[t], obs_mats[t].T))[0, 0]) + ve for t in range(n)])
    pred_y = pred_means[:, 0] + pred_means[:, 1] * x
    innovation = y - pred_y
    asym = float(np.max(np.abs(filt_covs[:, 0, 1] - filt_covs[:, 1, 0])))
    min_det = float(np.min(filt_covs[:, 0, 0] * filt_covs[:, 1, 1] - filt_covs[:, 0, 1] * filt_covs[:, 1, 0]))

    doc = {
        "model": "kalman",
        "case": case,
        "source": SOURCE,
        "params": params,
        "input": {"x": clean(x), "y": clean(y)},
        "expected": {
            "pred_alpha": clean(pred_means[:, 0]),
            "pred_beta": clean(pred_means[:, 1]),
            "pred_y": clean(pred_y),
            "innovation": clean(innovation),
            "innovation_var": clean(q),
            "zscore": clean(innovation / np.sqrt(q)),
            "alpha": clean(filt_means[:, 0]),
            "beta": clean(filt_means[:, 1]),
            "p_aa": clean(filt_covs[:, 0, 0]),
            "p_ab": clean(filt_covs[:, 0, 1]),
            "p_bb": clean(filt_covs[:, 1, 1]),
            "loglik": clean(steps),
        },
        "scalars": {"loglik": float(total), "nobs": n},
    }
    path = OUT / f"{case}.json"
    with path.open("w") as out:
        json.dump(doc, out, allow_nan=False)
        out.write("\n")
    print(
        f"wrote {path.relative_to(ROOT)}: {n} steps, loglik {float(total)!r}, "
        f"final beta {filt_means[-1, 1]:.6f}, max |P01-P10| {asym:.3e}, min det P {min_det:.3e}"
    )


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    dates_x, spx = read_closes("sp500")
    dates_y, ndx = read_closes("nasdaq")
    assert dates_x == dates_y, "sp500.csv and nasdaq.csv must have the same dates"
    x, y = np.log(spx), np.log(ndx)
    default = {"delta": 1e-4, "ve": 1e-3, "initial-alpha": 0.0, "initial-beta": 0.0, "initial-var": 1.0}
    run("spx-ndx", x, y, default)
    run(
        "spx-ndx-prior",
        x,
        y,
        {"delta": 1e-3, "ve": 1e-3, "initial-alpha": -1.0, "initial-beta": 1.2, "initial-var": 0.5},
    )

    write_synthetic()
    sx, sy = read_synthetic()
    run("synthetic", sx, sy, {"delta": 1e-4, "ve": 1e-4, "initial-alpha": 0.0, "initial-beta": 1.0, "initial-var": 1.0})


if __name__ == "__main__":
    main()
