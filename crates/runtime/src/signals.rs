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

/// Gives the calling thread an alternate signal stack for the handler;
/// null when none could be had (a fault then ends the process bare).
pub fn install_alt_stack() -> *mut libc::c_void {
    unsafe {
        let stack = libc::mmap(
            std::ptr::null_mut(),
            ALT_STACK_BYTES,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if stack == libc::MAP_FAILED {
            return std::ptr::null_mut();
        }
        let ss = libc::stack_t { ss_sp: stack, ss_flags: 0, ss_size: ALT_STACK_BYTES };
        if libc::sigaltstack(&ss, std::ptr::null_mut()) != 0 {
            libc::munmap(stack, ALT_STACK_BYTES);
            return std::ptr::null_mut();
        }
        stack
    }
}

/// Takes the calling thread's alternate stack away and frees it.
///
/// # Safety
/// `stack` came from [`install_alt_stack`] on the calling thread.
pub unsafe fn remove_alt_stack(stack: *mut libc::c_void) {
    if stack.is_null() {
        return;
    }
    unsafe {
        let ss = libc::stack_t { ss_sp: std::ptr::null_mut(), ss_flags: libc::SS_DISABLE, ss_size: 0 };
        libc::sigaltstack(&ss, std::ptr::null_mut());
        libc::munmap(stack, ALT_STACK_BYTES);
    }
}
