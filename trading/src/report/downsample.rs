//! Thinning a series for a chart without hiding its extremes.

/// Reduce `points` (in x order) to at most `max` points (`max` ≥ 4) by
/// min/max bucketing: the first and last points are kept, the rest are cut
/// into equal-count buckets and each bucket keeps its lowest and highest
/// point, in x order. Unlike taking every n-th point, a spike or a crash
/// survives, which is what a reader looks for in an equity or spread chart.
pub(crate) fn min_max(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    let max = max.max(4);
    if points.len() <= max {
        return points.to_vec();
    }
    let interior = &points[1..points.len() - 1];
    let buckets = (max - 2) / 2;
    let mut out = Vec::with_capacity(max);
    out.push(points[0]);
    for b in 0..buckets {
        let lo = b * interior.len() / buckets;
        let hi = (b + 1) * interior.len() / buckets;
        let slice = &interior[lo..hi];
        if slice.is_empty() {
            continue;
        }
        let (mut imin, mut imax) = (0, 0);
        for (i, p) in slice.iter().enumerate() {
            if p.1 < slice[imin].1 {
                imin = i;
            }
            if p.1 > slice[imax].1 {
                imax = i;
            }
        }
        out.push(slice[imin.min(imax)]);
        if imin != imax {
            out.push(slice[imin.max(imax)]);
        }
    }
    out.push(points[points.len() - 1]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_extremes_and_bound() {
        let mut pts: Vec<(f64, f64)> = (0..10_000).map(|i| (i as f64, (i as f64 * 0.01).sin())).collect();
        pts[5_000].1 = 50.0;
        pts[7_000].1 = -50.0;
        let out = min_max(&pts, 2_000);
        assert!(out.len() <= 2_000);
        assert!(out.iter().any(|p| p.1 == 50.0) && out.iter().any(|p| p.1 == -50.0));
        assert_eq!(out.first(), pts.first());
        assert_eq!(out.last(), pts.last());
        assert!(out.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(min_max(&pts[..10], 2_000).len(), 10);
    }
}
