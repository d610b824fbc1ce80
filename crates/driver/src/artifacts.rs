//! The one place that names what a module compiles to (`libN.so`,
//! `libN.a`, `N.tesi`), finds the runtime, and decides how an imported
//! module is linked. The front end, the linker and the JIT all ask here.

use std::path::{Path, PathBuf};
use tess_codegen::target::{self, Platform};

/// The two kinds of library `tess build --lib` writes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LibKind {
    Static,
    Shared,
}

impl LibKind {
    /// The file name of module `module`'s library of this kind, for the
    /// platform being compiled for (`NAME.dll` on Windows, as Rust's
    /// `cdylib`s there).
    pub fn file_name(self, module: &str) -> String {
        self.file_name_for(target::platform(), module)
    }

    /// The file name of module `module`'s library of this kind on
    /// `platform`.
    pub fn file_name_for(self, platform: Platform, module: &str) -> String {
        match self {
            LibKind::Static => format!("lib{module}.a"),
            LibKind::Shared if platform == Platform::X86_64Windows => format!("{module}.dll"),
            LibKind::Shared => format!("lib{module}.so"),
        }
    }
}

/// The file name of the import library of the DLL named `dll` (Windows):
/// `libNAME.dll.a`, as MinGW's and Rust's toolchains name them.
pub fn import_library_name(dll: &str) -> String {
    format!("lib{dll}.a")
}

/// The file name of program `name` for the platform being compiled for
/// (`NAME.exe` on Windows).
pub fn program_file_name(name: &str) -> String {
    match target::platform() {
        Platform::X86_64Windows => format!("{name}.exe"),
        Platform::X86_64Linux | Platform::Aarch64Linux => name.to_string(),
    }
}

/// The names of the modules whose interfaces are in `search`'s
/// directories (for "did you mean" on a module that is not there).
pub fn modules_on_path(search: &[PathBuf]) -> Vec<String> {
    let mut names: Vec<String> = search
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.strip_suffix(interface_file("").as_str()).map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The file name of module `module`'s interface.
pub fn interface_file(module: &str) -> String {
    format!("{module}.tesi")
}

/// The file name of module `module`'s pkg-config file.
pub fn pkg_config_file(module: &str) -> String {
    format!("{module}.pc")
}

/// The runtime's library name (`-ltessera_rt`).
pub const RUNTIME: &str = "tessera_rt";

/// A compiled module found on the search path for an `import`.
#[derive(Clone, Debug)]
pub struct ImportedModule {
    pub name: String,
    /// The directory holding its interface (and, normally, its library).
    pub dir: PathBuf,
    /// How it links: its shared library when there is one (so the process
    /// shares one copy), else its archive; `None` when only the interface
    /// is there (enough to compile against, not to link or run).
    pub kind: Option<LibKind>,
}

impl ImportedModule {
    /// Module `name` in the first directory of `search` that has its
    /// interface.
    pub fn find(name: &str, search: &[PathBuf]) -> Option<ImportedModule> {
        let dir = search.iter().find(|d| d.join(interface_file(name)).exists())?;
        let kind = [LibKind::Shared, LibKind::Static].into_iter().find(|k| dir.join(k.file_name(name)).exists());
        Some(ImportedModule { name: name.to_string(), dir: dir.clone(), kind })
    }

    pub fn interface_path(&self) -> PathBuf {
        self.dir.join(interface_file(&self.name))
    }

    /// Linked as a shared library (only its exported declarations
    /// reachable): the library beside the interface says how it links;
    /// without one (a build engine giving a compile interfaces only), the
    /// interface's own record, `interface_says`.
    pub fn is_shared(&self, interface_says: bool) -> bool {
        self.kind.map_or(interface_says, |k| k == LibKind::Shared)
    }

    /// Its library and kind, or why it cannot be linked.
    pub fn library(&self) -> Result<(PathBuf, LibKind), String> {
        let kind = self.kind.ok_or_else(|| {
            format!(
                "module `{}` has an interface in {} but no {} or {}",
                self.name,
                self.dir.display(),
                LibKind::Shared.file_name(&self.name),
                LibKind::Static.file_name(&self.name)
            )
        })?;
        Ok((self.dir.join(kind.file_name(&self.name)), kind))
    }
}

/// Directory holding the runtime's libraries for the platform being
/// compiled for (`target.rs`): for the host, `$TESS_RUNTIME_DIR`, else
/// the `deps/` beside `tess` (in a Cargo target directory it is always the
/// freshest build; the copy beside `tess` is only refreshed by building
/// the runtime package itself), else beside `tess`; for another target,
/// see [`cross_runtime_dir_of`].
pub fn runtime_dir() -> Result<PathBuf, String> {
    runtime_dir_for(target::platform())
}

/// Directory holding the runtime's libraries for `platform` (the search
/// of [`runtime_dir`]).
pub fn runtime_dir_for(platform: Platform) -> Result<PathBuf, String> {
    let host = platform == Platform::host();
    if let Some(dir) = std::env::var_os("TESS_RUNTIME_DIR").filter(|_| host) {
        return Ok(PathBuf::from(dir));
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot locate the tess executable: {e}"))?;
    let found = if host { runtime_dir_of(&exe) } else { cross_runtime_dir_of(&exe, platform) };
    found.ok_or_else(|| {
        let archive = LibKind::Static.file_name(RUNTIME);
        if host {
            format!("cannot find {archive} next to {} (build the workspace with `cargo build`)", exe.display())
        } else {
            let triple = platform.triple();
            format!(
                "cannot find the runtime for {triple} ({archive} in {triple}/ next to {}): build it with \
                 `rustup target add {triple} && cargo build --release -p tessera_rt --target {triple}`",
                exe.display()
            )
        }
    })
}

/// The runtime directory that the `tess` executable at `tess` uses (the
/// search order of [`runtime_dir`], without the environment override).
pub fn runtime_dir_of(tess: &Path) -> Option<PathBuf> {
    let dir = tess.parent().map(Path::to_path_buf).unwrap_or_default();
    let archive = LibKind::Static.file_name(RUNTIME);
    [dir.join("deps"), dir].into_iter().find(|candidate| candidate.join(&archive).exists())
}

/// The runtime directory for another platform than the host of the
/// `tess` at `tess`: `TRIPLE/` beside it (an installed toolchain), else
/// Cargo's cross build of the runtime beside its target directory
/// (`target/TRIPLE/PROFILE/` for `target/PROFILE/tess`).
fn cross_runtime_dir_of(tess: &Path, platform: Platform) -> Option<PathBuf> {
    let dir = tess.parent().map(Path::to_path_buf).unwrap_or_default();
    let archive = LibKind::Static.file_name(RUNTIME);
    let triple = platform.triple();
    let mut candidates = vec![dir.join(triple)];
    if let (Some(profile), Some(target_dir)) = (dir.file_name(), dir.parent()) {
        candidates.push(target_dir.join(triple).join(profile));
    }
    candidates.into_iter().find(|candidate| candidate.join(&archive).exists())
}

/// The runtime library of `kind`.
pub fn runtime_library(kind: LibKind) -> Result<PathBuf, String> {
    Ok(runtime_dir()?.join(kind.file_name(RUNTIME)))
}

/// The path from directory `from` to directory `to` (both absolute), for
/// `$ORIGIN` rpaths and `${pcfiledir}` in pkg-config files.
pub fn relative_dir(from: &Path, to: &Path) -> PathBuf {
    let (from, to): (Vec<_>, Vec<_>) = (from.components().collect(), to.components().collect());
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut path: PathBuf = std::iter::repeat_n("..", from.len() - common).collect();
    path.extend(&to[common..]);
    path
}

/// `anchor` (`$ORIGIN`, `${pcfiledir}`) followed by the relative path `rel`.
pub fn anchored(anchor: &str, rel: &Path) -> PathBuf {
    if rel.as_os_str().is_empty() {
        PathBuf::from(anchor)
    } else {
        Path::new(anchor).join(rel)
    }
}

/// The directory `path` is in, absolute (`.` for a bare file name).
pub fn absolute_parent(path: &Path) -> Result<PathBuf, String> {
    absolute(path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")))
}

/// `path` made absolute against the current directory, with `.` and `..`
/// resolved by name, not by following symbolic links: a build engine's
/// sandbox links every input to a file elsewhere, and the relative paths
/// between outputs and inputs (rpaths) must be those of the sandbox.
pub fn absolute(path: &Path) -> Result<PathBuf, String> {
    let joined = std::path::absolute(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// `name` as a module name, or why it cannot be one.
pub fn check_module_name(name: &str) -> Result<(), String> {
    if valid_module_name(name) {
        Ok(())
    } else {
        Err(format!("`{name}` is not a valid module name (use letters, digits and `_`)"))
    }
}

/// Whether `name` can name a module (and so a symbol and a file).
pub fn valid_module_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}
