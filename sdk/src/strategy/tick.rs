/// One tick's values with names: prices and positions per leg, then the
/// signals, in the layout the WIT `tick` record documents.
#[derive(Debug, Clone, Copy)]
pub struct TickView<'a> {
    /// Event time, nanoseconds since the Unix epoch.
    pub ts_ns: i64,
    /// Account equity in the quote currency.
    pub equity: f64,
    legs: usize,
    values: &'a [f64],
}

impl<'a> TickView<'a> {
    /// View `values` of a strategy with `legs` legs. `None` if the list is
    /// too short to hold a price and a position per leg, which means the
    /// host and the component disagree about the wiring.
    pub fn new(ts_ns: i64, equity: f64, legs: usize, values: &'a [f64]) -> Option<TickView<'a>> {
        (values.len() >= 2 * legs).then_some(TickView { ts_ns, equity, legs, values })
    }

    /// Last price of `leg` (NaN before its first).
    pub fn price(&self, leg: usize) -> f64 {
        if leg < self.legs { self.values[leg] } else { f64::NAN }
    }

    /// Current position of `leg`, in base units.
    pub fn position(&self, leg: usize) -> f64 {
        if leg < self.legs { self.values[self.legs + leg] } else { f64::NAN }
    }

    /// Signal number `i` in the order the strategy declared them (NaN until
    /// its model has produced a value, or if there is no such signal).
    pub fn signal(&self, i: usize) -> f64 {
        self.values.get(2 * self.legs + i).copied().unwrap_or(f64::NAN)
    }

    /// Whether every leg is flat.
    pub fn is_flat(&self) -> bool {
        (0..self.legs).all(|l| self.position(l) == 0.0)
    }
}
