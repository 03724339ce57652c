//! The admin API of a running `hft-host run` (a real-time replay at a high
//! speed multiple): tokens, challengers, promotion and rollback, the kill
//! switch, JSON errors with stable codes, the OpenAPI document against the
//! routes, and the audit log.

mod common;

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ADMIN: &str = "admin-token-0123456789abcdef";
const READ: &str = "read-token-0123456789abcdef";

/// One HTTP/1.1 request; the status and the body parsed as JSON (or a string).
fn call(addr: &str, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> (u16, Value) {
    call_bytes(addr, method, path, token, body.unwrap_or("").as_bytes())
}

/// [`call`] with a binary body.
fn call_bytes(addr: &str, method: &str, path: &str, token: Option<&str>, body: &[u8]) -> (u16, Value) {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text.split(' ').nth(1).unwrap().parse().unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or(Value::String(body.to_string())))
}

/// `hft-host ARGS` against the admin API at `addr` with the tokens in the
/// environment: (success, stdout, stderr).
fn cli(addr: &str, env: &[(&str, &std::path::Path)], args: &[&str]) -> (bool, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hft-host"));
    cmd.args(args).env("HFT_ADMIN_URL", format!("http://{addr}")).env_remove("HFT_ADMIN_TOKEN");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

/// The CLI over the same API: status, upload as a challenger, variants,
/// promote, roll back, remove, list; tokens from files as in a pod; a
/// refusal is an error exit with the API's code.
fn drive_with_the_cli(addr: &str, dir: &std::path::Path) {
    let admin_file = dir.join("admin-token");
    let read_file = dir.join("read-token");
    std::fs::write(&admin_file, format!("{ADMIN}\n")).unwrap();
    std::fs::write(&read_file, READ).unwrap();
    let admin = [("HFT_ADMIN_TOKEN_FILE", admin_file.as_path())];
    let read = [("HFT_READ_TOKEN_FILE", read_file.as_path())];

    let (ok, out, err) = cli(addr, &read, &["status"]);
    assert!(ok, "{err}");
    assert!(out.starts_with("champion champion: ") && out.contains("uploaded"), "{out}");
    let (ok, out, _) = cli(addr, &read, &["status", "--json"]);
    assert!(ok);
    let status: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(status["champion"]["id"], "champion");

    // A read token cannot change anything, and says so.
    let (ok, _, err) = cli(addr, &read, &["plugin", "promote", "uploaded"]);
    assert!(!ok);
    assert!(err.contains("no admin token"), "{err}");
    let (ok, _, err) = cli(addr, &[], &["challenger", "remove", "uploaded", "--token", READ]);
    assert!(!ok);
    assert!(err.contains("403 forbidden"), "{err}");

    let pairs = common::wasm("pairs");
    let (ok, out, err) = cli(
        addr,
        &admin,
        &["plugin", "upload", pairs.to_str().unwrap(), "--challenger", "via-cli", "--params", "entry-z=1.8"],
    );
    assert!(ok, "{err}");
    assert!(out.contains("stored pairs") && out.contains("challenger via-cli started"), "{out}");
    let (ok, out, err) = cli(addr, &admin, &["challenger", "add", "tight", "--params", "entry-z=2.5,exit-z=0.25"]);
    assert!(ok, "{err}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["added"], "tight", "{out}");
    let (ok, _, err) = cli(addr, &admin, &["challenger", "add", "bad", "--params", "no-such=1"]);
    assert!(!ok && err.contains("400 bad_request"), "{err}");
    let (ok, out, err) = cli(addr, &admin, &["plugin", "promote", "via-cli"]);
    assert!(ok, "{err}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["champion"], "via-cli");
    let (ok, out, err) = cli(addr, &read, &["status"]);
    assert!(ok && out.starts_with("champion via-cli: "), "{out}{err}");
    assert!(out.contains("promote -> champion via-cli (was champion)"), "{out}");
    let (ok, out, err) = cli(addr, &admin, &["plugin", "rollback"]);
    assert!(ok, "{err}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["champion"], "champion");
    for id in ["tight", "via-cli"] {
        let (ok, _, err) = cli(addr, &admin, &["challenger", "remove", id]);
        assert!(ok, "{id}: {err}");
    }
    let (ok, out, _) = cli(addr, &read, &["plugin", "list"]);
    assert!(ok && out.contains(" pairs ") && out.contains("uploaded"), "{out}");
    let (ok, _, err) = cli(addr, &admin, &["kill-switch", "off", "--reason", "cli test"]);
    assert!(ok, "{err}");

    // Nobody there: a clear transport error, not a hang.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let (ok, _, err) = cli(&dead.to_string(), &read, &["status", "--timeout", "5"]);
    assert!(!ok && err.contains("GET /status at http://") && err.contains("is `hft-host run` serving"), "{err}");
}

#[test]
fn the_admin_api_drives_challengers_during_a_real_time_replay() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let audit = dir.path().join("audit.jsonl");
    let plugins = common::wasm("pairs").parent().unwrap().to_path_buf();
    let child = Command::new(env!("CARGO_BIN_EXE_hft-host"))
        .current_dir(common::root())
        .args(["run", "--speed", "20000x", "--no-report", "--quiet"])
        .env("HFT_RUN__PLUGINS_DIR", &plugins)
        .env("HFT_ADMIN_TOKEN", ADMIN)
        .env("HFT_READ_TOKEN", READ)
        .env("HFT_ADMIN_ADDR", &addr)
        .env("HFT_ADMIN_AUDIT_LOG", &audit)
        .env("HFT_REGISTRY__DIR", dir.path().join("registry"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // Up once the loop has published its first status.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if std::net::TcpStream::connect(&addr).is_ok() && call(&addr, "GET", "/status", Some(READ), None).0 == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "the admin API never came up on {addr}");
        std::thread::sleep(Duration::from_millis(50));
    }

    // Tokens.
    let (code, body) = call(&addr, "GET", "/status", None, None);
    assert_eq!((code, body["error"]["code"].as_str()), (401, Some("unauthorized")));
    let (code, _) = call(&addr, "GET", "/status", Some("wrong-token-0123456789"), None);
    assert_eq!(code, 401);
    let (code, status) = call(&addr, "GET", "/status", Some(READ), None);
    assert_eq!(code, 200);
    assert_eq!(status["champion"]["id"], "champion");
    let variant = json!({"id": "loose", "params": {"entry-z": 1.5}}).to_string();
    let (code, body) = call(&addr, "POST", "/challengers", Some(READ), Some(&variant));
    assert_eq!((code, body["error"]["code"].as_str()), (403, Some("forbidden")));

    // A challenger, promoted and rolled back.
    let (code, body) = call(&addr, "POST", "/challengers", Some(ADMIN), Some(&variant));
    assert_eq!(code, 200, "{body}");
    let (code, body) = call(&addr, "POST", "/challengers", Some(ADMIN), Some(&variant));
    assert_eq!((code, body["error"]["code"].as_str()), (409, Some("conflict")), "{body}");
    let (code, body) = call(&addr, "POST", "/challengers", Some(ADMIN), Some("{not json"));
    assert_eq!((code, body["error"]["code"].as_str()), (400, Some("bad_request")));
    let (code, body) = call(&addr, "POST", "/challengers", Some(ADMIN), Some(r#"{"id":"x","params":{"no-such":1}}"#));
    assert_eq!((code, body["error"]["code"].as_str()), (400, Some("bad_request")), "{body}");
    std::thread::sleep(Duration::from_millis(300));
    let (_, status) = call(&addr, "GET", "/status", Some(ADMIN), None);
    let challengers = status["challengers"].as_array().unwrap();
    assert_eq!(challengers.len(), 1, "{status}");
    assert!(challengers[0]["ticks"].as_u64().unwrap() > 0, "the challenger shadow-trades: {status}");
    let (code, body) = call(&addr, "POST", "/promote/loose", Some(ADMIN), None);
    assert_eq!((code, body["champion"].as_str(), body["demoted"].as_str()), (200, Some("loose"), Some("champion")));
    let (code, body) = call(&addr, "POST", "/rollback", Some(ADMIN), None);
    assert_eq!((code, body["champion"].as_str()), (200, Some("champion")), "{body}");
    let (code, body) = call(&addr, "POST", "/promote/nope", Some(ADMIN), None);
    assert_eq!((code, body["error"]["code"].as_str()), (404, Some("not_found")));
    let (code, _) = call(&addr, "DELETE", "/challengers/loose", Some(ADMIN), None);
    assert_eq!(code, 200);

    // A component uploaded, validated, listed, and started as a challenger
    // by its sha256; garbage is refused with the validation's code.
    let wasm = std::fs::read(common::wasm("pairs")).unwrap();
    let (code, record) = call_bytes(&addr, "POST", "/plugins", Some(ADMIN), &wasm);
    assert_eq!(code, 201, "{record}");
    let sha = record["sha256"].as_str().unwrap().to_string();
    assert_eq!(call_bytes(&addr, "POST", "/plugins", Some(ADMIN), &wasm).0, 200, "the same bytes again");
    let (code, body) = call_bytes(&addr, "POST", "/plugins", Some(ADMIN), b"\0asm garbage");
    assert_eq!((code, body["error"]["code"].as_str()), (422, Some("not_a_component")), "{body}");
    assert_eq!(call_bytes(&addr, "POST", "/plugins", Some(READ), &wasm).0, 403);
    let (code, list) = call(&addr, "GET", "/plugins", Some(READ), None);
    assert_eq!(code, 200);
    assert!(list.as_array().unwrap().iter().any(|r| r["sha256"] == sha.as_str()), "{list}");
    assert_eq!(call(&addr, "GET", &format!("/plugins/{}", &sha[..12]), Some(READ), None).0, 200);
    let uploaded = json!({"id": "uploaded", "plugin": &sha[..12]}).to_string();
    let (code, body) = call(&addr, "POST", "/challengers", Some(ADMIN), Some(&uploaded));
    assert_eq!(code, 200, "{body}");

    drive_with_the_cli(&addr, dir.path());

    // The kill switch.
    let (code, body) = call(&addr, "POST", "/kill-switch", Some(ADMIN), Some(r#"{"on": true, "reason": "test"}"#));
    assert_eq!((code, body["risk_state"].as_str()), (200, Some("Halted")), "{body}");

    // Every documented route answers (401 without a token where one is
    // needed, not 404 or 405), and nothing else does.
    let (code, doc) = call(&addr, "GET", "/openapi.json", None, None);
    assert_eq!(code, 200);
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(paths.len(), 12, "{doc}");
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            let concrete = path.replace("{id}", "uploaded");
            let (code, body) = call(&addr, &method.to_uppercase(), &concrete, None, Some("{}"));
            let public = op["security"].as_array().unwrap().is_empty();
            if public {
                assert!(code == 200 || code == 503, "{method} {path}: {code} {body}");
            } else {
                assert_eq!(code, 401, "{method} {path}: {body}");
            }
        }
    }
    let (code, body) = call(&addr, "GET", "/nowhere", Some(ADMIN), None);
    assert_eq!((code, body["error"]["code"].as_str()), (404, Some("not_found")));
    let (code, _) = call(&addr, "PUT", "/rollback", Some(ADMIN), None);
    assert_eq!(code, 405);

    // Uploads are counted by outcome on /metrics.
    let (code, metrics) = call(&addr, "GET", "/metrics", None, None);
    assert_eq!(code, 200);
    let metrics = metrics.as_str().unwrap_or_default().to_string();
    for want in [
        "hft_plugin_uploads_total{outcome=\"accepted\"} 3",
        "hft_plugin_uploads_total{outcome=\"not_a_component\"} 1",
        // Two promotions and two rollbacks (API and CLI).
        "hft_swap_pause_seconds_count 4",
        "hft_plugin_swaps_total{outcome=\"ok\"} 4",
    ] {
        assert!(metrics.contains(want), "{want} not in:\n{metrics}");
    }
    // Every book's figures, the champion's and each challenger's, and the
    // time of each component call.
    for prefix in [
        "hft_equity{strategy=\"champion\"}",
        "hft_equity{strategy=\"challenger:uploaded\"}",
        "hft_drawdown{strategy=\"champion\"}",
        "hft_sharpe_per_tick{strategy=\"challenger:uploaded\"}",
        "hft_position{strategy=\"champion\",instrument=\"BINANCE:BTCUSDT\"}",
        "hft_risk_state{strategy=\"champion\"}",
        "hft_plugin_call_seconds_count{strategy=\"champion\",plugin=\"kalman\"}",
        "hft_plugin_call_seconds_count{strategy=\"challenger:uploaded\",plugin=\"pairs\"}",
    ] {
        assert!(metrics.lines().any(|l| l.starts_with(prefix)), "{prefix} not in:\n{metrics}");
    }

    // Every mutating call is in the audit log, refusals included.
    let log = std::fs::read_to_string(&audit).unwrap();
    let lines: Vec<Value> = log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let actions: Vec<&str> = lines.iter().map(|l| l["action"].as_str().unwrap()).collect();
    for want in ["add-challenger", "promote", "rollback", "remove-challenger", "kill-switch", "upload-plugin"] {
        assert!(actions.contains(&want), "{want} not audited: {actions:?}");
    }
    assert!(lines.iter().any(|l| l["action"] == "promote" && l["ok"] == false), "a failed promotion is audited too");

    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
