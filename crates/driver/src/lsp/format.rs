//! Formatting with `tess fmt`'s layout.

use super::document::*;
use lsp_types::{Position, Range, TextEdit};
use tess_syntax::{FileId, SourceFile};

/// The whole document replaced by its formatted text, if it parses and
/// the layout changes.
pub(super) fn format_edits(text: &str) -> Option<Vec<TextEdit>> {
    let formatted = crate::fmt::format(FileId(0), text).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    let source = SourceFile::new("", text);
    let end = position(&source, text.len() as u32);
    Some(vec![TextEdit { range: Range { start: Position::new(0, 0), end }, new_text: formatted }])
}

/// The edits that put the lines of `range` in the formatter's layout:
/// the whole document is formatted and only the changed runs of lines
/// that touch the range are replaced.
pub(super) fn range_format_edits(text: &str, range: Range) -> Option<Vec<TextEdit>> {
    let formatted = crate::fmt::format(FileId(0), text).ok()?;
    let diff = similar::TextDiff::from_lines(text, formatted.as_str());
    let new_lines: Vec<&str> = formatted.split_inclusive('\n').collect();
    // Runs of lines: (first old line, old line count, the new lines).
    let mut runs: Vec<(usize, usize, String)> = Vec::new();
    for op in diff.ops() {
        let (old, new) = (op.old_range(), op.new_range());
        match op {
            similar::DiffOp::Equal { .. } => {}
            // Lines reformatted one for one: each is a run of its own, so
            // a range takes only its lines.
            similar::DiffOp::Replace { .. } if old.len() == new.len() => {
                runs.extend(old.clone().zip(new).map(|(o, n)| (o, 1, new_lines[n].to_string())));
            }
            _ => runs.push((old.start, old.len(), new_lines[new].concat())),
        }
    }
    let mut edits = Vec::new();
    for (first, count, new_text) in runs {
        let last = (first + count.max(1) - 1) as u32;
        if last < range.start.line || first as u32 > range.end.line {
            continue;
        }
        edits.push(TextEdit {
            range: Range { start: Position::new(first as u32, 0), end: Position::new((first + count) as u32, 0) },
            new_text,
        });
    }
    Some(edits)
}
