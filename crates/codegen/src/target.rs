//! The machine code is generated for: the platform (`--target`),
//! Cranelift's target and settings, with or without optimisations (`-O0`),
//! and its triple as interfaces record it. One place, so that the object
//! writer, the JIT and the per-function fallback for very large functions
//! agree.

use crate::{err, CodegenError};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use std::sync::OnceLock;

/// A platform Tessera compiles for (`tess build --target TRIPLE`,
/// `docs/targets.md`): an architecture, an operating system and its
/// object format.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Platform {
    /// x86-64 Linux (ELF, System V).
    X86_64Linux,
    /// 64-bit ARM Linux (ELF, AAPCS64).
    Aarch64Linux,
    /// x86-64 Windows through MinGW-w64 (PE/COFF, Windows x64).
    X86_64Windows,
}

/// The platforms `--target` accepts.
pub const PLATFORMS: [Platform; 3] = [Platform::X86_64Linux, Platform::Aarch64Linux, Platform::X86_64Windows];

impl Platform {
    /// Its target triple, as Rust and interfaces spell it.
    pub fn triple(self) -> &'static str {
        match self {
            Platform::X86_64Linux => "x86_64-unknown-linux-gnu",
            Platform::Aarch64Linux => "aarch64-unknown-linux-gnu",
            Platform::X86_64Windows => "x86_64-pc-windows-gnu",
        }
    }

    /// The platform of `triple`, or an error naming the ones there are.
    pub fn parse(triple: &str) -> Result<Platform, String> {
        PLATFORMS.into_iter().find(|p| p.triple() == triple).ok_or_else(|| {
            let known: Vec<&str> = PLATFORMS.iter().map(|p| p.triple()).collect();
            format!("unknown target `{triple}` (the targets are {})", known.join(", "))
        })
    }

    /// The platform this compiler runs on.
    pub fn host() -> Platform {
        if cfg!(target_arch = "aarch64") {
            Platform::Aarch64Linux
        } else if cfg!(windows) {
            Platform::X86_64Windows
        } else {
            Platform::X86_64Linux
        }
    }

    /// The architecture's half of the platform.
    pub fn arch(self) -> Arch {
        match self {
            Platform::X86_64Linux | Platform::X86_64Windows => Arch::X86_64,
            Platform::Aarch64Linux => Arch::Aarch64,
        }
    }
}

/// An instruction set, for the facts that depend on it alone (registers
/// in debug information, relocations).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Arch {
    X86_64,
    Aarch64,
}

static PLATFORM: OnceLock<Platform> = OnceLock::new();

/// Compiles for `platform` from now on, for the whole process (the
/// driver's `--target`, read before anything is compiled). Fails if code
/// was already generated for another platform.
pub fn select(platform: Platform) -> Result<(), String> {
    let chosen = *PLATFORM.get_or_init(|| platform);
    if chosen == platform {
        Ok(())
    } else {
        Err(format!("already compiling for {}, not {}", chosen.triple(), platform.triple()))
    }
}

/// The platform code is generated for: the one [`select`]ed, else the host.
pub fn platform() -> Platform {
    *PLATFORM.get_or_init(Platform::host)
}

/// The target for code that may end up in executables or shared libraries:
/// position-independent, and for the platform's baseline CPU rather than
/// this host's, so objects run on any machine of the architecture.
pub fn isa(pic: bool) -> Result<OwnedTargetIsa, CodegenError> {
    isa_optimising(pic, true)
}

/// How much work the code generator puts into the code.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Opt {
    /// Cranelift's optimisations and its backtracking register allocator.
    #[default]
    Speed,
    /// `-O0`: a fast compile — no e-graph optimisations and the single-pass
    /// register allocator.
    Fast,
}

/// The target for objects compiled at `opt`.
pub(crate) fn object_isa(opt: Opt) -> Result<OwnedTargetIsa, CodegenError> {
    match opt {
        Opt::Speed => isa(true),
        Opt::Fast => target(true, false, "single_pass"),
    }
}

/// The target of [`isa`], with Cranelift's optimisations (the e-graph
/// pass and the backtracking register allocator) or without: very large
/// functions are compiled without, since both grow faster than linearly
/// with a function's size.
pub(crate) fn isa_optimising(pic: bool, optimise: bool) -> Result<OwnedTargetIsa, CodegenError> {
    target(pic, optimise, if optimise { "backtracking" } else { "single_pass" })
}

fn target(pic: bool, optimise: bool, regalloc: &str) -> Result<OwnedTargetIsa, CodegenError> {
    let mut flags = settings::builder();
    let set = |f: &mut settings::Builder, k: &str, v: &str| f.set(k, v).map_err(err("setting a code generator flag"));
    set(&mut flags, "opt_level", if optimise { "speed" } else { "none" })?;
    // COFF has no global offset table: Windows code reaches other DLLs'
    // symbols through absolute addresses the loader fixes (MinGW's
    // auto-import through the import address table), never PIC's GOT.
    let pic = pic && platform() != Platform::X86_64Windows;
    set(&mut flags, "is_pic", if pic { "true" } else { "false" })?;
    set(&mut flags, "enable_verifier", if cfg!(debug_assertions) { "true" } else { "false" })?;
    set(&mut flags, "preserve_frame_pointers", "true")?;
    set(&mut flags, "regalloc_algorithm", regalloc)?;
    let triple = platform().triple().parse().map_err(err("reading the target triple"))?;
    let builder = cranelift_codegen::isa::lookup(triple).map_err(err("finding the target"))?;
    builder.finish(settings::Flags::new(flags)).map_err(err("creating the target"))
}

/// The target triple objects are compiled for, as interface files record
/// it: every imported interface is checked against it.
pub fn target_triple() -> &'static str {
    platform().triple()
}
