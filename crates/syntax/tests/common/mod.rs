//! What the syntax crate's tests share: the repository's Tessera sources,
//! and the stack the driver gives the parser.

use std::path::{Path, PathBuf};

/// Every `.tes` file under the repository's `tests`, `examples` and
/// `bench`, with its text.
pub fn repository_sources() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in ["tests", "examples", "bench"] {
        sources(&root.join(dir), &mut files);
    }
    assert!(files.len() > 100, "found only {} sources", files.len());
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let text = String::from_utf8_lossy(&std::fs::read(&f).expect("read")).into_owned();
            (f, text)
        })
        .collect()
}

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

/// Runs `f` with the stack the driver gives the parser, which recurses.
pub fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(1 << 28).spawn(f).expect("thread").join().expect("parse")
}
