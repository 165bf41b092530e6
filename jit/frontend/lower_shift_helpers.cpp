// Shift and rotate semantics for the helper path (counts in CL, RCL/RCR, SHLD/SHRD).
//
// What the host (an Intel CPU) does with the flags the SDM leaves undefined, all checked
// by tests/unit/test_shift.cpp against the CPU it runs on:
// - OF for counts other than 1 is the OF of the first 1-bit step: SHL/ROL/RCL/SHLD give
//   MSB(dst) XOR the next bit; SHR gives MSB(dst); ROR gives MSB(dst) XOR LSB(dst); RCR
//   gives MSB(dst) XOR CF-in; SHRD gives MSB(dst) XOR LSB(src). (Exception: ROL/ROR by
//   an imm8 other than 1 leave OF unchanged; the lowering does those inline.)
// - AF is cleared by every shift with a nonzero count (SHL/SHR/SAR/SHLD/SHRD).
// - ROL/ROR by a multiple of the width (count 8 for a byte) still set CF and OF; RCL/RCR
//   whose count is a multiple of width+1 (9 or 17) change no flags at all.
// - 16-bit SHLD/SHRD with a count above 16 shift through dst:src:dst, a 48-bit pattern.
// With UndefinedFlags::I386 the rotates set OF for every count as the SDM defines it for
// count 1, from the result: ROL/RCL MSB(r) XOR CF, ROR/RCR MSB(r) XOR the bit below it
// (for count 1 that is MSB(dst) XOR CF-in). The 80386 does so: test386.asm's reference
// output has these OF values for ROL/RCL by 7 (and agrees for ROR); RCR is inferred.
#include "jit/frontend/lower_shift_helpers.h"

#include "cpu/lazy_flags.h"

namespace vmm86 {
namespace {

inline uint32_t szp(uint64_t r, unsigned bits) {
    uint32_t f = (__builtin_popcount(unsigned(r & 0xFF)) & 1) ? 0u : uint32_t(FLAG_PF);
    if (r == 0) f |= FLAG_ZF;
    if ((r >> (bits - 1)) & 1) f |= FLAG_SF;
    return f;
}

inline uint64_t bit(uint64_t v, unsigned n) { return (v >> n) & 1; }

// Replaces CF and OF in flags_in, as the rotates do (SF ZF AF PF are kept).
inline uint32_t with_cf_of(uint32_t flags_in, uint64_t cf, uint64_t of) {
    return (flags_in & ~(FLAG_CF | FLAG_OF)) | (cf ? uint32_t(FLAG_CF) : 0u) | (of ? uint32_t(FLAG_OF) : 0u);
}

ShiftOutcome rotate(ShiftKind kind, unsigned bits, uint64_t mask, uint64_t a, unsigned n, uint32_t f,
                    bool i386) {
    const uint64_t msb = bit(a, bits - 1), next = bit(a, bits - 2);
    if (kind == SK_ROL || kind == SK_ROR) {
        const unsigned m = n % bits;  // CF/OF change even when m == 0
        uint64_t r = a;
        if (m) r = kind == SK_ROL ? ((a << m) | (a >> (bits - m))) & mask : ((a >> m) | (a << (bits - m))) & mask;
        const uint64_t r_msb = bit(r, bits - 1);
        if (kind == SK_ROL) return {r, with_cf_of(f, r & 1, i386 ? r_msb ^ (r & 1) : msb ^ next)};
        return {r, with_cf_of(f, r_msb, i386 ? r_msb ^ bit(r, bits - 2) : msb ^ (a & 1))};
    }
    // Through CF: a (bits+1)-bit rotate of CF:a.
    const unsigned m = bits == 32 ? n : n % (bits + 1);
    if (m == 0) return {a, f};
    const uint64_t cf_in = f & FLAG_CF ? 1 : 0;
    const uint64_t x = a | cf_in << bits, xmask = (mask << 1) | 1;
    const uint64_t y = kind == SK_RCL ? ((x << m) | (x >> (bits + 1 - m))) & xmask
                                      : ((x >> m) | (x << (bits + 1 - m))) & xmask;
    const uint64_t r = y & mask, cf = bit(y, bits), r_msb = bit(r, bits - 1);
    uint64_t of = kind == SK_RCL ? msb ^ next : msb ^ cf_in;
    if (i386) of = kind == SK_RCL ? r_msb ^ cf : r_msb ^ bit(r, bits - 2);
    return {r, with_cf_of(f, cf, of)};
}

ShiftOutcome double_shift(ShiftKind kind, unsigned bits, uint64_t mask, uint64_t d, uint64_t s, unsigned n) {
    // dst:src:dst as one 3*bits pattern (only 16-bit counts above 16 reach the third part).
    const unsigned __int128 x = (unsigned __int128)d << (2 * bits) | (unsigned __int128)s << bits | d;
    uint64_t r, cf, of;
    if (kind == SK_SHLD) {
        r = uint64_t((x << n) >> (2 * bits)) & mask;
        cf = uint64_t(x >> (3 * bits - n)) & 1;
        of = bit(d, bits - 1) ^ bit(d, bits - 2);
    } else {
        r = uint64_t(x >> n) & mask;
        cf = uint64_t(x >> (n - 1)) & 1;
        of = bit(d, bits - 1) ^ (s & 1);
    }
    return {r, szp(r, bits) | (cf ? uint32_t(FLAG_CF) : 0u) | (of ? uint32_t(FLAG_OF) : 0u)};
}

}  // namespace

ShiftOutcome shift_compute(ShiftKind kind, unsigned size, uint64_t dst, uint64_t src, unsigned count,
                           uint32_t flags_in, UndefinedFlags uf) {
    const unsigned bits = size * 8;
    const uint64_t mask = bits == 32 ? 0xFFFFFFFFull : (1ull << bits) - 1;
    const uint64_t a = dst & mask;
    const unsigned n = count & 31;
    flags_in &= FLAGS_ARITH;
    if (n == 0) return {a, flags_in};  // a masked count of 0 changes nothing
    switch (kind) {
    case SK_ROL: case SK_ROR: case SK_RCL: case SK_RCR:
        return rotate(kind, bits, mask, a, n, flags_in, uf == UndefinedFlags::I386);
    case SK_SHLD: case SK_SHRD:
        return double_shift(kind, bits, mask, a, src & mask, n);
    default:
        break;
    }
    // SHL/SHR/SAR: the same flags as the lazy path records for constant counts.
    uint64_t r;
    LazyFlagOp op;
    if (kind == SK_SHR) {
        r = n >= bits ? 0 : a >> n;
        op = LF_SHR;
    } else if (kind == SK_SAR) {
        const int64_t sa = bit(a, bits - 1) ? int64_t(a | ~mask) : int64_t(a);
        r = uint64_t(sa >> (n >= bits ? bits - 1 : n)) & mask;
        op = LF_SAR;
    } else {
        r = n >= bits ? 0 : (a << n) & mask;
        op = LF_SHL;
    }
    const LazyFlags lf{r, a, n, lazy_op(op, size), 0};
    return {r, compute_arith_flags(lf)};
}

uint64_t helper_shift(Cpu& cpu, uint64_t dst, uint64_t src, uint64_t ctl) {
    const ShiftKind kind = ShiftKind(ctl & 0xFF);
    const unsigned size = unsigned(ctl >> 8) & 0xFF;
    const unsigned count = unsigned(ctl >> kShiftCountShift) & 0xFF;
    const ShiftOutcome o = shift_compute(kind, size, dst, src, count, read_eflags(cpu.s), cpu.undefined_flags);
    return o.result | uint64_t(o.flags) << 32;
}

}  // namespace vmm86
