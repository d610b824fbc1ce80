//! Arrays: a fixed header object plus a separately allocated buffer of
//! 8-byte elements. Whether elements are references is part of the type
//! info (`ValueArray` or `RefArray`), so the collector traces them exactly.

use crate::array_buffer::{inline_data, layout, INLINE_CAP};
use crate::exc::{tess_throw_index, tess_ti_IndexError, throw_new};
use crate::object::*;
use crate::thread::alloc;
use std::alloc::realloc;

static VALUE_ARRAY_NAME: StaticStr<5> = StaticStr::new(b"Array");

/// Type info of arrays of `Int`, `Float`, `Bool`, `Int32` and functions.
#[no_mangle]
pub static tess_ti_ValueArray: TypeInfo = array_type(Kind::ValueArray);
/// Type info of arrays whose elements are references.
#[no_mangle]
pub static tess_ti_RefArray: TypeInfo = array_type(Kind::RefArray);

const fn array_type(kind: Kind) -> TypeInfo {
    TypeInfo {
        kind,
        flags: 0,
        size: std::mem::size_of::<Array>() as u64,
        nrefs: 0,
        refs: std::ptr::null(),
        name: (&raw const VALUE_ARRAY_NAME).cast(),
        depth: 0,
        display: std::ptr::null(),
        nslots: 0,
    }
}

/// A new empty array with room for `cap` elements.
#[no_mangle]
pub extern "C" fn tess_arr_new(is_ref: i8, cap: u64) -> *mut Array {
    let ty = if is_ref != 0 { &tess_ti_RefArray } else { &tess_ti_ValueArray };
    unsafe {
        if cap <= INLINE_CAP {
            let size = std::mem::size_of::<Array>() as u64 + 8 * cap;
            let a = alloc(ty, size).cast::<Array>();
            (*a).data = inline_data(a);
            (*a).cap = cap;
            return a;
        }
        let a = alloc(ty, std::mem::size_of::<Array>() as u64).cast::<Array>();
        (*a).data = std::alloc::alloc(layout(cap as usize)).cast();
        if (*a).data.is_null() {
            crate::output::fatal("out of memory");
        }
        (*a).cap = cap;
        crate::thread::finalize_when_dead(a.cast());
        crate::thread::owned_changed(a.cast(), 0, 8 * cap as usize);
        a
    }
}

#[no_mangle]
pub unsafe extern "C" fn tess_arr_push(a: *mut Array, v: i64) {
    unsafe {
        let a = &mut *a;
        if a.len == a.cap {
            let new_cap = (a.cap * 2).max(4) as usize;
            let inline = a.data == inline_data(a);
            let data: *mut u64 = if inline {
                let d = std::alloc::alloc(layout(new_cap)).cast::<u64>();
                if !d.is_null() {
                    std::ptr::copy_nonoverlapping(a.data, d, a.len as usize);
                }
                crate::thread::finalize_when_dead((a as *mut Array).cast());
                d
            } else {
                realloc(a.data.cast(), layout(a.cap as usize), new_cap * 8).cast()
            };
            if data.is_null() {
                crate::output::fatal("out of memory");
            }
            let from = if inline { 0 } else { 8 * a.cap as usize };
            a.data = data;
            a.cap = new_cap as u64;
            crate::thread::owned_changed((a as *mut Array).cast(), from, 8 * new_cap);
        }
        crate::thread::write_barrier((a as *mut Array).cast());
        *a.data.add(a.len as usize) = v as u64;
        a.len += 1;
    }
}

/// Removes and returns the last element; throws `IndexError` when empty.
#[no_mangle]
pub unsafe extern "C" fn tess_arr_pop(a: *mut Array) -> i64 {
    unsafe {
        let a = &mut *a;
        if a.len == 0 {
            throw_new(&tess_ti_IndexError, "pop from an empty array");
            return 0;
        }
        a.len -= 1;
        *a.data.add(a.len as usize) as i64
    }
}

/// `Array(n, fill)`.
#[no_mangle]
pub unsafe extern "C" fn tess_arr_fill(is_ref: i8, n: i64, v: i64) -> *mut Array {
    if n < 0 {
        throw_new(&tess_ti_IndexError, &format!("Array({n}, ...): negative length"));
        return std::ptr::null_mut();
    }
    let a = tess_arr_new(is_ref, n as u64);
    unsafe {
        for i in 0..n as usize {
            *(*a).data.add(i) = v as u64;
        }
        (*a).len = n as u64;
    }
    a
}

/// `a.slice(from, to)`: a new array of elements `from..to`.
#[no_mangle]
pub unsafe extern "C" fn tess_arr_slice(a: *mut Array, from: i64, to: i64) -> *mut Array {
    unsafe {
        let len = (*a).len as i64;
        if from < 0 || from > to || to > len {
            throw_new(&tess_ti_IndexError, &format!("slice({from}, {to}) out of range for length {len}"));
            return std::ptr::null_mut();
        }
        let is_ref = ((*(*a).header.ty()).kind == Kind::RefArray) as i8;
        let n = (to - from) as usize;
        let r = tess_arr_new(is_ref, n as u64);
        if n > 0 {
            std::ptr::copy_nonoverlapping((*a).data.add(from as usize), (*r).data, n);
        }
        (*r).len = n as u64;
        r
    }
}

/// Out-of-line bounds failure for `a[i]`, so compiled code stays small.
#[no_mangle]
pub unsafe extern "C" fn tess_arr_index_error(a: *mut Array, i: i64) {
    unsafe { tess_throw_index(i, (*a).len as i64) }
}
