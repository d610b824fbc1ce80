#!/usr/bin/env python3
"""Larger object-oriented programs (issue 30), each in Tessera and in Java,
run inside one process for many iterations: the first iteration (no
warm-up: start-up, JIT compilation and all) and the steady state (the
median of the second half of the iterations, Java's JIT warmed up).
Both sides print the same result line, which is checked. Runs alternate,
Tessera then Java; the figures are medians over the runs, with ratios
Tessera/Java and their geometric mean. The steady state's ratio is also
taken run by run (each Tessera run over the Java run after it), as
farm-bench pairs its runs: its median and range show how far the
machine's speed drifted between runs.

usage: bench/oo/run.py [-n RUNS] [--iterations N] [NAME...]
"""
import argparse, math, os, re, statistics, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from common import ROOT, TESS, sh  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# name -> (Java class, inner repetitions per iteration)
PROGRAMS = {
    "scheduler": ("Scheduler", 10),
    "solver": ("Solver", 3),
    "json": ("Json", 1),
    "graph": ("Graph", 3),
    "collision": ("Collision", 1),
}

ITERATION = re.compile(r"^iteration (\d+): (\d+) us$")


def run_iterations(cmd, cwd):
    """Runs one program; (microseconds per iteration, its result line)."""
    out = sh(cmd, cwd)
    times, result = [], None
    for line in out.splitlines():
        m = ITERATION.match(line)
        if m:
            times.append(int(m.group(2)))
        elif line.startswith("result:"):
            result = line
    if not times or result is None:
        sys.exit(f"{' '.join(cmd)} printed no iterations or no result:\n{out}")
    return times, result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=3, help="runs per program (default 3)")
    ap.add_argument("--iterations", type=int, default=40, help="iterations per run (default 40)")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    names = args.names or [n for n in PROGRAMS if os.path.exists(os.path.join(HERE, n + ".tes"))]
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="tess-oo-") as tmp:
        for name in names:
            java_class, inner = PROGRAMS[name]
            exe = os.path.join(tmp, name)
            sh([TESS, "build", os.path.join(HERE, name + ".tes"), "-o", exe], tmp)
            sh(["javac", "-d", tmp, os.path.join(HERE, java_class + ".java"), os.path.join(HERE, "Harness.java")], tmp)
            n = str(args.iterations)
            tess_cmd = [exe, n, str(inner)]
            java_cmd = ["java", "-cp", tmp, java_class, n, str(inner)]
            firsts = {"tess": [], "java": []}
            steadies = {"tess": [], "java": []}
            results = set()
            for _ in range(args.n):
                for side, cmd in (("tess", tess_cmd), ("java", java_cmd)):
                    times, result = run_iterations(cmd, tmp)
                    results.add(result)
                    firsts[side].append(times[0])
                    steadies[side].append(statistics.median(times[len(times) // 2:]))
            if len(results) != 1:
                sys.exit(f"{name}: Tessera and Java disagree: {sorted(results)}")
            first = {s: statistics.median(v) for s, v in firsts.items()}
            steady = {s: statistics.median(v) for s, v in steadies.items()}
            paired = sorted(t / j for t, j in zip(steadies["tess"], steadies["java"]))
            rows.append((name, first, steady, paired))
    print(f"{'program':<11} {'first tess ms':>13} {'java ms':>8} {'ratio':>6}   {'steady tess ms':>14} {'java ms':>8} {'ratio':>6}"
          f"   {'paired':>6} {'range':>11}")
    for name, first, steady, paired in rows:
        print(f"{name:<11} {first['tess'] / 1000:>13.2f} {first['java'] / 1000:>8.2f} {first['tess'] / first['java']:>6.2f}"
              f"   {steady['tess'] / 1000:>14.2f} {steady['java'] / 1000:>8.2f} {steady['tess'] / steady['java']:>6.2f}"
              f"   {statistics.median(paired):>6.2f} {paired[0]:>5.2f}-{paired[-1]:<5.2f}")
    geo = lambda xs: math.exp(sum(math.log(x) for x in xs) / len(xs))
    print(f"{'geomean':<11} {'':>13} {'':>8} {geo([f['tess'] / f['java'] for _, f, _, _ in rows]):>6.2f}"
          f"   {'':>14} {'':>8} {geo([s['tess'] / s['java'] for _, _, s, _ in rows]):>6.2f}"
          f"   {geo([statistics.median(p) for _, _, _, p in rows]):>6.2f}")
    print(f"(medians of {args.n} runs of {args.iterations} iterations; steady = median of each run's second half; "
          "paired = median of the runs' own steady ratios, with their range; Java 17 with its default collector)")


if __name__ == "__main__":
    main()
