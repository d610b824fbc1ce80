//! Types as the checker and code generator see them.

use std::fmt;

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
    Array(Box<Ty>),
    Fn(Vec<Ty>, Box<Ty>),
    /// The type of an erroneous expression; compatible with everything so
    /// one mistake yields one diagnostic.
    Error,
}

impl Ty {
    /// Whether values of this type are references the collector traces.
    pub fn is_ref(&self) -> bool {
        matches!(self, Ty::Str | Ty::Array(_))
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::Int32 | Ty::Float)
    }

    pub fn is_integer(&self) -> bool {
        matches!(self, Ty::Int | Ty::Int32)
    }

    /// Printable types: `print`, interpolation and `String(x)` accept them.
    pub fn is_printable(&self) -> bool {
        matches!(self, Ty::Int | Ty::Int32 | Ty::Float | Ty::Bool | Ty::Str | Ty::Error)
    }

    /// `a` may be used where `b` is expected.
    pub fn fits(&self, expected: &Ty) -> bool {
        self == expected || matches!(self, Ty::Error) || matches!(expected, Ty::Error)
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
            Ty::Array(t) => write!(f, "[{t}]"),
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
            Ty::Error => write!(f, "<error>"),
        }
    }
}
