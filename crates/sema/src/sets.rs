//! `Set[T]` (LANGUAGE.md §7): elements that a map's keys may be (`Int`,
//! `Bool`, `String`, objects of `Hashable` classes), in insertion order.
//! At run time a set is a map whose values are unused, so it is made,
//! searched, iterated and collected as maps are (`docs/abi.md`, maps).

use crate::builtins::{rt, word};
use crate::checker::{error_expr, Checker};
use crate::hir::{Expr, ExprKind};
use crate::ty::Ty;
use tess_abi::RuntimeFn;
use tess_syntax::ast;
use tess_syntax::Span;

/// What sets offer, for messages.
pub(crate) const SET_METHODS: &str = "sets have `len`, `insert`, `contains`, `remove` and `toArray`";

impl Checker<'_> {
    /// `Set[T]` written as a type.
    pub(crate) fn set_ty(&mut self, args: Vec<Ty>, span: Span) -> Ty {
        let [elem] = <[Ty; 1]>::try_from(args).unwrap_or_else(|a| {
            self.error_hint(span, format!("`Set` takes 1 type argument, but {} were given", a.len()), "write `Set[T]`");
            [Ty::Error]
        });
        if !self.is_map_key(&elem) && elem != Ty::Error {
            self.error_hint(span, format!("{elem} cannot be a set element"), crate::expr::MAP_KEYS);
            return Ty::Error;
        }
        Ty::Set(Box::new(elem))
    }

    /// `Set[T]()`, or `[a, b]` where a `Set[T]` is expected: a new set
    /// holding the `items`.
    pub(crate) fn new_set(&mut self, elem: &Ty, items: &[ast::Expr]) -> Expr {
        let pairs = items
            .iter()
            .map(|x| {
                let e = self.expr(x, Some(elem));
                let e = self.coerce(e, elem, x.span);
                (e, Expr::new(ExprKind::Int(0), Ty::Int))
            })
            .collect();
        Expr::new(ExprKind::MapLit(pairs), Ty::Set(Box::new(elem.clone())))
    }

    /// `s.name(args)` of a set `s`.
    pub(crate) fn set_method(&mut self, s: Expr, elem: &Ty, name: &ast::Ident, args: &[ast::Expr], span: Span) -> Expr {
        let one = |c: &mut Self| -> Option<Expr> {
            if args.len() != 1 {
                c.error(span, format!("`{}` takes 1 argument, but {} were given", name.name, args.len()));
                return None;
            }
            let e = c.expr(&args[0], Some(elem));
            Some(word(c.coerce(e, elem, args[0].span)))
        };
        let zero = Expr::new(ExprKind::Int(0), Ty::Int);
        match name.name.as_str() {
            "insert" => match one(self) {
                Some(x) => rt(RuntimeFn::MapSet, vec![s, x, zero], Ty::Void),
                None => error_expr(),
            },
            "contains" => match one(self) {
                Some(x) => rt(RuntimeFn::MapContains, vec![s, x], Ty::Bool),
                None => error_expr(),
            },
            "remove" => match one(self) {
                Some(x) => rt(RuntimeFn::SetRemove, vec![s, x], Ty::Bool),
                None => error_expr(),
            },
            "toArray" if args.is_empty() => rt(RuntimeFn::MapKeys, vec![s], Ty::Array(Box::new(elem.clone()))),
            _ => {
                self.error_hint(name.span, format!("{} has no method `{}`", s.ty, name.name), SET_METHODS);
                for a in args {
                    self.expr(a, None);
                }
                error_expr()
            }
        }
    }
}
