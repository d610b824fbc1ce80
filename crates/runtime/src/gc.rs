//! A precise, non-moving mark-and-sweep collector.
//!
//! Small objects live in pages of equal-sized cells (one size class per
//! page, free cells on a per-class free list); large ones are allocated on
//! their own. Roots are found exactly: the shadow stack that compiled code
//! maintains (PyPy's shadowstack: every live reference of a frame sits in a
//! slot between `tess_ss_base` and `tess_ss_top`), the static roots that
//! each module registers at init, and the pending exception.
//!
//! The heap is process-wide and single-threaded until threads arrive
//! (MODULES.md §6); all access goes through [`heap`].

use crate::object::*;
use std::alloc::{alloc_zeroed, dealloc, Layout};
use std::ptr::null_mut;

const GRANULE: usize = 8;
const MAX_SMALL: usize = 512;
const NCLASSES: usize = MAX_SMALL / GRANULE;
const PAGE_BYTES: usize = 16 * 1024;
const MIN_THRESHOLD: usize = 4 << 20;
const SHADOW_SLOTS: usize = 8 << 20;

/// Top of the shadow stack: compiled code bumps it on entry and restores it
/// on exit; the slots below it are roots.
#[no_mangle]
pub static mut tess_ss_top: *mut *mut Obj = null_mut();
static mut SS_BASE: *mut *mut Obj = null_mut();

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
    large: Vec<(*mut Header, usize)>,
    static_roots: Vec<(*mut *mut Obj, usize)>,
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

static mut HEAP: Option<Heap> = None;

/// The one heap of the process (created by [`init`]).
#[allow(static_mut_refs)]
pub fn heap() -> &'static mut Heap {
    unsafe {
        HEAP.get_or_insert_with(|| {
            let stress = std::env::var_os("TESS_GC_STRESS").is_some_and(|v| v != "0");
            Heap {
                avail: std::array::from_fn(|_| Vec::new()),
                pages: Vec::new(),
                large: Vec::new(),
                static_roots: Vec::new(),
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
        })
    }
}

/// Sets up the shadow stack; idempotent.
pub fn init() {
    unsafe {
        if SS_BASE.is_null() {
            let layout = Layout::array::<*mut Obj>(SHADOW_SLOTS).expect("shadow stack layout");
            SS_BASE = alloc_zeroed(layout).cast();
            if SS_BASE.is_null() {
                crate::output::fatal("cannot allocate the shadow stack");
            }
            tess_ss_top = SS_BASE;
        }
    }
    heap();
}

/// Allocates `size` zeroed bytes (header included) for an object of `ty`.
#[no_mangle]
pub unsafe extern "C" fn tess_alloc(ty: *const TypeInfo, size: u64) -> *mut Obj {
    let h = heap();
    let size = (size as usize).max(GRANULE);
    // In stress mode the threshold stays 0: every allocation collects.
    if h.since_gc >= h.threshold {
        h.collect();
    }
    let p = if size <= MAX_SMALL { h.alloc_small(size) } else { h.alloc_large(size) };
    unsafe { (*p).set(ty, 0) };
    p.cast()
}

/// Keeps `n` reference slots starting at `slots` alive for the whole run:
/// modules register their reference-typed variables here at init.
#[no_mangle]
pub unsafe extern "C" fn tess_gc_add_roots(slots: *mut *mut Obj, n: u64) {
    heap().static_roots.push((slots, n as usize));
}

/// Runs a collection now (used by tests and the `TESS_GC_STRESS` mode).
#[no_mangle]
pub extern "C" fn tess_gc_collect() {
    heap().collect();
}

/// Pushes a reference onto the shadow stack so the runtime's own
/// temporaries survive allocations; pair with [`pop_root`].
pub unsafe fn push_root(p: *mut Obj) {
    unsafe {
        *tess_ss_top = p;
        tess_ss_top = tess_ss_top.add(1);
    }
}

pub unsafe fn pop_root(n: usize) {
    unsafe {
        tess_ss_top = tess_ss_top.sub(n);
    }
}

impl Heap {
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
            // Word stores: cells are small, a `memset` call costs more.
            let words = p.cast::<u64>();
            for i in 0..cell / 8 {
                *words.add(i) = 0;
            }
        }
        page.nfree -= 1;
        page.touched = true;
        self.since_gc += cell;
        p
    }

    fn add_page(&mut self, cell: usize) -> usize {
        let layout = Layout::from_size_align(PAGE_BYTES, 4096).expect("page layout");
        let base = unsafe { alloc_zeroed(layout) };
        if base.is_null() {
            crate::output::fatal("out of memory");
        }
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

    /// Marks from every root, then sweeps pages and large objects.
    pub fn collect(&mut self) {
        self.collections += 1;
        unsafe {
            let mut slot = SS_BASE;
            while slot < tess_ss_top {
                self.mark(*slot);
                slot = slot.add(1);
            }
            for i in 0..self.static_roots.len() {
                let (base, n) = self.static_roots[i];
                for j in 0..n {
                    self.mark(*base.add(j));
                }
            }
            self.mark(crate::pending::pending());
            for o in crate::handles::roots() {
                self.mark(o);
            }
            while let Some(o) = self.mark_stack.pop() {
                self.trace(o);
            }
        }
        self.live = 0;
        self.sweep();
        self.since_gc = 0;
        self.threshold = if self.stress { 0 } else { self.live.max(MIN_THRESHOLD) };
        self.peak_live = self.peak_live.max(self.live);
    }

    unsafe fn mark(&mut self, o: *mut Obj) {
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
                Kind::String | Kind::ValueArray => {}
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
            Kind::Object | Kind::String => {}
        }
    }
}
