//! What the translator knows of a body's `Int` values, so that it leaves
//! out checks that cannot fail: the range of every local that is never
//! reassigned (from literals, parameters of an inlined call, loop bounds,
//! array lengths, arithmetic on them, and the conditions of the `if`s
//! around), which counted loops index an array below its length, and
//! which elements were just checked. A check is left out only when it
//! provably never fires, so `Int` overflow and bounds errors stay exactly
//! where the language says they happen.

use super::Translator;
use cranelift_codegen::ir::{Block, Value};
use cranelift_module::Module;
use std::collections::HashMap;
use tess_abi::layout;
use tess_sema::hir::{self, Arith, Cmp, Expr, ExprKind, LocalId, Place, Stmt};
use tess_sema::ty::Ty;

/// Element accesses known to be within bounds at the current point:
/// `(array, index)` values checked earlier in this straight line of
/// blocks (each entered only from the one before, and each checked, when
/// left or asked, to hold no call) — only a call can change an array's
/// length (`resizes.rs`).
#[derive(Default)]
pub(super) struct CheckedElements {
    block: Option<Block>,
    pairs: Vec<(Value, Value)>,
}

/// How many checked accesses [`CheckedElements`] remembers.
const CHECKED_ELEMENTS: usize = 16;

/// Inclusive bounds of an `Int` value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct Range {
    pub lo: i64,
    pub hi: i64,
}

impl Range {
    pub const ANY: Range = Range { lo: i64::MIN, hi: i64::MAX };

    /// The values of `lo..=hi` an `Int` can hold: those a computation
    /// that did not throw can give.
    fn clamp(lo: i128, hi: i128) -> Range {
        let fit = |v: i128| v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
        Range { lo: fit(lo), hi: fit(hi) }
    }

    /// `lo..=hi` when every value fits in an `Int`.
    fn exact(lo: i128, hi: i128) -> Option<Range> {
        let r = Range::clamp(lo, hi);
        (i128::from(r.lo) == lo && i128::from(r.hi) == hi).then_some(r)
    }

    fn excludes(self, v: i64) -> bool {
        v < self.lo || v > self.hi
    }
}

/// How deep [`Translator::range_of`] looks into an expression (it is
/// asked at every arithmetic node, so its work stays linear).
const DEPTH: u32 = 6;

/// What is known in one body (a function, or a callee inlined into it).
#[derive(Default)]
pub(super) struct Facts {
    /// Locals a statement assigns (besides their `let`): nothing is
    /// known of them.
    assigned: Vec<bool>,
    ranges: HashMap<LocalId, Range>,
    /// `n` → `a` after `let n = a.len`: true while no code that may
    /// resize an array (`resizes.rs`) has run since.
    len_of: HashMap<LocalId, LocalId>,
    /// Loop index `i` → array `a`, with `0 <= i < a.len` in the loop's body.
    index_of: HashMap<LocalId, LocalId>,
    /// Ranges narrowed by a condition for the rest of a statement list,
    /// with what each was before (undone when the list ends).
    narrowed: Vec<Narrowed>,
}

/// What a condition says of one local: its narrower range.
pub(super) type Implied = Option<(LocalId, Range)>;

/// A local's range before a condition narrowed it.
pub(super) struct Narrowed {
    local: LocalId,
    before: Option<Range>,
}

impl Facts {
    /// Nothing known yet of `func`'s locals, but which ones a statement
    /// reassigns (those stay unknown).
    pub fn new(func: &hir::Func, body: &[Stmt]) -> Facts {
        let mut assigned = vec![false; func.locals.len()];
        Stmt::walk(body, &mut |s| match s {
            Stmt::Assign(Place::Local(l), _) => assigned[*l] = true,
            Stmt::SharedUpdate { old, .. } => assigned[*old] = true,
            _ => {}
        });
        Facts { assigned, ..Facts::default() }
    }

    fn fixed(&self, l: LocalId) -> bool {
        !self.assigned.get(l).copied().unwrap_or(true)
    }
}

/// The values `e` may have, looking `depth` levels deep.
fn range(facts: &Facts, e: &Expr, depth: u32) -> Range {
    if e.ty != Ty::Int || depth == 0 {
        return Range::ANY;
    }
    match &e.kind {
        ExprKind::Int(v) => Range { lo: *v, hi: *v },
        ExprKind::Local(l) => facts.ranges.get(l).copied().unwrap_or(Range::ANY),
        ExprKind::Len(a) if matches!(a.ty, Ty::Array(_)) => Range { lo: 0, hi: layout::array::MAX_LEN as i64 },
        ExprKind::Len(_) => Range { lo: 0, hi: i64::MAX },
        ExprKind::Arith(op, a, b) => result(*op, range(facts, a, depth - 1), range(facts, b, depth - 1)),
        _ => Range::ANY,
    }
}

/// The corners of `x op y` over two ranges, as exact integers.
fn corners(x: Range, y: Range, f: impl Fn(i128, i128) -> i128) -> (i128, i128) {
    let v = [
        f(x.lo.into(), y.lo.into()),
        f(x.lo.into(), y.hi.into()),
        f(x.hi.into(), y.lo.into()),
        f(x.hi.into(), y.hi.into()),
    ];
    (v.into_iter().min().unwrap_or(0), v.into_iter().max().unwrap_or(0))
}

/// The exact values of `x op y` before any overflow check, for the
/// operators that can overflow.
fn unchecked(op: Arith, x: Range, y: Range) -> Option<(i128, i128)> {
    let (xl, xh, yl, yh) = (i128::from(x.lo), i128::from(x.hi), i128::from(y.lo), i128::from(y.hi));
    match op {
        Arith::Add => Some((xl + yl, xh + yh)),
        Arith::Sub => Some((xl - yh, xh - yl)),
        Arith::Mul => Some(corners(x, y, |a, b| a * b)),
        _ => None,
    }
}

/// The values `x op y` gives when it does not throw.
fn result(op: Arith, x: Range, y: Range) -> Range {
    if let Some((lo, hi)) = unchecked(op, x, y) {
        return Range::clamp(lo, hi);
    }
    match op {
        // Truncating division is monotonic in each operand while the
        // divisor keeps its sign.
        Arith::Div if y.excludes(0) => {
            let (lo, hi) = corners(x, y, |a, b| a / b);
            Range::clamp(lo, hi)
        }
        Arith::Rem if y.lo > 0 => {
            let m = y.hi - 1;
            if x.lo >= 0 {
                Range { lo: 0, hi: x.hi.min(m) }
            } else if x.hi <= 0 {
                Range { lo: x.lo.max(-m), hi: 0 }
            } else {
                Range { lo: -m, hi: m }
            }
        }
        Arith::BitAnd if x.lo >= 0 || y.lo >= 0 => {
            let hi = match (x.lo >= 0, y.lo >= 0) {
                (true, true) => x.hi.min(y.hi),
                (true, false) => x.hi,
                _ => y.hi,
            };
            Range { lo: 0, hi }
        }
        _ => Range::ANY,
    }
}

/// Which checks `x op y` on `Int`s needs, given its operands' ranges.
#[derive(Clone, Copy)]
pub(super) struct Checks {
    /// The result may not fit (`+ - *`), or `MIN / -1`.
    pub overflow: bool,
    /// The divisor may be zero.
    pub zero: bool,
    /// The divisor may be -1 (`MIN % -1` must not reach the hardware).
    pub minus_one: bool,
}

impl Checks {
    pub const ALL: Checks = Checks { overflow: true, zero: true, minus_one: true };

    pub fn of(op: Arith, x: Range, y: Range) -> Checks {
        let overflow = match unchecked(op, x, y) {
            Some((lo, hi)) => Range::exact(lo, hi).is_none(),
            None => op == Arith::Div && !(x.excludes(i64::MIN) || y.excludes(-1)),
        };
        Checks { overflow, zero: !y.excludes(0), minus_one: !y.excludes(-1) }
    }
}

impl<'h, M: Module> Translator<'_, '_, 'h, M> {
    /// The values `e` (an `Int`) may have here.
    pub(super) fn range_of(&self, e: &Expr) -> Range {
        range(&self.body.facts, e, DEPTH)
    }

    /// The checks `a op b` needs (all of them, but for `Int`s whose ranges
    /// rule some out).
    pub(super) fn checks(&self, op: Arith, a: &Expr, b: &Expr) -> Checks {
        if a.ty != Ty::Int {
            return Checks::ALL;
        }
        Checks::of(op, self.range_of(a), self.range_of(b))
    }

    /// Records what `let l = e` makes known.
    pub(super) fn note_let(&mut self, l: LocalId, e: &Expr) {
        if !self.body.facts.fixed(l) {
            return;
        }
        let r = self.range_of(e);
        if r != Range::ANY {
            self.body.facts.ranges.insert(l, r);
        }
        if let ExprKind::Len(a) = &e.kind {
            if let (ExprKind::Local(a), Ty::Array(_)) = (&a.kind, &a.ty) {
                if self.body.facts.fixed(*a) {
                    self.body.facts.len_of.insert(l, *a);
                }
            }
        }
    }

    /// Records the ranges of an inlined callee's parameters (its
    /// arguments' ranges in the caller).
    pub(super) fn note_params(&mut self, ranges: &[Range]) {
        let params = &self.body.func.params;
        for (&p, &r) in params.iter().zip(ranges) {
            if r != Range::ANY && self.body.facts.fixed(p) {
                self.body.facts.ranges.insert(p, r);
            }
        }
    }

    /// Before statement `s`: lengths known from `let n = a.len` stay known
    /// only if `s` cannot resize an array.
    pub(super) fn forget_lengths_before(&mut self, s: &Stmt) {
        if !self.body.facts.len_of.is_empty() && !self.leaves_lengths(std::slice::from_ref(s)) {
            self.body.facts.len_of.clear();
        }
    }

    /// Whether running `ss` cannot change any array's length.
    fn leaves_lengths(&mut self, ss: &[Stmt]) -> bool {
        let mut calls = Vec::new();
        crate::resizes::stmts(ss, &mut calls) && calls.into_iter().all(|f| !self.mg.may_resize(f))
    }

    /// What `for var in lo..hi` (`..=` when `inclusive`) makes known in
    /// its body: `var`'s range, and which array it indexes within bounds
    /// (when `hi` is that array's length and the body cannot resize
    /// arrays). Undone by [`Self::forget_loop`].
    pub(super) fn note_loop(&mut self, var: LocalId, lo: &Expr, hi: &Expr, inclusive: bool, body: &[Stmt]) {
        if !self.body.facts.fixed(var) {
            return;
        }
        let (lo_r, hi_r) = (self.range_of(lo), self.range_of(hi));
        let last = if inclusive { hi_r.hi } else { hi_r.hi.saturating_sub(1) };
        if lo_r.lo <= last && Range::ANY != (Range { lo: lo_r.lo, hi: last }) {
            self.body.facts.ranges.insert(var, Range { lo: lo_r.lo, hi: last });
        }
        if inclusive || lo_r.lo < 0 {
            return;
        }
        let array = match &hi.kind {
            ExprKind::Local(n) => self.body.facts.len_of.get(n).copied(),
            ExprKind::Len(a) => match (&a.kind, &a.ty) {
                (ExprKind::Local(a), Ty::Array(_)) if self.body.facts.fixed(*a) && self.leaves_lengths(body) => {
                    Some(*a)
                }
                _ => None,
            },
            _ => None,
        };
        // A length known from a `let` is still true here only if this
        // loop cannot resize (`forget_lengths_before` ran for it).
        if let Some(a) = array {
            self.body.facts.index_of.insert(var, a);
        }
    }

    /// Leaves the body of the loop of [`Self::note_loop`].
    pub(super) fn forget_loop(&mut self, var: LocalId) {
        self.body.facts.ranges.remove(&var);
        self.body.facts.index_of.remove(&var);
    }

    /// What `cond` being true (or, with `holds` false, false) says of an
    /// `Int` local compared with something of known range.
    pub(super) fn implied(&self, cond: &Expr, holds: bool) -> Implied {
        let ExprKind::Compare(op, a, b) = &cond.kind else { return None };
        let (l, other, op) = match (&a.kind, &b.kind) {
            (ExprKind::Local(l), _) => (*l, b, *op),
            (_, ExprKind::Local(l)) => (*l, a, flipped(*op)),
            _ => return None,
        };
        if a.ty != Ty::Int || !self.body.facts.fixed(l) {
            return None;
        }
        let op = if holds { op } else { negated(op) };
        let o = self.range_of(other);
        let (lo, hi) = match op {
            Cmp::Lt => (i64::MIN, o.hi.checked_sub(1)?),
            Cmp::Le => (i64::MIN, o.hi),
            Cmp::Gt => (o.lo.checked_add(1)?, i64::MAX),
            Cmp::Ge => (o.lo, i64::MAX),
            Cmp::Eq => (o.lo, o.hi),
            Cmp::Ne => return None,
        };
        let now = self.body.facts.ranges.get(&l).copied().unwrap_or(Range::ANY);
        let r = Range { lo: lo.max(now.lo), hi: hi.min(now.hi) };
        (r.lo <= r.hi && r != now).then_some((l, r))
    }

    /// Narrows a local's range (from [`Self::implied`]); [`Self::widen`]
    /// undoes it.
    pub(super) fn narrow(&mut self, fact: Implied) -> Option<Narrowed> {
        let (local, r) = fact?;
        Some(Narrowed { local, before: self.body.facts.ranges.insert(local, r) })
    }

    pub(super) fn widen(&mut self, n: Option<Narrowed>) {
        let Some(n) = n else { return };
        match n.before {
            Some(r) => self.body.facts.ranges.insert(n.local, r),
            None => self.body.facts.ranges.remove(&n.local),
        };
    }

    /// Narrows a local for the rest of the statement list being
    /// translated (after `if cond { return }`, `cond` is false).
    pub(super) fn narrow_rest(&mut self, fact: Implied) {
        if let Some(n) = self.narrow(fact) {
            self.body.facts.narrowed.push(n);
        }
    }

    /// How many narrowings a statement list started with.
    pub(super) fn narrowed_mark(&self) -> usize {
        self.body.facts.narrowed.len()
    }

    /// Undoes the narrowings since `mark`, when a statement list ends.
    pub(super) fn widen_to(&mut self, mark: usize) {
        while self.body.facts.narrowed.len() > mark {
            let n = self.body.facts.narrowed.pop();
            self.widen(n);
        }
    }

    /// Whether element `idx` of `arr` was checked earlier in this straight
    /// line of code.
    pub(super) fn element_checked(&self, arr: Value, idx: Value) -> bool {
        let c = &self.checked_elements;
        c.block.is_some_and(|b| Some(b) == self.b.current_block() && !self.calls_in(b)) && c.pairs.contains(&(arr, idx))
    }

    /// Records that element `idx` of `arr` was just checked (the current
    /// block is the check's continuation).
    pub(super) fn note_element_checked(&mut self, arr: Value, idx: Value) {
        let c = &mut self.checked_elements;
        if c.block != self.b.current_block() {
            c.pairs.clear();
        }
        c.block = self.b.current_block();
        if c.pairs.len() == CHECKED_ELEMENTS {
            c.pairs.remove(0);
        }
        c.pairs.push((arr, idx));
    }

    /// A check branched from `from` to its continuation `to`, entered only
    /// from `from`: what held in `from` holds in `to`, unless `from` made
    /// a call.
    pub(super) fn carry_checked(&mut self, from: Option<Block>, to: Block) {
        if from.is_some_and(|b| self.checked_elements.block == Some(b) && !self.calls_in(b)) {
            self.checked_elements.block = Some(to);
        }
    }

    /// Whether `array[index]` is known to be within bounds.
    pub(super) fn in_bounds(&self, array: &Expr, index: &Expr) -> bool {
        match (&array.kind, &index.kind) {
            (ExprKind::Local(a), ExprKind::Local(i)) => self.body.facts.index_of.get(i) == Some(a),
            _ => false,
        }
    }
}

/// `a op b` as `b op' a`.
fn flipped(op: Cmp) -> Cmp {
    match op {
        Cmp::Lt => Cmp::Gt,
        Cmp::Le => Cmp::Ge,
        Cmp::Gt => Cmp::Lt,
        Cmp::Ge => Cmp::Le,
        other => other,
    }
}

/// `!(a op b)` as `a op' b`, for `Int`s.
fn negated(op: Cmp) -> Cmp {
    match op {
        Cmp::Lt => Cmp::Ge,
        Cmp::Le => Cmp::Gt,
        Cmp::Gt => Cmp::Le,
        Cmp::Ge => Cmp::Lt,
        Cmp::Eq => Cmp::Ne,
        Cmp::Ne => Cmp::Eq,
    }
}
