//! The documents the server is asked about: URIs and paths, LSP positions
//! and byte offsets, and checking a document with its module.

use crate::frontend::{check_sources, check_sources_indexed, Checked, ModuleInput, MAIN_MODULE};
use crate::Error;
use lsp_types::{Position, Range, Uri};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tess_syntax::SourceFile;

/// What the server knows besides one document: where compiled modules
/// are (`-I`), and every open document's text by URI, which wins over the
/// file on disk when the document's module is checked.
pub(super) struct Workspace {
    pub search: Vec<PathBuf>,
    pub documents: HashMap<String, String>,
}

impl Workspace {
    /// The open document's text.
    pub fn text(&self, uri: &Uri) -> Option<&str> {
        self.documents.get(uri.as_str()).map(String::as_str)
    }

    /// The open documents that are files, by path.
    pub fn open_files(&self) -> HashMap<PathBuf, &str> {
        self.documents.iter().filter_map(|(u, text)| Some((uri_path(&u.parse().ok()?)?, text.as_str()))).collect()
    }
}

/// The LSP position (0-based line and column) of a byte offset.
pub(super) fn position(source: &SourceFile, offset: u32) -> Position {
    let (line, col) = source.line_col(offset);
    Position::new(line.saturating_sub(1) as u32, col.saturating_sub(1) as u32)
}

/// The path of a `file:` URI.
pub(super) fn uri_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str().strip_prefix("file://")?;
    Some(PathBuf::from(percent_decode(s)))
}

pub(super) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let Some(v) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the document is checked with: its module's name and the other
/// files of the module (a package's `src/NAME/`; the program's `src/`),
/// and where compiled modules are.
pub(super) fn module_of(path: &Path, search: &[PathBuf]) -> (Option<String>, Vec<PathBuf>, Vec<PathBuf>) {
    let mut dirs = search.to_vec();
    let Some(root) = path.parent().and_then(crate::manifest::find_root) else {
        return (None, Vec::new(), dirs);
    };
    // Interfaces `tess check` wrote from the sources first (the server
    // writes them when a document opens or is saved), then the build's.
    dirs.push(root.join(crate::package::build_dir()).join(crate::check::CHECK_DIR));
    dirs.push(root.join(crate::package::build_dir()).join("lib"));
    let Some(dir) = path.parent() else { return (None, Vec::new(), dirs) };
    let siblings: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            let mut v: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "tes") && p != path)
                .collect();
            v.sort();
            v
        })
        .unwrap_or_default();
    let name = (dir != root.join("src")).then(|| dir.file_name().map(|n| n.to_string_lossy().into_owned())).flatten();
    (name, siblings, dirs)
}

/// The document `text` at `uri` checked with its module's other files
/// (the document is file 0), indexed for an editor when `index`.
pub(super) fn check_document(uri: &Uri, text: &str, ws: &Workspace, index: bool) -> Result<Checked, Error> {
    let path = uri_path(uri).unwrap_or_else(|| PathBuf::from("untitled.tes"));
    let (name, siblings, dirs) = module_of(&path, &ws.search);
    let mut sources = vec![SourceFile::new(path.display().to_string(), text)];
    // An open document's text wins over what is saved.
    let open = ws.open_files();
    for s in &siblings {
        let text = match open.get(s) {
            Some(text) => Some(text.to_string()),
            None => std::fs::read_to_string(s).ok(),
        };
        if let Some(t) = text {
            sources.push(SourceFile::new(s.display().to_string(), t));
        }
    }
    let mode = name.as_ref().map(|_| tess_sema::hir::Mode::Library);
    let name = name.unwrap_or_else(|| MAIN_MODULE.to_string());
    let in_package = path.parent().and_then(crate::manifest::find_root).is_some();
    let input =
        ModuleInput { name: &name, mode, files: &[], search: &dirs, parse_cache: None, exported_only: &[], in_package };
    if index {
        check_sources_indexed(&input, sources)
    } else {
        check_sources(&input, sources)
    }
}

pub(super) fn location(path: &str, source: &SourceFile, lo: u32, hi: u32) -> Option<lsp_types::Location> {
    let uri: Uri = format!("file://{}", absolute(path).display()).parse().ok()?;
    Some(lsp_types::Location { uri, range: Range { start: position(source, lo), end: position(source, hi) } })
}

pub(super) fn absolute(path: &str) -> PathBuf {
    let p = PathBuf::from(path);
    if p.is_absolute() {
        p
    } else {
        std::env::current_dir().map(|d| d.join(&p)).unwrap_or(p)
    }
}

/// The byte offset of an LSP position (line, character) in `doc`.
pub(super) fn offset_of(doc: &SourceFile, p: Position) -> Option<u32> {
    let mut offset = 0usize;
    for (i, line) in doc.text.split_inclusive('\n').enumerate() {
        if i == p.line as usize {
            let col: usize = line.chars().take(p.character as usize).map(char::len_utf8).sum();
            return Some((offset + col) as u32);
        }
        offset += line.len();
    }
    (p.line as usize == doc.text.split_inclusive('\n').count()).then_some(offset as u32)
}

/// A document's syntax tree, whatever its errors (each loses at most its
/// statement).
pub(super) fn parse(text: &str) -> tess_syntax::ast::File {
    crate::on_compiler_stack(|| {
        tess_syntax::parser::parse_file(tess_syntax::FileId(0), text, &mut tess_syntax::Diagnostics::default())
    })
}
