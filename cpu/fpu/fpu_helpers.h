// The x87 helpers that jit/frontend/lower_x87.cpp calls. Each has the CallHelper
// signature; one that raises (#NM, #MF, #GP/#SS/#PF for memory) returns before changing
// any guest state, so the engine can rewind and deliver.
#pragma once
#include "cpu/cpu.h"

namespace vmm86 {

// The first helper argument: the instruction's ESC opcode byte, its ModRM, the segment of
// the memory operand, the operand size (which picks 16- or 32-bit FSTENV/FSAVE layouts)
// and the address size (with 16-bit addressing the parts of an operand wrap at 64 KiB).
inline uint64_t x87_info(uint8_t opcode, uint8_t modrm, unsigned seg, bool op32, bool addr32 = true) {
    return opcode | uint64_t(modrm) << 8 | uint64_t(seg & 7) << 16 | uint64_t(op32) << 20 | uint64_t(addr32) << 21;
}
inline bool x87_info_addr32(uint64_t info) { return (info >> 21) & 1; }

// Every ESC (D8..DF) instruction: a = x87_info, b = memory operand offset (already wrapped
// to the address size), c = the instruction's EIP (the FPU instruction pointer). Returns
// FSW for FNSTSW AX (the lowering writes AX), else 0.
uint64_t helper_x87(Cpu& cpu, uint64_t info, uint64_t offset, uint64_t eip);
// WAIT/FWAIT: #NM when CR0.MP and CR0.TS are both set, then pending unmasked exceptions.
uint64_t helper_fwait(Cpu& cpu, uint64_t, uint64_t, uint64_t);
// FXSAVE (a = 0) / FXRSTOR (a = 1) at seg (c & 7) : offset b; c bit 3: 32-bit addressing.
uint64_t helper_fxsave(Cpu& cpu, uint64_t restore, uint64_t offset, uint64_t seg);

// --- shared by the helpers (cpu/fpu/*.cpp) -------------------------------------------
// #NM for CR0.EM or CR0.TS (every ESC instruction, FXSAVE, FXRSTOR).
bool fpu_usable(Cpu& cpu);
// What a waiting instruction does first: a pending unmasked exception raises #MF (CR0.NE
// = 1) or asserts FERR# (NE = 0, the PC's IRQ13 path) and lets the instruction run.
bool fpu_check_pending(Cpu& cpu);
// ES and B summarise the unmasked exception flags; FERR# follows ES (NE = 0 only).
void fpu_update_summary(Cpu& cpu);
// Guest memory in the parts the hardware accesses an operand of n bytes in (the 2- or
// 4-byte environment fields, an 80-bit value's significand and exponent, 8-byte pieces of
// anything larger); with 16-bit addressing (addr32 false) each part's offset wraps at
// 64 KiB. Stores of more than 10 bytes check the image's first and last byte before they
// write anything. False with the fault pending.
bool fpu_read(Cpu& cpu, unsigned seg, uint32_t offset, uint8_t* buf, unsigned n, bool addr32 = true);
bool fpu_write(Cpu& cpu, unsigned seg, uint32_t offset, const uint8_t* buf, unsigned n, bool addr32 = true);
// The control instructions (X87Kind other than Compute); returns as helper_x87 does.
uint64_t fpu_control(Cpu& cpu, uint64_t info, uint32_t offset);

}  // namespace vmm86
