//! The array methods of LANGUAGE.md §7 that take or compare elements:
//! `map`, `filter`, `reduce`, `forEach`, `any`, `all`, `sort`, `sortBy`,
//! `contains`, `indexOf`, `reversed` — calls of the runtime's
//! `array_fns`, told each value's kind (`tess_abi::layout::value_kind`) —
//! and `for (i, x) in xs.enumerated()`.

use crate::builtins::{rt, word};
use crate::checker::{error_expr, Checker};
use crate::hir::{Arith, Expr, ExprKind, LocalId, Stmt};
use crate::ty::Ty;
use tess_abi::layout::print_shape as shape;
use tess_abi::layout::value_kind::{self as kind, pack};
use tess_abi::RuntimeFn;
use tess_syntax::ast;
use tess_syntax::Span;

/// How the runtime passes a value of `ty` as a word (and a call, in its
/// registers: `Float` in a floating-point one).
pub(crate) fn kind_of(ty: &Ty) -> u8 {
    match ty {
        Ty::Float => kind::FLOAT,
        Ty::Bool => kind::BOOL,
        Ty::Int32 => kind::INT32,
        Ty::Str => kind::STRING,
        Ty::Void => kind::VOID,
        _ => kind::WORD,
    }
}

/// How the runtime prints values of `ty` inside a collection
/// (`tess_abi::layout::print_shape`), when it can.
pub(crate) fn print_shape(tys: &[&Ty]) -> Option<Expr> {
    let mut codes = Vec::new();
    for t in tys {
        shape_codes(t, &mut codes)?;
    }
    Some(int(shape::encode(&codes)?))
}

fn shape_codes(ty: &Ty, out: &mut Vec<u8>) -> Option<()> {
    match ty {
        Ty::Int | Ty::Float | Ty::Bool | Ty::Int32 | Ty::Str => out.push(kind_of(ty)),
        Ty::Class(..) | Ty::Interface(..) | Ty::Generic(..) => out.push(kind::OBJECT),
        Ty::Any => out.push(shape::ANY),
        Ty::Array(e) | Ty::Set(e) | Ty::Optional(e) => {
            out.push(match ty {
                Ty::Array(_) => shape::ARRAY,
                Ty::Set(_) => shape::SET,
                _ => shape::OPTIONAL,
            });
            shape_codes(e, out)?;
        }
        Ty::Map(k, v) => {
            out.push(shape::MAP);
            shape_codes(k, out)?;
            shape_codes(v, out)?;
        }
        _ => return None,
    }
    Some(())
}

/// `a op b` of two Ints, `op` bitwise.
fn bits(op: Arith, a: Expr, b: Expr) -> Expr {
    Expr::new(ExprKind::Arith(op, Box::new(a), Box::new(b)), Ty::Int)
}

impl Checker<'_> {
    /// The `kinds` of the values of `t` (a type parameter), from its
    /// descriptor at run time.
    fn desc_kinds(&self, t: &Ty) -> Expr {
        rt(RuntimeFn::DescKinds, vec![self.type_desc(t)], Ty::Int)
    }

    /// The `kinds` bit that says values of `t` (a type parameter) are
    /// references, from its descriptor at run time.
    fn refs_bit(&self, t: &Ty) -> Expr {
        bits(Arith::BitAnd, self.desc_kinds(t), int(pack(0, 0, true)))
    }

    /// Whether values of `t` (a type parameter) are references, from its
    /// descriptor at run time.
    pub(crate) fn values_are_refs(&self, t: &Ty) -> Expr {
        Expr::new(ExprKind::Compare(crate::hir::Cmp::Ne, Box::new(self.refs_bit(t)), Box::new(int(0))), Ty::Bool)
    }

    /// `kinds` for elements of kind `ke` and a result (or accumulator) of
    /// type `ret`, which may be a type parameter: whether its values are
    /// references is then its descriptor's to say.
    fn kinds_for_result(&self, ke: u8, ret: &Ty) -> Expr {
        match ret {
            Ty::Param(..) => bits(Arith::BitOr, int(pack(ke, kind_of(ret), false)), self.refs_bit(ret)),
            _ => int(pack(ke, kind_of(ret), ret.is_ref())),
        }
    }
}

fn int(v: i64) -> Expr {
    Expr::new(ExprKind::Int(v), Ty::Int)
}

fn fn_ty(params: Vec<Ty>, ret: Ty) -> Ty {
    Ty::Fn(Box::new(params), Box::new(ret))
}

/// The array methods this module checks.
pub(crate) const METHODS: &[&str] = &[
    "map",
    "filter",
    "forEach",
    "any",
    "all",
    "reduce",
    "sortBy",
    "sort",
    "indexOf",
    "contains",
    "reversed",
    "enumerated",
];

impl Checker<'_> {
    /// An interface through which `sort()` orders elements of type
    /// `elem`: one with `compareTo(other: T) -> Int` that `elem`
    /// implements with itself as `T` (the standard `Comparable`, or a
    /// module's own of that shape).
    fn comparable_iface(&self, elem: &Ty) -> Option<crate::ty::IfaceId> {
        if !matches!(elem, Ty::Class(..) | Ty::Generic(..) | Ty::Param(..)) {
            return None;
        }
        (0..self.interfaces.len()).find(|&i| {
            let iface = &self.interfaces[i];
            let compare = iface.methods.iter().find(|m| m.name == "compareTo");
            iface.type_params.len() == 1
                && compare.is_some_and(|m| matches!(m.params[..], [Ty::Param(0, _)]) && m.ret == Ty::Int)
                && self.fits(elem, &self.iface_instance(i, vec![elem.clone()]))
        })
    }

    /// `xs.name(args)`, `name` one of [`METHODS`]; `None` once an error is
    /// reported.
    pub(crate) fn array_method(
        &mut self,
        xs: Expr,
        elem: &Ty,
        name: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
    ) -> Option<Expr> {
        // A type parameter's elements are words, passed to functions as an
        // Int is (a function of `T` takes words); what a new array holds
        // and how elements compare come from its descriptor at run time.
        let ke = kind_of(elem);
        let array = xs.ty.clone();
        let e = match name.name.as_str() {
            "map" => {
                let [f] = self.array_fn_args(args, span, "map", 1)? else { return None };
                // The result type is the function's: left open for a closure.
                let f = self.expr(f, Some(&fn_ty(vec![elem.clone()], Ty::Error)));
                let ret = match &f.ty {
                    Ty::Fn(ps, r) if ps.len() == 1 && ps[0] == *elem && **r != Ty::Void => (**r).clone(),
                    Ty::Error => return Some(error_expr()),
                    other => {
                        self.error_hint(
                            args[0].span,
                            format!("`map` takes a function from {elem} to a value, found {other}"),
                            format!("write `xs.map {{ x -> ... }}` with `x: {elem}`"),
                        );
                        return Some(error_expr());
                    }
                };
                let kinds = self.kinds_for_result(ke, &ret);
                rt(RuntimeFn::ArrMap, vec![xs, f, kinds], Ty::Array(Box::new(ret)))
            }
            "filter" | "forEach" | "any" | "all" => {
                let [f] = self.array_fn_args(args, span, &name.name, 1)? else { return None };
                let ret = if name.name == "forEach" { Ty::Void } else { Ty::Bool };
                let want = fn_ty(vec![elem.clone()], ret);
                let f = self.expr(f, Some(&want));
                let f = self.coerce(f, &want, args[0].span);
                let kinds = int(pack(ke, 0, false));
                match name.name.as_str() {
                    "filter" => rt(RuntimeFn::ArrFilter, vec![xs, f, kinds], array),
                    "forEach" => rt(RuntimeFn::ArrForEach, vec![xs, f, kinds], Ty::Void),
                    which => {
                        let all = Expr::new(ExprKind::Bool(which == "all"), Ty::Bool);
                        rt(RuntimeFn::ArrAnyAll, vec![xs, f, kinds, all], Ty::Bool)
                    }
                }
            }
            "reduce" => {
                let [init, f] = self.array_fn_args(args, span, "reduce", 2)? else { return None };
                let init = self.expr(init, None);
                let acc = init.ty.clone();
                if acc == Ty::Error {
                    return Some(error_expr());
                }
                let want = fn_ty(vec![acc.clone(), elem.clone()], acc.clone());
                let f = self.expr(f, Some(&want));
                let f = self.coerce(f, &want, args[1].span);
                let kinds = self.kinds_for_result(ke, &acc);
                let call = rt(RuntimeFn::ArrReduce, vec![xs, word(init), f, kinds], Ty::Int);
                Expr::new(ExprKind::FromWord(Box::new(call)), acc)
            }
            "sortBy" => {
                let [f] = self.array_fn_args(args, span, "sortBy", 1)? else { return None };
                let want = fn_ty(vec![elem.clone(), elem.clone()], Ty::Int);
                let f = self.expr(f, Some(&want));
                let f = self.coerce(f, &want, args[0].span);
                rt(RuntimeFn::ArrSortBy, vec![xs, f, int(pack(ke, 0, false))], Ty::Void)
            }
            "sort" => {
                self.array_fn_args(args, span, "sort", 0)?;
                if let Some(i) = self.comparable_iface(elem) {
                    let desc = Expr::new(ExprKind::IfaceDescriptor(i), Ty::CPointer);
                    return Some(rt(RuntimeFn::ArrSortComparable, vec![xs, desc], Ty::Void));
                }
                if !matches!(elem, Ty::Int | Ty::Int32 | Ty::Float | Ty::Str | Ty::Error) {
                    self.error_hint(
                        name.span,
                        format!("`sort()` sorts numbers, strings and `Comparable` objects, not {elem}"),
                        format!(
                            "implement `Comparable[{elem}]`, or sort by a comparison: `xs.sortBy {{ a, b -> ... }}`"
                        ),
                    );
                    return Some(error_expr());
                }
                rt(RuntimeFn::ArrSort, vec![xs, int(i64::from(ke))], Ty::Void)
            }
            "indexOf" | "contains" => {
                let [v] = self.array_fn_args(args, span, &name.name, 1)? else { return None };
                let v = self.expr(v, Some(elem));
                let v = self.coerce(v, elem, args[0].span);
                let k = match elem {
                    Ty::Param(..) => bits(Arith::BitAnd, self.desc_kinds(elem), int(0xff)),
                    _ => int(i64::from(ke)),
                };
                let i = rt(RuntimeFn::ArrIndexOf, vec![xs, word(v), k], Ty::Int);
                if name.name == "indexOf" {
                    i
                } else {
                    Expr::new(ExprKind::Compare(crate::hir::Cmp::Ge, Box::new(i), Box::new(int(0))), Ty::Bool)
                }
            }
            "reversed" => {
                self.array_fn_args(args, span, "reversed", 0)?;
                rt(RuntimeFn::ArrReversed, vec![xs], array)
            }
            "enumerated" => {
                self.error_hint(
                    name.span,
                    "`enumerated()` is for `for` loops",
                    "write `for (i, x) in xs.enumerated() { ... }`",
                );
                error_expr()
            }
            _ => error_expr(),
        };
        Some(e)
    }

    /// The arguments of an array method that takes `n`; `None` (reported)
    /// when there are not `n`.
    fn array_fn_args<'a>(
        &mut self,
        args: &'a [ast::Expr],
        span: Span,
        name: &str,
        n: usize,
    ) -> Option<&'a [ast::Expr]> {
        if args.len() == n {
            return Some(args);
        }
        self.error(span, format!("`{name}` takes {n} argument(s), but {} were given", args.len()));
        None
    }

    /// `for (i, x) in xs.enumerated() { body }`: an index loop over the
    /// array, evaluated once (into `out`, before the loop returned).
    pub(crate) fn for_enumerated(
        &mut self,
        index: &ast::Ident,
        item: &ast::Ident,
        xs: &ast::Expr,
        body: &ast::Block,
        out: &mut Vec<Stmt>,
    ) -> Option<Stmt> {
        let coll = self.expr(xs, None);
        let elem = match &coll.ty {
            Ty::Array(e) => (**e).clone(),
            Ty::Error => return None,
            other => {
                self.error_hint(xs.span, format!("cannot enumerate {other}"), "`enumerated()` is an array's");
                return None;
            }
        };
        let ty = coll.ty.clone();
        let held: LocalId = self.new_local("<array>", ty.clone());
        let array = || Expr::new(ExprKind::Local(held), ty.clone());
        let i = self.bind_local(index, Ty::Int, false);
        let x = self.bind_local(item, elem.clone(), false);
        let at = Expr::new(ExprKind::Index(Box::new(array()), Box::new(Expr::new(ExprKind::Local(i), Ty::Int))), elem);
        let mut b = vec![Stmt::Let(x, Box::new(at))];
        self.block(body, &mut b);
        let hi = Expr::new(ExprKind::Len(Box::new(array())), Ty::Int);
        let lo = int(0);
        out.push(Stmt::Let(held, Box::new(coll)));
        Some(Stmt::ForRange { var: i, lo: Box::new(lo), hi: Box::new(hi), inclusive: false, body: b })
    }
}
