//! Module variables (MODULES.md §6, `docs/abi.md` threads): a thread-local
//! variable lives in its thread's block of its module's variables, found
//! through the module's key cell — once per call, at the function's
//! entry, for every module whose variables the function (or a callee
//! inlined into it) uses; a `shared var` is one process-wide word, read
//! and written atomically.

use super::{flags, Translator, R};
use crate::abi::{clif_type, PTR};
use crate::bodies::Bodies;
use crate::slots;
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value};
use cranelift_module::Module;
use std::collections::BTreeSet;
use tess_abi::{mangle, RuntimeFn};
use tess_sema::hir::{self, Expr, ExprKind, FuncId, GlobalId, Place, Stmt};

impl<'h, M: Module> Translator<'_, '_, 'h, M> {
    /// Finds, at the function's entry, the blocks of every module whose
    /// thread-local variables it uses: each is then a register for the
    /// whole call.
    pub(super) fn find_blocks(&mut self) -> R<()> {
        if self.hir.globals.is_empty() {
            return Ok(());
        }
        let mut modules = BTreeSet::new();
        let mut inlining = Vec::new();
        used_modules(self.hir, self.bodies, self.body.stmts, &mut inlining, &mut modules);
        for module in modules {
            self.module_block(module)?;
        }
        Ok(())
    }

    /// The calling thread's block of `module`'s variables: found once per
    /// call, made (and its initialisers run) on the thread's first use.
    pub(super) fn module_block(&mut self, module: &str) -> R<Value> {
        if let Some(&b) = self.blocks.get(module) {
            return Ok(b);
        }
        let key_id = if module == self.hir.name {
            self.mg.vars_key
        } else {
            self.mg.data_import(&mangle::module_vars_key(module))?
        };
        let gv = self.mg.module.declare_data_in_func(key_id, self.b.func);
        let key_addr = self.b.ins().symbol_value(PTR, gv);
        let key = self.b.ins().load(types::I64, flags(), key_addr, 0);
        let t = self.thread();
        let slot = self.b.ins().iadd(t, key);
        let block = self.b.ins().load(PTR, flags(), slot, 0);
        let first_use = self.b.create_block();
        self.b.set_cold_block(first_use);
        let found = self.b.create_block();
        let b = self.b.append_block_param(found, PTR);
        self.b.ins().brif(block, found, &[block.into()], first_use, &[]);
        self.b.switch_to_block(first_use);
        let made = self.call_rt_value(RuntimeFn::ModuleBlock, &[key])?;
        self.check_exception()?;
        self.b.ins().jump(found, &[made.into()]);
        self.b.switch_to_block(found);
        self.blocks.insert(module.to_string(), b);
        Ok(b)
    }

    /// The init entry registers its module's variables (once per process)
    /// and gets the calling thread's block, which its own statements then
    /// fill in source order.
    pub(super) fn register_vars(&mut self) -> R<()> {
        let hir = self.hir;
        let Some(thread_init) = hir.thread_init else { return Ok(()) };
        let mut size = 0;
        let mut refs = Vec::new();
        let mut names = Vec::new();
        for (global, offset) in hir.globals.iter().zip(&self.mg.var_offsets) {
            let Some(offset) = *offset else { continue };
            size = size.max(offset + tess_abi::layout::WORD as u32);
            if global.ty.is_ref() {
                refs.push(u64::from(offset));
                names.push(vec![format!("{}.{}", hir.name, global.name)]);
            }
        }
        let gv = self.mg.module.declare_data_in_func(self.mg.vars_key, self.b.func);
        let key_cell = self.b.ins().symbol_value(PTR, gv);
        let size = self.b.ins().iconst(types::I64, i64::from(size));
        let table = self.mg.word_table(&format!("{}.refs", mangle::module_vars_key(&hir.name)), &refs)?;
        let gv = self.mg.module.declare_data_in_func(table, self.b.func);
        let table = self.b.ins().symbol_value(PTR, gv);
        let names = self.mg.c_string_table(&format!("{}.names", mangle::module_vars_key(&hir.name)), &names, 1)?;
        let gv = self.mg.module.declare_data_in_func(names, self.b.func);
        let names = self.b.ins().symbol_value(PTR, gv);
        let nrefs = self.b.ins().iconst(types::I64, refs.len() as i64);
        let init = {
            let id = self.mg.func(thread_init)?;
            let fref = self.mg.module.declare_func_in_func(id, self.b.func);
            self.b.ins().func_addr(PTR, fref)
        };
        let block = self.call_rt_value(RuntimeFn::RegisterVars, &[key_cell, size, table, names, nrefs, init])?;
        self.blocks.insert(hir.name.clone(), block);
        Ok(())
    }

    /// Where variable `g` is: an address and a constant displacement.
    fn var_addr(&mut self, g: GlobalId) -> R<(Value, i32)> {
        let global = &self.hir.globals[g];
        if global.shared {
            let gv = {
                let id = self.mg.global(g)?;
                self.mg.module.declare_data_in_func(id, self.b.func)
            };
            return Ok((self.b.ins().symbol_value(PTR, gv), 0));
        }
        let block = self.module_block(var_module(self.hir, g))?;
        if let Some(offset) = self.mg.var_offsets[g] {
            return Ok((block, offset as i32));
        }
        // Another module's: its offset is in the variable's symbol.
        self.mg.global(g)?;
        let offset = self.cell_value(&global.symbol)?;
        Ok((self.b.ins().iadd(block, offset), 0))
    }

    /// Reads variable `g`. A `shared var` is a whole word, read atomically
    /// and converted as array elements are (`word_of`, `value_of_word`).
    pub(super) fn read_var(&mut self, g: GlobalId) -> R<Value> {
        let ty = &self.hir.globals[g].ty;
        let (addr, at) = self.var_addr(g)?;
        if !self.hir.globals[g].shared {
            return Ok(self.b.ins().load(clif_type(ty).unwrap_or(PTR), flags(), addr, at));
        }
        let word = self.b.ins().atomic_load(types::I64, MemFlagsData::trusted(), addr);
        Ok(self.value_of_word(word, ty))
    }

    /// Writes `v` to variable `g`.
    pub(super) fn write_var(&mut self, g: GlobalId, v: Value) -> R<()> {
        let (addr, at) = self.var_addr(g)?;
        let global = &self.hir.globals[g];
        if !global.shared {
            self.b.ins().store(flags(), v, addr, at);
            return Ok(());
        }
        let word = self.word_of(v, &global.ty);
        self.b.ins().atomic_store(MemFlagsData::trusted(), word, addr);
        Ok(())
    }

    /// `x op= e` on a `shared var`: computes the new value from the
    /// current one and swaps it in if no other thread wrote meanwhile,
    /// else again from what that thread wrote.
    pub(super) fn shared_update(&mut self, g: GlobalId, old: usize, new: &'h Expr) -> R<()> {
        let ty = &self.hir.globals[g].ty;
        let (addr, _) = self.var_addr(g)?;
        let first = self.b.ins().atomic_load(types::I64, MemFlagsData::trusted(), addr);
        let retry = self.b.create_block();
        let current = self.b.append_block_param(retry, types::I64);
        self.b.ins().jump(retry, &[first.into()]);
        self.b.switch_to_block(retry);
        let value = self.value_of_word(current, ty);
        self.b.def_var(self.body.vars[old], value);
        let updated = self.value(new)?;
        let updated = self.word_of(updated, ty);
        let seen = self.b.ins().atomic_cas(MemFlagsData::trusted(), addr, current, updated);
        let lost = self.b.ins().icmp(cranelift_codegen::ir::condcodes::IntCC::NotEqual, seen, current);
        let done = self.b.create_block();
        self.b.ins().brif(lost, retry, &[seen.into()], done, &[]);
        self.b.switch_to_block(done);
        Ok(())
    }
}

/// The module whose block holds variable `g`.
fn var_module(hir: &hir::Module, g: GlobalId) -> &str {
    hir.globals[g].origin.as_ref().map_or(hir.name.as_str(), |o| o.module.as_str())
}

/// The modules whose thread-local variables these statements use,
/// callees inlined into them included (the same policy as `slots`).
fn used_modules<'h>(
    hir: &'h hir::Module,
    bodies: &'h Bodies,
    ss: &'h [Stmt],
    inlining: &mut Vec<FuncId>,
    out: &mut BTreeSet<&'h str>,
) {
    for s in ss {
        if let Stmt::Assign(Place::Global(g), _) = s {
            note_var(hir, *g, out);
        }
        for e in s.exprs() {
            used_in_expr(hir, bodies, e, inlining, out);
        }
        for body in s.bodies() {
            used_modules(hir, bodies, body, inlining, out);
        }
    }
}

fn used_in_expr<'h>(
    hir: &'h hir::Module,
    bodies: &'h Bodies,
    e: &'h Expr,
    inlining: &mut Vec<FuncId>,
    out: &mut BTreeSet<&'h str>,
) {
    if let ExprKind::Global(g) = &e.kind {
        note_var(hir, *g, out);
    }
    // Inlined bodies (calls and constructors) read their variables
    // through this function's blocks.
    if let Some(f) = slots::direct_callee(hir, e).filter(|&f| slots::inlinable(hir, bodies, f, inlining)) {
        inlining.push(f);
        used_modules(hir, bodies, bodies.get(f).unwrap_or_default(), inlining, out);
        inlining.pop();
    }
    for c in e.children() {
        used_in_expr(hir, bodies, c, inlining, out);
    }
}

fn note_var<'h>(hir: &'h hir::Module, g: GlobalId, out: &mut BTreeSet<&'h str>) {
    if !hir.globals[g].shared && hir.globals[g].constant.is_none() {
        out.insert(var_module(hir, g));
    }
}
