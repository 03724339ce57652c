//! `name=source` and `name=fn(source)` column mappings.

use std::str::FromStr;

/// How a model input is derived from its source column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// The value itself.
    Raw,
    /// Natural log of the value (must be positive).
    Log,
    /// Simple return `v_t / v_{t-1} - 1`, as pandas `pct_change`; the first row has none.
    Pct,
    /// Percent return `100 * (v_t / v_{t-1} - 1)`, as `100 * pct_change()`
    /// (the scale `arch` and our BOCD priors expect); the first row has none.
    Pct100,
    /// Log return `ln(v_t / v_{t-1})`; the first row has none.
    LogRet,
}

impl Transform {
    /// Whether the transform needs the previous row, so the first row yields nothing.
    pub fn needs_previous(self) -> bool {
        matches!(self, Transform::Pct | Transform::Pct100 | Transform::LogRet)
    }
}

/// One model input and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    /// The model input's name (`x`, `y`, `ret`).
    pub input: String,
    /// The CSV column it is read from.
    pub source: String,
    /// How the value is derived.
    pub transform: Transform,
}

impl ColumnSpec {
    /// An input read as it is from a column of the same name.
    pub fn same(input: &str) -> ColumnSpec {
        ColumnSpec { input: input.to_string(), source: input.to_string(), transform: Transform::Raw }
    }
}

impl FromStr for ColumnSpec {
    type Err = String;

    /// Parse `x=spx`, `x=log(spx)`, `ret=pct(close)`, `x=pct100(close)` or
    /// `ret=logret(close)`.
    fn from_str(s: &str) -> Result<ColumnSpec, String> {
        let (input, rhs) = s
            .split_once('=')
            .ok_or_else(|| format!("column mapping {s:?} must look like input=column or input=fn(column)"))?;
        let (input, rhs) = (input.trim(), rhs.trim());
        if input.is_empty() || rhs.is_empty() {
            return Err(format!("column mapping {s:?} has an empty side"));
        }
        let (transform, source) = match rhs.split_once('(') {
            None => (Transform::Raw, rhs),
            Some((func, rest)) => {
                let source = rest.strip_suffix(')').ok_or_else(|| format!("column mapping {s:?}: missing ')'"))?.trim();
                let t = match func.trim() {
                    "log" => Transform::Log,
                    "pct" => Transform::Pct,
                    "pct100" => Transform::Pct100,
                    "logret" => Transform::LogRet,
                    other => {
                        return Err(format!(
                            "column mapping {s:?}: unknown function {other:?}; use log, pct, pct100 or logret"
                        ));
                    }
                };
                (t, source)
            }
        };
        if source.is_empty() {
            return Err(format!("column mapping {s:?} names no source column"));
        }
        Ok(ColumnSpec { input: input.to_string(), source: source.to_string(), transform })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_and_transformed_mappings() {
        let c: ColumnSpec = "x=spx".parse().unwrap();
        assert_eq!(c, ColumnSpec { input: "x".into(), source: "spx".into(), transform: Transform::Raw });
        let c: ColumnSpec = "ret = pct(adj_close)".parse().unwrap();
        assert_eq!((c.input.as_str(), c.source.as_str(), c.transform), ("ret", "adj_close", Transform::Pct));
        assert_eq!("y=log(ndx)".parse::<ColumnSpec>().unwrap().transform, Transform::Log);
        assert_eq!("y=logret(ndx)".parse::<ColumnSpec>().unwrap().transform, Transform::LogRet);
        assert_eq!("y=pct100(ndx)".parse::<ColumnSpec>().unwrap().transform, Transform::Pct100);
    }

    #[test]
    fn refuses_malformed_mappings() {
        for bad in ["x", "=spx", "x=", "x=sqrt(spx)", "x=log(spx", "x=log()"] {
            assert!(bad.parse::<ColumnSpec>().is_err(), "{bad} should be refused");
        }
    }
}
