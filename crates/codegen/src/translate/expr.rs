//! Expressions: the dispatch by kind, literals and variables, strings and
//! arrays, and the word representation of values in fields and elements.

use super::{flags, Raise, Translator, R};
use crate::abi::{clif_type, PTR};
use crate::slots::{needs_root, roots_itself};
use crate::CodegenError;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, StackSlotData, StackSlotKind, Value};
use cranelift_module::Module;
use tess_abi::layout::{self};
use tess_abi::RuntimeFn;
use tess_sema::hir::{Const, Expr, ExprKind};
use tess_sema::ty::Ty;

impl<'h, M: Module> Translator<'_, '_, 'h, M> {
    /// A module constant's value (`sema::constants`): an immediate, or
    /// the address of its static string or array.
    fn module_constant(&mut self, c: &Const, ty: &Ty) -> R<Value> {
        let id = match (c, ty) {
            (Const::Int(n), _) => return Ok(self.b.ins().iconst(types::I64, *n)),
            (Const::Float(x), _) => return Ok(self.b.ins().f64const(*x)),
            (Const::Bool(b), _) => return Ok(self.b.ins().iconst(types::I8, i64::from(*b))),
            (Const::Str(s), _) => self.mg.string_literal(s)?,
            (Const::Array(items), Ty::Array(elem)) => self.mg.const_array(items, elem)?,
            (Const::Map(entries), Ty::Map(key, value)) => self.mg.const_map(entries, key, value)?,
            (Const::Array(_) | Const::Map(_), other) => {
                return Err(CodegenError(format!("a constant of type {other}")))
            }
        };
        let gv = self.mg.module.declare_data_in_func(id, self.b.func);
        Ok(self.b.ins().symbol_value(PTR, gv))
    }

    /// An expression that has a value.
    pub(super) fn value(&mut self, e: &'h Expr) -> R<Value> {
        self.expr(e)?.ok_or_else(|| CodegenError("a Void expression used as a value".into()))
    }

    pub(super) fn expr(&mut self, e: &'h Expr) -> R<Option<Value>> {
        let v = self.expr_inner(e)?;
        if let Some(v) = v.filter(|_| self.stmt_collects && needs_root(e) && !roots_itself(e)) {
            let held = self.rootable(v, &e.ty)?;
            self.root(held)?;
        }
        Ok(v)
    }

    /// Translates an expression by its kind's group.
    pub(super) fn expr_inner(&mut self, e: &'h Expr) -> R<Option<Value>> {
        match &e.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Str(_)
            | ExprKind::Local(_)
            | ExprKind::Global(_)
            | ExprKind::FnRef(_)
            | ExprKind::TypeDesc(_)
            | ExprKind::IfaceDescriptor(_)
            | ExprKind::Nil => self.leaf_expr(e),
            ExprKind::Call(..)
            | ExprKind::CallDirect(..)
            | ExprKind::CallVirtual { .. }
            | ExprKind::New { .. }
            | ExprKind::Closure { .. }
            | ExprKind::CFunction(_)
            | ExprKind::CallInterface { .. }
            | ExprKind::Implements(..)
            | ExprKind::CastInterface { .. }
            | ExprKind::ToAny(_)
            | ExprKind::CallIndirect(..)
            | ExprKind::Rt { .. } => self.call_expr(e),
            ExprKind::Field(..)
            | ExprKind::InstanceOf(..)
            | ExprKind::Cast { .. }
            | ExprKind::Wrap(_)
            | ExprKind::Unwrap(_)
            | ExprKind::Coalesce(..)
            | ExprKind::IsNil { .. }
            | ExprKind::MapLit(_)
            | ExprKind::MapGet(..) => self.object_expr(e),
            ExprKind::Arith(..)
            | ExprKind::Compare(..)
            | ExprKind::Neg(_)
            | ExprKind::Not(_)
            | ExprKind::BitNot(_)
            | ExprKind::And(..)
            | ExprKind::Or(..)
            | ExprKind::Convert(_)
            | ExprKind::Math(..)
            | ExprKind::Bind(..)
            | ExprKind::Cond(..) => self.operator_expr(e),
            ExprKind::Index(..)
            | ExprKind::ArrayLit(_)
            | ExprKind::Interp(_)
            | ExprKind::ToStr(_)
            | ExprKind::ToCString(_)
            | ExprKind::ToWord(_)
            | ExprKind::FromWord(_)
            | ExprKind::Len(_) => self.sequence_expr(e),
        }
    }

    /// Literals, variables and function addresses.
    pub(super) fn leaf_expr(&mut self, e: &'h Expr) -> R<Option<Value>> {
        let ty = clif_type(&e.ty);
        let v = match &e.kind {
            ExprKind::Int(v) => self.b.ins().iconst(ty.unwrap_or(types::I64), *v),
            ExprKind::Float(v) => self.b.ins().f64const(*v),
            ExprKind::Bool(v) => self.b.ins().iconst(types::I8, i64::from(*v)),
            ExprKind::Str(s) => {
                let id = self.mg.string_literal(s)?;
                let gv = self.mg.module.declare_data_in_func(id, self.b.func);
                self.b.ins().symbol_value(PTR, gv)
            }
            ExprKind::Local(l) => {
                let v = self.b.use_var(self.body.vars[*l]);
                self.label_read(*l, v);
                v
            }
            ExprKind::Global(g) => {
                let hir = self.hir;
                if let Some(constant) = &hir.globals[*g].constant {
                    return Ok(Some(self.module_constant(constant, &e.ty)?));
                }
                let v = self.read_var(*g)?;
                // A function called from top-level code may run before a
                // variable's initialiser: a null reference there is an error,
                // not a crash. (Top-level code itself cannot read early.)
                let nullable = matches!(e.ty, Ty::Optional(_));
                if e.ty.is_ref() && !nullable && !self.is_module_init() {
                    let unset = self.b.ins().icmp_imm_s(IntCC::Equal, v, 0);
                    self.raise_if(unset, Raise::Uninitialised, &[])?;
                }
                v
            }
            ExprKind::FnRef(f) => {
                // A static object (`docs/abi.md`, closures).
                let id = self.mg.fn_value(*f)?;
                let gv = self.mg.module.declare_data_in_func(id, self.b.func);
                self.b.ins().symbol_value(PTR, gv)
            }
            ExprKind::Nil => self.b.ins().iconst(PTR, 0),
            ExprKind::TypeDesc(t) => self.type_desc(t)?,
            ExprKind::IfaceDescriptor(i) => self.iface_descriptor(*i)?,
            other => return Err(CodegenError(format!("leaf expression expected, found {other:?}"))),
        };
        Ok(Some(v))
    }

    pub(super) fn values(&mut self, es: &'h [Expr]) -> R<Vec<Value>> {
        es.iter().map(|e| self.value(e)).collect()
    }

    /// Strings and arrays: indexing, literals, interpolation, lengths, words.
    pub(super) fn sequence_expr(&mut self, e: &'h Expr) -> R<Option<Value>> {
        let v = match &e.kind {
            ExprKind::Index(a, i) => {
                let arr = self.value(a)?;
                let idx = self.value(i)?;
                let addr = self.element_addr(a, i, arr, idx)?;
                self.load_element(addr, &e.ty)
            }
            ExprKind::ArrayLit(items) => {
                // Elements first (each kept alive by its own slot), then one
                // allocation that they are stored into directly.
                let vals = self.values(items)?;
                let words: Vec<Value> = vals.iter().zip(items).map(|(&v, item)| self.word_of(v, &item.ty)).collect();
                let is_ref = match &e.ty {
                    Ty::Array(t) => self.elements_are_refs(t)?,
                    _ => self.b.ins().iconst(types::I8, 0),
                };
                let n = self.b.ins().iconst(types::I64, items.len() as i64);
                let arr = self.call_rt_value(RuntimeFn::ArrNew, &[is_ref, n])?;
                if !words.is_empty() {
                    let data = self.b.ins().load(PTR, flags(), arr, layout::array::DATA);
                    for (i, w) in words.into_iter().enumerate() {
                        self.b.ins().store(flags(), w, data, (i * 8) as i32);
                    }
                    self.b.ins().store(flags(), n, arr, layout::array::LEN);
                }
                arr
            }
            ExprKind::Interp(parts) => {
                let vals = self.values(parts)?;
                let ss = self.b.create_sized_stack_slot(StackSlotData::new(
                    StackSlotKind::ExplicitSlot,
                    (vals.len() * 8) as u32,
                    3,
                ));
                for (i, v) in vals.iter().enumerate() {
                    self.b.ins().stack_store(PTR, *v, ss, (i * 8) as i32);
                }
                let base = self.b.ins().stack_addr(PTR, ss, 0);
                let n = self.b.ins().iconst(types::I64, vals.len() as i64);
                return self.call_rt(RuntimeFn::StrConcatN, &[base, n]);
            }
            ExprKind::ToStr(a) => {
                let x = self.value(a)?;
                let (f, arg) = match a.ty {
                    Ty::Int => (RuntimeFn::StrFromInt, x),
                    Ty::Int32 => (RuntimeFn::StrFromInt, self.b.ins().sextend(types::I64, x)),
                    Ty::Float => (RuntimeFn::StrFromFloat, x),
                    Ty::Bool => (RuntimeFn::StrFromBool, x),
                    _ => return Ok(Some(x)),
                };
                return self.call_rt(f, &[arg]);
            }
            ExprKind::ToCString(a) => {
                // Strings keep a NUL after their bytes.
                let x = self.value(a)?;
                self.b.ins().iadd_imm_s(x, i64::from(layout::string::BYTES))
            }
            ExprKind::ToWord(a) => {
                let x = self.value(a)?;
                self.word_of(x, &a.ty)
            }
            ExprKind::FromWord(a) => {
                let x = self.value(a)?;
                self.value_of_word(x, &e.ty)
            }
            ExprKind::Len(a) => {
                let x = self.value(a)?;
                let off = if a.ty == Ty::Str { layout::string::LEN } else { layout::array::LEN };
                self.b.ins().load(types::I64, flags(), x, off)
            }
            other => return Err(CodegenError(format!("sequence expression expected, found {other:?}"))),
        };
        Ok(Some(v))
    }

    /// The address of element `idx` of `arr` (the values of `a` and `i`),
    /// checked against its length unless that is known to hold.
    pub(super) fn element_addr(&mut self, a: &Expr, i: &Expr, arr: Value, idx: Value) -> R<Value> {
        if !self.in_bounds(a, i) && !self.element_checked(arr, idx) {
            let header = self.header_flags();
            let len = self.b.ins().load(types::I64, header, arr, layout::array::LEN);
            let bad = self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, idx, len);
            self.raise_if(bad, Raise::Index, &[arr, idx])?;
            self.note_element_checked(arr, idx);
        }
        Ok(self.element_at(arr, idx))
    }

    /// The address of element `idx` of `arr`, known to be within bounds.
    pub(super) fn element_at(&mut self, arr: Value, idx: Value) -> Value {
        let header = self.header_flags();
        let data = self.b.ins().load(PTR, header, arr, layout::array::DATA);
        let off = self.b.ins().ishl_imm_u(idx, 3);
        self.b.ins().iadd(data, off)
    }

    /// Reads a value of type `ty` from an 8-byte word (a field or an array
    /// element) with one typed load: words are little-endian, and a value
    /// stored by compiled code with a typed store reads back the same.
    pub(super) fn load_word(&mut self, addr: Value, offset: i32, ty: &Ty) -> Value {
        let t = clif_type(ty).unwrap_or(types::I64);
        self.b.ins().load(t, flags(), addr, offset)
    }

    /// [`Self::load_word`] of the array element at `addr`.
    pub(super) fn load_element(&mut self, addr: Value, ty: &Ty) -> Value {
        let t = clif_type(ty).unwrap_or(types::I64);
        let element = self.element_flags();
        self.b.ins().load(t, element, addr, 0)
    }

    pub(super) fn word_of(&mut self, v: Value, ty: &Ty) -> Value {
        match ty {
            Ty::Int32 => self.b.ins().sextend(types::I64, v),
            Ty::Bool => self.b.ins().uextend(types::I64, v),
            Ty::Float => self.b.ins().bitcast(types::I64, MemFlagsData::new(), v),
            _ => v,
        }
    }

    pub(super) fn value_of_word(&mut self, w: Value, ty: &Ty) -> Value {
        match ty {
            Ty::Int32 => self.b.ins().ireduce(types::I32, w),
            Ty::Bool => self.b.ins().ireduce(types::I8, w),
            Ty::Float => self.b.ins().bitcast(types::F64, MemFlagsData::new(), w),
            _ => w,
        }
    }
}
