//! Linking against the runtime: executables and shared libraries with the
//! system C compiler (`cc`, or a build engine's: `tess link --cc`), static
//! archives written in-process; with the libraries of imported modules and
//! C libraries, and rpaths so that no `LD_LIBRARY_PATH` is needed. Every
//! file is written atomically.

use crate::artifacts::{self, ImportedModule, LibKind};
use std::path::{Path, PathBuf};
use std::process::Command;
use tess_codegen::target::{self, Platform};

/// The system libraries the runtime's static library needs on the
/// platform being linked for (what `rustc --print native-static-libs`
/// lists for it).
pub fn native_libs() -> &'static [&'static str] {
    match target::platform() {
        Platform::X86_64Windows => &[
            "-lpsapi",
            "-lshell32",
            "-luser32",
            "-ladvapi32",
            "-lbcrypt",
            "-lkernel32",
            "-lntdll",
            "-luserenv",
            "-lws2_32",
            "-ldbghelp",
        ],
        Platform::X86_64Linux | Platform::Aarch64Linux => &["-lm", "-lpthread", "-ldl", "-lrt", "-lgcc_s", "-lc"],
    }
}

/// The C compiler driver that links executables and shared libraries:
/// `tess link --cc` (a build engine's C toolchain), else the target's
/// ([`default_compiler`]) on `PATH`.
static COMPILER: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Makes `cc` the C compiler driver every link of this process runs
/// (`tess link --cc`); the first call decides.
pub fn use_compiler(cc: PathBuf) {
    let _ = COMPILER.set(cc);
}

/// A command running the C compiler driver that links (and assembles
/// interface stubs, `stub.rs`).
pub(crate) fn compiler() -> Command {
    match COMPILER.get() {
        Some(cc) => Command::new(cc),
        None => Command::new(default_compiler(target::platform())),
    }
}

/// The C compiler driver that links for `platform` unless told otherwise:
/// the system's `cc` for the host, Debian's (and most distributions')
/// cross compilers for the others.
pub fn default_compiler(platform: Platform) -> &'static str {
    if platform == Platform::host() {
        return "cc";
    }
    match platform {
        Platform::X86_64Linux => "x86_64-linux-gnu-gcc",
        Platform::Aarch64Linux => "aarch64-linux-gnu-gcc",
        Platform::X86_64Windows => "x86_64-w64-mingw32-gcc",
    }
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    if !status.success() {
        return Err(format!("{what} failed ({status})"));
    }
    Ok(())
}

/// Creates the directory `path` goes into, as `go build -o` does.
pub fn make_parent(path: &Path) -> Result<(), String> {
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display())),
        None => Ok(()),
    }
}

/// A sibling of `output` to write first and then rename over it, so that
/// an interrupted build never leaves a half-written file under the final
/// name (the rename is atomic).
fn partial_path(output: &Path) -> PathBuf {
    output.with_file_name(format!(".{}.partial-{}", output_name(output), std::process::id()))
}

/// The file name of `output` (a library's is its soname, or the name its
/// DLL export table records).
pub(crate) fn output_name(output: &Path) -> String {
    output.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn commit(partial: &Path, output: &Path) -> Result<(), String> {
    std::fs::rename(partial, output).map_err(|e| format!("cannot write {}: {e}", output.display()))
}

/// Writes `bytes` to `path` atomically (write, then rename), creating its
/// directory.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    make_parent(path)?;
    let partial = partial_path(path);
    std::fs::write(&partial, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    commit(&partial, path)
}

/// Writes `bytes` to `path` unless it already holds them (then its time
/// stamp stays, so ninja's `restat` sees an unchanged output); whether it
/// wrote.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<bool, String> {
    if std::fs::read(path).ok().as_deref() == Some(bytes) {
        return Ok(false);
    }
    write_atomically(path, bytes)?;
    Ok(true)
}

/// The names the objects linked into `output` go by: they depend only on
/// `output`'s file name (`libgeo.o`, or `libgeo-0.o`, `libgeo-1.o`, ... for
/// a module of several files), so the same objects always give the same
/// archive or binary.
fn object_names(output: &Path, count: usize) -> Vec<String> {
    let stem = output.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    (0..count).map(|k| if count == 1 { format!("{stem}.o") } else { format!("{stem}-{k}.o") }).collect()
}

/// Writes the objects under their [`object_names`]: beside `output` when
/// `keep`, else in a temporary directory that lives as long as the
/// returned guard (for the linker, which reads files).
fn stage_objects(objects: &[Vec<u8>], output: &Path, keep: bool) -> Result<(Vec<PathBuf>, tempfile::TempDir), String> {
    make_parent(output)?;
    let tmp = tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let dir = if keep { output.parent().unwrap_or(Path::new("")).to_path_buf() } else { tmp.path().to_path_buf() };
    let mut paths = Vec::new();
    for (object, name) in objects.iter().zip(object_names(output, objects.len())) {
        let path = dir.join(name);
        std::fs::write(&path, object).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        paths.push(path);
    }
    Ok((paths, tmp))
}

/// Writes a library: a static archive of the module's objects, or a shared
/// library linked against the shared runtime.
pub fn link_library(
    objects: &[Vec<u8>],
    output: &Path,
    kind: LibKind,
    keep_object: bool,
    imports: &[ImportedModule],
    c_libs: &[String],
) -> Result<(), String> {
    if kind == LibKind::Static {
        if keep_object {
            stage_objects(objects, output, true)?;
        }
        return write_atomically(output, &archive(objects, &object_names(output, objects.len()))?);
    }
    let (obj_paths, _tmp) = stage_objects(objects, output, keep_object)?;
    let partial = partial_path(output);
    let mut args = import_args(imports, output)?;
    // A shared library always uses the shared runtime.
    if !args.linked_shared {
        args.args.extend(shared_runtime_args(Some(output))?);
    }
    if windows() {
        // A DLL's export table records its file name, which importers then
        // look for: link it under its own name, in a directory beside it.
        // Its import library (`libNAME.dll.a`) goes beside it, for C
        // toolchains that link against one rather than the DLL.
        let dir = partial_path(output);
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let staged = dir.join(output_name(output));
        let implib_name = artifacts::import_library_name(&output_name(output));
        let implib = dir.join(&implib_name);
        let linked = run(
            compiler()
                .arg("-shared")
                .arg("-o")
                .arg(&staged)
                .arg(format!("-Wl,--out-implib,{}", implib.display()))
                .args(&obj_paths)
                .args(args.args)
                .args(c_libs),
            "linking the DLL",
        )
        .and_then(|()| commit(&implib, &output.with_file_name(&implib_name)))
        .and_then(|()| commit(&staged, output));
        let _ = std::fs::remove_dir_all(&dir);
        linked?;
        return place_runtime_dll(output);
    }
    // Its soname is its file name: what importers record as NEEDED (not
    // the path it was linked from).
    let soname = output_name(output);
    run(
        compiler()
            .arg("-shared")
            .arg(format!("-Wl,-soname,{soname}"))
            .arg("-o")
            .arg(&partial)
            .args(&obj_paths)
            .args(args.args)
            .args(c_libs),
        "linking the shared library",
    )?;
    commit(&partial, output)
}

/// A static archive of `objects`, with the symbol table linkers read, as
/// `ar rcsD` writes it (GNU format, no time stamps or owners), members
/// named `names`; written in-process, since starting `ar`
/// costs more than the archive.
fn archive(objects: &[Vec<u8>], names: &[String]) -> Result<Vec<u8>, String> {
    let members: Vec<ar_archive_writer::NewArchiveMember> = objects
        .iter()
        .zip(names)
        .map(|(bytes, name)| {
            ar_archive_writer::NewArchiveMember::new(
                bytes.as_slice(),
                &ar_archive_writer::DEFAULT_OBJECT_READER,
                name.clone(),
            )
        })
        .collect();
    // Sized for the members and their symbol table: grown by doubling, a
    // large module's archive was copied and held twice.
    let size: usize = objects.iter().map(|o| o.len() + o.len() / 8 + 4096).sum();
    let mut out = std::io::Cursor::new(Vec::with_capacity(size));
    ar_archive_writer::write_archive_to_stream(&mut out, &members, ar_archive_writer::ArchiveKind::Gnu, false, None)
        .map_err(|e| format!("cannot write the archive: {e}"))?;
    Ok(out.into_inner())
}

/// Links the program's objects into an executable.
pub fn link_executable(
    objects: &[Vec<u8>],
    output: &Path,
    keep_object: bool,
    imports: &[ImportedModule],
    c_libs: &[String],
) -> Result<(), String> {
    let (obj_paths, _tmp) = stage_objects(objects, output, keep_object)?;
    let mut args = import_args(imports, output)?;
    let mut last = Vec::new();
    if windows() {
        // Always the runtime's DLL: a plugin DLL cannot bind to a runtime
        // inside the executable, and a process has one runtime.
        if !args.linked_shared {
            args.args.extend(shared_runtime_args(Some(output))?);
        }
        last.push(format!("-Wl,--stack,{MAIN_STACK_BYTES}"));
    } else {
        if !args.linked_shared {
            args.args.push(artifacts::runtime_library(LibKind::Static)?.display().to_string());
            // The executable's runtime is the process's one runtime: export
            // it, so plugins loaded later bind to it rather than to a second
            // copy (PyPy's plan: the main executable exports the core's
            // functions).
            args.args.push(format!("-Wl,--export-dynamic-symbol={}*", tess_abi::runtime_fns::RUNTIME_PREFIX));
        }
        last.extend(native_libs().iter().map(|l| l.to_string()));
    }
    let partial = partial_path(output);
    run(
        compiler().args(&obj_paths).args(args.args).args(c_libs).arg("-o").arg(&partial).args(last),
        &format!("linking {}", output.display()),
    )?;
    commit(&partial, output)?;
    if windows() {
        place_runtime_dll(output)?;
    }
    Ok(())
}

/// Linker arguments for `-L DIR` (with an rpath) and `--link-lib NAME`.
pub fn c_library_args(dirs: &[PathBuf], libs: &[String]) -> Result<Vec<String>, String> {
    let mut args = Vec::new();
    for d in dirs {
        let abs = std::fs::canonicalize(d).map_err(|e| format!("-L {}: {e}", d.display()))?;
        args.push(format!("-L{}", abs.display()));
        if !windows() {
            args.push(format!("-Wl,-rpath,{}", abs.display()));
        }
    }
    args.extend(libs.iter().map(|l| format!("-l{l}")));
    Ok(args)
}

/// Linker arguments for the imported modules, and whether they brought in
/// the shared runtime.
struct ImportArgs {
    args: Vec<String>,
    linked_shared: bool,
}

/// Each imported module's shared library (with an rpath relative to
/// `output`'s directory, `$ORIGIN/...`, so that the program and its
/// libraries can move together) or static archive; when any is shared, the
/// shared runtime follows, so a process has exactly one runtime.
fn import_args(imports: &[ImportedModule], output: &Path) -> Result<ImportArgs, String> {
    let mut args = Vec::new();
    let mut linked_shared = false;
    let out_dir = artifacts::absolute_parent(output)?;
    for m in imports {
        let (path, kind) = m.library()?;
        let path = artifacts::absolute(&path)?;
        args.push(path.display().to_string());
        if kind == LibKind::Shared {
            linked_shared = true;
            // An interface stub is only linked against: the program finds
            // the real library through the `--rpath`s of where it will be.
            // (Windows has no rpaths: `docs/targets.md`.)
            if let Some(dir) = path.parent().filter(|_| !windows() && !crate::stub::is_stub(&path)) {
                let from_output = artifacts::anchored("$ORIGIN", &artifacts::relative_dir(&out_dir, dir));
                args.push(format!("-Wl,-rpath,{}", from_output.display()));
            }
        }
    }
    if linked_shared {
        args.extend(shared_runtime_args(Some(output))?);
    }
    Ok(ImportArgs { args, linked_shared })
}

/// The shared runtime, found through an absolute rpath: it is part of the
/// toolchain's installation, not of the program's. A runtime directory
/// given relative (`TESS_RUNTIME_DIR`, as a build engine's toolchain
/// does: everything inside its tree) is found relative to the binary
/// `output` instead (`$ORIGIN/...`), so no absolute path enters it.
pub fn shared_runtime_args(output: Option<&Path>) -> Result<Vec<String>, String> {
    let rt = artifacts::runtime_dir()?;
    if windows() {
        // The import library `libtessera_rt.dll.a`; the DLL is placed
        // beside the binary ([`place_runtime_dll`]).
        return Ok(vec![format!("-L{}", rt.display()), format!("-l{}", artifacts::RUNTIME)]);
    }
    let rpath = match output {
        Some(out) if rt.is_relative() => artifacts::anchored(
            "$ORIGIN",
            &artifacts::relative_dir(&artifacts::absolute_parent(out)?, &artifacts::absolute(&rt)?),
        ),
        _ => artifacts::absolute(&rt)?,
    };
    Ok(vec![
        format!("-L{}", rt.display()),
        format!("-l{}", artifacts::RUNTIME),
        format!("-Wl,-rpath,{}", rpath.display()),
    ])
}

/// The main thread's stack on Windows: Linux's usual 8 MiB rather than
/// the linker's 2, so that recursion runs as deep on every target.
const MAIN_STACK_BYTES: usize = 8 << 20;

/// Whether the platform being linked for is Windows: no rpaths, no
/// sonames, DLLs found beside the program.
pub(crate) fn windows() -> bool {
    target::platform() == Platform::X86_64Windows
}

/// Copies the runtime's DLL beside the program or DLL `output` (unless an
/// identical one is there): Windows finds a program's DLLs in its own
/// directory, and has no rpath to point into the toolchain. A process
/// loads one DLL of that name, so plugins elsewhere share it.
fn place_runtime_dll(output: &Path) -> Result<(), String> {
    let dll = artifacts::runtime_library(LibKind::Shared)?;
    let bytes = std::fs::read(&dll).map_err(|e| format!("cannot read {}: {e}", dll.display()))?;
    let beside = output.with_file_name(LibKind::Shared.file_name(artifacts::RUNTIME));
    write_if_changed(&beside, &bytes).map(|_| ())
}
