#!/usr/bin/env python3
"""Builds every benchmark in Tessera (release `tess`) and in C (gcc -O2),
or, where `NAME.base.tes` exists, in Tessera without the measured feature;
where an OCaml (`NAME.ml`) or Java (`Name.java`) twin exists and
`ocamlopt` or `java` is installed, in those too (Java with its serial
collector and with its default one). Runs them all alternately, checks
they print the same, and prints medians, the Tessera/reference ratios,
peak RSS, the GC's peak heap over its peak old generation, and the
collection pauses `TESS_GC_STATS` reports.

usage: bench/run.py [-n RUNS] [NAME...]
"""
import argparse, os, re, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import ROOT, TESS, run_rss  # noqa: E402

# name -> list of (label, extra gcc flags); the first C variant is the reference.
C_VARIANTS = {
    "fib": [("gcc -O2", []), ("gcc -O2 noipa", ["-DNOIPA", "-fno-optimize-sibling-calls"])],
}


def run(cmd, env=None):
    """Runs cmd to completion; returns (stdout, stderr)."""
    p = subprocess.run(cmd, capture_output=True, env=env)
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({p.returncode}):\n{p.stderr.decode()}")
    return p.stdout.decode(), p.stderr.decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=5, help="runs per program (default 5)")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    names = args.names or sorted(f[:-4] for f in os.listdir(HERE) if f.endswith(".tes") and not f.endswith(".base.tes"))
    with tempfile.TemporaryDirectory(prefix="tess-bench-") as tmp:
        rows = bench_all(names, tmp, args.n)
    report(rows, args.n)


def bench_all(names, tmp, runs):
    rows = []
    for name in names:
        tes_exe = os.path.join(tmp, name + "_tes")
        t0 = time.perf_counter()
        subprocess.run([TESS, "build", os.path.join(HERE, name + ".tes"), "-o", tes_exe], check=True)
        compile_s = time.perf_counter() - t0
        c_exes = []
        base = os.path.join(HERE, name + ".base.tes")
        if os.path.exists(base):
            # The reference is another Tessera program (the same work without
            # the feature being measured).
            exe = os.path.join(tmp, f"{name}_base")
            subprocess.run([TESS, "build", base, "-o", exe], check=True)
            c_exes.append((name + ".base", exe))
        for label, flags in C_VARIANTS.get(name, [("gcc -O2", [])]) if not c_exes else []:
            exe = os.path.join(tmp, f"{name}_c{len(c_exes)}")
            subprocess.run(["gcc", "-O2", *flags, os.path.join(HERE, name + ".c"), "-o", exe, "-lm"], check=True)
            c_exes.append((label, exe))
        refs = [(label, [exe]) for label, exe in c_exes] + twins(name, tmp)
        expected = run(refs[0][1])[0]
        for label, cmd in [("tessera", [tes_exe])] + refs[1:]:
            got = run(cmd)[0]
            if got != expected:
                sys.exit(f"{name}: outputs differ\n{refs[0][0]}:\n{expected}\n{label}:\n{got}")
        stats = run([tes_exe], env={**os.environ, "TESS_GC_STATS": "1"})[1]
        m = re.search(r"heap \d+ KiB \(peak (\d+) KiB\), old generation \d+ KiB \(peak (\d+) KiB\)", stats)
        gc_ratio = f"{int(m.group(1)) / max(int(m.group(2)), 1):.2f}" if m and int(m.group(2)) > 0 else "-"
        PAUSES.append((name, stats.strip()))
        times = {label: [] for label, _ in [("tessera", None)] + refs}
        rss = {label: 0 for label in times}
        for _ in range(runs):
            for label, cmd in [("tessera", [tes_exe])] + refs:
                t, r = run_rss(cmd)
                times[label].append(t)
                rss[label] = max(rss[label], r)
        tmed = statistics.median(times["tessera"])
        for label, _ in refs:
            cmed = statistics.median(times[label])
            rows.append((name, label, tmed, cmed, tmed / cmed, rss["tessera"], rss[label], gc_ratio, compile_s))
    return rows


# (benchmark, its TESS_GC_STATS line), for the pause table.
PAUSES = []


def twins(name, tmp):
    """The OCaml and Java twins of benchmark `name` that can be built here,
    as (label, command) pairs."""
    found = []
    ml = os.path.join(HERE, name + ".ml")
    if os.path.exists(ml) and shutil.which("ocamlopt"):
        exe = os.path.join(tmp, name + "_ml")
        # ocamlopt writes its intermediate files beside the source: copy it.
        src = os.path.join(tmp, name + ".ml")
        shutil.copy(ml, src)
        subprocess.run(["ocamlopt", src, "-o", exe], check=True, cwd=tmp)
        found.append(("ocamlopt", [exe]))
    java = [f for f in os.listdir(HERE) if f.endswith(".java") and f[:-5].lower() == name.replace("_", "")]
    if java and shutil.which("javac") and shutil.which("java"):
        classes = os.path.join(tmp, name + "_java")
        subprocess.run(["javac", "-d", classes, os.path.join(HERE, java[0])], check=True)
        main = java[0][:-5]
        found.append(("java SerialGC", ["java", "-XX:+UseSerialGC", "-cp", classes, main]))
        found.append(("java default GC", ["java", "-cp", classes, main]))
    return found


def pause_report(w):
    """Young and full collections of each benchmark, with their pauses, in
    a first column `w` wide."""
    print(f"\n{'benchmark':<{w}}{'young':>7}  {'young pauses':<50}{'full':>5}  {'full pauses'}")
    for name, stats in PAUSES:
        m = re.search(r"\((\d+) young, (\d+) full\).*pauses young (.*?), full (.*)$", stats)
        if m:
            print(f"{name:<{w}}{m.group(1):>7}  {m.group(3):<50}{m.group(2):>5}  {m.group(4)}")


def report(rows, runs):
    w = max([15] + [len(row[0]) + 2 for row in rows])
    print(f"{'benchmark':<{w}}{'reference':<18}{'tessera s':>10}{'ref s':>9}{'ratio':>7}{'tess RSS':>10}{'ref RSS':>9}{'heap/old':>10}{'compile s':>10}")
    for name, label, t, c, ratio, trss, crss, gcr, cs in rows:
        print(f"{name:<{w}}{label:<18}{t:>10.3f}{c:>9.3f}{ratio:>7.2f}{trss / 1024:>8.1f}MB{crss / 1024:>7.1f}MB{gcr:>10}{cs:>10.2f}")
    print(f"(medians of {runs} runs; RSS is the peak over the runs; heap/old is the GC's peak heap over its peak old generation)")
    pause_report(w)


if __name__ == "__main__":
    main()
