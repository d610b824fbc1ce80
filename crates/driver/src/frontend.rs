//! Reading sources and running the front end (parse, check) on them.

use crate::diagnostics;
use std::path::PathBuf;
use tess_sema::hir;
use tess_syntax::{Diagnostics, FileId, SourceFile};

/// The module name of a program's main module.
pub const MAIN_MODULE: &str = "main";

/// Parses and checks the files of a program. `Ok(None)` means errors were
/// reported to standard error.
pub fn compile_program(paths: &[PathBuf]) -> Result<Option<hir::Module>, String> {
    compile_module(MAIN_MODULE, hir::Mode::Program, paths)
}

/// Parses and checks the files of one module.
pub fn compile_module(name: &str, mode: hir::Mode, paths: &[PathBuf]) -> Result<Option<hir::Module>, String> {
    let mut sources = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        sources.push(SourceFile::new(p.display().to_string(), text));
    }
    let mut diags = Diagnostics::default();
    let files: Vec<_> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| tess_syntax::parser::parse_file(FileId(i as u32), &s.text, &mut diags))
        .collect();
    let module = tess_sema::check_module(name, mode, &files, &mut diags);
    if diags.has_errors() {
        diagnostics::emit(&sources, &diags);
        return Ok(None);
    }
    Ok(Some(module))
}
