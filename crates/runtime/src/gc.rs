//! A precise, non-moving, generational mark-and-sweep heap — one per
//! thread (MODULES.md §6: no object is reachable from two threads, so a
//! thread collects its own heap and never stops the others).
//!
//! Small objects live in pages of equal-sized cells, one size class per
//! page, in chunks whose mark bitmaps say which cells hold marked objects
//! (`gc_chunks.rs`). A thread allocates by bumping a pointer through a
//! *run* of free cells of one page per class — the cursor and limit sit
//! in its state ([`Runs`]), where compiled code bumps them inline; only
//! when a run is used up does `tess_alloc` find the next one, reading the
//! bitmap, not the cells. There is no sweep: a cell is free when its bit
//! is clear, and the objects that own memory outside the heap (array
//! buffers, map tables, threads) are on a list the collector finalizes
//! from; the bytes they own count toward the triggers as cells do. Large
//! objects are allocated on their own.
//!
//! Generations without moving anything (C may hold a pointer): marks are
//! *sticky*. An object that survives a collection stays marked, in the
//! bitmap and in its header, and is old from then on. A young collection
//! marks from the roots and the remembered set — old objects written since
//! the last collection, which the write barrier logged — and stops at
//! every marked object; afterwards the pages allocated from since the last
//! collection are searched for runs again. A full collection clears the
//! bitmaps first (headers keep their marks: what it finds live stays old);
//! it runs when the old generation has grown past its threshold, or when
//! the heap would grow by more than a margin over what the last one left
//! while the old generation has grown as much (dead old objects then
//! likely hold the pages the heap would add). The heap
//! knows nothing of roots: its thread (`thread.rs`) marks them, then asks
//! the heap to trace.

use crate::gc_chunks::{self, CHUNK_BYTES, PAGE_BYTES};
use crate::gc_stats::Pauses;
use crate::map_table::MapObj;
use crate::object::*;
use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::mem::size_of;
use std::ptr::null_mut;
use std::sync::OnceLock;
use std::time::Instant;
use tess_abi::layout::thread::{cell_bytes, size_class, GRANULE, SIZE_CLASSES};
use tess_abi::layout::{string, thread_object, type_info};

/// Bytes handed out between young collections (the nursery's size):
/// measured on binary_trees, 4 MiB promoted more of the trees being built
/// (0.71 s), 8 MiB took the peak over 48 MB, 6 MiB ran in 0.63 s in 45 MB.
const NURSERY_BYTES: usize = 6 << 20;
/// The old generation may grow to this many times what the last full
/// collection left (and at least `MIN_FULL_BYTES`) before the next one.
const FULL_GROWTH: usize = 2;
const MIN_FULL_BYTES: usize = 8 << 20;
/// The heap's memory may grow to this percentage of what the last full
/// collection left, plus a nursery (or stay at what it holds, if more),
/// before growing further collects fully first — once the old generation
/// has grown by the same percentage (and half a nursery), so that a heap
/// whose growth is all live is not collected at every page. The old
/// generation's threshold alone lets a large live set that dies
/// (binary_trees' stretch tree, a finished phase's data) keep its pages
/// while the next one is built beside them. binary_trees' peak heap, at
/// depth 18, 19 and 20: 43, 93 and 199 MiB with the threshold alone; 38,
/// 56 and 109 MiB with this at 140%, for 2%, 13% and 9% more time (more
/// full collections of a large live set). At 130% depth 19 peaked higher;
/// at 150% depth 18 was 39 MiB.
const FOOTPRINT_GROWTH_PERCENT: usize = 140;
/// A heap holding this many bytes maps its next chunks preferring huge
/// pages (`gc_chunks.rs`): below it, a program stays as small as it was
/// (bench/oo's programs peak at 11–13 MiB; huge pages from the start
/// added 1–2 MiB to their peaks).
const HUGE_PAGES_FROM: usize = 8 << 20;
/// When the runs handed out since the last collection averaged fewer bytes
/// than this, the next collection is a full one: the free cells between
/// old objects are too few for bump allocation to pay, because objects
/// promoted by earlier young collections, dead since, are strewn over the
/// pages (bench/oo/collision: its immutable vectors live across a
/// collection and die soon after; without this, after 40 young collections
/// its runs were a few cells long and `tess_alloc` took 14% of its time).
const MIN_MEAN_RUN_BYTES: usize = 1024;
/// Short runs (`MIN_MEAN_RUN_BYTES`) make the next collection full only
/// once the old generation has grown by this many bytes since the last
/// full one: what a full collection can free is what was promoted since,
/// and when the objects strewn over the pages are live, it frees nothing
/// (bench/alloc keeps every tenth string: 34 of its 36 collections were
/// full ones, none making its runs longer).
const MIN_FRAGMENTING_GROWTH: usize = NURSERY_BYTES / 4;
/// In stress mode, every this many collections is a full one.
const STRESS_FULL_EVERY: u64 = 4;
/// What free cells are filled with in stress mode when they are handed
/// out, so that a reference the collector wrongly let go of faults on its
/// next use.
const POISON: u64 = 0xdead_0000_dead_0000;

/// The run of free cells each small size class allocates from: cursor
/// and limit. The thread's state holds them at
/// `tess_abi::layout::thread::RUNS` for compiled code.
#[repr(C)]
pub struct Runs(pub [(*mut u8, *mut u8); SIZE_CLASSES]);

impl Default for Runs {
    fn default() -> Runs {
        Runs([(null_mut(), null_mut()); SIZE_CLASSES])
    }
}

impl Runs {
    /// Whether size class `class`'s run has a free cell.
    #[inline]
    pub fn has_room(&self, class: usize) -> bool {
        let (cursor, limit) = self.0[class];
        // An empty run (both null at first) has no room, nor one whose
        // cursor compiled code moved past the limit before calling
        // `tess_alloc` (`docs/abi.md`, allocation).
        (cursor as usize).wrapping_add(cell_bytes(class) as usize) <= limit as usize
    }

    /// The next cell of size class `class`'s run, zeroed (the caller
    /// checked [`Runs::has_room`]): what compiled code does inline, and
    /// the runtime's own allocations too.
    #[inline]
    pub fn bump(&mut self, class: usize) -> *mut Header {
        let cell = cell_bytes(class) as usize;
        let p = self.0[class].0;
        // Word stores: cells are small, and a `memset` call costs more
        // (LLVM turns a plain loop into one).
        let words = p.cast::<u64>();
        for i in 0..cell / 8 {
            unsafe { words.add(i).write_volatile(0) };
        }
        self.0[class].0 = unsafe { p.add(cell) };
        p.cast()
    }
}

/// A page of equal-sized cells.
struct Page {
    base: *mut u8,
    class: usize,
    /// The next cell to look at for a run.
    scan: usize,
    /// Whether it was allocated from since the last collection (it is
    /// then in `Heap::young_pages`).
    young: bool,
    /// Whether its memory was given back to the system (it is empty, and
    /// is zero again when next touched).
    released: bool,
}

impl Page {
    /// The next run of free cells from `scan` on, as cell indices: its
    /// first unmarked cell, up to the next marked one (marks are only ever
    /// set on a cell's first granule).
    fn next_run(&mut self) -> Option<(usize, usize)> {
        let (base, cell) = (self.base as usize, cell_bytes(self.class) as usize);
        let ncells = PAGE_BYTES / cell;
        let start = (self.scan..ncells).find(|&k| !gc_chunks::is_marked(base + k * cell));
        let Some(start) = start else {
            self.scan = ncells;
            return None;
        };
        let end = gc_chunks::next_marked(base + start * cell + GRANULE as usize, base + ncells * cell)
            .map_or(ncells, |addr| (addr - base) / cell);
        self.scan = end;
        Some((start, end))
    }
}

/// Collector state; counts are in bytes.
pub struct Heap {
    pages: Vec<Page>,
    /// Per size class: the page runs come from now.
    current: [Option<usize>; SIZE_CLASSES],
    /// Per size class: pages that may have free cells, not yet searched
    /// since the last collection.
    candidates: [Vec<usize>; SIZE_CLASSES],
    /// The pages allocated from since the last collection.
    young_pages: Vec<usize>,
    /// The chunks pages are cut from, and the unused rest of the last.
    chunks: Vec<*mut u8>,
    chunk_rest: (*mut u8, usize),
    large: Vec<(*mut Header, usize)>,
    /// `large[young_large..]` were allocated since the last collection.
    young_large: usize,
    /// Objects that own memory outside the heap, to finalize when they
    /// die; `finalizable[young_finalizable..]` are young.
    finalizable: Vec<*mut Obj>,
    young_finalizable: usize,
    /// Old objects written since the last collection (each has `LOGGED`).
    remembered: Vec<*mut Obj>,
    mark_stack: Vec<*mut Obj>,
    /// Bytes of the small objects marked by the current collection, with
    /// what they own outside the heap ([`owned_bytes`]).
    marked: usize,
    full: bool,
    /// Whether the heap grew past `footprint_limit`: the next allocation
    /// collects, fully.
    full_wanted: bool,
    footprint_limit: usize,
    /// What the old generation must have grown to before growing past
    /// `footprint_limit` collects fully.
    old_limit: usize,
    since_gc: usize,
    /// Runs handed out since the last collection.
    runs_since_gc: usize,
    old: usize,
    /// What the last full collection left of the old generation.
    old_after_full: usize,
    full_threshold: usize,
    footprint: usize,
    peak_footprint: usize,
    peak_old: usize,
    collections: u64,
    started: Option<Instant>,
    young_pauses: Pauses,
    full_pauses: Pauses,
    stress: bool,
}

/// Whether `TESS_GC_STRESS=1`: every allocation collects.
fn stress() -> bool {
    static STRESS: OnceLock<bool> = OnceLock::new();
    *STRESS.get_or_init(|| env_flag("TESS_GC_STRESS"))
}

/// Whether `TESS_GC_STATS=1`: every heap reports ([`Heap::stats`]) when
/// its thread ends.
pub fn stats_wanted() -> bool {
    static WANTED: OnceLock<bool> = OnceLock::new();
    *WANTED.get_or_init(|| env_flag("TESS_GC_STATS"))
}

/// Whether the environment variable `name` is set to anything but `0`.
fn env_flag(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| v != "0")
}

impl Default for Heap {
    fn default() -> Heap {
        Heap {
            pages: Vec::new(),
            current: [None; SIZE_CLASSES],
            candidates: std::array::from_fn(|_| Vec::new()),
            young_pages: Vec::new(),
            chunks: Vec::new(),
            chunk_rest: (null_mut(), 0),
            large: Vec::new(),
            young_large: 0,
            finalizable: Vec::new(),
            young_finalizable: 0,
            remembered: Vec::new(),
            mark_stack: Vec::new(),
            marked: 0,
            full: false,
            full_wanted: false,
            footprint_limit: usize::MAX,
            old_limit: 0,
            since_gc: 0,
            runs_since_gc: 0,
            old: 0,
            old_after_full: 0,
            full_threshold: MIN_FULL_BYTES,
            footprint: 0,
            peak_footprint: 0,
            peak_old: 0,
            collections: 0,
            started: None,
            young_pauses: Pauses::default(),
            full_pauses: Pauses::default(),
            stress: stress(),
        }
    }
}

impl Drop for Heap {
    /// A thread's heap dies with it: nothing outside the thread can reach
    /// its objects.
    fn drop(&mut self) {
        for &o in &self.finalizable {
            unsafe { finalize(o) };
        }
        for &chunk in &self.chunks {
            unsafe { gc_chunks::unmap_chunk(chunk) };
        }
        for &(p, size) in &self.large {
            unsafe { dealloc(p.cast(), Layout::from_size_align_unchecked(size, GRANULE as usize)) };
        }
    }
}

impl Heap {
    /// Whether the next allocation should collect first.
    pub fn wants_collection(&self) -> bool {
        self.stress || self.since_gc >= NURSERY_BYTES || self.full_wanted
    }

    /// Allocates `size` zeroed bytes (header included) for an object of
    /// `ty`; the caller collects first when [`Heap::wants_collection`].
    pub fn alloc(&mut self, runs: &mut Runs, ty: *const TypeInfo, size: u64) -> *mut Obj {
        let p = match size_class(size) {
            Some(class) => self.alloc_small(runs, class),
            None => self.alloc_large(size as usize),
        };
        unsafe { (*p).set(ty, 0) };
        p.cast()
    }

    fn alloc_small(&mut self, runs: &mut Runs, class: usize) -> *mut Header {
        if !runs.has_room(class) {
            runs.0[class] = self.next_run(class);
        }
        let p = runs.bump(class);
        if self.stress {
            // Every allocation must come here (and collect): compiled
            // code finds no room in the run.
            runs.0[class].1 = runs.0[class].0;
        }
        p
    }

    /// The next run of free cells of `class`: in the current page, else in
    /// the next candidate page, else in a new page.
    fn next_run(&mut self, class: usize) -> (*mut u8, *mut u8) {
        let cell = cell_bytes(class) as usize;
        loop {
            let pi = match self.current[class] {
                Some(pi) => pi,
                None => {
                    let pi = self.candidates[class].pop().unwrap_or_else(|| self.add_page(class));
                    self.current[class] = Some(pi);
                    pi
                }
            };
            let page = &mut self.pages[pi];
            let Some((start, end)) = page.next_run() else {
                self.current[class] = None;
                continue;
            };
            let was_released = std::mem::replace(&mut page.released, false);
            if !page.young {
                page.young = true;
                self.young_pages.push(pi);
            }
            let (from, to) = unsafe { (page.base.add(start * cell), page.base.add(end * cell)) };
            if was_released {
                self.grow_footprint(PAGE_BYTES);
            }
            self.since_gc += to as usize - from as usize;
            self.runs_since_gc += 1;
            if self.stress {
                let words = from.cast::<u64>();
                for w in 0..(to as usize - from as usize) / 8 {
                    unsafe { words.add(w).write(POISON) };
                }
            }
            return (from, to);
        }
    }

    fn add_page(&mut self, class: usize) -> usize {
        let base = self.fresh_page();
        self.pages.push(Page { base, class, scan: 0, young: false, released: false });
        self.grow_footprint(PAGE_BYTES);
        self.pages.len() - 1
    }

    /// Counts `bytes` more of memory the heap holds, and its peak; past
    /// the footprint limit, asks for a full collection.
    fn grow_footprint(&mut self, bytes: usize) {
        self.footprint += bytes;
        if self.footprint > self.footprint_limit && self.old >= self.old_limit {
            self.full_wanted = true;
        }
        self.peak_footprint = self.peak_footprint.max(self.footprint);
    }

    /// A zeroed page from the current chunk, mapping a new chunk (whose
    /// first page is its bitmap) when it is used up.
    fn fresh_page(&mut self) -> *mut u8 {
        if self.chunk_rest.1 < PAGE_BYTES {
            let chunk = gc_chunks::map_chunk(self.footprint >= HUGE_PAGES_FROM);
            self.chunks.push(chunk);
            self.chunk_rest = (unsafe { chunk.add(PAGE_BYTES) }, CHUNK_BYTES - PAGE_BYTES);
            self.grow_footprint(PAGE_BYTES);
        }
        let (base, left) = self.chunk_rest;
        self.chunk_rest = (unsafe { base.add(PAGE_BYTES) }, left - PAGE_BYTES);
        base
    }

    fn alloc_large(&mut self, size: usize) -> *mut Header {
        let Ok(layout) = Layout::from_size_align(size, GRANULE as usize) else {
            crate::output::fatal("object too large");
        };
        let p = unsafe { alloc_zeroed(layout) }.cast::<Header>();
        if p.is_null() {
            crate::output::fatal("out of memory");
        }
        self.large.push((p, size));
        self.since_gc += size;
        self.grow_footprint(size);
        p
    }

    /// Records that `o` owns memory outside the heap, to release when it
    /// dies (an array's buffer, a map's table, a thread).
    pub fn finalize_when_dead(&mut self, o: *mut Obj) {
        self.finalizable.push(o);
    }

    /// Records that what `o` owns outside the heap went from `from` to `to`
    /// bytes (a new or grown array buffer, a map table that grew or was
    /// compacted): growth brings the next collection nearer as cells do,
    /// and counts as old when `o` is, so that dropping large arrays cannot
    /// outrun the collector.
    pub fn owned_changed(&mut self, o: *mut Obj, from: usize, to: usize) {
        let old = Self::is_marked(o);
        if to >= from {
            let grew = to - from;
            self.since_gc += grew;
            self.grow_footprint(grew);
            if old {
                self.old += grew;
            }
        } else {
            let shrank = from - to;
            self.footprint -= shrank;
            if old {
                self.old = self.old.saturating_sub(shrank);
            }
        }
    }

    /// Records that old object `o` was written (the write barrier's slow
    /// path): the next young collection traces it as a root.
    ///
    /// # Safety
    /// `o` is an object of this heap whose flags, masked by
    /// `MARK | LOGGED`, are `NEEDS_BARRIER`.
    pub unsafe fn remember(&mut self, o: *mut Obj) {
        let header = unsafe { &(*o).header };
        header.set_flags(header.flags() | LOGGED);
        self.remembered.push(o);
    }

    /// Starts a collection — full when `full` or when the old generation
    /// has outgrown its threshold — taking back the thread's runs; the
    /// thread then marks its roots with [`Heap::mark`] and calls
    /// [`Heap::finish`].
    pub fn begin(&mut self, runs: &mut Runs, full: bool) {
        self.started = Some(Instant::now());
        self.collections += 1;
        self.full = full
            || self.full_wanted
            || self.old >= self.full_threshold
            || (self.since_gc < MIN_MEAN_RUN_BYTES * self.runs_since_gc
                && self.old >= self.old_after_full + MIN_FRAGMENTING_GROWTH)
            || (self.stress && self.collections.is_multiple_of(STRESS_FULL_EVERY));
        *runs = Runs::default();
        self.current = [None; SIZE_CLASSES];
        for &o in &self.remembered {
            let header = unsafe { &(*o).header };
            header.set_flags(header.flags() & !LOGGED);
        }
        if self.full {
            self.remembered.clear();
            self.unmark_all();
        }
    }

    /// Clears every mark, so that a full collection finds what is live
    /// among the old objects too: the bitmaps (a small object's header
    /// keeps its mark — the collection decides by the bitmap, the live
    /// stay old, and a dead one's cell gets a new header when reused) and
    /// the large objects' headers.
    fn unmark_all(&mut self) {
        for &chunk in &self.chunks {
            unsafe { gc_chunks::clear_marks(chunk) };
        }
        for &(p, _) in &self.large {
            let header = unsafe { &*p };
            header.set_flags(header.flags() & !MARK);
        }
    }

    /// Traces from the marked roots and the remembered set, then frees
    /// what died: runs will be found in the pages allocated from since
    /// the last collection (in a full one, in every page).
    pub fn finish(&mut self) {
        for o in std::mem::take(&mut self.remembered) {
            unsafe { self.trace(o) };
        }
        self.marked = 0;
        self.drain();
        self.finalize_dead();
        let from = if self.full { 0 } else { self.young_large };
        let large = self.sweep_large(from);
        if self.full {
            self.old = self.marked + large;
            self.old_after_full = self.old;
            for list in &mut self.candidates {
                list.clear();
            }
            self.young_pages.clear();
            for pi in 0..self.pages.len() {
                self.requeue(pi);
            }
        } else {
            self.old += self.marked + large;
            for pi in std::mem::take(&mut self.young_pages) {
                self.requeue(pi);
            }
        }
        self.young_large = self.large.len();
        self.since_gc = 0;
        self.runs_since_gc = 0;
        self.peak_old = self.peak_old.max(self.old);
        let pause = self.started.take().map_or(0, |s| s.elapsed().as_nanos() as u64);
        if self.full {
            self.full_threshold = (self.old * FULL_GROWTH).max(MIN_FULL_BYTES);
            self.release_empty_pages();
            self.full_wanted = false;
            self.footprint_limit = (self.old * FOOTPRINT_GROWTH_PERCENT / 100 + NURSERY_BYTES).max(self.footprint);
            self.old_limit = (self.old * FOOTPRINT_GROWTH_PERCENT / 100).max(self.old + NURSERY_BYTES / 2);
            self.full_pauses.record(pause);
        } else {
            self.young_pauses.record(pause);
        }
    }

    /// After a full collection: gives back to the system the empty pages
    /// beyond twice what the heap may fill before the next full collection
    /// (its threshold and a nursery), so a program whose live data shrank
    /// shrinks too, while one whose live data only varies keeps its pages
    /// and does not fault them in again (binary_trees' old generation
    /// swings between 22 and 37 MiB: releasing at once the pages above
    /// the threshold doubled its system time).
    fn release_empty_pages(&mut self) {
        let mut released = 0;
        let mut empty = Vec::new();
        for (pi, page) in self.pages.iter().enumerate() {
            let base = page.base as usize;
            if page.released {
                released += 1;
            } else if gc_chunks::next_marked(base, base + PAGE_BYTES).is_none() {
                empty.push(pi);
            }
        }
        let in_use = (self.pages.len() - released - empty.len()) * PAGE_BYTES;
        let keep = 2 * (self.full_threshold + NURSERY_BYTES);
        let kept_empty = keep.saturating_sub(in_use) / PAGE_BYTES;
        for &pi in empty.iter().skip(kept_empty) {
            let page = &mut self.pages[pi];
            unsafe { crate::os::discard(page.base, PAGE_BYTES) };
            page.released = true;
            self.footprint -= PAGE_BYTES;
        }
    }

    /// Makes page `pi` a candidate for runs again, searched from its start.
    fn requeue(&mut self, pi: usize) {
        let page = &mut self.pages[pi];
        page.young = false;
        page.scan = 0;
        self.candidates[page.class].push(pi);
    }

    /// Marks a root or a traced reference (null, static and already
    /// marked objects are ignored) — later: it is queued, and looked at
    /// only when [`Heap::drain`] reaches it.
    ///
    /// # Safety
    /// `o` is null or an object of this heap or a static one.
    pub unsafe fn mark(&mut self, o: *mut Obj) {
        if !o.is_null() {
            self.mark_stack.push(o);
        }
    }

    /// Marks and traces everything reachable from the queued references.
    /// A small object's mark is in its chunk's bitmap, so an old one is
    /// passed over without reading it; the others' headers are read, so
    /// references pass through a small FIFO between the stack and their
    /// marking, each prefetched as it enters.
    fn drain(&mut self) {
        // 64 entries: the loads in flight cover a memory latency on this
        // kind of machine (bench/binary_trees' pauses, with two prefetches
        // per reference: 123 ms with 32, 108.5 with 64, 108 with 128; with
        // one, 148 ms with 16); a power of two, for the index arithmetic.
        const AHEAD: usize = 64;
        let mut ring = [null_mut::<Obj>(); AHEAD];
        let (mut head, mut len) = (0, 0);
        loop {
            while len < AHEAD {
                let Some(o) = self.mark_stack.pop() else { break };
                // The header's line, and the next one when a 24-byte
                // object's last field is there (a quarter of them
                // straddle two lines): bench/binary_trees' pauses 118 ->
                // 109 ms.
                prefetch(o);
                prefetch(o.wrapping_byte_add(16));
                ring[(head + len) % AHEAD] = o;
                len += 1;
            }
            if len == 0 {
                return;
            }
            let o = ring[head];
            head = (head + 1) % AHEAD;
            len -= 1;
            let header = unsafe { &(*o).header };
            if gc_chunks::in_chunk(o as usize) {
                if gc_chunks::test_and_mark(o as usize) {
                    continue;
                }
                let bits = header.flags();
                if bits & MARK == 0 {
                    header.set_flags(bits | MARK);
                }
            } else {
                let bits = header.flags();
                if bits & (MARK | STATIC) != 0 {
                    continue;
                }
                header.set_flags(bits | MARK);
            }
            self.marked += unsafe { self.trace(o) };
        }
    }

    /// Whether `o` is marked.
    fn is_marked(o: *mut Obj) -> bool {
        if gc_chunks::in_chunk(o as usize) {
            gc_chunks::is_marked(o as usize)
        } else {
            unsafe { &(*o).header }.flags() & MARK != 0
        }
    }

    /// Marks what `o` refers to; returns the bytes of its cell when it is
    /// a small object (large ones are counted by their sweep) plus what it
    /// owns outside the heap. Inlined into the marking loop: a call per
    /// object cost bench/binary_trees 5% of its pause time.
    #[inline(always)]
    unsafe fn trace(&mut self, o: *mut Obj) -> usize {
        unsafe {
            let ty = &*(*o).header.ty();
            let (bytes, owned) = match ty.kind {
                Kind::Object => (ty.size as usize, 0),
                Kind::String => (string::BYTES as usize + (*o.cast::<Str>()).len as usize + 1, 0),
                Kind::ValueArray | Kind::RefArray => {
                    // The elements are in the cell unless they own a buffer.
                    let owned = crate::array_buffer::owned_bytes(o.cast());
                    (size_of::<Array>() + 8 * (*o.cast::<Array>()).cap as usize - owned, owned)
                }
                Kind::Map => (size_of::<MapObj>(), (*(*o.cast::<MapObj>()).table).owned_bytes()),
                Kind::Thread => (thread_object::SIZE as usize, 0),
                // A value of `Any`: a box whose header names its type.
                Kind::Value => (ty.size as usize, 0),
            };
            each_reference(o, ty, |r| self.mark(r));
            size_class(bytes as u64).map_or(0, |c| cell_bytes(c) as usize) + owned
        }
    }

    /// Finalizes the objects on the finalizable list (its young part, in a
    /// young collection) that were not marked.
    fn finalize_dead(&mut self) {
        let from = if self.full { 0 } else { self.young_finalizable };
        let mut i = from;
        while i < self.finalizable.len() {
            let o = self.finalizable[i];
            if Self::is_marked(o) {
                i += 1;
            } else {
                self.footprint -= unsafe { owned_bytes(o) };
                unsafe { finalize(o) };
                self.finalizable.swap_remove(i);
            }
        }
        self.young_finalizable = self.finalizable.len();
    }

    /// Frees the unmarked large objects from `large[from..]`; returns the
    /// bytes of those that survive.
    fn sweep_large(&mut self, from: usize) -> usize {
        let mut live = 0;
        let mut i = from;
        while i < self.large.len() {
            let (p, size) = self.large[i];
            if unsafe { &*p }.flags() & MARK != 0 {
                live += size;
                i += 1;
            } else {
                unsafe { dealloc(p.cast(), Layout::from_size_align_unchecked(size, GRANULE as usize)) };
                self.footprint -= size;
                self.large.swap_remove(i);
            }
        }
        live
    }

    /// One line for `TESS_GC_STATS=1`, printed when the heap's thread
    /// ends (the main thread's at exit); `who` follows "gc" to say whose.
    pub fn stats(&self, who: &str) -> String {
        format!(
            "gc{who}: {} collections ({} young, {} full), heap {} KiB (peak {} KiB), old generation {} KiB (peak {} KiB); pauses young {}, full {}",
            self.collections,
            self.young_pauses.count(),
            self.full_pauses.count(),
            self.footprint / 1024,
            self.peak_footprint / 1024,
            self.old / 1024,
            self.peak_old / 1024,
            self.young_pauses,
            self.full_pauses,
        )
    }
}

/// For reference entry `entry` of `o`'s type info (`type_info::refs`): the
/// type descriptor `o` holds for the field's type parameter, when the
/// field's type is one (a generic class's field, a closure's capture).
///
/// # Safety
/// `o` is a live object whose type info has `entry`.
#[inline(always)]
pub unsafe fn param_descriptor(o: *mut Obj, entry: u64) -> Option<*const TypeInfo> {
    let param = entry >> type_info::REF_PARAM_SHIFT;
    (param != 0).then(|| {
        let at = tess_abi::layout::object::field_offset(param as u32 - 1) as usize;
        unsafe { *o.cast::<u8>().add(at).cast::<*const TypeInfo>() }
    })
}

/// Calls `f` with every reference `o` holds, as the collector traces them
/// (null ones included): what a collection marks, and what `lib.unload()`
/// follows to find who still refers to a library (`holders.rs`).
///
/// # Safety
/// `o` is a live object and `ty` its type info (which the caller has
/// read already: the collector's hottest path reads it once).
#[inline(always)]
pub unsafe fn each_reference(o: *mut Obj, ty: &TypeInfo, mut f: impl FnMut(*mut Obj)) {
    unsafe {
        match ty.kind {
            Kind::Object => {
                for i in 0..ty.nrefs as usize {
                    let entry = *ty.refs.add(i);
                    // A generic class's field of a type parameter's type:
                    // a reference only as its descriptor says.
                    if param_descriptor(o, entry).is_some_and(|desc| (*desc).kind == Kind::Value) {
                        continue;
                    }
                    let off = (entry & type_info::REF_OFFSET_MASK) as usize;
                    f(*o.cast::<u8>().add(off).cast::<*mut Obj>());
                }
            }
            Kind::RefArray => {
                let a = &*o.cast::<Array>();
                for i in 0..a.len as usize {
                    f(*a.data.add(i) as *mut Obj);
                }
            }
            Kind::Map => {
                let t = &*(*o.cast::<MapObj>()).table;
                for i in 0..t.keys.len() {
                    if t.live[i] {
                        if t.keys_are_refs() {
                            f(t.keys[i] as *mut Obj);
                        }
                        if t.vals_are_refs {
                            f(t.vals[i] as *mut Obj);
                        }
                    }
                }
            }
            Kind::String | Kind::ValueArray | Kind::Thread | Kind::Value => {}
        }
    }
}

/// Asks the processor to start loading `o`'s header into the cache.
#[inline(always)]
fn prefetch(o: *mut Obj) {
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(o.cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = o;
}

/// The bytes `o` owns outside the heap: an array's separate buffer, a
/// map's table (what [`Heap::owned_changed`] was told of).
///
/// # Safety
/// `o` is a live object of a heap.
unsafe fn owned_bytes(o: *mut Obj) -> usize {
    unsafe {
        match (*(*o).header.ty()).kind {
            Kind::ValueArray | Kind::RefArray => crate::array_buffer::owned_bytes(o.cast()),
            Kind::Map => (*(*o.cast::<MapObj>()).table).owned_bytes(),
            Kind::Object | Kind::String | Kind::Thread | Kind::Value => 0,
        }
    }
}

/// Releases what an object owns outside the heap (array buffers, map
/// tables, a thread).
unsafe fn finalize(o: *mut Obj) {
    unsafe {
        match (*(*o).header.ty()).kind {
            Kind::ValueArray | Kind::RefArray => crate::array_buffer::free_buffer(o.cast()),
            Kind::Map => crate::map_table::free_table(o.cast()),
            Kind::Thread => crate::joinable::release(o.cast()),
            Kind::Value => {}
            Kind::Object | Kind::String => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compiled code moves a run's cursor before it tests the limit, so
    /// `tess_alloc` may find the cursor past the limit: that run has no
    /// room (the cursor must not wrap around to a huge free run).
    #[test]
    fn a_run_whose_cursor_passed_its_limit_has_no_room() {
        let class = size_class(24).unwrap();
        let cell = cell_bytes(class) as usize;
        let mut page = [0u64; 16];
        let base = page.as_mut_ptr().cast::<u8>();
        let mut runs = Runs::default();
        assert!(!runs.has_room(class), "an empty run");
        runs.0[class] = (base, unsafe { base.add(2 * cell) });
        assert!(runs.has_room(class));
        runs.bump(class);
        assert!(runs.has_room(class), "one cell left");
        runs.bump(class);
        assert!(!runs.has_room(class), "used up");
        runs.0[class].0 = unsafe { base.add(3 * cell) };
        assert!(!runs.has_room(class), "cursor past the limit");
    }
}
