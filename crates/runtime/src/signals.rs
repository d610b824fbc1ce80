//! A clear message instead of a bare "Segmentation fault" when a program
//! overflows its stack (deep recursion), on any thread: a SIGSEGV handler
//! on an alternate signal stack reports it and exits with status 134, as
//! Rust and Java programs do. The handler is installed once; every thread
//! gets its own alternate stack (`thread.rs`).

use std::sync::Once;

static INSTALL: Once = Once::new();
const ALT_STACK_BYTES: usize = 64 * 1024;

extern "C" fn on_fault(_sig: libc::c_int) {
    const MSG: &[u8] = b"fatal: stack overflow (or invalid memory access)\n";
    crate::output::flush_stdout_raw();
    unsafe {
        libc::write(2, MSG.as_ptr().cast(), MSG.len());
        libc::_exit(134);
    }
}

/// Installs the handler (idempotent).
pub fn install() {
    INSTALL.call_once(|| unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_fault as *const () as usize;
        action.sa_flags = libc::SA_ONSTACK;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGSEGV, &action, std::ptr::null_mut());
        libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
    });
}

/// Memory for an alternate signal stack; null when none could be had (a
/// fault then ends the process bare).
pub fn new_alt_stack() -> *mut libc::c_void {
    let stack = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            ALT_STACK_BYTES,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if stack == libc::MAP_FAILED {
        std::ptr::null_mut()
    } else {
        stack
    }
}

/// Makes `stack` (from [`new_alt_stack`]) the calling thread's alternate
/// signal stack, where the handler runs.
pub fn use_alt_stack(stack: *mut libc::c_void) {
    if !stack.is_null() {
        let ss = libc::stack_t { ss_sp: stack, ss_flags: 0, ss_size: ALT_STACK_BYTES };
        unsafe { libc::sigaltstack(&ss, std::ptr::null_mut()) };
    }
}

/// Takes the calling thread's alternate signal stack away (its memory
/// stays, for another thread or [`free_alt_stack`]).
pub fn stop_alt_stack() {
    let ss = libc::stack_t { ss_sp: std::ptr::null_mut(), ss_flags: libc::SS_DISABLE, ss_size: 0 };
    unsafe { libc::sigaltstack(&ss, std::ptr::null_mut()) };
}

/// Frees an alternate stack no thread uses.
///
/// # Safety
/// `stack` came from [`new_alt_stack`] and no thread uses it.
pub unsafe fn free_alt_stack(stack: *mut libc::c_void) {
    if !stack.is_null() {
        unsafe { libc::munmap(stack, ALT_STACK_BYTES) };
    }
}
