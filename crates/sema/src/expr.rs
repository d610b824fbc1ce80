//! Expressions: literals, names, calls (functions, methods, constructors,
//! function values), members, operators, optionals, casts and maps.

use crate::body::BodyKind;
use crate::checker::{error_expr, Checker};
use crate::hir::{Arith, Callee, Cmp, Expr, ExprKind, Offset};
use crate::tables::{OBJECT, THREAD};
use crate::ty::{ClassId, Ty};
use tess_abi::layout::type_info;
use tess_abi::RuntimeFn;
use tess_syntax::ast::{self, Access, BinOp, UnOp};
use tess_syntax::Span;

/// The hint of a key type a map cannot have.
pub(crate) const MAP_KEYS: &str = "map keys are Int, String, Bool or a class implementing `Hashable`";

impl Checker<'_> {
    pub(crate) fn expr(&mut self, e: &ast::Expr, expected: Option<&Ty>) -> Expr {
        let typed = self.expr_of_kind(e, expected);
        if let Some(types) = &mut self.expr_types {
            types.push((e.span, typed.ty.clone()));
        }
        typed
    }

    fn expr_of_kind(&mut self, e: &ast::Expr, expected: Option<&Ty>) -> Expr {
        match &e.kind {
            ast::ExprKind::Int(v) => self.int_literal(*v, false, e.span, expected),
            ast::ExprKind::Float(v) => Expr::new(ExprKind::Float(*v), Ty::Float),
            ast::ExprKind::Bool(b) => Expr::new(ExprKind::Bool(*b), Ty::Bool),
            ast::ExprKind::Str(segs) => self.string(segs),
            ast::ExprKind::Name(n) => self.name(n, e.span),
            ast::ExprKind::Nil => match expected {
                Some(t @ Ty::Optional(_)) => Expr::new(ExprKind::Nil, t.clone()),
                _ => Expr::new(ExprKind::Nil, Ty::Nil),
            },
            ast::ExprKind::SelfRef => self.self_expr(e.span, true),
            ast::ExprKind::Super(name) => {
                self.error_hint(
                    name.span,
                    "`super` must be followed by a call",
                    "write `super.method(...)` or `super.init(...)`",
                );
                error_expr()
            }
            ast::ExprKind::Array(items) => self.array_literal(items, e.span, expected),
            ast::ExprKind::Map(pairs) => self.map_literal(pairs, e.span, expected),
            ast::ExprKind::Call(callee, args) => self.call(callee, args, e.span, expected),
            ast::ExprKind::Index(a, i) => self.index(a, i, e.span),
            ast::ExprKind::Member(obj, name) => self.member(obj, name),
            ast::ExprKind::OptMember(obj, name) => self.opt_chain(obj, |c, recv| c.member_of(recv, name, false)),
            ast::ExprKind::Unwrap(inner) => {
                let v = self.expr(inner, expected.map(|t| Ty::Optional(Box::new(t.clone()))).as_ref());
                match v.ty.clone() {
                    Ty::Optional(t) => Expr::new(ExprKind::Unwrap(Box::new(v)), *t),
                    Ty::Error => error_expr(),
                    _ if self.is_narrowed(inner) => v,
                    other => {
                        self.error_hint(
                            e.span,
                            format!("`!` needs an optional, found {other}"),
                            "only values of type `T?` can be unwrapped",
                        );
                        error_expr()
                    }
                }
            }
            ast::ExprKind::Unary(op, inner) => self.unary(*op, inner, e.span, expected),
            ast::ExprKind::Binary(op, l, r) => self.binary(*op, l, r, e.span, expected),
            ast::ExprKind::Range { .. } => {
                self.error_hint(e.span, "a range is only allowed in a `for` loop", "write `for i in a..b { ... }`");
                error_expr()
            }
            ast::ExprKind::Is(v, t) => self.cast(v, t, e.span, CastKind::Is),
            ast::ExprKind::As(v, t) => self.cast(v, t, e.span, CastKind::As),
            ast::ExprKind::AsOpt(v, t) => self.cast(v, t, e.span, CastKind::AsOpt),
            ast::ExprKind::Closure(c) => self.closure(c, e.span, expected),
            ast::ExprKind::Apply(..) => {
                self.error_hint(
                    e.span,
                    "type arguments go with a generic class being constructed",
                    "write `Pair[String, Int](a, b)`",
                );
                error_expr()
            }
            ast::ExprKind::Error => error_expr(),
        }
    }

    // ---- self, access and initialisation ----

    /// `self`; in an `init` before phase 2, using it as a value is an error
    /// (when `complete` is asked for).
    pub(crate) fn self_expr(&mut self, span: Span, complete: bool) -> Expr {
        if self.body.kind == BodyKind::Closure || self.body.self_iface.is_some() {
            if let Some(v) = self.find_var("self") {
                return v.value();
            }
        }
        let Some(class) = self.body.self_class.filter(|_| matches!(self.body.kind, BodyKind::Method | BodyKind::Init))
        else {
            self.error_hint(
                span,
                "`self` is only available in methods and `init`",
                "declare this code as a method of a class",
            );
            return error_expr();
        };
        if complete {
            self.require_initialised(span, "using `self`");
        }
        Expr::new(ExprKind::Local(0), self.class_ty(class))
    }

    /// In an `init`: `what` needs every field set and the base initialised.
    pub(crate) fn require_initialised(&mut self, span: Span, what: &str) {
        let Some(state) = &self.body.init_state else { return };
        if self.body.kind != BodyKind::Init || state.complete() {
            return;
        }
        let unset = state.unset_fields();
        let (msg, hint) = if let Some(f) = unset.first() {
            (
                format!("{what} before `self.{f}` is initialised"),
                "an `init` first sets every field of its class, then calls `super.init(...)`, then may use `self`"
                    .to_string(),
            )
        } else {
            (format!("{what} before `super.init(...)` is called"), "call `super.init(...)` first".to_string())
        };
        self.error_hint(span, msg, hint);
    }

    /// Reports a use of a member from where its access level hides it.
    pub(crate) fn check_access(&mut self, access: Access, owner: ClassId, decl: Span, span: Span, what: &str) {
        self.check_access_from(self.body.self_class, access, owner, decl, span, what);
    }

    /// Whether code in class `within` (or outside classes) at `span` may
    /// use a member of `owner` with `access`, declared at `decl`; reports
    /// the rule when not. Members of classes of other modules are visible
    /// when public, and when protected from subclasses (LANGUAGE.md §3).
    pub(crate) fn check_access_from(
        &mut self,
        within: Option<ClassId>,
        access: Access,
        owner: ClassId,
        decl: Span,
        span: Span,
        what: &str,
    ) -> bool {
        let owner_name = self.classes[owner].name.clone();
        let module = self.classes[owner].imported_from.clone();
        let (message, hint) = match (access, module) {
            (Access::Private, Some(m)) => (
                format!("{what} of `{owner_name}` is private to its file in module `{m}`"),
                "private members are visible only in the file that declares them".to_string(),
            ),
            (Access::Internal, Some(m)) => (
                format!("{what} of `{owner_name}` is internal to module `{m}`"),
                format!("declare it `public` (or `protected`, for subclasses) in `{m}` to use it from other modules"),
            ),
            (Access::Private, None) if decl.file != span.file => (
                format!("{what} of `{owner_name}` is private"),
                "private members are visible only in the file that declares them".to_string(),
            ),
            (Access::Protected, _) if !within.is_some_and(|c| self.is_subclass(c, owner)) => (
                format!("{what} of `{owner_name}` is protected"),
                format!("protected members are visible only in `{owner_name}` and its subclasses"),
            ),
            _ => return true,
        };
        self.error_hint(span, message, hint);
        false
    }

    /// Reports a call of `class`'s `init` (constructing it, or `super.init`)
    /// from where its access level hides it.
    pub(crate) fn check_init_access(&mut self, class: ClassId, span: Span) {
        let (access, decl) = (self.class_info[class].init_access, self.class_info[class].span);
        if let Some(Callee::Func(f)) = &self.classes[class].init {
            self.note_use(self.funcs[*f].origin.as_ref());
        }
        self.check_access(access, class, decl, span, "`init`");
    }

    // ---- literals and names ----

    pub(crate) fn int_literal(&mut self, v: u64, negated: bool, span: Span, expected: Option<&Ty>) -> Expr {
        let value = if negated { (v as i128).wrapping_neg() } else { v as i128 };
        let want32 =
            matches!(expected, Some(Ty::Int32)) || matches!(expected, Some(Ty::Optional(t)) if **t == Ty::Int32);
        if want32 {
            if let Ok(x) = i32::try_from(value) {
                return Expr::new(ExprKind::Int(x as i64), Ty::Int32);
            }
        }
        match i64::try_from(value) {
            Ok(x) => Expr::new(ExprKind::Int(x), Ty::Int),
            Err(_) => {
                self.error_hint(
                    span,
                    "integer literal is out of range for Int",
                    "Int holds -9223372036854775808 to 9223372036854775807",
                );
                error_expr()
            }
        }
    }

    fn string(&mut self, segs: &[ast::StrSeg]) -> Expr {
        if let [ast::StrSeg::Text(t)] = segs {
            return Expr::new(ExprKind::Str(t.clone()), Ty::Str);
        }
        let mut parts = Vec::new();
        for seg in segs {
            match seg {
                ast::StrSeg::Text(t) => parts.push(Expr::new(ExprKind::Str(t.clone()), Ty::Str)),
                ast::StrSeg::Expr(e) => {
                    let v = self.expr(e, None);
                    parts.push(self.stringify(v, e.span));
                }
            }
        }
        Expr::new(ExprKind::Interp(parts), Ty::Str)
    }

    /// A printable value as a String (errors for the rest).
    pub(crate) fn stringify(&mut self, v: Expr, span: Span) -> Expr {
        if v.ty == Ty::Str {
            return v;
        }
        if v.ty == Ty::CString {
            return Expr::new(ExprKind::Rt { func: RuntimeFn::StrFromCString, args: vec![v] }, Ty::Str);
        }
        if matches!(&v.ty, Ty::Optional(inner) if inner.is_printable()) {
            return self.optional_to_string(v, span);
        }
        if v.ty == Ty::Any {
            return Expr::new(ExprKind::Rt { func: RuntimeFn::AnyToString, args: vec![v] }, Ty::Str);
        }
        let shape = match &v.ty {
            Ty::Array(e) => crate::array_fns::print_shape(&[e]).map(|s| (RuntimeFn::ArrToString, s)),
            Ty::Set(e) => crate::array_fns::print_shape(&[e]).map(|s| (RuntimeFn::SetToString, s)),
            Ty::Map(k, val) => crate::array_fns::print_shape(&[k, val]).map(|s| (RuntimeFn::MapToString, s)),
            _ => None,
        };
        if let Some((func, shape)) = shape {
            return Expr::new(ExprKind::Rt { func, args: vec![v, shape] }, Ty::Str);
        }
        if !v.ty.is_printable() {
            let hint = if matches!(v.ty, Ty::Optional(_)) {
                "unwrap the optional first, e.g. `x ?? 0` or `x!`"
            } else {
                "print Int, Int32, Float, Bool, String, objects or arrays of them"
            };
            let msg = format!("a value of type {} cannot be printed", v.ty);
            self.error_hint(span, msg, hint);
            return error_expr();
        }
        if let Ty::Class(..) | Ty::Interface(..) | Ty::Generic(..) = v.ty {
            return Expr::new(
                ExprKind::CallVirtual { slot: Offset::Fixed(type_info::vtable_slot(0) as u32), args: Box::new([v]) },
                Ty::Str,
            );
        }
        Expr::new(ExprKind::ToStr(Box::new(v)), Ty::Str)
    }

    pub(crate) fn name(&mut self, n: &str, span: Span) -> Expr {
        if let Some(v) = self.find_var(n) {
            let ty = v.ty.clone();
            let kw = if v.mutable { "var" } else { "let" };
            self.note_value_ref(span, v.span, Some(ty.clone()), |_| format!("{kw} {n}: {ty}"));
            return v.value();
        }
        if let Some(g) = self.global_names.get(n) {
            let (id, gspan) = (g.id, g.span);
            let e = Expr::new(ExprKind::Global(id), self.globals[id].ty.clone());
            self.check_private(n, span);
            let ty = self.globals[id].ty.clone();
            self.note_value_ref(span, gspan, Some(ty), |c| c.global_hover(id, n));
            self.note_origin(self.globals[id].origin.clone());
            return e;
        }
        if let Some(&(id, fspan)) = self.fn_names.get(n) {
            if self.generics.contains_key(&id) {
                self.error_hint(
                    span,
                    format!("`{n}` is generic: it cannot be used as a value"),
                    format!("wrap a call in a closure, e.g. `{{ x -> {n}(x) }}`"),
                );
                return error_expr();
            }
            self.check_private(n, span);
            self.note_ref(span, fspan, |c| c.fn_hover(id));
            self.note_origin(self.funcs[id].origin.clone());
            let sig = &self.sigs[id];
            return Expr::new(ExprKind::FnRef(id), Ty::Fn(Box::new(sig.params.clone()), Box::new(sig.ret.clone())));
        }
        if self.body.kind == BodyKind::TopLevel && self.all_globals.contains(n) {
            self.error_hint(
                span,
                format!("`{n}` is used before its declaration"),
                "top-level statements run in order: move the declaration up",
            );
            return error_expr();
        }
        if crate::builtins::is_builtin_fn(n) || self.class_names.contains_key(n) {
            self.error_hint(
                span,
                format!("`{n}` cannot be used as a value"),
                "call it, or wrap it in a function of your own",
            );
            return error_expr();
        }
        if !self.missing_modules.contains(n) {
            self.report_unknown_name(n, span);
        }
        error_expr()
    }

    fn array_literal(&mut self, items: &[ast::Expr], span: Span, expected: Option<&Ty>) -> Expr {
        if let Some(Ty::Set(elem)) = expected {
            return self.new_set(elem, items);
        }
        let expected_elem = match expected {
            Some(Ty::Array(t)) => Some((**t).clone()),
            Some(Ty::Optional(t)) => match &**t {
                Ty::Array(e) => Some((**e).clone()),
                _ => None,
            },
            _ => None,
        };
        if items.is_empty() {
            return match expected_elem {
                Some(t) => Expr::new(ExprKind::ArrayLit(Vec::new()), Ty::Array(Box::new(t))),
                // The declared type was wrong: already reported.
                None if expected == Some(&Ty::Error) => error_expr(),
                None => {
                    self.error_hint(
                        span,
                        "the type of an empty array is unknown",
                        "declare it, e.g. `var xs: [Int] = []`",
                    );
                    error_expr()
                }
            };
        }
        let mut out = Vec::new();
        let mut elem = expected_elem;
        for item in items {
            let e = self.element(item, &mut elem);
            out.push(e);
        }
        let elem = elem.unwrap_or(Ty::Error);
        Expr::new(ExprKind::ArrayLit(out), Ty::Array(Box::new(elem)))
    }

    /// One element of an array or map literal: of the type already fixed
    /// (by the context or an earlier element), or fixing it.
    fn element(&mut self, e: &ast::Expr, ty: &mut Option<Ty>) -> Expr {
        let value = self.expr(e, ty.as_ref());
        match ty {
            Some(t) => {
                let t = t.clone();
                self.coerce(value, &t, e.span)
            }
            None => {
                *ty = Some(value.ty.clone());
                value
            }
        }
    }

    fn map_literal(&mut self, pairs: &[(ast::Expr, ast::Expr)], span: Span, expected: Option<&Ty>) -> Expr {
        let (mut kt, mut vt) = match expected {
            Some(Ty::Map(k, v)) => (Some((**k).clone()), Some((**v).clone())),
            _ => (None, None),
        };
        if pairs.is_empty() && kt.is_none() {
            self.error_hint(
                span,
                "the type of an empty map is unknown",
                "declare it, e.g. `var m: Map[String, Int] = [:]`",
            );
            return error_expr();
        }
        let mut out = Vec::new();
        for (k, v) in pairs {
            let key_fixed = kt.is_some();
            let ke = self.element(k, &mut kt);
            if !key_fixed && !self.is_map_key(&ke.ty) && ke.ty != Ty::Error {
                self.error_hint(k.span, format!("{} cannot be a map key", ke.ty), MAP_KEYS);
            }
            let ve = self.element(v, &mut vt);
            out.push((ke, ve));
        }
        let ty = Ty::Map(Box::new(kt.unwrap_or(Ty::Error)), Box::new(vt.unwrap_or(Ty::Error)));
        Expr::new(ExprKind::MapLit(out), ty)
    }

    fn index(&mut self, a: &ast::Expr, i: &ast::Expr, span: Span) -> Expr {
        let coll = self.expr(a, None);
        match coll.ty.clone() {
            Ty::Array(elem) => {
                let idx = self.expr(i, Some(&Ty::Int));
                let idx = self.coerce(idx, &Ty::Int, i.span);
                Expr::new(ExprKind::Index(Box::new(coll), Box::new(idx)), *elem)
            }
            Ty::Map(kt, vt) => {
                let key = self.expr(i, Some(&kt));
                let key = self.coerce(key, &kt, i.span);
                Expr::new(ExprKind::MapGet(Box::new(coll), Box::new(key)), Ty::Optional(vt))
            }
            Ty::Error => error_expr(),
            Ty::Str => {
                self.error_hint(span, "strings cannot be indexed", "use `s.byteAt(i)` or `s.substring(from, to)`");
                error_expr()
            }
            other => {
                let hint = if matches!(other, Ty::Optional(_)) {
                    "unwrap the optional first"
                } else {
                    "arrays and maps can be indexed"
                };
                self.error_hint(a.span, format!("cannot index into {other}"), hint);
                error_expr()
            }
        }
    }

    // ---- members and calls ----

    fn member(&mut self, obj: &ast::Expr, name: &ast::Ident) -> Expr {
        if let ast::ExprKind::Name(m) = &obj.kind {
            if m == "CPointer" && !self.is_local_name(m) {
                return crate::builtins::cpointer_constant(self, name);
            }
            if self.is_module_name(m) {
                return self.imported_member(m, name).unwrap_or_else(error_expr);
            }
        }
        if let Some(e) = self.static_value(obj, name) {
            return e;
        }
        if let Some(class) = self.enum_named(obj) {
            self.check_enum_exported(obj);
            return self.enum_value(class, name, None, name.span);
        }
        let is_self = matches!(obj.kind, ast::ExprKind::SelfRef);
        let o = if is_self { self.self_expr(obj.span, false) } else { self.expr(obj, None) };
        self.member_of(o, name, is_self)
    }

    /// `o.name` of a value already checked: a field, or a built-in
    /// property.
    pub(crate) fn member_of(&mut self, o: Expr, name: &ast::Ident, is_self: bool) -> Expr {
        if let Ty::Generic(class, inst) = o.ty.clone() {
            return self.generic_member(o, class, &inst, name);
        }
        let Ty::Class(class, cname) = o.ty.clone() else {
            return crate::builtins::property(self, o, name);
        };
        if let Some(f) = self.find_field(class, &name.name) {
            let (owner, index, access, fspan) = (f.owner, f.index, f.access, f.span);
            let origin = f.origin.clone();
            let fty = self.classes[class].fields[index].ty.clone();
            self.note_value_ref(name.span, fspan, Some(fty), |c| {
                let f = &c.classes[class].fields[index];
                let kw = if f.mutable { "var" } else { "let" };
                let access = crate::checker::access_word(f.access);
                format!("{access}{kw} {}.{}: {}", c.classes[owner].name, f.name, f.ty)
            });
            self.note_origin(origin);
            self.check_access(access, owner, fspan, name.span, &format!("field `{}`", name.name));
            if is_self && self.body.kind == BodyKind::Init {
                let own = self.body.self_class == Some(owner)
                    && self.body.init_state.as_ref().is_some_and(|s| s.is_tracked(&name.name));
                if own {
                    if self.body.init_state.as_ref().is_some_and(|s| s.is_unset(&name.name)) {
                        self.error_hint(
                            name.span,
                            format!("`self.{}` is read before it is initialised", name.name),
                            "assign the field first",
                        );
                    }
                } else {
                    self.require_initialised(name.span, &format!("reading `self.{}`", name.name));
                }
            }
            let field = &self.classes[class].fields[index];
            let (ty, offset) = (field.ty.clone(), field.offset.clone());
            return Expr::new(ExprKind::Field(Box::new(o), offset), ty);
        }
        if name.name == "stackTrace" && self.is_subclass(class, crate::tables::ERROR) {
            // Where it was thrown, formatted by the runtime when read.
            return Expr::new(
                ExprKind::CallDirect(Callee::Runtime(RuntimeFn::ErrorStackTrace), Box::new([o])),
                Ty::Str,
            );
        }
        let hint = if self.find_method(class, &name.name).is_some() {
            "methods are called: add `(...)`".to_string()
        } else {
            match self.member_suggestion(class, &name.name) {
                Some(m) => format!("did you mean `{m}`?"),
                None => "check the name".to_string(),
            }
        };
        self.error_hint(name.span, format!("`{cname}` has no field `{}`", name.name), hint);
        error_expr()
    }

    fn call(&mut self, callee: &ast::Expr, args: &[ast::Expr], span: Span, expected: Option<&Ty>) -> Expr {
        if let ast::ExprKind::Member(obj, name) = &callee.kind {
            // `C.f(...)`: a static function or nested class; `E.c(...)`: a case.
            if let Some(callee) = self.static_callee(obj, name) {
                return self.call(&callee, args, span, expected);
            }
            if let Some(class) = self.enum_named(obj) {
                self.check_enum_exported(obj);
                return self.enum_value(class, name, Some(args), span);
            }
        }
        match &callee.kind {
            ast::ExprKind::Name(n) if !self.is_local_name(n) && !self.global_names.contains_key(n) => {
                if let Some(&(id, fspan)) = self.fn_names.get(n) {
                    self.check_private(n, callee.span);
                    self.note_ref(callee.span, fspan, |c| c.fn_hover(id));
                    self.note_origin(self.funcs[id].origin.clone());
                    if self.funcs[id].throws_c && !self.funcs[id].external {
                        self.error_hint(
                            callee.span,
                            format!("`{n}` is an `extern fn ... throws`: it is called from C"),
                            "move its body into a Tessera function and call that",
                        );
                    }
                    if self.generics.contains_key(&id) {
                        return self.generic_call(id, None, args, span, &format!("`{n}`"));
                    }
                    let params = self.sigs[id].params.clone();
                    let ret = self.sigs[id].ret.clone();
                    let written = args;
                    let args = self.args(args, &params, span, &format!("`{}`", n.replace("::", ".")));
                    let args = self.c_boundary_args(id, args, written);
                    return Expr::new(ExprKind::Call(id, args), ret);
                }
                if let Some(&class) = self.class_names.get(n) {
                    self.check_private(n, callee.span);
                    self.note_ref(callee.span, self.class_info[class].span, |c| c.class_hover(class));
                    self.note_origin(self.classes[class].origin.clone());
                    if self.is_generic_class(class) {
                        return self.construct_generic(class, None, args, span, expected);
                    }
                    return self.construct(class, args, span);
                }
                if crate::builtins::is_builtin_fn(n) {
                    return crate::builtins::call_fn(self, n, args, span, expected);
                }
            }
            ast::ExprKind::Member(obj, name) if matches!(&obj.kind, ast::ExprKind::Name(m) if self.is_module_name(m)) =>
            {
                let ast::ExprKind::Name(m) = &obj.kind else { return error_expr() };
                self.check_exported(m, name);
                if let Some(&class) = self.modules[m].classes.get(&name.name) {
                    self.note_ref(name.span, name.span, |c| c.class_hover(class));
                    self.note_origin(self.classes[class].origin.clone());
                    if self.is_generic_class(class) {
                        return self.construct_generic(class, None, args, span, expected);
                    }
                    return self.construct(class, args, span);
                }
                if let Some(&id) = self.modules[m].funcs.get(&name.name) {
                    self.note_use(self.funcs[id].origin.as_ref());
                    self.note_ref(name.span, name.span, |c| c.fn_hover(id));
                    self.note_origin(self.funcs[id].origin.clone());
                    if self.generics.contains_key(&id) {
                        return self.generic_call(id, None, args, span, &format!("`{m}.{}`", name.name));
                    }
                    let params = self.sigs[id].params.clone();
                    let ret = self.sigs[id].ret.clone();
                    let written = args;
                    let args = self.args(args, &params, span, &format!("`{m}.{}`", name.name));
                    let args = self.c_boundary_args(id, args, written);
                    return Expr::new(ExprKind::Call(id, args), ret);
                }
            }
            ast::ExprKind::Member(obj, name) => {
                let is_self = matches!(obj.kind, ast::ExprKind::SelfRef);
                let o = if is_self { self.self_expr(obj.span, false) } else { self.expr(obj, None) };
                if let Ty::Interface(iface, inst) = o.ty.clone() {
                    return self.interface_call(o, iface, &inst.args, name, args, span);
                }
                if let Ty::Param(k, _) = &o.ty {
                    return self.bound_call(o.clone(), *k, name, args, span);
                }
                if let Ty::Generic(class, inst) = o.ty.clone() {
                    // A field of a function type is called as a value.
                    if self.find_field(class, &name.name).is_none() || self.find_method(class, &name.name).is_some() {
                        return self.generic_method_call(o, class, &inst, name, args, span);
                    }
                }
                if let Ty::Class(class, _) = o.ty {
                    // Fields and methods are separate namespaces: a call
                    // is of the method when there is one.
                    if self.find_field(class, &name.name).is_none() || self.find_method(class, &name.name).is_some() {
                        if is_self {
                            self.require_initialised(obj.span, &format!("calling `self.{}`", name.name));
                        }
                        return self.method_call(o, class, name, args, span);
                    }
                } else if !matches!(o.ty, Ty::Generic(..)) {
                    return crate::builtins::call_method(self, o, name, args, span);
                }
            }
            ast::ExprKind::Super(name) => return self.super_call(name, args, span),
            // `Stack[Int](...)`: a generic class with its type arguments.
            ast::ExprKind::Index(base, _) | ast::ExprKind::Apply(base, _) => {
                if let Some((id, what)) = self.generic_fn_named(base) {
                    let written = crate::generic_classes::type_args_of(callee).unwrap_or_default();
                    let given = written.iter().map(|t| self.resolve_type(t)).collect();
                    return self.generic_call(id, Some(given), args, span, &what);
                }
                if let Some(t) = crate::generic_classes::as_type(callee) {
                    match self.resolve_type_quiet(&t, base) {
                        Ty::Generic(class, inst) => {
                            return self.construct_generic(class, Some(inst.args.clone()), args, span, expected)
                        }
                        Ty::Set(elem) if args.is_empty() => return self.new_set(&elem, &[]),
                        Ty::Set(_) => {
                            self.error_hint(span, "`Set[T]()` takes no arguments", "write `let s: Set[Int] = [1, 2]`");
                            return error_expr();
                        }
                        Ty::Error if self.names_generic_class(base) => return error_expr(),
                        _ => {}
                    }
                }
            }
            ast::ExprKind::OptMember(obj, name) => {
                return self.opt_chain(obj, |c, recv| match recv.ty {
                    Ty::Interface(iface, ref inst) => {
                        let type_args = inst.args.clone();
                        c.interface_call(recv, iface, &type_args, name, args, span)
                    }
                    Ty::Class(class, _) if c.find_field(class, &name.name).is_none() => {
                        c.method_call(recv, class, name, args, span)
                    }
                    Ty::Class(..) => {
                        c.error_hint(
                            name.span,
                            format!("`?.{}` calls a field's function", name.name),
                            "unwrap first: `if let o = x { o.f(...) }`",
                        );
                        error_expr()
                    }
                    _ => crate::builtins::call_method(c, recv, name, args, span),
                })
            }
            _ => {}
        }
        let f = self.expr(callee, None);
        match f.ty.clone() {
            Ty::Fn(params, ret) => {
                let args = self.args(args, &params, span, "this function value");
                Expr::new(ExprKind::CallIndirect(Box::new(f), args), *ret)
            }
            Ty::Error => error_expr(),
            other => {
                let hint = if matches!(other, Ty::Optional(_)) {
                    "unwrap the optional function first"
                } else {
                    "only functions can be called"
                };
                self.error_hint(callee.span, format!("cannot call a value of type {other}"), hint);
                error_expr()
            }
        }
    }

    /// `C(args)`: allocate and initialise.
    fn construct(&mut self, class: ClassId, args: &[ast::Expr], span: Span) -> Expr {
        self.note_class(class);
        let name = self.classes[class].name.clone();
        if class == THREAD {
            self.error_hint(span, "`Thread` cannot be constructed", "start a thread with `spawn(f)`");
            return error_expr();
        }
        if self.classes[class].builtin && name == "Library" {
            self.error_hint(span, "`Library` cannot be constructed", "load one with `loadLibrary(path)`");
            return error_expr();
        }
        let Some(params) = self.class_info[class].init_params.clone() else {
            self.report_hidden_init(class, span);
            return error_expr();
        };
        if class == OBJECT {
            self.error(span, "`Object` cannot be constructed");
            return error_expr();
        }
        if let Some(base) =
            self.classes[class].base.filter(|&b| self.enum_of(b).is_some()).or(self.enum_of(class).map(|_| class))
        {
            let enum_name = self.classes[base].name.clone();
            let hint = match self.enum_of(base).and_then(|i| i.cases.first()) {
                Some(case) => format!("write a case, e.g. `{enum_name}.{}`", case.name),
                None => "this enum has no cases, so it has no values".to_string(),
            };
            self.error_hint(span, format!("`{enum_name}` is an enum: its values are its cases"), hint);
            return error_expr();
        }
        self.check_init_access(class, span);
        let args = self.args(args, &params, span, &format!("`{name}(...)`"));
        Expr::new(ExprKind::New { class, args, descs: Vec::new() }, self.class_ty(class))
    }

    fn method_call(&mut self, recv: Expr, class: ClassId, name: &ast::Ident, args: &[ast::Expr], span: Span) -> Expr {
        let cname = self.classes[class].name.clone();
        if self.find_method(class, &name.name).is_none() {
            // A default body of an interface the class implements.
            if let Some(i) = self.interface_with_default(class, &name.name) {
                let iface_args = self.declared_iface_args(class, i);
                let as_iface = Expr::new(recv.kind, self.iface_instance(i, iface_args.clone()));
                return self.interface_call(as_iface, i, &iface_args, name, args, span);
            }
        }
        let Some(m) = self.find_method(class, &name.name) else {
            let imported = self.ancestors(class).find_map(|c| self.classes[c].imported_from.clone());
            let (message, hint) = match imported {
                Some(module) => (
                    format!("`{cname}` has no public method `{}`", name.name),
                    format!(
                        "check the name; the internal and private methods of module `{module}` are visible only in it"
                    ),
                ),
                None => (
                    format!("`{cname}` has no method `{}`", name.name),
                    match self.member_suggestion(class, &name.name) {
                        Some(m) => format!("did you mean `{m}`?"),
                        None => "check the name".to_string(),
                    },
                ),
            };
            self.error_hint(name.span, message, hint);
            for a in args {
                self.expr(a, None);
            }
            return error_expr();
        };
        self.note_ref(name.span, m.span, |c| {
            let ps: Vec<String> = m.sig.params.iter().map(|p| p.to_string()).collect();
            let access = crate::checker::access_word(m.access);
            format!("{access}fn {}.{}({}) -> {}", c.classes[m.owner].name, name.name, ps.join(", "), m.sig.ret)
        });
        if let Callee::Func(f) = m.callee {
            self.note_origin(self.funcs[f].origin.clone());
        }
        self.check_access(m.access, m.owner, m.span, name.span, &format!("method `{}`", name.name));
        let mut all = vec![recv];
        all.extend(self.args(args, &m.sig.params, span, &format!("`{}`", name.name)));
        let ret = m.sig.ret.clone();
        match (m.slot, m.is_final) {
            (Some(slot), false) => match self.devirtualized(class, &slot) {
                Some(callee) => Expr::new(ExprKind::CallDirect(callee, all.into()), ret),
                None => Expr::new(ExprKind::CallVirtual { slot, args: all.into() }, ret),
            },
            _ => Expr::new(ExprKind::CallDirect(m.callee, all.into()), ret),
        }
    }

    fn super_call(&mut self, name: &ast::Ident, args: &[ast::Expr], span: Span) -> Expr {
        let Some(class) = self.body.self_class.filter(|_| matches!(self.body.kind, BodyKind::Method | BodyKind::Init))
        else {
            self.error(span, "`super` is only available in methods and `init`");
            return error_expr();
        };
        let base = self.classes[class].base.unwrap_or(OBJECT);
        let this = Expr::new(ExprKind::Local(0), self.class_ty(class));
        if name.name == "init" {
            if self.body.kind != BodyKind::Init {
                self.error(span, "`super.init(...)` can only be called from `init`");
                return error_expr();
            }
            if let Some(state) = &self.body.init_state {
                if let Some(f) = state.unset_fields().first() {
                    let msg = format!("`super.init` is called before `self.{f}` is initialised");
                    self.error_hint(span, msg, "set every field of this class first (two-phase initialisation)");
                } else if state.super_called {
                    self.error(span, "`super.init` is called twice");
                }
            }
            if self.report_hidden_init(base, span) {
                return error_expr();
            }
            self.check_init_access(base, span);
            let params = self.class_info[base].init_params.clone().unwrap_or_default();
            let mut all = vec![this];
            all.extend(self.args(args, &params, span, "`super.init`"));
            if let Some(state) = &mut self.body.init_state {
                state.super_called = true;
            }
            return match self.classes[base].init.clone() {
                Some(init) => Expr::new(ExprKind::CallDirect(init, all.into()), Ty::Void),
                None => Expr::new(ExprKind::Int(0), Ty::Void),
            };
        }
        self.require_initialised(span, "calling a `super` method");
        let Some(m) = self.find_method(base, &name.name) else {
            let bname = self.classes[base].name.clone();
            self.error(name.span, format!("`{bname}` has no method `{}`", name.name));
            return error_expr();
        };
        let mut all = vec![this];
        all.extend(self.args(args, &m.sig.params, span, &format!("`super.{}`", name.name)));
        Expr::new(ExprKind::CallDirect(m.callee, all.into()), m.sig.ret)
    }

    /// Checks call arguments against parameter types.
    pub(crate) fn args(&mut self, args: &[ast::Expr], params: &[Ty], span: Span, what: &str) -> Vec<Expr> {
        if args.len() != params.len() {
            self.error(span, format!("{what} takes {} argument(s), but {} were given", params.len(), args.len()));
        }
        args.iter()
            .enumerate()
            .map(|(i, a)| {
                let p = params.get(i).cloned();
                let e = self.expr(a, p.as_ref());
                match p {
                    Some(p) => self.coerce(e, &p, a.span),
                    None => e,
                }
            })
            .collect()
    }

    // ---- casts ----

    fn cast(&mut self, v: &ast::Expr, t: &ast::TypeExpr, span: Span, kind: CastKind) -> Expr {
        let value = self.expr(v, None);
        let target = self.resolve_type(t);
        if value.ty == Ty::Any && !matches!(target, Ty::Interface(..)) {
            return self.any_cast(value, target, kind, span);
        }
        let from = match strip_optional(&value.ty) {
            Ty::Any => Ty::Class(OBJECT, std::rc::Rc::new("Object".to_string())),
            Ty::Interface(..) => Ty::Class(OBJECT, std::rc::Rc::new("Object".to_string())),
            other => other.clone(),
        };
        if let (Ty::Interface(iface, _), Ty::Class(..)) = (&target, &from) {
            return self.interface_cast(value, *iface, kind, span);
        }
        let (Ty::Class(class, _), Ty::Class(from, _)) = (&target, &from) else {
            if !matches!(target, Ty::Error) && !matches!(value.ty, Ty::Error) {
                self.error_hint(
                    span,
                    format!("cannot test or cast {} to {target}", value.ty),
                    "`is`, `as` and `as?` work between classes; unwrap optionals first",
                );
            }
            return error_expr();
        };
        let (class, from) = (*class, *from);
        if !self.is_subclass(class, from) && !self.is_subclass(from, class) {
            let msg = format!("`{}` and `{}` are unrelated classes", self.classes[from].name, self.classes[class].name);
            self.error_hint(span, msg, "the test can never succeed");
        }
        if matches!(value.ty, Ty::Optional(_)) {
            return self.optional_cast(value, class, target, kind);
        }
        match kind {
            CastKind::Is => Expr::new(ExprKind::InstanceOf(Box::new(value), class), Ty::Bool),
            CastKind::As => Expr::new(ExprKind::Cast { value: Box::new(value), class, optional: false }, target),
            CastKind::AsOpt => Expr::new(
                ExprKind::Cast { value: Box::new(value), class, optional: true },
                Ty::Optional(Box::new(target)),
            ),
        }
    }

    // ---- operators ----

    fn unary(&mut self, op: UnOp, inner: &ast::Expr, span: Span, expected: Option<&Ty>) -> Expr {
        if let (UnOp::Neg, ast::ExprKind::Int(v)) = (op, &inner.kind) {
            return self.int_literal(*v, true, span, expected);
        }
        let v = self.expr(inner, expected);
        let ty = v.ty.clone();
        let ok = match op {
            UnOp::Neg => ty.is_numeric(),
            UnOp::Not => ty == Ty::Bool,
            UnOp::BitNot => ty.is_integer(),
        };
        if !ok && ty != Ty::Error {
            let (sym, want) = match op {
                UnOp::Neg => ("-", "a number"),
                UnOp::Not => ("!", "a Bool"),
                UnOp::BitNot => ("~", "an Int"),
            };
            self.error(span, format!("`{sym}` needs {want}, found {ty}"));
            return error_expr();
        }
        let kind = match op {
            UnOp::Neg => ExprKind::Neg(Box::new(v)),
            UnOp::Not => ExprKind::Not(Box::new(v)),
            UnOp::BitNot => ExprKind::BitNot(Box::new(v)),
        };
        Expr::new(kind, ty)
    }

    fn binary(&mut self, op: BinOp, l: &ast::Expr, r: &ast::Expr, span: Span, expected: Option<&Ty>) -> Expr {
        if op == BinOp::Coalesce {
            return self.coalesce(l, r, span, expected);
        }
        let hint = match op {
            BinOp::Add
            | BinOp::Sub
            | BinOp::Mul
            | BinOp::Div
            | BinOp::Rem
            | BinOp::BitAnd
            | BinOp::BitOr
            | BinOp::BitXor => expected,
            _ => None,
        };
        let mut lhs = self.expr(l, hint);
        let rhs_hint = Some(&lhs.ty).filter(|t| !matches!(t, Ty::Error | Ty::Nil));
        let rhs = self.expr(r, rhs_hint);
        // An Int literal on the left adapts to an Int32 right operand.
        if lhs.ty == Ty::Int && rhs.ty == Ty::Int32 {
            if let ExprKind::Int(v) = lhs.kind {
                if let Ok(x) = i32::try_from(v) {
                    lhs = Expr::new(ExprKind::Int(x as i64), Ty::Int32);
                }
            }
        }
        self.binary_typed(op, lhs, rhs, span)
    }

    fn coalesce(&mut self, l: &ast::Expr, r: &ast::Expr, span: Span, expected: Option<&Ty>) -> Expr {
        let opt = self.expr(l, expected.map(|t| Ty::Optional(Box::new(t.clone()))).as_ref());
        let inner = match &opt.ty {
            Ty::Optional(t) => (**t).clone(),
            Ty::Error => return error_expr(),
            other => {
                let msg = format!("`??` needs an optional on the left, found {other}");
                self.error_hint(span, msg, "`a ?? b` gives `b` when the optional `a` is nil");
                return error_expr();
            }
        };
        let fallback = self.expr(r, Some(&inner));
        let fallback = self.coerce(fallback, &inner, r.span);
        Expr::new(ExprKind::Coalesce(Box::new(opt), Box::new(fallback)), inner)
    }

    pub(crate) fn binary_typed(&mut self, op: BinOp, lhs: Expr, rhs: Expr, span: Span) -> Expr {
        let (lt, rt) = (lhs.ty.clone(), rhs.ty.clone());
        if lt == Ty::Error || rt == Ty::Error {
            return error_expr();
        }
        if let Some(class) = self.same_enum(&lt, &rt).filter(|_| matches!(op, BinOp::Eq | BinOp::Ne)) {
            return self.enum_equality(class, op, lhs, rhs, span);
        }
        let b = |e: Expr| Box::new(e);
        if matches!(op, BinOp::Eq | BinOp::Ne) {
            let negated = op == BinOp::Ne;
            let (l_nil, r_nil) = (matches!(lhs.kind, ExprKind::Nil), matches!(rhs.kind, ExprKind::Nil));
            match (&lt, &rt) {
                (Ty::Optional(_), _) if r_nil => {
                    return Expr::new(ExprKind::IsNil { value: b(lhs), negated }, Ty::Bool)
                }
                (_, Ty::Optional(_)) if l_nil => {
                    return Expr::new(ExprKind::IsNil { value: b(rhs), negated }, Ty::Bool)
                }
                (Ty::Nil, _) | (_, Ty::Nil) => {
                    self.error_hint(
                        span,
                        format!("{} can never be nil", if lt == Ty::Nil { &rt } else { &lt }),
                        "only optional values (`T?`) are compared with `nil`",
                    );
                    return error_expr();
                }
                _ => {}
            }
            if optional_value_comparison(&lt, &rt) {
                return self.optional_equality(negated, lhs, rhs, span);
            }
            // Identity of class instances, also through optionals.
            let object = |t: &Ty| match t {
                Ty::Interface(..) => Ty::Class(OBJECT, std::rc::Rc::new("Object".to_string())),
                other => other.clone(),
            };
            let identity = |t: &Ty| matches!(object(strip_optional(t)), Ty::Class(..));
            if identity(&lt) && identity(&rt) {
                let (a, c) = (object(strip_optional(&lt)), object(strip_optional(&rt)));
                if let (Ty::Class(x, _), Ty::Class(y, _)) = (&a, &c) {
                    if self.is_subclass(*x, *y) || self.is_subclass(*y, *x) {
                        let cmp = if negated { Cmp::Ne } else { Cmp::Eq };
                        return Expr::new(ExprKind::Compare(cmp, b(lhs), b(rhs)), Ty::Bool);
                    }
                }
            }
        }
        let mismatch = |c: &mut Self| {
            let hint = if lt.is_numeric() && rt.is_numeric() {
                "Int and Float never mix implicitly: convert with `Float(x)` or `Int(x)`"
            } else if matches!(lt, Ty::Optional(_)) || matches!(rt, Ty::Optional(_)) {
                "unwrap the optional first, with `!`, `??` or `if let`"
            } else {
                "both operands must have the same type"
            };
            c.error_hint(span, format!("`{}` cannot combine {lt} and {rt}", op.as_str()), hint);
            error_expr()
        };
        match op {
            BinOp::And | BinOp::Or => {
                if lt != Ty::Bool || rt != Ty::Bool {
                    self.error(span, format!("`{}` needs Bool operands, found {lt} and {rt}", op.as_str()));
                    return error_expr();
                }
                let kind = if op == BinOp::And { ExprKind::And(b(lhs), b(rhs)) } else { ExprKind::Or(b(lhs), b(rhs)) };
                Expr::new(kind, Ty::Bool)
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                if lt != rt {
                    return mismatch(self);
                }
                let ordered = !matches!(op, BinOp::Eq | BinOp::Ne);
                if ordered && !(lt.is_numeric() || lt == Ty::Str) {
                    self.error(span, format!("`{}` cannot order values of type {lt}", op.as_str()));
                    return error_expr();
                }
                if matches!(lt, Ty::Void | Ty::CString | Ty::Optional(_)) {
                    let hint = if matches!(lt, Ty::Optional(_)) {
                        "compare with `nil`, or unwrap first"
                    } else {
                        "these values have no equality"
                    };
                    self.error_hint(span, format!("values of type {lt} cannot be compared"), hint);
                    return error_expr();
                }
                let cmp = match op {
                    BinOp::Eq => Cmp::Eq,
                    BinOp::Ne => Cmp::Ne,
                    BinOp::Lt => Cmp::Lt,
                    BinOp::Le => Cmp::Le,
                    BinOp::Gt => Cmp::Gt,
                    _ => Cmp::Ge,
                };
                Expr::new(ExprKind::Compare(cmp, b(lhs), b(rhs)), Ty::Bool)
            }
            BinOp::Add if lt == Ty::Str && rt == Ty::Str => {
                Expr::new(ExprKind::Rt { func: RuntimeFn::StrConcat, args: vec![lhs, rhs] }, Ty::Str)
            }
            _ => {
                if lt != rt {
                    return mismatch(self);
                }
                let arith = match op {
                    BinOp::Add => Arith::Add,
                    BinOp::Sub => Arith::Sub,
                    BinOp::Mul => Arith::Mul,
                    BinOp::Div => Arith::Div,
                    BinOp::Rem => Arith::Rem,
                    BinOp::Shl => Arith::Shl,
                    BinOp::Shr => Arith::Shr,
                    BinOp::UShr => Arith::UShr,
                    BinOp::BitAnd => Arith::BitAnd,
                    BinOp::BitOr => Arith::BitOr,
                    _ => Arith::BitXor,
                };
                if lt == Ty::CPointer {
                    self.error_hint(
                        span,
                        format!("`{}` cannot be applied to CPointer", op.as_str()),
                        "a CPointer has no arithmetic: read and write at byte offsets (`p.readInt(8)`)",
                    );
                    return error_expr();
                }
                let bitwise = matches!(
                    arith,
                    Arith::Shl | Arith::Shr | Arith::UShr | Arith::BitAnd | Arith::BitOr | Arith::BitXor
                );
                let ok = if bitwise { lt.is_integer() } else { lt.is_numeric() };
                if !ok {
                    let what = if bitwise { "Int or Int32" } else { "numbers" };
                    let hint = if lt == Ty::Str {
                        "join strings with `+` or interpolation"
                    } else {
                        "check the operand types"
                    };
                    self.error_hint(span, format!("`{}` needs {what}, found {lt}", op.as_str()), hint);
                    return error_expr();
                }
                if lt == Ty::Float && arith == Arith::Rem {
                    return self.libm_call("fmod", vec![lhs, rhs]);
                }
                Expr::new(ExprKind::Arith(arith, b(lhs), b(rhs)), lt)
            }
        }
    }
}

/// `is`, `as` or `as?`.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum CastKind {
    Is,
    As,
    AsOpt,
}

/// `T? == T`, `T == T?` or `T? == T?` for a `T` compared by value (not a
/// class, whose instances compare by identity through optionals).
fn optional_value_comparison(l: &Ty, r: &Ty) -> bool {
    let (a, b) = (strip_optional(l), strip_optional(r));
    let optional = matches!(l, Ty::Optional(_)) || matches!(r, Ty::Optional(_));
    optional && a == b && !matches!(a, Ty::Class(..) | Ty::Fn(..) | Ty::Optional(_) | Ty::Error | Ty::Nil)
}

fn strip_optional(t: &Ty) -> &Ty {
    match t {
        Ty::Optional(i) => i,
        other => other,
    }
}
