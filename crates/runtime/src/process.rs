//! Start-up (the one place a program starts), program arguments and the
//! clock.

use crate::array::{tess_arr_new, tess_arr_push};
use crate::exit::tess_rt_shutdown;
use crate::object::Array;
use crate::str_alloc::new_str;
use crate::thread::{pop_root, push_root};
use std::sync::OnceLock;
use std::time::Instant;

static ARGS: OnceLock<Vec<String>> = OnceLock::new();
static START: OnceLock<Instant> = OnceLock::new();

/// Called once by a program's `main` (or the JIT driver) before any
/// module initialises; `argv[0]` is the program name.
#[no_mangle]
pub unsafe extern "C" fn tess_rt_init(argc: i32, argv: *const *const std::ffi::c_char) {
    crate::allocator::configure_for_program();
    let mut args = Vec::new();
    for i in 1..argc.max(0) as usize {
        let a = unsafe { std::ffi::CStr::from_ptr(*argv.add(i)) };
        args.push(a.to_string_lossy().into_owned());
    }
    init_with_args(args);
}

/// The program's arguments (after its name).
pub(crate) fn args() -> &'static [String] {
    ARGS.get().map(Vec::as_slice).unwrap_or(&[])
}

/// Runtime start-up with the program's arguments (after its name).
pub fn init_with_args(args: Vec<String>) {
    let _ = ARGS.set(args);
    START.get_or_init(Instant::now);
    crate::signals::install();
    crate::thread::init_main();
}

/// The life of a program, the one place that starts one (`docs/abi.md`,
/// start-up): start the runtime, run the main module's init entry (which
/// initialises its imports, then runs the program), report an uncaught
/// exception (status 1), shut down. An executable's `main` and `tess run`
/// both call it.
#[no_mangle]
pub unsafe extern "C" fn tess_main(argc: i32, argv: *const *const std::ffi::c_char, init: extern "C" fn()) -> i32 {
    unsafe {
        tess_rt_init(argc, argv);
        init();
        if !crate::exc::pending().is_null() {
            crate::exc::tess_uncaught()
        }
    }
    tess_rt_shutdown();
    0
}

/// `args()`.
#[no_mangle]
pub extern "C" fn tess_args() -> *mut Array {
    let args = ARGS.get().map(Vec::as_slice).unwrap_or(&[]);
    let arr = tess_arr_new(1, args.len() as u64);
    unsafe {
        push_root(arr.cast());
        for a in args {
            let s = new_str(a.as_bytes());
            tess_arr_push(arr, s as i64);
        }
        pop_root(1);
    }
    arr
}

/// `clock()`: monotonic seconds since start-up.
#[no_mangle]
pub extern "C" fn tess_clock() -> f64 {
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}
