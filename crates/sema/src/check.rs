//! The checker: collects a module's declarations, then resolves and types
//! every body, lowering it to HIR. Errors are recorded and checking goes on
//! with `Ty::Error`, so one run reports as much as it can.

use crate::hir::{self, Arith, Cmp, Expr, ExprKind, FuncId, GlobalId, LocalId, Place, Stmt};
use crate::mangle;
use crate::ty::Ty;
use std::collections::HashMap;
use tess_syntax::ast::{self, BinOp, UnOp};
use tess_syntax::{Diagnostic, Diagnostics, Span};

/// Checks the files of one module and lowers them to HIR.
pub fn check_module(module: &str, files: &[ast::File], diags: &mut Diagnostics) -> hir::Module {
    let mut c = Checker::new(module, diags);
    c.collect(files);
    let init = c.check_init(files);
    c.check_bodies(files);
    hir::Module { name: module.to_string(), funcs: c.funcs, globals: c.globals, init }
}

pub(crate) struct Sig {
    pub params: Vec<Ty>,
    pub ret: Ty,
}

struct GlobalInfo {
    id: GlobalId,
    mutable: bool,
    span: Span,
}

#[derive(Clone, Copy)]
struct LocalInfo {
    id: LocalId,
    mutable: bool,
}

pub(crate) struct Checker<'d> {
    module: String,
    pub(crate) diags: &'d mut Diagnostics,
    funcs: Vec<hir::Func>,
    sigs: Vec<Sig>,
    fn_names: HashMap<String, (FuncId, Span)>,
    globals: Vec<hir::Global>,
    /// Globals registered so far (in top-level order, then all of them).
    global_names: HashMap<String, GlobalInfo>,
    /// Every global's name, to tell "declared below" from "unknown".
    all_globals: std::collections::HashSet<String>,
    // The function being checked.
    locals: Vec<hir::Local>,
    scopes: Vec<HashMap<String, LocalInfo>>,
    ret: Ty,
    loops: u32,
    at_top_level: bool,
}

fn not_supported(what: &str) -> String {
    format!("{what} are not supported yet")
}

impl<'d> Checker<'d> {
    fn new(module: &str, diags: &'d mut Diagnostics) -> Checker<'d> {
        Checker {
            module: module.to_string(),
            diags,
            funcs: Vec::new(),
            sigs: Vec::new(),
            fn_names: HashMap::new(),
            globals: Vec::new(),
            global_names: HashMap::new(),
            all_globals: Default::default(),
            locals: Vec::new(),
            scopes: Vec::new(),
            ret: Ty::Void,
            loops: 0,
            at_top_level: false,
        }
    }

    pub(crate) fn error(&mut self, span: Span, msg: impl Into<String>) {
        self.diags.error(span, msg);
    }

    pub(crate) fn error_hint(&mut self, span: Span, msg: impl Into<String>, hint: impl Into<String>) {
        self.diags.push(Diagnostic::error(span, msg).with_hint(hint));
    }

    // ---- declarations ----

    fn collect(&mut self, files: &[ast::File]) {
        for file in files {
            for imp in &file.imports {
                self.error_hint(imp.span, not_supported("imports"), "this version compiles single-module programs");
            }
            for item in &file.items {
                match item {
                    ast::Item::Fn(f) => self.declare_fn(f),
                    ast::Item::Class(c) => {
                        self.error_hint(c.name.span, not_supported("classes"), "this version has functions, arrays and strings")
                    }
                    ast::Item::InitBlock(b) => self.error(b.span, not_supported("`init { }` blocks")),
                    ast::Item::Global(v) => {
                        self.all_globals.insert(v.name.name.clone());
                    }
                    ast::Item::Stmt(_) => {}
                }
            }
        }
    }

    fn check_modifiers(&mut self, m: &ast::Modifiers) {
        let unsupported = [
            (m.open, "`open`"),
            (m.final_, "`final`"),
            (m.override_, "`override`"),
            (m.shared, "`shared` variables"),
            (m.extern_, "`extern` functions"),
        ];
        for (span, what) in unsupported {
            if let Some(s) = span {
                self.error(s, format!("{what} is not supported yet here"));
            }
        }
        if let Some((ast::Access::Protected, s)) = m.access {
            self.error_hint(s, "`protected` applies only to class members", "use `private`, `public`, or no access level");
        }
    }

    fn declare_fn(&mut self, f: &ast::FnDecl) {
        self.check_modifiers(&f.mods);
        let params = f.params.iter().map(|p| self.resolve_type(&p.ty)).collect();
        let ret = f.ret.as_ref().map_or(Ty::Void, |t| self.resolve_type(t));
        if let Some((_, prev)) = self.fn_names.get(&f.name.name) {
            let prev = *prev;
            self.diags.push(
                Diagnostic::error(f.name.span, format!("`{}` is declared twice", f.name.name))
                    .with_note(prev, "first declared here")
                    .with_hint("functions are not overloaded: give one of them another name"),
            );
            return;
        }
        if f.body.is_none() {
            self.error_hint(f.span, format!("function `{}` has no body", f.name.name), "add `{ ... }`");
        }
        let id = self.funcs.len();
        self.fn_names.insert(f.name.name.clone(), (id, f.name.span));
        self.sigs.push(Sig { params, ret: ret.clone() });
        self.funcs.push(hir::Func {
            name: f.name.name.clone(),
            symbol: mangle::symbol(&self.module, &[&f.name.name]),
            params: Vec::new(),
            ret,
            locals: Vec::new(),
            body: Vec::new(),
            exported: false,
        });
    }

    pub(crate) fn resolve_type(&mut self, t: &ast::TypeExpr) -> Ty {
        match t {
            ast::TypeExpr::Named(parts) => {
                let name = parts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".");
                match name.as_str() {
                    "Int" => Ty::Int,
                    "Int32" => Ty::Int32,
                    "Float" => Ty::Float,
                    "Bool" => Ty::Bool,
                    "String" => Ty::Str,
                    "CString" => Ty::CString,
                    _ => {
                        self.error_hint(t.span(), format!("unknown type `{name}`"), "the types are Int, Int32, Float, Bool, String, [T] and fn(...) -> T");
                        Ty::Error
                    }
                }
            }
            ast::TypeExpr::Array(inner, _) => Ty::Array(Box::new(self.resolve_type(inner))),
            ast::TypeExpr::Map(_, _, s) => {
                self.error(*s, not_supported("maps"));
                Ty::Error
            }
            ast::TypeExpr::Optional(_, s) => {
                self.error(*s, not_supported("optional types"));
                Ty::Error
            }
            ast::TypeExpr::Fn(params, ret, _) => {
                let params = params.iter().map(|p| self.resolve_type(p)).collect();
                let ret = ret.as_ref().map_or(Ty::Void, |r| self.resolve_type(r));
                Ty::Fn(params, Box::new(ret))
            }
        }
    }

    // ---- function bodies ----

    fn begin_function(&mut self, ret: Ty) {
        self.locals = Vec::new();
        self.scopes = vec![HashMap::new()];
        self.ret = ret;
        self.loops = 0;
    }

    fn new_local(&mut self, name: &str, ty: Ty) -> LocalId {
        self.locals.push(hir::Local { name: name.to_string(), ty });
        self.locals.len() - 1
    }

    fn bind_local(&mut self, name: &ast::Ident, ty: Ty, mutable: bool) -> LocalId {
        let id = self.new_local(&name.name, ty);
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.name.clone(), LocalInfo { id, mutable });
        }
        id
    }

    fn lookup_local(&self, name: &str) -> Option<LocalInfo> {
        self.scopes.iter().rev().find_map(|s| s.get(name).copied())
    }

    /// Top-level statements and global initialisers, in source order,
    /// become the module's init function.
    fn check_init(&mut self, files: &[ast::File]) -> FuncId {
        self.begin_function(Ty::Void);
        self.at_top_level = true;
        let mut body = Vec::new();
        for file in files {
            for item in &file.items {
                match item {
                    ast::Item::Global(v) => self.global(v, &mut body),
                    ast::Item::Stmt(s) => self.stmt(s, &mut body),
                    _ => {}
                }
            }
        }
        self.at_top_level = false;
        let id = self.funcs.len();
        self.sigs.push(Sig { params: Vec::new(), ret: Ty::Void });
        self.funcs.push(hir::Func {
            name: "<init>".into(),
            symbol: mangle::module_init(&self.module),
            params: Vec::new(),
            ret: Ty::Void,
            locals: std::mem::take(&mut self.locals),
            body,
            exported: true,
        });
        id
    }

    fn global(&mut self, v: &ast::VarDecl, out: &mut Vec<Stmt>) {
        self.check_modifiers(&v.mods);
        let declared = v.ty.as_ref().map(|t| self.resolve_type(t));
        let init = match &v.init {
            Some(e) => self.expr(e, declared.as_ref()),
            None => {
                self.error_hint(v.span, format!("`{}` needs an initial value", v.name.name), "write `= <value>` after the declaration");
                Expr::new(ExprKind::Int(0), Ty::Error)
            }
        };
        let ty = declared.unwrap_or_else(|| init.ty.clone());
        self.expect_fits(&init, &ty, v.init.as_ref().map_or(v.span, |e| e.span));
        if ty == Ty::Void {
            let span = v.init.as_ref().map_or(v.span, |e| e.span);
            self.error(span, "this call has no result to store");
        }
        if let Some(prev) = self.global_names.get(&v.name.name) {
            let prev = prev.span;
            self.diags.push(
                Diagnostic::error(v.name.span, format!("`{}` is declared twice", v.name.name)).with_note(prev, "first declared here"),
            );
            return;
        }
        let id = self.globals.len();
        self.globals.push(hir::Global {
            name: v.name.name.clone(),
            symbol: mangle::symbol(&self.module, &[&v.name.name]),
            ty,
        });
        self.global_names.insert(v.name.name.clone(), GlobalInfo { id, mutable: v.mutable, span: v.name.span });
        out.push(Stmt::Assign(Place::Global(id), init));
    }

    fn check_bodies(&mut self, files: &[ast::File]) {
        for file in files {
            for item in &file.items {
                let ast::Item::Fn(f) = item else { continue };
                let Some(&(id, span)) = self.fn_names.get(&f.name.name) else { continue };
                if span != f.name.span {
                    continue;
                }
                let Some(body) = &f.body else { continue };
                let sig_params = self.sigs[id].params.clone();
                self.begin_function(self.sigs[id].ret.clone());
                let params = f.params.iter().zip(sig_params).map(|(p, ty)| self.bind_local(&p.name, ty, false)).collect();
                let mut out = Vec::new();
                self.block(body, &mut out);
                if self.ret != Ty::Void && !always_exits(&body.stmts) {
                    let ret = self.ret.clone();
                    self.error_hint(
                        body.span,
                        format!("function `{}` must return a value of type {ret} on every path", f.name.name),
                        "add a `return` at the end",
                    );
                }
                let func = &mut self.funcs[id];
                func.params = params;
                func.locals = std::mem::take(&mut self.locals);
                func.body = out;
            }
        }
    }

    // ---- statements ----

    fn block(&mut self, b: &ast::Block, out: &mut Vec<Stmt>) {
        self.scopes.push(HashMap::new());
        for s in &b.stmts {
            self.stmt(s, out);
        }
        self.scopes.pop();
    }

    fn stmt(&mut self, s: &ast::Stmt, out: &mut Vec<Stmt>) {
        match s {
            ast::Stmt::Let(v) => {
                let declared = v.ty.as_ref().map(|t| self.resolve_type(t));
                let Some(init) = &v.init else {
                    self.error_hint(v.span, format!("`{}` needs an initial value", v.name.name), "write `= <value>` after the declaration");
                    let ty = declared.unwrap_or(Ty::Error);
                    self.bind_local(&v.name, ty, v.mutable);
                    return;
                };
                let e = self.expr(init, declared.as_ref());
                let ty = declared.unwrap_or_else(|| e.ty.clone());
                self.expect_fits(&e, &ty, init.span);
                if ty == Ty::Void {
                    self.error(init.span, "this call has no result to store");
                }
                let id = self.bind_local(&v.name, ty, v.mutable);
                out.push(Stmt::Let(id, e));
            }
            ast::Stmt::Assign { target, op, value, span } => self.assign(target, *op, value, *span, out),
            ast::Stmt::Expr(e) => {
                let e = self.expr(e, None);
                out.push(Stmt::Expr(e));
            }
            ast::Stmt::If { cond, then, els, .. } => {
                let c = match cond {
                    ast::Cond::Expr(e) => self.condition(e),
                    ast::Cond::Let(name, _) => {
                        self.error(name.span, not_supported("`if let` bindings"));
                        Expr::new(ExprKind::Bool(false), Ty::Error)
                    }
                };
                let mut t = Vec::new();
                self.block(then, &mut t);
                let mut e = Vec::new();
                if let Some(els) = els {
                    self.scopes.push(HashMap::new());
                    self.stmt(els, &mut e);
                    self.scopes.pop();
                }
                out.push(Stmt::If(c, t, e));
            }
            ast::Stmt::While { cond, body, .. } => {
                let c = self.condition(cond);
                self.loops += 1;
                let mut b = Vec::new();
                self.block(body, &mut b);
                self.loops -= 1;
                out.push(Stmt::While(c, b));
            }
            ast::Stmt::For { pattern, iter, body, .. } => self.for_stmt(pattern, iter, body, out),
            ast::Stmt::Break(span) | ast::Stmt::Continue(span) => {
                let is_break = matches!(s, ast::Stmt::Break(_));
                if self.loops == 0 {
                    let word = if is_break { "break" } else { "continue" };
                    self.error(*span, format!("`{word}` outside of a loop"));
                }
                out.push(if is_break { Stmt::Break } else { Stmt::Continue });
            }
            ast::Stmt::Return(value, span) => {
                if self.at_top_level {
                    self.error_hint(*span, "`return` outside of a function", "use `exit(code)` to end the program");
                }
                let ret = self.ret.clone();
                match value {
                    Some(v) => {
                        let e = self.expr(v, Some(&ret));
                        if ret == Ty::Void {
                            self.error_hint(v.span, "this function has no result", "declare one with `-> Type`, or remove the value");
                        } else {
                            self.expect_fits(&e, &ret, v.span);
                        }
                        out.push(Stmt::Return(Some(e)));
                    }
                    None => {
                        if ret != Ty::Void {
                            self.error(*span, format!("missing return value of type {ret}"));
                        }
                        out.push(Stmt::Return(None));
                    }
                }
            }
            ast::Stmt::Throw(_, span) => self.error(*span, not_supported("exceptions (`throw`)")),
            ast::Stmt::Try { span, .. } => self.error(*span, not_supported("exceptions (`try`)")),
            ast::Stmt::Block(b) => self.block(b, out),
        }
    }

    fn condition(&mut self, e: &ast::Expr) -> Expr {
        let c = self.expr(e, Some(&Ty::Bool));
        if !c.ty.fits(&Ty::Bool) {
            self.error_hint(e.span, format!("condition must be Bool, found {}", c.ty), "compare explicitly, e.g. `x != 0`");
        }
        c
    }

    fn for_stmt(&mut self, pattern: &ast::ForPattern, iter: &ast::Expr, body: &ast::Block, out: &mut Vec<Stmt>) {
        let ast::ForPattern::One(name) = pattern else {
            self.error(iter.span, not_supported("maps (`for (k, v) in ...`)"));
            return;
        };
        self.scopes.push(HashMap::new());
        self.loops += 1;
        let stmt = if let ast::ExprKind::Range { lo, hi, inclusive } = &iter.kind {
            let lo_e = self.expr(lo, Some(&Ty::Int));
            let hi_e = self.expr(hi, Some(&Ty::Int));
            self.expect_fits(&lo_e, &Ty::Int, lo.span);
            self.expect_fits(&hi_e, &Ty::Int, hi.span);
            let var = self.bind_local(name, Ty::Int, false);
            let mut b = Vec::new();
            self.block(body, &mut b);
            Stmt::ForRange { var, lo: lo_e, hi: hi_e, inclusive: *inclusive, body: b }
        } else {
            let array = self.expr(iter, None);
            let elem = match &array.ty {
                Ty::Array(t) => (**t).clone(),
                Ty::Error => Ty::Error,
                other => {
                    let msg = format!("cannot iterate over {other}");
                    self.error_hint(iter.span, msg, "`for` iterates over a range `a..b`, an array or a map");
                    Ty::Error
                }
            };
            let var = self.bind_local(name, elem, false);
            let mut b = Vec::new();
            self.block(body, &mut b);
            Stmt::ForEach { var, array, body: b }
        };
        self.loops -= 1;
        self.scopes.pop();
        out.push(stmt);
    }

    fn assign(&mut self, target: &ast::Expr, op: Option<BinOp>, value: &ast::Expr, span: Span, out: &mut Vec<Stmt>) {
        let (place, ty) = match &target.kind {
            ast::ExprKind::Name(n) => {
                if let Some(l) = self.lookup_local(n) {
                    if !l.mutable {
                        self.error_hint(target.span, format!("cannot assign to `{n}`: it is not a `var`"), "declare it with `var` to change it");
                    }
                    (Place::Local(l.id), self.locals[l.id].ty.clone())
                } else if let Some(g) = self.global_names.get(n) {
                    let (id, mutable) = (g.id, g.mutable);
                    if !mutable {
                        self.error_hint(target.span, format!("cannot assign to `{n}`: it is a `let` constant"), "declare it with `var` to change it");
                    }
                    (Place::Global(id), self.globals[id].ty.clone())
                } else {
                    self.error(target.span, format!("cannot find `{n}` in this scope"));
                    return;
                }
            }
            ast::ExprKind::Index(a, i) => {
                let arr = self.expr(a, None);
                let idx = self.expr(i, Some(&Ty::Int));
                self.expect_fits(&idx, &Ty::Int, i.span);
                let elem = match &arr.ty {
                    Ty::Array(t) => (**t).clone(),
                    Ty::Error => Ty::Error,
                    Ty::Str => {
                        self.error_hint(target.span, "strings are immutable", "build a new string with `+` or interpolation");
                        Ty::Error
                    }
                    other => {
                        let msg = format!("cannot index into {other}");
                        self.error(a.span, msg);
                        Ty::Error
                    }
                };
                if op.is_some() {
                    // Evaluate the array and index once: `a[i] op= v`.
                    let ta = self.new_local("<array>", arr.ty.clone());
                    let ti = self.new_local("<index>", Ty::Int);
                    out.push(Stmt::Let(ta, arr));
                    out.push(Stmt::Let(ti, idx));
                    let load = |l, ty: &Ty| Expr::new(ExprKind::Local(l), ty.clone());
                    let place = Place::Index(load(ta, &self.locals[ta].ty), load(ti, &Ty::Int));
                    (place, elem)
                } else {
                    (Place::Index(arr, idx), elem)
                }
            }
            ast::ExprKind::Member(..) => {
                self.error(target.span, not_supported("fields"));
                return;
            }
            _ => {
                self.error_hint(target.span, "cannot assign to this expression", "assign to a variable or an array element");
                return;
            }
        };
        let rhs = match op {
            None => {
                let v = self.expr(value, Some(&ty));
                self.expect_fits(&v, &ty, value.span);
                v
            }
            Some(op) => {
                let current = self.read_place(&place, ty.clone());
                let v = self.expr(value, Some(&ty));
                self.binary_typed(op, current, v, span)
            }
        };
        out.push(Stmt::Assign(place, rhs));
    }

    fn read_place(&self, place: &Place, ty: Ty) -> Expr {
        match place {
            Place::Local(l) => Expr::new(ExprKind::Local(*l), ty),
            Place::Global(g) => Expr::new(ExprKind::Global(*g), ty),
            Place::Index(a, i) => {
                let (ExprKind::Local(a_id), ExprKind::Local(i_id)) = (&a.kind, &i.kind) else {
                    unreachable!("compound index assignment always goes through temporaries")
                };
                let a = Expr::new(ExprKind::Local(*a_id), a.ty.clone());
                let i = Expr::new(ExprKind::Local(*i_id), Ty::Int);
                Expr::new(ExprKind::Index(Box::new(a), Box::new(i)), ty)
            }
        }
    }

    pub(crate) fn expect_fits(&mut self, e: &Expr, ty: &Ty, span: Span) {
        if !e.ty.fits(ty) {
            let hint = match (&e.ty, ty) {
                (Ty::Int, Ty::Float) => "convert with `Float(x)`",
                (Ty::Float, Ty::Int) => "convert with `Int(x)` (truncates)",
                (Ty::Int, Ty::Int32) => "convert with `Int32(x)`",
                (Ty::Int32, Ty::Int) => "convert with `Int(x)`",
                (_, Ty::Str) => "convert with `String(x)` or use interpolation",
                _ => "the types must match exactly",
            };
            self.error_hint(span, format!("expected {ty}, found {}", e.ty), hint);
        }
    }

    // ---- expressions ----

    pub(crate) fn expr(&mut self, e: &ast::Expr, expected: Option<&Ty>) -> Expr {
        match &e.kind {
            ast::ExprKind::Int(v) => self.int_literal(*v, false, e.span, expected),
            ast::ExprKind::Float(v) => Expr::new(ExprKind::Float(*v), Ty::Float),
            ast::ExprKind::Bool(b) => Expr::new(ExprKind::Bool(*b), Ty::Bool),
            ast::ExprKind::Str(segs) => self.string(segs),
            ast::ExprKind::Name(n) => self.name(n, e.span),
            ast::ExprKind::Array(items) => self.array_literal(items, e.span, expected),
            ast::ExprKind::Call(callee, args) => self.call(callee, args, e.span),
            ast::ExprKind::Index(a, i) => {
                let arr = self.expr(a, None);
                let idx = self.expr(i, Some(&Ty::Int));
                self.expect_fits(&idx, &Ty::Int, i.span);
                let ty = match &arr.ty {
                    Ty::Array(t) => (**t).clone(),
                    Ty::Error => Ty::Error,
                    Ty::Str => {
                        self.error_hint(e.span, "strings cannot be indexed", "use `s.byteAt(i)` or `s.substring(from, to)`");
                        Ty::Error
                    }
                    other => {
                        let msg = format!("cannot index into {other}");
                        self.error(a.span, msg);
                        Ty::Error
                    }
                };
                Expr::new(ExprKind::Index(Box::new(arr), Box::new(idx)), ty)
            }
            ast::ExprKind::Member(obj, name) => {
                let o = self.expr(obj, None);
                crate::builtins::property(self, o, name)
            }
            ast::ExprKind::Unary(op, inner) => self.unary(*op, inner, e.span, expected),
            ast::ExprKind::Binary(op, l, r) => self.binary(*op, l, r, e.span, expected),
            ast::ExprKind::Range { .. } => {
                self.error_hint(e.span, "a range is only allowed in a `for` loop", "write `for i in a..b { ... }`");
                error_expr()
            }
            ast::ExprKind::Nil => self.unsupported(e.span, "`nil` and optionals"),
            ast::ExprKind::Map(_) => self.unsupported(e.span, "maps"),
            ast::ExprKind::SelfRef | ast::ExprKind::Super(_) => self.unsupported(e.span, "classes (`self`, `super`)"),
            ast::ExprKind::Unwrap(_) => self.unsupported(e.span, "optionals (`!`)"),
            ast::ExprKind::Is(..) | ast::ExprKind::As(..) | ast::ExprKind::AsOpt(..) => {
                self.unsupported(e.span, "casts (`is`, `as`)")
            }
            ast::ExprKind::Error => error_expr(),
        }
    }

    fn unsupported(&mut self, span: Span, what: &str) -> Expr {
        self.error(span, not_supported(what));
        error_expr()
    }

    fn int_literal(&mut self, v: u64, negated: bool, span: Span, expected: Option<&Ty>) -> Expr {
        let value = if negated { (v as i128).wrapping_neg() } else { v as i128 };
        if expected == Some(&Ty::Int32) {
            if let Ok(x) = i32::try_from(value) {
                return Expr::new(ExprKind::Int(x as i64), Ty::Int32);
            }
        }
        match i64::try_from(value) {
            Ok(x) => Expr::new(ExprKind::Int(x), Ty::Int),
            Err(_) => {
                self.error_hint(span, "integer literal is out of range for Int", "Int holds -9223372036854775808 to 9223372036854775807");
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
                    parts.push(self.to_string(v, e.span));
                }
            }
        }
        Expr::new(ExprKind::Interp(parts), Ty::Str)
    }

    /// A printable value as a String (errors for the rest).
    pub(crate) fn to_string(&mut self, v: Expr, span: Span) -> Expr {
        if v.ty == Ty::Str {
            return v;
        }
        if !v.ty.is_printable() {
            let msg = format!("a value of type {} cannot be printed", v.ty);
            self.error_hint(span, msg, "print Int, Int32, Float, Bool or String values");
            return error_expr();
        }
        Expr::new(ExprKind::ToStr(Box::new(v)), Ty::Str)
    }

    fn name(&mut self, n: &str, span: Span) -> Expr {
        if let Some(l) = self.lookup_local(n) {
            return Expr::new(ExprKind::Local(l.id), self.locals[l.id].ty.clone());
        }
        if let Some(g) = self.global_names.get(n) {
            return Expr::new(ExprKind::Global(g.id), self.globals[g.id].ty.clone());
        }
        if let Some(&(id, _)) = self.fn_names.get(n) {
            let sig = &self.sigs[id];
            return Expr::new(ExprKind::FnRef(id), Ty::Fn(sig.params.clone(), Box::new(sig.ret.clone())));
        }
        if self.at_top_level && self.all_globals.contains(n) {
            self.error_hint(span, format!("`{n}` is used before its declaration"), "top-level statements run in order: move the declaration up");
            return error_expr();
        }
        if crate::builtins::is_builtin_fn(n) {
            self.error_hint(span, format!("built-in `{n}` cannot be used as a value"), "wrap it in a function of your own");
            return error_expr();
        }
        self.error(span, format!("cannot find `{n}` in this scope"));
        error_expr()
    }

    fn array_literal(&mut self, items: &[ast::Expr], span: Span, expected: Option<&Ty>) -> Expr {
        let expected_elem = match expected {
            Some(Ty::Array(t)) => Some((**t).clone()),
            _ => None,
        };
        if items.is_empty() {
            return match expected_elem {
                Some(t) => Expr::new(ExprKind::ArrayLit(Vec::new()), Ty::Array(Box::new(t))),
                None => {
                    self.error_hint(span, "the type of an empty array is unknown", "declare it, e.g. `var xs: [Int] = []`");
                    error_expr()
                }
            };
        }
        let mut out = Vec::new();
        let mut elem = expected_elem;
        for item in items {
            let e = self.expr(item, elem.as_ref());
            match &elem {
                Some(t) => {
                    let t = t.clone();
                    self.expect_fits(&e, &t, item.span);
                }
                None => elem = Some(e.ty.clone()),
            }
            out.push(e);
        }
        let elem = elem.unwrap_or(Ty::Error);
        Expr::new(ExprKind::ArrayLit(out), Ty::Array(Box::new(elem)))
    }

    fn call(&mut self, callee: &ast::Expr, args: &[ast::Expr], span: Span) -> Expr {
        match &callee.kind {
            ast::ExprKind::Name(n) if self.lookup_local(n).is_none() && !self.global_names.contains_key(n) => {
                if let Some(&(id, _)) = self.fn_names.get(n) {
                    let params = self.sigs[id].params.clone();
                    let ret = self.sigs[id].ret.clone();
                    let args = self.args(args, &params, span, n);
                    return Expr::new(ExprKind::Call(id, args), ret);
                }
                if crate::builtins::is_builtin_fn(n) {
                    return crate::builtins::call_fn(self, n, args, span);
                }
            }
            ast::ExprKind::Member(obj, name) => {
                let o = self.expr(obj, None);
                return crate::builtins::call_method(self, o, name, args, span);
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
                self.error(callee.span, format!("cannot call a value of type {other}"));
                error_expr()
            }
        }
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
                if let Some(p) = p {
                    self.expect_fits(&e, &p, a.span);
                }
                e
            })
            .collect()
    }

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
            return self.unsupported(span, "optionals (`??`)");
        }
        let hint = match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem | BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => expected,
            _ => None,
        };
        let mut lhs = self.expr(l, hint);
        let rhs = self.expr(r, Some(&lhs.ty).filter(|t| **t != Ty::Error));
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

    fn binary_typed(&mut self, op: BinOp, lhs: Expr, rhs: Expr, span: Span) -> Expr {
        let (lt, rt) = (lhs.ty.clone(), rhs.ty.clone());
        if lt == Ty::Error || rt == Ty::Error {
            return error_expr();
        }
        let mismatch = |c: &mut Self| {
            let hint = if lt.is_numeric() && rt.is_numeric() {
                "Int and Float never mix implicitly: convert with `Float(x)` or `Int(x)`"
            } else {
                "both operands must have the same type"
            };
            c.error_hint(span, format!("`{}` cannot combine {lt} and {rt}", op.as_str()), hint);
            error_expr()
        };
        let b = |e: Expr| Box::new(e);
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
                if matches!(lt, Ty::Void | Ty::CString) {
                    self.error(span, format!("values of type {lt} cannot be compared"));
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
                Expr::new(ExprKind::Rt { name: "tess_str_concat", args: vec![lhs, rhs], throws: false }, Ty::Str)
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
                    BinOp::BitAnd => Arith::BitAnd,
                    BinOp::BitOr => Arith::BitOr,
                    _ => Arith::BitXor,
                };
                let bitwise = matches!(arith, Arith::Shl | Arith::Shr | Arith::BitAnd | Arith::BitOr | Arith::BitXor);
                let ok = if bitwise { lt.is_integer() } else { lt.is_numeric() };
                if !ok {
                    let what = if bitwise { "Int or Int32" } else { "numbers" };
                    self.error_hint(span, format!("`{}` needs {what}, found {lt}", op.as_str()), if lt == Ty::Str { "join strings with `+` or interpolation" } else { "check the operand types" });
                    return error_expr();
                }
                if lt == Ty::Float && arith == Arith::Rem {
                    return Expr::new(ExprKind::Math(hir::MathFn::Libm("fmod"), vec![lhs, rhs]), Ty::Float);
                }
                Expr::new(ExprKind::Arith(arith, b(lhs), b(rhs)), lt)
            }
        }
    }
}

pub(crate) fn error_expr() -> Expr {
    Expr::new(ExprKind::Int(0), Ty::Error)
}

/// Whether control can never fall off the end of these statements.
fn always_exits(stmts: &[ast::Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        ast::Stmt::Return(..) | ast::Stmt::Throw(..) => true,
        ast::Stmt::If { then, els: Some(els), .. } => always_exits(&then.stmts) && always_exits(std::slice::from_ref(els)),
        ast::Stmt::Block(b) => always_exits(&b.stmts),
        ast::Stmt::While { cond, body, .. } => {
            matches!(cond.kind, ast::ExprKind::Bool(true)) && !contains_break(&body.stmts)
        }
        ast::Stmt::Expr(e) => is_exit_call(e),
        _ => false,
    })
}

fn is_exit_call(e: &ast::Expr) -> bool {
    matches!(&e.kind, ast::ExprKind::Call(callee, _) if matches!(&callee.kind, ast::ExprKind::Name(n) if n == "exit"))
}

fn contains_break(stmts: &[ast::Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        ast::Stmt::Break(_) => true,
        ast::Stmt::If { then, els, .. } => contains_break(&then.stmts) || els.as_ref().is_some_and(|e| contains_break(std::slice::from_ref(e))),
        ast::Stmt::Block(b) => contains_break(&b.stmts),
        ast::Stmt::Try { body, catches, finally, .. } => {
            contains_break(&body.stmts)
                || catches.iter().any(|c| contains_break(&c.body.stmts))
                || finally.as_ref().is_some_and(|f| contains_break(&f.stmts))
        }
        _ => false,
    })
}
