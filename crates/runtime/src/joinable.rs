//! What a `Thread` object holds: the POSIX thread to wait for. Below the
//! collector, which releases it with the object.

use crate::object::Obj;
use tess_abi::layout::thread_object;

/// How a thread's function ended: `Err("Class: message")` when an
/// exception escaped it (what `ThreadError` reports).
pub type Outcome = Result<(), String>;

/// The handle a `Thread` object owns. Only the thread that spawned it can
/// reach the object (MODULES.md §6), so nothing here needs a lock.
pub struct Joinable {
    pub thread: libc::pthread_t,
    pub joined: bool,
}

/// The handle word of a `Thread` object.
///
/// # Safety
/// `o` is a `Thread` object.
pub unsafe fn handle_slot(o: *mut Obj) -> *mut *mut Joinable {
    unsafe { o.cast::<u8>().add(thread_object::HANDLE as usize).cast() }
}

/// Frees the handle of a `Thread` object the collector found dead; a
/// thread never joined is detached: it runs on, and its end is ignored.
///
/// # Safety
/// `o` is a `Thread` object that nothing references any more.
pub unsafe fn release(o: *mut Obj) {
    unsafe {
        let h = *handle_slot(o);
        if !h.is_null() {
            let j = Box::from_raw(h);
            if !j.joined {
                libc::pthread_detach(j.thread);
            }
        }
    }
}
