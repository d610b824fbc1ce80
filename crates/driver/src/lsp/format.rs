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
