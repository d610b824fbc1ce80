//! Calls: of this module's functions (inlined when small), of the
//! runtime through its table, virtual and indirect calls, and the call
//! expressions that choose among them.

use super::facts::Range;
use super::{flags, Body, Translator, R};
use crate::abi::{self, clif_type, PTR};
use crate::slots;
use crate::CodegenError;
use cranelift_codegen::ir::{types, FuncRef, InstBuilder, StackSlotData, StackSlotKind, TrapCode, Value};
use cranelift_module::Module;
use tess_abi::RuntimeFn;
use tess_sema::hir::{self, Callee, Expr, ExprKind, Offset};
use tess_sema::ty::Ty;

impl<'h, M: Module> Translator<'_, '_, 'h, M> {
    /// Calls: direct, virtual, indirect, of the runtime, and construction.
    pub(super) fn call_expr(&mut self, e: &'h Expr) -> R<Option<Value>> {
        match &e.kind {
            ExprKind::Call(f, args) => {
                let ranges: Vec<Range> = args.iter().map(|a| self.range_of(a)).collect();
                let vals = self.values(args)?;
                self.call_func(*f, vals, &ranges)
            }
            ExprKind::CallDirect(callee, args) => {
                let vals = self.values(args)?;
                self.call_callee(callee, vals)
            }
            ExprKind::CallVirtual { slot, args } => self.call_virtual(slot, args, &e.ty),
            ExprKind::New { class, args, descs } => self.construct(*class, args, descs).map(Some),
            ExprKind::CallIndirect(f, args) => self.call_indirect(f, args),
            ExprKind::Closure { func, class, captures } => self.make_closure(*func, *class, captures).map(Some),
            ExprKind::CFunction(raw) => self.c_function(raw, &e.ty).map(Some),
            ExprKind::CallInterface { iface, slot, args } => self.call_interface(*iface, slot, args, &e.ty),
            ExprKind::ToAny(value) => self.as_any(value).map(Some),
            ExprKind::Implements(value, iface) => {
                let o = self.value(value)?;
                let desc = self.iface_descriptor(*iface)?;
                self.call_rt(RuntimeFn::Implements, &[o, desc])
            }
            ExprKind::CastInterface { value, iface, optional } => {
                let o = self.value(value)?;
                let desc = self.iface_descriptor(*iface)?;
                let opt = self.b.ins().iconst(types::I8, i64::from(*optional));
                let r = self.call_rt(RuntimeFn::IfaceCast, &[o, desc, opt])?;
                self.check_exception()?;
                Ok(r)
            }
            ExprKind::Rt { func: RuntimeFn::ArrPush, args } => {
                let vals = self.values(args)?;
                let Ty::Array(elem) = &args[0].ty else {
                    return Err(CodegenError(format!("push on a {}", args[0].ty)));
                };
                self.array_push(vals[0], vals[1], elem)?;
                Ok(None)
            }
            ExprKind::Rt { func: RuntimeFn::ArrPop, args } => {
                let vals = self.values(args)?;
                self.array_pop(vals[0]).map(Some)
            }
            ExprKind::Rt { func: RuntimeFn::StrByteAt, args } => {
                let vals = self.values(args)?;
                self.string_byte_at(vals[0], vals[1]).map(Some)
            }
            ExprKind::Rt { func, args } => {
                let vals = self.values(args)?;
                let r = self.call_rt(*func, &vals)?;
                if func.may_throw() {
                    self.check_exception()?;
                }
                Ok(r)
            }
            other => Err(CodegenError(format!("call expression expected, found {other:?}"))),
        }
    }

    /// A call of a function value: its code, given the value itself
    /// first (`docs/abi.md`, closures).
    fn call_indirect(&mut self, f: &'h Expr, args: &'h [Expr]) -> R<Option<Value>> {
        let callee = self.value(f)?;
        let mut vals = vec![callee];
        vals.extend(self.values(args)?);
        let Ty::Fn(params, ret) = &f.ty else {
            return Err(CodegenError(format!("calling a value of type {}", f.ty)));
        };
        let with_env = [&[Ty::CPointer], &params[..]].concat();
        let sig = abi::tessera_signature(self.call_conv, &with_env, ret);
        let sigref = self.b.import_signature(sig);
        let code = self.b.ins().load(PTR, flags(), callee, tess_abi::layout::closure::CODE);
        vals.push(self.thread());
        let call = self.b.ins().call_indirect(sigref, code, &vals);
        let r = self.b.inst_results(call).first().copied();
        self.check_exception()?;
        Ok(r)
    }

    /// A direct call of one of this module's functions (inlined when
    /// small, where the arguments' known `ranges` carry over).
    pub(super) fn call_func(&mut self, f: hir::FuncId, vals: Vec<Value>, ranges: &[Range]) -> R<Option<Value>> {
        let bodies = self.bodies;
        let body = bodies.get(f).unwrap_or_default();
        if slots::inlinable(self.hir, bodies, f, &self.inlined) {
            return self.inline_call(f, vals, ranges, |t| t.stmts(body));
        }
        if let Some(guard) = slots::guard_inlinable(self.hir, bodies, f, &self.inlined) {
            // The callee's early return inlined; past it, the call.
            let body = &body[..=guard];
            return self.inline_call(f, vals, ranges, |t| {
                t.stmts(body)?;
                let params = &t.body.func.params;
                let args: Vec<Value> = params.iter().map(|&p| t.b.use_var(t.body.vars[p])).collect();
                let r = t.call_outright(f, args)?;
                t.return_value(r, false)
            });
        }
        self.call_outright(f, vals)
    }

    /// A call of one of this module's functions, never inlined.
    fn call_outright(&mut self, f: hir::FuncId, vals: Vec<Value>) -> R<Option<Value>> {
        let fref = {
            let id = self.mg.func(f)?;
            self.mg.module.declare_func_in_func(id, self.b.func)
        };
        let func = &self.hir.funcs[f];
        if func.extern_c && func.external && func.throws_c {
            return self.call_reporting_c(fref, vals);
        }
        let mut vals = vals;
        if abi::takes_thread(func) {
            let t = self.thread();
            vals.push(t);
        }
        let call = self.b.ins().call(fref, &vals);
        let r = self.b.inst_results(call).first().copied();
        // C functions do not throw.
        if !(func.extern_c && func.external) {
            self.check_exception()?;
        }
        Ok(r)
    }

    /// A call of an `extern fn ... throws` declaration (MODULES.md §5): a
    /// last argument `tess_error **err` (a zeroed stack slot); what the
    /// function reports there is rethrown as a Tessera exception.
    fn call_reporting_c(&mut self, fref: FuncRef, mut vals: Vec<Value>) -> R<Option<Value>> {
        let slot = self.b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 8, 3));
        let zero = self.b.ins().iconst(PTR, 0);
        self.b.ins().stack_store(PTR, zero, slot, 0);
        vals.push(self.b.ins().stack_addr(PTR, slot, 0));
        let call = self.b.ins().call(fref, &vals);
        let r = self.b.inst_results(call).first().copied();
        let err = self.b.ins().stack_load(PTR, PTR, slot, 0);
        let (table, n) = self.mg.error_class_table()?;
        let gv = self.mg.module.declare_data_in_func(table, self.b.func);
        let table = self.b.ins().symbol_value(PTR, gv);
        let n = self.b.ins().iconst(types::I64, n as i64);
        self.call_rt(RuntimeFn::ErrorRethrow, &[err, table, n])?;
        self.check_exception()?;
        Ok(r)
    }

    /// Translates a call by inlining the callee: `body` translates its
    /// statements (all of them, or its early return and then a call); its
    /// `return`s jump to a join block, and its exceptions leave through
    /// this function's own unwind path, as a real call's would.
    pub(super) fn inline_call(
        &mut self,
        f: hir::FuncId,
        args: Vec<Value>,
        ranges: &[Range],
        body: impl FnOnce(&mut Self) -> R<()>,
    ) -> R<Option<Value>> {
        let callee = &self.hir.funcs[f];
        let stmts = self.bodies.get(f).unwrap_or_default();
        let exit = self.b.create_block();
        let result = clif_type(&callee.ret).map(|t| self.b.append_block_param(exit, t));
        let outer = std::mem::replace(&mut self.body, Body::new(callee, stmts, Some(exit)));
        self.inlined.push(f);
        self.inline_sites.push(self.site);
        let r = self.bind_locals(&args).and_then(|()| {
            self.note_params(ranges);
            body(self)
        });
        if r.is_ok() && !self.is_terminated() {
            if callee.ret == Ty::Void {
                self.b.ins().jump(exit, &[]);
            } else {
                self.b.ins().trap(TrapCode::unwrap_user(1));
            }
        }
        self.inlined.pop();
        self.body = outer;
        // The rest of the caller's statement is the caller's site again.
        self.site = self.inline_sites.pop().unwrap_or(-1);
        if let Ok(n) = u32::try_from(self.site) {
            self.b.set_srcloc(cranelift_codegen::ir::SourceLoc::new(n));
        }
        r?;
        self.b.switch_to_block(exit);
        Ok(result)
    }

    /// A direct call of a function of this module or of the runtime.
    pub(super) fn call_callee(&mut self, callee: &Callee, args: Vec<Value>) -> R<Option<Value>> {
        match callee {
            Callee::Func(f) => self.call_func(*f, args, &[]),
            Callee::Runtime(f) => {
                let r = self.call_rt(*f, &args)?;
                if f.may_throw() {
                    self.check_exception()?;
                }
                Ok(r)
            }
        }
    }

    /// `recv.m(args)` through the receiver's virtual-table slot at `slot`.
    pub(super) fn call_virtual(&mut self, slot: &Offset, args: &'h [Expr], ret: &Ty) -> R<Option<Value>> {
        let mut vals = self.values(args)?;
        let ti = self.type_info_of(vals[0]);
        let (addr, at) = self.offset_addr(ti, slot)?;
        let code = self.b.ins().load(PTR, flags(), addr, at);
        let params: Vec<Ty> = args.iter().map(|a| a.ty.clone()).collect();
        let sig = crate::abi::tessera_signature(self.call_conv, &params, ret);
        let t = self.thread();
        vals.push(t);
        let sigref = self.b.import_signature(sig);
        let call = self.b.ins().call_indirect(sigref, code, &vals);
        let r = self.b.inst_results(call).first().copied();
        self.check_exception()?;
        Ok(r)
    }

    /// Calls a runtime function with the signature its table entry gives;
    /// its result, if it has one.
    pub(super) fn call_rt(&mut self, f: RuntimeFn, args: &[Value]) -> R<Option<Value>> {
        let id = self.mg.runtime_fn(f)?;
        let fref = self.mg.module.declare_func_in_func(id, self.b.func);
        let call = if f.takes_thread() {
            let mut all = args.to_vec();
            all.push(self.thread());
            self.b.ins().call(fref, &all)
        } else {
            self.b.ins().call(fref, args)
        };
        Ok(self.b.inst_results(call).first().copied())
    }

    /// Calls a runtime function that has a result, and gives it.
    pub(super) fn call_rt_value(&mut self, f: RuntimeFn, args: &[Value]) -> R<Value> {
        self.call_rt(f, args)?.ok_or_else(|| CodegenError(format!("`{}` has no result", f.name())))
    }
}
