//! The main test corpus: real Tessera programs under `tests/`, run through
//! the real `tess` binary.
//!
//! - `tests/run/*.tes` carry their expectations as comments:
//!   `// out: TEXT` (a line of standard output), `// err: TEXT` (a line of
//!   standard error), `// status: N` (default 0; a signal is 128 + its number), `// args: A B`,
//!   `// stdin: TEXT` (a line of standard input). Each runs
//!   compiled (AOT), under the JIT, and compiled with `TESS_GC_STRESS=1`.
//! - `tests/fail/*.tes` must not compile; each line carrying
//!   `// error(col N): TEXT` must get a diagnostic at that line and column
//!   whose message contains TEXT, and no other error may be reported
//!   (read from `--error-format=short`, one `file:line:col: error:` line
//!   per error).
//! - `tests/codegen/*.tes` are filetests of the generated code (Cranelift's
//!   idea): `tess build --emit=clif` of the program, then `// function: SYM`
//!   selects that function's IR, `// check: TEXT` must occur after the
//!   previous check's match in it, `// count: N TEXT` exactly N times in
//!   it, and `// not: TEXT` must not occur in it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
mod common;

use common::{as_a_user, for_all, Cross, AARCH64, WINDOWS};

fn tess() -> &'static str {
    env!("CARGO_BIN_EXE_tess")
}

fn corpus(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests").join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("reading {}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tes"))
        .collect();
    files.sort();
    if let Ok(filter) = std::env::var("TESS_TEST_FILTER") {
        files.retain(|p| p.to_string_lossy().contains(&filter));
    }
    files
}

struct Expect {
    stdout: String,
    stderr: String,
    status: i32,
    args: Vec<String>,
    stdin: String,
}

fn expectations(src: &str) -> Expect {
    let mut e =
        Expect { stdout: String::new(), stderr: String::new(), status: 0, args: Vec::new(), stdin: String::new() };
    for line in src.lines() {
        let Some(pos) = line.find("// ") else { continue };
        let directive = &line[pos + 3..];
        if let Some(t) = directive.strip_prefix("out:") {
            e.stdout.push_str(t.strip_prefix(' ').unwrap_or(t));
            e.stdout.push('\n');
        } else if let Some(t) = directive.strip_prefix("err:") {
            e.stderr.push_str(t.strip_prefix(' ').unwrap_or(t));
            e.stderr.push('\n');
        } else if let Some(t) = directive.strip_prefix("status:") {
            e.status = t.trim().parse().expect("status must be a number");
        } else if let Some(t) = directive.strip_prefix("stdin:") {
            e.stdin.push_str(t.strip_prefix(' ').unwrap_or(t));
            e.stdin.push('\n');
        } else if let Some(t) = directive.strip_prefix("args:") {
            e.args = t.split_whitespace().map(String::from).collect();
        }
    }
    e
}

fn compare(what: &str, out: &Output, e: &Expect) -> Result<(), String> {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // A signal counts as the shell reports it: 128 + its number.
    let status = out.status.code().or_else(|| {
        use std::os::unix::process::ExitStatusExt;
        out.status.signal().map(|s| 128 + s)
    });
    let status = status.unwrap_or(-1);
    if stdout != e.stdout || stderr != e.stderr || status != e.status {
        return Err(format!(
            "[{what}] status {status} (expected {})\n== stdout:\n{stdout}== expected stdout:\n{}== stderr:\n{stderr}== expected stderr:\n{}",
            e.status, e.stdout, e.stderr
        ));
    }
    Ok(())
}

fn run_cmd(cmd: &mut Command) -> Result<Output, String> {
    cmd.output().map_err(|e| format!("cannot run {cmd:?}: {e}"))
}

/// Runs a test program with `input` on its standard input.
fn run_with_input(cmd: &mut Command, input: &str) -> Result<Output, String> {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes()).map_err(|e| format!("writing stdin: {e}"))?;
    }
    child.wait_with_output().map_err(|e| format!("waiting for {cmd:?}: {e}"))
}

fn build(file: &Path, dir: &Path, cross: Option<&Cross>) -> Result<PathBuf, String> {
    let exe = dir.join(format!("prog{}", cross.map_or("", |c| c.exe_suffix)));
    let mut cmd = Command::new(tess());
    cmd.arg("build").arg(file).arg("-o").arg(&exe);
    if let Some(cross) = cross {
        cmd.args(["--target", cross.triple]);
    }
    let out = run_cmd(&mut cmd)?;
    if !out.status.success() {
        return Err(format!("tess build failed:\n{}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(exe)
}

/// Builds `file` (for `cross`, else the host) and runs it (under
/// `cross`'s emulator), with `TESS_GC_STRESS=1` when `stress`.
fn check_aot(file: &Path, stress: bool, cross: Option<&Cross>) -> Result<(), String> {
    let src = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let e = expectations(&src);
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let exe = build(file, dir.path(), cross)?;
    let mut cmd = cross.map_or_else(|| Command::new(&exe), |c| c.command(&exe));
    cmd.args(&e.args).current_dir(dir.path());
    as_a_user(&mut cmd, stress);
    let what = match (cross, stress) {
        (None, false) => "aot".to_string(),
        (None, true) => "aot, gc stress".to_string(),
        (Some(c), false) => c.triple.to_string(),
        (Some(c), true) => format!("{}, gc stress", c.triple),
    };
    let mut out = run_with_input(&mut cmd, &e.stdin)?;
    if cross.is_some_and(|c| c.failed_to_start(&out)) {
        out = run_with_input(&mut cmd, &e.stdin)?;
    }
    if let Some(cross) = cross {
        out.stderr = cross.program_stderr(&String::from_utf8_lossy(&out.stderr)).into_bytes();
    }
    compare(&what, &out, &e)
}

#[test]
fn run_aot() {
    for_all(&corpus("run"), |f| check_aot(f, false, None));
}

#[test]
fn run_aot_gc_stress() {
    for_all(&corpus("run"), |f| check_aot(f, true, None));
}

/// The corpus built for 64-bit ARM and run under `qemu-aarch64`, plain
/// and under GC stress (`docs/targets.md`).
#[test]
fn run_aarch64() {
    AARCH64.prepare_runtime(Path::new(tess()));
    for_all(&corpus("run"), |f| check_aot(f, false, Some(&AARCH64)).and_then(|()| check_aot(f, true, Some(&AARCH64))));
}

/// The corpus built for Windows and run under Wine, plain and under GC
/// stress (`docs/targets.md`).
#[test]
fn run_windows() {
    WINDOWS.prepare_runtime(Path::new(tess()));
    for_all(&corpus("run"), |f| check_aot(f, false, Some(&WINDOWS)).and_then(|()| check_aot(f, true, Some(&WINDOWS))));
}

#[test]
fn run_jit() {
    for_all(&corpus("run"), |file| {
        let src = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
        let e = expectations(&src);
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let abs = std::fs::canonicalize(file).map_err(|e| e.to_string())?;
        let out =
            run_with_input(Command::new(tess()).arg("run").arg(abs).args(&e.args).current_dir(dir.path()), &e.stdin)?;
        compare("jit", &out, &e)
    });
}

/// (line, column, message part) expected by a must-fail program.
fn expected_errors(src: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    for (i, line) in src.lines().enumerate() {
        let Some(pos) = line.find("// error(col ") else { continue };
        let rest = &line[pos + "// error(col ".len()..];
        let (col, msg) = rest.split_once("):").expect("malformed error directive");
        out.push((i + 1, col.trim().parse().expect("column"), msg.trim().to_string()));
    }
    out
}

#[test]
fn fail_diagnostics() {
    for_all(&corpus("fail"), |file| {
        let src = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
        let expected = expected_errors(&src);
        if expected.is_empty() {
            return Err("no `// error(col N): ...` directive".into());
        }
        let out =
            run_cmd(Command::new(tess()).args(["--error-format=short", "build"]).arg(file).arg("-o").arg("/dev/null"))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(1) {
            return Err(format!("expected status 1, got {:?}\n{stderr}", out.status.code()));
        }
        if stderr.contains("panicked") {
            return Err(format!("the compiler panicked:\n{stderr}"));
        }
        // `--error-format=short`: `FILE:LINE:COL: error: MESSAGE`.
        let found: Vec<(usize, usize, String)> = stderr
            .lines()
            .filter_map(|l| {
                let (place, msg) = l.split_once(": error: ")?;
                let mut parts = place.rsplitn(3, ':');
                let col = parts.next()?.parse().ok()?;
                let line = parts.next()?.parse().ok()?;
                Some((line, col, msg.to_string()))
            })
            .collect();
        let mut problems = Vec::new();
        for (line, col, msg) in &expected {
            if !found.iter().any(|(l, c, m)| l == line && c == col && m.contains(msg.as_str())) {
                problems.push(format!("missing {line}:{col}: {msg}"));
            }
        }
        for (line, col, msg) in &found {
            if !expected.iter().any(|(l, c, _)| l == line && c == col) {
                problems.push(format!("unexpected {line}:{col}: {msg}"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("{}\n== stderr:\n{stderr}", problems.join("\n")))
        }
    });
}

/// Checks the `// function:`, `// check:`, `// count:` and `// not:`
/// directives of a codegen filetest against the IR text.
fn check_clif(src: &str, clif: &str) -> Result<(), String> {
    let mut body: Option<&str> = None;
    let mut at = 0;
    let mut problems = Vec::new();
    for (i, line) in src.lines().enumerate() {
        let line_no = i + 1;
        let Some(pos) = line.find("// ") else { continue };
        let directive = &line[pos + 3..];
        if let Some(name) = directive.strip_prefix("function:") {
            let start = format!("function %{}(", name.trim());
            body = clif.find(&start).map(|i| {
                let rest = &clif[i..];
                &rest[..rest.find("\n}").map_or(rest.len(), |e| e + 2)]
            });
            if body.is_none() {
                problems.push(format!("line {line_no}: no function `{}`", name.trim()));
            }
            at = 0;
        } else if let Some(text) = directive.strip_prefix("check:") {
            let Some(b) = body else { continue };
            match b[at..].find(text.trim()) {
                Some(i) => at += i + text.trim().len(),
                None => problems.push(format!("line {line_no}: `{}` not found after the previous check", text.trim())),
            }
        } else if let Some(rest) = directive.strip_prefix("count:") {
            let Some(b) = body else { continue };
            let (times, text) = rest.trim().split_once(' ').unwrap_or((rest.trim(), ""));
            let found = b.matches(text.trim()).count();
            if times.parse::<usize>().ok() != Some(found) {
                problems.push(format!("line {line_no}: `{}` found {found} times, not {times}", text.trim()));
            }
        } else if let Some(text) = directive.strip_prefix("not:") {
            if body.is_some_and(|b| b.contains(text.trim())) {
                problems.push(format!("line {line_no}: `{}` found", text.trim()));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[test]
fn codegen_filetests() {
    for_all(&corpus("codegen"), |file| {
        let src = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
        let out = run_cmd(Command::new(tess()).args(["build", "--emit=clif"]).arg(file))?;
        if !out.status.success() {
            return Err(format!("tess build --emit=clif failed:\n{}", String::from_utf8_lossy(&out.stderr)));
        }
        let clif = String::from_utf8_lossy(&out.stdout);
        check_clif(&src, &clif).map_err(|e| format!("{e}\n== clif:\n{clif}"))
    });
}
