// DAA DAS AAA AAS AAM AAD: the SDM's worked examples, AAM 0 as #DE, and the emulator
// against the host CPU over every AL (with several AH and every CF/AF) — run natively in
// compatibility mode, since these opcodes are invalid in 64-bit mode.
#include <gtest/gtest.h>

#include <random>

#include "insn_check.h"

namespace vmm86::test {
namespace {

Form plain(const char* name, std::vector<uint8_t> bytes) {
    Form f;
    f.width = 8;
    f.opcode = std::move(bytes);
    f.name = name;
    return f;
}
const Form kDaa = plain("daa", {0x27}), kDas = plain("das", {0x2F});
const Form kAaa = plain("aaa", {0x37}), kAas = plain("aas", {0x3F});
Form aam(uint8_t base) { return plain(("aam " + std::to_string(base)).c_str(), {0xD4, base}); }
Form aad(uint8_t base) { return plain(("aad " + std::to_string(base)).c_str(), {0xD5, base}); }

native::Regs ax_flags(uint16_t ax, uint32_t flags) {
    native::Regs r;
    r.eax = 0xA5A50000u | ax;
    r.ecx = 0x0C0C0C0C;
    r.edx = 0x0D0D0D0D;
    r.ebx = 0x0B0B0B0B;
    r.eflags = flags;
    return r;
}

struct Fixed {
    Form form;
    uint16_t ax;
    uint32_t flags_in;
    uint16_t ax_out;
    uint32_t flags_out;
};

TEST(BcdFixed, SdmExamplesAndIntelUndefinedFlags) {
    const Fixed cases[] = {
        // ADD AL,35h with AL=79h leaves AEh, CF=0 AF=0: DAA gives 14h, CF=AF=1.
        {kDaa, 0x00AE, 0, 0x0014, FLAG_CF | FLAG_AF | FLAG_PF},
        {kDaa, 0x009A, 0, 0x0000, FLAG_CF | FLAG_AF | FLAG_ZF | FLAG_PF},
        {kDaa, 0x0012, FLAG_AF | FLAG_OF, 0x0018, FLAG_AF | FLAG_PF},  // OF cleared
        // SUB AL,47h with AL=35h leaves EEh, CF=AF=1: DAS gives 88h, CF=1.
        {kDas, 0x00EE, FLAG_CF | FLAG_AF, 0x0088, FLAG_CF | FLAG_AF | FLAG_SF | FLAG_PF},
        {kDas, 0x0080, FLAG_AF, 0x007A, FLAG_AF},  // DAS keeps CF = 0: no borrow, AL <= 99h
        // ADD AL,08h with AX=0009h leaves 0011h with AF=1: AAA gives 0107h.
        {kAaa, 0x0011, FLAG_AF, 0x0107, FLAG_AF | FLAG_CF},
        {kAaa, 0x00FA, 0, 0x0200, FLAG_AF | FLAG_CF | FLAG_ZF | FLAG_PF},  // AX + 106h carries into AH
        {kAaa, 0x0005, FLAG_SF | FLAG_OF, 0x0005, FLAG_PF},
        {kAas, 0x0000, FLAG_AF, 0xFE0A, FLAG_AF | FLAG_CF | FLAG_PF},  // AX - 6 borrows from AH
        {kAas, 0x0208, 0, 0x0208, 0},
        // AAM: AH = AL / base, AL = AL mod base; CF AF OF cleared.
        {aam(10), 0x003F, 0x8D5, 0x0603, FLAG_PF},
        {aam(16), 0x00FF, 0, 0x0F0F, FLAG_PF},
        {aam(1), 0x0080, 0, 0x8000, FLAG_ZF | FLAG_PF},
        // AAD: AL = AL + AH * base, AH = 0; CF AF OF from that byte addition.
        {aad(10), 0x0603, 0, 0x003F, FLAG_PF},
        {aad(16), 0x0F0F, 0, 0x00FF, FLAG_SF | FLAG_PF},
        {aad(10), 0x1A0A, 0, 0x000E, 0},                  // 1Ah*0Ah = 104h: only the low byte counts
        {aad(10), 0x19F0, 0, 0x00EA, FLAG_CF | FLAG_SF},  // F0h + FAh carries
        {aad(10), 0x0109, 0, 0x0013, FLAG_AF},
        {aad(16), 0x0170, 0, 0x0080, FLAG_OF | FLAG_SF},  // 70h + 10h overflows
    };
    for (const Fixed& c : cases) {
        const native::Regs got = run_emulated(c.form, ax_flags(c.ax, c.flags_in), false);
        EXPECT_EQ(got.eax, 0xA5A50000u | c.ax_out) << c.form.name << " ax=" << std::hex << c.ax;
        EXPECT_EQ(got.eflags & kArith, c.flags_out) << c.form.name << " ax=" << std::hex << c.ax;
        if (native::native_available()) {
            const native::Regs host = run_native(c.form, ax_flags(c.ax, c.flags_in));
            EXPECT_TRUE(same(host, got)) << c.form.name << "\n host " << describe(host) << "\n emu  " << describe(got);
        }
    }
}

TEST(BcdFixed, AamZeroRaisesDivideErrorWithNothingChanged) {
    const native::Regs in = ax_flags(0x1234, 0x8D5);
    const native::Regs got = run_emulated(aam(0), in, false);
    EXPECT_TRUE(got.divide_error);
    EXPECT_EQ(got.eax, in.eax);
    EXPECT_EQ(got.eflags & kArith, 0x8D5u);
    const native::Regs got_aad = run_emulated(aad(0), in, false);  // AAD 0 is fine: AL stays
    EXPECT_FALSE(got_aad.divide_error);
    EXPECT_EQ(got_aad.eax, 0xA5A50034u);
}

// --- against the host ---------------------------------------------------------------------

TEST(BcdVsHost, DecimalAdjustsEveryAlAfAndCf) {
    REQUIRE_NATIVE();
    int budget = 12, bad = 0;
    for (const Form* f : {&kDaa, &kDas, &kAaa, &kAas})
        for (unsigned ah : {0x00u, 0x01u, 0x7Fu, 0x80u, 0xFEu, 0xFFu})
            for (unsigned al = 0; al < 256; ++al)
                for (uint32_t fl : {0x000u, 0x001u, 0x010u, 0x011u, 0x8C4u, 0x8D5u})
                    bad += check_against_host(*f, ax_flags(uint16_t(ah << 8 | al), fl), &budget);
    EXPECT_EQ(bad, 0);
}

TEST(BcdVsHost, AamEveryAlAndBase) {
    REQUIRE_NATIVE();
    std::mt19937 rng(77);
    int budget = 12, bad = 0;
    for (unsigned base = 0; base < 256; ++base)
        for (unsigned al = 0; al < 256; al += (base % 16 == 10 ? 1 : 7))
            bad += check_against_host(aam(uint8_t(base)), ax_flags(uint16_t((rng() & 0xFF00) | al), rng() & kArith), &budget);
    EXPECT_EQ(bad, 0);
}

TEST(BcdVsHost, AadEveryAxForBase10AndSamplesOfEveryBase) {
    REQUIRE_NATIVE();
    std::mt19937 rng(78);
    int budget = 12, bad = 0;
    for (unsigned ax = 0; ax < 0x10000; ax += 3)
        bad += check_against_host(aad(10), ax_flags(uint16_t(ax), rng() & kArith), &budget);
    for (unsigned base = 0; base < 256; ++base)
        for (int i = 0; i < 64; ++i)
            bad += check_against_host(aad(uint8_t(base)), ax_flags(uint16_t(rng()), rng() & kArith), &budget);
    EXPECT_EQ(bad, 0);
}

}  // namespace
}  // namespace vmm86::test
