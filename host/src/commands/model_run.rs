//! `hft-host model run`: stream a CSV through any model component.

use crate::models::{AnyModel, describe, parse_params};
use crate::runtime::{ModelKind, Runtime};
use crate::table::{ColumnReader, ColumnSpec, Row};
use anyhow::{Context, bail};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `model run`.
#[derive(Debug, Clone)]
pub struct ModelRun {
    /// The component file.
    pub plugin: PathBuf,
    /// `name=value` parameters, typed by the component's specs.
    pub params: Vec<(String, String)>,
    /// The CSV input (`-` for standard input).
    pub input: PathBuf,
    /// Where each model input comes from; empty means columns named as the inputs.
    pub columns: Vec<ColumnSpec>,
    /// Input columns copied to the output as they are (a date, a timestamp).
    pub keep: Vec<String>,
    /// The CSV output (`-` for standard output).
    pub out: PathBuf,
    /// Rows per component call. Larger batches amortise the boundary cost.
    pub batch: usize,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// The component's kind.
    pub kind: ModelKind,
    /// Rows written.
    pub rows: u64,
}

/// Order the mappings as the kind's inputs, refusing unknown or missing ones.
fn resolve_columns(kind: ModelKind, given: &[ColumnSpec]) -> anyhow::Result<Vec<ColumnSpec>> {
    if given.is_empty() {
        return Ok(kind.inputs().iter().map(|i| ColumnSpec::same(i)).collect());
    }
    if let Some(extra) = given.iter().find(|c| !kind.inputs().contains(&c.input.as_str())) {
        bail!("{kind} has no input {:?}; its inputs are: {}", extra.input, kind.inputs().join(", "));
    }
    kind.inputs()
        .iter()
        .map(|input| {
            given.iter().find(|c| c.input == *input).cloned().with_context(|| {
                format!("--columns does not say where input {input:?} comes from (for example {input}=<column>)")
            })
        })
        .collect()
}

/// Run the component over every row and write all per-step outputs.
pub fn model_run(runtime: &Runtime, args: &ModelRun) -> anyhow::Result<RunSummary> {
    if args.batch == 0 {
        bail!("--batch must be at least 1");
    }
    let component = runtime.load_file(&args.plugin)?;
    let Some(kind) = component.world.kind.model() else {
        bail!("model run needs a model component; {} implements {}", args.plugin.display(), component.world.kind);
    };
    let info = describe(&component)?;
    let params = parse_params(&info.params, &args.params)?;
    let mut model = AnyModel::create(&component, &params)?;
    let columns = resolve_columns(kind, &args.columns)?;
    let reader = ColumnReader::open(&args.input, columns, &args.keep)?;

    let sink: Box<dyn Write> = if args.out.as_os_str() == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::fs::File::create(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?)
    };
    let mut out = std::io::BufWriter::new(sink);
    let header: Vec<&str> = args.keep.iter().map(String::as_str).chain(kind.outputs().iter().copied()).collect();
    writeln!(out, "{}", header.join(","))?;

    let mut rows = 0u64;
    let mut batch: Vec<Row> = Vec::with_capacity(args.batch);
    let mut reader = reader.peekable();
    while reader.peek().is_some() {
        batch.clear();
        while batch.len() < args.batch {
            match reader.next() {
                Some(row) => batch.push(row?),
                None => break,
            }
        }
        let inputs: Vec<Vec<f64>> =
            (0..kind.inputs().len()).map(|i| batch.iter().map(|r| r.values[i]).collect()).collect();
        let outputs = model.step_batch(&inputs).with_context(|| {
            format!(
                "{}: lines {}-{}",
                args.input.display(),
                batch.first().map_or(0, |r| r.line),
                batch.last().map_or(0, |r| r.line)
            )
        })?;
        for (i, row) in batch.iter().enumerate() {
            let mut line = String::with_capacity(16 * (row.kept.len() + outputs.columns.len()));
            for k in &row.kept {
                line.push_str(k);
                line.push(',');
            }
            for (c, col) in outputs.columns.iter().enumerate() {
                if c > 0 {
                    line.push(',');
                }
                line.push_str(&col[i].to_string());
            }
            writeln!(out, "{line}")?;
        }
        rows += batch.len() as u64;
    }
    out.flush()?;
    Ok(RunSummary { kind, rows })
}
