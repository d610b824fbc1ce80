//! The process's standard output: what `print` writes is buffered here and
//! flushed at exit, before anything goes to standard error, and before
//! reading input; and the one way the runtime gives up (`fatal`). The
//! lowest layer of the runtime: it uses nothing else of it.

use crate::lock::Lock;
use std::io::Write;

/// What `print` has written and not yet flushed. A process-wide buffer
/// (not thread-local): it must still be there when `atexit` handlers run.
static STDOUT: Lock<Vec<u8>> = Lock::new(Vec::new());

const FLUSH_AT: usize = 64 * 1024;

pub fn flush_stdout() {
    let mut b = STDOUT.lock();
    let _ = std::io::stdout().write_all(&b);
    let _ = std::io::stdout().flush();
    b.clear();
}

/// Writes what `print` has buffered straight to file descriptor 1, for the
/// fatal-signal path (no waiting, no allocation; skipped if the buffer is
/// in use at that moment).
pub fn flush_stdout_raw() {
    if let Some(b) = STDOUT.try_lock() {
        crate::os::write_raw(1, &b);
    }
}

/// Appends `bytes` and a newline to the print buffer (`print`).
pub fn write_line(bytes: &[u8]) {
    let mut b = STDOUT.lock();
    b.extend_from_slice(bytes);
    b.push(b'\n');
    flush_if_full(&mut b);
}

/// Appends `bytes` to the print buffer, with no newline (`write`).
pub fn write_bytes(bytes: &[u8]) {
    let mut b = STDOUT.lock();
    b.extend_from_slice(bytes);
    flush_if_full(&mut b);
}

fn flush_if_full(b: &mut Vec<u8>) {
    if b.len() >= FLUSH_AT {
        let _ = std::io::stdout().write_all(b);
        b.clear();
    }
}

/// An unrecoverable runtime failure (out of memory).
pub fn fatal(msg: &str) -> ! {
    flush_stdout();
    eprintln!("fatal: {msg}");
    std::process::exit(70)
}
