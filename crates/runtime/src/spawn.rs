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
    crate::thread::will_start(f as usize);
    let thread = match crate::os::spawn(STACK_BYTES, Box::new(move || run(f))) {
        Ok(thread) => thread,
        Err(why) => {
            crate::thread::did_not_start(f as usize);
            throw_new(&tess_ti_Error, &format!("cannot start a thread: {why}"));
            return std::ptr::null_mut();
        }
    };
    let o = crate::thread::alloc(&tess_ti_Thread.ti, thread_object::SIZE as u64);
    unsafe { fields(o).pthread = thread };
    crate::thread::finalize_when_dead(o);
    o
}

/// A spawned thread's life: a state of its own, the function, what
/// escaped it (its `Outcome`, boxed, is the thread's result), and the
/// state freed.
fn run(f: extern "C" fn()) -> usize {
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
    Box::into_raw(Box::new(outcome)) as usize
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
    let result = crate::os::join(t.pthread);
    t.joined = 1;
    let outcome = match result {
        Some(outcome) if outcome != 0 => *unsafe { Box::from_raw(outcome as *mut Outcome) },
        _ => Err("the thread could not be joined".to_string()),
    };
    if let Err(message) = outcome {
        throw_new(&tess_ti_ThreadError, &message);
    }
}
