//! Source modules on the search path (MODULES.md §1): in each `-I`
//! directory, `NAME.tesi` is a compiled module and a directory `NAME/` of
//! `.tes` files is a source module. The source modules a build imports
//! (directly or through each other) are found here and compiled by the
//! package builder, into the package's `build/` or, for files outside a
//! package, into the user's cache ([`cache_dir`]).

use crate::artifacts::{self, LibKind};
use crate::frontend::{self, Checked, ModuleInput};
use crate::manifest::{self, Package, SourceModule};
use crate::{link, module_graph, Error};
use std::path::PathBuf;
use tess_sema::hir::Mode;
use tess_syntax::{Diagnostics, FileId};

/// The source modules that `files` import, directly or through each
/// other, that are found as directories on `search` before any compiled
/// interface of the same name; `known` names modules found elsewhere (a
/// package's own). Each is built as `kind`.
pub fn find(files: &[PathBuf], search: &[PathBuf], known: &[&str], kind: LibKind) -> Result<Vec<SourceModule>, Error> {
    let mut found: Vec<SourceModule> = Vec::new();
    let mut pending: Vec<String> = imports_of(files)?;
    while let Some(name) = pending.pop() {
        if known.contains(&name.as_str()) || found.iter().any(|m| m.name == name) {
            continue;
        }
        let Some(dir) = source_dir(&name, search) else { continue };
        let files = manifest::tes_files(&dir)?;
        if files.is_empty() {
            return Err(format!("{}: module `{name}` has no `.tes` files", dir.display()).into());
        }
        pending.extend(imports_of(&files)?);
        found.push(SourceModule { name, files, kind });
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// The directory of source module `name`: `DIR/NAME/` in the first
/// directory of `search` that has either it or a compiled `NAME.tesi`
/// (`None` when that is the compiled one, or neither is anywhere).
fn source_dir(name: &str, search: &[PathBuf]) -> Option<PathBuf> {
    if !artifacts::valid_module_name(name) {
        return None;
    }
    search.iter().find_map(|d| {
        if d.join(artifacts::interface_file(name)).is_file() {
            Some(None)
        } else if d.join(name).is_dir() {
            Some(Some(d.join(name)))
        } else {
            None
        }
    })?
}

/// The module names `files` import (parsing only: syntax errors are the
/// compile step's to report).
fn imports_of(files: &[PathBuf]) -> Result<Vec<String>, Error> {
    let mut names = Vec::new();
    for path in files {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let text = String::from_utf8_lossy(&bytes);
        let imports = tess_syntax::parser::parse_imports(FileId(0), &text, &mut Diagnostics::default());
        names.extend(imports.iter().map(|i| i.path.name.clone()));
    }
    Ok(names)
}

/// Where source modules imported from outside a package are built, one
/// build directory per search path, kind of library and target: `$TESS_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/tessera`, else `~/.cache/tessera` (Go's build cache),
/// then `modules/HASH`.
pub fn cache_dir(search: &[PathBuf], kind: LibKind) -> Result<PathBuf, Error> {
    let root = std::env::var_os("TESS_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("tessera")))
        .or_else(|| std::env::var_os("HOME").map(|d| PathBuf::from(d).join(".cache").join("tessera")))
        .ok_or("no cache directory for source modules: set TESS_CACHE_DIR (or HOME)")?;
    // Keyed by absolute directories: the same search path from another
    // directory is the same build.
    let mut key = crate::package_cache::Key::new();
    key.add("kind", format!("{kind:?}").as_bytes());
    key.add("target", tess_codegen::target::target_triple().as_bytes());
    for dir in search {
        let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
        key.add("search", dir.display().to_string().as_bytes());
    }
    Ok(root.join("modules").join(&key.finish()[..16]))
}

/// The source modules a program run by the JIT imports, checked, and the
/// search path that finds their interfaces.
pub struct InMemory {
    /// In dependency order.
    pub modules: Vec<Checked>,
    pub search: Vec<PathBuf>,
    /// Holds their interfaces while the program is checked.
    _interfaces: Option<tempfile::TempDir>,
}

/// For `tess run` (MODULES.md §1: source modules compiled in memory): the
/// source modules that `files` import from `search`, each checked, in
/// dependency order. Only their interfaces are written (to a temporary
/// directory), for the modules after them to compile against; their code
/// is the JIT's, as if linked statically.
pub fn check_in_memory(files: &[PathBuf], search: &[PathBuf]) -> Result<InMemory, Error> {
    let modules = find(files, search, &[], LibKind::Static)?;
    if modules.is_empty() {
        return Ok(InMemory { modules: Vec::new(), search: search.to_vec(), _interfaces: None });
    }
    let graph = module_graph::graph(&Package::of_modules(modules))?;
    let interfaces = tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let search: Vec<PathBuf> = std::iter::once(interfaces.path().to_path_buf()).chain(search.iter().cloned()).collect();
    let mut checked = Vec::new();
    for node in &graph.nodes {
        let module = frontend::check(&ModuleInput {
            name: &node.name,
            mode: Some(Mode::Library),
            files: &node.files,
            search: &search,
            parse_cache: None,
            exported_only: &[],
            in_package: false,
        })?;
        let tesi = crate::steps::interface_bytes(&module, LibKind::Static)?;
        link::write_atomically(&interfaces.path().join(artifacts::interface_file(&node.name)), &tesi)?;
        checked.push(module);
    }
    Ok(InMemory { modules: checked, search, _interfaces: Some(interfaces) })
}
