//! The lexer: text to tokens, with Go's newline rule, nested block comments,
//! string interpolation and the shebang line.

use crate::diag::Diagnostics;
use crate::source::{FileId, Span};
use crate::token::{Kw, StrPart, Tok, Token};

const SYMBOLS: &[&str] = &[
    ">>>=", "..=", "<<=", ">>=", ">>>", "..", "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "<<", ">>",
    "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "+", "-", "*", "/", "%", "=", "<", ">", "!", "~", "&", "^", "|",
    "(", ")", "[", "]", "{", "}", ",", ":", ";", ".", "?",
];

/// Splits `text` into tokens; errors go to `diags` and lexing continues.
pub fn lex(file: FileId, text: &str, diags: &mut Diagnostics) -> Vec<Token> {
    lex_with_comments(file, text, diags).0
}

/// [`lex`], and where every comment is (what `tess fmt` keeps).
pub fn lex_with_comments(file: FileId, text: &str, diags: &mut Diagnostics) -> (Vec<Token>, Vec<Span>) {
    let start = if text.starts_with("#!") { text.find('\n').unwrap_or(text.len()) } else { 0 };
    lex_from(file, text, start, diags)
}

/// The tokens of `text[start..]`, positioned in the whole `text`: a part
/// that begins where a token does (a deferred body's `{`) lexes as it
/// does in the whole.
pub fn lex_from(file: FileId, text: &str, start: usize, diags: &mut Diagnostics) -> (Vec<Token>, Vec<Span>) {
    let mut lx = Lexer {
        file,
        src: text.as_bytes(),
        text,
        pos: start,
        diags,
        interp_depth: 0,
        too_deep: false,
        comments: Vec::new(),
    };
    // Sources hold a token per 2 to 3 bytes: grown by doubling instead, a
    // large file's tokens were copied and held twice at the end.
    let mut out = Vec::with_capacity(text.len().saturating_sub(start) / 2 + 16);
    lx.tokens(&mut out, false);
    let end = Span::new(file, text.len(), text.len());
    if out.last().is_some_and(|t| t.tok.can_end_statement()) {
        out.push(Token { tok: Tok::Newline, span: end });
    }
    out.push(Token { tok: Tok::Eof, span: end });
    (out, lx.comments)
}

struct Lexer<'a, 'd> {
    file: FileId,
    src: &'a [u8],
    text: &'a str,
    pos: usize,
    diags: &'d mut Diagnostics,
    /// Interpolations `\(` open around the current position.
    interp_depth: usize,
    /// An interpolation went deeper than [`crate::MAX_NESTING`]: the rest of
    /// its line is skipped, and the strings left open there are not
    /// reported again.
    too_deep: bool,
    /// Every comment met, in order.
    comments: Vec<Span>,
}

impl Lexer<'_, '_> {
    fn span(&self, lo: usize) -> Span {
        Span::new(self.file, lo, self.pos)
    }

    fn peek(&self, ahead: usize) -> u8 {
        self.src.get(self.pos + ahead).copied().unwrap_or(0)
    }

    /// Whether the next word is a keyword that is no name (`return`,
    /// `let`; not `init`, `open`).
    fn keyword_follows(&self) -> bool {
        let rest = &self.src[self.pos..];
        let end = rest.iter().position(|c| !(c.is_ascii_alphanumeric() || *c == b'_')).unwrap_or(rest.len());
        std::str::from_utf8(&rest[..end]).ok().and_then(crate::token::Kw::from_word).is_some_and(|k| !k.is_contextual())
    }

    /// Lexes until end of input, or, when `interp` is set, until the `)`
    /// that closes an interpolation `\(`.
    fn tokens(&mut self, out: &mut Vec<Token>, interp: bool) {
        let mut delims: Vec<(u8, usize)> = Vec::new();
        loop {
            let saw_newline = self.skip_trivia();
            let newline_counts = !interp && matches!(delims.last(), None | Some((b'{', _)));
            if saw_newline && newline_counts {
                if let Some(last) = out.last() {
                    // `i++` (not Tessera, reported by the parser) ends its
                    // line too, so that the error stays on it.
                    let doubled = out.len() >= 2 && {
                        let prev = &out[out.len() - 2];
                        matches!((&prev.tok, &last.tok), (Tok::Sym(a @ ("+" | "-")), Tok::Sym(b)) if a == b)
                            && prev.span.hi == last.span.lo
                    };
                    // `p.` with the next line starting a statement (`return`,
                    // `let`): a half-typed member ends its line, so the error
                    // loses that line only (an editor's completion point).
                    let dangling = matches!(last.tok, Tok::Sym("." | "?.")) && self.keyword_follows();
                    if last.tok.can_end_statement() || doubled || dangling {
                        // A dangling `.`'s line ends right after it.
                        let at = if dangling { last.span.hi as usize } else { self.pos };
                        let s = Span::new(self.file, at, at);
                        out.push(Token { tok: Tok::Newline, span: s });
                    }
                }
            }
            if self.pos >= self.src.len() {
                if interp {
                    self.diags.error(self.span(self.pos), "unterminated interpolation `\\(`");
                } else if let Some(&(open, at)) = delims.iter().find(|(c, _)| *c != b'{').filter(|(_, at)| {
                    !self.diags.items.iter().any(|d| d.span.file == self.file && d.span.lo as usize > *at)
                }) {
                    let (what, close) = if open == b'(' { ("parenthesis", ")") } else { ("bracket", "]") };
                    self.diags.push(
                        crate::Diagnostic::error(
                            Span::new(self.file, at, at + 1),
                            format!("this {what} is never closed"),
                        )
                        .with_hint(format!("add the missing `{close}`")),
                    );
                }
                return;
            }
            let lo = self.pos;
            let c = self.peek(0);
            let tok = if c.is_ascii_alphabetic() || c == b'_' {
                while self.peek(0).is_ascii_alphanumeric() || self.peek(0) == b'_' {
                    self.pos += 1;
                }
                let word = &self.text[lo..self.pos];
                match Kw::from_word(word) {
                    Some(k) => Tok::Keyword(k),
                    None => Tok::Ident(word.to_string()),
                }
            } else if c.is_ascii_digit() {
                self.number()
            } else if c == b'"' {
                self.string()
            } else if let Some(sym) =
                // The first byte first: a comparison of whole strings per
                // symbol was a tenth of lexing.
                SYMBOLS
                    .iter()
                    .find(|s| s.as_bytes()[0] == c && self.src[self.pos..].starts_with(s.as_bytes()))
            {
                self.pos += sym.len();
                match *sym {
                    "(" | "[" | "{" => delims.push((sym.as_bytes()[0], lo)),
                    ")" | "]" | "}" => {
                        if interp && *sym == ")" && delims.is_empty() {
                            self.pos = lo;
                            return;
                        }
                        delims.pop();
                    }
                    ";" => {
                        out.push(Token { tok: Tok::Newline, span: self.span(lo) });
                        continue;
                    }
                    _ => {}
                }
                Tok::Sym(sym)
            } else {
                let ch = self.text[self.pos..].chars().next().unwrap_or('\0');
                self.pos += ch.len_utf8().max(1);
                self.diags.error(self.span(lo), format!("unexpected character `{ch}`"));
                continue;
            };
            out.push(Token { tok, span: self.span(lo) });
        }
    }

    /// Skips spaces and comments; reports whether a line break was crossed.
    fn skip_trivia(&mut self) -> bool {
        let mut newline = false;
        loop {
            match self.peek(0) {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    newline = true;
                    self.pos += 1;
                }
                b'/' if self.peek(1) == b'/' => {
                    let lo = self.pos;
                    while self.pos < self.src.len() && self.peek(0) != b'\n' {
                        self.pos += 1;
                    }
                    self.comments.push(self.span(lo));
                }
                b'/' if self.peek(1) == b'*' => {
                    let lo = self.pos;
                    newline |= self.block_comment();
                    self.comments.push(self.span(lo));
                }
                _ => return newline,
            }
        }
    }

    fn block_comment(&mut self) -> bool {
        let lo = self.pos;
        let mut depth = 0;
        let mut newline = false;
        while self.pos < self.src.len() {
            if self.peek(0) == b'/' && self.peek(1) == b'*' {
                depth += 1;
                self.pos += 2;
            } else if self.peek(0) == b'*' && self.peek(1) == b'/' {
                depth -= 1;
                self.pos += 2;
                if depth == 0 {
                    return newline;
                }
            } else {
                newline |= self.peek(0) == b'\n';
                self.pos += 1;
            }
        }
        self.diags.push(
            crate::Diagnostic::error(Span::new(self.file, lo, lo + 2), "unterminated block comment")
                .with_hint("block comments nest: every `/*` needs its own `*/`"),
        );
        newline
    }

    fn number(&mut self) -> Tok {
        let lo = self.pos;
        let radix = match (self.peek(0), self.peek(1)) {
            (b'0', b'x' | b'X') => 16,
            (b'0', b'b' | b'B') => 2,
            _ => 10,
        };
        if radix != 10 {
            self.pos += 2;
            let start = self.pos;
            while self.peek(0).is_ascii_alphanumeric() || self.peek(0) == b'_' {
                self.pos += 1;
            }
            let digits: String = self.text[start..self.pos].chars().filter(|&c| c != '_').collect();
            return match u64::from_str_radix(&digits, radix) {
                Ok(v) => Tok::Int(v),
                Err(_) => {
                    self.diags.error(self.span(lo), "invalid or too large integer literal");
                    Tok::Int(0)
                }
            };
        }
        let mut is_float = false;
        self.digits();
        if self.peek(0) == b'.' && self.peek(1).is_ascii_digit() {
            is_float = true;
            self.pos += 1;
            self.digits();
        }
        if matches!(self.peek(0), b'e' | b'E') {
            let sign = usize::from(matches!(self.peek(1), b'+' | b'-'));
            if self.peek(1 + sign).is_ascii_digit() {
                is_float = true;
                self.pos += 1 + sign;
                self.digits();
            }
        }
        let text: String = self.text[lo..self.pos].chars().filter(|&c| c != '_').collect();
        if self.peek(0).is_ascii_alphabetic() {
            self.diags.error(Span::new(self.file, self.pos, self.pos + 1), "unexpected letter after number");
        }
        if is_float {
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() => Tok::Float(v),
                _ => {
                    self.diags.push(
                        crate::Diagnostic::error(self.span(lo), "float literal is too large")
                            .with_hint("`Float` holds finite values up to about 1.8e308"),
                    );
                    Tok::Float(0.0)
                }
            }
        } else {
            match text.parse::<u64>() {
                Ok(v) => Tok::Int(v),
                Err(_) => {
                    self.diags.push(
                        crate::Diagnostic::error(self.span(lo), "integer literal is too large")
                            .with_hint("`Int` holds values from -9223372036854775808 to 9223372036854775807"),
                    );
                    Tok::Int(0)
                }
            }
        }
    }

    fn digits(&mut self) {
        while self.peek(0).is_ascii_digit() || self.peek(0) == b'_' {
            self.pos += 1;
        }
    }

    fn string(&mut self) -> Tok {
        let lo = self.pos;
        self.pos += 1;
        let mut parts = Vec::new();
        let mut text = String::new();
        loop {
            if self.pos >= self.src.len() || self.peek(0) == b'\n' {
                if !self.too_deep {
                    self.diags.push(
                        crate::Diagnostic::error(Span::new(self.file, lo, lo + 1), "unterminated string literal")
                            .with_hint("close the string with `\"` on the same line"),
                    );
                }
                break;
            }
            let c = self.peek(0);
            if c == b'"' {
                self.pos += 1;
                break;
            }
            if c != b'\\' {
                let ch = self.text[self.pos..].chars().next().unwrap_or('\0');
                text.push(ch);
                self.pos += ch.len_utf8();
                continue;
            }
            let esc_lo = self.pos;
            // The escaped character may be any character, not only ASCII.
            let escaped = self.text.get(esc_lo + 1..).and_then(|t| t.chars().next()).unwrap_or('\0');
            self.pos += 1 + escaped.len_utf8();
            let e = self.src.get(esc_lo + 1).copied().unwrap_or(0);
            match e {
                b'n' => text.push('\n'),
                b't' => text.push('\t'),
                b'r' => text.push('\r'),
                b'b' => text.push('\u{8}'),
                b'f' => text.push('\u{c}'),
                b'\\' => text.push('\\'),
                b'"' => text.push('"'),
                b'0' => text.push('\0'),
                b'u' => text.push(self.unicode_escape(esc_lo)),
                b'(' if self.interp_depth >= crate::MAX_NESTING => {
                    self.diags.push(
                        crate::Diagnostic::error(
                            Span::new(self.file, esc_lo, self.pos),
                            format!("string interpolation nested deeper than {} levels", crate::MAX_NESTING),
                        )
                        .with_hint("build the string in steps, with local variables"),
                    );
                    self.too_deep = true;
                    while self.pos < self.src.len() && self.peek(0) != b'\n' {
                        self.pos += 1;
                    }
                }
                b'(' => {
                    if !text.is_empty() {
                        parts.push(StrPart::Text(std::mem::take(&mut text)));
                    }
                    let mut toks = Vec::new();
                    self.interp_depth += 1;
                    self.tokens(&mut toks, true);
                    self.interp_depth -= 1;
                    if self.interp_depth == 0 {
                        self.too_deep = false;
                    }
                    let end = Span::new(self.file, self.pos, self.pos);
                    if self.pos < self.src.len() {
                        self.pos += 1;
                    }
                    let span = Span::new(self.file, esc_lo, self.pos);
                    toks.push(Token { tok: Tok::Eof, span: end });
                    parts.push(StrPart::Interp(toks, span));
                }
                _ => {
                    self.diags.push(
                        crate::Diagnostic::error(Span::new(self.file, esc_lo, self.pos), "unknown escape sequence")
                            .with_hint("escapes are \\n \\t \\r \\\\ \\\" \\0 \\u{...} and \\( for interpolation"),
                    );
                }
            }
        }
        if !text.is_empty() || parts.is_empty() {
            parts.push(StrPart::Text(text));
        }
        Tok::Str(parts)
    }

    fn unicode_escape(&mut self, esc_lo: usize) -> char {
        if self.peek(0) == b'{' {
            let start = self.pos + 1;
            if let Some(close) = self.text[start..].find('}') {
                let hex = &self.text[start..start + close];
                self.pos = start + close + 1;
                if let Some(ch) = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                    return ch;
                }
            }
        }
        self.diags.error(Span::new(self.file, esc_lo, self.pos), "invalid unicode escape, expected \\u{HEX}");
        '\u{FFFD}'
    }
}
