//! The checker's state: the module-wide tables ([`crate::tables`]) and the
//! body being checked ([`Body`]), with the helpers every part of the
//! checker uses. The parts — declarations and types (`check.rs`), classes,
//! imports, statements, expressions, built-ins — are `impl Checker`
//! blocks over this one state; none of them owns it.

use crate::body::{Body, BodyKind, LocalInfo};
use crate::hir::{self, Expr, ExprKind, FuncId, GlobalId, LocalId, Visibility};
use crate::tables::{ClassInfo, GlobalInfo, ImportedModule, Sig};
use crate::ty::{ClassId, Ty};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use tess_syntax::ast;
use tess_syntax::{Diagnostic, Diagnostics, Span};

/// The state of checking one module.
pub(crate) struct Checker<'d> {
    pub module: String,
    pub diags: &'d mut Diagnostics,
    pub funcs: Vec<hir::Func>,
    pub sigs: Vec<Sig>,
    pub fn_names: HashMap<String, (FuncId, Span)>,
    pub globals: Vec<hir::Global>,
    /// Globals registered so far (in top-level order, then all of them).
    pub global_names: HashMap<String, GlobalInfo>,
    /// Every global's name, to tell "declared below" from "unknown".
    pub all_globals: HashSet<String>,
    /// Top-level declarations marked `private`, visible in their file only.
    pub private_decls: HashMap<String, Span>,
    /// Imported modules by name, and their init entries (run first).
    pub modules: HashMap<String, ImportedModule>,
    /// Imported modules that could not be found: their error is reported
    /// once, at the `import`, not again at every use.
    pub missing_modules: HashSet<String>,
    /// Names imported from those modules (`import m.{a, B}`): not
    /// reported as unknown where they are used.
    pub missing_names: HashSet<String>,
    pub import_inits: Vec<FuncId>,
    /// Mutability of imported module variables.
    pub imported_mutable: HashMap<GlobalId, bool>,
    /// The C math functions declared so far (see `builtins::libm_call`).
    pub libm: HashMap<String, FuncId>,
    pub classes: Vec<hir::Class>,
    pub interfaces: Vec<hir::Interface>,
    /// This module's interfaces by name, with where each is declared.
    pub iface_names: HashMap<String, (crate::ty::IfaceId, Span)>,
    /// Imported interfaces by `module.Name`.
    pub imported_ifaces: HashMap<String, crate::ty::IfaceId>,
    pub class_info: Vec<ClassInfo>,
    pub class_names: HashMap<String, ClassId>,
    /// Enums by name: this module's as `E`, imported ones as `module.E`
    /// (their classes are in `classes`).
    pub enums: HashMap<String, hir::Enum>,
    /// The body being checked.
    pub body: Body,
    /// The type parameters of the generic declaration being checked.
    pub type_scope: std::rc::Rc<Vec<crate::tables::TypeParamInfo>>,
    /// The type parameters of each generic function.
    pub generics: HashMap<FuncId, std::rc::Rc<Vec<crate::tables::TypeParamInfo>>>,
    /// While a closure's body is checked: the bodies around it, innermost
    /// last (`closures.rs` captures from them).
    pub outer_bodies: Vec<Body>,
    /// The function whose body is being checked (names its closures).
    pub body_fn: Option<FuncId>,
    /// How many synthetic declarations (closures, cells) each source file
    /// has had so far: their symbols' numbers.
    pub synthetic: HashMap<u32, usize>,
    /// Imported declarations consulted so far (`note_use`); interior
    /// mutability because lookups that consult them take `&self`.
    pub uses: RefCell<BTreeSet<hir::Origin>>,
    /// The names resolved so far, when an editor asked for them.
    pub refs: Option<Vec<hir::Ref>>,
    /// With `refs`: the type of every expression checked, by its span.
    pub expr_types: Option<Vec<(Span, Ty)>>,
}

impl<'d> Checker<'d> {
    pub(crate) fn new(module: &str, diags: &'d mut Diagnostics) -> Checker<'d> {
        Checker {
            module: module.to_string(),
            diags,
            funcs: Vec::new(),
            sigs: Vec::new(),
            fn_names: HashMap::new(),
            globals: Vec::new(),
            global_names: HashMap::new(),
            all_globals: HashSet::new(),
            private_decls: HashMap::new(),
            modules: HashMap::new(),
            missing_modules: HashSet::new(),
            missing_names: HashSet::new(),
            import_inits: Vec::new(),
            imported_mutable: HashMap::new(),
            libm: HashMap::new(),
            classes: Vec::new(),
            interfaces: Vec::new(),
            iface_names: HashMap::new(),
            imported_ifaces: HashMap::new(),
            class_info: Vec::new(),
            class_names: HashMap::new(),
            enums: HashMap::new(),
            body: Body::new(Ty::Void, BodyKind::TopLevel),
            outer_bodies: Vec::new(),
            type_scope: Default::default(),
            generics: HashMap::new(),
            body_fn: None,
            synthetic: HashMap::new(),
            uses: RefCell::new(BTreeSet::new()),
            refs: None,
            expr_types: None,
        }
    }

    /// Records that this module relies on an imported declaration (no-op
    /// for this module's own declarations, which have no origin).
    pub(crate) fn note_use(&self, origin: Option<&hir::Origin>) {
        if let Some(o) = origin {
            if !self.uses.borrow().contains(o) {
                self.uses.borrow_mut().insert(o.clone());
            }
        }
    }

    /// Records that this module relies on a class's layout, virtual table
    /// and ancestry: the class and each of its imported ancestors.
    pub(crate) fn note_class(&self, class: ClassId) {
        for c in self.ancestors(class) {
            self.note_use(self.classes[c].origin.as_ref());
        }
    }

    /// Marks the reference just noted as one to another module's
    /// declaration (`origin`, when it is one).
    pub(crate) fn note_origin(&mut self, origin: Option<hir::Origin>) {
        if let (Some(refs), Some(o)) = (&mut self.refs, origin) {
            if let Some(r) = refs.last_mut() {
                r.imported = Some((o.module, o.decl));
            }
        }
    }

    /// A function's declaration as an editor shows it.
    pub(crate) fn fn_hover(&self, id: FuncId) -> String {
        let sig = &self.sigs[id];
        let f = &self.funcs[id];
        let ps: Vec<String> = sig.params.iter().map(|p| p.to_string()).collect();
        let access =
            if f.name.contains('.') { access_word(f.access) } else { visibility_word(f.visibility).to_string() };
        format!("{access}fn {}({}) -> {}", f.name, ps.join(", "), sig.ret)
    }

    /// A class's declaration as an editor shows it.
    pub(crate) fn class_hover(&self, class: ClassId) -> String {
        let c = &self.classes[class];
        let open = if c.open { "open " } else { "" };
        let head = format!("{}{open}class {}", visibility_word(c.visibility), c.name);
        match c.base.filter(|&b| b != crate::tables::OBJECT) {
            Some(b) => format!("{head} : {}", self.classes[b].name),
            None => head,
        }
    }

    /// A module variable's declaration as an editor shows it.
    pub(crate) fn global_hover(&self, id: GlobalId, name: &str) -> String {
        let g = &self.globals[id];
        let kw = if g.mutable { "var" } else { "let" };
        format!("{}{kw} {name}: {}", visibility_word(g.visibility), g.ty)
    }

    /// Records that the name at `at` resolved to the declaration at
    /// `target` (when an editor asked: `check_module` with `index`).
    pub(crate) fn note_ref(&mut self, at: Span, target: Span, hover: impl FnOnce(&Self) -> String) {
        self.note_value_ref(at, target, None, hover);
    }

    /// [`Self::note_ref`] for a value of type `ty` (a variable, a field).
    pub(crate) fn note_value_ref(
        &mut self,
        at: Span,
        target: Span,
        ty: Option<Ty>,
        hover: impl FnOnce(&Self) -> String,
    ) {
        if self.refs.is_some() {
            let hover = hover(self);
            if let Some(refs) = &mut self.refs {
                refs.push(hir::Ref { at, target, hover, ty, imported: None });
            }
        }
    }

    pub(crate) fn error(&mut self, span: Span, msg: impl Into<String>) {
        self.diags.error(span, msg);
    }

    pub(crate) fn error_hint(&mut self, span: Span, msg: impl Into<String>, hint: impl Into<String>) {
        self.diags.push(Diagnostic::error(span, msg).with_hint(hint));
    }

    /// Starts checking a new body: fresh locals and scopes.
    pub(crate) fn begin_body(&mut self, ret: Ty, kind: BodyKind) {
        self.body = Body::new(ret, kind);
    }

    /// Runs `f` on a separate, fresh body (e.g. to type a field's default
    /// value in the middle of declaring a class), then returns to the one
    /// being checked.
    pub(crate) fn with_fresh_body<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let outer = std::mem::replace(&mut self.body, Body::new(Ty::Void, BodyKind::TopLevel));
        let t = f(self);
        self.body = outer;
        t
    }

    pub(crate) fn new_local(&mut self, name: &str, ty: Ty) -> LocalId {
        self.body.new_local(name, ty)
    }

    pub(crate) fn bind_local(&mut self, name: &ast::Ident, ty: Ty, mutable: bool) -> LocalId {
        self.body.bind_local(name, ty, mutable)
    }

    pub(crate) fn lookup_local(&self, name: &str) -> Option<LocalInfo> {
        self.body.lookup_local(name)
    }
}

/// How a hover shows a top-level declaration's visibility.
fn visibility_word(v: Visibility) -> &'static str {
    match v {
        Visibility::Export => "export ",
        Visibility::Hidden => "public ",
        Visibility::Local => "",
    }
}

/// How a hover shows a member's access level (internal is the default).
pub(crate) fn access_word(a: tess_syntax::ast::Access) -> String {
    match a {
        tess_syntax::ast::Access::Internal => String::new(),
        a => format!("{} ", crate::interface::access_word(a)),
    }
}

/// Visibility of a top-level declaration: `export` puts it in the binary
/// interface, `public` alone links statically only.
pub(crate) fn top_visibility(m: &ast::Modifiers) -> Visibility {
    match (m.export, m.access) {
        (Some(_), _) => Visibility::Export,
        (None, Some((ast::Access::Public, _))) => Visibility::Hidden,
        _ => Visibility::Local,
    }
}

pub(crate) fn error_expr() -> Expr {
    Expr::new(ExprKind::Int(0), Ty::Error)
}
