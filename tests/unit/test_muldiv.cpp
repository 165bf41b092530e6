// MUL, IMUL (1, 2 and 3 operands), DIV, IDIV: fixed architectural cases (including every
// kind of #DE, delivered precisely) and the emulator against the host CPU for register
// and memory operands at 8, 16 and 32 bits.
#include <gtest/gtest.h>

#include <random>

#include "insn_check.h"

namespace vmm86::test {
namespace {

// r/m = BL/BX/EBX throughout.
Form group3(const char* name, uint8_t ext, unsigned width) {
    Form f;
    f.width = width;
    f.opcode = {uint8_t(width == 8 ? 0xF6 : 0xF7)};
    f.modrm = 0xC0 | ext << 3 | EBX;
    f.name = std::string(name) + std::to_string(width);
    return f;
}
Form mul(unsigned w) { return group3("mul", 4, w); }
Form imul1(unsigned w) { return group3("imul", 5, w); }
Form div(unsigned w) { return group3("div", 6, w); }
Form idiv(unsigned w) { return group3("idiv", 7, w); }

Form imul2(unsigned w) {  // imul ax, bx
    Form f;
    f.width = w;
    f.opcode = {0x0F, 0xAF};
    f.modrm = 0xC0 | EAX << 3 | EBX;
    f.name = "imul2_" + std::to_string(w);
    return f;
}

Form imul3(unsigned w, uint32_t imm, bool imm8) {  // imul ax, bx, imm
    Form f;
    f.width = w;
    f.opcode = {uint8_t(imm8 ? 0x6B : 0x69)};
    f.modrm = 0xC0 | EAX << 3 | EBX;
    for (unsigned i = 0; i < (imm8 ? 1 : w / 8); ++i) f.imm.push_back(uint8_t(imm >> (8 * i)));
    f.name = "imul3_" + std::to_string(w) + (imm8 ? "_imm8" : "_imm");
    return f;
}

native::Regs regs(uint32_t eax, uint32_t edx, uint32_t ebx, uint32_t flags = 0) {
    native::Regs r;
    r.eax = eax;
    r.edx = edx;
    r.ebx = ebx;
    r.ecx = 0x0C0C0C0C;
    r.esi = 0x51515151;
    r.edi = 0xD1D1D1D1;
    r.ebp = 0xB9B9B9B9;
    r.eflags = flags;
    return r;
}

// --- fixed cases -----------------------------------------------------------------------

struct Fixed {
    Form form;
    native::Regs in;
    uint32_t eax, edx;  // expected (ignored on #DE: the registers must be unchanged)
    uint32_t flags;     // expected arithmetic flags
    bool de;
};

void check_fixed(const Fixed& c) {
    for (bool memory : {false, true}) {
        const native::Regs got = run_emulated(c.form, c.in, memory);
        const std::string where = c.form.name + (memory ? " [mem]" : " [reg]");
        EXPECT_EQ(got.divide_error, c.de) << where;
        EXPECT_EQ(got.eax, c.de ? c.in.eax : c.eax) << where;
        EXPECT_EQ(got.edx, c.de ? c.in.edx : c.edx) << where;
        EXPECT_EQ(got.ebx, c.in.ebx) << where;
        if (!c.de) EXPECT_EQ(got.eflags & kArith, c.flags) << where;
        if (native::native_available()) {  // and the host agrees with the expectation
            const native::Regs host = run_native(c.form, c.in);
            EXPECT_TRUE(same(host, got)) << where << "\n host " << describe(host) << "\n emu  " << describe(got);
        }
    }
}

constexpr uint32_t CO = FLAG_CF | FLAG_OF;

TEST(MulDivFixed, Multiply) {
    const Fixed cases[] = {
        // MUL: CF=OF = high half nonzero; SF/PF from the low half; ZF=AF=0 even for 0.
        {mul(8), regs(0x12345680, 0, 0x02), 0x12340100, 0, CO | FLAG_PF, false},
        {mul(8), regs(0x00000000, 0, 0x55, 0x8D5), 0x00000000, 0, FLAG_PF, false},
        {mul(16), regs(0x0000FFFF, 0x12340000, 0xFFFF), 0x00000001, 0x1234FFFE, CO, false},
        {mul(32), regs(0x80000000, 0, 0x00000002), 0x00000000, 1, CO | FLAG_PF, false},
        {mul(32), regs(0x7FFFFFFF, 0x5555, 0x00000001), 0x7FFFFFFF, 0, FLAG_PF, false},
        // IMUL one operand: CF=OF when the high half is not the sign of the low half.
        {imul1(8), regs(0x000000FF, 0, 0xFF), 0x00000001, 0, 0, false},         // -1 * -1
        {imul1(8), regs(0x00000080, 0, 0x01), 0x0000FF80, 0, FLAG_SF, false},   // -128: fits
        {imul1(8), regs(0x00000080, 0, 0xFF), 0x00000080, 0, CO | FLAG_SF, false},        // 128: does not
        {imul1(16), regs(0x00008000, 0, 0x8000), 0x00000000, 0x4000, CO | FLAG_PF, false},
        {imul1(32), regs(0xFFFFFFFF, 0, 0x00000005), 0xFFFFFFFB, 0xFFFFFFFF, FLAG_SF, false},
        // IMUL two and three operands: truncated product.
        {imul2(16), regs(0x11114000, 0, 0x0002), 0x11118000, 0, CO | FLAG_SF | FLAG_PF, false},
        {imul2(32), regs(0xFFFFFFFE, 0, 0xFFFFFFFE), 0x00000004, 0, 0, false},
        {imul3(16, 0xFF, true), regs(0x11110000, 0, 0x0003), 0x1111FFFD, 0, FLAG_SF, false},  // imm8 -1
        {imul3(32, 0x10000, false), regs(0, 0, 0x00010000), 0x00000000, 0, CO | FLAG_PF, false},
    };
    for (const Fixed& c : cases) check_fixed(c);
}

TEST(MulDivFixed, DivideAndItsFaults) {
    const uint32_t keep = 0x8D5;  // DIV/IDIV leave every arithmetic flag as it was
    const Fixed cases[] = {
        {div(8), regs(0x00000100, 0, 0x02, keep), 0x00000080, 0, keep, false},
        {div(8), regs(0x0000FFFF, 0, 0xFF, 0), 0, 0, 0, true},  // quotient 101h
        {div(8), regs(0x00001234, 0, 0x00, 0), 0, 0, 0, true},                           // by zero
        {div(16), regs(0x00005678, 0x1234, 0x2000), 0x000091A2, 0x00001678, 0, false},
        {div(16), regs(0x00000000, 0x0001, 0x0001), 0, 0, 0, true},
        {div(32), regs(0x00000000, 0x00000001, 0x00000002, keep), 0x80000000, 0, keep, false},
        {div(32), regs(0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFF), 0xFFFFFFFF, 0xFFFFFFFE, 0, false},
        {div(32), regs(0, 0xFFFFFFFF, 0xFFFFFFFF), 0, 0, 0, true},
        // IDIV: the quotient may be the most negative value, never one beyond the maximum.
        {idiv(8), regs(0x0000FF80, 0, 0x01), 0x00000080, 0, 0, false},   // -128 / 1
        {idiv(8), regs(0x0000FF00, 0, 0x02), 0x00000080, 0, 0, false},   // -256 / 2
        {idiv(8), regs(0x00000080, 0, 0x01), 0, 0, 0, true},             // 128 / 1
        {idiv(8), regs(0x0000FF80, 0, 0xFF), 0, 0, 0, true},             // -128 / -1
        {idiv(8), regs(0x0000FFF9, 0, 0x02), 0x0000FFFD, 0, 0, false},   // -7/2: q -3, r -1
        {idiv(16), regs(0x00000000, 0x00008000, 0xFFFF), 0, 0, 0, true},  // -2^31 / -1
        {idiv(16), regs(0x00008000, 0x0000FFFF, 0x0001), 0x00008000, 0, 0, false},  // -32768 / 1
        {idiv(32), regs(0x00000000, 0x80000000, 0xFFFFFFFF), 0, 0, 0, true},  // -2^63 / -1
        {idiv(32), regs(0x80000000, 0xFFFFFFFF, 0x00000001), 0x80000000, 0, 0, false},
        {idiv(32), regs(0x00000007, 0, 0xFFFFFFFE, keep), 0xFFFFFFFD, 1, keep, false},  // 7/-2
        {idiv(32), regs(0x12345678, 0, 0), 0, 0, 0, true},
    };
    for (const Fixed& c : cases) check_fixed(c);
}

// --- the emulator against the host ------------------------------------------------------

std::vector<uint32_t> operands(std::mt19937& rng, unsigned n) {
    std::vector<uint32_t> v = {0, 1, 2, 3, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
                               0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFFFFFE, 0xFFFFFFFF, 10};
    while (v.size() < n) {
        const uint32_t r = rng();
        v.push_back(r >> (rng() % 32));  // all magnitudes
    }
    return v;
}

int compare_many(const Form& f, bool divide, int& budget) {
    std::mt19937 rng(std::hash<std::string>{}(f.name));
    const std::vector<uint32_t> vals = operands(rng, 40);
    int bad = 0;
    for (uint32_t a : vals) {
        for (uint32_t b : vals) {
            // For divides, a high half that is often small enough for the quotient to fit.
            uint32_t d = rng();
            if (divide && (rng() & 1)) d = (rng() & 3) ? b >> (rng() % 32) : (int32_t(a) < 0 ? ~0u : 0);
            bad += check_against_host(f, regs(a, d, b, rng() & kArith), &budget);
        }
    }
    return bad;
}

TEST(MulDivVsHost, MulAndImul) {
    REQUIRE_NATIVE();
    int budget = 12, bad = 0;
    for (unsigned w : {8u, 16u, 32u}) {
        bad += compare_many(mul(w), false, budget);
        bad += compare_many(imul1(w), false, budget);
        if (w == 8) continue;
        bad += compare_many(imul2(w), false, budget);
        for (uint32_t imm : {0x00u, 0x01u, 0x7Fu, 0x80u, 0xFFu, 0x35u}) bad += compare_many(imul3(w, imm, true), false, budget);
        for (uint32_t imm : {0x00000000u, 0x00007FFFu, 0xFFFF8000u, 0x12345678u, 0x80000000u, 0xFFFFFFFFu})
            bad += compare_many(imul3(w, imm, false), false, budget);
    }
    EXPECT_EQ(bad, 0);
}

TEST(MulDivVsHost, DivAndIdivIncludingDivideErrors) {
    REQUIRE_NATIVE();
    int budget = 12, bad = 0;
    for (unsigned w : {8u, 16u, 32u}) {
        bad += compare_many(div(w), true, budget);
        bad += compare_many(idiv(w), true, budget);
    }
    EXPECT_EQ(bad, 0);
}

TEST(MulDivVsHost, IdivQuotientLimitsAtEachSize) {
    REQUIRE_NATIVE();
    int budget = 12, bad = 0;
    // Dividends around -2^(2w-1) .. and divisors +-1, +-2: quotients at and past the limits.
    for (unsigned w : {8u, 16u, 32u}) {
        const uint64_t lo_half = w == 32 ? ~0ull >> 32 : (1ull << w) - 1;
        for (int64_t q : {-(1ll << (w - 1)) - 1, -(1ll << (w - 1)), (1ll << (w - 1)) - 1, 1ll << (w - 1)}) {
            for (int64_t dv : {1, -1, 2, -2}) {
                for (int64_t rem : {0, 1, -1}) {
                    if (rem && (rem > 0) != (q * dv >= 0)) continue;  // remainder takes the dividend's sign
                    const uint64_t n = uint64_t(q * dv + rem);
                    uint32_t eax, edx;
                    if (w == 8) eax = uint32_t(n & 0xFFFF), edx = 0;
                    else eax = uint32_t(n & lo_half), edx = uint32_t((n >> w) & lo_half);
                    bad += check_against_host(idiv(w), regs(eax, edx, uint32_t(dv), 0x8D5), &budget);
                }
            }
        }
    }
    EXPECT_EQ(bad, 0);
}

}  // namespace
}  // namespace vmm86::test
