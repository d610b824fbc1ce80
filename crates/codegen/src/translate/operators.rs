//! Operators: checked integer and IEEE arithmetic, comparisons (strings
//! through the runtime), logic, conversions and math built-ins.

use super::facts::Checks;
use super::{Raise, Translator, R};
use crate::abi::clif_type;
use crate::CodegenError;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, Type, Value};
use cranelift_module::Module;
use tess_abi::RuntimeFn;
use tess_sema::hir::{Arith, Cmp, Expr, ExprKind, MathFn};
use tess_sema::ty::Ty;

impl<'h, M: Module> Translator<'_, '_, 'h, M> {
    /// Arithmetic, comparisons, logic, conversions and math built-ins.
    pub(super) fn operator_expr(&mut self, e: &'h Expr) -> R<Option<Value>> {
        let v = match &e.kind {
            ExprKind::Arith(op, a, b) => {
                let checks = self.checks(*op, a, b);
                let x = self.value(a)?;
                let y = self.value(b)?;
                self.arith_with(*op, x, y, &a.ty, checks)?
            }
            ExprKind::Compare(op, a, b) => {
                let x = self.value(a)?;
                let y = self.value(b)?;
                self.compare(*op, x, y, &a.ty)?
            }
            ExprKind::Neg(a) => {
                let x = self.value(a)?;
                if a.ty == Ty::Float {
                    self.b.ins().fneg(x)
                } else {
                    let t = self.b.func.dfg.value_type(x);
                    let zero = self.b.ins().iconst(t, 0);
                    let (r, of) = self.b.ins().ssub_overflow(zero, x);
                    self.raise_if(of, Raise::Overflow, &[])?;
                    r
                }
            }
            ExprKind::Not(a) => {
                let x = self.value(a)?;
                self.b.ins().bxor_imm_u(x, 1)
            }
            ExprKind::BitNot(a) => {
                let x = self.value(a)?;
                self.b.ins().bnot(x)
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                let is_and = matches!(e.kind, ExprKind::And(..));
                let x = self.value(a)?;
                let rhs_b = self.b.create_block();
                let join = self.b.create_block();
                let r = self.b.append_block_param(join, types::I8);
                if is_and {
                    self.b.ins().brif(x, rhs_b, &[], join, &[x.into()]);
                } else {
                    self.b.ins().brif(x, join, &[x.into()], rhs_b, &[]);
                }
                self.b.switch_to_block(rhs_b);
                let y = self.value(b)?;
                self.b.ins().jump(join, &[y.into()]);
                self.b.switch_to_block(join);
                r
            }
            ExprKind::Convert(a) => {
                let x = self.value(a)?;
                self.convert(x, &a.ty, &e.ty)?
            }
            ExprKind::Bind(var, value, body) => {
                let v = self.value(value)?;
                self.set_local(*var, v)?;
                return self.expr(body);
            }
            ExprKind::Cond(c, a, b) => return self.conditional(c, a, b, &e.ty),
            ExprKind::Math(f, args) => {
                let vals = self.values(args)?;
                self.math(*f, &vals)?
            }
            other => return Err(CodegenError(format!("operator expression expected, found {other:?}"))),
        };
        Ok(Some(v))
    }

    pub(super) fn arith(&mut self, op: Arith, x: Value, y: Value, ty: &Ty) -> R<Value> {
        self.arith_with(op, x, y, ty, Checks::ALL)
    }

    /// `x op y` with only the `checks` its operands' ranges leave
    /// (`facts.rs`).
    fn arith_with(&mut self, op: Arith, x: Value, y: Value, ty: &Ty, checks: Checks) -> R<Value> {
        if *ty == Ty::Float {
            return Ok(match op {
                Arith::Add => self.b.ins().fadd(x, y),
                Arith::Sub => self.b.ins().fsub(x, y),
                Arith::Mul => self.b.ins().fmul(x, y),
                Arith::Div => self.b.ins().fdiv(x, y),
                other => return Err(CodegenError(format!("{other:?} on Float"))),
            });
        }
        let t = self.b.func.dfg.value_type(x);
        Ok(match op {
            Arith::Add if !checks.overflow => self.b.ins().iadd(x, y),
            Arith::Sub if !checks.overflow => self.b.ins().isub(x, y),
            Arith::Mul if !checks.overflow => self.b.ins().imul(x, y),
            Arith::Add | Arith::Sub => {
                let (r, of) = self.checked_add_sub(op == Arith::Add, x, y, t);
                self.raise_if(of, Raise::Overflow, &[])?;
                r
            }
            Arith::Mul => {
                let (r, of) = self.b.ins().smul_overflow(x, y);
                self.raise_if(of, Raise::Overflow, &[])?;
                r
            }
            Arith::Div | Arith::Rem => {
                if checks.zero {
                    let is_zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
                    self.raise_if(is_zero, Raise::DivZero, &[])?;
                }
                if op == Arith::Div {
                    if checks.overflow {
                        let min = if t == types::I32 { i64::from(i32::MIN) } else { i64::MIN };
                        let is_min = self.b.ins().icmp_imm_s(IntCC::Equal, x, min);
                        let minus_one = self.b.ins().icmp_imm_s(IntCC::Equal, y, -1);
                        let of = self.b.ins().band(is_min, minus_one);
                        self.raise_if(of, Raise::Overflow, &[])?;
                    }
                    self.b.ins().sdiv(x, y)
                } else if checks.minus_one {
                    // x % -1 is 0; avoid the hardware trap on MIN % -1.
                    let minus_one = self.b.ins().icmp_imm_s(IntCC::Equal, y, -1);
                    let one = self.b.ins().iconst(t, 1);
                    let safe = self.b.ins().select(minus_one, one, y);
                    self.b.ins().srem(x, safe)
                } else {
                    self.b.ins().srem(x, y)
                }
            }
            Arith::Shl => self.b.ins().ishl(x, y),
            Arith::Shr => self.b.ins().sshr(x, y),
            Arith::UShr => self.b.ins().ushr(x, y),
            Arith::BitAnd => self.b.ins().band(x, y),
            Arith::BitOr => self.b.ins().bor(x, y),
            Arith::BitXor => self.b.ins().bxor(x, y),
        })
    }

    /// `c ? a : b`: only the arm chosen is evaluated.
    fn conditional(&mut self, c: &'h Expr, a: &'h Expr, b: &'h Expr, ty: &Ty) -> R<Option<Value>> {
        let cv = self.value(c)?;
        let then_b = self.b.create_block();
        let else_b = self.b.create_block();
        let join = self.b.create_block();
        let r = clif_type(ty).map(|t| self.b.append_block_param(join, t));
        self.b.ins().brif(cv, then_b, &[], else_b, &[]);
        for (block, arm) in [(then_b, a), (else_b, b)] {
            self.b.switch_to_block(block);
            let v = self.expr(arm)?;
            if !self.is_terminated() {
                let args: Vec<_> = v.filter(|_| r.is_some()).map(Into::into).into_iter().collect();
                self.b.ins().jump(join, &args);
            }
        }
        self.b.switch_to_block(join);
        Ok(r)
    }

    /// `x + y` or `x - y` and its overflow flag. With a constant operand the
    /// test is one comparison with a bound (pure, so Cranelift can share and
    /// hoist it); otherwise the hardware overflow flag (measured faster
    /// than computing it from signs). A sum's constant may be on either
    /// side (`1 + l.check()`).
    pub(super) fn checked_add_sub(&mut self, add: bool, x: Value, y: Value, t: Type) -> (Value, Value) {
        let (min, max) =
            if t == types::I32 { (i64::from(i32::MIN), i64::from(i32::MAX)) } else { (i64::MIN, i64::MAX) };
        let (x, y) = if add && self.constant(x).is_some() && self.constant(y).is_none() { (y, x) } else { (x, y) };
        if let Some(c) = self.constant(y) {
            // x + c overflows iff x > max - c (c > 0) or x < min - c (c < 0).
            let c = if add { Some(c) } else { c.checked_neg() };
            if let Some(c) = c {
                let r = if add { self.b.ins().iadd(x, y) } else { self.b.ins().isub(x, y) };
                let of = match c.cmp(&0) {
                    std::cmp::Ordering::Greater => self.b.ins().icmp_imm_s(IntCC::SignedGreaterThan, x, max - c),
                    std::cmp::Ordering::Less => self.b.ins().icmp_imm_s(IntCC::SignedLessThan, x, min - c),
                    std::cmp::Ordering::Equal => self.b.ins().iconst(types::I8, 0),
                };
                return (r, of);
            }
        }
        if add {
            self.b.ins().sadd_overflow(x, y)
        } else {
            self.b.ins().ssub_overflow(x, y)
        }
    }

    /// The value of `v` when it is an integer constant.
    pub(super) fn constant(&self, v: Value) -> Option<i64> {
        let inst = self.b.func.dfg.value_def(v).inst()?;
        match self.b.func.dfg.insts[inst] {
            cranelift_codegen::ir::InstructionData::UnaryImm { opcode: cranelift_codegen::ir::Opcode::Iconst, imm } => {
                let bits = imm.bits();
                // Narrow constants are stored zero-extended: sign-extend them.
                Some(if self.b.func.dfg.value_type(v) == types::I32 { i64::from(bits as i32) } else { bits })
            }
            _ => None,
        }
    }

    pub(super) fn compare(&mut self, op: Cmp, x: Value, y: Value, ty: &Ty) -> R<Value> {
        if *ty == Ty::Float {
            let cc = match op {
                Cmp::Eq => FloatCC::Equal,
                Cmp::Ne => FloatCC::NotEqual,
                Cmp::Lt => FloatCC::LessThan,
                Cmp::Le => FloatCC::LessThanOrEqual,
                Cmp::Gt => FloatCC::GreaterThan,
                Cmp::Ge => FloatCC::GreaterThanOrEqual,
            };
            return Ok(self.b.ins().fcmp(cc, x, y));
        }
        let (x, y) = if *ty == Ty::Str {
            if matches!(op, Cmp::Eq | Cmp::Ne) {
                let eq = self.call_rt_value(RuntimeFn::StrEq, &[x, y])?;
                return Ok(if op == Cmp::Eq { eq } else { self.b.ins().bxor_imm_u(eq, 1) });
            }
            let c = self.call_rt_value(RuntimeFn::StrCmp, &[x, y])?;
            let zero = self.b.ins().iconst(types::I64, 0);
            (c, zero)
        } else {
            (x, y)
        };
        let cc = match op {
            Cmp::Eq => IntCC::Equal,
            Cmp::Ne => IntCC::NotEqual,
            Cmp::Lt => IntCC::SignedLessThan,
            Cmp::Le => IntCC::SignedLessThanOrEqual,
            Cmp::Gt => IntCC::SignedGreaterThan,
            Cmp::Ge => IntCC::SignedGreaterThanOrEqual,
        };
        Ok(self.b.ins().icmp(cc, x, y))
    }

    pub(super) fn convert(&mut self, x: Value, from: &Ty, to: &Ty) -> R<Value> {
        Ok(match (from, to) {
            (Ty::Int | Ty::Int32, Ty::Float) => self.b.ins().fcvt_from_sint(types::F64, x),
            (Ty::Int32, Ty::Int) => self.b.ins().sextend(types::I64, x),
            (Ty::Int, Ty::Int32) => {
                let narrow = self.b.ins().ireduce(types::I32, x);
                let back = self.b.ins().sextend(types::I64, narrow);
                let lost = self.b.ins().icmp(IntCC::NotEqual, back, x);
                self.raise_if(lost, Raise::Overflow, &[])?;
                narrow
            }
            (Ty::Float, Ty::Int | Ty::Int32) => {
                // In range (and not NaN) exactly when lo < x < hi.
                let (lo, hi, t) = if *to == Ty::Int {
                    (-9223372036854777856.0, 9223372036854775808.0, types::I64)
                } else {
                    (-2147483649.0, 2147483648.0, types::I32)
                };
                let lo_v = self.b.ins().f64const(lo);
                let hi_v = self.b.ins().f64const(hi);
                let above = self.b.ins().fcmp(FloatCC::GreaterThan, x, lo_v);
                let below = self.b.ins().fcmp(FloatCC::LessThan, x, hi_v);
                let ok = self.b.ins().band(above, below);
                let bad = self.b.ins().bxor_imm_u(ok, 1);
                self.raise_if(bad, Raise::Overflow, &[])?;
                self.b.ins().fcvt_to_sint_sat(t, x)
            }
            _ => return Err(CodegenError(format!("conversion from {from} to {to}"))),
        })
    }

    pub(super) fn math(&mut self, f: MathFn, a: &[Value]) -> R<Value> {
        Ok(match f {
            MathFn::Sqrt => self.b.ins().sqrt(a[0]),
            MathFn::Floor => self.b.ins().floor(a[0]),
            MathFn::Ceil => self.b.ins().ceil(a[0]),
            MathFn::FAbs => self.b.ins().fabs(a[0]),
            MathFn::IAbs => {
                let is_min = self.b.ins().icmp_imm_s(IntCC::Equal, a[0], i64::MIN);
                self.raise_if(is_min, Raise::Overflow, &[])?;
                let neg = self.b.ins().ineg(a[0]);
                let is_neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, a[0], 0);
                self.b.ins().select(is_neg, neg, a[0])
            }
            MathFn::IMin => self.b.ins().smin(a[0], a[1]),
            MathFn::IMax => self.b.ins().smax(a[0], a[1]),
        })
    }
}
