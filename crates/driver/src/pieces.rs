//! A module in pieces (MODULES.md §1, Swift's primary-file mode): one
//! compiler run per file. Every file of the module (from a compilation
//! database) is parsed and checked, only the primary file is compiled; the
//! objects of all the pieces link into the same module a whole-module
//! build gives.

use crate::frontend::{self, ModuleInput};
use crate::Error;
use serde::Deserialize;
use std::path::{Path, PathBuf};
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

/// A piece's request: the module, its primary file, the compilation
/// database listing the module's files, and where the object goes.
pub struct Piece<'a> {
    pub module: &'a str,
    pub primary: &'a Path,
    pub cdb: &'a Path,
    pub search: &'a [PathBuf],
    pub output: &'a Path,
    /// The object goes into a shared library.
    pub shared: bool,
}

pub fn compile(p: &Piece) -> Result<(), Error> {
    let files = module_files(p.cdb, p.module)?;
    let same = |a: &Path, b: &Path| std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok();
    let Some(index) = files.iter().position(|f| same(f, p.primary)) else {
        return Err(
            format!("{} is not a file of module `{}` in {}", p.primary.display(), p.module, p.cdb.display()).into()
        );
    };
    // Parsed files are shared by the pieces' runs (TESS_CACHE_DIR, or
    // `.tess-cache` beside the source list).
    let cache = std::env::var_os("TESS_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| p.cdb.parent().unwrap_or(Path::new(".")).join(".tess-cache"));
    let checked = frontend::check(&ModuleInput {
        name: p.module,
        mode: None,
        files: &files,
        search: p.search,
        parse_cache: Some(&cache),
    })?;
    let m = &checked.module;
    let kind = match (m.mode, p.shared) {
        (Mode::Program, _) => Output::Program,
        (Mode::Library, true) => Output::SharedLibrary,
        (Mode::Library, false) => Output::Archive,
    };
    let object = crate::on_compiler_stack(|| object_file_of(m, kind, Some(index as u32)))
        .map_err(|e| Error::Message(e.to_string()))?;
    crate::link::make_parent(p.output)?;
    std::fs::write(p.output, object).map_err(|e| format!("cannot write {}: {e}", p.output.display()))?;
    Ok(())
}
