//! What compiled code does on the collector's behalf (`docs/abi.md`, the
//! collector): allocating small objects inline by bumping the thread's
//! run of free cells, and the write barrier before a reference is stored
//! into an object.

use super::{flags, Translator, R};
use crate::abi::PTR;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, Block, Inst, InstBuilder, Value, ValueDef};
use cranelift_module::Module;
use tess_abi::layout::{self, header, thread};
use tess_abi::RuntimeFn;

/// An object allocated inline (its paths join in the block it is recorded
/// under, whose first parameter it is): what `dead_stores.rs` and
/// `local_objects.rs` may take out again.
pub(super) struct InlineAlloc {
    /// The branch to the fast path or the slow one.
    pub branch: Inst,
    pub fast: Block,
    /// The stores that take the cell: the run's new cursor (before the
    /// branch) and the header (on the fast path).
    pub claim: [Inst; 2],
    /// The fast path's stores that zero the fields.
    pub zeroing: Vec<Inst>,
}

impl<M: Module> Translator<'_, '_, '_, M> {
    /// A new zeroed object of `size` bytes with type info `ti`: bumped
    /// from the thread's run of free cells of its size class when the size
    /// is known here and small, else (and when the run is used up) from
    /// `tess_alloc`, which may collect.
    pub(super) fn alloc_object(&mut self, ti: Value, size: Option<u32>) -> R<Value> {
        let Some(class) = size.and_then(|s| thread::size_class(u64::from(s))) else {
            let size = match size {
                Some(s) => self.b.ins().iconst(types::I64, i64::from(s)),
                None => self.type_info_size(ti),
            };
            return self.call_rt_value(RuntimeFn::Alloc, &[ti, size]);
        };
        let t = self.thread();
        let cell_bytes = thread::cell_bytes(class);
        let cell = self.b.ins().load(PTR, flags(), t, thread::run_cursor(class));
        let limit = self.b.ins().load(PTR, flags(), t, thread::run_limit(class));
        let next = self.b.ins().iadd_imm_s(cell, cell_bytes as i64);
        // The cursor moves before the test: past the limit, `tess_alloc`
        // finds no room and takes a new run anyway, and storing it here
        // keeps `next` in one block (Cranelift would compute it again in
        // the fast path).
        let bump = self.b.ins().store(flags(), next, t, thread::run_cursor(class));
        let room = self.b.ins().icmp(IntCC::UnsignedLessThanOrEqual, next, limit);
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let join = self.b.create_block();
        let obj = self.b.append_block_param(join, PTR);

        let branch = self.b.ins().brif(room, fast, &[], slow, &[]);

        self.b.switch_to_block(fast);
        let zero = self.b.ins().iconst(types::I64, 0);
        let zeroing = (layout::header::SIZE as u64..cell_bytes)
            .step_by(layout::WORD as usize)
            .map(|at| self.b.ins().store(flags(), zero, cell, at as i32))
            .collect();
        let header = self.b.ins().store(flags(), ti, cell, 0);
        self.alloc_joins.insert(join, InlineAlloc { branch, fast, claim: [bump, header], zeroing });
        self.b.ins().jump(join, &[cell.into()]);

        self.b.switch_to_block(slow);
        // The size as the type info holds it, not as a constant: Cranelift
        // would share the constant `next` was computed with and keep it in
        // a register on the fast path too.
        let size = self.type_info_size(ti);
        let made = self.call_rt_value(RuntimeFn::Alloc, &[ti, size])?;
        self.b.ins().jump(join, &[made.into()]);

        self.b.switch_to_block(join);
        Ok(obj)
    }

    /// The size of an object of the class whose type info is `ti`, as the
    /// type info holds it.
    pub(super) fn type_info_size(&mut self, ti: Value) -> Value {
        self.b.ins().load(types::I64, flags(), ti, layout::type_info::SIZE)
    }

    /// The write barrier, before a reference is stored into `obj`: when
    /// the object is old and not yet remembered, the runtime remembers it
    /// (so the next young collection traces it).
    pub(super) fn write_barrier(&mut self, obj: Value) -> R<()> {
        if self.known_young(obj) {
            return Ok(());
        }
        let word = self.b.ins().load(types::I64, flags(), obj, 0);
        let bits = self.b.ins().band_imm_s(word, (header::MARK | header::LOGGED) as i64);
        let needed = self.b.ins().icmp_imm_s(IntCC::Equal, bits, header::NEEDS_BARRIER as i64);
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let cont = self.b.create_block();
        self.b.ins().brif(needed, slow, &[], cont, &[]);
        self.b.switch_to_block(slow);
        self.call_rt(RuntimeFn::WriteBarrier, &[obj])?;
        self.b.ins().jump(cont, &[]);
        self.b.switch_to_block(cont);
        Ok(())
    }

    /// Whether `obj` is certainly young here: it was allocated inline at
    /// the start of the current block, and nothing since can have
    /// collected (the block has no call yet). An `init`'s stores into the
    /// object being built need no barrier then.
    fn known_young(&self, obj: Value) -> bool {
        let Some(block) = self.b.current_block() else { return false };
        let func = &*self.b.func;
        self.alloc_joins.contains_key(&block)
            && func.dfg.value_def(obj) == ValueDef::Param(block, 0)
            && !self.calls_in(block)
    }
}
