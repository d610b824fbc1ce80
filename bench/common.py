"""Helpers shared by the cross-module and C-boundary benchmarks: running a
command that must succeed, and timing an executable over several runs."""
import os, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESS = os.path.join(ROOT, "target", "release", "tess")


def sh(cmd, cwd):
    """Runs `cmd` in `cwd`, exiting with its stderr if it fails; its stdout."""
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{p.stderr}")
    return p.stdout


def timed(exe, cwd, runs):
    """The median wall time of `runs` runs of `exe`, and its output (which
    must be the same every run)."""
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        o = sh([exe], cwd)
        times.append(time.perf_counter() - start)
        if out is not None and o != out:
            sys.exit(f"{exe}: output changed between runs")
        out = o
    return statistics.median(times), out
