//! Who still refers to a library (`lib.unload()`): a walk of the calling
//! thread's heap from its roots, each root named, that finds the objects
//! an unloaded library would leave dangling — objects of its classes, its
//! static objects (string literals, function values), function values of
//! its code, generic objects whose type argument is its class, stack
//! traces through its code — and what holds each.

use crate::image::Image;
use crate::object::{Kind, Obj, TypeInfo};
use crate::thread::{Root, Thread};
use tess_abi::layout::closure;

/// An object that refers to the library, and the root it was reached from.
pub struct Held {
    pub what: String,
    pub holder: String,
}

/// What the walk found: the first `max` objects and how many there are.
pub struct Found {
    pub first: Vec<Held>,
    pub count: usize,
}

/// Walks the heap of `t` from its roots, except the variables of the
/// modules with `skip` keys (the library's own).
pub fn find(t: &Thread, image: &Image, skip: &[usize], max: usize) -> Found {
    let mut roots = Vec::new();
    t.each_root(|root, o| {
        let own = matches!(root, Root::Var { key, .. } if skip.contains(&key));
        if !o.is_null() && !own {
            roots.push((root, o));
        }
    });
    let mut seen = foldhash::HashSet::default();
    let mut found = Found { first: Vec::new(), count: 0 };
    for (root, o) in roots {
        let mut stack = vec![o];
        while let Some(o) = stack.pop() {
            if o.is_null() || !seen.insert(o as usize) {
                continue;
            }
            unsafe { crate::trace::render_if_names(o, image) };
            // What only such an object holds goes with it: not counted.
            if let Some(what) = unsafe { refers_to(o, image) } {
                found.count += 1;
                if found.first.len() < max {
                    found.first.push(Held { what, holder: holder(t, root) });
                }
                continue;
            }
            unsafe { crate::gc::each_reference(o, &*(*o).header.ty(), |r| stack.push(r)) };
        }
    }
    found
}

/// Says what holds a root.
fn holder(t: &Thread, root: Root) -> String {
    match root {
        Root::Stack => "a local variable of the calling function or one of its callers".into(),
        Root::Exception => "the pending exception".into(),
        Root::KeptString => "the string last passed to C".into(),
        Root::Var { key, var } => format!("module variable `{}`", t.var_name(key, var)),
        Root::Handle => "a handle given to C (`handleOf`)".into(),
    }
}

/// How `o` refers to the library, if it does.
///
/// # Safety
/// `o` is a live object.
pub unsafe fn refers_to(o: *mut Obj, image: &Image) -> Option<String> {
    unsafe {
        let ty = (*o).header.ty();
        let name = crate::object::type_name(ty);
        if std::ptr::eq(ty, &crate::function::tess_ti_Function)
            && [closure::CODE, closure::C_ENTRY].iter().any(|&at| image.contains(word(o, at)))
        {
            return Some("a function value of its code".into());
        }
        if image.contains(o as usize) {
            return Some(format!("a `{name}` of its static data"));
        }
        if crate::class_builder::is_in(ty, image) {
            return Some(format!("an object of its class `{name}`"));
        }
        if crate::trace::names_code_in(o, image) {
            return Some("a stack trace through its code".into());
        }
        if (*ty).kind == Kind::Object && type_argument_in(o, &*ty, image) {
            return Some(format!("a `{name}` of its class"));
        }
        None
    }
}

/// Whether a generic object's type argument (the descriptor its fields of
/// a type parameter's type name) is the library's class.
unsafe fn type_argument_in(o: *mut Obj, ty: &TypeInfo, image: &Image) -> bool {
    (0..ty.nrefs as usize)
        .filter_map(|i| unsafe { crate::gc::param_descriptor(o, *ty.refs.add(i)) })
        .any(|desc| !desc.is_null() && unsafe { crate::class_builder::is_in(desc, image) })
}

unsafe fn word(o: *mut Obj, offset: i32) -> usize {
    unsafe { *o.cast::<u8>().add(offset as usize).cast::<usize>() }
}
