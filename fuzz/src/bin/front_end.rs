//! Fuzz target: `tess_driver::fuzz::front_end` on the bytes AFL gives.
fn main() {
    afl::fuzz!(|data: &[u8]| tess_driver::fuzz::front_end(data));
}
