//! The pending-exception slot (`docs/abi.md`, exceptions): set by a throw,
//! tested by compiled code after every call that may throw, marked by the
//! collector as a root.

use crate::object::Obj;
use std::ptr::null_mut;

/// The pending exception, or null.
#[no_mangle]
pub static mut tess_exc: *mut Obj = null_mut();

pub fn pending() -> *mut Obj {
    unsafe { tess_exc }
}
