//! docs/authoring.md's tutorial, run as written: every ```sh block of the
//! page, in order, joined into one script and run with
//! `bash -eu -o pipefail`, so a command that fails fails the test and a
//! command changed on the page is the command that runs. The script
//! scaffolds a strategy with `hft-host plugin new`, tests it natively,
//! changes one parameter default, builds it with `cargo component build`
//! (through `hft-host plugin build`), backtests it alone and against the
//! champion, starts `hft-host run --speed 20000x` with the admin API,
//! uploads the component as a challenger with the CLI, sees it in
//! `hft-host status` and its book on `/metrics`, promotes it and rolls
//! back (the swaps counted on `/metrics`). The test then checks what each
//! step printed, in order.
//!
//! It runs in a fresh directory laid out like a checkout (`data/` linked
//! in, the built-in components through `HFT_RUN__PLUGINS_DIR`), with the
//! `hft-host` under test first on `PATH`, the admin API on a free port, and
//! `CARGO_TARGET_DIR=target/scaffold-tests`, which `host/tests/scaffold.rs`
//! shares, so the crate's dependencies compile once.

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The page whose commands this test runs.
fn doc() -> String {
    std::fs::read_to_string(common::root().join("docs/authoring.md")).expect("docs/authoring.md")
}

/// The page's ```sh blocks, in order.
fn sh_blocks(doc: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in doc.lines() {
        match current.take() {
            None => {
                if line.trim_end() == "```sh" {
                    current = Some(String::new());
                }
            }
            Some(block) if line.trim_end() == "```" => blocks.push(block),
            Some(mut block) => {
                block.push_str(line);
                block.push('\n');
                current = Some(block);
            }
        }
    }
    assert!(current.is_none(), "docs/authoring.md has an unclosed ```sh block");
    blocks
}

/// The tutorial as one script.
fn tutorial_script() -> String {
    sh_blocks(&doc()).join("")
}

/// Each of `wants` occurs in `text`, in this order; the byte offset after
/// the last one.
fn find_in_order(text: &str, wants: &[&str]) -> Result<usize, String> {
    let mut at = 0;
    for want in wants {
        match text[at..].find(want) {
            Some(i) => at += i + want.len(),
            None => {
                let rest: String = text[at..].chars().take(3000).collect();
                return Err(format!("{want:?} not found (in order) in what follows:\n{rest}"));
            }
        }
    }
    Ok(at)
}

/// A step of the tutorial removed, or moved before the one it needs,
/// fails here, without building anything: the page and the test cannot
/// drift apart silently.
#[test]
fn the_tutorial_covers_every_step_in_order() {
    let script = tutorial_script();
    let steps = [
        "hft-host plugin new my-pairs --kind strategy",
        "(cd my-pairs && cargo test)",
        "my-pairs/src/logic.rs",
        "(cd my-pairs && cargo test)",
        "hft-host plugin build my-pairs",
        "hft-host backtest --plugin \"$wasm\"\n",
        "hft-host backtest --plugin \"$wasm\" --against-champion",
        "export HFT_ADMIN_TOKEN=",
        "hft-host run --speed 20000x",
        "hft-host plugin upload \"$wasm\" --challenger mine",
        "hft-host status",
        "/metrics",
        "hft-host plugin promote mine",
        "hft-host status",
        "hft-host plugin rollback",
        "wait \"$host\"",
    ];
    if let Err(e) = find_in_order(&script, &steps) {
        panic!("docs/authoring.md's tutorial lost a step: {e}");
    }
}

/// Where every scaffolded crate builds (shared with `scaffold.rs`).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::root().join("target"))
        .join("scaffold-tests")
}

/// Kill what is left of process group `pgid`: the script's own group
/// (it was started as its leader), with anything it left running in the
/// background, such as a host whose replay has not ended. The `--` matters:
/// procps-ng's `kill -KILL -PGID` reads `-PGID` as an option and signals
/// every process (`kill(-1)`).
fn kill_group(pgid: u32) {
    assert!(pgid > 1, "not a process group of ours: {pgid}");
    let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pgid}")]).stderr(Stdio::null()).status();
}

/// Seconds spent on each command, from bash's trace (`PS4` stamps every
/// traced command with `EPOCHREALTIME`): the slowest first.
fn command_times(trace: &str) -> Vec<(f64, String)> {
    let stamped: Vec<(f64, &str)> = trace
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("+ ")?;
            let (ts, cmd) = rest.split_once(' ')?;
            Some((ts.parse().ok()?, cmd))
        })
        .collect();
    let mut times: Vec<(f64, String)> = stamped.windows(2).map(|w| (w[1].0 - w[0].0, w[0].1.to_string())).collect();
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    times
}

#[test]
fn the_authoring_tutorial_runs_as_written() {
    if !hft_host::scaffold::cargo_component_available() {
        assert!(
            std::env::var_os("HFT_REQUIRE_CARGO_COMPONENT").is_none(),
            "cargo-component is required (HFT_REQUIRE_CARGO_COMPONENT is set) but not installed"
        );
        eprintln!("SKIPPED: cargo-component is not installed; scripts/test.sh installs it");
        return;
    }
    let plugins = common::wasm("pairs").parent().unwrap().to_path_buf();
    std::fs::create_dir_all(target_dir()).unwrap();
    let work = tempfile::tempdir_in(target_dir()).unwrap();
    let work = work.path();
    std::os::unix::fs::symlink(common::root().join("data"), work.join("data")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_hft-host"));
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());

    // The harness's own lines: trace each command with a time stamp.
    let script = format!("PS4='+ ${{EPOCHREALTIME}} '\nset -x\n{}", tutorial_script());
    std::fs::write(work.join("tutorial.sh"), &script).unwrap();
    let (stdout, stderr) = (work.join("stdout.txt"), work.join("stderr.txt"));
    let mut cmd = Command::new("bash");
    cmd.args(["-eu", "-o", "pipefail", "tutorial.sh"])
        .current_dir(work)
        .env("PATH", &path)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_PROFILE_DEV_DEBUG", "line-tables-only")
        .env("CARGO_INCREMENTAL", "0")
        .env("HFT_RUN__PLUGINS_DIR", &plugins)
        .env("HFT_ADMIN_ADDR", format!("127.0.0.1:{port}"))
        .env("HFT_CACHE_DIR", work.join("cache"))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap());
    for var in ["HFT_ADMIN_TOKEN", "HFT_ADMIN_TOKEN_FILE", "HFT_READ_TOKEN", "HFT_READ_TOKEN_FILE", "HFT_ADMIN_URL"] {
        cmd.env_remove(var);
    }
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);

    let started = Instant::now();
    let mut child = cmd.spawn().expect("running bash");
    let deadline = started + Duration::from_secs(20 * 60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let took = started.elapsed();
    kill_group(child.id());
    let _ = child.wait();
    let out = std::fs::read_to_string(&stdout).unwrap_or_default();
    let err = std::fs::read_to_string(&stderr).unwrap_or_default();
    let tail = |s: &str, n: usize| {
        s.lines().rev().take(n).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n")
    };
    let run_log = std::fs::read_to_string(work.join("run.log")).unwrap_or_default();
    let context = || {
        format!(
            "--- stdout (end) ---\n{}\n--- stderr (end) ---\n{}\n--- run.log (end) ---\n{}",
            tail(&out, 60),
            tail(&err, 60),
            tail(&run_log, 20)
        )
    };

    eprintln!("the tutorial took {:.1} s; slowest commands:", took.as_secs_f64());
    for (secs, command) in command_times(&err).iter().take(8) {
        eprintln!("  {secs:7.2} s  {command}");
    }
    let status = status.unwrap_or_else(|| panic!("the tutorial did not finish within 20 minutes\n{}", context()));
    assert!(status.success(), "the tutorial failed ({status})\n{}", context());

    // What each step printed, in order.
    let crate_dir = std::fs::canonicalize(work.join("my-pairs")).unwrap();
    let built = target_dir().join("wasm32-wasip1/release/my_pairs.wasm");
    let doc = doc();
    let evop_line = doc.lines().find(|l| l.starts_with("[evop] confidence")).expect("the page quotes the [evop] line");
    let warm_up_line = doc.lines().find(|l| l.starts_with("warm-up: ")).expect("the page quotes the warm-up line");
    let verdict_line = doc.lines().find(|l| l.starts_with("verdict: ")).expect("the page quotes a verdict");
    // The kind of verdict (up to its first figure), not the figures.
    let verdict_kind = &verdict_line[..verdict_line.find(|c: char| c.is_ascii_digit()).unwrap_or(verdict_line.len())];
    let created = format!("created {}", crate_dir.display());
    let built_line = format!("built {}", built.display());
    let before_host = [
        created.as_str(),
        "test result: ok.",
        "pub const NOTIONAL: f64 = 60_000.0;",
        "test result: ok.",
        "world:       hft:strategy/trading-strategy@0.1.1",
        "  notional      float  default 60000.0 ",
        "warm-up:     100 ticks with the defaults (its warm-up export)",
        built_line.as_str(),
        "strategy:    my-pairs 0.1.0",
        // Alone, against a flat book.
        "Run report backtest-my-pairs",
        "  benchmark  a flat book (no trades)",
        "promotion gate: ",
        "\nverdict: ",
        // Against the champion.
        "Run report backtest-my-pairs",
        "  champion   pairs: final equity ",
        warm_up_line,
        evop_line,
        "promotion gate: refuse",
        "  Sharpe per period: challenger ",
        "  outlook: ",
        verdict_kind,
        // The host: the upload, and the challenger in the status.
        "stored my-pairs 0.1.0 (hft:strategy/trading-strategy@0.1.1) as ",
        "challenger mine started on ",
        "champion champion: ",
        "\nmine ",
    ];
    let at = find_in_order(&out, &before_host).unwrap_or_else(|e| panic!("{e}\n{}", context()));
    // /metrics, in the exporter's order, before the promotion.
    let promoted =
        at + out[at..].find("\"champion\": \"mine\"").unwrap_or_else(|| panic!("no promotion\n{}", context()));
    let metrics = &out[at..promoted];
    for want in [
        "hft_plugin_uploads_total{outcome=\"accepted\"} 1",
        "hft_equity{strategy=\"challenger:mine\"} ",
        "hft_plugin_call_seconds_count{strategy=\"challenger:mine\",plugin=\"my-pairs\"} ",
    ] {
        assert!(metrics.contains(want), "{want:?} not on /metrics:\n{metrics}\n{}", context());
    }
    let after = [
        "champion mine: ",
        "promote -> champion mine (was champion)",
        "\"champion\": \"champion\"",
        "hft_plugin_swaps_total{outcome=\"ok\"} 2",
    ];
    if let Err(e) = find_in_order(&out[promoted..], &after) {
        panic!("{e}\n{}", context());
    }
    assert!(built.is_file(), "{}", built.display());
    assert!(run_log.contains("reconciles exactly with the fills"), "{}", context());
}
