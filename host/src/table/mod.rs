//! Column input from CSV files.
//!
//! Tools feed models from files a user already has: a Binance kline dump,
//! `data/sp500.csv`, an export from a notebook. A [`ColumnSpec`] says which
//! model input comes from which CSV column and how it is derived (a log, a
//! simple or log return). Every failure names the file, the line and the
//! column, so a bad cell is found in seconds.

mod column_spec;
mod reader;

pub use column_spec::{ColumnSpec, Transform};
pub use reader::{ColumnReader, Row, TableError};
