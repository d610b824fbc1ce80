"""Prints a module of N small functions (default 700), each calling the
one before it: enough for several of the code generator's batches of 256
(`crates/codegen/src/compile.rs`), compiled in parallel."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 700
print("export fn f0(x: Int) -> Int { return x + 1 }")
for i in range(1, n):
    print(f"fn f{i}(x: Int) -> Int {{")
    print(f"    var a = x * {i % 7 + 1}")
    print(f"    for k in 0..{i % 5 + 1} {{ a += k }}")
    print(f"    if a > {i} {{ a = a % {i + 3} }}")
    print(f"    return f{i - 1}(a & 255) + a")
    print("}")
print(f"export fn last(x: Int) -> Int {{ return f{n - 1}(x) }}")
