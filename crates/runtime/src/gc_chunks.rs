//! Where small objects live: chunks of 1 MiB, mapped from the system and
//! aligned to their size, each holding 63 pages of 16 KiB and, in its
//! first page, its *mark bitmap* — one bit per 8-byte granule of the chunk,
//! set on the first granule of every marked object. The collector marks
//! there, and the allocator finds free cells there, without touching the
//! cells themselves.
//!
//! Chunks are mapped two at a time, aligned to 2 MiB; once a heap is
//! large, the pair is backed by a huge page where the system allows
//! (binary_trees: 9% less time, its mutator's and its collector's TLB
//! misses). A small heap keeps small pages: a huge one would be resident
//! whole. Where a mapping cannot be unmapped in part (Windows, which has
//! no huge pages for us anyway), each chunk is mapped on its own, so
//! unmapping one chunk never takes its neighbour along.
//!
//! A process-wide map with one bit per MiB of address space says which
//! addresses are chunks (so the collector can tell a small object from a
//! large or static one before reading it); it is reserved, not committed:
//! only the parts covering mapped chunks become memory.

use std::ptr::null_mut;
use std::sync::atomic::{AtomicPtr, AtomicU8, Ordering};
use std::sync::Mutex;

pub const CHUNK_BYTES: usize = 1 << 20;
pub const PAGE_BYTES: usize = 16 * 1024;
const GRANULE: usize = 8;
/// Addresses the chunk map covers: the 47-bit user space of x86-64 and
/// AArch64 Linux.
const ADDRESS_BITS: u32 = 47;
const MAP_BYTES: usize = 1 << (ADDRESS_BITS - 20 - 3);

static CHUNK_MAP: AtomicPtr<AtomicU8> = AtomicPtr::new(null_mut());

/// `p`, memory fresh from `os`, or the end of the program when the system
/// had none (`p` null).
fn map_or_die(p: *mut u8) -> *mut u8 {
    if p.is_null() {
        crate::output::fatal("out of memory");
    }
    p
}

/// The chunk map, reserved on first use (by whichever thread gets there
/// first; the others use the same).
fn chunk_map() -> *mut AtomicU8 {
    let map = CHUNK_MAP.load(Ordering::Acquire);
    if !map.is_null() {
        return map;
    }
    let fresh = map_or_die(crate::os::reserve(MAP_BYTES)).cast::<AtomicU8>();
    match CHUNK_MAP.compare_exchange(null_mut(), fresh, Ordering::AcqRel, Ordering::Acquire) {
        Ok(_) => fresh,
        Err(theirs) => {
            unsafe { crate::os::unmap(fresh.cast(), MAP_BYTES) };
            theirs
        }
    }
}

/// The chunk map's byte and bit for the MiB of `addr`.
fn map_slot(addr: usize) -> (usize, u8) {
    let mib = addr >> 20;
    (mib >> 3, 1 << (mib & 7))
}

/// Whether `addr` lies in a chunk (of any thread).
#[inline]
pub fn in_chunk(addr: usize) -> bool {
    if addr >> ADDRESS_BITS != 0 {
        return false;
    }
    let map = CHUNK_MAP.load(Ordering::Relaxed);
    if map.is_null() {
        return false;
    }
    let (byte, bit) = map_slot(addr);
    unsafe { (*map.add(byte)).load(Ordering::Relaxed) & bit != 0 }
}

/// Chunks are mapped in pairs of this many bytes (a huge page on x86-64
/// and AArch64 Linux).
const PAIR_BYTES: usize = 2 * CHUNK_BYTES;

/// The second chunk of the last pair mapped, not yet handed out (0 if
/// none), and whether that pair prefers huge pages.
static SPARE: Mutex<(usize, bool)> = Mutex::new((0, false));

/// Maps a new chunk, zeroed; its first page is its mark bitmap. With
/// `huge`, it is mapped preferring huge pages, unless the other chunk of
/// a pair mapped without is at hand.
pub fn map_chunk(huge: bool) -> *mut u8 {
    let start = if crate::os::PARTIAL_UNMAP {
        chunk_of_pair(huge)
    } else {
        map_or_die(crate::os::map_aligned(CHUNK_BYTES, CHUNK_BYTES)) as usize
    };
    if start >> ADDRESS_BITS != 0 {
        crate::output::fatal("heap address beyond the collector's map");
    }
    let (byte, bit) = map_slot(start);
    unsafe { (*chunk_map().add(byte)).fetch_or(bit, Ordering::Relaxed) };
    start as *mut u8
}

/// A chunk of a 2 MiB-aligned pair: the spare one if it is of the kind
/// asked for, else the first of a new pair (whose second becomes the
/// spare).
fn chunk_of_pair(huge: bool) -> usize {
    let mut spare = SPARE.lock().unwrap_or_else(|e| e.into_inner());
    match *spare {
        (chunk, was_huge) if chunk != 0 && was_huge == huge => std::mem::take(&mut *spare).0,
        _ => {
            let pair = map_or_die(crate::os::map_aligned(PAIR_BYTES, PAIR_BYTES));
            if huge {
                unsafe { crate::os::prefer_huge_pages(pair, PAIR_BYTES) };
            }
            let start = pair as usize;
            if spare.0 != 0 {
                // A spare of the other kind stays unused: rare (a heap
                // crossing the size where huge pages start) and small.
                unsafe { crate::os::unmap(spare.0 as *mut u8, CHUNK_BYTES) };
            }
            *spare = (start + CHUNK_BYTES, huge);
            start
        }
    }
}

/// Unmaps a chunk from [`map_chunk`].
///
/// # Safety
/// Nothing refers to its objects any more.
pub unsafe fn unmap_chunk(chunk: *mut u8) {
    let (byte, bit) = map_slot(chunk as usize);
    unsafe {
        (*chunk_map().add(byte)).fetch_and(!bit, Ordering::Relaxed);
        crate::os::unmap(chunk, CHUNK_BYTES);
    }
}

/// The bitmap word and bit of the granule at `addr` (in a chunk).
#[inline]
fn bit_of(addr: usize) -> (*mut u64, u64) {
    let chunk = addr & !(CHUNK_BYTES - 1);
    let granule = (addr - chunk) / GRANULE;
    ((chunk as *mut u64).wrapping_add(granule / 64), 1 << (granule % 64))
}

/// Whether the object at `addr` (in a chunk) is marked.
#[inline]
pub fn is_marked(addr: usize) -> bool {
    let (word, bit) = bit_of(addr);
    unsafe { *word & bit != 0 }
}

/// Marks the object at `addr` (in a chunk); returns whether it already was.
#[inline]
pub fn test_and_mark(addr: usize) -> bool {
    let (word, bit) = bit_of(addr);
    unsafe {
        let old = *word;
        *word = old | bit;
        old & bit != 0
    }
}

/// The address of the first marked object in `[from, to)` (addresses in
/// one chunk), read a bitmap word at a time.
pub fn next_marked(from: usize, to: usize) -> Option<usize> {
    let chunk = from & !(CHUNK_BYTES - 1);
    let words = chunk as *const u64;
    let (mut g, end) = ((from - chunk) / GRANULE, (to - chunk) / GRANULE);
    while g < end {
        let word = unsafe { *words.add(g / 64) } >> (g % 64);
        if word != 0 {
            let at = g + word.trailing_zeros() as usize;
            return (at < end).then_some(chunk + at * GRANULE);
        }
        g = (g / 64 + 1) * 64;
    }
    None
}

/// Clears the mark bitmap of `chunk`.
///
/// # Safety
/// `chunk` came from [`map_chunk`].
pub unsafe fn clear_marks(chunk: *mut u8) {
    unsafe { std::ptr::write_bytes(chunk, 0, PAGE_BYTES) };
}
