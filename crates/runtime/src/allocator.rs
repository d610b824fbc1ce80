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

/// How long mimalloc keeps freed pages of a running program before it
/// gives them back to the system, in milliseconds. Programs that drop and
/// build large strings and arrays (bench/oo/json: a 400 KB document written
/// per iteration) fault the same pages in again when they are purged at
/// once: 50 ms ran json in 0.86x the time for 5% more peak memory; a
/// second bought nothing more and kept 15% more.
const PROGRAM_PURGE_DELAY_MS: std::ffi::c_long = 50;

/// Sets mimalloc's options for a running program; called first at
/// start-up, before the runtime allocates (options read at mimalloc's
/// initialisation, such as huge pages, take effect only then).
pub fn configure_for_program() {
    set_options(PROGRAM_PURGE_DELAY_MS);
}

/// Sets mimalloc's options for the compiler: freed pages go back to the
/// system at once, as each phase of a build frees most of what the one
/// before allocated (mimalloc 3 keeps them for a second: every phase's
/// peak added up — bench/compile, 334 MiB against 222 MiB purging at once).
pub fn configure_for_compiler() {
    set_options(0);
}

/// Without transparent huge pages in both: a 2 MiB page faulted in for a
/// few small allocations added 6 MiB to binary_trees' peak.
fn set_options(purge_delay_ms: std::ffi::c_long) {
    // SAFETY: sets options' values; mimalloc reads options as it runs.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, purge_delay_ms);
        libmimalloc_sys::mi_option_set(ALLOW_THP, 0);
    }
}
