//! The built-ins of LANGUAGE.md §5: functions, methods and properties of
//! the standard types, lowered to runtime calls or dedicated operations.

use crate::checker::{error_expr, Checker};
use crate::hir::{Expr, ExprKind, MathFn};
use crate::tables::{OBJECT, THREAD};
use crate::ty::Ty;
use tess_abi::RuntimeFn;
use tess_syntax::ast;
use tess_syntax::Span;

const FUNCTIONS: &[&str] = &[
    "cAlloc",
    "cFree",
    "handleOf",
    "objectOf",
    "releaseHandle",
    "print",
    "write",
    "eprint",
    "String",
    "Float",
    "Int",
    "Int32",
    "Array",
    "args",
    "exit",
    "readLine",
    "readFile",
    "writeFile",
    "clock",
    "loadLibrary",
    "spawn",
    "assert",
    "assertEqual",
    "__runTests",
    "sqrt",
    "sin",
    "cos",
    "tan",
    "atan2",
    "exp",
    "log",
    "pow",
    "floor",
    "ceil",
    "abs",
    "min",
    "max",
];

impl Checker<'_> {
    /// A call of a C math function: the standard library's math functions
    /// are `extern fn` declarations of libm (MODULES.md §5), made here on
    /// first use exactly as a user's `extern fn sin(x: Float) -> Float`.
    pub(crate) fn libm_call(&mut self, name: &str, args: Vec<Expr>) -> Expr {
        let id = match self.libm.get(name) {
            Some(&id) => id,
            None => {
                let params = vec![Ty::Float; args.len()];
                let id =
                    self.new_func(name, name.to_string(), params.clone(), Ty::Float, crate::hir::Visibility::Hidden);
                let f = &mut self.funcs[id];
                f.external = true;
                f.extern_c = true;
                f.locals = params
                    .into_iter()
                    .enumerate()
                    .map(|(i, ty)| crate::hir::Local { name: format!("x{i}"), ty })
                    .collect();
                f.params = (0..f.locals.len()).collect();
                self.libm.insert(name.to_string(), id);
                id
            }
        };
        Expr::new(ExprKind::Call(id, args), Ty::Float)
    }
}

/// Every built-in function's name (what "did you mean" may suggest).
pub fn function_names() -> &'static [&'static str] {
    FUNCTIONS
}

pub fn is_builtin_fn(name: &str) -> bool {
    FUNCTIONS.contains(&name)
}

/// A call of a runtime function of result type `ty`.
pub(crate) fn rt(func: RuntimeFn, args: Vec<Expr>, ty: Ty) -> Expr {
    Expr::new(ExprKind::Rt { func, args }, ty)
}

/// A value as the one word the runtime (or a generic body) takes.
pub(crate) fn word(e: Expr) -> Expr {
    Expr::new(ExprKind::ToWord(Box::new(e)), Ty::Int)
}

/// Checks the arguments against `params`; `None` when the count is wrong.
fn fixed_args(c: &mut Checker, args: &[ast::Expr], params: &[Ty], span: Span, what: &str) -> Option<Vec<Expr>> {
    let ok = args.len() == params.len();
    let out = c.args(args, params, span, what);
    (ok && out.iter().all(|e| e.ty != Ty::Error)).then_some(out)
}

/// Checks one argument of any type.
fn one_arg(c: &mut Checker, args: &[ast::Expr], span: Span, what: &str) -> Option<(Expr, Span)> {
    if args.len() != 1 {
        c.error(span, format!("`{what}` takes 1 argument, but {} were given", args.len()));
        for a in args {
            c.expr(a, None);
        }
        return None;
    }
    let e = c.expr(&args[0], None);
    (e.ty != Ty::Error).then_some((e, args[0].span))
}

/// `expected` is the type the context wants (`Array(n, nil)` takes its
/// element type from it).
pub(crate) fn call_fn(c: &mut Checker, name: &str, args: &[ast::Expr], span: Span, expected: Option<&Ty>) -> Expr {
    call_fn_inner(c, name, args, span, expected).unwrap_or_else(error_expr)
}

fn call_fn_inner(c: &mut Checker, name: &str, args: &[ast::Expr], span: Span, expected: Option<&Ty>) -> Option<Expr> {
    let what = format!("`{name}`");
    Some(match name {
        "print" | "write" | "eprint" => {
            let (v, vspan) = one_arg(c, args, span, name)?;
            if name == "print" && v.ty == Ty::Int {
                return Some(rt(RuntimeFn::PrintInt, vec![v], Ty::Void));
            }
            let s = c.stringify(v, vspan);
            let func = match name {
                "print" => RuntimeFn::Print,
                "write" => RuntimeFn::Write,
                _ => RuntimeFn::Eprint,
            };
            rt(func, vec![s], Ty::Void)
        }
        "String" => {
            let (v, vspan) = one_arg(c, args, span, name)?;
            c.stringify(v, vspan)
        }
        "Float" | "Int" | "Int32" => {
            let (v, vspan) = one_arg(c, args, span, name)?;
            let target = match name {
                "Float" => Ty::Float,
                "Int" => Ty::Int,
                _ => Ty::Int32,
            };
            if !v.ty.is_numeric() {
                c.error_hint(
                    vspan,
                    format!("cannot convert {} to {target}", v.ty),
                    "conversions apply to Int, Int32 and Float; use `s.toInt()` for text",
                );
                return None;
            }
            if v.ty == target {
                return Some(v);
            }
            Expr::new(ExprKind::Convert(Box::new(v)), target)
        }
        "Array" => {
            if args.len() != 2 {
                c.error(span, format!("`Array` takes 2 arguments (length, fill value), but {} were given", args.len()));
                return None;
            }
            let n = c.expr(&args[0], Some(&Ty::Int));
            let n = c.coerce(n, &Ty::Int, args[0].span);
            let element = match expected {
                Some(Ty::Array(e)) => Some((**e).clone()),
                _ => None,
            };
            let fill = c.expr(&args[1], element.as_ref());
            let fill = match &element {
                Some(e) => c.coerce(fill, e, args[1].span),
                None => fill,
            };
            if matches!(fill.ty, Ty::Void | Ty::Nil) {
                c.error_hint(
                    args[1].span,
                    "the type of the fill value is unknown",
                    "declare the array's type, e.g. `let xs: [Node?] = Array(n, nil)`",
                );
                return None;
            }
            // Whether the elements are references: a type parameter's
            // descriptor says so at run time.
            let is_ref = match fill.ty {
                Ty::Param(..) => c.values_are_refs(&fill.ty),
                _ => Expr::new(ExprKind::Bool(fill.ty.is_ref()), Ty::Bool),
            };
            let ty = Ty::Array(Box::new(fill.ty.clone()));
            rt(RuntimeFn::ArrFill, vec![is_ref, n, word(fill)], ty)
        }
        "args" => {
            fixed_args(c, args, &[], span, &what)?;
            rt(RuntimeFn::Args, vec![], Ty::Array(Box::new(Ty::Str)))
        }
        "exit" => rt(RuntimeFn::Exit, fixed_args(c, args, &[Ty::Int], span, &what)?, Ty::Void),
        "clock" => rt(RuntimeFn::Clock, fixed_args(c, args, &[], span, &what)?, Ty::Float),
        "loadLibrary" => {
            let library = c.class_ty(c.class_names["Library"]);
            rt(RuntimeFn::LoadLibrary, fixed_args(c, args, &[Ty::Str], span, &what)?, library)
        }
        "spawn" => {
            let thread = c.class_ty(THREAD);
            let f = Ty::Fn(Box::default(), Box::new(Ty::Void));
            let f = fixed_args(c, args, &[f], span, &what)?
                .into_iter()
                .map(|a| c.c_code(a, args.first().map(|w| w.span)))
                .collect();
            rt(RuntimeFn::Spawn, f, thread)
        }
        "assert" => rt(RuntimeFn::Assert, fixed_args(c, args, &[Ty::Bool, Ty::Str], span, &what)?, Ty::Void),
        "assertEqual" => {
            if args.len() != 2 {
                c.error(span, format!("`assertEqual` takes 2 arguments, but {} were given", args.len()));
                return None;
            }
            let a = c.expr(&args[0], None);
            let b = c.expr(&args[1], Some(&a.ty));
            let b = c.coerce(b, &a.ty, args[1].span);
            if a.ty == Ty::Error || b.ty == Ty::Error {
                return None;
            }
            if !matches!(a.ty, Ty::Int | Ty::Int32 | Ty::Float | Ty::Bool | Ty::Str) {
                c.error_hint(
                    args[0].span,
                    format!("`assertEqual` compares Int, Int32, Float, Bool and String values, not {}", a.ty),
                    "compare with `==` and use `assert(a == b, \"...\")`",
                );
                return None;
            }
            let a = c.coerce(a, &Ty::Any, args[0].span);
            let b = c.coerce(b, &Ty::Any, args[1].span);
            rt(RuntimeFn::AssertEqual, vec![a, b], Ty::Void)
        }
        // The runner of a test program (`tess test`'s generated file).
        "__runTests" => {
            let test = Ty::Fn(Box::default(), Box::new(Ty::Void));
            let params = [Ty::Array(Box::new(Ty::Str)), Ty::Array(Box::new(test))];
            rt(RuntimeFn::RunTests, fixed_args(c, args, &params, span, &what)?, Ty::Int)
        }
        "readFile" => rt(RuntimeFn::ReadFile, fixed_args(c, args, &[Ty::Str], span, &what)?, Ty::Str),
        "writeFile" => rt(RuntimeFn::WriteFile, fixed_args(c, args, &[Ty::Str, Ty::Str], span, &what)?, Ty::Void),
        "readLine" => rt(RuntimeFn::ReadLine, fixed_args(c, args, &[], span, &what)?, Ty::Optional(Box::new(Ty::Str))),
        // C memory and handles (MODULES.md §5).
        "cAlloc" => rt(RuntimeFn::CAlloc, fixed_args(c, args, &[Ty::Int], span, &what)?, Ty::CPointer),
        "cFree" => rt(RuntimeFn::CFree, fixed_args(c, args, &[Ty::CPointer], span, &what)?, Ty::Void),
        // An object, or a function value (which C calls through
        // `tess_closure_code`, `tessera.h`).
        "handleOf" => {
            let (e, espan) = one_arg(c, args, span, "handleOf")?;
            let e = match e.ty {
                Ty::Fn(..) => e,
                _ => c.coerce(e, &c.class_ty(OBJECT), espan),
            };
            rt(RuntimeFn::HandleOf, vec![e], Ty::CPointer)
        }
        "objectOf" => {
            let object = c.class_ty(OBJECT);
            rt(RuntimeFn::ObjectOf, fixed_args(c, args, &[Ty::CPointer], span, &what)?, object)
        }
        "releaseHandle" => rt(RuntimeFn::ReleaseHandle, fixed_args(c, args, &[Ty::CPointer], span, &what)?, Ty::Void),
        "sqrt" | "floor" | "ceil" => {
            let a = fixed_args(c, args, &[Ty::Float], span, &what)?;
            let f = match name {
                "sqrt" => MathFn::Sqrt,
                "floor" => MathFn::Floor,
                _ => MathFn::Ceil,
            };
            Expr::new(ExprKind::Math(f, a), Ty::Float)
        }
        "sin" | "cos" | "tan" | "exp" | "log" => {
            let a = fixed_args(c, args, &[Ty::Float], span, &what)?;
            c.libm_call(name, a)
        }
        "atan2" | "pow" => {
            let a = fixed_args(c, args, &[Ty::Float, Ty::Float], span, &what)?;
            c.libm_call(name, a)
        }
        "abs" => {
            let (v, vspan) = one_arg(c, args, span, name)?;
            let f = match v.ty {
                Ty::Int => MathFn::IAbs,
                Ty::Float => MathFn::FAbs,
                _ => {
                    c.error(vspan, format!("`abs` takes an Int or a Float, found {}", v.ty));
                    return None;
                }
            };
            let ty = v.ty.clone();
            Expr::new(ExprKind::Math(f, vec![v]), ty)
        }
        "min" | "max" => {
            if args.len() != 2 {
                c.error(span, format!("`{name}` takes 2 arguments, but {} were given", args.len()));
                return None;
            }
            let a = c.expr(&args[0], None);
            let b = c.expr(&args[1], Some(&a.ty));
            let f = match (&a.ty, &b.ty, name) {
                (Ty::Int, Ty::Int, "min") => MathFn::IMin,
                (Ty::Int, Ty::Int, _) => MathFn::IMax,
                (Ty::Float, Ty::Float, "min") => return Some(c.libm_call("fmin", vec![a, b])),
                (Ty::Float, Ty::Float, _) => return Some(c.libm_call("fmax", vec![a, b])),
                _ => {
                    c.error(span, format!("`{name}` takes two Ints or two Floats, found {} and {}", a.ty, b.ty));
                    return None;
                }
            };
            let ty = a.ty.clone();
            Expr::new(ExprKind::Math(f, vec![a, b]), ty)
        }
        _ => {
            c.error(span, format!("cannot call `{name}` here"));
            return None;
        }
    })
}

pub(crate) fn call_method(c: &mut Checker, obj: Expr, name: &ast::Ident, args: &[ast::Expr], span: Span) -> Expr {
    call_method_inner(c, obj, name, args, span).unwrap_or_else(error_expr)
}

fn call_method_inner(c: &mut Checker, obj: Expr, name: &ast::Ident, args: &[ast::Expr], span: Span) -> Option<Expr> {
    let what = format!("`{}`", name.name);
    let ty = obj.ty.clone();
    let with_self = |c: &mut Checker, params: &[Ty]| -> Option<Vec<Expr>> {
        let mut a = fixed_args(c, args, params, span, &what)?;
        a.insert(0, Expr::new(ExprKind::Int(0), Ty::Error));
        Some(a)
    };
    if let Ty::Set(elem) = &ty {
        return Some(c.set_method(obj, elem, name, args, span));
    }
    if let Ty::Array(elem) = &ty {
        if crate::array_fns::METHODS.contains(&name.name.as_str()) {
            return c.array_method(obj, elem, name, args, span);
        }
    }
    let (rt_fn, mut a, ret) = match (&ty, name.name.as_str()) {
        (Ty::Error, _) => return None,
        (Ty::Str, "substring") => (RuntimeFn::StrSubstring, with_self(c, &[Ty::Int, Ty::Int])?, Ty::Str),
        (Ty::Str, "split") => (RuntimeFn::StrSplit, with_self(c, &[Ty::Str])?, Ty::Array(Box::new(Ty::Str))),
        (Ty::Str, "contains") => (RuntimeFn::StrContains, with_self(c, &[Ty::Str])?, Ty::Bool),
        (Ty::Str, "startsWith") => (RuntimeFn::StrStartsWith, with_self(c, &[Ty::Str])?, Ty::Bool),
        (Ty::Str, "byteAt") => (RuntimeFn::StrByteAt, with_self(c, &[Ty::Int])?, Ty::Int),
        (Ty::Str, "toInt") => (RuntimeFn::StrToInt, with_self(c, &[])?, Ty::Optional(Box::new(Ty::Int))),
        (Ty::Str, "toFloat") => (RuntimeFn::StrToFloat, with_self(c, &[])?, Ty::Optional(Box::new(Ty::Float))),
        (Ty::CPointer, "readInt") => (RuntimeFn::CReadInt, with_self(c, &[Ty::Int])?, Ty::Int),
        (Ty::CPointer, "readInt32") => (RuntimeFn::CReadInt32, with_self(c, &[Ty::Int])?, Ty::Int32),
        (Ty::CPointer, "readFloat") => (RuntimeFn::CReadFloat, with_self(c, &[Ty::Int])?, Ty::Float),
        (Ty::CPointer, "readPointer") => (RuntimeFn::CReadPointer, with_self(c, &[Ty::Int])?, Ty::CPointer),
        (Ty::CPointer, "readCString") => (RuntimeFn::CReadCString, with_self(c, &[Ty::Int])?, Ty::Str),
        (Ty::CPointer, "writeInt") => (RuntimeFn::CWriteInt, with_self(c, &[Ty::Int, Ty::Int])?, Ty::Void),
        (Ty::CPointer, "writeInt32") => (RuntimeFn::CWriteInt32, with_self(c, &[Ty::Int, Ty::Int32])?, Ty::Void),
        (Ty::CPointer, "writeFloat") => (RuntimeFn::CWriteFloat, with_self(c, &[Ty::Int, Ty::Float])?, Ty::Void),
        (Ty::CPointer, "writePointer") => (RuntimeFn::CWritePointer, with_self(c, &[Ty::Int, Ty::CPointer])?, Ty::Void),
        (Ty::Float, "toFixed") => (RuntimeFn::FloatToFixed, with_self(c, &[Ty::Int])?, Ty::Str),
        (Ty::Array(elem), "push") => {
            let mut a = with_self(c, &[(**elem).clone()])?;
            let v = a.pop()?;
            a.push(word(v));
            (RuntimeFn::ArrPush, a, Ty::Void)
        }
        (Ty::Array(elem), "pop") => {
            let mut a = with_self(c, &[])?;
            a[0] = obj;
            let call = rt(RuntimeFn::ArrPop, a, Ty::Int);
            return Some(Expr::new(ExprKind::FromWord(Box::new(call)), (**elem).clone()));
        }
        (Ty::Array(elem), "join") if **elem == Ty::Str => (RuntimeFn::StrJoin, with_self(c, &[Ty::Str])?, Ty::Str),
        (Ty::Array(_), "slice") => (RuntimeFn::ArrSlice, with_self(c, &[Ty::Int, Ty::Int])?, ty.clone()),
        (Ty::Map(k, _), "contains") => {
            let mut a = with_self(c, &[(**k).clone()])?;
            let key = a.pop()?;
            a.push(word(key));
            (RuntimeFn::MapContains, a, Ty::Bool)
        }
        (Ty::Map(k, _), "remove") => {
            let mut a = with_self(c, &[(**k).clone()])?;
            let key = a.pop()?;
            a.push(word(key));
            (RuntimeFn::MapRemove, a, Ty::Void)
        }
        (Ty::Map(k, _), "keys") => (RuntimeFn::MapKeys, with_self(c, &[])?, Ty::Array(k.clone())),
        (Ty::Optional(_), _) => {
            c.error_hint(
                name.span,
                format!("a value of type {ty} must be unwrapped before calling `{}`", name.name),
                "unwrap it with `!`, `??` or `if let`",
            );
            return None;
        }
        (Ty::Str | Ty::Array(_) | Ty::Map(..), "len") => {
            c.error_hint(
                name.span,
                format!("`len` of {ty} is a property, not a method"),
                "write it without parentheses: `x.len`",
            );
            return None;
        }
        _ => {
            c.error_hint(name.span, format!("{ty} has no method `{}`", name.name), methods_of(&ty));
            for a in args {
                c.expr(a, None);
            }
            return None;
        }
    };
    a[0] = obj;
    Some(rt(rt_fn, a, ret))
}

const STRING_MEMBERS: &[&str] = &["len", "substring", "split", "contains", "startsWith", "byteAt", "toInt", "toFloat"];
/// Arrays' own members; the rest are `array_fns::METHODS`.
const ARRAY_MEMBERS: &[&str] = &["len", "push", "pop", "slice"];
const MAP_MEMBERS: &[&str] = &["len", "contains", "remove", "keys"];

/// The properties and methods of a built-in type, for an editor's
/// completion (and the hints below): empty for other types.
pub fn members_of(ty: &Ty) -> Vec<&'static str> {
    match ty {
        Ty::Str => STRING_MEMBERS.to_vec(),
        Ty::Array(e) => {
            let join = (**e == Ty::Str).then_some("join");
            ARRAY_MEMBERS.iter().chain(crate::array_fns::METHODS).copied().chain(join).collect()
        }
        Ty::Map(..) => MAP_MEMBERS.to_vec(),
        Ty::Float => vec!["toFixed"],
        _ => Vec::new(),
    }
}

/// `a`, `b` and `c`.
fn listed(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

fn methods_of(ty: &Ty) -> String {
    match ty {
        Ty::Str => format!("String has {}", STRING_MEMBERS.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")),
        Ty::Array(_) => {
            let all: Vec<&str> = ARRAY_MEMBERS.iter().chain(crate::array_fns::METHODS).copied().collect();
            format!("arrays have {}; `[String]` has `join(separator)`", listed(&all))
        }
        Ty::Map(..) => format!("maps have {}", listed(MAP_MEMBERS)),
        Ty::Float => "Float has `toFixed(digits)`".to_string(),
        Ty::CPointer => {
            "CPointer has `isNull`, `readInt`, `readInt32`, `readFloat`, `readPointer`, `readCString` and the `write` methods"
                .to_string()
        }
        _ => "this type has no methods".to_string(),
    }
}

pub(crate) fn property(c: &mut Checker, obj: Expr, name: &ast::Ident) -> Expr {
    match (&obj.ty, name.name.as_str()) {
        (Ty::Error, _) => error_expr(),
        (Ty::Str | Ty::Array(_), "len") => Expr::new(ExprKind::Len(Box::new(obj)), Ty::Int),
        (Ty::Map(..) | Ty::Set(_), "len") => rt(RuntimeFn::MapLen, vec![obj], Ty::Int),
        (Ty::CPointer, "isNull") => Expr::new(ExprKind::IsNil { value: Box::new(obj), negated: false }, Ty::Bool),
        (ty, n) => {
            let hint = match ty {
                Ty::Str | Ty::Array(_) | Ty::Map(..) | Ty::Set(_) if crate::suggest::closest(n, ["len"]).is_some() => {
                    "did you mean `len`?".to_string()
                }
                Ty::Str | Ty::Array(_) | Ty::Map(..) => format!("`len` is its one property; {}", methods_of(ty)),
                Ty::Set(_) => format!("`len` is its one property; {}", crate::sets::SET_METHODS),
                Ty::Optional(_) => format!(
                    "it may be nil: `x?.{n}` gives nil then, `x!.{n}` throws; after `if x != nil` a local that is not assigned is no longer optional"
                ),
                _ => "only strings, arrays, maps and sets have `len`".to_string(),
            };
            c.error_hint(name.span, format!("{ty} has no property `{n}`"), hint);
            error_expr()
        }
    }
}

/// `CPointer.null`, the one constant of `CPointer`.
pub(crate) fn cpointer_constant(c: &mut Checker, name: &ast::Ident) -> Expr {
    if name.name == "null" {
        return Expr::new(ExprKind::Int(0), Ty::CPointer);
    }
    c.error_hint(name.span, format!("CPointer has no member `{}`", name.name), "`CPointer.null` is the null pointer");
    error_expr()
}
