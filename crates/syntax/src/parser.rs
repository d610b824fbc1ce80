//! A recursive-descent parser for the whole grammar of LANGUAGE.md. On a
//! syntax error it records a diagnostic, skips to the end of the statement
//! and goes on, so one run reports every error it can.

use crate::ast::*;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lexer::lex;
use crate::source::{FileId, Span};
use crate::token::{Kw, StrPart, Tok, Token};

/// Parses one source file.
pub fn parse_file(file: FileId, text: &str, diags: &mut Diagnostics) -> File {
    parse_file_with_comments(file, text, diags).0
}

/// [`parse_file`], and where every comment is (for `tess fmt`).
pub fn parse_file_with_comments(file: FileId, text: &str, diags: &mut Diagnostics) -> (File, Vec<Span>) {
    let (tokens, comments) = crate::lexer::lex_with_comments(file, text, diags);
    (Parser::new(tokens, diags, false).file(), comments)
}

/// [`parse_file`], leaving function bodies [`Body::Unparsed`] (for
/// [`parse_body`] to parse one at a time). A body is left so only when
/// every bracket in it closes with its own kind and its `}` ends the
/// line: then the whole file's parse, errors included, would have ended
/// it at the same `}` and reported the same errors; any other is parsed
/// at once. Its tokens are not kept: lexing a body again
/// costs less than holding every token of the module.
pub fn parse_file_deferred(file: FileId, text: &str, diags: &mut Diagnostics) -> File {
    let tokens = lex(file, text, diags);
    Parser::new(tokens, diags, true).file()
}

/// Parses a body [`parse_file_deferred`] left unparsed, from the text of
/// its file. Lexical errors were reported with the whole file's.
pub fn parse_body(text: &str, body: &mut Body, diags: &mut Diagnostics) {
    let Body::Unparsed { span, statement } = *body else { return };
    let (lo, hi) = (span.lo as usize, span.hi as usize);
    // Not the text the span was found in: nothing to parse, rather than a
    // panic.
    let Some(prefix) = text.get(..hi).filter(|p| p.is_char_boundary(lo)) else {
        *body = Body::Parsed(Block { stmts: Vec::new(), span });
        return;
    };
    let (tokens, _) = crate::lexer::lex_from(span.file, prefix, lo, &mut Diagnostics::default());
    let mut p = Parser::new(tokens, diags, false);
    // The body's first line belongs to the statement its `{` ends.
    for s in p.starts.iter_mut().take_while(|s| **s == span.lo) {
        *s = statement;
    }
    *body = Body::Parsed(p.block().unwrap_or(Block { stmts: Vec::new(), span }));
}

/// The `import` declarations of one source file, without parsing the
/// rest: what a build tool needs to order modules, at the cost of lexing.
/// Errors inside an import are recorded; everything else is the full
/// parse's to report.
pub fn parse_imports(file: FileId, text: &str, diags: &mut Diagnostics) -> Vec<Import> {
    // Most files of a large module import nothing: no need to lex them.
    if !text.contains("import") {
        return Vec::new();
    }
    let tokens = lex(file, text, &mut Diagnostics::default());
    let mut p = Parser::new(tokens, diags, false);
    let mut imports = Vec::new();
    let mut depth = 0usize;
    let mut line_start = true;
    while !matches!(p.peek(), Tok::Eof) {
        match p.peek() {
            Tok::Keyword(Kw::Import) if depth == 0 && line_start => {
                if let Ok(i) = p.import() {
                    imports.push(i);
                }
                line_start = true;
                continue;
            }
            Tok::Sym("{") => depth += 1,
            Tok::Sym("}") => depth = depth.saturating_sub(1),
            _ => {}
        }
        line_start = matches!(p.peek(), Tok::Newline);
        p.bump();
    }
    imports
}

/// Marker error: a diagnostic has already been recorded.
struct Bail;
type PResult<T> = Result<T, Bail>;

/// For each token, the byte offset where its statement (its line of
/// tokens) begins.
fn statement_starts(toks: &[Token]) -> Vec<u32> {
    let mut start = toks.first().map_or(0, |t| t.span.lo);
    let mut out = Vec::with_capacity(toks.len());
    for (i, t) in toks.iter().enumerate() {
        if i > 0 && matches!(toks[i - 1].tok, Tok::Newline) {
            start = t.span.lo;
        }
        out.push(start);
    }
    out
}

struct Parser<'d> {
    /// Leave function bodies unparsed where that changes nothing
    /// ([`parse_file_deferred`]).
    defer_bodies: bool,
    toks: Vec<Token>,
    /// [`statement_starts`] of `toks`.
    starts: Vec<u32>,
    pos: usize,
    diags: &'d mut Diagnostics,
    /// How deeply the construct being parsed is nested (expressions,
    /// blocks, types, operator chains); bounded by [`crate::MAX_NESTING`]
    /// so that every later pass, recursive over the tree, stays bounded.
    depth: usize,
    /// Byte offsets of the diagnostics so far, sorted (synced from `diags`,
    /// whose new items are appended), so that "has this statement an
    /// error already" is a binary search, not a scan of every error.
    error_offsets: Vec<u32>,
    /// How many items of `diags` are in `error_offsets`.
    seen_diags: usize,
    /// Parsing the head of an `if`, `while`, `for` or `match`, whose `{`
    /// opens the statement's block, never a trailing closure.
    no_trailing_closure: bool,
}

impl<'d> Parser<'d> {
    fn new(toks: Vec<Token>, diags: &'d mut Diagnostics, defer_bodies: bool) -> Parser<'d> {
        let starts = statement_starts(&toks);
        Parser {
            defer_bodies,
            toks,
            starts,
            pos: 0,
            diags,
            depth: 0,
            error_offsets: Vec::new(),
            seen_diags: 0,
            no_trailing_closure: false,
        }
    }

    /// Parses one nesting level deeper with `f`; past the limit, a located
    /// error instead.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        if self.depth >= crate::MAX_NESTING {
            return Err(self.too_deep());
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    /// One level deeper for the rest of an operator chain (restored by
    /// [`Self::binary`]).
    fn deeper(&mut self) -> PResult<()> {
        if self.depth >= crate::MAX_NESTING {
            return Err(self.too_deep());
        }
        self.depth += 1;
        Ok(())
    }

    fn too_deep(&mut self) -> Bail {
        let span = self.span();
        self.diags.push(
            Diagnostic::error(span, format!("nesting deeper than {} levels", crate::MAX_NESTING))
                .with_hint("split the code into smaller pieces: local variables or functions"),
        );
        Bail
    }

    fn peek(&self) -> &Tok {
        &self.toks[self.pos].tok
    }

    fn peek_at(&self, n: usize) -> &Tok {
        &self.toks[(self.pos + n).min(self.toks.len() - 1)].tok
    }

    fn span(&self) -> Span {
        self.toks[self.pos].span
    }

    fn prev_span(&self) -> Span {
        self.toks[self.pos.saturating_sub(1)].span
    }

    /// Moves past the current token; its span.
    fn bump(&mut self) -> Span {
        let span = self.span();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        span
    }

    /// [`Self::bump`], with a copy of the token (a name's text is copied
    /// only where the tree keeps it).
    fn bump_token(&mut self) -> Token {
        let t = self.toks[self.pos].clone();
        self.bump();
        t
    }

    fn is_sym(&self, s: &str) -> bool {
        matches!(self.peek(), Tok::Sym(x) if *x == s)
    }

    fn is_kw(&self, k: Kw) -> bool {
        matches!(self.peek(), Tok::Keyword(x) if *x == k)
    }

    fn eat_sym(&mut self, s: &str) -> bool {
        if self.is_sym(s) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn eat_kw(&mut self, k: Kw) -> bool {
        if self.is_kw(k) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// Reports "expected X" unless the statement already has an error
    /// (from the lexer or this parser), so one mistake gives one message.
    fn error_here(&mut self, what: &str) -> Bail {
        let start = self.statement_start();
        let span = self.span();
        if !self.error_between(start, span.hi) {
            let found = self.peek().describe();
            self.diags.error(span, format!("expected {what}, found {found}"));
        }
        Bail
    }

    /// Byte offset where the current statement begins.
    fn statement_start(&self) -> u32 {
        self.starts.get(self.pos).copied().unwrap_or(0)
    }

    /// Whether a diagnostic of this file starts between `lo` and `hi`.
    fn error_between(&mut self, lo: u32, hi: u32) -> bool {
        let file = self.span().file;
        for d in &self.diags.items[self.seen_diags.min(self.diags.items.len())..] {
            if d.span.file == file {
                let at = self.error_offsets.partition_point(|&o| o <= d.span.lo);
                self.error_offsets.insert(at, d.span.lo);
            }
        }
        self.seen_diags = self.diags.items.len();
        let first = self.error_offsets.partition_point(|&o| o < lo);
        self.error_offsets.get(first).is_some_and(|&o| o <= hi)
    }

    fn expect_sym(&mut self, s: &str) -> PResult<Span> {
        if self.is_sym(s) {
            Ok(self.bump())
        } else {
            Err(self.error_here(&format!("`{s}`")))
        }
    }

    fn ident(&mut self) -> PResult<Ident> {
        match self.peek() {
            Tok::Ident(name) => {
                let name = name.clone();
                let span = self.bump();
                Ok(Ident { name, span })
            }
            &Tok::Keyword(k) if k.is_contextual() => {
                let span = self.bump();
                Ok(Ident { name: k.as_str().to_string(), span })
            }
            &Tok::Keyword(k) if matches!(k, Kw::And | Kw::Or | Kw::Not) => {
                let span = self.span();
                self.diags.push(
                    Diagnostic::error(span, format!("`{}` is a reserved word", k.as_str()))
                        .with_hint("use `&&`, `||` and `!` for the operators, and another name for identifiers"),
                );
                Err(Bail)
            }
            _ => Err(self.error_here("a name")),
        }
    }

    fn skip_newlines(&mut self) {
        while matches!(self.peek(), Tok::Newline) {
            self.bump();
        }
    }

    /// After an error in what began at token `start`: skip to the next
    /// boundary, and at least one token, so that a loop over items always
    /// moves on.
    fn recover_from(&mut self, start: usize) {
        self.recover();
        if self.pos == start {
            self.bump();
        }
    }

    /// After an error: skip to the next statement boundary at this depth.
    fn recover(&mut self) {
        let mut depth = 0i32;
        loop {
            match self.peek() {
                Tok::Eof => return,
                Tok::Newline if depth <= 0 => {
                    self.bump();
                    return;
                }
                Tok::Sym("{") | Tok::Sym("(") | Tok::Sym("[") => depth += 1,
                Tok::Sym("}") | Tok::Sym(")") | Tok::Sym("]") => {
                    if depth <= 0 {
                        return;
                    }
                    depth -= 1;
                    if depth == 0 && matches!(self.peek(), Tok::Sym("}")) {
                        self.bump();
                        return;
                    }
                }
                _ => {}
            }
            self.bump();
        }
    }

    fn end_of_statement(&mut self) -> PResult<()> {
        match self.peek() {
            Tok::Newline => {
                self.bump();
                Ok(())
            }
            Tok::Eof | Tok::Sym("}") => Ok(()),
            Tok::Sym(sym @ ("{" | "=>")) => {
                let (msg, hint) = if *sym == "{" {
                    (
                        "a block cannot follow an expression",
                        "a closure written after a call is its last argument: `xs.map { x -> x * 2 }`",
                    )
                } else {
                    ("`=>` is not an operator", "`=>` only separates a `match` arm's pattern from its body")
                };
                let span = self.span();
                if !self.error_between(self.statement_start(), span.hi) {
                    self.diags.push(Diagnostic::error(span, msg).with_hint(hint));
                }
                Err(Bail)
            }
            _ => Err(self.error_here("end of statement")),
        }
    }

    // ---- declarations ----

    fn file(&mut self) -> File {
        let mut file = File { imports: Vec::new(), items: Vec::new() };
        loop {
            self.skip_newlines();
            if matches!(self.peek(), Tok::Eof) {
                break;
            }
            if self.is_kw(Kw::Import) {
                match self.import() {
                    Ok(i) => file.imports.push(i),
                    Err(Bail) => self.recover(),
                }
                continue;
            }
            let start = self.pos;
            match self.item(&mut file.items, Modifiers::default()) {
                Ok(()) => {}
                Err(Bail) => {
                    self.recover_from(start);
                }
            }
        }
        file
    }

    fn import(&mut self) -> PResult<Import> {
        let lo = self.bump();
        let path = self.ident()?;
        let mut names = Vec::new();
        if self.eat_sym(".") {
            self.expect_sym("{")?;
            loop {
                self.skip_newlines();
                if self.eat_sym("}") {
                    break;
                }
                names.push(self.ident()?);
                self.skip_newlines();
                if !self.eat_sym(",") {
                    self.skip_newlines();
                    self.expect_sym("}")?;
                    break;
                }
            }
        }
        let span = lo.to(self.prev_span());
        self.end_of_statement()?;
        Ok(Import { path, names, span })
    }

    fn modifiers(&mut self, mut m: Modifiers) -> PResult<Modifiers> {
        loop {
            let span = self.span();
            let slot = match self.peek() {
                Tok::Keyword(Kw::Public) => {
                    self.set_access(&mut m, Access::Public, span);
                    self.bump();
                    continue;
                }
                Tok::Keyword(Kw::Private) => {
                    self.set_access(&mut m, Access::Private, span);
                    self.bump();
                    continue;
                }
                Tok::Keyword(Kw::Protected) => {
                    self.set_access(&mut m, Access::Protected, span);
                    self.bump();
                    continue;
                }
                Tok::Keyword(Kw::Export) if !matches!(self.peek_at(1), Tok::Sym("{")) => &mut m.export,
                Tok::Keyword(Kw::Open) => &mut m.open,
                Tok::Keyword(Kw::Final) => &mut m.final_,
                Tok::Keyword(Kw::Override) => &mut m.override_,
                Tok::Keyword(Kw::Shared) => &mut m.shared,
                Tok::Keyword(Kw::Extern) => &mut m.extern_,
                Tok::Ident(w)
                    if w == "static" && matches!(self.peek_at(1), Tok::Keyword(Kw::Fn | Kw::Let | Kw::Var)) =>
                {
                    &mut m.static_
                }
                Tok::Ident(w) if w == "test" && matches!(self.peek_at(1), Tok::Keyword(Kw::Fn)) => &mut m.test,
                Tok::Ident(w) if w == "const" && matches!(self.peek_at(1), Tok::Keyword(Kw::Fn)) => &mut m.const_,
                _ => return Ok(m),
            };
            if slot.is_some() {
                let found = self.peek().describe();
                self.diags.error(span, format!("duplicate modifier {found}"));
            }
            *slot = Some(span);
            self.bump();
        }
    }

    fn set_access(&mut self, m: &mut Modifiers, a: Access, span: Span) {
        if m.access.is_some() {
            self.diags.push(
                Diagnostic::error(span, "more than one access level")
                    .with_hint("write one of `public`, `protected`, `private`"),
            );
        }
        m.access = Some((a, span));
    }

    fn item(&mut self, items: &mut Vec<Item>, outer: Modifiers) -> PResult<()> {
        if self.is_kw(Kw::Export) && matches!(self.peek_at(1), Tok::Sym("{")) {
            let export_span = self.bump();
            self.bump();
            loop {
                self.skip_newlines();
                if self.eat_sym("}") || matches!(self.peek(), Tok::Eof) {
                    break;
                }
                let mods = Modifiers { export: Some(export_span), ..Modifiers::default() };
                let start = self.pos;
                if self.item(items, mods).is_err() {
                    self.recover_from(start);
                }
            }
            return Ok(());
        }
        if self.is_kw(Kw::Init) && matches!(self.peek_at(1), Tok::Sym("{")) {
            self.bump();
            let b = self.block()?;
            items.push(Item::InitBlock(b));
            return Ok(());
        }
        if matches!(self.peek(), Tok::Ident(w) if w == "fini") && matches!(self.peek_at(1), Tok::Sym("{")) {
            self.bump();
            let b = self.block()?;
            items.push(Item::FiniBlock(b));
            return Ok(());
        }
        if matches!(self.peek(), Tok::Keyword(k) if k.is_contextual()) && matches!(self.peek_at(1), Tok::Sym(_)) {
            // `final += 1`: a name, not a modifier.
            let s = self.stmt()?;
            items.push(Item::Stmt(s));
            return Ok(());
        }
        let has_mods = matches!(
            self.peek(),
            Tok::Keyword(
                Kw::Public
                    | Kw::Private
                    | Kw::Protected
                    | Kw::Export
                    | Kw::Open
                    | Kw::Final
                    | Kw::Override
                    | Kw::Shared
                    | Kw::Extern
            )
        );
        let mods = self.modifiers(outer)?;
        match self.peek() {
            Tok::Keyword(Kw::Fn) => {
                let f = self.fn_decl(mods)?;
                items.push(Item::Fn(f));
            }
            Tok::Keyword(Kw::Class) => {
                let c = self.class_decl(mods)?;
                items.push(Item::Class(c));
            }
            Tok::Keyword(Kw::Let | Kw::Var) => {
                let v = self.var_decl(mods)?;
                self.end_of_statement()?;
                items.push(Item::Global(v));
            }
            Tok::Ident(w) if w == "enum" && matches!(self.peek_at(1), Tok::Ident(_)) => {
                let e = self.enum_decl(mods)?;
                items.push(Item::Enum(e));
            }
            Tok::Ident(w) if w == "interface" && matches!(self.peek_at(1), Tok::Ident(_)) => {
                let i = self.interface_decl(mods)?;
                items.push(Item::Interface(i));
            }
            _ if has_mods => return Err(self.error_here("`fn`, `class`, `let` or `var` after modifiers")),
            _ => {
                let s = self.stmt()?;
                items.push(Item::Stmt(s));
            }
        }
        Ok(())
    }

    fn fn_decl(&mut self, mods: Modifiers) -> PResult<FnDecl> {
        let lo = self.bump();
        let name = self.ident()?;
        self.no_angle_brackets(&name)?;
        let type_params = self.type_params()?;
        let params = self.params()?;
        let ret = if self.eat_sym("->") { Some(self.type_expr()?) } else { None };
        let throws = matches!(self.peek(), Tok::Ident(s) if s == "throws");
        if throws {
            self.bump();
        }
        let span = lo.to(self.prev_span());
        let body = if self.is_sym("{") {
            Some(self.body()?)
        } else {
            self.end_of_statement()?;
            None
        };
        Ok(FnDecl { mods, name, type_params, params, ret, throws, body, span })
    }

    /// `[T, U: I & J]` after a declaration's name, or nothing.
    fn type_params(&mut self) -> PResult<Vec<TypeParam>> {
        let mut out = Vec::new();
        if !self.eat_sym("[") {
            return Ok(out);
        }
        while !self.eat_sym("]") {
            let name = self.ident()?;
            let mut bounds = Vec::new();
            if self.eat_sym(":") {
                bounds.push(self.type_expr()?);
                while self.eat_sym("&") {
                    bounds.push(self.type_expr()?);
                }
            }
            out.push(TypeParam { name, bounds });
            if !self.eat_sym(",") {
                self.expect_sym("]")?;
                break;
            }
        }
        Ok(out)
    }

    fn params(&mut self) -> PResult<Vec<Param>> {
        self.expect_sym("(")?;
        let mut params = Vec::new();
        while !self.eat_sym(")") {
            let name = self.ident()?;
            self.expect_sym(":")?;
            let ty = self.type_expr()?;
            params.push(Param { name, ty });
            if !self.eat_sym(",") {
                self.expect_sym(")")?;
                break;
            }
        }
        Ok(params)
    }

    fn var_decl(&mut self, mods: Modifiers) -> PResult<VarDecl> {
        let lo = self.span();
        let mutable = self.is_kw(Kw::Var);
        self.bump();
        let name = self.ident()?;
        let ty = if self.eat_sym(":") { Some(self.type_expr()?) } else { None };
        let init = if self.eat_sym("=") { Some(self.expr()?) } else { None };
        let span = lo.to(self.prev_span());
        Ok(VarDecl { mods, mutable, name, ty, init, span })
    }

    /// `: A, B[T]` after a class's or interface's name, or nothing.
    fn supertypes(&mut self) -> PResult<Vec<TypeExpr>> {
        let mut out = Vec::new();
        if self.eat_sym(":") {
            out.push(self.type_expr()?);
            while self.eat_sym(",") {
                out.push(self.type_expr()?);
            }
        }
        Ok(out)
    }

    fn class_decl(&mut self, mods: Modifiers) -> PResult<ClassDecl> {
        let lo = self.bump();
        let name = self.ident()?;
        self.no_angle_brackets(&name)?;
        let type_params = self.type_params()?;
        let mut interfaces = self.supertypes()?;
        let base = (!interfaces.is_empty()).then(|| interfaces.remove(0));
        let span = lo.to(self.prev_span());
        self.expect_sym("{")?;
        let mut c = ClassDecl {
            mods,
            name,
            type_params,
            base,
            interfaces,
            fields: Vec::new(),
            methods: Vec::new(),
            inits: Vec::new(),
            nested: Vec::new(),
            span,
        };
        loop {
            self.skip_newlines();
            if self.eat_sym("}") {
                break;
            }
            if matches!(self.peek(), Tok::Eof) {
                self.parse_skipped_bodies(&c);
                return Err(self.error_here("`}` to close the class"));
            }
            let start = self.pos;
            if self.member(&mut c).is_err() {
                self.recover_from(start);
            }
        }
        Ok(c)
    }

    /// Whether the token before `at` is `op` and touches it (`i++`).
    fn prev_is_adjacent(&self, at: usize, op: &str) -> bool {
        at > 0
            && matches!(&self.toks[at - 1].tok, Tok::Sym(p) if *p == op)
            && self.toks[at - 1].span.hi == self.toks[at].span.lo
    }

    /// `class Box<T>` / `fn f<T>`: other languages' type parameters,
    /// reported and skipped, so the declaration still counts (no "cannot
    /// find `Box`" after it).
    fn no_angle_brackets(&mut self, name: &Ident) -> PResult<()> {
        if !self.is_sym("<") {
            return Ok(());
        }
        let span = self.span();
        self.diags.push(
            Diagnostic::error(span, "type parameters are written in square brackets")
                .with_hint(format!("write `{}[T]`, as `Map[K, V]` is", name.name)),
        );
        let mut depth = 0;
        loop {
            match self.peek() {
                Tok::Sym("<") => depth += 1,
                Tok::Sym(">") => depth -= 1,
                Tok::Sym(">>") => depth -= 2,
                Tok::Sym("{" | "(") | Tok::Newline | Tok::Eof => return Err(Bail),
                _ => {}
            }
            self.bump();
            if depth <= 0 {
                return Ok(());
            }
        }
    }

    /// `enum Name { a, b(x: T) }`: cases separated by commas or newlines.
    fn interface_decl(&mut self, mods: Modifiers) -> PResult<InterfaceDecl> {
        let lo = self.bump();
        let name = self.ident()?;
        self.no_angle_brackets(&name)?;
        let type_params = self.type_params()?;
        let supers = self.supertypes()?;
        let span = lo.to(self.prev_span());
        self.expect_sym("{")?;
        let mut methods = Vec::new();
        loop {
            self.skip_newlines();
            if self.eat_sym("}") {
                break;
            }
            if matches!(self.peek(), Tok::Eof) {
                self.parse_skipped_method_bodies(&methods);
                return Err(self.error_here("`}` to close the interface"));
            }
            let start = self.pos;
            let mods = self.modifiers(Modifiers::default());
            let method = match mods {
                Ok(mods) if self.is_kw(Kw::Fn) => self.fn_decl(mods),
                Ok(_) => Err(self.error_here("a method (`fn name(...) -> T`)")),
                Err(b) => Err(b),
            };
            match method {
                Ok(m) => methods.push(m),
                Err(Bail) => self.recover_from(start),
            }
        }
        Ok(InterfaceDecl { mods, name, type_params, supers, methods, span })
    }

    fn enum_decl(&mut self, mods: Modifiers) -> PResult<EnumDecl> {
        let lo = self.bump();
        let name = self.ident()?;
        let span = lo.to(self.prev_span());
        self.expect_sym("{")?;
        let mut cases = Vec::new();
        loop {
            self.skip_newlines();
            if self.eat_sym("}") {
                break;
            }
            let name = self.ident()?;
            let params = if self.is_sym("(") { Some(self.params()?) } else { None };
            cases.push(EnumCase { span: name.span.to(self.prev_span()), name, params });
            if !self.eat_sym(",") && !matches!(self.peek(), Tok::Newline) {
                self.expect_sym("}")?;
                break;
            }
        }
        Ok(EnumDecl { mods, name, cases, span })
    }

    fn member(&mut self, c: &mut ClassDecl) -> PResult<()> {
        let mods = self.modifiers(Modifiers::default())?;
        match self.peek() {
            Tok::Keyword(Kw::Fn) => c.methods.push(self.fn_decl(mods)?),
            Tok::Keyword(Kw::Class) => {
                let inner = self.nested(|p| p.class_decl(mods))?;
                c.nested.push(inner);
            }
            Tok::Keyword(Kw::Let | Kw::Var) => {
                let v = self.var_decl(mods)?;
                self.end_of_statement()?;
                c.fields.push(v);
            }
            Tok::Keyword(Kw::Init) => {
                let lo = self.span();
                let name = Ident { name: "init".into(), span: self.bump() };
                let params = self.params()?;
                let span = lo.to(self.prev_span());
                let body = Some(self.body()?);
                c.inits.push(FnDecl {
                    mods,
                    name,
                    type_params: Vec::new(),
                    params,
                    ret: None,
                    throws: false,
                    body,
                    span,
                });
            }
            _ => return Err(self.error_here("a field, method, `init` or nested class")),
        }
        Ok(())
    }

    // ---- types ----

    fn type_expr(&mut self) -> PResult<TypeExpr> {
        self.nested(Self::type_expr_inner)
    }

    fn type_expr_inner(&mut self) -> PResult<TypeExpr> {
        let lo = self.span();
        let mut t = if self.eat_sym("(") {
            // A parenthesised type, for `(fn(Int) -> Int)?`.
            let inner = self.type_expr()?;
            self.expect_sym(")")?;
            inner
        } else if self.eat_sym("[") {
            let inner = self.type_expr()?;
            self.expect_sym("]")?;
            TypeExpr::Array(Box::new(inner), lo.to(self.prev_span()))
        } else if self.eat_kw(Kw::Fn) {
            self.expect_sym("(")?;
            let mut params = Vec::new();
            while !self.eat_sym(")") {
                params.push(self.type_expr()?);
                if !self.eat_sym(",") {
                    self.expect_sym(")")?;
                    break;
                }
            }
            let ret = if self.eat_sym("->") { Some(Box::new(self.type_expr()?)) } else { None };
            TypeExpr::Fn(params, ret, lo.to(self.prev_span()))
        } else {
            let first = self.ident()?;
            if first.name == "Map" && self.is_sym("[") {
                self.bump();
                let k = self.type_expr()?;
                self.expect_sym(",")?;
                let v = self.type_expr()?;
                self.expect_sym("]")?;
                TypeExpr::Map(Box::new(k), Box::new(v), lo.to(self.prev_span()))
            } else {
                let mut parts = vec![first];
                while self.is_sym(".") && matches!(self.peek_at(1), Tok::Ident(_)) {
                    self.bump();
                    parts.push(self.ident()?);
                }
                if self.eat_sym("[") {
                    let mut args = vec![self.type_expr()?];
                    while self.eat_sym(",") {
                        args.push(self.type_expr()?);
                    }
                    self.expect_sym("]")?;
                    TypeExpr::Generic(parts, args, lo.to(self.prev_span()))
                } else {
                    TypeExpr::Named(parts)
                }
            }
        };
        // `T??` lexes as the `??` operator: it is two optional marks here.
        while self.is_sym("?") || self.is_sym("??") {
            let marks = if self.is_sym("??") { 2 } else { 1 };
            self.bump();
            for _ in 0..marks {
                t = TypeExpr::Optional(Box::new(t), lo.to(self.prev_span()));
            }
        }
        Ok(t)
    }

    /// A function's body: left unparsed when [`Self::defer_bodies`] and
    /// its brackets all match, else parsed.
    fn body(&mut self) -> PResult<Body> {
        if self.defer_bodies && self.is_sym("{") {
            // Ending its line too, the body is a statement of its own for
            // the one-error-per-statement rule.
            let ends_line =
                |close: &usize| matches!(self.toks.get(close + 1).map(|t| &t.tok), Some(Tok::Newline | Tok::Eof));
            if let Some(close) = self.matching_close().filter(ends_line) {
                let span = self.span().to(self.toks[close].span);
                let statement = self.statement_start();
                self.pos = close + 1;
                return Ok(Body::Unparsed { span, statement });
            }
        }
        Ok(Body::Parsed(self.block()?))
    }

    /// Parses, for their errors only, the bodies of a class the file
    /// loses to an error of its own: parsed whole, they were reported.
    fn parse_skipped_bodies(&mut self, c: &ClassDecl) {
        self.parse_skipped_method_bodies(c.methods.iter().chain(&c.inits));
        for inner in &c.nested {
            self.parse_skipped_bodies(inner);
        }
    }

    /// [`Self::parse_skipped_bodies`] of a list of methods.
    fn parse_skipped_method_bodies<'m>(&mut self, methods: impl IntoIterator<Item = &'m FnDecl>) {
        let resume = self.pos;
        for m in methods {
            if let Some(Body::Unparsed { span, .. }) = m.body {
                self.pos = self.toks.partition_point(|t| t.span.lo < span.lo);
                let _ = self.block();
            }
        }
        self.pos = resume;
    }

    /// The index of the token closing the `{` at the current one, when
    /// every bracket between them closes with its own kind.
    fn matching_close(&self) -> Option<usize> {
        let mut open: Vec<&str> = Vec::new();
        for (i, t) in self.toks.iter().enumerate().skip(self.pos) {
            match t.tok {
                Tok::Sym(s @ ("{" | "(" | "[")) => open.push(s),
                Tok::Sym(s @ ("}" | ")" | "]")) => {
                    let opener = match s {
                        "}" => "{",
                        ")" => "(",
                        _ => "[",
                    };
                    if open.pop() != Some(opener) {
                        return None;
                    }
                    if open.is_empty() {
                        return Some(i);
                    }
                }
                Tok::Eof => return None,
                _ => {}
            }
        }
        None
    }

    // ---- statements ----

    fn block(&mut self) -> PResult<Block> {
        self.nested(Self::block_inner)
    }

    fn block_inner(&mut self) -> PResult<Block> {
        let lo = self.expect_sym("{")?;
        let stmts = self.statements_to_brace(lo, "block")?;
        Ok(Block { stmts, span: lo.to(self.prev_span()) })
    }

    fn stmt(&mut self) -> PResult<Stmt> {
        let lo = self.span();
        let s = match self.peek() {
            Tok::Keyword(Kw::Let | Kw::Var) => Stmt::Let(Box::new(self.var_decl(Modifiers::default())?)),
            Tok::Keyword(Kw::If) => return self.if_stmt(),
            Tok::Keyword(Kw::While) => {
                self.bump();
                let cond = self.head_expr()?;
                let body = self.block()?;
                return Ok(Stmt::While { cond, body, span: lo });
            }
            Tok::Keyword(Kw::For) => return self.for_stmt(),
            Tok::Keyword(Kw::Try) => return self.try_stmt(),
            Tok::Ident(w) if w == "match" && self.starts_match() => return self.match_stmt(),
            Tok::Ident(w) if w == "switch" && self.starts_match() => {
                self.diags.push(
                    Diagnostic::error(lo, "there is no `switch`").with_hint("use `match value { pattern => ... }`"),
                );
                self.bump();
                // Its `case` arms are another language's too: skip them.
                let _ = self.head_expr()?;
                if let Some(close) = self.matching_close().filter(|_| self.is_sym("{")) {
                    self.pos = close + 1;
                }
                return Ok(Stmt::Expr(Expr { kind: ExprKind::Error, span: lo }));
            }
            Tok::Keyword(Kw::Break) => Stmt::Break(self.bump()),
            Tok::Keyword(Kw::Continue) => Stmt::Continue(self.bump()),
            Tok::Keyword(Kw::Return) => {
                self.bump();
                let value = if matches!(self.peek(), Tok::Newline | Tok::Eof | Tok::Sym("}")) {
                    None
                } else {
                    Some(self.expr()?)
                };
                Stmt::Return(value, lo.to(self.prev_span()))
            }
            Tok::Keyword(Kw::Throw) => {
                self.bump();
                let e = self.expr()?;
                Stmt::Throw(e, lo.to(self.prev_span()))
            }
            Tok::Sym("{") => return Ok(Stmt::Block(self.block()?)),
            Tok::Keyword(Kw::Else) => {
                self.diags.push(
                    Diagnostic::error(lo, "`else` must follow the `}` of its `if` on the same line")
                        .with_hint("a newline after `}` ends the `if` statement: write `} else {`"),
                );
                return Err(Bail);
            }
            Tok::Keyword(k @ (Kw::Fn | Kw::Class | Kw::Import | Kw::Export | Kw::Public | Kw::Private)) => {
                let k = *k;
                self.diags.push(
                    Diagnostic::error(lo, format!("`{}` is only allowed at the top level of a file", k.as_str()))
                        .with_hint("move this declaration out of the function or block"),
                );
                return Err(Bail);
            }
            _ => {
                let target = self.expr()?;
                let op = match self.peek() {
                    Tok::Sym("=") => Some(None),
                    Tok::Sym("+=") => Some(Some(BinOp::Add)),
                    Tok::Sym("-=") => Some(Some(BinOp::Sub)),
                    Tok::Sym("*=") => Some(Some(BinOp::Mul)),
                    Tok::Sym("/=") => Some(Some(BinOp::Div)),
                    Tok::Sym("%=") => Some(Some(BinOp::Rem)),
                    Tok::Sym("&=") => Some(Some(BinOp::BitAnd)),
                    Tok::Sym("|=") => Some(Some(BinOp::BitOr)),
                    Tok::Sym("^=") => Some(Some(BinOp::BitXor)),
                    Tok::Sym("<<=") => Some(Some(BinOp::Shl)),
                    Tok::Sym(">>=") => Some(Some(BinOp::Shr)),
                    Tok::Sym(">>>=") => Some(Some(BinOp::UShr)),
                    _ => None,
                };
                match op {
                    Some(op) => {
                        self.bump();
                        let value = self.expr()?;
                        Stmt::Assign { target, op, value, span: lo.to(self.prev_span()) }
                    }
                    None => Stmt::Expr(target),
                }
            }
        };
        self.end_of_statement()?;
        Ok(s)
    }

    /// Whether `match` here begins a `match` statement rather than naming
    /// a variable or function called `match` (a contextual keyword).
    fn starts_match(&self) -> bool {
        match self.peek_at(1) {
            Tok::Ident(_) | Tok::Int(_) | Tok::Float(_) | Tok::Str(_) => true,
            Tok::Keyword(k) => matches!(k, Kw::SelfKw | Kw::True | Kw::False | Kw::Nil | Kw::Super),
            Tok::Sym(s) => matches!(*s, "-" | "!"),
            _ => false,
        }
    }

    fn match_stmt(&mut self) -> PResult<Stmt> {
        let lo = self.bump();
        let scrutinee = self.head_expr()?;
        self.expect_sym("{")?;
        let mut arms = Vec::new();
        loop {
            self.skip_newlines();
            if self.is_sym("}") {
                let hi = self.bump();
                return Ok(Stmt::Match { scrutinee, arms, span: lo.to(hi) });
            }
            if matches!(self.peek(), Tok::Eof) {
                return Err(self.error_here("`}` to close the `match`"));
            }
            let start = self.pos;
            match self.match_arm() {
                Ok(a) => arms.push(a),
                Err(Bail) => {
                    self.recover_from(start);
                }
            }
        }
    }

    fn match_arm(&mut self) -> PResult<MatchArm> {
        let lo = self.span();
        let pattern = self.pattern()?;
        let guard = if self.eat_kw(Kw::If) { Some(self.expr()?) } else { None };
        self.expect_sym("=>")?;
        if self.is_sym("{") {
            let body = self.block()?;
            self.end_of_statement()?;
            return Ok(MatchArm { pattern, guard, span: lo.to(body.span), body, braced: true });
        }
        let s = self.stmt()?;
        let body_span = crate::ast::stmt_span(&s);
        let body = Block { stmts: vec![s], span: body_span };
        Ok(MatchArm { pattern, guard, span: lo.to(body_span), body, braced: false })
    }

    fn pattern(&mut self) -> PResult<Pattern> {
        let lo = self.span();
        let first = self.one_pattern()?;
        if !self.is_sym("|") {
            return Ok(first);
        }
        let mut alternatives = vec![first];
        while self.eat_sym("|") {
            alternatives.push(self.one_pattern()?);
        }
        Ok(Pattern::Or(alternatives, lo.to(self.prev_span())))
    }

    fn one_pattern(&mut self) -> PResult<Pattern> {
        let lo = self.span();
        match self.peek().clone() {
            Tok::Ident(n) if n == "_" => Ok(Pattern::Wildcard(self.bump())),
            Tok::Ident(_) if matches!(self.peek_at(1), Tok::Sym(":")) => {
                let name = self.ident()?;
                self.bump();
                let ty = self.type_expr()?;
                Ok(Pattern::Type { span: lo.to(self.prev_span()), name, ty })
            }
            Tok::Ident(_) => {
                let mut path = vec![self.ident()?];
                while self.eat_sym(".") {
                    path.push(self.ident()?);
                }
                let bindings = if self.eat_sym("(") {
                    let mut names = Vec::new();
                    while !self.eat_sym(")") {
                        names.push(self.ident()?);
                        if !self.eat_sym(",") {
                            self.expect_sym(")")?;
                            break;
                        }
                    }
                    Some(names)
                } else {
                    None
                };
                Ok(Pattern::Case { path, bindings, span: lo.to(self.prev_span()) })
            }
            Tok::Int(_) | Tok::Str(_) | Tok::Keyword(Kw::True | Kw::False) | Tok::Sym("-") => {
                Ok(Pattern::Literal(self.unary()?))
            }
            _ => Err(self.error_here("a pattern (`_`, a literal, `Enum.case(...)` or `name: Class`)")),
        }
    }

    fn if_stmt(&mut self) -> PResult<Stmt> {
        let lo = self.bump();
        let cond = if self.eat_kw(Kw::Let) {
            let name = self.ident()?;
            self.expect_sym("=")?;
            Cond::Let(name, self.head_expr()?)
        } else {
            Cond::Expr(self.head_expr()?)
        };
        let then = self.block()?;
        let els = if self.eat_kw(Kw::Else) {
            if self.is_kw(Kw::If) {
                Some(Box::new(self.if_stmt()?))
            } else {
                Some(Box::new(Stmt::Block(self.block()?)))
            }
        } else {
            None
        };
        Ok(Stmt::If { cond, then, els, span: lo })
    }

    fn for_stmt(&mut self) -> PResult<Stmt> {
        let lo = self.bump();
        let pattern = if self.eat_sym("(") {
            let a = self.ident()?;
            self.expect_sym(",")?;
            let b = self.ident()?;
            self.expect_sym(")")?;
            ForPattern::Pair(a, b)
        } else {
            ForPattern::One(self.ident()?)
        };
        if !self.eat_kw(Kw::In) {
            return Err(self.error_here("`in`"));
        }
        let iter = self.head_expr()?;
        let body = self.block()?;
        Ok(Stmt::For { pattern, iter, body, span: lo })
    }

    fn try_stmt(&mut self) -> PResult<Stmt> {
        let lo = self.bump();
        let body = self.block()?;
        let mut catches = Vec::new();
        while self.is_kw(Kw::Catch) {
            let clo = self.bump();
            let name = self.ident()?;
            self.expect_sym(":")?;
            let ty = self.type_expr()?;
            let body = self.block()?;
            catches.push(Catch { name, ty, body, span: clo });
        }
        let finally = if self.eat_kw(Kw::Finally) { Some(self.block()?) } else { None };
        if catches.is_empty() && finally.is_none() {
            self.diags.push(
                Diagnostic::error(lo, "`try` without `catch` or `finally`")
                    .with_hint("add a `catch e: Error { ... }` clause"),
            );
        }
        Ok(Stmt::Try { body, catches, finally, span: lo })
    }

    // ---- expressions ----

    fn expr(&mut self) -> PResult<Expr> {
        self.nested(Self::coalesce)
    }

    /// The expression before a statement's block (`if c {`, `while c {`,
    /// `for x in xs {`, `match v {`): a `{` after it is the block's (as in
    /// Swift); inside brackets a trailing closure is allowed again.
    fn head_expr(&mut self) -> PResult<Expr> {
        let saved = std::mem::replace(&mut self.no_trailing_closure, true);
        let r = self.expr();
        self.no_trailing_closure = saved;
        r
    }

    /// An expression inside brackets, where a `{` cannot open a block.
    fn inner_expr(&mut self) -> PResult<Expr> {
        let saved = std::mem::replace(&mut self.no_trailing_closure, false);
        let r = self.expr();
        self.no_trailing_closure = saved;
        r
    }

    fn coalesce(&mut self) -> PResult<Expr> {
        let lhs = self.binary(0)?;
        if self.is_sym("??") {
            self.bump();
            let rhs = self.nested(Self::coalesce)?;
            let span = lhs.span.to(rhs.span);
            return Ok(Expr { kind: ExprKind::Binary(BinOp::Coalesce, Box::new(lhs), Box::new(rhs)), span });
        }
        Ok(lhs)
    }

    /// Precedence climbing over the binary levels, lowest first. Each
    /// operator of a chain (`a + b + c ...`) nests the tree one level deeper.
    fn binary(&mut self, level: usize) -> PResult<Expr> {
        let depth = self.depth;
        let r = self.binary_chain(level);
        self.depth = depth;
        r
    }

    fn binary_chain(&mut self, level: usize) -> PResult<Expr> {
        const LEVELS: &[&[(&str, BinOp)]] = &[
            &[("||", BinOp::Or)],
            &[("&&", BinOp::And)],
            &[
                ("==", BinOp::Eq),
                ("!=", BinOp::Ne),
                ("<=", BinOp::Le),
                (">=", BinOp::Ge),
                ("<", BinOp::Lt),
                (">", BinOp::Gt),
            ],
            &[],
            &[("|", BinOp::BitOr)],
            &[("^", BinOp::BitXor)],
            &[("&", BinOp::BitAnd)],
            &[("<<", BinOp::Shl), (">>", BinOp::Shr), (">>>", BinOp::UShr)],
            &[("+", BinOp::Add), ("-", BinOp::Sub)],
            &[("*", BinOp::Mul), ("/", BinOp::Div), ("%", BinOp::Rem)],
        ];
        const COMPARE: usize = 2;
        const RANGE: usize = 3;
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut lhs = self.binary(level + 1)?;
        loop {
            if level == RANGE {
                let inclusive = self.is_sym("..=");
                if inclusive || self.is_sym("..") {
                    self.deeper()?;
                    self.bump();
                    let hi = self.binary(level + 1)?;
                    let span = lhs.span.to(hi.span);
                    lhs = Expr { kind: ExprKind::Range { lo: Box::new(lhs), hi: Box::new(hi), inclusive }, span };
                    continue;
                }
                return Ok(lhs);
            }
            if level == COMPARE && self.is_kw(Kw::Is) {
                self.deeper()?;
                self.bump();
                let t = self.type_expr()?;
                let span = lhs.span.to(t.span());
                lhs = Expr { kind: ExprKind::Is(Box::new(lhs), t), span };
                continue;
            }
            if level == COMPARE && self.is_kw(Kw::As) {
                self.deeper()?;
                self.bump();
                let opt = self.eat_sym("?");
                let t = self.type_expr()?;
                let span = lhs.span.to(t.span());
                let kind = if opt { ExprKind::AsOpt(Box::new(lhs), t) } else { ExprKind::As(Box::new(lhs), t) };
                lhs = Expr { kind, span };
                continue;
            }
            let Some(&(_, op)) = LEVELS[level].iter().find(|(s, _)| self.is_sym(s)) else {
                return Ok(lhs);
            };
            self.deeper()?;
            self.bump();
            let rhs = self.binary(level + 1)?;
            let span = lhs.span.to(rhs.span);
            lhs = Expr { kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), span };
        }
    }

    fn unary(&mut self) -> PResult<Expr> {
        let lo = self.span();
        let op = match self.peek() {
            Tok::Sym("-") => Some(UnOp::Neg),
            Tok::Sym("!") => Some(UnOp::Not),
            Tok::Sym("~") => Some(UnOp::BitNot),
            _ => None,
        };
        if op == Some(UnOp::Neg)
            && self.prev_is_adjacent(self.pos, "-")
            && matches!(self.peek_at(1), Tok::Newline | Tok::Eof | Tok::Sym("}"))
        {
            return self.primary();
        }
        if let Some(op) = op {
            self.bump();
            let e = self.nested(Self::unary)?;
            let span = lo.to(e.span);
            return Ok(Expr { kind: ExprKind::Unary(op, Box::new(e)), span });
        }
        self.postfix()
    }

    fn postfix(&mut self) -> PResult<Expr> {
        let mut e = self.primary()?;
        loop {
            if self.is_sym("(") {
                self.bump();
                let args = self.call_args()?;
                let span = e.span.to(self.prev_span());
                e = Expr { kind: ExprKind::Call(Box::new(e), args), span };
            } else if self.is_sym("[") {
                self.bump();
                let idx = self.inner_expr()?;
                if self.is_sym(",") {
                    let mut args = vec![idx];
                    while self.eat_sym(",") {
                        args.push(self.inner_expr()?);
                    }
                    self.expect_sym("]")?;
                    let span = e.span.to(self.prev_span());
                    e = Expr { kind: ExprKind::Apply(Box::new(e), args), span };
                    continue;
                }
                self.expect_sym("]")?;
                let span = e.span.to(self.prev_span());
                e = Expr { kind: ExprKind::Index(Box::new(e), Box::new(idx)), span };
            } else if self.is_sym(".") {
                self.bump();
                let name =
                    if self.is_kw(Kw::Init) { Ident { name: "init".into(), span: self.bump() } } else { self.ident()? };
                let span = e.span.to(name.span);
                e = Expr { kind: ExprKind::Member(Box::new(e), name), span };
            } else if self.is_sym("?.") {
                self.bump();
                let name = self.ident()?;
                let span = e.span.to(name.span);
                e = Expr { kind: ExprKind::OptMember(Box::new(e), name), span };
            } else if self.is_sym("!") {
                self.bump();
                let span = e.span.to(self.prev_span());
                e = Expr { kind: ExprKind::Unwrap(Box::new(e)), span };
            } else if self.is_sym("{") && !self.no_trailing_closure {
                // A trailing closure: the last argument of a call,
                // `xs.map { x -> x * 2 }` or `run(a) { ... }`.
                let lo = self.span();
                let closure = self.nested(|p| p.short_closure(lo))?;
                let span = e.span.to(closure.span);
                e = match e.kind {
                    ExprKind::Call(f, mut args) => {
                        args.push(closure);
                        Expr { kind: ExprKind::Call(f, args), span }
                    }
                    _ => Expr { kind: ExprKind::Call(Box::new(e), vec![closure]), span },
                };
            } else {
                return Ok(e);
            }
        }
    }

    fn comma_list(&mut self, close: &str) -> PResult<Vec<Expr>> {
        let mut items = Vec::new();
        while !self.eat_sym(close) {
            items.push(self.expr()?);
            if !self.eat_sym(",") {
                self.expect_sym(close)?;
                break;
            }
        }
        Ok(items)
    }

    /// A call's arguments up to `)`. A named one (`area(w: 3)`, Swift's
    /// and Kotlin's form) is reported once and read as positional, so
    /// nothing else fails because of it.
    fn call_args(&mut self) -> PResult<Vec<Expr>> {
        let mut items = Vec::new();
        while !self.eat_sym(")") {
            let e = self.inner_expr()?;
            if let (ExprKind::Name(n), true) = (&e.kind, self.is_sym(":")) {
                self.diags.push(
                    Diagnostic::error(e.span, format!("arguments are passed by position, not by name (`{n}:`)"))
                        .with_hint(format!("remove `{n}:` and keep the arguments in the parameters' order")),
                );
                self.bump();
                items.push(self.expr()?);
            } else {
                items.push(e);
            }
            if !self.eat_sym(",") {
                self.expect_sym(")")?;
                break;
            }
        }
        Ok(items)
    }

    fn primary(&mut self) -> PResult<Expr> {
        let start = self.pos;
        let t = self.bump_token();
        let span = t.span;
        let kind = match t.tok {
            Tok::Int(v) => ExprKind::Int(v),
            Tok::Float(v) => ExprKind::Float(v),
            Tok::Str(parts) => ExprKind::Str(self.string_parts(parts)),
            Tok::Ident(name) => ExprKind::Name(name),
            Tok::Keyword(Kw::True) => ExprKind::Bool(true),
            Tok::Keyword(Kw::False) => ExprKind::Bool(false),
            Tok::Keyword(Kw::Nil) => ExprKind::Nil,
            Tok::Keyword(Kw::SelfKw) => ExprKind::SelfRef,
            Tok::Keyword(k) if k.is_contextual() => ExprKind::Name(k.as_str().to_string()),
            Tok::Keyword(Kw::Super) => {
                self.expect_sym(".")?;
                let name =
                    if self.is_kw(Kw::Init) { Ident { name: "init".into(), span: self.bump() } } else { self.ident()? };
                return Ok(Expr { span: span.to(name.span), kind: ExprKind::Super(name) });
            }
            Tok::Sym("(") => {
                let e = self.inner_expr()?;
                self.expect_sym(")")?;
                return Ok(Expr { kind: e.kind, span: span.to(self.prev_span()) });
            }
            Tok::Sym("[") => {
                let saved = std::mem::replace(&mut self.no_trailing_closure, false);
                let r = self.array_or_map(span);
                self.no_trailing_closure = saved;
                return r;
            }
            Tok::Sym("{") => {
                self.pos = start;
                return self.short_closure(span);
            }
            Tok::Keyword(k @ (Kw::And | Kw::Or | Kw::Not)) => {
                self.diags.push(
                    Diagnostic::error(span, format!("`{}` is reserved", k.as_str()))
                        .with_hint("the logical operators are `&&`, `||` and `!`"),
                );
                return Err(Bail);
            }
            Tok::Keyword(Kw::Fn) => return self.fn_closure(span),
            Tok::Sym(op @ ("+" | "-")) if self.prev_is_adjacent(start, op) => {
                let doubled = format!("{op}{op}");
                self.diags.push(
                    Diagnostic::error(span, format!("there is no `{doubled}` operator"))
                        .with_hint(format!("write `x {op}= 1` as a statement of its own")),
                );
                return Err(Bail);
            }
            _ => {
                self.pos = start;
                return Err(self.error_here("an expression"));
            }
        };
        Ok(Expr { kind, span })
    }

    /// `fn(params) -> R { body }` after its `fn`; a parameter's type may be
    /// left out where the expected type gives it.
    fn fn_closure(&mut self, lo: Span) -> PResult<Expr> {
        self.expect_sym("(")?;
        let mut params = Vec::new();
        while !self.eat_sym(")") {
            let name = self.ident()?;
            let ty = if self.eat_sym(":") { Some(self.type_expr()?) } else { None };
            params.push(ClosureParam { name, ty });
            if !self.eat_sym(",") {
                self.expect_sym(")")?;
                break;
            }
        }
        let ret = if self.eat_sym("->") { Some(self.type_expr()?) } else { None };
        let saved = std::mem::replace(&mut self.no_trailing_closure, false);
        let body = self.block();
        self.no_trailing_closure = saved;
        let body = body?;
        let span = lo.to(body.span);
        Ok(Expr { kind: ExprKind::Closure(Box::new(Closure { params, ret, body, short: false })), span })
    }

    /// `{ a, b -> body }`, `{ -> body }` or `{ body }` from its `{`.
    fn short_closure(&mut self, lo: Span) -> PResult<Expr> {
        self.expect_sym("{")?;
        let mut params = Vec::new();
        if matches!(self.peek(), Tok::Ident(_)) && matches!(self.peek_at(1), Tok::Keyword(Kw::In)) {
            self.diags.push(
                Diagnostic::error(self.span(), "a closure's parameters end with `->`, not `in`")
                    .with_hint("write `{ x -> x * 2 }`"),
            );
            return Err(Bail);
        }
        if matches!(self.peek(), Tok::Ident(_)) && matches!(self.peek_at(1), Tok::Sym(":")) {
            self.diags.push(
                Diagnostic::error(self.span(), "a short closure's parameters are written without types").with_hint(
                    "write `fn(x: Int) -> Int { ... }`, or `{ x -> ... }` where a function type is expected",
                ),
            );
            return Err(Bail);
        }
        if self.short_closure_has_params() {
            while !self.eat_sym("->") {
                params.push(ClosureParam { name: self.ident()?, ty: None });
                if !self.eat_sym(",") {
                    if !self.eat_sym("->") {
                        return Err(self.error_here("`->` after the closure's parameters"));
                    }
                    break;
                }
            }
        }
        let saved = std::mem::replace(&mut self.no_trailing_closure, false);
        let stmts = self.statements_to_brace(lo, "closure");
        self.no_trailing_closure = saved;
        let stmts = stmts?;
        let span = lo.to(self.prev_span());
        let body = Block { stmts, span };
        Ok(Expr { kind: ExprKind::Closure(Box::new(Closure { params, ret: None, body, short: true })), span })
    }

    /// After a short closure's `{`: whether `a, b ->` (or `->`) follows.
    fn short_closure_has_params(&self) -> bool {
        let mut i = 0;
        loop {
            match self.peek_at(i) {
                Tok::Sym("->") => return true,
                Tok::Ident(_) => {}
                _ => return false,
            }
            match self.peek_at(i + 1) {
                Tok::Sym("->") => return true,
                Tok::Sym(",") => i += 2,
                _ => return false,
            }
        }
    }

    /// Statements up to the `}` that closes a `what` opened at `lo`.
    fn statements_to_brace(&mut self, lo: Span, what: &str) -> PResult<Vec<Stmt>> {
        let mut stmts = Vec::new();
        loop {
            self.skip_newlines();
            if self.is_sym("}") {
                self.bump();
                return Ok(stmts);
            }
            if matches!(self.peek(), Tok::Eof) {
                self.diags.push(
                    Diagnostic::error(lo, format!("this {what} is never closed")).with_hint("add the missing `}`"),
                );
                return Err(Bail);
            }
            let start = self.pos;
            match self.stmt() {
                Ok(s) => stmts.push(s),
                Err(Bail) => self.recover_from(start),
            }
        }
    }

    fn array_or_map(&mut self, lo: Span) -> PResult<Expr> {
        if self.eat_sym(":") {
            self.expect_sym("]")?;
            return Ok(Expr { kind: ExprKind::Map(Vec::new()), span: lo.to(self.prev_span()) });
        }
        if self.eat_sym("]") {
            return Ok(Expr { kind: ExprKind::Array(Vec::new()), span: lo.to(self.prev_span()) });
        }
        let first = self.expr()?;
        if self.eat_sym(":") {
            let v = self.expr()?;
            let mut pairs = vec![(first, v)];
            while self.eat_sym(",") {
                if self.is_sym("]") {
                    break;
                }
                let k = self.expr()?;
                self.expect_sym(":")?;
                let v = self.expr()?;
                pairs.push((k, v));
            }
            self.expect_sym("]")?;
            return Ok(Expr { kind: ExprKind::Map(pairs), span: lo.to(self.prev_span()) });
        }
        let mut items = vec![first];
        if self.eat_sym(",") {
            items.extend(self.comma_list("]")?);
        } else {
            self.expect_sym("]")?;
        }
        Ok(Expr { kind: ExprKind::Array(items), span: lo.to(self.prev_span()) })
    }

    fn string_parts(&mut self, parts: Vec<StrPart>) -> Vec<StrSeg> {
        let mut segs = Vec::new();
        for part in parts {
            match part {
                StrPart::Text(s) => segs.push(StrSeg::Text(s)),
                StrPart::Interp(toks, span) => {
                    if toks.len() <= 1 {
                        self.diags.error(span, "empty interpolation `\\()`");
                        continue;
                    }
                    let starts = statement_starts(&toks);
                    let saved_toks = std::mem::replace(&mut self.toks, toks);
                    let saved_starts = std::mem::replace(&mut self.starts, starts);
                    let saved_pos = std::mem::replace(&mut self.pos, 0);
                    let r = self.expr();
                    if r.is_ok() && !matches!(self.peek(), Tok::Eof) {
                        let _ = self.error_here("`)` to close the interpolation");
                    }
                    self.toks = saved_toks;
                    self.starts = saved_starts;
                    self.pos = saved_pos;
                    segs.push(StrSeg::Expr(r.unwrap_or(Expr { kind: ExprKind::Error, span })));
                }
            }
        }
        segs
    }
}
