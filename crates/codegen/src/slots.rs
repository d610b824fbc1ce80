//! Counting shadow-stack slots before translating a function: one per
//! reference-typed local, one per reference-typed intermediate value that
//! is not already held elsewhere, one per `for` over an array.

use tess_sema::hir::{Expr, ExprKind, Func, Place, Stmt};

/// Whether the value of `e` must be stored in a shadow slot of its own: it
/// is a reference that nothing else keeps alive for sure (locals have
/// their own slot, literals are static).
pub fn needs_root(e: &Expr) -> bool {
    e.ty.is_ref() && !matches!(e.kind, ExprKind::Local(_) | ExprKind::Str(_))
}

/// Upper bound of the slots `func` uses.
pub fn count(func: &Func) -> u32 {
    let locals = func.locals.iter().filter(|l| l.ty.is_ref()).count() as u32;
    locals + stmts(&func.body)
}

fn stmts(ss: &[Stmt]) -> u32 {
    ss.iter().map(stmt).sum()
}

fn stmt(s: &Stmt) -> u32 {
    match s {
        Stmt::Let(_, e) | Stmt::Expr(e) => expr(e),
        Stmt::Assign(p, e) => {
            let place = match p {
                Place::Index(a, i) => expr(a) + expr(i),
                Place::Local(_) | Place::Global(_) => 0,
            };
            place + expr(e)
        }
        Stmt::If(c, t, e) => expr(c) + stmts(t) + stmts(e),
        Stmt::While(c, b) => expr(c) + stmts(b),
        Stmt::ForRange { lo, hi, body, .. } => expr(lo) + expr(hi) + stmts(body),
        Stmt::ForEach { array, body, .. } => 1 + expr(array) + stmts(body),
        Stmt::Return(e) => e.as_ref().map_or(0, expr),
        Stmt::Break | Stmt::Continue => 0,
    }
}

fn expr(e: &Expr) -> u32 {
    let own = needs_root(e) as u32;
    let children = match &e.kind {
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Str(_) | ExprKind::Local(_)
        | ExprKind::Global(_) | ExprKind::FnRef(_) => 0,
        ExprKind::Call(_, args) | ExprKind::Rt { args, .. } | ExprKind::ArrayLit(args) | ExprKind::Interp(args)
        | ExprKind::Math(_, args) => args.iter().map(expr).sum(),
        ExprKind::CallIndirect(f, args) => expr(f) + args.iter().map(expr).sum::<u32>(),
        ExprKind::Arith(_, a, b) | ExprKind::Compare(_, a, b) | ExprKind::And(a, b) | ExprKind::Or(a, b)
        | ExprKind::Index(a, b) => expr(a) + expr(b),
        ExprKind::Neg(a) | ExprKind::Not(a) | ExprKind::BitNot(a) | ExprKind::ToStr(a) | ExprKind::Convert(a)
        | ExprKind::ToWord(a) | ExprKind::FromWord(a) | ExprKind::Len(a) => expr(a),
    };
    own + children
}
