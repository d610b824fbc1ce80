//! Compilation into memory with cranelift-jit, for `tess run`.

use crate::bodies::Bodies;
use crate::module_gen::ModuleGen;
use crate::{err, CodegenError, JitError};
use cranelift_jit::{ArenaMemoryProvider, JITBuilder, JITModule};
use cranelift_module::{Linkage, Module};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tess_sema::hir;

unsafe extern "C" {
    fn sin(x: f64) -> f64;
    fn cos(x: f64) -> f64;
    fn tan(x: f64) -> f64;
    fn exp(x: f64) -> f64;
    fn log(x: f64) -> f64;
    fn pow(x: f64, y: f64) -> f64;
    fn atan2(y: f64, x: f64) -> f64;
    fn fmod(x: f64, y: f64) -> f64;
    fn fmin(x: f64, y: f64) -> f64;
    fn fmax(x: f64, y: f64) -> f64;
    fn floor(x: f64) -> f64;
    fn ceil(x: f64) -> f64;
    fn trunc(x: f64) -> f64;
    fn nearbyint(x: f64) -> f64;
    fn fma(x: f64, y: f64, z: f64) -> f64;
}

/// The C library functions compiled code may call (math built-ins and
/// Cranelift's own library calls).
fn libm_symbols() -> Vec<(&'static str, *const u8)> {
    vec![
        ("sin", sin as *const u8),
        ("cos", cos as *const u8),
        ("tan", tan as *const u8),
        ("exp", exp as *const u8),
        ("log", log as *const u8),
        ("pow", pow as *const u8),
        ("atan2", atan2 as *const u8),
        ("fmod", fmod as *const u8),
        ("fmin", fmin as *const u8),
        ("fmax", fmax as *const u8),
        ("floor", floor as *const u8),
        ("ceil", ceil as *const u8),
        ("trunc", trunc as *const u8),
        ("nearbyint", nearbyint as *const u8),
        ("fma", fma as *const u8),
    ]
}

/// Address space reserved for one module's code and data. cranelift-jit
/// reaches a module's own functions and data PC-relatively (32 bits), so
/// they must lie within 2 GiB of each other; one reservation guarantees it
/// whatever else maps memory meanwhile (the allocator's arenas, the heap).
/// Only what is used is committed.
const JIT_ARENA_BYTES: usize = 1 << 30;

/// A module compiled into this process, ready to run.
pub struct JitProgram {
    /// Owns the code `init` points into.
    _module: JITModule,
    init: *const u8,
    /// Every symbol it defines for other modules (not `Local` ones), with
    /// its address: what a module compiled after it, which imports it,
    /// resolves to.
    pub symbols: HashMap<String, usize>,
    /// Every function's code: (symbol, address, size in bytes), for a
    /// profiler's map of the JIT's code.
    pub code: Vec<(String, usize, usize)>,
}

impl JitProgram {
    /// The module's init entry (which runs the program), to hand to the
    /// runtime's `tess_main`.
    pub fn init_entry(&self) -> extern "C" fn() {
        unsafe { std::mem::transmute::<*const u8, extern "C" fn()>(self.init) }
    }
}

/// Compiles `module` in memory. Every symbol it imports is looked up in
/// `resolve` (the runtime, loaded libraries) and then in the C math
/// library; one that cannot be found is an error, not a crash.
pub fn jit(module: &hir::Module, resolve: &dyn Fn(&str) -> Option<*const u8>) -> Result<JitProgram, JitError> {
    let libm: HashMap<&'static str, *const u8> = libm_symbols().into_iter().collect();
    // Filled after translation, when the imports are known, and read by
    // cranelift-jit while it links.
    let found: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let platform = crate::target::platform();
    if platform != crate::target::Platform::host() {
        return Err(CodegenError(format!(
            "cannot run code compiled for {} on this machine ({}): build it with `tess build --target {}` and run it there",
            platform.triple(),
            crate::target::Platform::host().triple(),
            platform.triple()
        ))
        .into());
    }
    let isa = crate::target::isa(false)?;
    let mut builder = JITBuilder::with_isa(isa.clone(), cranelift_module::default_libcall_names());
    let arena = ArenaMemoryProvider::new_with_size(JIT_ARENA_BYTES)
        .map_err(|e| CodegenError(format!("reserving memory for JIT code: {e}")))?;
    builder.memory_provider(Box::new(arena));
    let lookup = Arc::clone(&found);
    builder.symbol_lookup_fn(Box::new(move |name| {
        lookup.lock().ok().and_then(|m| m.get(name).copied()).map(|a| a as *const u8)
    }));
    let mut mg = ModuleGen::new(JITModule::new(builder), isa, module, None)?;
    crate::translate::define_all(&mut mg, &mut Bodies::InModule(module))?;
    mg.define_code_table()?;
    let decls = mg.module.declarations();
    let imports = decls
        .get_functions()
        .filter(|(_, d)| d.linkage == Linkage::Import)
        .filter_map(|(_, d)| d.name.clone())
        .chain(
            decls.get_data_objects().filter(|(_, d)| d.linkage == Linkage::Import).filter_map(|(_, d)| d.name.clone()),
        )
        .chain(["floor", "ceil", "trunc", "nearbyint", "fma"].map(String::from));
    let mut table = HashMap::new();
    for name in imports {
        match resolve(&name).or_else(|| libm.get(name.as_str()).copied()) {
            Some(addr) => {
                table.insert(name, addr as usize);
            }
            // Another module's function or data that its library no longer
            // has: as a weak reference in AOT code (`object_file`), its
            // address is 0, never used — the start-up check stops the
            // program first.
            None if tess_abi::mangle::module_of(&name).is_some() => {
                table.insert(name, 0);
            }
            // cranelift-jit would panic on it while linking.
            None => return Err(JitError::Unresolved(name)),
        }
    }
    *found.lock().map_err(|_| CodegenError("symbol table lock".into()))? = table;
    mg.module.finalize_definitions().map_err(err("finalizing JIT code"))?;
    let init_id = mg.func(module.init)?;
    let init = mg.module.get_finalized_function(init_id);
    let mut symbols = HashMap::new();
    let shared = |l: Linkage| matches!(l, Linkage::Export | Linkage::Hidden | Linkage::Preemptible);
    let decls = mg.module.declarations();
    let funcs: Vec<_> = decls
        .get_functions()
        .filter(|(_, d)| shared(d.linkage))
        .filter_map(|(id, d)| Some((id, d.name.clone()?)))
        .collect();
    let data: Vec<_> = decls
        .get_data_objects()
        .filter(|(_, d)| shared(d.linkage))
        .filter_map(|(id, d)| Some((id, d.name.clone()?)))
        .collect();
    for (id, name) in funcs {
        symbols.insert(name, mg.module.get_finalized_function(id) as usize);
    }
    let code = mg
        .code_sizes
        .iter()
        .filter_map(|&(id, size)| {
            let name = mg.module.declarations().get_function_decl(id).name.clone()?;
            Some((name, mg.module.get_finalized_function(id) as usize, size))
        })
        .collect();
    for (id, name) in data {
        symbols.insert(name, mg.module.get_finalized_data(id).0 as usize);
    }
    Ok(JitProgram { _module: mg.module, init, symbols, code })
}
