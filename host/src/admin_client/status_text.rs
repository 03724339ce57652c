//! `hft-host status` as a trader reads it: one line per strategy, then the
//! recent swaps. The JSON stays available with `--json` for scripts.

use serde_json::Value;
use std::fmt::Write;

/// Render `GET /status` as text. Fields the host does not report are shown
/// as `-`, so a newer host's status still prints.
pub fn render_status(status: &Value) -> String {
    let mut out = String::new();
    let champion = &status["champion"];
    let _ = writeln!(
        out,
        "champion {}: {} ticks, last tick {}, risk {}",
        text(&champion["id"]),
        text(&champion["ticks"]),
        text(&champion["last_tick"]),
        text(&champion["book"]["risk_state"]),
    );
    let _ = writeln!(
        out,
        "{:<22} {:>8} {:>16} {:>12} {:>8} {:>7}  state / gate",
        "strategy", "ticks", "equity", "sharpe/tick", "orders", "fills"
    );
    let _ = writeln!(out, "{}", row(champion, "champion"));
    let challengers = status["challengers"].as_array().map(Vec::as_slice).unwrap_or_default();
    for c in challengers {
        let state = if c["quarantined"].as_bool() == Some(true) { "QUARANTINED".to_string() } else { gate(&c["gate"]) };
        let _ = writeln!(out, "{}", row(c, &state));
    }
    if challengers.is_empty() {
        let _ = writeln!(out, "(no challengers)");
    }
    let positions = champion["book"]["positions"].as_object();
    if let Some(p) = positions.filter(|p| !p.is_empty()) {
        let list: Vec<String> = p.iter().map(|(k, v)| format!("{k} {}", text(v))).collect();
        let _ = writeln!(out, "champion positions: {}", list.join(", "));
    }
    if let Some(swaps) = status["swaps"].as_array().filter(|s| !s.is_empty()) {
        let _ = writeln!(out, "swaps:");
        for s in swaps {
            let _ = writeln!(
                out,
                "  tick {}: {} -> champion {} (was {}), pause {} ns",
                text(&s["at_tick"]),
                text(&s["action"]),
                text(&s["champion"]),
                text(&s["demoted"]),
                text(&s["pause_ns"]),
            );
        }
    }
    out
}

fn row(s: &Value, state: &str) -> String {
    let sharpe = s["sharpe_per_tick"].as_f64().map_or_else(|| "-".to_string(), |v| format!("{v:.4}"));
    format!(
        "{:<22} {:>8} {:>16} {:>12} {:>8} {:>7}  {}",
        text(&s["id"]),
        text(&s["ticks"]),
        text(&s["book"]["equity"]),
        sharpe,
        text(&s["book"]["orders_sent"]),
        text(&s["book"]["fills"]),
        state
    )
}

/// The promotion gate's verdict on a challenger, when the host reports it.
fn gate(g: &Value) -> String {
    if g.is_null() {
        return "shadow".to_string();
    }
    let verdict = text(&g["verdict"]);
    match g["reason"].as_str() {
        Some(r) if !r.is_empty() => format!("{verdict}: {r}"),
        _ => verdict,
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => "-".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_status_renders_every_strategy_and_swap() {
        let book = json!({"equity": "100012.5", "risk_state": "Active", "positions": {"BTCUSDT": "0.5"}, "orders_sent": 7, "fills": 6});
        let s = json!({
            "champion": {"id": "pairs", "ticks": 1000, "sharpe_per_tick": 0.0123, "book": book, "last_tick": "2024-01-01T00:00:00Z"},
            "challengers": [
                {"id": "wide", "quarantined": false, "ticks": 900, "sharpe_per_tick": null, "book": book,
                 "gate": {"verdict": "waiting", "reason": "track record 900 of 2000 ticks"}},
                {"id": "bad", "quarantined": true, "ticks": 3, "book": book}
            ],
            "swaps": [{"at_tick": 500, "action": "promote", "champion": "wide", "demoted": "pairs", "pause_ns": 312}]
        });
        let t = render_status(&s);
        assert!(t.contains("champion pairs: 1000 ticks"), "{t}");
        assert!(t.contains("0.0123") && t.contains("100012.5"), "{t}");
        assert!(t.contains("waiting: track record 900 of 2000 ticks"), "{t}");
        assert!(t.contains("QUARANTINED"), "{t}");
        assert!(t.contains("champion positions: BTCUSDT 0.5"), "{t}");
        assert!(t.contains("tick 500: promote -> champion wide (was pairs), pause 312 ns"), "{t}");
    }

    #[test]
    fn an_unknown_shape_still_prints() {
        let t = render_status(&json!({}));
        assert!(t.contains("champion -"), "{t}");
        assert!(t.contains("(no challengers)"), "{t}");
    }
}
