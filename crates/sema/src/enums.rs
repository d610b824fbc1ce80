//! Enums (LANGUAGE.md §7) as classes. `enum E { a, b(x: T) }` becomes a
//! class `E` holding the case's tag (field `$tag`, which no source can
//! name) and, for each case with a payload, a subclass `E.b` holding the
//! payload's values as fields. A value is an object like any other, so
//! enums cross module boundaries, the collector and the JIT as classes
//! do; `==` compares tags and `match` tests them (`matching.rs`).
//! `print` shows a case's name, and a payload's printable values.

use crate::checker::{error_expr, Checker};
use crate::hir::{Enum, EnumCase, Expr, ExprKind, Offset, Origin};
use crate::ty::{ClassId, Ty};
use std::collections::HashMap;
use tess_syntax::ast::{self, Access, BinOp, Block, Body, Expr as AExpr, ExprKind as AKind, Ident, Stmt};
use tess_syntax::{Diagnostic, Diagnostics, Span};

/// The field holding a value's case, by its index in the declaration.
pub const TAG_FIELD: &str = "$tag";

/// The declaration a case's fingerprint is registered under (a case
/// with a payload has a class named `E.case` too).
pub fn case_decl(enum_name: &str, case: &str) -> String {
    format!("{enum_name}.{case} (case)")
}

/// The declaration the fingerprint of an enum's list of cases is
/// registered under.
pub fn cases_decl(enum_name: &str) -> String {
    format!("{enum_name} (cases)")
}

/// The class of an enum's case with a payload.
pub fn case_class(enum_name: &str, case: &str) -> String {
    format!("{enum_name}.{case}")
}

/// Replaces every `enum` of `files` by its classes; returns what the
/// checker needs to know of each enum, by name.
pub(crate) fn desugar(files: &mut [ast::File], diags: &mut Diagnostics) -> HashMap<String, Enum> {
    let mut enums = HashMap::new();
    for file in files {
        let items = std::mem::take(&mut file.items);
        for item in items {
            match item {
                ast::Item::Enum(e) => {
                    let mut seen: HashMap<&str, Span> = HashMap::new();
                    for c in &e.cases {
                        if let Some(first) = seen.insert(&c.name.name, c.name.span) {
                            diags.push(
                                Diagnostic::error(c.name.span, format!("duplicate case `{}`", c.name.name))
                                    .with_note(first, "first declared here")
                                    .with_hint("rename or remove one of them"),
                            );
                        }
                    }
                    let info = Enum {
                        name: e.name.name.clone(),
                        cases: e
                            .cases
                            .iter()
                            .map(|c| EnumCase {
                                name: c.name.name.clone(),
                                span: c.name.span,
                                payload: c.params.as_ref().map(|ps| ps.iter().map(|p| p.name.name.clone()).collect()),
                                fingerprint: String::new(),
                            })
                            .collect(),
                        imported: None,
                    };
                    file.items.push(ast::Item::Class(base_class(&e)));
                    for c in &e.cases {
                        if let Some(params) = &c.params {
                            file.items.push(ast::Item::Class(case_class_decl(&e, c, params)));
                        }
                    }
                    enums.insert(e.name.name.clone(), info);
                }
                other => file.items.push(other),
            }
        }
    }
    enums
}

fn ident(name: &str, span: Span) -> Ident {
    Ident { name: name.to_string(), span }
}

fn expr(kind: AKind, span: Span) -> AExpr {
    AExpr { kind, span }
}

fn named(name: &str, span: Span) -> ast::TypeExpr {
    ast::TypeExpr::Named(vec![ident(name, span)])
}

fn self_member(name: &str, span: Span) -> AExpr {
    expr(AKind::Member(Box::new(expr(AKind::SelfRef, span)), ident(name, span)), span)
}

/// The modifiers of the enum's classes: its access and `export`.
fn class_mods(e: &ast::EnumDecl) -> ast::Modifiers {
    ast::Modifiers { access: e.mods.access, export: e.mods.export, ..ast::Modifiers::default() }
}

/// Members are public when the enum is: other modules construct and
/// match its values.
fn member_mods(span: Span) -> ast::Modifiers {
    ast::Modifiers { access: Some((Access::Public, span)), ..ast::Modifiers::default() }
}

fn method(name: &str, mods: ast::Modifiers, ret: Option<ast::TypeExpr>, stmts: Vec<Stmt>, span: Span) -> ast::FnDecl {
    ast::FnDecl {
        type_params: Vec::new(),
        mods,
        name: ident(name, span),
        params: Vec::new(),
        ret,
        throws: false,
        body: Some(Body::Parsed(Block { stmts, span })),
        span,
    }
}

fn tag_param(span: Span) -> ast::Param {
    ast::Param { name: ident(TAG_FIELD, span), ty: named("Int", span) }
}

/// `class E { public let $tag: Int; init($tag) ...; fn toString() }`: the
/// values of cases without a payload, and the base of the others.
fn base_class(e: &ast::EnumDecl) -> ast::ClassDecl {
    let span = e.name.span;
    // Public: other modules read its offset cell (no source can name it).
    let tag = ast::VarDecl {
        mods: member_mods(span),
        mutable: false,
        name: ident(TAG_FIELD, span),
        ty: Some(named("Int", span)),
        init: None,
        span,
    };
    let set_tag = Stmt::Assign {
        target: self_member(TAG_FIELD, span),
        op: None,
        value: expr(AKind::Name(TAG_FIELD.into()), span),
        span,
    };
    let init = ast::FnDecl {
        type_params: Vec::new(),
        mods: member_mods(span),
        name: ident("init", span),
        params: vec![tag_param(span)],
        ret: None,
        throws: false,
        body: Some(Body::Parsed(Block { stmts: vec![set_tag], span })),
        span,
    };
    // `if self.$tag == i { return "name" }` for each case without a payload.
    let mut names: Vec<Stmt> = e
        .cases
        .iter()
        .enumerate()
        .filter(|(_, c)| c.params.is_none())
        .map(|(i, c)| {
            let is_case = expr(
                AKind::Binary(
                    BinOp::Eq,
                    Box::new(self_member(TAG_FIELD, span)),
                    Box::new(expr(AKind::Int(i as u64), span)),
                ),
                span,
            );
            let text = expr(AKind::Str(vec![ast::StrSeg::Text(c.name.name.clone())]), span);
            Stmt::If {
                cond: ast::Cond::Expr(is_case),
                then: Block { stmts: vec![Stmt::Return(Some(text), span)], span },
                els: None,
                span,
            }
        })
        .collect();
    names.push(Stmt::Return(Some(expr(AKind::Str(vec![ast::StrSeg::Text(e.name.name.clone())]), span)), span));
    let to_string = method("toString", member_mods(span), Some(named("String", span)), names, span);
    ast::ClassDecl {
        mods: class_mods(e),
        name: e.name.clone(),
        base: None,
        interfaces: Vec::new(),
        type_params: Vec::new(),
        fields: vec![tag],
        methods: vec![to_string],
        inits: vec![init],
        nested: Vec::new(),
        span: e.span,
    }
}

/// Whether a payload value of this declared type prints (LANGUAGE.md §1's
/// printable types; a named type other than these is a class).
fn printable(t: &ast::TypeExpr) -> bool {
    match t {
        ast::TypeExpr::Named(parts) => !matches!(parts[0].name.as_str(), "CString" | "CPointer") || parts.len() > 1,
        _ => false,
    }
}

/// `class E.c : E { let x: T; init($tag, x) ...; override fn toString() }`.
fn case_class_decl(e: &ast::EnumDecl, c: &ast::EnumCase, params: &[ast::Param]) -> ast::ClassDecl {
    let span = c.name.span;
    let fields = params
        .iter()
        .map(|p| ast::VarDecl {
            mods: member_mods(p.name.span),
            mutable: false,
            name: p.name.clone(),
            ty: Some(p.ty.clone()),
            init: None,
            span: p.name.span,
        })
        .collect();
    let mut stmts: Vec<Stmt> = params
        .iter()
        .map(|p| Stmt::Assign {
            target: self_member(&p.name.name, p.name.span),
            op: None,
            value: expr(AKind::Name(p.name.name.clone()), p.name.span),
            span,
        })
        .collect();
    let super_init = expr(AKind::Super(ident("init", span)), span);
    let tag_arg = expr(AKind::Name(TAG_FIELD.into()), span);
    stmts.push(Stmt::Expr(expr(AKind::Call(Box::new(super_init), vec![tag_arg]), span)));
    let mut init_params = vec![tag_param(span)];
    init_params.extend(params.iter().cloned());
    let init = ast::FnDecl {
        type_params: Vec::new(),
        mods: member_mods(span),
        name: ident("init", span),
        params: init_params,
        ret: None,
        throws: false,
        body: Some(Body::Parsed(Block { stmts, span })),
        span,
    };
    // "name(v1, v2)": the payload's printable values, `_` for the others.
    let mut segs = vec![ast::StrSeg::Text(format!("{}(", c.name.name))];
    for (i, p) in params.iter().enumerate() {
        if i > 0 {
            segs.push(ast::StrSeg::Text(", ".into()));
        }
        if printable(&p.ty) {
            segs.push(ast::StrSeg::Expr(self_member(&p.name.name, span)));
        } else {
            segs.push(ast::StrSeg::Text("_".into()));
        }
    }
    segs.push(ast::StrSeg::Text(")".into()));
    let mut mods = member_mods(span);
    mods.override_ = Some(span);
    let text = expr(AKind::Str(segs), span);
    let to_string = method("toString", mods, Some(named("String", span)), vec![Stmt::Return(Some(text), span)], span);
    ast::ClassDecl {
        mods: class_mods(e),
        name: ident(&case_class(&e.name.name, &c.name.name), span),
        base: Some(named(&e.name.name, e.name.span)),
        interfaces: Vec::new(),
        type_params: Vec::new(),
        fields,
        methods: vec![to_string],
        inits: vec![init],
        nested: Vec::new(),
        span,
    }
}

impl Checker<'_> {
    /// The enum a class is, when it is one (of this module).
    pub(crate) fn enum_of(&self, class: ClassId) -> Option<&Enum> {
        let c = &self.classes[class];
        match &c.imported_from {
            _ if c.builtin => None,
            Some(module) => self.enums.get(&format!("{module}.{}", c.name)),
            None => self.enums.get(&c.name),
        }
    }

    /// The class of case `case` of enum `class` (one with a payload).
    pub(crate) fn case_class_of(&self, class: ClassId, case: &str) -> Option<ClassId> {
        let c = &self.classes[class];
        let name = case_class(&c.name, case);
        match &c.imported_from {
            Some(module) => self.modules.get(module)?.classes.get(&name).copied(),
            None => self.class_names.get(&name).copied(),
        }
    }

    /// Records that this module relies on case `tag` of enum `class`
    /// (another module's: its tag and payload must stay).
    pub(crate) fn note_case(&self, class: ClassId, tag: usize) {
        let Some(e) = self.enum_of(class) else { return };
        if let Some((module, _)) = &e.imported {
            self.note_use(Some(&Origin {
                module: module.clone(),
                decl: case_decl(&e.name, &e.cases[tag].name),
                fingerprint: e.cases[tag].fingerprint.clone(),
            }));
        }
    }

    /// Records that this module relies on the whole list of cases of enum
    /// `class` (an exhaustive `match` without `_`).
    pub(crate) fn note_all_cases(&self, class: ClassId) {
        let Some(e) = self.enum_of(class) else { return };
        if let Some((module, fingerprint)) = &e.imported {
            self.note_use(Some(&Origin {
                module: module.clone(),
                decl: cases_decl(&e.name),
                fingerprint: fingerprint.clone(),
            }));
        }
    }

    /// The offset of an enum value's tag.
    pub(crate) fn tag_offset(&self, class: ClassId) -> Offset {
        self.classes[class].fields.iter().find(|f| f.name == TAG_FIELD).map_or(Offset::Fixed(0), |f| f.offset.clone())
    }

    /// An enum value's tag, read from `value`.
    pub(crate) fn tag_of(&self, value: Expr, class: ClassId) -> Expr {
        Expr::new(ExprKind::Field(Box::new(value), self.tag_offset(class)), Ty::Int)
    }

    /// The tag and declaration of case `case` of enum `class`; an error
    /// naming the cases there are when it has none of that name.
    pub(crate) fn find_case(&mut self, class: ClassId, case: &Ident) -> Option<(usize, EnumCase)> {
        let enum_name = self.classes[class].name.clone();
        let cases = self.enum_of(class).map_or(&[][..], |i| &i.cases);
        let Some(tag) = cases.iter().position(|c| c.name == case.name) else {
            let names: Vec<String> = cases.iter().map(|c| format!("`{}`", c.name)).collect();
            self.error_hint(
                case.span,
                format!("`{enum_name}` has no case `{}`", case.name),
                format!("its cases are {}", names.join(", ")),
            );
            return None;
        };
        let found = cases[tag].clone();
        self.note_ref(case.span, found.span, |_| format!("case {enum_name}.{}", case.name));
        Some((tag, found))
    }

    /// `E.c` (`args` is `None`) or `E.c(args)`: a value of enum `E`.
    pub(crate) fn enum_value(&mut self, class: ClassId, case: &Ident, args: Option<&[AExpr]>, span: Span) -> Expr {
        let enum_name = self.classes[class].name.clone();
        let Some((tag, info)) = self.find_case(class, case) else { return error_expr() };
        self.note_class(class);
        self.note_case(class, tag);
        let tag_arg = Expr::new(ExprKind::Int(tag as i64), Ty::Int);
        match (&info.payload, args) {
            (None, None) => {
                Expr::new(ExprKind::New { class, args: vec![tag_arg], descs: Vec::new() }, self.class_ty(class))
            }
            (None, Some(_)) => {
                self.error_hint(
                    span,
                    format!("`{enum_name}.{}` has no payload", case.name),
                    format!("write `{enum_name}.{}` without arguments", case.name),
                );
                error_expr()
            }
            (Some(_), None) => {
                self.error_hint(
                    span,
                    format!("`{enum_name}.{}` needs its payload", case.name),
                    format!("write `{enum_name}.{}(...)` with its values", case.name),
                );
                error_expr()
            }
            (Some(_), Some(args)) => {
                let Some(case_class) = self.case_class_of(class, &case.name) else {
                    return error_expr();
                };
                self.note_class(case_class);
                let params = self.class_info[case_class].init_params.clone().unwrap_or_default();
                let what = format!("`{enum_name}.{}`", case.name);
                let mut all = vec![tag_arg];
                all.extend(self.args(args, params.get(1..).unwrap_or(&[]), span, &what));
                Expr::new(ExprKind::New { class: case_class, args: all, descs: Vec::new() }, self.class_ty(class))
            }
        }
    }

    /// `module.E` of a shared library must be exported (MODULES.md §2).
    pub(crate) fn check_enum_exported(&mut self, e: &AExpr) {
        if let AKind::Member(m, name) = &e.kind {
            if let AKind::Name(m) = &m.kind {
                self.check_exported(m, name);
            }
        }
    }

    /// The enum an expression names, when it names one: `E` (this
    /// module's, or imported by name) or `module.E`, not hidden by a
    /// variable.
    pub(crate) fn enum_named(&self, e: &AExpr) -> Option<ClassId> {
        let class = match &e.kind {
            AKind::Name(name) if !self.is_local_name(name) && !self.global_names.contains_key(name) => {
                *self.class_names.get(name)?
            }
            AKind::Member(m, name) => match &m.kind {
                AKind::Name(m) if self.is_module_name(m) => *self.modules[m].classes.get(&name.name)?,
                _ => return None,
            },
            _ => return None,
        };
        self.enum_of(class).is_some().then_some(class)
    }

    /// The enum both operands of `==` are values of, if they are.
    pub(crate) fn same_enum(&self, lhs: &Ty, rhs: &Ty) -> Option<ClassId> {
        match (lhs, rhs) {
            (Ty::Class(a, _), Ty::Class(b, _)) if a == b && self.enum_of(*a).is_some() => Some(*a),
            _ => None,
        }
    }

    /// `a == b` on two values of enum `class`: their tags, for an enum
    /// without payloads.
    pub(crate) fn enum_equality(&mut self, class: ClassId, op: BinOp, lhs: Expr, rhs: Expr, span: Span) -> Expr {
        if self.enum_of(class).is_some_and(Enum::has_payloads) {
            let name = self.classes[class].name.clone();
            self.error_hint(
                span,
                format!("`{}` cannot compare values of `{name}`, an enum with payloads", op.as_str()),
                "compare them with `match`",
            );
            return error_expr();
        }
        let l = self.tag_of(lhs, class);
        let r = self.tag_of(rhs, class);
        self.binary_typed(op, l, r, span)
    }
}
