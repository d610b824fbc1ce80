//! Fuzz target: `tess_driver::fuzz::interface` on the bytes AFL gives.
fn main() {
    afl::fuzz!(|data: &[u8]| tess_driver::fuzz::interface(data));
}
