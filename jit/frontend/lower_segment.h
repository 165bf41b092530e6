// Segment register loads, shared by MOV Sreg, POP Sreg, LDS & co. and far transfers.
#pragma once
#include "jit/frontend/translator.h"

namespace vmm86 {

// Loads segment register `seg` with selector `sel` (a 16-bit value). In real and V86
// mode this is base = sel << 4; in protected mode a helper (cpu/segmentation.cpp) does the
// descriptor checks and may raise, so callers write their other results after it. Loading SS (MOV/POP) inhibits interrupts for one instruction; it ends the block
// after the current instruction (Translator::end_block_after). Always returns Flow::Next,
// so the caller can go on writing the instruction's other results.
Flow load_segment(Translator& t, unsigned seg, ValueId sel);

// MOV to or from control and debug registers (lower_control_regs.cpp).
Flow lower_mov_system(Translator& t, const DecodedInsn& d);

// Ends the block with a report that this instruction form is not implemented yet: the
// run stops with a clear message instead of guessing.
Flow unimplemented(Translator& t);

// Marker vector for RaiseFault meaning "not implemented" (not an x86 vector).
constexpr uint8_t kUnimplementedVector = 0xFF;

}  // namespace vmm86
