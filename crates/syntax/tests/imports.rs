//! `parse_imports` (the build tools' quick scan) finds exactly the imports
//! the full parser finds, on every Tessera source of the repository.

use std::path::{Path, PathBuf};
use tess_syntax::parser::{parse_file, parse_imports};
use tess_syntax::{Diagnostics, FileId};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "tes") {
            out.push(path);
        }
    }
}

#[test]
fn the_scan_finds_what_the_parser_finds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in ["tests", "examples", "bench"] {
        sources(&root.join(dir), &mut files);
    }
    assert!(files.len() > 100, "found only {} sources", files.len());
    let mut with_imports = 0;
    for f in &files {
        let text = String::from_utf8_lossy(&std::fs::read(f).expect("read")).into_owned();
        let names = |imports: &[tess_syntax::ast::Import]| -> Vec<String> {
            imports.iter().map(|i| i.path.name.clone()).collect()
        };
        // The full parser recurses: give it room, as the driver does.
        let full = std::thread::Builder::new()
            .stack_size(1 << 28)
            .spawn({
                let text = text.clone();
                move || parse_file(FileId(0), &text, &mut Diagnostics::default()).imports
            })
            .expect("thread")
            .join()
            .expect("parse");
        let scanned = parse_imports(FileId(0), &text, &mut Diagnostics::default());
        assert_eq!(names(&scanned), names(&full), "{}", f.display());
        with_imports += usize::from(!full.is_empty());
    }
    assert!(with_imports > 20, "only {with_imports} sources import anything");
}
