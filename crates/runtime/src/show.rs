//! How `print` shows arrays, maps and sets (LANGUAGE.md §7): `[1, 2.5]`,
//! strings quoted, objects by their `toString()`, `["a": 1]` in insertion
//! order (`[:]` when empty), optionals inside as their value or `nil`,
//! collections inside collections likewise. The compiler describes the
//! element types as a shape (`tess_abi::layout::print_shape`). An
//! object's `toString()` may throw: the text so far is dropped and the
//! exception left pending (a null result).

use crate::map_table::MapObj;
use crate::object::*;
use crate::thread::{current, Thread};
use tess_abi::layout::print_shape as p;
use tess_abi::layout::{boxed, value_kind as kind};

/// A packed shape and a position in it.
#[derive(Clone, Copy)]
struct At {
    shape: i64,
    i: usize,
}

impl At {
    fn code(self) -> u8 {
        p::code(self.shape, self.i)
    }

    fn next(self) -> At {
        At { i: self.i + 1, ..self }
    }

    /// The position after the tree that starts here.
    fn after(self) -> At {
        match self.code() {
            p::ARRAY | p::SET | p::OPTIONAL => self.next().after(),
            p::MAP => self.next().after().after(),
            _ => self.next(),
        }
    }
}

/// Appends `x`, a value of the tree at `at`; false when a `toString()`
/// threw.
unsafe fn show(out: &mut String, x: u64, at: At, thread: *mut Thread) -> bool {
    unsafe {
        match at.code() {
            kind::FLOAT => out.push_str(&crate::string::format_float(f64::from_bits(x))),
            kind::BOOL => out.push_str(if x as u8 != 0 { "true" } else { "false" }),
            kind::INT32 => out.push_str(&(x as i32).to_string()),
            kind::STRING => out.push_str(&format!("{:?}", (*(x as *const Str)).as_str())),
            // A string in an `Any` is quoted as any string element is.
            p::ANY if (*(*(x as *const Obj)).header.ty()).kind == Kind::String => {
                return show(out, x, At { shape: i64::from(kind::STRING), i: 0 }, thread);
            }
            // An object by its `toString()`, an `Any` by what it holds.
            kind::OBJECT | p::ANY => {
                let s = crate::type_desc::tess_any_to_string(x as *mut Obj);
                if !(*thread).exc.is_null() {
                    return false;
                }
                out.push_str((*s).as_str());
            }
            p::OPTIONAL if x == 0 => out.push_str("nil"),
            p::OPTIONAL => {
                let inner = at.next();
                // An optional of a value type is a box.
                let boxed_value = matches!(inner.code(), kind::WORD | kind::FLOAT | kind::BOOL | kind::INT32);
                let v = if boxed_value { *(x as *const u8).add(boxed::VALUE as usize).cast::<u64>() } else { x };
                return show(out, v, inner, thread);
            }
            p::ARRAY => return elements(out, x as *mut Array, at.next(), thread),
            p::SET => return entries(out, x as *mut MapObj, at.next(), None, thread),
            p::MAP => {
                let key = at.next();
                return entries(out, x as *mut MapObj, key, Some(key.after()), thread);
            }
            _ => out.push_str(&(x as i64).to_string()),
        }
        true
    }
}

/// `[a, b]` of an array whose elements are of the tree at `elem`.
unsafe fn elements(out: &mut String, a: *mut Array, elem: At, thread: *mut Thread) -> bool {
    out.push('[');
    unsafe {
        let mut i = 0;
        // Read afresh: a `toString()` may change the array.
        while i < (*a).len {
            if i > 0 {
                out.push_str(", ");
            }
            if !show(out, *(*a).data.add(i as usize), elem, thread) {
                return false;
            }
            i += 1;
        }
    }
    out.push(']');
    true
}

/// `[k: v]` of a map (`[:]` when empty), or `[k]` of a set (no `value`).
unsafe fn entries(out: &mut String, m: *mut MapObj, key: At, value: Option<At>, thread: *mut Thread) -> bool {
    out.push('[');
    let mut first = true;
    unsafe {
        let mut i = 0;
        loop {
            // Read afresh: a `toString()` may change the map.
            let t = crate::map::table(m);
            if i >= t.keys.len() {
                break;
            }
            if t.live[i] {
                let (k, v) = (t.keys[i], t.vals[i]);
                if !first {
                    out.push_str(", ");
                }
                first = false;
                if !show(out, k, key, thread) {
                    return false;
                }
                if let Some(value) = value {
                    out.push_str(": ");
                    if !show(out, v, value, thread) {
                        return false;
                    }
                }
            }
            i += 1;
        }
    }
    if first && value.is_some() {
        out.push(':');
    }
    out.push(']');
    true
}

fn finish(out: String, ok: bool) -> *mut Str {
    match ok {
        true => crate::string::new_str(out.as_bytes()),
        false => std::ptr::null_mut(),
    }
}

/// `print(xs)`, interpolation: the elements are of the tree `shape`.
///
/// # Safety
/// `a` is an array whose elements `shape` describes.
#[no_mangle]
pub unsafe extern "C" fn tess_arr_to_string(a: *mut Array, shape: i64) -> *mut Str {
    let mut out = String::new();
    let ok = unsafe { elements(&mut out, a, At { shape, i: 0 }, current()) };
    finish(out, ok)
}

/// `print(m)`: `shape` is the keys' tree then the values'.
///
/// # Safety
/// `m` is a map whose keys and values `shape` describes.
#[no_mangle]
pub unsafe extern "C" fn tess_map_to_string(m: *mut MapObj, shape: i64) -> *mut Str {
    let key = At { shape, i: 0 };
    let mut out = String::new();
    let ok = unsafe { entries(&mut out, m, key, Some(key.after()), current()) };
    finish(out, ok)
}

/// `print(s)` of a set whose elements are of the tree `shape`.
///
/// # Safety
/// `m` is a set whose elements `shape` describes.
#[no_mangle]
pub unsafe extern "C" fn tess_set_to_string(m: *mut MapObj, shape: i64) -> *mut Str {
    let mut out = String::new();
    let ok = unsafe { entries(&mut out, m, At { shape, i: 0 }, None, current()) };
    finish(out, ok)
}
