//! The variables a debugger shows: each parameter and named local of the
//! function and of every body inlined into it, numbered. Optimised code
//! gives each a value label, which every value it holds carries (where
//! the value is defined and where it is read, as wasmtime labels Wasm
//! locals), and Cranelift's register allocator tells where each label's
//! value lives while it is live (`compile.rs`). At `-O0` each also gets a
//! stack slot, keyed by its number, that every value it holds is stored
//! to, so the debugger sees every variable through the whole function
//! (as C compilers do at `-O0`).

use super::Translator;
use crate::module_gen::VarHomes;
use crate::sites::DebugVar;
use cranelift_codegen::ir::{
    Function, InstBuilder, StackSlot, StackSlotData, StackSlotKey, StackSlotKind, Value, ValueLabel,
    ValueLabelAssignments,
};
use cranelift_module::Module;

/// Where a variable's values are made known to the debugger.
#[derive(Clone, Copy)]
pub(super) enum Home {
    Label(ValueLabel),
    Slot(StackSlot),
}

impl<M: Module> Translator<'_, '_, '_, M> {
    /// Numbers the current body's named locals, when debug information
    /// is wanted. Compiler temporaries (`$match`, `<index>`) are not shown.
    pub(super) fn label_locals(&mut self) {
        let Some(vars) = self.debug_vars.as_mut() else { return };
        let func = self.body.func;
        let inlined_at = self.inline_sites.last().and_then(|&s| u32::try_from(s).ok());
        self.body.homes = func
            .locals
            .iter()
            .enumerate()
            .map(|(l, local)| {
                let named = local.name.starts_with(|c: char| c.is_alphabetic() || c == '_');
                named.then(|| {
                    let n = vars.len() as u32;
                    let ty = self.mg.debug_types.of(self.hir, &local.ty);
                    let param = func.params.contains(&l);
                    vars.push(DebugVar { name: local.name.clone(), ty, param, inlined_at });
                    match self.mg.debug_info {
                        Some(VarHomes::Slots) => {
                            let data = StackSlotData::new_with_key(
                                StackSlotKind::ExplicitSlot,
                                8,
                                3,
                                StackSlotKey::new(u64::from(n)),
                            );
                            Home::Slot(self.b.create_sized_stack_slot(data))
                        }
                        _ => Home::Label(ValueLabel::from_u32(n)),
                    }
                })
            })
            .collect();
    }

    /// Marks `v` as the value of local `l` from here on.
    pub(super) fn label(&mut self, l: usize, v: Value) {
        match self.body.homes.get(l) {
            Some(&Some(Home::Label(label))) => self.b.set_val_label(v, label),
            Some(&Some(Home::Slot(slot))) => {
                self.b.ins().stack_store(crate::abi::PTR, v, slot, 0);
            }
            _ => {}
        }
    }

    /// Marks `v`, read from local `l`, as its value (a label follows a
    /// value through the blocks that read it; a slot already holds it).
    pub(super) fn label_read(&mut self, l: usize, v: Value) {
        if let Some(&Some(Home::Label(label))) = self.body.homes.get(l) {
            self.b.set_val_label(v, label);
        }
    }
}

/// Moves the labels of values that became aliases onto the values they
/// stand for. Reading a variable in a block not yet sealed gives a block
/// parameter that sealing may find redundant and turn into an alias of
/// another value; Cranelift drops labels on aliases, which would lose
/// e.g. a loop's variable for its whole body.
pub(crate) fn move_labels_off_aliases(func: &mut Function) {
    let Some(mut labels) = func.dfg.values_labels.take() else { return };
    let aliases: Vec<Value> = labels.keys().copied().filter(|&v| func.dfg.resolve_aliases(v) != v).collect();
    for alias in aliases {
        let Some(ValueLabelAssignments::Starts(starts)) = labels.remove(&alias) else { continue };
        let original = func.dfg.resolve_aliases(alias);
        match labels.entry(original).or_insert_with(|| ValueLabelAssignments::Starts(Vec::new())) {
            ValueLabelAssignments::Starts(list) => list.extend(starts),
            ValueLabelAssignments::Alias { .. } => {}
        }
    }
    func.dfg.values_labels = Some(labels);
}
