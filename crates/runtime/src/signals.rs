//! A clear message instead of a bare "Segmentation fault" when a program
//! overflows its stack (deep recursion), on any thread: a fault handler
//! (a SIGSEGV handler on an alternate signal stack on Linux, a vectored
//! exception handler on Windows: `os`) reports it and exits with status
//! 134, as Rust and Java programs do. The handler is installed once; every
//! thread gets its own fault stack (`thread.rs`).

use std::sync::Once;

static INSTALL: Once = Once::new();

extern "C" fn on_fault() {
    const MSG: &[u8] = b"fatal: stack overflow (or invalid memory access)\n";
    crate::output::flush_stdout_raw();
    crate::os::write_raw(2, MSG);
    crate::os::exit_now(134);
}

/// Installs the handler (idempotent).
pub fn install() {
    INSTALL.call_once(|| crate::os::on_faults(on_fault));
}
