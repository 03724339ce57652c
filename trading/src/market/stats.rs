use super::BadRow;

/// How many bad rows a [`ReadStats`] keeps in full by default; the rest are
/// only counted, so a hopeless file cannot fill memory with reports.
pub const DEFAULT_MAX_BAD_ROW_DETAILS: usize = 20;

/// What a reader did with its input: the numbers a run report shows next to
/// its results, so thinned or filtered data is visible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadStats {
    /// The source, usually a file path.
    pub file: String,
    /// Data rows read (a header row is not counted).
    pub rows_read: u64,
    /// Events produced.
    pub events: u64,
    /// Rows left out on purpose because they are for another symbol than the
    /// one asked for (simple format only). Not errors.
    pub rows_filtered: u64,
    /// Rows rejected, all of them.
    pub bad_rows: u64,
    /// The first rejected rows, at most [`ReadStats::max_bad_row_details`].
    pub bad_row_details: Vec<BadRow>,
    /// How many rejected rows are kept in full.
    pub max_bad_row_details: usize,
}

impl ReadStats {
    /// Empty statistics for `file`.
    pub fn new(file: impl Into<String>, max_bad_row_details: usize) -> ReadStats {
        ReadStats {
            file: file.into(),
            rows_read: 0,
            events: 0,
            rows_filtered: 0,
            bad_rows: 0,
            bad_row_details: Vec::new(),
            max_bad_row_details,
        }
    }

    /// Count a rejected row, keeping its details while there is room.
    pub fn record_bad_row(&mut self, row: BadRow) {
        self.bad_rows += 1;
        if self.bad_row_details.len() < self.max_bad_row_details {
            self.bad_row_details.push(row);
        }
    }

    /// Whether every row read became an event or was filtered on purpose.
    pub fn is_clean(&self) -> bool {
        self.bad_rows == 0
    }
}
