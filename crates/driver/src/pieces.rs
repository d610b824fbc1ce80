//! A module in pieces (MODULES.md §1, Swift's primary-file mode): one
//! compiler run per file. Every file of the module (from a compilation
//! database) is parsed and checked, only the primary file is compiled; the
//! objects of all the pieces link into the same module a whole-module
//! build gives.

use crate::artifacts::LibKind;
use crate::frontend::{self, ModuleInput};
use crate::steps::{self, Target};
use crate::Error;
use serde::Deserialize;
use std::path::{Path, PathBuf};
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
    pub opt: tess_codegen::object_file::Opt,
}

pub fn compile(p: &Piece) -> Result<(), Error> {
    crate::artifacts::check_module_name(p.module)?;
    let files = module_files(p.cdb, p.module)?;
    let same = |a: &Path, b: &Path| std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok();
    let Some(index) = files.iter().position(|f| same(f, p.primary)) else {
        return Err(
            format!("{} is not a file of module `{}` in {}", p.primary.display(), p.module, p.cdb.display()).into()
        );
    };
    let checked = frontend::check(&ModuleInput {
        name: p.module,
        mode: None,
        files: &files,
        search: p.search,
        parse_cache: Some(&parse_cache(p.cdb)),
        exported_only: &[],
        in_package: false,
    })?;
    let m = &checked.module;
    let object = steps::object_of(m, Target::of(m.mode, p.shared), index, files.len(), p.opt)?;
    crate::link::write_if_changed(p.output, &object)?;
    Ok(())
}

/// Where the pieces' runs share parsed files: `$TESS_CACHE_DIR`, or
/// `.tess-cache` beside the source list.
fn parse_cache(cdb: &Path) -> PathBuf {
    std::env::var_os("TESS_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| cdb.parent().unwrap_or(Path::new(".")).join(".tess-cache"))
}

/// The step that closes a module in pieces: its pieces' objects (one per
/// file, in the source list's order) into its library, with the module's
/// interface and `.pc` file beside it — the same bytes `tess build --lib`
/// writes for the module built whole.
pub struct Merge<'a> {
    pub module: &'a str,
    pub cdb: &'a Path,
    pub search: &'a [PathBuf],
    pub objects: &'a [PathBuf],
    pub output: &'a Path,
    pub kind: LibKind,
}

pub fn merge(m: &Merge) -> Result<(), Error> {
    let files = module_files(m.cdb, m.module)?;
    if files.len() != m.objects.len() {
        return Err(format!(
            "module `{}` has {} files in {} and {} objects were given: give one object per file, in the list's order",
            m.module,
            files.len(),
            m.cdb.display(),
            m.objects.len()
        )
        .into());
    }
    let checked = frontend::check(&ModuleInput {
        name: m.module,
        mode: Some(Mode::Library),
        files: &files,
        search: m.search,
        parse_cache: Some(&parse_cache(m.cdb)),
        exported_only: &[],
        in_package: false,
    })?;
    steps::link_files(m.objects, m.output, Target::Library(m.kind), &checked.imports, &[])?;
    steps::write_interface(&checked, m.kind, m.output, None, &[])?;
    Ok(())
}
