//! Module constants computed by the compiler (PyPy's `specialize.memo`):
//! a module-local `let` whose initialiser is built from literals, arrays
//! and maps of constants, other such constants and calls of `const fn`s
//! is evaluated here, and code generation places its value in the
//! object's read-only data (a map's entries: its index is built on first
//! use) — no start-up work, one copy for every thread, never traced by the
//! collector (`docs/decisions.md`).
//!
//! An array or map is a constant only when the module reads it and
//! nothing else: indexing, `len`, `for` over it, printing it, `join`; a
//! map's `contains`, `keys`. Any other use (passing it to
//! a function, `push`, storing it elsewhere) could change it, so the `let`
//! stays an ordinary variable. An evaluation that fails (overflow, an
//! index out of range, too long a computation) is a compile error at the
//! `let`, as it would have been an exception at start-up.

use crate::hir::{Arith, Cmp, Const, Expr, ExprKind, FuncId, GlobalId, LocalId, Module, Place, Stmt, Visibility};
use crate::ty::Ty;
use std::collections::{HashMap, HashSet};
use tess_abi::RuntimeFn;
use tess_syntax::{Diagnostic, Diagnostics, Span};

/// Evaluation steps (statements and calls) one constant may take.
const STEP_LIMIT: u64 = 10_000_000;
/// Nested `const fn` calls one constant may make.
const DEPTH_LIMIT: usize = 256;

/// Checks the module's `const fn`s, and turns the module-local `let`s the
/// compiler can compute into constants: their initialisers leave the init
/// entry (and the per-thread initialiser), their values go in
/// `Global::constant`.
pub fn fold(m: &mut Module, diags: &mut Diagnostics) {
    for f in 0..m.funcs.len() {
        if m.funcs[f].is_const {
            if let Err((span, why)) = check_const_fn(m, f) {
                let at = span.or(m.funcs[f].span).unwrap_or_default();
                diags
                    .push(Diagnostic::error(at, format!("`const fn {}` {why}", m.funcs[f].name)).with_hint(
                        "a `const fn` computes with numbers, strings and arrays and calls only `const fn`s",
                    ));
            }
        }
    }
    let changeable = changeable(m);
    let mut folded: HashMap<GlobalId, Const> = HashMap::new();
    let mut at = Span::default();
    let mut drop = Vec::new();
    for (i, s) in m.funcs[m.init].body.iter().enumerate() {
        match s {
            Stmt::At(span) => at = *span,
            Stmt::Assign(Place::Global(g), init) if candidate(m, *g) && supported(m, &folded, init, false).is_ok() => {
                if !value_only(&m.globals[*g].ty) && changeable.contains(g) {
                    continue;
                }
                let mut e = Eval { m, folded: &folded, steps: 0, depth: 0 };
                match e.expr(init, &mut Vec::new()) {
                    Ok(v) => {
                        folded.insert(*g, v);
                        drop.push(i);
                    }
                    Err(Stop::Fail(why)) => diags.push(
                        Diagnostic::error(at, format!("computing `{}` at compile time: {why}", m.globals[*g].name))
                            .with_hint("its initialiser is a constant expression, which the compiler evaluates"),
                    ),
                    Err(Stop::Return(_) | Stop::Break | Stop::Continue) => {}
                }
            }
            _ => {}
        }
    }
    for i in drop.into_iter().rev() {
        m.funcs[m.init].body.remove(i);
    }
    if let Some(t) = m.thread_init {
        m.funcs[t].body.retain(|s| !matches!(s, Stmt::Assign(Place::Global(g), _) if folded.contains_key(g)));
    }
    for (g, v) in folded {
        m.globals[g].constant = Some(v);
    }
}

/// A `let` of this module that no other module can reach.
fn candidate(m: &Module, g: GlobalId) -> bool {
    let g = &m.globals[g];
    !g.mutable && !g.external && !g.shared && g.visibility != Visibility::Export && constant_type(&g.ty)
}

/// The types a constant can have: maps only of `Int` or `String` keys to
/// values that are not arrays (what reading one gives cannot be changed).
fn constant_type(t: &Ty) -> bool {
    match t {
        Ty::Int | Ty::Float | Ty::Bool | Ty::Str => true,
        Ty::Array(e) => constant_type(e),
        Ty::Map(k, v) => matches!(**k, Ty::Int | Ty::Str) && value_only(v),
        _ => false,
    }
}

/// Whether a value of type `t` cannot be changed through (no array or map
/// in it).
fn value_only(t: &Ty) -> bool {
    matches!(t, Ty::Int | Ty::Float | Ty::Bool | Ty::Str)
}

/// The module's globals some code uses otherwise than reading values out
/// of them (one walk of every body; an initialiser's own assignment is
/// not such a use).
fn changeable(m: &Module) -> HashSet<GlobalId> {
    let mut out = HashSet::new();
    for func in &m.funcs {
        for s in &func.body {
            note_stmt(s, &mut out);
        }
    }
    out
}

fn note_stmt(s: &Stmt, out: &mut HashSet<GlobalId>) {
    match s {
        Stmt::ForEach { array, .. } if root(array).is_some() => {
            if !matches!(&array.ty, Ty::Array(e) if value_only(e)) {
                out.extend(root(array));
            }
            note_chain(array, out);
        }
        Stmt::ForMap { map, .. } if root(map).is_some() => note_chain(map, out),
        Stmt::Assign(place, e) => {
            match place {
                Place::Index(a, i) => {
                    // A store into an element changes it.
                    out.extend(root(a));
                    note_escapes(a, out);
                    note_escapes(i, out);
                }
                Place::Field(o, _) => note_escapes(o, out),
                Place::MapEntry(a, k) => {
                    note_escapes(a, out);
                    note_escapes(k, out);
                }
                Place::Local(_) | Place::Global(_) => {}
            }
            note_escapes(e, out);
        }
        _ => {
            for e in s.exprs() {
                note_escapes(e, out);
            }
        }
    }
    for body in s.bodies() {
        for s in body {
            note_stmt(s, out);
        }
    }
}

/// The global `e` is, or is an element of (at any depth).
fn root(e: &Expr) -> Option<GlobalId> {
    match &e.kind {
        ExprKind::Global(g) => Some(*g),
        ExprKind::Index(base, _) => root(base),
        _ => None,
    }
}

/// Notes the uses in the indices along a chain `g[i][j]`.
fn note_chain(e: &Expr, out: &mut HashSet<GlobalId>) {
    if let ExprKind::Index(base, i) = &e.kind {
        note_chain(base, out);
        note_escapes(i, out);
    }
}

/// Notes every global `e` uses otherwise than to read values out of it.
fn note_escapes(e: &Expr, out: &mut HashSet<GlobalId>) {
    match &e.kind {
        // An element read out: a value, or an array the parent consumes.
        ExprKind::Index(..) if root(e).is_some() => {
            if !value_only(&e.ty) {
                out.extend(root(e));
            }
            note_chain(e, out);
        }
        ExprKind::Len(x) | ExprKind::ToStr(x) if root(x).is_some() => note_chain(x, out),
        // A map's value read out (an optional).
        ExprKind::MapGet(m, k) if root(m).is_some() => {
            note_chain(m, out);
            note_escapes(k, out);
        }
        // Printing or joining it; a map's length, keys, a key's presence.
        ExprKind::Rt {
            func:
                RuntimeFn::ArrToString
                | RuntimeFn::StrJoin
                | RuntimeFn::MapToString
                | RuntimeFn::MapLen
                | RuntimeFn::MapKeys
                | RuntimeFn::MapContains,
            args,
        } if root(&args[0]).is_some() => {
            note_chain(&args[0], out);
            for a in &args[1..] {
                note_escapes(a, out);
            }
        }
        ExprKind::Global(g) => {
            out.insert(*g);
        }
        _ => {
            for c in e.children() {
                note_escapes(c, out);
            }
        }
    }
}

/// Whether the compiler can evaluate `e` (in a `const fn`'s body when
/// `in_fn`, where its locals are known); `Err` names what it cannot.
fn supported(m: &Module, folded: &HashMap<GlobalId, Const>, e: &Expr, in_fn: bool) -> Result<(), String> {
    if !matches!(e.ty, Ty::Int | Ty::Float | Ty::Bool | Ty::Str | Ty::Void) && !constant_type(&e.ty) {
        return Err(format!("uses a value of type {}", e.ty));
    }
    let ok = match &e.kind {
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) | ExprKind::Str(_) => true,
        ExprKind::Local(_) => in_fn,
        ExprKind::Global(g) => folded.contains_key(g),
        ExprKind::Call(f, _) => m.funcs[*f].is_const,
        ExprKind::Arith(..)
        | ExprKind::Compare(..)
        | ExprKind::Neg(_)
        | ExprKind::Not(_)
        | ExprKind::And(..)
        | ExprKind::Or(..)
        | ExprKind::Index(..)
        | ExprKind::ArrayLit(_)
        | ExprKind::MapLit(_)
        | ExprKind::Interp(_)
        | ExprKind::Len(_)
        | ExprKind::Cond(..)
        | ExprKind::ToWord(_) => true,
        ExprKind::ToStr(x) => matches!(x.ty, Ty::Int | Ty::Bool | Ty::Str),
        ExprKind::Convert(x) => matches!((&x.ty, &e.ty), (Ty::Int, Ty::Float)),
        ExprKind::Rt { func: RuntimeFn::ArrPush, .. } => true,
        _ => false,
    };
    if !ok {
        return Err(match &e.kind {
            ExprKind::Global(_) | ExprKind::Local(_) => "reads a variable".to_string(),
            ExprKind::Call(f, _) => format!("calls `{}`, which is not a `const fn`", m.funcs[*f].name),
            ExprKind::Rt { .. } => "calls a built-in function the compiler does not run".to_string(),
            _ => "uses an operation the compiler does not evaluate".to_string(),
        });
    }
    e.children().iter().try_for_each(|c| supported(m, folded, c, in_fn))
}

/// Whether the body of `const fn f` uses only what the compiler
/// evaluates; `Err` has the statement's position and what it uses.
fn check_const_fn(m: &Module, f: FuncId) -> Result<(), (Option<Span>, String)> {
    let func = &m.funcs[f];
    let types = func.locals.iter().map(|l| &l.ty).chain(std::iter::once(&func.ret));
    if let Some(t) = types.into_iter().find(|t| !matches!(t, Ty::Void) && !constant_type(t)) {
        return Err((None, format!("uses a value of type {t}")));
    }
    let mut at = None;
    let mut result = Ok(());
    Stmt::walk(&func.body, &mut |s| {
        if result.is_err() {
            return;
        }
        let stmt_ok = match s {
            Stmt::At(span) => {
                at = Some(*span);
                true
            }
            Stmt::Let(..)
            | Stmt::Expr(_)
            | Stmt::If(..)
            | Stmt::While(..)
            | Stmt::ForRange { .. }
            | Stmt::ForEach { .. }
            | Stmt::Break
            | Stmt::Continue
            | Stmt::Return(_) => true,
            Stmt::Assign(Place::Local(_), _) => true,
            Stmt::Assign(Place::Index(a, _), _) => matches!(a.kind, ExprKind::Local(_)),
            _ => false,
        };
        if !stmt_ok {
            result = Err((at, "has a statement the compiler does not evaluate".to_string()));
            return;
        }
        if let Some(why) = s.exprs().iter().find_map(|e| supported(m, &HashMap::new(), e, true).err()) {
            result = Err((at, why));
        }
    });
    result
}

/// Why evaluation stopped before a value.
enum Stop {
    Fail(String),
    Return(Const),
    Break,
    Continue,
}

type R<T> = Result<T, Stop>;

fn fail<T>(why: impl Into<String>) -> R<T> {
    Err(Stop::Fail(why.into()))
}

/// An evaluation of one constant's initialiser.
struct Eval<'m> {
    m: &'m Module,
    folded: &'m HashMap<GlobalId, Const>,
    steps: u64,
    depth: usize,
}

impl Eval<'_> {
    fn step(&mut self) -> R<()> {
        self.steps += 1;
        if self.steps > STEP_LIMIT {
            return fail(format!("it takes more than {STEP_LIMIT} steps"));
        }
        Ok(())
    }

    fn int(&mut self, e: &Expr, locals: &mut Vec<Option<Const>>) -> R<i64> {
        match self.expr(e, locals)? {
            Const::Int(i) => Ok(i),
            other => fail(format!("expected an Int, found {other:?}")),
        }
    }

    fn bool(&mut self, e: &Expr, locals: &mut Vec<Option<Const>>) -> R<bool> {
        match self.expr(e, locals)? {
            Const::Bool(b) => Ok(b),
            other => fail(format!("expected a Bool, found {other:?}")),
        }
    }

    fn expr(&mut self, e: &Expr, locals: &mut Vec<Option<Const>>) -> R<Const> {
        Ok(match &e.kind {
            ExprKind::Int(i) => Const::Int(*i),
            ExprKind::Float(x) => Const::Float(*x),
            ExprKind::Bool(b) => Const::Bool(*b),
            ExprKind::Str(s) => Const::Str(s.clone()),
            ExprKind::Local(l) => match locals.get(*l).cloned().flatten() {
                Some(v) => v,
                None => return fail("a variable is read before it is set"),
            },
            ExprKind::Global(g) => match self.folded.get(g) {
                Some(v) => v.clone(),
                None => return fail("it reads a variable"),
            },
            ExprKind::ToWord(x) => self.expr(x, locals)?,
            ExprKind::ArrayLit(items) => {
                Const::Array(items.iter().map(|i| self.expr(i, locals)).collect::<R<Vec<_>>>()?)
            }
            ExprKind::MapLit(entries) => {
                let mut out: Vec<(Const, Const)> = Vec::new();
                for (k, v) in entries {
                    let (k, v) = (self.expr(k, locals)?, self.expr(v, locals)?);
                    match out.iter_mut().find(|(old, _)| *old == k) {
                        Some(entry) => entry.1 = v,
                        None => out.push((k, v)),
                    }
                }
                Const::Map(out)
            }
            ExprKind::Index(a, i) => {
                let (a, i) = (self.expr(a, locals)?, self.int(i, locals)?);
                match a {
                    Const::Array(items) => match usize::try_from(i).ok().and_then(|i| items.get(i)) {
                        Some(v) => v.clone(),
                        None => return fail(format!("index {i} is out of bounds for length {}", items.len())),
                    },
                    _ => return fail("only arrays are indexed"),
                }
            }
            ExprKind::Len(x) => match self.expr(x, locals)? {
                Const::Array(items) => Const::Int(items.len() as i64),
                Const::Str(s) => Const::Int(s.len() as i64),
                _ => return fail("`len` of a value without one"),
            },
            ExprKind::Not(x) => Const::Bool(!self.bool(x, locals)?),
            ExprKind::And(a, b) => Const::Bool(self.bool(a, locals)? && self.bool(b, locals)?),
            ExprKind::Or(a, b) => Const::Bool(self.bool(a, locals)? || self.bool(b, locals)?),
            ExprKind::Cond(c, a, b) => {
                if self.bool(c, locals)? {
                    self.expr(a, locals)?
                } else {
                    self.expr(b, locals)?
                }
            }
            ExprKind::Neg(x) => match self.expr(x, locals)? {
                Const::Int(i) => match i.checked_neg() {
                    Some(n) => Const::Int(n),
                    None => return fail("integer overflow"),
                },
                Const::Float(f) => Const::Float(-f),
                _ => return fail("`-` of a value that is not a number"),
            },
            ExprKind::Arith(op, a, b) => {
                let (a, b) = (self.expr(a, locals)?, self.expr(b, locals)?);
                arith(*op, a, b)?
            }
            ExprKind::Compare(op, a, b) => {
                let (a, b) = (self.expr(a, locals)?, self.expr(b, locals)?);
                Const::Bool(compare(*op, &a, &b)?)
            }
            ExprKind::Convert(x) => match self.expr(x, locals)? {
                Const::Int(i) => Const::Float(i as f64),
                _ => return fail("a conversion the compiler does not evaluate"),
            },
            ExprKind::ToStr(x) => match self.expr(x, locals)? {
                Const::Int(i) => Const::Str(i.to_string()),
                Const::Bool(b) => Const::Str(b.to_string()),
                Const::Str(s) => Const::Str(s),
                _ => return fail("a value the compiler does not print"),
            },
            ExprKind::Interp(parts) => {
                let mut out = String::new();
                for p in parts {
                    match self.expr(p, locals)? {
                        Const::Str(s) => out.push_str(&s),
                        _ => return fail("interpolation of a value that is not a String"),
                    }
                }
                Const::Str(out)
            }
            ExprKind::Call(f, args) => {
                let args = args.iter().map(|a| self.expr(a, locals)).collect::<R<Vec<_>>>()?;
                self.call(*f, args)?
            }
            ExprKind::Rt { func: RuntimeFn::ArrPush, args } => {
                let (ExprKind::Local(l), Some(v)) = (&args[0].kind, args.get(1)) else {
                    return fail("`push` on a value that is not a local array");
                };
                let v = self.expr(v, locals)?;
                match locals.get_mut(*l) {
                    Some(Some(Const::Array(items))) => items.push(v),
                    _ => return fail("`push` on a value that is not a local array"),
                }
                return Ok(Const::Int(0));
            }
            _ => return fail("an operation the compiler does not evaluate"),
        })
    }

    fn call(&mut self, f: FuncId, args: Vec<Const>) -> R<Const> {
        let func = &self.m.funcs[f];
        if !func.is_const {
            return fail(format!("`{}` is not a `const fn`", func.name));
        }
        self.depth += 1;
        if self.depth > DEPTH_LIMIT {
            return fail(format!("`const fn` calls nest deeper than {DEPTH_LIMIT}"));
        }
        self.step()?;
        let mut locals: Vec<Option<Const>> = vec![None; func.locals.len()];
        for (&p, v) in func.params.iter().zip(args) {
            locals[p] = Some(v);
        }
        let result = match self.block(&func.body, &mut locals) {
            Ok(()) => Ok(Const::Int(0)),
            Err(Stop::Return(v)) => Ok(v),
            Err(Stop::Break | Stop::Continue) => fail("`break` outside a loop"),
            Err(e @ Stop::Fail(_)) => Err(e),
        };
        self.depth -= 1;
        result
    }

    fn block(&mut self, body: &[Stmt], locals: &mut Vec<Option<Const>>) -> R<()> {
        for s in body {
            self.stmt(s, locals)?;
        }
        Ok(())
    }

    /// Runs a loop body; `Ok(false)` when it broke out.
    fn iteration(&mut self, body: &[Stmt], locals: &mut Vec<Option<Const>>) -> R<bool> {
        self.step()?;
        match self.block(body, locals) {
            Ok(()) | Err(Stop::Continue) => Ok(true),
            Err(Stop::Break) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn stmt(&mut self, s: &Stmt, locals: &mut Vec<Option<Const>>) -> R<()> {
        self.step()?;
        match s {
            Stmt::At(_) => {}
            Stmt::Let(l, e) | Stmt::Assign(Place::Local(l), e) => {
                let v = self.expr(e, locals)?;
                set(locals, *l, v);
            }
            Stmt::Assign(Place::Index(a, i), e) => {
                let ExprKind::Local(l) = a.kind else { return fail("a store into a value that is not a local array") };
                let (i, v) = (self.int(i, locals)?, self.expr(e, locals)?);
                match locals.get_mut(l) {
                    Some(Some(Const::Array(items))) => match usize::try_from(i).ok().and_then(|i| items.get_mut(i)) {
                        Some(slot) => *slot = v,
                        None => return fail(format!("index {i} is out of bounds for length {}", items.len())),
                    },
                    _ => return fail("a store into a value that is not a local array"),
                }
            }
            Stmt::Expr(e) => {
                self.expr(e, locals)?;
            }
            Stmt::If(c, t, e) => {
                let branch = if self.bool(c, locals)? { t } else { e };
                self.block(branch, locals)?;
            }
            Stmt::While(c, body) => {
                while self.bool(c, locals)? {
                    if !self.iteration(body, locals)? {
                        break;
                    }
                }
            }
            Stmt::ForRange { var, lo, hi, inclusive, body } => {
                let (lo, hi) = (self.int(lo, locals)?, self.int(hi, locals)?);
                let mut i = lo;
                while i < hi || (*inclusive && i == hi) {
                    set(locals, *var, Const::Int(i));
                    if !self.iteration(body, locals)? {
                        break;
                    }
                    i += 1;
                }
            }
            Stmt::ForEach { var, array, body } => {
                let Const::Array(items) = self.expr(array, locals)? else { return fail("`for` over a non-array") };
                for item in items {
                    set(locals, *var, item);
                    if !self.iteration(body, locals)? {
                        break;
                    }
                }
            }
            Stmt::Break => return Err(Stop::Break),
            Stmt::Continue => return Err(Stop::Continue),
            Stmt::Return(e) => {
                let v = match e {
                    Some(e) => self.expr(e, locals)?,
                    None => Const::Int(0),
                };
                return Err(Stop::Return(v));
            }
            _ => return fail("a statement the compiler does not evaluate"),
        }
        Ok(())
    }
}

fn set(locals: &mut [Option<Const>], l: LocalId, v: Const) {
    if let Some(slot) = locals.get_mut(l) {
        *slot = Some(v);
    }
}

/// `a op b` as compiled code computes it: checked on `Int`, IEEE on
/// `Float`, `+` joining strings.
fn arith(op: Arith, a: Const, b: Const) -> R<Const> {
    match (a, b) {
        (Const::Int(a), Const::Int(b)) => {
            let r = match op {
                Arith::Add => a.checked_add(b),
                Arith::Sub => a.checked_sub(b),
                Arith::Mul => a.checked_mul(b),
                Arith::Div | Arith::Rem if b == 0 => return fail("division by zero"),
                Arith::Div => a.checked_div(b),
                Arith::Rem => a.checked_rem(b),
                Arith::BitAnd => Some(a & b),
                Arith::BitOr => Some(a | b),
                Arith::BitXor => Some(a ^ b),
                Arith::Shl | Arith::Shr | Arith::UShr => return fail("shifts are computed at run time"),
            };
            r.map(Const::Int).ok_or_else(|| Stop::Fail("integer overflow".into()))
        }
        (Const::Float(a), Const::Float(b)) => Ok(Const::Float(match op {
            Arith::Add => a + b,
            Arith::Sub => a - b,
            Arith::Mul => a * b,
            Arith::Div => a / b,
            _ => return fail("an operation on Float the compiler does not evaluate"),
        })),
        (Const::Str(a), Const::Str(b)) if op == Arith::Add => Ok(Const::Str(a + &b)),
        _ => fail("arithmetic on values the compiler does not evaluate"),
    }
}

fn compare(op: Cmp, a: &Const, b: &Const) -> R<bool> {
    use std::cmp::Ordering;
    let ord = match (a, b) {
        (Const::Int(a), Const::Int(b)) => a.cmp(b),
        (Const::Float(a), Const::Float(b)) => match a.partial_cmp(b) {
            Some(o) => o,
            // NaN: only `!=` holds.
            None => return Ok(op == Cmp::Ne),
        },
        (Const::Bool(a), Const::Bool(b)) if matches!(op, Cmp::Eq | Cmp::Ne) => a.cmp(b),
        (Const::Str(a), Const::Str(b)) if matches!(op, Cmp::Eq | Cmp::Ne) => a.cmp(b),
        _ => return fail("a comparison the compiler does not evaluate"),
    };
    Ok(match op {
        Cmp::Eq => ord == Ordering::Equal,
        Cmp::Ne => ord != Ordering::Equal,
        Cmp::Lt => ord == Ordering::Less,
        Cmp::Le => ord != Ordering::Greater,
        Cmp::Gt => ord == Ordering::Greater,
        Cmp::Ge => ord != Ordering::Less,
    })
}
