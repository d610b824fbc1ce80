//! Which of a module's variables only its init entry (top-level code)
//! writes — besides the thread initialiser, which runs on a thread's first
//! use of the module, before any of its code. Calls cannot reach
//! top-level code, so while it runs no call changes such a variable:
//! `x op= e` there may evaluate `e` before it reads `x`
//! (`translate::stmt`), and `x` is not held across `e`'s calls.

use crate::bodies::Bodies;
use tess_sema::hir::{Module, Place, Stmt, Visibility};

/// For every variable of the module: whether only the init entry writes
/// it (false for imported, exported and `shared` ones, which code the
/// module cannot see may write).
pub fn init_only(m: &Module, bodies: &Bodies) -> Vec<bool> {
    let mut only: Vec<bool> =
        m.globals.iter().map(|g| !g.external && !g.shared && g.visibility != Visibility::Export).collect();
    for f in 0..m.funcs.len() {
        if f == m.init || Some(f) == m.thread_init {
            continue;
        }
        Stmt::walk(bodies.get(f).unwrap_or_default(), &mut |s| match s {
            Stmt::Assign(Place::Global(g), _) => only[*g] = false,
            Stmt::SharedUpdate { global, .. } => only[*global] = false,
            _ => {}
        });
    }
    only
}
