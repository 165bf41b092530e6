// Debug registers (cpu/debug_regs.cpp) in real mode: instruction breakpoints (faults, RF),
// data and I/O breakpoints (traps, REP), DR6/DR7 bits, general detect, DR4/DR5 with
// CR4.DE, single-step together with breakpoints, and NMI blocking.
#include "sys_harness.h"

namespace vmm86::test {
namespace {

// DR7 for breakpoint n: local enable, R/W, LEN (encoded).
uint32_t dr7_bp(unsigned n, unsigned rw, unsigned len) { return (1u << (2 * n)) | (rw << (16 + 4 * n)) | (len << (18 + 4 * n)); }

TEST(DebugRegs, InstructionBreakpointFaultsBeforeTheInstruction) {
    SysHarness h;
    h.code({0x40, 0x40, 0x40, 0xF4});  // INC AX x3; HLT
    h.s().gpr[EAX] = 0;
    h.s().dr[0] = 0x102;
    h.s().dr[7] = 0x400 | dr7_bp(0, 0, 0);
    h.run_to_halt();
    EXPECT_EQ(h.halted_in_vector(), EXC_DB);
    EXPECT_EQ(h.frame_ip(), 0x102);  // a fault: the handler returns to the breakpoint
    EXPECT_EQ(h.reg16(EAX), 2);      // the breakpointed INC has not run
    EXPECT_EQ(h.s().dr[6] & 0xF, 1u);
}

TEST(DebugRegs, DisabledOrOtherAddressesDoNotFire) {
    SysHarness h;
    h.code({0x40, 0x40, 0xF4});
    h.s().dr[0] = 0x101;
    h.s().dr[1] = 0x101;
    h.s().dr[7] = 0x400 | dr7_bp(2, 0, 0);  // DR0, DR1 hold the address but are not enabled; DR2 = 0
    h.run_to_halt();
    EXPECT_EQ(h.halted_in_vector(), -1);
    EXPECT_EQ(h.reg16(EAX) & 0xFF, 2);
}

TEST(DebugRegs, RfSuppressesOneInstructionBreakpointThenClears) {
    SysHarness h;
    // INC AX; JMP back to the INC, which has a breakpoint.
    h.code({0x40, 0xEB, 0xFD});
    h.s().gpr[EAX] = 0;
    h.s().dr[0] = 0x100;
    h.s().dr[7] = 0x400 | dr7_bp(0, 0, 0);
    h.set_flags(FLAG_RF);
    h.step(1);  // RF: the INC runs
    EXPECT_EQ(h.reg16(EAX), 1);
    EXPECT_EQ(h.flags() & FLAG_RF, 0u) << "RF clears once an instruction completes";
    h.step(2);  // JMP, then the breakpoint fires
    EXPECT_EQ(h.reg16(EAX), 1);
    EXPECT_EQ(h.s().eip, 0x500u + 16 * EXC_DB);
}

TEST(DebugRegs, IretdLoadsRfForTheNextInstruction) {
    SysHarness h;
    // IRETD to 0:0110 with RF set in the image; 0110: INC AX; INC AX; HLT; breakpoint on
    // the first INC (RF skips it) and on the second (it fires).
    h.code({0x66, 0xCF});
    h.poke(0x110, {0x40, 0x40, 0xF4});
    h.s().gpr[ESP] = 0x7FF4;
    h.poke32(0x7FF4, 0x110);
    h.poke32(0x7FF8, 0);
    h.poke32(0x7FFC, FLAG_RF | FLAGS_FIXED1);
    h.s().dr[0] = 0x110;
    h.s().dr[1] = 0x111;
    h.s().dr[7] = 0x400 | dr7_bp(0, 0, 0) | dr7_bp(1, 0, 0);
    h.s().gpr[EAX] = 0;
    h.run_to_halt();
    EXPECT_EQ(h.halted_in_vector(), EXC_DB);
    EXPECT_EQ(h.frame_ip(), 0x111);
    EXPECT_EQ(h.reg16(EAX), 1);
    EXPECT_EQ(h.s().dr[6] & 0xF, 2u) << "B0-B3 report this hit only";
}

TEST(DebugRegs, DataWriteBreakpointTrapsAfterTheAccess) {
    SysHarness h;
    h.code({0xA2, 0x02, 0x06, 0x40, 0xF4});  // MOV [0602h], AL; INC AX; HLT
    h.s().gpr[EAX] = 0x5A;
    h.s().dr[1] = 0x601;  // 4 bytes: 600h-603h (the low bits are ignored)
    h.s().dr[7] = 0x400 | dr7_bp(1, 1, 3);
    h.run_to_halt();
    EXPECT_EQ(h.halted_in_vector(), EXC_DB);
    EXPECT_EQ(h.frame_ip(), 0x103);  // a trap: after the MOV
    EXPECT_EQ(h.peek8(0x602), 0x5A);
    EXPECT_EQ(h.reg16(EAX), 0x5A);
    EXPECT_EQ(h.s().dr[6] & 0xF, 2u);
}

TEST(DebugRegs, WriteOnlyBreakpointIgnoresReadsReadWriteDoesNot) {
    SysHarness h;
    h.code({0xA0, 0x00, 0x06, 0xF4});  // MOV AL, [0600h]; HLT
    h.s().dr[0] = 0x600;
    h.s().dr[7] = 0x400 | dr7_bp(0, 1, 0);
    h.run_to_halt();
    EXPECT_EQ(h.halted_in_vector(), -1);

    SysHarness r;
    r.code({0xA0, 0x00, 0x06, 0xF4});
    r.s().dr[3] = 0x600;
    r.s().dr[7] = 0x400 | dr7_bp(3, 3, 0);
    r.run_to_halt();
    EXPECT_EQ(r.halted_in_vector(), EXC_DB);
    EXPECT_EQ(r.s().dr[6] & 0xF, 8u);
}

TEST(DebugRegs, DataBreakpointOnTheCodePageAndAcrossAWord) {
    SysHarness h;
    // The data sits on the code's own page; a word at 017Fh covers the byte at 0180h.
    h.code({0xA3, 0x7F, 0x01, 0xF4});  // MOV [017Fh], AX; HLT
    h.s().gpr[EAX] = 0x1234;
    h.s().dr[2] = 0x180;
    h.s().dr[7] = 0x400 | dr7_bp(2, 1, 0);
    h.run_to_halt();
    EXPECT_EQ(h.halted_in_vector(), EXC_DB);
    EXPECT_EQ(h.peek16(0x17F), 0x1234);
    EXPECT_EQ(h.s().dr[6] & 0xF, 4u);
}

TEST(DebugRegs, PagesWithDataBreakpointsGetNoFastPathTags) {
    SysHarness h;
    h.s().dr[0] = 0x3004;
    h.s().dr[7] = 0x400 | dr7_bp(0, 3, 3);
    TlbEntry* e = nullptr;
    ASSERT_TRUE(h.cpu().tlb_fill(0x3000, Access::Read, e));
    EXPECT_EQ(e->tag_read, SoftTlb::kInvalidTag);
    EXPECT_EQ(e->tag_write, SoftTlb::kInvalidTag);
    ASSERT_TRUE(h.cpu().tlb_fill(0x4000, Access::Read, e));
    EXPECT_EQ(e->tag_read, 0x4000u);
}

TEST(DebugRegs, RepStringStopsAfterTheIterationThatHit) {
    SysHarness h;
    h.code({0xF3, 0xAA, 0xF4});  // REP STOSB; HLT
    h.s().gpr[EDI] = 0x600;
    h.s().gpr[ECX] = 0x20;
    h.s().gpr[EAX] = 0xEE;
    h.s().dr[0] = 0x610;
    h.s().dr[7] = 0x400 | dr7_bp(0, 1, 0);
    h.run_to_halt();
    EXPECT_EQ(h.halted_in_vector(), EXC_DB);
    EXPECT_EQ(h.frame_ip(), 0x100);  // the REP resumes after the handler
    EXPECT_EQ(h.reg16(ECX), 0x20 - 0x11);
    EXPECT_EQ(h.reg16(EDI), 0x611);
    EXPECT_EQ(h.peek8(0x610), 0xEE);
    EXPECT_EQ(h.peek8(0x611), 0x00);
}

TEST(DebugRegs, IoBreakpointsNeedCr4De) {
    for (bool de : {false, true}) {
        SysHarness h;
        h.code({0xE6, 0x80, 0xF4});  // OUT 80h, AL; HLT
        h.s().cr4 = de ? uint64_t(CR4_DE) : 0;
        h.s().dr[1] = 0x80;
        h.s().dr[7] = 0x400 | dr7_bp(1, 2, 0);
        h.run_to_halt();
        EXPECT_EQ(h.halted_in_vector(), de ? int(EXC_DB) : -1) << de;
        if (de) {
            EXPECT_EQ(h.frame_ip(), 0x102);
            EXPECT_EQ(h.s().dr[6] & 0xF, 2u);
        }
    }
}

TEST(DebugRegs, SingleStepAndDataBreakpointMakeOneDebugException) {
    SysHarness h;
    h.code({0xA2, 0x00, 0x06, 0xF4});
    h.s().dr[0] = 0x600;
    h.s().dr[7] = 0x400 | dr7_bp(0, 1, 0);
    h.set_flags(FLAG_TF);
    h.step(1);
    EXPECT_EQ(h.s().eip, 0x500u + 16 * EXC_DB);
    EXPECT_EQ(h.s().dr[6] & (DR6_BS | 0xF), DR6_BS | 1u);
    EXPECT_EQ(h.reg16(ESP), 0x8000 - 6) << "one frame";
}

TEST(DebugRegs, GeneralDetectFaultsOnMovDr) {
    SysHarness h;
    h.code({0x0F, 0x21, 0xC0, 0xF4});  // MOV EAX, DR0
    h.s().dr[7] = 0x400 | DR7_GD;
    h.run_to_halt();
    EXPECT_EQ(h.halted_in_vector(), EXC_DB);
    EXPECT_EQ(h.frame_ip(), 0x100);
    EXPECT_TRUE(h.s().dr[6] & DR6_BD);
    EXPECT_EQ(h.s().dr[7] & DR7_GD, 0u) << "cleared so the handler can use the registers";
}

TEST(DebugRegs, Dr4Dr5AliasDr6Dr7UnlessCr4De) {
    SysHarness h;
    h.code({0x0F, 0x21, 0xE0, 0x0F, 0x21, 0xE9, 0xF4});  // MOV EAX, DR4; MOV ECX, DR5
    h.s().dr[6] = 0xFFFF4FF1;
    h.run_to_halt();
    EXPECT_EQ(h.halted_in_vector(), -1);
    EXPECT_EQ(h.reg32(EAX), 0xFFFF4FF1u);
    EXPECT_EQ(h.reg32(ECX), 0x400u);

    SysHarness d;
    d.code({0x0F, 0x21, 0xE0, 0xF4});
    d.s().cr4 = CR4_DE;
    d.run_to_halt();
    EXPECT_EQ(d.halted_in_vector(), EXC_UD);
}

TEST(DebugRegs, Dr6Dr7FixedBits) {
    SysHarness h;
    // MOV DR6, EAX (EAX = 0); MOV DR7, ECX (ECX = all ones except GD); read both back.
    h.code({0x0F, 0x23, 0xF0, 0x0F, 0x23, 0xF9, 0x0F, 0x21, 0xF2, 0x0F, 0x21, 0xFB, 0xF4});
    h.s().gpr[EAX] = 0;
    h.s().gpr[ECX] = 0xFFFFDFFF;
    h.run_to_halt();
    EXPECT_EQ(h.halted_in_vector(), -1);
    EXPECT_EQ(h.reg32(EDX), 0xFFFF0FF0u);
    EXPECT_EQ(h.reg32(EBX), 0xFFFF07FFu);  // bits 11, 12, 14, 15 read 0; 10 reads 1
}

TEST(DebugRegs, Cr4AcceptsTheSystemBits) {
    SysHarness h;
    h.code({0x0F, 0x22, 0xE0, 0xF4});  // MOV CR4, EAX
    h.s().gpr[EAX] = CR4_TSD | CR4_DE | CR4_PCE;
    h.run_to_halt();
    EXPECT_EQ(h.halted_in_vector(), -1);
    EXPECT_EQ(h.s().cr4, uint64_t(CR4_TSD | CR4_DE | CR4_PCE));
}

TEST(Nmi, DeliveredOnceAndBlockedUntilIret) {
    SysHarness h;
    h.code({0xEB, 0xFE});                // main code spins
    h.poke(0x520, {0x90, 0x90, 0xCF});  // NMI handler (vector 2): NOP; NOP; IRET
    h.cpu().raise_nmi();
    h.step(1);  // delivered, then the first NOP
    EXPECT_EQ(h.s().eip, 0x521u);
    EXPECT_EQ(h.frame_ip(), 0x100);
    EXPECT_EQ(h.s().nmi_blocked, 1u);
    // A second NMI waits while the handler runs...
    h.cpu().raise_nmi();
    h.step(2);  // NOP, IRET: then it is taken right away
    EXPECT_EQ(h.s().eip, 0x520u);
    EXPECT_EQ(h.frame_ip(), 0x100);
    EXPECT_EQ(h.reg16(ESP), 0x8000 - 6) << "the first frame was popped by the IRET";
    EXPECT_EQ(h.s().nmi_blocked, 1u);
    EXPECT_EQ(h.s().nmi_pending, 0u);
}

TEST(Nmi, WakesAHaltedCpu) {
    SysHarness h;
    h.code({0xF4, 0x90});
    h.run_to_halt();
    ASSERT_TRUE(h.s().halted);
    h.cpu().raise_nmi();
    h.run_to_halt();
    EXPECT_EQ(h.halted_in_vector(), EXC_NMI);
    EXPECT_EQ(h.frame_ip(), 0x101);  // returns after the HLT
}

}  // namespace
}  // namespace vmm86::test
