//! A precise, non-moving, generational mark-and-sweep heap — one per
//! thread (MODULES.md §6: no object is reachable from two threads, so a
//! thread collects its own heap and never stops the others).
//!
//! Small objects live in pages of equal-sized cells, one size class per
//! page. A thread allocates from the free list of one page per class,
//! whose head sits in its state ([`FreeLists`]) where compiled code pops
//! it inline; only when that list is empty does `tess_alloc` hand it the
//! next page. Large objects are allocated on their own.
//!
//! Generations without moving anything (C may hold a pointer): mark bits
//! are *sticky*. An object that survives a collection keeps its mark and
//! is old from then on. A young collection marks from the roots and the
//! remembered set — old objects written since the last collection, which
//! the write barrier logged — stops at every old object, and sweeps only
//! the pages allocated from since the last collection. A full collection
//! clears every mark first and sweeps everything; it runs when the old
//! generation has grown past its threshold. The heap knows nothing of
//! roots: its thread (`thread.rs`) marks them, then asks the heap to trace
//! and sweep.

use crate::gc_stats::Pauses;
use crate::object::*;
use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::mem::size_of;
use std::ptr::null_mut;
use std::sync::OnceLock;
use std::time::Instant;
use tess_abi::layout::thread::{size_class, GRANULE, SIZE_CLASSES};
use tess_abi::layout::{string, thread_object};

const PAGE_BYTES: usize = 16 * 1024;
/// Pages come from the system in chunks of this many bytes (mapped, so
/// already zero), not from `malloc`: the threads' heaps then share no
/// allocator arena.
const CHUNK_BYTES: usize = 1 << 20;
/// Bytes handed out between young collections (the nursery's size):
/// measured on binary_trees, 4 MiB promoted more of the trees being built
/// (0.71 s), 8 MiB took the peak over 48 MB, 6 MiB ran in 0.63 s in 45 MB.
const NURSERY_BYTES: usize = 6 << 20;
/// The old generation may grow to this many times what the last full
/// collection left (and at least `MIN_FULL_BYTES`) before the next one.
const FULL_GROWTH: usize = 2;
const MIN_FULL_BYTES: usize = 8 << 20;
/// In stress mode, every this many collections is a full one.
const STRESS_FULL_EVERY: u64 = 4;
/// What a freed cell is filled with in stress mode, so that a reference
/// the collector wrongly let go of faults on its next use.
const POISON: u64 = 0xdead_0000_dead_0000;

/// The free-list head of each small size class: the thread's state holds
/// them at `tess_abi::layout::thread::FREE_LISTS` for compiled code.
#[repr(C)]
pub struct FreeLists(pub [*mut Header; SIZE_CLASSES]);

impl Default for FreeLists {
    fn default() -> FreeLists {
        FreeLists([null_mut(); SIZE_CLASSES])
    }
}

/// A run of equal-sized cells. Its free cells are linked through their
/// headers; the list is the page's own until the page is handed to the
/// thread's [`FreeLists`], after which the next sweep rebuilds it.
struct Page {
    base: *mut u8,
    cell: usize,
    ncells: usize,
    free: *mut Header,
    nfree: usize,
    /// Whether it was handed out since the last collection (it is then in
    /// `Heap::young_pages`).
    young: bool,
}

/// Collector state; counts are in bytes.
pub struct Heap {
    /// Per size class: swept pages of that class with free cells, not
    /// handed out since.
    avail: [Vec<usize>; SIZE_CLASSES],
    /// Per size class: pages to sweep before their next use. Sweeping is
    /// lazy: a collection only marks, and a page is swept when the thread
    /// next needs one of its size — right before it allocates from it, so
    /// its cells are in the cache then.
    unswept: [Vec<usize>; SIZE_CLASSES],
    pages: Vec<Page>,
    /// The pages handed out since the last collection: a young collection
    /// sweeps only these.
    young_pages: Vec<usize>,
    /// The chunks pages are cut from, and the unused rest of the last.
    chunks: Vec<*mut u8>,
    chunk_rest: (*mut u8, usize),
    large: Vec<(*mut Header, usize)>,
    /// `large[young_large..]` were allocated since the last collection.
    young_large: usize,
    /// Old objects written since the last collection (each has `LOGGED`).
    remembered: Vec<*mut Obj>,
    mark_stack: Vec<*mut Obj>,
    /// Bytes of the small objects marked by the current collection.
    marked: usize,
    full: bool,
    since_gc: usize,
    old: usize,
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
    *STRESS.get_or_init(|| std::env::var_os("TESS_GC_STRESS").is_some_and(|v| v != "0"))
}

impl Default for Heap {
    fn default() -> Heap {
        Heap {
            avail: std::array::from_fn(|_| Vec::new()),
            unswept: std::array::from_fn(|_| Vec::new()),
            pages: Vec::new(),
            young_pages: Vec::new(),
            chunks: Vec::new(),
            chunk_rest: (null_mut(), 0),
            large: Vec::new(),
            young_large: 0,
            remembered: Vec::new(),
            mark_stack: Vec::new(),
            marked: 0,
            full: false,
            since_gc: 0,
            old: 0,
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
                dealloc(p.cast(), Layout::from_size_align_unchecked(size, GRANULE as usize));
            }
        }
    }
}

impl Heap {
    /// Whether the next allocation should collect first.
    pub fn wants_collection(&self) -> bool {
        self.stress || self.since_gc >= NURSERY_BYTES
    }

    /// Allocates `size` zeroed bytes (header included) for an object of
    /// `ty`; the caller collects first when [`Heap::wants_collection`].
    pub fn alloc(&mut self, free: &mut FreeLists, ty: *const TypeInfo, size: u64) -> *mut Obj {
        let p = match size_class(size) {
            Some(class) => self.alloc_small(free, class),
            None => self.alloc_large(size as usize),
        };
        unsafe { (*p).set(ty, 0) };
        p.cast()
    }

    fn alloc_small(&mut self, free: &mut FreeLists, class: usize) -> *mut Header {
        let cell = (class + 1) * GRANULE as usize;
        if free.0[class].is_null() {
            free.0[class] = self.hand_out(class);
        }
        let p = free.0[class];
        unsafe {
            free.0[class] = (*p).next_free();
            // Word stores: cells are small, and a `memset` call costs more
            // (LLVM turns a plain loop into one).
            let words = p.cast::<u64>();
            for i in 0..cell / 8 {
                words.add(i).write_volatile(0);
            }
        }
        if self.stress {
            // Every allocation must come here (and collect): compiled
            // code finds no list to pop. The rest of the list stays free
            // in a young page, which the next sweep relinks.
            free.0[class] = null_mut();
        }
        p
    }

    /// The free list of the next page of `class` with free cells (a new
    /// page when there is none), which the thread then owns.
    fn hand_out(&mut self, class: usize) -> *mut Header {
        let cell = (class + 1) * GRANULE as usize;
        let pi = loop {
            if let Some(pi) = self.unswept[class].pop() {
                if self.sweep_page(pi) > 0 {
                    break pi;
                }
                continue;
            }
            match self.avail[class].pop() {
                Some(pi) if self.pages[pi].nfree > 0 => break pi,
                Some(_) => {}
                None => break self.add_page(cell),
            }
        };
        let page = &mut self.pages[pi];
        let list = page.free;
        self.since_gc += page.nfree * cell;
        page.free = null_mut();
        page.nfree = 0;
        if !page.young {
            page.young = true;
            self.young_pages.push(pi);
        }
        list
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
        self.pages.push(Page { base, cell, ncells, free, nfree: ncells, young: false });
        self.footprint += PAGE_BYTES;
        self.peak_footprint = self.peak_footprint.max(self.footprint);
        self.pages.len() - 1
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
        let Ok(layout) = Layout::from_size_align(size, GRANULE as usize) else {
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
    /// has outgrown its threshold — taking back the thread's free lists;
    /// the thread then marks its roots with [`Heap::mark`] and calls
    /// [`Heap::finish`].
    pub fn begin(&mut self, free: &mut FreeLists, full: bool) {
        self.started = Some(Instant::now());
        self.collections += 1;
        self.full = full
            || self.old >= self.full_threshold
            || (self.stress && self.collections.is_multiple_of(STRESS_FULL_EVERY));
        *free = FreeLists::default();
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
    /// among the old objects too.
    fn unmark_all(&mut self) {
        for page in &self.pages {
            for i in 0..page.ncells {
                let header = unsafe { &*page.base.add(i * page.cell).cast::<Header>() };
                let bits = header.flags();
                if bits & FREE == 0 && bits & MARK != 0 {
                    header.set_flags(bits & !MARK);
                }
            }
        }
        for &(p, _) in &self.large {
            let header = unsafe { &*p };
            header.set_flags(header.flags() & !MARK);
        }
    }

    /// Traces from the marked roots and the remembered set, then sweeps.
    pub fn finish(&mut self) {
        for o in std::mem::take(&mut self.remembered) {
            unsafe { self.trace(o) };
        }
        self.marked = 0;
        self.drain();
        if self.full {
            self.sweep_full();
        } else {
            self.sweep_young();
        }
        self.since_gc = 0;
        self.peak_old = self.peak_old.max(self.old);
        let pause = self.started.take().map_or(0, |s| s.elapsed().as_nanos() as u64);
        if self.full {
            self.full_threshold = (self.old * FULL_GROWTH).max(MIN_FULL_BYTES);
            self.full_pauses.record(pause);
        } else {
            self.young_pauses.record(pause);
        }
    }

    /// Marks a root or a traced reference (null, static and old objects
    /// are ignored) — later: it is queued, and its header read only when
    /// [`Heap::drain`] reaches it.
    ///
    /// # Safety
    /// `o` is null or an object of this heap or a static one.
    pub unsafe fn mark(&mut self, o: *mut Obj) {
        if !o.is_null() {
            self.mark_stack.push(o);
        }
    }

    /// Marks and traces everything reachable from the queued references.
    /// Reading a header is the cost of marking (a cache miss per object),
    /// so references pass through a small FIFO between the stack and
    /// their marking, each prefetched as it enters: by the time one is
    /// marked its header has arrived.
    fn drain(&mut self) {
        const AHEAD: usize = 16;
        let mut ring = [null_mut::<Obj>(); AHEAD];
        let (mut head, mut len) = (0, 0);
        loop {
            while len < AHEAD {
                let Some(o) = self.mark_stack.pop() else { break };
                prefetch(o);
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
            let bits = header.flags();
            if bits & (MARK | STATIC) == 0 {
                header.set_flags(bits | MARK);
                self.marked += unsafe { self.trace(o) };
            }
        }
    }

    /// Marks what `o` refers to; returns the bytes of its cell when it is
    /// a small object (large ones are counted by their sweep).
    unsafe fn trace(&mut self, o: *mut Obj) -> usize {
        unsafe {
            let ty = &*(*o).header.ty();
            let bytes = match ty.kind {
                Kind::Object => ty.size as usize,
                Kind::String => string::BYTES as usize + (*o.cast::<Str>()).len as usize + 1,
                Kind::ValueArray | Kind::RefArray => {
                    let a = &*o.cast::<Array>();
                    let inline = if a.data == crate::array_buffer::inline_data(o.cast()) { a.cap as usize } else { 0 };
                    size_of::<Array>() + 8 * inline
                }
                Kind::Map => size_of::<crate::map_table::MapObj>(),
                Kind::Thread => thread_object::SIZE as usize,
            };
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
            size_class(bytes as u64).map_or(0, |c| (c + 1) * GRANULE as usize)
        }
    }

    /// After a young collection: the pages allocated from since the last
    /// one are to be swept (what survived in them is old from now on), and
    /// the large objects made since are swept now.
    fn sweep_young(&mut self) {
        for pi in std::mem::take(&mut self.young_pages) {
            let page = &mut self.pages[pi];
            page.young = false;
            self.unswept[page.cell / GRANULE as usize - 1].push(pi);
        }
        let from = self.young_large;
        self.old += self.marked + self.sweep_large(from);
        self.young_large = self.large.len();
    }

    /// After a full collection: every page is to be swept, and every large
    /// object is swept now. The old generation is what the marking reached.
    fn sweep_full(&mut self) {
        for list in self.avail.iter_mut().chain(&mut self.unswept) {
            list.clear();
        }
        self.young_pages.clear();
        for (pi, page) in self.pages.iter_mut().enumerate() {
            page.young = false;
            self.unswept[page.cell / GRANULE as usize - 1].push(pi);
        }
        self.old = self.marked + self.sweep_large(0);
        self.young_large = self.large.len();
    }

    /// Frees the unmarked cells of a page and relinks its free list;
    /// returns how many cells are free.
    fn sweep_page(&mut self, pi: usize) -> usize {
        let stress = self.stress;
        let page = &mut self.pages[pi];
        let (mut free, mut nfree) = (null_mut(), 0);
        for i in (0..page.ncells).rev() {
            let c = unsafe { page.base.add(i * page.cell) }.cast::<Header>();
            let bits = unsafe { &*c }.flags();
            if bits & MARK != 0 {
                continue;
            }
            if bits & FREE == 0 {
                unsafe { finalize(c) };
                if stress {
                    let words = c.cast::<u64>();
                    for w in 1..page.cell / 8 {
                        unsafe { words.add(w).write(POISON) };
                    }
                }
            }
            unsafe { (*c).set(free as *const TypeInfo, FREE) };
            free = c;
            nfree += 1;
        }
        page.free = free;
        page.nfree = nfree;
        nfree
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
                unsafe {
                    finalize(p);
                    dealloc(p.cast(), Layout::from_size_align_unchecked(size, GRANULE as usize));
                }
                self.footprint -= size;
                self.large.swap_remove(i);
            }
        }
        live
    }

    /// One line for `TESS_GC_STATS=1`, printed at exit.
    pub fn stats(&self) -> String {
        format!(
            "gc: {} collections ({} young, {} full), heap {} KiB (peak {} KiB), old generation {} KiB (peak {} KiB); pauses young {}, full {}",
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
