//! Sites: the source statements code is translated from, numbered per
//! module, and each defined function's code positions — what the code
//! table (`code_table.rs`) and the debug information (`debug_info.rs`)
//! are written from. A leaf: the translator fills it, the writers read it.

use cranelift_module::FuncId;
use rustc_hash::FxHashMap;

/// A source statement code comes from.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Site {
    /// The function as a trace names it (`main.inner`, `geo.Shape.area`):
    /// an index into [`Sites::names`].
    pub func: u32,
    /// The file's name, an index into [`Sites::names`].
    pub file: u32,
    pub line: u32,
    pub col: u32,
    /// For code inlined into a caller: the caller's site.
    pub parent: Option<u32>,
}

/// The sites of a module, numbered in the order they are first used, and
/// the names they mention.
#[derive(Default)]
pub(crate) struct Sites {
    pub list: Vec<Site>,
    index: FxHashMap<Site, u32>,
    pub names: Vec<String>,
    name_index: FxHashMap<String, u32>,
}

impl Sites {
    pub fn number(&mut self, site: Site) -> u32 {
        if let Some(&n) = self.index.get(&site) {
            return n;
        }
        let n = self.list.len() as u32;
        self.list.push(site);
        self.index.insert(site, n);
        n
    }

    /// The index of a function's or file's name.
    pub fn name(&mut self, name: &str) -> u32 {
        if let Some(&n) = self.name_index.get(name) {
            return n;
        }
        let n = self.names.len() as u32;
        self.names.push(name.to_string());
        self.name_index.insert(name.to_string(), n);
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
