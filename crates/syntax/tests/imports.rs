//! `parse_imports` (the build tools' quick scan) finds exactly the imports
//! the full parser finds, on every Tessera source of the repository.

mod common;

use tess_syntax::parser::{parse_file, parse_imports};
use tess_syntax::{Diagnostics, FileId};

#[test]
fn the_scan_finds_what_the_parser_finds() {
    let mut with_imports = 0;
    for (f, text) in common::repository_sources() {
        let names = |imports: &[tess_syntax::ast::Import]| -> Vec<String> {
            imports.iter().map(|i| i.path.name.clone()).collect()
        };
        let full = common::on_big_stack({
            let text = text.clone();
            move || parse_file(FileId(0), &text, &mut Diagnostics::default()).imports
        });
        let scanned = parse_imports(FileId(0), &text, &mut Diagnostics::default());
        assert_eq!(names(&scanned), names(&full), "{}", f.display());
        with_imports += usize::from(!full.is_empty());
    }
    assert!(with_imports > 20, "only {with_imports} sources import anything");
}
