//! Tessera's semantic analysis: name resolution and type checking of a
//! module's syntax trees, producing the typed, resolved [`hir`] that code
//! generation consumes. It does no I/O and knows nothing about Cranelift.

pub mod builtins;
mod check;
pub mod hir;
pub mod mangle;
pub mod ty;

pub use check::check_module;
