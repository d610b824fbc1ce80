//! Function values (`docs/abi.md`, closures): the type info of those that
//! capture nothing (static objects in a module's data, or a C function
//! pointer wrapped for Tessera), and the way to C code for one.

use crate::exc::{tess_error_new, tess_ti_Error, throw_new, TessError};
use crate::object::*;
use tess_abi::layout::closure;

static FUNCTION_NAME: StaticStr<8> = StaticStr::new(b"Function");

/// Type info of function values that capture nothing.
#[no_mangle]
pub static tess_ti_Function: TypeInfo = TypeInfo::plain((&raw const FUNCTION_NAME).cast(), closure::CAPTURES as u64);

/// `tess_closure_code(handle, &value, &err)` (`tessera.h`): for a handle
/// of a function value (`handleOf(f)`, any closure), its Tessera-convention
/// code, to be called as `code(value, args..., thread)`, and the object
/// to pass as `value`; null, with `*err` set, for what is not a live
/// handle of this thread. The handle keeps the value alive; that it is a
/// function value is the caller's promise, as a C cast is.
///
/// # Safety
/// `value` and `err` point to writable words.
#[no_mangle]
pub unsafe extern "C" fn tess_closure_code(h: *mut u8, value: *mut *mut Obj, err: *mut *mut TessError) -> *const u8 {
    match crate::handles::get(h as u64, crate::thread::current().id) {
        Ok(f) => unsafe {
            *value = f;
            *f.cast::<u8>().add(closure::CODE as usize).cast::<*const u8>()
        },
        Err(why) => {
            let message = match why {
                crate::handles::Refused::NotLive => c"tess_closure_code: not a live handle",
                crate::handles::Refused::OtherThread => c"tess_closure_code: the handle belongs to another thread",
            };
            unsafe { *err = tess_error_new(c"Error".as_ptr(), message.as_ptr()) };
            std::ptr::null()
        }
    }
}

/// The C-convention code of function value `f`, what C is handed for it;
/// throws when `f` captures variables (C could not pass them back).
///
/// # Safety
/// `f` is a function value.
#[no_mangle]
pub unsafe extern "C" fn tess_c_code(f: *const Obj) -> *const u8 {
    let code = unsafe { *f.cast::<u8>().add(closure::C_ENTRY as usize).cast::<*const u8>() };
    if code.is_null() {
        throw_new(
            &tess_ti_Error,
            "a closure that captures variables cannot be passed to C or `spawn` (pass its state through a `CPointer`)",
        );
    }
    code
}
