//! Where an exception was thrown (LANGUAGE.md §3): captured once, when
//! compiled code first sees it pending, by walking the frame pointers from
//! that frame up through every frame of registered Tessera code; kept in
//! the error object as (table, site) pairs, and turned into text only when
//! printed or read as `e.stackTrace`.

use crate::code_map::describe;
use crate::object::{Kind, Obj, Str, TypeInfo};
use tess_abi::layout::{error, string};

/// Deeper stacks are cut to their innermost frames.
const MAX_FRAMES: usize = 256;

static TRACE_NAME: crate::object::StaticStr<5> = crate::object::StaticStr::new(b"Trace");

/// The type of the blob holding a trace's pairs: bytes without
/// references, to the collector, as a string's are.
static TRACE_TYPE: TypeInfo = TypeInfo {
    kind: Kind::String,
    flags: 0,
    size: 0,
    nrefs: 0,
    refs: std::ptr::null(),
    name: (&raw const TRACE_NAME).cast(),
    depth: 0,
    display: std::ptr::null(),
    nslots: 0,
};

unsafe fn trace_slot(e: *mut Obj) -> *mut *mut Str {
    unsafe { e.cast::<u8>().add(error::TRACE as usize).cast() }
}

/// Whether `o` is a trace that names a frame of code in `image` (what
/// printing it would read after `lib.unload()`).
///
/// # Safety
/// `o` is a live object.
pub unsafe fn names_code_in(o: *mut Obj, image: &crate::image::Image) -> bool {
    unsafe {
        if !std::ptr::eq((*o).header.ty(), &TRACE_TYPE) {
            return false;
        }
        let blob = &*o.cast::<Str>();
        let words = std::slice::from_raw_parts(blob.bytes.as_ptr().cast::<u64>(), blob.len as usize / 8);
        words.chunks(2).any(|pair| image.contains(pair[0] as usize))
    }
}

/// When `o` is an error whose trace names code in `image`, replaces the
/// trace by its text, so that the error outlives the library (a caught
/// exception thrown through a plugin must not stop `lib.unload()`).
///
/// # Safety
/// `o` is a live object of the calling thread.
pub unsafe fn render_if_names(o: *mut Obj, image: &crate::image::Image) {
    unsafe {
        let ty = &*(*o).header.ty();
        let is_error =
            ty.kind == Kind::Object && ty.depth >= 1 && std::ptr::eq(*ty.display.add(1), &crate::exc::tess_ti_Error.ti);
        if !is_error || (*trace_slot(o)).is_null() || !names_code_in((*trace_slot(o)).cast(), image) {
            return;
        }
        crate::thread::push_root(o);
        let rendered = crate::str_alloc::new_str(text(o).as_bytes());
        crate::thread::pop_root(1);
        crate::thread::write_barrier(o);
        *trace_slot(o) = rendered;
    }
}

/// Records where the pending exception was thrown, if it has no trace yet:
/// `site` of `table` (-1 when unknown) in the frame whose frame pointer is
/// `fp`, then each caller's call site, while the return address is in
/// registered code.
#[no_mangle]
pub unsafe extern "C" fn tess_trace_capture(table: *const u8, site: i64, fp: *const usize) {
    let t = crate::thread::current();
    if t.exc.is_null() || unsafe { !(*trace_slot(t.exc)).is_null() } {
        return;
    }
    let mut pairs: Vec<u64> = Vec::new();
    let mut first = [table as u64, site as u64, 0, 0, 0, 0, 0, 0];
    let mut n = 1;
    let frames = unsafe { t.frames.caller_frames(fp) }.map_while(|(_, found)| found);
    for (code, s) in frames.take(MAX_FRAMES - 1) {
        // Most traces fit in `first`; deeper ones move to the heap.
        if n < 4 {
            first[2 * n] = code as u64;
            first[2 * n + 1] = s as u64;
        } else {
            if pairs.is_empty() {
                pairs.extend_from_slice(&first);
            }
            pairs.extend_from_slice(&[code as u64, s as u64]);
        }
        n += 1;
    }
    let words: &[u64] = if pairs.is_empty() { &first[..2 * n] } else { &pairs };
    let bytes = 16 * n;
    unsafe {
        let blob = t.alloc(&TRACE_TYPE, (string::BYTES as usize + bytes) as u64).cast::<Str>();
        (*blob).len = bytes as u64;
        std::ptr::copy_nonoverlapping(words.as_ptr().cast::<u8>(), (*blob).bytes.as_mut_ptr(), bytes);
        // The exception is still pending (a root); the allocation may have
        // made it old.
        crate::thread::write_barrier(t.exc);
        *trace_slot(t.exc) = blob;
    }
}

/// The lines of `e`'s trace, innermost frame first (empty when it was
/// never thrown).
///
/// # Safety
/// `e` is an error object.
pub unsafe fn text(e: *mut Obj) -> String {
    let mut out = String::new();
    let blob = unsafe { *trace_slot(e) };
    if blob.is_null() {
        return out;
    }
    if !std::ptr::eq(unsafe { (*blob).header.ty() }, &TRACE_TYPE) {
        // Rendered already ([`render_if_names`]).
        return unsafe { (*blob).as_str() }.to_string();
    }
    let bytes = unsafe { (*blob).as_bytes() };
    for pair in bytes.chunks_exact(16) {
        let word = |k: usize| u64::from_ne_bytes(pair[8 * k..8 * k + 8].try_into().unwrap_or([0; 8]));
        unsafe { describe(word(0) as *const u8, word(1) as i64, &mut out) };
    }
    out
}

/// `e.stackTrace`.
#[no_mangle]
pub unsafe extern "C" fn tess_error_stack_trace(e: *mut Obj) -> *mut Str {
    crate::str_alloc::new_str(unsafe { text(e) }.trim_end_matches('\n').as_bytes())
}
