//! `tess run`: the program compiled in memory, linked against one runtime
//! and started by it. The JIT code always uses the shared runtime
//! (`libtessera_rt.so`), loaded with global symbols: imported modules'
//! shared libraries and plugins loaded later by `loadLibrary` need it, and
//! bind to that same copy — a process has one runtime (MODULES.md §8). The
//! runtime's `tess_main` starts the program, as an executable's `main`
//! does.

use crate::artifacts::{self, LibKind};
use crate::frontend::Checked;
use crate::Error;
use libloading::os::unix::{Library, RTLD_GLOBAL, RTLD_NOW};
use std::collections::HashMap;
use std::ffi::{c_char, CString};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tess_abi::RuntimeFn;
use tess_codegen::JitError;
use tess_syntax::{Diagnostic, Diagnostics};

/// Loads a library with its symbols visible to later ones; loading runs
/// its constructors, which is what loading means.
fn open(path: &Path) -> Result<Library, String> {
    unsafe { Library::open(Some(path), RTLD_NOW | RTLD_GLOBAL) }
        .map_err(|e| format!("cannot load {}: {e}", path.display()))
}

fn address(lib: &Library, name: &str) -> Option<*const u8> {
    unsafe { lib.get::<*const u8>(name.as_bytes()) }.ok().map(|s| *s)
}

/// `--link-lib NAME [-L DIR]`: loads `libNAME.so` (from the `-L`
/// directories, else the system's search path), so the JIT finds the
/// program's `extern fn`s in it — after the shared runtime, whose C API
/// (`tessera.h`) such a library may call.
pub fn load_c_libraries(dirs: &[PathBuf], libs: &[String]) -> Result<Vec<Library>, String> {
    if libs.is_empty() {
        return Ok(Vec::new());
    }
    let mut loaded = vec![open(&artifacts::runtime_library(LibKind::Shared)?)?];
    for name in libs {
        let file = LibKind::Shared.file_name(name);
        let path = dirs.iter().map(|d| d.join(&file)).find(|p| p.exists()).unwrap_or_else(|| PathBuf::from(&file));
        loaded.push(open(&path).map_err(|e| format!("--link-lib {name}: {e}"))?);
    }
    Ok(loaded)
}

/// Where the JIT's imports come from: one runtime, the imported modules'
/// libraries, and whatever else the process has loaded (C libraries).
struct Host {
    /// Loaded libraries, searched in order: the shared runtime first.
    libraries: Vec<Library>,
    this: Library,
    /// Symbols of the modules compiled in memory so far.
    jitted: HashMap<String, usize>,
}

impl Host {
    /// Loads what `modules` (compiled in memory) import, besides each other.
    fn new(modules: &[Checked]) -> Result<Host, String> {
        let mut host = Host { libraries: Vec::new(), this: Library::this(), jitted: HashMap::new() };
        host.libraries.push(open(&artifacts::runtime_library(LibKind::Shared)?)?);
        let in_memory: Vec<&str> = modules.iter().map(|m| m.module.name.as_str()).collect();
        let mut loaded: Vec<&str> = Vec::new();
        for m in modules.iter().flat_map(|c| &c.imports) {
            if in_memory.contains(&m.name.as_str()) || loaded.contains(&m.name.as_str()) {
                continue;
            }
            loaded.push(&m.name);
            match m.library()? {
                (path, LibKind::Shared) => host.libraries.push(open(&path)?),
                (path, LibKind::Static) => {
                    return Err(format!(
                        "`tess run` needs module `{}` as a shared library ({} is an archive; build it with --shared)",
                        m.name,
                        path.display()
                    ))
                }
            }
        }
        Ok(host)
    }

    fn resolve(&self, name: &str) -> Option<*const u8> {
        (self.jitted.get(name).map(|&a| a as *const u8))
            .or_else(|| self.libraries.iter().find_map(|l| address(l, name)))
            .or_else(|| address(&self.this, name))
    }
}

/// Compiles `modules` in memory, in order (source modules the program
/// imports, then the program, last), and runs the program with `args`
/// (after `program`, its name); its exit status.
pub fn run(modules: &[Checked], program: &Path, args: Vec<String>) -> Result<ExitCode, Error> {
    let mut host = Host::new(modules)?;
    let mut compiled = Vec::new();
    for checked in modules {
        let jitted =
            match crate::on_compiler_stack(|| tess_codegen::jit::jit(&checked.module, &|name| host.resolve(name))) {
                Ok(p) => p,
                Err(JitError::Codegen(e)) => return Err(e.to_string().into()),
                Err(JitError::Unresolved(symbol)) => return Err(unresolved(checked, &symbol)),
            };
        host.jitted.extend(jitted.symbols.iter().map(|(n, &a)| (n.clone(), a)));
        compiled.push(jitted);
    }
    let main = compiled.last().ok_or("no program to run")?;
    if std::env::var_os(PERF_MAP_VAR).is_some_and(|v| !v.is_empty() && v != "0") {
        write_perf_map(&compiled)?;
    }
    let tess_main = host
        .resolve(RuntimeFn::Main.name())
        .ok_or_else(|| format!("the runtime lacks `{}`", RuntimeFn::Main.name()))?;
    let tess_main: unsafe extern "C" fn(i32, *const *const c_char, extern "C" fn()) -> i32 =
        unsafe { std::mem::transmute(tess_main) };

    let mut argv_owned = vec![CString::new(program.display().to_string()).map_err(|e| e.to_string())?];
    for a in args {
        argv_owned.push(CString::new(a).map_err(|e| format!("argument contains a NUL byte: {e}"))?);
    }
    let argv: Vec<*const c_char> = argv_owned.iter().map(|a| a.as_ptr()).collect();
    let status = unsafe { tess_main(argv.len() as i32, argv.as_ptr(), main.init_entry()) };
    Ok(ExitCode::from(status.clamp(0, 255) as u8))
}

/// Set (to anything but `0`), `tess run` writes a map of the code it
/// compiled for `perf`.
const PERF_MAP_VAR: &str = "TESS_PERF_MAP";

/// Writes `/tmp/perf-PID.map`, where `perf report` looks up the names of
/// code that no file on disk describes (the convention of V8 and the JVM's
/// agents): one `START SIZE NAME` line per function, in hex, with Tessera
/// names (`main.fib`).
fn write_perf_map(compiled: &[tess_codegen::jit::JitProgram]) -> Result<(), String> {
    use std::fmt::Write;
    let mut text = String::new();
    for (symbol, address, size) in compiled.iter().flat_map(|p| &p.code) {
        let name = tess_abi::mangle::readable(symbol).unwrap_or_else(|| symbol.clone());
        let _ = writeln!(text, "{address:x} {size:x} {name}");
    }
    let path = format!("/tmp/perf-{}.map", std::process::id());
    std::fs::write(&path, text).map_err(|e| format!("cannot write {path}: {e}"))
}

/// A symbol no loaded library has: located at the `extern fn` that
/// declares it, when one does.
fn unresolved(checked: &Checked, symbol: &str) -> Error {
    let decl = checked.module.funcs.iter().find(|f| f.symbol == symbol && f.external).and_then(|f| f.span);
    match decl {
        Some(span) => {
            let mut diags = Diagnostics::default();
            diags.push(
                Diagnostic::error(span, format!("C function `{symbol}` is not in any loaded library"))
                    .with_hint("load the C library that defines it with `--link-lib NAME` (and `-L DIR`)"),
            );
            Error::Diagnostics { sources: checked.sources.clone(), diags }
        }
        None => format!("`{symbol}` is not defined by the runtime or any loaded library").into(),
    }
}
