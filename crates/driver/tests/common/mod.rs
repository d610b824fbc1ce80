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
    /// Where the emulator finds the target's C library and dynamic loader
    /// (`QEMU_LD_PREFIX`).
    pub sysroot: &'static str,
}

/// 64-bit ARM Linux, run by `qemu-aarch64` with Debian's cross C library.
pub const AARCH64: Cross =
    Cross { triple: "aarch64-unknown-linux-gnu", emulator: "qemu-aarch64", sysroot: "/usr/aarch64-linux-gnu" };

/// The cross targets the tests run.
pub const CROSS_TARGETS: [Cross; 1] = [AARCH64];

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
        cmd.arg(program).env("QEMU_LD_PREFIX", self.sysroot);
        cmd
    }
}
