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

/// A defined function's code size and positions: (code offset, site),
/// and where its variables live.
#[derive(Clone)]
pub(crate) struct FuncPositions {
    pub id: FuncId,
    pub len: u64,
    pub locs: Vec<(u32, u32)>,
    /// Its return type, unless it returns nothing.
    pub ret: Option<crate::debug_types::TypeRef>,
    /// The variables a debugger shows, numbered by their value label.
    pub vars: Vec<DebugVar>,
    /// Where each variable's value is, by label: code ranges and places.
    pub var_ranges: Vec<(u32, Vec<VarRange>)>,
    /// Where its calls return to (a caller's frame is at one of them).
    pub returns: Vec<u32>,
    /// Its call frame information.
    pub unwind: Option<cranelift_codegen::isa::unwind::systemv::UnwindInfo>,
    /// Its Windows `UNWIND_INFO` (see `compile::Compiled`).
    pub seh_unwind: Vec<u8>,
}

/// A parameter or local variable of a function or of a body inlined into
/// it, as a debugger names it.
#[derive(Clone)]
pub(crate) struct DebugVar {
    pub name: String,
    pub ty: crate::debug_types::TypeRef,
    pub param: bool,
    /// For a variable of an inlined body: the site of the call inlined.
    pub inlined_at: Option<u32>,
}

/// Where a variable's value is over a range of its function's code.
#[derive(Clone, Copy, PartialEq)]
pub(crate) struct VarRange {
    pub start: u32,
    pub end: u32,
    pub place: Place,
}

/// A register (by its DWARF number) or a word of the frame, by its offset
/// from the canonical frame address (a spilled value) or from the frame
/// pointer (a stack slot).
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Place {
    Register(u16),
    Frame(i64),
    Slot(i64),
}
