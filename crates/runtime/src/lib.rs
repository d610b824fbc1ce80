//! The Tessera runtime: one copy per process, linked into every program as
//! `libtessera_rt.a` or `libtessera_rt.so`. It owns threads and their
//! state (a heap and collector, shadow stack, pending-exception slot and
//! module variables per thread), type information of the built-in types,
//! strings, arrays and I/O. Compiled code reaches it only through the
//! `extern "C"` functions and statics declared here and documented in
//! `docs/abi.md`; the runtime knows nothing about the compiler.
//!
//! Its modules form layers; each uses only those below it:
//! 1. `allocator` (mimalloc and its options), `object` (layouts, checked
//!    against `tess_abi`), `lock` (pthread
//!    mutexes), `output` (the print buffer, `fatal`);
//! 2. `array_buffer`, `map_table`, `signals`, `elf_check`, `handles`,
//!    `class_builder`, `code_map`, `joinable` (what a `Thread` holds);
//! 3. `gc` (one heap: allocation, marking, sweeping);
//! 4. `thread` (a thread's state: shadow stack, pending exception, heap,
//!    module variables; its roots and collections);
//! 5. `str_alloc` (making strings), `exit`, `trace` (where exceptions were
//!    thrown);
//! 6. `exc` (built-in classes, throwing, uncaught exceptions);
//! 7. `array`, `io`, `loader`, `c_memory`, `module_vars`, `spawn`,
//!    `interfaces`, `fn_adapters`, then `std_interfaces` (calls through `Hashable` and
//!    `Comparable`), `string`, then `map` and `show` (printing
//!    collections);
//! 8. `process` (start-up), `test_runner` (`assert`, `tess test`'s
//!    runner), `symbols` (the table for the JIT).

#![allow(clippy::missing_safety_doc)]

pub mod allocator;
pub mod array;
pub mod array_buffer;
pub mod array_fns;
pub mod c_memory;
pub mod class_builder;
pub mod code_map;
pub mod debug_layout;
#[cfg(unix)]
pub mod elf_check;
pub mod exc;
pub mod exit;
pub mod fn_adapters;
pub mod function;
pub mod gc;
mod gc_chunks;
mod gc_stats;
pub mod handles;
pub mod holders;
pub mod image;
pub mod interfaces;
pub mod io;
pub mod joinable;
pub mod loader;
pub mod lock;
pub mod map;
pub mod map_table;
pub mod module_vars;
pub mod object;
mod os;
pub mod output;
#[cfg(windows)]
mod pe_check;
pub mod process;
pub mod show;
pub mod signals;
pub mod spawn;
pub mod std_interfaces;
pub mod str_alloc;
pub mod string;
pub mod symbols;
pub mod test_runner;
pub mod thread;
pub mod trace;
pub mod type_desc;
pub mod unload;
