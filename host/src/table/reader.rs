//! Streaming rows of model inputs out of a CSV file.

use super::column_spec::{ColumnSpec, Transform};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a table could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The CSV itself is malformed (unbalanced quotes, ragged rows).
    #[error("{path}: malformed CSV at line {line}: {message}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// The parser's description.
        message: String,
    },
    /// A column the mapping names is not in the header.
    #[error("{path}: no column {column:?} (needed for input {input:?}); the header has: {available}")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The missing column.
        column: String,
        /// The model input that needed it.
        input: String,
        /// The header's columns, comma separated.
        available: String,
    },
    /// A cell is not a usable number.
    #[error("{path}: line {line}, column {column:?}: {problem} (cell {value:?})")]
    BadCell {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// The column.
        column: String,
        /// The cell's text.
        value: String,
        /// What is wrong with it.
        problem: &'static str,
    },
}

/// One row of model inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based line in the file.
    pub line: u64,
    /// One value per [`ColumnSpec`], in mapping order.
    pub values: Vec<f64>,
    /// The kept pass-through columns' text, in `keep` order.
    pub kept: Vec<String>,
}

/// Reads rows of model inputs from a CSV with a header line.
pub struct ColumnReader {
    path: PathBuf,
    records: csv::StringRecordsIntoIter<Box<dyn Read>>,
    specs: Vec<ColumnSpec>,
    source_idx: Vec<usize>,
    keep_idx: Vec<usize>,
    previous: Vec<Option<f64>>,
}

impl ColumnReader {
    /// Open `path` (`-` for standard input) and resolve `specs` and the
    /// pass-through `keep` columns against its header.
    pub fn open(path: &Path, specs: Vec<ColumnSpec>, keep: &[String]) -> Result<ColumnReader, TableError> {
        let io = |source| TableError::Io { path: path.to_path_buf(), source };
        let input: Box<dyn Read> = if path == Path::new("-") {
            Box::new(std::io::stdin())
        } else {
            Box::new(std::fs::File::open(path).map_err(io)?)
        };
        let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).has_headers(true).from_reader(input);
        let header = reader.headers().map_err(|e| csv_error(path, e))?.clone();
        let find = |column: &str, input: &str| {
            header.iter().position(|h| h == column).ok_or_else(|| TableError::MissingColumn {
                path: path.to_path_buf(),
                column: column.to_string(),
                input: input.to_string(),
                available: header.iter().collect::<Vec<_>>().join(", "),
            })
        };
        let source_idx = specs.iter().map(|s| find(&s.source, &s.input)).collect::<Result<Vec<_>, _>>()?;
        let keep_idx = keep.iter().map(|k| find(k, "--keep")).collect::<Result<Vec<_>, _>>()?;
        Ok(ColumnReader {
            path: path.to_path_buf(),
            records: reader.into_records(),
            previous: vec![None; specs.len()],
            specs,
            source_idx,
            keep_idx,
        })
    }

    fn row(&mut self, record: csv::StringRecord) -> Result<Option<Row>, TableError> {
        let line = record.position().map_or(0, |p| p.line());
        let mut values = Vec::with_capacity(self.specs.len());
        let mut complete = true;
        for (i, spec) in self.specs.iter().enumerate() {
            let text = record.get(self.source_idx[i]).unwrap_or("");
            let bad = |problem| TableError::BadCell {
                path: self.path.clone(),
                line,
                column: spec.source.clone(),
                value: text.to_string(),
                problem,
            };
            if text.is_empty() {
                return Err(bad("empty cell"));
            }
            let v: f64 = text.parse().map_err(|_| bad("not a number"))?;
            if !v.is_finite() {
                return Err(bad("not a finite number"));
            }
            let derived = match spec.transform {
                Transform::Raw => Some(v),
                Transform::Log if v <= 0.0 => return Err(bad("log of a non-positive number")),
                Transform::Log => Some(v.ln()),
                Transform::Pct => self.previous[i].map(|p| v / p - 1.0),
                Transform::Pct100 => self.previous[i].map(|p| 100.0 * (v / p - 1.0)),
                Transform::LogRet if v <= 0.0 => return Err(bad("log return of a non-positive price")),
                Transform::LogRet => self.previous[i].map(|p| (v / p).ln()),
            };
            if spec.transform.needs_previous() && v == 0.0 {
                return Err(bad("a return needs a non-zero previous value"));
            }
            self.previous[i] = Some(v);
            match derived {
                Some(d) => values.push(d),
                None => complete = false,
            }
        }
        if !complete {
            return Ok(None);
        }
        let kept = self.keep_idx.iter().map(|&k| record.get(k).unwrap_or("").to_string()).collect();
        Ok(Some(Row { line, values, kept }))
    }
}

fn csv_error(path: &Path, e: csv::Error) -> TableError {
    let line = e.position().map_or(0, |p| p.line());
    TableError::Csv { path: path.to_path_buf(), line, message: e.to_string() }
}

impl Iterator for ColumnReader {
    type Item = Result<Row, TableError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let record = match self.records.next()? {
                Ok(r) => r,
                Err(e) => return Some(Err(csv_error(&self.path, e))),
            };
            match self.row(record) {
                Ok(Some(row)) => return Some(Ok(row)),
                Ok(None) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, specs: &[&str]) -> Result<Vec<Row>, TableError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        let specs = specs.iter().map(|s| s.parse().unwrap()).collect();
        ColumnReader::open(&path, specs, &["date".to_string()])?.collect()
    }

    #[test]
    fn pct_matches_pandas_and_skips_the_first_row() {
        let rows = read("date,p\nd1,100\nd2,110\nd3,99\n", &["ret=pct(p)"]).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].values, vec![110.0 / 100.0 - 1.0]);
        assert_eq!(rows[1].kept, vec!["d3".to_string()]);
        assert_eq!(rows[1].line, 4);
    }

    #[test]
    fn bad_cells_name_line_and_column() {
        let e = read("date,p\nd1,100\nd2,abc\n", &["x=p"]).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("\"p\"") && e.contains("not a number"), "{e}");
        let e = read("date,p\nd1,-1\n", &["x=log(p)"]).unwrap_err().to_string();
        assert!(e.contains("non-positive"), "{e}");
        let e = read("date,p\nd1,\n", &["x=p"]).unwrap_err().to_string();
        assert!(e.contains("empty cell"), "{e}");
        let e = read("date,p\nd1,NaN\n", &["x=p"]).unwrap_err().to_string();
        assert!(e.contains("finite"), "{e}");
    }

    #[test]
    fn missing_columns_list_the_header() {
        let e = read("date,p\nd1,1\n", &["x=q"]).unwrap_err().to_string();
        assert!(e.contains("no column \"q\"") && e.contains("date, p"), "{e}");
    }
}
