//! Module variables, one copy per thread (MODULES.md §6): each module that
//! has variables registers their layout once and gets a key; each thread
//! has a block of them per module, made and initialised the first time
//! the thread uses the module (`docs/abi.md`, threads). A key freed by
//! `lib.unload()` is given to the next module that registers.

use crate::image::Image;
use crate::lock::Lock;
use crate::thread::{alloc_block, free_block, Thread, VarsLayout};
use std::ffi::c_char;
use tess_abi::layout::thread as layout;

/// Every registered module's layout, by key index (`None`: free).
static LAYOUTS: Lock<Vec<Option<&'static VarsLayout>>> = Lock::new(Vec::new());

/// Called once by a module's init entry: registers the layout of its
/// variables (`size` bytes, the references at the `nrefs` offsets in
/// `refs`, named by `names`), writes the module's key into `key_cell`, and
/// gives the calling thread its block — whose variables the init entry
/// then initialises itself (interleaved with `init { }` blocks, in source
/// order).
///
/// # Safety
/// `t` is the calling thread's state, `refs` holds `nrefs` offsets below
/// `size` and `names` as many C strings, `key_cell` is the module's key
/// cell.
#[no_mangle]
pub unsafe extern "C" fn tess_register_vars(
    key_cell: *mut u64,
    size: u64,
    refs: *const u64,
    names: *const *const c_char,
    nrefs: u64,
    thread_init: extern "C" fn(*mut Thread),
    t: *mut Thread,
) -> *mut u8 {
    let refs = (0..nrefs as usize).map(|i| unsafe { *refs.add(i) }).collect();
    let vars: &'static VarsLayout = Box::leak(Box::new(VarsLayout { size: size as usize, refs, names, thread_init }));
    let index = {
        let mut layouts = LAYOUTS.lock();
        let index = layouts.iter().position(Option::is_none).unwrap_or(layouts.len());
        if index == layout::MAX_MODULES {
            crate::output::fatal(&format!("more than {} modules with variables in one process", layout::MAX_MODULES));
        }
        if index == layouts.len() {
            layouts.push(None);
        }
        layouts[index] = Some(vars);
        index
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
    let vars = LAYOUTS.lock().get(index).copied().flatten();
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

/// The keys (block indices) of the modules whose code is in `image`.
pub fn keys_in(image: &Image) -> Vec<usize> {
    let layouts = LAYOUTS.lock();
    (0..layouts.len()).filter(|&i| layouts[i].is_some_and(|v| image.contains(v.thread_init as usize))).collect()
}

/// Unregisters the modules of `keys`, freeing the calling thread's blocks
/// of them (`lib.unload()`, once no other thread has one).
pub fn forget(keys: &[usize], t: &mut Thread) {
    let mut layouts = LAYOUTS.lock();
    for &k in keys {
        let b = std::mem::replace(&mut t.blocks[k], std::ptr::null_mut());
        if !b.is_null() {
            unsafe { free_block(b) };
        }
        if let Some(vars) = layouts[k].take() {
            drop(unsafe { Box::from_raw(std::ptr::from_ref(vars).cast_mut()) });
        }
    }
}
