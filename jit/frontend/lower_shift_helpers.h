// The shift and rotate family's semantics as plain functions: the helpers that the
// lowering calls for the rare or runtime-count forms, and the model the unit tests check
// against the host CPU. Flags follow what Intel CPUs do, including the undefined ones.
#pragma once
#include <cstdint>

#include "cpu/cpu.h"

namespace vmm86 {

// The group-2 ModRM reg field (ROL=0 … SAR=7; /6 is an alias of SHL), plus SHLD/SHRD.
enum ShiftKind : uint8_t {
    SK_ROL = 0, SK_ROR = 1, SK_RCL = 2, SK_RCR = 3, SK_SHL = 4, SK_SHR = 5, SK_SAR = 7,
    SK_SHLD = 8, SK_SHRD = 9,
};

struct ShiftOutcome {
    uint64_t result;  // zero-extended to the operand size
    uint32_t flags;   // the six arithmetic flags afterwards (flags_in where unchanged)
};

// dst, src zero-extended to `size` bytes (src only for SHLD/SHRD); count is the raw
// count operand (masked to 5 bits here, as on 486 and later CPUs).
// `uf` picks whose undefined flags (cpu.h): only OF after multi-bit rotates differs.
ShiftOutcome shift_compute(ShiftKind kind, unsigned size, uint64_t dst, uint64_t src, unsigned count,
                           uint32_t flags_in, UndefinedFlags uf = UndefinedFlags::Intel);

// Helper form: a = dst, b = src (SHLD/SHRD), c = kind | size << 8 | count << 16.
// Returns result | flags << 32, computed against the current EFLAGS (for CF in, and for
// a masked count of 0, which changes no flags). Never raises; changes no guest state.
constexpr unsigned kShiftCountShift = 16;
inline uint64_t shift_ctl(ShiftKind kind, unsigned size) { return uint64_t(kind) | uint64_t(size) << 8; }
uint64_t helper_shift(Cpu& cpu, uint64_t dst, uint64_t src, uint64_t ctl);

}  // namespace vmm86
