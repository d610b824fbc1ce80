//! Going from a name to its declaration and back: definition and hover,
//! references and highlights, rename, signature help.

use super::document::*;
use lsp_types::{Position, TextEdit, Uri};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tess_syntax::{FileId, SourceFile};

/// What a name in a document resolves to.
pub(super) struct Found {
    pub(super) location: lsp_types::Location,
    /// The declaration's signature.
    pub(super) hover: String,
    /// Its doc comment's lines.
    pub(super) doc: Vec<String>,
}

/// The declaration the name at `position` of the document resolves to.
pub(super) fn lookup(uri: &Uri, text: &str, at: Position, ws: &Workspace) -> Option<Found> {
    let checked = check_document(uri, text, ws, true).ok()?;
    let doc = SourceFile::new("", text);
    let offset = offset_of(&doc, at)?;
    let refs = &checked.module.refs;
    // A use of a name, or the name where it is declared.
    let r = refs
        .iter()
        .filter(|r| r.at.file == FileId(0) && r.at.lo <= offset && offset <= r.at.hi)
        .min_by_key(|r| r.at.hi - r.at.lo)
        .or_else(|| refs.iter().find(|r| r.target.file == FileId(0) && r.target.lo <= offset && offset <= r.target.hi));
    let Some(r) = r else { return declared_here(uri, text, &doc, offset) };
    let found = |location: lsp_types::Location, declared: Option<(String, Vec<String>)>| {
        let (hover, doc) = declared.unwrap_or_else(|| (r.hover.clone(), Vec::new()));
        Some(Found { location, hover, doc })
    };
    if let Some((module, decl)) = &r.imported {
        let path = uri_path(uri).unwrap_or_default();
        let (_, _, dirs) = module_of(&path, &ws.search);
        if let Some(location) = declaration_in_module(&path, &dirs, module, decl) {
            let declared = uri_path(&location.uri).and_then(|p| std::fs::read_to_string(p).ok()).and_then(|t| {
                let source = SourceFile::new("", t.as_str());
                let lo = offset_of(&source, location.range.start)?;
                let hi = offset_of(&source, location.range.end)?;
                described(&t, lo, hi)
            });
            return found(location, declared);
        }
    }
    let source = checked.sources.get(r.target.file.0 as usize)?;
    let declared = described(&source.text, r.target.lo, r.target.hi);
    found(location(&source.name, source, r.target.lo, r.target.hi)?, declared)
}

/// The declaration whose name is at `offset` of the document, used
/// nowhere yet: itself, with its signature and doc comment.
fn declared_here(uri: &Uri, text: &str, doc: &SourceFile, offset: u32) -> Option<Found> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let lo = text[..offset as usize].rfind(|c| !is_word(c)).map_or(0, |i| i + 1) as u32;
    let hi = text[offset as usize..].find(|c| !is_word(c)).map_or(text.len(), |i| offset as usize + i) as u32;
    let (hover, doc_lines) = described(text, lo, hi)?;
    let path = uri_path(uri)?.display().to_string();
    Some(Found { location: location(&path, doc, lo, hi)?, hover, doc: doc_lines })
}

/// The signature and doc comment of the declaration whose name is at
/// `lo..hi` of `text` (none for a local, a parameter, an interface's text).
pub(super) fn described(text: &str, lo: u32, hi: u32) -> Option<(String, Vec<String>)> {
    let tree = parse(text);
    crate::doc::described_at(&tree, text, tess_syntax::Span { file: FileId(0), lo, hi })
}

/// Every use of the declaration named at `at` in the document's module
/// (the document and its module's other files), and the declaration
/// itself when it is there.
pub(super) fn uses_of(uri: &Uri, text: &str, at: Position, ws: &Workspace) -> Vec<lsp_types::Location> {
    uses_and_origin(uri, text, at, ws).0
}

/// [`uses_of`], and for another module's declaration its (module, name).
pub(super) fn uses_and_origin(
    uri: &Uri,
    text: &str,
    at: Position,
    ws: &Workspace,
) -> (Vec<lsp_types::Location>, Option<(String, String)>) {
    let Ok(checked) = check_document(uri, text, ws, true) else { return (Vec::new(), None) };
    let doc = SourceFile::new("", text);
    let Some(offset) = offset_of(&doc, at) else { return (Vec::new(), None) };
    let refs = &checked.module.refs;
    // The name under the cursor: a use, or the declaration itself.
    let target = refs
        .iter()
        .filter(|r| r.at.file == FileId(0) && r.at.lo <= offset && offset <= r.at.hi)
        .min_by_key(|r| r.at.hi - r.at.lo)
        .map(|r| (r.target, r.imported.clone()))
        .or_else(|| {
            refs.iter()
                .find(|r| r.target.file == FileId(0) && r.target.lo <= offset && offset <= r.target.hi)
                .map(|r| (r.target, r.imported.clone()))
        });
    let Some((target, imported)) = target else { return (Vec::new(), None) };
    let mut spans: Vec<tess_syntax::Span> = refs
        .iter()
        .filter(|r| match (&imported, &r.imported) {
            (Some(a), Some(b)) => a == b,
            (None, None) => r.target == target,
            _ => false,
        })
        .map(|r| r.at)
        .collect();
    if imported.is_none() {
        spans.push(target);
    }
    spans.sort_by_key(|s| (s.file.0, s.lo));
    spans.dedup();
    let locations = spans
        .into_iter()
        .filter_map(|s| {
            let source = checked.sources.get(s.file.0 as usize)?;
            let name = if s.file == FileId(0) { uri_path(uri)?.display().to_string() } else { source.name.clone() };
            location(&name, source, s.lo, s.hi)
        })
        .collect();
    (locations, imported)
}

/// The signature of the call whose arguments the cursor is in, with the
/// argument it is at: the callee named before the unclosed `(`, as hover
/// shows it.
pub(super) fn signature_help(uri: &Uri, text: &str, at: Position, ws: &Workspace) -> Option<lsp_types::SignatureHelp> {
    let doc = SourceFile::new("", text);
    let offset = offset_of(&doc, at)? as usize;
    let bytes = text.as_bytes();
    let (mut depth, mut commas, mut open) = (0i32, 0u32, None);
    for i in (0..offset).rev() {
        match bytes[i] {
            b')' | b']' => depth += 1,
            b'(' | b'[' if depth > 0 => depth -= 1,
            b'(' => {
                open = Some(i);
                break;
            }
            b'[' => return None,
            b',' if depth == 0 => commas += 1,
            // A block boundary: the cursor is in no call.
            b'{' | b'}' if depth == 0 => return None,
            _ => {}
        }
    }
    let open = open?;
    let name_end = text[..open].trim_end().len();
    if name_end == 0 || !text[..name_end].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let callee = position(&doc, (name_end - 1) as u32);
    // The call being written does not parse yet: closed where the cursor
    // is, the callee resolves.
    let line = text[..offset].rsplit('\n').next().unwrap_or("");
    let closed = format!("{}{}{}", &text[..offset], super::complete::closing(line, &text[offset..]), &text[offset..]);
    let found = lookup(uri, &closed, callee, ws)?;
    let label = found.hover;
    Some(lsp_types::SignatureHelp {
        signatures: vec![lsp_types::SignatureInformation {
            label,
            documentation: None,
            parameters: None,
            active_parameter: Some(commas),
        }],
        active_signature: Some(0),
        active_parameter: Some(commas),
    })
}

/// Renames the declaration named at `at` to `new_name` in every file of
/// its module; refused for another module's declaration (its own module
/// must change too) and for a name that is not an identifier.
// `WorkspaceEdit::changes` is keyed by `Uri`, which clippy thinks mutable.
#[allow(clippy::mutable_key_type)]
pub(super) fn rename(
    uri: &Uri,
    text: &str,
    at: Position,
    new_name: &str,
    ws: &Workspace,
) -> Result<lsp_types::WorkspaceEdit, String> {
    let is_ident = new_name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && new_name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !is_ident {
        return Err(format!("`{new_name}` is not a name"));
    }
    let (uses, imported) = uses_and_origin(uri, text, at, ws);
    if let Some((module, decl)) = imported {
        return Err(format!("`{decl}` is declared in module `{module}`: rename it there"));
    }
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for l in uses {
        changes.entry(l.uri).or_default().push(TextEdit { range: l.range, new_text: new_name.to_string() });
    }
    if changes.is_empty() {
        return Err("no name here to rename".into());
    }
    Ok(lsp_types::WorkspaceEdit { changes: Some(changes), ..Default::default() })
}

/// Where another module declares `decl` (`name` or `Class.member`): in its
/// sources — a package's `src/MODULE/`, or `DIR/MODULE/` on the search
/// path — or, for a module only available compiled, in the text of its
/// interface (`tess interface`), written to a file for the editor.
pub(super) fn declaration_in_module(
    doc: &Path,
    dirs: &[PathBuf],
    module: &str,
    decl: &str,
) -> Option<lsp_types::Location> {
    let root = doc.parent().and_then(crate::manifest::find_root);
    let source_dirs = root.iter().map(|r| r.join("src").join(module)).chain(dirs.iter().map(|d| d.join(module)));
    for dir in source_dirs.filter(|d| d.is_dir()) {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "tes"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).ok()?;
            let tree = parse(&text);
            if let Some(span) = declared(&tree, decl) {
                let source = SourceFile::new(f.display().to_string(), text);
                return location(&f.display().to_string(), &source, span.lo, span.hi);
            }
        }
    }
    let interface = dirs.iter().map(|d| d.join(crate::artifacts::interface_file(module))).find(|p| p.exists())?;
    let text = tess_sema::interface::describe(&tess_sema::interface::decode(&std::fs::read(&interface).ok()?).ok()?);
    let out = std::env::temp_dir().join("tess-lsp").join(format!("{module}.tesi.txt"));
    std::fs::create_dir_all(out.parent()?).ok()?;
    std::fs::write(&out, &text).ok()?;
    let (class, member) = match decl.split_once('.') {
        Some((c, m)) => (Some(c), m),
        None => (None, decl),
    };
    let lines: Vec<&str> = text.lines().collect();
    let start = match class {
        Some(c) => lines.iter().position(|l| l.contains(&format!("class {c}")))?,
        None => 0,
    };
    let is_word = |l: &str| {
        l.match_indices(member).any(|(i, _)| {
            let before = l[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric() && c != '_');
            let after = l[i + member.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric() && c != '_');
            before && after
        })
    };
    let line = (start..lines.len()).find(|&i| is_word(lines[i]))?;
    let source = SourceFile::new("", text.clone());
    let lo = text.lines().take(line).map(|l| l.len() + 1).sum::<usize>() as u32;
    location(&out.display().to_string(), &source, lo, lo + lines[line].len() as u32)
}

/// The span of the name `decl` (`name` or `Class.member`) declares in a
/// parsed file.
pub(super) fn declared(tree: &tess_syntax::ast::File, decl: &str) -> Option<tess_syntax::Span> {
    use tess_syntax::ast::Item;
    let (class, member) = match decl.split_once('.') {
        Some((c, m)) => (Some(c), m),
        None => (None, decl),
    };
    tree.items.iter().find_map(|item| match (item, class) {
        (Item::Fn(f), None) if f.name.name == member => Some(f.name.span),
        (Item::Global(v), None) if v.name.name == member => Some(v.name.span),
        (Item::Class(c), None) if c.name.name == member => Some(c.name.span),
        (Item::Class(c), Some(cn)) if c.name.name == cn => c
            .fields
            .iter()
            .map(|f| &f.name)
            .chain(c.methods.iter().map(|m| &m.name))
            .chain(c.inits.iter().map(|i| &i.name))
            .find(|n| n.name == member)
            .map(|n| n.span),
        _ => None,
    })
}

/// The declaration of the type of the value named at `at` (a class,
/// here or in another module).
pub(super) fn type_definition(uri: &Uri, text: &str, at: Position, ws: &Workspace) -> Option<lsp_types::Location> {
    let checked = check_document(uri, text, ws, true).ok()?;
    let doc = SourceFile::new("", text);
    let offset = offset_of(&doc, at)?;
    let ty = checked
        .module
        .refs
        .iter()
        .filter(|r| r.at.file == FileId(0) && r.at.lo <= offset && offset <= r.at.hi)
        .min_by_key(|r| r.at.hi - r.at.lo)?
        .ty
        .clone()?;
    let class = match ty {
        tess_sema::ty::Ty::Class(c, _) | tess_sema::ty::Ty::Generic(c, _) => c,
        tess_sema::ty::Ty::Optional(inner) => match *inner {
            tess_sema::ty::Ty::Class(c, _) => c,
            _ => return None,
        },
        _ => return None,
    };
    let class = &checked.module.classes[class];
    if let Some(module) = &class.imported_from {
        let path = uri_path(uri).unwrap_or_default();
        let (_, _, dirs) = module_of(&path, &ws.search);
        return declaration_in_module(&path, &dirs, module, &class.name);
    }
    checked.sources.iter().enumerate().find_map(|(i, source)| {
        let tree = parse(&source.text);
        let span = declared(&tree, &class.name)?;
        let name = if i == 0 { uri_path(uri)?.display().to_string() } else { source.name.clone() };
        location(&name, source, span.lo, span.hi)
    })
}
