//! `tess build --emit-ninja` (MODULES.md §9): the package's steps written
//! as `build/build.ninja`, one edge per `tess compile` and `tess link`
//! command — the same steps, with the same arguments, that `tess build`
//! runs in-process, so `ninja -C build` writes the same bytes. Compile
//! edges have `restat = 1` and dependents depend on interfaces (`.tesi`),
//! not libraries: an edit that leaves an interface's bytes unchanged
//! re-runs no dependent's compile. The file regenerates itself when the
//! manifest or a source changes (a `generator` edge, as CMake's).

use crate::artifacts::{self, ImportedModule, LibKind};
use crate::manifest::{self, Package};
use crate::module_graph::Graph;
use crate::package::{self, Options, BUILD_DIR};
use crate::steps::{self, Target};
use crate::{frontend, link, module_graph, Error};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use tess_codegen::object_file::Opt;

/// The ninja file, relative to the package root.
pub fn ninja_file() -> PathBuf {
    Path::new(BUILD_DIR).join("build.ninja")
}

/// Writes `build/build.ninja` for the package whose root is the current
/// directory, unless it already says the same; its path when written.
pub fn emit(options: &Options) -> Result<Option<PathBuf>, Error> {
    let package = package::load(options)?;
    let graph = module_graph::graph(&package)?;
    let tess = std::env::current_exe().map_err(|e| format!("cannot locate the tess executable: {e}"))?;
    let text = Writer { package: &package, graph: &graph, options, tess: &tess }.file()?;
    let path = ninja_file();
    Ok(link::write_if_changed(&path, text.as_bytes())?.then_some(path))
}

/// The rules every edge uses: each command runs at the package root.
const RULES: &str = "
rule compile
  command = cd .. && $tess compile --module $module $flags $opt -I build/lib $search $args
  description = Compiling $what
  restat = 1
rule link
  command = cd .. && $tess link $flags -I build/lib $search $args
  description = $verb $what
  restat = 1
rule regenerate
  command = cd .. && $tess build --emit-ninja $opt $search
  description = Regenerating build.ninja
  generator = 1
  restat = 1
";

struct Writer<'a> {
    package: &'a Package,
    graph: &'a Graph,
    options: &'a Options,
    tess: &'a Path,
}

/// A path as ninja reads it in a `build` line (relative to `build/`, where
/// ninja runs): `$`, `:` and spaces escaped.
fn ninja_path(p: &Path) -> String {
    let text = p.display().to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '$' | ':' | ' ' | '\n') {
            out.push('$');
        }
        out.push(c);
    }
    out
}

/// A path or word in a command line: quoted for the shell when needed,
/// with `$` doubled for ninja.
fn arg(word: &str) -> String {
    let plain = word.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+=,".contains(c));
    let quoted =
        if plain && !word.is_empty() { word.to_string() } else { format!("'{}'", word.replace('\'', "'\\''")) };
    quoted.replace('$', "$$")
}

fn arg_path(p: &Path) -> String {
    arg(&p.display().to_string())
}

/// A package-relative path as seen from `build/`.
fn from_build(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        Path::new("..").join(p)
    }
}

/// A build-directory path (`build/lib/...`) as seen from `build/`.
fn in_build(p: &Path) -> PathBuf {
    p.strip_prefix(BUILD_DIR).map(Path::to_path_buf).unwrap_or_else(|_| from_build(p))
}

impl Writer<'_> {
    fn file(&self) -> Result<String, Error> {
        let mut out = String::new();
        let search: Vec<String> = self.options.search.iter().map(|d| format!("-I {}", arg_path(d))).collect();
        let _ = writeln!(out, "# Written by `tess build --emit-ninja`; run `ninja -C build`. Regenerated when");
        let _ = writeln!(out, "# Tessera.toml or a source changes. Every command runs at the package root.");
        let _ = writeln!(out, "ninja_required_version = 1.5");
        let _ = writeln!(out, "tess = {}", arg_path(self.tess));
        let _ = writeln!(out, "search = {}", search.join(" "));
        let _ = writeln!(out, "opt = {}", if self.options.opt == Opt::Fast { "-O0" } else { "" });
        out.push_str(RULES);
        for i in 0..self.graph.nodes.len() {
            self.module(i, &mut out)?;
        }
        self.regenerate(&mut out);
        Ok(out)
    }

    /// The compiled modules outside the package that module `i` links (and
    /// compiles against): `None` where one is not found (its compile will
    /// say so).
    fn external(&self, i: usize) -> Vec<ImportedModule> {
        let node = &self.graph.nodes[i];
        let ours = |n: &str| self.graph.nodes.iter().any(|m| m.name == n && m.kind != Target::Program);
        let names: Vec<String> = node.import_names.iter().filter(|n| !ours(n)).cloned().collect();
        frontend::link_imports(&names, &self.options.search).unwrap_or_default()
    }

    fn module(&self, i: usize, out: &mut String) -> Result<(), Error> {
        let node = &self.graph.nodes[i];
        let reachable = self.graph.reachable(i);
        let external = self.external(i);
        let lib = Path::new(BUILD_DIR).join("lib");
        // A compile reads the interfaces of its direct imports only; a link
        // (and a library's .pc) those of everything it links.
        let direct: Vec<usize> = node.imports.clone();
        let direct_interfaces: Vec<PathBuf> =
            direct.iter().map(|&j| lib.join(artifacts::interface_file(&self.graph.nodes[j].name))).collect();
        let interfaces: Vec<PathBuf> = reachable
            .iter()
            .map(|&j| lib.join(artifacts::interface_file(&self.graph.nodes[j].name)))
            .chain(external.iter().map(ImportedModule::interface_path))
            .collect();
        let obj_dir = package::obj_dir(Path::new(BUILD_DIR), node);
        let objects: Vec<PathBuf> = steps::object_names(&node.files)?.iter().map(|n| obj_dir.join(n)).collect();
        let kind = match node.kind {
            Target::Library(kind) => Some(kind),
            Target::Program => None,
        };
        let shared_flag = if kind == Some(LibKind::Shared) { "--shared" } else { "" };

        // Compile: sources and imported interfaces → objects (and the
        // library's interface).
        let mut outputs = objects.clone();
        let mut args = format!("--obj-dir {}", arg_path(&obj_dir));
        if kind.is_some() {
            let tesi = lib.join(artifacts::interface_file(&node.name));
            let _ = write!(args, " --emit-interface {}", arg_path(&tesi));
            outputs.push(tesi);
        }
        for f in &node.files {
            let _ = write!(args, " {}", arg_path(f));
        }
        // Which library an import has (shared or static) decides what the
        // checker allows: it must exist first.
        let external_direct: Vec<PathBuf> = external
            .iter()
            .filter(|m| node.import_names.contains(&m.name))
            .map(ImportedModule::interface_path)
            .collect();
        let compile_inputs: Vec<PathBuf> = direct_interfaces.into_iter().chain(external_direct).collect();
        // (A module imports libraries only: the program is no import.)
        let library = |j: usize| package::output_path(Path::new(BUILD_DIR), self.package, &self.graph.nodes[j]);
        let libraries: Vec<PathBuf> = direct.iter().map(|&j| library(j)).collect();
        let _ = writeln!(out);
        let _ = write!(out, "build {}: compile {}", paths(&outputs, in_build), paths(&node.files, from_build));
        if !compile_inputs.is_empty() {
            let _ = write!(out, " | {}", paths(&compile_inputs, in_build));
        }
        if !libraries.is_empty() {
            let _ = write!(out, " || {}", paths(&libraries, in_build));
        }
        let _ = writeln!(out);
        let what = package::step_name(self.package, node);
        let _ = writeln!(out, "  module = {}", node.name);
        let _ = writeln!(out, "  what = {what}");
        let _ = writeln!(out, "  flags = {shared_flag}");
        let _ = writeln!(out, "  args = {args}");

        // Link: objects → the archive, shared library or program (and a
        // library's .pc), with the archives it contains and the interfaces
        // `tess link` reads to find what it links; the other libraries it
        // names must exist first.
        let target = package::output_path(Path::new(BUILD_DIR), self.package, node);
        let mut outputs = vec![target.clone()];
        let mut implicit: Vec<PathBuf> = interfaces.clone();
        let mut order_only: Vec<PathBuf> = Vec::new();
        let mut link_args = format!("-o {}", arg_path(&target));
        if kind.is_some() {
            let _ = write!(link_args, " --module {}", arg(&node.name));
            outputs.push(lib.join(artifacts::pkg_config_file(&node.name)));
        }
        // An archive contains only its own objects; a shared library or the
        // program also the static modules it reaches through static ones.
        let contained = if kind == Some(LibKind::Static) { Vec::new() } else { self.graph.linked_statically(i) };
        for &j in &reachable {
            if contained.contains(&self.graph.nodes[j].name.as_str()) {
                implicit.push(library(j));
            } else {
                order_only.push(library(j));
            }
        }
        if kind != Some(LibKind::Static) {
            implicit.extend(external.iter().filter_map(|m| m.library().ok()).map(|(path, _)| path));
        }
        for name in &node.import_names {
            let _ = write!(link_args, " --import {}", arg(name));
        }
        for o in &objects {
            let _ = write!(link_args, " {}", arg_path(o));
        }
        let link_flag = match kind {
            Some(LibKind::Static) => "--static",
            Some(LibKind::Shared) => "--shared",
            None => "",
        };
        let _ = write!(out, "build {}: link {}", paths(&outputs, in_build), paths(&objects, in_build));
        if !implicit.is_empty() {
            let _ = write!(out, " | {}", paths(&implicit, in_build));
        }
        if !order_only.is_empty() {
            let _ = write!(out, " || {}", paths(&order_only, in_build));
        }
        let _ = writeln!(out);
        let verb = if kind == Some(LibKind::Static) { "Archiving" } else { "Linking" };
        let _ = writeln!(out, "  verb = {verb}");
        let _ = writeln!(out, "  what = {what}");
        let _ = writeln!(out, "  flags = {link_flag}");
        let _ = writeln!(out, "  args = {link_args}");
        Ok(())
    }

    /// The edge that rewrites this file when the package changes: the
    /// manifest, any source, or a directory of `src/` (a file or module
    /// added or removed).
    fn regenerate(&self, out: &mut String) {
        let mut inputs = vec![PathBuf::from(manifest::MANIFEST), PathBuf::from("src")];
        for node in &self.graph.nodes {
            if let Some(dir) = node.files.first().and_then(|f| f.parent()) {
                if !inputs.iter().any(|i| i == dir) {
                    inputs.push(dir.to_path_buf());
                }
            }
            inputs.extend(node.files.iter().cloned());
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "build build.ninja: regenerate {}", paths(&inputs, from_build));
    }
}

/// Paths for a `build` line, each mapped into `build/`'s view.
fn paths(list: &[PathBuf], view: fn(&Path) -> PathBuf) -> String {
    list.iter().map(|p| ninja_path(&view(p))).collect::<Vec<_>>().join(" ")
}
