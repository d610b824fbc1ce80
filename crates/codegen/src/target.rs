//! The machine code is generated for: Cranelift's target and settings,
//! with or without optimisations (`-O0`), and its triple as interfaces
//! record it. One place, so that the object writer, the JIT and the
//! per-function fallback for very large functions agree.

use crate::{err, CodegenError};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};

/// The target for code that may end up in executables or shared libraries:
/// position-independent, and for the baseline x86-64 CPU rather than this
/// host's, so objects run on any machine of the architecture.
pub fn isa(pic: bool) -> Result<OwnedTargetIsa, CodegenError> {
    isa_optimising(pic, true)
}

/// How much work the code generator puts into the code.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Opt {
    /// Cranelift's optimisations and its backtracking register allocator.
    #[default]
    Speed,
    /// `-O0`: a fast compile — no e-graph optimisations and the single-pass
    /// register allocator.
    Fast,
}

/// The target for objects compiled at `opt`.
pub(crate) fn object_isa(opt: Opt) -> Result<OwnedTargetIsa, CodegenError> {
    match opt {
        Opt::Speed => isa(true),
        Opt::Fast => target(true, false, "single_pass"),
    }
}

/// The target of [`isa`], with Cranelift's optimisations (the e-graph
/// pass and the backtracking register allocator) or without: very large
/// functions are compiled without, since both grow faster than linearly
/// with a function's size.
pub(crate) fn isa_optimising(pic: bool, optimise: bool) -> Result<OwnedTargetIsa, CodegenError> {
    target(pic, optimise, if optimise { "backtracking" } else { "single_pass" })
}

fn target(pic: bool, optimise: bool, regalloc: &str) -> Result<OwnedTargetIsa, CodegenError> {
    let mut flags = settings::builder();
    let set = |f: &mut settings::Builder, k: &str, v: &str| f.set(k, v).map_err(err("setting a code generator flag"));
    set(&mut flags, "opt_level", if optimise { "speed" } else { "none" })?;
    set(&mut flags, "is_pic", if pic { "true" } else { "false" })?;
    set(&mut flags, "enable_verifier", if cfg!(debug_assertions) { "true" } else { "false" })?;
    set(&mut flags, "preserve_frame_pointers", "true")?;
    set(&mut flags, "regalloc_algorithm", regalloc)?;
    let builder = cranelift_native::builder_with_options(false).map_err(err("detecting the target"))?;
    builder.finish(settings::Flags::new(flags)).map_err(err("creating the target"))
}

/// The target triple objects are compiled for, as interface files record it.
/// Found once per process: every imported interface is checked against it.
pub fn target_triple() -> Result<String, CodegenError> {
    static TRIPLE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(t) = TRIPLE.get() {
        return Ok(t.clone());
    }
    let builder = cranelift_native::builder_with_options(false).map_err(err("detecting the target"))?;
    Ok(TRIPLE.get_or_init(|| builder.triple().to_string()).clone())
}
