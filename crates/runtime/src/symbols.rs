//! The runtime's exported symbols by name, for a JIT that links compiled
//! code against the runtime inside its own process — and the proof that
//! every function matches the signature `tess_abi::RuntimeFn` records for
//! it: each entry casts the function to the Rust type written here (which
//! fails to compile if the definition differs) and asserts at compile time
//! that the type's machine signature is the table's.

use crate::exc::TessError;
use crate::map_table::MapObj;
use crate::object::{tess_ti_String, Array, Obj, Str, TypeInfo};
use crate::{
    array::*, array_fns::*, c_memory::*, class_builder::*, code_map::*, exc::*, exit::*, fn_adapters::*, function::*,
    interfaces::*, io::*, loader::*, map::*, module_vars::*, process::*, show::*, spawn::*, std_interfaces::*,
    string::*, test_runner::*, thread::*, trace::*, type_desc::*, unload::*,
};
use std::ffi::c_char;
use tess_abi::runtime_fns::same_str;
use tess_abi::RuntimeFn;

macro_rules! table {
    (fns: [$($variant:ident: $f:ident($($p:ty),*) $(-> $r:ty)?;)*], data: [$($d:ident),* $(,)?]) => {
        $(
            const _: () = assert!(
                RuntimeFn::$variant.matches::<unsafe extern "C" fn($($p),*) $(-> $r)?>()
                    && same_str(RuntimeFn::$variant.name(), stringify!($f)),
                concat!("`", stringify!($f), "` differs from tess_abi::RuntimeFn::", stringify!($variant)),
            );
        )*

        /// Every `tess_*` symbol compiled code may reference.
        pub fn runtime_symbols() -> Vec<(&'static str, *const u8)> {
            vec![
                $((RuntimeFn::$variant.name(), $f as unsafe extern "C" fn($($p),*) $(-> $r)? as *const u8),)*
                $((stringify!($d), (&raw const $d) as *const u8),)*
            ]
        }
    };
}

table! {
    fns: [
        LibraryLoaded: tess_library_loaded(extern "C" fn());
        RegisterModule: tess_register_module(*const c_char, *const *const c_char, u64);
        CheckUses: tess_check_uses(*const c_char, *const *const c_char, u64);
        ClassNew: tess_class_new(*const TypeInfo, *const Str, i64, i64) -> *mut TypeInfo;
        ClassAddRef: tess_class_add_ref(*mut TypeInfo, i64);
        RegisterCode: tess_register_code(*const u8);
        TraceCapture: tess_trace_capture(*const u8, i64, *const usize);
        LoadLibrary: tess_load_library(*const Str) -> *mut Obj;
        LibraryUnload: tess_library_unload(*mut Obj);
        Throw: tess_throw(*mut Obj);
        ExcTake: tess_exc_take() -> *mut Obj;
        ThrowOverflow: tess_throw_overflow();
        ThrowDivZero: tess_throw_divzero();
        ThrowIndex: tess_throw_index(i64, i64);
        Uncaught: tess_uncaught() -> !;
        ExternUncaught: tess_extern_uncaught(*const c_char) -> !;
        ErrorOut: tess_error_out(*mut *mut TessError);
        ErrorMessage: tess_error_message(*const TessError) -> *const c_char;
        ErrorClass: tess_error_class(*const TessError) -> *const c_char;
        ErrorFree: tess_error_free(*mut TessError);
        ObjectToString: tess_object_to_string(*mut Obj, *mut Thread) -> *mut Str;
        ErrorInit: tess_error_init(*mut Obj, *mut Str);
        ErrorStackTrace: tess_error_stack_trace(*mut Obj) -> *mut Str;
        ThrowCast: tess_throw_cast(*mut Obj, *const TypeInfo);
        ThrowUninitialised: tess_throw_uninitialised();
        ThrowNil: tess_throw_nil();
        ArrNew: tess_arr_new(i8, u64) -> *mut Array;
        ArrPush: tess_arr_push(*mut Array, i64);
        ArrPop: tess_arr_pop(*mut Array) -> i64;
        ArrFill: tess_arr_fill(i8, i64, i64) -> *mut Array;
        ArrSlice: tess_arr_slice(*mut Array, i64, i64) -> *mut Array;
        ArrIndexError: tess_arr_index_error(*mut Array, i64);
        CAlloc: tess_c_alloc(i64) -> *mut u8;
        CFree: tess_c_free(*mut u8);
        CReadInt: tess_c_read_int(*const u8, i64) -> i64;
        CReadInt32: tess_c_read_int32(*const u8, i64) -> i32;
        CReadFloat: tess_c_read_float(*const u8, i64) -> f64;
        CReadPointer: tess_c_read_pointer(*const u8, i64) -> *mut u8;
        CReadCString: tess_c_read_cstring(*const u8, i64) -> *mut Str;
        CWriteInt: tess_c_write_int(*mut u8, i64, i64);
        CWriteInt32: tess_c_write_int32(*mut u8, i64, i32);
        CWriteFloat: tess_c_write_float(*mut u8, i64, f64);
        CWritePointer: tess_c_write_pointer(*mut u8, i64, *mut u8);
        HandleOf: tess_handle_of(*mut Obj) -> *mut u8;
        ObjectOf: tess_object_of(*mut u8) -> *mut Obj;
        ReleaseHandle: tess_release_handle(*mut u8);
        ErrorNew: tess_error_new(*const c_char, *const c_char) -> *mut TessError;
        ErrorRethrow: tess_error_rethrow(*mut TessError, *const *const u8, u64);
        Main: tess_main(i32, *const *const c_char, extern "C" fn()) -> i32;
        RtInit: tess_rt_init(i32, *const *const c_char);
        RtShutdown: tess_rt_shutdown();
        Exit: tess_exit(i64) -> !;
        Args: tess_args() -> *mut Array;
        Clock: tess_clock() -> f64;
        Print: tess_print(*const Str);
        PrintInt: tess_print_int(i64);
        Write: tess_write(*const Str);
        Eprint: tess_eprint(*const Str);
        ReadFile: tess_read_file(*const Str) -> *mut Str;
        WriteFile: tess_write_file(*const Str, *const Str);
        ReadLine: tess_read_line() -> *mut Str;
        StrKeepCString: tess_str_keep_cstring(*mut Str) -> *const u8;
        StrConcat: tess_str_concat(*mut Str, *mut Str) -> *mut Str;
        StrConcatN: tess_str_concat_n(*const *mut Str, u64) -> *mut Str;
        StrFromInt: tess_str_from_int(i64) -> *mut Str;
        StrFromFloat: tess_str_from_float(f64) -> *mut Str;
        StrFromBool: tess_str_from_bool(i8) -> *mut Str;
        StrEq: tess_str_eq(*const Str, *const Str) -> i8;
        StrCmp: tess_str_cmp(*const Str, *const Str) -> i64;
        StrSubstring: tess_str_substring(*mut Str, i64, i64) -> *mut Str;
        StrSplit: tess_str_split(*mut Str, *mut Str) -> *mut Array;
        StrJoin: tess_str_join(*const Array, *const Str) -> *mut Str;
        StrContains: tess_str_contains(*const Str, *const Str) -> i8;
        StrStartsWith: tess_str_starts_with(*const Str, *const Str) -> i8;
        StrByteAt: tess_str_byte_at(*const Str, i64) -> i64;
        FloatToFixed: tess_float_to_fixed(f64, i64) -> *mut Str;
        BoxValue: tess_box(i64) -> *mut Obj;
        ArrMap: tess_arr_map(*mut Array, *mut Obj, i64) -> *mut Array;
        ArrFilter: tess_arr_filter(*mut Array, *mut Obj, i64) -> *mut Array;
        ArrForEach: tess_arr_for_each(*mut Array, *mut Obj, i64);
        ArrAnyAll: tess_arr_any_all(*mut Array, *mut Obj, i64, i8) -> i8;
        ArrReduce: tess_arr_reduce(*mut Array, i64, *mut Obj, i64) -> i64;
        ArrSortBy: tess_arr_sort_by(*mut Array, *mut Obj, i64);
        ArrSort: tess_arr_sort(*mut Array, i64);
        ArrIndexOf: tess_arr_index_of(*mut Array, i64, i64) -> i64;
        ArrReversed: tess_arr_reversed(*mut Array) -> *mut Array;
        ArrToString: tess_arr_to_string(*mut Array, i64) -> *mut Str;
        MapToString: tess_map_to_string(*mut MapObj, i64) -> *mut Str;
        SetToString: tess_set_to_string(*mut MapObj, i64) -> *mut Str;
        ArrSortComparable: tess_arr_sort_comparable(*mut Array, *const u8);
        DescKinds: tess_desc_kinds(*const TypeInfo) -> i64;
        FnAdapt: tess_fn_adapt(*mut Obj, i64) -> *mut Obj;
        ClosureCode: tess_closure_code(*mut u8, *mut *mut Obj, *mut *mut TessError) -> *const u8;
        CCode: tess_c_code(*const Obj) -> *const u8;
        AnyBox: tess_any_box(i64, *const TypeInfo) -> *mut Obj;
        AnyIs: tess_any_is(*const Obj, *const TypeInfo) -> i8;
        AnyAs: tess_any_as(*mut Obj, *const TypeInfo, i8) -> i64;
        AnyToString: tess_any_to_string(*mut Obj) -> *mut Str;
        IfaceTable: tess_iface_table(*const Obj, *const u8, *const std::sync::atomic::AtomicPtr<usize>) -> *const usize;
        Implements: tess_implements(*const Obj, *const u8) -> i8;
        IfaceCast: tess_iface_cast(*mut Obj, *const u8, i8) -> *mut Obj;
        RegisterConformances: tess_register_conformances(*const usize);
        StrToInt: tess_str_to_int(*const Str) -> *mut Obj;
        StrToFloat: tess_str_to_float(*const Str) -> *mut Obj;
        StrFromCString: tess_str_from_cstring(*const c_char) -> *mut Str;
        MapNew: tess_map_new(i8, i8) -> *mut MapObj;
        MapSet: tess_map_set(*mut MapObj, i64, i64);
        MapGetOpt: tess_map_get_opt(*mut MapObj, i64, i8) -> i64;
        MapFind: tess_map_find(*mut MapObj, i64) -> i64;
        MapContains: tess_map_contains(*mut MapObj, i64) -> i8;
        MapRemove: tess_map_remove(*mut MapObj, i64);
        SetRemove: tess_set_remove(*mut MapObj, i64) -> i8;
        MapLen: tess_map_len(*mut MapObj) -> i64;
        MapKeys: tess_map_keys(*mut MapObj) -> *mut Array;
        MapSlots: tess_map_slots(*mut MapObj) -> i64;
        MapLive: tess_map_live(*mut MapObj, i64) -> i8;
        MapKeyAt: tess_map_key_at(*mut MapObj, i64) -> i64;
        MapValueAt: tess_map_value_at(*mut MapObj, i64) -> i64;
        Alloc: tess_alloc(*const TypeInfo, u64, *mut Thread) -> *mut Obj;
        GcCollect: tess_gc_collect();
        WriteBarrier: tess_write_barrier(*mut Obj, *mut Thread);
        ThreadState: tess_thread_state() -> *mut Thread;
        RegisterVars: tess_register_vars(*mut u64, u64, *const u64, *const *const c_char, u64, extern "C" fn(*mut Thread), *mut Thread) -> *mut u8;
        ModuleBlock: tess_module_block(i64, *mut Thread) -> *mut u8;
        Spawn: tess_spawn(extern "C" fn()) -> *mut Obj;
        ThreadJoin: tess_thread_join(*mut Obj);
        Assert: tess_assert(i8, *const Str);
        AssertEqual: tess_assert_equal(*mut Obj, *mut Obj);
        RunTests: tess_run_tests(*const Array, *const Array) -> i64;
    ],
    data: [
        tess_ti_String, tess_ti_ValueArray, tess_ti_RefArray,
        tess_ti_Object, tess_ti_Error, tess_ti_OverflowError, tess_ti_DivisionByZeroError,
        tess_ti_IndexError, tess_ti_NilError, tess_ti_CastError, tess_ti_KeyError,
        tess_ti_IOError, tess_ti_LoadError, tess_ti_AbiError, tess_ti_ThreadError, tess_ti_UnloadError, tess_ti_Library, tess_ti_Thread, tess_ti_Box, tess_ti_Map, tess_ti_Function,
        tess_ti_Int, tess_ti_Int32, tess_ti_Float, tess_ti_Bool,
        tess_iface_Hashable, tess_iface_Comparable, tess_ti_FnAdapter,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_entry_is_defined_once() {
        let symbols = runtime_symbols();
        for f in RuntimeFn::ALL {
            assert_eq!(symbols.iter().filter(|(n, _)| *n == f.name()).count(), 1, "{}", f.name());
        }
    }
}
