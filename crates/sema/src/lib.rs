//! Tessera's semantic analysis: name resolution and type checking of a
//! module's syntax trees, producing the typed, resolved [`hir`] that code
//! generation consumes. It does no I/O and knows nothing about Cranelift.

pub mod abi_diff;
mod array_fns;
mod body;
pub mod builtins;
mod check;
mod checker;
mod classes;
mod closures;
mod constants;
mod enums;
mod expr;
mod generic_classes;
mod generics;
pub mod hir;
pub mod imports;
mod init_check;
pub mod interface;
mod interfaces;
mod matching;
mod optionals;
mod sets;
mod statics;
mod stmt;
mod suggest;
mod tables;
pub mod ty;

pub use check::check_module;
pub use imports::{Import, Imports};
