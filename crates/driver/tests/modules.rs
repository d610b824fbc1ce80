//! Separate compilation scenarios (MODULES.md §1–4, §7): a library module
//! compiled on its own, a program compiled against its interface, linked
//! statically and dynamically; calls, module variables, classes (fields,
//! construction, virtual calls, `is`), exceptions caught by class across
//! the boundary, and the garbage collector across modules.

use std::path::Path;
use std::process::{Command, Output};

const GEO: &str = "export open class Shape {
    public let name: String
    public var scale: Float = 1.0
    public init(name: String) { self.name = name }
    public fn area() -> Float { return 0.0 }
    public fn describe() -> String { return \"\\(self.name): \\(self.area())\" }
}
export class Square : Shape {
    public let side: Float
    public init(side: Float) {
        self.side = side
        super.init(\"square\")
    }
    override public fn area() -> Float { return self.side * self.side * self.scale }
}
export class GeoError : Error {
    public init(msg: String) { super.init(msg) }
}
export fn total(shapes: [Shape]) -> Float {
    var t = 0.0
    for s in shapes { t += s.area() }
    return t
}
export fn check(x: Float) -> Float {
    if x < 0.0 { throw GeoError(\"negative: \\(x)\") }
    return x
}
export var made = 0
export let unit = \"cm\"
export var kept: [Shape] = []
export fn keep(s: Shape) { kept.push(s) }
public fn staticOnly() -> Int { return 7 }
export var greeting = \"\"
init {
    greeting = \"geo ready, unit \\(unit)\"
}
";

const MAIN: &str = "import geo
import geo.{Square, total}
print(geo.greeting)
let s = Square(3.0)
let shapes: [geo.Shape] = [s, geo.Shape(\"plain\")]
print(total(shapes))
print(s.describe())
print(shapes[1].describe())
print(s is Square)
print(geo.unit)
geo.made = geo.made + 2
print(geo.made)
s.scale = 2.0
print(s.area())
try {
    geo.check(-1.5)
} catch e: geo.GeoError {
    print(\"caught \\(e.message)\")
}
for i in 0..200 { geo.keep(Square(Float(i))) }
var junk = 0
for i in 0..2000 { junk += \"x\\(i)\".len }
print(geo.kept[199].area())
";

const EXPECTED: &str =
    "geo ready, unit cm\n9.0\nsquare: 9.0\nplain: 0.0\ntrue\ncm\n2\n18.0\ncaught negative: -1.5\n39601.0\n";

/// Runs `cmd` normally and with `TESS_GC_STRESS=1`; both must print `expected`.
fn assert_prints(mut cmd: impl FnMut() -> Command, expected: &str) {
    for stress in [false, true] {
        let mut c = cmd();
        if stress {
            c.env("TESS_GC_STRESS", "1");
        }
        let run = c.output().expect("running the program");
        assert_eq!(
            String::from_utf8_lossy(&run.stdout),
            expected,
            "stress={stress}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(run.status.success());
    }
}

const SUB_EXPECTED: &str = "40\ndoubler -> base hook\nDoubler!\ntrue\ntrue\n1\n";

fn tess(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tess")).args(args).current_dir(dir).output().expect("running tess")
}

fn setup(kind: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("libs")).expect("libs dir");
    std::fs::write(dir.path().join("libs/geo.tes"), GEO).expect("geo.tes");
    std::fs::write(dir.path().join("main.tes"), MAIN).expect("main.tes");
    let out = tess(
        dir.path(),
        &[
            "build",
            "--lib",
            "--module",
            "geo",
            "libs/geo.tes",
            kind,
            "-o",
            &format!("libs/libgeo.{}", if kind == "--shared" { "so" } else { "a" }),
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir
}

fn build_and_run(dir: &Path) {
    let out = tess(dir, &["build", "main.tes", "-I", "libs", "-o", "prog"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_prints(
        || {
            let mut c = Command::new(dir.join("prog"));
            c.env_remove("LD_LIBRARY_PATH");
            c
        },
        EXPECTED,
    );
}

#[test]
fn program_against_a_static_library() {
    let dir = setup("--static");
    build_and_run(dir.path());
}

#[test]
fn program_against_a_shared_library() {
    let dir = setup("--shared");
    build_and_run(dir.path());
    let ldd = Command::new("ldd").arg(dir.path().join("prog")).output().expect("ldd");
    let text = String::from_utf8_lossy(&ldd.stdout);
    assert!(text.contains("libgeo.so") && text.contains("libtessera_rt.so") && !text.contains("not found"), "{text}");
}

fn errors_of(dir: &Path, source: &str) -> String {
    std::fs::write(dir.join("bad.tes"), source).expect("bad.tes");
    let out = tess(dir, &["build", "bad.tes", "-I", "libs", "-o", "bad"]);
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn import_errors_are_located() {
    let dir = setup("--static");
    let err =
        errors_of(dir.path(), "import nothere\nimport geo.{Missing}\nclass Mine : geo.Square {}\nprint(geo.nothing)\n");
    for (loc, msg) in [
        ("bad.tes:1:8", "cannot find module `nothere`"),
        ("bad.tes:2:13", "module `geo` has no public `Missing`"),
        ("bad.tes:3:14", "class `Square` is not `open`, so it cannot be subclassed outside its module"),
        ("bad.tes:4:11", "module `geo` has no public `nothing`"),
    ] {
        assert!(err.contains(loc) && err.contains(msg), "missing {loc} {msg} in:\n{err}");
    }
}

#[test]
fn public_but_not_exported_stops_at_a_shared_library() {
    let shared = setup("--shared");
    let err = errors_of(shared.path(), "import geo\nprint(geo.staticOnly())\n");
    assert!(err.contains("bad.tes:2:11") && err.contains("is public but not exported"), "{err}");
    let static_ = setup("--static");
    std::fs::write(static_.path().join("ok.tes"), "import geo\nprint(geo.staticOnly())\n").expect("ok.tes");
    let out = tess(static_.path(), &["build", "ok.tes", "-I", "libs", "-o", "ok"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run = Command::new(static_.path().join("ok")).output().expect("run");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "7\n");
}

const BASE: &str = "export open class Plugin {
    public let name: String
    public init(name: String) { self.name = name }
    public fn run(x: Int) -> Int { return x }
    fn internalHook() -> String { return \"base hook\" }
    public fn describe() -> String { return \"\\(self.name) -> \\(self.internalHook())\" }
}
export fn runAll(ps: [Plugin], x: Int) -> Int {
    var t = 0
    for p in ps { t += p.run(x) }
    return t
}
export fn isPlugin(p: Plugin) -> Bool { return p is Plugin }
";

const SUB: &str = "import base
import base.{Plugin, runAll}
class Doubler : Plugin {
    init() { super.init(\"doubler\") }
    override public fn run(x: Int) -> Int { return 2 * x }
    public fn toString() -> String { return \"Doubler!\" }
}
class Square : Plugin {
    var calls: Int = 0
    init() { super.init(\"square\") }
    override public fn run(x: Int) -> Int {
        self.calls += 1
        return x * x
    }
}
let ps: [Plugin] = [Plugin(\"id\"), Doubler(), Square()]
print(runAll(ps, 5))
print(ps[1].describe())
print(ps[1])
print(ps[2] is Square)
print(base.isPlugin(ps[2]))
print((ps[2] as Square).calls)
";

/// A class of module `base` subclassed in the program, with overrides
/// called virtually from `base`, and a slot `base` keeps internal.
#[test]
fn subclass_of_a_class_from_another_module() {
    for (kind, file) in [("--static", "libbase.a"), ("--shared", "libbase.so")] {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("libs")).expect("libs dir");
        std::fs::write(dir.path().join("libs/base.tes"), BASE).expect("base.tes");
        std::fs::write(dir.path().join("sub.tes"), SUB).expect("sub.tes");
        let lib = tess(
            dir.path(),
            &["build", "--lib", "--module", "base", "libs/base.tes", kind, "-o", &format!("libs/{file}")],
        );
        assert!(lib.status.success(), "{}", String::from_utf8_lossy(&lib.stderr));
        let out = tess(dir.path(), &["build", "sub.tes", "-I", "libs", "-o", "sub"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_prints(|| Command::new(dir.path().join("sub")), SUB_EXPECTED);
    }
}

/// `tess run -I`: the program is compiled in memory and the imported
/// modules' shared libraries are loaded into the process (one runtime).
#[test]
fn jit_imports_shared_libraries_and_subclasses_their_classes() {
    let dir = setup("--shared");
    assert_prints(
        || {
            let mut c = Command::new(env!("CARGO_BIN_EXE_tess"));
            c.args(["run", "-I", "libs", "main.tes"]).current_dir(dir.path());
            c
        },
        EXPECTED,
    );
    std::fs::write(dir.path().join("libs/base.tes"), BASE).expect("base.tes");
    std::fs::write(dir.path().join("sub.tes"), SUB).expect("sub.tes");
    let lib =
        tess(dir.path(), &["build", "--lib", "--module", "base", "libs/base.tes", "--shared", "-o", "libs/libbase.so"]);
    assert!(lib.status.success(), "{}", String::from_utf8_lossy(&lib.stderr));
    let run = tess(dir.path(), &["run", "-I", "libs", "sub.tes"]);
    assert_eq!(String::from_utf8_lossy(&run.stdout), SUB_EXPECTED, "{}", String::from_utf8_lossy(&run.stderr));
}

#[test]
fn jit_needs_the_shared_library() {
    let dir = setup("--static");
    let run = tess(dir.path(), &["run", "-I", "libs", "main.tes"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("needs module `geo` as a shared library"));
}

/// A program importing `mid`, which imports `low`: `mid.tesi` records the
/// dependency (with `low`'s interface fingerprint) and the program links
/// both, statically or dynamically.
#[test]
fn transitive_dependencies_are_recorded_and_linked() {
    for (kind, ext) in [("--static", "a"), ("--shared", "so")] {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        std::fs::create_dir(d.join("libs")).expect("libs");
        std::fs::write(d.join("libs/low.tes"), "export fn base() -> Int { return 40 }\n").expect("low");
        std::fs::write(d.join("libs/mid.tes"), "import low\nexport fn mid() -> Int { return low.base() + 2 }\n")
            .expect("mid");
        std::fs::write(d.join("main.tes"), "import mid\nprint(mid.mid())\n").expect("main");
        for (m, extra) in [("low", vec![]), ("mid", vec!["-I", "libs"])] {
            let mut args = vec!["build", "--lib", "--module", m];
            let src = format!("libs/{m}.tes");
            let out = format!("libs/lib{m}.{ext}");
            args.extend([src.as_str(), kind, "-o", out.as_str()]);
            args.extend(extra);
            let o = tess(d, &args);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        let iface = tess(d, &["interface", "libs/mid.tesi"]);
        assert!(String::from_utf8_lossy(&iface.stdout).contains("depends on low "), "{kind}");
        let o = tess(d, &["build", "main.tes", "-I", "libs", "-o", "prog"]);
        assert!(o.status.success(), "{kind}: {}", String::from_utf8_lossy(&o.stderr));
        let run = Command::new(d.join("prog")).output().expect("prog");
        assert_eq!(String::from_utf8_lossy(&run.stdout), "42\n", "{kind}");
    }
}
