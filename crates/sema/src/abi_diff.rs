//! `tess abi-diff OLD.tesi NEW.tesi` (MODULES.md §11): every difference
//! between two interfaces of one module, each `compatible` or `breaking`
//! for the programs and plugins compiled against OLD. The verdict follows
//! the fingerprints, as the loader's and the start-up check's do: a
//! declaration whose fingerprint changed breaks whoever uses it, one that
//! is gone breaks whoever used it, one that is new breaks nobody. The
//! details (which field moved, which signature changed) say why.

use crate::interface::{
    access_word, Access, Class, EnumCase, Function, Global, Interface, InterfaceMethod, InterfaceType,
};

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
    for n in &new.classes {
        if let Some(o) = old.classes.iter().find(|o| o.name == n.name) {
            members(&mut out, &members_of(m, o), &members_of(m, n));
        }
    }
    let show_iface = |i: &InterfaceType| format!("{}interface {m}.{}", exported(i.exported), i.name);
    compare(&mut out, &old.interfaces, &new.interfaces, |i| &i.name, |i| &i.fingerprint, show_iface, |_, _| Vec::new());
    for n in &new.interfaces {
        let Some(o) = old.interfaces.iter().find(|o| o.name == n.name) else { continue };
        let show = |x: &InterfaceMethod| interface_method(m, &n.name, x);
        compare(&mut out, &o.methods, &n.methods, |x| &x.name, |x| &x.fingerprint, show, |_, _| Vec::new());
        // A method added without a default body breaks the classes of
        // other modules that implement the interface.
        for x in n.methods.iter().filter(|x| !x.has_default && !o.methods.iter().any(|y| y.name == x.name)) {
            let added = format!("added {}", interface_method(m, &n.name, x));
            if let Some(d) = out.iter_mut().find(|d| d.text == added) {
                d.breaking = true;
                d.text =
                    format!("{added} without a default body: classes that implement {m}.{} must define it", n.name);
            }
        }
    }
    for n in &new.enums {
        if let Some(o) = old.enums.iter().find(|o| o.name == n.name) {
            let show = |c: &EnumCase| case(m, &n.name, c);
            let before = out.iter().filter(|d| d.breaking).count();
            compare(
                &mut out,
                &o.cases,
                &n.cases,
                |c| &c.name,
                |c| &c.fingerprint,
                show,
                |o, n| case_changes(&old.enums, &new.enums, o, n),
            );
            // Cases only added: what breaks is an exhaustive `match`.
            let cases_broken = out.iter().filter(|d| d.breaking).count() > before;
            if o.fingerprint != n.fingerprint && !cases_broken {
                out.push(Difference {
                    breaking: true,
                    text: format!(
                        "changed the cases of enum {m}.{}: a `match` over it without `_` must be rebuilt (other uses of it are compatible)",
                        n.name
                    ),
                });
            }
        }
    }
    out
}

fn interface_method(m: &str, i: &str, x: &InterfaceMethod) -> String {
    let ps: Vec<String> = x.params.iter().map(|p| p.to_string()).collect();
    let default = if x.has_default { " (with a default body)" } else { "" };
    format!("method {m}.{i}.{}({}) -> {}{default}", x.name, ps.join(", "), x.ret)
}

fn case(m: &str, e: &str, c: &EnumCase) -> String {
    let payload = c.payload.as_ref().map(|p| format!("({})", p.join(", "))).unwrap_or_default();
    format!("case {m}.{e}.{}{payload}", c.name)
}

/// Why a case's fingerprint changed: its position (its tag) or payload.
fn case_changes(
    old: &[crate::interface::Enum],
    new: &[crate::interface::Enum],
    o: &EnumCase,
    n: &EnumCase,
) -> Vec<String> {
    let position = |enums: &[crate::interface::Enum], c: &EnumCase| {
        enums.iter().find_map(|e| e.cases.iter().position(|k| std::ptr::eq(k, c)))
    };
    let mut why = Vec::new();
    if let (Some(a), Some(b)) = (position(old, o), position(new, n)) {
        if a != b {
            why.push(format!("moved from position {} to {}", a + 1, b + 1));
        }
    }
    if o.payload != n.payload {
        why.push("its payload changed".to_string());
    }
    why
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
    format!("{}fn {m}.{}{}", exported(f.exported), f.name, f.shown_signature())
}

fn global(m: &str, g: &Global) -> String {
    format!("{}{} {m}.{}: {}", exported(g.exported), if g.mutable { "var" } else { "let" }, g.name, g.ty)
}

fn class(m: &str, c: &Class) -> String {
    let base = c.base.as_deref().map(|b| format!(" : {b}")).unwrap_or_default();
    format!("{}{}class {m}.{}{base}", exported(c.exported), if c.open { "open " } else { "" }, c.name)
}

/// What changed in a class itself (not its members, compared one by one).
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
    why
}

/// A field, method or `init` of a class, as [`members`] compares them.
struct Member {
    key: String,
    /// Other modules may use it (`public` or `protected`): changing or
    /// removing it breaks them.
    usable: bool,
    fingerprint: String,
    text: String,
}

fn members_of(m: &str, c: &Class) -> Vec<Member> {
    let usable = |a: Access| matches!(a, Access::Public | Access::Protected);
    let path = format!("{m}.{}", c.name);
    let fields = c.fields.iter().map(|f| Member {
        key: format!("field {}", f.name),
        usable: usable(f.access),
        fingerprint: f.fingerprint.clone(),
        text: format!(
            "{} {} {path}.{}: {}",
            access_word(f.access),
            if f.mutable { "var" } else { "let" },
            f.name,
            f.ty
        ),
    });
    let methods = c.methods.iter().map(|k| {
        let ps: Vec<String> = k.params.iter().map(|p| p.to_string()).collect();
        Member {
            key: format!("method {}", k.name),
            usable: usable(k.access),
            fingerprint: k.fingerprint.clone(),
            text: format!(
                "{} {}fn {path}.{}({}) -> {}",
                access_word(k.access),
                if k.is_final { "final " } else { "" },
                k.name,
                ps.join(", "),
                k.ret
            ),
        }
    });
    let init = c.init.iter().map(|i| {
        let ps: Vec<String> = i.params.iter().map(|p| p.to_string()).collect();
        Member {
            key: "init".into(),
            usable: usable(i.access),
            fingerprint: i.fingerprint.clone(),
            text: format!("{} init {path}({})", access_word(i.access), ps.join(", ")),
        }
    });
    fields.chain(methods).chain(init).collect()
}

/// Differences between the members of two versions of a class: what other
/// modules could use breaks them when it goes or changes; the rest, and
/// every addition, is compatible (the layout is resilient, §11).
fn members(out: &mut Vec<Difference>, old: &[Member], new: &[Member]) {
    for o in old.iter().filter(|o| !new.iter().any(|n| n.key == o.key)) {
        out.push(Difference { breaking: o.usable, text: format!("removed {}", o.text) });
    }
    for n in new {
        match old.iter().find(|o| o.key == n.key) {
            None => out.push(Difference { breaking: false, text: format!("added {}", n.text) }),
            Some(o) if o.fingerprint != n.fingerprint => {
                out.push(Difference { breaking: o.usable, text: format!("changed {} (was {})", n.text, o.text) })
            }
            Some(_) => {}
        }
    }
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
            enums: Vec::new(),
            interfaces: Vec::new(),
            dependencies: Vec::new(),
            shared: true,
            fingerprint: String::new(),
        }
    }

    fn function(param: TypeRef, exported: bool, fingerprint: &str) -> Function {
        Function {
            type_params: Vec::new(),
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
