//! A document's outline.

use super::document::*;
use lsp_types::Range;
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
            Item::InitBlock(_) | Item::Stmt(_) => continue,
        };
        out.push(s);
    }
    out
}
