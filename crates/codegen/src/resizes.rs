//! Which code may change the length of an array. Only `push` and `pop`
//! do, but any code the module cannot see into may run them: functions of
//! other modules, C, virtual and indirect calls, the runtime (which may
//! run a plugin's initialiser). Code that cannot resize arrays keeps
//! `n == a.len` true once it held, which is what lets a counted loop over
//! an array index it without bounds checks (`translate/facts.rs`).

use crate::bodies::Bodies;
use tess_sema::hir::{Callee, Expr, ExprKind, FuncId, Module, Stmt};

/// For every function of the module: whether a call of it may change the
/// length of an array.
pub fn may_resize(m: &Module, bodies: &Bodies) -> Vec<bool> {
    crate::callgraph::marked_with_callers(m, |f, func, calls| {
        func.external || func.extern_c || !stmts(bodies.get(f).unwrap_or_default(), calls)
    })
}

/// Whether statements leave array lengths alone, given that the module's
/// functions they call do (those go to `calls`).
pub fn stmts(ss: &[Stmt], calls: &mut Vec<FuncId>) -> bool {
    ss.iter().all(|s| stmt(s, calls))
}

fn stmt(s: &Stmt, calls: &mut Vec<FuncId>) -> bool {
    !matches!(s, Stmt::InitClasses)
        && s.exprs().into_iter().all(|e| expr(e, calls))
        && s.bodies().into_iter().all(|b| stmts(b, calls))
}

fn expr(e: &Expr, calls: &mut Vec<FuncId>) -> bool {
    let own = match &e.kind {
        ExprKind::Call(f, _) | ExprKind::CallDirect(Callee::Func(f), _) => {
            calls.push(*f);
            true
        }
        ExprKind::CallDirect(Callee::Runtime(_), _)
        | ExprKind::CallIndirect(..)
        | ExprKind::CallVirtual { .. }
        | ExprKind::New { .. }
        | ExprKind::Rt { .. } => false,
        _ => true,
    };
    own && e.children().into_iter().all(|c| expr(c, calls))
}
