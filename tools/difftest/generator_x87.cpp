// The generator's x87 half: values of every class of each x87 format (m80, m32, m64,
// integers, BCD), random control/status words and x87 state, and the shaping of an x87
// instruction's operands (generator.h says what a case gets).
#include <cstring>

#include "tools/difftest/generator.h"

namespace vmm86::difftest {

// An 80-bit value of any class the P6 defines a response for.
void Generator::random_f80(uint8_t* p, bool boundary) {
    constexpr uint64_t J = 1ull << 63, Q = 1ull << 62;
    uint64_t mant = uint64_t(rnd()) << 32 | rnd();
    uint16_t exp;
    switch (below(boundary ? 19 : 26)) {
        case 0: exp = 0; mant = 0; break;                                                 // zero
        case 1: exp = 0; mant = (mant & ~J) >> (chance(30) ? below(63) : 0); break;       // denormal
        case 2: exp = 0; mant |= J; break;                                                // pseudo-denormal
        case 3: exp = 0x7FFF; mant = J; break;                                            // infinity
        case 4: exp = 0x7FFF; mant = chance(30) ? (J | Q) : (mant | J | Q); break;        // QNaN (indefinite)
        case 5: exp = 0x7FFF; mant = ((mant | J) & ~Q) | (chance(20) ? 1 : 0); if (mant == J) mant |= 1; break;  // SNaN
        case 6: exp = 0x7FFF; mant = chance(30) ? 0 : mant & ~J; break;                   // pseudo-infinity/NaN
        case 7: exp = uint16_t(1 + below(0x7FFE)); mant &= ~J; break;                     // unnormal
        case 8: exp = uint16_t(0x7FFE - below(3)); mant |= J; break;                      // near overflow
        case 9: exp = uint16_t(1 + below(3)); mant |= J; break;                           // near underflow
        case 10: exp = uint16_t(0x3FFF - 126 - 26 + below(30)); mant |= J; break;         // m32 underflow edge
        case 11: exp = uint16_t(0x3FFF + 124 + below(8)); mant |= J; break;               // m32 overflow edge
        case 12: exp = uint16_t(0x3FFF - 1022 - 55 + below(60)); mant |= J; break;        // m64 underflow edge
        case 13: exp = uint16_t(0x3FFF + 1020 + below(8)); mant |= J; break;              // m64 overflow edge
        case 14: {  // integers, up to the int64 range and beyond
            const unsigned e = below(66);
            exp = uint16_t(0x3FFF + e);
            mant |= J;
            if (e < 63) mant &= ~((1ull << (63 - e)) - 1);
            break;
        }
        case 15: exp = uint16_t(0x3FFF - 3 + below(8)); mant = (mant | J) & ~((1ull << below(64)) - 1); break;  // short mantissas near 1
        case 16: exp = 0x3FFF; mant = J; break;                                            // 1.0
        case 17: exp = uint16_t(0x3FFF + 61 + below(4)); mant |= J; break;                // around 2^63 (FPTAN/FSIN range)
        case 18: exp = uint16_t(0x3FFF + 58 + below(3)); mant |= J; break;                // around 10^18 (FBSTP range)
        default: exp = uint16_t(below(0x7FFF)); mant |= J; break;                          // any
    }
    if (chance(50)) exp |= 0x8000;
    std::memcpy(p, &mant, 8);
    std::memcpy(p + 8, &exp, 2);
}

uint32_t Generator::random_f32(bool boundary) {
    const uint32_t sign = chance(50) ? 0x80000000u : 0, m = rnd() & 0x7FFFFF;
    switch (below(boundary ? 10 : 14)) {
        case 0: return sign;                                         // zero
        case 1: return sign | (m >> below(23));                      // denormal
        case 2: return sign | 0x00800000u | (m >> below(23));        // smallest normals
        case 3: return sign | (0x7F7FFFFFu - below(3));              // largest
        case 4: return sign | 0x7F800000u;                           // infinity
        case 5: return sign | 0x7FC00000u | (m & 0x3FFFFF);          // QNaN
        case 6: return sign | 0x7F800000u | (1 + (m & 0x3FFFFE));    // SNaN
        case 7: return sign | 0x3F800000u;                           // 1.0
        case 8: return sign | (uint32_t(127 + below(40)) << 23) | (m & ~((1u << below(23)) - 1));  // short
        case 9: return sign | (uint32_t(1 + below(254)) << 23) | m;  // any normal
        default: return rnd();
    }
}

uint64_t Generator::random_f64(bool boundary) {
    const uint64_t sign = chance(50) ? 1ull << 63 : 0, m = (uint64_t(rnd()) << 32 | rnd()) & ((1ull << 52) - 1);
    switch (below(boundary ? 10 : 14)) {
        case 0: return sign;
        case 1: return sign | (m >> below(52));
        case 2: return sign | (1ull << 52) | (m >> below(52));
        case 3: return sign | (0x7FEFFFFFFFFFFFFFull - below(3));
        case 4: return sign | 0x7FF0000000000000ull;
        case 5: return sign | 0x7FF8000000000000ull | (m & ((1ull << 51) - 1));
        case 6: return sign | 0x7FF0000000000000ull | (1 + (m & ((1ull << 51) - 2)));
        case 7: return sign | 0x3FF0000000000000ull;
        case 8: return sign | (uint64_t(1023 + below(70)) << 52) | (m & ~((1ull << below(52)) - 1));
        case 9: return sign | (uint64_t(1 + below(2046)) << 52) | m;
        default: return uint64_t(rnd()) << 32 | rnd();
    }
}

uint64_t Generator::random_int(unsigned bits, bool boundary) {
    const uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    const int64_t max = int64_t(mask >> 1), min = -max - 1;
    switch (below(boundary ? 8 : 10)) {
        case 0: return 0;
        case 1: return 1;
        case 2: return mask;  // -1
        case 3: return uint64_t(max - int64_t(below(3))) & mask;
        case 4: return uint64_t(min + int64_t(below(3))) & mask;
        case 5: return uint64_t(int64_t(below(2001)) - 1000) & mask;
        case 6: return (1ull << below(bits)) & mask;
        case 7: return uint64_t(-(int64_t(1) << below(bits - 1))) & mask;
        default: return (uint64_t(rnd()) << 32 | rnd()) & mask;
    }
}

// Packed BCD with valid digits (invalid ones have no defined result); the sign byte's low
// seven bits are ignored by FBLD, and sometimes set.
void Generator::random_bcd(uint8_t* p, bool boundary) {
    const unsigned kind = below(boundary ? 3 : 5);
    const unsigned digits = kind == 0 ? 0 : kind == 1 ? 18 : 1 + below(18);
    for (unsigned i = 0; i < 9; ++i) {
        uint8_t b = 0;
        for (unsigned h = 0; h < 2; ++h) {
            const unsigned pos = 2 * i + h;
            const unsigned digit = pos >= digits ? 0 : kind == 1 ? 9 : below(10);
            b |= uint8_t(digit << (4 * h));
        }
        p[i] = b;
    }
    p[9] = uint8_t((chance(50) ? 0x80 : 0) | (chance(10) ? rnd() & 0x7F : 0));
}

// A control word: precision (mostly 64 bits), rounding, exceptions mostly all masked.
// Non-canonical ones also set reserved bits (the CPU reads bit 6 as 1, bits 7 and 13-15 as 0).
uint16_t Generator::random_fcw(bool canonical) {
    const unsigned p = below(100);
    const uint16_t pc = p < 50 ? 3 : p < 75 ? 2 : p < 95 ? 0 : 1;
    const uint16_t masks = chance(75) ? 0x3F : uint16_t(rnd() & 0x3F);
    uint16_t cw = uint16_t(0x40 | pc << 8 | below(4) << 10 | masks);
    if (chance(20)) cw |= 0x1000;  // IC: no effect since the 387
    if (!canonical && chance(10)) cw = uint16_t(cw ^ (rnd() & 0xE0C0));
    return cw;
}

// A status word for control word `fcw`: TOP, condition codes, sometimes exception flags
// (pending when unmasked), with ES and B as their summary.
uint16_t Generator::random_fsw(uint16_t fcw) {
    uint16_t sw = uint16_t(below(8) << 11 | (rnd() & 0x4700));
    if (chance(20)) {
        sw |= uint16_t(rnd() & 0x3F);
        if ((sw & 1) && chance(50)) sw |= 0x40;  // SF
    }
    if (sw & ~fcw & 0x3F) sw |= 0x8080;
    return sw;
}

// The case's initial x87 state: registers empty and full (stack underflow and overflow),
// values of every class, random pointers and opcode.
void Generator::random_fpu(TestCase& c, bool boundary) {
    FxImage& f = c.fpu;
    std::memset(f.b, 0, sizeof f.b);
    const uint16_t cw = random_fcw(true);
    f.put16(0, cw);
    f.put16(2, random_fsw(cw));
    const unsigned t = below(100);
    uint8_t tags = 0;
    if (t < 10) tags = 0;
    else if (t < 20) tags = 0xFF;
    else
        for (unsigned i = 0; i < 8; ++i) tags |= uint8_t(chance(70) ? 1u << i : 0);
    f.b[4] = tags;
    f.put16(6, uint16_t(rnd() & 0x7FF));
    f.put32(8, rnd());
    f.put16(12, uint16_t(rnd()));
    f.put32(16, rnd());
    f.put16(20, uint16_t(rnd()));
    f.put32(24, 0x1F80);
    for (unsigned i = 0; i < 8; ++i) random_f80(f.b + 32 + 16 * i, boundary);
}

// x87 memory operands that are read get values of their format's classes; the
// environment and state images get consistent-looking contents with random pointers.
void Generator::shape_x87(Insn& i, TestCase& c, bool boundary) {
    const InsnDesc& d = *i.desc;
    if (!i.mem || d.x87_store || d.x87_class == X87Class::Reserved) return;
    const int seg = operand_segment(i);
    const uint32_t ea = effective_address(i.addr, c.regs);
    uint8_t buf[512];
    for (uint8_t& b : buf) b = uint8_t(rnd());
    auto env = [&](uint8_t* p, bool op32) {
        const uint16_t cw = random_fcw(false);
        uint16_t sw = random_fsw(cw);
        if (chance(10)) sw ^= 0x8080;  // ES/B that do not match: the CPU recomputes them
        uint16_t tw = 0;
        for (unsigned r = 0; r < 8; ++r) tw |= uint16_t((chance(30) ? 3 : below(3)) << (2 * r));
        const unsigned w = op32 ? 4 : 2;
        std::memcpy(p, &cw, 2);
        std::memcpy(p + w, &sw, 2);
        std::memcpy(p + 2 * w, &tw, 2);
    };
    unsigned n = i.mem_operand_bytes();
    switch (d.x87_fmt) {
        case X87Fmt::F32: { const uint32_t v = random_f32(boundary); std::memcpy(buf, &v, 4); break; }
        case X87Fmt::F64: { const uint64_t v = random_f64(boundary); std::memcpy(buf, &v, 8); break; }
        case X87Fmt::F80: random_f80(buf, boundary); break;
        case X87Fmt::I16: { const uint64_t v = random_int(16, boundary); std::memcpy(buf, &v, 2); break; }
        case X87Fmt::I32: { const uint64_t v = random_int(32, boundary); std::memcpy(buf, &v, 4); break; }
        case X87Fmt::I64: { const uint64_t v = random_int(64, boundary); std::memcpy(buf, &v, 8); break; }
        case X87Fmt::Bcd: random_bcd(buf, boundary); break;
        case X87Fmt::Word: { const uint16_t v = random_fcw(false); std::memcpy(buf, &v, 2); break; }
        case X87Fmt::Env: env(buf, i.opsize == 32); break;
        case X87Fmt::Save: {
            env(buf, i.opsize == 32);
            const unsigned e = i.opsize == 32 ? 28 : 14;
            for (unsigned r = 0; r < 8; ++r) random_f80(buf + e + 10 * r, boundary);
            break;
        }
        case X87Fmt::FxSave: {
            FxImage f;
            std::memcpy(f.b, buf, 512);
            const uint16_t cw = random_fcw(false);
            f.put16(0, cw);
            f.put16(2, random_fsw(cw) ^ (chance(10) ? 0x8080 : 0));
            if (chance(70)) f.b[5] = 0;
            f.put16(6, uint16_t(rnd() & (chance(80) ? 0x7FF : 0xFFFF)));
            // MXCSR: valid (the SSE state is not the test's business), now and then with a
            // reserved bit set, which is #GP(0).
            f.put32(24, chance(3) ? rnd() : 0x1F80 | (chance(20) ? rnd() & 0x7F : 0));
            for (unsigned r = 0; r < 8; ++r) random_f80(f.b + 32 + 16 * r, boundary);
            std::memcpy(buf, f.b, 512);
            break;
        }
        case X87Fmt::None: n = 0; break;
    }
    for (unsigned k = 0; k < n; ++k) c.mem[mem_key(seg, ea + k)] = buf[k];
}

}  // namespace vmm86::difftest
