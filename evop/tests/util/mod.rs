//! Seeded generators and binomial bounds for the simulation tests.
//!
//! Our own generators (xoshiro256++ seeded by SplitMix64, Box-Muller
//! normals, Student-t by normal over chi-square) rather than `rand`, so the
//! simulated data, and so every rate the tests print, are the same on every
//! machine and every version of every dependency.

#![allow(dead_code)]

/// xoshiro256++ (Blackman & Vigna), seeded through SplitMix64.
pub struct Rng {
    s: [u64; 4],
    spare: Option<f64>,
}

impl Rng {
    pub fn seeded(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Self { s: [next(), next(), next(), next()], spare: None }
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = (s[0].wrapping_add(s[3])).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform on the open interval (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal (Box-Muller, the second value kept for the next call).
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let r = (-2.0 * self.uniform().ln()).sqrt();
        let theta = std::f64::consts::TAU * self.uniform();
        self.spare = Some(r * theta.sin());
        r * theta.cos()
    }

    /// Student-t with 4 degrees of freedom scaled to unit variance:
    /// Z / sqrt(V / 4) with V ~ chi-square(4) = -2 ln(U1 U2), whose
    /// variance 4 / (4 - 2) = 2 is then divided out.
    pub fn student_t4_unit(&mut self) -> f64 {
        let v = -2.0 * (self.uniform() * self.uniform()).ln();
        self.normal() / (v / 4.0).sqrt() / std::f64::consts::SQRT_2
    }
}

/// The innovations' distribution.
#[derive(Clone, Copy, Debug)]
pub enum Tails {
    Normal,
    /// Student-t with 4 degrees of freedom (kurtosis infinite), unit variance.
    StudentT4,
}

/// Per-period returns of a champion and its challengers: each strategy's
/// return is mean_i + vol x_i,t, with x_i an AR(1) process
/// x_t = phi x_{t-1} + sqrt(1 - phi^2) e_t of unit variance, and the
/// innovations e_i,t = sqrt(rho) c_t + sqrt(1 - rho) u_i,t sharing a common
/// part c_t, so any two strategies' returns have correlation rho.
#[derive(Clone, Copy, Debug)]
pub struct Market {
    pub vol: f64,
    pub rho: f64,
    pub phi: f64,
    pub tails: Tails,
}

impl Market {
    pub fn iid(rho: f64) -> Self {
        Self { vol: 0.01, rho, phi: 0.0, tails: Tails::Normal }
    }

    fn draw(&self, rng: &mut Rng) -> f64 {
        match self.tails {
            Tails::Normal => rng.normal(),
            Tails::StudentT4 => rng.student_t4_unit(),
        }
    }

    /// `means.len()` series of `n` periods (series 0 is the champion).
    pub fn simulate(&self, rng: &mut Rng, means: &[f64], n: usize) -> Vec<Vec<f64>> {
        let mut out: Vec<Vec<f64>> = means.iter().map(|_| Vec::with_capacity(n)).collect();
        let mut x = vec![0.0; means.len()];
        let (a, b) = (self.rho.sqrt(), (1.0 - self.rho).sqrt());
        let shock = (1.0 - self.phi * self.phi).sqrt();
        for t in 0..n {
            let c = self.draw(rng);
            for (i, series) in out.iter_mut().enumerate() {
                let e = a * c + b * self.draw(rng);
                x[i] = if t == 0 { e } else { self.phi * x[i] + shock * e };
                series.push(means[i] + self.vol * x[i]);
            }
        }
        out
    }
}

/// ln of the Binomial(n, p) probabilities of 0..=n, by the ratio recurrence
/// (no factorials, no underflow).
fn binomial_ln_pmf(n: u64, p: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(n as usize + 1);
    let mut ln = n as f64 * (1.0 - p).ln();
    let odds = (p / (1.0 - p)).ln();
    for k in 0..=n {
        out.push(ln);
        ln += ((n - k) as f64 / (k + 1) as f64).ln() + odds;
    }
    out
}

/// The largest count an honest rate of at most `p` exceeds with probability
/// at most `tail`: the smallest c with P(Binomial(n, p) > c) <= tail. A
/// count above it rejects "the rate is at most p" by an exact one-sided
/// binomial test at level `tail`; equivalently the one-sided 1 - tail
/// Clopper-Pearson lower confidence bound of the rate is then above p.
pub fn binomial_upper_critical(n: u64, p: f64, tail: f64) -> u64 {
    let pmf: Vec<f64> = binomial_ln_pmf(n, p).into_iter().map(f64::exp).collect();
    let mut above = 0.0;
    for c in (0..=n).rev() {
        // `above` = P(X > c).
        if above + pmf[c as usize] > tail {
            return c;
        }
        above += pmf[c as usize];
    }
    0
}

/// The smallest count a rate of at least `p` falls below with probability
/// at most `tail`: the largest c with P(Binomial(n, p) < c) <= tail.
pub fn binomial_lower_critical(n: u64, p: f64, tail: f64) -> u64 {
    let pmf: Vec<f64> = binomial_ln_pmf(n, p).into_iter().map(f64::exp).collect();
    let mut below = 0.0;
    for c in 0..=n {
        // `below` = P(X < c).
        if below + pmf[c as usize] > tail {
            return c;
        }
        below += pmf[c as usize];
    }
    n
}

#[test]
fn generators_have_the_moments_they_claim() {
    let mut rng = Rng::seeded(1);
    let n = 200_000;
    for tails in [Tails::Normal, Tails::StudentT4] {
        let m = Market { vol: 1.0, rho: 0.5, phi: 0.3, tails };
        let s = m.simulate(&mut rng, &[0.0, 0.0], n);
        let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
        let (a, b) = (&s[0], &s[1]);
        let (ma, mb) = (mean(a), mean(b));
        let var = |x: &[f64], m: f64| x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / x.len() as f64;
        let (va, vb) = (var(a, ma), var(b, mb));
        let cov = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum::<f64>() / n as f64;
        let lag1 = a.windows(2).map(|w| (w[0] - ma) * (w[1] - ma)).sum::<f64>() / (n - 1) as f64 / va;
        assert!(ma.abs() < 0.02 && (va - 1.0).abs() < 0.05, "{tails:?}: mean {ma} var {va}");
        assert!((cov / (va * vb).sqrt() - 0.5).abs() < 0.02, "{tails:?}: correlation");
        assert!((lag1 - 0.3).abs() < 0.02, "{tails:?}: lag-1 autocorrelation {lag1}");
    }
}

#[test]
fn binomial_critical_values() {
    // scipy.stats.binom: P(X > 13) = 0.00046 <= 0.001 < P(X > 12) = 0.00146
    // for Binomial(100, 0.05).
    assert_eq!(binomial_upper_critical(100, 0.05, 0.001), 13);
    // P(X < 80) = 0.00081 <= 0.001 < P(X < 81) = 0.00198 for Binomial(100, 0.9).
    assert_eq!(binomial_lower_critical(100, 0.9, 0.001), 80);
}
