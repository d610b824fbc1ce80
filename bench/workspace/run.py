#!/usr/bin/env python3
"""Package-level timings of issue 32, in one go: a no-op `tess build` of a
workspace of three packages (a <- b <- c, 34 + 33 + 33 modules, path
dependencies, c has the program), and `tess test` of one file of 1,000
tiny tests (compile, link, run). Prints medians.

usage: bench/workspace/run.py [-n RUNS]
"""
import argparse, os, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from common import TESS  # noqa: E402


def package(root, name, n, dep, prefix, dep_prefix, program):
    """Writes package `name` with `n` modules PREFIXi, each calling one
    module of the package it depends on."""
    os.makedirs(f"{root}/{name}/src", exist_ok=True)
    toml = f'[package]\nname = "{name}"\nversion = "1.0.0"\n'
    if dep:
        toml += f'\n[dependencies]\n{dep} = {{ path = "../{dep}", version = "1" }}\n'
    with open(f"{root}/{name}/Tessera.toml", "w") as f:
        f.write(toml)
    for i in range(n):
        os.makedirs(f"{root}/{name}/src/{prefix}{i}", exist_ok=True)
        imp = f"import {dep_prefix}{i % 30}\n" if dep_prefix else ""
        body = f"{dep_prefix}{i % 30}.f{i % 30}(x) + 1" if dep_prefix else "x * 2"
        with open(f"{root}/{name}/src/{prefix}{i}/{prefix}{i}.tes", "w") as f:
            f.write(f"{imp}export fn f{i}(x: Int) -> Int {{ return {body} }}\n")
    if program:
        imports = "".join(f"import {prefix}{i}\n" for i in range(n))
        total = " + ".join(f"{prefix}{i}.f{i}(1)" for i in range(n))
        with open(f"{root}/{name}/src/main.tes", "w") as f:
            f.write(imports + f"print({total})\n")


def median_seconds(cmd, cwd, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=10, help="runs of each (default 10)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as root:
        package(root, "a", 34, None, "ma", None, False)
        package(root, "b", 33, "a", "mb", "ma", False)
        package(root, "c", 33, "b", "mc", "mb", True)
        subprocess.run([TESS, "build"], cwd=f"{root}/c", check=True, capture_output=True)
        noop = median_seconds([TESS, "build"], f"{root}/c", args.n)
        with open(f"{root}/many.tes", "w") as f:
            f.write("fn sq(x: Int) -> Int { return x * x }\n")
            for i in range(1000):
                f.write(f"test fn t{i}() {{ assertEqual(sq({i}), {i * i}) }}\n")
        tests = median_seconds([TESS, "test", "many.tes"], root, max(3, args.n // 2))
    print(f"no-op tess build, 3 packages of 100 modules: {noop * 1000:.1f} ms")
    print(f"tess test, 1,000 tiny tests:                {tests:.3f} s")


if __name__ == "__main__":
    main()
