//! Counting shadow-stack slots before translating a function, and the
//! inlining policy the count must agree with.
//!
//! A function needs one slot per reference-typed local that is not a
//! parameter, plus what its most demanding statement needs: one slot per
//! reference-typed intermediate value that nothing else keeps alive, one
//! per `for` over an array or map, two per `try` (the exception, and a
//! returned value while `finally` runs), and the needs of callees inlined
//! into it. A statement's intermediate slots are cleared and reused when
//! it completes.

use crate::bodies::Bodies;
use tess_sema::hir::{Callee, Expr, ExprKind, Func, FuncId, Module, Stmt};
use tess_sema::ty::Ty;

/// Callees of at most this many HIR nodes are inlined.
const INLINE_MAX_NODES: u32 = 40;
/// A recursive callee this small that holds no references is inlined into
/// itself three times (gcc unrolls recursion like this too; bench/fib: the
/// third copy took 11% off, a fourth 4% more for twice the code), others
/// once.
const INLINE_TINY_NODES: u32 = 20;
/// Inlining stops this many callees deep.
const INLINE_MAX_DEPTH: usize = 4;
/// A recursive call past the limits still inlines its callee's leading
/// `if c { return e }` when it has at most this many nodes.
const GUARD_MAX_NODES: u32 = 12;

/// Whether the value of `e` must be stored in a shadow slot of its own: it
/// is a reference that nothing else keeps alive for sure (locals have
/// their own slot, literals are static, and an expression that gives its
/// operand's own reference back is kept alive with the operand).
pub fn needs_root(e: &Expr) -> bool {
    e.ty.is_ref() && !matches!(e.kind, ExprKind::Local(_) | ExprKind::Str(_) | ExprKind::Nil) && !passes_through(e)
}

/// Whether `e`'s value is its operand's reference itself: a reference
/// made optional, an optional reference unwrapped (not a map entry's,
/// which only the map holds), a cast.
fn passes_through(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Wrap(inner) => !inner.ty.boxed_when_optional(),
        ExprKind::Unwrap(inner) => !matches!(inner.kind, ExprKind::MapGet(..)),
        ExprKind::Cast { .. } => true,
        _ => false,
    }
}

/// Expressions whose translation roots the new object itself, before
/// building its contents.
pub fn roots_itself(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::New { .. } | ExprKind::MapLit(_))
}

/// Whether a call of `f` is inlined, given the callees already being
/// inlined around it: small callees are, a recursive one at most once
/// more inside itself (three times when tiny), and never deeper than
/// `INLINE_MAX_DEPTH`. A body already freed is not inlined (no function
/// left to translate reads one: `Bodies`).
pub fn inlinable(m: &Module, bodies: &Bodies, f: FuncId, inlining: &[FuncId]) -> bool {
    // An `extern fn` keeps its own frame: exceptions escaping it abort.
    // A generic function or method inlined reads its type descriptors
    // from its own locals, bound as any others (`generics.rs`).
    if f == m.init || m.funcs[f].external || m.funcs[f].extern_c || inlining.len() >= INLINE_MAX_DEPTH {
        return false;
    }
    let copies = inlining.iter().filter(|&&g| g == f).count();
    let limit = match copies {
        0 => INLINE_MAX_NODES,
        1 | 2 if !holds_references(&m.funcs[f]) => INLINE_TINY_NODES,
        _ => return false,
    };
    let mut budget = limit;
    bodies.get(f).is_some_and(|body| stmts_within(body, &mut budget))
}

/// Where the early return that starts `f` ends (its index in `f`'s body),
/// when a recursive call of `f` that is not inlined may inline it and
/// call `f` only past it: `f` holds no references (so the guard needs no
/// slots), and the guard is `if c { return e }` of arithmetic, comparisons
/// and parameters alone, at most `GUARD_MAX_NODES` nodes. Most calls at
/// the leaves of a recursion return there (bench/fib).
pub fn guard_inlinable(m: &Module, bodies: &Bodies, f: FuncId, inlining: &[FuncId]) -> Option<usize> {
    let func = &m.funcs[f];
    if f == m.init
        || func.external
        || func.extern_c
        || !func.type_params.is_empty()
        || !inlining.contains(&f)
        || holds_references(func)
    {
        return None;
    }
    let (i, first) = bodies.get(f)?.iter().enumerate().find(|(_, s)| !matches!(s, Stmt::At(_)))?;
    let Stmt::If(cond, then, els) = first else { return None };
    let mut then = then.iter().filter(|s| !matches!(s, Stmt::At(_)));
    let (Some(Stmt::Return(Some(value))), None) = (then.next(), then.next()) else { return None };
    let mut budget = GUARD_MAX_NODES;
    let plain = [cond, value].into_iter().all(|e| plain_within(e, &mut budget));
    (els.is_empty() && plain).then_some(i)
}

/// Whether `e` is built of literals, locals and operators alone, within
/// `budget` nodes.
fn plain_within(e: &Expr, budget: &mut u32) -> bool {
    let plain = matches!(
        e.kind,
        ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Local(_)
            | ExprKind::Arith(..)
            | ExprKind::Compare(..)
            | ExprKind::Neg(_)
            | ExprKind::Not(_)
            | ExprKind::And(..)
            | ExprKind::Or(..)
    );
    let typed = e.ty.is_numeric() || e.ty == Ty::Bool;
    plain && typed && take(budget) && e.children().into_iter().all(|c| plain_within(c, budget))
}

/// Whether a function returns a reference or has a reference-typed local:
/// each inlined copy of it adds shadow-stack slots to the frame, stored
/// and nulled on every call (binary_trees' `bottomUp` inlined twice into
/// itself had 35).
fn holds_references(f: &Func) -> bool {
    f.ret.is_ref() || f.locals.iter().any(|l| l.ty.is_ref())
}

/// Upper bound of the slots `f` uses, inlined callees included, given
/// which functions may collect (`collecting`: a statement that cannot
/// roots no intermediates); the functions whose bodies its translation
/// reads (inlined, or weighed for inlining) go to `reads`.
pub fn count(m: &Module, bodies: &Bodies, collecting: &[bool], f: FuncId, reads: &mut Vec<FuncId>) -> u32 {
    Counter { m, bodies, collecting, inlining: Vec::new(), reads }.body(f)
}

struct Counter<'a> {
    m: &'a Module,
    bodies: &'a Bodies<'a>,
    collecting: &'a [bool],
    inlining: Vec<FuncId>,
    reads: &'a mut Vec<FuncId>,
}

impl Counter<'_> {
    fn body(&mut self, f: FuncId) -> u32 {
        let func: &Func = &self.m.funcs[f];
        let locals =
            func.locals.iter().enumerate().filter(|(l, local)| local.ty.is_ref() && !func.params.contains(l)).count();
        let bodies = self.bodies;
        locals as u32 + bodies.get(f).map_or(0, |body| self.stmts(body))
    }

    /// Statements reuse each other's slots: the most any one needs.
    fn stmts(&mut self, ss: &[Stmt]) -> u32 {
        ss.iter().map(|s| self.stmt(s)).max().unwrap_or(0)
    }

    fn stmt(&mut self, s: &Stmt) -> u32 {
        let collects = crate::collects::stmt_may_collect(s, self.collecting);
        let temps: u32 = s.exprs().into_iter().map(|e| self.expr(e, collects)).sum();
        let nested = match s {
            Stmt::Try { body, catches, finally } => {
                // `finally` may run on top of any point of the body or a catch.
                let in_body = self.stmts(body);
                let inner = catches.iter().map(|c| self.stmts(&c.body)).fold(in_body, u32::max);
                2 + inner + finally.as_ref().map_or(0, |f| self.stmts(f))
            }
            Stmt::ForEach { .. } | Stmt::ForMap { .. } => {
                1 + s.bodies().into_iter().map(|b| self.stmts(b)).max().unwrap_or(0)
            }
            _ => s.bodies().into_iter().map(|b| self.stmts(b)).max().unwrap_or(0),
        };
        temps + nested
    }

    /// The slots of `e`'s intermediates (none when its statement cannot
    /// collect) and of the callees inlined into it.
    fn expr(&mut self, e: &Expr, collects: bool) -> u32 {
        let own = (collects && needs_root(e)) as u32;
        let inlined = direct_callee(self.m, e).map_or(0, |f| self.inlined(f));
        own + inlined + e.children().into_iter().map(|c| self.expr(c, collects)).sum::<u32>()
    }

    fn inlined(&mut self, f: FuncId) -> u32 {
        self.reads.push(f);
        if !inlinable(self.m, self.bodies, f, &self.inlining) {
            return 0;
        }
        self.inlining.push(f);
        let n = self.body(f);
        self.inlining.pop();
        n
    }
}

/// The function of this module an expression calls directly, which the
/// translator may inline: a call's callee, or a construction's `init`.
/// Every walk that must see the bodies inlined into a function (slots,
/// the module-variable blocks it needs) follows these.
pub fn direct_callee(m: &Module, e: &Expr) -> Option<FuncId> {
    match &e.kind {
        ExprKind::Call(f, _) | ExprKind::CallDirect(Callee::Func(f), _) => Some(*f),
        ExprKind::New { class, .. } => match &m.classes[*class].init {
            Some(Callee::Func(f)) => Some(*f),
            _ => None,
        },
        _ => None,
    }
}

/// Counts statement and expression nodes down from `budget`; false once
/// the budget runs out.
fn stmts_within(ss: &[Stmt], budget: &mut u32) -> bool {
    ss.iter().filter(|s| !matches!(s, Stmt::At(_))).all(|s| {
        take(budget)
            && s.exprs().into_iter().all(|e| expr_within(e, budget))
            && s.bodies().into_iter().all(|b| stmts_within(b, budget))
    })
}

fn expr_within(e: &Expr, budget: &mut u32) -> bool {
    take(budget) && e.children().into_iter().all(|c| expr_within(c, budget))
}

fn take(budget: &mut u32) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    true
}
