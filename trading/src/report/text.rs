//! The terminal report: the summary as aligned sections, then the notes.

use super::figures::sections;
use super::run_report::Report;
use super::utc;
use std::fmt::Write;

/// Notes shown in the terminal; the rest are in `report.html`.
const NOTES_SHOWN: usize = 20;

/// Render `report` for a terminal: plain text, one figure per line, labels
/// padded to one column so the values line up.
pub(crate) fn render(report: &Report) -> String {
    let s = report.summary();
    let sections = sections(s);
    let width = sections.iter().flat_map(|sec| sec.rows.iter()).map(|(l, _)| l.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    let title = format!("Run report {}  (started {})", s.run_id, s.started_at);
    let _ = writeln!(out, "{title}\n{}", "=".repeat(title.chars().count()));
    if !s.instruments.is_empty() {
        let _ = writeln!(out, "Instruments: {}", s.instruments.join(", "));
    }
    for sec in &sections {
        let _ = writeln!(out, "\n{}\n{}", sec.title, "-".repeat(sec.title.chars().count()));
        for (label, value) in &sec.rows {
            let pad = width - label.chars().count();
            let _ = writeln!(out, "  {label}{}  {value}", " ".repeat(pad));
        }
    }
    let notes = report.notes();
    if !notes.is_empty() {
        let _ = writeln!(out, "\nNotes\n-----");
        for note in notes.iter().take(NOTES_SHOWN) {
            let _ = writeln!(out, "  {}  {}", utc::human(note.ts), note.text);
        }
        let hidden = s.notes.saturating_sub(NOTES_SHOWN as u64);
        if hidden > 0 {
            let _ = writeln!(out, "  … {hidden} more (see report.html)");
        }
    }
    out
}
