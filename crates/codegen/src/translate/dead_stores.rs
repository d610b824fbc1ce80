//! Stores nothing can observe, removed once a function is translated
//! (Cranelift does not eliminate dead stores):
//! - the words an inline allocation zeroes that its `init` overwrites at
//!   once;
//! - a shadow-stack root that the same slot's next store replaces before
//!   any call could collect (an object rooted as it is made, then rooted
//!   again as the result of the inlined call that made it, or nulled as
//!   the function returns);
//! - a null stored into a slot that is null on every path to it (a
//!   statement's slots nulled where only a branch that returned used
//!   them, or that its path never wrote).
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

/// Removes the dead stores of inline allocations (`joins`), of roots
/// (`roots`, stores of [`super::Translator::root`]) and of nulls into
/// the shadow-stack frame at `frame_base`.
pub(super) fn remove(
    func: &mut Function,
    joins: &HashMap<Block, InlineAlloc>,
    roots: &[Inst],
    frame_base: Option<Value>,
) {
    if joins.is_empty() && frame_base.is_none() {
        return;
    }
    let cfg = ControlFlowGraph::with_function(func);
    drop_overwritten_zeroing(func, &cfg, joins);
    if let Some(base) = frame_base {
        drop_dead_roots(func, &cfg, roots);
        drop_redundant_nulls(func, &cfg, base);
    }
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

/// A store into the frame at `base`: its slot and whether it stores null.
fn slot_store(func: &Function, data: &InstructionData, base: Value) -> Option<(usize, bool)> {
    let (value, addr, offset) = word_store(func, data)?;
    if addr != base || offset < 0 || offset % WORD as i32 != 0 {
        return None;
    }
    let null = matches!(func.dfg.value_def(value).inst().map(|i| &func.dfg.insts[i]),
        Some(InstructionData::UnaryImm { opcode: Opcode::Iconst, imm }) if imm.bits() == 0);
    Some((offset as usize / WORD as usize, null))
}

/// Which slots are null after `block`'s instructions, given those null
/// before them.
fn nulls_after(func: &Function, block: Block, base: Value, mut nulls: Vec<bool>) -> Vec<bool> {
    for inst in func.layout.block_insts(block) {
        if let Some((slot, null)) = slot_store(func, &func.dfg.insts[inst], base) {
            nulls[slot] = null;
        }
    }
    nulls
}

/// Removes the stores of null into slots of the frame at `base` that are
/// null on every path to them. Every slot is null as the frame opens
/// (`docs/abi.md`, frame protocol), and only the function's own stores
/// change its slots; the slots null at each block's start are found by
/// the usual forward data flow, meeting paths by intersection.
fn drop_redundant_nulls(func: &mut Function, cfg: &ControlFlowGraph, base: Value) {
    let Some(entry) = func.layout.entry_block() else { return };
    let slots = func
        .layout
        .blocks()
        .flat_map(|b| func.layout.block_insts(b))
        .filter_map(|inst| slot_store(func, &func.dfg.insts[inst], base))
        .map(|(slot, _)| slot + 1)
        .max()
        .unwrap_or(0);
    if slots == 0 {
        return;
    }
    let mut at_start: HashMap<Block, Vec<bool>> = HashMap::from([(entry, vec![true; slots])]);
    let mut work = vec![entry];
    while let Some(block) = work.pop() {
        let after = nulls_after(func, block, base, at_start[&block].clone());
        for succ in cfg.succ_iter(block) {
            let changed = match at_start.get_mut(&succ) {
                None => {
                    at_start.insert(succ, after.clone());
                    true
                }
                Some(known) => {
                    let mut changed = false;
                    for (k, a) in known.iter_mut().zip(&after) {
                        if *k && !*a {
                            *k = false;
                            changed = true;
                        }
                    }
                    changed
                }
            };
            if changed {
                work.push(succ);
            }
        }
    }
    let mut redundant = Vec::new();
    for (&block, nulls) in &at_start {
        let mut nulls = nulls.clone();
        for inst in func.layout.block_insts(block) {
            if let Some((slot, null)) = slot_store(func, &func.dfg.insts[inst], base) {
                if null && nulls[slot] {
                    redundant.push(inst);
                }
                nulls[slot] = null;
            }
        }
    }
    for inst in redundant {
        func.layout.remove_inst(inst);
    }
}
