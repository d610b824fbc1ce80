//! A document's outline.

use super::document::*;
use lsp_types::Range;
use std::path::PathBuf;
use tess_syntax::{FileId, SourceFile};

/// The document's declarations, as an outline: functions, classes (with
/// their fields and methods), enums, interfaces and variables.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must be given.
pub(super) fn document_symbols(text: &str) -> Vec<lsp_types::DocumentSymbol> {
    use lsp_types::SymbolKind as K;
    use tess_syntax::ast::Item;
    let mut diags = tess_syntax::Diagnostics::default();
    let file = tess_syntax::parser::parse_file(FileId(0), text, &mut diags);
    let source = SourceFile::new("", text);
    let symbol = |name: &str, kind: K, span: tess_syntax::Span, name_span: tess_syntax::Span, children| {
        lsp_types::DocumentSymbol {
            name: name.to_string(),
            detail: None,
            kind,
            tags: None,
            deprecated: None,
            range: Range { start: position(&source, span.lo), end: position(&source, span.hi.max(name_span.hi)) },
            selection_range: Range { start: position(&source, name_span.lo), end: position(&source, name_span.hi) },
            children,
        }
    };
    let mut out = Vec::new();
    for item in &file.items {
        let s = match item {
            Item::Fn(f) => symbol(&f.name.name, K::FUNCTION, f.span, f.name.span, None),
            Item::Class(c) => {
                let fields = c.fields.iter().map(|v| symbol(&v.name.name, K::FIELD, v.span, v.name.span, None));
                let methods = c.methods.iter().map(|m| symbol(&m.name.name, K::METHOD, m.span, m.name.span, None));
                symbol(&c.name.name, K::CLASS, c.span, c.name.span, Some(fields.chain(methods).collect()))
            }
            Item::Enum(e) => symbol(&e.name.name, K::ENUM, e.span, e.name.span, None),
            Item::Interface(i) => symbol(&i.name.name, K::INTERFACE, i.span, i.name.span, None),
            Item::Global(v) => symbol(&v.name.name, K::VARIABLE, v.span, v.name.span, None),
            Item::InitBlock(_) | Item::FiniBlock(_) | Item::Stmt(_) => continue,
        };
        out.push(s);
    }
    out
}

/// The declarations whose names contain `query` (ignoring case) in every
/// Tessera file of the packages (or directories) of `documents`, and of
/// the directory the server runs in: functions, classes, their members,
/// enums, interfaces and variables, as rust-analyzer's workspace symbols.
#[allow(deprecated)] // `SymbolInformation::deprecated` must be given.
pub(super) fn workspace_symbols(query: &str, documents: &[PathBuf]) -> Vec<lsp_types::SymbolInformation> {
    use lsp_types::SymbolKind as K;
    use tess_syntax::ast::Item;
    let query = query.to_lowercase();
    let mut roots: Vec<PathBuf> = documents
        .iter()
        .filter_map(|d| {
            let dir = d.parent()?;
            Some(crate::manifest::find_root(dir).map_or_else(|| dir.to_path_buf(), |r| r.join("src")))
        })
        .collect();
    if let Ok(cwd) = std::env::current_dir() {
        roots.push(crate::manifest::find_root(&cwd).map_or(cwd.clone(), |r| r.join("src")));
    }
    roots.sort();
    roots.dedup();
    let mut files = Vec::new();
    for r in &roots {
        tes_files(r, &mut files, 0);
    }
    files.sort();
    files.dedup();
    let mut out = Vec::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else { continue };
        let tree = parse(&text);
        let source = SourceFile::new(f.display().to_string(), text.as_str());
        let mut add = |name: &str, kind: K, span: tess_syntax::Span, owner: Option<&str>| {
            if !name.to_lowercase().contains(&query) {
                return;
            }
            if let Some(location) = location(&source.name, &source, span.lo, span.hi) {
                out.push(lsp_types::SymbolInformation {
                    name: name.to_string(),
                    kind,
                    tags: None,
                    deprecated: None,
                    location,
                    container_name: owner.map(str::to_string),
                });
            }
        };
        for item in &tree.items {
            match item {
                Item::Fn(f) => add(&f.name.name, K::FUNCTION, f.name.span, None),
                Item::Class(c) => {
                    add(&c.name.name, K::CLASS, c.name.span, None);
                    for v in &c.fields {
                        add(&v.name.name, K::FIELD, v.name.span, Some(&c.name.name));
                    }
                    for m in &c.methods {
                        add(&m.name.name, K::METHOD, m.name.span, Some(&c.name.name));
                    }
                }
                Item::Enum(e) => add(&e.name.name, K::ENUM, e.name.span, None),
                Item::Interface(i) => add(&i.name.name, K::INTERFACE, i.name.span, None),
                Item::Global(v) => add(&v.name.name, K::VARIABLE, v.name.span, None),
                Item::InitBlock(_) | Item::FiniBlock(_) | Item::Stmt(_) => {}
            }
        }
    }
    out
}

/// The `.tes` files below `dir` (not into `build/` or hidden directories).
fn tes_files(dir: &std::path::Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 8 {
        return;
    }
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() && !name.starts_with('.') && name != crate::package::BUILD_DIR && name != "target" {
            tes_files(&p, out, depth + 1);
        } else if p.extension().is_some_and(|x| x == "tes") {
            out.push(p);
        }
    }
}
