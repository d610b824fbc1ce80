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
}

/// Where the body being checked sits.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum BodyKind {
    TopLevel,
    Function,
    Method,
    Init,
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
    /// Definite-initialisation state inside an `init`.
    pub init_state: Option<InitState>,
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
            init_state: None,
        }
    }

    pub(crate) fn new_local(&mut self, name: &str, ty: Ty) -> LocalId {
        self.locals.push(hir::Local { name: name.to_string(), ty });
        self.locals.len() - 1
    }

    pub(crate) fn bind_local(&mut self, name: &ast::Ident, ty: Ty, mutable: bool) -> LocalId {
        let id = self.new_local(&name.name, ty);
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.name.clone(), LocalInfo { id, mutable, span: name.span });
        }
        id
    }

    pub(crate) fn lookup_local(&self, name: &str) -> Option<LocalInfo> {
        self.scopes.iter().rev().find_map(|s| s.get(name).copied())
    }
}
