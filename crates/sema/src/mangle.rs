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

#[cfg(test)]
mod tests {
    #[test]
    fn names_carry_the_module_and_lengths() {
        assert_eq!(super::symbol("main", &["add"]), "_T4main3add");
        assert_eq!(super::symbol("geo", &["Point", "area"]), "_T3geo5Point4area");
        assert_ne!(super::symbol("ab", &["c"]), super::symbol("a", &["bc"]));
    }
}
