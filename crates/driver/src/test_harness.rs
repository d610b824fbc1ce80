//! `test fn`s (issue 32): left out of every build but `tess test`'s, so
//! they never enter a module's interface or library; for `tess test`, a
//! module's top-level statements are left out instead (the program does
//! not run) and a generated file runs its tests, by name, on the
//! runtime's test runner (`tess_run_tests`).

use tess_syntax::ast::{ClassDecl, File, Item};
use tess_syntax::{Diagnostic, Diagnostics, FileId, SourceFile};

/// The generated file's name in messages and stack traces.
pub const HARNESS_FILE: &str = "<tests>";
/// The object of that file, as `tess compile --tests` writes it.
pub const HARNESS_OBJECT: &str = "tess-test-runner.o";

/// Leaves the `test fn`s out of `files`, after reporting the misplaced
/// ones.
pub fn without_tests(files: &mut [File], diags: &mut Diagnostics) {
    check_placement(files, diags);
    for f in files {
        f.items.retain(|i| !is_test(i));
    }
}

/// A test is a top-level function without an access level: `test` on a
/// method, or with `public`, `private` or `export`, is an error.
fn check_placement(files: &[File], diags: &mut Diagnostics) {
    for f in files {
        for item in &f.items {
            match item {
                Item::Fn(decl) if decl.mods.test.is_some() => {
                    if let Some(span) = decl.mods.export.or(decl.mods.access.map(|(_, s)| s)) {
                        diags.push(
                            Diagnostic::error(span, "a `test fn` has no access level")
                                .with_hint("tests are private to their module: remove it"),
                        );
                    }
                }
                Item::Class(c) => methods_are_not_tests(c, diags),
                _ => {}
            }
        }
    }
}

fn methods_are_not_tests(c: &ClassDecl, diags: &mut Diagnostics) {
    for m in c.methods.iter().chain(&c.inits) {
        if let Some(span) = m.mods.test {
            diags.push(
                Diagnostic::error(span, "`test` marks top-level functions, not methods")
                    .with_hint("move the test out of the class: `test fn name() { ... }`"),
            );
        }
    }
    for n in &c.nested {
        methods_are_not_tests(n, diags);
    }
}

/// Turns `files` into their test program: their top-level statements left
/// out, and one more file (added to `files` and `sources`) that runs every
/// `test fn` and exits with the runner's status. A test with parameters,
/// type parameters or a result is an error.
pub fn add_harness(files: &mut Vec<File>, sources: &mut Vec<SourceFile>, diags: &mut Diagnostics) {
    check_placement(files, diags);
    let mut names = Vec::new();
    for f in files.iter_mut() {
        f.items.retain(|i| !matches!(i, Item::Stmt(_)));
        for item in &f.items {
            let Item::Fn(decl) = item else { continue };
            if decl.mods.test.is_none() {
                continue;
            }
            if !decl.params.is_empty() || !decl.type_params.is_empty() || decl.ret.is_some() {
                diags.push(
                    Diagnostic::error(
                        decl.name.span,
                        format!("test `{}` must take nothing and return nothing", decl.name.name),
                    )
                    .with_hint("a test is `test fn name() { ... }`; it fails by throwing (`assert`, `assertEqual`)"),
                );
                continue;
            }
            names.push(decl.name.name.clone());
        }
    }
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    let text = format!("exit(__runTests([{}], [{}]))\n", quoted.join(", "), names.join(", "));
    let file = FileId(sources.len() as u32);
    files.push(tess_syntax::parser::parse_file(file, &text, diags));
    sources.push(SourceFile::new(HARNESS_FILE.to_string(), text));
}

fn is_test(item: &Item) -> bool {
    matches!(item, Item::Fn(decl) if decl.mods.test.is_some())
}
