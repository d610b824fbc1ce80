//! Extension modules (MODULES.md §4): a program compiled once loads, with
//! `loadLibrary`, shared libraries compiled later against its modules'
//! interfaces; two plugins define classes of the same name; a compatible
//! upgrade of the host library keeps old plugins loading, a breaking one
//! gives `AbiError` naming the declaration; load failures are `LoadError`.

use std::path::Path;
use std::process::{Command, Output};

const HOST: &str = "export open class Plugin {
    public let name: String
    public init(name: String) { self.name = name }
    public fn run() -> String { return \"nothing\" }
}
export var plugins: [Plugin] = []
export fn registerPlugin(p: Plugin) { plugins.push(p) }
";

const MAIN: &str = "import host
for path in args() {
    try {
        loadLibrary(path)
        print(\"loaded \\(path)\")
    } catch e: AbiError {
        print(\"AbiError: \\(e.message)\")
    } catch e: LoadError {
        print(\"LoadError: \\(e.message)\")
    }
}
for p in host.plugins { print(\"\\(p.name): \\(p.run()) \\(p is host.Plugin)\") }
";

fn plugin(name: &str) -> String {
    format!(
        "import host
class Greeter : host.Plugin {{
    init() {{ super.init(\"{name}.Greeter\") }}
    override public fn run() -> String {{ return \"hello from {name}, \\(self is Greeter)\" }}
}}
init {{ host.registerPlugin(Greeter()) }}
"
    )
}

fn tess(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_tess")).args(args).current_dir(dir).output().expect("running tess");
    assert!(out.status.success(), "tess {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn host_library(dir: &Path, source: &str) {
    std::fs::write(dir.join("host/host.tes"), source).expect("host.tes");
    tess(dir, &["build", "--lib", "--module", "host", "host/host.tes", "--shared", "-o", "host/libhost.so"]);
}

fn run(dir: &Path, args: &[&str], stress: bool) -> String {
    let mut cmd = Command::new(dir.join("prog"));
    cmd.args(args).current_dir(dir);
    if stress {
        cmd.env("TESS_GC_STRESS", "1");
    }
    let out = cmd.output().expect("running prog");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    for sub in ["host", "plugins"] {
        std::fs::create_dir(d.join(sub)).expect("dir");
    }
    host_library(d, HOST);
    std::fs::write(d.join("main.tes"), MAIN).expect("main.tes");
    tess(d, &["build", "main.tes", "-I", "host", "-o", "prog"]);
    for name in ["a", "b"] {
        std::fs::write(d.join(format!("plugins/{name}.tes")), plugin(name)).expect("plugin");
        let out = format!("plugins/lib{name}.so");
        tess(
            d,
            &["build", "--lib", "--module", name, &format!("plugins/{name}.tes"), "--shared", "-I", "host", "-o", &out],
        );
    }
    dir
}

#[test]
fn plugins_with_classes_of_the_same_name() {
    let dir = setup();
    for stress in [false, true] {
        let out = run(dir.path(), &["plugins/liba.so", "plugins/libb.so", "plugins/liba.so", "missing.so"], stress);
        let expected = "loaded plugins/liba.so\nloaded plugins/libb.so\n\
            LoadError: cannot load plugins/liba.so: a module named `a` is already loaded\n\
            LoadError: cannot load missing.so: missing.so: cannot open shared object file: No such file or directory\n\
            a.Greeter: hello from a, true true\nb.Greeter: hello from b, true true\n";
        assert_eq!(out, expected, "stress={stress}");
    }
}

#[test]
fn compatible_upgrade_keeps_old_plugins_loading() {
    let dir = setup();
    let upgraded = HOST.replace("\"nothing\"", "\"something else\"") + "export fn newHelper() -> Int { return 42 }\n";
    host_library(dir.path(), &upgraded);
    let out = run(dir.path(), &["plugins/liba.so"], false);
    assert_eq!(out, "loaded plugins/liba.so\na.Greeter: hello from a, true true\n");
}

#[test]
fn breaking_upgrade_is_an_abi_error_naming_the_declaration() {
    let dir = setup();
    let changed = HOST.replace("registerPlugin(p: Plugin)", "registerPlugin(p: Plugin, priority: Int)");
    host_library(dir.path(), &changed);
    let out = run(dir.path(), &["plugins/liba.so"], false);
    assert!(
        out.starts_with("AbiError: cannot load plugins/liba.so: module `a` was compiled against `host.registerPlugin` with fingerprint "),
        "{out}"
    );
    let removed = HOST.replace("export fn registerPlugin(p: Plugin) { plugins.push(p) }\n", "");
    host_library(dir.path(), &removed);
    let out = run(dir.path(), &["plugins/libb.so"], false);
    assert!(out.starts_with("AbiError: cannot load plugins/libb.so: it uses `host.registerPlugin`"), "{out}");
}

/// The same under the JIT: `tess run -I host main.tes` loads the plugins
/// into the process that runs the JIT-compiled program.
#[test]
fn plugins_load_under_the_jit() {
    let dir = setup();
    for stress in [false, true] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tess"));
        cmd.args(["run", "-I", "host", "main.tes", "plugins/liba.so", "plugins/libb.so"]).current_dir(dir.path());
        if stress {
            cmd.env("TESS_GC_STRESS", "1");
        }
        let out = cmd.output().expect("tess run");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "loaded plugins/liba.so\nloaded plugins/libb.so\na.Greeter: hello from a, true true\nb.Greeter: hello from b, true true\n",
            "stress={stress}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
