//! The array functions that take a function value (LANGUAGE.md §7:
//! `map`, `filter`, `reduce`, `forEach`, `any`, `all`, `sortBy`) and their
//! plain companions (`sort`, `indexOf`, `contains`, `reversed`). Elements
//! are words; `value_kind` says how to pass one to compiled code (a
//! `Float` in a floating-point register) and how to read a result (a
//! `Bool` in the low byte). A call that throws stops the function, leaving
//! the exception pending for the caller.

use crate::object::*;
use crate::string::tess_str_cmp;
use crate::thread::{current, pop_root, push_root, Thread};
use std::cmp::Ordering;
use tess_abi::layout::{closure, value_kind as kind};

/// How a function value's code is called for one argument or two.
pub(crate) struct Callee {
    value: *mut Obj,
    code: *const u8,
    thread: *mut Thread,
}

impl Callee {
    pub(crate) unsafe fn new(value: *mut Obj) -> Callee {
        let code = unsafe { *value.cast::<u8>().add(closure::CODE as usize).cast::<*const u8>() };
        Callee { value, code, thread: current() }
    }

    /// `f(a)` where `a` is of kind `ka` and the result of kind `kr`.
    /// `f()`, the result of kind `kr`.
    pub(crate) unsafe fn call0(&self, kr: u8) -> u64 {
        let (v, t) = (self.value, self.thread);
        unsafe {
            let r = match kr == kind::FLOAT {
                false => cast::<extern "C" fn(*mut Obj, *mut Thread) -> u64>(self.code)(v, t),
                true => cast::<extern "C" fn(*mut Obj, *mut Thread) -> f64>(self.code)(v, t).to_bits(),
            };
            normalise(r, kr)
        }
    }

    pub(crate) unsafe fn call1(&self, a: u64, ka: u8, kr: u8) -> u64 {
        let (v, t) = (self.value, self.thread);
        unsafe {
            let r = match (ka == kind::FLOAT, kr == kind::FLOAT) {
                (false, false) => cast::<extern "C" fn(*mut Obj, u64, *mut Thread) -> u64>(self.code)(v, a, t),
                (true, false) => {
                    cast::<extern "C" fn(*mut Obj, f64, *mut Thread) -> u64>(self.code)(v, f64::from_bits(a), t)
                }
                (false, true) => cast::<extern "C" fn(*mut Obj, u64, *mut Thread) -> f64>(self.code)(v, a, t).to_bits(),
                (true, true) => {
                    cast::<extern "C" fn(*mut Obj, f64, *mut Thread) -> f64>(self.code)(v, f64::from_bits(a), t)
                        .to_bits()
                }
            };
            normalise(r, kr)
        }
    }

    /// `f(a, b)`, `a` of kind `ka`, `b` of kind `kb`, the result of `kr`.
    pub(crate) unsafe fn call2(&self, a: u64, ka: u8, b: u64, kb: u8, kr: u8) -> u64 {
        let (v, t) = (self.value, self.thread);
        let (fa, fb) = (f64::from_bits(a), f64::from_bits(b));
        type W = u64;
        unsafe {
            let r = match (ka == kind::FLOAT, kb == kind::FLOAT, kr == kind::FLOAT) {
                (false, false, false) => cast::<extern "C" fn(*mut Obj, W, W, *mut Thread) -> W>(self.code)(v, a, b, t),
                (true, false, false) => {
                    cast::<extern "C" fn(*mut Obj, f64, W, *mut Thread) -> W>(self.code)(v, fa, b, t)
                }
                (false, true, false) => {
                    cast::<extern "C" fn(*mut Obj, W, f64, *mut Thread) -> W>(self.code)(v, a, fb, t)
                }
                (true, true, false) => {
                    cast::<extern "C" fn(*mut Obj, f64, f64, *mut Thread) -> W>(self.code)(v, fa, fb, t)
                }
                (false, false, true) => {
                    cast::<extern "C" fn(*mut Obj, W, W, *mut Thread) -> f64>(self.code)(v, a, b, t).to_bits()
                }
                (true, false, true) => {
                    cast::<extern "C" fn(*mut Obj, f64, W, *mut Thread) -> f64>(self.code)(v, fa, b, t).to_bits()
                }
                (false, true, true) => {
                    cast::<extern "C" fn(*mut Obj, W, f64, *mut Thread) -> f64>(self.code)(v, a, fb, t).to_bits()
                }
                (true, true, true) => {
                    cast::<extern "C" fn(*mut Obj, f64, f64, *mut Thread) -> f64>(self.code)(v, fa, fb, t).to_bits()
                }
            };
            normalise(r, kr)
        }
    }

    fn threw(&self) -> bool {
        unsafe { !(*self.thread).exc.is_null() }
    }
}

unsafe fn cast<F: Copy>(code: *const u8) -> F {
    unsafe { std::mem::transmute_copy(&code) }
}

/// A result word as the runtime stores it: a `Bool` 0 or 1, an `Int32`
/// sign-extended (compiled code returns them in a register's low bytes).
fn normalise(r: u64, k: u8) -> u64 {
    match k {
        kind::BOOL => u64::from(r as u8 != 0),
        kind::INT32 => r as u32 as i32 as i64 as u64,
        _ => r,
    }
}

fn unpack(kinds: i64) -> (u8, u8, bool) {
    (kinds as u8, (kinds >> 8) as u8, (kinds >> 16) & 1 != 0)
}

/// Element `i` of `a`, read afresh (a call may have grown the array).
unsafe fn element(a: *mut Array, i: u64) -> Option<u64> {
    unsafe { (i < (*a).len).then(|| *(*a).data.add(i as usize)) }
}

#[no_mangle]
pub unsafe extern "C" fn tess_arr_map(a: *mut Array, f: *mut Obj, kinds: i64) -> *mut Array {
    let (ke, kr, refs) = unpack(kinds);
    unsafe {
        let out = crate::array::tess_arr_new(i8::from(refs), (*a).len);
        push_root(out.cast());
        let callee = Callee::new(f);
        let mut i = 0;
        while let Some(x) = element(a, i) {
            let r = callee.call1(x, ke, kr);
            if callee.threw() {
                break;
            }
            crate::array::tess_arr_push(out, r as i64);
            i += 1;
        }
        pop_root(1);
        out
    }
}

#[no_mangle]
pub unsafe extern "C" fn tess_arr_filter(a: *mut Array, f: *mut Obj, kinds: i64) -> *mut Array {
    let (ke, _, _) = unpack(kinds);
    unsafe {
        // Of the same kind as `a` (which may be a type parameter's).
        let refs = std::ptr::eq((*a).header.ty(), &crate::array::tess_ti_RefArray);
        push_root(a.cast());
        let out = crate::array::tess_arr_new(i8::from(refs), 0);
        pop_root(1);
        push_root(out.cast());
        let callee = Callee::new(f);
        let mut i = 0;
        while let Some(x) = element(a, i) {
            let keep = callee.call1(x, ke, kind::BOOL);
            if callee.threw() {
                break;
            }
            if keep != 0 {
                crate::array::tess_arr_push(out, x as i64);
            }
            i += 1;
        }
        pop_root(1);
        out
    }
}

#[no_mangle]
pub unsafe extern "C" fn tess_arr_for_each(a: *mut Array, f: *mut Obj, kinds: i64) {
    let (ke, _, _) = unpack(kinds);
    unsafe {
        let callee = Callee::new(f);
        let mut i = 0;
        while let Some(x) = element(a, i) {
            callee.call1(x, ke, kind::VOID);
            if callee.threw() {
                return;
            }
            i += 1;
        }
    }
}

/// `any` when `all` is 0: whether some element passes; else whether all do.
#[no_mangle]
pub unsafe extern "C" fn tess_arr_any_all(a: *mut Array, f: *mut Obj, kinds: i64, all: i8) -> i8 {
    let (ke, _, _) = unpack(kinds);
    let want = u64::from(all == 0);
    unsafe {
        let callee = Callee::new(f);
        let mut i = 0;
        while let Some(x) = element(a, i) {
            let r = callee.call1(x, ke, kind::BOOL);
            if callee.threw() {
                return 0;
            }
            if r == want {
                return want as i8;
            }
            i += 1;
        }
        i8::from(all != 0)
    }
}

/// `xs.reduce(initial) { acc, x -> ... }`; a reference accumulator is kept
/// on the shadow stack between calls.
#[no_mangle]
pub unsafe extern "C" fn tess_arr_reduce(a: *mut Array, init: i64, f: *mut Obj, kinds: i64) -> i64 {
    let (ke, kacc, acc_ref) = unpack(kinds);
    unsafe {
        let callee = Callee::new(f);
        let mut acc = init as u64;
        let mut i = 0;
        while let Some(x) = element(a, i) {
            if acc_ref {
                push_root(acc as *mut Obj);
            }
            let r = callee.call2(acc, kacc, x, ke, kacc);
            if acc_ref {
                pop_root(1);
            }
            if callee.threw() {
                return 0;
            }
            acc = r;
            i += 1;
        }
        acc as i64
    }
}

/// A stable merge sort by `f(a, b) < 0`, on a copy of the elements (a
/// comparison that changes the array changes nothing here); the copy is
/// written back unless a comparison threw.
#[no_mangle]
pub unsafe extern "C" fn tess_arr_sort_by(a: *mut Array, f: *mut Obj, kinds: i64) {
    let (ke, _, _) = unpack(kinds);
    unsafe {
        let mut items: Vec<u64> = std::slice::from_raw_parts((*a).data, (*a).len as usize).to_vec();
        let callee = Callee::new(f);
        let mut failed = false;
        merge_sort(&mut items, &mut |x, y| {
            if failed {
                return false;
            }
            let r = callee.call2(y, ke, x, ke, kind::WORD) as i64;
            failed = callee.threw();
            r < 0
        });
        if !failed && items.len() as u64 == (*a).len {
            std::ptr::copy_nonoverlapping(items.as_ptr(), (*a).data, items.len());
        }
    }
}

/// `xs.sort()` of objects whose class implements an interface with
/// `compareTo(other: T) -> Int` (`Comparable`, or a module's own of that
/// shape), whose descriptor is `desc`: a stable merge sort by it, written
/// back unless a comparison threw.
#[no_mangle]
pub unsafe extern "C" fn tess_arr_sort_comparable(a: *mut Array, desc: *const u8) {
    unsafe {
        let Some(slot) = crate::interfaces::method_index(desc, "compareTo") else { return };
        let thread = current();
        let mut items: Vec<u64> = std::slice::from_raw_parts((*a).data, (*a).len as usize).to_vec();
        let mut methods = crate::std_interfaces::Methods::new();
        let mut failed = false;
        merge_sort(&mut items, &mut |x, y| {
            if failed {
                return false;
            }
            let code = methods.code(y as *const Obj, desc, slot);
            if code.is_null() {
                failed = true;
                return false;
            }
            let f: extern "C" fn(u64, u64, *mut Thread) -> i64 = std::mem::transmute(code);
            let r = f(y, x, thread);
            failed = !thread.exc.is_null();
            r < 0
        });
        if !failed && items.len() as u64 == (*a).len {
            std::ptr::copy_nonoverlapping(items.as_ptr(), (*a).data, items.len());
        }
    }
}

/// A stable merge sort by `before(x, y)` ("y sorts before x"), which need
/// not be a consistent order (a user's comparison): the result is then
/// some permutation, never a failure.
fn merge_sort(items: &mut [u64], before: &mut impl FnMut(u64, u64) -> bool) {
    let n = items.len();
    if n < 2 {
        return;
    }
    let mid = n / 2;
    merge_sort(&mut items[..mid], before);
    merge_sort(&mut items[mid..], before);
    let mut merged = Vec::with_capacity(n);
    let (mut i, mut j) = (0, mid);
    while i < mid && j < n {
        if before(items[i], items[j]) {
            merged.push(items[j]);
            j += 1;
        } else {
            merged.push(items[i]);
            i += 1;
        }
    }
    merged.extend_from_slice(&items[i..mid]);
    merged.extend_from_slice(&items[j..n]);
    items.copy_from_slice(&merged);
}

/// How two words of kind `k` order.
unsafe fn compare(x: u64, y: u64, k: u8) -> Ordering {
    match k {
        kind::FLOAT => f64::from_bits(x).total_cmp(&f64::from_bits(y)),
        kind::STRING => unsafe { tess_str_cmp(x as *const Str, y as *const Str).cmp(&0) },
        kind::INT32 => (x as i32).cmp(&(y as i32)),
        _ => (x as i64).cmp(&(y as i64)),
    }
}

/// Sorts `Int`, `Int32`, `Float` (NaN last) or `String` elements.
#[no_mangle]
pub unsafe extern "C" fn tess_arr_sort(a: *mut Array, k: i64) {
    unsafe {
        let items = std::slice::from_raw_parts_mut((*a).data, (*a).len as usize);
        match k as u8 {
            kind::STRING => items.sort_by(|&x, &y| compare(x, y, kind::STRING)),
            kind::FLOAT => items.sort_unstable_by(|&x, &y| compare(x, y, kind::FLOAT)),
            kind::INT32 => items.sort_unstable_by_key(|&x| x as i32),
            _ => items.sort_unstable_by_key(|&x| x as i64),
        }
    }
}

/// The kinds of values a type descriptor describes (`generics`): its
/// `value_kind` (`Int` and references as words, which compare by
/// identity) and whether they are references, packed as `kinds` are.
///
/// # Safety
/// `desc` is a type descriptor.
#[no_mangle]
pub unsafe extern "C" fn tess_desc_kinds(desc: *const TypeInfo) -> i64 {
    use crate::type_desc::{tess_ti_Bool, tess_ti_Float, tess_ti_Int32};
    let is = |ti: &TypeInfo| std::ptr::eq(desc, ti);
    let kind = if is(&tess_ti_Float) {
        kind::FLOAT
    } else if is(&tess_ti_Bool) {
        kind::BOOL
    } else if is(&tess_ti_Int32) {
        kind::INT32
    } else if is(&crate::object::tess_ti_String) {
        kind::STRING
    } else {
        kind::WORD
    };
    let refs = unsafe { (*desc).kind } != Kind::Value;
    tess_abi::layout::value_kind::pack(kind, 0, refs)
}

/// The first index of an element equal to `v` (`==` of its type: strings
/// by content, `Float` as IEEE, references by identity), or -1.
#[no_mangle]
pub unsafe extern "C" fn tess_arr_index_of(a: *mut Array, v: i64, k: i64) -> i64 {
    unsafe {
        let items = std::slice::from_raw_parts((*a).data, (*a).len as usize);
        let v = v as u64;
        let equal = |x: u64| match k as u8 {
            kind::FLOAT => f64::from_bits(x) == f64::from_bits(v),
            kind::STRING => compare(x, v, kind::STRING) == Ordering::Equal,
            kind::INT32 => x as i32 == v as i32,
            kind::BOOL => (x as u8 != 0) == (v as u8 != 0),
            _ => x == v,
        };
        items.iter().position(|&x| equal(x)).map_or(-1, |i| i as i64)
    }
}

/// A new array of the same elements in reverse order.
#[no_mangle]
pub unsafe extern "C" fn tess_arr_reversed(a: *mut Array) -> *mut Array {
    unsafe {
        push_root(a.cast());
        let refs = std::ptr::eq((*a).header.ty(), &crate::array::tess_ti_RefArray);
        let out = crate::array::tess_arr_new(i8::from(refs), (*a).len);
        pop_root(1);
        let n = (*a).len as usize;
        for i in 0..n {
            *(*out).data.add(i) = *(*a).data.add(n - 1 - i);
        }
        (*out).len = n as u64;
        out
    }
}
