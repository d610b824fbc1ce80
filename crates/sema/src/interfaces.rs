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
use crate::hir::{self, Expr, ExprKind, IfaceMethod, Impl, Offset};
use crate::tables::Sig;
use crate::ty::{ClassId, IfaceId, Ty};
use std::rc::Rc;
use tess_abi::mangle;
use tess_syntax::ast;
use tess_syntax::{Diagnostic, Span};

impl Checker<'_> {
    /// Declares this module's interfaces by name (class headers name them).
    pub(crate) fn declare_interface_names(&mut self, files: &[ast::File]) {
        for (fi, file) in files.iter().enumerate() {
            for item in &file.items {
                let ast::Item::Interface(i) = item else { continue };
                let name = &i.name.name;
                if let Some(&(_, first)) = self.iface_names.get(name) {
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
                let id = self.interfaces.len();
                self.interfaces.push(hir::Interface {
                    name: name.clone(),
                    descriptor: mangle::interface_descriptor(&self.module, name),
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
            self.function_body(f, m, BodyKind::Method, None);
            self.body.self_iface = None;
        }
    }

    /// The type of values of interface `id`.
    pub(crate) fn iface_ty(&self, id: IfaceId) -> Ty {
        Ty::Interface(id, Rc::new(self.interfaces[id].name.clone()))
    }

    /// For each class that names interfaces: that it implements each (its
    /// methods, own or inherited, match; the rest have default bodies),
    /// and with what — its `conforms`.
    pub(crate) fn check_conformances(&mut self) {
        for class in 0..self.classes.len() {
            for (iface, span) in self.class_info[class].interfaces.clone() {
                let conformance = self.conformance(class, iface, span);
                self.classes[class].conforms.push(conformance);
            }
        }
    }

    fn conformance(&mut self, class: ClassId, iface: IfaceId, span: Span) -> hir::Conformance {
        let cname = self.classes[class].name.clone();
        let iname = self.interfaces[iface].name.clone();
        let mut methods = Vec::new();
        for m in self.interfaces[iface].methods.clone() {
            let want = Sig { params: m.params.clone(), ret: m.ret.clone() };
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
        hir::Conformance { iface, methods }
    }

    /// Whether instances of `class` implement `iface` (it or an ancestor
    /// says so).
    pub(crate) fn implements(&self, class: ClassId, iface: IfaceId) -> bool {
        self.ancestors(class).any(|c| {
            self.classes[c].conforms.iter().any(|k| k.iface == iface)
                || self.class_info[c].interfaces.iter().any(|&(i, _)| i == iface)
        })
    }

    /// An interface implemented by `class` (or an ancestor) with a method
    /// `name` that has a default body: what `obj.name()` calls when the
    /// class does not define it.
    pub(crate) fn interface_with_default(&self, class: ClassId, name: &str) -> Option<IfaceId> {
        self.ancestors(class)
            .flat_map(|c| self.class_info[c].interfaces.iter().map(|&(i, _)| i))
            .find(|&i| self.interfaces[i].methods.iter().any(|m| m.name == name && m.has_default))
    }

    /// `recv.name(args)` where `recv` is of interface type `iface`.
    pub(crate) fn interface_call(
        &mut self,
        recv: Expr,
        iface: IfaceId,
        name: &ast::Ident,
        args: &[ast::Expr],
        span: Span,
    ) -> Expr {
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
        let mut all = vec![recv];
        all.extend(self.args(args, &m.params, span, &format!("`{iname}.{}`", m.name)));
        Expr::new(ExprKind::CallInterface { iface, slot: m.slot.clone(), args: all.into() }, m.ret)
    }

    /// `value is I`, `value as I`, `value as? I` (`value` an object).
    pub(crate) fn interface_cast(&mut self, value: Expr, iface: IfaceId, kind: CastKind, span: Span) -> Expr {
        if matches!(value.ty, Ty::Optional(_)) {
            self.error_hint(span, "cannot test an optional against an interface", "unwrap it first: `if let x = ...`");
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
                Ty::Interface(i, _) => {
                    if self.class_info[class].interfaces.iter().any(|&(j, _)| j == i) {
                        self.error(t.span(), format!("`{}` is named twice", self.interfaces[i].name));
                    } else {
                        self.class_info[class].interfaces.push((i, t.span()));
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
