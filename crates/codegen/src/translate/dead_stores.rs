//! Stores nothing can observe, removed once a function is translated
//! (Cranelift does not eliminate dead stores):
//! - the words an inline allocation zeroes that its `init` overwrites at
//!   once;
//! - a shadow-stack root that the same slot's next store replaces before
//!   any call could collect (an object rooted as it is made, then rooted
//!   again as the result of the inlined call that made it, or nulled as
//!   the function returns).
//!
//! Only the collector reads a zeroed field or a root before the code
//! writes them, and it runs only in calls, so the search for the
//! overwriting store follows straight-line code — through jumps — and
//! stops at a call, a branch or anything that may trap.

use super::heap::InlineAlloc;
use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::ir::{Block, Function, Inst, InstructionData, Opcode, Value};
use std::collections::{HashMap, HashSet};
use tess_abi::layout::WORD;

/// The instructions that run after `inst` (or from the start of `block`)
/// with nothing in between that could collect or leave the path. Jumps
/// are followed into blocks that other paths reach too only when
/// `any_join` (a zeroed field's object may arrive there under another
/// name, a root's slot cannot).
fn straight_line(
    func: &Function,
    cfg: &ControlFlowGraph,
    block: Block,
    after: Option<Inst>,
    any_join: bool,
) -> Vec<Inst> {
    let mut insts = Vec::new();
    let mut block = block;
    let mut skip_to = after;
    let mut seen = HashSet::from([block]);
    loop {
        for inst in func.layout.block_insts(block) {
            if let Some(start) = skip_to {
                if inst == start {
                    skip_to = None;
                }
                continue;
            }
            let data = &func.dfg.insts[inst];
            if let InstructionData::Jump { destination, .. } = *data {
                let next = destination.block(&func.dfg.value_lists);
                if !(any_join || cfg.pred_iter(next).count() == 1) || !seen.insert(next) {
                    return insts;
                }
                block = next;
                break;
            }
            let op = data.opcode();
            let traps =
                op.can_trap() && !(op.can_load() || op.can_store()) || data.memflags_trap_code(&func.dfg).is_some();
            if op.is_call() || op.is_branch() || op.is_terminator() || traps {
                return insts;
            }
            insts.push(inst);
        }
        if skip_to.is_some() {
            return insts;
        }
    }
}

/// A word store's (value, address, offset).
fn word_store(func: &Function, data: &InstructionData) -> Option<(Value, Value, i32)> {
    match *data {
        InstructionData::Store { opcode: Opcode::Store, args: [value, addr], offset, .. }
            if func.dfg.value_type(value).bytes() == WORD as u32 =>
        {
            Some((func.dfg.resolve_aliases(value), func.dfg.resolve_aliases(addr), offset.into()))
        }
        _ => None,
    }
}

/// Removes the dead stores of inline allocations (`joins`) and of roots
/// (`roots`, stores of [`super::Translator::root`]).
pub(super) fn remove(func: &mut Function, joins: &HashMap<Block, InlineAlloc>, roots: &[Inst]) {
    if joins.is_empty() && roots.is_empty() {
        return;
    }
    let cfg = ControlFlowGraph::with_function(func);
    drop_overwritten_zeroing(func, &cfg, joins);
    drop_dead_roots(func, &cfg, roots);
}

/// Removes the zeroing stores of each inline allocation (`joins`: the
/// block where its paths join, whose first parameter is the object, and
/// its fast path's zeroing stores) whose word is written before it can be
/// read: before a load from the object's unwritten words, or any load
/// once the object's address is stored somewhere (it could be read back).
fn drop_overwritten_zeroing(func: &mut Function, cfg: &ControlFlowGraph, joins: &HashMap<Block, InlineAlloc>) {
    for (&join, alloc) in joins {
        let Some(&obj) = func.dfg.block_params(join).first() else { continue };
        let mut written = HashSet::new();
        let mut escaped = false;
        for inst in straight_line(func, cfg, join, None, false) {
            let data = &func.dfg.insts[inst];
            if let Some((value, addr, offset)) = word_store(func, data) {
                if addr == obj {
                    written.insert(offset);
                }
                escaped |= value == obj;
            } else if let InstructionData::Load { arg, offset, .. } = *data {
                if escaped || (func.dfg.resolve_aliases(arg) == obj && !written.contains(&i32::from(offset))) {
                    break;
                }
            } else if data.opcode().can_load() || data.opcode().can_store() {
                break;
            }
        }
        for &store in &alloc.zeroing {
            if word_store(func, &func.dfg.insts[store]).is_some_and(|(_, _, at)| written.contains(&at)) {
                func.layout.remove_inst(store);
            }
        }
    }
}

/// Removes the root stores (`roots`: stores of a reference into a
/// shadow-stack slot) that the same slot's next store replaces before a
/// call could collect or anything could read the slot.
fn drop_dead_roots(func: &mut Function, cfg: &ControlFlowGraph, roots: &[Inst]) {
    let mut dead = Vec::new();
    for &root in roots {
        let Some((_, base, offset)) = word_store(func, &func.dfg.insts[root]) else { continue };
        let Some(block) = func.layout.inst_block(root) else { continue };
        for inst in straight_line(func, cfg, block, Some(root), true) {
            let data = &func.dfg.insts[inst];
            if word_store(func, data).is_some_and(|(_, addr, at)| addr == base && at == offset) {
                dead.push(root);
                break;
            }
            if matches!(*data, InstructionData::Load { arg, offset: at, .. } if func.dfg.resolve_aliases(arg) == base && i32::from(at) == offset)
            {
                break;
            }
        }
    }
    for inst in dead {
        func.layout.remove_inst(inst);
    }
}
