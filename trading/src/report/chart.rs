//! A small inline-SVG line chart over a UTC time axis.
//!
//! Drawn here rather than by a JavaScript library so `report.html` is one
//! self-contained file that opens offline and renders the same everywhere.

use super::downsample::min_max;
use super::escape::html;
use super::utc;
use crate::domain::Timestamp;
use std::fmt::Write;

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 40.0;
/// Points drawn per series at most; more only adds bytes, not detail.
const MAX_POINTS: usize = 2_000;

const SEC: i64 = 1_000_000_000;
/// Candidate time-axis steps, nanoseconds, smallest first.
const TIME_STEPS: [i64; 31] = [
    1_000_000,
    10_000_000,
    100_000_000,
    250_000_000,
    500_000_000,
    SEC,
    2 * SEC,
    5 * SEC,
    10 * SEC,
    15 * SEC,
    30 * SEC,
    60 * SEC,
    120 * SEC,
    300 * SEC,
    600 * SEC,
    900 * SEC,
    1_800 * SEC,
    3_600 * SEC,
    7_200 * SEC,
    10_800 * SEC,
    21_600 * SEC,
    43_200 * SEC,
    86_400 * SEC,
    2 * 86_400 * SEC,
    7 * 86_400 * SEC,
    14 * 86_400 * SEC,
    30 * 86_400 * SEC,
    60 * 86_400 * SEC,
    90 * 86_400 * SEC,
    180 * 86_400 * SEC,
    365 * 86_400 * SEC,
];

/// How y-axis labels are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum YFormat {
    /// As the number.
    Plain,
    /// A fraction shown as a percentage.
    Percent,
}

/// One line.
pub(crate) struct Series {
    pub(crate) name: String,
    pub(crate) color: &'static str,
    /// `(time ns, value)` in time order; non-finite values are skipped.
    pub(crate) points: Vec<(i64, f64)>,
}

/// The glyph of a point marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Up,
    Down,
    Circle,
}

/// A glyph at a point, with a tooltip.
pub(crate) struct PointMarker {
    pub(crate) ts: i64,
    pub(crate) y: f64,
    pub(crate) shape: Shape,
    pub(crate) color: &'static str,
    pub(crate) title: String,
}

/// A chart: lines, point markers and vertical event lines.
pub(crate) struct LineChart {
    pub(crate) title: String,
    pub(crate) y_format: YFormat,
    pub(crate) series: Vec<Series>,
    pub(crate) markers: Vec<PointMarker>,
    /// Vertical lines at `(time ns, tooltip)`.
    pub(crate) vlines: Vec<(i64, String)>,
    pub(crate) vline_color: &'static str,
    /// Extra legend entries `(color, label)` for markers and lines.
    pub(crate) legend: Vec<(&'static str, String)>,
}

impl LineChart {
    /// An empty chart titled `title`.
    pub(crate) fn new(title: &str, y_format: YFormat) -> LineChart {
        LineChart {
            title: title.to_string(),
            y_format,
            series: Vec::new(),
            markers: Vec::new(),
            vlines: Vec::new(),
            vline_color: "#e67e22",
            legend: Vec::new(),
        }
    }

    /// The chart as one `<svg>` element.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-label="{}">"#,
            html(&self.title)
        );
        let _ = write!(out, r#"<text x="{LEFT}" y="16" class="title">{}</text>"#, html(&self.title));
        self.render_legend(&mut out);
        let series: Vec<Vec<(i64, f64)>> = self
            .series
            .iter()
            .map(|s| s.points.iter().copied().filter(|p| p.1.is_finite()).collect::<Vec<_>>())
            .collect();
        let xs = series
            .iter()
            .flatten()
            .map(|p| p.0)
            .chain(self.markers.iter().map(|m| m.ts))
            .chain(self.vlines.iter().map(|v| v.0));
        let (Some(t0), Some(t1)) = (xs.clone().min(), xs.max()) else {
            let _ = write!(out, r#"<text x="{}" y="{}" class="empty">no data</text></svg>"#, WIDTH / 2.0, HEIGHT / 2.0);
            return out;
        };
        let (t0, t1) = if t1 > t0 { (t0, t1) } else { (t0 - SEC, t0 + SEC) };
        let ys: Vec<f64> = series
            .iter()
            .flatten()
            .map(|p| p.1)
            .chain(self.markers.iter().map(|m| m.y).filter(|y| y.is_finite()))
            .collect();
        let (y0, y1) = y_range(&ys);
        let frame = Frame { t0, t1, y0, y1 };
        self.render_axes(&mut out, &frame);
        for (line, spec) in series.iter().zip(&self.series) {
            let pts: Vec<(f64, f64)> = line.iter().map(|&(t, y)| ((t - t0) as f64, y)).collect();
            let pts = min_max(&pts, MAX_POINTS);
            let mut coords = String::with_capacity(pts.len() * 14);
            for (dt, y) in pts {
                let _ = write!(coords, "{:.1},{:.1} ", frame.px_offset(dt), frame.py(y));
            }
            let _ = write!(
                out,
                r#"<polyline fill="none" stroke="{}" stroke-width="1.3" points="{}"><title>{}</title></polyline>"#,
                spec.color,
                coords.trim_end(),
                html(&spec.name)
            );
        }
        for (ts, title) in &self.vlines {
            let x = frame.px(*ts);
            let _ = write!(
                out,
                r#"<line x1="{x:.1}" x2="{x:.1}" y1="{TOP}" y2="{}" stroke="{}" stroke-dasharray="4 3"><title>{}</title></line>"#,
                HEIGHT - BOTTOM,
                self.vline_color,
                html(title)
            );
        }
        for m in &self.markers {
            if !m.y.is_finite() {
                continue;
            }
            let (x, y) = (frame.px(m.ts), frame.py(m.y));
            let glyph = match m.shape {
                Shape::Up => format!(
                    r#"<path d="M{x:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z""#,
                    y - 6.0,
                    x - 5.0,
                    y + 4.0,
                    x + 5.0,
                    y + 4.0
                ),
                Shape::Down => format!(
                    r#"<path d="M{x:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z""#,
                    y + 6.0,
                    x - 5.0,
                    y - 4.0,
                    x + 5.0,
                    y - 4.0
                ),
                Shape::Circle => format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5""#),
            };
            let _ =
                write!(out, r#"{glyph} fill="{}"><title>{}</title>{}"#, m.color, html(&m.title), close_tag(m.shape));
        }
        out.push_str("</svg>");
        out
    }

    fn render_legend(&self, out: &mut String) {
        let entries = self
            .series
            .iter()
            .map(|s| (s.color, s.name.as_str()))
            .chain(self.legend.iter().map(|(c, l)| (*c, l.as_str())));
        let mut x = WIDTH - RIGHT;
        let entries: Vec<(&str, &str)> = entries.collect();
        for (color, label) in entries.iter().rev() {
            x -= 7.0 * label.chars().count() as f64 + 24.0;
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="9" width="10" height="10" fill="{color}"/><text x="{:.1}" y="18" class="legend">{}</text>"#,
                x + 14.0,
                html(label)
            );
        }
    }

    fn render_axes(&self, out: &mut String, f: &Frame) {
        let (bottom, right) = (HEIGHT - BOTTOM, WIDTH - RIGHT);
        let _ = write!(
            out,
            r#"<rect x="{LEFT}" y="{TOP}" width="{}" height="{}" class="plot"/>"#,
            right - LEFT,
            bottom - TOP
        );
        let step = nice_step((f.y1 - f.y0) / 5.0);
        let decimals = label_decimals(step, self.y_format);
        let mut v = (f.y0 / step).ceil() * step;
        while v <= f.y1 + step * 1e-9 {
            // Snap float noise at zero so the axis never reads "-0.0".
            let v_shown = if v.abs() < step * 1e-6 { 0.0 } else { v };
            let y = f.py(v);
            let label = match self.y_format {
                YFormat::Plain => format!("{:.*}", decimals, v_shown),
                YFormat::Percent => format!("{:.*}%", decimals, v_shown * 100.0),
            };
            let _ = write!(
                out,
                r#"<line x1="{LEFT}" x2="{right}" y1="{y:.1}" y2="{y:.1}" class="grid"/><text x="{:.1}" y="{:.1}" class="ylabel">{}</text>"#,
                LEFT - 6.0,
                y + 4.0,
                html(&label)
            );
            v += step;
        }
        let span = f.t1 - f.t0;
        let step = TIME_STEPS.iter().copied().find(|s| span / s <= 7).unwrap_or(TIME_STEPS[TIME_STEPS.len() - 1]);
        let mut t = f.t0.div_euclid(step) * step;
        if t < f.t0 {
            t += step;
        }
        while t <= f.t1 {
            let x = f.px(t);
            let _ = write!(
                out,
                r#"<line x1="{x:.1}" x2="{x:.1}" y1="{TOP}" y2="{bottom}" class="grid"/><line x1="{x:.1}" x2="{x:.1}" y1="{bottom}" y2="{:.1}" class="axis"/><text x="{x:.1}" y="{:.1}" class="xlabel">{}</text>"#,
                bottom + 4.0,
                bottom + 16.0,
                time_label(t, step, span)
            );
            t += step;
        }
        let caption = if span < 86_400 * SEC {
            format!("time (UTC, {})", &utc::human(Timestamp(f.t0))[..10])
        } else {
            "time (UTC)".to_string()
        };
        let _ = write!(out, r#"<text x="{:.1}" y="{:.1}" class="caption">{}</text>"#, right, HEIGHT - 6.0, caption);
    }
}

fn close_tag(shape: Shape) -> &'static str {
    match shape {
        Shape::Circle => "</circle>",
        Shape::Up | Shape::Down => "</path>",
    }
}

/// Data-to-pixel mapping of one chart.
struct Frame {
    t0: i64,
    t1: i64,
    y0: f64,
    y1: f64,
}

impl Frame {
    fn px_offset(&self, dt: f64) -> f64 {
        LEFT + dt / (self.t1 - self.t0) as f64 * (WIDTH - LEFT - RIGHT)
    }

    fn px(&self, t: i64) -> f64 {
        self.px_offset((t - self.t0) as f64)
    }

    fn py(&self, y: f64) -> f64 {
        HEIGHT - BOTTOM - (y - self.y0) / (self.y1 - self.y0) * (HEIGHT - TOP - BOTTOM)
    }
}

/// The y range to plot: the data's, padded by 5 %, never empty.
fn y_range(ys: &[f64]) -> (f64, f64) {
    let lo = ys.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        let pad = (hi.abs() * 0.01).max(1e-9);
        return (lo - pad, hi + pad);
    }
    let pad = (hi - lo) * 0.05;
    (lo - pad, hi + pad)
}

/// The 1-2-5 step at or above `raw`.
fn nice_step(raw: f64) -> f64 {
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Decimals that show a tick step of `step` without noise.
fn label_decimals(step: f64, format: YFormat) -> usize {
    let step = if format == YFormat::Percent { step * 100.0 } else { step };
    (-step.log10().floor()).clamp(0.0, 10.0) as usize
}

/// A time tick's label, as precise as the step needs.
fn time_label(t: i64, step: i64, span: i64) -> String {
    let c = utc::civil(Timestamp(t));
    if step >= 86_400 * SEC {
        format!("{:04}-{:02}-{:02}", c.year, c.month, c.day)
    } else if step >= 60 * SEC && span >= 86_400 * SEC {
        format!("{:02}-{:02} {:02}:{:02}", c.month, c.day, c.hour, c.minute)
    } else if step >= 60 * SEC {
        format!("{:02}:{:02}", c.hour, c.minute)
    } else if step >= SEC {
        format!("{:02}:{:02}:{:02}", c.hour, c.minute, c.second)
    } else {
        format!("{:02}:{:02}:{:02}.{:03}", c.hour, c.minute, c.second, c.millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(0.13), 0.2);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(700.0), 1000.0);
        assert_eq!(label_decimals(0.2, YFormat::Plain), 1);
        assert_eq!(label_decimals(0.002, YFormat::Percent), 1);
    }

    #[test]
    fn chart_with_markers_and_lines() {
        let mut c = LineChart::new("spread <x>", YFormat::Plain);
        c.series.push(Series {
            name: "s".into(),
            color: "#000",
            points: (0..5000).map(|i| (i * SEC, i as f64)).collect(),
        });
        c.markers.push(PointMarker { ts: 10 * SEC, y: 10.0, shape: Shape::Up, color: "green", title: "a".into() });
        c.vlines.push((20 * SEC, "b".into()));
        let svg = c.render();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("spread &lt;x&gt;"));
        let pts = svg.split("points=\"").nth(1).unwrap().split('"').next().unwrap();
        assert!(pts.split(' ').count() <= MAX_POINTS);
        assert_eq!(LineChart::new("e", YFormat::Plain).render().matches("<svg").count(), 1);
    }
}
