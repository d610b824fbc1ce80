//! Ahead-of-time compilation to an ELF object file.

use crate::module_gen::ModuleGen;
use crate::{err, CodegenError};
use cranelift_codegen::ir::{types, AbiParam, InstBuilder, Signature};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::{Linkage, Module};
use cranelift_object::{ObjectBuilder, ObjectModule};
use tess_abi::RuntimeFn;
use tess_sema::hir;

/// The target for code that may end up in executables or shared libraries:
/// position-independent, and for the baseline x86-64 CPU rather than this
/// host's, so objects run on any machine of the architecture.
pub fn isa(pic: bool) -> Result<OwnedTargetIsa, CodegenError> {
    isa_optimising(pic, true)
}

/// How much work the code generator puts into the code.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Opt {
    /// Cranelift's optimisations and its backtracking register allocator.
    #[default]
    Speed,
    /// `-O0`: a fast compile — no e-graph optimisations and the single-pass
    /// register allocator.
    Fast,
}

/// The target for objects compiled at `opt`.
fn object_isa(opt: Opt) -> Result<OwnedTargetIsa, CodegenError> {
    match opt {
        Opt::Speed => isa(true),
        Opt::Fast => target(true, false, "single_pass"),
    }
}

/// The target of [`isa`], with Cranelift's optimisations (the e-graph
/// pass) or without: very large functions are compiled without, since the
/// pass grows faster than linearly with a function's size.
pub(crate) fn isa_optimising(pic: bool, optimise: bool) -> Result<OwnedTargetIsa, CodegenError> {
    target(pic, optimise, "backtracking")
}

fn target(pic: bool, optimise: bool, regalloc: &str) -> Result<OwnedTargetIsa, CodegenError> {
    let mut flags = settings::builder();
    let set = |f: &mut settings::Builder, k: &str, v: &str| f.set(k, v).map_err(err("setting a code generator flag"));
    set(&mut flags, "opt_level", if optimise { "speed" } else { "none" })?;
    set(&mut flags, "is_pic", if pic { "true" } else { "false" })?;
    set(&mut flags, "enable_verifier", if cfg!(debug_assertions) { "true" } else { "false" })?;
    set(&mut flags, "preserve_frame_pointers", "true")?;
    set(&mut flags, "regalloc_algorithm", regalloc)?;
    let builder = cranelift_native::builder_with_options(false).map_err(err("detecting the target"))?;
    builder.finish(settings::Flags::new(flags)).map_err(err("creating the target"))
}

/// The target triple objects are compiled for, as interface files record it.
/// Found once per process: every imported interface is checked against it.
pub fn target_triple() -> Result<String, CodegenError> {
    static TRIPLE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(t) = TRIPLE.get() {
        return Ok(t.clone());
    }
    let builder = cranelift_native::builder_with_options(false).map_err(err("detecting the target"))?;
    Ok(TRIPLE.get_or_init(|| builder.triple().to_string()).clone())
}

/// The Cranelift IR of every function of `module`, as the translator
/// produces it (before Cranelift's optimisations): `tess build --emit=clif`.
pub fn clif_text(module: &hir::Module) -> Result<String, CodegenError> {
    let builder =
        ObjectBuilder::new(isa(true)?, module.name.as_bytes().to_vec(), cranelift_module::default_libcall_names())
            .map_err(err("creating the object file"))?;
    let mut mg = ModuleGen::new(ObjectModule::new(builder), module, None)?;
    mg.clif = Some(String::new());
    crate::translate::define_all(&mut mg)?;
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
    let builder = ObjectBuilder::new(
        object_isa(opt)?,
        module.name.as_bytes().to_vec(),
        cranelift_module::default_libcall_names(),
    )
    .map_err(err("creating the object file"))?;
    let mut mg = ModuleGen::new(ObjectModule::new(builder), module, piece)?;
    crate::translate::define_all(&mut mg)?;
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
    let mut product = mg.module.finish();
    if let Some(ctor) = constructor {
        // A shared library initialises itself when loaded (MODULES.md §5):
        // an `.init_array` entry pointing at the constructor.
        const SHT_INIT_ARRAY: u32 = 14;
        const SHF_WRITE_ALLOC: u64 = 1 | 2;
        const R_X86_64_64: u32 = 1;
        let symbol = product.function_symbol(ctor);
        let obj = &mut product.object;
        let section = obj.add_section(Vec::new(), b".init_array".to_vec(), object::SectionKind::Elf(SHT_INIT_ARRAY));
        obj.section_mut(section).flags = object::SectionFlags::Elf { sh_flags: SHF_WRITE_ALLOC };
        let offset = obj.append_section_data(section, &[0u8; 8], 8);
        obj.add_relocation(
            section,
            object::write::Relocation {
                offset,
                symbol,
                addend: 0,
                flags: object::RelocationFlags::Elf { r_type: R_X86_64_64 },
            },
        )
        .map_err(err("adding the library constructor"))?;
    }
    product.emit().map_err(err("writing the object file"))
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

    let mut ctx = mg.module.make_context();
    ctx.func.signature = sig;
    let mut fctx = FunctionBuilderContext::new();
    {
        let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let mut args = b.block_params(entry).to_vec();
        let f = mg.module.declare_func_in_func(init, b.func);
        args.push(b.ins().func_addr(types::I64, f));
        let f = mg.module.declare_func_in_func(tess_main, b.func);
        let call = b.ins().call(f, &args);
        let status = b.inst_results(call).to_vec();
        b.ins().return_(&status);
        b.seal_all_blocks();
        b.finalize(mg.module.isa().frontend_config());
    }
    mg.define(main_id, &mut ctx, "main")
}
