//! Ending the program: flush output, report collector statistics.

/// Ends the program normally: flushes output, prints GC statistics when
/// `TESS_GC_STATS=1`.
#[no_mangle]
pub extern "C" fn tess_rt_shutdown() {
    crate::output::flush_stdout();
    if crate::gc::stats_wanted() {
        eprintln!("{}", crate::thread::current().heap.stats(""));
    }
}

/// `exit(code)`.
#[no_mangle]
pub extern "C" fn tess_exit(code: i64) -> ! {
    tess_rt_shutdown();
    std::process::exit(code as i32)
}

/// An unrecoverable runtime failure (out of memory).
pub fn fatal(msg: &str) -> ! {
    crate::output::flush_stdout();
    eprintln!("fatal: {msg}");
    std::process::exit(70)
}
