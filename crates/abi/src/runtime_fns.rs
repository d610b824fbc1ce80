//! Every function and data symbol of the runtime that compiled code (or a
//! C program) uses, once, with its signature — Cranelift's `LibCall` is
//! the model. Codegen declares calls from this table; the runtime proves
//! its definitions match it (`tessera_rt::symbols`).

use crate::signature::{same_vals, AbiSignature, Val};

macro_rules! runtime_functions {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $name:literal ($($p:ident),*) $(-> $r:ident)? $(, $throws:ident)?;
    )*) => {
        /// A runtime function compiled code calls.
        #[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
        pub enum RuntimeFn {
            $($(#[doc = $doc])* $variant,)*
        }

        impl RuntimeFn {
            /// Every runtime function, in table order.
            pub const ALL: &'static [RuntimeFn] = &[$(RuntimeFn::$variant),*];

            /// The C symbol.
            pub const fn name(self) -> &'static str {
                match self { $(RuntimeFn::$variant => $name,)* }
            }

            /// Parameter kinds, in order.
            pub const fn params(self) -> &'static [Val] {
                match self { $(RuntimeFn::$variant => &[$(Val::$p),*],)* }
            }

            /// Result kind; `None` for none.
            pub const fn ret(self) -> Option<Val> {
                match self { $(RuntimeFn::$variant => runtime_functions!(@ret $($r)?),)* }
            }

            /// Whether the function may leave a pending exception, which
            /// the caller must test (`docs/abi.md`, exceptions).
            pub const fn may_throw(self) -> bool {
                match self { $(RuntimeFn::$variant => runtime_functions!(@throws $($throws)?),)* }
            }
        }
    };
    (@ret) => { None };
    (@ret $r:ident) => { Some(Val::$r) };
    (@throws) => { false };
    (@throws throws) => { true };
}

runtime_functions! {
    // Memory.
    /// Allocate an object: (type info, size in bytes with the header, thread).
    Alloc = "tess_alloc"(Ptr, I64, Ptr) -> Ptr;
    GcCollect = "tess_gc_collect"();
    /// Remember an old object about to receive a reference: (object,
    /// thread). Called only when the header's flags ask for it.
    WriteBarrier = "tess_write_barrier"(Ptr, Ptr);
    /// Box a value word (an optional of a value type).
    BoxValue = "tess_box"(I64) -> Ptr;
    /// A value type's word as an `Any`: (word, its type info) -> a box.
    AnyBox = "tess_any_box"(I64, Ptr) -> Ptr;
    /// (an `Any`, a type info) -> whether it holds a value of that type.
    AnyIs = "tess_any_is"(Ptr, Ptr) -> I8;
    /// (an `Any`, a type info, optional) -> the value's word (`as`), or
    /// the box or object itself or nil (`as?`); `as` throws `CastError`.
    AnyAs = "tess_any_as"(Ptr, Ptr, I8) -> I64, throws;
    /// `print` of an `Any`.
    AnyToString = "tess_any_to_string"(Ptr) -> Ptr, throws;
    /// The table of (object, interface descriptor) for a call through an
    /// interface, remembered in the call site's cache (its address).
    IfaceTable = "tess_iface_table"(Ptr, Ptr, Ptr) -> Ptr, throws;
    /// (object, descriptor) -> whether its class implements the interface.
    Implements = "tess_implements"(Ptr, Ptr) -> I8;
    /// `x as I` / `x as? I` (optional flag): the object, nil or `CastError`.
    IfaceCast = "tess_iface_cast"(Ptr, Ptr, I8) -> Ptr, throws;
    /// A module's conformance records: (count, then record addresses);
    /// `AbiError` when a class lacks a method an interface now requires.
    RegisterConformances = "tess_register_conformances"(Ptr), throws;
    /// The C-convention code of a function value (what C is handed for
    /// it); throws when the value is a closure that captures.
    CCode = "tess_c_code"(Ptr) -> Ptr, throws;

    // Exceptions.
    Throw = "tess_throw"(Ptr), throws;
    /// Take (and clear) the pending exception.
    ExcTake = "tess_exc_take"() -> Ptr;
    ThrowOverflow = "tess_throw_overflow"(), throws;
    ThrowDivZero = "tess_throw_divzero"(), throws;
    ThrowIndex = "tess_throw_index"(I64, I64), throws;
    /// (object, wanted type info).
    ThrowCast = "tess_throw_cast"(Ptr, Ptr), throws;
    ThrowNil = "tess_throw_nil"(), throws;
    ThrowUninitialised = "tess_throw_uninitialised"(), throws;
    /// Report the pending exception and exit with status 1.
    Uncaught = "tess_uncaught"();
    /// An `extern fn` let an exception escape: report (naming it) and abort.
    ExternUncaught = "tess_extern_uncaught"(Ptr);
    /// Move the pending exception into a `tess_error **`.
    ErrorOut = "tess_error_out"(Ptr);
    /// (class name, message) C strings -> a new `tess_error` (C API).
    ErrorNew = "tess_error_new"(Ptr, Ptr) -> Ptr;
    /// (error or null, table of (class name, type info) pairs, pairs):
    /// rethrows what an `extern fn ... throws` declaration reported.
    ErrorRethrow = "tess_error_rethrow"(Ptr, Ptr, I64), throws;
    ErrorMessage = "tess_error_message"(Ptr) -> Ptr;
    ErrorClass = "tess_error_class"(Ptr) -> Ptr;
    ErrorFree = "tess_error_free"(Ptr);
    /// `Object.toString()`, virtual-table slot 0 of the root class (so it
    /// takes the thread as every method does).
    ObjectToString = "tess_object_to_string"(Ptr, Ptr) -> Ptr;
    /// `Error.init(message)`.
    ErrorInit = "tess_error_init"(Ptr, Ptr);
    /// `e.stackTrace`: the frames where `e` was thrown, one line each.
    ErrorStackTrace = "tess_error_stack_trace"(Ptr) -> Ptr;

    // Strings.
    StrConcat = "tess_str_concat"(Ptr, Ptr) -> Ptr;
    /// (array of string pointers, count).
    StrConcatN = "tess_str_concat_n"(Ptr, I64) -> Ptr;
    StrFromInt = "tess_str_from_int"(I64) -> Ptr;
    StrFromFloat = "tess_str_from_float"(F64) -> Ptr;
    StrFromBool = "tess_str_from_bool"(I8) -> Ptr;
    StrEq = "tess_str_eq"(Ptr, Ptr) -> I8;
    StrCmp = "tess_str_cmp"(Ptr, Ptr) -> I64;
    StrSubstring = "tess_str_substring"(Ptr, I64, I64) -> Ptr, throws;
    StrSplit = "tess_str_split"(Ptr, Ptr) -> Ptr;
    /// `xs.join(sep)` of a `[String]`: one allocation, each byte copied once.
    StrJoin = "tess_str_join"(Ptr, Ptr) -> Ptr;
    StrContains = "tess_str_contains"(Ptr, Ptr) -> I8;
    StrStartsWith = "tess_str_starts_with"(Ptr, Ptr) -> I8;
    StrByteAt = "tess_str_byte_at"(Ptr, I64) -> I64, throws;
    StrToInt = "tess_str_to_int"(Ptr) -> Ptr;
    StrToFloat = "tess_str_to_float"(Ptr) -> Ptr;
    FloatToFixed = "tess_float_to_fixed"(F64, I64) -> Ptr;
    /// `String(CString)`.
    StrFromCString = "tess_str_from_cstring"(Ptr) -> Ptr;
    /// A `CString` returned to C: keeps the string alive until the next one.
    StrKeepCString = "tess_str_keep_cstring"(Ptr) -> Ptr;

    // Arrays.
    /// (elements are references, capacity).
    ArrNew = "tess_arr_new"(I8, I64) -> Ptr;
    ArrPush = "tess_arr_push"(Ptr, I64);
    ArrPop = "tess_arr_pop"(Ptr) -> I64, throws;
    /// (elements are references, count, fill word).
    ArrFill = "tess_arr_fill"(I8, I64, I64) -> Ptr, throws;
    ArrSlice = "tess_arr_slice"(Ptr, I64, I64) -> Ptr, throws;
    /// `xs.map(f)`: (array, function value, `value_kind::pack`).
    ArrMap = "tess_arr_map"(Ptr, Ptr, I64) -> Ptr, throws;
    ArrFilter = "tess_arr_filter"(Ptr, Ptr, I64) -> Ptr, throws;
    ArrForEach = "tess_arr_for_each"(Ptr, Ptr, I64), throws;
    /// `any` (0) or `all` (1): (array, function value, kinds, which).
    ArrAnyAll = "tess_arr_any_all"(Ptr, Ptr, I64, I8) -> I8, throws;
    /// (array, initial word, function value, kinds) -> the result's word.
    ArrReduce = "tess_arr_reduce"(Ptr, I64, Ptr, I64) -> I64, throws;
    /// Sorts in place by a comparison returning <0, 0, >0; stable.
    ArrSortBy = "tess_arr_sort_by"(Ptr, Ptr, I64), throws;
    /// Sorts numbers or strings in place: (array, element kind).
    ArrSort = "tess_arr_sort"(Ptr, I64);
    /// A type descriptor -> the `kinds` of its values (element kind and
    /// whether they are references).
    DescKinds = "tess_desc_kinds"(Ptr) -> I64;
    /// (function value, shape) -> the value adapted between generic code
    /// and code that knows a type parameter is `Float`.
    FnAdapt = "tess_fn_adapt"(Ptr, I64) -> Ptr;
    ArrSortComparable = "tess_arr_sort_comparable"(Ptr, Ptr), throws;
    /// (array, word, element kind) -> first index or -1.
    ArrIndexOf = "tess_arr_index_of"(Ptr, I64, I64) -> I64;
    ArrReversed = "tess_arr_reversed"(Ptr) -> Ptr;
    /// `print(xs)`: `[1, 2, 3]`, strings quoted: (array, the elements'
    /// `print_shape`).
    ArrToString = "tess_arr_to_string"(Ptr, I64) -> Ptr, throws;
    /// `print(m)`: `["a": 1]`: (map, the keys' then the values' shape).
    MapToString = "tess_map_to_string"(Ptr, I64) -> Ptr, throws;
    /// `print(s)` of a set: (set, the elements' shape).
    SetToString = "tess_set_to_string"(Ptr, I64) -> Ptr, throws;
    /// Throw the `IndexError` for (array, index).
    ArrIndexError = "tess_arr_index_error"(Ptr, I64), throws;

    // Maps.
    /// (keys are strings, values are references).
    MapNew = "tess_map_new"(I8, I8) -> Ptr;
    MapSet = "tess_map_set"(Ptr, I64, I64), throws;
    /// (map, key, box the value) -> optional.
    MapGetOpt = "tess_map_get_opt"(Ptr, I64, I8) -> I64, throws;
    /// The entry position of a key, or -1.
    MapFind = "tess_map_find"(Ptr, I64) -> I64, throws;
    MapContains = "tess_map_contains"(Ptr, I64) -> I8, throws;
    MapRemove = "tess_map_remove"(Ptr, I64), throws;
    SetRemove = "tess_set_remove"(Ptr, I64) -> I8, throws;
    MapLen = "tess_map_len"(Ptr) -> I64;
    MapKeys = "tess_map_keys"(Ptr) -> Ptr;
    /// Entry positions to iterate over (live or removed).
    MapSlots = "tess_map_slots"(Ptr) -> I64;
    MapLive = "tess_map_live"(Ptr, I64) -> I8;
    MapKeyAt = "tess_map_key_at"(Ptr, I64) -> I64;
    MapValueAt = "tess_map_value_at"(Ptr, I64) -> I64;

    // Process and I/O.
    /// (argc, argv, the main module's init entry) -> exit status: a
    /// program's whole life.
    Main = "tess_main"(I32, Ptr, Ptr) -> I32;
    /// (argc, argv): start the runtime.
    RtInit = "tess_rt_init"(I32, Ptr);
    RtShutdown = "tess_rt_shutdown"();
    Exit = "tess_exit"(I64);
    Args = "tess_args"() -> Ptr;
    Clock = "tess_clock"() -> F64;
    Print = "tess_print"(Ptr);
    PrintInt = "tess_print_int"(I64);
    /// `write(s)`: `print` without the newline.
    Write = "tess_write"(Ptr);
    Eprint = "tess_eprint"(Ptr);
    ReadFile = "tess_read_file"(Ptr) -> Ptr, throws;
    WriteFile = "tess_write_file"(Ptr, Ptr), throws;
    ReadLine = "tess_read_line"() -> Ptr;

    // C memory and handles (MODULES.md §5).
    /// Zeroed C memory of (bytes); throws `Error` when there is none.
    CAlloc = "tess_c_alloc"(I64) -> Ptr, throws;
    CFree = "tess_c_free"(Ptr);
    /// (pointer, byte offset) -> the value there.
    CReadInt = "tess_c_read_int"(Ptr, I64) -> I64;
    CReadInt32 = "tess_c_read_int32"(Ptr, I64) -> I32;
    CReadFloat = "tess_c_read_float"(Ptr, I64) -> F64;
    CReadPointer = "tess_c_read_pointer"(Ptr, I64) -> Ptr;
    /// A copy of the NUL-terminated text at (pointer, byte offset).
    CReadCString = "tess_c_read_cstring"(Ptr, I64) -> Ptr;
    /// (pointer, byte offset, value).
    CWriteInt = "tess_c_write_int"(Ptr, I64, I64);
    CWriteInt32 = "tess_c_write_int32"(Ptr, I64, I32);
    CWriteFloat = "tess_c_write_float"(Ptr, I64, F64);
    CWritePointer = "tess_c_write_pointer"(Ptr, I64, Ptr);
    /// A handle that keeps an object alive until released.
    HandleOf = "tess_handle_of"(Ptr) -> Ptr;
    /// The object of a live handle; throws `Error` for anything else.
    ObjectOf = "tess_object_of"(Ptr) -> Ptr, throws;
    ReleaseHandle = "tess_release_handle"(Ptr), throws;
    /// (handle, where to put the function value, where to put an error)
    /// -> the value's code (C API: C calling a closure).
    ClosureCode = "tess_closure_code"(Ptr, Ptr, Ptr) -> Ptr;

    // Threads (MODULES.md §6).
    /// The calling thread's state, made on a thread's first call (a C
    /// thread calling an `extern fn`): what entries from C use.
    ThreadState = "tess_thread_state"() -> Ptr;
    /// (a module's key cell, bytes of variables, table of the byte
    /// offsets of reference-typed ones, table of their names (C strings,
    /// `module.name`), their count, the module's per-thread initialiser,
    /// thread) -> the calling thread's block, the module's variables
    /// already initialised on it by the init entry.
    RegisterVars = "tess_register_vars"(Ptr, I64, Ptr, Ptr, I64, Ptr, Ptr) -> Ptr;
    /// (module key, thread) -> the thread's block of that module's
    /// variables, made and initialised by the module's per-thread
    /// initialiser on first use (which may throw).
    ModuleBlock = "tess_module_block"(I64, Ptr) -> Ptr, throws;
    /// `spawn(f)`: starts a thread running `f` (a C-convention entry).
    Spawn = "tess_spawn"(Ptr) -> Ptr;
    /// `t.join()`: throws `ThreadError` when the thread's function threw.
    ThreadJoin = "tess_thread_join"(Ptr), throws;

    // Tests (`tess test`).
    /// `assert(cond, message)`: throws `Error` with the message when
    /// `cond` is false.
    Assert = "tess_assert"(I8, Ptr), throws;
    /// `assertEqual(a, b)` of two `Any`s of one type: throws `Error`
    /// naming both when they differ.
    AssertEqual = "tess_assert_equal"(Ptr, Ptr), throws;
    /// The test program's runner: (names, `test fn`s as function values)
    /// -> the program's exit status.
    RunTests = "tess_run_tests"(Ptr, Ptr) -> I64;

    // Modules and the loader.
    /// (module name, fingerprint table of (declaration, fingerprint) C
    /// strings, rows).
    RegisterModule = "tess_register_module"(Ptr, Ptr, I64);
    /// (module name, table of (module, declaration, fingerprint) C strings
    /// it was compiled against, rows): throws `AbiError` when a loaded
    /// module's fingerprint differs (the start-up check, MODULES.md §3).
    CheckUses = "tess_check_uses"(Ptr, Ptr, I64), throws;
    /// The type info of a class whose base is another module's (base type
    /// info, name, own fields, own new methods): the base's size,
    /// references, ancestors and virtual table, grown by the class's own
    /// (MODULES.md §11). Called once, by the module's init entry.
    ClassNew = "tess_class_new"(Ptr, Ptr, I64, I64) -> Ptr;
    /// Records a reference field of a class built by `tess_class_new`, at
    /// this byte offset, for the collector.
    ClassAddRef = "tess_class_add_ref"(Ptr, I64);
    /// A module's table of code positions (`layout::code_table`), for
    /// stack traces; called by its init entry before anything else.
    RegisterCode = "tess_register_code"(Ptr);
    /// Records where the pending exception was thrown, once: the site in
    /// `table` where it was first seen (-1: none) and the frames above,
    /// walked from the frame pointer `fp`.
    TraceCapture = "tess_trace_capture"(Ptr, I64, Ptr);
    /// `loadLibrary(path)` -> its `Library` object.
    LoadLibrary = "tess_load_library"(Ptr) -> Ptr, throws;
    /// `lib.unload()`: throws `UnloadError` naming what still refers to
    /// the library.
    LibraryUnload = "tess_library_unload"(Ptr), throws;
    /// A library's constructor hands over its init entry.
    LibraryLoaded = "tess_library_loaded"(Ptr);
}

impl RuntimeFn {
    /// Whether the function's last parameter is the calling thread's
    /// state (as a Tessera function's is), which compiled code passes
    /// without the checker knowing.
    pub const fn takes_thread(self) -> bool {
        matches!(
            self,
            RuntimeFn::Alloc
                | RuntimeFn::WriteBarrier
                | RuntimeFn::ObjectToString
                | RuntimeFn::ModuleBlock
                | RuntimeFn::RegisterVars
        )
    }

    /// Whether a Rust function pointer type has this function's signature
    /// (the runtime asserts it for each of its definitions).
    pub const fn matches<F: AbiSignature>(self) -> bool {
        same_vals(self.params(), F::PARAMS)
            && match (self.ret(), F::RET) {
                (None, None) => true,
                (Some(a), Some(b)) => a.same(b),
                _ => false,
            }
    }

    /// The C prototype of the functions C programs may call (`tessera.h`).
    pub const fn c_prototype(self) -> Option<&'static str> {
        match self {
            RuntimeFn::ErrorNew => Some("tess_error *tess_error_new(const char *class_name, const char *message)"),
            RuntimeFn::ErrorMessage => Some("const char *tess_error_message(const tess_error *err)"),
            RuntimeFn::ErrorClass => Some("const char *tess_error_class(const tess_error *err)"),
            RuntimeFn::ErrorFree => Some("void tess_error_free(tess_error *err)"),
            RuntimeFn::ClosureCode => Some("void *tess_closure_code(void *handle, void **value, tess_error **err)"),
            RuntimeFn::ThreadState => Some("void *tess_thread_state(void)"),
            RuntimeFn::ErrorOut => Some("void tess_error_out(tess_error **err)"),
            _ => None,
        }
    }
}

/// Whether two strings are equal, usable in `const` checks.
pub const fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The type-info symbol of a built-in type (`String`, `Error`, `Box`...).
pub fn builtin_type_info(type_name: &str) -> String {
    format!("{BUILTIN_TYPE_INFO_PREFIX}{type_name}")
}

/// The descriptor symbol of an interface the standard library declares
/// (`Hashable`, `Comparable`), defined by the runtime.
pub fn std_interface_descriptor(name: &str) -> String {
    format!("tess_iface_{name}")
}

/// The interfaces the standard library declares, each with its methods in
/// table order (slot `8 k` for the `k`th): the runtime's descriptors and
/// the checker's declarations follow this one list.
pub const STD_INTERFACES: &[(&str, &[&str])] = &[("Hashable", &["hash", "equals"]), ("Comparable", &["compareTo"])];

/// What every symbol of the runtime starts with (functions, data, type
/// infos), so an executable can export them all with one pattern.
pub const RUNTIME_PREFIX: &str = "tess_";

/// What every built-in type info's symbol starts with.
pub const BUILTIN_TYPE_INFO_PREFIX: &str = "tess_ti_";
