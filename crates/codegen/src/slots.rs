//! Counting shadow-stack slots before translating a function, and the
//! inlining policy the count must agree with.
//!
//! A function needs one slot per reference-typed local that is not a
//! parameter, one per reference-typed intermediate value that nothing else
//! keeps alive, one per `for` over an array — and the same again for every
//! callee inlined into it.

use tess_sema::hir::{Expr, ExprKind, Func, FuncId, Module, Place, Stmt};

/// Callees of at most this many HIR nodes are inlined.
const INLINE_MAX_NODES: u32 = 40;

/// Whether the value of `e` must be stored in a shadow slot of its own: it
/// is a reference that nothing else keeps alive for sure (locals have
/// their own slot, literals are static).
pub fn needs_root(e: &Expr) -> bool {
    e.ty.is_ref() && !matches!(e.kind, ExprKind::Local(_) | ExprKind::Str(_))
}

/// Whether a call of `f` is inlined, given the callees already being
/// inlined around it (each is inlined at most once per nesting, so a
/// recursive function is unrolled one level).
pub fn inlinable(m: &Module, f: FuncId, inlining: &[FuncId]) -> bool {
    f != m.init && !inlining.contains(&f) && {
        let mut budget = INLINE_MAX_NODES;
        within_budget(&m.funcs[f].body, &mut budget)
    }
}

/// Upper bound of the slots `func` uses, inlined callees included.
pub fn count(m: &Module, func: &Func) -> u32 {
    Counter { m, inlining: Vec::new() }.body(func)
}

struct Counter<'a> {
    m: &'a Module,
    inlining: Vec<FuncId>,
}

impl Counter<'_> {
    fn body(&mut self, func: &Func) -> u32 {
        let locals = func.locals.iter().enumerate().filter(|(l, local)| local.ty.is_ref() && !func.params.contains(l)).count();
        locals as u32 + self.stmts(&func.body)
    }

    fn stmts(&mut self, ss: &[Stmt]) -> u32 {
        ss.iter().map(|s| self.stmt(s)).sum()
    }

    fn stmt(&mut self, s: &Stmt) -> u32 {
        match s {
            Stmt::Let(_, e) | Stmt::Expr(e) => self.expr(e),
            Stmt::Assign(p, e) => {
                let place = match p {
                    Place::Index(a, i) => self.expr(a) + self.expr(i),
                    Place::Local(_) | Place::Global(_) => 0,
                };
                place + self.expr(e)
            }
            Stmt::If(c, t, e) => self.expr(c) + self.stmts(t) + self.stmts(e),
            Stmt::While(c, b) => self.expr(c) + self.stmts(b),
            Stmt::ForRange { lo, hi, body, .. } => self.expr(lo) + self.expr(hi) + self.stmts(body),
            Stmt::ForEach { array, body, .. } => 1 + self.expr(array) + self.stmts(body),
            Stmt::Return(e) => e.as_ref().map_or(0, |e| self.expr(e)),
            Stmt::Break | Stmt::Continue => 0,
        }
    }

    fn exprs(&mut self, es: &[Expr]) -> u32 {
        es.iter().map(|e| self.expr(e)).sum()
    }

    fn expr(&mut self, e: &Expr) -> u32 {
        let own = needs_root(e) as u32;
        let children = match &e.kind {
            ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Str(_) | ExprKind::Local(_)
            | ExprKind::Global(_) | ExprKind::FnRef(_) => 0,
            ExprKind::Call(f, args) => {
                let mut n = self.exprs(args);
                if inlinable(self.m, *f, &self.inlining) {
                    self.inlining.push(*f);
                    n += self.body(&self.m.funcs[*f]);
                    self.inlining.pop();
                }
                n
            }
            ExprKind::Rt { args, .. } | ExprKind::ArrayLit(args) | ExprKind::Interp(args) | ExprKind::Math(_, args) => {
                self.exprs(args)
            }
            ExprKind::CallIndirect(f, args) => self.expr(f) + self.exprs(args),
            ExprKind::Arith(_, a, b) | ExprKind::Compare(_, a, b) | ExprKind::And(a, b) | ExprKind::Or(a, b)
            | ExprKind::Index(a, b) => self.expr(a) + self.expr(b),
            ExprKind::Neg(a) | ExprKind::Not(a) | ExprKind::BitNot(a) | ExprKind::ToStr(a) | ExprKind::Convert(a)
            | ExprKind::ToWord(a) | ExprKind::FromWord(a) | ExprKind::Len(a) => self.expr(a),
        };
        own + children
    }
}

/// Counts statement and expression nodes down from `budget`; false once
/// the budget runs out.
fn within_budget(ss: &[Stmt], budget: &mut u32) -> bool {
    fn take(budget: &mut u32) -> bool {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        true
    }
    fn expr(e: &Expr, budget: &mut u32) -> bool {
        take(budget)
            && match &e.kind {
                ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Str(_) | ExprKind::Local(_)
                | ExprKind::Global(_) | ExprKind::FnRef(_) => true,
                ExprKind::Call(_, args) | ExprKind::Rt { args, .. } | ExprKind::ArrayLit(args)
                | ExprKind::Interp(args) | ExprKind::Math(_, args) => args.iter().all(|a| expr(a, budget)),
                ExprKind::CallIndirect(f, args) => expr(f, budget) && args.iter().all(|a| expr(a, budget)),
                ExprKind::Arith(_, a, b) | ExprKind::Compare(_, a, b) | ExprKind::And(a, b) | ExprKind::Or(a, b)
                | ExprKind::Index(a, b) => expr(a, budget) && expr(b, budget),
                ExprKind::Neg(a) | ExprKind::Not(a) | ExprKind::BitNot(a) | ExprKind::ToStr(a)
                | ExprKind::Convert(a) | ExprKind::ToWord(a) | ExprKind::FromWord(a) | ExprKind::Len(a) => {
                    expr(a, budget)
                }
            }
    }
    ss.iter().all(|s| {
        take(budget)
            && match s {
                Stmt::Let(_, e) | Stmt::Expr(e) | Stmt::Return(Some(e)) => expr(e, budget),
                Stmt::Assign(p, e) => {
                    let place = match p {
                        Place::Index(a, i) => expr(a, budget) && expr(i, budget),
                        Place::Local(_) | Place::Global(_) => true,
                    };
                    place && expr(e, budget)
                }
                Stmt::If(c, t, e) => expr(c, budget) && within_budget(t, budget) && within_budget(e, budget),
                Stmt::While(c, b) => expr(c, budget) && within_budget(b, budget),
                Stmt::ForRange { lo, hi, body, .. } => expr(lo, budget) && expr(hi, budget) && within_budget(body, budget),
                Stmt::ForEach { array, body, .. } => expr(array, budget) && within_budget(body, budget),
                Stmt::Return(None) | Stmt::Break | Stmt::Continue => true,
            }
    })
}
