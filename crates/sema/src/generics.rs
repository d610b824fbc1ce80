//! Generic functions (LANGUAGE.md §7, MODULES.md §12): `fn f[T, U: I](...)`
//! compiled once for every type argument. Inside, a value of a type
//! parameter is one word; the function gets a hidden type descriptor per
//! type parameter (after its parameters) that says whether its words are
//! references (`docs/abi.md`, generics). A call infers the type
//! arguments from its arguments (and from a closure's result), checks
//! their bounds, passes each argument of a bare `T` as a word and reads a
//! `T` result back from one.

use crate::array_fns::kind_of;
use crate::checker::{error_expr, Checker};
use crate::hir::{Expr, ExprKind, FuncId};
use crate::tables::TypeParamInfo;
use crate::ty::{Instance, Ty};
use std::rc::Rc;
use tess_abi::layout::value_kind as kind;
use tess_syntax::ast;
use tess_syntax::Span;

impl Checker<'_> {
    /// `[T, U: I & J]` of a declaration: names and bounds (interfaces).
    pub(crate) fn resolve_type_params(&mut self, tps: &[ast::TypeParam]) -> Rc<Vec<TypeParamInfo>> {
        let mut infos: Vec<TypeParamInfo> = Vec::new();
        for p in tps {
            if infos.iter().any(|i| i.name == p.name.name) {
                self.error(p.name.span, format!("type parameter `{}` is declared twice", p.name.name));
            }
            infos.push(TypeParamInfo { name: p.name.name.clone(), bounds: Vec::new() });
        }
        // Bounds may name the parameters' interfaces only (no `T: U`).
        self.type_scope = Rc::new(infos.clone());
        for (info, p) in infos.iter_mut().zip(tps) {
            for b in &p.bounds {
                match self.resolve_type(b) {
                    bound @ Ty::Interface(..) => info.bounds.push(bound),
                    Ty::Error => {}
                    other => self.error_hint(
                        b.span(),
                        format!("a bound must be an interface, found {other}"),
                        "write `T: Shape` with an interface `Shape`",
                    ),
                }
            }
        }
        Rc::new(infos)
    }

    /// A type parameter in scope by name.
    pub(crate) fn type_param(&self, name: &str) -> Option<Ty> {
        let k = self.type_scope.iter().position(|p| p.name == name)?;
        Some(Ty::Param(k as u32, Rc::new(name.to_string())))
    }

    /// The interfaces type parameter `k` of the current scope must implement.
    pub(crate) fn param_bounds(&self, k: u32) -> Vec<Ty> {
        self.type_scope.get(k as usize).map_or(Vec::new(), |p| p.bounds.clone())
    }

    /// A call of generic function `id` with `args` (see the module doc),
    /// its type arguments `explicit` when written (`f[Int](x)`), else
    /// inferred.
    pub(crate) fn generic_call(
        &mut self,
        id: FuncId,
        explicit: Option<Vec<Ty>>,
        args: &[ast::Expr],
        span: Span,
        what: &str,
    ) -> Expr {
        let tps = self.generics[&id].clone();
        let sig = self.sigs[id].clone();
        if let Some(given) = &explicit {
            let names: Vec<&str> = tps.iter().map(|p| p.name.as_str()).collect();
            let hint = || format!("write {what}[{}](...), or leave them out to infer them", names.join(", "));
            if !self.type_arg_count(what, names.len(), given.len(), span, hint) {
                return error_expr();
            }
        }
        if args.len() != sig.params.len() {
            self.error(span, format!("{what} takes {} argument(s), but {} were given", sig.params.len(), args.len()));
            for a in args {
                self.expr(a, None);
            }
            return error_expr();
        }
        let mut subst: Vec<Option<Ty>> = match explicit {
            Some(given) => given.into_iter().map(Some).collect(),
            None => vec![None; tps.len()],
        };
        let mut checked: Vec<Option<Expr>> = vec![None; args.len()];
        // Closures last: their parameter types come from what the others
        // decided.
        let order = (0..args.len())
            .filter(|&i| !matches!(args[i].kind, ast::ExprKind::Closure(_)))
            .chain((0..args.len()).filter(|&i| matches!(args[i].kind, ast::ExprKind::Closure(_))));
        for i in order {
            // A closure takes what is known (`Error` leaves the rest open);
            // another argument an expected type only when it is complete.
            let expected = substitute(&sig.params[i], &subst, true);
            let complete = !substitute(&sig.params[i], &subst, false).has_param();
            let closure = matches!(args[i].kind, ast::ExprKind::Closure(_));
            let mut e = self.expr(&args[i], (closure || complete).then_some(&expected));
            if !unify(&sig.params[i], &e.ty, &mut subst) && e.ty != Ty::Error {
                let want = substitute(&sig.params[i], &subst, true);
                self.error_hint(
                    args[i].span,
                    format!("expected {want}, found {}", e.ty),
                    format!("{what} takes {} here", sig.params[i]),
                );
                e = error_expr();
            }
            checked[i] = Some(e);
        }
        if checked.iter().flatten().any(|e| e.ty == Ty::Error) {
            return error_expr();
        }
        let mut type_args = Vec::new();
        for (k, p) in tps.iter().enumerate() {
            let Some(t) = subst[k].clone().filter(|t| *t != Ty::Nil) else {
                self.error_hint(
                    span,
                    format!("cannot infer the type of `{}` for {what}", p.name),
                    format!(
                        "write the type arguments, e.g. {what}[{}](...), or give an argument a declared type",
                        tps.iter().map(|_| "Int").collect::<Vec<_>>().join(", ")
                    ),
                );
                return error_expr();
            };
            type_args.push(t);
        }
        self.check_bounds(&tps, &type_args, span, what);
        let subst: Vec<Option<Ty>> = type_args.iter().cloned().map(Some).collect();
        let mut all = Vec::new();
        for (i, e) in checked.into_iter().enumerate() {
            let e = e.unwrap_or_else(error_expr);
            let want = substitute(&sig.params[i], &subst, false);
            let e = self.coerce(e, &want, args[i].span);
            let e = self.adapt_fn(e, &sig.params[i], &want, false, args[i].span);
            let e = crate::generic_classes::word_if_param(e, &sig.params[i]);
            all.push(e);
        }
        all.extend(type_args.iter().map(|t| self.type_desc(t)));
        let ret = substitute(&sig.ret, &subst, false);
        let call =
            Expr::new(ExprKind::Call(id, all), if matches!(sig.ret, Ty::Param(..)) { Ty::Int } else { ret.clone() });
        if matches!(sig.ret, Ty::Param(..)) {
            return Expr::new(ExprKind::FromWord(Box::new(call)), ret);
        }
        self.adapt_fn(call, &sig.ret, &ret, true, span)
    }

    /// `x.name(args)` where `x` is of type parameter `k`: a method of one
    /// of its bounds (whose values are therefore objects).
    pub(crate) fn bound_call(&mut self, x: Expr, k: u32, name: &ast::Ident, args: &[ast::Expr], span: Span) -> Expr {
        let bounds = self.param_bounds(k);
        let found = bounds.into_iter().find_map(|b| match b {
            Ty::Interface(i, inst) if self.iface_declaring(i, &inst.args, &name.name).is_some() => Some((i, inst)),
            _ => None,
        });
        match found {
            Some((i, inst)) => self.interface_call(x, i, &inst.args, name, args, span),
            None => {
                self.error_hint(
                    name.span,
                    format!("`{}` has no method `{}`", x.ty, name.name),
                    format!("a type parameter has the methods of its bounds: write `{}: SomeInterface`", x.ty),
                );
                for a in args {
                    self.expr(a, None);
                }
                error_expr()
            }
        }
    }

    /// That `given` type arguments were written for `what`, which takes
    /// `wanted`; else the error, with `hint` (how to write them).
    pub(crate) fn type_arg_count(
        &mut self,
        what: &str,
        wanted: usize,
        given: usize,
        span: Span,
        hint: impl FnOnce() -> String,
    ) -> bool {
        if wanted != given {
            self.error_hint(span, format!("{what} takes {wanted} type argument(s), but {given} were given"), hint());
        }
        wanted == given
    }

    /// The descriptor of `t` as an argument: a type parameter of the
    /// function being checked passes its own on.
    pub(crate) fn type_desc(&self, t: &Ty) -> Expr {
        match t {
            Ty::Param(k, _) => match self.body_fn.and_then(|f| self.funcs[f].type_params.get(*k as usize).copied()) {
                Some(local) => Expr::new(ExprKind::Local(local), Ty::CPointer),
                None => Expr::new(ExprKind::TypeDesc(t.clone()), Ty::CPointer),
            },
            _ => Expr::new(ExprKind::TypeDesc(t.clone()), Ty::CPointer),
        }
    }

    /// A function value `e` crossing between generic code (whose type for
    /// it is `declared`, type parameters as words) and code that knows its
    /// `concrete` type: where a type parameter is `Float` there, wrapped
    /// in an adapter (`tess_fn_adapt`) that moves the value between an
    /// integer and a floating-point register — into the concrete code's
    /// convention when `into_concrete`, else into the generic code's.
    pub(crate) fn adapt_fn(&mut self, e: Expr, declared: &Ty, concrete: &Ty, into_concrete: bool, span: Span) -> Expr {
        use tess_abi::layout::fn_adapter;
        let (Ty::Fn(dps, dr), Ty::Fn(cps, cr)) = (declared, concrete) else { return e };
        let declared: Vec<&Ty> = dps.iter().chain(std::iter::once(&**dr)).collect();
        let concrete: Vec<&Ty> = cps.iter().chain(std::iter::once(&**cr)).collect();
        let pairs = || declared.iter().zip(&concrete);
        if pairs().any(|(d, c)| !matches!(d, Ty::Param(..)) && d.has_param() && contains_float(c)) {
            self.error_hint(
                span,
                "a function whose own parameters are functions taking `Float` in place of a type parameter is not supported yet",
                "wrap the `Float` in a class",
            );
            return e;
        }
        if !pairs().any(|(d, c)| matches!(d, Ty::Param(..)) && **c == Ty::Float) {
            return e;
        }
        if dps.len() > fn_adapter::MAX_ARITY {
            self.error_hint(
                span,
                format!(
                    "a function of more than {} parameters taking or returning `Float` in place of a type parameter is not supported yet",
                    fn_adapter::MAX_ARITY
                ),
                "wrap the `Float` in a class",
            );
            return e;
        }
        let generic_kind = |d: &Ty, c: &Ty| if matches!(d, Ty::Param(..)) { kind::WORD } else { kind_of(c) };
        let (outer, inner): (Vec<u8>, Vec<u8>) = pairs()
            .map(|(d, c)| match into_concrete {
                true => (kind_of(c), generic_kind(d, c)),
                false => (generic_kind(d, c), kind_of(c)),
            })
            .unzip();
        let outer: Vec<bool> = outer.iter().map(|&k| k == kind::FLOAT).collect();
        let shape = Expr::new(ExprKind::Int(fn_adapter::pack(&outer, &inner)), Ty::Int);
        let ty = e.ty.clone();
        Expr::new(ExprKind::Rt { func: tess_abi::RuntimeFn::FnAdapt, args: vec![e, shape] }, ty)
    }
}

/// Whether a `Float` occurs in `t` (inside function types too).
fn contains_float(t: &Ty) -> bool {
    match t {
        Ty::Float => true,
        Ty::Array(e) | Ty::Optional(e) | Ty::Set(e) => contains_float(e),
        Ty::Map(k, v) => contains_float(k) || contains_float(v),
        Ty::Fn(ps, r) => ps.iter().any(contains_float) || contains_float(r),
        Ty::Generic(_, i) | Ty::Interface(_, i) => i.args.iter().any(contains_float),
        _ => false,
    }
}

/// `ty` with the type arguments found so far; with `open`, a parameter not
/// found yet becomes `Error` (what a closure's inference leaves open).
pub(crate) fn substitute(ty: &Ty, subst: &[Option<Ty>], open: bool) -> Ty {
    let s = |t: &Ty| Box::new(substitute(t, subst, open));
    match ty {
        Ty::Param(k, _) => match subst.get(*k as usize) {
            Some(Some(t)) => t.clone(),
            _ if open => Ty::Error,
            _ => ty.clone(),
        },
        Ty::Array(t) => Ty::Array(s(t)),
        Ty::Optional(t) => Ty::Optional(s(t)),
        Ty::Map(k, v) => Ty::Map(s(k), s(v)),
        Ty::Set(t) => Ty::Set(s(t)),
        Ty::Fn(ps, r) => Ty::Fn(Box::new(ps.iter().map(|p| substitute(p, subst, open)).collect()), s(r)),
        Ty::Generic(c, inst) => Ty::Generic(*c, substitute_instance(inst, subst, open)),
        Ty::Interface(i, inst) if !inst.args.is_empty() => Ty::Interface(*i, substitute_instance(inst, subst, open)),
        other => other.clone(),
    }
}

fn substitute_instance(inst: &Instance, subst: &[Option<Ty>], open: bool) -> Rc<Instance> {
    Rc::new(Instance { name: inst.name.clone(), args: inst.args.iter().map(|a| substitute(a, subst, open)).collect() })
}

/// Matches a declared parameter type against an argument's, recording
/// type arguments; false on a mismatch it can see.
fn unify(declared: &Ty, actual: &Ty, subst: &mut [Option<Ty>]) -> bool {
    match (declared, actual) {
        (_, Ty::Error) => true,
        (Ty::Param(k, _), t) => {
            let k = *k as usize;
            match &subst[k] {
                None | Some(Ty::Nil) => {
                    subst[k] = Some(t.clone());
                    true
                }
                Some(prev) => prev == t || *t == Ty::Nil,
            }
        }
        (Ty::Array(d), Ty::Array(a)) | (Ty::Optional(d), Ty::Optional(a)) | (Ty::Set(d), Ty::Set(a)) => {
            unify(d, a, subst)
        }
        (Ty::Optional(d), Ty::Nil) => {
            unify(d, &Ty::Nil, subst);
            true
        }
        (Ty::Optional(d), a) => unify(d, a, subst),
        (Ty::Map(dk, dv), Ty::Map(ak, av)) => unify(dk, ak, subst) && unify(dv, av, subst),
        (Ty::Generic(dc, di), Ty::Generic(ac, ai)) | (Ty::Interface(dc, di), Ty::Interface(ac, ai)) => {
            dc == ac && di.args.iter().zip(ai.args.iter()).all(|(d, a)| unify(d, a, subst))
        }
        (Ty::Fn(dps, dr), Ty::Fn(aps, ar)) => {
            dps.len() == aps.len()
                && dps.iter().zip(aps.iter()).all(|(d, a)| unify(d, a, subst))
                && unify(dr, ar, subst)
        }
        (d, _) if !d.has_param() => true,
        _ => false,
    }
}

impl Checker<'_> {
    /// `x is T`, `x as T`, `x as? T` of an `Any` `x`, `T` a value type,
    /// `String` or a class.
    pub(crate) fn any_cast(&mut self, value: Expr, target: Ty, kind: crate::expr::CastKind, span: Span) -> Expr {
        use crate::expr::CastKind;
        use tess_abi::RuntimeFn;
        let testable = matches!(target, Ty::Int | Ty::Int32 | Ty::Float | Ty::Bool | Ty::Str | Ty::Class(..));
        if !testable {
            if target != Ty::Error {
                self.error_hint(
                    span,
                    format!("an `Any` cannot be tested against {target} yet"),
                    "test against Int, Int32, Float, Bool, String, a class or an interface",
                );
            }
            return error_expr();
        }
        let desc = self.type_desc(&target);
        let rt = |func, args| Expr::new(ExprKind::Rt { func, args }, Ty::Int);
        match kind {
            CastKind::Is => Expr::new(ExprKind::Rt { func: RuntimeFn::AnyIs, args: vec![value, desc] }, Ty::Bool),
            CastKind::As => {
                let flag = Expr::new(ExprKind::Bool(false), Ty::Bool);
                Expr::new(ExprKind::FromWord(Box::new(rt(RuntimeFn::AnyAs, vec![value, desc, flag]))), target)
            }
            CastKind::AsOpt => {
                let flag = Expr::new(ExprKind::Bool(true), Ty::Bool);
                let opt = Ty::Optional(Box::new(target));
                Expr::new(ExprKind::Rt { func: RuntimeFn::AnyAs, args: vec![value, desc, flag] }, opt)
            }
        }
    }
}
