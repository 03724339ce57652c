use crate::types::Decimal;

/// `size` as an exact decimal with `decimals` places, rounded toward zero
/// (a target never exceeds what the sizing asked for). Non-finite sizes and
/// sizes too large for 64 bits give zero: a strategy that cannot size a
/// position does not hold one.
pub fn quantity(size: f64, decimals: u8) -> Decimal {
    let decimals = decimals.min(18);
    let scaled = (size * 10f64.powi(i32::from(decimals))).trunc();
    if !scaled.is_finite() || scaled.abs() >= 9.2e18 {
        return Decimal { mantissa: 0, scale: 0 };
    }
    Decimal { mantissa: scaled as i64, scale: decimals }
}

/// A WIT decimal as `f64`, for decisions (never for accounting).
pub fn quantity_to_f64(d: Decimal) -> f64 {
    d.mantissa as f64 / 10f64.powi(i32::from(d.scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_toward_zero() {
        let q = quantity(1.23456789, 4);
        assert_eq!((q.mantissa, q.scale), (12345, 4));
        let q = quantity(-0.00019, 4);
        assert_eq!((q.mantissa, q.scale), (-1, 4));
    }

    #[test]
    fn refuses_what_it_cannot_represent() {
        assert_eq!(quantity(f64::NAN, 4).mantissa, 0);
        assert_eq!(quantity(1e30, 4).mantissa, 0);
    }
}
