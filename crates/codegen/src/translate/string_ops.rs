//! `s.byteAt(i)` inline: a bounds check and a byte load, the loop body of
//! every hand-written scanner (bench/oo/json); the runtime
//! (`tess_str_byte_at`) only throws the index error.

use super::{flags, Translator, R};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, Value};
use cranelift_module::Module;
use tess_abi::layout::string;
use tess_abi::RuntimeFn;

impl<M: Module> Translator<'_, '_, '_, M> {
    /// `s.byteAt(i)`: the byte at `i` as an `Int`.
    pub(super) fn string_byte_at(&mut self, s: Value, i: Value) -> R<Value> {
        let len = self.b.ins().load(types::I64, flags(), s, string::LEN);
        // A negative index is a huge unsigned one: one comparison checks both ends.
        let inside = self.b.ins().icmp(IntCC::UnsignedLessThan, i, len);
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let join = self.b.create_block();
        let byte = self.b.append_block_param(join, types::I64);
        self.b.ins().brif(inside, fast, &[], slow, &[]);

        self.b.switch_to_block(fast);
        let at = self.b.ins().iadd(s, i);
        let v = self.b.ins().uload8(types::I64, flags(), at, string::BYTES);
        self.b.ins().jump(join, &[v.into()]);

        self.b.switch_to_block(slow);
        let thrown = self.call_rt_value(RuntimeFn::StrByteAt, &[s, i])?;
        self.check_exception()?;
        self.b.ins().jump(join, &[thrown.into()]);

        self.b.switch_to_block(join);
        Ok(byte)
    }
}
