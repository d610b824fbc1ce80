//! `Map[K, V]`: a hash map that iterates in insertion order. The heap
//! object holds a pointer to a Rust-side table, freed when the collector
//! finds the map dead; keys and values are 8-byte words as in arrays.

use crate::array::{tess_arr_new, tess_arr_push};
use crate::exc::{tess_ti_KeyError, throw_new};
use crate::map_table::{KeyOps, MapObj, Table, Threw};
use crate::object::*;
use crate::std_interfaces::Methods;
use crate::thread::alloc;
use std::cell::RefCell;
use std::sync::atomic::{AtomicPtr, Ordering};

static MAP_NAME: StaticStr<3> = StaticStr::new(b"Map");

/// Type info of every map.
#[no_mangle]
pub static tess_ti_Map: TypeInfo = TypeInfo {
    kind: Kind::Map,
    flags: 0,
    size: std::mem::size_of::<MapObj>() as u64,
    nrefs: 0,
    refs: std::ptr::null(),
    name: (&raw const MAP_NAME).cast(),
    depth: 0,
    display: std::ptr::null(),
    nslots: 0,
};

/// The table of map `m`. A constant map's (`layout::const_map`, in a
/// module's data) is built on its first use from the entries the compiler
/// computed, and then shared by every thread, which only read it.
pub(crate) unsafe fn table<'a>(m: *mut MapObj) -> &'a mut Table {
    let cell = unsafe { &*(&raw const (*m).table).cast::<AtomicPtr<Table>>() };
    let t = cell.load(Ordering::Acquire);
    if t.is_null() {
        return unsafe { thaw(m, cell) };
    }
    unsafe { &mut *t }
}

/// Builds a constant map's table (another thread may build it meanwhile:
/// the first one published is kept).
#[cold]
unsafe fn thaw<'a>(m: *mut MapObj, cell: &AtomicPtr<Table>) -> &'a mut Table {
    use tess_abi::layout::const_map as l;
    let word = |at: i32| unsafe { *m.cast::<u8>().add(at as usize).cast::<u64>() };
    let mut t = Box::new(Table::new(word(l::KEY_KIND) as i8, word(l::VALS_ARE_REFS) != 0));
    let keys = Hashable::default();
    for i in 0..word(l::COUNT) as i32 {
        let (k, v) = (word(l::ENTRIES + 16 * i), word(l::ENTRIES + 16 * i + 8));
        // Keys are numbers and strings, never hashed by a method: no throw.
        let _ = t.append(k, v, &keys);
    }
    let fresh = Box::into_raw(t);
    match cell.compare_exchange(std::ptr::null_mut(), fresh, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => unsafe { &mut *fresh },
        Err(theirs) => {
            drop(unsafe { Box::from_raw(fresh) });
            unsafe { &mut *theirs }
        }
    }
}

/// Keys of `Hashable` classes, through the standard interface (on the
/// current thread, whose pending exception says whether a call threw).
/// Made for one map operation: the keys' table is looked up once for it.
#[derive(Default)]
struct Hashable {
    methods: RefCell<Methods>,
}

impl KeyOps for Hashable {
    fn hash(&self, key: u64) -> Result<i64, Threw> {
        let mut methods = self.methods.borrow_mut();
        unsafe { crate::std_interfaces::hash(&mut methods, key, crate::thread::current()) }.ok_or(Threw)
    }

    fn equals(&self, a: u64, b: u64) -> Result<bool, Threw> {
        let mut methods = self.methods.borrow_mut();
        unsafe { crate::std_interfaces::equals(&mut methods, a, b, crate::thread::current()) }.ok_or(Threw)
    }
}

fn key_text(t: &Table, key: u64) -> String {
    if t.keys_are_strings() {
        format!("\"{}\"", unsafe { (*(key as *const Str)).as_str() })
    } else if t.keys_are_refs() {
        format!("a `{}`", unsafe { type_name((*(key as *const Obj)).header.ty()) })
    } else {
        (key as i64).to_string()
    }
}

/// A new map whose keys are of kind `key_kind` (`tess_abi::layout::map_keys`).
#[no_mangle]
pub extern "C" fn tess_map_new(key_kind: i8, vals_are_refs: i8) -> *mut MapObj {
    let t = Box::new(Table::new(key_kind, vals_are_refs != 0));
    unsafe {
        let m = alloc(&tess_ti_Map, std::mem::size_of::<MapObj>() as u64).cast::<MapObj>();
        (*m).table = Box::into_raw(t);
        crate::thread::finalize_when_dead(m.cast());
        m
    }
}

/// `m[k] = v`.
#[no_mangle]
pub unsafe extern "C" fn tess_map_set(m: *mut MapObj, key: i64, val: i64) {
    unsafe { crate::thread::write_barrier(m.cast()) };
    let t = unsafe { table(m) };
    let keys = Hashable::default();
    match t.find(key as u64, &keys) {
        Err(_) => {}
        Ok(Some(i)) => t.vals[i] = val as u64,
        Ok(None) => {
            let before = t.owned_bytes();
            t.compact();
            if t.append(key as u64, val as u64, &keys).is_err() {
                return;
            }
            let after = t.owned_bytes();
            if after != before {
                crate::thread::owned_changed(m.cast(), before, after);
            }
        }
    }
}

/// `m[k]` as an optional: 0 when absent, else the value, boxed when
/// `boxed` (optionals of value types are boxes).
#[no_mangle]
pub unsafe extern "C" fn tess_map_get_opt(m: *mut MapObj, key: i64, boxed: i8) -> i64 {
    let t = unsafe { table(m) };
    match t.find(key as u64, &Hashable::default()) {
        Ok(None) | Err(_) => 0,
        Ok(Some(i)) if boxed != 0 => crate::string::tess_box(t.vals[i] as i64) as i64,
        Ok(Some(i)) => t.vals[i] as i64,
    }
}

/// The entry position of `key`, or -1: lets compiled code read `m[k]!`,
/// `m[k] ?? d` and `if let v = m[k]` without boxing the value.
#[no_mangle]
pub unsafe extern "C" fn tess_map_find(m: *mut MapObj, key: i64) -> i64 {
    unsafe { table(m) }.find(key as u64, &Hashable::default()).ok().flatten().map_or(-1, |i| i as i64)
}

#[no_mangle]
pub unsafe extern "C" fn tess_map_contains(m: *mut MapObj, key: i64) -> i8 {
    unsafe { table(m) }.find(key as u64, &Hashable::default()).ok().flatten().is_some() as i8
}

/// `m.remove(k)`; a missing key throws `KeyError`.
#[no_mangle]
pub unsafe extern "C" fn tess_map_remove(m: *mut MapObj, key: i64) {
    let t = unsafe { table(m) };
    if let Ok(false) = t.remove(key as u64, &Hashable::default()) {
        throw_new(&tess_ti_KeyError, &format!("key not found: {}", key_text(t, key as u64)));
    }
}

/// `s.remove(x)` of a set: whether `x` was there.
#[no_mangle]
pub unsafe extern "C" fn tess_set_remove(m: *mut MapObj, key: i64) -> i8 {
    i8::from(matches!(unsafe { table(m) }.remove(key as u64, &Hashable::default()), Ok(true)))
}

#[no_mangle]
pub unsafe extern "C" fn tess_map_len(m: *mut MapObj) -> i64 {
    unsafe { table(m) }.count as i64
}

/// `m.keys()`, in insertion order.
#[no_mangle]
pub unsafe extern "C" fn tess_map_keys(m: *mut MapObj) -> *mut Array {
    let t = unsafe { table(m) };
    let arr = tess_arr_new(t.keys_are_refs() as i8, t.count as u64);
    for i in 0..t.keys.len() {
        if t.live[i] {
            unsafe { tess_arr_push(arr, t.keys[i] as i64) };
        }
    }
    arr
}

/// Iteration, by entry position: how many positions there are now.
#[no_mangle]
pub unsafe extern "C" fn tess_map_slots(m: *mut MapObj) -> i64 {
    unsafe { table(m) }.keys.len() as i64
}

#[no_mangle]
pub unsafe extern "C" fn tess_map_live(m: *mut MapObj, i: i64) -> i8 {
    let t = unsafe { table(m) };
    t.live.get(i as usize).copied().unwrap_or(false) as i8
}

#[no_mangle]
pub unsafe extern "C" fn tess_map_key_at(m: *mut MapObj, i: i64) -> i64 {
    unsafe { table(m) }.keys[i as usize] as i64
}

#[no_mangle]
pub unsafe extern "C" fn tess_map_value_at(m: *mut MapObj, i: i64) -> i64 {
    unsafe { table(m) }.vals[i as usize] as i64
}
