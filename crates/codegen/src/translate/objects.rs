//! Objects, optionals and maps: construction, fields, virtual calls,
//! `is`/`as`, `nil` and its operators, `if let`, map literals, lookups and
//! iteration.

use super::{flags, Translator, R};
use crate::abi::{clif_type, PTR};
use crate::CodegenError;
use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, Value};
use cranelift_module::Module;
use tess_abi::layout::{self, type_info};
use tess_abi::RuntimeFn;
use tess_sema::hir::{Expr, ExprKind, Layout, LocalId, Offset, Stmt};
use tess_sema::ty::{ClassId, Ty};

/// An optional evaluated for immediate use.
pub(super) enum OptionalValue {
    /// The optional's own representation (a box, a reference, or 0).
    Plain(Value),
    /// A map and an entry position found by `tess_map_find`.
    MapEntry(Value, Value),
}

impl<'h, M: Module> Translator<'_, '_, 'h, M> {
    /// The address of a class's type info: its symbol, or the word in its
    /// cell when its module builds it at run time.
    pub(super) fn type_info_addr(&mut self, class: ClassId) -> R<Value> {
        if let Some(cell) = self.hir.classes[class].layout.type_info_cell() {
            return self.cell_value(cell);
        }
        let id = self.mg.class_type_info(class)?;
        let gv = self.mg.module.declare_data_in_func(id, self.b.func);
        Ok(self.b.ins().symbol_value(PTR, gv))
    }

    /// The address of a cell (`Offset::Cell`, a built type info's).
    pub(super) fn cell_addr(&mut self, symbol: &str) -> R<Value> {
        let id = self.mg.cell(symbol)?;
        let gv = self.mg.module.declare_data_in_func(id, self.b.func);
        Ok(self.b.ins().symbol_value(PTR, gv))
    }

    /// The word in a cell: read once per call at `cell_block` (Cranelift
    /// 0.135 does not hoist these loads out of loops itself), or where it
    /// is used while the init entry is still building its classes.
    pub(super) fn cell_value(&mut self, symbol: &str) -> R<Value> {
        if let Some(&v) = self.cell_values.get(symbol) {
            return Ok(v);
        }
        let Some(block) = self.cell_block else {
            let cell = self.cell_addr(symbol)?;
            return Ok(self.b.ins().load(types::I64, flags(), cell, 0));
        };
        let id = self.mg.cell(symbol)?;
        let gv = self.mg.module.declare_data_in_func(id, self.b.func);
        // Not `can_move`: Cranelift would then treat the load as pure and
        // sink it back to its uses, inside the loops.
        let readonly = flags().with_readonly();
        let v = if self.b.current_block() == Some(block) && !self.is_terminated() {
            let cell = self.b.ins().symbol_value(PTR, gv);
            self.b.ins().load(types::I64, readonly, cell, 0)
        } else {
            let mut at = FuncCursor::new(self.b.func);
            match at.layout().last_inst(block) {
                Some(last) if at.func.dfg.insts[last].opcode().is_terminator() => at.goto_inst(last),
                _ => at.goto_bottom(block),
            }
            let cell = at.ins().symbol_value(PTR, gv);
            at.ins().load(types::I64, readonly, cell, 0)
        };
        self.cell_values.insert(symbol.to_string(), v);
        Ok(v)
    }

    /// A byte offset as a value: a constant, or read from its cell.
    pub(super) fn offset_value(&mut self, offset: &Offset) -> R<Value> {
        match offset {
            Offset::Fixed(o) => Ok(self.b.ins().iconst(types::I64, i64::from(*o))),
            Offset::Cell(symbol) => self.cell_value(symbol),
        }
    }

    /// `base + offset` as an address and a constant displacement for a
    /// load or store: a fixed offset stays in the instruction.
    pub(super) fn offset_addr(&mut self, base: Value, offset: &Offset) -> R<(Value, i32)> {
        match offset {
            Offset::Fixed(o) => Ok((base, *o as i32)),
            Offset::Cell(_) => {
                let o = self.offset_value(offset)?;
                Ok((self.b.ins().iadd(base, o), 0))
            }
        }
    }

    /// The type info of an object: its header without the collector's bits.
    pub(super) fn type_info_of(&mut self, o: Value) -> Value {
        let header = self.b.ins().load(PTR, flags(), o, 0);
        self.b.ins().band_imm_s(header, !(layout::header::FLAG_MASK as i64))
    }

    /// `o is C` for a non-null `o`: O(1) through the ancestor display, or
    /// one comparison of type infos when `C` can have no subclass.
    pub(super) fn instance_of(&mut self, o: Value, class: ClassId) -> R<Value> {
        let depth = (self.hir.classes[class].display.len() - 1) as i64;
        let ti = self.type_info_of(o);
        if self.is_leaf(class) {
            let want = self.type_info_addr(class)?;
            return Ok(self.b.ins().icmp(IntCC::Equal, ti, want));
        }
        let d = self.b.ins().load(types::I64, flags(), ti, type_info::DEPTH);
        let deep_enough = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, d, depth);
        let check = self.b.create_block();
        let join = self.b.create_block();
        let r = self.b.append_block_param(join, types::I8);
        self.b.ins().brif(deep_enough, check, &[], join, &[deep_enough.into()]);
        self.b.switch_to_block(check);
        let display = self.b.ins().load(PTR, flags(), ti, type_info::DISPLAY);
        let at = self.b.ins().load(PTR, flags(), display, (depth as i32) * layout::WORD);
        let want = self.type_info_addr(class)?;
        let same = self.b.ins().icmp(IntCC::Equal, at, want);
        self.b.ins().jump(join, &[same.into()]);
        self.b.switch_to_block(join);
        Ok(r)
    }

    /// Whether class `class` can have no subclass: it is this module's,
    /// not `open` (only its own module may subclass it, LANGUAGE.md §3),
    /// not generic, and no class of the module derives from it.
    fn is_leaf(&self, class: ClassId) -> bool {
        let c = &self.hir.classes[class];
        !c.open
            && !c.builtin
            && c.imported_from.is_none()
            && c.type_params.is_empty()
            && !self.hir.classes.iter().any(|d| d.base == Some(class))
    }

    /// `x as C` (throws `CastError`) or `x as? C` (nil when not a `C`).
    pub(super) fn cast(&mut self, o: Value, class: ClassId, optional: bool) -> R<Value> {
        let ok = self.instance_of(o, class)?;
        if optional {
            let zero = self.b.ins().iconst(PTR, 0);
            return Ok(self.b.ins().select(ok, o, zero));
        }
        let fail = self.b.create_block();
        self.b.set_cold_block(fail);
        let cont = self.b.create_block();
        self.b.ins().brif(ok, cont, &[], fail, &[]);
        self.b.switch_to_block(fail);
        let ti = self.type_info_addr(class)?;
        self.call_rt(RuntimeFn::ThrowCast, &[o, ti])?;
        self.jump_to_unwind();
        self.b.switch_to_block(cont);
        Ok(o)
    }

    /// `C(args)`: allocate, run `init`, give the object.
    pub(super) fn construct(&mut self, class: ClassId, args: &'h [Expr], descs: &'h [(Offset, Expr)]) -> R<Value> {
        let vals = self.values(args)?;
        let ti = self.type_info_addr(class)?;
        let size = match self.hir.classes[class].layout {
            Layout::Fixed => Some(self.hir.classes[class].size),
            _ => None,
        };
        let obj = self.alloc_object(ti, size)?;
        self.root(obj)?;
        // A generic class's type descriptors, before `init` reads them.
        for (offset, d) in descs {
            let v = self.value(d)?;
            let (addr, at) = self.offset_addr(obj, offset)?;
            self.b.ins().store(flags(), v, addr, at);
        }
        if let Some(init) = self.hir.classes[class].init.clone() {
            let mut all = vec![obj];
            all.extend(vals);
            self.call_callee(&init, all)?;
        }
        Ok(obj)
    }

    /// A value as an optional: boxed for value types, else unchanged.
    pub(super) fn wrap(&mut self, v: Value, ty: &Ty) -> R<Value> {
        if let Ty::Param(k, _) = ty {
            return self.wrap_param(v, *k);
        }
        if !ty.boxed_when_optional() {
            return Ok(v);
        }
        let w = self.word_of(v, ty);
        self.call_rt_value(RuntimeFn::BoxValue, &[w])
    }

    /// The value inside a non-nil optional of `inner`.
    pub(super) fn unbox(&mut self, v: Value, inner: &Ty) -> R<Value> {
        if let Ty::Param(k, _) = inner {
            return self.unbox_param(v, *k);
        }
        if !inner.boxed_when_optional() {
            return Ok(v);
        }
        let w = self.b.ins().load(types::I64, flags(), v, layout::boxed::VALUE);
        Ok(self.value_of_word(w, inner))
    }

    /// Evaluates an optional for immediate use: `(present, value)`, where
    /// `value` is only meaningful when `present` is set. Map lookups go
    /// through the entry position, so their values are never boxed.
    pub(super) fn optional_parts(&mut self, opt: &'h Expr) -> R<(Value, OptionalValue)> {
        if let ExprKind::MapGet(m, k) = &opt.kind {
            let mv = self.value(m)?;
            let kv = self.value(k)?;
            let kw = self.word_of(kv, &k.ty);
            let pos = self.call_rt_value(RuntimeFn::MapFind, &[mv, kw])?;
            self.check_key_exception(&k.ty)?;
            let present = self.b.ins().icmp_imm_s(IntCC::SignedGreaterThanOrEqual, pos, 0);
            return Ok((present, OptionalValue::MapEntry(mv, pos)));
        }
        let v = self.value(opt)?;
        let present = self.b.ins().icmp_imm_s(IntCC::NotEqual, v, 0);
        Ok((present, OptionalValue::Plain(v)))
    }

    /// The value of a present optional from [`Self::optional_parts`].
    pub(super) fn optional_value(&mut self, v: OptionalValue, inner: &Ty) -> R<Value> {
        match v {
            OptionalValue::Plain(v) => self.unbox(v, inner),
            OptionalValue::MapEntry(m, pos) => {
                let w = self.call_rt_value(RuntimeFn::MapValueAt, &[m, pos])?;
                Ok(self.value_of_word(w, inner))
            }
        }
    }

    /// `x!`: `NilError` when nil.
    pub(super) fn unwrap(&mut self, opt: &'h Expr, inner: &Ty) -> R<Value> {
        let (present, v) = self.optional_parts(opt)?;
        let fail = self.b.create_block();
        self.b.set_cold_block(fail);
        let cont = self.b.create_block();
        self.b.ins().brif(present, cont, &[], fail, &[]);
        self.b.switch_to_block(fail);
        self.call_rt(RuntimeFn::ThrowNil, &[])?;
        self.jump_to_unwind();
        self.b.switch_to_block(cont);
        self.optional_value(v, inner)
    }

    /// `a ?? b`: `b` is evaluated only when `a` is nil.
    pub(super) fn coalesce(&mut self, a: &'h Expr, b: &'h Expr, ty: &Ty) -> R<Value> {
        let (present, opt) = self.optional_parts(a)?;
        let t = clif_type(ty).unwrap_or(PTR);
        let some = self.b.create_block();
        let none = self.b.create_block();
        let join = self.b.create_block();
        let r = self.b.append_block_param(join, t);
        self.b.ins().brif(present, some, &[], none, &[]);
        self.b.switch_to_block(some);
        let v = self.optional_value(opt, ty)?;
        self.b.ins().jump(join, &[v.into()]);
        self.b.switch_to_block(none);
        let fallback = self.value(b)?;
        self.b.ins().jump(join, &[fallback.into()]);
        self.b.switch_to_block(join);
        Ok(r)
    }

    pub(super) fn if_let(&mut self, var: LocalId, opt: &'h Expr, then: &'h [Stmt], els: &'h [Stmt]) -> R<()> {
        let inner = match &opt.ty {
            Ty::Optional(t) => (**t).clone(),
            other => return Err(CodegenError(format!("`if let` on {other}"))),
        };
        let (present, v) = self.optional_parts(opt)?;
        let enter = |t: &mut Self| {
            let x = t.optional_value(v, &inner)?;
            t.set_local(var, x)?;
            Ok(())
        };
        self.branches(present, enter, then, els, [None, None])
    }

    pub(super) fn map_new(&mut self, ty: &Ty) -> R<Value> {
        let (k, v) = match ty {
            Ty::Map(k, v) => (k, v),
            Ty::Set(k) => (k, &Box::new(Ty::Int)),
            _ => return Err(CodegenError(format!("map literal of type {ty}"))),
        };
        let key_kind = self.b.ins().iconst(types::I8, i64::from(k.map_key_kind()));
        let vals_are_refs = self.b.ins().iconst(types::I8, i64::from(v.is_ref()));
        self.call_rt_value(RuntimeFn::MapNew, &[key_kind, vals_are_refs])
    }

    pub(super) fn map_literal(&mut self, pairs: &'h [(Expr, Expr)], ty: &Ty) -> R<Value> {
        let m = self.map_new(ty)?;
        self.root(m)?;
        for (k, v) in pairs {
            let kv = self.value(k)?;
            let kw = self.word_of(kv, &k.ty);
            let vv = self.value(v)?;
            let vw = self.word_of(vv, &v.ty);
            self.call_rt(RuntimeFn::MapSet, &[m, kw, vw])?;
            self.check_key_exception(&k.ty)?;
        }
        Ok(m)
    }

    /// After a map operation: a `Hashable` key's `hash()` or `equals()` may
    /// have thrown (other keys never do).
    pub(super) fn check_key_exception(&mut self, key: &Ty) -> R<()> {
        if key.map_key_kind() == tess_abi::layout::map_keys::HASHABLE {
            self.check_exception()?;
        }
        Ok(())
    }

    /// `m[k]` as an optional.
    pub(super) fn map_get(&mut self, m: Value, key: Value, key_ty: &Ty, value_ty: &Ty) -> R<Value> {
        let kw = self.word_of(key, key_ty);
        let boxed = self.b.ins().iconst(types::I8, i64::from(value_ty.boxed_when_optional()));
        let r = self.call_rt_value(RuntimeFn::MapGetOpt, &[m, kw, boxed])?;
        self.check_key_exception(key_ty)?;
        Ok(r)
    }

    /// `for (k, v) in m`: entry positions in insertion order, skipping
    /// removed ones; the map is evaluated (and kept alive) once.
    pub(super) fn for_map(&mut self, key: LocalId, value: LocalId, map: &'h Expr, body: &'h [Stmt]) -> R<()> {
        let m = self.value(map)?;
        self.root(m)?;
        let (kt, vt) = match &map.ty {
            Ty::Map(k, v) => ((**k).clone(), (**v).clone()),
            Ty::Set(k) => ((**k).clone(), Ty::Int),
            other => return Err(CodegenError(format!("for over {other}"))),
        };
        let zero = self.b.ins().iconst(types::I64, 0);
        self.counted_loop(
            zero,
            |t, i| {
                let n = t.call_rt_value(RuntimeFn::MapSlots, &[m])?;
                Ok(t.b.ins().icmp(IntCC::SignedLessThan, i, n))
            },
            |t, i, step| {
                let live = t.call_rt_value(RuntimeFn::MapLive, &[m, i])?;
                let entry = t.b.create_block();
                t.b.ins().brif(live, entry, &[], step, &[]);
                t.b.switch_to_block(entry);
                let kw = t.call_rt_value(RuntimeFn::MapKeyAt, &[m, i])?;
                let kv = t.value_of_word(kw, &kt);
                t.set_local(key, kv)?;
                let vw = t.call_rt_value(RuntimeFn::MapValueAt, &[m, i])?;
                let vv = t.value_of_word(vw, &vt);
                t.set_local(value, vv)?;
                Ok(())
            },
            None,
            body,
        )?;
        Ok(())
    }

    /// Fields, class tests and casts, optionals and map lookups.
    pub(super) fn object_expr(&mut self, e: &'h Expr) -> R<Option<Value>> {
        let v = match &e.kind {
            ExprKind::Field(o, offset) => {
                let obj = self.value(o)?;
                let (addr, at) = self.offset_addr(obj, offset)?;
                self.load_word(addr, at, &e.ty)
            }
            ExprKind::InstanceOf(v, class) => {
                let o = self.value(v)?;
                self.instance_of(o, *class)?
            }
            ExprKind::Cast { value, class, optional } => {
                let o = self.value(value)?;
                self.cast(o, *class, *optional)?
            }
            ExprKind::Wrap(v) => {
                let x = self.value(v)?;
                self.wrap(x, &v.ty)?
            }
            ExprKind::Unwrap(v) => self.unwrap(v, &e.ty)?,
            ExprKind::Coalesce(a, b) => self.coalesce(a, b, &e.ty)?,
            ExprKind::IsNil { value, negated } => {
                let x = self.value(value)?;
                let cc = if *negated { IntCC::NotEqual } else { IntCC::Equal };
                self.b.ins().icmp_imm_s(cc, x, 0)
            }
            ExprKind::MapLit(pairs) => return self.map_literal(pairs, &e.ty).map(Some),
            ExprKind::MapGet(m, k) => {
                let mv = self.value(m)?;
                let kv = self.value(k)?;
                let Ty::Optional(vt) = &e.ty else {
                    return Err(CodegenError(format!("map lookup of type {}", e.ty)));
                };
                self.map_get(mv, kv, &k.ty, vt)?
            }
            other => return Err(CodegenError(format!("object expression expected, found {other:?}"))),
        };
        Ok(Some(v))
    }
}
