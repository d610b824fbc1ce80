//! The operating system beneath the runtime: memory, threads, locks,
//! shared libraries and faults, each as one small function per platform
//! (`unix.rs`: Linux; `windows.rs`: Windows through MinGW-w64). The only
//! code of the runtime that calls the system for these; everything above
//! is the same on every target (`docs/targets.md`).

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;

/// What a spawned thread runs; its result is what [`join`] returns.
pub type ThreadBody = Box<dyn FnOnce() -> usize + Send>;
