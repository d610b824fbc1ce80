//! Function values that capture nothing (`docs/abi.md`, closures): a
//! function named as a value is a static object in the module's data —
//! the built-in `Function` type info, code that takes the object first and
//! calls the function, and the function's C entry — and a C function
//! pointer handed to Tessera becomes such an object on the heap, whose code
//! calls the pointer.

use crate::abi;
use crate::module_gen::ModuleGen;
use crate::{err, CodegenError};
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData};
use cranelift_module::{DataDescription, DataId, FuncId, Linkage, Module};
use tess_abi::layout::{self, closure};
use tess_sema::ty::Ty;

/// What is left to define once every function is translated.
#[derive(Default)]
pub(crate) struct FnValues {
    /// The static object of each function used as a value, by function.
    objects: std::collections::HashMap<usize, DataId>,
    /// Code of those objects: (the code, the function it calls).
    codes: Vec<(FuncId, usize)>,
    /// Code of C function pointers made function values, by signature.
    c_codes: Vec<(FuncId, Vec<Ty>, Ty)>,
}

impl<M: Module> ModuleGen<'_, M> {
    /// The static function value of function `f` (defined here, local to
    /// this object).
    pub fn fn_value(&mut self, f: usize) -> Result<DataId, CodegenError> {
        if let Some(&id) = self.fn_values.objects.get(&f) {
            return Ok(id);
        }
        let func = &self.hir.funcs[f];
        let symbol = func.symbol.clone();
        let params: Vec<Ty> = func.params.iter().map(|&l| func.locals[l].ty.clone()).collect();
        let ret = func.ret.clone();
        let call_conv = self.module.isa().default_call_conv();
        let code_sig = abi::tessera_signature(call_conv, &[&[Ty::CPointer], &params[..]].concat(), &ret);
        let code = self
            .module
            .declare_function(&tess_abi::mangle::fn_value_code(&symbol), Linkage::Local, &code_sig)
            .map_err(err("declaring a function value's code"))?;
        let entry = if abi::takes_thread(func) { self.c_entry(f)? } else { self.func(f)? };
        let id = self
            .module
            .declare_data(&tess_abi::mangle::fn_value(&symbol), Linkage::Local, false, false)
            .map_err(err("declaring a function value"))?;
        let ti = self.data_import(&tess_abi::runtime_fns::builtin_type_info("Function"))?;
        let mut desc = DataDescription::new();
        desc.define(vec![0u8; closure::CAPTURES as usize].into_boxed_slice());
        desc.set_align(8);
        let ti_gv = self.module.declare_data_in_data(ti, &mut desc);
        desc.write_data_addr(0, ti_gv, layout::header::STATIC as i64);
        let code_ref = self.module.declare_func_in_data(code, &mut desc);
        desc.write_function_addr(closure::CODE as u32, code_ref);
        let entry_ref = self.module.declare_func_in_data(entry, &mut desc);
        desc.write_function_addr(closure::C_ENTRY as u32, entry_ref);
        self.module.define_data(id, &desc).map_err(err("defining a function value"))?;
        self.fn_values.objects.insert(f, id);
        self.fn_values.codes.push((code, f));
        Ok(id)
    }

    /// The code of a function value made from a C function pointer of
    /// this signature: it calls the pointer kept as the value's C entry.
    pub fn c_function_code(&mut self, params: &[Ty], ret: &Ty) -> Result<FuncId, CodegenError> {
        if let Some((id, ..)) = self.fn_values.c_codes.iter().find(|(_, p, r)| p == params && r == ret) {
            return Ok(*id);
        }
        let call_conv = self.module.isa().default_call_conv();
        let sig = abi::tessera_signature(call_conv, &[&[Ty::CPointer], params].concat(), ret);
        let name = format!("{}.cfn.{}", tess_abi::mangle::symbol(&self.hir.name, &[]), self.fn_values.c_codes.len());
        let id =
            self.module.declare_function(&name, Linkage::Local, &sig).map_err(err("declaring a C function's code"))?;
        self.fn_values.c_codes.push((id, params.to_vec(), ret.clone()));
        Ok(id)
    }

    /// Defines the code of the function values made so far.
    pub(crate) fn define_fn_value_codes(&mut self) -> Result<(), CodegenError> {
        let values = std::mem::take(&mut self.fn_values);
        let call_conv = self.module.isa().default_call_conv();
        for (code, f) in values.codes {
            let target = self.func(f)?;
            let takes_thread = abi::takes_thread(&self.hir.funcs[f]);
            let name = tess_abi::mangle::fn_value_code(&self.hir.funcs[f].symbol);
            self.define_stub(code, &name, |m, b, args| {
                // (the value, the parameters..., the thread's state)
                let mut pass = args[1..args.len() - 1].to_vec();
                if takes_thread {
                    pass.push(args[args.len() - 1]);
                }
                let target_ref = m.declare_func_in_func(target, b.func);
                let call = b.ins().call(target_ref, &pass);
                b.inst_results(call).to_vec()
            })?;
        }
        for (code, params, ret) in values.c_codes {
            let sig = abi::signature(call_conv, &params, &ret);
            self.define_stub(code, "C function value", |_, b, args| {
                let c = b.ins().load(types::I64, MemFlagsData::trusted(), args[0], closure::C_ENTRY);
                let sig_ref = b.import_signature(sig);
                let call = b.ins().call_indirect(sig_ref, c, &args[1..args.len() - 1]);
                b.inst_results(call).to_vec()
            })?;
        }
        self.fn_values.objects = values.objects;
        Ok(())
    }
}
