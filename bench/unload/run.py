#!/usr/bin/env python3
"""Unloading a large plugin (issue 35): a generated plugin of N classes
(each a subclass of the host's `Plugin`, one object of each registered in
the host) is loaded and unloaded in a loop inside one process; the host
times `loadLibrary` and `lib.unload()` (its `fini { }` takes the objects
out of the host; the unload collects, walks the heap and forgets the
classes) with `clock()`, and this prints their medians.

usage: bench/unload/run.py [-n RUNS] [--classes N]
"""
import argparse, os, statistics, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from common import TESS, sh  # noqa: E402

HOST = """export open class Plugin {
    public fn run() -> Int {
        return 0
    }
}

export var plugins: [Plugin] = []
"""

MAIN = """import host

fn cycle(path: String) -> [Float] {
    let start = clock()
    let lib = loadLibrary(path)
    let loaded = clock()
    var sum = 0
    for p in host.plugins {
        sum += p.run()
    }
    if sum != %(expected)d {
        print("wrong sum \\(sum)")
    }
    let before = clock()
    lib.unload()
    return [loaded - start, clock() - before]
}

class Cell {
    var next: Cell? = nil
}

var live: [Cell] = []
for i in 0..args()[2].toInt()! {
    live.push(Cell())
}
for i in 0..args()[1].toInt()! {
    let t = cycle(args()[0])
    print("\\(t[0]) \\(t[1])")
}
"""


def plugin(classes):
    out = ["import host\n"]
    for i in range(classes):
        out.append(f"class P{i} : host.Plugin {{\n    override public fn run() -> Int {{\n        return {i}\n    }}\n}}\n")
    out.append("init {\n")
    for i in range(classes):
        out.append(f"    host.plugins.push(P{i}())\n")
    out.append("}\nfini {\n    host.plugins = []\n}\n")
    return "".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=20)
    ap.add_argument("--classes", type=int, default=1000)
    ap.add_argument("--heap", type=int, default=0)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        for name, text in [("host.tes", HOST), ("main.tes", MAIN % {"expected": a.classes * (a.classes - 1) // 2}),
                           ("big.tes", plugin(a.classes))]:
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        sh([TESS, "build", "--lib", "--module", "host", "host.tes", "--shared", "-o", "libhost.so"], d)
        sh([TESS, "build", "main.tes", "-I", ".", "-o", "prog"], d)
        sh([TESS, "build", "--lib", "--module", "big", "big.tes", "--shared", "-I", ".", "-o", "libbig.so"], d)
        out = sh(["./prog", "./libbig.so", str(a.n), str(a.heap)], d)
        rows = [tuple(map(float, line.split())) for line in out.splitlines()]
        if len(rows) != a.n:
            sys.exit(f"unexpected output:\n{out}")
        load = statistics.median(r[0] for r in rows) * 1000
        unload = statistics.median(r[1] for r in rows) * 1000
        print(f"plugin of {a.classes} classes, {a.n} cycles in one process, {a.heap} other live objects:")
        print(f"  loadLibrary  median {load:.2f} ms")
        print(f"  lib.unload() median {unload:.2f} ms")


main()
