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
