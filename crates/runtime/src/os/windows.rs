//! Windows through MinGW-w64: `VirtualAlloc`, `std` threads, slim
//! reader/writer locks, `LoadLibrary`, a vectored exception handler.

use super::ThreadBody;
use std::ffi::c_void;
use std::ptr::null_mut;
use windows_sys::Win32::Foundation::{FreeLibrary, EXCEPTION_ACCESS_VIOLATION, EXCEPTION_STACK_OVERFLOW, HMODULE};
use windows_sys::Win32::Storage::FileSystem::WriteFile;
use windows_sys::Win32::System::Console::{GetStdHandle, STD_ERROR_HANDLE, STD_OUTPUT_HANDLE};
use windows_sys::Win32::System::Diagnostics::Debug::{AddVectoredExceptionHandler, EXCEPTION_POINTERS};
use windows_sys::Win32::System::LibraryLoader::{
    GetModuleHandleExW, GetProcAddress, LoadLibraryW, GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS,
    GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
};
use windows_sys::Win32::System::Memory::{
    VirtualAlloc, VirtualFree, VirtualProtect, MEM_COMMIT, MEM_DECOMMIT, MEM_RELEASE, MEM_RESERVE, PAGE_NOACCESS,
    PAGE_READWRITE,
};
use windows_sys::Win32::System::Threading::{
    AcquireSRWLockExclusive, ReleaseSRWLockExclusive, SetThreadStackGuarantee, TryAcquireSRWLockExclusive, SRWLOCK,
    SRWLOCK_INIT,
};

/// `bytes` of zeroed, readable and writable memory (committed: the system
/// gives a page physical memory only when it is first touched); null when
/// the system has none.
pub fn map(bytes: usize) -> *mut u8 {
    unsafe { VirtualAlloc(null_mut(), bytes, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE) }.cast()
}

/// `bytes` of address space for sparse use: as [`map`]'s, since committed
/// memory is backed only once touched here.
pub fn reserve(bytes: usize) -> *mut u8 {
    map(bytes)
}

/// `bytes` of memory like [`map`]'s, aligned to `align` (a power of two);
/// null when the system has none. A reservation cannot be trimmed, so an
/// aligned address inside a larger one is found, the larger one released
/// and the aligned range taken; another thread may take it first, so this
/// tries again.
pub fn map_aligned(bytes: usize, align: usize) -> *mut u8 {
    for _ in 0..16 {
        let raw = unsafe { VirtualAlloc(null_mut(), bytes + align, MEM_RESERVE, PAGE_NOACCESS) } as usize;
        if raw == 0 {
            return null_mut();
        }
        unsafe { VirtualFree(raw as *mut c_void, 0, MEM_RELEASE) };
        let start = (raw + align - 1) & !(align - 1);
        let p = unsafe { VirtualAlloc(start as *mut c_void, bytes, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE) };
        if !p.is_null() {
            return p.cast();
        }
    }
    null_mut()
}

/// Returns memory from [`map`], [`reserve`] or [`map_aligned`] to the
/// system.
///
/// # Safety
/// Nothing uses `[p, p + bytes)` any more; `p` is where it was mapped.
pub unsafe fn unmap(p: *mut u8, _bytes: usize) {
    unsafe { VirtualFree(p.cast(), 0, MEM_RELEASE) };
}

/// Makes `[p, p + bytes)` fault when touched (a guard).
///
/// # Safety
/// The range is mapped and page-aligned.
pub unsafe fn guard(p: *mut u8, bytes: usize) {
    let mut old = 0;
    unsafe { VirtualProtect(p.cast(), bytes, PAGE_NOACCESS, &mut old) };
}

/// Gives the pages of `[p, p + bytes)` back to the system; they read as
/// zeros when next touched (decommitted, then committed again: the
/// system backs them only when touched).
///
/// # Safety
/// The range is mapped, page-aligned, and its contents no longer needed.
pub unsafe fn discard(p: *mut u8, bytes: usize) {
    unsafe {
        VirtualFree(p.cast(), bytes, MEM_DECOMMIT);
        VirtualAlloc(p.cast(), bytes, MEM_COMMIT, PAGE_READWRITE);
    }
}

/// [`unmap`] returns a whole reservation (`VirtualFree` with
/// `MEM_RELEASE` takes only the address it was reserved at): memory to
/// be returned in pieces must be mapped in pieces.
pub const PARTIAL_UNMAP: bool = false;

/// Huge pages on Windows need a privilege a program rarely has
/// (`SeLockMemoryPrivilege`): nothing to do.
///
/// # Safety
/// The range is mapped.
pub unsafe fn prefer_huge_pages(_p: *mut u8, _bytes: usize) {}

/// A slim reader/writer lock, taken exclusively.
pub struct RawLock(std::cell::UnsafeCell<SRWLOCK>);

impl RawLock {
    pub const fn new() -> RawLock {
        RawLock(std::cell::UnsafeCell::new(SRWLOCK_INIT))
    }

    pub fn lock(&self) {
        unsafe { AcquireSRWLockExclusive(self.0.get()) };
    }

    /// Whether it was free (and is now held).
    pub fn try_lock(&self) -> bool {
        unsafe { TryAcquireSRWLockExclusive(self.0.get()) }
    }

    pub fn unlock(&self) {
        unsafe { ReleaseSRWLockExclusive(self.0.get()) };
    }
}

/// Starts a thread with a native stack of `stack_bytes` running `body`;
/// its handle for [`join`] or [`detach`] (a boxed `std` join handle), or
/// why it could not start.
pub fn spawn(stack_bytes: usize, body: ThreadBody) -> Result<u64, String> {
    let handle = std::thread::Builder::new().stack_size(stack_bytes).spawn(body).map_err(|e| e.to_string())?;
    Ok(Box::into_raw(Box::new(handle)) as u64)
}

/// Waits for the thread of `handle` to end; what its body returned.
pub fn join(handle: u64) -> Option<usize> {
    let handle = unsafe { Box::from_raw(handle as *mut std::thread::JoinHandle<usize>) };
    handle.join().ok()
}

/// Lets the thread of `handle` run on unjoined; its end is ignored.
pub fn detach(handle: u64) {
    drop(unsafe { Box::from_raw(handle as *mut std::thread::JoinHandle<usize>) });
}

/// Whether `path` names a file rather than a library for the system to
/// search for.
pub fn names_a_file(path: &str) -> bool {
    path.contains(['/', '\\'])
}

/// Opens the DLL at `path` (searched for by the system unless it
/// [`names_a_file`]); its handle, or the system's message.
pub fn open_library(path: &str) -> Result<usize, String> {
    if path.contains('\0') {
        return Err("the path contains a NUL byte".into());
    }
    let wide: Vec<u16> = path.encode_utf16().chain(std::iter::once(0)).collect();
    let handle = unsafe { LoadLibraryW(wide.as_ptr()) };
    if handle.is_null() {
        return Err(std::io::Error::last_os_error().to_string());
    }
    Ok(handle as usize)
}

/// The symbol a DLL loaded by [`open_library`] exports as `name`.
pub fn library_symbol(handle: usize, name: &std::ffi::CStr) -> *const u8 {
    match unsafe { GetProcAddress(handle as HMODULE, name.as_ptr().cast()) } {
        Some(f) => f as *const u8,
        None => std::ptr::null(),
    }
}

/// Closes a DLL from [`open_library`].
pub fn close_library(handle: usize) {
    unsafe { FreeLibrary(handle as HMODULE) };
}

/// Windows names no symbol when a DLL needs one no loaded DLL exports.
pub fn missing_symbol(_message: &str) -> Option<&str> {
    None
}

/// The address range `[lo, hi)` of the loaded image (DLL or executable)
/// holding address `p`, if any: from its base to the size its PE header
/// gives.
pub fn image_of(p: *const u8) -> Option<(usize, usize)> {
    let mut module: HMODULE = null_mut();
    let flags = GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT;
    if unsafe { GetModuleHandleExW(flags, p.cast(), &mut module) } == 0 {
        return None;
    }
    let base = module as usize;
    // The DOS header's `e_lfanew`, then the optional header's `SizeOfImage`
    // (past the 4-byte signature and the 20-byte file header).
    let pe = unsafe { *((base + 0x3c) as *const u32) } as usize;
    let size = unsafe { *((base + pe + 24 + 56) as *const u32) } as usize;
    Some((base, base + size))
}

/// Why the bytes of a file cannot be a loadable DLL, if they cannot:
/// checked before the system's loader, which trusts the file.
pub fn check_shared_library(bytes: &[u8]) -> Result<(), String> {
    crate::pe_check::check_shared_library(bytes)
}

/// Writes `bytes` to standard output (`fd` 1) or error (2) at once,
/// without locks, allocation or the C library's newline translation (the
/// fatal-fault path).
pub fn write_raw(fd: i32, bytes: &[u8]) {
    let which = if fd == 1 { STD_OUTPUT_HANDLE } else { STD_ERROR_HANDLE };
    let mut written = 0;
    unsafe { WriteFile(GetStdHandle(which), bytes.as_ptr(), bytes.len() as u32, &mut written, null_mut()) };
}

/// Ends the process abnormally, with the status a Linux shell reports for
/// an abort (134), so that programs end alike on every target.
pub fn abort() -> ! {
    exit_now(134)
}

/// Ends the process at once with `status`, running nothing more.
pub fn exit_now(status: i32) -> ! {
    unsafe { libc::_exit(status) }
}

/// Calls `on_fault` when the program touches memory it may not or
/// overflows its stack, on any thread, before any other handler: a
/// vectored exception handler (what signals are on Linux); `on_fault`
/// ends the process.
pub fn on_faults(on_fault: extern "C" fn()) {
    static HANDLER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    unsafe extern "system" fn handle(info: *mut EXCEPTION_POINTERS) -> i32 {
        let code = unsafe { (*(*info).ExceptionRecord).ExceptionCode };
        if code == EXCEPTION_STACK_OVERFLOW || code == EXCEPTION_ACCESS_VIOLATION {
            // The overflowed stack has no room for `on_fault` (Wine does not
            // keep the room `SetThreadStackGuarantee` asks for): it runs on
            // a stack of its own. Only the first thread to fault gets it;
            // `on_fault` ends the process.
            static TAKEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
            static mut STACK: [u128; FAULT_STACK_BYTES as usize / 16] = [0; FAULT_STACK_BYTES as usize / 16];
            while TAKEN.swap(true, std::sync::atomic::Ordering::AcqRel) {
                std::hint::spin_loop();
            }
            let top = unsafe { (&raw mut STACK).cast::<u8>().add(FAULT_STACK_BYTES as usize) };
            let f = HANDLER.load(std::sync::atomic::Ordering::Relaxed);
            unsafe { call_on_stack(top, f) };
        }
        // EXCEPTION_CONTINUE_SEARCH: the other handlers decide.
        0
    }
    HANDLER.store(on_fault as usize, std::sync::atomic::Ordering::Relaxed);
    unsafe { AddVectoredExceptionHandler(1, Some(handle)) };
}

/// Calls `f` (an `extern "C" fn()` that does not return) with the stack
/// pointer at `top`.
#[unsafe(naked)]
unsafe extern "C" fn call_on_stack(top: *mut u8, f: usize) -> ! {
    // Aligned, with the 32 bytes of shadow space Windows x64 callees own.
    core::arch::naked_asm!("mov rsp, rcx", "and rsp, -16", "sub rsp, 32", "call rdx", "ud2")
}

/// The stack a thread keeps for the fault handler when its own overflows.
const FAULT_STACK_BYTES: u32 = 64 * 1024;

/// Windows keeps the fault handler's stack inside the thread's own
/// ([`use_fault_stack`]): nothing to allocate.
pub fn new_fault_stack() -> *mut u8 {
    null_mut()
}

/// Keeps room at the end of the calling thread's stack for the fault
/// handler to run after an overflow.
pub fn use_fault_stack(_stack: *mut u8) {
    let mut bytes = FAULT_STACK_BYTES;
    unsafe { SetThreadStackGuarantee(&mut bytes) };
}

/// Nothing to take away: the room stays part of the thread's stack.
pub fn stop_fault_stack() {}

/// Nothing to free (see [`new_fault_stack`]).
///
/// # Safety
/// Always safe; unsafe as on other platforms.
pub unsafe fn free_fault_stack(_stack: *mut u8) {}
