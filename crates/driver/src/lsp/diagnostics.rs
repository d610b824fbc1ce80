//! The compiler's errors, as LSP diagnostics.

use super::document::*;
use crate::Error;
use lsp_types::{Diagnostic, DiagnosticSeverity, Range, Uri};
use tess_syntax::FileId;

/// Every error the compiler finds in the document `text` at `uri`.
pub(super) fn diagnostics(uri: &Uri, text: &str, ws: &Workspace) -> Vec<Diagnostic> {
    match check_document(uri, text, ws, false) {
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
