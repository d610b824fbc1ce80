//! Machine-level value kinds of the runtime's functions, and the traits
//! that let the runtime prove at compile time that each of its `extern
//! "C"` functions has the signature [`crate::RuntimeFn`] records.

/// A machine value passed to or returned from a runtime function.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Val {
    /// A `Bool` or a flag byte.
    I8,
    I32,
    I64,
    F64,
    /// Any address: an object, a C string, a code address.
    Ptr,
}

impl Val {
    /// Equality usable in `const` checks.
    pub const fn same(self, other: Val) -> bool {
        self as u8 == other as u8
    }
}

/// Equality of two value lists, usable in `const` checks.
pub const fn same_vals(a: &[Val], b: &[Val]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if !a[i].same(b[i]) {
            return false;
        }
        i += 1;
    }
    true
}

/// A Rust type that crosses the runtime boundary as one machine value.
pub trait AbiValue {
    const VAL: Val;
}

macro_rules! abi_values {
    ($($t:ty => $v:ident),* $(,)?) => { $(impl AbiValue for $t { const VAL: Val = Val::$v; })* };
}
abi_values!(i8 => I8, u8 => I8, i32 => I32, u32 => I32, i64 => I64, u64 => I64, f64 => F64);

impl<T> AbiValue for *const T {
    const VAL: Val = Val::Ptr;
}
impl<T> AbiValue for *mut T {
    const VAL: Val = Val::Ptr;
}
impl AbiValue for extern "C" fn() {
    const VAL: Val = Val::Ptr;
}
impl<T> AbiValue for extern "C" fn(*mut T) {
    const VAL: Val = Val::Ptr;
}

/// The machine signature of an `unsafe extern "C" fn` pointer type.
pub trait AbiSignature {
    const PARAMS: &'static [Val];
    /// `None` for no result (also for functions that never return).
    const RET: Option<Val>;
}

macro_rules! abi_signatures {
    ($($p:ident),*) => {
        impl<$($p: AbiValue,)* R: AbiValue> AbiSignature for unsafe extern "C" fn($($p),*) -> R {
            const PARAMS: &'static [Val] = &[$($p::VAL),*];
            const RET: Option<Val> = Some(R::VAL);
        }
        impl<$($p: AbiValue),*> AbiSignature for unsafe extern "C" fn($($p),*) {
            const PARAMS: &'static [Val] = &[$($p::VAL),*];
            const RET: Option<Val> = None;
        }
        impl<$($p: AbiValue),*> AbiSignature for unsafe extern "C" fn($($p),*) -> ! {
            const PARAMS: &'static [Val] = &[$($p::VAL),*];
            const RET: Option<Val> = None;
        }
    };
}
abi_signatures!();
abi_signatures!(A);
abi_signatures!(A, B);
abi_signatures!(A, B, C);
abi_signatures!(A, B, C, D);
abi_signatures!(A, B, C, D, E);
abi_signatures!(A, B, C, D, E, F);
abi_signatures!(A, B, C, D, E, F, G);
