//! The Tessera runtime: one copy per process, linked into every program as
//! `libtessera_rt.a` or `libtessera_rt.so`. It owns the garbage collector,
//! the pending-exception slot, type information of the built-in types,
//! strings, arrays and I/O. Compiled code reaches it only through the
//! `extern "C"` functions and statics declared here and documented in
//! `docs/abi.md`; the runtime knows nothing about the compiler.
//!
//! Its modules form layers; each uses only those below it:
//! 1. `object` (layouts, checked against `tess_abi`), `output` (the print
//!    buffer, `fatal`);
//! 2. `pending` (the exception slot), `array_buffer`, `map_table`, `signals`,
//!    `elf_check`, `handles`, `class_builder`, `code_map`;
//! 3. `gc` (heap, shadow stack, roots);
//! 4. `str_alloc` (making strings), `exit`, `trace` (where exceptions were
//!    thrown);
//! 5. `exc` (built-in classes, throwing, uncaught exceptions);
//! 6. `array`, `io`, `loader`, `c_memory`, then `string`, then `map`;
//! 7. `process` (start-up), `symbols` (the table for the JIT).

#![allow(clippy::missing_safety_doc)]

pub mod array;
pub mod array_buffer;
pub mod c_memory;
pub mod class_builder;
pub mod code_map;
pub mod elf_check;
pub mod exc;
pub mod exit;
pub mod gc;
pub mod handles;
pub mod io;
pub mod loader;
pub mod map;
pub mod map_table;
pub mod object;
pub mod output;
pub mod pending;
pub mod process;
pub mod signals;
pub mod str_alloc;
pub mod string;
pub mod symbols;
pub mod trace;
