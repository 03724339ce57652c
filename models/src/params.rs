//! Typed parameters with defaults: the model side of the WIT `param` list.
//!
//! A component declares its parameters once as a table of [`ParamSpec`]s.
//! [`Params::resolve`] checks what the caller gave against that table
//! (unknown names, duplicates, wrong types) and fills in defaults, so each
//! model only has to check ranges.

use crate::ModelError;

/// A parameter value, mirroring the WIT `param-value` variant.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum ParamValue {
    /// A real number.
    Float(f64),
    /// An integer.
    Int(i64),
    /// A switch.
    Flag(bool),
    /// A word from a fixed set, such as a distribution name.
    Text(String),
}

impl ParamValue {
    /// The type's name as used in error messages and `plugin inspect`.
    pub fn type_name(&self) -> &'static str {
        match self {
            ParamValue::Float(_) => "float",
            ParamValue::Int(_) => "int",
            ParamValue::Flag(_) => "flag",
            ParamValue::Text(_) => "text",
        }
    }

    /// Parse `text` as a value of the same type as `self`, so the CLI and
    /// configuration can give parameters as strings.
    pub fn parse_like(&self, text: &str) -> Result<ParamValue, String> {
        let t = text.trim();
        match self {
            ParamValue::Float(_) => {
                t.parse::<f64>().map(ParamValue::Float).map_err(|_| format!("expected a number, got {text:?}"))
            }
            ParamValue::Int(_) => {
                t.parse::<i64>().map(ParamValue::Int).map_err(|_| format!("expected an integer, got {text:?}"))
            }
            ParamValue::Flag(_) => match t {
                "true" | "1" | "yes" | "on" => Ok(ParamValue::Flag(true)),
                "false" | "0" | "no" | "off" => Ok(ParamValue::Flag(false)),
                _ => Err(format!("expected true or false, got {text:?}")),
            },
            ParamValue::Text(_) => Ok(ParamValue::Text(t.to_string())),
        }
    }
}

impl std::fmt::Display for ParamValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamValue::Float(v) => write!(f, "{v}"),
            ParamValue::Int(v) => write!(f, "{v}"),
            ParamValue::Flag(v) => write!(f, "{v}"),
            ParamValue::Text(v) => write!(f, "{v}"),
        }
    }
}

/// One accepted parameter: its name, meaning and default.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    /// Name as given in `name=value`.
    pub name: &'static str,
    /// Meaning, unit and valid range, in one line.
    pub description: &'static str,
    /// Value used when the caller does not give one; also fixes the type.
    pub default: ParamValue,
}

/// A complete, type-checked parameter set: every spec has exactly one value.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    values: Vec<(&'static str, ParamValue)>,
}

impl Params {
    /// Check `given` against `specs` and fill in defaults.
    ///
    /// An integer is accepted where a float is expected (`window=250` for a
    /// float parameter is not a mistake worth refusing); every other type
    /// mismatch, an unknown name or a repeated name is an error.
    pub fn resolve(specs: &[ParamSpec], given: &[(String, ParamValue)]) -> Result<Params, ModelError> {
        let mut values: Vec<(&'static str, Option<ParamValue>)> = specs.iter().map(|s| (s.name, None)).collect();
        for (name, value) in given {
            let Some(idx) = specs.iter().position(|s| s.name == name) else {
                let known: Vec<&str> = specs.iter().map(|s| s.name).collect();
                return Err(ModelError::InvalidParams(format!(
                    "unknown parameter {name:?}; known parameters: {}",
                    known.join(", ")
                )));
            };
            if values[idx].1.is_some() {
                return Err(ModelError::InvalidParams(format!("parameter {name:?} given twice")));
            }
            let spec = &specs[idx];
            let value = match (&spec.default, value) {
                (ParamValue::Float(_), ParamValue::Int(i)) => ParamValue::Float(*i as f64),
                (d, v) if std::mem::discriminant(d) == std::mem::discriminant(v) => v.clone(),
                (d, v) => {
                    return Err(ModelError::InvalidParams(format!(
                        "parameter {name:?} must be {}, got {} {v}",
                        d.type_name(),
                        v.type_name()
                    )));
                }
            };
            values[idx].1 = Some(value);
        }
        let values = values
            .into_iter()
            .zip(specs)
            .map(|((name, v), spec)| (name, v.unwrap_or_else(|| spec.default.clone())))
            .collect();
        Ok(Params { values })
    }

    fn get(&self, name: &str) -> &ParamValue {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("parameter {name:?} is not in the spec table"))
    }

    /// A float parameter.
    ///
    /// # Panics
    /// If `name` is not a float in the spec table: a programming error in
    /// the model, not a user error.
    pub fn float(&self, name: &str) -> f64 {
        match self.get(name) {
            ParamValue::Float(v) => *v,
            other => panic!("parameter {name:?} is {}, not float", other.type_name()),
        }
    }

    /// An integer parameter. Panics like [`Params::float`].
    pub fn int(&self, name: &str) -> i64 {
        match self.get(name) {
            ParamValue::Int(v) => *v,
            other => panic!("parameter {name:?} is {}, not int", other.type_name()),
        }
    }

    /// A flag parameter. Panics like [`Params::float`].
    pub fn flag(&self, name: &str) -> bool {
        match self.get(name) {
            ParamValue::Flag(v) => *v,
            other => panic!("parameter {name:?} is {}, not flag", other.type_name()),
        }
    }

    /// A text parameter. Panics like [`Params::float`].
    pub fn text(&self, name: &str) -> &str {
        match self.get(name) {
            ParamValue::Text(v) => v,
            other => panic!("parameter {name:?} is {}, not text", other.type_name()),
        }
    }

    /// All values, in spec order, for reporting.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &ParamValue)> {
        self.values.iter().map(|(n, v)| (*n, v))
    }
}

/// Require `lo < value < hi` (open bounds), naming the parameter on failure.
pub fn check_open(name: &str, value: f64, lo: f64, hi: f64) -> Result<f64, ModelError> {
    if value.is_finite() && value > lo && value < hi {
        Ok(value)
    } else {
        Err(ModelError::InvalidParams(format!("{name} must be in ({lo}, {hi}), got {value}")))
    }
}

/// Require `value > 0` and finite.
pub fn check_positive(name: &str, value: f64) -> Result<f64, ModelError> {
    check_open(name, value, 0.0, f64::INFINITY)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[ParamSpec] = &[];

    fn specs() -> Vec<ParamSpec> {
        vec![
            ParamSpec { name: "delta", description: "", default: ParamValue::Float(1e-4) },
            ParamSpec { name: "window", description: "", default: ParamValue::Int(10) },
            ParamSpec { name: "dist", description: "", default: ParamValue::Text("normal".into()) },
        ]
    }

    #[test]
    fn defaults_fill_in_and_ints_widen_to_floats() {
        let p = Params::resolve(&specs(), &[("delta".into(), ParamValue::Int(1))]).unwrap();
        assert_eq!(p.float("delta"), 1.0);
        assert_eq!(p.int("window"), 10);
        assert_eq!(p.text("dist"), "normal");
    }

    #[test]
    fn unknown_duplicate_and_mistyped_are_refused() {
        let e = Params::resolve(&specs(), &[("delt".into(), ParamValue::Float(1.0))]).unwrap_err();
        assert!(e.to_string().contains("unknown parameter \"delt\""), "{e}");
        let twice = [("window".into(), ParamValue::Int(1)), ("window".into(), ParamValue::Int(2))];
        assert!(Params::resolve(&specs(), &twice).unwrap_err().to_string().contains("twice"));
        let e = Params::resolve(&specs(), &[("window".into(), ParamValue::Float(1.5))]).unwrap_err();
        assert!(e.to_string().contains("must be int"), "{e}");
        assert!(Params::resolve(SPECS, &[]).is_ok());
    }

    #[test]
    fn parse_like_follows_the_default_type() {
        assert_eq!(ParamValue::Float(0.0).parse_like("2.5"), Ok(ParamValue::Float(2.5)));
        assert_eq!(ParamValue::Int(0).parse_like("7"), Ok(ParamValue::Int(7)));
        assert!(ParamValue::Int(0).parse_like("7.5").is_err());
        assert_eq!(ParamValue::Flag(false).parse_like("on"), Ok(ParamValue::Flag(true)));
    }
}
