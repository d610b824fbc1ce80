//! Byte layouts of everything compiled code and the runtime both touch
//! (`docs/abi.md`, "Objects" and "Type info"). Offsets are `i32` because
//! that is what load and store instructions take.

/// Bytes in a machine word: a header, a field, an array element, a slot.
pub const WORD: i32 = 8;

/// The one-word object header: type-info address | collector flags.
pub mod header {
    /// Header bytes before an object's first field.
    pub const SIZE: i32 = super::WORD;
    /// Set on objects reached during the current mark phase.
    pub const MARK: u64 = 1;
    /// Set on objects in a module's static data (string literals).
    pub const STATIC: u64 = 2;
    /// Set on an old object while it is in its heap's remembered set (it
    /// was written after its last collection; `docs/abi.md`, the write
    /// barrier).
    pub const LOGGED: u64 = 4;
    /// All flag bits; masked off to get the type info (type infos are
    /// 8-byte aligned to leave room for them).
    pub const FLAG_MASK: u64 = 7;
    /// What a header's flags are, masked by `MARK | LOGGED`, exactly when
    /// a store of a reference into the object must call the write barrier:
    /// the object is old and not yet remembered.
    pub const NEEDS_BARRIER: u64 = MARK;
    /// Alignment of every type info.
    pub const TYPE_INFO_ALIGN: u64 = FLAG_MASK + 1;
}

/// Class instances: header, then one word per field, inherited first.
pub mod object {
    /// Byte offset of field number `index`.
    pub const fn field_offset(index: u32) -> u32 {
        super::header::SIZE as u32 + super::WORD as u32 * index
    }

    /// Instance size, header included, of a class with `fields` fields.
    pub const fn size(fields: u32) -> u32 {
        field_offset(fields)
    }
}

/// A function value (LANGUAGE.md §7, MODULES.md §12): a collected object
/// whose code takes the object itself first (its environment), then the
/// parameters, then the thread's state; `C_ENTRY` is C-convention code for
/// the same function, or 0 for a closure that captures (C cannot call it).
/// Captured variables follow, one word each (`docs/abi.md`, "Closures").
pub mod closure {
    pub const CODE: i32 = 8;
    pub const C_ENTRY: i32 = 16;
    /// The first captured variable's word; the size of a function value
    /// that captures nothing.
    pub const CAPTURES: i32 = 24;
}

/// How `print` shows a value of a collection's element type
/// (`tess_arr_to_string`, `tess_map_to_string`): the type's tree in
/// preorder, one 4-bit code each (the first in the low bits), at most
/// `MAX_CODES`. Leaves are `value_kind`s (`OBJECT` for objects); `ARRAY`
/// and `SET` are followed by their element's tree, `OPTIONAL` by its
/// value's, `MAP` by its key's then its value's.
pub mod print_shape {
    pub const ARRAY: u8 = 7;
    pub const MAP: u8 = 8;
    pub const OPTIONAL: u8 = 9;
    pub const SET: u8 = 10;
    /// An `Any`: shown by what it holds.
    pub const ANY: u8 = 11;
    pub const MAX_CODES: usize = 16;

    /// The codes packed, or `None` when there are too many.
    pub fn encode(codes: &[u8]) -> Option<i64> {
        (codes.len() <= MAX_CODES).then(|| codes.iter().rev().fold(0i64, |acc, &c| acc << 4 | i64::from(c)))
    }

    /// The code at position `i` of a packed shape.
    pub fn code(shape: i64, i: usize) -> u8 {
        (shape >> (4 * i) & 0xf) as u8
    }
}

/// A function value adapted between generic code, where a type
/// parameter's value is a word, and code that knows it is a `Float`
/// (`docs/abi.md`, generics): the wrapped value is its first capture, the
/// shape its second. The shape: the arity (at most `MAX_ARITY`) in bits
/// 0-1; per position `i` (the parameters, then the result) a bit `2 + i`
/// set when the adapter's callers pass (or expect) it in a floating-point
/// register, and the wrapped code's `value_kind` of it in bits `8 + 4 i`.
pub mod fn_adapter {
    pub const MAX_ARITY: usize = 2;
    pub const WRAPPED: i32 = super::closure::CAPTURES;
    pub const SHAPE: i32 = super::closure::CAPTURES + 8;
    pub const SIZE: i32 = super::closure::CAPTURES + 16;

    /// The shape of an adapter whose positions (parameters, then result)
    /// its callers pass as floats where `outer_float`, and its wrapped
    /// code takes as `inner` value kinds.
    pub fn pack(outer_float: &[bool], inner: &[u8]) -> i64 {
        let arity = outer_float.len() as i64 - 1;
        let floats = outer_float.iter().enumerate().map(|(i, &f)| i64::from(f) << (2 + i));
        let kinds = inner.iter().enumerate().map(|(i, &k)| i64::from(k) << (8 + 4 * i));
        arity | floats.sum::<i64>() | kinds.sum::<i64>()
    }

    /// The arity of a shape.
    pub fn arity(shape: i64) -> usize {
        (shape & 3) as usize
    }

    /// Whether the adapter's callers pass position `i` as a float.
    pub fn outer_float(shape: i64, i: usize) -> bool {
        shape >> (2 + i) & 1 != 0
    }

    /// The wrapped code's value kind of position `i`.
    pub fn inner(shape: i64, i: usize) -> u8 {
        (shape >> (8 + 4 * i) & 0xf) as u8
    }
}

/// What a map's keys are, as `tess_map_new` is told (`docs/abi.md`, maps).
pub mod map_keys {
    /// `Int`, `Bool`: the word itself.
    pub const WORDS: i8 = 0;
    /// `String`: by content.
    pub const STRINGS: i8 = 1;
    /// Objects of `Hashable` classes: by their `hash()` and `equals()`.
    pub const HASHABLE: i8 = 2;
}

/// A constant map (`docs/abi.md`, module constants): a `Map` object
/// (header, table pointer — null until its first use builds the table)
/// followed by its entries as the compiler computed them.
pub mod const_map {
    /// The table pointer (`Map`'s own field).
    pub const TABLE: i32 = 8;
    /// Its keys' kind (`map_keys`).
    pub const KEY_KIND: i32 = 16;
    /// Whether its values are references.
    pub const VALS_ARE_REFS: i32 = 24;
    pub const COUNT: i32 = 32;
    /// `COUNT` (key, value) word pairs.
    pub const ENTRIES: i32 = 40;
}

/// Interfaces (LANGUAGE.md §7, `docs/abi.md`): the descriptor an
/// interface's module emits, the conformance records a class's module
/// emits, and the two-word records of a call site's cache.
pub mod interface {
    /// Descriptor: method count, name (`*String`), then per method its
    /// name (`*String`) and default body's code (or 0).
    pub const DESC_COUNT: i32 = 0;
    pub const DESC_NAME: i32 = 8;
    pub const DESC_METHODS: i32 = 16;
    pub const METHOD_SIZE: i32 = 16;
    /// Conformance: the address of a word holding the class's type info,
    /// the interface's descriptor, the entry count, then entries of (name
    /// `*String`, kind, value).
    pub const CONF_TYPE_INFO: i32 = 0;
    pub const CONF_IFACE: i32 = 8;
    pub const CONF_COUNT: i32 = 16;
    pub const CONF_ENTRIES: i32 = 24;
    pub const ENTRY_SIZE: i32 = 24;
    /// Entry kinds: the value is the code, or the address of a word
    /// holding the byte offset of a virtual-table slot of the receiver's
    /// type info (so a subclass's override is found).
    pub const ENTRY_CODE: u64 = 0;
    pub const ENTRY_SLOT: u64 = 1;
    /// A call site's cache holds 0 or the address of a record of
    /// `CACHE_ENTRIES` (type info, table) pairs — unused ones with a null
    /// type info — that never changes once published: a call whose
    /// receiver's class alternates among a few stays on the fast path.
    pub const CACHE_ENTRIES: i32 = 4;
    pub const CACHE_TYPE_INFO: i32 = 0;
    pub const CACHE_TABLE: i32 = 8;
    pub const CACHE_ENTRY_SIZE: i32 = 16;
}

/// How the runtime's array functions (`map`, `sortBy`...) pass and read
/// one value of a type they only see as a word: a code per type, packed a
/// byte each into the `kinds` argument (`kinds::pack`).
pub mod value_kind {
    /// `Int`, and references compared by identity.
    pub const WORD: u8 = 0;
    pub const FLOAT: u8 = 1;
    pub const BOOL: u8 = 2;
    pub const INT32: u8 = 3;
    /// A reference to a `String`, compared by content.
    pub const STRING: u8 = 4;
    /// No value (a function without a result).
    pub const VOID: u8 = 5;
    /// An object, shown by its `toString()`.
    pub const OBJECT: u8 = 6;

    /// The `kinds` argument: the elements' kind, a second value's (a
    /// result's or an accumulator's), and whether a new array's elements
    /// are references.
    pub const fn pack(element: u8, other: u8, refs: bool) -> i64 {
        element as i64 | (other as i64) << 8 | (refs as i64) << 16
    }
}

/// `String`: header, byte length, UTF-8 bytes, then a NUL (for `CString`).
pub mod string {
    pub const LEN: i32 = 8;
    pub const BYTES: i32 = 16;
}

/// `[T]`: header, length, capacity, element buffer (8-byte elements).
pub mod array {
    pub const LEN: i32 = 8;
    pub const CAP: i32 = 16;
    pub const DATA: i32 = 24;
    /// The most elements an array can hold: its buffer of 8-byte words
    /// must be a valid Rust allocation (at most `isize::MAX` bytes). The
    /// runtime ends the program rather than exceed it, so code generation
    /// may rely on `0 <= a.len <= MAX_LEN` (bounds of loop indices).
    pub const MAX_LEN: u64 = (i64::MAX as u64) / 8;
}

/// A box: an optional of a value type (header, the value's word).
pub mod boxed {
    pub const VALUE: i32 = 8;
    pub const SIZE: i32 = 16;
}

/// A type info, followed by a class's virtual table.
pub mod type_info {
    /// An entry of `refs` is a field's byte offset; a field of a type
    /// parameter's type (in a generic class, a closure's environment) is
    /// traced only when that parameter's descriptor — in the field whose
    /// index `d` is stored as `d + 1` above `REF_PARAM_SHIFT` — is not a
    /// value type's (`docs/abi.md`, generics).
    pub const REF_PARAM_SHIFT: u32 = 48;
    pub const REF_OFFSET_MASK: u64 = (1 << REF_PARAM_SHIFT) - 1;

    /// The `refs` entry of a field at `offset` whose type is a type
    /// parameter with its descriptor in field `desc_field`.
    pub const fn conditional_ref(offset: u64, desc_field: u32) -> u64 {
        offset | ((desc_field as u64 + 1) << REF_PARAM_SHIFT)
    }

    pub const KIND: i32 = 0;
    pub const FLAGS: i32 = 4;
    pub const SIZE: i32 = 8;
    pub const NREFS: i32 = 16;
    pub const REFS: i32 = 24;
    pub const NAME: i32 = 32;
    pub const DEPTH: i32 = 40;
    pub const DISPLAY: i32 = 48;
    /// Number of virtual-table slots (what a subclass in another module
    /// copies before it appends its own, MODULES.md §11).
    pub const NSLOTS: i32 = 56;
    /// Virtual-table slot 0; also the size of a type info without one.
    pub const VTABLE: i32 = 64;

    /// Byte offset of virtual-table slot `slot`.
    pub const fn vtable_slot(slot: u32) -> i32 {
        VTABLE + super::WORD * slot as i32
    }

    /// The slot at byte offset `offset` (the inverse of [`vtable_slot`]).
    pub const fn slot_index(offset: u32) -> u32 {
        (offset - VTABLE as u32) / super::WORD as u32
    }
}

/// The built-in `Error`: header, `message: String`, then where it was
/// thrown (a trace blob the runtime fills, read through `e.stackTrace`).
pub mod error {
    pub const MESSAGE: i32 = 8;
    pub const TRACE: i32 = 16;
    /// Fields of every error object, before a subclass's own.
    pub const FIELDS: u32 = 2;
    pub const SIZE: i32 = 24;
}

/// A module's table of code positions, which it registers at start-up so
/// that stack traces can name the functions, files and lines of return
/// addresses (`docs/abi.md`, stack traces). Only the header's four
/// pointers and each function's start are relocated: everything else is
/// indices and offsets, so a table costs a program few dynamic
/// relocations.
pub mod code_table {
    pub const NFUNCS: i32 = 0;
    pub const FUNCS: i32 = 8;
    pub const NSITES: i32 = 16;
    pub const SITES: i32 = 24;
    /// Every function's positions, one array.
    pub const LOCS: i32 = 32;
    /// The names of functions and files, NUL-terminated, one blob.
    pub const STRINGS: i32 = 40;
    pub const SIZE: i32 = 48;

    /// A function: code address, code bytes (`u32`), and its positions
    /// (sorted by offset): the first's index in `LOCS` and how many.
    pub mod func {
        pub const START: i32 = 0;
        pub const LEN: i32 = 8;
        pub const FIRST_LOC: i32 = 12;
        pub const NLOCS: i32 = 16;
        pub const SIZE: i32 = 24;
    }

    /// A position in a function's code: from this code offset on, the
    /// instructions are those of this site (two `u32`s).
    pub mod loc {
        pub const OFFSET: i32 = 0;
        pub const SITE: i32 = 4;
        pub const SIZE: i32 = 8;
    }

    /// A site: the start of a source statement — the function it belongs
    /// to and its file (offsets in `STRINGS`), line and column, and for
    /// code inlined into a caller, the caller's site (else -1); `u32`s.
    pub mod site {
        pub const FUNC: i32 = 0;
        pub const FILE: i32 = 4;
        pub const LINE: i32 = 8;
        pub const COL: i32 = 12;
        pub const PARENT: i32 = 16;
        pub const SIZE: i32 = 20;
    }
}

/// A thread's state (MODULES.md §6), which compiled code receives as a
/// hidden last argument (`docs/abi.md`, threads): the shadow stack's
/// top, the pending exception, and the thread's block of each module's
/// variables. The runtime's own fields follow `BLOCKS`.
pub mod thread {
    pub const SS_TOP: i32 = 0;
    pub const EXC: i32 = 8;
    /// One run of free cells per small size class, two words each: the
    /// cursor (the next cell to hand out) and the limit (the end of the
    /// run). An allocation bumps the cursor; when it would pass the limit
    /// it calls `tess_alloc`, which finds the next run.
    pub const RUNS: i32 = 16;
    /// Bytes per size class: cells are multiples of it.
    pub const GRANULE: u64 = 8;
    /// Largest size (header included) allocated from size-class pages.
    pub const MAX_SMALL: u64 = 512;
    /// Number of size classes.
    pub const SIZE_CLASSES: usize = (MAX_SMALL / GRANULE) as usize;

    /// The size class of an allocation of `size` bytes, if it is small.
    pub const fn size_class(size: u64) -> Option<usize> {
        if size > MAX_SMALL {
            return None;
        }
        let size = if size < GRANULE { GRANULE } else { size };
        Some((size.div_ceil(GRANULE) - 1) as usize)
    }

    /// The bytes of a cell of size class `class`.
    pub const fn cell_bytes(class: usize) -> u64 {
        (class as u64 + 1) * GRANULE
    }

    /// The byte offset in a thread's state of size class `class`'s run
    /// cursor; its limit is the next word.
    pub const fn run_cursor(class: usize) -> i32 {
        RUNS + 2 * super::WORD * class as i32
    }

    /// The byte offset in a thread's state of size class `class`'s run limit.
    pub const fn run_limit(class: usize) -> i32 {
        run_cursor(class) + super::WORD
    }

    /// One pointer per module that has variables, indexed by the key the
    /// runtime gives the module when it registers them: the thread's
    /// block of that module's variables, or null before the thread has
    /// used the module.
    pub const BLOCKS: i32 = run_cursor(SIZE_CLASSES);
    /// Modules with variables a process can load.
    pub const MAX_MODULES: usize = 1024;

    /// The byte offset in a thread's state of the block pointer of the
    /// module with key `index` — what a module's key cell holds.
    pub const fn block(index: usize) -> i32 {
        BLOCKS + super::WORD * index as i32
    }
}

/// The `Thread` object `spawn` returns: header, the POSIX thread, and
/// whether it was joined (no references: the collector does not trace it).
pub mod thread_object {
    pub const PTHREAD: i32 = 8;
    pub const JOINED: i32 = 16;
    pub const SIZE: i32 = 24;
}

/// The `Library` object `loadLibrary` returns: header, its path and
/// module name (strings), and the runtime's number for the library.
pub mod library_object {
    pub const PATH: i32 = 8;
    pub const NAME: i32 = 16;
    pub const ID: i32 = 24;
    pub const SIZE: i32 = 32;
    /// Fields a program can read (`path`, `name`), in offset order.
    pub const FIELDS: [(&str, i32); 2] = [("path", PATH), ("name", NAME)];
}

/// How the collector traces an object (a type info's `kind`).
#[repr(u32)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// Fixed-size object whose reference fields are listed in `refs`.
    Object = 0,
    String = 1,
    /// Array whose elements are plain values.
    ValueArray = 2,
    /// Array whose elements are references.
    RefArray = 3,
    Map = 4,
    /// A `Thread` (`thread_object`): no references, a handle the
    /// collector releases.
    Thread = 5,
    /// `Int`, `Int32`, `Float`, `Bool`: the type descriptor a generic
    /// function is given for such a type argument (`docs/abi.md`,
    /// generics), and the header of such a value held by an `Any` (a
    /// box: header, the value's word).
    Value = 6,
}

/// What a shared library exports for `loadLibrary` (`docs/abi.md`, loader).
pub mod library_descriptor {
    /// The exported data symbol (a C string, as `dlsym` takes it).
    pub const SYMBOL: &std::ffi::CStr = c"tess_library_module";
    /// Module name, a C string.
    pub const NAME: i32 = 0;
    /// Init entry, a code address.
    pub const INIT: i32 = 8;
    /// Table of (module, declaration, fingerprint) C-string triples.
    pub const USES: i32 = 16;
    /// Rows in that table.
    pub const NUSES: i32 = 24;
    /// Its `fini { }` blocks' entry, run by `lib.unload()`; 0 when it has
    /// none.
    pub const FINI: i32 = 32;
    pub const SIZE: i32 = 40;
    /// C strings per row of the uses table.
    pub const USES_WIDTH: usize = 3;
}

/// The table of (declaration, fingerprint) C strings a module registers.
pub mod fingerprint_table {
    pub const WIDTH: usize = 2;
}
