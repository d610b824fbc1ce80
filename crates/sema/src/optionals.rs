//! What LANGUAGE.md §7 adds to optionals: `a?.b` and `a?.m()`, `is`/`as`/
//! `as?` on an optional, `==` between `T?` and `T`, and narrowing — a
//! local tested against `nil` is its value type where the test holds.
//! All of it is lowered to the HIR's `Bind` (a value evaluated once into
//! a local) and `Cond`, and to the existing unwrap and nil tests.

use crate::checker::{error_expr, Checker};
use crate::expr::CastKind;
use crate::hir::{Expr, ExprKind, LocalId, Stmt};
use crate::ty::Ty;
use tess_syntax::ast;
use tess_syntax::Span;

fn local(id: LocalId, ty: &Ty) -> Expr {
    Expr::new(ExprKind::Local(id), ty.clone())
}

fn present(id: LocalId, ty: &Ty) -> Expr {
    Expr::new(ExprKind::IsNil { value: Box::new(local(id, ty)), negated: true }, Ty::Bool)
}

fn unwrapped(id: LocalId, ty: &Ty) -> Expr {
    let inner = match ty {
        Ty::Optional(t) => (**t).clone(),
        other => other.clone(),
    };
    Expr::new(ExprKind::Unwrap(Box::new(local(id, ty))), inner)
}

impl Checker<'_> {
    /// `obj?.…`: `then` builds the member access or call on the unwrapped
    /// value; the result is optional (not doubly so), or Void.
    pub(crate) fn opt_chain(&mut self, obj: &ast::Expr, then: impl FnOnce(&mut Self, Expr) -> Expr) -> Expr {
        let o = self.expr(obj, None);
        let opt_ty = o.ty.clone();
        let inner = match &opt_ty {
            Ty::Optional(t) => (**t).clone(),
            Ty::Error => return error_expr(),
            other => {
                self.error_hint(
                    obj.span,
                    format!("`?.` needs an optional, found {other}"),
                    "use `.` on a value that cannot be nil",
                );
                return error_expr();
            }
        };
        let held = self.new_local("$opt", opt_ty.clone());
        let value = self.new_local("$some", inner.clone());
        let r = then(self, local(value, &inner));
        if r.ty == Ty::Error {
            return error_expr();
        }
        let (some, ty) = match &r.ty {
            Ty::Void => (r, Ty::Void),
            Ty::Optional(_) => {
                let ty = r.ty.clone();
                (r, ty)
            }
            t => {
                let ty = Ty::Optional(Box::new(t.clone()));
                (Expr::new(ExprKind::Wrap(Box::new(r)), ty.clone()), ty)
            }
        };
        let none = if ty == Ty::Void {
            Expr::new(ExprKind::Bool(false), Ty::Void)
        } else {
            Expr::new(ExprKind::Nil, ty.clone())
        };
        let some = Expr::new(ExprKind::Bind(value, Box::new(unwrapped(held, &opt_ty)), Box::new(some)), ty.clone());
        let cond =
            Expr::new(ExprKind::Cond(Box::new(present(held, &opt_ty)), Box::new(some), Box::new(none)), ty.clone());
        Expr::new(ExprKind::Bind(held, Box::new(o), Box::new(cond)), ty)
    }

    /// `opt is C`, `opt as? C`, `opt as C` on an optional class value:
    /// nil is no `C` (`as` throws `NilError` on it).
    pub(crate) fn optional_cast(&mut self, value: Expr, class: usize, target: Ty, kind: CastKind) -> Expr {
        let opt_ty = value.ty.clone();
        if kind == CastKind::As {
            let inner = match &opt_ty {
                Ty::Optional(t) => (**t).clone(),
                t => t.clone(),
            };
            let v = Expr::new(ExprKind::Unwrap(Box::new(value)), inner);
            return Expr::new(ExprKind::Cast { value: Box::new(v), class, optional: false }, target);
        }
        let held = self.new_local("$opt", opt_ty.clone());
        let (test, ty) = if kind == CastKind::Is {
            let t = Expr::new(ExprKind::InstanceOf(Box::new(unwrapped(held, &opt_ty)), class), Ty::Bool);
            (Expr::new(ExprKind::And(Box::new(present(held, &opt_ty)), Box::new(t)), Ty::Bool), Ty::Bool)
        } else {
            let ty = Ty::Optional(Box::new(target));
            let cast = Expr::new(
                ExprKind::Cast { value: Box::new(unwrapped(held, &opt_ty)), class, optional: true },
                ty.clone(),
            );
            let nil = Expr::new(ExprKind::Nil, ty.clone());
            (Expr::new(ExprKind::Cond(Box::new(present(held, &opt_ty)), Box::new(cast), Box::new(nil)), ty.clone()), ty)
        };
        Expr::new(ExprKind::Bind(held, Box::new(value), Box::new(test)), ty)
    }

    /// `a == b` where one side is `T?` and the other `T` or `T?` (`T` a
    /// value type, compared by value): nil equals only nil.
    pub(crate) fn optional_equality(&mut self, negated: bool, lhs: Expr, rhs: Expr, span: Span) -> Expr {
        let (lt, rt) = (lhs.ty.clone(), rhs.ty.clone());
        let a = self.new_local("$lhs", lt.clone());
        let b = self.new_local("$rhs", rt.clone());
        let value = |id: LocalId, t: &Ty| match t {
            Ty::Optional(_) => unwrapped(id, t),
            _ => local(id, t),
        };
        let equal_values = self.binary_typed(ast::BinOp::Eq, value(a, &lt), value(b, &rt), span);
        let both_present = match (&lt, &rt) {
            (Ty::Optional(_), Ty::Optional(_)) => {
                Expr::new(ExprKind::And(Box::new(present(a, &lt)), Box::new(present(b, &rt))), Ty::Bool)
            }
            (Ty::Optional(_), _) => present(a, &lt),
            _ => present(b, &rt),
        };
        let when_present = Expr::new(
            ExprKind::Cond(
                Box::new(both_present),
                Box::new(equal_values),
                Box::new(Expr::new(ExprKind::Bool(false), Ty::Bool)),
            ),
            Ty::Bool,
        );
        // Both nil: equal.
        let both_nil = match (&lt, &rt) {
            (Ty::Optional(_), Ty::Optional(_)) => {
                let nil =
                    |id, t: &Ty| Expr::new(ExprKind::IsNil { value: Box::new(local(id, t)), negated: false }, Ty::Bool);
                Expr::new(ExprKind::And(Box::new(nil(a, &lt)), Box::new(nil(b, &rt))), Ty::Bool)
            }
            _ => Expr::new(ExprKind::Bool(false), Ty::Bool),
        };
        let eq = Expr::new(ExprKind::Or(Box::new(both_nil), Box::new(when_present)), Ty::Bool);
        let result = if negated { Expr::new(ExprKind::Not(Box::new(eq)), Ty::Bool) } else { eq };
        let inner = Expr::new(ExprKind::Bind(b, Box::new(rhs), Box::new(result)), Ty::Bool);
        Expr::new(ExprKind::Bind(a, Box::new(lhs), Box::new(inner)), Ty::Bool)
    }

    /// An optional of a printable type as text: its value's, or `nil`.
    pub(crate) fn optional_to_string(&mut self, v: Expr, span: Span) -> Expr {
        let ty = v.ty.clone();
        let held = self.new_local("$opt", ty.clone());
        let text = self.stringify(unwrapped(held, &ty), span);
        let nil = Expr::new(ExprKind::Str("nil".into()), Ty::Str);
        let cond = Expr::new(ExprKind::Cond(Box::new(present(held, &ty)), Box::new(text), Box::new(nil)), Ty::Str);
        Expr::new(ExprKind::Bind(held, Box::new(v), Box::new(cond)), Ty::Str)
    }

    /// Narrows `name`, a local of type `T?`, to `T` in the current scope:
    /// a new local of that name holding the unwrapped value.
    pub(crate) fn narrow(&mut self, name: &ast::Ident, out: &mut Vec<Stmt>) {
        let Some(l) = self.lookup_local(&name.name) else { return };
        let ty = self.body.locals[l.id].ty.clone();
        let Ty::Optional(inner) = &ty else { return };
        let inner = (**inner).clone();
        let id = self.bind_local(name, inner, false);
        self.body.mark_narrowed(&name.name);
        out.push(Stmt::Let(id, Box::new(unwrapped(l.id, &ty))));
    }

    /// Whether `e` names a local narrowed from an optional.
    pub(crate) fn is_narrowed(&self, e: &ast::Expr) -> bool {
        matches!(&e.kind, ast::ExprKind::Name(name) if self.lookup_local(name).is_some_and(|l| l.narrowed))
    }

    /// The locals `e` proves non-nil when it evaluates to `truth`, and that
    /// `region` (where that holds) leaves unassigned: those to narrow.
    pub(crate) fn narrowable(&self, e: &ast::Expr, truth: bool, region: &[ast::Stmt]) -> Vec<ast::Ident> {
        let mut names = Vec::new();
        proven_present(e, truth, &mut names);
        names.retain(|n| {
            self.lookup_local(&n.name).is_some_and(|l| {
                matches!(self.body.locals[l.id].ty, Ty::Optional(_)) && (!l.mutable || !assigns(region, &n.name))
            })
        });
        names
    }
}

/// The names `e` proves non-nil when it is `truth`: `x != nil`, `x ==
/// nil` when false, through `&&`, `||` and `!`.
fn proven_present(e: &ast::Expr, truth: bool, out: &mut Vec<ast::Ident>) {
    use ast::{BinOp, ExprKind as K};
    match &e.kind {
        K::Binary(op @ (BinOp::Eq | BinOp::Ne), l, r) => {
            let name = match (&l.kind, &r.kind) {
                (K::Name(_), K::Nil) => l,
                (K::Nil, K::Name(_)) => r,
                _ => return,
            };
            if (*op == BinOp::Ne) == truth {
                if let K::Name(n) = &name.kind {
                    out.push(ast::Ident { name: n.clone(), span: name.span });
                }
            }
        }
        K::Binary(BinOp::And, l, r) if truth => {
            proven_present(l, true, out);
            proven_present(r, true, out);
        }
        K::Binary(BinOp::Or, l, r) if !truth => {
            proven_present(l, false, out);
            proven_present(r, false, out);
        }
        K::Unary(ast::UnOp::Not, inner) => proven_present(inner, !truth, out),
        _ => {}
    }
}

/// Whether any statement of `stmts` (nested ones too) assigns `name`.
fn assigns(stmts: &[ast::Stmt], name: &str) -> bool {
    stmts.iter().any(|s| match s {
        ast::Stmt::Assign { target, .. } => matches!(&target.kind, ast::ExprKind::Name(n) if n == name),
        ast::Stmt::If { then, els, .. } => {
            assigns(&then.stmts, name) || els.as_deref().is_some_and(|e| assigns(std::slice::from_ref(e), name))
        }
        ast::Stmt::While { body, .. } | ast::Stmt::For { body, .. } => assigns(&body.stmts, name),
        ast::Stmt::Block(b) => assigns(&b.stmts, name),
        ast::Stmt::Try { body, catches, finally, .. } => {
            assigns(&body.stmts, name)
                || catches.iter().any(|c| assigns(&c.body.stmts, name))
                || finally.as_ref().is_some_and(|f| assigns(&f.stmts, name))
        }
        ast::Stmt::Match { arms, .. } => arms.iter().any(|a| assigns(&a.body.stmts, name)),
        _ => false,
    })
}
