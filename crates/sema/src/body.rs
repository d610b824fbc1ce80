//! The state of the one body being checked — a function, a method, an
//! `init`, or the module's top-level code: its locals and scopes, its
//! result type, the loops around the current statement, and definite
//! initialisation inside an `init`. A fresh [`Body`] per body; the
//! module-wide tables stay in the checker.

use crate::hir::{self, LocalId};
use crate::init_check::InitState;
use crate::ty::{ClassId, Ty};
use std::collections::HashMap;
use tess_syntax::{ast, Span};

#[derive(Clone, Copy)]
pub(crate) struct LocalInfo {
    pub id: LocalId,
    pub mutable: bool,
    /// Where it is declared.
    pub span: Span,
    /// A `var` a closure may capture lives in a cell (`closures.rs`): the
    /// local holds the cell, an object of this class whose one field is
    /// the variable.
    pub cell: Option<ClassId>,
    /// Bound by narrowing an optional (`optionals.rs`): `x!` on it is
    /// accepted and does nothing, as Kotlin accepts `x!!` after a smart cast.
    pub narrowed: bool,
}

/// A variable of an enclosing body a closure uses (`closures.rs`): the
/// value (or, for a `var`, its cell) is copied into the closure's
/// environment when the closure is made.
#[derive(Clone)]
pub(crate) struct Capture {
    pub name: String,
    /// The variable (or its cell) as the enclosing body reads it.
    pub outer: hir::Expr,
    pub mutable: bool,
    pub span: Span,
    pub cell: Option<ClassId>,
}

/// Where the body being checked sits.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum BodyKind {
    TopLevel,
    Function,
    Method,
    Init,
    /// An anonymous function's (`closures.rs`).
    Closure,
}

/// Per-body state (see the module documentation).
pub(crate) struct Body {
    pub locals: Vec<hir::Local>,
    pub scopes: Vec<HashMap<String, LocalInfo>>,
    pub ret: Ty,
    pub loops: u32,
    pub kind: BodyKind,
    /// The class whose method or `init` is being checked.
    pub self_class: Option<ClassId>,
    /// The interface whose default body is being checked.
    pub self_iface: Option<crate::ty::IfaceId>,
    /// Definite-initialisation state inside an `init`.
    pub init_state: Option<InitState>,
    /// In a closure's body: the variables of enclosing bodies it uses, in
    /// the order of its environment's fields.
    pub captures: Vec<Capture>,
    /// The names used inside closures of this body (`closures.rs`): a
    /// `var` of one of these names lives in a cell.
    pub closure_names: std::rc::Rc<std::collections::HashSet<String>>,
}

impl Body {
    pub(crate) fn new(ret: Ty, kind: BodyKind) -> Body {
        Body {
            locals: Vec::new(),
            scopes: vec![HashMap::new()],
            ret,
            loops: 0,
            kind,
            self_class: None,
            self_iface: None,
            init_state: None,
            captures: Vec::new(),
            closure_names: Default::default(),
        }
    }

    pub(crate) fn new_local(&mut self, name: &str, ty: Ty) -> LocalId {
        self.locals.push(hir::Local { name: name.to_string(), ty });
        self.locals.len() - 1
    }

    pub(crate) fn bind_local(&mut self, name: &ast::Ident, ty: Ty, mutable: bool) -> LocalId {
        self.bind_local_in(name, ty, mutable, None)
    }

    /// [`Self::bind_local`] of a local that holds `cell` (of type `ty`).
    pub(crate) fn bind_local_in(&mut self, name: &ast::Ident, ty: Ty, mutable: bool, cell: Option<ClassId>) -> LocalId {
        let id = self.new_local(&name.name, ty);
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.name.clone(), LocalInfo { id, mutable, span: name.span, cell, narrowed: false });
        }
        id
    }

    /// Marks the innermost binding of `name` as made by narrowing.
    pub(crate) fn mark_narrowed(&mut self, name: &str) {
        if let Some(info) = self.scopes.last_mut().and_then(|s| s.get_mut(name)) {
            info.narrowed = true;
        }
    }

    pub(crate) fn lookup_local(&self, name: &str) -> Option<LocalInfo> {
        self.scopes.iter().rev().find_map(|s| s.get(name).copied())
    }
}
