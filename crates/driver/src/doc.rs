//! `tess doc` (issue 32): HTML from the `///` comments of what each module
//! offers its importers (its `public` and `export` declarations, and their
//! public members), one page per module and an index with a search box, as
//! `cargo doc` writes. Read from the sources alone: a declaration's doc is
//! the `///` lines just above it, its signature its own text up to its body.

use crate::Error;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use tess_syntax::ast::{Access, ClassDecl, File, FnDecl, Item, Modifiers};
use tess_syntax::{Diagnostics, FileId, Span};

/// One documented declaration.
struct Entry {
    /// Its anchor on the module's page: the name, `Class.member` for members.
    anchor: String,
    kind: &'static str,
    signature: String,
    doc: Vec<String>,
    members: Vec<Entry>,
}

/// One module's page.
pub struct ModuleDoc {
    name: String,
    entries: Vec<Entry>,
}

/// Reads module `name` from `files`; a syntax error is reported as the
/// build reports it.
pub fn module(name: &str, files: &[PathBuf]) -> Result<ModuleDoc, Error> {
    let sources = crate::frontend::read_sources(files)?;
    let mut diags = Diagnostics::default();
    let parsed: Vec<File> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| tess_syntax::parser::parse_file(FileId(i as u32), &s.text, &mut diags))
        .collect();
    if diags.has_errors() {
        return Err(Error::Diagnostics { sources, diags });
    }
    let mut entries = Vec::new();
    for (file, source) in parsed.iter().zip(&sources) {
        entries.extend(file_entries(file, &source.text));
    }
    Ok(ModuleDoc { name: name.to_string(), entries })
}

/// Writes one page per module and `index.html` into `dir`; the index's path.
pub fn write(dir: &Path, title: &str, modules: &[ModuleDoc]) -> Result<PathBuf, Error> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for m in modules {
        let path = dir.join(format!("{}.html", m.name));
        std::fs::write(&path, module_page(m)).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let index = dir.join("index.html");
    std::fs::write(&index, index_page(title, modules)).map_err(|e| format!("cannot write {}: {e}", index.display()))?;
    Ok(index)
}

fn offered(m: &Modifiers) -> bool {
    m.export.is_some() || matches!(m.access, Some((Access::Public, _)))
}

fn file_entries(file: &File, text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    for item in &file.items {
        let entry = match item {
            Item::Fn(f) if offered(&f.mods) && f.mods.test.is_none() => fn_entry(f, text, None),
            Item::Class(c) if offered(&c.mods) => class_entry(c, text),
            Item::Enum(e) if offered(&e.mods) => Entry {
                anchor: e.name.name.clone(),
                kind: "enum",
                signature: header(text, start(&e.mods, e.span), e.span.hi),
                doc: doc_lines(text, start(&e.mods, e.span)),
                members: e
                    .cases
                    .iter()
                    .map(|c| Entry {
                        anchor: format!("{}.{}", e.name.name, c.name.name),
                        kind: "case",
                        signature: squeeze(slice(text, c.span)),
                        doc: doc_lines(text, c.span.lo),
                        members: Vec::new(),
                    })
                    .collect(),
            },
            Item::Interface(i) if offered(&i.mods) => Entry {
                anchor: i.name.name.clone(),
                kind: "interface",
                signature: header(text, start(&i.mods, i.span), i.span.hi),
                doc: doc_lines(text, start(&i.mods, i.span)),
                members: i.methods.iter().map(|f| fn_entry(f, text, Some(&i.name.name))).collect(),
            },
            Item::Global(v) if offered(&v.mods) => Entry {
                anchor: v.name.name.clone(),
                kind: if v.mutable { "var" } else { "let" },
                signature: header(text, start(&v.mods, v.span), v.ty.as_ref().map_or(v.name.span.hi, type_end)),
                doc: doc_lines(text, start(&v.mods, v.span)),
                members: Vec::new(),
            },
            _ => continue,
        };
        out.push(entry);
    }
    out
}

fn class_entry(c: &ClassDecl, text: &str) -> Entry {
    let from = start(&c.mods, c.span);
    let mut members: Vec<Entry> = Vec::new();
    for v in c.fields.iter().filter(|v| offered(&v.mods)) {
        members.push(Entry {
            anchor: format!("{}.{}", c.name.name, v.name.name),
            kind: if v.mutable { "var" } else { "let" },
            signature: header(text, start(&v.mods, v.span), v.ty.as_ref().map_or(v.name.span.hi, type_end)),
            doc: doc_lines(text, start(&v.mods, v.span)),
            members: Vec::new(),
        });
    }
    for f in c.inits.iter().chain(&c.methods).filter(|f| offered(&f.mods)) {
        members.push(fn_entry(f, text, Some(&c.name.name)));
    }
    Entry {
        anchor: c.name.name.clone(),
        kind: "class",
        signature: header(text, from, c.span.hi),
        doc: doc_lines(text, from),
        members,
    }
}

fn fn_entry(f: &FnDecl, text: &str, owner: Option<&str>) -> Entry {
    let from = start(&f.mods, f.span);
    Entry {
        anchor: owner.map_or(f.name.name.clone(), |o| format!("{o}.{}", f.name.name)),
        kind: "fn",
        signature: squeeze(&text[from as usize..f.span.hi as usize]),
        doc: doc_lines(text, from),
        members: Vec::new(),
    }
}

/// The declaration whose name is at `name` in `file` (whose source is
/// `text`), as a page shows it: its signature (parameter names and all,
/// as written) and its doc comment's lines. What an editor's hover shows.
pub fn described_at(file: &File, text: &str, name: Span) -> Option<(String, Vec<String>)> {
    let var = |v: &tess_syntax::ast::VarDecl| {
        let from = start(&v.mods, v.span);
        (header(text, from, v.ty.as_ref().map_or(v.name.span.hi, type_end)), doc_lines(text, from))
    };
    let func = |f: &FnDecl| {
        let e = fn_entry(f, text, None);
        (e.signature, e.doc)
    };
    let headed = |mods: &Modifiers, span: Span| {
        let from = start(mods, span);
        (header(text, from, span.hi), doc_lines(text, from))
    };
    file.items.iter().find_map(|item| match item {
        Item::Fn(f) if f.name.span == name => Some(func(f)),
        Item::Global(v) if v.name.span == name => Some(var(v)),
        Item::Enum(e) if e.name.span == name => Some(headed(&e.mods, e.span)),
        Item::Enum(e) => e
            .cases
            .iter()
            .find(|c| c.name.span == name)
            .map(|c| (squeeze(slice(text, c.span)), doc_lines(text, c.span.lo))),
        Item::Interface(i) if i.name.span == name => Some(headed(&i.mods, i.span)),
        Item::Interface(i) => i.methods.iter().find(|f| f.name.span == name).map(func),
        Item::Class(c) => class_member_at(c, text, name, &var, &func),
        _ => None,
    })
}

fn class_member_at(
    c: &ClassDecl,
    text: &str,
    name: Span,
    var: &dyn Fn(&tess_syntax::ast::VarDecl) -> (String, Vec<String>),
    func: &dyn Fn(&FnDecl) -> (String, Vec<String>),
) -> Option<(String, Vec<String>)> {
    if c.name.span == name {
        let from = start(&c.mods, c.span);
        return Some((header(text, from, c.span.hi), doc_lines(text, from)));
    }
    // A member is named with its class, as traces name it: `var Point.x: Int`.
    let owned = |(signature, doc): (String, Vec<String>), member: &str| {
        (signature.replacen(&format!(" {member}"), &format!(" {}.{member}", c.name.name), 1), doc)
    };
    c.fields
        .iter()
        .find(|v| v.name.span == name)
        .map(|v| owned(var(v), &v.name.name))
        .or_else(|| {
            c.methods.iter().chain(&c.inits).find(|f| f.name.span == name).map(|f| owned(func(f), &f.name.name))
        })
        .or_else(|| c.nested.iter().find_map(|n| class_member_at(n, text, name, var, func)))
}

/// Where a declaration's text starts: its first modifier, or itself.
fn start(m: &Modifiers, span: Span) -> u32 {
    m.start(span.lo)
}

fn type_end(t: &tess_syntax::ast::TypeExpr) -> u32 {
    t.span().hi
}

fn slice(text: &str, span: Span) -> &str {
    text.get(span.lo as usize..span.hi as usize).unwrap_or("")
}

/// A declaration's text from `from` up to its body's `{` (or `to`), on
/// one line.
fn header(text: &str, from: u32, to: u32) -> String {
    let s = text.get(from as usize..to as usize).unwrap_or("");
    squeeze(s.split('{').next().unwrap_or(s))
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `///` lines right above the line holding `at`, without their marker.
fn doc_lines(text: &str, at: u32) -> Vec<String> {
    let before = &text[..text[..at as usize].rfind('\n').map_or(0, |i| i)];
    let mut lines: Vec<String> = before
        .lines()
        .rev()
        .map(str::trim)
        .take_while(|l| l.starts_with("///"))
        .map(|l| l.trim_start_matches("///").strip_prefix(' ').unwrap_or(l.trim_start_matches("///")).to_string())
        .collect();
    lines.reverse();
    lines
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A doc comment as HTML: paragraphs at blank lines, `code` spans.
fn doc_html(lines: &[String]) -> String {
    let mut out = String::new();
    for para in lines.split(|l| l.trim().is_empty()).filter(|p| !p.is_empty()) {
        let text = escape(&para.join(" "));
        let mut html = String::new();
        for (i, piece) in text.split('`').enumerate() {
            if i % 2 == 1 {
                let _ = write!(html, "<code>{piece}</code>");
            } else {
                html.push_str(piece);
            }
        }
        let _ = write!(out, "<p>{html}</p>");
    }
    out
}

fn summary(lines: &[String]) -> String {
    lines.iter().take_while(|l| !l.trim().is_empty()).cloned().collect::<Vec<_>>().join(" ")
}

const STYLE: &str = "body{font-family:sans-serif;max-width:50em;margin:2em auto;padding:0 1em}\
code{background:#f3f3f3;padding:0 .2em}section{margin:1.5em 0}.members{margin-left:2em}";

fn entry_html(e: &Entry, out: &mut String) {
    let _ = write!(
        out,
        "<section id=\"{}\" class=\"{}\"><h3><code>{}</code></h3>{}",
        escape(&e.anchor),
        e.kind,
        escape(&e.signature),
        doc_html(&e.doc)
    );
    if !e.members.is_empty() {
        out.push_str("<div class=\"members\">");
        for m in &e.members {
            entry_html(m, out);
        }
        out.push_str("</div>");
    }
    out.push_str("</section>\n");
}

fn module_page(m: &ModuleDoc) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Module {0}</title><style>{STYLE}</style></head>\n\
         <body><p><a href=\"index.html\">Index</a></p><h1>Module <code>{0}</code></h1>\n",
        escape(&m.name)
    );
    for e in &m.entries {
        entry_html(e, &mut out);
    }
    out.push_str("</body></html>\n");
    out
}

fn index_page(title: &str, modules: &[ModuleDoc]) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{0}</title><style>{STYLE}</style></head>\n\
         <body><h1>{0}</h1>\n<input id=\"search\" type=\"search\" placeholder=\"Search\" autofocus>\n<h2>Modules</h2><ul id=\"modules\">\n",
        escape(title)
    );
    for m in modules {
        let _ = writeln!(out, "<li><a href=\"{0}.html\">{0}</a></li>", escape(&m.name));
    }
    out.push_str("</ul>\n<h2>Declarations</h2><ul id=\"items\">\n");
    for m in modules {
        let mut all: Vec<&Entry> = Vec::new();
        for e in &m.entries {
            all.push(e);
            all.extend(&e.members);
        }
        for e in all {
            let name = format!("{}.{}", m.name, e.anchor);
            let _ = writeln!(
                out,
                "<li data-name=\"{0}\"><a href=\"{1}.html#{2}\">{0}</a> {3}</li>",
                escape(&name),
                escape(&m.name),
                escape(&e.anchor),
                escape(&summary(&e.doc))
            );
        }
    }
    out.push_str(
        "</ul>\n<script>\ndocument.getElementById('search').addEventListener('input', e => {\n\
         const q = e.target.value.toLowerCase();\n\
         for (const li of document.querySelectorAll('#items li'))\n\
         li.hidden = !li.dataset.name.toLowerCase().includes(q);\n});\n</script>\n</body></html>\n",
    );
    out
}
