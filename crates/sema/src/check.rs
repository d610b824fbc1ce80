//! The checker: collects a module's declarations, then resolves and types
//! every body, lowering it to HIR. Errors are recorded and checking goes on
//! with `Ty::Error`, so one run reports as much as it can.
//!
//! The work is split by job: declarations and types here, classes in
//! `classes.rs`, statements in `stmt.rs`, expressions in `expr.rs`,
//! definite initialisation in `init_check.rs`, built-ins in `builtins.rs`.

use crate::body::BodyKind;
use crate::checker::{top_visibility, Checker};
use crate::hir::{self, Expr, ExprKind, FuncId, LocalId, Mode, Place, Stmt, Visibility};
use crate::imports::Imports;
use crate::interface::Interface;
use crate::tables::{GlobalInfo, Sig};
use crate::ty::{ClassId, Ty};
use tess_abi::mangle;
use tess_syntax::ast;
use tess_syntax::parser::parse_body;
use tess_syntax::{Diagnostic, Diagnostics, Span};

/// Checks the files of one module and lowers them to HIR; also gives the
/// module's interface (built once, here: what its `.tesi` file holds).
/// With `index` (an editor asks), it also records every name it resolves
/// and what to (`hir::Module::refs`); a build passes `false` and pays
/// nothing for it. The syntax trees are consumed: each declaration is
/// dropped once checked, so a module's syntax and its HIR are never both
/// in memory whole (bench/compile: 161 and 142 MB). Bodies left unparsed
/// (`parser::parse_file_deferred`) are parsed from `texts`, the files'
/// source texts, as they are checked.
pub fn check_module(
    module: &str,
    mode: Mode,
    mut files: Vec<ast::File>,
    texts: &[&str],
    imports: Imports,
    diags: &mut Diagnostics,
    index: bool,
) -> (hir::Module, Interface) {
    let mut c = Checker::new(module, diags);
    c.refs = index.then(Vec::new);
    c.expr_types = index.then(Vec::new);
    c.enums = crate::enums::desugar(&mut files, c.diags);
    crate::statics::hoist(&mut files);
    c.add_builtin_classes();
    c.add_std_interfaces();
    c.import_inits = c.import_modules(&files, imports);
    c.collect(&files);
    if mode == Mode::Library {
        c.no_top_level_statements(&files);
    }
    let (init, thread_init) = c.check_init(&files);
    let fini = c.check_fini(&files, mode);
    c.check_bodies(files, texts);
    c.check_exported_signatures();
    let dependencies = imports
        .found
        .iter()
        .map(|i| &i.interface)
        .filter(|i| c.modules.contains_key(&i.module))
        .map(|i| i.module.clone())
        .collect();
    let shared_dependencies = imports
        .found
        .iter()
        .filter(|i| i.shared && c.modules.contains_key(&i.interface.module))
        .map(|i| i.interface.module.clone())
        .collect();
    let mut enums: Vec<hir::Enum> = c.enums.values().filter(|e| e.imported.is_none()).cloned().collect();
    enums.sort_by_key(|e| c.class_names.get(&e.name).copied());
    let mut m = hir::Module {
        enums,
        name: module.to_string(),
        funcs: c.funcs,
        globals: c.globals,
        classes: c.classes,
        interfaces: c.interfaces,
        init,
        thread_init,
        fini,
        mode,
        fingerprints: Vec::new(),
        dependencies,
        shared_dependencies,
        files: Vec::new(),
        refs: c.refs.take().unwrap_or_default(),
        expr_types: c.expr_types.take().unwrap_or_default(),
        uses: c.uses.into_inner().into_iter().collect(),
    };
    crate::constants::fold(&mut m, c.diags);
    let interface = crate::interface::interface_of(&m);
    m.fingerprints = interface.fingerprints();
    (m, interface)
}

impl Checker<'_> {
    // ---- declarations ----

    fn collect(&mut self, files: &[ast::File]) {
        // Private names first: resolving base classes checks them.
        for file in files {
            for item in &file.items {
                let (mods, name) = match item {
                    ast::Item::Fn(f) => (&f.mods, &f.name),
                    ast::Item::Class(c) => (&c.mods, &c.name),
                    ast::Item::Global(v) => (&v.mods, &v.name),
                    ast::Item::Interface(i) => (&i.mods, &i.name),
                    _ => continue,
                };
                if let Some((ast::Access::Private, _)) = mods.access {
                    self.private_decls.insert(name.name.clone(), name.span);
                }
            }
        }
        self.declare_interface_names(files);
        self.declare_classes(files);
        self.declare_interface_methods(files);
        self.check_single_main_file(files);
        for file in files {
            for item in &file.items {
                match item {
                    ast::Item::Fn(f) => self.declare_fn(f),
                    ast::Item::Global(v) => {
                        self.all_globals.insert(v.name.name.clone());
                    }
                    ast::Item::Class(_)
                    | ast::Item::Enum(_)
                    | ast::Item::Interface(_)
                    | ast::Item::Stmt(_)
                    | ast::Item::InitBlock(_)
                    | ast::Item::FiniBlock(_) => {}
                }
            }
        }
        self.declare_class_members(files);
        self.check_conformances();
    }

    /// Reports a use, in another file, of a top-level `private` declaration.
    pub(crate) fn check_private(&mut self, name: &str, span: Span) {
        if let Some(&decl) = self.private_decls.get(name) {
            if decl.file != span.file {
                self.diags.push(
                    Diagnostic::error(span, format!("`{name}` is private to the file that declares it"))
                        .with_note(decl, "declared `private` here")
                        .with_hint("remove `private` to use it anywhere in the module"),
                );
            }
        }
    }

    /// A program has one main file: only one file may have top-level
    /// statements (LANGUAGE.md §6).
    fn check_single_main_file(&mut self, files: &[ast::File]) {
        let mut main: Option<Span> = None;
        for file in files {
            let Some(first) = file.items.iter().find_map(|i| match i {
                ast::Item::Stmt(s) => Some(ast::stmt_span(s)),
                _ => None,
            }) else {
                continue;
            };
            match main {
                None => main = Some(first),
                Some(m) => self.diags.push(
                    Diagnostic::error(first, "only one file of a program may have top-level statements")
                        .with_note(m, "the main file's statements start here")
                        .with_hint("move these statements into a function, or into the main file"),
                ),
            }
        }
    }

    pub(crate) fn check_modifiers(&mut self, m: &ast::Modifiers, member: bool) {
        let mut unsupported = vec![(m.shared, "`shared`")];
        if !member {
            unsupported.push((m.override_, "`override` outside a class"));
            unsupported.push((m.final_, "`final` outside a class"));
            unsupported.push((m.open, "`open` outside a class"));
            unsupported.push((m.static_, "`static` outside a class"));
        }
        for (span, what) in unsupported {
            if let Some(s) = span {
                self.error(s, format!("{what} is not supported here"));
            }
        }
        if !member {
            self.check_top_level_access(m);
        }
    }

    /// The access level and `export` of a top-level declaration: no
    /// `protected` (LANGUAGE.md §3), and nothing `private` exported — an
    /// exported declaration is public (MODULES.md §2).
    pub(crate) fn check_top_level_access(&mut self, m: &ast::Modifiers) {
        match (m.access, m.export) {
            (Some((ast::Access::Protected, s)), _) => self.error_hint(
                s,
                "`protected` applies only to class members",
                "use `private`, `public`, or no access level",
            ),
            (Some((ast::Access::Private, s)), Some(_)) => self.error_hint(
                s,
                "a `private` declaration cannot be exported",
                "remove `private` (`export` makes a declaration public), or remove `export`",
            ),
            _ => {}
        }
    }

    /// Registers a function (or method) with its signature; `None` if the
    /// name is taken.
    pub(crate) fn new_func(
        &mut self,
        name: &str,
        symbol: String,
        params: Vec<Ty>,
        ret: Ty,
        visibility: Visibility,
    ) -> FuncId {
        let id = self.funcs.len();
        self.sigs.push(Sig { params, ret: ret.clone() });
        self.funcs.push(hir::Func {
            name: name.to_string(),
            symbol,
            params: Vec::new(),
            ret,
            locals: Vec::new(),
            body: Vec::new(),
            visibility,
            external: false,
            origin: None,
            file: 0,
            access: hir::Access::Public,
            is_final: false,
            span: None,
            extern_c: false,
            throws_c: false,
            entry: false,
            type_params: Vec::new(),
            generic: Vec::new(),
            is_const: false,
        });
        id
    }

    /// In library mode: top-level statements are errors (a library only
    /// declares; its `init { }` blocks run when it is loaded).
    fn no_top_level_statements(&mut self, files: &[ast::File]) {
        for file in files {
            for item in &file.items {
                if let ast::Item::Stmt(s) = item {
                    self.error_hint(
                        ast::stmt_span(s),
                        "a library has no top-level statements",
                        "move the statement into a function, or build a program instead of `--lib`",
                    );
                }
            }
        }
    }

    /// An exported declaration may only mention exported classes: a user of
    /// the shared library could not name the others.
    fn check_exported_signatures(&mut self) {
        let mut problems = Vec::new();
        for (i, f) in self.funcs.iter().enumerate() {
            if f.visibility == Visibility::Export {
                let sig = &self.sigs[i];
                for t in sig.params.iter().chain(std::iter::once(&sig.ret)) {
                    self.hidden_classes_in(t, &mut |c| problems.push((f.name.clone(), c)));
                }
            }
        }
        for g in &self.globals {
            if g.visibility == Visibility::Export {
                self.hidden_classes_in(&g.ty, &mut |c| problems.push((g.name.clone(), c)));
            }
        }
        for (decl, class) in problems {
            let span = self.class_info[class].span;
            let cname = self.classes[class].name.clone();
            self.error_hint(
                span,
                format!("exported `{decl}` mentions class `{cname}`, which is not exported"),
                format!("export `{cname}` too (`export class {cname}`), or do not export `{decl}`"),
            );
        }
    }

    fn hidden_classes_in(&self, t: &Ty, found: &mut dyn FnMut(ClassId)) {
        match t {
            Ty::Class(c, _) if !self.classes[*c].is_external() && self.classes[*c].visibility != Visibility::Export => {
                found(*c)
            }
            Ty::Array(e) | Ty::Optional(e) | Ty::Set(e) => self.hidden_classes_in(e, found),
            Ty::Map(k, v) => {
                self.hidden_classes_in(k, found);
                self.hidden_classes_in(v, found);
            }
            Ty::Fn(ps, r) => {
                for p in ps.iter() {
                    self.hidden_classes_in(p, found);
                }
                self.hidden_classes_in(r, found);
            }
            _ => {}
        }
    }

    fn declare_fn(&mut self, f: &ast::FnDecl) {
        self.check_modifiers(&f.mods, false);
        let type_params = self.resolve_type_params(&f.type_params);
        let params = f.params.iter().map(|p| self.resolve_type(&p.ty)).collect();
        let ret = f.ret.as_ref().map_or(Ty::Void, |t| self.resolve_type(t));
        self.type_scope = Default::default();
        if !type_params.is_empty() && f.mods.extern_.is_some() {
            self.error_hint(f.name.span, "an `extern fn` cannot be generic", "C has no type parameters");
            return;
        }
        if let Some((_, prev)) = self.fn_names.get(&f.name.name) {
            let prev = *prev;
            self.diags.push(
                Diagnostic::error(f.name.span, format!("`{}` is declared twice", f.name.name))
                    .with_note(prev, "first declared here")
                    .with_hint("functions are not overloaded: give one of them another name"),
            );
            return;
        }
        if let Some(s) = f.mods.const_ {
            if f.mods.extern_.is_some() || !type_params.is_empty() {
                self.error_hint(
                    s,
                    "a `const fn` cannot be `extern` or generic",
                    "the compiler runs it on values it knows",
                );
            }
        }
        if f.mods.extern_.is_some() {
            self.declare_extern_fn(f, params, ret);
            return;
        }
        if f.body.is_none() {
            self.error_hint(f.span, format!("function `{}` has no body", f.name.name), "add `{ ... }`");
        }
        let symbol = mangle::symbol(&self.module, &[&f.name.name]);
        let id = self.new_func(&f.name.name, symbol, params, ret, top_visibility(&f.mods));
        self.funcs[id].file = f.name.span.file.0;
        self.funcs[id].span = Some(f.name.span);
        self.funcs[id].is_const = f.mods.const_.is_some() && type_params.is_empty();
        self.fn_names.insert(f.name.name.clone(), (id, f.name.span));
        if !type_params.is_empty() {
            self.funcs[id].generic = type_params.iter().map(|p| (p.name.clone(), p.bounds.clone())).collect();
            self.generics.insert(id, type_params);
        }
    }

    /// `extern fn` (MODULES.md §5): a C function (no body) or a definition
    /// with the C convention, under its plain symbol name; only C types.
    fn declare_extern_fn(&mut self, f: &ast::FnDecl, params: Vec<Ty>, ret: Ty) {
        for (p, ty) in f.params.iter().zip(&params) {
            if !is_c_type(ty) {
                self.error_hint(
                    p.ty.span(),
                    format!("`extern fn {}` cannot take a {ty}", f.name.name),
                    "extern functions take only C types: Int, Int32, Float, Bool, CString, CPointer and fn types of these",
                );
            }
        }
        if let Some(r) = &f.ret {
            if !is_c_type(&ret) {
                self.error_hint(
                    r.span(),
                    format!("`extern fn {}` cannot return a {ret}", f.name.name),
                    "extern functions return only C types: Int, Int32, Float, Bool, CString, CPointer and fn types of these",
                );
            }
        }
        let visibility = if f.mods.export.is_some() { Visibility::Export } else { Visibility::Hidden };
        let id = self.new_func(&f.name.name, f.name.name.clone(), params.clone(), ret, visibility);
        let func = &mut self.funcs[id];
        func.file = f.name.span.file.0;
        func.span = Some(f.name.span);
        func.extern_c = true;
        func.throws_c = f.throws;
        if f.body.is_none() {
            func.external = true;
            func.locals =
                params.into_iter().enumerate().map(|(i, ty)| hir::Local { name: format!("p{i}"), ty }).collect();
            func.params = (0..func.locals.len()).collect();
        }
        self.fn_names.insert(f.name.name.clone(), (id, f.name.span));
    }

    pub(crate) fn resolve_type(&mut self, t: &ast::TypeExpr) -> Ty {
        match t {
            ast::TypeExpr::Named(parts) if parts.len() >= 2 && self.modules.contains_key(&parts[0].name) => {
                self.check_exported(&parts[0].name, &parts[1]);
                let class = parts[1..].iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".");
                match self.modules[&parts[0].name].classes.get(&class).copied() {
                    Some(c) => {
                        self.note_class(c);
                        self.class_ty(c)
                    }
                    None if self.modules[&parts[0].name].interfaces.contains_key(&class) => {
                        let id = self.modules[&parts[0].name].interfaces[&class];
                        self.note_use(self.interfaces[id].origin.as_ref());
                        self.generic_iface_ty(id, Vec::new(), t.span())
                    }
                    None => {
                        let msg = format!("module `{}` has no public class `{}`", parts[0].name, parts[1].name);
                        self.error_hint(
                            parts[1].span,
                            msg,
                            "only public and exported classes can be used from other modules",
                        );
                        Ty::Error
                    }
                }
            }
            ast::TypeExpr::Named(parts) if parts.len() == 2 && self.missing_modules.contains(&parts[0].name) => {
                Ty::Error
            }
            ast::TypeExpr::Named(parts) => {
                let name = parts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".");
                match name.as_str() {
                    "Int" => Ty::Int,
                    "Int32" => Ty::Int32,
                    "Float" => Ty::Float,
                    "Bool" => Ty::Bool,
                    "String" => Ty::Str,
                    "CString" => Ty::CString,
                    "CPointer" => Ty::CPointer,
                    "Any" => Ty::Any,
                    _ if parts.len() == 1 && self.type_param(&name).is_some() => {
                        self.type_param(&name).unwrap_or(Ty::Error)
                    }
                    _ if self.iface_names.contains_key(&name) => {
                        let (id, span) = self.iface_names[&name];
                        self.check_private(&name, t.span());
                        self.note_ref(t.span(), span, |c| format!("interface {}", c.interfaces[id].name));
                        self.generic_iface_ty(id, Vec::new(), t.span())
                    }
                    _ => match self.class_names.get(&name).copied() {
                        // Without its type arguments: the count is wrong.
                        Some(id) if self.is_generic_class(id) => self.instance_ty(id, Vec::new(), t.span()),
                        Some(id) => {
                            self.check_private(&name, t.span());
                            self.note_ref(t.span(), self.class_info[id].span, |c| c.class_hover(id));
                            self.note_origin(self.classes[id].origin.clone());
                            self.note_class(id);
                            self.class_ty(id)
                        }
                        None if self.missing_names.contains(&name) => Ty::Error,
                        None => {
                            self.error_hint(
                                t.span(),
                                format!("unknown type `{name}`"),
                                "the types are Int, Int32, Float, Bool, String, [T], Map[K, V], T?, fn(...) -> T and classes",
                            );
                            Ty::Error
                        }
                    },
                }
            }
            ast::TypeExpr::Generic(parts, args, span) => {
                let args: Vec<Ty> = args.iter().map(|a| self.resolve_type(a)).collect();
                let class = match parts.as_slice() {
                    [n] => self.class_names.get(&n.name).copied(),
                    [m, n] if self.modules.contains_key(&m.name) => self.modules[&m.name].classes.get(&n.name).copied(),
                    _ => None,
                };
                let iface = match parts.as_slice() {
                    [n] => self.iface_names.get(&n.name).map(|&(i, _)| i),
                    [m, n] if self.modules.contains_key(&m.name) => {
                        self.modules[&m.name].interfaces.get(&n.name).copied()
                    }
                    _ => None,
                };
                match class {
                    Some(c) if self.is_generic_class(c) => {
                        match parts.as_slice() {
                            [n] => self.check_private(&n.name, n.span),
                            [m, n] => self.check_exported(&m.name, n),
                            _ => {}
                        }
                        self.note_class(c);
                        self.instance_ty(c, args, *span)
                    }
                    None if matches!(parts.as_slice(), [n] if n.name == "Set") => self.set_ty(args, *span),
                    _ if iface.is_some_and(|i| !self.interfaces[i].type_params.is_empty()) => {
                        let i = iface.unwrap_or_default();
                        self.note_use(self.interfaces[i].origin.as_ref());
                        self.generic_iface_ty(i, args, *span)
                    }
                    _ => match self.resolve_type(&ast::TypeExpr::Named(parts.clone())) {
                        Ty::Error => Ty::Error,
                        other => {
                            self.error_hint(*span, format!("{other} takes no type arguments"), "remove the `[...]`");
                            Ty::Error
                        }
                    },
                }
            }
            ast::TypeExpr::Array(inner, _) => Ty::Array(Box::new(self.resolve_type(inner))),
            ast::TypeExpr::Map(k, v, _) => {
                let kt = self.resolve_type(k);
                let vt = self.resolve_type(v);
                if !self.is_map_key(&kt) && kt != Ty::Error {
                    self.error_hint(k.span(), format!("{kt} cannot be a map key"), crate::expr::MAP_KEYS);
                }
                if matches!(vt, Ty::Optional(_)) {
                    self.error_hint(
                        v.span(),
                        "map values cannot be optional",
                        "a lookup `m[k]` already gives an optional",
                    );
                }
                Ty::Map(Box::new(kt), Box::new(vt))
            }
            ast::TypeExpr::Optional(inner, s) => {
                let t = self.resolve_type(inner);
                if matches!(t, Ty::Optional(_)) {
                    self.error(*s, "nested optionals are not supported");
                    return Ty::Error;
                }
                Ty::Optional(Box::new(t))
            }
            ast::TypeExpr::Fn(params, ret, _) => {
                let params = params.iter().map(|p| self.resolve_type(p)).collect();
                let ret = ret.as_ref().map_or(Ty::Void, |r| self.resolve_type(r));
                Ty::Fn(Box::new(params), Box::new(ret))
            }
        }
    }

    pub(crate) fn class_ty(&self, id: ClassId) -> Ty {
        Ty::Class(id, std::rc::Rc::new(self.classes[id].name.clone()))
    }

    // ---- types and coercions ----

    /// `class` and its bases, nearest first.
    pub(crate) fn ancestors(&self, class: ClassId) -> impl Iterator<Item = ClassId> + '_ {
        std::iter::successors(Some(class), |&c| self.classes[c].base)
    }

    pub(crate) fn is_subclass(&self, a: ClassId, b: ClassId) -> bool {
        self.ancestors(a).any(|c| c == b)
    }

    /// Whether a value of type `a` may be used where `b` is expected
    /// (with an implicit upcast, or wrapping into an optional).
    pub(crate) fn fits(&self, a: &Ty, b: &Ty) -> bool {
        match (a, b) {
            (Ty::Error, _) | (_, Ty::Error) => true,
            // A `String` argument is passed as its bytes for one call.
            (Ty::Str, Ty::CString) => true,
            (Ty::Class(x, _), Ty::Class(y, _)) => self.is_subclass(*x, *y),
            (Ty::Class(x, _), Ty::Interface(i, inst)) => self.implements(*x, &[], *i, &inst.args),
            (Ty::Interface(i, a), Ty::Interface(j, b)) => {
                (i == j && a.args == b.args)
                    || self.iface_supers(*i, &a.args).iter().any(|(k, ka)| k == j && *ka == b.args)
            }
            (Ty::Param(k, _), Ty::Interface(..)) => self.param_bounds(*k).iter().any(|bound| self.fits(bound, b)),
            (Ty::Generic(x, a), Ty::Generic(y, b)) => x == y && a.args == b.args,
            // `self` inside a generic class is its instance of its own parameters.
            (Ty::Class(x, _), Ty::Generic(y, b)) => {
                x == y && b.args.iter().enumerate().all(|(k, t)| matches!(t, Ty::Param(j, _) if *j as usize == k))
            }
            (Ty::Generic(x, a), Ty::Interface(i, inst)) => self.implements(*x, &a.args, *i, &inst.args),
            (Ty::Generic(..), Ty::Class(y, _)) => *y == crate::tables::OBJECT,
            (Ty::Any, Ty::Any) => true,
            (x, Ty::Any) => !matches!(x, Ty::Void | Ty::Nil | Ty::Optional(_) | Ty::CString | Ty::CPointer),
            (Ty::Interface(..), Ty::Class(y, _)) => *y == crate::tables::OBJECT,
            (Ty::Nil, Ty::Optional(_)) => true,
            (Ty::Optional(x), Ty::Optional(y)) => self.fits(x, y),
            (x, Ty::Optional(y)) => self.fits(x, y),
            _ => a == b,
        }
    }

    /// `e` as a value of type `ty`: reports a mismatch, inserts the
    /// conversion to an optional where one is needed.
    pub(crate) fn coerce(&mut self, e: Expr, ty: &Ty, span: Span) -> Expr {
        if !self.fits(&e.ty, ty) {
            let hint = match (&e.ty, ty) {
                (Ty::Int, Ty::Float) => "convert with `Float(x)`",
                (Ty::Float, Ty::Int) => "convert with `Int(x)` (truncates)",
                (Ty::Int, Ty::Int32) => "convert with `Int32(x)`",
                (Ty::Int32, Ty::Int) => "convert with `Int(x)`",
                (Ty::Nil, _) => "only optional types (`T?`) hold `nil`",
                (Ty::Optional(_), _) => "unwrap the optional with `!`, `??` or `if let`",
                (Ty::Class(..), Ty::Class(..)) => "a class converts only to its base classes; use `as` to downcast",
                (Ty::Class(..), Ty::Interface(..)) => "the class does not declare that it implements it: `class C : I`",
                (_, Ty::Str) => "convert with `String(x)` or use interpolation",
                _ => "the types must match exactly",
            };
            self.error_hint(span, format!("expected {ty}, found {}", e.ty), hint);
            return e;
        }
        match (ty, &e.ty) {
            (Ty::CString, Ty::Str) => Expr::new(ExprKind::ToCString(Box::new(e)), Ty::CString),
            (Ty::Optional(_), Ty::Nil) => Expr::new(ExprKind::Nil, ty.clone()),
            (Ty::Optional(_), Ty::Optional(_)) | (Ty::Optional(_), Ty::Error) => e,
            (Ty::Optional(_), _) => Expr::new(ExprKind::Wrap(Box::new(e)), ty.clone()),
            (Ty::Any, Ty::Any) | (Ty::Any, Ty::Error) => e,
            (Ty::Any, _) => Expr::new(ExprKind::ToAny(Box::new(e)), Ty::Any),
            _ => e,
        }
    }

    /// Top-level statements and global initialisers, in source order,
    /// become the module's init function; the initialisers of its
    /// thread-local variables alone also become its thread initialiser,
    /// which runs them for each other thread that uses the module
    /// (MODULES.md §6; `init { }` blocks and statements run once). In a
    /// program's main file, whose top level is a script that runs once
    /// (`let t = spawn(work)` must not spawn again in `work`'s thread), only
    /// constant initialisers run again; its other variables start as zero
    /// or nil on other threads (`docs/decisions.md`).
    ///
    /// The variables of the other files are initialised first (in the
    /// order the files are given), then the main file runs in order.
    fn check_init(&mut self, files: &[ast::File]) -> (FuncId, Option<FuncId>) {
        self.begin_body(Ty::Void, BodyKind::TopLevel);
        self.body_fn = None;
        self.body.closure_names =
            crate::closures::closure_names(files.iter().flat_map(|f| &f.items).flat_map(|i| match i {
                ast::Item::Stmt(s) => std::slice::from_ref(s),
                ast::Item::InitBlock(b) => b.stmts.as_slice(),
                _ => &[],
            }));
        // Imported modules are initialised first, in import order.
        let mut body: Vec<Stmt> = self
            .import_inits
            .iter()
            .map(|&f| Stmt::Expr(Box::new(Expr::new(ExprKind::Call(f, Vec::new()), Ty::Void))))
            .collect();
        body.push(Stmt::InitClasses);
        let is_main = |f: &&ast::File| f.items.iter().any(|i| matches!(i, ast::Item::Stmt(_)));
        let ordered = files.iter().filter(|f| !is_main(f)).chain(files.iter().filter(is_main));
        let mut per_thread = Vec::new();
        for file in ordered {
            let script = is_main(&file);
            for item in &file.items {
                match item {
                    ast::Item::Global(v) => {
                        let start = body.len();
                        body.push(Stmt::At(v.span));
                        self.global(v, &mut body);
                        let again = match body.last() {
                            Some(Stmt::Assign(_, init)) => !script || init.is_constant(),
                            _ => false,
                        };
                        if v.mods.shared.is_none() && again {
                            per_thread.extend(body[start..].iter().cloned());
                        }
                    }
                    ast::Item::Stmt(s) => self.stmt(s, &mut body),
                    // Run when the module initialises, in source order.
                    ast::Item::InitBlock(b) => self.block(b, &mut body),
                    _ => {}
                }
            }
        }
        let id = self.new_func("<init>", mangle::module_init(&self.module), Vec::new(), Ty::Void, Visibility::Export);
        // The init entry lives with the main file (or the first file).
        let main = files.iter().position(|f| f.items.iter().any(|i| matches!(i, ast::Item::Stmt(_)))).unwrap_or(0);
        self.funcs[id].file = main as u32;
        let locals = std::mem::take(&mut self.body.locals);
        let has_vars = self.globals.iter().any(hir::Global::in_block);
        let thread_init = has_vars.then(|| {
            let t = self.new_func(
                "<thread init>",
                mangle::module_thread_init(&self.module),
                Vec::new(),
                Ty::Void,
                Visibility::Local,
            );
            self.funcs[t].file = main as u32;
            self.funcs[t].locals = locals.clone();
            self.funcs[t].body = per_thread;
            t
        });
        let func = &mut self.funcs[id];
        func.locals = locals;
        func.body = body;
        func.entry = true;
        self.body.kind = BodyKind::Function;
        (id, thread_init)
    }

    /// The module's `fini { }` blocks, in source order, as one entry
    /// `lib.unload()` runs (`tess_abi::layout::library_descriptor::FINI`);
    /// `None` when it has none. Only a library is ever unloaded: a
    /// program's are errors.
    fn check_fini(&mut self, files: &[ast::File], mode: Mode) -> Option<FuncId> {
        let blocks: Vec<&ast::Block> = files
            .iter()
            .flat_map(|f| &f.items)
            .filter_map(|i| match i {
                ast::Item::FiniBlock(b) => Some(b),
                _ => None,
            })
            .collect();
        if mode == Mode::Program {
            for b in &blocks {
                self.error_hint(
                    b.span,
                    "only a library has `fini { }` blocks",
                    "they run when `lib.unload()` unloads a library; build it with `--lib`",
                );
            }
            return None;
        }
        let first = blocks.first()?;
        let file = files
            .iter()
            .position(|f| f.items.iter().any(|i| matches!(i, ast::Item::FiniBlock(b) if b.span == first.span)));
        self.begin_body(Ty::Void, BodyKind::Function);
        self.body_fn = None;
        self.body.closure_names = crate::closures::closure_names(blocks.iter().flat_map(|b| &b.stmts));
        let mut body = Vec::new();
        for b in blocks {
            self.block(b, &mut body);
        }
        let id = self.new_func("<fini>", mangle::module_fini(&self.module), Vec::new(), Ty::Void, Visibility::Local);
        let func = &mut self.funcs[id];
        func.file = file.unwrap_or(0) as u32;
        func.locals = std::mem::take(&mut self.body.locals);
        func.body = body;
        func.entry = true;
        Some(id)
    }

    fn global(&mut self, v: &ast::VarDecl, out: &mut Vec<Stmt>) {
        self.check_modifiers(&ast::Modifiers { shared: None, ..v.mods.clone() }, false);
        let declared = v.ty.as_ref().map(|t| self.resolve_type(t));
        let init = match &v.init {
            Some(e) => {
                let value = self.expr(e, declared.as_ref());
                self.settle(value, declared.as_ref(), e.span)
            }
            None => {
                self.error_hint(
                    v.span,
                    format!("`{}` needs an initial value", v.name.name),
                    "write `= <value>` after the declaration",
                );
                Expr::new(ExprKind::Int(0), Ty::Error)
            }
        };
        let ty = declared.unwrap_or_else(|| init.ty.clone());
        // A module variable and a function share the module's namespace
        // (and its symbols).
        let prev = self
            .global_names
            .get(&v.name.name)
            .map(|g| g.span)
            .or_else(|| self.fn_names.get(&v.name.name).map(|f| f.1));
        if let Some(prev) = prev {
            self.diags.push(
                Diagnostic::error(v.name.span, format!("`{}` is declared twice", v.name.name))
                    .with_note(prev, "first declared here"),
            );
            return;
        }
        let shared = v.mods.shared.is_some_and(|s| self.check_shared(s, v, &ty));
        let id = self.globals.len();
        self.globals.push(hir::Global {
            name: v.name.name.clone(),
            symbol: mangle::symbol(&self.module, &[&v.name.name]),
            ty,
            mutable: v.mutable,
            visibility: top_visibility(&v.mods),
            external: false,
            origin: None,
            file: v.name.span.file.0,
            shared,
            constant: None,
        });
        self.global_names.insert(v.name.name.clone(), GlobalInfo { id, mutable: v.mutable, span: v.name.span });
        out.push(Stmt::Assign(Place::Global(id), Box::new(init)));
    }

    /// Whether a `shared` variable is one (MODULES.md §6): a `var` of
    /// `Int`, `Float` or `Bool` — threads share no objects.
    fn check_shared(&mut self, at: Span, v: &ast::VarDecl, ty: &Ty) -> bool {
        if !v.mutable {
            self.error_hint(at, "`shared` applies to `var`s", "a `let` is never written: drop `shared`");
            return false;
        }
        if !matches!(ty, Ty::Int | Ty::Float | Ty::Bool | Ty::Error) {
            self.error_hint(
                v.name.span,
                format!("a `shared var` holds `Int`, `Float` or `Bool`, not `{ty}`"),
                "threads share no objects: give each thread its own (a module `var` is per thread)",
            );
            return false;
        }
        true
    }

    /// The value of a declaration's initialiser: coerced to the declared
    /// type, or, without one, checked to have a storable type.
    pub(crate) fn settle(&mut self, value: Expr, declared: Option<&Ty>, span: Span) -> Expr {
        match declared {
            Some(t) => self.coerce(value, t, span),
            None => {
                // The variable is then of no type, so that its uses report
                // nothing more: the cause is here.
                match value.ty {
                    Ty::Void => {
                        self.error_hint(
                            span,
                            "this call has no result to store",
                            "the function has no `-> Type`: call it as a statement of its own",
                        );
                        crate::checker::error_expr()
                    }
                    Ty::Nil => {
                        self.error_hint(
                            span,
                            "the type of `nil` is unknown here",
                            "declare the variable's type, e.g. `var x: Int? = nil`",
                        );
                        crate::checker::error_expr()
                    }
                    _ => value,
                }
            }
        }
    }

    /// Checks every function and class body, parsing each one left
    /// unparsed; each declaration's syntax is dropped once its HIR is
    /// built (the last use of the syntax trees).
    fn check_bodies(&mut self, files: Vec<ast::File>, texts: &[&str]) {
        for (file, text) in files.into_iter().zip(texts.iter().copied().chain(std::iter::repeat(""))) {
            for item in file.items {
                match item {
                    ast::Item::Fn(mut f) => {
                        // Every body is parsed, for its syntax errors.
                        if let Some(body) = &mut f.body {
                            parse_body(text, body, self.diags);
                        }
                        let Some(&(id, span)) = self.fn_names.get(&f.name.name) else { continue };
                        if span == f.name.span {
                            self.function_body(id, &f, BodyKind::Function, None);
                        }
                    }
                    ast::Item::Class(mut c) => {
                        for m in c.methods.iter_mut().chain(c.inits.iter_mut()) {
                            if let Some(body) = &mut m.body {
                                parse_body(text, body, self.diags);
                            }
                        }
                        self.class_bodies(&c);
                    }
                    ast::Item::Interface(mut i) => {
                        for m in &mut i.methods {
                            if let Some(body) = &mut m.body {
                                parse_body(text, body, self.diags);
                            }
                        }
                        self.interface_bodies(&i);
                    }
                    _ => {}
                }
            }
        }
    }

    /// Checks a function or method body into `funcs[id]`.
    pub(crate) fn function_body(&mut self, id: FuncId, f: &ast::FnDecl, kind: BodyKind, class: Option<ClassId>) {
        let Some(body) = f.body.as_ref().and_then(ast::Body::block) else { return };
        let sig = self.sigs[id].clone();
        self.begin_body(sig.ret.clone(), kind);
        self.body.self_class = class;
        self.body.closure_names = crate::closures::closure_names(&body.stmts);
        self.body_fn = Some(id);
        let mut params = Vec::new();
        // A method's receiver: of its class, or of its interface (a default body).
        let receiver = match class {
            Some(c) => Some(self.class_ty(c)),
            None if kind == BodyKind::Method => sig.params.first().cloned(),
            None => None,
        };
        if let Some(Ty::Interface(i, _)) = &receiver {
            self.body.self_iface = Some(*i);
        }
        if let Some(r) = &receiver {
            params.push(self.new_local("self", r.clone()));
        }
        let mut prologue = Vec::new();
        if let Some(c) = class.filter(|&c| self.is_generic_class(c)) {
            let descs = self.class_descriptors(c, params[0], &mut prologue);
            self.funcs[id].type_params = descs;
        }
        let user_params = if receiver.is_some() { &sig.params[1..] } else { &sig.params[..] };
        for (p, ty) in f.params.iter().zip(user_params) {
            params.push(self.bind_local(&p.name, ty.clone(), false));
        }
        let mut out = prologue;
        if self.funcs[id].extern_c {
            self.c_function_params(&f.params, &params, &mut out);
        }
        // A generic function's type descriptors: hidden, after the others.
        if let Some(tps) = self.generics.get(&id).cloned() {
            let descs: Vec<LocalId> =
                tps.iter().map(|p| self.new_local(&format!("<{}>", p.name), Ty::CPointer)).collect();
            params.extend(descs.iter().copied());
            self.funcs[id].type_params = descs;
            self.type_scope = tps;
        }
        self.block(body, &mut out);
        if self.body.ret != Ty::Void && !crate::stmt::always_exits(&body.stmts) {
            let ret = self.body.ret.clone();
            self.error_hint(
                body.span,
                format!("function `{}` must return a value of type {ret} on every path", f.name.name),
                "add a `return` at the end",
            );
        }
        self.type_scope = Default::default();
        self.finish_body(id, params, out);
    }

    /// Stores a checked body into its function and leaves the body context.
    pub(crate) fn finish_body(&mut self, id: FuncId, params: Vec<LocalId>, body: Vec<Stmt>) {
        self.body.self_class = None;
        let func = &mut self.funcs[id];
        func.params = params;
        func.locals = std::mem::take(&mut self.body.locals);
        func.body = body;
    }
}

/// Types that cross the C boundary (MODULES.md §5).
fn is_c_type(t: &Ty) -> bool {
    match t {
        Ty::Int | Ty::Int32 | Ty::Float | Ty::Bool | Ty::CString | Ty::CPointer | Ty::Void | Ty::Error => true,
        Ty::Fn(ps, r) => ps.iter().all(is_c_type) && is_c_type(r),
        _ => false,
    }
}
