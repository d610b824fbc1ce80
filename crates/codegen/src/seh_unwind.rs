//! Windows x64 unwind information (`UNWIND_INFO`, for `.pdata`/`.xdata`):
//! how the system's unwinder — debuggers, C++ exceptions, `longjmp` —
//! steps over a Tessera frame. Written here rather than by Cranelift,
//! whose Windows codes for our frames name `rbp` the frame register
//! before the frame is allocated and give the saved registers offsets
//! that do not match the code (two at 0): Windows cannot express saved
//! registers below the frame register. Here the frame is described from
//! the stack pointer at the end of the prologue, which Cranelift's fixed
//! frames never move: `rbp` pushed, the allocation, each saved register
//! at its offset from there.

use cranelift_codegen::isa::unwind::UnwindInst;
use cranelift_codegen::{Final, MachBufferFinalized, RegClass};

const UWOP_PUSH_NONVOL: u8 = 0;
const UWOP_ALLOC_LARGE: u8 = 1;
const UWOP_ALLOC_SMALL: u8 = 2;
const UWOP_SAVE_NONVOL: u8 = 4;
const UWOP_SAVE_NONVOL_FAR: u8 = 5;
const UWOP_SAVE_XMM128: u8 = 8;
const RBP: u8 = 5;

/// The `UNWIND_INFO` of the function whose code and unwind events are in
/// `buffer`, or `None` when its prologue is not the shape described here
/// (the function then has none, as before: the unwinder takes it for a
/// leaf).
pub(crate) fn info(buffer: &MachBufferFinalized<Final>) -> Option<Vec<u8>> {
    let code = buffer.data();
    // (end of the prologue instruction, slots of its unwind code)
    let mut codes: Vec<(u32, Vec<u16>)> = Vec::new();
    let mut below_fp_to_clobbers = None;
    let mut alloc = 0u32;
    for &(at, ref inst) in &buffer.unwind_info {
        match *inst {
            UnwindInst::PushFrameRegs { .. } => codes.push((at, vec![op(at, UWOP_PUSH_NONVOL, RBP)])),
            UnwindInst::DefineNewFrame { offset_downward_to_clobbers, .. } => {
                below_fp_to_clobbers = Some(offset_downward_to_clobbers);
                // The frame's allocation follows `mov rbp, rsp`, if any.
                let (size, len) = stack_allocation(code.get(at as usize..)?);
                if size > 0 {
                    alloc = size;
                    codes.push((at + len, alloc_code(at + len, size)?));
                }
            }
            UnwindInst::SaveReg { clobber_offset, reg } => {
                // Saved at FP - to_clobbers + clobber_offset, FP being the
                // stack pointer at the end of the prologue plus `alloc`.
                let offset = (alloc + clobber_offset).checked_sub(below_fp_to_clobbers?)?;
                let slots = match reg.class() {
                    RegClass::Int if offset % 8 == 0 && offset / 8 <= 0xffff => {
                        vec![op(at, UWOP_SAVE_NONVOL, reg.hw_enc()), (offset / 8) as u16]
                    }
                    RegClass::Int => {
                        vec![op(at, UWOP_SAVE_NONVOL_FAR, reg.hw_enc()), offset as u16, (offset >> 16) as u16]
                    }
                    RegClass::Float if offset % 16 == 0 && offset / 16 <= 0xffff => {
                        vec![op(at, UWOP_SAVE_XMM128, reg.hw_enc()), (offset / 16) as u16]
                    }
                    _ => return None,
                };
                codes.push((at, slots));
            }
            _ => return None,
        }
    }
    // The allocation read from the code must be the whole frame below
    // `rbp` as Cranelift laid it out (a stack probe, say, would hide it).
    if buffer.frame_layout().is_some_and(|frame| frame.frame_to_fp_offset != alloc) {
        return None;
    }
    let prologue = codes.iter().map(|&(at, _)| at).max()?;
    if prologue > 0xff {
        return None;
    }
    // The codes in reverse order of their instructions.
    codes.sort_by_key(|&(at, _)| std::cmp::Reverse(at));
    let mut slots: Vec<u16> = codes.into_iter().flat_map(|(_, s)| s).collect();
    let count = slots.len();
    if count > 0xff {
        return None;
    }
    if count % 2 == 1 {
        slots.push(0);
    }
    let mut out = vec![1, prologue as u8, count as u8, 0];
    out.extend(slots.iter().flat_map(|s| s.to_le_bytes()));
    Some(out)
}

/// An unwind code's first slot: the end of its instruction, the operation
/// and its operand.
fn op(at: u32, operation: u8, info: u8) -> u16 {
    u16::from_le_bytes([at as u8, operation | (info << 4)])
}

/// The slots describing an allocation of `size` bytes ending at `at`.
fn alloc_code(at: u32, size: u32) -> Option<Vec<u16>> {
    if size % 8 != 0 {
        return None;
    }
    Some(match size {
        8..=128 => vec![op(at, UWOP_ALLOC_SMALL, ((size - 8) / 8) as u8)],
        _ if size / 8 <= 0xffff => vec![op(at, UWOP_ALLOC_LARGE, 0), (size / 8) as u16],
        _ => vec![op(at, UWOP_ALLOC_LARGE, 1), size as u16, (size >> 16) as u16],
    })
}

/// The size `sub rsp, imm` at the start of `code` allocates, and the
/// instruction's length; (0, 0) when it is not there.
fn stack_allocation(code: &[u8]) -> (u32, u32) {
    match code {
        [0x48, 0x83, 0xec, imm, ..] => (u32::from(*imm), 4),
        [0x48, 0x81, 0xec, a, b, c, d, ..] => (u32::from_le_bytes([*a, *b, *c, *d]), 7),
        _ => (0, 0),
    }
}
