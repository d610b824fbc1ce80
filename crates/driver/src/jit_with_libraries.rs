//! `tess run` of a program that imports compiled modules: their shared
//! libraries are loaded into this process, and since they use the shared
//! runtime (`libtessera_rt.so`), the JIT code uses that same copy too — a
//! process has one runtime (MODULES.md §8). The copy linked into `tess`
//! stays unused.

use crate::frontend::ImportedLib;
use crate::link::runtime_dir;
use libloading::os::unix::{Library, Symbol, RTLD_GLOBAL, RTLD_NOW};
use std::ffi::{c_char, CString};
use std::path::Path;
use std::process::ExitCode;
use tess_sema::hir;

fn open(path: &Path) -> Result<Library, String> {
    // Loading a library runs its constructors: that is what loading means.
    unsafe { Library::open(Some(path), RTLD_NOW | RTLD_GLOBAL) }
        .map_err(|e| format!("cannot load {}: {e}", path.display()))
}

fn address(lib: &Library, name: &str) -> Option<*const u8> {
    let symbol: Symbol<*const u8> = unsafe { lib.get(name.as_bytes()) }.ok()?;
    Some(*symbol)
}

pub fn run(module: &hir::Module, imports: &[ImportedLib], file: &Path, args: Vec<String>) -> Result<ExitCode, String> {
    let runtime = open(&runtime_dir()?.join("libtessera_rt.so"))?;
    let mut libraries = Vec::new();
    for lib in imports {
        let so = lib.dir.join(format!("lib{}.so", lib.name));
        if !so.exists() {
            return Err(format!(
                "`tess run` needs module `{}` as a shared library ({} not found; build it with --shared)",
                lib.name,
                so.display()
            ));
        }
        libraries.push(open(&so)?);
    }
    let this = Library::this();
    let resolve = |name: &str| {
        address(&runtime, name)
            .or_else(|| libraries.iter().find_map(|l| address(l, name)))
            .or_else(|| address(&this, name))
    };
    let program = tess_codegen::jit::jit(module, &resolve).map_err(|e| e.to_string())?;

    let call = |name: &str| address(&runtime, name).ok_or_else(|| format!("the shared runtime lacks `{name}`"));
    let rt_init: extern "C" fn(i32, *const *const c_char) = unsafe { std::mem::transmute(call("tess_rt_init")?) };
    let uncaught: extern "C" fn() = unsafe { std::mem::transmute(call("tess_uncaught")?) };
    let shutdown: extern "C" fn() = unsafe { std::mem::transmute(call("tess_rt_shutdown")?) };
    let exc = call("tess_exc")? as *const *const u8;

    let mut argv_owned = vec![CString::new(file.display().to_string()).map_err(|e| e.to_string())?];
    for a in args {
        argv_owned.push(CString::new(a).map_err(|e| format!("argument contains a NUL byte: {e}"))?);
    }
    let argv: Vec<*const c_char> = argv_owned.iter().map(|a| a.as_ptr()).collect();
    rt_init(argv.len() as i32, argv.as_ptr());
    program.run_init();
    if !unsafe { *exc }.is_null() {
        uncaught();
    }
    shutdown();
    Ok(ExitCode::SUCCESS)
}
