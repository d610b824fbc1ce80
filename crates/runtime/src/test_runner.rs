//! `tess test`'s runtime (issue 32): `assert`, `assertEqual`, and the
//! runner of a test program — every `test fn` whose name contains one of
//! the program's arguments (all without any), on worker threads of their
//! own (each a Tessera thread: its own heap and module variables), with
//! Cargo's report: a line per test as it ends, then each failure's
//! exception and stack trace, then the summary.

use crate::exc::{describe, tess_ti_Error, throw_new};
use crate::object::*;
use crate::output::flush_stdout;
use crate::type_desc::{tess_any_to_string, tess_ti_Float};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;
use tess_abi::layout::boxed;

/// Native stack of a worker, as a spawned thread's.
const STACK_BYTES: usize = 8 << 20;

/// The exit status of a test program with a failed test, as Cargo's.
const FAILED_STATUS: i64 = 101;

/// `assert(cond, message)`.
///
/// # Safety
/// `message` is a string.
#[no_mangle]
pub unsafe extern "C" fn tess_assert(cond: i8, message: *const Str) {
    if cond == 0 {
        let message = unsafe { (*message).as_str() };
        throw_new(&tess_ti_Error, &format!("assertion failed: {message}"));
    }
}

/// `assertEqual(a, b)`: two `Any`s holding values of one type (the
/// checker allows `Int`, `Int32`, `Float`, `Bool` and `String`).
///
/// # Safety
/// `a` and `b` are objects.
#[no_mangle]
pub unsafe extern "C" fn tess_assert_equal(a: *mut Obj, b: *mut Obj) {
    unsafe {
        if equal(a, b) {
            return;
        }
        let message = format!("assertEqual failed: left {}, right {}", shown(a), shown(b));
        throw_new(&tess_ti_Error, &message);
    }
}

/// Whether two `Any`s hold equal values: strings by their bytes, a
/// `Float` as a float (`0.0 == -0.0`), other values by their word.
unsafe fn equal(a: *mut Obj, b: *mut Obj) -> bool {
    unsafe {
        let ti = (*a).header.ty();
        if !std::ptr::eq(ti, (*b).header.ty()) {
            return false;
        }
        let word = |x: *mut Obj| *x.cast::<u8>().add(boxed::VALUE as usize).cast::<u64>();
        match (*ti).kind {
            Kind::String => (*a.cast::<Str>()).as_bytes() == (*b.cast::<Str>()).as_bytes(),
            Kind::Value if std::ptr::eq(ti, &tess_ti_Float) => f64::from_bits(word(a)) == f64::from_bits(word(b)),
            _ => word(a) == word(b),
        }
    }
}

/// A value as a failure shows it: strings quoted.
unsafe fn shown(x: *mut Obj) -> String {
    unsafe {
        let text = (*tess_any_to_string(x)).as_str().to_string();
        if (*(*x).header.ty()).kind == Kind::String {
            format!("{text:?}")
        } else {
            text
        }
    }
}

/// A test that failed: its name, and what escaped it with its trace.
struct Failure {
    name: String,
    report: String,
}

/// Runs the tests — `names[i]` is `tests[i]`, a function value of a
/// `test fn` — and prints the report; the program's exit status.
///
/// # Safety
/// `names` is an array of strings, `tests` an array of function values
/// that capture nothing, of the same length.
#[no_mangle]
pub unsafe extern "C" fn tess_run_tests(names: *const Array, tests: *const Array) -> i64 {
    let all: Vec<(String, usize)> = unsafe {
        let n = (*names).len as usize;
        (0..n)
            .map(|i| {
                let name = (*(*(*names).data.add(i) as *const Str)).as_str().to_string();
                let f = *(*tests).data.add(i) as *const Obj;
                (name, crate::function::tess_c_code(f) as usize)
            })
            .collect()
    };
    let filters = crate::process::args();
    let chosen: Vec<&(String, usize)> = all
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str())))
        .collect();
    let filtered_out = all.len() - chosen.len();
    let started = Instant::now();
    flush_stdout();
    say(&format!("\nrunning {} test{}\n", chosen.len(), plural(chosen.len())));
    let next = AtomicUsize::new(0);
    let failures: Mutex<Vec<(usize, Failure)>> = Mutex::new(Vec::new());
    let workers = worker_count(chosen.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let (next, failures, chosen) = (&next, &failures, &chosen);
            let worker = std::thread::Builder::new().stack_size(STACK_BYTES).spawn_scoped(scope, move || {
                let t = crate::thread::attach(crate::thread::SHADOW_SLOTS, 0);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&&(ref name, entry)) = chosen.get(i) else { break };
                    let outcome = unsafe { run_one(t, entry) };
                    flush_stdout();
                    let verdict = if outcome.is_ok() { "ok" } else { "FAILED" };
                    say(&format!("test {name} ... {verdict}\n"));
                    if let Err(report) = outcome {
                        let failure = Failure { name: name.clone(), report };
                        failures.lock().unwrap_or_else(|p| p.into_inner()).push((i, failure));
                    }
                }
                unsafe { crate::thread::detach(t) };
            });
            if let Err(e) = worker {
                crate::output::fatal(&format!("cannot start a test thread: {e}"));
            }
        }
    });
    let mut failures = failures.into_inner().unwrap_or_else(|p| p.into_inner());
    failures.sort_by_key(|(i, _)| *i);
    let mut report = String::new();
    if !failures.is_empty() {
        report.push_str("\nfailures:\n");
        for (_, f) in &failures {
            report.push_str(&format!("\n---- {} ----\n{}", f.name, f.report));
        }
        report.push_str("\nfailures:\n");
        for (_, f) in &failures {
            report.push_str(&format!("    {}\n", f.name));
        }
    }
    let verdict = if failures.is_empty() { "ok" } else { "FAILED" };
    report.push_str(&format!(
        "\ntest result: {verdict}. {} passed; {} failed; {filtered_out} filtered out; finished in {:.2}s\n\n",
        chosen.len() - failures.len(),
        failures.len(),
        started.elapsed().as_secs_f64()
    ));
    say(&report);
    if failures.is_empty() {
        0
    } else {
        FAILED_STATUS
    }
}

/// Calls one test on thread `t`: what escaped it, with its stack trace.
unsafe fn run_one(t: *mut crate::thread::Thread, entry: usize) -> Result<(), String> {
    unsafe {
        let f: extern "C" fn() = std::mem::transmute(entry);
        f();
        let e = (*t).exc;
        if e.is_null() {
            return Ok(());
        }
        let (class, message) = describe(e);
        let report = format!("{class}: {message}\n{}", crate::trace::text(e));
        (*t).exc = std::ptr::null_mut();
        Err(report)
    }
}

/// Threads to run `tests` tests on: `TESS_TEST_THREADS` (as Cargo's
/// `RUST_TEST_THREADS`), else one per core.
fn worker_count(tests: usize) -> usize {
    let wanted = std::env::var("TESS_TEST_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    wanted.clamp(1, tests.max(1))
}

/// Writes the runner's own lines straight to standard output, after what
/// the tests printed.
fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
