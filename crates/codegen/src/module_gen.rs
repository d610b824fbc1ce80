//! Declarations shared by every function of a module: its functions,
//! variables, string literals and the runtime symbols it imports. Generic
//! over the Cranelift module, so the object-file and JIT paths are one.

use crate::abi::{self, GC_STATIC};
use crate::{err, translate, CodegenError};
use cranelift_codegen::ir::Signature;
use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;
use cranelift_module::{DataDescription, DataId, FuncId, Linkage, Module};
use std::collections::HashMap;
use tess_sema::hir;

pub(crate) struct ModuleGen<'h, M: Module> {
    pub module: M,
    pub hir: &'h hir::Module,
    pub funcs: Vec<FuncId>,
    pub globals: Vec<DataId>,
    strings: HashMap<String, DataId>,
    imports: HashMap<String, FuncId>,
    data_imports: HashMap<&'static str, DataId>,
}

impl<'h, M: Module> ModuleGen<'h, M> {
    /// Declares every function and variable of `hir` in `module`.
    pub fn new(mut module: M, hir: &'h hir::Module) -> Result<Self, CodegenError> {
        let call_conv = module.isa().default_call_conv();
        let mut funcs = Vec::new();
        for f in &hir.funcs {
            let params: Vec<_> = f.params.iter().map(|&l| f.locals[l].ty.clone()).collect();
            let sig = abi::signature(call_conv, &params, &f.ret);
            let linkage = if f.exported { Linkage::Export } else { Linkage::Local };
            funcs.push(module.declare_function(&f.symbol, linkage, &sig).map_err(err("declaring a function"))?);
        }
        let mut globals = Vec::new();
        for g in &hir.globals {
            let id = module.declare_data(&g.symbol, Linkage::Local, true, false).map_err(err("declaring a variable"))?;
            let mut desc = DataDescription::new();
            desc.define(vec![0u8; 8].into_boxed_slice());
            desc.set_align(8);
            module.define_data(id, &desc).map_err(err("defining a variable"))?;
            globals.push(id);
        }
        Ok(ModuleGen {
            module,
            hir,
            funcs,
            globals,
            strings: HashMap::new(),
            imports: HashMap::new(),
            data_imports: HashMap::new(),
        })
    }

    /// Translates and defines every function.
    pub fn define_all(&mut self) -> Result<(), CodegenError> {
        let mut ctx = self.module.make_context();
        let mut fctx = FunctionBuilderContext::new();
        let dump = std::env::var_os("TESS_DUMP_CLIF").is_some();
        let hir = self.hir;
        for (i, f) in hir.funcs.iter().enumerate() {
            ctx.func.signature = self.module.declarations().get_function_decl(self.funcs[i]).signature.clone();
            translate::translate(self, f, &mut ctx.func, &mut fctx)?;
            if dump {
                eprintln!("; {}\n{}", f.symbol, ctx.func.display());
            }
            self.define(self.funcs[i], &mut ctx, &f.symbol)?;
        }
        Ok(())
    }

    pub fn define(&mut self, id: FuncId, ctx: &mut Context, name: &str) -> Result<(), CodegenError> {
        self.module.define_function(id, ctx).map_err(|e| {
            let detail = match &e {
                cranelift_module::ModuleError::Compilation(ce) => format!("{ce:?}"),
                other => other.to_string(),
            };
            CodegenError(format!("function {name}: {detail}"))
        })?;
        self.module.clear_context(ctx);
        Ok(())
    }

    /// A string literal: static data laid out like a heap string, with the
    /// `STATIC` flag so the collector never marks or frees it.
    pub fn string_literal(&mut self, text: &str) -> Result<DataId, CodegenError> {
        if let Some(&id) = self.strings.get(text) {
            return Ok(id);
        }
        let name = format!("{}.str.{}", tess_sema::mangle::symbol(&self.hir.name, &[]), self.strings.len());
        let id = self.module.declare_data(&name, Linkage::Local, true, false).map_err(err("declaring a string"))?;
        let ti = self.data_import("tess_ti_String")?;
        let mut bytes = vec![0u8; 24 + text.len()];
        bytes[8..16].copy_from_slice(&GC_STATIC.to_le_bytes());
        bytes[16..24].copy_from_slice(&(text.len() as u64).to_le_bytes());
        bytes[24..].copy_from_slice(text.as_bytes());
        let mut desc = DataDescription::new();
        desc.define(bytes.into_boxed_slice());
        desc.set_align(16);
        let gv = self.module.declare_data_in_data(ti, &mut desc);
        desc.write_data_addr(0, gv, 0);
        self.module.define_data(id, &desc).map_err(err("defining a string"))?;
        self.strings.insert(text.to_string(), id);
        Ok(id)
    }

    /// A function defined outside this module (runtime, libm).
    pub fn import_fn(&mut self, name: &str, sig: &Signature) -> Result<FuncId, CodegenError> {
        if let Some(&id) = self.imports.get(name) {
            return Ok(id);
        }
        let id = self.module.declare_function(name, Linkage::Import, sig).map_err(err("importing a function"))?;
        self.imports.insert(name.to_string(), id);
        Ok(id)
    }

    /// A variable of the runtime (`tess_ss_top`, `tess_exc`, type infos).
    pub fn data_import(&mut self, name: &'static str) -> Result<DataId, CodegenError> {
        if let Some(&id) = self.data_imports.get(name) {
            return Ok(id);
        }
        let id = self.module.declare_data(name, Linkage::Import, true, false).map_err(err("importing data"))?;
        self.data_imports.insert(name, id);
        Ok(id)
    }
}

