//! The Tessera compiler driver as a library: every step of `tess` (check,
//! build, link, run, compile a piece), so that tests and tools (a language
//! server, a formatter, a test runner) call the same code the command line
//! does. `main.rs` only parses arguments and renders results.

pub mod artifacts;
pub mod build;
pub mod check;
pub mod deps;
pub mod diagnostics;
pub mod doc;
pub mod fmt;
pub mod frontend;
pub mod fuzz;
pub mod header;
pub mod launch;
pub mod link;
pub mod lsp;
pub mod manifest;
pub mod module_graph;
pub mod new_package;
pub mod ninja;
pub mod package;
pub mod package_cache;
pub mod pieces;
pub mod pkg_config;
pub mod progress;
pub mod source_modules;
pub mod steps;
pub mod stub;
pub mod test_harness;
pub mod testing;
pub mod toolchain;

use tess_syntax::{Diagnostics, SourceFile};

/// What every cache of the compiler is keyed by besides its inputs: the
/// compiler's version and the format of what it stores.
pub const CACHE_VERSION: &str = concat!("tess ", env!("CARGO_PKG_VERSION"), " cache 5");

/// Stack for the compiler's passes, each recursive over the tree: enough
/// for code nested [`tess_syntax::MAX_NESTING`] deep in a debug build
/// (only the pages used are ever touched).
const COMPILER_STACK_BYTES: usize = 1 << 30;

/// Runs a compiler pass on a stack of its own, as rustc does: the nesting
/// the parser allows must never overflow a thread's default stack.
pub(crate) fn on_compiler_stack<T>(pass: impl FnOnce() -> T) -> T {
    stacker::grow(COMPILER_STACK_BYTES, pass)
}

/// Why a driver step did not produce its result.
#[derive(Debug)]
pub enum Error {
    /// The user's code has errors, each located in `sources`.
    Diagnostics { sources: Vec<SourceFile>, diags: Diagnostics },
    /// Anything else: a file that cannot be read, a tool that failed.
    Message(String),
    /// Several independent failures of one run (modules of a package that
    /// each failed to compile), reported in turn.
    Several(Vec<Error>),
}

impl From<String> for Error {
    fn from(m: String) -> Error {
        Error::Message(m)
    }
}

impl From<&str> for Error {
    fn from(m: &str) -> Error {
        Error::Message(m.to_string())
    }
}
