//! The data of interfaces (`docs/abi.md`, interfaces): this module's
//! interfaces' descriptors and method-slot cells, its classes'
//! conformance records, the list the init entry registers, and the cache
//! words of its call sites.

use crate::module_gen::{linkage, ModuleGen};
use crate::{err, CodegenError};
use cranelift_module::{DataDescription, DataId, Linkage, Module};
use tess_abi::layout::interface as l;
use tess_sema::hir::{Callee, Impl, Offset, Visibility};

/// The interface data this object defines or imports.
#[derive(Default)]
pub(crate) struct IfaceData {
    descriptors: std::collections::HashMap<usize, DataId>,
    caches: usize,
    /// This object's list of conformance records, if it has any.
    pub(crate) list: Option<DataId>,
}

/// The symbol of the list of conformance records of `module`'s file
/// `file` (or of the whole module), which its init entry registers.
pub(crate) fn conformance_list(module: &str, file: Option<u32>) -> String {
    let base = tess_abi::mangle::symbol(module, &[]);
    match file {
        Some(f) => format!("{base}.conformances.{f}"),
        None => format!("{base}.conformances"),
    }
}

impl<M: Module> ModuleGen<'_, M> {
    /// The linkage of a declaration of this visibility in this object.
    fn link(&self, v: Visibility) -> Linkage {
        if self.piece.is_some() {
            linkage(v.max(Visibility::Hidden))
        } else {
            linkage(v)
        }
    }

    fn here(&self, file: u32) -> bool {
        self.piece.is_none_or(|p| p == file)
    }

    /// The descriptor of interface `i`: defined here, or imported.
    pub fn iface_descriptor(&mut self, i: usize) -> Result<DataId, CodegenError> {
        if let Some(&id) = self.iface_data.descriptors.get(&i) {
            return Ok(id);
        }
        let iface = &self.hir.interfaces[i];
        let id = self.data_import(&iface.descriptor.clone())?;
        self.iface_data.descriptors.insert(i, id);
        Ok(id)
    }

    /// A new cache word for a call site (local, zero until the runtime
    /// fills it).
    pub fn iface_cache(&mut self) -> Result<DataId, CodegenError> {
        let piece = self.piece.map_or(String::new(), |p| format!(".{p}"));
        let name =
            format!("{}.icache{piece}.{}", tess_abi::mangle::symbol(&self.hir.name, &[]), self.iface_data.caches);
        self.iface_data.caches += 1;
        let id = self.module.declare_data(&name, Linkage::Local, true, false).map_err(err("declaring a cache"))?;
        let mut desc = DataDescription::new();
        desc.define(vec![0u8; 8].into_boxed_slice());
        desc.set_align(8);
        self.module.define_data(id, &desc).map_err(err("defining a cache"))?;
        Ok(id)
    }

    /// Defines this object's interfaces: each descriptor and the cells of
    /// its methods' slots (what other modules' calls read).
    pub(crate) fn define_interfaces(&mut self) -> Result<(), CodegenError> {
        let hir = self.hir;
        for (i, iface) in hir.interfaces.iter().enumerate() {
            if iface.imported_from.is_some() || !self.here(iface.file) {
                continue;
            }
            let link = self.link(iface.visibility);
            let id = self
                .module
                .declare_data(&iface.descriptor, link, false, false)
                .map_err(err("declaring an interface"))?;
            let size = l::DESC_METHODS + l::METHOD_SIZE * iface.methods.len() as i32;
            let mut bytes = vec![0u8; size as usize];
            bytes[..8].copy_from_slice(&(iface.methods.len() as u64).to_le_bytes());
            let mut desc = DataDescription::new();
            desc.define(bytes.into_boxed_slice());
            desc.set_align(8);
            let name = self.string_literal(&iface.name)?;
            let gv = self.module.declare_data_in_data(name, &mut desc);
            desc.write_data_addr(l::DESC_NAME as u32, gv, 0);
            for (k, m) in iface.methods.iter().enumerate() {
                let at = (l::DESC_METHODS + l::METHOD_SIZE * k as i32) as u32;
                let name = self.string_literal(&m.name)?;
                let gv = self.module.declare_data_in_data(name, &mut desc);
                desc.write_data_addr(at, gv, 0);
                if let Some(f) = m.default {
                    let code = self.func(f)?;
                    let fref = self.module.declare_func_in_data(code, &mut desc);
                    desc.write_function_addr(at + 8, fref);
                }
                let cell = tess_abi::mangle::method_slot(&hir.name, &iface.name, &m.name);
                let value = match m.slot {
                    Offset::Fixed(o) => u64::from(o),
                    Offset::Cell(_) => 0,
                };
                self.define_word(&cell, link, value)?;
            }
            self.module.define_data(id, &desc).map_err(err("defining an interface"))?;
            self.iface_data.descriptors.insert(i, id);
        }
        self.define_conformances()
    }

    /// A constant word of the module's data.
    fn define_word(&mut self, symbol: &str, link: Linkage, value: u64) -> Result<DataId, CodegenError> {
        let id = self.module.declare_data(symbol, link, false, false).map_err(err("declaring a word"))?;
        let mut desc = DataDescription::new();
        desc.define(value.to_le_bytes().to_vec().into_boxed_slice());
        desc.set_align(8);
        self.module.define_data(id, &desc).map_err(err("defining a word"))?;
        Ok(id)
    }

    /// The conformance record of each (class defined here, interface it
    /// names), and the list of them the init entry registers.
    fn define_conformances(&mut self) -> Result<(), CodegenError> {
        let hir = self.hir;
        let prefix = tess_abi::mangle::symbol(&hir.name, &[]);
        let piece = self.piece.map_or(String::new(), |p| format!(".{p}"));
        let mut records = Vec::new();
        for (c, class) in hir.classes.iter().enumerate() {
            if class.is_external() || !self.here(class.file) {
                continue;
            }
            for (k, conf) in class.conforms.iter().enumerate() {
                let n = records.len();
                let ti_word = match class.layout.type_info_cell() {
                    Some(cell) => self.cell(cell)?,
                    None => {
                        let id = self
                            .module
                            .declare_data(&format!("{prefix}.conf{piece}.{n}.ti"), Linkage::Local, false, false)
                            .map_err(err("declaring a record"))?;
                        let mut desc = DataDescription::new();
                        desc.define(vec![0u8; 8].into_boxed_slice());
                        let ti = self.class_type_info(c)?;
                        let gv = self.module.declare_data_in_data(ti, &mut desc);
                        desc.write_data_addr(0, gv, 0);
                        self.module.define_data(id, &desc).map_err(err("defining a record"))?;
                        id
                    }
                };
                let entries: Vec<&(String, Impl)> =
                    conf.methods.iter().filter(|(_, i)| !matches!(i, Impl::Direct(Callee::Runtime(_)))).collect();
                let size = l::CONF_ENTRIES + l::ENTRY_SIZE * entries.len() as i32;
                let mut bytes = vec![0u8; size as usize];
                bytes[l::CONF_COUNT as usize..][..8].copy_from_slice(&(entries.len() as u64).to_le_bytes());
                for (e, (_, i)) in entries.iter().enumerate() {
                    let kind = if matches!(i, Impl::Slot(_)) { l::ENTRY_SLOT } else { l::ENTRY_CODE };
                    let at = (l::CONF_ENTRIES + l::ENTRY_SIZE * e as i32 + 8) as usize;
                    bytes[at..at + 8].copy_from_slice(&kind.to_le_bytes());
                }
                let mut desc = DataDescription::new();
                desc.define(bytes.into_boxed_slice());
                desc.set_align(8);
                let gv = self.module.declare_data_in_data(ti_word, &mut desc);
                desc.write_data_addr(l::CONF_TYPE_INFO as u32, gv, 0);
                let iface = self.iface_descriptor(conf.iface)?;
                let gv = self.module.declare_data_in_data(iface, &mut desc);
                desc.write_data_addr(l::CONF_IFACE as u32, gv, 0);
                for (e, (name, i)) in entries.iter().enumerate() {
                    let at = (l::CONF_ENTRIES + l::ENTRY_SIZE * e as i32) as u32;
                    let name = self.string_literal(name)?;
                    let gv = self.module.declare_data_in_data(name, &mut desc);
                    desc.write_data_addr(at, gv, 0);
                    match i {
                        Impl::Direct(Callee::Func(f)) => {
                            let code = self.func(*f)?;
                            let fref = self.module.declare_func_in_data(code, &mut desc);
                            desc.write_function_addr(at + 16, fref);
                        }
                        Impl::Slot(Offset::Cell(cell)) => {
                            let cell = self.cell(cell)?;
                            let gv = self.module.declare_data_in_data(cell, &mut desc);
                            desc.write_data_addr(at + 16, gv, 0);
                        }
                        Impl::Slot(Offset::Fixed(o)) => {
                            let word = self.define_word(
                                &format!("{prefix}.conf{piece}.{n}.{k}.{e}"),
                                Linkage::Local,
                                u64::from(*o),
                            )?;
                            let gv = self.module.declare_data_in_data(word, &mut desc);
                            desc.write_data_addr(at + 16, gv, 0);
                        }
                        Impl::Direct(Callee::Runtime(_)) => {}
                    }
                }
                let id = self
                    .module
                    .declare_data(&format!("{prefix}.conf{piece}.{n}"), Linkage::Local, false, false)
                    .map_err(err("declaring a record"))?;
                self.module.define_data(id, &desc).map_err(err("defining a record"))?;
                records.push(id);
            }
        }
        if records.is_empty() {
            return Ok(());
        }
        let symbol = conformance_list(&hir.name, self.piece);
        let link = if self.piece.is_some() { Linkage::Hidden } else { Linkage::Local };
        let id = self.module.declare_data(&symbol, link, false, false).map_err(err("declaring a list"))?;
        let mut bytes = vec![0u8; 8 * (records.len() + 1)];
        bytes[..8].copy_from_slice(&(records.len() as u64).to_le_bytes());
        let mut desc = DataDescription::new();
        desc.define(bytes.into_boxed_slice());
        desc.set_align(8);
        for (k, r) in records.into_iter().enumerate() {
            let gv = self.module.declare_data_in_data(r, &mut desc);
            desc.write_data_addr(8 * (k as u32 + 1), gv, 0);
        }
        self.module.define_data(id, &desc).map_err(err("defining a list"))?;
        self.iface_data.list = Some(id);
        Ok(())
    }
}
