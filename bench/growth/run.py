#!/usr/bin/env python3
"""Compile-time growth (issues 14 and 30): each shape of program is compiled with
`tess build` at a base size and at 10 times that size; a linear compiler
takes about 10 times as long. Prints the median build times and the ratio.

usage: bench/growth/run.py [-n RUNS]
"""
import os, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from common import TESS, bench_args  # noqa: E402


def lines(n):
    return "var x = 0\n" + "x += 1\n" * n + "print(x)\n"


def one_function(n):
    # Issue 30: one function of n statements (the register allocator's time
    # grew with the square of a function's size: 60,000 took 16.8 s).
    body = "".join(f"    x = x * 3 % 1000 + {i % 7}\n" for i in range(n))
    return "fn f() -> Int {\n    var x = 0\n" + body + "    return x\n}\nprint(f())\n"


def main_file(n):
    # Issue 30: a main file of n statements, assignments and branches.
    body = "".join(f"x = x * 3 % 1000 + {i % 7}\n" if i % 2 else "if x > 500 { x -= 1 }\n" for i in range(n))
    return "var x = 0\n" + body + "print(x)\n"


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


def errors(n):
    # One statement of n stray `)` (found by fuzzing: each syntax error
    # once scanned back over the statement and over every earlier error;
    # 200,000 took 10.2 s).
    return "print(1" + ")" * n + "\n"


# (name, program of size n, base size, whether it compiles)
SHAPES = [
    ("statements (x += 1)", lines, 8000, True),
    ("one function", one_function, 20000, True),
    ("main file", main_file, 20000, True),
    ("nested try", nested_try, 99, True),
    ("nested if", nested_if, 99, True),
    ("functions", functions, 1000, True),
    ("operator chain", chain, 99, True),
    ("stray ) in one line", errors, 20000, False),
]


def build_time(src, tmp, runs, compiles):
    path = os.path.join(tmp, "g.tes")
    with open(path, "w") as f:
        f.write(src)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        p = subprocess.run([TESS, "build", path, "-o", os.path.join(tmp, "g")], cwd=tmp, capture_output=True)
        if (p.returncode == 0) != compiles:
            sys.exit(f"tess build of a {len(src)}-byte program: status {p.returncode}")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    args = bench_args(3)
    print(f"{'shape':<22}{'size':>8}{'time':>10}{'size x10':>10}{'time':>10}{'ratio':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, make, n, compiles in SHAPES:
            a = build_time(make(n), tmp, args.n, compiles)
            b = build_time(make(10 * n), tmp, args.n, compiles)
            print(f"{name:<22}{n:>8}{a:>9.3f}s{10 * n:>10}{b:>9.3f}s{b / a:>8.1f}")


if __name__ == "__main__":
    main()
