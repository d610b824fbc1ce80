//! Linking with the system C compiler against the runtime library, which
//! is found relative to the `tess` executable (so a fresh `cargo build`
//! gives a working compiler).

use crate::frontend::ImportedLib;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The system libraries a Rust static library needs.
const NATIVE_LIBS: &[&str] = &["-lm", "-lpthread", "-ldl", "-lrt", "-lgcc_s", "-lc"];

/// Directory holding `libtessera_rt.a`: `$TESS_RUNTIME_DIR`, else the
/// `deps/` beside `tess` (in a Cargo target directory it is always the
/// freshest build; the copy beside `tess` is only refreshed by building the
/// runtime package itself), else beside `tess`.
pub fn runtime_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("TESS_RUNTIME_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot locate the tess executable: {e}"))?;
    let dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    for candidate in [dir.join("deps"), dir] {
        if candidate.join("libtessera_rt.a").exists() {
            return Ok(candidate);
        }
    }
    Err(format!("cannot find libtessera_rt.a next to {} (build the workspace with `cargo build`)", exe.display()))
}

/// The two kinds of library `tess build --lib` writes.
#[derive(Clone, Copy)]
pub enum LibKind {
    Static,
    Shared,
}

impl LibKind {
    /// The default file name of module `name`'s library.
    pub fn file_name(self, name: &str) -> String {
        match self {
            LibKind::Static => format!("lib{name}.a"),
            LibKind::Shared => format!("lib{name}.so"),
        }
    }
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    if !status.success() {
        return Err(format!("{what} failed ({status})"));
    }
    Ok(())
}

/// Writes a library: a static archive of the module's object, or a shared
/// library linked against the shared runtime (found through its rpath, so
/// no `LD_LIBRARY_PATH` is needed).
pub fn link_library(
    object: &[u8],
    output: &Path,
    kind: LibKind,
    keep_object: bool,
    imports: &[ImportedLib],
    c_libs: &[String],
) -> Result<(), String> {
    let tmp = tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let obj_path = if keep_object { output.with_extension("o") } else { tmp.path().join("module.o") };
    std::fs::write(&obj_path, object).map_err(|e| format!("cannot write {}: {e}", obj_path.display()))?;
    // Archives and libraries are rewritten, never updated in place.
    let _ = std::fs::remove_file(output);
    match kind {
        LibKind::Static => run(Command::new("ar").arg("rcsD").arg(output).arg(&obj_path), "archiving"),
        LibKind::Shared => {
            let rt = runtime_dir()?;
            let mut args = import_args(imports)?;
            // A shared library always uses the shared runtime.
            args.retain(|a| !a.ends_with("libtessera_rt.a"));
            run(
                Command::new("cc")
                    .arg("-shared")
                    .arg("-o")
                    .arg(output)
                    .arg(&obj_path)
                    .args(args)
                    .args(c_libs)
                    .arg("-L")
                    .arg(&rt)
                    .arg("-ltessera_rt")
                    .arg(format!("-Wl,-rpath,{}", rt.display())),
                "linking the shared library",
            )
        }
    }
}

/// Linker arguments for `-L DIR` (with an rpath, so no
/// `LD_LIBRARY_PATH` is needed) and `--link-lib NAME`.
pub fn c_library_args(dirs: &[PathBuf], libs: &[String]) -> Result<Vec<String>, String> {
    let mut args = Vec::new();
    for d in dirs {
        let abs = std::fs::canonicalize(d).map_err(|e| format!("-L {}: {e}", d.display()))?;
        args.push(format!("-L{}", abs.display()));
        args.push(format!("-Wl,-rpath,{}", abs.display()));
    }
    args.extend(libs.iter().map(|l| format!("-l{l}")));
    Ok(args)
}

/// The linker arguments for imported modules: each one's shared library
/// (found through an rpath, preferred) or static archive, then the runtime
/// — shared when any shared library is involved, so a process has exactly
/// one runtime.
fn import_args(imports: &[ImportedLib]) -> Result<Vec<String>, String> {
    let mut args = Vec::new();
    let mut shared = false;
    for lib in imports {
        let dir = std::fs::canonicalize(&lib.dir).map_err(|e| format!("{}: {e}", lib.dir.display()))?;
        let so = dir.join(format!("lib{}.so", lib.name));
        let a = dir.join(format!("lib{}.a", lib.name));
        if so.exists() {
            shared = true;
            args.push(so.display().to_string());
            args.push(format!("-Wl,-rpath,{}", dir.display()));
        } else if a.exists() {
            args.push(a.display().to_string());
        } else {
            return Err(format!(
                "module `{}` has an interface in {} but no lib{0}.so or lib{0}.a",
                lib.name,
                dir.display()
            ));
        }
    }
    let rt = runtime_dir()?;
    if shared {
        args.extend(["-L".to_string(), rt.display().to_string(), "-ltessera_rt".into()]);
        args.push(format!("-Wl,-rpath,{}", rt.display()));
    } else {
        args.push(rt.join("libtessera_rt.a").display().to_string());
    }
    Ok(args)
}

/// Writes `object` to a temporary file and links it into `output`.
pub fn link_executable(
    object: &[u8],
    output: &Path,
    keep_object: bool,
    imports: &[ImportedLib],
    c_libs: &[String],
) -> Result<(), String> {
    let tmp = tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let obj_path = if keep_object { output.with_extension("o") } else { tmp.path().join("main.o") };
    std::fs::write(&obj_path, object).map_err(|e| format!("cannot write {}: {e}", obj_path.display()))?;
    run(
        Command::new("cc")
            .arg(&obj_path)
            .args(import_args(imports)?)
            .args(c_libs)
            .arg("-o")
            .arg(output)
            .args(NATIVE_LIBS),
        &format!("linking {}", output.display()),
    )
}
