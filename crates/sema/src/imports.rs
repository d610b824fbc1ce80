//! Imported modules: their interface files become declarations of this
//! module that refer to symbols defined elsewhere (`external`), reachable
//! as `module.name` and, for `import module.{a, B}`, as plain names.

use crate::checker::{error_expr, Checker};
use crate::hir::{self, Callee, FuncId, GlobalId, Layout, Offset, Origin, Visibility};
use crate::interface::{Interface, TypeRef};
use crate::tables::{ClassInfo, FieldInfo, GlobalInfo, ImportedModule, MethodInfo, Sig, OBJECT};
use crate::ty::{ClassId, Ty};
use std::collections::HashMap;
use tess_abi::mangle;
use tess_syntax::ast::{self, Access};
use tess_syntax::{Diagnostic, Span};

/// A compiled module the driver found for an `import`: its interface, and
/// how it is linked — as a shared library only its exported declarations
/// are reachable (the driver decides this once, `tess_driver::artifacts`).
pub struct Import {
    pub interface: Interface,
    pub shared: bool,
    /// A module of another package (`[dependencies]`): only its exported
    /// declarations are visible, however it links.
    pub exported_only: bool,
}

/// What the driver found of a module's imports: their interfaces, and
/// the names of the modules on the search path (for "did you mean" when
/// an import is not among them).
#[derive(Clone, Copy)]
pub struct Imports<'a> {
    pub found: &'a [Import],
    pub on_path: &'a [String],
    /// Modules whose interface is on the path but cannot be used (the
    /// driver has said why): treated as missing, not reported again.
    pub unusable: &'a [String],
    /// The module is built in a package (its hint for a missing module
    /// names the package's ways to add one, not `-I`).
    pub in_package: bool,
}

impl Checker<'_> {
    /// Loads the interfaces the files import (given by the driver, which
    /// found them on the search path) and binds `import m.{...}` names.
    pub(crate) fn import_modules(&mut self, files: &[ast::File], imports: Imports) -> Vec<FuncId> {
        let Imports { found: imports, on_path, unusable, in_package } = imports;
        let mut inits = Vec::new();
        for file in files {
            for imp in &file.imports {
                let name = imp.path.name.clone();
                if name == self.module {
                    self.error(imp.path.span, format!("module `{name}` cannot import itself"));
                    continue;
                }
                if !self.modules.contains_key(&name) && !self.missing_modules.contains(&name) {
                    match imports.iter().find(|i| i.interface.module == name) {
                        Some(import) => {
                            let (mut module, init) = self.load_interface(&import.interface, import.shared, imp.span);
                            module.exported_only = import.exported_only;
                            self.modules.insert(name.clone(), module);
                            inits.push(init);
                        }
                        None => {
                            self.missing_modules.insert(name.clone());
                            if !unusable.contains(&name) {
                                self.report_missing_module(imp, on_path, in_package);
                            }
                        }
                    }
                }
                // Said once: the names it would have brought in are not
                // reported where they are used.
                if self.missing_modules.contains(&name) {
                    self.missing_names.extend(imp.names.iter().map(|n| n.name.clone()));
                    continue;
                }
                for item in &imp.names {
                    self.bind_imported_name(&name, item);
                }
            }
        }
        inits
    }

    /// "cannot find module", with where it may be.
    fn report_missing_module(&mut self, imp: &ast::Import, on_path: &[String], in_package: bool) {
        let name = &imp.path.name;
        let hint = match crate::suggest::closest(name, on_path.iter().map(String::as_str)) {
            Some(m) => format!("did you mean `{m}`? (its interface is on the search path)"),
            None if in_package => format!(
                "make it a module of this package (a directory `src/{name}/`), or add the package that has it under `[dependencies]` in Tessera.toml"
            ),
            None => {
                format!("compile it with `tess build --lib --module {name} ...` and pass its directory with `-I DIR`")
            }
        };
        self.error_hint(imp.path.span, format!("cannot find module `{name}`"), hint);
    }

    fn bind_imported_name(&mut self, module: &str, item: &ast::Ident) {
        self.check_exported(module, item);
        let Some(m) = self.modules.get(module) else { return };
        let n = &item.name;
        // A name brought in unqualified counts as used, whether or not it is.
        if let Some(&c) = m.classes.get(n) {
            self.class_names.insert(n.clone(), c);
            self.note_class(c);
        } else if let Some(&f) = m.funcs.get(n) {
            self.fn_names.insert(n.clone(), (f, item.span));
            self.note_use(self.funcs[f].origin.as_ref());
        } else if let Some(&g) = m.globals.get(n) {
            self.note_use(self.globals[g].origin.as_ref());
            let mutable = self.global_mutable(g);
            self.global_names.insert(n.clone(), GlobalInfo { id: g, mutable, span: item.span });
        } else {
            self.error_hint(
                item.span,
                format!("module `{module}` has no public `{n}`"),
                "only public and exported declarations can be imported",
            );
        }
    }

    pub(crate) fn global_mutable(&self, g: GlobalId) -> bool {
        self.imported_mutable.get(&g).copied().unwrap_or(true)
    }

    fn load_interface(&mut self, i: &Interface, shared: bool, span: Span) -> (ImportedModule, FuncId) {
        let mut module = ImportedModule {
            funcs: HashMap::new(),
            globals: HashMap::new(),
            classes: HashMap::new(),
            interfaces: HashMap::new(),
            shared,
            exported_only: false,
            not_exported: i
                .functions
                .iter()
                .filter(|f| !f.exported)
                .map(|f| f.name.clone())
                .chain(i.globals.iter().filter(|g| !g.exported).map(|g| g.name.clone()))
                .chain(i.classes.iter().filter(|c| !c.exported).map(|c| c.name.clone()))
                .chain(i.interfaces.iter().filter(|x| !x.exported).map(|x| x.name.clone()))
                .collect(),
        };
        // Interfaces by name first: class headers and signatures name them.
        for x in &i.interfaces {
            let id = self.interfaces.len();
            self.interfaces.push(hir::Interface {
                name: x.name.clone(),
                descriptor: x.descriptor.clone(),
                type_params: x.type_params.clone(),
                supers: Vec::new(),
                methods: Vec::new(),
                imported_from: Some(i.module.clone()),
                origin: Some(Origin {
                    module: i.module.clone(),
                    decl: x.name.clone(),
                    fingerprint: x.fingerprint.clone(),
                }),
                visibility: if x.exported { Visibility::Export } else { Visibility::Hidden },
                file: 0,
            });
            self.imported_ifaces.insert(format!("{}.{}", i.module, x.name), id);
            module.interfaces.insert(x.name.clone(), id);
        }
        let mut local: HashMap<String, ClassId> = HashMap::new();
        // Classes first, so every signature can name them.
        for c in &i.classes {
            let id = self.classes.len();
            self.classes.push(hir::Class {
                name: c.name.clone(),
                type_info: c.type_info.clone(),
                builtin: false,
                imported_from: Some(i.module.clone()),
                origin: Some(Origin {
                    module: i.module.clone(),
                    decl: c.name.clone(),
                    fingerprint: c.fingerprint.clone(),
                }),
                base: Some(OBJECT),
                display: Vec::new(),
                fields: Vec::new(),
                size: 0,
                vtable: Vec::new(),
                layout: Layout::Imported { cell: c.type_info_cell.clone() },
                init: None,
                visibility: if c.exported { Visibility::Export } else { Visibility::Hidden },
                open: c.open,
                file: 0,
                conforms: Vec::new(),
                type_params: Vec::new(),
                desc_fields: Vec::new(),
            });
            self.class_info.push(ClassInfo::new(span, None, false, Access::Public));
            local.insert(format!("{}.{}", i.module, c.name), id);
            module.classes.insert(c.name.clone(), id);
        }
        let ty = |this: &Self, t: &TypeRef| this.type_from_ref(t, &local);
        for x in &i.interfaces {
            let id = self.imported_ifaces[&format!("{}.{}", i.module, x.name)];
            let names: Vec<&str> = x.type_params.iter().map(String::as_str).collect();
            self.interfaces[id].supers = x.supers.iter().map(|t| named_params(ty(self, t), &names)).collect();
            for m in &x.methods {
                let method = hir::IfaceMethod {
                    name: m.name.clone(),
                    params: m.params.iter().map(|p| named_params(ty(self, p), &names)).collect(),
                    ret: named_params(ty(self, &m.ret), &names),
                    default: None,
                    has_default: m.has_default,
                    slot: Offset::Cell(m.slot_cell.as_str().into()),
                    origin: Some(Origin {
                        module: i.module.clone(),
                        decl: format!("{}.{}", x.name, m.name),
                        fingerprint: m.fingerprint.clone(),
                    }),
                };
                self.interfaces[id].methods.push(method);
            }
        }
        for c in &i.classes {
            let id = local[&format!("{}.{}", i.module, c.name)];
            let tps = self.imported_type_params(&c.type_params, &local);
            self.classes[id].type_params = tps.iter().map(|p| (p.name.clone(), p.bounds.clone())).collect();
            self.classes[id].desc_fields = (0..tps.len() as u32).collect();
            self.class_info[id].type_params = std::rc::Rc::new(tps);
            for r in &c.interfaces {
                if let Ty::Interface(x, inst) = self.type_from_ref(r, &local) {
                    self.class_info[id].interfaces.push((x, inst.args.clone(), span));
                }
            }
            let base = c.base.as_ref().and_then(|b| local.get(b).copied().or_else(|| self.class_names.get(b).copied()));
            let base = base.unwrap_or(OBJECT);
            self.classes[id].base = Some(base);
            let member = |decl: &str, fingerprint: &str| {
                Some(Origin {
                    module: i.module.clone(),
                    decl: format!("{}.{decl}", c.name),
                    fingerprint: fingerprint.to_string(),
                })
            };
            // Own fields; `complete_imported` puts the base's before them.
            // Every field is here, so that a use of a private or internal
            // one names the rule (`check_access_from`); it cannot clash with
            // this module's names (`hidden_import`).
            for (index, f) in c.fields.iter().enumerate() {
                let field = hir::Field {
                    name: f.name.clone(),
                    ty: ty(self, &f.ty),
                    offset: Offset::Cell(f.offset_cell.as_str().into()),
                    access: f.access,
                    mutable: f.mutable,
                };
                self.classes[id].fields.push(field);
                let info = FieldInfo {
                    index,
                    mutable: f.mutable,
                    access: f.access,
                    owner: id,
                    span,
                    origin: member(&f.name, &f.fingerprint),
                };
                self.class_info[id].fields.insert(f.name.clone(), info);
            }
            for m in &c.methods {
                let mut params = vec![self.class_ty(id)];
                params.extend(m.params.iter().map(|p| ty(self, p)));
                let ret = ty(self, &m.ret);
                let f = self.external_func(&format!("{}.{}", c.name, m.name), &m.symbol, params.clone(), ret.clone());
                self.funcs[f].origin = member(&c.method_decl(&m.name), &m.fingerprint);
                let info = MethodInfo {
                    callee: Callee::Func(f),
                    slot: m.slot_cell.as_deref().map(|c| Offset::Cell(c.into())),
                    sig: Sig { params: params[1..].to_vec(), ret },
                    access: m.access,
                    is_final: m.is_final || m.slot_cell.is_none(),
                    owner: id,
                    span,
                };
                self.class_info[id].methods.insert(m.name.clone(), info);
            }
            if let Some(init) = &c.init {
                let ps: Vec<Ty> = init.params.iter().map(|p| ty(self, p)).collect();
                let mut all = vec![self.class_ty(id)];
                all.extend(ps.iter().cloned());
                let f = self.external_func(&format!("{}.init", c.name), &init.symbol, all, Ty::Void);
                self.funcs[f].origin = member("init", &init.fingerprint);
                self.classes[id].init = Some(Callee::Func(f));
                self.class_info[id].init_params = Some(ps);
                self.class_info[id].init_access = init.access;
            }
        }
        for c in &i.classes {
            let id = local[&format!("{}.{}", i.module, c.name)];
            self.complete_imported(id);
        }
        for e in &i.enums {
            let cases = e
                .cases
                .iter()
                .map(|c| hir::EnumCase {
                    name: c.name.clone(),
                    span,
                    payload: c.payload.clone(),
                    fingerprint: c.fingerprint.clone(),
                })
                .collect();
            let imported = Some((i.module.clone(), e.fingerprint.clone()));
            self.enums.insert(format!("{}.{}", i.module, e.name), hir::Enum { name: e.name.clone(), cases, imported });
        }
        for f in &i.functions {
            let names: Vec<&str> = f.type_params.iter().map(|p| p.name.as_str()).collect();
            let params: Vec<Ty> = f.params.iter().map(|p| named_params(ty(self, p), &names)).collect();
            let ret = named_params(ty(self, &f.ret), &names);
            let id = self.external_func(&f.name, &f.symbol, params, ret);
            if !f.type_params.is_empty() {
                let infos = self.imported_type_params(&f.type_params, &local);
                // The descriptors: hidden parameters after the others.
                let func = &mut self.funcs[id];
                for p in &infos {
                    func.locals.push(hir::Local { name: format!("<{}>", p.name), ty: Ty::CPointer });
                    func.params.push(func.locals.len() - 1);
                    func.type_params.push(func.locals.len() - 1);
                }
                func.generic = infos.iter().map(|p| (p.name.clone(), p.bounds.clone())).collect();
                self.generics.insert(id, std::rc::Rc::new(infos));
            }
            self.funcs[id].visibility = if f.exported { Visibility::Export } else { Visibility::Hidden };
            self.funcs[id].origin =
                Some(Origin { module: i.module.clone(), decl: f.name.clone(), fingerprint: f.fingerprint.clone() });
            module.funcs.insert(f.name.clone(), id);
        }
        for g in &i.globals {
            let id = self.globals.len();
            self.globals.push(hir::Global {
                name: format!("{}.{}", i.module, g.name),
                symbol: g.symbol.clone(),
                ty: ty(self, &g.ty),
                mutable: g.mutable,
                visibility: Visibility::Hidden,
                external: true,
                origin: Some(Origin {
                    module: i.module.clone(),
                    decl: g.name.clone(),
                    fingerprint: g.fingerprint.clone(),
                }),
                file: 0,
                shared: g.shared,
                constant: None,
            });
            self.imported_mutable.insert(id, g.mutable);
            module.globals.insert(g.name.clone(), id);
        }
        let init =
            self.external_func(&format!("<init {}>", i.module), &mangle::module_init(&i.module), Vec::new(), Ty::Void);
        self.funcs[init].entry = true;
        (module, init)
    }

    /// An imported class's ancestors and inherited fields, bases first.
    fn complete_imported(&mut self, id: ClassId) {
        if !self.classes[id].display.is_empty() {
            return;
        }
        let base = self.classes[id].base.unwrap_or(OBJECT);
        if self.classes[base].display.is_empty() {
            self.complete_imported(base);
        }
        let mut display = self.classes[base].display.clone();
        display.push(id);
        self.classes[id].display = display;
        let inherited = self.classes[base].fields.clone();
        for info in self.class_info[id].fields.values_mut() {
            info.index += inherited.len();
        }
        let own = std::mem::replace(&mut self.classes[id].fields, inherited);
        self.classes[id].fields.extend(own);
    }

    fn external_func(&mut self, name: &str, symbol: &str, params: Vec<Ty>, ret: Ty) -> FuncId {
        let id = self.new_func(name, symbol.to_string(), params.clone(), ret, Visibility::Hidden);
        let f = &mut self.funcs[id];
        f.external = true;
        // Parameters as locals, so the function's signature reads like any other.
        f.locals = params.into_iter().enumerate().map(|(i, ty)| hir::Local { name: format!("p{i}"), ty }).collect();
        f.params = (0..f.locals.len()).collect();
        id
    }

    /// Type parameters as an interface file records them, their bounds
    /// resolved among the imported interfaces.
    fn imported_type_params(
        &self,
        refs: &[crate::interface::TypeParamRef],
        local: &HashMap<String, ClassId>,
    ) -> Vec<crate::tables::TypeParamInfo> {
        let names: Vec<&str> = refs.iter().map(|p| p.name.as_str()).collect();
        refs.iter()
            .map(|p| crate::tables::TypeParamInfo {
                name: p.name.clone(),
                bounds: p.bounds.iter().map(|b| named_params(self.type_from_ref(b, local), &names)).collect(),
            })
            .collect()
    }

    fn type_from_ref(&self, t: &TypeRef, local: &HashMap<String, ClassId>) -> Ty {
        let b = |t: &TypeRef| Box::new(self.type_from_ref(t, local));
        match t {
            TypeRef::Void => Ty::Void,
            TypeRef::Int => Ty::Int,
            TypeRef::Int32 => Ty::Int32,
            TypeRef::Float => Ty::Float,
            TypeRef::Bool => Ty::Bool,
            TypeRef::Str => Ty::Str,
            TypeRef::CString => Ty::CString,
            TypeRef::CPointer => Ty::CPointer,
            TypeRef::Array(e) => Ty::Array(b(e)),
            TypeRef::Map(k, v) => Ty::Map(b(k), b(v)),
            TypeRef::Set(e) => Ty::Set(b(e)),
            TypeRef::Optional(e) => Ty::Optional(b(e)),
            TypeRef::Fn(ps, r) => Ty::Fn(Box::new(ps.iter().map(|p| self.type_from_ref(p, local)).collect()), b(r)),
            TypeRef::Any => Ty::Any,
            TypeRef::Param(k) => Ty::Param(*k, std::rc::Rc::new(format!("T{k}"))),
            TypeRef::Generic(path, args) => {
                let id = local.get(path).copied().or_else(|| {
                    let (module, name) = path.split_once('.')?;
                    self.modules.get(module)?.classes.get(name).copied()
                });
                match id {
                    Some(c) => Ty::Generic(
                        c,
                        std::rc::Rc::new(crate::ty::Instance {
                            name: self.classes[c].name.clone(),
                            args: args.iter().map(|a| self.type_from_ref(a, local)).collect(),
                        }),
                    ),
                    None => Ty::Error,
                }
            }
            TypeRef::Interface(path, args) => match self.imported_ifaces.get(path) {
                Some(&i) => self.iface_instance(i, args.iter().map(|a| self.type_from_ref(a, local)).collect()),
                None => Ty::Error,
            },
            TypeRef::Class(path) => {
                let id = local.get(path).copied().or_else(|| {
                    let (module, name) = path.split_once('.')?;
                    self.modules.get(module)?.classes.get(name).copied()
                });
                match id.or_else(|| self.class_names.get(path).copied()) {
                    Some(c) => self.class_ty(c),
                    None => Ty::Error,
                }
            }
        }
    }

    /// `module.name` where `module` is an imported module: its global, or
    /// its function as a value.
    pub(crate) fn imported_member(&mut self, module: &str, name: &ast::Ident) -> Option<hir::Expr> {
        self.check_exported(module, name);
        let m = self.modules.get(module)?;
        if let Some(&g) = m.globals.get(&name.name) {
            self.note_use(self.globals[g].origin.as_ref());
            let ty = self.globals[g].ty.clone();
            self.note_value_ref(name.span, name.span, Some(ty), |c| c.global_hover(g, &name.name));
            self.note_origin(self.globals[g].origin.clone());
            return Some(hir::Expr::new(hir::ExprKind::Global(g), self.globals[g].ty.clone()));
        }
        if let Some(&f) = m.funcs.get(&name.name) {
            self.note_use(self.funcs[f].origin.as_ref());
            self.note_ref(name.span, name.span, |c| c.fn_hover(f));
            self.note_origin(self.funcs[f].origin.clone());
            let sig = &self.sigs[f];
            return Some(hir::Expr::new(
                hir::ExprKind::FnRef(f),
                Ty::Fn(Box::new(sig.params.clone()), Box::new(sig.ret.clone())),
            ));
        }
        self.diags.push(
            Diagnostic::error(name.span, format!("module `{module}` has no public `{}`", name.name))
                .with_hint("only public and exported declarations of a module can be used"),
        );
        Some(error_expr())
    }

    /// MODULES.md §2: a public but not exported declaration of a module
    /// linked as a shared library is not in its dynamic symbol table.
    pub(crate) fn check_exported(&mut self, module: &str, name: &ast::Ident) {
        let Some(m) = self.modules.get(module) else { return };
        if m.exported_only && m.not_exported.contains(&name.name) {
            self.error_hint(
                name.span,
                format!(
                    "`{module}.{}` is public but not exported, and `{module}` is another package's module",
                    name.name
                ),
                format!("a package sees only what its dependencies export: export it in `{module}` (`export`)"),
            );
            return;
        }
        if m.shared && m.not_exported.contains(&name.name) {
            self.error_hint(
                name.span,
                format!(
                    "`{module}.{}` is public but not exported, so it cannot be used across a shared-library boundary",
                    name.name
                ),
                format!("export it in `{module}` (`export`), or link `{module}` statically"),
            );
        }
    }

    /// Whether `name` refers to an imported module here (not shadowed).
    pub(crate) fn is_module_name(&self, name: &str) -> bool {
        self.modules.contains_key(name) && !self.is_local_name(name) && !self.global_names.contains_key(name)
    }
}

/// `ty` with its type parameters given their declared names (an interface
/// file records them by index).
fn named_params(ty: Ty, names: &[&str]) -> Ty {
    let n = |t: Ty| Box::new(named_params(t, names));
    match ty {
        Ty::Param(k, _) => Ty::Param(k, std::rc::Rc::new(names.get(k as usize).copied().unwrap_or("T").to_string())),
        Ty::Array(t) => Ty::Array(n(*t)),
        Ty::Optional(t) => Ty::Optional(n(*t)),
        Ty::Map(k, v) => Ty::Map(n(*k), n(*v)),
        Ty::Set(t) => Ty::Set(n(*t)),
        Ty::Fn(ps, r) => Ty::Fn(Box::new(ps.into_iter().map(|p| named_params(p, names)).collect()), n(*r)),
        Ty::Generic(c, inst) => Ty::Generic(c, named_instance(&inst, names)),
        Ty::Interface(i, inst) => Ty::Interface(i, named_instance(&inst, names)),
        other => other,
    }
}

fn named_instance(inst: &crate::ty::Instance, names: &[&str]) -> std::rc::Rc<crate::ty::Instance> {
    let args = inst.args.iter().map(|a| named_params(a.clone(), names)).collect();
    std::rc::Rc::new(crate::ty::Instance { name: inst.name.clone(), args })
}
