#!/usr/bin/env python3
"""`tess lsp` latency (issue 13): on a generated 5,000-line document, the time
from `didChange` to the published diagnostics, and of go-to-definition and
hover; and `tess fmt` over a large file. Medians and worst of N.
Then (issue 33) a generated package of 100 modules, one of them (`base`)
imported by 50 others: after an edit of `base` and after an edit of a
module that imports it, the time to diagnostics, of completion after
`value.` and of hover — median, p99 and worst — and of a save of `base`
(the package's interfaces refreshed, `tess check`'s early cutoff).

usage: bench/lsp/run.py [-n RUNS]
"""
import json, os, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from common import TESS, bench_args  # noqa: E402


def document(functions):
    out = []
    for i in range(functions):
        call = f"f{i - 1}(t)" if i else "t"
        out.append(f"fn f{i}(x: Int) -> Int {{\n    var t = x + {i}\n    if t > {i} {{\n        t -= 1\n    }}\n"
                   f"    for j in 0..3 {{\n        t += j\n    }}\n    return {call} % 1000\n}}\n")
    out.append(f"print(f{functions - 1}(1))\n")
    return "".join(out)


class Server:
    def __init__(self, cwd):
        self.p = subprocess.Popen([TESS, "lsp"], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.id = 0

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def receive(self):
        length = 0
        while True:
            line = self.p.stdout.readline().strip()
            if not line:
                break
            if line.startswith(b"Content-Length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.p.stdout.read(length))

    def request(self, method, params):
        self.id += 1
        self.send({"jsonrpc": "2.0", "id": self.id, "method": method, "params": params})
        while True:
            m = self.receive()
            if m.get("id") == self.id:
                return m

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics(self):
        while True:
            m = self.receive()
            if m.get("method") == "textDocument/publishDiagnostics":
                return m


def timed(runs, f):
    samples = sampled(runs, f)
    return statistics.median(samples), max(samples)


def sampled(runs, f):
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        samples.append(time.perf_counter() - t)
    return samples


def p99(samples):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def package(root, modules=100, importers=50):
    """A package: `base` (a class and functions), `m1`..`m{importers}`
    importing it, the rest importing the module before them."""
    os.makedirs(os.path.join(root, "src", "base"))
    with open(os.path.join(root, "Tessera.toml"), "w") as f:
        f.write('[package]\nname = "big"\n')
    base = ["/// A point.", "public class Point {", "    public var x: Int = 0", "    public var y: Int = 0",
            "    /// Its length, squared.", "    public fn norm() -> Int {", "        return self.x * self.x + self.y * self.y",
            "    }", "}", ""]
    for i in range(40):
        base += [f"public fn b{i}(p: Point) -> Int {{", f"    return p.norm() + {i}", "}", ""]
    write(os.path.join(root, "src", "base", "base.tes"), base)
    for m in range(1, modules):
        dep = "base" if m <= importers else f"m{m - 1}"
        lines = [f"import {dep}", ""]
        for i in range(20):
            if dep == "base":
                body = [f"    let p = base.Point()", f"    p.x = n + {i}", f"    return base.b{i % 40}(p)"]
            else:
                body = [f"    return {dep}.f{i}(n) + {i}"]
            lines += [f"public fn f{i}(n: Int) -> Int {{"] + body + ["}", ""]
        os.makedirs(os.path.join(root, "src", f"m{m}"))
        write(os.path.join(root, "src", f"m{m}", f"m{m}.tes"), lines)


def write(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def package_latency(runs):
    with tempfile.TemporaryDirectory(prefix="tess-lsppkg-") as root:
        package(root)
        s = Server(root)
        s.request("initialize", {"capabilities": {}, "rootUri": None, "processId": None})
        s.notify("initialized", {})
        rows = []
        for name in ["base", "m7"]:
            path = os.path.join(root, "src", name, f"{name}.tes")
            text = open(path).read()
            uri = "file://" + path
            s.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "tessera", "version": 1,
                                                                "text": text}})
            s.diagnostics()
            # A line that reads `p.` half-typed, then the next edit undoes it.
            anchor = "    return p.norm() + 3" if name == "base" else "    return base.b3(p)"
            lines = text.split("\n")
            line = lines.index(anchor)
            typed_line = "    let q = p."
            version = [1]
            samples = {"edit -> diagnostics": [], "completion": [], "hover": []}
            for _ in range(runs):
                version[0] += 1
                edited = lines[:line] + [typed_line] + lines[line:]
                t = time.perf_counter()
                s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version[0]},
                                                     "contentChanges": [{"text": "\n".join(edited)}]})
                s.diagnostics()
                samples["edit -> diagnostics"].append(time.perf_counter() - t)
                at = {"textDocument": {"uri": uri}, "position": {"line": line, "character": len(typed_line)}}
                t = time.perf_counter()
                r = s.request("textDocument/completion", at)
                samples["completion"].append(time.perf_counter() - t)
                assert any(i["label"] == "norm" for i in r["result"]), r
                # `norm` in `return p.norm()`, `b3` in `return base.b3(p)`.
                column = 13 if name == "base" else 16
                hover_at = {"textDocument": {"uri": uri}, "position": {"line": line + 1, "character": column}}
                t = time.perf_counter()
                r = s.request("textDocument/hover", hover_at)
                samples["hover"].append(time.perf_counter() - t)
                assert r["result"], r
            for what, xs in samples.items():
                rows.append((f"{name}: {what}", xs))
            if name == "base":
                save = sampled(max(3, runs // 10), lambda: (
                    s.notify("textDocument/didSave", {"textDocument": {"uri": uri}}), s.diagnostics()))
                rows.append(("base: save (interfaces refreshed)", save))
        s.request("shutdown", None)
        s.notify("exit", None)
        s.p.wait()
    print(f"package: 100 modules, `base` imported by 50; runs: {runs}")
    print(f"{'measure':<40}{'median ms':>11}{'p99 ms':>9}{'worst ms':>10}")
    for name, xs in rows:
        print(f"{name:<40}{statistics.median(xs) * 1000:>11.1f}{p99(xs) * 1000:>9.1f}{max(xs) * 1000:>10.1f}")


def main():
    args = bench_args(20)
    with tempfile.TemporaryDirectory(prefix="tess-lspbench-") as tmp:
        text = document(500)
        path = os.path.join(tmp, "doc.tes")
        with open(path, "w") as f:
            f.write(text)
        uri = "file://" + path
        s = Server(tmp)
        s.request("initialize", {"capabilities": {}, "rootUri": None, "processId": None})
        s.notify("initialized", {})
        s.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "tessera", "version": 1, "text": text}})
        s.diagnostics()
        version = [1]

        def change():
            version[0] += 1
            edited = text.replace("var t = x + 0", f"var t = x + {version[0]}")
            s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version[0]},
                                                 "contentChanges": [{"text": edited}]})
            s.diagnostics()
        # `f498` in the body of f499 (near the end): its definition.
        lines = text.split("\n")
        line = next(i for i, l in enumerate(lines) if "return f498(t)" in l)
        col = lines[line].index("f498") + 1
        at = {"textDocument": {"uri": uri}, "position": {"line": line, "character": col}}
        rows = [
            ("didChange -> diagnostics", timed(args.n, change)),
            ("go-to-definition", timed(args.n, lambda: s.request("textDocument/definition", at))),
            ("hover", timed(args.n, lambda: s.request("textDocument/hover", at))),
        ]
        s.request("shutdown", None)
        s.notify("exit", None)
        s.p.wait()
        print(f"document: {len(lines)} lines; runs: {args.n}")
        print(f"{'measure':<28}{'median ms':>11}{'worst ms':>10}")
        for name, (med, worst) in rows:
            print(f"{name:<28}{med * 1000:>11.1f}{worst * 1000:>10.1f}")
        big = os.path.join(tmp, "big.tes")
        with open(big, "w") as f:
            f.write(document(20000))
        n_lines = document(20000).count("\n")
        med, worst = timed(5, lambda: subprocess.run([TESS, "fmt", "--check", big], check=True))
        print(f"tess fmt --check, {n_lines} lines: median {med:.3f} s ({n_lines / med:,.0f} lines/s), worst {worst:.3f} s")
    package_latency(max(args.n, 100))


if __name__ == "__main__":
    main()
