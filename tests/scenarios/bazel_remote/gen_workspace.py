#!/usr/bin/env python3
"""Writes a Bazel workspace of N Tessera libraries (m0 ... mN-1, static,
each in its own package and importing up to three earlier ones: a DAG)
and one program (//app) that imports the last five, for the rules in
RULES (a path relative to the workspace).

usage: gen_workspace.py DIR N RULES
"""
import os
import sys

LOAD = 'load("@rules_tessera//:defs.bzl", "{rule}")\n\n'


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def main():
    root, n, rules = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    write(f"{root}/WORKSPACE", f"""workspace(name = "generated")

local_repository(name = "rules_tessera", path = "{rules}")

local_repository(name = "rules_cc", path = "{rules}/stubs/rules_cc")

local_repository(name = "rules_java", path = "{rules}/stubs/rules_java")

local_repository(name = "remote_coverage_tools", path = "{rules}/stubs/remote_coverage_tools")

load("@rules_tessera//:repositories.bzl", "tessera_tools")

tessera_tools(name = "tessera_tools")
""")
    for i in range(n):
        deps = sorted({j for j in (i - 1, i // 2, i // 3) if 0 <= j < i})
        imports = "".join(f"import m{j}\n" for j in deps)
        calls = " + ".join(f"m{j}.f{j}(x + {k})" for k, j in enumerate(deps)) or "x"
        write(f"{root}/m{i}/m{i}.tes", f"""{imports}
export fn f{i}(x: Int) -> Int {{
    var s = {calls}
    for k in 0..3 {{
        s = (s * 31 + k + {i}) % 1000003
    }}
    return s
}}
""")
        dep_labels = ", ".join(f'"//m{j}"' for j in deps)
        write(f"{root}/m{i}/BUILD", LOAD.format(rule="tessera_library") + f"""tessera_library(
    name = "m{i}",
    srcs = ["m{i}.tes"],
    visibility = ["//visibility:public"],
    deps = [{dep_labels}],
)
""")
    last = list(range(max(0, n - 5), n))
    write(f"{root}/app/main.tes", "".join(f"import m{j}\n" for j in last)
          + "\nprint(" + " + ".join(f"m{j}.f{j}(1)" for j in last) + ")\n")
    write(f"{root}/app/BUILD", LOAD.format(rule="tessera_binary") + f"""tessera_binary(
    name = "app",
    srcs = ["main.tes"],
    deps = [{", ".join(f'"//m{j}"' for j in last)}],
)
""")


if __name__ == "__main__":
    main()
