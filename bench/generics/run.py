#!/usr/bin/env python3
"""Generics, interfaces and closures (issue 28), each against what it
replaces, in one run, medians and ratios:
- a generic `Vector[T]` of a shared library used with `Int` and with a
  class of the program, against the same vector written for that type in
  the program (and the generic one defined in the program itself);
- calls through a library's interface against virtual calls on a
  library's class;
- calls of a capturing closure against calls of a top-level function
  value;
- `xs.sort()` and `xs.sortBy { }` of 1,000,000 Ints against C's `qsort`.

usage: bench/generics/run.py [-n RUNS]
"""
import os, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from common import TESS, bench_args, copy_sources, sh, timed  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

PAIRS = [
    ("Vector[Int] from a shared library", "vec_int", "vec_int_local"),
    ("Vector[Int] in the same module", "vec_int_generic_local", "vec_int_local"),
    ("Vector[Item] from a shared library", "vec_obj", "vec_obj_local"),
    ("interface call (library's interface)", "iface_call", "virtual_call"),
    ("closure call", "closure_call", "fn_value_call"),
    ("sort() of 1M Ints vs C qsort", "sort", "sort_c"),
    ("sortBy closure of 1M Ints vs C qsort", "sort_by", "sort_c"),
]


def main():
    runs = bench_args().n
    with tempfile.TemporaryDirectory(prefix="tess-generics-") as tmp:
        copy_sources(HERE, tmp, (".tes", ".c"))
        os.mkdir(os.path.join(tmp, "shared"))
        for lib in ["gvec", "shapes"]:
            sh([TESS, "build", "--lib", "--module", lib, f"{lib}.tes", "--shared", "-o", f"shared/lib{lib}.so"], tmp)
        progs = {p for _, a, b in PAIRS for p in (a, b)} - {"sort_c"}
        for p in sorted(progs):
            sh([TESS, "build", f"{p}.tes", "-I", "shared", "-o", p], tmp)
        sh(["gcc", "-O2", "sort.c", "-o", "sort_c"], tmp)
        print(f"{'measure':<40}{'new s':>8}{'base s':>8}{'ratio':>7}")
        for label, new, base in PAIRS:
            tb, ob = timed(os.path.join(tmp, base), tmp, runs)
            tn, on = timed(os.path.join(tmp, new), tmp, runs)
            if on != ob:
                sys.exit(f"{new} printed {on!r}, {base} printed {ob!r}")
            print(f"{label:<40}{tn:>8.3f}{tb:>8.3f}{tn / tb:>7.2f}")
        print(f"(medians of {runs} runs; the base is the hand-written, virtual, direct or C twin)")


if __name__ == "__main__":
    main()
