//! `push` and `pop` inline: the common case — room in the buffer, a
//! non-empty array — without a call; the runtime (`tess_arr_push`,
//! `tess_arr_pop`) grows the buffer or throws. A push or pop opens new
//! blocks, so no element check of the array before it is reused after
//! (`facts.rs`).

use super::{flags, Translator, R};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, Value};
use cranelift_module::Module;
use tess_abi::layout::array;
use tess_abi::RuntimeFn;
use tess_sema::ty::Ty;

impl<M: Module> Translator<'_, '_, '_, M> {
    /// `arr.push(word)` of an array of `elem`.
    pub(super) fn array_push(&mut self, arr: Value, word: Value, elem: &Ty) -> R<()> {
        let len = self.b.ins().load(types::I64, flags(), arr, array::LEN);
        let cap = self.b.ins().load(types::I64, flags(), arr, array::CAP);
        let room = self.b.ins().icmp(IntCC::UnsignedLessThan, len, cap);
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let join = self.b.create_block();
        self.b.ins().brif(room, fast, &[], slow, &[]);

        self.b.switch_to_block(fast);
        if elem.is_ref() {
            self.write_barrier(arr)?;
        }
        let at = self.element_at(arr, len);
        self.b.ins().store(flags(), word, at, 0);
        let grown = self.b.ins().iadd_imm_s(len, 1);
        self.b.ins().store(flags(), grown, arr, array::LEN);
        self.b.ins().jump(join, &[]);

        self.b.switch_to_block(slow);
        self.call_rt(RuntimeFn::ArrPush, &[arr, word])?;
        self.b.ins().jump(join, &[]);

        self.b.switch_to_block(join);
        Ok(())
    }

    /// `arr.pop()`: the last element's word.
    pub(super) fn array_pop(&mut self, arr: Value) -> R<Value> {
        let len = self.b.ins().load(types::I64, flags(), arr, array::LEN);
        self.inline_or_call(len, RuntimeFn::ArrPop, &[arr], |t| {
            let last = t.b.ins().iadd_imm_s(len, -1);
            t.b.ins().store(flags(), last, arr, array::LEN);
            let at = t.element_at(arr, last);
            Ok(t.b.ins().load(types::I64, flags(), at, 0))
        })
    }

    /// A word computed inline when `ok` is non-zero, else by runtime
    /// function `f` on `args` (cold: it grows, or throws, which is checked).
    pub(super) fn inline_or_call(
        &mut self,
        ok: Value,
        f: RuntimeFn,
        args: &[Value],
        inline: impl FnOnce(&mut Self) -> R<Value>,
    ) -> R<Value> {
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let join = self.b.create_block();
        let word = self.b.append_block_param(join, types::I64);
        self.b.ins().brif(ok, fast, &[], slow, &[]);

        self.b.switch_to_block(fast);
        let v = inline(self)?;
        self.b.ins().jump(join, &[v.into()]);

        self.b.switch_to_block(slow);
        let called = self.call_rt_value(f, args)?;
        self.check_exception()?;
        self.b.ins().jump(join, &[called.into()]);

        self.b.switch_to_block(join);
        Ok(word)
    }
}
