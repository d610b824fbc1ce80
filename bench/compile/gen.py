#!/usr/bin/env python3
"""Writes the compile-speed program of issue 15: N small functions, each
with arithmetic, an `if`, a loop and a call to the one before it (13
lines each), as a Tessera library module (`big.tes`) and its C twin
(`big.c`, the shape tcc, gcc and clang were measured on).

usage: bench/compile/gen.py N DIR
"""
import os, sys


def program(n, c):
    """The program in Tessera, or (`c`) in C: the same lines but for syntax."""
    decl, end = ("int64_t ", ";") if c else ("var ", "")
    out = ["#include <stdint.h>\n"] if c else []
    for i in range(n):
        last = i == n - 1
        call = f"f{i - 1}(a & 255, b & 255)" if i else "a"
        if c:
            head = f"{'' if last else 'static '}int64_t f{i}(int64_t x, int64_t y) {{"
            loop = "for (int64_t k = 0; k < 4; k++) {"
        else:
            head = f"{'export ' if last else ''}fn f{i}(x: Int, y: Int) -> Int {{"
            loop = "for k in 0..4 {"
        cond = "(a > b)" if c else "a > b"
        out.append("\n".join([
            head,
            f"    {decl}a = x * 3 + y{end}",
            f"    {decl}b = a - {i % 7}{end}",
            f"    if {cond} {{",
            f"        a = a - b{end}",
            "    } else {",
            f"        b = b + 1{end}",
            "    }",
            f"    {loop}",
            f"        a += k * b{end}",
            "    }",
            f"    return {call} + a % 1000{end}",
            "}",
        ]) + "\n")
    return "".join(out)


def main():
    n, d = int(sys.argv[1]), sys.argv[2]
    with open(os.path.join(d, "big.tes"), "w") as f:
        f.write(program(n, c=False))
    with open(os.path.join(d, "big.c"), "w") as f:
        f.write(program(n, c=True))


if __name__ == "__main__":
    main()
