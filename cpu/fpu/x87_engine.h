// The engine that executes one computational x87 instruction on an FSAVE image. On an
// x86-64 host it is the host's own x87 (x87_host.cpp): the image is loaded with FRSTOR,
// the guest's instruction bytes run, and FNSAVE reads everything back, so results,
// condition codes, tags, stack faults and masked/unmasked responses are the hardware's,
// bit for bit. Elsewhere a portable engine (x87_portable.cpp) stands in. See README.md.
#pragma once
#include <cstdint>

#include "cpu/fpu/fpu_state.h"

namespace vmm86 {

// The 108-byte 32-bit protected-mode FSAVE image: environment (28 bytes) then ST(0)..ST(7).
struct X87Image {
    alignas(16) uint8_t b[108];
    uint16_t fcw() const { return uint16_t(b[0] | b[1] << 8); }
    uint16_t fsw() const { return uint16_t(b[4] | b[5] << 8); }
    void set_fsw(uint16_t v) { b[4] = uint8_t(v); b[5] = uint8_t(v >> 8); }
};

// Builds the image of the guest FPU (full tag word, registers in ST order) and writes
// one back (FCW, FSW, tags, registers; the pointers are the caller's business).
void fpu_to_image(const FpuState& f, X87Image& img);
void fpu_from_image(FpuState& f, const X87Image& img);

// Executes ESC `opcode` (D8..DF) with `modrm` on the image. For a memory form (mod != 3)
// the operand is the 16-byte buffer `mem` (read and/or written as the instruction does).
// `rflags` carries CF/PF/ZF in (FCMOVcc) and out (FCOMI family). The caller has checked
// that the encoding is valid and not a control instruction.
void x87_execute(uint8_t opcode, uint8_t modrm, X87Image& img, uint8_t* mem, uint64_t& rflags);

// The portable engine (x87_portable.cpp), compiled on every host: x87_execute is this one
// where the host has no x87 or with -DVMM86_X87_PORTABLE=ON; the unit tests compare the two.
void x87_execute_portable(uint8_t opcode, uint8_t modrm, X87Image& img, uint8_t* mem, uint64_t& rflags);

// True if x87_execute is the host CPU (bit-exact), false for the portable engine.
bool x87_engine_is_host();

}  // namespace vmm86
