//! The typed, resolved program that code generation consumes: names are
//! replaced by ids, every expression carries its type, and built-ins are
//! spelled out as runtime calls or dedicated operations.

use crate::ty::Ty;

pub type LocalId = usize;
pub type GlobalId = usize;
pub type FuncId = usize;

/// One module ready for code generation.
#[derive(Debug)]
pub struct Module {
    pub name: String,
    pub funcs: Vec<Func>,
    pub globals: Vec<Global>,
    /// The function that initialises the module (and, in executable mode,
    /// runs the main file's statements).
    pub init: FuncId,
}

#[derive(Debug)]
pub struct Global {
    pub name: String,
    pub symbol: String,
    pub ty: Ty,
}

#[derive(Debug)]
pub struct Local {
    pub name: String,
    pub ty: Ty,
}

#[derive(Debug)]
pub struct Func {
    pub name: String,
    pub symbol: String,
    pub params: Vec<LocalId>,
    pub ret: Ty,
    pub locals: Vec<Local>,
    pub body: Vec<Stmt>,
    /// Visible outside the object file (module entry points).
    pub exported: bool,
}

#[derive(Debug)]
pub enum Stmt {
    Let(LocalId, Expr),
    Assign(Place, Expr),
    Expr(Expr),
    If(Expr, Vec<Stmt>, Vec<Stmt>),
    While(Expr, Vec<Stmt>),
    /// `for var in lo..hi` (or `..=`); `hi` is evaluated once.
    ForRange { var: LocalId, lo: Expr, hi: Expr, inclusive: bool, body: Vec<Stmt> },
    /// `for var in array`; the array is evaluated once.
    ForEach { var: LocalId, array: Expr, body: Vec<Stmt> },
    Break,
    Continue,
    Return(Option<Expr>),
}

#[derive(Debug)]
pub enum Place {
    Local(LocalId),
    Global(GlobalId),
    Index(Expr, Expr),
}

#[derive(Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arith {
    Add, Sub, Mul, Div, Rem, Shl, Shr, BitAnd, BitOr, BitXor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq, Ne, Lt, Le, Gt, Ge,
}

/// Math built-ins that map to one instruction or a libm call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MathFn {
    Sqrt, Floor, Ceil, FAbs, IAbs, IMin, IMax,
    /// A libm function called by its C name.
    Libm(&'static str),
}

#[derive(Debug)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Local(LocalId),
    Global(GlobalId),
    FnRef(FuncId),
    Call(FuncId, Vec<Expr>),
    CallIndirect(Box<Expr>, Vec<Expr>),
    /// A call of a runtime function; `throws` says whether to test the
    /// pending exception afterwards.
    Rt { name: &'static str, args: Vec<Expr>, throws: bool },
    /// Checked on `Int`/`Int32`, IEEE on `Float`; operands share `ty`.
    Arith(Arith, Box<Expr>, Box<Expr>),
    Compare(Cmp, Box<Expr>, Box<Expr>),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    BitNot(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Index(Box<Expr>, Box<Expr>),
    ArrayLit(Vec<Expr>),
    /// Concatenation of String-typed parts.
    Interp(Vec<Expr>),
    /// A printable value as a `String`.
    ToStr(Box<Expr>),
    /// A numeric conversion to `ty` (checked where it can overflow).
    Convert(Box<Expr>),
    /// Any value as the 8-byte word arrays store.
    ToWord(Box<Expr>),
    /// An 8-byte array word back as a value of `ty`.
    FromWord(Box<Expr>),
    /// Length of a string or array.
    Len(Box<Expr>),
    Math(MathFn, Vec<Expr>),
}

impl Expr {
    pub fn new(kind: ExprKind, ty: Ty) -> Expr {
        Expr { kind, ty }
    }
}
