//! Library builds (MODULES.md §1–3): `tess build --lib --module NAME
//! (--shared | --static)` writes the library and `NAME.tesi`; only exported
//! declarations (and the init entry) are dynamic symbols; interface files
//! are deterministic and their damage is reported, not crashed on.

use std::path::Path;
use std::process::{Command, Output};

const GEO: &str = "export open class Shape {
    public let name: String
    public init(name: String) { self.name = name }
    public fn area() -> Float { return 0.0 }
    fn helper() -> Int { return 1 }
}
export fn area(s: Shape) -> Float { return s.area() }
public fn linkedStatically() -> Int { return 2 }
fn internalOnly() -> Int { return 3 }
export var count = 0
export let version = \"1.0\"
";

fn tess(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tess")).args(args).current_dir(dir).output().expect("running tess")
}

fn lib(dir: &Path, kind: &str) -> Output {
    std::fs::write(dir.join("geo.tes"), GEO).expect("writing geo.tes");
    tess(dir, &["build", "--lib", "--module", "geo", "geo.tes", kind])
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn shared_library_exports_exactly_the_exported_symbols() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = lib(dir.path(), "--shared");
    assert!(out.status.success(), "{}", stderr(&out));
    let nm = Command::new("nm").args(["-D", "--defined-only"]).arg(dir.path().join("libgeo.so")).output().expect("nm");
    let mut symbols: Vec<String> =
        stdout(&nm).lines().filter_map(|l| l.split_whitespace().nth(2).map(String::from)).collect();
    symbols.sort();
    assert_eq!(
        symbols,
        [
            "_T3geo4area",
            "_T3geo5Shape3$ti",
            "_T3geo5Shape4area",
            "_T3geo5Shape4init",
            "_T3geo5count",
            "_T3geo7version",
            "tess_library_module",
            "tess_module_init_geo"
        ]
    );
}

#[test]
fn static_archive_keeps_internal_symbols_local() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = lib(dir.path(), "--static");
    assert!(out.status.success(), "{}", stderr(&out));
    let nm = Command::new("nm").arg(dir.path().join("libgeo.a")).output().expect("nm");
    let text = stdout(&nm);
    let kind = |sym: &str| {
        text.lines()
            .find(|l| l.ends_with(&format!(" {sym}")))
            .and_then(|l| l.split_whitespace().nth(1))
            .map(String::from)
    };
    assert_eq!(kind("_T3geo16linkedStatically").as_deref(), Some("T"), "{text}");
    assert_eq!(kind("_T3geo12internalOnly").as_deref(), Some("t"), "{text}");
    assert_eq!(kind("_T3geo5Shape6helper").as_deref(), Some("t"), "{text}");
    assert_eq!(kind("_T3geo5count").as_deref(), Some("D"), "{text}");
}

#[test]
fn interface_lists_public_declarations() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(lib(dir.path(), "--static").status.success());
    let out = tess(dir.path(), &["interface", "geo.tesi"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    for line in [
        "module geo",
        "export fn area(geo.Shape) -> Float  [symbol _T3geo4area, may throw: true",
        "public fn linkedStatically() -> Int  [symbol _T3geo16linkedStatically",
        "export var count: Int  [symbol _T3geo5count",
        "export let version: String",
        "export open class Shape : Object  [type info _T3geo5Shape3$ti, size 16, 3 vtable slots",
        "    field name: String @ 8",
        "    init(String)  [symbol _T3geo5Shape4init]",
        "    fn area() -> Float  [slot 1, symbol _T3geo5Shape4area]",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    assert!(!text.contains("internalOnly") && !text.contains("helper"), "{text}");
}

#[test]
fn builds_are_byte_identical() {
    let a = tempfile::tempdir().expect("temp dir");
    let b = tempfile::tempdir().expect("temp dir");
    for dir in [a.path(), b.path()] {
        std::fs::write(dir.join("geo.tes"), GEO).expect("writing geo.tes");
        let out = tess(dir, &["build", "--lib", "--module", "geo", "geo.tes", "--shared", "--emit-obj"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    for file in ["geo.tesi", "libgeo.o", "libgeo.so"] {
        let x = std::fs::read(a.path().join(file)).expect("first build");
        let y = std::fs::read(b.path().join(file)).expect("second build");
        assert!(x == y, "{file} differs between two builds");
    }
}

#[test]
fn damaged_interfaces_are_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(lib(dir.path(), "--static").status.success());
    let good = std::fs::read(dir.path().join("geo.tesi")).expect("geo.tesi");
    std::fs::write(dir.path().join("short.tesi"), &good[..good.len() / 2]).expect("write");
    let mut newer = good.clone();
    newer[4] = 99;
    std::fs::write(dir.path().join("newer.tesi"), &newer).expect("write");
    for (file, message) in [
        ("short.tesi", "truncated or corrupt"),
        ("newer.tesi", "interface format version 99"),
        ("geo.tes", "not a Tessera interface file"),
    ] {
        let out = tess(dir.path(), &["interface", file]);
        assert_eq!(out.status.code(), Some(1), "{file}");
        assert!(stderr(&out).contains(message), "{file}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{file}: {}", stderr(&out));
    }
}

#[test]
fn library_errors_are_located() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("bad.tes"),
        "class Hidden {}\nexport fn make() -> Hidden { return Hidden() }\nprint(1)\n",
    )
    .expect("write");
    let out = tess(dir.path(), &["build", "--lib", "--module", "bad", "bad.tes", "--static"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("bad.tes:3:1") && err.contains("a library has no top-level statements"), "{err}");
    assert!(
        err.contains("bad.tes:1:7") && err.contains("exported `make` mentions class `Hidden`, which is not exported"),
        "{err}"
    );
}

/// `export { ... }` exports every declaration inside it (with its class's
/// public members), and nothing outside it.
#[test]
fn export_block_exports_its_declarations() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("e.tes"),
        "export {\n    fn a() -> Int { return 1 }\n    let b = 2\n    class C {\n        public fn m() -> Int { return 3 }\n    }\n}\nfn hidden() -> Int { return 4 }\n",
    )
    .expect("e.tes");
    let out = tess(dir.path(), &["build", "--lib", "--module", "e", "e.tes", "--shared"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let nm = Command::new("nm").args(["-D", "--defined-only"]).arg(dir.path().join("libe.so")).output().expect("nm");
    let mut symbols: Vec<String> =
        stdout(&nm).lines().filter_map(|l| l.split_whitespace().nth(2).map(String::from)).collect();
    symbols.sort();
    assert_eq!(
        symbols,
        ["_T1e1C1m", "_T1e1C3$ti", "_T1e1C4init", "_T1e1a", "_T1e1b", "tess_library_module", "tess_module_init_e"]
    );
}
