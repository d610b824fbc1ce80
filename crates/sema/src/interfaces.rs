//! Interfaces (LANGUAGE.md §7): declarations, default bodies, which
//! classes implement which interface, calls through an interface, and
//! `is`/`as`/`as?` with one. A value of an interface type is the object
//! itself; a call finds its code in the table the runtime builds, by
//! method name, for the object's class and the interface (`docs/abi.md`,
//! interfaces) — so a class of one module implements an interface of
//! another, and an interface may gain methods with default bodies.

use crate::body::BodyKind;
use crate::checker::{error_expr, top_visibility, Checker};
use crate::expr::CastKind;
use crate::generic_classes::word_if_param;
use crate::generics::substitute;
use crate::hir::{self, Expr, ExprKind, IfaceMethod, Impl, Offset};
use crate::tables::{Sig, TypeParamInfo};
use crate::ty::{ClassId, IfaceId, Instance, Ty};
use std::rc::Rc;
use tess_abi::mangle;
use tess_syntax::ast;
use tess_syntax::{Diagnostic, Span};

/// The module name standard-library interfaces are recorded under.
const STD: &str = "std";

impl Checker<'_> {
    /// The interfaces the standard library declares (`Hashable`,
    /// `Comparable[T]`), whose descriptors are the runtime's; a module's
    /// own interface of the same name hides one.
    pub(crate) fn add_std_interfaces(&mut self) {
        for &(name, methods) in tess_abi::runtime_fns::STD_INTERFACES {
            let id = self.interfaces.len();
            let generic = name == "Comparable";
            let t = Ty::Param(0, Rc::new("T".into()));
            let methods = methods.iter().enumerate().map(|(k, &m)| {
                let (params, ret) = match m {
                    "hash" => (vec![], Ty::Int),
                    "equals" => (vec![Ty::Any], Ty::Bool),
                    _ => (vec![t.clone()], Ty::Int),
                };
                let slot = Offset::Fixed(8 * k as u32);
                IfaceMethod { name: m.into(), params, ret, default: None, has_default: false, slot, origin: None }
            });
            self.interfaces.push(hir::Interface {
                name: name.into(),
                descriptor: tess_abi::runtime_fns::std_interface_descriptor(name),
                type_params: if generic { vec!["T".into()] } else { Vec::new() },
                supers: Vec::new(),
                methods: methods.collect(),
                imported_from: Some(STD.into()),
                origin: None,
                visibility: hir::Visibility::Export,
                file: 0,
            });
            self.iface_names.insert(name.into(), (id, Span::default()));
            self.imported_ifaces.insert(format!("{STD}.{name}"), id);
        }
    }

    /// The standard library's interface `name`.
    fn std_iface(&self, name: &str) -> Option<IfaceId> {
        self.imported_ifaces.get(&format!("{STD}.{name}")).copied()
    }

    /// Types a map may use as keys: `Int`, `Bool`, `String`, and classes
    /// (or interfaces) implementing the standard `Hashable`.
    pub(crate) fn is_map_key(&self, t: &Ty) -> bool {
        let hashable = self.std_iface("Hashable");
        matches!(t, Ty::Int | Ty::Str | Ty::Bool) || hashable.is_some_and(|i| self.fits(t, &self.iface_ty(i)))
    }

    /// Declares this module's interfaces by name (class headers name them).
    pub(crate) fn declare_interface_names(&mut self, files: &[ast::File]) {
        for (fi, file) in files.iter().enumerate() {
            for item in &file.items {
                let ast::Item::Interface(i) = item else { continue };
                let name = &i.name.name;
                let std = self.iface_names.get(name).is_some_and(|&(id, _)| self.std_iface(name) == Some(id));
                if let Some(&(_, first)) = self.iface_names.get(name).filter(|_| !std) {
                    let d = Diagnostic::error(i.name.span, format!("interface `{name}` is declared twice"))
                        .with_note(first, "first declared here");
                    self.diags.push(d);
                    continue;
                }
                if let Some(&c) = self.class_names.get(name) {
                    let d = Diagnostic::error(i.name.span, format!("`{name}` is already a class"))
                        .with_note(self.class_info[c].span, "declared here");
                    self.diags.push(d);
                    continue;
                }
                self.check_top_level_access(&i.mods);
                let id = self.interfaces.len();
                self.interfaces.push(hir::Interface {
                    name: name.clone(),
                    descriptor: mangle::interface_descriptor(&self.module, name),
                    type_params: i.type_params.iter().map(|p| p.name.name.clone()).collect(),
                    supers: Vec::new(),
                    methods: Vec::new(),
                    imported_from: None,
                    origin: None,
                    visibility: top_visibility(&i.mods),
                    file: fi as u32,
                });
                self.iface_names.insert(name.clone(), (id, i.name.span));
            }
        }
    }

    /// Resolves each interface's methods and declares the functions of
    /// their default bodies (receiver first, of the interface's type).
    pub(crate) fn declare_interface_methods(&mut self, files: &[ast::File]) {
        for file in files {
            for item in &file.items {
                let ast::Item::Interface(i) = item else { continue };
                let Some(&(id, span)) = self.iface_names.get(&i.name.name) else { continue };
                if span != i.name.span {
                    continue;
                }
                self.type_scope = self.resolve_type_params(&i.type_params);
                for t in &i.supers {
                    match self.resolve_type(t) {
                        Ty::Interface(j, _) if j == id => {
                            self.error(t.span(), format!("interface `{}` cannot extend itself", i.name.name))
                        }
                        sup @ Ty::Interface(..) => self.interfaces[id].supers.push(sup),
                        Ty::Error => {}
                        other => self.error_hint(
                            t.span(),
                            format!("{other} is not an interface"),
                            "an interface extends interfaces only",
                        ),
                    }
                }
                for p in i.type_params.iter().filter(|p| !p.bounds.is_empty()) {
                    self.error_hint(
                        p.name.span,
                        "an interface's type parameter cannot have bounds yet",
                        "bound the type parameters of the functions and classes that use it",
                    );
                }
                for m in &i.methods {
                    if self.interfaces[id].methods.iter().any(|x| x.name == m.name.name) {
                        self.error(m.name.span, format!("method `{}` is declared twice", m.name.name));
                        continue;
                    }
                    let params: Vec<Ty> = m.params.iter().map(|p| self.resolve_type(&p.ty)).collect();
                    let ret = m.ret.as_ref().map_or(Ty::Void, |r| self.resolve_type(r));
                    let default = m.body.is_some().then(|| {
                        let mut all = vec![self.iface_ty(id)];
                        all.extend(params.iter().cloned());
                        let visibility = self.interfaces[id].visibility;
                        let f = self.new_func(
                            &format!("{}.{}", i.name.name, m.name.name),
                            mangle::symbol(&self.module, &[&i.name.name, &m.name.name]),
                            all,
                            ret.clone(),
                            visibility,
                        );
                        self.funcs[f].file = self.interfaces[id].file;
                        f
                    });
                    let k = self.interfaces[id].methods.len() as u32;
                    self.interfaces[id].methods.push(IfaceMethod {
                        name: m.name.name.clone(),
                        params,
                        ret,
                        default,
                        has_default: default.is_some(),
                        slot: Offset::Fixed(8 * k),
                        origin: None,
                    });
                }
                self.type_scope = Default::default();
            }
        }
    }

    /// Checks the default bodies of an interface.
    pub(crate) fn interface_bodies(&mut self, i: &ast::InterfaceDecl) {
        let Some(&(id, span)) = self.iface_names.get(&i.name.name) else { return };
        if span != i.name.span {
            return;
        }
        for m in &i.methods {
            let Some(f) = self.interfaces[id].methods.iter().find(|x| x.name == m.name.name).and_then(|x| x.default)
            else {
                continue;
            };
            self.body_fn = Some(f);
            let own = self.interfaces[id].type_params.iter();
            self.type_scope = Rc::new(own.map(|n| TypeParamInfo { name: n.clone(), bounds: Vec::new() }).collect());
            self.function_body(f, m, BodyKind::Method, None);
            self.type_scope = Default::default();
            self.body.self_iface = None;
            // Called through any class's table, a default body has no type
            // descriptor: it may not hold a bare value of the interface's
            // type parameter (`[T]`, `T?` and instances are references).
            let func = &self.funcs[f];
            let bare = |t: &Ty| matches!(t, Ty::Param(..));
            if func.locals.iter().any(|l| bare(&l.ty)) || stmts_hold(&func.body, &bare) {
                let t = &self.interfaces[id].type_params[0];
                self.error_hint(
                    m.name.span,
                    format!("a default body of a generic interface cannot handle values of `{t}` yet"),
                    "declare it without a body and implement it in each class",
                );
            }
        }
    }

    /// The type of values of interface `id`; a generic one's instance of
    /// its own parameters.
    pub(crate) fn iface_ty(&self, id: IfaceId) -> Ty {
        let own = self.interfaces[id].type_params.iter().enumerate();
        let args = own.map(|(k, name)| Ty::Param(k as u32, Rc::new(name.clone()))).collect();
        self.iface_instance(id, args)
    }

    /// The type of values of interface `id` with type arguments `args`.
    pub(crate) fn iface_instance(&self, id: IfaceId, args: Vec<Ty>) -> Ty {
        Ty::Interface(id, Rc::new(Instance { name: self.interfaces[id].name.clone(), args }))
    }

    /// `I[args]` written in a type: the count checked.
    pub(crate) fn generic_iface_ty(&mut self, id: IfaceId, args: Vec<Ty>, span: Span) -> Ty {
        let want = &self.interfaces[id].type_params;
        if want.len() != args.len() {
            let name = self.interfaces[id].name.clone();
            let hint = match want.is_empty() {
                true => format!("write `{name}`"),
                false => format!("write `{name}[{}]`", want.join(", ")),
            };
            self.type_arg_count(&format!("`{name}`"), want.len(), args.len(), span, || hint);
            return Ty::Error;
        }
        self.iface_instance(id, args)
    }

    /// For each class that names interfaces: that it implements each (its
    /// methods, own or inherited, match; the rest have default bodies),
    /// and with what — its `conforms`.
    pub(crate) fn check_conformances(&mut self) {
        self.check_interface_cycles();
        for class in 0..self.classes.len() {
            let declared = self.class_info[class].interfaces.clone();
            let mut done: Vec<IfaceId> = declared.iter().map(|(i, _, _)| *i).collect();
            for (iface, args, span) in declared {
                let conformance = self.conformance(class, iface, &args, span);
                self.classes[class].conforms.push(conformance);
                // What it extends, implemented by the same methods.
                for (sup, sup_args) in self.iface_supers(iface, &args) {
                    if !done.contains(&sup) {
                        done.push(sup);
                        let conformance = self.conformance(class, sup, &sup_args, span);
                        self.classes[class].conforms.push(conformance);
                    }
                }
            }
        }
    }

    /// An interface that extends itself through others is an error (its
    /// supers are cut so that nothing loops).
    fn check_interface_cycles(&mut self) {
        for id in 0..self.interfaces.len() {
            let args: Vec<Ty> = Vec::new();
            if self.iface_supers(id, &args).iter().any(|(j, _)| *j == id) {
                let span = self.iface_names.get(&self.interfaces[id].name).map_or(Span::default(), |&(_, s)| s);
                self.error(span, format!("interface `{}` extends itself", self.interfaces[id].name));
                self.interfaces[id].supers.clear();
            }
        }
    }

    /// The interfaces `iface` with type arguments `args` extends, directly
    /// or through others, each with its type arguments.
    pub(crate) fn iface_supers(&self, iface: IfaceId, args: &[Ty]) -> Vec<(IfaceId, Vec<Ty>)> {
        let mut out: Vec<(IfaceId, Vec<Ty>)> = Vec::new();
        let mut todo = vec![(iface, args.to_vec())];
        while let Some((i, a)) = todo.pop() {
            let subst: Vec<Option<Ty>> = a.iter().cloned().map(Some).collect();
            for sup in &self.interfaces[i].supers {
                if let Ty::Interface(j, inst) = substitute(sup, &subst, false) {
                    if !out.iter().any(|(k, _)| *k == j) {
                        out.push((j, inst.args.clone()));
                        todo.push((j, inst.args.clone()));
                    }
                }
            }
        }
        out
    }

    /// The interface (`iface` or one it extends) that declares method
    /// `name`, with its type arguments.
    pub(crate) fn iface_declaring(&self, iface: IfaceId, args: &[Ty], name: &str) -> Option<(IfaceId, Vec<Ty>)> {
        let declares = |i: IfaceId| self.interfaces[i].methods.iter().any(|m| m.name == name);
        if declares(iface) {
            return Some((iface, args.to_vec()));
        }
        self.iface_supers(iface, args).into_iter().find(|(i, _)| declares(*i))
    }

    fn conformance(&mut self, class: ClassId, iface: IfaceId, args: &[Ty], span: Span) -> hir::Conformance {
        let cname = self.classes[class].name.clone();
        let iname = self.iface_instance(iface, args.to_vec()).to_string();
        let subst: Vec<Option<Ty>> = args.iter().cloned().map(Some).collect();
        let mut methods = Vec::new();
        for m in self.interfaces[iface].methods.clone() {
            let want = Sig {
                params: m.params.iter().map(|p| substitute(p, &subst, false)).collect(),
                ret: substitute(&m.ret, &subst, false),
            };
            if floats_in_params(&m, &want) {
                self.error_hint(
                    span,
                    format!(
                        "`{cname}` cannot implement `{iname}.{}` with a `Float` in place of a type parameter yet",
                        m.name
                    ),
                    "wrap the `Float` in a class",
                );
                continue;
            }
            let shown = Ty::Fn(Box::new(want.params.clone()), Box::new(want.ret.clone()));
            match self.find_method(class, &m.name) {
                Some(found) if found.sig.params == want.params && found.sig.ret == want.ret => {
                    let code = match (&found.slot, found.is_final) {
                        (Some(slot), false) => Impl::Slot(slot.clone()),
                        _ => Impl::Direct(found.callee.clone()),
                    };
                    methods.push((m.name.clone(), code));
                }
                Some(found) => {
                    let have = Ty::Fn(Box::new(found.sig.params.clone()), Box::new(found.sig.ret.clone()));
                    self.diags.push(
                        Diagnostic::error(
                            found.span,
                            format!("`{cname}.{}` does not match `{iname}.{}`", m.name, m.name),
                        )
                        .with_note(span, format!("`{cname}` implements `{iname}` here"))
                        .with_hint(format!("`{iname}` needs `{shown}`, this is `{have}`")),
                    );
                }
                None if m.has_default => {}
                None => {
                    let params: Vec<String> = m.params.iter().enumerate().map(|(i, t)| format!("p{i}: {t}")).collect();
                    let ret = if m.ret == Ty::Void { String::new() } else { format!(" -> {}", m.ret) };
                    self.error_hint(
                        span,
                        format!("class `{cname}` does not implement `{iname}.{}`", m.name),
                        format!("add `public fn {}({}){ret} {{ ... }}` to `{cname}`", m.name, params.join(", ")),
                    );
                }
            }
        }
        hir::Conformance { iface, args: args.to_vec(), methods }
    }

    /// Whether instances of `class` (of a generic class: with type
    /// arguments `class_args`) implement `iface` with type arguments
    /// `args` (it or an ancestor says so).
    pub(crate) fn implements(&self, class: ClassId, class_args: &[Ty], iface: IfaceId, args: &[Ty]) -> bool {
        let subst: Vec<Option<Ty>> = class_args.iter().cloned().map(Some).collect();
        self.ancestors(class).any(|c| {
            self.class_info[c].interfaces.iter().any(|(i, declared, _)| {
                let declared: Vec<Ty> = declared.iter().map(|d| substitute(d, &subst, false)).collect();
                (*i == iface && declared == args)
                    || self.iface_supers(*i, &declared).iter().any(|(j, a)| *j == iface && a == args)
            })
        })
    }

    /// The type arguments with which `class` (or an ancestor) implements
    /// `iface`, directly or through an interface that extends it, in the
    /// class's own type parameters.
    pub(crate) fn declared_iface_args(&self, class: ClassId, iface: IfaceId) -> Vec<Ty> {
        self.ancestors(class)
            .flat_map(|c| self.class_info[c].interfaces.iter())
            .find_map(|(i, args, _)| {
                if *i == iface {
                    return Some(args.clone());
                }
                self.iface_supers(*i, args).into_iter().find(|(j, _)| *j == iface).map(|(_, a)| a)
            })
            .unwrap_or_default()
    }

    /// An interface implemented by `class` (or an ancestor) with a method
    /// `name` that has a default body: what `obj.name()` calls when the
    /// class does not define it.
    pub(crate) fn interface_with_default(&self, class: ClassId, name: &str) -> Option<IfaceId> {
        self.ancestors(class)
            .flat_map(|c| self.class_info[c].interfaces.iter())
            .flat_map(|(i, args, _)| std::iter::once(*i).chain(self.iface_supers(*i, args).into_iter().map(|(j, _)| j)))
            .find(|&i| self.interfaces[i].methods.iter().any(|m| m.name == name && m.has_default))
    }

    /// `recv.name(args)` where `recv` is of interface type `iface` with
    /// type arguments `type_args`: a parameter or result of a type
    /// parameter goes as a word, as to a generic function.
    pub(crate) fn interface_call(
        &mut self,
        recv: Expr,
        iface: IfaceId,
        type_args: &[Ty],
        name: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
    ) -> Expr {
        if let Some((declaring, args_there)) = self.iface_declaring(iface, type_args, &name.name) {
            if declaring != iface {
                return self.interface_call(recv, declaring, &args_there, name, args, span);
            }
        }
        let iname = self.interfaces[iface].name.clone();
        let Some(m) = self.interfaces[iface].methods.iter().find(|m| m.name == name.name).cloned() else {
            self.error_hint(
                name.span,
                format!("interface `{iname}` has no method `{}`", name.name),
                "an interface's value has only the interface's methods: cast with `as` for the class's",
            );
            for a in args {
                self.expr(a, None);
            }
            return error_expr();
        };
        self.note_use(self.interfaces[iface].origin.as_ref());
        self.note_use(m.origin.as_ref());
        let subst: Vec<Option<Ty>> = type_args.iter().cloned().map(Some).collect();
        let params: Vec<Ty> = m.params.iter().map(|p| substitute(p, &subst, false)).collect();
        let mut all = vec![recv];
        let checked = self.args(args, &params, span, &format!("`{iname}.{}`", m.name));
        all.extend(checked.into_iter().zip(&m.params).map(|(e, declared)| word_if_param(e, declared)));
        let ret = substitute(&m.ret, &subst, false);
        let word = matches!(m.ret, Ty::Param(..));
        let call = Expr::new(
            ExprKind::CallInterface { iface, slot: m.slot.clone(), args: all.into() },
            if word { Ty::Int } else { ret.clone() },
        );
        match word {
            true => Expr::new(ExprKind::FromWord(Box::new(call)), ret),
            false => call,
        }
    }

    /// `value is I`, `value as I`, `value as? I` (`value` an object).
    pub(crate) fn interface_cast(&mut self, value: Expr, iface: IfaceId, kind: CastKind, span: Span) -> Expr {
        if matches!(value.ty, Ty::Optional(_)) {
            self.error_hint(span, "cannot test an optional against an interface", "unwrap it first: `if let x = ...`");
            return error_expr();
        }
        if !self.interfaces[iface].type_params.is_empty() {
            self.error_hint(
                span,
                format!("cannot test a value against generic interface `{}`", self.interfaces[iface].name),
                "a generic interface's type arguments are not known at run time: test against the class",
            );
            return error_expr();
        }
        let target = self.iface_ty(iface);
        match kind {
            CastKind::Is => Expr::new(ExprKind::Implements(Box::new(value), iface), Ty::Bool),
            CastKind::As => {
                Expr::new(ExprKind::CastInterface { value: Box::new(value), iface, optional: false }, target)
            }
            CastKind::AsOpt => Expr::new(
                ExprKind::CastInterface { value: Box::new(value), iface, optional: true },
                Ty::Optional(Box::new(target)),
            ),
        }
    }

    /// The interfaces a class header names after (or as) its base.
    pub(crate) fn resolve_class_interfaces(&mut self, class: ClassId, types: &[ast::TypeExpr]) {
        for t in types {
            match self.resolve_type(t) {
                Ty::Interface(i, inst) => {
                    if self.class_info[class].interfaces.iter().any(|(j, _, _)| *j == i) {
                        self.error(t.span(), format!("`{}` is named twice", self.interfaces[i].name));
                    } else {
                        self.class_info[class].interfaces.push((i, inst.args.clone(), t.span()));
                    }
                }
                Ty::Error => {}
                other => self.error_hint(
                    t.span(),
                    format!("{other} is not an interface"),
                    "a class has one base class, written first; the names after it are interfaces",
                ),
            }
        }
    }
}

/// Whether a method's type parameter becomes `Float` in `concrete`: the
/// caller passes a word where the class's method takes a float register.
fn floats_in_params(m: &IfaceMethod, concrete: &Sig) -> bool {
    let declared = m.params.iter().chain(std::iter::once(&m.ret));
    let concrete = concrete.params.iter().chain(std::iter::once(&concrete.ret));
    declared.zip(concrete).any(|(d, c)| matches!(d, Ty::Param(..)) && *c == Ty::Float)
}

/// Whether an expression of `stmts` has a type `bad` picks out.
fn stmts_hold(stmts: &[hir::Stmt], bad: &impl Fn(&Ty) -> bool) -> bool {
    fn expr_holds(e: &Expr, bad: &impl Fn(&Ty) -> bool) -> bool {
        bad(&e.ty) || e.children().into_iter().any(|c| expr_holds(c, bad))
    }
    stmts.iter().any(|s| {
        s.exprs().into_iter().any(|e| expr_holds(e, bad)) || s.bodies().into_iter().any(|b| stmts_hold(b, bad))
    })
}
