//! Closures (LANGUAGE.md §7): `fn(x: Int) { ... }` and `{ x -> ... }`.
//!
//! A closure's body is checked as a function of its own whose first
//! parameter is its environment. A name the body does not declare is looked
//! up in the enclosing bodies and *captured*: copied into the environment
//! when the closure is made. A `let` is copied; a `var` is shared by
//! reference — every `var` whose name some closure of the function uses
//! lives in a *cell* (an object of one field) from its declaration on, so
//! the function and its closures read and write the same variable (Swift,
//! Kotlin, Go). A closure that captures nothing is an ordinary function
//! value (`FnRef`); one that captures is `ExprKind::Closure`, an object of
//! a class made for it (`docs/abi.md`, closures).

use crate::body::{Body, BodyKind, Capture};
use crate::checker::{error_expr, Checker};
use crate::hir::{self, Expr, ExprKind, Layout, Offset, Place, Stmt, Visibility};
use crate::tables::{ClassInfo, OBJECT};
use crate::ty::{ClassId, Ty};
use std::collections::HashSet;
use std::rc::Rc;
use tess_abi::layout::{closure, object};
use tess_abi::mangle;
use tess_syntax::ast::{self, Access};
use tess_syntax::Span;

/// A variable as the body being checked reaches it.
pub(crate) struct Var {
    /// The local, the captured copy, or (for a `var` in a cell) the cell.
    pub access: Expr,
    /// The class of the variable's cell, when it lives in one.
    pub cell: Option<ClassId>,
    /// The variable's type.
    pub ty: Ty,
    pub mutable: bool,
    pub span: Span,
}

impl Var {
    /// The variable's value.
    pub(crate) fn value(self) -> Expr {
        if self.cell.is_some() {
            Expr::new(ExprKind::Field(Box::new(self.access), Offset::Fixed(object::field_offset(0))), self.ty)
        } else {
            self.access
        }
    }

    /// Where an assignment to the variable stores.
    pub(crate) fn place(self) -> Place {
        if self.cell.is_some() {
            return Place::Field(Box::new(self.access), Offset::Fixed(object::field_offset(0)));
        }
        match self.access.kind {
            ExprKind::Field(env, offset) => Place::Field(env, offset),
            ExprKind::Local(l) => Place::Local(l),
            // `self`, which cannot be assigned (refused before this is asked).
            _ => Place::Local(0),
        }
    }
}

impl Checker<'_> {
    /// Finds a local variable: of the body being checked, or captured from
    /// an enclosing one when the body is a closure's.
    pub(crate) fn find_var(&mut self, name: &str) -> Option<Var> {
        if let Some(l) = self.body.lookup_local(name) {
            let held = self.body.locals[l.id].ty.clone();
            let ty = match l.cell {
                Some(cell) => self.classes[cell].fields[0].ty.clone(),
                None => held.clone(),
            };
            let access = Expr::new(ExprKind::Local(l.id), held);
            return Some(Var { access, cell: l.cell, ty, mutable: l.mutable, span: l.span });
        }
        if let (Some(i), "self") = (self.body.self_iface, name) {
            let span = self.iface_names.get(&self.interfaces[i].name).map_or(Span::default(), |&(_, s)| s);
            return Some(Var {
                access: Expr::new(ExprKind::Local(0), self.iface_ty(i)),
                cell: None,
                ty: self.iface_ty(i),
                mutable: false,
                span,
            });
        }
        if name == "self" && matches!(self.body.kind, BodyKind::Method | BodyKind::Init) {
            let class = self.body.self_class?;
            let access = Expr::new(ExprKind::Local(0), self.class_ty(class));
            let span = self.class_info[class].span;
            return Some(Var { access, cell: None, ty: self.class_ty(class), mutable: false, span });
        }
        if self.body.kind != BodyKind::Closure {
            return None;
        }
        if let Some(k) = self.body.captures.iter().position(|c| c.name == name) {
            return Some(self.captured(k));
        }
        let outer = self.outer_bodies.pop()?;
        let inner = std::mem::replace(&mut self.body, outer);
        let found = self.find_var(name);
        let outer = std::mem::replace(&mut self.body, inner);
        self.outer_bodies.push(outer);
        // Every `var` a closure mentions is in a cell, but one whose type
        // is in error (reported at its declaration), which is copied.
        let v = found?;
        self.body.captures.push(Capture {
            name: name.to_string(),
            outer: v.access,
            mutable: v.mutable,
            span: v.span,
            cell: v.cell,
        });
        Some(self.captured(self.body.captures.len() - 1))
    }

    /// Whether `name` is a local of this body or of one enclosing it (a
    /// closure's): such a name hides a module, a class or a global.
    pub(crate) fn is_local_name(&self, name: &str) -> bool {
        self.body.lookup_local(name).is_some()
            || (self.body.kind == BodyKind::Closure
                && (self.body.captures.iter().any(|c| c.name == name)
                    || self.outer_bodies.iter().any(|b| b.lookup_local(name).is_some())))
    }

    /// Capture `k` of the closure being checked, read from its environment.
    fn captured(&self, k: usize) -> Var {
        let c = &self.body.captures[k];
        let env = Expr::new(ExprKind::Local(0), Ty::CPointer);
        let offset = Offset::Fixed(closure::CAPTURES as u32 + 8 * k as u32);
        let held = c.outer.ty.clone();
        let ty = match c.cell {
            Some(cell) => self.classes[cell].fields[0].ty.clone(),
            None => held.clone(),
        };
        let access = Expr::new(ExprKind::Field(Box::new(env), offset), held);
        Var { access, cell: c.cell, ty, mutable: c.mutable, span: c.span }
    }

    /// `let`/`var name = init` (or a parameter): a local, or a cell when the
    /// name is a `var` some closure of the body mentions.
    pub(crate) fn declare_var(&mut self, name: &ast::Ident, ty: Ty, mutable: bool, init: Expr, out: &mut Vec<Stmt>) {
        if !(mutable && self.body.closure_names.contains(&name.name)) || ty == Ty::Error {
            let id = self.bind_local(name, ty, mutable);
            out.push(Stmt::Let(id, Box::new(init)));
            return;
        }
        let cell_name = format!("$cell{}_{}", name.span.file.0, self.next_synthetic(name.span));
        let mut fields = vec![(name.name.clone(), ty.clone())];
        // A cell of a type parameter's value holds the parameter's
        // descriptor too, which says whether the collector traces it.
        let mut descs = Vec::new();
        if matches!(ty, Ty::Param(..)) {
            fields.push(("$T".into(), Ty::CPointer));
            descs.push((Offset::Fixed(object::field_offset(1)), self.type_desc(&ty)));
        }
        let cell = self.synthetic_class(cell_name, name.span, fields);
        if let Ty::Param(k, _) = &ty {
            self.classes[cell].desc_fields = vec![1; *k as usize + 1];
        }
        let cell_ty = self.class_ty(cell);
        let id = self.body.bind_local_in(name, cell_ty.clone(), true, Some(cell));
        out.push(Stmt::Let(
            id,
            Box::new(Expr::new(ExprKind::New { class: cell, args: Vec::new(), descs }, cell_ty.clone())),
        ));
        let field =
            Place::Field(Box::new(Expr::new(ExprKind::Local(id), cell_ty)), Offset::Fixed(object::field_offset(0)));
        out.push(Stmt::Assign(field, Box::new(init)));
    }

    /// A closure expression.
    pub(crate) fn closure(&mut self, c: &ast::Closure, span: Span, expected: Option<&Ty>) -> Expr {
        let expected_fn = match expected {
            Some(Ty::Fn(ps, r)) => Some(((**ps).clone(), (**r).clone())),
            Some(Ty::Optional(t)) => match &**t {
                Ty::Fn(ps, r) => Some(((**ps).clone(), (**r).clone())),
                _ => None,
            },
            _ => None,
        };
        if let Some((ps, _)) = &expected_fn {
            if ps.len() != c.params.len() && (c.short || c.params.iter().any(|p| p.ty.is_none())) {
                let expected = Ty::Fn(Box::new(ps.clone()), Box::new(Ty::Void));
                self.error_hint(
                    span,
                    format!("this closure takes {} parameter(s), but {} are expected here", c.params.len(), ps.len()),
                    format!("a value of type `{expected}` is expected: give the closure {} parameter(s)", ps.len()),
                );
                return error_expr();
            }
        }
        let mut params = Vec::new();
        let mut unknown = false;
        for (i, p) in c.params.iter().enumerate() {
            let ty = match (&p.ty, expected_fn.as_ref().and_then(|(ps, _)| ps.get(i))) {
                (Some(t), _) => self.resolve_type(t),
                (None, Some(t)) => t.clone(),
                (None, None) => {
                    self.error_hint(
                        p.name.span,
                        format!("the type of parameter `{}` cannot be inferred", p.name.name),
                        format!("write its type, `fn({}: Int) ...`, or give the closure a function type", p.name.name),
                    );
                    unknown = true;
                    Ty::Error
                }
            };
            params.push(ty);
        }
        // An expected result of `Ty::Error` is left open (`xs.map`).
        let declared = match &c.ret {
            Some(t) => Some(self.resolve_type(t)),
            None => expected_fn.as_ref().map(|(_, r)| r.clone()).filter(|r| *r != Ty::Error),
        };
        let single = match c.body.stmts.as_slice() {
            [ast::Stmt::Expr(e)] if c.short => Some(e),
            _ => None,
        };
        let (id, name) = self.closure_func(span, &params);
        let outer =
            std::mem::replace(&mut self.body, Body::new(declared.clone().unwrap_or(Ty::Void), BodyKind::Closure));
        self.body.closure_names = outer.closure_names.clone();
        self.body.self_class = outer.self_class;
        self.body.self_iface = outer.self_iface;
        self.outer_bodies.push(outer);
        let env = self.new_local("<closure>", Ty::CPointer);
        let mut locals = vec![env];
        for (p, ty) in c.params.iter().zip(&params) {
            locals.push(self.bind_local(&p.name, ty.clone(), false));
        }
        let mut out = Vec::new();
        // In a generic function: its type descriptors, captured first.
        let outer_fn = self.body_fn;
        let outer_descs = outer_fn.map_or(Vec::new(), |f| self.funcs[f].type_params.clone());
        let mut descs = Vec::new();
        for (k, &d) in outer_descs.iter().enumerate() {
            let outer = Expr::new(ExprKind::Local(d), Ty::CPointer);
            self.body.captures.push(Capture { name: format!("<type {k}>"), outer, mutable: false, span, cell: None });
            let local = self.new_local(&format!("<type {k}>"), Ty::CPointer);
            out.push(Stmt::Let(local, Box::new(self.captured(k).value())));
            descs.push(local);
        }
        self.funcs[id].type_params = descs;
        self.body_fn = Some(id);
        let ret = match (single, &declared) {
            (Some(e), None) => {
                let v = self.expr(e, None);
                let ty = v.ty.clone();
                if ty == Ty::Void || ty == Ty::Error {
                    out.push(Stmt::Expr(Box::new(v)));
                } else {
                    out.push(Stmt::Return(Some(Box::new(v))));
                }
                ty
            }
            (Some(e), Some(r)) if *r != Ty::Void => {
                let v = self.expr(e, Some(r));
                let v = self.coerce(v, r, e.span);
                out.push(Stmt::Return(Some(Box::new(v))));
                r.clone()
            }
            _ => {
                self.block(&c.body, &mut out);
                let r = declared.unwrap_or(Ty::Void);
                if r != Ty::Void && r != Ty::Error && !crate::stmt::always_exits(&c.body.stmts) {
                    self.error_hint(
                        c.body.span,
                        format!("this closure must return a value of type {r} on every path"),
                        "add a `return` at the end",
                    );
                }
                r
            }
        };
        self.body_fn = outer_fn;
        let outer = self.outer_bodies.pop().expect("the closure's enclosing body");
        let body = std::mem::replace(&mut self.body, outer);
        let fn_ty = if unknown || ret == Ty::Error {
            Ty::Error
        } else {
            Ty::Fn(Box::new(params.clone()), Box::new(ret.clone()))
        };
        self.sigs[id].ret = ret.clone();
        let func = &mut self.funcs[id];
        func.ret = ret;
        func.locals = body.locals;
        func.body = out;
        if body.captures.is_empty() {
            func.params = locals[1..].to_vec();
            return Expr::new(ExprKind::FnRef(id), fn_ty);
        }
        let fields: Vec<(String, Ty)> = [("code", Ty::CPointer), ("cEntry", Ty::CPointer)]
            .into_iter()
            .map(|(n, t)| (n.to_string(), t))
            .chain(body.captures.iter().map(|c| (c.name.clone(), c.outer.ty.clone())))
            .collect();
        let class = self.synthetic_class(name, span, fields);
        // The captured descriptors follow the two code words.
        self.classes[class].desc_fields = (0..outer_descs.len() as u32).map(|k| 2 + k).collect();
        let env_ty = self.class_ty(class);
        let func = &mut self.funcs[id];
        func.params = locals;
        func.locals[env].ty = env_ty;
        let captures = body.captures.into_iter().map(|c| c.outer).collect();
        Expr::new(ExprKind::Closure { func: id, class, captures }, fn_ty)
    }

    /// Declares the function a closure at `span` compiles to; its name for
    /// stack traces names the function it is written in.
    fn closure_func(&mut self, span: Span, params: &[Ty]) -> (hir::FuncId, String) {
        let n = self.next_synthetic(span);
        let symbol_name = format!("$fn{}_{n}", span.file.0);
        let symbol = mangle::symbol(&self.module, &[&symbol_name]);
        let shown = match self.body_fn {
            Some(f) => format!("{}.<closure>", self.funcs[f].name),
            None => "<closure>".to_string(),
        };
        let id = self.new_func(&shown, symbol, params.to_vec(), Ty::Void, Visibility::Local);
        self.funcs[id].file = span.file.0;
        (id, symbol_name)
    }

    /// A number for the next synthetic declaration of `span`'s file: the
    /// same whether the module is compiled whole or file by file.
    fn next_synthetic(&mut self, span: Span) -> usize {
        let n = self.synthetic.entry(span.file.0).or_insert(0);
        *n += 1;
        *n
    }

    /// A final class of the module made by the compiler (a closure's
    /// environment, a variable's cell), with these fields after the header.
    fn synthetic_class(&mut self, name: String, span: Span, fields: Vec<(String, Ty)>) -> ClassId {
        let id = self.classes.len();
        let fields: Vec<hir::Field> = fields
            .into_iter()
            .enumerate()
            .map(|(i, (name, ty))| hir::Field {
                name,
                ty,
                offset: Offset::Fixed(object::field_offset(i as u32)),
                access: Access::Private,
                mutable: true,
            })
            .collect();
        let size = object::size(fields.len() as u32);
        self.classes.push(hir::Class {
            type_info: mangle::symbol(&self.module, &[&name, "$ti"]),
            name,
            builtin: false,
            imported_from: None,
            origin: None,
            base: Some(OBJECT),
            display: vec![OBJECT, id],
            fields,
            size,
            vtable: self.classes[OBJECT].vtable.clone(),
            layout: Layout::Fixed,
            init: None,
            visibility: Visibility::Local,
            open: false,
            file: span.file.0,
            conforms: Vec::new(),
            type_params: Vec::new(),
            desc_fields: Vec::new(),
        });
        self.class_info.push(ClassInfo::new(span, None, true, Access::Private));
        id
    }
}

impl Checker<'_> {
    /// The arguments of a call of function `id`: when it is an `extern fn`,
    /// each function value becomes the C code C is handed (a located error
    /// for a closure written there that captures; at run time an error for
    /// one that arrives in a variable).
    pub(crate) fn c_boundary_args(&mut self, id: hir::FuncId, args: Vec<Expr>, written: &[ast::Expr]) -> Vec<Expr> {
        if !self.funcs[id].extern_c {
            return args;
        }
        args.into_iter().enumerate().map(|(i, a)| self.c_code(a, written.get(i).map(|w| w.span))).collect()
    }

    /// A function value as C code (see [`Self::c_boundary_args`]).
    pub(crate) fn c_code(&mut self, a: Expr, span: Option<Span>) -> Expr {
        if !matches!(a.ty, Ty::Fn(..)) {
            return a;
        }
        if let (ExprKind::Closure { .. }, Some(span)) = (&a.kind, span) {
            self.error_hint(
                span,
                "a closure that captures variables cannot be passed to C or `spawn`",
                "C calls a plain function: capture nothing, and pass state through a `CPointer` (`handleOf`)",
            );
        }
        Expr::new(ExprKind::Rt { func: tess_abi::RuntimeFn::CCode, args: vec![a] }, Ty::CPointer)
    }

    /// In an `extern fn` definition (called by C): each parameter of a
    /// function type arrives as a C function pointer, and is made a
    /// function value under the same name.
    pub(crate) fn c_function_params(&mut self, params: &[ast::Param], locals: &[hir::LocalId], out: &mut Vec<Stmt>) {
        for (p, &l) in params.iter().zip(locals) {
            let ty = self.body.locals[l].ty.clone();
            if matches!(ty, Ty::Fn(..)) {
                let raw = Expr::new(ExprKind::Local(l), ty.clone());
                let wrapped = Expr::new(ExprKind::CFunction(Box::new(raw)), ty.clone());
                self.declare_var(&p.name, ty, false, wrapped, out);
            }
        }
    }
}

/// The names used inside the closures of a body (over-approximated: every
/// name a closure mentions): `var`s of these names live in cells.
pub(crate) fn closure_names<'a>(stmts: impl IntoIterator<Item = &'a ast::Stmt>) -> Rc<HashSet<String>> {
    let mut names = HashSet::new();
    for s in stmts {
        walk_stmt(s, false, &mut names);
    }
    Rc::new(names)
}

fn walk_block(b: &ast::Block, inside: bool, names: &mut HashSet<String>) {
    for s in &b.stmts {
        walk_stmt(s, inside, names);
    }
}

fn walk_stmt(s: &ast::Stmt, inside: bool, names: &mut HashSet<String>) {
    match s {
        ast::Stmt::Let(v) => {
            if let Some(e) = &v.init {
                walk_expr(e, inside, names);
            }
        }
        ast::Stmt::Assign { target, value, .. } => {
            walk_expr(target, inside, names);
            walk_expr(value, inside, names);
        }
        ast::Stmt::Expr(e) | ast::Stmt::Throw(e, _) | ast::Stmt::Return(Some(e), _) => walk_expr(e, inside, names),
        ast::Stmt::If { cond, then, els, .. } => {
            match cond {
                ast::Cond::Expr(e) | ast::Cond::Let(_, e) => walk_expr(e, inside, names),
            }
            walk_block(then, inside, names);
            if let Some(e) = els {
                walk_stmt(e, inside, names);
            }
        }
        ast::Stmt::While { cond, body, .. } => {
            walk_expr(cond, inside, names);
            walk_block(body, inside, names);
        }
        ast::Stmt::For { iter, body, .. } => {
            walk_expr(iter, inside, names);
            walk_block(body, inside, names);
        }
        ast::Stmt::Try { body, catches, finally, .. } => {
            walk_block(body, inside, names);
            for c in catches {
                walk_block(&c.body, inside, names);
            }
            if let Some(f) = finally {
                walk_block(f, inside, names);
            }
        }
        ast::Stmt::Block(b) => walk_block(b, inside, names),
        ast::Stmt::Match { scrutinee, arms, .. } => {
            walk_expr(scrutinee, inside, names);
            for a in arms {
                if let Some(g) = &a.guard {
                    walk_expr(g, inside, names);
                }
                walk_block(&a.body, inside, names);
            }
        }
        ast::Stmt::Break(_) | ast::Stmt::Continue(_) | ast::Stmt::Return(None, _) => {}
    }
}

fn walk_expr(e: &ast::Expr, inside: bool, names: &mut HashSet<String>) {
    use ast::ExprKind as K;
    match &e.kind {
        K::Name(n) if inside => {
            names.insert(n.clone());
        }
        K::Closure(c) => walk_block(&c.body, true, names),
        K::Str(segs) => {
            for s in segs {
                if let ast::StrSeg::Expr(e) = s {
                    walk_expr(e, inside, names);
                }
            }
        }
        K::Array(es) => es.iter().for_each(|e| walk_expr(e, inside, names)),
        K::Map(pairs) => pairs.iter().for_each(|(k, v)| {
            walk_expr(k, inside, names);
            walk_expr(v, inside, names);
        }),
        K::Call(f, args) => {
            walk_expr(f, inside, names);
            args.iter().for_each(|e| walk_expr(e, inside, names));
        }
        K::Index(a, b) | K::Binary(_, a, b) | K::Range { lo: a, hi: b, .. } => {
            walk_expr(a, inside, names);
            walk_expr(b, inside, names);
        }
        K::Member(a, _)
        | K::OptMember(a, _)
        | K::Unwrap(a)
        | K::Unary(_, a)
        | K::Is(a, _)
        | K::As(a, _)
        | K::AsOpt(a, _) => walk_expr(a, inside, names),
        _ => {}
    }
}
