//! Tessera's front end: source files, spans, diagnostics, the lexer, the
//! parser and the syntax tree. It knows nothing about types or code
//! generation, so every later phase can be replaced without touching it.

pub mod ast;
pub mod diag;
pub mod format;
pub mod lexer;
pub mod parser;
pub mod source;
pub mod token;

pub use diag::{Diagnostic, Diagnostics};
pub use source::{FileId, SourceFile, Span};

/// How deeply code may nest (expressions, blocks, types, operator chains,
/// string interpolations): deeper is a located error, so that every pass
/// over the tree, each recursive, stays within its stack.
pub const MAX_NESTING: usize = 1000;
