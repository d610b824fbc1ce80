//! "Did you mean": the closest known name to a misspelt one, by edit
//! distance (rustc's rule: at most a third of the name's length, and at
//! least one edit).

use crate::checker::Checker;
use crate::ty::ClassId;
use tess_syntax::Span;

/// Edit distance between two short names, a swap of two neighbours
/// counting as one edit (`goe` is one from `geo`).
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The candidate closest to `name`, if one is close enough.
pub(crate) fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name && !c.starts_with('$') && !c.starts_with('<'))
        .map(|c| (distance(&name.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

impl Checker<'_> {
    /// "cannot find `n`", with what it may have meant; nothing for a name
    /// imported from a module already reported missing.
    pub(crate) fn report_unknown_name(&mut self, name: &str, span: Span) {
        if self.missing_names.contains(name) {
            return;
        }
        let msg = format!("cannot find `{name}` in this scope");
        match self.unknown_name_hint(name) {
            Some(hint) => self.error_hint(span, msg, hint),
            None => self.error(span, msg),
        }
    }

    /// The hint for a name found nowhere: a member of `self` of that name,
    /// else the closest name in scope.
    pub(crate) fn unknown_name_hint(&self, name: &str) -> Option<String> {
        let other_language = match name {
            "null" | "None" | "NULL" | "nullptr" => Some("Tessera writes `nil`"),
            "this" => Some("Tessera writes `self`"),
            "True" | "False" => Some("Tessera writes `true` and `false`"),
            "len" => Some("`len` is a property: `xs.len`, `s.len`"),
            _ => None,
        };
        if let Some(hint) = other_language {
            return Some(hint.to_string());
        }
        if let Some(class) = self.body.self_class {
            if self.find_field(class, name).is_some() || self.find_method(class, name).is_some() {
                return Some(format!("did you mean `self.{name}`? members are reached through `self.`"));
            }
        }
        let locals = self.body.scopes.iter().flat_map(|s| s.keys().map(String::as_str));
        let globals = self.global_names.keys().map(String::as_str);
        let funcs = self.fn_names.keys().filter(|n| !n.contains('.')).map(String::as_str);
        let classes = self.class_names.keys().filter(|n| !n.contains('.')).map(String::as_str);
        let modules = self.modules.keys().map(String::as_str);
        let builtins = crate::builtins::function_names().iter().copied();
        let all = locals.chain(globals).chain(funcs).chain(classes).chain(modules).chain(builtins);
        closest(name, all).map(|c| format!("did you mean `{c}`?"))
    }

    /// The closest field or method name of `class` (and its ancestors).
    pub(crate) fn member_suggestion(&self, class: ClassId, name: &str) -> Option<String> {
        let mut names: Vec<&str> = Vec::new();
        for c in self.ancestors(class) {
            names.extend(self.class_info[c].fields.keys().map(String::as_str));
            names.extend(self.class_info[c].methods.keys().map(String::as_str));
        }
        closest(name, names).map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_only() {
        assert_eq!(closest("cout", ["count", "total"]), Some("count"));
        assert_eq!(closest("lenght", ["length", "len"]), Some("length"));
        assert_eq!(closest("x", ["y"]), Some("y"));
        assert_eq!(closest("total", ["count"]), None);
        assert_eq!(closest("Point", ["point"]), Some("point"));
        assert_eq!(closest("goe", ["geo", "gl"]), Some("geo"));
    }
}
