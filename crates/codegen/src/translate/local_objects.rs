//! Objects that never leave the function they are made in, replaced by
//! their fields (scalar replacement). Once small methods are inlined, a
//! temporary such as `b.position.minus(a.position)` whose fields are only
//! read is an allocation, a few stores and loads of what was just stored
//! (bench/oo/collision.tes: `delta` in every pair of balls tested).
//!
//! An inline allocation (`heap.rs`) is replaced when every use of the
//! object — or of a block parameter it is passed to, in a block reached
//! only that way (an inlined method's return) — is one of:
//! - a store of a field in the block where its paths join, each field
//!   once (its `init`, inlined);
//! - a load of a stored field, after the store;
//! - a store of the object into a shadow-stack slot (only the collector
//!   reads those).
//!
//! The loads become the stored values, the stores go, and the allocation
//! branch goes straight to the fast path, which no longer takes the cell.

use super::heap::InlineAlloc;
use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::ir::{Block, BlockArg, Function, Inst, InstBuilder, InstructionData, Opcode, Value};
use std::collections::{HashMap, HashSet};
use tess_abi::layout::header;

/// Replaces every object of `allocs` that never leaves the function by its
/// fields, and forgets it there. `frame_base` is the shadow-stack frame's.
pub(super) fn replace(func: &mut Function, allocs: &mut HashMap<Block, InlineAlloc>, frame_base: Option<Value>) {
    if allocs.is_empty() {
        return;
    }
    let uses = uses(func);
    let cfg = ControlFlowGraph::with_function(func);
    let plans: Vec<(Block, Plan)> =
        allocs.keys().filter_map(|&join| Some((join, plan(func, &uses, &cfg, join, frame_base)?))).collect();
    for (join, plan) in plans {
        if let Some(alloc) = allocs.remove(&join) {
            apply(func, &alloc, plan);
        }
    }
}

/// What replacing one object changes.
struct Plan {
    /// Each field load, with the value stored there.
    loads: Vec<(Inst, Value)>,
    /// The field stores and the stores into shadow-stack slots.
    stores: Vec<Inst>,
}

/// The instructions that use each value (aliases resolved), block
/// arguments included.
fn uses(func: &Function) -> HashMap<Value, Vec<Inst>> {
    let mut uses: HashMap<Value, Vec<Inst>> = HashMap::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            for v in func.dfg.inst_values(inst) {
                let list = uses.entry(func.dfg.resolve_aliases(v)).or_default();
                if list.last() != Some(&inst) {
                    list.push(inst);
                }
            }
        }
    }
    uses
}

/// How to replace the object allocated for `join`, if it never leaves.
fn plan(
    func: &Function,
    uses: &HashMap<Value, Vec<Inst>>,
    cfg: &ControlFlowGraph,
    join: Block,
    frame_base: Option<Value>,
) -> Option<Plan> {
    let dfg = &func.dfg;
    let resolve = |v: Value| dfg.resolve_aliases(v);
    let obj = *dfg.block_params(join).first()?;
    let mut names = vec![obj];
    let mut fields: HashMap<i32, (Value, Inst)> = HashMap::new();
    let mut loads = Vec::new();
    let mut slot_stores = Vec::new();
    let mut i = 0;
    while let Some(&name) = names.get(i) {
        i += 1;
        for &inst in uses.get(&name).map_or(&[][..], Vec::as_slice) {
            match dfg.insts[inst] {
                InstructionData::Load { opcode: Opcode::Load, arg, offset, .. }
                    if resolve(arg) == name && i32::from(offset) >= header::SIZE =>
                {
                    loads.push((inst, i32::from(offset)));
                }
                InstructionData::Store { opcode: Opcode::Store, args: [value, addr], offset, .. } => {
                    let (value, addr) = (resolve(value), resolve(addr));
                    if addr == name && value != name && i32::from(offset) >= header::SIZE {
                        let in_join = func.layout.inst_block(inst) == Some(join);
                        if !in_join || fields.insert(offset.into(), (value, inst)).is_some() {
                            return None;
                        }
                    } else if value == name && Some(addr) == frame_base {
                        slot_stores.push(inst);
                    } else {
                        return None;
                    }
                }
                InstructionData::Jump { destination, .. } => {
                    let target = destination.block(&dfg.value_lists);
                    if cfg.pred_iter(target).count() != 1 {
                        return None;
                    }
                    for (k, arg) in destination.args(&dfg.value_lists).enumerate() {
                        if matches!(arg, BlockArg::Value(v) if resolve(v) == name) {
                            names.push(dfg.block_params(target)[k]);
                        }
                    }
                }
                _ => return None,
            }
        }
    }
    let names: HashSet<Value> = names.into_iter().collect();
    if fields.values().any(|(value, _)| names.contains(value)) {
        return None;
    }
    // A load in the join block must come after its field's store.
    let order: HashMap<Inst, usize> = func.layout.block_insts(join).enumerate().map(|(k, inst)| (inst, k)).collect();
    let mut replaced = Vec::with_capacity(loads.len());
    for (load, offset) in loads {
        let &(value, store) = fields.get(&offset)?;
        let before_store = order.get(&load).is_some_and(|at| *at < order[&store]);
        if before_store || dfg.value_type(dfg.first_result(load)) != dfg.value_type(value) {
            return None;
        }
        replaced.push((load, value));
    }
    let stores = fields.values().map(|&(_, inst)| inst).chain(slot_stores).collect();
    Some(Plan { loads: replaced, stores })
}

fn apply(func: &mut Function, alloc: &InlineAlloc, plan: Plan) {
    for (load, value) in plan.loads {
        let result = func.dfg.first_result(load);
        func.dfg.clear_results(load);
        func.dfg.change_to_alias(result, value);
        func.layout.remove_inst(load);
    }
    for store in plan.stores.into_iter().chain(alloc.claim).chain(alloc.zeroing.iter().copied()) {
        func.layout.remove_inst(store);
    }
    func.replace(alloc.branch).jump(alloc.fast, &[]);
}
