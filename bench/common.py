"""Helpers shared by the cross-module and C-boundary benchmarks: running a
command that must succeed, and timing an executable over several runs."""
import argparse, os, shutil, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESS = os.path.join(ROOT, "target", "release", "tess")


def sh(cmd, cwd):
    """Runs `cmd` in `cwd`, exiting with its stderr if it fails; its stdout."""
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{p.stderr}")
    return p.stdout


def timed(exe, cwd, runs):
    """The median wall time of `runs` runs of `exe` (a path, or a command
    with its arguments), and its output (which must be the same every run)."""
    cmd = exe if isinstance(exe, list) else [exe]
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        o = sh(cmd, cwd)
        times.append(time.perf_counter() - start)
        if out is not None and o != out:
            sys.exit(f"{exe}: output changed between runs")
        out = o
    return statistics.median(times), out


def runs_and_release_build():
    """The `-n RUNS` argument of a benchmark script (default 5), after
    building the release `tess` the script measures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=5)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    return args.n


def copy_sources(src, dst, suffixes):
    """Copies the files of directory `src` whose names end with one of
    `suffixes` into `dst`."""
    for f in os.listdir(src):
        if f.endswith(suffixes):
            shutil.copy(os.path.join(src, f), os.path.join(dst, f))
