#!/usr/bin/env python3
"""`tess lsp` latency (issue 13): on a generated 5,000-line document, the time
from `didChange` to the published diagnostics, and of go-to-definition and
hover; and `tess fmt` over a large file. Medians and worst of N.

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
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples), max(samples)


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


if __name__ == "__main__":
    main()
