//! Generic classes (LANGUAGE.md §7): `class Stack[T] { ... }` compiled
//! once. An instance holds its type arguments' descriptors in its first
//! fields (`$T`...), which its methods read into their own descriptors, so
//! a `T` field or a `[T]` is traced exactly when `T` is a reference type
//! (`docs/abi.md`, generics); an `Int` in a `Stack[Int]` is stored as it
//! is. Outside the class, an instance's type is `Ty::Generic`: its
//! members' types with the type arguments put in, a bare `T` passed and
//! read as a word.

use crate::checker::{error_expr, Checker};
use crate::generics::substitute;
use crate::hir::{self, Callee, Expr, ExprKind, LocalId, Offset, Stmt};
use crate::tables::TypeParamInfo;
use crate::ty::{ClassId, Instance, Ty};
use std::rc::Rc;
use tess_abi::layout::object;
use tess_abi::mangle;
use tess_syntax::ast::{self, Access};
use tess_syntax::Span;

impl Checker<'_> {
    /// Resolves each generic class's type parameters (after every class
    /// and interface is declared by name, before bases and interfaces);
    /// a generic class is not `open` (yet).
    pub(crate) fn declare_class_type_params(&mut self, files: &[ast::File]) {
        for id in 0..self.classes.len() {
            let Some((fi, ii)) = self.class_info[id].decl else { continue };
            let ast::Item::Class(c) = &files[fi].items[ii] else { continue };
            if c.type_params.is_empty() {
                continue;
            }
            let tps = self.resolve_type_params(&c.type_params);
            self.type_scope = Default::default();
            if c.mods.open.is_some() {
                self.error_hint(c.name.span, "a generic class cannot be `open` yet", "remove `open`");
                self.classes[id].open = false;
            }
            self.classes[id].type_params = tps.iter().map(|p| (p.name.clone(), p.bounds.clone())).collect();
            self.classes[id].desc_fields = (0..tps.len() as u32).collect();
            self.class_info[id].type_params = tps;
        }
    }

    /// Before a generic class's own fields: one hidden field per type
    /// parameter, holding its descriptor.
    pub(crate) fn descriptor_fields(&mut self, id: ClassId) {
        let tps = self.class_info[id].type_params.clone();
        let class_name = self.classes[id].name.clone();
        for p in tps.iter() {
            let index = self.classes[id].fields.len();
            let name = format!("${}", p.name);
            let offset = match self.classes[id].layout {
                hir::Layout::Fixed => Offset::Fixed(object::field_offset(index as u32)),
                _ => Offset::Cell(mangle::field_offset(&self.module, &class_name, &name).into()),
            };
            // Public: other modules construct instances and store it (no
            // source can name `$T`).
            self.classes[id].fields.push(hir::Field {
                name,
                ty: Ty::CPointer,
                offset,
                access: Access::Public,
                mutable: false,
            });
        }
    }

    /// In a method or `init` of a generic class: its descriptors read from
    /// `self` into locals, which the body's `T`s use.
    pub(crate) fn class_descriptors(&mut self, class: ClassId, this: LocalId, out: &mut Vec<Stmt>) -> Vec<LocalId> {
        let tps = self.class_info[class].type_params.clone();
        let mut locals = Vec::new();
        for (k, p) in tps.iter().enumerate() {
            let local = self.new_local(&format!("<{}>", p.name), Ty::CPointer);
            let field = self.classes[class].fields[k].offset.clone();
            let read = Expr::new(
                ExprKind::Field(Box::new(Expr::new(ExprKind::Local(this), self.class_ty(class))), field),
                Ty::CPointer,
            );
            out.push(Stmt::Let(local, Box::new(read)));
            locals.push(local);
        }
        self.type_scope = tps;
        locals
    }

    /// Whether `class` is generic.
    pub(crate) fn is_generic_class(&self, class: ClassId) -> bool {
        !self.class_info[class].type_params.is_empty()
    }

    /// The type of instances of generic `class` with `args`, checked
    /// against the class's parameters (count and bounds).
    pub(crate) fn instance_ty(&mut self, class: ClassId, args: Vec<Ty>, span: Span) -> Ty {
        let tps = self.class_info[class].type_params.clone();
        let name = self.classes[class].name.clone();
        let hint = || format!("write `{name}[{}]`", tps.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", "));
        if !self.type_arg_count(&format!("`{name}`"), tps.len(), args.len(), span, hint) {
            return Ty::Error;
        }
        self.check_bounds(&tps, &args, span, &format!("`{name}`"));
        Ty::Generic(class, Rc::new(Instance { name, args }))
    }

    /// That each type argument implements its parameter's bounds (which
    /// may name the parameters: `T: Comparable[T]`).
    pub(crate) fn check_bounds(&mut self, tps: &[TypeParamInfo], args: &[Ty], span: Span, what: &str) {
        let subst: Vec<Option<Ty>> = args.iter().cloned().map(Some).collect();
        for (p, t) in tps.iter().zip(args) {
            for b in &p.bounds {
                let bound = substitute(b, &subst, false);
                if *t != Ty::Error && !self.fits(t, &bound) {
                    self.error_hint(
                        span,
                        format!("{t} does not implement `{bound}`, which `{}` of {what} requires", p.name),
                        format!("declare `class ... : {bound}` on the class, or use another type"),
                    );
                }
            }
        }
    }

    /// `Stack[Int](args)`, or `Stack(args)` where `Stack[Int]` is expected.
    pub(crate) fn construct_generic(
        &mut self,
        class: ClassId,
        type_args: Option<Vec<Ty>>,
        args: &[ast::Expr],
        span: Span,
        expected: Option<&Ty>,
    ) -> Expr {
        let name = self.classes[class].name.clone();
        let type_args = match (type_args, expected) {
            (Some(t), _) => t,
            (None, Some(Ty::Generic(c, inst))) if *c == class => inst.args.clone(),
            (None, Some(Ty::Optional(o))) if matches!(&**o, Ty::Generic(c, _) if *c == class) => {
                let Ty::Generic(_, inst) = &**o else { return error_expr() };
                inst.args.clone()
            }
            _ => {
                self.error_hint(
                    span,
                    format!("the type arguments of `{name}` are unknown"),
                    format!("write them: `{name}[Int](...)`"),
                );
                for a in args {
                    self.expr(a, None);
                }
                return error_expr();
            }
        };
        // The type arguments come from a type already resolved (and checked).
        let ty = Ty::Generic(class, Rc::new(Instance { name: name.clone(), args: type_args.clone() }));
        let Some(params) = self.class_info[class].init_params.clone() else {
            self.report_hidden_init(class, span);
            return error_expr();
        };
        self.check_init_access(class, span);
        let subst: Vec<Option<Ty>> = type_args.iter().cloned().map(Some).collect();
        let concrete: Vec<Ty> = params.iter().map(|p| substitute(p, &subst, false)).collect();
        let checked = self.args(args, &concrete, span, &format!("`{name}(...)`"));
        let args = checked
            .into_iter()
            .zip(params.iter().zip(&concrete))
            .map(|(e, (p, c))| word_if_param(self.adapt_fn(e, p, c, false, span), p))
            .collect();
        let descs = (0..type_args.len())
            .map(|k| (self.classes[class].fields[k].offset.clone(), self.type_desc(&type_args[k])))
            .collect();
        Expr::new(ExprKind::New { class, args, descs }, ty)
    }

    /// `o.name` of an instance of a generic class: the field read with the
    /// type arguments put in.
    pub(crate) fn generic_member(&mut self, o: Expr, class: ClassId, inst: &Instance, name: &ast::Ident) -> Expr {
        let as_class = Expr::new(o.kind, self.class_ty(class));
        let e = self.member_of(as_class, name, false);
        self.instantiate(e, &inst.args, name.span)
    }

    /// `o.name(args)` on an instance of a generic class.
    pub(crate) fn generic_method_call(
        &mut self,
        recv: Expr,
        class: ClassId,
        inst: &Instance,
        name: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
    ) -> Expr {
        let Some(m) = self.find_method(class, &name.name) else {
            // A default body of an interface the class implements.
            if let Some(i) = self.interface_with_default(class, &name.name) {
                let subst: Vec<Option<Ty>> = inst.args.iter().cloned().map(Some).collect();
                let declared = self.declared_iface_args(class, i);
                let iface_args: Vec<Ty> = declared.iter().map(|t| substitute(t, &subst, false)).collect();
                let as_iface = Expr::new(recv.kind, self.iface_instance(i, iface_args.clone()));
                return self.interface_call(as_iface, i, &iface_args, name, args, span);
            }
            self.error_hint(name.span, format!("`{}` has no method `{}`", inst.name, name.name), "check the name");
            for a in args {
                self.expr(a, None);
            }
            return error_expr();
        };
        self.check_access(m.access, m.owner, m.span, name.span, &format!("method `{}`", name.name));
        let subst: Vec<Option<Ty>> = inst.args.iter().cloned().map(Some).collect();
        let concrete: Vec<Ty> = m.sig.params.iter().map(|p| substitute(p, &subst, false)).collect();
        let checked = self.args(args, &concrete, span, &format!("`{}.{}`", inst.name, name.name));
        let mut all = vec![Expr::new(recv.kind, self.class_ty(class))];
        for (e, (p, c)) in checked.into_iter().zip(m.sig.params.iter().zip(&concrete)) {
            let e = self.adapt_fn(e, p, c, false, span);
            all.push(word_if_param(e, p));
        }
        // A generic class has no subclasses: every call is direct.
        let callee: Callee = m.callee.clone();
        let call = Expr::new(ExprKind::CallDirect(callee, all.into()), m.sig.ret.clone());
        self.instantiate(call, &inst.args, span)
    }

    /// A member's value with the type arguments put in: a bare `T` read
    /// back from its word, a function of `T` adapted where `T` is `Float`.
    fn instantiate(&mut self, e: Expr, args: &[Ty], span: Span) -> Expr {
        let subst: Vec<Option<Ty>> = args.iter().cloned().map(Some).collect();
        match &e.ty {
            Ty::Param(..) => {
                let ty = substitute(&e.ty, &subst, false);
                Expr::new(ExprKind::FromWord(Box::new(Expr::new(e.kind, Ty::Int))), ty)
            }
            t if t.has_param() => {
                let declared = t.clone();
                let ty = substitute(t, &subst, false);
                let e = Expr::new(e.kind, ty.clone());
                self.adapt_fn(e, &declared, &ty, true, span)
            }
            _ => e,
        }
    }
}

/// An argument for a parameter declared `T` is passed as a word.
pub(crate) fn word_if_param(e: Expr, declared: &Ty) -> Expr {
    match declared {
        Ty::Param(..) => crate::builtins::word(e),
        _ => e,
    }
}

/// `Stack[Int]` written as an expression (a callee), read as a type; `None`
/// for anything that is not a name with type arguments.
pub(crate) fn as_type(e: &ast::Expr) -> Option<ast::TypeExpr> {
    let parts = match &e.kind {
        ast::ExprKind::Index(base, _) | ast::ExprKind::Apply(base, _) => name_parts(base)?,
        _ => return None,
    };
    Some(ast::TypeExpr::Generic(parts, type_args_of(e)?, e.span))
}

/// The type arguments of `Name[A, B]` written as an expression.
pub(crate) fn type_args_of(e: &ast::Expr) -> Option<Vec<ast::TypeExpr>> {
    let args = match &e.kind {
        ast::ExprKind::Index(_, arg) => std::slice::from_ref(&**arg),
        ast::ExprKind::Apply(_, args) => args.as_slice(),
        _ => return None,
    };
    args.iter().map(expr_type).collect()
}

fn name_parts(e: &ast::Expr) -> Option<Vec<ast::Ident>> {
    match &e.kind {
        ast::ExprKind::Name(n) => Some(vec![ast::Ident { name: n.clone(), span: e.span }]),
        ast::ExprKind::Member(o, n) => {
            let mut parts = name_parts(o)?;
            parts.push(n.clone());
            Some(parts)
        }
        _ => None,
    }
}

/// A type argument written as an expression: a (qualified) name, `[T]`,
/// or a generic class's own `Name[T]`.
fn expr_type(e: &ast::Expr) -> Option<ast::TypeExpr> {
    match &e.kind {
        ast::ExprKind::Array(items) if items.len() == 1 => {
            Some(ast::TypeExpr::Array(Box::new(expr_type(&items[0])?), e.span))
        }
        ast::ExprKind::Index(..) | ast::ExprKind::Apply(..) => as_type(e),
        _ => Some(ast::TypeExpr::Named(name_parts(e)?)),
    }
}

impl Checker<'_> {
    /// Resolves `t` when `base` names a generic class; anything else
    /// (an array or map indexed in a callee) is left to the caller,
    /// without errors.
    pub(crate) fn resolve_type_quiet(&mut self, t: &ast::TypeExpr, base: &ast::Expr) -> Ty {
        if self.names_generic_class(base) {
            self.resolve_type(t)
        } else {
            Ty::Error
        }
    }

    /// The generic function `base` (a callee's) names, with how messages
    /// name it: `f`, or `m.f` of an imported module.
    pub(crate) fn generic_fn_named(&self, base: &ast::Expr) -> Option<(crate::hir::FuncId, String)> {
        let parts = name_parts(base)?;
        let (id, what) = match parts.as_slice() {
            [n] if !self.is_local_name(&n.name) => (self.fn_names.get(&n.name)?.0, format!("`{}`", n.name)),
            [m, n] if self.is_module_name(&m.name) => {
                (*self.modules[&m.name].funcs.get(&n.name)?, format!("`{}.{}`", m.name, n.name))
            }
            _ => return None,
        };
        self.generics.contains_key(&id).then_some((id, what))
    }

    /// Whether `base` (a callee's) names a generic class (or `Set`, when
    /// no class of that name hides it).
    pub(crate) fn names_generic_class(&self, base: &ast::Expr) -> bool {
        let Some(parts) = name_parts(base) else { return false };
        if let [n] = parts.as_slice() {
            if n.name == "Set" && !self.is_local_name(&n.name) && !self.class_names.contains_key("Set") {
                return true;
            }
        }
        let class = match parts.as_slice() {
            [n] if !self.is_local_name(&n.name) => self.class_names.get(&n.name).copied(),
            [m, n] if self.is_module_name(&m.name) => self.modules[&m.name].classes.get(&n.name).copied(),
            _ => None,
        };
        class.is_some_and(|c| self.is_generic_class(c))
    }
}
