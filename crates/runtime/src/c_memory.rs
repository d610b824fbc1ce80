//! C memory and handles for code that calls C libraries (MODULES.md §5):
//! `cAlloc`/`cFree`, reads and writes at byte offsets of a `CPointer`
//! (unchecked, as in C), and handles that carry objects through C.

use crate::exc::{tess_ti_Error, throw_new};
use crate::object::{Obj, Str};

/// `cAlloc(bytes)`: zeroed memory the collector never sees.
#[no_mangle]
pub extern "C" fn tess_c_alloc(bytes: i64) -> *mut u8 {
    let p = unsafe { libc::calloc(bytes.max(1) as usize, 1) }.cast::<u8>();
    if p.is_null() || bytes < 0 {
        throw_new(&tess_ti_Error, &format!("cAlloc: cannot allocate {bytes} bytes"));
        return std::ptr::null_mut();
    }
    p
}

/// `cFree(p)`.
#[no_mangle]
pub unsafe extern "C" fn tess_c_free(p: *mut u8) {
    unsafe { libc::free(p.cast()) }
}

macro_rules! access {
    ($read:ident, $write:ident, $t:ty) => {
        /// Reads the value at byte offset `off` of `p`.
        #[no_mangle]
        pub unsafe extern "C" fn $read(p: *const u8, off: i64) -> $t {
            unsafe { p.offset(off as isize).cast::<$t>().read_unaligned() }
        }

        /// Writes `v` at byte offset `off` of `p`.
        #[no_mangle]
        pub unsafe extern "C" fn $write(p: *mut u8, off: i64, v: $t) {
            unsafe { p.offset(off as isize).cast::<$t>().write_unaligned(v) }
        }
    };
}

access!(tess_c_read_int, tess_c_write_int, i64);
access!(tess_c_read_int32, tess_c_write_int32, i32);
access!(tess_c_read_float, tess_c_write_float, f64);
access!(tess_c_read_pointer, tess_c_write_pointer, *mut u8);

/// `p.readCString(off)`: a copy of the NUL-terminated text at `p + off`.
#[no_mangle]
pub unsafe extern "C" fn tess_c_read_cstring(p: *const u8, off: i64) -> *mut Str {
    let text = unsafe { std::ffi::CStr::from_ptr(p.offset(off as isize).cast()) };
    crate::str_alloc::new_str(text.to_string_lossy().as_bytes())
}

/// `handleOf(x)`.
#[no_mangle]
pub extern "C" fn tess_handle_of(o: *mut Obj) -> *mut u8 {
    crate::handles::insert(o, crate::thread::current().id) as *mut u8
}

/// Throws the `Error` for a handle that gives no object to this thread.
fn refuse(what: &str, why: crate::handles::Refused) {
    let reason = match why {
        crate::handles::Refused::NotLive => "not a live handle",
        crate::handles::Refused::OtherThread => "the handle belongs to another thread",
    };
    throw_new(&tess_ti_Error, &format!("{what}: {reason}"));
}

/// `objectOf(h)`: throws `Error` for what is not a live handle.
#[no_mangle]
pub extern "C" fn tess_object_of(h: *mut u8) -> *mut Obj {
    crate::handles::get(h as u64, crate::thread::current().id).unwrap_or_else(|why| {
        refuse("objectOf", why);
        std::ptr::null_mut()
    })
}

/// `releaseHandle(h)`: throws `Error` for what is not a live handle.
#[no_mangle]
pub extern "C" fn tess_release_handle(h: *mut u8) {
    if let Err(why) = crate::handles::remove(h as u64, crate::thread::current().id) {
        refuse("releaseHandle", why);
    }
}
