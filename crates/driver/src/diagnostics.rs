//! Rendering diagnostics: for people, `file:line:col`, the source line
//! (around the marker only, when the line is long), a marker and the hint;
//! for tools and tests, one line per error (`--error-format=short`). For
//! people at most [`MAX_SHOWN`] errors are shown, then how many more there
//! were; tools get every error. Both end with the count.

use std::io::{IsTerminal, Write};
use tess_syntax::{Diagnostic, Diagnostics, SourceFile, Span};

/// How errors are written to standard error.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, clap::ValueEnum)]
pub enum ErrorFormat {
    /// The source line, a marker and the hint.
    #[default]
    Human,
    /// `file:line:col: error: message`, one line each.
    Short,
}

/// Errors shown to people per run; the rest are counted (clang stops at
/// 20, rustc's output of a hostile file is bounded by its own recovery).
pub const MAX_SHOWN: usize = 50;

/// Characters of a long source line shown on each side of the marker.
const CONTEXT: usize = 60;

/// Where a span starts, as `file:line:col`, with its file and line.
struct Location<'a> {
    file: &'a SourceFile,
    line: usize,
    col: usize,
}

fn locate(sources: &[SourceFile], span: Span) -> Option<Location<'_>> {
    let file = sources.get(span.file.0 as usize)?;
    let (line, col) = file.line_col(span.lo);
    Some(Location { file, line, col })
}

impl std::fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file.name, self.line, self.col)
    }
}

/// The `--error-format=short` line of one diagnostic.
fn short_line(sources: &[SourceFile], d: &Diagnostic) -> String {
    match locate(sources, d.span) {
        Some(at) => format!("{at}: error: {}\n", d.message),
        None => format!("error: {}\n", d.message),
    }
}

/// The source line of `at`, cut to [`CONTEXT`] characters around the
/// marker when long, and the marker line under it.
fn snippet(at: &Location, span: Span, marker: char) -> (String, String) {
    let text = at.file.text.lines().nth(at.line - 1).unwrap_or("");
    let chars: Vec<char> = text.chars().collect();
    let start = at.col - 1;
    let width = (span.hi.saturating_sub(span.lo) as usize).max(1);
    let (from, to) = (start.saturating_sub(CONTEXT), (start + width + CONTEXT).min(chars.len()));
    let mut shown: String = chars[from.min(chars.len())..to].iter().collect();
    let mut pad = start - from;
    if from > 0 {
        shown.insert(0, '…');
        pad += 1;
    }
    if to < chars.len() {
        shown.push('…');
    }
    let width = width.min(chars.len().saturating_sub(start)).clamp(1, CONTEXT);
    (shown, format!("{}{}", " ".repeat(pad), marker.to_string().repeat(width)))
}

/// One diagnostic for people.
fn human(sources: &[SourceFile], d: &Diagnostic, color: bool) -> String {
    let (red, blue, bold, reset) =
        if color { ("\x1b[1;31m", "\x1b[1;34m", "\x1b[1m", "\x1b[0m") } else { ("", "", "", "") };
    let mut out = format!("{red}error{reset}{bold}: {}{reset}\n", d.message);
    let mut block = |span: Span, marker: char, label: Option<&str>| {
        if let Some(at) = locate(sources, span) {
            let gutter = at.line.to_string().len();
            let (line, marks) = snippet(&at, span, marker);
            let pad = " ".repeat(gutter);
            out += &format!("{pad}{blue}-->{reset} {at}\n{pad} {blue}|{reset}\n");
            out += &format!("{blue}{}{reset} {blue}|{reset} {line}\n", at.line);
            let label = label.map(|l| format!(" {l}")).unwrap_or_default();
            out += &format!("{pad} {blue}|{reset} {red}{marks}{label}{reset}\n");
        }
    };
    block(d.span, '^', None);
    for (span, note) in &d.notes {
        block(*span, '-', Some(note));
    }
    if let Some(h) = &d.hint {
        out += &format!("  = hint: {h}\n");
    }
    out + "\n"
}

/// Writes the diagnostics of a failed run to standard error.
pub fn emit(sources: &[SourceFile], diags: &Diagnostics, format: ErrorFormat) {
    let color = format == ErrorFormat::Human && std::io::stderr().is_terminal();
    let mut text = String::new();
    let shown = if format == ErrorFormat::Human { MAX_SHOWN } else { usize::MAX };
    for d in diags.items.iter().take(shown) {
        text += &match format {
            ErrorFormat::Short => short_line(sources, d),
            ErrorFormat::Human => human(sources, d, color),
        };
    }
    let n = diags.items.len();
    if n > shown {
        text += &format!("error: {} more errors not shown\n", n - shown);
    }
    text += &format!("error: could not compile: {n} error{}\n", if n == 1 { "" } else { "s" });
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
