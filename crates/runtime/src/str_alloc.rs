//! Allocating strings, for every part of the runtime that makes one (the
//! string operations, error messages, I/O).

use crate::object::{tess_ti_String, Str};
use crate::thread::alloc;
use tess_abi::layout::string;

/// A new heap string holding `bytes` (which must be UTF-8). Every string
/// has a NUL after its bytes (allocations are zeroed), so a `CString`
/// argument is the address of the bytes, borrowed for the call.
pub fn new_str(bytes: &[u8]) -> *mut Str {
    unsafe {
        let s = alloc(&tess_ti_String, (string::BYTES as usize + bytes.len() + 1) as u64).cast::<Str>();
        (*s).len = bytes.len() as u64;
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), (*s).bytes.as_mut_ptr(), bytes.len());
        s
    }
}
