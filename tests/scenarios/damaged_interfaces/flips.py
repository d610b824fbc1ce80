# Flips one byte at 50 places spread over geo.tesi (and appends garbage
# once); every damaged copy must be refused by `tess build` with status 1
# and an error that says what is wrong, never a panic, a crash or a link
# error.
import os, shutil, subprocess, sys

good = open("lib/geo.tesi", "rb").read()
os.makedirs("bad", exist_ok=True)
for f in os.listdir("lib"):
    if f != "geo.tesi":
        shutil.copy(os.path.join("lib", f), "bad")
WORDS = ["not a Tessera interface file", "interface format version", "damaged:", "was written by tess"]
cases = [bytes(good[:i]) + bytes([good[i] ^ 0x5A]) + bytes(good[i + 1:]) for i in
         sorted({(k * len(good)) // 50 for k in range(50)})]
cases.append(good + b"garbage")
refused = 0
for case in cases:
    open("bad/geo.tesi", "wb").write(case)
    r = subprocess.run(["tess", "build", "main.tes", "-I", "bad", "-o", "prog_bad"], capture_output=True, text=True)
    if r.returncode == 1 and any(w in r.stderr for w in WORDS) and "panicked" not in r.stderr:
        refused += 1
    else:
        print("accepted or unclear:", r.returncode, r.stderr[:300])
print(f"{refused} of {len(cases)} damaged interfaces refused")
