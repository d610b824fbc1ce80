#!/usr/bin/env python3
"""Compile speed (issue 15): the program of `gen.py` — 20,000 small
functions, 260,000 lines — compiled as one library module by `tess build`
(optimising, and `-O0`), and its C twin by `gcc -O0`, `clang -O0` and
`tcc` where installed; median seconds, lines per second and peak RSS.
Then the growth test: `tess build -O0` of ten times the program must take
about ten times as long.

usage: bench/compile/run.py [-n RUNS] [--functions N]
"""
import os, statistics, subprocess, sys, tempfile, shutil

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from common import TESS, bench_args, run_rss  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def measure(cmd, cwd, runs):
    """Median wall seconds and peak RSS (KiB) of `runs` runs."""
    samples = [run_rss(cmd, cwd) for _ in range(runs)]
    return statistics.median(t for t, _ in samples), max(r for _, r in samples)


def main():
    args = bench_args(3, functions=20000)
    with tempfile.TemporaryDirectory(prefix="tess-compile-") as d:
        subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), str(args.functions), d], check=True)
        lines = sum(1 for _ in open(os.path.join(d, "big.tes")))
        tess = [TESS, "build", "--lib", "--module", "big", "big.tes", "--static", "-o", "libbig.a"]
        rows = [("tess build", tess), ("tess build -O0", tess + ["-O0"])]
        for cc in ["gcc", "clang", "tcc"]:
            if shutil.which(cc):
                flags = ["-c"] if cc == "tcc" else ["-O0", "-c"]
                rows.append((f"{cc} {' '.join(flags[:-1])}".strip(), [cc, *flags, "big.c", "-o", "big.o"]))
        print(f"{lines} lines ({args.functions} functions); medians of {args.n} runs")
        print(f"{'compiler':<20}{'s':>8}{'lines/s':>12}{'peak MiB':>10}")
        for label, cmd in rows:
            t, peak = measure(cmd, d, args.n)
            print(f"{label:<20}{t:>8.2f}{lines / t / 1000:>11.0f}k{peak / 1024:>10.0f}")
        big = os.path.join(d, "ten")
        os.mkdir(big)
        subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), str(10 * args.functions), big], check=True)
        one, _ = measure(tess + ["-O0"], d, 1)
        ten, peak = measure(tess + ["-O0"], big, 1)
        print(f"growth, tess build -O0: 1x {one:.2f} s, 10x {ten:.2f} s (ratio {ten / one:.1f}, peak {peak / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()
