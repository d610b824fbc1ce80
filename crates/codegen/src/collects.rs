//! Which functions may run the collector before they return normally.
//!
//! A collection happens only in an allocation, so a function that
//! allocates nothing and calls only functions of this module that do not
//! either can hold references in registers: nothing can free them while
//! it runs. Such a function opens no shadow-stack frame. Raising an error
//! allocates one, but a function without `try` leaves on every raise, so
//! its references are dead by then; its callers' are their own concern.

use crate::bodies::Bodies;
use tess_sema::hir::{Callee, Expr, ExprKind, FuncId, Module, Place, Stmt};
use tess_sema::ty::Ty;

/// For every function of the module: whether it may collect (true for
/// those it cannot see into: defined elsewhere, or entered from C).
pub fn may_collect(m: &Module, bodies: &Bodies) -> Vec<bool> {
    crate::callgraph::marked_with_callers(m, |f, func, calls| {
        func.external || func.extern_c || func.entry || f == m.init || stmts(bodies.get(f).unwrap_or_default(), calls)
    })
}

/// Whether running `s` (its nested statements and inlined callees
/// included) may collect, given which functions of the module may
/// (`collecting`, from [`may_collect`]).
pub fn stmt_may_collect(s: &Stmt, collecting: &[bool]) -> bool {
    with_calls(collecting, |calls| stmt(s, calls))
}

/// Whether evaluating the expressions `es` (not a statement's nested
/// statements) may collect.
pub fn exprs_may_collect(es: &[&Expr], collecting: &[bool]) -> bool {
    with_calls(collecting, |calls| es.iter().any(|e| expr(e, calls)))
}

/// Whether code may collect: by itself (`own`, which lists the module's
/// functions it calls), or in one of those functions.
fn with_calls(collecting: &[bool], own: impl FnOnce(&mut Vec<FuncId>) -> bool) -> bool {
    let mut calls = Vec::new();
    own(&mut calls) || calls.into_iter().any(|f| collecting[f])
}

/// Whether statements may collect by themselves; the module's functions
/// they call go to `calls`.
fn stmts(ss: &[Stmt], calls: &mut Vec<FuncId>) -> bool {
    ss.iter().any(|s| stmt(s, calls))
}

fn stmt(s: &Stmt, calls: &mut Vec<FuncId>) -> bool {
    let own = match s {
        // A caught error lets the function go on after an allocation.
        Stmt::Try { .. } | Stmt::Throw(_) | Stmt::ForMap { .. } | Stmt::InitClasses => true,
        Stmt::Assign(place, _) => matches!(*place, Place::MapEntry(..)),
        _ => false,
    };
    own || s.exprs().into_iter().any(|e| expr(e, calls)) || s.bodies().into_iter().any(|b| stmts(b, calls))
}

fn expr(e: &Expr, calls: &mut Vec<FuncId>) -> bool {
    let own = match &e.kind {
        ExprKind::Call(f, _) | ExprKind::CallDirect(Callee::Func(f), _) => {
            calls.push(*f);
            false
        }
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Bool(_)
        | ExprKind::Str(_)
        | ExprKind::Local(_)
        | ExprKind::Global(_)
        | ExprKind::FnRef(_)
        | ExprKind::TypeDesc(_)
        | ExprKind::IfaceDescriptor(_)
        | ExprKind::Nil
        | ExprKind::Field(..)
        | ExprKind::InstanceOf(..)
        | ExprKind::Implements(..)
        | ExprKind::Cast { .. }
        | ExprKind::Unwrap(_)
        | ExprKind::Coalesce(..)
        | ExprKind::IsNil { .. }
        | ExprKind::Compare(..)
        | ExprKind::Neg(_)
        | ExprKind::Not(_)
        | ExprKind::BitNot(_)
        | ExprKind::And(..)
        | ExprKind::Or(..)
        | ExprKind::Bind(..)
        | ExprKind::Cond(..)
        | ExprKind::ToWord(_)
        | ExprKind::FromWord(_)
        | ExprKind::Len(_)
        | ExprKind::Math(..) => false,
        // String concatenation allocates.
        ExprKind::Arith(..) => !e.ty.is_numeric(),
        ExprKind::Index(a, _) => !matches!(a.ty, Ty::Array(_)),
        ExprKind::Convert(_) => e.ty.is_ref(),
        ExprKind::Wrap(inner) => inner.ty.boxed_when_optional(),
        ExprKind::CallDirect(Callee::Runtime(_), _)
        | ExprKind::CallIndirect(..)
        | ExprKind::CallVirtual { .. }
        | ExprKind::New { .. }
        | ExprKind::Closure { .. }
        | ExprKind::CFunction(_)
        | ExprKind::CallInterface { .. }
        | ExprKind::CastInterface { .. }
        | ExprKind::ToAny(_)
        | ExprKind::MapLit(_)
        | ExprKind::MapGet(..)
        | ExprKind::Rt { .. }
        | ExprKind::ArrayLit(_)
        | ExprKind::Interp(_)
        | ExprKind::ToStr(_)
        | ExprKind::ToCString(_) => true,
    };
    own || e.children().into_iter().any(|c| expr(c, calls))
}
