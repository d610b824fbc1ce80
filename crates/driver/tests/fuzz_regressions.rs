//! Replays, through the fuzz targets' own entry points (`tess_driver::fuzz`),
//! every input a fuzzer ever found to crash or hang (`fuzz/regressions/TARGET/`,
//! kept there with the fix), and a few hostile inputs of each kind, in
//! process: a panic, a stack overflow or a crash fails the test.

use std::path::Path;
use tess_driver::fuzz::TARGETS;

#[test]
fn every_input_found_by_fuzzing_stays_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let mut replayed = 0;
    let mut slowest = std::time::Duration::ZERO;
    for (name, run) in TARGETS {
        let Ok(dir) = std::fs::read_dir(root.join(name)) else { continue };
        for file in dir.filter_map(|e| e.ok()).map(|e| e.path()) {
            let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let start = std::time::Instant::now();
            if std::panic::catch_unwind(|| run(&bytes)).is_err() {
                panic!("fuzz target {name} panics on {}", file.display());
            }
            slowest = slowest.max(start.elapsed());
            replayed += 1;
        }
    }
    eprintln!("{replayed} fuzzer findings replayed, the slowest in {slowest:?}");
}

#[test]
fn hostile_inputs_of_every_kind() {
    let elf_start = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0\x3e\0";
    let inputs: [&[u8]; 6] = [b"", b"\0", b"TESI\x03\0\0\0", b"TESI\x03\0\0\0garbage", elf_start, &[0xff; 64]];
    let nested = "(".repeat(5000);
    let interp = "\"\\(".repeat(3000);
    for (name, run) in TARGETS {
        for input in inputs.iter().copied().chain([nested.as_bytes(), interp.as_bytes()]) {
            if std::panic::catch_unwind(|| run(input)).is_err() {
                panic!("fuzz target {name} panics on {input:?}");
            }
        }
    }
}
