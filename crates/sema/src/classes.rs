//! Classes: the built-in ones, declaring user classes (names, bases,
//! fields, methods, layout, virtual tables, override rules), and checking
//! their bodies (methods and `init`s with definite initialisation).

use crate::body::BodyKind;
use crate::checker::{top_visibility, Checker};
use crate::hir::{self, Callee, Expr, ExprKind, Layout, Offset, Place, Stmt, Visibility};
use crate::init_check::InitState;
use crate::tables::{ClassInfo, FieldInfo, MethodInfo, Sig, ERROR, OBJECT, THREAD};
use crate::ty::{ClassId, Ty};
use tess_abi::layout::{error, object, type_info};
use tess_abi::mangle;
use tess_abi::RuntimeFn;
use tess_syntax::ast::{self, Access};
use tess_syntax::{Diagnostic, Span};

const ERROR_SUBCLASSES: &[&str] = &[
    "OverflowError",
    "DivisionByZeroError",
    "IndexError",
    "NilError",
    "CastError",
    "KeyError",
    "IOError",
    "LoadError",
    "AbiError",
    "ThreadError",
    "UnloadError",
];

fn access_of(m: &ast::Modifiers) -> Access {
    m.access.map_or(Access::Internal, |(a, _)| a)
}

impl Checker<'_> {
    pub(crate) fn add_builtin_classes(&mut self) {
        let to_string = MethodInfo {
            callee: Callee::Runtime(RuntimeFn::ObjectToString),
            slot: Some(Offset::Fixed(type_info::vtable_slot(0) as u32)),
            sig: Sig { params: Vec::new(), ret: Ty::Str },
            access: Access::Public,
            is_final: false,
            owner: OBJECT,
            span: Span::default(),
        };
        self.push_builtin("Object", None, Vec::new(), Some(Vec::new()), None);
        self.class_info[OBJECT].methods.insert("toString".into(), to_string);
        let message = hir::Field {
            name: "message".into(),
            ty: Ty::Str,
            offset: Offset::Fixed(error::MESSAGE as u32),
            access: Access::Public,
            mutable: false,
        };
        // Where it was thrown: the runtime's, read as `e.stackTrace`; no
        // program can name it.
        let trace = hir::Field {
            name: "$trace".into(),
            ty: Ty::Str,
            offset: Offset::Fixed(error::TRACE as u32),
            access: Access::Private,
            mutable: false,
        };
        let fields = vec![message, trace];
        let init = Some(Callee::Runtime(RuntimeFn::ErrorInit));
        self.push_builtin("Error", Some(OBJECT), fields.clone(), Some(vec![Ty::Str]), init.clone());
        self.class_info[ERROR].fields.insert(
            "message".into(),
            FieldInfo {
                index: 0,
                mutable: false,
                access: Access::Public,
                owner: ERROR,
                span: Span::default(),
                origin: None,
            },
        );
        self.add_builtin_thread();
        for name in ERROR_SUBCLASSES {
            self.push_builtin(name, Some(ERROR), fields.clone(), Some(vec![Ty::Str]), init.clone());
        }
        self.add_builtin_library();
    }

    /// `Library`: `loadLibrary` makes one; `path` and `name` (its module)
    /// can be read, and `lib.unload()` unloads it (MODULES.md §4). It
    /// cannot be constructed or subclassed.
    fn add_builtin_library(&mut self) {
        use tess_abi::layout::library_object;
        let fields: Vec<hir::Field> = library_object::FIELDS
            .iter()
            .map(|&(name, offset)| hir::Field {
                name: name.into(),
                ty: Ty::Str,
                offset: Offset::Fixed(offset as u32),
                access: Access::Public,
                mutable: false,
            })
            .collect();
        let id =
            self.push_runtime_object("Library", fields, library_object::SIZE, ("unload", RuntimeFn::LibraryUnload));
        for (index, &(name, _)) in library_object::FIELDS.iter().enumerate() {
            let field = FieldInfo {
                index,
                mutable: false,
                access: Access::Public,
                owner: id,
                span: Span::default(),
                origin: None,
            };
            self.class_info[id].fields.insert(name.into(), field);
        }
    }

    /// `Thread`: `spawn` makes one, `t.join()` waits for it; it cannot be
    /// constructed or subclassed.
    fn add_builtin_thread(&mut self) {
        let id = self.push_runtime_object(
            "Thread",
            Vec::new(),
            tess_abi::layout::thread_object::SIZE,
            ("join", RuntimeFn::ThreadJoin),
        );
        debug_assert_eq!(id, THREAD);
    }

    /// A final built-in class whose objects only the runtime makes (`size`
    /// bytes), with one method taking nothing that the runtime implements.
    fn push_runtime_object(
        &mut self,
        name: &str,
        fields: Vec<hir::Field>,
        size: i32,
        (method, callee): (&str, RuntimeFn),
    ) -> ClassId {
        self.push_builtin(name, Some(OBJECT), fields, None, None);
        let id = self.classes.len() - 1;
        self.classes[id].open = false;
        self.classes[id].size = size as u32;
        self.class_info[id].is_final = true;
        let method_info = MethodInfo {
            callee: Callee::Runtime(callee),
            slot: None,
            sig: Sig { params: Vec::new(), ret: Ty::Void },
            access: Access::Public,
            is_final: true,
            owner: id,
            span: Span::default(),
        };
        self.class_info[id].methods.insert(method.into(), method_info);
        id
    }

    fn push_builtin(
        &mut self,
        name: &str,
        base: Option<ClassId>,
        fields: Vec<hir::Field>,
        init_params: Option<Vec<Ty>>,
        init: Option<Callee>,
    ) {
        let id = self.classes.len();
        let mut display = base.map_or_else(Vec::new, |b| self.classes[b].display.clone());
        display.push(id);
        self.classes.push(hir::Class {
            name: name.into(),
            type_info: tess_abi::runtime_fns::builtin_type_info(name),
            builtin: true,
            imported_from: None,
            origin: None,
            base,
            display,
            size: object::size(fields.len() as u32),
            fields,
            vtable: vec![Callee::Runtime(RuntimeFn::ObjectToString)],
            layout: Layout::Fixed,
            init,
            visibility: Visibility::Export,
            open: true,
            file: 0,
            conforms: Vec::new(),
            type_params: Vec::new(),
            desc_fields: Vec::new(),
        });
        self.class_info.push(ClassInfo { init_params, ..ClassInfo::new(Span::default(), None, false, Access::Public) });
        self.class_names.insert(name.into(), id);
    }

    /// Registers every class name, then resolves bases (so types may name
    /// any class, in any order).
    pub(crate) fn declare_classes(&mut self, files: &[ast::File]) {
        for (fi, file) in files.iter().enumerate() {
            for (ii, item) in file.items.iter().enumerate() {
                let ast::Item::Class(c) = item else { continue };
                if let Some(&prev) = self.class_names.get(&c.name.name) {
                    let d = Diagnostic::error(c.name.span, format!("class `{}` is declared twice", c.name.name));
                    let d = if self.classes[prev].builtin {
                        d.with_hint("this name belongs to a built-in class")
                    } else {
                        d.with_note(self.class_info[prev].span, "first declared here")
                    };
                    self.diags.push(d);
                    continue;
                }
                for (span, what) in
                    [(c.mods.override_, "`override`"), (c.mods.shared, "`shared`"), (c.mods.extern_, "`extern`")]
                {
                    if let Some(s) = span {
                        self.error(s, format!("{what} does not apply to classes"));
                    }
                }
                self.check_top_level_access(&c.mods);
                let id = self.classes.len();
                self.classes.push(hir::Class {
                    name: c.name.name.clone(),
                    type_info: mangle::symbol(&self.module, &[&c.name.name, "$ti"]),
                    builtin: false,
                    imported_from: None,
                    origin: None,
                    base: Some(OBJECT),
                    display: Vec::new(),
                    fields: Vec::new(),
                    size: object::size(0),
                    vtable: Vec::new(),
                    layout: Layout::Fixed,
                    init: None,
                    visibility: top_visibility(&c.mods),
                    open: c.mods.open.is_some(),
                    file: c.name.span.file.0,
                    conforms: Vec::new(),
                    type_params: Vec::new(),
                    desc_fields: Vec::new(),
                });
                let is_final = c.mods.final_.is_some();
                self.class_info.push(ClassInfo::new(c.name.span, Some((fi, ii)), is_final, Access::Internal));
                self.class_names.insert(c.name.name.clone(), id);
            }
        }
        self.declare_class_type_params(files);
        for id in 0..self.classes.len() {
            let Some((fi, ii)) = self.class_info[id].decl else { continue };
            let ast::Item::Class(c) = &files[fi].items[ii] else { continue };
            let Some(base_expr) = &c.base else { continue };
            // The class's own type parameters (bounds come later) may be
            // its interfaces' type arguments: `class Box[T] : Holder[T]`.
            self.type_scope = self.class_info[id].type_params.clone();
            if let ast::TypeExpr::Named(parts) | ast::TypeExpr::Generic(parts, ..) = base_expr {
                let name = parts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".");
                let imported = parts.len() >= 2
                    && self.modules.get(&parts[0].name).is_some_and(|m| {
                        m.interfaces
                            .contains_key(&parts[1..].iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join("."))
                    });
                if self.iface_names.contains_key(&name) || imported {
                    // `class C : I, J`: no base class, interfaces only.
                    let mut all = vec![base_expr.clone()];
                    all.extend(c.interfaces.iter().cloned());
                    self.resolve_class_interfaces(id, &all);
                    self.type_scope = Default::default();
                    continue;
                }
            }
            self.resolve_class_interfaces(id, &c.interfaces);
            self.type_scope = Default::default();
            match self.resolve_type(base_expr) {
                Ty::Class(b, name) => {
                    if self.classes[b].imported_from.is_some() && !self.classes[b].open {
                        self.error_hint(
                            base_expr.span(),
                            format!("class `{name}` is not `open`, so it cannot be subclassed outside its module"),
                            "declare it `open class` in its module",
                        );
                    } else if self.class_info[b].is_final {
                        self.error_hint(
                            base_expr.span(),
                            format!("cannot subclass final class `{name}`"),
                            "remove `final` from the base class, or do not subclass it",
                        );
                    } else if self.enum_of(b).is_some() && !c.name.name.starts_with(&format!("{name}.")) {
                        self.error_hint(
                            base_expr.span(),
                            format!("cannot subclass `{name}`, an enum"),
                            "add a case to the enum instead",
                        );
                    } else if self.is_subclass(b, id) {
                        self.error(base_expr.span(), format!("class `{}` cannot inherit from itself", c.name.name));
                    } else if !c.type_params.is_empty() {
                        self.error_hint(
                            c.name.span,
                            format!("generic class `{}` cannot have a base class yet", c.name.name),
                            "implement interfaces instead: `class Stack[T] : Sized`",
                        );
                    } else {
                        self.classes[id].base = Some(b);
                    }
                }
                Ty::Error => {}
                other => self.error_hint(
                    base_expr.span(),
                    format!("cannot inherit from {other}"),
                    "a class inherits from another class",
                ),
            }
        }
    }

    /// Classes with every base before its subclasses.
    fn class_order(&self) -> Vec<ClassId> {
        let mut order = Vec::new();
        let mut seen = vec![false; self.classes.len()];
        for id in 0..self.classes.len() {
            let mut chain = Vec::new();
            let mut c = Some(id);
            while let Some(x) = c {
                if seen[x] {
                    break;
                }
                seen[x] = true;
                chain.push(x);
                c = self.classes[x].base;
            }
            order.extend(chain.into_iter().rev());
        }
        order
    }

    /// Fields, methods, `init`, layout and virtual table of each class.
    pub(crate) fn declare_class_members(&mut self, files: &[ast::File]) {
        for id in self.class_order() {
            let Some((fi, ii)) = self.class_info[id].decl else { continue };
            let ast::Item::Class(c) = &files[fi].items[ii] else { continue };
            self.type_scope = self.class_info[id].type_params.clone();
            self.declare_members(id, c);
            self.type_scope = Default::default();
        }
    }

    pub(crate) fn find_method(&self, mut class: ClassId, name: &str) -> Option<MethodInfo> {
        self.note_class(class);
        loop {
            if let Some(m) = self.class_info[class].methods.get(name) {
                if let Callee::Func(f) = m.callee {
                    self.note_use(self.funcs[f].origin.as_ref());
                }
                return Some(m.clone());
            }
            class = self.classes[class].base?;
        }
    }

    /// For a class of another module whose `init` is not in its interface
    /// (not public there): reports that it cannot be constructed or
    /// subclassed here, and returns true.
    pub(crate) fn report_hidden_init(&mut self, class: ClassId, span: Span) -> bool {
        let Some(module) = self.classes[class].imported_from.clone() else { return false };
        if self.class_info[class].init_params.is_some() {
            return false;
        }
        let name = self.classes[class].name.clone();
        self.error_hint(
            span,
            format!("`{name}` has no public `init`, so other modules cannot construct or subclass it"),
            format!("declare `public init(...)` (or `protected init(...)`, for subclasses) in module `{module}`"),
        );
        true
    }

    /// A member of a class of another module that code here can never
    /// name: private or internal there. It takes its place in the layout
    /// but does not clash with this module's names.
    pub(crate) fn hidden_import(&self, access: Access, owner: ClassId) -> bool {
        self.classes[owner].imported_from.is_some() && matches!(access, Access::Private | Access::Internal)
    }

    pub(crate) fn find_field(&self, mut class: ClassId, name: &str) -> Option<&FieldInfo> {
        self.note_class(class);
        loop {
            if let Some(f) = self.class_info[class].fields.get(name) {
                self.note_use(f.origin.as_ref());
                return Some(f);
            }
            class = self.classes[class].base?;
        }
    }

    /// The one implementation a virtual call through `slot` on a receiver
    /// of static class `recv` can reach, when this module can know it: the
    /// class is this module's, with a layout fixed here, and neither it nor
    /// any subclass is `open` (so no other module can subclass them,
    /// LANGUAGE.md) or overrides the slot. Such calls are direct (and may
    /// be inlined).
    pub(crate) fn devirtualized(&self, recv: ClassId, slot: &Offset) -> Option<Callee> {
        let Offset::Fixed(at) = slot else { return None };
        let class = &self.classes[recv];
        if class.builtin || class.imported_from.is_some() || class.layout != Layout::Fixed {
            return None;
        }
        let index = type_info::slot_index(*at) as usize;
        let callee = class.vtable.get(index)?;
        let sealed = self
            .classes
            .iter()
            .filter(|c| c.display.contains(&recv))
            .all(|c| !c.open && c.layout == Layout::Fixed && c.vtable.get(index) == Some(callee));
        sealed.then(|| callee.clone())
    }

    fn declare_members(&mut self, id: ClassId, c: &ast::ClassDecl) {
        let base = self.classes[id].base.unwrap_or(OBJECT);
        let mut display = self.classes[base].display.clone();
        display.push(id);
        self.classes[id].display = display;
        self.classes[id].fields = self.classes[base].fields.clone();
        self.classes[id].vtable = self.classes[base].vtable.clone();
        let class_name = c.name.name.clone();
        // A base from another module (or built from one) has a layout only
        // known at run time: so has this class (MODULES.md §11).
        if self.classes[base].layout != Layout::Fixed {
            self.classes[id].layout = Layout::Built {
                cell: mangle::type_info_cell(&self.module, &class_name),
                added: Vec::new(),
                overrides: Vec::new(),
            };
        }
        self.descriptor_fields(id);
        for f in &c.fields {
            self.check_member_modifiers(&f.mods, false);
            if let Some(prev) = self.find_field(id, &f.name.name).filter(|p| !self.hidden_import(p.access, p.owner)) {
                let (owner, span) = (prev.owner, prev.span);
                let d = Diagnostic::error(
                    f.name.span,
                    format!("field `{}` is already declared in `{}`", f.name.name, self.classes[owner].name),
                );
                self.diags.push(if span == Span::default() { d } else { d.with_note(span, "declared here") });
                continue;
            }
            let ty = match (&f.ty, &f.init) {
                (Some(t), _) => self.resolve_type(t),
                (None, Some(e)) => self.default_type(e),
                (None, None) => {
                    self.error_hint(
                        f.name.span,
                        format!("field `{}` needs a type", f.name.name),
                        "write `var name: Type`",
                    );
                    Ty::Error
                }
            };
            let index = self.classes[id].fields.len();
            let offset = match self.classes[id].layout {
                Layout::Fixed => Offset::Fixed(object::field_offset(index as u32)),
                _ => Offset::Cell(mangle::field_offset(&self.module, &class_name, &f.name.name).into()),
            };
            let access = access_of(&f.mods);
            let field = hir::Field { name: f.name.name.clone(), ty: ty.clone(), offset, access, mutable: f.mutable };
            self.classes[id].fields.push(field);
            let defaulted = f.init.is_some() || (f.mutable && matches!(ty, Ty::Optional(_)));
            let info = &mut self.class_info[id];
            info.fields.insert(
                f.name.name.clone(),
                FieldInfo {
                    index,
                    mutable: f.mutable,
                    access: access_of(&f.mods),
                    owner: id,
                    span: f.name.span,
                    origin: None,
                },
            );
            info.own_fields.push((f.name.name.clone(), defaulted));
        }
        self.classes[id].size = object::size(self.classes[id].fields.len() as u32);

        for m in &c.methods {
            if let Some(s) = m.mods.const_ {
                self.error_hint(s, "a method cannot be a `const fn`", "make it a top-level `const fn`");
            }
            self.declare_method(id, &class_name, m);
        }

        if c.inits.len() > 1 {
            self.error_hint(c.inits[1].name.span, "a class has at most one `init`", "merge the initialisers");
        }
        let init_params = match c.inits.first() {
            Some(init) => {
                self.check_member_modifiers(&init.mods, true);
                self.class_info[id].init_access = access_of(&init.mods);
                init.params.iter().map(|p| self.resolve_type(&p.ty)).collect()
            }
            None => {
                self.class_info[id].init_access = Access::Public;
                Vec::new()
            }
        };
        let mut sig_params = vec![self.class_ty(id)];
        sig_params.extend(init_params.iter().cloned());
        let visibility = self.member_visibility(id, self.class_info[id].init_access);
        let func = self.new_func(
            &format!("{class_name}.init"),
            mangle::symbol(&self.module, &[&class_name, "init"]),
            sig_params,
            Ty::Void,
            visibility,
        );
        self.funcs[func].file = self.classes[id].file;
        self.funcs[func].access = self.class_info[id].init_access;
        self.classes[id].init = Some(Callee::Func(func));
        self.class_info[id].init_params = Some(init_params);
    }

    /// A member is as visible as its class when it is `public` or
    /// `protected` (subclasses in other modules use those), else local.
    fn member_visibility(&self, class: ClassId, access: Access) -> Visibility {
        self.classes[class].visibility.of_member(access)
    }

    fn check_member_modifiers(&mut self, m: &ast::Modifiers, is_init: bool) {
        for (span, what) in [
            (m.shared, "`shared`"),
            (m.extern_, "`extern`"),
            (m.export, "`export` on a member"),
            (m.open, "`open` on a member"),
        ] {
            if let Some(s) = span {
                self.error_hint(
                    s,
                    format!("{what} is not allowed here"),
                    "members are virtual unless `final`; `open` applies to classes",
                );
            }
        }
        if is_init {
            for (span, what) in [(m.override_, "`override`"), (m.final_, "`final`")] {
                if let Some(s) = span {
                    self.error(s, format!("{what} does not apply to `init`"));
                }
            }
        }
    }

    /// The type of a field declared without one, from its default value.
    fn default_type(&mut self, e: &ast::Expr) -> Ty {
        self.with_fresh_body(|c| {
            let errors = c.diags.items.len();
            let t = c.expr(e, None).ty;
            // The default is checked again, for real, in the `init`.
            c.diags.items.truncate(errors);
            t
        })
    }

    fn declare_method(&mut self, id: ClassId, class_name: &str, m: &ast::FnDecl) {
        self.check_member_modifiers(&m.mods, false);
        let params: Vec<Ty> = m.params.iter().map(|p| self.resolve_type(&p.ty)).collect();
        let ret = m.ret.as_ref().map_or(Ty::Void, |t| self.resolve_type(t));
        let name = &m.name.name;
        if self.class_info[id].methods.contains_key(name) {
            self.error_hint(m.name.span, format!("method `{name}` is declared twice"), "methods are not overloaded");
            return;
        }
        if m.body.is_none() {
            self.error_hint(m.span, format!("method `{name}` has no body"), "add `{ ... }`");
        }
        let base = self.classes[id].base.unwrap_or(OBJECT);
        let inherited = self.find_method(base, name);
        let sig = Sig { params: params.clone(), ret: ret.clone() };
        let is_final = m.mods.final_.is_some() || self.class_info[id].is_final;
        let slot = match (&inherited, m.mods.override_) {
            (Some(prev), Some(_)) => {
                let owner = self.classes[prev.owner].name.clone();
                let what = format!("method `{name}`");
                let visible = self.check_access_from(Some(id), prev.access, prev.owner, prev.span, m.name.span, &what);
                if !visible {
                    // The access error says it all.
                } else if prev.is_final || prev.slot.is_none() {
                    self.error_hint(
                        m.name.span,
                        format!("cannot override final method `{owner}.{name}`"),
                        "remove `final` from the base method",
                    );
                } else if !self.same_sig(&prev.sig, &sig) {
                    self.error_hint(
                        m.name.span,
                        format!("`{name}` does not match the signature of `{owner}.{name}`"),
                        format!("an override must have exactly the signature {}", self.describe_sig(&prev.sig)),
                    );
                } else if prev.access != access_of(&m.mods) {
                    self.error_hint(
                        m.name.span,
                        format!("`{name}` changes the access level of `{owner}.{name}`"),
                        "an override keeps the access level of the method it overrides",
                    );
                }
                prev.slot.clone()
            }
            // LANGUAGE.md's own example overrides `Object.toString` without
            // `override`: members of the built-in root class allow both.
            (Some(prev), None) if prev.owner == OBJECT && self.same_sig(&prev.sig, &sig) => prev.slot.clone(),
            (Some(prev), None) => {
                let owner = self.classes[prev.owner].name.clone();
                self.error_hint(
                    m.name.span,
                    format!("`{name}` overrides `{owner}.{name}` without `override`"),
                    format!("write `override fn {name}(...)`"),
                );
                None
            }
            (None, Some(s)) => {
                let imported = self.ancestors(base).find(|&c| self.classes[c].imported_from.is_some());
                let message = match imported {
                    Some(c) => format!(
                        "`{name}` does not override any method: `{}` has no public or protected method `{name}`",
                        self.classes[c].name
                    ),
                    None => format!("`{name}` does not override any method"),
                };
                self.error_hint(s, message, "remove `override`, or check the name");
                None
            }
            (None, None) => None,
        };
        let mut fparams = vec![self.class_ty(id)];
        fparams.extend(params);
        let visibility = self.member_visibility(id, access_of(&m.mods));
        let func = self.new_func(
            &format!("{class_name}.{name}"),
            mangle::symbol(&self.module, &[class_name, name]),
            fparams,
            ret,
            visibility,
        );
        self.funcs[func].file = self.classes[id].file;
        self.funcs[func].span = Some(m.name.span);
        self.funcs[func].access = access_of(&m.mods);
        self.funcs[func].is_final = is_final;
        let slot = match (slot, &mut self.classes[id].layout) {
            (Some(Offset::Fixed(s)), Layout::Fixed) => {
                self.classes[id].vtable[type_info::slot_index(s) as usize] = Callee::Func(func);
                Some(Offset::Fixed(s))
            }
            (Some(s), Layout::Built { overrides, .. }) => {
                overrides.push((s.clone(), func));
                Some(s)
            }
            (None, Layout::Fixed) if !is_final && inherited.is_none() => {
                self.classes[id].vtable.push(Callee::Func(func));
                Some(Offset::Fixed(type_info::vtable_slot(self.classes[id].vtable.len() as u32 - 1) as u32))
            }
            (None, Layout::Built { added, .. }) if !is_final && inherited.is_none() => {
                let cell = mangle::method_slot(&self.module, class_name, name);
                added.push((cell.clone(), func));
                Some(Offset::Cell(cell.into()))
            }
            _ => None,
        };
        let info = MethodInfo {
            callee: Callee::Func(func),
            slot,
            sig,
            access: access_of(&m.mods),
            is_final,
            owner: id,
            span: m.name.span,
        };
        self.class_info[id].methods.insert(name.clone(), info);
    }

    fn same_sig(&self, a: &Sig, b: &Sig) -> bool {
        a.params == b.params && a.ret == b.ret
    }

    fn describe_sig(&self, s: &Sig) -> String {
        Ty::Fn(Box::new(s.params.clone()), Box::new(s.ret.clone())).to_string()
    }

    /// Checks the methods and the `init` of a class.
    pub(crate) fn class_bodies(&mut self, c: &ast::ClassDecl) {
        let Some(&id) = self.class_names.get(&c.name.name) else { return };
        if self.class_info[id].span != c.name.span {
            return;
        }
        for m in &c.methods {
            let Some(info) = self.class_info[id].methods.get(&m.name.name) else { continue };
            if info.span != m.name.span {
                continue;
            }
            let Callee::Func(f) = info.callee else { continue };
            self.function_body(f, m, BodyKind::Method, Some(id));
        }
        self.init_body(id, c);
    }

    /// The `init` of a class: field defaults, then the body with definite
    /// initialisation checked, then an implicit `super.init()` if needed.
    fn init_body(&mut self, id: ClassId, c: &ast::ClassDecl) {
        let Some(Callee::Func(func)) = self.classes[id].init.clone() else { return };
        let decl = c.inits.first();
        self.begin_body(Ty::Void, BodyKind::Init);
        self.body.self_class = Some(id);
        self.body_fn = Some(func);
        if let Some(body) = decl.and_then(|d| d.body.as_ref()).and_then(ast::Body::block) {
            self.body.closure_names = crate::closures::closure_names(&body.stmts);
        }
        let self_local = self.new_local("self", self.class_ty(id));
        let mut params = vec![self_local];
        let init_params = self.class_info[id].init_params.clone().unwrap_or_default();
        if let Some(d) = decl {
            for (p, ty) in d.params.iter().zip(init_params) {
                params.push(self.bind_local(&p.name, ty, false));
            }
        }
        let mut out = Vec::new();
        if self.is_generic_class(id) {
            let descs = self.class_descriptors(id, self_local, &mut out);
            self.funcs[func].type_params = descs;
        }
        // Field defaults, checked without `self` in scope.
        self.body.init_state = None;
        for f in &c.fields {
            let Some(default) = &f.init else { continue };
            let Some(info) =
                self.class_info[id].fields.get(&f.name.name).filter(|i| i.owner == id && i.span == f.name.span)
            else {
                continue;
            };
            let field = &self.classes[id].fields[info.index];
            let (ty, offset) = (field.ty.clone(), field.offset.clone());
            self.body.kind = BodyKind::Function;
            self.body.self_class = None;
            let v = self.expr(default, Some(&ty));
            let v = self.coerce(v, &ty, default.span);
            self.body.kind = BodyKind::Init;
            self.body.self_class = Some(id);
            let this = Expr::new(ExprKind::Local(self_local), self.class_ty(id));
            out.push(Stmt::Assign(Place::Field(Box::new(this), offset), Box::new(v)));
        }
        let base = self.classes[id].base.unwrap_or(OBJECT);
        let base_params = self.class_info[base].init_params.clone();
        let base_trivial = base == OBJECT;
        let needed: Vec<String> =
            self.class_info[id].own_fields.iter().filter(|(_, d)| !d).map(|(n, _)| n.clone()).collect();
        self.body.init_state = Some(InitState::new(needed, base_trivial));
        let span = decl.map_or(c.name.span, |d| d.name.span);
        if let Some(body) = decl.and_then(|d| d.body.as_ref()).and_then(ast::Body::block) {
            self.block(body, &mut out);
        }
        let state = self.body.init_state.take();
        if let Some(state) = state {
            let unset = state.unset_fields();
            if !unset.is_empty() {
                let list = unset.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
                let hint = if decl.is_some() {
                    "set it in `init`, or give it a default value"
                } else {
                    "add an `init` that sets it, or give it a default value"
                };
                self.error_hint(span, format!("field {list} of `{}` is never initialised", c.name.name), hint);
            } else if !state.super_called && !base_trivial {
                match base_params {
                    Some(p) if p.is_empty() => {
                        self.check_init_access(base, span);
                        if let Some(base_init) = self.classes[base].init.clone() {
                            let this = Expr::new(ExprKind::Local(self_local), self.class_ty(id));
                            out.push(Stmt::Expr(Box::new(Expr::new(
                                ExprKind::CallDirect(base_init, Box::new([this])),
                                Ty::Void,
                            ))));
                        }
                    }
                    None if self.report_hidden_init(base, span) => {}
                    _ => {
                        let base_name = self.classes[base].name.clone();
                        self.error_hint(
                            span,
                            format!("`init` must call `super.init(...)`: `{base_name}.init` takes arguments"),
                            "call `super.init(...)` after setting this class's fields",
                        );
                    }
                }
            }
        }
        self.type_scope = Default::default();
        self.finish_body(func, params, out);
    }
}
