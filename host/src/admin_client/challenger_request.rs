//! The body of `POST /challengers` from command-line `name=value` pairs.

use serde_json::{Map, Value, json};

/// `{"id", "plugin"?, "params", "model_params"}` from `params`
/// (`name=value`) and `model_params` (`model.name=value`). A value that
/// reads as an integer, a number or a boolean is sent as one; anything else
/// as a string, so `threshold=2.5` and `side=long` both mean what they say.
pub fn challenger_request(
    id: &str,
    plugin: Option<&str>,
    params: &[(String, String)],
    model_params: &[(String, String)],
) -> Result<Value, String> {
    let mut strategy = Map::new();
    for (k, v) in params {
        strategy.insert(k.clone(), scalar(v));
    }
    let mut models: Map<String, Value> = Map::new();
    for (k, v) in model_params {
        let (model, name) = k.split_once('.').filter(|(m, n)| !m.is_empty() && !n.is_empty()).ok_or_else(|| {
            format!("model parameter {k:?} must look like model.name=value (for example kalman.delta=0.0001)")
        })?;
        let entry = models.entry(model.to_string()).or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            m.insert(name.to_string(), scalar(v));
        }
    }
    let mut body = json!({"id": id, "params": strategy, "model_params": models});
    if let Some(p) = plugin {
        body["plugin"] = json!(p);
    }
    Ok(body)
}

fn scalar(v: &str) -> Value {
    if let Ok(i) = v.parse::<i64>() {
        return json!(i);
    }
    if let Ok(f) = v.parse::<f64>().map_err(|_| ()).and_then(|f| if f.is_finite() { Ok(f) } else { Err(()) }) {
        return json!(f);
    }
    match v {
        "true" => json!(true),
        "false" => json!(false),
        _ => json!(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn values_keep_their_types_and_models_group() {
        let body = challenger_request(
            "wide",
            Some("abcd1234"),
            &kv(&[("entry_z", "2.5"), ("lookback", "20"), ("flat", "true"), ("mode", "long")]),
            &kv(&[("kalman.delta", "0.0001"), ("kalman.ve", "1e-3"), ("garch.dist", "t")]),
        )
        .unwrap();
        assert_eq!(
            body,
            json!({"id": "wide", "plugin": "abcd1234",
                   "params": {"entry_z": 2.5, "lookback": 20, "flat": true, "mode": "long"},
                   "model_params": {"kalman": {"delta": 0.0001, "ve": 0.001}, "garch": {"dist": "t"}}})
        );
        assert_eq!(challenger_request("x", None, &[], &[]).unwrap().get("plugin"), None);
        assert!(challenger_request("x", None, &[], &kv(&[("delta", "1")])).unwrap_err().contains("model.name=value"));
        assert_eq!(scalar("inf"), json!("inf"));
    }
}
