//! `tess test` (issue 32): for each module, its test program — its files
//! with their `test fn`s, run instead of their statements
//! (`test_harness.rs`) — built and run with the name filters; as `cargo
//! test`, one program per module, each reporting as Cargo's test harness.
//! A package is built first, so the test programs link what it built;
//! their executables go to `build/test/`.

use crate::artifacts::LibKind;
use crate::module_graph;
use crate::package::{self, Options};
use crate::progress;
use crate::steps::{self, Request, Target};
use crate::Error;
use std::path::{Path, PathBuf};
use tess_codegen::object_file::Opt;

/// Where a package's test programs go, in its build directory.
pub const TEST_DIR: &str = "test";

/// Tests `files` as one module; whether every test chosen passed.
pub fn files(files: &[PathBuf], search: &[PathBuf], filters: &[String]) -> Result<bool, Error> {
    let search = package::with_source_modules(files, search, LibKind::Static)?;
    let dir = tempfile::tempdir().map_err(|e| format!("cannot make a directory for the test program: {e}"))?;
    let stem = files.first().and_then(|f| f.file_stem()).map_or("main".into(), |s| s.to_string_lossy().into_owned());
    suite(&stem, files, &search, &[], false, dir.path(), filters)
}

/// Builds the package whose root is the current directory, then tests each
/// of its modules in dependency order; whether every test chosen passed.
pub fn package(options: &Options, filters: &[String]) -> Result<bool, Error> {
    package::build(options)?;
    let package = package::load(options)?;
    let graph = module_graph::graph(&package)?;
    let build = &package::build_dir();
    let dir = build.join(TEST_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let search: Vec<PathBuf> = std::iter::once(build.join("lib")).chain(options.search.iter().cloned()).collect();
    let mut passed = true;
    for node in &graph.nodes {
        let name = if node.kind == Target::Program { package.name.as_str() } else { node.name.as_str() };
        passed &= suite(name, &node.files, &search, &options.dependency_libs, true, &dir, filters)?;
    }
    Ok(passed)
}

/// Builds the test program of the module of `files` (called `name` in its
/// executable's name) into `dir` and runs it with `filters`.
fn suite(
    name: &str,
    files: &[PathBuf],
    search: &[PathBuf],
    dependency_libs: &[PathBuf],
    in_package: bool,
    dir: &Path,
    filters: &[String],
) -> Result<bool, Error> {
    let compiled = steps::compile(&Request {
        name: crate::frontend::MAIN_MODULE,
        files,
        search,
        mode: None,
        shared: false,
        opt: Opt::default(),
        tests: true,
        exported_only: dependency_libs,
        in_package,
    })?;
    let exe = dir.join(format!("{name}-tests"));
    steps::link_objects(&compiled.objects, &exe, Target::Program, &compiled.checked.imports, &[], false)?;
    progress::line("Running", &format!("tests of `{name}` ({})", exe.display()));
    let status = std::process::Command::new(&exe)
        .args(filters)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    Ok(status.success())
}
