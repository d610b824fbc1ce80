//! Completion: module names after `import`, members after `value.`.

use super::document::*;
use lsp_types::{Position, Uri};
use std::path::{Path, PathBuf};
use tess_sema::ty::Ty;
use tess_syntax::{FileId, SourceFile};

/// Completions at `at`: module names after `import`, a value's fields
/// and methods after `value.` (the document is checked without the
/// half-typed member, to learn the value's type).
pub(super) fn complete(uri: &Uri, text: &str, at: Position, ws: &Workspace) -> Vec<lsp_types::CompletionItem> {
    let doc = SourceFile::new("", text);
    let Some(offset) = offset_of(&doc, at) else { return Vec::new() };
    let before = &text[..offset as usize];
    let line = before.rsplit('\n').next().unwrap_or("");
    let item = |label: String, kind| lsp_types::CompletionItem { label, kind: Some(kind), ..Default::default() };
    if let Some(partial) = line.trim_start().strip_prefix("import ") {
        let path = uri_path(uri).unwrap_or_default();
        let (_, _, dirs) = module_of(&path, &ws.search);
        return module_names(&path, &dirs)
            .into_iter()
            .filter(|m| m.starts_with(partial.trim()))
            .map(|m| item(m, lsp_types::CompletionItemKind::MODULE))
            .collect();
    }
    // `receiver.partial`: check the text without `.partial`.
    let partial_len = line.len() - line.trim_end_matches(|c: char| c.is_alphanumeric() || c == '_').len();
    let dot = before.len() - partial_len;
    if !before[..dot].ends_with('.') {
        return names_and_keywords(uri, text, offset, &before[dot..], ws);
    }
    let receiver_end = (dot - 1) as u32;
    let receiver_word = {
        let head = &before[..dot - 1];
        &head[head.trim_end_matches(|c: char| c.is_alphanumeric() || c == '_').len()..]
    };
    let imported = text.lines().any(|l| {
        l.trim_start().strip_prefix("import ").is_some_and(|r| r.trim().split('.').next() == Some(receiver_word))
    });
    if let Some(names) = module_members(uri, receiver_word, ws).filter(|_| imported) {
        let mut items: Vec<_> =
            names.into_iter().filter(|(n, _)| n.starts_with(&before[dot..])).map(|(n, kind)| item(n, kind)).collect();
        items.sort_by(|a, b| a.label.cmp(&b.label));
        return items;
    }
    let rest = &text[offset as usize..];
    let word_rest = rest.len() - rest.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_').len();
    let patched = format!("{}{}{}", &text[..dot - 1], closing(line, &rest[word_rest..]), &rest[word_rest..]);
    let Ok(checked) = check_document(uri, &patched, ws, true) else { return Vec::new() };
    // The receiver: the widest expression ending at the `.` that starts
    // within its postfix chain (`a + r.label.` completes `r.label`).
    let chain_start = postfix_start(&text[..dot - 1]) as u32;
    let Some(receiver) = checked
        .module
        .expr_types
        .iter()
        .filter(|(span, _)| span.file == FileId(0) && span.hi == receiver_end && span.lo >= chain_start)
        .min_by_key(|(span, _)| span.lo)
        .map(|(_, ty)| ty.clone())
        .or_else(|| {
            checked
                .module
                .refs
                .iter()
                .filter(|r| r.at.file == FileId(0) && r.at.hi == receiver_end)
                .find_map(|r| r.ty.clone())
        })
        .map(|t| match t {
            Ty::Optional(inner) => *inner,
            t => t,
        })
    else {
        return Vec::new();
    };
    let Ty::Class(class, _) = receiver else {
        // A string, array, map: the built-in members.
        let mut items: Vec<_> = tess_sema::builtins::members_of(&receiver)
            .into_iter()
            .filter(|n| n.starts_with(&before[dot..]))
            .map(|n| item(n.to_string(), lsp_types::CompletionItemKind::METHOD))
            .collect();
        items.sort_by(|a, b| a.label.cmp(&b.label));
        return items;
    };
    let m = &checked.module;
    let mut items = Vec::new();
    for &c in m.classes[class].display.iter().rev() {
        let prefix = format!("{}.", m.classes[c].name);
        for f in m.funcs.iter().filter(|f| f.name.starts_with(&prefix) && !f.name.ends_with(".init")) {
            let name = f.name[prefix.len()..].to_string();
            if !items.iter().any(|i: &lsp_types::CompletionItem| i.label == name) {
                let mut method = item(name, lsp_types::CompletionItemKind::METHOD);
                method.detail = Some(signature(f));
                method.documentation = doc_comment(&checked, f.span);
                items.push(method);
            }
        }
    }
    for f in m.classes[class].fields.iter().filter(|f| !f.name.starts_with('$')) {
        let mut field = item(f.name.clone(), lsp_types::CompletionItemKind::FIELD);
        field.detail = Some(f.ty.to_string());
        items.push(field);
    }
    items.retain(|i| i.label.starts_with(&before[dot..]));
    items.sort_by(|a, b| a.label.cmp(&b.label));
    items
}

/// What makes the half-typed line `line` (up to the cursor) parse once its
/// `.member` is gone, when the rest of its line does not: the parentheses
/// it opened (`print(r.`), and a block after `if`/`while` (`if r.`).
pub(super) fn closing(line: &str, rest: &str) -> String {
    let rest_of_line = rest.split('\n').next().unwrap_or("");
    if !rest_of_line.trim().is_empty() {
        return String::new();
    }
    let open = line.matches('(').count().saturating_sub(line.matches(')').count());
    let mut out = ")".repeat(open);
    let head = line.trim_start();
    if (head.starts_with("if ") || head.starts_with("while ")) && !line.contains('{') {
        out.push_str(" {}");
    }
    out
}

/// The declarations of module `name` (from its compiled interface on the
/// search path) when `name` is a module the document imports: functions,
/// classes, enums, interfaces and variables, with their kinds.
pub(super) fn module_members(
    uri: &Uri,
    name: &str,
    ws: &Workspace,
) -> Option<Vec<(String, lsp_types::CompletionItemKind)>> {
    use lsp_types::CompletionItemKind as K;
    let path = uri_path(uri).unwrap_or_default();
    let (_, _, dirs) = module_of(&path, &ws.search);
    let found = crate::artifacts::ImportedModule::find(name, &dirs)?;
    let i = crate::frontend::read_usable_interface(&found.interface_path()).ok()?;
    let top = |n: &str| !n.contains('.') && !n.starts_with('$');
    let mut out: Vec<(String, K)> = Vec::new();
    out.extend(i.functions.iter().filter(|f| top(&f.name)).map(|f| (f.name.clone(), K::FUNCTION)));
    out.extend(i.classes.iter().filter(|c| top(&c.name)).map(|c| (c.name.clone(), K::CLASS)));
    out.extend(i.interfaces.iter().filter(|x| top(&x.name)).map(|x| (x.name.clone(), K::INTERFACE)));
    out.extend(i.globals.iter().filter(|g| top(&g.name)).map(|g| (g.name.clone(), K::VARIABLE)));
    out.dedup();
    Some(out)
}

/// The modules a file may import: compiled ones on `dirs` (their
/// `.tesi`), and in a package the modules of `src/`.
pub(super) fn module_names(path: &Path, dirs: &[PathBuf]) -> Vec<String> {
    let mut names = Vec::new();
    for d in dirs {
        for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "tesi") {
                names.extend(p.file_stem().map(|s| s.to_string_lossy().into_owned()));
            }
        }
    }
    if let Some(root) = path.parent().and_then(crate::manifest::find_root) {
        for e in std::fs::read_dir(root.join("src")).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                names.push(e.file_name().to_string_lossy().into_owned());
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Where the postfix chain ending `text` starts: back over names, `.`,
/// `?.`, `!` and balanced `(...)` and `[...]` (`geo.Rect(1, 2)`).
fn postfix_start(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut i = bytes.len();
    while i > 0 {
        let c = bytes[i - 1];
        if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'?' || c == b'!' {
            i -= 1;
        } else if c == b')' || c == b']' {
            let mut depth = 0;
            while i > 0 {
                match bytes[i - 1] {
                    b')' | b']' => depth += 1,
                    b'(' | b'[' => depth -= 1,
                    _ => {}
                }
                i -= 1;
                if depth == 0 {
                    break;
                }
            }
        } else {
            break;
        }
    }
    i
}

/// A function's signature as completion details show it: `fn twice() -> Int`
/// (a method's receiver left out).
fn signature(f: &tess_sema::hir::Func) -> String {
    let params: Vec<String> = f
        .params
        .iter()
        .filter_map(|&l| f.locals.get(l))
        .filter(|l| l.name != "self" && !l.name.starts_with('<'))
        .map(|l| format!("{}: {}", l.name, l.ty))
        .collect();
    let name = f.name.rsplit('.').next().unwrap_or(&f.name);
    format!("fn {name}({}) -> {}", params.join(", "), f.ret)
}

/// The keywords that start a statement or declaration.
const KEYWORDS: [&str; 22] = [
    "let",
    "var",
    "fn",
    "class",
    "interface",
    "enum",
    "if",
    "else",
    "for",
    "while",
    "return",
    "break",
    "continue",
    "match",
    "try",
    "catch",
    "finally",
    "throw",
    "import",
    "export",
    "public",
    "init",
];

/// Where a name can go: the names in scope (the enclosing function's
/// parameters and the locals declared before the cursor, the module's
/// functions, classes and variables), keywords, and snippets for `init`
/// and `override fn` in a class.
fn names_and_keywords(
    uri: &Uri,
    text: &str,
    offset: u32,
    partial: &str,
    ws: &Workspace,
) -> Vec<lsp_types::CompletionItem> {
    use lsp_types::{CompletionItem, CompletionItemKind as K, InsertTextFormat};
    let mut items: Vec<CompletionItem> = Vec::new();
    let mut add = |label: &str, kind: K, detail: Option<String>, documentation| {
        if label.starts_with(partial) && !items.iter().any(|i| i.label == label) {
            let item = CompletionItem {
                label: label.to_string(),
                kind: Some(kind),
                detail,
                documentation,
                ..Default::default()
            };
            items.push(item);
        }
    };
    let tree = parse(text);
    let locals = scope_at(&tree, offset);
    let in_class = directly_in_class(&text[..offset as usize]);
    for (name, ty) in locals {
        add(&name, K::VARIABLE, ty, None);
    }
    // The module's declarations, from the document checked without the
    // half-typed name.
    let patched = format!("{}{}", &text[..offset as usize - partial.len()], &text[offset as usize..]);
    if let Ok(checked) = check_document(uri, &patched, ws, true) {
        let m = &checked.module;
        let shown = |n: &str| !n.contains('.') && !n.starts_with(['<', '$']);
        for f in m.funcs.iter().filter(|f| shown(&f.name) && !f.external && f.name != m.name) {
            add(&f.name, K::FUNCTION, Some(signature(f)), doc_comment(&checked, f.span));
        }
        for c in m.classes.iter().filter(|c| !c.builtin && !c.name.contains('.')) {
            add(&c.name, K::CLASS, None, None);
        }
        for g in &m.globals {
            add(&g.name, K::VARIABLE, Some(g.ty.to_string()), None);
        }
    }
    for k in KEYWORDS {
        add(k, K::KEYWORD, None, None);
    }
    if in_class {
        let snippets =
            [("init", "init(${1}) {\n\t${0}\n}"), ("override fn", "override fn ${1:name}(${2}) {\n\t${0}\n}")];
        for (label, body) in snippets.into_iter().filter(|(l, _)| l.starts_with(partial)) {
            items.retain(|i| i.label != label);
            items.push(CompletionItem {
                label: label.to_string(),
                kind: Some(K::SNIPPET),
                insert_text: Some(body.to_string()),
                insert_text_format: Some(InsertTextFormat::SNIPPET),
                ..Default::default()
            });
        }
    }
    items
}

/// The parameters and locals in scope at `offset`, with their written
/// types where written.
fn scope_at(tree: &tess_syntax::ast::File, offset: u32) -> Vec<(String, Option<String>)> {
    use tess_syntax::ast::{FnDecl, Item};
    fn function(f: &FnDecl, offset: u32) -> Option<(&FnDecl, &tess_syntax::ast::Block)> {
        let body = f.body.as_ref().and_then(tess_syntax::ast::Body::block)?;
        (body.span.lo <= offset && offset <= body.span.hi).then_some((f, body))
    }
    let found = tree.items.iter().find_map(|item| match item {
        Item::Fn(f) => function(f, offset),
        Item::Class(c) => c.methods.iter().chain(&c.inits).find_map(|f| function(f, offset)),
        _ => None,
    });
    let Some((f, body)) = found else { return Vec::new() };
    let mut names: Vec<(String, Option<String>)> = f.params.iter().map(|p| (p.name.name.clone(), None)).collect();
    collect_lets(&body.stmts, offset, &mut names);
    names
}

/// Whether the text before the cursor ends inside a class's braces and
/// outside its methods' (where members are declared).
fn directly_in_class(before: &str) -> bool {
    let mut depth = 0;
    for (i, c) in before.char_indices().rev() {
        match c {
            '}' => depth += 1,
            '{' if depth > 0 => depth -= 1,
            '{' => {
                let line_start = before[..i].rfind('\n').map_or(0, |n| n + 1);
                let head = before[line_start..i].trim_start();
                return ["class ", "open class ", "public class ", "export class "]
                    .iter()
                    .any(|k| head.starts_with(k) || head.contains(&format!(" {k}")));
            }
            _ => {}
        }
    }
    false
}

/// The names `let`, `var` and `for` bind in `stmts` before `offset`, in
/// the blocks that enclose it.
fn collect_lets(stmts: &[tess_syntax::ast::Stmt], offset: u32, out: &mut Vec<(String, Option<String>)>) {
    use tess_syntax::ast::{ForPattern, Stmt};
    for s in stmts {
        match s {
            Stmt::Let(v) if v.span.hi <= offset => out.push((v.name.name.clone(), None)),
            Stmt::For { pattern, body, .. } if body.span.lo <= offset && offset <= body.span.hi => {
                match pattern {
                    ForPattern::One(i) => out.push((i.name.clone(), None)),
                    ForPattern::Pair(a, b) => out.extend([(a.name.clone(), None), (b.name.clone(), None)]),
                }
                collect_lets(&body.stmts, offset, out);
            }
            Stmt::While { body, .. } | Stmt::Block(body) if body.span.lo <= offset && offset <= body.span.hi => {
                collect_lets(&body.stmts, offset, out)
            }
            Stmt::If { then, els, .. } => {
                if then.span.lo <= offset && offset <= then.span.hi {
                    collect_lets(&then.stmts, offset, out);
                } else if let Some(e) = els {
                    collect_lets(std::slice::from_ref(e), offset, out);
                }
            }
            _ => {}
        }
    }
}

/// The doc comment of the declaration whose name is at `name` in the
/// checked module's sources, for a completion item.
fn doc_comment(
    checked: &crate::frontend::Checked,
    name: Option<tess_syntax::Span>,
) -> Option<lsp_types::Documentation> {
    let name = name?;
    let source = checked.sources.get(name.file.0 as usize)?;
    let (_, doc) = super::navigate::described(&source.text, name.lo, name.hi)?;
    (!doc.is_empty()).then(|| {
        lsp_types::Documentation::MarkupContent(lsp_types::MarkupContent {
            kind: lsp_types::MarkupKind::Markdown,
            value: doc.join("\n"),
        })
    })
}
