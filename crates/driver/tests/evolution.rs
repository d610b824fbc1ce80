//! The library evolution suite (MODULES.md §11, `tests/evolution/`): a
//! library `shapes` (`v1/shapes.tes`), a program and a plugin built once
//! against it, and for each kind of change a case directory holding the
//! upgraded library (`shapes.tes`) and what must happen (`expect`). Each
//! case swaps the upgraded `libshapes.so` in under the old binaries (no
//! relink) and runs the program and the plugin's host (AOT, under
//! `TESS_GC_STRESS=1`, and under the JIT against the old interface);
//! `tess abi-diff` of
//! the two interfaces must give the expected lines, and its verdict must
//! agree with what the loader did.
//!
//! `expect` lines (`#` comments): `verdict: compatible|breaking`, `diff:
//! LINE` (each line abi-diff prints, in order), `program: LINE` (the
//! program's whole output; without any, `program.out`'s), `program-error:
//! TEXT` (the program is refused: status 1, standard error contains TEXT),
//! `plugin: LINE` (the plugin host's whole output; without any,
//! `plugin.out`'s), `plugin-error: TEXT` (the plugin is refused: the
//! host's output contains TEXT).
//!
//! `TESS_TEST_FILTER=text` runs only the cases whose name contains it.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{as_a_user, for_all, shell_status};

#[derive(Default)]
struct Expect {
    breaking: bool,
    diff: Vec<String>,
    program: Vec<String>,
    program_error: Option<String>,
    plugin: Vec<String>,
    plugin_error: Option<String>,
}

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/evolution")
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

fn parse(text: &str) -> Result<Expect, String> {
    let mut e = Expect::default();
    let mut verdict = None;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once(':').ok_or_else(|| format!("expect line {}: no `key:`", i + 1))?;
        let value = value.strip_prefix(' ').unwrap_or(value).to_string();
        match key {
            "verdict" => verdict = Some(value == "breaking"),
            "diff" => e.diff.push(value),
            "program" => e.program.push(value),
            "program-error" => e.program_error = Some(value),
            "plugin" => e.plugin.push(value),
            "plugin-error" => e.plugin_error = Some(value),
            _ => return Err(format!("expect line {}: unknown key `{key}`", i + 1)),
        }
    }
    e.breaking = verdict.ok_or("expect: no `verdict:`")?;
    Ok(e)
}

/// Output of a command run in `dir` as a user would: (status, stdout, stderr).
fn run(dir: &Path, args: &[&str], stress: bool) -> Result<(i32, String, String), String> {
    let tess = env!("CARGO_BIN_EXE_tess");
    let program = if args[0] == "tess" { tess } else { args[0] };
    let mut cmd = Command::new(program);
    cmd.args(&args[1..]).current_dir(dir).env("XDG_CACHE_HOME", dir.join(".user-cache"));
    let out = as_a_user(&mut cmd, stress).output().map_err(|e| format!("running {}: {e}", args.join(" ")))?;
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    Ok((shell_status(out.status), text(&out.stdout), text(&out.stderr)))
}

/// Runs a command that must succeed.
fn build(dir: &Path, args: &[&str]) -> Result<(), String> {
    match run(dir, args, false)? {
        (0, _, _) => Ok(()),
        (s, out, err) => Err(format!("`{}` failed with status {s}:\n{out}{err}", args.join(" "))),
    }
}

fn same(what: &str, got: &str, want: &[String]) -> Result<(), String> {
    if lines(got) == want {
        Ok(())
    } else {
        Err(format!("{what}: expected\n{}\ngot\n{got}", want.join("\n")))
    }
}

/// Builds v1, the program, the plugin and its host in `dir`.
fn build_v1(dir: &Path) -> Result<(), String> {
    let s = suite();
    let src = |f: &str| s.join(f).to_string_lossy().into_owned();
    build(
        dir,
        &["tess", "build", "--lib", "--shared", "--module", "shapes", &src("v1/shapes.tes"), "-o", "lib/libshapes.so"],
    )?;
    build(dir, &["tess", "build", &src("program.tes"), "-I", "lib", "-o", "prog"])?;
    build(
        dir,
        &[
            "tess",
            "build",
            "--lib",
            "--shared",
            "--module",
            "plug",
            &src("plugin.tes"),
            "-I",
            "lib",
            "-o",
            "plug/libplug.so",
        ],
    )?;
    build(dir, &["tess", "build", &src("host.tes"), "-I", "lib", "-o", "host"])
}

/// What the program and the plugin's host print with whatever library is
/// in `lib/`, checked against `e` (AOT, GC stress, and the JIT compiled
/// against the interface in `lib/`).
fn check_runs(dir: &Path, e: &Expect, program: &[String], plugin: &[String]) -> Result<(), String> {
    let source = suite().join("program.tes").to_string_lossy().into_owned();
    let runs: [(&str, &[&str], bool); 3] = [
        ("program", &["./prog"], false),
        ("program under GC stress", &["./prog"], true),
        ("program under the JIT", &["tess", "run", "-I", "lib", &source], false),
    ];
    for (what, args, stress) in runs {
        let (status, out, err) = run(dir, args, stress)?;
        match &e.program_error {
            Some(text) if status != 1 || !err.contains(text.as_str()) => {
                return Err(format!(
                    "{what}: expected status 1 and `{text}` on standard error, got {status}:\n{out}{err}"
                ))
            }
            Some(_) => {}
            None if status != 0 => return Err(format!("{what}: status {status}:\n{out}{err}")),
            None => same(what, &out, program)?,
        }
    }
    let host = suite().join("host.tes").to_string_lossy().into_owned();
    let hosts: [(&[&str], bool); 3] = [
        (&["./host", "plug/libplug.so"], false),
        (&["./host", "plug/libplug.so"], true),
        (&["tess", "run", "-I", "lib", &host, "plug/libplug.so"], false),
    ];
    for (args, stress) in hosts {
        let (status, out, err) = run(dir, args, stress)?;
        if status != 0 {
            return Err(format!("plugin host: status {status}:\n{out}{err}"));
        }
        match &e.plugin_error {
            Some(text) if !out.contains(text.as_str()) => {
                return Err(format!("plugin host: expected `{text}` in its output, got:\n{out}{err}"))
            }
            Some(_) => {}
            None => same("plugin host", &out, plugin)?,
        }
    }
    Ok(())
}

fn run_case(case: &Path) -> Result<(), String> {
    let e = parse(&read(&case.join("expect"))?)?;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dir = tmp.path();
    build_v1(dir)?;
    let baseline = |file: &str, given: &[String]| -> Result<Vec<String>, String> {
        if given.is_empty() {
            Ok(lines(&read(&suite().join(file))?))
        } else {
            Ok(given.to_vec())
        }
    };
    let program = baseline("program.out", &e.program)?;
    let plugin = baseline("plugin.out", &e.plugin)?;
    let v2 = case.join("shapes.tes").to_string_lossy().into_owned();
    build(dir, &["tess", "build", "--lib", "--shared", "--module", "shapes", &v2, "-o", "v2/libshapes.so"])?;
    let (status, out, err) = run(dir, &["tess", "abi-diff", "lib/shapes.tesi", "v2/shapes.tesi"], false)?;
    same("tess abi-diff", &out, &e.diff)?;
    if status != i32::from(e.breaking) {
        return Err(format!("tess abi-diff: status {status}, expected {}:\n{err}", i32::from(e.breaking)));
    }
    // abi-diff's verdict and the loader's agree: a breaking change refuses
    // the program built against v1, a compatible one runs it.
    if e.breaking != e.program_error.is_some() {
        return Err("the expected verdict and the program's expected outcome disagree".into());
    }
    std::fs::copy(dir.join("v2/libshapes.so"), dir.join("lib/libshapes.so")).map_err(|e| e.to_string())?;
    check_runs(dir, &e, &program, &plugin)
}

#[test]
fn evolution() {
    let cases_dir = suite().join("cases");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&cases_dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", cases_dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expect").exists())
        .collect();
    cases.sort();
    if let Ok(filter) = std::env::var("TESS_TEST_FILTER") {
        cases.retain(|p| p.to_string_lossy().contains(&filter));
    }
    for_all(&cases, run_case);
}

/// v1 against itself: the baseline outputs are what v1 prints.
#[test]
fn baseline() {
    let tmp = tempfile::tempdir().expect("a temporary directory");
    build_v1(tmp.path()).unwrap();
    let program = lines(&read(&suite().join("program.out")).unwrap());
    let plugin = lines(&read(&suite().join("plugin.out")).unwrap());
    check_runs(tmp.path(), &Expect::default(), &program, &plugin).unwrap();
}
