//! The function bodies code generation reads. A whole-module build takes
//! them out of the HIR and frees each one once no function left to
//! translate reads it — the function itself, and the callers that inline
//! it or weigh whether to (`slots::count` lists both): with the machine
//! code growing as the bodies were translated, holding every body to the
//! end made the last function the build's peak of memory (bench/compile).

use tess_sema::hir::{FuncId, Module, Stmt};

pub(crate) enum Bodies<'m> {
    /// Read in place: the caller keeps the module whole (a piece of a
    /// module, whose callees may be in other pieces; the JIT; the IR text).
    InModule(&'m Module),
    /// Taken from the module; `None` once freed.
    Taken(Vec<Option<Vec<Stmt>>>),
}

impl Bodies<'_> {
    /// Every body of `module`, which is left with none.
    pub fn take(module: &mut Module) -> Bodies<'static> {
        Bodies::Taken(module.funcs.iter_mut().map(|f| Some(std::mem::take(&mut f.body))).collect())
    }

    /// The statements of `f`, unless freed.
    pub fn get(&self, f: FuncId) -> Option<&[Stmt]> {
        match self {
            Bodies::InModule(m) => Some(&m.funcs[f].body),
            Bodies::Taken(bodies) => bodies[f].as_deref(),
        }
    }

    /// Frees `f`'s statements when they were taken.
    pub fn free(&mut self, f: FuncId) {
        if let Bodies::Taken(bodies) = self {
            bodies[f] = None;
        }
    }
}
