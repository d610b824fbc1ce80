//! Calls through an interface (`docs/abi.md`, interfaces): the table of
//! the receiver's class for the interface, found in the call site's cache
//! when the receiver's class is the one seen last, else from the runtime.

use super::{flags, Translator, R};
use crate::abi::PTR;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{InstBuilder, Value};
use cranelift_module::Module;
use tess_abi::layout::interface as l;
use tess_abi::RuntimeFn;
use tess_sema::hir::{Expr, Offset};
use tess_sema::ty::{IfaceId, Ty};

impl<'h, M: Module> Translator<'_, '_, 'h, M> {
    /// The address of an interface's descriptor.
    pub(super) fn iface_descriptor(&mut self, iface: IfaceId) -> R<Value> {
        let id = self.mg.iface_descriptor(iface)?;
        let gv = self.mg.module.declare_data_in_func(id, self.b.func);
        Ok(self.b.ins().symbol_value(PTR, gv))
    }

    /// `args[0].m(args[1..])` through interface `iface`, `m` at `slot`.
    pub(super) fn call_interface(
        &mut self,
        iface: IfaceId,
        slot: &Offset,
        args: &'h [Expr],
        ret: &Ty,
    ) -> R<Option<Value>> {
        let mut vals = self.values(args)?;
        let recv = vals[0];
        let cache_id = self.mg.iface_cache()?;
        let gv = self.mg.module.declare_data_in_func(cache_id, self.b.func);
        let cache = self.b.ins().symbol_value(PTR, gv);
        let record = self.b.ins().load(PTR, flags(), cache, 0);
        let ti = self.type_info_of(recv);
        let slow = self.b.create_block();
        let join = self.b.create_block();
        let table = self.b.append_block_param(join, PTR);
        let mut check = self.b.create_block();
        self.b.ins().brif(record, check, &[], slow, &[]);
        // Each entry in turn: its type info, then (on a match) its table.
        for k in 0..l::CACHE_ENTRIES {
            self.b.switch_to_block(check);
            let at = l::CACHE_ENTRY_SIZE * k;
            let seen = self.b.ins().load(PTR, flags(), record, at + l::CACHE_TYPE_INFO);
            let hit = self.b.ins().icmp(IntCC::Equal, seen, ti);
            let found = self.b.create_block();
            let next = if k + 1 < l::CACHE_ENTRIES { self.b.create_block() } else { slow };
            self.b.ins().brif(hit, found, &[], next, &[]);
            self.b.switch_to_block(found);
            let cached = self.b.ins().load(PTR, flags(), record, at + l::CACHE_TABLE);
            self.b.ins().jump(join, &[cached.into()]);
            check = next;
        }
        self.b.switch_to_block(slow);
        self.b.set_cold_block(slow);
        let desc = self.iface_descriptor(iface)?;
        let found = self.call_rt_value(RuntimeFn::IfaceTable, &[recv, desc, cache])?;
        self.check_exception()?;
        self.b.ins().jump(join, &[found.into()]);
        self.b.switch_to_block(join);
        let (addr, at) = self.offset_addr(table, slot)?;
        let code = self.b.ins().load(PTR, flags(), addr, at);
        let params: Vec<Ty> = args.iter().map(|a| a.ty.clone()).collect();
        let sig = crate::abi::tessera_signature(self.call_conv, &params, ret);
        vals.push(self.thread());
        let sigref = self.b.import_signature(sig);
        let call = self.b.ins().call_indirect(sigref, code, &vals);
        let r = self.b.inst_results(call).first().copied();
        self.check_exception()?;
        Ok(r)
    }
}
