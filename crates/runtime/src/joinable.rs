//! What a `Thread` object holds: the system's thread to wait for, and whether
//! it was joined — in the object itself, so a thread leaves nothing behind
//! outside the heap. Below the collector, which detaches an unjoined
//! thread when its object dies.

use crate::object::Obj;
use tess_abi::layout::thread_object;

/// The fields of a `Thread` object. Only the thread that spawned it can
/// reach it (MODULES.md §6), so nothing here needs a lock.
#[repr(C)]
pub struct ThreadObj {
    header: u64,
    /// The system's handle of the thread (`os::spawn`).
    pub pthread: u64,
    pub joined: u64,
}

const _: () = {
    use std::mem::{offset_of, size_of};
    assert!(offset_of!(ThreadObj, pthread) == thread_object::PTHREAD as usize);
    assert!(offset_of!(ThreadObj, joined) == thread_object::JOINED as usize);
    assert!(size_of::<ThreadObj>() == thread_object::SIZE as usize);
};

/// A `Thread` object's fields.
///
/// # Safety
/// `o` is a live `Thread` object.
pub unsafe fn fields<'a>(o: *mut Obj) -> &'a mut ThreadObj {
    unsafe { &mut *o.cast::<ThreadObj>() }
}

/// Detaches the thread of a `Thread` object the collector found dead
/// without a join: it runs on, and its end is ignored.
///
/// # Safety
/// `o` is a `Thread` object that nothing references any more.
pub unsafe fn release(o: *mut Obj) {
    let t = unsafe { fields(o) };
    if t.joined == 0 {
        crate::os::detach(t.pthread);
    }
}
