//! The interfaces the standard library declares (LANGUAGE.md §7):
//! `Hashable`, which class keys of a map implement, and `Comparable[T]`.
//! Their descriptors live here, in the layout a module emits for its own
//! (`docs/abi.md`, interfaces), in the order `tess_abi::runtime_fns::
//! STD_INTERFACES` gives; and the calls the runtime makes through them.

use crate::interfaces::table_for;
use crate::object::{Obj, StaticStr};
use crate::thread::Thread;

/// A method of a descriptor: its name and default body (none here).
#[repr(C)]
pub struct MethodEntry {
    name: *const u8,
    default: *const u8,
}

/// A descriptor of `N` methods.
#[repr(C)]
pub struct Descriptor<const N: usize> {
    count: usize,
    name: *const u8,
    methods: [MethodEntry; N],
}

unsafe impl<const N: usize> Sync for Descriptor<N> {}

const fn entry<const N: usize>(name: &'static StaticStr<N>) -> MethodEntry {
    MethodEntry { name: (name as *const StaticStr<N>).cast(), default: std::ptr::null() }
}

static HASHABLE: StaticStr<8> = StaticStr::new(b"Hashable");
static HASH: StaticStr<4> = StaticStr::new(b"hash");
static EQUALS: StaticStr<6> = StaticStr::new(b"equals");
static COMPARABLE: StaticStr<10> = StaticStr::new(b"Comparable");
static COMPARE_TO: StaticStr<9> = StaticStr::new(b"compareTo");

/// `interface Hashable { fn hash() -> Int; fn equals(other: Any) -> Bool }`.
#[no_mangle]
pub static tess_iface_Hashable: Descriptor<2> =
    Descriptor { count: 2, name: (&raw const HASHABLE).cast(), methods: [entry(&HASH), entry(&EQUALS)] };

/// `interface Comparable[T] { fn compareTo(other: T) -> Int }`.
#[no_mangle]
pub static tess_iface_Comparable: Descriptor<1> =
    Descriptor { count: 1, name: (&raw const COMPARABLE).cast(), methods: [entry(&COMPARE_TO)] };

/// Methods of one class through one interface, found once: the code at
/// each slot of its table.
pub struct Methods {
    type_info: usize,
    table: *const usize,
}

impl Default for Methods {
    fn default() -> Methods {
        Methods::new()
    }
}

impl Methods {
    pub const fn new() -> Methods {
        Methods { type_info: 0, table: std::ptr::null() }
    }

    /// The code of the `index`th method for `o`, through `desc`; null
    /// (with an exception pending) when `o`'s class does not implement it.
    pub unsafe fn code(&mut self, o: *const Obj, desc: *const u8, index: usize) -> *const u8 {
        unsafe {
            let ti = (*o).header.ty() as usize;
            if ti != self.type_info {
                self.table = table_for(o, desc);
                if self.table.is_null() {
                    return std::ptr::null();
                }
                self.type_info = ti;
            }
            *self.table.add(index) as *const u8
        }
    }
}

/// `o.hash()` through `Hashable`, its code found through `methods`;
/// `None` when it threw.
pub unsafe fn hash(methods: &mut Methods, o: u64, thread: *mut Thread) -> Option<i64> {
    unsafe {
        let code = methods.code(o as *const Obj, (&raw const tess_iface_Hashable).cast(), 0);
        if code.is_null() {
            return None;
        }
        let f: extern "C" fn(u64, *mut Thread) -> i64 = std::mem::transmute(code);
        let h = f(o, thread);
        (*thread).exc.is_null().then_some(h)
    }
}

/// `a.equals(b)` through `Hashable`, its code found through `methods`;
/// `None` when it threw.
pub unsafe fn equals(methods: &mut Methods, a: u64, b: u64, thread: *mut Thread) -> Option<bool> {
    unsafe {
        let code = methods.code(a as *const Obj, (&raw const tess_iface_Hashable).cast(), 1);
        if code.is_null() {
            return None;
        }
        let f: extern "C" fn(u64, u64, *mut Thread) -> u64 = std::mem::transmute(code);
        let r = f(a, b, thread);
        (*thread).exc.is_null().then_some(r as u8 != 0)
    }
}
