//! Multi-step scenarios (`tests/scenarios/NAME/`): each directory holds
//! its sources as files (Tessera, C, Python) and a `steps` file; the
//! directory is copied to a fresh temporary directory and the steps run
//! there, in order, with the real `tess`, `cc`, `nm`, `python3`. One
//! runner for every scenario, as rustc's `tests/run-make`.
//!
//! `steps` lines:
//! - `$ COMMAND`: run with `sh -c` (`tess` is on `PATH`, `$RT` is the
//!   directory of the runtime libraries `tess` links, `$REPO` the
//!   repository); `$gc COMMAND` runs
//!   it twice, the second time with `TESS_GC_STRESS=1`.
//! - after a command, its expectations: `| LINE` (standard output is
//!   exactly these lines), `~ TEXT` (standard output contains TEXT),
//!   `! LINE` (standard error is exactly these lines), `? TEXT` (standard
//!   error contains TEXT), `status: N` (default 0; a signal is 128 + N).
//! - `#` starts a comment; blank lines are ignored.
//!
//! A scenario whose steps build `--target TRIPLE` for a cross target gets
//! that target's runtime built first, and the emulator's environment set
//! as its user would set it once (`QEMU_LD_PREFIX`, so `qemu-aarch64
//! ./prog` runs a program; `WINEPREFIX`, the tests' Wine prefix).
//!
//! `TESS_TEST_FILTER=text` runs only the scenarios whose name contains it.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{as_a_user, copy_dir, for_all, shell_status, Cross, CROSS_TARGETS};

/// One command and what it must do.
#[derive(Default)]
struct Step {
    line: usize,
    command: String,
    stress_too: bool,
    stdout: Option<String>,
    stdout_has: Vec<String>,
    stderr: Option<String>,
    stderr_has: Vec<String>,
    status: i32,
}

fn parse(text: &str) -> Result<Vec<Step>, String> {
    let mut steps: Vec<Step> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (command, stress_too) = match (line.strip_prefix("$gc "), line.strip_prefix("$ ")) {
            (Some(c), _) => (Some(c), true),
            (None, Some(c)) => (Some(c), false),
            _ => (None, false),
        };
        if let Some(command) = command {
            steps.push(Step { line: i + 1, command: command.to_string(), stress_too, ..Step::default() });
            continue;
        }
        let step = steps.last_mut().ok_or_else(|| format!("line {}: an expectation before any command", i + 1))?;
        let text = |prefix: &str| line.strip_prefix(prefix).map(|t| t.strip_prefix(' ').unwrap_or(t).to_string());
        if let Some(t) = text("|") {
            let out = step.stdout.get_or_insert_with(String::new);
            out.push_str(&t);
            out.push('\n');
        } else if let Some(t) = text("!") {
            let err = step.stderr.get_or_insert_with(String::new);
            err.push_str(&t);
            err.push('\n');
        } else if let Some(t) = text("~") {
            step.stdout_has.push(t);
        } else if let Some(t) = text("?") {
            step.stderr_has.push(t);
        } else if let Some(t) = line.strip_prefix("status:") {
            step.status = t.trim().parse().map_err(|_| format!("line {}: bad status", i + 1))?;
        } else {
            return Err(format!("line {}: cannot read `{line}`", i + 1));
        }
    }
    Ok(steps)
}

/// The directory of the runtime libraries, found as `tess` finds it.
fn runtime_dir() -> PathBuf {
    let tess = Path::new(env!("CARGO_BIN_EXE_tess"));
    tess_driver::artifacts::runtime_dir_of(tess).unwrap_or_else(|| tess.with_file_name(""))
}

fn run_step(step: &Step, dir: &Path, stress: bool, cross: Option<&Cross>) -> Result<(), String> {
    let tess_dir = Path::new(env!("CARGO_BIN_EXE_tess")).parent().unwrap_or(Path::new("."));
    let path = format!("{}:{}", tess_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(&step.command).current_dir(dir).env("PATH", path).env("RT", runtime_dir());
    // Source modules outside a package build into the user's cache: one
    // per scenario.
    cmd.env("XDG_CACHE_HOME", dir.join(".user-cache")).env_remove("TESS_CACHE_DIR");
    // The repository, for scenarios that build its examples.
    cmd.env("REPO", Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."));
    if let Some(cross) = cross {
        for (k, v) in cross.env() {
            cmd.env(k, v);
        }
    }
    let out = as_a_user(&mut cmd, stress).output().map_err(|e| format!("cannot run sh: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let status = shell_status(out.status);
    let mut problems = Vec::new();
    if status != step.status {
        problems.push(format!("status {status:?}, expected {}", step.status));
    }
    if step.stdout.as_deref().is_some_and(|e| e != stdout) {
        problems.push(format!("standard output differs; expected:\n{}", step.stdout.as_deref().unwrap_or("")));
    }
    if step.stderr.as_deref().is_some_and(|e| e != stderr) {
        problems.push(format!("standard error differs; expected:\n{}", step.stderr.as_deref().unwrap_or("")));
    }
    problems
        .extend(step.stdout_has.iter().filter(|t| !stdout.contains(t.as_str())).map(|t| format!("stdout lacks `{t}`")));
    problems
        .extend(step.stderr_has.iter().filter(|t| !stderr.contains(t.as_str())).map(|t| format!("stderr lacks `{t}`")));
    if problems.is_empty() {
        return Ok(());
    }
    Err(format!(
        "line {}{}: `{}`\n{}\n== stdout:\n{stdout}== stderr:\n{stderr}",
        step.line,
        if stress { " (gc stress)" } else { "" },
        step.command,
        problems.join("\n")
    ))
}

fn run_scenario(dir: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(dir.join("steps")).map_err(|e| format!("steps: {e}"))?;
    let steps = parse(&text)?;
    if steps.is_empty() {
        return Err("no steps".into());
    }
    let cross = CROSS_TARGETS.iter().find(|c| text.contains(&format!("--target {}", c.triple)));
    if let Some(cross) = cross {
        cross.prepare_runtime(Path::new(env!("CARGO_BIN_EXE_tess")));
    }
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    copy_dir(dir, work.path(), &["steps"]).map_err(|e| format!("copying the scenario: {e}"))?;
    for step in &steps {
        run_step(step, work.path(), false, cross)?;
        if step.stress_too {
            run_step(step, work.path(), true, cross)?;
        }
    }
    Ok(())
}

#[test]
fn scenarios() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("reading {}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("steps").exists())
        .collect();
    dirs.sort();
    if let Ok(filter) = std::env::var("TESS_TEST_FILTER") {
        dirs.retain(|p| p.to_string_lossy().contains(&filter));
    }
    for_all(&dirs, run_scenario);
}
