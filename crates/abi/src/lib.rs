//! The one description of Tessera's binary interface: object layouts, the
//! runtime's functions with their signatures, and the runtime's data
//! symbols. The runtime checks its `#[repr(C)]` structs and `extern "C"`
//! functions against this crate at compile time; sema, codegen and the C
//! header writer read it, so a layout or signature change is one edit here.
//!
//! A leaf crate: it depends on nothing, so both the compiler and the
//! runtime can use it without depending on each other.

pub mod layout;
pub mod mangle;
pub mod runtime_fns;
pub mod signature;

pub use runtime_fns::RuntimeFn;
pub use signature::{AbiSignature, AbiValue, Val};
