//! A precise, non-moving mark-and-sweep heap — one per thread
//! (MODULES.md §6: no object is reachable from two threads, so a thread
//! collects its own heap and never stops the others).
//!
//! Small objects live in pages of equal-sized cells (one size class per
//! page, free cells on a per-class free list); large ones are allocated on
//! their own. The heap knows nothing of roots: its thread (`thread.rs`)
//! marks them — the shadow stack, the pending exception, the thread's
//! blocks of module variables, its handles — then asks the heap to trace
//! and sweep.

use crate::object::*;
use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::ptr::null_mut;
use std::sync::OnceLock;

const GRANULE: usize = 8;
const MAX_SMALL: usize = 512;
const NCLASSES: usize = MAX_SMALL / GRANULE;
const PAGE_BYTES: usize = 16 * 1024;
/// Pages come from the system in chunks of this many bytes (mapped, so
/// already zero), not from `malloc`: the threads' heaps then share no
/// allocator arena.
const CHUNK_BYTES: usize = 1 << 20;
const MIN_THRESHOLD: usize = 4 << 20;

/// A run of equal-sized cells with its own free list. A page that is all
/// free and has not been allocated from since the last sweep is skipped by
/// the next sweep, so collections cost what the live pages hold.
struct Page {
    base: *mut u8,
    cell: usize,
    ncells: usize,
    free: *mut Header,
    nfree: usize,
    touched: bool,
}

/// Collector state; counts are in bytes.
pub struct Heap {
    /// Per size class: the pages of that class that have free cells.
    avail: [Vec<usize>; NCLASSES],
    pages: Vec<Page>,
    /// The chunks pages are cut from, and the unused rest of the last.
    chunks: Vec<*mut u8>,
    chunk_rest: (*mut u8, usize),
    large: Vec<(*mut Header, usize)>,
    mark_stack: Vec<*mut Obj>,
    since_gc: usize,
    threshold: usize,
    live: usize,
    footprint: usize,
    peak_footprint: usize,
    peak_live: usize,
    collections: u64,
    stress: bool,
}

/// Whether `TESS_GC_STRESS=1`: every allocation collects.
fn stress() -> bool {
    static STRESS: OnceLock<bool> = OnceLock::new();
    *STRESS.get_or_init(|| std::env::var_os("TESS_GC_STRESS").is_some_and(|v| v != "0"))
}

impl Default for Heap {
    fn default() -> Heap {
        let stress = stress();
        Heap {
            avail: std::array::from_fn(|_| Vec::new()),
            pages: Vec::new(),
            chunks: Vec::new(),
            chunk_rest: (null_mut(), 0),
            large: Vec::new(),
            mark_stack: Vec::new(),
            since_gc: 0,
            threshold: if stress { 0 } else { MIN_THRESHOLD },
            live: 0,
            footprint: 0,
            peak_footprint: 0,
            peak_live: 0,
            collections: 0,
            stress,
        }
    }
}

impl Drop for Heap {
    /// A thread's heap dies with it: nothing outside the thread can reach
    /// its objects.
    fn drop(&mut self) {
        for page in &self.pages {
            for i in 0..page.ncells {
                let c = unsafe { page.base.add(i * page.cell) }.cast::<Header>();
                if unsafe { &*c }.flags() & FREE == 0 {
                    unsafe { finalize(c) };
                }
            }
        }
        for &chunk in &self.chunks {
            unsafe { libc::munmap(chunk.cast(), CHUNK_BYTES) };
        }
        for &(p, size) in &self.large {
            unsafe {
                finalize(p);
                dealloc(p.cast(), Layout::from_size_align_unchecked(size, GRANULE));
            }
        }
    }
}

impl Heap {
    /// Whether the next allocation should collect first.
    pub fn wants_collection(&self) -> bool {
        self.since_gc >= self.threshold
    }

    /// Allocates `size` zeroed bytes (header included) for an object of
    /// `ty`; the caller collects first when [`Heap::wants_collection`].
    pub fn alloc(&mut self, ty: *const TypeInfo, size: u64) -> *mut Obj {
        let size = (size as usize).max(GRANULE);
        let p = if size <= MAX_SMALL { self.alloc_small(size) } else { self.alloc_large(size) };
        unsafe { (*p).set(ty, 0) };
        p.cast()
    }

    fn alloc_small(&mut self, size: usize) -> *mut Header {
        let class = size.div_ceil(GRANULE) - 1;
        let cell = (class + 1) * GRANULE;
        let pi = loop {
            match self.avail[class].last() {
                Some(&pi) if self.pages[pi].nfree > 0 => break pi,
                Some(_) => {
                    self.avail[class].pop();
                }
                None => break self.add_page(cell),
            }
        };
        let page = &mut self.pages[pi];
        let p = page.free;
        unsafe {
            page.free = (*p).ty() as *mut Header;
            // Word stores: cells are small, and a `memset` call costs more
            // (LLVM turns a plain loop into one: 6% of binary_trees).
            let words = p.cast::<u64>();
            for i in 0..cell / 8 {
                words.add(i).write_volatile(0);
            }
        }
        page.nfree -= 1;
        page.touched = true;
        self.since_gc += cell;
        p
    }

    fn add_page(&mut self, cell: usize) -> usize {
        let base = self.fresh_page();
        let ncells = PAGE_BYTES / cell;
        let mut free = null_mut();
        for i in (0..ncells).rev() {
            let c = unsafe { base.add(i * cell) }.cast::<Header>();
            unsafe { (*c).set(free as *const TypeInfo, FREE) };
            free = c;
        }
        self.pages.push(Page { base, cell, ncells, free, nfree: ncells, touched: false });
        self.footprint += PAGE_BYTES;
        self.peak_footprint = self.peak_footprint.max(self.footprint);
        let pi = self.pages.len() - 1;
        self.avail[cell / GRANULE - 1].push(pi);
        pi
    }

    /// A zeroed page from the current chunk, mapping a new chunk when it
    /// is used up.
    fn fresh_page(&mut self) -> *mut u8 {
        if self.chunk_rest.1 < PAGE_BYTES {
            let chunk = unsafe {
                libc::mmap(
                    null_mut(),
                    CHUNK_BYTES,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                )
            };
            if chunk == libc::MAP_FAILED {
                crate::output::fatal("out of memory");
            }
            self.chunks.push(chunk.cast());
            self.chunk_rest = (chunk.cast(), CHUNK_BYTES);
        }
        let (base, left) = self.chunk_rest;
        self.chunk_rest = (unsafe { base.add(PAGE_BYTES) }, left - PAGE_BYTES);
        base
    }

    fn alloc_large(&mut self, size: usize) -> *mut Header {
        let Ok(layout) = Layout::from_size_align(size, GRANULE) else {
            crate::output::fatal("object too large");
        };
        let p = unsafe { alloc_zeroed(layout) }.cast::<Header>();
        if p.is_null() {
            crate::output::fatal("out of memory");
        }
        self.large.push((p, size));
        self.since_gc += size;
        self.footprint += size;
        self.peak_footprint = self.peak_footprint.max(self.footprint);
        p
    }

    /// Starts a collection; the thread then marks its roots with
    /// [`Heap::mark`] and calls [`Heap::finish`].
    pub fn begin(&mut self) {
        self.collections += 1;
    }

    /// Traces from the marked roots, then sweeps pages and large objects.
    pub fn finish(&mut self) {
        while let Some(o) = self.mark_stack.pop() {
            unsafe { self.trace(o) };
        }
        self.live = 0;
        self.sweep();
        self.since_gc = 0;
        self.threshold = if self.stress { 0 } else { self.live.max(MIN_THRESHOLD) };
        self.peak_live = self.peak_live.max(self.live);
    }

    /// Marks a root (null and static objects are ignored).
    ///
    /// # Safety
    /// `o` is null or an object of this heap or a static one.
    pub unsafe fn mark(&mut self, o: *mut Obj) {
        if o.is_null() {
            return;
        }
        let header = unsafe { &(*o).header };
        let bits = header.flags();
        if bits & (MARK | STATIC) != 0 {
            return;
        }
        header.set_flags(bits | MARK);
        self.mark_stack.push(o);
    }

    unsafe fn trace(&mut self, o: *mut Obj) {
        unsafe {
            let ty = &*(*o).header.ty();
            match ty.kind {
                Kind::Object => {
                    for i in 0..ty.nrefs as usize {
                        let off = *ty.refs.add(i) as usize;
                        self.mark(*o.cast::<u8>().add(off).cast::<*mut Obj>());
                    }
                }
                Kind::RefArray => {
                    let a = &*o.cast::<Array>();
                    for i in 0..a.len as usize {
                        self.mark(*a.data.add(i) as *mut Obj);
                    }
                }
                Kind::Map => {
                    let t = &*(*o.cast::<crate::map_table::MapObj>()).table;
                    for i in 0..t.keys.len() {
                        if t.live[i] {
                            if t.keys_are_strings() {
                                self.mark(t.keys[i] as *mut Obj);
                            }
                            if t.vals_are_refs {
                                self.mark(t.vals[i] as *mut Obj);
                            }
                        }
                    }
                }
                Kind::String | Kind::ValueArray | Kind::Thread => {}
            }
        }
    }

    fn sweep(&mut self) {
        for list in &mut self.avail {
            list.clear();
        }
        for pi in 0..self.pages.len() {
            let page = &mut self.pages[pi];
            let class = page.cell / GRANULE - 1;
            if !page.touched && page.nfree == page.ncells {
                self.avail[class].push(pi);
                continue;
            }
            let (mut free, mut nfree) = (null_mut(), 0);
            for i in (0..page.ncells).rev() {
                let c = unsafe { page.base.add(i * page.cell) }.cast::<Header>();
                let header = unsafe { &*c };
                let bits = header.flags();
                if bits & MARK != 0 {
                    header.set_flags(bits & !MARK);
                    self.live += page.cell;
                    continue;
                }
                if bits & FREE == 0 {
                    unsafe { finalize(c) };
                }
                header.set(free as *const TypeInfo, FREE);
                free = c;
                nfree += 1;
            }
            page.free = free;
            page.nfree = nfree;
            page.touched = false;
            if nfree > 0 {
                self.avail[class].push(pi);
            }
        }
        let mut i = 0;
        while i < self.large.len() {
            let (p, size) = self.large[i];
            let header = unsafe { &*p };
            let bits = header.flags();
            if bits & MARK != 0 {
                header.set_flags(bits & !MARK);
                self.live += size;
                i += 1;
            } else {
                unsafe {
                    finalize(p);
                    dealloc(p.cast(), Layout::from_size_align_unchecked(size, GRANULE));
                }
                self.footprint -= size;
                self.large.swap_remove(i);
            }
        }
    }

    /// One line for `TESS_GC_STATS=1`, printed at exit.
    pub fn stats(&self) -> String {
        format!(
            "gc: {} collections, heap {} KiB (peak {} KiB), live after last collection {} KiB (peak {} KiB)",
            self.collections,
            self.footprint / 1024,
            self.peak_footprint / 1024,
            self.live / 1024,
            self.peak_live / 1024
        )
    }
}

/// Releases what an object owns outside the heap (array buffers, map tables).
unsafe fn finalize(c: *mut Header) {
    unsafe {
        match (*(*c).ty()).kind {
            Kind::ValueArray | Kind::RefArray => crate::array_buffer::free_buffer(c.cast()),
            Kind::Map => crate::map_table::free_table(c.cast()),
            Kind::Thread => crate::joinable::release(c.cast()),
            Kind::Object | Kind::String => {}
        }
    }
}
