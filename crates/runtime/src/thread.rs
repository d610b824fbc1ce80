//! A thread's state (MODULES.md §6): its shadow stack, pending exception,
//! heap, blocks of module variables and the string kept for C. Compiled
//! code receives it as a hidden last argument (`docs/abi.md`, threads);
//! the runtime's own functions find it through [`current`].
//!
//! The main thread gets its state at start-up, a thread `spawn` starts at
//! its start, and a thread Tessera did not start (a C thread calling an
//! `extern fn`) on its first call; the state of the latter two is freed
//! when they end. The collector runs here: a thread marks its own roots
//! and collects its own heap, never stopping another.

use crate::gc::{Heap, Runs};
use crate::lock::Lock;
use crate::object::{Obj, TypeInfo, MARK};
use std::cell::{Cell, RefCell};
use std::ffi::{c_char, CStr};
use std::mem::offset_of;
use std::ptr::null_mut;
use std::sync::atomic::{AtomicU64, Ordering};
use tess_abi::layout::thread as layout;
use tess_abi::layout::thread::size_class;

/// Shadow-stack slots of the main thread and of other threads (whose
/// native stacks are as large: 8 MiB each).
const MAIN_SHADOW_SLOTS: usize = 8 << 20;
pub const SHADOW_SLOTS: usize = 1 << 20;
const GUARD_BYTES: usize = 4096;

/// The stacks of finished threads (shadow stack, alternate signal stack),
/// kept for the next: mapping, protecting and unmapping them were most of
/// what a `spawn` cost beyond the POSIX thread itself.
static SPARE_STACKS: Lock<Vec<(usize, usize)>> = Lock::new(Vec::new());
const SPARE_MAX: usize = 16;

/// How a module's variables are laid out in each thread's block of them:
/// registered once per module, shared by every thread.
pub struct VarsLayout {
    pub size: usize,
    /// Byte offsets of the reference-typed variables (collector roots).
    pub refs: Vec<u64>,
    /// Their names (`module.name`, C strings in the module's data, which
    /// lives as long as the layout), read only for `lib.unload()`'s
    /// messages.
    pub names: *const *const c_char,
    /// Runs the variables' initialisers on a thread new to the module.
    pub thread_init: extern "C" fn(*mut Thread),
}

// The names are immutable data of the module, shared by every thread.
unsafe impl Send for VarsLayout {}
unsafe impl Sync for VarsLayout {}

/// One thread's state; its first fields are what compiled code reads
/// (`tess_abi::layout::thread`).
#[repr(C)]
pub struct Thread {
    pub ss_top: *mut *mut Obj,
    pub exc: *mut Obj,
    /// Where compiled code allocates small objects inline.
    pub runs: Runs,
    /// One more than `MAX_MODULES`: the last is always null, so a key cell
    /// not yet set (its initial value points there) finds no block.
    pub blocks: [*mut u8; layout::MAX_MODULES + 1],
    ss_base: *mut *mut Obj,
    ss_map_bytes: usize,
    alt_stack: *mut u8,
    pub heap: Heap,
    /// The string behind the last `CString` returned to C (`string.rs`).
    pub kept_cstring: *mut Obj,
    /// Which thread this is, for handles (MODULES.md §5).
    pub id: u64,
    /// The C-convention entry `spawn` started it with (0 for the main
    /// thread and threads Tessera did not start): `lib.unload()` refuses
    /// while a thread runs a library's function.
    pub entry: usize,
    /// Where a collection gathers the roots (kept between collections).
    roots: Vec<*mut Obj>,
    /// Which registered code the return addresses of this thread's
    /// traces are in, as found before.
    pub frames: crate::code_map::FrameCache,
}

/// Every thread's state, while it has one: what `lib.unload()` looks at
/// besides the calling thread.
static STATES: Lock<Vec<usize>> = Lock::new(Vec::new());

/// The entries of threads `spawn` started that have no state yet.
static STARTING: Lock<Vec<usize>> = Lock::new(Vec::new());

/// Records that a thread is about to start with `entry` ([`attach`] takes
/// it off): from now on `lib.unload()` sees it.
pub fn will_start(entry: usize) {
    STARTING.lock().push(entry);
}

/// Forgets a thread that [`will_start`] announced but did not start.
pub fn did_not_start(entry: usize) {
    let mut starting = STARTING.lock();
    if let Some(i) = starting.iter().position(|&e| e == entry) {
        starting.swap_remove(i);
    }
}

/// What `lib.unload()` needs to know of each thread other than the
/// calling one: (id, entry, whether it has a block of any of `keys`); a
/// thread still starting has id 0.
pub fn others(keys: &[usize]) -> Vec<(u64, usize, bool)> {
    let me = CURRENT.with(Cell::get) as usize;
    // Starting threads first: one that attaches meanwhile is then among
    // the states, entry and all.
    let mut out: Vec<(u64, usize, bool)> = STARTING.lock().iter().map(|&e| (0, e, false)).collect();
    out.extend(STATES.lock().iter().filter(|&&t| t != me).map(|&t| {
        let t = t as *const Thread;
        // Another thread's words, read while the lock keeps its state
        // alive: a block pointer only goes from null to set, by that
        // thread running the module's code.
        let uses = keys.iter().any(|&k| unsafe { !std::ptr::addr_of!((*t).blocks[k]).read_volatile().is_null() });
        unsafe { ((*t).id, (*t).entry, uses) }
    }));
    out
}

const _: () = {
    assert!(offset_of!(Thread, ss_top) == layout::SS_TOP as usize);
    assert!(offset_of!(Thread, exc) == layout::EXC as usize);
    assert!(offset_of!(Thread, runs) == layout::RUNS as usize);
    assert!(offset_of!(Thread, blocks) == layout::BLOCKS as usize);
};

thread_local! {
    /// This thread's state, or null before it has one.
    static CURRENT: Cell<*mut Thread> = const { Cell::new(null_mut()) };
    /// Frees the state of a thread Tessera did not start when it ends.
    static FOREIGN: RefCell<Option<Detach>> = const { RefCell::new(None) };
}

struct Detach(*mut Thread);

impl Drop for Detach {
    fn drop(&mut self) {
        unsafe { detach(self.0) };
    }
}

/// The calling thread's state, made on its first use.
#[inline]
pub fn current() -> &'static mut Thread {
    let t = CURRENT.with(Cell::get);
    if t.is_null() {
        let t = attach(SHADOW_SLOTS, 0);
        FOREIGN.with(|f| *f.borrow_mut() = Some(Detach(t)));
        return unsafe { &mut *t };
    }
    unsafe { &mut *t }
}

/// Gives the main thread its state (idempotent); it lives as long as the
/// process.
pub fn init_main() {
    if CURRENT.with(Cell::get).is_null() {
        attach(MAIN_SHADOW_SLOTS, 0);
    }
}

/// Makes a state for the calling thread, which must have none; `entry` is
/// the function `spawn` started it with, or 0.
pub fn attach(slots: usize, entry: usize) -> *mut Thread {
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    static PUBLISHED: std::sync::Once = std::sync::Once::new();
    PUBLISHED.call_once(crate::debug_layout::publish);
    let spare = if slots == SHADOW_SLOTS { SPARE_STACKS.lock().pop() } else { None };
    let (ss_base, ss_map_bytes, alt_stack) = match spare {
        Some((ss, alt)) => (ss as *mut *mut Obj, mapped_bytes(SHADOW_SLOTS), alt as *mut u8),
        None => {
            let (ss, bytes) = shadow_stack(slots);
            (ss, bytes, crate::os::new_fault_stack())
        }
    };
    crate::os::use_fault_stack(alt_stack);
    let t = Box::into_raw(Box::new(Thread {
        ss_top: ss_base,
        exc: null_mut(),
        runs: Runs::default(),
        blocks: [null_mut(); layout::MAX_MODULES + 1],
        ss_base,
        ss_map_bytes,
        alt_stack,
        heap: Heap::default(),
        kept_cstring: null_mut(),
        id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        entry,
        roots: Vec::new(),
        frames: Default::default(),
    }));
    STATES.lock().push(t as usize);
    if entry != 0 {
        did_not_start(entry);
    }
    CURRENT.with(|c| c.set(t));
    t
}

/// Frees a thread's state: its heap, blocks and stacks (nothing outside
/// the thread can reach them).
///
/// # Safety
/// `t` came from [`attach`] on the calling thread, which runs no more
/// Tessera code.
pub unsafe fn detach(t: *mut Thread) {
    CURRENT.with(|c| c.set(null_mut()));
    STATES.lock().retain(|&s| s != t as usize);
    unsafe {
        let state = Box::from_raw(t);
        if crate::gc::stats_wanted() {
            eprintln!("{}", state.heap.stats(&format!(" (thread {})", state.id)));
        }
        for &b in &state.blocks {
            if !b.is_null() {
                free_block(b);
            }
        }
        crate::handles::release_all(state.id);
        crate::os::stop_fault_stack();
        let mut spare = SPARE_STACKS.lock();
        if state.ss_map_bytes == mapped_bytes(SHADOW_SLOTS) && spare.len() < SPARE_MAX {
            spare.push((state.ss_base as usize, state.alt_stack as usize));
        } else {
            crate::os::unmap(state.ss_base.cast(), state.ss_map_bytes);
            crate::os::free_fault_stack(state.alt_stack);
        }
    }
}

/// The bytes mapped for a shadow stack of `slots` words and its guard.
fn mapped_bytes(slots: usize) -> usize {
    slots * 8 + GUARD_BYTES
}

/// A shadow stack of `slots` words with an inaccessible page above it, so
/// that overflowing it faults (reported as a stack overflow) instead of
/// writing past it.
fn shadow_stack(slots: usize) -> (*mut *mut Obj, usize) {
    let bytes = mapped_bytes(slots);
    let p = crate::os::reserve(bytes);
    if p.is_null() {
        crate::output::fatal("cannot allocate a shadow stack");
    }
    unsafe { crate::os::guard(p.add(slots * 8), GUARD_BYTES) };
    (p.cast(), bytes)
}

/// A new zeroed block for a module's variables; the word before it points
/// at the layout (what the collector reads).
pub fn alloc_block(vars: &'static VarsLayout) -> *mut u8 {
    unsafe {
        let p = libc::calloc(1, 8 + vars.size).cast::<*const VarsLayout>();
        if p.is_null() {
            crate::output::fatal("out of memory");
        }
        *p = vars;
        p.add(1).cast()
    }
}

/// Frees a block made by [`alloc_block`].
///
/// # Safety
/// `b` came from [`alloc_block`] and is no longer used.
pub unsafe fn free_block(b: *mut u8) {
    unsafe { libc::free(b.cast::<*const VarsLayout>().sub(1).cast()) };
}

impl Thread {
    /// Allocates `size` zeroed bytes (header included) for an object of
    /// `ty`, collecting first when it is due (in stress mode, always).
    #[inline]
    pub fn alloc(&mut self, ty: *const TypeInfo, size: u64) -> *mut Obj {
        if !self.heap.wants_collection() {
            if let Some(class) = size_class(size).filter(|&c| self.runs.has_room(c)) {
                let p = self.runs.bump(class);
                unsafe { (*p).set(ty, 0) };
                return p.cast();
            }
        }
        self.alloc_slow(ty, size)
    }

    /// [`Thread::alloc`] when the run has no room or a collection is due.
    #[inline(never)]
    fn alloc_slow(&mut self, ty: *const TypeInfo, size: u64) -> *mut Obj {
        if self.heap.wants_collection() {
            self.collect(false);
        }
        self.heap.alloc(&mut self.runs, ty, size)
    }

    /// Collects this thread's heap — its young generation, or all of it
    /// when `full` or when the heap decides it is due: marks its roots,
    /// then traces and sweeps.
    pub fn collect(&mut self, full: bool) {
        self.heap.begin(&mut self.runs, full);
        let mut roots = std::mem::take(&mut self.roots);
        self.each_root(|_, o| roots.push(o));
        for &o in &roots {
            unsafe { self.heap.mark(o) };
        }
        roots.clear();
        self.roots = roots;
        self.heap.finish();
    }

    /// Calls `f` with each of the thread's roots (null ones included) and
    /// where it is: the shadow stack, the pending exception, the kept
    /// `CString`, module variables, handles.
    pub fn each_root(&self, mut f: impl FnMut(Root, *mut Obj)) {
        unsafe {
            let mut slot = self.ss_base;
            while slot < self.ss_top {
                f(Root::Stack, *slot);
                slot = slot.add(1);
            }
            f(Root::Exception, self.exc);
            f(Root::KeptString, self.kept_cstring);
            for (key, &b) in self.blocks.iter().enumerate() {
                if b.is_null() {
                    continue;
                }
                let vars = &**b.cast::<*const VarsLayout>().sub(1);
                for (var, &off) in vars.refs.iter().enumerate() {
                    f(Root::Var { key, var }, *b.add(off as usize).cast::<*mut Obj>());
                }
            }
            for o in crate::handles::roots(self.id) {
                f(Root::Handle, o);
            }
        }
    }

    /// The name of module variable `var` of the module with key `key`, a
    /// root [`Thread::each_root`] gave.
    pub fn var_name(&self, key: usize, var: usize) -> String {
        let vars = unsafe { &**self.blocks[key].cast::<*const VarsLayout>().sub(1) };
        unsafe { CStr::from_ptr(*vars.names.add(var)) }.to_string_lossy().into_owned()
    }
}

/// Where a root of a thread is ([`Thread::each_root`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Root {
    Stack,
    Exception,
    KeptString,
    /// Reference variable number `var` of the module with key `key`.
    Var {
        key: usize,
        var: usize,
    },
    Handle,
}

/// The calling thread's state (`tess_abi::RuntimeFn::ThreadState`): how
/// code entered from C (an `extern fn`, a module's init entry, a function
/// value) finds it.
#[no_mangle]
pub extern "C" fn tess_thread_state() -> *mut Thread {
    current()
}

/// Allocates `size` zeroed bytes (header included) for an object of `ty`
/// on thread `t`'s heap, collecting it first when it is due.
///
/// # Safety
/// `t` is the calling thread's state.
#[no_mangle]
pub unsafe extern "C" fn tess_alloc(ty: *const TypeInfo, size: u64, t: *mut Thread) -> *mut Obj {
    unsafe { (*t).alloc(ty, size) }
}

/// Allocates on the calling thread's heap (for the runtime's own objects).
#[inline]
pub fn alloc(ty: *const TypeInfo, size: u64) -> *mut Obj {
    current().alloc(ty, size)
}

/// Runs a full collection of the calling thread's heap now.
#[no_mangle]
pub extern "C" fn tess_gc_collect() {
    current().collect(true);
}

/// The write barrier's slow path: `o`, an old object not yet remembered,
/// is about to receive a reference (compiled code tests the header's
/// flags inline and calls this only then).
///
/// # Safety
/// `o` is an object of thread `t`'s heap; `t` is the calling thread's state.
#[no_mangle]
pub unsafe extern "C" fn tess_write_barrier(o: *mut Obj, t: *mut Thread) {
    unsafe { (*t).heap.remember(o) }
}

/// Records that `o`, an object of the calling thread, owns memory outside
/// the heap that the collector must release when it dies.
pub fn finalize_when_dead(o: *mut Obj) {
    current().heap.finalize_when_dead(o);
}

/// Records that what `o`, an object of the calling thread, owns outside
/// the heap went from `from` to `to` bytes ([`crate::gc::Heap::owned_changed`]).
pub fn owned_changed(o: *mut Obj, from: usize, to: usize) {
    current().heap.owned_changed(o, from, to);
}

/// The write barrier for the runtime's own stores of a reference into an
/// object that may have survived a collection since it was made.
///
/// # Safety
/// `o` is an object of the calling thread's heap or a static one.
pub unsafe fn write_barrier(o: *mut Obj) {
    use tess_abi::layout::header::{LOGGED, NEEDS_BARRIER};
    if unsafe { &(*o).header }.flags() & (MARK | LOGGED) == NEEDS_BARRIER {
        unsafe { current().heap.remember(o) }
    }
}

/// Pushes a reference onto the shadow stack so the runtime's own
/// temporaries survive allocations; pair with [`pop_root`].
///
/// # Safety
/// `p` is null or a live object of this thread.
pub unsafe fn push_root(p: *mut Obj) {
    let t = current();
    unsafe {
        *t.ss_top = p;
        t.ss_top = t.ss_top.add(1);
    }
}

/// Pops `n` references pushed by [`push_root`], leaving their slots null
/// (the shadow stack above its top always is: compiled frames rely on it).
///
/// # Safety
/// At least `n` were pushed.
pub unsafe fn pop_root(n: usize) {
    let t = current();
    unsafe {
        t.ss_top = t.ss_top.sub(n);
        std::ptr::write_bytes(t.ss_top, 0, n);
    }
}

/// The calling thread's pending exception, or null.
pub fn pending() -> *mut Obj {
    current().exc
}

/// Sets the calling thread's pending exception.
pub fn set_pending(e: *mut Obj) {
    current().exc = e;
}
