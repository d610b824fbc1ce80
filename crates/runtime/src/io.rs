//! Printing and files. Standard output is buffered and flushed at exit,
//! before anything goes to standard error, and before reading input.

use crate::exc::{tess_ti_IOError, throw_new};
use crate::object::Str;
use crate::string::new_str;
use std::io::Write;
use std::sync::Mutex;

/// What `print` has written and not yet flushed. A process-wide buffer
/// (not thread-local): it must still be there when `atexit` handlers run.
static STDOUT: Mutex<Vec<u8>> = Mutex::new(Vec::new());

const FLUSH_AT: usize = 64 * 1024;

pub fn flush_stdout() {
    if let Ok(mut b) = STDOUT.lock() {
        let _ = std::io::stdout().write_all(&b);
        let _ = std::io::stdout().flush();
        b.clear();
    }
}

/// Writes what `print` has buffered straight to file descriptor 1, for the
/// fatal-signal path (no waiting, no allocation; skipped if the buffer is
/// in use at that moment).
pub fn flush_stdout_raw() {
    if let Ok(b) = STDOUT.try_lock() {
        unsafe { libc::write(1, b.as_ptr().cast(), b.len()) };
    }
}

fn write_out(bytes: &[u8]) {
    if let Ok(mut b) = STDOUT.lock() {
        b.extend_from_slice(bytes);
        b.push(b'\n');
        if b.len() >= FLUSH_AT {
            let _ = std::io::stdout().write_all(&b);
            b.clear();
        }
    }
}

/// `print(s)` for a string; other values are converted by compiled code.
#[no_mangle]
pub unsafe extern "C" fn tess_print(s: *const Str) {
    write_out(unsafe { (*s).as_bytes() });
}

/// `print(i)` without building a string.
#[no_mangle]
pub extern "C" fn tess_print_int(v: i64) {
    write_out(v.to_string().as_bytes());
}

/// `eprint(s)`.
#[no_mangle]
pub unsafe extern "C" fn tess_eprint(s: *const Str) {
    flush_stdout();
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(unsafe { (*s).as_bytes() });
    let _ = err.write_all(b"\n");
}

/// `readFile(path)`; throws `IOError`.
#[no_mangle]
pub unsafe extern "C" fn tess_read_file(path: *const Str) -> *mut Str {
    let path = unsafe { (*path).as_str() };
    match std::fs::read_to_string(path) {
        Ok(text) => new_str(text.as_bytes()),
        Err(e) => {
            throw_new(&tess_ti_IOError, &format!("cannot read {path}: {e}"));
            std::ptr::null_mut()
        }
    }
}

/// `writeFile(path, text)`; throws `IOError`.
#[no_mangle]
pub unsafe extern "C" fn tess_write_file(path: *const Str, text: *const Str) {
    let (path, text) = unsafe { ((*path).as_str(), (*text).as_bytes()) };
    if let Err(e) = std::fs::write(path, text) {
        throw_new(&tess_ti_IOError, &format!("cannot write {path}: {e}"));
    }
}

/// `readLine()`: the next line without its newline, or null at the end.
#[no_mangle]
pub extern "C" fn tess_read_line() -> *mut Str {
    flush_stdout();
    let mut line = String::new();
    match std::io::stdin().read_line(&mut line) {
        Ok(0) | Err(_) => std::ptr::null_mut(),
        Ok(_) => {
            if line.ends_with('\n') {
                line.pop();
                if line.ends_with('\r') {
                    line.pop();
                }
            }
            new_str(line.as_bytes())
        }
    }
}
