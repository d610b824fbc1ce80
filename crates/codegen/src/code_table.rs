//! The table of code positions a module registers with the runtime at
//! start-up (`tess_abi::layout::code_table`), from which stack traces name
//! the function, file, line and column of every frame: the sites (source
//! statements) code was translated from, and for each function the code
//! offsets where each site's instructions start, as Cranelift reports
//! them (the `SourceLoc` of an instruction is its site's index).

use crate::module_gen::ModuleGen;
use crate::{err, CodegenError};
use cranelift_module::{DataDescription, DataId, FuncId, Module};
use std::collections::HashMap;
use tess_abi::layout::code_table::{self, func, loc, site};

fn put(bytes: &mut [u8], at: usize, value: u64) {
    bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

fn put32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

/// The names of a table's sites, NUL-terminated in one blob, each stored
/// once.
#[derive(Default)]
struct Strings {
    bytes: Vec<u8>,
    at: HashMap<String, u32>,
}

impl Strings {
    fn offset(&mut self, s: &str) -> u32 {
        if let Some(&o) = self.at.get(s) {
            return o;
        }
        let o = self.bytes.len() as u32;
        self.bytes.extend_from_slice(s.as_bytes());
        self.bytes.push(0);
        self.at.insert(s.to_string(), o);
        o
    }
}

impl<M: Module> ModuleGen<'_, M> {
    /// Defines the module's code table (declared as `self.code_table`)
    /// once every function is defined.
    pub(crate) fn define_code_table(&mut self) -> Result<(), CodegenError> {
        let name = self.module.declarations().get_data_decl(self.code_table).name.clone().unwrap_or_default();
        let part =
            |mg: &mut Self, suffix: &str, mut bytes: Vec<u8>| -> Result<(DataId, DataDescription), CodegenError> {
                let id = mg
                    .module
                    .declare_data(&format!("{name}.{suffix}"), cranelift_module::Linkage::Local, false, false)
                    .map_err(err("declaring the code table"))?;
                let mut desc = DataDescription::new();
                bytes.resize(bytes.len().max(8), 0);
                desc.define(bytes.into_boxed_slice());
                desc.set_align(8);
                Ok((id, desc))
            };
        let define = |mg: &mut Self, (id, desc): (DataId, DataDescription)| -> Result<DataId, CodegenError> {
            mg.module.define_data(id, &desc).map_err(err("defining the code table"))?;
            Ok(id)
        };

        let funcs = &self.positions;
        let mut locs = Vec::new();
        let mut entries = vec![0u8; funcs.len() * func::SIZE as usize];
        for (i, f) in funcs.iter().enumerate() {
            let at = i * func::SIZE as usize;
            put32(&mut entries, at + func::LEN as usize, f.len as u32);
            put32(&mut entries, at + func::FIRST_LOC as usize, (locs.len() / loc::SIZE as usize) as u32);
            put32(&mut entries, at + func::NLOCS as usize, f.locs.len() as u32);
            for &(offset, s) in &f.locs {
                let mut l = [0u8; loc::SIZE as usize];
                put32(&mut l, loc::OFFSET as usize, offset);
                put32(&mut l, loc::SITE as usize, s);
                locs.extend_from_slice(&l);
            }
        }
        let mut strings = Strings::default();
        let sites = &self.sites.list;
        let mut site_bytes = vec![0u8; sites.len() * site::SIZE as usize];
        for (i, s) in sites.iter().enumerate() {
            let at = i * site::SIZE as usize;
            put32(&mut site_bytes, at + site::FUNC as usize, strings.offset(&self.sites.names[s.func as usize]));
            put32(&mut site_bytes, at + site::FILE as usize, strings.offset(&self.sites.names[s.file as usize]));
            put32(&mut site_bytes, at + site::LINE as usize, s.line);
            put32(&mut site_bytes, at + site::COL as usize, s.col);
            put32(&mut site_bytes, at + site::PARENT as usize, s.parent.unwrap_or(u32::MAX));
        }
        let ids: Vec<FuncId> = funcs.iter().map(|f| f.id).collect();
        let (nfuncs, nsites) = (ids.len(), sites.len());

        let locs_id = part(self, "locs", locs).and_then(|p| define(self, p))?;
        let strings_id = part(self, "strings", strings.bytes).and_then(|p| define(self, p))?;
        let sites_id = part(self, "sites", site_bytes).and_then(|p| define(self, p))?;
        let (funcs_id, mut desc) = part(self, "funcs", entries)?;
        for (i, id) in ids.into_iter().enumerate() {
            let fref = self.module.declare_func_in_data(id, &mut desc);
            desc.write_function_addr((i * func::SIZE as usize) as u32 + func::START as u32, fref);
        }
        let funcs_id = define(self, (funcs_id, desc))?;

        let mut header = vec![0u8; code_table::SIZE as usize];
        put(&mut header, code_table::NFUNCS as usize, nfuncs as u64);
        put(&mut header, code_table::NSITES as usize, nsites as u64);
        let mut desc = DataDescription::new();
        desc.define(header.into_boxed_slice());
        desc.set_align(8);
        for (at, id) in [
            (code_table::FUNCS, funcs_id),
            (code_table::SITES, sites_id),
            (code_table::LOCS, locs_id),
            (code_table::STRINGS, strings_id),
        ] {
            let gv = self.module.declare_data_in_data(id, &mut desc);
            desc.write_data_addr(at as u32, gv, 0);
        }
        self.module.define_data(self.code_table, &desc).map_err(err("defining the code table"))
    }
}
