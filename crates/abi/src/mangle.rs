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

/// The cell holding a module's variables key: the byte offset, in every
/// thread's state, of the pointer to that thread's block of the module's
/// variables (`tess_abi::layout::thread`), set when the module registers
/// them.
pub fn module_vars_key(module: &str) -> String {
    format!("{}.key", module_init(module))
}

/// A library's `fini { }` blocks, which `lib.unload()` runs.
pub fn module_fini(module: &str) -> String {
    format!("tess_module_fini_{module}")
}

/// A module's per-thread initialiser: runs its variables' initialisers
/// on a thread that uses the module for the first time (MODULES.md §6).
pub fn module_thread_init(module: &str) -> String {
    format!("{}.thread", module_init(module))
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
    (!parts.is_empty()).then(|| parts.join("."))
}

/// The module a Tessera declaration's symbol belongs to (its first
/// component): `_T3geo5Shape4area` -> `geo`.
pub fn module_of(symbol: &str) -> Option<&str> {
    let rest = symbol.strip_prefix("_T")?;
    let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
    let len: usize = rest[..digits].parse().ok()?;
    rest.get(digits..digits.checked_add(len)?)
}

/// What follows a declaration's symbol to name one of the compiler's own
/// symbols beside it, and how `tess demangle` says it.
const SUFFIXES: &[(&str, &str)] = &[
    ("3$ti.display", "type info display"),
    ("3$ti.refs", "type info references"),
    ("3$ti", "type info"),
    (TYPE_INFO_CELL, "type info cell"),
    (FIELD_OFFSET, "field offset"),
    (METHOD_SLOT, "method slot"),
    (C_ENTRY, "C entry"),
    (FN_VALUE_CODE, "function value"),
    (FN_VALUE, "function value object"),
    (IFACE_DESCRIPTOR, "interface descriptor"),
];

/// Suffix of the cell holding the address of a type info built at run time.
const TYPE_INFO_CELL: &str = "4$tic";
/// Suffix of the cell holding a field's byte offset in an object.
const FIELD_OFFSET: &str = "4$off";
/// Suffix of a function's C-convention entry.
const C_ENTRY: &str = "6$entry";
/// Suffix of the code of a function used as a value (`docs/abi.md`,
/// closures), and of that value's static object.
const FN_VALUE_CODE: &str = "7$fvcode";
const FN_VALUE: &str = "6$value";
/// Suffix of an interface's descriptor (`docs/abi.md`, interfaces).
const IFACE_DESCRIPTOR: &str = "6$iface";
/// Suffix of the cell holding a method's byte offset in a type info.
const METHOD_SLOT: &str = "5$slot";

/// The cell of a class's type info, for a class whose type info is built
/// at run time (its base belongs to another module, MODULES.md §11).
pub fn type_info_cell(module: &str, class: &str) -> String {
    symbol(module, &[class]) + TYPE_INFO_CELL
}

/// The cell of a field's byte offset in its class's objects, through which
/// other modules (and the module itself, when the offset is only known at
/// run time) read the field.
pub fn field_offset(module: &str, class: &str, field: &str) -> String {
    symbol(module, &[class, field]) + FIELD_OFFSET
}

/// The cell of a virtual method's byte offset in type infos, through which
/// other modules call and override it.
pub fn method_slot(module: &str, class: &str, method: &str) -> String {
    symbol(module, &[class, method]) + METHOD_SLOT
}

/// The C-convention entry of a Tessera function: what a function value
/// holds, so C can call it and `spawn` can run it (`docs/abi.md`,
/// threads). Local to each object that takes the function's address.
pub fn c_entry(symbol: &str) -> String {
    symbol.to_string() + C_ENTRY
}

/// The descriptor of interface `name` of `module`: its methods' names and
/// default bodies, from which the runtime builds classes' tables.
pub fn interface_descriptor(module: &str, name: &str) -> String {
    symbol(module, &[name]) + IFACE_DESCRIPTOR
}

/// The static object of a function used as a value, local to each object
/// that names the function (`docs/abi.md`, closures).
pub fn fn_value(symbol: &str) -> String {
    symbol.to_string() + FN_VALUE
}

/// The code of [`fn_value`]: takes the value first, calls the function.
pub fn fn_value_code(symbol: &str) -> String {
    symbol.to_string() + FN_VALUE_CODE
}

/// Any symbol of a Tessera module as people read it: `_T3geo5Shape4area`
/// is `geo.Shape.area`, `_T3geo5Shape3$ti` is `geo.Shape (type info)`,
/// `_T3geo.str.0` is `geo (string literal 0)`, `tess_module_init_geo` is
/// `geo (module init)`. `None` for any other symbol (the runtime's, C's).
pub fn readable(symbol: &str) -> Option<String> {
    if let Some(rest) = symbol.strip_prefix("tess_module_init_") {
        let (module, what) = match rest.split_once('.') {
            Some((m, "initialised")) => (m, "module initialised flag"),
            Some((m, "fingerprints")) => (m, "module fingerprints"),
            Some((m, "key")) => (m, "module variables key"),
            Some((m, "thread")) => (m, "module thread initialiser"),
            Some(_) => return None,
            None => (rest, "module init"),
        };
        return Some(format!("{module} ({what})"));
    }
    for (suffix, what) in SUFFIXES {
        if let Some(decl) = symbol.strip_suffix(suffix) {
            return Some(format!("{} ({what})", demangle(decl)?));
        }
    }
    for (kind, what) in [(".str.", "string literal"), (".cstr.", "C string literal")] {
        if let Some((module, n)) = symbol.split_once(kind) {
            if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) {
                return Some(format!("{} ({what} {n})", demangle(module)?));
            }
        }
    }
    demangle(symbol)
}

/// `text` with every Tessera symbol in it replaced by its [`readable`]
/// name (what `tess demangle` does to each line, as `c++filt`).
pub fn demangle_text(text: &str) -> String {
    let symbol_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '.';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| symbol_char(c)) {
        out.push_str(&rest[..start]);
        let word = &rest[start..];
        let len = word.find(|c: char| !symbol_char(c)).unwrap_or(word.len());
        // A word may end with a sentence's full stop.
        let token = word[..len].trim_end_matches('.');
        match readable(token) {
            Some(name) => out.push_str(&name),
            None => out.push_str(token),
        }
        rest = &word[token.len()..];
        if rest.len() == word.len() {
            out.push_str(&rest[..1]);
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
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

    /// Every kind of symbol `docs/abi.md` lists reads back as the
    /// declaration it was made from.
    #[test]
    fn every_symbol_kind_reads_back() {
        let cases = [
            (symbol("geo", &["area"]), "geo.area"),
            (symbol("geo", &["count"]), "geo.count"),
            (symbol("geo", &["Shape", "area"]), "geo.Shape.area"),
            (symbol("geo", &["Shape", "init"]), "geo.Shape.init"),
            (symbol("geo", &["Shape", "$ti"]), "geo.Shape (type info)"),
            (format!("{}.refs", symbol("geo", &["Shape", "$ti"])), "geo.Shape (type info references)"),
            (format!("{}.display", symbol("geo", &["Shape", "$ti"])), "geo.Shape (type info display)"),
            (type_info_cell("geo", "Square"), "geo.Square (type info cell)"),
            (field_offset("geo", "Shape", "name"), "geo.Shape.name (field offset)"),
            (method_slot("geo", "Shape", "area"), "geo.Shape.area (method slot)"),
            (c_entry(&symbol("geo", &["area"])), "geo.area (C entry)"),
            (format!("{}.str.3", symbol("geo", &[])), "geo (string literal 3)"),
            (format!("{}.cstr.0", symbol("geo", &[])), "geo (C string literal 0)"),
            (module_init("geo"), "geo (module init)"),
            (format!("{}.initialised", module_init("geo")), "geo (module initialised flag)"),
            (format!("{}.fingerprints", module_init("geo")), "geo (module fingerprints)"),
            (module_vars_key("geo"), "geo (module variables key)"),
            (module_thread_init("geo"), "geo (module thread initialiser)"),
        ];
        for (sym, name) in cases {
            assert_eq!(readable(&sym).as_deref(), Some(name), "{sym}");
            if sym.starts_with("_T") {
                assert_eq!(module_of(&sym), Some("geo"), "{sym}");
            }
        }
        for other in ["tess_alloc", "cfun", "_T", "_T9geo", "tess_module_init_geo.other"] {
            assert_eq!(readable(other), None, "{other}");
        }
    }

    #[test]
    fn text_is_demangled_word_by_word() {
        assert_eq!(
            demangle_text("0000 T _T3geo5Shape4area\n  call _T4main3add, tess_alloc."),
            "0000 T geo.Shape.area\n  call main.add, tess_alloc."
        );
        assert_eq!(demangle_text("in _T4main3add."), "in main.add.");
    }

    #[test]
    fn demangling_inverts_mangling() {
        assert_eq!(demangle(&symbol("geo", &["Point", "area"])).as_deref(), Some("geo.Point.area"));
        assert_eq!(demangle("tess_alloc"), None);
        assert_eq!(demangle("_T99x"), None);
    }
}
