//! `tess lsp` (issue 13, first part): a Language Server Protocol server on
//! standard input and output, built on `lsp-server` and `lsp-types` as
//! rust-analyzer is. It checks each open document as the compiler would —
//! with the other files of its module, against the compiled modules on
//! `-I` and, in a package, its `build/lib` — and publishes every error, with
//! its range, on open and on each change; it formats a document with
//! `tess fmt`'s layout. Nothing a half-typed document holds can stop it:
//! every pass returns errors as values.

mod actions;
mod complete;
mod diagnostics;
mod document;
mod format;
mod hints;
mod navigate;
mod symbols;

use crate::Error;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentHighlightRequest, DocumentSymbolRequest, Formatting, GotoDeclaration,
    GotoDefinition, GotoTypeDefinition, HoverRequest, InlayHintRequest, RangeFormatting, References, Rename,
    SemanticTokensFullRequest, SignatureHelpRequest, WorkspaceSymbolRequest,
};
use lsp_types::{
    DocumentFormattingParams, PublishDiagnosticsParams, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, Uri,
};
use std::collections::HashMap;
use std::path::PathBuf;

use actions::code_actions;
use complete::complete;
use diagnostics::diagnostics;
use document::{uri_path, Workspace};
use format::{format_edits, range_format_edits};
use hints::{inlay_hints, semantic_tokens};
use navigate::{lookup, rename, signature_help, type_definition, uses_of};
use symbols::{document_symbols, workspace_symbols};

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
        declaration_provider: Some(lsp_types::DeclarationCapability::Simple(true)),
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
        type_definition_provider: Some(lsp_types::TypeDefinitionProviderCapability::Simple(true)),
        workspace_symbol_provider: Some(lsp_types::OneOf::Left(true)),
        code_action_provider: Some(lsp_types::CodeActionProviderCapability::Simple(true)),
        document_range_formatting_provider: Some(lsp_types::OneOf::Left(true)),
        inlay_hint_provider: Some(lsp_types::OneOf::Left(true)),
        semantic_tokens_provider: Some(lsp_types::SemanticTokensServerCapabilities::SemanticTokensOptions(
            lsp_types::SemanticTokensOptions {
                legend: lsp_types::SemanticTokensLegend {
                    token_types: hints::TOKEN_TYPES.to_vec(),
                    token_modifiers: Vec::new(),
                },
                full: Some(lsp_types::SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: Default::default(),
            },
        )),
        ..ServerCapabilities::default()
    };
    let caps = serde_json::to_value(capabilities).map_err(|e| format!("lsp: {e}"))?;
    connection.initialize(caps).map_err(|e| format!("lsp: initialising: {e}"))?;
    let ws = Workspace { search: search.to_vec(), documents: HashMap::new() };
    let mut server = Server { connection, ws };
    server.run()?;
    drop(server);
    io.join().map_err(|e| format!("lsp: {e}"))?;
    Ok(())
}

struct Server {
    connection: Connection,
    ws: Workspace,
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
        let _ = crate::check::for_editor(&root, &self.ws.search);
    }

    fn send(&self, msg: Message) -> Result<(), Error> {
        self.connection.sender.send(msg).map_err(|e| Error::Message(format!("lsp: {e}")))
    }

    fn request(&mut self, req: Request) -> Result<(), Error> {
        use lsp_types::request::Request as _;
        let method = req.method.clone();
        // A declaration is where a name is defined: the same answer.
        let response = if method == GotoDefinition::METHOD
            || method == GotoDeclaration::METHOD
            || method == HoverRequest::METHOD
        {
            respond(req, |id, p: lsp_types::TextDocumentPositionParams| {
                let found = self
                    .ws
                    .text(&p.text_document.uri)
                    .and_then(|text| lookup(&p.text_document.uri, text, p.position, &self.ws));
                let value = match found {
                    None => serde_json::Value::Null,
                    Some(found) if method != HoverRequest::METHOD => {
                        serde_json::to_value(found.location).unwrap_or_default()
                    }
                    Some(found) => serde_json::to_value(lsp_types::Hover {
                        contents: lsp_types::HoverContents::Markup(lsp_types::MarkupContent {
                            kind: lsp_types::MarkupKind::Markdown,
                            value: hover_text(&found),
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
                    .ws
                    .text(&p.text_document.uri)
                    .map(|text| uses_of(&p.text_document.uri, text, p.position, &self.ws))
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
                    .ws
                    .text(&p.text_document.uri)
                    .and_then(|text| signature_help(&p.text_document.uri, text, p.position, &self.ws));
                Response::new_ok(id, help)
            })
        } else if method == Rename::METHOD {
            respond(req, |id, p: lsp_types::RenameParams| {
                let doc = &p.text_document_position;
                let edit = self
                    .ws
                    .text(&doc.text_document.uri)
                    .map(|text| rename(&doc.text_document.uri, text, doc.position, &p.new_name, &self.ws));
                match edit {
                    Some(Ok(edit)) => Response::new_ok(id, edit),
                    Some(Err(why)) => Response::new_err(id, lsp_server::ErrorCode::RequestFailed as i32, why),
                    None => Response::new_ok(id, serde_json::Value::Null),
                }
            })
        } else if method == DocumentSymbolRequest::METHOD {
            respond(req, |id, p: lsp_types::DocumentSymbolParams| {
                let symbols = self.ws.text(&p.text_document.uri).map(|t| document_symbols(t)).unwrap_or_default();
                Response::new_ok(id, symbols)
            })
        } else if method == Completion::METHOD {
            respond(req, |id, p: lsp_types::CompletionParams| {
                let doc = &p.text_document_position;
                let items = self
                    .ws
                    .text(&doc.text_document.uri)
                    .map(|text| complete(&doc.text_document.uri, text, doc.position, &self.ws))
                    .unwrap_or_default();
                Response::new_ok(id, items)
            })
        } else if method == GotoTypeDefinition::METHOD {
            respond(req, |id, p: lsp_types::TextDocumentPositionParams| {
                let found = self
                    .ws
                    .text(&p.text_document.uri)
                    .and_then(|text| type_definition(&p.text_document.uri, text, p.position, &self.ws));
                Response::new_ok(id, found)
            })
        } else if method == WorkspaceSymbolRequest::METHOD {
            respond(req, |id, p: lsp_types::WorkspaceSymbolParams| {
                let open: Vec<PathBuf> = self.ws.open_files().into_keys().collect();
                Response::new_ok(id, workspace_symbols(&p.query, &open))
            })
        } else if method == CodeActionRequest::METHOD {
            respond(req, |id, p: lsp_types::CodeActionParams| {
                let actions = self
                    .ws
                    .text(&p.text_document.uri)
                    .map(|text| code_actions(&p.text_document.uri, text, &p.context.diagnostics, &self.ws))
                    .unwrap_or_default();
                Response::new_ok(id, actions)
            })
        } else if method == InlayHintRequest::METHOD {
            respond(req, |id, p: lsp_types::InlayHintParams| {
                let hints = self
                    .ws
                    .text(&p.text_document.uri)
                    .map(|text| inlay_hints(&p.text_document.uri, text, p.range, &self.ws))
                    .unwrap_or_default();
                Response::new_ok(id, hints)
            })
        } else if method == SemanticTokensFullRequest::METHOD {
            respond(req, |id, p: lsp_types::SemanticTokensParams| {
                let tokens = self
                    .ws
                    .text(&p.text_document.uri)
                    .map(|text| semantic_tokens(&p.text_document.uri, text, &self.ws));
                Response::new_ok(id, tokens)
            })
        } else if method == RangeFormatting::METHOD {
            respond(req, |id, p: lsp_types::DocumentRangeFormattingParams| {
                let edits = self.ws.text(&p.text_document.uri).and_then(|t| range_format_edits(t, p.range));
                Response::new_ok(id, edits)
            })
        } else if method == Formatting::METHOD {
            respond(req, |id, p: DocumentFormattingParams| {
                let edits = self.ws.text(&p.text_document.uri).and_then(|t| format_edits(t));
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
                self.ws.documents.insert(p.text_document.uri.as_str().to_string(), p.text_document.text);
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
                    self.ws.documents.insert(p.text_document.uri.as_str().to_string(), change.text);
                }
                p.text_document.uri
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params) {
                    self.ws.documents.remove(p.text_document.uri.as_str());
                }
                return Ok(());
            }
            _ => return Ok(()),
        };
        let diagnostics = match self.ws.text(&uri) {
            Some(text) => diagnostics(&uri, text, &self.ws),
            None => Vec::new(),
        };
        let params = PublishDiagnosticsParams { uri, diagnostics, version: None };
        let note = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
        self.send(Message::Notification(note))
    }
}

/// A hover's Markdown: the signature as code, then the doc comment.
fn hover_text(found: &navigate::Found) -> String {
    let mut text = format!("```tessera\n{}\n```", found.hover);
    if !found.doc.is_empty() {
        text.push_str("\n\n");
        text.push_str(&found.doc.join("\n"));
    }
    text
}

/// Answers `req` with `answer`, given its id and its parameters as `P`;
/// parameters of another shape are the client's error.
fn respond<P: serde::de::DeserializeOwned>(req: Request, answer: impl FnOnce(RequestId, P) -> Response) -> Response {
    match serde_json::from_value::<P>(req.params) {
        Ok(p) => answer(req.id, p),
        Err(e) => Response::new_err(req.id, lsp_server::ErrorCode::InvalidParams as i32, e.to_string()),
    }
}
