//! `tess check`: the front end alone (parse, resolve, type-check) over a
//! package's modules or over files, reporting every error of every module
//! and generating no code — what editors and CI run (Cargo's `cargo
//! check`, Go's `go vet`). A package's library modules are checked in
//! dependency order; each one's interface goes to `build/check/`, where
//! the modules importing it find it. Nothing there is ever linked: builds
//! read `build/lib/` only.

use crate::artifacts::LibKind;
use crate::frontend::{self, ModuleInput};
use crate::module_graph;
use crate::package::{self, Options};
use crate::steps::{self, Target};
use crate::{link, Error};
use std::path::{Path, PathBuf};
use tess_sema::hir::Mode;

/// Where a package's checked interfaces go, in its build directory.
pub const CHECK_DIR: &str = "check";

/// How a module's check went.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Checked,
    Failed,
    /// Not checked: something it imports failed or was skipped.
    Skipped,
}

/// Checks every module of the package whose root is the current
/// directory; how many were checked. A module whose import has errors is
/// not checked (its own errors would be about that import): it is named
/// instead.
pub fn package(options: &Options) -> Result<usize, Error> {
    let package = package::load(options)?;
    modules(Path::new("."), &package, options)
}

/// For an editor (`tess lsp`): checks the package at `root` (its modules
/// as saved) so that the interfaces of its modules are in `build/check/`
/// before anything is built; how many modules were checked.
pub fn for_editor(root: &Path, search: &[PathBuf]) -> Result<usize, Error> {
    let mut package = crate::manifest::load(root)?;
    // An editor starts its server in any directory: the files' paths,
    // relative to the package's root, are made whole.
    for m in &mut package.modules {
        m.files = m.files.iter().map(|f| root.join(f)).collect();
    }
    package.main = package.main.iter().map(|f| root.join(f)).collect();
    let options = Options { jobs: 1, search: search.to_vec(), opt: Default::default(), dependency_libs: Vec::new() };
    modules(root, &package, &options)
}

/// Checks the modules of `package`, whose root is `root` (its files'
/// paths are relative to it).
fn modules(root: &Path, package: &crate::manifest::Package, options: &Options) -> Result<usize, Error> {
    let graph = module_graph::graph(package)?;
    let build = root.join(package::build_dir());
    let build = build.as_path();
    let dir = build.join(CHECK_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let _lock = package::lock(build)?;
    let search: Vec<PathBuf> = std::iter::once(dir.clone()).chain(options.search.iter().cloned()).collect();
    let mut state = vec![State::Checked; graph.nodes.len()];
    let mut errors = Vec::new();
    for (i, node) in graph.nodes.iter().enumerate() {
        if let Some(&bad) = node.imports.iter().find(|&&j| state[j] != State::Checked) {
            state[i] = State::Skipped;
            let why = if state[bad] == State::Failed { "has errors" } else { "was not checked" };
            errors.push(Error::Message(format!(
                "module `{}` was not checked: it imports `{}`, which {why}",
                node.name, graph.nodes[bad].name
            )));
            continue;
        }
        let mode = if node.kind == Target::Program { Mode::Program } else { Mode::Library };
        let files: Vec<PathBuf> =
            node.files.iter().map(|f| if root == Path::new(".") { f.clone() } else { root.join(f) }).collect();
        let input = ModuleInput {
            name: &node.name,
            mode: Some(mode),
            files: &files,
            search: &search,
            parse_cache: None,
            exported_only: &options.dependency_libs,
            in_package: true,
        };
        match frontend::check(&input) {
            Ok(checked) => {
                if let Target::Library(kind) = node.kind {
                    let path = dir.join(crate::artifacts::interface_file(&node.name));
                    link::write_if_changed(&path, &steps::interface_bytes(&checked, kind)?)?;
                }
            }
            Err(e) => {
                state[i] = State::Failed;
                errors.push(e);
            }
        }
    }
    match errors.len() {
        0 => Ok(graph.nodes.len()),
        1 => Err(errors.remove(0)),
        _ => Err(Error::Several(errors)),
    }
}

/// Checks `files` as one module: library `module` when it is named, else
/// a program (or, without top-level statements, a library `main`). Source modules
/// they import from `search` are built first, as `tess build` does.
pub fn files(files: &[PathBuf], search: &[PathBuf], module: Option<&str>) -> Result<(), Error> {
    if files.is_empty() {
        return Err("no input files".into());
    }
    let search = package::with_source_modules(files, search, LibKind::Static)?;
    let name = module.unwrap_or(frontend::MAIN_MODULE);
    crate::artifacts::check_module_name(name)?;
    let mode = module.map(|_| Mode::Library);
    frontend::check(&ModuleInput {
        name,
        mode,
        files,
        search: &search,
        parse_cache: None,
        exported_only: &[],
        in_package: false,
    })?;
    Ok(())
}
