//! A whole-module build frees each function body once no function left
//! to translate reads it (`codegen/src/bodies.rs`). Freeing one too early
//! would change the code (a call no longer inlined) or fail the build:
//! every program of the corpus and the benchmarks, and a long chain of
//! inlined calls, compile to the same bytes with and without freeing.

use std::path::Path;
use tess_codegen::object_file::{machine_code_consuming, object_file_of, Opt, Output};
use tess_driver::frontend::{check_sources, ModuleInput, MAIN_MODULE};
use tess_syntax::SourceFile;

fn checked(text: &str) -> Option<tess_sema::hir::Module> {
    let input = ModuleInput::standalone(MAIN_MODULE);
    check_sources(&input, vec![SourceFile::new("main.tes", text)]).ok().map(|c| c.module)
}

/// Both ways of building `text` agree; false when it does not compile.
fn same_bytes(name: &str, text: &str) -> bool {
    let (Some(kept), Some(mut freed)) = (checked(text), checked(text)) else { return false };
    for opt in [Opt::Speed, Opt::Fast] {
        let whole = object_file_of(&kept, Output::Program, None, opt).expect("object, bodies kept");
        let consumed = machine_code_consuming(&mut freed, Output::Program, opt).and_then(|c| c.emit());
        assert!(consumed.as_ref().is_ok_and(|c| *c == whole), "{name}: objects differ when bodies are freed");
        freed = checked(text).expect("checked again");
    }
    true
}

/// Functions calling the one before, as bench/compile generates them,
/// with recursion and classes among them: bodies read by many callers.
fn chain(n: usize) -> String {
    let mut s = String::from(
        "class Box {\n    var v: Int\n    init(v: Int) { self.v = v }\n    fn get() -> Int { return self.v }\n}\n",
    );
    s.push_str("fn f0(x: Int) -> Int { if x < 2 { return x }\n return f0(x - 1) + f0(x - 2) }\n");
    for i in 1..n {
        s.push_str(&format!(
            "fn f{i}(x: Int) -> Int {{\n    let b = Box(x)\n    var a = b.get() * 3\n    for k in 0..4 {{ a += k }}\n    return f{}(a & 15) + a % 1000\n}}\n",
            i - 1
        ));
    }
    s.push_str(&format!("print(f{}(5))\n", n - 1));
    s
}

#[test]
fn freeing_bodies_changes_no_byte() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut compiled = 0;
    for dir in ["tests/run", "tests/codegen", "bench"] {
        let mut paths: Vec<_> =
            std::fs::read_dir(root.join(dir)).expect("directory").flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths.iter().filter(|p| p.extension().is_some_and(|e| e == "tes")) {
            let text = std::fs::read_to_string(path).expect("source");
            compiled += usize::from(same_bytes(&path.display().to_string(), &text));
        }
    }
    assert!(compiled > 100, "only {compiled} programs compiled");
    assert!(same_bytes("chain", &chain(600)));
}
