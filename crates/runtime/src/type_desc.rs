//! The type descriptors of value types (`docs/abi.md`, generics): what a
//! generic function is given for a type argument `Int`, `Int32`, `Float`
//! or `Bool` (for other types, their type info serves). Only their kind
//! is read: values of these types are never references.

use crate::object::*;

macro_rules! value_type {
    ($ti:ident, $name:ident, $text:literal) => {
        static $name: StaticStr<{ $text.len() }> = StaticStr::new($text);

        #[no_mangle]
        pub static $ti: TypeInfo = TypeInfo { kind: Kind::Value, ..TypeInfo::plain((&raw const $name).cast(), 8) };
    };
}

value_type!(tess_ti_Int, INT_NAME, b"Int");
value_type!(tess_ti_Int32, INT32_NAME, b"Int32");
value_type!(tess_ti_Float, FLOAT_NAME, b"Float");
value_type!(tess_ti_Bool, BOOL_NAME, b"Bool");
