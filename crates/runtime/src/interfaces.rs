//! Interfaces (`docs/abi.md`, interfaces): modules register which classes
//! implement which interfaces, with what code by method name; a call
//! through an interface asks for the table of (the receiver's class, the
//! interface), built here once, in the interface's current method order —
//! so a class compiled against an older interface keeps working when the
//! interface gains methods with default bodies.

use crate::exc::{tess_ti_AbiError, tess_ti_CastError, throw_new};
use crate::object::*;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Mutex;
use tess_abi::layout::interface as l;

/// What modules registered: conformance records by type info address.
static RECORDS: Mutex<Option<HashMap<usize, Vec<usize>>>> = Mutex::new(None);
/// Tables built so far, by (type info, descriptor).
static TABLES: Mutex<Option<HashMap<(usize, usize), usize>>> = Mutex::new(None);
/// Every call site's cache that has remembered a class, so that
/// `lib.unload()` can take an unloaded library's classes out of them.
static CACHES: Mutex<Option<HashSet<usize>>> = Mutex::new(None);

unsafe fn word(p: *const u8, offset: i32) -> usize {
    unsafe { *p.add(offset as usize).cast::<usize>() }
}

unsafe fn name_at(p: usize) -> &'static str {
    unsafe { (*(p as *const Str)).as_str() }
}

/// The methods of a descriptor: (name, default code or 0).
unsafe fn methods(desc: *const u8) -> Vec<(&'static str, usize)> {
    unsafe {
        let n = word(desc, l::DESC_COUNT);
        (0..n)
            .map(|k| {
                let at = l::DESC_METHODS + l::METHOD_SIZE * k as i32;
                (name_at(word(desc, at)), word(desc, at + 8))
            })
            .collect()
    }
}

/// The index of method `name` in descriptor `desc` (its slot is 8 times
/// that in every table).
///
/// # Safety
/// `desc` is a descriptor.
pub unsafe fn method_index(desc: *const u8, name: &str) -> Option<usize> {
    unsafe { methods(desc) }.iter().position(|(m, _)| *m == name)
}

/// The entries of a record: (name, kind, value).
unsafe fn entries(rec: *const u8) -> Vec<(&'static str, u64, usize)> {
    unsafe {
        let n = word(rec, l::CONF_COUNT);
        (0..n)
            .map(|k| {
                let at = l::CONF_ENTRIES + l::ENTRY_SIZE * k as i32;
                (name_at(word(rec, at)), word(rec, at + 8) as u64, word(rec, at + 16))
            })
            .collect()
    }
}

/// Registers a module's records (`count`, then their addresses); throws
/// `AbiError` naming a method an interface requires that a class lacks.
///
/// # Safety
/// `list` is a list the compiler emitted; the classes' type infos are built.
#[no_mangle]
pub unsafe extern "C" fn tess_register_conformances(list: *const usize) {
    unsafe {
        let n = *list;
        let mut missing = None;
        let mut guard = RECORDS.lock().unwrap_or_else(|e| e.into_inner());
        let records = guard.get_or_insert_with(HashMap::new);
        for k in 0..n {
            let rec = *list.add(1 + k) as *const u8;
            let ti = *(word(rec, l::CONF_TYPE_INFO) as *const usize);
            let desc = word(rec, l::CONF_IFACE) as *const u8;
            let given = entries(rec);
            for (m, default) in methods(desc) {
                if default == 0 && !given.iter().any(|(g, ..)| *g == m) && missing.is_none() {
                    let class = type_name(ti as *const TypeInfo);
                    let iface = name_at(word(desc, l::DESC_NAME));
                    missing = Some(format!(
                        "class `{class}` does not implement `{iface}.{m}`, which its interface now requires (rebuild it)"
                    ));
                }
            }
            records.entry(ti).or_default().push(rec as usize);
        }
        drop(guard);
        if let Some(msg) = missing {
            throw_new(&tess_ti_AbiError, &msg);
        }
    }
}

/// The records of `ti` and its ancestors for `desc`, nearest class first.
unsafe fn records_for(ti: *const TypeInfo, desc: usize) -> Vec<usize> {
    let records = RECORDS.lock().unwrap_or_else(|e| e.into_inner());
    let Some(records) = records.as_ref() else { return Vec::new() };
    let mut out = Vec::new();
    unsafe {
        let depth = (*ti).depth as usize;
        for d in (0..=depth).rev() {
            let anc = if (*ti).display.is_null() { ti } else { *(*ti).display.add(d) };
            for &rec in records.get(&(anc as usize)).into_iter().flatten() {
                if word(rec as *const u8, l::CONF_IFACE) == desc {
                    out.push(rec);
                }
            }
        }
    }
    out
}

/// Builds the table of `ti` for `desc`; `None` when the class does not
/// implement it.
unsafe fn build(ti: *const TypeInfo, desc: *const u8) -> Option<usize> {
    unsafe {
        let recs = records_for(ti, desc as usize);
        if recs.is_empty() {
            return None;
        }
        let all: Vec<(&str, u64, usize)> = recs.iter().flat_map(|&r| entries(r as *const u8)).collect();
        let table: Vec<usize> = methods(desc)
            .into_iter()
            .map(|(m, default)| match all.iter().find(|(n, ..)| *n == m) {
                Some(&(_, l::ENTRY_SLOT, cell)) => word(ti.cast(), *(cell as *const u64) as i32),
                Some(&(_, _, code)) => code,
                None => default,
            })
            .collect();
        Some(Box::leak(table.into_boxed_slice()).as_ptr() as usize)
    }
}

/// The table of `o`'s class for interface `desc` (built on first use),
/// remembered in the call site's `cache`.
///
/// # Safety
/// `o` is an object, `desc` a descriptor, `cache` a call site's word.
#[no_mangle]
pub unsafe extern "C" fn tess_iface_table(
    o: *const Obj,
    desc: *const u8,
    cache: *const AtomicPtr<usize>,
) -> *const usize {
    unsafe {
        let table = table_for(o, desc);
        if !table.is_null() {
            remember(cache, (*o).header.ty() as usize, table as usize);
        }
        table
    }
}

/// The table of `o`'s class for interface `desc` (built on first use);
/// null, with a `CastError` thrown, when the class does not implement it.
///
/// # Safety
/// `o` is an object, `desc` a descriptor.
pub unsafe fn table_for(o: *const Obj, desc: *const u8) -> *const usize {
    unsafe {
        let ti = (*o).header.ty();
        let key = (ti as usize, desc as usize);
        let mut guard = TABLES.lock().unwrap_or_else(|e| e.into_inner());
        let tables = guard.get_or_insert_with(HashMap::new);
        match tables.get(&key) {
            Some(&t) => t as *const usize,
            None => match build(ti, desc) {
                Some(t) => {
                    tables.insert(key, t);
                    t as *const usize
                }
                None => {
                    drop(guard);
                    let msg = format!("`{}` does not implement `{}`", type_name(ti), name_at(word(desc, l::DESC_NAME)));
                    throw_new(&tess_ti_CastError, &msg);
                    std::ptr::null()
                }
            },
        }
    }
}

/// Publishes a new record for a call site's cache: its entries and
/// (type info, table), while there is room (a site that sees more classes
/// keeps its first ones; the others take the slow path).
unsafe fn remember(cache: *const AtomicPtr<usize>, ti: usize, table: usize) {
    let n = l::CACHE_ENTRIES as usize;
    let old = unsafe { (*cache).load(Ordering::Acquire) };
    let mut entries = vec![0usize; 2 * n];
    if !old.is_null() {
        entries.copy_from_slice(unsafe { std::slice::from_raw_parts(old, 2 * n) });
    }
    let Some(free) = (0..n).find(|&k| entries[2 * k] == 0) else { return };
    entries[2 * free] = ti;
    entries[2 * free + 1] = table;
    let record = Box::leak(entries.into_boxed_slice());
    unsafe { (*cache).store(record.as_mut_ptr(), Ordering::Release) };
    CACHES.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(HashSet::new).insert(cache as usize);
}

/// Forgets what involves the classes, interfaces and conformances of the
/// library in `image` (`lib.unload()`): its records, the tables built for
/// them, and its classes in every call site's cache — a class loaded
/// later at the same address must not find them.
pub fn forget(image: &crate::image::Image) {
    let of_image = |ti: usize| unsafe { crate::class_builder::is_in(ti as *const TypeInfo, image) };
    if let Some(records) = RECORDS.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        records.retain(|&ti, recs| {
            recs.retain(|&r| !image.contains(r));
            !of_image(ti) && !recs.is_empty()
        });
    }
    if let Some(tables) = TABLES.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        tables.retain(|&(ti, desc), _| !of_image(ti) && !image.contains(desc));
    }
    let n = l::CACHE_ENTRIES as usize;
    if let Some(caches) = CACHES.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        caches.retain(|&c| !image.contains(c));
        for &c in caches.iter() {
            let cache = c as *const AtomicPtr<usize>;
            let old = unsafe { (*cache).load(Ordering::Acquire) };
            let entries = unsafe { std::slice::from_raw_parts(old, 2 * n) };
            let kept: Vec<usize> =
                entries.chunks(2).filter(|e| e[0] != 0 && !of_image(e[0])).flatten().copied().collect();
            if kept.len() < entries.iter().filter(|&&w| w != 0).count() {
                let mut fresh = vec![0usize; 2 * n];
                fresh[..kept.len()].copy_from_slice(&kept);
                // The old record is left to readers that may hold it.
                let record = Box::leak(fresh.into_boxed_slice());
                unsafe { (*cache).store(record.as_mut_ptr(), Ordering::Release) };
            }
        }
    }
}

/// Whether `o`'s class (or an ancestor) implements interface `desc`.
///
/// # Safety
/// `o` is an object, `desc` a descriptor.
#[no_mangle]
pub unsafe extern "C" fn tess_implements(o: *const Obj, desc: *const u8) -> i8 {
    unsafe { i8::from(!records_for((*o).header.ty(), desc as usize).is_empty()) }
}

/// `o as I` (`optional` 0) or `o as? I`: `o` when its class implements
/// the interface, else nil or a `CastError`.
///
/// # Safety
/// `o` is null or an object, `desc` a descriptor.
#[no_mangle]
pub unsafe extern "C" fn tess_iface_cast(o: *mut Obj, desc: *const u8, optional: i8) -> *mut Obj {
    unsafe {
        if o.is_null() || tess_implements(o, desc) != 0 {
            return o;
        }
        if optional == 0 {
            let msg = format!("cannot cast {} to {}", class_name(o), name_at(word(desc, l::DESC_NAME)));
            throw_new(&tess_ti_CastError, &msg);
        }
        std::ptr::null_mut()
    }
}
