//! Exceptions: a pending-exception slot per thread (RPython's exception
//! transformer).
//!
//! A throw stores the error object in its thread's slot and returns normally;
//! compiled code tests the slot after every call that may throw and
//! branches to its handler or returns at once. The protocol needs no
//! unwinder, so it works the same in JIT and AOT code and across modules.

use crate::object::*;
pub use crate::thread::pending;
use crate::thread::set_pending;
use std::ptr::null_mut;

/// Ancestor display of a built-in class; `Sync` so it can be a static.
#[repr(transparent)]
pub struct Display<const N: usize>(pub [*const TypeInfo; N]);
unsafe impl<const N: usize> Sync for Display<N> {}

#[repr(transparent)]
pub struct Offsets<const N: usize>(pub [u64; N]);

/// Offset of `Error.message`, the first field after the header.
pub const ERROR_MESSAGE_OFFSET: u64 = tess_abi::layout::error::MESSAGE as u64;
/// `message` and the trace.
static ERROR_REFS: Offsets<2> = Offsets([ERROR_MESSAGE_OFFSET, tess_abi::layout::error::TRACE as u64]);

macro_rules! builtin_class {
    ($ti:ident, $name:ident, $disp:ident, $text:literal, $kind:expr, $size:expr, $nrefs:expr, $refs:expr, [$($anc:ident),*]) => {
        static $name: StaticStr<{ $text.len() }> = StaticStr::new($text);
        static $disp: Display<{ <[&str]>::len(&[$(stringify!($anc)),*]) + 1 }> =
            Display([$((&raw const $anc).cast(),)* (&raw const $ti).cast()]);
        #[no_mangle]
        #[doc = concat!("Type info of the built-in class `", stringify!($ti), "`.")]
        pub static $ti: ClassInfo<1> = ClassInfo {
            ti: TypeInfo {
                kind: $kind,
                flags: 0,
                size: $size,
                nrefs: $nrefs,
                refs: $refs,
                name: (&raw const $name).cast(),
                depth: <[&str]>::len(&[$(stringify!($anc)),*]) as u64,
                display: (&raw const $disp).cast(),
                nslots: 1,
            },
            vtable: [tess_object_to_string as *const u8],
        };
    };
}

macro_rules! error_class {
    ($ti:ident, $name:ident, $disp:ident, $text:literal, [$($anc:ident),*]) => {
        builtin_class!(
            $ti,
            $name,
            $disp,
            $text,
            Kind::Object,
            tess_abi::layout::error::SIZE as u64,
            2,
            (&raw const ERROR_REFS).cast(),
            [$($anc),*]
        );
    };
}

builtin_class!(tess_ti_Object, OBJECT_NAME, OBJECT_DISPLAY, b"Object", Kind::Object, 8, 0, std::ptr::null(), []);
// What `spawn` returns (`spawn.rs`): its collector kind releases the thread.
builtin_class!(
    tess_ti_Thread,
    THREAD_NAME,
    THREAD_DISPLAY,
    b"Thread",
    Kind::Thread,
    tess_abi::layout::thread_object::SIZE as u64,
    0,
    std::ptr::null(),
    [tess_ti_Object]
);
error_class!(tess_ti_Error, ERROR_NAME, ERROR_DISPLAY, b"Error", [tess_ti_Object]);
error_class!(tess_ti_OverflowError, OVERFLOW_NAME, OVERFLOW_DISPLAY, b"OverflowError", [tess_ti_Object, tess_ti_Error]);
error_class!(
    tess_ti_DivisionByZeroError,
    DIVZERO_NAME,
    DIVZERO_DISPLAY,
    b"DivisionByZeroError",
    [tess_ti_Object, tess_ti_Error]
);
error_class!(tess_ti_IndexError, INDEX_NAME, INDEX_DISPLAY, b"IndexError", [tess_ti_Object, tess_ti_Error]);
error_class!(tess_ti_NilError, NIL_NAME, NIL_DISPLAY, b"NilError", [tess_ti_Object, tess_ti_Error]);
error_class!(tess_ti_CastError, CAST_NAME, CAST_DISPLAY, b"CastError", [tess_ti_Object, tess_ti_Error]);
error_class!(tess_ti_KeyError, KEY_NAME, KEY_DISPLAY, b"KeyError", [tess_ti_Object, tess_ti_Error]);
error_class!(tess_ti_IOError, IO_NAME, IO_DISPLAY, b"IOError", [tess_ti_Object, tess_ti_Error]);
error_class!(tess_ti_LoadError, LOAD_NAME, LOAD_DISPLAY, b"LoadError", [tess_ti_Object, tess_ti_Error]);
error_class!(tess_ti_AbiError, ABI_NAME, ABI_DISPLAY, b"AbiError", [tess_ti_Object, tess_ti_Error]);
error_class!(tess_ti_UnloadError, UNLOAD_NAME, UNLOAD_DISPLAY, b"UnloadError", [tess_ti_Object, tess_ti_Error]);
/// `path` and `name` of a `Library`.
static LIBRARY_REFS: Offsets<2> =
    Offsets([tess_abi::layout::library_object::PATH as u64, tess_abi::layout::library_object::NAME as u64]);
// What `loadLibrary` returns (`loader.rs`).
builtin_class!(
    tess_ti_Library,
    LIBRARY_NAME,
    LIBRARY_DISPLAY,
    b"Library",
    Kind::Object,
    tess_abi::layout::library_object::SIZE as u64,
    2,
    (&raw const LIBRARY_REFS).cast(),
    [tess_ti_Object]
);
error_class!(
    tess_ti_ThreadError,
    THREAD_ERROR_NAME,
    THREAD_ERROR_DISPLAY,
    b"ThreadError",
    [tess_ti_Object, tess_ti_Error]
);

/// Makes `e` the pending exception.
#[no_mangle]
pub unsafe extern "C" fn tess_throw(e: *mut Obj) {
    set_pending(e);
}

/// Takes the pending exception (for a `catch`), leaving the slot empty.
#[no_mangle]
pub unsafe extern "C" fn tess_exc_take() -> *mut Obj {
    let e = pending();
    set_pending(null_mut());
    e
}

/// Throws a new built-in error of class `ty` with `message`.
pub fn throw_new(ty: &'static ClassInfo<1>, message: &str) {
    unsafe { throw_of_type(&ty.ti, message) }
}

/// Throws a new error of the class whose type info is `ty` (an `Error`
/// with no fields beyond `message`).
unsafe fn throw_of_type(ty: *const TypeInfo, message: &str) {
    unsafe {
        let msg = crate::str_alloc::new_str(message.as_bytes());
        crate::thread::push_root(msg.cast());
        let e = crate::thread::alloc(ty, (*ty).size);
        crate::thread::pop_root(1);
        *e.cast::<u8>().add(ERROR_MESSAGE_OFFSET as usize).cast::<*mut Str>() = msg;
        set_pending(e);
    }
}

#[no_mangle]
pub extern "C" fn tess_throw_overflow() {
    throw_new(&tess_ti_OverflowError, "arithmetic overflow");
}

#[no_mangle]
pub extern "C" fn tess_throw_divzero() {
    throw_new(&tess_ti_DivisionByZeroError, "division by zero");
}

#[no_mangle]
pub extern "C" fn tess_throw_index(index: i64, len: i64) {
    throw_new(&tess_ti_IndexError, &format!("index {index} out of range for length {len}"));
}

/// Called by a program's entry when its main code ends with an exception:
/// prints `uncaught <Class>: <message>` and exits with status 1.
#[no_mangle]
pub unsafe extern "C" fn tess_uncaught() -> ! {
    unsafe {
        let e = pending();
        let (class, msg) = describe(e);
        crate::output::flush_stdout();
        eprint!("uncaught {class}: {msg}\n{}", crate::trace::text(e));
        crate::exit::tess_exit(1)
    }
}

/// An exception escaped an `extern fn` definition (MODULES.md §5, Clay's
/// rule): report it and abort.
#[no_mangle]
pub unsafe extern "C" fn tess_extern_uncaught(name: *const std::ffi::c_char) -> ! {
    unsafe {
        let (class, msg) = describe(pending());
        let name = std::ffi::CStr::from_ptr(name).to_string_lossy();
        crate::output::flush_stdout();
        eprint!("uncaught {class}: {msg} in extern fn {name}\n{}", crate::trace::text(pending()));
        crate::os::abort()
    }
}

/// What C gets from an `extern fn ... throws` that failed: copies of the
/// exception's class name and message (nothing the collector owns).
pub struct TessError {
    class: std::ffi::CString,
    message: std::ffi::CString,
}

/// Takes the pending exception and, if `err` is not null, stores a new
/// error handle in `*err` (the C side frees it with `tess_error_free`).
#[no_mangle]
pub unsafe extern "C" fn tess_error_out(err: *mut *mut TessError) {
    unsafe {
        let e = tess_exc_take();
        if err.is_null() || e.is_null() {
            return;
        }
        let (class, message) = describe(e);
        let c = |s: &str| std::ffi::CString::new(s.replace('\0', " ")).unwrap_or_default();
        *err = Box::into_raw(Box::new(TessError { class: c(class), message: c(message) }));
    }
}

/// `tess_error_new(class, message)` (`tessera.h`): an error C code reports
/// through `tess_error **err`, to a Tessera caller that rethrows it.
#[no_mangle]
pub unsafe extern "C" fn tess_error_new(
    class: *const std::ffi::c_char,
    message: *const std::ffi::c_char,
) -> *mut TessError {
    let text = |p: *const std::ffi::c_char| {
        if p.is_null() {
            std::ffi::CString::default()
        } else {
            unsafe { std::ffi::CStr::from_ptr(p) }.to_owned()
        }
    };
    Box::into_raw(Box::new(TessError { class: text(class), message: text(message) }))
}

/// After a call of an `extern fn ... throws` declaration that reported
/// `e`: throws it as a Tessera exception — of the class of that name among
/// `classes` (`n` pairs of C-string name and type info: the error classes
/// the calling module knows), else `Error` — with its message, and frees
/// it.
#[no_mangle]
pub unsafe extern "C" fn tess_error_rethrow(e: *mut TessError, classes: *const *const u8, n: u64) {
    if e.is_null() {
        return;
    }
    let error = unsafe { Box::from_raw(e) };
    let wanted = error.class.to_bytes();
    let ty = (0..n as usize)
        .map(|i| unsafe { (*classes.add(2 * i), *classes.add(2 * i + 1)) })
        .find(|&(name, _)| unsafe { std::ffi::CStr::from_ptr(name.cast()) }.to_bytes() == wanted)
        .map_or(&tess_ti_Error.ti as *const TypeInfo, |(_, ti)| ti.cast());
    unsafe { throw_of_type(ty, &error.message.to_string_lossy()) }
}

#[no_mangle]
pub unsafe extern "C" fn tess_error_message(e: *const TessError) -> *const std::ffi::c_char {
    unsafe { (*e).message.as_ptr() }
}

#[no_mangle]
pub unsafe extern "C" fn tess_error_class(e: *const TessError) -> *const std::ffi::c_char {
    unsafe { (*e).class.as_ptr() }
}

#[no_mangle]
pub unsafe extern "C" fn tess_error_free(e: *mut TessError) {
    if !e.is_null() {
        unsafe { drop(Box::from_raw(e)) };
    }
}

/// Class name and message of an error object.
pub unsafe fn describe(e: *mut Obj) -> (&'static str, &'static str) {
    unsafe {
        let class = class_name(e);
        let msg = *e.cast::<u8>().add(ERROR_MESSAGE_OFFSET as usize).cast::<*const Str>();
        let msg = if msg.is_null() { "" } else { (*msg).as_str() };
        (class, msg)
    }
}

/// `Object.toString()`: the class name.
#[no_mangle]
pub unsafe extern "C" fn tess_object_to_string(o: *mut Obj, _thread: *mut crate::thread::Thread) -> *mut Str {
    unsafe { crate::str_alloc::new_str(class_name(o).as_bytes()) }
}

/// `Error.init(message)` (and that of every built-in error class).
#[no_mangle]
pub unsafe extern "C" fn tess_error_init(e: *mut Obj, message: *mut Str) {
    unsafe {
        crate::thread::write_barrier(e);
        *e.cast::<u8>().add(ERROR_MESSAGE_OFFSET as usize).cast::<*mut Str>() = message;
    }
}

/// A failed `x as C`.
#[no_mangle]
pub unsafe extern "C" fn tess_throw_cast(o: *mut Obj, ty: *const TypeInfo) {
    let msg = unsafe { format!("cannot cast {} to {}", class_name(o), type_name(ty)) };
    throw_new(&tess_ti_CastError, &msg);
}

/// A module variable read (by a function called from top-level code)
/// before its initialiser ran.
#[no_mangle]
pub extern "C" fn tess_throw_uninitialised() {
    throw_new(&tess_ti_NilError, "module variable read before its initialisation");
}

/// `x!` on nil.
#[no_mangle]
pub extern "C" fn tess_throw_nil() {
    throw_new(&tess_ti_NilError, "unwrapped a nil value");
}
