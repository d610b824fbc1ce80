//! The runtime's exported symbols by name, for a JIT that links compiled
//! code against the runtime inside its own process.

use crate::{array::*, exc::*, gc::*, io::*, loader::*, map::*, process::*, string::*};

macro_rules! table {
    (fns: [$($f:ident),* $(,)?], data: [$($d:ident),* $(,)?]) => {
        /// Every `tess_*` symbol compiled code may reference.
        pub fn runtime_symbols() -> Vec<(&'static str, *const u8)> {
            vec![
                $((stringify!($f), $f as *const u8),)*
                $((stringify!($d), (&raw const $d) as *const u8),)*
            ]
        }
    };
}

table! {
    fns: [
        tess_alloc, tess_gc_add_roots, tess_gc_collect, tess_throw, tess_exc_take,
        tess_throw_overflow, tess_throw_divzero, tess_throw_index, tess_uncaught,
        tess_str_concat, tess_str_concat_n, tess_str_from_int, tess_str_from_float,
        tess_str_from_bool, tess_str_eq, tess_str_cmp, tess_str_substring, tess_str_split,
        tess_str_contains, tess_str_starts_with, tess_str_byte_at, tess_float_to_fixed,
        tess_arr_new, tess_arr_push, tess_arr_pop, tess_arr_fill, tess_arr_slice,
        tess_arr_index_error, tess_rt_init, tess_rt_shutdown, tess_exit, tess_args, tess_clock,
        tess_print, tess_print_int, tess_eprint, tess_read_file, tess_write_file, tess_read_line,
        tess_object_to_string, tess_error_init, tess_throw_cast, tess_throw_nil, tess_throw_uninitialised, tess_extern_uncaught, tess_error_out, tess_error_message, tess_error_class, tess_error_free, tess_box, tess_str_to_int, tess_str_from_cstring, tess_str_keep_cstring,
        tess_str_to_float, tess_map_new, tess_map_set, tess_map_find, tess_map_get_opt, tess_map_contains, tess_map_remove,
        tess_map_len, tess_map_keys, tess_register_module, tess_load_library, tess_library_loaded, tess_map_slots, tess_map_live, tess_map_key_at, tess_map_value_at,
    ],
    data: [
        tess_ss_top, tess_exc, tess_ti_String, tess_ti_ValueArray, tess_ti_RefArray,
        tess_ti_Object, tess_ti_Error, tess_ti_OverflowError, tess_ti_DivisionByZeroError,
        tess_ti_IndexError, tess_ti_NilError, tess_ti_CastError, tess_ti_KeyError,
        tess_ti_IOError, tess_ti_LoadError, tess_ti_AbiError, tess_ti_Box, tess_ti_Map,
    ]
}
