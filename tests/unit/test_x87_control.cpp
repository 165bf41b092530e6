// x87 system behaviour: #NM (CR0.EM, CR0.TS, WAIT with MP), #MF with CR0.NE = 1 and the
// FERR# callback with NE = 0, precise memory faults, FNSTSW AX, FSTENV's real-mode
// layouts with the instruction and data pointers, FXSAVE/FXRSTOR's ST order, CPUID.
#include <gtest/gtest.h>

#include "cpu/cpuid.h"
#include "cpu/fpu/fpu_state.h"
#include "cpu_harness.h"

namespace vmm86::test {
namespace {

// A harness whose exception handlers (vector v at 0:0x300+4v) halt, with a fresh FPU.
struct X87 : CpuHarness {
    X87() {
        for (unsigned v = 0; v < 32; ++v) {
            set_vector(uint8_t(v), 0, uint16_t(0x300 + 4 * v));
            poke(0x300 + 4 * v, {0xF4});
        }
        s().cr0 |= CR0_NE;
    }
    FpuState fpu() { return FpuState(s()); }
    // The vector taken (from the handler's HLT address), or -1 if the code's own HLT.
    int vector() const {
        const uint32_t ip = uint32_t(const_cast<X87*>(this)->s().eip);
        return ip > 0x300 && ip <= 0x380 ? int(ip - 0x301) / 4 : -1;
    }
    uint16_t fault_ip() { return peek16(uint32_t(s().gpr[ESP] & 0xFFFF)); }
};

TEST(X87Control, ResetStateAndFninit) {
    X87 h;
    EXPECT_EQ(h.fpu().fcw(), 0x0040);
    EXPECT_EQ(h.fpu().full_tag(), 0x5555);
    h.code({0xDB, 0xE3, 0xD9, 0xE8, 0xDF, 0xE0, 0xF4});  // fninit; fld1; fnstsw ax; hlt
    h.run_to_halt();
    EXPECT_EQ(h.fpu().fcw(), 0x037F);
    EXPECT_EQ(h.reg16(EAX), 0x3800);  // TOP = 7
    EXPECT_EQ(h.fpu().st(0), (Float80{1ull << 63, 0x3FFF}));
    EXPECT_EQ(h.fpu().full_tag(), 0x3FFF);
}

TEST(X87Control, EmulationAndTaskSwitchedRaiseNm) {
    for (uint64_t bits : {uint64_t(CR0_EM), uint64_t(CR0_TS), uint64_t(CR0_EM | CR0_MP)}) {
        X87 h;
        h.s().cr0 |= bits;
        h.code({0xDB, 0xE3, 0xF4});  // fninit: #NM like every ESC instruction
        h.run_to_halt();
        EXPECT_EQ(h.vector(), EXC_NM) << bits;
        EXPECT_EQ(h.fault_ip(), 0x100);
        EXPECT_EQ(h.fpu().fcw(), 0x0040) << "FNINIT did not run";
    }
    // WAIT: #NM only for TS with MP; EM does not matter.
    for (uint64_t bits : {uint64_t(CR0_TS), uint64_t(CR0_EM), uint64_t(CR0_TS | CR0_MP)}) {
        X87 h;
        h.s().cr0 |= bits;
        h.code({0x9B, 0xF4});
        h.run_to_halt();
        EXPECT_EQ(h.vector(), bits == (CR0_TS | CR0_MP) ? EXC_NM : -1) << bits;
    }
}

// fninit; fldcw [0x600] (ZE unmasked); fldz; fld1; fdiv st0, st1; fld1 (#MF here).
const std::initializer_list<uint8_t> kPendingZe = {0xDB, 0xE3, 0xD9, 0x2E, 0x00, 0x06, 0xD9, 0xEE, 0xD9, 0xE8,
                                                   0xD8, 0xF1, 0xD9, 0xE8, 0xF4};

TEST(X87Control, UnmaskedExceptionRaisesMfAtTheNextWaitingInstruction) {
    X87 h;
    h.poke16(0x600, 0x037B);
    h.code(kPendingZe);
    h.run_to_halt();
    EXPECT_EQ(h.vector(), EXC_MF);
    EXPECT_EQ(h.fault_ip(), 0x10C);
    EXPECT_EQ(h.fpu().top(), 6) << "the faulting FLD1 pushed nothing";
    EXPECT_EQ(h.fpu().fsw() & 0x80FF, 0x8084);
    EXPECT_EQ(h.fpu().fip(), 0x10A) << "FIP: the FDIV";
    EXPECT_EQ(h.fpu().fop(), 0x0F1);
}

TEST(X87Control, NeClearAssertsFerrAndTheInstructionRuns) {
    X87 h;
    h.s().cr0 &= ~CR0_NE;
    static std::vector<bool> events;
    events.clear();
    h.cpu().ferr_changed = [](void*, bool level) { if (events.empty() || events.back() != level) events.push_back(level); };
    h.poke16(0x600, 0x037B);
    h.code(kPendingZe);
    h.run_to_halt();
    EXPECT_EQ(h.vector(), -1);
    EXPECT_EQ(h.fpu().top(), 5);
    ASSERT_FALSE(events.empty());
    EXPECT_TRUE(events.back());
    h.s().halted = 0;
    h.code({0xDB, 0xE2, 0xF4});  // fnclex deasserts FERR#
    h.s().eip = 0x100;
    h.set_seg(CS, 0x100);
    h.s().eip = 0;
    h.poke(0x1000, {0xDB, 0xE2, 0xF4});
    h.run_to_halt();
    EXPECT_FALSE(events.back());
    EXPECT_EQ(h.fpu().fsw() & 0x80FF, 0);
}

TEST(X87Control, MemoryFaultsLeaveTheFpuUnchanged) {
    X87 h;
    // fninit; fld1; fld qword [0xFFFC] (#GP: past the limit)
    h.code({0xDB, 0xE3, 0xD9, 0xE8, 0xDD, 0x06, 0xFC, 0xFF, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.vector(), EXC_GP);
    EXPECT_EQ(h.fault_ip(), 0x104);
    EXPECT_EQ(h.fpu().top(), 7);
    EXPECT_EQ(h.fpu().fip(), 0x102) << "pointers of the FLD1";
    X87 g;
    // fninit; fld1; fstp tword [0xFFF9] (#GP: the significand's part crosses): not popped
    g.code({0xDB, 0xE3, 0xD9, 0xE8, 0xDB, 0x3E, 0xF9, 0xFF, 0xF4});
    g.run_to_halt();
    EXPECT_EQ(g.vector(), EXC_GP);
    EXPECT_EQ(g.fpu().top(), 7);
    EXPECT_EQ(g.fpu().abridged_tag(), 0x80);
}

TEST(X87Control, FstenvRealModeLayoutsAndPointers) {
    X87 h;
    h.set_seg(DS, 0x0050);
    h.set_seg(CS, 0x1234);
    h.s().eip = 0x10;
    // fninit; fld dword [0x20]; fnstenv [0x40]; 66 fnstenv [0x60]; hlt
    h.poke(0x12350, {0xDB, 0xE3, 0xD9, 0x06, 0x20, 0x00, 0xD9, 0x36, 0x40, 0x00,
                     0x66, 0xD9, 0x36, 0x60, 0x00, 0xF4});
    h.poke32(0x520, 0x3F800000);
    h.run_to_halt();
    EXPECT_EQ(h.vector(), -1);
    const uint32_t e16 = 0x540, e32 = 0x560;
    EXPECT_EQ(h.peek16(e16 + 0), 0x037F);
    EXPECT_EQ(h.peek16(e16 + 2), 0x3800);
    EXPECT_EQ(h.peek16(e16 + 4), 0x3FFF);
    const uint32_t ip = 0x12352, dp = 0x520;
    EXPECT_EQ(h.peek16(e16 + 6), ip & 0xFFFF);
    EXPECT_EQ(h.peek16(e16 + 8), ((ip >> 16) << 12) | 0x106);  // FOP of D9 /0 modrm 06
    EXPECT_EQ(h.peek16(e16 + 10), dp & 0xFFFF);
    EXPECT_EQ(h.peek16(e16 + 12), (dp >> 16) << 12);
    // FNSTENV masked every exception: the second copy shows FCW with them masked (already).
    EXPECT_EQ(h.peek32(e32 + 0) & 0xFFFF, 0x037Fu);
    EXPECT_EQ(h.peek32(e32 + 12) & 0xFFFF, ip & 0xFFFF);
    EXPECT_EQ(h.peek32(e32 + 16), ((ip >> 16) << 12) | 0x106);
    EXPECT_EQ(h.peek32(e32 + 20) & 0xFFFF, dp);
}

TEST(X87Control, FsaveFrstorRoundTrip) {
    X87 h;
    // fninit; fldpi; fld1; fnsave [0x600]; fld1 (one reg); frstor [0x600]; fnstsw ax; hlt
    h.code({0xDB, 0xE3, 0xD9, 0xEB, 0xD9, 0xE8, 0xDD, 0x36, 0x00, 0x06, 0xD9, 0xE8, 0xDD, 0x26, 0x00, 0x06,
            0xDF, 0xE0, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.reg16(EAX) & 0x3800, 0x3000);
    EXPECT_EQ(h.fpu().st(0), (Float80{1ull << 63, 0x3FFF}));
    EXPECT_EQ(h.fpu().st(1).mant, 0xC90FDAA22168C235ull);
    EXPECT_EQ(h.peek16(0x600 + 4), 0x0FFF) << "FTW as FNSAVE stored it (R6 R7 valid)";
}

TEST(X87Control, FxsaveStoresStOrderAndFxrstorRotates) {
    X87 h;
    // fninit; fldpi; fld1; fxsave [0x800]; fninit; fxrstor [0x800]; hlt
    h.code({0xDB, 0xE3, 0xD9, 0xEB, 0xD9, 0xE8, 0x0F, 0xAE, 0x06, 0x00, 0x08, 0xDB, 0xE3,
            0x0F, 0xAE, 0x0E, 0x00, 0x08, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.vector(), -1);
    EXPECT_EQ(h.peek32(0x800 + 32 + 4), 0x80000000u) << "ST0 = 1.0 first";
    EXPECT_EQ(h.peek16(0x800 + 32 + 8), 0x3FFF);
    EXPECT_EQ(h.peek8(0x800 + 4), 0xC0) << "abridged tags: R6, R7";
    EXPECT_EQ(h.fpu().top(), 6);
    EXPECT_EQ(h.fpu().st(1).mant, 0xC90FDAA22168C235ull);
    X87 g;
    g.code({0x0F, 0xAE, 0x06, 0x08, 0x08, 0xF4});  // misaligned
    g.run_to_halt();
    EXPECT_EQ(g.vector(), EXC_GP);
}

// Found by `vmm86 difftest --group x87` against the host CPU.
TEST(X87Control, ControlWordReservedBitsReadAsTheCpuKeepsThem) {
    X87 h;
    h.poke16(0x600, 0x0000);
    h.poke16(0x602, 0xF0BF);
    // fldcw [0x600]; fnstcw [0x610]; fldcw [0x602]; fnstcw [0x612]; hlt
    h.code({0xD9, 0x2E, 0x00, 0x06, 0xD9, 0x3E, 0x10, 0x06, 0xD9, 0x2E, 0x02, 0x06, 0xD9, 0x3E, 0x12, 0x06, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.vector(), -1);
    EXPECT_EQ(h.peek16(0x610), 0x0040) << "bit 6 reads as 1";
    EXPECT_EQ(h.peek16(0x612), 0x107F) << "bits 7 and 13-15 read as 0, IC (bit 12) is kept";
}

TEST(X87Control, FxrstorKeepsElevenOpcodeBitsAndNoReservedBytes) {
    X87 h;
    h.poke16(0x800, 0x0000);      // FCW with bit 6 clear
    h.poke16(0x806, 0xFFFF);      // FOP: 16 bits
    h.poke16(0x80E, 0xABCD);      // reserved, above FCS
    h.poke16(0x816, 0x1234);      // reserved, above FDS
    h.poke32(0x818, 0x1F80);      // MXCSR
    // fxrstor [0x800]; fxsave [0xA00]; hlt
    h.code({0x0F, 0xAE, 0x0E, 0x00, 0x08, 0x0F, 0xAE, 0x06, 0x00, 0x0A, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.vector(), -1);
    EXPECT_EQ(h.fpu().fcw(), 0x0040);
    EXPECT_EQ(h.peek16(0xA06), 0x07FF);
    EXPECT_EQ(h.peek16(0xA0E), 0);
    EXPECT_EQ(h.peek16(0xA16), 0);
}

TEST(X87Control, AnImageThatCrossesTheLimitIsNotWrittenAtAll) {
    X87 h;
    h.set_seg(DS, 0x1000);
    h.s().gpr[EBX] = 0xFFB0;
    // fninit; fld1; fnsave [ebx] (32-bit addressing: the 94 bytes end past FFFFh); hlt
    h.code({0xDB, 0xE3, 0xD9, 0xE8, 0x67, 0xDD, 0x33, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.vector(), EXC_GP);
    for (uint32_t a = 0x1FFB0; a < 0x20000; ++a) ASSERT_EQ(h.peek8(a), 0) << std::hex << a;
    EXPECT_EQ(h.fpu().top(), 7) << "no FNINIT either";
}

TEST(X87Control, SixteenBitAddressingWrapsEachPartOfAnOperand) {
    X87 h;
    h.set_seg(DS, 0x1000);
    // fninit; fldpi; fstp tword [0xFFF8]; fld tword [0xFFF8]; hlt: the exponent at 0000
    h.code({0xDB, 0xE3, 0xD9, 0xEB, 0xDB, 0x3E, 0xF8, 0xFF, 0xDB, 0x2E, 0xF8, 0xFF, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.vector(), -1);
    EXPECT_EQ(h.peek32(0x1FFFC), 0xC90FDAA2u) << "the significand up to FFFFh";
    EXPECT_EQ(h.peek16(0x10000), 0x4000) << "the exponent wrapped to 0000h";
    EXPECT_EQ(h.fpu().st(0).mant, 0xC90FDAA22168C235ull);
    X87 g;
    g.set_seg(DS, 0x1000);
    for (uint32_t a = 0x10000; a < 0x10008; ++a) g.poke(a, {0xAA});
    // fninit; fnstenv [0xFFFA]: its seven words at FFFA FFFC FFFE 0000 0002 0004 0006
    g.code({0xDB, 0xE3, 0xD9, 0x36, 0xFA, 0xFF, 0xF4});
    g.run_to_halt();
    EXPECT_EQ(g.vector(), -1);
    EXPECT_EQ(g.peek16(0x1FFFA), 0x037F);
    EXPECT_EQ(g.peek16(0x1FFFE), 0xFFFF) << "TW: all empty";
    EXPECT_EQ(g.peek32(0x10000), 0u) << "the pointers after FNINIT";
    EXPECT_EQ(g.peek32(0x10004), 0u);
    X87 k;
    k.set_seg(DS, 0x1000);
    // fninit; fld1; fstp tword [0xFFF7]: the significand fits, the exponent's word at FFFFh
    // does not: #GP after the first part (as on Intel CPUs), nothing popped
    k.code({0xDB, 0xE3, 0xD9, 0xE8, 0xDB, 0x3E, 0xF7, 0xFF, 0xF4});
    k.run_to_halt();
    EXPECT_EQ(k.vector(), EXC_GP);
    EXPECT_EQ(k.peek32(0x1FFFB), 0x80000000u);
    EXPECT_EQ(k.fpu().top(), 7);
}

TEST(X87Control, FxsaveChecksTheLimitAtItsFirstByteBeforeTheAlignment) {
    for (const auto& [ebx, vector] : {std::pair{0x12344u, int(EXC_SS)}, std::pair{0xFFF8u, int(EXC_GP)}}) {
        X87 h;
        h.s().gpr[EBX] = ebx;
        h.code({0x36, 0x67, 0x0F, 0xAE, 0x03, 0xF4});  // fxsave ss:[ebx] (misaligned)
        h.run_to_halt();
        EXPECT_EQ(h.vector(), vector) << std::hex << ebx;
    }
}

TEST(X87Control, CpuidReportsFpuAndFxsr) {
    const CpuidLeaf l = cpuid_query(1, 0);
    EXPECT_TRUE(l.edx & CPUID_1_EDX_FPU);
    EXPECT_TRUE(l.edx & CPUID_1_EDX_FXSR);
}

}  // namespace
}  // namespace vmm86::test
