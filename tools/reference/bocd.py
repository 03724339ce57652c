"""Reference outputs for the `bocd` model, from the hildensia reference BOCD.

The reference is `bayesian-changepoint-detection` (github.com/hildensia/
bayesian_changepoint_detection), `online_changepoint_detection` with
`constant_hazard` and the `StudentT` Normal-Gamma likelihood, run UNPRUNED
(it is O(T^2) in time and memory: a dense (T+1) x (T+1) run-length matrix R).

For every case this writes tests/fixtures/reference/bocd/<case>.json in the
format documented in models/src/fixtures.rs:

  params    the component's parameter names, with pruning disabled
            (prune-threshold = 0, max-hypotheses = 0).
  input     x: the observations.
  expected  per step t (0-based; "after t+1 observations", i.e. R[:, t+1]):
              change_prob   P(L_t <= window)
              map_length    argmax_l P(L_t = l)   (l >= 1)
              segment_mean  sum_l P(L_t = l) * mu_l
              segment_var   sum_l P(L_t = l) * beta_l / alpha_l
              map_margin    P(L_t = map) - P(L_t = runner-up) (1.0 at t = 0)
              log_pred      ln p(x_t | x_0..x_{t-1}) = ln sum_r R[r, t] pred_r,
                            the normaliser of step t (the reference
                            renormalises by it; its running sum is the log
                            evidence, which the pruning test needs)
            where L_t is the length of the current segment including x_t,
            P(L_t = l) = R[l, t+1] / (1 - R[0, t+1]) for l >= 1, and
            mu_l, beta_l, alpha_l are the reference likelihood object's
            parameter arrays after its (t+1)-th update_theta (index l = run
            length l, the posterior after the last l observations).
            r_<t>: the dense run-length posterior R[0:t+2, t+1] for the steps
            listed in scalars.posterior_steps.
  scalars   posterior_steps, n, hazard, max_abs_r0_minus_hazard (the
            reference's P(r = 0) is the hazard H at every step, to rounding).

The reference's own parameter arrays are obtained by replaying a fresh
StudentT object with the same prior through update_theta, which is exactly
what online_changepoint_detection does to its object (pdf does not mutate it).

Cases:
  synthetic          data/changepoints-synthetic.csv (seeded, known
                     changepoints in mean and in variance), our default prior.
  synthetic-refprior the same series under the reference library's default
                     prior (alpha=0.1, beta=0.01, kappa=1, mu=0), window 10.
  sp500              100 * pct_change of data/sp500.csv adj_close (all 5030
                     returns), our default parameters.

Usage (from the repository root):
  python3 tools/reference/bocd.py               # all cases
  python3 tools/reference/bocd.py --write-data  # also (re)write the synthetic CSV
The synthetic CSV is written only when absent or with --write-data; the
fixtures are always computed from the shipped file as read back, so they are
reproducible from the repository alone.
"""
import json
import sys
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

import bayesian_changepoint_detection
from bayesian_changepoint_detection import online_changepoint_detection as oncd

ROOT = Path(__file__).resolve().parents[2]
SYNTHETIC = ROOT / "data" / "changepoints-synthetic.csv"
OUT = ROOT / "tests" / "fixtures" / "reference" / "bocd"
SOURCE = f"bayesian-changepoint-detection {bayesian_changepoint_detection.__version__}"

SEED = 20070606  # Adams & MacKay's arXiv date; any fixed seed would do.
# (length, mean, standard deviation) of each synthetic segment: changes in
# mean only, in variance only, and in both.
SEGMENTS = [
    (250, 0.0, 1.0),
    (150, 1.5, 1.0),  # mean shift at 250
    (200, 1.5, 3.0),  # variance up at 400
    (150, -1.0, 3.0),  # mean shift under high variance at 600
    (250, -1.0, 0.5),  # variance down at 750
]


def write_synthetic():
    rng = np.random.default_rng(SEED)
    with SYNTHETIC.open("w") as out:
        out.write("x,segment\n")
        for seg, (n, mean, sd) in enumerate(SEGMENTS):
            for v in rng.normal(mean, sd, size=n):
                out.write(f"{float(v)!r},{seg}\n")
    print(f"wrote {SYNTHETIC.relative_to(ROOT)} (seed {SEED})")


def read_synthetic():
    frame = pd.read_csv(SYNTHETIC, dtype={"x": str, "segment": int})
    # Parse the repr text with Python's float (correctly rounded), not pandas'
    # fast parser, so the numbers are exactly those written.
    return np.array([float(s) for s in frame["x"]]), frame["segment"].to_numpy()


def sp500_returns():
    frame = pd.read_csv(ROOT / "data" / "sp500.csv", dtype={"adj_close": str})
    prices = pd.Series([float(s) for s in frame["adj_close"]])
    return (100.0 * prices.pct_change()).to_numpy()[1:]


def default_params(**over):
    params = {
        "hazard-lambda": 250.0,
        "mu0": 0.0,
        "kappa0": 1.0,
        "alpha0": 1.0,
        "beta0": 1.0,
        "window": 5,
        "prune-threshold": 0.0,
        "max-hypotheses": 0,
    }
    params.update(over)
    return params


def fl(values):
    return [float(v) for v in values]


def run_case(case, x, params, extra_scalars=None):
    x = np.asarray(x, dtype=float)
    n = len(x)
    lam = params["hazard-lambda"]
    window = params["window"]
    prior = dict(alpha=params["alpha0"], beta=params["beta0"], kappa=params["kappa0"], mu=params["mu0"])

    R, _maxes = oncd.online_changepoint_detection(x, partial(oncd.constant_hazard, lam), oncd.StudentT(**prior))

    replay = oncd.StudentT(**prior)
    out = {k: [] for k in ("change_prob", "map_length", "segment_mean", "segment_var", "map_margin", "log_pred")}
    max_r0_dev = 0.0
    for t in range(n):
        # The normaliser of step t, p(x_t | x_0..x_{t-1}), from the same
        # predictive densities the reference multiplied R[:, t] by.
        out["log_pred"].append(np.log(np.sum(R[: t + 1, t] * replay.pdf(x[t]))))
        replay.update_theta(x[t])
        col = R[: t + 2, t + 1]
        max_r0_dev = max(max_r0_dev, abs(col[0] - 1.0 / lam))
        seg = col[1:] / (1.0 - col[0])  # P(L_t = l), l = 1..t+1
        mu, beta, alpha = replay.mu[1 : t + 2], replay.beta[1 : t + 2], replay.alpha[1 : t + 2]
        out["change_prob"].append(seg[:window].sum())
        best = int(seg.argmax())
        out["map_length"].append(best + 1)
        out["segment_mean"].append((seg * mu).sum())
        out["segment_var"].append((seg * beta / alpha).sum())
        if t == 0:
            out["map_margin"].append(1.0)
        else:
            top2 = np.partition(seg, -2)[-2:]
            out["map_margin"].append(top2[1] - top2[0])

    steps = sorted({0, 1, 9, n // 50, n // 10, n // 4, n // 2, (3 * n) // 4, n - 1})
    expected = {k: (v if k == "map_length" else fl(v)) for k, v in out.items()}
    for t in steps:
        expected[f"r_{t}"] = fl(R[: t + 2, t + 1])
    scalars = {
        "posterior_steps": steps,
        "n": n,
        "hazard": 1.0 / lam,
        "max_abs_r0_minus_hazard": float(max_r0_dev),
    }
    scalars.update(extra_scalars or {})
    doc = {
        "model": "bocd",
        "case": case,
        "source": SOURCE,
        "params": params,
        "input": {"x": fl(x)},
        "expected": expected,
        "scalars": scalars,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{case}.json"
    with path.open("w") as f:
        json.dump(doc, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"wrote {path.relative_to(ROOT)} ({n} steps, {path.stat().st_size / 1e6:.2f} MB, "
          f"max |R[0]-H| = {max_r0_dev:.3g})")
    del R


def main():
    if "--write-data" in sys.argv or not SYNTHETIC.exists():
        write_synthetic()
    x, segment = read_synthetic()
    starts = [0] + [i for i in range(1, len(segment)) if segment[i] != segment[i - 1]]
    run_case("synthetic", x, default_params(**{"hazard-lambda": 200.0}), {"segment_starts": starts})
    run_case(
        "synthetic-refprior",
        x,
        default_params(**{"hazard-lambda": 250.0, "alpha0": 0.1, "beta0": 0.01, "window": 10}),
        {"segment_starts": starts},
    )
    run_case("sp500", sp500_returns(), default_params())


if __name__ == "__main__":
    main()
