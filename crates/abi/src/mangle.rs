//! Symbol names. Every Tessera symbol carries its module's name, so two
//! modules never clash: `_T` then each path component as `<len><name>`
//! (Itanium-style), e.g. `_T4main3add` for `add` in module `main`.
//! Runtime symbols start with `tess_`; module entry points are
//! `tess_module_init_<module>` (MODULES.md §4).

/// The symbol of a declaration at `path` inside `module`.
pub fn symbol(module: &str, path: &[&str]) -> String {
    let mut s = format!("_T{}{}", module.len(), module);
    for p in path {
        s.push_str(&format!("{}{}", p.len(), p));
    }
    s
}

/// The init entry of a module.
pub fn module_init(module: &str) -> String {
    format!("tess_module_init_{module}")
}

/// `_T4host8register` -> `host.register`, for messages; `None` for a
/// symbol that is not a Tessera declaration's.
pub fn demangle(symbol: &str) -> Option<String> {
    let mut rest = symbol.strip_prefix("_T")?;
    let mut parts = Vec::new();
    while !rest.is_empty() {
        let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
        let len: usize = rest[..digits].parse().ok()?;
        let part = rest.get(digits..digits.checked_add(len)?)?;
        parts.push(part.to_string());
        rest = &rest[digits + len..];
    }
    Some(parts.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_module_and_lengths() {
        assert_eq!(symbol("main", &["add"]), "_T4main3add");
        assert_eq!(symbol("geo", &["Point", "area"]), "_T3geo5Point4area");
        assert_ne!(symbol("ab", &["c"]), symbol("a", &["bc"]));
    }

    #[test]
    fn demangling_inverts_mangling() {
        assert_eq!(demangle(&symbol("geo", &["Point", "area"])).as_deref(), Some("geo.Point.area"));
        assert_eq!(demangle("tess_alloc"), None);
        assert_eq!(demangle("_T99x"), None);
    }
}
