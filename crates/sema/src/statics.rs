//! A class's `static` members and nested classes (issue 29) as the
//! module's own declarations: `static fn with` of class `Vector` is the
//! function `Vector::with`, `static let zero` the module constant
//! `Vector::zero`, and `class Entry` inside `Dictionary` the class
//! `Dictionary.Entry`. They are hoisted before declarations are
//! collected, so everything after (layouts, symbols, interfaces, other
//! modules) sees ordinary declarations; `Vector.with(x)` and
//! `Vector.zero` find them by those names.

use crate::checker::Checker;
use crate::hir::Expr;
use tess_syntax::ast::{self, Access, Item};

/// The declaration a static member of `class` is hoisted to.
pub fn static_name(class: &str, member: &str) -> String {
    format!("{class}::{member}")
}

/// Replaces every class's static members and nested classes by top-level
/// declarations.
pub(crate) fn hoist(files: &mut [ast::File]) {
    for file in files {
        let items = std::mem::take(&mut file.items);
        for item in items {
            match item {
                Item::Class(c) => hoist_class(c, None, &mut file.items),
                other => file.items.push(other),
            }
        }
    }
}

fn hoist_class(mut c: ast::ClassDecl, outer: Option<&ast::Modifiers>, out: &mut Vec<Item>) {
    if let Some(outer) = outer {
        // A nested class is as visible as the class around it, unless it
        // says otherwise.
        if c.mods.access.is_none() {
            c.mods.access = outer.access;
        }
        if c.mods.export.is_none() {
            c.mods.export = outer.export;
        }
    }
    let class = c.name.name.clone();
    let exported = c.mods.export;
    let member_mods = |m: &ast::Modifiers| {
        let public = matches!(m.access, Some((Access::Public, _)));
        ast::Modifiers { static_: None, export: if public { exported } else { None }, ..m.clone() }
    };
    let (statics, methods): (Vec<_>, Vec<_>) =
        std::mem::take(&mut c.methods).into_iter().partition(|f| f.mods.static_.is_some());
    c.methods = methods;
    let (static_vars, fields): (Vec<_>, Vec<_>) =
        std::mem::take(&mut c.fields).into_iter().partition(|v| v.mods.static_.is_some());
    c.fields = fields;
    let nested = std::mem::take(&mut c.nested);
    let mods = c.mods.clone();
    out.push(Item::Class(c));
    for mut f in statics {
        f.mods = member_mods(&f.mods);
        f.name.name = static_name(&class, &f.name.name);
        out.push(Item::Fn(f));
    }
    for mut v in static_vars {
        v.mods = member_mods(&v.mods);
        v.name.name = static_name(&class, &v.name.name);
        out.push(Item::Global(v));
    }
    for mut inner in nested {
        inner.name.name = format!("{class}.{}", inner.name.name);
        hoist_class(inner, Some(&mods), out);
    }
}

impl Checker<'_> {
    /// The class `e` names, when it names one of this module's (not
    /// hidden by a variable).
    fn class_named<'e>(&self, e: &'e ast::Expr) -> Option<&'e str> {
        match &e.kind {
            ast::ExprKind::Name(n)
                if !self.is_local_name(n) && !self.global_names.contains_key(n) && self.class_names.contains_key(n) =>
            {
                Some(n)
            }
            _ => None,
        }
    }

    /// `module.C` in `e`: the module and the class's name.
    fn imported_class_named<'e>(&self, e: &'e ast::Expr) -> Option<(&'e str, &'e str)> {
        let ast::ExprKind::Member(m, class) = &e.kind else { return None };
        let ast::ExprKind::Name(m) = &m.kind else { return None };
        (self.is_module_name(m) && self.modules[m].classes.contains_key(&class.name)).then_some((m, &class.name))
    }

    /// `C.name` or `module.C.name` read as a value: a static `let`/`var`
    /// or a static function as a function value.
    pub(crate) fn static_value(&mut self, obj: &ast::Expr, name: &ast::Ident) -> Option<Expr> {
        if let Some(class) = self.class_named(obj) {
            let qualified = static_name(class, &name.name);
            if self.global_names.contains_key(&qualified) || self.fn_names.contains_key(&qualified) {
                return Some(self.name(&qualified, name.span));
            }
            let id = self.class_names[class];
            if self.enum_of(id).is_none() {
                let class = class.to_string();
                self.error_hint(
                    name.span,
                    format!("`{class}` has no static member `{}`", name.name),
                    "fields and methods are reached through an instance; `static fn` and `static let` through the class",
                );
                return Some(crate::checker::error_expr());
            }
        }
        let (m, class) = self.imported_class_named(obj)?;
        let qualified = static_name(class, &name.name);
        let module = &self.modules[m];
        if module.globals.contains_key(&qualified) || module.funcs.contains_key(&qualified) {
            let m = m.to_string();
            return self.imported_member(&m, &ast::Ident { name: qualified, span: name.span });
        }
        None
    }

    /// `C.name` as an assignment's target: the static variable's name.
    pub(crate) fn static_variable(&self, obj: &ast::Expr, name: &ast::Ident) -> Option<ast::Expr> {
        let qualified = static_name(self.class_named(obj)?, &name.name);
        self.global_names
            .contains_key(&qualified)
            .then_some(ast::Expr { kind: ast::ExprKind::Name(qualified), span: name.span })
    }

    /// `C.name(...)` or `module.C.name(...)`: the callee it names — a
    /// static function, or a nested class to construct — as the name the
    /// hoisting gave it.
    pub(crate) fn static_callee(&self, obj: &ast::Expr, name: &ast::Ident) -> Option<ast::Expr> {
        let at = |kind| ast::Expr { kind, span: name.span };
        if let Some(class) = self.class_named(obj) {
            let function = static_name(class, &name.name);
            let nested = format!("{class}.{}", name.name);
            if self.fn_names.contains_key(&function) {
                return Some(at(ast::ExprKind::Name(function)));
            }
            if self.class_names.contains_key(&nested) && self.enum_of(self.class_names[class]).is_none() {
                return Some(at(ast::ExprKind::Name(nested)));
            }
            return None;
        }
        let (m, class) = self.imported_class_named(obj)?;
        let module = &self.modules[m];
        let function = static_name(class, &name.name);
        let nested = format!("{class}.{}", name.name);
        let member = if module.funcs.contains_key(&function) {
            function
        } else if module.classes.contains_key(&nested) && self.enum_of(module.classes[class]).is_none() {
            nested
        } else {
            return None;
        };
        let module_name = ast::Expr { kind: ast::ExprKind::Name(m.to_string()), span: obj.span };
        Some(at(ast::ExprKind::Member(Box::new(module_name), ast::Ident { name: member, span: name.span })))
    }
}
