// SHL/SAL SHR SAR ROL ROR RCL RCR and SHLD/SHRD: fixed architectural cases, the helper
// model against the host CPU for every count, and the emulator (register and memory
// forms, by 1, imm8 and CL, 8/16/32-bit) against the host CPU.
#include <gtest/gtest.h>

#include <random>

#include "insn_check.h"
#include "jit/frontend/lower_shift_helpers.h"

namespace vmm86::test {
namespace {

constexpr uint8_t kRm = 3;  // BL/BX/EBX as the r/m operand; CL is the count, DX the SHxD source
const char* const kNames[] = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar", "shld", "shrd"};

// Group 2 forms. count < 0: CL; count == 1 with by_one: the D0/D1 encoding.
Form group2(ShiftKind k, unsigned width, int count, bool by_one = false, uint8_t rm = kRm) {
    Form f;
    f.width = width;
    const uint8_t w = width == 8 ? 0 : 1;
    f.modrm = 0xC0 | unsigned(k) << 3 | rm;
    if (count < 0) f.opcode = {uint8_t(0xD2 | w)};
    else if (by_one) f.opcode = {uint8_t(0xD0 | w)};
    else f.opcode = {uint8_t(0xC0 | w)}, f.imm = {uint8_t(count)};
    f.name = std::string(kNames[k]) + std::to_string(width) + (count < 0 ? " cl" : by_one ? " 1" : " imm" + std::to_string(count));
    return f;
}

Form double_form(ShiftKind k, unsigned width, int count) {
    Form f;
    f.width = width;
    const uint8_t base = k == SK_SHLD ? 0xA4 : 0xAC;
    f.opcode = {0x0F, uint8_t(base | (count < 0 ? 1 : 0))};
    f.modrm = 0xC0 | EDX << 3 | kRm;
    if (count >= 0) f.imm = {uint8_t(count)};
    f.name = std::string(kNames[k]) + std::to_string(width) + (count < 0 ? " cl" : " imm" + std::to_string(count));
    return f;
}

native::Regs input(uint32_t dst, uint32_t cl, uint32_t flags, uint32_t src = 0x5A5AC3C3) {
    native::Regs r;
    r.eax = 0x11111111;
    r.ebx = dst;
    r.ecx = 0xCCCC0000 | cl;
    r.edx = src;
    r.esi = 0x22222222;
    r.edi = 0x33333333;
    r.ebp = 0x44444444;
    r.eflags = flags;
    return r;
}

// --- fixed cases: the SDM's defined results, and what Intel does with the undefined -----

struct Fixed {
    ShiftKind kind;
    unsigned width;
    uint32_t dst, src, count, flags_in, result, flags_out;
};

TEST(ShiftFixed, ArchitecturalResultsAndFlags) {
    const Fixed cases[] = {
        {SK_SHL, 8, 0x81, 0, 1, 0x000, 0x02, FLAG_CF | FLAG_OF},
        {SK_SHL, 16, 0x4000, 0, 1, 0x000, 0x8000, FLAG_SF | FLAG_OF | FLAG_PF},
        {SK_SHL, 8, 0x80, 0, 2, 0x000, 0x00, FLAG_ZF | FLAG_PF | FLAG_OF},  // OF of the first step
        {SK_SHL, 8, 0x03, 0, 9, 0x000, 0x00, FLAG_ZF | FLAG_PF},            // CF = 0 beyond the width
        {SK_SHL, 16, 0x1234, 0, 32, 0x8D5, 0x1234, 0x8D5},                  // masked count 0
        {SK_SHL, 32, 0x00000001, 0, 0x3F, 0x000, 0x80000000, FLAG_SF | FLAG_PF},      // count & 31 = 31
        {SK_SHR, 16, 0x8001, 0, 1, 0x000, 0x4000, FLAG_CF | FLAG_OF | FLAG_PF},
        {SK_SHR, 8, 0x80, 0, 7, 0x8D5, 0x01, FLAG_OF},  // OF = MSB(dst) for any count; AF = 0
        {SK_SAR, 16, 0x8000, 0, 16, 0x000, 0xFFFF, FLAG_CF | FLAG_SF | FLAG_PF},
        {SK_SAR, 8, 0x7F, 0, 1, 0x8D5, 0x3F, FLAG_CF | FLAG_PF},
        {SK_ROL, 16, 0x8001, 0, 1, 0x000, 0x0003, FLAG_CF | FLAG_OF},
        {SK_ROL, 8, 0x81, 0, 8, 0x0D4, 0x81, 0x0D4 | FLAG_CF | FLAG_OF},  // no rotation, CF/OF still set
        {SK_ROR, 32, 0x00000001, 0, 1, 0x000, 0x80000000, FLAG_CF | FLAG_OF},
        {SK_RCL, 8, 0x80, 0, 1, 0x000, 0x00, FLAG_CF | FLAG_OF},
        {SK_RCL, 8, 0x38, 0, 9, 0x815, 0x38, 0x815},  // count mod 9 = 0: nothing changes
        {SK_RCL, 16, 0x0001, 0, 17, 0x001, 0x0001, 0x001},
        {SK_RCR, 8, 0x01, 0, 1, 0x001, 0x80, FLAG_CF | FLAG_OF},
        {SK_RCR, 16, 0x0000, 0, 16, 0x001, 0x0001, FLAG_OF},  // CF went round to bit 0
        {SK_SHLD, 16, 0x1234, 0xABCD, 4, 0x000, 0x234A, FLAG_CF},
        {SK_SHLD, 16, 0x1235, 0x5678, 16, 0x8D5, 0x5678, FLAG_CF | FLAG_PF},  // CF = bit 0 of dst
        {SK_SHRD, 16, 0x8000, 0xFFFF, 16, 0x000, 0xFFFF, FLAG_CF | FLAG_SF | FLAG_PF},  // CF = bit 15
        {SK_SHLD, 16, 0x1234, 0xABCD, 17, 0x000, 0x579A, FLAG_CF | FLAG_PF},  // dst:src:dst
        {SK_SHLD, 32, 0x80000000, 0x80000000, 1, 0x000, 0x00000001, FLAG_CF | FLAG_OF},
        {SK_SHRD, 16, 0x1234, 0xABCD, 16, 0x000, 0xABCD, FLAG_SF | FLAG_OF},
        {SK_SHRD, 16, 0x1234, 0xABCD, 31, 0x000, 0x2469, FLAG_OF | FLAG_PF},
        {SK_SHRD, 32, 0x00000001, 0x00000001, 1, 0x000, 0x80000000, FLAG_CF | FLAG_SF | FLAG_OF | FLAG_PF},
    };
    for (const Fixed& c : cases) {
        const ShiftOutcome o = shift_compute(c.kind, c.width / 8, c.dst, c.src, c.count, c.flags_in);
        EXPECT_EQ(o.result, c.result) << kNames[c.kind] << c.width << " " << std::hex << c.dst << " n=" << c.count;
        EXPECT_EQ(o.flags, c.flags_out) << kNames[c.kind] << c.width << " " << std::hex << c.dst << " n=" << c.count;
        // The same case on the emulator, by CL (register form).
        const Form f = c.kind >= SK_SHLD ? double_form(c.kind, c.width, -1) : group2(c.kind, c.width, -1);
        const native::Regs got = run_emulated(f, input(c.dst, c.count, c.flags_in, c.src), false);
        EXPECT_EQ(got.ebx & (c.width == 32 ? ~0u : (1u << c.width) - 1), c.result) << f.name;
        EXPECT_EQ(got.eflags & kArith, c.flags_out) << f.name;
    }
}

TEST(ShiftFixed, SalAliasSlash6IsShl) {
    CpuHarness h;
    h.code({0xD0, 0xF3, 0xF4});  // D0 /6 bl: the undocumented SAL encoding
    h.s().gpr[EBX] = 0x81;
    h.set_flags(0);
    h.run_to_halt();
    EXPECT_EQ(h.reg16(EBX), 0x02);
    EXPECT_EQ(h.flags() & kArith, uint32_t(FLAG_CF | FLAG_OF));
}

TEST(ShiftFixed, RotateByImmediateOtherThanOneKeepsOf) {
    // Intel CPUs compute OF for ROL/ROR by CL, but keep it for imm8 counts above 1.
    for (uint8_t modrm : {0xC3, 0xCB}) {  // rol bl / ror bl
        CpuHarness h;
        h.code({0xC0, modrm, 0x02, 0xF4});
        h.s().gpr[EBX] = 0x00;
        h.set_flags(FLAG_OF | FLAG_CF);
        h.run_to_halt();
        EXPECT_EQ(h.flags() & kArith, uint32_t(FLAG_OF));  // CF = 0 (bit rotated last), OF kept
    }
}

TEST(ShiftFixed, MemoryOperandCountZeroWritesNothingAndKeepsFlags) {
    CpuHarness h;
    h.poke16(0x600, 0x8001);
    h.code({0xC1, 0x26, 0x00, 0x06, 0x20, 0xF4});  // shl word [0600h], 32 -> masked count 0
    h.set_flags(0x8D5);
    h.run_to_halt();
    EXPECT_EQ(h.peek16(0x600), 0x8001);
    EXPECT_EQ(h.flags() & kArith, 0x8D5u);
}

// --- the helper model against the host, every kind, size and count 0..255 --------------

std::vector<uint32_t> sample_values(std::mt19937& rng, unsigned n) {
    std::vector<uint32_t> v = {0, 1, 0x80, 0x7F, 0xFF, 0x8000, 0x7FFF, 0xFFFF, 0x80000000, 0x7FFFFFFF,
                               0xFFFFFFFF, 0x12345678, 0x80000001, 0x00008001, 0x00000081};
    while (v.size() < n) v.push_back(rng());
    return v;
}

TEST(ShiftModel, MatchesHostForEveryKindSizeAndCount) {
    REQUIRE_NATIVE();
    std::mt19937 rng(12345);
    int bad = 0;
    for (ShiftKind k : {SK_ROL, SK_ROR, SK_RCL, SK_RCR, SK_SHL, SK_SHR, SK_SAR, SK_SHLD, SK_SHRD}) {
        for (unsigned width : {8u, 16u, 32u}) {
            if (k >= SK_SHLD && width == 8) continue;
            const Form f = k >= SK_SHLD ? double_form(k, width, -1) : group2(k, width, -1);
            for (unsigned count = 0; count < 256; ++count) {
                for (uint32_t v : sample_values(rng, 24)) {
                    const native::Regs in = input(v, count, rng() & kArith, rng());
                    const native::Regs host = run_native(f, in);
                    const uint32_t mask = width == 32 ? ~0u : (1u << width) - 1;
                    const ShiftOutcome o = shift_compute(k, width / 8, v & mask, in.edx & mask, count, in.eflags);
                    if (o.result == (host.ebx & mask) && o.flags == (host.eflags & kArith)) continue;
                    if (bad++ < 10)
                        ADD_FAILURE() << f.name << " dst=" << std::hex << v << " src=" << in.edx << " n=" << count
                                      << " fl=" << in.eflags << ": host " << (host.ebx & mask) << "/"
                                      << (host.eflags & kArith) << " model " << o.result << "/" << o.flags;
                }
            }
        }
    }
    EXPECT_EQ(bad, 0);
}

// --- UndefinedFlags::I386: the 80386's OF after multi-bit rotates ------------------------

// OF by the SDM's count-1 rule, taken from the result (what the 80386 does for any count).
uint32_t one_bit_rule_of(ShiftKind k, unsigned width, uint32_t r, uint32_t flags) {
    const uint32_t msb = (r >> (width - 1)) & 1, below = (r >> (width - 2)) & 1, cf = flags & FLAG_CF;
    const uint32_t of = k == SK_ROL || k == SK_RCL ? msb ^ cf : msb ^ below;
    return of ? uint32_t(FLAG_OF) : 0u;
}

TEST(ShiftModel, I386RotatesTakeOfFromTheOneBitRuleAndChangeNothingElse) {
    std::mt19937 rng(386);
    for (ShiftKind k : {SK_ROL, SK_ROR, SK_RCL, SK_RCR}) {
        for (unsigned width : {8u, 16u, 32u}) {
            const uint32_t mask = width == 32 ? ~0u : (1u << width) - 1;
            for (unsigned count = 0; count < 64; ++count) {
                for (uint32_t v : sample_values(rng, 20)) {
                    const uint32_t fin = rng() & kArith;
                    const ShiftOutcome intel = shift_compute(k, width / 8, v & mask, 0, count, fin);
                    const ShiftOutcome i386 = shift_compute(k, width / 8, v & mask, 0, count, fin, UndefinedFlags::I386);
                    EXPECT_EQ(i386.result, intel.result);
                    EXPECT_EQ(i386.flags & ~FLAG_OF, intel.flags & ~FLAG_OF) << kNames[k] << width << " n=" << count;
                    // A masked count of 0, or RCL/RCR by a multiple of width + 1: no change.
                    const unsigned n = count & 31;
                    const bool unchanged = n == 0 || ((k == SK_RCL || k == SK_RCR) && width < 32 && n % (width + 1) == 0);
                    const uint32_t want = unchanged ? (fin & FLAG_OF) : one_bit_rule_of(k, width, i386.result, i386.flags);
                    EXPECT_EQ(i386.flags & FLAG_OF, want) << kNames[k] << width << std::hex << " v=" << v << " n=" << count;
                    if ((count & 31) == 1) EXPECT_EQ(i386.flags, intel.flags);  // defined: both agree
                }
            }
        }
    }
}

TEST(ShiftFixed, I386OfAfterRotatesByImmediateAndCl) {
    struct Case {
        uint8_t modrm;      // reg field: the rotate
        uint8_t value, count;
        uint32_t flags_in, result, flags_out;
    };
    const Case cases[] = {
        {0xC3, 0x01, 7, 0, 0x80, FLAG_OF},                      // rol bl: MSB 1, CF 0
        {0xCB, 0x02, 2, 0, 0x80, FLAG_CF | FLAG_OF},            // ror bl: top bits 1, 0
        {0xD3, 0x01, 7, FLAG_CF, 0xC0, FLAG_OF},                // rcl bl: CF:BL rotated, MSB 1, CF 0
        {0xDB, 0x80, 2, FLAG_OF, 0x20, 0},                      // rcr bl: top bits 0, 0
        {0xC3, 0xFE, 7, FLAG_OF, 0x7F, FLAG_CF | FLAG_OF},      // rol bl: MSB 0, CF 1
    };
    for (const Case& c : cases) {
        for (bool by_cl : {false, true}) {
            CpuHarness h;
            h.cpu().undefined_flags = UndefinedFlags::I386;
            if (by_cl) h.code({0xD2, c.modrm, 0xF4});
            else h.code({0xC0, c.modrm, c.count, 0xF4});
            h.s().gpr[EBX] = c.value;
            h.s().gpr[ECX] = c.count;
            h.set_flags(c.flags_in);
            h.run_to_halt();
            EXPECT_EQ(h.reg16(EBX) & 0xFF, c.result) << std::hex << int(c.modrm) << (by_cl ? " cl" : " imm");
            EXPECT_EQ(h.flags() & (FLAG_CF | FLAG_OF), c.flags_out) << std::hex << int(c.modrm) << (by_cl ? " cl" : " imm");
        }
    }
}

// --- the emulator against the host ---------------------------------------------------

void emulator_matches_host(ShiftKind k, unsigned width) {
    std::mt19937 rng(1000 + k * 64 + width);
    int budget = 10, bad = 0;
    const std::vector<uint32_t> values = sample_values(rng, 18);
    const unsigned counts[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 18, 24, 31, 32, 33, 40};
    auto run = [&](const Form& f, uint32_t cl, uint32_t v) {
        bad += check_against_host(f, input(v, cl, rng() & kArith, rng()), &budget);
    };
    for (uint32_t v : values) {
        if (k < SK_SHLD) run(group2(k, width, 1, true), 0, v);
        for (unsigned n : counts) {
            run(k < SK_SHLD ? group2(k, width, int(n)) : double_form(k, width, int(n)), 0, v);
            run(k < SK_SHLD ? group2(k, width, -1) : double_form(k, width, -1), n, v);
        }
    }
    // An 8-bit rotate of AH (r/m = 4): the high-byte register path.
    if (width == 8 && k < SK_SHLD)
        for (unsigned n : counts) bad += check_against_host(group2(k, 8, -1, false, 4), input(0, n, rng() & kArith), &budget);
    EXPECT_EQ(bad, 0);
}

class ShiftVsHost : public ::testing::TestWithParam<std::tuple<ShiftKind, unsigned>> {};

TEST_P(ShiftVsHost, RegisterAndMemoryFormsByOneImmAndCl) {
    REQUIRE_NATIVE();
    emulator_matches_host(std::get<0>(GetParam()), std::get<1>(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Group2, ShiftVsHost,
                         ::testing::Combine(::testing::Values(SK_ROL, SK_ROR, SK_RCL, SK_RCR, SK_SHL, SK_SHR, SK_SAR),
                                            ::testing::Values(8u, 16u, 32u)),
                         [](const auto& info) {
                             return std::string(kNames[std::get<0>(info.param)]) + std::to_string(std::get<1>(info.param));
                         });
INSTANTIATE_TEST_SUITE_P(Double, ShiftVsHost,
                         ::testing::Combine(::testing::Values(SK_SHLD, SK_SHRD), ::testing::Values(16u, 32u)),
                         [](const auto& info) {
                             return std::string(kNames[std::get<0>(info.param)]) + std::to_string(std::get<1>(info.param));
                         });

}  // namespace
}  // namespace vmm86::test
