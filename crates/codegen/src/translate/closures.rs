//! Making function values: closures that capture, and C function pointers
//! handed to Tessera (`docs/abi.md`, closures).

use super::{flags, Translator, R};
use crate::abi::PTR;
use cranelift_codegen::ir::{InstBuilder, Value};
use cranelift_module::Module;
use tess_abi::layout::closure;
use tess_sema::hir::{Expr, FuncId};
use tess_sema::ty::{ClassId, Ty};

impl<'h, M: Module> Translator<'_, '_, 'h, M> {
    /// A closure that captures: an object of its class holding its code
    /// and the captured values (a fresh, young object: no write barrier).
    pub(super) fn make_closure(&mut self, func: FuncId, class: ClassId, captures: &'h [Expr]) -> R<Value> {
        let vals = self.values(captures)?;
        let ti = self.type_info_addr(class)?;
        let obj = self.alloc_object(ti, Some(self.hir.classes[class].size))?;
        let id = self.mg.func(func)?;
        let fref = self.mg.module.declare_func_in_func(id, self.b.func);
        let code = self.b.ins().func_addr(PTR, fref);
        self.b.ins().store(flags(), code, obj, closure::CODE);
        for (k, v) in vals.into_iter().enumerate() {
            self.b.ins().store(flags(), v, obj, closure::CAPTURES + 8 * k as i32);
        }
        Ok(obj)
    }

    /// A C function pointer as a function value of type `ty`.
    pub(super) fn c_function(&mut self, raw: &'h Expr, ty: &Ty) -> R<Value> {
        let Ty::Fn(params, ret) = ty else {
            return Err(crate::CodegenError(format!("a C function of type {ty}")));
        };
        let raw = self.value(raw)?;
        let code_id = self.mg.c_function_code(params, ret)?;
        let ti_id = self.mg.data_import(&tess_abi::runtime_fns::builtin_type_info("Function"))?;
        let gv = self.mg.module.declare_data_in_func(ti_id, self.b.func);
        let ti = self.b.ins().symbol_value(PTR, gv);
        let obj = self.alloc_object(ti, Some(closure::CAPTURES as u32))?;
        let fref = self.mg.module.declare_func_in_func(code_id, self.b.func);
        let code = self.b.ins().func_addr(PTR, fref);
        self.b.ins().store(flags(), code, obj, closure::CODE);
        self.b.ins().store(flags(), raw, obj, closure::C_ENTRY);
        Ok(obj)
    }
}
