// String instructions and port I/O in real mode: MOVS CMPS SCAS LODS STOS INS OUTS with
// and without REP, DF, 16/32-bit addressing, segment overrides, faults in the middle of
// a REP, and IN/OUT through the port bus.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "cpu_harness.h"
#include "native_x86.h"

namespace vmm86::test {
namespace {

void fill(CpuHarness& h, uint32_t linear, const char* text) {
    h.mem().write_bytes(linear, text, std::strlen(text));
}

// The arithmetic flags the host CPU gives for CMP a, b at `size` bytes (or the expected
// value when the host cannot run 32-bit code).
uint32_t host_cmp_flags(uint32_t a, uint32_t b, unsigned size, uint32_t fallback) {
    if (!native::native_available()) return fallback;
    native::Regs r;
    r.eax = a;
    r.ebx = b;
    std::vector<uint8_t> code = size == 1 ? std::vector<uint8_t>{0x38, 0xD8}          // cmp al,bl
                                : size == 2 ? std::vector<uint8_t>{0x66, 0x39, 0xD8}  // cmp ax,bx
                                            : std::vector<uint8_t>{0x39, 0xD8};       // cmp eax,ebx
    return native::run(code, r).eflags & native::kArithFlags;
}

TEST(String, MovsbForwardAndMovswBackward) {
    CpuHarness h;
    fill(h, 0x300, "ABCD");
    h.s().gpr[ESI] = 0x300;
    h.s().gpr[EDI] = 0x400;
    // movsb; std; movsw; hlt
    h.code({0xA4, 0xFD, 0xA5, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.peek8(0x400), 'A');
    EXPECT_EQ(h.peek16(0x401), 0x4342);  // "BC" copied from 301 to 401
    EXPECT_EQ(h.reg32(ESI), 0x2FFu);
    EXPECT_EQ(h.reg32(EDI), 0x3FFu);
}

TEST(String, RepMovsbCopiesCxBytes) {
    CpuHarness h;
    fill(h, 0x300, "hello, world");
    h.s().gpr[ESI] = 0x300;
    h.s().gpr[EDI] = 0x500;
    h.s().gpr[ECX] = 0xABCD0005;  // 16-bit addressing counts CX only
    h.code({0xF3, 0xA4, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(std::memcmp(h.mem().ram() + 0x500, "hello", 5), 0);
    EXPECT_EQ(h.peek8(0x505), 0);
    EXPECT_EQ(h.reg32(ECX), 0xABCD0000u);
    EXPECT_EQ(h.reg32(ESI), 0x305u);
    EXPECT_EQ(h.reg32(EDI), 0x505u);
}

TEST(String, RepWithCountZeroDoesNothing) {
    CpuHarness h;
    h.poke(0x300, {0x11, 0x22});
    h.s().gpr[ESI] = 0x300;
    h.s().gpr[EDI] = 0x400;
    h.s().gpr[ECX] = 0xFFFF0000;
    h.s().gpr[EAX] = 0x11;
    h.set_flags(FLAG_CF | FLAG_SF);
    // rep movsb; repe cmpsb; repne scasb; rep stosw; rep lodsb; hlt
    h.code({0xF3, 0xA4, 0xF3, 0xA6, 0xF2, 0xAE, 0xF3, 0xAB, 0xF3, 0xAC, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.peek16(0x400), 0);
    EXPECT_EQ(h.reg32(ESI), 0x300u);
    EXPECT_EQ(h.reg32(EDI), 0x400u);
    EXPECT_EQ(h.reg32(EAX), 0x11u);
    EXPECT_EQ(h.reg32(ECX), 0xFFFF0000u);
    EXPECT_EQ(h.flags(), FLAGS_FIXED1 | FLAG_CF | FLAG_SF);  // no compare happened
}

TEST(String, RepMovswBackwardWithDf) {
    CpuHarness h;
    h.poke(0x300, {1, 2, 3, 4, 5, 6});
    h.s().gpr[ESI] = 0x304;
    h.s().gpr[EDI] = 0x404;
    h.s().gpr[ECX] = 3;
    h.set_flags(FLAG_DF);
    h.code({0xF3, 0xA5, 0xF4});
    h.run_to_halt();
    const uint8_t expect[6] = {1, 2, 3, 4, 5, 6};
    EXPECT_EQ(std::memcmp(h.mem().ram() + 0x400, expect, 6), 0);
    EXPECT_EQ(h.reg32(ESI), 0x2FEu);
    EXPECT_EQ(h.reg32(EDI), 0x3FEu);
    EXPECT_EQ(h.reg32(ECX), 0u);
}

TEST(String, AddressSize32UsesEsiEdiEcx) {
    CpuHarness h;
    // Unreal-mode limits so 32-bit offsets above 64 KiB are legal.
    h.s().seg[DS].limit = 0xFFFFFFFF;
    h.s().seg[ES].limit = 0xFFFFFFFF;
    h.poke32(0x20000, 0x11223344);
    h.poke32(0x20004, 0x55667788);
    h.poke32(0x20008, 0x99AABBCC);
    h.s().gpr[ESI] = 0x20000;
    h.s().gpr[EDI] = 0x30000;
    h.s().gpr[ECX] = 3;
    // rep movsd with 32-bit addressing (F3 66 67 A5); lodsb with 67 (67 AC); hlt
    h.code({0xF3, 0x66, 0x67, 0xA5, 0x67, 0xAC, 0xF4});
    h.poke(0x2000C, {0x5A});
    h.run_to_halt();
    EXPECT_EQ(h.peek32(0x30000), 0x11223344u);
    EXPECT_EQ(h.peek32(0x30008), 0x99AABBCCu);
    EXPECT_EQ(h.reg32(ESI), 0x2000Du);
    EXPECT_EQ(h.reg32(EDI), 0x3000Cu);
    EXPECT_EQ(h.reg32(ECX), 0u);
    EXPECT_EQ(h.reg32(EAX) & 0xFF, 0x5Au);
}

TEST(String, AddressSize16WrapsSiAndKeepsUpperEsi) {
    CpuHarness h;
    h.set_seg(DS, 0x1000);
    h.poke(0x1FFFF, {0x77});
    h.poke(0x10000, {0x88});  // the wrapped SI reads DS:0000
    h.s().gpr[ESI] = 0xABCDFFFF;
    h.s().gpr[EDI] = 0x500;
    h.s().gpr[ECX] = 2;
    h.code({0xF3, 0xA4, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.peek8(0x500), 0x77);
    EXPECT_EQ(h.peek8(0x501), 0x88);
    EXPECT_EQ(h.reg32(ESI), 0xABCD0001u);
}

TEST(String, SegmentOverrideAppliesToTheSourceOnly) {
    CpuHarness h;
    h.set_seg(DS, 0x1000);
    h.set_seg(ES, 0x2000);
    h.set_seg(FS, 0x3000);
    h.poke(0x10010, {0xD5});
    h.poke(0x30010, {0xF5});
    h.poke(0x20011, {0xE6});
    h.s().gpr[ESI] = 0x10;
    h.s().gpr[EDI] = 0x20;
    // fs movsb (64 A4): FS:SI -> ES:DI; es lodsb (26 AC) reads ES:SI; cs stosb (2E AA) still writes ES:DI
    h.code({0x64, 0xA4, 0x26, 0xAC, 0x2E, 0xAA, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.peek8(0x20020), 0xF5);
    EXPECT_EQ(h.reg32(EAX) & 0xFF, 0xE6u);  // from ES:0011
    EXPECT_EQ(h.peek8(0x20021), 0xE6);       // CS: did not redirect the STOS
    EXPECT_EQ(h.peek8(0x00021), 0x00);
    EXPECT_EQ(h.reg32(EDI), 0x22u);
    EXPECT_EQ(h.reg32(ESI), 0x12u);
}

TEST(String, CsOverrideOnLods) {
    CpuHarness h;
    h.set_seg(DS, 0x1000);
    h.s().gpr[ESI] = 0x102;  // CS:0102 is the HLT below
    h.code({0x2E, 0xAC, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.reg32(EAX) & 0xFF, 0xF4u);
}

TEST(String, RepeCmpsbStopsAtTheFirstDifference) {
    CpuHarness h;
    fill(h, 0x300, "ABCXYZ");
    fill(h, 0x400, "ABCYYZ");
    h.s().gpr[ESI] = 0x300;
    h.s().gpr[EDI] = 0x400;
    h.s().gpr[ECX] = 10;
    h.code({0xF3, 0xA6, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.reg32(ECX), 6u);
    EXPECT_EQ(h.reg32(ESI), 0x304u);
    EXPECT_EQ(h.reg32(EDI), 0x404u);
    EXPECT_EQ(h.flags() & native::kArithFlags, host_cmp_flags('X', 'Y', 1, 0x95));
}

TEST(String, RepneCmpswStopsAtTheFirstMatch) {
    CpuHarness h;
    h.poke(0x300, {0x01, 0x00, 0x02, 0x00, 0x34, 0x12});
    h.poke(0x400, {0x05, 0x00, 0x06, 0x00, 0x34, 0x12});
    h.s().gpr[ESI] = 0x300;
    h.s().gpr[EDI] = 0x400;
    h.s().gpr[ECX] = 5;
    h.code({0xF2, 0xA7, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.reg32(ECX), 2u);
    EXPECT_EQ(h.reg32(ESI), 0x306u);
    EXPECT_EQ(h.flags() & native::kArithFlags, uint32_t(FLAG_ZF | FLAG_PF));
}

TEST(String, RepeCmpsEndingByCountKeepsTheLastCompare) {
    CpuHarness h;
    fill(h, 0x300, "AAAB");
    fill(h, 0x400, "AAAA");
    h.s().gpr[ESI] = 0x300;
    h.s().gpr[EDI] = 0x400;
    h.s().gpr[ECX] = 3;  // all three equal: ends by count with ZF=1
    h.code({0xF3, 0xA6, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.reg32(ECX), 0u);
    EXPECT_EQ(h.flags() & native::kArithFlags, uint32_t(FLAG_ZF | FLAG_PF));
}

TEST(String, RepneScasbFindsTheTerminator) {
    CpuHarness h;
    h.set_seg(ES, 0x0040);
    fill(h, 0x400 + 0x10, "hello");  // ES:0010, zero after it
    h.s().gpr[EDI] = 0x10;
    h.s().gpr[ECX] = 0xFFFF;
    h.s().gpr[EAX] = 0xAB00;
    h.code({0xF2, 0xAE, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.reg32(EDI), 0x16u);
    EXPECT_EQ(h.reg32(ECX), 0xFFFFu - 6);
    EXPECT_TRUE(h.flags() & FLAG_ZF);
}

TEST(String, ScaswAndScasdFlagsAreThoseOfCmp) {
    CpuHarness h;
    h.poke16(0x400, 0x8000);
    h.poke32(0x402, 0x00000001);
    h.s().gpr[EDI] = 0x400;
    h.s().gpr[EAX] = 0x0001;
    h.code({0xAF, 0xF4});  // scasw: 0001 - 8000
    h.run_to_halt();
    EXPECT_EQ(h.flags() & native::kArithFlags, host_cmp_flags(0x0001, 0x8000, 2, 0x0881));
    EXPECT_EQ(h.reg32(EDI), 0x402u);

    CpuHarness h2;
    h2.poke32(0x400, 0x00000001);
    h2.s().gpr[EDI] = 0x400;
    h2.s().gpr[EAX] = 0x80000000;
    h2.code({0x66, 0xAF, 0xF4});  // scasd: 80000000 - 1
    h2.run_to_halt();
    EXPECT_EQ(h2.flags() & native::kArithFlags, host_cmp_flags(0x80000000u, 1, 4, 0x0814));
    EXPECT_EQ(h2.reg32(EDI), 0x404u);
}

TEST(String, LodsAndStosWithDf) {
    CpuHarness h;
    h.poke16(0x300, 0xBEEF);
    h.s().gpr[ESI] = 0x300;
    h.s().gpr[EDI] = 0x400;
    h.s().gpr[EAX] = 0x12345678;
    // std; lodsw; stosb; cld; stosd (66 AB); hlt
    h.code({0xFD, 0xAD, 0xAA, 0xFC, 0x66, 0xAB, 0xF4});
    h.step(3);
    EXPECT_EQ(h.reg32(EAX), 0x1234BEEFu);
    EXPECT_EQ(h.reg32(ESI), 0x2FEu);
    EXPECT_EQ(h.peek8(0x400), 0xEF);
    EXPECT_EQ(h.reg32(EDI), 0x3FFu);
    h.run_to_halt();
    EXPECT_EQ(h.peek32(0x3FF), 0x1234BEEFu);
    EXPECT_EQ(h.reg32(EDI), 0x403u);
}

TEST(String, RepLodsKeepsTheLastElement) {
    CpuHarness h;
    h.poke(0x300, {1, 2, 3});
    h.s().gpr[ESI] = 0x300;
    h.s().gpr[ECX] = 3;
    h.s().gpr[EAX] = 0xFFFFFFFF;
    h.code({0xF3, 0xAC, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.reg32(EAX), 0xFFFFFF03u);
    EXPECT_EQ(h.reg32(ESI), 0x303u);
}

TEST(String, LongRepStosAcrossPagesAndRestarts) {
    CpuHarness h;
    h.set_seg(ES, 0x1000);
    h.poke(0x10000 + 0x0FF, {0x99});
    h.poke(0x10000 + 0x100 + 2 * 0x7000, {0x99});
    h.s().gpr[EDI] = 0x100;
    h.s().gpr[ECX] = 0x7000;  // 28 KiB of words: more than one execution's iterations
    h.s().gpr[EAX] = 0xA55A;
    h.code({0xF3, 0xAB, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.reg32(ECX), 0u);
    EXPECT_EQ(h.reg32(EDI), 0xE100u);
    for (uint32_t off = 0x100; off < 0xE100; off += 2) ASSERT_EQ(h.peek16(0x10000 + off), 0xA55A) << off;
    EXPECT_EQ(h.peek8(0x100FF), 0x99);
    EXPECT_EQ(h.peek8(0x1E100), 0x99);
}

TEST(String, LongRepMovsbMatchesAByteLoop) {
    CpuHarness h;
    std::vector<uint8_t> src(20000);
    for (size_t i = 0; i < src.size(); ++i) src[i] = uint8_t(i * 7 + (i >> 8));
    h.mem().write_bytes(0x20000 + 0x123, src.data(), src.size());
    h.set_seg(DS, 0x2000);
    h.set_seg(ES, 0x3000);
    h.s().gpr[ESI] = 0x123;
    h.s().gpr[EDI] = 0x0FFE;  // unaligned against the source: pages split differently
    h.s().gpr[ECX] = uint32_t(src.size());
    h.code({0xF3, 0xA4, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(std::memcmp(h.mem().ram() + 0x30000 + 0x0FFE, src.data(), src.size()), 0);
    EXPECT_EQ(h.reg32(ESI), 0x123u + 20000);
    EXPECT_EQ(h.reg32(EDI), 0x0FFEu + 20000);
}

TEST(String, OverlappingForwardMovsbReplicatesAPattern) {
    CpuHarness h;
    h.poke(0x1000, {0xAB, 0xCD});
    h.s().gpr[ESI] = 0x1000;
    h.s().gpr[EDI] = 0x1002;  // each byte copied is read again two iterations later
    h.s().gpr[ECX] = 100;
    h.code({0xF3, 0xA4, 0xF4});
    h.run_to_halt();
    for (uint32_t i = 0; i < 102; ++i) ASSERT_EQ(h.peek8(0x1000 + i), i % 2 ? 0xCD : 0xAB) << i;
    EXPECT_EQ(h.peek8(0x1000 + 102), 0);
}

TEST(String, RepMovsOverTranslatedCodeIsSeen) {
    CpuHarness h;
    // 0100: call 0110; 0103: rep movsb; 0105: call 0110; 0108: hlt; 0110: nop; ret.
    // The first call translates 0110; REP MOVSB then turns its NOP into INC AX.
    h.code({0xE8, 0x0D, 0x00, 0xF3, 0xA4, 0xE8, 0x08, 0x00, 0xF4});
    h.poke(0x110, {0x90, 0xC3});
    h.poke(0x300, {0x40});
    h.s().gpr[ESI] = 0x300;
    h.s().gpr[EDI] = 0x110;
    h.s().gpr[ECX] = 1;
    h.run_to_halt();
    EXPECT_EQ(h.s().eip, 0x109u);
    EXPECT_EQ(h.reg16(EAX), 1);
}

TEST(String, FaultInTheMiddleOfRepKeepsCompletedIterations) {
    CpuHarness h;
    h.set_vector(EXC_GP, 0x0000, 0x0200);
    h.poke(0x200, {0xF4});
    h.set_seg(DS, 0x1000);
    h.s().gpr[ESI] = 0xFFF9;  // words at FFF9, FFFB, FFFD are fine; FFFF crosses the limit
    h.s().gpr[EDI] = 0x600;
    h.s().gpr[ECX] = 8;
    h.poke(0x1FFF9, {1, 2, 3, 4, 5, 6, 7});
    h.code({0xF3, 0xA5, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.s().eip, 0x201u);            // in the #GP handler
    EXPECT_EQ(h.peek16(0x8000 - 6), 0x100);  // IP of the REP MOVSW (prefix included)
    EXPECT_EQ(h.reg32(ESI), 0xFFFFu);
    EXPECT_EQ(h.reg32(EDI), 0x606u);
    EXPECT_EQ(h.reg32(ECX), 5u);
    const uint8_t expect[6] = {1, 2, 3, 4, 5, 6};
    EXPECT_EQ(std::memcmp(h.mem().ram() + 0x600, expect, 6), 0);
}

TEST(String, RepResumesAfterTheHandlerReturns) {
    CpuHarness h;
    // #GP handler: mov si,0x0300; iret -> the REP continues with the updated SI and CX.
    h.set_vector(EXC_GP, 0x0000, 0x0200);
    h.poke(0x200, {0xBE, 0x00, 0x03, 0xCF});
    h.poke(0x300, {0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA});
    h.poke(0xFFFB, {0x11, 0x22, 0x33, 0x44});
    h.s().gpr[ESI] = 0xFFFB;  // FFFB, FFFD ok; FFFF faults
    h.s().gpr[EDI] = 0x700;
    h.s().gpr[ECX] = 7;
    h.code({0xF3, 0xA5, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.s().eip, 0x103u);
    EXPECT_EQ(h.reg32(ECX), 0u);
    EXPECT_EQ(h.reg32(ESI), 0x30Au);
    EXPECT_EQ(h.reg32(EDI), 0x70Eu);
    const uint8_t expect[14] = {0x11, 0x22, 0x33, 0x44, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA};
    EXPECT_EQ(std::memcmp(h.mem().ram() + 0x700, expect, 14), 0);
}

TEST(String, SingleStringFaultChangesNothing) {
    CpuHarness h;
    h.set_vector(EXC_GP, 0x0000, 0x0200);
    h.poke(0x200, {0xF4});
    h.s().gpr[EDI] = 0xFFFF;
    h.s().gpr[ESI] = 0x300;
    h.s().gpr[EAX] = 0x1234;
    h.set_flags(FLAG_CF);
    h.code({0xA7, 0xF4});  // cmpsw: ES:FFFF faults
    h.run_to_halt();
    EXPECT_EQ(h.s().eip, 0x201u);
    EXPECT_EQ(h.reg32(ESI), 0x300u);
    EXPECT_EQ(h.reg32(EDI), 0xFFFFu);
    EXPECT_EQ(h.peek16(0x8000 - 2), FLAGS_FIXED1 | FLAG_CF);  // flags pushed unchanged
}

// A port device that counts its accesses: reads return 11h, 12h, ... byte by byte.
class CountingPort : public IoDevice {
public:
    uint32_t read(uint32_t offset, unsigned size) override {
        ++reads;
        uint32_t v = 0;
        for (unsigned i = 0; i < size; ++i) v |= uint32_t(next++) << (8 * i);
        last_offset = offset;
        return v;
    }
    void write(uint32_t offset, unsigned size, uint32_t value) override {
        writes.push_back({offset, size, value});
    }
    struct Write {
        uint32_t offset;
        unsigned size;
        uint32_t value;
    };
    std::vector<Write> writes;
    unsigned reads = 0;
    uint32_t last_offset = 0;
    uint8_t next = 0x11;
};

TEST(PortIo, InAndOutAllSizes) {
    CpuHarness h;
    CountingPort dev;
    h.machine().io().map(0x70, 8, dev, "test");
    h.s().gpr[EDX] = 0x74;
    // in al,0x71; in ax,dx; in eax,dx; out 0x72,al; out dx,ax; out dx,eax; hlt
    h.code({0xE4, 0x71, 0xED, 0x66, 0xED, 0xE6, 0x72, 0xEF, 0x66, 0xEF, 0xF4});
    h.step(2);
    EXPECT_EQ(h.reg32(EAX), 0x00001312u);
    EXPECT_EQ(dev.last_offset, 4u);
    h.run_to_halt();
    EXPECT_EQ(h.reg32(EAX), 0x17161514u);
    ASSERT_EQ(dev.writes.size(), 3u);
    EXPECT_EQ(dev.writes[0].offset, 2u);
    EXPECT_EQ(dev.writes[0].size, 1u);
    EXPECT_EQ(dev.writes[0].value, 0x14u);
    EXPECT_EQ(dev.writes[1].size, 2u);
    EXPECT_EQ(dev.writes[1].value, 0x1514u);
    EXPECT_EQ(dev.writes[2].size, 4u);
    EXPECT_EQ(dev.writes[2].value, 0x17161514u);
}

TEST(PortIo, UnmappedPortsReadAllOnes) {
    CpuHarness h;
    h.s().gpr[EAX] = 0x12345678;
    h.s().gpr[EDX] = 0x1234;
    h.code({0xEC, 0xF4});  // in al,dx
    h.run_to_halt();
    EXPECT_EQ(h.reg32(EAX), 0x123456FFu);
}

TEST(PortIo, RepInsbAndRepOutsw) {
    CpuHarness h;
    CountingPort dev;
    h.machine().io().map(0x300, 4, dev, "test");
    h.s().gpr[EDX] = 0x300;
    h.s().gpr[EDI] = 0x500;
    h.s().gpr[ECX] = 4;
    h.code({0xF3, 0x6C, 0xF4});  // rep insb
    h.run_to_halt();
    EXPECT_EQ(h.peek32(0x500), 0x14131211u);
    EXPECT_EQ(h.reg32(EDI), 0x504u);
    EXPECT_EQ(h.reg32(ECX), 0u);

    CpuHarness h2;
    CountingPort dev2;
    h2.machine().io().map(0x300, 4, dev2, "test");
    h2.poke(0x600, {0x01, 0x02, 0x03, 0x04, 0x05, 0x06});
    h2.s().gpr[EDX] = 0x302;
    h2.s().gpr[ESI] = 0x600;
    h2.s().gpr[ECX] = 3;
    h2.code({0xF3, 0x6F, 0x6E, 0xF4});  // rep outsw; outsb
    h2.run_to_halt();
    ASSERT_EQ(dev2.writes.size(), 4u);
    EXPECT_EQ(dev2.writes[0].value, 0x0201u);
    EXPECT_EQ(dev2.writes[2].value, 0x0605u);
    EXPECT_EQ(dev2.writes[3].size, 1u);
    EXPECT_EQ(dev2.writes[3].offset, 2u);
    EXPECT_EQ(dev2.writes[3].value, 0x00u);
    EXPECT_EQ(h2.reg32(ESI), 0x607u);
}

TEST(PortIo, RepInswFaultDoesNotConsumeTheDevice) {
    CpuHarness h;
    CountingPort dev;
    h.machine().io().map(0x300, 4, dev, "test");
    h.set_vector(EXC_GP, 0x0000, 0x0200);
    h.poke(0x200, {0xF4});
    h.set_seg(ES, 0x2000);
    h.s().gpr[EDX] = 0x300;
    h.s().gpr[EDI] = 0xFFFB;  // FFFB, FFFD fine; a word at FFFF faults before the port read
    h.s().gpr[ECX] = 5;
    h.code({0xF3, 0x6D, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.s().eip, 0x201u);
    EXPECT_EQ(dev.reads, 2u);
    EXPECT_EQ(h.reg32(EDI), 0xFFFFu);
    EXPECT_EQ(h.reg32(ECX), 3u);
    EXPECT_EQ(h.peek32(0x2FFFB), 0x14131211u);
}

TEST(PortIo, InsWithDfDecrements) {
    CpuHarness h;
    CountingPort dev;
    h.machine().io().map(0x300, 4, dev, "test");
    h.s().gpr[EDX] = 0x300;
    h.s().gpr[EDI] = 0x504;
    h.set_flags(FLAG_DF);
    h.code({0x6D, 0x6D, 0xF4});  // insw; insw
    h.run_to_halt();
    EXPECT_EQ(h.peek16(0x504), 0x1211);
    EXPECT_EQ(h.peek16(0x502), 0x1413);
    EXPECT_EQ(h.reg32(EDI), 0x500u);
}

}  // namespace
}  // namespace vmm86::test
