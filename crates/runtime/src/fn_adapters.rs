//! Function values adapted between generic code and code that knows a
//! type parameter is `Float` (`docs/abi.md`, generics): generic code passes
//! and expects a type parameter's value as a word in an integer register,
//! code compiled for `Float` in a floating-point one. An adapter is a
//! function value whose code takes its callers' convention and calls the
//! wrapped value in its own (`tess_abi::layout::fn_adapter`).

use crate::array_fns::Callee;
use crate::object::*;
use crate::thread::{alloc, pop_root, push_root, Thread};
use tess_abi::layout::{closure, fn_adapter as l};

static NAME: StaticStr<8> = StaticStr::new(b"Function");
static REFS: [u64; 1] = [l::WRAPPED as u64];

/// Type info of adapters: the wrapped value is traced.
#[no_mangle]
pub static tess_ti_FnAdapter: TypeInfo =
    TypeInfo { nrefs: 1, refs: (&raw const REFS).cast(), ..TypeInfo::plain((&raw const NAME).cast(), l::SIZE as u64) };

/// A word or a float, as a register holds it.
trait Reg: Copy {
    fn word(self) -> u64;
    fn from_word(w: u64) -> Self;
}

impl Reg for u64 {
    fn word(self) -> u64 {
        self
    }
    fn from_word(w: u64) -> u64 {
        w
    }
}

impl Reg for f64 {
    fn word(self) -> u64 {
        self.to_bits()
    }
    fn from_word(w: u64) -> f64 {
        f64::from_bits(w)
    }
}

/// The wrapped value and the shape of adapter `v`.
unsafe fn parts(v: *mut Obj) -> (Callee, i64) {
    unsafe {
        let at = |o: i32| *v.cast::<u8>().add(o as usize).cast::<u64>();
        (Callee::new(at(l::WRAPPED) as *mut Obj), at(l::SHAPE) as i64)
    }
}

extern "C" fn code0<R: Reg>(v: *mut Obj, _t: *mut Thread) -> R {
    unsafe {
        let (f, s) = parts(v);
        R::from_word(f.call0(l::inner(s, 0)))
    }
}

extern "C" fn code1<A: Reg, R: Reg>(v: *mut Obj, a: A, _t: *mut Thread) -> R {
    unsafe {
        let (f, s) = parts(v);
        R::from_word(f.call1(a.word(), l::inner(s, 0), l::inner(s, 1)))
    }
}

extern "C" fn code2<A: Reg, B: Reg, R: Reg>(v: *mut Obj, a: A, b: B, _t: *mut Thread) -> R {
    unsafe {
        let (f, s) = parts(v);
        R::from_word(f.call2(a.word(), l::inner(s, 0), b.word(), l::inner(s, 1), l::inner(s, 2)))
    }
}

/// The code an adapter of `shape` has: its callers' convention.
fn code_for(shape: i64) -> *const u8 {
    type W = u64;
    type F = f64;
    let float = |i| l::outer_float(shape, i);
    match l::arity(shape) {
        0 => match float(0) {
            false => code0::<W> as *const u8,
            true => code0::<F> as *const u8,
        },
        1 => match (float(0), float(1)) {
            (false, false) => code1::<W, W> as *const u8,
            (true, false) => code1::<F, W> as *const u8,
            (false, true) => code1::<W, F> as *const u8,
            (true, true) => code1::<F, F> as *const u8,
        },
        _ => match (float(0), float(1), float(2)) {
            (false, false, false) => code2::<W, W, W> as *const u8,
            (true, false, false) => code2::<F, W, W> as *const u8,
            (false, true, false) => code2::<W, F, W> as *const u8,
            (true, true, false) => code2::<F, F, W> as *const u8,
            (false, false, true) => code2::<W, W, F> as *const u8,
            (true, false, true) => code2::<F, W, F> as *const u8,
            (false, true, true) => code2::<W, F, F> as *const u8,
            (true, true, true) => code2::<F, F, F> as *const u8,
        },
    }
}

/// Function value `f` adapted to `shape` (`tess_abi::layout::fn_adapter`);
/// nil stays nil.
///
/// # Safety
/// `f` is a function value (or null) whose arity is the shape's.
#[no_mangle]
pub unsafe extern "C" fn tess_fn_adapt(f: *mut Obj, shape: i64) -> *mut Obj {
    if f.is_null() {
        return f;
    }
    unsafe {
        push_root(f);
        let a = alloc(&tess_ti_FnAdapter, l::SIZE as u64);
        pop_root(1);
        let word = |o: i32| a.cast::<u8>().add(o as usize).cast::<u64>();
        *word(closure::CODE) = code_for(shape) as u64;
        *word(l::WRAPPED) = f as u64;
        *word(l::SHAPE) = shape as u64;
        a
    }
}
