#!/usr/bin/env python3
"""Cross-module costs (issues 4 and 11): a call into another module vs
within the module (callee linked statically and as a shared library); on a
class of another module vs one of this module — resilient layouts,
MODULES.md §11 — a virtual call, field reads and writes, construction and
`is` tests; and dlopen of a library that
exports 10 of its 5,000 functions vs a C library exporting all 5,000.

usage: bench/modules/run.py [-n RUNS]
"""
import os, statistics, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from common import TESS, copy_sources, bench_args, sh, timed  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def dlopen_bench(tmp, runs):
    """A Tessera library of 5,000 functions exporting 10, and a C library of
    5,000 exporting all; the median microseconds to dlopen (RTLD_NOW) each
    and look up 10 symbols."""
    n = 5000
    exported = list(range(0, n, 500))
    with open(os.path.join(tmp, "big.tes"), "w") as f:
        for i in range(n):
            vis = "export " if i in exported else ""
            body = f"return f{i - 1}(x) + 1" if i else "return x"
            f.write(f"{vis}fn f{i}(x: Int) -> Int {{ {body} }}\n")
    sh([TESS, "build", "--lib", "--module", "big", "big.tes", "--shared", "-o", "libbig.so"], tmp)
    with open(os.path.join(tmp, "cbig.c"), "w") as f:
        for i in range(n):
            body = f"return f{i - 1}(x) + 1;" if i else "return x;"
            f.write(f"long f{i}(long x) {{ {body} }}\n")
    sh(["gcc", "-O2", "-shared", "-fPIC", "cbig.c", "-o", "libcbig.so"], tmp)
    with open(os.path.join(tmp, "load.c"), "w") as f:
        f.write(LOAD_C)
    sh(["gcc", "-O2", "load.c", "-o", "load", "-ldl"], tmp)
    tess_names = [f"_T3big{len(f'f{i}')}f{i}" for i in exported]
    c_names = [f"f{i}" for i in exported]
    res = []
    for label, lib, names in [("tessera, 10 of 5000 exported", "./libbig.so", tess_names), ("C, all 5000 exported", "./libcbig.so", c_names)]:
        samples = [float(sh(["./load", lib, *names], tmp)) for _ in range(runs)]
        res.append((label, statistics.median(samples)))
    return res


LOAD_C = r"""
#include <dlfcn.h>
#include <stdio.h>
#include <time.h>
int main(int argc, char **argv) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    void *h = dlopen(argv[1], RTLD_NOW);
    if (!h) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    for (int i = 2; i < argc; i++)
        if (!dlsym(h, argv[i])) { fprintf(stderr, "no %s\n", argv[i]); return 1; }
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%.1f\n", (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3);
    return 0;
}
"""


def main():
    runs = bench_args().n
    with tempfile.TemporaryDirectory(prefix="tess-modbench-") as tmp:
        copy_sources(HERE, tmp, (".tes",))
        os.mkdir(os.path.join(tmp, "static"))
        os.mkdir(os.path.join(tmp, "shared"))
        sh([TESS, "build", "--lib", "--module", "callee", "callee.tes", "--static", "-o", "static/libcallee.a"], tmp)
        sh([TESS, "build", "--lib", "--module", "callee", "callee.tes", "--shared", "-o", "shared/libcallee.so"], tmp)
        for prog in ["cross", "vcross", "fcross", "ncross", "icross"]:
            for kind in ["static", "shared"]:
                sh([TESS, "build", f"{prog}.tes", "-I", kind, "-o", f"{prog}_{kind}"], tmp)
        for prog in ["local", "vlocal", "flocal", "nlocal", "ilocal"]:
            sh([TESS, "build", f"{prog}.tes", "-o", prog], tmp)
        rows = []
        for base, label, pairs in [
            ("local", "call", [("cross_static", "static lib"), ("cross_shared", "shared lib")]),
            ("vlocal", "virtual call", [("vcross_static", "static lib"), ("vcross_shared", "shared lib")]),
            ("flocal", "fields", [("fcross_static", "static lib"), ("fcross_shared", "shared lib")]),
            ("nlocal", "construction", [("ncross_static", "static lib"), ("ncross_shared", "shared lib")]),
            ("ilocal", "`is` test", [("icross_static", "static lib"), ("icross_shared", "shared lib")]),
        ]:
            tb, ob = timed(os.path.join(tmp, base), tmp, runs)
            for exe, kind in pairs:
                t, o = timed(os.path.join(tmp, exe), tmp, runs)
                if o != ob:
                    sys.exit(f"{exe} printed {o!r}, {base} printed {ob!r}")
                rows.append((f"{label} into a {kind}", t, tb, t / tb))
        print(f"{'measure':<36}{'cross s':>9}{'local s':>9}{'ratio':>7}")
        for name, t, tb, r in rows:
            print(f"{name:<36}{t:>9.3f}{tb:>9.3f}{r:>7.2f}")
        print(f"(medians of {runs} runs)")
        print()
        for label, us in dlopen_bench(tmp, max(runs, 9)):
            print(f"dlopen + 10 dlsym, {label:<32}{us:>9.1f} us")


if __name__ == "__main__":
    main()
