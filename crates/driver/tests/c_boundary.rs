//! The C boundary (MODULES.md §5): `export extern fn` definitions in a
//! Tessera library, called from C programs compiled by gcc and from
//! Python's ctypes, and Tessera calling a C library. A library initialises
//! itself when loaded (an ELF constructor), so callers need no setup.

use std::path::{Path, PathBuf};
use std::process::Command;

const CALC: &str = "var count = 0
init { count = 10 }
export extern fn add(a: Int, b: Int) -> Int { return a + b }
export extern fn greet(name: CString) -> Int {
    print(\"hello \\(String(name))\")
    return String(name).len
}
export extern fn counted() -> Int {
    count += 1
    return count
}
export extern fn hyp(a: Float, b: Float) -> Float { return sqrt(a * a + b * b) }
export extern fn small(x: Int32, flag: Bool) -> Int32 {
    if flag { return x + 1 }
    return x - 1
}
fn hidden() -> Int { return 0 }
";

const MAIN_C: &str = r#"#include "calc.h"
#include <stdio.h>
int main(void) {
    int64_t a = counted();
    int64_t b = counted();
    printf("%ld %ld %ld %.1f %d %d\n", (long)add(2, 3), (long)a, (long)b, hyp(3, 4), small(7, true), small(7, false));
    fflush(stdout);
    long n = (long)greet("world");
    printf("%ld\n", n);
    return 0;
}
"#;

/// Runs `tess` with `args` in `dir`; it must succeed.
fn tess(dir: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_tess")).args(args).current_dir(dir).output().expect("tess");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Runs the C (or C++) compiler `cc` with `args` in `dir`; it must succeed.
fn compile<S: AsRef<std::ffi::OsStr>>(dir: &Path, cc: &str, args: impl IntoIterator<Item = S>) {
    let out = Command::new(cc).args(args).current_dir(dir).output().expect(cc);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The directory holding the runtime libraries `tess` links against: the
/// same search order as `tess` itself (`deps/` first).
fn runtime_dir() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_tess")).parent().expect("bin dir");
    [bin.join("deps"), bin.to_path_buf()]
        .into_iter()
        .find(|p| p.join("libtessera_rt.a").exists())
        .expect("libtessera_rt.a next to tess")
}

/// Links the C program `source` against `libcalc.so` in `dir` into `exe`.
fn link_against_calc(dir: &Path, source: &str, exe: &str, extra: &[String]) {
    let mut args: Vec<String> = ["-Wall", "-Wextra", "-Werror", source, "-L.", "-lcalc"].map(String::from).to_vec();
    args.extend(extra.iter().cloned());
    args.push(format!("-Wl,-rpath,{}", dir.display()));
    args.extend(["-o".to_string(), exe.to_string()]);
    compile(dir, "gcc", args);
}

fn library(dir: &Path) {
    std::fs::write(dir.join("calc.tes"), CALC).expect("calc.tes");
    tess(dir, &SHARED_CALC);
}

/// `tess build` of `calc.tes` into `libcalc.so` with a header.
const SHARED_CALC: [&str; 8] =
    ["build", "--lib", "--module", "calc", "calc.tes", "--shared", "--emit-header", "calc.h"];

#[test]
fn exported_extern_functions_are_plain_dynamic_symbols() {
    let dir = tempfile::tempdir().expect("temp dir");
    library(dir.path());
    let nm = Command::new("nm").args(["-D", "--defined-only"]).arg(dir.path().join("libcalc.so")).output().expect("nm");
    let mut symbols: Vec<String> = String::from_utf8_lossy(&nm.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2).map(String::from))
        .collect();
    symbols.sort();
    assert_eq!(symbols, ["add", "counted", "greet", "hyp", "small", "tess_library_module", "tess_module_init_calc"]);
}

#[test]
fn a_c_program_calls_the_library() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    library(d);
    std::fs::write(d.join("main.c"), MAIN_C).expect("main.c");
    link_against_calc(d, "main.c", "cmain", &[]);
    let run = Command::new(d.join("cmain")).output().expect("cmain");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let out = String::from_utf8_lossy(&run.stdout);
    // `init { }` ran when the library loaded: the count starts at 10.
    assert!(out.starts_with("5 11 12 5.0 8 6\n"), "{out}");
    assert!(out.contains("hello world\n") && out.contains("5\n"), "{out}");
}

#[test]
fn python_ctypes_calls_the_library() {
    let dir = tempfile::tempdir().expect("temp dir");
    library(dir.path());
    let script = "import ctypes
lib = ctypes.CDLL('./libcalc.so')
lib.add.restype = ctypes.c_int64
lib.add.argtypes = [ctypes.c_int64, ctypes.c_int64]
lib.counted.restype = ctypes.c_int64
lib.hyp.restype = ctypes.c_double
lib.hyp.argtypes = [ctypes.c_double, ctypes.c_double]
print(lib.add(40, 2), lib.counted(), lib.hyp(5.0, 12.0))
";
    let run = Command::new("python3").args(["-c", script]).current_dir(dir.path()).output().expect("python3");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(String::from_utf8_lossy(&run.stdout), "42 11 13.0\n");
}

/// `--emit-header`: a header for the `export extern fn`s that compiles
/// cleanly as C11 and C++17, and a callback passed from C to Tessera.
#[test]
fn generated_header_and_callbacks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let source = format!("{CALC}export extern fn apply(f: fn(Int) -> Int, x: Int) -> Int {{ return f(x) }}\n");
    std::fs::write(d.join("calc.tes"), source).expect("calc.tes");
    tess(d, &SHARED_CALC);
    let header = std::fs::read_to_string(d.join("calc.h")).expect("calc.h");
    assert!(header.contains("int64_t apply(int64_t (*f)(int64_t), int64_t x);"), "{header}");
    assert!(header.contains("int32_t small(int32_t x, bool flag);"), "{header}");
    std::fs::write(
        d.join("use.c"),
        "#include \"calc.h\"\n#include <stdio.h>\nstatic int64_t twice(int64_t x) { return 2 * x; }\n\
         int main(void) { printf(\"%ld\\n\", (long)apply(twice, 21)); return 0; }\n",
    )
    .expect("use.c");
    link_against_calc(d, "use.c", "use", &["-std=c11".into()]);
    let run = Command::new(d.join("use")).output().expect("use");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "42\n");
    compile(d, "g++", ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-x", "c++", "-c", "calc.h", "-o", "/dev/null"]);
}

/// The static-archive variant: `libcalc.a` and the runtime linked into a C
/// program, initialised at start-up like the shared library.
#[test]
fn a_c_program_links_the_static_archive() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("calc.tes"), CALC).expect("calc.tes");
    tess(d, &["build", "--lib", "--module", "calc", "calc.tes", "--static", "--emit-header", "calc.h"]);
    std::fs::write(d.join("main.c"), MAIN_C).expect("main.c");
    let rt = runtime_dir().join("libtessera_rt.a");
    let rt = rt.to_str().expect("runtime path");
    compile(
        d,
        "gcc",
        ["-Wall", "-Wextra", "-Werror", "main.c", "libcalc.a", rt, "-lm", "-lpthread", "-ldl", "-o", "cmain"],
    );
    let run = Command::new(d.join("cmain")).output().expect("cmain");
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(out.starts_with("5 11 12 5.0 8 6\n"), "{out}");
}

/// Tessera calling a C library built here, found through `-L` and
/// `--link-lib` (and an rpath: no `LD_LIBRARY_PATH`).
#[test]
fn tessera_calls_a_c_library() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::create_dir(d.join("c")).expect("c dir");
    std::fs::write(
        d.join("c/tri.c"),
        "long triple(long x) { return 3 * x; }\ndouble half(double x) { return x / 2; }\n",
    )
    .expect("tri.c");
    compile(d, "gcc", ["-shared", "-fPIC", "c/tri.c", "-o", "c/libtri.so"]);
    std::fs::write(
        d.join("use.tes"),
        "extern fn triple(x: Int) -> Int\nextern fn half(x: Float) -> Float\nprint(triple(14))\nprint(half(5.0))\n",
    )
    .expect("use.tes");
    tess(d, &["build", "use.tes", "-L", "c", "--link-lib", "tri", "-o", "use"]);
    let run = Command::new(d.join("use")).env_remove("LD_LIBRARY_PATH").output().expect("use");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "42\n2.5\n");
    // The same under the JIT.
    let jit = Command::new(env!("CARGO_BIN_EXE_tess"))
        .args(["run", "-L", "c", "--link-lib", "tri", "use.tes"])
        .current_dir(d)
        .output()
        .expect("tess run");
    assert_eq!(String::from_utf8_lossy(&jit.stdout), "42\n2.5\n", "{}", String::from_utf8_lossy(&jit.stderr));
}

/// An exception escaping an `extern fn` (without `throws`) called from C
/// aborts the process with a message naming the function.
#[test]
fn uncaught_exception_in_extern_fn_aborts_the_c_program() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("calc.tes"), "export extern fn ratio(a: Int, b: Int) -> Int { return a / b }\n")
        .expect("calc.tes");
    tess(d, &SHARED_CALC);
    std::fs::write(
        d.join("main.c"),
        "#include \"calc.h\"\n#include <stdio.h>\nint main(void) {\n    printf(\"%ld\\n\", (long)ratio(10, 2));\n    fflush(stdout);\n    printf(\"%ld\\n\", (long)ratio(1, 0));\n    return 0;\n}\n",
    )
    .expect("main.c");
    link_against_calc(d, "main.c", "cmain", &[]);
    let run = Command::new(d.join("cmain")).output().expect("cmain");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(run.status.signal(), Some(6), "expected SIGABRT");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "5\n");
    assert_eq!(
        String::from_utf8_lossy(&run.stderr),
        "uncaught DivisionByZeroError: division by zero in extern fn ratio\n"
    );
}

/// `extern fn ... throws`: the C signature ends with `tess_error **err`,
/// set on failure and untouched on success; `tessera.h` (written beside the
/// generated header) reads and frees it.
#[test]
fn throws_reports_errors_through_the_error_channel() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let source = "export extern fn safeDiv(a: Int, b: Int) -> Int throws {
    if b == 0 { throw Error(\"cannot divide \\(a) by zero\") }
    return a / b
}
";
    std::fs::write(d.join("calc.tes"), source).expect("calc.tes");
    tess(d, &SHARED_CALC);
    assert!(d.join("tessera.h").exists());
    std::fs::write(
        d.join("thr.c"),
        "#include \"calc.h\"\n#include <stdio.h>\nint main(void) {\n    tess_error *err = NULL;\n\
         int64_t q = safeDiv(10, 2, &err);\n    printf(\"%ld %s\\n\", (long)q, err ? \"error\" : \"ok\");\n\
         q = safeDiv(1, 0, &err);\n    if (err) {\n        printf(\"%s: %s\\n\", tess_error_class(err), tess_error_message(err));\n\
         tess_error_free(err);\n    }\n    return 0;\n}\n",
    )
    .expect("thr.c");
    let rt = runtime_dir();
    let runtime = [
        "-std=c11".into(),
        format!("-L{}", rt.display()),
        "-ltessera_rt".into(),
        format!("-Wl,-rpath,{}", rt.display()),
    ];
    link_against_calc(d, "thr.c", "thr", &runtime);
    let run = Command::new(d.join("thr")).output().expect("thr");
    assert_eq!(String::from_utf8_lossy(&run.stdout), "5 ok\nError: cannot divide 1 by zero\n");
}

/// A `CString` an `extern fn` returns from a heap string stays readable
/// after the call, even when the collector runs before C reads it: it is
/// kept until the next `CString` return.
#[test]
fn a_returned_cstring_outlives_the_call() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let source = "export extern fn label(n: Int) -> CString { return \"item \\(n) of many\" }
export extern fn churn(n: Int) -> Int {
    var total = 0
    for i in 0..n { total += \"ITEM \\(i % 10) OF MANY\".len }
    return total
}
";
    std::fs::write(d.join("names.tes"), source).expect("names.tes");
    tess(d, &["build", "--lib", "--module", "names", "names.tes", "--shared"]);
    let script = "import ctypes
lib = ctypes.CDLL('./libnames.so')
lib.label.restype = ctypes.c_void_p
lib.label.argtypes = [ctypes.c_int64]
lib.churn.restype = ctypes.c_int64
lib.churn.argtypes = [ctypes.c_int64]
p = lib.label(7)
lib.churn(1000)
print(ctypes.string_at(p).decode())
";
    let run = Command::new("python3")
        .args(["-c", script])
        .env("TESS_GC_STRESS", "1")
        .current_dir(d)
        .output()
        .expect("python3");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(String::from_utf8_lossy(&run.stdout), "item 7 of many\n");
}
