// PUSH/POP, PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE in real mode: exact registers, stack
// memory and flags, 16- and 32-bit operand sizes, and fault precision of staged pushes.
#include <gtest/gtest.h>

#include "cpu_harness.h"

namespace vmm86::test {
namespace {

// The harness starts at 0000:0100 with SS:SP = 0000:8000.
constexpr uint32_t kTop = 0x8000;

TEST(Stack, PushPopRegisters) {
    CpuHarness h;
    h.s().gpr[EAX] = 0x11112222;
    h.s().gpr[EBX] = 0x33334444;
    // push ax; push ebx (66); pop ecx (66); pop dx; hlt
    h.code({0x50, 0x66, 0x53, 0x66, 0x59, 0x5A, 0xF4});
    h.step(2);
    EXPECT_EQ(h.reg32(ESP), kTop - 6);
    EXPECT_EQ(h.peek16(kTop - 2), 0x2222);
    EXPECT_EQ(h.peek32(kTop - 6), 0x33334444u);
    h.run_to_halt();
    EXPECT_EQ(h.reg32(ECX), 0x33334444u);
    EXPECT_EQ(h.reg32(EDX), 0x2222u);
    EXPECT_EQ(h.reg32(ESP), kTop);
}

TEST(Stack, PushImmediatesSignExtendToOperandSize) {
    CpuHarness h;
    // push byte -128 (6A 80); push dword byte -128 (66 6A 80); push 0x1234; push dword 0x89ABCDEF
    h.code({0x6A, 0x80, 0x66, 0x6A, 0x80, 0x68, 0x34, 0x12, 0x66, 0x68, 0xEF, 0xCD, 0xAB, 0x89, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.peek16(kTop - 2), 0xFF80);
    EXPECT_EQ(h.peek32(kTop - 6), 0xFFFFFF80u);
    EXPECT_EQ(h.peek16(kTop - 8), 0x1234);
    EXPECT_EQ(h.peek32(kTop - 12), 0x89ABCDEFu);
    EXPECT_EQ(h.reg32(ESP), kTop - 12);
}

TEST(Stack, PushSpPushesTheValueBeforeTheDecrement) {
    CpuHarness h;
    h.s().gpr[ESP] = 0x12348000;  // a 16-bit stack moves only SP
    // push sp; push esp (66 54); hlt
    h.code({0x54, 0x66, 0x54, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.peek16(kTop - 2), 0x8000);
    EXPECT_EQ(h.peek32(kTop - 6), 0x12347FFEu);
    EXPECT_EQ(h.reg32(ESP), 0x12347FFAu);
}

TEST(Stack, PopSpTakesThePoppedValue) {
    CpuHarness h;
    h.poke16(kTop, 0x1234);
    h.code({0x5C, 0xF4});  // pop sp
    h.run_to_halt();
    EXPECT_EQ(h.reg32(ESP), 0x1234u);
}

TEST(Stack, PushPopMemory) {
    CpuHarness h;
    h.poke16(0x200, 0xBEEF);
    h.poke16(kTop - 4, 0x5555);
    h.s().gpr[ESP] = kTop - 4;
    // push word [0x200]; pop word [0x210]; pop word [0x212]; hlt
    h.code({0xFF, 0x36, 0x00, 0x02, 0x8F, 0x06, 0x10, 0x02, 0x8F, 0x06, 0x12, 0x02, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.peek16(0x210), 0xBEEF);
    EXPECT_EQ(h.peek16(0x212), 0x5555);
    EXPECT_EQ(h.reg32(ESP), kTop - 2);
}

TEST(Stack, PopToEspBasedMemoryUsesTheIncrementedEsp) {
    CpuHarness h;
    h.poke16(kTop, 0xA1A1);
    h.poke32(kTop + 2, 0xB2B2B2B2);
    // pop word [esp+2] (67 8F 44 24 02): ESP is 8002 when the address is formed -> 8004.
    // pop dword [esp] (66 67 8F 04 24): reads 8002, ESP becomes 8006, stores at 8006.
    h.code({0x67, 0x8F, 0x44, 0x24, 0x02, 0x66, 0x67, 0x8F, 0x04, 0x24, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.reg32(ESP), kTop + 6);
    EXPECT_EQ(h.peek16(kTop + 4), 0xA1A1);
    EXPECT_EQ(h.peek32(kTop + 6), 0xA1A1B2B2u);  // the dword at 8002 after the first pop's store
}

TEST(Stack, SegmentRegisters) {
    CpuHarness h;
    h.set_seg(DS, 0x1234);
    h.set_seg(FS, 0x5678);
    h.poke32(kTop - 6, 0xFFFFFFFF);
    // push ds; push dword fs (66 0F A0); then pop dword es (66 07); pop gs; push cs
    h.code({0x1E, 0x66, 0x0F, 0xA0, 0x66, 0x07, 0x0F, 0xA9, 0x0E, 0xF4});
    h.step(2);
    EXPECT_EQ(h.peek16(kTop - 2), 0x1234);
    // A 32-bit push of a segment register writes only the selector (Intel since P6).
    EXPECT_EQ(h.peek32(kTop - 6), 0xFFFF5678u);
    EXPECT_EQ(h.reg32(ESP), kTop - 6);
    h.run_to_halt();
    EXPECT_EQ(h.s().seg[ES].selector, 0x5678);
    EXPECT_EQ(h.s().seg[ES].base, 0x56780u);
    EXPECT_EQ(h.s().seg[GS].selector, 0x1234);
    EXPECT_EQ(h.s().seg[GS].base, 0x12340u);
    EXPECT_EQ(h.peek16(kTop - 2), 0x0000);  // CS = 0 in the harness
    EXPECT_EQ(h.reg32(ESP), kTop - 2);
}

TEST(Stack, PopSsLoadsTheSegmentAndEndsTheBlock) {
    CpuHarness h;
    h.poke16(kTop, 0x0100);
    h.code({0x17, 0x40, 0xF4});  // pop ss; inc ax
    // The block ends after POP SS (its interrupt shadow must be seen by the run loop).
    EXPECT_EQ(h.machine().engine().describe_block(h.cpu()).find("; 0101"), std::string::npos);
    h.step(1);
    EXPECT_EQ(h.s().seg[SS].selector, 0x0100);
    EXPECT_EQ(h.s().seg[SS].base, 0x1000u);
    EXPECT_EQ(h.reg32(ESP), kTop + 2);
}

TEST(Stack, PushaPopa16) {
    CpuHarness h;
    const uint32_t in[8] = {0xA0A00001, 0xC0C00002, 0xD0D00003, 0xB0B00004, 0, 0x50500005, 0x51510006, 0xD1D10007};
    for (unsigned r = 0; r < 8; ++r)
        if (r != ESP) h.s().gpr[r] = in[r];
    // pusha; overwrite the saved SP slot; xor all; popa; hlt
    h.code({0x60, 0xC7, 0x06, 0xF6, 0x7F, 0x34, 0x12, 0x31, 0xC0, 0x31, 0xFF, 0x61, 0xF4});
    h.step(1);
    const uint16_t expect[8] = {0x0007, 0x0006, 0x0005, 0x8000, 0x0004, 0x0003, 0x0002, 0x0001};
    for (unsigned i = 0; i < 8; ++i) EXPECT_EQ(h.peek16(kTop - 16 + 2 * i), expect[i]) << i;
    EXPECT_EQ(h.reg32(ESP), kTop - 16);
    h.run_to_halt();
    EXPECT_EQ(h.reg32(ESP), kTop);  // the saved SP (overwritten with 1234) is skipped
    EXPECT_EQ(h.reg32(EAX), 0xA0A00001u);  // 16-bit POPA merges into the low halves
    EXPECT_EQ(h.reg32(EDI), 0xD1D10007u);  // xor di left the upper half, POPA too
    EXPECT_EQ(h.reg32(EBP), 0x50500005u);
}

TEST(Stack, PushadPopad32) {
    CpuHarness h;
    for (unsigned r = 0; r < 8; ++r)
        if (r != ESP) h.s().gpr[r] = 0x10101010u * (r + 1);
    h.s().gpr[ESP] = 0xABCD8000;  // upper half of ESP is pushed, SP alone moves
    // pushad; popad with a 32-bit POPAD after zeroing EAX; hlt
    h.code({0x66, 0x60, 0x66, 0x31, 0xC0, 0x66, 0x61, 0xF4});
    h.step(1);
    EXPECT_EQ(h.reg32(ESP), 0xABCD7FE0u);
    EXPECT_EQ(h.peek32(kTop - 4), 0x10101010u);        // EAX first
    EXPECT_EQ(h.peek32(kTop - 20), 0xABCD8000u);       // the original ESP
    EXPECT_EQ(h.peek32(kTop - 32), 0x80808080u);       // EDI last
    h.run_to_halt();
    EXPECT_EQ(h.reg32(EAX), 0x10101010u);
    EXPECT_EQ(h.reg32(ESP), 0xABCD8000u);
}

TEST(Stack, PushfImagesClearVmAndRf) {
    CpuHarness h;
    h.set_flags(FLAG_CF | FLAG_ZF | FLAG_IF | FLAG_DF | FLAG_IOPL | FLAG_NT | FLAG_RF | FLAG_AC);
    h.code({0x9C, 0x66, 0x9C, 0xF4});  // pushf; pushfd
    h.run_to_halt();
    EXPECT_EQ(h.peek16(kTop - 2), 0x7643);
    EXPECT_EQ(h.peek32(kTop - 6), 0x00047643u);  // RF gone, AC kept
}

TEST(Stack, PushfSeesLazyArithmeticFlags) {
    CpuHarness h;
    h.set_flags(0);
    // mov al,0x7F; add al,1 (OF SF AF, PF=0); pushf
    h.code({0xB0, 0x7F, 0x04, 0x01, 0x9C, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.peek16(kTop - 2), 0x0892);
}

TEST(Stack, Popf16WritesFlagsButFixedBits) {
    CpuHarness h;
    h.set_flags(FLAG_AC | FLAG_ID);
    h.poke16(kTop, 0xFEFF);  // all ones but TF
    h.code({0x9D, 0xF4});
    h.run_to_halt();
    // Bits 3, 5 and 15 read 0, bit 1 reads 1; the upper half is untouched.
    EXPECT_EQ(h.flags(), 0x00247ED7u);
    EXPECT_EQ(h.reg32(ESP), kTop + 2);
}

TEST(Stack, Popfd32ClearsRfAndKeepsVmVifVip) {
    CpuHarness h;
    h.set_flags(FLAG_RF);
    h.poke32(kTop, 0xFFFFFEFF);
    h.poke32(kTop + 4, 0x00000000);
    h.code({0x66, 0x9D, 0x66, 0x9D, 0xF4});  // popfd; popfd
    h.step(1);
    EXPECT_EQ(h.flags(), 0x00247ED7u);  // AC and ID set; VM, VIF, VIP, RF not
    h.run_to_halt();
    EXPECT_EQ(h.flags(), 0x00000002u);
    EXPECT_EQ(h.reg32(ESP), kTop + 8);
}

TEST(Stack, PopfEnablingInterruptsEndsTheBlock) {
    CpuHarness h;
    h.poke16(kTop, 0x0202);
    h.code({0x9D, 0x40, 0xF4});  // popf; inc ax
    EXPECT_EQ(h.machine().engine().describe_block(h.cpu()).find("; 0101"), std::string::npos);
    h.step(1);
    EXPECT_EQ(h.s().eip, 0x101u);
    EXPECT_TRUE(h.flags() & FLAG_IF);
    EXPECT_EQ(h.reg16(EAX), 0);
}

TEST(Stack, EnterLevel0AndLeave) {
    CpuHarness h;
    h.s().gpr[EBP] = 0x11112222;
    h.code({0xC8, 0x10, 0x00, 0x00, 0xC9, 0xF4});  // enter 0x10,0; leave
    h.step(1);
    EXPECT_EQ(h.peek16(kTop - 2), 0x2222);
    EXPECT_EQ(h.reg32(EBP), 0x11117FFEu);
    EXPECT_EQ(h.reg32(ESP), kTop - 2 - 0x10);
    h.run_to_halt();
    EXPECT_EQ(h.reg32(EBP), 0x11112222u);
    EXPECT_EQ(h.reg32(ESP), kTop);
}

TEST(Stack, EnterLevel1PushesTheNewFramePointer) {
    CpuHarness h;
    h.s().gpr[EBP] = 0x9000;
    h.code({0xC8, 0x08, 0x00, 0x01, 0xF4});  // enter 8,1
    h.run_to_halt();
    EXPECT_EQ(h.peek16(kTop - 2), 0x9000);
    EXPECT_EQ(h.peek16(kTop - 4), 0x7FFE);
    EXPECT_EQ(h.reg32(EBP), 0x7FFEu);
    EXPECT_EQ(h.reg32(ESP), kTop - 4 - 8);
}

TEST(Stack, EnterLevel3CopiesTheDisplay) {
    CpuHarness h;
    h.s().gpr[EBP] = 0x9000;
    h.poke16(0x8FFE, 0xAAAA);
    h.poke16(0x8FFC, 0xBBBB);
    h.code({0xC8, 0x04, 0x00, 0x23, 0xF4});  // enter 4,0x23 -> level 3 (masked to 5 bits)
    h.run_to_halt();
    EXPECT_EQ(h.peek16(kTop - 2), 0x9000);
    EXPECT_EQ(h.peek16(kTop - 4), 0xAAAA);
    EXPECT_EQ(h.peek16(kTop - 6), 0xBBBB);
    EXPECT_EQ(h.peek16(kTop - 8), 0x7FFE);
    EXPECT_EQ(h.reg32(EBP), 0x7FFEu);
    EXPECT_EQ(h.reg32(ESP), kTop - 8 - 4);
}

TEST(Stack, Enter32Level2AndLeave32) {
    CpuHarness h;
    h.s().gpr[EBP] = 0x12349000;
    h.poke32(0x8FFC, 0xCAFEF00D);  // [BP-4]: BP walks at the 16-bit stack width
    h.code({0x66, 0xC8, 0x08, 0x00, 0x02, 0x66, 0xC9, 0xF4});  // o32 enter 8,2; o32 leave
    h.step(1);
    EXPECT_EQ(h.peek32(kTop - 4), 0x12349000u);
    EXPECT_EQ(h.peek32(kTop - 8), 0xCAFEF00Du);
    EXPECT_EQ(h.peek32(kTop - 12), 0x00007FFCu);
    EXPECT_EQ(h.reg32(EBP), 0x00007FFCu);
    EXPECT_EQ(h.reg32(ESP), kTop - 12 - 8);
    h.run_to_halt();
    EXPECT_EQ(h.reg32(EBP), 0x12349000u);
    EXPECT_EQ(h.reg32(ESP), kTop);
}

TEST(Stack, PushWrapsSpAtZero) {
    CpuHarness h;
    h.set_seg(SS, 0x2000);
    h.s().gpr[ESP] = 0;
    h.s().gpr[EAX] = 0x7E57;
    h.code({0x50, 0x5B, 0xF4});  // push ax; pop bx
    h.step(1);
    EXPECT_EQ(h.reg32(ESP), 0xFFFEu);
    EXPECT_EQ(h.peek16(0x2FFFE), 0x7E57);
    h.run_to_halt();
    EXPECT_EQ(h.reg32(ESP), 0u);
    EXPECT_EQ(h.reg16(EBX), 0x7E57);
}

TEST(Stack, PushaFaultingAtTheLimitLeavesSpAndRegisters) {
    CpuHarness h;
    h.set_seg(SS, 0x1000);
    h.s().gpr[ESP] = 0x000F;  // the eighth push lands on FFFF: a word there is #SS
    h.set_vector(EXC_SS, 0x0000, 0x0200);
    h.poke(0x200, {0xF4});
    h.s().gpr[EAX] = 0x1234;
    h.code({0x60, 0xF4});
    h.run_to_halt();
    EXPECT_EQ(h.s().eip, 0x201u);  // in the handler
    // The handler frame sits below the unchanged SP=000F: IP, CS, FLAGS.
    EXPECT_EQ(h.reg32(ESP), 0x0009u);
    EXPECT_EQ(h.peek16(0x10009), 0x0100);
    EXPECT_EQ(h.reg32(EAX), 0x1234u);
}

TEST(Stack, PopFaultLeavesSp) {
    CpuHarness h;
    h.s().gpr[ESP] = 0xFFFF;  // a word at SS:FFFF crosses the limit: #SS
    h.set_vector(EXC_SS, 0x0000, 0x0200);
    h.poke(0x200, {0xF4});
    h.code({0x58, 0xF4});  // pop ax
    h.s().gpr[EAX] = 0x4321;
    h.run_to_halt();
    EXPECT_EQ(h.s().eip, 0x201u);
    EXPECT_EQ(h.reg32(ESP), 0xFFF9u);  // FFFF - 6: the frame was pushed from the old SP
    EXPECT_EQ(h.reg32(EAX), 0x4321u);
}

}  // namespace
}  // namespace vmm86::test
