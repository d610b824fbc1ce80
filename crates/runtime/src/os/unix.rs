//! Linux (and any POSIX system): `mmap`, pthreads, `dlopen`, signals.

use super::ThreadBody;
use std::ffi::{c_void, CStr, CString};
use std::ptr::null_mut;

/// `bytes` of zeroed, readable and writable anonymous memory, with `flags`
/// added to `mmap`'s; null when the system has none.
fn map_anonymous(bytes: usize, flags: libc::c_int) -> *mut u8 {
    let p = unsafe {
        libc::mmap(
            null_mut(),
            bytes,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | flags,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        null_mut()
    } else {
        p.cast()
    }
}

/// `bytes` of zeroed, readable and writable memory, counted against the
/// system's memory when mapped (so running out is a null here, not a
/// fault later); null when the system has none.
pub fn map(bytes: usize) -> *mut u8 {
    map_anonymous(bytes, 0)
}

/// `bytes` of zeroed, readable and writable address space for sparse use
/// (the chunk map, shadow stacks), counted against memory only as it is
/// touched (`MAP_NORESERVE`); null when the system has none.
pub fn reserve(bytes: usize) -> *mut u8 {
    map_anonymous(bytes, libc::MAP_NORESERVE)
}

/// `bytes` of memory like [`map`]'s, aligned to `align` (a power of two);
/// null when the system has none.
pub fn map_aligned(bytes: usize, align: usize) -> *mut u8 {
    // Larger by the alignment, then the unaligned ends unmapped.
    let raw = map(bytes + align) as usize;
    if raw == 0 {
        return null_mut();
    }
    let start = (raw + align - 1) & !(align - 1);
    unsafe {
        if start > raw {
            libc::munmap(raw as *mut c_void, start - raw);
        }
        let end = raw + bytes + align;
        if end > start + bytes {
            libc::munmap((start + bytes) as *mut c_void, end - start - bytes);
        }
    }
    start as *mut u8
}

/// Returns memory from [`map`], [`reserve`] or [`map_aligned`] to the
/// system.
///
/// # Safety
/// Nothing uses `[p, p + bytes)` any more.
pub unsafe fn unmap(p: *mut u8, bytes: usize) {
    unsafe { libc::munmap(p.cast(), bytes) };
}

/// Makes `[p, p + bytes)` fault when touched (a guard).
///
/// # Safety
/// The range is mapped and page-aligned.
pub unsafe fn guard(p: *mut u8, bytes: usize) {
    unsafe { libc::mprotect(p.cast(), bytes, libc::PROT_NONE) };
}

/// Gives the pages of `[p, p + bytes)` back to the system; they read as
/// zeros when next touched.
///
/// # Safety
/// The range is mapped, page-aligned, and its contents no longer needed.
pub unsafe fn discard(p: *mut u8, bytes: usize) {
    unsafe { libc::madvise(p.cast(), bytes, libc::MADV_DONTNEED) };
}

/// [`unmap`] may return part of a mapping (`munmap` splits it).
pub const PARTIAL_UNMAP: bool = true;

/// Asks the system to back `[p, p + bytes)` with huge pages where it
/// can (transparent huge pages, when set to `madvise`): fewer TLB misses
/// for memory that is walked at random.
///
/// # Safety
/// The range is mapped and aligned to a huge page.
pub unsafe fn prefer_huge_pages(p: *mut u8, bytes: usize) {
    unsafe { libc::madvise(p.cast(), bytes, libc::MADV_HUGEPAGE) };
}

/// A mutex of POSIX threads: tools that check threaded programs
/// (valgrind's helgrind, DRD) understand them, not `std`'s futexes.
pub struct RawLock(std::cell::UnsafeCell<libc::pthread_mutex_t>);

impl RawLock {
    pub const fn new() -> RawLock {
        RawLock(std::cell::UnsafeCell::new(libc::PTHREAD_MUTEX_INITIALIZER))
    }

    pub fn lock(&self) {
        unsafe { libc::pthread_mutex_lock(self.0.get()) };
    }

    /// Whether it was free (and is now held).
    pub fn try_lock(&self) -> bool {
        unsafe { libc::pthread_mutex_trylock(self.0.get()) == 0 }
    }

    pub fn unlock(&self) {
        unsafe { libc::pthread_mutex_unlock(self.0.get()) };
    }
}

/// Starts a thread with a native stack of `stack_bytes` running `body`;
/// its handle for [`join`] or [`detach`], or why it could not start.
pub fn spawn(stack_bytes: usize, body: ThreadBody) -> Result<u64, String> {
    extern "C" fn run(body: *mut c_void) -> *mut c_void {
        let body = unsafe { Box::from_raw(body.cast::<ThreadBody>()) };
        body() as *mut c_void
    }
    let body = Box::into_raw(Box::new(body));
    let mut thread: libc::pthread_t = 0;
    let status = unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        libc::pthread_attr_init(&mut attr);
        libc::pthread_attr_setstacksize(&mut attr, stack_bytes);
        let status = libc::pthread_create(&mut thread, &attr, run, body.cast());
        libc::pthread_attr_destroy(&mut attr);
        status
    };
    if status != 0 {
        drop(unsafe { Box::from_raw(body) });
        return Err(std::io::Error::from_raw_os_error(status).to_string());
    }
    Ok(thread as u64)
}

/// Waits for the thread of `handle` to end; what its body returned.
pub fn join(handle: u64) -> Option<usize> {
    let mut result: *mut c_void = null_mut();
    let status = unsafe { libc::pthread_join(handle as libc::pthread_t, &mut result) };
    (status == 0).then_some(result as usize)
}

/// Lets the thread of `handle` run on unjoined; its end is ignored.
pub fn detach(handle: u64) {
    unsafe { libc::pthread_detach(handle as libc::pthread_t) };
}

/// Whether `path` names a file rather than a library for the dynamic
/// loader to search for.
pub fn names_a_file(path: &str) -> bool {
    path.contains('/')
}

/// Opens the shared library at `path` (searched for by the dynamic loader
/// unless it [`names_a_file`]), its symbols visible to libraries loaded
/// later; its handle, or the loader's message.
pub fn open_library(path: &str) -> Result<usize, String> {
    let path = CString::new(path).map_err(|_| "the path contains a NUL byte".to_string())?;
    let handle = unsafe { libc::dlopen(path.as_ptr(), libc::RTLD_NOW | libc::RTLD_GLOBAL) };
    if handle.is_null() {
        return Err(unsafe { CStr::from_ptr(libc::dlerror()) }.to_string_lossy().into_owned());
    }
    Ok(handle as usize)
}

/// The symbol a library loaded by [`open_library`] defines as `name`.
pub fn library_symbol(handle: usize, name: &CStr) -> *const u8 {
    unsafe { libc::dlsym(handle as *mut c_void, name.as_ptr()) }.cast()
}

/// Closes a library from [`open_library`].
pub fn close_library(handle: usize) {
    unsafe { libc::dlclose(handle as *mut c_void) };
}

/// The symbol the dynamic loader names when a library needs one that no
/// loaded object defines, from its message.
pub fn missing_symbol(message: &str) -> Option<&str> {
    message.split("undefined symbol: ").nth(1).map(|s| s.split_whitespace().next().unwrap_or(s))
}

/// The address range `[lo, hi)` of the loaded segments of the shared
/// object (or executable) holding address `p`, if any.
pub fn image_of(p: *const u8) -> Option<(usize, usize)> {
    /// `dl_iterate_phdr`'s callback: the range of the object loaded at the
    /// base in `data`, from its `PT_LOAD` segments.
    unsafe extern "C" fn segments(info: *mut libc::dl_phdr_info, _size: usize, data: *mut c_void) -> libc::c_int {
        let (base, range) = unsafe { &mut *data.cast::<(usize, Option<(usize, usize)>)>() };
        let info = unsafe { &*info };
        let headers = unsafe { std::slice::from_raw_parts(info.dlpi_phdr, usize::from(info.dlpi_phnum)) };
        let loads = || headers.iter().filter(|h| h.p_type == libc::PT_LOAD);
        let (Some(lo), Some(hi)) = (loads().map(|h| h.p_vaddr).min(), loads().map(|h| h.p_vaddr + h.p_memsz).max())
        else {
            return 0;
        };
        let addr = info.dlpi_addr as usize;
        if addr + lo as usize != *base && addr != *base {
            return 0;
        }
        *range = Some((addr + lo as usize, addr + hi as usize));
        1
    }
    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    if unsafe { libc::dladdr(p.cast(), &mut info) } == 0 {
        return None;
    }
    let mut found = (info.dli_fbase as usize, None);
    unsafe { libc::dl_iterate_phdr(Some(segments), (&raw mut found).cast()) };
    found.1
}

/// Why the bytes of a file cannot be a loadable shared library, if they
/// cannot: checked before the dynamic loader, which trusts the file.
pub fn check_shared_library(bytes: &[u8]) -> Result<(), String> {
    crate::elf_check::check_shared_library(bytes)
}

/// Writes `bytes` to standard output (descriptor 1) at once, without
/// locks or allocation (the fatal-fault path).
pub fn write_raw(fd: i32, bytes: &[u8]) {
    unsafe { libc::write(fd, bytes.as_ptr().cast(), bytes.len()) };
}

/// Ends the process abnormally (SIGABRT: status 134 in a shell).
pub fn abort() -> ! {
    std::process::abort()
}

/// Ends the process at once with `status`, running nothing more.
pub fn exit_now(status: i32) -> ! {
    unsafe { libc::_exit(status) }
}

/// Calls `on_fault` when the program touches memory it may not (a stack
/// overflow above all), on any thread; `on_fault` ends the process.
pub fn on_faults(on_fault: extern "C" fn()) {
    static HANDLER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    extern "C" fn handle(_sig: libc::c_int) {
        let f = HANDLER.load(std::sync::atomic::Ordering::Relaxed);
        let f: extern "C" fn() = unsafe { std::mem::transmute(f) };
        f();
    }
    HANDLER.store(on_fault as usize, std::sync::atomic::Ordering::Relaxed);
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = handle as *const () as usize;
        action.sa_flags = libc::SA_ONSTACK;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGSEGV, &action, null_mut());
        libc::sigaction(libc::SIGBUS, &action, null_mut());
    }
}

/// The bytes of an alternate signal stack, where the fault handler runs
/// when the thread's own stack is exhausted.
const ALT_STACK_BYTES: usize = 64 * 1024;

/// Memory for a fault stack; null when none could be had (a fault then
/// ends the process bare).
pub fn new_fault_stack() -> *mut u8 {
    map(ALT_STACK_BYTES)
}

/// Makes `stack` (from [`new_fault_stack`]) the calling thread's fault
/// stack.
pub fn use_fault_stack(stack: *mut u8) {
    if !stack.is_null() {
        let ss = libc::stack_t { ss_sp: stack.cast(), ss_flags: 0, ss_size: ALT_STACK_BYTES };
        unsafe { libc::sigaltstack(&ss, null_mut()) };
    }
}

/// Takes the calling thread's fault stack away (its memory stays, for
/// another thread or [`free_fault_stack`]).
pub fn stop_fault_stack() {
    let ss = libc::stack_t { ss_sp: null_mut(), ss_flags: libc::SS_DISABLE, ss_size: 0 };
    unsafe { libc::sigaltstack(&ss, null_mut()) };
}

/// Frees a fault stack no thread uses.
///
/// # Safety
/// `stack` came from [`new_fault_stack`] and no thread uses it.
pub unsafe fn free_fault_stack(stack: *mut u8) {
    if !stack.is_null() {
        unsafe { unmap(stack, ALT_STACK_BYTES) };
    }
}
