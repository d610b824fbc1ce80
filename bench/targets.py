#!/usr/bin/env python3
"""Cross targets (docs/targets.md): builds nbody and binary_trees with
`tess build --target TRIPLE` and their C twins with that target's gcc -O2,
runs both under the target's emulator, alternately, in one run, checks
they print the same, and prints medians and the Tessera/C ratios. The
emulator's overhead is in both sides of each ratio.

usage: bench/targets.py [-n RUNS] [TRIPLE...]
"""
import argparse, os, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import ROOT, TESS, sh  # noqa: E402

# triple -> (C compiler, emulator command, its environment, executable suffix).
# Windows runs in the tests' Wine prefix (made by `cargo test`, with the
# stand-in DLL Wine 8 lacks: tests/wine).
TARGETS = {
    "aarch64-unknown-linux-gnu": ("aarch64-linux-gnu-gcc", ["qemu-aarch64"], {"QEMU_LD_PREFIX": "/usr/aarch64-linux-gnu"}, ""),
    "x86_64-pc-windows-gnu": ("x86_64-w64-mingw32-gcc", ["wine"],
                              {"WINEPREFIX": os.path.expanduser("~/.cache/tessera-tests/wine"), "WINEDEBUG": "-all"}, ".exe"),
}
PROGRAMS = ["nbody", "binary_trees"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=5, help="runs per program (default 5)")
    ap.add_argument("targets", nargs="*", default=sorted(TARGETS))
    args = ap.parse_args()
    sh(["cargo", "build", "--release", "--quiet"], ROOT)
    print(f"{'target':28} {'program':14} {'tess (s)':>9} {'gcc -O2 (s)':>12} {'ratio':>6}")
    with tempfile.TemporaryDirectory(prefix="tess-targets-") as tmp:
        for triple in args.targets:
            cc, emulator, env, exe = TARGETS[triple]
            sh(["cargo", "build", "--release", "--quiet", "-p", "tessera_rt", "--target", triple], ROOT)
            for name in PROGRAMS:
                tes = os.path.join(tmp, triple, f"{name}-tes{exe}")
                c = os.path.join(tmp, triple, f"{name}-c{exe}")
                sh([TESS, "build", "--target", triple, os.path.join(HERE, name + ".tes"), "-o", tes], ROOT)
                sh([cc, "-O2", os.path.join(HERE, name + ".c"), "-o", c, "-lm"], ROOT)
                t_tes, t_c = alternate([emulator + [tes], emulator + [c]], env, args.n)
                print(f"{triple:28} {name:14} {t_tes:9.3f} {t_c:12.3f} {t_tes / t_c:6.2f}")


def alternate(cmds, env, runs):
    """Runs each of `cmds` `runs` times, A B A B, checking that all print
    the same; the median wall time of each."""
    times = [[] for _ in cmds]
    first = None
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            start = time.perf_counter()
            p = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **env})
            times[i].append(time.perf_counter() - start)
            if p.returncode != 0:
                sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
            if first is None:
                first = p.stdout
            elif p.stdout != first:
                sys.exit(f"{' '.join(cmd)} printed something else than {' '.join(cmds[0])}")
    return [statistics.median(t) for t in times]


if __name__ == "__main__":
    main()
