//! What a module's init entry does besides its statements (MODULES.md
//! §4): run once, register the module and its variables with the runtime,
//! and complete virtual tables inherited from other modules.

use super::{flags, Translator, R};
use crate::abi::PTR;
use cranelift_codegen::ir::{types, InstBuilder};
use cranelift_module::Module;
use tess_abi::layout::{self, type_info};
use tess_abi::RuntimeFn;
use tess_sema::hir::{Layout, Offset};

impl<'h, M: Module> Translator<'_, '_, 'h, M> {
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
        self.register_code()?;
        let rows: Vec<Vec<String>> = self.hir.fingerprints.iter().map(|(d, f)| vec![d.clone(), f.clone()]).collect();
        let symbol = format!("{}.fingerprints", self.hir.funcs[self.hir.init].symbol);
        let table = self.mg.c_string_table(&symbol, &rows, layout::fingerprint_table::WIDTH)?;
        let args = self.module_table_args(table, rows.len())?;
        self.call_rt(RuntimeFn::RegisterModule, &args)?;
        Ok(())
    }

    /// Registers the module's code tables for stack traces: its own, or
    /// for a module in pieces, each piece's.
    fn register_code(&mut self) -> R<()> {
        let tables = match self.mg.piece {
            None => vec![self.mg.code_table],
            Some(_) => {
                let mut ids = Vec::new();
                for file in 0..self.hir.files.len().max(1) as u32 {
                    let symbol = crate::module_gen::code_table_symbol(self.hir, Some(file));
                    ids.push(if Some(file) == self.mg.piece {
                        self.mg.code_table
                    } else {
                        self.mg.data_import(&symbol)?
                    });
                }
                ids
            }
        };
        for id in tables {
            let gv = self.mg.module.declare_data_in_func(id, self.b.func);
            let table = self.b.ins().symbol_value(PTR, gv);
            self.call_rt(RuntimeFn::RegisterCode, &[table])?;
        }
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

    /// Builds the type info of each class of this module whose base is
    /// another module's (`Layout::Built`, MODULES.md §11), bases first,
    /// from its base's as that module has completed it by now: the size,
    /// field offsets and slots known only at run time go into the class's
    /// cells.
    pub(super) fn init_classes(&mut self) -> R<()> {
        let mut built: Vec<usize> = (0..self.hir.classes.len())
            .filter(|&c| {
                !self.hir.classes[c].is_external() && matches!(self.hir.classes[c].layout, Layout::Built { .. })
            })
            .collect();
        built.sort_by_key(|&c| self.hir.classes[c].display.len());
        for class in built {
            self.build_class(class)?;
        }
        self.register_conformances()?;
        // From here on every cell holds its final value, and the imported
        // modules have registered their variables.
        self.find_blocks()?;
        self.cell_block = self.b.current_block();
        Ok(())
    }

    /// Registers the module's conformance records (`iface_data.rs`): its
    /// own list, or in a module compiled in pieces each piece's.
    fn register_conformances(&mut self) -> R<()> {
        let hir = self.hir;
        let mut files: Vec<u32> =
            hir.classes.iter().filter(|c| !c.is_external() && !c.conforms.is_empty()).map(|c| c.file).collect();
        files.sort_unstable();
        files.dedup();
        let lists: Vec<Option<u32>> = match self.mg.piece {
            Some(_) => files.into_iter().map(Some).collect(),
            None if files.is_empty() => Vec::new(),
            None => vec![None],
        };
        for file in lists {
            let id = match (file, self.mg.iface_data.list) {
                (f, Some(own)) if f == self.mg.piece => own,
                (f, _) => self.mg.data_import(&crate::iface_data::conformance_list(&hir.name, f))?,
            };
            let gv = self.mg.module.declare_data_in_func(id, self.b.func);
            let list = self.b.ins().symbol_value(PTR, gv);
            self.call_rt(RuntimeFn::RegisterConformances, &[list])?;
            self.check_exception()?;
        }
        Ok(())
    }

    fn build_class(&mut self, class: usize) -> R<()> {
        let hir = self.hir;
        let c = &hir.classes[class];
        let Layout::Built { cell, added, overrides } = &c.layout else { return Ok(()) };
        let Some(base) = c.base else { return Ok(()) };
        let inherited = hir.classes[base].fields.len();
        let base_ti = self.type_info_addr(base)?;
        let name = self.mg.string_literal(&c.name)?;
        let gv = self.mg.module.declare_data_in_func(name, self.b.func);
        let name = self.b.ins().symbol_value(PTR, gv);
        let nfields = self.b.ins().iconst(types::I64, (c.fields.len() - inherited) as i64);
        let nadded = self.b.ins().iconst(types::I64, added.len() as i64);
        let ti = self.call_rt_value(RuntimeFn::ClassNew, &[base_ti, name, nfields, nadded])?;
        let base_size = self.type_info_size(base_ti);
        for (k, f) in c.fields[inherited..].iter().enumerate() {
            let Offset::Cell(symbol) = &f.offset else { continue };
            let offset = self.b.ins().iadd_imm_s(base_size, i64::from(layout::WORD) * k as i64);
            let at = self.cell_addr(symbol)?;
            self.b.ins().store(flags(), offset, at, 0);
            if f.ty.is_ref() {
                self.call_rt(RuntimeFn::ClassAddRef, &[ti, offset])?;
            }
        }
        let base_slots = self.b.ins().load(types::I64, flags(), base_ti, type_info::NSLOTS);
        let first_new = self.b.ins().ishl_imm_u(base_slots, 3);
        let first_new = self.b.ins().iadd_imm_s(first_new, i64::from(type_info::VTABLE));
        let mut slots = Vec::new();
        for (k, (slot_cell, f)) in added.iter().enumerate() {
            let offset = self.b.ins().iadd_imm_s(first_new, i64::from(layout::WORD) * k as i64);
            slots.push((slot_cell.clone(), offset, *f));
        }
        for (slot, f) in overrides {
            let offset = self.offset_value(slot)?;
            let method = &hir.funcs[*f].name[c.name.len() + 1..];
            slots.push((tess_abi::mangle::method_slot(&hir.name, &c.name, method), offset, *f));
        }
        for (slot_cell, offset, f) in slots {
            let at = self.cell_addr(&slot_cell)?;
            self.b.ins().store(flags(), offset, at, 0);
            let id = self.mg.func(f)?;
            let fref = self.mg.module.declare_func_in_func(id, self.b.func);
            let code = self.b.ins().func_addr(PTR, fref);
            let entry = self.b.ins().iadd(ti, offset);
            self.b.ins().store(flags(), code, entry, 0);
        }
        let at = self.cell_addr(cell)?;
        self.b.ins().store(flags(), ti, at, 0);
        Ok(())
    }
}
