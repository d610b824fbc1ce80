//! Definite initialisation inside an `init` (Swift's two phases): every
//! field the class declares is set before `self` is used in any other way
//! and before `super.init(...)`; a field is never read before it is set.

/// What is known at one point of an `init` body.
#[derive(Clone, Debug)]
pub(crate) struct InitState {
    /// Own fields that must be set: (name, set on every path so far).
    pub fields: Vec<(String, bool)>,
    pub super_called: bool,
    /// The base class needs no `super.init` call (its `init` is trivial).
    pub base_trivial: bool,
}

impl InitState {
    pub fn new(fields: Vec<String>, base_trivial: bool) -> InitState {
        InitState { fields: fields.into_iter().map(|f| (f, false)).collect(), super_called: false, base_trivial }
    }

    /// Phase 2: every own field set and the base initialised.
    pub fn complete(&self) -> bool {
        self.fields.iter().all(|(_, set)| *set) && (self.super_called || self.base_trivial)
    }

    pub fn unset_fields(&self) -> Vec<&str> {
        self.fields.iter().filter(|(_, set)| !set).map(|(n, _)| n.as_str()).collect()
    }

    /// Whether `name` is an own field that still has to be set.
    pub fn is_unset(&self, name: &str) -> bool {
        self.fields.iter().any(|(n, set)| n == name && !set)
    }

    pub fn is_tracked(&self, name: &str) -> bool {
        self.fields.iter().any(|(n, _)| n == name)
    }

    pub fn set(&mut self, name: &str) {
        for (n, set) in &mut self.fields {
            if n == name {
                *set = true;
            }
        }
    }

    /// The state after two paths join: what holds on both.
    pub fn merge(&mut self, other: &InitState) {
        for ((_, a), (_, b)) in self.fields.iter_mut().zip(&other.fields) {
            *a = *a && *b;
        }
        self.super_called = self.super_called && other.super_called;
    }
}
