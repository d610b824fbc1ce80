//! How Tessera types map to machine types, and the fixed offsets of the
//! runtime's object layout (kept in sync with `tessera_rt::object`).

use cranelift_codegen::ir::{types, AbiParam, Signature, Type};
use cranelift_codegen::isa::CallConv;
use tess_sema::ty::Ty;

pub const PTR: Type = types::I64;
pub const STR_LEN_OFFSET: i32 = 8;
pub const ARRAY_LEN_OFFSET: i32 = 8;
pub const ARRAY_DATA_OFFSET: i32 = 24;
/// The collector's flag for objects in static data (string literals),
/// kept in the low bits of the header's type-info address.
pub const GC_STATIC: i64 = 2;
/// The header's flag bits; masked off to get the type info.
pub const GC_FLAG_MASK: i64 = 7;

/// The machine type of a value of `ty`; `None` for `Void`.
pub fn clif_type(ty: &Ty) -> Option<Type> {
    match ty {
        Ty::Void => None,
        Ty::Int => Some(types::I64),
        Ty::Int32 => Some(types::I32),
        Ty::Float => Some(types::F64),
        Ty::Bool => Some(types::I8),
        Ty::Str
        | Ty::CString
        | Ty::Array(_)
        | Ty::Map(..)
        | Ty::Optional(_)
        | Ty::Fn(..)
        | Ty::Class(..)
        | Ty::Nil
        | Ty::Error => Some(PTR),
    }
}

/// The C-convention signature of a function with these parameter and
/// result types (Tessera functions use the platform convention).
pub fn signature(call_conv: CallConv, params: &[Ty], ret: &Ty) -> Signature {
    let mut sig = Signature::new(call_conv);
    for p in params {
        if let Some(t) = clif_type(p) {
            sig.params.push(AbiParam::new(t));
        }
    }
    if let Some(t) = clif_type(ret) {
        sig.returns.push(AbiParam::new(t));
    }
    sig
}
