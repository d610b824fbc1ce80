//! What the test runners share.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Runs `check` on every file on all cores; panics listing every failure.
pub fn for_all(files: &[PathBuf], check: impl Fn(&Path) -> Result<(), String> + Sync) {
    assert!(!files.is_empty(), "no test cases found");
    let next = Mutex::new(0usize);
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = {
                    let mut n = next.lock().unwrap();
                    *n += 1;
                    *n - 1
                };
                let Some(file) = files.get(i) else { break };
                if let Err(e) = check(file) {
                    failures.lock().unwrap().push(format!("--- {}\n{e}", file.display()));
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    if !failures.is_empty() {
        panic!("{} of {} failed:\n{}", failures.len(), files.len(), failures.join("\n"));
    }
}
