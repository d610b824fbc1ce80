//! Packages that depend on packages (issue 32): `[dependencies]` resolved
//! from paths and from a local registry (`TESS_REGISTRY`, directories
//! `NAME-VERSION/` that `tess publish` fills), each version requirement
//! checked against the dependency's `[package] version`; the graph
//! recorded in `Tessera.lock` with each package's content hash. Each
//! dependency is built in its own directory (`build/` of its root), so
//! every package that depends on it reuses one build, and its `build/lib`
//! joins the search path of what depends on it.

use crate::manifest::{self, Package};
use crate::package::{self, Options};
use crate::{progress, Error};
use std::path::{Path, PathBuf};

/// The lock file's name, beside `Tessera.toml`.
pub const LOCK_FILE: &str = "Tessera.lock";

/// The registry directory's environment variable.
pub const REGISTRY_VAR: &str = "TESS_REGISTRY";

/// A resolved package of the graph.
struct Resolved {
    package: Package,
    /// Its root, absolute.
    root: PathBuf,
    /// Where it came from, as the lock file records it.
    source: String,
    /// Indices of the packages it depends on.
    deps: Vec<usize>,
}

/// Resolves the dependencies of the package at the current directory,
/// builds each (dependencies first) and adds their libraries to
/// `options.search`; writes `Tessera.lock` when the graph changed.
pub fn prepare(options: &mut Options) -> Result<(), Error> {
    let here = std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let root = manifest::load(Path::new("."))?;
    if root.dependencies.is_empty() {
        return Ok(());
    }
    let mut graph = Vec::new();
    let mut visiting = vec![root.name.clone()];
    let deps = resolve_all(&root, &here, &mut graph, &mut visiting)?;
    check_conflicts(&root, &graph)?;
    write_lock(&here, &graph, &deps)?;
    // Dependencies come before their dependents in `graph`.
    for r in &graph {
        let dependency_libs = libraries(&graph, &r.deps);
        let search = dependency_libs.iter().chain(&options.search).cloned().collect();
        progress::line("Building", &format!("{} v{} ({})", r.package.name, r.package.version, r.source));
        std::env::set_current_dir(&r.root).map_err(|e| format!("cannot enter {}: {e}", r.root.display()))?;
        let dep_options = Options { jobs: options.jobs, search, opt: options.opt, dependency_libs };
        let built = package::build_in(&package::build_dir(), &r.package, &dep_options, package::Libraries::Own);
        std::env::set_current_dir(&here).map_err(|e| format!("cannot enter {}: {e}", here.display()))?;
        built?;
    }
    options.dependency_libs = libraries(&graph, &deps);
    options.search.extend(options.dependency_libs.iter().cloned());
    Ok(())
}

/// The library directories (`build/lib`) of packages `ids` and of
/// everything they depend on, each once.
fn libraries(graph: &[Resolved], ids: &[usize]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut stack: Vec<usize> = ids.iter().rev().copied().collect();
    while let Some(i) = stack.pop() {
        let dir = graph[i].root.join(package::build_dir()).join("lib");
        if !out.contains(&dir) {
            out.push(dir);
            stack.extend(graph[i].deps.iter().rev());
        }
    }
    out
}

/// Resolves `package`'s dependencies into `graph` (each package once, by
/// its root; dependencies before dependents); their indices.
fn resolve_all(
    package: &Package,
    root: &Path,
    graph: &mut Vec<Resolved>,
    visiting: &mut Vec<String>,
) -> Result<Vec<usize>, Error> {
    let mut out = Vec::new();
    for dep in &package.dependencies {
        let (dep_root, source) = locate(package, root, dep)?;
        let found = match graph.iter().position(|r| r.root == dep_root) {
            Some(i) => {
                // Resolved already, for another dependent: its requirement
                // is checked all the same.
                check_version(package, dep, &dep_root, &graph[i].package.version)?;
                out.push(i);
                continue;
            }
            None => manifest::load(&dep_root)?,
        };
        if found.name != dep.name {
            return Err(format!(
                "dependency `{}` of `{}` is package `{}` ({})\nhint: name the dependency after its `[package] name`",
                dep.name,
                package.name,
                found.name,
                dep_root.display()
            )
            .into());
        }
        check_version(package, dep, &dep_root, &found.version)?;
        if visiting.contains(&found.name) {
            visiting.push(found.name.clone());
            return Err(format!("packages depend on each other in a cycle: {}", visiting.join(" -> ")).into());
        }
        visiting.push(found.name.clone());
        let deps = resolve_all(&found, &dep_root, graph, visiting)?;
        visiting.pop();
        graph.push(Resolved { package: found, root: dep_root, source, deps });
        out.push(graph.len() - 1);
    }
    Ok(out)
}

/// Whether `version`, of dependency `dep` found at `root`, meets
/// `package`'s requirement.
fn check_version(
    package: &Package,
    dep: &manifest::Dependency,
    root: &Path,
    version: &semver::Version,
) -> Result<(), Error> {
    if dep.req.matches(version) {
        return Ok(());
    }
    let shown = root.strip_prefix(std::env::current_dir().unwrap_or_default()).unwrap_or(root);
    Err(format!(
        "`{}` needs `{}` {}, but {} is version {version}\nhint: change the requirement in {}'s {}, or the version of {}",
        package.name,
        dep.name,
        dep.req,
        dep.path.as_deref().unwrap_or(shown).display(),
        package.name,
        manifest::MANIFEST,
        dep.name
    )
    .into())
}

/// Where dependency `dep` of `package` (at `root`) is: its root, absolute,
/// and its source as the lock file records it.
fn locate(package: &Package, root: &Path, dep: &manifest::Dependency) -> Result<(PathBuf, String), Error> {
    if let Some(path) = &dep.path {
        let at = root.join(path);
        let at = at.canonicalize().map_err(|e| {
            format!(
                "dependency `{}` of `{}`: cannot find {} ({e})\nhint: `path` is relative to {}",
                dep.name,
                package.name,
                at.display(),
                root.display()
            )
        })?;
        return Ok((at, format!("path+{}", path.display())));
    }
    let registry = std::env::var_os(REGISTRY_VAR).map(PathBuf::from).ok_or_else(|| {
        format!(
            "dependency `{}` of `{}` has no path, and {REGISTRY_VAR} names no registry\nhint: set {REGISTRY_VAR}=DIR (where `tess publish` puts packages), or give `path = \"...\"`",
            dep.name, package.name
        )
    })?;
    let best = registry_versions(&registry, &dep.name)?.into_iter().filter(|v| dep.req.matches(v)).max();
    let Some(version) = best else {
        return Err(format!(
            "no version of `{}` in the registry {} matches `{}` (needed by `{}`)",
            dep.name,
            registry.display(),
            dep.req,
            package.name
        )
        .into());
    };
    let dir = registry.join(format!("{}-{version}", dep.name));
    let dir = dir.canonicalize().map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    Ok((dir, format!("registry+{}-{version}", dep.name)))
}

/// The versions of package `name` in `registry`.
fn registry_versions(registry: &Path, name: &str) -> Result<Vec<semver::Version>, Error> {
    let entries =
        std::fs::read_dir(registry).map_err(|e| format!("cannot read the registry {}: {e}", registry.display()))?;
    let prefix = format!("{name}-");
    Ok(entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let file = e.file_name().to_string_lossy().into_owned();
            semver::Version::parse(file.strip_prefix(&prefix)?).ok()
        })
        .collect())
}

/// Two packages of the build may not hold a module of one name (two
/// versions of one package included): the program would hold two modules
/// of that name.
fn check_conflicts(root: &Package, graph: &[Resolved]) -> Result<(), Error> {
    let mut owners: Vec<(&str, &Package, String)> =
        root.modules.iter().map(|m| (m.name.as_str(), root, "this package".to_string())).collect();
    for r in graph {
        for m in &r.package.modules {
            if let Some((_, other, at)) = owners.iter().find(|(name, _, _)| *name == m.name) {
                return Err(format!(
                    "module `{}` is in two packages of the build: {} v{} ({}) and {} v{} ({})\nhint: depend on one version of `{}`, or rename one of the modules",
                    m.name,
                    other.name,
                    other.version,
                    at,
                    r.package.name,
                    r.package.version,
                    r.root.display(),
                    r.package.name
                )
                .into());
            }
            owners.push((m.name.as_str(), &r.package, r.root.display().to_string()));
        }
    }
    Ok(())
}

/// Writes `Tessera.lock` (when its text changed): every package of the
/// graph with its version, source, content hash and dependencies.
fn write_lock(root: &Path, graph: &[Resolved], direct: &[usize]) -> Result<(), Error> {
    let mut text = String::from("# Written by tess: the packages this one was built with. Do not edit.\n");
    let names: Vec<String> = direct.iter().map(|&i| format!("\"{}\"", graph[i].package.name)).collect();
    text.push_str(&format!("dependencies = [{}]\n", names.join(", ")));
    for r in graph {
        let deps: Vec<String> = r.deps.iter().map(|&i| format!("\"{}\"", graph[i].package.name)).collect();
        text.push_str(&format!(
            "\n[[package]]\nname = \"{}\"\nversion = \"{}\"\nsource = \"{}\"\nhash = \"{}\"\ndependencies = [{}]\n",
            r.package.name,
            r.package.version,
            r.source,
            content_hash(&r.root, &r.package)?,
            deps.join(", ")
        ));
    }
    crate::link::write_if_changed(&root.join(LOCK_FILE), text.as_bytes())?;
    Ok(())
}

/// What a package is made of, relative to its root: its manifest and the
/// files of its modules and program, sorted.
fn package_files(package: &Package) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = package.modules.iter().flat_map(|m| m.files.iter().cloned()).collect();
    files.extend(package.main.iter().cloned());
    files.push(PathBuf::from(manifest::MANIFEST));
    files.sort();
    files
}

/// blake3 of a package's files (paths and contents).
fn content_hash(root: &Path, package: &Package) -> Result<String, Error> {
    let mut hasher = blake3::Hasher::new();
    for f in package_files(package) {
        let path = root.join(&f);
        let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        hasher.update(f.to_string_lossy().as_bytes()).update(&(bytes.len() as u64).to_le_bytes()).update(&bytes);
    }
    Ok(hasher.finalize().to_hex().to_string())
}

/// `tess publish`: copies the package at the current directory (its
/// manifest and `src/`) into the registry as `NAME-VERSION/`; a version
/// already there is refused (a published version never changes).
pub fn publish() -> Result<PathBuf, Error> {
    let package = manifest::load(Path::new("."))?;
    let registry = std::env::var_os(REGISTRY_VAR)
        .map(PathBuf::from)
        .ok_or_else(|| format!("{REGISTRY_VAR} names no registry\nhint: set {REGISTRY_VAR}=DIR"))?;
    if package.dependencies.iter().any(|d| d.path.is_some()) {
        return Err("a package with `path` dependencies cannot be published: its dependents could not find them\nhint: publish the dependencies and depend on their versions".into());
    }
    let dest = registry.join(format!("{}-{}", package.name, package.version));
    if dest.exists() {
        return Err(format!(
            "{} v{} is already in the registry ({})\nhint: raise `[package] version`",
            package.name,
            package.version,
            dest.display()
        )
        .into());
    }
    for f in package_files(&package) {
        let to = dest.join(&f);
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        std::fs::copy(&f, &to).map_err(|e| format!("cannot copy {} to {}: {e}", f.display(), to.display()))?;
    }
    Ok(dest)
}
