# Cuts a valid plugin at 33 points and loads each piece, compiled (AOT)
# and under the JIT: every load must end in `loaded` or a LoadError that
# names the file, and the host must go on (status 0) — never a crash.
import subprocess, sys

good = open("libp.so", "rb").read()
bad = 0
for k in range(1, 34):
    open("cut.so", "wb").write(good[: len(good) * k // 34])
    for cmd in (["./host", "./cut.so"], ["tess", "run", "host.tes", "./cut.so"]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        out = r.stdout.strip()
        if r.returncode != 0 or not (out == "plugin p init\nloaded" or out.startswith("LoadError: cannot load ./cut.so: ")):
            bad += 1
            print("bad:", cmd, r.returncode, out[:200], r.stderr[:200])
print(f"{bad} of 66 loads crashed or were unclear")
