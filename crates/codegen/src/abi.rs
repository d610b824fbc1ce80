//! How Tessera types and the runtime's value kinds map to Cranelift's
//! machine types and signatures. Layouts live in `tess_abi::layout`.

use cranelift_codegen::ir::{types, AbiParam, Signature, Type};
use cranelift_codegen::isa::CallConv;
use tess_abi::{RuntimeFn, Val};
use tess_sema::hir;
use tess_sema::ty::Ty;

pub const PTR: Type = types::I64;

/// The machine type of a runtime value kind.
fn val_type(v: Val) -> Type {
    match v {
        Val::I8 => types::I8,
        Val::I32 => types::I32,
        Val::I64 => types::I64,
        Val::F64 => types::F64,
        Val::Ptr => PTR,
    }
}

/// The signature of a runtime function, from its table entry.
pub fn runtime_signature(call_conv: CallConv, f: RuntimeFn) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.extend(f.params().iter().map(|&v| AbiParam::new(val_type(v))));
    sig.returns.extend(f.ret().map(|v| AbiParam::new(val_type(v))));
    sig
}

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
        | Ty::CPointer
        | Ty::Array(_)
        | Ty::Map(..)
        | Ty::Set(_)
        | Ty::Optional(_)
        | Ty::Fn(..)
        | Ty::Class(..)
        | Ty::Interface(..)
        | Ty::Param(..)
        | Ty::Generic(..)
        | Ty::Any
        | Ty::Nil
        | Ty::Error => Some(PTR),
    }
}

/// Whether a function takes its thread's state as a hidden last argument
/// (`docs/abi.md`, threads): every Tessera function but those C and the
/// runtime call — `extern fn`s and init entries, which find it themselves.
pub fn takes_thread(f: &hir::Func) -> bool {
    !f.extern_c && !f.entry
}

/// The signature of a Tessera-convention function (a method, a function
/// not `extern`): its parameters, then the thread's state — last, so that
/// its parameters sit in the registers they would without it.
pub fn tessera_signature(call_conv: CallConv, params: &[Ty], ret: &Ty) -> Signature {
    let mut sig = signature(call_conv, params, ret);
    sig.params.push(AbiParam::new(PTR));
    sig
}

/// The C-convention signature of a function with these parameter and
/// result types (Tessera functions use the platform convention, after the
/// hidden thread argument: [`tessera_signature`]).
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
