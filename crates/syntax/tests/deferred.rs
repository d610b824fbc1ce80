//! `parse_file_deferred`, with each body parsed later by `parse_body`,
//! gives the tree and the diagnostics the whole parse gives: on every
//! Tessera source of the repository, and on broken variants of them (a
//! bracket, a quote or a line taken out, the text cut short), which is
//! where skipping a body could end it elsewhere than the parser would.

mod common;

use tess_syntax::ast::{ClassDecl, File, Item};
use tess_syntax::parser::{parse_body, parse_file, parse_file_deferred};
use tess_syntax::{Diagnostics, FileId};

/// The tree (as text) and the diagnostics, sorted, of one way of parsing.
type Parsed = (String, Vec<String>);

fn diagnostics(diags: &Diagnostics) -> Vec<String> {
    let mut v: Vec<String> = diags.items.iter().map(|d| format!("{:?} {} {:?}", d.span, d.message, d.hint)).collect();
    v.sort();
    v
}

fn whole(text: &str) -> Parsed {
    let mut diags = Diagnostics::default();
    let file = parse_file(FileId(0), text, &mut diags);
    (format!("{file:?}"), diagnostics(&diags))
}

fn deferred(text: &str) -> Parsed {
    let mut diags = Diagnostics::default();
    let mut file: File = parse_file_deferred(FileId(0), text, &mut diags);
    for item in &mut file.items {
        match item {
            Item::Fn(f) => {
                if let Some(body) = &mut f.body {
                    parse_body(text, body, &mut diags);
                }
            }
            Item::Class(c) => parse_class_bodies(text, c, &mut diags),
            Item::Interface(i) => {
                for m in &mut i.methods {
                    if let Some(body) = &mut m.body {
                        parse_body(text, body, &mut diags);
                    }
                }
            }
            _ => {}
        }
    }
    (format!("{file:?}"), diagnostics(&diags))
}

/// A class's method and `init` bodies, and its nested classes'.
fn parse_class_bodies(text: &str, c: &mut ClassDecl, diags: &mut Diagnostics) {
    for m in c.methods.iter_mut().chain(c.inits.iter_mut()) {
        if let Some(body) = &mut m.body {
            parse_body(text, body, diags);
        }
    }
    for inner in &mut c.nested {
        parse_class_bodies(text, inner, diags);
    }
}

/// Variants of `text` with one mistake each: every bracket, quote, line
/// break, `=` and `,` taken out in turn.
fn broken(text: &str) -> Vec<String> {
    let mut out = vec![text[..text.len() / 2].to_string()];
    for target in ['}', '{', ')', '(', ']', '[', '"', '\n', '=', ','] {
        for (i, _) in text.match_indices(target) {
            out.push(format!("{}{}", &text[..i], &text[i + 1..]));
        }
    }
    out
}

#[test]
fn deferred_bodies_parse_as_the_whole_file_does() {
    let texts = common::repository_sources();
    let (checked, with_errors) = common::on_big_stack(move || {
        let (mut checked, mut with_errors) = (0, 0);
        for (path, text) in &texts {
            for variant in std::iter::once(text.clone()).chain(broken(text)) {
                let expected = whole(&variant);
                assert_eq!(deferred(&variant), expected, "{} as:\n{variant}", path.display());
                checked += 1;
                with_errors += usize::from(!expected.1.is_empty());
            }
        }
        (checked, with_errors)
    });
    assert!(with_errors > 500, "only {with_errors} of {checked} variants have syntax errors");
}
