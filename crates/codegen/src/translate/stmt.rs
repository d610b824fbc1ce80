//! Statements: assignment, control flow and loops; each statement's
//! temporary slots are cleared when it completes.

use super::facts::Implied;
use super::{flags, Scope, Translator, R};
use crate::abi::PTR;
use crate::sites::Site;
use crate::CodegenError;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::SourceLoc;
use cranelift_codegen::ir::{types, Block, InstBuilder, Value};
use cranelift_module::Module;
use tess_abi::layout::{self};
use tess_abi::RuntimeFn;
use tess_sema::hir::{self, Expr, ExprKind, LocalId, Place, Stmt};
use tess_sema::ty::Ty;

impl<'h, M: Module> Translator<'_, '_, 'h, M> {
    /// Translates statements; each one's intermediate slots are cleared
    /// when it completes (so they keep nothing alive) and reused by the next.
    pub(super) fn stmts(&mut self, ss: &'h [Stmt]) -> R<()> {
        let narrowed = self.narrowed_mark();
        for s in ss {
            if self.is_terminated() {
                self.start_dead_block();
            }
            let base = self.next_slot;
            let outer_high = std::mem::replace(&mut self.stmt_high, base);
            let collects = crate::collects::stmt_may_collect(s, &self.mg.collects);
            let outer_collects = std::mem::replace(&mut self.stmt_collects, collects);
            self.forget_lengths_before(s);
            self.stmt(s)?;
            self.stmt_collects = outer_collects;
            let high = self.stmt_high;
            if !self.is_terminated() {
                self.null_slots(base..high);
            }
            self.stmt_high = outer_high.max(high);
            self.next_slot = base;
        }
        self.widen_to(narrowed);
        Ok(())
    }

    pub(super) fn stmt(&mut self, s: &'h Stmt) -> R<()> {
        if is_loop(s) {
            self.defer_inner_scopes(s);
        }
        match s {
            Stmt::Let(l, e) => {
                let v = self.value(e)?;
                self.set_local(*l, v)?;
                self.note_let(*l, e);
            }
            Stmt::Assign(place, e) => self.assign(place, e)?,
            Stmt::Expr(e) => {
                self.expr(e)?;
            }
            Stmt::If(c, t, e) => self.if_stmt(c, t, e)?,
            Stmt::While(c, body) => {
                let header = self.b.create_block();
                let body_b = self.b.create_block();
                let exit = self.b.create_block();
                self.b.ins().jump(header, &[]);
                self.b.switch_to_block(header);
                let cond = self.value(c)?;
                self.b.ins().brif(cond, body_b, &[], exit, &[]);
                self.b.switch_to_block(body_b);
                self.loop_body(body, header, exit)?;
                self.b.switch_to_block(exit);
            }
            Stmt::ForRange { var, lo, hi, inclusive, body } => self.for_range(*var, lo, hi, *inclusive, body)?,
            Stmt::ForEach { var, array, body } => self.for_each(*var, array, body)?,
            Stmt::Break | Stmt::Continue => self.jump_out_of_loop(matches!(s, Stmt::Break))?,
            Stmt::Return(e) => {
                let v = match e.as_deref() {
                    Some(Expr { kind: ExprKind::ToCString(s), .. }) => {
                        let s = self.value(s)?;
                        self.call_rt(RuntimeFn::StrKeepCString, &[s])?
                    }
                    Some(e) => self.expr(e)?,
                    None => None,
                };
                let is_ref = e.as_ref().is_some_and(|e| e.ty.is_ref());
                self.return_value(v, is_ref)?;
            }
            Stmt::Throw(e) => {
                let v = self.value(e)?;
                self.throw(v)?;
            }
            Stmt::SharedUpdate { global, old, new } => self.shared_update(*global, *old, new)?,
            Stmt::At(span) => self.at(*span),
            Stmt::InitClasses => {
                self.check_uses()?;
                self.init_classes()?
            }
            Stmt::Try { body, catches, finally } => self.try_stmt(body, catches, finally.as_deref())?,
            Stmt::IfLet { var, opt, then, els } => self.if_let(*var, opt, then, els)?,
            Stmt::ForMap { key, value, map, body } => self.for_map(*key, *value, map, body)?,
        }
        if is_loop(s) || matches!(s, Stmt::Try { .. }) {
            self.end_scope(s);
        }
        Ok(())
    }

    /// Marks the loops directly in loop `s`'s body whose locals can wait
    /// to be nulled until `s` ends: those between whose end and their next
    /// start nothing may collect (or unload a library) — the rest of the
    /// body, `s`'s header and their own header. A short inner loop then
    /// costs no stores per outer iteration (`bench/dispatch.tes`).
    fn defer_inner_scopes(&mut self, s: &'h Stmt) {
        let collecting = &self.mg.collects;
        if crate::collects::exprs_may_collect(&s.exprs(), collecting) {
            return;
        }
        for body in s.bodies() {
            for inner in body.iter().filter(|t| is_loop(t)) {
                let collects = |t: &Stmt| match std::ptr::eq(t, inner) {
                    true => crate::collects::exprs_may_collect(&t.exprs(), collecting),
                    false => crate::collects::stmt_may_collect(t, collecting),
                };
                if !body.iter().any(collects) {
                    self.deferred_scopes.insert(inner);
                }
            }
        }
    }

    /// After a loop or `try`: nulls the shadow slots of the reference locals
    /// bound inside it, which are out of scope, so that what they last held
    /// is not kept alive for the rest of the function (the collector would
    /// keep it, and `lib.unload()` would name it as still held). Once per
    /// loop, not per iteration — also for a loop inside another, whose
    /// next iteration may unload what the inner loop last held
    /// (`examples/hot_reload`), unless nothing between its end and its next
    /// start may collect: then when the loop around it ends.
    fn end_scope(&mut self, s: &'h Stmt) {
        if self.deferred_scopes.contains(&(s as *const Stmt)) {
            return;
        }
        let mut bound = Vec::new();
        let mut note = |s: &Stmt| match s {
            Stmt::Let(l, _) | Stmt::ForEach { var: l, .. } | Stmt::IfLet { var: l, .. } => bound.push(*l),
            Stmt::ForMap { key, value, .. } => bound.extend([*key, *value]),
            Stmt::Try { catches, .. } => bound.extend(catches.iter().map(|c| c.var)),
            _ => {}
        };
        note(s);
        for body in s.bodies() {
            Stmt::walk(body, &mut note);
        }
        // After a `try` whose every path returned, no code follows.
        if self.frame_base.is_none() || self.is_terminated() {
            return;
        }
        let zero = self.b.ins().iconst(PTR, 0);
        for l in bound {
            if let Some(slot) = self.body.local_slot[l] {
                self.store_slot(slot, zero);
            }
        }
    }

    /// `place = e`.
    fn assign(&mut self, place: &'h Place, e: &'h Expr) -> R<()> {
        match place {
            Place::Local(l) => {
                let v = self.value(e)?;
                self.set_local(*l, v)?;
            }
            Place::Global(g) => {
                let v = match &e.kind {
                    // `x op= e` in top-level code on a variable nothing else
                    // writes: `e` cannot change `x`, so it runs first and
                    // `x`'s value is not held across its calls.
                    ExprKind::Arith(op, x, y)
                        if matches!(x.kind, ExprKind::Global(h) if h == *g)
                            && x.ty.is_numeric()
                            && self.is_module_init()
                            && self.mg.init_only(*g) =>
                    {
                        let y = self.value(y)?;
                        let x_value = self.value(x)?;
                        self.arith(*op, x_value, y, &x.ty)?
                    }
                    _ => self.value(e)?,
                };
                self.write_var(*g, v)?;
            }
            Place::Index(a, i) => {
                let arr = self.value(a)?;
                let idx = self.value(i)?;
                let v = self.value(e)?;
                let addr = self.element_addr(a, i, arr, idx)?;
                if e.ty.is_ref() {
                    self.write_barrier(arr)?;
                }
                let element = self.element_flags();
                self.b.ins().store(element, v, addr, 0);
            }
            Place::Field(o, offset) => {
                let obj = self.value(o)?;
                let v = self.value(e)?;
                if e.ty.is_ref() {
                    self.write_barrier(obj)?;
                }
                let (addr, at) = self.offset_addr(obj, offset)?;
                self.b.ins().store(flags(), v, addr, at);
            }
            Place::MapEntry(m, k) => {
                let mv = self.value(m)?;
                let kv = self.value(k)?;
                let kw = self.word_of(kv, &k.ty);
                let v = self.value(e)?;
                let w = self.word_of(v, &e.ty);
                self.call_rt(RuntimeFn::MapSet, &[mv, kw, w])?;
                self.check_key_exception(&k.ty)?;
            }
        }
        Ok(())
    }

    /// `for var in lo..hi` (or `lo...hi`).
    fn for_range(&mut self, var: LocalId, lo: &'h Expr, hi: &'h Expr, inclusive: bool, body: &'h [Stmt]) -> R<()> {
        let lo_v = self.value(lo)?;
        let hi_v = self.value(hi)?;
        let cc = if inclusive { IntCC::SignedLessThanOrEqual } else { IntCC::SignedLessThan };
        let last = inclusive.then_some(hi_v);
        self.note_loop(var, lo, hi, inclusive, body);
        let looped = self.counted_loop(
            lo_v,
            |t, i| Ok(t.b.ins().icmp(cc, i, hi_v)),
            |t, i, _| {
                t.set_local(var, i)?;
                Ok(())
            },
            last,
            body,
        );
        self.forget_loop(var);
        looped
    }

    /// `for var in array`: the array is evaluated (and kept alive) once.
    fn for_each(&mut self, var: LocalId, array: &'h Expr, body: &'h [Stmt]) -> R<()> {
        let arr = self.value(array)?;
        self.root(arr)?;
        let elem_ty = match &array.ty {
            Ty::Array(t) => (**t).clone(),
            other => return Err(CodegenError(format!("for-each over {other}"))),
        };
        let zero = self.b.ins().iconst(types::I64, 0);
        self.counted_loop(
            zero,
            |t, i| {
                let header = t.header_flags();
                let len = t.b.ins().load(types::I64, header, arr, layout::array::LEN);
                Ok(t.b.ins().icmp(IntCC::SignedLessThan, i, len))
            },
            |t, i, _| {
                let header = t.header_flags();
                let data = t.b.ins().load(PTR, header, arr, layout::array::DATA);
                let off = t.b.ins().ishl_imm_u(i, 3);
                let addr = t.b.ins().iadd(data, off);
                let v = t.load_element(addr, &elem_ty);
                t.set_local(var, v)?;
                Ok(())
            },
            None,
            body,
        )?;
        Ok(())
    }

    /// `if cond { enter; then } else { els }`, joining afterwards; each
    /// side knows what `implied` says of a local there (`facts.rs`).
    pub(super) fn branches(
        &mut self,
        cond: Value,
        enter: impl FnOnce(&mut Self) -> R<()>,
        then: &'h [Stmt],
        els: &'h [Stmt],
        implied: [Implied; 2],
    ) -> R<()> {
        let then_b = self.b.create_block();
        let else_b = self.b.create_block();
        let join = self.b.create_block();
        self.b.ins().brif(cond, then_b, &[], else_b, &[]);
        self.b.switch_to_block(then_b);
        enter(self)?;
        self.arm(then, join, implied[0])?;
        self.b.switch_to_block(else_b);
        self.arm(els, join, implied[1])?;
        self.b.switch_to_block(join);
        Ok(())
    }

    /// `if c { then } else { els }`; each side knows what `c` (or its
    /// negation) says of a local, and after `if c { return }` the rest of
    /// the statement list knows `!c`.
    fn if_stmt(&mut self, c: &'h Expr, then: &'h [Stmt], els: &'h [Stmt]) -> R<()> {
        let cond = self.value(c)?;
        let implied = [self.implied(c, true), self.implied(c, false)];
        self.branches(cond, |_| Ok(()), then, els, implied)?;
        let leaves = matches!(then.last(), Some(Stmt::Return(_) | Stmt::Throw(_) | Stmt::Break | Stmt::Continue));
        if leaves && els.is_empty() {
            self.narrow_rest(implied[1]);
        }
        Ok(())
    }

    /// One side of a branch: its statements, knowing `implied`, then on to
    /// `join`.
    pub(super) fn arm(&mut self, body: &'h [Stmt], join: Block, implied: Implied) -> R<()> {
        let narrowed = self.narrow(implied);
        self.stmts(body)?;
        self.widen(narrowed);
        if !self.is_terminated() {
            self.b.ins().jump(join, &[]);
        }
        Ok(())
    }

    /// A loop over a counter from `start`: `test` gives the condition to
    /// go on, `enter` starts an iteration (it may jump to the step block to
    /// skip one), then the body runs. With `last`, the loop also ends after
    /// the iteration where the counter equals it, before `+ 1` could
    /// overflow.
    pub(super) fn counted_loop(
        &mut self,
        start: Value,
        mut test: impl FnMut(&mut Self, Value) -> R<Value>,
        mut enter: impl FnMut(&mut Self, Value, Block) -> R<()>,
        last: Option<Value>,
        body: &'h [Stmt],
    ) -> R<()> {
        let counter = self.b.declare_var(types::I64);
        self.b.def_var(counter, start);
        let header = self.b.create_block();
        let body_b = self.b.create_block();
        let step = self.b.create_block();
        let exit = self.b.create_block();
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(header);
        let i = self.b.use_var(counter);
        let go = test(self, i)?;
        self.b.ins().brif(go, body_b, &[], exit, &[]);
        self.b.switch_to_block(body_b);
        let i = self.b.use_var(counter);
        enter(self, i, step)?;
        self.loop_body(body, step, exit)?;
        self.b.switch_to_block(step);
        let i = self.b.use_var(counter);
        if let Some(hi) = last {
            let at_end = self.b.ins().icmp(IntCC::Equal, i, hi);
            let next_b = self.b.create_block();
            self.b.ins().brif(at_end, exit, &[], next_b, &[]);
            self.b.switch_to_block(next_b);
        }
        let next = self.b.ins().iadd_imm_s(i, 1);
        self.b.def_var(counter, next);
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(exit);
        Ok(())
    }

    pub(super) fn loop_body(&mut self, body: &'h [Stmt], cont: Block, exit: Block) -> R<()> {
        self.loops = true;
        self.body.scopes.push(Scope::Loop { cont, brk: exit });
        self.stmts(body)?;
        self.body.scopes.pop();
        if !self.is_terminated() {
            self.b.ins().jump(cont, &[]);
        }
        Ok(())
    }

    /// A source statement starts: its site is what the code after it
    /// comes from, for stack traces and the debugger.
    fn at(&mut self, span: tess_syntax::Span) {
        let hir = self.hir;
        let func = self.body.func;
        let Some(file) = hir.files.get(span.file.0 as usize) else { return };
        let (line, col) = file.position(span.lo);
        // One name lookup per function and file, not per statement.
        let func_key = func as *const hir::Func as usize;
        let name = match self.site_names {
            Some((key, file_key, name, file_name)) if key == func_key && file_key == span.file.0 => (name, file_name),
            _ => {
                let name = self.mg.sites.name(&crate::sites::display_name(hir, func));
                let file_name = self.mg.sites.name(&file.name);
                self.site_names = Some((func_key, span.file.0, name, file_name));
                (name, file_name)
            }
        };
        let parent = self.inline_sites.last().and_then(|&s| u32::try_from(s).ok());
        let site = Site { func: name.0, file: name.1, line, col, parent };
        let n = self.mg.sites.number(site);
        self.site = i64::from(n);
        self.b.set_srcloc(SourceLoc::new(n));
    }
}

/// Whether `s` is a loop, whose locals go out of scope when it ends.
fn is_loop(s: &Stmt) -> bool {
    matches!(s, Stmt::While(..) | Stmt::ForRange { .. } | Stmt::ForEach { .. } | Stmt::ForMap { .. })
}
