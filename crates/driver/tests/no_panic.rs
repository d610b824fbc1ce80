//! The compiler never panics: every prefix of every corpus program, and
//! programs with bytes swapped and deleted, parse and check without a
//! panic (they may of course have errors).

use std::path::Path;
use tess_driver::frontend::{check_sources, ModuleInput, MAIN_MODULE};
use tess_syntax::SourceFile;

/// Runs the whole compiler in memory, through the driver library as `tess`
/// does; a program without errors must also generate code without an error.
fn front_end(text: &str) {
    // `tess fmt` takes any text too, and formats what parses for good.
    if let Ok(once) = tess_driver::fmt::format(tess_syntax::FileId(0), text) {
        let twice = tess_driver::fmt::format(tess_syntax::FileId(0), &once);
        assert_eq!(twice.ok().as_deref(), Some(once.as_str()), "formatting is not idempotent on:\n{text}");
    }
    let input = ModuleInput::standalone(MAIN_MODULE);
    if let Ok(checked) = check_sources(&input, vec![SourceFile::new("fuzz.tes", text)]) {
        let output = match checked.module.mode {
            tess_sema::hir::Mode::Program => tess_codegen::object_file::Output::Program,
            tess_sema::hir::Mode::Library => tess_codegen::object_file::Output::Archive,
        };
        if let Err(e) = tess_codegen::object_file::object_file(&checked.module, output) {
            panic!("{e}");
        }
    }
}

fn corpus_texts() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests");
    let mut out = Vec::new();
    for dir in ["run", "fail"] {
        // Sorted, so the mutations (and any failure) are the same everywhere.
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .expect("corpus directory")
            .map(|e| e.expect("directory entry").path())
            .collect();
        paths.sort();
        for path in paths {
            if path.extension().is_some_and(|e| e == "tes") {
                let text = std::fs::read_to_string(&path).expect("corpus file");
                out.push((path.display().to_string(), text));
            }
        }
    }
    out
}

#[test]
fn every_prefix_checks_without_panic() {
    for (name, text) in corpus_texts() {
        for (i, _) in text.char_indices() {
            let prefix = &text[..i];
            if std::panic::catch_unwind(|| front_end(prefix)).is_err() {
                panic!("front end panicked on {name} cut at byte {i}:\n{prefix}");
            }
        }
    }
}

#[test]
fn mutated_programs_check_without_panic() {
    // `TESS_FUZZ_SEED` and `TESS_FUZZ_ROUNDS` explore further by hand.
    let env = |name: &str, default: u64| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let mut seed: u64 = env("TESS_FUZZ_SEED", 0x9e3779b97f4a7c15) | 1;
    let rounds = env("TESS_FUZZ_ROUNDS", 40);
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet: Vec<char> = "(){}[]\"\\:;,.=+-*/!?<>&|^~ \n\tletvarfnifelse0123456789xyz_\u{e9}".chars().collect();
    for (name, text) in corpus_texts() {
        let chars: Vec<char> = text.chars().collect();
        for _ in 0..rounds {
            let mut m = chars.clone();
            for _ in 0..1 + next() % 4 {
                if m.is_empty() {
                    break;
                }
                let at = (next() % m.len() as u64) as usize;
                match next() % 3 {
                    0 => {
                        m.remove(at);
                    }
                    1 => m.insert(at, alphabet[(next() % alphabet.len() as u64) as usize]),
                    _ => m[at] = alphabet[(next() % alphabet.len() as u64) as usize],
                }
            }
            let mutated: String = m.into_iter().collect();
            if std::panic::catch_unwind(|| front_end(&mutated)).is_err() {
                panic!("front end panicked on a mutation of {name}:\n{mutated}");
            }
        }
    }
}
