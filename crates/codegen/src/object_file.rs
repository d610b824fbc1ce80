//! Ahead-of-time compilation to an ELF object file.

use crate::bodies::Bodies;
use crate::debug_info::DebugFunc;
use crate::module_gen::ModuleGen;
use crate::{err, CodegenError};
use cranelift_codegen::ir::{types, AbiParam, InstBuilder, Signature};
use cranelift_module::FuncId;
use cranelift_module::{Linkage, Module};
use cranelift_object::{ObjectBuilder, ObjectModule, ObjectProduct};
use std::collections::HashMap;
use tess_abi::RuntimeFn;
use tess_sema::hir;

use crate::target::{isa, object_isa};
pub use crate::target::{target_triple, Opt};

/// The Cranelift IR of every function of `module`, as the translator
/// produces it (before Cranelift's optimisations): `tess build --emit=clif`.
pub fn clif_text(module: &hir::Module) -> Result<String, CodegenError> {
    let isa = isa(true)?;
    let builder =
        ObjectBuilder::new(isa.clone(), module.name.as_bytes().to_vec(), cranelift_module::default_libcall_names())
            .map_err(err("creating the object file"))?;
    let mut mg = ModuleGen::new(ObjectModule::new(builder), isa, module, None)?;
    mg.clif = Some(String::new());
    crate::translate::define_all(&mut mg, &mut Bodies::InModule(module))?;
    Ok(mg.clif.unwrap_or_default())
}

/// What kind of binary an object file is for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The main module of an executable: also emits the C `main`.
    Program,
    /// A module of a static archive (initialises itself at program start).
    Archive,
    /// A shared library: also emits the descriptor `loadLibrary` reads.
    SharedLibrary,
}

/// Compiles `module` to an object file for `output`.
pub fn object_file(module: &hir::Module, output: Output) -> Result<Vec<u8>, CodegenError> {
    object_file_of(module, output, None, Opt::Speed)
}

/// Compiles one file of `module` (a "piece", Swift's primary file) to an
/// object; the objects of all its files link into the same module as a
/// whole-module build. The piece holding the init entry (the main file,
/// or the first file) also gets `main` or the library descriptor.
pub fn object_file_of(
    module: &hir::Module,
    output: Output,
    piece: Option<u32>,
    opt: Opt,
) -> Result<Vec<u8>, CodegenError> {
    machine_code(module, output, piece, opt)?.emit()
}

/// [`machine_code`] of a whole module whose function bodies the caller
/// no longer needs: each is freed as soon as no function left to
/// translate reads it (`module` is left without bodies).
pub fn machine_code_consuming(module: &mut hir::Module, output: Output, opt: Opt) -> Result<MachineCode, CodegenError> {
    let mut bodies = Bodies::take(module);
    generate(module, &mut bodies, output, None, opt)
}

/// A piece's machine code, data and debug positions: everything of an
/// object file but its bytes. It holds nothing of the HIR, so a caller
/// can free the function bodies before the object is written (the debug
/// sections and the object's bytes are a build's last peak of memory).
pub struct MachineCode {
    product: ObjectProduct,
    unit: String,
    sites: Vec<crate::sites::Site>,
    site_names: Vec<String>,
    types: crate::debug_types::DebugTypes,
    cie: Option<gimli::write::CommonInformationEntry>,
    positions: Vec<crate::sites::FuncPositions>,
    names: HashMap<FuncId, String>,
    constructor: Option<FuncId>,
}

/// Translates and compiles one piece of `module` (see [`object_file_of`]).
pub fn machine_code(
    module: &hir::Module,
    output: Output,
    piece: Option<u32>,
    opt: Opt,
) -> Result<MachineCode, CodegenError> {
    generate(module, &mut Bodies::InModule(module), output, piece, opt)
}

fn generate(
    module: &hir::Module,
    bodies: &mut Bodies,
    output: Output,
    piece: Option<u32>,
    opt: Opt,
) -> Result<MachineCode, CodegenError> {
    let isa = object_isa(opt)?;
    let builder =
        ObjectBuilder::new(isa.clone(), module.name.as_bytes().to_vec(), cranelift_module::default_libcall_names())
            .map_err(err("creating the object file"))?;
    let mut mg = ModuleGen::new(ObjectModule::new(builder), isa, module, piece)?;
    mg.debug_info = Some(match opt {
        Opt::Speed => crate::module_gen::VarHomes::Labels,
        Opt::Fast => crate::module_gen::VarHomes::Slots,
    });
    crate::translate::define_all(&mut mg, bodies)?;
    let owns_init = piece.is_none_or(|p| p == module.funcs[module.init].file);
    let mut constructor = None;
    match output {
        Output::Program if owns_init => define_main(&mut mg)?,
        Output::SharedLibrary if owns_init => {
            mg.define_library_descriptor()?;
            constructor = Some(mg.define_library_constructor()?);
        }
        // An archive's module initialises itself too when its object is
        // linked into a (C) program.
        Output::Archive if owns_init => constructor = Some(mg.define_library_constructor()?),
        _ => {}
    }
    mg.define_code_table()?;
    let names = mg.debug_names();
    let positions = std::mem::take(&mut mg.positions);
    let sites = std::mem::take(&mut mg.sites.list);
    let site_names = std::mem::take(&mut mg.sites.names);
    let types = std::mem::take(&mut mg.debug_types);
    let cie = mg.module.isa().create_systemv_cie();
    let unit_file = piece.unwrap_or(module.funcs[module.init].file) as usize;
    let unit = module.files.get(unit_file).map_or_else(|| format!("{}.tes", module.name), |f| f.name.clone());
    let weak = |name: &str| weakly_imported(module, name);
    let weak_data: Vec<_> = mg.data_imports().filter(|(name, _)| weak(name)).map(|(_, id)| id).collect();
    let weak_funcs: Vec<_> = mg.function_imports().filter(|(name, _)| weak(name)).map(|(_, id)| id).collect();
    let mut product = mg.module.finish();
    // Windows has no weak references to another DLL's symbols: a missing
    // one fails the load (`docs/targets.md`).
    let coff = product.object.format() == object::BinaryFormat::Coff;
    let (weak_data, weak_funcs) = if coff { (Vec::new(), Vec::new()) } else { (weak_data, weak_funcs) };
    let weak = weak_data.into_iter().map(|id| product.data_symbol(id));
    let weak: Vec<_> = weak.chain(weak_funcs.into_iter().map(|id| product.function_symbol(id))).collect();
    for symbol in weak {
        product.object.symbol_mut(symbol).weak = true;
    }
    Ok(MachineCode { product, unit, sites, site_names, types, cie, positions, names, constructor })
}

impl MachineCode {
    /// The object file's bytes, with its debug sections.
    pub fn emit(self) -> Result<Vec<u8>, CodegenError> {
        let MachineCode { mut product, unit, sites, site_names, types, cie, positions, names, constructor } = self;
        let funcs: Vec<DebugFunc> = positions
            .iter()
            .map(|p| DebugFunc {
                symbol: product.function_symbol(p.id),
                name: names.get(&p.id).cloned().unwrap_or_default(),
                positions: p,
            })
            .collect();
        if product.object.format() == object::BinaryFormat::Coff {
            add_windows_unwind(&mut product.object, &funcs)?;
            // DIP45's dllexport: a DLL exports exactly the symbols other
            // modules may use (`Linkage::Export`), named in the object's
            // linker directives; the rest stay inside it. (Only section
            // symbols, never exported, are added after this.)
            product.object.add_coff_exports(object::write::CoffExportStyle::Gnu);
        }
        let described = crate::debug_info::Unit { name: &unit, sites: &sites, names: &site_names, types: &types, cie };
        crate::debug_info::write(&mut product.object, &described, &funcs)?;
        // The object's bytes are the last peak of a build's memory.
        drop(funcs);
        drop((positions, sites, site_names, names, types));
        if let Some(ctor) = constructor {
            let symbol = product.function_symbol(ctor);
            add_constructor(&mut product.object, symbol)?;
        }
        product.emit().map_err(err("writing the object file"))
    }
}

/// Windows' unwind tables for `funcs`: each function's `UNWIND_INFO` in
/// `.xdata`, and in `.pdata` its entry (start, end, unwind information),
/// image-relative, so that the system's unwinder steps over Tessera's
/// frames.
fn add_windows_unwind(obj: &mut object::write::Object<'_>, funcs: &[DebugFunc<'_>]) -> Result<(), CodegenError> {
    let described: Vec<&DebugFunc> = funcs.iter().filter(|f| !f.positions.seh_unwind.is_empty()).collect();
    if described.is_empty() {
        return Ok(());
    }
    let xdata = obj.add_section(Vec::new(), b".xdata".to_vec(), object::SectionKind::ReadOnlyData);
    let pdata = obj.add_section(Vec::new(), b".pdata".to_vec(), object::SectionKind::ReadOnlyData);
    let xdata_symbol = obj.section_symbol(xdata);
    let flags = object::RelocationFlags::Generic {
        kind: object::RelocationKind::ImageOffset,
        encoding: object::RelocationEncoding::Generic,
        size: 32,
    };
    for f in described {
        let info = obj.append_section_data(xdata, &f.positions.seh_unwind, 4);
        let entry = obj.append_section_data(pdata, &[0; 12], 4);
        let fields = [(0, f.symbol, 0), (4, f.symbol, f.positions.len as i64), (8, xdata_symbol, info as i64)];
        for (at, symbol, addend) in fields {
            let reloc = object::write::Relocation { offset: entry + at, symbol, addend, flags };
            obj.add_relocation(pdata, reloc).map_err(err("adding unwind information"))?;
        }
    }
    Ok(())
}

/// Makes `symbol` run when the binary holding the object is loaded, before
/// `main` (MODULES.md §5: a shared library initialises itself): an
/// `.init_array` entry on ELF, a `.ctors` entry on COFF (which MinGW's
/// start-up code runs for executables and DLLs alike).
fn add_constructor(obj: &mut object::write::Object<'_>, symbol: object::write::SymbolId) -> Result<(), CodegenError> {
    let section = if obj.format() == object::BinaryFormat::Coff {
        obj.add_section(Vec::new(), b".ctors".to_vec(), object::SectionKind::Data)
    } else {
        const SHT_INIT_ARRAY: u32 = 14;
        const SHF_WRITE_ALLOC: u64 = 1 | 2;
        let section = obj.add_section(Vec::new(), b".init_array".to_vec(), object::SectionKind::Elf(SHT_INIT_ARRAY));
        obj.section_mut(section).flags = object::SectionFlags::Elf { sh_flags: SHF_WRITE_ALLOC };
        section
    };
    let offset = obj.append_section_data(section, &[0u8; 8], 8);
    let flags = object::RelocationFlags::Generic {
        kind: object::RelocationKind::Absolute,
        encoding: object::RelocationEncoding::Generic,
        size: 64,
    };
    obj.add_relocation(section, object::write::Relocation { offset, symbol, addend: 0, flags })
        .map_err(err("adding the library constructor"))
}

/// Whether an imported symbol is referenced weakly: the functions and
/// data (type infos, cells, variables) of modules linked as shared
/// libraries. Should an upgraded library no longer define one, the program
/// still loads (calls go through the GOT, bound at load time), and the
/// start-up check (`tess_check_uses`) ends it with `AbiError` before any
/// code that uses it runs (MODULES.md §3, §11). An archive's symbols stay
/// strong references: the linker pulls archive members for those only.
fn weakly_imported(module: &hir::Module, symbol: &str) -> bool {
    tess_abi::mangle::module_of(symbol).is_some_and(|m| module.shared_dependencies.iter().any(|d| d == m))
}

/// `int main(int argc, char **argv)`: `return tess_main(argc, argv,
/// init)`, the runtime's one program start-up (`docs/abi.md`).
fn define_main(mg: &mut ModuleGen<'_, ObjectModule>) -> Result<(), CodegenError> {
    let cc = mg.module.isa().default_call_conv();
    let mut sig = Signature::new(cc);
    sig.params.push(AbiParam::new(types::I32));
    sig.params.push(AbiParam::new(types::I64));
    sig.returns.push(AbiParam::new(types::I32));
    let main_id = mg.module.declare_function("main", Linkage::Export, &sig).map_err(err("declaring main"))?;
    let tess_main = mg.runtime_fn(RuntimeFn::Main)?;
    let init = mg.func(mg.hir.init)?;
    mg.define_stub(main_id, "main", |m, b, mut args| {
        let f = m.declare_func_in_func(init, b.func);
        args.push(b.ins().func_addr(types::I64, f));
        let f = m.declare_func_in_func(tess_main, b.func);
        let call = b.ins().call(f, &args);
        b.inst_results(call).to_vec()
    })
}
