//! Where a model input comes from: `log(BTCUSDT)`, `100*diff(kalman.innovation)`.

use serde::Deserialize;
use std::fmt;
use std::str::FromStr;

/// How an input is derived from its source's successive values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputTransform {
    /// The value itself.
    Raw,
    /// Natural log (the value must be positive).
    Log,
    /// Simple return `v_t / v_{t-1} - 1`.
    Pct,
    /// Percent return `100 * (v_t / v_{t-1} - 1)`.
    Pct100,
    /// Log return `ln(v_t / v_{t-1})`.
    LogRet,
    /// Difference `v_t - v_{t-1}`.
    Diff,
}

impl InputTransform {
    /// Whether the first value yields no input (the transform needs a previous one).
    pub fn needs_previous(self) -> bool {
        matches!(self, InputTransform::Pct | InputTransform::Pct100 | InputTransform::LogRet | InputTransform::Diff)
    }

    /// Apply to the current and previous source values; `None` when there
    /// is no previous value yet, or the result is not finite.
    pub fn apply(self, v: f64, prev: Option<f64>) -> Option<f64> {
        let out = match (self, prev) {
            (InputTransform::Raw, _) => v,
            (InputTransform::Log, _) => v.ln(),
            (InputTransform::Pct, Some(p)) => v / p - 1.0,
            (InputTransform::Pct100, Some(p)) => 100.0 * (v / p - 1.0),
            (InputTransform::LogRet, Some(p)) => (v / p).ln(),
            (InputTransform::Diff, Some(p)) => v - p,
            (_, None) => return None,
        };
        out.is_finite().then_some(out)
    }

    fn name(self) -> &'static str {
        match self {
            InputTransform::Raw => "",
            InputTransform::Log => "log",
            InputTransform::Pct => "pct",
            InputTransform::Pct100 => "pct100",
            InputTransform::LogRet => "logret",
            InputTransform::Diff => "diff",
        }
    }
}

/// What an input reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSource {
    /// A symbol's price (`BTCUSDT` or `BINANCE:BTCUSDT`).
    Symbol(String),
    /// Another model's output (`kalman.innovation`).
    ModelOutput {
        /// The model's name in `[models]`.
        model: String,
        /// One of its output columns.
        output: String,
    },
}

/// `[scale*]fn(source)`, for example `log(BTCUSDT)` or `100*diff(kalman.innovation)`.
#[derive(Debug, Clone, PartialEq)]
pub struct InputSpec {
    /// Multiplies the transformed value.
    pub scale: f64,
    /// How successive source values become the input.
    pub transform: InputTransform,
    /// What is read.
    pub source: InputSource,
}

impl FromStr for InputSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<InputSpec, String> {
        let text = s.trim();
        let (scale, rest) = match text.split_once('*') {
            Some((k, r)) => {
                let k: f64 = k.trim().parse().map_err(|_| format!("input {s:?}: {k:?} is not a number"))?;
                if !k.is_finite() || k == 0.0 {
                    return Err(format!("input {s:?}: the scale must be finite and non-zero"));
                }
                (k, r.trim())
            }
            None => (1.0, text),
        };
        let (transform, source) = match rest.split_once('(') {
            None => (InputTransform::Raw, rest),
            Some((f, r)) => {
                let src = r.strip_suffix(')').ok_or_else(|| format!("input {s:?}: missing ')'"))?;
                let t = match f.trim() {
                    "log" => InputTransform::Log,
                    "pct" => InputTransform::Pct,
                    "pct100" => InputTransform::Pct100,
                    "logret" => InputTransform::LogRet,
                    "diff" => InputTransform::Diff,
                    other => {
                        return Err(format!(
                            "input {s:?}: unknown function {other:?}; use log, pct, pct100, logret or diff"
                        ));
                    }
                };
                (t, src.trim())
            }
        };
        if source.is_empty() {
            return Err(format!("input {s:?} names no source"));
        }
        let source = match source.split_once('.') {
            Some((m, o)) if !m.is_empty() && !o.is_empty() => {
                InputSource::ModelOutput { model: m.to_string(), output: o.to_string() }
            }
            Some(_) => return Err(format!("input {s:?}: write a model output as <model>.<output>")),
            None => InputSource::Symbol(source.to_string()),
        };
        Ok(InputSpec { scale, transform, source })
    }
}

impl fmt::Display for InputSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale != 1.0 {
            write!(f, "{}*", self.scale)?;
        }
        let src = match &self.source {
            InputSource::Symbol(s) => s.clone(),
            InputSource::ModelOutput { model, output } => format!("{model}.{output}"),
        };
        match self.transform {
            InputTransform::Raw => f.write_str(&src),
            t => write!(f, "{}({src})", t.name()),
        }
    }
}

impl<'de> Deserialize<'de> for InputSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<InputSpec, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        let s: InputSpec = "log(BTCUSDT)".parse().unwrap();
        assert_eq!((s.scale, s.transform, s.source), (1.0, InputTransform::Log, InputSource::Symbol("BTCUSDT".into())));
        let s: InputSpec = "100*diff(kalman.innovation)".parse().unwrap();
        assert_eq!(s.scale, 100.0);
        assert_eq!(s.transform, InputTransform::Diff);
        assert_eq!(s.source, InputSource::ModelOutput { model: "kalman".into(), output: "innovation".into() });
        assert_eq!(s.to_string(), "100*diff(kalman.innovation)");
        let s: InputSpec = "BINANCE:ETHUSDT".parse().unwrap();
        assert_eq!(s.source, InputSource::Symbol("BINANCE:ETHUSDT".into()));
    }

    #[test]
    fn explains_mistakes() {
        for (bad, says) in [("sqrt(x)", "unknown function"), ("log(x", "missing ')'"), ("abc*log(x)", "not a number")] {
            let e = bad.parse::<InputSpec>().unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn transforms_need_a_previous_value() {
        assert_eq!(InputTransform::Diff.apply(3.0, None), None);
        assert_eq!(InputTransform::Diff.apply(3.0, Some(1.0)), Some(2.0));
        assert_eq!(InputTransform::Log.apply(-1.0, None), None);
        assert!((InputTransform::Pct100.apply(101.0, Some(100.0)).unwrap() - 1.0).abs() < 1e-12);
    }
}
