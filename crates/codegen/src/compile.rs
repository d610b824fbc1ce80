//! Cranelift's compilation of translated functions, on the thread pool
//! while the translator goes on with the next functions. A batch's
//! machine code comes back in the batch's order and is defined in the
//! module in translation order, so the output's bytes do not depend on
//! scheduling.

use crate::sites::{Place, VarRange};
use crate::CodegenError;
use cranelift_codegen::isa::unwind::systemv::UnwindInfo as SystemVUnwind;
use cranelift_codegen::isa::unwind::{UnwindInfo, UnwindInfoKind};
use cranelift_codegen::isa::{OwnedTargetIsa, TargetIsa};
use cranelift_codegen::{CompiledCode, Context, LabelValueLoc};
use cranelift_module::{FuncId, ModuleReloc};
use std::cell::RefCell;
use std::sync::mpsc;

/// A function translated to Cranelift IR, waiting to be compiled.
pub(crate) struct Translated<'a> {
    pub id: FuncId,
    pub func: cranelift_codegen::ir::Function,
    /// Too large for Cranelift's optimisations (see `translate`).
    pub large: bool,
    /// Has a loop: its code starts a cache line ([`LOOP_ALIGNMENT`]).
    pub loops: bool,
    /// Its symbol, for errors.
    pub name: &'a str,
    /// For a debugger too: where its variables live, its calls' return
    /// addresses and its unwind information are wanted (objects: yes, the
    /// JIT: no).
    pub debug: bool,
}

/// The alignment of a function with a loop: a cache line, so that where
/// its loops fall in the instruction cache and the CPU's fetch windows is
/// a property of its own code, not of whatever precedes it in the binary
/// (bench/fannkuch: the same machine code ran 1.21x slower 16 bytes
/// further on, after an unrelated change to the runtime).
const LOOP_ALIGNMENT: u64 = 64;

/// The alignment of every other function: 16 bytes, as GCC and LLVM align
/// functions on x86-64 and AArch64 (Cranelift's own minimum is one byte),
/// so that a call lands at the start of a fetch block.
const FUNCTION_ALIGNMENT: u64 = 16;

/// One function's machine code, ready to be defined in the module.
pub(crate) struct Compiled {
    pub id: FuncId,
    pub name: String,
    pub alignment: u64,
    pub bytes: Vec<u8>,
    pub relocs: Vec<ModuleReloc>,
    /// (code offset, site) where each site's instructions start.
    pub locs: Vec<(u32, u32)>,
    /// Where the values of each value label live (`translate/debug_vars.rs`),
    /// by label, in label order.
    pub var_ranges: Vec<(u32, Vec<VarRange>)>,
    /// Where the code's calls return to.
    pub returns: Vec<u32>,
    /// How to find the caller's frame and registers at each instruction.
    pub unwind: Option<SystemVUnwind>,
    /// On Windows, its `UNWIND_INFO` (`seh_unwind.rs`): empty elsewhere,
    /// or when it has none.
    pub seh_unwind: Vec<u8>,
}

/// The targets a module's functions are compiled for: its own, and the
/// same without optimisations for very large functions (made on first
/// use).
pub(crate) struct Targets {
    isa: OwnedTargetIsa,
    unoptimising: Option<OwnedTargetIsa>,
}

/// A batch being compiled on the pool.
pub(crate) struct InFlight(mpsc::Receiver<Vec<Result<Compiled, CodegenError>>>);

impl Targets {
    /// The targets for a module made with `isa`.
    pub fn new(isa: OwnedTargetIsa) -> Targets {
        Targets { isa, unoptimising: None }
    }

    /// Starts compiling `batch` on the pool, in parallel, and returns at
    /// once; [`InFlight::wait`] gives its machine code.
    pub fn start<'s>(
        &mut self,
        scope: &rayon::Scope<'s>,
        batch: Vec<Translated<'s>>,
    ) -> Result<InFlight, CodegenError> {
        use rayon::prelude::*;
        if batch.iter().any(|t| t.large) && self.unoptimising.is_none() {
            self.unoptimising = Some(crate::target::isa_optimising(self.isa.flags().is_pic(), false)?);
        }
        let isa = self.isa.clone();
        let unoptimising = self.unoptimising.clone();
        let (done, result) = mpsc::sync_channel(1);
        scope.spawn(move |_| {
            let compiled = batch
                .into_par_iter()
                .map(|t| {
                    let target = if t.large { unoptimising.as_deref().unwrap_or(&*isa) } else { &*isa };
                    compile_function(target, t)
                })
                .collect();
            // The receiver is gone only when translation already failed.
            let _ = done.send(compiled);
        });
        Ok(InFlight(result))
    }

    /// Compiles one function on this thread.
    pub fn compile_now(&self, t: Translated<'_>) -> Result<Compiled, CodegenError> {
        compile_function(&*self.isa, t)
    }
}

impl InFlight {
    /// The batch's machine code, in the batch's order: waits for it.
    pub fn wait(self) -> Result<Vec<Compiled>, CodegenError> {
        let compiled = self.0.recv().map_err(|_| CodegenError("a compiling thread stopped".into()))?;
        compiled.into_iter().collect()
    }
}

thread_local! {
    /// Each thread's Cranelift context, reused from one function to the
    /// next so its tables keep their memory.
    static CONTEXT: RefCell<Context> = RefCell::new(Context::new());
}

/// Compiles one function for `isa` (on any thread: it touches no module).
fn compile_function(isa: &dyn TargetIsa, t: Translated<'_>) -> Result<Compiled, CodegenError> {
    let fail = |e: String| CodegenError(format!("function {}: {e}", t.name));
    CONTEXT.with_borrow_mut(|ctx| {
        ctx.clear();
        ctx.func = t.func;
        let alignment =
            ctx.compile(isa, &mut Default::default()).map_err(|e| fail(format!("{:?}", e.inner)))?.buffer.alignment;
        let code = ctx.compiled_code().ok_or_else(|| fail("no compiled code".into()))?;
        let relocs = code.buffer.relocs().iter().map(|r| ModuleReloc::from_mach_reloc(r, &ctx.func, t.id)).collect();
        let mut locs: Vec<(u32, u32)> = Vec::new();
        for l in code.buffer.get_srclocs_sorted() {
            if !l.loc.is_default() && locs.last().is_none_or(|&(_, s)| s != l.loc.bits()) {
                locs.push((l.start, l.loc.bits()));
            }
        }
        let windows = crate::target::platform() == crate::target::Platform::X86_64Windows;
        let seh_unwind = if windows { crate::seh_unwind::info(&code.buffer).unwrap_or_default() } else { Vec::new() };
        let (var_ranges, returns, unwind) = if t.debug {
            let unwind = match isa.emit_unwind_info(code, UnwindInfoKind::SystemV) {
                Ok(Some(UnwindInfo::SystemV(info))) => Some(info),
                _ => None,
            };
            (var_ranges(isa, code), code.buffer.call_sites().map(|c| c.ret_addr).collect(), unwind)
        } else {
            (Vec::new(), Vec::new(), None)
        };
        Ok(Compiled {
            locs,
            var_ranges,
            returns,
            unwind,
            seh_unwind,
            id: t.id,
            name: t.name.to_string(),
            alignment: u64::from(alignment).max(if t.loops { LOOP_ALIGNMENT } else { FUNCTION_ALIGNMENT }),
            bytes: code.buffer.data().to_vec(),
            relocs,
        })
    })
}

/// Where the values of each variable live, by its number
/// (`translate/debug_vars.rs`): its stack slot throughout, or where its
/// value label's values are, Cranelift's registers renamed to DWARF's (a
/// register DWARF cannot name is left out: the debugger then says the
/// value is not available there).
fn var_ranges(isa: &dyn TargetIsa, code: &CompiledCode) -> Vec<(u32, Vec<VarRange>)> {
    let len = code.buffer.data().len() as u32;
    let slots = code.buffer.frame_layout().into_iter().flat_map(|frame| {
        frame.stackslots.values().filter_map(move |slot| {
            let n = u32::try_from(slot.key?.bits()).ok()?;
            let place = Place::Slot(i64::from(slot.offset) - i64::from(frame.frame_to_fp_offset));
            Some((n, vec![VarRange { start: 0, end: len, place }]))
        })
    });
    let mut out: Vec<(u32, Vec<VarRange>)> = code
        .value_labels_ranges
        .iter()
        .map(|(label, ranges)| {
            let places = ranges.iter().filter_map(|r| {
                let place = match r.loc {
                    LabelValueLoc::Reg(reg) => Place::Register(isa.map_regalloc_reg_to_dwarf(reg).ok()?),
                    LabelValueLoc::CFAOffset(offset) => Place::Frame(offset),
                };
                Some(VarRange { start: r.start, end: r.end, place })
            });
            (label.as_u32(), places.collect())
        })
        .chain(slots)
        .collect();
    out.sort_unstable_by_key(|&(label, _)| label);
    out
}
