//! Translation of one HIR function to Cranelift IR.
//!
//! Frame protocol (see `docs/abi.md`): a function that holds references
//! reserves `n` shadow-stack slots on entry (`base = tess_ss_top;
//! tess_ss_top = base + n`), zeroes them, stores every live reference in
//! its slot, and restores `tess_ss_top = base` on every exit. After each
//! call that may throw it tests `tess_exc` and, when set, leaves through
//! the unwind path, which returns at once.

mod exceptions;
mod objects;

use crate::abi::{self, clif_type, PTR};
use crate::module_gen::ModuleGen;
use crate::slots::{self, needs_root, roots_itself};
use crate::CodegenError;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    types, Block, Function, InstBuilder, MemFlagsData, StackSlotData, StackSlotKind, TrapCode, Type, Value,
};
use cranelift_codegen::isa::CallConv;
use cranelift_codegen::packed_option::ReservedValue;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_module::Module;
use std::collections::HashMap;
use tess_abi::{layout, RuntimeData, RuntimeFn};
use tess_sema::hir::{self, Arith, Cmp, Expr, ExprKind, MathFn, Place, Stmt};
use tess_sema::ty::Ty;

type R<T> = Result<T, CodegenError>;

fn flags() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// Runtime failures that compiled code raises through a shared block.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Raise {
    Overflow,
    DivZero,
    Index,
    /// A module variable read before its initialiser ran.
    Uninitialised,
}

pub(crate) fn translate<'h, M: Module>(
    mg: &mut ModuleGen<'h, M>,
    func: &'h hir::Func,
    out: &mut Function,
    fctx: &mut FunctionBuilderContext,
) -> R<()> {
    let call_conv = mg.module.isa().default_call_conv();
    let hir = mg.hir;
    let mut t = Translator {
        b: FunctionBuilder::new(out, fctx),
        mg,
        hir,
        body: Body::new(func, None),
        inlined: Vec::new(),
        nslots: slots::count(hir, func),
        next_slot: 0,
        frame_base: None,
        runtime_addrs: RuntimeAddrs { ss_top: Value::reserved_value(), exc: Value::reserved_value() },
        unwind: None,
        raise_blocks: HashMap::new(),
        handlers: Vec::new(),
        stmt_high: 0,
        err_out: None,
        call_conv,
    };
    t.run()?;
    let frontend = t.mg.module.isa().frontend_config();
    t.b.finalize(frontend);
    Ok(())
}

/// The HIR function whose statements are being translated: the function
/// itself, or a callee being inlined into it.
struct Body<'a> {
    func: &'a hir::Func,
    vars: Vec<Variable>,
    local_slot: Vec<Option<u32>>,
    /// Enclosing loops and `finally` blocks, innermost last.
    scopes: Vec<Scope<'a>>,
    /// Where `return` goes when this body is inlined.
    exit: Option<Block>,
}

impl<'a> Body<'a> {
    fn new(func: &'a hir::Func, exit: Option<Block>) -> Body<'a> {
        Body { func, vars: Vec::new(), local_slot: vec![None; func.locals.len()], scopes: Vec::new(), exit }
    }
}

/// Addresses of `tess_ss_top` and `tess_exc`, set in the entry block.
struct RuntimeAddrs {
    ss_top: Value,
    exc: Value,
}

/// A construct that `break`, `continue` and `return` must respect.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Loop {
        cont: Block,
        brk: Block,
    },
    /// A `try` with a `finally` body; `handlers` is the depth of the handler
    /// stack outside the `try`, `ret_slot` keeps a returned value alive
    /// while the `finally` body runs.
    Finally {
        body: &'a [Stmt],
        handlers: usize,
        ret_slot: u32,
    },
}

struct Translator<'a, 'h, M: Module> {
    b: FunctionBuilder<'a>,
    mg: &'a mut ModuleGen<'h, M>,
    hir: &'h hir::Module,
    body: Body<'h>,
    /// Callees being inlined, innermost last (never inlined again inside).
    inlined: Vec<hir::FuncId>,
    nslots: u32,
    next_slot: u32,
    frame_base: Option<Value>,
    runtime_addrs: RuntimeAddrs,
    unwind: Option<Block>,
    raise_blocks: HashMap<(Raise, Block), Block>,
    /// Landing blocks of the enclosing `try` bodies, innermost last.
    handlers: Vec<Block>,
    /// One past the highest slot taken by the statement being translated.
    stmt_high: u32,
    /// The `tess_error **err` parameter of an `extern fn ... throws`.
    err_out: Option<Value>,
    call_conv: CallConv,
}

impl<'h, M: Module> Translator<'_, 'h, M> {
    fn run(&mut self) -> R<()> {
        let entry = self.b.create_block();
        self.b.append_block_params_for_function_params(entry);
        self.b.switch_to_block(entry);
        // Addresses of the runtime's state, computed once per call (unused
        // ones are removed by Cranelift).
        self.runtime_addrs = RuntimeAddrs {
            ss_top: self.data_addr(RuntimeData::ShadowStackTop)?,
            exc: self.data_addr(RuntimeData::PendingException)?,
        };
        if self.nslots > 0 {
            self.open_frame()?;
        }
        let params = self.b.block_params(entry).to_vec();
        if self.body.func.throws_c {
            self.err_out = params.last().copied();
        }
        self.bind_locals(&params)?;
        if self.is_module_init() {
            self.init_once()?;
            self.register_module()?;
            self.register_global_roots()?;
        }
        self.stmts(&self.body.func.body)?;
        if !self.is_terminated() {
            if self.body.func.ret == Ty::Void {
                self.leave(None)?;
            } else {
                self.b.ins().trap(TrapCode::unwrap_user(1));
            }
        }
        self.fill_cold_blocks()?;
        self.b.seal_all_blocks();
        Ok(())
    }

    /// Declares the current body's locals, binds its parameters to `args`
    /// and gives every reference-typed local other than a parameter a
    /// shadow slot (arguments are kept alive by the caller).
    fn bind_locals(&mut self, args: &[Value]) -> R<()> {
        let func = self.body.func;
        for local in &func.locals {
            let ty = clif_type(&local.ty).unwrap_or(types::I64);
            let var = self.b.declare_var(ty);
            self.body.vars.push(var);
        }
        for (i, &l) in func.params.iter().enumerate() {
            self.b.def_var(self.body.vars[l], args[i]);
        }
        for (l, local) in func.locals.iter().enumerate() {
            if local.ty.is_ref() && !func.params.contains(&l) {
                self.body.local_slot[l] = Some(self.take_slot()?);
            }
        }
        Ok(())
    }

    /// Translates a call by inlining the callee's body: its `return`s jump
    /// to a join block, and its exceptions leave through this function's
    /// own unwind path, as a real call's would.
    fn inline_call(&mut self, f: hir::FuncId, args: Vec<Value>) -> R<Option<Value>> {
        let callee = &self.hir.funcs[f];
        let exit = self.b.create_block();
        let result = clif_type(&callee.ret).map(|t| self.b.append_block_param(exit, t));
        let outer = std::mem::replace(&mut self.body, Body::new(callee, Some(exit)));
        self.inlined.push(f);
        let r = self.bind_locals(&args).and_then(|()| self.stmts(&callee.body));
        if r.is_ok() && !self.is_terminated() {
            if callee.ret == Ty::Void {
                self.b.ins().jump(exit, &[]);
            } else {
                self.b.ins().trap(TrapCode::unwrap_user(1));
            }
        }
        self.inlined.pop();
        self.body = outer;
        r?;
        self.b.switch_to_block(exit);
        Ok(result)
    }

    // ---- frame, exits and exceptions ----

    fn data_addr(&mut self, data: RuntimeData) -> R<Value> {
        let id = self.mg.data_import(data.name())?;
        let gv = self.mg.module.declare_data_in_func(id, self.b.func);
        Ok(self.b.ins().symbol_value(PTR, gv))
    }

    fn open_frame(&mut self) -> R<()> {
        let top_addr = self.runtime_addrs.ss_top;
        let base = self.b.ins().load(PTR, flags(), top_addr, 0);
        let new_top = self.b.ins().iadd_imm_s(base, i64::from(self.nslots) * 8);
        self.b.ins().store(flags(), new_top, top_addr, 0);
        let zero = self.b.ins().iconst(PTR, 0);
        for i in 0..self.nslots {
            self.b.ins().store(flags(), zero, base, (i * 8) as i32);
        }
        self.frame_base = Some(base);
        Ok(())
    }

    fn take_slot(&mut self) -> R<u32> {
        let s = self.next_slot;
        if s >= self.nslots {
            return Err(CodegenError(format!("{}: shadow-stack slots undercounted", self.body.func.symbol)));
        }
        self.next_slot += 1;
        self.stmt_high = self.stmt_high.max(self.next_slot);
        Ok(s)
    }

    /// Keeps a reference alive for the rest of the frame.
    fn root(&mut self, v: Value) -> R<()> {
        let slot = self.take_slot()?;
        self.store_slot(slot, v);
        Ok(())
    }

    fn store_slot(&mut self, slot: u32, v: Value) {
        if let Some(base) = self.frame_base {
            self.b.ins().store(flags(), v, base, (slot * 8) as i32);
        }
    }

    /// Whether the body being translated is the module's init entry.
    fn is_module_init(&self) -> bool {
        std::ptr::eq(self.body.func, &self.hir.funcs[self.hir.init])
    }

    /// The init entry runs once however often it is called (MODULES.md
    /// §4): a flag in the module's data guards it.
    fn init_once(&mut self) -> R<()> {
        let flag = self.mg.init_flag()?;
        let gv = self.mg.module.declare_data_in_func(flag, self.b.func);
        let addr = self.b.ins().symbol_value(PTR, gv);
        let done = self.b.ins().load(types::I8, flags(), addr, 0);
        let first = self.b.create_block();
        let again = self.b.create_block();
        self.b.ins().brif(done, again, &[], first, &[]);
        self.b.switch_to_block(again);
        self.leave(None)?;
        self.b.switch_to_block(first);
        let one = self.b.ins().iconst(types::I8, 1);
        self.b.ins().store(flags(), one, addr, 0);
        Ok(())
    }

    /// Tells the runtime this module is loaded, with the fingerprints of its
    /// interface (what `loadLibrary` checks plugins against).
    fn register_module(&mut self) -> R<()> {
        let rows: Vec<Vec<String>> = self.hir.interface.fingerprints().into_iter().map(|(d, f)| vec![d, f]).collect();
        let symbol = format!("{}.fingerprints", self.hir.funcs[self.hir.init].symbol);
        let table = self.mg.c_string_table(&symbol, &rows, layout::fingerprint_table::WIDTH)?;
        let name = self.mg.c_string(&self.hir.name)?;
        let mut args = Vec::new();
        for id in [name, table] {
            let gv = self.mg.module.declare_data_in_func(id, self.b.func);
            args.push(self.b.ins().symbol_value(PTR, gv));
        }
        args.push(self.b.ins().iconst(types::I64, rows.len() as i64));
        self.call_rt(RuntimeFn::RegisterModule, &args)?;
        Ok(())
    }

    /// Registers the module's reference-typed variables as static roots.
    fn register_global_roots(&mut self) -> R<()> {
        for (g, global) in self.hir.globals.iter().enumerate() {
            // Each module registers its own variables.
            if global.ty.is_ref() && !global.external {
                let gv = {
                    let id = self.mg.global(g)?;
                    self.mg.module.declare_data_in_func(id, self.b.func)
                };
                let addr = self.b.ins().symbol_value(PTR, gv);
                let one = self.b.ins().iconst(types::I64, 1);
                self.call_rt(RuntimeFn::GcAddRoots, &[addr, one])?;
            }
        }
        Ok(())
    }

    fn close_frame(&mut self) -> R<()> {
        if let Some(base) = self.frame_base {
            let top_addr = self.runtime_addrs.ss_top;
            self.b.ins().store(flags(), base, top_addr, 0);
        }
        Ok(())
    }

    fn leave(&mut self, v: Option<Value>) -> R<()> {
        self.close_frame()?;
        match v {
            Some(v) => self.b.ins().return_(&[v]),
            None => self.b.ins().return_(&[]),
        };
        Ok(())
    }

    fn is_terminated(&self) -> bool {
        match self.b.current_block() {
            Some(block) => {
                self.b.func.layout.last_inst(block).is_some_and(|i| self.b.func.dfg.insts[i].opcode().is_terminator())
            }
            None => true,
        }
    }

    /// After a jump or return: later statements go to a fresh, unreachable block.
    fn start_dead_block(&mut self) {
        let b = self.b.create_block();
        self.b.switch_to_block(b);
    }

    /// The block that leaves the function with the pending exception; it
    /// is filled in by [`Self::fill_cold_blocks`] once the body is done.
    fn unwind_block(&mut self) -> Block {
        if let Some(b) = self.unwind {
            return b;
        }
        let block = self.b.create_block();
        self.b.set_cold_block(block);
        self.unwind = Some(block);
        block
    }

    /// Emits the shared raise blocks and the unwind block.
    fn fill_cold_blocks(&mut self) -> R<()> {
        let mut raises: Vec<_> = self.raise_blocks.iter().map(|(&k, &v)| (k, v)).collect();
        raises.sort_by_key(|(_, b)| *b);
        for ((what, target), block) in raises {
            self.b.switch_to_block(block);
            let params = self.b.block_params(block).to_vec();
            let f = match what {
                Raise::Overflow => RuntimeFn::ThrowOverflow,
                Raise::DivZero => RuntimeFn::ThrowDivZero,
                Raise::Index => RuntimeFn::ArrIndexError,
                Raise::Uninitialised => RuntimeFn::ThrowUninitialised,
            };
            self.call_rt(f, &params)?;
            self.b.ins().jump(target, &[]);
        }
        if let Some(block) = self.unwind {
            self.b.switch_to_block(block);
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

    fn zero(&mut self, t: Type) -> Value {
        if t == types::F64 {
            self.b.ins().f64const(0.0)
        } else {
            self.b.ins().iconst(t, 0)
        }
    }

    /// Tests the pending-exception slot after a call that may throw.
    fn check_exception(&mut self) -> R<()> {
        let exc_addr = self.runtime_addrs.exc;
        let exc = self.b.ins().load(PTR, flags(), exc_addr, 0);
        let unwind = self.unwind_target();
        let cont = self.b.create_block();
        self.b.ins().brif(exc, unwind, &[], cont, &[]);
        self.b.switch_to_block(cont);
        Ok(())
    }

    /// Branches to a shared block that raises `what` when `cond` is set.
    /// `Index` blocks take (array, index) arguments.
    fn raise_if(&mut self, cond: Value, what: Raise, args: &[Value]) -> R<()> {
        let target = self.unwind_target();
        let block = match self.raise_blocks.get(&(what, target)) {
            Some(&b) => b,
            None => {
                let block = self.b.create_block();
                self.b.set_cold_block(block);
                for _ in args {
                    self.b.append_block_param(block, PTR);
                }
                self.raise_blocks.insert((what, target), block);
                block
            }
        };
        let cont = self.b.create_block();
        let block_args: Vec<_> = args.iter().map(|&v| v.into()).collect();
        self.b.ins().brif(cond, block, &block_args, cont, &[]);
        self.b.switch_to_block(cont);
        Ok(())
    }

    /// Calls a runtime function with the signature its table entry gives;
    /// its result, if it has one.
    fn call_rt(&mut self, f: RuntimeFn, args: &[Value]) -> R<Option<Value>> {
        let id = self.mg.runtime_fn(f)?;
        let fref = self.mg.module.declare_func_in_func(id, self.b.func);
        let call = self.b.ins().call(fref, args);
        Ok(self.b.inst_results(call).first().copied())
    }

    /// Calls a runtime function that has a result, and gives it.
    fn call_rt_value(&mut self, f: RuntimeFn, args: &[Value]) -> R<Value> {
        self.call_rt(f, args)?.ok_or_else(|| CodegenError(format!("`{}` has no result", f.name())))
    }

    // ---- statements ----

    /// Translates statements; each one's intermediate slots are cleared
    /// when it completes (so they keep nothing alive) and reused by the next.
    fn stmts(&mut self, ss: &'h [Stmt]) -> R<()> {
        for s in ss {
            if self.is_terminated() {
                self.start_dead_block();
            }
            let base = self.next_slot;
            let outer_high = std::mem::replace(&mut self.stmt_high, base);
            self.stmt(s)?;
            let high = self.stmt_high;
            if !self.is_terminated() && high > base {
                let zero = self.b.ins().iconst(PTR, 0);
                for slot in base..high {
                    self.store_slot(slot, zero);
                }
            }
            self.stmt_high = outer_high.max(high);
            self.next_slot = base;
        }
        Ok(())
    }

    fn set_local(&mut self, l: usize, v: Value) {
        self.b.def_var(self.body.vars[l], v);
        if let Some(slot) = self.body.local_slot[l] {
            self.store_slot(slot, v);
        }
    }

    fn stmt(&mut self, s: &'h Stmt) -> R<()> {
        match s {
            Stmt::Let(l, e) => {
                let v = self.value(e)?;
                self.set_local(*l, v);
            }
            Stmt::Assign(place, e) => match place {
                Place::Local(l) => {
                    let v = self.value(e)?;
                    self.set_local(*l, v);
                }
                Place::Global(g) => {
                    let v = self.value(e)?;
                    let gv = {
                        let id = self.mg.global(*g)?;
                        self.mg.module.declare_data_in_func(id, self.b.func)
                    };
                    let addr = self.b.ins().symbol_value(PTR, gv);
                    self.b.ins().store(flags(), v, addr, 0);
                }
                Place::Index(a, i) => {
                    let arr = self.value(a)?;
                    let idx = self.value(i)?;
                    let v = self.value(e)?;
                    let addr = self.element_addr(arr, idx)?;
                    self.b.ins().store(flags(), v, addr, 0);
                }
                Place::Field(o, offset) => {
                    let obj = self.value(o)?;
                    let v = self.value(e)?;
                    self.b.ins().store(flags(), v, obj, *offset as i32);
                }
                Place::MapEntry(m, k) => {
                    let mv = self.value(m)?;
                    let kv = self.value(k)?;
                    let kw = self.to_word(kv, &k.ty);
                    let v = self.value(e)?;
                    let w = self.to_word(v, &e.ty);
                    self.call_rt(RuntimeFn::MapSet, &[mv, kw, w])?;
                }
            },
            Stmt::Expr(e) => {
                self.expr(e)?;
            }
            Stmt::If(c, t, e) => {
                let cond = self.value(c)?;
                self.branches(cond, |_| Ok(()), t, e)?;
            }
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
            Stmt::ForRange { var, lo, hi, inclusive, body } => {
                let lo_v = self.value(lo)?;
                let hi_v = self.value(hi)?;
                let cc = if *inclusive { IntCC::SignedLessThanOrEqual } else { IntCC::SignedLessThan };
                let last = inclusive.then_some(hi_v);
                self.counted_loop(
                    lo_v,
                    |t, i| Ok(t.b.ins().icmp(cc, i, hi_v)),
                    |t, i, _| {
                        t.set_local(*var, i);
                        Ok(())
                    },
                    last,
                    body,
                )?;
            }
            Stmt::ForEach { var, array, body } => {
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
                        let len = t.b.ins().load(types::I64, flags(), arr, layout::array::LEN);
                        Ok(t.b.ins().icmp(IntCC::SignedLessThan, i, len))
                    },
                    |t, i, _| {
                        let data = t.b.ins().load(PTR, flags(), arr, layout::array::DATA);
                        let off = t.b.ins().ishl_imm_u(i, 3);
                        let addr = t.b.ins().iadd(data, off);
                        let v = t.load_word(addr, 0, &elem_ty);
                        t.set_local(*var, v);
                        Ok(())
                    },
                    None,
                    body,
                )?;
            }
            Stmt::Break | Stmt::Continue => self.jump_out_of_loop(matches!(s, Stmt::Break))?,
            Stmt::Return(e) => {
                let v = match e {
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
            Stmt::InitClasses => self.init_classes()?,
            Stmt::Try { body, catches, finally } => self.try_stmt(body, catches, finally.as_deref())?,
            Stmt::IfLet { var, opt, then, els } => self.if_let(*var, opt, then, els)?,
            Stmt::ForMap { key, value, map, body } => self.for_map(*key, *value, map, body)?,
        }
        Ok(())
    }

    /// `if cond { enter; then } else { els }`, joining afterwards.
    fn branches(
        &mut self,
        cond: Value,
        enter: impl FnOnce(&mut Self) -> R<()>,
        then: &'h [Stmt],
        els: &'h [Stmt],
    ) -> R<()> {
        let then_b = self.b.create_block();
        let else_b = self.b.create_block();
        let join = self.b.create_block();
        self.b.ins().brif(cond, then_b, &[], else_b, &[]);
        self.b.switch_to_block(then_b);
        enter(self)?;
        self.arm(then, join)?;
        self.b.switch_to_block(else_b);
        self.arm(els, join)?;
        self.b.switch_to_block(join);
        Ok(())
    }

    /// One side of a branch: its statements, then on to `join`.
    fn arm(&mut self, body: &'h [Stmt], join: Block) -> R<()> {
        self.stmts(body)?;
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
    fn counted_loop(
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

    fn loop_body(&mut self, body: &'h [Stmt], cont: Block, exit: Block) -> R<()> {
        self.body.scopes.push(Scope::Loop { cont, brk: exit });
        self.stmts(body)?;
        self.body.scopes.pop();
        if !self.is_terminated() {
            self.b.ins().jump(cont, &[]);
        }
        Ok(())
    }

    // ---- expressions ----

    /// An expression that has a value.
    fn value(&mut self, e: &'h Expr) -> R<Value> {
        self.expr(e)?.ok_or_else(|| CodegenError("a Void expression used as a value".into()))
    }

    fn expr(&mut self, e: &'h Expr) -> R<Option<Value>> {
        let v = self.expr_inner(e)?;
        if let Some(v) = v.filter(|_| needs_root(e) && !roots_itself(e)) {
            self.root(v)?;
        }
        Ok(v)
    }

    fn expr_inner(&mut self, e: &'h Expr) -> R<Option<Value>> {
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
            ExprKind::Local(l) => self.b.use_var(self.body.vars[*l]),
            ExprKind::Global(g) => {
                let gv = {
                    let id = self.mg.global(*g)?;
                    self.mg.module.declare_data_in_func(id, self.b.func)
                };
                let addr = self.b.ins().symbol_value(PTR, gv);
                let v = self.b.ins().load(ty.unwrap_or(PTR), flags(), addr, 0);
                // A function called from top-level code may run before a
                // variable's initialiser: a null reference there is an error,
                // not a crash. (Top-level code itself cannot read early.)
                let nullable = matches!(e.ty, Ty::Optional(_) | Ty::Fn(..));
                if e.ty.is_ref() && !nullable && !self.is_module_init() {
                    let unset = self.b.ins().icmp_imm_s(IntCC::Equal, v, 0);
                    self.raise_if(unset, Raise::Uninitialised, &[])?;
                }
                v
            }
            ExprKind::FnRef(f) => {
                let fref = {
                    let id = self.mg.func(*f)?;
                    self.mg.module.declare_func_in_func(id, self.b.func)
                };
                self.b.ins().func_addr(PTR, fref)
            }
            ExprKind::Call(f, args) => {
                let vals = self.values(args)?;
                return self.call_func(*f, vals);
            }
            ExprKind::CallDirect(callee, args) => {
                let vals = self.values(args)?;
                return self.call_callee(callee, vals);
            }
            ExprKind::CallVirtual { slot, args } => return self.call_virtual(*slot, args, &e.ty),
            ExprKind::New { class, args } => return self.construct(*class, args).map(Some),
            ExprKind::Field(o, offset) => {
                let obj = self.value(o)?;
                self.load_word(obj, *offset as i32, &e.ty)
            }
            ExprKind::InstanceOf(v, class) => {
                let o = self.value(v)?;
                self.instance_of(o, *class)?
            }
            ExprKind::Cast { value, class, optional } => {
                let o = self.value(value)?;
                self.cast(o, *class, *optional)?
            }
            ExprKind::Nil => self.b.ins().iconst(PTR, 0),
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
            ExprKind::CallIndirect(f, args) => {
                let callee = self.value(f)?;
                let vals = self.values(args)?;
                let Ty::Fn(params, ret) = &f.ty else {
                    return Err(CodegenError(format!("calling a value of type {}", f.ty)));
                };
                let sig = abi::signature(self.call_conv, params, ret);
                let sigref = self.b.import_signature(sig);
                let call = self.b.ins().call_indirect(sigref, callee, &vals);
                let r = self.b.inst_results(call).first().copied();
                self.check_exception()?;
                return Ok(r);
            }
            ExprKind::Rt { func, args } => {
                let vals = self.values(args)?;
                let r = self.call_rt(*func, &vals)?;
                if func.may_throw() {
                    self.check_exception()?;
                }
                return Ok(r);
            }
            ExprKind::Arith(op, a, b) => {
                let x = self.value(a)?;
                let y = self.value(b)?;
                self.arith(*op, x, y, &a.ty)?
            }
            ExprKind::Compare(op, a, b) => {
                let x = self.value(a)?;
                let y = self.value(b)?;
                self.compare(*op, x, y, &a.ty)?
            }
            ExprKind::Neg(a) => {
                let x = self.value(a)?;
                if a.ty == Ty::Float {
                    self.b.ins().fneg(x)
                } else {
                    let t = self.b.func.dfg.value_type(x);
                    let zero = self.b.ins().iconst(t, 0);
                    let (r, of) = self.b.ins().ssub_overflow(zero, x);
                    self.raise_if(of, Raise::Overflow, &[])?;
                    r
                }
            }
            ExprKind::Not(a) => {
                let x = self.value(a)?;
                self.b.ins().bxor_imm_u(x, 1)
            }
            ExprKind::BitNot(a) => {
                let x = self.value(a)?;
                self.b.ins().bnot(x)
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                let is_and = matches!(e.kind, ExprKind::And(..));
                let x = self.value(a)?;
                let rhs_b = self.b.create_block();
                let join = self.b.create_block();
                let r = self.b.append_block_param(join, types::I8);
                if is_and {
                    self.b.ins().brif(x, rhs_b, &[], join, &[x.into()]);
                } else {
                    self.b.ins().brif(x, join, &[x.into()], rhs_b, &[]);
                }
                self.b.switch_to_block(rhs_b);
                let y = self.value(b)?;
                self.b.ins().jump(join, &[y.into()]);
                self.b.switch_to_block(join);
                r
            }
            ExprKind::Index(a, i) => {
                let arr = self.value(a)?;
                let idx = self.value(i)?;
                let addr = self.element_addr(arr, idx)?;
                self.load_word(addr, 0, &e.ty)
            }
            ExprKind::ArrayLit(items) => {
                // Elements first (each kept alive by its own slot), then one
                // allocation that they are stored into directly.
                let vals = self.values(items)?;
                let words: Vec<Value> = vals.iter().zip(items).map(|(&v, item)| self.to_word(v, &item.ty)).collect();
                let elem_is_ref = matches!(&e.ty, Ty::Array(t) if t.is_ref());
                let is_ref = self.b.ins().iconst(types::I8, i64::from(elem_is_ref));
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
            ExprKind::Convert(a) => {
                let x = self.value(a)?;
                self.convert(x, &a.ty, &e.ty)?
            }
            ExprKind::ToCString(a) => {
                // Strings keep a NUL after their bytes.
                let x = self.value(a)?;
                self.b.ins().iadd_imm_s(x, i64::from(layout::string::BYTES))
            }
            ExprKind::ToWord(a) => {
                let x = self.value(a)?;
                self.to_word(x, &a.ty)
            }
            ExprKind::FromWord(a) => {
                let x = self.value(a)?;
                self.from_word(x, &e.ty)
            }
            ExprKind::Len(a) => {
                let x = self.value(a)?;
                let off = if a.ty == Ty::Str { layout::string::LEN } else { layout::array::LEN };
                self.b.ins().load(types::I64, flags(), x, off)
            }
            ExprKind::Math(f, args) => {
                let vals = self.values(args)?;
                self.math(*f, &vals)?
            }
        };
        Ok(Some(v))
    }

    /// A direct call of one of this module's functions (inlined when small).
    fn call_func(&mut self, f: hir::FuncId, vals: Vec<Value>) -> R<Option<Value>> {
        if slots::inlinable(self.hir, f, &self.inlined) {
            return self.inline_call(f, vals);
        }
        let fref = {
            let id = self.mg.func(f)?;
            self.mg.module.declare_func_in_func(id, self.b.func)
        };
        let call = self.b.ins().call(fref, &vals);
        let r = self.b.inst_results(call).first().copied();
        // C functions do not throw.
        let func = &self.hir.funcs[f];
        if !(func.extern_c && func.external) {
            self.check_exception()?;
        }
        Ok(r)
    }

    fn values(&mut self, es: &'h [Expr]) -> R<Vec<Value>> {
        es.iter().map(|e| self.value(e)).collect()
    }

    fn element_addr(&mut self, arr: Value, idx: Value) -> R<Value> {
        let len = self.b.ins().load(types::I64, flags(), arr, layout::array::LEN);
        let bad = self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, idx, len);
        self.raise_if(bad, Raise::Index, &[arr, idx])?;
        let data = self.b.ins().load(PTR, flags(), arr, layout::array::DATA);
        let off = self.b.ins().ishl_imm_u(idx, 3);
        Ok(self.b.ins().iadd(data, off))
    }

    /// Reads a value of type `ty` from an 8-byte word (a field or an array
    /// element) with one typed load: words are little-endian, and a value
    /// stored by compiled code with a typed store reads back the same.
    fn load_word(&mut self, addr: Value, offset: i32, ty: &Ty) -> Value {
        let t = clif_type(ty).unwrap_or(types::I64);
        self.b.ins().load(t, flags(), addr, offset)
    }

    fn to_word(&mut self, v: Value, ty: &Ty) -> Value {
        match ty {
            Ty::Int32 => self.b.ins().sextend(types::I64, v),
            Ty::Bool => self.b.ins().uextend(types::I64, v),
            Ty::Float => self.b.ins().bitcast(types::I64, MemFlagsData::new(), v),
            _ => v,
        }
    }

    fn from_word(&mut self, w: Value, ty: &Ty) -> Value {
        match ty {
            Ty::Int32 => self.b.ins().ireduce(types::I32, w),
            Ty::Bool => self.b.ins().ireduce(types::I8, w),
            Ty::Float => self.b.ins().bitcast(types::F64, MemFlagsData::new(), w),
            _ => w,
        }
    }

    fn arith(&mut self, op: Arith, x: Value, y: Value, ty: &Ty) -> R<Value> {
        if *ty == Ty::Float {
            return Ok(match op {
                Arith::Add => self.b.ins().fadd(x, y),
                Arith::Sub => self.b.ins().fsub(x, y),
                Arith::Mul => self.b.ins().fmul(x, y),
                Arith::Div => self.b.ins().fdiv(x, y),
                other => return Err(CodegenError(format!("{other:?} on Float"))),
            });
        }
        let t = self.b.func.dfg.value_type(x);
        Ok(match op {
            Arith::Add | Arith::Sub => {
                let (r, of) = self.checked_add_sub(op == Arith::Add, x, y, t);
                self.raise_if(of, Raise::Overflow, &[])?;
                r
            }
            Arith::Mul => {
                let (r, of) = self.b.ins().smul_overflow(x, y);
                self.raise_if(of, Raise::Overflow, &[])?;
                r
            }
            Arith::Div | Arith::Rem => {
                let is_zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
                self.raise_if(is_zero, Raise::DivZero, &[])?;
                let minus_one = self.b.ins().icmp_imm_s(IntCC::Equal, y, -1);
                if op == Arith::Div {
                    let min = if t == types::I32 { i64::from(i32::MIN) } else { i64::MIN };
                    let is_min = self.b.ins().icmp_imm_s(IntCC::Equal, x, min);
                    let of = self.b.ins().band(is_min, minus_one);
                    self.raise_if(of, Raise::Overflow, &[])?;
                    self.b.ins().sdiv(x, y)
                } else {
                    // x % -1 is 0; avoid the hardware trap on MIN % -1.
                    let one = self.b.ins().iconst(t, 1);
                    let safe = self.b.ins().select(minus_one, one, y);
                    self.b.ins().srem(x, safe)
                }
            }
            Arith::Shl => self.b.ins().ishl(x, y),
            Arith::Shr => self.b.ins().sshr(x, y),
            Arith::BitAnd => self.b.ins().band(x, y),
            Arith::BitOr => self.b.ins().bor(x, y),
            Arith::BitXor => self.b.ins().bxor(x, y),
        })
    }

    /// `x + y` or `x - y` and its overflow flag. With a constant operand the
    /// test is one comparison with a bound (pure, so Cranelift can share and
    /// hoist it); otherwise the hardware overflow flag (measured faster
    /// than computing it from signs).
    fn checked_add_sub(&mut self, add: bool, x: Value, y: Value, t: Type) -> (Value, Value) {
        let (min, max) =
            if t == types::I32 { (i64::from(i32::MIN), i64::from(i32::MAX)) } else { (i64::MIN, i64::MAX) };
        if let Some(c) = self.constant(y) {
            // x + c overflows iff x > max - c (c > 0) or x < min - c (c < 0).
            let c = if add { Some(c) } else { c.checked_neg() };
            if let Some(c) = c {
                let r = if add { self.b.ins().iadd(x, y) } else { self.b.ins().isub(x, y) };
                let of = match c.cmp(&0) {
                    std::cmp::Ordering::Greater => self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, x, max - c),
                    std::cmp::Ordering::Less => self.b.ins().icmp_imm_s(IntCC::SignedLessThan, x, min - c),
                    std::cmp::Ordering::Equal => self.b.ins().iconst(types::I8, 0),
                };
                return (r, of);
            }
        }
        if add {
            self.b.ins().sadd_overflow(x, y)
        } else {
            self.b.ins().ssub_overflow(x, y)
        }
    }

    /// The value of `v` when it is an integer constant.
    fn constant(&self, v: Value) -> Option<i64> {
        let inst = self.b.func.dfg.value_def(v).inst()?;
        match self.b.func.dfg.insts[inst] {
            cranelift_codegen::ir::InstructionData::UnaryImm { opcode: cranelift_codegen::ir::Opcode::Iconst, imm } => {
                let bits = imm.bits();
                // Narrow constants are stored zero-extended: sign-extend them.
                Some(if self.b.func.dfg.value_type(v) == types::I32 { i64::from(bits as i32) } else { bits })
            }
            _ => None,
        }
    }

    fn compare(&mut self, op: Cmp, x: Value, y: Value, ty: &Ty) -> R<Value> {
        if *ty == Ty::Float {
            let cc = match op {
                Cmp::Eq => FloatCC::Equal,
                Cmp::Ne => FloatCC::NotEqual,
                Cmp::Lt => FloatCC::LessThan,
                Cmp::Le => FloatCC::LessThanOrEqual,
                Cmp::Gt => FloatCC::GreaterThan,
                Cmp::Ge => FloatCC::GreaterThanOrEqual,
            };
            return Ok(self.b.ins().fcmp(cc, x, y));
        }
        let (x, y) = if *ty == Ty::Str {
            if matches!(op, Cmp::Eq | Cmp::Ne) {
                let eq = self.call_rt_value(RuntimeFn::StrEq, &[x, y])?;
                return Ok(if op == Cmp::Eq { eq } else { self.b.ins().bxor_imm_u(eq, 1) });
            }
            let c = self.call_rt_value(RuntimeFn::StrCmp, &[x, y])?;
            let zero = self.b.ins().iconst(types::I64, 0);
            (c, zero)
        } else {
            (x, y)
        };
        let cc = match op {
            Cmp::Eq => IntCC::Equal,
            Cmp::Ne => IntCC::NotEqual,
            Cmp::Lt => IntCC::SignedLessThan,
            Cmp::Le => IntCC::SignedLessThanOrEqual,
            Cmp::Gt => IntCC::SignedGreaterThan,
            Cmp::Ge => IntCC::SignedGreaterThanOrEqual,
        };
        Ok(self.b.ins().icmp(cc, x, y))
    }

    fn convert(&mut self, x: Value, from: &Ty, to: &Ty) -> R<Value> {
        Ok(match (from, to) {
            (Ty::Int | Ty::Int32, Ty::Float) => self.b.ins().fcvt_from_sint(types::F64, x),
            (Ty::Int32, Ty::Int) => self.b.ins().sextend(types::I64, x),
            (Ty::Int, Ty::Int32) => {
                let narrow = self.b.ins().ireduce(types::I32, x);
                let back = self.b.ins().sextend(types::I64, narrow);
                let lost = self.b.ins().icmp(IntCC::NotEqual, back, x);
                self.raise_if(lost, Raise::Overflow, &[])?;
                narrow
            }
            (Ty::Float, Ty::Int | Ty::Int32) => {
                // In range (and not NaN) exactly when lo < x < hi.
                let (lo, hi, t) = if *to == Ty::Int {
                    (-9223372036854777856.0, 9223372036854775808.0, types::I64)
                } else {
                    (-2147483649.0, 2147483648.0, types::I32)
                };
                let lo_v = self.b.ins().f64const(lo);
                let hi_v = self.b.ins().f64const(hi);
                let above = self.b.ins().fcmp(FloatCC::GreaterThan, x, lo_v);
                let below = self.b.ins().fcmp(FloatCC::LessThan, x, hi_v);
                let ok = self.b.ins().band(above, below);
                let bad = self.b.ins().bxor_imm_u(ok, 1);
                self.raise_if(bad, Raise::Overflow, &[])?;
                self.b.ins().fcvt_to_sint_sat(t, x)
            }
            _ => return Err(CodegenError(format!("conversion from {from} to {to}"))),
        })
    }

    fn math(&mut self, f: MathFn, a: &[Value]) -> R<Value> {
        Ok(match f {
            MathFn::Sqrt => self.b.ins().sqrt(a[0]),
            MathFn::Floor => self.b.ins().floor(a[0]),
            MathFn::Ceil => self.b.ins().ceil(a[0]),
            MathFn::FAbs => self.b.ins().fabs(a[0]),
            MathFn::IAbs => {
                let is_min = self.b.ins().icmp_imm_s(IntCC::Equal, a[0], i64::MIN);
                self.raise_if(is_min, Raise::Overflow, &[])?;
                let neg = self.b.ins().ineg(a[0]);
                let is_neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, a[0], 0);
                self.b.ins().select(is_neg, neg, a[0])
            }
            MathFn::IMin => self.b.ins().smin(a[0], a[1]),
            MathFn::IMax => self.b.ins().smax(a[0], a[1]),
        })
    }
}
