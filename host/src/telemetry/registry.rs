//! A minimal metrics registry: atomic counters, gauges and histograms
//! behind typed handles, and their Prometheus text exposition (format
//! 0.0.4).
//!
//! Registration (finding or creating a series for a label set) takes a
//! mutex and may allocate; it happens once, at setup. The handles it
//! returns are clones of an `Arc` around atomics, so the hot path
//! (`inc`, `set`, `observe`) neither allocates nor locks. A scrape takes the
//! same mutex as registration, never a lock the hot path touches.
//!
//! Hand-written rather than `prometheus-client` because that crate's
//! histogram takes a lock per observation and its families hand out guards
//! instead of owned handles; what we need fits in this file.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// What kind of metric a family is; decides its `# TYPE` line and how its
/// samples are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

/// The static description of a metric family: its name, help text, kind,
/// label names and (for histograms) bucket upper bounds.
#[derive(Debug)]
pub(crate) struct Desc {
    pub name: &'static str,
    pub help: &'static str,
    pub kind: Kind,
    pub labels: &'static [&'static str],
    /// Upper bounds of the histogram buckets, strictly increasing, without
    /// `+Inf` (always added). Empty for counters and gauges.
    pub buckets: &'static [f64],
}

/// A monotonically increasing count, e.g. ticks processed or orders sent.
///
/// Cheap to clone; every clone adds to the same series. Incrementing is one
/// relaxed atomic add: no allocation, no lock.
#[derive(Debug, Clone, Default)]
pub struct Counter(Arc<AtomicU64>);

impl Counter {
    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds `n`.
    #[inline]
    pub fn inc_by(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    /// The current count (for tests and logs).
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A value that goes up and down, e.g. equity or consumer lag.
///
/// Stored as the bits of an `f64` in an atomic because Prometheus samples
/// are floats. Cheap to clone; every clone sets the same series.
#[derive(Debug, Clone, Default)]
pub struct Gauge(Arc<AtomicU64>);

impl Gauge {
    /// Sets the value.
    #[inline]
    pub fn set(&self, value: f64) {
        self.0.store(value.to_bits(), Ordering::Relaxed);
    }

    /// Adds `delta` (negative to subtract). A lock-free compare-and-swap
    /// loop, so concurrent adds are not lost.
    #[inline]
    pub fn add(&self, delta: f64) {
        add_f64(&self.0, delta);
    }

    /// The current value (for tests and logs).
    pub fn get(&self) -> f64 {
        f64::from_bits(self.0.load(Ordering::Relaxed))
    }
}

/// A gauge that is either 0 or 1, e.g. the kill switch or "state store
/// up"; typed so a caller cannot write any other value.
#[derive(Debug, Clone, Default)]
pub struct FlagGauge(Gauge);

impl FlagGauge {
    /// Wraps a gauge of the registry that only ever holds 0 or 1.
    pub(crate) fn from_gauge(g: Gauge) -> FlagGauge {
        FlagGauge(g)
    }

    /// Sets 1 for `true`, 0 for `false`.
    #[inline]
    pub fn set(&self, on: bool) {
        self.0.set(if on { 1.0 } else { 0.0 });
    }

    /// Whether the gauge is 1.
    pub fn get(&self) -> bool {
        self.0.get() != 0.0
    }
}

/// Observations sorted into buckets, e.g. tick-to-order latency in seconds.
///
/// Each bucket holds its own (non-cumulative) count in an atomic; the
/// exposition makes them cumulative. Observing is a binary search over the
/// bounds, one atomic add and a compare-and-swap on the sum: no allocation,
/// no lock. Cheap to clone; every clone observes into the same series.
#[derive(Debug, Clone)]
pub struct Histogram(Arc<HistogramCore>);

#[derive(Debug)]
struct HistogramCore {
    /// Upper bounds, strictly increasing, without `+Inf`.
    bounds: &'static [f64],
    /// One count per bound, plus one for `+Inf`.
    counts: Box<[AtomicU64]>,
    /// Sum of the observations, as `f64` bits.
    sum: AtomicU64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Histogram {
        let counts = (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect();
        Histogram(Arc::new(HistogramCore { bounds, counts, sum: AtomicU64::new(0f64.to_bits()) }))
    }

    /// Records one observation. NaN is ignored (it would poison the sum).
    #[inline]
    pub fn observe(&self, value: f64) {
        if value.is_nan() {
            return;
        }
        let core = &*self.0;
        // First bucket whose upper bound is >= value (`le` is inclusive);
        // past the last bound it is the +Inf bucket.
        let i = core.bounds.partition_point(|&b| b < value);
        core.counts[i].fetch_add(1, Ordering::Relaxed);
        add_f64(&core.sum, value);
    }

    /// Records a duration in seconds (the unit of every `_seconds` metric).
    #[inline]
    pub fn observe_duration(&self, d: Duration) {
        self.observe(d.as_secs_f64());
    }

    /// Records a duration given in nanoseconds (the unit of the trading
    /// core's timestamps), in seconds.
    #[inline]
    pub fn observe_nanos(&self, nanos: u64) {
        self.observe(nanos as f64 / 1e9);
    }

    /// Number of observations so far.
    pub fn count(&self) -> u64 {
        self.0.counts.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }

    /// Sum of the observations so far.
    pub fn sum(&self) -> f64 {
        f64::from_bits(self.0.sum.load(Ordering::Relaxed))
    }
}

/// Adds to an `f64` kept as bits in an atomic: a lock-free
/// compare-and-swap loop (uncontended in practice: one writer per series).
#[inline]
fn add_f64(cell: &AtomicU64, delta: f64) {
    let mut current = cell.load(Ordering::Relaxed);
    loop {
        let next = (f64::from_bits(current) + delta).to_bits();
        match cell.compare_exchange_weak(current, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return,
            Err(actual) => current = actual,
        }
    }
}

/// One series' storage, shared with the handles given out for it.
#[derive(Debug)]
enum Value {
    Counter(Counter),
    Gauge(Gauge),
    Histogram(Histogram),
}

#[derive(Debug)]
struct Series {
    values: Box<[String]>,
    /// `name="value",...` with escaped values, without braces; empty when
    /// the family has no labels.
    rendered: String,
    value: Value,
}

#[derive(Debug)]
struct Family {
    desc: &'static Desc,
    series: Vec<Series>,
}

/// The families of one process, in declaration order, each with its series
/// in creation order.
#[derive(Debug)]
pub(crate) struct Registry {
    families: Mutex<Vec<Family>>,
}

impl Registry {
    /// A registry with these families declared (and no series yet), so the
    /// exposition order is the declaration order.
    pub fn new(descs: &[&'static Desc]) -> Registry {
        let families = descs.iter().map(|&desc| Family { desc, series: Vec::new() }).collect();
        Registry { families: Mutex::new(families) }
    }

    /// The counter of `desc` for these label values, created at 0 on first
    /// use; later calls with the same values return the same series.
    ///
    /// # Panics
    /// If `desc` is not a counter or `values` does not match its label
    /// names: a programming error in this module's metric table.
    pub fn counter(&self, desc: &'static Desc, values: &[&str]) -> Counter {
        assert_eq!(desc.kind, Kind::Counter, "{} is not a counter", desc.name);
        match self.series(desc, values, || Value::Counter(Counter::default())) {
            Value::Counter(c) => c,
            _ => unreachable!("kind checked above"),
        }
    }

    /// The gauge of `desc` for these label values, created at 0 on first
    /// use; later calls with the same values return the same series.
    ///
    /// # Panics
    /// As [`Registry::counter`].
    pub fn gauge(&self, desc: &'static Desc, values: &[&str]) -> Gauge {
        assert_eq!(desc.kind, Kind::Gauge, "{} is not a gauge", desc.name);
        match self.series(desc, values, || Value::Gauge(Gauge::default())) {
            Value::Gauge(g) => g,
            _ => unreachable!("kind checked above"),
        }
    }

    /// The histogram of `desc` for these label values, created empty on
    /// first use; later calls with the same values return the same series.
    ///
    /// # Panics
    /// As [`Registry::counter`].
    pub fn histogram(&self, desc: &'static Desc, values: &[&str]) -> Histogram {
        assert_eq!(desc.kind, Kind::Histogram, "{} is not a histogram", desc.name);
        match self.series(desc, values, || Value::Histogram(Histogram::new(desc.buckets))) {
            Value::Histogram(h) => h,
            _ => unreachable!("kind checked above"),
        }
    }

    /// Finds or creates the series; returns a clone of its handle.
    fn series(&self, desc: &'static Desc, values: &[&str], make: impl FnOnce() -> Value) -> Value {
        assert_eq!(values.len(), desc.labels.len(), "{}: expected labels {:?}", desc.name, desc.labels);
        // Only pushes happen under the lock, so a panic elsewhere cannot
        // leave the data half-changed: ignore poisoning.
        let mut families = self.families.lock().unwrap_or_else(PoisonError::into_inner);
        let fi = match families.iter().position(|f| std::ptr::eq(f.desc, desc)) {
            Some(i) => i,
            None => {
                families.push(Family { desc, series: Vec::new() });
                families.len() - 1
            }
        };
        let family = &mut families[fi];
        let found = family.series.iter().find(|s| s.values.iter().map(String::as_str).eq(values.iter().copied()));
        let series = match found {
            Some(s) => s,
            None => {
                let mut rendered = String::new();
                for (i, (name, value)) in desc.labels.iter().zip(values).enumerate() {
                    if i > 0 {
                        rendered.push(',');
                    }
                    rendered.push_str(name);
                    rendered.push_str("=\"");
                    escape_label_value(value, &mut rendered);
                    rendered.push('"');
                }
                let values = values.iter().map(|v| (*v).to_owned()).collect();
                family.series.push(Series { values, rendered, value: make() });
                family.series.last().expect("just pushed")
            }
        };
        match &series.value {
            Value::Counter(c) => Value::Counter(c.clone()),
            Value::Gauge(g) => Value::Gauge(g.clone()),
            Value::Histogram(h) => Value::Histogram(h.clone()),
        }
    }

    /// The whole registry in the Prometheus text format 0.0.4: per family
    /// with at least one series, `# HELP` and `# TYPE` lines, then its
    /// samples.
    pub fn encode(&self, out: &mut String) {
        let families = self.families.lock().unwrap_or_else(PoisonError::into_inner);
        for family in families.iter().filter(|f| !f.series.is_empty()) {
            let desc = family.desc;
            out.push_str("# HELP ");
            out.push_str(desc.name);
            out.push(' ');
            escape_help(desc.help, out);
            out.push('\n');
            let _ = writeln!(out, "# TYPE {} {}", desc.name, desc.kind.as_str());
            for series in &family.series {
                match &series.value {
                    Value::Counter(c) => sample(out, desc.name, "", &series.rendered, None, &c.get().to_string()),
                    Value::Gauge(g) => sample(out, desc.name, "", &series.rendered, None, &format_f64(g.get())),
                    Value::Histogram(h) => encode_histogram(out, desc.name, &series.rendered, h),
                }
            }
        }
    }
}

fn encode_histogram(out: &mut String, name: &str, labels: &str, h: &Histogram) {
    let core = &*h.0;
    let mut cumulative = 0u64;
    for (i, count) in core.counts.iter().enumerate() {
        cumulative += count.load(Ordering::Relaxed);
        let le = core.bounds.get(i).map_or_else(|| "+Inf".to_owned(), |&b| format_f64(b));
        sample(out, name, "_bucket", labels, Some(&le), &cumulative.to_string());
    }
    // Read after the buckets and written as their total, so `_count` always
    // equals the `+Inf` bucket even while observations race the scrape.
    sample(out, name, "_sum", labels, None, &format_f64(h.sum()));
    sample(out, name, "_count", labels, None, &cumulative.to_string());
}

/// One sample line: `name{labels,le="..."} value`.
fn sample(out: &mut String, name: &str, suffix: &str, labels: &str, le: Option<&str>, value: &str) {
    out.push_str(name);
    out.push_str(suffix);
    if !labels.is_empty() || le.is_some() {
        out.push('{');
        out.push_str(labels);
        if let Some(le) = le {
            if !labels.is_empty() {
                out.push(',');
            }
            out.push_str("le=\"");
            out.push_str(le);
            out.push('"');
        }
        out.push('}');
    }
    out.push(' ');
    out.push_str(value);
    out.push('\n');
}

/// A float as Prometheus reads it: `+Inf`, `-Inf`, `NaN`, or Rust's
/// shortest round-trip decimal (`1`, `0.005`, `-3.5`).
pub(crate) fn format_f64(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v == f64::INFINITY {
        "+Inf".to_owned()
    } else if v == f64::NEG_INFINITY {
        "-Inf".to_owned()
    } else {
        v.to_string()
    }
}

/// Label values escape backslash, double quote and line feed.
pub(crate) fn escape_label_value(value: &str, out: &mut String) {
    for ch in value.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// Help text escapes backslash and line feed.
fn escape_help(help: &str, out: &mut String) {
    for ch in help.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static C: Desc =
        Desc { name: "t_total", help: "A \\ counter\nhelp.", kind: Kind::Counter, labels: &["a", "b"], buckets: &[] };
    static G: Desc = Desc { name: "t_gauge", help: "A gauge.", kind: Kind::Gauge, labels: &[], buckets: &[] };
    static H: Desc = Desc {
        name: "t_seconds",
        help: "A histogram.",
        kind: Kind::Histogram,
        labels: &["x"],
        buckets: &[0.5, 1.0, 2.5],
    };

    #[test]
    fn same_labels_share_a_series_and_different_ones_do_not() {
        let r = Registry::new(&[&C]);
        let a = r.counter(&C, &["1", "2"]);
        let b = r.counter(&C, &["1", "2"]);
        let c = r.counter(&C, &["1", "3"]);
        a.inc();
        b.inc_by(2);
        c.inc();
        assert_eq!(a.get(), 3);
        assert_eq!(c.get(), 1);
        let mut out = String::new();
        r.encode(&mut out);
        assert_eq!(
            out,
            "# HELP t_total A \\\\ counter\\nhelp.\n# TYPE t_total counter\nt_total{a=\"1\",b=\"2\"} 3\nt_total{a=\"1\",b=\"3\"} 1\n"
        );
    }

    #[test]
    fn families_without_series_are_not_written() {
        let r = Registry::new(&[&C, &G]);
        r.gauge(&G, &[]).set(-2.5);
        let mut out = String::new();
        r.encode(&mut out);
        assert_eq!(out, "# HELP t_gauge A gauge.\n# TYPE t_gauge gauge\nt_gauge -2.5\n");
    }

    #[test]
    fn label_values_are_escaped() {
        let r = Registry::new(&[&C]);
        r.counter(&C, &["q\"b\\n\nend", "é"]).inc();
        let mut out = String::new();
        r.encode(&mut out);
        assert!(out.contains("t_total{a=\"q\\\"b\\\\n\\nend\",b=\"é\"} 1\n"), "{out}");
    }

    #[test]
    fn histogram_buckets_are_cumulative_and_le_is_inclusive() {
        let r = Registry::new(&[&H]);
        let h = r.histogram(&H, &["y"]);
        for v in [0.125, 0.5, 0.75, 2.5, 3.0, 100.0, f64::NAN] {
            h.observe(v);
        }
        h.observe_duration(Duration::from_millis(250));
        h.observe_nanos(1_000_000_000);
        assert_eq!(h.count(), 8);
        let mut out = String::new();
        r.encode(&mut out);
        let expected = "# HELP t_seconds A histogram.\n# TYPE t_seconds histogram\n\
            t_seconds_bucket{x=\"y\",le=\"0.5\"} 3\n\
            t_seconds_bucket{x=\"y\",le=\"1\"} 5\n\
            t_seconds_bucket{x=\"y\",le=\"2.5\"} 6\n\
            t_seconds_bucket{x=\"y\",le=\"+Inf\"} 8\n\
            t_seconds_sum{x=\"y\"} 108.125\n\
            t_seconds_count{x=\"y\"} 8\n";
        assert_eq!(out, expected);
    }

    #[test]
    fn gauges_add_and_flags_are_zero_or_one() {
        let g = Gauge::default();
        g.add(1.5);
        g.add(-0.5);
        assert_eq!(g.get(), 1.0);
        let f = FlagGauge::default();
        f.set(true);
        assert!(f.get());
        assert_eq!(f.0.get(), 1.0);
        f.set(false);
        assert_eq!(f.0.get(), 0.0);
    }

    #[test]
    fn special_floats_use_prometheus_spelling() {
        assert_eq!(format_f64(f64::INFINITY), "+Inf");
        assert_eq!(format_f64(f64::NEG_INFINITY), "-Inf");
        assert_eq!(format_f64(f64::NAN), "NaN");
        assert_eq!(format_f64(1.0), "1");
        assert_eq!(format_f64(0.000_001), "0.000001");
    }

    #[test]
    fn concurrent_increments_are_not_lost() {
        let r = Registry::new(&[&C, &H]);
        let c = r.counter(&C, &["x", "y"]);
        let h = r.histogram(&H, &["z"]);
        std::thread::scope(|s| {
            for _ in 0..4 {
                let (c, h) = (c.clone(), h.clone());
                s.spawn(move || {
                    for _ in 0..10_000 {
                        c.inc();
                        h.observe(1.0);
                    }
                });
            }
        });
        assert_eq!(c.get(), 40_000);
        assert_eq!(h.count(), 40_000);
        assert_eq!(h.sum(), 40_000.0);
    }
}
