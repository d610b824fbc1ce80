//! `tess abi-diff OLD.tesi NEW.tesi` (MODULES.md §11): every difference
//! between two interfaces of one module, each `compatible` or `breaking`
//! for the programs and plugins compiled against OLD. The verdict follows
//! the fingerprints, as the loader's and the start-up check's do: a
//! declaration whose fingerprint changed breaks whoever uses it, one that
//! is gone breaks whoever used it, one that is new breaks nobody. The
//! details (which field moved, which signature changed) say why.

use crate::interface::{Class, Function, Global, Interface};

/// One difference between two interfaces.
#[derive(Debug, PartialEq)]
pub struct Difference {
    /// Programs or plugins compiled against the old interface may no longer
    /// run with the new library.
    pub breaking: bool,
    pub text: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", if self.breaking { "breaking" } else { "compatible" }, self.text)
    }
}

/// Every difference from `old` to `new` (interfaces of the same module),
/// functions first, then variables, then classes, each in `new`'s order
/// after `old`'s removals.
pub fn diff(old: &Interface, new: &Interface) -> Vec<Difference> {
    let m = &new.module;
    let mut out = Vec::new();
    if old.shared != new.shared {
        let kind = |shared: bool| if shared { "shared" } else { "static" };
        out.push(Difference {
            breaking: true,
            text: format!("library of module `{m}`: {} became {}", kind(old.shared), kind(new.shared)),
        });
    }
    compare(
        &mut out,
        &old.functions,
        &new.functions,
        |f| &f.name,
        |f| &f.fingerprint,
        |f| function(m, f),
        |_, _| Vec::new(),
    );
    compare(&mut out, &old.globals, &new.globals, |g| &g.name, |g| &g.fingerprint, |g| global(m, g), |_, _| Vec::new());
    compare(&mut out, &old.classes, &new.classes, |c| &c.name, |c| &c.fingerprint, |c| class(m, c), class_changes);
    out
}

/// Differences between two lists of declarations keyed by name.
fn compare<T>(
    out: &mut Vec<Difference>,
    old: &[T],
    new: &[T],
    name: impl Fn(&T) -> &String,
    fingerprint: impl Fn(&T) -> &String,
    show: impl Fn(&T) -> String,
    details: impl Fn(&T, &T) -> Vec<String>,
) {
    for o in old {
        if !new.iter().any(|n| name(n) == name(o)) {
            out.push(Difference { breaking: true, text: format!("removed {}", show(o)) });
        }
    }
    for n in new {
        match old.iter().find(|o| name(o) == name(n)) {
            None => out.push(Difference { breaking: false, text: format!("added {}", show(n)) }),
            Some(o) if fingerprint(o) != fingerprint(n) => {
                let mut why = details(o, n);
                if why.is_empty() && show(o) != show(n) {
                    why.push(format!("was {}", show(o)));
                }
                let why = if why.is_empty() { String::new() } else { format!(" ({})", why.join("; ")) };
                out.push(Difference { breaking: true, text: format!("changed {}{why}", show(n)) });
            }
            Some(o) if show(o) != show(n) => {
                out.push(Difference { breaking: false, text: format!("changed {} (was {})", show(n), show(o)) })
            }
            Some(_) => {}
        }
    }
}

fn exported(e: bool) -> &'static str {
    if e {
        "export "
    } else {
        ""
    }
}

fn function(m: &str, f: &Function) -> String {
    let ps: Vec<String> = f.params.iter().map(|p| p.to_string()).collect();
    format!("{}fn {m}.{}({}) -> {}", exported(f.exported), f.name, ps.join(", "), f.ret)
}

fn global(m: &str, g: &Global) -> String {
    format!("{}{} {m}.{}: {}", exported(g.exported), if g.mutable { "var" } else { "let" }, g.name, g.ty)
}

fn class(m: &str, c: &Class) -> String {
    let base = c.base.as_deref().map(|b| format!(" : {b}")).unwrap_or_default();
    format!("{}{}class {m}.{}{base}", exported(c.exported), if c.open { "open " } else { "" }, c.name)
}

/// What changed inside a class whose fingerprint changed.
fn class_changes(o: &Class, n: &Class) -> Vec<String> {
    let mut why = Vec::new();
    if o.base != n.base {
        why.push(format!(
            "base {} became {}",
            o.base.as_deref().unwrap_or("none"),
            n.base.as_deref().unwrap_or("none")
        ));
    }
    if o.open != n.open {
        why.push(if n.open { "now open".to_string() } else { "no longer open".to_string() });
    }
    if o.size != n.size {
        why.push(format!("size {} became {}", o.size, n.size));
    }
    for f in &o.fields {
        match n.fields.iter().find(|g| g.name == f.name) {
            None => why.push(format!("field {} removed", f.name)),
            Some(g) if g.ty != f.ty => why.push(format!("field {}: {} became {}", f.name, f.ty, g.ty)),
            Some(g) if g.offset != f.offset => {
                why.push(format!("field {} moved from offset {} to {}", f.name, f.offset, g.offset))
            }
            Some(g) if g.access != f.access || g.mutable != f.mutable => why.push(format!("field {} changed", f.name)),
            Some(_) => {}
        }
    }
    for g in n.fields.iter().filter(|g| !o.fields.iter().any(|f| f.name == g.name)) {
        why.push(format!("field {} added at offset {}", g.name, g.offset));
    }
    for m in &o.methods {
        match n.methods.iter().find(|k| k.name == m.name) {
            None => why.push(format!("method {} removed", m.name)),
            Some(k) if k.params != m.params || k.ret != m.ret => {
                why.push(format!("method {} changed signature", m.name))
            }
            Some(k) if k.slot != m.slot => why.push(format!(
                "method {} moved from slot {} to {}",
                m.name,
                m.slot.map_or("-".to_string(), |s| s.to_string()),
                k.slot.map_or("-".to_string(), |s| s.to_string())
            )),
            Some(k) if k.is_final != m.is_final || k.access != m.access => {
                why.push(format!("method {} changed", m.name))
            }
            Some(_) => {}
        }
    }
    for k in n.methods.iter().filter(|k| !o.methods.iter().any(|m| m.name == k.name)) {
        why.push(format!("method {} added", k.name));
    }
    if o.init != n.init {
        why.push("init changed".to_string());
    }
    why
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interface::TypeRef;

    fn module(functions: Vec<Function>) -> Interface {
        Interface {
            module: "geo".into(),
            target: String::new(),
            compiler: String::new(),
            functions,
            globals: Vec::new(),
            classes: Vec::new(),
            dependencies: Vec::new(),
            shared: true,
            fingerprint: String::new(),
        }
    }

    fn function(param: TypeRef, exported: bool, fingerprint: &str) -> Function {
        Function {
            name: "area".into(),
            symbol: "_T3geo4area".into(),
            params: vec![param],
            ret: TypeRef::Int,
            exported,
            may_throw: true,
            fingerprint: fingerprint.into(),
        }
    }

    #[test]
    fn a_changed_fingerprint_breaks_and_says_what_it_was() {
        let d =
            diff(&module(vec![function(TypeRef::Int, true, "a")]), &module(vec![function(TypeRef::Float, true, "b")]));
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].to_string(),
            "breaking: changed export fn geo.area(Float) -> Int (was export fn geo.area(Int) -> Int)"
        );
    }

    #[test]
    fn what_keeps_its_fingerprint_is_compatible() {
        let d =
            diff(&module(vec![function(TypeRef::Int, false, "a")]), &module(vec![function(TypeRef::Int, true, "a")]));
        assert_eq!(d.len(), 1);
        assert!(!d[0].breaking, "{}", d[0]);
        assert!(diff(&module(vec![]), &module(vec![])).is_empty());
    }
}
