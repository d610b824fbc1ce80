#!/usr/bin/env python3
"""Threads (issue 9): binary_trees' loop over 2 threads vs 1 on this
machine (throughput ratio), 20,000 spawn+join of an empty function vs
pthread_create+pthread_join in C, peak RSS after 200,000 and 400,000 of them
(a finished thread leaves nothing behind: its `Thread` object is garbage
the collector frees once 4 MiB have piled up, so both counts are past
that), and reading a thread-local
variable of another shared-library module in a loop vs a local variable.
Medians of runs taken alternately. And the experiment behind the choice of
how compiled code reaches its thread's state (`state/`, in C): a Tessera
frame protocol in a shared library with the state in process-wide
globals (before threads), passed as an argument (the choice), or in ELF
thread-locals (general-dynamic, the only model across shared libraries
that Cranelift emits; initial-exec for reference).

usage: bench/threads/run.py [-n RUNS]
"""
import os, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from common import TESS, bench_args, copy_sources, run_rss, sh, timed  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def pair(tmp, runs, a, b):
    """Medians of `a` and `b` (argument lists), run alternately; both must
    print the same."""
    ta, tb, out_a, out_b = [], [], None, None
    for _ in range(runs):
        t, out_a = timed(a, tmp, 1)
        ta.append(t)
        t, out_b = timed(b, tmp, 1)
        tb.append(t)
    if out_a != out_b:
        sys.exit(f"{a} and {b} print differently")
    ta.sort()
    tb.sort()
    return ta[len(ta) // 2], tb[len(tb) // 2]


STATE_VARIANTS = [
    ("globals (before threads)", ["-DUSE_GLOBAL"]),
    ("argument (Tessera's choice)", []),
    ("ELF TLS, general-dynamic", ["-DUSE_TLS", "-ftls-model=global-dynamic"]),
    ("ELF TLS, initial-exec", ["-DUSE_TLS", "-ftls-model=initial-exec"]),
]


def build_state_variants(tmp):
    """Each variant of the state experiment as an executable over two shared
    libraries (the runtime's state, the module's code); their paths."""
    src = os.path.join(HERE, "state")
    exes = []
    for i, (_, flags) in enumerate(STATE_VARIANTS):
        d = os.path.join(tmp, f"state{i}")
        os.mkdir(d)
        sh(["gcc", "-O2", "-fPIC", "-shared", *flags, f"{src}/rt.c", "-o", f"{d}/librt.so"], tmp)
        sh(["gcc", "-O2", "-fPIC", "-shared", *flags, f"{src}/lib.c", f"-L{d}", "-lrt", f"-Wl,-rpath,{d}",
            "-o", f"{d}/liblib.so"], tmp)
        sh(["gcc", "-O2", *flags, f"{src}/main.c", f"-L{d}", "-llib", "-lrt", f"-Wl,-rpath,{d}", "-o", f"{d}/main"], tmp)
        exes.append(f"{d}/main")
    return exes


def main():
    runs = bench_args().n
    with tempfile.TemporaryDirectory(prefix="tess-threadbench-") as tmp:
        copy_sources(HERE, tmp, (".tes", ".c"))
        sh([TESS, "build", "trees.tes", "-o", "trees"], tmp)
        sh([TESS, "build", "spawn.tes", "-o", "spawn"], tmp)
        sh(["gcc", "-O2", "-pthread", "spawn.c", "-o", "spawn_c"], tmp)
        sh([TESS, "build", "--lib", "--module", "counters", "counters.tes", "--shared", "-o", "libcounters.so"], tmp)
        sh([TESS, "build", "varcross.tes", "-I", ".", "-o", "varcross"], tmp)
        sh([TESS, "build", "varlocal.tes", "-o", "varlocal"], tmp)
        one, two = pair(tmp, runs, ["./trees", "1"], ["./trees", "2"])
        print(f"{'binary_trees loop':40} 1 thread {one:7.3f} s   2 threads {two:7.3f} s   throughput x{one / two:5.2f}")
        c, t = pair(tmp, runs, ["./spawn_c"], ["./spawn"])
        print(f"{'20,000 spawn+join':40} C {c * 1e6 / 20000:7.1f} us   Tessera {t * 1e6 / 20000:7.1f} us   ratio {t / c:5.2f}")
        few, many = run_rss(["./spawn", "200000"], tmp)[1], run_rss(["./spawn", "400000"], tmp)[1]
        print(f"{'peak RSS after spawn+join':40} 200,000 threads {few / 1024:6.1f} MiB   400,000 threads {many / 1024:6.1f} MiB")
        local, cross = pair(tmp, runs, ["./varlocal"], ["./varcross"])
        print(f"{'200M reads of a variable':40} local {local:7.3f} s   other module's {cross:7.3f} s   ratio {cross / local:5.2f}")
        exes = build_state_variants(tmp)
        print("thread state in a shared library's calls (C, fib(36) with Tessera's frame protocol):")
        for (label, _), exe in zip(STATE_VARIANTS[1:], exes[1:]):
            base, t = pair(tmp, runs, [exes[0]], [exe])
            print(f"  {label:38} {t:7.3f} s   globals {base:7.3f} s   ratio {t / base:5.2f}")


if __name__ == "__main__":
    main()
