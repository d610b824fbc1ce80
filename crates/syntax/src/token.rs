//! Tokens produced by the lexer.

use crate::source::Span;

/// A piece of a string literal: literal text or an interpolated expression
/// (kept as tokens, parsed by the parser like any other expression).
#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    Text(String),
    Interp(Vec<Token>, Span),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Ident(String),
    Int(u64),
    Float(f64),
    Str(Vec<StrPart>),
    Keyword(Kw),
    Sym(&'static str),
    /// A newline (or `;`) that ends a statement.
    Newline,
    Eof,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kw {
    Fn,
    Let,
    Var,
    Class,
    Open,
    Final,
    Override,
    Init,
    SelfKw,
    Super,
    Return,
    If,
    Else,
    While,
    For,
    In,
    Break,
    Continue,
    Throw,
    Try,
    Catch,
    Finally,
    Import,
    Export,
    Extern,
    Public,
    Protected,
    Private,
    Shared,
    Nil,
    True,
    False,
    Is,
    As,
    And,
    Or,
    Not,
}

impl Kw {
    pub fn from_word(s: &str) -> Option<Kw> {
        use Kw::*;
        Some(match s {
            "fn" => Fn,
            "let" => Let,
            "var" => Var,
            "class" => Class,
            "open" => Open,
            "final" => Final,
            "override" => Override,
            "init" => Init,
            "self" => SelfKw,
            "super" => Super,
            "return" => Return,
            "if" => If,
            "else" => Else,
            "while" => While,
            "for" => For,
            "in" => In,
            "break" => Break,
            "continue" => Continue,
            "throw" => Throw,
            "try" => Try,
            "catch" => Catch,
            "finally" => Finally,
            "import" => Import,
            "export" => Export,
            "extern" => Extern,
            "public" => Public,
            "protected" => Protected,
            "private" => Private,
            "shared" => Shared,
            "nil" => Nil,
            "true" => True,
            "false" => False,
            "is" => Is,
            "as" => As,
            "and" => And,
            "or" => Or,
            "not" => Not,
            _ => return None,
        })
    }

    /// Keywords that only mean something where a declaration or member
    /// begins (`init`, modifiers): elsewhere they are names (`let init =
    /// ...`, `self.open`).
    pub fn is_contextual(self) -> bool {
        matches!(self, Kw::Init | Kw::Open | Kw::Final | Kw::Override | Kw::Shared | Kw::Extern)
    }

    pub fn as_str(self) -> &'static str {
        use Kw::*;
        match self {
            Fn => "fn",
            Let => "let",
            Var => "var",
            Class => "class",
            Open => "open",
            Final => "final",
            Override => "override",
            Init => "init",
            SelfKw => "self",
            Super => "super",
            Return => "return",
            If => "if",
            Else => "else",
            While => "while",
            For => "for",
            In => "in",
            Break => "break",
            Continue => "continue",
            Throw => "throw",
            Try => "try",
            Catch => "catch",
            Finally => "finally",
            Import => "import",
            Export => "export",
            Extern => "extern",
            Public => "public",
            Protected => "protected",
            Private => "private",
            Shared => "shared",
            Nil => "nil",
            True => "true",
            False => "false",
            Is => "is",
            As => "as",
            And => "and",
            Or => "or",
            Not => "not",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

impl Tok {
    /// How the token reads in a diagnostic.
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("identifier `{s}`"),
            Tok::Int(_) | Tok::Float(_) => "number".into(),
            Tok::Str(_) => "string".into(),
            Tok::Keyword(k) => format!("`{}`", k.as_str()),
            Tok::Sym(s) => format!("`{s}`"),
            Tok::Newline => "end of line".into(),
            Tok::Eof => "end of file".into(),
        }
    }

    /// Go's rule: a newline after one of these ends the statement.
    pub fn can_end_statement(&self) -> bool {
        match self {
            Tok::Ident(_) | Tok::Int(_) | Tok::Float(_) | Tok::Str(_) => true,
            Tok::Keyword(k) => matches!(
                k,
                Kw::Return | Kw::Break | Kw::Continue | Kw::True | Kw::False | Kw::Nil | Kw::SelfKw | Kw::Init
            ),
            Tok::Sym(s) => matches!(*s, ")" | "]" | "}" | "?" | "!"),
            _ => false,
        }
    }
}
