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

/// The return addresses of the frames up the chain from frame pointer
/// `fp`, each with its table and site when it is in registered code; the
/// walk ends after the first that is not (what stack traces and
/// `lib.unload()` read).
///
/// # Safety
/// `fp` is null or a frame pointer of the calling thread's stack.
pub unsafe fn caller_frames(
    all: &[Func],
    fp: *const usize,
) -> impl Iterator<Item = (usize, Option<(*const u8, i64)>)> + '_ {
    let mut fp = fp;
    std::iter::from_fn(move || {
        if fp.is_null() || !fp.is_aligned() {
            return None;
        }
        let (caller_fp, ra) = unsafe { (*fp as *const usize, *fp.add(1)) };
        let found = lookup(all, ra.wrapping_sub(1));
        // The stack grows down: a caller's frame is above its callee's.
        fp = if found.is_none() || caller_fp <= fp { std::ptr::null() } else { caller_fp };
        Some((ra, found))
    })
}

/// The site records of `site` in `table`, the innermost first (a site
/// inlined into a caller is followed by the caller's).
unsafe fn site_chain(table: *const u8, mut site: i64) -> impl Iterator<Item = *const u8> {
    let nsites = unsafe { word(table, code_table::NSITES) } as i64;
    let sites = unsafe { word(table, code_table::SITES) } as *const u8;
    std::iter::from_fn(move || {
        if !(0..nsites).contains(&site) {
            return None;
        }
        let s = unsafe { sites.add(site as usize * site::SIZE as usize) };
        site = match unsafe { half(s, site::PARENT) } {
            u32::MAX => -1,
            parent => i64::from(parent),
        };
        Some(s)
    })
}

/// A string field of site record `s` of `table`.
unsafe fn site_text<'a>(table: *const u8, s: *const u8, field: i32) -> std::borrow::Cow<'a, str> {
    let strings = unsafe { word(table, code_table::STRINGS) } as *const u8;
    let at = unsafe { half(s, field) } as usize;
    unsafe { CStr::from_ptr(strings.add(at).cast::<c_char>()) }.to_string_lossy()
}

/// The name of the function whose code holds `pc` (its outermost frame's,
/// when code was inlined there), if it is registered code.
pub fn function_name(all: &[Func], pc: usize) -> Option<String> {
    let (table, site) = lookup(all, pc)?;
    let outermost = unsafe { site_chain(table, site) }.last()?;
    Some(unsafe { site_text(table, outermost, site::FUNC) }.into_owned())
}

/// One line of a trace per frame of `site` in `table`, the innermost first
/// (a site inlined into a caller adds the caller's).
///
/// # Safety
/// `table` is a registered code table.
pub unsafe fn describe(table: *const u8, site: i64, out: &mut String) {
    for s in unsafe { site_chain(table, site) } {
        let (line, col) = unsafe { (half(s, site::LINE), half(s, site::COL)) };
        let (func, file) = unsafe { (site_text(table, s, site::FUNC), site_text(table, s, site::FILE)) };
        out.push_str(&format!("  at {func} ({file}:{line}:{col})\n"));
    }
}
