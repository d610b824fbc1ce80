//! Fuzz target: `tess_driver::fuzz::library_check` on the bytes AFL gives.
fn main() {
    afl::fuzz!(|data: &[u8]| tess_driver::fuzz::library_check(data));
}
