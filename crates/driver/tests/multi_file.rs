//! Programs of several files: one module, implicit visibility between its
//! files (LANGUAGE.md §6, MODULES.md §1), `private` limited to its file,
//! and exactly one main file.

use std::path::Path;
use std::process::Command;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("writing a test source");
}

fn build(dir: &Path, files: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tess"))
        .arg("build")
        .args(files.iter().map(|f| dir.join(f)))
        .arg("-o")
        .arg(dir.join("prog"))
        .output()
        .expect("running tess")
}

#[test]
fn files_of_a_module_see_each_other() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "shapes.tes",
        "open class Shape {\n    fn area() -> Float { return 0.0 }\n}\n\
         class Sq : Shape {\n    let s: Float\n    init(s: Float) { self.s = s }\n    override fn area() -> Float { return helper(self.s) }\n}\n\
         private fn helper(x: Float) -> Float { return x * x }\n\
         var made = 0\n\
         fn make(s: Float) -> Shape {\n    made += 1\n    return Sq(s)\n}\n",
    );
    write(dir.path(), "main.tes", "let a = make(3.0)\nprint(a.area())\nprint(made)\nprint(a is Sq)\n");
    let out = build(dir.path(), &["main.tes", "shapes.tes"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run = Command::new(dir.path().join("prog")).output().expect("running the program");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "9.0\n1\ntrue\n");
}

#[test]
fn private_declarations_stay_in_their_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "lib.tes", "private fn secret() -> Int { return 1 }\nprivate var hidden = 2\n");
    write(dir.path(), "main.tes", "print(secret())\nprint(hidden)\n");
    let out = build(dir.path(), &["main.tes", "lib.tes"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("main.tes:1:7"), "{stderr}");
    assert!(stderr.contains("main.tes:2:7"), "{stderr}");
    assert_eq!(stderr.matches("is private to the file that declares it").count(), 2, "{stderr}");
}

#[test]
fn only_one_file_has_top_level_statements() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "a.tes", "print(1)\n");
    write(dir.path(), "b.tes", "fn f() {}\nprint(2)\n");
    let out = build(dir.path(), &["a.tes", "b.tes"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("b.tes:2:1"), "{stderr}");
    assert!(stderr.contains("only one file of a program may have top-level statements"), "{stderr}");
}
