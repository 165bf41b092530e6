// Priority among simultaneous exceptions and interrupts (SDM vol. 3, 6.9, table 6-2), in
// real mode: when several events are due at one instruction boundary the higher class is
// delivered first; a lower-class fault of the same instruction is not raised at all (the
// handler returns to the instruction and it faults then), and a pending NMI is delivered
// right after the higher one's handler entry, before its first instruction.
//   4 traps of the previous instruction (single-step, data breakpoints)
//   5 NMI
//   6 maskable hardware interrupts (INTR)
//   7 code breakpoint fault
//   8 faults fetching the next instruction (CS limit)
//   9 faults decoding it (length > 15, #UD, #NM)
//  10 faults executing it (#GP, #SS, #DE ...)
#include "sys_harness.h"

namespace vmm86::test {
namespace {

uint32_t dr7_exec_bp0() { return 0x400 | 1; }  // L0, R/W0 = 00 (execute), LEN0 = 00
constexpr uint16_t handler_ip(unsigned vector) { return uint16_t(0x500 + 16 * vector); }

TEST(ExceptionPriority, CodeBreakpointBeforeACsLimitFault) {
    SysHarness h;
    // A two-byte INC AX at CS:FFFF runs past the 64 KiB limit (#GP); a breakpoint on it
    // is a class-7 fault and wins over the class-8 fetch fault.
    h.code({0xE9, 0xFC, 0xFE});  // JMP 0xFFFF (0x103 + 0xFEFC)
    h.poke(0xFFFF, {0xFF});
    h.poke(0x10000, {0xC0});
    h.s().dr[0] = 0xFFFF;
    h.s().dr[7] = dr7_exec_bp0();
    h.run_to_halt();
    EXPECT_EQ(h.halted_in_vector(), EXC_DB);
    EXPECT_EQ(h.frame_ip(), 0xFFFF);
    EXPECT_EQ(h.s().dr[6] & 0xF, 1u);
}

TEST(ExceptionPriority, CsLimitFaultWithoutTheBreakpoint) {
    SysHarness h;
    h.code({0xE9, 0xFC, 0xFE});
    h.poke(0xFFFF, {0xFF});
    h.run_to_halt();
    EXPECT_EQ(h.halted_in_vector(), EXC_GP);
    EXPECT_EQ(h.frame_ip(), 0xFFFF);
}

TEST(ExceptionPriority, CodeBreakpointBeforeInvalidOpcode) {
    SysHarness h;
    h.code({0x0F, 0x0B});  // UD2
    h.s().dr[0] = 0x100;
    h.s().dr[7] = dr7_exec_bp0();
    h.step(1);
    EXPECT_EQ(h.s().eip, handler_ip(EXC_DB));
    EXPECT_EQ(h.frame_ip(), 0x100);
    // The handler returns with RF set in the image (IRET loads it): then the #UD comes.
    h.s().dr[7] = 0x400;
    h.s().eip = 0x100;
    h.step(1);
    EXPECT_EQ(h.s().eip, handler_ip(EXC_UD));
}

TEST(ExceptionPriority, InstructionTooLongBeforeDeviceNotAvailable) {
    SysHarness h;
    // 14 ES prefixes and FLD1 (D9 E8): 16 bytes. With CR0.EM the x87 instruction would be
    // #NM; the length check comes first and is #GP(0).
    std::vector<uint8_t> bytes(14, 0x26);
    bytes.insert(bytes.end(), {0xD9, 0xE8});
    h.code(bytes);
    h.s().cr0 |= CR0_EM;
    h.step(1);
    EXPECT_EQ(h.s().eip, handler_ip(EXC_GP));
    EXPECT_EQ(h.frame_ip(), 0x100);

    SysHarness fits;  // 13 prefixes: 15 bytes, a valid length: now #NM
    bytes.erase(bytes.begin());
    fits.code(bytes);
    fits.s().cr0 |= CR0_EM;
    fits.step(1);
    EXPECT_EQ(fits.s().eip, handler_ip(EXC_NM));
}

TEST(ExceptionPriority, SingleStepTrapBeforeNmi) {
    SysHarness h;
    h.code({0x40, 0x40});  // INC AX; INC AX
    h.set_flags(FLAG_TF);
    h.cpu().raise_nmi();
    // The NMI arrived before the first INC: it is taken at that boundary (class 5; no trap
    // of a previous instruction is due yet) and TF is cleared for its handler.
    h.step(1);  // the delivery, then the handler's HLT
    EXPECT_EQ(h.halted_in_vector(), EXC_NMI);
    EXPECT_EQ(h.frame_ip(), 0x100);
    EXPECT_EQ(h.reg16(EAX), 0);

    SysHarness g;
    g.code({0x40, 0x40});
    g.set_flags(FLAG_TF);
    g.step(1);  // the INC retires; its single-step trap is due
    ASSERT_EQ(g.reg16(EAX), 1);
    g.cpu().raise_nmi();
    // Both due at one boundary: the #DB trap (class 4) is delivered first; the NMI then
    // interrupts the #DB handler before its first instruction.
    g.step(2);
    EXPECT_EQ(g.halted_in_vector(), EXC_NMI);
    EXPECT_EQ(g.frame_ip(), handler_ip(EXC_DB)) << "the NMI frame returns into the #DB handler";
    const uint32_t db_frame = g.s().seg[SS].base + g.reg16(ESP) + 6;
    EXPECT_EQ(g.peek16(db_frame), 0x101) << "the #DB frame returns after the first INC";
    EXPECT_TRUE(g.peek16(db_frame + 4) & FLAG_TF);
    EXPECT_EQ(g.reg16(EAX), 1);
}

TEST(ExceptionPriority, FaultingInstructionHasNoSingleStepTrap) {
    SysHarness h;
    // DIV BL with BL = 0 under TF: #DE (class 10) is the instruction's own result; it did
    // not complete, so no single-step trap follows it. The #DE handler runs with TF clear.
    h.code({0xF6, 0xF3});
    h.s().gpr[EAX] = 5;
    h.s().gpr[EBX] = 0;
    h.set_flags(FLAG_TF);
    h.step(1);
    EXPECT_EQ(h.s().eip, handler_ip(EXC_DE));
    EXPECT_EQ(h.frame_ip(), 0x100);
    EXPECT_TRUE(h.frame_flags() & FLAG_TF);
    EXPECT_FALSE(h.flags() & FLAG_TF);
    EXPECT_EQ(h.s().dr[6] & 0x4000, 0u) << "no BS: nothing single-stepped";
}

TEST(ExceptionPriority, DataBreakpointIsATrapAfterTheWrite) {
    SysHarness h;
    h.code({0xA2, 0x00, 0x20, 0x40});  // MOV [2000h], AL; INC AX
    h.s().dr[1] = 0x2000;
    h.s().dr[7] = 0x400 | (1u << 2) | (1u << 20);  // L1, R/W1 = 01 (write), LEN1 = 00
    h.step(1);
    ASSERT_EQ(h.s().eip, handler_ip(EXC_DB)) << "the write trap";
    EXPECT_EQ(h.frame_ip(), 0x103);
    EXPECT_EQ(h.s().dr[6] & 0xF, 2u);
}

// A machine with the PC board whose 8259 pair delivers IRQ n as vector 18h + n (a HLT of
// SysHarness's handler table), every line unmasked.
struct BoardHarness : SysHarness {
    BoardHarness() : SysHarness(true) {
        IoBus& io = machine().io();
        io.write(0x20, 1, 0x11);  // ICW1: edge, cascade, ICW4
        io.write(0x21, 1, 0x18);  // ICW2: vectors 18h-1Fh
        io.write(0x21, 1, 0x04);  // ICW3: slave on IRQ2
        io.write(0x21, 1, 0x01);  // ICW4: 8086 mode
        io.write(0x21, 1, 0x00);  // OCW1: nothing masked
    }
    void raise_irq(unsigned line) { machine().board()->pic().set_irq(line, true); }
    static constexpr int kIrq0Vector = 0x18;
};

TEST(ExceptionPriority, NmiBeforeIntr) {
    BoardHarness h;
    h.code({0x90, 0x90});
    h.set_flags(FLAG_IF);
    h.raise_irq(0);
    h.cpu().raise_nmi();
    h.step(1);
    // The NMI handler runs with IF clear, so the interrupt still waits in the PIC.
    EXPECT_EQ(h.halted_in_vector(), EXC_NMI);
    EXPECT_EQ(h.frame_ip(), 0x100);
    EXPECT_TRUE(h.machine().board()->pic().interrupt_pending());
}

TEST(ExceptionPriority, SingleStepTrapBeforeIntr) {
    BoardHarness h;
    h.code({0x40, 0x40});
    h.set_flags(FLAG_IF | FLAG_TF);
    h.step(1);  // the first INC; its trap is due
    ASSERT_EQ(h.reg16(EAX), 1);
    h.raise_irq(0);
    h.step(2);
    // #DB first (class 4); its delivery clears IF, so INTR waits for the handler's IRET.
    EXPECT_EQ(h.halted_in_vector(), EXC_DB);
    EXPECT_EQ(h.frame_ip(), 0x101);
    EXPECT_TRUE(h.machine().board()->pic().interrupt_pending());
}

TEST(ExceptionPriority, IntrTakenAtTheBoundaryBeforeTheNextInstruction) {
    BoardHarness h;
    h.code({0x40, 0x40});
    h.set_flags(FLAG_IF);
    h.raise_irq(0);
    h.step(1);
    EXPECT_EQ(h.halted_in_vector(), BoardHarness::kIrq0Vector);
    EXPECT_EQ(h.frame_ip(), 0x100);
    EXPECT_EQ(h.reg16(EAX), 0);
}

}  // namespace
}  // namespace vmm86::test
