//! Code generation with Cranelift: the HIR of a module becomes machine code,
//! either an ELF object file ([`object_file`]) or functions in memory
//! ([`jit`]). Both paths share one translator ([`translate`]), so JIT and
//! AOT code follow the same ABI (see `docs/abi.md`).

mod abi;
mod bodies;
mod callgraph;
mod clif_text;
mod code_table;
mod collects;
mod compile;
mod debug_info;
mod debug_types;
mod fn_values;
mod iface_data;
pub mod jit;
mod module_gen;
pub mod object_file;
mod resizes;
mod seh_unwind;
mod sites;
mod slots;
pub mod target;
mod translate;
mod writes;

/// A failure inside code generation; it names what failed, since the
/// front end has already reported every user error.
#[derive(Debug)]
pub struct CodegenError(pub String);

impl std::fmt::Display for CodegenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "code generation failed: {}", self.0)
    }
}

impl std::error::Error for CodegenError {}

/// Why code compiled in memory cannot run.
#[derive(Debug)]
pub enum JitError {
    Codegen(CodegenError),
    /// A symbol the code imports is in no loaded library (an `extern fn`
    /// whose C library was not given): the caller locates it for the user.
    Unresolved(String),
}

impl From<CodegenError> for JitError {
    fn from(e: CodegenError) -> JitError {
        JitError::Codegen(e)
    }
}

/// Wraps a library error with what was being done: `.map_err(err("..."))`.
pub(crate) fn err<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> CodegenError + '_ {
    move |e| CodegenError(format!("{what}: {e}"))
}
