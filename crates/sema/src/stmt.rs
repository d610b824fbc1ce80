//! Statements, including `try`/`catch`/`finally` and the flow of definite
//! initialisation through branches and loops.

use crate::body::BodyKind;
use crate::checker::{error_expr, Checker};
use crate::hir::{self, Expr, ExprKind, Place, Stmt};
use crate::tables::ERROR;
use crate::ty::Ty;
use std::collections::HashMap;
use tess_syntax::ast::{self, BinOp};
use tess_syntax::{Diagnostic, Span};

impl Checker<'_> {
    /// Checks a block into `out`. A statement gives itself and the `At`
    /// before it, so `out` is sized for that and, when the block fills a
    /// list of its own, trimmed afterwards: the HIR is held whole until
    /// code generation (bench/compile: doubling growth left a third of its
    /// statement lists unused). A list the block only adds to (a bare
    /// block's parent) is left as it is, or every block inside it would
    /// make its next statement copy it whole.
    pub(crate) fn block(&mut self, b: &ast::Block, out: &mut Vec<Stmt>) {
        let own_list = out.is_empty();
        out.reserve(2 * b.stmts.len());
        self.body.scopes.push(HashMap::new());
        for (i, s) in b.stmts.iter().enumerate() {
            self.stmt(s, out);
            // `if x == nil { return }`: `x` is present in the rest.
            if let ast::Stmt::If { cond: ast::Cond::Expr(c), then, els: None, .. } = s {
                if always_exits(&then.stmts) {
                    for name in self.narrowable(c, false, &b.stmts[i + 1..]) {
                        self.narrow(&name, out);
                    }
                }
            }
        }
        self.body.scopes.pop();
        if own_list {
            out.shrink_to_fit();
        }
    }

    /// Checks `f` as a branch that may or may not run: definite
    /// initialisation afterwards is what held before it.
    fn maybe_runs(&mut self, f: impl FnOnce(&mut Self)) {
        let before = self.body.init_state.clone();
        f(self);
        if let (Some(state), Some(before)) = (&mut self.body.init_state, before) {
            *state = before;
        }
    }

    pub(crate) fn stmt(&mut self, s: &ast::Stmt, out: &mut Vec<Stmt>) {
        if !matches!(s, ast::Stmt::Block(_)) {
            out.push(Stmt::At(ast::stmt_span(s)));
        }
        match s {
            ast::Stmt::Let(v) => {
                let declared = v.ty.as_ref().map(|t| self.resolve_type(t));
                let Some(init) = &v.init else {
                    self.error_hint(
                        v.span,
                        format!("`{}` needs an initial value", v.name.name),
                        "write `= <value>` after the declaration",
                    );
                    let ty = declared.unwrap_or(Ty::Error);
                    self.bind_local(&v.name, ty, v.mutable);
                    return;
                };
                let e = self.expr(init, declared.as_ref());
                let e = self.settle(e, declared.as_ref(), init.span);
                let ty = declared.unwrap_or_else(|| e.ty.clone());
                self.declare_var(&v.name, ty, v.mutable, e, out);
            }
            ast::Stmt::Assign { target, op, value, span } => self.assign(target, *op, value, *span, out),
            ast::Stmt::Expr(e) => {
                let e = self.expr(e, None);
                out.push(Stmt::Expr(Box::new(e)));
            }
            ast::Stmt::If { cond, then, els, .. } => self.if_stmt(cond, then, els.as_deref(), out),
            ast::Stmt::While { cond, body, .. } => {
                let c = self.condition(cond);
                let mut b = Vec::new();
                let narrowed = self.narrowable(cond, true, &body.stmts);
                self.maybe_runs(|c| {
                    c.body.loops += 1;
                    c.body.scopes.push(HashMap::new());
                    for name in &narrowed {
                        c.narrow(name, &mut b);
                    }
                    c.block(body, &mut b);
                    c.body.scopes.pop();
                    c.body.loops -= 1;
                });
                out.push(Stmt::While(Box::new(c), b));
            }
            ast::Stmt::For { pattern, iter, body, .. } => self.maybe_runs(|c| c.for_stmt(pattern, iter, body, out)),
            ast::Stmt::Break(span) | ast::Stmt::Continue(span) => {
                let is_break = matches!(s, ast::Stmt::Break(_));
                if self.body.loops == 0 {
                    let word = if is_break { "break" } else { "continue" };
                    self.error(*span, format!("`{word}` outside of a loop"));
                }
                out.push(if is_break { Stmt::Break } else { Stmt::Continue });
            }
            ast::Stmt::Return(value, span) => self.return_stmt(value.as_ref(), *span, out),
            ast::Stmt::Throw(e, _) => {
                let v = self.expr(e, None);
                let error = self.class_ty(ERROR);
                if !matches!(v.ty, Ty::Error) && !self.fits(&v.ty, &error) {
                    self.error_hint(
                        e.span,
                        format!("cannot throw a value of type {}", v.ty),
                        "throw an instance of `Error` or a subclass",
                    );
                }
                out.push(Stmt::Throw(Box::new(v)));
            }
            ast::Stmt::Try { body, catches, finally, .. } => self.try_stmt(body, catches, finally.as_ref(), out),
            ast::Stmt::Block(b) => self.block(b, out),
            ast::Stmt::Match { scrutinee, arms, span } => self.match_stmt(scrutinee, arms, *span, out),
        }
    }

    fn return_stmt(&mut self, value: Option<&ast::Expr>, span: Span, out: &mut Vec<Stmt>) {
        if self.body.kind == BodyKind::TopLevel {
            self.error_hint(span, "`return` outside of a function", "use `exit(code)` to end the program");
        }
        if let Some(state) = &self.body.init_state {
            let unset = state.unset_fields();
            if !unset.is_empty() {
                self.error_hint(
                    span,
                    format!("`init` returns before `{}` is initialised", unset[0]),
                    "set every field before returning",
                );
            }
        }
        let ret = self.body.ret.clone();
        match value {
            Some(v) => {
                let e = self.expr(v, Some(&ret));
                if ret == Ty::Void {
                    self.error_hint(
                        v.span,
                        "this function has no result",
                        "declare one with `-> Type`, or remove the value",
                    );
                    out.push(Stmt::Return(Some(Box::new(e))));
                } else {
                    let e = self.coerce(e, &ret, v.span);
                    out.push(Stmt::Return(Some(Box::new(e))));
                }
            }
            None => {
                if ret != Ty::Void {
                    self.error(span, format!("missing return value of type {ret}"));
                }
                out.push(Stmt::Return(None));
            }
        }
    }

    fn if_stmt(&mut self, cond: &ast::Cond, then: &ast::Block, els: Option<&ast::Stmt>, out: &mut Vec<Stmt>) {
        let before = self.body.init_state.clone();
        let mut t = Vec::new();
        let mut e = Vec::new();
        let let_binding = match cond {
            ast::Cond::Expr(cond) => {
                let c = self.condition(cond);
                self.body.scopes.push(HashMap::new());
                for name in self.narrowable(cond, true, &then.stmts) {
                    self.narrow(&name, &mut t);
                }
                self.block(then, &mut t);
                self.body.scopes.pop();
                Err(c)
            }
            ast::Cond::Let(name, value) => {
                let opt = self.expr(value, None);
                let inner = match &opt.ty {
                    Ty::Optional(inner) => (**inner).clone(),
                    Ty::Error => Ty::Error,
                    other => {
                        let msg = format!("`if let` needs an optional, found {other}");
                        self.error_hint(value.span, msg, "`if let` unwraps a value of type `T?`");
                        Ty::Error
                    }
                };
                self.body.scopes.push(HashMap::new());
                let var = self.bind_local(name, inner, false);
                self.block(then, &mut t);
                self.body.scopes.pop();
                Ok((var, opt))
            }
        };
        let after_then = std::mem::replace(&mut self.body.init_state, before);
        if let Some(els) = els {
            self.body.scopes.push(HashMap::new());
            if let ast::Cond::Expr(cond) = cond {
                for name in self.narrowable(cond, false, std::slice::from_ref(els)) {
                    self.narrow(&name, &mut e);
                }
            }
            self.stmt(els, &mut e);
            self.body.scopes.pop();
        }
        if let (Some(state), Some(then_state)) = (&mut self.body.init_state, &after_then) {
            let then_exits = always_exits(&then.stmts);
            let else_exits = els.is_some_and(|s| always_exits(std::slice::from_ref(s)));
            match (then_exits, else_exits) {
                (true, _) => {}
                (false, true) => *state = then_state.clone(),
                (false, false) => state.merge(then_state),
            }
        }
        out.push(match let_binding {
            Err(c) => Stmt::If(Box::new(c), t, e),
            Ok((var, opt)) => Stmt::IfLet { var, opt: Box::new(opt), then: t, els: e },
        });
    }

    pub(crate) fn condition(&mut self, e: &ast::Expr) -> Expr {
        let c = self.expr(e, Some(&Ty::Bool));
        if !self.fits(&c.ty, &Ty::Bool) {
            let hint = if matches!(c.ty, Ty::Optional(_)) {
                "test an optional with `x != nil` or `if let`"
            } else {
                "compare explicitly, e.g. `x != 0`"
            };
            self.error_hint(e.span, format!("condition must be Bool, found {}", c.ty), hint);
        }
        c
    }

    fn for_stmt(&mut self, pattern: &ast::ForPattern, iter: &ast::Expr, body: &ast::Block, out: &mut Vec<Stmt>) {
        self.body.scopes.push(HashMap::new());
        self.body.loops += 1;
        let stmt = match (pattern, &iter.kind) {
            (ast::ForPattern::One(name), ast::ExprKind::Range { lo, hi, inclusive }) => {
                let lo_e = self.expr(lo, Some(&Ty::Int));
                let lo_e = self.coerce(lo_e, &Ty::Int, lo.span);
                let hi_e = self.expr(hi, Some(&Ty::Int));
                let hi_e = self.coerce(hi_e, &Ty::Int, hi.span);
                let var = self.bind_local(name, Ty::Int, false);
                let mut b = Vec::new();
                self.block(body, &mut b);
                Some(Stmt::ForRange { var, lo: Box::new(lo_e), hi: Box::new(hi_e), inclusive: *inclusive, body: b })
            }
            (ast::ForPattern::Pair(i, x), ast::ExprKind::Call(callee, args))
                if args.is_empty() && matches!(&callee.kind, ast::ExprKind::Member(_, m) if m.name == "enumerated") =>
            {
                let ast::ExprKind::Member(xs, _) = &callee.kind else { return };
                self.for_enumerated(i, x, xs, body, out)
            }
            (_, _) => {
                let coll = self.expr(iter, None);
                match (pattern, coll.ty.clone()) {
                    (ast::ForPattern::One(name), Ty::Array(elem)) => {
                        let var = self.bind_local(name, *elem, false);
                        let mut b = Vec::new();
                        self.block(body, &mut b);
                        Some(Stmt::ForEach { var, array: Box::new(coll), body: b })
                    }
                    (ast::ForPattern::One(name), Ty::Set(elem)) => {
                        let var = self.bind_local(name, *elem, false);
                        let value = self.new_local("<unused>", Ty::Int);
                        let mut b = Vec::new();
                        self.block(body, &mut b);
                        Some(Stmt::ForMap { key: var, value, map: Box::new(coll), body: b })
                    }
                    (ast::ForPattern::Pair(k, v), Ty::Map(kt, vt)) => {
                        let key = self.bind_local(k, *kt, false);
                        let value = self.bind_local(v, *vt, false);
                        let mut b = Vec::new();
                        self.block(body, &mut b);
                        Some(Stmt::ForMap { key, value, map: Box::new(coll), body: b })
                    }
                    (_, Ty::Error) => None,
                    (ast::ForPattern::One(_), Ty::Map(..)) => {
                        self.error_hint(
                            iter.span,
                            "iterating over a map gives pairs",
                            "write `for (key, value) in map`",
                        );
                        None
                    }
                    (ast::ForPattern::Pair(..), other) => {
                        self.error_hint(
                            iter.span,
                            format!("cannot iterate over {other} in pairs"),
                            "`for (k, v) in m` iterates over a map",
                        );
                        None
                    }
                    (_, other) => {
                        self.error_hint(
                            iter.span,
                            format!("cannot iterate over {other}"),
                            "`for` iterates over a range `a..b`, an array or a map",
                        );
                        None
                    }
                }
            }
        };
        self.body.loops -= 1;
        self.body.scopes.pop();
        out.extend(stmt);
    }

    fn try_stmt(
        &mut self,
        body: &ast::Block,
        catches: &[ast::Catch],
        finally: Option<&ast::Block>,
        out: &mut Vec<Stmt>,
    ) {
        let mut b = Vec::new();
        self.maybe_runs(|c| c.block(body, &mut b));
        let mut hir_catches: Vec<hir::Catch> = Vec::new();
        let mut seen: Vec<(usize, Span)> = Vec::new();
        for catch in catches {
            let ty = self.resolve_type(&catch.ty);
            let class = match ty {
                Ty::Class(id, _) if self.is_subclass(id, ERROR) => Some(id),
                Ty::Error => None,
                other => {
                    self.error_hint(
                        catch.ty.span(),
                        format!("cannot catch {other}"),
                        "catch `Error` or one of its subclasses",
                    );
                    None
                }
            };
            if let Some(id) = class {
                if let Some(&(earlier, espan)) = seen.iter().find(|(e, _)| self.is_subclass(id, *e)) {
                    let (name, ename) = (self.classes[id].name.clone(), self.classes[earlier].name.clone());
                    self.diags.push(
                        Diagnostic::error(
                            catch.ty.span(),
                            format!("unreachable catch: `{name}` is already caught by `{ename}` above"),
                        )
                        .with_note(espan, "caught here")
                        .with_hint("put the more specific catch first"),
                    );
                }
                seen.push((id, catch.ty.span()));
            }
            self.body.scopes.push(HashMap::new());
            let var_ty = class.map_or(Ty::Error, |id| self.class_ty(id));
            let var = self.bind_local(&catch.name, var_ty, false);
            let mut cb = Vec::new();
            self.maybe_runs(|c| c.block(&catch.body, &mut cb));
            self.body.scopes.pop();
            if let Some(class) = class {
                hir_catches.push(hir::Catch { class, var, body: cb });
            }
        }
        let fin = finally.map(|f| {
            let mut fb = Vec::new();
            self.block(f, &mut fb);
            fb
        });
        out.push(Stmt::Try { body: b, catches: hir_catches, finally: fin });
    }

    fn assign(&mut self, target: &ast::Expr, op: Option<BinOp>, value: &ast::Expr, span: Span, out: &mut Vec<Stmt>) {
        if let ast::ExprKind::Member(obj, name) = &target.kind {
            if let Some(global) = self.static_variable(obj, name) {
                return self.assign(&global, op, value, span, out);
            }
        }
        // A generic instance's field of a type that involves its type
        // parameters: its declared type (the value goes in as a word).
        let mut generic_field: Option<Ty> = None;
        let (place, ty) = match &target.kind {
            ast::ExprKind::Name(n) => {
                if let Some(v) = self.find_var(n) {
                    // An assigned name is a use too (references, rename).
                    let (vty, vspan) = (v.ty.clone(), v.span);
                    self.note_value_ref(target.span, vspan, Some(vty.clone()), |_| format!("var {n}: {vty}"));
                    if !v.mutable {
                        self.error_hint(
                            target.span,
                            format!("cannot assign to `{n}`: it is not a `var`"),
                            "declare it with `var` to change it",
                        );
                    }
                    let ty = v.ty.clone();
                    let mut v = v;
                    if op.is_some() && v.cell.is_some() && !matches!(v.access.kind, ExprKind::Local(_)) {
                        // `x op= v` on a captured cell: the cell read once.
                        let held = self.new_local("<cell>", v.access.ty.clone());
                        let ty = v.access.ty.clone();
                        out.push(Stmt::Let(held, Box::new(std::mem::replace(&mut v.access, error_expr()))));
                        v.access = Expr::new(ExprKind::Local(held), ty);
                    }
                    (v.place(), ty)
                } else if let Some(g) = self.global_names.get(n) {
                    let (id, mutable) = (g.id, g.mutable);
                    self.check_private(n, target.span);
                    if !mutable {
                        self.error_hint(
                            target.span,
                            format!("cannot assign to `{n}`: it is a `let` constant"),
                            "declare it with `var` to change it",
                        );
                    }
                    let (gty, gspan) = (self.globals[id].ty.clone(), self.global_names[n].span);
                    self.note_value_ref(target.span, gspan, Some(gty), |c| c.global_hover(id, n));
                    self.note_origin(self.globals[id].origin.clone());
                    (Place::Global(id), self.globals[id].ty.clone())
                } else {
                    self.report_unknown_name(n, target.span);
                    return;
                }
            }
            ast::ExprKind::Index(a, i) => {
                let coll = self.expr(a, None);
                match coll.ty.clone() {
                    Ty::Array(elem) => {
                        let idx = self.expr(i, Some(&Ty::Int));
                        let idx = self.coerce(idx, &Ty::Int, i.span);
                        if op.is_some() {
                            // Evaluate the array and index once: `a[i] op= v`.
                            let ta = self.new_local("<array>", coll.ty.clone());
                            let ti = self.new_local("<index>", Ty::Int);
                            let aty = coll.ty.clone();
                            out.push(Stmt::Let(ta, Box::new(coll)));
                            out.push(Stmt::Let(ti, Box::new(idx)));
                            let place = Place::Index(
                                Box::new(Expr::new(ExprKind::Local(ta), aty)),
                                Box::new(Expr::new(ExprKind::Local(ti), Ty::Int)),
                            );
                            (place, *elem)
                        } else {
                            (Place::Index(Box::new(coll), Box::new(idx)), *elem)
                        }
                    }
                    Ty::Map(kt, vt) => {
                        if op.is_some() {
                            self.error_hint(
                                span,
                                "compound assignment to a map entry",
                                "`m[k]` is an optional: write `m[k] = (m[k] ?? 0) + x`",
                            );
                            return;
                        }
                        let key = self.expr(i, Some(&kt));
                        let key = self.coerce(key, &kt, i.span);
                        (Place::MapEntry(Box::new(coll), Box::new(key)), *vt)
                    }
                    Ty::Str => {
                        self.error_hint(
                            target.span,
                            "strings are immutable",
                            "build a new string with `+` or interpolation",
                        );
                        return;
                    }
                    Ty::Error => return,
                    other => {
                        self.error(a.span, format!("cannot index into {other}"));
                        return;
                    }
                }
            }
            ast::ExprKind::Member(obj, name) if matches!(&obj.kind, ast::ExprKind::Name(m) if self.is_module_name(m)) =>
            {
                let ast::ExprKind::Name(m) = &obj.kind else { return };
                let Some(&g) = self.modules[m].globals.get(&name.name) else {
                    self.error(name.span, format!("module `{m}` has no public variable `{}`", name.name));
                    return;
                };
                self.note_use(self.globals[g].origin.as_ref());
                if !self.global_mutable(g) {
                    self.error_hint(
                        name.span,
                        format!("cannot assign to `{m}.{}`: it is a `let` constant", name.name),
                        "only `var`s of a module can be assigned",
                    );
                }
                (Place::Global(g), self.globals[g].ty.clone())
            }
            ast::ExprKind::Member(obj, name) => match self.field_place(obj, name, op.is_some(), out) {
                Some((place, ty, declared)) => {
                    generic_field = declared;
                    (place, ty)
                }
                None => return,
            },
            _ => {
                self.error_hint(
                    target.span,
                    "cannot assign to this expression",
                    "assign to a variable, an array element, a map entry or a field",
                );
                return;
            }
        };
        if let (Place::Global(g), Some(op)) = (&place, op) {
            if self.globals[*g].shared {
                self.shared_update(*g, ty, op, value, span, out);
                return;
            }
        }
        let rhs = match op {
            None => {
                let v = self.expr(value, Some(&ty));
                self.coerce(v, &ty, value.span)
            }
            Some(op) => {
                let current = read_place(&place, ty.clone());
                let v = self.expr(value, Some(&ty));
                self.binary_typed(op, current, v, span)
            }
        };
        let rhs = match &generic_field {
            Some(declared) => {
                let rhs = self.adapt_fn(rhs, declared, &ty, false, value.span);
                crate::generic_classes::word_if_param(rhs, if ty.is_ref() { &ty } else { declared })
            }
            None => rhs,
        };
        if let Place::Field(ref obj, _) = place {
            if let (ExprKind::Local(0), Some(state), ast::ExprKind::Member(_, name)) =
                (&obj.kind, &mut self.body.init_state, &target.kind)
            {
                if self.body.kind == BodyKind::Init {
                    state.set(&name.name);
                }
            }
        }
        out.push(Stmt::Assign(place, Box::new(rhs)));
    }

    /// `x op= value` on a `shared var`: the operand is evaluated once,
    /// then the update is one atomic read-modify-write (MODULES.md §6).
    fn shared_update(
        &mut self,
        global: hir::GlobalId,
        ty: Ty,
        op: BinOp,
        value: &ast::Expr,
        span: Span,
        out: &mut Vec<Stmt>,
    ) {
        let v = self.expr(value, Some(&ty));
        let operand = self.new_local("<operand>", v.ty.clone());
        let vty = v.ty.clone();
        out.push(Stmt::Let(operand, Box::new(v)));
        let old = self.new_local("<old>", ty.clone());
        let new =
            self.binary_typed(op, Expr::new(ExprKind::Local(old), ty), Expr::new(ExprKind::Local(operand), vty), span);
        out.push(Stmt::SharedUpdate { global, old, new: Box::new(new) });
    }

    /// `obj.name` as an assignment target.
    fn field_place(
        &mut self,
        obj: &ast::Expr,
        name: &ast::Ident,
        compound: bool,
        out: &mut Vec<Stmt>,
    ) -> Option<(Place, Ty, Option<Ty>)> {
        let is_self = matches!(obj.kind, ast::ExprKind::SelfRef);
        let o = if is_self && self.body.kind == BodyKind::Init {
            self.self_expr(obj.span, false)
        } else {
            self.expr(obj, None)
        };
        // An instance of a generic class: its fields whose type does not
        // involve the type parameters are assigned as any class's.
        let (o, generic) = match o.ty.clone() {
            Ty::Generic(c, inst) => (Expr::new(o.kind, self.class_ty(c)), Some(inst)),
            _ => (o, None),
        };
        let Ty::Class(class, cname) = o.ty.clone() else {
            if !matches!(o.ty, Ty::Error) {
                let hint = if matches!(o.ty, Ty::Optional(_)) {
                    "unwrap the optional first"
                } else {
                    "only class instances have fields"
                };
                self.error_hint(name.span, format!("{} has no field `{}`", o.ty, name.name), hint);
            }
            return None;
        };
        let Some(f) = self.find_field(class, &name.name) else {
            self.error(name.span, format!("`{cname}` has no field `{}`", name.name));
            return None;
        };
        let (mutable, owner, index, access, fspan) = (f.mutable, f.owner, f.index, f.access, f.span);
        self.check_access(access, owner, fspan, name.span, &format!("field `{}`", name.name));
        let in_own_init = is_self && self.body.kind == BodyKind::Init && self.body.self_class == Some(owner);
        if !mutable && !in_own_init {
            self.error_hint(
                name.span,
                format!("cannot assign to `{}`: it is a `let` field", name.name),
                "`let` fields are set once, in the class's `init`",
            );
        }
        if is_self && self.body.kind == BodyKind::Init {
            // A field of this class may be assigned before the others are
            // set: one without a default is being initialised, one with a
            // default is already set (LANGUAGE.md, two-phase init).
            // Inherited fields belong to the base's `init`.
            let own = self.body.self_class == Some(owner);
            if compound || !own {
                self.require_initialised(
                    name.span,
                    if compound { "reading `self`" } else { "assigning an inherited field" },
                );
            }
        }
        let field = &self.classes[class].fields[index];
        let (ty, offset) = (field.ty.clone(), field.offset.clone());
        // From outside a generic class, a field of a type parameter is
        // assigned the concrete value, stored as the class stores it.
        let (ty, declared) = match &generic {
            Some(inst) if ty.has_param() => {
                let subst: Vec<Option<Ty>> = inst.args.iter().cloned().map(Some).collect();
                (crate::generics::substitute(&ty, &subst, false), Some(ty))
            }
            _ => (ty, None),
        };
        let obj_expr = if compound {
            let t = self.new_local("<object>", o.ty.clone());
            out.push(Stmt::Let(t, Box::new(o)));
            Expr::new(ExprKind::Local(t), self.class_ty(class))
        } else {
            o
        };
        Some((Place::Field(Box::new(obj_expr), offset), ty, declared))
    }
}

/// The current value of an assignment target (for `x op= v`); index and
/// field targets have already been moved into temporaries.
fn read_place(place: &Place, ty: Ty) -> Expr {
    let local = |e: &Expr| match e.kind {
        ExprKind::Local(l) => Expr::new(ExprKind::Local(l), e.ty.clone()),
        _ => error_expr(),
    };
    match place {
        Place::Local(l) => Expr::new(ExprKind::Local(*l), ty),
        Place::Global(g) => Expr::new(ExprKind::Global(*g), ty),
        Place::Index(a, i) => Expr::new(ExprKind::Index(Box::new(local(a)), Box::new(local(i))), ty),
        Place::Field(o, off) => Expr::new(ExprKind::Field(Box::new(local(o)), off.clone()), ty),
        Place::MapEntry(..) => error_expr(),
    }
}

/// Whether control can never fall off the end of these statements.
pub(crate) fn always_exits(stmts: &[ast::Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        ast::Stmt::Return(..) | ast::Stmt::Throw(..) => true,
        ast::Stmt::If { then, els: Some(els), .. } => {
            always_exits(&then.stmts) && always_exits(std::slice::from_ref(els))
        }
        ast::Stmt::Block(b) => always_exits(&b.stmts),
        ast::Stmt::While { cond, body, .. } => {
            matches!(cond.kind, ast::ExprKind::Bool(true)) && !contains_break(&body.stmts)
        }
        ast::Stmt::Try { body, catches, finally, .. } => {
            finally.as_ref().is_some_and(|f| always_exits(&f.stmts))
                || (always_exits(&body.stmts) && catches.iter().all(|c| always_exits(&c.body.stmts)))
        }
        ast::Stmt::Expr(e) => is_exit_call(e),
        // A match that compiles is exhaustive: some arm runs.
        ast::Stmt::Match { arms, .. } => !arms.is_empty() && arms.iter().all(|a| always_exits(&a.body.stmts)),
        _ => false,
    })
}

fn is_exit_call(e: &ast::Expr) -> bool {
    matches!(&e.kind, ast::ExprKind::Call(callee, _) if matches!(&callee.kind, ast::ExprKind::Name(n) if n == "exit"))
}

fn contains_break(stmts: &[ast::Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        ast::Stmt::Break(_) => true,
        ast::Stmt::If { then, els, .. } => {
            contains_break(&then.stmts) || els.as_ref().is_some_and(|e| contains_break(std::slice::from_ref(e)))
        }
        ast::Stmt::Block(b) => contains_break(&b.stmts),
        ast::Stmt::Match { arms, .. } => arms.iter().any(|a| contains_break(&a.body.stmts)),
        ast::Stmt::Try { body, catches, finally, .. } => {
            contains_break(&body.stmts)
                || catches.iter().any(|c| contains_break(&c.body.stmts))
                || finally.as_ref().is_some_and(|f| contains_break(&f.stmts))
        }
        _ => false,
    })
}
