#!/bin/sh
# Fuzzes the compiler's and the loader's entry points with AFL++ (cargo afl,
# stable Rust): `fuzz/run.sh TARGET SECONDS`, or `fuzz/run.sh all SECONDS`
# for every target in turn. Targets: parse, front_end, interface,
# library_check (tess_driver::fuzz). Seeds come from tests/ and from
# interfaces and libraries built here. A crash or hang found is copied to
# fuzz/regressions/TARGET/, where `cargo test` replays it from then on:
# commit it with the fix. Exits 1 when something was found.
#
# Needs `cargo install cargo-afl` and `cargo afl config --build` once.
set -eu
cd "$(dirname "$0")"
target=$1
seconds=$2
if [ "$target" = all ]; then
    status=0
    for t in parse front_end interface library_check; do sh ./run.sh "$t" "$seconds" || status=1; done
    exit $status
fi
cargo afl build --release -q --bin "$target"
(cd .. && cargo build --release -q)
tess=../target/release/tess
seeds=out/seeds/$target
rm -rf "$seeds" "out/$target"
mkdir -p "$seeds" "regressions/$target"
case $target in
parse | front_end)
    # Prefixed by their corpus: a run test and a codegen test may share a name.
    for kind in run fail codegen; do
        for f in ../tests/$kind/*.tes; do cp "$f" "$seeds/$kind-$(basename "$f")"; done
    done
    ;;
interface | library_check)
    lib=out/seedlib-$target
    rm -rf "$lib" && mkdir -p "$lib"
    printf 'export open class Shape {\n    public let name: String\n    public init(name: String) { self.name = name }\n}\nexport fn area(w: Int, h: Int) -> Int { return w * h }\nexport var unit = "cm"\n' > "$lib/geo.tes"
    (cd "$lib" && "../../$tess" build --lib --module geo geo.tes --shared)
    if [ "$target" = interface ]; then cp "$lib/geo.tesi" "$seeds/"; else cp "$lib/libgeo.so" "$seeds/"; fi
    ;;
*)
    echo "unknown target $target" >&2
    exit 2
    ;;
esac
AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_QUIET=1 \
    cargo afl fuzz -t 5000 -V "$seconds" -i "$seeds" -o "out/$target" "target/release/$target" > "out/$target.log" 2>&1 || true
found=0
for kind in crashes hangs; do
    for f in out/"$target"/default/$kind/id*; do
        [ -e "$f" ] || continue
        cp "$f" "regressions/$target/$kind-$(sha256sum "$f" | cut -c1-16)"
        found=$((found + 1))
    done
done
execs=$(grep -s '^execs_done' "out/$target/default/fuzzer_stats" | awk '{print $3}')
echo "$target: ${seconds}s, ${execs:-0} executions, $found crashes or hangs"
[ "$found" -eq 0 ]
