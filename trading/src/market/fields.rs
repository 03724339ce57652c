//! Typed access to the fields of one CSV row, each failure a
//! [`BadRowReason`] naming the column.

use super::{BadRowReason, BinanceTimeUnit};
use crate::domain::{Decimal, Timestamp};
use csv::StringRecord;
use std::str::FromStr;

/// The field at `idx`; callers check the column count first.
pub(crate) fn field(rec: &StringRecord, idx: usize) -> &str {
    rec.get(idx).unwrap_or("")
}

/// An integer field.
pub(crate) fn int(rec: &StringRecord, idx: usize, column: &'static str) -> Result<i64, BadRowReason> {
    let s = field(rec, idx);
    s.parse::<i64>().map_err(|_| BadRowReason::NotANumber { column, value: s.to_owned() })
}

/// A decimal field, kept exactly as printed.
pub(crate) fn decimal(rec: &StringRecord, idx: usize, column: &'static str) -> Result<Decimal, BadRowReason> {
    let s = field(rec, idx);
    Decimal::from_str(s).map_err(|_| BadRowReason::NotANumber { column, value: s.to_owned() })
}

/// A strictly positive decimal: a price.
pub(crate) fn price(rec: &StringRecord, idx: usize, column: &'static str) -> Result<Decimal, BadRowReason> {
    let d = decimal(rec, idx, column)?;
    if d <= Decimal::ZERO {
        return Err(BadRowReason::NonPositivePrice { column, value: field(rec, idx).to_owned() });
    }
    Ok(d)
}

/// A non-negative decimal: a volume.
pub(crate) fn volume(rec: &StringRecord, idx: usize, column: &'static str) -> Result<Decimal, BadRowReason> {
    let d = decimal(rec, idx, column)?;
    if d < Decimal::ZERO {
        return Err(BadRowReason::NegativeSize { column, value: field(rec, idx).to_owned() });
    }
    Ok(d)
}

/// A strictly positive decimal: a trade size.
pub(crate) fn trade_size(rec: &StringRecord, idx: usize, column: &'static str) -> Result<Decimal, BadRowReason> {
    let d = volume(rec, idx, column)?;
    if d.is_zero() {
        return Err(BadRowReason::ZeroTradeSize { column });
    }
    Ok(d)
}

/// A Binance timestamp in milliseconds or microseconds (see [`BinanceTimeUnit`]).
pub(crate) fn binance_ts(rec: &StringRecord, idx: usize, column: &'static str) -> Result<Timestamp, BadRowReason> {
    let raw = int(rec, idx, column)?;
    BinanceTimeUnit::to_timestamp(raw)
        .ok_or_else(|| BadRowReason::TimestampOutOfRange { column, value: field(rec, idx).to_owned() })
}

/// A boolean as Binance prints it (`true`/`false`, any case).
pub(crate) fn boolean(rec: &StringRecord, idx: usize, column: &'static str) -> Result<bool, BadRowReason> {
    let s = field(rec, idx);
    if s.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if s.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(BadRowReason::NotABool { column, value: s.to_owned() })
    }
}

/// Check the column count against the accepted ones.
pub(crate) fn columns(rec: &StringRecord, accepted: &[usize]) -> Result<(), BadRowReason> {
    if accepted.contains(&rec.len()) {
        Ok(())
    } else {
        Err(BadRowReason::ColumnCount { expected: accepted.iter().copied().min().unwrap_or(0), found: rec.len() })
    }
}

/// Whether a row looks like a header: its first field is a name (letters,
/// `_` and spaces only, such as `open_time`). Binance data rows start with a
/// numeric id or time; a first row that is neither is a bad data row, not a
/// header, so corruption at the top of a file is still reported.
pub(crate) fn looks_like_header(rec: &StringRecord) -> bool {
    let first = field(rec, 0);
    !first.is_empty() && first.chars().all(|c| c.is_ascii_alphabetic() || c == '_' || c == ' ')
}
