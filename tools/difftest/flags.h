// Which arithmetic flags an instruction writes and which of those the Intel SDM calls
// undefined (for shifts and rotates this depends on the masked count). Only undefined
// flags are excluded from the comparison.
#pragma once
#include <cstdint>

#include "tools/difftest/insn.h"
#include "tools/difftest/native_runner.h"

namespace vmm86::difftest {

struct FlagEffect {
    uint32_t modified = 0;   // arithmetic flags written (defined or not)
    uint32_t undefined = 0;  // subset of modified
};

// `before` are the registers just before the instruction runs (for the CL count).
FlagEffect flag_effect(const Insn& insn, const Regs& before);

// Arithmetic flags whose value the instruction's result depends on (conditions, carry
// in, images of EFLAGS in registers or memory).
uint32_t flags_read(const Insn& insn);

}  // namespace vmm86::difftest
