//! Modules known to the process, and `loadLibrary` (MODULES.md §4): a
//! shared library compiled later against this program's modules is loaded,
//! checked against the fingerprints of the declarations it uses, and
//! initialised; the libraries loaded so, for `lib.unload()` (`unload.rs`).

use crate::exc::{tess_ti_AbiError, tess_ti_LoadError, throw_new};
use crate::image::Image;
use crate::lock::Lock;
use crate::object::{Obj, Str};
use std::collections::{BTreeMap, HashMap};
use std::ffi::{c_char, CStr};
use tess_abi::layout::fingerprint_table::WIDTH as FP_WIDTH;
use tess_abi::layout::library_descriptor::{SYMBOL as DESCRIPTOR_SYMBOL, USES_WIDTH};

/// Set while `loadLibrary` opens a library: its constructor must then
/// leave initialisation to the loader, which checks fingerprints first.
static LOADING_PLUGIN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

extern "C" fn flush_at_exit() {
    crate::output::flush_stdout();
}

/// Called by a shared library's ELF constructor with its init entry: a C
/// program or Python's ctypes can use the library at once (MODULES.md §5).
/// The runtime starts if nothing started it; output is flushed at exit.
#[no_mangle]
pub extern "C" fn tess_library_loaded(init: extern "C" fn()) {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        crate::thread::init_main();
        unsafe { libc::atexit(flush_at_exit) };
    });
    if LOADING_PLUGIN.load(std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    init();
    if !crate::exc::pending().is_null() {
        unsafe { crate::exc::tess_uncaught() }
    }
}

/// A loaded module: where its name is (in its own image) and its
/// interface, declaration -> fingerprint.
struct Registered {
    name_at: usize,
    decls: HashMap<String, String>,
}

/// Each loaded module, by name.
static MODULES: Lock<Option<HashMap<String, Registered>>> = Lock::new(None);

/// A library `loadLibrary` loaded.
pub struct Loaded {
    pub path: String,
    pub module: String,
    pub handle: usize,
    pub image: Image,
    pub fini: Option<extern "C" fn()>,
    /// The modules whose declarations it uses.
    pub imports: Vec<String>,
}

/// The libraries `loadLibrary` loaded and that are not unloaded, by the
/// id their `Library` objects hold (never reused: a stale `Library`
/// finds nothing).
pub static LIBRARIES: Lock<BTreeMap<u64, Loaded>> = Lock::new(BTreeMap::new());

/// Forgets the modules registered from `image` (`lib.unload()`): their
/// names may be loaded again.
pub fn forget(image: &Image) {
    if let Some(modules) = MODULES.lock().as_mut() {
        modules.retain(|_, m| !image.contains(m.name_at));
    }
}

unsafe fn text(p: *const c_char) -> String {
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// Called by every module's init entry: `table` holds `n` pairs of C
/// strings (declaration, fingerprint).
#[no_mangle]
pub unsafe extern "C" fn tess_register_module(name: *const c_char, table: *const *const c_char, n: u64) {
    let mut decls = HashMap::new();
    for i in 0..n as usize {
        unsafe { decls.insert(text(*table.add(FP_WIDTH * i)), text(*table.add(FP_WIDTH * i + 1))) };
    }
    let module = Registered { name_at: name as usize, decls };
    MODULES.lock().get_or_insert_with(HashMap::new).insert(unsafe { text(name) }, module);
}

/// Called by every module's init entry once the modules it imports are
/// initialised (and so registered), before any of its own code runs: each
/// row of `table` (`n` rows of module, declaration, fingerprint) is an
/// imported declaration it was compiled against. A loaded module whose
/// declaration changed, or no longer has it, throws `AbiError` naming
/// both — an upgraded shared library is refused at start-up rather than
/// crashing later (MODULES.md §3).
#[no_mangle]
pub unsafe extern "C" fn tess_check_uses(name: *const c_char, table: *const *const c_char, n: u64) {
    let name = unsafe { text(name) };
    let problem = {
        let modules = MODULES.lock();
        let Some(known) = modules.as_ref() else { return };
        (0..n as usize).find_map(|i| {
            let field = |k: usize| unsafe { text(*table.add(USES_WIDTH * i + k)) };
            let (module, decl, fp) = (field(0), field(1), field(2));
            // A module that registered nothing is not a Tessera module's.
            let decls = &known.get(&module)?.decls;
            match decls.get(&decl) {
                None => Some(format!(
                    "module `{name}` uses `{module}.{decl}`, which the loaded `{module}` no longer has (rebuild `{name}` against it)"
                )),
                Some(now) if *now != fp => Some(format!(
                    "module `{name}` was compiled against `{module}.{decl}` with fingerprint {fp}, but the loaded `{module}` has {now} (rebuild `{name}` against it)"
                )),
                Some(_) => None,
            }
        })
    };
    if let Some(message) = problem {
        throw_new(&tess_ti_AbiError, &message);
    }
}

/// What a shared library exports as `tess_library_module`.
#[repr(C)]
struct Descriptor {
    name: *const c_char,
    init: extern "C" fn(),
    uses: *const *const c_char,
    nuses: u64,
    fini: Option<extern "C" fn()>,
}

const _: () = {
    use std::mem::{offset_of, size_of};
    use tess_abi::layout::library_descriptor as d;
    assert!(offset_of!(Descriptor, name) == d::NAME as usize);
    assert!(offset_of!(Descriptor, init) == d::INIT as usize);
    assert!(offset_of!(Descriptor, uses) == d::USES as usize);
    assert!(offset_of!(Descriptor, nuses) == d::NUSES as usize);
    assert!(offset_of!(Descriptor, fini) == d::FINI as usize);
    assert!(size_of::<Descriptor>() == d::SIZE as usize);
};

/// More declarations than any library uses: a descriptor claiming more is
/// damaged.
const MAX_USES: u64 = 1 << 24;

fn load(path: &str) -> Result<Loaded, (&'static crate::object::ClassInfo<1>, String)> {
    let load_error = |m: String| (&tess_ti_LoadError, m);
    let abi_error = |m: String| (&tess_ti_AbiError, m);
    // A path with a `/` is the file itself (one without is searched for by
    // the dynamic loader, which then reports what it finds).
    if crate::os::names_a_file(path) {
        let bytes = std::fs::read(path).map_err(|e| load_error(format!("cannot load {path}: {e}")))?;
        crate::os::check_shared_library(&bytes).map_err(|why| load_error(format!("cannot load {path}: {why}")))?;
    }
    LOADING_PLUGIN.store(true, std::sync::atomic::Ordering::SeqCst);
    let opened = crate::os::open_library(path);
    LOADING_PLUGIN.store(false, std::sync::atomic::Ordering::SeqCst);
    let handle = match opened {
        Ok(handle) => handle,
        Err(why) => {
            if let Some(sym) = crate::os::missing_symbol(&why) {
                let decl = tess_abi::mangle::demangle(sym).unwrap_or_else(|| sym.to_string());
                return Err(abi_error(format!(
                "cannot load {path}: it uses `{decl}`, which the loaded modules no longer provide (rebuild it against their current interfaces)"
            )));
            }
            return Err(load_error(format!("cannot load {path}: {why}")));
        }
    };
    let desc = crate::os::library_symbol(handle, DESCRIPTOR_SYMBOL) as *const Descriptor;
    if desc.is_null() {
        return Err(load_error(format!("cannot load {path}: it is not a Tessera shared library")));
    }
    let desc = unsafe { &*desc };
    let damaged = || load_error(format!("cannot load {path}: its library descriptor is damaged"));
    let image = Image::of(std::ptr::from_ref(desc).cast()).ok_or_else(damaged)?;
    // Every address the descriptor holds must point into its own library.
    let inside = |p: *const u8| !p.is_null() && image.contains(p as usize);
    let string = |p: *const c_char| if inside(p.cast()) { Some(unsafe { text(p) }) } else { None };
    let name = string(desc.name).ok_or_else(damaged)?;
    let modules = MODULES.lock();
    let known = modules.as_ref();
    if known.is_some_and(|m| m.contains_key(&name)) {
        return Err(load_error(format!("cannot load {path}: a module named `{name}` is already loaded")));
    }
    // (A second module of a loaded name would have its init entry bound to
    // the first one's: that case is refused above.)
    if !inside(desc.init as *const u8)
        || desc.fini.is_some_and(|f| !inside(f as *const u8))
        || desc.nuses > MAX_USES
        || (desc.nuses > 0 && !inside(desc.uses.cast()))
    {
        return Err(damaged());
    }
    let mut imports = Vec::new();
    for i in 0..desc.nuses as usize {
        let row = unsafe { desc.uses.add(USES_WIDTH * i) };
        if !inside(unsafe { row.add(USES_WIDTH - 1) }.cast()) {
            return Err(damaged());
        }
        let field = |k: usize| string(unsafe { *row.add(k) });
        let (Some(module), Some(decl), Some(fp)) = (field(0), field(1), field(2)) else {
            return Err(damaged());
        };
        let Some(decls) = known.and_then(|m| m.get(&module)).map(|m| &m.decls) else {
            return Err(load_error(format!(
                "cannot load {path}: module `{name}` needs module `{module}`, which is not loaded"
            )));
        };
        match decls.get(&decl) {
            None => {
                return Err(abi_error(format!(
                    "cannot load {path}: module `{name}` uses `{module}.{decl}`, which `{module}` no longer has"
                )))
            }
            Some(now) if *now != fp => {
                return Err(abi_error(format!(
                    "cannot load {path}: module `{name}` was compiled against `{module}.{decl}` with fingerprint {fp}, but the loaded `{module}` has {now}"
                )))
            }
            Some(_) => {}
        }
        if !imports.contains(&module) {
            imports.push(module);
        }
    }
    drop(modules);
    (desc.init)();
    Ok(Loaded { path: path.to_string(), module: name, handle, image, fini: desc.fini, imports })
}

/// Runs `f` while no other thread loads or unloads a library (from any
/// thread, one at a time, checks and init or `fini` entry included); a
/// library's `init { }` block may itself load one.
pub fn one_load_at_a_time<R>(f: impl FnOnce() -> R) -> R {
    static LOADING: Lock<()> = Lock::new(());
    thread_local!(static HOLDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    if HOLDING.with(|h| h.get()) {
        return f();
    }
    let _guard = LOADING.lock();
    HOLDING.with(|h| h.set(true));
    let r = f();
    HOLDING.with(|h| h.set(false));
    r
}

/// `loadLibrary(path)`: its `Library`; throws `LoadError` or `AbiError`
/// with a message a user can act on.
#[no_mangle]
pub unsafe extern "C" fn tess_load_library(path: *const Str) -> *mut Obj {
    let text = unsafe { (*path).as_str() }.to_string();
    match one_load_at_a_time(|| load(&text)) {
        Err((class, message)) => {
            throw_new(class, &message);
            std::ptr::null_mut()
        }
        Ok(loaded) => {
            let module = loaded.module.clone();
            static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            LIBRARIES.lock().insert(id, loaded);
            unsafe { library_object(path, &module, id) }
        }
    }
}

/// A new `Library` object (`tess_abi::layout::library_object`).
unsafe fn library_object(path: *const Str, module: &str, id: u64) -> *mut Obj {
    use crate::thread::{alloc, pop_root, push_root};
    use tess_abi::layout::library_object as l;
    unsafe {
        push_root(path.cast_mut().cast());
        let name = crate::str_alloc::new_str(module.as_bytes());
        push_root(name.cast());
        let o = alloc(&crate::exc::tess_ti_Library.ti, l::SIZE as u64);
        pop_root(2);
        let at = |offset: i32| o.cast::<u8>().add(offset as usize);
        *at(l::PATH).cast::<*const Str>() = path;
        *at(l::NAME).cast::<*mut Str>() = name;
        *at(l::ID).cast::<u64>() = id;
        o
    }
}
