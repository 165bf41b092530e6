// The engine's own mechanics: block chaining, precise faults, self-modifying code,
// instruction budgets, segment-limit faults, A20 wrap.
#include <gtest/gtest.h>

#include "cpu_harness.h"
#include "jit/ir/ir.h"

namespace vmm86::test {
namespace {

TEST(InterpCore, AddAndLoopRunToHalt) {
    CpuHarness h;
    // mov cx,10; xor ax,ax; l: add ax,cx; loop l; hlt
    h.code({0xB9, 0x0A, 0x00, 0x31, 0xC0, 0x01, 0xC8, 0xE2, 0xFC, 0xF4});
    RunResult r = h.run_to_halt();
    EXPECT_EQ(r.reason, StopReason::HaltedForever);
    EXPECT_EQ(h.reg16(EAX), 55);
    EXPECT_EQ(h.reg16(ECX), 0);
    EXPECT_EQ(h.s().eip, 0x10Au);
}

TEST(InterpCore, ExactInstructionBudget) {
    CpuHarness h;
    // inc ax x5 then hlt: stop after exactly 3 instructions.
    h.code({0x40, 0x40, 0x40, 0x40, 0x40, 0xF4});
    RunResult r = h.step(3);
    EXPECT_EQ(r.instructions, 3u);
    EXPECT_EQ(h.reg16(EAX), 3);
    EXPECT_EQ(h.s().eip, 0x103u);
}

TEST(InterpCore, WordAccessAtOffsetFFFFRaisesGpThroughIvtWithStatePreserved) {
    CpuHarness h;
    h.set_vector(13, 0x0000, 0x0200);
    h.poke(0x200, {0xF4});
    // mov bx,0xFFFF; mov ax,[bx] -> #GP(0): the fault handler sees IP of the mov.
    h.code({0xBB, 0xFF, 0xFF, 0x8B, 0x07, 0xF4});
    h.s().gpr[EAX] = 0x1234;
    h.run_to_halt();
    EXPECT_EQ(h.s().eip, 0x201u);          // halted in the handler
    EXPECT_EQ(h.reg16(EAX), 0x1234);        // the faulting load wrote nothing
    EXPECT_EQ(h.peek16(0x8000 - 6), 0x103); // pushed IP = the faulting instruction
    EXPECT_EQ(h.peek16(0x8000 - 4), 0x0000);
}

TEST(InterpCore, ByteOffsetsWrapAt64KWithinTheSegment) {
    CpuHarness h;
    h.poke(0x0000, {0x5A});
    // mov bx,0xFFFF; mov al,[bx+1] -> offset wraps to 0.
    h.code({0xBB, 0xFF, 0xFF, 0x8A, 0x47, 0x01, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.reg16(EAX) & 0xFF, 0x5A);
}

TEST(InterpCore, StoreIntoNextInstructionIsSeen) {
    CpuHarness h;
    // mov byte [0x106],0x42 ; (at 0x105) mov al,0x00 -> patched to mov al,0x42 ; hlt
    h.code({0xC6, 0x06, 0x06, 0x01, 0x42, 0xB0, 0x00, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.reg16(EAX) & 0xFF, 0x42);
}

TEST(InterpCore, RewritingALoopBodyInvalidatesItsTranslation) {
    CpuHarness h;
    // 0x100: mov cx,2
    // 0x103: inc ax            <- rewritten to 'inc bx' (0x43) after the first pass
    // 0x104: mov byte [0x103],0x43
    // 0x109: loop 0x103
    // 0x10B: hlt
    h.code({0xB9, 0x02, 0x00, 0x40, 0xC6, 0x06, 0x03, 0x01, 0x43, 0xE2, 0xF8, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.reg16(EAX), 1);
    EXPECT_EQ(h.reg16(EBX), 1);
}

TEST(InterpCore, A20GateOffWrapsAtOneMegabyte) {
    CpuHarness h;
    h.poke(0x000010, {0x11});
    h.poke(0x100010, {0x22});
    h.set_seg(DS, 0xFFFF);
    // mov al,[0x0020] (linear 0x100010)
    h.code({0xA0, 0x20, 0x00, 0xF4});
    h.cpu().set_a20(false);
    h.run_to_halt();
    EXPECT_EQ(h.reg16(EAX) & 0xFF, 0x11);
}

TEST(InterpCore, UndecodableBytesRaiseInvalidOpcode) {
    CpuHarness h;
    h.set_vector(6, 0x0000, 0x0300);
    h.poke(0x300, {0xF4});
    h.code({0x0F, 0xFF});  // not an instruction
    h.run_to_halt();
    EXPECT_EQ(h.s().eip, 0x301u);
    EXPECT_EQ(h.peek16(0x8000 - 6), 0x100);
}

}  // namespace
}  // namespace vmm86::test
