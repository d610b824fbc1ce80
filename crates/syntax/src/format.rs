//! `tess fmt`: one canonical layout for a source file (issue 13). The
//! syntax tree is printed again — 4-space indentation, the spacing of
//! LANGUAGE.md's examples, class members and items in source order — with
//! the source's comments and single blank lines between groups kept, and
//! each literal and each pair of parentheses as written. A line longer than
//! `WIDTH` puts the arguments of its outermost call, array or map one per
//! line, and so on inward while a line is still too long (newlines inside
//! brackets never end a statement, §1). A list written one element a line
//! with a comma after the last stays so (gofmt's and rustfmt's rule).
//! Comments are kept byte for byte; end-of-line comments aligned on
//! consecutive lines stay aligned.
//!
//! Printing a tree the parser built from this printer's output gives the
//! same tree and the same text (tested on the whole corpus).

use crate::ast::*;
use crate::diag::Diagnostics;
use crate::source::{FileId, Span};

/// The line width the layout keeps to, where it can.
pub const WIDTH: usize = 100;
const INDENT: &str = "    ";

/// A line break inside a statement's text, followed by the statement's
/// own indentation when printed; what a broken list's element lines
/// indent further follows it.
const BREAK: char = '\u{1}';

/// `text` (file `id`) in the canonical layout, or the syntax errors that
/// stop it being formatted (the file is then left as it is).
pub fn format(id: FileId, text: &str) -> Result<String, Diagnostics> {
    let mut diags = Diagnostics::default();
    let (file, comments) = crate::parser::parse_file_with_comments(id, text, &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    let shebang = if text.starts_with("#!") { text.lines().next() } else { None };
    let mut p = Printer {
        text,
        comments,
        next: 0,
        out: String::new(),
        depth: 0,
        last: 0,
        verbatim: Default::default(),
        trailing: Vec::new(),
    };
    if let Some(line) = shebang {
        p.out.push_str(line);
        p.out.push('\n');
        p.last = line.len();
    }
    p.file(&file);
    Ok(align_trailing(&p.out, &p.trailing))
}

/// `out` with the end-of-line comments at `trailing` (where each starts in
/// `out`, and the column it had in the source) that stood at one column
/// on consecutive source lines placed at one column again: one space past
/// the longest code among them.
fn align_trailing(out: &str, trailing: &[(usize, usize)]) -> String {
    // (line number in `out`, where its comment starts on it, source column)
    let mut at = Vec::with_capacity(trailing.len());
    let (mut line, mut line_start, mut scanned) = (0, 0, 0);
    for &(offset, column) in trailing {
        for (i, b) in out.as_bytes()[scanned..offset].iter().enumerate() {
            if *b == b'\n' {
                line += 1;
                line_start = scanned + i + 1;
            }
        }
        scanned = offset;
        at.push((line, out[line_start..offset].chars().count(), column));
    }
    let mut pad = vec![0; at.len()];
    let mut i = 0;
    while i < at.len() {
        let mut j = i + 1;
        while j < at.len() && at[j].0 == at[j - 1].0 + 1 && at[j].2 == at[i].2 {
            j += 1;
        }
        if j - i > 1 {
            // Each comment follows its code and one space.
            let column = at[i..j].iter().map(|a| a.1).max().unwrap_or(0);
            for k in i..j {
                pad[k] = column - at[k].1;
            }
        }
        i = j;
    }
    let mut aligned = String::with_capacity(out.len());
    let mut from = 0;
    for (k, &(offset, _)) in trailing.iter().enumerate() {
        aligned.push_str(&out[from..offset]);
        aligned.extend(std::iter::repeat_n(' ', pad[k]));
        from = offset;
    }
    aligned.push_str(&out[from..]);
    aligned
}

struct Printer<'a> {
    text: &'a str,
    /// Every comment, in source order.
    comments: Vec<Span>,
    /// The first comment not printed yet.
    next: usize,
    out: String,
    depth: usize,
    /// Where the source printed so far ends.
    last: usize,
    /// Source ranges printed as written (closures), whose comments are
    /// printed with them.
    verbatim: std::cell::RefCell<Vec<Span>>,
    /// Each end-of-line comment: where it starts in `out`, and its column
    /// in the source.
    trailing: Vec<(usize, usize)>,
}

/// What the printer lays out between `{` and `}`: an item, a member or a
/// statement, with where its source starts and ends.
enum Node<'t> {
    Import(&'t Import),
    Item(&'t Item),
    Field(&'t VarDecl),
    Method(&'t FnDecl),
    Init(&'t FnDecl),
    Stmt(&'t Stmt),
    Case(&'t EnumCase),
    Nested(&'t ClassDecl),
    Arm(&'t MatchArm),
}

fn fn_range(f: &FnDecl) -> (u32, u32) {
    (f.mods.start(f.span.lo), f.body.as_ref().map_or(f.span.hi, |b| b.span().hi))
}

fn var_range(v: &VarDecl) -> (u32, u32) {
    (v.mods.start(v.span.lo), v.span.hi)
}

fn stmt_range(s: &Stmt) -> (u32, u32) {
    match s {
        Stmt::Let(v) => var_range(v),
        Stmt::Assign { target, value, .. } => (target.span.lo, value.span.hi),
        Stmt::Expr(e) => (e.span.lo, e.span.hi),
        Stmt::If { span, then, els, .. } => {
            (span.lo, els.as_ref().map_or(then.span.hi, |e| stmt_range(e).1.max(then.span.hi)))
        }
        Stmt::While { span, body, .. } | Stmt::For { span, body, .. } => (span.lo, body.span.hi.max(span.hi)),
        Stmt::Try { span, body, catches, finally } => {
            let end = finally.as_ref().map(|f| f.span.hi).or(catches.last().map(|c| c.body.span.hi));
            (span.lo, end.unwrap_or(body.span.hi).max(span.hi))
        }
        Stmt::Block(b) => (b.span.lo, b.span.hi),
        Stmt::Match { span, .. } => (span.lo, span.hi),
        Stmt::Break(s) | Stmt::Continue(s) | Stmt::Return(_, s) | Stmt::Throw(_, s) => (s.lo, s.hi),
    }
}

impl Node<'_> {
    fn range(&self) -> (u32, u32) {
        match *self {
            Node::Import(i) => (i.span.lo, i.span.hi),
            Node::Item(Item::Fn(f)) | Node::Method(f) | Node::Init(f) => fn_range(f),
            Node::Item(Item::Global(v)) | Node::Field(v) => var_range(v),
            Node::Item(Item::Class(c)) => (c.mods.start(c.span.lo), c.span.hi),
            Node::Item(Item::Enum(e)) => (e.mods.start(e.span.lo), e.span.hi),
            Node::Item(Item::Interface(i)) => (i.mods.start(i.span.lo), i.span.hi),
            Node::Case(c) => (c.span.lo, c.span.hi),
            Node::Nested(c) => (c.mods.start(c.span.lo), c.span.hi),
            Node::Arm(a) => (a.pattern.span().lo, a.span.hi),
            Node::Item(Item::InitBlock(b) | Item::FiniBlock(b)) => (b.span.lo, b.span.hi),
            Node::Item(Item::Stmt(s)) | Node::Stmt(s) => stmt_range(s),
        }
    }
}

impl Printer<'_> {
    fn src(&self, s: Span) -> &str {
        self.text.get(s.lo as usize..s.hi as usize).unwrap_or("")
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str(INDENT);
        }
    }

    fn line(&mut self, text: &str) {
        self.indent();
        self.put(text);
        self.out.push('\n');
    }

    /// Appends `text`, its breaks (`BREAK`) as new lines at the current
    /// indentation.
    fn put(&mut self, text: &str) {
        let mut parts = text.split(BREAK);
        if let Some(first) = parts.next() {
            self.out.push_str(first);
        }
        for part in parts {
            self.out.push('\n');
            self.indent();
            self.out.push_str(part);
        }
    }

    /// Whether the source between `last` and `to` has an empty line.
    fn blank_before(&self, to: u32) -> bool {
        let gap = self.text.get(self.last..to as usize).unwrap_or("");
        let mut lines = gap.split('\n');
        lines.next();
        let mut rest: Vec<&str> = lines.collect();
        rest.pop();
        rest.iter().any(|l| l.trim().is_empty())
    }

    /// Prints the comments that start before `to`: on the previous line's
    /// end when they were there, else on their own lines.
    fn comments_before(&mut self, to: u32, in_block_start: &mut bool) {
        while let Some(&c) = self.comments.get(self.next) {
            if c.lo >= to {
                break;
            }
            self.next += 1;
            if self.verbatim.borrow().iter().any(|v| v.lo <= c.lo && c.hi <= v.hi) {
                continue;
            }
            let same_line = !self.text.get(self.last..c.lo as usize).unwrap_or("\n").contains('\n');
            let text = self.src(c).to_string();
            if same_line && self.out.ends_with('\n') && !*in_block_start {
                self.out.pop();
                self.out.push(' ');
                let line_start = self.text[..c.lo as usize].rfind('\n').map_or(0, |n| n + 1);
                self.trailing.push((self.out.len(), self.text[line_start..c.lo as usize].chars().count()));
                self.out.push_str(&text);
                self.out.push('\n');
            } else {
                if self.blank_before(c.lo) && !*in_block_start {
                    self.out.push('\n');
                }
                self.comment_lines(&text);
            }
            *in_block_start = false;
            self.last = c.hi as usize;
        }
    }

    /// A comment on lines of its own, byte for byte; a block comment's
    /// later lines keep their indentation too.
    fn comment_lines(&mut self, text: &str) {
        let mut lines = text.split('\n');
        if let Some(first) = lines.next() {
            self.indent();
            self.out.push_str(first);
            self.out.push('\n');
        }
        for l in lines {
            self.out.push_str(l);
            self.out.push('\n');
        }
    }

    /// Lays out `nodes` (in source order) between the braces of a block,
    /// closing with the comments before `end`.
    fn nodes(&mut self, mut nodes: Vec<Node<'_>>, end: u32) {
        nodes.sort_by_key(|n| n.range().0);
        let mut first = true;
        for n in nodes {
            let (lo, hi) = n.range();
            self.comments_before(lo, &mut first);
            if !first && self.blank_before(lo) {
                self.out.push('\n');
            }
            first = false;
            self.node(&n);
            self.last = hi as usize;
        }
        self.comments_before(end, &mut first);
    }

    fn node(&mut self, n: &Node<'_>) {
        match *n {
            Node::Import(i) => {
                let mut s = format!("import {}", i.path.name);
                if !i.names.is_empty() {
                    let names: Vec<&str> = i.names.iter().map(|n| n.name.as_str()).collect();
                    s.push_str(&format!(".{{{}}}", names.join(", ")));
                }
                self.line(&s);
            }
            Node::Item(Item::Fn(f)) | Node::Method(f) => self.func(f),
            Node::Init(f) => self.init(f),
            Node::Item(Item::Global(v)) | Node::Field(v) => {
                let s = self.var(v);
                self.statement_line(s);
            }
            Node::Item(Item::Class(c)) | Node::Nested(c) => self.class(c),
            Node::Item(Item::Enum(e)) => self.enum_decl(e),
            Node::Item(Item::Interface(i)) => self.interface(i),
            Node::Case(c) => {
                let mut s = c.name.name.clone();
                if let Some(ps) = &c.params {
                    s.push_str(&format!("({})", self.params(ps)));
                }
                self.line(&s);
            }
            Node::Arm(a) => self.arm(a),
            Node::Item(item @ (Item::InitBlock(b) | Item::FiniBlock(b))) => {
                self.indent();
                self.out.push_str(if matches!(item, Item::InitBlock(_)) { "init " } else { "fini " });
                self.block(b);
                self.out.push('\n');
            }
            Node::Item(Item::Stmt(s)) | Node::Stmt(s) => self.stmt(s),
        }
    }

    fn file(&mut self, f: &File) {
        /// A top-level thing: an import or item, or an `export { ... }`
        /// group (its `export` keyword and its items), printed as written.
        enum Top<'t> {
            Node(Node<'t>),
            Group(Span, &'t [Item]),
        }
        let mut tops: Vec<(u32, Top)> = f.imports.iter().map(|i| (i.span.lo, Top::Node(Node::Import(i)))).collect();
        let items = &f.items;
        let mut i = 0;
        while i < items.len() {
            match self.export_group(&items[i]) {
                Some(span) => {
                    let mut j = i;
                    while j < items.len() && self.export_group(&items[j]) == Some(span) {
                        j += 1;
                    }
                    tops.push((span.lo, Top::Group(span, &items[i..j])));
                    i = j;
                }
                None => {
                    let n = Node::Item(&items[i]);
                    tops.push((n.range().0, Top::Node(n)));
                    i += 1;
                }
            }
        }
        tops.sort_by_key(|(lo, _)| *lo);
        let mut first = true;
        for (lo, top) in tops {
            self.comments_before(lo, &mut first);
            if !first && self.blank_before(lo) {
                self.out.push('\n');
            }
            first = false;
            match top {
                Top::Group(span, members) => {
                    self.line("export {");
                    self.depth += 1;
                    self.last = span.hi as usize + 1;
                    let end = members.iter().map(|m| Node::Item(m).range().1).max().unwrap_or(span.hi);
                    let close = self.closing_brace(end);
                    self.nodes(members.iter().map(Node::Item).collect(), close);
                    self.depth -= 1;
                    self.line("}");
                    self.last = close as usize + 1;
                }
                Top::Node(n) => {
                    let hi = n.range().1;
                    self.node(&n);
                    self.last = self.last.max(hi as usize);
                }
            }
        }
        self.comments_before(self.text.len() as u32, &mut first);
        while self.out.ends_with("\n\n") {
            self.out.pop();
        }
    }

    /// The `export` keyword of the `export { ... }` group an item is in.
    fn export_group(&self, item: &Item) -> Option<Span> {
        let mods = match item {
            Item::Fn(f) => &f.mods,
            Item::Class(c) => &c.mods,
            Item::Global(v) => &v.mods,
            _ => return None,
        };
        let e = mods.export?;
        self.text.get(e.hi as usize..)?.trim_start().starts_with('{').then_some(e)
    }

    /// Where the `}` after `from` is.
    fn closing_brace(&self, from: u32) -> u32 {
        let mut pos = from as usize;
        let bytes = self.text.as_bytes();
        while pos < bytes.len() {
            match bytes[pos] {
                b'}' => return pos as u32,
                b'/' if bytes.get(pos + 1) == Some(&b'/') => {
                    while pos < bytes.len() && bytes[pos] != b'\n' {
                        pos += 1;
                    }
                }
                b'/' if bytes.get(pos + 1) == Some(&b'*') => {
                    let mut depth = 0;
                    while pos < bytes.len() {
                        if bytes[pos] == b'/' && bytes.get(pos + 1) == Some(&b'*') {
                            depth += 1;
                            pos += 2;
                        } else if bytes[pos] == b'*' && bytes.get(pos + 1) == Some(&b'/') {
                            depth -= 1;
                            pos += 2;
                            if depth == 0 {
                                break;
                            }
                        } else {
                            pos += 1;
                        }
                    }
                }
                _ => pos += 1,
            }
        }
        bytes.len() as u32
    }

    fn modifiers(&self, m: &Modifiers, in_group: bool) -> String {
        let mut s = String::new();
        if let Some((a, _)) = m.access {
            s.push_str(match a {
                Access::Public => "public ",
                Access::Protected => "protected ",
                Access::Private => "private ",
                Access::Internal => "internal ",
            });
        }
        for (on, word) in [
            (m.export.is_some() && !in_group, "export "),
            (m.shared.is_some(), "shared "),
            (m.extern_.is_some(), "extern "),
            (m.open.is_some(), "open "),
            (m.final_.is_some(), "final "),
            (m.override_.is_some(), "override "),
            (m.static_.is_some(), "static "),
            (m.test.is_some(), "test "),
            (m.const_.is_some(), "const "),
        ] {
            if on {
                s.push_str(word);
            }
        }
        s
    }

    fn in_group(&self, m: &Modifiers) -> bool {
        m.export.is_some_and(|e| self.text.get(e.hi as usize..).is_some_and(|t| t.trim_start().starts_with('{')))
    }

    fn func(&mut self, f: &FnDecl) {
        let mut s = self.modifiers(&f.mods, self.in_group(&f.mods));
        let type_params = self.type_params(&f.type_params);
        s.push_str(&format!("fn {}{type_params}({})", f.name.name, self.params(&f.params)));
        if let Some(r) = &f.ret {
            s.push_str(&format!(" -> {}", self.ty(r)));
        }
        if f.throws {
            s.push_str(" throws");
        }
        self.indent();
        // The ` {` that follows counts toward the line.
        let head = wrap(&format!("{s} {{"), self.depth * INDENT.len());
        self.put(head.strip_suffix(" {").unwrap_or(&head));
        match f.body.as_ref().and_then(Body::block) {
            Some(b) => {
                self.out.push(' ');
                self.block(b);
                self.out.push('\n');
            }
            None => self.out.push('\n'),
        }
    }

    fn init(&mut self, f: &FnDecl) {
        let mut s = self.modifiers(&f.mods, false);
        s.push_str(&format!("init({})", self.params(&f.params)));
        self.indent();
        let head = wrap(&format!("{s} {{"), self.depth * INDENT.len());
        self.put(head.strip_suffix(" {").unwrap_or(&head));
        if let Some(b) = f.body.as_ref().and_then(Body::block) {
            self.out.push(' ');
            self.block(b);
        }
        self.out.push('\n');
    }

    /// A declaration's parameters (without the parentheses: a hand-broken
    /// list starts and ends with a break).
    fn params(&self, ps: &[Param]) -> String {
        let each: Vec<String> = ps.iter().map(|p| format!("{}: {}", p.name.name, self.ty(&p.ty))).collect();
        match ps.last() {
            Some(last) if self.hand_broken(last.ty.span().hi) => broken(each),
            _ => each.join(", "),
        }
    }

    /// Whether the list whose last element ends at `end` was written one
    /// element a line: a comma follows it, and a line break the comma.
    fn hand_broken(&self, end: u32) -> bool {
        let Some(rest) = self.text.get(end as usize..) else { return false };
        let Some(after) = rest.trim_start_matches([' ', '\t']).strip_prefix(',') else { return false };
        let after = after.trim_start_matches([' ', '\t', '\r']);
        after.starts_with('\n') || after.starts_with("//")
    }

    /// The elements of a list (the parentheses or brackets around it
    /// are the caller's), hand-broken as written or on one line.
    fn elements(&self, each: Vec<String>, last_end: Option<u32>) -> String {
        match last_end {
            Some(end) if self.hand_broken(end) => broken(each),
            _ => each.join(", "),
        }
    }

    /// `[T, U: I & J]`, or nothing.
    fn type_params(&self, tps: &[TypeParam]) -> String {
        if tps.is_empty() {
            return String::new();
        }
        let ps: Vec<String> = tps
            .iter()
            .map(|p| match p.bounds.is_empty() {
                true => p.name.name.clone(),
                false => {
                    let bounds: Vec<String> = p.bounds.iter().map(|b| self.ty(b)).collect();
                    format!("{}: {}", p.name.name, bounds.join(" & "))
                }
            })
            .collect();
        format!("[{}]", ps.join(", "))
    }

    fn class(&mut self, c: &ClassDecl) {
        let mut s = self.modifiers(&c.mods, self.in_group(&c.mods));
        s.push_str(&format!("class {}{}", c.name.name, self.type_params(&c.type_params)));
        if let Some(b) = &c.base {
            let supers: Vec<String> = std::iter::once(b).chain(&c.interfaces).map(|t| self.ty(t)).collect();
            s.push_str(&format!(" : {}", supers.join(", ")));
        }
        let members: Vec<Node> = c
            .fields
            .iter()
            .map(Node::Field)
            .chain(c.methods.iter().map(Node::Method))
            .chain(c.inits.iter().map(Node::Init))
            .chain(c.nested.iter().map(Node::Nested))
            .collect();
        self.braced(s, c.span, members);
    }

    fn interface(&mut self, i: &InterfaceDecl) {
        let mut s = self.modifiers(&i.mods, self.in_group(&i.mods));
        s.push_str(&format!("interface {}{}", i.name.name, self.type_params(&i.type_params)));
        if !i.supers.is_empty() {
            let supers: Vec<String> = i.supers.iter().map(|t| self.ty(t)).collect();
            s.push_str(&format!(" : {}", supers.join(", ")));
        }
        self.braced(s, i.span, i.methods.iter().map(Node::Method).collect());
    }

    /// A class's or interface's head `s`, then its members in braces.
    fn braced(&mut self, s: String, span: Span, members: Vec<Node>) {
        let end = members.iter().map(|m| m.range().1).max().unwrap_or(span.hi);
        let close = self.closing_brace(end.max(span.hi));
        self.indent();
        self.out.push_str(&s);
        if members.is_empty() && !self.comments_within(span.hi, close) {
            self.out.push_str(" {}\n");
        } else {
            self.out.push_str(" {\n");
            self.depth += 1;
            self.last = span.hi as usize;
            self.nodes(members, close);
            self.depth -= 1;
            self.line("}");
        }
        self.last = close as usize + 1;
    }

    fn comments_within(&self, lo: u32, hi: u32) -> bool {
        self.comments.get(self.next).is_some_and(|c| c.lo >= lo && c.lo < hi)
    }

    /// `{ ... }` from the current position; the caller ends the line.
    fn block(&mut self, b: &Block) {
        let close = b.span.hi.saturating_sub(1);
        if b.stmts.is_empty() && !self.comments_within(b.span.lo, close) {
            self.out.push_str("{}");
            self.last = b.span.hi as usize;
            return;
        }
        self.out.push_str("{\n");
        self.depth += 1;
        self.last = b.span.lo as usize + 1;
        self.nodes(b.stmts.iter().map(Node::Stmt).collect(), close);
        self.depth -= 1;
        self.indent();
        self.out.push('}');
        self.last = b.span.hi as usize;
    }

    fn var(&self, v: &VarDecl) -> String {
        let mut s = self.modifiers(&v.mods, self.in_group(&v.mods));
        s.push_str(if v.mutable { "var " } else { "let " });
        s.push_str(&v.name.name);
        if let Some(t) = &v.ty {
            s.push_str(&format!(": {}", self.ty(t)));
        }
        if let Some(e) = &v.init {
            s.push_str(" = ");
            s.push_str(&self.expr(e));
        }
        s
    }

    /// A one-line statement, its outermost argument list broken when the
    /// line is too long (one with a closure written over several lines
    /// keeps its layout).
    fn statement_line(&mut self, s: String) {
        let text = wrap(&s, self.depth * INDENT.len());
        self.line(&text);
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Let(v) => {
                let text = self.var(v);
                self.statement_line(text);
            }
            Stmt::Assign { target, op, value, .. } => {
                let op = op.map_or("=".to_string(), |o| format!("{}=", o.as_str()));
                let text = format!("{} {op} {}", self.expr(target), self.expr(value));
                self.statement_line(text);
            }
            Stmt::Expr(e) => {
                let text = self.expr(e);
                self.statement_line(text);
            }
            Stmt::If { .. } => {
                self.indent();
                self.if_chain(s);
                self.out.push('\n');
            }
            Stmt::While { cond, body, .. } => {
                self.indent();
                self.out.push_str(&format!("while {} ", self.expr(cond)));
                self.block(body);
                self.out.push('\n');
            }
            Stmt::For { pattern, iter, body, .. } => {
                let p = match pattern {
                    ForPattern::One(i) => i.name.clone(),
                    ForPattern::Pair(a, b) => format!("({}, {})", a.name, b.name),
                };
                self.indent();
                self.out.push_str(&format!("for {p} in {} ", self.expr(iter)));
                self.block(body);
                self.out.push('\n');
            }
            Stmt::Break(_) => self.line("break"),
            Stmt::Continue(_) => self.line("continue"),
            Stmt::Return(e, _) => {
                let text = match e {
                    Some(e) => format!("return {}", self.expr(e)),
                    None => "return".into(),
                };
                self.statement_line(text);
            }
            Stmt::Throw(e, _) => {
                let text = format!("throw {}", self.expr(e));
                self.statement_line(text);
            }
            Stmt::Try { body, catches, finally, .. } => {
                self.indent();
                self.out.push_str("try ");
                self.block(body);
                for c in catches {
                    self.out.push_str(&format!(" catch {}: {} ", c.name.name, self.ty(&c.ty)));
                    self.block(&c.body);
                }
                if let Some(f) = finally {
                    self.out.push_str(" finally ");
                    self.block(f);
                }
                self.out.push('\n');
            }
            Stmt::Block(b) => {
                self.indent();
                self.block(b);
                self.out.push('\n');
            }
            Stmt::Match { scrutinee, arms, span } => {
                self.indent();
                self.out.push_str(&format!("match {} {{\n", self.expr(scrutinee)));
                self.depth += 1;
                self.last = scrutinee.span.hi as usize;
                self.nodes(arms.iter().map(Node::Arm).collect(), span.hi.saturating_sub(1));
                self.depth -= 1;
                self.line("}");
                self.last = span.hi as usize;
            }
        }
    }

    /// `pattern [if guard] => body`: a braced body as a block, else its
    /// one statement on the same line.
    fn arm(&mut self, a: &MatchArm) {
        let mut head = self.pattern(&a.pattern);
        if let Some(g) = &a.guard {
            head.push_str(&format!(" if {}", self.expr(g)));
        }
        self.indent();
        self.out.push_str(&head);
        self.out.push_str(" => ");
        match a.body.stmts.first() {
            Some(s) if !a.braced => {
                // The statement prints as a line of its own: it continues
                // this one instead.
                let start = self.out.len();
                self.stmt(s);
                let indent = (self.depth * INDENT.len()).min(self.out.len() - start);
                self.out.replace_range(start..start + indent, "");
            }
            _ => {
                self.block(&a.body);
                self.out.push('\n');
            }
        }
    }

    fn pattern(&self, p: &Pattern) -> String {
        match p {
            Pattern::Wildcard(_) => "_".to_string(),
            Pattern::Or(ps, _) => ps.iter().map(|p| self.pattern(p)).collect::<Vec<_>>().join(" | "),
            Pattern::Literal(e) => self.expr(e),
            Pattern::Case { path, bindings, .. } => {
                let mut s = path.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".");
                if let Some(b) = bindings {
                    s.push_str(&format!("({})", b.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ")));
                }
                s
            }
            Pattern::Type { name, ty, .. } => format!("{}: {}", name.name, self.ty(ty)),
        }
    }

    fn enum_decl(&mut self, e: &EnumDecl) {
        let mut s = self.modifiers(&e.mods, self.in_group(&e.mods));
        s.push_str(&format!("enum {}", e.name.name));
        let close = self.closing_brace(e.cases.last().map_or(e.span.hi, |c| c.span.hi).max(e.span.hi));
        self.indent();
        self.out.push_str(&s);
        let plain = e.cases.iter().all(|c| c.params.is_none());
        let one_line =
            format!(" {{ {} }}", e.cases.iter().map(|c| c.name.name.as_str()).collect::<Vec<_>>().join(", "));
        let fits = self.depth * INDENT.len() + s.len() + one_line.len() <= WIDTH;
        if e.cases.is_empty() && !self.comments_within(e.span.hi, close) {
            self.out.push_str(" {}\n");
        } else if plain && fits && !self.comments_within(e.span.hi, close) {
            // `enum Color { red, green, blue }`, as LANGUAGE.md writes it.
            self.out.push_str(&one_line);
            self.out.push('\n');
        } else {
            self.out.push_str(" {\n");
            self.depth += 1;
            self.last = e.span.hi as usize;
            self.nodes(e.cases.iter().map(Node::Case).collect(), close);
            self.depth -= 1;
            self.line("}");
        }
        self.last = close as usize + 1;
    }

    /// `if ... { } else if ... { } else { }`, from the current position.
    fn if_chain(&mut self, s: &Stmt) {
        let Stmt::If { cond, then, els, .. } = s else { return };
        let c = match cond {
            Cond::Expr(e) => self.expr(e),
            Cond::Let(name, e) => format!("let {} = {}", name.name, self.expr(e)),
        };
        self.out.push_str(&format!("if {c} "));
        self.block(then);
        match els.as_deref() {
            Some(next @ Stmt::If { .. }) => {
                self.out.push_str(" else ");
                self.if_chain(next);
            }
            Some(Stmt::Block(b)) => {
                self.out.push_str(" else ");
                self.block(b);
            }
            Some(other) => {
                // Not produced by the parser; printed as a block.
                self.out.push_str(" else {\n");
                self.depth += 1;
                self.stmt(other);
                self.depth -= 1;
                self.indent();
                self.out.push('}');
            }
            None => {}
        }
    }

    fn ty(&self, t: &TypeExpr) -> String {
        match t {
            TypeExpr::Named(parts) => parts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join("."),
            TypeExpr::Generic(parts, args, _) => {
                let args: Vec<String> = args.iter().map(|a| self.ty(a)).collect();
                let name = parts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".");
                format!("{name}[{}]", args.join(", "))
            }
            TypeExpr::Array(e, _) => format!("[{}]", self.ty(e)),
            TypeExpr::Map(k, v, _) => format!("Map[{}, {}]", self.ty(k), self.ty(v)),
            // `fn(A) -> B?` would be a function returning `B?`.
            TypeExpr::Optional(e, _) if matches!(**e, TypeExpr::Fn(_, Some(_), _)) => format!("({})?", self.ty(e)),
            TypeExpr::Optional(e, _) => format!("{}?", self.ty(e)),
            TypeExpr::Fn(ps, r, _) => {
                let ps: Vec<String> = ps.iter().map(|p| self.ty(p)).collect();
                match r {
                    Some(r) => format!("fn({}) -> {}", ps.join(", "), self.ty(r)),
                    None => format!("fn({})", ps.join(", ")),
                }
            }
        }
    }

    /// Whether the source wrapped `e` in parentheses (the parser widens a
    /// parenthesised expression's span over them).
    fn parenthesised(&self, e: &Expr) -> bool {
        let first = match &e.kind {
            ExprKind::Call(f, _)
            | ExprKind::Index(f, _)
            | ExprKind::Apply(f, _)
            | ExprKind::Member(f, _)
            | ExprKind::OptMember(f, _)
            | ExprKind::Unwrap(f) => Some(f),
            ExprKind::Binary(_, l, _) | ExprKind::Is(l, _) | ExprKind::As(l, _) | ExprKind::AsOpt(l, _) => Some(l),
            ExprKind::Range { lo, .. } => Some(lo),
            _ => None,
        };
        match first {
            Some(f) => f.span.lo > e.span.lo,
            None => self.text.as_bytes().get(e.span.lo as usize) == Some(&b'('),
        }
    }

    fn expr(&self, e: &Expr) -> String {
        let inner = self.expr_bare(e);
        if self.parenthesised(e) {
            format!("({inner})")
        } else {
            inner
        }
    }

    /// Whether a closure argument was written after the call's
    /// parentheses (a trailing closure), not inside them.
    fn trails(&self, arg: &Expr) -> bool {
        let before = self.text[..arg.span.lo as usize].trim_end();
        !before.ends_with('(') && !before.ends_with(',')
    }

    fn list(&self, es: &[Expr]) -> String {
        self.elements(es.iter().map(|e| self.expr(e)).collect(), es.last().map(|e| e.span.hi))
    }

    fn expr_bare(&self, e: &Expr) -> String {
        match &e.kind {
            ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Str(_) => {
                // Literals as written (`0xff`, `1_000`, escapes, interpolation).
                let s = self.src(e.span);
                let s = if self.parenthesised(e) { literal_inside(s) } else { s };
                s.to_string()
            }
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Nil => "nil".into(),
            ExprKind::Name(n) => n.clone(),
            ExprKind::SelfRef => "self".into(),
            ExprKind::Super(n) => format!("super.{}", n.name),
            ExprKind::Array(es) => format!("[{}]", self.list(es)),
            ExprKind::Map(pairs) if pairs.is_empty() => "[:]".into(),
            ExprKind::Map(pairs) => {
                let ps: Vec<String> =
                    pairs.iter().map(|(k, v)| format!("{}: {}", self.expr(k), self.expr(v))).collect();
                format!("[{}]", self.elements(ps, pairs.last().map(|(_, v)| v.span.hi)))
            }
            ExprKind::Call(f, args) => match args.split_last() {
                Some((last, rest)) if matches!(last.kind, ExprKind::Closure(_)) && self.trails(last) => {
                    let before = self.text[..last.span.lo as usize].trim_end();
                    match (rest.is_empty(), before.ends_with(')')) {
                        (true, false) => format!("{} {}", self.expr(f), self.expr(last)),
                        _ => format!("{}({}) {}", self.expr(f), self.list(rest), self.expr(last)),
                    }
                }
                _ => format!("{}({})", self.expr(f), self.list(args)),
            },
            ExprKind::Index(a, i) => format!("{}[{}]", self.expr(a), self.expr(i)),
            ExprKind::Apply(a, args) => format!("{}[{}]", self.expr(a), self.list(args)),
            ExprKind::Member(o, n) => format!("{}.{}", self.expr(o), n.name),
            ExprKind::OptMember(o, n) => format!("{}?.{}", self.expr(o), n.name),
            ExprKind::Unwrap(o) => format!("{}!", self.expr(o)),
            ExprKind::Unary(op, x) => {
                let o = match op {
                    UnOp::Neg => "-",
                    UnOp::Not => "!",
                    UnOp::BitNot => "~",
                };
                format!("{o}{}", self.expr(x))
            }
            ExprKind::Binary(op, l, r) => format!("{} {} {}", self.expr(l), op.as_str(), self.expr(r)),
            ExprKind::Range { lo, hi, inclusive } => {
                format!("{}{}{}", self.expr(lo), if *inclusive { "..=" } else { ".." }, self.expr(hi))
            }
            ExprKind::Is(x, t) => format!("{} is {}", self.expr(x), self.ty(t)),
            ExprKind::As(x, t) => format!("{} as {}", self.expr(x), self.ty(t)),
            ExprKind::AsOpt(x, t) => format!("{} as? {}", self.expr(x), self.ty(t)),
            // A closure keeps the layout it was written with (its body may
            // span lines, which this one-line printer cannot indent).
            ExprKind::Closure(_) => {
                self.verbatim.borrow_mut().push(e.span);
                self.src(e.span).to_string()
            }
            ExprKind::Error => String::new(),
        }
    }
}

/// `each` one a line, each with a comma after it, between breaks: the
/// inside of a broken list. Breaks inside an element indent one more.
fn broken(each: Vec<String>) -> String {
    let mut s = String::new();
    for e in each {
        s.push(BREAK);
        s.push_str(INDENT);
        s.push_str(&e.replace(BREAK, &format!("{BREAK}{INDENT}")));
        s.push(',');
    }
    s.push(BREAK);
    s
}

/// `s` (a statement's text, to be printed `indent` columns in) with each
/// line longer than `WIDTH` broken at its outermost list of several
/// elements, one element a line, and each element line again while it
/// is too long. A line holding a closure written over several lines keeps
/// its layout.
fn wrap(s: &str, indent: usize) -> String {
    s.split(BREAK).map(|line| wrap_line(line, indent)).collect::<Vec<_>>().join(&BREAK.to_string())
}

fn wrap_line(line: &str, indent: usize) -> String {
    let own = line.len() - line.trim_start_matches(' ').len();
    if indent + line.chars().count() <= WIDTH || line.contains('\n') {
        return line.to_string();
    }
    let lead = &line[..own];
    let Some((head, args, tail)) = break_outermost(&line[own..]) else { return line.to_string() };
    let inner = indent + own + INDENT.len();
    let mut out = format!("{lead}{head}");
    for a in args {
        out.push(BREAK);
        out.push_str(lead);
        out.push_str(INDENT);
        out.push_str(&wrap_line(&format!("{a},"), inner).replace(BREAK, &format!("{BREAK}{lead}{INDENT}")));
    }
    out.push(BREAK);
    out.push_str(lead);
    out.push_str(&tail);
    out
}

/// A literal's text without the parentheses around it.
fn literal_inside(s: &str) -> &str {
    let s = s.trim();
    let s = s.strip_prefix('(').unwrap_or(s);
    let s = s.strip_suffix(')').unwrap_or(s);
    let t = s.trim();
    if t.starts_with('(') && t.ends_with(')') {
        literal_inside(t)
    } else {
        t
    }
}

/// The bytes of `s` outside its string literals (interpolations and the
/// strings inside them included), with their positions.
fn outside_strings(s: &str) -> impl Iterator<Item = (usize, u8)> + '_ {
    // What encloses the current byte, innermost last: a string, or an
    // interpolation `\(` (with its open parentheses) inside one.
    enum In {
        Str,
        Interp(u32),
    }
    let mut stack: Vec<In> = Vec::new();
    let mut escaped = false;
    let bytes = s.as_bytes();
    bytes.iter().copied().enumerate().filter(move |&(i, c)| match stack.last_mut() {
        None => {
            if c == b'"' {
                stack.push(In::Str);
                return false;
            }
            true
        }
        Some(In::Str) => {
            if escaped {
                escaped = false;
                if c == b'(' {
                    stack.push(In::Interp(0));
                }
            } else if c == b'\\' {
                escaped = bytes.get(i + 1).is_some();
            } else if c == b'"' {
                stack.pop();
            }
            false
        }
        Some(In::Interp(open)) => {
            match c {
                b'"' => stack.push(In::Str),
                b'(' => *open += 1,
                b')' if *open == 0 => {
                    stack.pop();
                }
                b')' => *open -= 1,
                _ => {}
            }
            false
        }
    })
}

/// Splits a statement's text at its outermost bracketed list that has a
/// comma at its top level, looking inside a list of one element: (text up
/// to and with the opening bracket, the elements, the closing bracket and
/// what follows).
fn break_outermost(s: &str) -> Option<(String, Vec<String>, String)> {
    let mut depth = 0i32;
    let mut open = None;
    for (i, c) in outside_strings(s) {
        match c {
            b'(' | b'[' => {
                if depth == 0 {
                    open = Some(i);
                }
                depth += 1;
            }
            b'{' => depth += 1,
            b'}' => depth -= 1,
            b')' | b']' => {
                depth -= 1;
                if let (0, Some(o)) = (depth, open) {
                    let parts = split_top(&s[o + 1..i]);
                    if parts.len() > 1 {
                        return Some((s[..=o].to_string(), parts, s[i..].to_string()));
                    }
                    // One element (`print(f(a, b))`): its own list breaks,
                    // the brackets around it stay on its lines.
                    if let Some((head, args, tail)) = break_outermost(&s[o + 1..i]) {
                        return Some((format!("{}{head}", &s[..=o]), args, format!("{tail}{}", &s[i..])));
                    }
                    open = None;
                }
            }
            _ => {}
        }
    }
    None
}

/// `inner` split at its top-level commas.
fn split_top(inner: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in outside_strings(inner) {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 => {
                parts.push(inner[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(inner[start..].trim().to_string());
    parts
}
