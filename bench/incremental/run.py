"""The incremental-build benchmark (issue 8): the generated package of 100
modules (`gen.py`) built with `tess build -j2` and with ninja (`tess build
--emit-ninja`, `ninja -j2`), and its C twin with `make -j2` (gcc -O2, and
gcc -O0 for the full build), side by side in one run: full build, no-op
rebuild, one function body edited in module m1 (a dozen modules import
it), and a signature edited there that no importer uses (`extra`'s
parameter type; in C, its prototype in m1.h). Prints medians of -n runs
(edits alternate between two versions, so every run has work to do) and
how many modules each compiled.

    python3 bench/incremental/run.py [-n 5] [--modules 100]
"""
import argparse, os, re, shutil, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from common import TESS  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, cwd):
    """Runs `cmd`; its wall time and combined output (exits if it fails)."""
    start = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, shell=isinstance(cmd, str))
    took = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"{cmd} failed:\n{p.stdout}{p.stderr}")
    return took, p.stdout + p.stderr


def edit(path, a, b):
    """Replaces `a` by `b` in the file, or `b` by `a` when it holds `b`."""
    text = open(path).read()
    text = text.replace(a, b) if a in text else text.replace(b, a)
    open(path, "w").write(text)


class Twin:
    """One build of the program: how to clean, build and count compiles."""

    def __init__(self, name, cwd, clean, build, compiles, body, signature):
        self.name, self.cwd, self.clean, self.build = name, cwd, clean, build
        self.compiles, self.body, self.signature = compiles, body, signature

    def measure(self, runs):
        results = {}
        full = []
        for _ in range(runs):
            run(self.clean, self.cwd)
            full.append(run(self.build, self.cwd)[0])
        results["full build"] = (statistics.median(full), None)
        noop = [run(self.build, self.cwd) for _ in range(runs)]
        results["no-op rebuild"] = (statistics.median(t for t, _ in noop), self.compiles(noop[-1][1]))
        for label, (path, a, b) in (("body edit in m1", self.body), ("unused signature edit in m1", self.signature)):
            times = []
            for _ in range(runs):
                for p in path if isinstance(path, list) else [path]:
                    edit(os.path.join(self.cwd, p), a, b)
                t, out = run(self.build, self.cwd)
                times.append(t)
            results[label] = (statistics.median(times), self.compiles(out))
        return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=5)
    ap.add_argument("--modules", type=int, default=100)
    args = ap.parse_args()
    if not os.path.exists(TESS):
        sys.exit(f"{TESS} is missing: run `cargo build --release` first")
    work = tempfile.mkdtemp(prefix="tess-incremental-")
    subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), work, "--modules", str(args.modules)], check=True)
    tes, c = os.path.join(work, "tessera"), os.path.join(work, "c")
    shutil.copytree(tes, os.path.join(work, "ninja"))
    nj = os.path.join(work, "ninja")
    body = ("s = s * 3 + 1\n", "s = s * 3 + 2\n")
    tes_body = ("src/m1/m1.tes",) + body
    tes_sig = ("src/m1/m1.tes", "fn extra(x: Int) -> Int { return x + 1 }", "fn extra(x: Float) -> Int { return 1 }")
    c_sig_files = ["m1.h", "m1.c"]
    c_sig = (c_sig_files, "m1_extra(long x)", "m1_extra(double x)")
    twins = [
        Twin("tess build -j2", tes, "rm -rf build", [TESS, "build", "-j", "2"],
             lambda out: out.count("Compiling"), tes_body, tes_sig),
        Twin("tess + ninja -j2", nj, f"rm -rf build && {TESS} build --emit-ninja", "ninja -C build -j2",
             lambda out: len(re.findall(r"\] Compiling", out)), tes_body, tes_sig),
        Twin("C, make -j2 (gcc -O2)", c, "make -s clean-all 2>/dev/null; rm -f *.o inc", "make -j2",
             lambda out: len(re.findall(r"^gcc .* -c ", out, re.M)), ("m1.c",) + body, c_sig),
    ]
    results = [(t.name, t.measure(args.n)) for t in twins]
    o0 = [run("rm -f *.o inc && make -j2 CFLAGS=-O0", c)[0] for _ in range(args.n)]
    print(f"{args.modules} modules; medians of {args.n} runs, seconds (modules compiled)\n")
    print("| measure | " + " | ".join(name for name, _ in results) + " |")
    print("|---" * (len(results) + 1) + "|")
    for label in results[0][1]:
        cells = []
        for _, r in results:
            t, n = r[label]
            cells.append(f"{t:.3f}" + ("" if n is None else f" ({n})"))
        print(f"| {label} | " + " | ".join(cells) + " |")
    print(f"\nC full build with gcc -O0 (make -j2): {statistics.median(o0):.3f} s")
    full = results[0][1]["full build"][0]
    body_t = results[0][1]["body edit in m1"][0]
    print(f"tess: no-op {results[0][1]['no-op rebuild'][0] * 1000:.0f} ms; body edit = {100 * body_t / full:.1f}% of the full build; "
          f"full build / C -O0 full build = {full / statistics.median(o0):.2f}")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
