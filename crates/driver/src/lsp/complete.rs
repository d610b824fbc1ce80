//! Completion: module names after `import`, members after `value.`.

use super::document::*;
use lsp_types::{Position, Uri};
use std::path::{Path, PathBuf};
use tess_sema::ty::Ty;
use tess_syntax::{FileId, SourceFile};

/// Completions at `at`: module names after `import`, a value's fields
/// and methods after `value.` (the document is checked without the
/// half-typed member, to learn the value's type).
pub(super) fn complete(uri: &Uri, text: &str, at: Position, search: &[PathBuf]) -> Vec<lsp_types::CompletionItem> {
    let doc = SourceFile::new("", text);
    let Some(offset) = offset_of(&doc, at) else { return Vec::new() };
    let before = &text[..offset as usize];
    let line = before.rsplit('\n').next().unwrap_or("");
    let item = |label: String, kind| lsp_types::CompletionItem { label, kind: Some(kind), ..Default::default() };
    if let Some(partial) = line.trim_start().strip_prefix("import ") {
        let path = uri_path(uri).unwrap_or_default();
        let (_, _, dirs) = module_of(&path, search);
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
        return Vec::new();
    }
    let receiver_end = (dot - 1) as u32;
    let receiver_word = {
        let head = &before[..dot - 1];
        &head[head.trim_end_matches(|c: char| c.is_alphanumeric() || c == '_').len()..]
    };
    let imported = text.lines().any(|l| {
        l.trim_start().strip_prefix("import ").is_some_and(|r| r.trim().split('.').next() == Some(receiver_word))
    });
    if let Some(names) = module_members(uri, receiver_word, search).filter(|_| imported) {
        let mut items: Vec<_> =
            names.into_iter().filter(|(n, _)| n.starts_with(&before[dot..])).map(|(n, kind)| item(n, kind)).collect();
        items.sort_by(|a, b| a.label.cmp(&b.label));
        return items;
    }
    let rest = &text[offset as usize..];
    let word_rest = rest.len() - rest.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_').len();
    let patched = format!("{}{}{}", &text[..dot - 1], closing(line, &rest[word_rest..]), &rest[word_rest..]);
    let Ok(checked) = check_document(uri, &patched, search, true) else { return Vec::new() };
    let Some(receiver) = checked
        .module
        .refs
        .iter()
        .filter(|r| r.at.file == FileId(0) && r.at.hi == receiver_end)
        .find_map(|r| r.ty.clone())
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
                items.push(item(name, lsp_types::CompletionItemKind::METHOD));
            }
        }
    }
    for f in m.classes[class].fields.iter().filter(|f| !f.name.starts_with('$')) {
        items.push(item(f.name.clone(), lsp_types::CompletionItemKind::FIELD));
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
    search: &[PathBuf],
) -> Option<Vec<(String, lsp_types::CompletionItemKind)>> {
    use lsp_types::CompletionItemKind as K;
    let path = uri_path(uri).unwrap_or_default();
    let (_, _, dirs) = module_of(&path, search);
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
