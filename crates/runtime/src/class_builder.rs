//! Type infos built at run time (MODULES.md §11). A class whose base
//! belongs to another module cannot know, when it is compiled, how large
//! its base is or how many virtual-table slots it has: those may change
//! when the base's library is upgraded. Its module's init entry builds its
//! type info from the base's instead, once, before any of its code runs.

use crate::image::Image;
use crate::lock::Lock;
use crate::object::{Kind, Str, TypeInfo};
use tess_abi::layout::{header, type_info, WORD};

/// The memory of a type info with `nslots` virtual-table slots, aligned
/// as every type info is (`layout::header::TYPE_INFO_ALIGN`).
fn type_info_layout(nslots: u64) -> std::alloc::Layout {
    let bytes = type_info::VTABLE as usize + WORD as usize * nslots as usize;
    std::alloc::Layout::from_size_align(bytes, header::TYPE_INFO_ALIGN as usize)
        .unwrap_or_else(|_| crate::output::fatal("class too large"))
}

/// A type info built here, with what its memory was allocated with.
struct Built {
    ti: usize,
    refs_capacity: usize,
    display_len: usize,
}

/// Every type info built here, until `lib.unload()` frees its library's.
static BUILT: Lock<Vec<Built>> = Lock::new(Vec::new());

/// A type info that extends `base` by `nfields` fields and `nmethods` new
/// virtual methods: the base's size, references (with room for the new
/// ones, added by [`tess_class_add_ref`]), ancestors and virtual table.
/// The caller fills the new slots and any overridden ones. It lives as
/// long as its module: freed only when `lib.unload()` unloads it.
#[no_mangle]
pub unsafe extern "C" fn tess_class_new(
    base: *const TypeInfo,
    name: *const Str,
    nfields: i64,
    nmethods: i64,
) -> *mut TypeInfo {
    let base = unsafe { &*base };
    let nslots = base.nslots + nmethods as u64;
    let ti = unsafe { std::alloc::alloc_zeroed(type_info_layout(nslots)) }.cast::<TypeInfo>();
    if ti.is_null() {
        crate::output::fatal("out of memory");
    }
    let base_refs =
        if base.nrefs == 0 { &[][..] } else { unsafe { std::slice::from_raw_parts(base.refs, base.nrefs as usize) } };
    let mut refs = Vec::with_capacity(base_refs.len() + nfields as usize);
    refs.extend_from_slice(base_refs);
    let refs_capacity = refs.capacity();
    let depth = base.depth + 1;
    let base_display = unsafe { std::slice::from_raw_parts(base.display, depth as usize) };
    let mut display: Vec<*const TypeInfo> = base_display.to_vec();
    display.push(ti);
    unsafe {
        ti.write(TypeInfo {
            kind: Kind::Object,
            flags: base.flags,
            size: base.size + WORD as u64 * nfields as u64,
            nrefs: base.nrefs,
            refs: refs.leak().as_ptr(),
            name,
            depth,
            display: Box::leak(display.into_boxed_slice()).as_ptr(),
            nslots,
        });
        let from = (base as *const TypeInfo).cast::<u8>().add(type_info::VTABLE as usize).cast::<u64>();
        let to = ti.cast::<u8>().add(type_info::VTABLE as usize).cast::<u64>();
        std::ptr::copy_nonoverlapping(from, to, base.nslots as usize);
    }
    BUILT.lock().push(Built { ti: ti as usize, refs_capacity, display_len: depth as usize + 1 });
    ti
}

/// Whether `ti` is a class of the module(s) in `image`: its type info is
/// there, or was built here for a class whose name is there.
///
/// # Safety
/// `ti` is a live type info.
pub unsafe fn is_in(ti: *const TypeInfo, image: &Image) -> bool {
    image.contains(ti as usize) || image.contains(unsafe { (*ti).name } as usize)
}

/// Frees the type infos built for classes of `image` (`lib.unload()`, once
/// nothing refers to them).
pub fn forget(image: &Image) {
    BUILT.lock().retain(|b| {
        let ti = b.ti as *mut TypeInfo;
        if !unsafe { is_in(ti, image) } {
            return true;
        }
        unsafe {
            let t = &*ti;
            drop(Vec::from_raw_parts(t.refs.cast_mut(), 0, b.refs_capacity));
            drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(t.display.cast_mut(), b.display_len)));
            std::alloc::dealloc(ti.cast(), type_info_layout(t.nslots));
        }
        false
    });
}

/// Records a reference field at byte `offset` of objects of `ti` (a type
/// info from [`tess_class_new`], which left room for it).
#[no_mangle]
pub unsafe extern "C" fn tess_class_add_ref(ti: *mut TypeInfo, offset: i64) {
    unsafe {
        let t = &mut *ti;
        t.refs.cast_mut().add(t.nrefs as usize).write(offset as u64);
        t.nrefs += 1;
    }
}
