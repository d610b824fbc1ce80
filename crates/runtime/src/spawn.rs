//! `spawn` and `Thread.join` (MODULES.md §6): each thread runs with its
//! own state (`thread.rs`); an exception escaping its function ends it,
//! and `join` reports it as a `ThreadError`.

use crate::exc::{describe, tess_ti_Error, tess_ti_Thread, tess_ti_ThreadError, throw_new};
use crate::joinable::fields;
use crate::object::*;
use tess_abi::layout::thread_object;

/// How a thread's function ended: `Err("Class: message")` when an
/// exception escaped it (what `ThreadError` reports).
type Outcome = Result<(), String>;

/// Native stack of a spawned thread: as large as the main thread's
/// usual 8 MiB, so recursion depth does not depend on the thread.
const STACK_BYTES: usize = 8 << 20;

/// `spawn(f)`: starts a thread running `f` and returns its `Thread`.
#[no_mangle]
pub extern "C" fn tess_spawn(f: extern "C" fn()) -> *mut Obj {
    let mut thread: libc::pthread_t = 0;
    crate::thread::will_start(f as usize);
    let status = unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        libc::pthread_attr_init(&mut attr);
        libc::pthread_attr_setstacksize(&mut attr, STACK_BYTES);
        let status = libc::pthread_create(&mut thread, &attr, run, f as *mut libc::c_void);
        libc::pthread_attr_destroy(&mut attr);
        status
    };
    if status != 0 {
        crate::thread::did_not_start(f as usize);
        let why = std::io::Error::from_raw_os_error(status);
        throw_new(&tess_ti_Error, &format!("cannot start a thread: {why}"));
        return std::ptr::null_mut();
    }
    let o = crate::thread::alloc(&tess_ti_Thread.ti, thread_object::SIZE as u64);
    unsafe { fields(o).pthread = thread };
    crate::thread::finalize_when_dead(o);
    o
}

/// A spawned thread's life: a state of its own, the function, what
/// escaped it (its `Outcome`, boxed, is the thread's result), and the
/// state freed.
extern "C" fn run(f: *mut libc::c_void) -> *mut libc::c_void {
    let f: extern "C" fn() = unsafe { std::mem::transmute(f) };
    let t = crate::thread::attach(crate::thread::SHADOW_SLOTS, f as usize);
    f();
    let e = unsafe { (*t).exc };
    let outcome: Outcome = if e.is_null() {
        Ok(())
    } else {
        let (class, message) = unsafe { describe(e) };
        Err(format!("{class}: {message}"))
    };
    unsafe { crate::thread::detach(t) };
    Box::into_raw(Box::new(outcome)).cast()
}

/// `t.join()`: waits for the thread; throws `ThreadError` naming the
/// exception that ended it, and `Error` when it was joined before.
///
/// # Safety
/// `o` is a `Thread` object.
#[no_mangle]
pub unsafe extern "C" fn tess_thread_join(o: *mut Obj) {
    let t = unsafe { fields(o) };
    if t.joined != 0 {
        throw_new(&tess_ti_Error, "join: the thread was already joined");
        return;
    }
    let mut result: *mut libc::c_void = std::ptr::null_mut();
    let status = unsafe { libc::pthread_join(t.pthread, &mut result) };
    t.joined = 1;
    let outcome = if status == 0 && !result.is_null() {
        *unsafe { Box::from_raw(result.cast::<Outcome>()) }
    } else {
        Err("the thread could not be joined".to_string())
    };
    if let Err(message) = outcome {
        throw_new(&tess_ti_ThreadError, &message);
    }
}
