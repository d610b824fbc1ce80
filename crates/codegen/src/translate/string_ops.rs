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
        self.inline_or_call(inside, RuntimeFn::StrByteAt, &[s, i], |t| {
            let at = t.b.ins().iadd(s, i);
            Ok(t.b.ins().uload8(types::I64, flags(), at, string::BYTES))
        })
    }
}
