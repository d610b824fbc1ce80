//! Types as the checker and code generator see them.

use std::fmt;
use std::rc::Rc;

/// Index of a class in the module's class table (`hir::Module::classes`).
pub type ClassId = usize;

/// Index of an interface in the module's table (`hir::Module::interfaces`).
pub type IfaceId = usize;

/// A type: 24 bytes (every HIR expression carries one; bench/compile's
/// module has 700,000), so its larger payloads are behind one pointer.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    /// The result of a function with no `->`.
    Void,
    Int,
    Int32,
    Float,
    Bool,
    Str,
    CString,
    /// C's `void *` (MODULES.md §5): an address, or a handle; never traced.
    CPointer,
    Array(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    /// `Set[T]` (LANGUAGE.md §7): a map of its elements to nothing, the
    /// same object at run time.
    Set(Box<Ty>),
    Optional(Box<Ty>),
    Fn(Box<Vec<Ty>>, Box<Ty>),
    /// A class instance; the name is kept for messages.
    Class(ClassId, Rc<String>),
    /// An instance of a class that implements the interface; a generic
    /// interface's type arguments in the instance (none otherwise).
    Interface(IfaceId, Rc<Instance>),
    /// Any value (LANGUAGE.md §7): an object, or a value type's value in a
    /// box whose header names its type.
    Any,
    /// An instance of a generic class with its type arguments.
    Generic(ClassId, Rc<Instance>),
    /// A type parameter of the generic function being checked, by index:
    /// one word, a reference or not as its descriptor says.
    Param(u32, Rc<String>),
    /// The type of `nil` before it meets an optional.
    Nil,
    /// The type of an erroneous expression; compatible with everything so
    /// one mistake yields one diagnostic.
    Error,
}

/// A generic class's or interface's name and type arguments (`Stack[Int]`,
/// `Comparable[Circle]`; a plain interface has none).
#[derive(Debug, PartialEq)]
pub struct Instance {
    pub name: String,
    pub args: Vec<Ty>,
}

impl Ty {
    /// Whether values of this type are references the collector traces.
    /// Optionals of value types are boxes, so they are references too;
    /// function values are objects (`docs/abi.md`, closures). A type
    /// parameter's values may be: they get a shadow slot, which holds them
    /// only when their descriptor says so (`docs/abi.md`, generics).
    pub fn is_ref(&self) -> bool {
        matches!(
            self,
            Ty::Str
                | Ty::Array(_)
                | Ty::Map(..)
                | Ty::Set(_)
                | Ty::Class(..)
                | Ty::Interface(..)
                | Ty::Generic(..)
                | Ty::Any
                | Ty::Fn(..)
                | Ty::Optional(_)
                | Ty::Param(..)
        )
    }

    /// Whether an optional of this type holds the value in a box.
    pub fn boxed_when_optional(&self) -> bool {
        matches!(self, Ty::Int | Ty::Int32 | Ty::Float | Ty::Bool)
    }

    /// Whether a type parameter occurs in it.
    pub fn has_param(&self) -> bool {
        match self {
            Ty::Param(..) => true,
            Ty::Array(t) | Ty::Optional(t) | Ty::Set(t) => t.has_param(),
            Ty::Map(k, v) => k.has_param() || v.has_param(),
            Ty::Fn(ps, r) => ps.iter().any(Ty::has_param) || r.has_param(),
            Ty::Generic(_, inst) | Ty::Interface(_, inst) => inst.args.iter().any(Ty::has_param),
            _ => false,
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::Int32 | Ty::Float)
    }

    pub fn is_integer(&self) -> bool {
        matches!(self, Ty::Int | Ty::Int32)
    }

    /// Printable types: `print`, interpolation and `String(x)` accept them.
    pub fn is_printable(&self) -> bool {
        matches!(
            self,
            Ty::Int
                | Ty::Int32
                | Ty::Float
                | Ty::Bool
                | Ty::Str
                | Ty::Class(..)
                | Ty::Interface(..)
                | Ty::Generic(..)
                | Ty::Any
                | Ty::Error
        )
    }

    /// How a map with keys of this type finds them
    /// (`tess_abi::layout::map_keys`): the checker admits only `Int`,
    /// `Bool`, `String` and `Hashable` classes as keys.
    pub fn map_key_kind(&self) -> i8 {
        use tess_abi::layout::map_keys;
        match self {
            Ty::Str => map_keys::STRINGS,
            t if t.is_ref() => map_keys::HASHABLE,
            _ => map_keys::WORDS,
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Void => write!(f, "Void"),
            Ty::Int => write!(f, "Int"),
            Ty::Int32 => write!(f, "Int32"),
            Ty::Float => write!(f, "Float"),
            Ty::Bool => write!(f, "Bool"),
            Ty::Str => write!(f, "String"),
            Ty::CString => write!(f, "CString"),
            Ty::CPointer => write!(f, "CPointer"),
            Ty::Array(t) => write!(f, "[{t}]"),
            Ty::Map(k, v) => write!(f, "Map[{k}, {v}]"),
            Ty::Set(t) => write!(f, "Set[{t}]"),
            Ty::Optional(t) => match **t {
                Ty::Fn(..) => write!(f, "({t})?"),
                _ => write!(f, "{t}?"),
            },
            Ty::Fn(params, ret) => {
                write!(f, "fn(")?;
                for (i, p) in params.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{p}")?;
                }
                write!(f, ")")?;
                if **ret != Ty::Void {
                    write!(f, " -> {ret}")?;
                }
                Ok(())
            }
            Ty::Class(_, name) | Ty::Param(_, name) => write!(f, "{name}"),
            Ty::Interface(_, inst) if inst.args.is_empty() => write!(f, "{}", inst.name),
            Ty::Generic(_, inst) | Ty::Interface(_, inst) => {
                let args: Vec<String> = inst.args.iter().map(|a| a.to_string()).collect();
                write!(f, "{}[{}]", inst.name, args.join(", "))
            }
            Ty::Nil => write!(f, "nil"),
            Ty::Any => write!(f, "Any"),
            Ty::Error => write!(f, "<error>"),
        }
    }
}
