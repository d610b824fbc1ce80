//! The allocator of everything the runtime allocates outside the heap
//! (array buffers, map tables, its own bookkeeping), and of `tess`, which
//! links the runtime: mimalloc. Array buffers and map tables are allocated
//! and freed by the million as programs grow and drop collections; with
//! glibc's malloc, consolidating and unlinking free chunks took a fifth of
//! bench/oo/json's time, and mimalloc's per-thread free lists fit a
//! runtime whose threads never share objects.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` and `mi_option_allow_thp` of mimalloc 3's
/// `mimalloc.h`, which `libmimalloc-sys` does not name.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
const ALLOW_THP: libmimalloc_sys::mi_option_t = 43;

/// Sets mimalloc's options; called first at start-up, before most
/// allocations. Freed pages go back to the system at once (mimalloc 3
/// keeps them for a second: each phase of a `tess` build added its peak to
/// the next one's — bench/compile, 334 MiB against 222 MiB purging at
/// once), and without transparent huge pages (a 2 MiB page faulted in for
/// a few small allocations added 6 MiB to binary_trees' peak).
pub fn configure() {
    // SAFETY: sets options' values; mimalloc reads options as it runs.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
        libmimalloc_sys::mi_option_set(ALLOW_THP, 0);
    }
}
