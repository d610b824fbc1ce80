//! Translation of one HIR function to Cranelift IR.
//!
//! Frame protocol (see `docs/abi.md`): every function has its thread's
//! state (a hidden last argument, or fetched by an entry from C). A
//! function that holds references reserves `n` slots on the thread's
//! shadow stack on entry (`base = t.ss_top; t.ss_top = base + n`), zeroes
//! them, stores every live reference in its slot, and restores
//! `t.ss_top = base` on every exit. After each call that may throw it
//! tests `t.exc` and, when set, leaves through the unwind path, which
//! returns at once. Module variables live in the thread's block of their
//! module, found once per call (`vars.rs`).
//!
//! The translator's rooms: `frame` (locals, slots, leaving), `stmt`,
//! `expr` (dispatch, literals, strings and arrays), `operators`, `calls`
//! (direct, inlined, virtual, indirect, runtime), `objects` (classes,
//! optionals, maps), `exceptions` (throw, try, finally, raise and unwind
//! blocks), `module_init` (the init entry's own work).

mod array_ops;
mod calls;
mod closures;
mod dead_stores;
mod debug_vars;
mod exceptions;
mod expr;
mod facts;
mod frame;
mod generics;
mod heap;
mod interfaces;
mod local_objects;
mod module_init;
mod objects;
mod operators;
mod stmt;
mod string_ops;
mod vars;

use crate::bodies::Bodies;
use crate::compile::{InFlight, Translated};
use crate::module_gen::ModuleGen;
use crate::sites::DebugVar;
use crate::slots;
use crate::CodegenError;
use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::ir::{
    AliasRegionData, Block, Function, Inst, InstBuilder, MemFlagsData, StackSlot, StackSlotData, StackSlotKind,
    TrapCode, Value,
};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_module::Module;
use std::collections::{HashMap, HashSet};
use tess_sema::hir::{self, Stmt};
use tess_sema::ty::Ty;

type R<T> = Result<T, CodegenError>;

fn flags() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// The alias regions of array headers and of array elements
/// ([`Translator::header_flags`]).
const ARRAY_HEADERS: u32 = 1;
const ARRAY_ELEMENTS: u32 = 2;

/// A cold block on an exception edge: it jumps to `target` (a raise block
/// or a block exceptions arrive at) with `args` and the `site` the
/// exception comes from. A hot branch to it carries no arguments, so the
/// hot path computes nothing for the site, and the work stays in the
/// shared blocks: one raise call per function keeps register allocation
/// as good as without traces (bench/fannkuch: 33 spill slots accesses
/// either way, 85 with a raise block per site).
struct Edge {
    block: Block,
    target: Block,
    args: Vec<Value>,
    site: i64,
}

/// Runtime failures that compiled code raises through a shared block.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Raise {
    Overflow,
    DivZero,
    Index,
    /// A module variable read before its initialiser ran.
    Uninitialised,
}

/// Functions of more blocks than this are compiled without Cranelift's
/// e-graph optimisations and with its single-pass register allocator,
/// whose times grow faster than linearly with a function's size (a script
/// of 200,000 statements: 213 s, 2.9 s without); such functions are
/// top-level scripts and generated code, rarely hot loops.
const LARGE_FUNCTION_BLOCKS: usize = 5_000;

/// Functions translated before a batch is compiled: enough to keep every
/// core busy, few enough that the batch's IR stays small.
const BATCH: usize = 256;

/// Translates and defines every function of the module (of its piece,
/// when it is compiled in pieces). Translation runs in order on this
/// thread (it declares imports and literals in the module); each batch is
/// compiled in parallel on the pool while the next one is translated, and
/// the machine code is defined in translation order, so the output's
/// bytes do not depend on scheduling. Each body taken from the module is
/// freed after the last function whose translation reads it.
pub(crate) fn define_all<M: Module>(mg: &mut ModuleGen<'_, M>, bodies: &mut Bodies) -> R<()> {
    let mut fctx = FunctionBuilderContext::new();
    let hir = mg.hir;
    let piece = mg.piece;
    let defined_here = |f: &hir::Func| !f.external && piece.is_none_or(|p| p == f.file);
    let order: Vec<hir::FuncId> = (0..hir.funcs.len()).filter(|&f| defined_here(&hir.funcs[f])).collect();
    mg.collects = crate::collects::may_collect(hir, bodies);
    mg.init_only = crate::writes::init_only(hir, bodies);
    mg.resizes = crate::resizes::may_resize(hir, bodies);
    let (nslots, last_reader) = plan(hir, bodies, &mg.collects, &order);
    rayon::in_place_scope(|scope| -> R<()> {
        let mut batch: Vec<Translated> = Vec::with_capacity(BATCH);
        let mut in_flight: Option<InFlight> = None;
        for (at, &i) in order.iter().enumerate() {
            let f = &hir.funcs[i];
            let id = mg.func(i)?;
            let mut func = Function::with_name_signature(
                cranelift_codegen::ir::UserFuncName::default(),
                mg.module.declarations().get_function_decl(id).signature.clone(),
            );
            let job = Job { id: i, nslots: nslots[i] };
            let Translation { loops, vars } = translate(mg, bodies, job, &mut func, &mut fctx)?;
            if mg.debug_info.is_some() {
                debug_vars::move_labels_off_aliases(&mut func);
                let ret = (f.ret != Ty::Void).then(|| mg.debug_types.of(hir, &f.ret));
                mg.debug_vars.insert(id, (ret, vars));
            }
            for &done in &last_reader[at] {
                bodies.free(done);
            }
            if mg.clif.is_some() {
                func.name = cranelift_codegen::ir::UserFuncName::user(0, id.as_u32());
                let text = crate::clif_text::readable(&func, mg.module.declarations());
                mg.clif.get_or_insert_default().push_str(&format!("{text}\n"));
            }
            let large = func.layout.blocks().count() > LARGE_FUNCTION_BLOCKS;
            let debug = mg.debug_info.is_some();
            batch.push(Translated { id, func, large, loops, name: &f.symbol, debug });
            if batch.len() == BATCH {
                let next = mg.targets.start(scope, std::mem::take(&mut batch))?;
                if let Some(done) = in_flight.replace(next) {
                    mg.define_compiled(done.wait()?)?;
                }
            }
        }
        let last = mg.targets.start(scope, batch)?;
        for done in in_flight.into_iter().chain([last]) {
            mg.define_compiled(done.wait()?)?;
        }
        Ok(())
    })?;
    mg.define_entries()
}

/// For each function of `order`, the shadow-stack slots it needs; and for
/// each position in `order`, the bodies no later function reads (the
/// function's own, and those its translation inlines or weighs for
/// inlining, as `slots::count` finds them).
fn plan(
    hir: &hir::Module,
    bodies: &Bodies,
    collecting: &[bool],
    order: &[hir::FuncId],
) -> (Vec<u32>, Vec<Vec<hir::FuncId>>) {
    let mut nslots = vec![0; hir.funcs.len()];
    let mut last_read = vec![None; hir.funcs.len()];
    let mut reads = Vec::new();
    for (at, &f) in order.iter().enumerate() {
        nslots[f] = slots::count(hir, bodies, collecting, f, &mut reads);
        for g in reads.drain(..).chain([f]) {
            last_read[g] = Some(at);
        }
    }
    let mut last_reader = vec![Vec::new(); order.len()];
    for (f, at) in last_read.into_iter().enumerate() {
        if let Some(at) = at {
            last_reader[at].push(f);
        }
    }
    (nslots, last_reader)
}

/// A function to translate, with what was found of it beforehand.
struct Job {
    id: hir::FuncId,
    nslots: u32,
}

fn translate<M: Module>(
    mg: &mut ModuleGen<'_, M>,
    bodies: &Bodies,
    job: Job,
    out: &mut Function,
    fctx: &mut FunctionBuilderContext,
) -> R<Translation> {
    let call_conv = mg.module.isa().default_call_conv();
    let hir = mg.hir;
    let func = &hir.funcs[job.id];
    let stmts = bodies
        .get(job.id)
        .ok_or_else(|| CodegenError(format!("{}: body freed before its translation", func.symbol)))?;
    let collects = mg.may_collect(job.id);
    let mut t = Translator {
        b: FunctionBuilder::new(out, fctx),
        mg,
        hir,
        bodies,
        body: Body::new(func, stmts, None),
        inlined: Vec::new(),
        nslots: job.nslots,
        collects,
        next_slot: 0,
        frame_base: None,
        thread: None,
        blocks: HashMap::new(),
        unwind: None,
        raise_blocks: HashMap::new(),
        alloc_joins: HashMap::new(),
        root_stores: Vec::new(),
        edges: Vec::new(),
        plain_edges: HashMap::new(),
        handlers: Vec::new(),
        stmt_high: 0,
        stmt_collects: true,
        deferred_scopes: HashSet::new(),
        err_out: None,
        call_conv,
        cell_block: None,
        cell_values: HashMap::new(),
        site: -1,
        inline_sites: Vec::new(),
        site_names: None,
        loops: false,
        checked_elements: Default::default(),
        debug_vars: None,
    };
    if let Some(homes) = t.mg.debug_info {
        if homes == crate::module_gen::VarHomes::Labels {
            t.b.func.dfg.collect_debug_info();
        }
        t.debug_vars = Some(Vec::new());
    }
    t.run()?;
    let frontend = t.mg.module.isa().frontend_config();
    t.b.finalize(frontend);
    Ok(Translation { loops: t.loops, vars: t.debug_vars.unwrap_or_default() })
}

/// What translating a function found out besides its IR.
struct Translation {
    /// It has a loop.
    loops: bool,
    /// The variables a debugger shows.
    vars: Vec<DebugVar>,
}

/// The HIR function whose statements are being translated: the function
/// itself, or a callee being inlined into it.
struct Body<'a> {
    func: &'a hir::Func,
    /// Its statements.
    stmts: &'a [Stmt],
    vars: Vec<Variable>,
    /// Where each local a debugger shows is made known to it.
    homes: Vec<Option<debug_vars::Home>>,
    local_slot: Vec<Option<u32>>,
    /// Enclosing loops and `finally` blocks, innermost last.
    scopes: Vec<Scope<'a>>,
    /// Where `return` goes when this body is inlined.
    exit: Option<Block>,
    /// What is known of its `Int` locals (`facts.rs`).
    facts: facts::Facts,
}

impl<'a> Body<'a> {
    fn new(func: &'a hir::Func, stmts: &'a [Stmt], exit: Option<Block>) -> Body<'a> {
        Body {
            func,
            stmts,
            vars: Vec::new(),
            homes: Vec::new(),
            local_slot: vec![None; func.locals.len()],
            scopes: Vec::new(),
            exit,
            facts: facts::Facts::new(func, stmts),
        }
    }
}

/// A construct that `break`, `continue` and `return` must respect.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Loop {
        cont: Block,
        brk: Block,
    },
    /// A `try` with a `finally` body; `handlers` is the depth of the handler
    /// stack outside the `try`, `ret_slot` keeps a returned value alive
    /// while the `finally` body runs.
    Finally {
        body: &'a [Stmt],
        handlers: usize,
        ret_slot: u32,
    },
}

/// Translates one function. `'h` is how long the HIR it reads lives: the
/// function's translation, after which bodies may be freed.
struct Translator<'a, 'm, 'h, M: Module> {
    b: FunctionBuilder<'a>,
    mg: &'a mut ModuleGen<'m, M>,
    hir: &'h hir::Module,
    bodies: &'h Bodies<'h>,
    body: Body<'h>,
    /// Callees being inlined, innermost last (never inlined again inside).
    inlined: Vec<hir::FuncId>,
    nslots: u32,
    /// Whether the function may collect (`collects.rs`): if not, it keeps
    /// references in registers only and opens no shadow-stack frame.
    collects: bool,
    next_slot: u32,
    frame_base: Option<Value>,
    /// Where the thread's state (`tess_abi::layout::thread`) is kept: a
    /// stack slot, read where it is used, so that it occupies no register
    /// across loops that do not use it (bench/nbody: 2% fewer instructions
    /// than keeping it in one).
    thread: Option<StackSlot>,
    /// The thread's block of each module's variables used so far, by
    /// module name (`vars.rs`).
    blocks: HashMap<String, Value>,
    unwind: Option<Block>,
    /// The shared blocks that raise runtime failures, by what they raise
    /// and where the exception goes; their parameters are the failure's
    /// arguments, then the site.
    raise_blocks: HashMap<(Raise, Block), Block>,
    /// The blocks where an inline allocation's paths join, whose first
    /// parameter is the new object (`heap.rs`), with what the passes after
    /// translation may take out of its fast path.
    alloc_joins: HashMap<Block, heap::InlineAlloc>,
    /// The stores of [`Translator::root`] (`dead_stores.rs`).
    root_stores: Vec<Inst>,
    /// The exception edges, filled at the end.
    edges: Vec<Edge>,
    /// Edges without arguments, shared by (target, site).
    plain_edges: HashMap<(Block, i64), Block>,
    /// Landing blocks of the enclosing `try` bodies, innermost last.
    handlers: Vec<Block>,
    /// One past the highest slot taken by the statement being translated.
    stmt_high: u32,
    /// Whether the statement being translated may collect: if not, its
    /// intermediate references need no slots (nothing can free them before
    /// it completes, and a raise abandons them).
    stmt_collects: bool,
    /// Loops whose locals are nulled when the loop around them ends, not
    /// when they end (`stmt.rs`, `defer_inner_scopes`), by address.
    deferred_scopes: HashSet<*const hir::Stmt>,
    /// The `tess_error **err` parameter of an `extern fn ... throws`.
    err_out: Option<Value>,
    call_conv: CallConv,
    /// Where the cells of class layouts are read (MODULES.md §11): the end
    /// of a block that dominates every use, so each cell is read once per
    /// call, outside any loop — the entry block, or in the init entry the
    /// block where its classes have been built. `None` before that: loads
    /// stay where they are used.
    cell_block: Option<Block>,
    /// The cells read at `cell_block`, by symbol.
    cell_values: HashMap<String, Value>,
    /// The site (`code_table.rs`) of the statement being translated, -1
    /// before the first; what exception edges carry.
    site: i64,
    /// For each callee being inlined, the caller's site at the call.
    inline_sites: Vec<i64>,
    /// The function (by address) and file whose names the last site used,
    /// and those names' indices.
    site_names: Option<(usize, u32, u32, u32)>,
    /// Whether the function has a loop (its code then starts a cache line).
    loops: bool,
    /// Element accesses known to be within bounds here (`facts.rs`).
    checked_elements: facts::CheckedElements,
    /// With `Some`, the variables a debugger shows (`debug_vars.rs`),
    /// numbered by the value labels their values carry.
    debug_vars: Option<Vec<DebugVar>>,
}

impl<'h, M: Module> Translator<'_, '_, 'h, M> {
    /// The thread's state, read from its slot.
    fn thread(&mut self) -> Value {
        let slot = *self.thread.get_or_insert_with(|| {
            self.b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 8, 3))
        });
        self.b.ins().stack_load(crate::abi::PTR, crate::abi::PTR, slot, 0)
    }

    /// Keeps the thread's state in its slot from the function's start, if
    /// anything used it (an entry from C gets it from the runtime there).
    fn store_thread(&mut self, entry: Block, param: Option<Value>) -> R<()> {
        let Some(slot) = self.thread else { return Ok(()) };
        let state = match param {
            Some(_) => None,
            None => {
                let id = self.mg.runtime_fn(tess_abi::RuntimeFn::ThreadState)?;
                Some(self.mg.module.declare_func_in_func(id, self.b.func))
            }
        };
        let mut at = FuncCursor::new(self.b.func).at_first_insertion_point(entry);
        let value = match (param, state) {
            (Some(v), _) => v,
            (None, Some(f)) => {
                let call = at.ins().call(f, &[]);
                at.func.dfg.inst_results(call)[0]
            }
            (None, None) => return Ok(()),
        };
        at.ins().stack_store(crate::abi::PTR, value, slot, 0);
        Ok(())
    }

    /// Flags for loads of an array's `len` and `data`, told apart from its
    /// elements for Cranelift's alias analysis: storing an element cannot
    /// change them, so a length or data pointer read before the store is
    /// still good after it. No element is at a header's address (indices
    /// are checked, or known to be below the length); other accesses use
    /// [`flags`], which may alias anything, and every call clobbers both.
    fn header_flags(&mut self) -> MemFlagsData {
        self.region_flags(ARRAY_HEADERS, "array header")
    }

    /// Flags for loads and stores of array elements (see
    /// [`Self::header_flags`]).
    fn element_flags(&mut self) -> MemFlagsData {
        self.region_flags(ARRAY_ELEMENTS, "array element")
    }

    /// Whether `block`'s code so far has a call: anything may have run
    /// there (a collection, an array resized).
    fn calls_in(&self, block: Block) -> bool {
        let func = &*self.b.func;
        func.layout.block_insts(block).any(|i| func.dfg.insts[i].opcode().is_call())
    }

    fn region_flags(&mut self, user_id: u32, description: &'static str) -> MemFlagsData {
        let region = self.b.func.dfg.alias_regions.insert(AliasRegionData { user_id, description: description.into() });
        flags().with_alias_region(Some(region))
    }

    fn run(&mut self) -> R<()> {
        let entry = self.b.create_block();
        self.b.append_block_params_for_function_params(entry);
        self.b.switch_to_block(entry);
        let mut params = self.b.block_params(entry).to_vec();
        let thread_param = if crate::abi::takes_thread(self.body.func) { params.pop() } else { None };
        if self.nslots > 0 && self.collects {
            self.open_frame()?;
        }
        if self.body.func.throws_c {
            self.err_out = params.last().copied();
        }
        self.bind_locals(&params)?;
        if self.is_module_init() {
            self.init_once()?;
            self.register_module()?;
            self.register_vars()?;
        } else {
            self.find_blocks()?;
            self.cell_block = self.b.current_block();
        }
        self.stmts(self.body.stmts)?;
        if !self.is_terminated() {
            if self.body.func.ret == Ty::Void {
                self.leave(None)?;
            } else {
                self.b.ins().trap(TrapCode::unwrap_user(1));
            }
        }
        self.fill_cold_blocks()?;
        self.store_thread(entry, thread_param)?;
        self.b.seal_all_blocks();
        // Once sealed, every variable's value is known (no pending block
        // parameters): the passes below see each use of a value.
        local_objects::replace(self.b.func, &mut self.alloc_joins, self.frame_base);
        dead_stores::remove(self.b.func, &self.alloc_joins, &self.root_stores);
        Ok(())
    }
}
