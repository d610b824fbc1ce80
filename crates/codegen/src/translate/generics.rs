//! Values of a type parameter in a generic function (`docs/abi.md`,
//! generics): one word, a reference exactly when the type descriptor the
//! function was given says so — which decides what its shadow slots hold,
//! what kind of array `[T]` makes and whether `T?` boxes.

use super::{flags, Translator, R};
use crate::abi::PTR;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, Value};
use cranelift_module::Module;
use tess_abi::layout::{self, type_info, Kind};
use tess_abi::RuntimeFn;
use tess_sema::ty::Ty;

impl<'h, M: Module> Translator<'_, '_, 'h, M> {
    /// The descriptor of type parameter `k` of the function translated.
    fn param_desc(&mut self, k: u32) -> R<Value> {
        let Some(&local) = self.body.func.type_params.get(k as usize) else {
            return Err(crate::CodegenError(format!("{}: no descriptor of type parameter {k}", self.body.func.name)));
        };
        Ok(self.b.use_var(self.body.vars[local]))
    }

    /// Whether the values of type parameter `k` are references (an `i8`).
    pub(super) fn param_is_ref(&mut self, k: u32) -> R<Value> {
        let desc = self.param_desc(k)?;
        let kind = self.b.ins().load(types::I32, flags(), desc, type_info::KIND);
        Ok(self.b.ins().icmp_imm_s(IntCC::NotEqual, kind, Kind::Value as i64))
    }

    /// `v` as a shadow slot may hold it: a value of a type parameter that
    /// is not a reference becomes null there.
    pub(super) fn rootable(&mut self, v: Value, ty: &Ty) -> R<Value> {
        let Ty::Param(k, _) = ty else { return Ok(v) };
        let is_ref = self.param_is_ref(*k)?;
        let zero = self.b.ins().iconst(PTR, 0);
        Ok(self.b.ins().select(is_ref, v, zero))
    }

    /// Whether arrays of `elem` hold references (an `i8`).
    pub(super) fn elements_are_refs(&mut self, elem: &Ty) -> R<Value> {
        match elem {
            Ty::Param(k, _) => self.param_is_ref(*k),
            other => Ok(self.b.ins().iconst(types::I8, i64::from(other.is_ref()))),
        }
    }

    /// The type descriptor of `ty` (a generic function's hidden argument).
    pub(super) fn type_desc(&mut self, ty: &Ty) -> R<Value> {
        let builtin = |name: &str| tess_abi::runtime_fns::builtin_type_info(name);
        let symbol = match ty {
            Ty::Param(k, _) => return self.param_desc(*k),
            Ty::Class(c, _) => return self.type_info_addr(*c),
            Ty::Array(e) if matches!(**e, Ty::Param(..)) => {
                let refs = self.elements_are_refs(e)?;
                let r = self.builtin_addr(&builtin("RefArray"))?;
                let v = self.builtin_addr(&builtin("ValueArray"))?;
                return Ok(self.b.ins().select(refs, r, v));
            }
            Ty::Int => builtin("Int"),
            Ty::Int32 => builtin("Int32"),
            Ty::Float => builtin("Float"),
            Ty::Bool | Ty::CString | Ty::CPointer => builtin(if *ty == Ty::Bool { "Bool" } else { "Int" }),
            Ty::Str => builtin("String"),
            Ty::Array(e) if e.is_ref() => builtin("RefArray"),
            Ty::Array(_) => builtin("ValueArray"),
            Ty::Map(..) | Ty::Set(_) => builtin("Map"),
            Ty::Optional(_) => builtin("Box"),
            Ty::Fn(..) => builtin("Function"),
            _ => builtin("Object"),
        };
        self.builtin_addr(&symbol)
    }

    fn builtin_addr(&mut self, symbol: &str) -> R<Value> {
        let id = self.mg.data_import(symbol)?;
        let gv = self.mg.module.declare_data_in_func(id, self.b.func);
        Ok(self.b.ins().symbol_value(PTR, gv))
    }

    /// A value as an `Any` (`docs/abi.md`, generics): a value type's boxed
    /// with its type info as the header, a reference as it is.
    pub(super) fn as_any(&mut self, e: &'h tess_sema::hir::Expr) -> R<Value> {
        let v = self.value(e)?;
        match &e.ty {
            Ty::Int | Ty::Int32 | Ty::Float | Ty::Bool => {
                let w = self.word_of(v, &e.ty);
                let ti = self.type_desc(&e.ty)?;
                self.call_rt_value(RuntimeFn::AnyBox, &[w, ti])
            }
            Ty::Param(k, _) => {
                let is_ref = self.param_is_ref(*k)?;
                let boxed = self.b.create_block();
                let join = self.b.create_block();
                let r = self.b.append_block_param(join, PTR);
                self.b.ins().brif(is_ref, join, &[v.into()], boxed, &[]);
                self.b.switch_to_block(boxed);
                let ti = self.param_desc(*k)?;
                let b = self.call_rt_value(RuntimeFn::AnyBox, &[v, ti])?;
                self.b.ins().jump(join, &[b.into()]);
                self.b.switch_to_block(join);
                Ok(r)
            }
            _ => Ok(v),
        }
    }

    /// `v` of type parameter `k` as a `T?`: boxed when `T` is a value type.
    pub(super) fn wrap_param(&mut self, v: Value, k: u32) -> R<Value> {
        let is_ref = self.param_is_ref(k)?;
        let boxed = self.b.create_block();
        let join = self.b.create_block();
        let r = self.b.append_block_param(join, PTR);
        self.b.ins().brif(is_ref, join, &[v.into()], boxed, &[]);
        self.b.switch_to_block(boxed);
        let b = self.call_rt_value(RuntimeFn::BoxValue, &[v])?;
        self.b.ins().jump(join, &[b.into()]);
        self.b.switch_to_block(join);
        Ok(r)
    }

    /// The word inside a non-nil `T?` of type parameter `k`.
    pub(super) fn unbox_param(&mut self, v: Value, k: u32) -> R<Value> {
        let is_ref = self.param_is_ref(k)?;
        let boxed = self.b.create_block();
        let join = self.b.create_block();
        let r = self.b.append_block_param(join, types::I64);
        self.b.ins().brif(is_ref, join, &[v.into()], boxed, &[]);
        self.b.switch_to_block(boxed);
        let w = self.b.ins().load(types::I64, flags(), v, layout::boxed::VALUE);
        self.b.ins().jump(join, &[w.into()]);
        self.b.switch_to_block(join);
        Ok(r)
    }
}
