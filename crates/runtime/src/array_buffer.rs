//! An array's element buffer: inline in the object for small arrays, else
//! allocated beside it; what the collector frees with a dead array.

use crate::object::Array;
use std::alloc::{dealloc, Layout};

/// The buffer of `cap` elements; more than `layout::array::MAX_LEN` ends
/// the program (compiled code relies on that bound).
pub fn layout(cap: usize) -> Layout {
    match Layout::array::<u64>(cap) {
        Ok(l) if cap as u64 <= tess_abi::layout::array::MAX_LEN => l,
        _ => crate::output::fatal("array too large"),
    }
}

/// Arrays created with room for at most this many elements keep them in
/// the object itself (no separate buffer until they outgrow it).
pub const INLINE_CAP: u64 = 8;

/// Where an array's inline elements start (just after the fixed part).
pub fn inline_data(a: *mut Array) -> *mut u64 {
    unsafe { a.cast::<u8>().add(std::mem::size_of::<Array>()).cast() }
}

/// The bytes of `a`'s separate buffer (none while its elements are
/// inline).
///
/// # Safety
/// `a` is a live array.
pub unsafe fn owned_bytes(a: *mut Array) -> usize {
    unsafe {
        if (*a).data == inline_data(a) {
            0
        } else {
            8 * (*a).cap as usize
        }
    }
}

/// Frees the buffer of an array the collector found dead.
pub unsafe fn free_buffer(a: *mut Array) {
    unsafe {
        if (*a).data != inline_data(a) {
            dealloc((*a).data.cast(), layout((*a).cap as usize));
        }
    }
}
