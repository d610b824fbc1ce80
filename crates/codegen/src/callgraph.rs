//! A property that spreads from callees to callers over the module's
//! direct calls: "may collect" (`collects.rs`), "may resize an array"
//! (`resizes.rs`).

use std::collections::VecDeque;
use tess_sema::hir::{Func, FuncId, Module};

/// The functions for which `own` holds (it is given each function and
/// pushes the module's functions that one calls), and every function
/// that calls a marked one, however indirectly.
pub fn marked_with_callers(m: &Module, mut own: impl FnMut(FuncId, &Func, &mut Vec<FuncId>) -> bool) -> Vec<bool> {
    let mut marked = vec![false; m.funcs.len()];
    let mut callers: Vec<Vec<FuncId>> = vec![Vec::new(); m.funcs.len()];
    let mut queue = VecDeque::new();
    for (f, func) in m.funcs.iter().enumerate() {
        let mut calls = Vec::new();
        let marks = own(f, func, &mut calls);
        for callee in calls {
            callers[callee].push(f);
        }
        if marks {
            marked[f] = true;
            queue.push_back(f);
        }
    }
    while let Some(f) = queue.pop_front() {
        for &caller in &callers[f] {
            if !marked[caller] {
                marked[caller] = true;
                queue.push_back(caller);
            }
        }
    }
    marked
}
