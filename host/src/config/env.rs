//! `HFT_...` environment variables over the configuration.

use super::file::ConfigError;
use toml::Value;

/// Prefix of configuration variables. `HFT_RISK__MAX_DRAWDOWN=0.1` sets
/// `[risk] max_drawdown`; `HFT_MODELS__KALMAN__PARAMS__DELTA=1e-5` sets
/// `[models.kalman.params] delta`; `HFT_DATA__0__PATH=...` sets the path
/// of the first `[[data]]` entry. Segments are separated by `__` and
/// lowercased; a segment matches an existing key whose `-` are written as
/// `_` (`ENTRY_Z` sets `entry-z`).
pub const ENV_PREFIX: &str = "HFT_";

/// The top-level sections; a variable `HFT_<SECTION>__...` must name one.
/// Variables without `__` (`HFT_LOG`, `HFT_CACHE_DIR`) are not configuration.
pub const SECTIONS: [&str; 14] = [
    "run",
    "data",
    "instruments",
    "models",
    "strategy",
    "risk",
    "execution",
    "report",
    "bus",
    "ingest",
    "state",
    "server",
    "registry",
    "evop",
];

/// Merge every configuration variable of `vars` into `root`. The value is
/// read as a TOML literal when it is one (`1e-5`, `true`, `"x"`,
/// `[1, 2]`), and as a plain string otherwise.
pub fn apply_env(root: &mut Value, vars: impl IntoIterator<Item = (String, String)>) -> Result<(), ConfigError> {
    let mut vars: Vec<(String, String)> = vars.into_iter().collect();
    vars.sort();
    for (name, raw) in vars {
        let Some(rest) = name.strip_prefix(ENV_PREFIX) else { continue };
        if !rest.contains("__") {
            continue;
        }
        let path: Vec<String> = rest.split("__").map(|s| s.to_lowercase()).collect();
        if !SECTIONS.contains(&path[0].as_str()) {
            return Err(ConfigError::Env {
                var: name.clone(),
                reason: format!("{} is not a configuration section; use one of {}", path[0], SECTIONS.join(", ")),
            });
        }
        if path.iter().any(String::is_empty) {
            return Err(ConfigError::Env { var: name.clone(), reason: "empty key segment".to_string() });
        }
        // Keys under tables keyed by symbol keep the variable's case
        // (`HFT_RISK__SYMBOLS__SOLUSDT__MAX_POSITION`): symbols are upper case.
        let mut path = path;
        let symbol_at = match (path[0].as_str(), path.get(1).map(String::as_str)) {
            ("instruments", _) => Some(1),
            ("risk", Some("symbols")) => Some(2),
            _ => None,
        };
        if let Some(i) = symbol_at.filter(|&i| i < path.len()) {
            path[i] = rest.split("__").nth(i).unwrap_or_default().to_string();
        }
        set(root, &path, literal(&raw)).map_err(|reason| ConfigError::Env { var: name.clone(), reason })?;
    }
    Ok(())
}

fn literal(raw: &str) -> Value {
    let doc = format!("v = {raw}");
    match doc.parse::<toml::Table>() {
        Ok(mut t) => t.remove("v").unwrap_or_else(|| Value::String(raw.to_string())),
        Err(_) => Value::String(raw.to_string()),
    }
}

fn set(node: &mut Value, path: &[String], value: Value) -> Result<(), String> {
    let (head, tail) = path.split_first().expect("non-empty path");
    match node {
        Value::Table(t) => {
            let key = t.keys().find(|k| k.replace('-', "_").to_lowercase() == *head).cloned().unwrap_or(head.clone());
            if tail.is_empty() {
                t.insert(key, value);
                return Ok(());
            }
            let child = t.entry(key).or_insert_with(|| Value::Table(toml::Table::new()));
            set(child, tail, value)
        }
        Value::Array(a) => {
            let i: usize = head.parse().map_err(|_| format!("{head} is not an index into a list"))?;
            let len = a.len();
            let child = a.get_mut(i).ok_or(format!("index {i} is past the end of a list of {len}"))?;
            if tail.is_empty() {
                *child = value;
                return Ok(());
            }
            set(child, tail, value)
        }
        _ => Err(format!("{head} is below a value that is not a table")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_name_every_section_a_variable_may_start_with() {
        let docs = include_str!("../../../docs/configuration.md");
        let rule = docs.split("The first segment must be a section:").nth(1).expect("the rule is documented");
        let rule = &rule[..rule.find("any\n  other is an error").expect("the rule's end")];
        for section in SECTIONS {
            assert!(rule.contains(&format!("`{}`", section.to_uppercase())), "{section} missing from: {rule}");
        }
    }

    fn doc() -> Value {
        toml::from_str(
            r#"
            [run]
            speed = "max"
            [[data]]
            path = "a.csv"
            [models.kalman.params]
            entry-z = 2.0
            "#,
        )
        .unwrap()
    }

    fn vars(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn overrides_nested_keys_lists_and_hyphenated_names() {
        let mut d = doc();
        apply_env(
            &mut d,
            vars(&[
                ("HFT_RUN__SPEED", "realtime"),
                ("HFT_DATA__0__PATH", "b.csv"),
                ("HFT_MODELS__KALMAN__PARAMS__ENTRY_Z", "2.5"),
                ("HFT_MODELS__KALMAN__PARAMS__DELTA", "1e-5"),
                ("HFT_LOG", "debug"),
            ]),
        )
        .unwrap();
        assert_eq!(d["run"]["speed"].as_str(), Some("realtime"));
        assert_eq!(d["data"][0]["path"].as_str(), Some("b.csv"));
        assert_eq!(d["models"]["kalman"]["params"]["entry-z"].as_float(), Some(2.5));
        assert_eq!(d["models"]["kalman"]["params"]["delta"].as_float(), Some(1e-5));
    }

    #[test]
    fn symbols_keep_their_case() {
        let mut d = doc();
        apply_env(&mut d, vars(&[("HFT_RISK__SYMBOLS__SOLUSDT__MAX_POSITION", "\"5\"")])).unwrap();
        assert_eq!(d["risk"]["symbols"]["SOLUSDT"]["max_position"].as_str(), Some("5"));
    }

    #[test]
    fn refuses_unknown_sections_and_bad_indices() {
        let e = apply_env(&mut doc(), vars(&[("HFT_RISKS__X", "1")])).unwrap_err();
        assert!(e.to_string().contains("HFT_RISKS__X"), "{e}");
        let e = apply_env(&mut doc(), vars(&[("HFT_DATA__3__PATH", "x")])).unwrap_err();
        assert!(e.to_string().contains("past the end"), "{e}");
    }
}
