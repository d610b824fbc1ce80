//! Function values (`docs/abi.md`, closures): the type info of those that
//! capture nothing (static objects in a module's data, or a C function
//! pointer wrapped for Tessera), and the way to C code for one.

use crate::exc::{tess_ti_Error, throw_new};
use crate::object::*;
use tess_abi::layout::closure;

static FUNCTION_NAME: StaticStr<8> = StaticStr::new(b"Function");

/// Type info of function values that capture nothing.
#[no_mangle]
pub static tess_ti_Function: TypeInfo = TypeInfo::plain((&raw const FUNCTION_NAME).cast(), closure::CAPTURES as u64);

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
