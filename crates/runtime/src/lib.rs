//! The Tessera runtime: one copy per process, linked into every program as
//! `libtessera_rt.a` or `libtessera_rt.so`. It owns the garbage collector,
//! the pending-exception slot, type information of the built-in types,
//! strings, arrays and I/O. Compiled code reaches it only through the
//! `extern "C"` functions and statics declared here and documented in
//! `docs/abi.md`; the runtime knows nothing about the compiler.

#![allow(clippy::missing_safety_doc)]

pub mod array;
pub mod exc;
pub mod gc;
pub mod io;
pub mod loader;
pub mod map;
pub mod object;
pub mod process;
pub mod signals;
pub mod string;
pub mod symbols;
