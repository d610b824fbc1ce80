//! `tess build` and `tess run` in a package (MODULES.md §9): the module
//! graph built in dependency order, independent modules in parallel, each
//! step skipped when its cache record says it is up to date, with Cargo's
//! progress lines on standard error.
//!
//! A module's compile writes its objects in `build/obj/NAME/` and, for a
//! library, `build/lib/NAME.tesi` and `NAME.pc` (and `libNAME.a` for a
//! static one); a shared module's link writes `build/lib/libNAME.so`, the
//! program's `build/bin/<package>`. Compiles and links are separate
//! steps, so that a body edit in a static library relinks what contains
//! it without recompiling anything else.

use crate::artifacts::{self, ImportedModule, LibKind};
use crate::frontend;
use crate::manifest::{self, Package};
use crate::module_graph::{self, Graph, Node};
use crate::package_cache::{file_hash, Cache, Key, Record};
use crate::progress::{self, Progress};
use crate::steps::{self, Target};
use crate::{source_modules, Error};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;
use tess_codegen::object_file::Opt;
use tess_sema::hir::Mode;

/// The build directory, relative to the package root.
pub const BUILD_DIR: &str = "build";

/// Where the package builds for the platform being compiled for, relative
/// to the package root: [`BUILD_DIR`] for the host, `build/TRIPLE/` for
/// another (`--target`), so that the host's build and each cross build
/// keep their own outputs and cache records (Cargo's `target/TRIPLE/`).
pub fn build_dir() -> PathBuf {
    let platform = tess_codegen::target::platform();
    if platform == tess_codegen::target::Platform::host() {
        PathBuf::from(BUILD_DIR)
    } else {
        Path::new(BUILD_DIR).join(platform.triple())
    }
}

/// How to build a package.
pub struct Options {
    /// Steps run at once.
    pub jobs: usize,
    /// Directories of compiled modules outside the package (`-I`),
    /// absolute.
    pub search: Vec<PathBuf>,
    /// How much the code generator optimises (`-O0`).
    pub opt: Opt,
    /// The library directories of the package's dependencies (also on
    /// `search`): their modules are seen through their exports.
    pub dependency_libs: Vec<PathBuf>,
}

/// What a package build produced.
pub struct Built {
    /// The program, relative to the package root, when the package has one.
    pub program: Option<PathBuf>,
}

/// Builds the package whose root is the current directory (the caller
/// changes to it, so that every path in messages and outputs is relative
/// to the package). Source modules its modules import from `-I`
/// directories are built with it, as static modules.
pub fn build(options: &Options) -> Result<Built, Error> {
    let started = Instant::now();
    let package = load(options)?;
    let program = build_in(&build_dir(), &package, options, Libraries::Own)?;
    progress::line("Finished", &format!("in {:.2} s", started.elapsed().as_secs_f64()));
    Ok(Built { program })
}

/// The package whose root is the current directory, with the source
/// modules its modules import from the `-I` directories (static).
pub fn load(options: &Options) -> Result<Package, Error> {
    let mut package = manifest::load(Path::new("."))?;
    if options.search.is_empty() {
        return Ok(package);
    }
    let files: Vec<PathBuf> =
        package.modules.iter().flat_map(|m| m.files.clone()).chain(package.main.clone()).collect();
    let ours: Vec<&str> = package.modules.iter().map(|m| m.name.as_str()).collect();
    let external = source_modules::find(&files, &options.search, &ours, LibKind::Static)?;
    package.modules.extend(external);
    Ok(package)
}

/// Whose the libraries in a build directory's `lib/` are.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Libraries {
    /// The package's alone (its own `build/`): what its graph does not
    /// make is a leftover, removed before the build.
    Own,
    /// Shared by builds of different modules (the cache of source modules
    /// found on `-I`): left alone.
    Shared,
}

/// Builds the modules of `package` into the build directory `dir`; the
/// program's path when it has one.
pub fn build_in(
    dir: &Path,
    package: &Package,
    options: &Options,
    libraries: Libraries,
) -> Result<Option<PathBuf>, Error> {
    let graph = module_graph::graph(package)?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let _lock = lock(dir)?;
    if libraries == Libraries::Own {
        remove_stale_libraries(&dir.join("lib"), &graph)?;
    }
    let builder = Builder {
        package,
        graph: &graph,
        options,
        dir,
        cache: Cache::new(dir.join("cache")),
        fingerprints: Mutex::default(),
        progress: Progress::new(graph.nodes.len()),
    };
    builder.run()?;
    Ok(graph.nodes.iter().any(|n| n.kind == Target::Program).then(|| program_path(dir, package)))
}

/// Removes from the build's library directory the interfaces, libraries
/// and pkg-config files of modules this build does not make (a module
/// found on `-I` as sources in an earlier build, a module since removed):
/// it comes first on the search path, so a leftover would be linked
/// instead of what the imports now name.
fn remove_stale_libraries(lib: &Path, graph: &Graph) -> Result<(), Error> {
    let Ok(entries) = std::fs::read_dir(lib) else { return Ok(()) };
    for entry in entries.filter_map(Result::ok) {
        let file = entry.file_name().to_string_lossy().into_owned();
        let ours = graph.nodes.iter().any(|n| {
            file == artifacts::interface_file(&n.name)
                || file == artifacts::pkg_config_file(&n.name)
                || [LibKind::Static, LibKind::Shared].iter().any(|k| file == k.file_name(&n.name))
        });
        if !ours {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

/// Builds the source modules that `files` import from the `-I`
/// directories `search` (MODULES.md §1) into the user's cache, as `kind`;
/// the search path with their build directory first (unchanged when they
/// import none).
pub fn with_source_modules(files: &[PathBuf], search: &[PathBuf], kind: LibKind) -> Result<Vec<PathBuf>, Error> {
    let modules = source_modules::find(files, search, &[], kind)?;
    if modules.is_empty() {
        return Ok(search.to_vec());
    }
    let dir = source_modules::cache_dir(search, kind)?;
    let package = Package::of_modules(modules);
    build_in(
        &dir,
        &package,
        &Options { jobs: default_jobs(), search: search.to_vec(), opt: Opt::default(), dependency_libs: Vec::new() },
        Libraries::Shared,
    )?;
    Ok(std::iter::once(dir.join("lib")).chain(search.iter().cloned()).collect())
}

/// The root of the package around the current directory.
pub fn find_root() -> Option<PathBuf> {
    let here = std::env::current_dir().ok()?;
    manifest::find_root(&here)
}

fn program_path(dir: &Path, package: &Package) -> PathBuf {
    dir.join("bin").join(artifacts::program_file_name(&package.name))
}

/// What module `node` of `package` becomes in the build directory `dir`:
/// its library, or the program.
pub fn output_path(dir: &Path, package: &Package, node: &Node) -> PathBuf {
    match node.kind {
        Target::Library(kind) => dir.join("lib").join(kind.file_name(&node.name)),
        Target::Program => program_path(dir, package),
    }
}

/// Where module `node`'s objects go in the build directory `dir`.
pub fn obj_dir(dir: &Path, node: &Node) -> PathBuf {
    dir.join("obj").join(&node.name)
}

/// The name a module's steps go by in progress lines (Cargo's): its own,
/// or for the main module `<package> (program)`.
pub fn step_name(package: &Package, node: &Node) -> String {
    match node.kind {
        Target::Program => format!("{} (program)", package.name),
        Target::Library(_) => node.name.clone(),
    }
}

/// Steps run at once unless told (`-j`): one per core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Holds the build directory's lock: two builds of one package at once
/// take turns instead of writing the same files (Cargo's file lock).
pub(crate) fn lock(build: &Path) -> Result<std::fs::File, Error> {
    let path = build.join(".lock");
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(|e| {
        format!(
            "cannot open {}: {e}\nhint: the build directory `{}/` must be writable (or removed, to start afresh)",
            path.display(),
            build.display()
        )
    })?;
    if file.try_lock().is_err() {
        progress::line("Blocking", "waiting for file lock on the build directory");
        file.lock().map_err(|e| format!("cannot lock {}: {e}", path.display()))?;
    }
    Ok(file)
}

/// Where each module is in the schedule.
#[derive(Clone, Copy, PartialEq)]
enum State {
    Waiting,
    Running,
    Built,
    Failed,
}

/// What a worker does next.
enum Next {
    Job(usize),
    Wait,
    Done,
}

struct Builder<'a> {
    package: &'a Package,
    graph: &'a Graph,
    options: &'a Options,
    /// The build directory.
    dir: &'a Path,
    cache: Cache,
    /// [`Builder::fingerprints`] read so far.
    fingerprints: Mutex<HashMap<String, Arc<HashMap<String, String>>>>,
    progress: Progress,
}

impl Builder<'_> {
    /// Runs every module's steps, each once its imports are built, on
    /// `jobs` threads; a module whose import failed is not attempted.
    fn run(&self) -> Result<(), Error> {
        let state = Mutex::new(vec![State::Waiting; self.graph.nodes.len()]);
        let changed = Condvar::new();
        let errors = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..self.options.jobs.max(1) {
                s.spawn(|| loop {
                    let job = {
                        let mut states = state.lock().unwrap_or_else(|e| e.into_inner());
                        loop {
                            match self.next(&mut states) {
                                Next::Job(i) => break Some(i),
                                Next::Wait => states = changed.wait(states).unwrap_or_else(|e| e.into_inner()),
                                Next::Done => break None,
                            }
                        }
                    };
                    let Some(i) = job else {
                        changed.notify_all();
                        break;
                    };
                    let result = self.module(i);
                    self.progress.module_done();
                    let done = if result.is_ok() { State::Built } else { State::Failed };
                    if let Err(e) = result {
                        errors.lock().unwrap_or_else(|e| e.into_inner()).push(e);
                    }
                    state.lock().unwrap_or_else(|e| e.into_inner())[i] = done;
                    changed.notify_all();
                });
            }
        });
        let errors = errors.into_inner().unwrap_or_else(|e| e.into_inner());
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.into_iter().next().unwrap_or(Error::Message(String::new()))),
            _ => Err(Error::Several(errors)),
        }
    }

    /// The next module to build: one whose imports are all built. Modules
    /// with a failed import fail without being attempted.
    fn next(&self, states: &mut [State]) -> Next {
        let nodes = &self.graph.nodes;
        // Nodes come after their imports, so one pass propagates failures.
        for i in 0..nodes.len() {
            if states[i] == State::Waiting && nodes[i].imports.iter().any(|&d| states[d] == State::Failed) {
                states[i] = State::Failed;
            }
        }
        if let Some(i) = (0..nodes.len())
            .find(|&i| states[i] == State::Waiting && nodes[i].imports.iter().all(|&d| states[d] == State::Built))
        {
            states[i] = State::Running;
            return Next::Job(i);
        }
        if states.iter().any(|s| matches!(s, State::Waiting | State::Running)) {
            Next::Wait
        } else {
            Next::Done
        }
    }

    /// Where imports are found: the package's own modules, then `-I`.
    fn search(&self) -> Vec<PathBuf> {
        let mut search = vec![self.dir.join("lib")];
        search.extend(self.options.search.iter().cloned());
        search
    }

    /// A module's compile step, then its link step unless it is a static
    /// library (whose archive its compile writes).
    fn module(&self, index: usize) -> Result<(), Error> {
        let node = &self.graph.nodes[index];
        let record = self.compile(node)?;
        if node.kind == Target::Library(LibKind::Static) {
            return Ok(());
        }
        self.link(index, &record, &output_path(self.dir, self.package, node))
    }

    /// The compile step's key: everything of its own that it depends on.
    fn compile_key(&self, node: &Node) -> Result<String, Error> {
        let mut key = Key::new();
        key.add("kind", format!("{:?}", node.kind).as_bytes());
        key.add("opt", format!("{:?}", self.options.opt).as_bytes());
        key.add("name", node.name.as_bytes());
        for f in &node.files {
            let text = std::fs::read(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
            key.add("file", f.display().to_string().as_bytes()).add("text", &text);
        }
        for &i in &node.imports {
            let dep = &self.graph.nodes[i];
            key.add("import", format!("{} {:?}", dep.name, dep.kind).as_bytes());
        }
        // Where each import from outside the package resolves, not the
        // whole search path: a changed `-I` or dependency recompiles only
        // the modules whose imports it moves.
        let search = self.search();
        for name in &node.import_names {
            if self.graph.nodes.iter().any(|n| &n.name == name) {
                continue;
            }
            let found = ImportedModule::find(name, &search).map(|m| m.interface_path());
            let at = found.map_or_else(|| "(not found)".to_string(), |p| p.display().to_string());
            key.add("import-from", format!("{name} {at}").as_bytes());
        }
        Ok(key.finish())
    }

    /// Whether every declaration a step relied on still has the
    /// fingerprint it had.
    fn uses_unchanged(&self, record: &Record) -> bool {
        record
            .uses
            .iter()
            .all(|(module, decl, fingerprint)| self.fingerprints(module).get(decl).is_some_and(|f| f == fingerprint))
    }

    /// The fingerprints of module `module`'s declarations, by name (empty
    /// when it has no readable interface). Read once per build: a module's
    /// interface is only consulted by steps that run after its own.
    fn fingerprints(&self, module: &str) -> Arc<HashMap<String, String>> {
        let mut known = self.fingerprints.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(prints) = known.get(module) {
            return Arc::clone(prints);
        }
        let prints: HashMap<String, String> = ImportedModule::find(module, &self.search())
            .and_then(|m| frontend::read_interface(&m.interface_path()).ok())
            .map(|i| i.fingerprints().into_iter().collect())
            .unwrap_or_default();
        let prints = Arc::new(prints);
        known.insert(module.to_string(), Arc::clone(&prints));
        prints
    }

    /// Compiles a module unless its record says it is up to date.
    fn compile(&self, node: &Node) -> Result<Record, Error> {
        let step = format!("compile-{}", node.name);
        let key = self.compile_key(node)?;
        if let Some(record) = self.cache.read(&step) {
            if record.key == key && record.outputs_intact() && self.uses_unchanged(&record) {
                return Ok(record);
            }
        }
        self.cache.forget(&step);
        self.progress.line("Compiling", &step_name(self.package, node));
        let search = self.search();
        let mode = if node.kind == Target::Program { Mode::Program } else { Mode::Library };
        let compiled = steps::compile(&steps::Request {
            name: &node.name,
            files: &node.files,
            search: &search,
            mode: Some(mode),
            shared: node.kind == Target::Library(LibKind::Shared),
            opt: self.options.opt,
            tests: false,
            exported_only: &self.options.dependency_libs,
            in_package: true,
        })?;
        let checked = &compiled.checked;
        let library = match node.kind {
            Target::Library(kind) => Some((kind, output_path(self.dir, self.package, node))),
            Target::Program => None,
        };
        let mut outputs = steps::write_compiled(
            &compiled,
            &node.files,
            &obj_dir(self.dir, node),
            library.as_ref().map(|(_, l)| l.as_path()),
        )?;
        if let Some((kind, library)) = library {
            outputs.push(steps::write_pc(&node.name, kind, &library, None, &checked.imports, &[])?);
            // A module that changed kind leaves no library of the old kind
            // for importers to find.
            let other = if kind == LibKind::Static { LibKind::Shared } else { LibKind::Static };
            let _ = std::fs::remove_file(library.with_file_name(other.file_name(&node.name)));
            if kind == LibKind::Static {
                steps::link_objects(&compiled.objects, &library, compiled.target, &[], &[], false)?;
                outputs.push(library);
            }
        }
        let record = Record {
            key,
            uses: checked
                .module
                .uses
                .iter()
                .map(|o| (o.module.clone(), o.decl.clone(), o.fingerprint.clone()))
                .collect(),
            outputs: outputs
                .iter()
                .map(|p| Ok((p.clone(), file_hash(p).ok_or("an output vanished")?)))
                .collect::<Result<_, String>>()?,
            links: checked.imports.iter().map(|m| m.name.clone()).collect(),
        };
        self.cache.write(&step, &record)?;
        Ok(record)
    }

    /// Links a shared library or the program unless up to date: keyed by
    /// its object, the archives it contains, and the libraries it names
    /// (a shared library's contents do not matter to the link, nor do the
    /// archives that other binaries contain).
    fn link(&self, index: usize, compiled: &Record, out: &Path) -> Result<(), Error> {
        let node = &self.graph.nodes[index];
        let contained = self.graph.linked_statically(index);
        let step = format!("link-{}", node.name);
        let search = self.search();
        let imports: Vec<ImportedModule> = compiled
            .links
            .iter()
            .map(|m| ImportedModule::find(m, &search).ok_or_else(|| format!("module `{m}` is no longer built")))
            .collect::<Result<_, String>>()?;
        let mut key = Key::new();
        key.add("out", out.display().to_string().as_bytes());
        for (path, hash) in &compiled.outputs {
            key.add("input", path.display().to_string().as_bytes()).add("hash", hash.as_bytes());
        }
        for m in &imports {
            let (path, kind) = m.library()?;
            key.add("library", path.display().to_string().as_bytes());
            let ours = self.graph.nodes.iter().any(|n| n.name == m.name);
            if kind == LibKind::Static && (!ours || contained.contains(&m.name.as_str())) {
                key.add("archive", file_hash(&path).unwrap_or_default().as_bytes());
            }
        }
        let key = key.finish();
        if let Some(record) = self.cache.read(&step) {
            if record.key == key && record.outputs_intact() {
                return Ok(());
            }
        }
        self.cache.forget(&step);
        self.progress.line("Linking", &step_name(self.package, node));
        let objects: Vec<PathBuf> = compiled
            .outputs
            .iter()
            .map(|(p, _)| p.clone())
            .filter(|p| p.extension().is_some_and(|e| e == "o"))
            .collect();
        steps::link_files(&objects, out, node.kind, &imports, &[])?;
        let mut written = vec![out.to_path_buf()];
        if node.kind == Target::Library(LibKind::Shared) && crate::link::windows() {
            // Windows finds a program's DLLs beside it, not through rpaths:
            // the package's DLLs go beside its program too, refreshed with
            // every link (a body edit relinks the DLL, not the program).
            let beside = program_path(self.dir, self.package).with_file_name(LibKind::Shared.file_name(&node.name));
            let bytes = std::fs::read(out).map_err(|e| format!("cannot read {}: {e}", out.display()))?;
            crate::link::write_if_changed(&beside, &bytes)?;
            written.push(beside);
        }
        let mut outputs = Vec::new();
        for p in written {
            let hash = file_hash(&p).ok_or_else(|| format!("{} was not written", p.display()))?;
            outputs.push((p, hash));
        }
        self.cache.write(&step, &Record { key, outputs, ..Record::default() })?;
        Ok(())
    }
}
