"""Time Python `arch` fitting GARCH(1,1) on the S&P 500 returns the repo ships.

The same series and model as the `garch/fit-sp500` benchmark: constant mean,
GARCH(1,1), normal and Student-t errors, returns in percent.
Prints the median wall time of repeated fits and the optimum reached.
"""
import statistics
import time
from pathlib import Path

import arch
import pandas as pd
from arch import arch_model

ROOT = Path(__file__).resolve().parents[2]
prices = pd.read_csv(ROOT / "data" / "sp500.csv")["adj_close"]
returns = 100 * prices.pct_change().dropna()

for dist in ["normal", "t"]:
    model = arch_model(returns, mean="Constant", vol="GARCH", p=1, q=1, dist=dist)
    model.fit(disp="off")  # warm up
    times = []
    for _ in range(20):
        start = time.perf_counter()
        res = model.fit(disp="off")
        times.append(time.perf_counter() - start)
    print(
        f"arch {arch.__version__} fit {dist:6}: median {statistics.median(times) * 1e3:.2f} ms "
        f"over {len(times)} fits; loglik {res.loglikelihood:.6f}"
    )
