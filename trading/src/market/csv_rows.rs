//! The machinery every CSV reader shares: pulling records one at a time,
//! line numbers, header handling, the per-file ordering check and the
//! bad-row policy. A format only says how one row becomes an event.

use super::{BadRow, BadRowPolicy, BadRowReason, MarketDataError, MarketEvent, ReadStats, ReaderOptions};
use crate::domain::Timestamp;
use csv::StringRecord;
use std::io::Read;

/// What the first row of a file is.
pub(crate) enum FirstRow {
    /// A header: skip it.
    Header,
    /// Data: parse it.
    Data,
    /// Not the header the format requires: stop with this error.
    MissingHeader,
}

/// How one CSV format turns rows into events.
pub(crate) trait RowFormat {
    /// Classify the first row of the file.
    fn first_row(&self, rec: &StringRecord) -> FirstRow;
    /// Turn a data row into an event; `Ok(None)` leaves it out on purpose.
    fn parse(&mut self, rec: &StringRecord) -> Result<Option<MarketEvent>, BadRowReason>;
}

/// A streaming reader of one CSV source in one format.
pub(crate) struct CsvEvents<R: Read, F: RowFormat> {
    rows: csv::Reader<R>,
    record: StringRecord,
    format: F,
    policy: BadRowPolicy,
    stats: ReadStats,
    last_ts: Option<Timestamp>,
    first: bool,
    done: bool,
}

impl<R: Read, F: RowFormat> CsvEvents<R, F> {
    /// Read `input`, named `file` in reports, as `format`.
    pub(crate) fn new(input: R, file: String, format: F, options: ReaderOptions) -> CsvEvents<R, F> {
        let rows = csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(input);
        CsvEvents {
            rows,
            record: StringRecord::new(),
            format,
            policy: options.policy,
            stats: ReadStats::new(file, options.max_bad_row_details),
            last_ts: None,
            first: true,
            done: false,
        }
    }

    /// What has been read so far.
    pub(crate) fn stats(&self) -> &ReadStats {
        &self.stats
    }

    /// Record a bad row; under `Fatal` also end the stream with its error.
    fn bad_row(&mut self, line: u64, reason: BadRowReason) -> Option<MarketDataError> {
        let row = BadRow { file: self.stats.file.clone(), line, reason };
        self.stats.record_bad_row(row.clone());
        match self.policy {
            BadRowPolicy::Skip => None,
            BadRowPolicy::Fatal => {
                self.done = true;
                Some(MarketDataError::BadRow(row))
            }
        }
    }

    /// Accept `event` if it does not go back in time.
    fn ordered(&mut self, event: MarketEvent) -> Result<MarketEvent, BadRowReason> {
        let ts = event.ts();
        match self.last_ts {
            Some(previous) if ts < previous => Err(BadRowReason::TimestampBackwards { previous, ts }),
            _ => {
                self.last_ts = Some(ts);
                Ok(event)
            }
        }
    }
}

impl<R: Read, F: RowFormat> Iterator for CsvEvents<R, F> {
    type Item = Result<MarketEvent, MarketDataError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.rows.read_record(&mut self.record) {
                Ok(false) => self.done = true,
                Ok(true) => {
                    let line = self.record.position().map_or(0, |p| p.line());
                    if std::mem::take(&mut self.first) {
                        match self.format.first_row(&self.record) {
                            FirstRow::Header => continue,
                            FirstRow::Data => {}
                            FirstRow::MissingHeader => {
                                self.done = true;
                                let found = self.record.iter().collect::<Vec<_>>().join(",");
                                return Some(Err(MarketDataError::Header {
                                    file: self.stats.file.clone(),
                                    line,
                                    found,
                                }));
                            }
                        }
                    }
                    self.stats.rows_read += 1;
                    match self.format.parse(&self.record).and_then(|e| e.map(|e| self.ordered(e)).transpose()) {
                        Ok(Some(event)) => {
                            self.stats.events += 1;
                            return Some(Ok(event));
                        }
                        Ok(None) => self.stats.rows_filtered += 1,
                        Err(reason) => {
                            if let Some(err) = self.bad_row(line, reason) {
                                return Some(Err(err));
                            }
                        }
                    }
                }
                Err(e) if e.is_io_error() => {
                    self.done = true;
                    let file = self.stats.file.clone();
                    let source = match e.into_kind() {
                        csv::ErrorKind::Io(source) => source,
                        other => std::io::Error::other(format!("{other:?}")),
                    };
                    return Some(Err(MarketDataError::Io { file, source }));
                }
                Err(e) => {
                    self.first = false;
                    self.stats.rows_read += 1;
                    let line = e.position().map_or(0, |p| p.line());
                    if let Some(err) = self.bad_row(line, BadRowReason::Unreadable(e.to_string())) {
                        return Some(Err(err));
                    }
                }
            }
        }
        None
    }
}
