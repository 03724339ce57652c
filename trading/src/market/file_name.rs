use crate::domain::Symbol;
use std::path::Path;

/// The symbol in a Binance public-data file name, which is the only place a
/// Binance file states it: `BTCUSDT-1m-2024-01-01.csv` → `BTCUSDT`,
/// `ETHUSDT-aggTrades-2024-01-01.csv` → `ETHUSDT`.
///
/// The name must be `SYMBOL-KIND-...` where `SYMBOL` is upper-case letters
/// and digits and `KIND` is `aggTrades`, `trades` or a kline interval
/// (`1s`, `1m`, `15m`, `1h`, `1d`, `1w`, `1mo`, ...). `None` otherwise, so a
/// file named otherwise needs its symbol stated.
pub fn infer_binance_symbol(path: &Path) -> Option<Symbol> {
    let name = path.file_name()?.to_str()?;
    let mut parts = name.split('-');
    let symbol = parts.next()?;
    let kind = parts.next()?;
    let symbol_ok = !symbol.is_empty() && symbol.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    (symbol_ok && is_kind(kind)).then(|| Symbol::new(symbol))
}

/// Whether `kind` is a Binance data kind: trades or a kline interval.
fn is_kind(kind: &str) -> bool {
    if kind == "aggTrades" || kind == "trades" {
        return true;
    }
    let digits = kind.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && matches!(&kind[digits..], "s" | "m" | "h" | "d" | "w" | "mo")
}
