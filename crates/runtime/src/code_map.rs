//! Which module's code an address is in, and at which source position: the
//! tables modules register at start-up (`tess_abi::layout::code_table`),
//! read when a stack trace is captured and printed.

use std::ffi::{c_char, CStr};
use std::sync::atomic::{AtomicU64, Ordering};
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

/// Bumped under the write lock by each registration and unload: a
/// thread's [`FrameCache`] filled under an older value may describe code
/// that is gone, and is emptied.
static GENERATION: AtomicU64 = AtomicU64::new(0);

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
    GENERATION.fetch_add(1, Ordering::Release);
}

/// Unregisters the functions whose code is in `image` (`lib.unload()`).
pub fn forget(image: &crate::image::Image) {
    let mut all = FUNCS.write().unwrap_or_else(|e| e.into_inner());
    all.retain(|f| !image.contains(f.start));
    GENERATION.fetch_add(1, Ordering::Release);
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
/// `fp`, each with its table and site (`find` of the address before it)
/// when it is in registered code; the walk ends after the first that is
/// not (what stack traces and `lib.unload()` read).
///
/// # Safety
/// `fp` is null or a frame pointer of the calling thread's stack.
pub unsafe fn caller_frames(
    fp: *const usize,
    mut find: impl FnMut(usize) -> Option<(*const u8, i64)>,
) -> impl Iterator<Item = (usize, Option<(*const u8, i64)>)> {
    let mut fp = fp;
    std::iter::from_fn(move || {
        if fp.is_null() || !fp.is_aligned() {
            return None;
        }
        let (caller_fp, ra) = unsafe { (*fp as *const usize, *fp.add(1)) };
        let found = find(ra.wrapping_sub(1));
        // The stack grows down: a caller's frame is above its callee's.
        fp = if found.is_none() || caller_fp <= fp { std::ptr::null() } else { caller_fp };
        Some((ra, found))
    })
}

/// How many answers a thread's [`FrameCache`] keeps.
const CACHE_SLOTS: usize = 64;

/// One remembered answer of [`lookup`]: `table` null when `pc` is not in
/// registered code (an empty slot, `pc` 0, says so too, which is true).
#[derive(Clone, Copy)]
struct Memo {
    pc: usize,
    table: *const u8,
    site: i64,
}

/// A thread's memo of [`lookup`]'s answers by address, so that capturing
/// a trace whose frames were seen before takes neither the map's lock
/// (two atomic read-modify-writes) nor its searches: programs throw from
/// the same few places again and again (bench/throw). Safe without the
/// lock because the frames looked up are the calling thread's own, whose
/// code cannot be unloaded under it, and a registration or unload since
/// the cache was filled empties it ([`GENERATION`]).
pub struct FrameCache {
    generation: u64,
    slots: [Memo; CACHE_SLOTS],
}

impl Default for FrameCache {
    fn default() -> Self {
        FrameCache { generation: 0, slots: [Memo { pc: 0, table: std::ptr::null(), site: 0 }; CACHE_SLOTS] }
    }
}

impl FrameCache {
    /// [`caller_frames`] answered from the cache, reading the map (under
    /// its lock, taken once) only for addresses not seen before.
    ///
    /// # Safety
    /// As [`caller_frames`].
    pub unsafe fn caller_frames(
        &mut self,
        fp: *const usize,
    ) -> impl Iterator<Item = (usize, Option<(*const u8, i64)>)> + '_ {
        let now = GENERATION.load(Ordering::Acquire);
        if self.generation != now {
            *self = FrameCache { generation: now, ..FrameCache::default() };
        }
        let mut all: Option<RwLockReadGuard<'static, Vec<Func>>> = None;
        let find = move |pc: usize| {
            let slot = &mut self.slots[(pc ^ pc >> 7) % CACHE_SLOTS];
            if slot.pc != pc {
                let found = lookup(all.get_or_insert_with(functions), pc);
                let (table, site) = found.unwrap_or((std::ptr::null(), 0));
                *slot = Memo { pc, table, site };
            }
            (!slot.table.is_null()).then_some((slot.table, slot.site))
        };
        unsafe { caller_frames(fp, find) }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use tess_abi::layout::code_table::SIZE;

    /// A code table of one function over `code`, whose one site is at
    /// `line` (leaked: tables live as long as their code).
    fn table(code: &'static [u8], line: u32) -> *const u8 {
        let leak = |bytes: i32| Box::leak(vec![0u8; bytes as usize].into_boxed_slice()).as_mut_ptr();
        let (t, f, l, s) = (leak(SIZE), leak(func::SIZE), leak(loc::SIZE), leak(site::SIZE));
        let word =
            |p: *mut u8, at: i32, v: usize| unsafe { p.add(at as usize).cast::<u64>().write_unaligned(v as u64) };
        let half = |p: *mut u8, at: i32, v: u32| unsafe { p.add(at as usize).cast::<u32>().write_unaligned(v) };
        word(t, code_table::NFUNCS, 1);
        word(t, code_table::FUNCS, f as usize);
        word(t, code_table::NSITES, 1);
        word(t, code_table::SITES, s as usize);
        word(t, code_table::LOCS, l as usize);
        word(t, code_table::STRINGS, c"f".as_ptr() as usize);
        word(f, func::START, code.as_ptr() as usize);
        half(f, func::LEN, code.len() as u32);
        half(f, func::NLOCS, 1);
        half(s, site::LINE, line);
        half(s, site::COL, 1);
        half(s, site::PARENT, u32::MAX);
        t
    }

    /// A thread's cache of frames answers for code registered, unloaded
    /// and registered again in the same place as the map does at each
    /// moment, never from before (a plugin reloaded at the same address).
    #[test]
    fn frame_cache_forgets_what_registration_and_unloading_change() {
        static CODE: [u8; 64] = [0; 64];
        let start = CODE.as_ptr() as usize;
        // A frame whose caller is `CODE`, and whose caller's frame ends the chain.
        let frame = [0usize, start + 9];
        let mut cache = FrameCache::default();
        let walk = |cache: &mut FrameCache| unsafe { cache.caller_frames(frame.as_ptr()).next() }.and_then(|f| f.1);
        assert_eq!(walk(&mut cache), None);
        let first = table(&CODE, 10);
        unsafe { tess_register_code(first) };
        assert_eq!(walk(&mut cache), Some((first, 0)));
        forget(&crate::image::Image::range(start, start + CODE.len()));
        assert_eq!(walk(&mut cache), None);
        let second = table(&CODE, 20);
        unsafe { tess_register_code(second) };
        assert_eq!(walk(&mut cache), Some((second, 0)));
        let mut line = String::new();
        unsafe { describe(second, 0, &mut line) };
        assert!(line.ends_with(":20:1)\n"), "{line}");
    }
}
