//! Declarations shared by every function of a module: its functions,
//! variables, string literals and the runtime symbols it imports. Generic
//! over the Cranelift module, so the object-file and JIT paths are one.

use crate::abi;
use crate::compile::{Compiled, Targets, Translated};
use crate::{err, CodegenError};
use cranelift_codegen::ir::{AbiParam, InstBuilder, Signature, Value};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::{DataDescription, DataId, FuncId, Linkage, Module};
use std::collections::HashMap;
use tess_abi::layout::{self, library_descriptor, type_info};
use tess_abi::RuntimeFn;
use tess_sema::hir;

/// The class id of the built-in `Error` (second in every module).
const ERROR_CLASS: usize = 1;
use tess_sema::hir::{Callee, Const, Visibility};
use tess_sema::ty::Ty;

/// The linkage of a symbol with this visibility (`docs/abi.md`).
pub(crate) fn linkage(v: Visibility) -> Linkage {
    match v {
        Visibility::Local => Linkage::Local,
        Visibility::Hidden => Linkage::Hidden,
        Visibility::Export => Linkage::Export,
    }
}

pub(crate) struct ModuleGen<'h, M: Module> {
    pub module: M,
    pub hir: &'h hir::Module,
    /// Defined functions are declared up front; imported ones (`None`
    /// until used) on first use, so only what the module uses is imported.
    funcs: Vec<Option<FuncId>>,
    globals: Vec<Option<DataId>>,
    /// Each of this module's thread-local variables: its byte offset in
    /// the module's per-thread block (`docs/abi.md`, threads).
    pub var_offsets: Vec<Option<u32>>,
    /// The module's variables key cell: defined with the init entry,
    /// imported by the module's other pieces.
    pub vars_key: DataId,
    /// The C-convention entries of this module's Tessera functions used
    /// as values (`Self::c_entry`), to be defined once translated.
    entries: Vec<(FuncId, usize)>,
    /// Function values that capture nothing, and their code to define.
    pub(crate) fn_values: crate::fn_values::FnValues,
    /// Interface descriptors, conformance records and call-site caches.
    pub(crate) iface_data: crate::iface_data::IfaceData,
    strings: HashMap<String, DataId>,
    /// Constant arrays and maps (`sema::constants`) emitted so far, by
    /// value.
    const_arrays: HashMap<String, DataId>,
    imports: HashMap<RuntimeFn, FuncId>,
    data_imports: HashMap<String, DataId>,
    /// Type info of each class defined in this module with a fixed layout.
    class_infos: HashMap<usize, DataId>,
    /// The cells of this module's classes (MODULES.md §11): type infos
    /// built at run time, field offsets and slot offsets, by symbol.
    cells: HashMap<String, DataId>,
    c_strings: HashMap<String, DataId>,
    init_flag_defined: bool,
    /// With `Some(file)`, only that file's declarations are defined here
    /// (a module compiled in pieces); the other files' come from their own
    /// objects, so nothing may be local to an object.
    pub piece: Option<u32>,
    /// With `Some`, the text of every translated function is appended
    /// here (`--emit=clif`).
    pub clif: Option<String>,
    /// The table of [`Self::error_class_table`], made on first use.
    error_classes: Option<(DataId, usize)>,
    /// What functions are compiled for, on the thread pool.
    pub(crate) targets: Targets,
    /// Which variables only the init entry writes (`writes.rs`), found
    /// before any function is translated (and a body freed).
    pub(crate) init_only: Vec<bool>,
    /// Which functions may resize an array (`resizes.rs`), found with
    /// `init_only`.
    pub(crate) resizes: Vec<bool>,
    /// Which functions may collect (`collects.rs`), found with `init_only`.
    pub(crate) collects: Vec<bool>,
    /// The size in bytes of each function's machine code, as defined (for
    /// the JIT's map of its code, which profilers read).
    pub code_sizes: Vec<(FuncId, usize)>,
    /// The sites of the module's code, and each defined function's
    /// positions, for its code table (`code_table.rs`).
    pub(crate) sites: crate::sites::Sites,
    pub(crate) positions: Vec<crate::sites::FuncPositions>,
    /// With `Some`, functions are translated for a debugger too (objects:
    /// yes, the JIT: no), with the variables it shows and their types.
    pub(crate) debug_info: Option<VarHomes>,
    /// By function: its return type and its variables.
    pub(crate) debug_vars: HashMap<FuncId, (Option<crate::debug_types::TypeRef>, Vec<crate::sites::DebugVar>)>,
    pub(crate) debug_types: crate::debug_types::DebugTypes,
    /// The code table this object defines, which its init entry (or the
    /// module's, for a piece) registers.
    pub code_table: DataId,
}

/// How the debugger finds variables (`translate/debug_vars.rs`).
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum VarHomes {
    /// Where the register allocator keeps their values, while live.
    Labels,
    /// In a stack slot each, always (`-O0`).
    Slots,
}

impl<'h, M: Module> ModuleGen<'h, M> {
    /// Declares every function and variable of `hir` in `module` (of the
    /// file `piece` only, when the module is compiled in pieces).
    /// `isa` is the one `module` was made with.
    pub fn new(
        mut module: M,
        isa: OwnedTargetIsa,
        hir: &'h hir::Module,
        piece: Option<u32>,
    ) -> Result<Self, CodegenError> {
        let call_conv = module.isa().default_call_conv();
        let here = |file: u32| piece.is_none_or(|p| p == file);
        let link = |v: Visibility| if piece.is_some() { linkage(v.max(Visibility::Hidden)) } else { linkage(v) };
        let mut funcs = Vec::new();
        for f in &hir.funcs {
            if f.external || !here(f.file) {
                funcs.push(None);
                continue;
            }
            let sig = func_signature(call_conv, f);
            funcs.push(Some(
                module.declare_function(&f.symbol, link(f.visibility), &sig).map_err(err("declaring a function"))?,
            ));
        }
        let var_offsets = thread_local_offsets(hir);
        let mut globals = Vec::new();
        for (g, offset) in hir.globals.iter().zip(&var_offsets) {
            if g.external || !here(g.file) {
                globals.push(None);
                continue;
            }
            // A `shared var` is the variable itself; a thread-local one's
            // symbol is a constant, its offset in each thread's block.
            let id = module
                .declare_data(&g.symbol, link(g.visibility), offset.is_none(), false)
                .map_err(err("declaring a variable"))?;
            let mut desc = DataDescription::new();
            desc.define(u64::from(offset.unwrap_or(0)).to_le_bytes().to_vec().into_boxed_slice());
            desc.set_align(8);
            module.define_data(id, &desc).map_err(err("defining a variable"))?;
            globals.push(Some(id));
        }
        let key_symbol = tess_abi::mangle::module_vars_key(&hir.name);
        let vars_key = if here(hir.funcs[hir.init].file) {
            // Other modules need it for the variables they can reach.
            let exported = hir.globals.iter().any(|g| g.in_block() && g.visibility == Visibility::Export);
            let key_linkage = if exported { Linkage::Export } else { Linkage::Hidden };
            let id = module.declare_data(&key_symbol, key_linkage, true, false).map_err(err("declaring a key"))?;
            let mut desc = DataDescription::new();
            // Until the module registers its variables: the slot of thread
            // states that is always null.
            let unset = tess_abi::layout::thread::block(tess_abi::layout::thread::MAX_MODULES) as u64;
            desc.define(unset.to_le_bytes().to_vec().into_boxed_slice());
            desc.set_align(8);
            module.define_data(id, &desc).map_err(err("defining a key"))?;
            id
        } else {
            module.declare_data(&key_symbol, Linkage::Import, true, false).map_err(err("importing a key"))?
        };
        let table_linkage = if piece.is_some() { Linkage::Hidden } else { Linkage::Local };
        let code_table = module
            .declare_data(&code_table_symbol(hir, piece), table_linkage, false, false)
            .map_err(err("declaring the code table"))?;
        let mut mg = ModuleGen {
            module,
            hir,
            funcs,
            globals,
            var_offsets,
            vars_key,
            entries: Vec::new(),
            fn_values: Default::default(),
            iface_data: Default::default(),
            strings: HashMap::new(),
            const_arrays: HashMap::new(),
            imports: HashMap::new(),
            data_imports: HashMap::new(),
            class_infos: HashMap::new(),
            cells: HashMap::new(),
            c_strings: HashMap::new(),
            init_flag_defined: false,
            piece,
            clif: None,
            targets: Targets::new(isa),
            init_only: Vec::new(),
            resizes: Vec::new(),
            collects: Vec::new(),
            code_sizes: Vec::new(),
            error_classes: None,
            sites: Default::default(),
            positions: Vec::new(),
            debug_info: None,
            debug_vars: HashMap::new(),
            debug_types: Default::default(),
            code_table,
        };
        for (id, class) in hir.classes.iter().enumerate() {
            if class.is_external() || !here(class.file) {
                continue;
            }
            match &class.layout {
                hir::Layout::Built { cell, .. } => mg.define_cell(cell, link(class.visibility), None)?,
                _ => {
                    let ti = mg
                        .module
                        .declare_data(&class.type_info, link(class.visibility), true, false)
                        .map_err(err("declaring a class"))?;
                    mg.class_infos.insert(id, ti);
                }
            }
            mg.define_member_cells(id, &link)?;
        }
        for id in 0..hir.classes.len() {
            if mg.class_infos.contains_key(&id) {
                mg.define_type_info(id)?;
            }
        }
        mg.define_interfaces()?;
        Ok(mg)
    }

    /// Whether only the module's init entry writes variable `g`.
    pub fn init_only(&self, g: usize) -> bool {
        self.init_only[g]
    }

    /// Whether a call of function `f` may run the collector.
    pub fn may_collect(&self, f: usize) -> bool {
        self.collects[f]
    }

    /// Whether a call of function `f` may change an array's length.
    pub fn may_resize(&self, f: usize) -> bool {
        self.resizes[f]
    }

    /// A function of the module, declared (as an import) on first use when
    /// another module defines it.
    pub fn func(&mut self, f: usize) -> Result<FuncId, CodegenError> {
        if let Some(id) = self.funcs[f] {
            return Ok(id);
        }
        let func = &self.hir.funcs[f];
        let sig = func_signature(self.module.isa().default_call_conv(), func);
        let id =
            self.module.declare_function(&func.symbol, Linkage::Import, &sig).map_err(err("importing a function"))?;
        self.funcs[f] = Some(id);
        Ok(id)
    }

    /// A module variable, imported on first use when another module has it.
    pub fn global(&mut self, g: usize) -> Result<DataId, CodegenError> {
        if let Some(id) = self.globals[g] {
            return Ok(id);
        }
        let id = self
            .module
            .declare_data(&self.hir.globals[g].symbol, Linkage::Import, true, false)
            .map_err(err("importing a variable"))?;
        self.globals[g] = Some(id);
        Ok(id)
    }

    /// The type info of a class with a fixed layout, or of another
    /// module's: defined here, or imported.
    pub fn class_type_info(&mut self, class: usize) -> Result<DataId, CodegenError> {
        match self.class_infos.get(&class) {
            Some(&id) => Ok(id),
            None => self.data_import(&self.hir.classes[class].type_info),
        }
    }

    /// A cell (`hir::Offset::Cell`, a built type info's): defined here, or
    /// imported from the module that defines it.
    pub fn cell(&mut self, symbol: &str) -> Result<DataId, CodegenError> {
        match self.cells.get(symbol) {
            Some(&id) => Ok(id),
            None => self.data_import(symbol),
        }
    }

    /// A cell of this module: the constant `value`, or (with `None`) a word
    /// the init entry writes.
    fn define_cell(&mut self, symbol: &str, linkage: Linkage, value: Option<u64>) -> Result<(), CodegenError> {
        let id = self.module.declare_data(symbol, linkage, value.is_none(), false).map_err(err("declaring a cell"))?;
        let mut desc = DataDescription::new();
        desc.define(value.unwrap_or(0).to_le_bytes().to_vec().into_boxed_slice());
        desc.set_align(8);
        self.module.define_data(id, &desc).map_err(err("defining a cell"))?;
        self.cells.insert(symbol.to_string(), id);
        Ok(())
    }

    /// The offset cells of a class's own fields and the slot cells of its
    /// virtual methods: through them other modules reach its members
    /// (MODULES.md §11). Constants for a fixed layout; written by the init
    /// entry for a layout built at run time.
    fn define_member_cells(&mut self, class: usize, link: &dyn Fn(Visibility) -> Linkage) -> Result<(), CodegenError> {
        let hir = self.hir;
        let c = &hir.classes[class];
        let inherited = c.base.map_or(0, |b| hir.classes[b].fields.len());
        for f in &c.fields[inherited..] {
            let symbol = tess_abi::mangle::field_offset(&hir.name, &c.name, &f.name);
            let visibility = c.visibility.of_member(f.access);
            let value = match &f.offset {
                hir::Offset::Fixed(o) => Some(u64::from(*o)),
                hir::Offset::Cell(_) => None,
            };
            self.define_cell(&symbol, link(visibility), value)?;
        }
        let prefix = format!("{}.", c.name);
        let own = |f: usize| hir.funcs[f].name.starts_with(&prefix);
        let slots: Vec<(usize, Option<u64>)> = match &c.layout {
            hir::Layout::Fixed => c
                .vtable
                .iter()
                .enumerate()
                .filter_map(|(s, callee)| match callee {
                    Callee::Func(f) if own(*f) => Some((*f, Some(type_info::vtable_slot(s as u32) as u64))),
                    _ => None,
                })
                .collect(),
            hir::Layout::Built { added, overrides, .. } => {
                added.iter().map(|(_, f)| (*f, None)).chain(overrides.iter().map(|(_, f)| (*f, None))).collect()
            }
            hir::Layout::Imported { .. } => Vec::new(),
        };
        for (f, value) in slots {
            let func = &hir.funcs[f];
            let symbol = tess_abi::mangle::method_slot(&hir.name, &c.name, &func.name[prefix.len()..]);
            self.define_cell(&symbol, link(func.visibility), value)?;
        }
        Ok(())
    }

    /// Type info and virtual table of a class (layout in `docs/abi.md`),
    /// with its reference-field offsets and ancestor display beside it.
    fn define_type_info(&mut self, class: usize) -> Result<(), CodegenError> {
        let c = &self.hir.classes[class];
        let ti = self.class_infos[&class];
        let refs: Vec<u64> = c
            .fields
            .iter()
            .filter(|f| f.ty.is_ref())
            .filter_map(|f| match (f.offset.clone(), &f.ty) {
                (hir::Offset::Fixed(o), tess_sema::ty::Ty::Param(k, _)) => {
                    c.desc_fields.get(*k as usize).map(|&d| type_info::conditional_ref(u64::from(o), d))
                }
                (hir::Offset::Fixed(o), _) => Some(u64::from(o)),
                (hir::Offset::Cell(_), _) => None,
            })
            .collect();
        let refs_id = if refs.is_empty() {
            None
        } else {
            let id = self
                .module
                .declare_data(&format!("{}.refs", c.type_info), Linkage::Local, false, false)
                .map_err(err("declaring a class"))?;
            let mut desc = DataDescription::new();
            desc.define(refs.iter().flat_map(|r| r.to_le_bytes()).collect());
            desc.set_align(8);
            self.module.define_data(id, &desc).map_err(err("defining a class"))?;
            Some(id)
        };
        let display_id = self
            .module
            .declare_data(&format!("{}.display", c.type_info), Linkage::Local, true, false)
            .map_err(err("declaring a class"))?;
        let mut desc = DataDescription::new();
        desc.define(vec![0u8; 8 * c.display.len()].into_boxed_slice());
        desc.set_align(8);
        for (i, &ancestor) in c.display.iter().enumerate() {
            let a = self.class_type_info(ancestor)?;
            let gv = self.module.declare_data_in_data(a, &mut desc);
            desc.write_data_addr(i as u32 * layout::WORD as u32, gv, 0);
        }
        self.module.define_data(display_id, &desc).map_err(err("defining a class"))?;

        let name = self.string_literal(&c.name)?;
        let mut bytes = vec![0u8; type_info::vtable_slot(c.vtable.len() as u32) as usize];
        put_word(&mut bytes, type_info::SIZE, u64::from(c.size));
        put_word(&mut bytes, type_info::NREFS, refs.len() as u64);
        put_word(&mut bytes, type_info::DEPTH, (c.display.len() - 1) as u64);
        put_word(&mut bytes, type_info::NSLOTS, c.vtable.len() as u64);
        let mut desc = DataDescription::new();
        desc.define(bytes.into_boxed_slice());
        desc.set_align(16);
        if let Some(r) = refs_id {
            let gv = self.module.declare_data_in_data(r, &mut desc);
            desc.write_data_addr(type_info::REFS as u32, gv, 0);
        }
        let gv = self.module.declare_data_in_data(name, &mut desc);
        desc.write_data_addr(type_info::NAME as u32, gv, 0);
        let gv = self.module.declare_data_in_data(display_id, &mut desc);
        desc.write_data_addr(type_info::DISPLAY as u32, gv, 0);
        for (slot, callee) in c.vtable.iter().enumerate() {
            let f = match callee {
                Callee::Func(f) => self.func(*f)?,
                Callee::Runtime(f) => self.runtime_fn(*f)?,
            };
            let fref = self.module.declare_func_in_data(f, &mut desc);
            desc.write_function_addr(type_info::vtable_slot(slot as u32) as u32, fref);
        }
        self.module.define_data(ti, &desc).map_err(err("defining a class"))
    }

    /// Defines compiled functions in the module, in the order given.
    pub(crate) fn define_compiled(&mut self, compiled: Vec<Compiled>) -> Result<(), CodegenError> {
        for c in compiled {
            self.module
                .define_function_bytes(c.id, c.alignment, &c.bytes, &c.relocs)
                .map_err(|e| CodegenError(format!("function {}: {e}", c.name)))?;
            self.code_sizes.push((c.id, c.bytes.len()));
            let (ret, vars) = self.debug_vars.remove(&c.id).unwrap_or_default();
            self.positions.push(crate::sites::FuncPositions {
                id: c.id,
                len: c.bytes.len() as u64,
                locs: c.locs,
                ret,
                vars,
                var_ranges: c.var_ranges,
                returns: c.returns,
                unwind: c.unwind,
                seh_unwind: c.seh_unwind,
            });
        }
        Ok(())
    }

    /// A string literal: static data laid out like a heap string, with the
    /// `STATIC` flag so the collector never marks or frees it.
    pub fn string_literal(&mut self, text: &str) -> Result<DataId, CodegenError> {
        if let Some(&id) = self.strings.get(text) {
            return Ok(id);
        }
        let name = format!("{}.str.{}", tess_abi::mangle::symbol(&self.hir.name, &[]), self.strings.len());
        let id = self.module.declare_data(&name, Linkage::Local, true, false).map_err(err("declaring a string"))?;
        let ti = self.data_import(&tess_abi::runtime_fns::builtin_type_info("String"))?;
        // A NUL after the bytes, as every string has (for `CString`).
        let start = layout::string::BYTES as usize;
        let mut bytes = vec![0u8; start + text.len() + 1];
        put_word(&mut bytes, layout::string::LEN, text.len() as u64);
        bytes[start..start + text.len()].copy_from_slice(text.as_bytes());
        let mut desc = DataDescription::new();
        desc.define(bytes.into_boxed_slice());
        desc.set_align(8);
        let gv = self.module.declare_data_in_data(ti, &mut desc);
        desc.write_data_addr(0, gv, layout::header::STATIC as i64);
        self.module.define_data(id, &desc).map_err(err("defining a string"))?;
        self.strings.insert(text.to_string(), id);
        Ok(id)
    }

    /// A constant array (`sema::constants`) as a static object in the
    /// module's read-only data (`.data.rel.ro`: relocated at load, then
    /// read-only): header, length, capacity, a data pointer to its
    /// elements, which follow it (as an array's inline elements do);
    /// strings and arrays in it are static objects too.
    pub fn const_array(&mut self, items: &[Const], elem: &Ty) -> Result<DataId, CodegenError> {
        let key = format!("{elem}{items:?}");
        if let Some(&id) = self.const_arrays.get(&key) {
            return Ok(id);
        }
        let id = self.declare_const(key, false)?;
        let kind = if elem.is_ref() { "RefArray" } else { "ValueArray" };
        let start = layout::array::DATA as usize + layout::WORD as usize;
        let mut bytes = vec![0u8; start + 8 * items.len()];
        put_word(&mut bytes, layout::array::LEN, items.len() as u64);
        put_word(&mut bytes, layout::array::CAP, items.len() as u64);
        let mut refs = vec![(layout::array::DATA as usize, id, start as i64)];
        for (i, item) in items.iter().enumerate() {
            self.put_const(&mut bytes, start + 8 * i, item, elem, &mut refs)?;
        }
        self.define_static(id, kind, bytes, &refs)?;
        Ok(id)
    }

    /// A constant map (`sema::constants`) as a static `Map` object in the
    /// module's data (`layout::const_map`): its table pointer, null, is
    /// set by the runtime when the map is first used (a map's hash index
    /// depends on the process's hash seed, so it cannot be computed here);
    /// its entries follow.
    pub fn const_map(&mut self, entries: &[(Const, Const)], key: &Ty, value: &Ty) -> Result<DataId, CodegenError> {
        use layout::const_map as l;
        let cache_key = format!("{key}:{value}{entries:?}");
        if let Some(&id) = self.const_arrays.get(&cache_key) {
            return Ok(id);
        }
        let id = self.declare_const(cache_key, true)?;
        let mut bytes = vec![0u8; l::ENTRIES as usize + 16 * entries.len()];
        put_word(&mut bytes, l::KEY_KIND, key.map_key_kind() as u64);
        put_word(&mut bytes, l::VALS_ARE_REFS, u64::from(value.is_ref()));
        put_word(&mut bytes, l::COUNT, entries.len() as u64);
        let mut refs = Vec::new();
        for (i, (k, v)) in entries.iter().enumerate() {
            let at = l::ENTRIES as usize + 16 * i;
            self.put_const(&mut bytes, at, k, key, &mut refs)?;
            self.put_const(&mut bytes, at + 8, v, value, &mut refs)?;
        }
        self.define_static(id, "Map", bytes, &refs)?;
        Ok(id)
    }

    /// Declares the next constant object (`<module>.const.N`), remembered
    /// by `key` before its elements are made (a nested one takes the next
    /// name); writable for a map, whose table pointer the runtime sets.
    fn declare_const(&mut self, key: String, writable: bool) -> Result<DataId, CodegenError> {
        let name = format!("{}.const.{}", tess_abi::mangle::symbol(&self.hir.name, &[]), self.const_arrays.len());
        let id =
            self.module.declare_data(&name, Linkage::Local, writable, false).map_err(err("declaring a constant"))?;
        self.const_arrays.insert(key, id);
        Ok(id)
    }

    /// Writes constant `c` of type `ty` as the word at `at` of `bytes`: a
    /// number, or (in `refs`) the address of its static string or array.
    fn put_const(
        &mut self,
        bytes: &mut [u8],
        at: usize,
        c: &Const,
        ty: &Ty,
        refs: &mut Vec<(usize, DataId, i64)>,
    ) -> Result<(), CodegenError> {
        let word = match (c, ty) {
            (Const::Int(n), _) => *n as u64,
            (Const::Float(x), _) => x.to_bits(),
            (Const::Bool(b), _) => u64::from(*b),
            (Const::Str(s), _) => {
                refs.push((at, self.string_literal(s)?, 0));
                0
            }
            (Const::Array(inner), Ty::Array(elem)) => {
                refs.push((at, self.const_array(inner, elem)?, 0));
                0
            }
            _ => return Err(CodegenError(format!("a constant of type {ty} inside another"))),
        };
        bytes[at..at + 8].copy_from_slice(&word.to_le_bytes());
        Ok(())
    }

    /// Defines constant object `id`: `bytes` after a header naming the
    /// built-in type info `kind` (flag `STATIC`), with the addresses in
    /// `refs` (offset, target, addend).
    fn define_static(
        &mut self,
        id: DataId,
        kind: &str,
        bytes: Vec<u8>,
        refs: &[(usize, DataId, i64)],
    ) -> Result<(), CodegenError> {
        let ti = self.data_import(&tess_abi::runtime_fns::builtin_type_info(kind))?;
        let mut desc = DataDescription::new();
        desc.define(bytes.into_boxed_slice());
        desc.set_align(8);
        let gv = self.module.declare_data_in_data(ti, &mut desc);
        desc.write_data_addr(0, gv, layout::header::STATIC as i64);
        for &(at, target, addend) in refs {
            let gv = self.module.declare_data_in_data(target, &mut desc);
            desc.write_data_addr(at as u32, gv, addend);
        }
        self.module.define_data(id, &desc).map_err(err("defining a constant"))
    }

    /// A NUL-terminated string in the module's read-only data.
    pub fn c_string(&mut self, text: &str) -> Result<DataId, CodegenError> {
        if let Some(&id) = self.c_strings.get(text) {
            return Ok(id);
        }
        let name = format!("{}.cstr.{}", tess_abi::mangle::symbol(&self.hir.name, &[]), self.c_strings.len());
        let id = self.module.declare_data(&name, Linkage::Local, false, false).map_err(err("declaring a C string"))?;
        let mut bytes = text.as_bytes().to_vec();
        bytes.push(0);
        let mut desc = DataDescription::new();
        desc.define(bytes.into_boxed_slice());
        self.module.define_data(id, &desc).map_err(err("defining a C string"))?;
        self.c_strings.insert(text.to_string(), id);
        Ok(id)
    }

    /// A table of words in the module's read-only data.
    pub fn word_table(&mut self, name: &str, words: &[u64]) -> Result<DataId, CodegenError> {
        let id = self.module.declare_data(name, Linkage::Local, false, false).map_err(err("declaring a table"))?;
        let mut desc = DataDescription::new();
        let mut bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        bytes.resize(bytes.len().max(8), 0);
        desc.define(bytes.into_boxed_slice());
        desc.set_align(8);
        self.module.define_data(id, &desc).map_err(err("defining a table"))?;
        Ok(id)
    }

    /// A table of C-string pointers, `width` per row, in read-write data
    /// (it holds relocations).
    pub fn c_string_table(&mut self, name: &str, rows: &[Vec<String>], width: usize) -> Result<DataId, CodegenError> {
        let id = self.module.declare_data(name, Linkage::Local, true, false).map_err(err("declaring a table"))?;
        let mut desc = DataDescription::new();
        desc.define(vec![0u8; (layout::WORD as usize * width * rows.len()).max(8)].into_boxed_slice());
        desc.set_align(8);
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                let s = self.c_string(text)?;
                let gv = self.module.declare_data_in_data(s, &mut desc);
                desc.write_data_addr(((r * width + c) * layout::WORD as usize) as u32, gv, 0);
            }
        }
        self.module.define_data(id, &desc).map_err(err("defining a table"))?;
        Ok(id)
    }

    /// (module, declaration, fingerprint) of every imported declaration the
    /// generated code refers to (what a plugin's loader must check).
    pub fn used_imports(&self) -> Vec<Vec<String>> {
        let mut used: Vec<Vec<String>> = Vec::new();
        let origins = self
            .hir
            .funcs
            .iter()
            .zip(&self.funcs)
            .filter(|(f, id)| f.external && id.is_some())
            .filter_map(|(f, _)| f.origin.as_ref())
            .chain(
                self.hir
                    .globals
                    .iter()
                    .zip(&self.globals)
                    .filter(|(g, id)| g.external && id.is_some())
                    .filter_map(|(g, _)| g.origin.as_ref()),
            )
            .chain(
                self.hir
                    .classes
                    .iter()
                    .filter(|c| c.imported_from.is_some() && self.data_imports.contains_key(&c.type_info))
                    .filter_map(|c| c.origin.as_ref()),
            );
        for o in origins {
            let row = vec![o.module.clone(), o.decl.clone(), o.fingerprint.clone()];
            if !used.contains(&row) {
                used.push(row);
            }
        }
        used
    }

    /// The function a shared library's `.init_array` entry calls: it hands
    /// the init entry to the runtime, which runs it unless the library is
    /// being loaded by `loadLibrary` (which checks fingerprints first).
    pub fn define_library_constructor(&mut self) -> Result<FuncId, CodegenError> {
        let cc = self.module.isa().default_call_conv();
        let id = self
            .module
            .declare_function("tess_library_constructor", Linkage::Local, &Signature::new(cc))
            .map_err(err("declaring the constructor"))?;
        let loaded = self.runtime_fn(RuntimeFn::LibraryLoaded)?;
        let init = self.func(self.hir.init)?;
        self.define_stub(id, "tess_library_constructor", |m, b, _| {
            let init_ref = m.declare_func_in_func(init, b.func);
            let addr = b.ins().func_addr(abi::PTR, init_ref);
            let loaded_ref = m.declare_func_in_func(loaded, b.func);
            b.ins().call(loaded_ref, &[addr]);
            Vec::new()
        })?;
        Ok(id)
    }

    /// `tess_library_module`: what `loadLibrary` reads from a shared
    /// library — its module name, init entry, the fingerprints of the
    /// imported declarations it uses, and its `fini { }` entry.
    pub fn define_library_descriptor(&mut self) -> Result<(), CodegenError> {
        let uses = self.used_imports();
        let table = self.c_string_table(
            &format!("{}.uses", self.hir.funcs[self.hir.init].symbol),
            &uses,
            library_descriptor::USES_WIDTH,
        )?;
        let name = self.c_string(&self.hir.name.clone())?;
        let init = self.func(self.hir.init)?;
        let id = self
            .module
            .declare_data(&library_descriptor::SYMBOL.to_string_lossy(), Linkage::Export, true, false)
            .map_err(err("declaring the descriptor"))?;
        let mut bytes = vec![0u8; library_descriptor::SIZE as usize];
        put_word(&mut bytes, library_descriptor::NUSES, uses.len() as u64);
        let mut desc = DataDescription::new();
        desc.define(bytes.into_boxed_slice());
        desc.set_align(8);
        let gv = self.module.declare_data_in_data(name, &mut desc);
        desc.write_data_addr(library_descriptor::NAME as u32, gv, 0);
        let fref = self.module.declare_func_in_data(init, &mut desc);
        desc.write_function_addr(library_descriptor::INIT as u32, fref);
        if let Some(fini) = self.hir.fini {
            let fini = self.func(fini)?;
            let fref = self.module.declare_func_in_data(fini, &mut desc);
            desc.write_function_addr(library_descriptor::FINI as u32, fref);
        }
        let gv = self.module.declare_data_in_data(table, &mut desc);
        desc.write_data_addr(library_descriptor::USES as u32, gv, 0);
        self.module.define_data(id, &desc).map_err(err("defining the descriptor"))
    }

    /// The error classes this module knows, for rethrowing what an `extern
    /// fn ... throws` declaration reports: (name, type info) pairs of every
    /// `Error` class without fields beyond `message`, and how many.
    pub fn error_class_table(&mut self) -> Result<(DataId, usize), CodegenError> {
        if let Some(t) = self.error_classes {
            return Ok(t);
        }
        let hir = self.hir;
        let classes: Vec<usize> = (0..hir.classes.len())
            .filter(|&c| {
                let class = &hir.classes[c];
                class.display.get(1) == Some(&ERROR_CLASS)
                    && class.fields.len() == layout::error::FIELDS as usize
                    && class.layout.type_info_cell().is_none()
            })
            .collect();
        let name = format!("{}.error_classes", hir.funcs[hir.init].symbol);
        let id = self.module.declare_data(&name, Linkage::Local, true, false).map_err(err("declaring a table"))?;
        let word = layout::WORD as usize;
        let mut desc = DataDescription::new();
        desc.define(vec![0u8; (2 * word * classes.len()).max(word)].into_boxed_slice());
        desc.set_align(8);
        for (i, &c) in classes.iter().enumerate() {
            let text = self.c_string(&hir.classes[c].name)?;
            let gv = self.module.declare_data_in_data(text, &mut desc);
            desc.write_data_addr((2 * i * word) as u32, gv, 0);
            let ti = self.class_type_info(c)?;
            let gv = self.module.declare_data_in_data(ti, &mut desc);
            desc.write_data_addr(((2 * i + 1) * word) as u32, gv, 0);
        }
        self.module.define_data(id, &desc).map_err(err("defining a table"))?;
        self.error_classes = Some((id, classes.len()));
        Ok((id, classes.len()))
    }

    /// The C-convention entry of a Tessera function, what a function
    /// value holds (`docs/abi.md`, threads): it finds the thread's state
    /// and calls the function. Defined in this object by
    /// [`Self::define_entries`].
    pub fn c_entry(&mut self, f: usize) -> Result<FuncId, CodegenError> {
        if let Some(&(id, _)) = self.entries.iter().find(|(_, g)| *g == f) {
            return Ok(id);
        }
        let func = &self.hir.funcs[f];
        let params: Vec<_> = func.params.iter().map(|&l| func.locals[l].ty.clone()).collect();
        let sig = abi::signature(self.module.isa().default_call_conv(), &params, &func.ret);
        let id = self
            .module
            .declare_function(&tess_abi::mangle::c_entry(&func.symbol), Linkage::Local, &sig)
            .map_err(err("declaring an entry"))?;
        self.entries.push((id, f));
        Ok(id)
    }

    /// Defines the entries [`Self::c_entry`] declared.
    pub(crate) fn define_entries(&mut self) -> Result<(), CodegenError> {
        self.define_fn_value_codes()?;
        for (id, f) in std::mem::take(&mut self.entries) {
            let target = self.func(f)?;
            let state = self.runtime_fn(RuntimeFn::ThreadState)?;
            let name = tess_abi::mangle::c_entry(&self.hir.funcs[f].symbol);
            self.define_stub(id, &name, |m, b, mut args| {
                let state_ref = m.declare_func_in_func(state, b.func);
                let call = b.ins().call(state_ref, &[]);
                args.push(b.inst_results(call)[0]);
                let target_ref = m.declare_func_in_func(target, b.func);
                let call = b.ins().call(target_ref, &args);
                b.inst_results(call).to_vec()
            })?;
        }
        Ok(())
    }

    /// Builds and defines one of the compiler's own small functions (`main`,
    /// a library's constructor, an entry from C) declared as `id`: `body`
    /// gets the module, the builder and the parameters, emits a straight
    /// line of code and gives the values to return.
    pub(crate) fn define_stub(
        &mut self,
        id: FuncId,
        name: &str,
        body: impl FnOnce(&mut M, &mut FunctionBuilder, Vec<Value>) -> Vec<Value>,
    ) -> Result<(), CodegenError> {
        let sig = self.module.declarations().get_function_decl(id).signature.clone();
        let mut func = cranelift_codegen::ir::Function::with_name_signature(Default::default(), sig);
        let mut fctx = FunctionBuilderContext::new();
        {
            let mut b = FunctionBuilder::new(&mut func, &mut fctx);
            let entry = b.create_block();
            b.append_block_params_for_function_params(entry);
            b.switch_to_block(entry);
            let params = b.block_params(entry).to_vec();
            let results = body(&mut self.module, &mut b, params);
            b.ins().return_(&results);
            b.seal_all_blocks();
            b.finalize(self.module.isa().frontend_config());
        }
        let debug = self.debug_info.is_some();
        let compiled = self.targets.compile_now(Translated { id, func, large: false, loops: false, name, debug })?;
        self.define_compiled(vec![compiled])
    }

    /// The byte that says the module's init entry has run.
    pub fn init_flag(&mut self) -> Result<DataId, CodegenError> {
        let name = format!("{}.initialised", self.hir.funcs[self.hir.init].symbol);
        let id =
            self.module.declare_data(&name, Linkage::Local, true, false).map_err(err("declaring the init flag"))?;
        if !self.init_flag_defined {
            let mut desc = DataDescription::new();
            desc.define(vec![0u8; 8].into_boxed_slice());
            self.module.define_data(id, &desc).map_err(err("defining the init flag"))?;
            self.init_flag_defined = true;
        }
        Ok(id)
    }

    /// A runtime function, declared on first use with its table signature.
    pub fn runtime_fn(&mut self, f: RuntimeFn) -> Result<FuncId, CodegenError> {
        if let Some(&id) = self.imports.get(&f) {
            return Ok(id);
        }
        let sig = abi::runtime_signature(self.module.isa().default_call_conv(), f);
        let id = self.module.declare_function(f.name(), Linkage::Import, &sig).map_err(err("importing a function"))?;
        self.imports.insert(f, id);
        Ok(id)
    }

    /// A variable of the runtime (`tess_ss_top`, `tess_exc`, type infos).
    /// The name debuggers give each function defined here: its name in
    /// traces, or its symbol (`main`, the library constructor).
    pub(crate) fn debug_names(&self) -> HashMap<FuncId, String> {
        let mut names: HashMap<FuncId, String> = self
            .funcs
            .iter()
            .enumerate()
            .filter_map(|(f, id)| id.map(|id| (id, crate::sites::display_name(self.hir, &self.hir.funcs[f]))))
            .collect();
        for p in &self.positions {
            names.entry(p.id).or_insert_with(|| {
                let symbol = self.module.declarations().get_function_decl(p.id).name.clone().unwrap_or_default();
                tess_abi::mangle::readable(&symbol).unwrap_or(symbol)
            });
        }
        names
    }

    /// Every function of another module imported so far, by name.
    pub fn function_imports(&self) -> impl Iterator<Item = (&str, FuncId)> + '_ {
        self.funcs
            .iter()
            .enumerate()
            .filter(|(f, _)| self.hir.funcs[*f].external)
            .filter_map(|(f, id)| id.map(|id| (self.hir.funcs[f].symbol.as_str(), id)))
    }

    /// Every data symbol imported so far, by name.
    pub fn data_imports(&self) -> impl Iterator<Item = (&str, DataId)> {
        self.data_imports.iter().map(|(n, &id)| (n.as_str(), id))
    }

    pub fn data_import(&mut self, name: &str) -> Result<DataId, CodegenError> {
        if let Some(&id) = self.data_imports.get(name) {
            return Ok(id);
        }
        let id = self.module.declare_data(name, Linkage::Import, true, false).map_err(err("importing data"))?;
        self.data_imports.insert(name.to_string(), id);
        Ok(id)
    }
}

/// The byte offset of each of the module's own thread-local variables in
/// its per-thread block (in declaration order, the same in every piece).
fn thread_local_offsets(hir: &hir::Module) -> Vec<Option<u32>> {
    let mut next = 0;
    hir.globals
        .iter()
        .map(|g| {
            g.in_block().then(|| {
                next += layout::WORD as u32;
                next - layout::WORD as u32
            })
        })
        .collect()
}

/// The code table of a module's object: of the whole module, or of the
/// piece (source file) it holds.
pub(crate) fn code_table_symbol(hir: &hir::Module, piece: Option<u32>) -> String {
    let init = &hir.funcs[hir.init].symbol;
    match piece {
        Some(file) => format!("{init}.code.{file}"),
        None => format!("{init}.code"),
    }
}

/// The machine signature of a function: its parameters and result, and
/// for an `extern fn ... throws` a last `tess_error **err`.
pub(crate) fn func_signature(call_conv: cranelift_codegen::isa::CallConv, f: &hir::Func) -> Signature {
    let params: Vec<_> = f.params.iter().map(|&l| f.locals[l].ty.clone()).collect();
    let mut sig = if abi::takes_thread(f) {
        abi::tessera_signature(call_conv, &params, &f.ret)
    } else {
        abi::signature(call_conv, &params, &f.ret)
    };
    if f.throws_c {
        sig.params.push(AbiParam::new(abi::PTR));
    }
    sig
}

/// Writes a little-endian word at byte `offset` of `bytes`.
fn put_word(bytes: &mut [u8], offset: i32, value: u64) {
    let at = offset as usize;
    bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
}
