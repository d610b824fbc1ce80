#!/usr/bin/env python3
"""Compile-time growth (issue 14): each shape of program is compiled with
`tess build` at a base size and at 10 times that size; a linear compiler
takes about 10 times as long. Prints the median build times and the ratio.

usage: bench/growth/run.py [-n RUNS]
"""
import argparse, os, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from common import ROOT, TESS, sh  # noqa: E402


def lines(n):
    return "var x = 0\n" + "x += 1\n" * n + "print(x)\n"


def nested_try(n):
    return "var t = 0\n" + "try {\n" * n + "t += 1\n" + "} catch e: Error { t += 100 }\n" * n + "print(t)\n"


def nested_if(n):
    return "var t = 0\n" + "if t == 0 {\n" * n + "t += 1\n" + "}\n" * n + "print(t)\n"


def functions(n):
    body = "".join(
        f"fn f{i}(x: Int) -> Int {{\n    var t = x\n    if t > {i} {{ t -= 1 }}\n"
        f"    for j in 0..3 {{ t += j }}\n    return {'f%d(t)' % (i - 1) if i else 't'}\n}}\n"
        for i in range(n)
    )
    return body + f"print(f{n - 1}(1))\n"


def chain(n):
    return "let x = " + " + ".join(["1"] * n) + "\nprint(x)\n"


SHAPES = [
    ("statements (x += 1)", lines, 8000),
    ("nested try", nested_try, 99),
    ("nested if", nested_if, 99),
    ("functions", functions, 1000),
    ("operator chain", chain, 99),
]


def build_time(src, tmp, runs):
    path = os.path.join(tmp, "g.tes")
    with open(path, "w") as f:
        f.write(src)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        sh([TESS, "build", path, "-o", os.path.join(tmp, "g")], tmp)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=3)
    args = ap.parse_args()
    sh(["cargo", "build", "--release", "-q"], ROOT)
    print(f"{'shape':<22}{'size':>8}{'time':>10}{'size x10':>10}{'time':>10}{'ratio':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, make, n in SHAPES:
            a = build_time(make(n), tmp, args.n)
            b = build_time(make(10 * n), tmp, args.n)
            print(f"{name:<22}{n:>8}{a:>9.3f}s{10 * n:>10}{b:>9.3f}s{b / a:>8.1f}")


if __name__ == "__main__":
    main()
