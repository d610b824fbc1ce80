//! Where a debugger finds a map's entries without running code in the
//! program (gdb cannot call functions in a process on some kernels, and
//! never in a core file). A map's table is a Rust struct whose `Vec`s have
//! no fixed layout, so the runtime writes the byte offsets it was built
//! with into [`tess_debug_map`] when it starts; `crates/driver/gdb/tessera.py`
//! reads them.

use crate::map_table::{MapObj, Table};
use std::mem::offset_of;
use std::sync::atomic::{AtomicU64, Ordering};
use tess_abi::layout::const_map;

/// Byte offsets, in this order: from a map object, its table pointer; from
/// a table, the keys' buffer, the values' buffer, the live flags' buffer
/// (one byte each) and how many slots there are (the keys' length); from a
/// constant map whose table is not built yet (`layout::const_map`), its
/// entry count and its (key, value) pairs. Zero until the runtime starts.
#[no_mangle]
pub static tess_debug_map: [AtomicU64; 7] = [const { AtomicU64::new(0) }; 7];

/// Fills [`tess_debug_map`]; called once per process.
pub fn publish() {
    let keys = offset_of!(Table, keys);
    let [ptr, len] = vec_fields::<u64>();
    let [live_ptr, _] = vec_fields::<bool>();
    let offsets = [
        offset_of!(MapObj, table),
        keys + ptr,
        offset_of!(Table, vals) + ptr,
        offset_of!(Table, live) + live_ptr,
        keys + len,
        const_map::COUNT as usize,
        const_map::ENTRIES as usize,
    ];
    for (cell, at) in tess_debug_map.iter().zip(offsets) {
        cell.store(at as u64, Ordering::Relaxed);
    }
}

const _: () = assert!(size_of::<Vec<u64>>() == 24 && size_of::<Vec<bool>>() == 24);

/// The byte offsets of a `Vec<T>`'s buffer pointer and length, found by
/// looking at a vector whose pointer, length and capacity all differ.
fn vec_fields<T: Default + Clone>() -> [usize; 2] {
    let mut v: Vec<T> = Vec::with_capacity(3);
    v.push(T::default());
    let words: [usize; 3] = unsafe { std::mem::transmute_copy(&v) };
    let at =
        |value: usize| words.iter().position(|&w| w == value).expect("a Vec is a pointer, a length and a capacity");
    [at(v.as_ptr() as usize) * 8, at(v.len()) * 8]
}
