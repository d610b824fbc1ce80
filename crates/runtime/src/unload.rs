//! `lib.unload()` (`docs/abi.md`, unloading): unloads a library
//! `loadLibrary` loaded once nothing can reach it. No thread may be
//! running or have run its code, no library import it, no frame of it be
//! on the calling thread's stack; then its `fini { }` blocks run, and no
//! live object of its classes, function value of its code or object of
//! its static data may remain. Otherwise `UnloadError` names what still
//! refers to it, and it stays loaded.
//!
//! Threads share no objects (MODULES.md §6), so only threads that ran the
//! library's code can hold its objects: a thread other than the calling
//! one that was started with one of its functions, or has a block of its
//! module variables, refuses the unload; the calling thread's own heap is
//! collected in full and walked from its roots (`holders.rs`).

use crate::exc::{tess_ti_UnloadError, throw_new};
use crate::image::Image;
use crate::loader::{Loaded, LIBRARIES};
use crate::object::{Obj, Str};
use tess_abi::layout::library_object;

/// How many holders a refusal names.
const NAMED: usize = 3;

/// `lib.unload()`: passes the caller's frame pointer and return address
/// (where compiled code's frames start) to [`unload`].
#[cfg(all(target_arch = "x86_64", not(windows)))]
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn tess_library_unload(lib: *mut Obj) {
    core::arch::naked_asm!("mov rsi, rbp", "mov rdx, [rsp]", "jmp {unload}", unload = sym unload)
}

/// `lib.unload()`: passes the caller's frame pointer and return address
/// (where compiled code's frames start) to [`unload`], in the registers
/// of the Windows x64 convention.
#[cfg(all(target_arch = "x86_64", windows))]
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn tess_library_unload(lib: *mut Obj) {
    core::arch::naked_asm!("mov rdx, rbp", "mov r8, [rsp]", "jmp {unload}", unload = sym unload)
}

/// `lib.unload()`: passes the caller's frame pointer and return address
/// (where compiled code's frames start) to [`unload`].
#[cfg(target_arch = "aarch64")]
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn tess_library_unload(lib: *mut Obj) {
    core::arch::naked_asm!("mov x1, x29", "mov x2, x30", "b {unload}", unload = sym unload)
}

unsafe extern "C" fn unload(lib: *mut Obj, fp: *const usize, ra: usize) {
    let id = unsafe { *lib.cast::<u8>().add(library_object::ID as usize).cast::<u64>() };
    let result = crate::loader::one_load_at_a_time(|| {
        let loaded = LIBRARIES.lock().remove(&id).ok_or(Refusal::AlreadyUnloaded)?;
        match unsafe { try_unload(&loaded, fp, ra) } {
            Ok(()) => Ok(()),
            Err(refusal) => {
                LIBRARIES.lock().insert(id, loaded);
                Err(refusal)
            }
        }
    });
    let path = unsafe { (*lib.cast::<u8>().add(library_object::PATH as usize).cast::<*const Str>().read()).as_str() };
    match result {
        Ok(()) | Err(Refusal::FiniThrew) => {}
        Err(Refusal::AlreadyUnloaded) => throw_new(&tess_ti_UnloadError, &format!("{path} was already unloaded")),
        Err(Refusal::Reasons(reasons)) => {
            throw_new(&tess_ti_UnloadError, &format!("cannot unload {path}: {}", reasons.join("; ")))
        }
    }
}

/// Why a library was not unloaded.
enum Refusal {
    AlreadyUnloaded,
    /// Its `fini { }` blocks threw (the exception is pending).
    FiniThrew,
    Reasons(Vec<String>),
}

unsafe fn try_unload(lib: &Loaded, fp: *const usize, ra: usize) -> Result<(), Refusal> {
    let image = &lib.image;
    let keys = crate::module_vars::keys_in(image);
    let mut reasons = Vec::new();
    for other in LIBRARIES.lock().values() {
        if other.imports.contains(&lib.module) {
            reasons.push(format!("{} (module `{}`) imports module `{}`", other.path, other.module, lib.module));
        }
    }
    for (id, entry, used) in crate::thread::others(&keys) {
        if image.contains(entry) {
            let who = if id == 0 { "a starting thread".to_string() } else { format!("thread {id}") };
            reasons.push(format!("{who} runs its code (`spawn` started it with one of its functions)"));
        } else if used {
            reasons.push(format!("thread {id} has used its module variables (it ran its code)"));
        }
    }
    if let Some(pc) = unsafe { frame_in(image, fp, ra) } {
        reasons.push(format!("the calling thread is running its code (`{}`)", function_name(pc)));
    }
    if !reasons.is_empty() {
        return Err(Refusal::Reasons(reasons));
    }
    // Its `fini { }` blocks undo what its `init { }` blocks did (take its
    // objects out of the host's registries) before anything is judged live.
    if let Some(fini) = lib.fini {
        fini();
        if !crate::exc::pending().is_null() {
            return Err(Refusal::FiniThrew);
        }
    }
    held(lib, &keys)?;
    forget(lib, &keys);
    Ok(())
}

/// Collects the calling thread's heap in full and refuses when anything
/// live refers to the library, naming the first few and their holders.
fn held(lib: &Loaded, keys: &[usize]) -> Result<(), Refusal> {
    let t = crate::thread::current();
    t.collect(true);
    let found = crate::holders::find(t, &lib.image, keys, NAMED);
    if found.count == 0 {
        return Ok(());
    }
    let named: Vec<String> = found.first.iter().map(|h| format!("{} held by {}", h.what, h.holder)).collect();
    let more = found.count - found.first.len();
    let more = if more > 0 { format!(", and {more} more") } else { String::new() };
    let live = if found.count == 1 { "1 live object refers" } else { "live objects refer" };
    Err(Refusal::Reasons(vec![format!("{live} to it: {}{more}", named.join(", "))]))
}

/// Takes the library out of every table of the runtime, then closes it.
fn forget(lib: &Loaded, keys: &[usize]) {
    let image = &lib.image;
    crate::module_vars::forget(keys, crate::thread::current());
    crate::interfaces::forget(image);
    crate::code_map::forget(image);
    crate::class_builder::forget(image);
    crate::loader::forget(image);
    crate::os::close_library(lib.handle);
}

/// A return address on the calling thread's stack in `image`: the
/// caller's (`ra`), then each frame's up the chain from `fp` while the
/// code is Tessera's (as stack traces walk it).
unsafe fn frame_in(image: &Image, fp: *const usize, ra: usize) -> Option<usize> {
    let all = crate::code_map::functions();
    let find = |pc| crate::code_map::lookup(&all, pc);
    let mut frames = std::iter::once(ra).chain(unsafe { crate::code_map::caller_frames(fp, find) }.map(|(ra, _)| ra));
    frames.find(|&ra| image.contains(ra))
}

/// The Tessera name of the function a return address is in (`a.worker`),
/// as its code table says.
fn function_name(ra: usize) -> String {
    let all = crate::code_map::functions();
    crate::code_map::function_name(&all, ra.wrapping_sub(1)).unwrap_or_else(|| format!("{ra:#x}"))
}
