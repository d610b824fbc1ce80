//! The type infos of value types: the descriptors a generic function is
//! given for a type argument `Int`, `Int32`, `Float` or `Bool`
//! (`docs/abi.md`, generics; for other types their type info serves), and
//! the headers of such values boxed in an `Any` — which `is`, `as` and
//! printing an `Any` read.

use crate::exc::{tess_ti_CastError, throw_new};
use crate::object::*;
use crate::thread::{alloc, current, Thread};
use tess_abi::layout::{boxed, type_info};

macro_rules! value_type {
    ($ti:ident, $name:ident, $text:literal) => {
        static $name: StaticStr<{ $text.len() }> = StaticStr::new($text);

        #[no_mangle]
        pub static $ti: TypeInfo =
            TypeInfo { kind: Kind::Value, ..TypeInfo::plain((&raw const $name).cast(), boxed::SIZE as u64) };
    };
}

value_type!(tess_ti_Int, INT_NAME, b"Int");
value_type!(tess_ti_Int32, INT32_NAME, b"Int32");
value_type!(tess_ti_Float, FLOAT_NAME, b"Float");
value_type!(tess_ti_Bool, BOOL_NAME, b"Bool");

/// A value of type `ti` (one of the above) as an `Any`: a box whose header
/// is `ti`.
#[no_mangle]
pub extern "C" fn tess_any_box(word: i64, ti: *const TypeInfo) -> *mut Obj {
    unsafe {
        let b = alloc(ti, boxed::SIZE as u64);
        *b.cast::<u8>().add(boxed::VALUE as usize).cast::<i64>() = word;
        b
    }
}

/// Whether `x`, a non-null `Any`, holds a value of the type `ti` names
/// (a class: an instance of it or of a subclass).
///
/// # Safety
/// `x` is an object, `ti` a type info.
#[no_mangle]
pub unsafe extern "C" fn tess_any_is(x: *const Obj, ti: *const TypeInfo) -> i8 {
    unsafe {
        let have = (*x).header.ty();
        if std::ptr::eq(have, ti) {
            return 1;
        }
        let (want, own) = (&*ti, &*have);
        let class = want.kind == Kind::Object && own.kind == Kind::Object && !own.display.is_null();
        i8::from(class && own.depth >= want.depth && std::ptr::eq(*own.display.add(want.depth as usize), ti))
    }
}

/// `x as T` (`optional` 0: the value's word, or `CastError`) or `x as? T`
/// (the box or object itself, or nil) of an `Any`.
///
/// # Safety
/// `x` is an object, `ti` a type info.
#[no_mangle]
pub unsafe extern "C" fn tess_any_as(x: *mut Obj, ti: *const TypeInfo, optional: i8) -> i64 {
    unsafe {
        if tess_any_is(x, ti) == 0 {
            if optional != 0 {
                return 0;
            }
            let msg = format!("cannot cast {} to {}", type_name((*x).header.ty()), type_name(ti));
            throw_new(&tess_ti_CastError, &msg);
            return 0;
        }
        match ((*ti).kind, optional) {
            (Kind::Value, 0) => *x.cast::<u8>().add(boxed::VALUE as usize).cast::<i64>(),
            _ => x as i64,
        }
    }
}

/// `print(x)` of an `Any`: the value it holds, an object by `toString()`.
///
/// # Safety
/// `x` is an object.
#[no_mangle]
pub unsafe extern "C" fn tess_any_to_string(x: *mut Obj) -> *mut Str {
    unsafe {
        let ti = (*x).header.ty();
        let word = *x.cast::<u8>().add(boxed::VALUE as usize).cast::<i64>();
        let text = match (*ti).kind {
            Kind::String => return x.cast(),
            Kind::Value if std::ptr::eq(ti, &tess_ti_Float) => crate::string::format_float(f64::from_bits(word as u64)),
            Kind::Value if std::ptr::eq(ti, &tess_ti_Bool) => (word != 0).to_string(),
            Kind::Value => word.to_string(),
            Kind::Object => {
                let slot = type_info::vtable_slot(0) as usize;
                let code = *ti.cast::<u8>().add(slot).cast::<extern "C" fn(*mut Obj, *mut Thread) -> *mut Str>();
                return code(x, current());
            }
            _ => type_name(ti).to_string(),
        };
        crate::string::new_str(text.as_bytes())
    }
}
