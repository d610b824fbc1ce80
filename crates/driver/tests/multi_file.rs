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

/// A module in pieces: one `tess compile` per file, against a compilation
/// database, links into the same program a whole-module build gives.
#[test]
fn module_in_pieces_links_like_a_whole_module() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    write(d, "util.tes", "var calls = 0\nfn twice(x: Int) -> Int {\n    calls += 1\n    return helper(x) * 2\n}\nprivate fn helper(x: Int) -> Int { return x }\nlet greeting = \"hi\"\n");
    write(d, "shapes.tes", "open class Shape {\n    fn area() -> Int { return 0 }\n    fn toString() -> String { return \"shape \\(self.area())\" }\n}\nclass Sq : Shape {\n    let s: Int\n    init(s: Int) { self.s = s }\n    override fn area() -> Int { return twice(self.s * self.s) }\n}\n");
    write(
        d,
        "main.tes",
        "let shapes: [Shape] = [Sq(3), Shape()]\nfor s in shapes { print(s) }\nprint(\"\\(greeting) \\(calls)\")\n",
    );
    let dir_text = d.display().to_string();
    let cdb: Vec<String> = ["main.tes", "shapes.tes", "util.tes"]
        .iter()
        .map(|f| format!("{{\"file\": \"{f}\", \"directory\": \"{dir_text}\", \"module\": \"app\"}}"))
        .collect();
    write(d, "cdb.json", &format!("[{}]", cdb.join(",")));
    let tess = env!("CARGO_BIN_EXE_tess");
    let mut objects = Vec::new();
    for f in ["main", "shapes", "util"] {
        let out = Command::new(tess)
            .args([
                "compile",
                "--module",
                "app",
                "--primary-file",
                &format!("{f}.tes"),
                "--module-source-list",
                "cdb.json",
                "-o",
            ])
            .arg(format!("{f}.o"))
            .current_dir(d)
            .output()
            .expect("tess compile");
        assert!(out.status.success(), "{f}: {}", String::from_utf8_lossy(&out.stderr));
        objects.push(format!("{f}.o"));
    }
    // Each file was parsed once and cached for the other pieces.
    let cached = std::fs::read_dir(d.join(".tess-cache")).expect("parse cache").count();
    assert_eq!(cached, 3);
    // Where `tess` finds it: in the executable's `deps/`, or beside it.
    let bin = Path::new(tess).parent().expect("tess directory");
    let rt = [bin.join("deps/libtessera_rt.a"), bin.join("libtessera_rt.a")]
        .into_iter()
        .find(|p| p.exists())
        .expect("libtessera_rt.a next to tess");
    let link = Command::new("cc")
        .args(&objects)
        .arg(rt)
        .args(["-lm", "-lpthread", "-ldl", "-lrt", "-lgcc_s", "-lc", "-o", "pieces"])
        .current_dir(d)
        .output()
        .expect("cc");
    assert!(link.status.success(), "{}", String::from_utf8_lossy(&link.stderr));
    let whole = build(d, &["main.tes", "shapes.tes", "util.tes"]);
    assert!(whole.status.success(), "{}", String::from_utf8_lossy(&whole.stderr));
    let a = Command::new(d.join("pieces")).output().expect("pieces");
    let b = Command::new(d.join("prog")).output().expect("whole");
    assert_eq!(String::from_utf8_lossy(&a.stdout), "shape 18\nshape 0\nhi 1\n");
    assert_eq!(a.stdout, b.stdout);
}
