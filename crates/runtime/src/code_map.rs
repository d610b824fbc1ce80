//! Which module's code an address is in, and at which source position: the
//! tables modules register at start-up (`tess_abi::layout::code_table`),
//! read when a stack trace is captured and printed.

use std::ffi::{c_char, CStr};
use std::sync::{RwLock, RwLockReadGuard};
use tess_abi::layout::code_table::{self, func, loc, site};

/// A registered function: its code range and the table that describes it.
#[derive(Clone, Copy)]
pub struct Func {
    start: usize,
    end: usize,
    entry: *const u8,
    table: *const u8,
}

unsafe impl Send for Func {}
unsafe impl Sync for Func {}

/// Every registered function, sorted by address: rewritten by each
/// registration and unload (rare: once per module), read by each capture
/// (often: once per exception), which an uncontended read lock keeps cheap.
static FUNCS: RwLock<Vec<Func>> = RwLock::new(Vec::new());

unsafe fn word(p: *const u8, offset: i32) -> u64 {
    unsafe { p.add(offset as usize).cast::<u64>().read_unaligned() }
}

unsafe fn half(p: *const u8, offset: i32) -> u32 {
    unsafe { p.add(offset as usize).cast::<u32>().read_unaligned() }
}

/// Registers a module's table (its init entry calls this first).
#[no_mangle]
pub unsafe extern "C" fn tess_register_code(table: *const u8) {
    let n = unsafe { word(table, code_table::NFUNCS) } as usize;
    let funcs = unsafe { word(table, code_table::FUNCS) } as *const u8;
    let mut all = FUNCS.write().unwrap_or_else(|e| e.into_inner());
    for i in 0..n {
        let entry = unsafe { funcs.add(i * func::SIZE as usize) };
        let start = unsafe { word(entry, func::START) } as usize;
        let len = unsafe { half(entry, func::LEN) } as usize;
        all.push(Func { start, end: start + len, entry, table });
    }
    all.sort_by_key(|f| f.start);
}

/// Unregisters the functions whose code is in `image` (`lib.unload()`).
pub fn forget(image: &crate::image::Image) {
    FUNCS.write().unwrap_or_else(|e| e.into_inner()).retain(|f| !image.contains(f.start));
}

/// The registered functions, sorted by address, while the guard lives.
pub fn functions() -> RwLockReadGuard<'static, Vec<Func>> {
    FUNCS.read().unwrap_or_else(|e| e.into_inner())
}

/// The table and site of the instruction at `pc`, if it is in registered
/// code (`all` from [`functions`]).
pub fn lookup(all: &[Func], pc: usize) -> Option<(*const u8, i64)> {
    let i = all.partition_point(|f| f.start <= pc).checked_sub(1)?;
    let f = all[i];
    if pc >= f.end {
        return None;
    }
    let offset = (pc - f.start) as u32;
    let nlocs = unsafe { half(f.entry, func::NLOCS) } as usize;
    let first = unsafe { half(f.entry, func::FIRST_LOC) } as usize;
    let locs = unsafe { word(f.table, code_table::LOCS) } as *const u8;
    let at = |k: usize| unsafe { locs.add((first + k) * loc::SIZE as usize) };
    // The last position at or before `offset` (binary search).
    let (mut lo, mut hi) = (0, nlocs);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if unsafe { half(at(mid), loc::OFFSET) } <= offset {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let site = lo.checked_sub(1).map_or(-1, |k| i64::from(unsafe { half(at(k), loc::SITE) }));
    Some((f.table, site))
}

/// The name of the function whose code holds `pc` (its outermost frame's,
/// when code was inlined there), if it is registered code.
pub fn function_name(all: &[Func], pc: usize) -> Option<String> {
    let (table, mut site) = lookup(all, pc)?;
    let nsites = unsafe { word(table, code_table::NSITES) } as i64;
    let sites = unsafe { word(table, code_table::SITES) } as *const u8;
    let strings = unsafe { word(table, code_table::STRINGS) } as *const u8;
    let mut name = None;
    while (0..nsites).contains(&site) {
        let s = unsafe { sites.add(site as usize * site::SIZE as usize) };
        let at = unsafe { half(s, site::FUNC) } as usize;
        name = Some(unsafe { CStr::from_ptr(strings.add(at).cast::<c_char>()) }.to_string_lossy().into_owned());
        site = match unsafe { half(s, site::PARENT) } {
            u32::MAX => -1,
            parent => i64::from(parent),
        };
    }
    name
}

/// One line of a trace per frame of `site` in `table`, the innermost first
/// (a site inlined into a caller adds the caller's).
///
/// # Safety
/// `table` is a registered code table.
pub unsafe fn describe(table: *const u8, mut site: i64, out: &mut String) {
    let nsites = unsafe { word(table, code_table::NSITES) } as i64;
    let sites = unsafe { word(table, code_table::SITES) } as *const u8;
    let strings = unsafe { word(table, code_table::STRINGS) } as *const u8;
    while (0..nsites).contains(&site) {
        let s = unsafe { sites.add(site as usize * site::SIZE as usize) };
        let text = |field| {
            let at = unsafe { half(s, field) } as usize;
            unsafe { CStr::from_ptr(strings.add(at).cast::<c_char>()) }.to_string_lossy()
        };
        let (line, col) = unsafe { (half(s, site::LINE), half(s, site::COL)) };
        out.push_str(&format!("  at {} ({}:{line}:{col})\n", text(site::FUNC), text(site::FILE)));
        site = match unsafe { half(s, site::PARENT) } {
            u32::MAX => -1,
            parent => i64::from(parent),
        };
    }
}
