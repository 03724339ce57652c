//! Calendar formatting of [`Timestamp`]s in UTC, without a date library:
//! reports only need to print times, never to parse or shift them.

use crate::domain::Timestamp;

const NS_PER_SEC: i64 = 1_000_000_000;

/// A broken-down UTC time.
pub(crate) struct Civil {
    pub(crate) year: i64,
    pub(crate) month: u32,
    pub(crate) day: u32,
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    pub(crate) second: u32,
    pub(crate) millis: u32,
}

/// Break `ts` down into a proleptic Gregorian UTC date and time (Howard
/// Hinnant's `civil_from_days`).
pub(crate) fn civil(ts: Timestamp) -> Civil {
    let secs = ts.0.div_euclid(NS_PER_SEC);
    let millis = (ts.0.rem_euclid(NS_PER_SEC) / 1_000_000) as u32;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        month,
        day,
        hour: (sod / 3_600) as u32,
        minute: (sod % 3_600 / 60) as u32,
        second: (sod % 60) as u32,
        millis,
    }
}

/// `2024-01-02T03:04:05.678Z`: for CSV files, sortable and machine-readable.
pub fn iso(ts: Timestamp) -> String {
    let c = civil(ts);
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", c.year, c.month, c.day, c.hour, c.minute, c.second, c.millis)
}

/// `2024-01-02 03:04:05`: for people.
pub(crate) fn human(ts: Timestamp) -> String {
    let c = civil(ts);
    format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", c.year, c.month, c.day, c.hour, c.minute, c.second)
}

/// A duration in nanoseconds as `2d 03h 04m`, `3h 04m 05s`, `4m 05s` or
/// `1.234s`: precise enough to read, short enough for a table.
pub(crate) fn duration(ns: i64) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let ns = ns.unsigned_abs();
    let secs = ns / NS_PER_SEC as u64;
    let (d, h, m, s) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60, secs % 60);
    if d > 0 {
        format!("{sign}{d}d {h:02}h {m:02}m")
    } else if h > 0 {
        format!("{sign}{h}h {m:02}m {s:02}s")
    } else if m > 0 {
        format!("{sign}{m}m {s:02}s")
    } else {
        format!("{sign}{:.3}s", ns as f64 / 1e9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(iso(Timestamp(0)), "1970-01-01T00:00:00.000Z");
        // 2024-02-29T12:34:56.789Z, a leap day.
        assert_eq!(iso(Timestamp::from_millis(1_709_210_096_789)), "2024-02-29T12:34:56.789Z");
        assert_eq!(human(Timestamp::from_millis(-1_000)), "1969-12-31 23:59:59");
        assert_eq!(duration(90 * NS_PER_SEC), "1m 30s");
        assert_eq!(duration(2 * 86_400 * NS_PER_SEC + 3_600 * NS_PER_SEC), "2d 01h 00m");
    }
}
