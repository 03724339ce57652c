//! Sums of logarithms at one `ln` per block of values.
//!
//! The likelihood needs `sum_t ln(sigma2_t)` (and, for the Student-t,
//! `sum_t ln(1 + q_t)`) at every optimiser step; a libm `log` per term is
//! most of the cost of a pass. Multiplying the values and taking the log of
//! the product is exact up to rounding (a relative error of ~1e-16 per
//! factor, ~1e-13 over a 5000-term sum: far below what the optimiser can
//! see), provided the product neither overflows nor underflows. So the
//! product is renormalised every [`BLOCK`] factors: its binary exponent is
//! moved into an integer, leaving a mantissa in [1, 2). A factor outside
//! roughly [2^-120, 2^120] makes the sum unusable, and callers fall back to
//! per-term logs. The values must be positive (they are variances and
//! `1 + q`); a zero, or a negative product, is detected too.
//!
//! Only the optimiser uses this; the per-observation terms that are compared
//! with arch (and the online steps) take one log per term, in arch's order.

/// Factors multiplied before the exponent is moved out of the product.
const BLOCK: u32 = 8;

/// Running `sum ln(v)` over pushed positive values.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LogSum {
    mantissa: f64,
    exponent: i64,
    count: u32,
    ok: bool,
}

impl LogSum {
    /// The empty sum.
    #[inline(always)]
    pub fn new() -> Self {
        LogSum { mantissa: 1.0, exponent: 0, count: 0, ok: true }
    }

    /// Add `ln(v)`.
    #[inline(always)]
    pub fn push(&mut self, v: f64) {
        self.mantissa *= v;
        self.count += 1;
        if self.count == BLOCK {
            self.normalise();
        }
    }

    #[inline(always)]
    fn normalise(&mut self) {
        self.count = 0;
        let bits = self.mantissa.to_bits();
        let e = ((bits >> 52) & 0x7ff) as i64;
        // Negative or zero factor, underflow to subnormal, overflow or NaN.
        if bits >> 63 != 0 || e == 0 || e == 0x7ff {
            self.ok = false;
            self.mantissa = 1.0;
            return;
        }
        self.exponent += e - 1023;
        self.mantissa = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    }

    /// The sum, or None if some factor took the product out of range.
    #[inline]
    pub fn total(&self) -> Option<f64> {
        let m = self.mantissa;
        (self.ok && m.is_normal() && m > 0.0).then(|| libm::log(m) + self.exponent as f64 * std::f64::consts::LN_2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_per_term_logs() {
        let values: Vec<f64> = (0..5003).map(|i| 0.01 + (i as f64 * 0.731).sin().abs() * 40.0).collect();
        let mut s = LogSum::new();
        values.iter().for_each(|&v| s.push(v));
        let exact: f64 = values.iter().map(|&v| libm::log(v)).sum();
        let got = s.total().unwrap();
        assert!((got - exact).abs() < 1e-14 * exact.abs(), "{got} vs {exact}");
        let mut empty = LogSum::new();
        assert_eq!(empty.total(), Some(0.0));
        empty.push(1.0);
        assert_eq!(empty.total(), Some(0.0));
    }

    #[test]
    fn out_of_range_products_are_reported() {
        for bad in [[1e300; 8], [1e-300; 8], [-1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0], [0.0; 8], [f64::NAN; 8]] {
            let mut s = LogSum::new();
            bad.iter().for_each(|&v| s.push(v));
            s.push(1.0);
            assert_eq!(s.total(), None, "{bad:?}");
        }
        // Caught at the end, in a partial block, too.
        let mut s = LogSum::new();
        s.push(-2.0);
        assert_eq!(s.total(), None);
        // Tiny and huge values well inside the range are fine.
        let mut s = LogSum::new();
        [1e-30, 1e30, 1e-35, 1e35].iter().for_each(|&v| s.push(v));
        assert!(s.total().unwrap().abs() < 1e-12);
    }
}
