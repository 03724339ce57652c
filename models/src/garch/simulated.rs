//! Deterministic GARCH(1,1) series for the unit tests: fat-tailed shocks
//! (a scaled sum of uniforms, occasionally inflated) from a fixed xorshift
//! stream, so every test sees the same data on every machine.

/// Parameters of a simulated series, in percent units.
pub(crate) struct Simulation {
    pub(crate) seed: u64,
    pub(crate) mu: f64,
    pub(crate) omega: f64,
    pub(crate) alpha: f64,
    pub(crate) beta: f64,
    pub(crate) initial_variance: f64,
}

impl Simulation {
    /// `n` returns in percent.
    pub(crate) fn series(&self, n: usize) -> Vec<f64> {
        let mut s = self.seed;
        let mut u = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut v = self.initial_variance;
        (0..n)
            .map(|_| {
                let z = (u() + u() + u() + u() + u() + u() - 3.0) * std::f64::consts::SQRT_2;
                let z = if u() < 0.03 { 2.5 * z } else { z };
                let r = self.mu + v.sqrt() * z;
                v = self.omega + self.alpha * (r - self.mu) * (r - self.mu) + self.beta * v;
                r
            })
            .collect()
    }
}
