"""Writes the incremental-build benchmark's two twins into a directory:
`tessera/`, a package of N modules in a DAG (module k imports k-1, k/2 and,
from 10 on, k/10: module m1 has a dozen importers), each of 20 small
functions (arithmetic, an if, a loop, a call into an imported module and
one into the module itself) plus `extra`, which no other module uses; and
`c/`, the same program in C, one `.c` and `.h` per module, with a Makefile.

    python3 bench/incremental/gen.py DIR [--modules N]
"""
import argparse, os

FUNCS = 20


def deps(k):
    """The modules module k imports: earlier ones only (a DAG)."""
    d = {k - 1, k // 2} | ({k // 10} if k >= 10 else set())
    return sorted(x for x in d if 0 <= x < k)


def tes_function(k, j, ds):
    # The calls sit in branches the run never takes, so the program's run
    # time stays tiny whatever the graph's depth; they are compiled all the
    # same.
    dep_call = f"m{ds[j % len(ds)]}.f{j}(x + 1)" if ds else "x"
    own_call = f"f{j - 1}(x - 1)" if j > 0 else "x"
    return f"""public fn f{j}(x: Int) -> Int {{
    var s = x + {j}
    for i in 0..(x % 5 + 2) {{
        s = s + i * {k + 1}
    }}
    if s % 2 == 0 {{
        s = s / 2
    }} else {{
        s = s * 3 + 1
    }}
    if x < 0 {{
        s = s + {dep_call} + {own_call}
    }}
    return s % 1000
}}
"""


def c_function(k, j, ds):
    dep_call = f"m{ds[j % len(ds)]}_f{j}(x + 1)" if ds else "x"
    own_call = f"m{k}_f{j - 1}(x - 1)" if j > 0 else "x"
    return f"""long m{k}_f{j}(long x) {{
    long s = x + {j};
    for (long i = 0; i < x % 5 + 2; i++) {{
        s = s + i * {k + 1};
    }}
    if (s % 2 == 0) {{
        s = s / 2;
    }} else {{
        s = s * 3 + 1;
    }}
    if (x < 0) {{
        s = s + {dep_call} + {own_call};
    }}
    return s % 1000;
}}
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def tessera(root, n):
    write(os.path.join(root, "Tessera.toml"), '[package]\nname = "inc"\n')
    for k in range(n):
        ds = deps(k)
        text = "".join(f"import m{d}\n" for d in ds) + "\n"
        text += "\n".join(tes_function(k, j, ds) for j in range(FUNCS))
        text += "\npublic fn extra(x: Int) -> Int { return x + 1 }\n"
        write(os.path.join(root, "src", f"m{k}", f"m{k}.tes"), text)
    last = [n - 1 - i for i in range(min(3, n))]
    main = "".join(f"import m{m}\n" for m in last) + "\nvar total = 0\n"
    main += "".join(f"total = total + m{m}.f{FUNCS - 1}({m})\n" for m in last)
    main += "print(total)\n"
    write(os.path.join(root, "src", "main.tes"), main)


def c(root, n):
    objs = []
    for k in range(n):
        ds = deps(k)
        header = f"#ifndef M{k}_H\n#define M{k}_H\n"
        header += "".join(f"long m{k}_f{j}(long x);\n" for j in range(FUNCS))
        header += f"long m{k}_extra(long x);\n#endif\n"
        write(os.path.join(root, f"m{k}.h"), header)
        text = "".join(f'#include "m{d}.h"\n' for d in ds + [k]) + "\n"
        text += "\n".join(c_function(k, j, ds) for j in range(FUNCS))
        text += f"\nlong m{k}_extra(long x) {{ return x + 1; }}\n"
        write(os.path.join(root, f"m{k}.c"), text)
        objs.append(f"m{k}.o")
    last = [n - 1 - i for i in range(min(3, n))]
    main = "#include <stdio.h>\n" + "".join(f'#include "m{m}.h"\n' for m in last)
    main += "int main(void) {\n    long total = 0;\n"
    main += "".join(f"    total = total + m{m}_f{FUNCS - 1}({m});\n" for m in last)
    main += '    printf("%ld\\n", total);\n    return 0;\n}\n'
    write(os.path.join(root, "main.c"), main)
    rules = "".join(
        f"m{k}.o: m{k}.c {' '.join(f'm{d}.h' for d in deps(k) + [k])}\n" for k in range(n)
    )
    makefile = f"""CC = gcc
CFLAGS = -O2
OBJS = main.o {' '.join(objs)}
inc: $(OBJS)
\t$(CC) -o $@ $(OBJS)
%.o: %.c
\t$(CC) $(CFLAGS) -c -o $@ $<
main.o: main.c {' '.join(f'm{m}.h' for m in last)}
{rules}"""
    write(os.path.join(root, "Makefile"), makefile)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--modules", type=int, default=100)
    a = p.parse_args()
    tessera(os.path.join(a.dir, "tessera"), a.modules)
    c(os.path.join(a.dir, "c"), a.modules)


if __name__ == "__main__":
    main()
