//! What the checker knows module-wide beyond the HIR it builds: function
//! signatures, module variables, classes' members and imported modules.
//! Filled while declarations are collected, read by every body.

use crate::hir::{Callee, FuncId, GlobalId, Offset, Origin};
use crate::ty::{ClassId, Ty};
use std::collections::{HashMap, HashSet};
use tess_syntax::ast::Access;
use tess_syntax::Span;

/// Class ids of the built-ins every module has.
pub const OBJECT: ClassId = 0;
pub const ERROR: ClassId = 1;
/// What `spawn` returns (MODULES.md §6): final, made only by `spawn`.
pub const THREAD: ClassId = 2;

/// A type parameter of a generic function: its name and the interfaces
/// its type arguments must implement.
#[derive(Clone, Debug)]
pub(crate) struct TypeParamInfo {
    pub name: String,
    pub bounds: Vec<crate::ty::Ty>,
}

#[derive(Clone, Debug)]
pub(crate) struct Sig {
    pub params: Vec<Ty>,
    pub ret: Ty,
}

pub(crate) struct GlobalInfo {
    pub id: GlobalId,
    pub mutable: bool,
    pub span: Span,
}

pub(crate) struct FieldInfo {
    /// Index into `hir::Class::fields` of the declaring class and its subclasses.
    pub index: usize,
    pub mutable: bool,
    pub access: Access,
    pub owner: ClassId,
    pub span: Span,
    /// For another module's field: what this module relies on.
    pub origin: Option<Origin>,
}

#[derive(Clone)]
pub(crate) struct MethodInfo {
    pub callee: Callee,
    /// Byte offset of the virtual-table slot; `None` for methods that are
    /// never overridden.
    pub slot: Option<Offset>,
    pub sig: Sig,
    pub access: Access,
    pub is_final: bool,
    pub owner: ClassId,
    pub span: Span,
}

/// What the checker knows of a class beyond its HIR.
pub(crate) struct ClassInfo {
    pub span: Span,
    /// (file index, item index) of the declaration; `None` for built-ins.
    pub decl: Option<(usize, usize)>,
    pub is_final: bool,
    pub fields: HashMap<String, FieldInfo>,
    pub methods: HashMap<String, MethodInfo>,
    /// Parameters of `init` (without `self`); `None` when it cannot be
    /// constructed without arguments it does not declare.
    pub init_params: Option<Vec<Ty>>,
    pub init_access: Access,
    /// Own fields with their default values' positions.
    pub own_fields: Vec<(String, bool)>,
    /// The interfaces its declaration names, with their type arguments
    /// (in the class's own type parameters), where.
    pub interfaces: Vec<(crate::ty::IfaceId, Vec<crate::ty::Ty>, Span)>,
    /// A generic class's type parameters (its first fields hold their
    /// descriptors, `docs/abi.md`, generics).
    pub type_params: std::rc::Rc<Vec<TypeParamInfo>>,
}

impl ClassInfo {
    /// A class with no members declared yet.
    pub(crate) fn new(span: Span, decl: Option<(usize, usize)>, is_final: bool, init_access: Access) -> ClassInfo {
        ClassInfo {
            span,
            decl,
            is_final,
            fields: HashMap::new(),
            methods: HashMap::new(),
            init_params: None,
            init_access,
            own_fields: Vec::new(),
            interfaces: Vec::new(),
            type_params: Default::default(),
        }
    }
}

/// What an imported module provides, by name.
pub(crate) struct ImportedModule {
    pub funcs: HashMap<String, FuncId>,
    pub globals: HashMap<String, GlobalId>,
    pub classes: HashMap<String, ClassId>,
    pub interfaces: HashMap<String, crate::ty::IfaceId>,
    /// Linked as a shared library: only exported declarations are reachable.
    pub shared: bool,
    /// Another package's module: only exported declarations are visible.
    pub exported_only: bool,
    /// Public declarations that are not exported.
    pub not_exported: HashSet<String>,
}
