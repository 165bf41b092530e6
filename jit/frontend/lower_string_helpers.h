// Run-time halves of the string and port-I/O instructions (lower_string.cpp lowers to
// calls of these). The string helper executes REP forms one iteration at a time so that
// they are interruptible and fault-precise, and INS/OUTS, which need the I/O bus.
#pragma once
#include <cstdint>

#include "cpu/cpu.h"

namespace vmm86::string_ops {

enum Kind : uint8_t { Movs, Cmps, Scas, Lods, Stos, Ins, Outs };
enum Rep : uint8_t { NoRep, RepAlways, RepWhileEqual, RepWhileNotEqual };

// One string instruction form, packed into the helper's first argument.
struct Form {
    Kind kind;
    uint8_t size;     // element size: 1, 2 or 4
    uint8_t asize;    // address size: 2 (SI, DI, CX) or 4 (ESI, EDI, ECX)
    uint8_t src_seg;  // segment of the SI operand (DS unless overridden); ES:DI is fixed
    Rep rep;          // REPE/REPNE only on CMPS/SCAS; other kinds get RepAlways

    uint64_t pack() const {
        return uint64_t(kind) | uint64_t(size) << 8 | uint64_t(asize) << 16 | uint64_t(src_seg) << 24 |
               uint64_t(rep) << 32;
    }
    static Form unpack(uint64_t v) {
        return Form{Kind(v & 0xFF), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24), Rep((v >> 32) & 0xFF)};
    }
};

// A REP instruction runs at most this many iterations per execution; when it stops with
// the count not yet zero, the block re-executes the same instruction, which bounds the
// latency of interrupts and of the run loop's budget.
constexpr unsigned kMaxIterations = 4096;

// Executes the string instruction `packed` (a Form). Returns 1 when the instruction has
// completed (count exhausted, REPE/REPNE condition met, or a single non-REP iteration)
// and 0 when it stopped early: after kMaxIterations, when cpu.exit_request is set, after
// one iteration with TF set, or on a fault. SI/DI/CX (and flags for CMPS/SCAS, the
// accumulator for LODS) always reflect the iterations that completed, as on hardware;
// on a fault the exception is pending and EIP stays at the instruction.
uint64_t helper_string(Cpu& cpu, uint64_t packed, uint64_t, uint64_t);

// IN: returns the value read from `port` (size bytes, zero-extended).
uint64_t helper_in(Cpu& cpu, uint64_t port, uint64_t size, uint64_t);
// OUT: writes `value` to `port`.
uint64_t helper_out(Cpu& cpu, uint64_t port, uint64_t size, uint64_t value);

}  // namespace vmm86::string_ops
