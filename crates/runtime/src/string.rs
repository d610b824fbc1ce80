//! Strings: immutable UTF-8, `len` in bytes, byte-order comparison.

use crate::exc::{tess_ti_IndexError, throw_new};
use crate::object::*;
pub use crate::str_alloc::new_str;
use crate::thread::{alloc, pop_root, push_root};
use tess_abi::layout::{boxed, string};

/// Returns the bytes of `s` as a `CString` that outlives the returning
/// frame: valid until the next `CString` return. C reads the result after
/// the call, so it stays alive until the next such return (the contract of
/// `strerror`); its thread keeps it (`Thread::kept_cstring`).
#[no_mangle]
pub unsafe extern "C" fn tess_str_keep_cstring(s: *mut Str) -> *const u8 {
    unsafe {
        crate::thread::current().kept_cstring = s.cast();
        (*s).bytes.as_ptr()
    }
}

unsafe fn s<'a>(p: *const Str) -> &'a str {
    unsafe { (*p).as_str() }
}

#[no_mangle]
pub unsafe extern "C" fn tess_str_concat(a: *mut Str, b: *mut Str) -> *mut Str {
    unsafe {
        let (la, lb) = ((*a).len as usize, (*b).len as usize);
        let r = alloc(&tess_ti_String, (string::BYTES as usize + la + lb + 1) as u64).cast::<Str>();
        (*r).len = (la + lb) as u64;
        let dst = (*r).bytes.as_mut_ptr();
        std::ptr::copy_nonoverlapping((*a).bytes.as_ptr(), dst, la);
        std::ptr::copy_nonoverlapping((*b).bytes.as_ptr(), dst.add(la), lb);
        r
    }
}

/// Joins `n` strings (the parts of an interpolation) in one allocation.
#[no_mangle]
pub unsafe extern "C" fn tess_str_concat_n(parts: *const *mut Str, n: u64) -> *mut Str {
    unsafe {
        let parts = std::slice::from_raw_parts(parts, n as usize);
        let total: usize = parts.iter().map(|p| (**p).len as usize).sum();
        let r = alloc(&tess_ti_String, (string::BYTES as usize + total + 1) as u64).cast::<Str>();
        (*r).len = total as u64;
        let mut dst = (*r).bytes.as_mut_ptr();
        for p in parts {
            let l = (**p).len as usize;
            std::ptr::copy_nonoverlapping((**p).bytes.as_ptr(), dst, l);
            dst = dst.add(l);
        }
        r
    }
}

#[no_mangle]
pub extern "C" fn tess_str_from_int(v: i64) -> *mut Str {
    new_str(v.to_string().as_bytes())
}

/// Shortest text that reads back as the same double, always with a `.` or
/// an exponent (`1.0`, `0.1`, `-2.5e-8`).
pub fn format_float(v: f64) -> String {
    format!("{v:?}")
}

#[no_mangle]
pub extern "C" fn tess_str_from_float(v: f64) -> *mut Str {
    new_str(format_float(v).as_bytes())
}

#[no_mangle]
pub extern "C" fn tess_str_from_bool(v: i8) -> *mut Str {
    new_str(if v != 0 { b"true" } else { b"false" })
}

#[no_mangle]
pub unsafe extern "C" fn tess_str_eq(a: *const Str, b: *const Str) -> i8 {
    unsafe { ((*a).as_bytes() == (*b).as_bytes()) as i8 }
}

/// -1, 0 or 1 by byte order.
#[no_mangle]
pub unsafe extern "C" fn tess_str_cmp(a: *const Str, b: *const Str) -> i64 {
    unsafe { (*a).as_bytes().cmp((*b).as_bytes()) as i64 }
}

/// `s.substring(from, to)`: bytes `from..to`, on character boundaries.
#[no_mangle]
pub unsafe extern "C" fn tess_str_substring(p: *mut Str, from: i64, to: i64) -> *mut Str {
    let text = unsafe { s(p) };
    let ok = 0 <= from && from <= to && to as usize <= text.len();
    match ok.then(|| text.get(from as usize..to as usize)).flatten() {
        Some(sub) => new_str(sub.as_bytes()),
        None => {
            let why = if ok { "is not on a character boundary" } else { "is out of range" };
            throw_new(
                &tess_ti_IndexError,
                &format!("substring({from}, {to}) {why} for a string of {} bytes", text.len()),
            );
            std::ptr::null_mut()
        }
    }
}

/// `xs.join(sep)`: the strings of `xs` with `sep` between each two, in
/// one allocation (as Go's `strings.Join`, Swift's `joined(separator:)`).
#[no_mangle]
pub unsafe extern "C" fn tess_str_join(xs: *const Array, sep: *const Str) -> *mut Str {
    unsafe {
        let parts = std::slice::from_raw_parts((*xs).data.cast::<*const Str>(), (*xs).len as usize);
        let sep_len = (*sep).len as usize;
        let total = parts.iter().map(|p| (**p).len as usize).sum::<usize>() + sep_len * parts.len().saturating_sub(1);
        // Allocating may collect: the parts stay reachable through `xs`,
        // which the caller holds, and nothing moves.
        let r = alloc(&tess_ti_String, (string::BYTES as usize + total + 1) as u64).cast::<Str>();
        (*r).len = total as u64;
        let mut dst = (*r).bytes.as_mut_ptr();
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                std::ptr::copy_nonoverlapping((*sep).bytes.as_ptr(), dst, sep_len);
                dst = dst.add(sep_len);
            }
            let l = (**p).len as usize;
            std::ptr::copy_nonoverlapping((**p).bytes.as_ptr(), dst, l);
            dst = dst.add(l);
        }
        r
    }
}

/// `s.split(sep)`; an empty separator splits into characters (as Go does).
#[no_mangle]
pub unsafe extern "C" fn tess_str_split(p: *mut Str, sep: *mut Str) -> *mut Array {
    unsafe {
        let text = s(p).to_string();
        let sep = s(sep).to_string();
        let pieces: Vec<&str> = if sep.is_empty() {
            text.char_indices().map(|(i, c)| &text[i..i + c.len_utf8()]).collect()
        } else {
            text.split(sep.as_str()).collect()
        };
        let arr = crate::array::tess_arr_new(1, pieces.len() as u64);
        push_root(arr.cast());
        for piece in pieces {
            let item = new_str(piece.as_bytes());
            crate::array::tess_arr_push(arr, item as i64);
        }
        pop_root(1);
        arr
    }
}

#[no_mangle]
pub unsafe extern "C" fn tess_str_contains(a: *const Str, b: *const Str) -> i8 {
    unsafe { s(a).contains(s(b)) as i8 }
}

#[no_mangle]
pub unsafe extern "C" fn tess_str_starts_with(a: *const Str, b: *const Str) -> i8 {
    unsafe { s(a).starts_with(s(b)) as i8 }
}

#[no_mangle]
pub unsafe extern "C" fn tess_str_byte_at(p: *const Str, i: i64) -> i64 {
    let bytes = unsafe { (*p).as_bytes() };
    match usize::try_from(i).ok().and_then(|i| bytes.get(i)) {
        Some(b) => *b as i64,
        None => {
            crate::exc::tess_throw_index(i, bytes.len() as i64);
            0
        }
    }
}

/// `f.toFixed(digits)`: rounds like C's `%.Nf` (digits clamped to 0..=100).
#[no_mangle]
pub extern "C" fn tess_float_to_fixed(v: f64, digits: i64) -> *mut Str {
    let d = digits.clamp(0, 100) as usize;
    new_str(format!("{v:.d$}").as_bytes())
}

static BOX_NAME: StaticStr<3> = StaticStr::new(b"Box");

/// Type info of the boxes that hold optionals of value types.
#[no_mangle]
pub static tess_ti_Box: TypeInfo = TypeInfo::plain((&raw const BOX_NAME).cast(), boxed::SIZE as u64);

/// A box holding one 8-byte value (an `Int?`, `Float?`, `Bool?`...).
#[no_mangle]
pub extern "C" fn tess_box(word: i64) -> *mut Obj {
    unsafe {
        let b = alloc(&tess_ti_Box, boxed::SIZE as u64);
        *b.cast::<u8>().add(boxed::VALUE as usize).cast::<i64>() = word;
        b
    }
}

/// `s.toInt()`: decimal, optional sign, surrounding spaces ignored.
#[no_mangle]
pub unsafe extern "C" fn tess_str_to_int(p: *const Str) -> *mut Obj {
    match unsafe { s(p) }.trim().parse::<i64>() {
        Ok(v) => tess_box(v),
        Err(_) => std::ptr::null_mut(),
    }
}

/// `s.toFloat()`.
#[no_mangle]
pub unsafe extern "C" fn tess_str_to_float(p: *const Str) -> *mut Obj {
    match unsafe { s(p) }.trim().parse::<f64>() {
        Ok(v) => tess_box(v.to_bits() as i64),
        Err(_) => std::ptr::null_mut(),
    }
}

/// `String(c)` of a `CString`: a copy of the C string.
#[no_mangle]
pub unsafe extern "C" fn tess_str_from_cstring(p: *const std::ffi::c_char) -> *mut Str {
    if p.is_null() {
        return new_str(b"");
    }
    let text = unsafe { std::ffi::CStr::from_ptr(p) };
    new_str(String::from_utf8_lossy(text.to_bytes()).as_bytes())
}
