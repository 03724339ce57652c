"""Write the real market data the repository ships, from the `arch` package.

`arch.data.sp500` and `arch.data.nasdaq` are daily Yahoo Finance OHLCV series
(1999-01-04 to 2018-12-31) bundled with arch (NCSA licence). We keep the date
and adjusted close of each, written with Python's repr so every float
round-trips exactly.

Usage: python3 tools/reference/data.py   (from the repository root)
"""
from pathlib import Path

import arch
import arch.data.nasdaq
import arch.data.sp500

ROOT = Path(__file__).resolve().parents[2]


def write(name, frame):
    path = ROOT / "data" / f"{name}.csv"
    with path.open("w") as out:
        out.write("date,adj_close\n")
        for date, value in frame["Adj Close"].items():
            out.write(f"{date.date().isoformat()},{float(value)!r}\n")
    print(f"wrote {path.relative_to(ROOT)} ({len(frame)} rows) from arch {arch.__version__}")


def write_pair(name, x, y):
    """Both adjusted closes on their common dates, for pairs models."""
    path = ROOT / "data" / f"{name}.csv"
    both = x[["Adj Close"]].rename(columns={"Adj Close": "x"}).join(
        y[["Adj Close"]].rename(columns={"Adj Close": "y"}), how="inner"
    )
    with path.open("w") as out:
        out.write("date,spx,ndx\n")
        for date, row in both.iterrows():
            out.write(f"{date.date().isoformat()},{float(row.iloc[0])!r},{float(row.iloc[1])!r}\n")
    print(f"wrote {path.relative_to(ROOT)} ({len(both)} rows)")


if __name__ == "__main__":
    spx, ndx = arch.data.sp500.load(), arch.data.nasdaq.load()
    write("sp500", spx)
    write("nasdaq", ndx)
    write_pair("spx-ndx", spx, ndx)
