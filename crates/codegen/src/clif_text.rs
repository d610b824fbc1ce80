//! `--emit=clif`: a function's Cranelift IR with the symbols it refers to
//! written out (`%tess_alloc`), instead of Cranelift's numeric external
//! names, so tests and people can read which functions are called.

use cranelift_codegen::ir::{Function, UserExternalName};
use cranelift_module::{DataId, FuncId, ModuleDeclarations};

/// The symbol a numeric external name stands for: namespace 0 holds
/// functions, 1 data objects (cranelift-module's convention).
fn symbol(decls: &ModuleDeclarations, name: &UserExternalName) -> Option<String> {
    match name.namespace {
        0 => decls.get_function_decl(FuncId::from_u32(name.index)).name.clone(),
        1 => decls.get_data_decl(DataId::from_u32(name.index)).name.clone(),
        _ => None,
    }
}

/// The text of `func` with `userextnameN`, `u0:K` and `u1:K` replaced by
/// `%symbol`.
pub(crate) fn readable(func: &Function, decls: &ModuleDeclarations) -> String {
    let mut text = func.display().to_string();
    let named: Vec<_> = func.params.user_named_funcs().iter().collect();
    // Highest first, so `userextname1` never rewrites part of `userextname12`.
    for (r, name) in named.into_iter().rev() {
        if let Some(s) = symbol(decls, name) {
            text = text.replace(&format!("userextname{}", r.as_u32()), &format!("%{s}"));
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find(['u']) {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let boundary = out.chars().last().is_none_or(|c| !c.is_alphanumeric() && c != '_');
        let namespace = from.strip_prefix("u0:").map(|r| (0, r)).or_else(|| from.strip_prefix("u1:").map(|r| (1, r)));
        match namespace.filter(|_| boundary) {
            Some((ns, digits_on)) => {
                let len = digits_on.bytes().take_while(u8::is_ascii_digit).count();
                let name = digits_on[..len].parse().ok().map(|index| UserExternalName::new(ns, index));
                match name.and_then(|n| symbol(decls, &n)) {
                    Some(s) => {
                        out.push('%');
                        out.push_str(&s);
                        rest = &digits_on[len..];
                    }
                    None => {
                        out.push('u');
                        rest = &from[1..];
                    }
                }
            }
            None => {
                out.push('u');
                rest = &from[1..];
            }
        }
    }
    out.push_str(rest);
    out
}
