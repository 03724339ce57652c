//! Escaping text for HTML and SVG.

/// `s` safe as HTML/SVG text or a quoted attribute value: notes, reasons
/// and config values come from data files and users, and must never become
/// markup.
pub(crate) fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
