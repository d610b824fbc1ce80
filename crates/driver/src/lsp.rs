//! `tess lsp` (issue 13, first part): a Language Server Protocol server on
//! standard input and output, built on `lsp-server` and `lsp-types` as
//! rust-analyzer is. It checks each open document as the compiler would —
//! with the other files of its module, against the compiled modules on
//! `-I` and, in a package, its `build/lib` — and publishes every error, with
//! its range, on open and on each change; it formats a document with
//! `tess fmt`'s layout. Nothing a half-typed document holds can stop it:
//! every pass returns errors as values.

use crate::frontend::{check_sources, check_sources_indexed, Checked, ModuleInput, MAIN_MODULE};
use crate::Error;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument, PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentHighlightRequest, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, References,
    Rename, SignatureHelpRequest,
};
use lsp_types::{
    Diagnostic, DiagnosticSeverity, DocumentFormattingParams, Position, PublishDiagnosticsParams, Range,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tess_sema::ty::Ty;
use tess_syntax::{FileId, SourceFile};

/// Serves one client on standard input and output until it shuts down.
pub fn serve(search: &[PathBuf]) -> Result<(), Error> {
    let (connection, io) = Connection::stdio();
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(lsp_types::TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::FULL),
            // Saves refresh the package's interfaces (`check_package`).
            save: Some(lsp_types::TextDocumentSyncSaveOptions::Supported(true)),
            ..lsp_types::TextDocumentSyncOptions::default()
        })),
        document_formatting_provider: Some(lsp_types::OneOf::Left(true)),
        definition_provider: Some(lsp_types::OneOf::Left(true)),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        references_provider: Some(lsp_types::OneOf::Left(true)),
        rename_provider: Some(lsp_types::OneOf::Left(true)),
        signature_help_provider: Some(lsp_types::SignatureHelpOptions {
            trigger_characters: Some(vec!["(".into(), ",".into()]),
            ..Default::default()
        }),
        document_highlight_provider: Some(lsp_types::OneOf::Left(true)),
        document_symbol_provider: Some(lsp_types::OneOf::Left(true)),
        completion_provider: Some(lsp_types::CompletionOptions {
            trigger_characters: Some(vec![".".into(), " ".into()]),
            ..lsp_types::CompletionOptions::default()
        }),
        ..ServerCapabilities::default()
    };
    let caps = serde_json::to_value(capabilities).map_err(|e| format!("lsp: {e}"))?;
    connection.initialize(caps).map_err(|e| format!("lsp: initialising: {e}"))?;
    let mut server = Server { connection, search: search.to_vec(), documents: HashMap::new() };
    server.run()?;
    drop(server);
    io.join().map_err(|e| format!("lsp: {e}"))?;
    Ok(())
}

struct Server {
    connection: Connection,
    /// `-I` directories.
    search: Vec<PathBuf>,
    /// Open documents' text, by URI.
    documents: HashMap<String, String>,
}

impl Server {
    fn run(&mut self) -> Result<(), Error> {
        while let Ok(msg) = self.connection.receiver.recv() {
            match msg {
                Message::Request(req) => {
                    if self.connection.handle_shutdown(&req).map_err(|e| format!("lsp: {e}"))? {
                        return Ok(());
                    }
                    self.request(req)?;
                }
                Message::Notification(n) => self.notification(n)?,
                Message::Response(_) => {}
            }
        }
        Ok(())
    }

    /// Writes the interfaces of the package around `uri` from its saved
    /// sources (`tess check`), so that its modules import each other
    /// before a build and see each other's saved edits. Errors in other
    /// modules are theirs to report when opened.
    fn check_package(&self, uri: &Uri) {
        let Some(root) = uri_path(uri).and_then(|p| p.parent().and_then(crate::manifest::find_root)) else { return };
        let _ = crate::check::for_editor(&root, &self.search);
    }

    fn send(&self, msg: Message) -> Result<(), Error> {
        self.connection.sender.send(msg).map_err(|e| Error::Message(format!("lsp: {e}")))
    }

    fn request(&mut self, req: Request) -> Result<(), Error> {
        use lsp_types::request::Request as _;
        let method = req.method.clone();
        let response = if method == GotoDefinition::METHOD || method == HoverRequest::METHOD {
            respond(req, |id, p: lsp_types::TextDocumentPositionParams| {
                let found = self
                    .documents
                    .get(p.text_document.uri.as_str())
                    .and_then(|text| lookup(&p.text_document.uri, text, p.position, &self.search));
                let value = match found {
                    None => serde_json::Value::Null,
                    Some(found) if method == GotoDefinition::METHOD => {
                        serde_json::to_value(found.location).unwrap_or_default()
                    }
                    Some(found) => serde_json::to_value(lsp_types::Hover {
                        contents: lsp_types::HoverContents::Markup(lsp_types::MarkupContent {
                            kind: lsp_types::MarkupKind::Markdown,
                            value: format!("```tessera\n{}\n```", found.hover),
                        }),
                        range: None,
                    })
                    .unwrap_or_default(),
                };
                Response::new_ok(id, value)
            })
        } else if method == References::METHOD || method == DocumentHighlightRequest::METHOD {
            // `ReferenceParams` is these and a context, ignored: the
            // declaration is always listed.
            respond(req, |id, p: lsp_types::TextDocumentPositionParams| {
                let uses = self
                    .documents
                    .get(p.text_document.uri.as_str())
                    .map(|text| uses_of(&p.text_document.uri, text, p.position, &self.search))
                    .unwrap_or_default();
                let value = if method == References::METHOD {
                    serde_json::to_value(uses).unwrap_or_default()
                } else {
                    let here: Vec<lsp_types::DocumentHighlight> = uses
                        .into_iter()
                        .filter(|l| l.uri == p.text_document.uri)
                        .map(|l| lsp_types::DocumentHighlight { range: l.range, kind: None })
                        .collect();
                    serde_json::to_value(here).unwrap_or_default()
                };
                Response::new_ok(id, value)
            })
        } else if method == SignatureHelpRequest::METHOD {
            respond(req, |id, p: lsp_types::TextDocumentPositionParams| {
                let help = self
                    .documents
                    .get(p.text_document.uri.as_str())
                    .and_then(|text| signature_help(&p.text_document.uri, text, p.position, &self.search));
                Response::new_ok(id, help)
            })
        } else if method == Rename::METHOD {
            respond(req, |id, p: lsp_types::RenameParams| {
                let doc = &p.text_document_position;
                let edit = self
                    .documents
                    .get(doc.text_document.uri.as_str())
                    .map(|text| rename(&doc.text_document.uri, text, doc.position, &p.new_name, &self.search));
                match edit {
                    Some(Ok(edit)) => Response::new_ok(id, edit),
                    Some(Err(why)) => Response::new_err(id, lsp_server::ErrorCode::RequestFailed as i32, why),
                    None => Response::new_ok(id, serde_json::Value::Null),
                }
            })
        } else if method == DocumentSymbolRequest::METHOD {
            respond(req, |id, p: lsp_types::DocumentSymbolParams| {
                let symbols =
                    self.documents.get(p.text_document.uri.as_str()).map(|t| document_symbols(t)).unwrap_or_default();
                Response::new_ok(id, symbols)
            })
        } else if method == Completion::METHOD {
            respond(req, |id, p: lsp_types::CompletionParams| {
                let doc = &p.text_document_position;
                let items = self
                    .documents
                    .get(doc.text_document.uri.as_str())
                    .map(|text| complete(&doc.text_document.uri, text, doc.position, &self.search))
                    .unwrap_or_default();
                Response::new_ok(id, items)
            })
        } else if method == Formatting::METHOD {
            respond(req, |id, p: DocumentFormattingParams| {
                let edits = self.documents.get(p.text_document.uri.as_str()).and_then(|t| format_edits(t));
                Response::new_ok(id, edits)
            })
        } else {
            Response::new_err(
                req.id,
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("{} is not served", req.method),
            )
        };
        self.send(Message::Response(response))
    }

    fn notification(&mut self, n: Notification) -> Result<(), Error> {
        use lsp_types::notification::Notification as _;
        let uri = match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params) else {
                    return Ok(());
                };
                self.documents.insert(p.text_document.uri.as_str().to_string(), p.text_document.text);
                self.check_package(&p.text_document.uri);
                p.text_document.uri
            }
            DidSaveTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidSaveTextDocumentParams>(n.params) else {
                    return Ok(());
                };
                self.check_package(&p.text_document.uri);
                p.text_document.uri
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params) else {
                    return Ok(());
                };
                // Full synchronisation: the last change is the whole text.
                if let Some(change) = p.content_changes.into_iter().last() {
                    self.documents.insert(p.text_document.uri.as_str().to_string(), change.text);
                }
                p.text_document.uri
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params) {
                    self.documents.remove(p.text_document.uri.as_str());
                }
                return Ok(());
            }
            _ => return Ok(()),
        };
        let diagnostics = match self.documents.get(uri.as_str()) {
            Some(text) => diagnostics(&uri, text, &self.search),
            None => Vec::new(),
        };
        let params = PublishDiagnosticsParams { uri, diagnostics, version: None };
        let note = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
        self.send(Message::Notification(note))
    }
}

/// Answers `req` with `answer`, given its id and its parameters as `P`;
/// parameters of another shape are the client's error.
fn respond<P: serde::de::DeserializeOwned>(req: Request, answer: impl FnOnce(RequestId, P) -> Response) -> Response {
    match serde_json::from_value::<P>(req.params) {
        Ok(p) => answer(req.id, p),
        Err(e) => Response::new_err(req.id, lsp_server::ErrorCode::InvalidParams as i32, e.to_string()),
    }
}

/// The whole document replaced by its formatted text, if it parses and
/// the layout changes.
fn format_edits(text: &str) -> Option<Vec<TextEdit>> {
    let formatted = crate::fmt::format(FileId(0), text).ok()?;
    if formatted == text {
        return Some(Vec::new());
    }
    let source = SourceFile::new("", text);
    let end = position(&source, text.len() as u32);
    Some(vec![TextEdit { range: Range { start: Position::new(0, 0), end }, new_text: formatted }])
}

/// The LSP position (0-based line and column) of a byte offset.
fn position(source: &SourceFile, offset: u32) -> Position {
    let (line, col) = source.line_col(offset);
    Position::new(line.saturating_sub(1) as u32, col.saturating_sub(1) as u32)
}

/// The path of a `file:` URI.
fn uri_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str().strip_prefix("file://")?;
    Some(PathBuf::from(percent_decode(s)))
}

fn percent_decode(s: &str) -> String {
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
fn module_of(path: &Path, search: &[PathBuf]) -> (Option<String>, Vec<PathBuf>, Vec<PathBuf>) {
    let mut dirs = search.to_vec();
    let Some(root) = path.parent().and_then(crate::manifest::find_root) else {
        return (None, Vec::new(), dirs);
    };
    // Interfaces `tess check` wrote from the sources first (the server
    // writes them when a document opens or is saved), then the build's.
    dirs.push(root.join(crate::package::BUILD_DIR).join(crate::check::CHECK_DIR));
    dirs.push(root.join(crate::package::BUILD_DIR).join("lib"));
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
fn check_document(uri: &Uri, text: &str, search: &[PathBuf], index: bool) -> Result<Checked, Error> {
    let path = uri_path(uri).unwrap_or_else(|| PathBuf::from("untitled.tes"));
    let (name, siblings, dirs) = module_of(&path, search);
    let mut sources = vec![SourceFile::new(path.display().to_string(), text)];
    for s in &siblings {
        if let Ok(t) = std::fs::read_to_string(s) {
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

/// What a name in a document resolves to.
struct Found {
    location: lsp_types::Location,
    hover: String,
}

/// The declaration the name at `position` of the document resolves to.
fn lookup(uri: &Uri, text: &str, at: Position, search: &[PathBuf]) -> Option<Found> {
    let checked = check_document(uri, text, search, true).ok()?;
    let doc = SourceFile::new("", text);
    let offset = offset_of(&doc, at)?;
    let r = checked
        .module
        .refs
        .iter()
        .filter(|r| r.at.file == FileId(0) && r.at.lo <= offset && offset <= r.at.hi)
        .min_by_key(|r| r.at.hi - r.at.lo)?;
    let hover = r.hover.clone();
    if let Some((module, decl)) = &r.imported {
        let path = uri_path(uri).unwrap_or_default();
        let (_, _, dirs) = module_of(&path, search);
        if let Some(location) = declaration_in_module(&path, &dirs, module, decl) {
            return Some(Found { location, hover });
        }
    }
    let source = checked.sources.get(r.target.file.0 as usize)?;
    Some(Found { location: location(&source.name, source, r.target.lo, r.target.hi)?, hover })
}

/// Every use of the declaration named at `at` in the document's module
/// (the document and its module's other files), and the declaration
/// itself when it is there.
fn uses_of(uri: &Uri, text: &str, at: Position, search: &[PathBuf]) -> Vec<lsp_types::Location> {
    uses_and_origin(uri, text, at, search).0
}

/// [`uses_of`], and for another module's declaration its (module, name).
fn uses_and_origin(
    uri: &Uri,
    text: &str,
    at: Position,
    search: &[PathBuf],
) -> (Vec<lsp_types::Location>, Option<(String, String)>) {
    let Ok(checked) = check_document(uri, text, search, true) else { return (Vec::new(), None) };
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
fn signature_help(uri: &Uri, text: &str, at: Position, search: &[PathBuf]) -> Option<lsp_types::SignatureHelp> {
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
    let found = lookup(uri, text, callee, search)?;
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
fn rename(
    uri: &Uri,
    text: &str,
    at: Position,
    new_name: &str,
    search: &[PathBuf],
) -> Result<lsp_types::WorkspaceEdit, String> {
    let is_ident = new_name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && new_name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !is_ident {
        return Err(format!("`{new_name}` is not a name"));
    }
    let (uses, imported) = uses_and_origin(uri, text, at, search);
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

/// The document's declarations, as an outline: functions, classes (with
/// their fields and methods), enums, interfaces and variables.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must be given.
fn document_symbols(text: &str) -> Vec<lsp_types::DocumentSymbol> {
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

fn location(path: &str, source: &SourceFile, lo: u32, hi: u32) -> Option<lsp_types::Location> {
    let uri: Uri = format!("file://{}", absolute(path).display()).parse().ok()?;
    Some(lsp_types::Location { uri, range: Range { start: position(source, lo), end: position(source, hi) } })
}

/// Where another module declares `decl` (`name` or `Class.member`): in its
/// sources — a package's `src/MODULE/`, or `DIR/MODULE/` on the search
/// path — or, for a module only available compiled, in the text of its
/// interface (`tess interface`), written to a file for the editor.
fn declaration_in_module(doc: &Path, dirs: &[PathBuf], module: &str, decl: &str) -> Option<lsp_types::Location> {
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
            let tree = crate::on_compiler_stack(|| {
                tess_syntax::parser::parse_file(FileId(0), &text, &mut tess_syntax::Diagnostics::default())
            });
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
fn declared(tree: &tess_syntax::ast::File, decl: &str) -> Option<tess_syntax::Span> {
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

fn absolute(path: &str) -> PathBuf {
    let p = PathBuf::from(path);
    if p.is_absolute() {
        p
    } else {
        std::env::current_dir().map(|d| d.join(&p)).unwrap_or(p)
    }
}

/// The byte offset of an LSP position (line, character) in `doc`.
fn offset_of(doc: &SourceFile, p: Position) -> Option<u32> {
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

/// Completions at `at`: module names after `import`, a value's fields
/// and methods after `value.` (the document is checked without the
/// half-typed member, to learn the value's type).
fn complete(uri: &Uri, text: &str, at: Position, search: &[PathBuf]) -> Vec<lsp_types::CompletionItem> {
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
fn closing(line: &str, rest: &str) -> String {
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
fn module_members(uri: &Uri, name: &str, search: &[PathBuf]) -> Option<Vec<(String, lsp_types::CompletionItemKind)>> {
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
fn module_names(path: &Path, dirs: &[PathBuf]) -> Vec<String> {
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

/// Every error the compiler finds in the document `text` at `uri`.
fn diagnostics(uri: &Uri, text: &str, search: &[PathBuf]) -> Vec<Diagnostic> {
    match check_document(uri, text, search, false) {
        Ok(_) => Vec::new(),
        Err(Error::Diagnostics { sources, diags }) => diags
            .items
            .iter()
            .filter(|d| d.span.file == FileId(0))
            .map(|d| {
                let source = &sources[0];
                let mut message = d.message.clone();
                if let Some(h) = &d.hint {
                    message.push_str(&format!("\nhint: {h}"));
                }
                Diagnostic {
                    range: Range { start: position(source, d.span.lo), end: position(source, d.span.hi) },
                    severity: Some(DiagnosticSeverity::ERROR),
                    source: Some("tess".into()),
                    message,
                    ..Diagnostic::default()
                }
            })
            .collect(),
        Err(e) => {
            let message = match e {
                Error::Message(m) => m,
                other => format!("{other:?}"),
            };
            vec![Diagnostic {
                range: Range::default(),
                severity: Some(DiagnosticSeverity::ERROR),
                source: Some("tess".into()),
                message,
                ..Diagnostic::default()
            }]
        }
    }
}
