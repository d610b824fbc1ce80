//! What a module's init entry does besides its statements (MODULES.md
//! §4): run once, register the module and its variables with the runtime,
//! and complete virtual tables inherited from other modules.

use super::{flags, Translator, R};
use crate::abi::PTR;
use cranelift_codegen::ir::{types, InstBuilder};
use cranelift_module::Module;
use tess_abi::layout::{self, type_info};
use tess_abi::RuntimeFn;
use tess_sema::hir::Callee;

impl<'h, M: Module> Translator<'_, 'h, M> {
    /// Whether the body being translated is the module's init entry.
    pub(super) fn is_module_init(&self) -> bool {
        std::ptr::eq(self.body.func, &self.hir.funcs[self.hir.init])
    }

    /// The init entry runs once however often it is called (MODULES.md
    /// §4): a flag in the module's data guards it.
    pub(super) fn init_once(&mut self) -> R<()> {
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
    pub(super) fn register_module(&mut self) -> R<()> {
        let rows: Vec<Vec<String>> = self.hir.fingerprints.iter().map(|(d, f)| vec![d.clone(), f.clone()]).collect();
        let symbol = format!("{}.fingerprints", self.hir.funcs[self.hir.init].symbol);
        let table = self.mg.c_string_table(&symbol, &rows, layout::fingerprint_table::WIDTH)?;
        let args = self.module_table_args(table, rows.len())?;
        self.call_rt(RuntimeFn::RegisterModule, &args)?;
        Ok(())
    }

    /// The arguments the runtime's module functions take: this module's
    /// name, a table of C strings, and its row count.
    fn module_table_args(
        &mut self,
        table: cranelift_module::DataId,
        rows: usize,
    ) -> R<Vec<cranelift_codegen::ir::Value>> {
        let name = self.mg.c_string(&self.hir.name)?;
        let mut args = Vec::new();
        for id in [name, table] {
            let gv = self.mg.module.declare_data_in_func(id, self.b.func);
            args.push(self.b.ins().symbol_value(PTR, gv));
        }
        args.push(self.b.ins().iconst(types::I64, rows as i64));
        Ok(args)
    }

    /// Has the runtime compare the fingerprints of the imported declarations
    /// this module was compiled against with those of the modules loaded
    /// (registered by their init entries, which ran just before): a
    /// changed one throws `AbiError` before any of this module's code runs.
    pub(super) fn check_uses(&mut self) -> R<()> {
        let mut rows: Vec<Vec<String>> = Vec::new();
        for o in &self.hir.uses {
            let row = vec![o.module.clone(), o.decl.clone(), o.fingerprint.clone()];
            if !rows.contains(&row) {
                rows.push(row);
            }
        }
        if rows.is_empty() {
            return Ok(());
        }
        let symbol = format!("{}.checks", self.hir.funcs[self.hir.init].symbol);
        let table = self.mg.c_string_table(&symbol, &rows, layout::library_descriptor::USES_WIDTH)?;
        let args = self.module_table_args(table, rows.len())?;
        self.call_rt(RuntimeFn::CheckUses, &args)?;
        self.check_exception()
    }

    /// Registers the module's reference-typed variables as static roots.
    pub(super) fn register_global_roots(&mut self) -> R<()> {
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

    /// Copies the virtual-table slots this module's classes inherit from
    /// bases in other modules (`Callee::Inherited`) out of the bases' type
    /// infos, which their modules have completed by now.
    pub(super) fn init_classes(&mut self) -> R<()> {
        for (id, class) in self.hir.classes.iter().enumerate() {
            if class.is_external() {
                continue;
            }
            let inherited: Vec<usize> =
                class.vtable.iter().enumerate().filter(|(_, c)| **c == Callee::Inherited).map(|(s, _)| s).collect();
            let Some(base) = class.base.filter(|_| !inherited.is_empty()) else { continue };
            let ti = self.type_info_addr(id)?;
            let base_ti = self.type_info_addr(base)?;
            for slot in inherited {
                let offset = type_info::vtable_slot(slot as u32);
                let code = self.b.ins().load(PTR, flags(), base_ti, offset);
                self.b.ins().store(flags(), code, ti, offset);
            }
        }
        Ok(())
    }
}
