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

/// A source statement code comes from.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Site {
    /// The function as a trace names it (`main.inner`, `geo.Shape.area`).
    pub func: String,
    pub file: String,
    pub line: u32,
    pub col: u32,
    /// For code inlined into a caller: the caller's site.
    pub parent: Option<u32>,
}

/// The sites of a module, numbered in the order they are first used.
#[derive(Default)]
pub(crate) struct Sites {
    pub list: Vec<Site>,
    index: HashMap<Site, u32>,
}

impl Sites {
    pub fn number(&mut self, site: Site) -> u32 {
        if let Some(&n) = self.index.get(&site) {
            return n;
        }
        let n = self.list.len() as u32;
        self.list.push(site.clone());
        self.index.insert(site, n);
        n
    }
}

/// A function as stack traces and debuggers name it: `main.inner`,
/// `geo.Shape.area`, and the module's name for its init entry (the top
/// level).
pub(crate) fn display_name(hir: &tess_sema::hir::Module, func: &tess_sema::hir::Func) -> String {
    if std::ptr::eq(func, &hir.funcs[hir.init]) {
        hir.name.clone()
    } else {
        format!("{}.{}", hir.name, func.name)
    }
}

/// A defined function's code size and positions: (code offset, site).
#[derive(Clone)]
pub(crate) struct FuncPositions {
    pub id: FuncId,
    pub len: u64,
    pub locs: Vec<(u32, u32)>,
}

fn put(bytes: &mut [u8], at: usize, value: u64) {
    bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

fn put32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

impl<M: Module> ModuleGen<'_, M> {
    /// Defines the module's code table (declared as `self.code_table`)
    /// once every function is defined.
    pub(crate) fn define_code_table(&mut self) -> Result<(), CodegenError> {
        let name = self.module.declarations().get_data_decl(self.code_table).name.clone().unwrap_or_default();
        let funcs = self.positions.clone();
        let sites = self.sites.list.clone();
        let part = |mg: &mut Self, suffix: &str, bytes: Vec<u8>, fill: &dyn Fn(&mut Self, &mut DataDescription)| {
            let id = mg
                .module
                .declare_data(&format!("{name}.{suffix}"), cranelift_module::Linkage::Local, false, false)
                .map_err(err("declaring the code table"))?;
            let mut desc = DataDescription::new();
            let mut bytes = bytes;
            bytes.resize(bytes.len().max(8), 0);
            desc.define(bytes.into_boxed_slice());
            desc.set_align(8);
            fill(mg, &mut desc);
            mg.module.define_data(id, &desc).map_err(err("defining the code table"))?;
            Ok::<DataId, CodegenError>(id)
        };

        let mut locs = Vec::new();
        for f in &funcs {
            for &(offset, s) in &f.locs {
                let mut l = [0u8; loc::SIZE as usize];
                put32(&mut l, loc::OFFSET as usize, offset);
                put32(&mut l, loc::SITE as usize, s);
                locs.extend_from_slice(&l);
            }
        }
        let locs_id = part(self, "locs", locs, &|_, _| {})?;

        let mut file_names = Vec::new();
        for s in &sites {
            file_names.push((self.c_string(&s.func)?, self.c_string(&s.file)?));
        }
        let mut bytes = vec![0u8; sites.len() * site::SIZE as usize];
        for (i, s) in sites.iter().enumerate() {
            let at = i * site::SIZE as usize;
            put32(&mut bytes, at + site::LINE as usize, s.line);
            put32(&mut bytes, at + site::COL as usize, s.col);
            put(&mut bytes, at + site::PARENT as usize, s.parent.map_or(u64::MAX, u64::from));
        }
        let sites_id = part(self, "sites", bytes, &|mg, desc| {
            for (i, &(func_name, file)) in file_names.iter().enumerate() {
                let at = (i * site::SIZE as usize) as u32;
                let gv = mg.module.declare_data_in_data(func_name, desc);
                desc.write_data_addr(at + site::FUNC as u32, gv, 0);
                let gv = mg.module.declare_data_in_data(file, desc);
                desc.write_data_addr(at + site::FILE as u32, gv, 0);
            }
        })?;

        let mut bytes = vec![0u8; funcs.len() * func::SIZE as usize];
        let mut first_loc = Vec::new();
        let mut n = 0i64;
        for (i, f) in funcs.iter().enumerate() {
            let at = i * func::SIZE as usize;
            put(&mut bytes, at + func::LEN as usize, f.len);
            put(&mut bytes, at + func::NLOCS as usize, f.locs.len() as u64);
            first_loc.push(n * i64::from(loc::SIZE));
            n += f.locs.len() as i64;
        }
        let funcs_id = part(self, "funcs", bytes, &|mg, desc| {
            let locs_gv = mg.module.declare_data_in_data(locs_id, desc);
            for (i, f) in funcs.iter().enumerate() {
                let at = (i * func::SIZE as usize) as u32;
                let fref = mg.module.declare_func_in_data(f.id, desc);
                desc.write_function_addr(at + func::START as u32, fref);
                desc.write_data_addr(at + func::LOCS as u32, locs_gv, first_loc[i]);
            }
        })?;

        let mut header = vec![0u8; code_table::SIZE as usize];
        put(&mut header, code_table::NFUNCS as usize, funcs.len() as u64);
        put(&mut header, code_table::NSITES as usize, sites.len() as u64);
        let mut desc = DataDescription::new();
        desc.define(header.into_boxed_slice());
        desc.set_align(8);
        let gv = self.module.declare_data_in_data(funcs_id, &mut desc);
        desc.write_data_addr(code_table::FUNCS as u32, gv, 0);
        let gv = self.module.declare_data_in_data(sites_id, &mut desc);
        desc.write_data_addr(code_table::SITES as u32, gv, 0);
        self.module.define_data(self.code_table, &desc).map_err(err("defining the code table"))
    }
}
