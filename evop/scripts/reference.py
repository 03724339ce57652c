#!/usr/bin/env python3
"""Reference values for the unit tests of src/dist/ (mpmath at 40 digits).

Run: python3 evop/scripts/reference.py. Each line is `function(args) = value`
with 17 significant digits, the form pasted into the tests.
"""
import mpmath as mp

mp.mp.dps = 40


def show(label, v):
    print(f"{label} = {mp.nstr(v, 17, min_fixed=-100, max_fixed=100)}")


for x in [-3, -0.5, 0, "1e-10", 0.3, 1, 1.999, 2, 2.5, 3, 5, 10, 20, 26.5]:
    show(f"erfc({x})", mp.erfc(mp.mpf(x)))
for x in [0.1, 0.5, 1, 1.5, 2, 3.7, 9.99, 10, 123.456, "1e6"]:
    show(f"ln_gamma({x})", mp.loggamma(mp.mpf(x)))
for a, b in [(0.5, 0.5), (2, 3), (0.5, 15), (50000, 0.5), ("5e9", 0.5), (30, 40)]:
    show(f"ln_beta({a}, {b})", mp.log(mp.beta(mp.mpf(a), mp.mpf(b))))
for a, b, x in [(2, 3, 0.4), (0.5, 0.5, 0.1), (5, 0.5, 0.999), (2.5, 0.5, 0.01), (100, 0.5, 0.9), (10, 10, 0.5)]:
    show(f"beta_reg({a}, {b}, {x})", mp.betainc(mp.mpf(a), mp.mpf(b), 0, mp.mpf(x), regularized=True))


def ncdf(x):
    return mp.ncdf(mp.mpf(x))


for x in [-38, -20, -10, -5, -3, -1.96, -1, -0.1, 0, 0.5, 1.644853626951472, 2.326347874040841, 3, 8]:
    show(f"normal_cdf({x})", ncdf(x))
for p in ["1e-12", "1e-6", 0.001, 0.01, 0.025, 0.05, 0.3, 0.5, 0.9, 0.975, 0.99, 0.999999]:
    p = mp.mpf(p)
    show(f"normal_quantile({mp.nstr(p, 6)})", mp.sqrt(2) * mp.erfinv(2 * p - 1))


def t_sf(t, nu):
    t = mp.mpf(t)
    nu = mp.mpf(nu)
    x = nu / (nu + t * t)
    v = mp.betainc(nu / 2, mp.mpf(1) / 2, 0, x, regularized=True) / 2
    return v if t >= 0 else 1 - v


for t, nu in [(2.0, 1), (2.0, 3), (-1.5, 4.5), (0.3, 10), (3.0, 29), (5.0, 2), (10.0, 7), (40.0, 3), (2.5, 1000), (4.0, 1e6), (1.0, 0.5)]:
    show(f"t_sf({t}, {nu})", t_sf(t, nu))


def t_quantile(p, nu):
    p = mp.mpf(p)
    nu = mp.mpf(nu)
    return mp.findroot(lambda t: (1 - t_sf(t, nu)) - p, mp.mpf(1) if p > 0.5 else mp.mpf(-1), tol=mp.mpf(10) ** -35)


for p, nu in [(0.975, 1), (0.975, 2), (0.975, 3), (0.975, 5), (0.975, 10), (0.975, 29), (0.975, 30), (0.975, 120),
              (0.95, 1), (0.95, 4), (0.95, 20), (0.99, 1), (0.99, 9), (0.995, 1), (0.995, 6), (0.999, 3), (0.9995, 5),
              (0.6, 8), (0.05, 12), (0.001, 2.5), ("0.999999", 4), (0.99, 100000)]:
    show(f"t_quantile({p}, {nu})", t_quantile(p, nu))
