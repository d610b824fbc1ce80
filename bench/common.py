"""Helpers shared by the cross-module and C-boundary benchmarks: running a
command that must succeed, and timing an executable over several runs."""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time

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


def run_rss(cmd, cwd=None, env=None):
    """Runs `cmd` with its output discarded under GNU time, exiting with its
    stderr if it fails; (wall seconds, peak RSS in KiB)."""
    with tempfile.NamedTemporaryFile("r") as f:
        start = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f.name, *cmd], cwd=cwd, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - start
        if p.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed with status {p.returncode}:\n{p.stderr}")
        return elapsed, int(f.read().split()[-1])


def bench_args(runs=5, **more):
    """A benchmark script's arguments — `-n RUNS` (default `runs`) and an
    integer `--NAME` for each of `more` (its default) — after building the
    release `tess` the script measures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=runs)
    for name, default in more.items():
        ap.add_argument(f"--{name}", type=int, default=default)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    return args


def copy_sources(src, dst, suffixes):
    """Copies the files of directory `src` whose names end with one of
    `suffixes` into `dst`."""
    for f in os.listdir(src):
        if f.endswith(suffixes):
            shutil.copy(os.path.join(src, f), os.path.join(dst, f))
