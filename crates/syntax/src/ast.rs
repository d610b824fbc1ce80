//! The syntax tree of one source file, as written (names unresolved).

use crate::source::Span;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Access {
    Private,
    #[default]
    Internal,
    Protected,
    Public,
}

/// Modifiers written before a declaration.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Modifiers {
    pub access: Option<(Access, Span)>,
    pub export: Option<Span>,
    pub open: Option<Span>,
    pub final_: Option<Span>,
    pub override_: Option<Span>,
    pub shared: Option<Span>,
    pub extern_: Option<Span>,
    /// `static` (a contextual keyword): a class's member of the class, not
    /// of its instances.
    pub static_: Option<Span>,
    /// `test` (a contextual keyword): a function `tess test` runs, left out
    /// of every other build.
    pub test: Option<Span>,
    /// `const` (a contextual keyword) before `fn`: a function the compiler
    /// can run to compute a module constant (`docs/decisions.md`).
    pub const_: Option<Span>,
}

impl Modifiers {
    /// Where a declaration with these modifiers starts: its first
    /// modifier, or `lo` (the declaration's own start).
    pub fn start(&self, lo: u32) -> u32 {
        [
            self.access.map(|(_, s)| s),
            self.export,
            self.open,
            self.final_,
            self.override_,
            self.shared,
            self.extern_,
            self.static_,
            self.test,
            self.const_,
        ]
        .into_iter()
        .flatten()
        .map(|s| s.lo)
        .fold(lo, u32::min)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct File {
    pub imports: Vec<Import>,
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Import {
    pub path: Ident,
    pub names: Vec<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Item {
    Fn(FnDecl),
    Class(ClassDecl),
    Enum(EnumDecl),
    Interface(InterfaceDecl),
    Global(VarDecl),
    InitBlock(Block),
    /// `fini { }`: run by `lib.unload()` before a library is unloaded.
    FiniBlock(Block),
    Stmt(Stmt),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Param {
    pub name: Ident,
    pub ty: TypeExpr,
}

/// A type parameter `T` or `T: I & J` (LANGUAGE.md §7).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TypeParam {
    pub name: Ident,
    pub bounds: Vec<TypeExpr>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FnDecl {
    pub mods: Modifiers,
    pub name: Ident,
    /// `fn name[T, U: I](...)`: empty for a plain function.
    pub type_params: Vec<TypeParam>,
    pub params: Vec<Param>,
    pub ret: Option<TypeExpr>,
    pub throws: bool,
    pub body: Option<Body>,
    pub span: Span,
}

/// A function's body. A build parses each body only when it checks it
/// (`parser::parse_file_deferred`), so the whole module's statements are
/// never in memory at once (bench/compile: the tokens and trees of its
/// bodies were a build's largest peak); other tools parse it at once.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Body {
    Parsed(Block),
    /// The text from `{` to its `}`, and where the statement holding the
    /// `{` starts (what the parser's one-error-per-statement rule reads);
    /// `parser::parse_body` makes it `Parsed`.
    Unparsed {
        span: Span,
        statement: u32,
    },
}

impl Body {
    /// The statements, once parsed.
    pub fn block(&self) -> Option<&Block> {
        match self {
            Body::Parsed(b) => Some(b),
            Body::Unparsed { .. } => None,
        }
    }

    /// From `{` to `}`, parsed or not.
    pub fn span(&self) -> Span {
        match self {
            Body::Parsed(b) => b.span,
            Body::Unparsed { span, .. } => *span,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VarDecl {
    pub mods: Modifiers,
    pub mutable: bool,
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub init: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ClassDecl {
    pub mods: Modifiers,
    pub name: Ident,
    /// `class Stack[T]`: empty for a plain class.
    pub type_params: Vec<TypeParam>,
    pub base: Option<TypeExpr>,
    /// The interfaces after the base (`class C : Base, I, J`); the first
    /// name, `base`, may itself be an interface.
    pub interfaces: Vec<TypeExpr>,
    pub fields: Vec<VarDecl>,
    pub methods: Vec<FnDecl>,
    pub inits: Vec<FnDecl>,
    /// Classes declared inside it (`Outer.Inner`).
    pub nested: Vec<ClassDecl>,
    pub span: Span,
}

/// `interface Name { fn m(...) -> R; fn d() -> R { default } }`
/// (LANGUAGE.md §7): methods without a body must be implemented.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InterfaceDecl {
    pub mods: Modifiers,
    pub name: Ident,
    pub type_params: Vec<TypeParam>,
    /// The interfaces it extends (`interface Shape : Named`).
    pub supers: Vec<TypeExpr>,
    pub methods: Vec<FnDecl>,
    pub span: Span,
}

/// `enum Name { cases }` (LANGUAGE.md §7): the checker lowers it to a
/// class and a subclass per case with a payload (`sema::enums`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EnumDecl {
    pub mods: Modifiers,
    pub name: Ident,
    pub cases: Vec<EnumCase>,
    pub span: Span,
}

/// One case of an enum: a name and, for a case with a payload, its named
/// values (`number(value: Float)`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EnumCase {
    pub name: Ident,
    pub params: Option<Vec<Param>>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum TypeExpr {
    Named(Vec<Ident>),
    Array(Box<TypeExpr>, Span),
    Map(Box<TypeExpr>, Box<TypeExpr>, Span),
    Optional(Box<TypeExpr>, Span),
    Fn(Vec<TypeExpr>, Option<Box<TypeExpr>>, Span),
    /// A generic class with its type arguments: `Stack[Int]`.
    Generic(Vec<Ident>, Vec<TypeExpr>, Span),
}

impl TypeExpr {
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Named(parts) => parts[0].span.to(parts[parts.len() - 1].span),
            TypeExpr::Array(_, s)
            | TypeExpr::Map(_, _, s)
            | TypeExpr::Optional(_, s)
            | TypeExpr::Fn(_, _, s)
            | TypeExpr::Generic(_, _, s) => *s,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Stmt {
    /// Boxed: a declaration (modifiers, name, type, initialiser) is the
    /// largest statement, and every statement is as large as the largest.
    Let(Box<VarDecl>),
    Assign {
        target: Expr,
        op: Option<BinOp>,
        value: Expr,
        span: Span,
    },
    Expr(Expr),
    If {
        cond: Cond,
        then: Block,
        els: Option<Box<Stmt>>,
        span: Span,
    },
    While {
        cond: Expr,
        body: Block,
        span: Span,
    },
    For {
        pattern: ForPattern,
        iter: Expr,
        body: Block,
        span: Span,
    },
    Break(Span),
    Continue(Span),
    Return(Option<Expr>, Span),
    Throw(Expr, Span),
    Try {
        body: Block,
        catches: Vec<Catch>,
        finally: Option<Block>,
        span: Span,
    },
    Block(Block),
    Match {
        scrutinee: Expr,
        arms: Vec<MatchArm>,
        span: Span,
    },
}

/// Where a statement starts, for diagnostics about the statement as a whole.
pub fn stmt_span(s: &Stmt) -> Span {
    match s {
        Stmt::Let(v) => v.span,
        Stmt::Expr(e) => e.span,
        Stmt::Block(b) => b.span,
        Stmt::Assign { span, .. }
        | Stmt::If { span, .. }
        | Stmt::While { span, .. }
        | Stmt::For { span, .. }
        | Stmt::Break(span)
        | Stmt::Continue(span)
        | Stmt::Return(_, span)
        | Stmt::Throw(_, span)
        | Stmt::Try { span, .. }
        | Stmt::Match { span, .. } => *span,
    }
}

/// `pattern [if guard] => body` in a `match`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MatchArm {
    pub pattern: Pattern,
    pub guard: Option<Expr>,
    pub body: Block,
    /// Whether the body was written in braces (else it is one statement).
    pub braced: bool,
    pub span: Span,
}

/// What a `match` arm tests.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Pattern {
    /// `_`
    Wildcard(Span),
    /// An `Int`, `String` or `Bool` literal (an `Int` possibly negated).
    Literal(Expr),
    /// `Color.red`, `Token.number(v)`, `geo.Color.red`: an enum case, with
    /// the names its payload values bind (`_` binds nothing).
    Case { path: Vec<Ident>, bindings: Option<Vec<Ident>>, span: Span },
    /// `c: Circle`: the value is an instance of the class, bound as one.
    Type { name: Ident, ty: TypeExpr, span: Span },
    /// `p | q`: either (alternatives bind nothing).
    Or(Vec<Pattern>, Span),
}

impl Pattern {
    pub fn span(&self) -> Span {
        match self {
            Pattern::Wildcard(s)
            | Pattern::Case { span: s, .. }
            | Pattern::Type { span: s, .. }
            | Pattern::Or(_, s) => *s,
            Pattern::Literal(e) => e.span,
        }
    }
}

/// An `if` condition: a Boolean, or `let x = optional`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Cond {
    Expr(Expr),
    Let(Ident, Expr),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ForPattern {
    One(Ident),
    Pair(Ident, Ident),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Catch {
    pub name: Ident,
    pub ty: TypeExpr,
    pub body: Block,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Shl,
    Shr,
    BitAnd,
    BitOr,
    BitXor,
    /// `>>>`: a logical (unsigned) right shift.
    UShr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    Coalesce,
}

impl BinOp {
    pub fn as_str(self) -> &'static str {
        use BinOp::*;
        match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Rem => "%",
            Shl => "<<",
            Shr => ">>",
            BitAnd => "&",
            BitOr => "|",
            BitXor => "^",
            UShr => ">>>",
            Eq => "==",
            Ne => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            And => "&&",
            Or => "||",
            Coalesce => "??",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnOp {
    Neg,
    Not,
    BitNot,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum StrSeg {
    Text(String),
    Expr(Expr),
}

/// An anonymous function's parameters and body.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Closure {
    pub params: Vec<ClosureParam>,
    pub ret: Option<TypeExpr>,
    pub body: Block,
    /// The short form `{ a, b -> ... }`: parameter and result types come
    /// from the expected type, and a body that is one expression is the
    /// result.
    pub short: bool,
}

/// A closure's parameter; its type may be left to the expected type.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ClosureParam {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ExprKind {
    Int(u64),
    Float(f64),
    Bool(bool),
    Str(Vec<StrSeg>),
    Nil,
    Name(String),
    SelfRef,
    /// `super.name` (only valid as a callee).
    Super(Ident),
    Array(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    Call(Box<Expr>, Vec<Expr>),
    Index(Box<Expr>, Box<Expr>),
    /// `Pair[String, Int]`: a generic class with type arguments (one
    /// argument is an `Index`).
    Apply(Box<Expr>, Vec<Expr>),
    Member(Box<Expr>, Ident),
    /// `a?.b`: nil when `a` is, else `a!.b` (a call `a?.m(x)` is a `Call`
    /// of this).
    OptMember(Box<Expr>, Ident),
    Unwrap(Box<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Range {
        lo: Box<Expr>,
        hi: Box<Expr>,
        inclusive: bool,
    },
    Is(Box<Expr>, TypeExpr),
    As(Box<Expr>, TypeExpr),
    AsOpt(Box<Expr>, TypeExpr),
    /// An anonymous function: `fn(x: Int) -> Int { ... }` or the short
    /// `{ x -> x * 2 }` (LANGUAGE.md §7).
    Closure(Box<Closure>),
    /// A placeholder after a syntax error, so later phases stay quiet.
    Error,
}
