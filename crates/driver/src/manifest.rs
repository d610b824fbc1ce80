//! A package (MODULES.md §9): `Tessera.toml` and the modules its `src/`
//! directory holds. Module boundaries come from the file system: each
//! directory `src/NAME/` is module NAME, the `.tes` files directly in
//! `src/` are the program's main module.

use crate::artifacts::{self, LibKind};
use crate::Error;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tess_syntax::{Diagnostic, Diagnostics, FileId, SourceFile, Span};

/// The manifest's file name.
pub const MANIFEST: &str = "Tessera.toml";

/// A package's modules, with paths relative to its root (the build runs
/// there, so paths in messages and outputs do not depend on where the
/// package is).
#[derive(Debug)]
pub struct Package {
    pub root: PathBuf,
    /// The program's name (`build/bin/NAME`).
    pub name: String,
    /// Library modules, by name.
    pub modules: Vec<SourceModule>,
    /// The main module's files; empty when the package is only libraries.
    pub main: Vec<PathBuf>,
    /// `[package] version` (0.0.0 when not given).
    pub version: semver::Version,
    /// `[dependencies]`, by name.
    pub dependencies: Vec<Dependency>,
}

/// A package this one depends on (`[dependencies]`).
#[derive(Debug)]
pub struct Dependency {
    /// The package's name (`[package] name` of the dependency).
    pub name: String,
    /// `path = "..."`, relative to the depending package's root; without
    /// one the package comes from the registry (`TESS_REGISTRY`).
    pub path: Option<PathBuf>,
    /// `version = "..."`, Cargo's requirement syntax (`"1.2"` is `^1.2`).
    pub req: semver::VersionReq,
}

impl Package {
    /// A package of `modules` alone (the source modules found on `-I`).
    pub fn of_modules(modules: Vec<SourceModule>) -> Package {
        Package {
            root: PathBuf::new(),
            name: String::new(),
            modules,
            main: Vec::new(),
            version: semver::Version::new(0, 0, 0),
            dependencies: Vec::new(),
        }
    }
}

/// A library module of a package.
#[derive(Debug)]
pub struct SourceModule {
    pub name: String,
    pub files: Vec<PathBuf>,
    pub kind: LibKind,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    package: PackageSection,
    #[serde(default)]
    modules: BTreeMap<toml::Spanned<String>, toml::Spanned<String>>,
    #[serde(default)]
    dependencies: BTreeMap<toml::Spanned<String>, DependencySpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PackageSection {
    name: toml::Spanned<String>,
    version: Option<toml::Spanned<String>>,
}

/// `name = "1.2"` or `name = { path = "...", version = "..." }` (plain
/// strings: `toml`'s spans do not pass through an untagged enum; errors
/// point at the dependency's name).
#[derive(Deserialize)]
#[serde(untagged)]
enum DependencySpec {
    Version(String),
    Detailed(DetailedSpec),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DetailedSpec {
    path: Option<String>,
    version: Option<String>,
}

/// The package around `start`: the nearest directory, `start` or above,
/// with a `Tessera.toml`.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start.ancestors().find(|d| d.join(MANIFEST).is_file()).map(Path::to_path_buf)
}

/// Reads the manifest at `root` and finds the modules; every problem is
/// an error located in `Tessera.toml` or naming the directory concerned.
pub fn load(root: &Path) -> Result<Package, Error> {
    let path = root.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut diags = Diagnostics::default();
    let at = |range: std::ops::Range<usize>| Span::new(FileId(0), range.start, range.end);
    let source = || vec![SourceFile::new(MANIFEST.to_string(), text.clone())];
    let manifest: Manifest = match toml::from_str(&text) {
        Ok(m) => m,
        Err(e) => {
            let span = e.span().map_or(Span::new(FileId(0), 0, 0), at);
            diags.push(Diagnostic::error(span, e.message().trim().replace('\n', "; ")).with_hint(
                "a package needs `[package]` with `name = \"...\"`, and optionally `[modules]` and `[dependencies]`",
            ));
            return Err(Error::Diagnostics { sources: source(), diags });
        }
    };
    let name = manifest.package.name.get_ref().clone();
    if !valid_program_name(&name) {
        diags.push(
            Diagnostic::error(at(manifest.package.name.span()), format!("`{name}` is not a valid package name"))
                .with_hint("use letters, digits, `_` and `-`"),
        );
    }
    let version = match &manifest.package.version {
        None => semver::Version::new(0, 0, 0),
        Some(v) => semver::Version::parse(v.get_ref()).unwrap_or_else(|e| {
            diags.push(
                Diagnostic::error(at(v.span()), format!("`{}` is not a version: {e}", v.get_ref()))
                    .with_hint("write MAJOR.MINOR.PATCH, e.g. `version = \"1.2.0\"`"),
            );
            semver::Version::new(0, 0, 0)
        }),
    };
    let mut dependencies = Vec::new();
    for (key, spec) in &manifest.dependencies {
        let (path, req) = match spec {
            DependencySpec::Version(v) => (None, Some(v)),
            DependencySpec::Detailed(d) => (d.path.as_ref().map(PathBuf::from), d.version.as_ref()),
        };
        if path.is_none() && req.is_none() {
            diags.push(
                Diagnostic::error(
                    at(key.span()),
                    format!("dependency `{}` has neither a path nor a version", key.get_ref()),
                )
                .with_hint("write `NAME = { path = \"../NAME\" }` or `NAME = \"1.2\"` (from the registry)"),
            );
            continue;
        }
        let req = match req {
            None => semver::VersionReq::STAR,
            Some(r) => semver::VersionReq::parse(r).unwrap_or_else(|e| {
                diags.push(
                    Diagnostic::error(at(key.span()), format!("`{r}` is not a version requirement: {e}"))
                        .with_hint("as Cargo's: `\"1.2\"` (1.2 and compatible), `\"=1.2.3\"`, `\">=1.0, <2\"`"),
                );
                semver::VersionReq::STAR
            }),
        };
        dependencies.push(Dependency { name: key.get_ref().clone(), path, req });
    }
    let src = root.join("src");
    let (dirs, main) = scan_src(&src)?;
    let mut modules = Vec::new();
    for dir in &dirs {
        let module = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !artifacts::valid_module_name(&module) {
            return Err(format!(
                "src/{module}: `{module}` is not a module name (a module directory is named with letters, digits and `_`, not starting with a digit)"
            )
            .into());
        }
        let files = tes_files(dir)?;
        if files.is_empty() {
            return Err(format!("src/{module}: module `{module}` has no `.tes` files").into());
        }
        let files = files.into_iter().map(|f| relative(root, &f)).collect();
        modules.push(SourceModule { name: module, files, kind: LibKind::Static });
    }
    for (key, value) in &manifest.modules {
        let Some(module) = modules.iter_mut().find(|m| &m.name == key.get_ref()) else {
            diags.push(
                Diagnostic::error(
                    at(key.span()),
                    format!("no module `{}`: there is no directory src/{}", key.get_ref(), key.get_ref()),
                )
                .with_hint("each directory `src/NAME/` is module NAME"),
            );
            continue;
        };
        match value.get_ref().as_str() {
            "static" => module.kind = LibKind::Static,
            "shared" => module.kind = LibKind::Shared,
            other => diags.push(
                Diagnostic::error(at(value.span()), format!("`{other}` is not a kind of module"))
                    .with_hint("write \"static\" (the default) or \"shared\""),
            ),
        }
    }
    if diags.has_errors() {
        return Err(Error::Diagnostics { sources: source(), diags });
    }
    if modules.is_empty() && main.is_empty() {
        return Err(format!(
            "{}: the package has no sources: add `.tes` files to src/ (the program) or src/NAME/ (module NAME)",
            root.display()
        )
        .into());
    }
    let main = main.into_iter().map(|f| relative(root, &f)).collect();
    Ok(Package { root: root.to_path_buf(), name, modules, main, version, dependencies })
}

/// The directories and the `.tes` files directly in `src/`, sorted.
fn scan_src(src: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>), Error> {
    let entries = std::fs::read_dir(src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
    let mut dirs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", src.display()))?;
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            dirs.push(entry.path());
        }
    }
    dirs.sort();
    Ok((dirs, tes_files(src)?))
}

/// The `.tes` files directly in `dir`, sorted.
pub fn tes_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "tes"))
        .collect();
    files.sort();
    Ok(files)
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}

/// Whether `name` may name a package (and its program).
pub fn valid_program_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}
