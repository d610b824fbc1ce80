//! What an editor draws over the text: inlay hints (the inferred type of
//! each `let` and `var` written without one) and semantic tokens (each
//! name coloured by what it resolved to; keywords, literals, comments).

use super::document::*;
use lsp_types::{
    InlayHint, InlayHintKind, InlayHintLabel, Range, SemanticToken, SemanticTokenType, SemanticTokens, Uri,
};
use tess_syntax::ast::{Item, Stmt, VarDecl};
use tess_syntax::token::Tok;
use tess_syntax::{FileId, SourceFile};

/// `: Type` after the name of each `let`/`var` in `range` declared without
/// a type, as the checker inferred it.
pub(super) fn inlay_hints(uri: &Uri, text: &str, range: Range, ws: &Workspace) -> Vec<InlayHint> {
    let Ok(checked) = check_document(uri, text, ws, true) else { return Vec::new() };
    let doc = SourceFile::new("", text);
    let (lo, hi) = (offset_of(&doc, range.start).unwrap_or(0), offset_of(&doc, range.end).unwrap_or(u32::MAX));
    let tree = parse(text);
    let mut decls = Vec::new();
    for item in &tree.items {
        match item {
            Item::Global(v) => decls.push(v),
            Item::Stmt(s) => lets(std::slice::from_ref(s), &mut decls),
            Item::Fn(f) => {
                lets(f.body.as_ref().and_then(tess_syntax::ast::Body::block).map_or(&[], |b| &b.stmts), &mut decls)
            }
            Item::Class(c) => {
                for f in c.methods.iter().chain(&c.inits) {
                    lets(f.body.as_ref().and_then(tess_syntax::ast::Body::block).map_or(&[], |b| &b.stmts), &mut decls);
                }
            }
            Item::InitBlock(b) | Item::FiniBlock(b) => lets(&b.stmts, &mut decls),
            _ => {}
        }
    }
    decls
        .into_iter()
        .filter(|v| v.ty.is_none() && v.name.span.lo >= lo && v.name.span.hi <= hi)
        .filter_map(|v| {
            let init = v.init.as_ref()?;
            let (_, ty) = checked.module.expr_types.iter().find(|(s, _)| s.file == FileId(0) && *s == init.span)?;
            if matches!(ty, tess_sema::ty::Ty::Error | tess_sema::ty::Ty::Nil) {
                return None;
            }
            Some(InlayHint {
                position: position(&doc, v.name.span.hi),
                label: InlayHintLabel::String(format!(": {ty}")),
                kind: Some(InlayHintKind::TYPE),
                text_edits: None,
                tooltip: None,
                padding_left: None,
                padding_right: None,
                data: None,
            })
        })
        .collect()
}

/// The `let`/`var` declarations in `stmts`, nested blocks included.
fn lets<'t>(stmts: &'t [Stmt], out: &mut Vec<&'t VarDecl>) {
    for s in stmts {
        match s {
            Stmt::Let(v) => out.push(v),
            Stmt::If { then, els, .. } => {
                lets(&then.stmts, out);
                if let Some(e) = els {
                    lets(std::slice::from_ref(e), out);
                }
            }
            Stmt::While { body, .. } | Stmt::For { body, .. } | Stmt::Block(body) => lets(&body.stmts, out),
            Stmt::Try { body, catches, finally, .. } => {
                lets(&body.stmts, out);
                for c in catches {
                    lets(&c.body.stmts, out);
                }
                if let Some(f) = finally {
                    lets(&f.stmts, out);
                }
            }
            _ => {}
        }
    }
}

/// The token types of [`semantic_tokens`], by index (the legend the
/// server announces).
pub(super) const TOKEN_TYPES: [SemanticTokenType; 11] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::COMMENT,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::METHOD,
    SemanticTokenType::CLASS,
    SemanticTokenType::PROPERTY,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::NAMESPACE,
    SemanticTokenType::PARAMETER,
];

fn token_type(t: SemanticTokenType) -> u32 {
    TOKEN_TYPES.iter().position(|x| *x == t).unwrap_or(0) as u32
}

/// Every token of the document worth colouring, in order: keywords,
/// literals and comments from the lexer; names by what they resolved to.
pub(super) fn semantic_tokens(uri: &Uri, text: &str, ws: &Workspace) -> SemanticTokens {
    let doc = SourceFile::new("", text);
    let mut diags = tess_syntax::Diagnostics::default();
    let (tokens, comments) = tess_syntax::lexer::lex_with_comments(FileId(0), text, &mut diags);
    let mut marks: Vec<(u32, u32, u32)> = Vec::new();
    for t in &tokens {
        let kind = match &t.tok {
            Tok::Keyword(_) => SemanticTokenType::KEYWORD,
            Tok::Str(_) => SemanticTokenType::STRING,
            Tok::Int(_) | Tok::Float(_) => SemanticTokenType::NUMBER,
            _ => continue,
        };
        marks.push((t.span.lo, t.span.hi, token_type(kind)));
    }
    marks.extend(comments.iter().map(|c| (c.lo, c.hi, token_type(SemanticTokenType::COMMENT))));
    if let Ok(checked) = check_document(uri, text, ws, true) {
        for r in checked.module.refs.iter().filter(|r| r.at.file == FileId(0)) {
            let h = r.hover.as_str();
            let words: Vec<&str> = h.split_whitespace().collect();
            let kind = if words.contains(&"fn") {
                if h.contains('.') {
                    SemanticTokenType::METHOD
                } else {
                    SemanticTokenType::FUNCTION
                }
            } else if words.contains(&"class") || words.contains(&"enum") || words.contains(&"interface") {
                SemanticTokenType::CLASS
            } else if h.starts_with("module") || h.starts_with("import") {
                SemanticTokenType::NAMESPACE
            } else if words.iter().any(|w| w.contains('.')) {
                SemanticTokenType::PROPERTY
            } else {
                SemanticTokenType::VARIABLE
            };
            // A name within a member access or a call: the name itself.
            let name = &text[r.at.lo as usize..r.at.hi as usize];
            let lo = r.at.lo + name.rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i as u32 + 1);
            marks.push((lo, r.at.hi, token_type(kind)));
        }
    }
    marks.sort_unstable();
    marks.dedup_by(|b, a| b.0 < a.1);
    let mut data = Vec::with_capacity(marks.len());
    let (mut line, mut col) = (0, 0);
    for (lo, hi, ty) in marks {
        // One token a line: a block comment over several lines is its first.
        let start = position(&doc, lo);
        let end = position(&doc, hi);
        let length = if end.line == start.line { end.character - start.character } else { 1 };
        let delta_line = start.line - line;
        let delta_start = if delta_line == 0 { start.character - col } else { start.character };
        data.push(SemanticToken { delta_line, delta_start, length, token_type: ty, token_modifiers_bitset: 0 });
        (line, col) = (start.line, start.character);
    }
    SemanticTokens { result_id: None, data }
}
