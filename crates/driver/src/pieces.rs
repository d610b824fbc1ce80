//! A module in pieces (MODULES.md §1, Swift's primary-file mode): one
//! compiler run per file. Every file of the module (from a compilation
//! database) is parsed and checked, only the primary file is compiled; the
//! objects of all the pieces link into the same module a whole-module
//! build gives.

use crate::frontend;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tess_codegen::object_file::{object_file_of, Output};
use tess_sema::hir::Mode;

#[derive(Deserialize)]
struct Entry {
    file: String,
    directory: String,
    module: String,
}

/// The files of `module` listed in the compilation database, in order.
fn module_files(cdb: &Path, module: &str) -> Result<Vec<PathBuf>, String> {
    let text = std::fs::read_to_string(cdb).map_err(|e| format!("cannot read {}: {e}", cdb.display()))?;
    let entries: Vec<Entry> =
        serde_json::from_str(&text).map_err(|e| format!("{}: not a module source list ({e})", cdb.display()))?;
    let files: Vec<PathBuf> =
        entries.into_iter().filter(|e| e.module == module).map(|e| Path::new(&e.directory).join(e.file)).collect();
    if files.is_empty() {
        return Err(format!("{} lists no files of module `{module}`", cdb.display()));
    }
    Ok(files)
}

pub fn compile(
    module: &str,
    primary: &Path,
    cdb: &Path,
    include: &[PathBuf],
    output: &Path,
    shared: bool,
) -> Result<ExitCode, String> {
    let files = module_files(cdb, module)?;
    let same = |a: &Path, b: &Path| std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok();
    let Some(index) = files.iter().position(|f| same(f, primary)) else {
        return Err(format!("{} is not a file of module `{module}` in {}", primary.display(), cdb.display()));
    };
    // Parsed files are shared by the pieces' runs (TESS_CACHE_DIR, or
    // `.tess-cache` beside the source list).
    let cache = std::env::var_os("TESS_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| cdb.parent().unwrap_or(Path::new(".")).join(".tess-cache"));
    let Some(frontend::Checked { module: m, .. }) =
        frontend::compile_module_cached(module, None, &files, include, Some(&cache))?
    else {
        return Ok(ExitCode::from(1));
    };
    let kind = match (m.mode, shared) {
        (Mode::Program, _) => Output::Program,
        (Mode::Library, true) => Output::SharedLibrary,
        (Mode::Library, false) => Output::Archive,
    };
    let object = object_file_of(&m, kind, Some(index as u32)).map_err(|e| e.to_string())?;
    std::fs::write(output, object).map_err(|e| format!("cannot write {}: {e}", output.display()))?;
    Ok(ExitCode::SUCCESS)
}
