//! Module variables, one copy per thread (MODULES.md §6): each module that
//! has variables registers their layout once and gets a key; each thread
//! has a block of them per module, made and initialised the first time
//! the thread uses the module (`docs/abi.md`, threads).

use crate::lock::Lock;
use crate::thread::{alloc_block, Thread, VarsLayout};
use tess_abi::layout::thread as layout;

/// Every registered module's layout, by key index.
static LAYOUTS: Lock<Vec<&'static VarsLayout>> = Lock::new(Vec::new());

/// Called once by a module's init entry: registers the layout of its
/// variables (`size` bytes, the references at the `nrefs` offsets in
/// `refs`), writes the module's key into `key_cell`, and gives the calling
/// thread its block — whose variables the init entry then initialises
/// itself (interleaved with `init { }` blocks, in source order).
///
/// # Safety
/// `t` is the calling thread's state, `refs` holds `nrefs` offsets below
/// `size`, `key_cell` is the module's key cell.
#[no_mangle]
pub unsafe extern "C" fn tess_register_vars(
    key_cell: *mut u64,
    size: u64,
    refs: *const u64,
    nrefs: u64,
    thread_init: extern "C" fn(*mut Thread),
    t: *mut Thread,
) -> *mut u8 {
    let refs = (0..nrefs as usize).map(|i| unsafe { *refs.add(i) }).collect();
    let vars: &'static VarsLayout = Box::leak(Box::new(VarsLayout { size: size as usize, refs, thread_init }));
    let index = {
        let mut layouts = LAYOUTS.lock();
        if layouts.len() == layout::MAX_MODULES {
            crate::output::fatal(&format!("more than {} modules with variables in one process", layout::MAX_MODULES));
        }
        layouts.push(vars);
        layouts.len() - 1
    };
    unsafe {
        *key_cell = layout::block(index) as u64;
        let b = alloc_block(vars);
        (*t).blocks[index] = b;
        b
    }
}

/// The calling thread's block of the module with this key, made and
/// initialised by the module's per-thread initialiser if the thread has
/// not used the module before (an exception there stays pending).
///
/// # Safety
/// `t` is the calling thread's state, `key` a value of a key cell.
#[no_mangle]
pub unsafe extern "C" fn tess_module_block(key: i64, t: *mut Thread) -> *mut u8 {
    let index = ((key - i64::from(layout::BLOCKS)) / i64::from(tess_abi::layout::WORD)) as usize;
    let vars = LAYOUTS.lock().get(index).copied();
    let Some(vars) = vars else {
        crate::exc::throw_new(
            &crate::exc::tess_ti_Error,
            "a module's variables were used before the module was initialised",
        );
        // Compiled code tests the exception before using the block.
        return std::ptr::null_mut();
    };
    unsafe {
        let existing = (*t).blocks[index];
        if !existing.is_null() {
            return existing;
        }
        let b = alloc_block(vars);
        (*t).blocks[index] = b;
        (vars.thread_init)(t);
        b
    }
}
