#!/usr/bin/env python3
"""The cost of crossing the C boundary (issue 5): 100,000,000 calls
Tessera -> C and C -> Tessera, each into a shared library, against C -> C
into a shared library. The callee is the same small function everywhere.

usage: bench/cabi/run.py [-n RUNS]
"""
import os, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from common import TESS, bench_args, sh, timed  # noqa: E402

N = 100_000_000

C_LIB = "#include <stdint.h>\nint64_t cfun(int64_t x) { return (x * 3 + 1) & 1048575; }\n"
C_MAIN = """#include <stdint.h>
#include <stdio.h>
int64_t %s(int64_t);
int main(void) {
    int64_t s = 0;
    for (int64_t i = 0; i < %d; i++) s = %s(s + i);
    printf("%%ld\\n", (long)s);
    return 0;
}
"""
T_LIB = "export extern fn tfun(x: Int) -> Int { return (x * 3 + 1) & 1048575 }\n"
T_MAIN = f"""extern fn cfun(x: Int) -> Int
var s = 0
for i in 0..{N} {{ s = cfun((s + i) & 1048575) }}
print(s)
"""


def main():
    args = bench_args()
    with tempfile.TemporaryDirectory(prefix="tess-cabi-") as d:
        files = {"clib.c": C_LIB, "tlib.tes": T_LIB, "tmain.tes": T_MAIN,
                 "c_to_c.c": C_MAIN % ("cfun", N, "cfun"), "c_to_t.c": C_MAIN % ("tfun", N, "tfun")}
        for name, text in files.items():
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        sh(["gcc", "-O2", "-shared", "-fPIC", "clib.c", "-o", "libcside.so"], d)
        sh([TESS, "build", "--lib", "--module", "tside", "tlib.tes", "--shared", "-o", "libtside.so"], d)
        sh(["gcc", "-O2", "c_to_c.c", "-L.", "-lcside", f"-Wl,-rpath,{d}", "-o", "c_to_c"], d)
        sh(["gcc", "-O2", "c_to_t.c", "-L.", "-ltside", f"-Wl,-rpath,{d}", "-o", "c_to_t"], d)
        sh([TESS, "build", "tmain.tes", "-L", ".", "--link-lib", "cside", "-o", "t_to_c"], d)
        base, _ = timed(os.path.join(d, "c_to_c"), d, args.n)
        print(f"{'calls (100M) into a shared library':<40}{'s':>8}{'vs C->C':>9}")
        print(f"{'C -> C':<40}{base:>8.3f}{1.0:>9.2f}")
        for label, exe in [("Tessera -> C", "t_to_c"), ("C -> Tessera", "c_to_t")]:
            t, _ = timed(os.path.join(d, exe), d, args.n)
            print(f"{label:<40}{t:>8.3f}{t / base:>9.2f}")
        print(f"(medians of {args.n} runs)")


if __name__ == "__main__":
    main()
