//! `throw`, `try`/`catch`/`finally`, and leaving scopes (`break`,
//! `continue`, `return`) through the `finally` blocks they cross.
//!
//! A `try` body runs with a landing block on the handler stack: calls that
//! leave an exception pending branch there. The landing block takes the
//! exception, tests the `catch` clauses in order (`is`, O(1)), and runs the
//! first that matches; without a match, or when a `catch` body itself
//! throws, the `finally` block runs and the exception is thrown on to the
//! enclosing handler. `finally` code is emitted once per way out: normal
//! completion, propagation, and each `break`/`continue`/`return` that
//! crosses it.

use super::{flags, Edge, Raise, Scope, Translator, R};
use crate::abi::{clif_type, PTR};
use crate::CodegenError;
use cranelift_codegen::ir::{types, Block, InstBuilder, TrapCode, Value};
use cranelift_module::Module;
use tess_abi::RuntimeFn;
use tess_sema::hir::{Catch, Stmt};

impl<'h, M: Module> Translator<'_, '_, 'h, M> {
    /// Where a pending exception goes from here.
    pub(super) fn unwind_target(&mut self) -> Block {
        match self.handlers.last() {
            Some(&b) => b,
            None => self.unwind_block(),
        }
    }

    pub(super) fn throw(&mut self, e: Value) -> R<()> {
        self.call_rt(RuntimeFn::Throw, &[e])?;
        self.jump_to_unwind();
        Ok(())
    }

    /// Jumps where the pending exception goes, saying from which site.
    pub(super) fn jump_to_unwind(&mut self) {
        let target = self.unwind_target();
        let site = self.site_value();
        self.b.ins().jump(target, &[site.into()]);
    }

    /// The exception edge (`Edge`) from the current site to `target`,
    /// passing `args`; filled by [`Self::fill_cold_blocks`].
    fn edge_to(&mut self, target: Block, args: &[Value]) -> Block {
        let key = (target, self.site);
        if args.is_empty() {
            if let Some(&b) = self.plain_edges.get(&key) {
                return b;
            }
        }
        let block = self.b.create_block();
        self.b.set_cold_block(block);
        self.edges.push(Edge { block, target, args: args.to_vec(), site: self.site });
        if args.is_empty() {
            self.plain_edges.insert(key, block);
        }
        block
    }

    /// The current site as a value, for an exception edge.
    fn site_value(&mut self) -> Value {
        self.b.ins().iconst(types::I64, self.site)
    }

    /// A block exceptions arrive at: its parameter is the site they come
    /// from.
    fn exception_block(&mut self) -> Block {
        let block = self.b.create_block();
        self.b.set_cold_block(block);
        self.b.append_block_param(block, types::I64);
        block
    }

    /// Where an exception arrives: records where it was thrown, if that is
    /// not known yet (the site it came from, and every frame above this
    /// one: `tess_trace_capture`).
    fn capture_trace(&mut self, block: Block) -> R<()> {
        let site = *self.b.block_params(block).last().ok_or_else(|| CodegenError("no site".into()))?;
        let gv = self.mg.module.declare_data_in_func(self.mg.code_table, self.b.func);
        let table = self.b.ins().symbol_value(PTR, gv);
        let fp = self.b.ins().get_frame_pointer(PTR);
        self.call_rt(RuntimeFn::TraceCapture, &[table, site, fp])?;
        Ok(())
    }

    pub(super) fn try_stmt(&mut self, body: &'h [Stmt], catches: &'h [Catch], finally: Option<&'h [Stmt]>) -> R<()> {
        let exc_slot = self.take_slot()?;
        let ret_slot = self.take_slot()?;
        let landing = self.exception_block();
        let after = self.b.create_block();
        let outer_handlers = self.handlers.len();
        if let Some(f) = finally {
            self.body.scopes.push(Scope::Finally { body: f, handlers: outer_handlers, ret_slot });
        }

        // The body, with the landing block as its handler.
        self.handlers.push(landing);
        self.stmts(body)?;
        self.handlers.pop();
        if !self.is_terminated() {
            self.b.ins().jump(after, &[]);
        }

        // Catch clauses: a throw inside one propagates (through `finally`).
        let propagate = self.exception_block();
        self.b.switch_to_block(landing);
        self.capture_trace(landing)?;
        let e = self.call_rt_value(RuntimeFn::ExcTake, &[])?;
        self.store_slot(exc_slot, e);
        let rethrow = self.b.create_block();
        self.b.append_block_param(rethrow, PTR);
        for catch in catches {
            let matched = self.instance_of(e, catch.class)?;
            let body_b = self.b.create_block();
            let next = self.b.create_block();
            self.b.ins().brif(matched, body_b, &[], next, &[]);
            self.b.switch_to_block(body_b);
            self.set_local(catch.var, e)?;
            if finally.is_some() {
                self.handlers.push(propagate);
            }
            self.stmts(&catch.body)?;
            if finally.is_some() {
                self.handlers.pop();
            }
            if !self.is_terminated() {
                self.b.ins().jump(after, &[]);
            }
            self.b.switch_to_block(next);
        }
        self.b.ins().jump(rethrow, &[e.into()]);

        // An exception raised inside a catch body (only reachable with `finally`).
        self.b.switch_to_block(propagate);
        if finally.is_some() {
            self.capture_trace(propagate)?;
            let e2 = self.call_rt_value(RuntimeFn::ExcTake, &[])?;
            self.store_slot(exc_slot, e2);
            self.b.ins().jump(rethrow, &[e2.into()]);
        } else {
            self.b.ins().trap(cranelift_codegen::ir::TrapCode::unwrap_user(3));
        }

        // No catch matched: run `finally`, then throw the exception on.
        if finally.is_some() {
            self.body.scopes.pop();
        }
        self.b.switch_to_block(rethrow);
        let pending = self.b.block_params(rethrow)[0];
        if let Some(f) = finally {
            self.emit_finally(f, outer_handlers)?;
        }
        if !self.is_terminated() {
            self.throw(pending)?;
        }

        // Normal completion: run `finally` and go on.
        self.b.switch_to_block(after);
        if let Some(f) = finally {
            self.emit_finally(f, outer_handlers)?;
        }
        Ok(())
    }

    /// Emits a `finally` body with the handlers that were active outside
    /// its `try`.
    fn emit_finally(&mut self, f: &'h [Stmt], handlers: usize) -> R<()> {
        let saved_handlers = self.handlers.split_off(handlers);
        let r = self.stmts(f);
        self.handlers.extend(saved_handlers);
        r
    }

    /// `break` or `continue`: run the `finally` blocks up to the loop.
    pub(super) fn jump_out_of_loop(&mut self, is_break: bool) -> R<()> {
        let mut i = self.body.scopes.len();
        while i > 0 {
            i -= 1;
            match self.body.scopes[i] {
                Scope::Loop { cont, brk } => {
                    let saved = self.body.scopes.split_off(i + 1);
                    let r = self.run_finallys(&saved);
                    self.body.scopes.extend(saved);
                    r?;
                    if !self.is_terminated() {
                        self.b.ins().jump(if is_break { brk } else { cont }, &[]);
                    }
                    return Ok(());
                }
                Scope::Finally { .. } => {}
            }
        }
        Err(CodegenError("`break` outside of a loop".into()))
    }

    /// `return v`: run every enclosing `finally` of this body, keeping `v`
    /// alive in a slot meanwhile, then leave (or jump to the inline exit).
    pub(super) fn return_value(&mut self, v: Option<Value>, v_is_ref: bool) -> R<()> {
        let scopes = std::mem::take(&mut self.body.scopes);
        if v_is_ref {
            if let (Some(v), Some(Scope::Finally { ret_slot, .. })) =
                (v, scopes.iter().rev().find(|s| matches!(s, Scope::Finally { .. })))
            {
                self.store_slot(*ret_slot, v);
            }
        }
        let r = self.run_finallys(&scopes);
        self.body.scopes = scopes;
        r?;
        if self.is_terminated() {
            return Ok(());
        }
        match self.body.exit {
            Some(exit) => {
                let args: Vec<_> = v.into_iter().map(|v| v.into()).collect();
                self.b.ins().jump(exit, &args);
                Ok(())
            }
            None => self.leave(v),
        }
    }

    /// Emits the `finally` blocks of `scopes`, innermost first, each with
    /// the scopes outside it.
    fn run_finallys(&mut self, scopes: &[Scope<'h>]) -> R<()> {
        for (i, scope) in scopes.iter().enumerate().rev() {
            if let Scope::Finally { body, handlers, .. } = *scope {
                let saved = std::mem::replace(&mut self.body.scopes, scopes[..i].to_vec());
                let r = self.emit_finally(body, handlers);
                self.body.scopes = saved;
                r?;
                if self.is_terminated() {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// The block that leaves the function with the pending exception; it
    /// is filled in by [`Self::fill_cold_blocks`] once the body is done.
    pub(super) fn unwind_block(&mut self) -> Block {
        if let Some(b) = self.unwind {
            return b;
        }
        let block = self.exception_block();
        self.unwind = Some(block);
        block
    }

    /// Emits the exception edges, the shared raise blocks and the unwind
    /// block.
    pub(super) fn fill_cold_blocks(&mut self) -> R<()> {
        for e in std::mem::take(&mut self.edges) {
            self.b.switch_to_block(e.block);
            let site = self.b.ins().iconst(types::I64, e.site);
            let args: Vec<_> = e.args.iter().chain([&site]).map(|&v| v.into()).collect();
            self.b.ins().jump(e.target, &args);
        }
        let mut raises: Vec<_> = self.raise_blocks.iter().map(|(&k, &v)| (k, v)).collect();
        raises.sort_by_key(|(_, b)| *b);
        for ((what, target), block) in raises {
            self.b.switch_to_block(block);
            let mut params = self.b.block_params(block).to_vec();
            let site = params.pop().ok_or_else(|| CodegenError("a raise block without its site".into()))?;
            let f = match what {
                Raise::Overflow => RuntimeFn::ThrowOverflow,
                Raise::DivZero => RuntimeFn::ThrowDivZero,
                Raise::Index => RuntimeFn::ArrIndexError,
                Raise::Uninitialised => RuntimeFn::ThrowUninitialised,
            };
            self.call_rt(f, &params)?;
            self.b.ins().jump(target, &[site.into()]);
        }
        if let Some(block) = self.unwind {
            self.b.switch_to_block(block);
            self.capture_trace(block)?;
            if let Some(err) = self.err_out {
                // `throws`: hand the exception to C as an error handle.
                self.close_frame()?;
                self.call_rt(RuntimeFn::ErrorOut, &[err])?;
                let ret = clif_type(&self.body.func.ret).map(|t| self.zero(t));
                match ret {
                    Some(v) => self.b.ins().return_(&[v]),
                    None => self.b.ins().return_(&[]),
                };
            } else if self.body.func.extern_c {
                // C callers cannot see exceptions: report and abort.
                let name = self.mg.c_string(&self.body.func.name)?;
                let gv = self.mg.module.declare_data_in_func(name, self.b.func);
                let addr = self.b.ins().symbol_value(PTR, gv);
                self.call_rt(RuntimeFn::ExternUncaught, &[addr])?;
                self.b.ins().trap(TrapCode::unwrap_user(4));
            } else {
                let ret = clif_type(&self.body.func.ret).map(|t| self.zero(t));
                self.leave(ret)?;
            }
        }
        Ok(())
    }

    /// Tests the pending-exception slot after a call that may throw.
    pub(super) fn check_exception(&mut self) -> R<()> {
        let t = self.thread();
        let exc = self.b.ins().load(PTR, flags(), t, tess_abi::layout::thread::EXC);
        let target = self.unwind_target();
        let edge = self.edge_to(target, &[]);
        let cont = self.b.create_block();
        self.b.ins().brif(exc, edge, &[], cont, &[]);
        // Entered only from here.
        self.b.seal_block(cont);
        self.b.switch_to_block(cont);
        Ok(())
    }

    /// Branches, when `cond` is set, to the shared block that raises `what`
    /// (`Index` takes the array and the index), through this site's edge.
    pub(super) fn raise_if(&mut self, cond: Value, what: Raise, args: &[Value]) -> R<()> {
        let target = self.unwind_target();
        let raise = match self.raise_blocks.get(&(what, target)) {
            Some(&b) => b,
            None => {
                let block = self.b.create_block();
                self.b.set_cold_block(block);
                for _ in args {
                    self.b.append_block_param(block, PTR);
                }
                self.b.append_block_param(block, types::I64);
                self.raise_blocks.insert((what, target), block);
                block
            }
        };
        let edge = self.edge_to(raise, args);
        let cont = self.b.create_block();
        let from = self.b.current_block();
        self.b.ins().brif(cond, edge, &[], cont, &[]);
        // Entered only from here: sealed now, a variable read in it is the
        // value it had before the check (the same SSA value).
        self.b.seal_block(cont);
        self.b.switch_to_block(cont);
        self.carry_checked(from, cont);
        Ok(())
    }
}
