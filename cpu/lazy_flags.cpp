#include "cpu/lazy_flags.h"

namespace vmm86 {
namespace {

inline uint32_t parity(uint64_t v) {
    return (__builtin_popcount(uint32_t(v & 0xFF)) & 1) ? 0 : FLAG_PF;
}

struct SizeInfo {
    uint64_t mask;
    uint64_t sign;
    unsigned bits;
};

inline SizeInfo size_info(unsigned log2) {
    unsigned bits = 8u << log2;
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    return {mask, 1ull << (bits - 1), bits};
}

inline uint32_t szp(uint64_t result, const SizeInfo& z) {
    uint32_t f = parity(result);
    if ((result & z.mask) == 0) f |= FLAG_ZF;
    if (result & z.sign) f |= FLAG_SF;
    return f;
}

}  // namespace

uint32_t compute_arith_flags(const LazyFlags& lf) {
    const SizeInfo z = size_info((lf.op >> 8) & 3);
    const uint64_t r = lf.result & z.mask, a = lf.src1 & z.mask, b = lf.src2 & z.mask;
    uint32_t f = 0;
    switch (LazyFlagOp(lf.op & 0xFF)) {
    case LF_NONE:
        return 0;
    case LF_ADD:
    case LF_ADC: {
        f = szp(r, z);
        bool carry = (lf.op & 0xFF) == LF_ADC && lf.aux ? r <= a : r < a;
        if (carry) f |= FLAG_CF;
        if ((a ^ b ^ r) & 0x10) f |= FLAG_AF;
        if (((a ^ r) & (b ^ r)) & z.sign) f |= FLAG_OF;
        return f;
    }
    case LF_SUB:
    case LF_SBB: {
        f = szp(r, z);
        bool borrow = (lf.op & 0xFF) == LF_SBB && lf.aux ? a <= b : a < b;
        if (borrow) f |= FLAG_CF;
        if ((a ^ b ^ r) & 0x10) f |= FLAG_AF;
        if (((a ^ b) & (a ^ r)) & z.sign) f |= FLAG_OF;
        return f;
    }
    case LF_LOGIC:
        return szp(r, z);
    case LF_INC:
        f = szp(r, z) | (lf.aux ? FLAG_CF : 0);
        if ((a ^ r) & 0x10) f |= FLAG_AF;
        if (r == z.sign) f |= FLAG_OF;
        return f;
    case LF_DEC:
        f = szp(r, z) | (lf.aux ? FLAG_CF : 0);
        if ((a ^ r) & 0x10) f |= FLAG_AF;
        if (a == z.sign) f |= FLAG_OF;
        return f;
    case LF_NEG:
        f = szp(r, z);
        if (a != 0) f |= FLAG_CF;
        if ((a ^ r) & 0x10) f |= FLAG_AF;
        if (a == z.sign) f |= FLAG_OF;
        return f;
    case LF_SHL: {
        // b is the masked count, 1..31 (or 63). Bits shifted out past the operand width
        // (count > width, possible for 8/16-bit operands) give CF = 0, as on Intel CPUs.
        f = szp(r, z);
        bool cf = b <= z.bits && ((a >> (z.bits - b)) & 1);
        if (cf) f |= FLAG_CF;
        // OF is defined for count 1 only; for every count, Intel CPUs give the OF of the
        // first 1-bit step, MSB(a) XOR next bit (checked on the host, tests/unit/test_shift).
        if (((a >> (z.bits - 1)) ^ (a >> (z.bits - 2))) & 1) f |= FLAG_OF;
        return f;
    }
    case LF_SHR: {
        f = szp(r, z);
        if (b <= z.bits && ((a >> (b - 1)) & 1)) f |= FLAG_CF;
        // OF = MSB of the original operand (defined for count 1; Intel does this for all).
        if (a & z.sign) f |= FLAG_OF;
        return f;
    }
    case LF_SAR: {
        f = szp(r, z);
        uint64_t shift = b > z.bits ? z.bits : b;
        uint64_t sa = (a & z.sign) ? (a | ~z.mask) : a;  // sign-extended
        if ((sa >> (shift - 1)) & 1) f |= FLAG_CF;
        return f;
    }
    case LF_MUL:
        // SF and PF from the low half, ZF and AF clear: what Intel CPUs do with these
        // undefined flags (checked on the host, tests/unit/test_muldiv).
        f = szp(r, z) & ~FLAG_ZF;
        if (lf.src2) f |= FLAG_CF | FLAG_OF;
        return f;
    case LF_COUNT:
        break;
    }
    return 0;
}

namespace {

// Conditions straight from the recorded operands of a SUB/CMP or a logic op, without
// computing all six flags: the common case of a Jcc in the block after its CMP.
bool fast_condition(const LazyFlags& lf, Condition cc, bool& out) {
    const SizeInfo z = size_info((lf.op >> 8) & 3);
    const unsigned shift = 64 - z.bits;
    const LazyFlagOp op = LazyFlagOp(lf.op & 0xFF);
    if (op == LF_SUB) {
        const uint64_t a = lf.src1 & z.mask, b = lf.src2 & z.mask;
        const int64_t sa = int64_t(a << shift) >> shift, sb = int64_t(b << shift) >> shift;
        bool r;
        switch (cc >> 1) {
        case CC_B >> 1: r = a < b; break;
        case CC_E >> 1: r = a == b; break;
        case CC_BE >> 1: r = a <= b; break;
        case CC_L >> 1: r = sa < sb; break;
        case CC_LE >> 1: r = sa <= sb; break;
        default: return false;
        }
        out = (cc & 1) ? !r : r;
        return true;
    }
    if (op == LF_LOGIC || op == LF_INC || op == LF_DEC || op == LF_ADD) {
        const uint64_t res = lf.result & z.mask;
        bool r;
        switch (cc >> 1) {
        case CC_E >> 1: r = res == 0; break;
        case CC_S >> 1: r = (res & z.sign) != 0; break;
        default: return false;
        }
        out = (cc & 1) ? !r : r;
        return true;
    }
    return false;
}

}  // namespace

bool eval_condition(const CpuState& s, Condition cc) {
    bool fast;
    if (s.lazy.op != LF_NONE && fast_condition(s.lazy, cc, fast)) return fast;
    const uint32_t f = read_eflags(s);
    bool r;
    switch (cc >> 1) {
    case 0: r = f & FLAG_OF; break;
    case 1: r = f & FLAG_CF; break;
    case 2: r = f & FLAG_ZF; break;
    case 3: r = f & (FLAG_CF | FLAG_ZF); break;
    case 4: r = f & FLAG_SF; break;
    case 5: r = f & FLAG_PF; break;
    case 6: r = bool(f & FLAG_SF) != bool(f & FLAG_OF); break;
    default: r = (f & FLAG_ZF) || (bool(f & FLAG_SF) != bool(f & FLAG_OF)); break;
    }
    return (cc & 1) ? !r : r;
}

}  // namespace vmm86
