//! `hft-host`: the command-line shell over the `hft_host` library.

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use hft_host::admin_client::{self, AdminClient, AdminTarget};
use hft_host::commands::{self, ModelFit, ModelRun};
use hft_host::roles::Role;
use hft_host::runtime::{Limits, Runtime, RuntimeConfig};
use hft_host::table::ColumnSpec;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Run trading models as sandboxed WebAssembly components.
#[derive(Parser)]
#[command(name = "hft-host", version, about)]
struct Cli {
    #[command(flatten)]
    runtime: RuntimeArgs,
    #[command(subcommand)]
    command: Command,
}

/// Options of the plugin runtime, shared by every subcommand.
#[derive(Args)]
struct RuntimeArgs {
    /// Directory for precompiled components [default: ~/.cache/hft-host].
    #[arg(long, global = true, env = "HFT_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Compile components every time instead of caching them.
    #[arg(long, global = true, env = "HFT_NO_CACHE", value_parser = clap::builder::BoolishValueParser::new())]
    no_cache: bool,
    /// Memory cap of each plugin instance, in MiB.
    #[arg(long, global = true, env = "HFT_PLUGIN_MEMORY_MB", default_value_t = 64)]
    plugin_memory_mb: usize,
    /// Deadline of a per-event plugin call, in milliseconds.
    #[arg(long, global = true, env = "HFT_PLUGIN_CALL_TIMEOUT_MS", default_value_t = 250)]
    plugin_call_timeout_ms: u64,
    /// Deadline of a batch, fit or create call, in milliseconds.
    #[arg(long, global = true, env = "HFT_PLUGIN_HEAVY_CALL_TIMEOUT_MS", default_value_t = 10_000)]
    plugin_heavy_call_timeout_ms: u64,
}

#[derive(Subcommand)]
enum Command {
    /// The main job: replay market data through the model components, the
    /// strategy component, the risk manager and the paper broker, and
    /// write a report. With no --config, runs the bundled BTC/ETH pair.
    Run {
        /// The run configuration (TOML); see docs/configuration.md.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Replay pacing: max, realtime, or a multiple such as 60x.
        #[arg(long)]
        speed: Option<String>,
        /// Print the report only; write no files.
        #[arg(long)]
        no_report: bool,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        /// Which part to run: all (one process, the default); or, over the
        /// Kafka cluster of [bus.kafka], ingest (market data into the
        /// market-data topic), strategy (market data through the models,
        /// the strategy and risk; venue steps to the orders topic),
        /// execution (venue steps into the paper venue; fills out), risk
        /// (the books from the fills; the kill switch) or orchestrator
        /// (challengers in shadow, the promotion gate, the admin API;
        /// champion changes to every strategy process).
        #[arg(long, default_value = "all")]
        role: String,
        /// Consuming roles: stop after this many seconds without a message
        /// (a replay through the bus); by default they run until stopped.
        #[arg(long)]
        until_idle: Option<f64>,
    },
    /// Run one strategy component over market data (the bundled pair by
    /// default), alone or beside the champion, and print the run report and
    /// the promotion gate's statistics: could it ever be promoted?
    Backtest {
        /// The strategy component (.wasm).
        #[arg(long)]
        plugin: PathBuf,
        /// Its parameters as name=value, comma separated or repeated; the
        /// others keep the component's defaults.
        #[arg(long, value_delimiter = ',')]
        params: Vec<String>,
        /// Market data replacing the configuration's [[data]]: Binance
        /// klines or aggTrades files named as Binance names them, or
        /// ts,symbol,price,size CSVs; repeat for each file.
        #[arg(long)]
        data: Vec<PathBuf>,
        /// The run configuration: data, models, legs and signals, [evop],
        /// and the champion's [strategy] [default: the embedded one].
        #[arg(long)]
        config: Option<PathBuf>,
        /// Run the configuration's strategy beside it as the champion and
        /// judge it against that (otherwise against a flat book).
        #[arg(long)]
        against_champion: bool,
        /// Print the report only; write no files.
        #[arg(long)]
        no_report: bool,
    },
    /// Market data tools.
    #[command(subcommand)]
    Data(DataCommand),
    /// Run or fit a model component on data.
    #[command(subcommand)]
    Model(ModelCommand),
    /// Look at plugin components, and upload, list, promote or roll them
    /// back on a running host.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Start or stop a challenger on a running host.
    #[command(subcommand)]
    Challenger(ChallengerCommand),
    /// Engage or release the kill switch of a running host.
    KillSwitch {
        #[command(flatten)]
        admin: AdminArgs,
        /// on (no new orders) or off.
        state: OnOff,
        /// Why, for the audit log.
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// The champion, the challengers and the promotion gate of a running host.
    Status {
        #[command(flatten)]
        admin: AdminArgs,
        /// Print the JSON the API answers instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Where a running host's admin API is: shared by every command that talks
/// to one. Tokens come from HFT_ADMIN_TOKEN[_FILE] (and HFT_READ_TOKEN[_FILE]
/// for reading), as the server reads them.
#[derive(Args)]
struct AdminArgs {
    /// The admin API [default: http://$HFT_ADMIN_ADDR, else http://127.0.0.1:8005].
    #[arg(long, env = "HFT_ADMIN_URL")]
    admin_url: Option<String>,
    /// Bearer token for this call, instead of the environment's.
    #[arg(long)]
    token: Option<String>,
    /// Give up after this many seconds (an upload is validated before the answer).
    #[arg(long, default_value_t = 120.0)]
    timeout: f64,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum OnOff {
    On,
    Off,
}

#[derive(Subcommand)]
enum ChallengerCommand {
    /// Start a challenger: a parameter variant of the champion, or another
    /// strategy component (--plugin, a built-in name or an uploaded sha256).
    Add {
        #[command(flatten)]
        admin: AdminArgs,
        /// Its id (letters, digits, -, _).
        id: String,
        /// The strategy component [default: the champion's].
        #[arg(long)]
        plugin: Option<String>,
        /// Strategy parameters as name=value, comma separated or repeated.
        #[arg(long, value_delimiter = ',')]
        params: Vec<String>,
        /// Model parameters as model.name=value, comma separated or repeated.
        #[arg(long, value_delimiter = ',')]
        model_params: Vec<String>,
    },
    /// Stop a challenger.
    Remove {
        #[command(flatten)]
        admin: AdminArgs,
        /// Its id.
        id: String,
    },
}

/// Which component to run, with what parameters, on which file: shared by
/// every `model` subcommand.
#[derive(Args)]
struct ModelSource {
    /// The component (.wasm).
    #[arg(long)]
    plugin: PathBuf,
    /// Parameters as name=value, comma separated or repeated.
    #[arg(long, value_delimiter = ',')]
    params: Vec<String>,
    /// Input CSV with a header line (`-` for standard input).
    #[arg(long)]
    input: PathBuf,
}

#[derive(Subcommand)]
enum ModelCommand {
    /// Stream a CSV through a model component and write every per-step output.
    Run {
        #[command(flatten)]
        source: ModelSource,
        /// Where each model input comes from: input=column, input=log(column),
        /// input=pct(column), input=pct100(column) or input=logret(column);
        /// comma separated.
        #[arg(long, value_delimiter = ',')]
        columns: Vec<String>,
        /// Input columns to copy into the output (for example a date).
        #[arg(long, value_delimiter = ',')]
        keep: Vec<String>,
        /// Output CSV (`-` for standard output).
        #[arg(long, default_value = "-")]
        out: PathBuf,
        /// Rows per component call.
        #[arg(long, default_value_t = 4096)]
        batch: usize,
    },
    /// Fit a volatility component by maximum likelihood; print JSON.
    Fit {
        #[command(flatten)]
        source: ModelSource,
        /// Where the returns come from: a column of returns, or pct(price_column).
        #[arg(long, default_value = "ret")]
        column: String,
        /// Forecast horizon in steps.
        #[arg(long, default_value_t = 10)]
        horizon: u32,
        /// Write the JSON here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum DataCommand {
    /// Write the seeded synthetic BTC/ETH pair (cointegrated, with
    /// volatility clustering and regime changes) as Binance klines CSVs.
    Generate {
        /// Output directory.
        #[arg(long, default_value = "data/pair")]
        out: PathBuf,
        /// A pair spec (TOML) instead of the default one.
        #[arg(long)]
        spec: Option<PathBuf>,
        /// Override the spec's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Override the spec's number of bars.
        #[arg(long)]
        bars: Option<usize>,
    },
}

#[derive(Subcommand)]
enum PluginCommand {
    /// Print the world a component implements, its name, version and parameters.
    Inspect {
        /// The component (.wasm).
        path: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Scaffold a standalone plugin crate: WIT bindings wired through
    /// hft-sdk, example logic with native tests, a README, and both
    /// `cargo component build` and plain `cargo build --target wasm32-wasip2`.
    New {
        /// The crate's name (lowercase, kebab-case).
        name: String,
        /// strategy, hedge-ratio, volatility or changepoint.
        #[arg(long, value_parser = hft_host::scaffold::parse_kind)]
        kind: hft_host::runtime::ComponentKind,
        /// Where to create it [default: ./NAME].
        #[arg(long)]
        dir: Option<PathBuf>,
        /// An hft-host checkout (or its sdk/) to build against [default:
        /// the checkout this binary was built from].
        #[arg(long)]
        sdk: Option<PathBuf>,
    },
    /// Build a plugin crate into a component (cargo component build, or
    /// plain cargo with --plain) and show what it is.
    Build {
        /// The crate.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Use `cargo build --release --target wasm32-wasip2`.
        #[arg(long)]
        plain: bool,
    },
    /// Upload a component to a running host, which validates it before it
    /// stores it; optionally start it as a challenger at once.
    Upload {
        #[command(flatten)]
        admin: AdminArgs,
        /// The component (.wasm).
        path: PathBuf,
        /// ed25519 signature over the component's sha256 (base64 or hex),
        /// when the host requires signed components.
        #[arg(long)]
        signature: Option<String>,
        /// Start it as a challenger with this id once it is stored.
        #[arg(long)]
        challenger: Option<String>,
        /// The challenger's strategy parameters as name=value.
        #[arg(long, value_delimiter = ',', requires = "challenger")]
        params: Vec<String>,
    },
    /// The components stored on a running host.
    List {
        #[command(flatten)]
        admin: AdminArgs,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Make a challenger the champion, between two ticks.
    Promote {
        #[command(flatten)]
        admin: AdminArgs,
        /// The challenger's id.
        id: String,
    },
    /// Swap back the last promotion.
    Rollback {
        #[command(flatten)]
        admin: AdminArgs,
    },
}

fn runtime(args: &RuntimeArgs) -> anyhow::Result<Runtime> {
    let cache_dir = if args.no_cache {
        None
    } else {
        args.cache_dir.clone().or_else(|| {
            std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
                .map(|d| d.join("hft-host"))
        })
    };
    let limits = Limits {
        memory_bytes: args.plugin_memory_mb << 20,
        call_timeout: Duration::from_millis(args.plugin_call_timeout_ms),
        heavy_call_timeout: Duration::from_millis(args.plugin_heavy_call_timeout_ms),
        ..Limits::default()
    };
    Ok(Runtime::new(RuntimeConfig { limits, cache_dir, parallel_compilation: true })?)
}

fn pairs(params: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    params
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .with_context(|| format!("parameter {p:?} must look like name=value"))
        })
        .collect()
}

fn columns(specs: &[String]) -> anyhow::Result<Vec<ColumnSpec>> {
    specs.iter().map(|s| s.parse::<ColumnSpec>().map_err(anyhow::Error::msg)).collect()
}

fn admin_client(args: &AdminArgs) -> anyhow::Result<AdminClient> {
    let target = AdminTarget::from_env(args.admin_url.as_deref(), args.token.clone())?;
    let timeout =
        Duration::try_from_secs_f64(args.timeout).map_err(|e| anyhow::anyhow!("--timeout {}: {e}", args.timeout))?;
    Ok(AdminClient::new(target, timeout))
}

fn print_json(v: &serde_json::Value) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run { config, speed, no_report, quiet, role, until_idle } => {
            let speed: Option<hft_host::config::Speed> =
                speed.map(|s| s.parse()).transpose().map_err(anyhow::Error::msg)?;
            let role = role.parse::<Role>().map_err(anyhow::Error::msg)?;
            if role != Role::All {
                let until_idle = until_idle
                    .map(|s| Duration::try_from_secs_f64(s).map_err(|e| anyhow::anyhow!("--until-idle {s}: {e}")))
                    .transpose()?;
                let args = commands::RoleRun { role, config, speed, until_idle, write_report: !no_report };
                let rt = if matches!(role, Role::Strategy | Role::Orchestrator) {
                    Some(runtime(&cli.runtime)?)
                } else {
                    None
                };
                for line in commands::run_role(rt.as_ref(), &args)? {
                    println!("{line}");
                }
                return Ok(());
            }
            let rt = runtime(&cli.runtime)?;
            let progress = !quiet && std::io::IsTerminal::is_terminal(&std::io::stderr());
            let outcome = commands::run(&rt, &commands::Run { config, speed, no_report, progress })?;
            print!("{}", outcome.report.render_text());
            if let Some(dir) = &outcome.report_dir {
                println!("\nreport written to {}/ (open report.html)", dir.display());
            }
            if let Err(e) = &outcome.reconciliation {
                anyhow::bail!("the books do not reconcile with the fills: {e}");
            }
        }
        Command::Backtest { plugin, params, data, config, against_champion, no_report } => {
            let rt = runtime(&cli.runtime)?;
            let args = commands::Backtest {
                plugin,
                params: pairs(&params)?,
                config,
                data,
                against_champion,
                write_report: !no_report,
            };
            let outcome = commands::backtest(&rt, &args)?;
            print!("{}", outcome.render_text());
            if let Some(dir) = &outcome.run.report_dir {
                println!("\nreport written to {}/ (open report.html)", dir.display());
            }
            if let Err(e) = &outcome.run.reconciliation {
                anyhow::bail!("the books do not reconcile with the fills: {e}");
            }
        }
        Command::Data(DataCommand::Generate { out, spec, seed, bars }) => {
            let files = commands::data_generate(&out, spec.as_deref(), seed, bars)?;
            for f in files {
                println!("{}", f.display());
            }
        }
        Command::Model(ModelCommand::Run { source, columns: cols, keep, out, batch }) => {
            let rt = runtime(&cli.runtime)?;
            let ModelSource { plugin, params, input } = source;
            let args = ModelRun { plugin, params: pairs(&params)?, input, columns: columns(&cols)?, keep, out, batch };
            let summary = commands::model_run(&rt, &args)?;
            tracing::info!(rows = summary.rows, kind = %summary.kind, "model run finished");
        }
        Command::Model(ModelCommand::Fit { source, column, horizon, out }) => {
            let rt = runtime(&cli.runtime)?;
            let ModelSource { plugin, params, input } = source;
            let column = if column.contains('=') { column } else { format!("ret={column}") };
            let column = column.parse::<ColumnSpec>().map_err(anyhow::Error::msg)?;
            let args = ModelFit { plugin, params: pairs(&params)?, input, column, horizon };
            let fit = commands::model_fit(&rt, &args)?;
            let json = serde_json::to_string_pretty(&fit)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, json + "\n").with_context(|| format!("cannot write {}", path.display()))?
                }
                None => println!("{json}"),
            }
        }
        Command::Plugin(PluginCommand::Inspect { path, json }) => {
            let rt = runtime(&cli.runtime)?;
            let report = commands::inspect(&rt, &path)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report.to_json())?);
            } else {
                print!("{report}");
            }
        }
        Command::Plugin(PluginCommand::New { name, kind, dir, sdk }) => {
            let dir = commands::plugin_new(&commands::PluginNew { name, kind, dir, sdk })?;
            println!("created {}", dir.display());
            println!("next: cd {} && cargo test && hft-host plugin build", dir.display());
        }
        Command::Plugin(PluginCommand::Build { dir, plain }) => {
            let wasm = commands::plugin_build(&commands::PluginBuild { dir, plain, target_dir: None })?;
            let rt = runtime(&cli.runtime)?;
            print!("{}", commands::inspect(&rt, &wasm)?);
            println!("built {}", wasm.display());
        }
        Command::Plugin(PluginCommand::Upload { admin, path, signature, challenger, params }) => {
            let client = admin_client(&admin)?;
            let wasm = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let record = client.upload(&wasm, signature.as_deref())?;
            let sha = record["sha256"].as_str().unwrap_or_default().to_string();
            println!(
                "stored {} {} ({}) as {sha}",
                record["name"].as_str().unwrap_or("?"),
                record["version"].as_str().unwrap_or("?"),
                record["world"].as_str().unwrap_or("?"),
            );
            if let Some(id) = challenger {
                let body = admin_client::challenger_request(&id, Some(&sha), &pairs(&params)?, &[])
                    .map_err(anyhow::Error::msg)?;
                client.add_challenger(&body)?;
                println!("challenger {id} started on {sha}");
            }
        }
        Command::Plugin(PluginCommand::List { admin, json }) => {
            let list = admin_client(&admin)?.list_plugins()?;
            if json {
                return print_json(&list);
            }
            for r in list.as_array().map(Vec::as_slice).unwrap_or_default() {
                println!(
                    "{}  {} {}  {}  uploaded {} by {}",
                    r["sha256"].as_str().unwrap_or("?"),
                    r["name"].as_str().unwrap_or("?"),
                    r["version"].as_str().unwrap_or("?"),
                    r["world"].as_str().unwrap_or("?"),
                    r["uploaded_at"].as_str().unwrap_or("?"),
                    r["uploaded_by"].as_str().unwrap_or("?"),
                );
            }
        }
        Command::Plugin(PluginCommand::Promote { admin, id }) => print_json(&admin_client(&admin)?.promote(&id)?)?,
        Command::Plugin(PluginCommand::Rollback { admin }) => print_json(&admin_client(&admin)?.rollback()?)?,
        Command::Challenger(ChallengerCommand::Add { admin, id, plugin, params, model_params }) => {
            let body =
                admin_client::challenger_request(&id, plugin.as_deref(), &pairs(&params)?, &pairs(&model_params)?)
                    .map_err(anyhow::Error::msg)?;
            print_json(&admin_client(&admin)?.add_challenger(&body)?)?;
        }
        Command::Challenger(ChallengerCommand::Remove { admin, id }) => {
            print_json(&admin_client(&admin)?.remove_challenger(&id)?)?
        }
        Command::KillSwitch { admin, state, reason } => {
            print_json(&admin_client(&admin)?.kill_switch(matches!(state, OnOff::On), &reason)?)?
        }
        Command::Status { admin, json } => {
            let status = admin_client(&admin)?.status()?;
            if json {
                return print_json(&status);
            }
            print!("{}", admin_client::render_status(&status));
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HFT_LOG").unwrap_or_else(|_| "warn,hft_host=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
