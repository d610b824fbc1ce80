//! The frame of the function being translated: its locals and their
//! shadow-stack slots (`docs/abi.md`, frame protocol), and leaving the
//! function.

use super::{flags, Translator, R};
use crate::abi::{clif_type, PTR};
use crate::CodegenError;
use cranelift_codegen::ir::{types, Inst, InstBuilder, Type, Value};
use cranelift_module::Module;
use tess_abi::layout::thread;

impl<'h, M: Module> Translator<'_, '_, 'h, M> {
    /// Declares the current body's locals, binds its parameters to `args`
    /// and gives every reference-typed local other than a parameter a
    /// shadow slot (arguments are kept alive by the caller).
    pub(super) fn bind_locals(&mut self, args: &[Value]) -> R<()> {
        let func = self.body.func;
        for local in &func.locals {
            let ty = clif_type(&local.ty).unwrap_or(types::I64);
            let var = self.b.declare_var(ty);
            self.body.vars.push(var);
        }
        self.label_locals();
        for (i, &l) in func.params.iter().enumerate() {
            self.b.def_var(self.body.vars[l], args[i]);
            self.label(l, args[i]);
        }
        for (l, local) in func.locals.iter().enumerate() {
            if local.ty.is_ref() && !func.params.contains(&l) {
                self.body.local_slot[l] = Some(self.take_slot()?);
            }
        }
        Ok(())
    }

    pub(super) fn set_local(&mut self, l: usize, v: Value) -> R<()> {
        self.b.def_var(self.body.vars[l], v);
        self.label(l, v);
        if let Some(slot) = self.body.local_slot[l] {
            let held = self.rootable(v, &self.body.func.locals[l].ty)?;
            self.store_slot(slot, held);
        }
        Ok(())
    }

    /// Reserves the frame's slots. They are already null: every frame
    /// leaves the slots it used null (`close_frame`), so the shadow stack
    /// above its top always is (`docs/abi.md`, frame protocol).
    pub(super) fn open_frame(&mut self) -> R<()> {
        let t = self.thread();
        let base = self.b.ins().load(PTR, flags(), t, thread::SS_TOP);
        let new_top = self.b.ins().iadd_imm_s(base, i64::from(self.nslots) * 8);
        self.b.ins().store(flags(), new_top, t, thread::SS_TOP);
        self.frame_base = Some(base);
        Ok(())
    }

    pub(super) fn take_slot(&mut self) -> R<u32> {
        let s = self.next_slot;
        if s >= self.nslots {
            return Err(CodegenError(format!("{}: shadow-stack slots undercounted", self.body.func.symbol)));
        }
        self.next_slot += 1;
        self.stmt_high = self.stmt_high.max(self.next_slot);
        Ok(s)
    }

    /// Keeps a reference alive for the rest of the frame.
    pub(super) fn root(&mut self, v: Value) -> R<()> {
        let slot = self.take_slot()?;
        if let Some(store) = self.store_slot(slot, v) {
            self.root_stores.push(store);
        }
        Ok(())
    }

    /// Stores null in `slots` (of an open frame), so they keep nothing alive.
    pub(super) fn null_slots(&mut self, slots: std::ops::Range<u32>) {
        if self.frame_base.is_none() || slots.is_empty() {
            return;
        }
        let zero = self.b.ins().iconst(PTR, 0);
        for slot in slots {
            self.store_slot(slot, zero);
        }
    }

    pub(super) fn store_slot(&mut self, slot: u32, v: Value) -> Option<Inst> {
        let base = self.frame_base?;
        Some(self.b.ins().store(flags(), v, base, (slot * 8) as i32))
    }

    /// Leaves the frame: nulls the slots that may hold something here —
    /// those below the current statement's highest (its own intermediates,
    /// its enclosing statements' and the locals'; completed statements
    /// nulled theirs) — and pops it. A path that leaves a function early
    /// then pays only for what it used.
    pub(super) fn close_frame(&mut self) -> R<()> {
        if let Some(base) = self.frame_base {
            self.null_slots(0..self.stmt_high);
            let t = self.thread();
            self.b.ins().store(flags(), base, t, thread::SS_TOP);
        }
        Ok(())
    }

    pub(super) fn leave(&mut self, v: Option<Value>) -> R<()> {
        self.close_frame()?;
        match v {
            Some(v) => self.b.ins().return_(&[v]),
            None => self.b.ins().return_(&[]),
        };
        Ok(())
    }

    pub(super) fn is_terminated(&self) -> bool {
        match self.b.current_block() {
            Some(block) => {
                self.b.func.layout.last_inst(block).is_some_and(|i| self.b.func.dfg.insts[i].opcode().is_terminator())
            }
            None => true,
        }
    }

    /// After a jump or return: later statements go to a fresh, unreachable block.
    pub(super) fn start_dead_block(&mut self) {
        let b = self.b.create_block();
        self.b.switch_to_block(b);
    }

    pub(super) fn zero(&mut self, t: Type) -> Value {
        if t == types::F64 {
            self.b.ins().f64const(0.0)
        } else {
            self.b.ins().iconst(t, 0)
        }
    }
}
