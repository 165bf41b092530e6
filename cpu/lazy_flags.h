// Lazy arithmetic flags. A flag-setting instruction records what it did (the operation,
// its size, result and sources) instead of computing six flags; readers compute only the
// flags they need. This is the interpreter's half of "flags are lazy": the x64 JIT will
// use the host's own flags instead.
#pragma once
#include <cstdint>

#include "cpu/cpu_state.h"

namespace vmm86 {

enum LazyFlagOp : uint32_t {
    LF_NONE = 0,   // flags live in CpuState::eflags
    LF_ADD,        // result = src1 + src2
    LF_ADC,        // result = src1 + src2 + aux (aux = carry in)
    LF_SUB,        // result = src1 - src2 (also CMP)
    LF_SBB,        // result = src1 - src2 - aux
    LF_LOGIC,      // AND/OR/XOR/TEST: CF=OF=0, AF=0 (as Intel CPUs leave it)
    LF_INC,        // src1 = operand before; aux = CF before (INC keeps CF)
    LF_DEC,
    LF_NEG,        // result = -src1
    LF_SHL,        // src1 = value, src2 = masked count (never 0: count 0 sets no flags)
    LF_SHR,
    LF_SAR,
    LF_MUL,        // CF=OF = src2 (1 when the high half is significant); SF PF from result, ZF=AF=0
    LF_COUNT
};

inline uint32_t lazy_op(LazyFlagOp op, unsigned size_bytes) {
    unsigned log2 = size_bytes == 1 ? 0 : size_bytes == 2 ? 1 : size_bytes == 4 ? 2 : 3;
    return uint32_t(op) | (log2 << 8);
}

// The six arithmetic flags of the recorded operation (other bits zero).
uint32_t compute_arith_flags(const LazyFlags& lf);

// The architectural EFLAGS: non-arithmetic bits from s.eflags, arithmetic bits computed.
inline uint32_t read_eflags(const CpuState& s) {
    if (s.lazy.op == LF_NONE) return s.eflags;
    return (s.eflags & ~FLAGS_ARITH) | compute_arith_flags(s.lazy);
}

// Materialise: afterwards s.eflags holds every bit and s.lazy.op is LF_NONE.
inline void materialize_flags(CpuState& s) {
    s.eflags = read_eflags(s);
    s.lazy.op = LF_NONE;
}

inline bool read_cf(const CpuState& s) { return read_eflags(s) & FLAG_CF; }

// x86 condition codes in encoding order (the low nibble of Jcc/SETcc/CMOVcc opcodes).
enum Condition : uint8_t {
    CC_O, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A,
    CC_S, CC_NS, CC_P, CC_NP, CC_L, CC_GE, CC_LE, CC_G,
};
bool eval_condition(const CpuState& s, Condition cc);

}  // namespace vmm86
