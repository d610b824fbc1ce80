//! `match` (LANGUAGE.md §7) lowered to HIR that already exists: the value
//! into a local, then one `if` per arm testing its pattern — an enum's
//! tag, a literal's equality, a class test — with the payload's values
//! bound by casts and field reads. An arm with a guard may fall through to
//! the next arms, so a match with guards tracks "an arm ran" in a flag;
//! one without is an `if`/`else` chain. Exhaustiveness is checked here:
//! every case of an enum, both Booleans, or `_`.

use crate::checker::Checker;
use crate::hir::{Expr, ExprKind, LocalId, Stmt};
use crate::ty::{ClassId, Ty};
use std::collections::{HashMap, HashSet};
use tess_syntax::ast::{self, BinOp};
use tess_syntax::Span;

/// What a pattern matches, as exhaustiveness counts it (only the patterns
/// of arms without a guard are added up).
#[derive(Default)]
struct Coverage {
    /// Every value: `_`, a bare name, `c: C` for the value's class.
    all: bool,
    /// Enum cases, by name.
    cases: HashSet<String>,
    /// `false` and `true`.
    bools: [bool; 2],
}

impl Coverage {
    fn all() -> Coverage {
        Coverage { all: true, ..Coverage::default() }
    }

    fn add(&mut self, other: Coverage) {
        self.all |= other.all;
        self.cases.extend(other.cases);
        self.bools[0] |= other.bools[0];
        self.bools[1] |= other.bools[1];
    }
}

/// A pattern checked: what it tests of the value (`None`: everything),
/// the locals it binds, and what it covers.
type Tested = (Option<Expr>, Vec<Stmt>, Coverage);

/// One arm, checked: what it tests (`None`: everything), what it binds,
/// its guard and its body.
struct Arm {
    test: Option<Expr>,
    binds: Vec<Stmt>,
    guard: Option<Expr>,
    body: Vec<Stmt>,
}

impl Checker<'_> {
    pub(crate) fn match_stmt(
        &mut self,
        scrutinee: &ast::Expr,
        arms: &[ast::MatchArm],
        span: Span,
        out: &mut Vec<Stmt>,
    ) {
        let value = self.expr(scrutinee, None);
        let ty = value.ty.clone();
        let subject = self.new_local("$match", ty.clone());
        out.push(Stmt::Let(subject, Box::new(value)));
        let enum_class = match &ty {
            Ty::Class(c, _) if self.enum_of(*c).is_some() => Some(*c),
            _ => None,
        };
        let mut covered = Coverage::default();
        let mut checked = Vec::new();
        for arm in arms {
            let before = self.body.init_state.clone();
            self.body.scopes.push(HashMap::new());
            let (test, binds, covers) = self.pattern(&arm.pattern, subject, &ty, enum_class);
            let guard = arm.guard.as_ref().map(|g| self.condition(g));
            if guard.is_none() {
                covered.add(covers);
            }
            let mut body = Vec::new();
            self.block(&arm.body, &mut body);
            self.body.scopes.pop();
            if let (Some(state), Some(before)) = (&mut self.body.init_state, before) {
                *state = before;
            }
            checked.push(Arm { test, binds, guard, body });
        }
        let exhaustive = covered.all
            || (ty == Ty::Bool && covered.bools == [true, true])
            || ty == Ty::Error
            || enum_class.is_some_and(|c| {
                self.enum_of(c).is_some_and(|info| info.cases.iter().all(|k| covered.cases.contains(&k.name)))
            });
        if !exhaustive {
            self.report_missing(&ty, enum_class, &covered, span);
        } else if let (false, Some(c)) = (covered.all, enum_class) {
            // Exhaustive by listing every case: a case added to another
            // module's enum must not reach this code compiled without it.
            self.note_all_cases(c);
        }
        out.extend(lower(checked, exhaustive, self));
    }

    fn report_missing(&mut self, ty: &Ty, enum_class: Option<ClassId>, covered: &Coverage, span: Span) {
        let missing: Vec<String> = match (enum_class, ty) {
            (Some(c), _) => {
                let name = self.classes[c].name.clone();
                let cases = self.enum_of(c).map(|i| i.cases.clone()).unwrap_or_default();
                cases
                    .iter()
                    .filter(|k| !covered.cases.contains(&k.name))
                    .map(|k| format!("`{name}.{}`", k.name))
                    .collect()
            }
            (None, Ty::Bool) => {
                [false, true].iter().filter(|b| !covered.bools[usize::from(**b)]).map(|b| format!("`{b}`")).collect()
            }
            _ => vec!["`_`".to_string()],
        };
        let (head, hint) = if enum_class.is_some() || *ty == Ty::Bool {
            (format!("missing {}", missing.join(", ")), "add an arm for each, or `_ => ...` for the rest")
        } else {
            (format!("a value of type {ty} needs a `_` arm"), "add `_ => ...` as the last arm")
        };
        self.error_hint(span, format!("`match` is not exhaustive: {head}"), hint);
    }

    /// What a pattern tests of the value in `subject`, the locals it
    /// binds (in the arm's scope, already pushed) and what it covers.
    fn pattern(&mut self, p: &ast::Pattern, subject: LocalId, ty: &Ty, enum_class: Option<ClassId>) -> Tested {
        let value = || Expr::new(ExprKind::Local(subject), ty.clone());
        match p {
            ast::Pattern::Wildcard(_) => (None, Vec::new(), Coverage::all()),
            ast::Pattern::Or(ps, _) => {
                let mut test: Option<Expr> = None;
                let mut always = false;
                let mut covers = Coverage::default();
                for p in ps {
                    let (t, binds, c) = self.pattern(p, subject, ty, enum_class);
                    covers.add(c);
                    if !binds.is_empty() {
                        self.error_hint(
                            p.span(),
                            "alternatives joined by `|` cannot bind names",
                            "write an arm of its own for each alternative that binds, or bind `_`",
                        );
                    }
                    match t {
                        None => always = true,
                        Some(t) => {
                            test = Some(match test {
                                None => t,
                                Some(prev) => Expr::new(ExprKind::Or(Box::new(prev), Box::new(t)), Ty::Bool),
                            })
                        }
                    }
                }
                (if always { None } else { test }, Vec::new(), covers)
            }
            ast::Pattern::Literal(e) => {
                if !matches!(ty, Ty::Int | Ty::Int32 | Ty::Str | Ty::Bool | Ty::Error) {
                    self.error_hint(
                        e.span,
                        format!("a literal pattern cannot match a value of type {ty}"),
                        "literals match `Int`, `String` and `Bool` values",
                    );
                    return (None, Vec::new(), Coverage::default());
                }
                let mut covers = Coverage::default();
                if let ast::ExprKind::Bool(b) = e.kind {
                    covers.bools[usize::from(b)] = true;
                }
                let lit = self.expr(e, Some(ty));
                let lit = self.coerce(lit, ty, e.span);
                (Some(self.binary_typed(BinOp::Eq, value(), lit, e.span)), Vec::new(), covers)
            }
            ast::Pattern::Type { name, ty: t, span } => {
                let target = self.resolve_type(t);
                let (Ty::Class(want, _), Ty::Class(have, _)) = (&target, ty) else {
                    if !matches!(target, Ty::Error) && *ty != Ty::Error {
                        self.error_hint(
                            *span,
                            format!("a class pattern cannot match a value of type {ty}"),
                            "`name: Class` matches class instances",
                        );
                    }
                    return (None, Vec::new(), Coverage::default());
                };
                let (want, have) = (*want, *have);
                if !self.is_subclass(want, have) && !self.is_subclass(have, want) {
                    self.error_hint(
                        t.span(),
                        format!("a {ty} is never a {target}"),
                        "match a subclass of the value's class",
                    );
                }
                self.note_class(want);
                let test = Expr::new(ExprKind::InstanceOf(Box::new(value()), want), Ty::Bool);
                let cast = Expr::new(
                    ExprKind::Cast { value: Box::new(value()), class: want, optional: false },
                    target.clone(),
                );
                let var = self.bind_local(name, target, false);
                let covers = Coverage { all: self.is_subclass(have, want), ..Coverage::default() };
                (Some(test), vec![Stmt::Let(var, Box::new(cast))], covers)
            }
            ast::Pattern::Case { path, bindings: None, span } if path.len() == 1 => {
                let name = &path[0];
                let info = enum_class.and_then(|c| self.enum_of(c)).cloned();
                if let (Some(class), Some(info)) = (enum_class, info) {
                    if info.cases.iter().any(|k| k.name == name.name) {
                        let e = self.classes[class].name.clone();
                        self.error_hint(
                            *span,
                            format!(
                                "`{}` here binds the value to a new name, it is not the case `{e}.{}`",
                                name.name, name.name
                            ),
                            format!("write the case with its enum: `{e}.{}`", name.name),
                        );
                    }
                }
                let var = self.bind_local(name, ty.clone(), false);
                (None, vec![Stmt::Let(var, Box::new(value()))], Coverage::all())
            }
            ast::Pattern::Case { path, bindings, span } => {
                let Some(class) = enum_class else {
                    self.bind_erroneous(bindings.as_deref());
                    if *ty != Ty::Error {
                        self.error_hint(
                            *span,
                            format!("a case pattern cannot match a value of type {ty}"),
                            "enum cases match values of their enum",
                        );
                    }
                    return (None, Vec::new(), Coverage::default());
                };
                self.case_pattern(path, bindings.as_deref(), *span, value(), class)
            }
        }
    }

    /// The names of a pattern in error, bound with no type so that their
    /// uses report nothing more.
    fn bind_erroneous(&mut self, names: Option<&[ast::Ident]>) {
        for n in names.unwrap_or(&[]) {
            self.bind_local(n, Ty::Error, false);
        }
    }

    fn case_pattern(
        &mut self,
        path: &[ast::Ident],
        bindings: Option<&[ast::Ident]>,
        span: Span,
        value: Expr,
        class: ClassId,
    ) -> Tested {
        let enum_name = self.classes[class].name.clone();
        let case = &path[path.len() - 1];
        let written = path[..path.len() - 1].iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".");
        let qualified = self.classes[class].imported_from.as_ref().map(|m| format!("{m}.{enum_name}"));
        if path.len() < 2 || (written != enum_name && Some(&written) != qualified.as_ref()) {
            self.error_hint(
                span,
                format!(
                    "`{}` is not a case of `{enum_name}`",
                    path.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(".")
                ),
                format!("write the case with its enum: `{enum_name}.{}`", case.name),
            );
            self.bind_erroneous(bindings);
            return (None, Vec::new(), Coverage::default());
        }
        let Some((tag, info)) = self.find_case(class, case) else {
            self.bind_erroneous(bindings);
            return (None, Vec::new(), Coverage::default());
        };
        let covers = Coverage { cases: HashSet::from([case.name.clone()]), ..Coverage::default() };
        let test = self.binary_typed(
            BinOp::Eq,
            self.tag_of(value.clone(), class),
            Expr::new(ExprKind::Int(tag as i64), Ty::Int),
            span,
        );
        let payload = info.payload;
        let names = bindings.unwrap_or(&[]);
        let expected = payload.as_ref().map_or(0, Vec::len);
        if bindings.is_some() && names.len() != expected {
            self.error_hint(
                span,
                format!(
                    "`{enum_name}.{}` has {expected} payload value(s), the pattern binds {}",
                    case.name,
                    names.len()
                ),
                match &payload {
                    Some(p) => format!("bind each of ({}), or `_` for one you do not need", p.join(", ")),
                    None => format!("write `{enum_name}.{}` without parentheses", case.name),
                },
            );
            self.bind_erroneous(bindings);
            return (Some(test), Vec::new(), covers);
        }
        let mut binds = Vec::new();
        self.note_case(class, tag);
        if let (Some(fields), Some(case_class)) = (&payload, self.case_class_of(class, &case.name)) {
            let case_ty = self.class_ty(case_class);
            let cast =
                Expr::new(ExprKind::Cast { value: Box::new(value), class: case_class, optional: false }, case_ty);
            for (name, field) in names.iter().zip(fields) {
                if name.name == "_" {
                    continue;
                }
                let Some(f) = self.classes[case_class].fields.iter().find(|f| &f.name == field) else { continue };
                let (fty, offset) = (f.ty.clone(), f.offset.clone());
                let read = Expr::new(ExprKind::Field(Box::new(cast.clone()), offset), fty.clone());
                let var = self.bind_local(name, fty, false);
                binds.push(Stmt::Let(var, Box::new(read)));
            }
        }
        (Some(test), binds, covers)
    }
}

/// The checked arms as statements. Without guards: an `if`/`else` chain
/// whose last arm, when the match is exhaustive, needs no test. With
/// guards: each arm runs only if no arm before it did (`flag`).
fn lower(arms: Vec<Arm>, exhaustive: bool, c: &mut Checker) -> Vec<Stmt> {
    let guarded = arms.iter().any(|a| a.guard.is_some());
    if !guarded {
        let mut rest: Vec<Stmt> = Vec::new();
        let count = arms.len();
        for (i, arm) in arms.into_iter().enumerate().rev() {
            let mut then = arm.binds;
            then.extend(arm.body);
            rest = match arm.test {
                Some(_) if exhaustive && i + 1 == count => then,
                Some(test) => vec![Stmt::If(Box::new(test), then, rest)],
                None => then,
            };
        }
        return rest;
    }
    let flag = c.new_local("$matched", Ty::Bool);
    let read = || Expr::new(ExprKind::Local(flag), Ty::Bool);
    let mut out = vec![Stmt::Let(flag, Box::new(Expr::new(ExprKind::Bool(false), Ty::Bool)))];
    for arm in arms {
        let mut body =
            vec![Stmt::Assign(crate::hir::Place::Local(flag), Box::new(Expr::new(ExprKind::Bool(true), Ty::Bool)))];
        body.extend(arm.body);
        let mut then = arm.binds;
        match arm.guard {
            Some(g) => then.push(Stmt::If(Box::new(g), body, Vec::new())),
            None => then.extend(body),
        }
        let not_yet = Expr::new(ExprKind::Not(Box::new(read())), Ty::Bool);
        let test = match arm.test {
            Some(t) => Expr::new(ExprKind::And(Box::new(not_yet), Box::new(t)), Ty::Bool),
            None => not_yet,
        };
        out.push(Stmt::If(Box::new(test), then, Vec::new()));
    }
    out
}
