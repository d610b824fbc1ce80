//! Printing and files (standard output goes through `crate::output`).

use crate::exc::{tess_ti_IOError, throw_new};
use crate::object::Str;
use crate::output::{flush_stdout, write_bytes, write_line};
use crate::str_alloc::new_str;
use std::io::Write;

/// `print(s)` for a string; other values are converted by compiled code.
#[no_mangle]
pub unsafe extern "C" fn tess_print(s: *const Str) {
    write_line(unsafe { (*s).as_bytes() });
}

/// `print(i)` without building a string.
#[no_mangle]
pub extern "C" fn tess_print_int(v: i64) {
    write_line(v.to_string().as_bytes());
}

/// `write(s)`: standard output without a newline.
#[no_mangle]
pub unsafe extern "C" fn tess_write(s: *const Str) {
    write_bytes(unsafe { (*s).as_bytes() });
}

/// `eprint(s)`.
#[no_mangle]
pub unsafe extern "C" fn tess_eprint(s: *const Str) {
    flush_stdout();
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(unsafe { (*s).as_bytes() });
    let _ = err.write_all(b"\n");
}

/// Why a file operation failed, in the same words on every target for
/// the common reasons (a program that prints an `IOError`'s message
/// prints the same on Linux and Windows); the system's own words
/// otherwise.
fn reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "No such file or directory".into(),
        ErrorKind::PermissionDenied => "Permission denied".into(),
        ErrorKind::AlreadyExists => "File exists".into(),
        ErrorKind::IsADirectory => "Is a directory".into(),
        ErrorKind::NotADirectory => "Not a directory".into(),
        _ => e.to_string(),
    }
}

/// `readFile(path)`; throws `IOError`.
#[no_mangle]
pub unsafe extern "C" fn tess_read_file(path: *const Str) -> *mut Str {
    let path = unsafe { (*path).as_str() };
    match std::fs::read_to_string(path) {
        Ok(text) => new_str(text.as_bytes()),
        Err(e) => {
            throw_new(&tess_ti_IOError, &format!("cannot read {path}: {}", reason(&e)));
            std::ptr::null_mut()
        }
    }
}

/// `writeFile(path, text)`; throws `IOError`.
#[no_mangle]
pub unsafe extern "C" fn tess_write_file(path: *const Str, text: *const Str) {
    let (path, text) = unsafe { ((*path).as_str(), (*text).as_bytes()) };
    if let Err(e) = std::fs::write(path, text) {
        throw_new(&tess_ti_IOError, &format!("cannot write {path}: {}", reason(&e)));
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
