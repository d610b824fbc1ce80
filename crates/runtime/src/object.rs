//! Object layout and type information shared with compiled code.
//!
//! Every heap object starts with a one-word [`Header`]: the address of its
//! type info with the collector's three flag bits in the low bits (type
//! infos are 8-byte aligned). Type info is one distinct static object per type, so
//! modules compiled separately can each define their own, and `is` tests
//! are O(1) through the ancestor display (`depth`, `display`).

use std::mem::{offset_of, size_of};
use std::sync::atomic::AtomicPtr;
use std::sync::atomic::Ordering::Relaxed;
use tess_abi::layout;

/// The first word of every object: type info address | collector flags
/// ([`MARK`], [`STATIC`], [`LOGGED`]). A free cell holds the next free cell.
#[repr(C)]
pub struct Header {
    tagged: AtomicPtr<u8>,
}

const FLAG_BITS: usize = layout::header::FLAG_MASK as usize;

impl Header {
    pub const fn new(ty: *const TypeInfo, flags: usize) -> Header {
        Header { tagged: AtomicPtr::new(ty.cast::<u8>().wrapping_add(flags).cast_mut()) }
    }

    pub fn ty(&self) -> *const TypeInfo {
        self.tagged.load(Relaxed).map_addr(|a| a & !FLAG_BITS).cast()
    }

    pub fn flags(&self) -> u64 {
        (self.tagged.load(Relaxed).addr() & FLAG_BITS) as u64
    }

    pub fn set(&self, ty: *const TypeInfo, flags: u64) {
        self.tagged.store(ty.cast::<u8>().cast_mut().map_addr(|a| a | flags as usize), Relaxed);
    }

    pub fn set_flags(&self, flags: u64) {
        self.set(self.ty(), flags);
    }
}

pub use layout::header::{LOGGED, MARK, STATIC};
pub use layout::Kind;

/// Run-time type information; laid out as `docs/abi.md` describes, and
/// aligned so that a header has room for the collector's flags.
#[repr(C)]
pub struct TypeInfo {
    pub kind: Kind,
    pub flags: u32,
    /// Instance size in bytes, header included (objects only).
    pub size: u64,
    pub nrefs: u64,
    /// Byte offsets of the reference fields.
    pub refs: *const u64,
    /// The type's name, a static string.
    pub name: *const Str,
    /// Number of ancestors; `display[depth]` is this type itself.
    pub depth: u64,
    pub display: *const *const TypeInfo,
    /// Number of virtual-table slots after it (none for non-class types).
    pub nslots: u64,
}

unsafe impl Sync for TypeInfo {}

impl TypeInfo {
    /// A built-in object type of `size` bytes that holds no references
    /// (boxes, function values that capture nothing).
    pub const fn plain(name: *const Str, size: u64) -> TypeInfo {
        TypeInfo {
            kind: Kind::Object,
            flags: 0,
            size,
            nrefs: 0,
            refs: std::ptr::null(),
            name,
            depth: 0,
            display: std::ptr::null(),
            nslots: 0,
        }
    }
}

/// A class's type info followed by its virtual table, as compiled modules
/// lay it out too (slot `i` at byte `size_of::<TypeInfo>() + 8 i`).
#[repr(C)]
pub struct ClassInfo<const N: usize> {
    pub ti: TypeInfo,
    pub vtable: [*const u8; N],
}

unsafe impl<const N: usize> Sync for ClassInfo<N> {}

/// A heap object as compiled code sees it: a header and fields.
#[repr(C)]
pub struct Obj {
    pub header: Header,
}

/// Immutable UTF-8 text: header, byte length, then the bytes.
#[repr(C)]
pub struct Str {
    pub header: Header,
    pub len: u64,
    pub bytes: [u8; 0],
}

impl Str {
    pub fn as_bytes(&self) -> &[u8] {
        unsafe { std::slice::from_raw_parts(self.bytes.as_ptr(), self.len as usize) }
    }

    pub fn as_str(&self) -> &str {
        unsafe { std::str::from_utf8_unchecked(self.as_bytes()) }
    }
}

/// A string in static memory, as the runtime defines the names of its
/// built-in types (compiled modules emit the same layout for literals).
#[repr(C)]
pub struct StaticStr<const N: usize> {
    pub header: Header,
    pub len: u64,
    pub bytes: [u8; N],
}

unsafe impl<const N: usize> Sync for StaticStr<N> {}

impl<const N: usize> StaticStr<N> {
    pub const fn new(bytes: &[u8; N]) -> StaticStr<N> {
        StaticStr { header: Header::new(&raw const tess_ti_String, STATIC as usize), len: N as u64, bytes: *bytes }
    }

    pub fn as_ptr(&self) -> *const Str {
        (self as *const Self).cast()
    }
}

static STRING_NAME: StaticStr<6> = StaticStr::new(b"String");

/// Type info of `String`; literals in compiled modules point at it.
#[no_mangle]
pub static tess_ti_String: TypeInfo = TypeInfo {
    kind: Kind::String,
    flags: 0,
    size: 0,
    nrefs: 0,
    refs: std::ptr::null(),
    name: (&raw const STRING_NAME).cast(),
    depth: 0,
    display: std::ptr::null(),
    nslots: 0,
};

/// A growable array: header, length, capacity and a separately allocated
/// buffer of 8-byte elements (so that `push` never moves the array itself).
#[repr(C)]
pub struct Array {
    pub header: Header,
    pub len: u64,
    pub cap: u64,
    pub data: *mut u64,
}

/// Type-name helper for messages.
pub unsafe fn type_name(ty: *const TypeInfo) -> &'static str {
    unsafe { (*(*ty).name).as_str() }
}

/// Type-name of an object, for messages.
pub unsafe fn class_name(o: *const Obj) -> &'static str {
    unsafe { type_name((*o).header.ty()) }
}

// The layouts `tess_abi::layout` promises compiled code, checked when the
// runtime is compiled.
const _: () = {
    use layout::{array, string, type_info};
    assert!(size_of::<Header>() == layout::header::SIZE as usize);
    assert!(offset_of!(Str, len) == string::LEN as usize);
    assert!(offset_of!(Str, bytes) == string::BYTES as usize);
    assert!(offset_of!(Array, len) == array::LEN as usize);
    assert!(offset_of!(Array, cap) == array::CAP as usize);
    assert!(offset_of!(Array, data) == array::DATA as usize);
    assert!(offset_of!(TypeInfo, kind) == type_info::KIND as usize);
    assert!(offset_of!(TypeInfo, flags) == type_info::FLAGS as usize);
    assert!(offset_of!(TypeInfo, size) == type_info::SIZE as usize);
    assert!(offset_of!(TypeInfo, nrefs) == type_info::NREFS as usize);
    assert!(offset_of!(TypeInfo, refs) == type_info::REFS as usize);
    assert!(offset_of!(TypeInfo, name) == type_info::NAME as usize);
    assert!(offset_of!(TypeInfo, depth) == type_info::DEPTH as usize);
    assert!(offset_of!(TypeInfo, display) == type_info::DISPLAY as usize);
    assert!(offset_of!(TypeInfo, nslots) == type_info::NSLOTS as usize);
    assert!(size_of::<TypeInfo>() == type_info::VTABLE as usize);
    assert!(std::mem::align_of::<TypeInfo>() as u64 >= layout::header::TYPE_INFO_ALIGN);
    assert!(offset_of!(ClassInfo<1>, vtable) == type_info::VTABLE as usize);
};
