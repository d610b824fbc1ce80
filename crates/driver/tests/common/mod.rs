//! What the test runners share. Each test crate uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::sync::Mutex;

/// Runs `check` on every file on all cores; panics listing every failure.
pub fn for_all(files: &[PathBuf], check: impl Fn(&Path) -> Result<(), String> + Sync) {
    assert!(!files.is_empty(), "no test cases found");
    let next = Mutex::new(0usize);
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = {
                    let mut n = next.lock().unwrap();
                    *n += 1;
                    *n - 1
                };
                let Some(file) = files.get(i) else { break };
                if let Err(e) = check(file) {
                    failures.lock().unwrap().push(format!("--- {}\n{e}", file.display()));
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    if !failures.is_empty() {
        panic!("{} of {} failed:\n{}", failures.len(), files.len(), failures.join("\n"));
    }
}

/// Sets `cmd` up as a user's shell would run it: no `LD_LIBRARY_PATH`
/// (what `tess` builds must find its libraries itself), and
/// `TESS_GC_STRESS=1` only when `stress` asks for it.
pub fn as_a_user(cmd: &mut Command, stress: bool) -> &mut Command {
    cmd.env_remove("LD_LIBRARY_PATH").env_remove("TESS_GC_STRESS");
    if stress {
        cmd.env("TESS_GC_STRESS", "1");
    }
    cmd
}

/// An exit status as a shell reports it: a signal is 128 + its number.
pub fn shell_status(status: ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status.code().or_else(|| status.signal().map(|s| 128 + s)).unwrap_or(-1)
}

/// Copies the directory `from` into `to`, recursively, leaving out the
/// files named in `skip` (a test's data, into a fresh directory).
pub fn copy_dir(from: &Path, to: &Path, skip: &[&str]) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target, skip)?;
        } else if !skip.iter().any(|s| entry.file_name() == *s) {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// A platform other than the host that the tests build for and run under
/// an emulator (`docs/targets.md`).
pub struct Cross {
    /// Its target triple (`tess --target`).
    pub triple: &'static str,
    /// The emulator that runs its programs.
    pub emulator: &'static str,
    /// What its executables' names end with.
    pub exe_suffix: &'static str,
}

/// 64-bit ARM Linux, run by `qemu-aarch64` with Debian's cross C library.
pub const AARCH64: Cross = Cross { triple: "aarch64-unknown-linux-gnu", emulator: "qemu-aarch64", exe_suffix: "" };

/// x86-64 Windows, run by Wine in a prefix of the tests' own.
pub const WINDOWS: Cross = Cross { triple: "x86_64-pc-windows-gnu", emulator: "wine", exe_suffix: ".exe" };

/// The cross targets the tests run.
pub const CROSS_TARGETS: [Cross; 2] = [AARCH64, WINDOWS];

/// The Wine prefix (its `C:` drive and registry) the tests run Windows
/// programs in: one per user, made on first use.
fn wine_prefix() -> PathBuf {
    let home = std::env::var_os("HOME").map_or_else(std::env::temp_dir, PathBuf::from);
    home.join(".cache/tessera-tests/wine")
}

/// Makes the tests' Wine prefix, once, with `tests/wine`'s stand-in for
/// the one DLL Debian 12's Wine lacks (see its source).
fn prepare_wine_prefix() {
    let prefix = wine_prefix();
    let system32 = prefix.join("drive_c/windows/system32");
    let shim = system32.join("bcryptprimitives.dll");
    if shim.exists() {
        return;
    }
    let out = Command::new("wineboot")
        .arg("--init")
        .env("WINEPREFIX", &prefix)
        .env("WINEDEBUG", "-all")
        .output()
        .expect("running wineboot (.ci/run installs Wine)");
    assert!(out.status.success(), "wineboot failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/wine/bcryptprimitives.c");
    let partial = system32.join("bcryptprimitives.dll.partial");
    let out = Command::new("x86_64-w64-mingw32-gcc")
        .args(["-shared", "-O2", "-o"])
        .arg(&partial)
        .arg(&source)
        .arg("-ladvapi32")
        .output()
        .expect("running x86_64-w64-mingw32-gcc (.ci/run installs it)");
    assert!(out.status.success(), "building the Wine shim failed:\n{}", String::from_utf8_lossy(&out.stderr));
    std::fs::rename(&partial, &shim).expect("placing the Wine shim");
}

impl Cross {
    /// Builds the runtime for this target where `tess` finds it (Cargo's
    /// `target/TRIPLE/PROFILE/`, the profile of the `tess` under test),
    /// once per test process; panics with the reason when it cannot, as
    /// when the Rust target or the cross C compiler is missing (`.ci/run`
    /// installs both).
    pub fn prepare_runtime(&self, tess: &Path) {
        static BUILT: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
        let mut built = BUILT.lock().unwrap();
        if built.contains(&self.triple) {
            return;
        }
        if self.emulator == "wine" {
            prepare_wine_prefix();
            // One Wine server for all the programs the tests run at once,
            // kept 120 s past the last: a program starting while the
            // server of the previous one shuts down fails without a word
            // (a busy machine's builds can leave longer gaps than 30 s:
            // a fresh clone's full run had two programs end so). One left
            // by an earlier run (which may linger only 3 s) is stopped, and
            // waited for, first, or `-p120` would not take. It ends by
            // itself.
            let server = |flag: &str| Command::new("wineserver").arg(flag).env("WINEPREFIX", wine_prefix()).status();
            let _ = server("-k");
            let _ = server("-w");
            let _ = server("-p120");
        }
        let bin_dir = tess.parent().expect("tess has a directory");
        let profile = match bin_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") => "dev",
            Some(other) => other,
            None => panic!("{} is not in a Cargo target directory", tess.display()),
        };
        let target_dir = bin_dir.parent().expect("a Cargo target directory");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = Command::new(cargo)
            .args(["build", "-q", "-p", "tessera_rt", "--profile", profile, "--target", self.triple, "--target-dir"])
            .arg(target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("running cargo");
        assert!(
            out.status.success(),
            "building the runtime for {} failed (`rustup target add {0}` and its C cross compiler, as .ci/run does):\n{}",
            self.triple,
            String::from_utf8_lossy(&out.stderr)
        );
        built.push(self.triple);
    }

    /// Whether `out` is how Wine fails to start a program, not how a
    /// program ends: status 1 with nothing written (a Tessera program that
    /// fails says why). Seen about once per full run under load; such a
    /// run is tried once more.
    pub fn failed_to_start(&self, out: &std::process::Output) -> bool {
        self.emulator == "wine" && out.status.code() == Some(1) && out.stdout.is_empty() && out.stderr.is_empty()
    }

    /// `stderr` of a program run under the emulator without the
    /// emulator's own report of a signal that ended it (its status says
    /// that already).
    pub fn program_stderr(&self, stderr: &str) -> String {
        stderr.lines().filter(|l| !l.starts_with("qemu: uncaught target signal")).map(|l| format!("{l}\n")).collect()
    }

    /// A command running `program` (built for this target) under the
    /// emulator.
    pub fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(self.emulator);
        cmd.arg(program);
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        cmd
    }

    /// What the emulator needs in the environment, as its user sets it
    /// once: where qemu finds the target's C library; Wine's prefix, and
    /// its own diagnostics off (they are not the program's).
    pub fn env(&self) -> Vec<(&'static str, std::ffi::OsString)> {
        match self.emulator {
            "wine" => vec![("WINEPREFIX", wine_prefix().into_os_string()), ("WINEDEBUG", "-all".into())],
            _ => vec![("QEMU_LD_PREFIX", "/usr/aarch64-linux-gnu".into())],
        }
    }
}
