//! Fuzz target: `tess_driver::fuzz::parse` on the bytes AFL gives.
fn main() {
    afl::fuzz!(|data: &[u8]| tess_driver::fuzz::parse(data));
}
