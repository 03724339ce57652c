//! The three endpoints over real HTTP/1.1 (a plain `TcpStream`, no client
//! crate), and the exposition checked by a strict parser of the text
//! format.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use hft_trading::risk::RiskState;

use super::*;

struct Reply {
    status: u16,
    /// Header names lowercased.
    headers: BTreeMap<String, String>,
    body: String,
}

/// One request on a fresh connection (`Connection: close`), read to EOF.
fn request(addr: SocketAddr, method: &str, path: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
        .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read reply");
    let raw = String::from_utf8(raw).expect("utf-8 reply");
    let (head, body) = raw.split_once("\r\n\r\n").expect("end of headers");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).expect(status_line);
    let headers: BTreeMap<String, String> = lines
        .map(|l| l.split_once(':').expect("header line"))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    assert!(!headers.contains_key("transfer-encoding"), "expected a Content-Length body: {headers:?}");
    if method != "HEAD" {
        let len: usize = headers.get("content-length").expect("content-length").parse().unwrap();
        assert_eq!(body.len(), len);
    }
    Reply { status, headers, body: body.to_owned() }
}

fn get(addr: SocketAddr, path: &str) -> Reply {
    request(addr, "GET", path)
}

#[derive(Debug, Clone, PartialEq)]
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

impl Sample {
    fn label(&self, name: &str) -> Option<&str> {
        self.labels.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

fn is_name(s: &str, colon: bool) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || (colon && c == ':'))
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || (colon && c == ':'))
}

fn parse_value(s: &str) -> f64 {
    match s {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        _ => {
            assert!(s.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c)), "bad value {s:?}");
            s.parse().unwrap_or_else(|_| panic!("bad value {s:?}"))
        }
    }
}

/// `name{label="value",...} value`, strictly: valid names, only the three
/// escapes of the format, nothing after the value.
fn parse_sample(line: &str) -> Sample {
    let end = line.find(['{', ' ']).unwrap_or_else(|| panic!("no value: {line:?}"));
    let name = &line[..end];
    assert!(is_name(name, true), "bad metric name in {line:?}");
    let mut rest = &line[end..];
    let mut labels = Vec::new();
    if let Some(r) = rest.strip_prefix('{') {
        rest = r;
        loop {
            let (lname, r) = rest.split_once("=\"").unwrap_or_else(|| panic!("bad labels in {line:?}"));
            assert!(is_name(lname, false), "bad label name {lname:?} in {line:?}");
            let mut value = String::new();
            let mut chars = r.char_indices();
            let close = loop {
                match chars.next() {
                    Some((i, '"')) => break i,
                    Some((_, '\\')) => match chars.next() {
                        Some((_, '\\')) => value.push('\\'),
                        Some((_, '"')) => value.push('"'),
                        Some((_, 'n')) => value.push('\n'),
                        other => panic!("bad escape {other:?} in {line:?}"),
                    },
                    Some((_, c)) => value.push(c),
                    None => panic!("unterminated label value in {line:?}"),
                }
            };
            labels.push((lname.to_owned(), value));
            rest = &r[close + 1..];
            if let Some(r) = rest.strip_prefix(',') {
                rest = r;
            } else if let Some(r) = rest.strip_prefix('}') {
                rest = r;
                break;
            } else {
                panic!("expected , or }} in {line:?}");
            }
        }
    }
    let value = rest.strip_prefix(' ').unwrap_or_else(|| panic!("expected one space before the value in {line:?}"));
    assert!(!value.contains(' '), "trailing fields in {line:?}");
    Sample { name: name.to_owned(), labels, value: parse_value(value) }
}

/// Parses a whole exposition and checks its structure: every sample's
/// family has HELP and TYPE lines before it, each family is typed once, and
/// every histogram series has increasing `le` bounds ending in `+Inf`,
/// cumulative counts, and `_count` equal to the `+Inf` bucket.
fn parse_exposition(text: &str) -> (BTreeMap<String, String>, Vec<Sample>) {
    assert!(text.ends_with('\n'), "exposition must end with a line feed");
    let mut types = BTreeMap::new();
    let mut helps = BTreeSet::new();
    let mut samples = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, _) = rest.split_once(' ').expect("HELP text");
            assert!(helps.insert(name.to_owned()), "HELP twice for {name}");
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE kind");
            assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
            assert!(helps.contains(name), "TYPE before HELP for {name}");
            assert!(types.insert(name.to_owned(), kind.to_owned()).is_none(), "TYPE twice for {name}");
        } else {
            assert!(!line.starts_with('#') && !line.is_empty(), "unexpected line {line:?}");
            let s = parse_sample(line);
            let family = if types.contains_key(&s.name) {
                s.name.clone()
            } else {
                let base = ["_bucket", "_sum", "_count"].iter().find_map(|suf| s.name.strip_suffix(suf));
                let base = base.unwrap_or_else(|| panic!("no TYPE before {line:?}"));
                assert_eq!(types.get(base).map(String::as_str), Some("histogram"), "no TYPE before {line:?}");
                base.to_owned()
            };
            if types[&family] == "counter" {
                assert!(s.name.ends_with("_total") && s.value >= 0.0, "{line}");
            }
            samples.push(s);
        }
    }
    for (family, _) in types.iter().filter(|(_, k)| *k == "histogram") {
        // Per label set (without `le`): the (le, count) buckets and `_count`.
        type Buckets = (Vec<(f64, f64)>, Option<f64>);
        let mut series: BTreeMap<Vec<(String, String)>, Buckets> = BTreeMap::new();
        for s in &samples {
            let without_le: Vec<_> = s.labels.iter().filter(|(n, _)| n != "le").cloned().collect();
            if s.name == format!("{family}_bucket") {
                let le = parse_value(s.label("le").expect("le label"));
                series.entry(without_le).or_default().0.push((le, s.value));
            } else if s.name == format!("{family}_count") {
                series.entry(without_le).or_default().1 = Some(s.value);
            }
        }
        assert!(!series.is_empty(), "histogram {family} without buckets");
        for (labels, (buckets, count)) in series {
            assert_eq!(buckets.last().map(|b| b.0), Some(f64::INFINITY), "{family}{labels:?}: last bucket is +Inf");
            for w in buckets.windows(2) {
                assert!(w[0].0 < w[1].0, "{family}{labels:?}: le not increasing");
                assert!(w[0].1 <= w[1].1, "{family}{labels:?}: buckets not cumulative");
            }
            assert_eq!(count, Some(buckets.last().unwrap().1), "{family}{labels:?}: _count != +Inf bucket");
        }
    }
    (types, samples)
}

fn find<'a>(samples: &'a [Sample], name: &str, labels: &[(&str, &str)]) -> &'a Sample {
    samples
        .iter()
        .find(|s| s.name == name && labels.iter().all(|(n, v)| s.label(n) == Some(v)))
        .unwrap_or_else(|| panic!("no sample {name}{labels:?}"))
}

/// Takes one handle of every contract metric and moves each.
fn exercise_every_metric(t: &Telemetry, strategy: &str) {
    t.ticks().inc_by(3);
    t.orders(strategy, "submitted").inc();
    t.orders(strategy, "rejected").inc_by(2);
    t.fills(strategy).inc();
    t.equity(strategy).set(10_250.5);
    t.pnl(strategy).set(-12.25);
    t.risk_state(strategy).set(RiskState::Halted);
    t.kill_switch().set(true);
    let h = t.tick_to_order();
    for us in [3, 40, 40, 700, 2_000_000] {
        h.observe_duration(Duration::from_micros(us));
    }
    t.consumer_lag("market-data").set(42.0);
    t.dead_letters("market-data").inc();
    t.plugin_swaps("ok").inc();
    t.plugin_swaps("failed").inc();
    t.plugin_quarantined().inc();
    t.plugin_traps("timeout").inc();
    t.state_store_up().set(true);
    t.plugin_uploads("accepted").inc();
    t.drawdown(strategy).set(0.125);
    t.sharpe_per_tick(strategy).set(0.01);
    t.position(strategy, "BINANCE:BTCUSDT").set(-0.5);
    t.risk_rejections(strategy, "position_limit").inc();
    t.plugin_call_seconds(strategy, "kalman").observe_duration(Duration::from_micros(2));
    t.swap_pause().observe_duration(Duration::from_nanos(300));
}

#[test]
fn metrics_endpoint_serves_the_contract_in_valid_text_format() {
    let t = Telemetry::new("strategy");
    let nasty = "pair \"A\\B\"\nline two";
    exercise_every_metric(&t, nasty);
    let server = serve("127.0.0.1:0".parse().unwrap(), t.clone()).unwrap();
    let reply = get(server.local_addr(), "/metrics");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.headers["content-type"], METRICS_CONTENT_TYPE);
    let (types, samples) = parse_exposition(&reply.body);

    let expected = [
        ("hft_build_info", "gauge"),
        ("hft_ticks_total", "counter"),
        ("hft_orders_total", "counter"),
        ("hft_fills_total", "counter"),
        ("hft_equity", "gauge"),
        ("hft_pnl", "gauge"),
        ("hft_risk_state", "gauge"),
        ("hft_kill_switch", "gauge"),
        ("hft_tick_to_order_seconds", "histogram"),
        ("hft_consumer_lag", "gauge"),
        ("hft_dead_letters_total", "counter"),
        ("hft_plugin_swaps_total", "counter"),
        ("hft_plugin_quarantined_total", "counter"),
        ("hft_plugin_traps_total", "counter"),
        ("hft_state_store_up", "gauge"),
        ("hft_plugin_uploads_total", "counter"),
        ("hft_drawdown", "gauge"),
        ("hft_sharpe_per_tick", "gauge"),
        ("hft_position", "gauge"),
        ("hft_risk_rejections_total", "counter"),
        ("hft_plugin_call_seconds", "histogram"),
        ("hft_swap_pause_seconds", "histogram"),
    ];
    let expected: BTreeMap<String, String> = expected.iter().map(|(n, k)| (n.to_string(), k.to_string())).collect();
    assert_eq!(types, expected);

    let build = find(&samples, "hft_build_info", &[("role", "strategy")]);
    assert_eq!((build.label("version"), build.value), (Some(env!("CARGO_PKG_VERSION")), 1.0));
    assert_eq!(find(&samples, "hft_ticks_total", &[]).value, 3.0);
    // The label value comes back exactly after unescaping.
    assert_eq!(find(&samples, "hft_orders_total", &[("strategy", nasty), ("outcome", "rejected")]).value, 2.0);
    assert!(reply.body.contains(r#"strategy="pair \"A\\B\"\nline two""#), "{}", reply.body);
    assert_eq!(find(&samples, "hft_equity", &[("strategy", nasty)]).value, 10_250.5);
    assert_eq!(find(&samples, "hft_pnl", &[("strategy", nasty)]).value, -12.25);
    assert_eq!(find(&samples, "hft_risk_state", &[("strategy", nasty)]).value, 2.0);
    assert_eq!(find(&samples, "hft_kill_switch", &[]).value, 1.0);
    assert_eq!(find(&samples, "hft_tick_to_order_seconds_bucket", &[("le", "0.00005")]).value, 3.0);
    assert_eq!(find(&samples, "hft_tick_to_order_seconds_bucket", &[("le", "1")]).value, 4.0);
    assert_eq!(find(&samples, "hft_tick_to_order_seconds_count", &[]).value, 5.0);
    assert_eq!(find(&samples, "hft_consumer_lag", &[("topic", "market-data")]).value, 42.0);
    assert_eq!(find(&samples, "hft_plugin_swaps_total", &[("outcome", "failed")]).value, 1.0);
    assert_eq!(find(&samples, "hft_state_store_up", &[]).value, 1.0);
    assert_eq!(find(&samples, "hft_position", &[("strategy", nasty), ("instrument", "BINANCE:BTCUSDT")]).value, -0.5);
    assert_eq!(find(&samples, "hft_risk_rejections_total", &[("reason", "position_limit")]).value, 1.0);
    assert_eq!(find(&samples, "hft_plugin_call_seconds_count", &[("plugin", "kalman")]).value, 1.0);
    assert_eq!(find(&samples, "hft_swap_pause_seconds_bucket", &[("le", "0.0000005")]).value, 1.0);

    // Handles taken after serving show up in the next scrape, and the
    // risk state follows the enum.
    t.risk_state(nasty).set(RiskState::Reducing);
    t.fills("other").inc();
    let (_, samples) = parse_exposition(&get(server.local_addr(), "/metrics").body);
    assert_eq!(find(&samples, "hft_risk_state", &[("strategy", nasty)]).value, 1.0);
    assert_eq!(find(&samples, "hft_fills_total", &[("strategy", "other")]).value, 1.0);
    server.shutdown().unwrap();
}

#[test]
fn plugin_faults_count_a_trap_by_kind_and_a_quarantine_each() {
    let t = Telemetry::new("all");
    let faults = PluginFaultMetrics::new(&t);
    // Taking the handles exports every common kind at 0.
    let (_, samples) = parse_exposition(&t.encode_metrics());
    for kind in ["trap", "timeout", "out_of_memory"] {
        assert_eq!(find(&samples, "hft_plugin_traps_total", &[("kind", kind)]).value, 0.0, "{kind}");
    }
    assert_eq!(find(&samples, "hft_plugin_quarantined_total", &[]).value, 0.0);
    faults.fault("timeout");
    faults.clone().fault("out_of_memory");
    faults.fault("timeout");
    faults.fault("poisoned");
    let (_, samples) = parse_exposition(&t.encode_metrics());
    let traps = |kind| find(&samples, "hft_plugin_traps_total", &[("kind", kind)]).value;
    assert_eq!((traps("trap"), traps("timeout"), traps("out_of_memory"), traps("poisoned")), (0.0, 2.0, 1.0, 1.0));
    assert_eq!(find(&samples, "hft_plugin_quarantined_total", &[]).value, 4.0);
}

#[test]
fn a_fresh_process_exports_only_build_info() {
    // Series appear when a role takes their handle: a role without a state
    // store must not export hft_state_store_up 0 (that would page).
    let (types, samples) = parse_exposition(&Telemetry::new("ingest").encode_metrics());
    assert_eq!(types.keys().collect::<Vec<_>>(), ["hft_build_info"]);
    assert_eq!(samples.len(), 1);
}

#[test]
fn every_metric_the_chart_queries_is_exported() {
    let chart = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../charts/hft-crypto-bot");
    let mut queried = BTreeSet::new();
    for file in ["templates/prometheusrule.yaml", "dashboards/hft-host.json"] {
        let text = std::fs::read_to_string(chart.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut rest = text.as_str();
        while let Some(i) = rest.find("hft_") {
            let name: String =
                rest[i..].chars().take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_').collect();
            // Skip words that merely contain "hft_" (e.g. "hft_host" in a log filter).
            if i == 0 || !rest.as_bytes()[i - 1].is_ascii_alphanumeric() {
                queried.insert(name.clone());
            }
            rest = &rest[i + name.len()..];
        }
    }
    assert!(queried.len() >= 10, "found too few metric names in the chart: {queried:?}");
    let t = Telemetry::new("all");
    exercise_every_metric(&t, "s");
    let (_, samples) = parse_exposition(&t.encode_metrics());
    let exported: BTreeSet<&str> = samples.iter().map(|s| s.name.as_str()).collect();
    let missing: Vec<_> = queried.iter().filter(|q| !exported.contains(q.as_str())).collect();
    assert!(missing.is_empty(), "the chart queries metrics this host does not export: {missing:?}");
}

#[test]
fn ready_goes_from_503_to_200_when_every_flag_is_set() {
    let t = Telemetry::new("execution");
    let bus = t.readiness().flag("bus connected");
    let store = t.readiness().flag("state store up");
    let server = serve("127.0.0.1:0".parse().unwrap(), t.clone()).unwrap();
    let addr = server.local_addr();

    let r = get(addr, "/ready");
    assert_eq!(r.status, 503);
    assert_eq!(r.body, "not ready\nbus connected: missing\nstate store up: missing\n");
    bus.set(true);
    let r = get(addr, "/ready");
    assert_eq!(r.status, 503);
    assert!(r.body.contains("bus connected: ok\nstate store up: missing"), "{}", r.body);
    store.set(true);
    let r = get(addr, "/ready");
    assert_eq!((r.status, r.body.as_str()), (200, "ready\nbus connected: ok\nstate store up: ok\n"));
    bus.set(false);
    assert_eq!(get(addr, "/ready").status, 503, "losing the bus makes the role unready again");
    drop(server);
}

#[test]
fn health_needs_a_recent_heartbeat() {
    let t = Telemetry::with_heartbeat_staleness("risk", Duration::from_secs(1));
    let server = serve("127.0.0.1:0".parse().unwrap(), t.clone()).unwrap();
    let addr = server.local_addr();

    let r = get(addr, "/health");
    assert_eq!(r.status, 503);
    assert!(r.body.starts_with("starting"), "{}", r.body);
    let heartbeat = t.heartbeat().clone();
    heartbeat.beat();
    let r = get(addr, "/health");
    assert_eq!(r.status, 200);
    assert!(r.body.starts_with("alive"), "{}", r.body);
    std::thread::sleep(Duration::from_millis(1300));
    let r = get(addr, "/health");
    assert_eq!(r.status, 503);
    assert!(r.body.starts_with("stale") && r.body.contains("more than 1000 ms"), "{}", r.body);
    heartbeat.beat();
    assert_eq!(get(addr, "/health").status, 200, "a new beat makes it alive again");
    server.shutdown().unwrap();
}

#[test]
fn unknown_paths_are_404_and_other_methods_405() {
    let t = Telemetry::new("orchestrator");
    t.heartbeat().beat();
    let server = serve("127.0.0.1:0".parse().unwrap(), t).unwrap();
    let addr = server.local_addr();
    for path in ["/", "/healthz", "/metrics/x", "/admin"] {
        assert_eq!(get(addr, path).status, 404, "{path}");
    }
    for path in ["/health", "/ready", "/metrics"] {
        for method in ["POST", "PUT", "DELETE"] {
            let r = request(addr, method, path);
            assert_eq!(r.status, 405, "{method} {path}");
            assert!(r.headers.get("allow").is_some_and(|a| a.contains("GET")), "{method} {path}: {:?}", r.headers);
        }
    }
    assert_eq!(request(addr, "HEAD", "/health").status, 200);
    server.shutdown().unwrap();
}

#[test]
fn shutdown_and_drop_free_the_port_and_a_taken_port_is_a_bind_error() {
    let server = serve("127.0.0.1:0".parse().unwrap(), Telemetry::new("all")).unwrap();
    let addr = server.local_addr();
    assert_ne!(addr.port(), 0);
    match serve(addr, Telemetry::new("all")) {
        Err(TelemetryError::Bind { addr: a, .. }) => assert_eq!(a, addr),
        other => panic!("expected a bind error, got {other:?}"),
    }
    // An idle keep-alive connection must not hold the shutdown up for long.
    let idle = TcpStream::connect(addr).unwrap();
    let started = std::time::Instant::now();
    server.shutdown().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "shutdown took {:?}", started.elapsed());
    drop(idle);
    assert!(TcpStream::connect(addr).is_err(), "still accepting after shutdown");

    let server = serve(addr, Telemetry::new("all")).expect("the port is free again");
    drop(server);
    TcpListener::bind(addr).expect("drop frees the port");
}
