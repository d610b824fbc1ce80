//! Code actions: the fixes the compiler's diagnostics name — `self.` before
//! a field used bare, `override` before a method that overrides, `!` after
//! an optional used as its value, `import` of a module used unimported.

use super::document::*;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, Position, Range, TextEdit, Uri, WorkspaceEdit,
};
use std::collections::HashMap;
use tess_sema::ty::Ty;
use tess_syntax::{FileId, SourceFile};

/// The fixes for `diagnostics` (those the client sent for the range).
pub(super) fn code_actions(
    uri: &Uri,
    text: &str,
    diagnostics: &[Diagnostic],
    ws: &Workspace,
) -> Vec<CodeActionOrCommand> {
    let doc = SourceFile::new("", text);
    let mut out = Vec::new();
    for d in diagnostics {
        let fix = if d.message.contains("members are reached through `self.`") {
            Some(("Add `self.`", insert(d.range.start, "self.")))
        } else if d.message.contains("without `override`") {
            override_keyword(text, &doc, d.range).map(|edit| ("Add `override`", edit))
        } else if d.message.contains("unwrap the optional first") {
            unwrap(uri, text, &doc, d.range, ws).map(|edit| ("Unwrap with `!`", edit))
        } else if let Some(name) = unknown_module(uri, &d.message, ws) {
            Some(("Import the module", import(text, &name)))
        } else {
            None
        };
        if let Some((title, edit)) = fix {
            let title = match title {
                "Import the module" => format!("Import `{}`", edit.new_text.trim().trim_start_matches("import ")),
                t => t.to_string(),
            };
            #[allow(clippy::mutable_key_type)] // `Uri` is keyed as lsp-types does.
            let changes = HashMap::from([(uri.clone(), vec![edit])]);
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(WorkspaceEdit { changes: Some(changes), ..Default::default() }),
                is_preferred: Some(true),
                ..Default::default()
            }));
        }
    }
    out
}

fn insert(at: Position, text: &str) -> TextEdit {
    TextEdit { range: Range { start: at, end: at }, new_text: text.to_string() }
}

/// `override ` before the `fn` of the method named at `range`.
fn override_keyword(text: &str, doc: &SourceFile, range: Range) -> Option<TextEdit> {
    let name_at = offset_of(doc, range.start)? as usize;
    let line_start = text[..name_at].rfind('\n').map_or(0, |n| n + 1);
    let fn_at = line_start + text[line_start..name_at].rfind("fn ")?;
    Some(insert(position(doc, fn_at as u32), "override "))
}

/// `!` after the optional operand within `range`: the widest expression
/// of an optional type that ends before the range does.
fn unwrap(uri: &Uri, text: &str, doc: &SourceFile, range: Range, ws: &Workspace) -> Option<TextEdit> {
    let (lo, hi) = (offset_of(doc, range.start)?, offset_of(doc, range.end)?);
    let checked = check_document(uri, text, ws, true).ok()?;
    let (span, _) = checked
        .module
        .expr_types
        .iter()
        .filter(|(s, _)| s.file == FileId(0) && s.lo >= lo && s.hi <= hi && (s.lo, s.hi) != (lo, hi))
        .filter(|(_, ty)| matches!(ty, Ty::Optional(_)))
        .min_by_key(|(s, _)| (s.lo, u32::MAX - s.hi))?;
    Some(insert(position(doc, span.hi), "!"))
}

/// The module a "cannot find `NAME`" names, when a module of that name
/// can be imported.
fn unknown_module(uri: &Uri, message: &str, ws: &Workspace) -> Option<String> {
    let name = message.strip_prefix("cannot find `")?.split('`').next()?;
    let path = uri_path(uri).unwrap_or_default();
    let (_, _, dirs) = module_of(&path, &ws.search);
    super::complete::module_names(&path, &dirs).into_iter().find(|m| m == name)
}

/// `import NAME` after the document's imports (or at its top).
fn import(text: &str, name: &str) -> TextEdit {
    let last_import =
        text.lines().enumerate().filter(|(_, l)| l.trim_start().starts_with("import ")).map(|(i, _)| i + 1).last();
    let line = last_import.unwrap_or(0) as u32;
    insert(Position::new(line, 0), &format!("import {name}\n"))
}
